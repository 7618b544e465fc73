/* match: case-insensitive text search used by filters and finds (pure). */
#ifndef MW_TUI_MATCH_H
#define MW_TUI_MATCH_H

/* 1 if needle occurs in hay ignoring ASCII case (an empty needle always does; a NULL hay never). */
int match_contains(const char *hay, const char *needle);

#endif
