/*
 * update_int.h - what the files of a pipeline update share (update.c runs
 * the update: start, planning, dataset order, events, lifecycle;
 * update_refresh.c refreshes one dataset and reports its flows): the
 * update's state and a dataset's result. Not part of update.h, the module's
 * public face.
 */
#ifndef TARN_UPDATE_INT_H
#define TARN_UPDATE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "cdc.h"
#include "flow.h"
#include "ingest.h"
#include "project.h"
#include "update.h"

/* What happened to a dataset in this update. */
enum { R_PENDING, R_OK, R_FAILED, R_SKIPPED, R_EXCLUDED, R_CANCELED };

struct upd {
    char *dir;
    strvec params;
    upd_options opts;        /* strvecs owned (deep copies) */
    upd_listener l;
    project p;
    bool loaded;
    int64_t id;
    char *error;
    sqlite3 *state;
    bool state_tx;           /* a batch of event writes is open */
    double last_flush;       /* when the last batch committed (ms) */
    sqlite3 *wh;             /* guarded by mu against upd_cancel */
    ing_registry files;      /* read_files sources on wh */
    size_t flow_sources;     /* files sources from here on belong to the running flow */
    pthread_mutex_t mu;
    atomic_int cancel;
    int lock;
    unsigned char *selected, *reset, *result; /* per dataset */
    const char *cur_dataset, *cur_flow;
    char *first_failure;     /* "flow: why" of the first flow that failed */
};

typedef struct flow_report {
    const char *status;     /* COMPLETED, FAILED, SKIPPED, EXCLUDED, STOPPED */
    const flw_metrics *m;   /* may be NULL */
    bool up_to_date;
    double ms;
    const char *why;        /* failure or skip reason */
    const cdc_metrics *cdc; /* AUTO CDC flows: what the events did, else NULL */
} flow_report;

/* ---- events (update.c) ---- */

/* Logs an event of the update (and hands it to the listener). */
void updi_emit(upd *u, const char *level, const char *type, const char *dataset,
               const char *flow, const char *details, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* Commits the batch of event writes, so other processes see them. */
void updi_flush_events(upd *u);
/* Records why the update fails (msg is taken). */
void updi_fail_setup(upd *u, char *msg);

/* ---- refreshing datasets (update_refresh.c) ---- */

/* Logs flow_progress r for each flow of dataset d. */
void updi_report_all_flows(upd *u, int d, const flow_report *r);
/* Binds flow f's read_files calls to all their files (rf_bind_all): the
 * tables reading them are appended to tables (for plan_bind.files). False,
 * with *err (caller frees), when a call could not be bound. */
bool updi_bind_all_files(upd *u, int f, strvec *tables, char **err);
/* Refreshes materialized view d; returns its R_* result. */
int updi_refresh_view(upd *u, int d);
/* Resets, in one transaction, every streaming table the update fully
 * refreshes; false (after updi_fail_setup) when that fails. */
bool updi_reset_streaming_tables(upd *u);
/* Refreshes streaming table d through its flows; returns its R_* result. */
int updi_refresh_streaming(upd *u, int d);

#endif
