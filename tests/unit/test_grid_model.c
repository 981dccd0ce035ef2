/*
 * test_grid_model.c - unit tests for ui/grid_model (the Data grid's model):
 * keyset paging of a 200k-row warehouse table with rowid gaps forward,
 * backward, first, last, from a key and by rowid fraction, compared row by
 * row with SQLite's own ORDER BY; sorted paging over duplicates, NULLs and
 * mixed types in both directions (with and without an index, and under a
 * filter) never skipping or repeating a row; filters and the errors of bad
 * ones; query results (materialized, paged, refused when not read-only,
 * canceled); views and tables whose rowid is shadowed; the stepped count;
 * windows merged from pages and positions estimated from rowids; column
 * widths and alignment; column profiles with exact histogram buckets; cell
 * details with JSON pretty-printing and hex dumps; and a sanity check that a
 * page near the end of the table costs what one near its start costs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grid_model.h"
#include "testsupport.h"
#include "util.h"

enum { BIG_ROWS = 200000, BIG_GAPS = 200 };

static char *g_dir, *g_wh;

/* ---------------------------------------------------------------- fixture */

static const char FIXTURE[] =
    "PRAGMA journal_mode=WAL;"
    "CREATE TABLE big(id INTEGER, grp INTEGER, name TEXT, amount REAL, city TEXT, note TEXT);"
    "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 200000)"
    " INSERT INTO big SELECT i, CASE WHEN i % 97 = 0 THEN NULL ELSE i % 50 END, 'name' || i,"
    " (i % 1000) / 4.0, CASE i % 3 WHEN 0 THEN 'Oslo' WHEN 1 THEN 'Bergen' ELSE 'Tromsø' END,"
    " CASE WHEN i % 5000 = 0 THEN printf('%.*c', 600, 'x') END FROM s;"
    /* rowid gaps */
    "DELETE FROM big WHERE id % 1000 = 7;"
    /* duplicates, NULLs and mixed types for sorted walks */
    "CREATE TABLE dups(k, g INTEGER, t TEXT, n NUMERIC);"
    "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 15000)"
    " INSERT INTO dups SELECT CASE i % 7 WHEN 0 THEN NULL WHEN 1 THEN i % 13 WHEN 2 THEN"
    " (i % 11) + 0.5 WHEN 3 THEN 'txt' || (i % 17) WHEN 4 THEN x'00ff' || (i % 3) ELSE i % 5"
    " END, CASE WHEN i % 10 = 0 THEN NULL ELSE i % 9 END, CASE WHEN i % 4 = 0 THEN NULL ELSE"
    " 'v' || (i % 23) END, CASE WHEN i % 6 = 0 THEN 'abc' WHEN i % 6 = 1 THEN NULL ELSE"
    " i % 8 END FROM s;"
    "DELETE FROM dups WHERE rowid % 37 = 3;"
    "CREATE TABLE idx(v INTEGER, w TEXT);"
    "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 20000)"
    " INSERT INTO idx SELECT CASE WHEN i % 9 = 0 THEN NULL ELSE i % 100 END, 'w' || i FROM s;"
    "CREATE INDEX idx_v ON idx(v);"
    /* profiles */
    "CREATE TABLE prof(n INTEGER, r REAL, t TEXT, j TEXT, b BLOB);"
    "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 100)"
    " INSERT INTO prof SELECT i, (i - 1) / 10.0, CASE WHEN i <= 50 THEN 'a' WHEN i <= 80 THEN"
    " 'b' ELSE 'c' END, '{\"id\":' || i || ',\"tags\":[\"x\",\"y\"],\"big\":"
    "12345678901234567890}', randomblob(40) FROM s;"
    "INSERT INTO prof VALUES (NULL, NULL, NULL, NULL, NULL), (NULL, NULL, NULL, NULL, NULL),"
    " (NULL, NULL, NULL, NULL, NULL), (NULL, NULL, NULL, NULL, NULL),"
    " (NULL, NULL, NULL, NULL, NULL);"
    "CREATE TABLE small(n INTEGER, label TEXT);"
    "INSERT INTO small VALUES (3, 'c'), (1, 'a'), (2, 'b');"
    "CREATE VIEW v_small AS SELECT n * 10 AS tens, label FROM small;"
    "CREATE TABLE kv(k TEXT PRIMARY KEY, v) WITHOUT ROWID;"
    "INSERT INTO kv VALUES ('a', 1), ('b', 2), ('c', 3);"
    "CREATE TABLE shadow(rowid TEXT, v INTEGER);"
    "INSERT INTO shadow VALUES ('x', 1), ('y', 2), ('z', 3);"
    "CREATE TABLE empty(a INTEGER, b TEXT);";

static int group_setup(void **state)
{
    (void)state;
    g_dir = ts_mkdtemp();
    if (!g_dir) return -1;
    g_wh = ts_path(g_dir, "warehouse.db");
    return ts_sql_exec(g_wh, FIXTURE);
}

static int group_teardown(void **state)
{
    (void)state;
    ts_rmtree(g_dir);
    free(g_dir);
    free(g_wh);
    return 0;
}

/* ---------------------------------------------------------------- helpers */

typedef VEC(int64_t) i64vec;

