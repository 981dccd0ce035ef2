/*
 * ops_rows.c - the built-in operators that work on the rows of one input,
 * each a temporary view (see ops.h for their canonical queries):
 *
 *   filter     rows matching conditions and/or a free expression
 *   select     columns and expressions, renamed
 *   dedupe     one row per key (optionally the latest), or distinct rows
 *   sort       order by columns, with a limit
 *
 * Readers accept the generator's shape token by token; dg_op_read then
 * generates again and keeps the reading only when the bytes are the same,
 * so a reader may be generous about what it does not write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_int.h"

/* "* is not a column" for list items that allow only real columns. */
static void check_no_star(const dg_op *op, const char *key, dg_problems *out)
{
    const cJSON *list = dg_p_arr(op->params, key);
    int k = 0;
    for (const cJSON *it = list ? list->child : NULL; it; it = it->next, k++) {
        if (strcmp(dg_p_str(it, "column"), "*")) continue;
        char *prefix = dg_item_prefix(op, key, k);
        dg_problem_add(out, key, "%s* is not a column here; choose one.", prefix);
        free(prefix);
    }
}

/* ======================= filter ======================= */

static const dg_field cond_fields[] = {
    {"column", "Column", DG_COLUMN, NULL, 0, NULL, true, NULL},
    {"op", "Operator", DG_CHOICE, "=|<>|<|<=|>|>=|is null|is not null|like|in", 0, NULL, false,
     NULL},
    {"value", "Value", DG_TEXT, NULL, 0, NULL, false,
     "a number or text (quoted for you); like: a pattern with %; in: a, b, c"},
    {NULL, NULL, DG_TEXT, NULL, 0, NULL, false, NULL}};

static const dg_field filter_fields[] = {
    {"conditions", "Conditions", DG_LIST, NULL, 0, cond_fields, false, "which rows to keep"},
    {"match", "Keep rows matching", DG_CHOICE, "all|any", 0, NULL, false,
     "all of the conditions, or any of them"},
    {"where", "And where", DG_EXPR, NULL, 0, NULL, false,
     "any SQL condition, e.g. amount > discount (ANDed with the conditions)"},
    {NULL, NULL, DG_TEXT, NULL, 0, NULL, false, NULL}};

static const char *const cmp_ops[] = {"=", "<>", "<", "<=", ">", ">=", NULL};

static bool is_cmp(const char *op)
{
    for (int i = 0; cmp_ops[i]; i++)
        if (!strcmp(op, cmp_ops[i])) return true;
    return false;
}

/* A condition's value as text: strings as they are (not trimmed: ' x' is
 * a value), numbers as JSON writes them. */
static char *value_of(const cJSON *c)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, "value");
    return cJSON_IsString(v) ? xstrdup(v->valuestring) : dg_p_text(c, "value");
}

/* The operator and value of condition c after its column. */
static bool gen_cond_rest(sb *b, const cJSON *c, const char *op, int k, char **err)
{
    char *v = value_of(c);
    bool ok = true;
    if (is_cmp(op)) {
        sb_addf(b, " %s ", op);
        dg_sb_value(b, v);
    } else if (!strcmp(op, "is null") || !strcmp(op, "is not null")) {
        sb_add(b, !strcmp(op, "is null") ? " IS NULL" : " IS NOT NULL");
    } else if (!strcmp(op, "like")) {
        sb_add(b, " LIKE ");
        dg_sb_value(b, v);
    } else if (!strcmp(op, "in")) {
        sb_add(b, " IN (");
        size_t at = b->len;
        dg_sb_value_list(b, v);
        sb_addc(b, ')');
        if ((ok = b->len > at + 1) == false && err)
            *err = xasprintf("condition %d: no values for in", k + 1);
    } else {
        ok = false;
        if (err) *err = xasprintf("condition %d: no operator '%s'", k + 1, op);
    }
    free(v);
    return ok;
}

