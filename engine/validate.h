/*
 * validate.h - the dry run (DESIGN.md section 4): every query is compiled, in
 * dependency order, against the schemas of its upstream datasets in a scratch
 * database, without touching the warehouse (which is only attached read-only
 * to learn the tables that already exist there).
 *
 * Problems: unknown references, STREAM misuse, SQL errors (at the failing
 * token when SQLite says where), column lists that do not match the query,
 * bad expectation expressions. A dataset downstream of a broken one is not
 * compiled, so one mistake is reported once.
 */
#ifndef TARN_VALIDATE_H
#define TARN_VALIDATE_H

#include <sqlite3.h>
#include <stdbool.h>

#include "diag.h"
#include "project.h"

typedef struct val_column {
    char *name; /* owned */
    char *type; /* owned; "" when the column has no declared type */
} val_column;

typedef struct val_dataset {
    char *name;               /* owned: the dataset's name */
    bool ok;                  /* compiled without problems */
    VEC(val_column) columns;  /* its schema, when ok */
} val_dataset;

typedef struct val_result {
    val_dataset *datasets;    /* owned: one per project dataset */
    size_t n;
} val_result;

/* Validates p. Problems go to diags; returns 0 when none is an error. r
 * (may be NULL) receives the schemas; free it with val_free. */
int val_run(const project *p, diag_list *diags, val_result *r);
void val_free(val_result *r);
/* The dataset called name (case-insensitive) in r, or NULL: r[hint] when
 * that is it (r may come from a dry run of another version of the project,
 * the editor's unsaved text, so an index of this one is only a hint). */
const val_dataset *val_dataset_named(const val_result *r, const char *name, size_t hint);

/* Opens the warehouse of p read-only under schema "wh" of a new in-memory
 * database (no warehouse file: nothing attached). Used by the dry run and by
 * previews, which must never write the warehouse. */
int val_open_scratch(const project *p, sqlite3 **db, bool *attached, char **err);

#endif
