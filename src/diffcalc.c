/* diffcalc: two sessions' line or function sums side by side. */
#include "diffcalc.h"

#include <stdlib.h>
#include <string.h>

/* Writes the place key of r (file, then line or function) to buf. Returns its length, or 0 if too long. */
static size_t place_key(const diff_table *t, const store_report_row *r, char *buf, size_t len)
{
    /* lines: pseudo frames all sit on line 0 and are told apart by their function */
    const char *func = t->functions || r->line <= 0 ? r->func : "";
    int32_t line = t->functions ? 0 : r->line;
    size_t lf = strlen(r->file), lu = strlen(func), n = lf + 1 + sizeof line + lu;
    if (n > len)
        return 0;
    memcpy(buf, r->file, lf + 1);
    memcpy(buf + lf + 1, &line, sizeof line);
    memcpy(buf + lf + 1 + sizeof line, func, lu);
    return n;
}

int diffcalc_add(diff_table *t, int side, const store_report_row *r)
{
    char key[IDCACHE_MAX_KEY];
    size_t klen = place_key(t, r, key, sizeof key);
    int64_t at = klen ? idcache_get(&t->index, key, klen) : 0;
    diff_row *d;
    if (at > 0 && (size_t)at <= t->n) {
        d = &t->items[at - 1];
    } else {
        if (t->n == t->cap) {
            size_t cap = t->cap ? t->cap * 2 : 128;
            diff_row *ni = realloc(t->items, cap * sizeof *ni);
            if (!ni)
                return -1;
            t->items = ni;
            t->cap = cap;
        }
        d = &t->items[t->n];
        memset(d, 0, sizeof *d);
        d->file = strdup(r->file);
        d->func = strdup(r->func);
        d->text = r->text ? strdup(r->text) : NULL;
        d->line = r->line;
        if (!d->file || !d->func || (r->text && !d->text) ||
            (klen && idcache_put(&t->index, key, klen, (int64_t)t->n + 1) < 0)) {
            free(d->file), free(d->func), free(d->text);
            return -1;
        }
        t->n++;
    }
    side = side ? 1 : 0;
    d->growth[side] += r->growth;
    d->net[side] += r->net;
    d->seen[side] = 1;
    if (!d->text && r->text && !(d->text = strdup(r->text)))
        return -1;
    return 0;
}

int64_t diffcalc_growth(const diff_row *r)
{
    return r->growth[1] - r->growth[0];
}

static int by_difference(const void *a, const void *b)
{
    const diff_row *x = a, *y = b;
    int64_t dx = diffcalc_growth(x), dy = diffcalc_growth(y);
    uint64_t ax = dx < 0 ? 0 - (uint64_t)dx : (uint64_t)dx, ay = dy < 0 ? 0 - (uint64_t)dy : (uint64_t)dy;
    if (ax != ay)
        return ax > ay ? -1 : 1;
    int c = strcmp(x->file, y->file);
    if (c)
        return c;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return strcmp(x->func, y->func);
}

void diffcalc_sort(diff_table *t)
{
    if (t->n > 1)
        qsort(t->items, t->n, sizeof *t->items, by_difference);
    idcache_clear(&t->index);   /* positions moved */
}

void diffcalc_free(diff_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->items[i].file);
        free(t->items[i].func);
        free(t->items[i].text);
    }
    free(t->items);
    idcache_clear(&t->index);
    t->items = NULL;
    t->n = t->cap = 0;
}
