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

/* Forgets the interval's charges (after they were written). */
void attrib_reset(attrib *a);

/* Frees the accumulator. */
void attrib_free(attrib *a);

#endif
