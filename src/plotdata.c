/* plotdata: memory series, children summed in, the moments lines grew. */
#include "plotdata.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int plotdata_append(plot_series *s, double t, const double fig[PLOT_NFIGS])
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        double *nt = realloc(s->t, cap * sizeof *nt);
        if (!nt)
            return -1;
        s->t = nt;
        for (int k = 0; k < PLOT_NFIGS; k++) {
            double *nv = realloc(s->v[k], cap * sizeof *nv);
            if (!nv)
                return -1;
            s->v[k] = nv;
        }
        s->cap = cap;
    }
    s->t[s->n] = t;
    for (int k = 0; k < PLOT_NFIGS; k++)
        s->v[k][s->n] = fig[k] >= 0 && isfinite(fig[k]) ? fig[k] : NAN;
    s->n++;
    return 0;
}

void plotdata_add_child(plot_series *s, const plot_series *c, double hold)
{
    size_t j = 0;
    for (size_t i = 0; i < s->n; i++) {
        while (j + 1 < c->n && c->t[j + 1] <= s->t[i])
            j++;
        if (j >= c->n || c->t[j] > s->t[i] || s->t[i] - c->t[j] > hold)
            continue;
        for (int k = 0; k < PLOT_NFIGS; k++)
            if (!isnan(s->v[k][i]) && !isnan(c->v[k][j]))
                s->v[k][i] += c->v[k][j];
    }
}

double plotdata_max(const plot_series *s)
{
    double m = 0;
    for (int k = 0; k < PLOT_NFIGS; k++)
        for (size_t i = 0; i < s->n; i++)
            if (s->v[k][i] > m)
                m = s->v[k][i];
    return m;
}

void plotdata_free(plot_series *s)
{
    free(s->t);
    for (int k = 0; k < PLOT_NFIGS; k++)
        free(s->v[k]);
    memset(s, 0, sizeof *s);
}

size_t plotdata_pick(const int64_t *growth, size_t n, size_t max, size_t *pick, long *best)
{
    *best = -1;
    for (size_t i = 0; i < n; i++)
        if (growth[i] > 0 && (*best < 0 || growth[i] > growth[*best]))
            *best = (long)i;
    if (*best < 0 || max == 0)
        return 0;
    int64_t floor_ = growth[*best] / 4;
    size_t k = 0;
    /* take the largest max of those reaching the floor: repeated selection keeps it simple and bounded */
    while (k < max) {
        long pickme = -1;
        for (size_t i = 0; i < n; i++) {
            if (growth[i] <= 0 || growth[i] < floor_)
                continue;
            int taken = 0;
            for (size_t q = 0; q < k && !taken; q++)
                taken = pick[q] == i;
            if (!taken && (pickme < 0 || growth[i] > growth[pickme]))
                pickme = (long)i;
        }
        if (pickme < 0)
            break;
        pick[k++] = (size_t)pickme;
    }
    /* time order */
    for (size_t a = 1; a < k; a++)
        for (size_t b = a; b > 0 && pick[b - 1] > pick[b]; b--) {
            size_t tmp = pick[b];
            pick[b] = pick[b - 1];
            pick[b - 1] = tmp;
        }
    return k;
}
