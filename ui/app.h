/*
 * app.h - the TUI application shell: the panes (explorer, the main area with
 * its tabs, the bottom panel with its tabs, the status bar), the views that
 * fill them, the action table every key, palette entry and help line comes
 * from, and the workers that run updates and queries off the UI thread.
 *
 *   +- Explorer ---++- 1 Editor 2 Designer 3 Data 4 Jobs 5 Git --------+
 *   |              ||                                                   |
 *   +--------------++---------------------------------------------------+
 *   +- 6 Run 7 Events 8 Problems 9 Terminal ----------------------------+
 *   +-------------------------------------------------------------------+
 *    project  branch*  file  update #12 RUNNING 3/7    ? help  C-p commands
 *
 * Threads: all of this runs on the UI thread except worker jobs, which hand
 * their results back with app_post (the only call safe from other threads).
 */
#ifndef TARN_APP_H
#define TARN_APP_H

#include <pthread.h>
#include <stdbool.h>

#include "diag.h"
#include "project.h"
#include "tk.h"
#include "tk_view.h"
#include "update.h"

typedef struct app app;

/* ======================= views ======================= */

/* What a view is (draw, keys, mouse, ...) is the toolkit's (tk_view.h), so
 * that views outside ui/ (the editor) can be written without the shell. */
/* A new view of size bytes (a struct that starts with a view), zeroed, with
 * its ops and app set and marked dirty. */
void *view_new(size_t size, const view_ops *ops, app *a);

/* Keys and mouse for a list a view shows (rows: how many items fit): they
 * move the selection and mark the view dirty. The mouse sets *activate when
 * a click lands on the item already selected (a second click opens it). */
bool view_list_key(view *v, ui_list *l, int rows, const ui_event *e);
void view_list_mouse(view *v, ui_list *l, int rows, const ui_event *e, int row,
                     bool *activate);

/* Marks a view (or everything, with v = NULL) to be redrawn. */
void app_dirty(app *a, view *v);

/* ======================= panes ======================= */

enum { PANE_EXPLORER, PANE_MAIN, PANE_BOTTOM, PANE_COUNT };
enum { TAB_EDITOR, TAB_DESIGNER, TAB_DATA, TAB_JOBS, TAB_GIT, MAIN_TABS };
enum { TAB_RUN, TAB_EVENTS, TAB_PROBLEMS, TAB_TERMINAL, BOTTOM_TABS };

/* Shows a main or bottom tab and focuses its pane. */
void app_show_main(app *a, int tab);
void app_show_bottom(app *a, int tab);
void app_focus(app *a, int pane);

/* ======================= messages ======================= */

/* A message for the status bar (it fades after a few seconds). */
void app_say(app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A scrollable text popup over everything (Esc or q closes it). */
void app_popup(app *a, const char *title, const char *text);
/* A one-line input popup; done gets the text (NULL when canceled). */
void app_prompt(app *a, const char *title, const char *initial,
                void (*done)(app *a, const char *text, void *ctx), void *ctx);

/* Runs fn(arg) on the UI thread at the next turn of the loop; safe from any
 * thread (workers hand their results back this way). */
void app_post(app *a, void (*fn)(app *a, void *arg), void *arg);

/* Runs job(arg) on a worker thread (queries: one at a time, in order). */
void app_query(app *a, void (*job)(void *arg), void *arg);

/* ======================= the project ======================= */

/* The loaded project (re-read after updates and on request), its problems
 * from the last validation, and the paths views need. */
const project *app_project(const app *a);
const diag_list *app_problems(const app *a);
const char *app_dir(const app *a);
/* Re-reads the project (explorer) and validates it on a worker (problems
 * panel, when done). */
void app_reload(app *a);
/* true while that dry run has not finished. */
bool app_validating(const app *a);

/* ======================= updates ======================= */

typedef struct app_flow_state {
    char *dataset, *flow;    /* owned */
    char state[16];          /* QUEUED, RUNNING, COMPLETED, FAILED, SKIPPED, ... */
    int64_t rows, bytes, bytes_total;
    double ms;
    bool up_to_date;
    char *summary;           /* owned: expectations, dropped rows, reason */
} app_flow_state;

typedef struct app_update {
    bool running;
    int64_t id;
    char state[16];          /* of the last or running update */
    VEC(app_flow_state) flows;
    int done, total;         /* flows finished / expected */
    char *error;             /* owned */
    double started_ms;
} app_update;

/* Starts an update (full: full refresh; select: NULL or a dataset name). */
void app_run_update(app *a, bool full, const char *select);
void app_cancel(app *a);
const app_update *app_update_state(const app *a);

/* ======================= the data grid ======================= */

/* Opens a stored dataset, or a read-only query, in the Data tab. */
void app_open_table(app *a, const char *dataset);
void app_open_query(app *a, const char *sql);
/* Opens a project file (relative path) in the editor at a line. */
void app_open_file(app *a, const char *path, int line);

/* ======================= views the shell wires in ======================= */

view *explorer_view_new(app *a);
view *grid_view_new(app *a);
view *run_view_new(app *a);
view *events_view_new(app *a);
view *problems_view_new(app *a);
view *term_view_new(app *a);
view *placeholder_view_new(app *a, const char *what);

/* The grid takes what to show through these (the shell calls them from
 * app_open_table/query). */
void grid_view_open_table(view *v, const char *warehouse, const char *table);
void grid_view_open_query(view *v, const char *warehouse, const char *sql);
/* The events view re-reads the event log; the explorer its datasets. */
void events_view_reload(view *v);
void explorer_view_reload(view *v);

/* Entry point of `tarn` / `tarn ui`: runs the TUI on the project in dir. */
int app_main(const char *dir, const strvec *params);

#endif
