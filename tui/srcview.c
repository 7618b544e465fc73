/* srcview: a file's saved lines with per-line figures, gaps marked. */
#include "srcview.h"

#include <stdlib.h>

static int by_line(const void *a, const void *b)
{
    const src_line *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return (x->has_figs > y->has_figs) - (x->has_figs < y->has_figs);
}

size_t srcview_merge(src_line *l, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (l[i].line > 0)
            l[w++] = l[i];
    n = w;
    qsort(l, n, sizeof *l, by_line);
    w = 0;
    for (size_t i = 0; i < n; i++) {
        if (w > 0 && l[w - 1].line == l[i].line) {
            src_line *m = &l[w - 1];
            if (!m->text)
                m->text = l[i].text;
            if (l[i].has_figs) {
                if (m->has_figs) {
                    m->growth += l[i].growth;
                    m->shrink += l[i].shrink;
                    m->net += l[i].net;
                    m->hits += l[i].hits;
                    if (l[i].peak > m->peak)
                        m->peak = l[i].peak;
                } else {
                    const char *t = m->text;
                    *m = l[i];
                    m->text = t;
                }
            }
            continue;
        }
        l[w++] = l[i];
    }
    return w;
}

size_t srcview_rows(const src_line *l, size_t n, src_row *rows)
{
    size_t r = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t expect = i == 0 ? 1 : l[i - 1].line + 1;
        if (l[i].line != expect)
            rows[r++] = (src_row){ 1, i };
        rows[r++] = (src_row){ 0, i };
    }
    return r;
}

size_t srcview_find(const src_line *l, const src_row *rows, size_t nrows, int32_t line)
{
    for (size_t r = 0; r < nrows; r++)
        if (!rows[r].gap && l[rows[r].idx].line >= line)
            return r;
    return nrows ? nrows - 1 : 0;
}
