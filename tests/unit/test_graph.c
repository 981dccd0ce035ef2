/*
 * test_graph.c - unit tests for engine/project (prj_load) and engine/graph:
 * dependencies inferred from queries, dependency order, cycles named whole
 * and reported once at the dataset's name, closures, duplicate datasets,
 * flows into bad targets, flow name clashes, parameters, library globs and a
 * missing manifest.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "project.h"
#include "testsupport.h"

/* ---------------------------------------------------------------- helpers */

static void put(const char *dir, const char *rel, const char *text)
{
    assert_int_equal(ts_write_file(dir, rel, text), 0);
}

/* Every problem formatted, one a line (caller frees). */
static char *format_diags(const diag_list *d)
{
    sb b = {0};
    for (size_t i = 0; i < d->items.n; i++) {
        char *s = diag_format(&d->items.v[i]);
        sb_add(&b, s);
        sb_addc(&b, '\n');
        free(s);
    }
    return sb_take(&b);
}

typedef struct loaded {
    project p;
    diag_list d;
    int rc;
    char *problems; /* formatted diags */
} loaded;

/* Loads dir with "key=value" params (NULL-terminated list, may be NULL). */
static void load_params(loaded *l, const char *dir, const char *const *params)
{
    memset(l, 0, sizeof(*l));
    strvec pv = {0};
    for (size_t i = 0; params && params[i]; i++) VEC_PUSH(&pv, xstrdup(params[i]));
    l->rc = prj_load(&l->p, dir, &pv, &l->d);
    strvec_free(&pv);
    l->problems = format_diags(&l->d);
}

static void load(loaded *l, const char *dir)
{
    load_params(l, dir, NULL);
}

static void unload(loaded *l)
{
    prj_free(&l->p);
    diag_free(&l->d);
    free(l->problems);
}

/* Number of lines of problems containing needle. */
static int count_lines(const char *problems, const char *needle)
{
    int n = 0;
    for (const char *s = problems; (s = strstr(s, needle)); s += strlen(needle)) n++;
    return n;
}

static void assert_has(const char *problems, const char *line)
{
    if (!strstr(problems, line)) fail_msg("missing problem:\n  %s\ngot:\n%s", line, problems);
}

/* "rel:line:col" of the nth (0-based) occurrence of needle in text; a '|' in
 * needle marks the spot within it (else its start). Caller frees. Columns are
 * 1-based bytes, as the engine counts them. */
static char *where(const char *rel, const char *text, const char *needle, int nth)
{
    const char *bar = strchr(needle, '|');
    size_t mark = bar ? (size_t)(bar - needle) : 0;
    char *plain = bar ? xasprintf("%.*s%s", (int)mark, needle, bar + 1) : xstrdup(needle);
    const char *s = text, *hit = NULL;
    for (int i = 0; i <= nth; i++, s = hit + 1)
        if (!(hit = strstr(s, plain))) fail_msg("'%s' occurs fewer than %d times", plain, nth + 1);
    free(plain);
    hit += mark;
    int line = 1, col = 1;
    for (const char *c = text; c < hit; c++) {
        if (*c == '\n') {
            line++;
            col = 1;
        } else col++;
    }
    return xasprintf("%s:%d:%d", rel, line, col);
}

/* "rel:L:C: level: msg" for the nth occurrence of needle. */
static void assert_problem_at(const char *problems, const char *rel, const char *text,
                              const char *needle, int nth, const char *level,
                              const char *msg)
{
    char *pos = where(rel, text, needle, nth);
    char *line = xasprintf("%s: %s: %s\n", pos, level, msg);
    assert_has(problems, line);
    free(line);
    free(pos);
}

static int ds(const project *p, const char *name)
{
    int d = prj_dataset_find(p, name);
    if (d < 0) fail_msg("no dataset '%s'", name);
    return d;
}

/* Names of the datasets of v, space separated (caller frees). */
static char *names(const project *p, const intvec *v)
{
    sb b = {0};
    for (size_t i = 0; i < v->n; i++) {
        if (i) sb_addc(&b, ' ');
        sb_add(&b, p->datasets.v[v->v[i]].name);
    }
    return sb_take(&b);
}

