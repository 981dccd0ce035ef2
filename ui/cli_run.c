/*
 * cli_run.c - `tarn run`: one pipeline update with a line per flow as it
 * finishes. The update runs on a worker thread while this thread waits for
 * Ctrl-C (SIGINT) or SIGTERM, which cancel it cleanly.
 */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fsutil.h"
#include "manifest.h"
#include "update.h"

typedef struct run_view {
    bool tty;             /* stderr is a terminal: show live row counts */
    bool live_shown;
    int refreshed, up_to_date, failed;
} run_view;

static void clear_live(run_view *v)
{
    if (v->live_shown) fputs("\r\033[K", stderr);
    v->live_shown = false;
}

static double json_num(const cJSON *o, const char *key)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(x) ? x->valuedouble : 0;
}

static long long json_int(const cJSON *o, const char *key)
{
    return (long long)json_num(o, key);
}

/* One line per finished flow: name, status, rows, time, expectations. */
static void print_flow(run_view *v, const evl_event *e)
{
    cJSON *root = cJSON_Parse(e->details ? e->details : "{}");
    const cJSON *fp = cJSON_GetObjectItemCaseSensitive(root, "flow_progress");
    const cJSON *status = cJSON_GetObjectItemCaseSensitive(fp, "status");
    const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(fp, "metrics");
    const cJSON *dq = cJSON_GetObjectItemCaseSensitive(fp, "data_quality");
    const cJSON *reason = cJSON_GetObjectItemCaseSensitive(fp, "reason");
    bool fresh = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fp, "up_to_date"));
    const char *st = cJSON_IsString(status) ? status->valuestring : "?";
    char name[96];
    if (e->flow && e->dataset && strcmp(e->flow, e->dataset))
        snprintf(name, sizeof name, "%s <- %s", e->dataset, e->flow);
    else
        snprintf(name, sizeof name, "%s", e->dataset ? e->dataset : "?");
    clear_live(v);
    printf("  %-32s %-10s", name, fresh ? "UP TO DATE" : st);
    if (metrics && !fresh) {
        long long rows = json_int(metrics, "num_output_rows");
        printf(" %10lld %-4s %8.2fs", rows, rows == 1 ? "row" : "rows",
               json_num(fp, "duration_ms") / 1000.0);
    }
    if (dq) {
        long long dropped = json_int(dq, "dropped_records");
        if (dropped) printf("  %lld dropped", dropped);
        const cJSON *ex;
        cJSON_ArrayForEach(ex, cJSON_GetObjectItemCaseSensitive(dq, "expectations")) {
            long long failed = json_int(ex, "failed_records");
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(ex, "name");
            const cJSON *act = cJSON_GetObjectItemCaseSensitive(ex, "on_violation");
            if (failed && cJSON_IsString(nm))
                printf("  [%s: %lld failed, %s]", nm->valuestring, failed,
                       cJSON_IsString(act) ? act->valuestring : "warn");
        }
    }
    const cJSON *cdc = cJSON_GetObjectItemCaseSensitive(fp, "cdc");
    if (cdc && !fresh)
        printf("  [cdc: %lld events, %lld deletes, %lld ignored%s]", json_int(cdc, "events"),
               json_int(cdc, "deletes"), json_int(cdc, "ignored"),
               json_int(cdc, "truncates") ? ", truncated" : "");
    if (cJSON_IsString(reason) && strcmp(st, "COMPLETED")) printf("\n      %s", reason->valuestring);
    printf("\n");
    fflush(stdout);
    if (fresh) v->up_to_date++;
    else if (!strcmp(st, "COMPLETED")) v->refreshed++;
    else if (!strcmp(st, "FAILED")) v->failed++;
    cJSON_Delete(root);
}

static void on_event(void *ctx, const evl_event *e)
{
    run_view *v = ctx;
    if (!strcmp(e->type, "flow_progress") && e->details) {
        print_flow(v, e);
    } else if (!strcmp(e->type, "planning_information") && strcmp(e->level, "INFO")) {
        clear_live(v);
        fprintf(stderr, "%s\n", e->message);
    } else if (!strcmp(e->level, "WARN") || !strcmp(e->type, "create_update")) {
        clear_live(v);
        printf("%s\n", e->message);
        fflush(stdout);
    }
}

