/*
 * test_validate.c - unit tests for engine/validate (the dry run): schemas of
 * a valid pipeline, unknown tables with suggestions, warehouse tables as
 * sources (and the warehouse left untouched), SQL errors at file:line:col
 * after ${param} substitution, STREAM misuse, declared columns, duplicate
 * output names, bad expectations, and one report per mistake.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "project.h"
#include "testsupport.h"
#include "validate.h"

/* ---------------------------------------------------------------- helpers */

static void put(const char *dir, const char *rel, const char *text)
{
    assert_int_equal(ts_write_file(dir, rel, text), 0);
}

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

/* A loaded and validated project. */
typedef struct checked {
    project p;
    diag_list d;
    val_result r;
    int load_rc, val_rc;
    char *problems; /* load and validation problems, formatted, in order */
} checked;

static void check(checked *c, const char *dir)
{
    memset(c, 0, sizeof(*c));
    c->load_rc = prj_load(&c->p, dir, NULL, &c->d);
    c->val_rc = val_run(&c->p, &c->d, &c->r);
    c->problems = format_diags(&c->d);
}

static void uncheck(checked *c)
{
    val_free(&c->r);
    prj_free(&c->p);
    diag_free(&c->d);
    free(c->problems);
}

static void assert_has(const char *problems, const char *line)
{
    if (!strstr(problems, line)) fail_msg("missing problem:\n  %s\ngot:\n%s", line, problems);
}

/* "rel:line:col" of the nth (0-based) occurrence of needle in text; a '|' in
 * needle marks the spot within it (else its start). Caller frees. */
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

/* The problem "rel:L:C: level: msg" is in problems, L:C being needle's. */
static void assert_problem_at(const char *problems, const char *rel, const char *text,
                              const char *needle, const char *level, const char *msg)
{
    char *pos = where(rel, text, needle, 0);
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

/* "name type, name type" of a validated dataset (caller frees). */
static char *schema(const checked *c, const char *name)
{
    const val_dataset *vd = &c->r.datasets[ds(&c->p, name)];
    sb b = {0};
    for (size_t i = 0; i < vd->columns.n; i++)
        sb_addf(&b, "%s%s %s", i ? ", " : "", vd->columns.v[i].name, vd->columns.v[i].type);
    return sb_take(&b);
}

static void assert_schema(const checked *c, const char *name, const char *want)
{
    char *got = schema(c, name);
    if (strcmp(got, want)) fail_msg("schema of %s:\n got: %s\nwant: %s", name, got, want);
    free(got);
}

static const char *MANIFEST = "{\"name\": \"t\"}\n";
#define F "transformations/p.sql"

/* ---------------------------------------------------------------- types */

static void test_sqlite_type_mapping(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } cases[] = {
        {"STRING", "TEXT"},         {"string", "TEXT"},
        {"VARCHAR(20)", "TEXT"},    {"CHAR(2)", "TEXT"},
        {"ARRAY<STRING>", "TEXT"},  {"MAP<STRING, INT>", "TEXT"},
        {"STRUCT<a: INT>", "TEXT"}, {"VARIANT", "TEXT"},
        {"INTERVAL DAY", "TEXT"},   {"BINARY", "BLOB"},
        {"LONG", "INTEGER"},        {"SHORT", "INTEGER"},
        {"BYTE", "INTEGER"},        {"BIGINT", "BIGINT"},
        {"INT", "INT"},             {"DOUBLE", "DOUBLE"},
        {"DECIMAL(10, 2)", "DECIMAL(10, 2)"}, {"TIMESTAMP", "TIMESTAMP"},
        {"", ""},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char *got = sql_sqlite_type(cases[i].in);
        if (strcmp(got, cases[i].out))
            fail_msg("sql_sqlite_type(%s) = %s, want %s", cases[i].in, got, cases[i].out);
        free(got);
    }
    char *none = sql_sqlite_type(NULL);
    assert_string_equal(none, "");
    free(none);
}

/* ---------------------------------------------------------------- valid pipeline */

