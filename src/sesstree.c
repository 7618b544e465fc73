/* sesstree: sessions in tree order, each child right under its parent. */
#include "sesstree.h"

#include <stdlib.h>

/* Index of id in the sorted ids, or n. */
static size_t find(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && ids[lo] == id ? lo : n;
}

int sesstree_order(const int64_t *ids, const int64_t *parents, size_t n, size_t *order, int *depth)
{
    if (n == 0)
        return 0;
    size_t *parent = malloc(n * sizeof *parent);      /* parent index, n = root */
    size_t *first = calloc(n + 2, sizeof *first);     /* children of i: kids[first[i]..first[i+1]) */
    size_t *kids = malloc(n * sizeof *kids);
    size_t *stack = malloc(n * sizeof *stack);
    if (!parent || !first || !kids || !stack) {
        free(parent), free(first), free(kids), free(stack);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        size_t p = parents[i] > 0 && parents[i] < ids[i] ? find(ids, n, parents[i]) : n;
        parent[i] = p;
        first[p + 1]++;   /* roots are the children of n */
    }
    for (size_t i = 1; i <= n + 1; i++)
        first[i] += first[i - 1];
    /* fill in id order so children come out sorted */
    size_t *fill = calloc(n + 1, sizeof *fill);
    if (!fill) {
        free(parent), free(first), free(kids), free(stack);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        size_t p = parent[i];
        kids[first[p] + fill[p]++] = i;
    }
    free(fill);
    /* depth first: push children in reverse so the lowest id comes out first */
    size_t sp = 0, out = 0;
    for (size_t k = first[n + 1]; k > first[n]; k--)
        stack[sp++] = kids[k - 1];
    while (sp) {
        size_t i = stack[--sp];
        size_t p = parent[i];
        depth[i] = p == n ? 0 : depth[p] < SESSTREE_MAX_DEPTH ? depth[p] + 1 : SESSTREE_MAX_DEPTH;
        order[out++] = i;
        for (size_t k = first[i + 1]; k > first[i]; k--)
            stack[sp++] = kids[k - 1];
    }
    free(parent), free(first), free(kids), free(stack);
    return 0;
}
