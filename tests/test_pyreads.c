/* test_pyreads: how pyreader reads target memory. A stack that did not move costs one read of
 * the source (one system call on a live process); whatever moved between two samples is seen
 * at the next one all the same (frames, lines, code objects, threads); the lone-thread path
 * notices a new thread at once and walks the lists again within PY_SOLO_CALLS samples;
 * ranges that became unreadable cost a bounded number of reads and never a wrong stack.
 * Also memsrc's process_vm_readv batching on this very process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "fakepy.h"
#include "pyreader.h"
#include "pyreader_impl.h"

#define BASE 0x7f0000100000ull
#define CAP  (8u << 20)

static py_stack st;

/* A source over a fake image that can read several blocks in one call, counting calls. */
typedef struct counting {
    memsrc inner;
    int calls;
} counting;

static int c_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
    counting *c = ctx;
    c->calls++;
    return memsrc_read(&c->inner, addr, buf, len);
}

static int c_readv(void *ctx, const uint64_t *addrs, const size_t *lens, void *const *bufs, int n)
{
    counting *c = ctx;
    c->calls++;
    int k = 0;
    while (k < n && memsrc_read(&c->inner, addrs[k], bufs[k], lens[k]) == 0)
        k++;
    return k;
}

static pyreader *open_counting(fakepy *f, counting *c, memsrc *src, strtab *s)
{
    c->inner = fakepy_src(f);
    c->calls = 0;
    *src = (memsrc){ .read = c_read, .readv = c_readv, .ctx = c, .pid = 0 };
    return pyreader_open_image(src, f->base, f->L, s);
}

/* Links a thread state created by fakepy_thread in front of the old head, as CPython does. */
static void link_prev(fakepy *f, uint64_t old_head, uint64_t t)
{
    fakepy_put(f, old_head, f->L->ts_next - 8, t, 8);
}

/* Samples `times` times; returns the source calls the last one took (-1 if one failed). */
static int steady_calls(pyreader *r, counting *c, int times)
{
    int before = 0;
    for (int i = 0; i < times; i++) {
        before = c->calls;
        if (pyreader_sample(r, 0, &st) != 0)
            return -1;
    }
    return c->calls - before;
}

