/*
 * test_cdc.c - unit tests for AUTO CDC flows (engine/cdc, and the CDC parts
 * of engine/sqlparse, engine/validate and engine/update): every clause parsed
 * into sql_cdc with exact spans, parse errors at exact offsets, dry-run
 * problems at file:line:col, and updates driven through upd_new/upd_run over
 * a source table in .tarn/warehouse.db, checked against exact expected
 * tables: SCD type 1 (upserts, deletes, out-of-order and duplicate events
 * within and across batches, deletes against late events, NULL keys and
 * sequences, composite keys, COLUMNS, IGNORE NULL UPDATES, APPLY AS
 * TRUNCATE), SCD type 2 (versions, history rebuilt around late events,
 * deletes, TRACK HISTORY ON, IGNORE NULL UPDATES), up-to-date runs, full
 * refresh, rollback of a failed batch, and randomized event streams compared
 * with a reference computed here from the whole event list.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evlog.h"
#include "project.h"
#include "sqlparse.h"
#include "testsupport.h"
#include "update.h"
#include "util.h"
#include "validate.h"

/* ================================================================ parser */

static size_t pos(const char *text, const char *needle)
{
    const char *p = strstr(text, needle);
    if (!p) fail_msg("'%s' not in the text", needle);
    return (size_t)(p - text);
}

static void on_parse_error(void *ctx, size_t off, const char *msg)
{
    sb_addf((sb *)ctx, "%zu: %s\n", off, msg);
}

static char *joined(const strvec *v)
{
    sb b = {0};
    for (size_t i = 0; i < v->n; i++) {
        if (i) sb_addc(&b, ' ');
        sb_add(&b, v->v[i]);
    }
    return sb_take(&b);
}

static void assert_strvec(const strvec *v, const char *want)
{
    char *got = joined(v);
    if (strcmp(got, want)) fail_msg("list: got '%s', want '%s'", got, want);
    free(got);
}

/* text[off .. off+len) equals want ("" with len 0 for an absent clause). */
static void assert_span(const char *text, size_t off, size_t len, const char *want)
{
    assert_true(off + len <= strlen(text));
    char *got = xstrndup(text + off, len);
    if (strcmp(got, want)) fail_msg("span: got '%s', want '%s'", got, want);
    free(got);
}

typedef struct parsed {
    sql_stmtvec stmts;
    strvec broken;
    sb errors;
    int rc;
} parsed;

static const sql_stmt *parse_one(parsed *p, const char *text)
{
    memset(p, 0, sizeof(*p));
    p->rc = sql_parse(text, strlen(text), &p->stmts, &p->broken, on_parse_error, &p->errors);
    if (p->errors.len) fail_msg("unexpected problems:\n%s", sb_str(&p->errors));
    assert_int_equal(p->rc, 0);
    assert_int_equal(p->stmts.n, 1);
    assert_non_null(p->stmts.v[0].cdc);
    return &p->stmts.v[0];
}

static void parsed_free(parsed *p)
{
    sql_stmts_free(&p->stmts);
    strvec_free(&p->broken);
    sb_free(&p->errors);
}

/* text holds one broken statement: exactly msg at the offset of needle
 * (NULL: the end of text) plus delta, and the broken names want_broken. */
static void assert_parse_error(const char *text, const char *needle, int delta,
                               const char *msg, const char *want_broken)
{
    parsed p = {0};
    p.rc = sql_parse(text, strlen(text), &p.stmts, &p.broken, on_parse_error, &p.errors);
    size_t at = needle ? pos(text, needle) : strlen(text);
    char *want = xasprintf("%zu: %s\n", at + (size_t)delta, msg);
    if (strcmp(sb_str(&p.errors), want))
        fail_msg("%s\n got: %s\nwant: %s", text, sb_str(&p.errors), want);
    free(want);
    assert_int_equal(p.rc, 1);
    assert_int_equal(p.stmts.n, 0);
    assert_strvec(&p.broken, want_broken);
    parsed_free(&p);
}

static void test_parse_every_clause(void **state)
{
    (void)state;
    const char *text =
        "CREATE FLOW f AS AUTO CDC INTO tgt\n"
        "  FROM STREAM(src)\n"
        "  KEYS (k1, \"k 2\")\n"
        "  IGNORE NULL UPDATES\n"
        "  APPLY AS DELETE WHEN op IN ('D', 'X') AND (ts > 0)\n"
        "  APPLY AS TRUNCATE WHEN op = 'T'\n"
        "  SEQUENCE BY coalesce(ts, 0) * 10\n"
        "  COLUMNS * EXCEPT (op, junk)\n"
        "  STORED AS SCD TYPE 1;";
    parsed p;
    const sql_stmt *s = parse_one(&p, text);
    assert_int_equal(s->kind, SQL_FLOW);
    assert_string_equal(s->name, "f");
    assert_int_equal(s->name_off, pos(text, "f AS"));
    assert_string_equal(s->target, "tgt");
    assert_int_equal(s->target_off, pos(text, "tgt"));
    assert_false(s->has_query);
    assert_int_equal(s->span_off, 0);
    assert_int_equal(s->span_len, strlen(text));
    assert_int_equal(s->refs.n, 1);
    const sql_ref *r = &s->refs.v[0];
    assert_string_equal(r->name, "src");
    assert_null(r->schema);
    assert_true(r->stream);
    assert_false(r->call);
    assert_int_equal(r->off, pos(text, "STREAM("));
    assert_int_equal(r->name_off, pos(text, "src"));
    assert_int_equal(r->end, pos(text, "(src)") + 5);
    const sql_cdc *c = s->cdc;
    assert_strvec(&c->keys, "k1 k 2");
    assert_int_equal(c->keys_off, pos(text, "KEYS"));
    assert_true(c->ignore_null_updates);
    assert_span(text, c->delete_off, c->delete_len, "op IN ('D', 'X') AND (ts > 0)");
    assert_span(text, c->truncate_off, c->truncate_len, "op = 'T'");
    assert_span(text, c->seq_off, c->seq_len, "coalesce(ts, 0) * 10");
    assert_strvec(&c->columns, "op junk");
    assert_true(c->columns_except);
    assert_int_equal(c->scd_type, 1);
    assert_int_equal(c->track.n, 0);
    assert_false(c->track_set);
    assert_false(c->track_except);
    parsed_free(&p);
}

static void test_parse_defaults_and_scd2(void **state)
{
    (void)state;
    /* the least a flow needs: defaults everywhere else */
    const char *text = "CREATE FLOW g AS AUTO CDC INTO t FROM STREAM(s) KEYS (id) SEQUENCE BY ts";
    parsed p;
    const sql_stmt *s = parse_one(&p, text);
    const sql_cdc *c = s->cdc;
    assert_strvec(&c->keys, "id");
    assert_false(c->ignore_null_updates);
    assert_int_equal(c->delete_len, 0);
    assert_int_equal(c->truncate_len, 0);
    assert_span(text, c->seq_off, c->seq_len, "ts");
    assert_int_equal(c->columns.n, 0);
    assert_false(c->columns_except);
    assert_int_equal(c->scd_type, 1);
    assert_false(c->track_set);
    parsed_free(&p);

    /* clauses in another order; COLUMNS as a list; TRACK HISTORY * EXCEPT;
     * clause words inside parentheses do not end an expression */
    text = "CREATE FLOW g AS AUTO CDC INTO t FROM STREAM s KEYS (id)\n"
           "  TRACK HISTORY ON * EXCEPT (w, \"x y\")\n"
           "  STORED AS SCD TYPE 2\n"
           "  SEQUENCE BY (SELECT max(ts) FROM (SELECT 1 AS keys, 2 AS columns) WHERE keys = 1)\n"
           "  COLUMNS id, v, w\n"
           "  APPLY AS DELETE WHEN op = 'D'";
    s = parse_one(&p, text);
    c = s->cdc;
    assert_string_equal(s->refs.v[0].name, "s");
    assert_int_equal(s->refs.v[0].off, pos(text, "STREAM s"));
    assert_int_equal(s->refs.v[0].end, pos(text, "s KEYS") + 1);
    assert_int_equal(c->scd_type, 2);
    assert_true(c->track_set);
    assert_true(c->track_except);
    assert_strvec(&c->track, "w x y");
    assert_span(text, c->seq_off, c->seq_len,
                "(SELECT max(ts) FROM (SELECT 1 AS keys, 2 AS columns) WHERE keys = 1)");
    assert_strvec(&c->columns, "id v w");
    assert_false(c->columns_except);
    assert_span(text, c->delete_off, c->delete_len, "op = 'D'");
    parsed_free(&p);

    /* TRACK HISTORY ON a list */
    text = "CREATE FLOW g AS AUTO CDC INTO t FROM STREAM(s) KEYS (a, b) SEQUENCE BY ts "
           "STORED AS SCD TYPE 2 TRACK HISTORY ON v, w;";
    s = parse_one(&p, text);
    assert_strvec(&s->cdc->keys, "a b");
    assert_strvec(&s->cdc->track, "v w");
    assert_false(s->cdc->track_except);
    assert_true(s->cdc->track_set);
    assert_span(text, s->cdc->seq_off, s->cdc->seq_len, "ts");
    parsed_free(&p);
}

static void test_parse_spellings(void **state)
{
    (void)state;
    /* the older spelling in a flow */
    const char *text = "CREATE FLOW h AS APPLY CHANGES INTO LIVE.t FROM STREAM(LIVE.s) "
                       "KEYS (id) SEQUENCE BY ts;";
    parsed p;
    const sql_stmt *s = parse_one(&p, text);
    assert_string_equal(s->name, "h");
    assert_string_equal(s->target, "t");
    assert_int_equal(s->target_off, pos(text, "t FROM"));
    assert_string_equal(s->refs.v[0].name, "s");
    assert_true(s->refs.v[0].live);
    assert_null(s->refs.v[0].schema);
    assert_int_equal(s->refs.v[0].name_off, pos(text, "s)"));
    parsed_free(&p);

    /* written alone: a flow named after its target, at the first word */
    const char *alone[] = {
        "  AUTO CDC INTO tt FROM STREAM(s) KEYS (id) SEQUENCE BY ts;",
        "  APPLY CHANGES INTO tt FROM STREAM(s) KEYS (id) SEQUENCE BY ts;",
    };
    for (int i = 0; i < 2; i++) {
        s = parse_one(&p, alone[i]);
        assert_int_equal(s->kind, SQL_FLOW);
        assert_string_equal(s->name, "tt");
        assert_int_equal(s->name_off, 2);
        assert_string_equal(s->target, "tt");
        assert_int_equal(s->target_off, pos(alone[i], "tt"));
        assert_int_equal(s->span_off, 2);
        assert_int_equal(s->span_len, strlen(alone[i]) - 2);
        parsed_free(&p);
    }

    /* among other statements, each with its own span */
    text = "CREATE STREAMING TABLE t;\n"
           "AUTO CDC INTO t FROM STREAM(s) KEYS (id) SEQUENCE BY ts;\n"
           "CREATE MATERIALIZED VIEW m AS SELECT * FROM t;\n";
    memset(&p, 0, sizeof(p));
    p.rc = sql_parse(text, strlen(text), &p.stmts, &p.broken, on_parse_error, &p.errors);
    assert_string_equal(sb_str(&p.errors), "");
    assert_int_equal(p.stmts.n, 3);
    assert_null(p.stmts.v[0].cdc);
    assert_non_null(p.stmts.v[1].cdc);
    assert_null(p.stmts.v[2].cdc);
    assert_span(text, p.stmts.v[1].span_off, p.stmts.v[1].span_len,
                "AUTO CDC INTO t FROM STREAM(s) KEYS (id) SEQUENCE BY ts;");
    parsed_free(&p);
}

