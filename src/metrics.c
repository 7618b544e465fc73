/* metrics: Prometheus text exposition and the HTTP request line (pure). */
#include "metrics.h"

#include <math.h>
#include <string.h>

#include "sink.h"

/* Length of the valid UTF-8 sequence at s (at most left bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
    size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (!n || n > left || (n == 2 && s[0] < 0xc2))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

void metrics_write_label(FILE *f, const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t left = strnlen((const char *)p, max);
    while (left > 0) {
        if (*p == '\\' || *p == '"') {
            fputc('\\', f);
            fputc(*p, f);
        } else if (*p == '\n') {
            fputs("\\n", f);
        } else if (*p < 0x20 || *p == 0x7f) {
            fputc('?', f);
        } else {
            size_t n = utf8_len(p, left);
            if (!n) {
                fputs("\xef\xbf\xbd", f);   /* U+FFFD */
                n = 1;
            } else {
                fwrite(p, 1, n, f);
            }
            p += n;
            left -= n;
            continue;
        }
        p++;
        left--;
    }
}

enum { F_RSS, F_USS, F_PSS, F_SWAP, F_GROWTH, F_LEAK, F_COUNT };

static const struct {
    const char *name, *help;
} families[F_COUNT] = {
    { "memwatch_rss_bytes", "Resident set size of a watched process." },
    { "memwatch_uss_bytes", "Unique set size (private memory) of a watched process." },
    { "memwatch_pss_bytes", "Proportional set size of a watched process." },
    { "memwatch_swap_bytes", "Swapped-out memory of a watched process." },
    { "memwatch_growth_bytes_per_second",
      "Robust (Theil-Sen) slope of a watched process's memory over the leak window." },
    { "memwatch_leak", "1 once memwatch flagged the process as leaking, else 0." },
};

/* The figure of family k for p; 0 with *v set, or -1 when unknown. */
static int value(const metrics_proc *p, int k, double *v)
{
    int64_t x;
    switch (k) {
    case F_RSS: x = p->rss; break;
    case F_USS: x = p->uss; break;
    case F_PSS: x = p->pss; break;
    case F_SWAP: x = p->swap; break;
    case F_GROWTH:
        if (!isfinite(p->growth))
            return -1;
        *v = p->growth;
        return 0;
    default:
        *v = p->leak ? 1 : 0;
        return 0;
    }
    if (x == MW_NOVAL)
        return -1;
    *v = (double)x;
    return 0;
}

void metrics_write(FILE *f, const metrics_proc *procs, size_t n)
{
    for (int k = 0; k < F_COUNT; k++) {
        fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", families[k].name, families[k].help, families[k].name);
        for (size_t i = 0; i < n; i++) {
            double v;
            if (value(&procs[i], k, &v) < 0)
                continue;
            fprintf(f, "%s{pid=\"%d\",comm=\"", families[k].name, procs[i].pid);
            metrics_write_label(f, procs[i].comm, 64);
            if (k == F_GROWTH)
                fprintf(f, "\",session=\"%lld\"} %.3f\n", (long long)procs[i].session, v);
            else
                fprintf(f, "\",session=\"%lld\"} %.0f\n", (long long)procs[i].session, v);
        }
    }
    fprintf(f, "# HELP memwatch_processes_watched Processes memwatch daemon watches now.\n"
               "# TYPE memwatch_processes_watched gauge\nmemwatch_processes_watched %zu\n", n);
}

int metrics_request(const char *buf, size_t len, int *head)
{
    *head = 0;
    /* the header ends with an empty line (CRLF CRLF, or LF LF from lax clients) */
    int complete = 0;
    for (size_t i = 0; i + 1 < len && !complete; i++) {
        if (buf[i] == '\n' && buf[i + 1] == '\n')
            complete = 1;
        else if (i + 3 < len && !memcmp(buf + i, "\r\n\r\n", 4))
            complete = 1;
    }
    if (!complete)
        return memchr(buf, '\0', len) ? REQ_BAD : REQ_INCOMPLETE;
    const char *eol = memchr(buf, '\n', len);
    size_t ll = (size_t)(eol - buf);
    if (ll && buf[ll - 1] == '\r')
        ll--;
    const char *sp1 = memchr(buf, ' ', ll);
    if (!sp1)
        return REQ_BAD;
    const char *path = sp1 + 1;
    const char *sp2 = memchr(path, ' ', ll - (size_t)(path - buf));
    if (!sp2 || sp2 == path)
        return REQ_BAD;
    const char *ver = sp2 + 1;
    size_t vl = ll - (size_t)(ver - buf);
    if (vl < 8 || memcmp(ver, "HTTP/1.", 7) != 0)
        return REQ_BAD;
    size_t ml = (size_t)(sp1 - buf), pl = (size_t)(sp2 - path);
    const char *q = memchr(path, '?', pl);
    if (q)
        pl = (size_t)(q - path);
    int get = ml == 3 && !memcmp(buf, "GET", 3);
    *head = ml == 4 && !memcmp(buf, "HEAD", 4);
    if (!get && !*head)
        return REQ_BAD_METHOD;
    if (pl == 8 && !memcmp(path, "/metrics", 8))
        return REQ_METRICS;
    return REQ_NOT_FOUND;
}