static void on_rows(void *ctx, const char *dataset, const char *flow, int64_t rows,
                    int64_t bytes, int64_t total)
{
    run_view *v = ctx;
    if (!v->tty) return;
    fprintf(stderr, "\r\033[K  %-32s RUNNING    %10lld rows", flow ? flow : dataset,
            (long long)rows);
    if (total > 0)
        fprintf(stderr, "  %.1f of %.1f MB (%d%%)", bytes / 1e6, total / 1e6,
                (int)(100.0 * bytes / total));
    v->live_shown = true;
}

typedef struct worker {
    upd *u;
    upd_state state;
    atomic_int done;
    pthread_t waiter;  /* the thread waiting for signals, woken when done */
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    w->state = upd_run(w->u);
    atomic_store(&w->done, 1);
    pthread_kill(w->waiter, SIGUSR1);
    return NULL;
}

/* Runs the update on a thread while this one waits for signals: SIGINT or
 * SIGTERM cancel the update, SIGUSR1 (from the worker) says it is done. */
static upd_state run_cancellable(upd *u)
{
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    worker w = {u, UPD_FAILED, 0, pthread_self()};
    pthread_t th;
    pthread_create(&th, NULL, work, &w);
    bool canceled = false;
    /* Wait for the worker's own SIGUSR1 even when it is already done: left
     * pending, it would be delivered (and kill us) once the mask is restored. */
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0) continue;
        if (sig == SIGUSR1) {
            if (atomic_load(&w.done)) break;
        } else if (!canceled) {
            canceled = true;
            fprintf(stderr, "\ntarn: canceling the update (the running flow rolls back)...\n");
            upd_cancel(u);
        }
    }
    pthread_join(th, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return w.state;
}

static int exec_run(const cli_args *a)
{
    /* refuse before the update creates .tarn/ in a folder that is no project */
    char *manpath = fs_join(a->dir, MAN_FILE);
    bool is_project = fs_exists(manpath);
    free(manpath);
    if (!is_project)
        return cli_fail("%s has no %s: not a tarn project (create one with 'tarn init')",
                        a->dir, MAN_FILE);
    upd_options o = {0};
    o.full_refresh = cli_has(a, "full-refresh");
    cli_list(a, "select", &o.select);
    cli_list(a, "full-refresh-select", &o.full_refresh_select);
    o.cause = "cli";
    /* a reader of our output going away (tarn run | head) must not kill the
     * update half-way: its lines are dropped, the update finishes */
    signal(SIGPIPE, SIG_IGN);
    run_view v = {isatty(2) != 0, false, 0, 0, 0};
    upd_listener l = {on_event, on_rows, &v};
    upd *u = upd_new(a->dir, cli_all(a, "param"), &o, &l);
    double t0 = time_mono_ms();
    upd_state s = run_cancellable(u);
    clear_live(&v);
    int rc;
    if (!upd_id(u)) {
        rc = cli_fail("%s", upd_error(u) ? upd_error(u) : "the update could not start");
    } else {
        printf("Update #%lld %s in %.2fs: %d refreshed, %d up to date, %d failed\n",
               (long long)upd_id(u), upd_state_name(s), (time_mono_ms() - t0) / 1000.0,
               v.refreshed, v.up_to_date, v.failed);
        if (s == UPD_FAILED && upd_error(u)) fprintf(stderr, "tarn: %s\n", upd_error(u));
        rc = s == UPD_COMPLETED ? CLI_OK : s == UPD_CANCELED ? CLI_CANCELED : CLI_FAIL;
    }
    upd_free(u);
    strvec_free(&o.select);
    strvec_free(&o.full_refresh_select);
    return rc;
}

static const cli_opt opts[] = {
    {"full-refresh", 0, NULL, false, "reset every dataset (tables and checkpoints) first"},
    {"select", 's', "A,B", true, "refresh only these datasets"},
    {"full-refresh-select", 0, "A,B", true, "reset and refresh only these datasets"},
    {"param", 0, "KEY=VALUE", true, "set a configuration parameter for ${KEY}"},
    {NULL, 0, NULL, false, NULL}};

const cli_cmd cli_cmd_run = {
    "run", "[OPTIONS]", "run one update of the pipeline",
    "Validates, then refreshes the datasets in dependency order: materialized views are\n"
    "recomputed (or skipped when nothing they read changed), streaming tables read only\n"
    "new rows. A line is printed per flow as it finishes. Ctrl-C cancels: the flow in\n"
    "progress rolls back, so no table or checkpoint is left half-written.\n"
    "Exit status: 0 COMPLETED, 1 FAILED, 130 CANCELED.",
    opts, 0, 0, exec_run};
