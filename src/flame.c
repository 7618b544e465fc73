/* flame: collapsed stacks built from stored stacks. */
#include "flame.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "textout.h"

char *flame_clean(const char *in, char *out, size_t outlen)
{
    size_t o = 0;
    if (!in)
        in = "";
    for (const unsigned char *p = (const unsigned char *)in; *p;) {
        size_t n = textout_utf8_len(p);
        if (n > 1) {
            if (o + n >= outlen)
                break;
            memcpy(out + o, p, n);
            o += n;
            p += n;
            continue;
        }
        if (o + 1 >= outlen)
            break;
        unsigned c = *p;
        out[o++] = n == 0 || c < 0x20 || c == 0x7f ? '?' : c == ';' ? ':' : (char)c;
        p++;
    }
    out[o] = '\0';
    return out;
}

char *flame_frame(const store_frame *f, char *buf, size_t len)
{
    /* sized so that the whole frame fits in FLAME_NAME_MAX bytes */
    char func[384], file[608];
    flame_clean(f->func, func, sizeof func);
    flame_clean(f->file, file, sizeof file);
    if (f->line > 0)
        snprintf(buf, len, "%s (%s:%d)", func, file, (int)f->line);
    else
        snprintf(buf, len, "%s (%s)", func, file);
    return buf;
}

int flame_add(flame_lines *l, const char *prefix, const store_frame *frames, size_t depth, int64_t bytes)
{
    if (bytes <= 0 || (!depth && !prefix))
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        flame_line *ni = realloc(l->items, cap * sizeof *ni);
        if (!ni)
            return -1;
        l->items = ni;
        l->cap = cap;
    }
    size_t cap = (depth + 1) * (FLAME_NAME_MAX + 1) + 1, used = 0;
    char *s = malloc(cap);
    if (!s)
        return -1;
    s[0] = '\0';
    if (prefix)
        used = (size_t)snprintf(s, cap, "%s", prefix);
    for (size_t i = 0; i < depth; i++) {
        if (used)
            s[used++] = ';';
        flame_frame(&frames[i], s + used, FLAME_NAME_MAX + 1);
        used += strlen(s + used);
    }
    char *fit = realloc(s, used + 1);
    l->items[l->n].stack = fit ? fit : s;
    l->items[l->n].bytes = bytes;
    l->n++;
    return 0;
}

static int by_stack(const void *a, const void *b)
{
    return strcmp(((const flame_line *)a)->stack, ((const flame_line *)b)->stack);
}

void flame_merge(flame_lines *l)
{
    if (l->n < 2)
        return;
    qsort(l->items, l->n, sizeof *l->items, by_stack);
    size_t w = 0;
    for (size_t i = 1; i < l->n; i++) {
        if (!strcmp(l->items[w].stack, l->items[i].stack)) {
            l->items[w].bytes += l->items[i].bytes;
            free(l->items[i].stack);
        } else {
            l->items[++w] = l->items[i];
        }
    }
    l->n = w + 1;
}

int flame_write(const flame_lines *l, FILE *f)
{
    for (size_t i = 0; i < l->n; i++)
        if (fprintf(f, "%s %" PRId64 "\n", l->items[i].stack, l->items[i].bytes) < 0)
            return -1;
    return 0;
}

void flame_free(flame_lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].stack);
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}
