/*
 * warehouse.h - the warehouse database (.tarn/warehouse.db): one table per
 * dataset, named as the dataset, plus tarn's bookkeeping tables beside them:
 *
 *   _tarn_datasets     per dataset: kind, definition hash, version (bumped on
 *                      every change of its rows), generation (bumped on every
 *                      full refresh), input versions seen by its last refresh,
 *                      row count, last update id
 *   _tarn_checkpoints  per flow and STREAM source: the source's highest rowid
 *                      the flow has read, and the source generation it read
 *   _tarn_files        per flow and read_files source: every file read, with
 *                      size, mtime, content hash and rows
 *   _tarn_source_schemas  per flow and read_files source: the schema its
 *                      table was given, which later files extend
 *
 * The checkpoints live here, not in state.db, because they must commit in the
 * same transaction as the rows they account for, and SQLite in WAL mode does
 * not commit across database files atomically.
 *
 * Also: the update lock (.tarn/update.lock) that keeps two updates of one
 * project from running at once.
 */
#ifndef TARN_WAREHOUSE_H
#define TARN_WAREHOUSE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

/* Opens (creating) a database with WAL, a busy timeout, and foreign keys off.
 * readonly opens an existing file only. */
int wh_open(const char *path, bool readonly, sqlite3 **db, char **err);
/* Creates the bookkeeping tables when missing. */
int wh_init(sqlite3 *db, char **err);

/* Runs SQL with no result rows; on failure *err is set. */
int wh_exec(sqlite3 *db, const char *sql, char **err);
/* Runs a query that yields one integer (or dflt when no row / NULL). */
int64_t wh_int(sqlite3 *db, const char *sql, int64_t dflt);
/* true when a table or view called name exists in schema ("main" when NULL). */
bool wh_table_exists(sqlite3 *db, const char *schema, const char *name);

typedef struct wh_dataset_meta {
    bool found;
    char kind[32];
    char def_hash[17];
    int64_t version, generation, rows, last_update;
    char *inputs;        /* owned: JSON {"name": version, ...} or NULL */
} wh_dataset_meta;

int wh_meta_get(sqlite3 *db, const char *name, wh_dataset_meta *m);
/* Inserts or replaces the row for name from m. */
int wh_meta_put(sqlite3 *db, const char *name, const wh_dataset_meta *m, char **err);
void wh_meta_free(wh_dataset_meta *m);

/* The checkpoint position of flow on source and the source generation it was
 * taken at (0, 0 when none). */
void wh_checkpoint_get(sqlite3 *db, const char *flow, const char *source, int64_t *pos,
                       int64_t *gen);
int wh_checkpoint_put(sqlite3 *db, const char *flow, const char *source, int64_t pos,
                      int64_t gen, char **err);
/* Forgets every checkpoint of flow: rowids, files read, file schemas. */
int wh_checkpoint_clear(sqlite3 *db, const char *flow, char **err);

/* The update lock. Returns a lock handle >= 0, or -1 with *err naming the
 * process holding it. The lock dies with the process. */
int wh_lock(const char *tarn_dir, int64_t update_id, char **err);
/* Records which update holds the lock, for the refusal message of others. */
void wh_lock_note(int lock, int64_t update_id);
void wh_unlock(int lock);

#endif
