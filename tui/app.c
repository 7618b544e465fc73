/* app: the key loop, the screen stack, prompts, and what every screen shares. */
#include "app.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "draw.h"
#include "term.h"

int app_screen(const app *a)
{
    return a->depth > 0 ? a->stack[a->depth - 1] : SCR_SESSIONS;
}

void app_push(app *a, int scr)
{
    if (a->depth < APP_STACK)
        a->stack[a->depth++] = scr;
    a->dirty = 1;
}

static void close_screen(app *a, int scr)
{
    switch (scr) {
    case SCR_SESSION:
        session_close(a);
        break;
    case SCR_SOURCE:
        source_close(a);
        break;
    case SCR_COMPARE:
        compare_close(a);
        break;
    default:
        break;
    }
}

void app_pop(app *a)
{
    if (a->depth <= 1) {
        a->quit = 1;
        return;
    }
    close_screen(a, a->stack[--a->depth]);
    if (app_screen(a) == SCR_SESSIONS)
        sessions_reload(a);
    a->dirty = 1;
}

void app_message(app *a, int error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->message, sizeof a->message, fmt, ap);
    va_end(ap);
    a->message_error = error;
    a->dirty = 1;
}

void list_clamp(list_pos *p, long n, int page)
{
    if (page < 1)
        page = 1;
    if (p->sel >= n)
        p->sel = n - 1;
    if (p->sel < 0)
        p->sel = 0;
    if (p->top > p->sel)
        p->top = p->sel;
    if (p->sel >= p->top + page)
        p->top = p->sel - page + 1;
    if (p->top > n - page)
        p->top = n - page;
    if (p->top < 0)
        p->top = 0;
}

int list_move(list_pos *p, int act, long n, int page)
{
    switch (act) {
    case ACT_UP:
        p->sel--;
        break;
    case ACT_DOWN:
        p->sel++;
        break;
    case ACT_PGUP:
        p->sel -= page;
        p->top -= page;
        break;
    case ACT_PGDN:
        p->sel += page;
        p->top += page;
        break;
    case ACT_HOME:
    case ACT_TOP:
        p->sel = 0;
        break;
    case ACT_END:
    case ACT_BOTTOM:
        p->sel = n - 1;
        break;
    default:
        return 0;
    }
    list_clamp(p, n, page);
    return 1;
}

void app_draw_title(app *a, const char *fmt, ...)
{
    (void)a;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    int attr = term_attr(PAIR_TITLE);
    draw_fill(0, 0, COLS, attr);
    draw_text(0, 1, COLS - 2, buf, attr);
}

void app_draw_status(app *a, const char *hints)
{
    int y = LINES - 1;
    if (a->input == INPUT_SEARCH) {
        draw_fill(y, 0, COLS, (int)A_NORMAL);
        int n = draw_printf(y, 0, COLS - 1, (int)A_BOLD, "/%s", a->inbuf);
        curs_set(1);
        move(y, n < COLS ? n : COLS - 1);
        return;
    }
    curs_set(0);
    if (a->input == INPUT_CONFIRM || a->message[0]) {
        int attr = a->message_error ? term_attr(PAIR_ERROR) : term_attr(PAIR_STATUS) | (int)A_BOLD;
        draw_fill(y, 0, COLS, attr);
        draw_text(y, 1, COLS - 2, a->message, attr);
        return;
    }
    int attr = term_attr(PAIR_STATUS);
    draw_fill(y, 0, COLS, attr);
    draw_text(y, 1, COLS - 2, hints, attr);
}

static void draw(app *a)
{
    erase();
    switch (app_screen(a)) {
    case SCR_SESSION:
        session_draw(a);
        break;
    case SCR_SOURCE:
        source_draw(a);
        break;
    case SCR_COMPARE:
        compare_draw(a);
        break;
    case SCR_HELP:
        help_draw(a);
        break;
    default:
        sessions_draw(a);
        break;
    }
    wnoutrefresh(stdscr);
    doupdate();
}

