/*
 * ops_text.c - the SQL text pieces the operator types share (ops_int.h):
 * params read leniently, statement heads, expressions and condition values
 * written so that they read back as they were, a token cursor for the
 * readers, and the checks of columns and expressions against the inputs'
 * schemas.
 */
#include <ctype.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_int.h"

/* ======================= params ======================= */

const char *dg_p_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : "";
}

char *dg_trim(const char *s)
{
    if (!s) return xstrdup("");
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) n--;
    return xstrndup(s, n);
}

char *dg_p_text(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsString(v)) return dg_trim(v->valuestring);
    if (cJSON_IsNumber(v) || cJSON_IsBool(v)) {
        char *t = cJSON_PrintUnformatted(v);
        char *r = xstrdup(t ? t : "");
        free(t);
        return r;
    }
    return xstrdup("");
}

bool dg_p_bool(const cJSON *o, const char *key, bool dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

const cJSON *dg_p_arr(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsArray(v) ? v : NULL;
}

/* ======================= writing ======================= */

bool dg_gen_view_head(const dg_op *op, sb *out, char **err)
{
    char *name = dg_trim(op->name);
    bool ok = *name != 0;
    if (ok) {
        sb_add(out, "CREATE TEMPORARY VIEW ");
        dg_sb_ident(out, name);
        sb_add(out, " AS\n");
    } else if (err) {
        *err = xstrdup("the node needs a name");
    }
    free(name);
    return ok;
}

const char *dg_gen_input(const dg_op *op, size_t k, char **err)
{
    if (k < op->inputs.n && op->inputs.v[k] && *op->inputs.v[k]) return op->inputs.v[k];
    if (err) *err = xasprintf("input %zu is not chosen", k + 1);
    return NULL;
}

const char *dg_expr_problem(const char *expr)
{
    size_t len = strlen(expr), pos = 0;
    int depth = 0;
    token last = {TK_EOF, 0, 0};
    for (;;) {
        const char *msg = NULL;
        token t = lex_next(expr, len, &pos, &msg);
        if (t.kind == TK_EOF) break;
        if (t.kind == TK_ERROR) return msg && strstr(msg, "string") ? "has an unterminated string"
                                       : "has a character SQL does not know";
        if (lex_punct(expr, t, ';')) return "has a ';', which would end the statement";
        if (lex_punct(expr, t, '(')) depth++;
        if (lex_punct(expr, t, ')') && --depth < 0) return "closes a parenthesis it did not open";
        last = t;
    }
    if (depth > 0) return "leaves a parenthesis open";
    if (last.kind == TK_COMMENT && expr[last.off] == '-')
        return "ends in a -- comment, which would hide the rest of the statement";
    return NULL;
}

bool dg_gen_expr(sb *out, const char *what, const char *expr, char **err)
{
    char *t = dg_trim(expr);
    const char *why = *t ? dg_expr_problem(t) : "is empty";
    if (why) {
        if (err) *err = xasprintf("%s: the expression %s", what, why);
        free(t);
        return false;
    }
    sb_add(out, t);
    free(t);
    return true;
}

/* The tokens of s (comments kept) into out. */
static void lex_text(const char *s, tokvec *out)
{
    lex_all(s, strlen(s), true, out, NULL);
}

/* true when s is one number, maybe negative ("-2.5"), and nothing else;
 * not 007 (a code, which as a number would be 7) or 1_000 (which SQLite
 * before 3.46 does not read). */
static bool is_number(const char *s)
{
    const char *d = s + (*s == '-');
    if (strchr(s, '_') || (d[0] == '0' && d[1] >= '0' && d[1] <= '9')) return false;
    tokvec t = {0};
    lex_text(s, &t);
    bool yes = (t.n == 1 && t.v[0].kind == TK_NUMBER) ||
               (t.n == 2 && lex_punct(s, t.v[0], '-') && t.v[1].kind == TK_NUMBER &&
                t.v[1].off == 1);
    VEC_FREE(&t);
    return yes;
}

/* true when s is one 'string literal' and nothing else. */
static bool is_literal(const char *s)
{
    tokvec t = {0};
    lex_text(s, &t);
    bool yes = t.n == 1 && t.v[0].kind == TK_STRING;
    VEC_FREE(&t);
    return yes;
}

void dg_sb_value(sb *b, const char *v)
{
    char *t = dg_trim(v);
    if (*t && (is_number(t) || is_literal(t))) sb_add(b, t);
    else sb_add_sqlstr(b, v);
    free(t);
}

/* The end of the item of an `in` list starting at s: the next ',' (after a
 * leading 'literal', whose commas do not count). */
static const char *item_end(const char *s)
{
    if (*s == '\'') {
        const char *q = s + 1;
        while (*q && !(*q == '\'' && q[1] != '\'')) q += *q == '\'' ? 2 : 1;
        if (*q) s = q + 1;
    }
    const char *comma = strchr(s, ',');
    return comma ? comma : s + strlen(s);
}

void dg_sb_value_list(sb *b, const char *v)
{
    bool first = true;
    for (const char *s = v; *s;) {
        while (isspace((unsigned char)*s)) s++;
        const char *e = item_end(s);
        char *raw = xstrndup(s, (size_t)(e - s)), *item = dg_trim(raw);
        if (*item) {
            if (!first) sb_add(b, ", ");
            dg_sb_value(b, item);
            first = false;
        }
        free(raw);
        free(item);
        s = *e ? e + 1 : e;
    }
}

void dg_sb_qname(sb *b, const char *name)
{
    const char *dot = strchr(name, '.');
    if (dot && dot > name && dot[1] && !strchr(dot + 1, '.')) {
        char *schema = xstrndup(name, (size_t)(dot - name));
        dg_sb_ident(b, schema);
        sb_addc(b, '.');
        dg_sb_ident(b, dot + 1);
        free(schema);
    } else {
        dg_sb_ident(b, name);
    }
}

/* ======================= reading ======================= */

void dg_rd_query(dg_rd *r, const char *text, const sql_stmt *s)
{
    memset(r, 0, sizeof(*r));
    r->text = text;
    if (!s->has_query) return;
    size_t pos = s->query_off, end = s->query_off + s->query_len;
    for (;;) {
        const char *msg;
        token t = lex_next(text, end, &pos, &msg);
        if (t.kind == TK_EOF) break;
        if (t.kind != TK_COMMENT) VEC_PUSH(&r->t, t);
    }
}

void dg_rd_free(dg_rd *r)
{
    VEC_FREE(&r->t);
}

bool dg_rd_end(const dg_rd *r)
{
    return r->i >= r->t.n;
}

bool dg_rd_is(const dg_rd *r, size_t k, const char *kw)
{
    return k < r->t.n && lex_is(r->text, r->t.v[k], kw);
}

bool dg_rd_is_punct(const dg_rd *r, size_t k, char c)
{
    return k < r->t.n && lex_punct(r->text, r->t.v[k], c);
}

bool dg_rd_kw(dg_rd *r, const char *kw)
{
    if (!dg_rd_is(r, r->i, kw)) return false;
    r->i++;
    return true;
}

bool dg_rd_punct(dg_rd *r, char c)
{
    if (!dg_rd_is_punct(r, r->i, c)) return false;
    r->i++;
    return true;
}

bool dg_rd_op(dg_rd *r, const char *op)
{
    if (r->i >= r->t.n) return false;
    token t = r->t.v[r->i];
    if (t.kind != TK_PUNCT || t.len != strlen(op) || memcmp(r->text + t.off, op, t.len))
        return false;
    r->i++;
    return true;
}

char *dg_rd_name(dg_rd *r)
{
    if (r->i >= r->t.n || !lex_is_name(r->t.v[r->i])) return NULL;
    return lex_name(r->text, r->t.v[r->i++]);
}

char *dg_rd_qname(dg_rd *r)
{
    char *a = dg_rd_name(r);
    if (!a || !dg_rd_is_punct(r, r->i, '.') || r->i + 1 >= r->t.n ||
        !lex_is_name(r->t.v[r->i + 1]))
        return a;
    r->i++;
    char *b = dg_rd_name(r), *q = xasprintf("%s.%s", a, b);
    free(a);
    free(b);
    return q;
}

size_t dg_rd_close(const dg_rd *r, size_t k)
{
    int depth = 0;
    for (size_t j = k; j < r->t.n; j++) {
        if (dg_rd_is_punct(r, j, '(')) depth++;
        else if (dg_rd_is_punct(r, j, ')') && --depth == 0) return j;
    }
    return r->t.n;
}

char *dg_rd_text(const dg_rd *r, size_t a, size_t b)
{
    if (a >= b || b > r->t.n) return xstrdup("");
    size_t from = r->t.v[a].off, to = r->t.v[b - 1].off + r->t.v[b - 1].len;
    return xstrndup(r->text + from, to - from);
}

size_t dg_rd_find(const dg_rd *r, size_t a, size_t b, const char *kw)
{
    int depth = 0;
    bool punct = kw[0] && !kw[1] && !isalpha((unsigned char)kw[0]);
    for (size_t k = a; k < b && k < r->t.n; k++) {
        if (depth == 0 && (punct ? dg_rd_is_punct(r, k, kw[0]) : dg_rd_is(r, k, kw))) return k;
        if (dg_rd_is_punct(r, k, '(')) depth++;
        else if (dg_rd_is_punct(r, k, ')')) depth--;
    }
    return b;
}

char *dg_rd_value(dg_rd *r)
{
    size_t k = r->i;
    if (k >= r->t.n) return NULL;
    token t = r->t.v[k];
    if (lex_punct(r->text, t, '-') && k + 1 < r->t.n && r->t.v[k + 1].kind == TK_NUMBER &&
        r->t.v[k + 1].off == t.off + 1) {
        r->i += 2;
        return dg_rd_text(r, k, k + 2);
    }
    if (t.kind == TK_NUMBER) {
        r->i++;
        return dg_rd_text(r, k, k + 1);
    }
    if (t.kind != TK_STRING) return NULL;
    r->i++;
    char *raw = dg_rd_text(r, k, k + 1), *v = lex_string(r->text, t);
    sb back = {0};
    dg_sb_value(&back, v);
    if (strcmp(sb_str(&back), raw)) { /* '42' is the string 42, typed as '42' */
        free(v);
        v = xstrdup(raw);
    }
    sb_free(&back);
    free(raw);
    return v;
}

char *dg_rd_value_list(dg_rd *r)
{
    size_t start = r->i;
    if (!dg_rd_punct(r, '(')) return NULL;
    sb b = {0};
    do {
        size_t k = r->i;
        char *v = dg_rd_value(r);
        if (!v) {
            sb_free(&b);
            r->i = start;
            return NULL;
        }
        char *raw = dg_rd_text(r, k, r->i), *t = dg_trim(v);
        sb back = {0};
        dg_sb_value_list(&back, v);
        if (strchr(v, ',') || strcmp(t, v) || strcmp(sb_str(&back), raw)) {
            free(v);
            v = raw;
            raw = NULL;
        }
        sb_addf(&b, "%s%s", b.len ? ", " : "", v);
        sb_free(&back);
        free(raw);
        free(t);
        free(v);
    } while (dg_rd_punct(r, ','));
    if (!dg_rd_punct(r, ')')) {
        sb_free(&b);
        r->i = start;
        return NULL;
    }
    return sb_take(&b);
}

/* ======================= shapes shared by several types ======================= */

bool dg_plain_view(const sql_stmt *s)
{
    return s->kind == SQL_TEMP_VIEW && s->has_query && !s->columns.n && !s->expects.n &&
           !s->comment && !s->props.n;
}

int dg_gen_star_from(const dg_op *op, sb *out, char **err)
{
    const char *in = dg_gen_input(op, 0, err);
    if (!in || !dg_gen_view_head(op, out, err)) return -1;
    sb_add(out, "SELECT *\nFROM ");
    dg_sb_ident(out, in);
    return 0;
}

bool dg_rd_from_input(dg_rd *r, dg_op *op)
{
    char *in = dg_rd_kw(r, "FROM") ? dg_rd_name(r) : NULL;
    if (in) VEC_PUSH(&op->inputs, in);
    return in != NULL;
}

cJSON *dg_rd_names(dg_rd *r)
{
    cJSON *a = cJSON_CreateArray();
    do {
        char *n = dg_rd_name(r);
        if (!n) {
            cJSON_Delete(a);
            return NULL;
        }
        cJSON_AddItemToArray(a, cJSON_CreateString(n));
        free(n);
    } while (dg_rd_punct(r, ','));
    return a;
}

size_t dg_rd_items(const dg_rd *r, size_t a, size_t b, size_t *starts, size_t *ends, size_t max)
{
    size_t n = 0;
    while (a <= b && n < max) {
        size_t c = dg_rd_find(r, a, b, ",");
        starts[n] = a;
        ends[n++] = c;
        a = c + 1;
        if (c == b) break;
    }
    return n;
}

void dg_strings_of(const cJSON *o, const char *key, strvec *out)
{
    const cJSON *a = dg_p_arr(o, key);
    for (const cJSON *c = a ? a->child : NULL; c; c = c->next) {
        char *s = cJSON_IsString(c) ? dg_trim(c->valuestring) : NULL;
        if (s && *s) VEC_PUSH(out, s);
        else free(s);
    }
}

void dg_sb_idents(sb *b, const strvec *names)
{
    for (size_t i = 0; i < names->n; i++) {
        if (i) sb_add(b, ", ");
        dg_sb_ident(b, names->v[i]);
    }
}

/* ======================= checks ======================= */

void dg_problem_add(dg_problems *out, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    dg_problem p = {key ? xstrdup(key) : NULL, xvasprintf(fmt, ap)};
    va_end(ap);
    VEC_PUSH(out, p);
}

const dg_schema *dg_schema_of(const dg_op *op, const dg_schema *ins, size_t k)
{
    if (!ins || k >= op->inputs.n || ins[k].n == 0) return NULL;
    return &ins[k];
}

bool dg_schema_has(const dg_schema *s, const char *name)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (s->cols[i].name && str_ieq(s->cols[i].name, name)) return true;
    return false;
}

