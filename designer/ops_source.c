/*
 * ops_source.c - the built-in node types at the ends of a pipeline and the
 * fallback (see ops.h for their canonical statements):
 *
 *   source_files  read_files over a glob: a streaming table or a
 *                 materialized view
 *   source_table  every row of a table outside the pipeline
 *   union         the rows of several inputs
 *   output        a stored dataset with expectations and a comment
 *   sql           any statement, as written
 *
 * Each type is a field table, a generator, a reader that accepts what the
 * generator writes, and a check of what the shared checks cannot know.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_int.h"

/* Appends name as an identifier; false with *err when it is empty. */
static bool gen_name(const dg_op *op, sb *out, char **err)
{
    char *name = dg_trim(op->name);
    bool ok = *name != 0;
    if (ok) dg_sb_ident(out, name);
    else if (err) *err = xstrdup("the node needs a name");
    free(name);
    return ok;
}

/* true when the cursor reads SELECT * FROM. */
static bool rd_select_star_from(dg_rd *r)
{
    return dg_rd_kw(r, "SELECT") && dg_rd_punct(r, '*') && dg_rd_kw(r, "FROM");
}

/* ======================= source_files ======================= */

static const dg_field source_files_fields[] = {
    {"path", "File pattern", DG_TEXT, NULL, 0, NULL, true,
     "a glob relative to the project folder, e.g. data/orders/*.csv"},
    {"format", "Format", DG_CHOICE, "csv|json", 0, NULL, false,
     "csv, or json (JSON lines or arrays)"},
    {"header", "Header row", DG_BOOL, "true", 0, NULL, false,
     "csv: the first line names the columns"},
    {"stream", "New files only", DG_BOOL, "true", 0, NULL, false,
     "yes: a streaming table that reads each file once; no: a materialized view "
     "that reads every file at each update"},
    {NULL, NULL, DG_TEXT, NULL, 0, NULL, false, NULL}};

static int gen_source_files(const dg_op *op, sb *out, char **err)
{
    bool stream = dg_p_bool(op->params, "stream", true);
    bool json = !strcmp(dg_p_str(op->params, "format"), "json");
    sb_add(out, stream ? "CREATE OR REFRESH STREAMING TABLE "
                       : "CREATE OR REFRESH MATERIALIZED VIEW ");
    if (!gen_name(op, out, err)) return -1;
    sb_addf(out, "\nAS SELECT * FROM %sread_files(", stream ? "STREAM " : "");
    char *path = dg_p_text(op->params, "path");
    sb_add_sqlstr(out, path);
    free(path);
    sb_addf(out, ", format => '%s'", json ? "json" : "csv");
    if (!json)
        sb_addf(out, ", header => %s", dg_p_bool(op->params, "header", true) ? "true" : "false");
    sb_add(out, ");\n");
    return 0;
}

/* , name => (a string or a word), the value unquoted (NULL when absent). */
static char *rd_option(dg_rd *r, const char *name)
{
    size_t k = r->i;
    if (!dg_rd_punct(r, ',') || !dg_rd_kw(r, name) || !dg_rd_punct(r, '=') ||
        !dg_rd_punct(r, '>') || dg_rd_end(r)) {
        r->i = k;
        return NULL;
    }
    token v = r->t.v[r->i++];
    if (v.kind == TK_STRING) return lex_string(r->text, v);
    if (v.kind == TK_WORD) return xstrndup(r->text + v.off, v.len);
    r->i = k;
    return NULL;
}

