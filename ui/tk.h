/*
 * tk.h - the TUI toolkit: the terminal screen (ncursesw), input events (keys,
 * mouse, resize), themes (named roles -> colors, with 256/16/8-color and
 * NO_COLOR fallbacks), and drawing on canvases (clipped, wide-character
 * aware). Views draw only through this header; the app shell (app.h) owns
 * panes and wires views in.
 *
 * Threads: everything here runs on the UI thread.
 */
#ifndef TARN_TK_H
#define TARN_TK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ======================= themes ======================= */

typedef enum ui_role {
    R_NORMAL,        /* text on the background */
    R_MUTED,         /* secondary text */
    R_BORDER,
    R_BORDER_FOCUS,
    R_TITLE,
    R_TITLE_FOCUS,
    R_SELECTION,     /* the selected row or item */
    R_CURSOR_LINE,
    R_STATUS,        /* the status bar */
    R_STATUS_ACCENT,
    R_TAB,
    R_TAB_ACTIVE,
    R_HEADER,        /* table headers */
    R_NULL,          /* NULL in the data grid */
    R_NUMBER,
    R_STRING,
    R_KEYWORD,
    R_COMMENT,
    R_ERROR,
    R_WARNING,
    R_INFO,
    R_SUCCESS,
    R_RUNNING,       /* dataset and update states */
    R_COMPLETED,
    R_FAILED,
    R_QUEUED,
    R_CANCELED,
    R_SKIPPED,
    R_POPUP,         /* palette, help, detail popups */
    R_POPUP_BORDER,
    R_MATCH,         /* fuzzy-match highlights */
    R_SCROLLBAR,
    R_COUNT
} ui_role;

/* The role's name in theme files ("border_focus"), or NULL. */
const char *ui_role_name(ui_role r);

/* Loads themes/<name>.json (searched in dirs, a NULL-terminated list) and
 * applies it. Returns 0, or -1 with *err (the previous theme stays). */
int ui_theme_load(const char *const *dirs, const char *name, char **err);
/* The name of the theme in use. */
const char *ui_theme_name(void);
/* The theme names found in dirs (sorted, caller frees with strvec_free-like
 * loop: each string and the array). */
char **ui_theme_list(const char *const *dirs, int *n);

/* ======================= screen ======================= */

/* Starts the full-screen terminal (UTF-8 locale expected). */
int ui_screen_start(char **err);
void ui_screen_stop(void);
void ui_screen_size(int *rows, int *cols);
/* How many colors the terminal shows (0 with NO_COLOR). */
int ui_screen_colors(void);
/* Sends what the canvases drew to the terminal, once per frame. */
void ui_screen_flush(void);
/* Where the terminal cursor shows after the next flush (row < 0: hidden);
 * screen coordinates. */
void ui_screen_cursor(int row, int col);

/* Puts text on the terminal's clipboard (OSC 52; terminals that do not
 * support it ignore it). */
void ui_clipboard_set(const char *text, size_t n);

/* ======================= events ======================= */

typedef enum ui_ev_kind { EV_NONE, EV_KEY, EV_MOUSE, EV_RESIZE } ui_ev_kind;
typedef enum ui_mouse_kind { M_PRESS, M_RELEASE, M_DRAG, M_WHEEL_UP, M_WHEEL_DOWN } ui_mouse_kind;

typedef struct ui_event {
    ui_ev_kind kind;
    char key[16];    /* keys: "a", "é", "Enter", "C-s", "M-1", "F5", "Up", "S-Up", ... */
    int ch;          /* the character for printable keys, else 0 */
    ui_mouse_kind mouse;
    int button;      /* 0 left, 1 middle, 2 right */
    bool shift;      /* mouse with Shift held */
    int row, col;    /* mouse position (screen) */
} ui_event;

/* The input file descriptor, for poll(). */
int ui_input_fd(void);
/* Reads the next event if one is ready (false when none). */
bool ui_next_event(ui_event *ev);

/* ======================= canvases ======================= */

typedef struct ui_rect {
    int row, col, rows, cols;
} ui_rect;

bool ui_rect_has(ui_rect r, int row, int col);

/* A rectangle of the screen to draw in; coordinates are relative to it and
 * everything is clipped to it. */
typedef struct ui_canvas ui_canvas;

ui_canvas *ui_canvas_new(ui_rect r);
void ui_canvas_free(ui_canvas *c);
ui_rect ui_canvas_rect(const ui_canvas *c);
/* Fills with spaces in role. */
void ui_clear(ui_canvas *c, ui_role role);
void ui_fill(ui_canvas *c, ui_rect r, ui_role role);

enum { UI_BOLD = 1, UI_REVERSE = 2, UI_UNDERLINE = 4, UI_DIM = 8 };

/* Draws UTF-8 text at row/col, at most maxw display columns (-1: to the
 * edge); with ellipsis a text that does not fit ends in "…". Returns the
 * display columns used. */
int ui_text(ui_canvas *c, int row, int col, int maxw, const char *s, ui_role role, int attrs,
            bool ellipsis);
/* Same for n bytes of s. */
int ui_textn(ui_canvas *c, int row, int col, int maxw, const char *s, size_t n, ui_role role,
             int attrs, bool ellipsis);
/* Draws one character cell in any colors (a terminal emulator's cells):
 * utf8_char is the character with its combining marks (NULL or "": a
 * space), a wide one taking col and col + 1; fg and bg are xterm color
 * indices 0-255 (the nearest the terminal has is used) or -1 for the
 * default, the theme's normal text colors; attrs are UI_*. Without colors
 * (NO_COLOR) only attrs apply. */
void ui_cell(ui_canvas *c, int row, int col, const char *utf8_char, int fg, int bg, int attrs);
/* Display columns of UTF-8 text (tabs count 1, control characters 1). */
int ui_width(const char *s, size_t n);
/* A box-drawing border around the canvas with a title on its top edge. */
void ui_border(ui_canvas *c, const char *title, bool focused);
/* Horizontal and vertical lines. */
void ui_hline(ui_canvas *c, int row, int col, int len, ui_role role);
void ui_vline(ui_canvas *c, int row, int col, int len, ui_role role);
/* A vertical scrollbar in column col for a view of total rows, first
 * shown at top, shown rows visible. */
void ui_scrollbar(ui_canvas *c, int col, int row, int len, int64_t total, int64_t top,
                  int64_t visible);
/* Marks the canvas to be sent at the next ui_screen_flush. */
void ui_canvas_show(ui_canvas *c);

/* ======================= widgets ======================= */

/* A list's selection and scrolling (the view draws the rows). */
typedef struct ui_list {
    int n;           /* items */
    int sel;         /* selected item */
    int top;         /* first item shown */
} ui_list;

/* Moves the selection for Up/Down/PgUp/PgDn/Home/End (and k/j/g/G); returns
 * true when the key was one of those. rows: how many items show. */
bool ui_list_key(ui_list *l, const ui_event *e, int rows);
/* Click selects (returns the item, or -1), wheel scrolls. row: relative to
 * the first item's row. */
int ui_list_mouse(ui_list *l, const ui_event *e, int row, int rows);
/* Keeps the selection within the items and in view. */
void ui_list_fit(ui_list *l, int rows);

#endif
