/* fakepy: builds fake CPython memory images (runtime, threads, frames, code, str) for a layout. */
#ifndef MW_FAKEPY_H
#define MW_FAKEPY_H

#include <stddef.h>
#include <stdint.h>

#include "memsrc.h"
#include "pylayout.h"

typedef struct fakepy {
    const py_layout *L;
    uint8_t *mem;
    size_t cap, used;
    uint64_t base;                 /* address of mem[0]; the runtime is there */
    uint64_t t_code, t_str, t_bytes, t_int;   /* type objects */
    uint64_t interp;               /* the (main) interpreter */
    uint64_t gil;                  /* 3.12+: the GIL struct interp points to */
    memsrc_image img;
} fakepy;

/* Starts an image of cap bytes at base for layout L: a runtime (prefix bytes copied to its
 * start when given, e.g. a _Py_DebugOffsets image), an interpreter with no thread, the types.
 * Returns 0 or -1. */
int fakepy_init(fakepy *f, const py_layout *L, uint64_t base, size_t cap,
                const uint8_t *prefix, size_t prefix_len);
/* Frees the image. */
void fakepy_free(fakepy *f);
/* A memsrc over the image as built so far. */
memsrc fakepy_src(fakepy *f);

/* Allocates n zeroed bytes (16-aligned); returns the address, 0 when full. */
uint64_t fakepy_alloc(fakepy *f, size_t n);
/* Writes the low `width` bytes (1, 4 or 8) of val at addr + off (off PYL_NONE: nothing). */
void fakepy_put(fakepy *f, uint64_t addr, uint32_t off, uint64_t val, int width);
/* Reads back 8 bytes at addr + off. */
uint64_t fakepy_get(const fakepy *f, uint64_t addr, uint32_t off);

/* A compact str of n code points of the given kind (1, 2, 4); ASCII when all < 128. */
uint64_t fakepy_str_cp(fakepy *f, const uint32_t *cp, size_t n, int kind);
/* A compact ASCII str. */
uint64_t fakepy_str(fakepy *f, const char *s);
/* A bytes object. */
uint64_t fakepy_bytes(fakepy *f, const uint8_t *b, size_t n);
/* A line table for the layout in which instruction i (0-based) is on line firstline + i. */
uint64_t fakepy_table(fakepy *f, int ninstr);
/* A code object (qualname = name) whose instruction i is on line firstline + i. */
uint64_t fakepy_code(fakepy *f, const char *file, const char *name, int firstline, int ninstr);
/* The address of code's bytecode (instruction i at + 2 * i); 0 if it has none. */
uint64_t fakepy_bytecode(const fakepy *f, uint64_t code);
/* A frame running instruction `instr` (-1: not started) of code, after `back`. */
uint64_t fakepy_frame(fakepy *f, uint64_t code, uint64_t back, int instr);
/* A C-stack shim frame (3.12+) after `back`; 0 where the version has none. */
uint64_t fakepy_shim(fakepy *f, uint64_t back);
/* A thread state whose innermost frame is `frame`, pushed at the head of the interpreter's
 * list (so the first one added is the main thread). */
uint64_t fakepy_thread(fakepy *f, uint64_t frame, uint64_t thread_id, int32_t native_tid);
/* The innermost frame field of a thread (through the cframe where the version has one). */
void fakepy_set_frame(fakepy *f, uint64_t tstate, uint64_t frame);
/* Marks tstate as the GIL holder (0: nobody holds it). */
void fakepy_set_gil(fakepy *f, uint64_t tstate);

#endif
