/* compare: two sessions' per-line growth side by side (pure). */
#ifndef MW_TUI_COMPARE_H
#define MW_TUI_COMPARE_H

#include <stddef.h>
#include <stdint.h>

/* One line of one session's report. */
typedef struct cmp_in {
    const char *file, *func, *text;
    int32_t line;
    int64_t growth, net;
} cmp_in;

/* One line in either session; figures of the session missing it are 0. */
typedef struct cmp_row {
    const char *file, *func, *text;   /* pointing into the inputs */
    int32_t line;
    int in_a, in_b;
    int64_t a_growth, b_growth, a_net, b_net;
} cmp_row;

/* Joins a and b on (file, line) into out (room for na + nb), ordered by the
 * size of the growth difference (largest first), then file and line.
 * Returns the number of rows, or -1 when out of memory. */
long compare_join(const cmp_in *a, size_t na, const cmp_in *b, size_t nb, cmp_row *out);

/* b's growth minus a's. */
int64_t compare_diff(const cmp_row *r);

#endif