static void test_parse_errors(void **state)
{
    (void)state;
    const char *head = "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(s) ";
    char *t;
#define ERR(tail, needle, delta, msg, broken)                                                \
    do {                                                                                     \
        t = xasprintf("%s%s", head, tail);                                                   \
        assert_parse_error(t, needle, delta, msg, broken);                                   \
        free(t);                                                                             \
    } while (0)
    /* KEYS */
    ERR("SEQUENCE BY ts KEYS (id)", "SEQUENCE", 0,
        "expected KEYS (...), found 'SEQUENCE'", "f");
    ERR("", NULL, 0, "expected KEYS (...), found end of statement", "f");
    ERR("KEYS id SEQUENCE BY ts", "id", 0, "expected '(', found 'id'", "f");
    ERR("KEYS () SEQUENCE BY ts", "()", 1, "expected a column name, found ')'", "f");
    ERR("KEYS (a b) SEQUENCE BY ts", "b)", 0, "expected ')', found 'b'", "f");
    /* SEQUENCE BY */
    ERR("KEYS (id) APPLY AS DELETE WHEN op = 'D'", "'D'", 0,
        "AUTO CDC needs SEQUENCE BY: the column that orders the change events", "f");
    ERR("KEYS (id);", "id)", 2,
        "AUTO CDC needs SEQUENCE BY: the column that orders the change events", "f");
    ERR("KEYS (id) SEQUENCE BY STORED AS SCD TYPE 2", "STORED", 0,
        "expected a sequencing column, found 'STORED'", "f");
    ERR("KEYS (id) SEQUENCE ts", "ts", 0, "expected BY, found 'ts'", "f");
    ERR("KEYS (id) SEQUENCE BY", "BY", 2, "expected a sequencing column, found end of statement",
        "f");
    /* STORED AS */
    ERR("KEYS (id) SEQUENCE BY ts STORED AS SCD TYPE 3", "3", 0,
        "expected 1 or 2, found '3'", "f");
    ERR("KEYS (id) SEQUENCE BY ts STORED AS SCD TYPE 12", "12", 0,
        "expected 1 or 2, found '12'", "f");
    ERR("KEYS (id) SEQUENCE BY ts STORED AS SCD TYPE two", "two", 0,
        "expected 1 or 2, found 'two'", "f");
    ERR("KEYS (id) SEQUENCE BY ts STORED AS TYPE 2", "TYPE", 0, "expected SCD, found 'TYPE'",
        "f");
    ERR("KEYS (id) SEQUENCE BY ts STORED SCD TYPE 2", "SCD", 0, "expected AS, found 'SCD'", "f");
    /* TRACK HISTORY and TRUNCATE against the SCD type */
    ERR("KEYS (id) SEQUENCE BY ts TRACK HISTORY ON v", "v", 0,
        "TRACK HISTORY ON goes with STORED AS SCD TYPE 2", "f");
    ERR("KEYS (id) TRACK HISTORY ON v SEQUENCE BY ts STORED AS SCD TYPE 1", "1", 0,
        "TRACK HISTORY ON goes with STORED AS SCD TYPE 2", "f");
    ERR("KEYS (id) APPLY AS TRUNCATE WHEN op = 'T' SEQUENCE BY ts STORED AS SCD TYPE 2", "2", 0,
        "APPLY AS TRUNCATE WHEN is for SCD TYPE 1 only", "f");
    ERR("KEYS (id) SEQUENCE BY ts STORED AS SCD TYPE 2 TRACK HISTORY v", "v", 0,
        "expected ON, found 'v'", "f");
    ERR("KEYS (id) SEQUENCE BY ts STORED AS SCD TYPE 2 TRACK HISTORY ON * (v)", "(v", 0,
        "expected EXCEPT, found '('", "f");
    /* APPLY AS, IGNORE, COLUMNS, unknown clauses */
    ERR("KEYS (id) APPLY AS UPDATE WHEN x SEQUENCE BY ts", "UPDATE", 0,
        "expected DELETE or TRUNCATE, found 'UPDATE'", "f");
    ERR("KEYS (id) APPLY DELETE WHEN x SEQUENCE BY ts", "DELETE", 0,
        "expected AS, found 'DELETE'", "f");
    ERR("KEYS (id) APPLY AS DELETE op = 'D' SEQUENCE BY ts", "op", 0,
        "expected WHEN, found 'op'", "f");
    ERR("KEYS (id) APPLY AS DELETE WHEN SEQUENCE BY ts", "SEQUENCE", 0,
        "expected a condition, found 'SEQUENCE'", "f");
    ERR("KEYS (id) IGNORE NULL SEQUENCE BY ts", "SEQUENCE", 0,
        "expected UPDATES, found 'SEQUENCE'", "f");
    ERR("KEYS (id) IGNORE NULLS UPDATES SEQUENCE BY ts", "NULLS", 0,
        "expected NULL, found 'NULLS'", "f");
    ERR("KEYS (id) SEQUENCE BY ts COLUMNS * (op)", "(op", 0, "expected EXCEPT, found '('", "f");
    ERR("KEYS (id) SEQUENCE BY ts COLUMNS", "COLUMNS", 7,
        "expected a column name or * EXCEPT (...), found end of statement", "f");
    ERR("KEYS (id) SEQUENCE BY ts COLUMNS a,", ",", 1,
        "expected a column name or * EXCEPT (...), found end of statement", "f");
    ERR("KEYS (id) SEQUENCE BY ts COLUMNS a b", "b", 0,
        "expected SEQUENCE BY, APPLY AS, COLUMNS, STORED AS or TRACK HISTORY ON, found 'b'",
        "f");
    ERR("KEYS (id) WHERE x = 1 SEQUENCE BY ts", "WHERE", 0,
        "expected SEQUENCE BY, APPLY AS, COLUMNS, STORED AS or TRACK HISTORY ON, found 'WHERE'",
        "f");
#undef ERR
    /* the source must be a STREAM read of a table */
    assert_parse_error("CREATE FLOW f AS AUTO CDC INTO t FROM s KEYS (id) SEQUENCE BY ts;",
                       "s KEYS", 0, "expected STREAM(source): AUTO CDC reads its source "
                       "incrementally, found 's'", "f");
    assert_parse_error("CREATE FLOW f AS AUTO CDC INTO t STREAM(s) KEYS (id) SEQUENCE BY ts;",
                       "STREAM", 0, "expected FROM, found 'STREAM'", "f");
    assert_parse_error("CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(s KEYS (id) SEQUENCE BY ts",
                       "KEYS", 0, "expected ')', found 'KEYS'", "f");
    assert_parse_error("CREATE FLOW f AS AUTO CDC INTO t FROM STREAM() KEYS (id) SEQUENCE BY ts",
                       "()", 1, "expected a source table, found ')'", "f");
    assert_parse_error("CREATE FLOW f AS AUTO CDC t FROM STREAM(s) KEYS (id) SEQUENCE BY ts",
                       "t FROM", 0, "expected INTO, found 't'", "f");
    assert_parse_error("CREATE FLOW f AS AUTO INTO t FROM STREAM(s) KEYS (id) SEQUENCE BY ts",
                       "INTO", 0, "expected CDC, found 'INTO'", "f");
    assert_parse_error("CREATE FLOW f AS APPLY INTO t FROM STREAM(s) KEYS (id) SEQUENCE BY ts",
                       "INTO", 0, "expected CHANGES, found 'INTO'", "f");
    assert_parse_error("CREATE FLOW f AS AUTO CDC INTO FROM STREAM(s) KEYS (id) SEQUENCE BY ts",
                       "FROM", 0, "expected a target table, found 'FROM'", "f");
    /* written alone, a broken flow has no name to report as broken */
    assert_parse_error("AUTO CDC INTO t FROM STREAM(s) KEYS (id)", "id)", 2,
                       "AUTO CDC needs SEQUENCE BY: the column that orders the change events",
                       "");
    assert_parse_error("APPLY CHANGES INTO t FROM s KEYS (id) SEQUENCE BY ts", "s KEYS", 0,
                       "expected STREAM(source): AUTO CDC reads its source incrementally, "
                       "found 's'", "");
}

/* ================================================================ fixture */

typedef ts_project fx;

#define F "transformations/p.sql"

static void pipeline(const fx *f, const char *sql)
{
    assert_int_equal(ts_write_file(f->dir, F, sql), 0);
}

static void wh_sql(const fx *f, const char *sql)
{
    if (ts_sql_exec(f->wh, sql) != 0) fail_msg("SQL failed: %s", sql);
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

/* Every row of a query on the warehouse: columns joined by ',', rows by
 * "; ", NULL as '-' (caller frees). */
static char *dump(const fx *f, const char *sql)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(f->wh, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("cannot open %s", f->wh);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    sb b = {0};
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (rows++) sb_add(&b, "; ");
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            if (i) sb_addc(&b, ',');
            const char *v = (const char *)sqlite3_column_text(st, i);
            sb_add(&b, v ? v : "-");
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return sb_take(&b);
}

static void assert_rows(const fx *f, const char *sql, const char *want)
{
    char *got = dump(f, sql);
    if (strcmp(got, want)) fail_msg("%s\n got: %s\nwant: %s", sql, got, want);
    free(got);
}

/* "a,b,c": the column names of a warehouse table. */
static char *columns_of(const fx *f, const char *table)
{
    char *sql = xasprintf("SELECT group_concat(name, ',') FROM (SELECT name FROM "
                          "pragma_table_info('%s') ORDER BY cid)", table);
    char *got = dump(f, sql);
    free(sql);
    return got;
}

static void assert_columns(const fx *f, const char *table, const char *want)
{
    char *got = columns_of(f, table);
    if (strcmp(got, want)) fail_msg("columns of %s\n got: %s\nwant: %s", table, got, want);
    free(got);
}

/* ---------------------------------------------------------------- running */

typedef struct run_out {
    upd_state state;
    char *error;
    VEC(char *) flows;   /* "flow\tdetails" of every flow_progress event */
} run_out;

static void on_event(void *ctx, const evl_event *e)
{
    run_out *r = ctx;
    if (strcmp(e->type, "flow_progress") || !e->flow || !e->details) return;
    VEC_PUSH(&r->flows, xasprintf("%s\t%s", e->flow, e->details));
}

static void run_free(run_out *r)
{
    for (size_t i = 0; i < r->flows.n; i++) free(r->flows.v[i]);
    VEC_FREE(&r->flows);
    free(r->error);
    memset(r, 0, sizeof(*r));
}

static upd_state run_with(const fx *f, const upd_options *o, run_out *r)
{
    memset(r, 0, sizeof(*r));
    upd_listener l = {on_event, NULL, r};
    upd *u = upd_new(f->dir, NULL, o, &l);
    r->state = upd_run(u);
    r->error = upd_error(u) ? xstrdup(upd_error(u)) : NULL;
    upd_free(u);
    return r->state;
}

static void run_ok_with(const fx *f, const upd_options *o, run_out *r)
{
    if (run_with(f, o, r) != UPD_COMPLETED)
        fail_msg("update %s: %s", upd_state_name(r->state), r->error ? r->error : "");
}

static void run_ok(const fx *f, run_out *r)
{
    run_ok_with(f, NULL, r);
}

/* Runs, expects COMPLETED, forgets the events. */
static void run_quiet(const fx *f)
{
    run_out r;
    run_ok(f, &r);
    run_free(&r);
}

/* The flow_progress object of flow's last event (caller deletes *root). */
static const cJSON *flow_progress(const run_out *r, const char *flow, cJSON **root)
{
    const char *found = NULL;
    size_t n = strlen(flow);
    for (size_t i = 0; i < r->flows.n; i++)
        if (!strncmp(r->flows.v[i], flow, n) && r->flows.v[i][n] == '\t')
            found = r->flows.v[i] + n + 1;
    if (!found) fail_msg("no flow_progress event of %s", flow);
    *root = cJSON_Parse(found);
    if (!*root) fail_msg("bad JSON: %s", found);
    const cJSON *fp = cJSON_GetObjectItemCaseSensitive(*root, "flow_progress");
    if (!fp) fail_msg("no flow_progress in %s", found);
    return fp;
}

/* "events upserts deletes ignored truncates" of the flow's last event. */
static char *cdc_metrics_of(const run_out *r, const char *flow)
{
    cJSON *root;
    const cJSON *fp = flow_progress(r, flow, &root);
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(fp, "cdc");
    if (!cJSON_IsObject(c)) fail_msg("no cdc metrics for %s", flow);
    static const char *const names[] = {"events", "upserts", "deletes", "ignored", "truncates"};
    sb b = {0};
    for (int i = 0; i < 5; i++) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, names[i]);
        if (!cJSON_IsNumber(n)) fail_msg("cdc.%s missing", names[i]);
        sb_addf(&b, "%s%s=%lld", i ? " " : "", names[i], (long long)n->valuedouble);
    }
    cJSON_Delete(root);
    return sb_take(&b);
}