static const char *VALID_SQL =
    "CREATE MATERIALIZED VIEW typed (\n"
    "  id BIGINT NOT NULL COMMENT 'the key',\n"
    "  name STRING,\n"
    "  tags ARRAY<STRING>,\n"
    "  attrs MAP<STRING, ARRAY<INT>>,\n"
    "  raw BINARY,\n"
    "  n LONG,\n"
    "  price DECIMAL(10, 2),\n"
    "  label varchar(20),\n"
    "  CONSTRAINT positive EXPECT (id > 0) ON VIOLATION DROP ROW\n"
    ") COMMENT 'typed' AS\n"
    "SELECT 1 AS id, 'x' AS name, '[]' AS tags, '{}' AS attrs, x'00' AS raw, 5 AS n,\n"
    "       1.5 AS price, 'l' AS label;\n"
    "CREATE MATERIALIZED VIEW derived AS\n"
    "  SELECT id, name || '!' AS shout, count(*) AS c, CAST(n AS REAL) AS r,\n"
    "         CAST(n AS TEXT) AS t\n"
    "  FROM typed GROUP BY id;\n"
    "CREATE TEMPORARY VIEW tv AS SELECT id AS key, shout FROM derived;\n"
    "CREATE MATERIALIZED VIEW from_tv AS SELECT key, upper(shout) AS loud FROM tv;\n"
    "CREATE STREAMING TABLE declared_only (id INT, v STRING);\n"
    "CREATE STREAMING TABLE appended AS SELECT id, v FROM STREAM(declared_only);\n"
    "CREATE FLOW more AS INSERT INTO appended BY NAME\n"
    "  SELECT id, v, 'extra' AS tag FROM STREAM(declared_only);\n";

static void test_valid_pipeline_schemas(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    put(dir, F, VALID_SQL);
    checked c;
    check(&c, dir);
    /* The only problem: the table nothing writes into. */
    char *pos = where(F, VALID_SQL, "declared_only", 0);
    char *want = xasprintf("%s: warning: streaming table 'declared_only' has no flow writing "
                           "into it\n", pos);
    assert_string_equal(c.problems, want);
    free(want);
    free(pos);
    assert_int_equal(c.load_rc, 0);
    assert_int_equal(c.val_rc, 0);
    assert_int_equal(c.r.n, c.p.datasets.n);
    for (size_t i = 0; i < c.r.n; i++) assert_true(c.r.datasets[i].ok);
    /* Declared columns, their types mapped by sql_sqlite_type. */
    assert_schema(&c, "typed", "id BIGINT, name TEXT, tags TEXT, attrs TEXT, raw BLOB, "
                               "n INTEGER, price DECIMAL(10, 2), label TEXT");
    /* Query-shaped columns take the type SQLite gives their expression. */
    assert_schema(&c, "derived", "id INT, shout , c , r REAL, t TEXT");
    assert_schema(&c, "tv", "key INT, shout ");
    assert_schema(&c, "from_tv", "key INT, loud ");
    assert_schema(&c, "declared_only", "id INT, v TEXT");
    /* A second flow brings a column into the table. */
    assert_schema(&c, "appended", "id INT, v TEXT, tag ");
    /* Each result is named: found by name whatever index is given */
    for (size_t i = 0; i < c.r.n; i++) assert_string_equal(c.r.datasets[i].name, c.p.datasets.v[i].name);
    size_t derived = (size_t)ds(&c.p, "derived");
    assert_ptr_equal(val_dataset_named(&c.r, "DERIVED", 0), &c.r.datasets[derived]);
    assert_ptr_equal(val_dataset_named(&c.r, "derived", derived), &c.r.datasets[derived]);
    assert_ptr_equal(val_dataset_named(&c.r, "derived", SIZE_MAX), &c.r.datasets[derived]);
    assert_null(val_dataset_named(&c.r, "nowhere", 0));
    assert_null(val_dataset_named(NULL, "derived", 0));
    uncheck(&c);
}

/* ---------------------------------------------------------------- unknown tables */

static const char *UNKNOWN_SQL =
    "CREATE MATERIALIZED VIEW orders AS SELECT 1 AS id;\n"
    "CREATE MATERIALIZED VIEW r1 AS\n"
    "  SELECT * FROM orders o JOIN ordrs p ON o.id = p.id;\n"
    "CREATE MATERIALIZED VIEW r2 AS SELECT * FROM completely_missing;\n"
    "CREATE STREAMING TABLE r3 AS SELECT * FROM STREAM(Order_s);\n"
    "CREATE MATERIALIZED VIEW r4 AS SELECT * FROM sqlite_schema;\n";

