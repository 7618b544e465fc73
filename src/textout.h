/* textout: text from a target or a database made safe to print (pure). */
#ifndef MW_TEXTOUT_H
#define MW_TEXTOUT_H

#include <stddef.h>

/* Copies in to out (outlen > 0) with control characters and invalid UTF-8 as
 * '?', cut to at most maxcols characters (0: no limit) ending in "..." when
 * cut; trailing newlines dropped. Returns out. */
char *textout_clean(const char *in, char *out, size_t outlen, size_t maxcols);

/* Number of UTF-8 characters in s (invalid bytes count one each). */
size_t textout_width(const char *s);

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if s starts with an invalid one. */
size_t textout_utf8_len(const unsigned char *s);

#endif
