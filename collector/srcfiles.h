/* srcfiles: source text of the files a target runs, read as the target sees them. */
#ifndef MW_SRCFILES_H
#define MW_SRCFILES_H

#include <stddef.h>
#include <sys/types.h>

#define SRCFILES_MAX_BYTES (16u << 20)   /* larger files are not kept */
#define SRCFILES_MAX_FILES 4096

typedef struct srcfiles srcfiles;

/* Returns an empty cache, or NULL when out of memory. */
srcfiles *srcfiles_new(void);

/* Loads `file` (an interned string; absolute, or relative to the target's cwd)
 * as pid sees it (rootfile_open) while pid lives, else, unless running as root,
 * from this machine's disk. Does nothing if it was loaded or tried before. */
void srcfiles_load(srcfiles *c, const char *file, pid_t pid);

/* Text of line (1-based) of file, without its newline; NULL if unknown. */
const char *srcfiles_line(const srcfiles *c, const char *file, int line);

/* Frees the cache. */
void srcfiles_free(srcfiles *c);

#endif