static bool gen_cond(sb *b, const cJSON *c, int k, char **err)
{
    char *col = dg_p_text(c, "column");
    bool ok = *col && strcmp(col, "*");
    if (ok) {
        const char *op = dg_p_str(c, "op");
        dg_sb_ident(b, col);
        ok = gen_cond_rest(b, c, *op ? op : "=", k, err);
    } else if (err) {
        *err = xasprintf("condition %d: no column", k + 1);
    }
    free(col);
    return ok;
}

/* The condition after WHERE (nothing when there is none). */
static bool gen_where(const cJSON *params, sb *b, char **err)
{
    const cJSON *conds = dg_p_arr(params, "conditions");
    int n = conds ? cJSON_GetArraySize(conds) : 0, k = 0;
    bool any = !strcmp(dg_p_str(params, "match"), "any");
    char *where = dg_p_text(params, "where");
    bool paren = any && n > 1 && *where, ok = true;
    if (paren) sb_addc(b, '(');
    for (const cJSON *c = conds ? conds->child : NULL; c && ok; c = c->next, k++) {
        if (k) sb_add(b, any ? " OR " : " AND ");
        ok = gen_cond(b, c, k, err);
    }
    if (paren) sb_addc(b, ')');
    if (ok && *where) {
        sb_add(b, n ? " AND (" : "");
        ok = dg_gen_expr(b, "where", where, err);
        sb_add(b, n ? ")" : "");
    }
    free(where);
    return ok;
}

static int gen_filter(const dg_op *op, sb *out, char **err)
{
    if (dg_gen_star_from(op, out, err) < 0) return -1;
    sb w = {0};
    bool ok = gen_where(op->params, &w, err);
    if (ok && w.len) sb_addf(out, "\nWHERE %s", sb_str(&w));
    sb_add(out, ";\n");
    sb_free(&w);
    return ok ? 0 : -1;
}

/* column op value into list. */
static bool read_cond(dg_rd *r, cJSON *list)
{
    char *col = dg_rd_name(r), *v = NULL;
    const char *op = NULL;
    if (!col) return false;
    if (dg_rd_kw(r, "IS")) {
        op = dg_rd_kw(r, "NOT") ? "is not null" : "is null";
        v = dg_rd_kw(r, "NULL") ? xstrdup("") : NULL;
    } else if (dg_rd_kw(r, "LIKE")) {
        op = "like";
        v = dg_rd_value(r);
    } else if (dg_rd_kw(r, "IN")) {
        op = "in";
        v = dg_rd_value_list(r);
    } else {
        for (int i = 0; cmp_ops[i] && !op; i++)
            if (dg_rd_op(r, cmp_ops[i])) op = cmp_ops[i];
        v = op ? dg_rd_value(r) : NULL;
    }
    if (v) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "column", col);
        cJSON_AddStringToObject(c, "op", op);
        cJSON_AddStringToObject(c, "value", v);
        cJSON_AddItemToArray(list, c);
    }
    free(col);
    free(v);
    return v != NULL;
}

/* Conditions [a, b) joined by one connective: AND (all) or OR (any). */
static bool read_conds(const dg_rd *r, size_t a, size_t b, cJSON *list, const char **match)
{
    dg_rd sub = *r; /* shares the tokens; not freed */
    sub.t.n = b;
    sub.i = a;
    const char *conn = NULL;
    for (;;) {
        if (!read_cond(&sub, list)) return false;
        if (dg_rd_end(&sub)) break;
        const char *c = dg_rd_kw(&sub, "AND") ? "all" : dg_rd_kw(&sub, "OR") ? "any" : NULL;
        if (!c || (conn && strcmp(c, conn))) return false;
        conn = c;
    }
    *match = conn ? conn : "all";
    return true;
}

/* The '(' of a parenthesized group that ends the tokens [a, n), or n. */
static size_t last_group(const dg_rd *r, size_t a, size_t n)
{
    if (n == 0 || !dg_rd_is_punct(r, n - 1, ')')) return n;
    size_t start = n;
    int depth = 0;
    for (size_t k = a; k < n; k++) {
        if (dg_rd_is_punct(r, k, '(') && depth++ == 0) start = k;
        else if (dg_rd_is_punct(r, k, ')')) depth--;
    }
    return start < n && dg_rd_close(r, start) == n - 1 ? start : n;
}

