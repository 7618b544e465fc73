/* pycode: type checks, str decoding and the cache of decoded code objects. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "linetable.h"
#include "pyreader_impl.h"

static const char *const type_names[PYT_COUNT] = { "code", "str", "bytes" };

int pycode_type_is(pyreader *r, uint64_t type_addr, enum py_type_kind kind)
{
    if (!type_addr)
        return 0;
    if (r->type_addr[kind] && type_addr == r->type_addr[kind])
        return 1;
    py_type_memo *memo = r->type_memo[kind];
    for (int i = 0; i < PY_TYPE_MEMO; i++)
        if (memo[i].addr == type_addr)
            return memo[i].ok;
    /* Not the exported type (or none known): judge it by tp_name once. */
    const char *want = type_names[kind];
    size_t wlen = strlen(want) + 1;
    char got[8];
    uint64_t name_ptr;
    int ok = 0;
    if (r->L.tp_name != PYL_NONE &&
        memsrc_read(&r->src, type_addr + r->L.tp_name, &name_ptr, sizeof name_ptr) == 0 &&
        name_ptr && memsrc_read(&r->src, name_ptr, got, wlen) == 0)
        ok = memcmp(got, want, wlen) == 0;
    else
        return 0;                      /* unreadable: do not remember */
    unsigned k = r->type_memo_next[kind]++ % PY_TYPE_MEMO;
    memo[k].addr = type_addr;
    memo[k].ok = ok;
    return ok;
}

/* Appends code point c as UTF-8; lone surrogates and out-of-range values become '?'. */
static size_t put_utf8(char *out, uint32_t c)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | c >> 6);
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if ((c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) {
        out[0] = '?';
        return 1;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | c >> 12);
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | c >> 18);
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

const char *pycode_string(pyreader *r, uint64_t addr)
{
    const py_layout *L = &r->L;
    enum { OB_TYPE, LENGTH, STATE, NF };
    uint32_t offs[NF] = { L->ob_type, L->str_length, L->str_state };
    uint8_t sz[NF] = { 8, 8, 4 };
    uint64_t v[NF];
    if (!addr || pyreader_fields(r, addr, NF, offs, sz, v) < 0)
        return NULL;
    if (!pycode_type_is(r, v[OB_TYPE], PYT_STR))
        return NULL;
    int64_t length = (int64_t)v[LENGTH];
    uint32_t state = (uint32_t)v[STATE];
    if (length < 0 || length > (int64_t)PY_MAX_STR_LEN)
        return NULL;
    unsigned kind = (state >> L->str_kind_shift) & 7u;
    int compact = (state >> L->str_compact_bit) & 1u;
    int ascii = (state >> L->str_ascii_bit) & 1u;
    if (!compact || (kind != 1 && kind != 2 && kind != 4) || (ascii && kind != 1))
        return NULL;                   /* code object names are always compact */
    uint64_t data = addr + (ascii ? L->str_ascii_size : L->str_compact_size);
    size_t n = (size_t)length < PY_MAX_STR_CHARS ? (size_t)length : PY_MAX_STR_CHARS;
    uint8_t raw[PY_MAX_STR_CHARS * 4];
    char out[PY_MAX_STR_CHARS * 4 + 1];
    size_t olen = 0;
    if (n && memsrc_read(&r->src, data, raw, n * kind) < 0)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        uint32_t c;
        if (kind == 1)
            c = raw[i];
        else if (kind == 2) {
            uint16_t u;
            memcpy(&u, raw + 2 * i, 2);
            c = u;
        } else
            memcpy(&c, raw + 4 * i, 4);
        if (ascii && c >= 0x80)
            return NULL;
        if (c > 0x10FFFF)
            return NULL;
        olen += put_utf8(out + olen, c);
    }
    const char *s = strtab_intern(r->strings, out, olen);
    return s ? s : r->unknown;
}

static void entry_clear(pyreader *r, py_code_entry *e)
{
    if (e->table)
        r->cache_bytes -= e->table_len;
    free(e->table);
    memset(e, 0, sizeof *e);
}

void pycode_flush(pyreader *r)
{
    if (!r->cache)
        return;
    for (size_t i = 0; i < PY_CACHE_SLOTS; i++)
        entry_clear(r, &r->cache[i]);
    r->cache_bytes = 0;
}

static size_t slot_of(uint64_t addr)
{
    return (size_t)((addr >> 3) * 0x9E3779B97F4A7C15ull >> 52) & (PY_CACHE_SLOTS - 1);
}

/* Reads the bytes object at addr into a new buffer. 0 with *tab NULL when it is too
 * long to keep; -1 if it is not a bytes object. */
static int read_table(pyreader *r, uint64_t addr, uint8_t **tab, uint32_t *len)
{
    const py_layout *L = &r->L;
    uint32_t offs[2] = { L->ob_type, L->bytes_size };
    uint8_t sz[2] = { 8, 8 };
    uint64_t v[2];
    *tab = NULL;
    *len = 0;
    if (pyreader_fields(r, addr, 2, offs, sz, v) < 0 || !pycode_type_is(r, v[0], PYT_BYTES))
        return -1;
    int64_t size = (int64_t)v[1];
    if (size < 0 || size > (int64_t)1 << 31)
        return -1;
    if (size > (int64_t)PY_MAX_TABLE)
        return 0;
    uint8_t *buf = malloc(size ? (size_t)size : 1);
    if (!buf)
        return 0;
    if (size && memsrc_read(&r->src, addr + L->bytes_sval, buf, (size_t)size) < 0) {
        free(buf);
        return -1;
    }
    *tab = buf;
    *len = (uint32_t)size;
    return 0;
}

