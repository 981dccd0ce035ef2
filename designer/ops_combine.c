/*
 * ops_combine.c - the built-in operators that combine rows, each a
 * temporary view (see ops.h for their canonical queries):
 *
 *   join       two inputs matched on pairs of key columns
 *   aggregate  groups of rows with count/sum/avg/min/max measures
 *
 * As in ops_rows.c, readers accept the generator's shape and dg_op_read
 * compares the bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_int.h"

/* ======================= join ======================= */

static const dg_field key_fields[] = {
    {"left", "Left column", DG_COLUMN, NULL, 0, NULL, true, "a column of input 1"},
    {"right", "Right column", DG_COLUMN, NULL, 1, NULL, true, "a column of input 2"},
    {NULL, NULL, DG_TEXT, NULL, 0, NULL, false, NULL}};

static const dg_field join_fields[] = {
    {"how", "Join", DG_CHOICE, "inner|left|right|full", 0, NULL, false,
     "inner: matching rows; left/right: also the other rows of input 1/2; full: of both"},
    {"keys", "Join keys", DG_LIST, NULL, 0, key_fields, true,
     "pairs of columns that must be equal"},
    {"columns", "Columns to add", DG_COLUMNS, NULL, 1, NULL, false,
     "the columns of input 2 added to input 1's (none: every column of both)"},
    {NULL, NULL, DG_TEXT, NULL, 0, NULL, false, NULL}};

static const char *join_word(const char *how)
{
    return !strcmp(how, "left") ? "LEFT JOIN" : !strcmp(how, "right") ? "RIGHT JOIN"
           : !strcmp(how, "full") ? "FULL JOIN" : "JOIN";
}

/* true when every key has the same column on both sides (USING). */
static bool keys_same(const cJSON *keys)
{
    for (const cJSON *k = keys ? keys->child : NULL; k; k = k->next) {
        char *l = dg_p_text(k, "left"), *r = dg_p_text(k, "right");
        bool same = !strcmp(l, r);
        free(l);
        free(r);
        if (!same) return false;
    }
    return true;
}

/* USING (k, ...) or ON l.a = r.b AND ... */
static bool gen_join_keys(const cJSON *keys, sb *out, char **err)
{
    bool same = keys_same(keys);
    sb_add(out, same ? "USING (" : "ON ");
    int k = 0;
    for (const cJSON *key = keys->child; key; key = key->next, k++) {
        char *l = dg_p_text(key, "left"), *r = dg_p_text(key, "right");
        bool ok = *l && *r;
        if (!ok && err) *err = xasprintf("join key %d: no %s column", k + 1, *l ? "right" : "left");
        if (ok && same) {
            sb_add(out, k ? ", " : "");
            dg_sb_ident(out, l);
        } else if (ok) {
            sb_add(out, k ? " AND l." : "l.");
            dg_sb_ident(out, l);
            sb_add(out, " = r.");
            dg_sb_ident(out, r);
        }
        free(l);
        free(r);
        if (!ok) return false;
    }
    if (same) sb_addc(out, ')');
    return true;
}

static int gen_join(const dg_op *op, sb *out, char **err)
{
    const char *a = dg_gen_input(op, 0, err), *b = a ? dg_gen_input(op, 1, err) : NULL;
    if (!b || !dg_gen_view_head(op, out, err)) return -1;
    const cJSON *keys = dg_p_arr(op->params, "keys");
    if (!keys || !keys->child) {
        if (err) *err = xstrdup("join: add a pair of key columns");
        return -1;
    }
    strvec cols = {0};
    dg_strings_of(op->params, "columns", &cols);
    sb_add(out, cols.n ? "SELECT l.*" : "SELECT *");
    for (size_t i = 0; i < cols.n; i++) {
        sb_add(out, ", r.");
        dg_sb_ident(out, cols.v[i]);
    }
    strvec_free(&cols);
    sb_add(out, "\nFROM ");
    dg_sb_ident(out, a);
    sb_addf(out, " AS l\n%s ", join_word(dg_p_str(op->params, "how")));
    dg_sb_ident(out, b);
    sb_add(out, " AS r ");
    if (!gen_join_keys(keys, out, err)) return -1;
    sb_add(out, ";\n");
    return 0;
}

