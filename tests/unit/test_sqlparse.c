/*
 * test_sqlparse.c - unit tests for engine/sqlparse: every statement kind and
 * spelling, column lists with nested types, expectations, clauses in any
 * order, exact query and statement spans (replacing one statement leaves the
 * rest of a file byte-for-byte), statement splitting, every error path with
 * its offset and message and the recovery after it, the reference scanner
 * (FROM lists, joins, aliases, STREAM, subqueries, CTEs, table-valued
 * functions) and the Spark-to-SQLite type mapping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sqlparse.h"
#include "util.h"

/* ---------------------------------------------------------------- helpers */

/* Offset of the first occurrence of needle in text (which must hold it). */
static size_t pos(const char *text, const char *needle)
{
    const char *p = strstr(text, needle);
    assert_non_null(p);
    return (size_t)(p - text);
}

static void on_error(void *ctx, size_t off, const char *msg)
{
    assert_non_null(msg);
    assert_true(*msg != 0);
    sb_addf((sb *)ctx, "%zu: %s\n", off, msg);
}

static char *joined(const strvec *v)
{
    sb b = {0};
    for (size_t i = 0; i < v->n; i++) {
        if (i) sb_addc(&b, ' ');
        sb_add(&b, v->v[i]);
    }
    return sb_take(&b);
}

static void assert_strvec(const strvec *v, const char *want)
{
    char *got = joined(v);
    assert_string_equal(got, want);
    free(got);
}

/* text[off .. off+len) must equal want. */
static void assert_slice(const char *text, size_t off, size_t len, const char *want)
{
    assert_true(off + len <= strlen(text));
    char *got = xstrndup(text + off, len);
    assert_string_equal(got, want);
    free(got);
}

/* A parse: the statements, the broken names, every problem as "off: msg\n". */
typedef struct parsed {
    sql_stmtvec stmts;
    strvec broken;
    sb errors;
    int rc;
} parsed;

static void parse(parsed *p, const char *text)
{
    memset(p, 0, sizeof(*p));
    p->rc = sql_parse(text, strlen(text), &p->stmts, &p->broken, on_error, &p->errors);
}

static void parsed_free(parsed *p)
{
    sql_stmts_free(&p->stmts);
    strvec_free(&p->broken);
    sb_free(&p->errors);
}

/* Parses text that must hold exactly one good statement; returns it in *p. */
static const sql_stmt *parse_one(parsed *p, const char *text)
{
    parse(p, text);
    assert_string_equal(sb_str(&p->errors), "");
    assert_int_equal(p->rc, 0);
    assert_int_equal(p->stmts.n, 1);
    assert_int_equal(p->broken.n, 0);
    return &p->stmts.v[0];
}

/* Parses text that holds one broken statement: exactly the problem msg at
 * off, no statement, and broken names equal to want_broken. */
static void assert_error_at(const char *text, size_t off, const char *msg,
                            const char *want_broken)
{
    parsed p;
    parse(&p, text);
    char *want = xasprintf("%zu: %s\n", off, msg);
    assert_string_equal(sb_str(&p.errors), want);
    free(want);
    assert_int_equal(p.rc, 1);
    assert_int_equal(p.stmts.n, 0);
    assert_strvec(&p.broken, want_broken);
    parsed_free(&p);
}

/* Same with the offset of the first occurrence of needle (NULL: the end). */
static void assert_error(const char *text, const char *needle, const char *msg,
                         const char *want_broken)
{
    assert_error_at(text, needle ? pos(text, needle) : strlen(text), msg, want_broken);
}

/* Renders refs as name@off"text[off..end)"+(name_off-off) with S for a stream,
 * A for an alias and L for the legacy LIVE. prefix, then " | " and the CTE
 * names. */
static char *dump_refs(const char *text, const sql_refvec *refs, const strvec *ctes)
{
    sb b = {0};
    for (size_t i = 0; i < refs->n; i++) {
        const sql_ref *r = &refs->v[i];
        assert_non_null(r->name);
        assert_true(r->off < r->end);
        assert_true(r->name_off >= r->off && r->name_off < r->end);
        if (i) sb_addc(&b, ' ');
        if (r->schema) sb_addf(&b, "%s.", r->schema);
        sb_addf(&b, "%s@%zu\"%.*s\"+%zu%s%s", r->name, r->off, (int)(r->end - r->off),
                text + r->off, r->name_off - r->off, r->stream ? "S" : "",
                r->aliased ? "A" : "");
        if (r->live) sb_addc(&b, 'L');
        if (r->call) sb_addf(&b, "C(%.*s)", (int)r->args_len, text + r->args_off);
    }
    sb_add(&b, " |");
    for (size_t i = 0; i < ctes->n; i++) sb_addf(&b, " %s", ctes->v[i]);
    return sb_take(&b);
}

/* Scans text[off .. off+len) and compares the rendering. */
static void assert_scan_range(const char *text, size_t off, size_t len, const char *want)
{
    sql_refvec refs = {0};
    strvec ctes = {0};
    sql_scan_refs(text, off, len, &refs, &ctes);
    char *got = dump_refs(text, &refs, &ctes);
    assert_string_equal(got, want);
    free(got);
    sql_refs_free(&refs);
    strvec_free(&ctes);
}

static void assert_scan(const char *text, const char *want)
{
    assert_scan_range(text, 0, strlen(text), want);
}

/* ---------------------------------------------------------------- statements */

static void test_streaming_table_with_query(void **state)
{
    (void)state;
    const char *text = "CREATE OR REFRESH STREAMING TABLE raw_orders\n"
                       "AS SELECT * FROM STREAM(src);";
    parsed p;
    const sql_stmt *s = parse_one(&p, text);
    assert_int_equal(s->kind, SQL_STREAMING_TABLE);
    assert_true(s->or_refresh);
    assert_string_equal(s->name, "raw_orders");
    assert_int_equal(s->name_off, pos(text, "raw_orders"));
    assert_null(s->target);
    assert_null(s->comment);
    assert_int_equal(s->columns.n, 0);
    assert_int_equal(s->expects.n, 0);
    assert_int_equal(s->props.n, 0);
    assert_true(s->has_query);
    assert_int_equal(s->query_off, pos(text, "SELECT"));
    assert_slice(text, s->query_off, s->query_len, "SELECT * FROM STREAM(src)");
    assert_int_equal(s->span_off, 0);
    assert_int_equal(s->span_len, strlen(text)); /* the ';' included */
    char *refs = dump_refs(text, &s->refs, &s->ctes);
    assert_string_equal(refs, "src@62\"STREAM(src)\"+7S |");
    free(refs);
    parsed_free(&p);
}

