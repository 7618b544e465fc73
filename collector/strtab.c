/* strtab: interned strings in an arena (stable pointers) indexed by an open-addressing hash table. */
#include "strtab.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define STRTAB_MAX_STRINGS (1u << 22)          /* growth bound: past it, only known strings are found */
#define STRTAB_MAX_BYTES   ((size_t)256 << 20)
#define STRTAB_BLOCK       ((size_t)64 << 10)

typedef struct block {
    struct block *next;
    size_t used, size;
    char data[];
} block;

typedef struct slot {
    const char *s;
    uint32_t len;
    uint32_t hash;
} slot;

struct strtab {
    slot *slots;
    size_t cap;          /* power of two */
    size_t count;
    size_t bytes;
    block *blocks;       /* head is the block being filled */
};

static uint32_t hash_bytes(const char *s, size_t len)
{
    uint32_t h = 2166136261u;                  /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

strtab *strtab_new(void)
{
    strtab *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->cap = 1024;
    t->slots = calloc(t->cap, sizeof *t->slots);
    if (!t->slots) {
        free(t);
        return NULL;
    }
    return t;
}

static int grow(strtab *t)
{
    size_t ncap = t->cap * 2;
    slot *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i].s)
            continue;
        size_t j = t->slots[i].hash & (ncap - 1);
        while (ns[j].s)
            j = (j + 1) & (ncap - 1);
        ns[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = ns;
    t->cap = ncap;
    return 0;
}

/* Copies s[0..len) plus a NUL into the arena. */
static char *store(strtab *t, const char *s, size_t len)
{
    size_t need = len + 1;
    block *b = t->blocks;
    if (!b || b->size - b->used < need) {
        size_t size = need > STRTAB_BLOCK / 4 ? need : STRTAB_BLOCK;
        block *nb = malloc(sizeof *nb + size);
        if (!nb)
            return NULL;
        nb->used = 0;
        nb->size = size;
        if (b && size != STRTAB_BLOCK) {        /* a big string gets its own block behind the head */
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            t->blocks = nb;
        }
        b = nb;
    }
    char *p = b->data + b->used;
    memcpy(p, s, len);
    p[len] = '\0';
    b->used += need;
    t->bytes += need;
    return p;
}

const char *strtab_intern(strtab *t, const char *s, size_t len)
{
    if (!t || (!s && len) || len > UINT32_MAX)
        return NULL;
    if (!s)
        s = "";
    uint32_t h = hash_bytes(s, len);
    size_t i = h & (t->cap - 1);
    while (t->slots[i].s) {
        const slot *e = &t->slots[i];
        if (e->hash == h && e->len == len && memcmp(e->s, s, len) == 0)
            return e->s;
        i = (i + 1) & (t->cap - 1);
    }
    if (t->count >= STRTAB_MAX_STRINGS || t->bytes + len + 1 > STRTAB_MAX_BYTES)
        return NULL;
    if ((t->count + 1) * 4 > t->cap * 3) {      /* keep the load under 3/4 */
        if (grow(t) < 0)
            return NULL;
        i = h & (t->cap - 1);
        while (t->slots[i].s)
            i = (i + 1) & (t->cap - 1);
    }
    char *p = store(t, s, len);
    if (!p)
        return NULL;
    t->slots[i].s = p;
    t->slots[i].len = (uint32_t)len;
    t->slots[i].hash = h;
    t->count++;
    return p;
}

size_t strtab_count(const strtab *t)
{
    return t ? t->count : 0;
}

void strtab_free(strtab *t)
{
    if (!t)
        return;
    block *b = t->blocks;
    while (b) {
        block *n = b->next;
        free(b);
        b = n;
    }
    free(t->slots);
    free(t);
}
