/* stackids: interned call stacks (parent node + frame), open addressing on a power-of-two table. */
#include "stackids.h"

#include <stdlib.h>
#include <string.h>

struct stackids {
    mw_stack_node *nodes;       /* nodes[id - 1] */
    uint32_t count, cap;
    uint32_t *slots;            /* 0 = empty, else node id */
    uint32_t mask;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdULL;
}

static uint64_t node_hash(uint32_t parent, const char *file, const char *func, int32_t first, int32_t line)
{
    uint64_t h = mix(0, parent);
    h = mix(h, (uint64_t)(uintptr_t)file);
    h = mix(h, (uint64_t)(uintptr_t)func);
    h = mix(h, (uint64_t)(uint32_t)first);
    return mix(h, (uint64_t)(uint32_t)line);
}

stackids *stackids_new(void)
{
    stackids *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->mask = 1023;
    s->slots = calloc(s->mask + 1, sizeof *s->slots);
    if (!s->slots) {
        free(s);
        return NULL;
    }
    return s;
}

static int grow_slots(stackids *s)
{
    uint32_t nmask = s->mask * 2 + 1;
    uint32_t *ns = calloc((size_t)nmask + 1, sizeof *ns);
    if (!ns)
        return -1;
    for (uint32_t i = 0; i < s->count; i++) {
        const mw_stack_node *n = &s->nodes[i];
        uint64_t h = node_hash(n->parent, n->file, n->func, n->firstline, n->line);
        uint32_t k = (uint32_t)h & nmask;
        while (ns[k])
            k = (k + 1) & nmask;
        ns[k] = n->id;
    }
    free(s->slots);
    s->slots = ns;
    s->mask = nmask;
    return 0;
}

/* Finds or adds one node; 0 when full or out of memory. */
static uint32_t node_get(stackids *s, uint32_t parent, const char *file, const char *func,
                         int32_t first, int32_t line)
{
    uint64_t h = node_hash(parent, file, func, first, line);
    uint32_t k = (uint32_t)h & s->mask;
    while (s->slots[k]) {
        const mw_stack_node *n = &s->nodes[s->slots[k] - 1];
        if (n->parent == parent && n->file == file && n->func == func &&
            n->firstline == first && n->line == line)
            return n->id;
        k = (k + 1) & s->mask;
    }
    if (s->count >= STACKIDS_MAX)
        return 0;
    if (s->count == s->cap) {
        uint32_t ncap = s->cap ? s->cap * 2 : 256;
        mw_stack_node *nn = realloc(s->nodes, (size_t)ncap * sizeof *nn);
        if (!nn)
            return 0;
        s->nodes = nn;
        s->cap = ncap;
    }
    mw_stack_node *n = &s->nodes[s->count];
    n->id = ++s->count;
    n->parent = parent;
    n->file = file;
    n->func = func;
    n->firstline = first;
    n->line = line;
    s->slots[k] = n->id;
    if ((uint64_t)s->count * 2 > s->mask && grow_slots(s) < 0) {
        /* the table still works, only slower; the next insert retries the growth */
    }
    return n->id;
}

uint32_t stackids_intern(stackids *s, const py_frame *frames, int depth)
{
    uint32_t id = 0;
    for (int i = depth - 1; i >= 0; i--) {
        const py_frame *f = &frames[i];
        uint32_t next = node_get(s, id, f->file, f->func, f->firstline, f->line);
        if (!next)
            return id;
        id = next;
    }
    return id;
}

uint32_t stackids_pseudo(stackids *s, const char *file, const char *func)
{
    return node_get(s, 0, file, func, 0, 0);
}

const mw_stack_node *stackids_node(const stackids *s, uint32_t id)
{
    return id >= 1 && id <= s->count ? &s->nodes[id - 1] : NULL;
}

uint32_t stackids_count(const stackids *s)
{
    return s->count;
}

void stackids_free(stackids *s)
{
    if (!s)
        return;
    free(s->nodes);
    free(s->slots);
    free(s);
}