static void test_streaming_table_without_query(void **state)
{
    (void)state;
    const char *text = "  CREATE STREAMING TABLE events (id BIGINT, body STRING)  ;  ";
    parsed p;
    const sql_stmt *s = parse_one(&p, text);
    assert_int_equal(s->kind, SQL_STREAMING_TABLE);
    assert_false(s->or_refresh);
    assert_string_equal(s->name, "events");
    assert_false(s->has_query);
    assert_int_equal(s->query_len, 0);
    assert_int_equal(s->refs.n, 0);
    assert_int_equal(s->columns.n, 2);
    assert_int_equal(s->span_off, 2);
    assert_slice(text, s->span_off, s->span_len,
                 "CREATE STREAMING TABLE events (id BIGINT, body STRING)  ;");
    parsed_free(&p);

    /* no columns, no query, no ';' */
    s = parse_one(&p, "CREATE STREAMING TABLE bare");
    assert_string_equal(s->name, "bare");
    assert_false(s->has_query);
    assert_int_equal(s->span_len, strlen("CREATE STREAMING TABLE bare"));
    parsed_free(&p);
}

static void test_statement_kinds(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        sql_kind kind;
        bool or_refresh;
        const char *name;
    } cases[] = {
        {"CREATE MATERIALIZED VIEW mv AS SELECT 1", SQL_MATERIALIZED_VIEW, false, "mv"},
        {"CREATE OR REFRESH MATERIALIZED VIEW mv AS SELECT 1", SQL_MATERIALIZED_VIEW, true, "mv"},
        {"CREATE TEMPORARY VIEW tv AS SELECT 1", SQL_TEMP_VIEW, false, "tv"},
        {"CREATE TEMP VIEW tv2 AS SELECT 1", SQL_TEMP_VIEW, false, "tv2"},
        {"CREATE TEMPORARY LIVE VIEW tlv AS SELECT 1", SQL_TEMP_VIEW, false, "tlv"},
        {"CREATE LIVE TABLE lt AS SELECT 1", SQL_MATERIALIZED_VIEW, false, "lt"},
        {"CREATE OR REFRESH LIVE TABLE lt AS SELECT 1", SQL_MATERIALIZED_VIEW, true, "lt"},
        {"CREATE STREAMING LIVE TABLE slt AS SELECT 1", SQL_STREAMING_TABLE, false, "slt"},
        {"CREATE OR REFRESH STREAMING LIVE TABLE slt", SQL_STREAMING_TABLE, true, "slt"},
        {"CREATE LIVE VIEW lv AS SELECT 1", SQL_TEMP_VIEW, false, "lv"},
        {"CREATE PRIVATE MATERIALIZED VIEW pmv AS SELECT 1", SQL_MATERIALIZED_VIEW, false, "pmv"},
        {"CREATE OR REFRESH PRIVATE STREAMING TABLE pst", SQL_STREAMING_TABLE, true, "pst"},
        {"CREATE MATERIALIZED VIEW IF NOT EXISTS ine AS SELECT 1", SQL_MATERIALIZED_VIEW, false, "ine"},
        {"CREATE STREAMING TABLE IF NOT EXISTS ine2", SQL_STREAMING_TABLE, false, "ine2"},
        {"create or refresh streaming table lower_case", SQL_STREAMING_TABLE, true, "lower_case"},
        {"CREATE STREAMING TABLE \"Quoted \"\" Name\"", SQL_STREAMING_TABLE, false, "Quoted \" Name"},
        {"CREATE MATERIALIZED VIEW `tick` AS SELECT 1", SQL_MATERIALIZED_VIEW, false, "tick"},
        {"CREATE MATERIALIZED VIEW [brack et] AS SELECT 1", SQL_MATERIALIZED_VIEW, false, "brack et"},
        {"CREATE FLOW f AS INSERT INTO t SELECT 1", SQL_FLOW, false, "f"},
        {"CREATE FLOW IF NOT EXISTS f2 AS INSERT INTO t BY NAME SELECT 1", SQL_FLOW, false, "f2"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        parsed p;
        const sql_stmt *s = parse_one(&p, cases[i].text);
        assert_int_equal(s->kind, cases[i].kind);
        assert_int_equal(s->or_refresh, cases[i].or_refresh);
        assert_string_equal(s->name, cases[i].name);
        assert_int_equal(s->span_off, 0);
        assert_int_equal(s->span_len, strlen(cases[i].text));
        assert_int_equal(s->has_query, strstr(cases[i].text, "SELECT") != NULL);
        if (s->has_query) assert_string_equal(cases[i].text + s->query_off, "SELECT 1");
        parsed_free(&p);
    }
    assert_string_equal(sql_kind_name(SQL_STREAMING_TABLE), "streaming table");
    assert_string_equal(sql_kind_name(SQL_MATERIALIZED_VIEW), "materialized view");
    assert_string_equal(sql_kind_name(SQL_TEMP_VIEW), "temporary view");
    assert_string_equal(sql_kind_name(SQL_FLOW), "flow");
}

static void test_flow(void **state)
{
    (void)state;
    const char *text = "CREATE FLOW backfill\n"
                       "COMMENT 'one-off'\n"
                       "AS INSERT INTO orders BY NAME\n"
                       "SELECT * FROM STREAM(old_orders) o;";
    parsed p;
    const sql_stmt *s = parse_one(&p, text);
    assert_int_equal(s->kind, SQL_FLOW);
    assert_string_equal(s->name, "backfill");
    assert_int_equal(s->name_off, pos(text, "backfill"));
    assert_string_equal(s->target, "orders");
    assert_int_equal(s->target_off, pos(text, "orders BY"));
    assert_string_equal(s->comment, "one-off");
    assert_true(s->has_query);
    assert_slice(text, s->query_off, s->query_len, "SELECT * FROM STREAM(old_orders) o");
    assert_int_equal(s->refs.n, 1);
    assert_string_equal(s->refs.v[0].name, "old_orders");
    assert_true(s->refs.v[0].stream);
    assert_true(s->refs.v[0].aliased);
    assert_int_equal(s->refs.v[0].off, pos(text, "STREAM(old"));
    assert_int_equal(s->refs.v[0].name_off, pos(text, "old_orders"));
    assert_int_equal(s->refs.v[0].end, pos(text, " o;"));
    parsed_free(&p);

    /* no BY NAME, a quoted target, a WITH query */
    text = "CREATE FLOW f AS INSERT INTO \"my t\" WITH x AS (SELECT 1) SELECT * FROM x";
    s = parse_one(&p, text);
    assert_string_equal(s->target, "my t");
    assert_int_equal(s->target_off, pos(text, "\"my t\""));
    assert_slice(text, s->query_off, s->query_len, "WITH x AS (SELECT 1) SELECT * FROM x");
    assert_strvec(&s->ctes, "x");
    parsed_free(&p);
}

/* ---------------------------------------------------------------- columns */

