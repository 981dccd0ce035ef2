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
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "grid_model.h"
#include "tk.h"
#include "util.h"

typedef struct grid grid;

/* What the view and its worker jobs share. The view is freed when the shell
 * says so; the shared part lives on until the last job has reported back. */
typedef struct grid_shared {
    atomic_int refs;
    app *a;
    grid *v;                 /* UI thread only; NULL once the view is freed */
    gm *model;               /* worker jobs only (and the last unref) */
    /* generations: an open, a page fetch, the count, a profile or detail */
    atomic_llong src_gen, page_gen, count_gen, aux_gen;
} grid_shared;

enum grid_state { ST_EMPTY, ST_OPENING, ST_READY, ST_FAILED };

/* Where the cursor goes when a page replaces the window. */
enum hint { HINT_FIRST, HINT_LAST, HINT_KEEP };

struct grid {
    view base;
    grid_shared *sh;
    /* what is open */
    char *warehouse, *table, *sql, *name;
    enum grid_state state;
    char *error;             /* why opening failed, or the last failed request */
    int64_t query_rows;      /* rows of a query so far, while it runs */
    /* the settings asked for (the window has the ones it was fetched with) */
    char *want_sort, *want_filter;
    bool want_desc;
    /* the window of rows and the cursor in it */
    gm_page *win;
    int cur, top;            /* selected row, first row shown */
    int col, left;           /* selected column, first column shown */
    int *widths;
    bool *numeric;
    int ncols;               /* of widths and numeric */
    /* work in flight */
    bool loading;            /* a page that replaces the window */
    bool ext_after, ext_before;
    bool ext_failed;         /* stop fetching more until the window is replaced */
    const char *aux_busy;    /* "profiling", "reading the value" */
    /* the row count */
    int64_t total, counted;  /* total -1 while unknown */
    bool counting;
    /* layout of the last draw, for keys and the mouse */
    int vis, canvas_cols;
    int shown_n, shown_col[64], shown_x[64], shown_w[64];
};

/* ======================= jobs ======================= */

typedef enum job_kind { J_OPEN, J_FETCH, J_COUNT, J_PROFILE, J_DETAIL } job_kind;

typedef struct job {
    job_kind kind;
    grid_shared *sh;
    atomic_llong *genp;      /* the generation it belongs to */
    long long gen;
    /* J_OPEN */
    char *warehouse, *table, *sql;
    /* J_OPEN, J_FETCH */
    char *sort, *filter;
    bool desc;
    gm_req req;              /* req.key.value owned */
    bool replace, after;
    enum hint hint;
    int cur_off;             /* HINT_KEEP: the cursor's row on screen */
    /* J_COUNT */
    gm_count count;
    /* J_PROFILE, J_DETAIL */
    char *column;
    int64_t rowid;
    /* results */
    bool stale;
    int open_rc, rc;
    char *err, *text;
    gm_page *page;
    int *widths;             /* of page's columns */
    int64_t qrows;
    double last_progress;
} job;

static void sh_unref(grid_shared *sh)
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
    sh_unref(m->sh);
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

static job *job_new(grid *g, job_kind kind)
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

static void job_submit(grid *g, job *j)
{
    atomic_fetch_add(&g->sh->refs, 1);
    app_query(g->base.a, job_run, j);
}

static void bump(atomic_llong *gen)
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

static void set_str(char **dst, const char *s)
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

static void clamp_cursor(grid *g)
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

static bool busy(const grid *g)
{
    return g->state == ST_OPENING || g->loading || g->aux_busy;
}

static void fetch_more(grid *g, bool after);

/* Keeps a screen of rows loaded beyond each edge of what is shown. */
static void prefetch(grid *g)
{
    gm_page *w = g->win;
    if (!w || g->loading || g->ext_failed || g->state != ST_READY || w->nrows == 0) return;
    if (!w->at_end && !g->ext_after && w->nrows - (g->top + g->vis) < g->vis) fetch_more(g, true);
    if (!w->at_start && !g->ext_before && g->top < g->vis) fetch_more(g, false);
}

static void fetch_more(grid *g, bool after)
{
    job *j = job_new(g, J_FETCH);
    j->after = after;
    j->req.dir = after ? GM_AFTER : GM_BEFORE;
    j->req.key = gm_page_key(g->win, after ? g->win->nrows - 1 : 0);
    j->req.n = chunk_rows(g, g->win->sort != NULL);
    j->sort = g->win->sort ? xstrdup(g->win->sort) : NULL;
    j->desc = g->win->desc;
    j->filter = g->win->filter ? xstrdup(g->win->filter) : NULL;
    if (after) g->ext_after = true;
    else g->ext_before = true;
    job_submit(g, j);
}

