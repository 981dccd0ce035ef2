/*
 * sqlparse_int.h - what the files of the pipeline SQL parser share among
 * themselves (sqlparse.c parses statements and holds the token cursor,
 * sqlparse_clauses.c parses the column list and table clauses,
 * sqlparse_cdc.c AUTO CDC flows): the parser's state and its cursor. Not
 * part of sqlparse.h, the module's public face.
 */
#ifndef TARN_SQLPARSE_INT_H
#define TARN_SQLPARSE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "sqlparse.h"

/* The parse of one statement: its tokens and where the cursor is. */
typedef struct parser {
    const char *text;
    const token *t;   /* tokens of the statement (no comments) */
    size_t n, i;
    size_t end_off;   /* offset just past the statement, for "end of statement" */
    sql_error_fn err;
    void *ctx;
    int errors;
    bool failed;
} parser;

/* ---- the token cursor (sqlparse.c) ---- */

/* The token k places ahead of the cursor (TK_EOF past the end). */
token sqlp_peek_at(const parser *p, size_t k);
token sqlp_peek(const parser *p);
/* The token at the cursor, moving past it. */
token sqlp_advance(parser *p);
/* Whether the token at the cursor is keyword kw / punctuation c. */
bool sqlp_at(const parser *p, const char *kw);
bool sqlp_at_punct(const parser *p, char c);
/* Moves past keyword kw / punctuation c when it is at the cursor. */
bool sqlp_accept(parser *p, const char *kw);
bool sqlp_accept_punct(parser *p, char c);
/* Reports a problem at token t (once per statement) and marks it failed. */
void sqlp_fail_at(parser *p, token t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Reports "expected <what>, found <the token at the cursor>". */
void sqlp_expected(parser *p, const char *what);
/* sqlp_accept, reporting what was expected when it is not there. */
bool sqlp_expect_kw(parser *p, const char *kw);
bool sqlp_expect_punct(parser *p, char c);
/* Index of the token closing the '(' at index open, or n when unbalanced. */
size_t sqlp_match_paren(const char *text, const token *t, size_t n, size_t open);
/* A name (bare or quoted), its offset in *off (off may be NULL); NULL
 * (after reporting) when absent. Caller frees. */
char *sqlp_parse_name(parser *p, const char *what, size_t *off);
/* A string literal's value; NULL (after reporting) when absent. Caller frees. */
char *sqlp_parse_string(parser *p, const char *what);

/* ---- parts of a statement ---- */

/* sqlparse_clauses.c: the column list at '(' (columns and CONSTRAINT ...
 * EXPECT) into s->columns and s->expects. */
bool sqlp_parse_elements(parser *p, sql_stmt *s);
/* sqlparse_clauses.c: COMMENT, TBLPROPERTIES, PARTITIONED BY, CLUSTER BY, in
 * any order. */
bool sqlp_parse_clauses(parser *p, sql_stmt *s);
/* sqlparse_cdc.c: after AUTO CDC (or APPLY CHANGES): INTO target FROM
 * STREAM(source) KEYS (...) and its clauses, into s->target, s->refs and a
 * new s->cdc. */
bool sqlp_parse_cdc(parser *p, sql_stmt *s);

#endif