/* The WHERE condition [a, end) as conditions (and a final AND (where)),
 * when that is how the generator writes it; else as a where alone. */
static void read_where(const dg_rd *r, size_t a, cJSON *params)
{
    size_t n = r->t.n, b = n, open = last_group(r, a, n);
    char *where = NULL;
    if (open < n && open > a + 1 && dg_rd_is(r, open - 1, "AND")) {
        where = dg_rd_text(r, open + 1, n - 1);
        b = open - 1;
    }
    bool paren = where && dg_rd_is_punct(r, a, '(') && dg_rd_close(r, a) == b - 1;
    cJSON *cand = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(cand, "conditions");
    const char *match = "all";
    bool ok = read_conds(r, a + paren, b - paren, list, &match) &&
              (!paren || !strcmp(match, "any"));
    cJSON_AddStringToObject(cand, "match", match);
    cJSON_AddStringToObject(cand, "where", where ? where : "");
    char *clause = dg_rd_text(r, a, n);
    sb again = {0};
    ok = ok && gen_where(cand, &again, NULL) && !strcmp(sb_str(&again), clause);
    if (!ok) { /* the whole condition as a where */
        cJSON_Delete(cand);
        cand = cJSON_CreateObject();
        cJSON_AddArrayToObject(cand, "conditions");
        cJSON_AddStringToObject(cand, "match", "all");
        cJSON_AddStringToObject(cand, "where", clause);
    }
    while (cand->child) {
        cJSON *it = cJSON_DetachItemViaPointer(cand, cand->child);
        cJSON_AddItemToObject(params, it->string, it);
    }
    cJSON_Delete(cand);
    sb_free(&again);
    free(clause);
    free(where);
}

static bool read_filter(const char *text, const sql_stmt *s, dg_op *op)
{
    if (!dg_plain_view(s)) return false;
    dg_rd r;
    dg_rd_query(&r, text, s);
    bool ok = dg_rd_kw(&r, "SELECT") && dg_rd_punct(&r, '*') && dg_rd_from_input(&r, op) &&
              dg_rd_kw(&r, "WHERE") && !dg_rd_end(&r);
    if (ok) read_where(&r, r.i, op->params);
    dg_rd_free(&r);
    return ok;
}

static void check_filter(const dg_op *op, const dg_schema *ins, dg_problems *out)
{
    (void)ins;
    const cJSON *conds = dg_p_arr(op->params, "conditions");
    char *where = dg_p_text(op->params, "where");
    if ((!conds || !conds->child) && !*where)
        dg_problem_add(out, "conditions", "add a condition or a where expression: as it is, "
                       "the filter keeps every row.");
    free(where);
    check_no_star(op, "conditions", out);
    int k = 0;
    for (const cJSON *c = conds ? conds->child : NULL; c; c = c->next, k++) {
        const char *o = dg_p_str(c, "op");
        char *v = dg_p_text(c, "value");
        if (!*v && (!*o || is_cmp(o) || !strcmp(o, "like") || !strcmp(o, "in"))) {
            char *prefix = dg_item_prefix(op, "conditions", k);
            dg_problem_add(out, "conditions", "%sno value to compare with (write '' for the "
                           "empty string).", prefix);
            free(prefix);
        }
        free(v);
    }
}

const dg_op_type dg_type_filter = {
    "filter", "Filter rows", "Keep the rows that match conditions.",
    1, 1, filter_fields, gen_filter, read_filter, check_filter};

/* ======================= select ======================= */

static const dg_field column_fields[] = {
    {"expr", "Expression", DG_EXPR, NULL, 0, NULL, true, "a column, or any SQL expression"},
    {"as", "Name", DG_TEXT, NULL, 0, NULL, false, "the output column's name (optional)"},
    {NULL, NULL, DG_TEXT, NULL, 0, NULL, false, NULL}};

static const dg_field select_fields[] = {
    {"columns", "Columns", DG_LIST, NULL, 0, column_fields, true, "the output's columns, in order"},
    {NULL, NULL, DG_TEXT, NULL, 0, NULL, false, NULL}};