/* Hands a finished (or, on the sessions screen, changed) search text to the screen. */
static void search(app *a, const char *text)
{
    switch (app_screen(a)) {
    case SCR_SESSIONS:
        sessions_search(a, text);
        break;
    case SCR_SESSION:
        session_search(a, text);
        break;
    case SCR_SOURCE:
        source_search(a, text);
        break;
    case SCR_COMPARE:
        compare_search(a, text);
        break;
    default:
        break;
    }
}

static void input_key(app *a, int k)
{
    if (a->input == INPUT_CONFIRM) {
        a->input = INPUT_NONE;
        a->message[0] = '\0';
        sessions_confirm(a, k == 'y' || k == 'Y');
        return;
    }
    if (k == KEYC_ENTER) {
        a->input = INPUT_NONE;
        search(a, a->inbuf);
        return;
    }
    if (k == KEYC_ESC) {
        a->input = INPUT_NONE;
        a->inlen = 0;
        a->inbuf[0] = '\0';
        if (app_screen(a) == SCR_SESSIONS)
            sessions_search(a, "");
        return;
    }
    if (k == KEYC_BACKSPACE) {
        if (a->inlen == 0) {
            a->input = INPUT_NONE;
            return;
        }
        /* drop one whole UTF-8 character */
        while (a->inlen > 0 && ((unsigned char)a->inbuf[--a->inlen] & 0xC0) == 0x80)
            ;
        a->inbuf[a->inlen] = '\0';
    } else if (k >= 0x20 && k < 0x100 && k != 0x7f && a->inlen + 1 < sizeof a->inbuf) {
        a->inbuf[a->inlen++] = (char)k;
        a->inbuf[a->inlen] = '\0';
    } else {
        return;
    }
    if (app_screen(a) == SCR_SESSIONS)
        sessions_search(a, a->inbuf);   /* the list filters as you type */
}

static void key(app *a, int k)
{
    a->message[0] = '\0';
    a->message_error = 0;
    if (a->input != INPUT_NONE) {
        input_key(a, k);
        return;
    }
    int scr = app_screen(a);
    int act = keys_action(scr, k);
    if (act == ACT_QUIT) {
        a->quit = 1;
        return;
    }
    if (scr == SCR_HELP) {
        if (act == ACT_BACK || act == ACT_HELP)
            app_pop(a);
        return;
    }
    if (act == ACT_HELP) {
        app_push(a, SCR_HELP);
        return;
    }
    if (act == ACT_SEARCH) {
        a->input = INPUT_SEARCH;
        if (scr != SCR_SESSIONS) {
            a->inlen = 0;
            a->inbuf[0] = '\0';
        }
        return;
    }
    switch (scr) {
    case SCR_SESSION:
        session_key(a, act, k);
        break;
    case SCR_SOURCE:
        source_key(a, act, k);
        break;
    case SCR_COMPARE:
        compare_key(a, act, k);
        break;
    default:
        sessions_key(a, act, k);
        break;
    }
}

static void poll_screen(app *a)
{
    switch (app_screen(a)) {
    case SCR_SESSIONS:
        sessions_poll(a);
        break;
    case SCR_SESSION:
        session_poll(a);
        break;
    default:
        break;
    }
}

double app_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int app_run(app *a)
{
    a->dirty = 1;
    a->last_poll = data_now();
    while (!a->quit && !app_stop_requested()) {
        if (a->dirty) {
            draw(a);
            a->dirty = 0;
        }
        int busy = a->ld && loader_busy(a->ld);
        int k = term_key(busy ? 15 : 100);
        if (busy && session_results(a)) {
            draw(a);
            a->dirty = 0;
        }
        double now = data_now(), t0 = app_clock();
        if (k == -1) {
            if (now - a->last_poll >= APP_POLL_S) {
                a->last_poll = now;
                poll_screen(a);
            }
            continue;
        }
        if (k == TERM_RESIZE) {
            a->dirty = 1;
            continue;
        }
        key(a, k);
        if (a->quit)
            break;
        draw(a);
        a->dirty = 0;
        if (a->timing) {
            fprintf(a->timing, "key %d screen %s %.3f ms\n", k, keys_screen_name(app_screen(a)),
                    (app_clock() - t0) * 1000.0);
            fflush(a->timing);
        }
    }
    return 0;
}