/* The first column of every row of sql on the warehouse, as integers. */
static i64vec ref_ids(const char *sql)
{
    i64vec v = {0};
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(g_wh, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    while (sqlite3_step(st) == SQLITE_ROW) VEC_PUSH(&v, sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static int64_t ref_int(const char *sql)
{
    return ts_sql_int(g_wh, sql, -1);
}

static gm *open_table(const char *t)
{
    gm *g = NULL;
    char *err = NULL;
    if (gm_open_table(g_wh, t, NULL, NULL, &g, &err)) fail_msg("open %s: %s", t, err);
    return g;
}

static gm_page *fetch(gm *g, const gm_opts *o, gm_dir dir, const gm_key *k, int n)
{
    gm_req r = {dir, {0, NULL}, 0, n};
    if (k) r.key = *k;
    gm_page *p = NULL;
    char *err = NULL;
    if (gm_fetch(g, o, &r, &p, &err)) fail_msg("fetch: %s", err);
    return p;
}

/* The page after (or before) p's last (first) row. */
static gm_page *next_page(gm *g, const gm_opts *o, const gm_page *p, bool after, int n)
{
    gm_key k = gm_page_key(p, after ? p->nrows - 1 : 0);
    gm_page *q = fetch(g, o, after ? GM_AFTER : GM_BEFORE, &k, n);
    gm_key_free(&k);
    return q;
}

static void assert_rows(const gm_page *p, const int64_t *want, int n)
{
    assert_int_equal(p->nrows, n);
    for (int i = 0; i < n; i++)
        if (p->rows[i].rowid != want[i])
            fail_msg("row %d: rowid %lld, want %lld", i, (long long)p->rows[i].rowid,
                     (long long)want[i]);
}

/* Every row in order, walking pages of n forward from the first and
 * backward from the last; both must equal ref. */
static void walk_both_ways(gm *g, const gm_opts *o, int n, const i64vec *ref)
{
    i64vec fwd = {0}, bwd = {0};
    gm_page *p = fetch(g, o, GM_FIRST, NULL, n);
    assert_true(p->at_start);
    assert_int_equal(p->pos, 0);
    int pages = 0;
    for (;;) {
        for (int i = 0; i < p->nrows; i++) VEC_PUSH(&fwd, p->rows[i].rowid);
        if (p->at_end || p->nrows == 0) break;
        gm_page *q = next_page(g, o, p, true, n);
        assert_false(q->at_start);
        gm_page_free(p);
        p = q;
        assert_true(++pages < 100000);
    }
    assert_int_equal(p->after, 0);
    gm_page_free(p);

    p = fetch(g, o, GM_LAST, NULL, n);
    assert_true(p->at_end);
    for (;;) {
        for (int i = p->nrows - 1; i >= 0; i--) VEC_PUSH(&bwd, p->rows[i].rowid);
        if (p->at_start || p->nrows == 0) break;
        gm_page *q = next_page(g, o, p, false, n);
        gm_page_free(p);
        p = q;
    }
    assert_int_equal(p->pos, 0);
    gm_page_free(p);

    assert_int_equal(fwd.n, ref->n);
    assert_int_equal(bwd.n, ref->n);
    for (size_t i = 0; i < ref->n; i++) {
        if (fwd.v[i] != ref->v[i])
            fail_msg("forward row %zu: rowid %lld, want %lld", i, (long long)fwd.v[i],
                     (long long)ref->v[i]);
        if (bwd.v[ref->n - 1 - i] != ref->v[i])
            fail_msg("backward row %zu: rowid %lld, want %lld", i,
                     (long long)bwd.v[ref->n - 1 - i], (long long)ref->v[i]);
    }
    VEC_FREE(&fwd);
    VEC_FREE(&bwd);
}

static const char *cell(const gm_page *p, int row, int col)
{
    return p->rows[row].cells[col].text;
}

/* ---------------------------------------------------------------- paging */

static void test_paging_by_rowid(void **state)
{
    (void)state;
    gm *g = open_table("big");
    assert_string_equal(gm_name(g), "big");
    assert_false(gm_is_query(g));
    i64vec ref = ref_ids("SELECT rowid FROM big ORDER BY rowid");
    assert_int_equal(ref.n, BIG_ROWS - BIG_GAPS);
    gm_opts o = {0};

    /* home */
    gm_page *p = fetch(g, &o, GM_FIRST, NULL, 100);
    assert_rows(p, ref.v, 100);
    assert_true(p->at_start);
    assert_false(p->at_end);
    assert_int_equal(p->pos, 0);
    assert_int_equal(p->after, -1);
    assert_int_equal(p->ncols, 6);
    assert_string_equal(p->cols[0], "id");
    assert_string_equal(p->decl[3], "REAL");
    assert_string_equal(cell(p, 0, 2), "name1");
    assert_string_equal(cell(p, 1, 3), "0.5");
    assert_int_equal(p->rows[1].cells[3].type, GM_REAL);
    assert_int_equal(p->rows[0].cells[0].type, GM_INT);
    assert_int_equal(p->rows[0].cells[5].type, GM_NULL);
    assert_null(cell(p, 0, 5));
    assert_int_equal(p->rid_min, ref.v[0]);
    assert_int_equal(p->rid_max, ref.v[ref.n - 1]);

    /* forward, and back again */
    gm_page *q = next_page(g, &o, p, true, 100);
    assert_rows(q, ref.v + 100, 100);
    assert_false(q->at_start);
    gm_page *back = next_page(g, &o, q, false, 100);
    assert_rows(back, ref.v, 100);
    assert_true(back->at_start);
    assert_int_equal(back->pos, 0);
    gm_page_free(back);
    gm_page_free(q);
    gm_page_free(p);

    /* end, then up */
    p = fetch(g, &o, GM_LAST, NULL, 100);
    assert_rows(p, ref.v + ref.n - 100, 100);
    assert_true(p->at_end);
    assert_false(p->at_start);
    assert_int_equal(p->after, 0);
    q = next_page(g, &o, p, false, 100);
    assert_rows(q, ref.v + ref.n - 200, 100);
    gm_page *fwd = next_page(g, &o, q, true, 100);
    assert_rows(fwd, ref.v + ref.n - 100, 100);
    assert_true(fwd->at_end);
    gm_page_free(fwd);
    gm_page_free(q);

    /* past the end there is nothing, and the page says so */
    q = next_page(g, &o, p, true, 100);
    assert_int_equal(q->nrows, 0);
    assert_true(q->at_end);
    gm_page_free(q);
    gm_page_free(p);

    /* from a key, the key's row included (a deleted rowid starts after it) */
    gm_key k = {5000, NULL};
    p = fetch(g, &o, GM_FROM, &k, 10);
    assert_int_equal(p->rows[0].rowid, 5000);
    gm_page_free(p);
    k.rowid = 7007; /* deleted */
    p = fetch(g, &o, GM_FROM, &k, 10);
    assert_int_equal(p->rows[0].rowid, 7008);
    gm_page_free(p);

    /* an exact page count still finds the end */
    p = fetch(g, &o, GM_FIRST, NULL, (int)ref.n);
    assert_true(p->at_start && p->at_end);
    assert_int_equal(p->nrows, ref.n);
    gm_page_free(p);

    walk_both_ways(g, &o, 997, &ref);
    VEC_FREE(&ref);
    gm_free(g);
}

static void test_fraction_and_position(void **state)
{
    (void)state;
    gm *g = open_table("big");
    gm_opts o = {0};
    int64_t total = ref_int("SELECT count(*) FROM big");
    gm_req r = {GM_FRACTION, {0, NULL}, 0.5, 50};
    gm_page *p = NULL;
    char *err = NULL;
    assert_int_equal(gm_fetch(g, &o, &r, &p, &err), 0);
    assert_int_equal(p->nrows, 50);
    assert_true(p->rows[0].rowid >= 99990 && p->rows[0].rowid <= 100010);
    assert_int_equal(p->pos, -1);
    int64_t pos;
    bool exact;
    assert_false(gm_page_position(p, 0, -1, &pos, &exact)); /* no total yet */
    assert_true(gm_page_position(p, 0, total, &pos, &exact));
    assert_false(exact);
    int64_t real = ref_int("SELECT count(*) FROM big WHERE rowid < 100000");
    assert_true(pos > real - 500 && pos < real + 500);
    gm_page_free(p);

    /* near the end: the last full page */
    r.frac = 0.99999;
    assert_int_equal(gm_fetch(g, &o, &r, &p, &err), 0);
    assert_int_equal(p->nrows, 50);
    assert_true(p->at_end);
    assert_true(gm_page_position(p, 0, total, &pos, &exact));
    assert_true(exact);
    assert_int_equal(pos, total - 50);
    gm_page_free(p);

    /* sorted pages cannot jump by rowid */
    gm_opts so = {"grp", false, NULL};
    r.frac = 0.5;
    assert_int_equal(gm_fetch(g, &so, &r, &p, &err), -1);
    assert_non_null(strstr(err, "rowid"));
    free(err);
    gm_free(g);
}

static void test_sorted_walks(void **state)
{
    (void)state;
    gm *g = open_table("dups");
    static const struct {
        const char *col, *filter;
        bool desc;
    } cases[] = {
        {"k", NULL, false},  {"k", NULL, true},  {"g", NULL, false},   {"g", NULL, true},
        {"t", NULL, false},  {"t", NULL, true},  {"n", NULL, false},   {"n", NULL, true},
        {"g", "t IS NOT NULL AND g > 2", false}, {"k", "typeof(k) != 'blob'", true},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        const char *dir = cases[i].desc ? " DESC" : "";
        char *sql = xasprintf("SELECT rowid FROM dups%s%s ORDER BY \"%s\"%s, rowid%s",
                              cases[i].filter ? " WHERE " : "",
                              cases[i].filter ? cases[i].filter : "", cases[i].col, dir, dir);
        i64vec ref = ref_ids(sql);
        free(sql);
        assert_true(ref.n > 500);
        gm_opts o = {cases[i].col, cases[i].desc, cases[i].filter};
        walk_both_ways(g, &o, i < 2 ? 257 : 1009, &ref);
        /* pages of one row cross every duplicate and NULL boundary */
        if (i < 2) {
            i64vec few = {0};
            for (size_t k = 0; k < 300; k++) VEC_PUSH(&few, ref.v[k]);
            gm_page *p = fetch(g, &o, GM_FIRST, NULL, 1);
            for (size_t k = 1; k < few.n; k++) {
                gm_page *q = next_page(g, &o, p, true, 1);
                gm_page_free(p);
                p = q;
                assert_int_equal(p->rows[0].rowid, few.v[k]);
            }
            gm_page_free(p);
            VEC_FREE(&few);
        }
        VEC_FREE(&ref);
    }
    gm_free(g);

    /* through an index, both ways */
    g = open_table("idx");
    for (int desc = 0; desc < 2; desc++) {
        i64vec ref = ref_ids(desc ? "SELECT rowid FROM idx ORDER BY v DESC, rowid DESC"
                                  : "SELECT rowid FROM idx ORDER BY v, rowid");
        gm_opts o = {"v", desc, NULL};
        walk_both_ways(g, &o, 500, &ref);
        VEC_FREE(&ref);
    }
    gm_free(g);
}

static void test_sorted_big(void **state)
{
    (void)state;
    gm *g = open_table("big");
    gm_opts o = {"grp", true, NULL};
    i64vec ref = ref_ids("SELECT rowid FROM big ORDER BY grp DESC, rowid DESC");
    walk_both_ways(g, &o, 25000, &ref);
    VEC_FREE(&ref);

    /* the sort keys travel with the rows, and FROM a key starts on it */
    gm_page *p = fetch(g, &o, GM_FIRST, NULL, 10);
    assert_non_null(p->rows[0].key);
    assert_int_equal(sqlite3_value_int64(p->rows[0].key), 49);
    assert_string_equal(p->sort, "grp");
    assert_true(p->desc);
    gm_key k = gm_page_key(p, 5);
    gm_page *q = fetch(g, &o, GM_FROM, &k, 3);
    assert_int_equal(q->rows[0].rowid, p->rows[5].rowid);
    gm_key_free(&k);
    gm_page_free(q);
    gm_page_free(p);

    /* NULLs come last when descending: the last page is all NULL */
    p = fetch(g, &o, GM_LAST, NULL, 5);
    for (int i = 0; i < p->nrows; i++) assert_int_equal(p->rows[i].cells[1].type, GM_NULL);
    assert_int_equal(p->rows[4].rowid, ref_int("SELECT min(rowid) FROM big WHERE grp IS NULL"));
    gm_page_free(p);
    gm_free(g);
}

/* ---------------------------------------------------------------- filters */

static void test_filter(void **state)
{
    (void)state;
    gm *g = open_table("big");
    const char *f = "amount > 100 AND city = 'Oslo'";
    i64vec ref = ref_ids("SELECT rowid FROM big WHERE amount > 100 AND city = 'Oslo' "
                         "ORDER BY rowid");
    gm_opts o = {NULL, false, f};
    walk_both_ways(g, &o, 1000, &ref);
    gm_page *p = fetch(g, &o, GM_FIRST, NULL, 10);
    assert_string_equal(p->filter, f);
    for (int i = 0; i < p->nrows; i++) assert_string_equal(cell(p, i, 4), "Oslo");
    gm_page_free(p);
    VEC_FREE(&ref);

    /* a trailing comment ends at the line; blank filters are none */
    gm_opts oc = {NULL, false, "city = 'Bergen' -- only Bergen"};
    p = fetch(g, &oc, GM_FIRST, NULL, 3);
    assert_string_equal(cell(p, 0, 4), "Bergen");
    gm_page_free(p);
    gm_opts ob = {NULL, false, "   "};
    p = fetch(g, &ob, GM_FIRST, NULL, 3);
    assert_null(p->filter);
    assert_int_equal(p->rows[0].rowid, 1);
    gm_page_free(p);

    /* a filter that matches nothing */
    gm_opts on = {NULL, false, "id < 0"};
    p = fetch(g, &on, GM_LAST, NULL, 3);
    assert_int_equal(p->nrows, 0);
    assert_true(p->at_start && p->at_end);
    gm_page_free(p);

    /* bad filters fail with SQLite's message */
    static const struct {
        const char *filter, *msg;
    } bad[] = {
        {"nosuch > 1", "no such column: nosuch"},
        {"amount >", "syntax error"},
        {"1; DROP TABLE big", "syntax error"},
        {"amount > ?", "parameters"},
        {"amount > :x", "parameters"},
        {"1) OR (", "syntax error"},
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        gm_opts ox = {NULL, false, bad[i].filter};
        gm_req r = {GM_FIRST, {0, NULL}, 0, 10};
        char *err = NULL;
        gm_page *x = NULL;
        assert_int_equal(gm_fetch(g, &ox, &r, &x, &err), -1);
        assert_null(x);
        if (!strstr(err, bad[i].msg)) fail_msg("filter %s: %s", bad[i].filter, err);
        free(err);
    }
    /* and the model still pages as before */
    p = fetch(g, &o, GM_FIRST, NULL, 1);
    assert_string_equal(cell(p, 0, 4), "Oslo");
    gm_page_free(p);
    assert_int_equal(ref_int("SELECT count(*) FROM big"), BIG_ROWS - BIG_GAPS);

    /* a bad sort column too */
    gm_opts os = {"nosuch", false, NULL};
    gm_req r = {GM_FIRST, {0, NULL}, 0, 10};
    char *err = NULL;
    assert_int_equal(gm_fetch(g, &os, &r, &p, &err), -1);
    assert_non_null(strstr(err, "no such column"));
    free(err);
    gm_free(g);
}

/* ---------------------------------------------------------------- counting */

static void test_count(void **state)
{
    (void)state;
    gm *g = open_table("big");
    gm_count c;
    gm_count_init(&c, NULL);
    int steps = 0, rc;
    char *err = NULL;
    while ((rc = gm_count_step(g, &c, 0.05, &err)) == 0) steps++;
    assert_int_equal(rc, 1);
    assert_true(steps > 1); /* it did come back between ranges */
    assert_int_equal(c.total, BIG_ROWS - BIG_GAPS);
    assert_int_equal(gm_count_step(g, &c, 10, &err), 1);
    gm_count_free(&c);

    gm_count_init(&c, "city = 'Oslo' AND grp IS NULL");
    while ((rc = gm_count_step(g, &c, 20, &err)) == 0) {}
    assert_int_equal(rc, 1);
    assert_int_equal(c.total, ref_int("SELECT count(*) FROM big WHERE city = 'Oslo' AND grp "
                                      "IS NULL"));
    gm_count_free(&c);

    gm_count_init(&c, "nosuch = 1");
    assert_int_equal(gm_count_step(g, &c, 20, &err), -1);
    assert_non_null(strstr(err, "no such column"));
    free(err);
    gm_count_free(&c);
    gm_free(g);

    g = open_table("empty");
    gm_count_init(&c, NULL);
    assert_int_equal(gm_count_step(g, &c, 20, &err), 1);
    assert_int_equal(c.total, 0);
    gm_count_free(&c);
    gm_opts o = {0};
    gm_page *p = fetch(g, &o, GM_FIRST, NULL, 10);
    assert_int_equal(p->nrows, 0);
    assert_true(p->at_start && p->at_end);
    assert_int_equal(p->ncols, 2);
    gm_page_free(p);
    gm_free(g);
}

/* ---------------------------------------------------------------- queries */

static int cancel_after(void *ctx, int64_t rows)
{
    int64_t *limit = ctx;
    return rows >= *limit;
}

static void test_query(void **state)
{
    (void)state;
    gm *g = NULL;
    char *err = NULL;
    assert_int_equal(gm_open_query(g_wh,
                                   "SELECT city, count(*) AS n, sum(amount) FROM big "
                                   "GROUP BY city ORDER BY n DESC, city;",
                                   NULL, NULL, &g, &err),
                     0);
    assert_true(gm_is_query(g));
    assert_string_equal(gm_name(g), "query");
    assert_int_equal(gm_query_rows(g), 3);
    gm_opts o = {0};
    gm_page *p = fetch(g, &o, GM_FIRST, NULL, 10);
    assert_int_equal(p->nrows, 3);
    assert_int_equal(p->ncols, 3);
    assert_string_equal(p->cols[1], "n");
    assert_string_equal(p->cols[2], "sum(amount)");
    assert_true(p->at_start && p->at_end);
    int64_t bergen = ref_int("SELECT count(*) FROM big WHERE city = 'Bergen'");
    char want[32];
    snprintf(want, sizeof want, "%lld", (long long)bergen);
    assert_string_equal(cell(p, 0, 0), "Bergen");
    assert_string_equal(cell(p, 0, 1), want);
    gm_page_free(p);
    /* a filter and a sort on the result, by its column names */
    gm_opts of = {"n", false, "city != 'Oslo'"};
    p = fetch(g, &of, GM_FIRST, NULL, 10);
    assert_int_equal(p->nrows, 2);
    assert_true(!strcmp(cell(p, 0, 0), "Tromsø") || !strcmp(cell(p, 0, 0), "Bergen"));
    gm_page_free(p);
    gm_free(g);

    /* a big result pages like a table, in the query's order */
    assert_int_equal(gm_open_query(g_wh,
                                   "WITH x AS (SELECT id, name FROM big WHERE id % 4 = 0) "
                                   "SELECT id, id, name FROM x ORDER BY id DESC",
                                   NULL, NULL, &g, &err),
                     0);
    i64vec ref = ref_ids("SELECT id FROM big WHERE id % 4 = 0 ORDER BY id DESC");
    assert_int_equal(gm_query_rows(g), ref.n);
    p = fetch(g, &o, GM_FIRST, NULL, 5);
    assert_string_equal(p->cols[0], "id");
    assert_string_equal(p->cols[1], "id:1");
    gm_page_free(p);
    i64vec seq = {0};
    for (size_t i = 0; i < ref.n; i++) VEC_PUSH(&seq, (int64_t)i + 1);
    walk_both_ways(g, &o, 4096, &seq);
    p = fetch(g, &o, GM_LAST, NULL, 2);
    snprintf(want, sizeof want, "%lld", (long long)ref.v[ref.n - 1]);
    assert_string_equal(cell(p, 1, 0), want);
    gm_page_free(p);
    VEC_FREE(&seq);
    VEC_FREE(&ref);
    gm_free(g);

    /* VALUES and unqualified or wh. names */
    assert_int_equal(gm_open_query(g_wh, "VALUES (1, 'a'), (2, NULL)", NULL, NULL, &g, &err), 0);
    p = fetch(g, &o, GM_FIRST, NULL, 5);
    assert_int_equal(p->nrows, 2);
    assert_int_equal(p->rows[1].cells[1].type, GM_NULL);
    gm_page_free(p);
    gm_free(g);
    assert_int_equal(gm_open_query(g_wh, "SELECT count(*) FROM wh.small", NULL, NULL, &g, &err),
                     0);
    gm_free(g);

    /* refused */
    static const struct {
        const char *sql, *msg;
    } bad[] = {
        {"DELETE FROM big", "read-only"},
        {"UPDATE small SET n = 0", "read-only"},
        {"CREATE TABLE t(a)", "read-only"},
        {"INSERT INTO wh.small VALUES (9, 'z')", "read-only"},
        {"ATTACH 'x.db' AS x", "not authorized"},
        {"DETACH wh", "not authorized"},
        {"SELECT 1; SELECT 2", "one statement"},
        {"BEGIN", "no rows"},
        {"  -- nothing\n ", "empty"},
        {"SELECT nosuch FROM big", "no such column"},
        {"SELECT * FROM nosuch", "no such table"},
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        g = NULL;
        assert_int_equal(gm_open_query(g_wh, bad[i].sql, NULL, NULL, &g, &err), -1);
        assert_null(g);
        if (!strstr(err, bad[i].msg)) fail_msg("%s: %s", bad[i].sql, err);
        free(err);
    }
    assert_int_equal(ref_int("SELECT count(*) FROM small"), 3);

    /* canceled while it runs */
    int64_t limit = 5000;
    assert_int_equal(gm_open_query(g_wh, "SELECT * FROM big", cancel_after, &limit, &g, &err),
                     -1);
    assert_string_equal(err, "canceled");
    free(err);
    /* and a missing warehouse */
    assert_int_equal(gm_open_query("/nonexistent/wh.db", "SELECT 1", NULL, NULL, &g, &err), -1);
    free(err);
}

static void test_views_and_rowids(void **state)
{
    (void)state;
    gm_opts o = {0};
    /* a view is materialized like a query but keeps its name */
    gm *g = open_table("v_small");
    assert_true(gm_is_query(g));
    assert_string_equal(gm_name(g), "v_small");
    gm_page *p = fetch(g, &o, GM_FIRST, NULL, 10);
    assert_int_equal(p->nrows, 3);
    assert_string_equal(p->cols[0], "tens");
    assert_string_equal(cell(p, 0, 0), "30");
    gm_page_free(p);
    gm_free(g);

    g = open_table("kv");
    p = fetch(g, &o, GM_LAST, NULL, 1);
    assert_string_equal(cell(p, 0, 0), "c");
    gm_page_free(p);
    gm_free(g);

    /* a column named rowid: paged by _rowid_, and the column shows */
    g = open_table("shadow");
    assert_false(gm_is_query(g));
    p = fetch(g, &o, GM_FIRST, NULL, 2);
    assert_int_equal(p->rows[0].rowid, 1);
    assert_string_equal(p->cols[0], "rowid");
    assert_string_equal(cell(p, 0, 0), "x");
    gm_page *q = next_page(g, &o, p, true, 2);
    assert_int_equal(q->nrows, 1);
    assert_string_equal(cell(q, 0, 0), "z");
    gm_page_free(q);
    gm_page_free(p);
    gm_opts so = {"rowid", true, NULL};
    p = fetch(g, &so, GM_FIRST, NULL, 3);
    assert_string_equal(cell(p, 0, 0), "z");
    gm_page_free(p);
    gm_free(g);

    /* missing table, missing file */
    char *err = NULL;
    assert_int_equal(gm_open_table(g_wh, "nosuch", NULL, NULL, &g, &err), -1);
    assert_non_null(strstr(err, "no such table"));
    free(err);
    assert_int_equal(gm_open_table("/nonexistent/wh.db", "big", NULL, NULL, &g, &err), -1);
    free(err);
}

/* ---------------------------------------------------------------- windows */

static void test_merge_window(void **state)
{
    (void)state;
    gm *g = open_table("big");
    gm_opts o = {0};
    i64vec ref = ref_ids("SELECT rowid FROM big ORDER BY rowid");
    gm_page *w = fetch(g, &o, GM_FIRST, NULL, 100);

    /* append: within the limit nothing drops */
    int added = -1;
    gm_page *p = next_page(g, &o, w, true, 100);
    assert_int_equal(gm_page_merge(w, p, true, 1000, 0, 20, &added), 0);
    assert_int_equal(added, 0);
    assert_rows(w, ref.v, 200);
    assert_int_equal(w->pos, 0);
    assert_true(w->at_start);

    /* over the limit: rows drop from the front, never the kept ones */
    p = next_page(g, &o, w, true, 100);
    assert_int_equal(gm_page_merge(w, p, true, 250, 150, 180, &added), 50);
    assert_rows(w, ref.v + 50, 250);
    assert_int_equal(w->pos, 50);
    assert_false(w->at_start);
    p = next_page(g, &o, w, true, 100);
    assert_int_equal(gm_page_merge(w, p, true, 250, 20, 40, &added), 20);
    assert_rows(w, ref.v + 70, 330);
    assert_int_equal(w->pos, 70);

    /* prepend: rows drop from the back */
    p = next_page(g, &o, w, false, 70);
    assert_true(p->at_start);
    assert_int_equal(gm_page_merge(w, p, false, 300, 0, 100, &added), 0);
    assert_int_equal(added, 70);
    assert_rows(w, ref.v, 300);
    assert_true(w->at_start);
    assert_int_equal(w->pos, 0);
    assert_false(w->at_end);
    int64_t pos;
    bool exact;
    assert_true(gm_page_position(w, 10, -1, &pos, &exact));
    assert_true(exact);
    assert_int_equal(pos, 10);
    gm_page_free(w);

    /* from the end: positions count from it once the total is known */
    w = fetch(g, &o, GM_LAST, NULL, 100);
    p = next_page(g, &o, w, false, 100);
    assert_int_equal(gm_page_merge(w, p, false, 1000, 0, 100, &added), 0);
    assert_int_equal(w->after, 0);
    assert_int_equal(w->pos, -1);
    assert_true(gm_page_position(w, 0, (int64_t)ref.n, &pos, &exact));
    assert_true(exact);
    assert_int_equal(pos, (int64_t)ref.n - 200);
    assert_rows(w, ref.v + ref.n - 200, 200);

    /* pages with other columns do not merge */
    gm *g2 = open_table("small");
    gm_page *other = fetch(g2, &o, GM_FIRST, NULL, 5);
    assert_int_equal(gm_page_merge(w, other, true, 1000, 0, 10, &added), -1);
    gm_page_free(other);
    gm_free(g2);
    gm_page_free(w);
    VEC_FREE(&ref);
    gm_free(g);
}

/* ---------------------------------------------------------------- widths */

static void test_widths(void **state)
{
    (void)state;
    gm *g = open_table("big");
    gm_opts o = {0};
    gm_key k = {5000, NULL};
    gm_page *p = fetch(g, &o, GM_FROM, &k, 3);
    int w[6];
    gm_page_widths(p, GM_WIDTH_CAP, NULL, w);
    assert_int_equal(w[0], 4);  /* "5000" */
    assert_int_equal(w[1], 3);  /* header "grp" over "0" and "1" */
    assert_int_equal(w[2], 8);  /* "name5000" */
    assert_int_equal(w[3], 6);  /* header "amount" over "0.0" */
    assert_int_equal(w[4], 6);  /* "Tromsø": 6 columns, 7 bytes */
    assert_int_equal(w[5], 40); /* a 600-character note, capped */
    assert_true(p->rows[0].cells[5].cut);
    assert_int_equal(strlen(cell(p, 0, 5)), GM_CELL_BYTES);
    assert_int_equal(p->rows[1].cells[5].type, GM_NULL);
    gm_page_widths(p, 5, NULL, w);
    assert_int_equal(w[2], 5);
    assert_true(gm_page_numeric(p, 0));  /* INTEGER */
    assert_true(gm_page_numeric(p, 3));  /* REAL */
    assert_false(gm_page_numeric(p, 2)); /* TEXT */
    gm_page_free(p);

    /* a sort marker widens its header; an all-NULL column is 1 wide */
    gm_opts so = {"grp", false, "grp IS NULL"};
    p = fetch(g, &so, GM_FIRST, NULL, 3);
    gm_page_widths(p, GM_WIDTH_CAP, NULL, w);
    assert_int_equal(w[1], 5);
    assert_int_equal(w[5], 4); /* "note" */
    assert_true(gm_page_numeric(p, 1));  /* only NULLs: as declared (INTEGER) */
    assert_false(gm_page_numeric(p, 5)); /* only NULLs, TEXT */
    gm_page_free(p);
    gm_free(g);

    /* text in a NUMERIC column (a TIMESTAMP of text, say) is text */
    g = open_table("dups");
    p = fetch(g, &o, GM_FIRST, NULL, 20);
    assert_false(gm_page_numeric(p, 3));
    gm_page_free(p);
    gm_opts nums = {NULL, false, "typeof(n) = 'integer'"};
    p = fetch(g, &nums, GM_FIRST, NULL, 20);
    assert_true(gm_page_numeric(p, 3));
    gm_page_free(p);
    gm_free(g);

    /* untyped columns align by their values */
    g = NULL;
    char *err = NULL;
    assert_int_equal(gm_open_query(g_wh, "SELECT 1 + 1, 'x', NULL, 2.5, CAST(NULL AS INT) "
                                         "UNION ALL SELECT 3, 'y', NULL, 'z', 4",
                                   NULL, NULL, &g, &err),
                     0);
    p = fetch(g, &o, GM_FIRST, NULL, 10);
    assert_true(gm_page_numeric(p, 0));
    assert_false(gm_page_numeric(p, 1));
    assert_false(gm_page_numeric(p, 2)); /* no values at all */
    assert_false(gm_page_numeric(p, 3)); /* mixed */
    assert_true(gm_page_numeric(p, 4));
    gm_page_free(p);
    gm_free(g);

    assert_int_equal(gm_text_width("abc", 3), 3);
    assert_int_equal(gm_text_width("Tromsø", strlen("Tromsø")), 6);
    assert_int_equal(gm_text_width("日本語", strlen("日本語")), 6);
    assert_int_equal(gm_text_width("e\xcc\x81", 3), 1); /* e + combining acute */
    assert_int_equal(gm_text_width("\xff\xfe", 2), 2); /* invalid bytes count 1 */
    char buf[32];
    assert_string_equal(gm_fmt_int(0, buf), "0");
    assert_string_equal(gm_fmt_int(999, buf), "999");
    assert_string_equal(gm_fmt_int(1000, buf), "1,000");
    assert_string_equal(gm_fmt_int(10000000, buf), "10,000,000");
    assert_string_equal(gm_fmt_int(-1234567, buf), "-1,234,567");
}

/* ---------------------------------------------------------------- profiles */

static void test_profile(void **state)
{
    (void)state;
    gm *g = open_table("prof");
    gm_profile p;
    char *err = NULL;

    /* integers 1..100 and 5 NULLs: ten buckets of ten */
    assert_int_equal(gm_profile_column(g, "n", NULL, &p, &err), 0);
    assert_string_equal(p.decl, "INTEGER");
    assert_int_equal(p.rows, 105);
    assert_int_equal(p.nulls, 5);
    assert_int_equal(p.n_int, 100);
    assert_int_equal(p.n_real, 0);
    assert_int_equal(p.distinct, 100);
    assert_string_equal(p.min, "1");
    assert_string_equal(p.max, "100");
    assert_true(p.numeric);
    assert_int_equal(p.nbuckets, 10);
    for (int i = 0; i < 10; i++) assert_int_equal(p.buckets[i].count, 10);
    assert_string_equal(p.buckets[0].label, "1–10");
    assert_string_equal(p.buckets[9].label, "91–100");
    char *text = gm_profile_text(&p);
    assert_non_null(strstr(text, "nulls     5 (4.8%)"));
    assert_non_null(strstr(text, "distinct  100"));
    assert_non_null(strstr(text, "██████████"));
    assert_non_null(strstr(text, "████████")); /* the sparkline, all full */
    free(text);
    gm_profile_free(&p);

    /* under a filter, few integers get a bucket each */
    assert_int_equal(gm_profile_column(g, "n", "n <= 4 OR n = 100", &p, &err), 0);
    assert_int_equal(p.rows, 5);
    assert_int_equal(p.nulls, 0);
    assert_int_equal(p.nbuckets, 10); /* 1..100 in ten buckets */
    assert_int_equal(p.buckets[0].count, 4);
    assert_int_equal(p.buckets[9].count, 1);
    for (int i = 1; i < 9; i++) assert_int_equal(p.buckets[i].count, 0);
    text = gm_profile_text(&p);
    assert_non_null(strstr(text, "\n  █        ▃\n")); /* the sparkline */
    free(text);
    gm_profile_free(&p);
    assert_int_equal(gm_profile_column(g, "n", "n BETWEEN 3 AND 6", &p, &err), 0);
    assert_int_equal(p.nbuckets, 4);
    for (int i = 0; i < 4; i++) assert_int_equal(p.buckets[i].count, 1);
    assert_string_equal(p.buckets[0].label, "3");
    assert_string_equal(p.buckets[3].label, "6");
    gm_profile_free(&p);

    /* reals 0.0..9.9: ten buckets of ten, the maximum in the last */
    assert_int_equal(gm_profile_column(g, "r", NULL, &p, &err), 0);
    assert_int_equal(p.n_real, 100);
    assert_string_equal(p.min, "0.0");
    assert_string_equal(p.max, "9.9");
    assert_int_equal(p.nbuckets, 10);
    int64_t sum = 0;
    for (int i = 0; i < 10; i++) sum += p.buckets[i].count;
    assert_int_equal(sum, 100);
    assert_true(p.buckets[9].count >= 9 && p.buckets[9].count <= 11);
    assert_string_equal(p.buckets[0].label, "[0, 0.99)");
    assert_string_equal(p.buckets[9].label, "[8.91, 9.9]");
    gm_profile_free(&p);

    /* text: the top values */
    assert_int_equal(gm_profile_column(g, "t", NULL, &p, &err), 0);
    assert_false(p.numeric);
    assert_int_equal(p.n_text, 100);
    assert_int_equal(p.distinct, 3);
    assert_string_equal(p.min, "a");
    assert_string_equal(p.max, "c");
    assert_int_equal(p.nbuckets, 3);
    assert_string_equal(p.buckets[0].label, "a");
    assert_int_equal(p.buckets[0].count, 50);
    assert_string_equal(p.buckets[1].label, "b");
    assert_int_equal(p.buckets[1].count, 30);
    assert_int_equal(p.buckets[2].count, 20);
    text = gm_profile_text(&p);
    assert_non_null(strstr(text, "most frequent values"));
    assert_non_null(strstr(text, "  a            50  ██████████████████████████████\n"));
    free(text);
    gm_profile_free(&p);

    /* blobs and a column of one value */
    assert_int_equal(gm_profile_column(g, "b", NULL, &p, &err), 0);
    assert_int_equal(p.n_blob, 100);
    assert_int_equal(strncmp(p.min, "x'", 2), 0);
    gm_profile_free(&p);
    assert_int_equal(gm_profile_column(g, "n", "n = 7", &p, &err), 0);
    assert_int_equal(p.nbuckets, 1);
    assert_int_equal(p.buckets[0].count, 1);
    gm_profile_free(&p);
    /* nothing but NULLs */
    assert_int_equal(gm_profile_column(g, "n", "n IS NULL", &p, &err), 0);
    assert_int_equal(p.nulls, 5);
    assert_null(p.min);
    assert_int_equal(p.nbuckets, 0);
    text = gm_profile_text(&p);
    assert_non_null(strstr(text, "min       ∅"));
    free(text);
    gm_profile_free(&p);

    assert_int_equal(gm_profile_column(g, "nosuch", NULL, &p, &err), -1);
    free(err);
    assert_int_equal(gm_profile_column(g, "n", "bad >", &p, &err), -1);
    free(err);
    gm_free(g);

    /* on the big table, with the mixed numbers of dups */
    g = open_table("big");
    assert_int_equal(gm_profile_column(g, "grp", NULL, &p, &err), 0);
    assert_int_equal(p.nulls, ref_int("SELECT count(*) FROM big WHERE grp IS NULL"));
    assert_int_equal(p.distinct, 50);
    int64_t total = 0;
    for (int i = 0; i < p.nbuckets; i++) total += p.buckets[i].count;
    assert_int_equal(total, p.rows - p.nulls);
    gm_profile_free(&p);
    gm_free(g);
}

/* ---------------------------------------------------------------- details */

static void test_detail(void **state)
{
    (void)state;
    gm *g = open_table("prof");
    char *text = NULL, *err = NULL;
    assert_int_equal(gm_detail(g, 3, "j", &text, &err), 0);
    assert_string_equal(text, "{\n"
                              "  \"id\": 3,\n"
                              "  \"tags\": [\n"
                              "    \"x\",\n"
                              "    \"y\"\n"
                              "  ],\n"
                              "  \"big\": 12345678901234567890\n"
                              "}");
    free(text);
    assert_int_equal(gm_detail(g, 3, "n", &text, &err), 0);
    assert_string_equal(text, "3");
    free(text);
    assert_int_equal(gm_detail(g, 101, "n", &text, &err), 0);
    assert_string_equal(text, "NULL");
    free(text);
    assert_int_equal(gm_detail(g, 1, "b", &text, &err), 0);
    assert_non_null(strstr(text, "blob, 40 bytes"));
    assert_non_null(strstr(text, "00000020 "));
    free(text);
    assert_int_equal(gm_detail(g, 999, "n", &text, &err), -1);
    assert_non_null(strstr(err, "gone"));
    free(err);
    gm_free(g);

    /* a long value comes back whole */
    g = open_table("big");
    assert_int_equal(gm_detail(g, 5000, "note", &text, &err), 0);
    assert_int_equal(strlen(text), 600);
    free(text);
    gm_free(g);

    static const struct {
        const char *in, *out;
    } cases[] = {
        {"plain text", "plain text"},
        {"[1, 2", "[1, 2"},                     /* not JSON: as it is */
        {"{\"a\" : {}, \"b\": [ ]}", "{\n  \"a\": {},\n  \"b\": []\n}"},
        {" [\"a,b:{\", \"q\\\"}\"]", "[\n  \"a,b:{\",\n  \"q\\\"}\"\n]"},
        {"\"just a string\"", "\"just a string\""},
        {"42", "42"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char *s = gm_detail_format(GM_TEXT, cases[i].in, strlen(cases[i].in));
        assert_string_equal(s, cases[i].out);
        free(s);
    }
    char *s = gm_detail_format(GM_NULL, NULL, 0);
    assert_string_equal(s, "NULL");
    free(s);
    s = gm_detail_format(GM_BLOB, "AB\x01", 3);
    assert_non_null(strstr(s, "00000000  41 42 01"));
    assert_non_null(strstr(s, "|AB.|"));
    free(s);
}

/* ---------------------------------------------------------------- speed */

static double time_pages(gm *g, const gm_opts *o, gm_dir dir, int64_t rowid, int reps)
{
    double best = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = time_mono_ms();
        for (int i = 0; i < reps; i++) {
            gm_key k = {rowid + i, NULL};
            gm_page *p = fetch(g, o, dir, &k, 100);
            assert_int_equal(p->nrows, 100);
            gm_page_free(p);
        }
        double t = time_mono_ms() - t0;
        if (t < best) best = t;
    }
    return best;
}

static void test_speed_near_end(void **state)
{
    (void)state;
    gm *g = open_table("big");
    gm_opts o = {0};
    double start = time_pages(g, &o, GM_AFTER, 10, 40);
    double end = time_pages(g, &o, GM_AFTER, BIG_ROWS - 1000, 40);
    double back = time_pages(g, &o, GM_BEFORE, BIG_ROWS - 10, 40);
    double floor = 2.0; /* ms: below this it is noise */
    if (start < floor) start = floor;
    print_message("pages near the start %.2f ms, near the end %.2f ms, backwards %.2f ms\n",
                  start, end, back);
    assert_true(end < 10 * start);
    assert_true(back < 10 * start);

    /* end, then one page up: both by key */
    double t0 = time_mono_ms();
    gm_page *p = fetch(g, &o, GM_LAST, NULL, 100);
    gm_page *q = next_page(g, &o, p, false, 100);
    double t = time_mono_ms() - t0;
    print_message("End + PgUp %.2f ms\n", t);
    assert_true(t < 10 * start + 50);
    gm_page_free(q);
    gm_page_free(p);
    gm_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paging_by_rowid),
        cmocka_unit_test(test_fraction_and_position),
        cmocka_unit_test(test_sorted_walks),
        cmocka_unit_test(test_sorted_big),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_views_and_rowids),
        cmocka_unit_test(test_merge_window),
        cmocka_unit_test(test_widths),
        cmocka_unit_test(test_profile),
        cmocka_unit_test(test_detail),
        cmocka_unit_test(test_speed_near_end),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
