/*
 * evlog.h - the event log and update history in .tarn/state.db, shaped like
 * Lakeflow's event log (DESIGN.md section 4):
 *
 *   updates(id, state, cause, full_refresh, refresh_selection,
 *           full_refresh_selection, started_at, ended_at, commit_id, dirty,
 *           message)
 *   event_log(id, timestamp, update_id, level, event_type, dataset, flow,
 *             message, details)   -- details is JSON
 *
 * Levels: INFO, WARN, ERROR, METRICS. Update states: QUEUED, RUNNING,
 * COMPLETED, FAILED, CANCELED.
 */
#ifndef TARN_EVLOG_H
#define TARN_EVLOG_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct evl_event {
    int64_t id;
    const char *timestamp;
    int64_t update_id;
    const char *level, *type;
    const char *dataset, *flow; /* NULL when the event is not about one */
    const char *message;
    const char *details;        /* JSON object text, or NULL */
} evl_event;

typedef struct evl_filter {
    int64_t update_id;          /* 0: all updates */
    const char *level;          /* NULL: all */
    const char *type;           /* NULL: all */
    const char *dataset;        /* NULL: all */
    bool oldest_first;
    int limit;                  /* 0: no limit */
} evl_filter;

typedef struct evl_update {
    int64_t id;
    char state[16];
    char started_at[32], ended_at[32];
    char commit_id[48];
    bool dirty, full_refresh;
} evl_update;

/* Opens (creating) state.db and its tables. */
int evl_open(const char *path, sqlite3 **db, char **err);
/* Opens an existing state.db read-only; fails when it does not exist. */
int evl_open_readonly(const char *path, sqlite3 **db, char **err);

/* A new update in state QUEUED; returns its id (> 0) or -1. selections are
 * JSON arrays or NULL. */
int64_t evl_update_create(sqlite3 *db, const char *cause, bool full_refresh,
                          const char *refresh_selection,
                          const char *full_refresh_selection, const char *commit_id,
                          bool dirty, char **err);
int evl_update_set_state(sqlite3 *db, int64_t id, const char *state, const char *message);
int evl_update_get(sqlite3 *db, int64_t id, evl_update *u);
/* Marks updates still QUEUED or RUNNING as FAILED with message why; called
 * by the holder of the update lock, when no other update can be running.
 * Returns how many were marked. */
int evl_update_fail_stale(sqlite3 *db, const char *why);
/* The newest update's id, or 0. */
int64_t evl_update_last(sqlite3 *db);

/* Appends e (its id is ignored; a NULL timestamp means now, and e->timestamp
 * is then pointed at tsbuf). Sets e->id; returns it, or -1. dataset, flow and
 * details may be NULL. */
int64_t evl_append(sqlite3 *db, evl_event *e, char tsbuf[32]);

/* Prepares the query of events matching f (NULL: all), with the columns id,
 * timestamp, update_id, level, event_type, dataset, flow, message, details. */
int evl_prepare(sqlite3 *db, const evl_filter *f, sqlite3_stmt **st, char **err);
/* Calls fn for each event matching f (a NULL f matches all); fn returns
 * nonzero to stop. Strings in the event live only during the call. */
typedef int (*evl_fn)(void *ctx, const evl_event *e);
int evl_list(sqlite3 *db, const evl_filter *f, evl_fn fn, void *ctx, char **err);

#endif
