/*
 * view_grid_jobs.c - the Data grid view's work (see view_grid.c): jobs that
 * call the model on the query worker, the window of rows they fill and the
 * requests that keep it filled, and their results taken on the UI thread.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "view_grid_int.h"

/* ======================= jobs ======================= */

void grid_sh_unref(grid_shared *sh)
{
    if (atomic_fetch_sub(&sh->refs, 1) != 1) return;
    gm_free(sh->model);
    free(sh);
}

static bool job_stale(const job *j)
{
    return atomic_load(j->genp) != j->gen;
}

static void job_free(job *j)
{
    free(j->warehouse);
    free(j->table);
    free(j->sql);
    free(j->sort);
    free(j->filter);
    gm_key_free(&j->req.key);
    gm_count_free(&j->count);
    free(j->column);
    free(j->err);
    free(j->text);
    gm_page_free(j->page);
    free(j->widths);
    free(j);
}

/* Progress of a running query, posted to the UI thread. */
typedef struct progress_msg {
    grid_shared *sh;
    long long gen;
    int64_t rows;
} progress_msg;

static void progress_done(app *a, void *arg)
{
    progress_msg *m = arg;
    grid *g = m->sh->v;
    if (g && atomic_load(&m->sh->src_gen) == m->gen && g->state == ST_OPENING) {
        g->query_rows = m->rows;
        app_dirty(a, &g->base);
    }
    grid_sh_unref(m->sh);
    free(m);
}

/* The model's tick while a job runs (worker thread): stop when superseded,
 * report query progress now and then. */
static int job_tick(void *ctx, int64_t rows)
{
    job *j = ctx;
    if (job_stale(j)) return 1;
    if (j->kind == J_OPEN && rows > 0) {
        double now = time_mono_ms();
        if (now - j->last_progress >= 200) {
            j->last_progress = now;
            progress_msg *m = xcalloc(1, sizeof(*m));
            atomic_fetch_add(&j->sh->refs, 1);
            m->sh = j->sh;
            m->gen = j->gen;
            m->rows = rows;
            app_post(j->sh->a, progress_done, m);
        }
    }
    return 0;
}

static gm_opts job_opts(const job *j)
{
    return (gm_opts){j->sort, j->desc, j->filter};
}

/* Fetches j's page from the model, and measures its columns (worker thread). */
static void run_fetch(job *j, gm *m)
{
    gm_opts o = job_opts(j);
    gm_set_tick(m, job_tick, j);
    j->rc = gm_fetch(m, &o, &j->req, &j->page, &j->err);
    gm_set_tick(m, NULL, NULL);
    if (j->rc == 0) {
        j->widths = xcalloc((size_t)(j->page->ncols ? j->page->ncols : 1), sizeof(int));
        gm_page_widths(j->page, GM_WIDTH_CAP, NULL, j->widths);
    }
}

static void job_done(app *a, void *arg);

/* Runs on the worker: the SQL of one request; the result goes back to the
 * UI thread with app_post (after which the job is not touched here). */
static void job_run(void *arg)
{
    job *j = arg;
    grid_shared *sh = j->sh;
    gm *m = sh->model;
    j->stale = job_stale(j);
    if (j->stale) {
        app_post(sh->a, job_done, j);
        return;
    }
    if (j->kind != J_OPEN && !m) {
        j->rc = -1;
        j->err = xstrdup("nothing is open");
        app_post(sh->a, job_done, j);
        return;
    }
    switch (j->kind) {
    case J_OPEN:
        gm_free(sh->model);
        sh->model = NULL;
        j->open_rc = j->sql ? gm_open_query(j->warehouse, j->sql, job_tick, j, &m, &j->err)
                            : gm_open_table(j->warehouse, j->table, job_tick, j, &m, &j->err);
        j->rc = j->open_rc;
        if (j->open_rc == 0) {
            sh->model = m;
            gm_set_tick(m, NULL, NULL);
            j->qrows = gm_is_query(m) ? gm_query_rows(m) : -1;
            run_fetch(j, m);
        }
        break;
    case J_FETCH: run_fetch(j, m); break;
    case J_COUNT:
        gm_set_tick(m, job_tick, j);
        j->rc = gm_count_step(m, &j->count, 25, &j->err);
        gm_set_tick(m, NULL, NULL);
        break;
    case J_PROFILE: {
        gm_profile p;
        gm_set_tick(m, job_tick, j);
        j->rc = gm_profile_column(m, j->column, j->filter, &p, &j->err);
        gm_set_tick(m, NULL, NULL);
        if (j->rc == 0) {
            j->text = gm_profile_text(&p);
            gm_profile_free(&p);
        }
        break;
    }
    case J_DETAIL:
        gm_set_tick(m, job_tick, j);
        j->rc = gm_detail(m, j->rowid, j->column, &j->text, &j->err);
        gm_set_tick(m, NULL, NULL);
        break;
    }
    app_post(sh->a, job_done, j);
}

