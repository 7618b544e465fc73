/* Unit tests: the collector's pure parts — attribution sums, stack interning,
 * process-tree descendants, /proc text parsing. */
#include <stdlib.h>
#include <string.h>

#include "attrib.h"
#include "check.h"
#include "memstat.h"
#include "procinfo.h"
#include "proctree.h"
#include "stackids.h"
#include "tidmap.h"

static const mw_charge *find_charge(const attrib *a, uint32_t stack)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->items[i].stack == stack)
            return &a->items[i];
    return NULL;
}

static void test_attrib(void)
{
    attrib a;
    attrib_init(&a);
    CHECK(attrib_charge(&a, 7, MW_TRIGGER_TIMER, 4096, 100000) == 0);
    CHECK(attrib_charge(&a, 7, MW_TRIGGER_TIMER, -1024, 99000) == 0);
    CHECK(attrib_charge(&a, 9, MW_TRIGGER_TIMER, 0, 120000) == 0);
    CHECK(attrib_charge(&a, 7, MW_TRIGGER_TIMER, 8192, 107000) == 0);
    const mw_charge *c7 = find_charge(&a, 7), *c9 = find_charge(&a, 9);
    CHECK(c7 && c7->growth == 12288 && c7->shrink == 1024 && c7->hits == 3 && c7->peak_rss == 107000);
    CHECK(c9 && c9->growth == 0 && c9->shrink == 0 && c9->hits == 1 && c9->peak_rss == 120000);
    CHECK(a.growth == 12288 && a.shrink == 1024 && a.n == 2);
    /* many stacks: the table grows, every sum stays exact */
    for (uint32_t s = 100; s < 5100; s++)
        CHECK(attrib_charge(&a, s, MW_TRIGGER_TIMER, (int64_t)s, 1) == 0);
    CHECK(a.n == 5002);
    int64_t sum = 0;
    for (size_t i = 0; i < a.n; i++)
        sum += a.items[i].growth;
    CHECK(sum == a.growth);
    CHECK(find_charge(&a, 4321) && find_charge(&a, 4321)->growth == 4321);
    /* the same stack taken by another trigger keeps its own row */
    size_t before = a.n;
    CHECK(attrib_charge(&a, 7, MW_TRIGGER_FAULT, 65536, 200000) == 0);
    CHECK(a.n == before + 1 && find_charge(&a, 7)->growth == 12288);
    attrib_reset(&a);
    CHECK(a.n == 0 && a.growth == 0 && a.shrink == 0);
    CHECK(attrib_charge(&a, 7, MW_TRIGGER_TIMER, 5, 5) == 0 && a.n == 1 && find_charge(&a, 7)->growth == 5);
    attrib_free(&a);
}

static void test_share_before(void)
{
    uint64_t t[] = { 100, 140, 160, 190 };
    /* previous read at 100, this one at 200: 100 and 140 are nearer the previous */
    CHECK(attrib_share_before(t, 4, 100, 200, 4000) == 2000);
    CHECK(attrib_share_before(t, 4, 0, 200, 4000) == 0);        /* all nearer this read */
    CHECK(attrib_share_before(t, 4, 190, 1000, 4000) == 4000);  /* all at or before the previous read */
    CHECK(attrib_share_before(t, 4, 100, 200, -50) == 0);       /* shrink is not split */
    CHECK(attrib_share_before(t, 0, 100, 200, 4000) == 0);
}