static void assert_deps(const project *p, const char *name, const char *want)
{
    char *got = names(p, &p->datasets.v[ds(p, name)].deps);
    if (strcmp(got, want)) fail_msg("deps of %s: got '%s', want '%s'", name, got, want);
    free(got);
}

static void assert_order(const project *p, const char *want)
{
    char *got = names(p, &p->order);
    if (strcmp(got, want)) fail_msg("order: got '%s', want '%s'", got, want);
    free(got);
}

static int order_pos(const project *p, int d)
{
    for (size_t i = 0; i < p->order.n; i++)
        if (p->order.v[i] == d) return (int)i;
    return -1;
}

/* Every edge of the graph goes forward in p->order (for datasets in it). */
static void assert_order_respects_edges(const project *p)
{
    for (size_t v = 0; v < p->datasets.n; v++) {
        int pv = order_pos(p, (int)v);
        if (pv < 0) continue;
        for (size_t i = 0; i < p->datasets.v[v].deps.n; i++) {
            int u = p->datasets.v[v].deps.v[i], pu = order_pos(p, u);
            if (pu < 0 || pu >= pv)
                fail_msg("%s is ordered before its input %s", p->datasets.v[v].name,
                         p->datasets.v[u].name);
        }
    }
}

static const char *MANIFEST = "{\"name\": \"t\", \"libraries\": [\"transformations/**/*.sql\"]}\n";

/* ---------------------------------------------------------------- inference */

static const char *INFER_SQL =
    "CREATE MATERIALIZED VIEW orders AS SELECT 1 AS id, 10 AS cust;\n"
    "CREATE MATERIALIZED VIEW customers AS SELECT 10 AS id, 'x' AS name;\n"
    "CREATE MATERIALIZED VIEW joined AS\n"
    "  SELECT o.id, c.name, 'FROM unioned' AS s -- FROM scalar\n"
    "  FROM orders o\n"
    "  LEFT JOIN customers AS c ON c.id = o.cust\n"
    "  JOIN \"orders\" o2 ON o2.id = o.id;\n"
    "CREATE MATERIALIZED VIEW subq AS\n"
    "  SELECT * FROM (SELECT id FROM ORDERS) s\n"
    "  WHERE s.id IN (SELECT id FROM customers) AND EXISTS (SELECT 1 FROM joined);\n"
    "CREATE MATERIALIZED VIEW scalar AS SELECT (SELECT max(id) FROM orders) AS m;\n"
    "CREATE MATERIALIZED VIEW with_cte AS\n"
    "  WITH recent AS (SELECT * FROM orders), totals(n) AS (SELECT count(*) FROM recent)\n"
    "  SELECT * FROM recent, totals;\n"
    "CREATE MATERIALIZED VIEW shadow AS\n"
    "  WITH customers AS (SELECT 1 AS id) SELECT * FROM customers;\n"
    "CREATE TEMPORARY VIEW tv AS SELECT * FROM customers WHERE id > 0;\n"
    "CREATE MATERIALIZED VIEW via_tv AS SELECT * FROM tv;\n"
    "CREATE MATERIALIZED VIEW outside AS SELECT * FROM main.orders, raw_table;\n"
    "CREATE MATERIALIZED VIEW unioned AS\n"
    "  SELECT id FROM orders UNION ALL SELECT id FROM customers;\n"
    "CREATE STREAMING TABLE stream_t AS SELECT * FROM STREAM(raw_table);\n"
    "CREATE STREAMING TABLE sink;\n"
    "CREATE FLOW into_sink AS INSERT INTO sink BY NAME\n"
    "  SELECT * FROM STREAM(stream_t) JOIN customers USING (id);\n";

