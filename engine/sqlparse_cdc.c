/*
 * sqlparse_cdc.c - AUTO CDC flows (APPLY CHANGES INTO in the older spelling):
 * INTO target FROM STREAM(source) KEYS (...) and the clauses that say how the
 * source's change events become upserts and deletes of the target (sql_cdc in
 * sqlparse.h). Called by the statement parser in sqlparse.c, whose token
 * cursor it uses (sqlparse_int.h).
 */
#include "sqlparse_int.h"

#include <stdlib.h>

/* ======================= AUTO CDC ======================= */

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
    while (sqlp_peek(p).kind != TK_EOF && (depth > 0 || !cdc_clause_start(p, sqlp_peek(p)))) {
        token t = sqlp_advance(p);
        if (lex_punct(p->text, t, '(')) depth++;
        else if (lex_punct(p->text, t, ')')) depth--;
    }
    if (p->i == first) {
        sqlp_expected(p, what);
        return false;
    }
    *off = p->t[first].off;
    *len = p->t[p->i - 1].off + p->t[p->i - 1].len - *off;
    return true;
}

/* ( name, ... ) */
static bool parse_name_list(parser *p, strvec *out)
{
    if (!sqlp_expect_punct(p, '(')) return false;
    do {
        char *n = sqlp_parse_name(p, "a column name", NULL);
        if (!n) return false;
        VEC_PUSH(out, n);
    } while (sqlp_accept_punct(p, ','));
    return sqlp_expect_punct(p, ')');
}

/* a, b, c  or  * EXCEPT (a, b) */
static bool parse_column_choice(parser *p, strvec *out, bool *except)
{
    if (sqlp_accept_punct(p, '*')) {
        if (!sqlp_expect_kw(p, "EXCEPT")) return false;
        *except = true;
        return parse_name_list(p, out);
    }
    do {
        char *n = sqlp_parse_name(p, "a column name or * EXCEPT (...)", NULL);
        if (!n) return false;
        VEC_PUSH(out, n);
    } while (sqlp_accept_punct(p, ','));
    return true;
}

/* FROM STREAM(source): recorded as the statement's one reference. */
static bool parse_cdc_source(parser *p, sql_stmt *s)
{
    if (!sqlp_expect_kw(p, "FROM")) return false;
    token first = sqlp_peek(p);
    if (!lex_is(p->text, first, "STREAM")) {
        sqlp_expected(p, "STREAM(source): AUTO CDC reads its source incrementally");
        return false;
    }
    p->i++;
    bool paren = sqlp_accept_punct(p, '(');
    sql_ref r = {0};
    r.off = first.off;
    r.stream = true;
    token nt = sqlp_peek(p);
    r.name = sqlp_parse_name(p, "a source table", &r.name_off);
    if (!r.name) return false;
    if (sqlp_accept_punct(p, '.')) {
        r.schema = r.name;
        r.name = sqlp_parse_name(p, "a source table", &r.name_off);
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
    if (paren && !sqlp_expect_punct(p, ')')) {
        free(r.name);
        free(r.schema);
        return false;
    }
    r.end = p->t[p->i - 1].off + p->t[p->i - 1].len;
    VEC_PUSH(&s->refs, r);
    return true;
}

bool sqlp_parse_cdc(parser *p, sql_stmt *s)
{
    sql_cdc *c = s->cdc = xcalloc(1, sizeof(sql_cdc));
    c->scd_type = 1;
    if (!sqlp_expect_kw(p, "INTO")) return false;
    s->target = sqlp_parse_name(p, "a target table", &s->target_off);
    if (!s->target) return false;
    if (sqlp_accept_punct(p, '.')) { /* LIVE.target */
        free(s->target);
        s->target = sqlp_parse_name(p, "a target table", &s->target_off);
        if (!s->target) return false;
    }
    if (!parse_cdc_source(p, s)) return false;
    if (!sqlp_at(p, "KEYS")) {
        sqlp_expected(p, "KEYS (...)");
        return false;
    }
    c->keys_off = sqlp_peek(p).off;
    p->i++;
    if (!parse_name_list(p, &c->keys)) return false;
    bool have_seq = false;
    while (sqlp_peek(p).kind != TK_EOF) {
        if (sqlp_accept(p, "IGNORE")) {
            if (!sqlp_expect_kw(p, "NULL") || !sqlp_expect_kw(p, "UPDATES")) return false;
            c->ignore_null_updates = true;
        } else if (sqlp_accept(p, "APPLY")) {
            if (!sqlp_expect_kw(p, "AS")) return false;
            bool del = sqlp_accept(p, "DELETE");
            if (!del && !sqlp_accept(p, "TRUNCATE")) {
                sqlp_expected(p, "DELETE or TRUNCATE");
                return false;
            }
            if (!sqlp_expect_kw(p, "WHEN")) return false;
            if (!parse_cdc_expr(p, "a condition", del ? &c->delete_off : &c->truncate_off,
                                del ? &c->delete_len : &c->truncate_len))
                return false;
        } else if (sqlp_accept(p, "SEQUENCE")) {
            if (!sqlp_expect_kw(p, "BY") ||
                !parse_cdc_expr(p, "a sequencing column", &c->seq_off, &c->seq_len))
                return false;
            have_seq = true;
        } else if (sqlp_accept(p, "COLUMNS")) {
            if (!parse_column_choice(p, &c->columns, &c->columns_except)) return false;
        } else if (sqlp_accept(p, "STORED")) {
            if (!sqlp_expect_kw(p, "AS") || !sqlp_expect_kw(p, "SCD") || !sqlp_expect_kw(p, "TYPE"))
                return false;
            token t = sqlp_peek(p);
            if (t.kind != TK_NUMBER || t.len != 1 || (p->text[t.off] != '1' &&
                                                     p->text[t.off] != '2')) {
                sqlp_expected(p, "1 or 2");
                return false;
            }
            c->scd_type = p->text[t.off] - '0';
            p->i++;
        } else if (sqlp_accept(p, "TRACK")) {
            if (!sqlp_expect_kw(p, "HISTORY") || !sqlp_expect_kw(p, "ON")) return false;
            c->track_set = true;
            if (!parse_column_choice(p, &c->track, &c->track_except)) return false;
        } else {
            sqlp_expected(p, "SEQUENCE BY, APPLY AS, COLUMNS, STORED AS or TRACK HISTORY ON");
            return false;
        }
    }
    if (!have_seq) {
        sqlp_fail_at(p, p->t[p->n - 1], "AUTO CDC needs SEQUENCE BY: the column that orders "
                                       "the change events");
        return false;
    }
    if (c->track_set && c->scd_type != 2) {
        sqlp_fail_at(p, p->t[p->n - 1], "TRACK HISTORY ON goes with STORED AS SCD TYPE 2");
        return false;
    }
    if (c->truncate_len && c->scd_type == 2) {
        sqlp_fail_at(p, p->t[p->n - 1], "APPLY AS TRUNCATE WHEN is for SCD TYPE 1 only");
        return false;
    }
    return true;
}
