/*
 * test_editor.c - the code editor tested as a person uses it: tarn runs in a
 * pseudo-terminal (tests/support/tui.h) on a fresh copy of the demo project,
 * keys and mouse go in, and the screen is read back (and the file bytes on
 * disk where they matter).
 *
 * Layout at 34x120: the editor pane's tab bar is screen row 1 (its cursor
 * position "Ln X, Col Y" at the right end), the text starts on row 2 after
 * a gutter of line numbers; the status bar is the last row. Positions of
 * text are found on the screen (tui_find), never assumed.
 *
 * TEST_FILTER=pattern runs only the tests whose names match.
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
#define SILVER "transformations/02_silver.sql"
#define TAB_ROW 1   /* the editor's tab bar */
#define TOP_ROW 2   /* its first text row */

static tui *start(tfx *f)
{
    tui *t = tfx_start(f, ROWS, COLS, NULL);
    tfx_ready(t);
    return t;
}

#define gone(t, text) TFX_GONE((t), (text))

/* Lets the program draw for a moment, then fails if text is on the screen
 * (for things that must not happen: there is nothing to wait for). */
static void never(tui *t, const char *text)
{
    tui_pump(t, 300);
    if (tui_find(t, text, NULL, NULL)) {
        tui_dump(t);
        fail_msg("'%s' showed on the screen", text);
    }
}

/* Pumps the screen until cond holds (a frame may be read in parts), then
 * fails the test when it still does not. */