/* Asks for a page that replaces the window, with the wanted settings. */
static void fetch_replace(grid *g, gm_dir dir, const gm_key *key, double frac, enum hint hint)
{
    bump(&g->sh->page_gen);
    g->ext_after = g->ext_before = false;
    g->loading = true;
    job *j = job_new(g, J_FETCH);
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
    job_submit(g, j);
    app_dirty(g->base.a, &g->base);
}

/* The wanted settings go back to the window's (after a failure or cancel). */
static void want_from_window(grid *g)
{
    set_str(&g->want_sort, g->win ? g->win->sort : NULL);
    set_str(&g->want_filter, g->win ? g->win->filter : NULL);
    g->want_desc = g->win && g->win->desc;
}

static void start_count(grid *g)
{
    bump(&g->sh->count_gen);
    g->total = -1;
    g->counted = 0;
    g->counting = false;
    if (!g->win) return;
    /* an unfiltered query result knows its size */
    if (g->sql && !g->win->filter && g->query_rows >= 0) {
        g->total = g->query_rows;
        return;
    }
    job *j = job_new(g, J_COUNT);
    gm_count_init(&j->count, g->win->filter);
    g->counting = true;
    job_submit(g, j);
}

/* Opens (or reopens) what g shows and fetches its first page. */
static void start_open(grid *g, gm_dir dir, const gm_key *key, enum hint hint)
{
    bump(&g->sh->src_gen);
    bump(&g->sh->page_gen);
    bump(&g->sh->count_gen);
    bump(&g->sh->aux_gen);
    g->state = ST_OPENING;
    g->loading = g->ext_after = g->ext_before = false;
    g->aux_busy = NULL;
    g->counting = false;
    g->query_rows = 0;
    set_str(&g->error, NULL);
    job *j = job_new(g, J_OPEN);
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
    job_submit(g, j);
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
    clamp_cursor(g);
    window_changed(g, !same, j->widths);
}

/* ======================= results (UI thread) ======================= */

static void show_error(grid *g, const char *what, const char *err)
{
    set_str(&g->error, NULL);
    g->error = xasprintf("%s: %s", what, err ? err : "failed");
    app_say(g->base.a, "%s", g->error);
}

static void done_open(grid *g, job *j)
{
    if (j->open_rc) {
        g->state = ST_FAILED;
        set_str(&g->error, j->err);
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
        set_str(&g->want_sort, NULL);
        set_str(&g->want_filter, NULL);
        g->want_desc = false;
        fetch_replace(g, GM_FIRST, NULL, 0, HINT_FIRST);
        return;
    }
    take_window(g, j);
    want_from_window(g);
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
            want_from_window(g);
            return;
        }
        char *old_filter = g->win && g->win->filter ? xstrdup(g->win->filter) : NULL;
        bool had = g->win != NULL;
        set_str(&g->error, NULL);
        take_window(g, j);
        bool filter_changed = !had || (!old_filter != !g->win->filter) ||
                              (old_filter && strcmp(old_filter, g->win->filter));
        free(old_filter);
        if (filter_changed) start_count(g);
        /* the rows before an inexact start are fetched by prefetch; an empty
         * page past the end shows the last rows instead */
        if (g->win->nrows == 0 && !g->win->at_start) fetch_replace(g, GM_LAST, NULL, 0, HINT_LAST);
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
        fetch_replace(g, GM_FIRST, NULL, 0, HINT_FIRST);
        return;
    }
    j->page = NULL;
    g->cur += added - dropped;
    g->top += added - dropped;
    clamp_cursor(g);
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
        if (g->state == ST_READY) prefetch(g);
        app_dirty(a, &g->base);
    }
    if (again) return;
    job_free(j);
    sh_unref(sh);
}

/* ======================= actions ======================= */

static void move_rows(grid *g, int drow, int dtop)
{
    if (!g->win || g->win->nrows == 0) return;
    g->cur += drow;
    g->top += dtop;
    clamp_cursor(g);
    prefetch(g);
}

static void go_home(grid *g)
{
    if (g->win && g->win->at_start) {
        g->cur = g->top = 0;
        prefetch(g);
    } else fetch_replace(g, GM_FIRST, NULL, 0, HINT_FIRST);
}