static void test_unknown_tables(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    put(dir, F, UNKNOWN_SQL);
    checked c;
    check(&c, dir);
    assert_int_equal(c.load_rc, 0);
    assert_int_equal(c.val_rc, -1);
    assert_int_equal(c.d.errors, 3);
    assert_problem_at(c.problems, F, UNKNOWN_SQL, "ordrs", "error",
                      "unknown table or dataset 'ordrs' (did you mean 'orders'?)");
    assert_problem_at(c.problems, F, UNKNOWN_SQL, "completely_missing", "error",
                      "unknown table or dataset 'completely_missing': it is not defined in "
                      "the pipeline and not in the warehouse");
    assert_problem_at(c.problems, F, UNKNOWN_SQL, "Order_s", "error",
                      "unknown table or dataset 'Order_s' (did you mean 'orders'?)");
    assert_true(c.r.datasets[ds(&c.p, "orders")].ok);
    assert_false(c.r.datasets[ds(&c.p, "r1")].ok);
    assert_int_equal(c.r.datasets[ds(&c.p, "r1")].columns.n, 0);
    /* SQLite's own tables are not unknown. */
    assert_true(c.r.datasets[ds(&c.p, "r4")].ok);
    uncheck(&c);
}

/* ---------------------------------------------------------------- warehouse */

typedef struct file_snap {
    char *bytes;
    size_t len;
    struct timespec mtime;
    off_t size;
} file_snap;

static void snap(const char *path, file_snap *s)
{
    char *err = NULL;
    s->bytes = fs_read(path, &s->len, &err);
    if (!s->bytes) fail_msg("%s", err);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    s->mtime = st.st_mtim;
    s->size = st.st_size;
}

static void assert_same_file(const char *path, const file_snap *before)
{
    file_snap now;
    snap(path, &now);
    assert_int_equal(now.len, before->len);
    assert_int_equal(now.size, before->size);
    assert_memory_equal(now.bytes, before->bytes, now.len);
    assert_int_equal(now.mtime.tv_sec, before->mtime.tv_sec);
    assert_int_equal(now.mtime.tv_nsec, before->mtime.tv_nsec);
    free(now.bytes);
}

static const char *WH_SQL =
    "CREATE STREAMING TABLE events AS SELECT id, kind FROM STREAM(raw_events);\n"
    "CREATE MATERIALIZED VIEW counts AS\n"
    "  SELECT kind, count(*) AS n FROM raw_events GROUP BY kind;\n"
    "CREATE MATERIALIZED VIEW joined AS\n"
    "  SELECT e.id, c.n FROM events e JOIN counts c USING (kind);\n"
    "CREATE MATERIALIZED VIEW wrong AS SELECT no_such_col FROM raw_events;\n";

static void validate_against_warehouse(const char *dir, const char *whpath)
{
    file_snap before;
    snap(whpath, &before);
    checked c;
    check(&c, dir);
    assert_int_equal(c.d.errors, 1);
    assert_problem_at(c.problems, F, WH_SQL, "no_such_col", "error",
                      "no such column: no_such_col");
    assert_true(c.r.datasets[ds(&c.p, "events")].ok);
    assert_true(c.r.datasets[ds(&c.p, "counts")].ok);
    assert_true(c.r.datasets[ds(&c.p, "joined")].ok);
    assert_schema(&c, "events", "id INT, kind TEXT");
    uncheck(&c);
    assert_same_file(whpath, &before);
    free(before.bytes);
    /* Nothing the validation did shows in the warehouse. */
    assert_int_equal(ts_sql_int(whpath, "SELECT count(*) FROM sqlite_schema", -1), 1);
    assert_int_equal(ts_sql_int(whpath, "SELECT count(*) FROM raw_events", -1), 3);
}

