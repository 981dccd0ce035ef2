/*
 * update_refresh.c - refreshing one dataset of an update (see update.h): a
 * materialized view is recomputed and swapped in unless its definition and
 * inputs are as at its last refresh; a streaming table's flows append the
 * rows they have not read (a full refresh first resets the tables); each flow
 * is reported as a flow_progress event. update.c runs the update around it;
 * the two share update_int.h.
 */
#include "update_int.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdc.h"
#include "flow.h"
#include "plan.h"
#include "readfiles.h"
#include "warehouse.h"

/* ======================= flow reporting ======================= */

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
    updi_emit(u, level, "flow_progress", ds->name, flow, sb_str(&b), "%s", sb_str(&msg));
    sb_free(&b);
    sb_free(&msg);
}

void updi_report_all_flows(upd *u, int d, const flow_report *r)
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
bool updi_bind_all_files(upd *u, int f, strvec *tables, char **err)
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
        updi_emit(u, warn ? "WARN" : "INFO", "flow_progress", u->p.datasets.v[fl->dataset].name,
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
    updi_flush_events(u); /* what led here is visible while the rows run */
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
int updi_refresh_view(upd *u, int d)
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
    bool bound = updi_bind_all_files(u, f, &files, &err);
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
bool updi_reset_streaming_tables(upd *u)
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
            updi_fail_setup(u, xasprintf("full refresh: cannot reset the streaming tables: %s",
                                         err));
        free(err);
        return false;
    }
    for (size_t i = 0; i < p->order.n; i++) {
        int d = p->order.v[i];
        if (u->reset[d] && p->datasets.v[d].kind == SQL_STREAMING_TABLE)
            updi_emit(u, "INFO", "update_progress", p->datasets.v[d].name, NULL, NULL,
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
            updi_emit(u, "WARN", "flow_progress", p->datasets.v[p->flows.v[f].dataset].name, flow,
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
    updi_flush_events(u);
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
int updi_refresh_streaming(upd *u, int d)
{
    const prj_dataset *ds = &u->p.datasets.v[d];
    wh_dataset_meta meta;
    wh_meta_get(u->wh, ds->name, &meta);
    char hash[17];
    plan_def_hash(&u->p, d, hash);
    int result = R_OK;
    /* a reset, if asked, was done before any flow ran (updi_reset_streaming_tables) */
    if (result == R_OK && !ds->flows.n && !wh_table_exists(u->wh, "main", ds->name)) {
        rewrite none = {0};
        char *err = NULL;
        int off;
        if (ds->stmt->columns.n && plan_create_table(u->wh, &u->p, d, &none, &err, &off) < 0) {
            updi_emit(u, "ERROR", "flow_progress", ds->name, NULL, NULL, "%s", err);
            result = R_FAILED;
        }
        free(err);
    }
    for (size_t i = 0; result == R_OK && i < ds->flows.n; i++)
        result = append_flow(u, d, ds->flows.v[i], &meta, hash);
    wh_meta_free(&meta);
    return result;
}
