/* pywalk: interpreters -> threads -> frames, every step bounded and checked. */
#include <string.h>

#include "pyreader_impl.h"

#define PY_MAX_THREAD_STEPS 4096                  /* thread states visited per walk, all interpreters */
#define PY_MAX_FRAME_STEPS (2 * PY_MAX_DEPTH + 8) /* frames visited per stack, shims included */
#define PY_CODE_BATCH 16                          /* code objects of a stack fetched per read */
/* A thread state's `prev` comes right before `next` in every supported version. */
#define TS_PREV(L) ((L)->ts_next >= 8 && (L)->ts_next != PYL_NONE ? (L)->ts_next - 8 : PYL_NONE)

/* The GIL state of one interpreter: *locked and *holder (a tstate address). */
static int read_gil(pyreader *r, uint64_t gil_struct, int *locked, uint64_t *holder)
{
    uint32_t offs[2] = { r->L.gil_locked, r->L.gil_holder };
    uint8_t sz[2] = { 4, 8 };
    uint64_t v[2];
    if (pyreader_fields(r, gil_struct, 2, offs, sz, v) < 0)
        return -1;
    *locked = (uint32_t)v[0] != 0;
    *holder = v[1];
    return 0;
}

/* Reads the fields of thread state t: its list links, interpreter, frame and ids.
 * Returns 0 or -1. */
enum { T_PREV, T_NEXT, T_INTERP, T_FRAME, T_TID, T_NTID, T_NF };
static int read_tstate(pyreader *r, uint64_t t, uint64_t *tv)
{
    const py_layout *L = &r->L;
    uint32_t toffs[T_NF] = { TS_PREV(L), L->ts_next, L->ts_interp, L->ts_frame, L->ts_thread_id,
                             L->ts_native_thread_id };
    uint8_t tsz[T_NF] = { 8, 8, 8, 8, 8, 4 };
    return pyreader_fields(r, t, T_NF, toffs, tsz, tv);
}

/* Starts a call with a new snapshot. When the last walk of the lists found one thread in one
 * interpreter, and that thread state still says it is alone (no prev, no next: a thread
 * created since is linked in front of it) with the same interpreter and ids, fills *ti with
 * it and returns 1: the lists are not walked again (PY_SOLO_CALLS calls at most, so that a
 * new interpreter or a change of GIL holder is seen at the next walk). Else returns 0. */
static int begin_call(pyreader *r, py_tinfo *ti)
{
    pyreader_snapshot(r, 1, r->solo_left == 0);
    if (r->solo_left == 0)
        return 0;
    r->solo_left--;
    uint64_t tv[T_NF];
    const py_tinfo *s = &r->solo;
    if (read_tstate(r, s->tstate, tv) < 0 || tv[T_PREV] || tv[T_NEXT] || tv[T_INTERP] != s->interp ||
        tv[T_TID] != s->thread_id || (int32_t)(uint32_t)tv[T_NTID] != s->native_tid) {
        r->solo_left = 0;
        return 0;
    }
    *ti = *s;
    ti->frame = tv[T_FRAME];
    return 1;
}

/* Walks every interpreter's thread list (after begin_call). Keeps up to max threads in out
 * (in list order, main interpreter's last) and the main thread (last of the main
 * interpreter) in *main. Returns the number kept (0 with main->tstate == 0 if none), or -1
 * if torn. */