static int gen_select(const dg_op *op, sb *out, char **err)
{
    const char *in = dg_gen_input(op, 0, err);
    if (!in || !dg_gen_view_head(op, out, err)) return -1;
    const cJSON *cols = dg_p_arr(op->params, "columns");
    sb_add(out, cols && cols->child ? "SELECT " : "SELECT *");
    int k = 0;
    for (const cJSON *c = cols ? cols->child : NULL; c; c = c->next, k++) {
        char *what = xasprintf("column %d", k + 1), *as = dg_p_text(c, "as");
        if (k) sb_add(out, ", ");
        bool ok = dg_gen_expr(out, what, dg_p_str(c, "expr"), err);
        if (*as) {
            sb_add(out, " AS ");
            dg_sb_ident(out, as);
        }
        free(as);
        free(what);
        if (!ok) return -1;
    }
    sb_add(out, "\nFROM ");
    dg_sb_ident(out, in);
    sb_add(out, ";\n");
    return 0;
}

/* A select list of plain columns and count/sum/... measures (one at
 * least) without GROUP BY is read as an aggregate, later in the palette. */
static bool read_select(const char *text, const sql_stmt *s, dg_op *op)
{
    if (!dg_plain_view(s) || dg_reads_as(&dg_type_aggregate, text, s)) return false;
    dg_rd r;
    dg_rd_query(&r, text, s);
    bool ok = dg_rd_kw(&r, "SELECT") && !dg_rd_is(&r, r.i, "DISTINCT") && !dg_rd_is(&r, r.i, "ALL");
    size_t from = ok ? dg_rd_find(&r, r.i, r.t.n, "FROM") : 0;
    size_t starts[DG_MAX_ITEMS], ends[DG_MAX_ITEMS], n = 0;
    if (ok && from < r.t.n) n = dg_rd_items(&r, r.i, from, starts, ends, DG_MAX_ITEMS);
    ok = ok && from < r.t.n && n < DG_MAX_ITEMS;
    cJSON *cols = cJSON_AddArrayToObject(op->params, "columns");
    for (size_t k = 0; ok && k < n; k++) {
        size_t a = starts[k], b = ends[k];
        bool named = b >= a + 3 && dg_rd_is(&r, b - 2, "AS") && lex_is_name(r.t.v[b - 1]);
        ok = b > a;
        if (!ok) break;
        cJSON *c = cJSON_CreateObject();
        char *expr = dg_rd_text(&r, a, named ? b - 2 : b);
        char *as = named ? lex_name(text, r.t.v[b - 1]) : xstrdup("");
        cJSON_AddStringToObject(c, "expr", expr);
        cJSON_AddStringToObject(c, "as", as);
        cJSON_AddItemToArray(cols, c);
        free(expr);
        free(as);
    }
    if (ok) r.i = from;
    ok = ok && dg_rd_from_input(&r, op) && dg_rd_end(&r);
    dg_rd_free(&r);
    return ok;
}

/* The name an expression's column gets without AS: a plain (or qualified)
 * column keeps its name; anything else has none worth comparing. */
static char *implicit_name(const char *expr)
{
    tokvec t = {0};
    lex_all(expr, strlen(expr), false, &t, NULL);
    char *name = NULL;
    if (t.n == 1 && lex_is_name(t.v[0])) name = lex_name(expr, t.v[0]);
    else if (t.n == 3 && lex_is_name(t.v[0]) && lex_punct(expr, t.v[1], '.') &&
             lex_is_name(t.v[2]))
        name = lex_name(expr, t.v[2]);
    VEC_FREE(&t);
    return name;
}

static void check_select(const dg_op *op, const dg_schema *ins, dg_problems *out)
{
    (void)ins;
    const cJSON *cols = dg_p_arr(op->params, "columns");
    strvec names = {0}, where = {0};
    int k = 0;
    for (const cJSON *c = cols ? cols->child : NULL; c; c = c->next, k++) {
        char *as = dg_p_text(c, "as"), *expr = dg_p_text(c, "expr");
        VEC_PUSH(&names, *as ? as : implicit_name(expr));
        if (!*as) free(as);
        VEC_PUSH(&where, xasprintf("column %d", k + 1));
        free(expr);
    }
    dg_check_dups("columns", &names, &where, out);
    strvec_free(&names);
    strvec_free(&where);
}

