/* flame: collapsed stacks ("frame;frame;frame BYTES", outermost first) built from stored stacks (pure). */
#ifndef MW_FLAME_H
#define MW_FLAME_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store.h"

#define FLAME_NAME_MAX 1024    /* a frame's text is cut to this many bytes */

/* Copies in to out (outlen > 0) for use inside a collapsed frame: ';' becomes
 * ':', control characters and invalid UTF-8 become '?', cut to outlen - 1
 * bytes on a character boundary. Returns out. */
char *flame_clean(const char *in, char *out, size_t outlen);

/* Writes f as "func (file:line)", or "func (file)" when line <= 0, cleaned
 * (flame_clean); with len > FLAME_NAME_MAX it is never cut. Returns buf. */
char *flame_frame(const store_frame *f, char *buf, size_t len);

typedef struct flame_line {
    char *stack;               /* frames joined by ';' */
    int64_t bytes;
} flame_line;

typedef struct flame_lines {
    flame_line *items;
    size_t n, cap;
} flame_lines;

/* Adds a collapsed line for frames[0..depth) (outermost first) charged
 * bytes, under an optional outer frame prefix (already clean, or NULL).
 * Lines with bytes <= 0 are not added. Returns 0, or -1 when out of memory. */
int flame_add(flame_lines *l, const char *prefix, const store_frame *frames, size_t depth, int64_t bytes);

/* Sorts the lines by stack and merges equal stacks, summing their bytes. */
void flame_merge(flame_lines *l);

/* Writes each line as "STACK BYTES\n". Returns 0, or -1 if a write failed. */
int flame_write(const flame_lines *l, FILE *f);

/* Frees the lines. */
void flame_free(flame_lines *l);

#endif