static void test_columns(void **state)
{
    (void)state;
    const char *text = "CREATE STREAMING TABLE t (\n"
                       "  id BIGINT NOT NULL COMMENT 'the id',\n"
                       "  price DECIMAL(10,2),\n"
                       "  tags ARRAY<STRING> NOT NULL,\n"
                       "  m MAP<STRING, ARRAY<INT>> COMMENT 'it''s nested',\n"
                       "  s STRUCT<a: INT, b: ARRAY<MAP<STRING,INT>>>,\n"
                       "  n INT NULL,\n"
                       "  untyped,\n"
                       "  \"odd name\" varchar(10) COMMENT 'c' NOT NULL\n"
                       ")";
    parsed p;
    const sql_stmt *s = parse_one(&p, text);
    static const struct {
        const char *name, *type, *comment, *at;
        bool not_null;
    } want[] = {
        {"id", "BIGINT", "the id", "id BIGINT", true},
        {"price", "DECIMAL(10,2)", NULL, "price", false},
        {"tags", "ARRAY<STRING>", NULL, "tags", true},
        {"m", "MAP<STRING, ARRAY<INT>>", "it's nested", "m MAP", false},
        {"s", "STRUCT<a: INT, b: ARRAY<MAP<STRING,INT>>>", NULL, "s STRUCT", false},
        {"n", "INT", NULL, "n INT", false},
        {"untyped", NULL, NULL, "untyped", false},
        {"odd name", "varchar(10)", "c", "\"odd name\"", true},
    };
    assert_int_equal(s->columns.n, ARRAY_LEN(want));
    for (size_t i = 0; i < ARRAY_LEN(want); i++) {
        const sql_column *c = &s->columns.v[i];
        assert_string_equal(c->name, want[i].name);
        if (want[i].type) assert_string_equal(c->type, want[i].type);
        else assert_null(c->type);
        if (want[i].comment) assert_string_equal(c->comment, want[i].comment);
        else assert_null(c->comment);
        assert_int_equal(c->not_null, want[i].not_null);
        assert_int_equal(c->off, pos(text, want[i].at));
    }
    assert_false(s->has_query);
    parsed_free(&p);
}

static void test_expectations(void **state)
{
    (void)state;
    const char *text =
        "CREATE MATERIALIZED VIEW v (\n"
        "  CONSTRAINT warn_c EXPECT (x > 0),\n"
        "  CONSTRAINT drop_c EXPECT (coalesce(a, (b + 1)) > 0 AND y IN (1, 2)) "
        "ON VIOLATION DROP ROW,\n"
        "  id INT,\n"
        "  CONSTRAINT fail_c EXPECT ( z IS NOT NULL ) on violation fail update,\n"
        "  CONSTRAINT paren_in_string EXPECT (name <> ')' /* ) */)\n"
        ") AS SELECT 1 AS x";
    parsed p;
    const sql_stmt *s = parse_one(&p, text);
    static const struct {
        const char *name, *expr, *at;
        sql_violation action;
        const char *action_name;
    } want[] = {
        {"warn_c", "x > 0", "CONSTRAINT warn_c", SQL_WARN, "warn"},
        {"drop_c", "coalesce(a, (b + 1)) > 0 AND y IN (1, 2)", "CONSTRAINT drop_c",
         SQL_DROP_ROW, "drop"},
        {"fail_c", "z IS NOT NULL", "CONSTRAINT fail_c", SQL_FAIL_UPDATE, "fail"},
        {"paren_in_string", "name <> ')'", "CONSTRAINT paren", SQL_WARN, "warn"},
    };
    assert_int_equal(s->expects.n, ARRAY_LEN(want));
    for (size_t i = 0; i < ARRAY_LEN(want); i++) {
        const sql_expect *e = &s->expects.v[i];
        assert_string_equal(e->name, want[i].name);
        assert_string_equal(e->expr, want[i].expr);
        assert_int_equal(e->off, pos(text, want[i].at));
        assert_int_equal(e->expr_off, pos(text, want[i].expr));
        assert_int_equal(e->action, want[i].action);
        assert_string_equal(sql_violation_name(e->action), want[i].action_name);
    }
    assert_int_equal(s->columns.n, 1);
    assert_string_equal(s->columns.v[0].name, "id");
    assert_slice(text, s->query_off, s->query_len, "SELECT 1 AS x");
    parsed_free(&p);
}

/* ---------------------------------------------------------------- clauses */

static void test_clauses_any_order(void **state)
{
    (void)state;
    const char *text =
        "CREATE MATERIALIZED VIEW v\n"
        "TBLPROPERTIES ('quality' = 'gold', delta.appendOnly = true,\n"
        "  pipelines.reset.allowed = false, n = 3, flag, \"q k\" = 'v''v')\n"
        "PARTITIONED BY (region, (day))\n"
        "COMMENT 'it''s gold'\n"
        "CLUSTER BY (a, b)\n"
        "TBLPROPERTIES (x = 'y')\n"
        "AS SELECT 1";
    parsed p;
    const sql_stmt *s = parse_one(&p, text);
    assert_string_equal(s->comment, "it's gold");
    static const char *const want[][2] = {
        {"quality", "gold"}, {"delta.appendOnly", "true"}, {"pipelines.reset.allowed", "false"},
        {"n", "3"},          {"flag", ""},                 {"q k", "v'v"},
        {"x", "y"},
    };
    assert_int_equal(s->props.n, ARRAY_LEN(want));
    for (size_t i = 0; i < ARRAY_LEN(want); i++) {
        assert_string_equal(s->props.v[i].key, want[i][0]);
        assert_string_equal(s->props.v[i].value, want[i][1]);
    }
    assert_slice(text, s->query_off, s->query_len, "SELECT 1");
    parsed_free(&p);

    /* COMMENT before the column list is not a clause position: after it */
    text = "CREATE STREAMING TABLE t (a INT) COMMENT 'x' TBLPROPERTIES ('k'='v')";
    s = parse_one(&p, text);
    assert_string_equal(s->comment, "x");
    assert_int_equal(s->props.n, 1);
    assert_false(s->has_query);
    parsed_free(&p);
}

/* ---------------------------------------------------------------- spans */

static void test_query_extent(void **state)
{
    (void)state;
    /* the query runs to the last token: comments inside stay, the one after
     * the last token and the ';' do not */
    const char *text = "CREATE MATERIALIZED VIEW v AS\n"
                       "  SELECT a /* c; */ FROM t -- trailing;\n"
                       "  WHERE x = ';'  -- end\n"
                       ";";
    parsed p;
    const sql_stmt *s = parse_one(&p, text);
    assert_int_equal(s->query_off, pos(text, "SELECT"));
    assert_slice(text, s->query_off, s->query_len,
                 "SELECT a /* c; */ FROM t -- trailing;\n  WHERE x = ';'");
    assert_int_equal(s->span_off, 0);
    assert_int_equal(s->span_len, strlen(text));
    parsed_free(&p);

    /* the last statement without ';', with trailing white space and comment */
    text = "CREATE MATERIALIZED VIEW v AS SELECT 1  -- done\n\n";
    s = parse_one(&p, text);
    assert_slice(text, s->query_off, s->query_len, "SELECT 1");
    assert_slice(text, s->span_off, s->span_len, "CREATE MATERIALIZED VIEW v AS SELECT 1");
    parsed_free(&p);

    /* queries may start with WITH, VALUES or '(' */
    static const char *const queries[] = {
        "WITH x AS (SELECT 1) SELECT * FROM x",
        "VALUES (1), (2)",
        "(SELECT 1) UNION SELECT 2",
    };
    for (size_t i = 0; i < ARRAY_LEN(queries); i++) {
        char *t = xasprintf("CREATE MATERIALIZED VIEW v AS %s;", queries[i]);
        s = parse_one(&p, t);
        assert_int_equal(s->query_off, strlen("CREATE MATERIALIZED VIEW v AS "));
        assert_slice(t, s->query_off, s->query_len, queries[i]);
        parsed_free(&p);
        free(t);
    }
}

