/*
 * plan.h - turning a flow's query into SQL that SQLite runs: STREAM(x) reads
 * become either the whole table (validation, preview) or the window of rows a
 * flow has not read yet (updates), and the SQL that creates a dataset's table.
 *
 * Built text is a rewrite (rewrite.h) whose positions map back into the
 * file's substituted text, so SQLite's error offsets land on file:line:col.
 */
#ifndef TARN_PLAN_H
#define TARN_PLAN_H

#include <sqlite3.h>
#include <stdint.h>

#include "project.h"
#include "rewrite.h"

/* Appends to out the distinct sources the flow reads through STREAM, in text
 * order (as written, unquoted). */
void plan_stream_sources(const project *p, int flow, strvec *out);

/* What the tables and files a flow reads stand for in one run. */
typedef struct plan_bind {
    const int64_t *lo, *hi; /* per plan_stream_sources entry k: rows with
                               lo[k] < rowid <= hi[k]; NULL: whole tables */
    const strvec *calls;    /* per read_files(...) or read_sqlite(...) call, in
                               text order: the SQL that stands for it (a
                               table name or a subquery); NULL: none */
} plan_bind;

/* The flow's query as runnable SQL into w, with b's bindings (b may be NULL:
 * whole tables, no files). */
void plan_query(const project *p, int flow, const plan_bind *b, rewrite *w);

/* A fingerprint of everything that defines the dataset's contents: its flows'
 * queries, declared columns and expectations (16 hex digits + NUL). */
void plan_def_hash(const project *p, int dataset, char out[17]);

/* Creates (in db's main schema) the empty table of dataset d for the query of
 * flow f already built in q: from the declared columns when there are any,
 * else shaped by the query (CREATE TABLE .. AS SELECT .. LIMIT 0). On failure
 * returns -1 with the SQLite message in *err and the offset in q of the error
 * (or -1) in *err_off. */
int plan_create_table(sqlite3 *db, const project *p, int d, const rewrite *q,
                      char **err, int *err_off);

/* Adds to table name the columns of the prepared statement st it lacks (a
 * flow that brings new columns into a streaming table). */
int plan_add_missing_columns(sqlite3 *db, const char *name, sqlite3_stmt *st, char **err);

#endif
