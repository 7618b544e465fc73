/* linetable: decoders of the three line-table formats CPython has used since
 * 3.8. Every read is checked against `len`; tables come from another process
 * and may be anything. */
#include "linetable.h"

#include <limits.h>

/* A running line outside this range means the table is garbage. Keeping the
 * accumulator in 64 bits and bounding it on every step rules out overflow. */
#define LINE_LIMIT ((int64_t)INT_MAX)

/* Turns an accumulated line into the result: lines are never negative, so a
 * negative one marks a malformed table. */
static int line_result(int64_t line)
{
    return (line >= 0 && line <= LINE_LIMIT) ? (int)line : -1;
}

int linetable_lnotab(const uint8_t *tab, size_t len, int firstlineno, int addr)
{
    /* Pairs of (unsigned bytecode delta, signed line delta): the line delta
     * takes effect at the address reached after adding the bytecode delta. */
    int64_t line = firstlineno;
    int64_t pos = 0;
    if (addr < 0)
        return firstlineno >= 0 ? firstlineno : -1;   /* frame not started yet */
    if (!tab && len)
        return -1;
    for (size_t i = 0; i < len; i += 2) {
        if (len - i < 2)
            return -1;                 /* a dangling half pair */
        pos += tab[i];
        if (pos > addr)
            break;
        line += (int8_t)tab[i + 1];
        if (line < -LINE_LIMIT || line > LINE_LIMIT)
            return -1;
    }
    return line_result(line);
}

int linetable_310(const uint8_t *tab, size_t len, int firstlineno, int addr)
{
    /* Pairs of (unsigned bytecode delta, signed line delta); each pair covers
     * the next `delta` bytes with the running line plus its line delta, or
     * with no line when the line delta is -128. */
    int64_t line = firstlineno;
    int64_t start = 0;
    if (addr < 0)
        return firstlineno >= 0 ? firstlineno : -1;
    if (!tab && len)
        return -1;
    for (size_t i = 0; i < len; i += 2) {
        if (len - i < 2)
            return -1;
        int64_t end = start + tab[i];
        int ldelta = (int8_t)tab[i + 1];
        int has_line = ldelta != -128;
        if (has_line) {
            line += ldelta;
            if (line < -LINE_LIMIT || line > LINE_LIMIT)
                return -1;
        }
        if (addr < end)
            return has_line ? line_result(line) : -1;
        start = end;
    }
    return -1;                         /* past the end of the table */
}

/* Reads an unsigned varint (6-bit chunks, low chunk first, bit 6 = more) from
 * the payload tab[*i..end). Returns 0 and advances *i, or -1 if it runs past
 * the entry or exceeds 32 bits. */
static int read_varint(const uint8_t *tab, size_t end, size_t *i, uint32_t *out)
{
    uint64_t val = 0;
    for (unsigned shift = 0; shift <= 30; shift += 6) {
        if (*i >= end)
            return -1;
        uint8_t b = tab[(*i)++];
        val |= (uint64_t)(b & 63) << shift;
        if (!(b & 64)) {
            if (val > UINT32_MAX)
                return -1;
            *out = (uint32_t)val;
            return 0;
        }
    }
    return -1;                         /* more than six chunks */
}

/* Signed varint: magnitude in the upper bits, sign in the lowest bit. */
static int read_svarint(const uint8_t *tab, size_t end, size_t *i, int64_t *out)
{
    uint32_t u;
    if (read_varint(tab, end, i, &u) < 0)
        return -1;
    *out = (u & 1) ? -(int64_t)(u >> 1) : (int64_t)(u >> 1);
    return 0;
}

enum {
    LOC_ONE_LINE0 = 10,                /* 10..12: line += code - 10, 2 column bytes */
    LOC_ONE_LINE2 = 12,
    LOC_NO_COLUMNS = 13,               /* signed varint line delta */
    LOC_LONG = 14,                     /* line delta, end line delta, column, end column */
    LOC_NONE = 15,                     /* no location */
};

/* Line delta of the entry whose payload is tab[p..end), or -1 if the payload
 * is too short for its form. Extra payload bytes are ignored, as CPython's own
 * reader skips to the next entry start. */
static int loc_line_delta(const uint8_t *tab, size_t p, size_t end, int code, int64_t *delta)
{
    uint32_t skip;
    *delta = 0;
    if (code < LOC_ONE_LINE0)          /* short form: one column byte */
        return end - p >= 1 ? 0 : -1;
    if (code <= LOC_ONE_LINE2) {
        *delta = code - LOC_ONE_LINE0;
        return end - p >= 2 ? 0 : -1;
    }
    if (code == LOC_NO_COLUMNS)
        return read_svarint(tab, end, &p, delta);
    if (code == LOC_LONG) {
        if (read_svarint(tab, end, &p, delta) < 0)
            return -1;
        for (int k = 0; k < 3; k++)    /* end line delta, column, end column */
            if (read_varint(tab, end, &p, &skip) < 0)
                return -1;
        return 0;
    }
    return 0;                          /* LOC_NONE: no payload */
}

int linetable_locations(const uint8_t *tab, size_t len, int firstlineno, int unit)
{
    /* Entries: a first byte with bit 7 set (bits 3-6 the form, bits 0-2 the
     * length in code units minus one), then payload bytes with bit 7 clear. */
    int64_t line = firstlineno;
    int64_t start = 0;
    size_t i = 0;
    if (unit < 0)
        return firstlineno >= 0 ? firstlineno : -1;
    if (!tab && len)
        return -1;
    while (i < len) {
        uint8_t head = tab[i];
        if (!(head & 0x80))
            return -1;                 /* not an entry start */
        size_t p = i + 1, end = p;
        while (end < len && !(tab[end] & 0x80))
            end++;
        int code = (head >> 3) & 15;
        int64_t delta;
        if (loc_line_delta(tab, p, end, code, &delta) < 0)
            return -1;
        line += delta;
        if (line < -LINE_LIMIT || line > LINE_LIMIT)
            return -1;
        int64_t stop = start + (head & 7) + 1;
        if (unit < stop)
            return code == LOC_NONE ? -1 : line_result(line);
        start = stop;
        i = end;
    }
    return -1;                         /* past the end of the table */
}
