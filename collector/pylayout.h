/* pylayout: where CPython keeps what memwatch reads, per minor version. */
#ifndef MW_PYLAYOUT_H
#define MW_PYLAYOUT_H

#include <stddef.h>
#include <stdint.h>

/* Offsets are in bytes from the start of the named struct. A field a version
 * does not have is PYL_NONE. Frame kinds: PYL_FRAME_OBJECT (<=3.10,
 * PyFrameObject chained by f_back) or PYL_FRAME_INTERP (3.11+,
 * _PyInterpreterFrame chained by previous). */
#define PYL_NONE UINT32_MAX

enum pyl_frame_kind { PYL_FRAME_OBJECT = 1, PYL_FRAME_INTERP = 2 };
enum pyl_lines_kind { PYL_LNOTAB = 1, PYL_LINETABLE310 = 2, PYL_LOCATIONS = 3 };

typedef struct py_layout {
    int major, minor;
    int frame_kind;                 /* enum pyl_frame_kind */
    int lines_kind;                 /* enum pyl_lines_kind */

    /* _PyRuntimeState */
    uint32_t rt_interp_head;        /* interpreters.head */
    uint32_t rt_gil_locked;         /* ceval.gil.locked (<=3.11), else PYL_NONE */
    uint32_t rt_gil_holder;         /* ceval.gil.last_holder (<=3.11), else PYL_NONE */

    /* PyInterpreterState */
    uint32_t is_next;               /* next */
    uint32_t is_threads_head;       /* tstate_head (<=3.10) / threads.head (3.11+) */
    uint32_t is_gil_ptr;            /* ceval.gil: pointer to the GIL (3.12+), else PYL_NONE */
    uint32_t gil_locked;            /* _gil_runtime_state.locked (relative to the GIL struct) */
    uint32_t gil_holder;            /* _gil_runtime_state.last_holder */

    /* PyThreadState */
    uint32_t ts_next;
    uint32_t ts_interp;
    uint32_t ts_frame;              /* frame (<=3.10) / current_frame (3.13+) / cframe (3.11-3.12) */
    uint32_t ts_frame_is_cframe;    /* 1 if ts_frame points to a _PyCFrame (3.11-3.12) */
    uint32_t cframe_current_frame;  /* _PyCFrame.current_frame (3.11-3.12) */
    uint32_t ts_thread_id;          /* thread_id (pthread_t) */
    uint32_t ts_native_thread_id;   /* native_thread_id (3.11+), else PYL_NONE */

    /* Frames: PyFrameObject (<=3.10) or _PyInterpreterFrame (3.11+) */
    uint32_t fr_back;               /* f_back / previous */
    uint32_t fr_code;               /* f_code / f_executable (3.13: None in shims; check type) */
    uint32_t fr_lasti;              /* f_lasti (<=3.10), int */
    uint32_t fr_instr;              /* prev_instr (3.11-3.12) / instr_ptr (3.13+) */
    uint32_t fr_instr_is_next;      /* 1 if fr_instr points past the running instruction (so
                                       subtract one code unit); 0 in 3.11-3.13: prev_instr and
                                       instr_ptr both point at (or into) the running one */
    uint32_t fr_owner;              /* owner (3.12+; char), else PYL_NONE */
    uint32_t fr_owner_cstack;       /* owner value of C-stack shim frames, or PYL_NONE */
    uint32_t fr_lasti_in_units;     /* 1 if f_lasti counts 2-byte code units (3.10) */

    /* PyCodeObject */
    uint32_t co_filename;
    uint32_t co_name;
    uint32_t co_qualname;           /* 3.11+, else PYL_NONE */
    uint32_t co_firstlineno;        /* int */
    uint32_t co_linetable;          /* co_lnotab (<=3.9) / co_linetable (3.10+): a bytes object */
    uint32_t co_code_adaptive;      /* 3.11+: start of the bytecode inside the code object */
    uint32_t co_code;               /* <=3.10: the bytecode, a bytes object; else PYL_NONE */

    /* Objects */
    uint32_t ob_type;               /* PyObject.ob_type */
    uint32_t tp_name;               /* PyTypeObject.tp_name */
    uint32_t bytes_size;            /* PyVarObject.ob_size of bytes */
    uint32_t bytes_sval;            /* PyBytesObject.ob_sval */
    uint32_t str_length;            /* PyASCIIObject.length */
    uint32_t str_state;             /* PyASCIIObject.state (a 32-bit bitfield word) */
    uint32_t str_ascii_size;        /* sizeof(PyASCIIObject): compact ASCII data follows */
    uint32_t str_compact_size;      /* sizeof(PyCompactUnicodeObject): compact non-ASCII data follows */
    uint32_t str_kind_shift;        /* bit position of 'kind' (3 bits) in state */
    uint32_t str_compact_bit;       /* bit position of 'compact' in state */
    uint32_t str_ascii_bit;         /* bit position of 'ascii' in state */
} py_layout;

/* Returns the built-in layout for 3.<minor> (8..12), or NULL if there is none. */
const py_layout *pylayout_builtin(int major, int minor);

/* Fills *out from a _Py_DebugOffsets image read from the start of _PyRuntime
 * (3.13+); checks cookie, version and free_threaded. Returns 0, or -1 with a
 * one-line reason in err. */
int pylayout_from_debug_offsets(const uint8_t *buf, size_t len, py_layout *out,
                                char *err, size_t errlen);

/* Size of the _PyRuntime prefix to read for pylayout_from_debug_offsets. */
#define PYL_DEBUG_OFFSETS_MAX 1024

#endif
