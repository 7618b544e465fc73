/* plotaxis: axis ticks, scaling and label placement for memory plots. */
#include "plotaxis.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The smallest 1, 2 or 5 times a power of ten that is >= x (x > 0). */
static double nice_step(double x)
{
    double p = pow(10, floor(log10(x)));
    static const double m[] = { 1, 2, 5, 10 };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (m[i] * p >= x * (1 - 1e-9))
            return m[i] * p;
    return 10 * p;
}

static int clamp_ticks(int max_ticks)
{
    return max_ticks < 2 ? 2 : max_ticks > PLOTAXIS_MAX_TICKS ? PLOTAXIS_MAX_TICKS : max_ticks;
}

void plotaxis_bytes(double max_bytes, int max_ticks, plotaxis *a)
{
    static const char *names[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
    memset(a, 0, sizeof *a);
    max_ticks = clamp_ticks(max_ticks);
    if (!(max_bytes > 0) || !isfinite(max_bytes))
        max_bytes = 1024;   /* nothing known: an empty axis of 1 KiB */
    size_t u = 0;
    double unit = 1;
    while (u + 1 < sizeof names / sizeof names[0] && max_bytes >= unit * 1024) {
        unit *= 1024;
        u++;
    }
    a->unit = unit;
    a->unit_name = names[u];
    double top = max_bytes / unit;
    double step = nice_step(top / (max_ticks - 1));
    if (u == 0 && step < 1)
        step = 1;   /* no fractions of a byte */
    size_t n = (size_t)ceil(top / step - 1e-9) + 1;
    while (n > (size_t)max_ticks) {
        step = nice_step(step * 1.0001);
        n = (size_t)ceil(top / step - 1e-9) + 1;
    }
    if (n < 2)
        n = 2;
    for (size_t i = 0; i < n; i++)
        a->ticks[i] = (double)i * step * unit;
    a->n = n;
    a->step = step * unit;
    a->lo = 0;
    a->hi = a->ticks[n - 1];
}

void plotaxis_time(double lo, double hi, int max_ticks, plotaxis *a)
{
    static const double steps[] = { 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800,
                                    21600, 43200, 86400 };
    memset(a, 0, sizeof *a);
    max_ticks = clamp_ticks(max_ticks);
    if (!isfinite(lo))
        lo = 0;
    if (!isfinite(hi) || hi <= lo)
        hi = lo + 1;
    a->lo = lo;
    a->hi = hi;
    a->unit = 1;
    a->unit_name = "s";
    double want = (hi - lo) / (max_ticks - 1), step = 0;
    if (want < 1) {
        step = nice_step(want);
    } else {
        for (size_t i = 0; i < sizeof steps / sizeof steps[0] && !step; i++)
            if (steps[i] >= want)
                step = steps[i];
        if (!step)
            step = 86400 * nice_step(want / 86400);
    }
    double first = ceil(lo / step - 1e-9) * step;
    size_t n = 0;
    for (double v = first; v <= hi + step * 1e-9 && n < PLOTAXIS_MAX_TICKS; v = first + (double)n * step)
        a->ticks[n++] = fabs(v) < step * 1e-9 ? 0 : v;
    a->n = n;
    a->step = step;
}

/* Decimals needed to write multiples of step (in its unit) exactly enough. */
static int decimals(double step)
{
    int d = 0;
    while (d < 6 && fabs(step * pow(10, d) - round(step * pow(10, d))) > 1e-6)
        d++;
    return d;
}

char *plotaxis_bytes_label(const plotaxis *a, double v, char *buf, size_t len)
{
    if (fabs(v) < a->step * 1e-9) {
        snprintf(buf, len, "0");
        return buf;
    }
    double unit = a->unit > 0 ? a->unit : 1;
    snprintf(buf, len, "%.*f %s", decimals(a->step / unit), v / unit, a->unit_name ? a->unit_name : "B");
    return buf;
}

char *plotaxis_time_label(const plotaxis *a, double v, char *buf, size_t len)
{
    double step = a->step > 0 ? a->step : 1;
    const char *sign = v < 0 ? "-" : "";
    v = fabs(v);
    if (v < step * 1e-9) {
        snprintf(buf, len, "0");
    } else if (step < 0.01 && v < 1) {
        snprintf(buf, len, "%s%.*fms", sign, decimals(step * 1000), v * 1000);
    } else if (v < 60) {
        snprintf(buf, len, "%s%.*fs", sign, step < 1 ? decimals(step) : 0, v);
    } else if (v < 3600 && step < 1) {
        /* sub-second ticks past a minute: keep the decimals */
        int d = decimals(step);
        double sec = fmod(v, 60);
        snprintf(buf, len, "%s%ldm%0*.*fs", sign, (long)(v / 60), d + 3, d, sec);
    } else if (v < 3600) {
        long s = lround(v);
        if (s % 60)
            snprintf(buf, len, "%s%ldm%02lds", sign, s / 60, s % 60);
        else
            snprintf(buf, len, "%s%ldm", sign, s / 60);
    } else if (v < 86400) {
        long m = lround(v / 60);
        if (m % 60)
            snprintf(buf, len, "%s%ldh%02ldm", sign, m / 60, m % 60);
        else
            snprintf(buf, len, "%s%ldh", sign, m / 60);
    } else {
        long h = lround(v / 3600);
        if (h % 24)
            snprintf(buf, len, "%s%ldd%02ldh", sign, h / 24, h % 24);
        else
            snprintf(buf, len, "%s%ldd", sign, h / 24);
    }
    return buf;
}

double plotaxis_map(double v, double lo, double hi, double p0, double p1)
{
    if (!(hi > lo) || !isfinite(v))
        return (p0 + p1) / 2;
    double f = (v - lo) / (hi - lo);
    if (f < 0)
        f = 0;
    if (f > 1)
        f = 1;
    return p0 + f * (p1 - p0);
}

void plotaxis_place_labels(const double *x, const double *w, size_t n, double right_edge, double gap,
                           int max_rows, int *row, double *left)
{
    for (size_t i = 0; i < n; i++) {
        double l = x[i] + gap;
        if (l + w[i] > right_edge)
            l = x[i] - gap - w[i];
        left[i] = l;
        row[i] = -1;
        for (int r = 0; r < max_rows && row[i] < 0; r++) {
            int free_row = 1;
            for (size_t j = 0; j < i && free_row; j++)
                if (row[j] == r && l < left[j] + w[j] + gap && left[j] < l + w[i] + gap)
                    free_row = 0;
            if (free_row)
                row[i] = r;
        }
    }
}
