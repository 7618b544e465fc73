/* slope: how fast a memory figure grows — a Theil–Sen fit over a sliding window (pure). */
#ifndef MW_SLOPE_H
#define MW_SLOPE_H

#include <stddef.h>

#define SLOPE_MAX_POINTS 64   /* points kept per window: the fit compares every pair */

/* The points of the last `span` seconds, at most one every span/(SLOPE_MAX_POINTS-4) s. */
typedef struct slope_window {
    double span;
    double t[SLOPE_MAX_POINTS], v[SLOPE_MAX_POINTS];
    size_t head, n;             /* oldest at head, ring of n points */
} slope_window;

/* Median of the pairwise slopes (v_j - v_i)/(t_j - t_i) of points with distinct
 * times. Returns 0 with *slope set, or -1 with fewer than two usable points.
 * n is bounded by SLOPE_MAX_POINTS (more are ignored). */
int slope_theil_sen(const double *t, const double *v, size_t n, double *slope);

/* Empties w for a window of span seconds (> 0). */
void slope_window_init(slope_window *w, double span);

/* Adds the point (t, v) unless it comes too soon after the last one or goes
 * back in time; drops points older than t - span. Returns 1 if added, else 0. */
int slope_window_add(slope_window *w, double t, double v);

/* How much of the window the points cover: (last - first) / span, 0..1. */
double slope_window_fill(const slope_window *w);

/* The Theil–Sen slope of the window's points (units of v per second).
 * Returns 0, or -1 with fewer than two points. */
int slope_window_estimate(const slope_window *w, double *slope);

#endif
