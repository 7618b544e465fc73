/* test_pywalk: pyreader over hand-made memory images of every built-in layout: well-formed
 * stacks read exactly; cycles, over-deep chains, wrong types, absurd strings and dangling
 * pointers are dropped or bounded, never followed blindly. Also pyfind's pure helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fakepy.h"
#include "pyfind.h"
#include "pyreader.h"

#define BASE 0x7f0000100000ull
#define CAP  (8u << 20)

static py_stack st;

/* A reader on the image as built so far (the memsrc points at f->img, which grows). */
static pyreader *open_on(fakepy *f, memsrc *src, strtab *s)
{
    *src = fakepy_src(f);
    return pyreader_open_image(src, f->base, f->L, s);
}

static void check_frame(const py_frame *fr, const char *file, const char *func, int first, int line)
{
    CHECK_STR(fr->file, file);
    CHECK_STR(fr->func, func);
    CHECK(fr->firstline == first);
    CHECK(fr->line == line);
    if (fr->line != line)
        fprintf(stderr, "  %s: line %d, want %d\n", func, (int)fr->line, line);
}

/* Two threads: main (module -> outer -> inner) and a worker (run -> spin). */
static void test_well_formed(const py_layout *L)
{
    fakepy f;
    memsrc src;
    strtab *s = strtab_new();
    CHECK(fakepy_init(&f, L, BASE, CAP, NULL, 0) == 0);
    uint64_t c_mod = fakepy_code(&f, "/app/main.py", "<module>", 1, 40);
    uint64_t c_outer = fakepy_code(&f, "/app/main.py", "outer", 10, 8);
    uint64_t c_inner = fakepy_code(&f, "/app/lib.py", "inner", 20, 8);
    uint64_t c_run = fakepy_code(&f, "/usr/lib/threading.py", "run", 100, 30);
    uint64_t c_spin = fakepy_code(&f, "/app/work.py", "spin", 5, 4);
    uint64_t m0 = fakepy_frame(&f, c_mod, 0, 30);
    uint64_t m1 = fakepy_frame(&f, c_outer, m0, 3);
    uint64_t shim = fakepy_shim(&f, m1);
    uint64_t m2 = fakepy_frame(&f, c_inner, shim ? shim : m1, 7);
    uint64_t w0 = fakepy_frame(&f, c_run, 0, 11);
    uint64_t w1 = fakepy_frame(&f, c_spin, w0, -1);       /* not started yet */
    uint64_t t_main = fakepy_thread(&f, m2, 1111, 501);
    uint64_t t_work = fakepy_thread(&f, w1, 2222, 502);
    int tids = L->ts_native_thread_id != PYL_NONE;
    fakepy_set_gil(&f, t_work);
    pyreader *r = open_on(&f, &src, s);
    CHECK(r != NULL);
    if (!r)
        goto out;

    /* the GIL holder */
    CHECK(pyreader_sample(r, 501, &st) == 0);
    CHECK(st.depth == 2 && st.holds_gil == 1 && st.thread_id == 2222 && !st.truncated);
    CHECK(st.native_tid == (tids ? 502 : 0));
    if (st.depth == 2) {
        check_frame(&st.frames[0], "/app/work.py", "spin", 5, 5);
        check_frame(&st.frames[1], "/usr/lib/threading.py", "run", 100, 111);
    }
    /* nobody holds it: the preferred native thread (3.11+), else the main thread */
    fakepy_set_gil(&f, 0);
    CHECK(pyreader_sample(r, 502, &st) == 0);
    CHECK(st.holds_gil == 0);
    CHECK(st.thread_id == (tids ? 2222u : 1111u));
    CHECK(pyreader_sample(r, 0, &st) == 0);
    CHECK(st.thread_id == 1111 && st.depth == 3 && st.holds_gil == 0);
    if (st.depth == 3) {
        check_frame(&st.frames[0], "/app/lib.py", "inner", 20, 27);
        check_frame(&st.frames[1], "/app/main.py", "outer", 10, 13);
        check_frame(&st.frames[2], "/app/main.py", "<module>", 1, 31);
    }
    /* the thread list: newest first, the main thread last */
    py_thread th[4];
    CHECK(pyreader_threads(r, th, 4) == 2);
    CHECK(th[0].tstate == t_work && th[1].tstate == t_main && th[1].thread_id == 1111);
    CHECK(pyreader_threads(r, th, 1) == 1);
    CHECK(pyreader_sample_thread(r, 0, t_work, &st) == 0 && st.thread_id == 2222);
    CHECK(pyreader_sample_thread(r, 0, 0xdead0, &st) == 1);
    if (tids)
        CHECK(pyreader_sample_thread(r, 501, 0, &st) == 0 && st.thread_id == 1111);
    /* the code cache: read once, then hits */
    const py_stats *ps = pyreader_stats(r);
    uint64_t misses = ps->code_cache_misses;
    CHECK(pyreader_sample(r, 0, &st) == 0);
    CHECK(ps->code_cache_misses == misses && ps->code_cache_hits >= 3);
    /* a code object freed and its address reused by another: not trusted from the cache */
    uint64_t other_file = fakepy_str(&f, "/app/other.py");
    fakepy_put(&f, c_inner, L->co_filename, other_file, 8);
    CHECK(pyreader_sample(r, 0, &st) == 0);
    CHECK(st.depth == 3 && strcmp(st.frames[0].file, "/app/other.py") == 0);
    CHECK(ps->code_cache_misses == misses + 1);
    /* the thread exits: its state is unlinked, a stale GIL holder is not trusted */
    fakepy_put(&f, f.interp, L->is_threads_head, t_main, 8);
    fakepy_set_gil(&f, t_work);
    CHECK(pyreader_threads(r, th, 4) == 1);
    CHECK(pyreader_sample(r, 0, &st) == 0 && st.thread_id == 1111 && st.holds_gil == 0);
    CHECK(ps->torn == 0 && ps->samples >= 6);
    pyreader_close(r);
out:
    fakepy_free(&f);
    strtab_free(s);
}