static int walk_lists(pyreader *r, py_tinfo *out, int max, py_tinfo *main)
{
    const py_layout *L = &r->L;
    memset(main, 0, sizeof *main);
    r->solo_left = 0;
    int alone = TS_PREV(L) != PYL_NONE;      /* so far: one interpreter, one thread, unlinked */
    uint32_t roffs[3] = { L->rt_interp_head, L->rt_gil_locked, L->rt_gil_holder };
    uint8_t rsz[3] = { 8, 4, 8 };
    uint64_t rv[3];
    if (pyreader_fields(r, r->runtime, 3, roffs, rsz, rv) < 0)
        return -1;
    int rt_locked = (uint32_t)rv[1] != 0;
    uint64_t rt_holder = rv[2];

    int n = 0, steps = 0, ninterp = 0;
    uint64_t interp = rv[0];
    pyreader_seen_reset(r);
    while (interp) {
        if (++ninterp > PY_MAX_INTERPS || pyreader_seen(r, interp))
            return -1;
        uint32_t ioffs[3] = { L->is_next, L->is_threads_head, L->is_gil_ptr };
        uint8_t isz[3] = { 8, 8, 8 };
        uint64_t iv[3];
        if (pyreader_fields(r, interp, 3, ioffs, isz, iv) < 0)
            return -1;
        uint64_t next_interp = iv[0];
        int locked = rt_locked;
        uint64_t holder = rt_holder;
        if (L->is_gil_ptr != PYL_NONE) {
            locked = 0;
            holder = 0;
            if (iv[2] && read_gil(r, iv[2], &locked, &holder) < 0)
                return -1;
        }
        int is_main = next_interp == 0;     /* the first created is the last in the list */
        alone &= ninterp == 1 && is_main;
        uint64_t t = iv[1];
        while (t) {
            if (++steps > PY_MAX_THREAD_STEPS || pyreader_seen(r, t))
                return -1;
            uint64_t tv[T_NF];
            if (read_tstate(r, t, tv) < 0 || tv[T_INTERP] != interp)
                return -1;
            py_tinfo ti = {
                .tstate = t, .interp = interp, .frame = tv[T_FRAME], .thread_id = tv[T_TID],
                .native_tid = (int32_t)(uint32_t)tv[T_NTID],
                .holds_gil = locked && holder == t, .main_interp = is_main,
            };
            alone &= steps == 1 && !tv[T_PREV] && !tv[T_NEXT];
            if (n < max)
                out[n++] = ti;
            if (is_main)
                *main = ti;
            t = tv[T_NEXT];
        }
        interp = next_interp;
    }
    if (alone && steps == 1 && n == 1) {
        r->solo = out[0];
        r->solo_left = PY_SOLO_CALLS;
    }
    return n;
}

/* walk_lists, its reads remembered for the next walk. */
static int walk_threads(pyreader *r, py_tinfo *out, int max, py_tinfo *main)
{
    pyreader_walk_mark(r, 1);
    int n = walk_lists(r, out, max, main);
    pyreader_walk_mark(r, 0);
    return n;
}

/* Where a frame's instruction is: the code object and the position of the instruction
 * (byte offset <= 3.10, code unit 3.11+; -1 before the first). */
typedef struct raw_frame {
    uint64_t code;
    int64_t pos;
} raw_frame;

/* Follows the frame chain from ti. Returns the number of Python frames kept in raw, or -1 if
 * the chain does not hold together; sets *truncated if frames were left out. */
static int chain_frames(pyreader *r, const py_tinfo *ti, raw_frame *raw, int *truncated)
{
    const py_layout *L = &r->L;
    uint64_t frame = ti->frame;
    *truncated = 0;
    if (L->ts_frame_is_cframe && frame) {
        uint32_t off = L->cframe_current_frame;
        uint8_t sz = 8;
        if (pyreader_fields(r, frame, 1, &off, &sz, &frame) < 0)
            return -1;
    }
    int steps = 0, n = 0;
    pyreader_seen_reset(r);
    while (frame) {
        if (++steps > PY_MAX_FRAME_STEPS) {
            *truncated = 1;
            break;
        }
        if (pyreader_seen(r, frame))
            return -1;                         /* a cycle */
        enum { BACK, CODE, LASTI, INSTR, OWNER, NF };
        uint32_t offs[NF] = { L->fr_back, L->fr_code, L->fr_lasti, L->fr_instr, L->fr_owner };
        uint8_t sz[NF] = { 8, 8, 4, 8, 1 };
        uint64_t v[NF];
        if (pyreader_fields(r, frame, NF, offs, sz, v) < 0)
            return -1;
        if (L->fr_owner != PYL_NONE && L->fr_owner_cstack != PYL_NONE &&
            v[OWNER] == L->fr_owner_cstack) {
            frame = v[BACK];                   /* a C-stack shim, not Python code */
            continue;
        }
        if (n == PY_MAX_DEPTH) {
            *truncated = 1;
            break;
        }
        uint64_t code = v[CODE];
        int64_t pos;
        if (!code)
            return -1;
        if (L->frame_kind == PYL_FRAME_OBJECT) {
            int32_t lasti = (int32_t)(uint32_t)v[LASTI];
            pos = lasti < 0 ? -1 : L->fr_lasti_in_units ? 2 * (int64_t)lasti : lasti;
        } else {
            uint64_t start = code + L->co_code_adaptive, instr = v[INSTR];
            if (instr < start || instr - start > (uint64_t)INT32_MAX)
                pos = -1;
            else {
                pos = (int64_t)((instr - start) / 2);
                if (L->fr_instr_is_next)
                    pos = pos > 0 ? pos - 1 : 0;
            }
        }
        raw[n].code = code;
        raw[n].pos = pos;
        n++;
        frame = v[BACK];
    }
    return n;
}