static void test_stackids(void)
{
    stackids *s = stackids_new();
    const char *f = "a.py", *g = "b.py", *main = "<module>", *fn = "fn";
    py_frame st1[] = { { g, fn, 10, 12 }, { f, main, 1, 5 } };   /* innermost first */
    py_frame st2[] = { { g, fn, 10, 13 }, { f, main, 1, 5 } };
    uint32_t a = stackids_intern(s, st1, 2), b = stackids_intern(s, st2, 2);
    CHECK(a && b && a != b);
    CHECK(stackids_intern(s, st1, 2) == a);
    CHECK(stackids_count(s) == 3);   /* shared outer frame */
    const mw_stack_node *na = stackids_node(s, a), *nb = stackids_node(s, b);
    CHECK(na && nb && na->parent == nb->parent && na->line == 12 && nb->line == 13);
    const mw_stack_node *root = stackids_node(s, na->parent);
    CHECK(root && root->parent == 0 && root->file == f && root->line == 5);
    CHECK(stackids_intern(s, st1, 0) == 0);
    CHECK(stackids_node(s, 0) == NULL && stackids_node(s, 99) == NULL);
    uint32_t p = stackids_pseudo(s, "[memwatch]", "[x]");
    CHECK(p && stackids_pseudo(s, "[memwatch]", "[x]") == p);
    /* a deep recursion and many distinct lines */
    py_frame deep[100];
    for (int i = 0; i < 100; i++)
        deep[i] = (py_frame){ f, fn, 1, i + 1 };
    uint32_t d = stackids_intern(s, deep, 100);
    int depth = 0;
    for (const mw_stack_node *n = stackids_node(s, d); n; n = stackids_node(s, n->parent))
        depth++;
    CHECK(depth == 100);
    for (int i = 0; i < 20000; i++) {
        py_frame one = { g, fn, 1, 1000 + i };
        CHECK(stackids_intern(s, &one, 1) != 0);
    }
    CHECK(stackids_intern(s, st1, 2) == a);
    stackids_free(s);
}

static void test_tree(void)
{
    proc_entry procs[] = {
        { 1, 0, 0 }, { 100, 1, 0 }, { 101, 100, 0 }, { 102, 100, 0 }, { 103, 101, 0 },
        { 200, 1, 0 }, { 201, 200, 0 }, { 300, 103, 0 },
        /* a cycle in a table read while processes come and go must not loop */
        { 400, 401, 0 }, { 401, 400, 0 },
    };
    size_t n = sizeof procs / sizeof procs[0];
    pid_t out[16];
    size_t k = proctree_descendants(procs, n, 100, out, 16);
    CHECK(k == 4);
    int has[4] = { 0 };
    for (size_t i = 0; i < k; i++) {
        has[0] |= out[i] == 101;
        has[1] |= out[i] == 102;
        has[2] |= out[i] == 103;
        has[3] |= out[i] == 300;
    }
    CHECK(has[0] && has[1] && has[2] && has[3]);
    CHECK(proctree_descendants(procs, n, 102, out, 16) == 0);
    CHECK(proctree_descendants(procs, n, 400, out, 16) == 1 && out[0] == 401);
    CHECK(proctree_descendants(procs, n, 1, out, 3) == 3);
}

static void test_parse(void)
{
    CHECK(memstat_parse_statm("5000 1200 300 10 0 800 0\n", 4096) == 1200 * 4096LL);
    CHECK(memstat_parse_statm("", 4096) == -1);
    CHECK(memstat_parse_statm("12", 4096) == -1);
    CHECK(memstat_parse_statm("10 20 0", 4096) == -1);   /* resident above size */
    proc_stat st;
    const char *line = "4242 (python3 (x) y) S 4200 4242 4200 34816 4242 4194304 1207 0 0 0 "
                       "12 3 0 0 20 0 1 0 987654 20000000 3000 18446744073709551615";
    CHECK(procinfo_parse_stat(line, &st) == 0);
    CHECK(st.state == 'S' && st.ppid == 4200 && st.start == 987654 && st.flags == 4194304);
    CHECK(!procinfo_is_kthread(&st));
    const char *kt = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 3 0 0 18446744073709551615";
    CHECK(procinfo_parse_stat(kt, &st) == 0 && procinfo_is_kthread(&st) && st.start == 3);
    CHECK(procinfo_parse_stat("12 (x", &st) == -1);
    CHECK(procinfo_parse_stat("12 (x) S 1 2", &st) == -1);
}

static void test_tidmap(void)
{
    unsigned char img[64] = { 0 };
    int32_t tid = 4242, other = 4241;
    memcpy(img + 12, &other, 4);
    memcpy(img + 40, &tid, 4);
    CHECK(tidmap_find_offset(img, sizeof img, tid) == 40);
    CHECK(tidmap_find_offset(img, 40, tid) == -1);
    CHECK(tidmap_find_offset(img, sizeof img, 7) == -1);
    /* this process's C library keeps the TID in its thread descriptor */
    CHECK(tidmap_pthread_offset() > 0);
}

int main(void)
{
    test_tidmap();
    test_attrib();
    test_share_before();
    test_stackids();
    test_tree();
    test_parse();
    return check_done("test_collect");
}
