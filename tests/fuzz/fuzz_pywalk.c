/* fuzz_pywalk: pyreader over an arbitrary memory image.
 *
 * Input: one byte choosing the CPython version (3.8 + byte % 6), one byte for the native
 * TID to prefer, then the image, seen at a fixed base address where the runtime starts.
 * 3.8-3.12 use the built-in layouts; 3.13 parses the layout from the image's own
 * _Py_DebugOffsets prefix, as a live open does. The reader must never crash, read outside
 * the image, spin, or hand out a stack that breaks its own bounds. */
#include <stdlib.h>
#include <string.h>

#include "pylayout.h"
#include "pyreader.h"

#define BASE 0x7f0000100000ull

static void check_stack(int rc, const py_stack *st)
{
    if (rc < -1 || rc > 1)
        abort();
    if (rc != 0)
        return;
    if (st->depth <= 0 || st->depth > PY_MAX_DEPTH)
        abort();
    for (int i = 0; i < st->depth; i++) {
        const py_frame *f = &st->frames[i];
        if (!f->file || !f->func || strlen(f->file) > 4 * 1024 || strlen(f->func) > 4 * 1024)
            abort();
        if (f->line < -1)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int minor = 8 + data[0] % 6;
    int32_t prefer = data[1];
    /* an exact-size copy, so the sanitizers see any read past the image */
    size_t len = size - 2;
    uint8_t *img_data = malloc(len ? len : 1);
    if (!img_data)
        return 0;
    memcpy(img_data, data + 2, len);
    memsrc_image img = { .base = BASE, .data = img_data, .len = len };
    memsrc src = memsrc_from_image(&img);

    py_layout parsed;
    const py_layout *L = NULL;
    if (minor <= 12)
        L = pylayout_builtin(3, minor);
    else {
        char err[128];
        if (pylayout_from_debug_offsets(img_data, len, &parsed, err, sizeof err) == 0)
            L = &parsed;
    }
    strtab *strings = strtab_new();
    pyreader *r = L && strings ? pyreader_open_image(&src, BASE, L, strings) : NULL;
    if (r) {
        static py_stack st;
        check_stack(pyreader_sample(r, prefer, &st), &st);
        check_stack(pyreader_sample(r, 0, &st), &st);       /* again: through the code cache */
        py_thread th[8];
        int n = pyreader_threads(r, th, 8);
        if (n < -1 || n > 8)
            abort();
        /* the image's own words as a faulting thread's registers and stack: many
         * point into the image's code objects */
        static uint64_t words[1024];
        size_t nw = len / 8 < 1024 ? len / 8 : 1024;
        memcpy(words, img_data, nw * 8);
        for (int i = 0; i < n; i++) {
            pyreader_hint(r, words, nw);
            check_stack(pyreader_sample_thread(r, 0, th[i].tstate, &st), &st);
        }
        const py_stats *ps = pyreader_stats(r);
        if (ps->samples > 2 + (uint64_t)(n > 0 ? n : 0))
            abort();
        pyreader_close(r);
    }
    strtab_free(strings);
    free(img_data);
    return 0;
}
