/*
 * cdc.h - AUTO CDC flows (DESIGN.md sections 3 and 4): change events read
 * from a source become upserts and deletes of the target, ordered by the
 * SEQUENCE BY value, so events that arrive late or twice change nothing they
 * should not.
 *
 *   SCD type 1  the target holds the latest row per key. A side table
 *               _tarn_cdc_<flow> keeps, per key, the sequence of the last
 *               event applied and whether it was a delete, so an event older
 *               than what the target holds is ignored even in a later batch.
 *   SCD type 2  the target keeps every version of a key with __START_AT and
 *               __END_AT (sequence values). The side table keeps every delete
 *               event, and every upsert that changed no tracked column (it
 *               made no version of its own, but a late event may land before
 *               it). Each batch rebuilds the history of the keys it touches
 *               from their versions, the side table and the new events, so an
 *               out-of-order event lands in its place in history.
 *
 * The caller owns the transaction: a batch is applied entirely or not at all.
 */
#ifndef TARN_CDC_H
#define TARN_CDC_H

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>

#include "project.h"

/* A flow's CDC clauses resolved against its source's columns. */
typedef struct cdc_spec {
    const sql_cdc *c;
    char *flow, *target, *state;  /* owned; state: the side table's name */
    strvec source_cols;           /* owned: the source's columns */
    strvec cols;                  /* owned: the target's data columns */
    strvec tracked;               /* owned: SCD2 columns whose change makes a version */
    char *seq, *del, *trunc;      /* owned: expression texts (del/trunc may be NULL) */
} cdc_spec;

/* Reports a problem at offset off of the statement's (substituted) text. */
typedef void (*cdc_problem_fn)(void *ctx, size_t off, const char *msg);

/* Resolves flow f (an AUTO CDC flow) with its source readable in db as
 * source (a quoted table name). Problems go to report; returns 0 when none. */
int cdc_resolve(sqlite3 *db, const project *p, int f, const char *source, cdc_spec *out,
                cdc_problem_fn report, void *ctx);
/* Creates the target (and the side table) when missing, shaped from the
 * source; adds columns the source brings later. */
int cdc_prepare_target(sqlite3 *db, const cdc_spec *s, const char *source, char **err);

typedef struct cdc_metrics {
    int64_t events;     /* events read from the source */
    int64_t upserts;    /* SCD1: rows inserted or updated; SCD2: versions written */
    int64_t deletes;    /* delete events applied */
    int64_t ignored;    /* events older than the target's state, or without keys */
    int64_t truncates;
} cdc_metrics;

/* Applies the events of source with lo < rowid <= hi. */
int cdc_apply(sqlite3 *db, const cdc_spec *s, const char *source, int64_t lo, int64_t hi,
              atomic_int *cancel, cdc_metrics *m, char **err);
void cdc_spec_free(cdc_spec *s);

#endif
