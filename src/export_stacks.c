/* export_stacks: where memory grew, per whole stack — collapsed stacks and speedscope. */
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "flame.h"
#include "idcache.h"
#include "jsonw.h"
#include "mw_config.h"
#include "textout.h"

typedef struct collapsed_in {
    flame_lines *lines;
    const char *prefix;        /* the process frame, or NULL */
    int oom;
} collapsed_in;

static int collapsed_row(void *arg, const store_stack_row *r)
{
    collapsed_in *c = arg;
    if (flame_add(c->lines, c->prefix, r->frames, r->depth, r->growth) < 0) {
        c->oom = 1;
        return 1;
    }
    return 0;
}

int export_collapsed(const export_ctx *x, FILE *f)
{
    flame_lines lines = { 0 };
    int rc = 0;
    for (size_t i = 0; i < x->n && rc == 0; i++) {
        double from, to;
        export_range(x, i, &from, &to);
        char cmd[300], prefix[400];
        if (x->n > 1) {
            /* several processes: each stack starts at its process */
            char raw[360];
            snprintf(raw, sizeof raw, "[pid %d] %s", x->sessions[i].pid,
                     textout_clean(x->sessions[i].cmdline, cmd, sizeof cmd, 80));
            flame_clean(raw, prefix, sizeof prefix);
        }
        collapsed_in c = { &lines, x->n > 1 ? prefix : NULL, 0 };
        rc = store_stacks(x->st, x->sessions[i].id, from, to, collapsed_row, &c);
        if (rc == 0 && c.oom)
            rc = -1;
    }
    if (rc == 0) {
        flame_merge(&lines);
        flame_write(&lines, f);
    }
    flame_free(&lines);
    return rc;
}

/* Speedscope's shared frames, interned by (file, func, line). */
typedef struct frametab {
    idcache index;             /* key -> position + 1 */
    store_frame *items;        /* own copies of the strings */
    size_t n, cap;
} frametab;

/* One profile: its samples (frame positions, outermost first) and weights. */
typedef struct profile {
    size_t *frames;            /* all samples' frames back to back */
    size_t nframes, capframes;
    size_t *start;             /* sample k: frames[start[k] .. start[k + 1]) */
    int64_t *weights;
    size_t n, cap;
    int64_t total;
} profile;

typedef struct speedscope_in {
    frametab *tab;
    profile *p;
    char *key;                 /* scratch for interning keys */
    size_t keycap;
    int oom;
} speedscope_in;

/* The position of frame fr in the table, interning it. Returns it, or (size_t)-1 when out of memory. */
static size_t frame_index(speedscope_in *in, const store_frame *fr)
{
    size_t lf = strlen(fr->file), lu = strlen(fr->func), len = lf + lu + 2 + sizeof fr->line;
    if (len > in->keycap) {
        char *k = realloc(in->key, len);
        if (!k)
            return (size_t)-1;
        in->key = k;
        in->keycap = len;
    }
    memcpy(in->key, fr->file, lf + 1);
    memcpy(in->key + lf + 1, fr->func, lu + 1);
    memcpy(in->key + lf + lu + 2, &fr->line, sizeof fr->line);
    int64_t got = idcache_get(&in->tab->index, in->key, len);
    if (got > 0)
        return (size_t)(got - 1);
    frametab *t = in->tab;
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        store_frame *ni = realloc(t->items, cap * sizeof *ni);
        if (!ni)
            return (size_t)-1;
        t->items = ni;
        t->cap = cap;
    }
    store_frame *nf = &t->items[t->n];
    nf->file = strdup(fr->file);
    nf->func = strdup(fr->func);
    nf->line = fr->line;
    if (!nf->file || !nf->func || idcache_put(&t->index, in->key, len, (int64_t)t->n + 1) < 0) {
        free((char *)nf->file);
        free((char *)nf->func);
        return (size_t)-1;
    }
    return t->n++;
}

static int speedscope_row(void *arg, const store_stack_row *r)
{
    speedscope_in *in = arg;
    profile *p = in->p;
    if (r->growth <= 0 || r->depth == 0)
        return 0;
    if (p->n + 1 >= p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        size_t *ns = realloc(p->start, (cap + 1) * sizeof *ns);
        if (ns)
            p->start = ns;
        int64_t *nw = realloc(p->weights, cap * sizeof *nw);
        if (nw)
            p->weights = nw;
        if (!ns || !nw)
            goto oom;
        p->cap = cap;
    }
    if (p->nframes + r->depth > p->capframes) {
        size_t cap = p->capframes ? p->capframes * 2 : 4096;
        while (cap < p->nframes + r->depth)
            cap *= 2;
        size_t *nf = realloc(p->frames, cap * sizeof *nf);
        if (!nf)
            goto oom;
        p->frames = nf;
        p->capframes = cap;
    }
    p->start[p->n] = p->nframes;
    for (size_t i = 0; i < r->depth; i++) {
        size_t k = frame_index(in, &r->frames[i]);
        if (k == (size_t)-1)
            goto oom;
        p->frames[p->nframes++] = k;
    }
    p->weights[p->n++] = r->growth;
    p->start[p->n] = p->nframes;
    p->total += r->growth;
    return 0;
oom:
    in->oom = 1;
    return 1;
}