static bool read_source_files(const char *text, const sql_stmt *s, dg_op *op)
{
    if ((s->kind != SQL_STREAMING_TABLE && s->kind != SQL_MATERIALIZED_VIEW) || !s->has_query)
        return false;
    bool stream = s->kind == SQL_STREAMING_TABLE;
    dg_rd r;
    dg_rd_query(&r, text, s);
    bool ok = rd_select_star_from(&r) && (!stream || dg_rd_kw(&r, "STREAM")) &&
              dg_rd_kw(&r, "read_files") && dg_rd_punct(&r, '(') && !dg_rd_end(&r) &&
              r.t.v[r.i].kind == TK_STRING;
    char *path = ok ? lex_string(text, r.t.v[r.i++]) : NULL;
    char *format = ok ? rd_option(&r, "format") : NULL;
    ok = ok && format && (!strcmp(format, "csv") || !strcmp(format, "json"));
    char *header = ok && !strcmp(format, "csv") ? rd_option(&r, "header") : NULL;
    ok = ok && dg_rd_punct(&r, ')') && dg_rd_end(&r);
    if (ok) {
        cJSON_AddStringToObject(op->params, "path", path);
        cJSON_AddStringToObject(op->params, "format", format);
        cJSON_AddBoolToObject(op->params, "header", !header || str_ieq(header, "true"));
        cJSON_AddBoolToObject(op->params, "stream", stream);
    }
    free(path);
    free(format);
    free(header);
    dg_rd_free(&r);
    return ok;
}

static void check_source_files(const dg_op *op, const dg_schema *ins, dg_problems *out)
{
    (void)ins;
    const char *path = dg_p_str(op->params, "path");
    if (path[0] == '/')
        dg_problem_add(out, "path", "'%s' is an absolute path; give it relative to the project "
                       "folder, so that the project can move.", path);
}

const dg_op_type dg_type_source_files = {
    "source_files", "Read files", "Ingest CSV or JSON files matching a glob, each file once.",
    0, 0, source_files_fields, gen_source_files, read_source_files, check_source_files};

/* ======================= source_table ======================= */

static const dg_field source_table_fields[] = {
    {"table", "Table", DG_TEXT, NULL, 0, NULL, true,
     "a table outside the pipeline (in the warehouse), e.g. shop_orders"},
    {NULL, NULL, DG_TEXT, NULL, 0, NULL, false, NULL}};

static int gen_source_table(const dg_op *op, sb *out, char **err)
{
    char *table = dg_p_text(op->params, "table");
    bool ok = *table != 0;
    if (!ok && err) *err = xstrdup("table: which table to read?");
    if (ok && (ok = dg_gen_view_head(op, out, err))) {
        sb_add(out, "SELECT *\nFROM ");
        dg_sb_qname(out, table);
        sb_add(out, ";\n");
    }
    free(table);
    return ok ? 0 : -1;
}

static bool read_source_table(const char *text, const sql_stmt *s, dg_op *op)
{
    if (!dg_plain_view(s)) return false;
    dg_rd r;
    dg_rd_query(&r, text, s);
    char *table = rd_select_star_from(&r) ? dg_rd_qname(&r) : NULL;
    bool ok = table && dg_rd_end(&r);
    if (ok) cJSON_AddStringToObject(op->params, "table", table);
    free(table);
    dg_rd_free(&r);
    return ok;
}

const dg_op_type dg_type_source_table = {
    "source_table", "Read a table", "Every row of a table outside the pipeline.",
    0, 0, source_table_fields, gen_source_table, read_source_table, NULL};

/* ======================= union ======================= */

static const dg_field union_fields[] = {
    {"distinct", "Drop duplicate rows", DG_BOOL, NULL, 0, NULL, false,
     "yes: UNION (identical rows once); no: UNION ALL (every row)"},
    {NULL, NULL, DG_TEXT, NULL, 0, NULL, false, NULL}};

static int gen_union(const dg_op *op, sb *out, char **err)
{
    if (!dg_gen_view_head(op, out, err)) return -1;
    bool distinct = dg_p_bool(op->params, "distinct", false);
    if (!op->inputs.n) {
        if (err) *err = xstrdup("a union needs inputs");
        return -1;
    }
    for (size_t k = 0; k < op->inputs.n; k++) {
        const char *in = dg_gen_input(op, k, err);
        if (!in) return -1;
        if (k) sb_add(out, distinct ? "\nUNION\n" : "\nUNION ALL\n");
        sb_add(out, "SELECT * FROM ");
        dg_sb_ident(out, in);
    }
    sb_add(out, ";\n");
    return 0;
}

