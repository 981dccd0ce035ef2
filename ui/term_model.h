/*
 * term_model.h - the Terminal panel's model, with no curses in it: a shell on
 * a pseudo-terminal (forkpty, TERM=xterm-256color), its output interpreted by
 * libvterm into a screen of cells, a ring of the lines that scrolled off the
 * top (scrollback), keys named as tk.h names them ("C-a", "Up", "F5", "é")
 * turned into the bytes a terminal sends, and the shell's exit noticed and
 * written on the screen ("[shell exited with status N — press Enter to start
 * a new one]"; Enter then starts a new shell).
 *
 * Ownership: the model owns the shell process and the pty; tm_free hangs the
 * shell up, kills it if it lingers, and reaps it.
 * Threads: one thread (the UI thread) at a time.
 */
#ifndef TARN_TERM_MODEL_H
#define TARN_TERM_MODEL_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tm_term tm_term;

typedef enum tm_state {
    TM_IDLE,     /* no shell started yet */
    TM_RUNNING,
    TM_EXITED    /* the shell ended (or could not be started) */
} tm_state;

/* Attributes of a cell. */
enum { TM_BOLD = 1, TM_UNDERLINE = 2, TM_REVERSE = 4, TM_ITALIC = 8, TM_STRIKE = 16,
       TM_BLINK = 32 };

/* One cell of what the panel shows. */
typedef struct tm_cell {
    char text[32];   /* UTF-8: the character and its combining marks; "" when blank */
    int width;       /* 1; 2 for a wide character; 0 for the right half of one */
    int fg, bg;      /* xterm color index 0-255, or -1 for the default */
    int attrs;       /* TM_* */
} tm_cell;

/* A terminal of rows x cols (at least 1 x 1) keeping up to scrollback lines
 * that scrolled off (0: the default, 1000). No shell runs yet. */
tm_term *tm_new(int rows, int cols, int scrollback);
/* Hangs up and reaps the shell, closes the pty, frees everything. */
void tm_free(tm_term *t);

/* Starts shell (NULL: $SHELL, else /bin/sh) in folder dir (NULL: the current
 * one) on a new pty of the terminal's size. Does nothing when a shell runs.
 * Returns 0, or -1 with *err (caller frees; the reason is also written on
 * the screen and the state becomes TM_EXITED). A shell that cannot be run
 * (exec fails) shows up as an exit with status 127. */
int tm_start(tm_term *t, const char *dir, const char *shell, char **err);
/* Starts the same shell in the same folder again (after an exit). */
int tm_restart(tm_term *t, char **err);

tm_state tm_get_state(const tm_term *t);
/* The exit status of the last shell (128 + N when killed by signal N; -1
 * when unknown). Meaningful in TM_EXITED. */
int tm_exit_status(const tm_term *t);
/* The shell's process id (-1 when none runs). */
int tm_pid(const tm_term *t);
/* The pty master for poll() (-1 when no shell runs). */
int tm_fd(const tm_term *t);

/* Reads everything the shell wrote so far (without blocking, at most a few
 * hundred KB per call so a flood cannot starve the UI) and interprets it.
 * Returns the bytes read; 0 when there was nothing; -1 when the shell hung
 * up (its exit is then noticed and shown). */
long tm_read(tm_term *t);
/* Notices a shell that exited without hanging up the pty (a background job
 * keeps it open) and sends queued input. Returns true when the state changed. */
bool tm_poll(tm_term *t);

/* Sends bytes to the shell as typed. */
void tm_write(tm_term *t, const char *s, size_t n);
/* Sends the key named as tk.h names keys ("a", "é", "Enter", "C-c", "M-x",
 * "S-Tab", "C-Up", "F5", ...), honoring the modes the running program set
 * (application cursor keys and the like), and scrolls back to the bottom.
 * After an exit, Enter starts a new shell and other keys are dropped.
 * Returns false for names it does not know. */
bool tm_key(tm_term *t, const char *name);

/* Resizes the screen and the pty (the shell gets SIGWINCH); no-op when the
 * size is the same. */
void tm_resize(tm_term *t, int rows, int cols);
void tm_size(const tm_term *t, int *rows, int *cols);

/* Lines held in the scrollback. */
int tm_scrollback(const tm_term *t);
/* Scrolls the view delta lines up (negative: down), kept within the
 * scrollback; tm_scrolled is how many lines up the view is (0: live). */
void tm_scroll(tm_term *t, int delta);
int tm_scrolled(const tm_term *t);

/* The cell the view shows at row, col (scrolled back by tm_scrolled lines);
 * outside the screen, or past the end of a scrollback line, a blank. */
void tm_cell_at(const tm_term *t, int row, int col, tm_cell *out);
/* Where the shell's cursor is on the view, false when it is not shown (the
 * program hid it, the view is scrolled back, no shell runs). */
bool tm_cursor(const tm_term *t, int *row, int *col);
/* The title the running program set (OSC 0/2), "" when none. */
const char *tm_title(const tm_term *t);
/* What the view shows as text: a line per row, trailing blanks trimmed
 * (caller frees). */
char *tm_text(const tm_term *t);

#endif
