/*
 * app_update.c - pipeline updates from the TUI (see app.h): the update runs
 * on the updates worker; its events and row counts come back to the UI thread
 * as posted calls and become the state the Run panel, the explorer and the
 * status bar show. Cancel interrupts SQLite; the flow in progress rolls back.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"

typedef struct ev_copy {
    int64_t update_id;
    char *type, *level, *dataset, *flow, *message, *details;
} ev_copy;

typedef struct rows_msg {
    char *dataset, *flow;
    int64_t rows, bytes, total;
} rows_msg;

typedef struct run_job {
    app *a;
    upd *u;
    upd_state state;
    double last_rows; /* when rows were last posted (worker side) */
} run_job;

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* ======================= the run's state ======================= */

static void flows_clear(app_update *up)
{
    for (size_t i = 0; i < up->flows.n; i++) {
        free(up->flows.v[i].dataset);
        free(up->flows.v[i].flow);
        free(up->flows.v[i].summary);
    }
    up->flows.n = 0;
}

static app_flow_state *find_flow(app_update *up, const char *dataset, const char *flow)
{
    for (size_t i = 0; i < up->flows.n; i++)
        if (dataset && flow && str_ieq(up->flows.v[i].dataset, dataset) &&
            str_ieq(up->flows.v[i].flow, flow))
            return &up->flows.v[i];
    return NULL;
}

/* One line of what a finished flow did: dropped rows, failed
 * expectations, CDC counts, or why it failed. */
static char *summarize(const cJSON *fp)
{
    sb b = {0};
    const cJSON *dq = cJSON_GetObjectItemCaseSensitive(fp, "data_quality");
    const cJSON *dropped = cJSON_GetObjectItemCaseSensitive(dq, "dropped_records");
    if (cJSON_IsNumber(dropped) && dropped->valuedouble > 0)
        sb_addf(&b, "%.0f dropped  ", dropped->valuedouble);
    const cJSON *ex;
    cJSON_ArrayForEach(ex, cJSON_GetObjectItemCaseSensitive(dq, "expectations")) {
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(ex, "failed_records");
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(ex, "name");
        if (cJSON_IsNumber(f) && f->valuedouble > 0 && cJSON_IsString(n))
            sb_addf(&b, "%s: %.0f failed  ", n->valuestring, f->valuedouble);
    }
    const cJSON *cdc = cJSON_GetObjectItemCaseSensitive(fp, "cdc");
    if (cdc) {
        const cJSON *ev = cJSON_GetObjectItemCaseSensitive(cdc, "events");
        const cJSON *ig = cJSON_GetObjectItemCaseSensitive(cdc, "ignored");
        sb_addf(&b, "cdc: %.0f events, %.0f ignored  ", cJSON_IsNumber(ev) ? ev->valuedouble : 0,
                cJSON_IsNumber(ig) ? ig->valuedouble : 0);
    }
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(fp, "reason");
    if (cJSON_IsString(why)) sb_add(&b, why->valuestring);
    return sb_take(&b);
}

static void apply_flow_event(app *a, const ev_copy *e)
{
    app_flow_state *f = find_flow(&a->up, e->dataset, e->flow);
    cJSON *root = e->details ? cJSON_Parse(e->details) : NULL;
    const cJSON *fp = cJSON_GetObjectItemCaseSensitive(root, "flow_progress");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(fp, "status");
    if (f && cJSON_IsString(status)) {
        snprintf(f->state, sizeof f->state, "%s", status->valuestring);
        f->up_to_date = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fp, "up_to_date"));
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(fp, "metrics");
        const cJSON *out = cJSON_GetObjectItemCaseSensitive(m, "num_output_rows");
        if (cJSON_IsNumber(out)) f->rows = (int64_t)out->valuedouble;
        const cJSON *ms = cJSON_GetObjectItemCaseSensitive(fp, "duration_ms");
        if (cJSON_IsNumber(ms)) f->ms = ms->valuedouble;
        free(f->summary);
        f->summary = summarize(fp);
        a->up.done++;
    }
    cJSON_Delete(root);
}

static void on_event(app *a, void *arg)
{
    ev_copy *e = arg;
    if (e->update_id) a->up.id = e->update_id;
    if (!strcmp(e->type, "flow_progress") && e->details) apply_flow_event(a, e);
    if (!strcmp(e->type, "planning_information") && !strcmp(e->level, "ERROR"))
        app_say(a, "%s", e->message);
    app_dirty(a, a->bottom_views[TAB_RUN]);
    app_dirty(a, a->main_views[TAB_DESIGNER]);
    free(e->type);
    free(e->level);
    free(e->dataset);
    free(e->flow);
    free(e->message);
    free(e->details);
    free(e);
}

static void on_rows(app *a, void *arg)
{
    rows_msg *r = arg;
    app_flow_state *f = find_flow(&a->up, r->dataset, r->flow);
    if (f && a->up.running) {
        snprintf(f->state, sizeof f->state, "RUNNING");
        f->rows = r->rows;
        f->bytes = r->bytes;
        f->bytes_total = r->total;
    }
    app_dirty(a, a->bottom_views[TAB_RUN]);
    app_dirty(a, a->main_views[TAB_DESIGNER]);
    free(r->dataset);
    free(r->flow);
    free(r);
}

