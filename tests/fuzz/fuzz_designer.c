/*
 * fuzz_designer.c - fuzz target for the designer's operators (designer/ops.h):
 * the input is one SQL file; every statement the engine's parser reads is
 * read as an operator, written again, and checked against the canonical
 * rule that dg_op_read promises:
 *
 *   - a node of a type other than "sql" generates exactly the statement's
 *     bytes plus '\n', and that text, parsed and read again on its own, is a
 *     node of the same type with the same name, inputs and params;
 *   - a "sql" node's params.sql is the statement's text.
 *
 * The checks of every node then run with unknown schemas, with schemas that
 * know a few columns, and against inputs of every kind: none may crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* CHECK() is compiled out in optimized builds; fuzz checks must always run. */
#define CHECK(x) do { if (!(x)) abort(); } while (0)

#include "ops.h"
#include "sqlparse.h"

/* Columns for the checks that look names up (case and near misses). */
static const dg_column known_cols[] = {
    {"id", "INTEGER"}, {"amount", "REAL"}, {"status", "TEXT"}, {"Customer_ID", "INTEGER"}};

/* Runs every check of op: unknown schemas, known ones, each input kind. */
static void check_all(const dg_op *op)
{
    size_t n = op->inputs.n;
    dg_schema *unknown = calloc(n + 1, sizeof(dg_schema));
    dg_schema *known = calloc(n + 1, sizeof(dg_schema));
    int *kinds = calloc(n + 1, sizeof(int));
    for (size_t i = 0; i < n; i++) known[i] = (dg_schema){known_cols, 4};
    dg_problems probs = {0};
    dg_op_check(op, unknown, &probs);
    dg_op_check(op, NULL, &probs);
    dg_op_check(op, known, &probs);
    for (int k = -1; k <= SQL_FLOW; k++) {
        for (size_t i = 0; i < n; i++) kinds[i] = k;
        dg_op_check_inputs(op, kinds, &probs);
    }
    for (size_t i = 0; i < probs.n; i++) CHECK(probs.v[i].msg && *probs.v[i].msg);
    dg_problems_free(&probs);
    free(kinds);
    free(known);
    free(unknown);
}

/* true when a and b are the same node (name, type, inputs, params). */
static bool same_op(const dg_op *a, const dg_op *b)
{
    if (a->type != b->type || strcmp(a->name, b->name) || a->inputs.n != b->inputs.n)
        return false;
    for (size_t i = 0; i < a->inputs.n; i++)
        if (strcmp(a->inputs.v[i], b->inputs.v[i])) return false;
    return cJSON_Compare(a->params, b->params, true);
}

/* The generated text of a canonical node, parsed alone, reads back as it. */
static void check_reread(const dg_op *op, const char *sql)
{
    sql_stmtvec again = {0};
    sql_parse(sql, strlen(sql), &again, NULL, NULL, NULL);
    CHECK(again.n == 1);
    dg_op op2;
    dg_op_read(sql, &again.v[0], &op2);
    CHECK(op2.type == op->type);
    CHECK(same_op(op, &op2));
    dg_op_free(&op2);
    sql_stmts_free(&again);
}

static void check_stmt(const char *text, const sql_stmt *s)
{
    dg_op op;
    dg_op_read(text, s, &op);
    CHECK(op.type && op.name && op.params && cJSON_IsObject(op.params));
    CHECK(!strcmp(op.name, s->name));
    char *err = NULL, *sql = dg_op_sql(&op, &err);
    if (strcmp(op.type->id, "sql")) {
        CHECK(sql != NULL);
        CHECK(strlen(sql) == s->span_len + 1);
        CHECK(!memcmp(sql, text + s->span_off, s->span_len));
        CHECK(sql[s->span_len] == '\n');
        check_reread(&op, sql);
    } else {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(op.params, "sql");
        CHECK(cJSON_IsString(v));
        CHECK(strlen(v->valuestring) == s->span_len);
        CHECK(!memcmp(v->valuestring, text + s->span_off, s->span_len));
        CHECK(sql || err);
    }
    check_all(&op);
    free(sql);
    free(err);
    dg_op_free(&op);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a file is text: it ends at a NUL */
    size_t len = strnlen((const char *)data, size);
    char *text = malloc(len + 1);
    memcpy(text, data, len);
    text[len] = 0;

    sql_stmtvec stmts = {0};
    strvec broken = {0};
    sql_parse(text, len, &stmts, &broken, NULL, NULL);
    for (size_t i = 0; i < stmts.n; i++) {
        CHECK(stmts.v[i].span_off + stmts.v[i].span_len <= len);
        check_stmt(text, &stmts.v[i]);
    }
    sql_stmts_free(&stmts);
    strvec_free(&broken);
    free(text);
    return 0;
}
