/* layout-probe: prints, for the CPython whose headers it is compiled against,
 * every offset memwatch's py_layout needs, one "name value" line each ("none"
 * for a field the version does not have). Built and run by
 * tools/gen-layouts.py with -DPy_BUILD_CORE and -I<include> -I<include>/internal;
 * never linked against libpython: it only uses offsetof/sizeof and a local
 * PyASCIIObject to find the bit positions of the unicode state bitfields. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#if PY_MAJOR_VERSION != 3 || PY_MINOR_VERSION < 8 || PY_MINOR_VERSION > 12
#error "layout-probe covers CPython 3.8-3.12; 3.13+ describe themselves (_Py_DebugOffsets)"
#endif

#if PY_MINOR_VERSION == 8
#include "internal/pycore_pystate.h"
#else
#include "internal/pycore_interp.h"
#include "internal/pycore_runtime.h"
#endif
#include "internal/pycore_gil.h"
#if PY_MINOR_VERSION <= 10
#include <frameobject.h>
#else
#include "internal/pycore_frame.h"
#endif

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static void put(const char *name, size_t value)
{
    printf("%s %zu\n", name, value);
}

static void none(const char *name)
{
    printf("%s none\n", name);
}

static void put_word(const char *name, const char *word)
{
    printf("%s %s\n", name, word);
}

/* Index of the single bit that differs between a and b, or -1. */
static int changed_bit(uint32_t a, uint32_t b)
{
    uint32_t d = a ^ b;
    if (d == 0 || (d & (d - 1)) != 0)
        return -1;
    for (int i = 0; i < 32; i++)
        if (d == (UINT32_C(1) << i))
            return i;
    return -1;
}

static uint32_t state_word(const PyASCIIObject *o)
{
    uint32_t w;
    memcpy(&w, (const char *)o + offsetof(PyASCIIObject, state), sizeof w);
    return w;
}

/* Bit positions of kind/compact/ascii, found by setting each bitfield in a
 * zeroed object and seeing which bit of the 32-bit state word changes.
 * Returns 0, or -1 if the state word does not look as expected. */
static int state_bits(int *kind, int *compact, int *ascii)
{
    PyASCIIObject z, o;
    memset(&z, 0, sizeof z);
    uint32_t zero = state_word(&z);

    o = z;
    o.state.kind = 1;
    *kind = changed_bit(zero, state_word(&o));
    o.state.kind = 7; /* kind is 3 bits wide and contiguous */
    if (*kind < 0 || *kind > 29 || state_word(&o) != (UINT32_C(7) << *kind))
        return -1;

    o = z;
    o.state.compact = 1;
    *compact = changed_bit(zero, state_word(&o));

    o = z;
    o.state.ascii = 1;
    *ascii = changed_bit(zero, state_word(&o));
    return (*compact < 0 || *ascii < 0) ? -1 : 0;
}

