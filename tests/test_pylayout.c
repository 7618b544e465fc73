/* Unit test: the built-in CPython layouts (3.8-3.12) and the input checks of
 * pylayout_from_debug_offsets that need no real interpreter. Offsets are
 * checked against real headers by test_layouts.py and test_debug_offsets.py. */
#include "check.h"
#include "pylayout.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NONE PYL_NONE
#define OBJ_MAX 4096u /* every offset memwatch needs is near a struct's start */

static int set(uint32_t v)
{
    return v != NONE;
}

static int below(uint32_t v, uint32_t max)
{
    return v != NONE && v < max;
}

/* Offsets of pointer-sized fields must be pointer-aligned. */
static int ptr_aligned(uint32_t v)
{
    return v != NONE && v % sizeof(void *) == 0;
}

static void check_unique(const uint32_t *v, size_t n, int minor, const char *what)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (v[i] == v[j]) {
                fprintf(stderr, "3.%d: two %s fields share offset %u\n", minor, what, v[i]);
                CHECK(v[i] != v[j]);
            }
}

static void check_version(int minor)
{
    const py_layout *l = pylayout_builtin(3, minor);
    CHECK(l != NULL);
    if (!l)
        return;
    CHECK(l->major == 3 && l->minor == minor);
    CHECK(l->frame_kind == (minor <= 10 ? PYL_FRAME_OBJECT : PYL_FRAME_INTERP));
    CHECK(l->lines_kind == (minor <= 9 ? PYL_LNOTAB : minor == 10 ? PYL_LINETABLE310 : PYL_LOCATIONS));

    /* runtime, interpreter, GIL: exactly one way to reach the GIL */
    CHECK(ptr_aligned(l->rt_interp_head) && below(l->rt_interp_head, OBJ_MAX));
    CHECK(ptr_aligned(l->is_next) && ptr_aligned(l->is_threads_head));
    check_unique((const uint32_t[]){l->is_next, l->is_threads_head}, 2, minor, "interpreter");
    if (minor <= 11) {
        CHECK(ptr_aligned(l->rt_gil_holder) && set(l->rt_gil_locked));
        CHECK(l->is_gil_ptr == NONE);
        /* the runtime's GIL fields sit at the same distance as in the GIL struct */
        CHECK(l->rt_gil_locked - l->rt_gil_holder == l->gil_locked - l->gil_holder);
    } else {
        CHECK(l->rt_gil_locked == NONE && l->rt_gil_holder == NONE);
        CHECK(ptr_aligned(l->is_gil_ptr) && l->is_gil_ptr != l->is_threads_head);
    }
    CHECK(ptr_aligned(l->gil_holder) && below(l->gil_locked, 64) && l->gil_locked != l->gil_holder);

    /* thread state */
    CHECK(ptr_aligned(l->ts_next) && ptr_aligned(l->ts_interp) && ptr_aligned(l->ts_frame));
    CHECK(ptr_aligned(l->ts_thread_id) && below(l->ts_thread_id, OBJ_MAX));
    check_unique((const uint32_t[]){l->ts_next, l->ts_interp, l->ts_frame, l->ts_thread_id},
                 4, minor, "thread state");
    CHECK(l->ts_frame_is_cframe == (minor == 11 || minor == 12));
    CHECK(set(l->cframe_current_frame) == (minor == 11 || minor == 12));
    if (l->ts_frame_is_cframe)
        CHECK(ptr_aligned(l->cframe_current_frame));
    CHECK(set(l->ts_native_thread_id) == (minor >= 11));
    if (minor >= 11)
        CHECK(ptr_aligned(l->ts_native_thread_id) && l->ts_native_thread_id != l->ts_thread_id);

    /* frames */
    CHECK(ptr_aligned(l->fr_back) && ptr_aligned(l->fr_code) && l->fr_back != l->fr_code);
    CHECK(set(l->fr_lasti) == (minor <= 10));
    CHECK(set(l->fr_instr) == (minor >= 11));
    if (minor <= 10)
        CHECK(l->fr_lasti % 4 == 0 && below(l->fr_lasti, 512));
    else
        CHECK(ptr_aligned(l->fr_instr) && l->fr_instr != l->fr_back && l->fr_instr != l->fr_code);
    CHECK(l->fr_instr_is_next == 0);
    CHECK(l->fr_lasti_in_units == (minor == 10));
    CHECK(set(l->fr_owner) == (minor >= 12));
    CHECK(l->fr_owner_cstack == (minor >= 12 ? 3u : NONE));
    if (minor >= 12)
        CHECK(below(l->fr_owner, 128) && l->fr_owner > l->fr_instr);

    /* code objects */
    CHECK(ptr_aligned(l->co_filename) && ptr_aligned(l->co_name) && ptr_aligned(l->co_linetable));
    CHECK(below(l->co_firstlineno, 512) && l->co_firstlineno % 4 == 0);
    CHECK(set(l->co_qualname) == (minor >= 11));
    CHECK(set(l->co_code_adaptive) == (minor >= 11));
    if (minor >= 11)
        CHECK(ptr_aligned(l->co_qualname) && l->co_code_adaptive > l->co_linetable &&
              below(l->co_code_adaptive, 512));
    check_unique((const uint32_t[]){l->co_filename, l->co_name, l->co_firstlineno, l->co_linetable},
                 4, minor, "code object");

    /* objects */
    CHECK(l->ob_type == 8 && l->tp_name == 24);
    CHECK(l->bytes_size == 16 && l->bytes_sval > l->bytes_size && below(l->bytes_sval, 64));
    CHECK(l->str_length == 16 && l->str_state > l->str_length);
    CHECK(l->str_ascii_size > l->str_state && l->str_compact_size > l->str_ascii_size);
    CHECK(l->str_ascii_size == (minor >= 12 ? 40u : 48u));
    CHECK(l->str_compact_size == (minor >= 12 ? 56u : 72u));
    CHECK(l->str_kind_shift <= 29 && l->str_compact_bit < 32 && l->str_ascii_bit < 32);
    CHECK(l->str_compact_bit != l->str_ascii_bit);
    CHECK(l->str_compact_bit < l->str_kind_shift || l->str_compact_bit > l->str_kind_shift + 2);
    CHECK(l->str_ascii_bit < l->str_kind_shift || l->str_ascii_bit > l->str_kind_shift + 2);
}

