/*
 * test_update.c - unit tests for engine/update (upd_new / upd_run /
 * upd_cancel) on projects written to temp folders, checked with SQL:
 * materialized views, up-to-date detection, streaming tables that read only
 * new rows, several flows into one table, full refresh (all and selected),
 * selections, temporary views, expectations, failure isolation, the event
 * log, the update lock, and cancel at random points leaving the warehouse
 * consistent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "evlog.h"
#include "fsutil.h"
#include "testsupport.h"
#include "update.h"
#include "warehouse.h"

/* ---------------------------------------------------------------- fixture */

typedef ts_project fx;

static void pipeline(const fx *f, const char *sql)
{
    assert_int_equal(ts_write_file(f->dir, "transformations/p.sql", sql), 0);
}

/* s with the first from replaced by to (caller frees). */
static char *replace(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    if (!at) fail_msg("'%s' not found", from);
    return xasprintf("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

static void wh_sql(const fx *f, const char *sql)
{
    assert_int_equal(ts_sql_exec(f->wh, sql), 0);
}

static long long whi(const fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long long whi(const fx *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = xvasprintf(fmt, ap);
    va_end(ap);
    long long v = ts_sql_int(f->wh, sql, -1);
    free(sql);
    return v;
}

/* Text result of a query on db ("" for no row or NULL); caller frees. */
static char *text_of(const char *db, const char *sql)
{
    char *s = ts_sql_text(db, sql);
    return s ? s : xstrdup("");
}

static void assert_text(const char *db, const char *sql, const char *want)
{
    char *got = text_of(db, sql);
    if (strcmp(got, want)) fail_msg("%s\n got: %s\nwant: %s", sql, got, want);
    free(got);
}

static bool table_exists(const fx *f, const char *name)
{
    char *sql = xasprintf("SELECT count(*) FROM sqlite_schema WHERE name = '%s'", name);
    bool found = ts_sql_int(f->wh, sql, 0) > 0;
    free(sql);
    return found;
}

/* "name:version:generation:rows:last_update:refreshed_at ..." of every
 * dataset, to see whether an update touched any. */
static char *meta_snapshot(const fx *f)
{
    return text_of(f->wh,
                   "SELECT group_concat(s, ' ') FROM (SELECT name || ':' || version || ':' || "
                   "generation || ':' || rows || ':' || last_update || ':' || refreshed_at AS s "
                   "FROM _tarn_datasets ORDER BY name)");
}

static long long meta_int(const fx *f, const char *name, const char *col)
{
    return whi(f, "SELECT %s FROM _tarn_datasets WHERE name = '%s'", col, name);
}

static long long checkpoint(const fx *f, const char *flow, const char *source)
{
    return whi(f, "SELECT position FROM _tarn_checkpoints WHERE flow = '%s' AND source = '%s'",
               flow, source);
}

/* ---------------------------------------------------------------- events */

typedef struct ev {
    char *level, *type, *dataset, *flow, *message, *details;
} ev;
typedef VEC(ev) evvec;

static char *dupn(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void on_event(void *ctx, const evl_event *e)
{
    evvec *v = ctx;
    ev x = {dupn(e->level), dupn(e->type), dupn(e->dataset), dupn(e->flow),
            dupn(e->message), dupn(e->details)};
    VEC_PUSH(v, x);
}

static void evs_free(evvec *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->v[i].level);
        free(v->v[i].type);
        free(v->v[i].dataset);
        free(v->v[i].flow);
        free(v->v[i].message);
        free(v->v[i].details);
    }
    VEC_FREE(v);
}

typedef struct run_out {
    upd_state state;
    int64_t id;
    char *error;
    evvec ev;
} run_out;

static void run_free(run_out *r)
{
    free(r->error);
    evs_free(&r->ev);
    memset(r, 0, sizeof(*r));
}

/* Runs one update of f's project with options o (NULL: defaults). */
static upd_state run_with(const fx *f, const upd_options *o, run_out *r)
{
    memset(r, 0, sizeof(*r));
    upd_listener l = {on_event, NULL, &r->ev};
    upd *u = upd_new(f->dir, NULL, o, &l);
    r->state = upd_run(u);
    r->id = upd_id(u);
    r->error = dupn(upd_error(u));
    upd_free(u);
    return r->state;
}

static upd_state run(const fx *f, run_out *r)
{
    return run_with(f, NULL, r);
}

/* Runs and expects COMPLETED (then frees the result). */
static void run_ok(const fx *f)
{
    run_out r;
    if (run(f, &r) != UPD_COMPLETED)
        fail_msg("update #%lld: %s: %s", (long long)r.id, upd_state_name(r.state),
                 r.error ? r.error : "");
    run_free(&r);
}

/* The last flow_progress event of flow, or NULL. */
static const ev *flow_ev(const run_out *r, const char *flow)
{
    const ev *found = NULL;
    for (size_t i = 0; i < r->ev.n; i++)
        if (!strcmp(r->ev.v[i].type, "flow_progress") && r->ev.v[i].flow &&
            str_ieq(r->ev.v[i].flow, flow) && r->ev.v[i].details)
            found = &r->ev.v[i];
    return found;
}

static int count_type(const run_out *r, const char *type)
{
    int n = 0;
    for (size_t i = 0; i < r->ev.n; i++) n += !strcmp(r->ev.v[i].type, type);
    return n;
}

/* The "flow_progress" object of the last event of flow (caller deletes the
 * returned root). */
static cJSON *flow_json(const run_out *r, const char *flow, const cJSON **fp)
{
    const ev *e = flow_ev(r, flow);
    if (!e) fail_msg("no flow_progress event for %s", flow);
    cJSON *root = cJSON_Parse(e->details);
    if (!root) fail_msg("bad JSON: %s", e->details);
    *fp = cJSON_GetObjectItemCaseSensitive(root, "flow_progress");
    if (!*fp) fail_msg("no flow_progress in %s", e->details);
    return root;
}

static void assert_flow_status(const run_out *r, const char *flow, const char *want)
{
    const cJSON *fp;
    cJSON *root = flow_json(r, flow, &fp);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(fp, "status");
    if (!cJSON_IsString(st) || strcmp(st->valuestring, want))
        fail_msg("flow %s: status %s, want %s", flow, cJSON_IsString(st) ? st->valuestring : "?",
                 want);
    cJSON_Delete(root);
}

static bool flow_up_to_date(const run_out *r, const char *flow)
{
    const cJSON *fp;
    cJSON *root = flow_json(r, flow, &fp);
    bool yes = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fp, "up_to_date"));
    cJSON_Delete(root);
    return yes;
}

/* metrics.num_output_rows of the flow's last event, or -1 when absent. */
static long long flow_rows_written(const run_out *r, const char *flow)
{
    const cJSON *fp;
    cJSON *root = flow_json(r, flow, &fp);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(fp, "metrics");
    const cJSON *n = m ? cJSON_GetObjectItemCaseSensitive(m, "num_output_rows") : NULL;
    long long v = cJSON_IsNumber(n) ? (long long)n->valuedouble : -1;
    cJSON_Delete(root);
    return v;
}

static bool has_event(const run_out *r, const char *type, const char *level,
                      const char *needle)
{
    for (size_t i = 0; i < r->ev.n; i++)
        if (!strcmp(r->ev.v[i].type, type) && (!level || !strcmp(r->ev.v[i].level, level)) &&
            r->ev.v[i].message && strstr(r->ev.v[i].message, needle))
            return true;
    return false;
}

static void opts_free(upd_options *o)
{
    strvec_free(&o->select);
    strvec_free(&o->full_refresh_select);
}

/* ---------------------------------------------------------------- materialized views */

static void test_materialized_view_computed(void **state)
{
    fx *f = *state;
    wh_sql(f, "CREATE TABLE raw(id INT, kind TEXT, amount INT);"
              "INSERT INTO raw VALUES (1, 'a', 10), (2, 'b', 20), (3, 'a', 5);");
    pipeline(f, "CREATE MATERIALIZED VIEW by_kind AS\n"
                "  SELECT kind, count(*) AS n, sum(amount) AS total FROM raw GROUP BY kind;\n");
    run_out r;
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_null(r.error);
    assert_true(r.id > 0);
    const char *q = "SELECT group_concat(kind || '=' || n || '/' || total, ' ') FROM "
                    "(SELECT * FROM by_kind ORDER BY kind)";
    assert_text(f->wh, q, "a=2/15 b=1/20");
    assert_flow_status(&r, "by_kind", "COMPLETED");
    assert_int_equal(flow_rows_written(&r, "by_kind"), 2);
    assert_false(flow_up_to_date(&r, "by_kind"));
    assert_text(f->wh, "SELECT kind FROM _tarn_datasets WHERE name = 'by_kind'",
                "materialized_view");
    assert_int_equal(meta_int(f, "by_kind", "version"), 1);
    assert_int_equal(meta_int(f, "by_kind", "rows"), 2);
    assert_int_equal(meta_int(f, "by_kind", "last_update"), r.id);
    run_free(&r);

    /* A table outside the pipeline may change unseen: the view is recomputed. */
    wh_sql(f, "INSERT INTO raw VALUES (4, 'c', 1);");
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_text(f->wh, q, "a=2/15 b=1/20 c=1/1");
    assert_int_equal(flow_rows_written(&r, "by_kind"), 3);
    assert_int_equal(meta_int(f, "by_kind", "version"), 2);
    run_free(&r);
}