job *grid_job_new(grid *g, job_kind kind)
{
    job *j = xcalloc(1, sizeof(*j));
    j->kind = kind;
    j->sh = g->sh;
    atomic_llong *genp = kind == J_OPEN    ? &g->sh->src_gen
                         : kind == J_FETCH ? &g->sh->page_gen
                         : kind == J_COUNT ? &g->sh->count_gen
                                           : &g->sh->aux_gen;
    j->genp = genp;
    j->gen = atomic_load(genp);
    return j;
}

void grid_job_submit(grid *g, job *j)
{
    atomic_fetch_add(&g->sh->refs, 1);
    app_query(g->base.a, job_run, j);
}

void grid_bump(atomic_llong *gen)
{
    atomic_fetch_add(gen, 1);
}

/* ======================= the window ======================= */

/* Rows per fetch. A sorted page of a column without an index costs a scan
 * of the table whatever its size, so sorted fetches take many screens. */
static int chunk_rows(const grid *g, bool sorted)
{
    int n = sorted ? 1000 : 2 * g->vis;
    return n < 64 ? 64 : n > 1000 ? 1000 : n;
}

static int window_max(const grid *g)
{
    return 4 * chunk_rows(g, g->win && g->win->sort) + g->vis;
}

void grid_set_str(char **dst, const char *s)
{
    char *t = s ? xstrdup(s) : NULL;
    free(*dst);
    *dst = t;
}

/* Widths grow with the rows seen (they do not jump back while scrolling);
 * alignment follows the rows in the window. widths: of the page that came
 * in, measured on the worker. */
static void window_changed(grid *g, bool reset_widths, const int *widths)
{
    gm_page *w = g->win;
    if (!w) return;
    if (reset_widths || g->ncols != w->ncols) {
        free(g->widths);
        free(g->numeric);
        g->ncols = w->ncols;
        g->widths = xcalloc((size_t)(w->ncols ? w->ncols : 1), sizeof(int));
        g->numeric = xcalloc((size_t)(w->ncols ? w->ncols : 1), sizeof(bool));
    }
    for (int i = 0; i < w->ncols; i++) {
        if (widths && widths[i] > g->widths[i]) g->widths[i] = widths[i];
        if (g->widths[i] < 1) g->widths[i] = 1;
        g->numeric[i] = gm_page_numeric(w, i);
    }
    if (g->col >= w->ncols) g->col = w->ncols ? w->ncols - 1 : 0;
    if (g->left > g->col) g->left = g->col;
}

void grid_clamp_cursor(grid *g)
{
    int n = g->win ? g->win->nrows : 0;
    if (g->cur >= n) g->cur = n - 1;
    if (g->cur < 0) g->cur = 0;
    if (g->top > g->cur) g->top = g->cur;
    if (g->cur >= g->top + g->vis) g->top = g->cur - g->vis + 1;
    if (g->top > n - g->vis) g->top = n - g->vis;
    if (g->top > g->cur) g->top = g->cur;
    if (g->top < 0) g->top = 0;
}

bool grid_busy(const grid *g)
{
    return g->state == ST_OPENING || g->loading || g->aux_busy;
}

static void fetch_more(grid *g, bool after);

/* Keeps a screen of rows loaded beyond each edge of what is shown. */
void grid_prefetch(grid *g)
{
    gm_page *w = g->win;
    if (!w || g->loading || g->ext_failed || g->state != ST_READY || w->nrows == 0) return;
    if (!w->at_end && !g->ext_after && w->nrows - (g->top + g->vis) < g->vis) fetch_more(g, true);
    if (!w->at_start && !g->ext_before && g->top < g->vis) fetch_more(g, false);
}

static void fetch_more(grid *g, bool after)
{
    job *j = grid_job_new(g, J_FETCH);
    j->after = after;
    j->req.dir = after ? GM_AFTER : GM_BEFORE;
    j->req.key = gm_page_key(g->win, after ? g->win->nrows - 1 : 0);
    j->req.n = chunk_rows(g, g->win->sort != NULL);
    j->sort = g->win->sort ? xstrdup(g->win->sort) : NULL;
    j->desc = g->win->desc;
    j->filter = g->win->filter ? xstrdup(g->win->filter) : NULL;
    if (after) g->ext_after = true;
    else g->ext_before = true;
    grid_job_submit(g, j);
}

