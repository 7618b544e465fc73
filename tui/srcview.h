/* srcview: a file's saved lines with per-line figures, gaps marked (pure). */
#ifndef MW_TUI_SRCVIEW_H
#define MW_TUI_SRCVIEW_H

#include <stddef.h>
#include <stdint.h>

/* One line of a file: its saved text and/or its figures over the range. */
typedef struct src_line {
    int32_t line;
    const char *text;          /* NULL: not saved */
    int has_figs;
    int64_t growth, shrink, net, hits, peak;
} src_line;

/* A row on screen: a line of the file, or a gap ("…") for lines not stored. */
typedef struct src_row {
    int gap;
    size_t idx;                /* into the lines (gap: the line after it) */
} src_row;

/* Sorts lines by number and merges entries of the same line (text from one,
 * figures from the other). Lines <= 0 are dropped. Returns the new count. */
size_t srcview_merge(src_line *l, size_t n);

/* Fills rows (room for 2n) with the lines in order and a gap before each line
 * that does not follow the previous one (and before the first if it is not
 * line 1). Returns the number of rows. */
size_t srcview_rows(const src_line *l, size_t n, src_row *rows);

/* The row showing line (or the nearest line after it; the last row if none). */
size_t srcview_find(const src_line *l, const src_row *rows, size_t nrows, int32_t line);

#endif
