/* pyreader: reads the Python threads and stacks of a live CPython from outside. */
#ifndef MW_PYREADER_H
#define MW_PYREADER_H

#include <stdint.h>
#include <sys/types.h>

#include "memsrc.h"
#include "pylayout.h"
#include "strtab.h"

#define PY_MAX_DEPTH 128     /* frames kept per stack; deeper stacks are cut (outermost kept out) */
#define PY_MAX_THREADS 256   /* threads kept per walk, all interpreters together */

typedef struct py_frame {
    const char *file;        /* interned (strtab) */
    const char *func;        /* qualified name where the version has it, else name; interned */
    int32_t firstline;
    int32_t line;            /* -1 if unknown */
} py_frame;

typedef struct py_stack {
    int depth;               /* frames[0] is the innermost (running) frame */
    int truncated;           /* 1 if deeper than PY_MAX_DEPTH */
    uint64_t thread_id;      /* PyThreadState.thread_id */
    int32_t native_tid;      /* kernel TID, 0 where the version does not record it */
    int holds_gil;           /* as of the last walk of the thread lists: while the process has
                                a single Python thread they are walked every few samples only */
    py_frame frames[PY_MAX_DEPTH];
} py_stack;

typedef struct py_thread {
    uint64_t tstate;         /* address of the PyThreadState */
    uint64_t thread_id;
    int32_t native_tid;
    int holds_gil;
} py_thread;

typedef struct py_version {
    int major, minor, micro;
    char how[64];            /* how it was found: "Py_Version", "_Py_DebugOffsets", "library name",
                                "executable name" ("layout" for an image) */
} py_version;

typedef struct py_stats {
    uint64_t samples;        /* stacks read whole */
    uint64_t torn;           /* stacks dropped because they did not hold together */
    uint64_t code_cache_hits, code_cache_misses;
    uint64_t reads;          /* reads of the source (system calls on a live process) */
    uint64_t hinted;         /* samples placed by a hint (pyreader_hint) */
    uint64_t unhinted;       /* samples given a hint that pointed into none of their frames */
} py_stats;

typedef struct pyreader pyreader;

/* Opens a reader on pid: finds the interpreter in /proc/PID/maps, reads its
 * ELF symbols through /proc/PID/root, picks the layout. Returns NULL with a
 * one-line reason in msg if pid is not a supported CPython; *not_python is set
 * to 1 when no interpreter was found at all (0 when found but unusable), and
 * errno says why: ENOEXEC not Python, ESRCH no such process, EPERM not allowed,
 * ENOTSUP an unsupported or unreadable interpreter. */
pyreader *pyreader_open(pid_t pid, strtab *strings, int *not_python, char *msg, size_t msglen);

/* Like pyreader_open, for tests and fuzzing: the runtime address and layout
 * are given and memory comes from src. */
pyreader *pyreader_open_image(const memsrc *src, uint64_t runtime_addr, const py_layout *layout,
                              strtab *strings);

/* The version found by pyreader_open. */
const py_version *pyreader_version(const pyreader *r);

/* Reads the stack of the thread holding the GIL; if none holds it, of the
 * thread whose native TID is prefer_tid, else of the main thread.
 * Returns 0 and fills out; 1 if there is no Python thread or frame; -1 if the
 * stack was torn (counted in the stats). */
int pyreader_sample(pyreader *r, int32_t prefer_tid, py_stack *out);

/* Reads the stack of the thread with native TID tid (3.11+) or at tstate address
 * `tstate` when non-zero. Same returns as pyreader_sample. */
int pyreader_sample_thread(pyreader *r, int32_t tid, uint64_t tstate, py_stack *out);

/* Words (registers, then the user stack from its top) that the sampled
 * thread held when memory grew, for the next pyreader_sample_thread call
 * only: if one points into the bytecode of a frame of the stack read, the
 * innermost such frame is taken as the running one, at that instruction,
 * and the frames called since are left out. words must stay
 * valid until that call; NULL or n = 0 gives no hint. */
void pyreader_hint(pyreader *r, const uint64_t *words, size_t n);

/* Lists up to max threads of every interpreter, in list order (the main
 * interpreter's last, its main thread last of all). Returns the count, or -1 if torn. */
int pyreader_threads(pyreader *r, py_thread *out, int max);

/* Counters since open. */
const py_stats *pyreader_stats(const pyreader *r);

/* Closes the reader (strings stay in their strtab). */
void pyreader_close(pyreader *r);

#endif
