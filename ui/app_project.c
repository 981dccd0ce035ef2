/*
 * app_project.c - the project as the shell sees it: loading it, dry runs of
 * what is on disk and of what is typed in the editor (unsaved buffers are
 * overlaid on their files), the model the editor completes from, and the
 * editor's host: previews of the statement under the cursor, refreshing the
 * dataset defined there, and the places a dataset is read.
 *
 * Dry runs and previews run on the query worker, each with a project of its
 * own (the UI's may be reloaded meanwhile); only the latest dry run asked for
 * replaces the problems and the model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app_int.h"
#include "fsutil.h"
#include "preview.h"
#include "validate.h"
#include "vcs.h"
#include "view_designer.h"
#include "view_editor.h"
#include "warehouse.h"

#define PREVIEW_ROWS 10000 /* rows a preview keeps for the grid */

/* ======================= dry runs ======================= */

typedef struct validate_job {
    app *a;
    char *dir;
    strvec params;
    prj_overlay *ov;         /* owned: texts and the array (paths borrowed from ov_paths) */
    strvec ov_paths;
    size_t n_ov;
    int generation;
    diag_list problems;
    ls_model model;
    val_result vr;
} validate_job;

static void validate_job_free(validate_job *j)
{
    for (size_t i = 0; i < j->n_ov; i++) free((char *)j->ov[i].text);
    free(j->ov);
    strvec_free(&j->ov_paths);
    strvec_free(&j->params);
    free(j->dir);
    free(j);
}

/* A model no longer shown, freed off the UI thread (a large project's
 * takes milliseconds). */
static void free_model(void *arg)
{
    ls_model_free(arg);
    free(arg);
}

static void free_schemas(void *arg)
{
    val_free(arg);
    free(arg);
}

static void validate_done(app *a, void *arg)
{
    validate_job *j = arg;
    if (j->generation == atomic_load(&a->validation)) {
        diag_free(&a->problems);
        a->problems = j->problems;
        if (a->has_model) {
            ls_model *old = xmalloc(sizeof(*old));
            *old = a->model;
            app_query(a, free_model, old);
        }
        a->model = j->model;
        a->has_model = true;
        if (a->has_schemas) {
            val_result *old = xmalloc(sizeof(*old));
            *old = a->schemas;
            app_query(a, free_schemas, old);
        }
        a->schemas = j->vr;
        a->has_schemas = true;
        if (a->main_views[TAB_DESIGNER]) dg_view_schemas(a->main_views[TAB_DESIGNER]);
        a->validating = false;
        app_dirty(a, a->bottom_views[TAB_PROBLEMS]);
        app_dirty(a, a->main_views[TAB_EDITOR]);
    } else {
        diag_free(&j->problems);
        ls_model_free(&j->model);
        val_free(&j->vr);
    }
    validate_job_free(j);
}

static void validate_run(void *arg)
{
    validate_job *j = arg;
    if (j->generation != atomic_load(&j->a->validation)) { /* typing went on: a newer one is queued */
        app_post(j->a, validate_done, j);
        return;
    }
    project p;
    prj_load_with(&p, j->dir, &j->params, j->ov, j->n_ov, &j->problems);
    val_run(&p, &j->problems, &j->vr);
    diag_sort(&j->problems);
    ls_model_build(&j->model, &p, &j->vr);
    prj_free(&p);
    app_post(j->a, validate_done, j);
}

/* A dry run of the project with the editor's unsaved text over its files. */
static void validate(app *a)
{
    validate_job *j = xcalloc(1, sizeof(*j));
    j->a = a;
    j->dir = xstrdup(a->dir);
    for (size_t i = 0; i < a->params.n; i++) VEC_PUSH(&j->params, xstrdup(a->params.v[i]));
    view *ed = a->main_views[TAB_EDITOR];
    j->ov = ed ? ed_view_overlays(ed, &j->n_ov) : xcalloc(1, sizeof(prj_overlay));
    for (size_t i = 0; i < j->n_ov; i++) { /* the editor's paths may go with its buffers */
        VEC_PUSH(&j->ov_paths, xstrdup(j->ov[i].path));
        j->ov[i].path = j->ov_paths.v[i];
    }
    j->generation = atomic_fetch_add(&a->validation, 1) + 1;
    a->validating = true;
    app_query(a, validate_run, j);
}