/* Edit distance of a and b, ignoring case (both short: names). */
static size_t distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64) return 99;
    size_t row[65];
    for (size_t j = 0; j <= m; j++) row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j];
            bool same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            size_t best = diag + !same;
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

const char *dg_schema_near(const dg_schema *s, const char *name)
{
    const char *best = NULL;
    size_t best_d = strlen(name) / 3 + 1;
    if (best_d > 3) best_d = 3;
    for (size_t i = 0; s && i < s->n; i++) {
        size_t d = s->cols[i].name ? distance(name, s->cols[i].name) : 99;
        if (d <= best_d) {
            best = s->cols[i].name;
            best_d = d;
        }
    }
    return best;
}

void dg_check_column(const dg_op *op, const dg_schema *ins, size_t k, const char *key,
                     const char *prefix, const char *name, dg_problems *out)
{
    const dg_schema *s = dg_schema_of(op, ins, k);
    if (!s || !*name || dg_schema_has(s, name)) return;
    const char *near = dg_schema_near(s, name);
    if (near)
        dg_problem_add(out, key, "%sno column '%s' in %s (did you mean %s?)", prefix, name,
                       op->inputs.v[k], near);
    else dg_problem_add(out, key, "%sno column '%s' in %s.", prefix, name, op->inputs.v[k]);
}

