/*
 * update.c - one pipeline update (see update.h).
 */
#include "update.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cdc.h"
#include "flow.h"
#include "fsutil.h"
#include "graph.h"
#include "plan.h"
#include "readfiles.h"
#include "validate.h"
#include "vcs.h"
#include "warehouse.h"

/* What happened to a dataset in this update. */
enum { R_PENDING, R_OK, R_FAILED, R_SKIPPED, R_EXCLUDED, R_CANCELED };

struct upd {
    char *dir;
    strvec params;
    upd_options opts;        /* strvecs owned (deep copies) */
    upd_listener l;
    project p;
    bool loaded;
    int64_t id;
    char *error;
    sqlite3 *state;
    bool state_tx;           /* a batch of event writes is open */
    double last_flush;       /* when the last batch committed (ms) */
    sqlite3 *wh;             /* guarded by mu against upd_cancel */
    ing_registry files;      /* read_files sources on wh */
    size_t flow_sources;     /* files sources from here on belong to the running flow */
    pthread_mutex_t mu;
    atomic_int cancel;
    int lock;
    unsigned char *selected, *reset, *result; /* per dataset */
    const char *cur_dataset, *cur_flow;
    char *first_failure;     /* "flow: why" of the first flow that failed */
};

/* ======================= events ======================= */

static void emit(upd *u, const char *level, const char *type, const char *dataset,
                 const char *flow, const char *details, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* Event writes are batched in transactions of at most ~100 ms: another
 * process reading the log sees them that late at worst, while an update of a
 * thousand up-to-date datasets does not pay a commit per event. Listeners
 * get each event at once. */
static void flush_events(upd *u)
{
    if (u->state_tx) wh_exec(u->state, "COMMIT", NULL);
    u->state_tx = false;
    u->last_flush = time_mono_ms();
}

static void emit(upd *u, const char *level, const char *type, const char *dataset,
                 const char *flow, const char *details, const char *fmt, ...)
{
    if (!u->state_tx) u->state_tx = wh_exec(u->state, "BEGIN IMMEDIATE", NULL) == 0;
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    evl_event e = {0, NULL, u->id, level, type, dataset, flow, msg, details};
    char ts[32];
    evl_append(u->state, &e, ts);
    if (u->l.event) u->l.event(u->l.ctx, &e);
    free(msg);
    if (time_mono_ms() - u->last_flush > 100) flush_events(u);
}

static void set_state(upd *u, upd_state s, const char *why)
{
    if (!u->state_tx) u->state_tx = wh_exec(u->state, "BEGIN IMMEDIATE", NULL) == 0;
    evl_update_set_state(u->state, u->id, upd_state_name(s), why);
    char *details = xasprintf("{\"update_progress\": {\"state\": \"%s\"}}", upd_state_name(s));
    emit(u, s == UPD_FAILED ? "ERROR" : "INFO", "update_progress", NULL, NULL, details,
         "Update #%lld is %s%s%s", (long long)u->id, upd_state_name(s), why ? ": " : "",
         why ? why : "");
    free(details);
    flush_events(u);
}

static void json_names(sb *b, const strvec *v)
{
    sb_addc(b, '[');
    for (size_t i = 0; i < v->n; i++) {
        if (i) sb_add(b, ", ");
        sb_add_jsonstr(b, v->v[i]);
    }
    sb_addc(b, ']');
}

/* ======================= start ======================= */

static void fail_setup(upd *u, char *msg)
{
    free(u->error);
    u->error = msg;
}

/* Opens state.db, takes the lock and records the update. */
static bool start(upd *u)
{
    char *err = NULL;
    char *manpath = fs_join(u->dir, MAN_FILE);
    bool is_project = fs_exists(manpath);
    free(manpath);
    if (!is_project) {
        fail_setup(u, xasprintf("%s has no %s: not a tarn project (create one with "
                                "'tarn init')", u->dir, MAN_FILE));
        return false;
    }
    char *statepath = fs_join(u->dir, ".tarn/state.db");
    int rc = evl_open(statepath, &u->state, &err);
    free(statepath);
    if (rc < 0) {
        fail_setup(u, err);
        return false;
    }
    char *tarndir = fs_join(u->dir, ".tarn");
    u->lock = wh_lock(tarndir, 0, &err);
    free(tarndir);
    if (u->lock < 0) {
        fail_setup(u, err);
        return false;
    }
    /* holding the lock, nothing else runs: a RUNNING update was cut short */
    evl_update_fail_stale(u->state, "interrupted: the process ended before the update "
                                    "finished");
    char commit[41];
    bool dirty = false;
    vcs_head(u->dir, commit, &dirty);
    sb sel = {0}, frs = {0};
    json_names(&sel, &u->opts.select);
    json_names(&frs, &u->opts.full_refresh_select);
    const char *cause = u->opts.cause ? u->opts.cause : "cli";
    u->id = evl_update_create(u->state, cause, u->opts.full_refresh,
                              u->opts.select.n ? sb_str(&sel) : NULL,
                              u->opts.full_refresh_select.n ? sb_str(&frs) : NULL,
                              commit[0] ? commit : NULL, dirty, &err);
    if (u->id < 0) {
        u->id = 0;
        fail_setup(u, err);
        sb_free(&sel);
        sb_free(&frs);
        return false;
    }
    wh_lock_note(u->lock, u->id);
    sb d = {0};
    sb_addf(&d, "{\"create_update\": {\"cause\": \"%s\", \"full_refresh\": %s, "
            "\"refresh_selection\": %s, \"full_refresh_selection\": %s, \"commit\": ",
            cause, u->opts.full_refresh ? "true" : "false", sb_str(&sel), sb_str(&frs));
    if (commit[0]) sb_add_jsonstr(&d, commit);
    else sb_add(&d, "null");
    sb_addf(&d, ", \"dirty\": %s}}", dirty ? "true" : "false");
    emit(u, "INFO", "create_update", NULL, NULL, sb_str(&d), "Update #%lld started by %s%s",
         (long long)u->id, cause, u->opts.full_refresh ? " (full refresh)" : "");
    sb_free(&d);
    sb_free(&sel);
    sb_free(&frs);
    return true;
}

/* ======================= planning ======================= */

static void log_problems(upd *u, const diag_list *diags)
{
    for (size_t i = 0; i < diags->items.n; i++) {
        const diag *dg = &diags->items.v[i];
        char *line = diag_format(dg);
        const char *level = dg->level == DIAG_ERROR ? "ERROR"
                            : dg->level == DIAG_WARNING ? "WARN" : "INFO";
        emit(u, level, "planning_information", NULL, NULL, NULL, "%s", line);
        free(line);
    }
}

/* Resolves --select / --full-refresh-select into per-dataset marks. */
static bool resolve_selection(upd *u)
{
    const project *p = &u->p;
    size_t n = p->datasets.n + 1;
    u->selected = xcalloc(n, 1);
    u->reset = xcalloc(n, 1);
    u->result = xcalloc(n, 1);
    bool all = !u->opts.select.n && !u->opts.full_refresh_select.n, good = true;
    const strvec *lists[2] = {&u->opts.select, &u->opts.full_refresh_select};
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < lists[l]->n; i++) {
            int d = prj_dataset_find(p, lists[l]->v[i]);
            if (d < 0 || p->datasets.v[d].kind == SQL_TEMP_VIEW) {
                emit(u, "ERROR", "planning_information", NULL, NULL, NULL,
                     d < 0 ? "unknown dataset '%s' in the selection"
                           : "'%s' is a temporary view: it is not stored, so it "
                             "cannot be refreshed", lists[l]->v[i]);
                good = false;
                continue;
            }
            u->selected[d] = 1;
            if (l == 1) u->reset[d] = 1;
        }
    for (size_t d = 0; d < p->datasets.n; d++) {
        if (all) u->selected[d] = 1;
        if (u->opts.full_refresh && u->selected[d]) u->reset[d] = 1;
    }
    return good;
}

