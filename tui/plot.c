/* plot: memory-over-time series rasterised into terminal cells. */
#include "plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NOVAL INT64_MIN
#define GAP_SEARCH 256         /* samples looked at on each side to interpolate a gap */

int plot_grid_init(plot_grid *g, int cols, int rows, int glyphs)
{
    memset(g, 0, sizeof *g);
    if (cols < 1 || rows < 1 || cols > 100000 || rows > 100000)
        return -1;
    g->cols = cols;
    g->rows = rows;
    g->glyphs = glyphs;
    g->dx = glyphs == PLOT_BRAILLE ? 2 : 1;
    g->dy = glyphs == PLOT_BRAILLE ? 4 : 2;
    g->mask = calloc((size_t)cols * (size_t)rows * PLOT_SERIES, 1);
    return g->mask ? 0 : -1;
}

void plot_grid_free(plot_grid *g)
{
    free(g->mask);
    g->mask = NULL;
    g->cols = g->rows = 0;
}

size_t plot_lower_bound(const plot_data *d, double t0)
{
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->t[mid] < t0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int plot_value_range(const plot_data *d, unsigned mask, double t0, double t1, int64_t *lo, int64_t *hi)
{
    int found = 0;
    for (size_t i = plot_lower_bound(d, t0); i < d->n && d->t[i] <= t1; i++)
        for (int s = 0; s < PLOT_SERIES; s++) {
            if (!(mask & (1u << s)) || !d->v[s])
                continue;
            int64_t v = d->v[s][i];
            if (v == NOVAL)
                continue;
            int64_t top = d->hi[s] && d->hi[s][i] != NOVAL && d->hi[s][i] > v ? d->hi[s][i] : v;
            if (!found || v < *lo)
                *lo = v;
            if (!found || top > *hi)
                *hi = top;
            found = 1;
        }
    return found ? 0 : -1;
}

/* Value of series v at time tc, interpolated between the nearest known
 * samples around it. Returns 0, or -1 if there is no sample on both sides. */
static int interpolate(const plot_data *d, const int64_t *v, double tc, double *out)
{
    size_t j = plot_lower_bound(d, tc);
    size_t a = j, b = j;
    int have_a = 0, have_b = 0;
    for (size_t k = 0; k < GAP_SEARCH && a > 0; k++)
        if (v[--a] != NOVAL) {
            have_a = 1;
            break;
        }
    for (size_t k = 0; k < GAP_SEARCH && b < d->n; k++, b++)
        if (v[b] != NOVAL) {
            have_b = 1;
            break;
        }
    if (!have_a || !have_b)
        return -1;
    double span = d->t[b] - d->t[a];
    double f = span > 0 ? (tc - d->t[a]) / span : 0;
    *out = (double)v[a] + f * ((double)v[b] - (double)v[a]);
    return 0;
}

typedef struct span {
    double lo, hi, last;
    int have;
} span;

static void set_dot(plot_grid *g, int s, int x, int y)
{
    int col = x / g->dx, row = y / g->dy;
    int bit = (y % g->dy) * g->dx + (x % g->dx);
    g->mask[((size_t)row * (size_t)g->cols + (size_t)col) * PLOT_SERIES + (size_t)s] |= (uint8_t)(1u << bit);
}

/* Dot row of value v (0 = top). */
static int dot_row(double v, double vmin, double vmax, int h)
{
    double f = (v - vmin) / (vmax - vmin);
    if (!(f >= 0))
        f = 0;
    if (f > 1)
        f = 1;
    int y = h - 1 - (int)lround(f * (h - 1));
    return y < 0 ? 0 : y >= h ? h - 1 : y;
}

static void raster_series(plot_grid *g, const plot_data *d, const int64_t *v, const int64_t *vhi, int s, span *col,
                          double t0, double t1, double vmin, double vmax)
{
    int w = g->cols * g->dx, h = g->rows * g->dy;
    double per = (t1 - t0) / w;
    memset(col, 0, (size_t)w * sizeof *col);
    for (size_t i = plot_lower_bound(d, t0); i < d->n && d->t[i] <= t1; i++) {
        if (v[i] == NOVAL)
            continue;
        int x = (int)((d->t[i] - t0) / per);
        if (x < 0)
            x = 0;
        if (x >= w)
            x = w - 1;
        double val = (double)v[i], top = vhi && vhi[i] != NOVAL && vhi[i] > v[i] ? (double)vhi[i] : val;
        span *c = &col[x];
        if (!c->have || val < c->lo)
            c->lo = val;
        if (!c->have || top > c->hi)
            c->hi = top;
        c->last = (val + top) / 2;
        c->have = 1;
    }
    /* columns between samples (zoomed in past the sampling period) */
    for (int x = 0; x < w; x++) {
        double val;
        if (!col[x].have && interpolate(d, v, t0 + (x + 0.5) * per, &val) == 0)
            col[x] = (span){ val, val, val, 1 };
    }
    for (int x = 0; x < w; x++) {
        if (!col[x].have)
            continue;
        double lo = col[x].lo, hi = col[x].hi;
        if (x > 0 && col[x - 1].have) {
            if (col[x - 1].last < lo)
                lo = col[x - 1].last;
            if (col[x - 1].last > hi)
                hi = col[x - 1].last;
        }
        int top = dot_row(hi, vmin, vmax, h), bottom = dot_row(lo, vmin, vmax, h);
        for (int y = top; y <= bottom; y++)
            set_dot(g, s, x, y);
    }
}

void plot_raster(plot_grid *g, const plot_data *d, unsigned mask, double t0, double t1, double vmin, double vmax)
{
    if (!g->mask)
        return;
    memset(g->mask, 0, (size_t)g->cols * (size_t)g->rows * PLOT_SERIES);
    if (!(t1 > t0) || d->n == 0)
        return;
    if (!(vmax > vmin))
        vmax = vmin + 1;
    span *col = malloc((size_t)g->cols * (size_t)g->dx * sizeof *col);
    if (!col)
        return;
    for (int s = 0; s < PLOT_SERIES; s++)
        if ((mask & (1u << s)) && d->v[s])
            raster_series(g, d, d->v[s], d->hi[s], s, col, t0, t1, vmin, vmax);
    free(col);
}

unsigned plot_dots(const plot_grid *g, int col, int row, int s)
{
    if (!g->mask || col < 0 || row < 0 || col >= g->cols || row >= g->rows || s < 0 || s >= PLOT_SERIES)
        return 0;
    return g->mask[((size_t)row * (size_t)g->cols + (size_t)col) * PLOT_SERIES + (size_t)s];
}

/* Braille bit of dot (x, y) in a 2x4 cell. */
static unsigned braille_bit(int x, int y)
{
    static const unsigned bits[4][2] = { { 0x01, 0x08 }, { 0x02, 0x10 }, { 0x04, 0x20 }, { 0x40, 0x80 } };
    return bits[y][x];
}

int plot_cell(const plot_grid *g, int col, int row, char *buf, size_t len)
{
    unsigned all = 0;
    int owner = -1;
    for (int s = 0; s < PLOT_SERIES; s++) {
        unsigned m = plot_dots(g, col, row, s);
        if (m && owner < 0)
            owner = s;
        all |= m;
    }
    if (len < 5) {
        if (len)
            buf[0] = '\0';
        return owner;
    }
    if (!all) {
        strcpy(buf, " ");
        return -1;
    }
    if (g->glyphs == PLOT_BRAILLE) {
        unsigned cp = 0x2800;
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 2; x++)
                if (all & (1u << (y * 2 + x)))
                    cp |= braille_bit(x, y);
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        buf[3] = '\0';
    } else if (g->glyphs == PLOT_BLOCK) {
        strcpy(buf, all == 1 ? "\xE2\x96\x80" : all == 2 ? "\xE2\x96\x84" : "\xE2\x96\x88");
    } else {
        strcpy(buf, all == 1 ? "'" : all == 2 ? "." : ":");
    }
    return owner;
}