static const char *CHAIN_SQL =
    "CREATE STREAMING TABLE events AS SELECT id, kind, amount FROM STREAM(raw);\n"
    "CREATE MATERIALIZED VIEW totals AS\n"
    "  SELECT kind, sum(amount) AS total FROM events GROUP BY kind;\n"
    "CREATE MATERIALIZED VIEW consts AS SELECT 1 AS one;\n"
    "CREATE TEMPORARY VIEW big AS SELECT * FROM events WHERE amount >= 10;\n"
    "CREATE MATERIALIZED VIEW big_count AS SELECT count(*) AS n FROM big;\n"
    "CREATE STREAMING TABLE sink;\n"
    "CREATE FLOW copy_ids AS INSERT INTO sink BY NAME SELECT id FROM STREAM(events);\n";

static const char *const CHAIN_FLOWS[] = {"events", "totals", "consts", "big_count",
                                          "copy_ids"};

static void chain_project(const fx *f)
{
    wh_sql(f, "CREATE TABLE raw(id INT, kind TEXT, amount INT);"
              "INSERT INTO raw VALUES (1, 'a', 10), (2, 'b', 20), (3, 'a', 5);");
    pipeline(f, CHAIN_SQL);
}

static void test_second_run_up_to_date(void **state)
{
    fx *f = *state;
    chain_project(f);
    run_ok(f);
    char *before = meta_snapshot(f);
    char *cps = text_of(f->wh, "SELECT group_concat(flow || source || position || updated_at)"
                               " FROM _tarn_checkpoints");
    assert_int_equal(whi(f, "SELECT count(*) FROM sink"), 3);
    usleep(5000); /* refreshed_at has millisecond resolution */

    run_out r;
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_int_equal(count_type(&r, "flow_progress"), (int)ARRAY_LEN(CHAIN_FLOWS));
    for (size_t i = 0; i < ARRAY_LEN(CHAIN_FLOWS); i++) {
        assert_flow_status(&r, CHAIN_FLOWS[i], "COMPLETED");
        if (!flow_up_to_date(&r, CHAIN_FLOWS[i])) fail_msg("%s is not up to date", CHAIN_FLOWS[i]);
    }
    /* Nothing was rewritten: versions, row counts, refresh times, checkpoints. */
    char *after = meta_snapshot(f);
    assert_string_equal(after, before);
    char *cps2 = text_of(f->wh, "SELECT group_concat(flow || source || position || updated_at)"
                                " FROM _tarn_checkpoints");
    assert_string_equal(cps2, cps);
    free(cps2);
    free(after);
    free(before);
    free(cps);
    run_free(&r);
}

static void test_changed_query_recomputes(void **state)
{
    fx *f = *state;
    chain_project(f);
    run_ok(f);
    long long totals_v = meta_int(f, "totals", "version");
    long long big_v = meta_int(f, "big_count", "version");
    assert_text(f->wh, "SELECT group_concat(total) FROM (SELECT * FROM totals ORDER BY kind)",
                "15,20");

    /* The query of totals changes: only totals is recomputed. */
    char *sql = replace(CHAIN_SQL, "sum(amount) AS total", "sum(amount) * 2 AS total");
    pipeline(f, sql);
    run_out r;
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_false(flow_up_to_date(&r, "totals"));
    assert_int_equal(flow_rows_written(&r, "totals"), 2);
    assert_true(flow_up_to_date(&r, "events"));
    assert_true(flow_up_to_date(&r, "big_count"));
    assert_true(flow_up_to_date(&r, "consts"));
    assert_int_equal(meta_int(f, "totals", "version"), totals_v + 1);
    assert_text(f->wh, "SELECT group_concat(total) FROM (SELECT * FROM totals ORDER BY kind)",
                "30,40");
    run_free(&r);

    /* The query of a temporary view changes: what reads it is recomputed. */
    char *sql2 = replace(sql, "amount >= 10", "amount >= 20");
    pipeline(f, sql2);
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_false(flow_up_to_date(&r, "big_count"));
    assert_true(flow_up_to_date(&r, "totals"));
    assert_int_equal(meta_int(f, "big_count", "version"), big_v + 1);
    assert_int_equal(whi(f, "SELECT n FROM big_count"), 1);
    run_free(&r);
    free(sql2);
    free(sql);
}

/* ---------------------------------------------------------------- streaming tables */

static void test_streaming_reads_only_new_rows(void **state)
{
    fx *f = *state;
    wh_sql(f, "CREATE TABLE raw(id INTEGER, note TEXT);");
    pipeline(f, "CREATE STREAMING TABLE events AS SELECT id, note FROM STREAM(raw);\n"
                "CREATE STREAMING TABLE evens AS\n"
                "  SELECT r.id FROM STREAM(raw) AS r WHERE r.id % 2 = 0;\n");
    static const int batches[] = {5, 0, 3, 10000, 1, 0, 2};
    long long next_id = 1;
    for (size_t b = 0; b < ARRAY_LEN(batches); b++) {
        if (batches[b]) {
            char *ins = xasprintf("WITH RECURSIVE c(i) AS (SELECT %lld UNION ALL SELECT i + 1 "
                                  "FROM c WHERE i < %lld) INSERT INTO raw SELECT i, 'n' || i "
                                  "FROM c;", next_id, next_id + batches[b] - 1);
            wh_sql(f, ins);
            free(ins);
            next_id += batches[b];
        }
        run_out r;
        assert_int_equal(run(f, &r), UPD_COMPLETED);
        long long total = next_id - 1;
        /* Every row of raw exactly once, none lost, none duplicated. */
        assert_int_equal(whi(f, "SELECT count(*) FROM events"), total);
        assert_int_equal(whi(f, "SELECT count(DISTINCT id) FROM events"), total);
        assert_int_equal(whi(f, "SELECT count(*) FROM raw WHERE id NOT IN "
                                "(SELECT id FROM events)"), 0);
        assert_int_equal(whi(f, "SELECT count(*) FROM evens"), total / 2);
        assert_int_equal(whi(f, "SELECT count(DISTINCT id) FROM evens"), total / 2);
        assert_int_equal(checkpoint(f, "events", "raw"), total);
        assert_int_equal(checkpoint(f, "evens", "raw"), total);
        assert_int_equal(meta_int(f, "events", "rows"), total);
        if (batches[b] && b > 0) {
            assert_int_equal(flow_rows_written(&r, "events"), batches[b]);
        } else if (b > 0) {
            assert_true(flow_up_to_date(&r, "events"));
            assert_true(flow_up_to_date(&r, "evens"));
        }
        run_free(&r);
    }
}

