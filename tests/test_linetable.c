/* Unit tests: the line-table decoders on hand-built tables (every entry form,
 * malformed and truncated tables) and on real tables captured from CPython
 * 3.8-3.13 by linetable_capture.py. Every table is decoded from an exact-size
 * heap copy, so a sanitizer build catches any read past `len`. */
#include <limits.h>
#include <stdlib.h>

#include "check.h"
#include "linetable.h"
#include "linetable_real.h"

typedef int (*decoder)(const uint8_t *, size_t, int, int);

static int decode(decoder d, const uint8_t *tab, size_t len, int first, int at)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        abort();
    if (len)
        memcpy(copy, tab, len);
    int line = d(len ? copy : NULL, len, first, at);
    free(copy);
    return line;
}

#define TAB(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})
#define LNOTAB(first, at, ...) decode(linetable_lnotab, TAB(__VA_ARGS__), (first), (at))
#define L310(first, at, ...) decode(linetable_310, TAB(__VA_ARGS__), (first), (at))
#define LOC(first, at, ...) decode(linetable_locations, TAB(__VA_ARGS__), (first), (at))

static void test_lnotab(void)
{
    /* empty table: every offset is on the first line */
    CHECK(linetable_lnotab(NULL, 0, 10, 0) == 10);
    CHECK(linetable_lnotab(NULL, 0, 10, 5000) == 10);
    /* a pair's line delta starts at the offset its byte delta reaches */
    CHECK(LNOTAB(10, 0, 6, 1, 8, 2) == 10);
    CHECK(LNOTAB(10, 5, 6, 1, 8, 2) == 10);
    CHECK(LNOTAB(10, 6, 6, 1, 8, 2) == 11);
    CHECK(LNOTAB(10, 13, 6, 1, 8, 2) == 11);
    CHECK(LNOTAB(10, 14, 6, 1, 8, 2) == 13);
    CHECK(LNOTAB(10, 1000, 6, 1, 8, 2) == 13);
    /* signed line deltas, -128 included (an ordinary delta in co_lnotab) */
    CHECK(LNOTAB(300, 3, 4, 0xfd, 4, 0x80) == 300);
    CHECK(LNOTAB(300, 4, 4, 0xfd, 4, 0x80) == 297);
    CHECK(LNOTAB(300, 8, 4, 0xfd, 4, 0x80) == 169);
    /* byte deltas over 255 are split into (255, 0) pairs */
    CHECK(LNOTAB(10, 299, 255, 0, 45, 1) == 10);
    CHECK(LNOTAB(10, 300, 255, 0, 45, 1) == 11);
    CHECK(LNOTAB(10, 519, 255, 0, 255, 0, 10, 5) == 10);
    CHECK(LNOTAB(10, 520, 255, 0, 255, 0, 10, 5) == 15);
    /* line deltas over 127 are split into (0, 127) pairs */
    CHECK(LNOTAB(10, 0, 0, 127, 0, 127, 0, 46, 2, 1) == 310);
    CHECK(LNOTAB(10, 2, 0, 127, 0, 127, 0, 46, 2, 1) == 311);
    /* a dangling half pair is malformed once it is reached */
    CHECK(LNOTAB(10, 1, 2, 1, 5) == 10);
    CHECK(LNOTAB(10, 2, 2, 1, 5) == -1);
    /* a negative line is malformed */
    CHECK(LNOTAB(1, 0, 2, 0xfb) == 1);
    CHECK(LNOTAB(1, 2, 2, 0xfb) == -1);
    CHECK(LNOTAB(INT_MAX, 0, 2, 1) == INT_MAX);
    CHECK(LNOTAB(INT_MAX, 2, 2, 1) == -1);
    /* a frame not started yet (offset < 0) is on its first line, as in CPython */
    CHECK(LNOTAB(10, -1, 6, 1) == 10);
    CHECK(LNOTAB(10, INT_MIN, 6, 1) == 10);
    CHECK(LNOTAB(-5, -1, 6, 1) == -1);
    CHECK(linetable_lnotab(NULL, 4, 10, 0) == -1);
}

