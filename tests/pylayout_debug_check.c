/* Built by test_debug_offsets.py against one CPython 3.13+ (its headers with
 * Py_BUILD_CORE, its libpython) together with collector/pylayout.c. Starts the
 * interpreter, copies the start of its own _PyRuntime and checks that
 * pylayout_from_debug_offsets yields exactly the offsets the headers give, then
 * that damaged copies are refused with a one-line reason. Prints one line per
 * failed check and a tally; exits 0 only if all passed. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "internal/pycore_runtime.h"
#if PY_MINOR_VERSION == 13 && !defined(Py_GIL_DISABLED)
#define CHECK_OFFSETS 1 /* the version whose _Py_DebugOffsets memwatch describes */
#include "internal/pycore_interp.h"
#include "internal/pycore_frame.h"
#endif

#include "pylayout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks, failures;

static void expect(const char *what, int cond)
{
    checks++;
    if (!cond) {
        failures++;
        printf("FAIL %s\n", what);
    }
}

/* Runs the parser on a heap copy of exactly len bytes. */
static int parse(const uint8_t *img, size_t len, py_layout *l, char *err, size_t errlen)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return -2;
    if (len)
        memcpy(copy, img, len);
    err[0] = '\0';
    int rc = pylayout_from_debug_offsets(copy, len, l, err, errlen);
    free(copy);
    return rc;
}

#ifdef CHECK_OFFSETS
static void expect_eq(const char *what, unsigned long long got, unsigned long long want)
{
    checks++;
    if (got != want) {
        failures++;
        printf("FAIL %s: pylayout %llu, headers %llu\n", what, got, want);
    }
}

#define EQ(field, want) expect_eq(#field, (unsigned long long)l->field, (unsigned long long)(want))

static void expect_refused(const char *what, const uint8_t *img, size_t len, const char *want)
{
    py_layout l;
    char err[200];
    int rc = parse(img, len, &l, err, sizeof err);
    checks++;
    if (rc != -1 || err[0] == '\0' || strchr(err, '\n') || (want && !strstr(err, want))) {
        failures++;
        printf("FAIL %s: rc %d, message '%s' (want '%s')\n", what, rc, err, want ? want : "");
    } else {
        printf("refused %s: %s\n", what, err);
    }
}

static uint32_t state_word(const PyASCIIObject *o)
{
    uint32_t w;
    memcpy(&w, (const char *)o + offsetof(PyASCIIObject, state), sizeof w);
    return w;
}

/* Index of the only bit set in w, or -1. */
static int bit_of(uint32_t w)
{
    for (int i = 0; i < 32; i++)
        if (w == (UINT32_C(1) << i))
            return i;
    return -1;
}

static void check_fields(const py_layout *l)
{
    EQ(major, PY_MAJOR_VERSION);
    EQ(minor, PY_MINOR_VERSION);
    EQ(frame_kind, PYL_FRAME_INTERP);
    EQ(lines_kind, PYL_LOCATIONS);
    EQ(rt_interp_head, offsetof(_PyRuntimeState, interpreters.head));
    EQ(rt_gil_locked, PYL_NONE);
    EQ(rt_gil_holder, PYL_NONE);
    EQ(is_next, offsetof(PyInterpreterState, next));
    EQ(is_threads_head, offsetof(PyInterpreterState, threads.head));
    EQ(is_gil_ptr, offsetof(PyInterpreterState, ceval.gil));
    EQ(gil_locked, offsetof(struct _gil_runtime_state, locked));
    EQ(gil_holder, offsetof(struct _gil_runtime_state, last_holder));
    EQ(ts_next, offsetof(PyThreadState, next));
    EQ(ts_interp, offsetof(PyThreadState, interp));
    EQ(ts_frame, offsetof(PyThreadState, current_frame));
    EQ(ts_frame_is_cframe, 0);
    EQ(cframe_current_frame, PYL_NONE);
    EQ(ts_thread_id, offsetof(PyThreadState, thread_id));
    EQ(ts_native_thread_id, offsetof(PyThreadState, native_thread_id));
    EQ(fr_back, offsetof(_PyInterpreterFrame, previous));
    EQ(fr_code, offsetof(_PyInterpreterFrame, f_executable));
    EQ(fr_lasti, PYL_NONE);
    EQ(fr_instr, offsetof(_PyInterpreterFrame, instr_ptr));
    EQ(fr_instr_is_next, 0); /* checked on live frames by test_layouts_live.py */
    EQ(fr_owner, offsetof(_PyInterpreterFrame, owner));
    EQ(fr_owner_cstack, FRAME_OWNED_BY_CSTACK);
    EQ(fr_lasti_in_units, 0);
    EQ(co_filename, offsetof(PyCodeObject, co_filename));
    EQ(co_name, offsetof(PyCodeObject, co_name));
    EQ(co_qualname, offsetof(PyCodeObject, co_qualname));
    EQ(co_firstlineno, offsetof(PyCodeObject, co_firstlineno));
    EQ(co_linetable, offsetof(PyCodeObject, co_linetable));
    EQ(co_code_adaptive, offsetof(PyCodeObject, co_code_adaptive));
    EQ(ob_type, offsetof(PyObject, ob_type));
    EQ(tp_name, offsetof(PyTypeObject, tp_name));
    EQ(bytes_size, offsetof(PyBytesObject, ob_base.ob_size));
    EQ(bytes_sval, offsetof(PyBytesObject, ob_sval));
    EQ(str_length, offsetof(PyASCIIObject, length));
    EQ(str_state, offsetof(PyASCIIObject, state));
    EQ(str_ascii_size, sizeof(PyASCIIObject));
    EQ(str_compact_size, sizeof(PyCompactUnicodeObject));

    PyASCIIObject z, o;
    memset(&z, 0, sizeof z);
    o = z;
    o.state.kind = 1;
    EQ(str_kind_shift, bit_of(state_word(&o)));
    o.state.kind = 7;
    expect("kind is 3 contiguous bits", state_word(&o) == (UINT32_C(7) << l->str_kind_shift));
    o = z;
    o.state.compact = 1;
    EQ(str_compact_bit, bit_of(state_word(&o)));
    o = z;
    o.state.ascii = 1;
    EQ(str_ascii_bit, bit_of(state_word(&o)));
}

