/*
 * langsvc.h - what the editor asks of the pipeline (no curses): completions
 * (SQL keywords, functions, datasets, the columns of the datasets a statement
 * reads, ${parameters}), where a dataset is defined and where it is read,
 * what a name is (for the hover popup), and the statement or dataset under
 * the cursor (to preview it). It works on a model: a snapshot of the project's datasets
 * and schemas the shell builds after each dry run.
 */
#ifndef TARN_LANGSVC_H
#define TARN_LANGSVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "project.h"
#include "validate.h"

typedef struct ls_column {
    char *name, *type;   /* owned */
} ls_column;

typedef struct ls_dataset {
    char *name;          /* owned */
    sql_kind kind;
    char *file;          /* owned: where it is defined, relative to the project */
    int line, col;       /* of its name there */
    VEC(ls_column) columns;
    strvec expects;      /* owned: "name: expr (on violation)" */
    char *comment;       /* owned or NULL */
    int64_t rows;        /* -1 when not stored yet */
    char *refreshed;     /* owned: when it last changed, or NULL */
} ls_dataset;

typedef struct ls_model {
    VEC(ls_dataset) datasets;
    strvec params;       /* owned: "name=value" */
    strvec functions;    /* owned: the SQL functions queries can call */
} ls_model;

/* A model of p with the schemas of its dry run (vr may be NULL) and the row
 * counts of its warehouse (when it exists). */
void ls_model_build(ls_model *m, const project *p, const val_result *vr);
void ls_model_free(ls_model *m);
const ls_dataset *ls_dataset_named(const ls_model *m, const char *name);

/* ---- completion ---- */

typedef enum ls_kind { LS_COLUMN, LS_DATASET, LS_KEYWORD, LS_FUNCTION, LS_PARAM } ls_kind;

typedef struct ls_item {
    char *label;         /* owned: what is inserted */
    char *detail;        /* owned: shown beside it (type, kind) */
    ls_kind kind;
} ls_item;

typedef VEC(ls_item) ls_items;

/* Completions at pos of text[0..len), for the word before pos.
 * *from is where the word starts (what a choice replaces is [from, pos)). */
void ls_complete(const ls_model *m, const char *text, size_t len, size_t pos, size_t *from,
                 ls_items *out);
void ls_items_free(ls_items *v);

/* ---- names ---- */

/* The identifier around pos (unquoted), or NULL; its span in start and end. */
char *ls_word_at(const char *text, size_t len, size_t pos, size_t *start, size_t *end);
/* A description of name for the hover popup (kind, columns with types, rows,
 * last refresh, expectations), or NULL when it is not a dataset. */
char *ls_hover(const ls_model *m, const char *name);

typedef struct ls_place {
    char *file;          /* owned */
    int line, col;
} ls_place;

typedef VEC(ls_place) ls_places;

/* Every place a query of p reads dataset name. */
void ls_references(const project *p, const char *name, ls_places *out);
void ls_places_free(ls_places *v);

/* ---- statements ---- */

/* The statement around pos: [start, end) up to and without its ';'. */
void ls_statement_at(const char *text, size_t len, size_t pos, size_t *start, size_t *end);
/* The dataset (index in p) whose definition holds byte offset pos of file
 * (relative path), or -1. Offsets are of the file's own text. */
int ls_dataset_at(const project *p, const char *file, size_t pos);

#endif
