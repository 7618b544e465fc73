/* attrib: charges RSS changes to stacks for one interval of one process (pure, no I/O). */
#ifndef MW_ATTRIB_H
#define MW_ATTRIB_H

#include <stddef.h>
#include <stdint.h>

#include "sink.h"

typedef struct attrib {
    mw_charge *items;        /* this interval's charges, one per stack */
    size_t n, cap;
    uint32_t *slots;         /* open addressing over items: index + 1, 0 = empty */
    size_t mask;
    int64_t growth, shrink;  /* totals of this interval */
} attrib;

/* Makes a empty accumulator. */
void attrib_init(attrib *a);

/* Charges an RSS change `delta` (bytes) seen at RSS `rss` to `stack`, as
 * taken by `trigger` (enum mw_trigger; each trigger keeps its own row): a
 * positive delta adds to growth, a negative one to shrink; counts one hit.
 * Returns 0, or -1 when out of memory (the charge is lost, totals kept). */
int attrib_charge(attrib *a, uint32_t stack, int trigger, int64_t delta, int64_t rss);

/* As attrib_charge, counting `hits` hits (0 adds bytes to a stack without a sample of its own). */
int attrib_add(attrib *a, uint32_t stack, int trigger, int64_t delta, int64_t rss, uint32_t hits);

/* The part of a growth `delta`, seen at read_ns and stood for by counter
 * overflows at times[0..n), that belongs to the sample read at prev_ns: the
 * share of overflows nearer in time to prev_ns than to read_ns (pure). */
int64_t attrib_share_before(const uint64_t *times, size_t n, uint64_t prev_ns, uint64_t read_ns, int64_t delta);

/* Forgets the interval's charges (after they were written). */
void attrib_reset(attrib *a);

/* Frees the accumulator. */
void attrib_free(attrib *a);

#endif
