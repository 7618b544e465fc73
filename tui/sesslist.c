/* sesslist: the rows of the sessions screen — sorted, filtered, children under parents. */
#include "sesslist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "sesstree.h"

const char *sesslist_sort_name(int sort)
{
    switch (sort) {
    case SL_OLDEST:
        return "oldest first";
    case SL_PEAK:
        return "peak RSS";
    case SL_GROWTH:
        return "growth/min";
    case SL_DURATION:
        return "duration";
    case SL_COMMAND:
        return "command";
    default:
        return "newest first";
    }
}

int sesslist_match(const sl_entry *e, const char *filter)
{
    if (!filter || !*filter)
        return 1;
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)e->id);
    return match_contains(e->cmdline ? e->cmdline : "", filter) || strcmp(id, filter) == 0;
}

char *sesslist_short_command(const char *cmd, char *buf, size_t len)
{
    if (!len)
        return buf;
    size_t o = 0;
    const char *p = cmd ? cmd : "";
    while (*p && o + 1 < len) {
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *w = p;
        if (*p == '/' && n > 1) {
            /* the part after the last '/' of this word, if there is one */
            for (size_t i = n; i > 1; i--)
                if (p[i - 1] == '/') {
                    if (i < n)
                        w = p + i;
                    break;
                }
        }
        size_t wn = n - (size_t)(w - p);
        if (wn > len - 1 - o)
            wn = len - 1 - o;
        memcpy(buf + o, w, wn);
        o += wn;
        p += n;
        while (*p == ' ' && o + 1 < len) {
            buf[o++] = ' ';
            p++;
        }
    }
    buf[o] = '\0';
    return buf;
}

typedef struct block {
    size_t first, count;       /* a run of the tree order: a root and its descendants */
    const sl_entry *root;
} block;

/* Bigger first for numbers, NAN/unknown last; ties newest first. */
static int cmp_num(double a, double b)
{
    int na = isnan(a), nb = isnan(b);
    if (na || nb)
        return na - nb;
    return a > b ? -1 : a < b ? 1 : 0;
}

static int by_key(const void *pa, const void *pb, void *arg)
{
    const sl_entry *a = ((const block *)pa)->root, *b = ((const block *)pb)->root;
    int c = 0;
    switch (*(const int *)arg) {
    case SL_OLDEST:
        c = a->id < b->id ? -1 : a->id > b->id;
        break;
    case SL_PEAK:
        c = cmp_num(a->peak == INT64_MIN ? NAN : (double)a->peak, b->peak == INT64_MIN ? NAN : (double)b->peak);
        break;
    case SL_GROWTH:
        c = cmp_num(a->growth_per_min, b->growth_per_min);
        break;
    case SL_DURATION:
        c = cmp_num(a->duration, b->duration);
        break;
    case SL_COMMAND:
        c = strcmp(a->cmdline ? a->cmdline : "", b->cmdline ? b->cmdline : "");
        break;
    default:
        break;
    }
    if (c == 0)
        c = a->id > b->id ? -1 : a->id < b->id;
    return c;
}

long sesslist_order(const sl_entry *e, size_t n, int sort, const char *filter, size_t *order, int *depth,
                    int *hidden)
{
    if (n == 0)
        return 0;
    int64_t *ids = malloc(n * sizeof *ids), *parents = malloc(n * sizeof *parents);
    size_t *tree = malloc(n * sizeof *tree);
    int *tdepth = malloc(n * sizeof *tdepth);
    block *blocks = malloc(n * sizeof *blocks);
    long out = -1;
    if (!ids || !parents || !tree || !tdepth || !blocks)
        goto done;
    for (size_t i = 0; i < n; i++) {
        ids[i] = e[i].id;
        parents[i] = e[i].parent;
    }
    if (sesstree_order(ids, parents, n, tree, tdepth) < 0)
        goto done;
    size_t nb = 0;
    for (size_t k = 0; k < n; k++) {
        if (tdepth[tree[k]] == 0 || nb == 0)
            blocks[nb++] = (block){ k, 0, &e[tree[k]] };
        blocks[nb - 1].count++;
    }
    qsort_r(blocks, nb, sizeof *blocks, by_key, &sort);
    out = 0;
    for (size_t b = 0; b < nb; b++) {
        int root_match = sesslist_match(blocks[b].root, filter), any = root_match;
        for (size_t k = 1; k < blocks[b].count && !any; k++)
            any = sesslist_match(&e[tree[blocks[b].first + k]], filter);
        if (!any)
            continue;
        int fold = blocks[b].root->folded && blocks[b].count > 1;
        for (size_t k = 0; k < (fold ? 1 : blocks[b].count); k++) {
            size_t i = tree[blocks[b].first + k];
            if (k > 0 && !root_match && !sesslist_match(&e[i], filter))
                continue;
            order[out] = i;
            depth[out] = tdepth[i];
            if (hidden)
                hidden[out] = fold ? (int)(blocks[b].count - 1) : 0;
            out++;
        }
    }
done:
    free(ids), free(parents), free(tree), free(tdepth), free(blocks);
    return out;
}
