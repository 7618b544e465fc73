/* pylayout: py_layout for CPython 3.13+ from the _Py_DebugOffsets block that
 * starts _PyRuntime. The block's shape differs between minor versions, so each
 * supported minor has a small description: where each needed offset sits (as
 * an index of a uint64 word) and the facts the block does not carry. */
#include "pylayout.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One py_layout field taken from the block: the value is word 'word', which
 * must lie inside the struct whose size is word 'group'. With 'base' set, the
 * field is word 'word' minus word 'base' (both offsets in the same struct).
 * 'is_size' marks a value that is itself a size (may equal the group size). */
typedef struct {
    uint16_t dst;     /* offsetof(py_layout, field) */
    uint16_t group;
    uint16_t word;
    uint16_t base;    /* 0: none (word 0 is the cookie, never an offset) */
    uint8_t is_size;
    const char *name;
} dbg_field;

/* What one minor version needs beyond its field list. */
typedef struct {
    int minor;
    size_t words;               /* length of the block in uint64 words */
    const dbg_field *fields;
    size_t nfields;
    int frame_kind, lines_kind;
    uint32_t fr_instr_is_next;  /* see py_layout: 0 while instr_ptr names the running one */
    uint32_t fr_owner_cstack;   /* enum _frameowner FRAME_OWNED_BY_CSTACK */
    uint32_t str_compact_extra; /* sizeof(PyCompactUnicodeObject) - sizeof(PyASCIIObject) */
    uint32_t str_kind_shift, str_compact_bit, str_ascii_bit;
} dbg_minor;

#define DBG_WORD 8u
#define DBG_GROUP_MAX (UINT32_C(1) << 24) /* no CPython struct is 16 MiB */

/* 3.13: word indices of each group's size word in _Py_DebugOffsets. */
enum {
    D13_RT = 3,  /* runtime_state: size, finalizing, interpreters_head */
    D13_IS = 6,  /* interpreter_state: size, id, next, threads_head, gc,
                    imports_modules, sysdict, builtins, ceval_gil,
                    gil_runtime_state, gil_runtime_state_enabled,
                    gil_runtime_state_locked, gil_runtime_state_holder */
    D13_TS = 19, /* thread_state: size, prev, next, interp, current_frame,
                    thread_id, native_thread_id, datastack_chunk, status */
    D13_FR = 28, /* interpreter_frame: size, previous, executable, instr_ptr,
                    localsplus, owner */
    D13_CO = 34, /* code_object: size, filename, name, qualname, linetable,
                    firstlineno, argcount, localsplusnames, localspluskinds,
                    co_code_adaptive */
    D13_OB = 44, /* pyobject: size, ob_type */
    D13_TP = 46, /* type_object: size, tp_name, tp_repr, tp_flags */
    /* tuple 50, list 53, dict 56, float 59, long 61 */
    D13_BY = 64, /* bytes_object: size, ob_size, ob_sval */
    D13_UC = 67, /* unicode_object: size, state, length, asciiobject_size */
    /* gc 71 */
    D13_END = 73
};
_Static_assert(D13_END * DBG_WORD <= PYL_DEBUG_OFFSETS_MAX, "3.13 block larger than the read size");

