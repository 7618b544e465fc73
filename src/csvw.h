/* csvw: the bits of CSV (RFC 4180) that memwatch writes. */
#ifndef MW_CSVW_H
#define MW_CSVW_H

#include <stdint.h>
#include <stdio.h>

/* Writes s as one field, quoted when it holds a comma, quote, CR or LF
 * (quotes doubled); NULL writes an empty field. A leading comma unless first. */
void csvw_field(FILE *f, const char *s, int first);

/* Writes v, or an empty field when known is 0. A leading comma unless first. */
void csvw_int(FILE *f, int64_t v, int known, int first);

/* Writes a finite number with up to 6 decimals, or an empty field. A leading comma unless first. */
void csvw_num(FILE *f, double v, int known, int first);

#endif
