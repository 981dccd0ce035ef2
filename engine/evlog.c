/*
 * evlog.c - the event log and update history in state.db (see evlog.h).
 */
#include "evlog.h"

#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "util.h"
#include "warehouse.h"

#define NOW "strftime('%Y-%m-%dT%H:%M:%fZ','now')"

static int create_tables(sqlite3 *db, char **err)
{
    return wh_exec(db,
        "CREATE TABLE IF NOT EXISTS updates("
        " id INTEGER PRIMARY KEY, state TEXT NOT NULL, cause TEXT,"
        " full_refresh INTEGER NOT NULL DEFAULT 0, refresh_selection TEXT,"
        " full_refresh_selection TEXT, started_at TEXT, ended_at TEXT,"
        " commit_id TEXT, dirty INTEGER, message TEXT);"
        "CREATE TABLE IF NOT EXISTS event_log("
        " id INTEGER PRIMARY KEY AUTOINCREMENT, timestamp TEXT NOT NULL,"
        " update_id INTEGER, level TEXT NOT NULL, event_type TEXT NOT NULL,"
        " dataset TEXT, flow TEXT, message TEXT, details TEXT);"
        "CREATE INDEX IF NOT EXISTS event_log_update ON event_log(update_id);", err);
}

int evl_open(const char *path, sqlite3 **db, char **err)
{
    if (wh_open(path, false, db, err) < 0) return -1;
    if (create_tables(*db, err) < 0) {
        sqlite3_close(*db);
        *db = NULL;
        return -1;
    }
    return 0;
}

int evl_open_readonly(const char *path, sqlite3 **db, char **err)
{
    return wh_open(path, true, db, err);
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
    if (s) sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, i);
}

int64_t evl_update_create(sqlite3 *db, const char *cause, bool full_refresh,
                          const char *refresh_selection,
                          const char *full_refresh_selection, const char *commit_id,
                          bool dirty, char **err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
            "INSERT INTO updates(state, cause, full_refresh, refresh_selection,"
            " full_refresh_selection, started_at, commit_id, dirty)"
            " VALUES('QUEUED', ?, ?, ?, ?, " NOW ", ?, ?)", -1, &st, NULL) != SQLITE_OK) {
        if (err) *err = xstrdup(sqlite3_errmsg(db));
        return -1;
    }
    bind_opt(st, 1, cause);
    sqlite3_bind_int(st, 2, full_refresh);
    bind_opt(st, 3, refresh_selection);
    bind_opt(st, 4, full_refresh_selection);
    bind_opt(st, 5, commit_id);
    sqlite3_bind_int(st, 6, dirty);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        if (err) *err = xasprintf("cannot record the update: %s", sqlite3_errmsg(db));
        return -1;
    }
    return sqlite3_last_insert_rowid(db);
}

