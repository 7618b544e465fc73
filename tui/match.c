/* match: case-insensitive text search used by filters and finds. */
#include "match.h"

#include <ctype.h>
#include <string.h>

int match_contains(const char *hay, const char *needle)
{
    if (!hay)
        return 0;
    size_t nl = strlen(needle);
    if (nl == 0)
        return 1;
    for (const char *h = hay; *h; h++) {
        size_t i = 0;
        while (i < nl && h[i] && tolower((unsigned char)h[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == nl)
            return 1;
    }
    return 0;
}
