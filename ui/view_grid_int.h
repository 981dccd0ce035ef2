/*
 * view_grid_int.h - the Data grid view's own state, shared by its files:
 * view_grid.c (the view: actions, keys, mouse, opening a source),
 * view_grid_jobs.c (the model's work on the query worker, the window of
 * rows and the results back on the UI thread) and view_grid_draw.c
 * (drawing). Not a public header: app.h is the view's face.
 */
#ifndef TARN_VIEW_GRID_INT_H
#define TARN_VIEW_GRID_INT_H

#include <stdatomic.h>

#include "app.h"
#include "grid_model.h"
#include "tk.h"

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

/* A request to the model, run on the query worker (view_grid_jobs.c). */
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

/* view_grid_jobs.c: jobs */

/* Drops a reference to sh; the last one frees it and its model. */
void grid_sh_unref(grid_shared *sh);
/* A new job of kind in the generation it belongs to now. */
job *grid_job_new(grid *g, job_kind kind);
/* Runs j on the query worker; its result comes back on the UI thread. */
void grid_job_submit(grid *g, job *j);
/* Bumps a generation: what runs in it is dropped and interrupted. */
void grid_bump(atomic_llong *gen);

/* view_grid_jobs.c: the window */

/* *dst becomes a copy of s (NULL: none). */
void grid_set_str(char **dst, const char *s);
void grid_clamp_cursor(grid *g);
/* Something runs that Esc cancels. */
bool grid_busy(const grid *g);
/* Keeps a screen of rows loaded beyond each edge of what is shown. */
void grid_prefetch(grid *g);
/* Asks for a page that replaces the window, with the wanted settings. */
void grid_fetch_replace(grid *g, gm_dir dir, const gm_key *key, double frac, enum hint hint);
/* The wanted settings go back to the window's (after a failure or cancel). */
void grid_want_from_window(grid *g);
/* Opens (or reopens) what g shows and fetches its first page. */
void grid_start_open(grid *g, gm_dir dir, const gm_key *key, enum hint hint);

/* view_grid_draw.c */

void grid_draw(view *v, ui_canvas *c, bool focused);

#endif
