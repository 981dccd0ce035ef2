/*
 * tuifx.h - the fixture of the screen tests: a fresh copy of the demo
 * project and a settings folder of its own for each test, tarn started on it
 * in the headless terminal (tui.h), and waits that fail the test with the
 * screen dumped. Include after <cmocka.h>.
 */
#ifndef TARN_TUIFX_H
#define TARN_TUIFX_H

#include "tui.h"

typedef struct tfx {
    char *dir;     /* temp folder */
    char *demo;    /* dir/demo: a copy of assets/demo */
    char *env_cfg; /* XDG_CONFIG_HOME=dir/cfg */
    tui *t;
} tfx;

/* cmocka setup/teardown: the state is a tfx. */
int tfx_setup(void **state);
int tfx_teardown(void **state);

/* Starts `tarn -C demo ui` at rows x cols with one extra "K=V" in its
 * environment (or NULL); the fixture closes it. */
tui *tfx_start(tfx *f, int rows, int cols, const char *extra_env);
/* Waits for the first frame to be complete (the status bar is drawn last). */
void tfx_ready(tui *t);
/* The text of the row holding needle, or NULL (caller frees). */
char *tfx_row_with(tui *t, const char *needle);
/* Fails the test (with the screen dumped) unless text shows within ms. */
void tfx_see(tui *t, const char *text, int ms, const char *file, int line);

#define TFX_SEE(t, text) tfx_see((t), (text), 8000, __FILE__, __LINE__)

/* Fails the test (with the screen dumped) unless text leaves the screen
 * within 8 s. */
void tfx_gone(tui *t, const char *text, const char *file, int line);
/* The row and column of text on the screen, waiting up to 5 s (a frame may
 * be read in parts); fails the test without it. */
void tfx_find(tui *t, const char *text, int *row, int *col, const char *file, int line);
/* A prompt: waits for its title, clears what it offered (C-u), types text,
 * Enter, and waits for the title to leave the screen. */
void tfx_answer(tui *t, const char *title, const char *text, const char *file, int line);

#define TFX_GONE(t, text) tfx_gone((t), (text), __FILE__, __LINE__)
#define TFX_FIND(t, text, row, col) tfx_find((t), (text), (row), (col), __FILE__, __LINE__)
#define TFX_ANSWER(t, title, text) tfx_answer((t), (title), (text), __FILE__, __LINE__)

#endif
