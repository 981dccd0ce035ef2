/*
 * test_dg_ops.c - unit tests for designer/ops: every built-in node type
 * generates its exact canonical SQL (golden text) from form params, and that
 * text, parsed by the engine, reads back as the same type, inputs and params;
 * statements that are almost canonical read as SQL nodes with their exact
 * text; the generated SQL runs (small pipelines over CSV files are updated
 * and the warehouse rows checked); the checks say what is wrong in whole
 * sentences; the registry; and no statement (the demo project's, odd ones,
 * and every one-byte deletion of the golden statements) crashes a reader or
 * breaks the canonical rule.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "model.h"
#include "ops.h"
#include "project.h"
#include "testsupport.h"
#include "update.h"
#include "validate.h"

/* ---------------------------------------------------------------- helpers */

/* A node of type id called name over inputs ("a, b") with params (JSON). */
static void make(dg_op *op, const char *id, const char *name, const char *inputs,
                 const char *params)
{
    const dg_op_type *t = dg_op_type_find(id);
    if (!t) fail_msg("no type %s", id);
    cJSON *p = params ? cJSON_Parse(params) : NULL;
    if (params && !p) fail_msg("bad JSON in the test: %s", params);
    dg_op_init(op, t, name, p);
    cJSON_Delete(p);
    if (inputs) strvec_split(&op->inputs, inputs);
}

static char *joined(const strvec *v)
{
    sb b = {0};
    for (size_t i = 0; i < v->n; i++) sb_addf(&b, "%s%s", i ? ", " : "", v->v[i]);
    return sb_take(&b);
}

static char *sql_of(const dg_op *op)
{
    char *err = NULL, *sql = dg_op_sql(op, &err);
    if (!sql) fail_msg("%s %s: no SQL: %s", op->type->id, op->name, err);
    return sql;
}

/* Parses text, which must be one statement without problems. */
static void parse_one(const char *text, sql_stmtvec *v)
{
    memset(v, 0, sizeof(*v));
    if (sql_parse(text, strlen(text), v, NULL, NULL, NULL) != 0 || v->n != 1)
        fail_msg("does not parse as one statement:\n%s", text);
}

static void assert_same_params(const cJSON *got, const cJSON *want)
{
    if (cJSON_Compare(got, want, true)) return;
    char *g = cJSON_PrintUnformatted(got), *w = cJSON_PrintUnformatted(want);
    fail_msg("params\n got: %s\nwant: %s", g, w);
}

/* The node (id, name, inputs, params) generates exactly want, and want reads
 * back as the same node. */
static void roundtrip(const char *id, const char *name, const char *inputs, const char *params,
                      const char *want)
{
    dg_op op;
    make(&op, id, name, inputs, params);
    char *sql = sql_of(&op);
    if (strcmp(sql, want)) fail_msg("%s generated\n[%s]\nwant\n[%s]", id, sql, want);
    sql_stmtvec v;
    parse_one(sql, &v);
    dg_op back;
    dg_op_read(sql, &v.v[0], &back);
    if (strcmp(back.type->id, id)) fail_msg("[%s] read as %s, not %s", sql, back.type->id, id);
    assert_string_equal(back.name, name);
    char *a = joined(&back.inputs), *b = joined(&op.inputs);
    assert_string_equal(a, b);
    assert_same_params(back.params, op.params);
    free(a);
    free(b);
    dg_op_free(&back);
    sql_stmts_free(&v);
    free(sql);
    dg_op_free(&op);
}

/* text (one statement) reads as a SQL node keeping its exact text. */
static void assert_sql_node(const char *text)
{
    sql_stmtvec v;
    parse_one(text, &v);
    dg_op op;
    dg_op_read(text, &v.v[0], &op);
    if (strcmp(op.type->id, "sql")) fail_msg("[%s] read as %s, not sql", text, op.type->id);
    char *span = xstrndup(text + v.v[0].span_off, v.v[0].span_len);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(op.params, "sql")->valuestring, span);
    free(span);
    dg_op_free(&op);
    sql_stmts_free(&v);
}

/* The canonical rule for statement s of text: its node is either a type
 * whose SQL is exactly the statement's bytes, or sql with its exact text. */
static void assert_canonical_rule(const char *text, const sql_stmt *s)
{
    dg_op op;
    dg_op_read(text, s, &op);
    char *span = xstrndup(text + s->span_off, s->span_len);
    if (!strcmp(op.type->id, "sql")) {
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(op.params, "sql")->valuestring, span);
    } else {
        char *want = xasprintf("%s\n", span), *err = NULL, *sql = dg_op_sql(&op, &err);
        if (!sql || strcmp(sql, want))
            fail_msg("%s node of [%s] generates [%s]", op.type->id, span, sql ? sql : err);
        free(sql);
        free(want);
    }
    free(span);
    dg_op_free(&op);
}

/* The problems of op against schemas ins, one "key: msg" a line. */
static char *problems(const dg_op *op, const dg_schema *ins)
{
    dg_problems p = {0};
    dg_op_check(op, ins, &p);
    sb b = {0};
    for (size_t i = 0; i < p.n; i++)
        sb_addf(&b, "%s: %s\n", p.v[i].key ? p.v[i].key : "-", p.v[i].msg);
    dg_problems_free(&p);
    return sb_take(&b);
}

static void assert_problem(const char *all, const char *line)
{
    if (!strstr(all, line)) fail_msg("missing problem\n  %s\ngot:\n%s", line, all);
}

/* The check of a node made from (id, inputs, params) has the problem line. */
static void assert_check(const char *id, const char *inputs, const char *params,
                         const dg_schema *ins, const char *line)
{
    dg_op op;
    make(&op, id, "x", inputs, params);
    char *all = problems(&op, ins);
    if (line) assert_problem(all, line);
    else if (*all) fail_msg("%s: unexpected problems:\n%s", id, all);
    free(all);
    dg_op_free(&op);
}

/* ---------------------------------------------------------------- sources */

static void test_source_files(void **state)
{
    (void)state;
    roundtrip("source_files", "orders_raw", NULL,
              "{\"path\": \"data/orders/*.csv\", \"format\": \"csv\", \"header\": true, "
              "\"stream\": true}",
              "CREATE OR REFRESH STREAMING TABLE orders_raw\n"
              "AS SELECT * FROM STREAM read_files('data/orders/*.csv', format => 'csv', "
              "header => true);\n");
    roundtrip("source_files", "raw", NULL,
              "{\"path\": \"data/it's/*.csv\", \"format\": \"csv\", \"header\": false, "
              "\"stream\": false}",
              "CREATE OR REFRESH MATERIALIZED VIEW raw\n"
              "AS SELECT * FROM read_files('data/it''s/*.csv', format => 'csv', "
              "header => false);\n");
    roundtrip("source_files", "events", NULL,
              "{\"path\": \"data/events/*.jsonl\", \"format\": \"json\", \"header\": true, "
              "\"stream\": true}",
              "CREATE OR REFRESH STREAMING TABLE events\n"
              "AS SELECT * FROM STREAM read_files('data/events/*.jsonl', format => 'json');\n");
}

static void test_source_table(void **state)
{
    (void)state;
    roundtrip("source_table", "shop", NULL, "{\"table\": \"shop_orders\"}",
              "CREATE TEMPORARY VIEW shop AS\nSELECT *\nFROM shop_orders;\n");
    roundtrip("source_table", "order", NULL, "{\"table\": \"wh.select\"}",
              "CREATE TEMPORARY VIEW \"order\" AS\nSELECT *\nFROM wh.\"select\";\n");
    roundtrip("source_table", "My Orders", NULL, "{\"table\": \"Shop \\\"Orders\\\"\"}",
              "CREATE TEMPORARY VIEW \"My Orders\" AS\nSELECT *\nFROM \"Shop \"\"Orders\"\"\";\n");
}

static void test_defaults(void **state)
{
    (void)state;
    dg_op op;
    make(&op, "source_files", "s", NULL, NULL);
    char *p = cJSON_PrintUnformatted(op.params);
    assert_string_equal(p, "{\"path\":\"\",\"format\":\"csv\",\"header\":true,\"stream\":true}");
    free(p);
    dg_op_free(&op);
    make(&op, "sort", "s", "a", "{\"limit\": 3, \"extra\": 1}");
    p = cJSON_PrintUnformatted(op.params);
    assert_string_equal(p, "{\"order\":[],\"limit\":3,\"extra\":1}");
    free(p);
    dg_op_free(&op);
    make(&op, "filter", "f", "a", NULL);
    p = cJSON_PrintUnformatted(op.params);
    assert_string_equal(p, "{\"conditions\":[],\"match\":\"all\",\"where\":\"\"}");
    free(p);
    dg_op_free(&op);
}

