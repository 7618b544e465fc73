/* textout: text from a target or a database made safe to print. */
#include "textout.h"

#include <string.h>

size_t textout_utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return c ? 1 : 0;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, min = 0x10000;
    else
        return 0;
    unsigned cp = c & (0xff >> (n + 1));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

size_t textout_width(const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; w++) {
        size_t n = textout_utf8_len(p);
        p += n ? n : 1;
    }
    return w;
}

char *textout_clean(const char *in, char *out, size_t outlen, size_t maxcols)
{
    if (!in)
        in = "";
    size_t len = strlen(in);
    while (len && (in[len - 1] == '\n' || in[len - 1] == '\r'))
        len--;
    size_t o = 0, cols = 0, total = 0;
    /* total width decides whether "..." is needed */
    for (size_t i = 0; i < len; total++) {
        size_t n = textout_utf8_len((const unsigned char *)in + i);
        i += n && i + n <= len ? n : 1;
    }
    int cut = maxcols && total > maxcols;
    size_t keep = !cut ? total : maxcols > 3 ? maxcols - 3 : maxcols;
    for (size_t i = 0; i < len && cols < keep;) {
        const unsigned char *p = (const unsigned char *)in + i;
        size_t n = textout_utf8_len(p);
        if (n == 0 || i + n > len || (n == 1 && *p != '\t' && (*p < 0x20 || *p == 0x7f)))
            n = 0;
        size_t w = n ? n : 1;
        if (o + w >= outlen)
            break;
        if (n == 1 && *p == '\t')
            out[o++] = ' ';
        else if (n)
            memcpy(out + o, p, n), o += n;
        else
            out[o++] = '?';
        i += n ? n : 1;
        cols++;
    }
    if (cut && maxcols > 3)
        for (int k = 0; k < 3 && o + 1 < outlen; k++)
            out[o++] = '.';
    out[o < outlen ? o : outlen - 1] = '\0';
    return out;
}