static void test_span_replacement(void **state)
{
    (void)state;
    const char *text = "-- header comment\n"
                       "CREATE MATERIALIZED VIEW a AS SELECT 1; -- after a\n"
                       "\n"
                       "/* between; with a semicolon */\n"
                       "CREATE OR REFRESH MATERIALIZED VIEW b\n"
                       "  COMMENT 'b; view'\n"
                       "AS SELECT * FROM a ; -- after b\n"
                       "CREATE TEMPORARY VIEW c AS SELECT * FROM b  -- trailing, no semicolon\n";
    parsed p;
    parse(&p, text);
    assert_string_equal(sb_str(&p.errors), "");
    assert_int_equal(p.stmts.n, 3);
    const sql_stmt *s = p.stmts.v;
    assert_slice(text, s[0].span_off, s[0].span_len, "CREATE MATERIALIZED VIEW a AS SELECT 1;");
    assert_slice(text, s[1].span_off, s[1].span_len,
                 "CREATE OR REFRESH MATERIALIZED VIEW b\n  COMMENT 'b; view'\nAS SELECT * FROM a ;");
    assert_slice(text, s[2].span_off, s[2].span_len,
                 "CREATE TEMPORARY VIEW c AS SELECT * FROM b");
    assert_string_equal(s[1].comment, "b; view");

    /* replace the middle statement: every other byte stays */
    sb out = {0};
    sb_addn(&out, text, s[1].span_off);
    sb_add(&out, "CREATE MATERIALIZED VIEW b AS SELECT 2;");
    sb_add(&out, text + s[1].span_off + s[1].span_len);
    assert_string_equal(sb_str(&out),
                        "-- header comment\n"
                        "CREATE MATERIALIZED VIEW a AS SELECT 1; -- after a\n"
                        "\n"
                        "/* between; with a semicolon */\n"
                        "CREATE MATERIALIZED VIEW b AS SELECT 2; -- after b\n"
                        "CREATE TEMPORARY VIEW c AS SELECT * FROM b  -- trailing, no semicolon\n");
    parsed q;
    parse(&q, sb_str(&out));
    assert_int_equal(q.rc, 0);
    assert_int_equal(q.stmts.n, 3);
    assert_string_equal(q.stmts.v[1].name, "b");
    assert_false(q.stmts.v[1].or_refresh);
    assert_null(q.stmts.v[1].comment);
    parsed_free(&q);
    sb_free(&out);

    /* replace the last one (no ';'): the trailing comment stays */
    sb_addn(&out, text, s[2].span_off);
    sb_add(&out, "X");
    sb_add(&out, text + s[2].span_off + s[2].span_len);
    assert_string_equal(sb_str(&out) + s[2].span_off, "X  -- trailing, no semicolon\n");
    sb_free(&out);

    /* deleting the first span leaves its trailing comment */
    sb_addn(&out, text, s[0].span_off);
    sb_add(&out, text + s[0].span_off + s[0].span_len);
    assert_true(strncmp(sb_str(&out), "-- header comment\n -- after a\n\n/* between", 40) == 0);
    sb_free(&out);
    parsed_free(&p);
}

static void test_statement_splitting(void **state)
{
    (void)state;
    const char *text = "CREATE MATERIALIZED VIEW \"a;b\" AS SELECT 'x;y' AS \"c;d\", `e;f`, [g;h]"
                       " /* ; */ FROM t -- ;\n"
                       ";;\n"
                       "CREATE MATERIALIZED VIEW z AS SELECT 2";
    parsed p;
    parse(&p, text);
    assert_string_equal(sb_str(&p.errors), "");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.stmts.n, 2);
    assert_string_equal(p.stmts.v[0].name, "a;b");
    assert_slice(text, p.stmts.v[0].query_off, p.stmts.v[0].query_len,
                 "SELECT 'x;y' AS \"c;d\", `e;f`, [g;h] /* ; */ FROM t");
    assert_string_equal(p.stmts.v[1].name, "z");
    assert_int_equal(p.stmts.v[1].span_off, pos(text, "CREATE MATERIALIZED VIEW z"));
    parsed_free(&p);

    /* nothing to parse */
    static const char *const empty[] = {"", "   \n", "-- only\n/* comments; */", ";; ;\n;"};
    for (size_t i = 0; i < ARRAY_LEN(empty); i++) {
        parse(&p, empty[i]);
        assert_int_equal(p.rc, 0);
        assert_int_equal(p.stmts.n, 0);
        assert_string_equal(sb_str(&p.errors), "");
        parsed_free(&p);
    }

    /* offsets in later statements are offsets of the whole text */
    text = "CREATE MATERIALIZED VIEW a AS SELECT 1;\nCREATE MATERIALIZED VIEW b AS SELECT * FROM a x";
    parse(&p, text);
    assert_int_equal(p.stmts.n, 2);
    const sql_stmt *b = &p.stmts.v[1];
    assert_int_equal(b->name_off, pos(text, "b AS"));
    assert_int_equal(b->refs.n, 1);
    assert_int_equal(b->refs.v[0].off, strlen(text) - 3);
    assert_int_equal(b->refs.v[0].end, strlen(text) - 2);
    assert_true(b->refs.v[0].aliased);
    parsed_free(&p);
}

/* ---------------------------------------------------------------- errors */

