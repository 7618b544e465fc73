/* axis: tick positions and short labels for memory (bytes) and time axes. */
#include "axis.h"

#include <math.h>
#include <stdio.h>

double axis_step_bytes(double range, int max_ticks)
{
    static const double mult[] = { 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 256, 500, 512 };
    if (max_ticks < 1)
        max_ticks = 1;
    if (!(range > 0) || !isfinite(range))
        return 1;
    double unit = 1;
    while (range / unit >= 1024.0 && unit < 1e18)
        unit *= 1024.0;
    /* steps of the unit below first: 1.5 GiB reads better in 256M steps than in 1G ones */
    for (double u = unit > 1 ? unit / 1024.0 : unit; u <= unit; u *= 1024.0)
        for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++)
            if (range / (mult[i] * u) <= max_ticks)
                return mult[i] * u;
    for (double step = unit * 1024.0; step < 1e21; step *= 2)
        if (range / step <= max_ticks)
            return step;
    return range;
}

void axis_bytes_range(double lo, double hi, int max_ticks, double *vmin, double *vmax, double *step)
{
    if (!isfinite(lo) || !isfinite(hi) || hi < lo) {
        lo = 0;
        hi = 1;
    }
    if (lo < 0 || lo < hi * 0.6)
        lo = lo < 0 ? lo : 0;
    if (hi <= lo)
        hi = lo + 1;
    double st = axis_step_bytes(hi - lo, max_ticks);
    double a = floor(lo / st) * st, b = ceil(hi / st) * st;
    if (b <= a)
        b = a + st;
    /* widening may need a bigger step */
    st = axis_step_bytes(b - a, max_ticks);
    a = floor(lo / st) * st;
    b = ceil(hi / st) * st;
    if (b <= a)
        b = a + st;
    *vmin = a;
    *vmax = b;
    *step = st;
}

char *axis_label_bytes(double v, char *buf, size_t len)
{
    static const char units[] = "BKMGTPE";
    const char *sign = v < 0 ? "-" : "";
    double a = fabs(v);
    if (a < 0.5) {
        snprintf(buf, len, "0");
        return buf;
    }
    int u = 0;
    while (a >= 1024.0 && u < 6) {
        a /= 1024.0;
        u++;
    }
    double whole = round(a);
    if (fabs(a - whole) < 0.05 || a >= 100)
        snprintf(buf, len, "%s%.0f%c", sign, whole, units[u]);
    else if (a >= 10)
        snprintf(buf, len, "%s%.0f%c", sign, a, units[u]);
    else
        snprintf(buf, len, "%s%.1f%c", sign, a, units[u]);
    return buf;
}

double axis_step_time(double range, int max_ticks)
{
    static const double steps[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
                                    3600, 7200, 10800, 21600, 43200, 86400 };
    if (max_ticks < 1)
        max_ticks = 1;
    if (!(range > 0) || !isfinite(range))
        return 1;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (range / steps[i] <= max_ticks)
            return steps[i];
    double days = ceil(range / max_ticks / 86400.0);
    return days * 86400.0;
}

char *axis_label_time(double s, char *buf, size_t len)
{
    if (!isfinite(s) || s <= 0)
        s = 0;   /* -0.0 too */
    if (s < 60) {
        double r = round(s);
        if (fabs(s - r) < 0.05)
            snprintf(buf, len, "%.0fs", r);
        else
            snprintf(buf, len, "%.1fs", s);
        return buf;
    }
    long t = lround(s);
    if (t < 3600) {
        if (t % 60)
            snprintf(buf, len, "%ldm%02ld", t / 60, t % 60);
        else
            snprintf(buf, len, "%ldm", t / 60);
    } else if (t < 86400 * 2) {
        long m = (t + 30) / 60;
        if (m % 60)
            snprintf(buf, len, "%ldh%02ld", m / 60, m % 60);
        else
            snprintf(buf, len, "%ldh", m / 60);
    } else {
        long h = (t + 1800) / 3600;
        if (h % 24)
            snprintf(buf, len, "%ldd%02ld", h / 24, h % 24);
        else
            snprintf(buf, len, "%ldd", h / 24);
    }
    return buf;
}
