/* idcache: an in-memory map from a byte key to a database id (pure, no I/O). */
#ifndef MW_IDCACHE_H
#define MW_IDCACHE_H

#include <stddef.h>
#include <stdint.h>

#define IDCACHE_MAX_ENTRIES (1u << 22)   /* past this the cache starts over */
#define IDCACHE_MAX_KEY 65536            /* longer keys are not cached */

typedef struct idcache {
    struct idcache_slot *slots;
    size_t mask;        /* slot count - 1, or 0 before the first put */
    size_t n;
} idcache;

/* Returns the id stored for key, or 0 if there is none. */
int64_t idcache_get(const idcache *c, const void *key, size_t len);

/* Stores id (> 0) for key; a full cache starts over. Returns 0, or -1 when out of memory. */
int idcache_put(idcache *c, const void *key, size_t len, int64_t id);

/* Forgets every entry (keeps nothing allocated). */
void idcache_clear(idcache *c);

#endif
