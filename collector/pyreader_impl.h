/* pyreader_impl: the reader's state, shared by pyreader.c, pywalk.c and pycode.c only. */
#ifndef MW_PYREADER_IMPL_H
#define MW_PYREADER_IMPL_H

#include <stdint.h>

#include "pyreader.h"

#define PY_MAX_STR_CHARS 1024          /* characters kept of a file or function name */
#define PY_MAX_STR_LEN   (1u << 20)    /* a longer "string" is garbage */
#define PY_MAX_TABLE     (1u << 20)    /* line tables read at most this long */
#define PY_CACHE_SLOTS   4096          /* code cache: direct-mapped slots (power of two) */
#define PY_CACHE_BYTES   ((size_t)64 << 20)  /* line-table bytes held before the cache is flushed */
#define PY_MAX_INTERPS   64
#define PY_TYPE_MEMO     8             /* per kind: type addresses already judged by tp_name */
#define PY_SEEN_SLOTS 8192
#define PY_SMALL 512                   /* reads up to this long go through the snapshot */
#define PY_PAGE 4096                   /* a read the snapshot lacks fetches its whole page(s) */
#define PY_SPANS 96                    /* ranges held by a snapshot */
#define PY_ARENA ((size_t)64 << 10)    /* bytes held by a snapshot (then it starts over) */
#define PY_HOT 48                      /* ranges remembered for the next calls to fetch at once */
#define PY_WALK_HOT 32                 /* ranges the last walk of the thread lists read */
#define PY_HOT_AGE 8                   /* calls a range stays remembered after its last use */
#define PY_HOT_MAXLEN 1024             /* a remembered range grows by union up to this */
#define PY_MERGE_GAP 2048              /* remembered ranges closer than this are fetched as one:
                                          less than a page, so no page is added to the read */
#define PY_FETCH_MAX ((size_t)8 << 10) /* longest range fetched as one */
#define PY_FETCH_ROUNDS 3              /* reads per fetch: past a range that cannot be read, again */
#define PY_LINE_MEMO 4                 /* (position, line) pairs memoized per code object */
#define PY_SOLO_CALLS 32               /* calls reading a lone thread between walks of the thread
                                          lists; more than PY_HOT_AGE, so that what only a walk
                                          reads is not fetched by every call */

enum py_type_kind { PYT_CODE, PYT_STR, PYT_BYTES, PYT_COUNT };

typedef struct py_code_entry {
    uint64_t addr;                     /* 0 = empty slot */
    uint64_t ob_type, filename, name, linetable;
    int32_t firstline;
    int64_t units;                     /* code units of bytecode (3.11+), -1 if unknown */
    uint64_t co_code;                  /* <=3.10: the bytes object of the bytecode, 0 if unknown */
    uint64_t bc_start, bc_len;         /* the bytecode's address and length in bytes (0: unknown) */
    const char *file, *func;           /* interned */
    uint8_t *table;                    /* line-table bytes, NULL if unreadable */
    uint32_t table_len;
    uint32_t memo_next;                /* memo: the last positions decoded and their lines */
    int32_t memo_pos[PY_LINE_MEMO];    /* -2 = empty */
    int32_t memo_line[PY_LINE_MEMO];
} py_code_entry;

typedef struct py_type_memo {
    uint64_t addr;
    int ok;
} py_type_memo;

/* What walking one thread list gives (internal). */
typedef struct py_tinfo {
    uint64_t tstate;
    uint64_t interp;
    uint64_t frame;                    /* ts_frame field as read (frame or cframe pointer) */
    uint64_t thread_id;
    int32_t native_tid;
    int holds_gil;
    int main_interp;                   /* 1 if in the main (first created) interpreter */
} py_tinfo;

struct pyreader {
    memsrc src;                        /* reads `inner`, counting in stats.reads */
    memsrc inner;
    py_layout L;
    uint64_t runtime;
    strtab *strings;
    py_version version;
    py_stats stats;
    const char *unknown;               /* "?" interned: used when the strtab is full */

    uint64_t type_addr[PYT_COUNT];     /* from the ELF symbols, 0 if unknown */
    py_type_memo type_memo[PYT_COUNT][PY_TYPE_MEMO];
    unsigned type_memo_next[PYT_COUNT];

