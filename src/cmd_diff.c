/* cmd_diff: `memwatch diff SESSION_A SESSION_B` — which lines grew more in one run than in another. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "diffcalc.h"
#include "exargs.h"
#include "exitcodes.h"
#include "jsonw.h"
#include "sessopen.h"
#include "store.h"
#include "textout.h"
#include "units.h"

static void print_help(void)
{
    printf("usage: memwatch diff SESSION_A SESSION_B [--lines|--functions] [--top N] [--json] [--db FILE]\n"
           "Compares what two recorded sessions charged to each line (default) or function:\n"
           "the growth in A, in B, and B - A, largest difference first.\n"
           "  --lines       per source line (file and line number)\n"
           "  --functions   per function (file and function name)\n"
           "  --top N       only the N largest differences\n"
           "  --json        one JSON object with both sessions and the rows\n"
           "  --db FILE     the database (default $MEMWATCH_DB, else the XDG state directory)\n"
           "Lines are matched by file path and line number: compare runs of the same files.\n");
}

typedef struct side_in {
    diff_table *t;
    int side, oom;
} side_in;

static int add_row(void *arg, const store_report_row *r)
{
    side_in *in = arg;
    if (diffcalc_add(in->t, in->side, r) < 0) {
        in->oom = 1;
        return 1;
    }
    return 0;
}

static void json_session(FILE *f, const char *key, const store_session *ss)
{
    jsonw_key(f, key, 0);
    fputc('{', f);
    jsonw_key(f, "id", 1);
    jsonw_int(f, ss->id, 1);
    jsonw_key(f, "pid", 0);
    jsonw_int(f, ss->pid, 1);
    jsonw_key(f, "command", 0);
    jsonw_string(f, ss->cmdline);
    jsonw_key(f, "start", 0);
    jsonw_num(f, ss->start, 1);
    fputc('}', f);
}

static void print_json(FILE *f, const store_session *a, const store_session *b, const diff_table *t, size_t n)
{
    fputc('{', f);
    jsonw_key(f, "by", 1);
    jsonw_string(f, t->functions ? "functions" : "lines");
    json_session(f, "a", a);
    json_session(f, "b", b);
    jsonw_key(f, "rows", 0);
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        const diff_row *r = &t->items[i];
        fputs(i ? ",\n  {" : "\n  {", f);
        jsonw_key(f, "file", 1);
        jsonw_string(f, r->file);
        jsonw_key(f, "line", 0);
        jsonw_int(f, r->line, 1);
        jsonw_key(f, "function", 0);
        jsonw_string(f, r->func);
        jsonw_key(f, "growth_a_bytes", 0);
        jsonw_int(f, r->growth[0], 1);
        jsonw_key(f, "growth_b_bytes", 0);
        jsonw_int(f, r->growth[1], 1);
        jsonw_key(f, "growth_diff_bytes", 0);
        jsonw_int(f, diffcalc_growth(r), 1);
        jsonw_key(f, "net_a_bytes", 0);
        jsonw_int(f, r->net[0], 1);
        jsonw_key(f, "net_b_bytes", 0);
        jsonw_int(f, r->net[1], 1);
        jsonw_key(f, "in_a", 0);
        fputs(r->seen[0] ? "true" : "false", f);
        jsonw_key(f, "in_b", 0);
        fputs(r->seen[1] ? "true" : "false", f);
        if (!t->functions) {
            jsonw_key(f, "text", 0);
            jsonw_string(f, r->text);
        }
        fputc('}', f);
    }
    fputs(n ? "\n]}\n" : "]}\n", f);
}

static void print_text(FILE *f, const store_session *a, const store_session *b, const diff_table *t, size_t n)
{
    char cmd[256], buf[512], file[300], x[32], y[32], z[32];
    fprintf(f, "memwatch diff: growth per %s, B - A (sampled figures)\n", t->functions ? "function" : "line");
    fprintf(f, "  A: session %lld (pid %d) %s\n", (long long)a->id, a->pid, textout_clean(a->cmdline, cmd, sizeof cmd, 100));
    fprintf(f, "  B: session %lld (pid %d) %s\n", (long long)b->id, b->pid, textout_clean(b->cmdline, cmd, sizeof cmd, 100));
    if (!n) {
        fprintf(f, "\nneither session charged any %s\n", t->functions ? "function" : "line");
        return;
    }
    fprintf(f, "\n%11s %11s %12s  %s\n", "Growth A", "Growth B", "B - A", t->functions ? "Function (file:line)" : "File:line  Line Contents");
    for (size_t i = 0; i < n; i++) {
        const diff_row *r = &t->items[i];
        int64_t d = diffcalc_growth(r);
        char signed_[40];
        snprintf(signed_, sizeof signed_, "%s%s", d > 0 ? "+" : "", units_format_bytes(d, z, sizeof z));
        fprintf(f, "%11s %11s %12s  ", units_format_bytes(r->growth[0], x, sizeof x),
                units_format_bytes(r->growth[1], y, sizeof y), signed_);
        textout_clean(r->file, file, sizeof file, 80);
        if (t->functions) {
            fprintf(f, "%s (%s:%d)\n", textout_clean(r->func, buf, sizeof buf, 60), file, (int)r->line);
        } else if (r->line > 0) {
            const char *text = r->text;
            while (text && (*text == ' ' || *text == '\t'))
                text++;
            fprintf(f, "%s:%d  %s\n", file, (int)r->line, text ? textout_clean(text, buf, sizeof buf, 70) : "");
        } else {
            fprintf(f, "%s  %s\n", file, textout_clean(r->func, buf, sizeof buf, 60));
        }
    }
}

int cmd_diff(int argc, char **argv, const mw_globals *g)
{
    exargs_diff o;
    char err[512], path[4096];
    if (exargs_parse_diff(argc, argv, &o, err, sizeof err) < 0) {
        fprintf(stderr, "memwatch: %s (try memwatch diff --help)\n", err);
        return MW_EXIT_USAGE;
    }
    if (o.help) {
        print_help();
        return MW_EXIT_OK;
    }
    store *st;
    int rc = sessopen_db(o.db, g, &st, path, sizeof path);
    if (rc != MW_EXIT_OK)
        return rc;
    store_session ss[2] = { 0 };
    diff_table t = { .functions = o.functions };
    for (int i = 0; i < 2 && rc == MW_EXIT_OK; i++)
        rc = sessopen_session(st, path, i ? o.b : o.a, &ss[i]);
    for (int i = 0; i < 2 && rc == MW_EXIT_OK; i++) {
        side_in in = { &t, i, 0 };
        if (store_report(st, ss[i].id, o.functions ? STORE_FUNCTIONS : STORE_LINES, 0, STORE_OPEN_END, STORE_BY_PLACE,
                         0, add_row, &in) < 0 || in.oom)
            rc = sessopen_fail(st);
    }
    if (rc == MW_EXIT_OK) {
        diffcalc_sort(&t);
        size_t n = o.top > 0 && (size_t)o.top < t.n ? (size_t)o.top : t.n;
        if (o.json)
            print_json(stdout, &ss[0], &ss[1], &t, n);
        else
            print_text(stdout, &ss[0], &ss[1], &t, n);
        if (fflush(stdout) != 0) {
            perror("memwatch: writing the diff");
            rc = MW_EXIT_ERROR;
        }
    }
    diffcalc_free(&t);
    store_session_clear(&ss[0]);
    store_session_clear(&ss[1]);
    store_close(st);
    return rc;
}