static void test_dependency_inference(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    put(dir, "transformations/a.sql", INFER_SQL);
    loaded l;
    load(&l, dir);
    assert_string_equal(l.problems, "");
    assert_int_equal(l.rc, 0);
    const project *p = &l.p;
    assert_int_equal(p->datasets.n, 13);
    assert_false(p->has_cycle);
    assert_deps(p, "orders", "");
    assert_deps(p, "customers", "");
    /* joins, aliases, a quoted name, the same table twice (kept once) */
    assert_deps(p, "joined", "orders customers");
    /* a FROM subquery, IN and EXISTS subqueries, a name in capitals */
    assert_deps(p, "subq", "orders customers joined");
    assert_deps(p, "scalar", "orders");
    /* CTE names are not datasets; what their bodies read is */
    assert_deps(p, "with_cte", "orders");
    /* a CTE named like a dataset shadows it */
    assert_deps(p, "shadow", "");
    /* temporary views sit in the graph like any dataset */
    assert_deps(p, "tv", "customers");
    assert_deps(p, "via_tv", "tv");
    /* qualified names and tables that are not datasets make no edge */
    assert_deps(p, "outside", "");
    assert_deps(p, "stream_t", "");
    assert_deps(p, "unioned", "orders customers");
    /* a flow's inputs become its target's dependencies */
    assert_deps(p, "sink", "stream_t customers");
    int f = prj_flow_find(p, "into_sink");
    assert_true(f >= 0);
    char *in = names(p, &p->flows.v[f].inputs);
    assert_string_equal(in, "stream_t customers");
    free(in);
    assert_int_equal(p->flows.v[f].dataset, ds(p, "sink"));
    assert_false(p->flows.v[f].own);
    /* own flows carry the dataset's name */
    f = prj_flow_find(p, "joined");
    assert_true(f >= 0 && p->flows.v[f].own);
    /* a streaming table with no query has no own flow */
    assert_int_equal(p->datasets.v[ds(p, "sink")].flows.n, 1);
    assert_int_equal(p->order.n, p->datasets.n);
    assert_order_respects_edges(p);
    unload(&l);
}

/* More query shapes, one project each: the datasets x, y and z exist; the
 * query of q reads what the case says. */
static void test_dependency_inference_shapes(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    static const struct { const char *query, *deps; } cases[] = {
        {"SELECT * FROM x JOIN y USING (id)", "x y"},
        {"SELECT * FROM x NATURAL JOIN y CROSS JOIN z", "x y z"},
        {"SELECT * FROM x LEFT OUTER JOIN y ON y.id = x.id AND y.id IN (SELECT id FROM z)",
         "x y z"},
        {"SELECT * FROM (x JOIN y ON x.id = y.id)", "x y"},
        {"SELECT * FROM x INDEXED BY i, y NOT INDEXED", "x y"},
        {"SELECT CASE WHEN EXISTS (SELECT 1 FROM z) THEN 1 END AS c FROM x", "z x"},
        {"SELECT * FROM `x`, [y], \"z\"", "x y z"},
        {"SELECT 'a;b FROM y' AS s FROM x", "x"},
        {"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3)"
         " SELECT * FROM r, z", "z"},
        {"WITH v(a) AS (VALUES (1), (2)) SELECT * FROM v", ""},
        {"WITH w AS MATERIALIZED (SELECT * FROM y) SELECT * FROM w JOIN x USING (id)", "y x"},
        {"SELECT * FROM x WHERE id > (SELECT avg(id) FROM (SELECT id FROM y))", "x y"},
        {"SELECT * FROM json_each('[1]') AS j, x", "x"},
        {"VALUES (1)", ""},
        {"SELECT * FROM X x1 JOIN x AS x2 ON x1.id = x2.id", "x"},
        {"SELECT * FROM temp.x, other.y", ""},
        {"SELECT * FROM x UNION SELECT * FROM y EXCEPT SELECT * FROM z", "x y z"},
    };
    for (size_t c = 0; c < ARRAY_LEN(cases); c++) {
        char *sql = xasprintf("CREATE MATERIALIZED VIEW x AS SELECT 1 AS id;\n"
                              "CREATE MATERIALIZED VIEW y AS SELECT 1 AS id;\n"
                              "CREATE MATERIALIZED VIEW z AS SELECT 1 AS id;\n"
                              "CREATE MATERIALIZED VIEW q AS %s;\n", cases[c].query);
        put(dir, "transformations/q.sql", sql);
        free(sql);
        loaded l;
        load(&l, dir);
        if (strcmp(l.problems, "")) fail_msg("case %zu: %s", c, l.problems);
        char *got = names(&l.p, &l.p.datasets.v[ds(&l.p, "q")].deps);
        if (strcmp(got, cases[c].deps))
            fail_msg("case %zu: %s\ngot deps '%s', want '%s'", c, cases[c].query, got,
                     cases[c].deps);
        free(got);
        unload(&l);
    }
}

