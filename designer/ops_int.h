/*
 * ops_int.h - what the operator files share (not for other modules): reading
 * params, a token cursor over a statement's query for the readers, writing
 * and reading back condition values, expression and column checks (all in
 * ops_text.c), and the built-in types. ops.h is the public face.
 */
#ifndef TARN_DG_OPS_INT_H
#define TARN_DG_OPS_INT_H

#include "ops.h"

/* ---- params (missing or mistyped values read as the defaults) ---- */

/* The string value of key ("" when absent or not a string). */
const char *dg_p_str(const cJSON *o, const char *key);
/* key's value as text, trimmed of white space (numbers as JSON writes
 * them); caller frees. */
char *dg_p_text(const cJSON *o, const char *key);
bool dg_p_bool(const cJSON *o, const char *key, bool dflt);
/* The array of key, or NULL. */
const cJSON *dg_p_arr(const cJSON *o, const char *key);
/* s without leading and trailing white space; caller frees. */
char *dg_trim(const char *s);

/* ---- writing ---- */

/* "CREATE TEMPORARY VIEW name AS\n"; false with *err when op has no name. */
bool dg_gen_view_head(const dg_op *op, sb *out, char **err);
/* Input k's name, or NULL with *err naming the missing input. */
const char *dg_gen_input(const dg_op *op, size_t k, char **err);
/* Appends a trimmed expression; false with *err ("what: why") when it would
 * break the statement (see dg_expr_problem). */
bool dg_gen_expr(sb *out, const char *what, const char *expr, char **err);
/* Why expr cannot be written into a statement (an unbalanced parenthesis, a
 * ';', a trailing -- comment, an unterminated string), or NULL; static. */
const char *dg_expr_problem(const char *expr);
/* A condition value (see ops.h): a number or one 'literal' as typed, else a
 * string literal of its text. */
void dg_sb_value(sb *b, const char *v);
/* An `in` list "a, 'b,c', 3" as ('a', 'b,c', 3) items joined by ", ". */
void dg_sb_value_list(sb *b, const char *v);
/* A name "x" or "schema.x", each part as an identifier. */
void dg_sb_qname(sb *b, const char *name);

/* ---- reading: a cursor over the tokens of a query ---- */

/* true when type t reads statement s of text canonically (as dg_op_read
 * would take it, were t the first type tried; ops.c). */
bool dg_reads_as(const dg_op_type *t, const char *text, const sql_stmt *s);

typedef struct dg_rd {
    const char *text;
    tokvec t;            /* no comments */
    size_t i;
} dg_rd;

/* The tokens of s's query (none when it has no query). */
void dg_rd_query(dg_rd *r, const char *text, const sql_stmt *s);
void dg_rd_free(dg_rd *r);
bool dg_rd_end(const dg_rd *r);
/* Accepts the bare word kw / the punctuation c / the operator op. */
bool dg_rd_kw(dg_rd *r, const char *kw);
bool dg_rd_punct(dg_rd *r, char c);
bool dg_rd_op(dg_rd *r, const char *op);
/* true when token k (absolute index) is the word kw / punctuation c. */
bool dg_rd_is(const dg_rd *r, size_t k, const char *kw);
bool dg_rd_is_punct(const dg_rd *r, size_t k, char c);
/* Reads a name (bare word or quoted identifier), unquoted; NULL when the
 * next token is none. */
char *dg_rd_name(dg_rd *r);
/* Reads name [. name] as "name" or "schema.name". */
char *dg_rd_qname(dg_rd *r);
/* Index of the ')' closing the '(' at k, or the token count. */
size_t dg_rd_close(const dg_rd *r, size_t k);
/* The source text of tokens [a, b) (a < b); caller frees. */
char *dg_rd_text(const dg_rd *r, size_t a, size_t b);
/* Index of the first token in [a, b) outside parentheses that is the word
 * kw (or the punctuation kw[0] when kw is one punctuation character), or b. */
size_t dg_rd_find(const dg_rd *r, size_t a, size_t b, const char *kw);
/* Reads a condition value (a number, maybe negative, or a string); NULL
 * when the next token is none. The value is what dg_sb_value writes back
 * as the same text. */
char *dg_rd_value(dg_rd *r);
/* Reads an `in` list ( v, v, ... ) as "v, v, ..."; NULL when it is none. */
char *dg_rd_value_list(dg_rd *r);

/* A plain temporary view: no columns, expectations, comment or properties. */
bool dg_plain_view(const sql_stmt *s);
/* "SELECT *\nFROM in" after the head, in being input 0; -1 with *err. */
int dg_gen_star_from(const dg_op *op, sb *out, char **err);
/* Reads FROM name as op's next input. */
bool dg_rd_from_input(dg_rd *r, dg_op *op);
/* Reads name {, name} into a new JSON array of strings (NULL when not so). */
cJSON *dg_rd_names(dg_rd *r);
/* Cuts tokens [a, b) at the commas outside parentheses: item i is
 * [starts[i], ends[i]); returns the count (max when there may be more). */
#define DG_MAX_ITEMS 256
size_t dg_rd_items(const dg_rd *r, size_t a, size_t b, size_t *starts, size_t *ends, size_t max);
/* The non-empty strings of array key of o, trimmed. */
void dg_strings_of(const cJSON *o, const char *key, strvec *out);
/* Appends names as identifiers separated by ", ". */
void dg_sb_idents(sb *b, const strvec *names);

/* ---- checks ---- */

void dg_problem_add(dg_problems *out, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The schema of input k, or NULL when unknown. */
const dg_schema *dg_schema_of(const dg_op *op, const dg_schema *ins, size_t k);
/* true when s has column name (ignoring case). */
bool dg_schema_has(const dg_schema *s, const char *name);
/* The column of s closest to name (for "did you mean"), or NULL. */
const char *dg_schema_near(const dg_schema *s, const char *name);
/* Flags column name of input k when the input's schema is known and has no
 * such column: "<prefix>no column 'x' in orders (did you mean y?)". */
void dg_check_column(const dg_op *op, const dg_schema *ins, size_t k, const char *key,
                     const char *prefix, const char *name, dg_problems *out);
/* Flags what is wrong with expression expr (prefix as above): it cannot be
 * written, or it names a column no input has (when every schema is known;
 * only plain names that cannot be anything else are looked at). */
void dg_check_expr(const dg_op *op, const dg_schema *ins, const char *key, const char *prefix,
                   const char *expr, dg_problems *out);
/* "condition 2: " for item k (0-based) of list field key of op's type. */
char *dg_item_prefix(const dg_op *op, const char *key, int k);
/* Flags output names used twice (ignoring case); names[i] NULL is skipped;
 * where[i] says which item gave it ("column 2"). */
void dg_check_dups(const char *key, const strvec *names, const strvec *where, dg_problems *out);

/* ---- the built-in types, in palette order ---- */

extern const dg_op_type dg_type_source_files, dg_type_source_table, dg_type_filter,
    dg_type_select, dg_type_join, dg_type_aggregate, dg_type_union, dg_type_dedupe,
    dg_type_sort, dg_type_output, dg_type_sql;

#endif
