/*
 * project.h - a loaded project: the manifest, every library file (parsed, with
 * ${param} substituted), and the datasets and flows the files define.
 *
 * Ownership: the project owns everything reachable from it. Statement
 * pointers (prj_dataset.stmt, prj_flow.stmt) point into files[].stmts and stay
 * valid until prj_free. Positions inside statements are offsets of the
 * substituted text (files[i].sub.out); prj_error maps them to file:line:col.
 */
#ifndef TARN_PROJECT_H
#define TARN_PROJECT_H

#include <stdbool.h>

#include "diag.h"
#include "manifest.h"
#include "rewrite.h"
#include "sqlparse.h"
#include "util.h"

/* Text standing in for a library file that is not saved yet (an editor's
 * buffer): path relative to the project folder; both borrowed. */
typedef struct prj_overlay {
    const char *path;
    const char *text;
} prj_overlay;

typedef struct prj_file {
    char *path;          /* relative to the project folder */
    char *orig;          /* the file's bytes */
    size_t orig_len;
    rewrite sub;         /* text after ${param} substitution; maps back to orig */
    sql_stmtvec stmts;
    strvec broken;       /* names of statements that did not parse */
} prj_file;

typedef struct prj_flow {
    char *name;          /* flow name (a dataset's own flow has its name) */
    int dataset;         /* index of the dataset it writes */
    int file;
    const sql_stmt *stmt;
    bool own;            /* the query of the dataset's CREATE statement */
    intvec inputs;       /* datasets the query reads (each once) */
} prj_flow;

typedef struct prj_dataset {
    char *name;
    sql_kind kind;       /* never SQL_FLOW */
    int file;
    const sql_stmt *stmt;
    intvec flows;        /* flows writing into it */
    intvec deps;         /* datasets its flows read (each once) */
} prj_dataset;

typedef struct project {
    char *dir;           /* the project folder as given */
    manifest man;
    strvec param_keys, param_vals; /* --param overrides (win over configuration) */
    VEC(prj_file) files;
    VEC(prj_dataset) datasets;
    VEC(prj_flow) flows;
    strmap dataset_index; /* name -> index in datasets */
    strmap flow_index;   /* name -> index in flows */
    intvec order;        /* datasets in dependency order (cycles left out) */
    const prj_overlay *overlays; /* while loading only */
    size_t n_overlays;
    bool has_cycle;
} project;

/* Loads dir/tarn.json and every library file, parses them, and builds the
 * dependency graph. params are "key=value" overrides. Every problem goes to
 * diags; returns 0 when none is an error. The project is usable (partially)
 * even when there were errors, and must be freed either way. */
int prj_load(project *p, const char *dir, const strvec *params, diag_list *diags);

/* prj_load, reading the n overlays instead of their files. */
int prj_load_with(project *p, const char *dir, const strvec *params, const prj_overlay *ov,
                  size_t n, diag_list *diags);
void prj_free(project *p);

/* true when name is defined by a statement that did not parse (readers of
 * it are not worth a second report). */
bool prj_is_broken(const project *p, const char *name);
/* What a table reference of statement s denotes. */
typedef enum prj_ref_kind {
    REF_CTE,        /* a name the query defines with WITH */
    REF_DATASET,    /* a dataset of the pipeline (*dataset set) */
    REF_TABLE,      /* anything else by name: a table or view already there */
    REF_FILES,      /* read_files(...) */
    REF_SQLITE,     /* read_sqlite(...) */
    REF_FUNCTION    /* another table-valued function (json_each, ...) */
} prj_ref_kind;

/* Classifies r; *dataset (may be NULL) gets the dataset index or -1. */
prj_ref_kind prj_ref_kind_of(const project *p, const sql_stmt *s, const sql_ref *r,
                             int *dataset);
/* Index of the dataset called name (case-insensitive), or -1. */
int prj_dataset_find(const project *p, const char *name);
int prj_flow_find(const project *p, const char *name);
/* Value of parameter name: --param override, else configuration, else NULL. */
const char *prj_param(const project *p, const char *name);
/* Absolute or dir-relative path of a project file; caller frees. */
char *prj_path(const project *p, const char *rel);
/* The warehouse and state database paths; caller frees. */
char *prj_warehouse_path(const project *p);
char *prj_state_path(const project *p);

/* Adds a problem at offset off of file's substituted text. */
void prj_error(const project *p, diag_list *d, diag_level level, int file, size_t off,
               const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* The dataset's own query text or a flow's query text (substituted). */
const char *prj_text(const project *p, int file);

#endif
