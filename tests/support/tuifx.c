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
