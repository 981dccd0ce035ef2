/*
 * warehouse.c - warehouse database access, bookkeeping tables and the update
 * lock (see warehouse.h).
 */
#include "warehouse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "fsutil.h"

int wh_exec(sqlite3 *db, const char *sql, char **err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
    if (err) *err = xstrdup(msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return -1;
}

/* Prepares sql; NULL with *err set when it does not compile. */
static sqlite3_stmt *prepare(sqlite3 *db, const char *sql, char **err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) return st;
    if (err) *err = xstrdup(sqlite3_errmsg(db));
    return NULL;
}

/* Steps a writing statement to its end and finalizes it. */
static int step_done(sqlite3 *db, sqlite3_stmt *st, char **err)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && err) *err = xstrdup(sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

int64_t wh_int(sqlite3 *db, const char *sql, int64_t dflt)
{
    sqlite3_stmt *st = NULL;
    int64_t v = dflt;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

bool wh_table_exists(sqlite3 *db, const char *schema, const char *name)
{
    /* Tables: a lookup in SQLite's in-memory schema, not a scan of
     * sqlite_schema (an update asks this for every dataset). */
    if (sqlite3_table_column_metadata(db, schema ? schema : "main", name, NULL, NULL, NULL,
                                      NULL, NULL, NULL) == SQLITE_OK)
        return true;
    /* Views are not answered above: compiling a read of it tells. */
    sb q = {0};
    sb_add(&q, "SELECT 1 FROM ");
    sb_add_ident(&q, schema ? schema : "main");
    sb_addc(&q, '.');
    sb_add_ident(&q, name);
    sb_add(&q, " LIMIT 0");
    sqlite3_stmt *st = NULL;
    bool found = sqlite3_prepare_v2(db, sb_str(&q), -1, &st, NULL) == SQLITE_OK;
    sqlite3_finalize(st);
    sb_free(&q);
    return found;
}

int wh_open(const char *path, bool readonly, sqlite3 **db, char **err)
{
    *db = NULL;
    if (!readonly) {
        char *dir = fs_dirname(path);
        int rc = fs_mkdirs(dir, err);
        free(dir);
        if (rc < 0) return -1;
    }
    int flags = readonly ? SQLITE_OPEN_READONLY
                         : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    flags |= SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path, db, flags, NULL) != SQLITE_OK) {
        if (err) *err = xasprintf("cannot open %s: %s", path,
                                  *db ? sqlite3_errmsg(*db) : "out of memory");
        sqlite3_close(*db);
        *db = NULL;
        return -1;
    }
    sqlite3_busy_timeout(*db, 5000);
    sqlite3_extended_result_codes(*db, 1);
    /* WAL: readers (the TUI, previews) never block the update or each other */
    const char *setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                        " PRAGMA cache_size=-65536;";
    if (!readonly && wh_exec(*db, setup, err) < 0) {
        sqlite3_close(*db);
        *db = NULL;
        return -1;
    }
    return 0;
}

int wh_init(sqlite3 *db, char **err)
{
    return wh_exec(db,
        "CREATE TABLE IF NOT EXISTS _tarn_datasets("
        " name TEXT PRIMARY KEY COLLATE NOCASE, kind TEXT, def_hash TEXT,"
        " version INTEGER NOT NULL DEFAULT 0, generation INTEGER NOT NULL DEFAULT 0,"
        " inputs TEXT, rows INTEGER, last_update INTEGER, refreshed_at TEXT);"
        "CREATE TABLE IF NOT EXISTS _tarn_checkpoints("
        " flow TEXT NOT NULL COLLATE NOCASE, source TEXT NOT NULL COLLATE NOCASE,"
        " position INTEGER NOT NULL, source_generation INTEGER NOT NULL DEFAULT 0,"
        " updated_at TEXT, PRIMARY KEY(flow, source));"
        "CREATE TABLE IF NOT EXISTS _tarn_files("
        " flow TEXT NOT NULL COLLATE NOCASE, source TEXT NOT NULL, path TEXT NOT NULL,"
        " size INTEGER, mtime_ns INTEGER, hash TEXT, rows INTEGER, update_id INTEGER,"
        " ingested_at TEXT, PRIMARY KEY(flow, source, path));"
        "CREATE TABLE IF NOT EXISTS _tarn_source_schemas("
        " flow TEXT NOT NULL COLLATE NOCASE, source TEXT NOT NULL, schema TEXT NOT NULL,"
        " PRIMARY KEY(flow, source));", err);
}

