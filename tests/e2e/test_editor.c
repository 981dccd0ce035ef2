/*
 * test_editor.c - the code editor tested as a person uses it: tarn runs in a
 * pseudo-terminal (tests/support/tui.h) on a fresh copy of the demo project,
 * keys and mouse go in, and the screen is read back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "testsupport.h"
#include "tuifx.h"

#define ROWS 34
#define COLS 120
#define SEE TFX_SEE
#define GOLD "transformations/03_gold.sql"

static tui *start(tfx *f)
{
    tui *t = tfx_start(f, ROWS, COLS, NULL);
    tfx_ready(t);
    return t;
}

/* Waits until text is no longer on the screen. */
static void gone(tui *t, const char *text)
{
    for (int i = 0; i < 160 && tui_find(t, text, NULL, NULL); i++) tui_pump(t, 50);
    if (tui_find(t, text, NULL, NULL)) {
        tui_dump(t);
        fail_msg("'%s' stayed on the screen", text);
    }
}

/* Opens a file through the palette's fuzzy finder. */
static void open_file(tui *t, const char *name)
{
    tui_key(t, "C-p");
    SEE(t, "Commands");
    tui_send(t, name);
    SEE(t, name);
    tui_key(t, "Enter");
    SEE(t, " Ln 1, Col 1 ");
}

static char *read_project_file(tfx *f, const char *rel)
{
    char *path = ts_path(f->demo, rel);
    char *text = fs_read(path, NULL, NULL);
    free(path);
    return text;
}

/* The walk: type a new materialized view with a typo, see the error
 * underlined and listed, fix it with completion, save, preview it, refresh
 * it, undo back to the original bytes. */
static void test_typo_fix_save_preview_refresh_undo(void **state)
{
    tfx *f = *state;
    char *original = read_project_file(f, GOLD);
    assert_non_null(original);
    tui *t = start(f);
    tui_key(t, "F5"); /* the upstream tables, for the refresh at the end */
    SEE(t, "COMPLETED  7/7 flows");
    open_file(t, "03_gold");
    SEE(t, "CREATE OR REFRESH MATERIALIZED VIEW daily_revenue");
    tui_key(t, "C-End");
    tui_send(t, "\r\rCREATE MATERIALIZED VIEW big_days AS\r"
                "SELECT order_date, revenue FROM daily_revnue WHERE revenue > 20;");
    SEE(t, "FROM daily_revnue WHERE");
    SEE(t, "03_gold.sql •"); /* unsaved */
    /* a pause in typing: the dry run of what is typed finds the typo */
    SEE(t, "Ln 21: unknown table or dataset 'daily_revnue'"); /* the status bar */
    tui_key(t, "M-8");
    SEE(t, "error transformations/03_gold.sql:21:33 unknown table or dataset 'daily_revnue'");
    tui_key(t, "M-1");
    int row, col;
    assert_true(tui_find(t, "daily_revnue WHERE", &row, &col));
    assert_true(tui_cell_at(t, row, col).underline);
    assert_true(tui_cell_at(t, row, col + 5).underline);
    assert_false(tui_cell_at(t, row, col - 6).underline); /* "FROM" is fine */
    /* fix it: double-click the word, type the start of the right name, complete */
    tui_mouse(t, 0, row, col + 3, true);
    tui_mouse(t, 0, row, col + 3, false);
    tui_mouse(t, 0, row, col + 3, true);
    tui_mouse(t, 0, row, col + 3, false);
    tui_pump(t, 100);
    tui_send(t, "daily_r");
    SEE(t, "FROM daily_r WHERE");
    tui_key(t, "C-Space");
    SEE(t, "daily_revenue  materialized view");
    tui_key(t, "Enter");
    SEE(t, "FROM daily_revenue WHERE");
    tui_key(t, "C-s");
    SEE(t, "Saved " GOLD);
    gone(t, "daily_revnue");
    char *saved = read_project_file(f, GOLD);
    assert_non_null(strstr(saved, "SELECT order_date, revenue FROM daily_revenue WHERE"));
    free(saved);
    /* preview the statement under the cursor: rows in the grid, nothing stored */
    tui_key(t, "F8");
    SEE(t, "Preview of big_days");
    SEE(t, "order_date");
    SEE(t, "2024-03-01");
    /* refresh just this dataset */
    tui_key(t, "M-1");
    tui_key(t, "F9");
    SEE(t, "update #2 COMPLETED");
    char *line = tfx_row_with(t, "big_days");
    assert_non_null(line);
    free(line);
    /* undo everything, save: the original bytes */
    for (int i = 0; i < 30; i++) tui_key(t, "C-z");
    SEE(t, "Nothing to undo");
    tui_key(t, "C-s");
    SEE(t, "Saved " GOLD);
    char *back = read_project_file(f, GOLD);
    assert_string_equal(back, original);
    free(back);
    free(original);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_typo_fix_save_preview_refresh_undo, tfx_setup,
                                        tfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