/* ---------------------------------------------------------------- filter */

static void test_filter(void **state)
{
    (void)state;
    roundtrip("filter", "big_paid", "orders",
              "{\"conditions\": [{\"column\": \"amount\", \"op\": \">\", \"value\": \"10\"},"
              " {\"column\": \"status\", \"op\": \"=\", \"value\": \"paid\"},"
              " {\"column\": \"country\", \"op\": \"in\", \"value\": \"FR, DE, it's\"}],"
              " \"match\": \"all\", \"where\": \"\"}",
              "CREATE TEMPORARY VIEW big_paid AS\nSELECT *\nFROM orders\n"
              "WHERE amount > 10 AND status = 'paid' AND country IN ('FR', 'DE', 'it''s');\n");
    roundtrip("filter", "odd", "orders",
              "{\"conditions\": [{\"column\": \"status\", \"op\": \"is null\", \"value\": \"\"},"
              " {\"column\": \"email\", \"op\": \"like\", \"value\": \"%@example.com\"},"
              " {\"column\": \"amount\", \"op\": \"<=\", \"value\": \"-2.5\"},"
              " {\"column\": \"code\", \"op\": \"<>\", \"value\": \"'42'\"},"
              " {\"column\": \"name\", \"op\": \">=\", \"value\": \"O'Brien\"},"
              " {\"column\": \"note\", \"op\": \"is not null\", \"value\": \"\"},"
              " {\"column\": \"zip\", \"op\": \"in\", \"value\": \"007, 0, 1_000, 0.5\"}],"
              " \"match\": \"any\", \"where\": \"\"}",
              "CREATE TEMPORARY VIEW odd AS\nSELECT *\nFROM orders\n"
              "WHERE status IS NULL OR email LIKE '%@example.com' OR amount <= -2.5 OR "
              "code <> '42' OR name >= 'O''Brien' OR note IS NOT NULL OR "
              "zip IN ('007', 0, '1_000', 0.5);\n");
    /* identifiers needing quotes, values that look like other things */
    roundtrip("filter", "Big Ones", "Order Lines",
              "{\"conditions\": [{\"column\": \"order\", \"op\": \"<\", \"value\": \"1e3\"},"
              " {\"column\": \"my col\", \"op\": \"in\", \"value\": \"'a,b', 2, ' x'\"}],"
              " \"match\": \"all\", \"where\": \"\"}",
              "CREATE TEMPORARY VIEW \"Big Ones\" AS\nSELECT *\nFROM \"Order Lines\"\n"
              "WHERE \"order\" < 1e3 AND \"my col\" IN ('a,b', 2, ' x');\n");
    /* conditions and a free expression */
    roundtrip("filter", "f", "t",
              "{\"conditions\": [{\"column\": \"a\", \"op\": \"=\", \"value\": \"1\"},"
              " {\"column\": \"b\", \"op\": \"=\", \"value\": \"x y\"}],"
              " \"match\": \"any\", \"where\": \"amount > discount * 2\"}",
              "CREATE TEMPORARY VIEW f AS\nSELECT *\nFROM t\n"
              "WHERE (a = 1 OR b = 'x y') AND (amount > discount * 2);\n");
    roundtrip("filter", "f", "t",
              "{\"conditions\": [{\"column\": \"a\", \"op\": \"=\", \"value\": \"\"}],"
              " \"match\": \"all\", \"where\": \"b > a OR c\"}",
              "CREATE TEMPORARY VIEW f AS\nSELECT *\nFROM t\nWHERE a = '' AND (b > a OR c);\n");
    roundtrip("filter", "f", "t",
              "{\"conditions\": [], \"match\": \"all\", "
              "\"where\": \"length(status) > 3 OR status IS NULL\"}",
              "CREATE TEMPORARY VIEW f AS\nSELECT *\nFROM t\n"
              "WHERE length(status) > 3 OR status IS NULL;\n");
}

/* What a filter reads back as, when it is not what was typed (the SQL is
 * the same). */
static void test_filter_reads_equivalent(void **state)
{
    (void)state;
    const char *text = "CREATE TEMPORARY VIEW f AS\nSELECT *\nFROM t\nWHERE amount > 10;";
    sql_stmtvec v;
    parse_one(text, &v);
    dg_op op;
    dg_op_read(text, &v.v[0], &op);
    assert_string_equal(op.type->id, "filter");
    char *p = cJSON_PrintUnformatted(op.params);
    assert_string_equal(p, "{\"conditions\":[{\"column\":\"amount\",\"op\":\">\","
                           "\"value\":\"10\"}],"
                           "\"match\":\"all\",\"where\":\"\"}");
    free(p);
    dg_op_free(&op);
    sql_stmts_free(&v);
    /* a condition whose column is quoted without need is a where */
    text = "CREATE TEMPORARY VIEW f AS\nSELECT *\nFROM t\nWHERE \"amount\" > 10 AND x = 'a';";
    parse_one(text, &v);
    dg_op_read(text, &v.v[0], &op);
    assert_string_equal(op.type->id, "filter");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(op.params, "where")->valuestring,
                        "\"amount\" > 10 AND x = 'a'");
    dg_op_free(&op);
    sql_stmts_free(&v);
}

/* ---------------------------------------------------------------- select, join */

static void test_select(void **state)
{
    (void)state;
    roundtrip("select", "slim", "orders",
              "{\"columns\": [{\"expr\": \"order_id\", \"as\": \"\"},"
              " {\"expr\": \"amount * 2\", \"as\": \"double_amount\"},"
              " {\"expr\": \"upper(status)\", \"as\": \"Status Text\"},"
              " {\"expr\": \"\\\"group\\\"\", \"as\": \"grp\"},"
              " {\"expr\": \"CAST(qty AS INTEGER)\", \"as\": \"\"},"
              " {\"expr\": \"coalesce(a, b, 'x, y')\", \"as\": \"c\"}]}",
              "CREATE TEMPORARY VIEW slim AS\n"
              "SELECT order_id, amount * 2 AS double_amount, upper(status) AS \"Status Text\", "
              "\"group\" AS grp, CAST(qty AS INTEGER), coalesce(a, b, 'x, y') AS c\n"
              "FROM orders;\n");
}

static void test_join(void **state)
{
    (void)state;
    static const char *const how[] = {"inner", "left", "right", "full"};
    static const char *const word[] = {"JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN"};
    for (int i = 0; i < 4; i++) {
        char *params = xasprintf(
            "{\"how\": \"%s\", \"keys\": [{\"left\": \"customer_id\", \"right\": \"id\"},"
            " {\"left\": \"country\", \"right\": \"country code\"}], \"columns\": [\"name\", "
            "\"email\"]}", how[i]);
        char *want = xasprintf(
            "CREATE TEMPORARY VIEW orders_customers AS\nSELECT l.*, r.name, r.email\n"
            "FROM orders AS l\n%s customers AS r ON l.customer_id = r.id AND "
            "l.country = r.\"country code\";\n", word[i]);
        roundtrip("join", "orders_customers", "orders, customers", params, want);
        free(params);
        free(want);
    }
    roundtrip("join", "j", "orders, customers",
              "{\"how\": \"left\", \"keys\": [{\"left\": \"customer_id\", \"right\": "
              "\"customer_id\"}, {\"left\": \"region\", \"right\": \"region\"}], \"columns\": []}",
              "CREATE TEMPORARY VIEW j AS\nSELECT *\nFROM orders AS l\n"
              "LEFT JOIN customers AS r USING (customer_id, region);\n");
    roundtrip("join", "self", "t, t",
              "{\"how\": \"inner\", \"keys\": [{\"left\": \"parent\", \"right\": \"id\"}], "
              "\"columns\": []}",
              "CREATE TEMPORARY VIEW self AS\nSELECT *\nFROM t AS l\n"
              "JOIN t AS r ON l.parent = r.id;\n");
}

/* ---------------------------------------------------------------- aggregate, union */

