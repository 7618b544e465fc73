/* plot: memory-over-time series rasterised into terminal cells (pure, no curses). */
#ifndef MW_TUI_PLOT_H
#define MW_TUI_PLOT_H

#include <stddef.h>
#include <stdint.h>

#define PLOT_SERIES 3          /* RSS, USS, PSS */

/* How a cell is drawn: braille (2x4 dots), half blocks (1x2) or ASCII (1x2: ' . : '). */
enum plot_glyphs { PLOT_BRAILLE = 0, PLOT_BLOCK, PLOT_ASCII };

/* A timeline as parallel arrays, t ascending; a value of INT64_MIN is unknown.
 * When hi[s] is set, point i of series s spans v[s][i] (lowest) to hi[s][i]
 * (highest), as a folded minute does. */
typedef struct plot_data {
    const double *t;
    const int64_t *v[PLOT_SERIES];
    size_t n;
    const int64_t *hi[PLOT_SERIES];
} plot_data;

/* Dots set per cell and series. */
typedef struct plot_grid {
    int cols, rows, glyphs;
    int dx, dy;                /* dots per cell across and down */
    uint8_t *mask;             /* cols * rows * PLOT_SERIES */
} plot_grid;

/* Allocates an empty grid of cols x rows cells (each >= 1). Returns 0 or -1 (out of memory). */
int plot_grid_init(plot_grid *g, int cols, int rows, int glyphs);

/* Frees a grid (a zeroed one is fine). */
void plot_grid_free(plot_grid *g);

/* Index of the first sample with t >= t0 (n if none). */
size_t plot_lower_bound(const plot_data *d, double t0);

/* Lowest and highest known value of the series in mask (bit i: series i)
 * over samples with t0 <= t <= t1. Returns 0, or -1 if there is none. */
int plot_value_range(const plot_data *d, unsigned mask, double t0, double t1, int64_t *lo, int64_t *hi);

/* Clears g and draws the series in mask over the time window [t0, t1) and
 * values [vmin, vmax]: every dot column spans the lowest and highest sample
 * falling in it (so a one-sample spike shows) joined to its neighbour, and
 * columns between samples are interpolated. */
void plot_raster(plot_grid *g, const plot_data *d, unsigned mask, double t0, double t1, double vmin, double vmax);

/* The text of cell (col, row) into buf (UTF-8 or ASCII, NUL-ended, at most
 * 4 bytes + NUL) and the series whose colour it takes (the lowest series
 * index with a dot there), or -1 for an empty cell (buf is then " "). */
int plot_cell(const plot_grid *g, int col, int row, char *buf, size_t len);

/* The dot mask of series s in cell (col, row), bit (y * dx + x). */
unsigned plot_dots(const plot_grid *g, int col, int row, int s);

#endif
