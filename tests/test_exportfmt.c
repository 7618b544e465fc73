/* Unit tests: the pure parts of export and diff — option parsing, collapsed
 * frames and lines, CSV fields, the side-by-side diff of two sessions. */
#include <stdlib.h>

#include "check.h"
#include "csvw.h"
#include "diffcalc.h"
#include "exargs.h"
#include "flame.h"
#include "store.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
#define EXPORT(...) exargs_parse_export(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), &e, err, sizeof err)
#define PLOT(...) exargs_parse_plot(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), &p, err, sizeof err)
#define DIFF(...) exargs_parse_diff(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), &d, err, sizeof err)

static void test_args(void)
{
    exargs_export e;
    exargs_plot p;
    exargs_diff d;
    char err[256];
    CHECK(EXPORT("export", "--format", "mprof") == 0);
    CHECK(e.format == EXPORT_MPROF && e.session == 0 && !e.out && e.from == 0 && e.to == STORE_OPEN_END && !e.children);
    CHECK(EXPORT("export", "7", "-f", "csv", "-o", "x.csv", "--from", "1", "--to", "2m", "--children") == 0);
    CHECK(e.session == 7 && e.format == EXPORT_CSV && e.what == EXPORT_TIMELINE && e.from == 1 && e.to == 120 &&
          e.children);
    CHECK_STR(e.out, "x.csv");
    CHECK(EXPORT("export", "--format=csv", "--what", "lines") == 0 && e.what == EXPORT_LINES);
    CHECK(EXPORT("export", "--format", "json") == 0 && e.what == (EXPORT_TIMELINE | EXPORT_LINES | EXPORT_FUNCTIONS));
    CHECK(EXPORT("export", "--format", "json", "--what", "lines,functions") == 0 &&
          e.what == (EXPORT_LINES | EXPORT_FUNCTIONS));
    for (int f = EXPORT_MPROF; f <= EXPORT_JSON; f++)
        CHECK(exargs_format(exargs_format_name(f)) == f);
    /* mistakes, each with a message naming the problem */
    CHECK(EXPORT("export") == -1 && strstr(err, "choose a format"));
    CHECK(EXPORT("export", "--format", "pdf") == -1 && strstr(err, "'pdf'"));
    CHECK(EXPORT("export", "--format", "csv", "--what", "lines,timeline") == -1 && strstr(err, "one table"));
    CHECK(EXPORT("export", "--format", "csv", "--what", "lines,") == -1);
    CHECK(EXPORT("export", "--format", "csv", "--what", "bytes") == -1 && strstr(err, "--what"));
    CHECK(EXPORT("export", "--format", "mprof", "--what", "lines") == -1 && strstr(err, "csv and json"));
    CHECK(EXPORT("export", "--format", "mprof", "abc") == -1 && strstr(err, "not a session id"));
    CHECK(EXPORT("export", "--format", "mprof", "1", "2") == -1 && strstr(err, "unexpected"));
    CHECK(EXPORT("export", "--format", "mprof", "--from", "3", "--to", "1") == -1);
    CHECK(EXPORT("export", "--format", "mprof", "-o", "") == -1);
    CHECK(EXPORT("export", "--format") == -1 && strstr(err, "needs a value"));
    CHECK(EXPORT("export", "--bogus") == -1 && strstr(err, "unknown option"));
    CHECK(EXPORT("export", "--help") == 0 && e.help);

    CHECK(PLOT("plot", "-o", "m.png") == 0);
    CHECK(p.type == PLOT_PNG && p.width == 1200 && p.height == 600 && p.top == 5 && !p.children && p.session == 0);
    CHECK(PLOT("plot", "3", "-o", "dir.v2/m.SVG", "--width", "800", "--height", "300", "--top", "0", "--children") == 0);
    CHECK(p.type == PLOT_SVG && p.width == 800 && p.height == 300 && p.top == 0 && p.children && p.session == 3);
    CHECK(PLOT("plot") == -1 && strstr(err, "-o FILE.png"));
    CHECK(PLOT("plot", "-o", "m.jpg") == -1 && strstr(err, ".png or .svg"));
    CHECK(PLOT("plot", "-o", "dir.png/m") == -1);
    CHECK(PLOT("plot", "-o", "m.png", "--width", "10") == -1 && strstr(err, "--width"));
    CHECK(PLOT("plot", "-o", "m.png", "--height", "99999") == -1);
    CHECK(PLOT("plot", "-o", "m.png", "--top", "21") == -1);

    CHECK(DIFF("diff", "3", "5") == 0 && d.a == 3 && d.b == 5 && !d.functions && !d.json && !d.top);
    CHECK(DIFF("diff", "--functions", "--json", "3", "5", "--top", "4") == 0 && d.functions && d.json && d.top == 4);
    CHECK(DIFF("diff", "3") == -1 && strstr(err, "two sessions"));
    CHECK(DIFF("diff", "3", "x") == -1 && strstr(err, "'x'"));
    CHECK(DIFF("diff", "1", "2", "3") == -1);
    CHECK(DIFF("diff", "--lines", "--functions", "1", "2") == -1);
}