static void test_aggregate(void **state)
{
    (void)state;
    roundtrip("aggregate", "per_customer", "orders",
              "{\"group_by\": [\"customer_id\", \"country\"], \"measures\": ["
              "{\"fn\": \"count\", \"column\": \"*\", \"as\": \"orders\"},"
              " {\"fn\": \"sum\", \"column\": \"amount\", \"as\": \"revenue\"},"
              " {\"fn\": \"count distinct\", \"column\": \"product\", \"as\": \"products\"},"
              " {\"fn\": \"avg\", \"column\": \"amount\", \"as\": \"\"},"
              " {\"fn\": \"min\", \"column\": \"ordered_at\", \"as\": \"first\"},"
              " {\"fn\": \"max\", \"column\": \"ordered at\", \"as\": \"last\"}]}",
              "CREATE TEMPORARY VIEW per_customer AS\n"
              "SELECT customer_id, country, count(*) AS orders, sum(amount) AS revenue, "
              "count(DISTINCT product) AS products, avg(amount), min(ordered_at) AS \"first\", "
              "max(\"ordered at\") AS \"last\"\nFROM orders\nGROUP BY customer_id, country;\n");
    roundtrip("aggregate", "n", "orders",
              "{\"group_by\": [], \"measures\": [{\"fn\": \"count\", \"column\": \"*\", "
              "\"as\": \"n\"}]}",
              "CREATE TEMPORARY VIEW n AS\nSELECT count(*) AS n\nFROM orders;\n");
    roundtrip("aggregate", "kinds", "orders", "{\"group_by\": [\"kind\"], \"measures\": []}",
              "CREATE TEMPORARY VIEW kinds AS\nSELECT kind\nFROM orders\nGROUP BY kind;\n");
}

static void test_union(void **state)
{
    (void)state;
    roundtrip("union", "all_orders", "shop, app, \"pos\"", "{\"distinct\": false}",
              "CREATE TEMPORARY VIEW all_orders AS\nSELECT * FROM shop\nUNION ALL\n"
              "SELECT * FROM app\nUNION ALL\nSELECT * FROM \"\"\"pos\"\"\";\n");
    roundtrip("union", "u", "a, b", "{\"distinct\": true}",
              "CREATE TEMPORARY VIEW u AS\nSELECT * FROM a\nUNION\nSELECT * FROM b;\n");
}

/* ---------------------------------------------------------------- dedupe, sort */

static void test_dedupe(void **state)
{
    (void)state;
    roundtrip("dedupe", "d", "customers", "{\"keys\": [], \"latest_by\": \"\"}",
              "CREATE TEMPORARY VIEW d AS\nSELECT DISTINCT *\nFROM customers;\n");
    roundtrip("dedupe", "d", "customers", "{\"keys\": [\"id\"], \"latest_by\": \"\"}",
              "CREATE TEMPORARY VIEW d AS\nSELECT *\nFROM customers\nGROUP BY id;\n");
    roundtrip("dedupe", "d", "customers",
              "{\"keys\": [\"id\", \"region\"], \"latest_by\": \"updated_at\"}",
              "CREATE TEMPORARY VIEW d AS\nSELECT *\nFROM customers\nGROUP BY id, region\n"
              "HAVING updated_at IS max(updated_at);\n");
}

static void test_sort(void **state)
{
    (void)state;
    roundtrip("sort", "top", "orders",
              "{\"order\": [{\"column\": \"amount\", \"desc\": true}, {\"column\": \"id\", "
              "\"desc\": false}], \"limit\": 10}",
              "CREATE TEMPORARY VIEW top AS\nSELECT *\nFROM orders\nORDER BY amount DESC, id\n"
              "LIMIT 10;\n");
    roundtrip("sort", "five", "orders", "{\"order\": [], \"limit\": 5}",
              "CREATE TEMPORARY VIEW five AS\nSELECT *\nFROM orders\nLIMIT 5;\n");
    roundtrip("sort", "by_key", "orders",
              "{\"order\": [{\"column\": \"key\", \"desc\": false}], \"limit\": 0}",
              "CREATE TEMPORARY VIEW by_key AS\nSELECT *\nFROM orders\nORDER BY \"key\";\n");
}

/* ---------------------------------------------------------------- output, sql */

static void test_output(void **state)
{
    (void)state;
    roundtrip("output", "revenue", "customer_revenue",
              "{\"kind\": \"materialized_view\", \"comment\": \"revenue per customer, in 'EUR'\","
              " \"expectations\": ["
              "{\"name\": \"positive\", \"expr\": \"revenue > 0\", \"action\": \"drop\"},"
              " {\"name\": \"has_customer\", \"expr\": \"customer_id IS NOT NULL\", "
              "\"action\": \"fail\"},"
              " {\"name\": \"small\", \"expr\": \"orders < (1000)\", \"action\": \"warn\"}]}",
              "CREATE OR REFRESH MATERIALIZED VIEW revenue (\n"
              "  CONSTRAINT positive EXPECT (revenue > 0) ON VIOLATION DROP ROW,\n"
              "  CONSTRAINT has_customer EXPECT (customer_id IS NOT NULL) "
              "ON VIOLATION FAIL UPDATE,\n"
              "  CONSTRAINT small EXPECT (orders < (1000))\n"
              ")\nCOMMENT 'revenue per customer, in ''EUR'''\n"
              "AS SELECT * FROM customer_revenue;\n");
    roundtrip("output", "events", "events_raw",
              "{\"kind\": \"streaming_table\", \"comment\": \"\", \"expectations\": []}",
              "CREATE OR REFRESH STREAMING TABLE events\nAS SELECT * FROM STREAM(events_raw);\n");
    roundtrip("output", "clean", "raw",
              "{\"kind\": \"streaming_table\", \"comment\": \"rows\\nwith a newline\", "
              "\"expectations\": [{\"name\": \"key\", \"expr\": \"id > 0\", \"action\": "
              "\"warn\"}]}",
              "CREATE OR REFRESH STREAMING TABLE clean (\n"
              "  CONSTRAINT \"key\" EXPECT (id > 0)\n)\nCOMMENT 'rows\nwith a newline'\n"
              "AS SELECT * FROM STREAM(raw);\n");
}

static void test_sql_node(void **state)
{
    (void)state;
    const char *text = "-- a flow\nCREATE FLOW f AS INSERT INTO t BY NAME\n"
                       "WITH c AS (SELECT * FROM a) SELECT * FROM STREAM(c) JOIN b ON 1\n"
                       "  JOIN a USING (k) JOIN json_each('[]') JOIN other.x ;";
    sql_stmtvec v;
    parse_one(text, &v);
    dg_op op;
    dg_op_read(text, &v.v[0], &op);
    assert_string_equal(op.type->id, "sql");
    assert_string_equal(op.name, "f");
    char *in = joined(&op.inputs);
    assert_string_equal(in, "a, b");
    free(in);
    char *sql = sql_of(&op), *want = xasprintf("%s\n", strstr(text, "CREATE"));
    assert_string_equal(sql, want);
    assert_string_equal(sql + strlen(sql) - 3, " ;\n");
    free(want);
    free(sql);
    /* renamed in the form: the statement follows */
    free(op.name);
    op.name = xstrdup("Flow Two");
    sql = sql_of(&op);
    assert_true(!strncmp(sql, "CREATE FLOW \"Flow Two\" AS INSERT INTO t BY NAME\n", 48));
    free(sql);
    dg_op_free(&op);
    sql_stmts_free(&v);
    /* ';' and '\n' are added when missing, after a trailing comment too */
    make(&op, "sql", "m", NULL, "{\"sql\": \"CREATE MATERIALIZED VIEW m AS SELECT 1 -- one\"}");
    sql = sql_of(&op);
    assert_string_equal(sql, "CREATE MATERIALIZED VIEW m AS SELECT 1 -- one\n;\n");
    free(sql);
    dg_op_free(&op);
    make(&op, "sql", "m", NULL, "{\"sql\": \"  CREATE MATERIALIZED VIEW m AS SELECT 1  \"}");
    sql = sql_of(&op);
    assert_string_equal(sql, "CREATE MATERIALIZED VIEW m AS SELECT 1;\n");
    free(sql);
    dg_op_free(&op);
    /* a bare AUTO CDC flow is named after its target: not renamed */
    text = "AUTO CDC INTO t FROM STREAM(s) KEYS (id) SEQUENCE BY seq;";
    parse_one(text, &v);
    dg_op_read(text, &v.v[0], &op);
    assert_string_equal(op.type->id, "sql");
    in = joined(&op.inputs);
    assert_string_equal(in, "s");
    free(in);
    free(op.name);
    op.name = xstrdup("other");
    sql = sql_of(&op);
    assert_string_equal(sql, "AUTO CDC INTO t FROM STREAM(s) KEYS (id) SEQUENCE BY seq;\n");
    free(sql);
    dg_op_free(&op);
    sql_stmts_free(&v);
}