static void test_310(void)
{
    /* each pair covers the next bytes; -128 is "no line" */
    CHECK(L310(10, 0, 6, 1, 4, 0x80, 8, 2) == 11);
    CHECK(L310(10, 5, 6, 1, 4, 0x80, 8, 2) == 11);
    CHECK(L310(10, 6, 6, 1, 4, 0x80, 8, 2) == -1);
    CHECK(L310(10, 9, 6, 1, 4, 0x80, 8, 2) == -1);
    CHECK(L310(10, 10, 6, 1, 4, 0x80, 8, 2) == 13);
    CHECK(L310(10, 17, 6, 1, 4, 0x80, 8, 2) == 13);
    CHECK(L310(10, 18, 6, 1, 4, 0x80, 8, 2) == -1);   /* past the end */
    /* ranges over 254 bytes are split into (254, d), (254, 0), ... */
    CHECK(L310(10, 0, 254, 5, 254, 0, 10, 0, 2, 1) == 15);
    CHECK(L310(10, 517, 254, 5, 254, 0, 10, 0, 2, 1) == 15);
    CHECK(L310(10, 518, 254, 5, 254, 0, 10, 0, 2, 1) == 16);
    CHECK(L310(10, 520, 254, 5, 254, 0, 10, 0, 2, 1) == -1);
    /* zero-length pairs carry big line deltas */
    CHECK(L310(10, 0, 0, 127, 0, 127, 2, 10) == 274);
    CHECK(L310(10, 1, 0, 127, 0, 127, 2, 10) == 274);
    CHECK(L310(10, 2, 0, 127, 0, 127, 2, 10) == -1);
    /* a split "no line" range, then the line carries on unchanged */
    CHECK(L310(10, 0, 254, 0x80, 46, 0x80, 2, 0) == -1);
    CHECK(L310(10, 299, 254, 0x80, 46, 0x80, 2, 0) == -1);
    CHECK(L310(10, 300, 254, 0x80, 46, 0x80, 2, 0) == 10);
    CHECK(L310(10, 2, 2, 5, 2, 0x80, 2, 1) == -1);
    CHECK(L310(10, 4, 2, 5, 2, 0x80, 2, 1) == 16);
    /* negative deltas */
    CHECK(L310(10, 2, 2, 3, 2, 0xfe) == 11);
    CHECK(L310(10, 2, 2, 3, 2, 0x81) == -1);           /* 13 - 127 < 0 */
    /* dangling byte, negative line, overflow, empty table, offset < 0 */
    CHECK(L310(10, 0, 2, 1, 7) == 11);
    CHECK(L310(10, 2, 2, 1, 7) == -1);
    CHECK(L310(1, 0, 2, 0xf0) == -1);
    CHECK(L310(INT_MAX, 0, 2, 1) == -1);
    CHECK(L310(INT_MAX, 0, 2, 0) == INT_MAX);
    CHECK(linetable_310(NULL, 0, 10, 0) == -1);
    CHECK(linetable_310(NULL, 0, 10, -2) == 10);
    CHECK(linetable_310(NULL, 2, 10, 0) == -1);
    CHECK(L310(10, -2, 2, 1) == 10);
}

/* A 3.11+ location table under construction, with the line each unit gets. */
typedef struct {
    uint8_t b[512];
    size_t n;
    int line[512];
    int units;
} loctab;

static void put(loctab *t, uint8_t byte)
{
    if (t->n < sizeof t->b)
        t->b[t->n++] = byte;
}

static void put_varint(loctab *t, uint32_t v)
{
    while (v >= 64) {
        put(t, (uint8_t)(64 | (v & 63)));
        v >>= 6;
    }
    put(t, (uint8_t)v);
}

static void put_svarint(loctab *t, int v)
{
    put_varint(t, v < 0 ? ((uint32_t)-v << 1) | 1 : (uint32_t)v << 1);
}

/* Starts an entry of form `code` covering `units` units, all on `line`. */
static void put_entry(loctab *t, int code, int units, int line)
{
    put(t, (uint8_t)(0x80 | code << 3 | (units - 1)));
    for (int i = 0; i < units && t->units < 512; i++)
        t->line[t->units++] = line;
}

