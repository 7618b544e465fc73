/* loader: reads a session's timeline and tables on a thread of its own. */
#include "loader.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PENDING 8
#define MAX_RESULTS 16

struct loader {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    store *st;
    int stop, working;
    load_req pending[MAX_PENDING];
    int npending;
    load_result results[MAX_RESULTS];
    int nresults;
};

/* Appends a result; when full the oldest is dropped (the screen asks again). */
static void post(loader *l, load_result *r)
{
    pthread_mutex_lock(&l->mu);
    if (l->nresults == MAX_RESULTS) {
        load_result_free(&l->results[0]);
        memmove(l->results, l->results + 1, (MAX_RESULTS - 1) * sizeof *l->results);
        l->nresults--;
    }
    l->results[l->nresults++] = *r;
    pthread_mutex_unlock(&l->mu);
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Reads what q asks for: the folded minutes and the tables first (a few
 * thousand rows each), then the timeline rows. */
static void run(loader *l, const load_req *q)
{
    if (q->minutes) {
        load_result r = { .kind = LOAD_MINUTES, .session = q->session, .gen = q->gen };
        double t0 = mono();
        if (timeline_load_minutes(l->st, q->session, q->start, &r.rows) < 0) {
            r.failed = 1;
            snprintf(r.err, sizeof r.err, "%s", store_errmsg(l->st));
        }
        r.seconds = mono() - t0;
        post(l, &r);
    }
    if (q->panes) {
        load_result r = { .kind = LOAD_PANES, .session = q->session, .gen = q->gen };
        double t0 = mono();
        if (rtable_load(l->st, q->session, STORE_LINES, q->from, q->to, q->order, q->limit, &r.lines) < 0 ||
            rtable_load(l->st, q->session, STORE_FUNCTIONS, q->from, q->to, q->order, q->limit, &r.funcs) < 0) {
            r.failed = 1;
            snprintf(r.err, sizeof r.err, "%s", store_errmsg(l->st));
        }
        r.seconds = mono() - t0;
        post(l, &r);
    }
    if (q->timeline) {
        load_result r = { .kind = LOAD_TIMELINE, .session = q->session, .gen = q->gen };
        double t0 = mono();
        long got = q->after_abs > 0 ? timeline_load_after(l->st, q->session, q->start, q->after_abs, &r.rows)
                                    : timeline_load(l->st, q->session, q->start, &r.rows);
        if (got < 0) {
            r.failed = 1;
            snprintf(r.err, sizeof r.err, "%s", store_errmsg(l->st));
        }
        r.seconds = mono() - t0;
        post(l, &r);
    }
}

static void *main_loop(void *arg)
{
    loader *l = arg;
    pthread_mutex_lock(&l->mu);
    for (;;) {
        while (!l->stop && l->npending == 0)
            pthread_cond_wait(&l->cv, &l->mu);
        if (l->stop)
            break;
        load_req q = l->pending[0];
        memmove(l->pending, l->pending + 1, (size_t)(l->npending - 1) * sizeof *l->pending);
        l->npending--;
        l->working = 1;
        pthread_mutex_unlock(&l->mu);
        run(l, &q);
        pthread_mutex_lock(&l->mu);
        l->working = 0;
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

loader *loader_start(const char *path, char *err, size_t errlen)
{
    loader *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    l->st = store_open(path, STORE_READ, err, errlen);
    if (!l->st) {
        free(l);
        return NULL;
    }
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cv, NULL);
    if (pthread_create(&l->thread, NULL, main_loop, l) != 0) {
        snprintf(err, errlen, "cannot start a thread");
        store_close(l->st);
        pthread_mutex_destroy(&l->mu);
        pthread_cond_destroy(&l->cv);
        free(l);
        return NULL;
    }
    return l;
}

void loader_stop(loader *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->mu);
    l->stop = 1;
    pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
    pthread_join(l->thread, NULL);
    for (int i = 0; i < l->nresults; i++)
        load_result_free(&l->results[i]);
    store_close(l->st);
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->cv);
    free(l);
}

void loader_submit(loader *l, const load_req *r)
{
    pthread_mutex_lock(&l->mu);
    load_req q = *r;
    /* a waiting request of the same session is merged into this one: its
     * timeline part still counts, its tables are out of date */
    for (int i = 0; i < l->npending; i++)
        if (l->pending[i].session == q.session) {
            if (l->pending[i].timeline && (!q.timeline || l->pending[i].after_abs < q.after_abs)) {
                q.timeline = 1;
                q.after_abs = l->pending[i].after_abs;
            }
            q.minutes |= l->pending[i].minutes;
            if (!q.panes && l->pending[i].panes) {
                q.panes = 1;
                q.from = l->pending[i].from;
                q.to = l->pending[i].to;
                q.order = l->pending[i].order;
                q.limit = l->pending[i].limit;
            }
            memmove(l->pending + i, l->pending + i + 1, (size_t)(l->npending - i - 1) * sizeof *l->pending);
            l->npending--;
            i--;
        }
    if (l->npending == MAX_PENDING) {
        memmove(l->pending, l->pending + 1, (MAX_PENDING - 1) * sizeof *l->pending);
        l->npending--;
    }
    l->pending[l->npending++] = q;
    pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

int loader_take(loader *l, load_result *out)
{
    pthread_mutex_lock(&l->mu);
    int got = l->nresults > 0;
    if (got) {
        *out = l->results[0];
        memmove(l->results, l->results + 1, (size_t)(l->nresults - 1) * sizeof *l->results);
        l->nresults--;
    }
    pthread_mutex_unlock(&l->mu);
    return got;
}

int loader_busy(loader *l)
{
    pthread_mutex_lock(&l->mu);
    int busy = l->working || l->npending > 0 || l->nresults > 0;
    pthread_mutex_unlock(&l->mu);
    return busy;
}

void load_result_free(load_result *r)
{
    timeline_free(&r->rows);
    rtable_free(&r->lines);
    rtable_free(&r->funcs);
}
