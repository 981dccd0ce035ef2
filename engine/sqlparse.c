/*
 * sqlparse.c - parser of the pipeline SQL dialect (see sqlparse.h).
 *
 * A file is first cut into statements at top-level ';' tokens (the lexer has
 * already kept ';' inside strings, identifiers and comments apart). Each
 * statement is parsed alone by recursive descent, so one bad statement costs
 * only itself: the problem is reported and parsing goes on.
 */
#include "sqlparse.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ======================= parser state ======================= */

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

static token peek_at(const parser *p, size_t k)
{
    if (p->i + k < p->n) return p->t[p->i + k];
    token eof = {TK_EOF, p->end_off, 0};
    return eof;
}

static token peek(const parser *p)
{
    return peek_at(p, 0);
}

static token advance(parser *p)
{
    token t = peek(p);
    if (p->i < p->n) p->i++;
    return t;
}

static bool at(const parser *p, const char *kw)
{
    return lex_is(p->text, peek(p), kw);
}

static bool at_punct(const parser *p, char c)
{
    return lex_punct(p->text, peek(p), c);
}

static bool accept(parser *p, const char *kw)
{
    if (!at(p, kw)) return false;
    p->i++;
    return true;
}

static bool accept_punct(parser *p, char c)
{
    if (!at_punct(p, c)) return false;
    p->i++;
    return true;
}

