/*
 * view_grid.c - the Data grid view: a stored dataset or a query result as a
 * table with a sticky header, typed and aligned columns, horizontal and
 * vertical scrolling, sorting, a filter expression, cell details and column
 * profiles.
 *
 * The model (grid_model.h) does the SQL. Every call into it runs on the
 * query worker (app_query) and hands its result back with app_post; the UI
 * thread only draws from the window of rows it was given last and never
 * waits on SQLite. Requests carry a generation: a newer request (or Esc)
 * bumps it, which drops the older one's result and interrupts its SQL from
 * the progress handler.
 *
 * The window holds a few screens of rows around what is shown. Moving near
 * its edge fetches the next rows after (or before) its last (first) key and
 * merges them in, dropping rows far from the screen, so scrolling is smooth
 * and costs the same at row 10 and at row 9,000,000.
 *
 * This file is the view itself: its actions, keys and mouse, and opening a
 * source. The jobs, the window and their results are in view_grid_jobs.c,
 * drawing in view_grid_draw.c; view_grid_int.h is what they share.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "view_grid_int.h"

/* ======================= actions ======================= */

static void move_rows(grid *g, int drow, int dtop)
{
    if (!g->win || g->win->nrows == 0) return;
    g->cur += drow;
    g->top += dtop;
    grid_clamp_cursor(g);
    grid_prefetch(g);
}

static void go_home(grid *g)
{
    if (g->win && g->win->at_start) {
        g->cur = g->top = 0;
        grid_prefetch(g);
    } else grid_fetch_replace(g, GM_FIRST, NULL, 0, HINT_FIRST);
}

static void go_end(grid *g)
{
    if (g->win && g->win->at_end) {
        g->cur = g->win->nrows - 1;
        g->top = g->cur - g->vis + 1;
        grid_clamp_cursor(g);
        grid_prefetch(g);
    } else grid_fetch_replace(g, GM_LAST, NULL, 0, HINT_LAST);
}

static const char *selected_column(const grid *g)
{
    if (!g->win || g->col < 0 || g->col >= g->win->ncols) return NULL;
    return g->win->cols[g->col];
}

/* s: ascending, descending, off. */
static void sort_column(grid *g, int col)
{
    if (!g->win || col < 0 || col >= g->win->ncols) return;
    const char *name = g->win->cols[col];
    g->col = col;
    if (g->want_sort && !strcmp(g->want_sort, name)) {
        if (!g->want_desc) g->want_desc = true;
        else {
            grid_set_str(&g->want_sort, NULL);
            g->want_desc = false;
        }
    } else {
        grid_set_str(&g->want_sort, name);
        g->want_desc = false;
    }
    grid_fetch_replace(g, GM_FIRST, NULL, 0, HINT_FIRST);
}

static void filter_done(app *a, const char *text, void *ctx)
{
    grid *g = ctx;
    if (!text || !g->win) return;
    const char *p = text;
    while (*p == ' ' || *p == '\t') p++;
    grid_set_str(&g->want_filter, *p ? text : NULL);
    grid_fetch_replace(g, GM_FIRST, NULL, 0, HINT_FIRST);
    app_dirty(a, &g->base);
}

static void ask_filter(grid *g)
{
    if (!g->win) return;
    app_prompt(g->base.a, "Filter rows (SQL expression, e.g. amount > 10 AND city = 'Oslo'; "
                          "empty clears)",
               g->win->filter ? g->win->filter : "", filter_done, g);
}

static void profile(grid *g)
{
    const char *col = selected_column(g);
    if (!col || g->aux_busy) return;
    grid_bump(&g->sh->aux_gen);
    job *j = grid_job_new(g, J_PROFILE);
    j->column = xstrdup(col);
    j->filter = g->win->filter ? xstrdup(g->win->filter) : NULL;
    g->aux_busy = "profiling…";
    grid_job_submit(g, j);
}

/* Enter: the whole value; short ones are in the window already. */
static void detail(grid *g)
{
    const char *col = selected_column(g);
    if (!col || g->win->nrows == 0 || g->aux_busy) return;
    const gm_row *r = &g->win->rows[g->cur];
    const gm_cell *c = &r->cells[g->col];
    if (!c->cut && c->type != GM_BLOB) {
        char *text = gm_detail_format(c->type, c->text, c->text ? strlen(c->text) : 0);
        char *title = xasprintf("%s, rowid %lld", col, (long long)r->rowid);
        app_popup(g->base.a, title, text);
        free(title);
        free(text);
        return;
    }
    grid_bump(&g->sh->aux_gen);
    job *j = grid_job_new(g, J_DETAIL);
    j->column = xstrdup(col);
    j->rowid = r->rowid;
    g->aux_busy = "reading the value…";
    grid_job_submit(g, j);
}

