/* pyreader: opening a reader on a live CPython (version, layout) or on a memory image. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyfind.h"
#include "pyreader_impl.h"

#define PY_FIELDS_SPAN PY_SMALL   /* fields closer than this are read at once */
#define PY_MIN_MINOR 8
#define PY_MAX_MINOR 13

/* The snapshot's copy of [addr, addr + len), or NULL (newest ranges first). */
static const uint8_t *span_find(const pyreader *r, uint64_t addr, size_t len)
{
    for (int i = r->nspans - 1; i >= 0; i--) {
        const py_span *s = &r->spans[i];
        if (addr >= s->addr && addr - s->addr <= s->len && len <= s->len - (addr - s->addr))
            return r->arena + s->off + (addr - s->addr);
    }
    return NULL;
}

/* Reads the n ranges (addrs[i], lens[i]) into the snapshot, all in one read where the source
 * allows. When the snapshot is full it starts over (nobody keeps a pointer into it). A range
 * that cannot be read is skipped and those after it read again, PY_FETCH_ROUNDS reads at most;
 * what is still missing is read on demand. failed[i] (when given) is set for every range not
 * read: those that failed and those never tried. */
static void fetch(pyreader *r, const uint64_t *addrs, const size_t *lens, int n, uint8_t *failed)
{
    size_t total = 0;
    int k = 0;
    while (k < n && k < PY_SPANS && lens[k] <= PY_ARENA - total)
        total += lens[k++];
    if (k == 0)
        return;
    if (PY_SPANS - r->nspans < k || PY_ARENA - r->arena_used < total) {
        r->nspans = 0;
        r->arena_used = 0;
    }
    void *bufs[PY_SPANS];
    size_t off = r->arena_used;
    for (int i = 0; i < k; i++) {
        bufs[i] = r->arena + off;
        off += lens[i];
    }
    r->arena_used = off;
    int at = 0;
    for (int round = 0; round < PY_FETCH_ROUNDS && at < k; round++) {
        int got = memsrc_readv(&r->src, addrs + at, lens + at, bufs + at, k - at);
        for (int j = at; j < at + got; j++) {
            py_span *sp = &r->spans[r->nspans++];
            sp->addr = addrs[j];
            sp->len = (uint32_t)lens[j];
            sp->off = (uint32_t)((uint8_t *)bufs[j] - r->arena);
        }
        if (failed && at + got < k)
            failed[at + got] = 1;
        at += got + 1;
    }
    for (int j = at; failed && j < n; j++)
        failed[j] = 1;
}

/* Adds [addr, addr + len) to the list of n ranges (of at most cap), stamped with `stamp`: joined
 * to a range it overlaps or touches while the union stays short, else a new one, else in place
 * of the stalest. */
static void note_range(py_hot *list, int *n, int cap, uint32_t stamp, uint64_t addr, size_t len)
{
    uint64_t end = addr + len;
    int old = 0;
    for (int i = 0; i < *n; i++) {
        py_hot *h = &list[i];
        uint64_t hend = h->addr + h->len;
        if (addr <= hend && end >= h->addr) {
            uint64_t lo = addr < h->addr ? addr : h->addr, hi = end > hend ? end : hend;
            if (hi - lo <= PY_HOT_MAXLEN) {
                h->addr = lo;
                h->len = (uint32_t)(hi - lo);
                h->last = stamp;
                return;
            }
        }
        if (stamp - h->last > stamp - list[old].last)
            old = i;
    }
    if (*n < cap)
        old = (*n)++;
    list[old].addr = addr;
    list[old].len = (uint32_t)len;
    list[old].last = stamp;
}

/* Remembers that the current call used [addr, addr + len): the next calls fetch it at once
 * (the next walk of the thread lists only, when a walk read it). */
static void note_hot(pyreader *r, uint64_t addr, size_t len)
{
    if (r->in_walk)
        note_range(r->walk, &r->nwalk, PY_WALK_HOT, r->call, addr, len);
    else
        note_range(r->hot, &r->nhot, PY_HOT, r->call, addr, len);
}

