/*
 * update.h - one pipeline update (DESIGN.md section 4): validate, then
 * refresh the selected datasets in dependency order against the warehouse,
 * logging every step to the event log.
 *
 *   materialized view  recomputed and swapped in within one transaction,
 *                      skipped when its definition and inputs are unchanged
 *   streaming table    each flow appends only the rows of its STREAM sources
 *                      it has not read; the checkpoint advances in the same
 *                      transaction as the rows
 *   temporary view     defined for the update's queries, never stored
 *
 * A failed dataset fails the update and skips what reads it; independent
 * datasets still refresh. Cancel interrupts SQLite: the flow in progress
 * rolls back, so tables and checkpoints stay as before that flow.
 *
 * Threads: upd_run blocks; upd_cancel may be called from any other thread
 * (not from a signal handler). Listener callbacks run on upd_run's thread.
 */
#ifndef TARN_UPDATE_H
#define TARN_UPDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "evlog.h"
#include "util.h"

typedef enum upd_state {
    UPD_QUEUED,
    UPD_RUNNING,
    UPD_COMPLETED,
    UPD_FAILED,
    UPD_CANCELED
} upd_state;

typedef struct upd_options {
    bool full_refresh;        /* reset every dataset */
    strvec select;            /* refresh only these (empty: all) */
    strvec full_refresh_select; /* reset and refresh these */
    const char *cause;        /* "cli", "ui", "job"; NULL means "cli" */
} upd_options;

typedef struct upd_listener {
    /* every event, as it is logged */
    void (*event)(void *ctx, const evl_event *e);
    /* rows read so far by the running flow, and bytes of the files it reads
     * (bytes of bytes_total; both 0 for a flow that reads no files) */
    void (*rows)(void *ctx, const char *dataset, const char *flow, int64_t rows,
                 int64_t bytes, int64_t bytes_total);
    void *ctx;
} upd_listener;

typedef struct upd upd;

/* A new update of the project in dir. The project is (re)loaded from disk when
 * the update runs, with params ("key=value") overriding its configuration.
 * opts and listener are copied; listener may be NULL. */
upd *upd_new(const char *dir, const strvec *params, const upd_options *opts,
             const upd_listener *listener);
/* Runs it to the end and returns the final state. */
upd_state upd_run(upd *u);
/* Asks the running update to stop; safe from any thread. */
void upd_cancel(upd *u);
/* The update's id in the event log (0 when it was refused before starting). */
int64_t upd_id(const upd *u);
/* Why the update failed or was refused, or NULL. */
const char *upd_error(const upd *u);
void upd_free(upd *u);

const char *upd_state_name(upd_state s);

#endif