/* One thread: module -> outer -> inner. */
static void test_steady(const py_layout *L)
{
    fakepy f;
    counting c;
    memsrc src;
    strtab *s = strtab_new();
    CHECK(fakepy_init(&f, L, BASE, CAP, NULL, 0) == 0);
    uint64_t c_mod = fakepy_code(&f, "/app/main.py", "<module>", 1, 40);
    uint64_t c_outer = fakepy_code(&f, "/app/main.py", "outer", 10, 8);
    uint64_t c_inner = fakepy_code(&f, "/app/lib.py", "inner", 20, 8);
    uint64_t m0 = fakepy_frame(&f, c_mod, 0, 30);
    uint64_t m1 = fakepy_frame(&f, c_outer, m0, 3);
    uint64_t m2 = fakepy_frame(&f, c_inner, m1, 7);
    uint64_t t = fakepy_thread(&f, m2, 1111, 501);
    fakepy_set_gil(&f, t);
    pyreader *r = open_counting(&f, &c, &src, s);
    CHECK(r != NULL);
    if (!r)
        goto out;
    const py_stats *ps = pyreader_stats(r);

    /* warm: one read per sample, whoever holds the GIL */
    CHECK(steady_calls(r, &c, 3) == 1);
    CHECK(st.depth == 3 && st.frames[0].line == 27 && st.frames[2].line == 31);
    uint64_t reads0 = ps->reads;
    int calls0 = c.calls;
    CHECK(steady_calls(r, &c, 50) == 1);
    CHECK(ps->reads - reads0 == (uint64_t)(c.calls - calls0));   /* the counter counts them */
    fakepy_set_gil(&f, 0);
    CHECK(steady_calls(r, &c, 2 * PY_SOLO_CALLS + 3) == 1);
    CHECK(st.depth == 3 && st.thread_id == 1111);

    /* the running line moves (to instruction 2): seen at once, nothing stale */
    if (L->frame_kind == PYL_FRAME_OBJECT)
        fakepy_put(&f, m2, L->fr_lasti, L->fr_lasti_in_units ? 2 : 4, 4);
    else
        fakepy_put(&f, m2, L->fr_instr, c_inner + L->co_code_adaptive + 2 * (2 + L->fr_instr_is_next), 8);
    CHECK(pyreader_sample(r, 0, &st) == 0 && st.depth == 3 && st.frames[0].line == 22);
    /* a frame is pushed (a new address): read, then steady again */
    uint64_t c_leaf = fakepy_code(&f, "/app/leaf.py", "leaf", 70, 4);
    uint64_t m3 = fakepy_frame(&f, c_leaf, m2, 1);
    fakepy_set_frame(&f, t, m3);
    CHECK(pyreader_sample(r, 0, &st) == 0 && st.depth == 4);
    if (st.depth == 4) {
        CHECK_STR(st.frames[0].func, "leaf");
        CHECK(st.frames[0].line == 71 && st.frames[1].line == 22);
    }
    CHECK(steady_calls(r, &c, 3) == 1 && st.depth == 4);
    /* ... and popped */
    fakepy_set_frame(&f, t, m2);
    CHECK(pyreader_sample(r, 0, &st) == 0 && st.depth == 3);
    CHECK_STR(st.frames[0].func, "inner");
    /* a code object freed and another made at its address: every sample checks the cache */
    uint64_t misses = ps->code_cache_misses;
    fakepy_put(&f, c_outer, L->co_filename, fakepy_str(&f, "/app/other.py"), 8);
    CHECK(pyreader_sample(r, 0, &st) == 0 && st.depth == 3);
    CHECK_STR(st.frames[1].file, "/app/other.py");
    CHECK(ps->code_cache_misses == misses + 1);
    /* one code object at more positions than its line memo holds, over and over: every line right */
    uint64_t c_rec = fakepy_code(&f, "/app/rec.py", "rec", 100, 8);
    uint64_t fr = m2;
    for (int i = 0; i < 2 * PY_LINE_MEMO + 1; i++)
        fr = fakepy_frame(&f, c_rec, fr, i % 8);
    fakepy_set_frame(&f, t, fr);
    int lines_ok = 1;
    for (int k = 0; k < 4; k++) {
        lines_ok &= pyreader_sample(r, 0, &st) == 0 && st.depth == 3 + 2 * PY_LINE_MEMO + 1;
        for (int i = 0; lines_ok && i < 2 * PY_LINE_MEMO + 1; i++)
            lines_ok &= st.frames[2 * PY_LINE_MEMO - i].line == 100 + i % 8;
    }
    CHECK(lines_ok);
    fakepy_set_frame(&f, t, m2);

    /* torn stacks are still caught on the lone-thread path */
    fakepy_put(&f, m0, L->fr_back, m2, 8);
    uint64_t torn = ps->torn;
    CHECK(pyreader_sample(r, 0, &st) == -1 && ps->torn == torn + 1);
    fakepy_put(&f, m0, L->fr_back, 0x10, 8);
    CHECK(pyreader_sample(r, 0, &st) == -1);
    fakepy_put(&f, m0, L->fr_back, 0, 8);
    CHECK(pyreader_sample(r, 0, &st) == 0 && st.depth == 3);
    pyreader_close(r);
out:
    fakepy_free(&f);
    strtab_free(s);
}

/* The lone-thread path: a second thread is seen at once; a change only the lists show (the
 * interpreter gone) within PY_SOLO_CALLS + 1 samples. */
