/* slope: Theil–Sen fit over a sliding window (pure). */
#include "slope.h"

#include <math.h>
#include <stdlib.h>

#define PAIRS (SLOPE_MAX_POINTS * (SLOPE_MAX_POINTS - 1) / 2)

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int slope_theil_sen(const double *t, const double *v, size_t n, double *slope)
{
    double s[PAIRS];
    size_t m = 0;
    if (n > SLOPE_MAX_POINTS)
        n = SLOPE_MAX_POINTS;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(t[i]) || !isfinite(v[i]))
            continue;
        for (size_t j = i + 1; j < n; j++) {
            double dt = t[j] - t[i];
            if (!isfinite(t[j]) || !isfinite(v[j]) || fabs(dt) < 1e-9)
                continue;
            s[m++] = (v[j] - v[i]) / dt;
        }
    }
    if (m == 0)
        return -1;
    /* at most a few thousand slopes: sorting them is cheap and plainly right */
    qsort(s, m, sizeof *s, cmp_double);
    *slope = m % 2 ? s[m / 2] : (s[m / 2 - 1] + s[m / 2]) / 2;
    return 0;
}

void slope_window_init(slope_window *w, double span)
{
    w->span = span > 0 ? span : 1;
    w->head = w->n = 0;
}

static size_t at(const slope_window *w, size_t i)
{
    return (w->head + i) % SLOPE_MAX_POINTS;
}

int slope_window_add(slope_window *w, double t, double v)
{
    if (!isfinite(t) || !isfinite(v))
        return 0;
    if (w->n) {
        double last = w->t[at(w, w->n - 1)];
        if (t < last + w->span / (SLOPE_MAX_POINTS - 4))
            return 0;
    }
    while (w->n && w->t[w->head] < t - w->span) {
        w->head = (w->head + 1) % SLOPE_MAX_POINTS;
        w->n--;
    }
    if (w->n == SLOPE_MAX_POINTS) {
        w->head = (w->head + 1) % SLOPE_MAX_POINTS;
        w->n--;
    }
    size_t k = at(w, w->n);
    w->t[k] = t;
    w->v[k] = v;
    w->n++;
    return 1;
}

double slope_window_fill(const slope_window *w)
{
    if (w->n < 2)
        return 0;
    double f = (w->t[at(w, w->n - 1)] - w->t[w->head]) / w->span;
    return f < 0 ? 0 : f > 1 ? 1 : f;
}

int slope_window_estimate(const slope_window *w, double *slope)
{
    double t[SLOPE_MAX_POINTS], v[SLOPE_MAX_POINTS];
    for (size_t i = 0; i < w->n; i++) {
        t[i] = w->t[at(w, i)];
        v[i] = w->v[at(w, i)];
    }
    return slope_theil_sen(t, v, w->n, slope);
}
