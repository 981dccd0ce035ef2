/*
 * test_tui.c - the full-screen IDE tested as a person uses it: tarn runs in a
 * pseudo-terminal of a fixed size (tests/support/tui.h), keys and mouse go in,
 * and the screen libvterm renders is read back: what a person would see.
 * Each test works on a fresh copy of the demo project and its own settings
 * folder (XDG_CONFIG_HOME).
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

#define ROWS 32
#define COLS 110

static tui *start(tfx *f)
{
    return tfx_start(f, ROWS, COLS, NULL);
}

#define SEE TFX_SEE

/* ======================= opening ======================= */

static void test_opens_the_demo(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    SEE(t, "Explorer");
    tfx_ready(t);
    SEE(t, "customer_changes");
    SEE(t, "1 Editor");
    SEE(t, "9 Terminal");
    SEE(t, "demo_shop");
    SEE(t, "? help");
    SEE(t, "No update yet");
    /* box-drawing borders around the panes */
    tui_cell c = tui_cell_at(t, 0, 0);
    assert_string_equal(c.text, "┌");
    assert_int_equal(tui_close(t), 0);
    f->t = NULL;
}

static void test_every_view(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    tfx_ready(t);
    tui_key(t, "M-2");
    SEE(t, "10 nodes · compact");
    tui_key(t, "M-4");
    SEE(t, "Jobs (schedules");
    tui_key(t, "M-5");
    SEE(t, "Git view");
    tui_key(t, "M-1");
    SEE(t, "No file open");
    tui_key(t, "M-3");
    SEE(t, "Open a dataset");
    tui_key(t, "M-7");
    SEE(t, "No events yet");
    tui_key(t, "M-8");
    SEE(t, "column 'Signed Up' is read as Signed_Up"); /* a note of the dry run */
    tui_key(t, "M-6");
    SEE(t, "No update yet");
    /* the active tab stands out from the others */
    int r1, c1, r2, c2;
    tui_key(t, "M-2");
    SEE(t, "10 nodes · compact");
    assert_true(tui_find(t, "2 Designer", &r1, &c1));
    assert_true(tui_find(t, "4 Jobs", &r2, &c2));
    tui_cell on = tui_cell_at(t, r1, c1), off = tui_cell_at(t, r2, c2);
    assert_true(on.bg != off.bg || on.fg != off.fg || on.reverse != off.reverse);
}

/* ======================= running ======================= */

static void test_run_update(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    tfx_ready(t);
    tui_key(t, "F5");
    SEE(t, "RUNNING");
    SEE(t, "COMPLETED  7/7 flows");
    char *line = tfx_row_with(t, "orders_raw");
    assert_non_null(line);
    free(line);
    line = tfx_row_with(t, "positive_amount: 4 failed");
    assert_non_null(line); /* expectation results on the orders line */
    assert_non_null(strstr(line, "orders"));
    assert_non_null(strstr(line, "COMPLETED"));
    assert_non_null(strstr(line, "dropped"));
    free(line);
    SEE(t, "update #1 COMPLETED");
    /* the explorer shows states and row counts */
    SEE(t, "✓ orders_raw");
    SEE(t, "11 ST");
    /* a second run: nothing new */
    tui_key(t, "F5");
    SEE(t, "Update #2  COMPLETED");
    SEE(t, "UP TO DATE");
}

static void test_events_and_details(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    tfx_ready(t);
    tui_key(t, "F5");
    SEE(t, "COMPLETED  7/7 flows");
    tui_key(t, "M-7");
    SEE(t, "update_progress");
    SEE(t, "flow_progress");
    tui_key(t, "t"); /* only flow_progress */
    SEE(t, "type: flow_progress");
    tui_key(t, "Enter");
    SEE(t, "details");
    SEE(t, "\"flow_progress\"");
    tui_key(t, "Esc");
    SEE(t, "type: flow_progress");
}

/* ======================= the data grid ======================= */

static void test_grid_scrolls_to_the_end(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    tfx_ready(t);
    tui_key(t, "F5");
    SEE(t, "COMPLETED  7/7 flows");
    tui_key(t, "C-p");
    SEE(t, "Commands");
    tui_send(t, "open table orders_raw");
    SEE(t, "Open table: orders_raw");
    tui_key(t, "Enter");
    SEE(t, "order_id");
    SEE(t, "1001");
    tui_key(t, "End");
    SEE(t, "1011");
    tui_key(t, "Home");
    SEE(t, "1001");
}