/* Asks for a page that replaces the window, with the wanted settings. */
void grid_fetch_replace(grid *g, gm_dir dir, const gm_key *key, double frac, enum hint hint)
{
    grid_bump(&g->sh->page_gen);
    g->ext_after = g->ext_before = false;
    g->loading = true;
    job *j = grid_job_new(g, J_FETCH);
    j->replace = true;
    j->req.dir = dir;
    if (key) {
        j->req.key.rowid = key->rowid;
        j->req.key.value = key->value ? sqlite3_value_dup(key->value) : NULL;
    }
    j->req.frac = frac;
    j->req.n = chunk_rows(g, g->want_sort != NULL);
    j->hint = hint;
    j->cur_off = g->cur - g->top;
    j->sort = g->want_sort ? xstrdup(g->want_sort) : NULL;
    j->desc = g->want_desc;
    j->filter = g->want_filter ? xstrdup(g->want_filter) : NULL;
    grid_job_submit(g, j);
    app_dirty(g->base.a, &g->base);
}

/* The wanted settings go back to the window's (after a failure or cancel). */
void grid_want_from_window(grid *g)
{
    grid_set_str(&g->want_sort, g->win ? g->win->sort : NULL);
    grid_set_str(&g->want_filter, g->win ? g->win->filter : NULL);
    g->want_desc = g->win && g->win->desc;
}

static void start_count(grid *g)
{
    grid_bump(&g->sh->count_gen);
    g->total = -1;
    g->counted = 0;
    g->counting = false;
    if (!g->win) return;
    /* an unfiltered query result knows its size */
    if (g->sql && !g->win->filter && g->query_rows >= 0) {
        g->total = g->query_rows;
        return;
    }
    job *j = grid_job_new(g, J_COUNT);
    gm_count_init(&j->count, g->win->filter);
    g->counting = true;
    grid_job_submit(g, j);
}

/* Opens (or reopens) what g shows and fetches its first page. */
void grid_start_open(grid *g, gm_dir dir, const gm_key *key, enum hint hint)
{
    grid_bump(&g->sh->src_gen);
    grid_bump(&g->sh->page_gen);
    grid_bump(&g->sh->count_gen);
    grid_bump(&g->sh->aux_gen);
    g->state = ST_OPENING;
    g->loading = g->ext_after = g->ext_before = false;
    g->aux_busy = NULL;
    g->counting = false;
    g->query_rows = 0;
    grid_set_str(&g->error, NULL);
    job *j = grid_job_new(g, J_OPEN);
    j->warehouse = xstrdup(g->warehouse);
    j->table = g->table ? xstrdup(g->table) : NULL;
    j->sql = g->sql ? xstrdup(g->sql) : NULL;
    j->sort = g->want_sort ? xstrdup(g->want_sort) : NULL;
    j->desc = g->want_desc;
    j->filter = g->want_filter ? xstrdup(g->want_filter) : NULL;
    j->req.dir = dir;
    if (key) {
        j->req.key.rowid = key->rowid;
        j->req.key.value = key->value ? sqlite3_value_dup(key->value) : NULL;
    }
    j->req.n = chunk_rows(g, g->want_sort != NULL);
    j->hint = hint;
    j->cur_off = g->cur - g->top;
    grid_job_submit(g, j);
    app_dirty(g->base.a, &g->base);
}

/* A page replaces the window: the cursor goes where the request said. */
static void take_window(grid *g, job *j)
{
    gm_page *old = g->win;
    bool same = old && j->page->ncols == old->ncols &&
                ((!old->sort && !j->page->sort) ||
                 (old->sort && j->page->sort && !strcmp(old->sort, j->page->sort))) &&
                ((!old->filter && !j->page->filter) ||
                 (old->filter && j->page->filter && !strcmp(old->filter, j->page->filter)));
    g->win = j->page;
    j->page = NULL;
    gm_page_free(old);
    g->ext_failed = false;
    int n = g->win->nrows;
    switch (j->hint) {
    case HINT_FIRST: g->cur = g->top = 0; break;
    case HINT_LAST:
        g->cur = n - 1;
        g->top = n - g->vis;
        break;
    case HINT_KEEP:
        g->top = 0;
        g->cur = j->cur_off;
        break;
    }
    grid_clamp_cursor(g);
    window_changed(g, !same, j->widths);
}

