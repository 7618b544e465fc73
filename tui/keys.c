/* keys: what each key does on each screen, and the help listing every key. */
#include "keys.h"

static int common(int k)
{
    switch (k) {
    case KEYC_UP:
    case 'k':
        return ACT_UP;
    case KEYC_DOWN:
    case 'j':
        return ACT_DOWN;
    case KEYC_LEFT:
    case 'h':
        return ACT_LEFT;
    case KEYC_RIGHT:
    case 'l':
        return ACT_RIGHT;
    case KEYC_PGUP:
        return ACT_PGUP;
    case KEYC_PGDN:
        return ACT_PGDN;
    case KEYC_HOME:
        return ACT_HOME;
    case KEYC_END:
        return ACT_END;
    case 'g':
        return ACT_TOP;
    case 'G':
        return ACT_BOTTOM;
    case KEYC_ENTER:
        return ACT_ENTER;
    case KEYC_ESC:
    case KEYC_BACKSPACE:
        return ACT_BACK;
    case 'q':
        return ACT_QUIT;
    case '?':
        return ACT_HELP;
    case 'r':
        return ACT_REFRESH;
    default:
        return ACT_NONE;
    }
}

int keys_action(int scr, int k)
{
    switch (scr) {
    case SCR_SESSIONS:
        switch (k) {
        case '/':
            return ACT_SEARCH;
        case 's':
            return ACT_SORT;
        case 'd':
            return ACT_DELETE;
        case ' ':
            return ACT_SELECT;
        case 'c':
            return ACT_COMPARE;
        default:
            break;
        }
        break;
    case SCR_SESSION:
        switch (k) {
        case KEYC_TAB:
            return ACT_TAB;
        case '+':
        case '=':
            return ACT_ZOOM_IN;
        case '-':
        case '_':
            return ACT_ZOOM_OUT;
        case 'm':
        case '[':
            return ACT_MARK_START;
        case 'M':
        case ']':
            return ACT_MARK_END;
        case '1':
            return ACT_SERIES1;
        case '2':
            return ACT_SERIES2;
        case '3':
            return ACT_SERIES3;
        case 's':
            return ACT_SORT;
        case '/':
            return ACT_SEARCH;
        default:
            break;
        }
        break;
    case SCR_SOURCE:
    case SCR_COMPARE:
        if (k == '/')
            return ACT_SEARCH;
        if (k == 's' && scr == SCR_COMPARE)
            return ACT_SORT;
        break;
    default:
        break;
    }
    return common(k);
}

static const key_help help_common[] = {
    { "Up/Down, k/j", "move the selection" },
    { "PgUp/PgDn", "move a page" },
    { "Home/End, g/G", "first / last row (session screen: Home/End move the time cursor)" },
    { "Enter", "open" },
    { "Esc, Backspace", "back to the previous screen" },
    { "r", "read the database again" },
    { "?", "this help" },
    { "q", "quit" },
};

static const key_help help_sessions[] = {
    { "/", "filter sessions by command or id (Enter keeps, Esc clears)" },
    { "s", "sort: newest, oldest, peak RSS, growth/min, duration, command" },
    { "Left/Right, h/l", "fold / unfold the child sessions under a session" },
    { "Space", "mark a session for comparing (two at most)" },
    { "c", "compare the two marked sessions line by line" },
    { "d", "delete the selected session and its children (asks y/n)" },
};

static const key_help help_session[] = {
    { "Left/Right, h/l", "move the time cursor" },
    { "Home/End", "time cursor to the start / end of the session" },
    { "Up/Down, k/j, g/G", "move in the focused pane" },
    { "Enter", "open the selected line (or function) in the source view, or the child session" },
    { "m or [", "mark the start of a time range at the cursor" },
    { "M or ]", "mark the end of a time range at the cursor" },
    { "Esc", "clear the marked range (else back to the parent session, or the list)" },
    { "+ / -", "zoom the time axis in / out around the cursor" },
    { "1 / 2 / 3", "show or hide RSS / USS / PSS" },
    { "Tab", "switch between the lines, functions and child sessions panes" },
    { "s", "sort the panes: growth, net, hits, place" },
    { "/", "find a line or function by file or name" },
};

static const key_help help_source[] = {
    { "/", "find text in the file" },
};

static const key_help help_compare[] = {
    { "s", "sort: by difference, or by file and line" },
    { "/", "find a file or function" },
};

const key_help *keys_help(int scr, size_t *n)
{
    switch (scr) {
    case SCR_SESSIONS:
        *n = sizeof help_sessions / sizeof help_sessions[0];
        return help_sessions;
    case SCR_SESSION:
        *n = sizeof help_session / sizeof help_session[0];
        return help_session;
    case SCR_SOURCE:
        *n = sizeof help_source / sizeof help_source[0];
        return help_source;
    case SCR_COMPARE:
        *n = sizeof help_compare / sizeof help_compare[0];
        return help_compare;
    default:
        *n = sizeof help_common / sizeof help_common[0];
        return help_common;
    }
}

const char *keys_screen_name(int scr)
{
    static const char *const names[SCR_COUNT] = { "Sessions", "Session", "Source", "Compare", "Help" };
    return scr >= 0 && scr < SCR_COUNT ? names[scr] : "?";
}