/* ======================= palette, help ======================= */

static void test_palette_and_help(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    tfx_ready(t);
    tui_key(t, "C-p");
    SEE(t, "Commands");
    tui_send(t, "problems");
    SEE(t, "Problems panel");
    tui_key(t, "Enter");
    SEE(t, "is read as Signed_Up");
    tui_key(t, "F1");
    SEE(t, "Help");
    SEE(t, "Run the pipeline (one update)");
    SEE(t, "Command palette");
    tui_key(t, "Esc");
    tui_pump(t, 200);
    int row, col;
    assert_false(tui_find(t, "Help  (Esc closes)", &row, &col));
}

/* ======================= the terminal ======================= */

static void test_terminal_echo(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    tfx_ready(t);
    tui_key(t, "M-9");
    SEE(t, "C-] leaves the terminal");
    tui_pump(t, 500); /* let the shell print its prompt */
    tui_send(t, "echo hi-$((6*7))\r");
    SEE(t, "hi-42");
    tui_key(t, "C-]");
    tui_key(t, "M-6");
    SEE(t, "No update yet");
}

/* ======================= resizing, mouse, layout ======================= */

static void test_resize_to_any_size(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    tfx_ready(t);
    int sizes[][2] = {{6, 20}, {10, 30}, {8, 120}, {40, 50}, {6, 20}, {ROWS, COLS}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        tui_resize(t, sizes[i][0], sizes[i][1]);
        tui_pump(t, 150);
        assert_int_equal(tui_wait_exit(t, 0), -1); /* still running */
    }
    SEE(t, "Explorer");
    tfx_ready(t);
}

static void test_mouse_tabs_and_border_drag(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    tfx_ready(t);
    int row, col;
    assert_true(tui_find(t, "7 Events", &row, &col));
    tui_mouse(t, 0, row, col + 1, true);
    tui_mouse(t, 0, row, col + 1, false);
    SEE(t, "No events yet");
    /* the explorer's right border: drag it 12 columns to the right */
    assert_true(tui_find(t, "┐┌", &row, &col));
    int border = col;
    tui_drag(t, 0, 5, border, 5, border + 12);
    tui_pump(t, 300);
    assert_true(tui_find(t, "┐┌", &row, &col));
    assert_int_equal(col, border + 12);
    /* the layout is there again at the next start */
    assert_int_equal(tui_close(t), 0);
    t = start(f);
    tfx_ready(t);
    assert_true(tui_find(t, "┐┌", &row, &col));
    assert_int_equal(col, border + 12);
}

static void test_quit(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    tfx_ready(t);
    tui_key(t, "C-q");
    assert_int_equal(tui_wait_exit(t, 5000), 0);
}

/* ======================= colors and themes ======================= */

static void test_no_color_is_readable(void **state)
{
    tfx *f = *state;
    tui *t = tfx_start(f, ROWS, COLS, "NO_COLOR=1");
    tfx_ready(t);
    int row, col;
    assert_true(tui_find(t, " demo_shop", &row, &col));
    /* no colors anywhere, the status bar in reverse video */
    tui_cell c = tui_cell_at(t, row, col + 1);
    assert_true(c.fg_default && c.bg_default);
    assert_true(c.reverse);
}

static void test_theme_from_palette(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    tfx_ready(t);
    int row, col;
    assert_true(tui_find(t, "DATASETS", &row, &col));
    unsigned before = tui_cell_at(t, row + 3, col + 5).bg;
    tui_key(t, "C-p");
    SEE(t, "Commands");
    tui_send(t, "theme light");
    SEE(t, "Theme: light");
    tui_key(t, "Enter");
    SEE(t, "Theme: light"); /* said in the status bar */
    tui_pump(t, 200);
    unsigned after = tui_cell_at(t, row + 3, col + 5).bg;
    assert_int_not_equal(before, after);
    char *cfg = ts_path(f->dir, "cfg/tarn/config.json");
    FILE *fp = fopen(cfg, "r");
    assert_non_null(fp);
    char buf[512] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    assert_true(n > 0);
    assert_non_null(strstr(buf, "\"light\""));
    free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_opens_the_demo, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_every_view, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_run_update, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_events_and_details, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_grid_scrolls_to_the_end, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_palette_and_help, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_terminal_echo, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_resize_to_any_size, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_mouse_tabs_and_border_drag, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_quit, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_no_color_is_readable, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_theme_from_palette, tfx_setup, tfx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