void app_reload(app *a)
{
    if (a->loaded) prj_free(&a->p);
    diag_list quiet = {0}; /* the dry run below reports these too */
    prj_load(&a->p, a->dir, &a->params, &quiet);
    diag_free(&quiet);
    a->loaded = true;
    validate(a);
    free(a->project_name);
    a->project_name = xstrdup(a->p.man.name && *a->p.man.name ? a->p.man.name : a->dir);
    vcs_branch(a->dir, a->branch, &a->git_dirty);
    explorer_view_reload(a->explorer);
    if (a->main_views[TAB_DESIGNER]) dg_view_reload(a->main_views[TAB_DESIGNER]);
    app_dirty(a, NULL);
}

bool app_validating(const app *a)
{
    return a->validating;
}

int app_save_all(app *a)
{
    view *ed = a->main_views[TAB_EDITOR];
    return ed ? ed_view_save_all(ed) : 0;
}

int app_unsaved(const app *a)
{
    const view *ed = a->main_views[TAB_EDITOR];
    return ed ? ed_view_unsaved(ed) : 0;
}

/* ======================= opening things ======================= */

void app_open_table(app *a, const char *dataset)
{
    char *wh = prj_warehouse_path(&a->p);
    grid_view_open_table(a->main_views[TAB_DATA], wh, dataset);
    free(wh);
    app_show_main(a, TAB_DATA);
}

void app_open_query(app *a, const char *sql)
{
    char *wh = prj_warehouse_path(&a->p);
    grid_view_open_query(a->main_views[TAB_DATA], wh, sql);
    free(wh);
    app_show_main(a, TAB_DATA);
}

void app_open_file(app *a, const char *path, int line)
{
    ed_view_open(a->main_views[TAB_EDITOR], path, line);
    app_show_main(a, TAB_EDITOR);
}

/* ======================= previews ======================= */

typedef struct preview_job {
    app *a;
    char *dir;
    strvec params;
    char *dataset;           /* owned: the dataset to preview, or NULL: */
    char *path, *text, *sql; /* owned; sql NULL: the dataset at pos */
    size_t pos;
    char *out;               /* owned: the file the rows go to */
    char *table;             /* owned: the table there (the dataset's name) */
    char *err;               /* owned: why there is nothing to show */
    int64_t rows;
    double ms;
    bool show;               /* show the Data tab when done (else only fill it) */
    int generation;          /* of app.previews when asked for */
    bool stale;              /* a newer preview was asked for before this ran */
} preview_job;

/* Keeps the first PREVIEW_ROWS rows of st's query in table j->table of j->out. */
static int keep_rows(preview_job *j, pv_session *pv, sqlite3_stmt *st)
{
    char *sql = sqlite3_expanded_sql(st);
    unlink(j->out);
    sb q = {0};
    char *file = sqlite3_mprintf("%Q", j->out);
    sb_addf(&q, "ATTACH %s AS tarn_preview; CREATE TABLE tarn_preview.", file);
    sqlite3_free(file);
    sb_add_ident(&q, j->table);
    sb_addf(&q, " AS SELECT * FROM (%s) LIMIT %d", sql ? sql : sqlite3_sql(st), PREVIEW_ROWS);
    sqlite3_free(sql);
    int rc = wh_exec(pv->db, sb_str(&q), &j->err);
    sb_free(&q);
    if (rc == 0) {
        char *count = xasprintf("SELECT count(*) FROM tarn_preview.\"%s\"", j->table);
        sqlite3_stmt *c = NULL;
        if (sqlite3_prepare_v2(pv->db, count, -1, &c, NULL) == SQLITE_OK &&
            sqlite3_step(c) == SQLITE_ROW)
            j->rows = sqlite3_column_int64(c, 0);
        sqlite3_finalize(c);
        free(count);
    }
    wh_exec(pv->db, "DETACH tarn_preview", NULL);
    return rc;
}

