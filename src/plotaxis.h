/* plotaxis: the arithmetic of a memory plot — axis ticks in human units,
 * scaling to pixels, where marker labels go (pure, no drawing). */
#ifndef MW_PLOTAXIS_H
#define MW_PLOTAXIS_H

#include <stddef.h>

#define PLOTAXIS_MAX_TICKS 24

typedef struct plotaxis {
    double lo, hi;                     /* the axis spans [lo, hi] (data units: bytes, seconds) */
    double step;                       /* between two ticks */
    double ticks[PLOTAXIS_MAX_TICKS];
    size_t n;
    double unit;                       /* bytes: the unit labels are written in (1, 1024, 1024^2, ...) */
    const char *unit_name;             /* "B", "KiB", "MiB", ... ("s" for time) */
} plotaxis;

/* A memory axis from 0 up to at least max_bytes, with at most max_ticks
 * (2..PLOTAXIS_MAX_TICKS) ticks at 1, 2 or 5 times a power of ten of one
 * binary unit, the top rounded up to a tick. */
void plotaxis_bytes(double max_bytes, int max_ticks, plotaxis *a);

/* A time axis over [lo, hi] seconds (kept as given) with ticks at a step
 * people read (1-2-5 below a second, then 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10,
 * 15, 30 min, 1, 2, 3, 6, 12 h, days), at most max_ticks of them. */
void plotaxis_time(double lo, double hi, int max_ticks, plotaxis *a);

/* Writes tick value v of a bytes axis as "0", "512 KiB", "1.5 GiB" to buf. */
char *plotaxis_bytes_label(const plotaxis *a, double v, char *buf, size_t len);

/* Writes time v (seconds) on an axis of that step as "0", "5ms" (steps
 * under 10 ms), "0.5s", "12s", "1m30s", "2h", "1h30m", "1d" to buf. */
char *plotaxis_time_label(const plotaxis *a, double v, char *buf, size_t len);

/* Maps v from [lo, hi] to [p0, p1] (p1 < p0 flips it, as for y); a
 * zero-width range maps to the middle, and the result is clamped to the ends. */
double plotaxis_map(double v, double lo, double hi, double p0, double p1);

/* Places n marker labels: label i starts right of x[i] (or ends left of it
 * when it would pass right_edge) and is w[i] wide; each gets the lowest row
 * (0..max_rows-1) where it overlaps no label already placed, in the order
 * given, with gap between labels. row[i] = -1 when no row is free; left[i]
 * is where label i starts. */
void plotaxis_place_labels(const double *x, const double *w, size_t n, double right_edge, double gap,
                           int max_rows, int *row, double *left);

#endif