/* Drops the ranges of the list that lie in [addr, addr + len). */
static void forget(py_hot *list, int *n, uint64_t addr, size_t len)
{
    int k = 0;
    for (int i = 0; i < *n; i++)
        if (list[i].addr < addr || list[i].addr - addr + list[i].len > len)
            list[k++] = list[i];
    *n = k;
}

void pyreader_walk_mark(pyreader *r, int on)
{
    r->in_walk = on;
    if (on)
        r->nwalk = 0;
}

void pyreader_snapshot(pyreader *r, int stack, int walk)
{
    r->call++;
    r->nspans = 0;
    r->arena_used = 0;
    py_hot want[PY_HOT + PY_WALK_HOT];
    int n = 0;
    for (int i = 0; i < r->nhot; i++)
        if (r->call - r->hot[i].last <= PY_HOT_AGE)
            r->hot[n++] = r->hot[i];
    r->nhot = n;
    if (stack)
        memcpy(want, r->hot, (size_t)n * sizeof want[0]);
    else
        n = 0;
    if (walk) {
        memcpy(want + n, r->walk, (size_t)r->nwalk * sizeof want[0]);
        n += r->nwalk;
    }
    for (int i = 1; i < n; i++) {                       /* by address, to merge neighbours */
        py_hot h = want[i];
        int j = i;
        for (; j > 0 && want[j - 1].addr > h.addr; j--)
            want[j] = want[j - 1];
        want[j] = h;
    }
    uint64_t addrs[PY_HOT + PY_WALK_HOT];
    size_t lens[PY_HOT + PY_WALK_HOT];
    int k = 0;
    for (int i = 0; i < n; i++) {
        uint64_t a = want[i].addr, e = a + want[i].len;
        if (k > 0) {
            uint64_t pend = addrs[k - 1] + lens[k - 1];
            uint64_t hi = e > pend ? e : pend;
            if (a <= pend + PY_MERGE_GAP && hi - addrs[k - 1] <= PY_FETCH_MAX) {
                lens[k - 1] = (size_t)(hi - addrs[k - 1]);
                continue;
            }
        }
        addrs[k] = a;
        lens[k] = want[i].len;
        k++;
    }
    uint8_t failed[PY_HOT + PY_WALK_HOT] = { 0 };
    fetch(r, addrs, lens, k, failed);
    for (int j = 0; j < k; j++)      /* unmapped since (or after one that was): forget it now */
        if (failed[j]) {
            forget(r->hot, &r->nhot, addrs[j], lens[j]);
            forget(r->walk, &r->nwalk, addrs[j], lens[j]);
        }
}

void pyreader_prefetch(pyreader *r, const uint64_t *addrs, int n, size_t len)
{
    uint64_t want[PY_SPANS];
    size_t lens[PY_SPANS];
    int k = 0;
    if (len == 0 || len > PY_SMALL)
        return;
    for (int i = 0; i < n && k < PY_SPANS; i++) {
        if (!addrs[i] || addrs[i] + len < addrs[i] || span_find(r, addrs[i], len))
            continue;
        int dup = 0;
        for (int j = 0; j < k && !dup; j++)
            dup = want[j] == addrs[i];
        if (!dup) {
            want[k] = addrs[i];
            lens[k++] = len;
        }
    }
    fetch(r, want, lens, k, NULL);
}