static void test_errors_statement_head(void **state)
{
    (void)state;
    assert_error("CREATE MATERIALIZED VEIW v AS SELECT 1;", "VEIW",
                 "expected VIEW, found 'VEIW'", "");
    assert_error("SELECT * FROM t;", "SELECT",
                 "expected CREATE, found 'SELECT' (pipeline files hold only CREATE "
                 "statements)", "");
    assert_error("  INSERT INTO t VALUES (1)", "INSERT",
                 "expected CREATE, found 'INSERT' (pipeline files hold only CREATE "
                 "statements)", "");
    assert_error("CREATE OR REPLACE MATERIALIZED VIEW v AS SELECT 1", "REPLACE",
                 "expected REFRESH, found 'REPLACE'", "");
    assert_error("CREATE TABLE t AS SELECT 1", "TABLE",
                 "expected STREAMING TABLE, MATERIALIZED VIEW, TEMPORARY VIEW or FLOW, "
                 "found 'TABLE'", "");
    assert_error("CREATE", NULL,
                 "expected STREAMING TABLE, MATERIALIZED VIEW, TEMPORARY VIEW or FLOW, "
                 "found end of statement", "");
    assert_error("CREATE STREAMING VIEW s AS SELECT 1", "VIEW", "expected TABLE, found 'VIEW'",
                 "");
    assert_error("CREATE LIVE STREAM x", "STREAM", "expected TABLE or VIEW, found 'STREAM'", "");
    assert_error("CREATE TEMPORARY TABLE x AS SELECT 1", "TABLE", "expected VIEW, found 'TABLE'",
                 "");
    assert_error("CREATE MATERIALIZED VIEW IF EXISTS v AS SELECT 1", "EXISTS",
                 "expected NOT, found 'EXISTS'", "");
    assert_error("CREATE MATERIALIZED VIEW IF NOT v AS SELECT 1", "v AS",
                 "expected EXISTS, found 'v'", "");
    assert_error("CREATE MATERIALIZED VIEW (a INT) AS SELECT 1", "(",
                 "expected a dataset name, found '('", "");
    assert_error("CREATE FLOW 'f' AS INSERT INTO t SELECT 1", "'f'",
                 "expected a flow name, found ''f''", "");
    assert_error("CREATE MATERIALIZED VIEW main.v AS SELECT 1;", ".v",
                 "qualified names (catalog.schema.name) are not supported: name the "
                 "dataset alone", "main");
    assert_error("CREATE MATERIALIZED VIEW v SELECT 1", "SELECT",
                 "expected AS, COMMENT or TBLPROPERTIES, found 'SELECT'", "v");
    /* long tokens are cut in messages */
    assert_error("CREATE MATERIALIZED VIEW v abcdefghijklmnopqrstuvwxyz0123 AS SELECT 1", "abc",
                 "expected AS, COMMENT or TBLPROPERTIES, found 'abcdefghijklmnopqrstuvwx...'",
                 "v");
}

static void test_errors_missing_query(void **state)
{
    (void)state;
    assert_error("CREATE MATERIALIZED VIEW v;", "v;",
                 "a materialized view needs a query: AS SELECT ...", "v");
    assert_error("CREATE TEMPORARY VIEW tv COMMENT 'x'", "'x'",
                 "a temporary view needs a query: AS SELECT ...", "tv");
    assert_error("CREATE LIVE TABLE lt (a INT)", ")",
                 "a materialized view needs a query: AS SELECT ...", "lt");
    assert_error("CREATE MATERIALIZED VIEW v AS;", ";",
                 "expected a query (SELECT, WITH or VALUES), found end of statement", "v");
    assert_error("CREATE MATERIALIZED VIEW v AS", NULL,
                 "expected a query (SELECT, WITH or VALUES), found end of statement", "v");
    assert_error("CREATE MATERIALIZED VIEW v AS FROM t", "FROM",
                 "expected a query (SELECT, WITH or VALUES), found 'FROM'", "v");
    assert_error("CREATE STREAMING TABLE st AS INSERT INTO x SELECT 1", "INSERT",
                 "expected a query (SELECT, WITH or VALUES), found 'INSERT'", "st");
}

static void test_errors_flow(void **state)
{
    (void)state;
    assert_error("CREATE FLOW f AS AUTO CDC INTO t FROM s KEYS (id) SEQUENCE BY ts;",
                 "s KEYS", "expected STREAM(source): AUTO CDC reads its source incrementally, "
                 "found 's'", "f");
    const char *no_seq = "CREATE FLOW f AS APPLY CHANGES INTO t FROM STREAM(s) KEYS (id)";
    assert_error_at(no_seq, strlen(no_seq) - 1,
                    "AUTO CDC needs SEQUENCE BY: the column that orders the change events", "f");
    assert_error("CREATE FLOW f AS INSERT INTO;", ";",
                 "expected a target table, found end of statement", "f");
    assert_error("CREATE FLOW f AS INSERT INTO (SELECT 1);", "(",
                 "expected a target table, found '('", "f");
    assert_error("CREATE FLOW f INSERT INTO t SELECT 1", "INSERT", "expected AS, found 'INSERT'",
                 "f");
    assert_error("CREATE FLOW f AS SELECT 1", "SELECT", "expected INSERT, found 'SELECT'", "f");
    assert_error("CREATE FLOW f AS INSERT t SELECT 1", "t SELECT", "expected INTO, found 't'",
                 "f");
    assert_error("CREATE FLOW f AS INSERT INTO t BY SELECT 1", "SELECT",
                 "expected NAME, found 'SELECT'", "f");
    assert_error("CREATE FLOW f AS INSERT INTO t", NULL,
                 "expected a query (SELECT, WITH or VALUES), found end of statement", "f");
    assert_error("CREATE FLOW f.g AS INSERT INTO t SELECT 1", ".g",
                 "qualified names (catalog.schema.name) are not supported: name the "
                 "dataset alone", "f");
}

static void test_errors_elements(void **state)
{
    (void)state;
    assert_error("CREATE STREAMING TABLE t (a INT, b INT, A STRING);", "A STRING",
                 "column 'A' is declared twice", "t");
    assert_error("CREATE STREAMING TABLE t (CONSTRAINT c EXPECT (a > 0), "
                 "CONSTRAINT C EXPECT (b > 0));", "CONSTRAINT C",
                 "expectation 'C' is defined twice", "t");
    assert_error("CREATE STREAMING TABLE t (CONSTRAINT c EXPECT (a > 0) ON VIOLATION IGNORE)",
                 "IGNORE", "expected DROP ROW or FAIL UPDATE, found 'IGNORE'", "t");
    const char *text = "CREATE STREAMING TABLE t (CONSTRAINT c EXPECT (a > 0) ON VIOLATION DROP)";
    assert_error_at(text, pos(text, "DROP)") + 4, "expected ROW, found ')'", "t");
    assert_error("CREATE STREAMING TABLE t (CONSTRAINT c EXPECT (a > 0) ON VIOLATION FAIL ROW)",
                 "ROW", "expected UPDATE, found 'ROW'", "t");
    assert_error("CREATE STREAMING TABLE t (CONSTRAINT c EXPECT (a > 0) ON DROP ROW)",
                 "DROP", "expected VIOLATION, found 'DROP'", "t");
    /* the EXPECT parentheses take the last ')', then the list is open */
    assert_error("CREATE STREAMING TABLE t (CONSTRAINT c EXPECT (a > (b + 1));", ";",
                 "expected ')', found end of statement", "t");
    assert_error("CREATE STREAMING TABLE t (CONSTRAINT c EXPECT (a > (b + 1)", "(a >",
                 "unbalanced '(' in EXPECT", "t");
    text = "CREATE STREAMING TABLE t (CONSTRAINT c EXPECT ())";
    assert_error_at(text, pos(text, "())") + 1, "EXPECT needs an expression", "t");
    assert_error("CREATE STREAMING TABLE t (id INT, CONSTRAINT pk PRIMARY KEY (id))", "PRIMARY",
                 "expected EXPECT (only expectations are supported as constraints), found "
                 "'PRIMARY'", "t");
    assert_error("CREATE STREAMING TABLE t (CONSTRAINT c EXPECT a > 0)", "a >",
                 "expected '(' after EXPECT, found 'a'", "t");
    assert_error("CREATE STREAMING TABLE t (CONSTRAINT (a))", "(a",
                 "expected a constraint name, found '('", "t");
    text = "CREATE MATERIALIZED VIEW v () AS SELECT 1";
    assert_error_at(text, pos(text, "()") + 1, "expected a column or a CONSTRAINT, found ')'",
                    "v");
    assert_error("CREATE STREAMING TABLE t (a INT, 'b' INT)", "'b'",
                 "expected a column name or CONSTRAINT, found ''b''", "t");
    assert_error("CREATE STREAMING TABLE t (a INT NOT 5)", "5", "expected NULL, found '5'",
                 "t");
    assert_error("CREATE STREAMING TABLE t (a INT COMMENT 5)", "5",
                 "expected a comment string, found '5'", "t");
    assert_error("CREATE STREAMING TABLE t (a INT b;", ";",
                 "expected ')', found end of statement", "t");
    assert_error("CREATE STREAMING TABLE t (a INT, b INT PRIMARY KEY)", "PRIMARY",
                 "expected ')', found 'PRIMARY'", "t");
}

