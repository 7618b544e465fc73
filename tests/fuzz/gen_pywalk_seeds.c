/* gen_pywalk_seeds: writes the seed corpus of fuzz_pywalk (tests/fuzz/corpus/pywalk).
 *
 *   gen_pywalk_seeds OUTDIR [PID]
 *
 * Seeds for 3.8-3.12 use the built-in layouts. Given the PID of a running CPython 3.13,
 * 3.13 seeds are made too, starting with that process's own _Py_DebugOffsets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakepy.h"
#include "pyfind.h"
#include "pylayout.h"

#define BASE 0x7f0000100000ull

static int write_seed(const char *dir, const char *name, int minor, int prefer, const fakepy *f)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *out = fopen(path, "wb");
    if (!out)
        return -1;
    uint8_t head[2] = { (uint8_t)(minor - 8), (uint8_t)prefer };
    int ok = fwrite(head, 1, 2, out) == 2 && fwrite(f->mem, 1, f->used, out) == f->used;
    ok &= fclose(out) == 0;
    printf("%s: %zu bytes\n", path, f->used + 2);
    return ok ? 0 : -1;
}

/* main thread: <module> -> outer -> inner; worker: run -> spin, holding the GIL */
static void two_threads(fakepy *f)
{
    uint64_t c_mod = fakepy_code(f, "/app/main.py", "<module>", 1, 12);
    uint64_t c_outer = fakepy_code(f, "/app/main.py", "outer", 4, 4);
    uint64_t c_inner = fakepy_code(f, "/app/main.py", "inner", 8, 3);
    uint64_t c_spin = fakepy_code(f, "/app/work.py", "spin", 2, 3);
    uint64_t m0 = fakepy_frame(f, c_mod, 0, 10);
    uint64_t m1 = fakepy_frame(f, c_outer, m0, 1);
    uint64_t shim = fakepy_shim(f, m1);
    uint64_t m2 = fakepy_frame(f, c_inner, shim ? shim : m1, 2);
    uint64_t w0 = fakepy_frame(f, c_spin, 0, 1);
    fakepy_thread(f, m2, 1000, 11);
    fakepy_set_gil(f, fakepy_thread(f, w0, 2000, 12));
}

/* one thread whose frames loop: c -> b -> a -> c */
static void cycle(fakepy *f)
{
    uint64_t code = fakepy_code(f, "/app/loop.py", "again", 1, 4);
    uint64_t a = fakepy_frame(f, code, 0, 0);
    uint64_t b = fakepy_frame(f, code, a, 1);
    uint64_t c = fakepy_frame(f, code, b, 2);
    fakepy_put(f, a, f->L->fr_back, c, 8);
    fakepy_set_gil(f, fakepy_thread(f, c, 1000, 11));
}

/* deeper than PY_MAX_DEPTH, shims in between */
static void deep(fakepy *f)
{
    uint64_t code = fakepy_code(f, "/app/rec.py", "rec", 1, 2);
    uint64_t fr = 0;
    for (int i = 0; i < 140; i++) {
        fr = fakepy_frame(f, code, fr, 1);
        uint64_t sh = i % 4 ? 0 : fakepy_shim(f, fr);
        fr = sh ? sh : fr;
    }
    fakepy_thread(f, fr, 1000, 11);
}

/* a non-ASCII name and a file name with an absurd length */
static void strings(fakepy *f)
{
    uint32_t cp[] = { 'f', 0xE9, 0x3A9, 0x1F600 };
    uint64_t c1 = fakepy_code(f, "/app/s.py", "s", 1, 2);
    uint64_t name = fakepy_str_cp(f, cp, 4, 4);
    fakepy_put(f, c1, f->L->co_name, name, 8);
    fakepy_put(f, c1, f->L->co_qualname, name, 8);
    uint64_t c2 = fakepy_code(f, "/app/t.py", "t", 1, 2);
    fakepy_put(f, fakepy_get(f, c2, f->L->co_filename), f->L->str_length, (uint64_t)1 << 40, 8);
    fakepy_thread(f, fakepy_frame(f, c1, 0, 0), 1000, 11);
    fakepy_thread(f, fakepy_frame(f, c2, 0, 0), 2000, 12);
}

typedef void (*builder)(fakepy *);

static int make(const char *dir, const py_layout *L, const uint8_t *prefix, size_t plen)
{
    static const struct { const char *name; builder fn; } kinds[] = {
        { "two_threads", two_threads }, { "cycle", cycle }, { "deep", deep }, { "strings", strings },
    };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        fakepy f;
        char name[64];
        if (fakepy_init(&f, L, BASE, 1u << 20, prefix, plen) < 0)
            return -1;
        kinds[k].fn(&f);
        snprintf(name, sizeof name, "py3%d_%s", L->minor, kinds[k].name);
        int rc = write_seed(dir, name, L->minor, 11, &f);
        fakepy_free(&f);
        if (rc < 0)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gen_pywalk_seeds OUTDIR [PID of a CPython 3.13]\n");
        return 1;
    }
    for (int minor = 8; minor <= 12; minor++) {
        const py_layout *L = pylayout_builtin(3, minor);
        if (L && make(argv[1], L, NULL, 0) < 0)
            return 1;
    }
    if (argc > 2) {
        pid_t pid = (pid_t)atoi(argv[2]);
        static pyfind_result found;
        char msg[256], err[128];
        uint8_t prefix[PYL_DEBUG_OFFSETS_MAX];
        py_layout L;
        if (pyfind_locate(pid, &found, msg, sizeof msg) != PYFIND_OK) {
            fprintf(stderr, "gen_pywalk_seeds: %s\n", msg);
            return 1;
        }
        memsrc src = memsrc_process(pid);
        if (memsrc_read(&src, found.runtime, prefix, sizeof prefix) < 0 ||
            pylayout_from_debug_offsets(prefix, sizeof prefix, &L, err, sizeof err) < 0) {
            fprintf(stderr, "gen_pywalk_seeds: PID %d has no usable _Py_DebugOffsets\n", (int)pid);
            return 1;
        }
        if (make(argv[1], &L, prefix, sizeof prefix) < 0)
            return 1;
    }
    return 0;
}