static void test_multiple_flows_into_one_table(void **state)
{
    fx *f = *state;
    wh_sql(f, "CREATE TABLE raw_a(id INT);"
              "CREATE TABLE raw_b(id INT, extra TEXT);"
              "INSERT INTO raw_a VALUES (1), (2), (3);"
              "INSERT INTO raw_b VALUES (10, 'x'), (11, 'y');");
    pipeline(f, "CREATE STREAMING TABLE all_events;\n"
                "CREATE FLOW from_a AS INSERT INTO all_events BY NAME\n"
                "  SELECT id, 'a' AS src FROM STREAM(raw_a);\n");
    run_ok(f);
    assert_int_equal(whi(f, "SELECT count(*) FROM all_events"), 3);

    /* A second flow arrives, bringing a column the table lacks. */
    pipeline(f, "CREATE STREAMING TABLE all_events;\n"
                "CREATE FLOW from_a AS INSERT INTO all_events BY NAME\n"
                "  SELECT id, 'a' AS src FROM STREAM(raw_a);\n"
                "CREATE FLOW from_b AS INSERT INTO all_events BY NAME\n"
                "  SELECT id, 'b' AS src, extra FROM STREAM(raw_b);\n");
    wh_sql(f, "INSERT INTO raw_a VALUES (4);");
    run_out r;
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_int_equal(flow_rows_written(&r, "from_a"), 1);
    assert_int_equal(flow_rows_written(&r, "from_b"), 2);
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM all_events"), 6);
    assert_int_equal(whi(f, "SELECT count(*) FROM all_events WHERE src = 'a' AND extra IS NULL"), 4);
    assert_int_equal(whi(f, "SELECT count(*) FROM all_events WHERE src = 'b' AND extra IS NOT NULL"),
                     2);
    assert_text(f->wh, "SELECT group_concat(name) FROM pragma_table_info('all_events')",
                "id,src,extra");

    /* More rows in both: each flow appends only its own new ones. */
    wh_sql(f, "INSERT INTO raw_a VALUES (5), (6); INSERT INTO raw_b VALUES (12, 'z');");
    run_ok(f);
    assert_int_equal(whi(f, "SELECT count(*) FROM all_events WHERE src = 'a'"), 6);
    assert_int_equal(whi(f, "SELECT count(*) FROM all_events WHERE src = 'b'"), 3);
    assert_int_equal(whi(f, "SELECT count(DISTINCT id) FROM all_events"), 9);
    assert_int_equal(checkpoint(f, "from_a", "raw_a"), 6);
    assert_int_equal(checkpoint(f, "from_b", "raw_b"), 3);
    assert_int_equal(meta_int(f, "all_events", "rows"), 9);
}

/* ---------------------------------------------------------------- full refresh */

static void test_full_refresh_all(void **state)
{
    fx *f = *state;
    chain_project(f);
    run_ok(f);
    /* The source loses old rows and gains one: an incremental run only
     * appends; a full refresh rebuilds from what the source has now. */
    wh_sql(f, "DELETE FROM raw WHERE id <= 2; INSERT INTO raw VALUES (4, 'b', 7);");
    run_ok(f);
    assert_int_equal(whi(f, "SELECT count(*) FROM events"), 4);
    long long gen = meta_int(f, "events", "generation");

    upd_options o = {0};
    o.full_refresh = true;
    run_out r;
    assert_int_equal(run_with(f, &o, &r), UPD_COMPLETED);
    assert_true(has_event(&r, "update_progress", "INFO",
                          "Streaming table 'events' was reset for a full refresh"));
    assert_true(has_event(&r, "update_progress", "INFO",
                          "Streaming table 'sink' was reset for a full refresh"));
    for (size_t i = 0; i < ARRAY_LEN(CHAIN_FLOWS); i++) {
        assert_flow_status(&r, CHAIN_FLOWS[i], "COMPLETED");
        assert_false(flow_up_to_date(&r, CHAIN_FLOWS[i]));
    }
    /* No warning about re-reading: the readers were reset too. */
    assert_false(has_event(&r, "flow_progress", "WARN", "fully refreshed"));
    assert_text(f->wh, "SELECT group_concat(id) FROM (SELECT id FROM events ORDER BY id)", "3,4");
    assert_text(f->wh, "SELECT group_concat(id) FROM (SELECT id FROM sink ORDER BY id)", "3,4");
    assert_text(f->wh, "SELECT group_concat(total) FROM (SELECT * FROM totals ORDER BY kind)",
                "5,7");
    assert_int_equal(meta_int(f, "events", "generation"), gen + 1);
    assert_int_equal(meta_int(f, "events", "rows"), 2);
    assert_int_equal(checkpoint(f, "events", "raw"), 4);
    assert_int_equal(checkpoint(f, "copy_ids", "events"), 2);
    assert_int_equal(ts_sql_int(f->state, "SELECT full_refresh FROM updates ORDER BY id DESC",
                                -1), 1);
    run_free(&r);

    /* And the next run goes on incrementally from there. */
    wh_sql(f, "INSERT INTO raw VALUES (5, 'a', 1);");
    run_ok(f);
    assert_text(f->wh, "SELECT group_concat(id) FROM (SELECT id FROM sink ORDER BY id)",
                "3,4,5");
}

static const char *MEDALLION_SQL =
    "CREATE STREAMING TABLE bronze AS SELECT id FROM STREAM(raw);\n"
    "CREATE STREAMING TABLE silver AS SELECT id FROM STREAM(bronze);\n"
    "CREATE STREAMING TABLE other AS SELECT id FROM STREAM(raw2);\n"
    "CREATE MATERIALIZED VIEW gold AS SELECT count(*) AS n FROM silver;\n";

static void test_full_refresh_selected(void **state)
{
    fx *f = *state;
    wh_sql(f, "CREATE TABLE raw(id INT); CREATE TABLE raw2(id INT);"
              "INSERT INTO raw VALUES (1), (2), (3); INSERT INTO raw2 VALUES (7);");
    pipeline(f, MEDALLION_SQL);
    run_ok(f);
    char *other_before = text_of(f->wh, "SELECT version || refreshed_at FROM _tarn_datasets "
                                        "WHERE name = 'other'");
    wh_sql(f, "INSERT INTO raw2 VALUES (8);");

    upd_options o = {0};
    VEC_PUSH(&o.full_refresh_select, xstrdup("bronze"));
    run_out r;
    assert_int_equal(run_with(f, &o, &r), UPD_COMPLETED);
    opts_free(&o);
    assert_flow_status(&r, "bronze", "COMPLETED");
    assert_int_equal(flow_rows_written(&r, "bronze"), 3);
    assert_flow_status(&r, "silver", "EXCLUDED");
    assert_flow_status(&r, "other", "EXCLUDED");
    assert_flow_status(&r, "gold", "EXCLUDED");
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM bronze"), 3);
    assert_int_equal(meta_int(f, "bronze", "generation"), 1);
    assert_int_equal(meta_int(f, "silver", "generation"), 0);
    assert_int_equal(meta_int(f, "other", "generation"), 0);
    /* other was neither reset nor refreshed: raw2's new row waits. */
    assert_int_equal(whi(f, "SELECT count(*) FROM other"), 1);
    char *other_after = text_of(f->wh, "SELECT version || refreshed_at FROM _tarn_datasets "
                                       "WHERE name = 'other'");
    assert_string_equal(other_after, other_before);
    free(other_after);
    free(other_before);

    /* silver read bronze before its reset: it reads it again from the start,
     * with a warning. */
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_true(has_event(&r, "flow_progress", "WARN",
                          "Source 'bronze' was fully refreshed since flow 'silver' last read "
                          "it: reading it from the start"));
    assert_int_equal(flow_rows_written(&r, "silver"), 3);
    assert_int_equal(flow_rows_written(&r, "other"), 1);
    assert_true(flow_up_to_date(&r, "bronze"));
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM silver"), 6); /* as the warning says */
    assert_int_equal(whi(f, "SELECT n FROM gold"), 6);
    assert_int_equal(checkpoint(f, "silver", "bronze"), 3);
    assert_int_equal(whi(f, "SELECT source_generation FROM _tarn_checkpoints WHERE flow = "
                            "'silver'"), 1);

    /* Reset bronze while refreshing silver in the same update. */
    upd_options o2 = {0};
    VEC_PUSH(&o2.full_refresh_select, xstrdup("bronze"));
    VEC_PUSH(&o2.select, xstrdup("silver"));
    assert_int_equal(run_with(f, &o2, &r), UPD_COMPLETED);
    opts_free(&o2);
    assert_true(has_event(&r, "flow_progress", "WARN",
                          "Source 'bronze' was fully refreshed since flow 'silver'"));
    assert_flow_status(&r, "other", "EXCLUDED");
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM silver"), 9);
    assert_int_equal(meta_int(f, "bronze", "generation"), 2);
}

/* ---------------------------------------------------------------- selection */