/* ---------------------------------------------------------------- order */

static void test_order_keeps_definition_order(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    /* Files load in sorted path order: a.sql, then b.sql. */
    put(dir, "transformations/a.sql",
        "CREATE MATERIALIZED VIEW report AS SELECT * FROM mid;\n"
        "CREATE MATERIALIZED VIEW x AS SELECT 1 AS v;\n");
    put(dir, "transformations/b.sql",
        "CREATE MATERIALIZED VIEW mid AS SELECT * FROM base;\n"
        "CREATE MATERIALIZED VIEW y AS SELECT 2 AS v;\n"
        "CREATE MATERIALIZED VIEW base AS SELECT 3 AS v;\n"
        "CREATE MATERIALIZED VIEW z AS SELECT * FROM x;\n");
    loaded l;
    load(&l, dir);
    assert_string_equal(l.problems, "");
    /* The earliest defined dataset whose inputs are done always goes next. */
    assert_order(&l.p, "x y base mid report z");
    assert_order_respects_edges(&l.p);
    unload(&l);
}

/* A seeded random DAG defined in random order: the order holds every
 * dataset, respects every edge, and at each step takes the earliest defined
 * dataset whose inputs are all placed (definition order among independent
 * datasets). */
static void test_order_random_dags(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    srand(20261125);
    for (int round = 0; round < 20; round++) {
        enum { N = 30 };
        int rank[N];
        for (int i = 0; i < N; i++) rank[i] = i;
        for (int i = N - 1; i > 0; i--) {
            int j = rand() % (i + 1), t = rank[i];
            rank[i] = rank[j];
            rank[j] = t;
        }
        sb sql = {0};
        for (int i = 0; i < N; i++) {
            sb_addf(&sql, "CREATE MATERIALIZED VIEW d%02d AS SELECT 1 AS v", i);
            for (int j = 0; j < N; j++)
                if (rank[j] < rank[i] && rand() % 6 == 0)
                    sb_addf(&sql, " UNION ALL SELECT v FROM d%02d", j);
            sb_add(&sql, ";\n");
        }
        put(dir, "transformations/dag.sql", sb_str(&sql));
        sb_free(&sql);
        loaded l;
        load(&l, dir);
        assert_string_equal(l.problems, "");
        const project *p = &l.p;
        assert_int_equal(p->order.n, N);
        assert_order_respects_edges(p);
        unsigned char placed[N] = {0};
        for (size_t k = 0; k < p->order.n; k++) {
            int want = -1;
            for (int v = 0; v < N && want < 0; v++) {
                if (placed[v]) continue;
                bool ready = true;
                for (size_t i = 0; i < p->datasets.v[v].deps.n; i++)
                    if (!placed[p->datasets.v[v].deps.v[i]]) ready = false;
                if (ready) want = v;
            }
            assert_int_equal(p->order.v[k], want);
            placed[want] = 1;
        }
        unload(&l);
    }
}

/* ---------------------------------------------------------------- cycles */