/* Images that do not hold together. */
static void test_broken(const py_layout *L)
{
    fakepy f;
    memsrc src;
    strtab *s = strtab_new();
    CHECK(fakepy_init(&f, L, BASE, CAP, NULL, 0) == 0);
    uint64_t code = fakepy_code(&f, "/app/a.py", "f", 1, 4);
    uint64_t a = fakepy_frame(&f, code, 0, 1);
    uint64_t b = fakepy_frame(&f, code, a, 2);
    uint64_t t = fakepy_thread(&f, b, 7, 70);
    pyreader *r = open_on(&f, &src, s);
    CHECK(r != NULL);
    if (!r)
        goto out;
    const py_stats *ps = pyreader_stats(r);
    CHECK(pyreader_sample(r, 0, &st) == 0 && st.depth == 2);

    /* a frame chain with a cycle: b -> a -> b */
    fakepy_put(&f, a, L->fr_back, b, 8);
    CHECK(pyreader_sample(r, 0, &st) == -1 && ps->torn == 1);
    /* a frame pointing to itself */
    fakepy_put(&f, a, L->fr_back, a, 8);
    CHECK(pyreader_sample(r, 0, &st) == -1 && ps->torn == 2);
    /* a dangling pointer */
    fakepy_put(&f, a, L->fr_back, 0x10, 8);
    CHECK(pyreader_sample(r, 0, &st) == -1 && ps->torn == 3);
    fakepy_put(&f, a, L->fr_back, BASE + CAP + 4096, 8);
    CHECK(pyreader_sample(r, 0, &st) == -1);
    fakepy_put(&f, a, L->fr_back, 0, 8);
    CHECK(pyreader_sample(r, 0, &st) == 0 && st.depth == 2);

    /* a "code object" of the wrong type */
    uint64_t fake = fakepy_code(&f, "/app/a.py", "g", 1, 4);
    fakepy_put(&f, fake, L->ob_type, f.t_int, 8);
    fakepy_put(&f, a, L->fr_code, fake, 8);
    CHECK(pyreader_sample(r, 0, &st) == -1);
    fakepy_put(&f, fake, L->ob_type, 0, 8);
    CHECK(pyreader_sample(r, 0, &st) == -1);
    /* a file name that is not a str, then one of absurd length */
    uint64_t c2 = fakepy_code(&f, "/app/a.py", "h", 1, 4);
    uint64_t name = fakepy_get(&f, c2, L->co_filename);
    fakepy_put(&f, a, L->fr_code, c2, 8);
    CHECK(pyreader_sample(r, 0, &st) == 0 && st.depth == 2);
    fakepy_put(&f, name, L->str_length, (uint64_t)1 << 40, 8);
    pyreader_close(r);                                 /* a fresh cache */
    r = open_on(&f, &src, s);
    ps = pyreader_stats(r);
    CHECK(pyreader_sample(r, 0, &st) == -1);
    fakepy_put(&f, name, L->str_length, (uint64_t)-5, 8);
    CHECK(pyreader_sample(r, 0, &st) == -1);
    fakepy_put(&f, name, L->ob_type, f.t_bytes, 8);
    fakepy_put(&f, name, L->str_length, 9, 8);
    CHECK(pyreader_sample(r, 0, &st) == -1);
    /* a line table that is not bytes */
    uint64_t c3 = fakepy_code(&f, "/app/a.py", "k", 1, 4);
    fakepy_put(&f, c3, L->co_linetable, fakepy_str(&f, "xx"), 8);
    fakepy_put(&f, a, L->fr_code, c3, 8);
    CHECK(pyreader_sample(r, 0, &st) == -1);
    fakepy_put(&f, a, L->fr_code, code, 8);
    CHECK(pyreader_sample(r, 0, &st) == 0);

    /* a thread list with a cycle; a thread of another interpreter */
    uint64_t t2 = fakepy_thread(&f, b, 8, 80);
    fakepy_put(&f, t, L->ts_next, t2, 8);
    CHECK(pyreader_sample(r, 0, &st) == -1);
    py_thread th[4];
    CHECK(pyreader_threads(r, th, 4) == -1);
    fakepy_put(&f, t, L->ts_next, 0, 8);
    CHECK(pyreader_threads(r, th, 4) == 2);
    fakepy_put(&f, t, L->ts_interp, f.interp + 8, 8);
    CHECK(pyreader_threads(r, th, 4) == -1);
    fakepy_put(&f, t, L->ts_interp, f.interp, 8);
    /* an interpreter list with a cycle */
    fakepy_put(&f, f.interp, L->is_next, f.interp, 8);
    CHECK(pyreader_sample(r, 0, &st) == -1);
    fakepy_put(&f, f.interp, L->is_next, 0, 8);
    /* no interpreter yet / no thread / a thread without frames */
    fakepy_put(&f, f.base, L->rt_interp_head, 0, 8);
    CHECK(pyreader_sample(r, 0, &st) == 1 && st.depth == 0);
    fakepy_put(&f, f.base, L->rt_interp_head, f.interp, 8);
    fakepy_set_frame(&f, t, 0);
    fakepy_set_frame(&f, t2, 0);
    CHECK(pyreader_sample(r, 0, &st) == 1);
    CHECK(ps->torn >= 5);
    pyreader_close(r);
out:
    fakepy_free(&f);
    strtab_free(s);
}