/* Statements one change away from canonical are SQL nodes, text kept. */
static void test_almost_canonical(void **state)
{
    (void)state;
    assert_sql_node("CREATE TEMPORARY VIEW big AS\nSELECT  *\nFROM orders\nWHERE amount > 10;");
    assert_sql_node("CREATE TEMPORARY VIEW big AS\nSELECT *\nfrom orders\nWHERE amount > 10;");
    assert_sql_node("CREATE TEMPORARY VIEW big AS\nSELECT *\nFROM orders\nwhere amount > 10;");
    assert_sql_node("CREATE TEMPORARY VIEW big AS\nSELECT * -- all of it\nFROM orders\n"
                    "WHERE amount > 10;");
    assert_sql_node("CREATE TEMPORARY VIEW big AS\nSELECT *\nFROM orders\n"
                    "WHERE amount > 10 /* big */;");
    assert_sql_node("CREATE TEMPORARY VIEW big AS\nSELECT *\nFROM orders\nWHERE amount > 10");
    assert_sql_node("CREATE TEMPORARY VIEW big AS SELECT * FROM orders WHERE amount > 10;");
    assert_sql_node("CREATE TEMP VIEW big AS\nSELECT *\nFROM orders\nWHERE amount > 10;");
    assert_sql_node("CREATE TEMPORARY VIEW \"big\" AS\nSELECT *\nFROM orders\nWHERE amount > 10;");
    assert_sql_node("CREATE TEMPORARY VIEW src AS\nSELECT *\nFROM  shop_orders;");
    assert_sql_node("CREATE TEMPORARY VIEW j AS\nSELECT *\nFROM a AS l\nINNER JOIN b AS r "
                    "ON l.x = r.y;");
    assert_sql_node("CREATE TEMPORARY VIEW j AS\nSELECT *\nFROM a AS l\nJOIN b AS r "
                    "ON l.x = r.x;"); /* same names: USING (x) */
    assert_sql_node("CREATE TEMPORARY VIEW g AS\nSELECT k, SUM(amount) AS s\nFROM a\nGROUP BY k;");
    assert_sql_node("CREATE TEMPORARY VIEW g AS\nSELECT k, sum(amount) AS s\nFROM a\nGROUP BY j;");
    assert_sql_node("CREATE TEMPORARY VIEW s AS\nSELECT *\nFROM a\nORDER BY x ASC;");
    assert_sql_node("CREATE TEMPORARY VIEW s AS\nSELECT *\nFROM a\nLIMIT 0;");
    assert_sql_node("CREATE TEMPORARY VIEW d AS\nSELECT *\nFROM a\nGROUP BY id\n"
                    "HAVING ts = max(ts);");
    assert_sql_node("CREATE MATERIALIZED VIEW o\nAS SELECT * FROM a;");
    assert_sql_node("CREATE OR REFRESH MATERIALIZED VIEW o (\n"
                    "  CONSTRAINT p EXPECT (x > 0) ON VIOLATION  DROP ROW\n)\nAS SELECT * FROM a;");
    assert_sql_node("CREATE OR REFRESH MATERIALIZED VIEW o\nCOMMENT  'x'\nAS SELECT * FROM a;");
    assert_sql_node("CREATE OR REFRESH STREAMING TABLE o\nAS SELECT * FROM STREAM a;");
    assert_sql_node("CREATE OR REFRESH STREAMING TABLE o\nAS SELECT * FROM STREAM "
                    "read_files('x/*.csv', format => 'csv');");
    assert_sql_node("CREATE OR REFRESH MATERIALIZED VIEW o\nAS SELECT * FROM "
                    "read_files('x/*.csv', format => 'csv', header => TRUE);");
    assert_sql_node("CREATE OR REFRESH STREAMING TABLE o\nTBLPROPERTIES (a = 1)\n"
                    "AS SELECT * FROM STREAM(a);");
}

/* ---------------------------------------------------------------- running the SQL */

typedef ts_project fx;

/* Appends the statement of a node to b. */
static void add_node(sb *b, const char *id, const char *name, const char *inputs,
                     const char *params)
{
    dg_op op;
    make(&op, id, name, inputs, params);
    char *sql = sql_of(&op);
    sb_addf(b, "%s%s", b->len ? "\n" : "", sql);
    free(sql);
    dg_op_free(&op);
}

/* Loads f's project: every statement reads back as a node of a built-in
 * operator type (no SQL node), the dry run passes, and each node's check
 * against the real schemas of its inputs finds nothing. */
static void assert_clean_project(const fx *f, size_t n_datasets)
{
    project p;
    diag_list d = {0};
    assert_int_equal(prj_load(&p, f->dir, NULL, &d), 0);
    val_result vr = {0};
    if (val_run(&p, &d, &vr) != 0) {
        char *s = diag_format(&d.items.v[0]);
        fail_msg("dry run: %s", s);
    }
    assert_int_equal(p.datasets.n, n_datasets);
    for (size_t i = 0; i < p.datasets.n; i++) {
        dg_op op;
        dg_op_read(prj_text(&p, p.datasets.v[i].file), p.datasets.v[i].stmt, &op);
        if (!strcmp(op.type->id, "sql")) fail_msg("%s reads as a SQL node", op.name);
        dg_schema *ins = dg_input_schemas(&p, &vr, &op);
        for (size_t k = 0; k < op.inputs.n; k++)
            if (!ins[k].n) fail_msg("%s: no schema for its input %s", op.name, op.inputs.v[k]);
        char *all = problems(&op, ins);
        if (*all) fail_msg("%s: %s", op.name, all);
        free(all);
        dg_schemas_free(ins, op.inputs.n);
        dg_op_free(&op);
    }
    val_free(&vr);
    diag_free(&d);
    prj_free(&p);
}

/* The schemas come from a dry run of the editor's text, which may have
 * its datasets in another order than the files on disk: an input's columns
 * are found by its name, not by its place. */
static void test_input_schemas_by_name(void **state)
{
    fx *f = *state;
    ts_write_file(f->dir, "transformations/a.sql",
                  "CREATE MATERIALIZED VIEW a AS SELECT 1 AS x;\n"
                  "CREATE MATERIALIZED VIEW b AS SELECT 'q' AS y;\n");
    project disk;
    diag_list d = {0};
    assert_int_equal(prj_load(&disk, f->dir, NULL, &d), 0);
    /* the editor's version: a statement added above them */
    ts_write_file(f->dir, "transformations/a.sql",
                  "CREATE MATERIALIZED VIEW c AS SELECT 2.5 AS z;\n"
                  "CREATE MATERIALIZED VIEW a AS SELECT 1 AS x;\n"
                  "CREATE MATERIALIZED VIEW b AS SELECT 'q' AS y;\n");
    project edited;
    assert_int_equal(prj_load(&edited, f->dir, NULL, &d), 0);
    val_result vr = {0};
    assert_int_equal(val_run(&edited, &d, &vr), 0);
    dg_op op;
    make(&op, "filter", "only_q", "b", NULL);
    dg_schema *ins = dg_input_schemas(&disk, &vr, &op);
    assert_int_equal(ins[0].n, 1);
    assert_string_equal(ins[0].cols[0].name, "y");
    dg_schemas_free(ins, op.inputs.n);
    dg_op_free(&op);
    val_free(&vr);
    prj_free(&edited);
    prj_free(&disk);
    diag_free(&d);
}

static void update(const fx *f)
{
    upd *u = upd_new(f->dir, NULL, NULL, NULL);
    upd_state st = upd_run(u);
    if (st != UPD_COMPLETED) fail_msg("update: %s: %s", upd_state_name(st), upd_error(u));
    upd_free(u);
}

static void assert_rows(const fx *f, const char *sql, const char *want)
{
    char *got = ts_sql_text(f->wh, sql);
    if (!got || strcmp(got, want))
        fail_msg("%s\n got: %s\nwant: %s", sql, got ? got : "(null)", want);
    free(got);
}

static const char *ORDERS_CSV = "order_id,customer_id,amount,status\n"
                                "1,10,5,paid\n2,10,20,paid\n3,11,50,paid\n4,11,70,refunded\n"
                                "5,12,15,paid\n6,10,30,paid\n7,12,8,paid\n8,13,9,paid\n";

