/* plotdraw: draws a memory plot into a PNG or SVG file with cairo. */
#include "plotdraw.h"

#include <cairo-svg.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plotaxis.h"

#define FONT_SIZE 12.0
#define TITLE_SIZE 14.0
#define LABEL_ROWS 6

void plotdraw_fig_color(int fig, double rgb[3])
{
    static const double c[PLOT_NFIGS][3] = {
        [PLOT_RSS] = { 214 / 255.0, 39 / 255.0, 40 / 255.0 },
        [PLOT_USS] = { 31 / 255.0, 119 / 255.0, 180 / 255.0 },
        [PLOT_PSS] = { 44 / 255.0, 160 / 255.0, 44 / 255.0 },
    };
    memcpy(rgb, c[fig >= 0 && fig < PLOT_NFIGS ? fig : 0], sizeof c[0]);
}

void plotdraw_mark_color(int slot, double rgb[3])
{
    static const double c[][3] = {
        { 255 / 255.0, 127 / 255.0, 14 / 255.0 }, { 148 / 255.0, 103 / 255.0, 189 / 255.0 },
        { 140 / 255.0, 86 / 255.0, 75 / 255.0 },  { 227 / 255.0, 119 / 255.0, 194 / 255.0 },
        { 188 / 255.0, 189 / 255.0, 34 / 255.0 }, { 23 / 255.0, 190 / 255.0, 207 / 255.0 },
    };
    size_t n = sizeof c / sizeof c[0];
    memcpy(rgb, c[(size_t)(slot < 0 ? 0 : slot) % n], sizeof c[0]);
}

static void set_rgb(cairo_t *cr, const double rgb[3])
{
    cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
}

static double text_width(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

/* The plot area inside the margins. */
typedef struct area {
    double x0, y0, x1, y1;     /* left, top, right, bottom */
    double ytop;               /* where the data's top is drawn: below the marker labels' band */
} area;

/* Where the marker labels go, found before drawing so the data can leave them room. */
typedef struct labels {
    double x[64], w[64], left[64];
    int row[64];
    size_t mark[64];
    size_t n;
    int rows;                  /* rows used */
} labels;

static void draw_axes(cairo_t *cr, const area *a, const plotaxis *ya, const plotaxis *xa)
{
    char buf[64];
    cairo_set_line_width(cr, 1);
    cairo_set_font_size(cr, FONT_SIZE);
    for (size_t i = 0; i < ya->n; i++) {
        double y = floor(plotaxis_map(ya->ticks[i], ya->lo, ya->hi, a->y1, a->ytop)) + 0.5;
        cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
        cairo_move_to(cr, a->x0, y);
        cairo_line_to(cr, a->x1, y);
        cairo_stroke(cr);
        plotaxis_bytes_label(ya, ya->ticks[i], buf, sizeof buf);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        cairo_move_to(cr, a->x0 - 6 - text_width(cr, buf), y + FONT_SIZE / 3);
        cairo_show_text(cr, buf);
    }
    for (size_t i = 0; i < xa->n; i++) {
        double x = floor(plotaxis_map(xa->ticks[i], xa->lo, xa->hi, a->x0, a->x1)) + 0.5;
        cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
        cairo_move_to(cr, x, a->y0);
        cairo_line_to(cr, x, a->y1);
        cairo_stroke(cr);
        plotaxis_time_label(xa, xa->ticks[i], buf, sizeof buf);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        /* centred under its tick, kept inside the image (the right margin is 24) */
        double tw = text_width(cr, buf), left = x - tw / 2;
        if (left + tw > a->x1 + 22)
            left = a->x1 + 22 - tw;
        cairo_move_to(cr, left, a->y1 + 6 + FONT_SIZE);
        cairo_show_text(cr, buf);
    }
    /* the frame, drawn over the grid */
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_rectangle(cr, floor(a->x0) + 0.5, floor(a->y0) + 0.5, floor(a->x1) - floor(a->x0), floor(a->y1) - floor(a->y0));
    cairo_stroke(cr);
    const char *xt = "time since start";
    cairo_move_to(cr, (a->x0 + a->x1) / 2 - text_width(cr, xt) / 2, a->y1 + 12 + 2 * FONT_SIZE);
    cairo_show_text(cr, xt);
}

static void draw_series(cairo_t *cr, const area *a, const plot_model *m, const plotaxis *ya, const plotaxis *xa)
{
    const plot_series *s = m->series;
    static const int order[] = { PLOT_PSS, PLOT_USS, PLOT_RSS };   /* RSS on top */
    cairo_save(cr);
    cairo_rectangle(cr, a->x0, a->y0, a->x1 - a->x0, a->y1 - a->y0);
    cairo_clip(cr);
    cairo_set_line_width(cr, 2);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        int fig = order[k];
        double rgb[3];
        plotdraw_fig_color(fig, rgb);
        set_rgb(cr, rgb);
        int pen = 0;
        for (size_t i = 0; i < s->n; i++) {
            double v = s->v[fig][i];
            if (isnan(v)) {
                pen = 0;
                continue;
            }
            double x = plotaxis_map(s->t[i], xa->lo, xa->hi, a->x0, a->x1);
            double y = plotaxis_map(v, ya->lo, ya->hi, a->y1, a->ytop);
            if (pen)
                cairo_line_to(cr, x, y);
            else
                cairo_move_to(cr, x, y);
            pen = 1;
        }
        cairo_stroke(cr);
    }
    cairo_restore(cr);
}

