/*
 * view_events.c - the Events panel: the event log of state.db, newest first,
 * read on the query worker; filters by level (l), type (t) and dataset (d);
 * Enter shows an event with its details JSON pretty-printed.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "evlog.h"
#include "fsutil.h"

typedef struct event_row {
    int64_t id, update_id;
    char *ts, *level, *type, *dataset, *flow, *message, *details;
} event_row;

typedef VEC(event_row) event_rows;

typedef struct events_view {
    view base;
    event_rows rows;
    ui_list list;
    int rows_shown;
    int level;        /* 0 all, 1 INFO, 2 WARN, 3 ERROR */
    int type;         /* 0 all, then types[] */
    char *dataset;    /* owned or NULL */
    int generation;   /* drops results of superseded loads */
} events_view;

static const char *const levels[] = {NULL, "INFO", "WARN", "ERROR"};
static const char *const types[] = {NULL, "flow_progress", "update_progress", "create_update",
                                    "dataset_definition", "planning_information"};

static const char *const help[] = {
    "Up/Down      move",
    "Enter        show the event with its details",
    "l            filter by level (all, INFO, WARN, ERROR)",
    "t            filter by type",
    "d            only the selected event's dataset (again: all datasets)",
    "r            read the log again",
    NULL};

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void free_rows(event_rows *rows)
{
    for (size_t i = 0; i < rows->n; i++) {
        event_row *e = &rows->v[i];
        free(e->ts);
        free(e->level);
        free(e->type);
        free(e->dataset);
        free(e->flow);
        free(e->message);
        free(e->details);
    }
    VEC_FREE(rows);
}

/* ---- loading on the query worker ---- */

typedef struct load_job {
    app *a;
    events_view *ev;
    char *path;
    evl_filter f;
    char *dataset;
    int generation;
    event_rows rows;
    char *error;
} load_job;

static int collect(void *ctx, const evl_event *e)
{
    load_job *j = ctx;
    event_row r = {e->id, e->update_id, dup_or_null(e->timestamp), dup_or_null(e->level),
                   dup_or_null(e->type), dup_or_null(e->dataset), dup_or_null(e->flow),
                   dup_or_null(e->message), dup_or_null(e->details)};
    VEC_PUSH(&j->rows, r);
    return 0;
}

static void load_done(app *a, void *arg)
{
    load_job *j = arg;
    events_view *ev = j->ev;
    if (j->generation == ev->generation) {
        free_rows(&ev->rows);
        ev->rows = j->rows;
        ev->list.n = (int)ev->rows.n;
        ui_list_fit(&ev->list, ev->rows_shown > 0 ? ev->rows_shown : 5);
        if (j->error) app_say(a, "%s", j->error);
    } else {
        free_rows(&j->rows);
    }
    app_dirty(a, &ev->base);
    free(j->error);
    free(j->dataset);
    free(j->path);
    free(j);
}

static void load_run(void *arg)
{
    load_job *j = arg;
    sqlite3 *db = NULL;
    if (fs_exists(j->path) && evl_open_readonly(j->path, &db, NULL) == 0)
        evl_list(db, &j->f, collect, j, &j->error);
    sqlite3_close(db);
    app_post(j->a, load_done, j);
}

void events_view_reload(view *v)
{
    events_view *ev = (events_view *)v;
    load_job *j = xcalloc(1, sizeof(*j));
    j->a = v->a;
    j->ev = ev;
    j->path = fs_join(app_dir(v->a), ".tarn/state.db");
    j->f.level = levels[ev->level];
    j->f.type = types[ev->type];
    j->dataset = dup_or_null(ev->dataset);
    j->f.dataset = j->dataset;
    j->f.limit = 2000;
    j->generation = ++ev->generation;
    app_query(v->a, load_run, j);
}

/* ---- drawing ---- */

static ui_role level_role(const char *l)
{
    if (!l) return R_NORMAL;
    if (!strcmp(l, "ERROR")) return R_ERROR;
    if (!strcmp(l, "WARN")) return R_WARNING;
    return R_MUTED;
}