static void log_definitions(upd *u, const val_result *schemas)
{
    const project *p = &u->p;
    for (size_t i = 0; i < p->datasets.n; i++) {
        const prj_dataset *d = &p->datasets.v[i];
        sb b = {0};
        sb_add(&b, "{\"dataset_definition\": {\"kind\": ");
        sb_add_jsonstr(&b, sql_kind_name(d->kind));
        sb_add(&b, ", \"file\": ");
        sb_add_jsonstr(&b, p->files.v[d->file].path);
        sb_add(&b, ", \"schema\": [");
        const val_dataset *vd = &schemas->datasets[i];
        for (size_t c = 0; c < vd->columns.n; c++) {
            sb_add(&b, c ? ", {\"name\": " : "{\"name\": ");
            sb_add_jsonstr(&b, vd->columns.v[c].name);
            sb_add(&b, ", \"type\": ");
            sb_add_jsonstr(&b, vd->columns.v[c].type);
            sb_addc(&b, '}');
        }
        sb_add(&b, "], \"expectations\": [");
        for (size_t e = 0; e < d->stmt->expects.n; e++) {
            const sql_expect *x = &d->stmt->expects.v[e];
            sb_add(&b, e ? ", {\"name\": " : "{\"name\": ");
            sb_add_jsonstr(&b, x->name);
            sb_add(&b, ", \"expression\": ");
            sb_add_jsonstr(&b, x->expr);
            sb_addf(&b, ", \"on_violation\": \"%s\"}", sql_violation_name(x->action));
        }
        sb_add(&b, "]}}");
        emit(u, "INFO", "dataset_definition", d->name, NULL, sb_str(&b), "%s '%s' defined",
             sql_kind_name(d->kind), d->name);
        sb_free(&b);
    }
}

/* ======================= flow reporting ======================= */

typedef struct flow_report {
    const char *status;     /* COMPLETED, FAILED, SKIPPED, EXCLUDED, STOPPED */
    const flw_metrics *m;   /* may be NULL */
    bool up_to_date;
    double ms;
    const char *why;        /* failure or skip reason */
    const cdc_metrics *cdc; /* AUTO CDC flows: what the events did, else NULL */
} flow_report;