static void test_select_only_named(void **state)
{
    fx *f = *state;
    chain_project(f);
    run_ok(f);
    char *totals_before = text_of(f->wh, "SELECT version || refreshed_at FROM _tarn_datasets "
                                         "WHERE name = 'totals'");
    wh_sql(f, "INSERT INTO raw VALUES (4, 'a', 100);");
    upd_options o = {0};
    VEC_PUSH(&o.select, xstrdup("events"));
    VEC_PUSH(&o.select, xstrdup("CONSTS"));
    run_out r;
    assert_int_equal(run_with(f, &o, &r), UPD_COMPLETED);
    opts_free(&o);
    assert_flow_status(&r, "events", "COMPLETED");
    assert_int_equal(flow_rows_written(&r, "events"), 1);
    assert_flow_status(&r, "consts", "COMPLETED");
    assert_flow_status(&r, "totals", "EXCLUDED");
    assert_flow_status(&r, "big_count", "EXCLUDED");
    assert_flow_status(&r, "copy_ids", "EXCLUDED");
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM events"), 4);
    assert_int_equal(whi(f, "SELECT count(*) FROM sink"), 3);
    char *totals_after = text_of(f->wh, "SELECT version || refreshed_at FROM _tarn_datasets "
                                        "WHERE name = 'totals'");
    assert_string_equal(totals_after, totals_before);
    free(totals_after);
    free(totals_before);
    assert_text(f->state, "SELECT refresh_selection FROM updates ORDER BY id DESC LIMIT 1",
                "[\"events\", \"CONSTS\"]");

    /* Names the pipeline does not store are refused. */
    upd_options bad = {0};
    VEC_PUSH(&bad.select, xstrdup("nope"));
    VEC_PUSH(&bad.select, xstrdup("big"));
    assert_int_equal(run_with(f, &bad, &r), UPD_FAILED);
    opts_free(&bad);
    assert_non_null(r.error);
    assert_true(has_event(&r, "planning_information", "ERROR",
                          "unknown dataset 'nope' in the selection"));
    assert_true(has_event(&r, "planning_information", "ERROR",
                          "'big' is a temporary view: it is not stored, so it cannot be "
                          "refreshed"));
    assert_int_equal(count_type(&r, "flow_progress"), 0);
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM sink"), 3);
}

static void test_temp_views_never_stored(void **state)
{
    fx *f = *state;
    wh_sql(f, "CREATE TABLE raw(id INT); INSERT INTO raw VALUES (1), (2), (3), (4);");
    pipeline(f, "CREATE TEMPORARY VIEW v1 AS SELECT id FROM raw WHERE id > 1;\n"
                "CREATE TEMP VIEW v2 AS SELECT id * 10 AS big FROM v1;\n"
                "CREATE MATERIALIZED VIEW m AS SELECT sum(big) AS s FROM v2;\n"
                "CREATE STREAMING TABLE st AS SELECT * FROM STREAM(raw) JOIN v1 USING (id);\n");
    run_out r;
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    run_free(&r);
    run_ok(f);
    assert_int_equal(whi(f, "SELECT s FROM m"), 90);
    assert_int_equal(whi(f, "SELECT count(*) FROM st"), 3);
    assert_int_equal(whi(f, "SELECT count(*) FROM sqlite_schema WHERE name IN ('v1', 'v2')"), 0);
    assert_int_equal(whi(f, "SELECT count(*) FROM sqlite_schema WHERE type = 'view'"), 0);
    assert_int_equal(whi(f, "SELECT count(*) FROM _tarn_datasets WHERE name IN ('v1', 'v2')"), 0);
    assert_int_equal(whi(f, "SELECT count(*) FROM _tarn_checkpoints WHERE flow IN ('v1', 'v2')"), 0);
}

/* ---------------------------------------------------------------- expectations */

static const cJSON *expectation(const cJSON *fp, const char *name)
{
    const cJSON *dq = cJSON_GetObjectItemCaseSensitive(fp, "data_quality");
    const cJSON *list = dq ? cJSON_GetObjectItemCaseSensitive(dq, "expectations") : NULL;
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name");
        if (cJSON_IsString(n) && !strcmp(n->valuestring, name)) return e;
    }
    fail_msg("no expectation %s", name);
    return NULL;
}

static long long jnum(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v)) fail_msg("no number %s", key);
    return (long long)v->valuedouble;
}

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v)) fail_msg("no string %s", key);
    return v->valuestring;
}

static void assert_expectation(const run_out *r, const char *flow, const char *name,
                               const char *action, long long passed, long long failed)
{
    const cJSON *fp;
    cJSON *root = flow_json(r, flow, &fp);
    const cJSON *e = expectation(fp, name);
    assert_string_equal(jstr(e, "on_violation"), action);
    if (jnum(e, "passed_records") != passed || jnum(e, "failed_records") != failed)
        fail_msg("%s/%s: passed %lld failed %lld, want %lld %lld", flow, name,
                 jnum(e, "passed_records"), jnum(e, "failed_records"), passed, failed);
    cJSON_Delete(root);
}

static const char *EXPECT_SQL =
    "CREATE MATERIALIZED VIEW checked (\n"
    "  CONSTRAINT positive EXPECT (amount > 0),\n"
    "  CONSTRAINT has_id EXPECT (id IS NOT NULL) ON VIOLATION DROP ROW\n"
    ") AS SELECT id, amount FROM raw;\n"
    "CREATE STREAMING TABLE checked_st (\n"
    "  CONSTRAINT positive EXPECT (amount > 0),\n"
    "  CONSTRAINT has_id EXPECT (id IS NOT NULL) ON VIOLATION DROP ROW\n"
    ") AS SELECT id, amount FROM STREAM(raw);\n";

static void test_expectations_warn_and_drop(void **state)
{
    fx *f = *state;
    wh_sql(f, "CREATE TABLE raw(id INT, amount INT);"
              "INSERT INTO raw VALUES (1, 10), (2, -5), (NULL, 7), (4, NULL), (NULL, -1), (6, 3);");
    pipeline(f, EXPECT_SQL);
    run_out r;
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    static const char *const tables[] = {"checked", "checked_st"};
    for (size_t t = 0; t < 2; t++) {
        const char *name = tables[t];
        /* warn keeps failing rows; DROP ROW drops them; both count */
        assert_expectation(&r, name, "positive", "warn", 3, 3);
        assert_expectation(&r, name, "has_id", "drop", 4, 2);
        assert_int_equal(flow_rows_written(&r, name), 4);
        const cJSON *fp;
        cJSON *root = flow_json(&r, name, &fp);
        assert_int_equal(jnum(cJSON_GetObjectItemCaseSensitive(fp, "data_quality"),
                              "dropped_records"), 2);
        assert_int_equal(jnum(cJSON_GetObjectItemCaseSensitive(fp, "metrics"),
                              "num_input_rows"), 6);
        cJSON_Delete(root);
        assert_non_null(flow_ev(&r, name));
        assert_string_equal(flow_ev(&r, name)->level, "WARN");
        assert_int_equal(whi(f, "SELECT count(*) FROM %s", name), 4);
        assert_int_equal(whi(f, "SELECT count(*) FROM %s WHERE id IS NULL", name), 0);
        assert_int_equal(whi(f, "SELECT count(*) FROM %s WHERE NOT coalesce(amount > 0, 0)",
                             name), 2);
    }
    run_free(&r);

    /* The streaming table's metrics count only the new rows. */
    wh_sql(f, "INSERT INTO raw VALUES (7, 1), (NULL, 2);");
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_expectation(&r, "checked_st", "positive", "warn", 2, 0);
    assert_expectation(&r, "checked_st", "has_id", "drop", 1, 1);
    assert_expectation(&r, "checked", "has_id", "drop", 5, 3);
    /* any failed record, dropped or kept, makes the event a warning */
    assert_string_equal(flow_ev(&r, "checked_st")->level, "WARN");
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM checked_st"), 5);

    wh_sql(f, "INSERT INTO raw VALUES (8, 1);");
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_expectation(&r, "checked_st", "positive", "warn", 1, 0);
    assert_expectation(&r, "checked_st", "has_id", "drop", 1, 0);
    assert_string_equal(flow_ev(&r, "checked_st")->level, "INFO");
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM checked_st"), 6);
}

static const char *STRICT_SQL =
    "CREATE MATERIALIZED VIEW strict (\n"
    "  CONSTRAINT nonneg EXPECT (amount >= 0) ON VIOLATION FAIL UPDATE\n"
    ") AS SELECT id, amount FROM raw;\n"
    "CREATE STREAMING TABLE strict_st (\n"
    "  CONSTRAINT nonneg_st EXPECT (amount >= 0) ON VIOLATION FAIL UPDATE\n"
    ") AS SELECT id, amount FROM STREAM(raw);\n"
    "CREATE MATERIALIZED VIEW after_strict AS SELECT count(*) AS n FROM strict;\n";

