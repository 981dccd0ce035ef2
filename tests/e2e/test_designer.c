/*
 * test_designer.c - the Designer view tested as a person uses it: tarn runs
 * in a pseudo-terminal (tests/support/tui.h) on a fresh copy of the demo
 * project, keys and mouse go in, the screen is read back, and the project's
 * files (the SQL written, the positions in tarn.json) are checked on disk.
 *
 * Layout at 34x120: the Designer's top line (the node picked, or the
 * graph's size) is screen row 1; boxes are found on the screen by their top
 * border "╭─name", never assumed to be anywhere.
 *
 * TEST_FILTER=pattern runs only the tests whose names match.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "testsupport.h"
#include "tuifx.h"

#define ROWS 34
#define COLS 120
#define SEE TFX_SEE
#define DESIGNER_SQL "transformations/designer.sql"

/* ======================= helpers ======================= */

static tui *start_at(tfx *f, int rows, int cols)
{
    tui *t = tfx_start(f, rows, cols, NULL);
    tfx_ready(t);
    tui_key(t, "M-2");
    SEE(t, " nodes · compact");
    return t;
}

static tui *start(tfx *f)
{
    return start_at(f, ROWS, COLS);
}

#define gone(t, text) TFX_GONE((t), (text))

#define FIND TFX_FIND

static void click(tui *t, int row, int col)
{
    tui_mouse(t, 0, row, col, true);
    tui_mouse(t, 0, row, col, false);
    tui_pump(t, 100);
}

/* The top-left corner of node name's box on the screen. */
#define BOX(t, name, row, col) box_at((t), (name), (row), (col), __FILE__, __LINE__)
static void box_at(tui *t, const char *name, int *row, int *col, const char *file, int line)
{
    char top[128];
    snprintf(top, sizeof top, "╭─%s─", name);
    tfx_find(t, top, row, col, file, line);
}

/* Clicks inside node name's box (under its name) and waits until the top
 * line says it is the node picked. */
static void pick_box(tui *t, const char *name)
{
    int r, c;
    BOX(t, name, &r, &c);
    click(t, r + 1, c + 3);
    char said[128];
    snprintf(said, sizeof said, " %s: ", name);
    SEE(t, said);
}

#define answer(t, title, text) TFX_ANSWER((t), (title), (text))

/* A pick list: waits for it, types to filter, Enter on the first match
 * (the next pick of a form may open at once: its title differs). */
static void choose(tui *t, const char *title, const char *item)
{
    char top[128];
    snprintf(top, sizeof top, "┌ %s", title);
    SEE(t, top);
    tui_send(t, item);
    tui_pump(t, 100);
    tui_key(t, "Enter");
    gone(t, top);
}

/* Clicks the form's row labelled label: it asks for its value. */
static void form_row(tui *t, const char *label)
{
    int r, c;
    FIND(t, label, &r, &c);
    click(t, r, c);
}

/* a: a node of type title called name, after the node picked (if any);
 * waits for its form. */
static void add_node(tui *t, const char *title, const char *name)
{
    tui_key(t, "a");
    choose(t, "Add a node", title);
    answer(t, "Name of the new node", name);
    char form[128];
    snprintf(form, sizeof form, "New %s: %s", title, name);
    SEE(t, form);
}

/* C-s in a form: the node is written. */
static void write_form(tui *t, const char *name)
{
    tui_key(t, "C-s");
    char said[128];
    snprintf(said, sizeof said, "Added %s in", name);
    SEE(t, said);
    gone(t, "C-s write");
}

/* p on the node picked: its rows in the Data tab; then back. */
static void preview_picked(tui *t, const char *name, const char *column)
{
    tui_key(t, "p");
    char said[128];
    snprintf(said, sizeof said, "Preview of %s: ", name);
    SEE(t, said);
    SEE(t, column); /* a column header of the grid */
    tui_key(t, "M-2");
    SEE(t, "╭─");
}

static char *read_project_file(tfx *f, const char *rel)
{
    char *path = ts_path(f->demo, rel);
    char *text = fs_exists(path) ? fs_read(path, NULL, NULL) : NULL;
    free(path);
    return text;
}

static void write_project_file(tfx *f, const char *rel, const char *text)
{
    assert_int_equal(ts_write_file(f->demo, rel, text), 0);
}

