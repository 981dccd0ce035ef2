/*
 * tui.h - a headless terminal for testing full-screen programs.
 *
 * tui_start() runs a program in a pseudo-terminal of a given size; whatever
 * it writes is rendered by libvterm into a screen of cells that a test reads
 * back (text, colors, attributes, cursor). Keys and xterm SGR mouse events go
 * to the program as the bytes an xterm would send. Test code only: failures
 * print to stderr, nothing aborts.
 *
 * Rows and columns are 0-based everywhere in this API (the mouse sequences
 * written to the program are 1-based, as xterm's are).
 *
 * Typical use:
 *     char *argv[] = {TARN_BIN, "tui", NULL};
 *     tui *t = tui_start(argv, NULL, dir, 24, 80);
 *     assert_true(tui_wait_text(t, "Pipelines", 5000));
 *     tui_key(t, "Down");
 *     tui_key(t, "Enter");
 *     if (!tui_wait_text(t, "orders", 2000)) { tui_dump(t); fail(); }
 *     assert_int_equal(tui_close(t), 0);
 *
 * Output is only read inside the calls that wait or pump (tui_pump,
 * tui_wait_*, tui_resize, tui_close; the input calls too while the pty's
 * input is full), so the screen that tui_row, tui_cell_at, tui_find,
 * tui_cursor... read is the one as of the last such call: wait for the last
 * thing a program draws before asserting on the rest. Input is written at
 * once.
 */
#ifndef TARN_TUI_H
#define TARN_TUI_H

#include <stdbool.h>

typedef struct tui tui;

/* The RGB reported for cells in the default colors (xterm's usual light
 * grey on black); tui_cell's fg_default/bg_default tell them apart from a
 * program's own choice of the same RGB. */
#define TUI_DEFAULT_FG 0xE5E5E5u
#define TUI_DEFAULT_BG 0x000000u

/* Starts argv (argv[0] a path, or a name looked up on the PATH of the
 * program's environment) in a new session whose controlling terminal is a
 * pty of rows x cols, with sane termios (as `stty sane`: canonical mode,
 * echo, ISIG, IXON, ICRNL, OPOST|ONLCR, IUTF8, erase ^?).
 * The environment is this process's, less TERM, COLUMNS, LINES, COLORTERM,
 * NO_COLOR, LANG, LANGUAGE and LC_*, plus TERM=xterm-256color and
 * LC_ALL=C.UTF-8 (only when env sets none of LC_ALL, LC_CTYPE, LANG), then
 * env's "K=V" entries (NULL-terminated list, may be NULL; they replace
 * variables of the same name). The program runs in folder cwd (NULL: this
 * one); all file descriptors but 0-2 are closed and signal dispositions and
 * mask are reset. Returns NULL with a message on stderr when the pty cannot
 * be made, cwd cannot be entered or the program cannot be executed. */
tui *tui_start(char *const argv[], const char *const env[], const char *cwd,
               int rows, int cols);

/* Reads whatever the program writes in the next ms milliseconds (0: only
 * what is available now) and feeds it to the screen. Answers the terminal
 * queries the program makes (cursor position, device attributes). Returns at
 * once when the program can write no more (every holder of the pty closed
 * it). */
void tui_pump(tui *t, int ms);

/* Waits up to ms milliseconds until text (UTF-8, within one row) is on the
 * screen; returns true when it is. Returns false early when the program can
 * write no more and the text is not there. */
bool tui_wait_text(tui *t, const char *text, int ms);
/* Same, for text starting at row/col. */
bool tui_wait_text_at(tui *t, const char *text, int row, int col, int ms);

/* Milliseconds from this call until the screen's content changes (any
 * cell's text, width, attributes or colors; cursor moves alone do not
 * count), waiting up to timeout_ms; -1 on timeout. The screen is compared
 * with the one as last read, so output not read before the call counts. For
 * latency benchmarks: let the screen settle (tui_pump), send a key, then
 * call this at once. */
double tui_wait_change(tui *t, int timeout_ms);

