/* fuzz_linetable: arbitrary bytes through the three line-table decoders.
 *
 * Input: 4 bytes firstlineno, 4 bytes offset, 1 byte cut point, then the
 * table (all little-endian). Each decoder runs on an exact-size copy of the
 * table (and of a prefix of it) at the given offset and at the first offsets,
 * so the sanitizers catch any read past `len`. Besides not crashing, results
 * must be -1 or a line >= 0, an offset < 0 must give firstlineno, and for
 * 3.10+ a line found in a prefix must not change when the rest follows (a
 * decoder never looks past the entry that holds the offset). */
#include <stdlib.h>
#include <string.h>

#include "linetable.h"

typedef int (*decoder)(const uint8_t *, size_t, int, int);

#define SWEEP 96                       /* offsets 0..SWEEP-1 are tried too */

static uint8_t *copy_of(const uint8_t *p, size_t n)
{
    uint8_t *c = malloc(n ? n : 1);
    if (!c)
        abort();
    if (n)
        memcpy(c, p, n);
    return c;
}

static int32_t le32(const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    int32_t s;
    memcpy(&s, &v, sizeof s);
    return s;
}

static void check_at(decoder d, int prefix_stable, const uint8_t *full, size_t len,
                     const uint8_t *cut, size_t cut_len, int first, int at)
{
    int r = d(full, len, first, at);
    if (r < -1)
        abort();
    if (at < 0 && r != (first >= 0 ? first : -1))
        abort();
    int rc = d(cut, cut_len, first, at);
    if (rc < -1)
        abort();
    if (prefix_stable && rc != -1 && rc != r)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 9)
        return 0;
    int first = le32(data);
    int at = le32(data + 4);
    size_t len = size - 9;
    size_t cut_len = len ? (size_t)data[8] * len / 255 : 0;
    uint8_t *full = copy_of(data + 9, len);
    uint8_t *cut = copy_of(data + 9, cut_len);
    static const decoder decoders[3] = {linetable_lnotab, linetable_310, linetable_locations};
    for (int k = 0; k < 3; k++) {
        int stable = k > 0;
        check_at(decoders[k], stable, full, len, cut, cut_len, first, at);
        for (int off = -2; off < SWEEP; off++)
            check_at(decoders[k], stable, full, len, cut, cut_len, first, off);
    }
    free(cut);
    free(full);
    return 0;
}