/* The saved position of node name in tarn.json; false when none. */
static bool saved_position(tfx *f, const char *name, int *x, int *y)
{
    char *text = read_project_file(f, "tarn.json");
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "designer"),
                                         "positions"),
        name);
    bool ok = cJSON_IsArray(pos) && cJSON_GetArraySize(pos) == 2;
    if (ok) {
        *x = cJSON_GetArrayItem(pos, 0)->valueint;
        *y = cJSON_GetArrayItem(pos, 1)->valueint;
    }
    cJSON_Delete(root);
    return ok;
}

/* Waits (up to 5 s) until node name's saved position is x, y. */
#define POSITION(f, t, name, x, y) position_is((f), (t), (name), (x), (y), __FILE__, __LINE__)
static void position_is(tfx *f, tui *t, const char *name, int x, int y, const char *file, int line)
{
    int px = -1, py = -1;
    for (int i = 0; i < 100; i++) {
        if (saved_position(f, name, &px, &py) && px == x && py == y) return;
        tui_pump(t, 50);
    }
    tui_dump(t);
    fail_msg("%s:%d: %s is saved at %d,%d, not %d,%d", file, line, name, px, py, x, y);
}

/* The text of n cells of row from col on (caller frees). */
static char *cells(tui *t, int row, int col, int n)
{
    sb b = {0};
    for (int i = 0; i < n; i++) {
        tui_cell cell = tui_cell_at(t, row, col + i);
        sb_add(&b, cell.text[0] ? cell.text : " ");
    }
    return sb_take(&b);
}

/* Waits until the state line of node name's box (its third row) holds
 * text; fails with the screen dumped. */
#define BOX_STATE(t, name, text) box_state((t), (name), (text), __FILE__, __LINE__)
static void box_state(tui *t, const char *name, const char *text, const char *file, int line)
{
    int r, c;
    char *got = NULL;
    for (int i = 0; i < 100; i++) {
        box_at(t, name, &r, &c, file, line);
        free(got);
        got = cells(t, r + 2, c, 26);
        if (strstr(got, text)) break;
        tui_pump(t, 50);
    }
    if (!strstr(got, text)) {
        tui_dump(t);
        fail_msg("%s:%d: %s's box says '%s', not '%s'", file, line, name, got, text);
    }
    free(got);
}

/* The text of the screen row holding text (caller frees). */
static char *row_with(tui *t, const char *text)
{
    int r, c;
    FIND(t, text, &r, &c);
    return tui_row(t, r);
}

/* ======================= the walk ======================= */

static const char *const WALK_SQL =
    "CREATE OR REFRESH STREAMING TABLE web_orders\n"
    "AS SELECT * FROM STREAM read_files('data/orders/*.jsonl', format => 'json');\n"
    "\n"
    "CREATE TEMPORARY VIEW big_orders AS\n"
    "SELECT *\n"
    "FROM web_orders\n"
    "WHERE amount > 20;\n"
    "\n"
    "CREATE TEMPORARY VIEW status_revenue AS\n"
    "SELECT status, sum(amount) AS revenue\n"
    "FROM big_orders\n"
    "GROUP BY status;\n"
    "\n"
    "CREATE OR REFRESH MATERIALIZED VIEW revenue_by_status (\n"
    "  CONSTRAINT positive EXPECT (revenue > 0) ON VIOLATION DROP ROW\n"
    ")\n"
    "AS SELECT * FROM status_revenue;\n";

/* Source -> filter -> aggregate -> output built with the mouse and forms on
 * the demo data, each step previewed, then run: the nodes show their state;
 * the SQL written is exactly what a person would write, and no other file
 * changed. */