static void draw(view *v, ui_canvas *c, bool focused)
{
    events_view *ev = (events_view *)v;
    ui_rect r = ui_canvas_rect(c);
    char head[200];
    snprintf(head, sizeof head, "%zu events  level: %s  type: %s  dataset: %s   (l t d filter,"
             " Enter details)", ev->rows.n, levels[ev->level] ? levels[ev->level] : "all",
             types[ev->type] ? types[ev->type] : "all", ev->dataset ? ev->dataset : "all");
    ui_text(c, 0, 1, r.cols - 2, head, R_MUTED, 0, true);
    ev->rows_shown = r.rows - 1;
    ui_list_fit(&ev->list, ev->rows_shown);
    for (int row = 0; row < ev->rows_shown && ev->list.top + row < ev->list.n; row++) {
        const event_row *e = &ev->rows.v[ev->list.top + row];
        bool sel = ev->list.top + row == ev->list.sel && focused;
        ui_role base = sel ? R_SELECTION : R_NORMAL;
        if (sel) ui_fill(c, (ui_rect){row + 1, 0, 1, r.cols}, base);
        int col = 1;
        const char *time = e->ts && strlen(e->ts) > 11 ? e->ts + 11 : e->ts ? e->ts : "";
        col += 1 + ui_text(c, row + 1, col, 12, time, sel ? base : R_MUTED, 0, true);
        char num[24];
        snprintf(num, sizeof num, "#%lld", (long long)e->update_id);
        col += 1 + ui_text(c, row + 1, col, 5, num, sel ? base : R_MUTED, 0, true);
        col += 1 + ui_text(c, row + 1, col, 5, e->level ? e->level : "", sel ? base :
                           level_role(e->level), 0, true);
        col += 1 + ui_text(c, row + 1, col, 16, e->type ? e->type : "", sel ? base : R_INFO, 0,
                           true);
        ui_text(c, row + 1, col + 1, r.cols - col - 2, e->message ? e->message : "", base, 0,
                true);
    }
    if (!ev->rows.n)
        ui_text(c, 1, 1, -1, "No events yet: run the pipeline (F5).", R_MUTED, 0, true);
}

/* ---- keys ---- */

static void show_details(events_view *ev)
{
    if (ev->list.sel < 0 || (size_t)ev->list.sel >= ev->rows.n) return;
    const event_row *e = &ev->rows.v[ev->list.sel];
    sb b = {0};
    sb_addf(&b, "id          %lld\ntimestamp   %s\nupdate      #%lld\nlevel       %s\n"
                "event_type  %s\n", (long long)e->id, e->ts ? e->ts : "",
            (long long)e->update_id, e->level ? e->level : "", e->type ? e->type : "");
    if (e->dataset) sb_addf(&b, "dataset     %s\n", e->dataset);
    if (e->flow) sb_addf(&b, "flow        %s\n", e->flow);
    sb_addf(&b, "message     %s\n", e->message ? e->message : "");
    if (e->details) {
        cJSON *root = cJSON_Parse(e->details);
        char *pretty = root ? cJSON_Print(root) : NULL;
        sb_addf(&b, "\ndetails\n%s\n", pretty ? pretty : e->details);
        free(pretty);
        cJSON_Delete(root);
    }
    app_popup(ev->base.a, "Event", sb_str(&b));
    sb_free(&b);
}

static bool key(view *v, const ui_event *e)
{
    events_view *ev = (events_view *)v;
    if (view_list_key(v, &ev->list, ev->rows_shown, e)) return true;
    if (!strcmp(e->key, "Enter")) {
        show_details(ev);
        return true;
    }
    if (!strcmp(e->key, "l")) ev->level = (ev->level + 1) % 4;
    else if (!strcmp(e->key, "t")) ev->type = (ev->type + 1) % (int)ARRAY_LEN(types);
    else if (!strcmp(e->key, "d")) {
        bool had = ev->dataset != NULL;
        free(ev->dataset);
        ev->dataset = NULL;
        if (!had && ev->list.sel >= 0 && (size_t)ev->list.sel < ev->rows.n &&
            ev->rows.v[ev->list.sel].dataset)
            ev->dataset = xstrdup(ev->rows.v[ev->list.sel].dataset);
    } else if (strcmp(e->key, "r")) {
        return false;
    }
    ev->list.sel = ev->list.top = 0;
    events_view_reload(v);
    return true;
}

static bool mouse(view *v, const ui_event *e, int row, int col)
{
    (void)col;
    events_view *ev = (events_view *)v;
    bool activate;
    view_list_mouse(v, &ev->list, ev->rows_shown, e, row - 1, &activate);
    if (activate) show_details(ev);
    return true;
}

static void free_view(view *v)
{
    events_view *ev = (events_view *)v;
    free_rows(&ev->rows);
    free(ev->dataset);
    free(ev);
}

static const view_ops ops = {
    .title = "Events",
    .draw = draw,
    .key = key,
    .mouse = mouse,
    .help = help,
    .free = free_view};

view *events_view_new(app *a)
{
    events_view *ev = view_new(sizeof(*ev), &ops, a);
    events_view_reload(&ev->base);
    return &ev->base;
}