#define PY_HINT_FRAMES 16   /* innermost frames a hint is looked for in */

/* The position (code unit) of frame code (entry e) when memory grew, from the
 * hint words that point into its bytecode, or -1 if none does. The eval
 * loop's instruction pointer is among them, but so may be stale copies in
 * stack slots not overwritten since: the one taken is the nearest before
 * `now` (the frame's position as read, after the growth) in program order,
 * counting a jump back to a loop's start as the only way to come before it. */
static int64_t hinted_pos(const pyreader *r, const py_code_entry *e, int64_t now)
{
    if (!e->bc_start || e->bc_len < 2)
        return -1;
    /* positions count code units from 3.11, bytes before */
    uint64_t start = e->bc_start, unit = r->L.frame_kind == PYL_FRAME_INTERP ? 2 : 1;
    uint64_t span = e->bc_len / unit;
    int64_t best = -1;
    uint64_t best_d = UINT64_MAX;
    for (size_t k = 0; k < r->nhint; k++) {
        uint64_t w = r->hint[k];
        /* (the bytecode's start itself is the eval loop's first_instr, not a position) */
        if (w <= start || w - start >= e->bc_len || (w - start) % 2 != 0)
            continue;
        /* the loop's pointer is one instruction (two bytes) past the one running */
        uint64_t pos = (w - start) / unit - 2 / unit;
        uint64_t d = now >= 0 && (uint64_t)now < span ? ((uint64_t)now + span - pos) % span : 0;
        if (d < best_d) {
            best_d = d;
            best = (int64_t)pos;
        }
    }
    return best;
}

void pyreader_hint(pyreader *r, const uint64_t *words, size_t n)
{
    r->hint = n ? words : NULL;
    r->nhint = words ? n : 0;
}

/* Reads the frames of thread ti. Returns 0, 1 (no Python frame) or -1 (torn). */
static int read_stack(pyreader *r, const py_tinfo *ti, py_stack *out)
{
    raw_frame raw[PY_MAX_DEPTH];
    out->depth = 0;
    out->thread_id = ti->thread_id;
    out->native_tid = ti->native_tid;
    out->holds_gil = ti->holds_gil;
    int n = chain_frames(r, ti, raw, &out->truncated);
    if (n < 0)
        return -1;
    int hint = r->nhint > 0;
    /* The code objects, their pages fetched a batch at a time. */
    uint64_t lo = UINT64_MAX, hi = 0;
    const uint32_t offs[] = { r->L.ob_type, r->L.co_filename, r->L.co_name, r->L.co_qualname,
                              r->L.co_linetable, r->L.co_firstlineno, r->L.bytes_size };
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++)
        if (offs[i] != PYL_NONE) {
            lo = offs[i] < lo ? offs[i] : lo;
            hi = (uint64_t)offs[i] + 8 > hi ? (uint64_t)offs[i] + 8 : hi;
        }
    for (int i = 0; i < n; i++) {
        if (i % PY_CODE_BATCH == 0 && hi - lo <= PY_SMALL) {
            uint64_t at[PY_CODE_BATCH];
            int k = 0;
            for (int j = i; j < n && k < PY_CODE_BATCH; j++)
                at[k++] = raw[j].code + lo;
            pyreader_prefetch(r, at, k, (size_t)(hi - lo));
        }
        py_code_entry *e = pycode_get(r, raw[i].code);
        if (!e)
            return -1;
        if (hint && i < PY_HINT_FRAMES) {
            int64_t pos = hinted_pos(r, e, raw[i].pos);
            if (pos >= 0) {
                out->depth = 0;      /* the frames inside it were called after memory grew */
                raw[i].pos = pos;
                hint = 0;
                r->stats.hinted++;
            }
        }
        py_frame *f = &out->frames[out->depth++];
        f->file = e->file;
        f->func = e->func;
        f->firstline = e->firstline;
        f->line = pycode_line(r, e, raw[i].pos);
    }
    if (hint)
        r->stats.unhinted++;
    return out->depth > 0 ? 0 : 1;
}