static void check_builtin(void)
{
    for (int minor = 8; minor <= 12; minor++)
        check_version(minor);
    CHECK(pylayout_builtin(3, 7) == NULL);
    CHECK(pylayout_builtin(3, 13) == NULL);
    CHECK(pylayout_builtin(3, 14) == NULL);
    CHECK(pylayout_builtin(3, -1) == NULL);
    CHECK(pylayout_builtin(2, 7) == NULL);
    CHECK(pylayout_builtin(2, 8) == NULL);
    CHECK(pylayout_builtin(4, 8) == NULL);
    CHECK(pylayout_builtin(0, 0) == NULL);
    CHECK(pylayout_builtin(3, 8) != pylayout_builtin(3, 9));
}

/* Calls pylayout_from_debug_offsets on a heap copy of exactly len bytes (so an
 * overread shows under ASan) and checks it fails with a message containing want. */
static void expect_fail(const uint8_t *img, size_t len, const char *want)
{
    uint8_t *copy = malloc(len ? len : 1);
    CHECK(copy != NULL);
    if (!copy)
        return;
    if (len)
        memcpy(copy, img, len);
    py_layout l, untouched;
    memset(&l, 0xab, sizeof l);
    memset(&untouched, 0xab, sizeof untouched);
    char err[160] = "";
    int rc = pylayout_from_debug_offsets(copy, len, &l, err, sizeof err);
    CHECK(rc == -1);
    CHECK(strlen(err) > 0 && strchr(err, '\n') == NULL);
    if (!strstr(err, want)) {
        fprintf(stderr, "message '%s' lacks '%s'\n", err, want);
        CHECK(strstr(err, want) != NULL);
    }
    CHECK(memcmp(&l, &untouched, sizeof l) == 0); /* *out untouched on failure */
    free(copy);
}

static void put64(uint8_t *img, size_t word, uint64_t v)
{
    memcpy(img + word * 8, &v, sizeof v);
}

static void check_debug_offsets_input(void)
{
    uint8_t img[PYL_DEBUG_OFFSETS_MAX];
    memset(img, 0, sizeof img);
    memcpy(img, "xdebugpy", 8);
    put64(img, 1, 0x030d00f0); /* 3.13.0 final */
    put64(img, 2, 0);
    /* all-zero groups: every struct size is 0, so the first group is refused */
    expect_fail(img, sizeof img, "struct size");

    char err[160];
    py_layout l;
    CHECK(pylayout_from_debug_offsets(NULL, 100, &l, err, sizeof err) == -1);
    CHECK(pylayout_from_debug_offsets(img, sizeof img, NULL, err, sizeof err) == -1);
    CHECK(pylayout_from_debug_offsets(img, 0, &l, NULL, 0) == -1); /* no message buffer */

    for (size_t len = 0; len < 24; len++)
        expect_fail(img, len, "bytes");
    expect_fail(img, 100, "needs");  /* cookie and version fine, 3.13 block cut short */

    uint8_t bad[PYL_DEBUG_OFFSETS_MAX];
    memcpy(bad, img, sizeof bad);
    bad[0] = 'X';
    expect_fail(bad, sizeof bad, "cookie");

    memcpy(bad, img, sizeof bad);
    put64(bad, 1, 0x030c01f0);
    expect_fail(bad, sizeof bad, "3.12");
    put64(bad, 1, 0x030e00f0);
    expect_fail(bad, sizeof bad, "3.14");
    put64(bad, 1, 0x020d00f0);
    expect_fail(bad, sizeof bad, "version");
    put64(bad, 1, UINT64_C(0x1030d00f0));
    expect_fail(bad, sizeof bad, "version");

    memcpy(bad, img, sizeof bad);
    put64(bad, 2, 1);
    expect_fail(bad, sizeof bad, "free-threaded");
    put64(bad, 2, 7);
    expect_fail(bad, sizeof bad, "free_threaded");
}

int main(void)
{
    check_builtin();
    check_debug_offsets_input();
    return check_done("test_pylayout");
}