static void test_build_preview_run(void **state)
{
    tfx *f = *state;
    char *silver = read_project_file(f, "transformations/02_silver.sql");
    tui *t = start(f);

    /* a source of files */
    add_node(t, "Read files", "web_orders");
    form_row(t, "File pattern");
    answer(t, "File pattern (", "data/orders/*.jsonl");
    form_row(t, "Format");
    choose(t, "Format", "json");
    SEE(t, "read_files('data/orders/*.jsonl', format => 'json')"); /* the SQL it will write */
    write_form(t, "web_orders");
    BOX(t, "web_orders", &(int){0}, &(int){0});
    SEE(t, " web_orders: Read files"); /* the new node is the one picked */
    preview_picked(t, "web_orders", "order_id");

    /* a filter after it: amount > 20, the column picked from the real ones */
    add_node(t, "Filter rows", "big_orders");
    SEE(t, "FROM web_orders"); /* its input: the node picked */
    form_row(t, "+ add");
    choose(t, "Column", "amount");
    choose(t, "Operator", ">");
    answer(t, "Value (a number or text", "20");
    SEE(t, "WHERE amount > 20;");
    write_form(t, "big_orders");
    preview_picked(t, "big_orders", "amount");

    /* revenue per status */
    add_node(t, "Aggregate", "status_revenue");
    form_row(t, "Group by");
    choose(t, "Group by", "status");
    form_row(t, "+ add");
    choose(t, "Function", "sum");
    choose(t, "Column", "amount");
    answer(t, "Name (the result column's name", "revenue");
    SEE(t, "GROUP BY status;");
    write_form(t, "status_revenue");
    preview_picked(t, "status_revenue", "revenue");

    /* stored, with an expectation */
    add_node(t, "Output", "revenue_by_status");
    form_row(t, "+ add");
    answer(t, "Name (e.g. positive_amount)", "positive");
    answer(t, "Condition (what every row", "revenue > 0");
    choose(t, "On violation", "drop");
    SEE(t, "ON VIOLATION DROP ROW");
    write_form(t, "revenue_by_status");
    char *row = row_with(t, "╭─revenue_by_status");
    free(row);
    row = row_with(t, "⚑1"); /* its expectation shows on the node */
    free(row);
    preview_picked(t, "revenue_by_status", "revenue");

    char *sql = read_project_file(f, DESIGNER_SQL);
    assert_non_null(sql);
    assert_string_equal(sql, WALK_SQL);
    free(sql);
    char *silver_now = read_project_file(f, "transformations/02_silver.sql");
    assert_string_equal(silver_now, silver);
    free(silver_now);
    free(silver);

    /* run: the stored nodes turn done, with their rows */
    tui_key(t, "F5");
    SEE(t, "COMPLETED");
    BOX_STATE(t, "revenue_by_status", "✓ 1 row "); /* one status has orders over 20 */
    BOX_STATE(t, "big_orders", "not stored");
    tui_key(t, "Home"); /* the view's top-left: the sources and the flows */
    tui_key(t, "j");    /* and 4 rows down */
    BOX_STATE(t, "web_orders", "✓ 11 rows");
    BOX_STATE(t, "customers_cdc", "✓ 5 rows"); /* a flow shows its own run */
}

/* ======================= arranging ======================= */

/* A node dragged with the mouse moves on the screen, its edges follow, and
 * its position is saved in tarn.json: a second drag moves it by exactly
 * the cells dragged. */
static void test_drag_saves_position(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    int x0, y0, r, c;
    assert_false(saved_position(f, "orders", &x0, &y0)); /* the demo has none */
    BOX(t, "orders", &r, &c);
    tui_drag(t, 0, r + 1, c + 3, r + 3, c + 7);
    tui_mouse(t, 0, r + 3, c + 7, false);
    int r1, c1;
    for (int i = 0; i < 100; i++) {
        box_at(t, "orders", &r1, &c1, __FILE__, __LINE__);
        if (r1 == r + 2 && c1 == c + 4) break;
        tui_pump(t, 50);
    }
    assert_int_equal(r1, r + 2);
    assert_int_equal(c1, c + 4);
    for (int i = 0; i < 100 && !saved_position(f, "orders", &x0, &y0); i++) tui_pump(t, 50);
    assert_true(saved_position(f, "orders", &x0, &y0));
    /* every node was saved, so the picture stays as it is */
    int x, y;
    assert_true(saved_position(f, "orders_raw", &x, &y));
    assert_true(saved_position(f, "customers_history_cdc", &x, &y));

    /* the edge from orders_raw still ends at orders' left side */
    char *left = tui_row(t, r1 + 1);
    int arrow_col = -1;
    for (int i = 0; i < 100 && arrow_col < 0; i++) {
        tui_cell cell = tui_cell_at(t, r1 + 1, c1 - 1);
        if (!strcmp(cell.text, "▶")) arrow_col = c1 - 1;
        else tui_pump(t, 50);
    }
    free(left);
    if (arrow_col < 0) tui_dump(t);
    assert_int_equal(arrow_col, c1 - 1);

    tui_drag(t, 0, r1 + 1, c1 + 3, r1 + 2, c1 + 8);
    tui_mouse(t, 0, r1 + 2, c1 + 8, false);
    POSITION(f, t, "orders", x0 + 5, y0 + 1);
}

/* Everything from the keyboard: arrows pick the next node that way, the
 * top line says which; Shift+arrows move it (saved); z zooms to boxes with
 * columns; L lays the graph out again. */