/* The select list of a join: * or l.*, r.x, r.y ... */
static bool rd_join_columns(dg_rd *r, cJSON *cols)
{
    if (dg_rd_punct(r, '*')) return true;
    if (!dg_rd_kw(r, "l") || !dg_rd_punct(r, '.') || !dg_rd_punct(r, '*')) return false;
    while (dg_rd_punct(r, ',')) {
        char *c = dg_rd_kw(r, "r") && dg_rd_punct(r, '.') ? dg_rd_name(r) : NULL;
        if (!c) return false;
        cJSON_AddItemToArray(cols, cJSON_CreateString(c));
        free(c);
    }
    return true;
}

static void add_key(cJSON *keys, const char *l, const char *r)
{
    cJSON *k = cJSON_CreateObject();
    cJSON_AddStringToObject(k, "left", l);
    cJSON_AddStringToObject(k, "right", r);
    cJSON_AddItemToArray(keys, k);
}

/* USING (a, b) or ON l.a = r.b {AND l.c = r.d} to the end. */
static bool rd_join_keys(dg_rd *r, cJSON *keys)
{
    if (dg_rd_kw(r, "USING")) {
        if (!dg_rd_punct(r, '(')) return false;
        do {
            char *n = dg_rd_name(r);
            if (!n) return false;
            add_key(keys, n, n);
            free(n);
        } while (dg_rd_punct(r, ','));
        return dg_rd_punct(r, ')') && dg_rd_end(r);
    }
    if (!dg_rd_kw(r, "ON")) return false;
    do {
        char *a = dg_rd_kw(r, "l") && dg_rd_punct(r, '.') ? dg_rd_name(r) : NULL;
        bool eq = a && dg_rd_punct(r, '=') && dg_rd_kw(r, "r") && dg_rd_punct(r, '.');
        char *b = eq ? dg_rd_name(r) : NULL;
        if (b) add_key(keys, a, b);
        free(a);
        if (!b) return false;
        free(b);
    } while (dg_rd_kw(r, "AND"));
    return dg_rd_end(r);
}

static bool read_join(const char *text, const sql_stmt *s, dg_op *op)
{
    if (!dg_plain_view(s)) return false;
    dg_rd r;
    dg_rd_query(&r, text, s);
    cJSON *cols = cJSON_CreateArray(), *keys = cJSON_CreateArray();
    bool ok = dg_rd_kw(&r, "SELECT") && rd_join_columns(&r, cols) && dg_rd_from_input(&r, op) &&
              dg_rd_kw(&r, "AS") && dg_rd_kw(&r, "l");
    const char *how = dg_rd_kw(&r, "LEFT") ? "left" : dg_rd_kw(&r, "RIGHT") ? "right"
                      : dg_rd_kw(&r, "FULL") ? "full" : "inner";
    char *b = ok && dg_rd_kw(&r, "JOIN") ? dg_rd_name(&r) : NULL;
    if (b) VEC_PUSH(&op->inputs, b);
    ok = b && dg_rd_kw(&r, "AS") && dg_rd_kw(&r, "r") && rd_join_keys(&r, keys);
    cJSON_AddStringToObject(op->params, "how", how);
    cJSON_AddItemToObject(op->params, "keys", keys);
    cJSON_AddItemToObject(op->params, "columns", cols);
    dg_rd_free(&r);
    return ok;
}

/* Columns both sides would give the view (SQLite calls the second x:1). */
static void check_join(const dg_op *op, const dg_schema *ins, dg_problems *out)
{
    const dg_schema *a = dg_schema_of(op, ins, 0), *b = dg_schema_of(op, ins, 1);
    if (!a || !b) return;
    const cJSON *keys = dg_p_arr(op->params, "keys");
    bool using = keys && keys->child && keys_same(keys);
    strvec cols = {0}, dup = {0};
    dg_strings_of(op->params, "columns", &cols);
    for (size_t i = 0; i < (cols.n ? cols.n : b->n); i++) {
        const char *c = cols.n ? cols.v[i] : b->cols[i].name;
        bool key = false;
        for (const cJSON *k = using ? keys->child : NULL; k && !key; k = k->next)
            key = str_ieq(dg_p_str(k, "right"), c);
        if (!key && dg_schema_has(a, c) && strvec_find(&dup, c) < 0) VEC_PUSH(&dup, xstrdup(c));
    }
    if (dup.n) {
        sb names = {0};
        for (size_t i = 0; i < dup.n; i++) sb_addf(&names, "%s%s", i ? ", " : "", dup.v[i]);
        dg_problem_add(out, "columns", "both %s and %s have the column%s %s; choose the columns "
                       "of %s to add, so that each column has its own name.", op->inputs.v[0],
                       op->inputs.v[1], dup.n > 1 ? "s" : "", sb_str(&names), op->inputs.v[1]);
        sb_free(&names);
    }
    strvec_free(&cols);
    strvec_free(&dup);
}