static void test_warehouse_table_as_source_untouched(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    put(dir, F, WH_SQL);
    char *whpath = ts_path(dir, ".tarn/warehouse.db");
    /* No warehouse yet: the sources are unknown, and none is created. */
    checked c;
    check(&c, dir);
    assert_has(c.problems, "unknown table or dataset 'raw_events'");
    uncheck(&c);
    assert_false(fs_exists(whpath));

    put(dir, ".tarn/keep", "");
    assert_int_equal(ts_sql_exec(whpath,
                                 "CREATE TABLE raw_events(id INT, kind TEXT);"
                                 "INSERT INTO raw_events VALUES (1, 'a'), (2, 'b'), (3, 'a');"),
                     0);
    validate_against_warehouse(dir, whpath);
    free(whpath);
}

/* The same with a warehouse in WAL mode, as updates leave it. */
static void test_wal_warehouse_untouched(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    put(dir, F, WH_SQL);
    put(dir, ".tarn/keep", "");
    char *whpath = ts_path(dir, ".tarn/warehouse.db");
    assert_int_equal(ts_sql_exec(whpath,
                                 "PRAGMA journal_mode=WAL;"
                                 "CREATE TABLE raw_events(id INT, kind TEXT);"
                                 "INSERT INTO raw_events VALUES (1, 'a'), (2, 'b'), (3, 'a');"),
                     0);
    validate_against_warehouse(dir, whpath);
    free(whpath);
}

/* ---------------------------------------------------------------- SQL errors */

static const char *PARAM_SQL =
    "CREATE MATERIALIZED VIEW a AS SELECT 1 AS id, 'n' AS name;\n"
    "CREATE MATERIALIZED VIEW b AS SELECT ${cols}, nope FROM a;\n"
    "CREATE STREAMING TABLE s AS SELECT * FROM STREAM(${src}) WHERE bad_col > 0;\n"
    "CREATE MATERIALIZED VIEW c AS\n"
    "  SELECT ${x} AS x, id FROM a WHERE ${x} > 1 AND nam = 'n';\n"
    "CREATE MATERIALIZED VIEW d AS SELECT * FROM a WHERE id = 1 GRUP BY id;\n";

static void test_sql_errors_after_substitution(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json",
        "{\"configuration\": {\"cols\": \"id, name, id * 1000 AS big_number\",\n"
        "                   \"src\": \"raw\", \"x\": \"1\"}}\n");
    put(dir, F, PARAM_SQL);
    put(dir, ".tarn/keep", "");
    char *whpath = ts_path(dir, ".tarn/warehouse.db");
    assert_int_equal(ts_sql_exec(whpath, "CREATE TABLE raw(id INT);"), 0);
    free(whpath);
    checked c;
    check(&c, dir);
    assert_int_equal(c.d.errors, 4);
    /* Each at the token as written in the file, though the text before it on
     * the same line grew or shrank when ${...} was replaced. */
    assert_problem_at(c.problems, F, PARAM_SQL, "nope", "error", "no such column: nope");
    assert_problem_at(c.problems, F, PARAM_SQL, "bad_col", "error", "no such column: bad_col");
    assert_problem_at(c.problems, F, PARAM_SQL, "nam ", "error", "no such column: nam");
    assert_problem_at(c.problems, F, PARAM_SQL, "GRUP", "error", "near \"GRUP\": syntax error");
    assert_true(c.r.datasets[ds(&c.p, "a")].ok);
    uncheck(&c);
}

/* ---------------------------------------------------------------- STREAM misuse */

static const char *STREAM_SQL =
    "CREATE MATERIALIZED VIEW m AS SELECT * FROM STREAM(raw);\n"
    "CREATE MATERIALIZED VIEW m2 AS SELECT 1 AS id;\n"
    "CREATE STREAMING TABLE s AS SELECT * FROM STREAM(m2);\n"
    "CREATE STREAMING TABLE s2 AS\n"
    "  SELECT * FROM raw;\n"
    "CREATE STREAMING TABLE sink;\n"
    "CREATE FLOW f AS INSERT INTO sink BY NAME SELECT * FROM m2;\n"
    "CREATE STREAMING TABLE fine AS SELECT * FROM STREAM raw JOIN m2 USING (id);\n"
    "CREATE STREAMING TABLE from_view AS SELECT * FROM STREAM(raw_view);\n"
    "CREATE STREAMING TABLE from_norowid AS SELECT * FROM STREAM(no_rowid);\n"
    "CREATE STREAMING TABLE view_joined AS\n"
    "  SELECT * FROM STREAM(raw) JOIN raw_view USING (id) JOIN no_rowid USING (id);\n";