static void test_expectation_fail_update(void **state)
{
    fx *f = *state;
    wh_sql(f, "CREATE TABLE raw(id INT, amount INT); INSERT INTO raw VALUES (1, 10), (2, 0);");
    pipeline(f, STRICT_SQL);
    run_ok(f);
    long long v = meta_int(f, "strict", "version");
    wh_sql(f, "INSERT INTO raw VALUES (3, 4), (99, -5), (5, 6);");

    run_out r;
    assert_int_equal(run(f, &r), UPD_FAILED);
    /* the datasets, then the first failure's reason with the offending row */
    const char *want = "2 datasets failed: strict, strict_st; first: strict: expectation ";
    assert_memory_equal(r.error, want, strlen(want));
    assert_non_null(strstr(r.error, "\"amount\": -5"));
    assert_flow_status(&r, "strict", "FAILED");
    assert_flow_status(&r, "strict_st", "FAILED");
    assert_flow_status(&r, "after_strict", "SKIPPED");
    const ev *e = flow_ev(&r, "strict");
    assert_string_equal(e->level, "ERROR");
    /* The message names the expectation and shows the offending row. */
    assert_non_null(strstr(e->message, "expectation 'nonneg' (amount >= 0) failed on row "
                                       "{\"id\": 99, \"amount\": -5}"));
    assert_non_null(strstr(flow_ev(&r, "strict_st")->message,
                           "expectation 'nonneg_st' (amount >= 0) failed on row {\"id\": 99, "
                           "\"amount\": -5}"));
    run_free(&r);
    /* Both flows rolled back: the tables, versions and checkpoint as before. */
    assert_int_equal(whi(f, "SELECT count(*) FROM strict"), 2);
    assert_int_equal(meta_int(f, "strict", "version"), v);
    assert_int_equal(whi(f, "SELECT count(*) FROM strict_st"), 2);
    assert_int_equal(meta_int(f, "strict_st", "rows"), 2);
    assert_int_equal(checkpoint(f, "strict_st", "raw"), 2);
    assert_text(f->state, "SELECT state FROM updates ORDER BY id DESC LIMIT 1", "FAILED");

    /* Once the bad row is gone, nothing is lost and nothing doubled. */
    wh_sql(f, "DELETE FROM raw WHERE id = 99;");
    run_ok(f);
    assert_text(f->wh, "SELECT group_concat(id) FROM (SELECT id FROM strict_st ORDER BY rowid)",
                "1,2,3,5");
    assert_int_equal(whi(f, "SELECT n FROM after_strict"), 4);
}

/* ---------------------------------------------------------------- failure isolation */

static void test_failed_dataset_skips_downstream(void **state)
{
    fx *f = *state;
    wh_sql(f, "CREATE TABLE raw_json(payload TEXT); INSERT INTO raw_json VALUES ('not json');");
    pipeline(f, "CREATE MATERIALIZED VIEW bad AS\n"
                "  SELECT json_extract(payload, '$.a') AS a FROM raw_json;\n"
                "CREATE MATERIALIZED VIEW after_bad AS SELECT * FROM bad;\n"
                "CREATE TEMPORARY VIEW tv_bad AS SELECT * FROM after_bad;\n"
                "CREATE MATERIALIZED VIEW after_tv AS SELECT * FROM tv_bad;\n"
                "CREATE MATERIALIZED VIEW good AS SELECT 1 AS x;\n"
                "CREATE MATERIALIZED VIEW good2 AS SELECT x + 1 AS y FROM good;\n");
    run_out r;
    assert_int_equal(run(f, &r), UPD_FAILED);
    const char *want = "1 dataset failed: bad; first: bad: ";
    assert_memory_equal(r.error, want, strlen(want));
    assert_non_null(strstr(r.error, "malformed JSON"));
    assert_flow_status(&r, "bad", "FAILED");
    assert_non_null(strstr(flow_ev(&r, "bad")->message, "malformed JSON"));
    assert_flow_status(&r, "after_bad", "SKIPPED");
    assert_non_null(strstr(flow_ev(&r, "after_bad")->message, "upstream 'bad' did not refresh"));
    assert_flow_status(&r, "after_tv", "SKIPPED");
    assert_non_null(strstr(flow_ev(&r, "after_tv")->message,
                           "upstream 'tv_bad' did not refresh"));
    assert_flow_status(&r, "good", "COMPLETED");
    assert_flow_status(&r, "good2", "COMPLETED");
    run_free(&r);
    assert_false(table_exists(f, "bad"));
    assert_false(table_exists(f, "after_bad"));
    assert_int_equal(whi(f, "SELECT y FROM good2"), 2);
    assert_text(f->state, "SELECT state || ':' || substr(message, 1, 34) FROM updates "
                          "ORDER BY id DESC", "FAILED:1 dataset failed: bad; first: bad:");
}

static void test_invalid_pipeline_fails_before_running(void **state)
{
    fx *f = *state;
    pipeline(f, "CREATE MATERIALIZED VIEW a AS SELECT * FROM nowhere;\n"
                "CREATE MATERIALIZED VIEW b AS SELECT 1 AS x;\n");
    run_out r;
    assert_int_equal(run(f, &r), UPD_FAILED);
    assert_string_equal(r.error, "the pipeline has 1 problem (see tarn validate)");
    /* Each problem is in the log, as tarn validate shows it. */
    assert_true(has_event(&r, "planning_information", "ERROR",
                          "transformations/p.sql:1:45: error: unknown table or dataset "
                          "'nowhere'"));
    assert_int_equal(count_type(&r, "flow_progress"), 0);
    run_free(&r);
    assert_false(fs_exists(f->wh));
}

/* ---------------------------------------------------------------- event log */

typedef struct db_ev {
    char type[32], level[16], dataset[64], flow[64];
    char *message, *details;
} db_ev;

/* Events of update id from state.db, oldest first. */
static size_t read_events(const fx *f, int64_t id, db_ev **out)
{
    sqlite3 *db = NULL;
    char *err = NULL;
    if (evl_open_readonly(f->state, &db, &err) < 0) fail_msg("%s", err);
    evl_filter flt = {0};
    flt.update_id = id;
    flt.oldest_first = true;
    sqlite3_stmt *st = NULL;
    assert_int_equal(evl_prepare(db, &flt, &st, &err), 0);
    size_t n = 0, cap = 16;
    db_ev *v = calloc(cap, sizeof(*v));
    int64_t last_id = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) v = realloc(v, (cap *= 2) * sizeof(*v));
        db_ev *e = &v[n++];
        memset(e, 0, sizeof(*e));
        assert_true(sqlite3_column_int64(st, 0) > last_id);
        last_id = sqlite3_column_int64(st, 0);
        assert_int_equal(sqlite3_column_int64(st, 2), id);
        assert_non_null(sqlite3_column_text(st, 1));
        snprintf(e->level, sizeof e->level, "%s", sqlite3_column_text(st, 3));
        snprintf(e->type, sizeof e->type, "%s", sqlite3_column_text(st, 4));
        const char *ds = (const char *)sqlite3_column_text(st, 5);
        const char *fl = (const char *)sqlite3_column_text(st, 6);
        snprintf(e->dataset, sizeof e->dataset, "%s", ds ? ds : "");
        snprintf(e->flow, sizeof e->flow, "%s", fl ? fl : "");
        e->message = dupn((const char *)sqlite3_column_text(st, 7));
        e->details = dupn((const char *)sqlite3_column_text(st, 8));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    *out = v;
    return n;
}

static void free_events(db_ev *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].message);
        free(v[i].details);
    }
    free(v);
}

static const char *state_of(const db_ev *e)
{
    static char buf[32];
    cJSON *root = cJSON_Parse(e->details);
    const cJSON *up = cJSON_GetObjectItemCaseSensitive(root, "update_progress");
    snprintf(buf, sizeof buf, "%s", up ? jstr(up, "state") : "?");
    cJSON_Delete(root);
    return buf;
}