static void preview_done(app *a, void *arg)
{
    preview_job *j = arg;
    if (j->stale) {
        /* a newer preview is on its way */
    } else if (j->err) {
        app_say(a, "Preview: %s", j->err);
    } else {
        grid_view_open_table(a->main_views[TAB_DATA], j->out, j->table);
        if (j->show) app_show_main(a, TAB_DATA);
        app_say(a, "Preview of %s: %lld row%s%s in %.0f ms (%s)", j->table, (long long)j->rows,
                j->rows == 1 ? "" : "s", j->rows >= PREVIEW_ROWS ? " (the first ones)" : "",
                j->ms, j->show ? "nothing written to the warehouse" : "3 Data shows them");
    }
    free(j->dir);
    strvec_free(&j->params);
    free(j->dataset);
    free(j->path);
    free(j->text);
    free(j->sql);
    free(j->out);
    free(j->table);
    free(j->err);
    free(j);
}

static void preview_run(void *arg)
{
    preview_job *j = arg;
    if (j->generation != atomic_load(&j->a->previews)) {
        j->stale = true;
        app_post(j->a, preview_done, j);
        return;
    }
    double t0 = time_mono_ms();
    project p;
    diag_list d = {0};
    prj_overlay ov = {j->path, j->text};
    prj_load_with(&p, j->dir, &j->params, &ov, j->path ? 1 : 0, &d);
    pv_session pv = {0};
    sqlite3_stmt *st = NULL;
    int ds = j->sql ? -1 : j->dataset ? prj_dataset_find(&p, j->dataset)
                                      : ls_dataset_at(&p, j->path, j->pos);
    if (!j->sql && ds < 0) {
        j->err = xstrdup("the cursor is in no definition; select a query to preview it");
    } else if (pv_open(&pv, &p, &j->err) == 0 &&
               (j->sql ? pv_prepare_sql(&pv, j->sql, &st, &j->err)
                       : pv_prepare_dataset(&pv, ds, &st, &j->err)) == 0) {
        j->table = xstrdup(j->sql ? "query" : p.datasets.v[ds].name);
        keep_rows(j, &pv, st);
    }
    sqlite3_finalize(st);
    pv_close(&pv);
    diag_free(&d);
    prj_free(&p);
    j->ms = time_mono_ms() - t0;
    app_post(j->a, preview_done, j);
}

void app_preview(app *a, bool show, const char *dataset, const char *path, const char *text,
                 size_t pos, const char *sql)
{
    preview_job *j = xcalloc(1, sizeof(*j));
    j->a = a;
    j->show = show;
    j->generation = atomic_fetch_add(&a->previews, 1) + 1;
    j->dir = xstrdup(a->dir);
    for (size_t i = 0; i < a->params.n; i++) VEC_PUSH(&j->params, xstrdup(a->params.v[i]));
    j->dataset = dataset ? xstrdup(dataset) : NULL;
    j->path = path ? xstrdup(path) : NULL;
    j->text = text ? xstrdup(text) : NULL;
    j->sql = sql ? xstrdup(sql) : NULL;
    j->pos = pos;
    char *state = prj_path(&a->p, ".tarn");
    fs_mkdirs(state, NULL);
    free(state);
    j->out = prj_path(&a->p, ".tarn/preview.db");
    if (show) app_say(a, "Previewing...");
    app_query(a, preview_run, j);
}

/* ======================= the editor's host ======================= */

static void host_preview(void *ctx, const char *path, const char *text, size_t pos, const char *sql)
{
    app_preview(ctx, true, NULL, path, text, pos, sql);
}

static void host_redraw(void *ctx)
{
    app *a = ctx;
    app_dirty(a, a->main_views[TAB_EDITOR]);
}

static void host_popup(void *ctx, const char *title, const char *text)
{
    app_popup(ctx, title, text);
}

/* A view's prompt and pick answers go through the app (which calls back
 * with itself); the view's callback waits in the app meanwhile (one overlay
 * is open at a time). */
static void view_answered(app *a, const char *text, void *ctx)
{
    (void)ctx;
    void (*done)(void *, const char *) = a->view_done;
    a->view_done = NULL;
    if (done) done(a->view_arg, text);
}