static void test_stream_misuse(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    put(dir, F, STREAM_SQL);
    put(dir, ".tarn/keep", "");
    char *whpath = ts_path(dir, ".tarn/warehouse.db");
    assert_int_equal(ts_sql_exec(whpath, "CREATE TABLE raw(id INT);"
                                         "CREATE VIEW raw_view AS SELECT * FROM raw;"
                                         "CREATE TABLE no_rowid(id INT PRIMARY KEY) "
                                         "WITHOUT ROWID;"), 0);
    free(whpath);
    checked c;
    check(&c, dir);
    assert_int_equal(c.d.errors, 6);
    /* STREAM reads new rows by rowid: a view (whose rowid is NULL) would
     * never yield a row, a WITHOUT ROWID table fails. Read whole, both are
     * fine. */
    assert_problem_at(c.problems, F, STREAM_SQL, "STREAM(|raw_view)", "error",
                      "STREAM(raw_view): 'raw_view' is a view or a WITHOUT ROWID table, and "
                      "STREAM reads new rows of a source by rowid; stream from an ordinary "
                      "table, or read 'raw_view' without STREAM");
    assert_problem_at(c.problems, F, STREAM_SQL, "STREAM(|no_rowid)", "error",
                      "STREAM(no_rowid): 'no_rowid' is a view or a WITHOUT ROWID table, and "
                      "STREAM reads new rows of a source by rowid; stream from an ordinary "
                      "table, or read 'no_rowid' without STREAM");
    assert_true(c.r.datasets[ds(&c.p, "view_joined")].ok);
    assert_problem_at(c.problems, F, STREAM_SQL, "STREAM(|raw)", "error",
                      "STREAM(raw) in a materialized view: only streaming tables and flows "
                      "read incrementally; read 'raw' without STREAM");
    assert_problem_at(c.problems, F, STREAM_SQL, "STREAM(|m2)", "error",
                      "STREAM(m2): 'm2' is a materialized view, not an append-only source; "
                      "stream from a streaming table or an existing table");
    assert_problem_at(c.problems, F, STREAM_SQL, "  |SELECT * FROM raw", "error",
                      "streaming table 's2' reads no source through STREAM(...): every "
                      "update would append all of its rows again");
    assert_problem_at(c.problems, F, STREAM_SQL, "NAME |SELECT * FROM m2", "error",
                      "flow 'f' reads no source through STREAM(...): every update would "
                      "append all of its rows again");
    assert_true(c.r.datasets[ds(&c.p, "fine")].ok);
    assert_false(c.r.datasets[ds(&c.p, "sink")].ok);
    uncheck(&c);
}

/* ---------------------------------------------------------------- columns */

static const char *COLUMNS_SQL =
    "CREATE MATERIALIZED VIEW both_ways (id INT, name STRING) AS\n"
    "  SELECT 1 AS id, 2 AS other;\n"
    "CREATE MATERIALIZED VIEW missing_only (id INT, name STRING) AS SELECT 1 AS id;\n"
    "CREATE MATERIALIZED VIEW extra_only (id INT) AS SELECT 1 AS id, 2 AS other;\n"
    "CREATE MATERIALIZED VIEW case_blind (ID INT, Name STRING) AS SELECT 1 AS id, 'x' AS name;\n"
    "CREATE MATERIALIZED VIEW twice AS\n"
    "  SELECT 1 AS x, 2 AS X;\n"
    "CREATE MATERIALIZED VIEW base AS SELECT 1 AS id;\n"
    "CREATE MATERIALIZED VIEW star_twice AS SELECT * FROM base JOIN base AS b2 ON 1;\n";

