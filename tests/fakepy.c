/* fakepy: fake CPython memory images for pyreader's unit tests and fuzz seeds. */
#include "fakepy.h"

#include <stdlib.h>
#include <string.h>

static uint32_t span(const uint32_t *offs, size_t n)
{
    uint32_t hi = 0;
    for (size_t i = 0; i < n; i++)
        if (offs[i] != PYL_NONE && offs[i] + 8 > hi)
            hi = offs[i] + 8;
    return hi + 16;
}

uint64_t fakepy_alloc(fakepy *f, size_t n)
{
    size_t at = (f->used + 15) & ~(size_t)15;
    if (at > f->cap || n > f->cap - at)
        return 0;
    memset(f->mem + at, 0, n);
    f->used = at + n;
    f->img.len = f->used;
    return f->base + at;
}

void fakepy_put(fakepy *f, uint64_t addr, uint32_t off, uint64_t val, int width)
{
    if (!addr || off == PYL_NONE || addr < f->base)
        return;
    uint64_t at = addr - f->base + off;
    if (at + (uint64_t)width > f->used)
        return;
    memcpy(f->mem + at, &val, (size_t)width);   /* little-endian: the low bytes */
}

uint64_t fakepy_get(const fakepy *f, uint64_t addr, uint32_t off)
{
    uint64_t v = 0;
    if (addr >= f->base && off != PYL_NONE && addr - f->base + off + 8 <= f->used)
        memcpy(&v, f->mem + (addr - f->base + off), 8);
    return v;
}

static uint64_t type_obj(fakepy *f, const char *name)
{
    size_t n = strlen(name) + 1;
    uint64_t s = fakepy_alloc(f, n);
    if (s)
        memcpy(f->mem + (s - f->base), name, n);
    uint64_t t = fakepy_alloc(f, f->L->tp_name + 16);
    fakepy_put(f, t, f->L->tp_name, s, 8);
    return t;
}

int fakepy_init(fakepy *f, const py_layout *L, uint64_t base, size_t cap,
                const uint8_t *prefix, size_t prefix_len)
{
    memset(f, 0, sizeof *f);
    f->L = L;
    f->base = base;
    f->cap = cap;
    f->mem = calloc(1, cap);
    if (!f->mem)
        return -1;
    f->img.base = base;
    f->img.data = f->mem;
    uint32_t rt[] = { L->rt_interp_head, L->rt_gil_locked, L->rt_gil_holder };
    size_t rsize = span(rt, 3);
    if (prefix_len > rsize)
        rsize = prefix_len;
    uint64_t runtime = fakepy_alloc(f, rsize);
    if (!runtime)
        return -1;
    if (prefix)
        memcpy(f->mem, prefix, prefix_len);
    f->t_code = type_obj(f, "code");
    f->t_str = type_obj(f, "str");
    f->t_bytes = type_obj(f, "bytes");
    f->t_int = type_obj(f, "int");
    uint32_t is[] = { L->is_next, L->is_threads_head, L->is_gil_ptr };
    f->interp = fakepy_alloc(f, span(is, 3));
    fakepy_put(f, runtime, L->rt_interp_head, f->interp, 8);
    if (L->is_gil_ptr != PYL_NONE) {
        uint32_t g[] = { L->gil_locked, L->gil_holder };
        f->gil = fakepy_alloc(f, span(g, 2));
        fakepy_put(f, f->interp, L->is_gil_ptr, f->gil, 8);
    }
    return f->interp ? 0 : -1;
}

void fakepy_free(fakepy *f)
{
    free(f->mem);
    f->mem = NULL;
}

memsrc fakepy_src(fakepy *f)
{
    return memsrc_from_image(&f->img);
}

