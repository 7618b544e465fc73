/* tick_cost: what one collector tick costs on a live process.
 *
 *   tick_cost PID [--ticks N] [--rounds R] [--rate HZ] [--wake]
 *
 * Attaches to PID (a running CPython, or any process for the statm row) and times N ticks of
 * each kind, paced at HZ (default 1000; 0 = back to back): an empty tick (the cost of the
 * clocks themselves, subtracted from the rows below), the statm read, pyreader_sample, and
 * both together as the sampler does them. The kinds take turns, R rounds of N ticks each
 * (default 5 x 1000), and the median of the rounds' means is printed, so that a burst of
 * load elsewhere on the machine moves it little. Prints per-tick thread CPU time
 * (CLOCK_THREAD_CPUTIME_ID) and wall time in µs, and the outcome of the stack reads.
 * --wake also measures the CPU cost of waking at HZ with the ways a sampler can sleep (thread
 * CPU per wake-up and how late it wakes), the same way in rounds. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "memstat.h"
#include "pyreader.h"

static double ts_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static struct timespec ts_of(double us)
{
    struct timespec ts;
    ts.tv_sec = (time_t)(us / 1e6);
    ts.tv_nsec = (long)((us - (double)ts.tv_sec * 1e6) * 1e3);
    if (ts.tv_nsec < 0)
        ts.tv_nsec = 0;
    if (ts.tv_nsec > 999999999L)
        ts.tv_nsec = 999999999L;
    return ts;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

enum { K_EMPTY, K_STATM, K_SAMPLE, K_BOTH, K_COUNT };
static const char *const kind_name[K_COUNT] = { "empty", "statm", "pyreader_sample", "both" };

#define MAX_ROUNDS 101

typedef struct run {
    double cpu[MAX_ROUNDS], wall[MAX_ROUNDS];   /* per round: means, µs per tick */
    double *walls;                    /* every tick's wall time, µs */
    long ok, nopy, torn, failed;      /* outcomes of the stack reads / statm reads */
    long frames;
} run;

static py_stack st;

static void one_tick(int kind, memstat *m, pyreader *r, run *out)
{
    if (kind == K_STATM || kind == K_BOTH)
        if (memstat_rss(m) < 0)
            out->failed++;
    if ((kind == K_SAMPLE || kind == K_BOTH) && r) {
        int rc = pyreader_sample(r, 0, &st);
        if (rc == 0) {
            out->ok++;
            out->frames += st.depth;
        } else if (rc > 0)
            out->nopy++;
        else
            out->torn++;
    }
}

/* Times round `round` of `ticks` ticks of kind into out. */
static void time_ticks(int kind, memstat *m, pyreader *r, int ticks, double rate, run *out,
                       int round)
{
    double period = rate > 0 ? 1e6 / rate : 0, next = ts_us(CLOCK_MONOTONIC);
    double cpu = 0, wall = 0;
    for (int i = 0; i < ticks; i++) {
        if (period > 0) {
            next += period;
            struct timespec ts = ts_of(next);
            while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
                ;
        }
        double c0 = ts_us(CLOCK_THREAD_CPUTIME_ID), w0 = ts_us(CLOCK_MONOTONIC);
        one_tick(kind, m, r, out);
        double w1 = ts_us(CLOCK_MONOTONIC), c1 = ts_us(CLOCK_THREAD_CPUTIME_ID);
        cpu += c1 - c0;
        wall += w1 - w0;
        out->walls[(size_t)round * (size_t)ticks + (size_t)i] = w1 - w0;
    }
    out->cpu[round] = cpu / ticks;
    out->wall[round] = wall / ticks;
}