/* source_files -> filter -> aggregate -> output, updated for real. */
static void test_pipeline_runs(void **state)
{
    fx *f = *state;
    assert_int_equal(ts_write_file(f->dir, "data/orders/1.csv", ORDERS_CSV), 0);
    sb b = {0};
    add_node(&b, "source_files", "orders_raw", NULL,
             "{\"path\": \"data/orders/*.csv\", \"format\": \"csv\", \"header\": true}");
    add_node(&b, "filter", "big_paid", "orders_raw",
             "{\"conditions\": [{\"column\": \"amount\", \"op\": \">\", \"value\": \"10\"},"
             " {\"column\": \"status\", \"op\": \"in\", \"value\": \"paid, shipped\"}]}");
    add_node(&b, "aggregate", "per_customer", "big_paid",
             "{\"group_by\": [\"customer_id\"], \"measures\": ["
             "{\"fn\": \"count\", \"column\": \"*\", \"as\": \"orders\"},"
             " {\"fn\": \"sum\", \"column\": \"amount\", \"as\": \"revenue\"},"
             " {\"fn\": \"count distinct\", \"column\": \"status\", \"as\": \"statuses\"}]}");
    add_node(&b, "output", "revenue", "per_customer",
             "{\"comment\": \"paid revenue per customer\", \"expectations\": ["
             "{\"name\": \"two_orders\", \"expr\": \"orders >= 2\", \"action\": \"warn\"},"
             " {\"name\": \"big\", \"expr\": \"revenue > 20\", \"action\": \"drop\"}]}");
    assert_int_equal(ts_write_file(f->dir, "transformations/p.sql", sb_str(&b)), 0);
    sb_free(&b);
    assert_clean_project(f, 4);
    update(f);
    assert_rows(f, "SELECT group_concat(customer_id || ':' || orders || ':' || revenue || ':' || "
                   "statuses, ' ') FROM (SELECT * FROM revenue ORDER BY customer_id)",
                "10:2:50:1 11:1:50:1");
    assert_rows(f, "SELECT count(*) FROM orders_raw", "8");
}

static const char *CUSTOMERS_CSV = "id,name,country,updated_at\n"
                                   "10,Ann,FR,2024-01-01\n11,Bob,DE,2024-01-01\n"
                                   "10,Ann B,BE,2024-03-01\n12,Cy,IT,\n11,Bob,AT,2024-02-01\n"
                                   "10,Ann A,NL,2024-02-01\n";

/* dedupe with latest_by, a left join and a full join, on real rows. */
static void test_join_dedupe_run(void **state)
{
    fx *f = *state;
    assert_int_equal(ts_write_file(f->dir, "data/orders/1.csv", ORDERS_CSV), 0);
    assert_int_equal(ts_write_file(f->dir, "data/customers/1.csv", CUSTOMERS_CSV), 0);
    sb b = {0};
    add_node(&b, "source_files", "orders_raw", NULL, "{\"path\": \"data/orders/*.csv\"}");
    add_node(&b, "source_files", "customers_raw", NULL,
             "{\"path\": \"data/customers/*.csv\", \"stream\": false}");
    add_node(&b, "dedupe", "customers", "customers_raw",
             "{\"keys\": [\"id\"], \"latest_by\": \"updated_at\"}");
    add_node(&b, "join", "orders_customers", "orders_raw, customers",
             "{\"how\": \"left\", \"keys\": [{\"left\": \"customer_id\", \"right\": \"id\"}],"
             " \"columns\": [\"name\", \"country\"]}");
    add_node(&b, "output", "order_names", "orders_customers", NULL);
    add_node(&b, "output", "latest_customers", "customers", NULL);
    add_node(&b, "select", "ids", "orders_raw",
             "{\"columns\": [{\"expr\": \"customer_id\", \"as\": \"id\"}, "
             "{\"expr\": \"order_id\", \"as\": \"\"}]}");
    add_node(&b, "join", "both", "ids, customers",
             "{\"how\": \"full\", \"keys\": [{\"left\": \"id\", \"right\": \"id\"}]}");
    add_node(&b, "dedupe", "both_ids", "both", "{\"keys\": [\"id\"]}");
    add_node(&b, "output", "every_id", "both_ids", NULL);
    assert_int_equal(ts_write_file(f->dir, "transformations/p.sql", sb_str(&b)), 0);
    sb_free(&b);
    assert_clean_project(f, 10);
    update(f);
    assert_rows(f, "SELECT group_concat(id || ':' || name || ':' || country, ' ') FROM "
                   "(SELECT * FROM latest_customers ORDER BY id)",
                "10:Ann B:BE 11:Bob:AT 12:Cy:IT");
    assert_rows(f, "SELECT group_concat(order_id || ':' || coalesce(name, '-'), ' ') FROM "
                   "(SELECT * FROM order_names ORDER BY order_id)",
                "1:Ann B 2:Ann B 3:Bob 4:Bob 5:Cy 6:Ann B 7:Cy 8:-");
    assert_rows(f, "SELECT group_concat(id, ' ') FROM (SELECT * FROM every_id ORDER BY id)",
                "10 11 12 13");
}

/* ---------------------------------------------------------------- checks */

static const dg_column ORDER_COLS[] = {
    {"order_id", "INTEGER"}, {"customer_id", "INTEGER"}, {"amount", "REAL"}, {"status", "TEXT"}};
static const dg_column CUSTOMER_COLS[] = {
    {"id", "INTEGER"}, {"name", "TEXT"}, {"status", "TEXT"}, {"Amount", "REAL"}};
static const dg_schema ORDERS_CUSTOMERS[] = {{ORDER_COLS, 4}, {CUSTOMER_COLS, 4}};
static const dg_schema UNKNOWN[] = {{NULL, 0}, {NULL, 0}};

static void test_check_good(void **state)
{
    (void)state;
    const dg_schema *in = ORDERS_CUSTOMERS;
    assert_check("filter", "orders",
                 "{\"conditions\": [{\"column\": \"AMOUNT\", \"op\": \">\", \"value\": \"1\"}],"
                 " \"where\": \"status <> 'x' AND CAST(amount AS INTEGER) > length(status) "
                 "COLLATE NOCASE AND orders.amount > 0 AND TRUE\"}", in, NULL);
    assert_check("select", "orders",
                 "{\"columns\": [{\"expr\": \"order_id\"}, {\"expr\": \"amount * 2\", \"as\": "
                 "\"a2\"}, {\"expr\": \"(SELECT max(x) FROM other)\", \"as\": \"m\"}]}", in, NULL);
    assert_check("join", "orders, customers",
                 "{\"keys\": [{\"left\": \"customer_id\", \"right\": \"id\"}], \"columns\": "
                 "[\"name\"]}", in, NULL);
    assert_check("aggregate", "orders",
                 "{\"group_by\": [\"customer_id\"], \"measures\": [{\"fn\": \"count\", "
                 "\"column\": \"*\", \"as\": \"n\"}]}", in, NULL);
    assert_check("source_files", NULL, "{\"path\": \"data/*.csv\"}", NULL, NULL);
    assert_check("output", "orders",
                 "{\"expectations\": [{\"name\": \"p\", \"expr\": \"amount > 0\"}]}", in, NULL);
    assert_check("sql", NULL, "{\"sql\": \"CREATE TEMPORARY VIEW x AS SELECT 1\"}", NULL, NULL);
    /* unknown schemas: column names are not flagged */
    assert_check("filter", "orders",
                 "{\"conditions\": [{\"column\": \"amout\", \"op\": \">\", \"value\": \"1\"}]}",
                 UNKNOWN, NULL);
}

