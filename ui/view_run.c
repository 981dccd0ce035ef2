/*
 * view_run.c - the Run panel: the running or last update, a line per flow
 * with its state, rows (and bytes of files read), time and what its
 * expectations or CDC did; F5 runs, S-F5 runs a full refresh, C-c cancels.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

typedef struct run_view {
    view base;
    ui_list list;
    int rows_shown;
} run_view;

static const char *const help[] = {
    "F5           run the pipeline",
    "S-F5         run it with a full refresh",
    "C-c          cancel the running update (the running flow rolls back)",
    "Enter        open the selected flow's dataset in the data grid",
    NULL};

static ui_role state_role(const char *s)
{
    if (!strcmp(s, "COMPLETED")) return R_COMPLETED;
    if (!strcmp(s, "FAILED")) return R_FAILED;
    if (!strcmp(s, "RUNNING")) return R_RUNNING;
    if (!strcmp(s, "QUEUED")) return R_QUEUED;
    if (!strcmp(s, "CANCELED") || !strcmp(s, "STOPPED")) return R_CANCELED;
    return R_SKIPPED;
}

static void draw_header(const app_update *u, ui_canvas *c, int cols)
{
    char head[256];
    if (!u->id && !u->running) {
        ui_text(c, 0, 1, -1, "No update yet.  F5 runs the pipeline, S-F5 with a full refresh.",
                R_MUTED, 0, true);
        return;
    }
    if (u->running)
        snprintf(head, sizeof head, "Update #%lld  RUNNING  %d/%d flows   C-c cancels",
                 (long long)u->id, u->done, u->total);
    else
        snprintf(head, sizeof head, "Update #%lld  %s  %d/%d flows%s%s", (long long)u->id,
                 u->state, u->done, u->total, u->error ? "   " : "", u->error ? u->error : "");
    ui_text(c, 0, 1, cols - 2, head, state_role(u->running ? "RUNNING" : u->state), UI_BOLD,
            true);
}

static void draw(view *v, ui_canvas *c, bool focused)
{
    run_view *rv = (run_view *)v;
    const app_update *u = app_update_state(v->a);
    ui_rect r = ui_canvas_rect(c);
    draw_header(u, c, r.cols);
    rv->rows_shown = r.rows - 1;
    rv->list.n = (int)u->flows.n;
    ui_list_fit(&rv->list, rv->rows_shown);
    for (int row = 0; row < rv->rows_shown && rv->list.top + row < rv->list.n; row++) {
        const app_flow_state *f = &u->flows.v[rv->list.top + row];
        bool sel = rv->list.top + row == rv->list.sel && focused;
        ui_role base = sel ? R_SELECTION : R_NORMAL;
        if (sel) ui_fill(c, (ui_rect){row + 1, 0, 1, r.cols}, base);
        char name[96];
        if (strcmp(f->dataset, f->flow)) snprintf(name, sizeof name, "%s <- %s", f->dataset, f->flow);
        else snprintf(name, sizeof name, "%s", f->dataset);
        ui_text(c, row + 1, 1, 30, name, base, 0, true);
        const char *st = f->up_to_date ? "UP TO DATE" : f->state;
        ui_text(c, row + 1, 32, 11, st, sel ? base : state_role(f->state), 0, false);
        char nums[96] = "";
        if (!strcmp(f->state, "RUNNING") && f->bytes_total > 0)
            snprintf(nums, sizeof nums, "%10lld %-4s %5.1f/%.1f MB", (long long)f->rows,
                     f->rows == 1 ? "row" : "rows",
                     f->bytes / 1e6, f->bytes_total / 1e6);
        else if (!strcmp(f->state, "RUNNING") || (!f->up_to_date && strcmp(f->state, "QUEUED") &&
                                                  strcmp(f->state, "SKIPPED") &&
                                                  strcmp(f->state, "EXCLUDED")))
            snprintf(nums, sizeof nums, "%10lld %-4s %7.2fs", (long long)f->rows,
                     f->rows == 1 ? "row" : "rows", f->ms / 1000);
        int used = ui_text(c, row + 1, 44, r.cols - 45, nums, base, 0, true);
        if (f->summary && *f->summary)
            ui_text(c, row + 1, 46 + used, r.cols - 47 - used, f->summary,
                    sel ? base : strcmp(f->state, "FAILED") ? R_WARNING : R_ERROR, 0, true);
    }
}

static bool key(view *v, const ui_event *e)
{
    run_view *rv = (run_view *)v;
    if (view_list_key(v, &rv->list, rv->rows_shown, e)) return true;
    const app_update *u = app_update_state(v->a);
    if (!strcmp(e->key, "Enter") && rv->list.sel >= 0 && (size_t)rv->list.sel < u->flows.n) {
        app_open_table(v->a, u->flows.v[rv->list.sel].dataset);
        return true;
    }
    return false;
}

static bool mouse(view *v, const ui_event *e, int row, int col)
{
    (void)col;
    run_view *rv = (run_view *)v;
    view_list_mouse(v, &rv->list, rv->rows_shown, e, row - 1, NULL);
    return true;
}

static void free_view(view *v)
{
    free(v);
}

static const view_ops ops = {
    .title = "Run",
    .draw = draw,
    .key = key,
    .mouse = mouse,
    .help = help,
    .free = free_view};

view *run_view_new(app *a)
{
    run_view *rv = view_new(sizeof(*rv), &ops, a);
    return &rv->base;
}