const dg_op_type dg_type_join = {
    "join", "Join", "Match the rows of two inputs on key columns.",
    2, 2, join_fields, gen_join, read_join, check_join};

/* ======================= aggregate ======================= */

static const dg_field measure_fields[] = {
    {"fn", "Function", DG_CHOICE, "count|sum|avg|min|max|count distinct", 0, NULL, false, NULL},
    {"column", "Column", DG_COLUMN, NULL, 0, NULL, true, "* counts rows"},
    {"as", "Name", DG_TEXT, NULL, 0, NULL, false, "the result column's name, e.g. revenue"},
    {NULL, NULL, DG_TEXT, NULL, 0, NULL, false, NULL}};

static const dg_field aggregate_fields[] = {
    {"group_by", "Group by", DG_COLUMNS, NULL, 0, NULL, false, "one output row per value of these"},
    {"measures", "Measures", DG_LIST, NULL, 0, measure_fields, false, "what to compute per group"},
    {NULL, NULL, DG_TEXT, NULL, 0, NULL, false, NULL}};

static const char *const agg_fns[] = {"count", "sum", "avg", "min", "max", NULL};

static bool gen_measure(sb *b, const cJSON *m, int k, char **err)
{
    const char *fn = dg_p_str(m, "fn");
    char *col = dg_p_text(m, "column"), *as = dg_p_text(m, "as");
    bool distinct = !strcmp(fn, "count distinct"), ok = distinct;
    for (int i = 0; agg_fns[i] && !ok; i++) ok = !strcmp(fn, agg_fns[i]);
    if (!ok && err) *err = xasprintf("measure %d: no function '%s'", k + 1, fn);
    if (ok && (!*col || (!strcmp(col, "*") && strcmp(fn, "count")))) {
        ok = false;
        if (err)
            *err = xasprintf("measure %d: %s", k + 1, *col ? "only count takes *" : "no column");
    }
    if (ok) {
        sb_addf(b, "%s(%s", distinct ? "count" : fn, distinct ? "DISTINCT " : "");
        if (!strcmp(col, "*")) sb_addc(b, '*');
        else dg_sb_ident(b, col);
        sb_addc(b, ')');
        if (*as) {
            sb_add(b, " AS ");
            dg_sb_ident(b, as);
        }
    }
    free(col);
    free(as);
    return ok;
}

static int gen_aggregate(const dg_op *op, sb *out, char **err)
{
    const char *in = dg_gen_input(op, 0, err);
    if (!in || !dg_gen_view_head(op, out, err)) return -1;
    strvec group = {0};
    dg_strings_of(op->params, "group_by", &group);
    const cJSON *ms = dg_p_arr(op->params, "measures");
    bool ok = group.n || (ms && ms->child);
    if (!ok && err) *err = xstrdup("aggregate: choose columns to group by or add a measure");
    sb_add(out, "SELECT ");
    dg_sb_idents(out, &group);
    int k = 0;
    for (const cJSON *m = ms ? ms->child : NULL; m && ok; m = m->next, k++) {
        if (k || group.n) sb_add(out, ", ");
        ok = gen_measure(out, m, k, err);
    }
    sb_add(out, "\nFROM ");
    dg_sb_ident(out, in);
    if (group.n) sb_add(out, "\nGROUP BY ");
    dg_sb_idents(out, &group);
    sb_add(out, ";\n");
    strvec_free(&group);
    return ok ? 0 : -1;
}

