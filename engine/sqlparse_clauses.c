/*
 * sqlparse_clauses.c - the parts of a CREATE statement between its name and
 * its query (see sqlparse.h): the column list with its expectations
 * (CONSTRAINT name EXPECT (...) ON VIOLATION ...), and the COMMENT,
 * TBLPROPERTIES, PARTITIONED BY and CLUSTER BY clauses. Called by the
 * statement parser in sqlparse.c, whose token cursor it uses (sqlparse_int.h).
 */
#include "sqlparse_int.h"

#include <stdlib.h>

/* ======================= column list ======================= */

static bool parse_expect(parser *p, sql_stmt *s)
{
    sql_expect e = {0};
    e.off = sqlp_peek(p).off;
    p->i++; /* CONSTRAINT */
    e.name = sqlp_parse_name(p, "a constraint name", NULL);
    if (!e.name) return false;
    if (!sqlp_at(p, "EXPECT")) {
        sqlp_expected(p, "EXPECT (only expectations are supported as constraints)");
        free(e.name);
        return false;
    }
    p->i++;
    if (!sqlp_at_punct(p, '(')) {
        sqlp_expected(p, "'(' after EXPECT");
        free(e.name);
        return false;
    }
    size_t open = p->i, close = sqlp_match_paren(p->text, p->t, p->n, open);
    if (close >= p->n) {
        sqlp_fail_at(p, p->t[open], "unbalanced '(' in EXPECT");
        free(e.name);
        return false;
    }
    if (close == open + 1) {
        sqlp_fail_at(p, p->t[close], "EXPECT needs an expression");
        free(e.name);
        return false;
    }
    e.expr_off = p->t[open + 1].off;
    size_t end = p->t[close - 1].off + p->t[close - 1].len;
    e.expr = xstrndup(p->text + e.expr_off, end - e.expr_off);
    p->i = close + 1;
    e.action = SQL_WARN;
    if (sqlp_accept(p, "ON")) {
        if (!sqlp_expect_kw(p, "VIOLATION")) goto bad;
        if (sqlp_accept(p, "DROP")) {
            if (!sqlp_expect_kw(p, "ROW")) goto bad;
            e.action = SQL_DROP_ROW;
        } else if (sqlp_accept(p, "FAIL")) {
            if (!sqlp_expect_kw(p, "UPDATE")) goto bad;
            e.action = SQL_FAIL_UPDATE;
        } else {
            sqlp_expected(p, "DROP ROW or FAIL UPDATE");
            goto bad;
        }
    }
    for (size_t k = 0; k < s->expects.n; k++)
        if (str_ieq(s->expects.v[k].name, e.name)) {
            token t = {TK_WORD, e.off, 10};
            sqlp_fail_at(p, t, "expectation '%s' is defined twice", e.name);
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
    c.off = sqlp_peek(p).off;
    c.name = sqlp_parse_name(p, "a column name or CONSTRAINT", NULL);
    if (!c.name) return false;
    for (size_t k = 0; k < s->columns.n; k++)
        if (str_ieq(s->columns.v[k].name, c.name)) {
            token t = {TK_WORD, c.off, 1};
            sqlp_fail_at(p, t, "column '%s' is declared twice", c.name);
            free(c.name);
            return false;
        }
    int depth = 0;
    size_t first = p->i;
    while (!type_stops(p, sqlp_peek(p), depth)) {
        token t = sqlp_advance(p);
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
        if (sqlp_accept(p, "NOT")) {
            if (!sqlp_expect_kw(p, "NULL")) goto bad;
            c.not_null = true;
        } else if (sqlp_accept(p, "NULL")) {
        } else if (sqlp_accept(p, "COMMENT")) {
            free(c.comment);
            c.comment = sqlp_parse_string(p, "a comment string");
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

bool sqlp_parse_elements(parser *p, sql_stmt *s)
{
    p->i++; /* '(' */
    if (sqlp_at_punct(p, ')')) {
        sqlp_expected(p, "a column or a CONSTRAINT");
        return false;
    }
    for (;;) {
        bool ok = sqlp_at(p, "CONSTRAINT") ? parse_expect(p, s) : parse_column(p, s);
        if (!ok) return false;
        if (sqlp_accept_punct(p, ',')) continue;
        return sqlp_expect_punct(p, ')');
    }
}

/* ======================= clauses ======================= */

static bool parse_props(parser *p, sql_stmt *s)
{
    if (!sqlp_expect_punct(p, '(')) return false;
    for (;;) {
        token t = sqlp_peek(p);
        char *key;
        if (t.kind == TK_STRING) {
            key = lex_string(p->text, t);
            p->i++;
        } else if (lex_is_name(t)) {
            /* dotted keys: delta.appendOnly */
            sb b = {0};
            for (;;) {
                char *part = lex_name(p->text, sqlp_advance(p));
                sb_add(&b, part);
                free(part);
                if (!sqlp_at_punct(p, '.') || !lex_is_name(sqlp_peek_at(p, 1))) break;
                p->i++;
                sb_addc(&b, '.');
            }
            key = sb_take(&b);
        } else {
            sqlp_expected(p, "a property name");
            return false;
        }
        char *val = NULL;
        if (sqlp_accept_punct(p, '=')) {
            token v = sqlp_peek(p);
            if (v.kind == TK_STRING) val = lex_string(p->text, v);
            else if (v.kind == TK_NUMBER || v.kind == TK_WORD) val = xstrndup(p->text + v.off, v.len);
            else {
                free(key);
                sqlp_expected(p, "a property value");
                return false;
            }
            p->i++;
        }
        sql_prop pr = {key, val ? val : xstrdup("")};
        VEC_PUSH(&s->props, pr);
        if (sqlp_accept_punct(p, ',')) continue;
        return sqlp_expect_punct(p, ')');
    }
}

/* Skips a parenthesized list, for clauses tarn accepts but SQLite has no use
 * for (PARTITIONED BY, CLUSTER BY). */
static bool skip_parens(parser *p)
{
    if (!sqlp_at_punct(p, '(')) {
        sqlp_expected(p, "'('");
        return false;
    }
    size_t close = sqlp_match_paren(p->text, p->t, p->n, p->i);
    if (close >= p->n) {
        sqlp_fail_at(p, sqlp_peek(p), "unbalanced '('");
        return false;
    }
    p->i = close + 1;
    return true;
}

/* COMMENT, TBLPROPERTIES, PARTITIONED BY, CLUSTER BY, in any order. */
bool sqlp_parse_clauses(parser *p, sql_stmt *s)
{
    for (;;) {
        if (sqlp_accept(p, "COMMENT")) {
            free(s->comment);
            s->comment = sqlp_parse_string(p, "a comment string");
            if (!s->comment) return false;
        } else if (sqlp_accept(p, "TBLPROPERTIES")) {
            if (!parse_props(p, s)) return false;
        } else if (sqlp_accept(p, "PARTITIONED") || sqlp_accept(p, "CLUSTER")) {
            if (!sqlp_expect_kw(p, "BY") || !skip_parens(p)) return false;
        } else return true;
    }
}
