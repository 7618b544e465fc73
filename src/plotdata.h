/* plotdata: what a memory plot shows — series over time, children summed
 * in, the moments the top lines grew (pure, no I/O). */
#ifndef MW_PLOTDATA_H
#define MW_PLOTDATA_H

#include <stddef.h>
#include <stdint.h>

enum plot_fig { PLOT_RSS = 0, PLOT_USS, PLOT_PSS, PLOT_NFIGS };

/* Memory over time: t in seconds from the plotted session's start, figures
 * in bytes (NAN where unknown). */
typedef struct plot_series {
    double *t;
    double *v[PLOT_NFIGS];
    size_t n, cap;
} plot_series;

/* Appends a point (figures < 0 or NAN are unknown). Returns 0, or -1 when out of memory. */
int plotdata_append(plot_series *s, double t, const double fig[PLOT_NFIGS]);

/* Adds child c's memory into s (same time base): at each time of s, the
 * child's latest point at or before it counts if it is at most hold seconds
 * old. A figure s does not know stays unknown. */
void plotdata_add_child(plot_series *s, const plot_series *c, double hold);

/* The highest known figure of any kind, 0 if none. */
double plotdata_max(const plot_series *s);

/* Frees the arrays. */
void plotdata_free(plot_series *s);

/* Picks the moments to mark for one line from the growth of its n
 * intervals (in time order): the at most max largest growths that reach a
 * quarter of the largest, written to pick[] as indexes in time order.
 * Returns how many; *best gets the index of the largest (-1 if none grew). */
size_t plotdata_pick(const int64_t *growth, size_t n, size_t max, size_t *pick, long *best);

#endif