/* The x of a mark, or NAN when it is not drawn. */
static double mark_x(const area *a, const plot_model *m, const plotaxis *xa, size_t i)
{
    const plot_mark *k = &m->marks[i];
    if (k->line >= m->nlines || k->t < xa->lo || k->t > xa->hi)
        return NAN;
    return floor(plotaxis_map(k->t, xa->lo, xa->hi, a->x0, a->x1)) + 0.5;
}

static void place_labels(cairo_t *cr, const area *a, const plot_model *m, const plotaxis *xa, labels *l)
{
    l->n = 0;
    l->rows = 0;
    cairo_set_font_size(cr, FONT_SIZE);
    for (size_t i = 0; i < m->nmarks && l->n < 64; i++) {
        double x = mark_x(a, m, xa, i);
        if (isnan(x) || !m->marks[i].labelled)
            continue;
        l->x[l->n] = x;
        l->w[l->n] = text_width(cr, m->lines[m->marks[i].line].label) + 6;
        l->mark[l->n++] = i;
    }
    /* at most a third of the plot's height goes to labels */
    int fit = (int)(((a->y1 - a->y0) / 3 - 6) / (FONT_SIZE + 6));
    plotaxis_place_labels(l->x, l->w, l->n, a->x1, 3, fit < 1 ? 1 : fit > LABEL_ROWS ? LABEL_ROWS : fit, l->row, l->left);
    for (size_t j = 0; j < l->n; j++)
        if (l->row[j] + 1 > l->rows)
            l->rows = l->row[j] + 1;
}

static void draw_marks(cairo_t *cr, const area *a, const plot_model *m, const plotaxis *xa, const labels *l)
{
    cairo_set_font_size(cr, FONT_SIZE);
    cairo_set_line_width(cr, 1.5);
    static const double dash[] = { 5, 3 };
    for (size_t i = 0; i < m->nmarks; i++) {
        double x = mark_x(a, m, xa, i), rgb[3];
        if (isnan(x))
            continue;
        plotdraw_mark_color(m->lines[m->marks[i].line].color, rgb);
        set_rgb(cr, rgb);
        cairo_set_dash(cr, dash, 2, 0);
        cairo_move_to(cr, x, a->y0 + 1);
        cairo_line_to(cr, x, a->y1 - 1);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
    }
    for (size_t j = 0; j < l->n; j++) {
        if (l->row[j] < 0)
            continue;
        const plot_mark *k = &m->marks[l->mark[j]];
        double y = a->y0 + 4 + l->row[j] * (FONT_SIZE + 6), rgb[3];
        cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
        cairo_rectangle(cr, l->left[j], y, l->w[j], FONT_SIZE + 4);
        cairo_fill(cr);
        plotdraw_mark_color(m->lines[k->line].color, rgb);
        /* darker than the marker so the text reads on white */
        cairo_set_source_rgb(cr, rgb[0] * 0.7, rgb[1] * 0.7, rgb[2] * 0.7);
        cairo_move_to(cr, l->left[j] + 3, y + FONT_SIZE);
        cairo_show_text(cr, m->lines[k->line].label);
    }
}

/* Copies s into buf, cut with "..." to fit width. Returns buf. */
static const char *fit_text(cairo_t *cr, const char *s, double width, char *buf, size_t len)
{
    snprintf(buf, len, "%s", s ? s : "");
    size_t n = strlen(buf);
    while (n > 0 && text_width(cr, buf) > width) {
        /* drop one whole UTF-8 character, then end in "..." */
        do
            n--;
        while (n > 0 && ((unsigned char)buf[n] & 0xc0) == 0x80);
        if (n + 4 > len)
            continue;
        memcpy(buf + n, "...", 4);
    }
    return buf;
}