static void test_keyboard_only(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    tui_key(t, "Right"); /* nothing picked: the first node */
    SEE(t, " orders_raw: SQL, transformations/01_bronze.sql:5");
    tui_key(t, "Right");
    SEE(t, " orders: SQL, transformations/02_silver.sql:");
    int x, y;
    tui_key(t, "S-Right");
    tui_key(t, "S-Right");
    tui_key(t, "S-Down");
    tui_pump(t, 1000); /* each is saved; the last one counts */
    assert_true(saved_position(f, "orders", &x, &y));
    tui_key(t, "S-Left");
    POSITION(f, t, "orders", x - 2, y); /* 2 columns a step: cells are tall */

    /* detailed boxes list the columns from the dry run */
    tui_key(t, "Esc"); /* nothing picked: the top line tells the zoom */
    tui_pump(t, 300);  /* (Esc then a key at once would be Alt+key) */
    tui_key(t, "z");
    SEE(t, " nodes · detailed");
    SEE(t, "order_date");
    tui_key(t, "z");
    SEE(t, " nodes · compact");
    gone(t, "order_date");

    /* pan: the boxes move left on the screen */
    int r, c, r2, c2;
    BOX(t, "orders", &r, &c);
    tui_key(t, "l");
    for (int i = 0; i < 100; i++) {
        box_at(t, "orders", &r2, &c2, __FILE__, __LINE__);
        if (c2 == c - 8) break;
        tui_pump(t, 50);
    }
    assert_int_equal(c2, c - 8);
    tui_key(t, "Home");

    tui_key(t, "L");
    answer(t, "Lay the whole graph out again", "y");
    SEE(t, "Laid out: ");
}

/* Shift+arrows held down save tarn.json once the keys pause, not every
 * step; quitting at once (or any other command) still saves the last one. */
static void test_keyboard_moves_kept_on_quit(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    tui_key(t, "Right");
    tui_key(t, "Right");
    SEE(t, " orders: SQL, transformations/02_silver.sql:");
    tui_key(t, "S-Right");
    int x = -1, y = -1;
    for (int i = 0; i < 100 && !saved_position(f, "orders", &x, &y); i++) tui_pump(t, 50);
    assert_true(x >= 0); /* saved after the pause */
    for (int i = 0; i < 5; i++) tui_key(t, "S-Right");
    tui_key(t, "S-Down");
    tui_key(t, "C-q");
    assert_int_equal(tui_wait_exit(t, 5000), 0);
    int x2, y2;
    assert_true(saved_position(f, "orders", &x2, &y2));
    assert_int_equal(x2, x + 10);
    assert_int_equal(y2, y + 1);
}

/* A rubber band (Shift+drag on empty canvas) picks the boxes inside it;
 * dragging one of them moves them all. */
static void test_rubber_band_moves_together(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    int r1, c1, r2, c2;
    BOX(t, "orders_raw", &r1, &c1);
    BOX(t, "customer_changes", &r2, &c2);
    /* from above-left of orders_raw to below-right of customer_changes */
    int w = 0;
    char *row = tui_row(t, r2);
    const char *end = strstr(row + c2, "╮");
    for (const char *p = row + c2; end && p < end;) { /* cells up to the corner */
        unsigned char ch = (unsigned char)*p;
        p += ch < 0x80 ? 1 : ch < 0xe0 ? 2 : ch < 0xf0 ? 3 : 4;
        w++;
    }
    free(row);
    assert_true(w > 0);
    tui_drag(t, 4 /* Shift */, r1 - 1 < 2 ? 2 : r1 - 1, c1, r2 + 4, c2 + w + 1);
    tui_mouse(t, 4, r2 + 4, c2 + w + 1, false);
    tui_pump(t, 300);
    /* drag orders_raw: customer_changes comes along */
    tui_drag(t, 0, r1 + 1, c1 + 3, r1 + 2, c1 + 5);
    tui_mouse(t, 0, r1 + 2, c1 + 5, false);
    int nr1, nc1, nr2, nc2;
    for (int i = 0; i < 100; i++) {
        box_at(t, "orders_raw", &nr1, &nc1, __FILE__, __LINE__);
        box_at(t, "customer_changes", &nr2, &nc2, __FILE__, __LINE__);
        if (nr1 == r1 + 1 && nr2 == r2 + 1) break;
        tui_pump(t, 50);
    }
    assert_int_equal(nr1, r1 + 1);
    assert_int_equal(nc1, c1 + 2);
    assert_int_equal(nr2, r2 + 1);
    assert_int_equal(nc2, c2 + 2);
    int x1, y1, x2, y2;
    for (int i = 0; i < 100 && !saved_position(f, "customer_changes", &x2, &y2); i++)
        tui_pump(t, 50);
    assert_true(saved_position(f, "orders_raw", &x1, &y1));
    assert_true(saved_position(f, "customer_changes", &x2, &y2));
    assert_int_equal(x2 - x1, nc2 - nc1);
    assert_int_equal(y2 - y1, nr2 - nr1);
}