py_code_entry *pycode_get(pyreader *r, uint64_t addr)
{
    const py_layout *L = &r->L;
    int interp = L->frame_kind == PYL_FRAME_INTERP;
    enum { OB_TYPE, FILENAME, NAME, LINETABLE, FIRSTLINE, UNITS, CODE, NF };
    uint32_t offs[NF] = {
        L->ob_type, L->co_filename, L->co_qualname != PYL_NONE ? L->co_qualname : L->co_name,
        L->co_linetable, L->co_firstlineno, interp ? L->bytes_size : PYL_NONE,
        interp ? PYL_NONE : L->co_code
    };
    uint8_t sz[NF] = { 8, 8, 8, 8, 4, 8, 8 };
    uint64_t v[NF];
    if (!addr || pyreader_fields(r, addr, NF, offs, sz, v) < 0)
        return NULL;
    int32_t firstline = (int32_t)(uint32_t)v[FIRSTLINE];
    int64_t units = interp ? (int64_t)v[UNITS] : -1;
    py_code_entry *e = &r->cache[slot_of(addr)];
    if (e->addr == addr && e->ob_type == v[OB_TYPE] && e->filename == v[FILENAME] &&
        e->name == v[NAME] && e->linetable == v[LINETABLE] && e->firstline == firstline &&
        e->units == units && e->co_code == v[CODE]) {
        r->stats.code_cache_hits++;
        return e;
    }
    r->stats.code_cache_misses++;
    if (!pycode_type_is(r, v[OB_TYPE], PYT_CODE) || firstline < 0 ||
        (interp && (units < 0 || units > INT32_MAX)))
        return NULL;
    const char *file = pycode_string(r, v[FILENAME]);
    const char *func = file ? pycode_string(r, v[NAME]) : NULL;
    if (!file || !func)
        return NULL;
    uint8_t *tab;
    uint32_t tlen;
    if (read_table(r, v[LINETABLE], &tab, &tlen) < 0)
        return NULL;
    entry_clear(r, e);
    if (tab && r->cache_bytes + tlen > PY_CACHE_BYTES)
        pycode_flush(r);
    e->addr = addr;
    e->ob_type = v[OB_TYPE];
    e->filename = v[FILENAME];
    e->name = v[NAME];
    e->linetable = v[LINETABLE];
    e->firstline = firstline;
    e->units = units;
    e->co_code = v[CODE];
    e->bc_start = e->bc_len = 0;
    if (interp && units > 0) {
        e->bc_start = addr + L->co_code_adaptive;
        e->bc_len = 2 * (uint64_t)units;
    } else if (v[CODE] && L->bytes_size != PYL_NONE && L->bytes_sval != PYL_NONE) {
        uint32_t boff[2] = { L->ob_type, L->bytes_size };
        uint8_t bsz[2] = { 8, 8 };
        uint64_t bv[2];
        if (pyreader_fields(r, v[CODE], 2, boff, bsz, bv) == 0 && pycode_type_is(r, bv[0], PYT_BYTES) &&
            bv[1] > 0 && bv[1] <= INT32_MAX) {
            e->bc_start = v[CODE] + L->bytes_sval;
            e->bc_len = bv[1];
        }
    }
    e->file = file;
    e->func = func;
    e->table = tab;
    e->table_len = tlen;
    for (int i = 0; i < PY_LINE_MEMO; i++)
        e->memo_pos[i] = -2;
    if (tab)
        r->cache_bytes += tlen;
    return e;
}

/* The line of pos decoded from e's table (no memo). */
static int32_t decode_line(const pyreader *r, const py_code_entry *e, int64_t pos)
{
    if (!e->table || pos > INT_MAX / 2)
        return -1;
    switch (r->L.lines_kind) {
    case PYL_LNOTAB:
        return linetable_lnotab(e->table, e->table_len, e->firstline, (int)pos);
    case PYL_LINETABLE310:
        return linetable_310(e->table, e->table_len, e->firstline, (int)pos);
    case PYL_LOCATIONS:
        if (e->units >= 0 && pos >= e->units)
            return -1;
        return linetable_locations(e->table, e->table_len, e->firstline, (int)pos);
    default:
        return -1;
    }
}

int32_t pycode_line(const pyreader *r, py_code_entry *e, int64_t pos)
{
    if (pos < 0)
        return e->firstline;           /* not started yet: CPython reports the first line */
    if (pos > INT32_MAX)
        return decode_line(r, e, pos);
    for (int i = 0; i < PY_LINE_MEMO; i++)
        if (e->memo_pos[i] == pos)
            return e->memo_line[i];
    int32_t line = decode_line(r, e, pos);
    uint32_t k = e->memo_next++ % PY_LINE_MEMO;
    e->memo_pos[k] = (int32_t)pos;
    e->memo_line[k] = line;
    return line;
}
