/*
 * app_designer.c - the Designer view's host (see designer/view_designer.h):
 * the shell's prompts and pick lists, the loaded project and the latest dry
 * run's schemas, each dataset's state from the running (or last) update or
 * the warehouse, and what the designer asks for: reloading after it wrote
 * files, previews, the SQL in the editor, refreshing a dataset.
 */
#include <stdlib.h>
#include <string.h>

#include "app_int.h"
#include "view_designer.h"

static void host_redraw(void *ctx)
{
    app *a = ctx;
    app_dirty(a, a->main_views[TAB_DESIGNER]);
}

static const project *host_project(void *ctx)
{
    app *a = ctx;
    return a->loaded ? &a->p : NULL;
}

static const val_result *host_schemas(void *ctx)
{
    app *a = ctx;
    return a->has_schemas ? &a->schemas : NULL;
}

/* The update's state of the dataset's flows, or of the flow called name
 * (the last one to report wins: a failure shows), else what the warehouse
 * holds. */
static const char *host_state(void *ctx, const char *name, int64_t *rows, double *secs)
{
    app *a = ctx;
    const char *st = NULL;
    for (size_t i = 0; i < a->up.flows.n; i++) {
        const app_flow_state *f = &a->up.flows.v[i];
        bool mine = str_ieq(f->dataset, name) || (f->flow && str_ieq(f->flow, name));
        if (!mine || !strcmp(f->state, "EXCLUDED")) continue;
        st = f->state;
        *rows = f->rows;
        *secs = f->ms >= 0 ? f->ms / 1000 : -1;
        if (!strcmp(st, "FAILED")) break;
    }
    if (st) return st;
    const ls_dataset *d = a->has_model ? ls_dataset_named(&a->model, name) : NULL;
    if (!d || d->rows < 0) return NULL;
    *rows = d->rows;
    return "STORED";
}

static void host_changed(void *ctx)
{
    app_reload(ctx);
}

static void host_preview(void *ctx, const char *name, bool show)
{
    app_preview(ctx, show, name, NULL, NULL, 0, NULL);
}

static void host_open_sql(void *ctx, const char *file, int line)
{
    app_open_file(ctx, file, line);
}

static void host_refresh(void *ctx, const char *name)
{
    app *a = ctx;
    app_run_update(a, false, name);
    app_show_bottom(a, TAB_RUN);
    app_focus(a, PANE_MAIN);
}

view *app_designer_new(app *a)
{
    dg_host h = {
        .ctx = a,
        .say = app_view_say,
        .redraw = host_redraw,
        .prompt = app_view_prompt,
        .pick = app_view_pick,
        .project = host_project,
        .schemas = host_schemas,
        .state = host_state,
        .changed = host_changed,
        .preview = host_preview,
        .open_sql = host_open_sql,
        .refresh = host_refresh,
    };
    view *v = dg_view_new(&h);
    v->a = a;
    return v;
}