static void test_check_problems(void **state)
{
    (void)state;
    const dg_schema *in = ORDERS_CUSTOMERS;
    assert_check("filter", "orders",
                 "{\"conditions\": [{\"column\": \"amount\", \"op\": \">\", \"value\": \"1\"},"
                 " {\"column\": \"amout\", \"op\": \">\", \"value\": \"1\"}]}", in,
                 "conditions: condition 2: no column 'amout' in orders (did you mean amount?)");
    assert_check("filter", "orders",
                 "{\"conditions\": [{\"column\": \"zzz\", \"op\": \"=\", \"value\": \"1\"}]}", in,
                 "conditions: condition 1: no column 'zzz' in orders.");
    assert_check("filter", "orders", "{\"conditions\": [{\"op\": \"=\", \"value\": \"1\"}]}", in,
                 "conditions: condition 1: no column chosen.");
    assert_check("filter", "orders",
                 "{\"conditions\": [{\"column\": \"amount\", \"op\": \"==\", \"value\": \"1\"}]}",
                 in, "conditions: condition 1: operator wants one of =, <>, <, <=, >, >=, "
                 "is null, is not null, like or in.");
    assert_check("filter", "orders",
                 "{\"conditions\": [{\"column\": \"status\", \"op\": \"=\", \"value\": \"\"}]}",
                 in, "conditions: condition 1: no value to compare with (write '' for the empty "
                 "string).");
    assert_check("filter", "orders", "{\"conditions\": [{\"column\": \"*\"}]}", in,
                 "conditions: condition 1: * is not a column here; choose one.");
    assert_check("filter", "orders", NULL, in,
                 "conditions: add a condition or a where expression: as it is, the filter keeps "
                 "every row.");
    assert_check("filter", "orders", "{\"where\": \"amout > (5\"}", in,
                 "where: the expression leaves a parenthesis open.");
    assert_check("filter", "orders", "{\"where\": \"amout > 5 -- big\"}", in,
                 "where: the expression ends in a -- comment, which would hide the rest of the "
                 "statement.");
    assert_check("filter", "orders", "{\"where\": \"amout > 5\"}", in,
                 "where: no column 'amout' in orders (did you mean amount?)");
    assert_check("filter", "orders", "{\"where\": \"x; DROP TABLE y\"}", in,
                 "where: the expression has a ';', which would end the statement.");
    assert_check("filter", NULL, "{\"where\": \"1\"}", NULL,
                 "-: a filter node reads exactly 1 input; it has none.");
    assert_check("union", "a", NULL, NULL, "-: a union node reads at least 2 inputs; it has 1.");
    assert_check("union", "orders, customers", NULL, in,
                 "-: input 2 (customers) has the columns id, name, status, Amount, and input 1 "
                 "(orders) has order_id, customer_id, amount, status: UNION matches columns by "
                 "position, not by name.");
    assert_check("source_files", NULL, "{\"path\": \" \"}", NULL,
                 "path: file pattern is required.");
    assert_check("source_files", NULL, "{\"path\": \"/data/*.csv\"}", NULL,
                 "path: '/data/*.csv' is an absolute path; give it relative to the project "
                 "folder, so that the project can move.");
    assert_check("source_files", NULL, "{\"path\": \"x\", \"header\": \"yes\"}", NULL,
                 "header: header row wants true or false.");
    assert_check("source_table", NULL, NULL, NULL, "table: table is required.");
}

static void test_check_problems_more(void **state)
{
    (void)state;
    const dg_schema *in = ORDERS_CUSTOMERS;
    assert_check("select", "orders", "{\"columns\": [{\"expr\": \" \", \"as\": \"x\"}]}", in,
                 "columns: column 1: the expression is empty.");
    assert_check("select", "orders", NULL, in, "columns: add at least one column.");
    assert_check("select", "orders",
                 "{\"columns\": [{\"expr\": \"amount\", \"as\": \"x\"}, {\"expr\": \"order_id\"},"
                 " {\"expr\": \"amount + 1\", \"as\": \"X\"}, {\"expr\": \"orders.order_id\"}]}",
                 in, "columns: column 3: the name 'X' is taken already (column 1); give it "
                 "another.");
    assert_check("select", "orders",
                 "{\"columns\": [{\"expr\": \"order_id\"}, {\"expr\": \"orders.order_id\"}]}", in,
                 "columns: column 2: the name 'order_id' is taken already (column 1); give it "
                 "another.");
    assert_check("select", "orders", "{\"columns\": [{\"expr\": \"upper(stats)\"}]}", in,
                 "columns: column 1: no column 'stats' in orders (did you mean status?)");
    assert_check("sort", "orders", "{\"limit\": -3}", in,
                 "limit: limit wants a whole number of 0 or more.");
    assert_check("sort", "orders", "{\"limit\": 2.5}", in,
                 "limit: limit wants a whole number of 0 or more.");
    assert_check("sort", "orders", NULL, in,
                 "order: add a column to sort by, or a limit: as it is, the sort does nothing.");
    assert_check("sort", "orders", "{\"order\": [{\"column\": \"amont\"}]}", in,
                 "order: sort column 1: no column 'amont' in orders (did you mean amount?)");
    assert_check("join", "orders, customers",
                 "{\"keys\": [{\"left\": \"customer_id\", \"right\": \"\"}]}", in,
                 "keys: join key 1: no right column chosen.");
    assert_check("join", "orders, customers",
                 "{\"keys\": [{\"left\": \"customer_id\", \"right\": \"idd\"}]}", in,
                 "keys: join key 1: no column 'idd' in customers (did you mean id?)");
    assert_check("join", "orders, customers", NULL, in, "keys: add at least one join key.");
    assert_check("join", "orders, customers",
                 "{\"keys\": [{\"left\": \"customer_id\", \"right\": \"id\"}]}", in,
                 "columns: both orders and customers have the columns status, Amount; choose the "
                 "columns of customers to add, so that each column has its own name.");
    assert_check("join", "orders, customers",
                 "{\"keys\": [{\"left\": \"customer_id\", \"right\": \"id\"}], \"columns\": "
                 "[\"naem\"]}", in,
                 "columns: no column 'naem' in customers (did you mean name?)");
    assert_check("aggregate", "orders", "{\"measures\": [{\"fn\": \"sum\"}]}", in,
                 "measures: measure 1: no column chosen.");
    assert_check("aggregate", "orders",
                 "{\"measures\": [{\"fn\": \"median\", \"column\": \"amount\"}]}", in,
                 "measures: measure 1: function wants one of count, sum, avg, min, max or count "
                 "distinct.");
    assert_check("aggregate", "orders", "{\"measures\": [{\"fn\": \"sum\", \"column\": \"*\"}]}",
                 in, "measures: measure 1: sum needs a column: * only counts rows.");
    assert_check("aggregate", "orders", NULL, in,
                 "measures: add a measure, or a column to group by.");
    assert_check("aggregate", "orders",
                 "{\"group_by\": [\"customer_id\"], \"measures\": [{\"fn\": \"max\", \"column\": "
                 "\"amount\", \"as\": \"customer_id\"}]}", in,
                 "measures: measure 1: the name 'customer_id' is taken already (group by); give it "
                 "another.");
    assert_check("dedupe", "orders", "{\"latest_by\": \"amount\"}", in,
                 "latest_by: choose the key columns too: the latest row of each key is kept.");
    assert_check("dedupe", "orders", "{\"keys\": [\"order_id\", \"custmer_id\"]}", in,
                 "keys: no column 'custmer_id' in orders (did you mean customer_id?)");
    assert_check("output", "orders",
                 "{\"expectations\": [{\"name\": \"p\", \"expr\": \"amount > 0\"}, {\"name\": "
                 "\"P\", \"expr\": \"\"}]}", in,
                 "expectations: expectation 2: the condition is empty.");
    assert_check("output", "orders",
                 "{\"expectations\": [{\"name\": \"p\", \"expr\": \"amount > 0\"}, {\"name\": "
                 "\"P\", \"expr\": \"1\"}]}", in,
                 "expectations: expectation 2: the name 'P' is taken already (expectation 1); "
                 "give it another.");
    assert_check("output", "orders", "{\"kind\": \"table\"}", in,
                 "kind: stored as wants one of materialized_view or streaming_table.");
    assert_check("sql", NULL, "{\"sql\": \"CREATE VIEW x AS SELECT 1\"}", NULL,
                 "sql: line 1, column 8: expected STREAMING TABLE, MATERIALIZED VIEW, TEMPORARY "
                 "VIEW or FLOW, found 'VIEW'.");
    assert_check("sql", NULL,
                 "{\"sql\": \"CREATE TEMPORARY VIEW x AS SELECT 1;\\nCREATE TEMPORARY VIEW y AS "
                 "SELECT 2;\"}", NULL, "sql: it holds 2 statements; a node is one statement.");
    dg_op op;
    make(&op, "source_table", " ", NULL, "{\"table\": \"t\"}");
    char *all = problems(&op, NULL);
    assert_problem(all, "name: the node needs a name (the dataset it defines).");
    free(all);
    char *err = NULL;
    assert_null(dg_op_sql(&op, &err));
    assert_string_equal(err, "the node needs a name");
    free(err);
    dg_op_free(&op);
}

