/* idcache: an in-memory map from a byte key to a database id. */
#include "idcache.h"

#include <stdlib.h>
#include <string.h>

struct idcache_slot {
    uint64_t hash;
    char *key;          /* NULL: empty slot */
    size_t len;
    int64_t id;
};

/* FNV-1a, 64 bit. */
static uint64_t hash_bytes(const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

int64_t idcache_get(const idcache *c, const void *key, size_t len)
{
    if (!c->slots || len > IDCACHE_MAX_KEY)
        return 0;
    uint64_t h = hash_bytes(key, len);
    for (size_t i = (size_t)h & c->mask, probes = 0; probes <= c->mask; i = (i + 1) & c->mask, probes++) {
        const struct idcache_slot *s = &c->slots[i];
        if (!s->key)
            return 0;
        if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
            return s->id;
    }
    return 0;
}

/* Places an owned key into a table known to have room. */
static void place(struct idcache_slot *slots, size_t mask, struct idcache_slot item)
{
    size_t i = (size_t)item.hash & mask;
    while (slots[i].key)
        i = (i + 1) & mask;
    slots[i] = item;
}

static int grow(idcache *c)
{
    size_t cap = c->slots ? (c->mask + 1) * 2 : 256;
    struct idcache_slot *ns = calloc(cap, sizeof *ns);
    if (!ns)
        return -1;
    if (c->slots) {
        for (size_t i = 0; i <= c->mask; i++)
            if (c->slots[i].key)
                place(ns, cap - 1, c->slots[i]);
        free(c->slots);
    }
    c->slots = ns;
    c->mask = cap - 1;
    return 0;
}

int idcache_put(idcache *c, const void *key, size_t len, int64_t id)
{
    if (len > IDCACHE_MAX_KEY || id <= 0)
        return 0;   /* not cached: the caller asks the database next time */
    if (c->n >= IDCACHE_MAX_ENTRIES)
        idcache_clear(c);
    if (!c->slots || (c->n + 1) * 4 > (c->mask + 1) * 3) {
        if (grow(c) < 0)
            return -1;
    }
    uint64_t h = hash_bytes(key, len);
    for (size_t i = (size_t)h & c->mask;; i = (i + 1) & c->mask) {
        struct idcache_slot *s = &c->slots[i];
        if (!s->key)
            break;
        if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0) {
            s->id = id;
            return 0;
        }
    }
    char *copy = malloc(len ? len : 1);
    if (!copy)
        return -1;
    if (len)
        memcpy(copy, key, len);
    place(c->slots, c->mask, (struct idcache_slot){ h, copy, len, id });
    c->n++;
    return 0;
}

void idcache_clear(idcache *c)
{
    if (c->slots)
        for (size_t i = 0; i <= c->mask; i++)
            free(c->slots[i].key);
    free(c->slots);
    c->slots = NULL;
    c->mask = 0;
    c->n = 0;
}
