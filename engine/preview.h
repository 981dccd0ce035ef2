/*
 * preview.h - read-only queries for looking at data: a dataset's query or any
 * SELECT, computed without writing the warehouse. The warehouse is attached
 * read-only; every dataset that has no table there yet (and every temporary
 * view) is defined as a temporary view of its query, so a pipeline can be
 * previewed before its first run. STREAM(x) reads all of x.
 */
#ifndef TARN_PREVIEW_H
#define TARN_PREVIEW_H

#include <sqlite3.h>

#include "project.h"

/* Opens a preview connection for p; close it with sqlite3_close. */
int pv_open(const project *p, sqlite3 **db, char **err);
/* Prepares dataset d's query (name must be a dataset), or sql (a read-only
 * statement). On failure *err holds SQLite's message, prefixed with
 * file:line:col for a dataset's query. */
int pv_prepare_dataset(sqlite3 *db, const project *p, int d, sqlite3_stmt **st, char **err);
int pv_prepare_sql(sqlite3 *db, const char *sql, sqlite3_stmt **st, char **err);

#endif
