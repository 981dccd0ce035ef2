/*
 * tk_screen.c - the terminal screen and its input (see tk.h): curses in raw
 * mode (Ctrl-C, Ctrl-S, Ctrl-Q and Ctrl-Z reach the program as keys), the
 * mouse with button-event tracking in SGR encoding (clicks, drags, wheel),
 * and keys named as the action table names them ("C-s", "M-1", "F5", ...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tk_int.h"

static bool started;
static int colors;

int ui_screen_start(char **err)
{
    if (!newterm(NULL, stdout, stdin)) {
        if (err) *err = strdup("cannot open the terminal (is TERM set?)");
        return -1;
    }
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    /* The mouse: button-event tracking (clicks, drags, wheel) in SGR encoding,
     * decoded here rather than by curses, which drops a press that arrives in
     * the same read as the motion after it (a quick drag). */
    keyok(KEY_MOUSE, FALSE);
    printf("\033[?1002h\033[?1006h");
    fflush(stdout);
    colors = 0;
    if (!getenv("NO_COLOR") && has_colors()) {
        start_color();
        use_default_colors();
        colors = COLORS;
    }
    tk_theme_apply();
    refresh(); /* stdscr is never drawn on: input reads it without redraws */
    started = true;
    return 0;
}

void ui_screen_stop(void)
{
    if (!started) return;
    printf("\033[?1002l\033[?1006l");
    fflush(stdout);
    endwin();
    started = false;
}

void ui_screen_size(int *rows, int *cols)
{
    *rows = LINES;
    *cols = COLS;
}

int ui_screen_colors(void)
{
    return colors;
}

static int cursor_row = -1, cursor_col;

void ui_screen_flush(void)
{
    if (cursor_row >= 0) {
        setsyx(cursor_row, cursor_col);
        curs_set(1);
    } else {
        curs_set(0);
    }
    doupdate();
}

void ui_screen_cursor(int row, int col)
{
    cursor_row = row;
    cursor_col = col;
}

void ui_clipboard_set(const char *text, size_t n)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    fputs("\033]52;c;", stdout);
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)text[i] << 16;
        if (i + 1 < n) v |= (unsigned char)text[i + 1] << 8;
        if (i + 2 < n) v |= (unsigned char)text[i + 2];
        char out[4] = {b64[(v >> 18) & 63], b64[(v >> 12) & 63],
                       i + 1 < n ? b64[(v >> 6) & 63] : '=', i + 2 < n ? b64[v & 63] : '='};
        fwrite(out, 1, 4, stdout);
    }
    fputs("\007", stdout);
    fflush(stdout);
}

int ui_input_fd(void)
{
    return 0;
}

/* ======================= keys ======================= */

static const struct {
    int code;
    const char *name;
} keynames[] = {
    {KEY_UP, "Up"}, {KEY_DOWN, "Down"}, {KEY_LEFT, "Left"}, {KEY_RIGHT, "Right"},
    {KEY_SR, "S-Up"}, {KEY_SF, "S-Down"}, {KEY_SLEFT, "S-Left"}, {KEY_SRIGHT, "S-Right"},
    {KEY_HOME, "Home"}, {KEY_END, "End"}, {KEY_SHOME, "S-Home"}, {KEY_SEND, "S-End"},
    {KEY_PPAGE, "PgUp"}, {KEY_NPAGE, "PgDn"}, {KEY_SPREVIOUS, "S-PgUp"},
    {KEY_SNEXT, "S-PgDn"}, {KEY_DC, "Del"}, {KEY_IC, "Ins"}, {KEY_BACKSPACE, "Backspace"},
    {KEY_BTAB, "S-Tab"}, {KEY_ENTER, "Enter"},
};

static void name_code(int code, ui_event *ev)
{
    for (size_t i = 0; i < sizeof keynames / sizeof keynames[0]; i++)
        if (keynames[i].code == code) {
            snprintf(ev->key, sizeof ev->key, "%s", keynames[i].name);
            return;
        }
    if (code >= KEY_F(1) && code <= KEY_F(12)) {
        snprintf(ev->key, sizeof ev->key, "F%d", code - KEY_F(0));
        return;
    }
    if (code >= KEY_F(13) && code <= KEY_F(24)) { /* terminfo's shifted F1..F12 */
        snprintf(ev->key, sizeof ev->key, "S-F%d", code - KEY_F(12));
        return;
    }
    /* ncurses' extended names (kUP5 = C-Up, kRIT3 = M-Right, ...) */
    const char *n = keyname(code);
    if (n && n[0] == 'k' && strlen(n) >= 4) {
        char base[8] = {0};
        int mod = n[strlen(n) - 1] - '0';
        snprintf(base, sizeof base, "%.*s", (int)strlen(n) - 2, n + 1);
        const char *dir = !strcmp(base, "UP") ? "Up" : !strcmp(base, "DN") ? "Down"
                          : !strcmp(base, "LFT") ? "Left" : !strcmp(base, "RIT") ? "Right"
                          : !strcmp(base, "HOM") ? "Home" : !strcmp(base, "END") ? "End"
                          : !strcmp(base, "NXT") ? "PgDn" : !strcmp(base, "PRV") ? "PgUp"
                          : !strcmp(base, "DC") ? "Del" : NULL;
        const char *m = mod == 5 ? "C-" : mod == 3 ? "M-" : mod == 2 ? "S-" : mod == 6 ? "C-S-"
                        : NULL;
        if (dir && m) {
            snprintf(ev->key, sizeof ev->key, "%s%s", m, dir);
            return;
        }
    }
    snprintf(ev->key, sizeof ev->key, "key%d", code);
}