static void test_errors_clauses(void **state)
{
    (void)state;
    assert_error("CREATE STREAMING TABLE t COMMENT x", "x",
                 "expected a comment string, found 'x'", "t");
    assert_error("CREATE STREAMING TABLE t TBLPROPERTIES x", "x", "expected '(', found 'x'",
                 "t");
    assert_error("CREATE STREAMING TABLE t TBLPROPERTIES (a = -1)", "-",
                 "expected a property value, found '-'", "t");
    assert_error("CREATE STREAMING TABLE t TBLPROPERTIES (5 = 1)", "5",
                 "expected a property name, found '5'", "t");
    assert_error("CREATE STREAMING TABLE t TBLPROPERTIES (a = 1 AS SELECT 1", "AS",
                 "expected ')', found 'AS'", "t");
    assert_error("CREATE STREAMING TABLE t TBLPROPERTIES (", NULL,
                 "expected a property name, found end of statement", "t");
    assert_error("CREATE STREAMING TABLE t PARTITIONED (a)", "(", "expected BY, found '('",
                 "t");
    const char *text = "CREATE STREAMING TABLE t CLUSTER BY a";
    assert_error_at(text, strlen(text) - 1, "expected '(', found 'a'", "t");
    assert_error("CREATE STREAMING TABLE t CLUSTER BY (a, (b)", "(a", "unbalanced '('", "t");
}

static void test_errors_lexical(void **state)
{
    (void)state;
    /* the name was read before the bad character: it is broken */
    assert_error("CREATE MATERIALIZED VIEW v AS SELECT # FROM t;", "#", "unexpected character",
                 "v");
    assert_error("CREATE MATERIALIZED VIEW v AS SELECT \"x FROM t", "\"x",
                 "unterminated quoted identifier", "v");
    assert_error("CREATE MATERIALIZED VIEW v AS SELECT ${missing FROM t", "${",
                 "unterminated ${ parameter", "v");
    /* a bad name cannot be read */
    assert_error("CREATE MATERIALIZED VIEW #v AS SELECT 1", "#", "unexpected character", "");
    /* an unterminated string swallows the statements after it */
    assert_error("CREATE MATERIALIZED VIEW a AS SELECT 'x;\n"
                 "CREATE MATERIALIZED VIEW b AS SELECT 1;", "'x", "unterminated string", "a");
    assert_error("CREATE STREAMING TABLE t /* comment;", "/*", "unterminated /* comment", "t");
    /* only the first lexical error of a statement is reported */
    assert_error("CREATE MATERIALIZED VIEW v AS SELECT # ^ FROM t", "#", "unexpected character",
                 "v");
}

static void test_errors_recovery(void **state)
{
    (void)state;
    const char *text = "CREATE MATERIALIZED VIEW good1 AS SELECT 1;\n"
                       "CREATE MATERIALIZED VEIW bad1 AS SELECT 1;\n"
                       "CREATE STREAMING TABLE bad2 (a INT, a INT);\n"
                       "CREATE MATERIALIZED VIEW good2 AS SELECT * FROM good1;\n"
                       "CREATE MATERIALIZED VIEW bad3 AS SELECT # FROM t;\n"
                       "SELECT 1;\n"
                       "CREATE TEMPORARY VIEW good3 AS SELECT 2";
    parsed p;
    parse(&p, text);
    char *want = xasprintf("%zu: expected VIEW, found 'VEIW'\n"
                           "%zu: column 'a' is declared twice\n"
                           "%zu: unexpected character\n"
                           "%zu: expected CREATE, found 'SELECT' (pipeline files hold only "
                           "CREATE statements)\n",
                           pos(text, "VEIW"), pos(text, "a INT)"), pos(text, "#"),
                           pos(text, "SELECT 1;\nCREATE TEMP"));
    assert_string_equal(sb_str(&p.errors), want);
    free(want);
    assert_int_equal(p.rc, 4);
    assert_int_equal(p.stmts.n, 3);
    assert_string_equal(p.stmts.v[0].name, "good1");
    assert_string_equal(p.stmts.v[1].name, "good2");
    assert_string_equal(p.stmts.v[2].name, "good3");
    assert_int_equal(p.stmts.v[1].refs.n, 1);
    assert_string_equal(p.stmts.v[1].refs.v[0].name, "good1");
    assert_strvec(&p.broken, "bad2 bad3");
    parsed_free(&p);

    /* one problem per statement, however many it has */
    parse(&p, "CREATE MATERIALIZED VIEW v (a INT, a INT, CONSTRAINT c EXPECT ()) AS FROM");
    assert_int_equal(p.rc, 1);
    assert_string_equal(sb_str(&p.errors), "35: column 'a' is declared twice\n");
    parsed_free(&p);

    /* broken and err may be NULL */
    sql_stmtvec out = {0};
    assert_int_equal(sql_parse(text, strlen(text), &out, NULL, NULL, NULL), 4);
    assert_int_equal(out.n, 3);
    sql_stmts_free(&out);
    assert_int_equal(out.n, 0);
    assert_null(out.v);
}

/* ---------------------------------------------------------------- refs */

static void test_refs_from_lists(void **state)
{
    (void)state;
    assert_scan("SELECT * FROM a", "a@14\"a\"+0 |");
    assert_scan("SELECT * FROM a, b,c", "a@14\"a\"+0 b@17\"b\"+0 c@19\"c\"+0 |");
    assert_scan("select * from Orders", "Orders@14\"Orders\"+0 |");
    /* quoted names */
    assert_scan("SELECT * FROM \"my table\", `t2`, [t 3]",
                "my table@14\"\"my table\"\"+0 t2@26\"`t2`\"+0 t 3@32\"[t 3]\"+0 |");
    /* schema-qualified */
    assert_scan("SELECT * FROM main.a AS t, \"my s\".\"my t\"",
                "main.a@14\"main.a\"+5A my s.my t@27\"\"my s\".\"my t\"\"+7 |");
    /* no FROM, no refs */
    assert_scan("SELECT 1, 'FROM x', \"FROM\" -- FROM y\n/* FROM z */", " |");
    assert_scan("", " |");
}

