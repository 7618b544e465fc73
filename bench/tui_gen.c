/* tui_gen: writes a long synthetic session through the store's own sink, for
 * timing memwatch-tui on a big history (bench/tui_speed.py drives it).
 * Usage: tui_gen DB [HOURS] [PER_SECOND]   (defaults: 24 h at 5 rows a second) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"

#define NFILES 4
#define NFUNCS 10               /* per file */
#define NLINES 4                /* charged lines per function */
#define BATCH 2000              /* intervals per transaction */

static const char *const files[NFILES] = { "/srv/app/main.py", "/srv/app/loader.py", "/srv/app/cache.py",
                                           "/usr/lib/python3.11/json/decoder.py" };

/* A small deterministic generator (the same database every run). */
static unsigned long long rng = 88172645463325252ull;
static unsigned long long next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int fail(const mw_sink *k, const char *what)
{
    fprintf(stderr, "tui_gen: %s: %s\n", what, k->errmsg(k->ctx));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: tui_gen DB [HOURS] [PER_SECOND]\n");
        return 2;
    }
    double hours = argc > 2 ? atof(argv[2]) : 24, per_s = argc > 3 ? atof(argv[3]) : 5;
    if (!(hours > 0) || !(per_s > 0) || hours * 3600 * per_s > 1e8) {
        fprintf(stderr, "tui_gen: bad HOURS or PER_SECOND\n");
        return 2;
    }
    char err[512];
    store *st = store_open(argv[1], STORE_WRITE, err, sizeof err);
    if (!st) {
        fprintf(stderr, "tui_gen: %s\n", err);
        return 1;
    }
    mw_sink k = store_sink(st);
    long rows = lround(hours * 3600 * per_s);
    double interval = 1.0 / per_s, start = (double)time(NULL) - hours * 3600 - 60;
    mw_session_info info = { .pid = 4242, .cmdline = "python3 /srv/app/main.py --serve --workers 4",
                             .exe = "/usr/bin/python3.11", .start = start, .interval = interval, .rate = 1000,
                             .python = "3.11.2" };
    int64_t session;
    if (k.batch_begin(k.ctx) < 0 || k.session_begin(k.ctx, &info, &session) < 0)
        return fail(&k, "starting the session");
    /* stacks: main() > handler_f() > line l, one node per function and per line */
    uint32_t id = 1, root = id++;
    mw_stack_node top = { root, 0, files[0], "main", 10, 42 };
    if (k.stack_node(k.ctx, &top) < 0)
        return fail(&k, "announcing stacks");
    uint32_t leaves[NFILES * NFUNCS * NLINES];
    size_t nleaves = 0;
    char func[64];
    for (int f = 0; f < NFILES; f++)
        for (int fn = 0; fn < NFUNCS; fn++) {
            snprintf(func, sizeof func, "handler_%d", fn);
            for (int l = 0; l < NLINES; l++) {
                mw_stack_node n = { id, root, files[f], func, 20 + fn * 30, 21 + fn * 30 + l * 3 };
                if (k.stack_node(k.ctx, &n) < 0)
                    return fail(&k, "announcing stacks");
                leaves[nleaves++] = id++;
            }
        }
    double rss = 80e6;
    for (long i = 0; i < rows; i++) {
        double t = start + (double)(i + 1) * interval;
        /* slow growth (a leak), a daily-ish wave, and now and then a spike */
        double before = rss;
        rss += 40.0 + 2e6 * sin((double)i / 20000.0) / 2000.0 + (double)(next() % 2001) - 1000.0;
        int spike = next() % 5000 == 0;
        if (rss < 50e6)
            rss = 50e6;
        mw_sample m = { .t = t, .rss = (int64_t)rss + (spike ? 300000000 : 0), .uss = (int64_t)(rss * 0.92),
                        .pss = (int64_t)(rss * 0.95), .swap = 0, .rss_peak = (int64_t)rss + (spike ? 300000000 : 0),
                        .ticks = (uint32_t)(1000 * interval) };
        if (k.sample(k.ctx, session, &m) < 0)
            return fail(&k, "writing a sample");
        /* three stacks charged per interval, skewed so that a few lines dominate */
        for (int c = 0; c < 3; c++) {
            size_t leaf = (size_t)(next() % nleaves);
            if (c == 0)
                leaf = (size_t)(next() % 6);
            double d = c == 0 ? rss - before : (double)(next() % 65536) - 32768.0;
            mw_charge ch = { .stack = leaves[leaf], .trigger = (int)(next() % 2), .growth = d > 0 ? (int64_t)d : 0,
                             .shrink = d < 0 ? (int64_t)-d : 0, .hits = (uint32_t)(1 + next() % 60),
                             .peak_rss = m.rss };
            if (spike && c == 0)
                ch.growth += 300000000;
            if (k.charge(k.ctx, session, t, &ch) < 0)
                return fail(&k, "writing a charge");
        }
        if ((i + 1) % BATCH == 0 && (k.batch_commit(k.ctx) < 0 || k.batch_begin(k.ctx) < 0))
            return fail(&k, "committing");
    }
    char text[96];
    for (int f = 0; f < NFILES; f++)
        for (int fn = 0; fn < NFUNCS; fn++) {
            snprintf(text, sizeof text, "def handler_%d(request):", fn);
            if (k.source_line(k.ctx, session, files[f], 20 + fn * 30, text) < 0)
                return fail(&k, "saving source");
            for (int l = 0; l < NLINES; l++) {
                snprintf(text, sizeof text, "    part_%d = decode(request.body[%d:])", l, l * 1024);
                if (k.source_line(k.ctx, session, files[f], 21 + fn * 30 + l * 3, text) < 0)
                    return fail(&k, "saving source");
            }
        }
    mw_session_end e = { .end = start + (double)rows * interval + 0.1, .status = MW_END_ENDED, .has_exit = 1 };
    if (k.session_end(k.ctx, session, &e) < 0 || k.batch_commit(k.ctx) < 0)
        return fail(&k, "ending the session");
    store_close(st);
    printf("tui_gen: session %lld: %ld timeline rows, %ld charges\n", (long long)session, rows, rows * 3);
    return 0;
}
