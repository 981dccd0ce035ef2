/*
 * ops.h - the designer's no-code operators (no curses): what each node type
 * is (its form), the SQL statement it writes, and reading that statement
 * back. Node types come from one registry, so that plugins can add theirs.
 *
 * An operator node is one CREATE statement in canonical form, e.g. a filter:
 *
 *     CREATE TEMPORARY VIEW big_orders AS
 *     SELECT *
 *     FROM orders
 *     WHERE amount > 10 AND status = 'paid';
 *
 * Its parameters are a JSON object (the form's values), so that forms, the
 * command line (`tarn node add filter --params '{...}'`) and tests share one
 * representation. A statement is canonical for a type when reading it and
 * generating again gives its exact bytes; anything else is a SQL node.
 *
 * The built-in types and their canonical statements (in, a, b: the inputs).
 * Intermediate operators are temporary views, `CREATE TEMPORARY VIEW name
 * AS\n` followed by the query below and `;\n`:
 *
 *   source_files  CREATE OR REFRESH STREAMING TABLE name
 *                 AS SELECT * FROM STREAM read_files('data/orders-*.csv',
 *                 format => 'csv', header => true);   (on one line)
 *                 (stream false: MATERIALIZED VIEW, without STREAM; json: no
 *                 header option)
 *   source_table  SELECT *\nFROM shop.orders          a table outside the pipeline
 *   filter        SELECT *\nFROM in\nWHERE amount > 10 AND status = 'paid'
 *   select        SELECT order_id, amount * 2 AS double_amount\nFROM in
 *   join          SELECT l.*, r.name\nFROM a AS l\nLEFT JOIN b AS r ON l.customer_id = r.id
 *                 (no columns: SELECT *; keys of the same name on both sides: USING (k))
 *   aggregate     SELECT customer_id, count(*) AS orders, sum(amount) AS revenue
 *                 FROM in\nGROUP BY customer_id
 *   union         SELECT * FROM a\nUNION ALL\nSELECT * FROM b
 *   dedupe        SELECT DISTINCT *\nFROM in                      (no keys: whole rows)
 *                 SELECT *\nFROM in\nGROUP BY id                 (one row per key)
 *                 SELECT *\nFROM in\nGROUP BY id\nHAVING ts IS max(ts)   (the latest row per key)
 *   sort          SELECT *\nFROM in\nORDER BY amount DESC, id\nLIMIT 10
 *   output        CREATE OR REFRESH MATERIALIZED VIEW name (
 *                   CONSTRAINT positive EXPECT (amount > 0) ON VIOLATION DROP ROW
 *                 )
 *                 COMMENT 'text'
 *                 AS SELECT * FROM in;          (streaming_table: ... FROM STREAM(in);)
 *   sql           any statement, kept as written (its inputs: the tables it
 *                 reads; written again under the node's name when renamed)
 *
 * Choices worth knowing:
 * - A temporary view `SELECT *\nFROM x` (every column, every row) is a
 *   source_table: a filter, select or sort that does nothing would write the
 *   same text, so their checks ask for something to do (a condition, a
 *   column, a sort column or limit) instead of letting it be saved.
 * - A filter condition's value is written as a number when it is one
 *   (10, -2.5, 1e3; not 007, a code), as typed when it is one 'quoted literal' (so '42' stays a
 *   string), and as a string literal of its text otherwise (paid -> 'paid',
 *   it's -> 'it''s'); `in` takes a comma-separated list of such values.
 *   Anything else (another column, a function) goes in `where`, a free
 *   expression ANDed with the conditions. With one condition, match reads
 *   back as all.
 * - dedupe with latest_by uses SQLite's bare-column rule: with one max()
 *   in a grouped query, the other columns come from the row holding the
 *   maximum; `HAVING ts IS max(ts)` is always true and keeps the groups
 *   whose ts is NULL. Ties keep one of the rows.
 * - Expectations ("warn / drop / fail") are options of output nodes, the
 *   stored datasets: the engine checks expectations only where rows are
 *   written, not in temporary views.
 * - Expressions and names are trimmed of surrounding white space when
 *   written (so that what is read back is the same).
 */
#ifndef TARN_DG_OPS_H
#define TARN_DG_OPS_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "sqlparse.h"
#include "util.h"

/* ---- forms ---- */

typedef enum dg_field_kind {
    DG_TEXT,       /* free text (a name, a glob, a comment) */
    DG_EXPR,       /* an SQL expression over the input's columns */
    DG_COLUMN,     /* a column of input `input` (picked from the real ones) */
    DG_COLUMNS,    /* several columns of input `input` (a JSON array of names) */
    DG_CHOICE,     /* one of choices ("inner|left|right|full") */
    DG_NUMBER,     /* a whole number >= 0 */
    DG_BOOL,
    DG_LIST        /* a JSON array of objects, each with the fields in `row` */
} dg_field_kind;

typedef struct dg_field {
    const char *key;            /* its key in the params object; NULL ends a list */
    const char *label;          /* what the form shows */
    dg_field_kind kind;
    const char *choices;        /* DG_CHOICE: "a|b|c", the first is the default;
                                   DG_BOOL: "true" when the default is true */
    int input;                  /* DG_COLUMN(S): which input (0 or 1) */
    const struct dg_field *row; /* DG_LIST: the fields of one item (messages
                                   name an item after the label: "Conditions"
                                   -> "condition 2: ...") */
    bool required;
    const char *help;           /* one line under the field */
} dg_field;

