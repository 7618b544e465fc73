/* strtab: interned, immutable strings shared by every reader of a collector. */
#ifndef MW_STRTAB_H
#define MW_STRTAB_H

#include <stddef.h>

typedef struct strtab strtab;

/* Returns a new empty table, or NULL when out of memory. */
strtab *strtab_new(void);
/* Returns the interned copy of s[0..len) (stable until strtab_free), or NULL on OOM
 * or when the table is at its bound (4M strings / 256 MiB; known strings are still found). */
const char *strtab_intern(strtab *t, const char *s, size_t len);
/* Number of distinct strings held. */
size_t strtab_count(const strtab *t);
/* Frees the table and every string it handed out. */
void strtab_free(strtab *t);

#endif
