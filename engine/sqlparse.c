/*
 * sqlparse.c - parser of the pipeline SQL dialect (see sqlparse.h).
 *
 * A file is first cut into statements at top-level ';' tokens (the lexer has
 * already kept ';' inside strings, identifiers and comments apart). Each
 * statement is parsed alone by recursive descent, so one bad statement costs
 * only itself: the problem is reported and parsing goes on.
 *
 * This file holds the token cursor and the statements themselves; the column
 * list and table clauses are parsed in sqlparse_clauses.c and AUTO CDC flows
 * in sqlparse_cdc.c (the three share sqlparse_int.h); sqlparse_refs.c finds
 * the tables a query reads.
 */
#include "sqlparse_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ======================= the token cursor ======================= */

token sqlp_peek_at(const parser *p, size_t k)
{
    if (p->i + k < p->n) return p->t[p->i + k];
    token eof = {TK_EOF, p->end_off, 0};
    return eof;
}

token sqlp_peek(const parser *p)
{
    return sqlp_peek_at(p, 0);
}

token sqlp_advance(parser *p)
{
    token t = sqlp_peek(p);
    if (p->i < p->n) p->i++;
    return t;
}

bool sqlp_at(const parser *p, const char *kw)
{
    return lex_is(p->text, sqlp_peek(p), kw);
}

bool sqlp_at_punct(const parser *p, char c)
{
    return lex_punct(p->text, sqlp_peek(p), c);
}

bool sqlp_accept(parser *p, const char *kw)
{
    if (!sqlp_at(p, kw)) return false;
    p->i++;
    return true;
}

bool sqlp_accept_punct(parser *p, char c)
{
    if (!sqlp_at_punct(p, c)) return false;
    p->i++;
    return true;
}

/* Reports a problem at token t (once per statement) and marks it failed. */
void sqlp_fail_at(parser *p, token t, const char *fmt, ...)
{
    if (p->failed) return;
    p->failed = true;
    p->errors++;
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    p->err(p->ctx, t.off, msg);
    free(msg);
}

/* "'word'" or "end of statement", for messages; static buffer per call site. */
static const char *describe(const parser *p, token t, char buf[48])
{
    if (t.kind == TK_EOF) return "end of statement";
    size_t n = t.len > 24 ? 24 : t.len;
    snprintf(buf, 48, "'%.*s%s'", (int)n, p->text + t.off, t.len > 24 ? "..." : "");
    return buf;
}

void sqlp_expected(parser *p, const char *what)
{
    char buf[48];
    token t = sqlp_peek(p);
    sqlp_fail_at(p, t, "expected %s, found %s", what, describe(p, t, buf));
}

bool sqlp_expect_kw(parser *p, const char *kw)
{
    if (sqlp_accept(p, kw)) return true;
    sqlp_expected(p, kw);
    return false;
}

bool sqlp_expect_punct(parser *p, char c)
{
    if (sqlp_accept_punct(p, c)) return true;
    char what[4] = {'\'', c, '\'', 0};
    sqlp_expected(p, what);
    return false;
}

/* Index of the token closing the '(' at index open, or n when unbalanced. */
size_t sqlp_match_paren(const char *text, const token *t, size_t n, size_t open)
{
    int depth = 0;
    for (size_t k = open; k < n; k++) {
        if (lex_punct(text, t[k], '(')) depth++;
        else if (lex_punct(text, t[k], ')') && --depth == 0) return k;
    }
    return n;
}

/* Parses a name (bare or quoted); NULL (after reporting) when absent. */
/* Words that cannot be a bare name here: they mean the name is missing. */
static bool reserved_word(const parser *p, token t)
{
    static const char *const words[] = {"AS", "SELECT", "WITH", "FROM", "VALUES",
                                        "WHERE", "INSERT", "BY", NULL};
    for (int i = 0; words[i]; i++)
        if (lex_is(p->text, t, words[i])) return true;
    return false;
}

