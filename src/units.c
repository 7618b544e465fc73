/* units: parsing and formatting of durations and byte counts. */
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Splits s into a finite non-negative number and a suffix; 0 or -1. */
static int split_number(const char *s, double *num, const char **suffix)
{
    if (!s || !*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
        return -1;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(v) || v < 0)
        return -1;
    /* strtod accepts "inf", "nan" and hex; a unit suffix must be letters only. */
    for (const char *p = s; p < end; p++)
        if (!isdigit((unsigned char)*p) && *p != '.' && *p != 'e' && *p != 'E' &&
            *p != '-' && *p != '+')
            return -1;
    *num = v;
    *suffix = end;
    return 0;
}

int units_parse_duration(const char *s, double *seconds)
{
    static const struct { const char *unit; double mult; } units[] = {
        { "", 1 }, { "s", 1 }, { "sec", 1 }, { "ms", 1e-3 }, { "us", 1e-6 },
        { "m", 60 }, { "min", 60 }, { "h", 3600 }, { "d", 86400 },
    };
    double v;
    const char *suf;
    if (split_number(s, &v, &suf) < 0)
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(suf, units[i].unit) == 0) {
            double r = v * units[i].mult;
            if (!(r > 0) || !isfinite(r) || r > 1e9)
                return -1;
            *seconds = r;
            return 0;
        }
    }
    return -1;
}

int units_parse_rate(const char *s, double *hz)
{
    double v;
    const char *suf;
    if (split_number(s, &v, &suf) < 0)
        return -1;
    if (strcasecmp(suf, "k") == 0 || strcasecmp(suf, "khz") == 0)
        v *= 1000;
    else if (*suf && strcasecmp(suf, "hz") != 0)
        return -1;
    if (!(v > 0) || v > 1e6)
        return -1;
    *hz = v;
    return 0;
}

int units_parse_bytes(const char *s, int64_t *bytes)
{
    static const struct { const char *unit; double mult; } units[] = {
        { "", 1 }, { "b", 1 },
        { "k", 1024.0 }, { "kb", 1024.0 }, { "kib", 1024.0 },
        { "m", 1048576.0 }, { "mb", 1048576.0 }, { "mib", 1048576.0 },
        { "g", 1073741824.0 }, { "gb", 1073741824.0 }, { "gib", 1073741824.0 },
    };
    double v;
    const char *suf;
    if (split_number(s, &v, &suf) < 0)
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(suf, units[i].unit) == 0) {
            double r = v * units[i].mult;
            if (!(r >= 1) || r > 9.0e18)
                return -1;
            *bytes = (int64_t)r;
            return 0;
        }
    }
    return -1;
}

char *units_format_bytes(int64_t bytes, char *buf, size_t len)
{
    static const char *names[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
    const char *sign = bytes < 0 ? "-" : "";
    double v = bytes < 0 ? -(double)bytes : (double)bytes;
    size_t i = 0;
    while (v >= 1024.0 && i + 1 < sizeof names / sizeof names[0]) {
        v /= 1024.0;
        i++;
    }
    if (i == 0)
        snprintf(buf, len, "%s%.0f B", sign, v);
    else
        snprintf(buf, len, "%s%.*f %s", sign, v < 10 ? 2 : v < 100 ? 1 : 0, v, names[i]);
    return buf;
}

char *units_format_duration(double seconds, char *buf, size_t len)
{
    if (!isfinite(seconds) || seconds < 0)
        seconds = 0;
    if (seconds < 1.0)
        snprintf(buf, len, "%.0f ms", seconds * 1000.0);
    else if (seconds < 60.0)
        snprintf(buf, len, "%.1f s", seconds);
    else if (seconds < 3600.0) {
        long s = lround(seconds);
        snprintf(buf, len, "%ldm%02lds", s / 60, s % 60);
    } else {
        long m = lround(seconds / 60.0);
        snprintf(buf, len, "%ldh%02ldm", m / 60, m % 60);
    }
    return buf;
}
