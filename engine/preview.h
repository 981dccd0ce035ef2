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

#include "ingest.h"
#include "project.h"

/* A preview connection: a scratch database, the warehouse attached read-only,
 * and the sources of the read_files calls its views read. */
typedef struct pv_session {
    const project *p;      /* borrowed: must outlive the session */
    sqlite3 *db;
    ing_registry files;
} pv_session;

/* Opens a preview session for p (free with pv_close, also after failure). */
int pv_open(pv_session *s, const project *p, char **err);
/* Prepares dataset d's query, or sql (a read-only statement). On failure
 * *err holds the problem, with file:line:col when it is in the dataset's
 * definition. */
int pv_prepare_dataset(pv_session *s, int d, sqlite3_stmt **st, char **err);
int pv_prepare_sql(pv_session *s, const char *sql, sqlite3_stmt **st, char **err);
void pv_close(pv_session *s);

#endif