static void assert_cdc(const run_out *r, const char *flow, const char *want)
{
    char *got = cdc_metrics_of(r, flow);
    if (strcmp(got, want)) fail_msg("cdc metrics of %s\n got: %s\nwant: %s", flow, got, want);
    free(got);
}

static void assert_status(const run_out *r, const char *flow, const char *want)
{
    cJSON *root;
    const cJSON *fp = flow_progress(r, flow, &root);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(fp, "status");
    if (!cJSON_IsString(st) || strcmp(st->valuestring, want))
        fail_msg("flow %s: status %s, want %s", flow, cJSON_IsString(st) ? st->valuestring : "?",
                 want);
    cJSON_Delete(root);
}

static bool up_to_date(const run_out *r, const char *flow)
{
    cJSON *root;
    const cJSON *fp = flow_progress(r, flow, &root);
    bool yes = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fp, "up_to_date"));
    cJSON_Delete(root);
    return yes;
}

static long long num_output_rows(const run_out *r, const char *flow)
{
    cJSON *root;
    const cJSON *fp = flow_progress(r, flow, &root);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(fp, "metrics");
    const cJSON *n = m ? cJSON_GetObjectItemCaseSensitive(m, "num_output_rows") : NULL;
    long long v = cJSON_IsNumber(n) ? (long long)n->valuedouble : -1;
    cJSON_Delete(root);
    return v;
}

static long long checkpoint(const fx *f, const char *flow)
{
    return whi(f, "SELECT position FROM _tarn_checkpoints WHERE flow = '%s'", flow);
}

static char *meta_of(const fx *f, const char *name)
{
    char *sql = xasprintf("SELECT version, generation, rows FROM _tarn_datasets WHERE "
                          "name = '%s'", name);
    char *s = dump(f, sql);
    free(sql);
    return s;
}

/* ================================================================ SCD type 1 */

/* src(id, v, w, op, ts): op 'D' deletes, 'T' truncates; ts orders. */
#define SRC "CREATE TABLE src(id INT, v TEXT, w INT, op TEXT, ts INT);"
#define T1 "SELECT id, v, w, ts FROM t ORDER BY id"
#define S1 "SELECT id, __seq, __deleted FROM _tarn_cdc_f ORDER BY id"

static const char *SCD1 =
    "CREATE STREAMING TABLE t;\n"
    "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src) KEYS (id)\n"
    "  APPLY AS DELETE WHEN op = 'D' SEQUENCE BY ts COLUMNS * EXCEPT (op);\n";

static void test_scd1_upsert_delete(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC "INSERT INTO src VALUES (1, 'a', 10, 'I', 1), (2, 'b', 20, 'I', 1),"
              " (3, 'c', 30, 'I', 1);");
    pipeline(f, SCD1);
    run_out r;
    run_ok(f, &r);
    assert_status(&r, "f", "COMPLETED");
    assert_cdc(&r, "f", "events=3 upserts=3 deletes=0 ignored=0 truncates=0");
    assert_int_equal(num_output_rows(&r, "f"), 3);
    run_free(&r);
    assert_columns(f, "t", "id,v,w,ts");
    assert_rows(f, T1, "1,a,10,1; 2,b,20,1; 3,c,30,1");
    assert_rows(f, S1, "1,1,0; 2,1,0; 3,1,0");
    assert_int_equal(checkpoint(f, "f"), 3);

    /* update one, delete one, insert one, delete one that never was */
    wh_sql(f, "INSERT INTO src VALUES (1, 'a2', 11, 'U', 2), (2, NULL, NULL, 'D', 2),"
              " (4, 'd', 40, 'I', 2), (9, NULL, NULL, 'D', 2);");
    run_ok(f, &r);
    assert_cdc(&r, "f", "events=4 upserts=2 deletes=2 ignored=0 truncates=0");
    run_free(&r);
    assert_rows(f, T1, "1,a2,11,2; 3,c,30,1; 4,d,40,2");
    assert_rows(f, S1, "1,2,0; 2,2,1; 3,1,0; 4,2,0; 9,2,1");
    assert_int_equal(checkpoint(f, "f"), 7);
    assert_int_equal(whi(f, "SELECT rows FROM _tarn_datasets WHERE name = 't'"), 3);
    assert_int_equal(whi(f, "SELECT version FROM _tarn_datasets WHERE name = 't'"), 2);

    /* a downstream view sees the current rows */
    pipeline(f, "CREATE STREAMING TABLE t;\n"
                "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src) KEYS (id)\n"
                "  APPLY AS DELETE WHEN op = 'D' SEQUENCE BY ts COLUMNS * EXCEPT (op);\n"
                "CREATE MATERIALIZED VIEW total AS SELECT sum(w) AS w FROM t;\n");
    run_ok(f, &r);
    assert_true(up_to_date(&r, "f"));
    run_free(&r);
    assert_rows(f, "SELECT w FROM total", "81");
}

static void test_scd1_out_of_order(void **state)
{
    fx *f = *state;
    /* within one batch: the highest sequence wins whatever the arrival order */
    wh_sql(f, SRC "INSERT INTO src VALUES (1, 'x', 1, 'I', 3), (1, 'y', 2, 'U', 1),"
              " (1, 'z', 3, 'U', 2), (2, 'p', 1, 'I', 5), (2, NULL, NULL, 'D', 4);");
    pipeline(f, SCD1);
    run_out r;
    run_ok(f, &r);
    assert_cdc(&r, "f", "events=5 upserts=2 deletes=0 ignored=0 truncates=0");
    run_free(&r);
    assert_rows(f, T1, "1,x,1,3; 2,p,1,5");
    /* across batches: older than what the target holds is ignored */
    wh_sql(f, "INSERT INTO src VALUES (1, 'old', 0, 'U', 2), (2, NULL, NULL, 'D', 1);");
    run_ok(f, &r);
    assert_cdc(&r, "f", "events=2 upserts=0 deletes=0 ignored=2 truncates=0");
    run_free(&r);
    assert_rows(f, T1, "1,x,1,3; 2,p,1,5");
    assert_rows(f, S1, "1,3,0; 2,5,0");
    /* newer ones apply, in any order within the batch */
    wh_sql(f, "INSERT INTO src VALUES (1, 'n2', 5, 'U', 5), (1, 'n1', 4, 'U', 4),"
              " (2, 'q', 2, 'U', 6);");
    run_ok(f, &r);
    assert_cdc(&r, "f", "events=3 upserts=2 deletes=0 ignored=0 truncates=0");
    run_free(&r);
    assert_rows(f, T1, "1,n2,5,5; 2,q,2,6");
    assert_rows(f, S1, "1,5,0; 2,6,0");
}

static void test_scd1_duplicates(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC "INSERT INTO src VALUES (1, 'a', 1, 'I', 1), (1, 'a', 1, 'I', 1),"
              " (2, 'b', 2, 'I', 1), (2, NULL, NULL, 'D', 2), (2, NULL, NULL, 'D', 2);");
    pipeline(f, SCD1);
    run_out r;
    run_ok(f, &r);
    assert_cdc(&r, "f", "events=5 upserts=1 deletes=1 ignored=0 truncates=0");
    run_free(&r);
    assert_rows(f, T1, "1,a,1,1");
    char *meta = meta_of(f, "t");
    /* the same events again: nothing changes, not even the table's version */
    wh_sql(f, "INSERT INTO src VALUES (1, 'a', 1, 'I', 1), (2, NULL, NULL, 'D', 2),"
              " (1, 'a', 1, 'I', 1);");
    run_ok(f, &r);
    assert_cdc(&r, "f", "events=3 upserts=0 deletes=0 ignored=2 truncates=0");
    run_free(&r);
    assert_rows(f, T1, "1,a,1,1");
    assert_rows(f, S1, "1,1,0; 2,2,1");
    char *meta2 = meta_of(f, "t");
    assert_string_equal(meta, meta2);
    free(meta);
    free(meta2);
}

static void test_scd1_delete_then_late_events(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC "INSERT INTO src VALUES (1, 'a', 1, 'I', 1), (2, 'b', 1, 'I', 1);");
    pipeline(f, SCD1);
    run_quiet(f);
    wh_sql(f, "INSERT INTO src VALUES (1, NULL, NULL, 'D', 5);");
    run_quiet(f);
    assert_rows(f, T1, "2,b,1,1");
    /* a late upsert older than the delete: the key stays deleted */
    wh_sql(f, "INSERT INTO src VALUES (1, 'late', 3, 'U', 3);");
    run_out r;
    run_ok(f, &r);
    assert_cdc(&r, "f", "events=1 upserts=0 deletes=0 ignored=1 truncates=0");
    run_free(&r);
    assert_rows(f, T1, "2,b,1,1");
    assert_rows(f, S1, "1,5,1; 2,1,0");
    /* the same within one batch */
    wh_sql(f, "INSERT INTO src VALUES (3, 'a', 1, 'I', 1), (3, NULL, NULL, 'D', 5),"
              " (3, 'late', 3, 'U', 3);");
    run_quiet(f);
    assert_rows(f, T1, "2,b,1,1");
    /* an upsert newer than the delete brings the key back */
    wh_sql(f, "INSERT INTO src VALUES (1, 'back', 6, 'U', 6), (3, 'back', 7, 'U', 7);");
    run_ok(f, &r);
    assert_cdc(&r, "f", "events=2 upserts=2 deletes=0 ignored=0 truncates=0");
    run_free(&r);
    assert_rows(f, T1, "1,back,6,6; 2,b,1,1; 3,back,7,7");
    assert_rows(f, S1, "1,6,0; 2,1,0; 3,7,0");
    /* and a delete again, with its late upsert in the same batch */
    wh_sql(f, "INSERT INTO src VALUES (1, 'later', 8, 'U', 7), (1, NULL, NULL, 'D', 9);");
    run_quiet(f);
    assert_rows(f, T1, "2,b,1,1; 3,back,7,7");
}

static void test_scd1_null_key_or_sequence_ignored(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC "INSERT INTO src VALUES (NULL, 'a', 1, 'I', 1), (1, 'b', 1, 'I', NULL),"
              " (2, 'c', 1, 'I', 1), (NULL, NULL, NULL, 'D', 2), (2, NULL, NULL, 'D', NULL);");
    pipeline(f, SCD1);
    run_out r;
    run_ok(f, &r);
    assert_cdc(&r, "f", "events=5 upserts=1 deletes=0 ignored=4 truncates=0");
    run_free(&r);
    assert_rows(f, T1, "2,c,1,1");
    assert_rows(f, S1, "2,1,0");
}