/* Waits up to ms milliseconds for the program to exit, reading its output
 * meanwhile; returns its exit status (128+N when killed by signal N), or -1
 * when it is still running. The program is reaped by tui_close. */
int tui_wait_exit(tui *t, int ms);

/* The screen size. */
void tui_size(tui *t, int *rows, int *cols);

/* A row's text in UTF-8, one character per cell with empty cells as spaces
 * (trailing spaces kept: cols cells wide; a wide character stands once for
 * its two cells). NULL when row is out of range. Caller frees. */
char *tui_row(tui *t, int row);
/* All rows joined with '\n' (no '\n' after the last). Caller frees. */
char *tui_screen(tui *t);

typedef struct tui_cell {
    char text[32];     /* UTF-8: the character and its combining marks; " " when
                        * empty; "" on the right half of a wide character */
    int width;         /* 1, 2 for a wide character, 0 for its right half */
    unsigned fg, bg;   /* 0xRRGGBB, palette indices mapped with xterm's palette */
    int fg_index, bg_index; /* palette index 0..255, or -1 (default or direct RGB) */
    bool fg_default, bg_default;
    bool bold, underline, reverse, italic, blink, strike;
} tui_cell;

/* The cell at row/col; a zero cell (width 0, text "") when out of range.
 * Colors are as the program set them: reverse is reported, not applied, and
 * bold does not brighten colors 0-7. */
tui_cell tui_cell_at(tui *t, int row, int col);

/* Finds text (within one row) on the screen: true and the row/col of its
 * first character (first occurrence, row-major). row/col may be NULL. */
bool tui_find(tui *t, const char *text, int *row, int *col);

/* The cursor position, and whether the program shows the cursor. */
void tui_cursor(tui *t, int *row, int *col);
bool tui_cursor_visible(tui *t);

/* Input. tui_send writes raw bytes. */
void tui_send(tui *t, const char *bytes);
/* Sends a key as xterm would, honoring the modes the program set (e.g. Up is
 * ESC [ A, or ESC O A after the program sent ESC [ ? 1 h, as ncurses'
 * keypad() does). name is one of
 *   Enter Tab Esc Backspace Space Up Down Left Right Home End PgUp PgDn
 *   Ins Del F1..F12, or a single (UTF-8) character,
 * optionally prefixed by modifiers "C-" (Ctrl), "M-" (Alt: ESC before the
 * key) and "S-" (Shift), e.g. "C-a", "M-1", "S-Tab", "C-Up".
 * Ctrl with a character sends its control code (C-a 0x01, C-i 0x09, C-m 0x0d,
 * C-[ 0x1b, C-@ / C-Space 0x00, C-? 0x7f). Returns false (message on
 * stderr, nothing sent) for an unknown name. */
bool tui_key(tui *t, const char *name);
/* Mouse, xterm SGR encoding (ESC [ < b ; x ; y M on press, m on release,
 * x/y 1-based), written whether or not the program enabled mouse reporting.
 * button: 0 left, 1 middle, 2 right; row/col 0-based. */
void tui_mouse(tui *t, int button, int row, int col, bool press);
/* Press at row0/col0, motion events (button + 32) on each cell along a
 * straight line to row1/col1, release there. */
void tui_drag(tui *t, int button, int row0, int col0, int row1, int col1);
/* |delta| wheel events at row/col: up (button 64) when delta < 0, down (65)
 * when delta > 0. */
void tui_wheel(tui *t, int row, int col, int delta);

/* Reads pending output, then resizes the pty (the program gets SIGWINCH and
 * the new size) and the screen. */
void tui_resize(tui *t, int rows, int cols);

/* Ends the program if it still runs (SIGTERM to its process group, SIGKILL
 * after 2 s), kills what is left in its process group, reaps it, frees
 * everything. Returns its exit status (128+N when killed by signal N), or -1
 * when t is NULL. */
int tui_close(tui *t);

/* Writes the screen with row numbers and the cursor position to stderr, for
 * failing tests. */
void tui_dump(tui *t);

#endif
