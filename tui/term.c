/* term: the terminal under curses — start, restore, colours, glyphs, keys. */
#include "term.h"

#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keys.h"

term_caps term;
static int started;

static void colors_start(int want)
{
    term.colors = 0;
    if (!want || !has_colors() || start_color() == ERR)
        return;
    use_default_colors();
    int c256 = COLORS >= 256;
    term.colors = c256 ? 256 : 8;
    /* series: blue, orange, green; a dark band for the range */
    init_pair(PAIR_RSS, c256 ? 39 : COLOR_CYAN, -1);
    init_pair(PAIR_USS, c256 ? 214 : COLOR_YELLOW, -1);
    init_pair(PAIR_PSS, c256 ? 114 : COLOR_GREEN, -1);
    init_pair(PAIR_TITLE, c256 ? 231 : COLOR_WHITE, c256 ? 24 : COLOR_BLUE);
    init_pair(PAIR_HEADER, c256 ? 252 : COLOR_WHITE, c256 ? 238 : COLOR_BLACK);
    init_pair(PAIR_SELECT, c256 ? 231 : COLOR_BLACK, c256 ? 31 : COLOR_CYAN);
    init_pair(PAIR_RANGE, -1, c256 ? 237 : COLOR_BLUE);
    init_pair(PAIR_CURSOR, c256 ? 231 : COLOR_BLACK, c256 ? 131 : COLOR_RED);
    init_pair(PAIR_STATUS, c256 ? 250 : COLOR_WHITE, c256 ? 236 : COLOR_BLACK);
    init_pair(PAIR_DIM, c256 ? 244 : COLOR_WHITE, -1);
    init_pair(PAIR_GROW, c256 ? 203 : COLOR_RED, -1);
    init_pair(PAIR_SHRINK, c256 ? 78 : COLOR_GREEN, -1);
    init_pair(PAIR_LIVE, c256 ? 226 : COLOR_YELLOW, -1);
    init_pair(PAIR_ERROR, c256 ? 231 : COLOR_WHITE, c256 ? 124 : COLOR_RED);
}

int term_start(const term_opts *o)
{
    setlocale(LC_ALL, "");
    const char *cs = nl_langinfo(CODESET);
    term.utf8 = cs && strcmp(cs, "UTF-8") == 0;
    term.glyphs = o->glyphs >= 0 ? o->glyphs : term.utf8 ? PLOT_BRAILLE : PLOT_ASCII;
    if (!term.utf8)
        term.glyphs = PLOT_ASCII;
    /* newterm, unlike initscr, returns instead of exiting when the terminal is unusable */
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO) || !newterm(NULL, stdout, stdin))
        return -1;
    started = 1;
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    intrflush(stdscr, FALSE);
    set_escdelay(25);
    curs_set(0);
    const char *nc = getenv("NO_COLOR");
    colors_start(o->color != 0 && !(nc && *nc));
    return 0;
}

void term_stop(void)
{
    if (!started)
        return;
    started = 0;
    curs_set(1);
    endwin();
}

int term_attr(int pair)
{
    if (term.colors)
        return COLOR_PAIR(pair) | (pair == PAIR_TITLE || pair == PAIR_HEADER ? A_BOLD : 0);
    switch (pair) {
    case PAIR_TITLE:
    case PAIR_SELECT:
    case PAIR_CURSOR:
    case PAIR_ERROR:
        return A_REVERSE;
    case PAIR_HEADER:
    case PAIR_LIVE:
        return A_BOLD;
    case PAIR_RANGE:
    case PAIR_DIM:
        return A_DIM;
    default:
        return A_NORMAL;
    }
}

int term_key(int ms)
{
    timeout(ms);
    int c = getch();
    switch (c) {
    case ERR:
        return -1;
    case KEY_RESIZE:
        return TERM_RESIZE;
    case KEY_UP:
        return KEYC_UP;
    case KEY_DOWN:
        return KEYC_DOWN;
    case KEY_LEFT:
        return KEYC_LEFT;
    case KEY_RIGHT:
        return KEYC_RIGHT;
    case KEY_PPAGE:
        return KEYC_PGUP;
    case KEY_NPAGE:
        return KEYC_PGDN;
    case KEY_HOME:
    case KEY_FIND:
        return KEYC_HOME;
    case KEY_END:
    case KEY_SELECT:
        return KEYC_END;
    case KEY_ENTER:
    case '\r':
    case '\n':
        return KEYC_ENTER;
    case KEY_BACKSPACE:
    case 127:
    case 8:
        return KEYC_BACKSPACE;
    case 27:
        return KEYC_ESC;
    case '\t':
        return KEYC_TAB;
    default:
        return c >= 0 && c < 256 ? c : -1;
    }
}

const char *term_glyph(const char *utf8, const char *ascii)
{
    return term.utf8 ? utf8 : ascii;
}