/* The choices of a DG_CHOICE field ("a|b|c"), in order, appended to out. */
void dg_field_choices(const dg_field *f, strvec *out);

/* ---- nodes ---- */

typedef struct dg_op_type dg_op_type;

typedef struct dg_op {
    const dg_op_type *type;
    char *name;                 /* owned: the dataset it defines */
    strvec inputs;              /* owned: the datasets it reads, in slot order */
    cJSON *params;              /* owned: the form's values (an object) */
} dg_op;

/* The columns of an input, from the engine's dry run (for forms and checks). */
typedef struct dg_column {
    const char *name, *type;    /* borrowed */
} dg_column;

typedef struct dg_schema {
    const dg_column *cols;
    size_t n;
} dg_schema;

/* A problem with a field's value: the field's key (NULL: the node's) and a
 * sentence saying what is wrong. */
typedef struct dg_problem {
    char *key;                  /* owned */
    char *msg;                  /* owned */
} dg_problem;
typedef VEC(dg_problem) dg_problems;
void dg_problems_free(dg_problems *p);

struct dg_op_type {
    const char *id;             /* "filter": the command line's and the palette's name */
    const char *title;          /* "Filter rows" */
    const char *help;           /* one sentence */
    int min_inputs, max_inputs; /* max -1: any number */
    const dg_field *fields;     /* the form, ended by a field with key NULL */
    /* Appends the statement (from CREATE to its ';' and a '\n') to out.
     * Returns 0, or -1 with *err when params cannot make a statement. */
    int (*generate)(const dg_op *op, sb *out, char **err);
    /* Fills op's inputs and params from statement s of text (parsed text);
     * false when s is not of this type's shape. dg_op_read checks the rest.
     * op arrives with its name set, no inputs and an empty params object. */
    bool (*read)(const char *text, const sql_stmt *s, dg_op *op);
    /* Problems of op's params given its inputs' schemas (ins has
     * op->inputs.n entries; a schema with n == 0 is unknown: do not flag
     * column names then). */
    void (*check)(const dg_op *op, const dg_schema *ins, dg_problems *out);
};

/* ---- the registry ---- */

/* The built-in types are registered from the start: source_files,
 * source_table, filter, select, join, aggregate, union, dedupe, sort,
 * output, sql. dg_op_register adds one (a plugin's, while the program
 * starts: the registry has no lock); false when the id is taken, t has no
 * id or generate, or the registry is full (128 types). Types live as long
 * as the program. */
bool dg_op_register(const dg_op_type *t);
const dg_op_type *dg_op_type_find(const char *id);
/* The types in palette order; *n gets their count. */
const dg_op_type *const *dg_op_types(size_t *n);

/* ---- nodes ---- */

/* A new node of type t called name, with params (copied over the defaults
 * of its form, so every field has a value; NULL: the defaults alone: first
 * choices, false (or true, see choices), 0, "", empty lists). */
void dg_op_init(dg_op *op, const dg_op_type *t, const char *name, const cJSON *params);
void dg_op_free(dg_op *op);
/* The statement text of op (caller frees), or NULL with *err (caller
 * frees) when its params cannot make a statement (no name, a missing input,
 * an expression that would end the statement early). A statement that can
 * be written but is wrong (an unknown column) is dg_op_check's business. */
char *dg_op_sql(const dg_op *op, char **err);
/* Reads statement s of text as an operator: the first registered type
 * whose read accepts it and whose generate gives back exactly the bytes of
 * s's span (text[span_off, span_off+span_len) plus '\n') wins; otherwise the
 * "sql" type, whose params are {"sql": the statement's text}. Always fills
 * op (free with dg_op_free). */
void dg_op_read(const char *text, const sql_stmt *s, dg_op *op);
/* The problems of op: missing required fields, inputs outside min/max, and
 * the type's own check. A problem's key is a field's key ("conditions" for
 * anything inside that list, the sentence saying which item), "name" for the
 * node's name, or NULL for its inputs. Columns are looked up ignoring case. */
void dg_op_check(const dg_op *op, const dg_schema *ins, dg_problems *out);

/* Problems that depend on what op's inputs are, which the schemas do not
 * say: kinds[i] is the sql_kind of input i when it is a dataset of the
 * pipeline, or -1 for a table outside it. An output streaming table reads
 * its input through STREAM(...), which the engine allows only over a
 * streaming table or an existing table: not over a temporary view (every
 * intermediate operator) or a materialized view. */
void dg_op_check_inputs(const dg_op *op, const int *kinds, dg_problems *out);

/* ---- SQL text helpers (for forms and plugins' generators) ---- */

/* true when name can be written bare: [A-Za-z_][A-Za-z0-9_]* and not a
 * keyword of SQLite or of the pipeline dialect. */
bool dg_ident_plain(const char *name);
/* Appends name as an identifier: bare when dg_ident_plain, else in double
 * quotes with " doubled. */
void dg_sb_ident(sb *b, const char *name);

#endif