static const char *CYCLE_SQL =
    "CREATE MATERIALIZED VIEW ok AS SELECT 1 AS id;\n"
    "CREATE MATERIALIZED VIEW selfish AS SELECT * FROM selfish;\n"
    "CREATE MATERIALIZED VIEW ping AS SELECT * FROM pong;\n"
    "CREATE MATERIALIZED VIEW pong AS\n"
    "  SELECT * FROM ping;\n"
    "CREATE MATERIALIZED VIEW a AS SELECT * FROM b;\n"
    "CREATE MATERIALIZED VIEW b AS SELECT * FROM c JOIN ok USING (id);\n"
    "CREATE MATERIALIZED VIEW c AS SELECT * FROM a;\n"
    "CREATE MATERIALIZED VIEW down AS SELECT * FROM c;\n"
    "CREATE MATERIALIZED VIEW down2 AS SELECT * FROM down JOIN ok USING (id);\n"
    "CREATE MATERIALIZED VIEW indep AS SELECT * FROM ok;\n";

static void test_cycles_reported_once_each(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    put(dir, "transformations/c.sql", CYCLE_SQL);
    loaded l;
    load(&l, dir);
    const char *f = "transformations/c.sql";
    assert_int_equal(l.rc, -1);
    assert_int_equal(l.d.errors, 3);
    assert_int_equal(count_lines(l.problems, "dependency cycle"), 3);
    assert_problem_at(l.problems, f, CYCLE_SQL, "selfish", 0, "error",
                      "dependency cycle: selfish -> selfish (each reads the next)");
    assert_problem_at(l.problems, f, CYCLE_SQL, "ping", 0, "error",
                      "dependency cycle: ping -> pong -> ping (each reads the next)");
    assert_problem_at(l.problems, f, CYCLE_SQL, "VIEW |a ", 0, "error",
                      "dependency cycle: a -> b -> c -> a (each reads the next)");
    assert_true(l.p.has_cycle);
    /* The cycles and everything downstream of them are left out. */
    assert_order(&l.p, "ok indep");
    unload(&l);
}

static void test_cycle_line_col_exact(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    put(dir, "transformations/x.sql",
        "-- header\n"
        "CREATE OR REFRESH MATERIALIZED VIEW\n"
        "    \"first\" AS SELECT * FROM second;\n"
        "\n"
        "CREATE MATERIALIZED VIEW second AS SELECT * FROM first;\n");
    loaded l;
    load(&l, dir);
    assert_string_equal(l.problems,
                        "transformations/x.sql:3:5: error: dependency cycle: first -> second "
                        "-> first (each reads the next)\n");
    unload(&l);
}

/* A loop through a flow into a streaming table, across files; the first
 * defined member (file order) names it. */
static void test_cycle_through_a_flow(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    put(dir, "transformations/1.sql", "CREATE STREAMING TABLE t;\n");
    put(dir, "transformations/2.sql",
        "CREATE MATERIALIZED VIEW u AS SELECT * FROM t;\n"
        "CREATE FLOW f AS INSERT INTO t BY NAME SELECT * FROM STREAM(u);\n");
    loaded l;
    load(&l, dir);
    assert_string_equal(l.problems, "transformations/1.sql:1:24: error: dependency cycle: "
                                    "t -> u -> t (each reads the next)\n");
    assert_int_equal(l.p.order.n, 0);
    unload(&l);
}

/* ---------------------------------------------------------------- closure */