static void test_event_log(void **state)
{
    fx *f = *state;
    wh_sql(f, "CREATE TABLE raw(id INT, amount INT);"
              "INSERT INTO raw VALUES (1, 10), (2, -5), (NULL, 7), (4, NULL), (NULL, -1), (6, 3);");
    pipeline(f, EXPECT_SQL);
    run_out r;
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    db_ev *v;
    size_t n = read_events(f, r.id, &v);
    /* The listener saw exactly what the log holds, in the same order. */
    assert_int_equal(n, r.ev.n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(v[i].type, r.ev.v[i].type);
        assert_string_equal(v[i].level, r.ev.v[i].level);
        assert_string_equal(v[i].message, r.ev.v[i].message);
    }
    assert_true(n >= 6);
    assert_string_equal(v[0].type, "create_update");
    cJSON *cu = cJSON_Parse(v[0].details);
    const cJSON *cuo = cJSON_GetObjectItemCaseSensitive(cu, "create_update");
    assert_string_equal(jstr(cuo, "cause"), "cli");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(cuo, "full_refresh")));
    cJSON_Delete(cu);
    assert_string_equal(v[1].type, "update_progress");
    assert_string_equal(state_of(&v[1]), "RUNNING");
    assert_string_equal(v[n - 1].type, "update_progress");
    assert_string_equal(state_of(&v[n - 1]), "COMPLETED");
    int defs = 0, flows = 0, progress = 0;
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(v[i].type, "update_progress") && !v[i].dataset[0]) progress++;
        if (!strcmp(v[i].type, "dataset_definition")) {
            defs++;
            cJSON *d = cJSON_Parse(v[i].details);
            const cJSON *dd = cJSON_GetObjectItemCaseSensitive(d, "dataset_definition");
            assert_non_null(dd);
            if (!strcmp(v[i].dataset, "checked")) {
                assert_string_equal(jstr(dd, "kind"), "materialized view");
                assert_string_equal(jstr(dd, "file"), "transformations/p.sql");
                const cJSON *schema = cJSON_GetObjectItemCaseSensitive(dd, "schema");
                assert_int_equal(cJSON_GetArraySize(schema), 2);
                assert_string_equal(jstr(cJSON_GetArrayItem(schema, 0), "name"), "id");
                const cJSON *ex = cJSON_GetObjectItemCaseSensitive(dd, "expectations");
                assert_int_equal(cJSON_GetArraySize(ex), 2);
                assert_string_equal(jstr(cJSON_GetArrayItem(ex, 1), "on_violation"), "drop");
                assert_string_equal(jstr(cJSON_GetArrayItem(ex, 1), "expression"),
                                    "id IS NOT NULL");
            }
            cJSON_Delete(d);
        }
        if (!strcmp(v[i].type, "flow_progress")) {
            flows++;
            cJSON *d = cJSON_Parse(v[i].details);
            const cJSON *fp = cJSON_GetObjectItemCaseSensitive(d, "flow_progress");
            assert_string_equal(jstr(fp, "status"), "COMPLETED");
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(fp, "metrics");
            assert_int_equal(jnum(m, "num_output_rows"), 4);
            const cJSON *e = expectation(fp, "positive");
            assert_int_equal(jnum(e, "passed_records"), 3);
            assert_int_equal(jnum(e, "failed_records"), 3);
            assert_string_equal(jstr(e, "dataset"), v[i].dataset);
            e = expectation(fp, "has_id");
            assert_int_equal(jnum(e, "passed_records"), 4);
            assert_int_equal(jnum(e, "failed_records"), 2);
            cJSON_Delete(d);
        }
    }
    assert_int_equal(defs, 2);
    assert_int_equal(flows, 2);
    assert_int_equal(progress, 2); /* RUNNING, COMPLETED */
    free_events(v, n);

    /* The updates table. */
    sqlite3 *db = NULL;
    char *err = NULL;
    assert_int_equal(evl_open_readonly(f->state, &db, &err), 0);
    evl_update up;
    assert_int_equal(evl_update_get(db, r.id, &up), 0);
    assert_string_equal(up.state, "COMPLETED");
    assert_true(up.started_at[0] && up.ended_at[0]);
    assert_true(strcmp(up.started_at, up.ended_at) <= 0);
    assert_false(up.full_refresh);
    assert_int_equal(evl_update_last(db), r.id);
    sqlite3_close(db);
    assert_text(f->state, "SELECT cause || ':' || ifnull(message, '-') FROM updates", "cli:-");
    run_free(&r);

    /* A failed update ends FAILED, at level ERROR, with its reason. */
    pipeline(f, "CREATE MATERIALIZED VIEW checked (\n"
                "  CONSTRAINT positive EXPECT (amount > 0) ON VIOLATION FAIL UPDATE\n"
                ") AS SELECT id, amount FROM raw;\n");
    upd_options o = {0};
    o.cause = "job";
    assert_int_equal(run_with(f, &o, &r), UPD_FAILED);
    n = read_events(f, r.id, &v);
    assert_string_equal(v[1].type, "update_progress");
    assert_string_equal(state_of(&v[1]), "RUNNING");
    assert_string_equal(state_of(&v[n - 1]), "FAILED");
    assert_string_equal(v[n - 1].level, "ERROR");
    assert_non_null(strstr(v[n - 1].message, "1 dataset failed: checked"));
    free_events(v, n);
    assert_text(f->state, "SELECT state || ':' || cause || ':' || substr(message, 1, 50) "
                          "|| ':' || (ended_at IS NOT NULL) FROM updates ORDER BY id DESC",
                "FAILED:job:1 dataset failed: checked; first: checked: expecta:1");
    run_free(&r);
}

/* ---------------------------------------------------------------- the update lock */

static void test_lock_refuses_second_update(void **state)
{
    fx *f = *state;
    wh_sql(f, "CREATE TABLE raw(id INT); INSERT INTO raw VALUES (1);");
    pipeline(f, "CREATE MATERIALIZED VIEW m AS SELECT count(*) AS n FROM raw;\n");
    run_ok(f);
    long long updates = ts_sql_int(f->state, "SELECT count(*) FROM updates", -1);

    char *tarn = ts_path(f->dir, ".tarn");
    char *err = NULL;
    int lock = wh_lock(tarn, 42, &err);
    assert_true(lock >= 0);
    run_out r;
    assert_int_equal(run(f, &r), UPD_FAILED);
    char *want = xasprintf("another update of this project is running (pid %ld, update #42); "
                           "wait for it to finish or cancel it", (long)getpid());
    assert_string_equal(r.error, want);
    free(want);
    assert_int_equal(r.id, 0);
    run_free(&r);
    /* A refused update leaves no trace in the history. */
    assert_int_equal(ts_sql_int(f->state, "SELECT count(*) FROM updates", -1), updates);
    wh_unlock(lock);
    run_ok(f);
    free(tarn);
}

typedef struct blocker {
    const fx *f;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool blocked, release;
    bool in_event; /* block in an event callback, else in the rows callback */
    int64_t id;
    upd_state state;
} blocker;

/* rows listener of the first update: waits (once) until released. */
static void block_rows(void *ctx, const char *dataset, const char *flow, int64_t rows,
                       int64_t bytes, int64_t total)
{
    blocker *b = ctx;
    pthread_mutex_lock(&b->mu);
    if (!b->blocked) {
        b->blocked = true;
        pthread_cond_broadcast(&b->cv);
        while (!b->release) pthread_cond_wait(&b->cv, &b->mu);
    }
    pthread_mutex_unlock(&b->mu);
}

/* event listener of the first update: waits (once) at its first flow. */
static void block_event(void *ctx, const evl_event *e)
{
    if (strcmp(e->type, "dataset_definition")) return;
    block_rows(ctx, NULL, NULL, 0, 0, 0);
}

static void *first_update(void *arg)
{
    blocker *b = arg;
    upd_listener l = {b->in_event ? block_event : NULL, b->in_event ? NULL : block_rows, b};
    upd *u = upd_new(b->f->dir, NULL, NULL, &l);
    b->state = upd_run(u);
    b->id = upd_id(u);
    upd_free(u);
    return NULL;
}

static void concurrent_updates(const fx *f, bool in_event)
{
    blocker b = {.f = f, .in_event = in_event};
    pthread_mutex_init(&b.mu, NULL);
    pthread_cond_init(&b.cv, NULL);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, first_update, &b), 0);
    pthread_mutex_lock(&b.mu);
    while (!b.blocked) pthread_cond_wait(&b.cv, &b.mu);
    pthread_mutex_unlock(&b.mu);

    /* The first holds the lock, in the middle of writing st. */
    int64_t first = ts_sql_int(f->state, "SELECT max(id) FROM updates", -1);
    assert_text(f->state, "SELECT state FROM updates ORDER BY id DESC LIMIT 1", "RUNNING");
    run_out r;
    assert_int_equal(run(f, &r), UPD_FAILED);
    char *want = xasprintf("another update of this project is running (pid %ld, update #%lld)",
                           (long)getpid(), (long long)first);
    if (!r.error || !strstr(r.error, want)) fail_msg("error: %s\nwant: %s", r.error, want);
    free(want);
    run_free(&r);

    pthread_mutex_lock(&b.mu);
    b.release = true;
    pthread_cond_broadcast(&b.cv);
    pthread_mutex_unlock(&b.mu);
    pthread_join(t, NULL);
    assert_int_equal(b.state, UPD_COMPLETED);
    assert_int_equal(b.id, first);
    char *q = xasprintf("SELECT state FROM updates WHERE id = %lld", (long long)first);
    assert_text(f->state, q, "COMPLETED");
    free(q);
    pthread_cond_destroy(&b.cv);
    pthread_mutex_destroy(&b.mu);
}

