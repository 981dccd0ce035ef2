/*
 * flow.c - the row loop of a flow (see flow.h).
 *
 * Why a loop in C rather than INSERT ... SELECT: expectations need a count of
 * passed and failed rows per expectation and, on FAIL UPDATE, the offending
 * row itself. Evaluating them as extra result columns of one SELECT and
 * deciding in C gives exact counts (SQLite is free to reorder or repeat
 * functions in a WHERE clause) and a natural place to report progress and
 * notice a cancel. Values move from the SELECT to the INSERT without copies
 * (sqlite3_bind_value of the column's value).
 */
#include "flow.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define PROGRESS_EVERY 8192

/* SELECT *, (e1), (e2) FROM (query): data columns, then one per expectation. */
static char *select_sql(const flw_job *j)
{
    sb b = {0};
    sb_add(&b, "SELECT *");
    for (int i = 0; i < j->n_expect; i++) sb_addf(&b, ", (%s)", j->expects[i].expr);
    sb_addf(&b, " FROM (%s)", j->query);
    return sb_take(&b);
}

static char *insert_sql(const char *target, sqlite3_stmt *sel, int ncols)
{
    sb b = {0};
    sb_add(&b, "INSERT INTO ");
    sb_add_ident(&b, target);
    sb_add(&b, " (");
    for (int i = 0; i < ncols; i++) {
        if (i) sb_add(&b, ", ");
        sb_add_ident(&b, sqlite3_column_name(sel, i));
    }
    sb_add(&b, ") VALUES (");
    for (int i = 0; i < ncols; i++) sb_add(&b, i ? ", ?" : "?");
    sb_add(&b, ")");
    return sb_take(&b);
}

/* SQL truthiness: NULL fails; numbers are true when nonzero. */
static bool truthy(sqlite3_stmt *st, int col)
{
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_NULL: return false;
    case SQLITE_INTEGER: return sqlite3_column_int64(st, col) != 0;
    default: return sqlite3_column_double(st, col) != 0.0;
    }
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

static flw_status sqlite_failure(sqlite3 *db, int rc, char **err)
{
    if ((rc & 0xff) == SQLITE_INTERRUPT) {
        *err = xstrdup("canceled");
        return FLW_CANCELED;
    }
    *err = xstrdup(sqlite3_errmsg(db));
    return FLW_ERROR;
}

/* Checks the row's expectations; returns whether to keep it, or sets *fail. */
static bool check_row(const flw_job *j, sqlite3_stmt *sel, int ncols, flw_metrics *m,
                      char **fail)
{
    bool keep = true;
    for (int e = 0; e < j->n_expect; e++) {
        if (truthy(sel, ncols + e)) {
            m->passed[e]++;
            continue;
        }
        m->failed[e]++;
        if (j->expects[e].action == SQL_DROP_ROW) keep = false;
        if (j->expects[e].action == SQL_FAIL_UPDATE && !*fail) {
            char *row = row_json(sel, ncols);
            *fail = xasprintf("expectation '%s' (%s) failed on row %s", j->expects[e].name,
                              j->expects[e].expr, row);
            free(row);
        }
    }
    return keep;
}

flw_status flw_run(const flw_job *j, flw_metrics *m, char **err)
{
    memset(m, 0, sizeof(*m));
    m->n_expect = j->n_expect;
    m->passed = xcalloc((size_t)j->n_expect + 1, sizeof(int64_t));
    m->failed = xcalloc((size_t)j->n_expect + 1, sizeof(int64_t));
    char *sql = select_sql(j);
    sqlite3_stmt *sel = NULL, *ins = NULL;
    int rc = sqlite3_prepare_v2(j->db, sql, -1, &sel, NULL);
    free(sql);
    if (rc != SQLITE_OK) return sqlite_failure(j->db, rc, err);
    int ncols = sqlite3_column_count(sel) - j->n_expect;
    sql = insert_sql(j->target, sel, ncols);
    rc = sqlite3_prepare_v2(j->db, sql, -1, &ins, NULL);
    free(sql);
    flw_status status = FLW_OK;
    if (rc != SQLITE_OK) {
        status = sqlite_failure(j->db, rc, err);
        goto done;
    }
    char *fail = NULL;
    while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
        m->rows_read++;
        if (j->cancel && atomic_load(j->cancel)) {
            rc = SQLITE_INTERRUPT;
            break;
        }
        if (j->progress && m->rows_read % PROGRESS_EVERY == 0) j->progress(j->ctx, m->rows_read);
        bool keep = j->n_expect ? check_row(j, sel, ncols, m, &fail) : true;
        if (fail) break;
        if (!keep) {
            m->rows_dropped++;
            continue;
        }
        for (int i = 0; i < ncols; i++) sqlite3_bind_value(ins, i + 1, sqlite3_column_value(sel, i));
        rc = sqlite3_step(ins);
        sqlite3_reset(ins);
        if (rc != SQLITE_DONE) break;
        m->rows_written++;
    }
    if (fail) {
        *err = fail;
        status = FLW_FAILED;
    } else if (rc != SQLITE_DONE) {
        status = sqlite_failure(j->db, rc, err);
    }
    if (j->progress) j->progress(j->ctx, m->rows_read);
done:
    sqlite3_finalize(ins);
    sqlite3_finalize(sel);
    return status;
}

void flw_metrics_free(flw_metrics *m)
{
    free(m->passed);
    free(m->failed);
    m->passed = m->failed = NULL;
}
