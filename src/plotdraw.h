/* plotdraw: draws a memory plot into a PNG or SVG file with cairo. */
#ifndef MW_PLOTDRAW_H
#define MW_PLOTDRAW_H

#include <stddef.h>

#include "plotdata.h"

/* A line whose growth is marked: its label ("file.py:12") and colour slot. */
typedef struct plot_line {
    char label[96];
    int color;
} plot_line;

/* One marker: line lines[line] grew at time t (seconds from the start). */
typedef struct plot_mark {
    double t;
    size_t line;
    int labelled;              /* 1: carries the line's label */
} plot_mark;

typedef struct plot_model {
    const char *title;         /* first line at the top */
    const char *note;          /* under it, may be NULL */
    const plot_series *series;
    double t0, t1;             /* the time range shown, seconds from the start */
    const plot_line *lines;
    size_t nlines;
    const plot_mark *marks;
    size_t nmarks;
    int width, height;         /* pixels (PNG) or points (SVG) */
    int svg;                   /* 1: SVG, 0: PNG */
} plot_model;

/* The colours (0..1 RGB) of the memory figures and of marker slot i. */
void plotdraw_fig_color(int fig, double rgb[3]);
void plotdraw_mark_color(int slot, double rgb[3]);

/* Draws m into path. Returns 0, or -1 with a one-line reason in err. */
int plotdraw_write(const plot_model *m, const char *path, char *err, size_t errlen);

/* Frees what cairo and fontconfig keep for the life of the process (call last). */
void plotdraw_release(void);

#endif