static void test_concurrent_updates(void **state)
{
    fx *f = *state;
    wh_sql(f, "CREATE TABLE raw(id INT); INSERT INTO raw VALUES (1), (2);");
    pipeline(f, "CREATE STREAMING TABLE st AS SELECT id FROM STREAM(raw);\n");
    /* The first is writing st when the second comes. */
    concurrent_updates(f, false);
    assert_int_equal(whi(f, "SELECT count(*) FROM st"), 2);
    /* The first is logging when the second comes. */
    wh_sql(f, "INSERT INTO raw VALUES (3);");
    double t0 = time_mono_ms();
    concurrent_updates(f, true);
    assert_int_equal(whi(f, "SELECT count(*) FROM st"), 3);
    /* Refused at once, not after waiting for a busy database. */
    assert_true(time_mono_ms() - t0 < 3000);
    /* And the lock is free again. */
    run_ok(f);
    assert_text(f->state, "SELECT group_concat(state) FROM updates", "COMPLETED,COMPLETED,COMPLETED");
}

/* ---------------------------------------------------------------- cancel */

static void test_cancel_before_run(void **state)
{
    fx *f = *state;
    chain_project(f);
    evvec events = {0};
    upd_listener l = {on_event, NULL, &events};
    upd *u = upd_new(f->dir, NULL, NULL, &l);
    upd_cancel(u);
    assert_int_equal(upd_run(u), UPD_CANCELED);
    int64_t id = upd_id(u);
    upd_free(u);
    /* RUNNING, then CANCELED; no flow ran. */
    sb states = {0};
    for (size_t i = 0; i < events.n; i++) {
        assert_string_not_equal(events.v[i].type, "flow_progress");
        if (!strcmp(events.v[i].type, "update_progress") && !events.v[i].dataset) {
            cJSON *root = cJSON_Parse(events.v[i].details);
            const cJSON *up = cJSON_GetObjectItemCaseSensitive(root, "update_progress");
            sb_addf(&states, "%s%s", states.len ? " " : "", jstr(up, "state"));
            cJSON_Delete(root);
        }
    }
    assert_string_equal(sb_str(&states), "RUNNING CANCELED");
    sb_free(&states);
    evs_free(&events);
    assert_true(id > 0);
    assert_text(f->state, "SELECT state FROM updates", "CANCELED");
    assert_false(table_exists(f, "events"));
    assert_false(table_exists(f, "totals"));
    run_ok(f);
    assert_int_equal(whi(f, "SELECT count(*) FROM events"), 3);
}

typedef struct cancel_in_flow {
    upd *u;
    const char *dataset; /* cancel when this dataset's rows are being read */
    bool done;
} cancel_in_flow;

static void *do_cancel(void *arg)
{
    upd_cancel(arg);
    return NULL;
}

/* rows listener: cancels (from another thread, as upd_cancel wants) the
 * first time the named dataset reports progress. */
static void cancel_on_rows(void *ctx, const char *dataset, const char *flow, int64_t rows,
                           int64_t bytes, int64_t total)
{
    cancel_in_flow *c = ctx;
    if (c->done || strcmp(dataset, c->dataset)) return;
    c->done = true;
    pthread_t t;
    if (pthread_create(&t, NULL, do_cancel, c->u) == 0) pthread_join(t, NULL);
}

/* A full refresh canceled while it refills the first table, after resetting
 * it: the next incremental update must not find the table's reader still
 * holding rows of the old generation (it would read the source again from
 * the start and hold every row twice). */
static void test_cancel_during_full_refresh(void **state)
{
    fx *f = *state;
    wh_sql(f, "CREATE TABLE raw(id INTEGER);"
              "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000)"
              " INSERT INTO raw SELECT i FROM c;");
    pipeline(f, "CREATE STREAMING TABLE bronze AS SELECT id FROM STREAM(raw);\n"
                "CREATE STREAMING TABLE silver AS SELECT id FROM STREAM(bronze);\n"
                "CREATE MATERIALIZED VIEW gold AS SELECT count(*) AS n FROM silver;\n");
    run_ok(f);
    assert_int_equal(whi(f, "SELECT count(*) FROM silver"), 20000);

    upd_options o = {0};
    o.full_refresh = true;
    cancel_in_flow c = {NULL, "bronze", false};
    upd_listener l = {NULL, cancel_on_rows, &c};
    c.u = upd_new(f->dir, NULL, &o, &l);
    assert_int_equal(upd_run(c.u), UPD_CANCELED);
    upd_free(c.u);
    assert_true(c.done);
    /* bronze's refill rolled back; whatever was reset holds nothing and
     * remembers nothing. */
    long long silver = table_exists(f, "silver") ? whi(f, "SELECT count(*) FROM silver") : 0;
    long long silver_cp = whi(f, "SELECT ifnull((SELECT position FROM _tarn_checkpoints "
                                 "WHERE flow = 'silver'), 0)");
    long long bronze = table_exists(f, "bronze") ? whi(f, "SELECT count(*) FROM bronze") : 0;
    assert_int_equal(bronze, 0);
    assert_int_equal(silver, silver_cp);
    assert_int_equal(whi(f, "SELECT n FROM gold"), 20000); /* old contents */

    run_out r;
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_false(has_event(&r, "flow_progress", "WARN", "fully refreshed"));
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM bronze"), 20000);
    assert_int_equal(whi(f, "SELECT count(*) FROM silver"), 20000);
    assert_int_equal(whi(f, "SELECT count(DISTINCT id) FROM silver"), 20000);
    assert_int_equal(whi(f, "SELECT n FROM gold"), 20000);
}

static const char *CANCEL_SQL =
    "CREATE STREAMING TABLE bronze AS SELECT id, amount, kind FROM STREAM(raw);\n"
    "CREATE STREAMING TABLE silver AS\n"
    "  SELECT id, amount * 2 AS amount2, kind FROM STREAM(bronze) WHERE amount % 3 <> 0;\n"
    "CREATE STREAMING TABLE odd_kinds AS SELECT id, kind FROM STREAM(raw) WHERE kind % 2 = 1;\n"
    "CREATE MATERIALIZED VIEW by_kind AS\n"
    "  SELECT kind, count(*) AS n, sum(amount2) AS total FROM silver GROUP BY kind;\n"
    "CREATE MATERIALIZED VIEW bronze_stats AS\n"
    "  SELECT count(*) AS n, sum(amount) AS total, max(id) AS max_id FROM bronze;\n"
    "CREATE MATERIALIZED VIEW odd_count AS SELECT count(*) AS n FROM odd_kinds;\n";

/* The contents of a materialized view (or of the query that would make it),
 * as one string; "" when the table is missing or empty. */
static char *contents(const fx *f, const char *table, const char *sql)
{
    return table_exists(f, table) ? text_of(f->wh, sql) : xstrdup("");
}

#define BY_KIND_NOW "SELECT group_concat(kind || ':' || n || ':' || total, ',') FROM " \
                    "(SELECT * FROM by_kind ORDER BY kind)"
#define BY_KIND_NEW "SELECT group_concat(kind || ':' || n || ':' || total, ',') FROM " \
                    "(SELECT kind, count(*) AS n, sum(amount2) AS total FROM silver " \
                    "GROUP BY kind ORDER BY kind)"
#define BSTATS_NOW "SELECT n || ':' || total || ':' || max_id FROM bronze_stats"
#define BSTATS_NEW "SELECT count(*) || ':' || sum(amount) || ':' || max(id) FROM bronze"
#define ODD_NOW "SELECT n FROM odd_count"
#define ODD_NEW "SELECT count(*) FROM odd_kinds"

typedef struct mv_snap {
    char *by_kind, *bstats, *odd;
} mv_snap;

static void mv_take(const fx *f, mv_snap *s)
{
    s->by_kind = contents(f, "by_kind", BY_KIND_NOW);
    s->bstats = contents(f, "bronze_stats", BSTATS_NOW);
    s->odd = contents(f, "odd_count", ODD_NOW);
}

static void mv_free(mv_snap *s)
{
    free(s->by_kind);
    free(s->bstats);
    free(s->odd);
}

/* A materialized view holds its old contents or the complete new ones. */
static void assert_old_or_new(const fx *f, const char *name, const char *old, const char *now_sql,
                              const char *input, const char *new_sql, int iter)
{
    char *now = contents(f, name, now_sql), *fresh = contents(f, input, new_sql);
    if (strcmp(now, old) && strcmp(now, fresh))
        fail_msg("iteration %d: %s is neither old (%s) nor new (%s): %s", iter, name, old,
                 fresh, now);
    free(now);
    free(fresh);
}

