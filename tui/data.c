/* data: what the screens show, read from the store into memory. */
#include "data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double data_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}


typedef struct tl_fill {
    timeline *tl;
    double after;              /* rows at or before this Unix time are skipped */
    int oom;
} tl_fill;

/* Makes room for more rows (and their highest values when with_hi). Returns 0 or -1. */
static int grow_rows(timeline *tl, int with_hi)
{
    size_t cap = tl->cap ? tl->cap * 2 : 4096;
    double *t = realloc(tl->t, cap * sizeof *t);
    if (!t)
        return -1;
    tl->t = t;
    for (int s = 0; s < PLOT_SERIES; s++) {
        int64_t *v = realloc(tl->v[s], cap * sizeof *v);
        if (!v)
            return -1;
        tl->v[s] = v;
        if (with_hi) {
            int64_t *h = realloc(tl->hi[s], cap * sizeof *h);
            if (!h)
                return -1;
            tl->hi[s] = h;
        }
    }
    tl->cap = cap;
    return 0;
}

static int grow(timeline *tl)
{
    return grow_rows(tl, 0);
}

static int add_minute(void *arg, const store_minute *m)
{
    tl_fill *f = arg;
    timeline *tl = f->tl;
    if (tl->n == tl->cap && grow_rows(tl, 1) < 0) {
        f->oom = 1;
        return 1;
    }
    double mid = m->t + 30.0 - tl->start;
    tl->t[tl->n] = mid > 0 ? mid : 0;
    if (tl->n > 0 && tl->t[tl->n] <= tl->t[tl->n - 1])
        return 0;   /* keep times rising (a first minute cut by the start) */
    for (int s = 0; s < PLOT_SERIES; s++) {
        tl->v[s][tl->n] = m->lo[s];
        tl->hi[s][tl->n] = m->hi[s];
    }
    tl->n++;
    tl->last_abs = m->t;
    return 0;
}

long timeline_load_minutes(store *st, int64_t session, double start, timeline *tl)
{
    tl->start = start;
    tl_fill f = { tl, 0, 0 };
    if (store_timeline_minutes(st, session, 0, STORE_OPEN_END, add_minute, &f) < 0)
        return -1;
    return f.oom ? -1 : (long)tl->n;
}

static int add_row(void *arg, const mw_sample *m)
{
    tl_fill *f = arg;
    timeline *tl = f->tl;
    if ((tl->n > 0 && m->t <= tl->last_abs) || m->t <= f->after)
        return 0;   /* already loaded (the query's lower bound is inclusive) */
    if (tl->n == tl->cap && grow(tl) < 0) {
        f->oom = 1;
        return 1;
    }
    tl->t[tl->n] = m->t - tl->start;
    tl->v[0][tl->n] = m->rss;
    tl->v[1][tl->n] = m->uss;
    tl->v[2][tl->n] = m->pss;
    tl->n++;
    tl->last_abs = m->t;
    return 0;
}

long timeline_load(store *st, int64_t session, double start, timeline *tl)
{
    size_t before = tl->n;
    tl->start = start;
    tl_fill f = { tl, -1e300, 0 };
    double from = tl->n ? tl->last_abs - start : 0;
    if (store_timeline(st, session, from, STORE_OPEN_END, add_row, &f) < 0)
        return -1;
    return f.oom ? -1 : (long)(tl->n - before);
}

long timeline_load_after(store *st, int64_t session, double start, double after_abs, timeline *tl)
{
    tl->start = start;
    tl_fill f = { tl, after_abs, 0 };
    double from = after_abs - start;
    if (store_timeline(st, session, from > 0 ? from : 0, STORE_OPEN_END, add_row, &f) < 0)
        return -1;
    return f.oom ? -1 : (long)tl->n;
}

long timeline_append(timeline *dst, const timeline *src)
{
    size_t before = dst->n;
    for (size_t i = 0; i < src->n; i++) {
        if (dst->n > 0 && src->t[i] <= dst->t[dst->n - 1])
            continue;
        if (dst->n == dst->cap && grow(dst) < 0)
            return -1;
        dst->t[dst->n] = src->t[i];
        for (int s = 0; s < PLOT_SERIES; s++)
            dst->v[s][dst->n] = src->v[s][i];
        dst->n++;
    }
    if (dst->n > before) {
        dst->start = src->start;
        dst->last_abs = src->last_abs > dst->last_abs ? src->last_abs : dst->last_abs;
    }
    return (long)(dst->n - before);
}

