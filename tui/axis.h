/* axis: tick positions and short labels for memory (bytes) and time axes (pure). */
#ifndef MW_TUI_AXIS_H
#define MW_TUI_AXIS_H

#include <stddef.h>

/* A nice step for at most max_ticks byte ticks over range: 1, 2, 5, 10, 20,
 * 25, 50, 100, 200, 250, 256, 500 or 512 of a binary unit (B, KiB, MiB, ...). */
double axis_step_bytes(double range, int max_ticks);

/* Widens [lo, hi] to the value range of a byte axis: starts at 0 unless lo
 * is well above it, ends on a multiple of the step. Sets *vmin, *vmax, *step. */
void axis_bytes_range(double lo, double hi, int max_ticks, double *vmin, double *vmax, double *step);

/* A short byte label: "0", "512K", "1.5M", "12G" (at most 6 characters). */
char *axis_label_bytes(double v, char *buf, size_t len);

/* A nice step in seconds for at most max_ticks time ticks over range
 * (0.1 s, 0.2, 0.5, 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h, days). */
double axis_step_time(double range, int max_ticks);

/* A short label for seconds from the start: "0s", "1.5s", "30s", "2m", "1m30", "2h", "1h30" (at most 7 characters). */
char *axis_label_time(double s, char *buf, size_t len);

#endif