/* A chain deeper than PY_MAX_DEPTH: the innermost frames kept, marked truncated. */
static void test_deep(const py_layout *L)
{
    fakepy f;
    memsrc src;
    strtab *s = strtab_new();
    CHECK(fakepy_init(&f, L, BASE, CAP, NULL, 0) == 0);
    uint64_t rec = fakepy_code(&f, "/app/rec.py", "rec", 3, 4);
    uint64_t top = fakepy_code(&f, "/app/rec.py", "top", 50, 4);
    uint64_t fr = 0;
    for (int i = 0; i < 300; i++) {
        fr = fakepy_frame(&f, i == 299 ? top : rec, fr, i == 299 ? 0 : 2);
        if (i % 3 == 0) {
            uint64_t sh = fakepy_shim(&f, fr);
            fr = sh ? sh : fr;
        }
    }
    fakepy_thread(&f, fr, 1, 1);
    pyreader *r = open_on(&f, &src, s);
    CHECK(r != NULL);
    if (r) {
        CHECK(pyreader_sample(r, 0, &st) == 0);
        CHECK(st.depth == PY_MAX_DEPTH && st.truncated == 1);
        CHECK_STR(st.frames[0].func, "top");
        CHECK(st.frames[0].line == 50 && st.frames[1].line == 5);
        CHECK_STR(st.frames[PY_MAX_DEPTH - 1].func, "rec");
        pyreader_close(r);
    }
    /* exactly PY_MAX_DEPTH frames: whole */
    fakepy g;
    CHECK(fakepy_init(&g, L, BASE, CAP, NULL, 0) == 0);
    rec = fakepy_code(&g, "/app/rec.py", "rec", 3, 4);
    fr = fakepy_shim(&g, 0);            /* a shim at the bottom does not make it truncated */
    for (int i = 0; i < PY_MAX_DEPTH; i++)
        fr = fakepy_frame(&g, rec, fr, 1);
    fakepy_thread(&g, fr, 1, 1);
    r = open_on(&g, &src, s);
    CHECK(r && pyreader_sample(r, 0, &st) == 0 && st.depth == PY_MAX_DEPTH && !st.truncated);
    pyreader_close(r);
    fakepy_free(&g);
    fakepy_free(&f);
    strtab_free(s);
}

