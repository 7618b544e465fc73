/* linetable_check: reads the output of linetable_dump.py on stdin and checks
 * memwatch's line-table decoders against the line CPython gives every code
 * unit of every dumped code object.
 *
 * Prints one summary line (`RESULT MAJOR.MINOR CODES UNITS MISMATCHES`) and
 * exits 1 on any mismatch, malformed dump, or a dump without code objects. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linetable.h"

#define MAX_REPORTED 20

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Next space-separated token of *s (NUL-terminated in place), or NULL. */
static char *token(char **s)
{
    char *p = *s;
    while (*p == ' ')
        p++;
    if (!*p || *p == '\n')
        return NULL;
    char *start = p;
    while (*p && *p != ' ' && *p != '\n')
        p++;
    if (*p)
        *p++ = '\0';
    *s = p;
    return start;
}

static int parse_long(const char *tok, long lo, long hi, long *out)
{
    char *end;
    if (!tok)
        return -1;
    errno = 0;
    long v = strtol(tok, &end, 10);
    if (errno || end == tok || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Decodes hex text into a fresh buffer; "-" is the empty table. */
static uint8_t *parse_hex(const char *tok, size_t *len)
{
    size_t n = strcmp(tok, "-") == 0 ? 0 : strlen(tok);
    if (n % 2)
        return NULL;
    uint8_t *buf = malloc(n / 2 + 1);
    if (!buf)
        return NULL;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval((unsigned char)tok[2 * i]), lo = hexval((unsigned char)tok[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(buf);
            return NULL;
        }
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return buf;
}

static int decode(int minor, const uint8_t *tab, size_t len, int first, int unit)
{
    if (minor >= 11)
        return linetable_locations(tab, len, first, unit);
    if (minor == 10)
        return linetable_310(tab, len, first, 2 * unit);
    return linetable_lnotab(tab, len, first, 2 * unit);
}

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    long major = -1, minor = -1, lineno = 0;
    long codes = 0, units = 0, mismatches = 0;
    int bad = 0;

    while (getline(&line, &cap, stdin) >= 0) {
        lineno++;
        char *s = line, *kind = token(&s);
        if (!kind)
            continue;
        if (strcmp(kind, "version") == 0) {
            if (parse_long(token(&s), 3, 3, &major) < 0 || parse_long(token(&s), 8, 99, &minor) < 0) {
                fprintf(stderr, "linetable_check: line %ld: bad version line\n", lineno);
                bad = 1;
                break;
            }
            continue;
        }
        if (strcmp(kind, "code") != 0 || minor < 0) {
            fprintf(stderr, "linetable_check: line %ld: unexpected '%s'\n", lineno, kind);
            bad = 1;
            break;
        }
        char *name = token(&s), *hex;
        long first, n;
        size_t len = 0;
        uint8_t *tab = NULL;
        if (!name || parse_long(token(&s), 0, 10000000, &first) < 0 || !(hex = token(&s)) ||
            !(tab = parse_hex(hex, &len)) || parse_long(token(&s), 0, 100000000, &n) < 0) {
            fprintf(stderr, "linetable_check: line %ld: bad code line\n", lineno);
            free(tab);
            bad = 1;
            break;
        }
        codes++;
        for (long u = 0; u < n; u++) {
            char *tok = token(&s);
            long want;
            if (tok && strcmp(tok, "-") == 0)
                want = -1;
            else if (parse_long(tok, 0, 100000000, &want) < 0) {
                fprintf(stderr, "linetable_check: line %ld: bad line value %ld\n", lineno, u);
                bad = 1;
                break;
            }
            int got = decode((int)minor, tab, len, (int)first, (int)u);
            units++;
            if (got != want) {
                if (mismatches < MAX_REPORTED)
                    fprintf(stderr, "MISMATCH %ld.%ld %s unit %ld (byte %ld): CPython %ld, decoder %d\n",
                            major, minor, name, u, 2 * u, want, got);
                mismatches++;
            }
        }
        if (!bad && token(&s)) {
            fprintf(stderr, "linetable_check: line %ld: more values than announced\n", lineno);
            bad = 1;
        }
        free(tab);
        if (bad)
            break;
    }
    free(line);
    if (!bad && codes == 0) {
        fprintf(stderr, "linetable_check: no code objects in the dump\n");
        bad = 1;
    }
    printf("RESULT %ld.%ld %ld %ld %ld\n", major, minor, codes, units, mismatches);
    return (bad || mismatches) ? 1 : 0;
}
