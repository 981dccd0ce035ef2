/*
 * view_term.c - the Terminal panel: a real shell in the project folder,
 * started the first time the panel is drawn (see term_model.h for the
 * shell, the screen and the scrollback). Its top line says how to leave
 * (C-], the one key the shell does not get) or, scrolled back, how far;
 * below it every cell of the terminal in its own colors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "term_model.h"
#include "util.h"

/* The key that moves focus out of the terminal; the app handles it. */
#define LEAVE_KEY "C-]"

enum { WHEEL_LINES = 3 };

typedef struct term_view {
    view base;
    tm_term *t;
    int page;            /* rows of the terminal, for S-PgUp / S-PgDn */
    char *folder;        /* where the shell started (absolute), for the top line */
    bool cursor_shown;   /* this view placed the terminal's cursor */
} term_view;

static const char *const help[] = {
    LEAVE_KEY "           leave the terminal (every other key goes to the shell)",
    "S-PgUp S-PgDn scroll back through earlier output (any other key returns)",
    "wheel         scroll back through earlier output",
    "Enter         start a new shell after the last one exited",
    NULL};

/* The UI_* attributes of a cell's TM_* ones (italic, strike and blink have
 * none: those cells draw plain). */
static int ui_attrs(int tm)
{
    return (tm & TM_BOLD ? UI_BOLD : 0) | (tm & TM_UNDERLINE ? UI_UNDERLINE : 0) |
           (tm & TM_REVERSE ? UI_REVERSE : 0);
}

/* The top line: how to leave, or where the view is scrolled to. */
static void draw_top(term_view *tv, ui_canvas *c, int cols, bool focused)
{
    tm_state st = tm_get_state(tv->t);
    const char *title = tm_title(tv->t);
    char left[256];
    if (focused && st == TM_EXITED)
        snprintf(left, sizeof left, "Enter starts a new shell · " LEAVE_KEY " leaves the terminal");
    else if (focused)
        snprintf(left, sizeof left, LEAVE_KEY " leaves the terminal · S-PgUp scrolls back");
    else
        snprintf(left, sizeof left, "%s", *title ? title : tv->folder ? tv->folder : "");
    int used = ui_text(c, 0, 1, cols - 2, left, R_MUTED, 0, true);
    int up = tm_scrolled(tv->t);
    if (up > 0) {
        char where[64];
        snprintf(where, sizeof where, "[scrollback: %d lines up]", up);
        int w = ui_width(where, strlen(where));
        int at = cols - 1 - w > used + 2 ? cols - 1 - w : used + 2;
        ui_text(c, 0, at, cols - at, where, R_INFO, UI_BOLD, true);
    }
}

static void draw(view *v, ui_canvas *c, bool focused)
{
    term_view *tv = (term_view *)v;
    ui_rect r = ui_canvas_rect(c);
    int top = r.rows > 1 ? 1 : 0, rows = r.rows - top, cols = r.cols;
    tm_resize(tv->t, rows, cols);
    tv->page = rows;
    if (tm_get_state(tv->t) == TM_IDLE) {
        char *err = NULL;
        tv->folder = realpath(app_dir(v->a), NULL);
        if (!tv->folder) tv->folder = xstrdup(app_dir(v->a));
        if (tm_start(tv->t, app_dir(v->a), NULL, &err) != 0) app_say(v->a, "Terminal: %s", err);
        free(err);
    } else {
        tm_poll(tv->t);
    }
    if (top) draw_top(tv, c, cols, focused);
    for (int y = 0; y < rows; y++)
        for (int x = 0; x < cols; x++) {
            tm_cell cell;
            tm_cell_at(tv->t, y, x, &cell);
            if (cell.width == 0) continue; /* the right half of a wide character */
            ui_cell(c, top + y, x, cell.text, cell.fg, cell.bg, ui_attrs(cell.attrs));
        }
    int cy, cx;
    if (focused && tm_cursor(tv->t, &cy, &cx)) {
        ui_screen_cursor(r.row + top + cy, r.col + cx);
        tv->cursor_shown = true;
    } else if (tv->cursor_shown) {
        ui_screen_cursor(-1, 0);
        tv->cursor_shown = false;
    }
}

static bool key(view *v, const ui_event *e)
{
    term_view *tv = (term_view *)v;
    if (e->kind != EV_KEY || !strcmp(e->key, LEAVE_KEY)) return false;
    bool up = !strcmp(e->key, "S-PgUp");
    if (up || !strcmp(e->key, "S-PgDn")) {
        int page = tv->page > 2 ? tv->page - 1 : 1;
        tm_scroll(tv->t, up ? page : -page);
    } else if (!tm_key(tv->t, e->key)) {
        return false;
    }
    app_dirty(v->a, v);
    return true;
}

static bool mouse(view *v, const ui_event *e, int row, int col)
{
    (void)row;
    (void)col;
    term_view *tv = (term_view *)v;
    if (e->mouse == M_WHEEL_UP || e->mouse == M_WHEEL_DOWN)
        tm_scroll(tv->t, e->mouse == M_WHEEL_UP ? WHEEL_LINES : -WHEEL_LINES);
    else if (e->mouse != M_PRESS)
        return false;
    app_dirty(v->a, v); /* a click focuses the panel (the app moves focus) */
    return true;
}

static bool captures(view *v)
{
    (void)v;
    return true;
}

static int fd(view *v)
{
    return tm_fd(((term_view *)v)->t);
}

static void readable(view *v)
{
    if (tm_read(((term_view *)v)->t) != 0) app_dirty(v->a, v);
}

static void free_view(view *v)
{
    term_view *tv = (term_view *)v;
    tm_free(tv->t);
    free(tv->folder);
    free(tv);
}

static const view_ops ops = {
    .title = "Terminal",
    .draw = draw,
    .key = key,
    .mouse = mouse,
    .captures = captures,
    .help = help,
    .fd = fd,
    .readable = readable,
    .free = free_view};

view *term_view_new(app *a)
{
    term_view *tv = xcalloc(1, sizeof(*tv));
    tv->base.ops = &ops;
    tv->base.a = a;
    tv->base.dirty = true;
    tv->t = tm_new(24, 80, 0);
    tv->page = 24;
    return &tv->base;
}
