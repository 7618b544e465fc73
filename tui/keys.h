/* keys: what each key does on each screen, and the help listing every key (pure). */
#ifndef MW_TUI_KEYS_H
#define MW_TUI_KEYS_H

#include <stddef.h>

enum key_action {
    ACT_NONE = 0,
    ACT_UP, ACT_DOWN, ACT_LEFT, ACT_RIGHT, ACT_PGUP, ACT_PGDN, ACT_HOME, ACT_END, ACT_TOP, ACT_BOTTOM,
    ACT_ENTER, ACT_BACK, ACT_QUIT, ACT_HELP, ACT_SEARCH, ACT_SORT, ACT_TAB,
    ACT_ZOOM_IN, ACT_ZOOM_OUT, ACT_REFRESH, ACT_MARK_START, ACT_MARK_END,
    ACT_SERIES1, ACT_SERIES2, ACT_SERIES3, ACT_DELETE, ACT_SELECT, ACT_COMPARE,
    ACT_YES, ACT_NO,
};

enum key_screen { SCR_SESSIONS = 0, SCR_SESSION, SCR_SOURCE, SCR_COMPARE, SCR_HELP, SCR_COUNT };

/* Codes for keys that are not plain characters (the curses layer maps its own to these). */
enum {
    KEYC_UP = 0x10000, KEYC_DOWN, KEYC_LEFT, KEYC_RIGHT, KEYC_PGUP, KEYC_PGDN, KEYC_HOME, KEYC_END,
    KEYC_ENTER, KEYC_BACKSPACE, KEYC_ESC, KEYC_TAB,
};

/* The action of key code k (a character or a KEYC_ code) on screen scr. */
int keys_action(int scr, int k);

/* One line of help: the keys as written and what they do. */
typedef struct key_help {
    const char *keys, *what;
} key_help;

/* The help lines for screen scr (all screens share the common ones). Sets *n. */
const key_help *keys_help(int scr, size_t *n);

/* The title of a screen ("Sessions", "Session", ...). */
const char *keys_screen_name(int scr);

#endif