static void test_flame(void)
{
    char buf[FLAME_NAME_MAX + 1];
    store_frame f = { "/app/x;y.py", "load\ndata", 12 };
    CHECK_STR(flame_frame(&f, buf, sizeof buf), "load?data (/app/x:y.py:12)");
    store_frame pseudo = { "[memwatch]", "[no Python frame]", 0 };
    CHECK_STR(flame_frame(&pseudo, buf, sizeof buf), "[no Python frame] ([memwatch])");
    CHECK_STR(flame_clean("caf\xc3\xa9 \xff;\t", buf, sizeof buf), "caf\xc3\xa9 ?:?");
    char small[6];
    CHECK_STR(flame_clean("ab\xc3\xa9\xc3\xa9", small, sizeof small), "ab\xc3\xa9");   /* cut on a character */
    /* a very long name is cut but the frame keeps its place */
    char *longname = malloc(5000);
    memset(longname, 'a', 4999);
    longname[4999] = '\0';
    store_frame lf = { "f.py", longname, 3 };
    flame_frame(&lf, buf, sizeof buf);
    CHECK(strlen(buf) <= FLAME_NAME_MAX && strstr(buf, " (f.py:3)"));
    free(longname);

    flame_lines l = { 0 };
    store_frame a[] = { { "m.py", "main", 10 }, { "m.py", "load", 20 } };
    store_frame b[] = { { "m.py", "main", 11 } };
    CHECK(flame_add(&l, NULL, a, 2, 300) == 0);
    CHECK(flame_add(&l, NULL, b, 1, 50) == 0);
    CHECK(flame_add(&l, NULL, a, 2, 0) == 0 && l.n == 2);     /* no growth: no line */
    CHECK(flame_add(&l, NULL, a, 2, 12) == 0 && l.n == 3);
    CHECK(flame_add(&l, "[pid 4] x", b, 1, 5) == 0);
    flame_merge(&l);
    CHECK(l.n == 3);
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    CHECK(flame_write(&l, m) == 0);
    fclose(m);
    CHECK_STR(out, "[pid 4] x;main (m.py:11) 5\n"
                   "main (m.py:10);load (m.py:20) 312\n"
                   "main (m.py:11) 50\n");
    free(out);
    flame_free(&l);
}

static void test_csv(void)
{
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    csvw_field(m, "plain", 1);
    csvw_field(m, "a,b", 0);
    csvw_field(m, "say \"hi\"", 0);
    csvw_field(m, "two\nlines", 0);
    csvw_field(m, NULL, 0);
    csvw_int(m, -42, 1, 0);
    csvw_int(m, 7, 0, 0);
    csvw_num(m, 1.5, 1, 0);
    csvw_num(m, 2.0, 1, 0);
    fclose(m);
    CHECK_STR(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,-42,,1.5,2");
    free(out);
}

static store_report_row row(const char *file, const char *func, int line, int64_t growth, int64_t net, const char *text)
{
    store_report_row r = { .file = file, .func = func, .line = line, .growth = growth, .net = net, .text = text };
    return r;
}

static void test_diff(void)
{
    diff_table t = { .functions = 0 };
    store_report_row a1 = row("app.py", "main", 10, 100, 80, "x = []"), a2 = row("app.py", "main", 11, 500, 500, NULL);
    store_report_row b1 = row("app.py", "main", 10, 100, 100, "x = []"), b2 = row("app.py", "main", 11, 20, 10, "y()");
    store_report_row b3 = row("lib.py", "load", 3, 300, 300, NULL);
    store_report_row p1 = row("[memwatch]", "[no Python frame]", 0, 7, 7, NULL);
    store_report_row p2 = row("[memwatch]", "[unreadable stack]", 0, 9, 9, NULL);
    CHECK(diffcalc_add(&t, 0, &a1) == 0 && diffcalc_add(&t, 0, &a2) == 0 && diffcalc_add(&t, 0, &p1) == 0);
    CHECK(diffcalc_add(&t, 1, &b1) == 0 && diffcalc_add(&t, 1, &b2) == 0 && diffcalc_add(&t, 1, &b3) == 0);
    CHECK(diffcalc_add(&t, 1, &p2) == 0);
    CHECK(t.n == 5);   /* the two pseudo lines stay apart */
    diffcalc_sort(&t);
    CHECK(t.items[0].line == 11 && diffcalc_growth(&t.items[0]) == -480);
    CHECK_STR(t.items[0].text, "y()");   /* the text of whichever side saved it */
    CHECK(!strcmp(t.items[1].file, "lib.py") && diffcalc_growth(&t.items[1]) == 300 && !t.items[1].seen[0] &&
          t.items[1].seen[1]);
    CHECK(diffcalc_growth(&t.items[2]) == 9 && diffcalc_growth(&t.items[3]) == -7);
    CHECK(t.items[4].line == 10 && diffcalc_growth(&t.items[4]) == 0 && t.items[4].net[0] == 80 &&
          t.items[4].net[1] == 100);
    diffcalc_free(&t);

    /* by function: lines of one function add up; a session against itself is all zeros */
    diff_table f = { .functions = 1 };
    store_report_row fa = row("app.py", "main", 8, 40, 40, NULL), fb = row("app.py", "main", 8, 2, 2, NULL);
    for (int side = 0; side < 2; side++) {
        CHECK(diffcalc_add(&f, side, &fa) == 0);
        CHECK(diffcalc_add(&f, side, &fb) == 0);
    }
    diffcalc_sort(&f);
    CHECK(f.n == 1 && f.items[0].growth[0] == 42 && f.items[0].growth[1] == 42 && diffcalc_growth(&f.items[0]) == 0);
    diffcalc_free(&f);
}

int main(void)
{
    test_args();
    test_flame();
    test_csv();
    test_diff();
    return check_done("test_exportfmt");
}