/* Names: non-ASCII kinds to UTF-8, long names bounded. */
static void test_strings(const py_layout *L)
{
    fakepy f;
    memsrc src;
    strtab *s = strtab_new();
    CHECK(fakepy_init(&f, L, BASE, CAP, NULL, 0) == 0);
    uint32_t latin[] = { 'c', 0xE9, 'f' };                 /* "céf" */
    uint32_t greek[] = { 0x3A9, '_', 0x3B1 };             /* "Ω_α" */
    uint32_t astral[] = { 'x', 0x1F600 };                 /* "x😀" */
    uint64_t code = fakepy_code(&f, "/a.py", "x", 1, 2);
    fakepy_put(&f, code, L->co_filename, fakepy_str_cp(&f, latin, 3, 1), 8);
    fakepy_put(&f, code, L->co_name, fakepy_str_cp(&f, greek, 3, 2), 8);
    fakepy_put(&f, code, L->co_qualname, fakepy_str_cp(&f, greek, 3, 2), 8);
    uint64_t code2 = fakepy_code(&f, "/b.py", "y", 1, 2);
    uint64_t emo = fakepy_str_cp(&f, astral, 2, 4);
    fakepy_put(&f, code2, L->co_name, emo, 8);
    fakepy_put(&f, code2, L->co_qualname, emo, 8);
    char longname[5000];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    uint64_t code3 = fakepy_code(&f, longname, "z", 1, 2);
    uint64_t a = fakepy_frame(&f, code3, 0, 0);
    uint64_t b = fakepy_frame(&f, code2, a, 0);
    uint64_t c = fakepy_frame(&f, code, b, 1);
    fakepy_thread(&f, c, 1, 1);
    pyreader *r = open_on(&f, &src, s);
    CHECK(r && pyreader_sample(r, 0, &st) == 0 && st.depth == 3);
    if (r && st.depth == 3) {
        CHECK_STR(st.frames[0].file, "c\xc3\xa9" "f");
        CHECK_STR(st.frames[0].func, "\xce\xa9_\xce\xb1");
        CHECK_STR(st.frames[1].func, "x\xf0\x9f\x98\x80");
        CHECK(strlen(st.frames[2].file) == 1024);
    }
    /* an "ASCII" string holding a byte >= 0x80 is garbage */
    uint64_t bad = fakepy_str(&f, "abc");
    fakepy_put(&f, bad, L->str_ascii_size, 0xC3, 1);
    fakepy_put(&f, code2, L->co_filename, bad, 8);
    CHECK(pyreader_sample(r, 0, &st) == -1);
    /* a legacy (non-compact) string is refused */
    uint64_t legacy = fakepy_str(&f, "abc");
    fakepy_put(&f, legacy, L->str_state, 1u << L->str_kind_shift, 4);
    fakepy_put(&f, code2, L->co_filename, legacy, 8);
    CHECK(pyreader_sample(r, 0, &st) == -1);
    /* a code point past U+10FFFF */
    uint32_t huge[] = { 0x110000 };
    fakepy_put(&f, code2, L->co_filename, fakepy_str_cp(&f, huge, 1, 4), 8);
    CHECK(pyreader_sample(r, 0, &st) == -1);
    pyreader_close(r);
    fakepy_free(&f);
    strtab_free(s);
}