static void test_solo(const py_layout *L)
{
    fakepy f;
    counting c;
    memsrc src;
    strtab *s = strtab_new();
    CHECK(fakepy_init(&f, L, BASE, CAP, NULL, 0) == 0);
    uint64_t c_main = fakepy_code(&f, "/app/main.py", "main", 1, 8);
    uint64_t c_work = fakepy_code(&f, "/app/work.py", "work", 30, 8);
    uint64_t m0 = fakepy_frame(&f, c_main, 0, 2);
    uint64_t w0 = fakepy_frame(&f, c_work, 0, 5);
    uint64_t t_main = fakepy_thread(&f, m0, 1111, 501);
    pyreader *r = open_counting(&f, &c, &src, s);
    CHECK(r != NULL);
    if (!r)
        goto out;
    CHECK(steady_calls(r, &c, 5) == 1 && st.thread_id == 1111);

    /* a thread starts and takes the GIL: the very next sample is of it */
    uint64_t t_work = fakepy_thread(&f, w0, 2222, 502);
    link_prev(&f, t_main, t_work);
    fakepy_set_gil(&f, t_work);
    CHECK(pyreader_sample(r, 0, &st) == 0 && st.thread_id == 2222 && st.holds_gil == 1);
    CHECK_STR(st.frames[0].func, "work");
    /* with two threads the GIL decides at every sample */
    fakepy_set_gil(&f, t_main);
    CHECK(pyreader_sample(r, 0, &st) == 0 && st.thread_id == 1111 && st.holds_gil == 1);
    fakepy_set_gil(&f, t_work);
    CHECK(pyreader_sample(r, 0, &st) == 0 && st.thread_id == 2222);
    CHECK(pyreader_sample_thread(r, 0, t_main, &st) == 0 && st.thread_id == 1111);
    /* it ends: unlinked, main alone again */
    fakepy_put(&f, f.interp, L->is_threads_head, t_main, 8);
    fakepy_put(&f, t_main, L->ts_next - 8, 0, 8);
    fakepy_set_gil(&f, t_main);
    CHECK(pyreader_sample(r, 0, &st) == 0 && st.thread_id == 1111 && st.holds_gil == 1);
    CHECK(steady_calls(r, &c, 3) == 1);
    /* the lone thread read by address and by native TID (3.11+) without a walk */
    CHECK(pyreader_sample_thread(r, 0, t_main, &st) == 0 && st.thread_id == 1111);
    CHECK(pyreader_sample_thread(r, 0, t_work, &st) == 1);
    if (L->ts_native_thread_id != PYL_NONE) {
        CHECK(pyreader_sample_thread(r, 501, 0, &st) == 0 && st.thread_id == 1111);
        CHECK(pyreader_sample_thread(r, 502, 0, &st) == 1);
    }
    /* the interpreter list empties (finalization): seen by the next walk, soon */
    fakepy_put(&f, f.base, L->rt_interp_head, 0, 8);
    int calls = 0, rc = 0;
    while (calls < 2 * PY_SOLO_CALLS && (rc = pyreader_sample(r, 0, &st)) == 0)
        calls++;
    CHECK(rc == 1 && calls <= PY_SOLO_CALLS);
    fakepy_put(&f, f.base, L->rt_interp_head, f.interp, 8);
    CHECK(pyreader_sample(r, 0, &st) == 0 && st.thread_id == 1111);
    /* the lone thread's state is freed and reused: other ids are not trusted */
    CHECK(steady_calls(r, &c, 2) == 1);
    fakepy_put(&f, t_main, L->ts_thread_id, 3333, 8);
    CHECK(pyreader_sample(r, 0, &st) == 0 && st.thread_id == 3333);
    fakepy_put(&f, t_main, L->ts_interp, f.interp + 8, 8);
    CHECK(pyreader_sample(r, 0, &st) == -1);
    pyreader_close(r);
out:
    fakepy_free(&f);
    strtab_free(s);
}

/* Ranges read by the last calls that can no longer be read: bounded reads, right answers. */
static void test_gone(const py_layout *L)
{
    fakepy f;
    counting c;
    memsrc src;
    strtab *s = strtab_new();
    CHECK(fakepy_init(&f, L, BASE, CAP, NULL, 0) == 0);
    uint64_t c_a = fakepy_code(&f, "/app/a.py", "a", 1, 8);
    uint64_t a0 = fakepy_frame(&f, c_a, 0, 1);
    uint64_t t = fakepy_thread(&f, a0, 1, 1);
    /* a deeper stack at the end of the image (objects far apart: no two ranges read as one),
     * then cut off from it */
    fakepy_alloc(&f, 3 * PY_MERGE_GAP);
    size_t keep = f.used;
    uint64_t b1 = a0;
    for (int i = 0; i < 20; i++) {
        char name[16];
        snprintf(name, sizeof name, "b%d", i);
        uint64_t c_b = fakepy_code(&f, "/app/b.py", name, 10 * i, 8);
        fakepy_alloc(&f, 3 * PY_MERGE_GAP);
        b1 = fakepy_frame(&f, c_b, b1, 2);
        fakepy_alloc(&f, 3 * PY_MERGE_GAP);
    }
    fakepy_set_frame(&f, t, b1);
    pyreader *r = open_counting(&f, &c, &src, s);
    CHECK(r != NULL);
    if (!r)
        goto out;
    CHECK(steady_calls(r, &c, 3) == 1 && st.depth == 21);
    /* the frames go (unmapped): the thread points back at a0, which is still there */
    fakepy_set_frame(&f, t, a0);
    f.img.len = keep;
    int before = c.calls;
    CHECK(pyreader_sample(r, 0, &st) == 0 && st.depth == 1);
    CHECK_STR(st.frames[0].func, "a");
    CHECK(c.calls - before <= PY_FETCH_ROUNDS + 2 * 3);      /* not one per range gone */
    before = c.calls;                   /* what could not be read is not tried again */
    CHECK(pyreader_sample(r, 0, &st) == 0 && st.depth == 1 && c.calls - before == 1);
    /* a thread pointing into the hole: torn, in a bounded number of reads */
    fakepy_set_frame(&f, t, b1);
    before = c.calls;
    CHECK(pyreader_sample(r, 0, &st) == -1);
    CHECK(c.calls - before <= 3);
    pyreader_close(r);
out:
    fakepy_free(&f);
    strtab_free(s);
}