char *sqlp_parse_name(parser *p, const char *what, size_t *off)
{
    token t = sqlp_peek(p);
    if (!lex_is_name(t) || reserved_word(p, t)) {
        sqlp_expected(p, what);
        return NULL;
    }
    p->i++;
    if (off) *off = t.off;
    return lex_name(p->text, t);
}

char *sqlp_parse_string(parser *p, const char *what)
{
    token t = sqlp_peek(p);
    if (t.kind != TK_STRING) {
        sqlp_expected(p, what);
        return NULL;
    }
    p->i++;
    return lex_string(p->text, t);
}

/* ======================= statements ======================= */

/* The query runs from the current token to the end of the statement. */
static bool parse_query(parser *p, sql_stmt *s)
{
    token t = sqlp_peek(p);
    if (!(lex_is(p->text, t, "SELECT") || lex_is(p->text, t, "WITH") ||
          lex_is(p->text, t, "VALUES") || lex_punct(p->text, t, '('))) {
        sqlp_expected(p, "a query (SELECT, WITH or VALUES)");
        return false;
    }
    token last = p->t[p->n - 1];
    s->has_query = true;
    s->query_off = t.off;
    s->query_len = last.off + last.len - t.off;
    sql_scan_refs(p->text, s->query_off, s->query_len, &s->refs, &s->ctes);
    p->i = p->n;
    return true;
}

/* After CREATE [OR REFRESH]: the kind words. */
static bool parse_kind(parser *p, sql_stmt *s)
{
    sqlp_accept(p, "PRIVATE");
    if (sqlp_accept(p, "STREAMING")) {
        sqlp_accept(p, "LIVE");
        s->kind = SQL_STREAMING_TABLE;
        return sqlp_expect_kw(p, "TABLE");
    }
    if (sqlp_accept(p, "MATERIALIZED")) {
        s->kind = SQL_MATERIALIZED_VIEW;
        return sqlp_expect_kw(p, "VIEW");
    }
    if (sqlp_accept(p, "LIVE")) { /* legacy DLT spelling */
        if (sqlp_accept(p, "TABLE")) s->kind = SQL_MATERIALIZED_VIEW;
        else if (sqlp_accept(p, "VIEW")) s->kind = SQL_TEMP_VIEW;
        else {
            sqlp_expected(p, "TABLE or VIEW");
            return false;
        }
        return true;
    }
    if (sqlp_accept(p, "TEMPORARY") || sqlp_accept(p, "TEMP")) {
        sqlp_accept(p, "LIVE");
        s->kind = SQL_TEMP_VIEW;
        return sqlp_expect_kw(p, "VIEW");
    }
    if (sqlp_accept(p, "FLOW")) {
        s->kind = SQL_FLOW;
        return true;
    }
    sqlp_expected(p, "STREAMING TABLE, MATERIALIZED VIEW, TEMPORARY VIEW or FLOW");
    return false;
}

static bool parse_flow(parser *p, sql_stmt *s)
{
    if (!sqlp_parse_clauses(p, s)) return false;
    if (!sqlp_expect_kw(p, "AS")) return false;
    if (sqlp_accept(p, "AUTO")) {
        if (!sqlp_expect_kw(p, "CDC")) return false;
        return sqlp_parse_cdc(p, s);
    }
    if (sqlp_accept(p, "APPLY")) { /* the older spelling: APPLY CHANGES INTO */
        if (!sqlp_expect_kw(p, "CHANGES")) return false;
        return sqlp_parse_cdc(p, s);
    }
    if (!sqlp_expect_kw(p, "INSERT")) return false;
    if (!sqlp_expect_kw(p, "INTO")) return false;
    s->target = sqlp_parse_name(p, "a target table", &s->target_off);
    if (!s->target) return false;
    if (sqlp_accept(p, "BY") && !sqlp_expect_kw(p, "NAME")) return false;
    return parse_query(p, s);
}

/* AUTO CDC INTO t ... / APPLY CHANGES INTO t ... written alone: a flow named
 * after its target. */