static void test_strtab(void)
{
    strtab *t = strtab_new();
    const char *a = strtab_intern(t, "hello", 5);
    const char *b = strtab_intern(t, "hello world", 5);
    CHECK(a && a == b && strcmp(a, "hello") == 0);
    CHECK(strtab_intern(t, "", 0) && strtab_count(t) == 2);
    const char *keep[3000];
    char buf[32];
    for (int i = 0; i < 3000; i++) {
        int n = snprintf(buf, sizeof buf, "name%d", i);
        keep[i] = strtab_intern(t, buf, (size_t)n);
    }
    int stable = 1;
    for (int i = 0; i < 3000; i++) {
        int n = snprintf(buf, sizeof buf, "name%d", i);
        stable &= strtab_intern(t, buf, (size_t)n) == keep[i] && strcmp(keep[i], buf) == 0;
    }
    CHECK(stable && strtab_count(t) == 3002);
    char *big = malloc(100000);
    memset(big, 'q', 100000);
    const char *bs = strtab_intern(t, big, 100000);
    CHECK(bs && strlen(bs) == 100000 && strtab_intern(t, big, 100000) == bs);
    CHECK(strtab_intern(t, "hello", 5) == a);
    free(big);
    strtab_free(t);
}

static void test_pyfind_helpers(void)
{
    char line[] = "7f0de8000000-7f0de8106000 r--p 00000000 fe:00 73606      "
                  "/opt/py/lib/libpython3.12.so.1.0\n";
    pyfind_map m;
    CHECK(pyfind_parse_maps_line(line, &m) == 0);
    CHECK(m.start == 0x7f0de8000000ull && m.end == 0x7f0de8106000ull && m.offset == 0);
    CHECK(m.inode == 73606);
    CHECK_STR(m.path, "/opt/py/lib/libpython3.12.so.1.0");
    char anon[] = "7fff76e0a000-7fff76e2b000 rw-p 00000000 00:00 0 \n";
    CHECK(pyfind_parse_maps_line(anon, &m) == 0 && m.path[0] == '\0');
    char spaced[] = "400000-41f000 r--p 0001f000 08:01 42 /my dir/python3.11 (deleted)";
    CHECK(pyfind_parse_maps_line(spaced, &m) == 0 && m.offset == 0x1f000);
    CHECK_STR(m.path, "/my dir/python3.11 (deleted)");
    char bad1[] = "zzzz-41f000 r--p 0 08:01 42 /x";
    char bad2[] = "400000-41f000";
    char bad3[] = "500000-41f000 r--p 00000000 08:01 42 /x";
    CHECK(pyfind_parse_maps_line(bad1, &m) < 0);
    CHECK(pyfind_parse_maps_line(bad2, &m) < 0);
    CHECK(pyfind_parse_maps_line(bad3, &m) < 0);

    int ma = 0, mi = 0;
    CHECK(pyfind_name_version("/usr/bin/python3.11", &ma, &mi) == 0 && ma == 3 && mi == 11);
    CHECK(pyfind_name_version("/x/libpython3.8.so.1.0", &ma, &mi) == 0 && ma == 3 && mi == 8);
    CHECK(pyfind_name_version("libpython3.13t.so", &ma, &mi) == 0 && mi == 13);
    CHECK(pyfind_name_version("/usr/lib/libpython2.7.so.1.0", &ma, &mi) == 0 && ma == 2 && mi == 7);
    CHECK(pyfind_name_version("/usr/bin/python3", &ma, &mi) < 0);
    CHECK(pyfind_name_version("/usr/bin/sleep", &ma, &mi) < 0);
    CHECK(pyfind_name_version("/usr/bin/python3.123456", &ma, &mi) < 0);
    CHECK(pyfind_is_libpython("/a/libpython3.12.so.1.0") && !pyfind_is_libpython("/a/python3.12"));
    CHECK(!pyfind_is_libpython("/a/libpython3.12.a"));

    /* PIE library: first PT_LOAD at vaddr 0, offset 0 */
    const uint64_t pie[][3] = { { 0, 0, 0x105130 }, { 0x106000, 0x106000, 0x272ec9 },
                                { 0x4cd6d0, 0x4cc6d0, 0x1e6118 } };
    uint64_t bias = 0;
    CHECK(pyfind_bias(pie, 3, 0x7f0de8000000ull, 0, &bias) == 0 && bias == 0x7f0de8000000ull);
    /* non-PIE executable: vaddr 0x400000 at offset 0 -> no bias */
    const uint64_t exe[][3] = { { 0x400000, 0, 0x1e3e8 }, { 0x41f000, 0x1f000, 0x2b2289 } };
    CHECK(pyfind_bias(exe, 2, 0x400000, 0, &bias) == 0 && bias == 0);
    /* the lowest mapping seen is the second segment's */
    CHECK(pyfind_bias(exe, 2, 0x55550041f000ull, 0x1f000, &bias) == 0 && bias == 0x555500000000ull);
    CHECK(pyfind_bias(exe, 2, 0x400000, 0x900000, &bias) < 0);
    CHECK(pyfind_bias(exe, 0, 0x400000, 0, &bias) < 0);
}