/* ======================= one format, both ways ======================= */

static const char *const TWO_NODES =
    "-- made in the designer\n"
    "CREATE OR REFRESH STREAMING TABLE web_orders\n"
    "AS SELECT * FROM STREAM read_files('data/orders/*.jsonl', format => 'json');\n"
    "\n"
    "CREATE TEMPORARY VIEW big_orders AS\n"
    "SELECT *\n"
    "FROM web_orders\n"
    "WHERE amount > 20;\n";

/* The generated SQL opened in the editor (e), changed and saved there: the
 * graph follows (the filter's value in its form, a new node with its edge);
 * a SQL node opens in the editor on Enter. */
static void test_sql_in_editor_updates_graph(void **state)
{
    tfx *f = *state;
    write_project_file(f, DESIGNER_SQL, TWO_NODES);
    tui *t = start(f);
    SEE(t, "12 nodes");
    pick_box(t, "big_orders");
    tui_key(t, "e");
    SEE(t, " Ln 5, Col 1 "); /* the editor, on its CREATE */
    SEE(t, "WHERE amount > 20;");
    /* 20 -> 50 */
    tui_key(t, "C-f");
    SEE(t, "Find");
    tui_send(t, "20;");
    tui_key(t, "Enter");
    tui_key(t, "Esc");
    tui_pump(t, 200);
    tui_send(t, "50;");
    /* and a new statement at the end */
    tui_key(t, "C-End");
    tui_send(t, "\rCREATE TEMPORARY VIEW small_orders AS SELECT * FROM web_orders WHERE amount < 5;");
    tui_key(t, "C-s");
    SEE(t, "Saved");
    tui_key(t, "M-2");
    SEE(t, "small_orders"); /* in the explorer: the project was reloaded */
    pick_box(t, "big_orders");
    SEE(t, " big_orders: Filter rows"); /* still the filter, now over 50 */
    tui_key(t, "Enter");
    SEE(t, "Edit Filter rows: big_orders");
    SEE(t, "value=50");
    tui_key(t, "Esc");
    gone(t, "Edit Filter rows");
    /* small_orders is hand-written: a SQL node, with its real edge, placed
     * next to its input (below what is there) */
    tui_key(t, "j");
    tui_key(t, "j");
    pick_box(t, "small_orders");
    SEE(t, " small_orders: SQL");
    tui_key(t, "Enter");
    SEE(t, " Ln 10, Col 1 ");
    char *sql = read_project_file(f, DESIGNER_SQL);
    assert_non_null(strstr(sql, "WHERE amount > 50;\n"));
    assert_non_null(strstr(sql, "-- made in the designer\n")); /* the comment stays */
    free(sql);
}

/* Connecting by dragging from a node's output port onto another node, a
 * rename (references follow in the SQL) and a delete, from the keys. */