#define UNTIL(t, cond)                                                              \
    do {                                                                            \
        for (int until_i = 0; until_i < 150 && !(cond); until_i++) tui_pump((t), 20); \
        if (!(cond)) {                                                              \
            tui_dump(t);                                                            \
            fail_msg("%s:%d: never true: %s", __FILE__, __LINE__, #cond);           \
        }                                                                           \
    } while (0)

/* Whether the terminal's cursor is at row/col. */
static bool cursor_at(tui *t, int row, int col)
{
    int r, c;
    tui_cursor(t, &r, &c);
    return r == row && c == col;
}

/* Whether two cells are drawn differently (colors or attributes). */
static bool styled_apart(tui_cell a, tui_cell b)
{
    return a.fg != b.fg || a.bg != b.bg || a.reverse != b.reverse || a.bold != b.bold;
}

/* Waits for the editor to show the cursor at line ln, column col (1-based,
 * display columns) in its tab bar. */
#define AT(t, ln, col) at((t), (ln), (col), __FILE__, __LINE__)
static void at(tui *t, int ln, int col, const char *file, int line)
{
    char where[48];
    snprintf(where, sizeof where, " Ln %d, Col %d ", ln, col);
    if (!tui_wait_text(t, where, 8000)) {
        tui_dump(t);
        fail_msg("%s:%d: the cursor never showed at%s", file, line, where);
    }
}

#define FIND TFX_FIND

/* Opens a file through the palette's fuzzy finder and waits for its tab. */
static void open_file(tui *t, const char *name)
{
    tui_key(t, "C-p");
    SEE(t, "Commands");
    tui_send(t, name);
    SEE(t, name);
    tui_key(t, "Enter");
    gone(t, "Commands");
    SEE(t, " Ln 1, Col 1 ");
}

#define answer(t, title, text) TFX_ANSWER((t), (title), (text))

/* Goes to line ln (C-g). */
static void go_line(tui *t, int ln)
{
    char num[16];
    snprintf(num, sizeof num, "%d", ln);
    tui_key(t, "C-g");
    answer(t, "Go to line", num);
    AT(t, ln, 1);
}

static void click(tui *t, int row, int col)
{
    tui_mouse(t, 0, row, col, true);
    tui_mouse(t, 0, row, col, false);
}

static void keys(tui *t, const char *key, int times)
{
    for (int i = 0; i < times; i++) tui_key(t, key);
}

static char *read_project_file(tfx *f, const char *rel)
{
    char *path = ts_path(f->demo, rel);
    char *text = fs_read(path, NULL, NULL);
    free(path);
    return text;
}

/* Writes a project file as another program would (atomically). */
static void write_project_file(tfx *f, const char *rel, const char *text)
{
    char *path = ts_path(f->demo, rel), *err = NULL;
    assert_int_equal(fs_write_atomic(path, text, strlen(text), &err), 0);
    free(err);
    free(path);
}

/* Whether the tab bar shows an unsaved mark. */
static bool tab_marked(tui *t)
{
    char *bar = tui_row(t, TAB_ROW);
    bool marked = strstr(bar, "•") != NULL;
    free(bar);
    return marked;
}

static void unmarked(tui *t)
{
    for (int i = 0; i < 100 && tab_marked(t); i++) tui_pump(t, 50);
    if (tab_marked(t)) {
        tui_dump(t);
        fail_msg("the tab bar still shows the unsaved mark");
    }
}

/* ======================= the issue's walk ======================= */

/* Type a new materialized view with a typo, see the error underlined and
 * listed, fix it with completion, save, preview it, refresh it, undo back to
 * the original bytes. */
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

/* ======================= tabs ======================= */

/* Two files in tabs (one from the palette, one from the explorer), switched
 * with C-PgDn/C-PgUp and by clicking a label; the unsaved mark comes with
 * typing and goes with C-s; C-w on a modified file asks first. */
static void test_tabs(void **state)
{
    tfx *f = *state;
    char *silver0 = read_project_file(f, SILVER);
    tui *t = start(f);
    /* the palette lists everything before anything is typed, and says so
     * when nothing matches */
    tui_key(t, "C-p");
    SEE(t, "Command palette: every action, dataset, file and theme");
    tui_send(t, "qqzzqqxx");
    SEE(t, "no command matches");
    never(t, "runtime error"); /* (the sanitizers print on the terminal) */
    tui_key(t, "Esc");
    gone(t, "no command matches");
    open_file(t, "03_gold");
    SEE(t, "-- Gold: what the business looks at.");
    /* the explorer: a click selects the file, Enter opens it */
    int row, col, row2, col2;
    FIND(t, "transformations/02_silve", &row, &col);
    click(t, row, col + 3);
    tui_key(t, "Enter");
    SEE(t, "-- Silver: cleaned and conformed.");
    gone(t, "-- Gold: what");
    FIND(t, " 03_gold.sql ", &row, &col);
    FIND(t, " 02_silver.sql ", &row2, &col2);
    assert_int_equal(row, TAB_ROW);
    assert_int_equal(row2, TAB_ROW);
    assert_true(col2 > col);
    /* the active tab is drawn differently from the other one */
    UNTIL(t, styled_apart(tui_cell_at(t, TAB_ROW, col2 + 1), tui_cell_at(t, TAB_ROW, col + 1)));
    /* keys switch tabs (the editor has the focus after opening a file) */
    tui_key(t, "C-PgUp");
    SEE(t, "-- Gold: what the business looks at.");
    gone(t, "-- Silver: cleaned");
    tui_key(t, "C-PgDn");
    SEE(t, "-- Silver: cleaned and conformed.");
    tui_key(t, "C-PgDn"); /* around the end */
    SEE(t, "-- Gold: what the business looks at.");
    /* a click on a label */
    click(t, TAB_ROW, col2 + 3);
    SEE(t, "-- Silver: cleaned and conformed.");
    click(t, TAB_ROW, col + 3);
    SEE(t, "-- Gold: what the business looks at.");
    /* the unsaved mark */
    assert_false(tab_marked(t));
    tui_key(t, "End");
    tui_send(t, " x"); /* in the comment: the file stays valid */
    SEE(t, "looks at. x");
    SEE(t, " 03_gold.sql • ");
    FIND(t, " 02_silver.sql ", NULL, NULL); /* only the modified one is marked */
    tui_key(t, "C-s");
    SEE(t, "Saved " GOLD);
    unmarked(t);
    SEE(t, " 03_gold.sql ");
    /* C-w on a modified file: it asks; Esc keeps it open */
    click(t, TAB_ROW, col2 + 3);
    SEE(t, "-- Silver: cleaned and conformed.");
    tui_send(t, "zz");
    SEE(t, "zz-- Silver");
    SEE(t, " 02_silver.sql • ");
    tui_key(t, "C-w");
    SEE(t, "02_silver.sql has unsaved changes: s save, d discard, Esc keep it open");
    tui_key(t, "Esc");
    gone(t, "has unsaved changes");
    SEE(t, "zz-- Silver");
    SEE(t, " 02_silver.sql • ");
    /* ... d closes it without writing */
    tui_key(t, "C-w");
    answer(t, "has unsaved changes", "d");
    gone(t, "02_silver.sql");
    SEE(t, "looks at. x"); /* the other tab is shown */
    char *silver = read_project_file(f, SILVER);
    assert_string_equal(silver, silver0);
    free(silver);
    /* C-w on an unmodified file closes it at once */
    open_file(t, "02_silver");
    SEE(t, "-- Silver: cleaned and conformed.");
    tui_key(t, "C-w");
    gone(t, "02_silver.sql");
    SEE(t, "looks at. x");
    /* ... and s saves before closing */
    tui_send(t, "y");
    SEE(t, "looks at. xy");
    tui_key(t, "C-w");
    answer(t, "03_gold.sql has unsaved changes", "s");
    SEE(t, "No file open");
    char *gold = read_project_file(f, GOLD);
    assert_non_null(strstr(gold, "-- Gold: what the business looks at. xy\n"));
    free(gold);
    free(silver0);
}

/* ======================= quitting ======================= */

/* C-q with an unsaved file asks; Esc stays; d discards and quits; in another
 * run s saves and quits. */
static void test_quit_with_unsaved_changes(void **state)
{
    tfx *f = *state;
    char *original = read_project_file(f, GOLD);
    tui *t = start(f);
    open_file(t, "03_gold");
    tui_send(t, "typed ");
    SEE(t, "typed -- Gold");
    tui_key(t, "C-q");
    SEE(t, "1 file is not saved: s save and quit, d discard and quit, Esc stay");
    tui_key(t, "Esc");
    gone(t, "file is not saved");
    assert_int_equal(tui_wait_exit(t, 300), -1); /* still running */
    SEE(t, "typed -- Gold");
    tui_key(t, "C-q");
    SEE(t, "1 file is not saved");
    tui_send(t, "d");
    tui_key(t, "Enter");
    assert_int_equal(tui_wait_exit(t, 8000), 0);
    char *after = read_project_file(f, GOLD);
    assert_string_equal(after, original);
    free(after);
    tui_close(f->t);
    f->t = NULL;

    t = start(f);
    open_file(t, "03_gold");
    tui_send(t, "kept ");
    SEE(t, "kept -- Gold");
    tui_key(t, "C-q");
    SEE(t, "1 file is not saved");
    tui_send(t, "s");
    tui_key(t, "Enter");
    assert_int_equal(tui_wait_exit(t, 8000), 0);
    after = read_project_file(f, GOLD);
    char *want = xasprintf("kept %s", original);
    assert_string_equal(after, want);
    free(want);
    free(after);
    free(original);
}

/* ======================= changes on disk ======================= */

/* Someone else writes the open file: the editor offers to reload it; y shows
 * the new text (and C-z takes the reload back). With unsaved changes of its
 * own, n keeps them, and the next change on disk is offered again. */
static void test_file_changed_on_disk(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    open_file(t, "03_gold");
    SEE(t, "-- Gold: what the business looks at.");
    write_project_file(f, GOLD, "-- rewritten by someone else\nSELECT 1;\n");
    SEE(t, "The file changed on disk: reload it? y/n");
    tui_send(t, "y");
    tui_key(t, "Enter");
    SEE(t, "-- rewritten by someone else");
    SEE(t, "Reloaded " GOLD " from disk");
    gone(t, "-- Gold: what");
    AT(t, 1, 1); /* the cursor stays where it was */
    assert_false(tab_marked(t)); /* the text is the file's */
    tui_key(t, "C-z");
    SEE(t, "-- Gold: what the business looks at.");
    SEE(t, " 03_gold.sql • ");
    tui_key(t, "C-y");
    SEE(t, "-- rewritten by someone else");
    unmarked(t);

    /* changed here and there: n keeps what is typed here */
    tui_key(t, "C-Home");
    tui_send(t, "mine ");
    SEE(t, "mine -- rewritten");
    write_project_file(f, GOLD, "-- second version\n");
    SEE(t, "The file changed on disk and here: reload it (your changes are lost)? y/n");
    tui_send(t, "n");
    tui_key(t, "Enter");
    gone(t, "changed on disk");
    never(t, "-- second version");
    SEE(t, "mine -- rewritten");
    /* a later change is a new one: asked again */
    write_project_file(f, GOLD, "-- third version, longer\n");
    SEE(t, "The file changed on disk and here");
    tui_send(t, "y");
    tui_key(t, "Enter");
    SEE(t, "-- third version, longer");
    gone(t, "mine -- ");
}

/* ======================= find and replace ======================= */

/* C-f selects the first match and counts them; F3/S-F3 go to the next and
 * previous; /regex/ finds by pattern; C-r replaces every match in one step
 * that one C-z undoes. */
static void test_find_and_replace(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    open_file(t, "03_gold");
    tui_key(t, "C-f");
    answer(t, "Find (a /regex/ too)", "order_date");
    SEE(t, "3 matches of 'order_date'");
    AT(t, 5, 21); /* the cursor at the end of the match in line 5 */
    int row, col;
    FIND(t, "AS SELECT order_date,", &row, &col);
    UNTIL(t, styled_apart(tui_cell_at(t, row, col + 10), tui_cell_at(t, row, col + 9)));
    tui_key(t, "F3");
    AT(t, 7, 20);
    tui_key(t, "F3");
    AT(t, 8, 20);
    tui_key(t, "F3");
    AT(t, 5, 21);
    SEE(t, "(wrapped) 3 matches");
    tui_key(t, "S-F3");
    AT(t, 8, 20);
    /* a regular expression */
    tui_key(t, "C-f");
    answer(t, "Find (a /regex/ too)", "/c[a-z]+_value/");
    AT(t, 10, 51);
    SEE(t, "1 match of '/c[a-z]+_value/'");
    tui_key(t, "C-f");
    answer(t, "Find (a /regex/ too)", "/no+such_thing/");
    SEE(t, "'/no+such_thing/' not found");
    AT(t, 10, 51);
    /* replace all */
    tui_key(t, "C-Home");
    AT(t, 1, 1);
    tui_key(t, "C-r");
    answer(t, "Replace all: find", "order_date");
    answer(t, "Replace every 'order_date' with", "day");
    SEE(t, "Replaced 3 matches of 'order_date' (C-z undoes them all)");
    SEE(t, "AS SELECT day, count(*)");
    SEE(t, "GROUP BY day");
    SEE(t, "ORDER BY day;");
    SEE(t, " 03_gold.sql • ");
    tui_key(t, "C-z");
    SEE(t, "AS SELECT order_date, count(*)");
    SEE(t, "GROUP BY order_date");
    SEE(t, "ORDER BY order_date;");
    unmarked(t); /* back to the saved text */
    tui_key(t, "C-y");
    SEE(t, "GROUP BY day");
    tui_key(t, "C-s");
    SEE(t, "Saved " GOLD);
    char *saved = read_project_file(f, GOLD);
    assert_null(strstr(saved, "order_date"));
    assert_non_null(strstr(saved, "GROUP BY day\nORDER BY day;"));
    free(saved);
}

/* ======================= motion and selection ======================= */

/* C-g goes to a line; Home (first non-blank, then the line's start), End,
 * C-Home, C-End; a selection made with Shift is replaced by what is typed. */
static void test_goto_line_motion_and_selection(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    open_file(t, "03_gold");
    go_line(t, 12);
    tui_key(t, "End");
    AT(t, 12, 44);
    tui_key(t, "Home");
    AT(t, 12, 1);
    tui_key(t, "Down"); /* "          count(o.order_id) ..." */
    AT(t, 13, 1);
    tui_key(t, "Home");
    AT(t, 13, 11);
    tui_key(t, "Home");
    AT(t, 13, 1);
    tui_key(t, "Home");
    AT(t, 13, 11);
    tui_key(t, "C-End");
    AT(t, 18, 1);
    tui_key(t, "C-Home");
    AT(t, 1, 1);
    tui_key(t, "PgDn"); /* a page is longer than the file */
    AT(t, 18, 1);
    tui_key(t, "PgUp");
    AT(t, 1, 1);
    /* by word: "-- Gold: what the business looks at." */
    tui_key(t, "C-Right");
    AT(t, 1, 8); /* after "Gold" */
    tui_key(t, "C-Right");
    AT(t, 1, 14); /* after "what" */
    tui_key(t, "C-Left");
    AT(t, 1, 10); /* before "what" */
    tui_key(t, "C-Left");
    AT(t, 1, 4); /* before "Gold" */
    tui_key(t, "C-Left");
    AT(t, 1, 1);
    /* a bad line number */
    tui_key(t, "C-g");
    answer(t, "Go to line", "twelve");
    SEE(t, "'twelve' is not a line number");
    /* past the end: the last line */
    go_line(t, 3);
    tui_key(t, "C-g");
    answer(t, "Go to line", "999");
    AT(t, 18, 1);

    /* Shift+Left selects, typing replaces the selection */
    go_line(t, 3);
    tui_key(t, "End");
    AT(t, 3, 50);
    keys(t, "S-Left", 7);
    AT(t, 3, 43);
    int row, col;
    FIND(t, "VIEW daily_revenue", &row, &col);
    UNTIL(t, styled_apart(tui_cell_at(t, row, col + 11), tui_cell_at(t, row, col + 5)));
    tui_send(t, "sales");
    SEE(t, "VIEW daily_sales");
    gone(t, "VIEW daily_revenue");
    /* Shift+Home, then C-S-Left by word */
    go_line(t, 4); /* COMMENT 'paid revenue per day' */
    tui_key(t, "End");
    tui_key(t, "S-Home");
    AT(t, 4, 1);
    tui_send(t, "COMMENT 'sales per day'");
    SEE(t, "COMMENT 'sales per day'");
    go_line(t, 6); /* FROM paid_orders */
    tui_key(t, "End");
    tui_key(t, "C-S-Left");
    AT(t, 6, 6);
    tui_send(t, "orders");
    SEE(t, "FROM orders");
    /* C-a selects everything */
    tui_key(t, "C-a");
    tui_send(t, "gone");
    SEE(t, " 1 gone");
    gone(t, "FROM orders");
    AT(t, 1, 5);
    tui_key(t, "C-z"); /* the word typed ... */
    SEE(t, " 1 g ");
    tui_key(t, "C-z"); /* ... and the replaced selection: two steps */
    SEE(t, "FROM orders");
    /* Shift+Down over lines, then Backspace deletes them */
    go_line(t, 7); /* GROUP BY order_date / ORDER BY order_date; */
    tui_key(t, "S-Down");
    tui_key(t, "S-End");
    AT(t, 8, 21);
    tui_key(t, "Backspace");
    AT(t, 7, 1);
    gone(t, "GROUP BY order_date");
    gone(t, "ORDER BY order_date;");
    SEE(t, "FROM orders");
}

/* ======================= indentation and comments ======================= */

static void test_indent_tab_and_comments(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    open_file(t, "03_gold");
    tui_key(t, "C-End");
    AT(t, 18, 1);
    /* after "(" one step more; then the indent is kept */
    tui_send(t, "SELECT count(");
    tui_key(t, "Enter");
    AT(t, 19, 5);
    tui_send(t, "amount,");
    tui_key(t, "Enter");
    AT(t, 20, 5);
    tui_send(t, "x=");
    AT(t, 20, 7);
    /* Tab: spaces to the next multiple of 4 */
    tui_key(t, "Tab");
    AT(t, 20, 9);
    tui_send(t, "y");
    tui_key(t, "Home");
    AT(t, 20, 5);
    tui_key(t, "Tab");
    AT(t, 20, 9);
    SEE(t, "        x=  y");
    /* S-Tab: the line goes back one step, the cursor with its text */
    tui_key(t, "S-Tab");
    SEE(t, "20     x=  y");
    gone(t, "        x=  y");
    AT(t, 20, 5);
    tui_send(t, "w"); /* typed at the cursor: nothing is selected */
    SEE(t, "20     wx=  y");
    tui_key(t, "S-Tab");
    SEE(t, "20 wx=  y");
    AT(t, 20, 2);
    tui_key(t, "S-Tab"); /* nothing left to take */
    SEE(t, "20 wx=  y");
    AT(t, 20, 2);
    tui_key(t, "C-s");
    SEE(t, "Saved " GOLD);
    char *saved = read_project_file(f, GOLD);
    const char *tail = "ORDER BY revenue DESC;\nSELECT count(\n    amount,\nwx=  y";
    assert_non_null(strstr(saved, tail));
    assert_string_equal(saved + strlen(saved) - strlen(tail), tail);
    free(saved);

    /* Tab with lines selected indents them all; S-Tab takes it back */
    go_line(t, 3);
    keys(t, "S-Down", 3); /* lines 3-5 */
    tui_key(t, "Tab");
    SEE(t, " 3     CREATE OR REFRESH");
    SEE(t, " 4     COMMENT 'paid");
    SEE(t, " 5     AS SELECT order_date");
    SEE(t, " 6 FROM paid_orders");
    tui_key(t, "S-Tab");
    SEE(t, " 3 CREATE OR REFRESH");
    SEE(t, " 5 AS SELECT order_date");

    /* C-/ (the terminal sends C-_) comments the selected lines, and again
     * uncomments them */
    go_line(t, 3);
    keys(t, "S-Down", 3);
    tui_key(t, "C-_");
    SEE(t, " 3 -- CREATE OR REFRESH MATERIALIZED VIEW daily_revenue");
    SEE(t, " 4 -- COMMENT 'paid revenue per day'");
    SEE(t, " 5 -- AS SELECT order_date");
    SEE(t, " 6 FROM paid_orders");
    tui_key(t, "C-_");
    SEE(t, " 3 CREATE OR REFRESH MATERIALIZED VIEW daily_revenue");
    SEE(t, " 4 COMMENT 'paid revenue per day'");
    SEE(t, " 5 AS SELECT order_date");
    /* no selection: the cursor's line; a commented line is uncommented */
    go_line(t, 6);
    tui_key(t, "End");
    AT(t, 6, 17);
    tui_key(t, "C-_");
    SEE(t, " 6 -- FROM paid_orders");
    AT(t, 6, 20); /* still after the same character */
    tui_key(t, "C-_");
    SEE(t, " 6 FROM paid_orders");
    AT(t, 6, 17);
    go_line(t, 1);
    tui_key(t, "C-_");
    SEE(t, " 1 Gold: what the business looks at.");
    /* one step of undo each */
    tui_key(t, "C-z");
    SEE(t, " 1 -- Gold: what the business looks at.");
}

/* ======================= the clipboard ======================= */

/* Select with Shift, C-c, move, C-v pastes; C-x cuts (the selection, or the
 * line). The terminal's clipboard gets an OSC 52 sequence too, which the
 * headless terminal (libvterm 0.1) cannot show: not checked here. */
/* The indentation setting (palette): 2 spaces a step, then tabs; kept in
 * the user's config for the next start. */
static void test_indentation_setting(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    open_file(t, "03_gold");
    tui_key(t, "C-End");
    tui_key(t, "C-p");
    SEE(t, "Commands");
    tui_send(t, "editor indentation");
    SEE(t, "Editor indentation: spaces or tabs");
    tui_key(t, "Enter");
    answer(t, "Indentation: spaces a step", "2");
    SEE(t, "Indentation: spaces, 2 wide");
    tui_key(t, "Tab");
    AT(t, 18, 3);
    tui_send(t, "a(");
    tui_key(t, "Enter");
    AT(t, 19, 5); /* the line's 2, and a step more after "(" */
    tui_key(t, "C-p");
    SEE(t, "Commands");
    tui_send(t, "editor indentation");
    SEE(t, "Editor indentation: spaces or tabs");
    tui_key(t, "Enter");
    answer(t, "Indentation: spaces a step", "tabs 8");
    SEE(t, "Indentation: tabs, 8 wide");
    tui_send(t, "b "); /* (Tab right after a word completes it) */
    tui_key(t, "Tab");
    AT(t, 19, 9); /* a tab from column 7 reaches the next stop, 8 wide */
    tui_send(t, "c");
    tui_key(t, "C-s");
    SEE(t, "Saved " GOLD);
    char *text = read_project_file(f, GOLD);
    assert_non_null(strstr(text, "\n  a(\n    b \tc"));
    free(text);
    char *cfg = ts_path(f->dir, "cfg/tarn/config.json");
    char *json = fs_read(cfg, NULL, NULL);
    assert_non_null(json);
    assert_non_null(strstr(json, "\"tab_width\":\t8"));
    assert_non_null(strstr(json, "\"indent_with_tabs\":\ttrue"));
    free(json);
    free(cfg);
}

static void test_copy_cut_paste(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    open_file(t, "03_gold");
    go_line(t, 6); /* FROM paid_orders */
    tui_key(t, "End");
    tui_key(t, "C-S-Left");
    tui_key(t, "C-c");
    SEE(t, "Copied 11 bytes");
    SEE(t, " 6 FROM paid_orders"); /* copying changes nothing */
    assert_false(tab_marked(t));
    tui_key(t, "C-End");
    tui_key(t, "C-v");
    SEE(t, "18 paid_orders");
    AT(t, 18, 12);
    tui_key(t, "C-v");
    SEE(t, "18 paid_orderspaid_orders");
    /* C-x: the selection */
    tui_key(t, "C-Home");
    tui_key(t, "S-End");
    tui_key(t, "C-x");
    SEE(t, "Cut 36 bytes");
    gone(t, "-- Gold: what");
    AT(t, 1, 1);
    tui_key(t, "C-End");
    tui_key(t, "C-v");
    SEE(t, "18 paid_orderspaid_orders-- Gold: what the business looks at.");
    /* C-x without a selection: the whole line */
    go_line(t, 4); /* COMMENT 'paid revenue per day' */
    tui_key(t, "C-x");
    SEE(t, "Cut 31 bytes");
    SEE(t, " 4 AS SELECT order_date");
    gone(t, "COMMENT 'paid revenue per day'");
    tui_key(t, "C-v");
    SEE(t, " 4 COMMENT 'paid revenue per day'");
    SEE(t, " 5 AS SELECT order_date");
    AT(t, 5, 1);
    /* one undo takes a paste back */
    tui_key(t, "C-z");
    SEE(t, " 4 AS SELECT order_date");
}

/* ======================= the mouse ======================= */

/* A click places the cursor, a drag selects, a double-click selects a word,
 * the wheel scrolls a long file without moving the cursor. */
static void test_mouse(void **state)
{
    tfx *f = *state;
    sb long_file = {0};
    for (int i = 1; i <= 150; i++) sb_addf(&long_file, "-- line %03d\n", i);
    char *dir = ts_path(f->demo, "transformations");
    assert_int_equal(ts_write_file(dir, "04_long.sql", sb_str(&long_file)), 0);
    free(dir);
    sb_free(&long_file);
    tui *t = start(f);
    open_file(t, "03_gold");
    int row, col;
    FIND(t, "CREATE OR REFRESH MATERIALIZED VIEW daily_revenue", &row, &col);
    click(t, row, col + 10); /* the R of REFRESH */
    AT(t, 3, 11);
    /* past the end of a line: its end */
    FIND(t, "FROM paid_orders", &row, &col);
    click(t, row, col + 40);
    AT(t, 6, 17);
    /* on the gutter: the line's start */
    click(t, row, col - 2);
    AT(t, 6, 1);
    /* a drag selects "paid", typing replaces it */
    tui_drag(t, 0, row, col + 5, row, col + 9);
    AT(t, 6, 10);
    tui_send(t, "unpaid");
    SEE(t, "FROM unpaid_orders");
    /* a drag over lines, then C-x */
    FIND(t, "GROUP BY order_date", &row, &col);
    tui_drag(t, 0, row, col, row + 1, col + 20);
    AT(t, 8, 21);
    tui_key(t, "C-x");
    gone(t, "GROUP BY order_date");
    gone(t, "ORDER BY order_date;");
    tui_key(t, "C-z");
    SEE(t, "GROUP BY order_date");
    /* a double-click selects the word */
    FIND(t, "VIEW daily_revenue", &row, &col);
    click(t, row, col + 8);
    click(t, row, col + 8);
    tui_pump(t, 100);
    tui_send(t, "w");
    SEE(t, "MATERIALIZED VIEW w");
    gone(t, "VIEW daily_revenue");
    /* a click outside the text, below its last line: the end */
    click(t, ROWS - 13, col);
    AT(t, 18, 1);

    /* the wheel in a long file */
    open_file(t, "04_long");
    SEE(t, "   1 -- line 001");
    assert_true(tui_wait_text_at(t, "   1 -- line 001", TOP_ROW, 29, 2000));
    tui_wheel(t, TOP_ROW + 5, 60, 2);
    if (!tui_wait_text_at(t, "   7 -- line 007", TOP_ROW, 29, 3000)) {
        tui_dump(t);
        fail_msg("the wheel did not scroll down");
    }
    AT(t, 1, 1); /* the cursor stays where it was */
    tui_wheel(t, TOP_ROW + 5, 60, -1);
    if (!tui_wait_text_at(t, "   4 -- line 004", TOP_ROW, 29, 3000)) {
        tui_dump(t);
        fail_msg("the wheel did not scroll up");
    }
    tui_wheel(t, TOP_ROW + 5, 60, 60); /* far down: the last lines */
    SEE(t, "150 -- line 150");
    FIND(t, "-- line 140", &row, &col);
    click(t, row, col + 3);
    AT(t, 140, 4);
    SEE(t, "150 -- line 150"); /* a click does not scroll */
    /* a key after scrolling away brings the cursor back into view */
    tui_wheel(t, TOP_ROW + 5, 60, -60);
    SEE(t, "   1 -- line 001");
    tui_key(t, "Right");
    AT(t, 140, 5);
    SEE(t, "140 -- line 140");
}

/* ======================= UTF-8 ======================= */

/* "é" is one cell, "中" and "文" two each: the cursor's column, the screen
 * cursor and the cells of the text agree. */
static void test_utf8_and_wide_characters(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    open_file(t, "03_gold");
    tui_key(t, "C-End");
    tui_send(t, "-- é中文x");
    SEE(t, "18 -- é中文x");
    AT(t, 18, 10);
    int row, col;
    FIND(t, "-- é", &row, &col);
    col += 3;
    tui_cell c = tui_cell_at(t, row, col);
    assert_string_equal(c.text, "é");
    assert_int_equal(c.width, 1);
    c = tui_cell_at(t, row, col + 1);
    assert_string_equal(c.text, "中");
    assert_int_equal(c.width, 2);
    assert_int_equal(tui_cell_at(t, row, col + 2).width, 0);
    assert_string_equal(tui_cell_at(t, row, col + 3).text, "文");
    assert_string_equal(tui_cell_at(t, row, col + 5).text, "x");
    UNTIL(t, cursor_at(t, row, col + 6)); /* the terminal's cursor after the x */
    /* Left steps over a whole character */
    tui_key(t, "Left");
    AT(t, 18, 9);
    tui_key(t, "Left");
    AT(t, 18, 7);
    UNTIL(t, cursor_at(t, row, col + 3)); /* on the 文 */
    tui_key(t, "Left");
    AT(t, 18, 5);
    tui_key(t, "Left");
    AT(t, 18, 4);
    /* typing before the wide characters moves them right */
    tui_send(t, "ü");
    AT(t, 18, 5);
    SEE(t, "-- üé中文x");
    assert_string_equal(tui_cell_at(t, row, col + 2).text, "中");
    assert_string_equal(tui_cell_at(t, row, col + 6).text, "x");
    /* Backspace and Del take one character, never half of one */
    tui_key(t, "End");
    tui_key(t, "Left");
    tui_key(t, "Backspace");
    AT(t, 18, 8);
    SEE(t, "-- üé中x");
    tui_key(t, "Left");
    tui_key(t, "Del");
    SEE(t, "-- üéx");
    AT(t, 18, 6);
    /* a click on either half of a wide character: before it */
    tui_send(t, "文");
    SEE(t, "-- üé文x"); /* ü at col, é, 文 at col+2 and col+3, x at col+4 */
    AT(t, 18, 8);
    click(t, row, col + 3);
    AT(t, 18, 6);
    click(t, row, col + 4);
    AT(t, 18, 8);
    click(t, row, col + 2);
    AT(t, 18, 6);
    tui_key(t, "C-s");
    SEE(t, "Saved " GOLD);
    char *saved = read_project_file(f, GOLD);
    const char *tail = "ORDER BY revenue DESC;\n-- üé文x";
    assert_string_equal(saved + strlen(saved) - strlen(tail), tail);
    free(saved);
}

/* ======================= highlighting ======================= */

static unsigned fg_at(tui *t, const char *text, int offset)
{
    int row, col;
    FIND(t, text, &row, &col);
    return tui_cell_at(t, row, col + offset).fg;
}

/* Waits until the text's cell at offset has color fg (the frame may be read
 * in parts), then checks it. */
#define FG(t, text, offset, want) wait_fg((t), (text), (offset), (want), __FILE__, __LINE__)
static void wait_fg(tui *t, const char *text, int offset, unsigned want, const char *file,
                    int line)
{
    for (int i = 0; i < 200 && fg_at(t, text, offset) != want; i++) tui_pump(t, 20);
    unsigned fg = fg_at(t, text, offset);
    if (fg != want) {
        tui_dump(t);
        fail_msg("%s:%d: '%s'+%d is %06x, not %06x", file, line, text, offset, fg, want);
    }
}

/* Keywords, names, strings and comments in different colors; a block
 * comment opened by typing colors the lines after it until it is closed. */
static void test_highlighting(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    open_file(t, "03_gold");
    SEE(t, "ORDER BY revenue DESC;");
    unsigned keyword = fg_at(t, "CREATE OR REFRESH MATERIALIZED VIEW daily_revenue", 0);
    unsigned name = fg_at(t, "VIEW daily_revenue", 6);
    unsigned string = fg_at(t, "'paid revenue per day'", 1);
    unsigned comment = fg_at(t, "-- Gold: what", 5);
    assert_int_not_equal(keyword, name);
    assert_int_not_equal(string, name);
    assert_int_not_equal(string, keyword);
    assert_int_not_equal(comment, keyword);
    assert_int_not_equal(comment, name);
    assert_int_equal(fg_at(t, "ORDER BY revenue DESC", 0), keyword);
    /* the bracket at the cursor and its match are marked */
    go_line(t, 5); /* AS SELECT order_date, count(*) AS orders, round(sum(amount), 2) AS revenue */
    keys(t, "Right", 47); /* on the '(' of round( */
    AT(t, 5, 48);
    int row, col;
    FIND(t, "round(sum(amount), 2)", &row, &col);
    UNTIL(t, tui_cell_at(t, row, col + 5).underline);
    UNTIL(t, tui_cell_at(t, row, col + 20).underline); /* its ')' */
    assert_false(tui_cell_at(t, row, col + 16).underline); /* sum's ')' */
    assert_false(tui_cell_at(t, row, col + 9).underline);  /* sum's '(' */
    /* open a block comment at the end of line 6 */
    go_line(t, 6);
    tui_key(t, "End");
    tui_send(t, " /* until");
    SEE(t, "FROM paid_orders /* until");
    FG(t, "GROUP BY order_date", 0, comment);
    FG(t, "ORDER BY order_date;", 0, comment);
    FG(t, "CREATE OR REFRESH MATERIALIZED VIEW customer_value", 0, comment);
    FG(t, "'lifetime value", 1, comment);
    FG(t, "ORDER BY revenue DESC", 0, comment);
    FG(t, "FROM paid_orders /* until", 0, keyword); /* before it */
    FG(t, "/* until", 3, comment);
    /* close it at the end of line 7 */
    go_line(t, 7);
    tui_key(t, "End");
    tui_send(t, " */");
    SEE(t, "GROUP BY order_date */");
    FG(t, "ORDER BY order_date;", 0, keyword);
    FG(t, "GROUP BY order_date */", 0, comment);
    FG(t, "CREATE OR REFRESH MATERIALIZED VIEW customer_value", 0, keyword);
    FG(t, "'lifetime value", 1, string);
    FG(t, "ORDER BY revenue DESC", 0, keyword);
    /* undo back to the open comment, then to none */
    tui_key(t, "C-z");
    gone(t, "order_date */");
    FG(t, "ORDER BY revenue DESC", 0, comment);
    for (int i = 0; i < 5; i++) tui_key(t, "C-z");
    gone(t, "/* until");
    FG(t, "ORDER BY revenue DESC", 0, keyword);
    FG(t, "'lifetime value", 1, string);
}

/* ======================= the pipeline's help ======================= */

/* F12 goes to where a dataset is defined; S-F12 lists where it is read and
 * opens one; F2 describes it (kind, columns with types, rows once stored). */
static void test_definition_references_hover(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    open_file(t, "03_gold");
    go_line(t, 6); /* FROM paid_orders */
    tui_key(t, "End");
    tui_key(t, "F12");
    SEE(t, "paid_orders: " SILVER ":43");
    SEE(t, " 02_silver.sql ");
    SEE(t, "CREATE TEMPORARY VIEW paid_orders AS");
    AT(t, 43, 23);
    /* a name that is no dataset */
    go_line(t, 44); /* SELECT * FROM orders WHERE status = 'paid'; */
    tui_key(t, "End");
    keys(t, "Left", 10);
    tui_key(t, "F12");
    SEE(t, "'status' is not a dataset of the pipeline");
    /* the references of paid_orders, from its definition */
    go_line(t, 43);
    keys(t, "Right", 24);
    tui_key(t, "S-F12");
    SEE(t, "2 places read paid_orders");
    SEE(t, GOLD ":6:6  FROM paid_orders");
    SEE(t, GOLD ":15:11  LEFT JOIN paid_orders o ON o.customer_id");
    tui_send(t, ":15");
    tui_key(t, "Enter");
    gone(t, "places read");
    SEE(t, " 03_gold.sql ");
    SEE(t, "LEFT JOIN paid_orders o ON");
    AT(t, 15, 11);
    /* hover, before and after a run */
    tui_key(t, "F2");
    SEE(t, "temporary view paid_orders");
    SEE(t, "defined in " SILVER ":43");
    SEE(t, "columns");
    SEE(t, "amount");
    int row, col;
    FIND(t, "  order_id   ", &row, &col); /* with its type */
    char *line = tui_row(t, row);
    assert_non_null(strstr(line, " INT "));
    free(line);
    FIND(t, "  status   ", &row, &col);
    line = tui_row(t, row);
    assert_non_null(strstr(line, " TEXT "));
    free(line);
    tui_key(t, "Esc");
    gone(t, "defined in");
    go_line(t, 3);
    tui_key(t, "End");
    tui_key(t, "F2");
    SEE(t, "materialized view daily_revenue");
    SEE(t, "not stored yet (run the pipeline: F5)");
    SEE(t, "  order_date");
    SEE(t, "  revenue");
    tui_key(t, "Esc");
    gone(t, "not stored yet");
    tui_key(t, "F5");
    SEE(t, "COMPLETED  7/7 flows");
    tui_key(t, "M-1");
    for (int i = 0; i < 50; i++) { /* the dry run after the update reads the counts */
        tui_key(t, "F2");
        SEE(t, "materialized view daily_revenue");
        bool counted = tui_wait_text(t, "rows, refreshed", 100);
        tui_key(t, "Esc");
        gone(t, "materialized view daily_revenue");
        if (counted) break;
        tui_pump(t, 100);
    }
    tui_key(t, "F2");
    SEE(t, "3 rows, refreshed");
    tui_key(t, "Esc");
}

/* ======================= completion ======================= */

/* C-Space lists the columns of the datasets the statement reads; after ${
 * the configuration parameters; Esc closes the list; Tab after a word
 * completes it. */
static void test_completion(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    open_file(t, "03_gold");
    tui_key(t, "C-End");
    tui_send(t, "\rCREATE TEMPORARY VIEW t AS SELECT  FROM paid_orders;");
    SEE(t, "SELECT  FROM paid_orders;");
    keys(t, "Left", 18);
    AT(t, 19, 35);
    tui_key(t, "C-Space");
    SEE(t, "amount");
    SEE(t, "order_id ");
    int row, col;
    FIND(t, "amount ", &row, &col);
    char *line = tui_row(t, row);
    assert_non_null(strstr(line, "paid_orders")); /* the detail: type and dataset */
    free(line);
    FIND(t, "_rescued_data", NULL, NULL);
    /* typing narrows the list */
    tui_send(t, "am");
    SEE(t, "SELECT am FROM");
    never(t, "order_id ");
    SEE(t, "amount ");
    tui_key(t, "Enter");
    SEE(t, "SELECT amount FROM paid_orders;");
    AT(t, 19, 41);
    /* Esc closes the list */
    tui_send(t, ", ");
    tui_key(t, "C-Space");
    SEE(t, "_rescued_data");
    tui_key(t, "Esc");
    gone(t, "_rescued_data");
    SEE(t, "SELECT amount,  FROM paid_orders;"); /* nothing inserted */
    /* Down picks another one */
    tui_send(t, "order_");
    tui_key(t, "C-Space");
    SEE(t, "order_id ");
    tui_key(t, "Down");
    tui_key(t, "Enter");
    SEE(t, "SELECT amount, order_id FROM paid_orders;");
    /* the parameters after ${ */
    tui_key(t, "End");
    tui_key(t, "Left");
    tui_send(t, " WHERE amount > ${");
    tui_key(t, "C-Space");
    SEE(t, "min_order_amount");
    SEE(t, "currency");
    FIND(t, "min_order_amount", &row, &col);
    line = tui_row(t, row);
    assert_non_null(strstr(line, "1.00"));
    free(line);
    tui_send(t, "mi");
    gone(t, "currency");
    tui_key(t, "Enter");
    SEE(t, "WHERE amount > ${min_order_amount};");
    /* Tab after a word completes it */
    tui_key(t, "End");
    tui_key(t, "Left");
    tui_send(t, " AND sta");
    tui_key(t, "Tab");
    SEE(t, "AND status;");
    AT(t, 19, 114);
    /* Tab after a space indents (to a multiple of 4: 114 cells, +2) */
    tui_send(t, " ");
    tui_key(t, "Tab");
    AT(t, 19, 117);
    SEE(t, "AND status   ;");
    /* Tab after a word nothing completes indents too */
    tui_send(t, "zzq");
    tui_key(t, "Tab");
    AT(t, 19, 121);
    SEE(t, "zzq ;");
}

/* ======================= previews ======================= */

/* F8 with a SELECT selected previews it in the Data grid; F8 and F9 outside
 * any definition say why they do nothing. */
static void test_preview_selection(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    open_file(t, "03_gold");
    go_line(t, 5); /* AS SELECT order_date, ... FROM paid_orders GROUP BY ... ORDER BY order_date; */
    keys(t, "Right", 3);
    keys(t, "S-Down", 3);
    tui_key(t, "S-End");
    tui_key(t, "S-Left"); /* without the ';' */
    AT(t, 8, 20);
    tui_key(t, "F8");
    SEE(t, "Preview of query: "); /* the selection is run as "query" */
    SEE(t, "(nothing written to the warehouse)");
    SEE(t, "order_date");
    SEE(t, "2024-03-01");
    SEE(t, "2024-03-02");
    /* the Data tab is shown */
    gone(t, "CREATE OR REFRESH MATERIALIZED VIEW daily_revenue");
    /* again, over the first preview's file: the statement at the cursor */
    tui_key(t, "M-1");
    SEE(t, "CREATE OR REFRESH MATERIALIZED VIEW daily_revenue");
    go_line(t, 7); /* in daily_revenue */
    tui_key(t, "F8");
    SEE(t, "Preview of daily_revenue: ");
    SEE(t, "daily_revenue  rows 1");
    SEE(t, "revenue");
    /* the cursor outside any definition */
    tui_key(t, "M-1");
    SEE(t, "CREATE OR REFRESH MATERIALIZED VIEW daily_revenue");
    tui_key(t, "C-Home");
    tui_key(t, "F8");
    SEE(t, "Preview: the cursor is in no definition; select a query to preview it");
    tui_key(t, "F9");
    SEE(t, "The cursor is not in a dataset's definition");
    /* a selection that is not a query */
    tui_key(t, "S-End");
    tui_key(t, "F8");
    SEE(t, "Preview: ");
    tui_pump(t, 200);
    char *status = tui_row(t, ROWS - 1);
    assert_null(strstr(status, "Preview of"));
    free(status);
}

/* ======================= problems ======================= */

/* A problem is underlined in the text, its line number takes the error (or
 * warning) color, and the status bar says it when the cursor is on its
 * line. */
static void test_problem_marks(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    open_file(t, "03_gold");
    tui_key(t, "C-End");
    tui_send(t, "\rCREATE MATERIALIZED VIEW oops AS SELECT * FROM nowhere;"
                "\r\rCREATE STREAMING TABLE lonely (id INTEGER);");
    SEE(t, "(id INTEGER);");
    /* the cursor is on the warning's line */
    SEE(t, "Ln 21: streaming table 'lonely' has no flow writing into it");
    int erow, ecol, wrow, wcol, row, col;
    FIND(t, "nowhere;", &erow, &ecol);
    UNTIL(t, tui_cell_at(t, erow, ecol).underline);
    assert_false(tui_cell_at(t, erow, ecol - 3).underline);
    FIND(t, "lonely (", &wrow, &wcol);
    UNTIL(t, tui_cell_at(t, wrow, wcol).underline);
    assert_false(tui_cell_at(t, wrow, wcol + 7).underline);
    /* the gutter: line numbers in the error and warning colors */
    FIND(t, "19 CREATE MATERIALIZED VIEW oops", &row, &col);
    assert_int_equal(row, erow);
    tui_cell err_num = tui_cell_at(t, erow, col + 1);
    FIND(t, "21 CREATE STREAMING TABLE lonely", &row, &col);
    tui_cell warn_num = tui_cell_at(t, wrow, col + 1);
    FIND(t, "17 ORDER BY revenue", &row, &col);
    tui_cell plain_num = tui_cell_at(t, row, col + 1);
    assert_int_not_equal(err_num.fg, plain_num.fg);
    assert_int_not_equal(warn_num.fg, plain_num.fg);
    assert_int_not_equal(err_num.fg, warn_num.fg);
    /* the underlined words take the same colors */
    assert_int_equal(tui_cell_at(t, erow, ecol).fg, err_num.fg);
    assert_int_equal(tui_cell_at(t, wrow, wcol).fg, warn_num.fg);
    /* the cursor on the error's line: the status bar says it */
    tui_key(t, "Up");
    tui_key(t, "Up");
    SEE(t, "Ln 19: unknown table or dataset 'nowhere'");
    /* fixed: the marks go */
    tui_key(t, "End");
    keys(t, "Backspace", 8);
    tui_send(t, "orders;");
    SEE(t, "FROM orders;");
    for (int i = 0; i < 200 && tui_cell_at(t, erow, col + 1).fg == err_num.fg; i++)
        tui_pump(t, 20);
    assert_int_equal(tui_cell_at(t, erow, col + 1).fg != err_num.fg, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_typo_fix_save_preview_refresh_undo, tfx_setup,
                                        tfx_teardown),
        cmocka_unit_test_setup_teardown(test_tabs, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_quit_with_unsaved_changes, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_file_changed_on_disk, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_find_and_replace, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_goto_line_motion_and_selection, tfx_setup,
                                        tfx_teardown),
        cmocka_unit_test_setup_teardown(test_indent_tab_and_comments, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_indentation_setting, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_copy_cut_paste, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_mouse, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_utf8_and_wide_characters, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_highlighting, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_definition_references_hover, tfx_setup,
                                        tfx_teardown),
        cmocka_unit_test_setup_teardown(test_completion, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_preview_selection, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_problem_marks, tfx_setup, tfx_teardown),
    };
    if (getenv("TEST_FILTER")) cmocka_set_test_filter(getenv("TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