static void reload(grid *g)
{
    if (!g->warehouse) return;
    grid_want_from_window(g); /* the key below is in the window's order */
    if (g->win && g->win->nrows > 0 && !g->sql) {
        gm_key k = gm_page_key(g->win, g->top);
        grid_start_open(g, GM_FROM, &k, HINT_KEEP);
        gm_key_free(&k);
    } else grid_start_open(g, GM_FIRST, NULL, HINT_FIRST);
}

/* Esc or C-c: stops what runs in the foreground (the count goes on). */
static void cancel(grid *g)
{
    if (g->state == ST_OPENING) {
        grid_bump(&g->sh->src_gen);
        grid_bump(&g->sh->page_gen);
        g->state = ST_FAILED;
        grid_set_str(&g->error, g->sql ? "the query was canceled (r runs it again)"
                                  : "opening was canceled (r tries again)");
    }
    if (g->loading) {
        grid_bump(&g->sh->page_gen);
        g->loading = g->ext_after = g->ext_before = false;
        grid_want_from_window(g);
    }
    if (g->aux_busy) {
        grid_bump(&g->sh->aux_gen);
        g->aux_busy = NULL;
    }
    if (!g->win && g->state == ST_READY) grid_set_str(&g->error, "canceled (r reloads)");
    app_say(g->base.a, "canceled");
}

/* A click in the scrollbar: a jump by rowid when unsorted, else a page. */
static void scroll_to(grid *g, int row)
{
    if (!g->win) return;
    double frac = g->vis > 1 ? (double)row / (double)(g->vis - 1) : 0;
    if (frac <= 0) go_home(g);
    else if (frac >= 1) go_end(g);
    else if (!g->win->sort) grid_fetch_replace(g, GM_FRACTION, NULL, frac, HINT_FIRST);
    else move_rows(g, row < g->vis / 2 ? -g->vis : g->vis, row < g->vis / 2 ? -g->vis : g->vis);
}

/* ======================= keys and mouse ======================= */

static bool key_is(const ui_event *e, const char *k)
{
    return !strcmp(e->key, k);
}

static bool grid_key(view *v, const ui_event *e)
{
    grid *g = (grid *)v;
    if ((key_is(e, "Esc") || key_is(e, "C-c")) && grid_busy(g)) {
        cancel(g);
    } else if (key_is(e, "r") && g->warehouse) {
        reload(g);
    } else if (!g->win) {
        return false;
    } else if (key_is(e, "Up") || key_is(e, "k")) {
        move_rows(g, -1, 0);
    } else if (key_is(e, "Down") || key_is(e, "j")) {
        move_rows(g, 1, 0);
    } else if (key_is(e, "PgUp")) {
        move_rows(g, -g->vis, -g->vis);
    } else if (key_is(e, "PgDn") || key_is(e, " ")) {
        move_rows(g, g->vis, g->vis);
    } else if (key_is(e, "Home") || key_is(e, "g")) {
        go_home(g);
    } else if (key_is(e, "End") || key_is(e, "G")) {
        go_end(g);
    } else if (key_is(e, "Left") || key_is(e, "h")) {
        if (g->col > 0) g->col--;
    } else if (key_is(e, "Right") || key_is(e, "l")) {
        if (g->col < g->win->ncols - 1) g->col++;
    } else if (key_is(e, "Enter")) {
        detail(g);
    } else if (key_is(e, "s")) {
        sort_column(g, g->col);
    } else if (key_is(e, "f") || key_is(e, "/")) {
        ask_filter(g);
    } else if (key_is(e, "p")) {
        profile(g);
    } else {
        return false;
    }
    app_dirty(v->a, v);
    return true;
}

/* The column drawn at canvas column x, or -1. */
static int column_at(const grid *g, int x)
{
    for (int i = 0; i < g->shown_n; i++)
        if (x >= g->shown_x[i] && x <= g->shown_x[i] + g->shown_w[i]) return g->shown_col[i];
    return -1;
}