static bool parse_bare_cdc(parser *p, sql_stmt *s)
{
    s->kind = SQL_FLOW;
    s->name_off = sqlp_peek(p).off;
    if (sqlp_accept(p, "AUTO")) {
        if (!sqlp_expect_kw(p, "CDC")) return false;
    } else {
        p->i++; /* APPLY */
        if (!sqlp_expect_kw(p, "CHANGES")) return false;
    }
    if (!sqlp_parse_cdc(p, s)) return false;
    s->name = xstrdup(s->target);
    return true;
}

static bool parse_create(parser *p, sql_stmt *s)
{
    if ((sqlp_at(p, "AUTO") && lex_is(p->text, sqlp_peek_at(p, 1), "CDC")) ||
        (sqlp_at(p, "APPLY") && lex_is(p->text, sqlp_peek_at(p, 1), "CHANGES")))
        return parse_bare_cdc(p, s);
    if (!sqlp_accept(p, "CREATE")) {
        char buf[48];
        sqlp_fail_at(p, sqlp_peek(p), "expected CREATE, found %s (pipeline files hold only "
                     "CREATE statements)", describe(p, sqlp_peek(p), buf));
        return false;
    }
    if (sqlp_accept(p, "OR")) {
        if (!sqlp_expect_kw(p, "REFRESH")) return false;
        s->or_refresh = true;
    }
    if (!parse_kind(p, s)) return false;
    if (sqlp_accept(p, "IF")) {
        if (!sqlp_expect_kw(p, "NOT") || !sqlp_expect_kw(p, "EXISTS")) return false;
    }
    const char *what = s->kind == SQL_FLOW ? "a flow name" : "a dataset name";
    s->name = sqlp_parse_name(p, what, &s->name_off);
    if (!s->name) return false;
    if (sqlp_at_punct(p, '.')) {
        sqlp_fail_at(p, sqlp_peek(p), "qualified names (catalog.schema.name) are not supported: "
                     "name the dataset alone");
        return false;
    }
    if (s->kind == SQL_FLOW) return parse_flow(p, s);
    if (sqlp_at_punct(p, '(') && !sqlp_parse_elements(p, s)) return false;
    if (!sqlp_parse_clauses(p, s)) return false;
    if (sqlp_accept(p, "AS")) return parse_query(p, s);
    if (sqlp_peek(p).kind != TK_EOF) {
        sqlp_expected(p, "AS, COMMENT or TBLPROPERTIES");
        return false;
    }
    if (s->kind != SQL_STREAMING_TABLE) {
        sqlp_fail_at(p, p->t[p->n - 1], "a %s needs a query: AS SELECT ...",
                     sql_kind_name(s->kind));
        return false;
    }
    return true;
}

static void error_cb_default(void *ctx, size_t off, const char *msg)
{
    (void)ctx;
    (void)off;
    (void)msg;
}

/* Reports the first lexical error in toks[a..b); true when there is one. */
static bool report_lex_error(const char *text, size_t len, const token *t, size_t a,
                             size_t b, sql_error_fn err, void *ctx)
{
    for (size_t k = a; k < b; k++) {
        if (t[k].kind != TK_ERROR) continue;
        size_t pos = t[k].off;
        const char *msg = "unexpected character";
        lex_next(text, len, &pos, &msg);
        err(ctx, t[k].off, msg);
        return true;
    }
    return false;
}