static void test_scd1_composite_keys(void **state)
{
    fx *f = *state;
    wh_sql(f, "CREATE TABLE src(region TEXT, id INT, v TEXT, op TEXT, ts INT);"
              "INSERT INTO src VALUES ('eu', 1, 'a', 'I', 1), ('us', 1, 'b', 'I', 1),"
              " ('eu', 2, 'c', 'I', 1), (NULL, 3, 'x', 'I', 1), ('eu', NULL, 'y', 'I', 1);");
    pipeline(f, "CREATE STREAMING TABLE t;\n"
                "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src) KEYS (region, id)\n"
                "  APPLY AS DELETE WHEN op = 'D' SEQUENCE BY ts COLUMNS * EXCEPT (op);\n");
    run_out r;
    run_ok(f, &r);
    assert_cdc(&r, "f", "events=5 upserts=3 deletes=0 ignored=2 truncates=0");
    run_free(&r);
    const char *q = "SELECT region, id, v, ts FROM t ORDER BY region, id";
    assert_rows(f, q, "eu,1,a,1; eu,2,c,1; us,1,b,1");
    wh_sql(f, "INSERT INTO src VALUES ('eu', 1, 'a2', 'U', 2), ('us', 1, NULL, 'D', 2),"
              " ('us', 2, 'e', 'I', 1), ('eu', 2, 'old', 'U', 0);");
    run_ok(f, &r);
    assert_cdc(&r, "f", "events=4 upserts=2 deletes=1 ignored=1 truncates=0");
    run_free(&r);
    assert_rows(f, q, "eu,1,a2,2; eu,2,c,1; us,2,e,1");
    assert_rows(f, "SELECT region, id, __seq, __deleted FROM _tarn_cdc_f ORDER BY region, id",
                "eu,1,2,0; eu,2,1,0; us,1,2,1; us,2,1,0");
    /* one key alone does not identify a row */
    wh_sql(f, "INSERT INTO src VALUES ('us', 1, 'again', 'I', 3);");
    run_quiet(f);
    assert_rows(f, q, "eu,1,a2,2; eu,2,c,1; us,1,again,3; us,2,e,1");
}

static void test_scd1_columns_choice(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC "INSERT INTO src VALUES (1, 'a', 10, 'I', 1), (1, 'b', 20, 'I', 2);");
    pipeline(f, "CREATE STREAMING TABLE t1;\nCREATE STREAMING TABLE t2;\n"
                "CREATE FLOW f1 AS AUTO CDC INTO t1 FROM STREAM(src) KEYS (id)\n"
                "  SEQUENCE BY ts COLUMNS v, id;\n"
                "CREATE FLOW f2 AS AUTO CDC INTO t2 FROM STREAM(src) KEYS (id)\n"
                "  SEQUENCE BY ts COLUMNS * EXCEPT (op, ts);\n");
    run_quiet(f);
    /* the target keeps the source's column order */
    assert_columns(f, "t1", "id,v");
    assert_columns(f, "t2", "id,v,w");
    assert_rows(f, "SELECT * FROM t1", "1,b");
    assert_rows(f, "SELECT * FROM t2", "1,b,20");
    /* a column the source adds later reaches the target, unless left out */
    wh_sql(f, "ALTER TABLE src ADD COLUMN extra TEXT;"
              "INSERT INTO src VALUES (2, 'c', 30, 'I', 1, 'x');");
    run_quiet(f);
    assert_columns(f, "t1", "id,v");
    assert_columns(f, "t2", "id,v,w,extra");
    assert_rows(f, "SELECT * FROM t1 ORDER BY id", "1,b; 2,c");
    assert_rows(f, "SELECT * FROM t2 ORDER BY id", "1,b,20,-; 2,c,30,x");
}

static void test_scd1_ignore_null_updates(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC "INSERT INTO src VALUES (1, 'a', 10, 'I', 1);");
    pipeline(f, "CREATE STREAMING TABLE t;\n"
                "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src) KEYS (id)\n"
                "  IGNORE NULL UPDATES APPLY AS DELETE WHEN op = 'D' SEQUENCE BY ts\n"
                "  COLUMNS * EXCEPT (op);\n");
    run_quiet(f);
    /* across batches: a NULL keeps the value the row has */
    wh_sql(f, "INSERT INTO src VALUES (1, NULL, 20, 'U', 2);");
    run_quiet(f);
    assert_rows(f, T1, "1,a,20,2");
    wh_sql(f, "INSERT INTO src VALUES (1, 'b', NULL, 'U', 3);");
    run_quiet(f);
    assert_rows(f, T1, "1,b,20,3");
    /* within one batch: each event in its turn */
    wh_sql(f, "INSERT INTO src VALUES (2, 'y', NULL, 'U', 3), (2, 'x', 1, 'I', 1),"
              " (2, NULL, 2, 'U', 2);");
    run_quiet(f);
    assert_rows(f, T1, "1,b,20,3; 2,y,2,3");
    /* a delete in between: the row starts over, earlier values are gone */
    wh_sql(f, "INSERT INTO src VALUES (3, 'x', 1, 'I', 1), (3, NULL, NULL, 'D', 2),"
              " (3, NULL, 5, 'U', 3), (1, NULL, NULL, 'D', 4), (1, NULL, 7, 'U', 5);");
    run_quiet(f);
    assert_rows(f, T1, "1,-,7,5; 2,y,2,3; 3,-,5,3");
    /* a new key with NULLs gets them */
    wh_sql(f, "INSERT INTO src VALUES (4, NULL, 1, 'I', 1);");
    run_quiet(f);
    assert_rows(f, T1, "1,-,7,5; 2,y,2,3; 3,-,5,3; 4,-,1,1");
}

static void test_scd1_truncate(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC "INSERT INTO src VALUES (1, 'a', 1, 'I', 1), (2, 'b', 2, 'I', 2);");
    pipeline(f, "CREATE STREAMING TABLE t;\n"
                "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src) KEYS (id)\n"
                "  APPLY AS DELETE WHEN op = 'D' APPLY AS TRUNCATE WHEN op = 'T'\n"
                "  SEQUENCE BY ts COLUMNS * EXCEPT (op);\n");
    run_quiet(f);
    assert_rows(f, T1, "1,a,1,1; 2,b,2,2");
    /* a truncate event usually has no key: it empties the table; only events
     * after it stay */
    wh_sql(f, "INSERT INTO src VALUES (NULL, NULL, NULL, 'T', 3), (3, 'c', 3, 'I', 4),"
              " (1, 'old', 0, 'U', 2);");
    run_out r;
    run_ok(f, &r);
    assert_cdc(&r, "f", "events=3 upserts=1 deletes=0 ignored=0 truncates=1");
    run_free(&r);
    assert_rows(f, T1, "3,c,3,4");
    assert_rows(f, S1, "3,4,0");
    /* a truncate with a key is a truncate too */
    wh_sql(f, "INSERT INTO src VALUES (5, 'e', 5, 'I', 6), (3, NULL, NULL, 'T', 5);");
    run_ok(f, &r);
    assert_cdc(&r, "f", "events=2 upserts=1 deletes=0 ignored=0 truncates=1");
    run_free(&r);
    assert_rows(f, T1, "5,e,5,6");
}

/* The example of the Lakeflow documentation, with its TRUNCATE line. */
static void test_scd1_truncate_documentation_example(void **state)
{
    fx *f = *state;
    wh_sql(f, "CREATE TABLE users(userId INT, name TEXT, city TEXT, operation TEXT,"
              " sequenceNum INT);"
              "INSERT INTO users VALUES (124, 'Raul', 'Oaxaca', 'INSERT', 1),"
              " (123, 'Isabel', 'Monterrey', 'INSERT', 1),"
              " (125, 'Mercedes', 'Tijuana', 'INSERT', 2),"
              " (126, 'Lily', 'Cancun', 'INSERT', 2),"
              " (123, NULL, NULL, 'DELETE', 6),"
              " (125, 'Mercedes', 'Guadalajara', 'UPDATE', 6),"
              " (125, 'Mercedes', 'Mexicali', 'UPDATE', 5),"
              " (123, 'Isabel', 'Chihuahua', 'UPDATE', 5),"
              " (NULL, NULL, NULL, 'TRUNCATE', 3);");
    pipeline(f, "CREATE OR REFRESH STREAMING TABLE target;\n"
                "CREATE FLOW users_flow AS AUTO CDC INTO target FROM stream(users)\n"
                "  KEYS (userId)\n"
                "  APPLY AS DELETE WHEN operation = 'DELETE'\n"
                "  APPLY AS TRUNCATE WHEN operation = 'TRUNCATE'\n"
                "  SEQUENCE BY sequenceNum\n"
                "  COLUMNS * EXCEPT (operation, sequenceNum)\n"
                "  STORED AS SCD TYPE 1;\n");
    run_quiet(f);
    assert_rows(f, "SELECT * FROM target ORDER BY userId", "125,Mercedes,Guadalajara");
}

/* ================================================================ SCD type 2 */

#define T2 "SELECT id, v, __START_AT, __END_AT FROM t ORDER BY id, __START_AT"

static const char *SCD2 =
    "CREATE STREAMING TABLE t;\n"
    "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src) KEYS (id)\n"
    "  APPLY AS DELETE WHEN op = 'D' SEQUENCE BY ts COLUMNS id, v\n"
    "  STORED AS SCD TYPE 2;\n";

static void test_scd2_versions(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC "INSERT INTO src VALUES (1, 'a', 0, 'I', 1), (2, 'b', 0, 'I', 1);");
    pipeline(f, SCD2);
    run_out r;
    run_ok(f, &r);
    assert_cdc(&r, "f", "events=2 upserts=2 deletes=0 ignored=0 truncates=0");
    run_free(&r);
    assert_columns(f, "t", "id,v,__START_AT,__END_AT");
    assert_rows(f, T2, "1,a,1,-; 2,b,1,-");
    wh_sql(f, "INSERT INTO src VALUES (1, 'a2', 0, 'U', 3);");
    run_quiet(f);
    assert_rows(f, T2, "1,a,1,3; 1,a2,3,-; 2,b,1,-");
    wh_sql(f, "INSERT INTO src VALUES (1, 'a3', 0, 'U', 5), (2, NULL, 0, 'D', 4);");
    run_ok(f, &r);
    assert_cdc(&r, "f", "events=2 upserts=4 deletes=1 ignored=0 truncates=0");
    run_free(&r);
    assert_rows(f, T2, "1,a,1,3; 1,a2,3,5; 1,a3,5,-; 2,b,1,4");
    assert_rows(f, "SELECT id, __seq, __deleted FROM _tarn_cdc_f ORDER BY id, __seq", "2,4,1");
    assert_int_equal(whi(f, "SELECT rows FROM _tarn_datasets WHERE name = 't'"), 4);
    /* NULL keys and sequences are ignored here too */
    wh_sql(f, "INSERT INTO src VALUES (NULL, 'x', 0, 'I', 9), (1, 'y', 0, 'U', NULL);");
    run_ok(f, &r);
    assert_cdc(&r, "f", "events=2 upserts=0 deletes=0 ignored=2 truncates=0");
    run_free(&r);
    assert_rows(f, T2, "1,a,1,3; 1,a2,3,5; 1,a3,5,-; 2,b,1,4");
}

