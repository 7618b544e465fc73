/* sesstree: sessions in tree order, each child right under its parent (pure). */
#ifndef MW_SESSTREE_H
#define MW_SESSTREE_H

#include <stddef.h>
#include <stdint.h>

#define SESSTREE_MAX_DEPTH 64   /* deeper descendants are shown at this depth */

/* Given n sessions sorted by id (ids[i], parents[i], 0 = none), fills order[]
 * with the indexes in display order (roots by id, each followed by its
 * descendants depth first) and depth[i] with each index's depth. A parent
 * that is missing or not older than its child counts as none.
 * Returns 0, or -1 when out of memory. */
int sesstree_order(const int64_t *ids, const int64_t *parents, size_t n, size_t *order, int *depth);

#endif