static void write_profile(FILE *f, const store_session *ss, const profile *p)
{
    char cmd[300], name[400];
    snprintf(name, sizeof name, "memory growth: session %lld (pid %d) %s", (long long)ss->id, ss->pid,
             textout_clean(ss->cmdline, cmd, sizeof cmd, 120));
    fputs("\n  {", f);
    jsonw_key(f, "type", 1);
    jsonw_string(f, "sampled");
    jsonw_key(f, "name", 0);
    jsonw_string(f, name);
    jsonw_key(f, "unit", 0);
    jsonw_string(f, "bytes");
    jsonw_key(f, "startValue", 0);
    jsonw_int(f, 0, 1);
    jsonw_key(f, "endValue", 0);
    jsonw_int(f, p->total, 1);
    jsonw_key(f, "samples", 0);
    fputc('[', f);
    for (size_t k = 0; k < p->n; k++) {
        fputs(k ? ",[" : "[", f);
        for (size_t j = p->start[k]; j < p->start[k + 1]; j++)
            fprintf(f, j > p->start[k] ? ",%zu" : "%zu", p->frames[j]);
        fputc(']', f);
    }
    fputs("]", f);
    jsonw_key(f, "weights", 0);
    fputc('[', f);
    for (size_t k = 0; k < p->n; k++) {
        if (k)
            fputc(',', f);
        jsonw_int(f, p->weights[k], 1);
    }
    fputs("]}", f);
}

int export_speedscope(const export_ctx *x, FILE *f)
{
    frametab tab = { 0 };
    profile *profs = calloc(x->n, sizeof *profs);
    speedscope_in in = { &tab, NULL, NULL, 0, 0 };
    int rc = profs ? 0 : -1;
    for (size_t i = 0; i < x->n && rc == 0; i++) {
        double from, to;
        export_range(x, i, &from, &to);
        in.p = &profs[i];
        rc = store_stacks(x->st, x->sessions[i].id, from, to, speedscope_row, &in);
        if (rc == 0 && in.oom)
            rc = -1;
    }
    if (rc == 0) {
        char cmd[300], name[400];
        snprintf(name, sizeof name, "memwatch session %lld: %s", (long long)x->sessions[0].id,
                 textout_clean(x->sessions[0].cmdline, cmd, sizeof cmd, 120));
        fputc('{', f);
        jsonw_key(f, "$schema", 1);
        jsonw_string(f, "https://www.speedscope.app/file-format-schema.json");
        jsonw_key(f, "exporter", 0);
        jsonw_string(f, "memwatch " MW_VERSION);
        jsonw_key(f, "name", 0);
        jsonw_string(f, name);
        jsonw_key(f, "activeProfileIndex", 0);
        jsonw_int(f, 0, 1);
        fputs(",\n\"shared\": {\"frames\": [", f);
        for (size_t k = 0; k < tab.n; k++) {
            fputs(k ? ",\n  {" : "\n  {", f);
            jsonw_key(f, "name", 1);
            jsonw_string(f, tab.items[k].func);
            jsonw_key(f, "file", 0);
            jsonw_string(f, tab.items[k].file);
            if (tab.items[k].line > 0) {
                jsonw_key(f, "line", 0);
                jsonw_int(f, tab.items[k].line, 1);
            }
            fputc('}', f);
        }
        fputs("]},\n\"profiles\": [", f);
        for (size_t i = 0; i < x->n; i++) {
            if (i)
                fputc(',', f);
            write_profile(f, &x->sessions[i], &profs[i]);
        }
        fputs("]}\n", f);
    }
    for (size_t i = 0; profs && i < x->n; i++) {
        free(profs[i].frames);
        free(profs[i].start);
        free(profs[i].weights);
    }
    free(profs);
    for (size_t k = 0; k < tab.n; k++) {
        free((char *)tab.items[k].file);
        free((char *)tab.items[k].func);
    }
    free(tab.items);
    idcache_clear(&tab.index);
    free(in.key);
    return rc;
}