/* Problems the SQL cannot be written for are said by dg_op_sql too. */
static void test_generate_errors(void **state)
{
    (void)state;
    static const struct {
        const char *id, *inputs, *params, *err;
    } cases[] = {
        {"filter", NULL, "{\"where\": \"1\"}", "input 1 is not chosen"},
        {"filter", "a", "{\"where\": \"(x\"}", "where: the expression leaves a parenthesis open"},
        {"filter", "a",
         "{\"conditions\": [{\"column\": \"x\", \"op\": \"in\", \"value\": \" , \"}]}",
         "condition 1: no values for in"},
        {"filter", "a", "{\"conditions\": [{\"column\": \"x\", \"op\": \"~\"}]}",
         "condition 1: no operator '~'"},
        {"select", "a", "{\"columns\": [{\"expr\": \"a; b\"}]}",
         "column 1: the expression has a ';', which would end the statement"},
        {"join", "a, b", NULL, "join: add a pair of key columns"},
        {"join", "a", "{\"keys\": [{\"left\": \"x\", \"right\": \"x\"}]}", "input 2 is not chosen"},
        {"join", "a, b", "{\"keys\": [{\"left\": \"x\"}]}", "join key 1: no right column"},
        {"aggregate", "a", NULL, "aggregate: choose columns to group by or add a measure"},
        {"aggregate", "a", "{\"measures\": [{\"fn\": \"avg\", \"column\": \"*\"}]}",
         "measure 1: only count takes *"},
        {"aggregate", "a", "{\"measures\": [{\"fn\": \"count distinct\", \"column\": \"*\"}]}",
         "measure 1: only count takes *"},
        {"sort", "a", "{\"order\": [{\"column\": \"\"}]}", "sort column 1: no column"},
        {"sort", "a", "{\"limit\": -1}", "limit: a whole number of 0 or more"},
        {"output", "a", "{\"expectations\": [{\"name\": \"\", \"expr\": \"x\"}]}",
         "expectation 1: no name"},
        {"output", "a", "{\"expectations\": [{\"name\": \"n\", \"expr\": \"x)\"}]}",
         "expectation 1: the expression closes a parenthesis it did not open"},
        {"union", NULL, NULL, "a union needs inputs"},
        {"source_table", NULL, NULL, "table: which table to read?"},
        {"sql", NULL, NULL, "sql: the statement is empty"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        dg_op op;
        make(&op, cases[i].id, "n", cases[i].inputs, cases[i].params);
        char *err = NULL, *sql = dg_op_sql(&op, &err);
        if (sql) fail_msg("%s %s: wrote [%s]", cases[i].id, cases[i].params, sql);
        if (!err || strcmp(err, cases[i].err))
            fail_msg("%s: error [%s], want [%s]", cases[i].id, err ? err : "", cases[i].err);
        free(err);
        dg_op_free(&op);
    }
}

static void test_check_inputs(void **state)
{
    (void)state;
    dg_op op;
    make(&op, "output", "o", "v", "{\"kind\": \"streaming_table\"}");
    int kinds[1] = {SQL_TEMP_VIEW};
    dg_problems p = {0};
    dg_op_check_inputs(&op, kinds, &p);
    assert_int_equal(p.n, 1);
    assert_string_equal(p.v[0].key, "kind");
    assert_string_equal(p.v[0].msg,
                        "a streaming table reads its input through STREAM(v), and 'v' is a "
                        "temporary view: STREAM reads only a streaming table or a table outside "
                        "the pipeline. Make this a materialized view, or read from a streaming "
                        "table.");
    dg_problems_free(&p);
    kinds[0] = SQL_MATERIALIZED_VIEW;
    dg_op_check_inputs(&op, kinds, &p);
    assert_int_equal(p.n, 1);
    dg_problems_free(&p);
    kinds[0] = SQL_STREAMING_TABLE;
    dg_op_check_inputs(&op, kinds, &p);
    kinds[0] = -1;
    dg_op_check_inputs(&op, kinds, &p);
    assert_int_equal(p.n, 0);
    dg_op_free(&op);
    make(&op, "output", "o", "v", "{\"kind\": \"materialized_view\"}");
    kinds[0] = SQL_TEMP_VIEW;
    dg_op_check_inputs(&op, kinds, &p);
    assert_int_equal(p.n, 0);
    dg_op_free(&op);
}

/* ---------------------------------------------------------------- identifiers, registry */

static void test_identifiers(void **state)
{
    (void)state;
    assert_true(dg_ident_plain("orders"));
    assert_true(dg_ident_plain("_x1"));
    assert_true(dg_ident_plain("Amount"));
    assert_false(dg_ident_plain(""));
    assert_false(dg_ident_plain("1x"));
    assert_false(dg_ident_plain("my col"));
    assert_false(dg_ident_plain("café"));
    assert_false(dg_ident_plain("select"));
    assert_false(dg_ident_plain("Order"));
    assert_false(dg_ident_plain("stream"));
    assert_false(dg_ident_plain("LIVE"));
    sb b = {0};
    dg_sb_ident(&b, "a\"b");
    sb_add(&b, " ");
    dg_sb_ident(&b, "ok");
    assert_string_equal(sb_str(&b), "\"a\"\"b\" ok");
    sb_free(&b);
}

static int never_generate(const dg_op *op, sb *out, char **err)
{
    (void)op;
    (void)out;
    *err = xstrdup("never");
    return -1;
}

static const dg_field plugin_fields[] = {{NULL, NULL, DG_TEXT, NULL, 0, NULL, false, NULL}};
static const dg_op_type plugin_type = {"upper_case", "Upper case", "A plugin's.", 1, 1,
                                       plugin_fields, never_generate, NULL, NULL};
static const dg_op_type taken_type = {"filter", "Mine", "Taken.", 1, 1, plugin_fields,
                                      never_generate, NULL, NULL};

static void test_registry(void **state)
{
    (void)state;
    static const char *const ids[] = {"source_files", "source_table", "filter", "select",
                                      "join", "aggregate", "union", "dedupe", "sort", "output",
                                      "sql"};
    size_t n = 0;
    const dg_op_type *const *types = dg_op_types(&n);
    assert_int_equal(n, ARRAY_LEN(ids));
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(types[i]->id, ids[i]);
        assert_ptr_equal(dg_op_type_find(ids[i]), types[i]);
        assert_non_null(types[i]->title);
        assert_non_null(types[i]->help);
        for (const dg_field *f = types[i]->fields; f->key; f++) assert_non_null(f->label);
    }
    assert_null(dg_op_type_find("nope"));
    assert_null(dg_op_type_find(NULL));
    assert_false(dg_op_register(&taken_type));
    assert_true(dg_op_register(&plugin_type));
    assert_false(dg_op_register(&plugin_type));
    types = dg_op_types(&n);
    assert_int_equal(n, ARRAY_LEN(ids) + 1);
    assert_ptr_equal(types[n - 1], &plugin_type);
    assert_ptr_equal(dg_op_type_find("upper_case"), &plugin_type);
    /* a type without a reader is skipped when reading */
    assert_sql_node("CREATE TEMPORARY VIEW v AS\nSELECT upper(x)\nFROM  t;");
}

/* ---------------------------------------------------------------- robustness */

/* Every statement of the demo project reads without crashing, and the
 * canonical rule holds for each. */
static void test_demo_statements(void **state)
{
    (void)state;
    static const char *const files[] = {"01_bronze.sql", "02_silver.sql", "03_gold.sql"};
    size_t total = 0;
    for (size_t i = 0; i < ARRAY_LEN(files); i++) {
        char *path = xasprintf("%s/assets/demo/transformations/%s", TARN_SOURCE_DIR, files[i]);
        char *text = fs_read(path, NULL, NULL);
        if (!text) fail_msg("cannot read %s", path);
        sql_stmtvec v = {0};
        assert_int_equal(sql_parse(text, strlen(text), &v, NULL, NULL, NULL), 0);
        for (size_t k = 0; k < v.n; k++) assert_canonical_rule(text, &v.v[k]);
        total += v.n;
        sql_stmts_free(&v);
        free(text);
        free(path);
    }
    assert_true(total >= 9);
}