void app_view_prompt(void *ctx, const char *title, const char *initial,
                     void (*done)(void *arg, const char *text), void *arg)
{
    app *a = ctx;
    a->view_done = done;
    a->view_arg = arg;
    app_prompt(a, title, initial, view_answered, NULL);
}

void app_view_pick(void *ctx, const char *title, const strvec *items,
                   void (*done)(void *arg, const char *text), void *arg)
{
    app *a = ctx;
    a->view_done = done;
    a->view_arg = arg;
    app_pick(a, title, items, view_answered, NULL);
}

void app_view_say(void *ctx, const char *msg)
{
    app_say(ctx, "%s", msg);
}


static void host_saved(void *ctx, const char *path)
{
    (void)path;
    app_reload(ctx);
}

static void host_edited(void *ctx)
{
    validate(ctx);
}

static const ls_model *host_model(void *ctx)
{
    app *a = ctx;
    return a->has_model ? &a->model : NULL;
}

static const diag_list *host_problems(void *ctx)
{
    return app_problems(ctx);
}

static void host_refresh(void *ctx, const char *path, size_t pos)
{
    app *a = ctx;
    if (app_save_all(a) > 0) return; /* it said why */
    int d = ls_dataset_at(&a->p, path, pos);
    if (d < 0) {
        app_say(a, "The cursor is not in a dataset's definition");
        return;
    }
    app_run_update(a, false, a->p.datasets.v[d].name);
    app_show_bottom(a, TAB_RUN);
    app_focus(a, PANE_MAIN);
}

static void reference_picked(app *a, const char *text, void *ctx)
{
    (void)ctx;
    if (!text) return;
    char file[256];
    int line = 0, col = 0;
    if (sscanf(text, "%255[^:]:%d:%d", file, &line, &col) >= 2) { /* file:line:col  text */
        ed_view_open_at(a->main_views[TAB_EDITOR], file, line, col);
        app_show_main(a, TAB_EDITOR);
    }
}

/* Line (1-based) of a project file, without its leading blanks. */
static char *line_text(const project *p, const char *path, int line)
{
    for (size_t i = 0; i < p->files.n; i++) {
        const prj_file *f = &p->files.v[i];
        if (strcmp(f->path, path)) continue;
        const char *s = f->orig;
        for (int l = 1; l < line && s; l++) {
            s = strchr(s, '\n');
            if (s) s++;
        }
        if (!s) break;
        while (*s == ' ' || *s == '\t') s++;
        const char *e = strchr(s, '\n');
        return xstrndup(s, e ? (size_t)(e - s) : strlen(s));
    }
    return xstrdup("");
}

static void host_references(void *ctx, const char *name)
{
    app *a = ctx;
    ls_places places = {0};
    ls_references(&a->p, name, &places);
    if (!places.n) {
        app_say(a, "Nothing in the pipeline reads '%s'", name);
        return;
    }
    strvec items = {0};
    for (size_t i = 0; i < places.n; i++) {
        const ls_place *pl = &places.v[i];
        char *text = line_text(&a->p, pl->file, pl->line);
        VEC_PUSH(&items, xasprintf("%s:%d:%d  %s", pl->file, pl->line, pl->col, text));
        free(text);
    }
    char *title = xasprintf("%zu place%s read %s", places.n, places.n == 1 ? "" : "s", name);
    app_pick(a, title, &items, reference_picked, NULL);
    free(title);
    strvec_free(&items);
    ls_places_free(&places);
}

view *app_editor_new(app *a)
{
    ed_host h = {
        .ctx = a,
        .dir = a->dir,
        .say = app_view_say,
        .redraw = host_redraw,
        .popup = host_popup,
        .prompt = app_view_prompt,
        .saved = host_saved,
        .edited = host_edited,
        .model = host_model,
        .problems = host_problems,
        .preview = host_preview,
        .refresh = host_refresh,
        .references = host_references,
    };
    view *v = ed_view_new(&h);
    v->a = a;
    ed_view_set_indent(v, a->tab_width, a->hard_tabs);
    return v;
}