static void report_flow(upd *u, int d, int f, const flow_report *r)
{
    const prj_dataset *ds = &u->p.datasets.v[d];
    const char *flow = u->p.flows.v[f].name;
    sb b = {0}, msg = {0};
    sb_addf(&b, "{\"flow_progress\": {\"status\": \"%s\"", r->status);
    sb_addf(&msg, "Flow '%s' has %s", flow, r->status);
    if (r->m) {
        sb_addf(&b, ", \"metrics\": {\"num_output_rows\": %lld, \"num_input_rows\": %lld}",
                (long long)r->m->rows_written, (long long)r->m->rows_read);
        sb_addf(&b, ", \"data_quality\": {\"dropped_records\": %lld, \"expectations\": [",
                (long long)r->m->rows_dropped);
        for (int e = 0; e < r->m->n_expect; e++) {
            const sql_expect *x = &ds->stmt->expects.v[e];
            sb_add(&b, e ? ", {\"name\": " : "{\"name\": ");
            sb_add_jsonstr(&b, x->name);
            sb_add(&b, ", \"dataset\": ");
            sb_add_jsonstr(&b, ds->name);
            sb_addf(&b, ", \"on_violation\": \"%s\", \"passed_records\": %lld, "
                    "\"failed_records\": %lld}", sql_violation_name(x->action),
                    (long long)r->m->passed[e], (long long)r->m->failed[e]);
        }
        sb_add(&b, "]}");
        if (!r->up_to_date)
            sb_addf(&msg, ": %lld rows written", (long long)r->m->rows_written);
        if (r->m->rows_dropped) sb_addf(&msg, ", %lld dropped", (long long)r->m->rows_dropped);
    }
    if (r->cdc) {
        sb_addf(&b, ", \"cdc\": {\"events\": %lld, \"upserts\": %lld, \"deletes\": %lld, "
                "\"ignored\": %lld, \"truncates\": %lld}", (long long)r->cdc->events,
                (long long)r->cdc->upserts, (long long)r->cdc->deletes,
                (long long)r->cdc->ignored, (long long)r->cdc->truncates);
        sb_addf(&msg, " (%lld events: %lld deletes, %lld ignored)", (long long)r->cdc->events,
                (long long)r->cdc->deletes, (long long)r->cdc->ignored);
    }
    if (r->up_to_date) {
        sb_add(&b, ", \"up_to_date\": true");
        sb_add(&msg, ": up to date");
    }
    sb_addf(&b, ", \"duration_ms\": %.1f", r->ms);
    if (r->why) {
        sb_add(&b, ", \"reason\": ");
        sb_add_jsonstr(&b, r->why);
        sb_addf(&msg, ": %s", r->why);
    }
    sb_add(&b, "}}");
    const char *level = !strcmp(r->status, "FAILED") ? "ERROR" : "INFO";
    if (r->m && !strcmp(level, "INFO"))
        for (int e = 0; e < r->m->n_expect; e++)
            if (r->m->failed[e]) level = "WARN";
    emit(u, level, "flow_progress", ds->name, flow, sb_str(&b), "%s", sb_str(&msg));
    sb_free(&b);
    sb_free(&msg);
}

static void report_all_flows(upd *u, int d, const flow_report *r)
{
    const prj_dataset *ds = &u->p.datasets.v[d];
    for (size_t i = 0; i < ds->flows.n; i++) report_flow(u, d, ds->flows.v[i], r);
}

/* Problem callback collecting messages into an sb (for errors found while
 * running, which the dry run would have reported with their position). */
static void collect_problem(void *ctx, size_t off, const char *msg)
{
    sb *b = ctx;
    (void)off;
    sb_addf(b, "%s%s", b->len ? "; " : "", msg);
}

/* The first error of d, formatted (file:line:col: error: ...), for a flow's
 * failure message. */
static char *first_error(const diag_list *d)
{
    for (size_t i = 0; i < d->items.n; i++)
        if (d->items.v[i].level == DIAG_ERROR) return diag_format(&d->items.v[i]);
    return xstrdup("read_files failed");
}

/* Binds the flow's read_files calls to all their files (rf_bind_all). */
static bool bind_all_files(upd *u, int f, strvec *tables, char **err)
{
    diag_list d = {0};
    bool good = rf_bind_all(u->wh, &u->files, &u->p, f, tables, &d) == 0;
    if (!good) *err = first_error(&d);
    diag_free(&d);
    return good;
}

/* Logs the read_files messages ("WARN ..." / "INFO ...") of a flow. */
static void log_file_messages(upd *u, int f, const strvec *messages)
{
    const prj_flow *fl = &u->p.flows.v[f];
    for (size_t i = 0; i < messages->n; i++) {
        const char *m = messages->v[i];
        bool warn = !strncmp(m, "WARN ", 5);
        emit(u, warn ? "WARN" : "INFO", "flow_progress", u->p.datasets.v[fl->dataset].name,
             fl->name, NULL, "%s", m + 5);
    }
}

static int64_t count_rows(upd *u, const char *table)
{
    sb q = {0};
    sb_add(&q, "SELECT count(*) FROM ");
    sb_add_ident(&q, table);
    int64_t n = wh_int(u->wh, sb_str(&q), 0);
    sb_free(&q);
    return n;
}

static void on_rows(void *ctx, int64_t rows)
{
    upd *u = ctx;
    int64_t bytes = 0, total = 0; /* of the files the running flow reads */
    for (size_t k = u->flow_sources; k < u->files.sources.n; k++) {
        bytes += atomic_load(&u->files.sources.v[k]->bytes_read);
        total += u->files.sources.v[k]->bytes_total;
    }
    if (u->l.rows) u->l.rows(u->l.ctx, u->cur_dataset, u->cur_flow, rows, bytes, total);
}

/* ======================= inputs ======================= */

/* Appends "name=version;" for each stored input of dataset d, looking through
 * temporary views; sets *external when a query reads a table that is not a
 * dataset (whose changes tarn cannot see). */