/* ======================= results (UI thread) ======================= */

static void show_error(grid *g, const char *what, const char *err)
{
    grid_set_str(&g->error, NULL);
    g->error = xasprintf("%s: %s", what, err ? err : "failed");
    app_say(g->base.a, "%s", g->error);
}

static void done_open(grid *g, job *j)
{
    if (j->open_rc) {
        g->state = ST_FAILED;
        grid_set_str(&g->error, j->err);
        gm_page_free(g->win);
        g->win = NULL;
        return;
    }
    g->state = ST_READY;
    g->query_rows = j->qrows;
    if (j->rc) {
        /* it opened, but the settings no longer work (a column went away) */
        show_error(g, "reload", j->err);
        gm_page_free(g->win);
        g->win = NULL;
        grid_set_str(&g->want_sort, NULL);
        grid_set_str(&g->want_filter, NULL);
        g->want_desc = false;
        grid_fetch_replace(g, GM_FIRST, NULL, 0, HINT_FIRST);
        return;
    }
    take_window(g, j);
    grid_want_from_window(g);
    start_count(g);
}

static void done_fetch(grid *g, job *j)
{
    if (j->replace) {
        g->loading = false;
        if (j->rc) {
            show_error(g, j->filter && (!g->win || !g->win->filter ||
                                        strcmp(j->filter, g->win->filter))
                              ? "bad filter"
                              : "fetch",
                       j->err);
            grid_want_from_window(g);
            return;
        }
        char *old_filter = g->win && g->win->filter ? xstrdup(g->win->filter) : NULL;
        bool had = g->win != NULL;
        grid_set_str(&g->error, NULL);
        take_window(g, j);
        bool filter_changed = !had || (!old_filter != !g->win->filter) ||
                              (old_filter && strcmp(old_filter, g->win->filter));
        free(old_filter);
        if (filter_changed) start_count(g);
        /* the rows before an inexact start are fetched by prefetch; an empty
         * page past the end shows the last rows instead */
        if (g->win->nrows == 0 && !g->win->at_start) grid_fetch_replace(g, GM_LAST, NULL, 0, HINT_LAST);
        return;
    }
    if (j->after) g->ext_after = false;
    else g->ext_before = false;
    if (j->rc) {
        show_error(g, "fetch", j->err);
        g->ext_failed = true;
        return;
    }
    if (!g->win) return;
    int added = 0;
    int dropped = gm_page_merge(g->win, j->page, j->after, window_max(g), g->top,
                                g->top + g->vis, &added);
    if (dropped < 0) {
        /* the table changed its columns under us: start over */
        grid_fetch_replace(g, GM_FIRST, NULL, 0, HINT_FIRST);
        return;
    }
    j->page = NULL;
    g->cur += added - dropped;
    g->top += added - dropped;
    grid_clamp_cursor(g);
    window_changed(g, false, j->widths);
}

/* Returns true when the job was submitted again (the next count step). */
static bool done_count(grid *g, job *j)
{
    if (j->rc < 0) {
        g->counting = false;
        return false;
    }
    g->counted = j->count.total;
    if (j->rc == 1) {
        g->counting = false;
        g->total = j->count.total;
        return false;
    }
    app_query(g->base.a, job_run, j);
    return true;
}

static void done_aux(grid *g, job *j)
{
    g->aux_busy = NULL;
    if (j->rc) {
        show_error(g, j->kind == J_PROFILE ? "profile" : "value", j->err);
        return;
    }
    char *title = j->kind == J_DETAIL
                      ? xasprintf("%s, rowid %lld", j->column, (long long)j->rowid)
                  : j->filter ? xasprintf("Profile of %s where %s", j->column, j->filter)
                              : xasprintf("Profile of %s", j->column);
    app_popup(g->base.a, title, j->text);
    free(title);
}

/* Runs on the UI thread with a job's result. */
static void job_done(app *a, void *arg)
{
    job *j = arg;
    grid_shared *sh = j->sh;
    grid *g = sh->v;
    bool again = false;
    if (g && !j->stale && !job_stale(j)) {
        switch (j->kind) {
        case J_OPEN: done_open(g, j); break;
        case J_FETCH: done_fetch(g, j); break;
        case J_COUNT: again = done_count(g, j); break;
        case J_PROFILE:
        case J_DETAIL: done_aux(g, j); break;
        }
        if (g->state == ST_READY) grid_prefetch(g);
        app_dirty(a, &g->base);
    }
    if (again) return;
    job_free(j);
    grid_sh_unref(sh);
}
