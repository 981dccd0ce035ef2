/*
 * flow.c - moving a flow's rows into its table (see flow.h).
 *
 * One statement does the work:
 *
 *   INSERT INTO target (c1, .., cn)
 *   SELECT c1, .., cn FROM (SELECT *, (e1), .., (ek) FROM (query) LIMIT -1)
 *   WHERE __tarn_row(e1 value, .., ek value)
 *
 * __tarn_row is a C function registered for the run with the job as its
 * state: it counts rows, counts passed and failed rows per expectation,
 * answers whether to keep the row (DROP ROW), raises an error on FAIL UPDATE,
 * reports progress and notices a cancel. SQLite moves the values itself, with
 * no copy through C. The "LIMIT -1" keeps the inner query from being
 * flattened into the outer one or having the WHERE term pushed into it, so
 * the function runs exactly once per row the query produces, after the
 * query's own filters; and as it is not marked deterministic, SQLite never
 * hoists or reuses its result.
 */
#include "flow.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define PROGRESS_EVERY 8192
#define ROW_FN "__tarn_row"

typedef struct row_state {
    const flw_job *j;
    flw_metrics *m;
    int failed_expect;   /* index of the FAIL UPDATE expectation that failed, or -1 */
    bool canceled;
} row_state;

/* SQL truthiness: NULL fails; numbers (and text read as numbers) are true
 * when nonzero. */
static bool truthy(sqlite3_value *v)
{
    switch (sqlite3_value_type(v)) {
    case SQLITE_NULL: return false;
    case SQLITE_INTEGER: return sqlite3_value_int64(v) != 0;
    default: return sqlite3_value_double(v) != 0.0;
    }
}

static void row_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    row_state *rs = sqlite3_user_data(ctx);
    flw_metrics *m = rs->m;
    const flw_job *j = rs->j;
    m->rows_read++;
    if (m->rows_read % PROGRESS_EVERY == 0) {
        if (j->cancel && atomic_load(j->cancel)) {
            rs->canceled = true;
            sqlite3_result_error(ctx, "canceled", -1);
            return;
        }
        if (j->progress) j->progress(j->ctx, m->rows_read);
    }
    bool keep = true;
    for (int e = 0; e < argc; e++) {
        if (truthy(argv[e])) {
            m->passed[e]++;
            continue;
        }
        m->failed[e]++;
        if (j->expects[e].action == SQL_DROP_ROW) keep = false;
        if (j->expects[e].action == SQL_FAIL_UPDATE) {
            rs->failed_expect = e;
            sqlite3_result_error(ctx, "expectation failed", -1);
            return;
        }
    }
    if (!keep) m->rows_dropped++;
    sqlite3_result_int(ctx, keep);
}

/* The first ncols columns of the current row as a JSON object. */
static char *row_json(sqlite3_stmt *st, int ncols)
{
    sb b = {0};
    sb_addc(&b, '{');
    for (int i = 0; i < ncols; i++) {
        if (i) sb_add(&b, ", ");
        sb_add_jsonstr(&b, sqlite3_column_name(st, i));
        sb_add(&b, ": ");
        switch (sqlite3_column_type(st, i)) {
        case SQLITE_NULL: sb_add(&b, "null"); break;
        case SQLITE_INTEGER:
        case SQLITE_FLOAT: sb_add(&b, (const char *)sqlite3_column_text(st, i)); break;
        case SQLITE_BLOB: sb_addf(&b, "\"<%d-byte blob>\"", sqlite3_column_bytes(st, i)); break;
        default: sb_add_jsonstr(&b, (const char *)sqlite3_column_text(st, i));
        }
    }
    sb_addc(&b, '}');
    return sb_take(&b);
}

/* After a FAIL UPDATE: finds a row violating expectation e, for the report. */
static char *offending_row(const flw_job *j, int e)
{
    sb q = {0};
    sb_addf(&q, "SELECT * FROM (%s) WHERE NOT coalesce((%s), 0) LIMIT 1", j->query,
            j->expects[e].expr);
    sqlite3_stmt *st = NULL;
    char *row = NULL;
    if (sqlite3_prepare_v2(j->db, sb_str(&q), -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        row = row_json(st, sqlite3_column_count(st));
    sqlite3_finalize(st);
    sb_free(&q);
    return row ? row : xstrdup("(not found again)");
}

/* The INSERT described at the top of the file, for the query's columns. */
static char *insert_sql(const flw_job *j, sqlite3_stmt *shape)
{
    int ncols = sqlite3_column_count(shape);
    sb names = {0}, b = {0};
    for (int i = 0; i < ncols; i++) {
        if (i) sb_add(&names, ", ");
        sb_add_ident(&names, sqlite3_column_name(shape, i));
    }
    sb_add(&b, "INSERT INTO ");
    sb_add_ident(&b, j->target);
    sb_addf(&b, " (%s) SELECT %s FROM (SELECT *", sb_str(&names), sb_str(&names));
    for (int e = 0; e < j->n_expect; e++) sb_addf(&b, ", (%s) AS \"__tarn_e%d\"", j->expects[e].expr, e);
    sb_addf(&b, " FROM (%s) LIMIT -1) WHERE " ROW_FN "(", j->query);
    for (int e = 0; e < j->n_expect; e++) sb_addf(&b, "%s\"__tarn_e%d\"", e ? ", " : "", e);
    sb_add(&b, ")");
    sb_free(&names);
    return sb_take(&b);
}

flw_status flw_run(const flw_job *j, flw_metrics *m, char **err)
{
    memset(m, 0, sizeof(*m));
    m->n_expect = j->n_expect;
    m->passed = xcalloc((size_t)j->n_expect + 1, sizeof(int64_t));
    m->failed = xcalloc((size_t)j->n_expect + 1, sizeof(int64_t));
    sqlite3_stmt *shape = NULL;
    if (sqlite3_prepare_v2(j->db, j->query, -1, &shape, NULL) != SQLITE_OK) {
        *err = xstrdup(sqlite3_errmsg(j->db));
        return FLW_ERROR;
    }
    char *sql = insert_sql(j, shape);
    sqlite3_finalize(shape);
    row_state rs = {j, m, -1, false};
    sqlite3_create_function_v2(j->db, ROW_FN, -1, SQLITE_UTF8 | SQLITE_DIRECTONLY, &rs,
                               row_fn, NULL, NULL, NULL);
    char *msg = NULL;
    int rc = sqlite3_exec(j->db, sql, NULL, NULL, &msg);
    sqlite3_create_function_v2(j->db, ROW_FN, -1, SQLITE_UTF8, NULL, NULL, NULL, NULL, NULL);
    free(sql);
    flw_status status = FLW_OK;
    if (rs.failed_expect >= 0) {
        const sql_expect *e = &j->expects[rs.failed_expect];
        char *row = offending_row(j, rs.failed_expect);
        *err = xasprintf("expectation '%s' (%s) failed on row %s", e->name, e->expr, row);
        free(row);
        status = FLW_FAILED;
    } else if (rs.canceled || (rc & 0xff) == SQLITE_INTERRUPT) {
        *err = xstrdup("canceled");
        status = FLW_CANCELED;
    } else if (rc != SQLITE_OK) {
        *err = xstrdup(msg ? msg : sqlite3_errmsg(j->db));
        status = FLW_ERROR;
    } else {
        m->rows_written = sqlite3_changes64(j->db);
        if (j->progress) j->progress(j->ctx, m->rows_read);
    }
    sqlite3_free(msg);
    return status;
}

void flw_metrics_free(flw_metrics *m)
{
    free(m->passed);
    free(m->failed);
    m->passed = m->failed = NULL;
}
