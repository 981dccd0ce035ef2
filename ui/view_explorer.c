/*
 * view_explorer.c - the Explorer pane: the project's files and its datasets
 * with their kind, state (from the running or last update) and row counts
 * (from the warehouse, read on the query worker). Enter opens a file in the
 * editor or a dataset in the data grid; r refreshes the selected dataset.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "fsutil.h"
#include "warehouse.h"

typedef struct item {
    int kind;          /* 0 heading, 1 file, 2 dataset */
    char *name;        /* owned */
    int dataset;       /* index in the project, for datasets */
} item;

typedef struct explorer {
    view base;
    VEC(item) items;
    ui_list list;
    strvec count_names; /* datasets with a known row count ... */
    VEC(int64_t) counts; /* ... and the counts */
    int rows_shown;
} explorer;

static const char *const help[] = {
    "Up/Down      move",
    "Enter        open the file, or the dataset in the data grid",
    "r            refresh the selected dataset (an update of it alone)",
    NULL};

static void clear_items(explorer *x)
{
    for (size_t i = 0; i < x->items.n; i++) free(x->items.v[i].name);
    x->items.n = 0;
}

static void push(explorer *x, int kind, const char *name, int dataset)
{
    item it = {kind, xstrdup(name), dataset};
    VEC_PUSH(&x->items, it);
}

/* ---- row counts, read on the query worker ---- */

typedef struct counts_job {
    app *a;
    explorer *x;
    char *warehouse;
    strvec names;
    VEC(int64_t) counts;
} counts_job;

static void counts_done(app *a, void *arg)
{
    counts_job *j = arg;
    strvec_free(&j->x->count_names);
    VEC_FREE(&j->x->counts);
    j->x->count_names = j->names;
    j->x->counts.v = j->counts.v;
    j->x->counts.n = j->counts.n;
    j->x->counts.cap = j->counts.cap;
    app_dirty(a, &j->x->base);
    free(j->warehouse);
    free(j);
}

static void counts_run(void *arg)
{
    counts_job *j = arg;
    sqlite3 *db = NULL;
    if (fs_exists(j->warehouse) && wh_open(j->warehouse, true, &db, NULL) == 0) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "SELECT name, rows FROM _tarn_datasets", -1, &st, NULL) ==
            SQLITE_OK)
            while (sqlite3_step(st) == SQLITE_ROW) {
                VEC_PUSH(&j->names, xstrdup((const char *)sqlite3_column_text(st, 0)));
                VEC_PUSH(&j->counts, sqlite3_column_int64(st, 1));
            }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    app_post(j->a, counts_done, j);
}

void explorer_view_reload(view *v)
{
    explorer *x = (explorer *)v;
    const project *p = app_project(v->a);
    clear_items(x);
    push(x, 0, "FILES", -1);
    push(x, 1, MAN_FILE, -1);
    for (size_t i = 0; i < p->files.n; i++) push(x, 1, p->files.v[i].path, -1);
    push(x, 0, "DATASETS", -1);
    for (size_t i = 0; i < p->order.n; i++)
        push(x, 2, p->datasets.v[p->order.v[i]].name, p->order.v[i]);
    for (size_t i = 0; i < p->datasets.n; i++) { /* those on a cycle are not in order */
        bool listed = false;
        for (size_t k = 0; k < p->order.n; k++) listed |= p->order.v[k] == (int)i;
        if (!listed) push(x, 2, p->datasets.v[i].name, (int)i);
    }
    x->list.n = (int)x->items.n;
    if (x->list.sel == 0 && x->items.n > 1) x->list.sel = 1;
    ui_list_fit(&x->list, x->rows_shown > 0 ? x->rows_shown : 10);
    counts_job *j = xcalloc(1, sizeof(*j));
    j->a = v->a;
    j->x = x;
    j->warehouse = prj_warehouse_path(p);
    app_query(v->a, counts_run, j);
    app_dirty(v->a, v);
}

/* ---- drawing ---- */

