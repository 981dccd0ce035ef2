/*
 * tuifx.c - the screen tests' fixture (see tuifx.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsupport.h"
#include "tuifx.h"

int tfx_setup(void **state)
{
    tfx *f = calloc(1, sizeof(*f));
    f->dir = ts_mkdtemp();
    f->demo = ts_path(f->dir, "demo");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp -r '%s/assets/demo' '%s' && rm -rf '%s/.tarn'",
             TARN_SOURCE_DIR, f->demo, f->demo);
    if (system(cmd) != 0) return -1;
    char *cfg = ts_path(f->dir, "cfg");
    f->env_cfg = malloc(strlen(cfg) + 32);
    sprintf(f->env_cfg, "XDG_CONFIG_HOME=%s", cfg);
    free(cfg);
    *state = f;
    return 0;
}

int tfx_teardown(void **state)
{
    tfx *f = *state;
    if (f->t) tui_close(f->t);
    ts_rmtree(f->dir);
    free(f->dir);
    free(f->demo);
    free(f->env_cfg);
    free(f);
    return 0;
}

tui *tfx_start(tfx *f, int rows, int cols, const char *extra_env)
{
    char *argv[] = {(char *)TARN_BIN, "-C", f->demo, "ui", NULL};
    const char *env[] = {f->env_cfg, extra_env, NULL};
    f->t = tui_start(argv, env, NULL, rows, cols);
    assert_non_null(f->t);
    return f->t;
}

void tfx_see(tui *t, const char *text, int ms, const char *file, int line)
{
    if (!tui_wait_text(t, text, ms)) {
        tui_dump(t);
        fail_msg("%s:%d: '%s' never showed on the screen", file, line, text);
    }
}

void tfx_gone(tui *t, const char *text, const char *file, int line)
{
    for (int i = 0; i < 160 && tui_find(t, text, NULL, NULL); i++) tui_pump(t, 50);
    if (tui_find(t, text, NULL, NULL)) {
        tui_dump(t);
        fail_msg("%s:%d: '%s' stayed on the screen", file, line, text);
    }
}

void tfx_find(tui *t, const char *text, int *row, int *col, const char *file, int line)
{
    for (int i = 0; i < 100 && !tui_find(t, text, row, col); i++) tui_pump(t, 50);
    if (!tui_find(t, text, row, col)) {
        tui_dump(t);
        fail_msg("%s:%d: '%s' is not on the screen", file, line, text);
    }
}

void tfx_answer(tui *t, const char *title, const char *text, const char *file, int line)
{
    tfx_see(t, title, 8000, file, line);
    tui_key(t, "C-u"); /* whatever the prompt offered */
    tui_send(t, text);
    tui_key(t, "Enter");
    tfx_gone(t, title, file, line);
}

void tfx_ready(tui *t)
{
    if (!tui_wait_text(t, "C-p commands", 8000) || !tui_wait_text(t, "DATASETS", 8000)) {
        tui_dump(t);
        fail_msg("the first frame never completed");
    }
    tui_pump(t, 50);
}

char *tfx_row_with(tui *t, const char *needle)
{
    int row, col;
    return tui_find(t, needle, &row, &col) ? tui_row(t, row) : NULL;
}
