/* diffcalc: two sessions' line or function sums side by side (pure). */
#ifndef MW_DIFFCALC_H
#define MW_DIFFCALC_H

#include <stddef.h>
#include <stdint.h>

#include "idcache.h"
#include "store.h"

typedef struct diff_row {
    char *file, *func, *text;  /* text: the saved source line (lines only), NULL if none */
    int32_t line;              /* functions: the def line */
    int64_t growth[2], net[2]; /* [0] session A, [1] session B */
    int seen[2];               /* 1 if the session charged this place */
} diff_row;

typedef struct diff_table {
    int functions;             /* rows are functions (file, function), else lines (file, line) */
    diff_row *items;
    size_t n, cap;
    idcache index;             /* place -> position + 1 */
} diff_table;

/* Adds report row r of side (0: A, 1: B), summed into the row of the same
 * place. Returns 0, or -1 when out of memory. */
int diffcalc_add(diff_table *t, int side, const store_report_row *r);

/* Growth of B minus growth of A. */
int64_t diffcalc_growth(const diff_row *r);

/* Orders the rows by |growth difference| (largest first), then by file and line. */
void diffcalc_sort(diff_table *t);

/* Frees the rows. */
void diffcalc_free(diff_table *t);

#endif