/* memsrc_process on this process: blocks of several lengths in one call; the count stops at
 * the first block that cannot be read. */
static void test_memsrc_process(void)
{
    memsrc src = memsrc_process(getpid());
    long pg = sysconf(_SC_PAGESIZE);
    uint8_t *map = mmap(NULL, (size_t)pg * 3, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(map != MAP_FAILED);
    if (map == MAP_FAILED)
        return;
    for (long i = 0; i < 3 * pg; i++)
        map[i] = (uint8_t)(i * 7);
    CHECK(munmap(map + pg, (size_t)pg) == 0);       /* a hole in the middle */
    static uint8_t big[100][64];
    uint64_t addrs[100];
    size_t lens[100];
    void *bufs[100];
    for (int i = 0; i < 100; i++) {                 /* more blocks than one system call takes */
        addrs[i] = (uint64_t)(uintptr_t)(map + (i % 50) * 3);
        lens[i] = (size_t)(1 + i % 64);
        bufs[i] = big[i];
    }
    CHECK(memsrc_readv(&src, addrs, lens, bufs, 100) == 100);
    int same = 1;
    for (int i = 0; i < 100; i++)
        same &= memcmp(big[i], map + (i % 50) * 3, lens[i]) == 0;
    CHECK(same);
    addrs[70] = (uint64_t)(uintptr_t)(map + pg + 8);                /* in the hole */
    CHECK(memsrc_readv(&src, addrs, lens, bufs, 100) == 70);
    addrs[70] = (uint64_t)(uintptr_t)(map + pg - 8);                /* up to the hole's edge */
    lens[70] = 8;
    CHECK(memsrc_readv(&src, addrs, lens, bufs, 100) == 100);
    addrs[3] = (uint64_t)(uintptr_t)(map + pg - 2);                 /* runs into the hole */
    lens[3] = 4;
    CHECK(memsrc_readv(&src, addrs, lens, bufs, 100) == 3);
    addrs[0] = 0;
    CHECK(memsrc_readv(&src, addrs, lens, bufs, 100) == 0);
    uint8_t one[8];
    CHECK(memsrc_read(&src, (uint64_t)(uintptr_t)(map + 2 * pg), one, 8) == 0 && one[0] == (uint8_t)(2 * pg * 7));
    CHECK(memsrc_read(&src, (uint64_t)(uintptr_t)(map + pg), one, 8) == -1);
    munmap(map, (size_t)pg);
    munmap(map + 2 * pg, (size_t)pg);
}

int main(void)
{
    test_memsrc_process();
    int layouts = 0;
    for (int minor = 8; minor <= 12; minor++) {
        const py_layout *L = pylayout_builtin(3, minor);
        if (!L) {
            printf("test_pyreads: no built-in layout for 3.%d on this architecture\n", minor);
            continue;
        }
        layouts++;
        int before = check_failures;
        test_steady(L);
        test_solo(L);
        test_gone(L);
        printf("test_pyreads: layout 3.%d: %s\n", minor, check_failures == before ? "ok" : "FAILED");
    }
    CHECK(layouts > 0);
    return check_done("test_pyreads");
}