/* The median of v[0..n) (sorts v). */
static double median(double *v, size_t n)
{
    qsort(v, n, sizeof v[0], cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

enum { W_NANOSLEEP, W_SLACK_1US, W_SLACK_500US, W_TIMERFD, W_PPOLL, W_PPOLL_TIMERFD, W_COUNT };
static const char *const wake_name[W_COUNT] = {
    "clock_nanosleep TIMER_ABSTIME", "  same, timer slack 1 µs", "  same, timer slack 500 µs",
    "timerfd, blocking read", "ppoll(1 fd) with a timeout", "ppoll(1 fd + periodic timerfd)",
};

/* Sleeps `ticks` periods with method w; returns the thread CPU per wake and the mean lateness
 * (µs after the deadline). The ppoll rows wait on an eventfd nobody signals, as the sampler
 * waits on its page-fault counters. */
static void time_wakes(int w, int ticks, double rate, double *cpu_us, double *late_us)
{
    double period = 1e6 / rate;
    int tfd = -1, efd = eventfd(0, EFD_CLOEXEC);
    *cpu_us = *late_us = -1;
    if (efd < 0)
        return;
    if (w == W_TIMERFD || w == W_PPOLL_TIMERFD) {
        tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
        if (tfd < 0) {
            close(efd);
            return;
        }
    }
    unsigned long slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    if (w == W_SLACK_1US)
        prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
    if (w == W_SLACK_500US)
        prctl(PR_SET_TIMERSLACK, 500000UL, 0, 0, 0);
    double c0 = ts_us(CLOCK_THREAD_CPUTIME_ID), start = ts_us(CLOCK_MONOTONIC), late = 0;
    double next = start;
    if (tfd >= 0) {
        struct itimerspec its = { .it_interval = ts_of(period), .it_value = ts_of(start + period) };
        timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
    }
    for (int i = 0; i < ticks; i++) {
        next += period;
        uint64_t n = 1;
        if (w == W_TIMERFD) {
            if (read(tfd, &n, sizeof n) < 0 && errno != EINTR)
                break;
        } else if (w == W_PPOLL) {
            double left = next - ts_us(CLOCK_MONOTONIC);
            struct timespec ts = ts_of(left > 0 ? left : 0);
            struct pollfd pfd = { .fd = efd, .events = POLLIN };
            (void)ppoll(&pfd, 1, &ts, NULL);
        } else if (w == W_PPOLL_TIMERFD) {
            struct pollfd pfd[2] = { { .fd = efd, .events = POLLIN }, { .fd = tfd, .events = POLLIN } };
            if (ppoll(pfd, 2, NULL, NULL) > 0 && read(tfd, &n, sizeof n) < 0)
                n = 1;
        } else {
            struct timespec ts = ts_of(next);
            (void)clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        }
        if (n > 1 && n < 1000000)
            next += (double)(n - 1) * period;   /* expirations missed while late */
        late += ts_us(CLOCK_MONOTONIC) - next;
    }
    *cpu_us = (ts_us(CLOCK_THREAD_CPUTIME_ID) - c0) / ticks;
    *late_us = late / ticks;
    prctl(PR_SET_TIMERSLACK, slack, 0, 0, 0);
    if (tfd >= 0)
        close(tfd);
    close(efd);
}

int main(int argc, char **argv)
{
    int ticks = 1000, rounds = 5, wake = 0;
    double rate = 1000;
    if (argc < 2) {
        fprintf(stderr, "usage: tick_cost PID [--ticks N] [--rounds R] [--rate HZ] [--wake]\n");
        return 1;
    }
    pid_t pid = (pid_t)atol(argv[1]);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--ticks") == 0 && i + 1 < argc)
            ticks = atoi(argv[++i]);
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--rate") == 0 && i + 1 < argc)
            rate = atof(argv[++i]);
        else if (strcmp(argv[i], "--wake") == 0)
            wake = 1;
        else {
            fprintf(stderr, "tick_cost: unknown argument %s\n", argv[i]);
            return 1;
        }
    }
    if (pid <= 0 || ticks < 10 || ticks > 1000000 || rounds < 1 || rounds > MAX_ROUNDS || rate < 0 ||
        rate > 100000) {
        fprintf(stderr, "tick_cost: bad arguments\n");
        return 1;
    }
    memstat m;
    if (memstat_open(&m, pid) < 0) {
        fprintf(stderr, "tick_cost: PID %d: %s\n", (int)pid, strerror(errno));
        return 1;
    }
    strtab *strings = strtab_new();
    char msg[256];
    int not_python = 0;
    pyreader *r = strings ? pyreader_open(pid, strings, &not_python, msg, sizeof msg) : NULL;
    if (r) {
        const py_version *v = pyreader_version(r);
        printf("PID %d: Python %d.%d.%d, %d rounds of %d ticks at %s%.0f Hz\n", (int)pid, v->major,
               v->minor, v->micro, rounds, ticks, rate > 0 ? "" : "(back to back) ", rate);
        (void)pyreader_sample(r, 0, &st);            /* fill the code cache: steady state is timed */
    } else
        printf("PID %d: no stack reader (%s); statm only, %d ticks\n", (int)pid, msg, ticks);
    static run res[K_COUNT];
    size_t all = (size_t)rounds * (size_t)ticks;
    for (int k = 0; k < K_COUNT; k++)
        if (!(res[k].walls = malloc(all * sizeof *res[k].walls)))
            return 1;
    for (int round = 0; round < rounds; round++)
        for (int k = 0; k < K_COUNT; k++)
            time_ticks(k, &m, r, ticks, rate, &res[k], round);
    printf("%-17s %10s %10s %10s %10s   %s\n", "tick (median)", "cpu µs", "wall µs", "wall p50",
           "wall p99", "outcome");
    double base_cpu = median(res[K_EMPTY].cpu, (size_t)rounds);
    double base_wall = median(res[K_EMPTY].wall, (size_t)rounds);
    for (int k = 0; k < K_COUNT; k++) {
        double cpu = median(res[k].cpu, (size_t)rounds), wall = median(res[k].wall, (size_t)rounds);
        qsort(res[k].walls, all, sizeof res[k].walls[0], cmp_double);
        if (k != K_EMPTY) {
            cpu -= base_cpu;
            wall -= base_wall;
        }
        printf("%-17s %10.2f %10.2f %10.2f %10.2f", kind_name[k], cpu, wall, res[k].walls[all / 2],
               res[k].walls[all * 99 / 100]);
        if (k == K_SAMPLE || k == K_BOTH)
            printf("   %ld ok (%.1f frames), %ld no frame, %ld torn", res[k].ok,
                   res[k].ok ? (double)res[k].frames / res[k].ok : 0.0, res[k].nopy, res[k].torn);
        if (res[k].failed)
            printf("   %ld statm failures", res[k].failed);
        printf("\n");
        free(res[k].walls);
    }
    if (r) {
        const py_stats *s = pyreader_stats(r);
        printf("reader: %llu stacks, %llu torn, code cache %llu hits / %llu misses, %.2f reads "
               "(system calls) per call\n", (unsigned long long)s->samples,
               (unsigned long long)s->torn, (unsigned long long)s->code_cache_hits,
               (unsigned long long)s->code_cache_misses,
               (double)s->reads / (double)(res[K_SAMPLE].ok + res[K_SAMPLE].nopy + res[K_SAMPLE].torn +
                                           res[K_BOTH].ok + res[K_BOTH].nopy + res[K_BOTH].torn + 1));
    }
    if (wake && rate > 0) {
        /* the methods take turns, `rounds` rounds each: medians */
        static double cpu[W_COUNT][MAX_ROUNDS], late[W_COUNT][MAX_ROUNDS];
        for (int round = 0; round < rounds; round++)
            for (int w = 0; w < W_COUNT; w++)
                time_wakes(w, ticks, rate, &cpu[w][round], &late[w][round]);
        printf("%-33s %10s %12s\n", "wake-up (median)", "cpu µs", "late µs");
        for (int w = 0; w < W_COUNT; w++)
            printf("%-33s %10.2f %12.1f\n", wake_name[w], median(cpu[w], (size_t)rounds),
                   median(late[w], (size_t)rounds));
    }
    pyreader_close(r);
    strtab_free(strings);
    memstat_close(&m);
    return 0;
}