static void test_refs_joins(void **state)
{
    (void)state;
    assert_scan("SELECT * FROM a LEFT OUTER JOIN b ON a.id = b.id NATURAL JOIN c "
                "CROSS JOIN d INNER JOIN e USING (id) JOIN f ON (a.x = f.x) "
                "RIGHT JOIN g ON 1 FULL OUTER JOIN h ON NOT a.y, i LEFT JOIN j USING (k, l)",
                "a@14\"a\"+0 b@32\"b\"+0 c@62\"c\"+0 d@75\"d\"+0 e@88\"e\"+0 "
                "f@106\"f\"+0 g@134\"g\"+0 h@157\"h\"+0 i@171\"i\"+0 j@183\"j\"+0 |");
    /* a comma after an ON condition starts the next table */
    assert_scan("SELECT * FROM a JOIN b ON a.x = b.x, c",
                "a@14\"a\"+0 b@21\"b\"+0 c@37\"c\"+0 |");
    /* ON conditions with NOT, AS (in CAST), and clause words ending them */
    assert_scan("SELECT * FROM a JOIN b ON CAST(a.x AS INT) = b.x AND b.y IS NOT NULL "
                "WHERE z GROUP BY 1",
                "a@14\"a\"+0 b@21\"b\"+0 |");
    /* INDEXED BY / NOT INDEXED are skipped */
    assert_scan("SELECT * FROM a INDEXED BY ix, b NOT INDEXED, c",
                "a@14\"a\"+0 b@31\"b\"+0 c@46\"c\"+0 |");
}

static void test_refs_aliases(void **state)
{
    (void)state;
    assert_scan("SELECT * FROM a AS x JOIN b y ON x.i = y.i, c WHERE 1",
                "a@14\"a\"+0A b@26\"b\"+0A c@44\"c\"+0 |");
    /* words that end a FROM list are not aliases */
    static const char *const tails[] = {
        "WHERE x = 1", "GROUP BY x", "ORDER BY x", "LIMIT 1", "HAVING 1", "WINDOW w AS ()",
        "UNION SELECT 1", "EXCEPT SELECT 1", "INTERSECT SELECT 1", "OFFSET 1", "LEFT JOIN b",
        "NATURAL JOIN b", "CROSS JOIN b", "INNER JOIN b", "FULL JOIN b", "RIGHT JOIN b",
        "JOIN b", "RETURNING *",
    };
    for (size_t i = 0; i < ARRAY_LEN(tails); i++) {
        char *text = xasprintf("SELECT * FROM a %s", tails[i]);
        sql_refvec refs = {0};
        strvec ctes = {0};
        sql_scan_refs(text, 0, strlen(text), &refs, &ctes);
        assert_true(refs.n >= 1);
        assert_string_equal(refs.v[0].name, "a");
        assert_false(refs.v[0].aliased);
        assert_int_equal(refs.v[0].end, 15);
        if (strstr(tails[i], "JOIN")) {
            assert_int_equal(refs.n, 2);
            assert_string_equal(refs.v[1].name, "b");
        } else {
            assert_int_equal(refs.n, 1);
        }
        sql_refs_free(&refs);
        strvec_free(&ctes);
        free(text);
    }
    /* an alias then a clause word */
    assert_scan("SELECT * FROM a t WHERE t.x = 1", "a@14\"a\"+0A |");
    assert_scan("SELECT * FROM main.a t ORDER BY 1", "main.a@14\"main.a\"+5A |");
}

static void test_refs_stream(void **state)
{
    (void)state;
    assert_scan("SELECT * FROM STREAM(src)", "src@14\"STREAM(src)\"+7S |");
    assert_scan("SELECT * FROM STREAM ( main.src ) s",
                "main.src@14\"STREAM ( main.src )\"+14SA |");
    assert_scan("SELECT * FROM stream(\"q s\") AS x", "q s@14\"stream(\"q s\")\"+7SA |");
    assert_scan("SELECT * FROM STREAM raw r JOIN STREAM(b) ON r.id = b.id",
                "raw@14\"STREAM raw\"+7SA b@32\"STREAM(b)\"+7S |");
    assert_scan("SELECT * FROM STREAM s.raw", "s.raw@14\"STREAM s.raw\"+9S |");
    /* STREAM of a subquery: the tables inside are plain reads */
    assert_scan("SELECT * FROM STREAM(SELECT * FROM x) AS y", "x@35\"x\"+0 |");
    /* a table called stream */
    assert_scan("SELECT * FROM stream WHERE x = 1", "stream@14\"stream\"+0 |");
    assert_scan("SELECT * FROM stream AS s JOIN t ON 1",
                "stream@14\"stream\"+0A t@31\"t\"+0 |");
    /* unbalanced: no crash, no ref read past the query */
    assert_scan("SELECT x, y FROM STREAM(a", " |");
    assert_scan("SELECT x, y, z FROM STREAM(s.a", " |");
}

static void test_refs_subqueries(void **state)
{
    (void)state;
    /* in FROM, with an alias (the alias belongs to the subquery, not to a) */
    assert_scan("SELECT * FROM (SELECT * FROM a) AS s, b",
                "a@29\"a\"+0 b@38\"b\"+0 |");
    assert_scan("SELECT * FROM (SELECT * FROM STREAM(a)) s",
                "a@29\"STREAM(a)\"+7S |");
    /* in WHERE, in the ON condition, in the SELECT list, nested */
    assert_scan("SELECT (SELECT max(v) FROM m) AS top FROM a "
                "JOIN b ON b.id IN (SELECT id FROM c WHERE EXISTS (SELECT 1 FROM d)) "
                "WHERE a.x IN (SELECT x FROM e) AND NOT EXISTS (SELECT 1 FROM f g)",
                "m@27\"m\"+0 a@42\"a\"+0 b@49\"b\"+0 c@78\"c\"+0 d@108\"d\"+0 "
                "e@140\"e\"+0 f@173\"f\"+0A |");
    /* a parenthesized join */
    assert_scan("SELECT * FROM (a JOIN b ON a.i = b.i) AS j, c",
                "a@15\"a\"+0 b@22\"b\"+0 c@44\"c\"+0 |");
    /* compound queries */
    assert_scan("SELECT x FROM a UNION ALL SELECT x FROM b",
                "a@14\"a\"+0 b@40\"b\"+0 |");
    /* the legacy LIVE. prefix names a dataset (no schema); other schemas stay */
    assert_scan("SELECT * FROM LIVE.a JOIN STREAM(live.b) x ON 1, main.c",
                "a@14\"LIVE.a\"+5L b@26\"STREAM(live.b)\"+12SAL main.c@49\"main.c\"+5 |");
}