static void test_scd2_out_of_order(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC "INSERT INTO src VALUES (1, 'c', 0, 'U', 5), (1, 'a', 0, 'I', 1);");
    pipeline(f, SCD2);
    run_quiet(f);
    assert_rows(f, T2, "1,a,1,5; 1,c,5,-");
    /* in the middle of history, in a later batch */
    wh_sql(f, "INSERT INTO src VALUES (1, 'b', 0, 'U', 3);");
    run_quiet(f);
    assert_rows(f, T2, "1,a,1,3; 1,b,3,5; 1,c,5,-");
    /* before all of it */
    wh_sql(f, "INSERT INTO src VALUES (1, 'z', 0, 'I', 0);");
    run_quiet(f);
    assert_rows(f, T2, "1,z,0,1; 1,a,1,3; 1,b,3,5; 1,c,5,-");
    /* after it, reversed within the batch */
    wh_sql(f, "INSERT INTO src VALUES (1, 'e', 0, 'U', 9), (1, 'd', 0, 'U', 7);");
    run_quiet(f);
    assert_rows(f, T2, "1,z,0,1; 1,a,1,3; 1,b,3,5; 1,c,5,7; 1,d,7,9; 1,e,9,-");
    /* a late event with the values of the version it lands in changes nothing */
    wh_sql(f, "INSERT INTO src VALUES (1, 'b', 0, 'U', 4);");
    run_quiet(f);
    assert_rows(f, T2, "1,z,0,1; 1,a,1,3; 1,b,3,5; 1,c,5,7; 1,d,7,9; 1,e,9,-");
    /* a late event with the values of the next version starts that version early */
    wh_sql(f, "INSERT INTO src VALUES (1, 'd', 0, 'U', 6);");
    run_quiet(f);
    assert_rows(f, T2, "1,z,0,1; 1,a,1,3; 1,b,3,5; 1,c,5,6; 1,d,6,9; 1,e,9,-");
}

/* An event landing inside a run of equal events splits it: the events after
 * it still hold (the current version must be the latest event's). */
static void test_scd2_late_event_inside_equal_events(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC "INSERT INTO src VALUES (1, 'a', 0, 'I', 1), (1, 'a', 0, 'U', 3),"
              " (1, 'a', 0, 'U', 5);");
    pipeline(f, SCD2);
    run_quiet(f);
    assert_rows(f, T2, "1,a,1,-");
    wh_sql(f, "INSERT INTO src VALUES (1, 'b', 0, 'U', 2);");
    run_quiet(f);
    assert_rows(f, T2, "1,a,1,2; 1,b,2,3; 1,a,3,-");
    /* and a later one splits it again */
    wh_sql(f, "INSERT INTO src VALUES (1, 'c', 0, 'U', 4);");
    run_quiet(f);
    assert_rows(f, T2, "1,a,1,2; 1,b,2,3; 1,a,3,4; 1,c,4,5; 1,a,5,-");
    /* a late delete inside a run too */
    wh_sql(f, "INSERT INTO src VALUES (2, 'x', 0, 'I', 1), (2, 'x', 0, 'U', 4);");
    run_quiet(f);
    wh_sql(f, "INSERT INTO src VALUES (2, NULL, 0, 'D', 2);");
    run_quiet(f);
    assert_rows(f, "SELECT id, v, __START_AT, __END_AT FROM t WHERE id = 2 ORDER BY __START_AT",
                "2,x,1,2; 2,x,4,-");
    /* a delete at the very sequence of an upsert merged into a version */
    wh_sql(f, "INSERT INTO src VALUES (3, 'a', 0, 'I', 1), (3, 'a', 0, 'U', 3);");
    run_quiet(f);
    const char *q3 = "SELECT id, v, __START_AT, __END_AT FROM t WHERE id = 3 ORDER BY __START_AT";
    assert_rows(f, q3, "3,a,1,-");
    wh_sql(f, "INSERT INTO src VALUES (3, NULL, 0, 'D', 3);");
    run_out r;
    run_ok(f, &r);
    assert_cdc(&r, "f", "events=1 upserts=1 deletes=1 ignored=0 truncates=0");
    run_free(&r);
    assert_rows(f, q3, "3,a,1,3");
    wh_sql(f, "INSERT INTO src VALUES (3, 'b', 0, 'U', 2);");
    run_quiet(f);
    assert_rows(f, q3, "3,a,1,2; 3,b,2,3");
    /* the same history, rebuilt from every event at once */
    char *kept = dump(f, T2);
    upd_options o = {0};
    o.full_refresh = true;
    run_ok_with(f, &o, &r);
    run_free(&r);
    assert_rows(f, T2, kept);
    free(kept);
}

static void test_scd2_delete_and_reopen(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC "INSERT INTO src VALUES (1, 'a', 0, 'I', 1);");
    pipeline(f, SCD2);
    run_quiet(f);
    wh_sql(f, "INSERT INTO src VALUES (1, NULL, 0, 'D', 3);");
    run_quiet(f);
    assert_rows(f, T2, "1,a,1,3");
    wh_sql(f, "INSERT INTO src VALUES (1, 'b', 0, 'U', 6);");
    run_quiet(f);
    assert_rows(f, T2, "1,a,1,3; 1,b,6,-");
    /* a late event older than the delete stays closed by it */
    wh_sql(f, "INSERT INTO src VALUES (1, 'late', 0, 'U', 2);");
    run_quiet(f);
    assert_rows(f, T2, "1,a,1,2; 1,late,2,3; 1,b,6,-");
    /* one between the delete and the reopening lives until the reopening */
    wh_sql(f, "INSERT INTO src VALUES (1, 'mid', 0, 'U', 4);");
    run_quiet(f);
    assert_rows(f, T2, "1,a,1,2; 1,late,2,3; 1,mid,4,6; 1,b,6,-");
    /* a late delete closes the version it falls in */
    wh_sql(f, "INSERT INTO src VALUES (1, NULL, 0, 'D', 5), (1, NULL, 0, 'D', 8);");
    run_quiet(f);
    assert_rows(f, T2, "1,a,1,2; 1,late,2,3; 1,mid,4,5; 1,b,6,8");
    assert_rows(f, "SELECT id, __seq, __deleted FROM _tarn_cdc_f ORDER BY id, __seq",
                "1,3,1; 1,5,1; 1,8,1");
    /* all in one batch for another key */
    wh_sql(f, "INSERT INTO src VALUES (2, 'mid', 0, 'U', 4), (2, 'b', 0, 'U', 6),"
              " (2, NULL, 0, 'D', 3), (2, 'late', 0, 'U', 2), (2, 'a', 0, 'I', 1);");
    run_quiet(f);
    assert_rows(f, "SELECT id, v, __START_AT, __END_AT FROM t WHERE id = 2 ORDER BY __START_AT",
                "2,a,1,2; 2,late,2,3; 2,mid,4,6; 2,b,6,-");
}

/* Two upserts of a key at one sequence: the later arrival wins, and no
 * version of zero length is kept (re-read, it would have no place). */
static void test_scd2_same_sequence(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC "INSERT INTO src VALUES (1, 'a', 0, 'I', 1), (1, 'b', 0, 'U', 1);");
    pipeline(f, SCD2);
    run_quiet(f);
    assert_rows(f, T2, "1,b,1,-");
    wh_sql(f, "INSERT INTO src VALUES (1, 'c', 0, 'U', 2);");
    run_quiet(f);
    assert_rows(f, T2, "1,b,1,2; 1,c,2,-");
    /* in a later batch too */
    wh_sql(f, "INSERT INTO src VALUES (1, 'd', 0, 'U', 2);");
    run_quiet(f);
    assert_rows(f, T2, "1,b,1,2; 1,d,2,-");
    /* an upsert and a delete at one sequence: the delete wins */
    wh_sql(f, "INSERT INTO src VALUES (2, 'x', 0, 'I', 1), (2, 'y', 0, 'U', 3),"
              " (2, NULL, 0, 'D', 3);");
    run_quiet(f);
    assert_rows(f, "SELECT id, v, __START_AT, __END_AT FROM t WHERE id = 2", "2,x,1,3");
    wh_sql(f, "INSERT INTO src VALUES (2, 'z', 0, 'U', 4);");
    run_quiet(f);
    assert_rows(f, "SELECT id, v, __START_AT, __END_AT FROM t WHERE id = 2 ORDER BY __START_AT",
                "2,x,1,3; 2,z,4,-");
}

static void test_scd2_duplicates(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC "INSERT INTO src VALUES (1, 'a', 0, 'I', 1), (1, 'a', 0, 'I', 1),"
              " (1, 'b', 0, 'U', 2), (1, NULL, 0, 'D', 3), (1, NULL, 0, 'D', 3);");
    pipeline(f, SCD2);
    run_quiet(f);
    const char *want = "1,a,1,2; 1,b,2,3";
    assert_rows(f, T2, want);
    /* the whole stream again, reversed */
    wh_sql(f, "INSERT INTO src SELECT * FROM src ORDER BY rowid DESC;");
    run_out r;
    run_ok(f, &r);
    assert_cdc(&r, "f", "events=5 upserts=2 deletes=0 ignored=0 truncates=0");
    run_free(&r);
    assert_rows(f, T2, want);
    assert_rows(f, "SELECT id, __seq, __deleted FROM _tarn_cdc_f ORDER BY id, __seq",
                "1,3,1");
    /* an event equal to its version's own start changes nothing either */
    wh_sql(f, "INSERT INTO src VALUES (1, 'b', 0, 'U', 2);");
    run_quiet(f);
    assert_rows(f, T2, want);
}

static void test_scd2_track_history_subset(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC "INSERT INTO src VALUES (1, 'a', 10, 'I', 1), (1, 'a', 11, 'U', 2);");
    const char *q = "SELECT id, v, w, __START_AT, __END_AT FROM t ORDER BY id, __START_AT";
    pipeline(f, "CREATE STREAMING TABLE t;\n"
                "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src) KEYS (id)\n"
                "  SEQUENCE BY ts COLUMNS * EXCEPT (op, ts) STORED AS SCD TYPE 2\n"
                "  TRACK HISTORY ON v;\n");
    run_quiet(f);
    /* an untracked change updates the open version in place */
    assert_rows(f, q, "1,a,11,1,-");
    /* a tracked one makes a version */
    wh_sql(f, "INSERT INTO src VALUES (1, 'b', 11, 'U', 3);");
    run_quiet(f);
    assert_rows(f, q, "1,a,11,1,3; 1,b,11,3,-");
    /* across batches too */
    wh_sql(f, "INSERT INTO src VALUES (1, 'b', 12, 'U', 4);");
    run_quiet(f);
    assert_rows(f, q, "1,a,11,1,3; 1,b,12,3,-");
    wh_sql(f, "INSERT INTO src VALUES (1, 'c', 13, 'U', 6), (1, 'c', 14, 'U', 5);");
    run_quiet(f);
    const char *want = "1,a,11,1,3; 1,b,12,3,5; 1,c,13,5,-";
    assert_rows(f, q, want);
    /* the same through * EXCEPT, rebuilt from every event at once */
    pipeline(f, "CREATE STREAMING TABLE t;\n"
                "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src) KEYS (id)\n"
                "  SEQUENCE BY ts COLUMNS * EXCEPT (op, ts) STORED AS SCD TYPE 2\n"
                "  TRACK HISTORY ON * EXCEPT (w);\n");
    upd_options o = {0};
    o.full_refresh = true;
    run_out r;
    run_ok_with(f, &o, &r);
    run_free(&r);
    assert_rows(f, q, want);
    /* with every column tracked, w makes versions too */
    pipeline(f, "CREATE STREAMING TABLE t;\n"
                "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src) KEYS (id)\n"
                "  SEQUENCE BY ts COLUMNS * EXCEPT (op, ts) STORED AS SCD TYPE 2;\n");
    run_ok_with(f, &o, &r);
    run_free(&r);
    assert_rows(f, q, "1,a,10,1,2; 1,a,11,2,3; 1,b,11,3,4; 1,b,12,4,5; 1,c,14,5,6; "
                      "1,c,13,6,-");
}