static const char *state_of(app *a, const char *dataset, ui_role *role)
{
    const app_update *up = app_update_state(a);
    const char *state = NULL;
    for (size_t i = 0; i < up->flows.n; i++)
        if (str_ieq(up->flows.v[i].dataset, dataset)) {
            const char *s = up->flows.v[i].state;
            if (!state || !strcmp(s, "FAILED") || !strcmp(s, "RUNNING")) state = s;
        }
    *role = R_MUTED;
    if (!state) return " ";
    if (!strcmp(state, "COMPLETED")) {
        *role = R_COMPLETED;
        return "✓";
    }
    if (!strcmp(state, "FAILED")) {
        *role = R_FAILED;
        return "✗";
    }
    if (!strcmp(state, "RUNNING")) {
        *role = R_RUNNING;
        return "●";
    }
    if (!strcmp(state, "QUEUED")) {
        *role = R_QUEUED;
        return "○";
    }
    *role = R_SKIPPED;
    return "-";
}

static void draw(view *v, ui_canvas *c, bool focused)
{
    explorer *x = (explorer *)v;
    ui_rect r = ui_canvas_rect(c);
    x->rows_shown = r.rows;
    ui_list_fit(&x->list, r.rows);
    const project *p = app_project(v->a);
    for (int row = 0; row < r.rows && x->list.top + row < x->list.n; row++) {
        const item *it = &x->items.v[x->list.top + row];
        bool sel = x->list.top + row == x->list.sel;
        ui_role base = sel && focused ? R_SELECTION : sel ? R_CURSOR_LINE : R_NORMAL;
        if (sel) ui_fill(c, (ui_rect){row, 0, 1, r.cols}, base);
        if (it->kind == 0) {
            ui_text(c, row, 0, -1, it->name, sel && focused ? base : R_HEADER, 0, true);
            continue;
        }
        if (it->kind == 1) {
            ui_text(c, row, 1, -1, it->name, base, 0, true);
            continue;
        }
        const prj_dataset *d = &p->datasets.v[it->dataset];
        ui_role srole;
        const char *mark = state_of(v->a, d->name, &srole);
        ui_text(c, row, 1, 1, mark, sel && focused ? base : srole, 0, false);
        const char *kind = d->kind == SQL_STREAMING_TABLE ? "ST"
                           : d->kind == SQL_MATERIALIZED_VIEW ? "MV" : "TV";
        char right[32] = "";
        int k = strvec_find(&x->count_names, d->name);
        if (k >= 0) snprintf(right, sizeof right, "%lld %s", (long long)x->counts.v[k], kind);
        else snprintf(right, sizeof right, "%s", kind);
        int rw = (int)strlen(right);
        ui_text(c, row, 3, r.cols - 4 - rw, d->name, base, 0, true);
        ui_text(c, row, r.cols - rw, rw, right, sel && focused ? base : R_MUTED, 0, false);
    }
}

static void open_selected(explorer *x)
{
    if (x->list.sel < 0 || (size_t)x->list.sel >= x->items.n) return;
    const item *it = &x->items.v[x->list.sel];
    app *a = x->base.a;
    if (it->kind == 1) {
        app_open_file(a, it->name, 1);
    } else if (it->kind == 2) {
        const prj_dataset *d = &app_project(a)->datasets.v[it->dataset];
        if (d->kind == SQL_TEMP_VIEW)
            app_say(a, "'%s' is a temporary view: it is not stored (see it with tarn "
                       "preview %s)", d->name, d->name);
        else
            app_open_table(a, d->name);
    }
}

static bool key(view *v, const ui_event *e)
{
    explorer *x = (explorer *)v;
    if (view_list_key(v, &x->list, x->rows_shown, e)) return true;
    if (!strcmp(e->key, "Enter")) {
        open_selected(x);
        return true;
    }
    if (!strcmp(e->key, "r") && (size_t)x->list.sel < x->items.n &&
        x->items.v[x->list.sel].kind == 2) {
        app_run_update(v->a, false, x->items.v[x->list.sel].name);
        return true;
    }
    return false;
}

static bool mouse(view *v, const ui_event *e, int row, int col)
{
    (void)col;
    explorer *x = (explorer *)v;
    bool activate;
    view_list_mouse(v, &x->list, x->rows_shown, e, row, &activate);
    if (activate) open_selected(x); /* a second click opens */
    return true;
}

static void free_view(view *v)
{
    explorer *x = (explorer *)v;
    clear_items(x);
    VEC_FREE(&x->items);
    strvec_free(&x->count_names);
    VEC_FREE(&x->counts);
    free(x);
}

static const view_ops ops = {
    .title = "Explorer",
    .draw = draw,
    .key = key,
    .mouse = mouse,
    .help = help,
    .free = free_view};

view *explorer_view_new(app *a)
{
    explorer *x = view_new(sizeof(*x), &ops, a);
    return &x->base;
}