    py_code_entry *cache;              /* PY_CACHE_SLOTS */
    size_t cache_bytes;

    /* The snapshot: target ranges read during the current call (copies in arena). */
    uint8_t *arena;                    /* PY_ARENA bytes */
    size_t arena_used;
    struct py_span *spans;             /* PY_SPANS */
    int nspans;
    /* Ranges the recent calls read, fetched in one go when the next call starts. */
    struct py_hot *hot;                /* PY_HOT */
    int nhot;
    struct py_hot *walk;               /* PY_WALK_HOT: what the last walk read, fetched by the next */
    int nwalk;
    int in_walk;                       /* 1 while a walk reads: what it reads goes to walk */
    uint32_t call;                     /* calls (snapshots) so far */

    py_tinfo solo;                     /* the only thread the last walk found... */
    unsigned solo_left;                /* ...read without a walk this many more calls (0: walk) */

    const uint64_t *hint;              /* pyreader_hint's words for the next stack read */
    size_t nhint;

    uint64_t *seen;                    /* PY_SEEN_SLOTS addresses stamped with seen_gen: cycle checks */
    uint32_t *seen_gen;
    uint32_t gen;
};


typedef struct py_span {
    uint64_t addr;
    uint32_t len;
    uint32_t off;                      /* of the copy in arena */
} py_span;

typedef struct py_hot {
    uint64_t addr;
    uint32_t len;
    uint32_t last;                     /* call that last used it */
} py_hot;

/* Starts a new snapshot: nothing read before is trusted. Fetched in one go: if stack, the
 * ranges the last PY_HOT_AGE calls used outside walks (a stack that did not move needs that
 * one read only); if walk, those the last walk of the thread lists used. The others are read
 * when needed. */
void pyreader_snapshot(pyreader *r, int stack, int walk);

/* on = 1: a walk of the thread lists starts; what it reads is remembered for the next walk
 * only (calls that skip the walk do not fetch it). on = 0: the walk is over. */
void pyreader_walk_mark(pyreader *r, int on);

/* Brings [addrs[i], addrs[i] + len) for i < n (len <= PY_SMALL) into the snapshot with
 * as few reads as the source allows; what cannot be read is left to be read on demand. */
void pyreader_prefetch(pyreader *r, const uint64_t *addrs, int n, size_t len);

/* Reads len bytes at addr of the target, small reads through the snapshot (and remembered
 * for the next calls). 0 or -1. */
int pyreader_read(pyreader *r, uint64_t addr, void *buf, size_t len);

/* Fields of one object: offs[i] (PYL_NONE = absent, value 0) of width sz[i] (1, 4 or 8 bytes,
 * zero-extended into vals[i]). One read when they lie close together. Returns 0 or -1. */
int pyreader_fields(pyreader *r, uint64_t base, int n, const uint32_t *offs, const uint8_t *sz,
                    uint64_t *vals);

/* Starts a new cycle check (forgets every address seen). */
void pyreader_seen_reset(pyreader *r);

/* Records addr; returns 1 if it was already recorded since the last reset (a cycle), or
 * the set is full; else 0. */
int pyreader_seen(pyreader *r, uint64_t addr);

/* Creates a reader over src (copied) with layout L (copied); NULL on OOM or a bad layout. */
pyreader *pyreader_new(const memsrc *src, uint64_t runtime, const py_layout *L, strtab *strings);

/* 1 if the object type at type_addr is of kind (by address, else by tp_name, memoized); else 0. */
int pycode_type_is(pyreader *r, uint64_t type_addr, enum py_type_kind kind);

/* Decodes the PyUnicode at addr to UTF-8 and interns it. NULL if it is not a sane str. */
const char *pycode_string(pyreader *r, uint64_t addr);

/* Looks up / decodes the code object at addr. NULL if it is not a readable code object. */
py_code_entry *pycode_get(pyreader *r, uint64_t addr);

/* The line of a frame: `pos` is the byte offset (<= 3.10) or code unit (3.11+) of the
 * instruction, negative before the first. Returns the line or -1 (memoized in e). */
int32_t pycode_line(const pyreader *r, py_code_entry *e, int64_t pos);

/* Drops every cached code object. */
void pycode_flush(pyreader *r);

#endif