static bool read_union(const char *text, const sql_stmt *s, dg_op *op)
{
    if (!dg_plain_view(s)) return false;
    dg_rd r;
    dg_rd_query(&r, text, s);
    bool ok = true, distinct = false;
    for (size_t k = 0; ok; k++) {
        char *in = rd_select_star_from(&r) ? dg_rd_name(&r) : NULL;
        ok = in != NULL;
        if (in) VEC_PUSH(&op->inputs, in);
        if (!ok || dg_rd_end(&r)) break;
        ok = dg_rd_kw(&r, "UNION");
        bool all = dg_rd_kw(&r, "ALL");
        if (k == 0) distinct = !all;
    }
    if (ok) cJSON_AddBoolToObject(op->params, "distinct", distinct);
    dg_rd_free(&r);
    return ok;
}

/* The names of a schema's columns, "a, b, c". */
static char *col_list(const dg_schema *s)
{
    sb b = {0};
    for (size_t i = 0; i < s->n; i++) sb_addf(&b, "%s%s", i ? ", " : "", s->cols[i].name);
    return sb_take(&b);
}

/* UNION matches columns by position: inputs whose columns differ from the
 * first input's in number or names would mix values up. */
static void check_union(const dg_op *op, const dg_schema *ins, dg_problems *out)
{
    const dg_schema *first = dg_schema_of(op, ins, 0);
    for (size_t k = 1; first && k < op->inputs.n; k++) {
        const dg_schema *s = dg_schema_of(op, ins, k);
        if (!s) continue;
        size_t i = 0;
        while (i < s->n && i < first->n && str_ieq(s->cols[i].name, first->cols[i].name)) i++;
        if (i == s->n && i == first->n) continue;
        char *a = col_list(first), *b = col_list(s);
        dg_problem_add(out, NULL, "input %zu (%s) has the columns %s, and input 1 (%s) has %s: "
                       "UNION matches columns by position, not by name.", k + 1,
                       op->inputs.v[k], b, op->inputs.v[0], a);
        free(a);
        free(b);
    }
}

const dg_op_type dg_type_union = {
    "union", "Union", "The rows of every input, one after the other.",
    2, -1, union_fields, gen_union, read_union, check_union};

/* ======================= output ======================= */

static const dg_field expect_fields[] = {
    {"name", "Name", DG_TEXT, NULL, 0, NULL, true, "e.g. positive_amount"},
    {"expr", "Condition", DG_EXPR, NULL, 0, NULL, true,
     "what every row should satisfy, e.g. amount > 0"},
    {"action", "On violation", DG_CHOICE, "warn|drop|fail", 0, NULL, false,
     "warn: keep the row and count it; drop: leave the row out; fail: stop the update"},
    {NULL, NULL, DG_TEXT, NULL, 0, NULL, false, NULL}};

static const dg_field output_fields[] = {
    {"kind", "Stored as", DG_CHOICE, "materialized_view|streaming_table", 0, NULL, false,
     "a materialized view is recomputed; a streaming table appends its input's new rows"},
    {"comment", "Comment", DG_TEXT, NULL, 0, NULL, false, "what the dataset holds"},
    {"expectations", "Expectations", DG_LIST, NULL, 0, expect_fields, false,
     "conditions on the rows, checked at each update"},
    {NULL, NULL, DG_TEXT, NULL, 0, NULL, false, NULL}};

static const char *const violation_sql[] = {"", " ON VIOLATION DROP ROW",
                                            " ON VIOLATION FAIL UPDATE"};

