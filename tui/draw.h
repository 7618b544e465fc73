/* draw: clipped, cleaned text on the curses screen, and figure formatting. */
#ifndef MW_TUI_DRAW_H
#define MW_TUI_DRAW_H

#include <stddef.h>
#include <stdint.h>

/* Fills w cells from (y, x) with spaces in attr. */
void draw_fill(int y, int x, int w, int attr);

/* Writes s at (y, x) cut to w columns (control characters and invalid UTF-8
 * shown as '?', non-ASCII as '?' on an ASCII terminal). Returns columns used. */
int draw_text(int y, int x, int w, const char *s, int attr);

/* As draw_text, right-aligned in w columns. */
void draw_text_right(int y, int x, int w, const char *s, int attr);

/* printf into a buffer, then draw_text. Returns columns used. */
int draw_printf(int y, int x, int w, int attr, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A byte count for a table cell: "12.5 MiB", "-" if unknown (INT64_MIN). */
char *draw_bytes(int64_t v, char *buf, size_t len);

/* A local time "YYYY-MM-DD HH:MM:SS". */
char *draw_time(double t, char *buf, size_t len);

#endif