int evl_update_set_state(sqlite3 *db, int64_t id, const char *state, const char *message)
{
    bool final = !strcmp(state, "COMPLETED") || !strcmp(state, "FAILED") ||
                 !strcmp(state, "CANCELED");
    sqlite3_stmt *st = NULL;
    const char *sql = final
        ? "UPDATE updates SET state = ?, message = ?, ended_at = " NOW " WHERE id = ?"
        : "UPDATE updates SET state = ?, message = ? WHERE id = ?";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return -1;
    sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
    bind_opt(st, 2, message);
    sqlite3_bind_int64(st, 3, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static void copy_col(sqlite3_stmt *st, int i, char *buf, size_t n)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    snprintf(buf, n, "%s", s ? s : "");
}

int evl_update_get(sqlite3 *db, int64_t id, evl_update *u)
{
    memset(u, 0, sizeof(*u));
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
            "SELECT id, state, started_at, ended_at, commit_id, dirty, full_refresh"
            " FROM updates WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        u->id = sqlite3_column_int64(st, 0);
        copy_col(st, 1, u->state, sizeof u->state);
        copy_col(st, 2, u->started_at, sizeof u->started_at);
        copy_col(st, 3, u->ended_at, sizeof u->ended_at);
        copy_col(st, 4, u->commit_id, sizeof u->commit_id);
        u->dirty = sqlite3_column_int(st, 5) != 0;
        u->full_refresh = sqlite3_column_int(st, 6) != 0;
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

int evl_update_fail_stale(sqlite3 *db, const char *why)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
            "UPDATE updates SET state = 'FAILED', message = ?, ended_at = " NOW
            " WHERE state IN ('QUEUED', 'RUNNING')", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, why, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? sqlite3_changes(db) : -1;
}

int64_t evl_update_last(sqlite3 *db)
{
    return wh_int(db, "SELECT max(id) FROM updates", 0);
}

int64_t evl_append(sqlite3 *db, evl_event *e, char tsbuf[32])
{
    if (!e->timestamp) {
        time_iso8601(time_now_ms(), tsbuf);
        e->timestamp = tsbuf;
    }
    e->id = -1;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
            "INSERT INTO event_log(timestamp, update_id, level, event_type, dataset,"
            " flow, message, details) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
            -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, e->timestamp, -1, SQLITE_STATIC);
    if (e->update_id > 0) sqlite3_bind_int64(st, 2, e->update_id);
    sqlite3_bind_text(st, 3, e->level, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, e->type, -1, SQLITE_STATIC);
    bind_opt(st, 5, e->dataset);
    bind_opt(st, 6, e->flow);
    bind_opt(st, 7, e->message);
    bind_opt(st, 8, e->details);
    if (sqlite3_step(st) == SQLITE_DONE) e->id = sqlite3_last_insert_rowid(db);
    sqlite3_finalize(st);
    return e->id;
}

int evl_prepare(sqlite3 *db, const evl_filter *f, sqlite3_stmt **st, char **err)
{
    evl_filter none = {0};
    if (!f) f = &none;
    sb q = {0};
    sb_add(&q, "SELECT id, timestamp, update_id, level, event_type, dataset, flow,"
               " message, details FROM event_log WHERE 1");
    if (f->update_id) sb_add(&q, " AND update_id = :upd");
    if (f->level) sb_add(&q, " AND level = :level COLLATE NOCASE");
    if (f->type) sb_add(&q, " AND event_type = :type COLLATE NOCASE");
    if (f->dataset) sb_add(&q, " AND dataset = :ds COLLATE NOCASE");
    sb_addf(&q, " ORDER BY id %s", f->oldest_first ? "ASC" : "DESC");
    if (f->limit > 0) sb_addf(&q, " LIMIT %d", f->limit);
    int rc = sqlite3_prepare_v2(db, sb_str(&q), -1, st, NULL);
    sb_free(&q);
    if (rc != SQLITE_OK) {
        if (err) *err = xasprintf("cannot read the event log: %s", sqlite3_errmsg(db));
        return -1;
    }
    if (f->update_id)
        sqlite3_bind_int64(*st, sqlite3_bind_parameter_index(*st, ":upd"), f->update_id);
    if (f->level)
        sqlite3_bind_text(*st, sqlite3_bind_parameter_index(*st, ":level"), f->level, -1,
                          SQLITE_TRANSIENT);
    if (f->type)
        sqlite3_bind_text(*st, sqlite3_bind_parameter_index(*st, ":type"), f->type, -1,
                          SQLITE_TRANSIENT);
    if (f->dataset)
        sqlite3_bind_text(*st, sqlite3_bind_parameter_index(*st, ":ds"), f->dataset, -1,
                          SQLITE_TRANSIENT);
    return 0;
}

int evl_list(sqlite3 *db, const evl_filter *f, evl_fn fn, void *ctx, char **err)
{
    sqlite3_stmt *st = NULL;
    if (evl_prepare(db, f, &st, err) < 0) return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        evl_event e = {
            sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
            sqlite3_column_int64(st, 2), (const char *)sqlite3_column_text(st, 3),
            (const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5),
            (const char *)sqlite3_column_text(st, 6), (const char *)sqlite3_column_text(st, 7),
            (const char *)sqlite3_column_text(st, 8)};
        if (fn(ctx, &e)) break;
    }
    int ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
    if (!ok && err) *err = xasprintf("cannot read the event log: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return ok ? 0 : -1;
}
