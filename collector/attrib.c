/* attrib: per-interval charges of RSS changes to stacks. */
#include "attrib.h"

#include <stdlib.h>
#include <string.h>

void attrib_init(attrib *a)
{
    memset(a, 0, sizeof *a);
}

static size_t slot_of(uint32_t stack, int trigger, size_t mask)
{
    return (size_t)(((stack * 2u + (uint32_t)trigger) * 2654435761u) & mask);
}

static int rehash(attrib *a, size_t nmask)
{
    uint32_t *ns = calloc(nmask + 1, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < a->n; i++) {
        size_t k = slot_of(a->items[i].stack, a->items[i].trigger, nmask);
        while (ns[k])
            k = (k + 1) & nmask;
        ns[k] = (uint32_t)i + 1;
    }
    free(a->slots);
    a->slots = ns;
    a->mask = nmask;
    return 0;
}

/* Index of stack's item, appending a zeroed one if it has none; -1 on OOM. */
static long item_of(attrib *a, uint32_t stack, int trigger, int64_t rss)
{
    if (!a->slots && rehash(a, 255) < 0)
        return -1;
    size_t k = slot_of(stack, trigger, a->mask);
    while (a->slots[k]) {
        const mw_charge *c = &a->items[a->slots[k] - 1];
        if (c->stack == stack && c->trigger == trigger)
            return (long)a->slots[k] - 1;
        k = (k + 1) & a->mask;
    }
    if (a->n == a->cap) {
        size_t ncap = a->cap ? a->cap * 2 : 64;
        mw_charge *ni = realloc(a->items, ncap * sizeof *ni);
        if (!ni)
            return -1;
        a->items = ni;
        a->cap = ncap;
    }
    mw_charge *c = &a->items[a->n];
    memset(c, 0, sizeof *c);
    c->stack = stack;
    c->trigger = trigger;
    c->peak_rss = rss;
    a->slots[k] = (uint32_t)++a->n;
    /* keep the load under one half; if that fails the table still works, slower */
    if (a->n * 2 > a->mask)
        (void)rehash(a, a->mask * 2 + 1);
    return (long)a->n - 1;
}

int attrib_charge(attrib *a, uint32_t stack, int trigger, int64_t delta, int64_t rss)
{
    return attrib_add(a, stack, trigger, delta, rss, 1);
}

int attrib_add(attrib *a, uint32_t stack, int trigger, int64_t delta, int64_t rss, uint32_t hits)
{
    if (delta > 0)
        a->growth += delta;
    else
        a->shrink -= delta;
    long i = item_of(a, stack, trigger, rss);
    if (i < 0)
        return -1;
    mw_charge *c = &a->items[i];
    if (delta > 0)
        c->growth += delta;
    else
        c->shrink -= delta;
    c->hits += hits;
    if (rss > c->peak_rss)
        c->peak_rss = rss;
    return 0;
}

int64_t attrib_share_before(const uint64_t *times, size_t n, uint64_t prev_ns, uint64_t read_ns, int64_t delta)
{
    if (delta <= 0 || n == 0)
        return 0;
    size_t nearer_prev = 0;
    for (size_t i = 0; i < n; i++) {
        if (times[i] <= prev_ns)
            nearer_prev++;
        else if (times[i] < read_ns && times[i] - prev_ns < read_ns - times[i])
            nearer_prev++;
    }
    return (int64_t)((double)delta * (double)nearer_prev / (double)n);
}

void attrib_reset(attrib *a)
{
    a->n = 0;
    a->growth = a->shrink = 0;
    if (a->slots)
        memset(a->slots, 0, (a->mask + 1) * sizeof *a->slots);
}

void attrib_free(attrib *a)
{
    free(a->items);
    free(a->slots);
    memset(a, 0, sizeof *a);
}