/* Reports a problem at token t (once per statement) and marks it failed. */
static void fail_at(parser *p, token t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail_at(parser *p, token t, const char *fmt, ...)
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

static void expected(parser *p, const char *what)
{
    char buf[48];
    token t = peek(p);
    fail_at(p, t, "expected %s, found %s", what, describe(p, t, buf));
}

static bool expect_kw(parser *p, const char *kw)
{
    if (accept(p, kw)) return true;
    expected(p, kw);
    return false;
}

static bool expect_punct(parser *p, char c)
{
    if (accept_punct(p, c)) return true;
    char what[4] = {'\'', c, '\'', 0};
    expected(p, what);
    return false;
}

/* Index of the token closing the '(' at index open, or n when unbalanced. */
static size_t match_paren(const char *text, const token *t, size_t n, size_t open)
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

static char *parse_name(parser *p, const char *what, size_t *off)
{
    token t = peek(p);
    if (!lex_is_name(t) || reserved_word(p, t)) {
        expected(p, what);
        return NULL;
    }
    p->i++;
    if (off) *off = t.off;
    return lex_name(p->text, t);
}

static char *parse_string(parser *p, const char *what)
{
    token t = peek(p);
    if (t.kind != TK_STRING) {
        expected(p, what);
        return NULL;
    }
    p->i++;
    return lex_string(p->text, t);
}

/* ======================= column list ======================= */

static bool parse_expect(parser *p, sql_stmt *s)
{
    sql_expect e = {0};
    e.off = peek(p).off;
    p->i++; /* CONSTRAINT */
    e.name = parse_name(p, "a constraint name", NULL);
    if (!e.name) return false;
    if (!at(p, "EXPECT")) {
        expected(p, "EXPECT (only expectations are supported as constraints)");
        free(e.name);
        return false;
    }
    p->i++;
    if (!at_punct(p, '(')) {
        expected(p, "'(' after EXPECT");
        free(e.name);
        return false;
    }
    size_t open = p->i, close = match_paren(p->text, p->t, p->n, open);
    if (close >= p->n) {
        fail_at(p, p->t[open], "unbalanced '(' in EXPECT");
        free(e.name);
        return false;
    }
    if (close == open + 1) {
        fail_at(p, p->t[close], "EXPECT needs an expression");
        free(e.name);
        return false;
    }
    e.expr_off = p->t[open + 1].off;
    size_t end = p->t[close - 1].off + p->t[close - 1].len;
    e.expr = xstrndup(p->text + e.expr_off, end - e.expr_off);
    p->i = close + 1;
    e.action = SQL_WARN;
    if (accept(p, "ON")) {
        if (!expect_kw(p, "VIOLATION")) goto bad;
        if (accept(p, "DROP")) {
            if (!expect_kw(p, "ROW")) goto bad;
            e.action = SQL_DROP_ROW;
        } else if (accept(p, "FAIL")) {
            if (!expect_kw(p, "UPDATE")) goto bad;
            e.action = SQL_FAIL_UPDATE;
        } else {
            expected(p, "DROP ROW or FAIL UPDATE");
            goto bad;
        }
    }
    for (size_t k = 0; k < s->expects.n; k++)
        if (str_ieq(s->expects.v[k].name, e.name)) {
            token t = {TK_WORD, e.off, 10};
            fail_at(p, t, "expectation '%s' is defined twice", e.name);
            goto bad;
        }
    VEC_PUSH(&s->expects, e);
    return true;
bad:
    free(e.name);
    free(e.expr);
    return false;
}

/* A column type runs to the next ',' or ')' outside (), <> nesting, or to a
 * column option (NOT NULL, COMMENT, ...). */
static bool type_stops(const parser *p, token t, int depth)
{
    if (t.kind == TK_EOF) return true;
    if (depth > 0) return false;
    return lex_punct(p->text, t, ',') || lex_punct(p->text, t, ')') ||
           lex_is(p->text, t, "NOT") || lex_is(p->text, t, "COMMENT") ||
           lex_is(p->text, t, "NULL") || lex_is(p->text, t, "PRIMARY") ||
           lex_is(p->text, t, "GENERATED");
}

static bool parse_column(parser *p, sql_stmt *s)
{
    sql_column c = {0};
    c.off = peek(p).off;
    c.name = parse_name(p, "a column name or CONSTRAINT", NULL);
    if (!c.name) return false;
    for (size_t k = 0; k < s->columns.n; k++)
        if (str_ieq(s->columns.v[k].name, c.name)) {
            token t = {TK_WORD, c.off, 1};
            fail_at(p, t, "column '%s' is declared twice", c.name);
            free(c.name);
            return false;
        }
    int depth = 0;
    size_t first = p->i;
    while (!type_stops(p, peek(p), depth)) {
        token t = advance(p);
        if (lex_punct(p->text, t, '(') || lex_punct(p->text, t, '<')) depth++;
        else if (lex_punct(p->text, t, ')') || lex_punct(p->text, t, '>')) depth--;
        else if (t.kind == TK_PUNCT && t.len == 2 && p->text[t.off] == '>' &&
                 p->text[t.off + 1] == '>')
            depth -= 2; /* ARRAY<MAP<A,B>> lexes '>>' as one token */
    }
    if (p->i > first) {
        size_t a = p->t[first].off, z = p->t[p->i - 1].off + p->t[p->i - 1].len;
        c.type = xstrndup(p->text + a, z - a);
    }
    for (;;) {
        if (accept(p, "NOT")) {
            if (!expect_kw(p, "NULL")) goto bad;
            c.not_null = true;
        } else if (accept(p, "NULL")) {
        } else if (accept(p, "COMMENT")) {
            free(c.comment);
            c.comment = parse_string(p, "a comment string");
            if (!c.comment) goto bad;
        } else break;
    }
    VEC_PUSH(&s->columns, c);
    return true;
bad:
    free(c.name);
    free(c.type);
    free(c.comment);
    return false;
}

static bool parse_elements(parser *p, sql_stmt *s)
{
    p->i++; /* '(' */
    if (at_punct(p, ')')) {
        expected(p, "a column or a CONSTRAINT");
        return false;
    }
    for (;;) {
        bool ok = at(p, "CONSTRAINT") ? parse_expect(p, s) : parse_column(p, s);
        if (!ok) return false;
        if (accept_punct(p, ',')) continue;
        return expect_punct(p, ')');
    }
}

/* ======================= clauses ======================= */

static bool parse_props(parser *p, sql_stmt *s)
{
    if (!expect_punct(p, '(')) return false;
    for (;;) {
        token t = peek(p);
        char *key;
        if (t.kind == TK_STRING) {
            key = lex_string(p->text, t);
            p->i++;
        } else if (lex_is_name(t)) {
            /* dotted keys: delta.appendOnly */
            sb b = {0};
            for (;;) {
                char *part = lex_name(p->text, advance(p));
                sb_add(&b, part);
                free(part);
                if (!at_punct(p, '.') || !lex_is_name(peek_at(p, 1))) break;
                p->i++;
                sb_addc(&b, '.');
            }
            key = sb_take(&b);
        } else {
            expected(p, "a property name");
            return false;
        }
        char *val = NULL;
        if (accept_punct(p, '=')) {
            token v = peek(p);
            if (v.kind == TK_STRING) val = lex_string(p->text, v);
            else if (v.kind == TK_NUMBER || v.kind == TK_WORD) val = xstrndup(p->text + v.off, v.len);
            else {
                free(key);
                expected(p, "a property value");
                return false;
            }
            p->i++;
        }
        sql_prop pr = {key, val ? val : xstrdup("")};
        VEC_PUSH(&s->props, pr);
        if (accept_punct(p, ',')) continue;
        return expect_punct(p, ')');
    }
}

/* Skips a parenthesized list, for clauses tarn accepts but SQLite has no use
 * for (PARTITIONED BY, CLUSTER BY). */
static bool skip_parens(parser *p)
{
    if (!at_punct(p, '(')) {
        expected(p, "'('");
        return false;
    }
    size_t close = match_paren(p->text, p->t, p->n, p->i);
    if (close >= p->n) {
        fail_at(p, peek(p), "unbalanced '('");
        return false;
    }
    p->i = close + 1;
    return true;
}

/* COMMENT, TBLPROPERTIES, PARTITIONED BY, CLUSTER BY, in any order. */
static bool parse_clauses(parser *p, sql_stmt *s)
{
    for (;;) {
        if (accept(p, "COMMENT")) {
            free(s->comment);
            s->comment = parse_string(p, "a comment string");
            if (!s->comment) return false;
        } else if (accept(p, "TBLPROPERTIES")) {
            if (!parse_props(p, s)) return false;
        } else if (accept(p, "PARTITIONED") || accept(p, "CLUSTER")) {
            if (!expect_kw(p, "BY") || !skip_parens(p)) return false;
        } else return true;
    }
}

/* The query runs from the current token to the end of the statement. */
static bool parse_query(parser *p, sql_stmt *s)
{
    token t = peek(p);
    if (!(lex_is(p->text, t, "SELECT") || lex_is(p->text, t, "WITH") ||
          lex_is(p->text, t, "VALUES") || lex_punct(p->text, t, '('))) {
        expected(p, "a query (SELECT, WITH or VALUES)");
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

/* ======================= statements ======================= */

/* After CREATE [OR REFRESH]: the kind words. */
static bool parse_kind(parser *p, sql_stmt *s)
{
    accept(p, "PRIVATE");
    if (accept(p, "STREAMING")) {
        accept(p, "LIVE");
        s->kind = SQL_STREAMING_TABLE;
        return expect_kw(p, "TABLE");
    }
    if (accept(p, "MATERIALIZED")) {
        s->kind = SQL_MATERIALIZED_VIEW;
        return expect_kw(p, "VIEW");
    }
    if (accept(p, "LIVE")) { /* legacy DLT spelling */
        if (accept(p, "TABLE")) s->kind = SQL_MATERIALIZED_VIEW;
        else if (accept(p, "VIEW")) s->kind = SQL_TEMP_VIEW;
        else {
            expected(p, "TABLE or VIEW");
            return false;
        }
        return true;
    }
    if (accept(p, "TEMPORARY") || accept(p, "TEMP")) {
        accept(p, "LIVE");
        s->kind = SQL_TEMP_VIEW;
        return expect_kw(p, "VIEW");
    }
    if (accept(p, "FLOW")) {
        s->kind = SQL_FLOW;
        return true;
    }
    expected(p, "STREAMING TABLE, MATERIALIZED VIEW, TEMPORARY VIEW or FLOW");
    return false;
}

/* ---- AUTO CDC ---- */

/* Words that start a clause of AUTO CDC (and so end an expression). */
static bool cdc_clause_start(const parser *p, token t)
{
    static const char *const words[] = {"KEYS", "IGNORE", "APPLY", "SEQUENCE", "COLUMNS",
                                        "STORED", "TRACK", NULL};
    for (int i = 0; words[i]; i++)
        if (lex_is(p->text, t, words[i])) return true;
    return false;
}

/* An expression running to the next clause word outside parentheses. */
static bool parse_cdc_expr(parser *p, const char *what, size_t *off, size_t *len)
{
    size_t first = p->i;
    int depth = 0;
    while (peek(p).kind != TK_EOF && (depth > 0 || !cdc_clause_start(p, peek(p)))) {
        token t = advance(p);
        if (lex_punct(p->text, t, '(')) depth++;
        else if (lex_punct(p->text, t, ')')) depth--;
    }
    if (p->i == first) {
        expected(p, what);
        return false;
    }
    *off = p->t[first].off;
    *len = p->t[p->i - 1].off + p->t[p->i - 1].len - *off;
    return true;
}

/* ( name, ... ) */
static bool parse_name_list(parser *p, strvec *out)
{
    if (!expect_punct(p, '(')) return false;
    do {
        char *n = parse_name(p, "a column name", NULL);
        if (!n) return false;
        VEC_PUSH(out, n);
    } while (accept_punct(p, ','));
    return expect_punct(p, ')');
}

/* a, b, c  or  * EXCEPT (a, b) */
static bool parse_column_choice(parser *p, strvec *out, bool *except)
{
    if (accept_punct(p, '*')) {
        if (!expect_kw(p, "EXCEPT")) return false;
        *except = true;
        return parse_name_list(p, out);
    }
    do {
        char *n = parse_name(p, "a column name or * EXCEPT (...)", NULL);
        if (!n) return false;
        VEC_PUSH(out, n);
    } while (accept_punct(p, ','));
    return true;
}

/* FROM STREAM(source): recorded as the statement's one reference. */
static bool parse_cdc_source(parser *p, sql_stmt *s)
{
    if (!expect_kw(p, "FROM")) return false;
    token first = peek(p);
    if (!lex_is(p->text, first, "STREAM")) {
        expected(p, "STREAM(source): AUTO CDC reads its source incrementally");
        return false;
    }
    p->i++;
    bool paren = accept_punct(p, '(');
    sql_ref r = {0};
    r.off = first.off;
    r.stream = true;
    token nt = peek(p);
    r.name = parse_name(p, "a source table", &r.name_off);
    if (!r.name) return false;
    if (accept_punct(p, '.')) {
        r.schema = r.name;
        r.name = parse_name(p, "a source table", &r.name_off);
        if (!r.name) {
            free(r.schema);
            return false;
        }
        if (str_ieq(r.schema, "LIVE") && nt.kind == TK_WORD) {
            free(r.schema);
            r.schema = NULL;
            r.live = true;
        }
    }
    if (paren && !expect_punct(p, ')')) {
        free(r.name);
        free(r.schema);
        return false;
    }
    r.end = p->t[p->i - 1].off + p->t[p->i - 1].len;
    VEC_PUSH(&s->refs, r);
    return true;
}

static bool parse_cdc(parser *p, sql_stmt *s)
{
    sql_cdc *c = s->cdc = xcalloc(1, sizeof(sql_cdc));
    c->scd_type = 1;
    if (!expect_kw(p, "INTO")) return false;
    s->target = parse_name(p, "a target table", &s->target_off);
    if (!s->target) return false;
    if (accept_punct(p, '.')) { /* LIVE.target */
        free(s->target);
        s->target = parse_name(p, "a target table", &s->target_off);
        if (!s->target) return false;
    }
    if (!parse_cdc_source(p, s)) return false;
    if (!at(p, "KEYS")) {
        expected(p, "KEYS (...)");
        return false;
    }
    c->keys_off = peek(p).off;
    p->i++;
    if (!parse_name_list(p, &c->keys)) return false;
    bool have_seq = false;
    while (peek(p).kind != TK_EOF) {
        if (accept(p, "IGNORE")) {
            if (!expect_kw(p, "NULL") || !expect_kw(p, "UPDATES")) return false;
            c->ignore_null_updates = true;
        } else if (accept(p, "APPLY")) {
            if (!expect_kw(p, "AS")) return false;
            bool del = accept(p, "DELETE");
            if (!del && !accept(p, "TRUNCATE")) {
                expected(p, "DELETE or TRUNCATE");
                return false;
            }
            if (!expect_kw(p, "WHEN")) return false;
            if (!parse_cdc_expr(p, "a condition", del ? &c->delete_off : &c->truncate_off,
                                del ? &c->delete_len : &c->truncate_len))
                return false;
        } else if (accept(p, "SEQUENCE")) {
            if (!expect_kw(p, "BY") ||
                !parse_cdc_expr(p, "a sequencing column", &c->seq_off, &c->seq_len))
                return false;
            have_seq = true;
        } else if (accept(p, "COLUMNS")) {
            if (!parse_column_choice(p, &c->columns, &c->columns_except)) return false;
        } else if (accept(p, "STORED")) {
            if (!expect_kw(p, "AS") || !expect_kw(p, "SCD") || !expect_kw(p, "TYPE"))
                return false;
            token t = peek(p);
            if (t.kind != TK_NUMBER || t.len != 1 || (p->text[t.off] != '1' &&
                                                     p->text[t.off] != '2')) {
                expected(p, "1 or 2");
                return false;
            }
            c->scd_type = p->text[t.off] - '0';
            p->i++;
        } else if (accept(p, "TRACK")) {
            if (!expect_kw(p, "HISTORY") || !expect_kw(p, "ON")) return false;
            c->track_set = true;
            if (!parse_column_choice(p, &c->track, &c->track_except)) return false;
        } else {
            expected(p, "SEQUENCE BY, APPLY AS, COLUMNS, STORED AS or TRACK HISTORY ON");
            return false;
        }
    }
    if (!have_seq) {
        fail_at(p, p->t[p->n - 1], "AUTO CDC needs SEQUENCE BY: the column that orders "
                                  "the change events");
        return false;
    }
    if (c->track_set && c->scd_type != 2) {
        fail_at(p, p->t[p->n - 1], "TRACK HISTORY ON goes with STORED AS SCD TYPE 2");
        return false;
    }
    if (c->truncate_len && c->scd_type == 2) {
        fail_at(p, p->t[p->n - 1], "APPLY AS TRUNCATE WHEN is for SCD TYPE 1 only");
        return false;
    }
    return true;
}

static bool parse_flow(parser *p, sql_stmt *s)
{
    if (!parse_clauses(p, s)) return false;
    if (!expect_kw(p, "AS")) return false;
    if (accept(p, "AUTO")) {
        if (!expect_kw(p, "CDC")) return false;
        return parse_cdc(p, s);
    }
    if (accept(p, "APPLY")) { /* the older spelling: APPLY CHANGES INTO */
        if (!expect_kw(p, "CHANGES")) return false;
        return parse_cdc(p, s);
    }
    if (!expect_kw(p, "INSERT")) return false;
    if (!expect_kw(p, "INTO")) return false;
    s->target = parse_name(p, "a target table", &s->target_off);
    if (!s->target) return false;
    if (accept(p, "BY") && !expect_kw(p, "NAME")) return false;
    return parse_query(p, s);
}

/* AUTO CDC INTO t ... / APPLY CHANGES INTO t ... written alone: a flow named
 * after its target. */
static bool parse_bare_cdc(parser *p, sql_stmt *s)
{
    s->kind = SQL_FLOW;
    s->name_off = peek(p).off;
    if (accept(p, "AUTO")) {
        if (!expect_kw(p, "CDC")) return false;
    } else {
        p->i++; /* APPLY */
        if (!expect_kw(p, "CHANGES")) return false;
    }
    if (!parse_cdc(p, s)) return false;
    s->name = xstrdup(s->target);
    return true;
}

static bool parse_create(parser *p, sql_stmt *s)
{
    if ((at(p, "AUTO") && lex_is(p->text, peek_at(p, 1), "CDC")) ||
        (at(p, "APPLY") && lex_is(p->text, peek_at(p, 1), "CHANGES")))
        return parse_bare_cdc(p, s);
    if (!accept(p, "CREATE")) {
        char buf[48];
        fail_at(p, peek(p), "expected CREATE, found %s (pipeline files hold only "
                "CREATE statements)", describe(p, peek(p), buf));
        return false;
    }
    if (accept(p, "OR")) {
        if (!expect_kw(p, "REFRESH")) return false;
        s->or_refresh = true;
    }
    if (!parse_kind(p, s)) return false;
    if (accept(p, "IF")) {
        if (!expect_kw(p, "NOT") || !expect_kw(p, "EXISTS")) return false;
    }
    const char *what = s->kind == SQL_FLOW ? "a flow name" : "a dataset name";
    s->name = parse_name(p, what, &s->name_off);
    if (!s->name) return false;
    if (at_punct(p, '.')) {
        fail_at(p, peek(p), "qualified names (catalog.schema.name) are not supported: "
                "name the dataset alone");
        return false;
    }
    if (s->kind == SQL_FLOW) return parse_flow(p, s);
    if (at_punct(p, '(') && !parse_elements(p, s)) return false;
    if (!parse_clauses(p, s)) return false;
    if (accept(p, "AS")) return parse_query(p, s);
    if (peek(p).kind != TK_EOF) {
        expected(p, "AS, COMMENT or TBLPROPERTIES");
        return false;
    }
    if (s->kind != SQL_STREAMING_TABLE) {
        fail_at(p, p->t[p->n - 1], "a %s needs a query: AS SELECT ...",
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
                if (parse_create(&p, &s) && p.i < p.n) expected(&p, "';' or end of statement");
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

/* ======================= query references ======================= */

typedef struct scanner {
    const char *text;
    const token *t;
    size_t n;
    size_t *close;   /* close[k]: index of ')' matching '(' at k, else n */
    sql_refvec *refs;
    strvec *ctes;
} scanner;

static void scan_range(scanner *sc, size_t a, size_t b);

static bool sc_is(const scanner *sc, size_t k, const char *kw)
{
    return k < sc->n && lex_is(sc->text, sc->t[k], kw);
}

static bool sc_punct(const scanner *sc, size_t k, char c)
{
    return k < sc->n && lex_punct(sc->text, sc->t[k], c);
}

/* Records WITH names: WITH [RECURSIVE] n [(cols)] AS [NOT] [MATERIALIZED] (...), ... */
static void scan_ctes(scanner *sc, size_t k, size_t b)
{
    if (sc_is(sc, k, "RECURSIVE")) k++;
    while (k < b && lex_is_name(sc->t[k])) {
        VEC_PUSH(sc->ctes, lex_name(sc->text, sc->t[k]));
        k++;
        if (sc_punct(sc, k, '(')) k = sc->close[k] + 1;
        if (!sc_is(sc, k, "AS")) return;
        k++;
        if (sc_is(sc, k, "NOT")) k++;
        if (sc_is(sc, k, "MATERIALIZED")) k++;
        if (!sc_punct(sc, k, '(')) return;
        k = sc->close[k] + 1;
        if (!sc_punct(sc, k, ',')) return;
        k++;
    }
}

/* Reads [schema.]name at k into r; returns the index after it, or k. */
static size_t scan_name(scanner *sc, size_t k, size_t b, sql_ref *r)
{
    if (k >= b || !lex_is_name(sc->t[k])) return k;
    if (k + 2 < b && sc_punct(sc, k + 1, '.') && lex_is_name(sc->t[k + 2])) {
        r->schema = lex_name(sc->text, sc->t[k]);
        if (sc->t[k].kind == TK_WORD && str_ieq(r->schema, "LIVE")) {
            free(r->schema);
            r->schema = NULL;
            r->live = true;
        }
        r->name = lex_name(sc->text, sc->t[k + 2]);
        r->name_off = sc->t[k + 2].off;
        return k + 3;
    }
    r->name = lex_name(sc->text, sc->t[k]);
    r->name_off = sc->t[k].off;
    return k + 1;
}

/* If a '(' follows the name just read into r (at k), r is a call: records
 * its arguments' span, scans them for references, and returns the index after
 * the ')'. Otherwise returns k. */
static size_t scan_call(scanner *sc, size_t k, size_t b, sql_ref *r)
{
    if (!sc_punct(sc, k, '(')) return k;
    size_t close = sc->close[k];
    if (close >= b) close = b - 1 < k ? k : b - 1;
    r->call = true;
    r->args_off = sc->t[k].off + 1;
    r->args_len = close > k && close < sc->n ? sc->t[close].off - r->args_off : 0;
    scan_range(sc, k + 1, close);
    return close + 1;
}

/* One table-or-subquery of a FROM list at k; returns the index after it. */
static size_t scan_table(scanner *sc, size_t k, size_t b)
{
    sql_ref r = {0};
    r.off = sc->t[k].off;
    if (sc_is(sc, k, "STREAM") && k + 1 < b &&
        (sc_punct(sc, k + 1, '(') ||
         (lex_is_name(sc->t[k + 1]) && !lex_is_clause_word(sc->text, sc->t[k + 1])))) {
        r.stream = true;
        if (sc_punct(sc, k + 1, '(')) {
            size_t close = sc->close[k + 1];
            if (close >= b) return b; /* unbalanced: SQLite reports it */
            size_t after = scan_name(sc, k + 2, close, &r);
            if (r.name && after < close) after = scan_call(sc, after, close, &r);
            if (!r.name || after != close) { /* STREAM(subquery) */
                free(r.name);
                free(r.schema);
                memset(&r, 0, sizeof r);
                scan_range(sc, k + 2, close);
                return close < b ? close + 1 : b;
            }
            k = close + 1;
        } else {
            k = scan_name(sc, k + 1, b, &r);
            k = scan_call(sc, k, b, &r);
        }
    } else {
        size_t after = scan_name(sc, k, b, &r);
        if (after == k) return k;
        k = scan_call(sc, after, b, &r);
    }
    if (k > b) k = b;
    r.end = sc->t[k - 1].off + sc->t[k - 1].len;
    VEC_PUSH(sc->refs, r);
    return k;
}

/* Skips alias, INDEXED BY, and a join constraint; returns the next index. */
static size_t scan_after_table(scanner *sc, size_t k, size_t b, bool *aliased)
{
    if (sc_is(sc, k, "AS")) {
        *aliased = true;
        k += 2;
    } else if (k < b && lex_is_name(sc->t[k]) && !lex_is_clause_word(sc->text, sc->t[k])) {
        *aliased = true;
        k++;
    }
    if (sc_is(sc, k, "INDEXED")) k += 3;
    else if (sc_is(sc, k, "NOT") && sc_is(sc, k + 1, "INDEXED")) k += 2;
    if (sc_is(sc, k, "USING") && sc_punct(sc, k + 1, '(')) k = sc->close[k + 1] + 1;
    if (sc_is(sc, k, "ON")) {
        k++;
        while (k < b && !sc_punct(sc, k, ',') && !sc_punct(sc, k, ')') &&
               !(lex_is_clause_word(sc->text, sc->t[k]) && !sc_is(sc, k, "NOT") &&
                 !sc_is(sc, k, "AS"))) {
            if (sc_punct(sc, k, '(')) {
                scan_range(sc, k + 1, sc->close[k]);
                k = sc->close[k];
            }
            k++;
        }
    }
    return k;
}

/* A FROM list starting at k: tables and subqueries joined by ','. */
static size_t scan_from(scanner *sc, size_t k, size_t b)
{
    while (k < b) {
        size_t nrefs = sc->refs->n, first = sc->t[k].off;
        if (sc_punct(sc, k, '(')) {
            size_t close = sc->close[k];
            bool sub = sc_is(sc, k + 1, "SELECT") || sc_is(sc, k + 1, "WITH") ||
                       sc_is(sc, k + 1, "VALUES");
            if (sub) scan_range(sc, k + 1, close);
            else /* a parenthesized join: its JOINs follow the first table */
                scan_range(sc, scan_from(sc, k + 1, close), close);
            k = close < b ? close + 1 : b;
        } else {
            size_t after = scan_table(sc, k, b);
            if (after == k) return k;
            k = after;
        }
        bool aliased = false;
        k = scan_after_table(sc, k, b, &aliased);
        /* the alias is the item's own: the reference that starts at first,
         * not one inside a subquery or a call's arguments */
        for (size_t i = nrefs; i < sc->refs->n; i++)
            if (sc->refs->v[i].off == first) sc->refs->v[i].aliased = aliased;
        if (!sc_punct(sc, k, ',')) return k;
        k++;
    }
    return k;
}

static void scan_range(scanner *sc, size_t a, size_t b)
{
    if (b > sc->n) b = sc->n;
    size_t k = a;
    while (k < b) {
        if (sc_is(sc, k, "WITH")) scan_ctes(sc, k + 1, b);
        if (sc_is(sc, k, "FROM") || sc_is(sc, k, "JOIN")) {
            size_t next = scan_from(sc, k + 1, b);
            k = next > k + 1 ? next : k + 1;
            continue;
        }
        k++;
    }
}

void sql_scan_refs(const char *text, size_t off, size_t len, sql_refvec *refs,
                   strvec *ctes)
{
    tokvec toks = {0};
    size_t pos = off;
    const char *msg;
    for (;;) {
        token t = lex_next(text, off + len, &pos, &msg);
        if (t.kind == TK_EOF || t.kind == TK_ERROR) break;
        if (t.kind != TK_COMMENT) VEC_PUSH(&toks, t);
    }
    size_t *close = xmalloc((toks.n + 1) * sizeof(size_t));
    size_t *stack = xmalloc((toks.n + 1) * sizeof(size_t));
    size_t depth = 0;
    for (size_t k = 0; k < toks.n; k++) {
        close[k] = toks.n;
        if (lex_punct(text, toks.v[k], '(')) stack[depth++] = k;
        else if (lex_punct(text, toks.v[k], ')') && depth) close[stack[--depth]] = k;
    }
    scanner sc = {text, toks.v, toks.n, close, refs, ctes};
    scan_range(&sc, 0, toks.n);
    free(stack);
    free(close);
    VEC_FREE(&toks);
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