static const char *const ODD[] = {
    "CREATE OR REFRESH STREAMING TABLE t;",
    "CREATE FLOW f AS AUTO CDC INTO t FROM STREAM(s) KEYS (id) SEQUENCE BY seq;",
    "CREATE TEMPORARY VIEW v AS SELECT;",
    "CREATE TEMPORARY VIEW v AS VALUES (1, 2);",
    "CREATE TEMPORARY VIEW v AS (SELECT 1);",
    "CREATE TEMPORARY VIEW v AS\nSELECT *\nFROM (SELECT 1)\nWHERE x = 1;",
    "CREATE TEMPORARY VIEW v AS\nSELECT *\nFROM a\nWHERE ((x = 1);",
    "CREATE TEMPORARY VIEW v AS\nSELECT *\nFROM a\nWHERE x = 1) AND (y;",
    "CREATE TEMPORARY VIEW v AS\nSELECT *\nFROM a\nWHERE x IN ();",
    "CREATE TEMPORARY VIEW v AS\nSELECT *\nFROM a\nWHERE x = -;",
    "CREATE TEMPORARY VIEW v AS\nSELECT *\nFROM a\nWHERE AND (x);",
    "CREATE TEMPORARY VIEW v AS\nSELECT *\nFROM a\nWHERE (a = 1) AND (b = 2);",
    "CREATE TEMPORARY VIEW v AS\nSELECT *\nFROM a AS l\nJOIN b AS r ON l.x = r.;",
    "CREATE TEMPORARY VIEW v AS\nSELECT l.*, r.\nFROM a AS l\nJOIN b AS r USING ();",
    "CREATE TEMPORARY VIEW v AS\nSELECT count(\nFROM a;",
    "CREATE TEMPORARY VIEW v AS\nSELECT count(DISTINCT *) AS n, sum() AS s\nFROM a;",
    "CREATE TEMPORARY VIEW v AS\nSELECT x, y AS\nFROM a;",
    "CREATE TEMPORARY VIEW v AS\nSELECT , \nFROM a;",
    "CREATE TEMPORARY VIEW v AS\nSELECT *\nFROM a\nGROUP BY\nHAVING x IS max(;",
    "CREATE TEMPORARY VIEW v AS\nSELECT *\nFROM a\nORDER BY x DESC,\n"
    "LIMIT 99999999999999999999999;",
    "CREATE TEMPORARY VIEW v AS\nSELECT *\nFROM a\nLIMIT -1;",
    "CREATE TEMPORARY VIEW v AS\nSELECT *\nFROM a\nLIMIT 1.5;",
    "CREATE TEMPORARY VIEW v AS\nSELECT * FROM a\nUNION\nSELECT * FROM b\nUNION ALL\n"
    "SELECT * FROM c;",
    "CREATE TEMPORARY VIEW v AS\nSELECT * FROM a\nUNION ALL;",
    "CREATE MATERIALIZED VIEW m AS SELECT * FROM STREAM(;",
    "CREATE OR REFRESH STREAMING TABLE s\nAS SELECT * FROM STREAM read_files();",
    "CREATE OR REFRESH STREAMING TABLE s\nAS SELECT * FROM STREAM read_files('x', format => );",
    "CREATE OR REFRESH STREAMING TABLE s\nAS SELECT * FROM STREAM read_files('x', "
    "format => 'xml');",
    "CREATE OR REFRESH MATERIALIZED VIEW o (\n  CONSTRAINT p EXPECT (x > 0)\n)\n"
    "AS SELECT * FROM a;",
    "CREATE OR REFRESH MATERIALIZED VIEW o (id INT)\nAS SELECT * FROM a;",
    "CREATE OR REFRESH STREAMING TABLE o\nAS SELECT * FROM STREAM(LIVE.a);",
    "CREATE TEMPORARY VIEW v AS\nSELECT *\nFROM \"\";",
    "CREATE TEMPORARY VIEW v AS\nSELECT *\nFROM a\nWHERE x = '' AND y IN ('', '''', ',');",
    "CREATE TEMPORARY VIEW v AS\nSELECT *\nFROM a\nWHERE x = 0x1F AND y = 1_000 AND z = .5;",
    "CREATE TEMPORARY VIEW v AS\nSELECT *\nFROM a\nWHERE x LIKE x;",
};

static void test_odd_statements(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(ODD); i++) {
        sql_stmtvec v = {0};
        sql_parse(ODD[i], strlen(ODD[i]), &v, NULL, NULL, NULL);
        for (size_t k = 0; k < v.n; k++) assert_canonical_rule(ODD[i], &v.v[k]);
        sql_stmts_free(&v);
    }
    /* a select list longer than the readers take */
    sb b = {0};
    sb_add(&b, "CREATE TEMPORARY VIEW v AS\nSELECT c0");
    for (int i = 1; i < 300; i++) sb_addf(&b, ", c%d", i);
    sb_add(&b, "\nFROM a;");
    assert_sql_node(sb_str(&b));
    sb_free(&b);
}

/* Every statement left after deleting any one byte of a golden statement
 * keeps the canonical rule (a small, exhaustive fuzz of the readers). */
static void test_one_byte_deletions(void **state)
{
    (void)state;
    static const char *const golden[] = {
        "CREATE OR REFRESH STREAMING TABLE o\nAS SELECT * FROM STREAM read_files('d/*.csv', "
        "format => 'csv', header => true);",
        "CREATE TEMPORARY VIEW f AS\nSELECT *\nFROM t\nWHERE (a = 1 OR b IN ('x', 2)) AND "
        "(c > d);",
        "CREATE TEMPORARY VIEW s AS\nSELECT a, b * 2 AS c\nFROM t;",
        "CREATE TEMPORARY VIEW j AS\nSELECT l.*, r.n\nFROM a AS l\nLEFT JOIN b AS r ON "
        "l.k = r.id AND l.x = r.y;",
        "CREATE TEMPORARY VIEW j AS\nSELECT *\nFROM a AS l\nJOIN b AS r USING (k, x);",
        "CREATE TEMPORARY VIEW g AS\nSELECT k, count(*) AS n, count(DISTINCT x) AS d\nFROM t\n"
        "GROUP BY k;",
        "CREATE TEMPORARY VIEW u AS\nSELECT * FROM a\nUNION ALL\nSELECT * FROM b;",
        "CREATE TEMPORARY VIEW d AS\nSELECT *\nFROM t\nGROUP BY id\nHAVING ts IS max(ts);",
        "CREATE TEMPORARY VIEW o AS\nSELECT *\nFROM t\nORDER BY a DESC, b\nLIMIT 10;",
        "CREATE OR REFRESH MATERIALIZED VIEW m (\n  CONSTRAINT p EXPECT (x > 0) ON VIOLATION "
        "DROP ROW\n)\nCOMMENT 'it''s'\nAS SELECT * FROM t;",
        "CREATE OR REFRESH STREAMING TABLE st\nAS SELECT * FROM STREAM(t);",
    };
    size_t reads = 0;
    for (size_t g = 0; g < ARRAY_LEN(golden); g++) {
        size_t len = strlen(golden[g]);
        for (size_t cut = 0; cut < len; cut++) {
            char *text = xasprintf("%.*s%s", (int)cut, golden[g], golden[g] + cut + 1);
            sql_stmtvec v = {0};
            sql_parse(text, strlen(text), &v, NULL, NULL, NULL);
            for (size_t k = 0; k < v.n; k++, reads++) assert_canonical_rule(text, &v.v[k]);
            sql_stmts_free(&v);
            free(text);
        }
    }
    if (reads < 300) fail_msg("only %zu statements parsed", reads);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_source_files),
        cmocka_unit_test(test_source_table),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_filter_reads_equivalent),
        cmocka_unit_test(test_select),
        cmocka_unit_test(test_join),
        cmocka_unit_test(test_aggregate),
        cmocka_unit_test(test_union),
        cmocka_unit_test(test_dedupe),
        cmocka_unit_test(test_sort),
        cmocka_unit_test(test_output),
        cmocka_unit_test(test_sql_node),
        cmocka_unit_test(test_almost_canonical),
        cmocka_unit_test_setup_teardown(test_input_schemas_by_name, ts_setup_project, ts_teardown_project),
        cmocka_unit_test_setup_teardown(test_pipeline_runs, ts_setup_project, ts_teardown_project),
        cmocka_unit_test_setup_teardown(test_join_dedupe_run, ts_setup_project, ts_teardown_project),
        cmocka_unit_test(test_check_good),
        cmocka_unit_test(test_check_problems),
        cmocka_unit_test(test_check_problems_more),
        cmocka_unit_test(test_generate_errors),
        cmocka_unit_test(test_check_inputs),
        cmocka_unit_test(test_identifiers),
        cmocka_unit_test(test_demo_statements),
        cmocka_unit_test(test_odd_statements),
        cmocka_unit_test(test_one_byte_deletions),
        cmocka_unit_test(test_registry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
