/* Unit tests: the Prometheus exposition (families, labels, escaping) and the HTTP request check. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "metrics.h"
#include "sink.h"

/* Runs fn into a memory stream; returns the text (to free). */
static char *capture(const metrics_proc *p, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    metrics_write(f, p, n);
    fclose(f);
    return buf;
}

static char *label(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    metrics_write_label(f, s, 64);
    fclose(f);
    return buf;
}

static void test_format(void)
{
    metrics_proc p[2] = {
        { .pid = 10, .session = 3, .comm = "python3", .rss = 1048576, .uss = 524288, .pss = 600000, .swap = 0,
          .growth = 2048.5, .leak = 1 },
        { .pid = 11, .session = 4, .comm = "we\"ird\\na\nme", .rss = 4096, .uss = MW_NOVAL, .pss = MW_NOVAL,
          .swap = MW_NOVAL, .growth = NAN, .leak = 0 },
    };
    char *t = capture(p, 2);
    CHECK(strstr(t, "# HELP memwatch_rss_bytes ") && strstr(t, "# TYPE memwatch_rss_bytes gauge\n"));
    CHECK(strstr(t, "memwatch_rss_bytes{pid=\"10\",comm=\"python3\",session=\"3\"} 1048576\n") != NULL);
    CHECK(strstr(t, "memwatch_uss_bytes{pid=\"10\",comm=\"python3\",session=\"3\"} 524288\n") != NULL);
    CHECK(strstr(t, "memwatch_growth_bytes_per_second{pid=\"10\",comm=\"python3\",session=\"3\"} 2048.500\n") != NULL);
    CHECK(strstr(t, "memwatch_leak{pid=\"10\",comm=\"python3\",session=\"3\"} 1\n") != NULL);
    /* escaped label value; unknown figures are left out, not written as 0 */
    CHECK(strstr(t, "memwatch_rss_bytes{pid=\"11\",comm=\"we\\\"ird\\\\na\\nme\",session=\"4\"} 4096\n") != NULL);
    CHECK(strstr(t, "memwatch_uss_bytes{pid=\"11\"") == NULL);
    CHECK(strstr(t, "memwatch_growth_bytes_per_second{pid=\"11\"") == NULL);
    CHECK(strstr(t, "memwatch_leak{pid=\"11\",comm=\"we\\\"ird\\\\na\\nme\",session=\"4\"} 0\n") != NULL);
    CHECK(strstr(t, "# TYPE memwatch_processes_watched gauge\nmemwatch_processes_watched 2\n") != NULL);
    /* each family's lines together: the TYPE line of one comes after every sample of the one before */
    char *type_uss = strstr(t, "# TYPE memwatch_uss_bytes");
    char *last_rss = strstr(t, "memwatch_rss_bytes{pid=\"11\"");
    CHECK(type_uss && last_rss && last_rss < type_uss);
    /* every line ends with a newline, no line is empty */
    CHECK(t[strlen(t) - 1] == '\n' && !strstr(t, "\n\n"));
    free(t);
    t = capture(NULL, 0);
    CHECK(strstr(t, "memwatch_processes_watched 0\n") && !strstr(t, "{pid="));
    free(t);
}

static void test_labels(void)
{
    char *l = label("plain");
    CHECK_STR(l, "plain");
    free(l);
    l = label("a\"b\\c\nd");
    CHECK_STR(l, "a\\\"b\\\\c\\nd");
    free(l);
    l = label("\x01tab\there\x7f");
    CHECK_STR(l, "?tab?here?");
    free(l);
    l = label("caf\xc3\xa9 \xff\xfe");
    CHECK_STR(l, "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd");
    free(l);
    l = label("\xe2\x82");   /* a cut sequence */
    CHECK_STR(l, "\xef\xbf\xbd\xef\xbf\xbd");
    free(l);
    l = label(NULL);
    CHECK_STR(l, "");
    free(l);
    char longs[200];
    memset(longs, 'x', sizeof longs - 1);
    longs[sizeof longs - 1] = '\0';
    l = label(longs);
    CHECK(strlen(l) == 64);
    free(l);
}

static int req(const char *s, int *head)
{
    return metrics_request(s, strlen(s), head);
}

static void test_requests(void)
{
    int head;
    CHECK(req("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &head) == REQ_METRICS && !head);
    CHECK(req("GET /metrics?x=1 HTTP/1.0\r\n\r\n", &head) == REQ_METRICS);
    CHECK(req("HEAD /metrics HTTP/1.0\n\n", &head) == REQ_METRICS && head);
    CHECK(req("GET / HTTP/1.1\r\n\r\n", &head) == REQ_NOT_FOUND);
    CHECK(req("GET /metricsx HTTP/1.1\r\n\r\n", &head) == REQ_NOT_FOUND);
    CHECK(req("POST /metrics HTTP/1.1\r\n\r\n", &head) == REQ_BAD_METHOD);
    CHECK(req("GET /metrics HTTP/1.1\r\nHost: x\r\n", &head) == REQ_INCOMPLETE);
    CHECK(req("GET /metr", &head) == REQ_INCOMPLETE);
    CHECK(req("", &head) == REQ_INCOMPLETE);
    CHECK(req("GET\r\n\r\n", &head) == REQ_BAD);
    CHECK(req("GET /metrics\r\n\r\n", &head) == REQ_BAD);
    CHECK(req("GET /metrics SPDY/3\r\n\r\n", &head) == REQ_BAD);
    CHECK(req("GET  HTTP/1.1\r\n\r\n", &head) == REQ_BAD);
    CHECK(metrics_request("GET \0/metrics HTTP/1.1", 22, &head) == REQ_BAD);
}

int main(void)
{
    test_format();
    test_labels();
    test_requests();
    return check_done("test_metrics");
}