static void test_closure(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    put(dir, "transformations/a.sql",
        "CREATE STREAMING TABLE bronze AS SELECT * FROM STREAM(raw);\n"
        "CREATE STREAMING TABLE silver AS SELECT * FROM STREAM(bronze);\n"
        "CREATE TEMPORARY VIEW tv AS SELECT * FROM silver;\n"
        "CREATE MATERIALIZED VIEW gold AS SELECT count(*) AS n FROM tv;\n"
        "CREATE MATERIALIZED VIEW other AS SELECT 1 AS x;\n"
        "CREATE MATERIALIZED VIEW both_sides AS SELECT * FROM other, bronze;\n");
    loaded l;
    load(&l, dir);
    assert_string_equal(l.problems, "");
    const project *p = &l.p;
    size_t n = p->datasets.n;
    unsigned char *mark = calloc(n, 1);
    static const struct {
        const char *start;
        bool down;
        const char *want; /* marked, in definition order */
    } cases[] = {
        {"silver", false, "bronze silver"},
        {"silver", true, "silver tv gold"},
        {"gold", false, "bronze silver tv gold"},
        {"gold", true, "gold"},
        {"bronze", true, "bronze silver tv gold both_sides"},
        {"other", false, "other"},
        {"other", true, "other both_sides"},
        {"both_sides", false, "bronze other both_sides"},
    };
    for (size_t c = 0; c < ARRAY_LEN(cases); c++) {
        memset(mark, 0, n);
        mark[ds(p, cases[c].start)] = 1;
        gph_closure(p, mark, cases[c].down);
        sb b = {0};
        for (size_t i = 0; i < n; i++)
            if (mark[i]) sb_addf(&b, "%s%s", b.len ? " " : "", p->datasets.v[i].name);
        if (strcmp(sb_str(&b), cases[c].want))
            fail_msg("closure %s %s: got '%s', want '%s'", cases[c].start,
                     cases[c].down ? "downstream" : "upstream", sb_str(&b), cases[c].want);
        sb_free(&b);
    }
    /* Several marks at once. */
    memset(mark, 0, n);
    mark[ds(p, "gold")] = mark[ds(p, "other")] = 1;
    gph_closure(p, mark, false);
    int count = 0;
    for (size_t i = 0; i < n; i++) count += mark[i];
    assert_int_equal(count, 5);
    assert_int_equal(mark[ds(p, "both_sides")], 0);
    free(mark);
    unload(&l);
}

/* ---------------------------------------------------------------- definitions */

static void test_duplicate_dataset_names(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    const char *a = "CREATE MATERIALIZED VIEW Sales AS SELECT 1 AS x;\n";
    const char *b = "-- again, in other case\n"
                    "CREATE STREAMING TABLE sales AS SELECT * FROM STREAM(src);\n"
                    "CREATE MATERIALIZED VIEW reader AS SELECT * FROM sales;\n";
    put(dir, "transformations/a.sql", a);
    put(dir, "transformations/b.sql", b);
    loaded l;
    load(&l, dir);
    assert_int_equal(l.rc, -1);
    assert_int_equal(l.d.errors, 1);
    assert_string_equal(l.problems,
                        "transformations/b.sql:2:24: error: dataset 'sales' is defined twice\n"
                        "transformations/a.sql:1:26: note: 'Sales' is first defined here\n");
    /* The first definition wins; the second adds no dataset and no flow. */
    assert_int_equal(l.p.datasets.n, 2);
    assert_int_equal(l.p.datasets.v[ds(&l.p, "sales")].kind, SQL_MATERIALIZED_VIEW);
    assert_int_equal(l.p.flows.n, 2);
    assert_deps(&l.p, "reader", "Sales");
    unload(&l);
}

static const char *FLOW_SQL =
    "CREATE STREAMING TABLE sink;\n"
    "CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x;\n"
    "CREATE TEMPORARY VIEW tv AS SELECT 1 AS x;\n"
    "CREATE FLOW f_ok AS INSERT INTO sink BY NAME SELECT * FROM STREAM(src);\n"
    "CREATE FLOW f_unknown AS INSERT INTO nowhere BY NAME SELECT * FROM STREAM(src);\n"
    "CREATE FLOW f_mv AS INSERT INTO mv BY NAME SELECT * FROM STREAM(src);\n"
    "CREATE FLOW f_tv AS INSERT INTO tv SELECT * FROM STREAM(src);\n"
    "CREATE FLOW F_OK AS INSERT INTO sink BY NAME SELECT * FROM STREAM(src2);\n"
    "CREATE FLOW mv AS INSERT INTO sink BY NAME SELECT * FROM STREAM(src3);\n"
    "CREATE FLOW later AS INSERT INTO late_sink BY NAME SELECT * FROM STREAM(src4);\n";

