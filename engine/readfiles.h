/*
 * readfiles.h - the calls that read outside the warehouse, bound for one run:
 *
 *   read_files('glob', ...)       a source (ingest.h) over all of the files
 *                                 (the dry run, previews, materialized views)
 *                                 or, for a streaming flow, only the files it
 *                                 has not read yet, which are recorded with
 *                                 their size, time, content hash and rows in
 *                                 the same transaction as the rows: each file
 *                                 is read exactly once
 *   read_sqlite('x.db', 'table'   another SQLite database attached read-only;
 *     [, cursor => 'col'])        streamed, the rows with a larger rowid (or
 *                                 cursor column value) than the flow has read
 */
#ifndef TARN_READFILES_H
#define TARN_READFILES_H

#include <sqlite3.h>

#include "diag.h"
#include "ingest.h"
#include "project.h"

/* Binds every read_files call of flow f to a source reading all its files,
 * registered in reg on db; the tables reading them are appended to tables
 * (in call order, for plan_bind.files). Problems (bad options, no files and
 * no schema) go to d with their position, renamed columns as notes. Returns
 * 0, or -1 when a call could not be bound. */
int rf_bind_all(sqlite3 *db, ing_registry *reg, const project *p, int f, strvec *tables,
                diag_list *d);

/* What a streaming flow's read_files calls read in this run. */
typedef struct rf_pending {
    int source;         /* read_files: index in the registry; read_sqlite: -1 */
    char *key;          /* owned: the checkpoint key (the glob, or
                           read_sqlite:path:table[:cursor]) */
    char *schema;       /* owned: read_files: the schema as JSON, to keep;
                           read_sqlite: the new position, as an SQL literal */
} rf_pending;

typedef struct rf_stream {
    VEC(rf_pending) items;
    bool any_new;       /* some call has a file or rows to read */
    strvec messages;    /* owned: warnings and notes for the event log */
} rf_stream;

/* Like rf_bind_all, for a streaming flow: each call's source reads only the
 * files the flow has not read (changed ones again only with allowOverwrites)
 * with the schema its table was given, extended by new columns. */
int rf_bind_new(sqlite3 *wh, ing_registry *reg, const project *p, int f, strvec *tables,
                rf_stream *out, diag_list *d);
/* Records what each source read (inside the flow's transaction). Files that
 * were gone when their turn came are not recorded, and said in messages. */
int rf_record(sqlite3 *wh, const ing_registry *reg, rf_stream *s, const char *flow,
              int64_t update_id, char **err);
void rf_stream_free(rf_stream *s);

/* Appends a fingerprint of what flow f's read_files and read_sqlite calls
 * would read now (names, sizes, times of the files and databases): equal
 * fingerprints mean unchanged input. */
void rf_fingerprint(const project *p, int f, sb *out);

#endif
