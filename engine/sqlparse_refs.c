/*
 * sqlparse_refs.c - the tables a query body reads (sql_scan_refs, see
 * sqlparse.h): a scan of its tokens for FROM and JOIN lists, STREAM reads,
 * table-valued function calls and WITH names. Not a parser: SQLite checks the
 * query itself when it runs; this only finds what it reads, in text order.
 */
#include "sqlparse.h"

#include <stdlib.h>
#include <string.h>

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