static void test_refs_ctes(void **state)
{
    (void)state;
    assert_scan("WITH x AS (SELECT * FROM a), y(n) AS (SELECT n FROM x) "
                "SELECT * FROM y JOIN b ON 1",
                "a@25\"a\"+0 x@52\"x\"+0 y@69\"y\"+0 b@76\"b\"+0 | x y");
    assert_scan("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5) "
                "SELECT * FROM c",
                "c@61\"c\"+0 c@90\"c\"+0 | c");
    assert_scan("WITH m AS MATERIALIZED (SELECT * FROM a), n AS NOT MATERIALIZED (SELECT 1) "
                "SELECT * FROM m, n",
                "a@38\"a\"+0 m@89\"m\"+0 n@92\"n\"+0 | m n");
    /* a WITH inside a subquery */
    assert_scan("SELECT * FROM (WITH z AS (SELECT 1) SELECT * FROM z) q",
                "z@50\"z\"+0 | z");
    /* quoted CTE names are unquoted */
    assert_scan("WITH \"q q\" AS (SELECT 1) SELECT * FROM \"q q\"",
                "q q@39\"\"q q\"\"+0 | q q");
}

static void test_refs_table_functions(void **state)
{
    (void)state;
    /* calls are references with call set and their argument text; references
     * inside the arguments come first */
    assert_scan("SELECT * FROM json_each('[1]')", "json_each@14\"json_each('[1]')\"+0C('[1]') |");
    assert_scan("SELECT * FROM t, json_each(t.j) AS je",
                "t@14\"t\"+0 json_each@17\"json_each(t.j)\"+0AC(t.j) |");
    assert_scan("SELECT * FROM json_each((SELECT j FROM cfg)) AS je, u",
                "cfg@39\"cfg\"+0 json_each@14\"json_each((SELECT j FROM cfg))\"+0AC("
                "(SELECT j FROM cfg)) u@52\"u\"+0 |");
    assert_scan("SELECT * FROM a JOIN json_tree(a.j) ON 1, b",
                "a@14\"a\"+0 json_tree@21\"json_tree(a.j)\"+0C(a.j) b@42\"b\"+0 |");
    assert_scan("SELECT * FROM main.generate_series(1, 3)",
                "main.generate_series@14\"main.generate_series(1, 3)\"+5C(1, 3) |");
    assert_scan("SELECT * FROM f()", "f@14\"f()\"+0C() |");
    /* read_files in all three spellings, streamed or not */
    assert_scan("SELECT * FROM read_files('a/*.csv', format => 'csv') r",
                "read_files@14\"read_files('a/*.csv', format => 'csv')\"+0AC('a/*.csv', "
                "format => 'csv') |");
    assert_scan("SELECT * FROM STREAM read_files('x.json')",
                "read_files@14\"STREAM read_files('x.json')\"+7SC('x.json') |");
    assert_scan("SELECT * FROM STREAM(read_files('x.json')) AS r",
                "read_files@14\"STREAM(read_files('x.json'))\"+7SAC('x.json') |");
}

static void test_refs_strings_and_range(void **state)
{
    (void)state;
    assert_scan("SELECT 'FROM fake' AS s, \"JOIN\" FROM real -- FROM c\n"
                "WHERE x = 'JOIN z' /* FROM d */",
                "real@37\"real\"+0 |");
    /* only the range is scanned; offsets are offsets of the whole text */
    const char *text = "xx FROM outside; SELECT * FROM inside WHERE 1 FROM after";
    size_t off = pos(text, "SELECT"), end = pos(text, " FROM after");
    assert_scan_range(text, off, end - off, "inside@31\"inside\"+0 |");
    /* scanning stops at a lexical error */
    assert_scan("SELECT * FROM a WHERE x = 'open FROM b", "a@14\"a\"+0 |");
    assert_scan("SELECT * FROM a # FROM b", "a@14\"a\"+0 |");
    /* results are appended to what the vectors hold */
    sql_refvec refs = {0};
    strvec ctes = {0};
    sql_scan_refs("SELECT * FROM a", 0, 15, &refs, &ctes);
    sql_scan_refs("WITH w AS (SELECT 1) SELECT * FROM b", 0, 36, &refs, &ctes);
    assert_int_equal(refs.n, 2);
    assert_string_equal(refs.v[0].name, "a");
    assert_string_equal(refs.v[1].name, "b");
    assert_strvec(&ctes, "w");
    sql_refs_free(&refs);
    strvec_free(&ctes);
}

/* ---------------------------------------------------------------- types */

static void test_sqlite_type(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"STRING", "TEXT"},
        {"string", "TEXT"},
        {"VARCHAR(10)", "TEXT"},
        {"CHAR(3)", "TEXT"},
        {"ARRAY<STRING>", "TEXT"},
        {"array<int>", "TEXT"},
        {"MAP<STRING, ARRAY<INT>>", "TEXT"},
        {"STRUCT<a: INT>", "TEXT"},
        {"VARIANT", "TEXT"},
        {"INTERVAL DAY", "TEXT"},
        {"BINARY", "BLOB"},
        {"LONG", "INTEGER"},
        {"long", "INTEGER"},
        {"SHORT", "INTEGER"},
        {"BYTE", "INTEGER"},
        {"INT", "INT"},
        {"BIGINT", "BIGINT"},
        {"DECIMAL(10,2)", "DECIMAL(10,2)"},
        {"DOUBLE", "DOUBLE"},
        {"TIMESTAMP", "TIMESTAMP"},
        {"BOOLEAN", "BOOLEAN"},
        {"STRINGS", "STRINGS"},
        {"CHARACTER", "CHARACTER"},
        {"LONGER", "LONGER"},
        {"", ""},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char *t = sql_sqlite_type(cases[i][0]);
        assert_string_equal(t, cases[i][1]);
        free(t);
    }
    char *t = sql_sqlite_type(NULL);
    assert_string_equal(t, "");
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streaming_table_with_query),
        cmocka_unit_test(test_streaming_table_without_query),
        cmocka_unit_test(test_statement_kinds),
        cmocka_unit_test(test_flow),
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_expectations),
        cmocka_unit_test(test_clauses_any_order),
        cmocka_unit_test(test_query_extent),
        cmocka_unit_test(test_span_replacement),
        cmocka_unit_test(test_statement_splitting),
        cmocka_unit_test(test_errors_statement_head),
        cmocka_unit_test(test_errors_missing_query),
        cmocka_unit_test(test_errors_flow),
        cmocka_unit_test(test_errors_elements),
        cmocka_unit_test(test_errors_clauses),
        cmocka_unit_test(test_errors_lexical),
        cmocka_unit_test(test_errors_recovery),
        cmocka_unit_test(test_refs_from_lists),
        cmocka_unit_test(test_refs_joins),
        cmocka_unit_test(test_refs_aliases),
        cmocka_unit_test(test_refs_stream),
        cmocka_unit_test(test_refs_subqueries),
        cmocka_unit_test(test_refs_ctes),
        cmocka_unit_test(test_refs_table_functions),
        cmocka_unit_test(test_refs_strings_and_range),
        cmocka_unit_test(test_sqlite_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