int wh_meta_get(sqlite3 *db, const char *name, wh_dataset_meta *m)
{
    memset(m, 0, sizeof(*m));
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
            "SELECT kind, def_hash, version, generation, inputs, rows, last_update "
            "FROM _tarn_datasets WHERE name = ?", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        m->found = true;
        const char *kind = (const char *)sqlite3_column_text(st, 0);
        const char *hash = (const char *)sqlite3_column_text(st, 1);
        snprintf(m->kind, sizeof m->kind, "%s", kind ? kind : "");
        snprintf(m->def_hash, sizeof m->def_hash, "%s", hash ? hash : "");
        m->version = sqlite3_column_int64(st, 2);
        m->generation = sqlite3_column_int64(st, 3);
        const char *in = (const char *)sqlite3_column_text(st, 4);
        m->inputs = in ? xstrdup(in) : NULL;
        m->rows = sqlite3_column_int64(st, 5);
        m->last_update = sqlite3_column_int64(st, 6);
    }
    sqlite3_finalize(st);
    return 0;
}

int wh_meta_put(sqlite3 *db, const char *name, const wh_dataset_meta *m, char **err)
{
    sqlite3_stmt *st = prepare(db,
        "INSERT OR REPLACE INTO _tarn_datasets(name, kind, def_hash, version,"
        " generation, inputs, rows, last_update, refreshed_at)"
        " VALUES(?,?,?,?,?,?,?,?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))", err);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, m->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, m->def_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, m->version);
    sqlite3_bind_int64(st, 5, m->generation);
    if (m->inputs) sqlite3_bind_text(st, 6, m->inputs, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, m->rows);
    sqlite3_bind_int64(st, 8, m->last_update);
    return step_done(db, st, err);
}

void wh_meta_free(wh_dataset_meta *m)
{
    free(m->inputs);
    m->inputs = NULL;
}

void wh_checkpoint_get(sqlite3 *db, const char *flow, const char *source, int64_t *pos,
                       int64_t *gen)
{
    *pos = *gen = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
            "SELECT position, source_generation FROM _tarn_checkpoints"
            " WHERE flow = ? AND source = ?", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, flow, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *pos = sqlite3_column_int64(st, 0);
        *gen = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
}

int wh_checkpoint_put(sqlite3 *db, const char *flow, const char *source, int64_t pos,
                      int64_t gen, char **err)
{
    sqlite3_stmt *st = prepare(db,
        "INSERT OR REPLACE INTO _tarn_checkpoints(flow, source, position,"
        " source_generation, updated_at)"
        " VALUES(?,?,?,?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))", err);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, flow, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, pos);
    sqlite3_bind_int64(st, 4, gen);
    return step_done(db, st, err);
}

int wh_checkpoint_clear(sqlite3 *db, const char *flow, char **err)
{
    static const char *const sql[] = {
        "DELETE FROM _tarn_checkpoints WHERE flow = ?",
        "DELETE FROM _tarn_files WHERE flow = ?",
        "DELETE FROM _tarn_source_schemas WHERE flow = ?"};
    for (size_t i = 0; i < ARRAY_LEN(sql); i++) {
        sqlite3_stmt *st = prepare(db, sql[i], err);
        if (!st) return -1;
        sqlite3_bind_text(st, 1, flow, -1, SQLITE_STATIC);
        if (step_done(db, st, err) < 0) return -1;
    }
    return 0;
}

int wh_lock(const char *tarn_dir, int64_t update_id, char **err)
{
    if (fs_mkdirs(tarn_dir, err) < 0) return -1;
    char *path = fs_join(tarn_dir, "update.lock");
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (err) *err = xasprintf("cannot open %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        char buf[64] = {0};
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        long pid = 0, upd = 0;
        if (n > 0) sscanf(buf, "%ld %ld", &pid, &upd);
        if (err)
            *err = xasprintf("another update of this project is running (pid %ld, "
                             "update #%ld); wait for it to finish or cancel it", pid, upd);
        close(fd);
        free(path);
        return -1;
    }
    free(path);
    wh_lock_note(fd, update_id);
    return fd;
}

void wh_lock_note(int lock, int64_t update_id)
{
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%ld %lld\n", (long)getpid(), (long long)update_id);
    if (ftruncate(lock, 0) < 0 || pwrite(lock, buf, (size_t)n, 0) < 0) {
        /* the lock holds without the note; the note only names the holder */
    }
}

void wh_unlock(int lock)
{
    if (lock < 0) return;
    if (ftruncate(lock, 0) < 0) {
        /* nothing to do: closing releases the lock */
    }
    close(lock);
}