static void test_scd2_ignore_null_updates(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC "INSERT INTO src VALUES (1, 'a', 10, 'I', 1);");
    pipeline(f, "CREATE STREAMING TABLE t;\n"
                "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src) KEYS (id)\n"
                "  IGNORE NULL UPDATES APPLY AS DELETE WHEN op = 'D' SEQUENCE BY ts\n"
                "  COLUMNS * EXCEPT (op, ts) STORED AS SCD TYPE 2;\n");
    run_quiet(f);
    const char *q = "SELECT id, v, w, __START_AT, __END_AT FROM t ORDER BY id, __START_AT";
    /* a change with a NULL: a new version carrying the earlier value */
    wh_sql(f, "INSERT INTO src VALUES (1, NULL, 20, 'U', 2);");
    run_quiet(f);
    assert_rows(f, q, "1,a,10,1,2; 1,a,20,2,-");
    /* only NULLs: no change, no version */
    wh_sql(f, "INSERT INTO src VALUES (1, NULL, NULL, 'U', 3), (1, 'a', NULL, 'U', 4);");
    run_quiet(f);
    assert_rows(f, q, "1,a,10,1,2; 1,a,20,2,-");
    /* after a delete nothing carries over */
    wh_sql(f, "INSERT INTO src VALUES (1, NULL, NULL, 'D', 5), (1, NULL, 30, 'U', 6);");
    run_quiet(f);
    assert_rows(f, q, "1,a,10,1,2; 1,a,20,2,5; 1,-,30,6,-");
}

/* ================================================================ updates */

static void test_second_run_up_to_date(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC "INSERT INTO src VALUES (1, 'a', 1, 'I', 1), (2, 'b', 1, 'I', 2),"
              " (1, NULL, NULL, 'D', 3);");
    pipeline(f, "CREATE STREAMING TABLE t1;\nCREATE STREAMING TABLE t2;\n"
                "AUTO CDC INTO t1 FROM STREAM(src) KEYS (id) APPLY AS DELETE WHEN op = 'D'\n"
                "  SEQUENCE BY ts;\n"
                "APPLY CHANGES INTO t2 FROM STREAM(src) KEYS (id) APPLY AS DELETE WHEN op = 'D'\n"
                "  SEQUENCE BY ts STORED AS SCD TYPE 2;\n");
    run_quiet(f);
    const char *q1 = "SELECT * FROM t1 ORDER BY id";
    const char *q2 = "SELECT * FROM t2 ORDER BY id, __START_AT";
    const char *s1 = "SELECT * FROM _tarn_cdc_t1 ORDER BY id";
    const char *s2 = "SELECT * FROM _tarn_cdc_t2 ORDER BY id, __seq";
    const char *meta = "SELECT * FROM _tarn_datasets ORDER BY name";
    const char *cps = "SELECT * FROM _tarn_checkpoints ORDER BY flow";
    const char *qs[] = {q1, q2, s1, s2, meta, cps};
    char *before[6];
    for (int i = 0; i < 6; i++) before[i] = dump(f, qs[i]);
    assert_string_equal(before[0], "2,b,1,I,2");
    run_out r;
    run_ok(f, &r);
    assert_true(up_to_date(&r, "t1"));
    assert_true(up_to_date(&r, "t2"));
    assert_status(&r, "t1", "COMPLETED");
    run_free(&r);
    for (int i = 0; i < 6; i++) {
        assert_rows(f, qs[i], before[i]);
        free(before[i]);
    }
}

/* Loads src's rows into a fresh project in batches (cuts: rowids after
 * which an update runs) and returns the dumps of the queries. */
static const char *FR_SQL =
    "CREATE STREAMING TABLE t1;\nCREATE STREAMING TABLE t2;\n"
    "CREATE FLOW f1 AS AUTO CDC INTO t1 FROM STREAM(src) KEYS (id) APPLY AS DELETE WHEN\n"
    "  op = 'D' SEQUENCE BY ts COLUMNS * EXCEPT (op);\n"
    "CREATE FLOW f2 AS AUTO CDC INTO t2 FROM STREAM(src) KEYS (id) APPLY AS DELETE WHEN\n"
    "  op = 'D' SEQUENCE BY ts COLUMNS * EXCEPT (op, ts) STORED AS SCD TYPE 2;\n";

static const char *FR_EVENTS[] = {
    "(1, 'a', 1, 'I', 1), (2, 'b', 1, 'I', 2), (1, 'a', 2, 'U', 3)",
    "(1, 'c', 3, 'U', 6), (2, NULL, NULL, 'D', 5), (3, 'x', 1, 'I', 4)",
    "(1, 'b', 4, 'U', 2), (2, 'b', 5, 'U', 4), (3, NULL, NULL, 'D', 7), (1, 'c', 3, 'U', 6)",
    "(3, 'y', 1, 'U', 6), (2, 'late', 1, 'U', 3), (4, 'n', 1, 'I', 1)",
};

static char *fr_state(const fx *f)
{
    sb b = {0};
    const char *qs[] = {"SELECT * FROM t1 ORDER BY id",
                        "SELECT * FROM t2 ORDER BY id, __START_AT",
                        "SELECT * FROM _tarn_cdc_f1 ORDER BY id",
                        "SELECT * FROM _tarn_cdc_f2 ORDER BY id, __seq"};
    for (int i = 0; i < 4; i++) {
        char *d = dump(f, qs[i]);
        sb_addf(&b, "%s\n", d);
        free(d);
    }
    return sb_take(&b);
}

static void test_full_refresh(void **state)
{
    fx *f = *state;
    /* a clean load: all events in one batch */
    wh_sql(f, SRC);
    for (int i = 0; i < 4; i++) {
        char *sql = xasprintf("INSERT INTO src VALUES %s;", FR_EVENTS[i]);
        wh_sql(f, sql);
        free(sql);
    }
    pipeline(f, FR_SQL);
    run_quiet(f);
    char *clean = fr_state(f);
    const char *t1 = "1,c,3,6; 4,n,1,1\n";
    assert_memory_equal(clean, t1, strlen(t1));

    /* the same events in batches, out of order */
    ts_rmtree(f->wh);
    wh_sql(f, SRC);
    for (int i = 0; i < 4; i++) {
        char *sql = xasprintf("INSERT INTO src VALUES %s;", FR_EVENTS[i]);
        wh_sql(f, sql);
        free(sql);
        run_quiet(f);
    }
    char *batched = fr_state(f);
    assert_string_equal(batched, clean);

    /* mess the targets up, then rebuild them all from the source */
    wh_sql(f, "DELETE FROM t1 WHERE id = 1; UPDATE t2 SET v = 'zzz';"
              "DELETE FROM _tarn_cdc_f1;");
    upd_options o = {0};
    o.full_refresh = true;
    run_out r;
    run_ok_with(f, &o, &r);
    assert_cdc(&r, "f1", "events=13 upserts=2 deletes=2 ignored=0 truncates=0");
    run_free(&r);
    char *full = fr_state(f);
    assert_string_equal(full, clean);
    assert_int_equal(checkpoint(f, "f1"), 13);
    assert_int_equal(checkpoint(f, "f2"), 13);

    /* --full-refresh of one table only */
    wh_sql(f, "UPDATE t2 SET v = 'zzz'; DELETE FROM _tarn_cdc_f2;");
    upd_options o2 = {0};
    VEC_PUSH(&o2.full_refresh_select, xstrdup("t2"));
    run_ok_with(f, &o2, &r);
    assert_status(&r, "f1", "EXCLUDED");
    assert_false(up_to_date(&r, "f2"));
    run_free(&r);
    strvec_free(&o2.full_refresh_select);
    char *one = fr_state(f);
    assert_string_equal(one, clean);
    assert_int_equal(whi(f, "SELECT generation FROM _tarn_datasets WHERE name = 't2'"), 2);
    free(clean);
    free(batched);
    free(full);
    free(one);
}

/* A batch that fails leaves the target, the side table, the checkpoint and
 * the dataset's metadata as they were; the next update applies it. */
static void test_failed_batch_rolls_back(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC "INSERT INTO src VALUES (1, 'a', 1, 'I', 1), (2, 'b', 1, 'I', 1);");
    pipeline(f, FR_SQL);
    run_quiet(f);
    char *before = fr_state(f);
    char *m1 = meta_of(f, "t1"), *m2 = meta_of(f, "t2");
    /* SCD1 writes the side table last: make that fail */
    wh_sql(f, "CREATE TRIGGER no3 BEFORE INSERT ON _tarn_cdc_f1 WHEN NEW.id = 3"
              " BEGIN SELECT RAISE(ABORT, 'no key 3 here'); END;"
              /* SCD2: a version that cannot be written */
              "CREATE TRIGGER noboom BEFORE INSERT ON t2 WHEN NEW.v = 'boom'"
              " BEGIN SELECT RAISE(ABORT, 'no boom'); END;");
    wh_sql(f, "INSERT INTO src VALUES (1, NULL, NULL, 'D', 2), (2, 'b2', 2, 'U', 2),"
              " (3, 'boom', 1, 'I', 1);");
    run_out r;
    assert_int_equal(run_with(f, NULL, &r), UPD_FAILED);
    assert_status(&r, "f1", "FAILED");
    assert_status(&r, "f2", "FAILED");
    assert_non_null(strstr(r.error, "no key 3 here"));
    run_free(&r);
    char *after = fr_state(f);
    assert_string_equal(after, before);
    free(after);
    assert_int_equal(checkpoint(f, "f1"), 2);
    assert_int_equal(checkpoint(f, "f2"), 2);
    char *m1b = meta_of(f, "t1"), *m2b = meta_of(f, "t2");
    assert_string_equal(m1b, m1);
    assert_string_equal(m2b, m2);
    free(m1b);
    free(m2b);
    /* no temporary tables left behind either way */
    assert_int_equal(whi(f, "SELECT count(*) FROM sqlite_schema WHERE name LIKE '%%tarn_cdc_b%%'"),
                     0);

    wh_sql(f, "DROP TRIGGER no3; DROP TRIGGER noboom;");
    run_quiet(f);
    assert_rows(f, "SELECT id, v FROM t1 ORDER BY id", "2,b2; 3,boom");
    assert_rows(f, "SELECT id, v, __START_AT, __END_AT FROM t2 ORDER BY id, __START_AT",
                "1,a,1,2; 2,b,1,2; 2,b2,2,-; 3,boom,1,-");
    assert_int_equal(checkpoint(f, "f1"), 5);
    free(before);
    free(m1);
    free(m2);
}

/* ================================================================ randomized */

/* One change event; v: 0 for NULL, else a letter; w: INT_MIN for NULL. */
typedef struct cev {
    int key;   /* 0: NULL */
    int seq;   /* 0: NULL */
    bool del;
    int v, w;
} cev;

typedef VEC(cev) cevvec;

