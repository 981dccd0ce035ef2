/*
 * flow.h - running one flow's rows into its table: every row the query makes
 * is counted and its expectations checked (warn: keep and count; drop: drop
 * and count; fail: stop the flow and report the row); kept rows are inserted
 * by column name. The caller owns the transaction.
 */
#ifndef TARN_FLOW_H
#define TARN_FLOW_H

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>

#include "sqlparse.h"

typedef enum flw_status {
    FLW_OK,
    FLW_FAILED,    /* an ON VIOLATION FAIL UPDATE expectation failed */
    FLW_ERROR,     /* SQLite reported an error */
    FLW_CANCELED   /* interrupted */
} flw_status;

typedef struct flw_metrics {
    int64_t rows_read;     /* rows the query produced */
    int64_t rows_written;
    int64_t rows_dropped;  /* by DROP ROW expectations */
    int n_expect;
    int64_t *passed;       /* owned: per expectation */
    int64_t *failed;       /* owned: per expectation */
} flw_metrics;

/* Called every few thousand rows with the rows read so far. */
typedef void (*flw_progress_fn)(void *ctx, int64_t rows);

typedef struct flw_job {
    sqlite3 *db;
    const char *target;        /* table to insert into (exists) */
    const char *query;         /* runnable query (see plan_query) */
    const sql_expect *expects; /* the target's expectations */
    int n_expect;
    atomic_int *cancel;        /* nonzero: stop at the next row */
    flw_progress_fn progress;  /* may be NULL */
    void *ctx;
} flw_job;

/* Runs the job. On FLW_FAILED / FLW_ERROR / FLW_CANCELED *err says why (for
 * FLW_FAILED it names the expectation and shows the offending row as JSON);
 * the caller rolls back. m is filled in every case; free with flw_metrics_free. */
flw_status flw_run(const flw_job *j, flw_metrics *m, char **err);
void flw_metrics_free(flw_metrics *m);

#endif