static void test_declared_and_duplicate_columns(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    put(dir, F, COLUMNS_SQL);
    checked c;
    check(&c, dir);
    assert_int_equal(c.d.errors, 5);
    assert_problem_at(c.problems, F, COLUMNS_SQL, "both_ways", "error",
                      "declared columns do not match the query: declared but not returned: "
                      "name; returned but not declared: other");
    assert_problem_at(c.problems, F, COLUMNS_SQL, "missing_only", "error",
                      "declared columns do not match the query: declared but not returned: "
                      "name");
    assert_problem_at(c.problems, F, COLUMNS_SQL, "extra_only", "error",
                      "declared columns do not match the query: returned but not declared: "
                      "other");
    assert_problem_at(c.problems, F, COLUMNS_SQL, "  |SELECT 1 AS x", "error",
                      "the query returns column 'X' twice: give one of them another name "
                      "with AS");
    assert_problem_at(c.problems, F, COLUMNS_SQL, "SELECT * FROM base JOIN", "error",
                      "the query returns column 'id' twice: give one of them another name "
                      "with AS");
    assert_true(c.r.datasets[ds(&c.p, "case_blind")].ok);
    assert_schema(&c, "case_blind", "ID INT, Name TEXT");
    uncheck(&c);
}

/* ---------------------------------------------------------------- expectations */

static const char *EXPECT_SQL =
    "CREATE MATERIALIZED VIEW a AS SELECT 1 AS id, 'x' AS name;\n"
    "CREATE MATERIALIZED VIEW e1 (\n"
    "  CONSTRAINT good EXPECT (id > 0),\n"
    "  CONSTRAINT bad_col EXPECT (length(${field}) > 0 AND nope > 0) ON VIOLATION DROP ROW,\n"
    "  CONSTRAINT bad_fn EXPECT (no_such_fn(id)) ON VIOLATION FAIL UPDATE\n"
    ") AS SELECT * FROM a;\n"
    "CREATE MATERIALIZED VIEW e2 (CONSTRAINT fine EXPECT (name IS NOT NULL)) AS\n"
    "  SELECT * FROM a;\n"
    "CREATE MATERIALIZED VIEW e3 (\n"
    "  CONSTRAINT sub EXPECT (id IN (SELECT id FROM a)),\n"
    "  CONSTRAINT after_sub EXPECT (nope2 > 0)\n"
    ") AS SELECT * FROM a;\n"
    "CREATE TEMPORARY VIEW tv (CONSTRAINT unchecked EXPECT (id > 0)) AS SELECT * FROM a;\n";

static void test_bad_expectations(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", "{\"configuration\": {\"field\": \"coalesce(name, '')\"}}\n");
    put(dir, F, EXPECT_SQL);
    checked c;
    check(&c, dir);
    assert_int_equal(c.d.errors, 4);
    assert_int_equal(c.d.warnings, 1);
    assert_problem_at(c.problems, F, EXPECT_SQL, "nope", "error",
                      "expectation 'bad_col': no such column: nope");
    assert_problem_at(c.problems, F, EXPECT_SQL, "no_such_fn", "error",
                      "expectation 'bad_fn': no such function: no_such_fn");
    /* Every bad expectation is reported, not only the first of a dataset. */
    assert_problem_at(c.problems, F, EXPECT_SQL, "FROM |a))", "error",
                      "expectation 'sub' reads table 'a': expectations check one row at a "
                      "time and cannot use subqueries");
    assert_problem_at(c.problems, F, EXPECT_SQL, "nope2", "error",
                      "expectation 'after_sub': no such column: nope2");
    assert_problem_at(c.problems, F, EXPECT_SQL, "CONSTRAINT unchecked", "warning",
                      "expectations on a temporary view are not checked; put them on the "
                      "table that reads it");
    assert_false(c.r.datasets[ds(&c.p, "e1")].ok);
    assert_true(c.r.datasets[ds(&c.p, "e2")].ok);
    assert_false(c.r.datasets[ds(&c.p, "e3")].ok);
    uncheck(&c);
}

/* ---------------------------------------------------------------- one report per mistake */