/* Reads ti's stack and counts the outcome. */
static int sample_one(pyreader *r, const py_tinfo *ti, py_stack *out)
{
    int rc = read_stack(r, ti, out);
    pyreader_hint(r, NULL, 0);
    if (rc < 0) {
        r->stats.torn++;
        out->depth = 0;
    } else if (rc == 0)
        r->stats.samples++;
    return rc;
}

int pyreader_sample(pyreader *r, int32_t prefer_tid, py_stack *out)
{
    py_tinfo th[PY_MAX_THREADS], main;
    if (begin_call(r, &main))
        return sample_one(r, &main, out);   /* the only thread: it is the one picked */
    int n = walk_threads(r, th, PY_MAX_THREADS, &main);
    if (n < 0) {
        r->stats.torn++;
        out->depth = 0;
        return -1;
    }
    const py_tinfo *pick = NULL;
    for (int i = 0; i < n && !pick; i++)
        if (th[i].holds_gil)
            pick = &th[i];
    for (int i = 0; i < n && !pick && prefer_tid > 0; i++)
        if (th[i].native_tid == prefer_tid)
            pick = &th[i];
    if (!pick && main.tstate)
        pick = &main;
    if (!pick) {
        out->depth = 0;
        return 1;
    }
    return sample_one(r, pick, out);
}

static int sample_thread(pyreader *r, int32_t tid, uint64_t tstate, py_stack *out)
{
    py_tinfo th[PY_MAX_THREADS], main;
    if (begin_call(r, &main)) {
        if ((tstate && main.tstate == tstate) || (!tstate && tid > 0 && main.native_tid == tid))
            return sample_one(r, &main, out);
        out->depth = 0;
        return 1;
    }
    int n = walk_threads(r, th, PY_MAX_THREADS, &main);
    if (n < 0) {
        r->stats.torn++;
        out->depth = 0;
        return -1;
    }
    for (int i = 0; i < n; i++)
        if ((tstate && th[i].tstate == tstate) || (!tstate && tid > 0 && th[i].native_tid == tid))
            return sample_one(r, &th[i], out);
    out->depth = 0;
    return 1;
}

int pyreader_sample_thread(pyreader *r, int32_t tid, uint64_t tstate, py_stack *out)
{
    int rc = sample_thread(r, tid, tstate, out);
    pyreader_hint(r, NULL, 0);   /* a hint is for one call, whatever it found */
    return rc;
}

int pyreader_threads(pyreader *r, py_thread *out, int max)
{
    py_tinfo th[PY_MAX_THREADS], main;
    pyreader_snapshot(r, 0, 1);                  /* the lists only: no stack is read */
    int n = walk_threads(r, th, PY_MAX_THREADS, &main);
    if (n < 0) {
        r->stats.torn++;
        return -1;
    }
    int k = 0;
    for (int i = 0; i < n && k < max; i++) {
        out[k].tstate = th[i].tstate;
        out[k].thread_id = th[i].thread_id;
        out[k].native_tid = th[i].native_tid;
        out[k].holds_gil = th[i].holds_gil;
        k++;
    }
    return k;
}