static void input_signature(upd *u, int d, sb *sig, bool *external, unsigned char *seen)
{
    const project *p = &u->p;
    const prj_dataset *ds = &p->datasets.v[d];
    for (size_t i = 0; i < ds->flows.n; i++) {
        const sql_stmt *s = p->flows.v[ds->flows.v[i]].stmt;
        for (size_t r = 0; r < s->refs.n; r++)
            if (prj_ref_kind_of(p, s, &s->refs.v[r], NULL) == REF_TABLE) *external = true;
        rf_fingerprint(p, ds->flows.v[i], sig); /* files read whole: their names, sizes, times */
    }
    for (size_t i = 0; i < ds->deps.n; i++) {
        int in = ds->deps.v[i];
        if (seen[in]) continue;
        seen[in] = 1;
        if (p->datasets.v[in].kind == SQL_TEMP_VIEW) {
            /* the view's own query is part of what the reader computes */
            char vh[17];
            plan_def_hash(p, in, vh);
            sb_addf(sig, "%s#%s;", p->datasets.v[in].name, vh);
            input_signature(u, in, sig, external, seen);
            continue;
        }
        wh_dataset_meta m;
        wh_meta_get(u->wh, p->datasets.v[in].name, &m);
        sb_addf(sig, "%s=%lld.%lld;", p->datasets.v[in].name, (long long)m.version,
                (long long)m.generation);
        wh_meta_free(&m);
    }
}

/* ======================= running datasets ======================= */

/* Fails when the transaction could not start (busy, or interrupted by a
 * cancel): the flow must then write nothing, as its statements would each
 * commit alone. */
static bool begin(upd *u, char **err)
{
    return wh_exec(u->wh, "BEGIN IMMEDIATE", err) == 0;
}

static void rollback(upd *u)
{
    wh_exec(u->wh, "ROLLBACK", NULL);
}

/* Runs the flow into its table inside the open transaction; on failure
 * reports it and returns false (the caller rolls back). */
static flw_status run_rows(upd *u, int d, int f, const rewrite *q, flw_metrics *m,
                           char **err)
{
    const prj_dataset *ds = &u->p.datasets.v[d];
    u->cur_dataset = ds->name;
    u->cur_flow = u->p.flows.v[f].name;
    flush_events(u); /* what led here is visible while the rows run */
    flw_job j = {u->wh, ds->name, sb_str(&q->out), ds->stmt->expects.v,
                 (int)ds->stmt->expects.n, &u->cancel, on_rows, u};
    flw_status st = flw_run(&j, m, err);
    /* rows read_files dropped as malformed (mode DROPMALFORMED) are dropped
     * records of the flow too */
    for (size_t k = u->flow_sources; k < u->files.sources.n; k++)
        m->rows_dropped += atomic_load(&u->files.sources.v[k]->rows_dropped);
    return st;
}

static int finish_flow(upd *u, int d, int f, flw_status st, flw_metrics *m,
                       const cdc_metrics *cm, char *err, double t0)
{
    flow_report r = {"COMPLETED", m, false, time_mono_ms() - t0, NULL, cm};
    int result = R_OK;
    if (st != FLW_OK && atomic_load(&u->cancel)) st = FLW_CANCELED; /* interrupted */
    if (st == FLW_CANCELED) {
        r.status = "STOPPED";
        r.why = "canceled";
        result = R_CANCELED;
    } else if (st != FLW_OK) {
        r.status = "FAILED";
        r.why = err;
        result = R_FAILED;
        if (!u->first_failure && err)
            u->first_failure = xasprintf("%s: %s", u->p.flows.v[f].name, err);
    }
    report_flow(u, d, f, &r);
    return result;
}

/* Materialized view: recompute into a fresh table and swap it in within one
 * transaction, unless its definition and every input are as at its last
 * refresh. */
static int refresh_view(upd *u, int d)
{
    const project *p = &u->p;
    const prj_dataset *ds = &p->datasets.v[d];
    int f = ds->flows.v[0];
    double t0 = time_mono_ms();
    char hash[17];
    plan_def_hash(p, d, hash);
    sb sig = {0};
    bool external = false;
    unsigned char *seen = xcalloc(p->datasets.n + 1, 1);
    input_signature(u, d, &sig, &external, seen);
    free(seen);
    wh_dataset_meta meta;
    wh_meta_get(u->wh, ds->name, &meta);
    bool fresh = !u->reset[d] && meta.found && !external && !strcmp(meta.def_hash, hash) &&
                 meta.inputs && !strcmp(meta.inputs, sb_str(&sig)) &&
                 wh_table_exists(u->wh, "main", ds->name);
    if (fresh) {
        flow_report r = {"COMPLETED", NULL, true, time_mono_ms() - t0, NULL, NULL};
        report_flow(u, d, f, &r);
        wh_meta_free(&meta);
        sb_free(&sig);
        return R_OK;
    }
    flw_metrics m = {0};
    char *err = NULL;
    flw_status st = FLW_ERROR;
    rewrite q = {0};
    strvec files = {0};
    u->flow_sources = u->files.sources.n;
    bool bound = bind_all_files(u, f, &files, &err);
    plan_bind bind = {NULL, NULL, &files};
    plan_query(p, f, &bind, &q);
    sb drop = {0};
    sb_add(&drop, "DROP TABLE IF EXISTS ");
    sb_add_ident(&drop, ds->name);
    int off;
    if (atomic_load(&u->cancel))
        st = FLW_CANCELED; /* the reads above may have been cut short: write nothing */
    else if (bound && begin(u, &err) && wh_exec(u->wh, sb_str(&drop), &err) == 0 &&
             plan_create_table(u->wh, p, d, &q, &err, &off) == 0)
        st = run_rows(u, d, f, &q, &m, &err);
    if (st == FLW_OK) {
        snprintf(meta.kind, sizeof meta.kind, "%s", "materialized_view");
        memcpy(meta.def_hash, hash, sizeof hash);
        free(meta.inputs);
        meta.inputs = sb_take(&sig);
        meta.version++;
        if (u->reset[d]) meta.generation++;
        meta.rows = m.rows_written;
        meta.last_update = u->id;
        if (wh_meta_put(u->wh, ds->name, &meta, &err) < 0 ||
            wh_exec(u->wh, "COMMIT", &err) < 0)
            st = FLW_ERROR;
    }
    if (st != FLW_OK) rollback(u);
    int result = finish_flow(u, d, f, st, &m, NULL, err, t0);
    ing_registry_truncate(u->wh, &u->files, u->flow_sources);
    strvec_free(&files);
    rw_free(&q);
    sb_free(&drop);
    free(err);
    flw_metrics_free(&m);
    wh_meta_free(&meta);
    sb_free(&sig);
    return result;
}