static void test_locations_forms(void)
{
    loctab t = {0};
    int first = 100;
    /* short forms 0-9: same line, one column byte; lengths 1..8 units */
    for (int code = 0; code <= 9; code++) {
        put_entry(&t, code, code % 8 + 1, 100);
        put(&t, 0x25);
    }
    /* one-line forms 10-12: line += code - 10, column and end column bytes */
    put_entry(&t, 10, 2, 100);
    put(&t, 4), put(&t, 9);
    put_entry(&t, 11, 1, 101);
    put(&t, 4), put(&t, 9);
    put_entry(&t, 12, 3, 103);
    put(&t, 0), put(&t, 127);
    /* 13: signed varint line delta, multi-chunk both ways, no columns */
    put_entry(&t, 13, 2, 5103);
    put_svarint(&t, 5000);
    put_entry(&t, 13, 1, 4403);
    put_svarint(&t, -700);
    put_entry(&t, 13, 1, 4403);
    put_svarint(&t, 0);
    /* 14: long form: line delta, end line delta, column + 1, end column + 1 */
    put_entry(&t, 14, 4, 403);
    put_svarint(&t, -4000);
    put_varint(&t, 2);
    put_varint(&t, 200);
    put_varint(&t, 5);
    /* 15: no location; the running line is untouched */
    put_entry(&t, 15, 3, -1);
    put_entry(&t, 11, 1, 404);
    put(&t, 1), put(&t, 2);
    put_entry(&t, 14, 8, 404);
    put_svarint(&t, 0);
    put_varint(&t, 0);
    put_varint(&t, 0);
    put_varint(&t, 0);
    put_entry(&t, 15, 1, -1);

    CHECK(t.n < sizeof t.b && t.units > 50);
    for (int u = 0; u < t.units; u++) {
        int got = decode(linetable_locations, t.b, t.n, first, u);
        if (got != t.line[u])
            fprintf(stderr, "unit %d: want %d got %d\n", u, t.line[u], got);
        CHECK(got == t.line[u]);
    }
    CHECK(decode(linetable_locations, t.b, t.n, first, t.units) == -1);
    CHECK(decode(linetable_locations, t.b, t.n, first, INT_MAX) == -1);
    CHECK(decode(linetable_locations, t.b, t.n, first, -1) == first);
    /* every strict prefix: a unit gets its own line or -1, never another line */
    for (size_t len = 0; len < t.n; len++)
        for (int u = 0; u <= t.units; u++) {
            int got = decode(linetable_locations, t.b, len, first, u);
            CHECK(got == -1 || (u < t.units && got == t.line[u]));
        }
}

static void test_locations_malformed(void)
{
    /* a table must start at an entry */
    CHECK(LOC(5, 0, 0x05, 0x80, 0x00) == -1);
    CHECK(LOC(5, 0, 0x80, 0x00) == 5);
    /* payload missing: short form, one-line form */
    CHECK(LOC(5, 0, 0x80, 0x80, 0x00) == -1);
    CHECK(LOC(5, 0, 0x80) == -1);
    CHECK(LOC(5, 0, 0xd8, 0x01) == -1);
    CHECK(LOC(5, 0, 0xd8, 0x01, 0x02) == 6);
    /* truncated varint: continuation bit on the entry's last byte */
    CHECK(LOC(5, 0, 0xe8, 0x41) == -1);
    CHECK(LOC(5, 0, 0xe8, 0x41, 0x80, 0x00) == -1);
    CHECK(LOC(5, 0, 0xe8) == -1);
    /* varints: six chunks fit 32 bits; a seventh chunk or more bits is malformed */
    CHECK(LOC(0, 0, 0xe8, 0x40, 0x40, 0x40, 0x40, 0x40, 0x02) == 1 << 30);
    CHECK(LOC(0, 0, 0xe8, 0x40, 0x40, 0x40, 0x40, 0x40, 0x04) == -1);
    CHECK(LOC(0, 0, 0xe8, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x00) == -1);
    /* long form without its columns */
    CHECK(LOC(5, 0, 0xf0, 0x02) == -1);
    CHECK(LOC(5, 0, 0xf0, 0x02, 0x00, 0x01) == -1);
    CHECK(LOC(5, 0, 0xf0, 0x02, 0x00, 0x01, 0x01) == 6);
    /* negative line; line past INT_MAX */
    CHECK(LOC(3, 0, 0xe8, 0x09) == -1);
    CHECK(LOC(3, 0, 0xe8, 0x06) == 6);
    CHECK(LOC(INT_MAX - 1, 0, 0xd8, 0, 0) == INT_MAX);
    CHECK(LOC(INT_MAX - 1, 0, 0xe0, 0, 0) == -1);
    /* extra payload bytes are skipped, as CPython's reader does */
    CHECK(LOC(5, 0, 0xf8, 0x01, 0x02, 0x80, 0x00) == -1);
    CHECK(LOC(5, 1, 0xf8, 0x01, 0x02, 0x80, 0x00) == 5);
    CHECK(LOC(5, 0, 0x80, 0x00, 0x33, 0x7f, 0xd8, 0, 0) == 5);
    CHECK(LOC(5, 1, 0x80, 0x00, 0x33, 0x7f, 0xd8, 0, 0) == 6);
    /* the length field: 0x87 covers 8 units */
    CHECK(LOC(5, 7, 0x87, 0x00) == 5);
    CHECK(LOC(5, 8, 0x87, 0x00) == -1);
    /* empty table, offsets < 0 */
    CHECK(linetable_locations(NULL, 0, 5, 0) == -1);
    CHECK(linetable_locations(NULL, 0, 5, -1) == 5);
    CHECK(linetable_locations(NULL, 3, 5, 0) == -1);
    CHECK(LOC(-5, -1, 0x80, 0x00) == -1);
}

