/* jsonw: the bits of JSON that memwatch prints. */
#include "jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "textout.h"

void jsonw_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t n = textout_utf8_len(p);
        if (n == 0) {
            fputs("\\ufffd", f);
            p++;
            continue;
        }
        unsigned c = *p;
        if (n > 1)
            fwrite(p, 1, n, f);
        else if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20 || c == 0x7f)
            fprintf(f, "\\u%04x", c);
        else
            fputc((int)c, f);
        p += n;
    }
    fputc('"', f);
}

void jsonw_key(FILE *f, const char *key, int first)
{
    if (!first)
        fputs(", ", f);
    jsonw_string(f, key);
    fputs(": ", f);
}

void jsonw_int(FILE *f, int64_t v, int known)
{
    if (known)
        fprintf(f, "%" PRId64, v);
    else
        fputs("null", f);
}

void jsonw_num(FILE *f, double v, int known)
{
    if (!known || !isfinite(v)) {
        fputs("null", f);
        return;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%.6f", v);
    /* trim trailing zeros: 1.500000 -> 1.5, 2.000000 -> 2 */
    char *e = buf + strlen(buf) - 1;
    while (e > buf && *e == '0')
        *e-- = '\0';
    if (*e == '.')
        *e = '\0';
    fputs(buf, f);
}