/* Full refresh of a streaming table, inside the caller's transaction: its
 * rows and its flows' checkpoints go, and its generation moves on so that
 * readers of it start over. */
static bool reset_table(upd *u, int d, char **err)
{
    const prj_dataset *ds = &u->p.datasets.v[d];
    sb drop = {0};
    sb_add(&drop, "DROP TABLE IF EXISTS ");
    sb_add_ident(&drop, ds->name);
    bool good = wh_exec(u->wh, sb_str(&drop), err) == 0;
    for (size_t i = 0; good && i < ds->flows.n; i++) {
        const prj_flow *fl = &u->p.flows.v[ds->flows.v[i]];
        good = wh_checkpoint_clear(u->wh, fl->name, err) == 0;
        if (good && fl->stmt->cdc) { /* what an AUTO CDC flow knows of its target */
            char *state = xasprintf("_tarn_cdc_%s", fl->name);
            sb_clear(&drop);
            sb_add(&drop, "DROP TABLE IF EXISTS ");
            sb_add_ident(&drop, state);
            good = wh_exec(u->wh, sb_str(&drop), err) == 0;
            free(state);
        }
    }
    wh_dataset_meta meta;
    wh_meta_get(u->wh, ds->name, &meta);
    snprintf(meta.kind, sizeof meta.kind, "%s", "streaming_table");
    meta.generation++;
    meta.version++;
    meta.rows = 0;
    meta.last_update = u->id;
    if (good) good = wh_meta_put(u->wh, ds->name, &meta, err) == 0;
    wh_meta_free(&meta);
    sb_free(&drop);
    return good;
}

/* A full refresh resets every streaming table it covers in one transaction,
 * before any flow runs. Reset one by one as each table's turn came, a cancel
 * or a failure after a source was reset but before its reader was would
 * leave the reader's rows and checkpoint pointing into a generation of the
 * source that is gone: its next update would read the source again from the
 * start and hold every row twice. */
static bool reset_streaming_tables(upd *u)
{
    const project *p = &u->p;
    char *err = NULL;
    bool good = true, any = false;
    for (size_t i = 0; good && i < p->order.n; i++) {
        int d = p->order.v[i];
        if (!u->reset[d] || p->datasets.v[d].kind != SQL_STREAMING_TABLE) continue;
        if (!any && atomic_load(&u->cancel)) return true; /* nothing runs anyway */
        if (!any) good = wh_exec(u->wh, "BEGIN IMMEDIATE", &err) == 0;
        any = true;
        if (good) good = reset_table(u, d, &err);
    }
    if (!any) return true;
    if (good) good = wh_exec(u->wh, "COMMIT", &err) == 0;
    if (!good) {
        rollback(u);
        if (!atomic_load(&u->cancel))
            fail_setup(u, xasprintf("full refresh: cannot reset the streaming tables: %s", err));
        free(err);
        return false;
    }
    for (size_t i = 0; i < p->order.n; i++) {
        int d = p->order.v[i];
        if (u->reset[d] && p->datasets.v[d].kind == SQL_STREAMING_TABLE)
            emit(u, "INFO", "update_progress", p->datasets.v[d].name, NULL, NULL,
                 "Streaming table '%s' was reset for a full refresh", p->datasets.v[d].name);
    }
    return true;
}

/* The window of source rows a streaming flow has not read: lo[k] < rowid <=
 * hi[k] for each STREAM source k. Returns whether any window is non-empty. */