static unsigned rnd(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

static void add_val(sb *b, int v, int w)
{
    if (v) sb_addf(b, "%c,", v);
    else sb_add(b, "-,");
    if (w != INT_MIN) sb_addf(b, "%d", w);
    else sb_add(b, "-");
}

static void add_row_sql(sb *b, const cev *e)
{
    if (e->key) sb_addf(b, "(%d, ", e->key);
    else sb_add(b, "(NULL, ");
    if (e->v) sb_addf(b, "'%c', ", e->v);
    else sb_add(b, "NULL, ");
    if (e->w != INT_MIN) sb_addf(b, "%d, ", e->w);
    else sb_add(b, "NULL, ");
    sb_addf(b, "'%c', ", e->del ? 'D' : 'U');
    if (e->seq) sb_addf(b, "%d)", e->seq);
    else sb_add(b, "NULL)");
}

static int by_key_seq(const void *a, const void *b)
{
    const cev *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    if (x->seq != y->seq) return x->seq < y->seq ? -1 : 1;
    return 0;
}

/* The events with a key and a sequence, sorted, exact duplicates dropped. */
static cevvec valid_sorted(const cev *ev, size_t n)
{
    cevvec v = {0};
    for (size_t i = 0; i < n; i++)
        if (ev[i].key && ev[i].seq) VEC_PUSH(&v, ev[i]);
    if (v.n) qsort(v.v, v.n, sizeof(cev), by_key_seq);
    size_t k = 0;
    for (size_t i = 0; i < v.n; i++) {
        if (k && !by_key_seq(&v.v[k - 1], &v.v[i])) {
            if (memcmp(&v.v[k - 1], &v.v[i], sizeof(cev)))
                fail_msg("generator bug: two different events at one sequence");
            continue;
        }
        v.v[k++] = v.v[i];
    }
    v.n = k;
    return v;
}

/* SCD1: per key its latest event, unless a delete; "id,v,w,ts; ...".
 * ignore_nulls: each upsert in turn keeps the values its NULLs leave. */
static char *ref_scd1(const cev *ev, size_t n, bool ignore_nulls)
{
    cevvec v = valid_sorted(ev, n);
    sb b = {0};
    for (size_t i = 0; i < v.n;) {
        size_t j = i;
        bool present = false;
        int cv = 0, cw = INT_MIN, cs = 0;
        for (; j < v.n && v.v[j].key == v.v[i].key; j++) {
            const cev *e = &v.v[j];
            if (e->del) {
                present = false;
                continue;
            }
            if (ignore_nulls && present) {
                if (e->v) cv = e->v;
                if (e->w != INT_MIN) cw = e->w;
            } else {
                cv = e->v;
                cw = e->w;
            }
            cs = e->seq;
            present = true;
        }
        if (present) {
            if (b.len) sb_add(&b, "; ");
            sb_addf(&b, "%d,", v.v[i].key);
            add_val(&b, cv, cw);
            sb_addf(&b, ",%d", cs);
        }
        i = j;
    }
    VEC_FREE(&v);
    return sb_take(&b);
}

/* SCD2: the versions the sorted events make; "id,v,w,start,end; ...".
 * track_w: a change of w alone makes a version (else it updates in place). */
static char *ref_scd2(const cev *ev, size_t n, bool ignore_nulls, bool track_w)
{
    cevvec v = valid_sorted(ev, n);
    sb b = {0};
    for (size_t i = 0; i < v.n;) {
        size_t j = i;
        bool open = false;
        int ov = 0, ow = INT_MIN, start = 0;
#define CLOSE(end)                                                                            \
    do {                                                                                      \
        if (b.len) sb_add(&b, "; ");                                                          \
        sb_addf(&b, "%d,", v.v[i].key);                                                       \
        add_val(&b, ov, ow);                                                                  \
        if (end) sb_addf(&b, ",%d,%d", start, end);                                           \
        else sb_addf(&b, ",%d,-", start);                                                     \
    } while (0)
        for (; j < v.n && v.v[j].key == v.v[i].key; j++) {
            const cev *e = &v.v[j];
            if (e->del) {
                if (open) CLOSE(e->seq);
                open = false;
                continue;
            }
            int nv = e->v, nw = e->w;
            if (ignore_nulls && open) {
                if (!nv) nv = ov;
                if (nw == INT_MIN) nw = ow;
            }
            if (open && nv == ov && (!track_w || nw == ow)) {
                ow = nw; /* untracked: in place */
                continue;
            }
            if (open) CLOSE(e->seq);
            open = true;
            ov = nv;
            ow = nw;
            start = e->seq;
        }
        if (open) CLOSE(0);
#undef CLOSE
        i = j;
    }
    VEC_FREE(&v);
    return sb_take(&b);
}

/* The seeds of a randomized test: the given ones, or 1..N with
 * TARN_CDC_SEEDS=N in the environment (for longer runs by hand). */
static size_t seed_list(const unsigned *given, size_t n, unsigned **out)
{
    const char *env = getenv("TARN_CDC_SEEDS");
    size_t want = env ? (size_t)strtoul(env, NULL, 10) : 0;
    if (want) n = want;
    *out = calloc(n, sizeof(unsigned));
    for (size_t i = 0; i < n; i++) (*out)[i] = want ? (unsigned)i + 1 : given[i];
    return n;
}

static void check_against(const fx *f, const char *sql, const char *want, unsigned seed,
                          int batch)
{
    char *got = dump(f, sql);
    if (strcmp(got, want))
        fail_msg("seed %u, after batch %d: %s\n got: %s\nwant: %s", seed, batch, sql, got, want);
    free(got);
}

static void shuffle(cev *v, size_t n, unsigned *s)
{
    for (size_t i = n; i > 1; i--) {
        size_t k = rnd(s) % i;
        cev t = v[i - 1];
        v[i - 1] = v[k];
        v[k] = t;
    }
}

/* Random events for keys 1..nkeys: unique sequences per key, values from a
 * small set (so equal values repeat), some deletes, some exact duplicates,
 * a few without key or sequence. nulls: some upserts carry NULL values. */
static cevvec random_events(unsigned *s, int nkeys, int n, bool nulls)
{
    cevvec ev = {0};
    int maxseq = n * 2 + 2;
    unsigned char *used = calloc((size_t)(nkeys + 1) * (size_t)(maxseq + 1), 1);
    for (int i = 0; i < n; i++) {
        cev e = {0};
        e.key = 1 + (int)(rnd(s) % (unsigned)nkeys);
        do e.seq = 1 + (int)(rnd(s) % (unsigned)maxseq);
        while (used[e.key * (maxseq + 1) + e.seq]);
        used[e.key * (maxseq + 1) + e.seq] = 1;
        e.del = rnd(s) % 5 == 0;
        if (e.del) {
            e.v = 0;
            e.w = INT_MIN;
        } else {
            e.v = "abc"[rnd(s) % 3];
            e.w = (int)(rnd(s) % 2);
            if (nulls && rnd(s) % 3 == 0) e.v = 0;
            if (nulls && rnd(s) % 3 == 0) e.w = INT_MIN;
        }
        VEC_PUSH(&ev, e);
    }
    free(used);
    int dups = n / 5;
    for (int i = 0; i < dups; i++) {
        cev e = ev.v[rnd(s) % (unsigned)n];
        VEC_PUSH(&ev, e);
    }
    cev nokey = {0, 3, false, 'z', 9}, noseq = {1, 0, false, 'z', 9};
    VEC_PUSH(&ev, nokey);
    VEC_PUSH(&ev, noseq);
    return ev;
}

static void insert_events(const fx *f, const cev *ev, size_t n)
{
    if (!n) return;
    sb b = {0};
    sb_add(&b, "INSERT INTO src VALUES ");
    for (size_t i = 0; i < n; i++) {
        if (i) sb_add(&b, ", ");
        add_row_sql(&b, &ev[i]);
    }
    sb_addc(&b, ';');
    wh_sql(f, sb_str(&b));
    sb_free(&b);
}

/* Several batches of shuffled events (any order across batches): SCD1 and
 * SCD2 targets always equal the reference over every event so far. */
static void test_random_streams(void **state)
{
    fx *f = *state;
    pipeline(f, "CREATE STREAMING TABLE s1;\nCREATE STREAMING TABLE s2;\n"
                "AUTO CDC INTO s1 FROM STREAM(src) KEYS (id) APPLY AS DELETE WHEN op = 'D'\n"
                "  SEQUENCE BY ts COLUMNS * EXCEPT (op);\n"
                "AUTO CDC INTO s2 FROM STREAM(src) KEYS (id) APPLY AS DELETE WHEN op = 'D'\n"
                "  SEQUENCE BY ts COLUMNS * EXCEPT (op, ts) STORED AS SCD TYPE 2;\n");
    static const unsigned given[] = {1, 7, 42, 1234, 99991};
    unsigned *seeds;
    size_t nseeds = seed_list(given, sizeof given / sizeof given[0], &seeds);
    for (size_t si = 0; si < nseeds; si++) {
        unsigned s = seeds[si];
        ts_rmtree(f->wh);
        wh_sql(f, SRC);
        int nkeys = 2 + (int)(rnd(&s) % 5), n = 25 + (int)(rnd(&s) % 40);
        cevvec ev = random_events(&s, nkeys, n, false);
        shuffle(ev.v, ev.n, &s);
        int batches = 2 + (int)(rnd(&s) % 4);
        size_t done = 0;
        for (int b = 0; b < batches; b++) {
            size_t upto = b == batches - 1 ? ev.n : done + rnd(&s) % (ev.n - done + 1);
            insert_events(f, ev.v + done, upto - done);
            run_quiet(f);
            done = upto;
            char *want1 = ref_scd1(ev.v, done, false);
            char *want2 = ref_scd2(ev.v, done, false, true);
            check_against(f, "SELECT id, v, w, ts FROM s1 ORDER BY id", want1, seeds[si], b);
            check_against(f, "SELECT id, v, w, __START_AT, __END_AT FROM s2 "
                             "ORDER BY id, __START_AT", want2, seeds[si], b);
            free(want1);
            free(want2);
        }
        /* a full refresh gives the same tables */
        upd_options o = {0};
        o.full_refresh = true;
        run_out r;
        run_ok_with(f, &o, &r);
        run_free(&r);
        char *want1 = ref_scd1(ev.v, ev.n, false);
        char *want2 = ref_scd2(ev.v, ev.n, false, true);
        check_against(f, "SELECT id, v, w, ts FROM s1 ORDER BY id", want1, seeds[si], -1);
        check_against(f, "SELECT id, v, w, __START_AT, __END_AT FROM s2 ORDER BY id, __START_AT",
                      want2, seeds[si], -1);
        free(want1);
        free(want2);
        VEC_FREE(&ev);
    }
    free(seeds);
}

/* Batches in sequence order (shuffled within each batch), with NULL values:
 * IGNORE NULL UPDATES (SCD1, and SCD2 tracking v only) as if each event were
 * applied in its turn. */
static void test_random_streams_ignore_nulls(void **state)
{
    fx *f = *state;
    pipeline(f, "CREATE STREAMING TABLE n1;\nCREATE STREAMING TABLE n2;\n"
                "AUTO CDC INTO n1 FROM STREAM(src) KEYS (id) IGNORE NULL UPDATES\n"
                "  APPLY AS DELETE WHEN op = 'D' SEQUENCE BY ts COLUMNS * EXCEPT (op);\n"
                "AUTO CDC INTO n2 FROM STREAM(src) KEYS (id) IGNORE NULL UPDATES\n"
                "  APPLY AS DELETE WHEN op = 'D' SEQUENCE BY ts COLUMNS * EXCEPT (op, ts)\n"
                "  STORED AS SCD TYPE 2 TRACK HISTORY ON v;\n");
    static const unsigned given[] = {3, 11, 2024, 65537};
    unsigned *seeds;
    size_t nseeds = seed_list(given, sizeof given / sizeof given[0], &seeds);
    for (size_t si = 0; si < nseeds; si++) {
        unsigned s = seeds[si];
        ts_rmtree(f->wh);
        wh_sql(f, SRC);
        int nkeys = 2 + (int)(rnd(&s) % 4), n = 25 + (int)(rnd(&s) % 30);
        cevvec ev = random_events(&s, nkeys, n, true);
        /* in sequence order across batches: sort by sequence alone */
        for (size_t i = 1; i < ev.n; i++)
            for (size_t k = i; k > 0 && ev.v[k - 1].seq > ev.v[k].seq; k--) {
                cev t = ev.v[k];
                ev.v[k] = ev.v[k - 1];
                ev.v[k - 1] = t;
            }
        int batches = 2 + (int)(rnd(&s) % 4);
        size_t done = 0;
        for (int b = 0; b < batches; b++) {
            size_t upto = b == batches - 1 ? ev.n : done + rnd(&s) % (ev.n - done + 1);
            /* never cut between two events of one sequence value */
            while (upto < ev.n && upto > 0 && ev.v[upto].seq == ev.v[upto - 1].seq) upto++;
            shuffle(ev.v + done, upto - done, &s);
            insert_events(f, ev.v + done, upto - done);
            run_quiet(f);
            done = upto;
            char *want1 = ref_scd1(ev.v, done, true);
            char *want2 = ref_scd2(ev.v, done, true, false);
            check_against(f, "SELECT id, v, w, ts FROM n1 ORDER BY id", want1, seeds[si], b);
            check_against(f, "SELECT id, v, w, __START_AT, __END_AT FROM n2 "
                             "ORDER BY id, __START_AT", want2, seeds[si], b);
            free(want1);
            free(want2);
        }
        VEC_FREE(&ev);
    }
    free(seeds);
}

/* ================================================================ validation */

typedef struct checked {
    project p;
    diag_list d;
    val_result r;
    int val_rc;
    char *problems;
} checked;

static void check(checked *c, const fx *f)
{
    memset(c, 0, sizeof(*c));
    prj_load(&c->p, f->dir, NULL, &c->d);
    c->val_rc = val_run(&c->p, &c->d, &c->r);
    sb b = {0};
    for (size_t i = 0; i < c->d.items.n; i++) {
        char *s = diag_format(&c->d.items.v[i]);
        sb_addf(&b, "%s\n", s);
        free(s);
    }
    c->problems = sb_take(&b);
}

static void uncheck(checked *c)
{
    val_free(&c->r);
    prj_free(&c->p);
    diag_free(&c->d);
    free(c->problems);
}

/* "F:line:col" of needle in text ('|' in needle marks the spot). */
static char *where(const char *text, const char *needle)
{
    const char *bar = strchr(needle, '|');
    size_t mark = bar ? (size_t)(bar - needle) : 0;
    char *plain = bar ? xasprintf("%.*s%s", (int)mark, needle, bar + 1) : xstrdup(needle);
    const char *hit = strstr(text, plain);
    if (!hit) fail_msg("'%s' not in the text", plain);
    free(plain);
    hit += mark;
    int line = 1, col = 1;
    for (const char *c = text; c < hit; c++) {
        if (*c == '\n') {
            line++;
            col = 1;
        } else col++;
    }
    return xasprintf("%s:%d:%d", F, line, col);
}

/* Validates sql: exactly the one problem msg (an error) at needle. */
static void assert_only_problem(const fx *f, const char *sql, const char *needle,
                                const char *msg)
{
    pipeline(f, sql);
    checked c;
    check(&c, f);
    char *at = where(sql, needle);
    char *want = xasprintf("%s: error: %s\n", at, msg);
    if (strcmp(c.problems, want)) fail_msg("%s\n got: %s\nwant: %s", sql, c.problems, want);
    assert_int_equal(c.d.errors, 1); /* load problems do not count in val_run's result */
    free(at);
    free(want);
    uncheck(&c);
}

static const char *schema_of(const checked *c, const char *name, sb *b)
{
    int d = prj_dataset_find(&c->p, name);
    if (d < 0) fail_msg("no dataset %s", name);
    const val_dataset *vd = &c->r.datasets[d];
    sb_clear(b);
    for (size_t i = 0; i < vd->columns.n; i++)
        sb_addf(b, "%s%s %s", i ? ", " : "", vd->columns.v[i].name, vd->columns.v[i].type);
    return sb_str(b);
}

static void test_validate_schemas(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC);
    pipeline(f, "CREATE STREAMING TABLE t1;\nCREATE STREAMING TABLE t2;\n"
                "CREATE FLOW f1 AS AUTO CDC INTO t1 FROM STREAM(src) KEYS (id)\n"
                "  APPLY AS DELETE WHEN op = 'D' SEQUENCE BY ts COLUMNS * EXCEPT (op);\n"
                "APPLY CHANGES INTO t2 FROM STREAM(src) KEYS (id) SEQUENCE BY ts\n"
                "  COLUMNS id, v STORED AS SCD TYPE 2;\n"
                "CREATE MATERIALIZED VIEW cur AS SELECT id, v FROM t2 WHERE __END_AT IS NULL;\n");
    checked c;
    check(&c, f);
    assert_string_equal(c.problems, "");
    assert_int_equal(c.val_rc, 0);
    sb b = {0};
    assert_string_equal(schema_of(&c, "t1", &b), "id INT, v TEXT, w INT, ts INT");
    assert_string_equal(schema_of(&c, "t2", &b), "id INT, v TEXT, __START_AT INT, __END_AT INT");
    assert_string_equal(schema_of(&c, "cur", &b), "id INT, v TEXT");
    uncheck(&c);
    /* the dry run never writes the warehouse */
    assert_int_equal(whi(f, "SELECT count(*) FROM sqlite_schema"), 1);

    /* a source that is a streaming table of the pipeline */
    pipeline(f, "CREATE STREAMING TABLE clean AS SELECT * FROM STREAM(src) WHERE id > 0;\n"
                "CREATE STREAMING TABLE t;\n"
                "AUTO CDC INTO t FROM STREAM(clean) KEYS (id) SEQUENCE BY ts\n"
                "  STORED AS SCD TYPE 2 TRACK HISTORY ON * EXCEPT (w);\n");
    check(&c, f);
    assert_string_equal(c.problems, "");
    assert_string_equal(schema_of(&c, "t", &b),
                        "id INT, v TEXT, w INT, op TEXT, ts INT, __START_AT INT, __END_AT INT");
    sb_free(&b);
    uncheck(&c);
}

