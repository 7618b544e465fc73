/* pystack_probe: prints the Python stacks of a live process as JSON lines (a test tool).
 *
 *   pystack_probe PID [--threads] [--count N] [--prefer-tid TID] [--bench N]
 *
 * First line: {"version": ..., "how": ...}. Then one line per stack read: each thread's
 * stack with --threads, else the stack pyreader_sample picks, N times. --bench N reads N
 * samples untimed-printed and reports the mean cost. Last line: {"stats": ...}.
 * Exit status: 0 read, 2 not Python, 3 unsupported, 4 permission denied, 5 no such
 * process, 1 usage or another failure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pyreader.h"

static void put_json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void put_stack(int rc, const py_stack *st, uint64_t tstate)
{
    printf("{\"rc\": %d", rc);
    if (tstate)
        printf(", \"tstate\": %llu", (unsigned long long)tstate);
    if (rc == 0) {
        printf(", \"thread_id\": %llu, \"native_tid\": %d, \"gil\": %d, \"truncated\": %d, \"frames\": [",
               (unsigned long long)st->thread_id, (int)st->native_tid, st->holds_gil, st->truncated);
        for (int i = 0; i < st->depth; i++) {
            const py_frame *f = &st->frames[i];
            printf("%s{\"file\": ", i ? ", " : "");
            put_json_string(f->file);
            printf(", \"func\": ");
            put_json_string(f->func);
            printf(", \"firstline\": %d, \"line\": %d}", (int)f->firstline, (int)f->line);
        }
        printf("]");
    }
    printf("}\n");
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
    int threads = 0, count = 1, bench = 0;
    long prefer = 0;
    if (argc < 2) {
        fprintf(stderr, "usage: pystack_probe PID [--threads] [--count N] [--prefer-tid TID] [--bench N]\n");
        return 1;
    }
    pid_t pid = (pid_t)atol(argv[1]);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--threads") == 0)
            threads = 1;
        else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
            count = atoi(argv[++i]);
        else if (strcmp(argv[i], "--prefer-tid") == 0 && i + 1 < argc)
            prefer = atol(argv[++i]);
        else if (strcmp(argv[i], "--bench") == 0 && i + 1 < argc)
            bench = atoi(argv[++i]);
        else {
            fprintf(stderr, "pystack_probe: unknown argument %s\n", argv[i]);
            return 1;
        }
    }
    strtab *strings = strtab_new();
    if (!strings || pid <= 0 || count < 0 || bench < 0)
        return 1;
    char msg[256];
    int not_python = 0;
    pyreader *r = pyreader_open(pid, strings, &not_python, msg, sizeof msg);
    if (!r) {
        int e = errno;
        fprintf(stderr, "pystack_probe: %s\n", msg);
        strtab_free(strings);
        if (not_python)
            return 2;
        return e == EPERM ? 4 : e == ESRCH ? 5 : e == ENOTSUP ? 3 : 1;
    }
    const py_version *v = pyreader_version(r);
    printf("{\"version\": \"%d.%d.%d\", \"how\": ", v->major, v->minor, v->micro);
    put_json_string(v->how);
    printf("}\n");

    static py_stack st;
    for (int k = 0; k < count; k++) {
        if (threads) {
            py_thread th[PY_MAX_THREADS];
            int n = pyreader_threads(r, th, PY_MAX_THREADS);
            if (n < 0)
                printf("{\"rc\": -1, \"threads\": -1}\n");
            for (int i = 0; i < n; i++) {
                int rc = pyreader_sample_thread(r, 0, th[i].tstate, &st);
                put_stack(rc, &st, th[i].tstate);
            }
        } else {
            int rc = pyreader_sample(r, (int32_t)prefer, &st);
            put_stack(rc, &st, 0);
        }
    }
    double us = 0;
    if (bench > 0) {
        double t0 = now_us();
        for (int k = 0; k < bench; k++)
            (void)pyreader_sample(r, (int32_t)prefer, &st);
        us = (now_us() - t0) / bench;
    }
    const py_stats *s = pyreader_stats(r);
    printf("{\"stats\": {\"samples\": %llu, \"torn\": %llu, \"code_cache_hits\": %llu, "
           "\"code_cache_misses\": %llu}, \"bench\": %d, \"us_per_sample\": %.3f, \"strings\": %zu}\n",
           (unsigned long long)s->samples, (unsigned long long)s->torn,
           (unsigned long long)s->code_cache_hits, (unsigned long long)s->code_cache_misses,
           bench, us, strtab_count(strings));
    pyreader_close(r);
    strtab_free(strings);
    return 0;
}
