/* sessopen: opening the database and sessions for export, plot and diff. */
#include "sessopen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbpath.h"
#include "exitcodes.h"
#include "sesstree.h"

int sessopen_db(const char *db, const mw_globals *g, store **st, char *path, size_t pathlen)
{
    char err[512];
    *st = NULL;
    if (dbpath_locate(db ? db : g->db, path, pathlen, err, sizeof err) < 0) {
        fprintf(stderr, "memwatch: %s\n", err);
        return MW_EXIT_DB;
    }
    int kind;
    *st = store_open_kind(path, STORE_READ, &kind, err, sizeof err);
    if (*st)
        return MW_EXIT_OK;
    if (kind == STORE_ERR_NOFILE) {
        fprintf(stderr, "memwatch: no sessions recorded yet (no database at %s)\n", path);
        return MW_EXIT_NOSESSION;
    }
    fprintf(stderr, "memwatch: %s\n", err);
    return store_exit_status(kind);
}

int sessopen_session(store *st, const char *path, int64_t id, store_session *ss)
{
    memset(ss, 0, sizeof *ss);
    int r = id ? 0 : store_latest_session(st, &id);
    if (r == 1) {
        fprintf(stderr, "memwatch: no sessions recorded yet in %s; record one with: memwatch run -- python3 script.py\n",
                path);
        return MW_EXIT_NOSESSION;
    }
    if (r == 0)
        r = store_get_session(st, id, ss);
    if (r == 1) {
        fprintf(stderr, "memwatch: no session %lld in %s (see memwatch list)\n", (long long)id, path);
        return MW_EXIT_NOSESSION;
    }
    return r < 0 ? sessopen_fail(st) : MW_EXIT_OK;
}

/* Copies the strings of a session into dst. Returns 0 or -1. */
static int copy_session(store_session *dst, const store_session *src)
{
    *dst = *src;
    dst->cmdline = src->cmdline ? strdup(src->cmdline) : NULL;
    dst->exe = src->exe ? strdup(src->exe) : NULL;
    dst->python = src->python ? strdup(src->python) : NULL;
    if ((src->cmdline && !dst->cmdline) || (src->exe && !dst->exe) || (src->python && !dst->python)) {
        store_session_clear(dst);
        return -1;
    }
    return 0;
}

int sessopen_subtree(store *st, const store_session *root, int children, store_sessions *out)
{
    out->items = calloc(1, sizeof *out->items);
    out->n = 0;
    if (!out->items || copy_session(&out->items[0], root) < 0) {
        free(out->items);
        out->items = NULL;
        return -1;
    }
    out->n = 1;
    if (!children || root->children == 0)
        return 0;
    store_sessions all;
    if (store_list_sessions(st, &all) < 0) {
        store_sessions_free(out);
        return -1;
    }
    int64_t *ids = malloc((all.n + 1) * sizeof *ids), *parents = malloc((all.n + 1) * sizeof *parents);
    size_t *order = malloc((all.n + 1) * sizeof *order);
    int *depth = malloc((all.n + 1) * sizeof *depth);
    store_session *grown = realloc(out->items, (all.n + 1) * sizeof *grown);
    if (grown)
        out->items = grown;
    int rc = -1;
    if (!ids || !parents || !order || !depth || !grown)
        goto done;
    for (size_t i = 0; i < all.n; i++) {
        ids[i] = all.items[i].id;
        parents[i] = all.items[i].parent;
    }
    if (sesstree_order(ids, parents, all.n, order, depth) < 0)
        goto done;
    size_t at = all.n;
    for (size_t k = 0; k < all.n; k++)
        if (all.items[order[k]].id == root->id)
            at = k;
    /* the descendants are the entries right after the root that sit deeper */
    for (size_t k = at + 1; at < all.n && k < all.n && depth[order[k]] > depth[order[at]]; k++) {
        out->items[out->n++] = all.items[order[k]];
        memset(&all.items[order[k]], 0, sizeof all.items[order[k]]);   /* moved */
    }
    rc = 0;
done:
    free(ids), free(parents), free(order), free(depth);
    store_sessions_free(&all);
    if (rc < 0)
        store_sessions_free(out);
    return rc;
}

int sessopen_fail(store *st)
{
    int k = store_errkind(st);
    fprintf(stderr, "memwatch: %s\n", k == STORE_OK ? "out of memory" : store_errmsg(st));
    return k == STORE_OK ? MW_EXIT_ERROR : store_exit_status(k);
}