#define F(field, grp, idx) \
    { (uint16_t)offsetof(py_layout, field), grp, (grp) + (idx), 0, 0, #field }
#define FREL(field, grp, idx, baseidx) \
    { (uint16_t)offsetof(py_layout, field), grp, (grp) + (idx), (grp) + (baseidx), 0, #field }
#define FSIZE(field, grp, idx) \
    { (uint16_t)offsetof(py_layout, field), grp, (grp) + (idx), 0, 1, #field }

static const dbg_field fields_313[] = {
    F(rt_interp_head, D13_RT, 2),
    F(is_next, D13_IS, 2),
    F(is_threads_head, D13_IS, 3),
    F(is_gil_ptr, D13_IS, 8),
    /* locked/holder are given inside PyInterpreterState._gil: make them
     * relative to the GIL struct that ceval.gil points to */
    FREL(gil_locked, D13_IS, 11, 9),
    FREL(gil_holder, D13_IS, 12, 9),
    F(ts_next, D13_TS, 2),
    F(ts_interp, D13_TS, 3),
    F(ts_frame, D13_TS, 4),
    F(ts_thread_id, D13_TS, 5),
    F(ts_native_thread_id, D13_TS, 6),
    F(fr_back, D13_FR, 1),
    F(fr_code, D13_FR, 2),
    F(fr_instr, D13_FR, 3),
    F(fr_owner, D13_FR, 5),
    F(co_filename, D13_CO, 1),
    F(co_name, D13_CO, 2),
    F(co_qualname, D13_CO, 3),
    F(co_linetable, D13_CO, 4),
    F(co_firstlineno, D13_CO, 5),
    F(co_code_adaptive, D13_CO, 9),
    F(ob_type, D13_OB, 1),
    F(tp_name, D13_TP, 1),
    F(bytes_size, D13_BY, 1),
    F(bytes_sval, D13_BY, 2),
    F(str_state, D13_UC, 1),
    F(str_length, D13_UC, 2),
    FSIZE(str_ascii_size, D13_UC, 3),
};

static const dbg_minor minors[] = {
    {
        .minor = 13,
        .words = D13_END,
        .fields = fields_313,
        .nfields = sizeof fields_313 / sizeof fields_313[0],
        .frame_kind = PYL_FRAME_INTERP,
        .lines_kind = PYL_LOCATIONS,
        .fr_instr_is_next = 0, /* instr_ptr: "currently executing (or about to begin)" */
        .fr_owner_cstack = 3,
        .str_compact_extra = 16, /* utf8_length, utf8 */
        .str_kind_shift = 2,     /* interned:2, kind:3, compact:1, ascii:1 */
        .str_compact_bit = 5,
        .str_ascii_bit = 6,
    },
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static uint64_t word_at(const uint8_t *buf, size_t idx)
{
    uint64_t w;
    memcpy(&w, buf + idx * DBG_WORD, sizeof w);
    return w;
}

static void set_u32(py_layout *l, uint16_t dst, uint32_t v)
{
    memcpy((char *)l + dst, &v, sizeof v);
}

static const dbg_minor *find_minor(int minor)
{
    for (size_t i = 0; i < sizeof minors / sizeof minors[0]; i++)
        if (minors[i].minor == minor)
            return &minors[i];
    return NULL;
}

static void fill_fixed(py_layout *l, const dbg_minor *d)
{
    l->major = 3;
    l->minor = d->minor;
    l->frame_kind = d->frame_kind;
    l->lines_kind = d->lines_kind;
    l->rt_gil_locked = PYL_NONE;
    l->rt_gil_holder = PYL_NONE;
    l->ts_frame_is_cframe = 0;
    l->cframe_current_frame = PYL_NONE;
    l->fr_lasti = PYL_NONE;
    l->co_code = PYL_NONE;
    l->fr_instr_is_next = d->fr_instr_is_next;
    l->fr_owner_cstack = d->fr_owner_cstack;
    l->fr_lasti_in_units = 0;
    l->str_kind_shift = d->str_kind_shift;
    l->str_compact_bit = d->str_compact_bit;
    l->str_ascii_bit = d->str_ascii_bit;
}

static int take_field(const uint8_t *buf, const dbg_field *f, py_layout *l,
                      char *err, size_t errlen)
{
    uint64_t size = word_at(buf, f->group);
    uint64_t v = word_at(buf, f->word);
    if (size == 0 || size >= DBG_GROUP_MAX)
        return fail(err, errlen, "_Py_DebugOffsets: implausible struct size %llu for %s",
                    (unsigned long long)size, f->name);
    if (f->is_size ? (v == 0 || v > size) : v >= size)
        return fail(err, errlen, "_Py_DebugOffsets: %s = %llu outside its struct (size %llu)",
                    f->name, (unsigned long long)v, (unsigned long long)size);
    if (f->base) {
        uint64_t b = word_at(buf, f->base);
        if (b > v)
            return fail(err, errlen, "_Py_DebugOffsets: %s = %llu before its base %llu",
                        f->name, (unsigned long long)v, (unsigned long long)b);
        v -= b;
    }
    set_u32(l, f->dst, (uint32_t)v);
    return 0;
}

int pylayout_from_debug_offsets(const uint8_t *buf, size_t len, py_layout *out,
                                char *err, size_t errlen)
{
    static const char cookie[8] = {'x', 'd', 'e', 'b', 'u', 'g', 'p', 'y'};
    if (!buf || !out)
        return fail(err, errlen, "_Py_DebugOffsets: no buffer");
    if (len < 3 * DBG_WORD)
        return fail(err, errlen, "_Py_DebugOffsets: only %zu bytes, need at least %u",
                    len, 3 * DBG_WORD);
    if (memcmp(buf, cookie, sizeof cookie) != 0)
        return fail(err, errlen, "_Py_DebugOffsets: no \"xdebugpy\" cookie at the start of _PyRuntime");

    uint64_t version = word_at(buf, 1);
    int major = (int)((version >> 24) & 0xff), minor = (int)((version >> 16) & 0xff);
    if ((version >> 32) != 0 || major != 3)
        return fail(err, errlen, "_Py_DebugOffsets: implausible version 0x%llx",
                    (unsigned long long)version);
    if (minor < 13)
        return fail(err, errlen, "_Py_DebugOffsets: version says CPython 3.%d, which has none",
                    minor);
    const dbg_minor *d = find_minor(minor);
    if (!d)
        return fail(err, errlen, "_Py_DebugOffsets: CPython 3.%d is newer than this memwatch knows",
                    minor);

    uint64_t ft = word_at(buf, 2);
    if (ft == 1)
        return fail(err, errlen, "free-threaded CPython %d.%d (no GIL) is not supported",
                    major, minor);
    if (ft != 0)
        return fail(err, errlen, "_Py_DebugOffsets: bad free_threaded value %llu",
                    (unsigned long long)ft);
    if (len < d->words * DBG_WORD)
        return fail(err, errlen, "_Py_DebugOffsets: only %zu bytes, CPython %d.%d needs %zu",
                    len, major, minor, d->words * DBG_WORD);

    py_layout l;
    memset(&l, 0, sizeof l);
    fill_fixed(&l, d);
    for (size_t i = 0; i < d->nfields; i++)
        if (take_field(buf, &d->fields[i], &l, err, errlen) != 0)
            return -1;
    if (l.str_ascii_size > UINT32_MAX - d->str_compact_extra)
        return fail(err, errlen, "_Py_DebugOffsets: implausible unicode object size");
    l.str_compact_size = l.str_ascii_size + d->str_compact_extra;
    *out = l;
    return 0;
}