uint64_t fakepy_str_cp(fakepy *f, const uint32_t *cp, size_t n, int kind)
{
    const py_layout *L = f->L;
    int ascii = kind == 1;
    for (size_t i = 0; i < n && ascii; i++)
        ascii = cp[i] < 128;
    uint32_t head = ascii ? L->str_ascii_size : L->str_compact_size;
    uint64_t s = fakepy_alloc(f, head + (n + 1) * (size_t)kind);
    if (!s)
        return 0;
    fakepy_put(f, s, L->ob_type, f->t_str, 8);
    fakepy_put(f, s, L->str_length, n, 8);
    uint32_t state = (uint32_t)kind << L->str_kind_shift | 1u << L->str_compact_bit |
                     (ascii ? 1u << L->str_ascii_bit : 0);
    fakepy_put(f, s, L->str_state, state, 4);
    for (size_t i = 0; i < n; i++)
        fakepy_put(f, s, head + (uint32_t)(i * (size_t)kind), cp[i], kind);
    return s;
}

uint64_t fakepy_str(fakepy *f, const char *s)
{
    size_t n = strlen(s);
    uint32_t *cp = malloc((n + 1) * sizeof *cp);
    if (!cp)
        return 0;
    for (size_t i = 0; i < n; i++)
        cp[i] = (unsigned char)s[i];
    uint64_t r = fakepy_str_cp(f, cp, n, 1);
    free(cp);
    return r;
}

uint64_t fakepy_bytes(fakepy *f, const uint8_t *b, size_t n)
{
    uint64_t o = fakepy_alloc(f, f->L->bytes_sval + n + 1);
    if (!o)
        return 0;
    fakepy_put(f, o, f->L->ob_type, f->t_bytes, 8);
    fakepy_put(f, o, f->L->bytes_size, n, 8);
    memcpy(f->mem + (o - f->base) + f->L->bytes_sval, b, n);
    return o;
}

uint64_t fakepy_table(fakepy *f, int ninstr)
{
    uint8_t *t = malloc(2 * (size_t)ninstr + 2);
    size_t n = 0;
    if (!t)
        return 0;
    for (int i = 0; i < ninstr; i++) {
        switch (f->L->lines_kind) {
        case PYL_LNOTAB:        /* (bytecode delta, line delta) closing each instruction */
            t[n++] = 2;
            t[n++] = 1;
            break;
        case PYL_LINETABLE310:  /* (length in bytes, line delta) opening each instruction */
            t[n++] = 2;
            t[n++] = i ? 1 : 0;
            break;
        default:                /* one-unit entries of code 13: a signed varint line delta */
            t[n++] = 0x80 | 13 << 3;
            t[n++] = i ? 2 : 0;
            break;
        }
    }
    uint64_t b = fakepy_bytes(f, t, n);
    free(t);
    return b;
}

uint64_t fakepy_code(fakepy *f, const char *file, const char *name, int firstline, int ninstr)
{
    const py_layout *L = f->L;
    uint32_t co[] = { L->ob_type, L->co_filename, L->co_name, L->co_qualname, L->co_firstlineno,
                      L->co_linetable, L->bytes_size, L->co_code_adaptive };
    size_t size = span(co, sizeof co / sizeof co[0]);
    if (L->co_code_adaptive != PYL_NONE)
        size += 2 * (size_t)ninstr;
    uint64_t c = fakepy_alloc(f, size);
    if (!c)
        return 0;
    uint64_t fs = fakepy_str(f, file), ns = fakepy_str(f, name), tab = fakepy_table(f, ninstr);
    fakepy_put(f, c, L->ob_type, f->t_code, 8);
    fakepy_put(f, c, L->co_filename, fs, 8);
    fakepy_put(f, c, L->co_name, ns, 8);
    fakepy_put(f, c, L->co_qualname, ns, 8);
    fakepy_put(f, c, L->co_firstlineno, (uint32_t)firstline, 4);
    fakepy_put(f, c, L->co_linetable, tab, 8);
    if (L->frame_kind == PYL_FRAME_INTERP)
        fakepy_put(f, c, L->bytes_size, (uint64_t)ninstr, 8);
    if (L->co_code != PYL_NONE && ninstr > 0) {
        uint8_t *ops = calloc((size_t)ninstr, 2);
        fakepy_put(f, c, L->co_code, ops ? fakepy_bytes(f, ops, 2 * (size_t)ninstr) : 0, 8);
        free(ops);
    }
    return c;
}