int pyreader_read(pyreader *r, uint64_t addr, void *buf, size_t len)
{
    if (len == 0)
        return 0;
    uint64_t last = addr + len - 1;
    if (!addr || last < addr)
        return -1;
    if (len > PY_SMALL)
        return memsrc_read(&r->src, addr, buf, len);
    const uint8_t *p = span_find(r, addr, len);
    if (!p) {
        /* its whole page(s): one read costs about the same, and neighbours come with it */
        uint64_t pa = addr & ~(uint64_t)(PY_PAGE - 1), pb = last | (PY_PAGE - 1);
        if (pb != UINT64_MAX) {
            size_t plen = (size_t)(pb + 1 - pa);
            fetch(r, &pa, &plen, 1, NULL);
            p = span_find(r, addr, len);
        }
        if (!p) {                /* not all of the page is readable (an image ends mid-page) */
            fetch(r, &addr, &len, 1, NULL);
            p = span_find(r, addr, len);
        }
        if (!p)
            return -1;
    }
    memcpy(buf, p, len);
    note_hot(r, addr, len);
    return 0;
}

int pyreader_fields(pyreader *r, uint64_t base, int n, const uint32_t *offs, const uint8_t *sz,
                    uint64_t *vals)
{
    uint64_t lo = UINT64_MAX, hi = 0;
    for (int i = 0; i < n; i++) {
        vals[i] = 0;
        if (offs[i] == PYL_NONE)
            continue;
        if (offs[i] < lo)
            lo = offs[i];
        if ((uint64_t)offs[i] + sz[i] > hi)
            hi = (uint64_t)offs[i] + sz[i];
    }
    if (lo == UINT64_MAX)
        return 0;
    if (base + hi < base)
        return -1;
    uint8_t buf[PY_FIELDS_SPAN];
    int whole = hi - lo <= PY_FIELDS_SPAN;
    if (whole && pyreader_read(r, base + lo, buf, hi - lo) < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        if (offs[i] == PYL_NONE)
            continue;
        uint8_t tmp[8];
        const uint8_t *p = tmp;
        if (whole)
            p = buf + (offs[i] - lo);
        else if (pyreader_read(r, base + offs[i], tmp, sz[i]) < 0)
            return -1;
        if (sz[i] == 1)
            vals[i] = p[0];
        else if (sz[i] == 4) {
            uint32_t u;
            memcpy(&u, p, 4);
            vals[i] = u;
        } else
            memcpy(&vals[i], p, 8);
    }
    return 0;
}

void pyreader_seen_reset(pyreader *r)
{
    if (++r->gen == 0) {                 /* wrapped: forget every stamp */
        memset(r->seen_gen, 0, PY_SEEN_SLOTS * sizeof *r->seen_gen);
        r->gen = 1;
    }
}

int pyreader_seen(pyreader *r, uint64_t addr)
{
    size_t i = (size_t)((addr >> 3) * 0x9E3779B97F4A7C15ull >> 51) & (PY_SEEN_SLOTS - 1);
    for (int probe = 0; probe < 256; probe++) {
        if (r->seen_gen[i] != r->gen) {
            r->seen_gen[i] = r->gen;
            r->seen[i] = addr;
            return 0;
        }
        if (r->seen[i] == addr)
            return 1;
        i = (i + 1) & (PY_SEEN_SLOTS - 1);
    }
    return 1;                            /* crowded: give up as if cyclic */
}

static int counted_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
    pyreader *r = ctx;
    r->stats.reads++;
    return memsrc_read(&r->inner, addr, buf, len);
}

static int counted_readv(void *ctx, const uint64_t *addrs, const size_t *lens, void *const *bufs,
                         int n)
{
    pyreader *r = ctx;
    r->stats.reads++;
    return memsrc_readv(&r->inner, addrs, lens, bufs, n);
}