/* The ( CONSTRAINT ... ) list of the expectations, if any. */
static bool gen_expectations(const cJSON *list, sb *out, char **err)
{
    int k = 0;
    for (const cJSON *e = list ? list->child : NULL; e; e = e->next, k++) {
        char *name = dg_p_text(e, "name"), *what = xasprintf("expectation %d", k + 1);
        const char *action = dg_p_str(e, "action");
        int v = !strcmp(action, "drop") ? 1 : !strcmp(action, "fail") ? 2 : 0;
        bool ok = *name != 0;
        if (!ok && err) *err = xasprintf("%s: no name", what);
        if (ok) {
            sb_add(out, k ? ",\n  CONSTRAINT " : " (\n  CONSTRAINT ");
            dg_sb_ident(out, name);
            sb_add(out, " EXPECT (");
            ok = dg_gen_expr(out, what, dg_p_str(e, "expr"), err);
            sb_addf(out, ")%s", violation_sql[v]);
        }
        free(name);
        free(what);
        if (!ok) return false;
    }
    if (k) sb_add(out, "\n)");
    return true;
}

static int gen_output(const dg_op *op, sb *out, char **err)
{
    bool stream = !strcmp(dg_p_str(op->params, "kind"), "streaming_table");
    sb_add(out, stream ? "CREATE OR REFRESH STREAMING TABLE "
                       : "CREATE OR REFRESH MATERIALIZED VIEW ");
    if (!gen_name(op, out, err)) return -1;
    if (!gen_expectations(dg_p_arr(op->params, "expectations"), out, err)) return -1;
    const char *comment = dg_p_str(op->params, "comment");
    if (*comment) {
        sb_add(out, "\nCOMMENT ");
        sb_add_sqlstr(out, comment);
    }
    const char *in = dg_gen_input(op, 0, err);
    if (!in) return -1;
    sb_add(out, stream ? "\nAS SELECT * FROM STREAM(" : "\nAS SELECT * FROM ");
    dg_sb_ident(out, in);
    sb_add(out, stream ? ");\n" : ";\n");
    return 0;
}

static bool read_output(const char *text, const sql_stmt *s, dg_op *op)
{
    if ((s->kind != SQL_STREAMING_TABLE && s->kind != SQL_MATERIALIZED_VIEW) || !s->has_query ||
        s->columns.n || s->props.n)
        return false;
    bool stream = s->kind == SQL_STREAMING_TABLE;
    dg_rd r;
    dg_rd_query(&r, text, s);
    bool ok = rd_select_star_from(&r) &&
              (!stream || (dg_rd_kw(&r, "STREAM") && dg_rd_punct(&r, '(')));
    char *in = ok ? dg_rd_name(&r) : NULL;
    ok = in && (!stream || dg_rd_punct(&r, ')')) && dg_rd_end(&r);
    dg_rd_free(&r);
    if (!ok) {
        free(in);
        return false;
    }
    VEC_PUSH(&op->inputs, in);
    cJSON_AddStringToObject(op->params, "kind", stream ? "streaming_table" : "materialized_view");
    cJSON_AddStringToObject(op->params, "comment", s->comment ? s->comment : "");
    cJSON *list = cJSON_AddArrayToObject(op->params, "expectations");
    for (size_t k = 0; k < s->expects.n; k++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", s->expects.v[k].name);
        cJSON_AddStringToObject(e, "expr", s->expects.v[k].expr);
        cJSON_AddStringToObject(e, "action", sql_violation_name(s->expects.v[k].action));
        cJSON_AddItemToArray(list, e);
    }
    return true;
}

static void check_output(const dg_op *op, const dg_schema *ins, dg_problems *out)
{
    (void)ins;
    strvec names = {0}, where = {0};
    const cJSON *list = dg_p_arr(op->params, "expectations");
    int k = 0;
    for (const cJSON *e = list ? list->child : NULL; e; e = e->next, k++) {
        const char *name = dg_p_str(e, "name");
        VEC_PUSH(&names, *name ? dg_trim(name) : NULL);
        VEC_PUSH(&where, xasprintf("expectation %d", k + 1));
    }
    dg_check_dups("expectations", &names, &where, out);
    strvec_free(&names);
    strvec_free(&where);
}

const dg_op_type dg_type_output = {
    "output", "Output", "A stored dataset (materialized view or streaming table) with "
    "expectations on its rows.",
    1, 1, output_fields, gen_output, read_output, check_output};

/* ======================= sql ======================= */