uint64_t fakepy_bytecode(const fakepy *f, uint64_t code)
{
    const py_layout *L = f->L;
    if (L->co_code_adaptive != PYL_NONE)
        return code + L->co_code_adaptive;
    uint64_t b = L->co_code != PYL_NONE ? fakepy_get(f, code, L->co_code) : 0;
    return b ? b + L->bytes_sval : 0;
}

static size_t frame_size(const py_layout *L)
{
    uint32_t fr[] = { L->fr_back, L->fr_code, L->fr_lasti, L->fr_instr, L->fr_owner };
    return span(fr, sizeof fr / sizeof fr[0]);
}

uint64_t fakepy_frame(fakepy *f, uint64_t code, uint64_t back, int instr)
{
    const py_layout *L = f->L;
    uint64_t fr = fakepy_alloc(f, frame_size(L));
    if (!fr)
        return 0;
    fakepy_put(f, fr, L->fr_back, back, 8);
    fakepy_put(f, fr, L->fr_code, code, 8);
    if (L->frame_kind == PYL_FRAME_OBJECT) {
        int32_t lasti = instr < 0 ? -1 : L->fr_lasti_in_units ? instr : 2 * instr;
        fakepy_put(f, fr, L->fr_lasti, (uint32_t)lasti, 4);
    } else {
        int64_t unit = instr + (L->fr_instr_is_next ? 1 : 0);
        uint64_t at = code + L->co_code_adaptive + (uint64_t)(2 * unit);
        fakepy_put(f, fr, L->fr_instr, at, 8);
        fakepy_put(f, fr, L->fr_owner, 0, 1);
    }
    return fr;
}

uint64_t fakepy_shim(fakepy *f, uint64_t back)
{
    const py_layout *L = f->L;
    if (L->fr_owner == PYL_NONE || L->fr_owner_cstack == PYL_NONE)
        return 0;
    uint64_t fr = fakepy_alloc(f, frame_size(L));
    fakepy_put(f, fr, L->fr_back, back, 8);
    fakepy_put(f, fr, L->fr_code, f->t_int, 8);      /* not a code object: must not be read */
    fakepy_put(f, fr, L->fr_owner, L->fr_owner_cstack, 1);
    return fr;
}

void fakepy_set_frame(fakepy *f, uint64_t tstate, uint64_t frame)
{
    const py_layout *L = f->L;
    if (L->ts_frame_is_cframe) {
        uint64_t cf = fakepy_get(f, tstate, L->ts_frame);
        fakepy_put(f, cf, L->cframe_current_frame, frame, 8);
    } else
        fakepy_put(f, tstate, L->ts_frame, frame, 8);
}

uint64_t fakepy_thread(fakepy *f, uint64_t frame, uint64_t thread_id, int32_t native_tid)
{
    const py_layout *L = f->L;
    uint32_t ts[] = { L->ts_next, L->ts_interp, L->ts_frame, L->ts_thread_id, L->ts_native_thread_id };
    uint64_t t = fakepy_alloc(f, span(ts, sizeof ts / sizeof ts[0]));
    if (!t)
        return 0;
    if (L->ts_frame_is_cframe) {
        uint64_t cf = fakepy_alloc(f, L->cframe_current_frame + 16);
        fakepy_put(f, t, L->ts_frame, cf, 8);
    }
    fakepy_set_frame(f, t, frame);
    fakepy_put(f, t, L->ts_interp, f->interp, 8);
    fakepy_put(f, t, L->ts_thread_id, thread_id, 8);
    fakepy_put(f, t, L->ts_native_thread_id, (uint32_t)native_tid, 4);
    fakepy_put(f, t, L->ts_next, fakepy_get(f, f->interp, L->is_threads_head), 8);
    fakepy_put(f, f->interp, L->is_threads_head, t, 8);
    return t;
}

void fakepy_set_gil(fakepy *f, uint64_t tstate)
{
    const py_layout *L = f->L;
    if (L->is_gil_ptr != PYL_NONE) {
        fakepy_put(f, f->gil, L->gil_locked, tstate != 0, 4);
        fakepy_put(f, f->gil, L->gil_holder, tstate, 8);
    } else {
        fakepy_put(f, f->base, L->rt_gil_locked, tstate != 0, 4);
        fakepy_put(f, f->base, L->rt_gil_holder, tstate, 8);
    }
}