/* Decodes unit `unit` of a real table straight from `tab` (the caller makes
 * the exact-size copy). */
static int real_decode(const lt_real *r, const uint8_t *tab, size_t len, int unit)
{
    if (r->minor >= 11)
        return linetable_locations(tab, len, r->firstlineno, unit);
    if (r->minor == 10)
        return linetable_310(tab, len, r->firstlineno, 2 * unit);
    return linetable_lnotab(tab, len, r->firstlineno, 2 * unit);
}

static uint8_t *copy_of(const uint8_t *tab, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        abort();
    if (len)
        memcpy(copy, tab, len);
    return copy;
}

/* Marks which entry forms a real table uses (3.8/3.9: bit 0 negative line
 * delta, 1 byte delta 255, 2 line delta 127; 3.10: 0 negative, 1 "no line",
 * 2 byte delta 254; 3.11+: bit N = code N). */
static unsigned real_forms(const lt_real *r)
{
    unsigned forms = 0;
    for (size_t i = 0; i < r->len; i++) {
        uint8_t b = r->table[i];
        if (r->minor >= 11) {
            if (b & 0x80)
                forms |= 1u << ((b >> 3) & 15);
        } else if (i % 2 == 1) {
            if (b > 0x80 || (b == 0x80 && r->minor < 10))
                forms |= 1;
            if (b == 0x80 && r->minor == 10)
                forms |= 2;
            if (b == 127 && r->minor < 10)
                forms |= 4;
        } else if (b == (r->minor < 10 ? 255 : 254)) {
            forms |= r->minor < 10 ? 2 : 4;
        }
    }
    return forms;
}

static void test_real(void)
{
    size_t n = sizeof lt_reals / sizeof lt_reals[0];
    unsigned forms[16] = {0};
    long units[16] = {0};
    int nver[16] = {0};
    for (size_t k = 0; k < n; k++) {
        const lt_real *r = &lt_reals[k];
        CHECK(r->minor >= 8 && r->minor < 16);
        if (r->minor < 8 || r->minor >= 16)
            continue;
        forms[r->minor] |= real_forms(r);
        nver[r->minor]++;
        uint8_t *tab = copy_of(r->table, r->len);
        for (size_t j = 0; j < r->nruns; j++)
            for (int u = r->runs[j].start; u < r->runs[j].end; u++) {
                int got = real_decode(r, tab, r->len, u);
                if (got != r->runs[j].line)
                    fprintf(stderr, "%s %s unit %d: CPython %d, decoder %d\n",
                            r->version, r->name, u, r->runs[j].line, got);
                CHECK(got == r->runs[j].line);
                units[r->minor]++;
            }
        CHECK(real_decode(r, tab, r->len, -1) == r->firstlineno);
        free(tab);
        /* truncated copies (a read cut short): 3.10+ gives the right line or
         * -1; co_lnotab cannot tell, but must stay in bounds. Long tables are
         * cut at about 64 points spread over their length. */
        size_t stride = 1 + r->len / 64;
        for (size_t len = 0; len < r->len; len += stride) {
            uint8_t *cut = copy_of(r->table, len);
            for (size_t j = 0; j < r->nruns; j++)
                for (int u = r->runs[j].start; u < r->runs[j].end; u++) {
                    int got = real_decode(r, cut, len, u);
                    if (r->minor >= 10)
                        CHECK(got == -1 || got == r->runs[j].line);
                    else
                        CHECK(got >= -1);
                }
            free(cut);
        }
    }
    for (int m = 8; m < 16; m++)
        if (nver[m])
            printf("real tables 3.%d: %d code objects, %ld units checked\n", m, nver[m], units[m]);
    /* the fixtures keep exercising every awkward form (regenerated or not) */
    for (int m = 8; m < 16; m++) {
        if (!nver[m])
            continue;
        unsigned want = m >= 11 ? 0xffffu : 7u;
        if (forms[m] != want)
            fprintf(stderr, "real tables 3.%d: forms 0x%x, want 0x%x\n", m, forms[m], want);
        CHECK(forms[m] == want);
    }
    for (int m = 8; m <= 13; m++) {
        if (!nver[m])
            fprintf(stderr, "real tables: none for 3.%d\n", m);
        CHECK(nver[m] > 0);
    }
}

int main(void)
{
    test_lnotab();
    test_310();
    test_locations_forms();
    test_locations_malformed();
    test_real();
    return check_done("test_linetable");
}