/* A character: control keys named C-x, printable ones as UTF-8. */
static void name_char(wint_t wc, ui_event *ev, bool alt)
{
    const char *prefix = alt ? "M-" : "";
    if (wc == '\t') snprintf(ev->key, sizeof ev->key, "%sTab", prefix);
    else if (wc == '\r' || wc == '\n') snprintf(ev->key, sizeof ev->key, "%sEnter", prefix);
    else if (wc == 127 || wc == 8) snprintf(ev->key, sizeof ev->key, "%sBackspace", prefix);
    else if (wc == 0) snprintf(ev->key, sizeof ev->key, "C-Space");
    else if (wc < 27) snprintf(ev->key, sizeof ev->key, "%sC-%c", prefix, 'a' + (int)wc - 1);
    else if (wc >= 28 && wc < 32)
        snprintf(ev->key, sizeof ev->key, "%sC-%c", prefix, "\\]^_"[wc - 28]);
    else {
        char mb[8] = {0};
        mbstate_t st = {0};
        size_t n = wcrtomb(mb, (wchar_t)wc, &st);
        if (n == (size_t)-1) n = 0;
        mb[n] = 0;
        snprintf(ev->key, sizeof ev->key, "%s%s", prefix, mb);
        if (!alt) ev->ch = (int)wc;
    }
}

/* The rest of an SGR mouse report after ESC [ <: "b;x;yM" (press, motion)
 * or "b;x;ym" (release). */
static bool read_sgr_mouse(ui_event *ev)
{
    int num[3] = {0, 0, 0}, k = 0;
    for (int guard = 0; guard < 32; guard++) {
        wint_t wc;
        if (wget_wch(stdscr, &wc) != OK) return false;
        if (wc >= '0' && wc <= '9') {
            num[k] = num[k] * 10 + (int)(wc - '0');
        } else if (wc == ';' && k < 2) {
            k++;
        } else if ((wc == 'M' || wc == 'm') && k == 2) {
            int b = num[0];
            ev->kind = EV_MOUSE;
            ev->col = num[1] - 1;
            ev->row = num[2] - 1;
            ev->shift = (b & 4) != 0;
            ev->button = b & 3;
            if (b & 64) ev->mouse = (b & 1) ? M_WHEEL_DOWN : M_WHEEL_UP;
            else if (b & 32) ev->mouse = M_DRAG;
            else ev->mouse = wc == 'm' ? M_RELEASE : M_PRESS;
            if (ev->button == 3) ev->button = 0; /* X10-style release: no button */
            return true;
        } else {
            return false;
        }
    }
    return false;
}

bool ui_next_event(ui_event *ev)
{
    memset(ev, 0, sizeof(*ev));
    wint_t wc;
    int rc = wget_wch(stdscr, &wc);
    if (rc == ERR) return false;
    if (rc == KEY_CODE_YES) {
        if (wc == KEY_RESIZE) {
            ev->kind = EV_RESIZE;
            return true;
        }
        ev->kind = EV_KEY;
        name_code((int)wc, ev);
        return true;
    }
    ev->kind = EV_KEY;
    if (wc == 27) { /* Esc alone, Alt with the next key, or a mouse report */
        wint_t next;
        timeout(25);
        int r2 = wget_wch(stdscr, &next);
        if (r2 == OK && next == '[') {
            wint_t third;
            if (wget_wch(stdscr, &third) == OK) {
                if (third == '<') {
                    bool mouse = read_sgr_mouse(ev);
                    nodelay(stdscr, TRUE);
                    if (mouse) return true;
                    return ui_next_event(ev); /* a garbled report: skip it */
                }
                unget_wch((wchar_t)third);
            }
        }
        nodelay(stdscr, TRUE);
        if (r2 == OK && next != 27) {
            name_char(next, ev, true);
            return true;
        }
        if (r2 == KEY_CODE_YES) {
            name_code((int)next, ev);
            char alt[sizeof ev->key + 2];
            snprintf(alt, sizeof alt, "M-%s", ev->key);
            memcpy(ev->key, alt, sizeof ev->key - 1);
            ev->key[sizeof ev->key - 1] = 0;
            return true;
        }
        snprintf(ev->key, sizeof ev->key, "Esc");
        return true;
    }
    name_char(wc, ev, false);
    return true;
}