/* A layout memwatch can use: the kinds it knows and the fields it cannot do without. */
static int layout_usable(const py_layout *L)
{
    if (L->frame_kind != PYL_FRAME_OBJECT && L->frame_kind != PYL_FRAME_INTERP)
        return 0;
    if (L->lines_kind < PYL_LNOTAB || L->lines_kind > PYL_LOCATIONS)
        return 0;
    const uint32_t need[] = {
        L->rt_interp_head, L->is_next, L->is_threads_head, L->ts_next, L->ts_interp, L->ts_frame,
        L->ts_thread_id, L->fr_back, L->fr_code, L->co_filename, L->co_name, L->co_firstlineno,
        L->co_linetable, L->ob_type, L->tp_name, L->bytes_size, L->bytes_sval, L->str_length,
        L->str_state, L->str_ascii_size, L->str_compact_size,
    };
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (need[i] == PYL_NONE)
            return 0;
    if (L->str_kind_shift > 29 || L->str_compact_bit > 31 || L->str_ascii_bit > 31)
        return 0;
    if (L->frame_kind == PYL_FRAME_OBJECT && L->fr_lasti == PYL_NONE)
        return 0;
    if (L->frame_kind == PYL_FRAME_INTERP && (L->fr_instr == PYL_NONE || L->co_code_adaptive == PYL_NONE))
        return 0;
    if (L->ts_frame_is_cframe && L->cframe_current_frame == PYL_NONE)
        return 0;
    if (L->is_gil_ptr != PYL_NONE && (L->gil_locked == PYL_NONE || L->gil_holder == PYL_NONE))
        return 0;
    return 1;
}

pyreader *pyreader_new(const memsrc *src, uint64_t runtime, const py_layout *L, strtab *strings)
{
    if (!src || !L || !strings || !runtime || !layout_usable(L))
        return NULL;
    pyreader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->inner = *src;
    r->src = (memsrc){ .read = counted_read, .readv = src->readv ? counted_readv : NULL, .ctx = r,
                       .pid = src->pid };
    r->L = *L;
    r->runtime = runtime;
    r->strings = strings;
    r->version.major = L->major;
    r->version.minor = L->minor;
    snprintf(r->version.how, sizeof r->version.how, "layout");
    r->unknown = strtab_intern(strings, "?", 1);
    r->cache = calloc(PY_CACHE_SLOTS, sizeof *r->cache);
    r->seen = calloc(PY_SEEN_SLOTS, sizeof *r->seen);
    r->seen_gen = calloc(PY_SEEN_SLOTS, sizeof *r->seen_gen);
    r->arena = malloc(PY_ARENA);
    r->spans = calloc(PY_SPANS, sizeof *r->spans);
    r->hot = calloc(PY_HOT, sizeof *r->hot);
    r->walk = calloc(PY_WALK_HOT, sizeof *r->walk);
    if (!r->unknown || !r->cache || !r->seen || !r->seen_gen || !r->arena || !r->spans || !r->hot ||
        !r->walk) {
        pyreader_close(r);
        return NULL;
    }
    return r;
}

pyreader *pyreader_open_image(const memsrc *src, uint64_t runtime_addr, const py_layout *layout,
                              strtab *strings)
{
    return pyreader_new(src, runtime_addr, layout, strings);
}

/* Says why reading the target failed (errno from the memsrc); sets errno for the caller. */
static void read_failed(pid_t pid, char *msg, size_t msglen)
{
    int e = errno;
    if (e == EPERM || e == EACCES)
        snprintf(msg, msglen, "permission denied reading PID %d: run as the same user with ptrace "
                 "allowed (kernel.yama.ptrace_scope), as root, or with CAP_SYS_PTRACE", (int)pid);
    else if (e == ESRCH)
        snprintf(msg, msglen, "process %d exited", (int)pid);
    else
        snprintf(msg, msglen, "cannot read the interpreter state of PID %d: %s", (int)pid, strerror(e));
    errno = e;
}

static void unsupported(int major, int minor, char *msg, size_t msglen)
{
    snprintf(msg, msglen, "Python %d.%d is not supported (3.%d–3.%d are)", major, minor,
             PY_MIN_MINOR, PY_MAX_MINOR);
    errno = ENOTSUP;
}

