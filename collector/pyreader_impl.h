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
#define PY_PAGE 4096                   /* small reads fetch the whole page: one syscall costs the same */
#define PY_PAGES 16
#define PY_PAGES_HOT 12                /* pages of the last call fetched at once by the next */

enum py_type_kind { PYT_CODE, PYT_STR, PYT_BYTES, PYT_COUNT };

typedef struct py_code_entry {
    uint64_t addr;                     /* 0 = empty slot */
    uint64_t ob_type, filename, name, linetable;
    int32_t firstline;
    int64_t units;                     /* code units of bytecode (3.11+), -1 if unknown */
    const char *file, *func;           /* interned */
    uint8_t *table;                    /* line-table bytes, NULL if unreadable */
    uint32_t table_len;
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
    memsrc src;
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

    struct py_page *pages;             /* PY_PAGES pages read during the current call */
    uint32_t page_gen;
    unsigned page_next;
    uint64_t used[PY_PAGES_HOT];       /* pages the current call looked at */
    int nused;

    uint64_t *seen;                    /* PY_SEEN_SLOTS addresses stamped with seen_gen: cycle checks */
    uint32_t *seen_gen;
    uint32_t gen;
};


typedef struct py_page {
    uint64_t addr;                     /* page address */
    uint32_t gen;                      /* valid while equal to page_gen */
    uint8_t data[PY_PAGE];
} py_page;

/* Starts a new snapshot: pages read before are read again, those the previous call used
 * all in one go (a stack that did not move needs one read), the others when needed. */
void pyreader_snapshot(pyreader *r);

/* Brings the pages holding [addrs[i], addrs[i] + len) for i < n into the snapshot with as
 * few reads as the source allows (at most PY_PAGES pages; the rest are read on demand). */
void pyreader_prefetch(pyreader *r, const uint64_t *addrs, int n, size_t len);

/* Reads len bytes at addr of the target, small reads through the snapshot's pages. 0 or -1. */
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
const py_code_entry *pycode_get(pyreader *r, uint64_t addr);

/* The line of a frame: `pos` is the byte offset (<= 3.10) or code unit (3.11+) of the
 * instruction, negative before the first. Returns the line or -1. */
int32_t pycode_line(const pyreader *r, const py_code_entry *e, int64_t pos);

/* Drops every cached code object. */
void pycode_flush(pyreader *r);

#endif
