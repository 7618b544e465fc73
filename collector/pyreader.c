/* pyreader: opening a reader on a live CPython (version, layout) or on a memory image. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyfind.h"
#include "pyreader_impl.h"

#define PY_FIELDS_SPAN 512      /* fields closer than this are read at once */
#define PY_MIN_MINOR 8
#define PY_MAX_MINOR 13

void pyreader_snapshot(pyreader *r)
{
    if (++r->page_gen == 0) {
        for (int i = 0; i < PY_PAGES; i++)
            r->pages[i].gen = 0;
        r->page_gen = 1;
    }
    uint64_t hot[PY_PAGES_HOT];
    int n = r->nused;
    memcpy(hot, r->used, (size_t)n * sizeof hot[0]);
    r->nused = 0;
    pyreader_prefetch(r, hot, n, 1);
}

/* Notes that the current call looked at page pa. */
static void page_used(pyreader *r, uint64_t pa)
{
    for (int i = 0; i < r->nused; i++)
        if (r->used[i] == pa)
            return;
    if (r->nused < PY_PAGES_HOT)
        r->used[r->nused++] = pa;
}

static const uint8_t *page_cached(const pyreader *r, uint64_t pa)
{
    for (int i = 0; i < PY_PAGES; i++)
        if (r->pages[i].gen == r->page_gen && r->pages[i].addr == pa)
            return r->pages[i].data;
    return NULL;
}

void pyreader_prefetch(pyreader *r, const uint64_t *addrs, int n, size_t len)
{
    uint64_t want[PY_PAGES];
    void *bufs[PY_PAGES];
    py_page *slot[PY_PAGES];
    int k = 0;
    for (int i = 0; i < n && k < PY_PAGES; i++) {
        if (!addrs[i] || addrs[i] + len < addrs[i])
            continue;
        uint64_t pa = addrs[i] & ~(uint64_t)(PY_PAGE - 1);
        uint64_t pb = (addrs[i] + (len ? len - 1 : 0)) & ~(uint64_t)(PY_PAGE - 1);
        for (uint64_t p = pa; k < PY_PAGES; p += PY_PAGE) {
            int dup = page_cached(r, p) != NULL;
            for (int j = 0; j < k && !dup; j++)
                dup = want[j] == p;
            if (!dup)
                want[k++] = p;
            if (p == pb)
                break;
        }
    }
    if (k == 0)
        return;
    for (int j = 0; j < k; j++) {
        slot[j] = &r->pages[r->page_next++ % PY_PAGES];
        slot[j]->gen = 0;
        bufs[j] = slot[j]->data;
    }
    int got = memsrc_readv(&r->src, want, bufs, PY_PAGE, k);
    for (int j = 0; j < got && j < k; j++) {
        slot[j]->addr = want[j];
        slot[j]->gen = r->page_gen;
    }
}

/* The snapshot's copy of the page at page address pa, read now if needed; NULL if unreadable. */
static const uint8_t *page_of(pyreader *r, uint64_t pa)
{
    const uint8_t *c = page_cached(r, pa);
    if (c) {
        page_used(r, pa);
        return c;
    }
    py_page *p = &r->pages[r->page_next++ % PY_PAGES];
    if (memsrc_read(&r->src, pa, p->data, PY_PAGE) < 0) {
        p->gen = 0;
        return NULL;
    }
    p->addr = pa;
    p->gen = r->page_gen;
    page_used(r, pa);
    return p->data;
}

int pyreader_read(pyreader *r, uint64_t addr, void *buf, size_t len)
{
    if (len == 0)
        return 0;
    uint64_t pa = addr & ~(uint64_t)(PY_PAGE - 1);
    uint64_t last = addr + len - 1;
    if (len <= PY_FIELDS_SPAN && last >= addr) {
        uint64_t pb = last & ~(uint64_t)(PY_PAGE - 1);
        if (pb != pa)
            pyreader_prefetch(r, &addr, 1, len);      /* both pages in one read */
        const uint8_t *a = page_of(r, pa);
        if (a) {
            size_t first = pb != pa ? (size_t)(pb - addr) : len;
            memcpy(buf, a + (addr - pa), first);    /* before page_of(pb) may reuse a's slot */
            if (first == len)
                return 0;
            const uint8_t *b = page_of(r, pb);
            if (b) {
                memcpy((uint8_t *)buf + first, b, len - first);
                return 0;
            }
        }
    }
    return memsrc_read(&r->src, addr, buf, len);   /* large, or the pages are not all readable */
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
    r->src = *src;
    r->L = *L;
    r->runtime = runtime;
    r->strings = strings;
    r->version.major = L->major;
    r->version.minor = L->minor;
    snprintf(r->version.how, sizeof r->version.how, "layout");
    r->unknown = strtab_intern(strings, "?", 1);
    r->cache = calloc(PY_CACHE_SLOTS, sizeof *r->cache);
    r->seen = calloc(PY_SEEN_SLOTS, sizeof *r->seen);
    r->pages = calloc(PY_PAGES, sizeof *r->pages);
    r->page_gen = 1;
    r->seen_gen = calloc(PY_SEEN_SLOTS, sizeof *r->seen_gen);
    if (!r->unknown || !r->cache || !r->seen || !r->seen_gen || !r->pages) {
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
    free(r->pages);
    free(r);
}
