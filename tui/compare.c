/* compare: two sessions' per-line growth side by side. */
#include "compare.h"

#include <stdlib.h>
#include <string.h>

static int by_place(const void *x, const void *y)
{
    const cmp_in *a = *(const cmp_in *const *)x, *b = *(const cmp_in *const *)y;
    int c = strcmp(a->file, b->file);
    if (c)
        return c;
    return a->line < b->line ? -1 : a->line > b->line;
}

int64_t compare_diff(const cmp_row *r)
{
    return r->b_growth - r->a_growth;
}

static int by_diff(const void *x, const void *y)
{
    const cmp_row *a = x, *b = y;
    int64_t da = compare_diff(a), db = compare_diff(b);
    uint64_t ua = da < 0 ? -(uint64_t)da : (uint64_t)da, ub = db < 0 ? -(uint64_t)db : (uint64_t)db;
    if (ua != ub)
        return ua > ub ? -1 : 1;
    int c = strcmp(a->file, b->file);
    if (c)
        return c;
    return a->line < b->line ? -1 : a->line > b->line;
}

/* Sorted pointers to the rows of one side. */
static const cmp_in **sorted(const cmp_in *v, size_t n)
{
    const cmp_in **p = malloc((n ? n : 1) * sizeof *p);
    if (!p)
        return NULL;
    for (size_t i = 0; i < n; i++)
        p[i] = &v[i];
    qsort(p, n, sizeof *p, by_place);
    return p;
}

long compare_join(const cmp_in *a, size_t na, const cmp_in *b, size_t nb, cmp_row *out)
{
    const cmp_in **pa = sorted(a, na), **pb = sorted(b, nb);
    if (!pa || !pb) {
        free(pa);
        free(pb);
        return -1;
    }
    size_t i = 0, j = 0, n = 0;
    while (i < na || j < nb) {
        int c = i >= na ? 1 : j >= nb ? -1 : by_place(&pa[i], &pb[j]);
        cmp_row *r = &out[n++];
        memset(r, 0, sizeof *r);
        const cmp_in *src = c <= 0 ? pa[i] : pb[j];
        r->file = src->file;
        r->line = src->line;
        r->func = src->func;
        r->text = src->text;
        /* a line charged under several functions appears once per side: sum them */
        if (c <= 0) {
            r->in_a = 1;
            r->a_growth = pa[i]->growth;
            r->a_net = pa[i]->net;
            i++;
        }
        if (c >= 0) {
            r->in_b = 1;
            r->b_growth = pb[j]->growth;
            r->b_net = pb[j]->net;
            if (!r->text)
                r->text = pb[j]->text;
            j++;
        }
        if (n > 1) {
            cmp_row *p = &out[n - 2];
            if (p->line == r->line && strcmp(p->file, r->file) == 0) {
                p->in_a |= r->in_a;
                p->in_b |= r->in_b;
                p->a_growth += r->a_growth;
                p->b_growth += r->b_growth;
                p->a_net += r->a_net;
                p->b_net += r->b_net;
                if (!p->text)
                    p->text = r->text;
                n--;
            }
        }
    }
    free(pa);
    free(pb);
    qsort(out, n, sizeof *out, by_diff);
    return (long)n;
}