/* fn([DISTINCT] column|*) [AS name] filling tokens [a, b) into m. */
static bool rd_measure(const dg_rd *r, size_t a, size_t b, cJSON *m)
{
    dg_rd sub = *r; /* shares the tokens; not freed */
    sub.t.n = b;
    sub.i = a;
    const char *fn = NULL;
    for (int i = 0; agg_fns[i] && !fn; i++)
        if (dg_rd_kw(&sub, agg_fns[i])) fn = agg_fns[i];
    if (!fn || !dg_rd_punct(&sub, '(')) return false;
    bool distinct = dg_rd_kw(&sub, "DISTINCT");
    char *col = dg_rd_punct(&sub, '*') ? xstrdup("*") : dg_rd_name(&sub);
    char *as = col && dg_rd_punct(&sub, ')') && dg_rd_kw(&sub, "AS") ? dg_rd_name(&sub) : NULL;
    bool ok = col && (!distinct || !strcmp(fn, "count")) && dg_rd_end(&sub) &&
              dg_rd_is_punct(&sub, b - 1 - (as ? 2 : 0), ')');
    if (ok) {
        cJSON_AddStringToObject(m, "fn", distinct ? "count distinct" : fn);
        cJSON_AddStringToObject(m, "column", col);
        cJSON_AddStringToObject(m, "as", as ? as : "");
    }
    free(col);
    free(as);
    return ok;
}

static bool read_aggregate(const char *text, const sql_stmt *s, dg_op *op)
{
    if (!dg_plain_view(s)) return false;
    dg_rd r;
    dg_rd_query(&r, text, s);
    bool ok = dg_rd_kw(&r, "SELECT");
    size_t from = ok ? dg_rd_find(&r, r.i, r.t.n, "FROM") : 0;
    size_t starts[DG_MAX_ITEMS], ends[DG_MAX_ITEMS], n = 0;
    if (ok && from < r.t.n) n = dg_rd_items(&r, r.i, from, starts, ends, DG_MAX_ITEMS);
    ok = ok && from < r.t.n && n < DG_MAX_ITEMS;
    cJSON *group = cJSON_AddArrayToObject(op->params, "group_by");
    cJSON *ms = cJSON_AddArrayToObject(op->params, "measures");
    for (size_t k = 0; ok && k < n; k++) {
        size_t a = starts[k], b = ends[k];
        if (b == a + 1 && lex_is_name(r.t.v[a]) && !ms->child) {
            char *g = lex_name(text, r.t.v[a]);
            cJSON_AddItemToArray(group, cJSON_CreateString(g));
            free(g);
            continue;
        }
        cJSON *m = cJSON_CreateObject();
        cJSON_AddItemToArray(ms, m);
        ok = b > a && rd_measure(&r, a, b, m);
    }
    if (ok) r.i = from;
    ok = ok && dg_rd_from_input(&r, op);
    if (ok && dg_rd_kw(&r, "GROUP")) {
        cJSON *names = dg_rd_kw(&r, "BY") ? dg_rd_names(&r) : NULL;
        ok = names != NULL;
        cJSON_Delete(names); /* the select list says them (the bytes are compared) */
    }
    ok = ok && dg_rd_end(&r);
    dg_rd_free(&r);
    return ok;
}

static void check_aggregate(const dg_op *op, const dg_schema *ins, dg_problems *out)
{
    (void)ins;
    strvec names = {0}, where = {0};
    dg_strings_of(op->params, "group_by", &names);
    for (size_t i = 0; i < names.n; i++) VEC_PUSH(&where, xstrdup("group by"));
    const cJSON *ms = dg_p_arr(op->params, "measures");
    if (!names.n && (!ms || !ms->child))
        dg_problem_add(out, "measures", "add a measure, or a column to group by.");
    int k = 0;
    for (const cJSON *m = ms ? ms->child : NULL; m; m = m->next, k++) {
        char *prefix = dg_item_prefix(op, "measures", k), *as = dg_p_text(m, "as");
        const char *fn = dg_p_str(m, "fn");
        if (!strcmp(dg_p_str(m, "column"), "*") && strcmp(fn, "count"))
            dg_problem_add(out, "measures", "%s%s needs a column: * only counts rows.", prefix, fn);
        VEC_PUSH(&names, *as ? as : NULL);
        if (!*as) free(as);
        VEC_PUSH(&where, xasprintf("measure %d", k + 1));
        free(prefix);
    }
    dg_check_dups("measures", &names, &where, out);
    strvec_free(&names);
    strvec_free(&where);
}

const dg_op_type dg_type_aggregate = {
    "aggregate", "Aggregate", "Group rows and compute counts, sums, averages, minimums, maximums.",
    1, 1, aggregate_fields, gen_aggregate, read_aggregate, check_aggregate};