static const dg_field sql_fields[] = {
    {"sql", "Statement", DG_TEXT, NULL, 0, NULL, true, "the whole CREATE statement"},
    {NULL, NULL, DG_TEXT, NULL, 0, NULL, false, NULL}};

/* text with the name of its one statement replaced by name, when the
 * statement parses and names something else (a renamed node). */
static char *renamed(const char *text, const char *name)
{
    sql_stmtvec v = {0};
    size_t len = strlen(text);
    char *res = NULL;
    if (sql_parse(text, len, &v, NULL, NULL, NULL) == 0 && v.n == 1 && v.v[0].name &&
        *name && strcmp(v.v[0].name, name)) {
        size_t pos = v.v[0].name_off;
        const char *msg;
        token t = lex_next(text, len, &pos, &msg);
        char *was = lex_is_name(t) ? lex_name(text, t) : NULL;
        if (was && !strcmp(was, v.v[0].name)) {
            sb b = {0};
            sb_addn(&b, text, t.off);
            dg_sb_ident(&b, name);
            sb_add(&b, text + t.off + t.len);
            res = sb_take(&b);
        }
        free(was);
    }
    sql_stmts_free(&v);
    return res ? res : xstrdup(text);
}

static int gen_sql(const dg_op *op, sb *out, char **err)
{
    char *text = dg_p_text(op->params, "sql");
    if (!*text) {
        if (err) *err = xstrdup("sql: the statement is empty");
        free(text);
        return -1;
    }
    char *name = dg_trim(op->name), *sql = renamed(text, name);
    tokvec t = {0};
    lex_all(sql, strlen(sql), true, &t, NULL);
    size_t k = t.n;
    while (k > 0 && t.v[k - 1].kind == TK_COMMENT) k--;
    sb_add(out, sql);
    if (!k || !lex_punct(sql, t.v[k - 1], ';'))
        sb_add(out, k < t.n && sql[t.v[t.n - 1].off] == '-' ? "\n;" : ";");
    sb_addc(out, '\n');
    VEC_FREE(&t);
    free(name);
    free(sql);
    free(text);
    return 0;
}

/* The params are the statement's text; the inputs what it reads (tables by
 * name, each once, not its WITH names or table-valued functions). */
static bool read_sql(const char *text, const sql_stmt *s, dg_op *op)
{
    char *stmt = xstrndup(text + s->span_off, s->span_len);
    cJSON_DeleteItemFromObjectCaseSensitive(op->params, "sql");
    cJSON_AddStringToObject(op->params, "sql", stmt);
    free(stmt);
    for (size_t i = 0; i < s->refs.n; i++) {
        const sql_ref *r = &s->refs.v[i];
        if (r->call || r->schema || !r->name || strvec_find(&s->ctes, r->name) >= 0 ||
            strvec_find(&op->inputs, r->name) >= 0)
            continue;
        VEC_PUSH(&op->inputs, xstrdup(r->name));
    }
    return true;
}

typedef struct first_error {
    size_t off;
    char *msg;
} first_error;

static void on_parse_error(void *ctx, size_t off, const char *msg)
{
    first_error *e = ctx;
    if (e->msg) return;
    e->off = off;
    e->msg = xstrdup(msg);
}

static void check_sql(const dg_op *op, const dg_schema *ins, dg_problems *out)
{
    (void)ins;
    const char *text = dg_p_str(op->params, "sql");
    sql_stmtvec v = {0};
    first_error e = {0, NULL};
    sql_parse(text, strlen(text), &v, NULL, on_parse_error, &e);
    if (e.msg) {
        int line, col;
        text_linecol(text, e.off, &line, &col);
        dg_problem_add(out, "sql", "line %d, column %d: %s.", line, col, e.msg);
    } else if (v.n > 1) {
        dg_problem_add(out, "sql", "it holds %zu statements; a node is one statement.", v.n);
    }
    free(e.msg);
    sql_stmts_free(&v);
}

const dg_op_type dg_type_sql = {
    "sql", "SQL", "Any statement, written by hand.",
    0, -1, sql_fields, gen_sql, read_sql, check_sql};