static void on_done(app *a, void *arg)
{
    run_job *j = arg;
    app_update *up = &a->up;
    up->running = false;
    snprintf(up->state, sizeof up->state, "%s", upd_state_name(j->state));
    if (!up->id) up->id = upd_id(j->u);
    free(up->error);
    up->error = dup_or_null(upd_error(j->u));
    for (size_t i = 0; i < up->flows.n; i++)
        if (!strcmp(up->flows.v[i].state, "QUEUED") || !strcmp(up->flows.v[i].state, "RUNNING"))
            snprintf(up->flows.v[i].state, sizeof up->flows.v[i].state, "%s",
                     j->state == UPD_CANCELED ? "CANCELED" : "SKIPPED");
    double secs = (time_mono_ms() - up->started_ms) / 1000.0;
    if (!upd_id(j->u)) app_say(a, "The update could not start: %s", up->error ? up->error : "?");
    else app_say(a, "Update #%lld %s in %.1fs%s%s", (long long)up->id, up->state, secs,
                 up->error ? ": " : "", up->error ? up->error : "");
    upd_free(j->u);
    a->running = NULL;
    free(j);
    app_reload(a);
    events_view_reload(a->bottom_views[TAB_EVENTS]);
    app_dirty(a, NULL);
}

/* ======================= worker side ======================= */

static void listen_event(void *ctx, const evl_event *e)
{
    run_job *j = ctx;
    ev_copy *c = xcalloc(1, sizeof(*c));
    c->update_id = e->update_id;
    c->type = xstrdup(e->type);
    c->level = xstrdup(e->level);
    c->dataset = dup_or_null(e->dataset);
    c->flow = dup_or_null(e->flow);
    c->message = dup_or_null(e->message);
    c->details = dup_or_null(e->details);
    app_post(j->a, on_event, c);
}

static void listen_rows(void *ctx, const char *dataset, const char *flow, int64_t rows,
                        int64_t bytes, int64_t total)
{
    run_job *j = ctx;
    double now = time_mono_ms();
    if (now - j->last_rows < 100) return; /* enough for the eye */
    j->last_rows = now;
    rows_msg *r = xcalloc(1, sizeof(*r));
    r->dataset = dup_or_null(dataset);
    r->flow = dup_or_null(flow);
    r->rows = rows;
    r->bytes = bytes;
    r->total = total;
    app_post(j->a, on_rows, r);
}

static void run(void *arg)
{
    run_job *j = arg;
    j->state = upd_run(j->u);
    app_post(j->a, on_done, j);
}

/* ======================= API ======================= */

void app_update_init(app *a)
{
    memset(&a->up, 0, sizeof a->up);
}

void app_update_free(app *a)
{
    flows_clear(&a->up);
    VEC_FREE(&a->up.flows);
    free(a->up.error);
}

const app_update *app_update_state(const app *a)
{
    return &a->up;
}

void app_run_update(app *a, bool full, const char *select)
{
    if (a->up.running) {
        app_say(a, "An update is running: wait for it or cancel it (C-c)");
        return;
    }
    if (app_unsaved(a) && app_save_all(a) > 0) return; /* runs what is on screen; it said why not */
    app_update *up = &a->up;
    flows_clear(up);
    up->id = 0;
    up->done = 0;
    free(up->error);
    up->error = NULL;
    const project *p = &a->p;
    for (size_t i = 0; i < p->order.n; i++) {
        const prj_dataset *d = &p->datasets.v[p->order.v[i]];
        if (d->kind == SQL_TEMP_VIEW || (select && !str_ieq(select, d->name))) continue;
        for (size_t k = 0; k < d->flows.n; k++) {
            app_flow_state f = {xstrdup(d->name), xstrdup(p->flows.v[d->flows.v[k]].name),
                                "QUEUED", 0, 0, 0, 0, false, NULL};
            VEC_PUSH(&up->flows, f);
        }
    }
    up->total = (int)up->flows.n;
    up->running = true;
    up->started_ms = time_mono_ms();
    snprintf(up->state, sizeof up->state, "RUNNING");
    run_job *j = xcalloc(1, sizeof(*j));
    j->a = a;
    upd_options o = {0};
    o.full_refresh = full && !select;
    o.cause = "ui";
    if (select) VEC_PUSH(full ? &o.full_refresh_select : &o.select, xstrdup(select));
    upd_listener l = {listen_event, listen_rows, j};
    j->u = upd_new(a->dir, &a->params, &o, &l);
    strvec_free(&o.select);
    strvec_free(&o.full_refresh_select);
    a->running = j->u;
    worker_submit(&a->updates, run, j);
    app_show_bottom(a, TAB_RUN);
    a->focus = PANE_MAIN; /* keep working where you were; the panel shows progress */
    app_say(a, "Running the pipeline%s%s%s", full ? " (full refresh)" : "",
            select ? ": " : "", select ? select : "");
}

void app_cancel(app *a)
{
    if (!a->running) return;
    upd_cancel(a->running);
    app_say(a, "Canceling: the running flow rolls back...");
}
