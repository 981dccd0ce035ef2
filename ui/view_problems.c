/*
 * view_problems.c - the Problems panel: what the dry run found, as
 * file:line:col and message; Enter shows the place in the editor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

typedef struct problems_view {
    view base;
    ui_list list;
    int rows_shown;
} problems_view;

static const char *const help[] = {
    "Up/Down      move",
    "Enter        show the place in the editor",
    "F7           validate again",
    NULL};

static void draw(view *v, ui_canvas *c, bool focused)
{
    problems_view *pv = (problems_view *)v;
    const diag_list *d = app_problems(v->a);
    ui_rect r = ui_canvas_rect(c);
    pv->rows_shown = r.rows;
    pv->list.n = (int)d->items.n;
    ui_list_fit(&pv->list, r.rows);
    if (!d->items.n) {
        if (app_validating(v->a))
            ui_text(c, 0, 1, -1, "Validating...", R_MUTED, 0, true);
        else
            ui_text(c, 0, 1, -1, "No problems: the pipeline validates.  (F7 validates again)",
                    R_SUCCESS, 0, true);
        return;
    }
    for (int row = 0; row < r.rows && pv->list.top + row < pv->list.n; row++) {
        const diag *g = &d->items.v[pv->list.top + row];
        bool sel = pv->list.top + row == pv->list.sel && focused;
        ui_role base = sel ? R_SELECTION : R_NORMAL;
        if (sel) ui_fill(c, (ui_rect){row, 0, 1, r.cols}, base);
        ui_role lvl = g->level == DIAG_ERROR ? R_ERROR : g->level == DIAG_WARNING ? R_WARNING
                                                                                   : R_INFO;
        int col = 1 + ui_text(c, row, 1, 8, diag_level_name(g->level), sel ? base : lvl, 0, false);
        char where[160] = "";
        if (g->file) snprintf(where, sizeof where, "%s:%d:%d", g->file, g->line, g->col);
        col += 1 + ui_text(c, row, col + 1, 48, where, sel ? base : R_MUTED, 0, true);
        ui_text(c, row, col + 1, r.cols - col - 2, g->msg, base, 0, true);
    }
}

static void open_selected(problems_view *pv)
{
    const diag_list *d = app_problems(pv->base.a);
    if (pv->list.sel < 0 || (size_t)pv->list.sel >= d->items.n) return;
    const diag *g = &d->items.v[pv->list.sel];
    if (g->file) app_open_file(pv->base.a, g->file, g->line > 0 ? g->line : 1);
}

static bool key(view *v, const ui_event *e)
{
    problems_view *pv = (problems_view *)v;
    if (view_list_key(v, &pv->list, pv->rows_shown, e)) return true;
    if (!strcmp(e->key, "Enter")) {
        open_selected(pv);
        return true;
    }
    return false;
}

static bool mouse(view *v, const ui_event *e, int row, int col)
{
    (void)col;
    problems_view *pv = (problems_view *)v;
    bool activate;
    view_list_mouse(v, &pv->list, pv->rows_shown, e, row, &activate);
    if (activate) open_selected(pv);
    return true;
}

static void free_view(view *v)
{
    free(v);
}

static const view_ops ops = {
    .title = "Problems",
    .draw = draw,
    .key = key,
    .mouse = mouse,
    .help = help,
    .free = free_view};

view *problems_view_new(app *a)
{
    problems_view *pv = view_new(sizeof(*pv), &ops, a);
    return &pv->base;
}