static bool stream_windows(upd *u, int f, const strvec *src, bool table_exists,
                           int64_t *lo, int64_t *hi, int64_t *gen, char **err)
{
    const project *p = &u->p;
    const char *flow = p->flows.v[f].name;
    bool any = false;
    for (size_t k = 0; k < src->n; k++) {
        int64_t pos, seen_gen;
        wh_checkpoint_get(u->wh, flow, src->v[k], &pos, &seen_gen);
        gen[k] = 0;
        if (prj_dataset_find(p, src->v[k]) >= 0) {
            wh_dataset_meta sm;
            wh_meta_get(u->wh, src->v[k], &sm);
            gen[k] = sm.generation;
            wh_meta_free(&sm);
        }
        if (!table_exists) {
            pos = 0;
        } else if (pos > 0 && seen_gen != gen[k]) {
            emit(u, "WARN", "flow_progress", p->datasets.v[p->flows.v[f].dataset].name, flow,
                 NULL, "Source '%s' was fully refreshed since flow '%s' last read it: "
                 "reading it from the start (full-refresh '%s' too to avoid duplicates)",
                 src->v[k], flow, p->datasets.v[p->flows.v[f].dataset].name);
            pos = 0;
        }
        if (!wh_table_exists(u->wh, "main", src->v[k])) {
            *err = xasprintf("source '%s' has no table yet: refresh it first", src->v[k]);
            return false;
        }
        sb q = {0};
        sb_add(&q, "SELECT max(rowid) FROM ");
        sb_add_ident(&q, src->v[k]);
        lo[k] = pos;
        hi[k] = wh_int(u->wh, sb_str(&q), 0);
        sb_free(&q);
        if (hi[k] > lo[k]) any = true;
    }
    return any;
}

/* Creates the streaming table on its first flow or adds the columns a flow
 * brings, inside the open transaction. */
static int shape_table(upd *u, int d, const rewrite *q, bool exists, char **err)
{
    const prj_dataset *ds = &u->p.datasets.v[d];
    int off;
    if (!exists) return plan_create_table(u->wh, &u->p, d, q, err, &off);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(u->wh, sb_str(&q->out), -1, &st, NULL) != SQLITE_OK) {
        *err = xstrdup(sqlite3_errmsg(u->wh));
        return -1;
    }
    int rc = plan_add_missing_columns(u->wh, ds->name, st, err);
    sqlite3_finalize(st);
    return rc;
}

/* A flow's query window into its table (the transaction is open). */
static flw_status write_rows(upd *u, int d, int f, const plan_bind *bind, bool exists,
                             flw_metrics *m, char **err)
{
    rewrite q = {0};
    plan_query(&u->p, f, bind, &q);
    flw_status st = FLW_ERROR;
    if (shape_table(u, d, &q, exists, err) == 0) st = run_rows(u, d, f, &q, m, err);
    rw_free(&q);
    return st;
}

/* An AUTO CDC flow's window of change events (the transaction is open). */
static flw_status write_cdc(upd *u, int f, int64_t lo, int64_t hi, cdc_metrics *cm,
                            flw_metrics *m, char **err)
{
    const prj_flow *fl = &u->p.flows.v[f];
    sb src = {0};
    sb_add_ident(&src, fl->stmt->refs.v[0].name);
    cdc_spec spec;
    sb problems = {0};
    flw_status st = FLW_ERROR;
    u->cur_dataset = u->p.datasets.v[fl->dataset].name;
    u->cur_flow = fl->name;
    flush_events(u);
    if (cdc_resolve(u->wh, &u->p, f, sb_str(&src), &spec, collect_problem, &problems) < 0)
        *err = sb_take(&problems);
    else if (cdc_prepare_target(u->wh, &spec, sb_str(&src), err) == 0 &&
             cdc_apply(u->wh, &spec, sb_str(&src), lo, hi, &u->cancel, cm, err) == 0)
        st = FLW_OK;
    m->rows_read = cm->events;
    m->rows_written = cm->upserts; /* ignored events are in the cdc metrics */
    cdc_spec_free(&spec);
    sb_free(&problems);
    sb_free(&src);
    return st;
}

/* One flow appending into a streaming table. */
static int append_flow(upd *u, int d, int f, wh_dataset_meta *meta, char hash[17])
{
    const project *p = &u->p;
    const prj_dataset *ds = &p->datasets.v[d];
    double t0 = time_mono_ms();
    strvec src = {0};
    plan_stream_sources(p, f, &src);
    int64_t *lo = xcalloc(src.n + 1, sizeof(int64_t)), *hi = xcalloc(src.n + 1, sizeof(int64_t));
    int64_t *gen = xcalloc(src.n + 1, sizeof(int64_t));
    bool exists = wh_table_exists(u->wh, "main", ds->name);
    char *err = NULL;
    flw_metrics m = {0};
    flw_status st = FLW_ERROR;
    int result;
    bool any = stream_windows(u, f, &src, exists, lo, hi, gen, &err);
    strvec files = {0};
    rf_stream fresh = {0};
    u->flow_sources = u->files.sources.n;
    if (!err) { /* the files of STREAM read_files calls not read yet */
        diag_list dl = {0};
        if (rf_bind_new(u->wh, &u->files, p, f, &files, &fresh, &dl) < 0) err = first_error(&dl);
        diag_free(&dl);
        log_file_messages(u, f, &fresh.messages);
        strvec_free(&fresh.messages);
        any = any || fresh.any_new;
    }
    if (!err && atomic_load(&u->cancel)) {
        /* a cancel may have cut the reads above short, and an interrupted
         * read looks like no checkpoint or an empty source: write nothing */
        result = finish_flow(u, d, f, FLW_CANCELED, &m, NULL, NULL, t0);
        goto out;
    }
    if (!err && exists && !any) {
        flow_report r = {"COMPLETED", NULL, true, time_mono_ms() - t0, NULL, NULL};
        report_flow(u, d, f, &r);
        result = R_OK;
        goto out;
    }
    cdc_metrics cm = {0};
    bool cdc = p->flows.v[f].stmt->cdc != NULL;
    bool began = !err && begin(u, &err);
    plan_bind bind = {lo, hi, &files};
    if (began)
        st = cdc ? write_cdc(u, f, lo[0], hi[0], &cm, &m, &err)
                 : write_rows(u, d, f, &bind, exists, &m, &err);
    if (st == FLW_OK && rf_record(u->wh, &u->files, &fresh, p->flows.v[f].name, u->id, &err) < 0)
        st = FLW_ERROR;
    if (st == FLW_OK) log_file_messages(u, f, &fresh.messages);
    for (size_t k = 0; st == FLW_OK && k < src.n; k++)
        if (wh_checkpoint_put(u->wh, p->flows.v[f].name, src.v[k], hi[k], gen[k], &err) < 0)
            st = FLW_ERROR;
    if (st == FLW_OK) {
        snprintf(meta->kind, sizeof meta->kind, "%s", "streaming_table");
        memcpy(meta->def_hash, hash, 17);
        if (m.rows_written || cm.deletes || cm.truncates) meta->version++;
        meta->rows = cdc ? count_rows(u, ds->name) : meta->rows + m.rows_written;
        meta->last_update = u->id;
        if (wh_meta_put(u->wh, ds->name, meta, &err) < 0 || wh_exec(u->wh, "COMMIT", &err) < 0)
            st = FLW_ERROR;
    }
    if (began && st != FLW_OK) rollback(u);
    result = finish_flow(u, d, f, st, &m, cdc ? &cm : NULL, err, t0);
out:
    ing_registry_truncate(u->wh, &u->files, u->flow_sources);
    rf_stream_free(&fresh);
    strvec_free(&files);
    free(err);
    flw_metrics_free(&m);
    free(lo);
    free(hi);
    free(gen);
    strvec_free(&src);
    return result;
}