/* Hint words (a faulting thread's registers and stack) place the innermost
 * frame where it was when memory grew. */
static void test_hint(const py_layout *L)
{
    fakepy f;
    memsrc src;
    strtab *s = strtab_new();
    CHECK(fakepy_init(&f, L, BASE, CAP, NULL, 0) == 0);
    uint64_t c_outer = fakepy_code(&f, "/app/main.py", "outer", 10, 8);
    uint64_t c_inner = fakepy_code(&f, "/app/lib.py", "inner", 20, 8);
    uint64_t m0 = fakepy_frame(&f, c_outer, 0, 5);
    uint64_t m1 = fakepy_frame(&f, c_inner, m0, 2);
    uint64_t ts = fakepy_thread(&f, m1, 1111, 501);   /* (by address: no native TID before 3.11) */
    pyreader *r = open_on(&f, &src, s);
    CHECK(r != NULL);
    if (!r)
        goto out;
    uint64_t outer = fakepy_bytecode(&f, c_outer), inner = fakepy_bytecode(&f, c_inner);
    CHECK(outer && inner);
    /* the eval loop's pointer is one instruction past the one running; outer's start is
     * first_instr (ignored); instruction 6 is a stale copy (after 5, where outer is now) */
    uint64_t w1[] = { 0, 42, outer, outer + 2 * 7, outer + 2 * 4, outer + 3, BASE };
    pyreader_hint(r, w1, sizeof w1 / sizeof w1[0]);
    CHECK(pyreader_sample_thread(r, 0, ts, &st) == 0);
    CHECK(st.depth == 1);   /* inner was called after memory grew */
    if (st.depth >= 1)
        check_frame(&st.frames[0], "/app/main.py", "outer", 10, 13);
    /* the hint is for one call */
    CHECK(pyreader_sample_thread(r, 0, ts, &st) == 0);
    CHECK(st.depth == 2 && st.frames[0].line == 22);
    /* a hint into the innermost frame wins over the outer one */
    uint64_t w2[] = { outer + 2 * 4, inner + 2 * 2 };
    pyreader_hint(r, w2, 2);
    CHECK(pyreader_sample_thread(r, 0, ts, &st) == 0);
    CHECK(st.depth == 2 && st.frames[0].line == 21 && st.frames[1].line == 15);
    /* a loop gone round: the nearest position before the current one, wrapping */
    uint64_t w3[] = { inner + 2 * 6, inner + 2 * 7 };   /* instructions 5 and 6; inner is at 2 */
    pyreader_hint(r, w3, 2);
    CHECK(pyreader_sample_thread(r, 0, ts, &st) == 0);
    CHECK(st.depth == 2 && st.frames[0].line == 26);
    /* words pointing nowhere: the stack as read, and counted */
    uint64_t before = pyreader_stats(r)->unhinted;
    uint64_t w4[] = { 1, inner + 2 * 8 + 1, inner + 2 * 100, outer };
    pyreader_hint(r, w4, 4);
    CHECK(pyreader_sample_thread(r, 0, ts, &st) == 0);
    CHECK(st.depth == 2 && st.frames[0].line == 22);
    CHECK(pyreader_stats(r)->unhinted == before + 1 && pyreader_stats(r)->hinted == 3);
    pyreader_close(r);
out:
    fakepy_free(&f);
    strtab_free(s);
}

int main(void)
{
    test_strtab();
    test_pyfind_helpers();
    int layouts = 0;
    for (int minor = 8; minor <= 12; minor++) {
        const py_layout *L = pylayout_builtin(3, minor);
        if (!L) {
            printf("test_pywalk: no built-in layout for 3.%d on this architecture\n", minor);
            continue;
        }
        layouts++;
        int before = check_failures;
        test_well_formed(L);
        test_broken(L);
        test_deep(L);
        test_strings(L);
        test_hint(L);
        printf("test_pywalk: layout 3.%d: %s\n", minor, check_failures == before ? "ok" : "FAILED");
    }
    CHECK(layouts > 0);
    return check_done("test_pywalk");
}