static bool grid_mouse(view *v, const ui_event *e, int row, int col)
{
    grid *g = (grid *)v;
    if (e->mouse == M_WHEEL_UP || e->mouse == M_WHEEL_DOWN) {
        int d = e->mouse == M_WHEEL_UP ? -3 : 3;
        move_rows(g, d, d);
        app_dirty(v->a, v);
        return true;
    }
    if (e->mouse != M_PRESS) return false;
    app_focus(v->a, PANE_MAIN);
    if (!g->win || grid_busy(g)) {
        app_dirty(v->a, v);
        return true;
    }
    if (col == g->canvas_cols - 1 && row >= 1 && row <= g->vis) {
        scroll_to(g, row - 1);
    } else {
        int c = column_at(g, col);
        if (row == 0 && c >= 0) {
            sort_column(g, c);
        } else if (row >= 1 && row <= g->vis && g->top + row - 1 < g->win->nrows) {
            g->cur = g->top + row - 1;
            if (c >= 0) g->col = c;
        }
    }
    app_dirty(v->a, v);
    return true;
}

/* ======================= the view ======================= */

static void grid_free(view *v)
{
    grid *g = (grid *)v;
    grid_shared *sh = g->sh;
    sh->v = NULL;
    grid_bump(&sh->src_gen);
    grid_bump(&sh->page_gen);
    grid_bump(&sh->count_gen);
    grid_bump(&sh->aux_gen);
    gm_page_free(g->win);
    free(g->warehouse);
    free(g->table);
    free(g->sql);
    free(g->name);
    free(g->error);
    free(g->want_sort);
    free(g->want_filter);
    free(g->widths);
    free(g->numeric);
    free(g);
    grid_sh_unref(sh);
}

static const char *const grid_help[] = {
    "Up/Down  move a row (also k/j)",
    "PgUp/PgDn  move a page",
    "Home/End  first/last rows (also g/G)",
    "Left/Right  move a column (also h/l)",
    "Enter  the whole value of the cell (JSON pretty-printed)",
    "s  sort by the column: ascending, descending, off",
    "f or /  filter rows with an SQL expression (empty clears)",
    "p  profile the column: types, nulls, distinct, min/max, histogram",
    "r  reload",
    "Esc or C-c  cancel what is running",
    "mouse  click a cell to select, a header to sort, the scrollbar to jump; wheel scrolls",
    NULL,
};

static const view_ops grid_ops = {
    .title = "Data",
    .draw = grid_draw,
    .key = grid_key,
    .mouse = grid_mouse,
    .help = grid_help,
    .free = grid_free,
};

view *grid_view_new(app *a)
{
    grid *g = xcalloc(1, sizeof(*g));
    g->base.ops = &grid_ops;
    g->base.a = a;
    g->base.dirty = true;
    g->sh = xcalloc(1, sizeof(*g->sh));
    atomic_init(&g->sh->refs, 1);
    atomic_init(&g->sh->src_gen, 0);
    atomic_init(&g->sh->page_gen, 0);
    atomic_init(&g->sh->count_gen, 0);
    atomic_init(&g->sh->aux_gen, 0);
    g->sh->a = a;
    g->sh->v = g;
    g->vis = 20;
    g->total = -1;
    return &g->base;
}

/* Forgets what was open and opens a new source. */
static void open_source(grid *g, const char *warehouse, const char *table, const char *sql)
{
    gm_page_free(g->win);
    g->win = NULL;
    grid_set_str(&g->warehouse, warehouse);
    grid_set_str(&g->table, table);
    grid_set_str(&g->sql, sql);
    grid_set_str(&g->name, table ? table : "query");
    grid_set_str(&g->want_sort, NULL);
    grid_set_str(&g->want_filter, NULL);
    g->want_desc = false;
    g->cur = g->top = g->col = g->left = 0;
    g->total = -1;
    g->counted = 0;
    free(g->widths);
    free(g->numeric);
    g->widths = NULL;
    g->numeric = NULL;
    g->ncols = 0;
    grid_start_open(g, GM_FIRST, NULL, HINT_FIRST);
}

void grid_view_open_table(view *v, const char *warehouse, const char *table)
{
    open_source((grid *)v, warehouse, table, NULL);
}

void grid_view_open_query(view *v, const char *warehouse, const char *sql)
{
    open_source((grid *)v, warehouse, NULL, sql);
}