/* true when token k of t can only be a column name: a name that is not a
 * keyword, a function (name '('), a qualifier (name '.'), qualified, a type
 * (after AS) or a collation. */
static bool plain_column(const char *e, const tokvec *t, size_t k)
{
    token w = t->v[k];
    if (!lex_is_name(w)) return false;
    if (w.kind == TK_WORD && (sqlite3_keyword_check(e + w.off, (int)w.len) ||
                              lex_is(e, w, "TRUE") || lex_is(e, w, "FALSE")))
        return false;
    if (k + 1 < t->n && (lex_punct(e, t->v[k + 1], '(') || lex_punct(e, t->v[k + 1], '.')))
        return false;
    if (k > 0 && (lex_punct(e, t->v[k - 1], '.') || lex_is(e, t->v[k - 1], "AS") ||
                  lex_is(e, t->v[k - 1], "COLLATE")))
        return false;
    return true;
}

void dg_check_expr(const dg_op *op, const dg_schema *ins, const char *key, const char *prefix,
                   const char *expr, dg_problems *out)
{
    char *e = dg_trim(expr);
    const char *why = dg_expr_problem(e);
    if (why) dg_problem_add(out, key, "%sthe expression %s.", prefix, why);
    bool known = op->inputs.n > 0;
    for (size_t i = 0; i < op->inputs.n; i++) known &= dg_schema_of(op, ins, i) != NULL;
    tokvec t = {0};
    lex_all(e, strlen(e), false, &t, NULL);
    for (size_t k = 0; known && !why && k < t.n; k++)
        if (lex_is(e, t.v[k], "SELECT")) known = false; /* a subquery names other tables */
    strvec seen = {0};
    for (size_t k = 0; known && !why && k < t.n; k++) {
        if (!plain_column(e, &t, k)) continue;
        char *name = lex_name(e, t.v[k]);
        bool found = false;
        for (size_t i = 0; i < op->inputs.n && !found; i++) found = dg_schema_has(&ins[i], name);
        if (!found && strvec_find(&seen, name) < 0) {
            dg_check_column(op, ins, 0, key, prefix, name, out);
            VEC_PUSH(&seen, name);
        } else {
            free(name);
        }
    }
    strvec_free(&seen);
    VEC_FREE(&t);
    free(e);
}

char *dg_item_prefix(const dg_op *op, const char *key, int k)
{
    const char *label = key;
    for (const dg_field *f = op->type->fields; f && f->key; f++)
        if (!strcmp(f->key, key) && f->label) label = f->label;
    char *noun = xstrdup(label);
    size_t n = strlen(noun);
    if (n > 1 && noun[n - 1] == 's') noun[n - 1] = 0;
    if (noun[0] >= 'A' && noun[0] <= 'Z') noun[0] = (char)(noun[0] - 'A' + 'a');
    char *p = xasprintf("%s %d: ", noun, k + 1);
    free(noun);
    return p;
}

void dg_check_dups(const char *key, const strvec *names, const strvec *where, dg_problems *out)
{
    for (size_t i = 0; i < names->n; i++) {
        if (!names->v[i]) continue;
        for (size_t j = 0; j < i; j++) {
            if (!names->v[j] || !str_ieq(names->v[i], names->v[j])) continue;
            dg_problem_add(out, key, "%s: the name '%s' is taken already (%s); give it another.",
                           where->v[i], names->v[i], where->v[j]);
            break;
        }
    }
}