/* Streaming table: a reset when asked, then each flow in definition order. A
 * table with no flow is only created (from its declared columns). */
static int refresh_streaming(upd *u, int d)
{
    const prj_dataset *ds = &u->p.datasets.v[d];
    wh_dataset_meta meta;
    wh_meta_get(u->wh, ds->name, &meta);
    char hash[17];
    plan_def_hash(&u->p, d, hash);
    int result = R_OK;
    /* a reset, if asked, was done before any flow ran (reset_streaming_tables) */
    if (result == R_OK && !ds->flows.n && !wh_table_exists(u->wh, "main", ds->name)) {
        rewrite none = {0};
        char *err = NULL;
        int off;
        if (ds->stmt->columns.n && plan_create_table(u->wh, &u->p, d, &none, &err, &off) < 0) {
            emit(u, "ERROR", "flow_progress", ds->name, NULL, NULL, "%s", err);
            result = R_FAILED;
        }
        free(err);
    }
    for (size_t i = 0; result == R_OK && i < ds->flows.n; i++)
        result = append_flow(u, d, ds->flows.v[i], &meta, hash);
    wh_meta_free(&meta);
    return result;
}

/* ======================= the update ======================= */

static bool open_warehouse(upd *u)
{
    char *path = prj_warehouse_path(&u->p), *err = NULL;
    sqlite3 *db = NULL;
    int rc = wh_open(path, false, &db, &err);
    free(path);
    if (rc == 0 && (wh_init(db, &err) < 0 || ing_attach(db, &u->files, false, &err) < 0)) {
        sqlite3_close(db);
        rc = -1;
    }
    if (rc < 0) {
        fail_setup(u, err);
        return false;
    }
    pthread_mutex_lock(&u->mu);
    u->wh = db;
    pthread_mutex_unlock(&u->mu);
    return true;
}

static void close_warehouse(upd *u)
{
    pthread_mutex_lock(&u->mu);
    ing_registry_truncate(u->wh, &u->files, 0);
    sqlite3_close(u->wh);
    u->wh = NULL;
    pthread_mutex_unlock(&u->mu);
}

/* Temporary views live in the update's connection only. */
static bool define_temp_views(upd *u)
{
    const project *p = &u->p;
    for (size_t i = 0; i < p->order.n; i++) {
        const prj_dataset *ds = &p->datasets.v[p->order.v[i]];
        if (ds->kind != SQL_TEMP_VIEW) continue;
        rewrite q = {0};
        strvec files = {0};
        char *ferr = NULL;
        if (!bind_all_files(u, ds->flows.v[0], &files, &ferr)) {
            fail_setup(u, xasprintf("temporary view '%s': %s", ds->name, ferr));
            free(ferr);
            strvec_free(&files);
            return false;
        }
        plan_bind bind = {NULL, NULL, &files};
        plan_query(p, ds->flows.v[0], &bind, &q);
        strvec_free(&files);
        sb sql = {0};
        sb_add(&sql, "CREATE TEMP VIEW ");
        sb_add_ident(&sql, ds->name);
        sb_add(&sql, " AS ");
        sb_add(&sql, sb_str(&q.out));
        char *err = NULL;
        int rc = wh_exec(u->wh, sb_str(&sql), &err);
        if (rc < 0) fail_setup(u, xasprintf("temporary view '%s': %s", ds->name, err));
        free(err);
        sb_free(&sql);
        rw_free(&q);
        if (rc < 0) return false;
    }
    return true;
}

/* The upstream dataset that failed or was skipped, or -1. */
static int broken_upstream(const upd *u, int d)
{
    const intvec *deps = &u->p.datasets.v[d].deps;
    for (size_t i = 0; i < deps->n; i++) {
        int r = u->result[deps->v[i]];
        if (r == R_FAILED || r == R_SKIPPED || r == R_CANCELED) return deps->v[i];
    }
    return -1;
}

