/* term: the terminal under curses — start, restore, colours, glyphs, keys. */
#ifndef MW_TUI_TERM_H
#define MW_TUI_TERM_H

#include "plot.h"

/* Colour pairs (0 when the terminal is mono or NO_COLOR is set). */
enum term_pair {
    PAIR_RSS = 1, PAIR_USS, PAIR_PSS, PAIR_TITLE, PAIR_HEADER, PAIR_SELECT, PAIR_RANGE, PAIR_CURSOR,
    PAIR_STATUS, PAIR_DIM, PAIR_GROW, PAIR_SHRINK, PAIR_LIVE, PAIR_ERROR, PAIR_COUNT
};

typedef struct term_opts {
    int glyphs;                /* enum plot_glyphs, -1: braille if the locale is UTF-8, else ASCII */
    int color;                 /* -1: if the terminal has colours and NO_COLOR is unset; 0: never */
} term_opts;

/* What the terminal can show, decided by term_start. */
typedef struct term_caps {
    int utf8;                  /* UTF-8 glyphs (box lines, braille) may be used */
    int glyphs;                /* enum plot_glyphs */
    int colors;                /* 0 mono, 8, or 256 */
} term_caps;

extern term_caps term;

/* Puts the terminal under curses (locale, raw keys, no cursor, colours). Returns 0 or -1. */
int term_start(const term_opts *o);

/* Gives the terminal back as it was (idempotent; safe from atexit). */
void term_stop(void);

/* The attribute of a colour pair (A_NORMAL when mono), with fallback for mono screens. */
int term_attr(int pair);

/* Waits up to ms for a key; returns a char, a KEYC_ code (keys.h), TERM_RESIZE, or -1 for none. */
int term_key(int ms);

#define TERM_RESIZE 0x20000

/* A glyph: the UTF-8 text when the terminal has it, else the ASCII one. */
const char *term_glyph(const char *utf8, const char *ascii);

#endif