static void test_flow_targets_and_names(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    put(dir, "transformations/a.sql", FLOW_SQL);
    /* A flow may write into a table of a later file. */
    put(dir, "transformations/b.sql", "CREATE STREAMING TABLE late_sink;\n");
    loaded l;
    load(&l, dir);
    const char *f = "transformations/a.sql";
    assert_int_equal(l.rc, -1);
    assert_int_equal(l.d.errors, 5);
    assert_problem_at(l.problems, f, FLOW_SQL, "nowhere", 0, "error",
                      "flow 'f_unknown' writes into 'nowhere', which is not a dataset of this "
                      "pipeline (declare it with CREATE STREAMING TABLE nowhere)");
    assert_problem_at(l.problems, f, FLOW_SQL, "INTO |mv", 0, "error",
                      "flow 'f_mv' writes into 'mv', a materialized view: flows append only "
                      "to streaming tables");
    assert_problem_at(l.problems, f, FLOW_SQL, "INTO |tv", 0, "error",
                      "flow 'f_tv' writes into 'tv', a temporary view: flows append only to "
                      "streaming tables");
    assert_problem_at(l.problems, f, FLOW_SQL, "F_OK", 0, "error",
                      "flow name 'F_OK' is already taken");
    assert_problem_at(l.problems, f, FLOW_SQL, "FLOW |mv", 0, "error",
                      "flow name 'mv' is already taken by a dataset's own flow");
    const project *p = &l.p;
    /* Only the good flows exist, each writing its target. */
    assert_int_equal(p->flows.n, 4); /* mv, tv (own), f_ok, later */
    const prj_dataset *sink = &p->datasets.v[ds(p, "sink")];
    assert_int_equal(sink->flows.n, 1);
    assert_string_equal(p->flows.v[sink->flows.v[0]].name, "f_ok");
    int later = prj_flow_find(p, "later");
    assert_true(later >= 0);
    assert_int_equal(p->flows.v[later].dataset, ds(p, "late_sink"));
    unload(&l);
}

/* ---------------------------------------------------------------- parameters */

static void test_params_override_configuration(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json",
        "{\"libraries\": [\"transformations/*.sql\"],\n"
        " \"configuration\": {\"src\": \"alpha\", \"n\": 5}}\n");
    put(dir, "transformations/a.sql",
        "CREATE MATERIALIZED VIEW alpha AS SELECT 1 AS x;\n"
        "CREATE MATERIALIZED VIEW beta AS SELECT 2 AS x;\n"
        "CREATE MATERIALIZED VIEW pick AS SELECT * FROM ${src} LIMIT ${n};\n");
    loaded l;
    load(&l, dir);
    assert_string_equal(l.problems, "");
    assert_deps(&l.p, "pick", "alpha");
    assert_string_equal(prj_param(&l.p, "src"), "alpha");
    assert_string_equal(prj_param(&l.p, "n"), "5");
    assert_null(prj_param(&l.p, "missing"));
    unload(&l);

    const char *params[] = {"src=beta", NULL};
    load_params(&l, dir, params);
    assert_string_equal(l.problems, "");
    assert_deps(&l.p, "pick", "beta");
    assert_string_equal(prj_param(&l.p, "src"), "beta");
    assert_string_equal(prj_param(&l.p, "n"), "5");
    assert_non_null(strstr(prj_text(&l.p, 0), "FROM beta LIMIT 5;"));
    unload(&l);

    /* The last of repeated overrides wins; a value may hold '='. */
    const char *params2[] = {"src=alpha", "src=beta", "extra=a=b", NULL};
    load_params(&l, dir, params2);
    assert_string_equal(l.problems, "");
    assert_deps(&l.p, "pick", "beta");
    assert_string_equal(prj_param(&l.p, "extra"), "a=b");
    unload(&l);

    /* Malformed overrides are errors (the rest still loads). */
    const char *bad[] = {"oops", "=x", NULL};
    load_params(&l, dir, bad);
    assert_int_equal(l.rc, -1);
    assert_string_equal(l.problems, "error: --param 'oops': expected KEY=VALUE\n"
                                    "error: --param '=x': expected KEY=VALUE\n");
    assert_int_equal(l.p.datasets.n, 3);
    unload(&l);
}