/* A streaming table holds exactly the rows of its source window up to its
 * checkpoint: count, no duplicates, and the bookkeeping row count agrees. */
static void assert_window(const fx *f, const char *table, const char *flow, const char *source,
                          const char *filter, int iter)
{
    long long pos = whi(f, "SELECT ifnull((SELECT position FROM _tarn_checkpoints WHERE "
                           "flow = '%s' AND source = '%s'), 0)", flow, source);
    /* Rows of bronze have the rowids of the raw rows they copy, so every
     * window is a window of raw. */
    long long want = whi(f, "SELECT count(*) FROM raw WHERE rowid <= %lld AND %s", pos, filter);
    long long have = table_exists(f, table) ? whi(f, "SELECT count(*) FROM %s", table) : 0;
    long long distinct = table_exists(f, table)
                             ? whi(f, "SELECT count(DISTINCT id) FROM %s", table) : 0;
    long long rows = whi(f, "SELECT ifnull((SELECT rows FROM _tarn_datasets WHERE name = '%s'),"
                            " 0)", table);
    if (have != want || distinct != have || rows != have)
        fail_msg("iteration %d: %s has %lld rows (%lld distinct, bookkept %lld), its window "
                 "up to %lld of %s holds %lld", iter, table, have, distinct, rows, pos, source,
                 want);
}

typedef struct canceler {
    upd *u;
    long delay_us;
} canceler;

static void *cancel_later(void *arg)
{
    canceler *c = arg;
    struct timespec ts = {c->delay_us / 1000000, (c->delay_us % 1000000) * 1000};
    nanosleep(&ts, NULL);
    upd_cancel(c->u);
    return NULL;
}

static void add_rows(const fx *f, long long from, long long to)
{
    char *sql = xasprintf("WITH RECURSIVE c(i) AS (SELECT %lld UNION ALL SELECT i + 1 FROM c "
                          "WHERE i < %lld) INSERT INTO raw SELECT i, i %% 997, i %% 7 FROM c;",
                          from, to);
    wh_sql(f, sql);
    free(sql);
}

static void test_cancel_at_random_points(void **state)
{
    fx *f = *state;
    unsigned seed = 20261125;
    const char *env = getenv("TARN_TEST_SEED");
    if (env) seed = (unsigned)strtoul(env, NULL, 10);
    srand(seed);
    wh_sql(f, "CREATE TABLE raw(id INTEGER, amount INTEGER, kind INTEGER);");
    long long total = 300000;
    add_rows(f, 1, total);
    pipeline(f, CANCEL_SQL);

    /* How long a whole run of this size takes, to spread the cancels over. */
    double t0 = time_mono_ms();
    {
        fx probe = *f;
        probe.dir = ts_mkdtemp();
        probe.wh = ts_path(probe.dir, ".tarn/warehouse.db");
        probe.state = ts_path(probe.dir, ".tarn/state.db");
        assert_int_equal(ts_write_file(probe.dir, "tarn.json", "{}"), 0);
        assert_int_equal(ts_write_file(probe.dir, ".tarn/.keep", ""), 0);
        pipeline(&probe, CANCEL_SQL);
        wh_sql(&probe, "CREATE TABLE raw(id INTEGER, amount INTEGER, kind INTEGER);");
        add_rows(&probe, 1, total);
        t0 = time_mono_ms();
        run_ok(&probe);
        ts_rmtree(probe.dir);
        free(probe.dir);
        free(probe.wh);
        free(probe.state);
    }
    double full_ms = time_mono_ms() - t0;

    int canceled = 0;
    sb history = {0};
    for (int iter = 0; iter < 8; iter++) {
        upd_options o = {0};
        if (iter > 0) {
            /* new rows each time, and every other time a full refresh */
            add_rows(f, total + 1, total + 20000);
            total += 20000;
            /* a full refresh every other time, each followed by an
             * incremental one that must not find half-reset tables */
            o.full_refresh = iter % 2 == 1;
        }
        mv_snap old;
        mv_take(f, &old);
        double span_ms = o.full_refresh || iter == 0 ? full_ms : full_ms / 2;
        long delay_us = (long)(rand() % (int)(span_ms * 1000 + 1));
        upd *u = upd_new(f->dir, NULL, &o, NULL);
        canceler c = {u, delay_us};
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, cancel_later, &c), 0);
        upd_state st = upd_run(u);
        pthread_join(t, NULL);
        int64_t id = upd_id(u);
        upd_free(u);
        if (st != UPD_CANCELED && st != UPD_COMPLETED)
            fail_msg("iteration %d (seed %u, delay %ld us): %s", iter, seed, delay_us,
                     upd_state_name(st));
        canceled += st == UPD_CANCELED;
        sb_addf(&history, "  %d: %s, cancel after %.1f ms: %s\n", iter,
                o.full_refresh ? "full refresh" : "incremental", delay_us / 1000.0,
                upd_state_name(st));
        char *q = xasprintf("SELECT state FROM updates WHERE id = %lld", (long long)id);
        assert_text(f->state, q, upd_state_name(st));
        free(q);

        assert_window(f, "bronze", "bronze", "raw", "1", iter);
        assert_window(f, "silver", "silver", "bronze", "amount % 3 <> 0", iter);
        assert_window(f, "odd_kinds", "odd_kinds", "raw", "kind % 2 = 1", iter);
        assert_old_or_new(f, "by_kind", old.by_kind, BY_KIND_NOW, "silver", BY_KIND_NEW, iter);
        assert_old_or_new(f, "bronze_stats", old.bstats, BSTATS_NOW, "bronze", BSTATS_NEW, iter);
        assert_old_or_new(f, "odd_count", old.odd, ODD_NOW, "odd_kinds", ODD_NEW, iter);
        mv_free(&old);
    }
    /* Shown with any failure below (cmocka prints it with the test). */
    print_message("seed %u (set TARN_TEST_SEED to repeat), full run %.0f ms:\n%s", seed, full_ms,
                  sb_str(&history));
    sb_free(&history);
    assert_true(canceled > 0);

    /* A normal run finishes everything, exactly. */
    run_ok(f);
    assert_int_equal(whi(f, "SELECT count(*) FROM bronze"), total);
    assert_int_equal(whi(f, "SELECT count(DISTINCT id) FROM bronze"), total);
    assert_int_equal(whi(f, "SELECT count(*) FROM silver"),
                     whi(f, "SELECT count(*) FROM raw WHERE amount %% 3 <> 0"));
    assert_int_equal(whi(f, "SELECT count(DISTINCT id) FROM silver"),
                     whi(f, "SELECT count(*) FROM raw WHERE amount %% 3 <> 0"));
    assert_int_equal(whi(f, "SELECT count(*) FROM odd_kinds"),
                     whi(f, "SELECT count(*) FROM raw WHERE kind %% 2 = 1"));
    char *want = contents(f, "raw", "SELECT group_concat(kind || ':' || n || ':' || total, ',') FROM "
                             "(SELECT kind, count(*) AS n, sum(amount * 2) AS total FROM raw "
                             "WHERE amount % 3 <> 0 GROUP BY kind ORDER BY kind)");
    char *have = contents(f, "by_kind", BY_KIND_NOW);
    assert_string_equal(have, want);
    free(have);
    free(want);
    want = contents(f, "raw", "SELECT count(*) || ':' || sum(amount) || ':' || max(id) FROM raw");
    have = contents(f, "bronze_stats", BSTATS_NOW);
    assert_string_equal(have, want);
    free(have);
    free(want);
    assert_int_equal(whi(f, ODD_NOW), whi(f, "SELECT count(*) FROM raw WHERE kind %% 2 = 1"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, ts_setup_project, ts_teardown_project)
    const struct CMUnitTest tests[] = {
        T(test_materialized_view_computed),
        T(test_second_run_up_to_date),
        T(test_changed_query_recomputes),
        T(test_streaming_reads_only_new_rows),
        T(test_multiple_flows_into_one_table),
        T(test_full_refresh_all),
        T(test_full_refresh_selected),
        T(test_select_only_named),
        T(test_temp_views_never_stored),
        T(test_expectations_warn_and_drop),
        T(test_expectation_fail_update),
        T(test_failed_dataset_skips_downstream),
        T(test_invalid_pipeline_fails_before_running),
        T(test_event_log),
        T(test_lock_refuses_second_update),
        T(test_concurrent_updates),
        T(test_cancel_before_run),
        T(test_cancel_during_full_refresh),
        T(test_cancel_at_random_points),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
