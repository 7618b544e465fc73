/* Unit tests: the pure parts behind list and report — option parsing, the
 * session tree order, safe text, JSON strings and the id cache. */
#include <stdlib.h>

#include "check.h"
#include "idcache.h"
#include "jsonw.h"
#include "qargs.h"
#include "report.h"
#include "sesstree.h"
#include "store.h"
#include "textout.h"

static int parse_report(qargs_report *o, const char *a1, const char *a2, const char *a3, const char *a4,
                        const char *a5)
{
    char *argv[8] = { "report" };
    int argc = 1;
    const char *in[] = { a1, a2, a3, a4, a5 };
    for (int i = 0; i < 5 && in[i]; i++)
        argv[argc++] = (char *)in[i];
    argv[argc] = NULL;
    char err[256];
    int r = qargs_parse_report(argc, argv, o, err, sizeof err);
    if (r < 0)
        printf("  (report: %s)\n", err);
    return r;
}

static void test_report_args(void)
{
    qargs_report o;
    CHECK(parse_report(&o, NULL, NULL, NULL, NULL, NULL) == 0);
    CHECK(o.session == 0 && o.kind == REPORT_LINES && o.from == 0 && o.to == STORE_OPEN_END && o.top == 0 && !o.json);
    CHECK(parse_report(&o, "12", "--functions", "--top", "5", "--json") == 0);
    CHECK(o.session == 12 && o.kind == REPORT_FUNCTIONS && o.top == 5 && o.json);
    CHECK(parse_report(&o, "--timeline", "--from", "1.5", "--to=2m", "7") == 0);
    CHECK(o.session == 7 && o.kind == REPORT_TIMELINE && o.from == 1.5 && o.to == 120);
    CHECK(parse_report(&o, "--db", "/x/y.db", "--lines", "--lines", NULL) == 0);
    CHECK_STR(o.db, "/x/y.db");
    CHECK(parse_report(&o, "--from", "0", NULL, NULL, NULL) == 0 && o.from == 0);
    CHECK(parse_report(&o, "--from", "500ms", NULL, NULL, NULL) == 0 && o.from == 0.5);
    /* mistakes */
    CHECK(parse_report(&o, "--lines", "--timeline", NULL, NULL, NULL) == -1);
    CHECK(parse_report(&o, "--from", "3", "--to", "1", NULL) == -1);
    CHECK(parse_report(&o, "--from", "-1", NULL, NULL, NULL) == -1);
    CHECK(parse_report(&o, "--from", "inf", NULL, NULL, NULL) == -1);
    CHECK(parse_report(&o, "--from", "0x10", NULL, NULL, NULL) == -1);
    CHECK(parse_report(&o, "--top", "0", NULL, NULL, NULL) == -1);
    CHECK(parse_report(&o, "--top", "many", NULL, NULL, NULL) == -1);
    CHECK(parse_report(&o, "abc", NULL, NULL, NULL, NULL) == -1);
    CHECK(parse_report(&o, "0", NULL, NULL, NULL, NULL) == -1);
    CHECK(parse_report(&o, "1", "2", NULL, NULL, NULL) == -1);
    CHECK(parse_report(&o, "--frob", NULL, NULL, NULL, NULL) == -1);
    CHECK(parse_report(&o, "--top", NULL, NULL, NULL, NULL) == -1);
    CHECK(parse_report(&o, "--help", NULL, NULL, NULL, NULL) == 0 && o.help);

    char *l1[] = { "list", "--json", NULL }, *l2[] = { "list", "extra", NULL }, *l3[] = { "list", "--db", NULL };
    qargs_list lo;
    char err[256];
    CHECK(qargs_parse_list(2, l1, &lo, err, sizeof err) == 0 && lo.json);
    CHECK(qargs_parse_list(2, l2, &lo, err, sizeof err) == -1 && strstr(err, "extra"));
    CHECK(qargs_parse_list(2, l3, &lo, err, sizeof err) == -1 && strstr(err, "needs a value"));
}