static const char *PARAM_SQL =
    "CREATE MATERIALIZED VIEW a AS SELECT 1 AS x;\n"
    "CREATE MATERIALIZED VIEW b AS SELECT ${long_value} AS k, ${nope} AS y FROM a;\n"
    "CREATE MATERIALIZED VIEW ${name} AS SELEKT 1;\n"
    "CREATE MATERIALIZED VIEW reader AS SELECT * FROM ${name};\n";

static void test_unknown_param_and_positions_after_substitution(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json",
        "{\"configuration\": {\"long_value\": \"'a value much longer than its placeholder'\",\n"
        "                   \"name\": \"n\"}}\n");
    put(dir, "transformations/p.sql", PARAM_SQL);
    loaded l;
    load(&l, dir);
    const char *f = "transformations/p.sql";
    assert_int_equal(l.rc, -1);
    assert_int_equal(l.d.errors, 2);
    assert_problem_at(l.problems, f, PARAM_SQL, "${nope}", 0, "error",
                      "unknown parameter ${nope}: define it in \"configuration\" of "
                      "tarn.json or pass --param nope=VALUE");
    /* A parse error after a substitution of another length, on the same line,
     * is still at the token as written. */
    assert_problem_at(l.problems, f, PARAM_SQL, "SELEKT", 0, "error",
                      "expected a query (SELECT, WITH or VALUES), found 'SELEKT'");
    /* The statement that failed is remembered under its substituted name. */
    assert_true(prj_is_broken(&l.p, "n"));
    assert_false(prj_is_broken(&l.p, "reader"));
    assert_deps(&l.p, "b", "a");
    unload(&l);
}

/* ---------------------------------------------------------------- libraries */

static void test_library_globs(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json",
        "{\"libraries\": [\"transformations/**/*.sql\", \"nothing/*.sql\", \"misc/*\"]}\n");
    put(dir, "transformations/deep/er/a.sql", "CREATE MATERIALIZED VIEW a AS SELECT 1 AS x;\n");
    put(dir, "misc/readme.txt", "not sql\n");
    put(dir, "misc/udf.lua", "-- a plugin\n");
    put(dir, "misc/b.sql", "CREATE MATERIALIZED VIEW b AS SELECT * FROM a;\n");
    loaded l;
    load(&l, dir);
    assert_int_equal(l.rc, 0); /* warnings only */
    assert_int_equal(l.d.warnings, 2);
    assert_string_equal(l.problems,
                        "tarn.json: warning: library \"nothing/*.sql\" matches no files\n"
                        "misc/readme.txt: warning: not a .sql or .lua file: ignored (narrow "
                        "the library glob)\n");
    assert_int_equal(l.p.files.n, 2);
    assert_int_equal(l.p.datasets.n, 2);
    assert_deps(&l.p, "b", "a");
    assert_order(&l.p, "a b");
    unload(&l);
}

static void test_missing_manifest(void **state)
{
    const char *dir = *state;
    put(dir, "transformations/a.sql", "CREATE MATERIALIZED VIEW a AS SELECT 1 AS x;\n");
    loaded l;
    load(&l, dir);
    assert_int_equal(l.rc, -1);
    assert_int_equal(l.d.errors, 1);
    char *want = xasprintf("error: %s has no tarn.json: not a tarn project (create one with "
                           "'tarn init')\n", dir);
    assert_string_equal(l.problems, want);
    free(want);
    assert_int_equal(l.p.datasets.n, 0);
    assert_int_equal(l.p.order.n, 0);
    unload(&l);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, ts_setup_dir, ts_teardown_dir)
    const struct CMUnitTest tests[] = {
        T(test_dependency_inference),
        T(test_dependency_inference_shapes),
        T(test_order_keeps_definition_order),
        T(test_order_random_dags),
        T(test_cycles_reported_once_each),
        T(test_cycle_line_col_exact),
        T(test_cycle_through_a_flow),
        T(test_closure),
        T(test_duplicate_dataset_names),
        T(test_flow_targets_and_names),
        T(test_params_override_configuration),
        T(test_unknown_param_and_positions_after_substitution),
        T(test_library_globs),
        T(test_missing_manifest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
