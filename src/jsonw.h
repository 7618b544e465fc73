/* jsonw: the bits of JSON that memwatch prints. */
#ifndef MW_JSONW_H
#define MW_JSONW_H

#include <stdint.h>
#include <stdio.h>

/* Writes s as a JSON string (invalid UTF-8 becomes U+FFFD), or null if s is NULL. */
void jsonw_string(FILE *f, const char *s);

/* Writes "key": (with a leading comma unless first). */
void jsonw_key(FILE *f, const char *key, int first);

/* Writes v, or null when known is 0. */
void jsonw_int(FILE *f, int64_t v, int known);

/* Writes a finite number with up to 6 decimals, or null when known is 0 or v is not finite. */
void jsonw_num(FILE *f, double v, int known);

#endif