static void run_dataset(upd *u, int d)
{
    const prj_dataset *ds = &u->p.datasets.v[d];
    int bad = broken_upstream(u, d);
    if (atomic_load(&u->cancel)) {
        u->result[d] = R_CANCELED;
    } else if (ds->kind == SQL_TEMP_VIEW) {
        u->result[d] = bad >= 0 ? R_SKIPPED : R_OK;
    } else if (!u->selected[d]) {
        u->result[d] = R_EXCLUDED;
        flow_report r = {"EXCLUDED", NULL, false, 0, "not selected", NULL};
        report_all_flows(u, d, &r);
    } else if (bad >= 0) {
        u->result[d] = R_SKIPPED;
        char *why = xasprintf("upstream '%s' did not refresh", u->p.datasets.v[bad].name);
        flow_report r = {"SKIPPED", NULL, false, 0, why, NULL};
        report_all_flows(u, d, &r);
        free(why);
    } else if (ds->kind == SQL_MATERIALIZED_VIEW) {
        u->result[d] = (unsigned char)refresh_view(u, d);
    } else {
        u->result[d] = (unsigned char)refresh_streaming(u, d);
    }
}

static upd_state finish(upd *u)
{
    sb failed = {0};
    int nfailed = 0;
    bool canceled = atomic_load(&u->cancel);
    for (size_t d = 0; u->result && d < u->p.datasets.n; d++) {
        if (u->result[d] == R_CANCELED) canceled = true;
        if (u->result[d] == R_FAILED) {
            sb_addf(&failed, "%s%s", nfailed++ ? ", " : "", u->p.datasets.v[d].name);
        }
    }
    upd_state s = canceled ? UPD_CANCELED : (nfailed || u->error) ? UPD_FAILED : UPD_COMPLETED;
    if (s == UPD_FAILED && !u->error)
        u->error = xasprintf("%d dataset%s failed: %s%s%s", nfailed, nfailed == 1 ? "" : "s",
                             sb_str(&failed), u->first_failure ? "; first: " : "",
                             u->first_failure ? u->first_failure : "");
    set_state(u, s, s == UPD_FAILED ? u->error : NULL);
    sb_free(&failed);
    return s;
}

upd_state upd_run(upd *u)
{
    if (!start(u)) return UPD_FAILED;
    set_state(u, UPD_RUNNING, NULL);
    diag_list diags = {0};
    prj_load(&u->p, u->dir, &u->params, &diags);
    u->loaded = true;
    val_result vr = {0};
    val_run(&u->p, &diags, &vr); /* also with load errors: report them all */
    diag_sort(&diags);
    log_problems(u, &diags);
    if (diags.errors)
        fail_setup(u, xasprintf("the pipeline has %d problem%s (see tarn validate)",
                                diags.errors, diags.errors == 1 ? "" : "s"));
    else if (!resolve_selection(u))
        fail_setup(u, xstrdup("the selection is not valid (see above)"));
    if (!u->error) {
        log_definitions(u, &vr);
        if (open_warehouse(u) && define_temp_views(u) && reset_streaming_tables(u))
            for (size_t i = 0; i < u->p.order.n; i++) run_dataset(u, u->p.order.v[i]);
        close_warehouse(u);
    }
    val_free(&vr);
    diag_free(&diags);
    return finish(u);
}

/* ======================= lifecycle ======================= */

static void copy_strvec(strvec *dst, const strvec *src)
{
    for (size_t i = 0; src && i < src->n; i++) VEC_PUSH(dst, xstrdup(src->v[i]));
}

upd *upd_new(const char *dir, const strvec *params, const upd_options *opts,
             const upd_listener *listener)
{
    upd *u = xcalloc(1, sizeof(*u));
    u->dir = xstrdup(dir && *dir ? dir : ".");
    copy_strvec(&u->params, params);
    if (opts) {
        u->opts.full_refresh = opts->full_refresh;
        u->opts.cause = opts->cause;
        copy_strvec(&u->opts.select, &opts->select);
        copy_strvec(&u->opts.full_refresh_select, &opts->full_refresh_select);
    }
    if (listener) u->l = *listener;
    u->lock = -1;
    pthread_mutex_init(&u->mu, NULL);
    atomic_init(&u->cancel, 0);
    return u;
}

void upd_cancel(upd *u)
{
    atomic_store(&u->cancel, 1);
    pthread_mutex_lock(&u->mu);
    if (u->wh) sqlite3_interrupt(u->wh);
    pthread_mutex_unlock(&u->mu);
}

int64_t upd_id(const upd *u)
{
    return u->id;
}

const char *upd_error(const upd *u)
{
    return u->error;
}

void upd_free(upd *u)
{
    if (!u) return;
    if (u->state) flush_events(u);
    wh_unlock(u->lock);
    sqlite3_close(u->state);
    if (u->loaded) prj_free(&u->p);
    free(u->selected);
    free(u->reset);
    free(u->result);
    strvec_free(&u->params);
    strvec_free(&u->opts.select);
    strvec_free(&u->opts.full_refresh_select);
    pthread_mutex_destroy(&u->mu);
    free(u->error);
    free(u->first_failure);
    free(u->dir);
    free(u);
}

const char *upd_state_name(upd_state s)
{
    static const char *const names[] = {"QUEUED", "RUNNING", "COMPLETED", "FAILED",
                                        "CANCELED"};
    return names[s];
}