/* Damaged copies of the real block must be refused. */
static void check_refusals(const uint8_t *img, size_t full)
{
    uint8_t *bad = malloc(full);
    if (!bad) {
        expect("malloc", 0);
        return;
    }
    size_t block = sizeof(_Py_DebugOffsets);
    for (size_t len = 0; len < block; len++) {
        py_layout l;
        char err[200];
        int rc = parse(img, len, &l, err, sizeof err);
        if (rc != -1 || err[0] == '\0') {
            printf("FAIL truncated to %zu of %zu bytes: rc %d\n", len, block, rc);
            failures++;
            break;
        }
    }
    checks++;
    expect_refused("truncated to 0 bytes", img, 0, NULL);
    expect_refused("truncated to the header", img, 24, NULL);
    expect_refused("truncated by one word", img, block - 8, NULL);

    memcpy(bad, img, full);
    bad[3] ^= 0x20;
    expect_refused("bad cookie", bad, full, "cookie");

    uint64_t v;
    memcpy(bad, img, full);
    v = 0x030c05f0; /* 3.12.5 */
    memcpy(bad + offsetof(_Py_DebugOffsets, version), &v, 8);
    expect_refused("version 3.12", bad, full, "3.12");
    v = 0x03630000; /* 3.99 */
    memcpy(bad + offsetof(_Py_DebugOffsets, version), &v, 8);
    expect_refused("version 3.99", bad, full, "3.99");
    v = 0x020d00f0; /* 2.13 */
    memcpy(bad + offsetof(_Py_DebugOffsets, version), &v, 8);
    expect_refused("version 2.13", bad, full, "version");

    memcpy(bad, img, full);
    v = 1;
    memcpy(bad + offsetof(_Py_DebugOffsets, free_threaded), &v, 8);
    expect_refused("free_threaded = 1", bad, full, "free-threaded");

    memcpy(bad, img, full);
    memcpy(&v, img + offsetof(_Py_DebugOffsets, thread_state.size), 8);
    memcpy(bad + offsetof(_Py_DebugOffsets, thread_state.next), &v, 8);
    expect_refused("thread_state.next outside PyThreadState", bad, full, "ts_next");

    memcpy(bad, img, full);
    v = 0;
    memcpy(bad + offsetof(_Py_DebugOffsets, code_object.size), &v, 8);
    expect_refused("code_object.size = 0", bad, full, "size");

    memcpy(bad, img, full);
    v = UINT64_C(1) << 40;
    memcpy(bad + offsetof(_Py_DebugOffsets, interpreter_state.size), &v, 8);
    expect_refused("interpreter_state.size = 2^40", bad, full, "size");
    free(bad);
}
#endif

int main(void)
{
    Py_Initialize();
    size_t full = sizeof(_PyRuntime) < PYL_DEBUG_OFFSETS_MAX ? sizeof(_PyRuntime) : PYL_DEBUG_OFFSETS_MAX;
    uint8_t *img = malloc(full);
    if (!img)
        return 2;
    memcpy(img, &_PyRuntime, full);
    printf("CPython %s: _PyRuntime at %p, read %zu bytes\n", Py_GetVersion(), (void *)&_PyRuntime, full);

    py_layout layout;
    char err[200];
    int rc = parse(img, full, &layout, err, sizeof err);
#if defined(Py_GIL_DISABLED)
    /* free-threaded build: must be refused, by name */
    expect("free-threaded build refused", rc == -1 && strstr(err, "free-threaded") != NULL);
    printf("UNSUPPORTED free-threaded CPython 3.%d: %s\n", PY_MINOR_VERSION, err);
#elif defined(CHECK_OFFSETS)
    expect("sizeof(_Py_DebugOffsets) <= PYL_DEBUG_OFFSETS_MAX",
           sizeof(_Py_DebugOffsets) <= PYL_DEBUG_OFFSETS_MAX);
    if (rc != 0) {
        printf("FAIL pylayout_from_debug_offsets: %s\n", err);
        failures++;
    } else {
        check_fields(&layout);
        /* the block alone, to the byte, is enough */
        py_layout exact;
        rc = parse(img, sizeof(_Py_DebugOffsets), &exact, err, sizeof err);
        expect("exactly sizeof(_Py_DebugOffsets) bytes suffice",
               rc == 0 && memcmp(&exact, &layout, sizeof exact) == 0);
    }
    check_refusals(img, full);
#else
    /* A minor version memwatch has no description for: a clean refusal. */
    expect("unknown minor version refused", rc == -1 && err[0] != '\0' && !strchr(err, '\n'));
    printf("UNSUPPORTED CPython 3.%d: %s\n", PY_MINOR_VERSION, err);
#endif
    free(img);
    Py_Finalize();
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