const dg_op_type dg_type_select = {
    "select", "Select columns", "Choose, compute and rename columns.",
    1, 1, select_fields, gen_select, read_select, check_select};

/* ======================= dedupe ======================= */

static const dg_field dedupe_fields[] = {
    {"keys", "Key columns", DG_COLUMNS, NULL, 0, NULL, false,
     "one row is kept per key (none: rows that are identical are kept once)"},
    {"latest_by", "Latest by", DG_COLUMN, NULL, 0, NULL, false,
     "keep the row with the greatest value of this column per key (e.g. updated_at)"},
    {NULL, NULL, DG_TEXT, NULL, 0, NULL, false, NULL}};

static int gen_dedupe(const dg_op *op, sb *out, char **err)
{
    const char *in = dg_gen_input(op, 0, err);
    if (!in || !dg_gen_view_head(op, out, err)) return -1;
    strvec keys = {0};
    dg_strings_of(op->params, "keys", &keys);
    char *latest = dg_p_text(op->params, "latest_by");
    sb_add(out, keys.n ? "SELECT *\nFROM " : "SELECT DISTINCT *\nFROM ");
    dg_sb_ident(out, in);
    if (keys.n) {
        sb_add(out, "\nGROUP BY ");
        dg_sb_idents(out, &keys);
    }
    if (keys.n && *latest) {
        sb_add(out, "\nHAVING ");
        dg_sb_ident(out, latest);
        sb_add(out, " IS max(");
        dg_sb_ident(out, latest);
        sb_addc(out, ')');
    }
    sb_add(out, ";\n");
    free(latest);
    strvec_free(&keys);
    return 0;
}

static bool read_dedupe(const char *text, const sql_stmt *s, dg_op *op)
{
    if (!dg_plain_view(s)) return false;
    dg_rd r;
    dg_rd_query(&r, text, s);
    bool ok = dg_rd_kw(&r, "SELECT"), distinct = dg_rd_kw(&r, "DISTINCT");
    ok = ok && dg_rd_punct(&r, '*') && dg_rd_from_input(&r, op);
    cJSON *keys = NULL;
    char *latest = NULL;
    if (ok && !distinct) {
        keys = dg_rd_kw(&r, "GROUP") && dg_rd_kw(&r, "BY") ? dg_rd_names(&r) : NULL;
        if (keys && dg_rd_kw(&r, "HAVING")) {
            latest = dg_rd_name(&r);
            bool max = latest && dg_rd_kw(&r, "IS") && dg_rd_kw(&r, "max") && dg_rd_punct(&r, '(');
            char *again = max ? dg_rd_name(&r) : NULL;
            ok = again && dg_rd_punct(&r, ')');
            free(again);
        }
        ok = ok && keys;
    }
    ok = ok && dg_rd_end(&r);
    cJSON_AddItemToObject(op->params, "keys", keys ? keys : cJSON_CreateArray());
    cJSON_AddStringToObject(op->params, "latest_by", latest ? latest : "");
    free(latest);
    dg_rd_free(&r);
    return ok;
}

static void check_dedupe(const dg_op *op, const dg_schema *ins, dg_problems *out)
{
    (void)ins;
    strvec keys = {0};
    dg_strings_of(op->params, "keys", &keys);
    char *latest = dg_p_text(op->params, "latest_by");
    if (*latest && !keys.n)
        dg_problem_add(out, "latest_by", "choose the key columns too: the latest row of each "
                       "key is kept.");
    free(latest);
    strvec_free(&keys);
}

const dg_op_type dg_type_dedupe = {
    "dedupe", "Remove duplicates", "Keep one row per key (the latest, if you say by what).",
    1, 1, dedupe_fields, gen_dedupe, read_dedupe, check_dedupe};

/* ======================= sort ======================= */