static void test_tree(void)
{
    /* 1 > (2 > 4, 5), 3 > 6; 7's parent is missing; 8 claims a younger parent */
    int64_t ids[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    int64_t par[] = { 0, 1, 0, 2, 1, 3, 99, 9, 0 };
    size_t order[9];
    int depth[9];
    CHECK(sesstree_order(ids, par, 9, order, depth) == 0);
    int64_t want[] = { 1, 2, 4, 5, 3, 6, 7, 8, 9 };
    int wantd[] = { 0, 1, 2, 1, 0, 1, 0, 0, 0 };
    for (int i = 0; i < 9; i++) {
        CHECK(ids[order[i]] == want[i]);
        CHECK(depth[order[i]] == wantd[i]);
    }
    CHECK(sesstree_order(ids, par, 0, order, depth) == 0);
    /* a long chain: every session once, depth capped */
    enum { N = 5000 };
    int64_t *ci = malloc(N * sizeof *ci), *cp = malloc(N * sizeof *cp);
    size_t *co = malloc(N * sizeof *co);
    int *cd = malloc(N * sizeof *cd);
    for (int i = 0; i < N; i++) {
        ci[i] = i + 1;
        cp[i] = i;
    }
    CHECK(sesstree_order(ci, cp, N, co, cd) == 0);
    int inorder = 1;
    for (int i = 0; i < N; i++)
        inorder &= co[i] == (size_t)i;
    CHECK(inorder && cd[0] == 0 && cd[1] == 1 && cd[N - 1] == SESSTREE_MAX_DEPTH);
    free(ci), free(cp), free(co), free(cd);
}

static void test_text(void)
{
    char buf[64];
    CHECK_STR(textout_clean("x = [0] * 10\n", buf, sizeof buf, 0), "x = [0] * 10");
    CHECK_STR(textout_clean("a\033[2Jb\tc", buf, sizeof buf, 0), "a?[2Jb c");
    CHECK_STR(textout_clean("abcdefghij", buf, sizeof buf, 8), "abcde...");
    CHECK_STR(textout_clean("abcdefgh", buf, sizeof buf, 8), "abcdefgh");
    CHECK_STR(textout_clean("h\xc3\xa9llo w\xc3\xb6rld", buf, sizeof buf, 8), "h\xc3\xa9llo...");
    CHECK_STR(textout_clean("bad \xff\xfe end", buf, sizeof buf, 0), "bad ?? end");
    CHECK_STR(textout_clean("\xe2\x82", buf, sizeof buf, 0), "??");   /* cut sequence */
    CHECK_STR(textout_clean(NULL, buf, sizeof buf, 0), "");
    CHECK_STR(textout_clean("0123456789", buf, 5, 0), "0123");        /* the buffer bounds it */
    CHECK(textout_width("h\xc3\xa9") == 2);
    CHECK(textout_utf8_len((const unsigned char *)"\xed\xa0\x80") == 0);   /* a surrogate */
    CHECK(textout_utf8_len((const unsigned char *)"\xc0\xaf") == 0);       /* overlong */
    CHECK(textout_utf8_len((const unsigned char *)"\xf0\x9f\x98\x80") == 4);

    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    jsonw_string(f, "a\"b\\c\nd\x01 \xc3\xa9 \xff");
    fputc(' ', f);
    jsonw_string(f, NULL);
    fputc(' ', f);
    jsonw_num(f, 1.5, 1);
    fputc(' ', f);
    jsonw_num(f, 2.0, 1);
    fputc(' ', f);
    jsonw_int(f, -7, 1);
    fputc(' ', f);
    jsonw_int(f, 5, 0);
    fclose(f);
    CHECK_STR(mem, "\"a\\\"b\\\\c\\nd\\u0001 \xc3\xa9 \\ufffd\" null 1.5 2 -7 null");
    free(mem);
}

static void test_idcache(void)
{
    idcache c = { 0 };
    CHECK(idcache_get(&c, "x", 1) == 0);
    CHECK(idcache_put(&c, "x", 1, 5) == 0 && idcache_get(&c, "x", 1) == 5);
    CHECK(idcache_put(&c, "", 0, 6) == 0 && idcache_get(&c, "", 0) == 6);
    char key[32];
    int ok = 1;
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "file%d.py", i);
        ok &= idcache_put(&c, key, strlen(key), i + 100) == 0;
    }
    CHECK(ok);
    for (int i = 0; i < 20000; i++) {
        snprintf(key, sizeof key, "file%d.py", i);
        ok &= idcache_get(&c, key, strlen(key)) == i + 100;
    }
    CHECK(ok && c.n == 20002);
    CHECK(idcache_get(&c, "file20000.py", 12) == 0);
    CHECK(idcache_put(&c, "x", 1, 9) == 0 && idcache_get(&c, "x", 1) == 9 && c.n == 20002);
    idcache_clear(&c);
    CHECK(idcache_get(&c, "x", 1) == 0 && c.n == 0);
}

int main(void)
{
    test_report_args();
    test_tree();
    test_text();
    test_idcache();
    return check_done("test_qargs");
}