int sql_parse(const char *text, size_t len, sql_stmtvec *out, strvec *broken,
              sql_error_fn err, void *ctx)
{
    tokvec toks = {0};
    lex_all(text, len, false, &toks, NULL);
    int errors = 0;
    if (!err) err = error_cb_default;
    size_t start = 0;
    for (size_t k = 0; k <= toks.n; k++) {
        if (k < toks.n && !lex_punct(text, toks.v[k], ';')) continue;
        if (k > start) {
            sql_stmt s = {0};
            s.span_off = toks.v[start].off;
            size_t last = k < toks.n ? k : k - 1; /* the ';' is part of the span */
            s.span_len = toks.v[last].off + toks.v[last].len - s.span_off;
            if (report_lex_error(text, len, toks.v, start, k, err, ctx)) {
                errors++;
                /* read the name anyway (quietly) so that its readers are not reported */
                parser p = {text, toks.v + start, k - start, 0, 0, error_cb_default, NULL, 0,
                            false};
                p.end_off = k < toks.n ? toks.v[k].off : len;
                parse_create(&p, &s);
                if (broken && s.name) VEC_PUSH(broken, xstrdup(s.name));
                sql_stmt_free(&s);
            } else {
                parser p = {text, toks.v + start, k - start, 0, 0, err, ctx, 0, false};
                p.end_off = k < toks.n ? toks.v[k].off : len;
                if (parse_create(&p, &s) && p.i < p.n) sqlp_expected(&p, "';' or end of statement");
                errors += p.errors;
                if (p.failed && broken && s.name) VEC_PUSH(broken, xstrdup(s.name));
                if (p.failed) sql_stmt_free(&s);
                else VEC_PUSH(out, s);
            }
        }
        start = k + 1;
    }
    VEC_FREE(&toks);
    return errors;
}

/* ======================= helpers ======================= */

void sql_refs_free(sql_refvec *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->v[i].name);
        free(v->v[i].schema);
    }
    VEC_FREE(v);
}

void sql_stmt_free(sql_stmt *s)
{
    free(s->name);
    free(s->target);
    free(s->comment);
    for (size_t i = 0; i < s->columns.n; i++) {
        free(s->columns.v[i].name);
        free(s->columns.v[i].type);
        free(s->columns.v[i].comment);
    }
    VEC_FREE(&s->columns);
    for (size_t i = 0; i < s->expects.n; i++) {
        free(s->expects.v[i].name);
        free(s->expects.v[i].expr);
    }
    VEC_FREE(&s->expects);
    for (size_t i = 0; i < s->props.n; i++) {
        free(s->props.v[i].key);
        free(s->props.v[i].value);
    }
    VEC_FREE(&s->props);
    sql_refs_free(&s->refs);
    strvec_free(&s->ctes);
    if (s->cdc) {
        strvec_free(&s->cdc->keys);
        strvec_free(&s->cdc->columns);
        strvec_free(&s->cdc->track);
        free(s->cdc);
    }
    memset(s, 0, sizeof(*s));
}

void sql_stmts_free(sql_stmtvec *v)
{
    for (size_t i = 0; i < v->n; i++) sql_stmt_free(&v->v[i]);
    VEC_FREE(v);
}

const char *sql_kind_name(sql_kind k)
{
    switch (k) {
    case SQL_STREAMING_TABLE: return "streaming table";
    case SQL_MATERIALIZED_VIEW: return "materialized view";
    case SQL_TEMP_VIEW: return "temporary view";
    default: return "flow";
    }
}

const char *sql_violation_name(sql_violation v)
{
    switch (v) {
    case SQL_DROP_ROW: return "drop";
    case SQL_FAIL_UPDATE: return "fail";
    default: return "warn";
    }
}

char *sql_sqlite_type(const char *spark_type)
{
    if (!spark_type || !*spark_type) return xstrdup("");
    char head[16] = {0};
    size_t n = 0;
    while (spark_type[n] && isalpha((unsigned char)spark_type[n]) && n < sizeof(head) - 1) {
        head[n] = (char)toupper((unsigned char)spark_type[n]);
        n++;
    }
    static const char *const text_types[] = {"STRING", "VARCHAR", "CHAR", "ARRAY", "MAP",
                                             "STRUCT", "VARIANT", "INTERVAL", NULL};
    for (int i = 0; text_types[i]; i++)
        if (!strcmp(head, text_types[i])) return xstrdup("TEXT");
    if (!strcmp(head, "BINARY")) return xstrdup("BLOB");
    if (!strcmp(head, "LONG") || !strcmp(head, "SHORT") || !strcmp(head, "BYTE"))
        return xstrdup("INTEGER");
    return xstrdup(spark_type);
}