pyreader *pyreader_open(pid_t pid, strtab *strings, int *not_python, char *msg, size_t msglen)
{
    pyfind_result *f = calloc(1, sizeof *f);
    *not_python = 0;
    if (!f) {
        snprintf(msg, msglen, "out of memory");
        errno = ENOMEM;
        return NULL;
    }
    pyreader *r = NULL;
    int st = pyfind_locate(pid, f, msg, msglen);
    if (st != PYFIND_OK) {
        *not_python = st == PYFIND_NOT_PYTHON;
        errno = st == PYFIND_NOT_PYTHON ? ENOEXEC : st == PYFIND_NO_PROCESS ? ESRCH
              : st == PYFIND_DENIED ? EPERM : ENOTSUP;
        goto out;
    }
    memsrc src = memsrc_process(pid);
    uint8_t head[PYL_DEBUG_OFFSETS_MAX];
    if (memsrc_read(&src, f->runtime, head, 24) < 0) {
        read_failed(pid, msg, msglen);
        goto out;
    }
    py_version v = { .major = -1, .minor = -1 };
    uint32_t hex = 0;
    int have_cookie = memcmp(head, "xdebugpy", 8) == 0;
    if (f->py_version && memsrc_read(&src, f->py_version, &hex, 4) == 0 && (hex >> 24) == 3) {
        snprintf(v.how, sizeof v.how, "Py_Version");
    } else if (have_cookie) {
        uint64_t h;
        memcpy(&h, head + 8, 8);
        hex = (uint32_t)h;
        snprintf(v.how, sizeof v.how, "_Py_DebugOffsets");
    } else
        hex = 0;
    if (hex) {
        v.major = (int)(hex >> 24 & 0xff);
        v.minor = (int)(hex >> 16 & 0xff);
        v.micro = (int)(hex >> 8 & 0xff);
    } else if (f->name_major >= 0) {
        v.major = f->name_major;
        v.minor = f->name_minor;
        v.micro = 0;
        snprintf(v.how, sizeof v.how, "%s name", f->is_lib ? "library" : "executable");
    } else {
        snprintf(msg, msglen, "cannot tell the Python version of %s", f->path);
        errno = ENOTSUP;
        goto out;
    }
    if (v.major != 3 || v.minor < PY_MIN_MINOR || v.minor > PY_MAX_MINOR) {
        unsupported(v.major, v.minor, msg, msglen);
        goto out;
    }
    py_layout L;
    const py_layout *lp;
    if (v.minor <= 12) {
        lp = pylayout_builtin(v.major, v.minor);
        if (!lp) {
            snprintf(msg, msglen, "no layout for Python %d.%d", v.major, v.minor);
            errno = ENOTSUP;
            goto out;
        }
    } else {
        char err[200];
        if (!have_cookie) {
            snprintf(msg, msglen, "Python %d.%d without _Py_DebugOffsets at _PyRuntime", v.major, v.minor);
            errno = ENOTSUP;
            goto out;
        }
        if (memsrc_read(&src, f->runtime, head, sizeof head) < 0) {
            read_failed(pid, msg, msglen);
            goto out;
        }
        if (pylayout_from_debug_offsets(head, sizeof head, &L, err, sizeof err) < 0) {
            snprintf(msg, msglen, "Python %d.%d: %s", v.major, v.minor, err);
            errno = ENOTSUP;
            goto out;
        }
        lp = &L;
    }
    r = pyreader_new(&src, f->runtime, lp, strings);
    if (!r) {
        snprintf(msg, msglen, "cannot use the layout of Python %d.%d", v.major, v.minor);
        errno = ENOTSUP;
        goto out;
    }
    r->version = v;
    r->type_addr[PYT_CODE] = f->code_type;
    r->type_addr[PYT_STR] = f->unicode_type;
    r->type_addr[PYT_BYTES] = f->bytes_type;
out:
    free(f);
    return r;
}

const py_version *pyreader_version(const pyreader *r)
{
    return &r->version;
}

const py_stats *pyreader_stats(const pyreader *r)
{
    return &r->stats;
}

void pyreader_close(pyreader *r)
{
    if (!r)
        return;
    pycode_flush(r);
    free(r->cache);
    free(r->seen);
    free(r->seen_gen);
    free(r->arena);
    free(r->spans);
    free(r->hot);
    free(r->walk);
    free(r);
}
