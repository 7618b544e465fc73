/* draw: clipped, cleaned text on the curses screen, and figure formatting. */
#include "draw.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "term.h"
#include "textout.h"
#include "units.h"

#define LINE_MAX_COLS 1024

void draw_fill(int y, int x, int w, int attr)
{
    if (w <= 0)
        return;
    attrset(attr);
    mvhline(y, x, ' ', w);
    attrset((int)A_NORMAL);
}

/* Replaces each multi-byte character with '?' (the text is valid UTF-8 already). */
static void ascii_only(char *s)
{
    char *w = s;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p < 0x80) {
            *w++ = (char)*p++;
            continue;
        }
        size_t n = textout_utf8_len(p);
        p += n ? n : 1;
        *w++ = '?';
    }
    *w = '\0';
}

int draw_text(int y, int x, int w, const char *s, int attr)
{
    if (w <= 0 || !s)
        return 0;
    char buf[4 * LINE_MAX_COLS + 8];
    size_t cols = (size_t)(w < LINE_MAX_COLS ? w : LINE_MAX_COLS);
    textout_clean(s, buf, sizeof buf, cols);
    if (!term.utf8)
        ascii_only(buf);
    attrset(attr);
    mvaddstr(y, x, buf);
    attrset((int)A_NORMAL);
    return (int)textout_width(buf);
}

void draw_text_right(int y, int x, int w, const char *s, int attr)
{
    if (w <= 0 || !s)
        return;
    int n = (int)textout_width(s);
    if (n > w)
        n = w;
    draw_text(y, x + w - n, n, s, attr);
}

int draw_printf(int y, int x, int w, int attr, const char *fmt, ...)
{
    char buf[4 * LINE_MAX_COLS + 8];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return draw_text(y, x, w, buf, attr);
}

char *draw_bytes(int64_t v, char *buf, size_t len)
{
    if (v == INT64_MIN)
        snprintf(buf, len, "-");
    else
        units_format_bytes(v, buf, len);
    return buf;
}

char *draw_time(double t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!localtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
        snprintf(buf, len, "?");
    return buf;
}