static void go_end(grid *g)
{
    if (g->win && g->win->at_end) {
        g->cur = g->win->nrows - 1;
        g->top = g->cur - g->vis + 1;
        clamp_cursor(g);
        prefetch(g);
    } else fetch_replace(g, GM_LAST, NULL, 0, HINT_LAST);
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
            set_str(&g->want_sort, NULL);
            g->want_desc = false;
        }
    } else {
        set_str(&g->want_sort, name);
        g->want_desc = false;
    }
    fetch_replace(g, GM_FIRST, NULL, 0, HINT_FIRST);
}

static void filter_done(app *a, const char *text, void *ctx)
{
    grid *g = ctx;
    if (!text || !g->win) return;
    const char *p = text;
    while (*p == ' ' || *p == '\t') p++;
    set_str(&g->want_filter, *p ? text : NULL);
    fetch_replace(g, GM_FIRST, NULL, 0, HINT_FIRST);
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
    bump(&g->sh->aux_gen);
    job *j = job_new(g, J_PROFILE);
    j->column = xstrdup(col);
    j->filter = g->win->filter ? xstrdup(g->win->filter) : NULL;
    g->aux_busy = "profiling…";
    job_submit(g, j);
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
    bump(&g->sh->aux_gen);
    job *j = job_new(g, J_DETAIL);
    j->column = xstrdup(col);
    j->rowid = r->rowid;
    g->aux_busy = "reading the value…";
    job_submit(g, j);
}

static void reload(grid *g)
{
    if (!g->warehouse) return;
    want_from_window(g); /* the key below is in the window's order */
    if (g->win && g->win->nrows > 0 && !g->sql) {
        gm_key k = gm_page_key(g->win, g->top);
        start_open(g, GM_FROM, &k, HINT_KEEP);
        gm_key_free(&k);
    } else start_open(g, GM_FIRST, NULL, HINT_FIRST);
}

/* Esc or C-c: stops what runs in the foreground (the count goes on). */
static void cancel(grid *g)
{
    if (g->state == ST_OPENING) {
        bump(&g->sh->src_gen);
        bump(&g->sh->page_gen);
        g->state = ST_FAILED;
        set_str(&g->error, g->sql ? "the query was canceled (r runs it again)"
                                  : "opening was canceled (r tries again)");
    }
    if (g->loading) {
        bump(&g->sh->page_gen);
        g->loading = g->ext_after = g->ext_before = false;
        want_from_window(g);
    }
    if (g->aux_busy) {
        bump(&g->sh->aux_gen);
        g->aux_busy = NULL;
    }
    if (!g->win && g->state == ST_READY) set_str(&g->error, "canceled (r reloads)");
    app_say(g->base.a, "canceled");
}