static const dg_field order_fields[] = {
    {"column", "Column", DG_COLUMN, NULL, 0, NULL, true, NULL},
    {"desc", "Descending", DG_BOOL, NULL, 0, NULL, false, "largest first"},
    {NULL, NULL, DG_TEXT, NULL, 0, NULL, false, NULL}};

static const dg_field sort_fields[] = {
    {"order", "Sort columns", DG_LIST, NULL, 0, order_fields, false,
     "the first decides, then the next"},
    {"limit", "Limit", DG_NUMBER, NULL, 0, NULL, false, "keep only the first rows (0: all)"},
    {NULL, NULL, DG_TEXT, NULL, 0, NULL, false, NULL}};

static int gen_sort(const dg_op *op, sb *out, char **err)
{
    if (dg_gen_star_from(op, out, err) < 0) return -1;
    const cJSON *order = dg_p_arr(op->params, "order");
    int k = 0;
    for (const cJSON *o = order ? order->child : NULL; o; o = o->next, k++) {
        char *col = dg_p_text(o, "column");
        bool ok = *col && strcmp(col, "*");
        if (ok) {
            sb_add(out, k ? ", " : "\nORDER BY ");
            dg_sb_ident(out, col);
            if (dg_p_bool(o, "desc", false)) sb_add(out, " DESC");
        } else if (err) {
            *err = xasprintf("sort column %d: no column", k + 1);
        }
        free(col);
        if (!ok) return -1;
    }
    const cJSON *limit = cJSON_GetObjectItemCaseSensitive(op->params, "limit");
    double n = cJSON_IsNumber(limit) ? limit->valuedouble : 0;
    if (n < 0 || n > 1e15) {
        if (err) *err = xstrdup("limit: a whole number of 0 or more");
        return -1;
    }
    if ((long long)n > 0) sb_addf(out, "\nLIMIT %lld", (long long)n);
    sb_add(out, ";\n");
    return 0;
}

static bool read_sort(const char *text, const sql_stmt *s, dg_op *op)
{
    if (!dg_plain_view(s)) return false;
    dg_rd r;
    dg_rd_query(&r, text, s);
    bool ok = dg_rd_kw(&r, "SELECT") && dg_rd_punct(&r, '*') && dg_rd_from_input(&r, op);
    cJSON *order = cJSON_AddArrayToObject(op->params, "order");
    bool any = false;
    if (ok && dg_rd_kw(&r, "ORDER")) {
        ok = dg_rd_kw(&r, "BY");
        do {
            char *c = ok ? dg_rd_name(&r) : NULL;
            ok = c != NULL;
            if (!c) break;
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "column", c);
            cJSON_AddBoolToObject(o, "desc", dg_rd_kw(&r, "DESC"));
            cJSON_AddItemToArray(order, o);
            free(c);
        } while (dg_rd_punct(&r, ','));
        any = true;
    }
    long long limit = 0;
    if (ok && dg_rd_kw(&r, "LIMIT")) {
        token t = dg_rd_end(&r) ? (token){TK_EOF, 0, 0} : r.t.v[r.i++];
        char *end = NULL;
        limit = t.kind == TK_NUMBER ? strtoll(text + t.off, &end, 10) : -1;
        ok = limit > 0 && end == text + t.off + t.len;
        any = true;
    }
    cJSON_AddNumberToObject(op->params, "limit", ok ? (double)limit : 0);
    ok = ok && any && dg_rd_end(&r);
    dg_rd_free(&r);
    return ok;
}

static void check_sort(const dg_op *op, const dg_schema *ins, dg_problems *out)
{
    (void)ins;
    const cJSON *order = dg_p_arr(op->params, "order");
    const cJSON *limit = cJSON_GetObjectItemCaseSensitive(op->params, "limit");
    if ((!order || !order->child) && !(cJSON_IsNumber(limit) && limit->valuedouble >= 1))
        dg_problem_add(out, "order", "add a column to sort by, or a limit: as it is, the sort "
                       "does nothing.");
    check_no_star(op, "order", out);
}

const dg_op_type dg_type_sort = {
    "sort", "Sort", "Order the rows by columns, and keep the first ones.",
    1, 1, sort_fields, gen_sort, read_sort, check_sort};
