/* check: the smallest test harness — CHECK records a failure and goes on. */
#ifndef MW_CHECK_H
#define MW_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures, check_count;

#define CHECK(cond) do { \
    check_count++; \
    if (!(cond)) { \
        check_failures++; \
        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    } \
} while (0)

#define CHECK_STR(a, b) do { \
    const char *check_a_ = (a), *check_b_ = (b); \
    check_count++; \
    if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) { \
        check_failures++; \
        fprintf(stderr, "%s:%d: '%s' != '%s'\n", __FILE__, __LINE__, \
                check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); \
    } \
} while (0)

/* Prints the tally; returns the process exit status. */
static inline int check_done(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures ? 1 : 0;
}

#endif
