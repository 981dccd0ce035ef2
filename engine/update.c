/*
 * update.c - one pipeline update (see update.h): it starts (state.db, the
 * lock, the update's record), plans (validation, the selection), runs the
 * datasets in dependency order, logs events and finishes. How one dataset is
 * refreshed is update_refresh.c; the two share update_int.h.
 */
#include "update_int.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "fsutil.h"
#include "graph.h"
#include "plan.h"
#include "validate.h"
#include "vcs.h"
#include "warehouse.h"

/* ======================= events ======================= */

/* Event writes are batched in transactions of at most ~100 ms: another
 * process reading the log sees them that late at worst, while an update of a
 * thousand up-to-date datasets does not pay a commit per event. Listeners
 * get each event at once. */
void updi_flush_events(upd *u)
{
    if (u->state_tx) wh_exec(u->state, "COMMIT", NULL);
    u->state_tx = false;
    u->last_flush = time_mono_ms();
}

void updi_emit(upd *u, const char *level, const char *type, const char *dataset,
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
    if (time_mono_ms() - u->last_flush > 100) updi_flush_events(u);
}

static void set_state(upd *u, upd_state s, const char *why)
{
    if (!u->state_tx) u->state_tx = wh_exec(u->state, "BEGIN IMMEDIATE", NULL) == 0;
    evl_update_set_state(u->state, u->id, upd_state_name(s), why);
    char *details = xasprintf("{\"update_progress\": {\"state\": \"%s\"}}", upd_state_name(s));
    updi_emit(u, s == UPD_FAILED ? "ERROR" : "INFO", "update_progress", NULL, NULL, details,
              "Update #%lld is %s%s%s", (long long)u->id, upd_state_name(s), why ? ": " : "",
              why ? why : "");
    free(details);
    updi_flush_events(u);
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

void updi_fail_setup(upd *u, char *msg)
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
        updi_fail_setup(u, xasprintf("%s has no %s: not a tarn project (create one with "
                                     "'tarn init')", u->dir, MAN_FILE));
        return false;
    }
    char *statepath = fs_join(u->dir, ".tarn/state.db");
    int rc = evl_open(statepath, &u->state, &err);
    free(statepath);
    if (rc < 0) {
        updi_fail_setup(u, err);
        return false;
    }
    char *tarndir = fs_join(u->dir, ".tarn");
    u->lock = wh_lock(tarndir, 0, &err);
    free(tarndir);
    if (u->lock < 0) {
        updi_fail_setup(u, err);
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
        updi_fail_setup(u, err);
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
    updi_emit(u, "INFO", "create_update", NULL, NULL, sb_str(&d), "Update #%lld started by %s%s",
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
        updi_emit(u, level, "planning_information", NULL, NULL, NULL, "%s", line);
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
                updi_emit(u, "ERROR", "planning_information", NULL, NULL, NULL,
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
        updi_emit(u, "INFO", "dataset_definition", d->name, NULL, sb_str(&b), "%s '%s' defined",
                  sql_kind_name(d->kind), d->name);
        sb_free(&b);
    }
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
        updi_fail_setup(u, err);
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
        if (!updi_bind_all_files(u, ds->flows.v[0], &files, &ferr)) {
            updi_fail_setup(u, xasprintf("temporary view '%s': %s", ds->name, ferr));
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
        if (rc < 0) updi_fail_setup(u, xasprintf("temporary view '%s': %s", ds->name, err));
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
        updi_report_all_flows(u, d, &r);
    } else if (bad >= 0) {
        u->result[d] = R_SKIPPED;
        char *why = xasprintf("upstream '%s' did not refresh", u->p.datasets.v[bad].name);
        flow_report r = {"SKIPPED", NULL, false, 0, why, NULL};
        updi_report_all_flows(u, d, &r);
        free(why);
    } else if (ds->kind == SQL_MATERIALIZED_VIEW) {
        u->result[d] = (unsigned char)updi_refresh_view(u, d);
    } else {
        u->result[d] = (unsigned char)updi_refresh_streaming(u, d);
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
        updi_fail_setup(u, xasprintf("the pipeline has %d problem%s (see tarn validate)",
                                     diags.errors, diags.errors == 1 ? "" : "s"));
    else if (!resolve_selection(u))
        updi_fail_setup(u, xstrdup("the selection is not valid (see above)"));
    if (!u->error) {
        log_definitions(u, &vr);
        if (open_warehouse(u) && define_temp_views(u) && updi_reset_streaming_tables(u))
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
    if (u->state) updi_flush_events(u);
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