static void test_connect_rename_delete(void **state)
{
    tfx *f = *state;
    write_project_file(f, DESIGNER_SQL,
                       "CREATE TEMPORARY VIEW all_orders AS\n"
                       "SELECT * FROM orders\n"
                       "UNION ALL\n"
                       "SELECT * FROM paid_orders;\n"
                       "\n"
                       "CREATE TEMPORARY VIEW top_orders AS\n"
                       "SELECT *\n"
                       "FROM all_orders\n"
                       "ORDER BY amount DESC\n"
                       "LIMIT 3;\n");
    tui *t = start_at(f, 40, 220); /* wide enough for the whole graph */
    SEE(t, "12 nodes");
    pick_box(t, "all_orders");
    SEE(t, " all_orders: Union");
    /* drag from orders_raw's port (○, right side, first inner row) onto all_orders */
    int r, c, pr = -1, pc = -1;
    BOX(t, "orders_raw", &r, &c);
    for (int col = c + 1; col < COLS; col++) {
        tui_cell cell = tui_cell_at(t, r + 1, col);
        if (!strcmp(cell.text, "○")) {
            pr = r + 1;
            pc = col;
            break;
        }
    }
    assert_true(pc > 0);
    int tr, tc;
    BOX(t, "all_orders", &tr, &tc);
    tui_drag(t, 0, pr, pc, tr + 2, tc + 4);
    tui_mouse(t, 0, tr + 2, tc + 4, false);
    SEE(t, "Changed all_orders");
    char *sql = NULL;
    for (int i = 0; i < 100; i++) {
        free(sql);
        sql = read_project_file(f, DESIGNER_SQL);
        if (strstr(sql, "SELECT * FROM orders_raw;")) break;
        tui_pump(t, 50);
    }
    assert_non_null(strstr(sql, "SELECT * FROM paid_orders\nUNION ALL\nSELECT * FROM orders_raw;"));
    free(sql);

    /* rename: top_orders reads it under its new name */
    pick_box(t, "all_orders");
    tui_key(t, "r");
    answer(t, "Rename to", "every_order");
    SEE(t, "Renamed all_orders to every_order");
    BOX(t, "every_order", &r, &c);
    gone(t, "╭─all_orders─");
    sql = read_project_file(f, DESIGNER_SQL);
    assert_non_null(strstr(sql, "CREATE TEMPORARY VIEW every_order AS\n"));
    assert_non_null(strstr(sql, "FROM every_order\nORDER BY amount DESC"));
    free(sql);

    /* delete: the statement goes, the node too */
    pick_box(t, "top_orders");
    tui_key(t, "x");
    answer(t, "Delete top_orders", "y");
    SEE(t, "Deleted top_orders");
    gone(t, "╭─top_orders─");
    sql = read_project_file(f, DESIGNER_SQL);
    assert_null(strstr(sql, "top_orders"));
    free(sql);
}

/* An edge into a box at the canvas's left edge (here, closing a cycle)
 * ends in an arrow the view shows: it keeps two columns left of the
 * canvas. */
static void test_arrow_into_left_edge(void **state)
{
    tfx *f = *state;
    write_project_file(f, "transformations/03_gold.sql",
                       "CREATE MATERIALIZED VIEW loop_a AS SELECT * FROM loop_b;\n"
                       "CREATE MATERIALIZED VIEW loop_b AS SELECT * FROM loop_a;\n");
    tui *t = start(f);
    int r, c;
    BOX(t, "loop_a", &r, &c);
    bool seen = false;
    for (int k = 0; k < 100 && !seen; k++) {   /* the arrow may come a frame after the box */
        char *left = cells(t, r + 1, c - 1, 1), *below = cells(t, r + 2, c - 1, 1);
        seen = !strcmp(left, "▶") || !strcmp(below, "▶");
        free(left);
        free(below);
        if (!seen) tui_pump(t, 20);
    }
    if (!seen) fail_msg("no arrow left of loop_a:\n%s", tui_screen(t));
}

/* A form says what is wrong as it is filled in (a column that the input
 * does not have), and refuses to write until it is right. */
static void test_form_validation(void **state)
{
    tfx *f = *state;
    tui *t = start(f);
    pick_box(t, "orders");
    add_node(t, "Filter rows", "odd_orders");
    form_row(t, "And where");
    answer(t, "And where (any", "amout > 3");
    SEE(t, "no column 'amout' in orders (did you mean amount?)"); /* as it is typed */
    tui_key(t, "C-s");
    SEE(t, "Not written");
    char *silver = read_project_file(f, "transformations/02_silver.sql");
    assert_null(strstr(silver, "odd_orders")); /* nothing written */
    free(silver);
    form_row(t, "And where");
    answer(t, "And where (any", "amount > 3");
    gone(t, "amout");
    write_form(t, "odd_orders"); /* into its input's file */
    silver = read_project_file(f, "transformations/02_silver.sql");
    assert_non_null(strstr(silver, "\n\nCREATE TEMPORARY VIEW odd_orders AS\nSELECT *\n"
                                   "FROM orders\nWHERE amount > 3;\n"));
    free(silver);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_build_preview_run, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_drag_saves_position, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_keyboard_only, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_keyboard_moves_kept_on_quit, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_rubber_band_moves_together, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_sql_in_editor_updates_graph, tfx_setup,
                                        tfx_teardown),
        cmocka_unit_test_setup_teardown(test_connect_rename_delete, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_form_validation, tfx_setup, tfx_teardown),
        cmocka_unit_test_setup_teardown(test_arrow_into_left_edge, tfx_setup, tfx_teardown),
    };
    if (getenv("TEST_FILTER")) cmocka_set_test_filter(getenv("TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