static const char *CASCADE_SQL =
    "CREATE MATERIALIZED VIEW broken AS SELECT nope FROM (SELECT 1 AS id);\n"
    "CREATE MATERIALIZED VIEW r1 AS SELECT * FROM broken;\n"
    "CREATE TEMPORARY VIEW r2 AS SELECT * FROM r1;\n"
    "CREATE MATERIALIZED VIEW r3 AS SELECT also_wrong FROM r2;\n"
    "CREATE STREAMING TABLE st AS SELECT * FROM STREAM(raw);\n"
    "CREATE FLOW fl AS INSERT INTO st BY NAME SELECT x FROM STREAM(raw) JOIN r1 ON 1;\n"
    "CREATE MATERIALIZED VIEW indep AS SELECT 2 AS id;\n"
    "CREATE MATERIALIZED VIEW bad2 AS SELECT * FROM indep WHERE missing_col = 1;\n";

static void test_downstream_of_broken_not_reported(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    put(dir, F, CASCADE_SQL);
    put(dir, ".tarn/keep", "");
    char *whpath = ts_path(dir, ".tarn/warehouse.db");
    assert_int_equal(ts_sql_exec(whpath, "CREATE TABLE raw(id INT);"), 0);
    free(whpath);
    checked c;
    check(&c, dir);
    /* broken, and an independent mistake; nothing downstream of broken. */
    assert_int_equal(c.d.errors, 2);
    assert_problem_at(c.problems, F, CASCADE_SQL, "nope", "error", "no such column: nope");
    assert_problem_at(c.problems, F, CASCADE_SQL, "missing_col", "error",
                      "no such column: missing_col");
    static const char *const bad[] = {"broken", "r1", "r2", "r3", "st", "bad2"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        assert_false(c.r.datasets[ds(&c.p, bad[i])].ok);
    assert_true(c.r.datasets[ds(&c.p, "indep")].ok);
    uncheck(&c);
}

static const char *PARSE_SQL =
    "CREATE MATERIALIZED VIEW a AS SELEC 1;\n"
    "CREATE MATERIALIZED VIEW b AS SELECT * FROM a;\n"
    "CREATE STREAMING TABLE c AS SELECT * FROM STREAM(a);\n"
    "CREATE MATERIALIZED VIEW d AS SELECT * FROM b JOIN c ON 1;\n"
    "CREATE MATERIALIZED VIEW e AS SELECT * FROM zz_unknown;\n";

static void test_parse_failure_not_reported_again(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    put(dir, F, PARSE_SQL);
    checked c;
    check(&c, dir);
    assert_int_equal(c.d.errors, 2);
    assert_problem_at(c.problems, F, PARSE_SQL, "SELEC", "error",
                      "expected a query (SELECT, WITH or VALUES), found 'SELEC'");
    /* A real unknown name is still reported. */
    assert_problem_at(c.problems, F, PARSE_SQL, "zz_unknown", "error",
                      "unknown table or dataset 'zz_unknown': it is not defined in the pipeline and "
                      "not in the warehouse");
    assert_null(strstr(c.problems, "'a'"));
    uncheck(&c);
}

static void test_streaming_table_without_flows(void **state)
{
    const char *dir = *state;
    put(dir, "tarn.json", MANIFEST);
    const char *sql = "CREATE STREAMING TABLE lonely (id BIGINT, note STRING);\n"
                      "CREATE MATERIALIZED VIEW reader AS SELECT count(*) AS n FROM lonely;\n";
    put(dir, F, sql);
    checked c;
    check(&c, dir);
    assert_int_equal(c.val_rc, 0);
    assert_int_equal(c.d.warnings, 1);
    char *pos = where(F, sql, "lonely", 0);
    char *want = xasprintf("%s: warning: streaming table 'lonely' has no flow writing into it\n",
                           pos);
    assert_string_equal(c.problems, want);
    free(want);
    free(pos);
    assert_schema(&c, "lonely", "id BIGINT, note TEXT");
    assert_true(c.r.datasets[ds(&c.p, "reader")].ok);
    uncheck(&c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, ts_setup_dir, ts_teardown_dir)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlite_type_mapping),
        T(test_valid_pipeline_schemas),
        T(test_unknown_tables),
        T(test_warehouse_table_as_source_untouched),
        T(test_wal_warehouse_untouched),
        T(test_sql_errors_after_substitution),
        T(test_stream_misuse),
        T(test_declared_and_duplicate_columns),
        T(test_bad_expectations),
        T(test_downstream_of_broken_not_reported),
        T(test_parse_failure_not_reported_again),
        T(test_streaming_table_without_flows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