/* A click in the scrollbar: a jump by rowid when unsorted, else a page. */
static void scroll_to(grid *g, int row)
{
    if (!g->win) return;
    double frac = g->vis > 1 ? (double)row / (double)(g->vis - 1) : 0;
    if (frac <= 0) go_home(g);
    else if (frac >= 1) go_end(g);
    else if (!g->win->sort) fetch_replace(g, GM_FRACTION, NULL, frac, HINT_FIRST);
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
    if ((key_is(e, "Esc") || key_is(e, "C-c")) && busy(g)) {
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
    if (!g->win || busy(g)) {
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

/* ======================= drawing ======================= */

static int digits(int64_t n)
{
    int d = 1;
    for (n = n < 0 ? -n : n; n >= 10; n /= 10) d++;
    return d;
}

/* Moves left so the selected column is shown whole when it can be. */
static void keep_column_visible(grid *g, int x0, int width)
{
    if (g->col < g->left) g->left = g->col;
    for (;;) {
        int x = x0;
        for (int c = g->left; c <= g->col; c++) x += g->widths[c] + 1;
        if (x - 1 <= width || g->left >= g->col) break;
        g->left++;
    }
}

static void draw_cell(ui_canvas *c, int y, int x, int w, const gm_cell *cell, bool numeric,
                      ui_role role, int attrs)
{
    char buf[GM_CELL_BYTES + 8];
    const char *text = cell->text ? cell->text : "∅";
    if (cell->cut) {
        snprintf(buf, sizeof buf, "%s…", text);
        text = buf;
    }
    if (attrs) {
        char pad[GM_WIDTH_CAP + 1];
        int n = w < GM_WIDTH_CAP ? w : GM_WIDTH_CAP;
        memset(pad, ' ', (size_t)n);
        pad[n] = 0;
        ui_text(c, y, x, w, pad, role, attrs, false);
    }
    int tw = ui_width(text, strlen(text));
    int at = numeric && tw < w ? x + w - tw : x;
    ui_text(c, y, at, w - (at - x), text, role, attrs, true);
}

static ui_role cell_role(const gm_cell *cell)
{
    switch (cell->type) {
    case GM_NULL: return R_NULL;
    case GM_INT:
    case GM_REAL: return R_NUMBER;
    case GM_BLOB: return R_MUTED;
    default: return R_NORMAL;
    }
}

static void draw_rows(grid *g, ui_canvas *c, bool focused, int width)
{
    gm_page *w = g->win;
    int64_t maxrid = 0;
    for (int i = 0; i < w->nrows; i++)
        if (w->rows[i].rowid > maxrid) maxrid = w->rows[i].rowid;
    int gw = digits(maxrid), x0 = gw + 1;
    keep_column_visible(g, x0, width);

    /* the sticky header */
    ui_fill(c, (ui_rect){0, 0, 1, width}, R_HEADER);
    ui_text(c, 0, 0, gw, "#", R_HEADER, UI_BOLD, false);
    g->shown_n = 0;
    int x = x0;
    for (int col = g->left; col < w->ncols && x < width && g->shown_n < 64; col++) {
        int cw = g->widths[col];
        g->shown_col[g->shown_n] = col;
        g->shown_x[g->shown_n] = x;
        g->shown_w[g->shown_n++] = cw;
        char head[512];
        bool sorted = w->sort && !strcmp(w->sort, w->cols[col]);
        snprintf(head, sizeof head, "%s%s", w->cols[col],
                 sorted ? (w->desc ? " ▼" : " ▲") : "");
        int hw = ui_width(head, strlen(head));
        int at = g->numeric[col] && hw < cw ? x + cw - hw : x;
        ui_text(c, 0, at, cw - (at - x), head, R_HEADER,
                UI_BOLD | (col == g->col ? UI_UNDERLINE : 0), true);
        x += cw + 1;
    }

    /* the rows */
    for (int i = 0; i < g->vis && g->top + i < w->nrows; i++) {
        int ri = g->top + i, y = 1 + i;
        const gm_row *r = &w->rows[ri];
        bool sel = ri == g->cur;
        if (sel) ui_fill(c, (ui_rect){y, 0, 1, width}, R_SELECTION);
        char rid[32];
        snprintf(rid, sizeof rid, "%*lld", gw, (long long)r->rowid);
        ui_text(c, y, 0, gw, rid, sel ? R_SELECTION : R_MUTED, 0, false);
        for (int k = 0; k < g->shown_n; k++) {
            int col = g->shown_col[k], cx = g->shown_x[k];
            int cw = g->shown_w[k] < width - cx ? g->shown_w[k] : width - cx;
            const gm_cell *cell = &r->cells[col];
            int attrs = sel && col == g->col ? (focused ? UI_REVERSE | UI_BOLD : UI_UNDERLINE) : 0;
            draw_cell(c, y, cx, cw, cell, g->numeric[col], sel ? R_SELECTION : cell_role(cell),
                      attrs);
        }
    }

    /* column separators down to the last row */
    int rows = w->nrows - g->top < g->vis ? w->nrows - g->top : g->vis;
    for (int k = 0; k < g->shown_n; k++) {
        int sx = g->shown_x[k] + g->shown_w[k];
        if (sx < width) ui_vline(c, 0, sx, 1 + (rows > 0 ? rows : 0), R_BORDER);
    }
}

static void draw_footer(grid *g, ui_canvas *c, int y, int width)
{
    gm_page *w = g->win;
    sb b = {0};
    char n1[32], n2[32], n3[32];
    sb_addf(&b, "%s  ", g->name ? g->name : "");
    int shown = w->nrows - g->top < g->vis ? w->nrows - g->top : g->vis;
    int64_t pos;
    bool exact;
    if (w->nrows == 0) sb_add(&b, "no rows");
    else if (gm_page_position(w, g->top, g->total, &pos, &exact))
        sb_addf(&b, "rows %s%s–%s", exact ? "" : "~", gm_fmt_int(pos + 1, n1),
                gm_fmt_int(pos + shown, n2));
    else sb_add(&b, "rows ?");
    if (g->total >= 0) sb_addf(&b, " of %s", gm_fmt_int(g->total, n3));
    else if (g->counting && g->counted > 0)
        sb_addf(&b, " of %s+ (counting)", gm_fmt_int(g->counted, n3));
    else if (g->counting) sb_add(&b, " (counting)");
    if (w->sort) sb_addf(&b, "  sorted by %s %s", w->sort, w->desc ? "▼" : "▲");
    if (w->filter) sb_addf(&b, "  filter: %s", w->filter);
    /* what runs: Esc cancels a page, a profile or a value, not a prefetch */
    char status[64] = "";
    if (g->loading || g->aux_busy)
        snprintf(status, sizeof status, "  %s (Esc cancels)", g->loading ? "loading…" : g->aux_busy);
    else if ((g->ext_after && g->cur == w->nrows - 1) || (g->ext_before && g->cur == 0))
        snprintf(status, sizeof status, "  loading…");
    int used = ui_text(c, y, 0, width, sb_str(&b), R_MUTED, 0, true);
    sb_free(&b);
    if (*status) {
        used += ui_text(c, y, used, width - used, status, R_RUNNING, 0, true);
    } else if (g->error) {
        used += ui_text(c, y, used, 2, "  ", R_MUTED, 0, false);
        ui_text(c, y, used, width - used, g->error, R_ERROR, 0, true);
    }
}

/* Lines of text from the top, for messages in place of the grid. */
static void draw_message(ui_canvas *c, int rows, int cols, const char *text, ui_role role)
{
    int y = rows > 4 ? 1 : 0;
    const char *p = text;
    while (*p && y < rows) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        ui_textn(c, y++, 2, cols - 4, p, n, role, 0, true);
        p += n + (nl ? 1 : 0);
    }
}

static void grid_draw(view *v, ui_canvas *c, bool focused)
{
    grid *g = (grid *)v;
    ui_rect r = ui_canvas_rect(c);
    ui_clear(c, R_NORMAL);
    int vis = r.rows - 2 < 1 ? 1 : r.rows - 2;
    bool resized = vis != g->vis;
    g->vis = vis;
    g->canvas_cols = r.cols;
    g->shown_n = 0;
    char msg[256];
    switch (g->state) {
    case ST_EMPTY:
        draw_message(c, r.rows, r.cols,
                     "Open a dataset from the explorer (Enter) or run a query with "
                     "C-p > Run SQL query",
                     R_MUTED);
        return;
    case ST_OPENING:
        if (g->sql) {
            char n[32];
            snprintf(msg, sizeof msg, "Running the query… %s rows  (Esc cancels)",
                     gm_fmt_int(g->query_rows, n));
        } else snprintf(msg, sizeof msg, "Opening %s…", g->name ? g->name : "");
        draw_message(c, r.rows, r.cols, msg, R_RUNNING);
        return;
    case ST_FAILED:
        draw_message(c, r.rows, r.cols, g->error ? g->error : "failed", R_ERROR);
        if (r.rows > 3) ui_text(c, r.rows - 1, 2, -1, "r: try again", R_MUTED, 0, true);
        return;
    case ST_READY: break;
    }
    if (!g->win) {
        draw_message(c, r.rows, r.cols, g->loading ? "loading…" : g->error ? g->error : "",
                     g->loading ? R_RUNNING : R_ERROR);
        return;
    }
    if (resized) {
        clamp_cursor(g);
        prefetch(g);
    }
    int width = r.cols - 1;
    draw_rows(g, c, focused, width);
    if (g->total >= 0 && g->win->nrows > 0) {
        int64_t pos;
        bool exact;
        if (gm_page_position(g->win, g->top, g->total, &pos, &exact))
            ui_scrollbar(c, r.cols - 1, 1, vis, g->total, pos, vis);
    }
    if (r.rows >= 3) draw_footer(g, c, r.rows - 1, r.cols);
}

/* ======================= the view ======================= */

static void grid_free(view *v)
{
    grid *g = (grid *)v;
    grid_shared *sh = g->sh;
    sh->v = NULL;
    bump(&sh->src_gen);
    bump(&sh->page_gen);
    bump(&sh->count_gen);
    bump(&sh->aux_gen);
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
    sh_unref(sh);
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
    set_str(&g->warehouse, warehouse);
    set_str(&g->table, table);
    set_str(&g->sql, sql);
    set_str(&g->name, table ? table : "query");
    set_str(&g->want_sort, NULL);
    set_str(&g->want_filter, NULL);
    g->want_desc = false;
    g->cur = g->top = g->col = g->left = 0;
    g->total = -1;
    g->counted = 0;
    free(g->widths);
    free(g->numeric);
    g->widths = NULL;
    g->numeric = NULL;
    g->ncols = 0;
    start_open(g, GM_FIRST, NULL, HINT_FIRST);
}

void grid_view_open_table(view *v, const char *warehouse, const char *table)
{
    open_source((grid *)v, warehouse, table, NULL);
}

void grid_view_open_query(view *v, const char *warehouse, const char *sql)
{
    open_source((grid *)v, warehouse, NULL, sql);
}
