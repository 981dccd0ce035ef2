/*
 * sqlparse.h - the pipeline SQL dialect (DESIGN.md section 3): a file of
 * CREATE STREAMING TABLE / MATERIALIZED VIEW / TEMPORARY VIEW / FLOW
 * statements whose query bodies are SQLite SQL.
 *
 * The parser works on text after ${param} substitution. Every position it
 * keeps or reports is a byte offset into that text; callers map offsets back
 * to the file (see rewrite.h). Each statement keeps its span, so a tool can
 * replace one statement and leave every other byte of the file as it was.
 */
#ifndef TARN_SQLPARSE_H
#define TARN_SQLPARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "lex.h"
#include "util.h"

typedef enum sql_kind {
    SQL_STREAMING_TABLE,
    SQL_MATERIALIZED_VIEW,
    SQL_TEMP_VIEW,
    SQL_FLOW
} sql_kind;

typedef enum sql_violation {
    SQL_WARN,        /* no ON VIOLATION: keep the row, count it */
    SQL_DROP_ROW,    /* drop the row, count it */
    SQL_FAIL_UPDATE  /* fail the flow and roll it back */
} sql_violation;

typedef struct sql_column {
    char *name;    /* owned */
    char *type;    /* owned: declared type text as written, or NULL */
    char *comment; /* owned or NULL */
    bool not_null;
    size_t off;
} sql_column;

typedef struct sql_expect {
    char *name;             /* owned */
    char *expr;             /* owned: the expression text, without the parentheses */
    size_t off;             /* CONSTRAINT keyword */
    size_t expr_off;        /* first byte of expr */
    sql_violation action;
} sql_expect;

typedef struct sql_prop {
    char *key, *value;      /* owned */
} sql_prop;

/* A table read by a query, or a table-valued function called in a FROM
 * clause (call set: read_files(...), json_each(...)). */
typedef struct sql_ref {
    char *name;     /* owned: table name as written, unquoted */
    char *schema;   /* owned: "x" of x.name, or NULL */
    size_t off;     /* first byte of the reference (STREAM keyword if any) */
    size_t end;     /* one past its last byte (past ')' of STREAM(x)) */
    size_t name_off;
    bool stream;    /* read through STREAM(x) or STREAM x */
    bool aliased;   /* followed by an alias (AS a / a) */
    bool live;      /* written LIVE.name (the legacy DLT spelling of name);
                       schema is then NULL */
    bool call;      /* a table-valued function: name(args), e.g. read_files */
    size_t args_off, args_len; /* calls: the text between the parentheses */
} sql_ref;

typedef VEC(sql_ref) sql_refvec;

/* An AUTO CDC flow (DESIGN.md section 3): how change events of a source
 * become upserts and deletes of the target. Text spans are offsets of the
 * parsed text; a span of length 0 means the clause is absent. The source is
 * the statement's one reference (refs.v[0], a STREAM read). */
typedef struct sql_cdc {
    strvec keys;                     /* KEYS (k1, k2) */
    size_t keys_off;
    bool ignore_null_updates;        /* IGNORE NULL UPDATES */
    size_t delete_off, delete_len;   /* APPLY AS DELETE WHEN <expr> */
    size_t truncate_off, truncate_len; /* APPLY AS TRUNCATE WHEN <expr> */
    size_t seq_off, seq_len;         /* SEQUENCE BY <expr> */
    strvec columns;                  /* COLUMNS a, b  or  COLUMNS * EXCEPT (a, b) */
    bool columns_except;             /* columns lists what to leave out */
    int scd_type;                    /* STORED AS SCD TYPE 1 (default) or 2 */
    strvec track;                    /* TRACK HISTORY ON a, b / * EXCEPT (a, b) */
    bool track_except;
    bool track_set;                  /* TRACK HISTORY ON was given */
} sql_cdc;

typedef struct sql_stmt {
    sql_kind kind;
    bool or_refresh;
    char *name;           /* owned: dataset or flow name */
    size_t name_off;
    char *target;         /* owned: flows: INSERT INTO target; else NULL */
    size_t target_off;
    VEC(sql_column) columns;
    VEC(sql_expect) expects;
    char *comment;        /* owned or NULL */
    VEC(sql_prop) props;  /* TBLPROPERTIES */
    sql_cdc *cdc;         /* owned: AUTO CDC flows only, else NULL */
    bool has_query;
    size_t query_off, query_len; /* the SELECT (or WITH/VALUES) body */
    sql_refvec refs;      /* tables the query reads, in text order */
    strvec ctes;          /* names the query defines with WITH */
    size_t span_off, span_len;   /* CREATE ... ; (the ';' included when present) */
} sql_stmt;

typedef VEC(sql_stmt) sql_stmtvec;

/* Receives each problem at an offset of the parsed text. */
typedef void (*sql_error_fn)(void *ctx, size_t off, const char *msg);

/* Parses every statement of text (len bytes) into out. Problems go to err;
 * a statement with an error is left out and parsing goes on with the next
 * one; when its name could be read, the name is appended to broken (which may
 * be NULL) so that readers of it are not reported again. Returns the number
 * of problems. */
int sql_parse(const char *text, size_t len, sql_stmtvec *out, strvec *broken,
              sql_error_fn err, void *ctx);

/* Finds the table references and WITH names of a query body text[off..off+len)
 * (offsets in the results are offsets of text). */
void sql_scan_refs(const char *text, size_t off, size_t len, sql_refvec *refs,
                   strvec *ctes);

void sql_stmt_free(sql_stmt *s);
void sql_stmts_free(sql_stmtvec *v);
void sql_refs_free(sql_refvec *v);
const char *sql_kind_name(sql_kind k);
const char *sql_violation_name(sql_violation v);

/* The SQLite column type for a declared Spark type (STRING -> TEXT,
 * ARRAY<..>/MAP/STRUCT -> TEXT, BINARY -> BLOB, others as written); caller frees. */
char *sql_sqlite_type(const char *spark_type);

#endif
