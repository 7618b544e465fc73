/* csvw: the bits of CSV (RFC 4180) that memwatch writes. */
#include "csvw.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void csvw_field(FILE *f, const char *s, int first)
{
    if (!first)
        fputc(',', f);
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

void csvw_int(FILE *f, int64_t v, int known, int first)
{
    if (!first)
        fputc(',', f);
    if (known)
        fprintf(f, "%" PRId64, v);
}

void csvw_num(FILE *f, double v, int known, int first)
{
    if (!first)
        fputc(',', f);
    if (!known || !isfinite(v))
        return;
    char buf[64];
    snprintf(buf, sizeof buf, "%.6f", v);
    char *e = buf + strlen(buf) - 1;
    while (e > buf && *e == '0')
        *e-- = '\0';
    if (*e == '.')
        *e = '\0';
    fputs(buf, f);
}