void timeline_free(timeline *tl)
{
    free(tl->t);
    for (int s = 0; s < PLOT_SERIES; s++) {
        free(tl->v[s]);
        free(tl->hi[s]);
    }
    memset(tl, 0, sizeof *tl);
}

plot_data timeline_plot(const timeline *tl)
{
    plot_data d = { tl->t, { tl->v[0], tl->v[1], tl->v[2] }, tl->n, { tl->hi[0], tl->hi[1], tl->hi[2] } };
    return d;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

typedef struct rt_fill {
    rtable *t;
    int oom;
} rt_fill;

static int add_report_row(void *arg, const store_report_row *r)
{
    rt_fill *f = arg;
    rtable *t = f->t;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        rrow *nr = realloc(t->rows, cap * sizeof *nr);
        if (!nr) {
            f->oom = 1;
            return 1;
        }
        t->rows = nr;
        t->cap = cap;
    }
    rrow *w = &t->rows[t->n];
    w->file = dup_or_null(r->file);
    w->func = dup_or_null(r->func);
    w->text = dup_or_null(r->text);
    if (!w->file || !w->func || (r->text && !w->text)) {
        free(w->file), free(w->func), free(w->text);
        f->oom = 1;
        return 1;
    }
    w->line = r->line;
    w->growth = r->growth;
    w->shrink = r->shrink;
    w->net = r->net;
    w->hits = r->hits;
    w->peak = r->peak_rss;
    t->n++;
    return 0;
}

int rtable_load(store *st, int64_t session, int group, double from, double to, int order, int limit, rtable *t)
{
    rtable_free(t);
    rt_fill f = { t, 0 };
    if (store_report(st, session, group, from, to, order, limit, add_report_row, &f) < 0)
        return -1;
    return f.oom ? -1 : 0;
}

void rtable_free(rtable *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->rows[i].file);
        free(t->rows[i].func);
        free(t->rows[i].text);
    }
    free(t->rows);
    memset(t, 0, sizeof *t);
}

int sessions_load(store *st, sessions *s)
{
    sessions_free(s);
    if (store_list_sessions(st, &s->list) < 0)
        return -1;
    s->growth = malloc((s->list.n ? s->list.n : 1) * sizeof *s->growth);
    if (!s->growth) {
        store_sessions_free(&s->list);
        return -1;
    }
    for (size_t i = 0; i < s->list.n; i++) {
        double t0, t1;
        int64_t r0, r1;
        s->growth[i] = NAN;
        int r = store_rss_span(st, s->list.items[i].id, &t0, &r0, &t1, &r1);
        if (r < 0) {
            sessions_free(s);
            return -1;
        }
        if (r == 0 && t1 - t0 >= 1.0)
            s->growth[i] = (double)(r1 - r0) / ((t1 - t0) / 60.0);
    }
    return 0;
}

int sessions_children(store *st, int64_t parent, sessions *s)
{
    if (sessions_load(st, s) < 0)
        return -1;
    size_t w = 0;
    for (size_t i = 0; i < s->list.n; i++) {
        if (s->list.items[i].parent != parent) {
            store_session_clear(&s->list.items[i]);
            continue;
        }
        s->list.items[w] = s->list.items[i];
        s->growth[w] = s->growth[i];
        w++;
    }
    s->list.n = w;
    return 0;
}

void sessions_free(sessions *s)
{
    store_sessions_free(&s->list);
    free(s->growth);
    s->growth = NULL;
}

uint64_t sessions_stamp(const store_sessions *l)
{
    uint64_t h = 1469598103934665603ull ^ l->n;
    for (size_t i = 0; i < l->n; i++) {
        const store_session *s = &l->items[i];
        uint64_t parts[4] = { (uint64_t)s->id, (uint64_t)s->samples, (uint64_t)s->status, (uint64_t)s->peak_rss };
        for (int k = 0; k < 4; k++)
            h = (h ^ parts[k]) * 1099511628211ull;
    }
    return h;
}

double session_duration(const store_session *ss, double now)
{
    double end = ss->status == MW_END_LIVE ? now : ss->end > 0 ? ss->end : ss->last_t;
    return end > ss->start ? end - ss->start : 0;
}

double session_length(const store_session *ss)
{
    double end = ss->last_t > 0 ? ss->last_t : ss->start;
    if (ss->status != MW_END_LIVE && ss->end > end)
        end = ss->end;
    return end > ss->start ? end - ss->start : 0;
}