static void draw_titles(cairo_t *cr, const area *a, const plot_model *m)
{
    static const char *names[PLOT_NFIGS] = { "RSS", "USS", "PSS" };
    char buf[512];
    double ty = 6 + TITLE_SIZE;
    /* the legend at the top right, on the title's row */
    cairo_set_font_size(cr, FONT_SIZE);
    double x = a->x1;
    for (int fig = PLOT_NFIGS - 1; fig >= 0; fig--) {
        double rgb[3];
        x -= text_width(cr, names[fig]);
        cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        cairo_move_to(cr, x, ty);
        cairo_show_text(cr, names[fig]);
        x -= 24;
        plotdraw_fig_color(fig, rgb);
        set_rgb(cr, rgb);
        cairo_set_line_width(cr, 3);
        cairo_move_to(cr, x, ty - FONT_SIZE / 3);
        cairo_line_to(cr, x + 18, ty - FONT_SIZE / 3);
        cairo_stroke(cr);
        x -= 14;
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_font_size(cr, TITLE_SIZE);
    cairo_move_to(cr, a->x0, ty);
    cairo_show_text(cr, fit_text(cr, m->title, x - a->x0 - 8, buf, sizeof buf));
    if (m->note) {
        cairo_set_font_size(cr, FONT_SIZE);
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        cairo_move_to(cr, a->x0, 12 + TITLE_SIZE + FONT_SIZE);
        cairo_show_text(cr, fit_text(cr, m->note, a->x1 - a->x0, buf, sizeof buf));
    }
}

static void draw(cairo_t *cr, const plot_model *m)
{
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    area a = { 84, 24 + TITLE_SIZE + 2 * FONT_SIZE, m->width - 24.0, m->height - 52.0, 0 };
    plotaxis ya, xa;
    plotaxis_bytes(plotdata_max(m->series) * 1.05, (int)((a.y1 - a.y0) / 48) + 1, &ya);
    /* y labels need room: widen the left margin to the longest */
    cairo_set_font_size(cr, FONT_SIZE);
    char buf[64];
    for (size_t i = 0; i < ya.n; i++) {
        double w = text_width(cr, plotaxis_bytes_label(&ya, ya.ticks[i], buf, sizeof buf)) + 12;
        if (w > a.x0)
            a.x0 = w;
    }
    plotaxis_time(m->t0, m->t1, (int)((a.x1 - a.x0) / 90) + 1, &xa);
    /* marker labels take a band at the top of the plot; the data stays below it */
    labels l;
    place_labels(cr, &a, m, &xa, &l);
    double band = l.rows ? l.rows * (FONT_SIZE + 6) + 6 : 0;
    a.ytop = a.y0 + band;
    draw_axes(cr, &a, &ya, &xa);
    draw_series(cr, &a, m, &ya, &xa);
    draw_marks(cr, &a, m, &xa, &l);
    draw_titles(cr, &a, m);
}

int plotdraw_write(const plot_model *m, const char *path, char *err, size_t errlen)
{
    cairo_surface_t *sf = m->svg ? cairo_svg_surface_create(path, m->width, m->height)
                                 : cairo_image_surface_create(CAIRO_FORMAT_ARGB32, m->width, m->height);
    cairo_status_t rc = cairo_surface_status(sf);
    if (rc == CAIRO_STATUS_SUCCESS) {
        cairo_t *cr = cairo_create(sf);
        draw(cr, m);
        rc = cairo_status(cr);
        cairo_destroy(cr);
    }
    if (rc == CAIRO_STATUS_SUCCESS && !m->svg)
        rc = cairo_surface_write_to_png(sf, path);
    cairo_surface_finish(sf);
    if (rc == CAIRO_STATUS_SUCCESS)
        rc = cairo_surface_status(sf);
    cairo_surface_destroy(sf);
    if (rc != CAIRO_STATUS_SUCCESS) {
        snprintf(err, errlen, "cannot write %s: %s", path,
                 rc == CAIRO_STATUS_WRITE_ERROR || rc == CAIRO_STATUS_FILE_NOT_FOUND ? "cannot write the file"
                                                                                   : cairo_status_to_string(rc));
        return -1;
    }
    return 0;
}

void plotdraw_release(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}