static void test_validate_errors(void **state)
{
    fx *f = *state;
    wh_sql(f, SRC);
    const char *sql;
    sql = "CREATE STREAMING TABLE t;\n"
          "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src)\n"
          "  KEYS (id, nope) SEQUENCE BY ts;\n";
    assert_only_problem(f, sql, "KEYS", "KEYS: column 'nope' is not in the source");
    sql = "CREATE STREAMING TABLE t;\n"
          "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src)\n"
          "  KEYS (id) SEQUENCE BY ts COLUMNS id, zz;\n";
    assert_only_problem(f, sql, "KEYS", "COLUMNS: column 'zz' is not in the source");
    sql = "CREATE STREAMING TABLE t;\n"
          "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src)\n"
          "  KEYS (id) SEQUENCE BY ts COLUMNS * EXCEPT (zz);\n";
    assert_only_problem(f, sql, "KEYS", "COLUMNS: column 'zz' is not in the source");
    sql = "CREATE STREAMING TABLE t;\n"
          "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src)\n"
          "  KEYS (id) SEQUENCE BY ts COLUMNS v, w;\n";
    assert_only_problem(f, sql, "KEYS", "COLUMNS leaves out the key 'id'");
    sql = "CREATE STREAMING TABLE t;\n"
          "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src)\n"
          "  KEYS (id) SEQUENCE BY ts COLUMNS * EXCEPT (op, id);\n";
    assert_only_problem(f, sql, "KEYS", "COLUMNS leaves out the key 'id'");
    sql = "CREATE STREAMING TABLE t;\n"
          "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src)\n"
          "  KEYS (id)\n"
          "  SEQUENCE BY coalesce(ts, tss)\n";
    assert_only_problem(f, sql, "tss", "SEQUENCE BY: no such column: tss");
    sql = "CREATE STREAMING TABLE t;\n"
          "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src) KEYS (id)\n"
          "  APPLY AS DELETE WHEN opp = 'D'\n"
          "  SEQUENCE BY ts;\n";
    assert_only_problem(f, sql, "opp", "APPLY AS DELETE WHEN: no such column: opp");
    sql = "CREATE STREAMING TABLE t;\n"
          "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src) KEYS (id)\n"
          "  APPLY AS TRUNCATE WHEN op = = 'T' SEQUENCE BY ts;\n";
    assert_only_problem(f, sql, "= 'T'", "APPLY AS TRUNCATE WHEN: near \"=\": syntax error");
    sql = "CREATE STREAMING TABLE t;\n"
          "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src) KEYS (id) SEQUENCE BY ts\n"
          "  STORED AS SCD TYPE 2 TRACK HISTORY ON v, nope;\n";
    assert_only_problem(f, sql, "KEYS",
                        "TRACK HISTORY ON: column 'nope' is not in the source");
    /* another flow into the same target */
    sql = "CREATE STREAMING TABLE t;\n"
          "CREATE FLOW ins AS INSERT INTO t BY NAME SELECT * FROM STREAM(src);\n"
          "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src) KEYS (id) SEQUENCE BY ts;\n";
    assert_only_problem(f, sql, "f AS AUTO",
                        "an AUTO CDC flow must be the only flow into its target");
    sql = "CREATE STREAMING TABLE t AS SELECT * FROM STREAM(src);\n"
          "CREATE FLOW g AS AUTO CDC INTO t FROM STREAM(src) KEYS (id) SEQUENCE BY ts;\n";
    assert_only_problem(f, sql, "g AS AUTO",
                        "an AUTO CDC flow must be the only flow into its target");
    /* a materialized view is no stream of change events */
    sql = "CREATE MATERIALIZED VIEW mv AS SELECT * FROM src;\n"
          "CREATE STREAMING TABLE t;\n"
          "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(mv) KEYS (id) SEQUENCE BY ts;\n";
    assert_only_problem(f, sql, "mv) KEYS",
                        "STREAM(mv): 'mv' is a materialized view, not an append-only source; "
                        "stream from a streaming table or an existing table");
    /* an unknown source */
    sql = "CREATE STREAMING TABLE t;\n"
          "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(nosuch) KEYS (id) SEQUENCE BY ts;\n";
    assert_only_problem(f, sql, "nosuch",
                        "unknown table or dataset 'nosuch': it is not defined in the pipeline "
                        "and not in the warehouse");
    /* SCD2 adds __START_AT / __END_AT itself */
    wh_sql(f, "CREATE TABLE hist(id INT, v TEXT, __START_AT INT, ts INT);");
    sql = "CREATE STREAMING TABLE t;\n"
          "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(hist) KEYS (id) SEQUENCE BY ts\n"
          "  STORED AS SCD TYPE 2;\n";
    assert_only_problem(f, sql, "KEYS",
                        "the source has a column __START_AT or __END_AT, which SCD TYPE 2 adds "
                        "itself: leave it out with COLUMNS");
    /* a target that is not a streaming table */
    sql = "CREATE MATERIALIZED VIEW t AS SELECT 1 AS id;\n"
          "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src) KEYS (id) SEQUENCE BY ts;\n";
    assert_only_problem(f, sql, "t FROM",
                        "flow 'f' writes into 't', a materialized view: flows append only to "
                        "streaming tables");
    /* a parse problem in the pipeline file at its line:col (first; the target
     * is then reported as having no flow, see the report) */
    sql = "CREATE STREAMING TABLE t (id INT);\n"
          "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(src) KEYS (id) SEQUENCE BY ts\n"
          "  STORED AS SCD TYPE 3;\n";
    pipeline(f, sql);
    checked c;
    check(&c, f);
    const char *want = F ":3:22: error: expected 1 or 2, found '3'\n";
    if (strncmp(c.problems, want, strlen(want))) fail_msg("got: %s\nwant: %s", c.problems, want);
    assert_int_equal(c.d.errors, 1);
    uncheck(&c);
}

/* ================================================================ main */

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, ts_setup_project, ts_teardown_project)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_every_clause),
        cmocka_unit_test(test_parse_defaults_and_scd2),
        cmocka_unit_test(test_parse_spellings),
        cmocka_unit_test(test_parse_errors),
        T(test_validate_schemas),
        T(test_validate_errors),
        T(test_scd1_upsert_delete),
        T(test_scd1_out_of_order),
        T(test_scd1_duplicates),
        T(test_scd1_delete_then_late_events),
        T(test_scd1_null_key_or_sequence_ignored),
        T(test_scd1_composite_keys),
        T(test_scd1_columns_choice),
        T(test_scd1_ignore_null_updates),
        T(test_scd1_truncate),
        T(test_scd1_truncate_documentation_example),
        T(test_scd2_versions),
        T(test_scd2_out_of_order),
        T(test_scd2_late_event_inside_equal_events),
        T(test_scd2_delete_and_reopen),
        T(test_scd2_same_sequence),
        T(test_scd2_duplicates),
        T(test_scd2_track_history_subset),
        T(test_scd2_ignore_null_updates),
        T(test_second_run_up_to_date),
        T(test_full_refresh),
        T(test_failed_batch_rolls_back),
        T(test_random_streams),
        T(test_random_streams_ignore_nulls),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