int main(void)
{
    if (sizeof(void *) != 8) {
        fprintf(stderr, "layout-probe: only 64-bit builds are supported\n");
        return 1;
    }
    printf("version %d.%d.%d\n", PY_MAJOR_VERSION, PY_MINOR_VERSION, PY_MICRO_VERSION);
#if defined(__x86_64__)
    put_word("arch", "x86_64");
#elif defined(__aarch64__)
    put_word("arch", "aarch64");
#else
    put_word("arch", "other");
#endif

    put("major", PY_MAJOR_VERSION);
    put("minor", PY_MINOR_VERSION);
#if PY_MINOR_VERSION <= 10
    put_word("frame_kind", "PYL_FRAME_OBJECT");
#else
    put_word("frame_kind", "PYL_FRAME_INTERP");
#endif
#if PY_MINOR_VERSION <= 9
    put_word("lines_kind", "PYL_LNOTAB");
#elif PY_MINOR_VERSION == 10
    put_word("lines_kind", "PYL_LINETABLE310");
#else
    put_word("lines_kind", "PYL_LOCATIONS");
#endif

    /* _PyRuntimeState, PyInterpreterState, the GIL */
    put("rt_interp_head", offsetof(_PyRuntimeState, interpreters.head));
#if PY_MINOR_VERSION <= 11
    put("rt_gil_locked", offsetof(_PyRuntimeState, ceval.gil.locked));
    put("rt_gil_holder", offsetof(_PyRuntimeState, ceval.gil.last_holder));
#else
    none("rt_gil_locked");
    none("rt_gil_holder");
#endif
    put("is_next", offsetof(PyInterpreterState, next));
#if PY_MINOR_VERSION <= 10
    put("is_threads_head", offsetof(PyInterpreterState, tstate_head));
#else
    put("is_threads_head", offsetof(PyInterpreterState, threads.head));
#endif
#if PY_MINOR_VERSION >= 12
    put("is_gil_ptr", offsetof(PyInterpreterState, ceval.gil));
#else
    none("is_gil_ptr");
#endif
    put("gil_locked", offsetof(struct _gil_runtime_state, locked));
    put("gil_holder", offsetof(struct _gil_runtime_state, last_holder));

    /* PyThreadState */
    put("ts_next", offsetof(PyThreadState, next));
    put("ts_interp", offsetof(PyThreadState, interp));
#if PY_MINOR_VERSION <= 10
    put("ts_frame", offsetof(PyThreadState, frame));
    put("ts_frame_is_cframe", 0);
    none("cframe_current_frame");
#else
    put("ts_frame", offsetof(PyThreadState, cframe));
    put("ts_frame_is_cframe", 1);
    put("cframe_current_frame", offsetof(_PyCFrame, current_frame));
#endif
    put("ts_thread_id", offsetof(PyThreadState, thread_id));
#if PY_MINOR_VERSION >= 11
    put("ts_native_thread_id", offsetof(PyThreadState, native_thread_id));
#else
    none("ts_native_thread_id");
#endif

    /* Frames */
#if PY_MINOR_VERSION <= 10
    put("fr_back", offsetof(PyFrameObject, f_back));
    put("fr_code", offsetof(PyFrameObject, f_code));
    put("fr_lasti", offsetof(PyFrameObject, f_lasti));
    none("fr_instr");
#else
    put("fr_back", offsetof(_PyInterpreterFrame, previous));
    put("fr_code", offsetof(_PyInterpreterFrame, f_code));
    none("fr_lasti");
    put("fr_instr", offsetof(_PyInterpreterFrame, prev_instr));
#endif
    put("fr_instr_is_next", 0);
#if PY_MINOR_VERSION >= 12
    put("fr_owner", offsetof(_PyInterpreterFrame, owner));
    put("fr_owner_cstack", FRAME_OWNED_BY_CSTACK);
#else
    none("fr_owner");
    none("fr_owner_cstack");
#endif
    /* 3.10 counts f_lasti in instructions (2-byte code units); 3.8/3.9 in bytes. */
    put("fr_lasti_in_units", PY_MINOR_VERSION == 10);

    /* PyCodeObject */
    put("co_filename", offsetof(PyCodeObject, co_filename));
    put("co_name", offsetof(PyCodeObject, co_name));
#if PY_MINOR_VERSION >= 11
    put("co_qualname", offsetof(PyCodeObject, co_qualname));
#else
    none("co_qualname");
#endif
    put("co_firstlineno", offsetof(PyCodeObject, co_firstlineno));
#if PY_MINOR_VERSION <= 9
    put("co_linetable", offsetof(PyCodeObject, co_lnotab));
#else
    put("co_linetable", offsetof(PyCodeObject, co_linetable));
#endif
#if PY_MINOR_VERSION >= 11
    put("co_code_adaptive", offsetof(PyCodeObject, co_code_adaptive));
    none("co_code");
#else
    none("co_code_adaptive");
    put("co_code", offsetof(PyCodeObject, co_code));
#endif

    /* Objects */
    put("ob_type", offsetof(PyObject, ob_type));
    put("tp_name", offsetof(PyTypeObject, tp_name));
    put("bytes_size", offsetof(PyBytesObject, ob_base.ob_size));
    put("bytes_sval", offsetof(PyBytesObject, ob_sval));
    put("str_length", offsetof(PyASCIIObject, length));
    put("str_state", offsetof(PyASCIIObject, state));
    put("str_ascii_size", sizeof(PyASCIIObject));
    put("str_compact_size", sizeof(PyCompactUnicodeObject));
    int kind, compact, ascii;
    if (state_bits(&kind, &compact, &ascii) != 0) {
        fprintf(stderr, "layout-probe: unexpected PyASCIIObject.state bitfield layout\n");
        return 1;
    }
    put("str_kind_shift", (size_t)kind);
    put("str_compact_bit", (size_t)compact);
    put("str_ascii_bit", (size_t)ascii);
    return 0;
}
