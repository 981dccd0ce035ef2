/*
 * test_node.c - end-to-end tests of `tarn node` (ui/cli_node.c), the
 * designer without a screen: each test runs the real tarn binary on a fresh
 * copy of assets/demo in a temporary folder and checks the exit status, what
 * it printed, the SQL files byte for byte and the positions in tarn.json.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cliassert.h"
#include "testsupport.h"

/* ======================= helpers ======================= */

#define DEMO_DIR TARN_SOURCE_DIR "/assets/demo"
#define DESIGNER_SQL "transformations/designer.sql"

/* The demo's files that tests compare byte for byte. */
static const char *const demo_files[] = {"tarn.json", "transformations/01_bronze.sql",
                                         "transformations/02_silver.sql",
                                         "transformations/03_gold.sql", NULL};

/* cmocka setup: a temp folder (the state) holding a copy of the demo
 * project, without any warehouse it may have. */
static int demo_setup(void **state)
{
    if (ts_setup_dir(state) != 0) return -1;
    const char *dir = *state;
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cp -r '%s/.' '%s' && rm -rf '%s/.tarn'", DEMO_DIR, dir, dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* dir/rel as a new string (caller frees), or NULL when it cannot be read. */
static char *read_text(const char *dir, const char *rel)
{
    char *p = ts_path(dir, rel);
    FILE *f = fopen(p, "rb");
    free(p);
    if (!f) return NULL;
    size_t cap = 4096, len = 0, n;
    char *buf = malloc(cap);
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 1024) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[len] = 0;
    return buf;
}

static bool file_exists(const char *dir, const char *rel)
{
    char *p = ts_path(dir, rel);
    struct stat st;
    bool ok = stat(p, &st) == 0;
    free(p);
    return ok;
}

/* Asserts that dir/rel holds exactly want. */
static void assert_file(const char *dir, const char *rel, const char *want)
{
    char *have = read_text(dir, rel);
    if (!have) fail_msg("%s: cannot be read", rel);
    if (strcmp(have, want)) fail_msg("%s differs:\n--- have\n%s--- want\n%s", rel, have, want);
    free(have);
}

/* Asserts that dir/rel is the demo's file as shipped. */
static void assert_demo_file(const char *dir, const char *rel)
{
    char *want = read_text(DEMO_DIR, rel);
    assert_non_null(want);
    assert_file(dir, rel, want);
    free(want);
}

/* Asserts that every demo file except `except` (NULL: none) is unchanged. */
static void assert_demo_files_except(const char *dir, const char *except)
{
    for (int i = 0; demo_files[i]; i++)
        if (!except || strcmp(demo_files[i], except)) assert_demo_file(dir, demo_files[i]);
}

/* s with every `from` replaced by `to` (caller frees). */
static char *replace_all(const char *s, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to), n = 0;
    for (const char *p = strstr(s, from); p; p = strstr(p + fl, from)) n++;
    char *out = malloc(strlen(s) + n * (tl > fl ? tl - fl : 0) + 1), *o = out;
    for (const char *p = s;;) {
        const char *q = strstr(p, from);
        if (!q) {
            strcpy(o, p);
            break;
        }
        memcpy(o, p, (size_t)(q - p));
        o += q - p;
        memcpy(o, to, tl);
        o += tl;
        p = q + fl;
    }
    return out;
}

/* The same for `tarn -C dir node ARGS...`. */
#define NODE(proc, expect, dir, ...) TARN(proc, expect, dir, "node", __VA_ARGS__)

/* Runs a node command that must succeed, printing nothing on stderr. */
#define NODE_OK(dir, ...)                                                                 \
    do {                                                                                  \
        ts_proc r_;                                                                       \
        NODE(&r_, 0, dir, __VA_ARGS__);                                                   \
        assert_string_equal(r_.err, "");                                                  \
        ts_proc_free(&r_);                                                                \
    } while (0)

/* A command that stops with exit status code, nothing on stdout and
 * want_err on stderr: a usage error (2) or a refusal (1). */
#define NODE_STOPS(code, dir, want_err, ...)                                              \
    do {                                                                                  \
        ts_proc r_;                                                                       \
        NODE(&r_, code, dir, __VA_ARGS__);                                                \
        assert_string_equal(r_.out, "");                                                  \
        assert_contains(r_.err, want_err);                                                \
        ts_proc_free(&r_);                                                                \
    } while (0)
#define NODE_USAGE(dir, want_err, ...) NODE_STOPS(2, dir, want_err, __VA_ARGS__)
#define NODE_FAIL(dir, want_err, ...) NODE_STOPS(1, dir, want_err, __VA_ARGS__)

/* `node show NAME --json` parsed (caller deletes). */
static cJSON *show_json(const char *dir, const char *name)
{
    ts_proc r;
    NODE(&r, 0, dir, "show", name, "--json");
    cJSON *j = cJSON_Parse(r.out);
    if (!cJSON_IsObject(j)) fail_msg("show %s: not a JSON object:\n%s", name, r.out);
    ts_proc_free(&r);
    return j;
}

/* Member key of object o as compact JSON (caller frees). */
static char *member_json(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) fail_msg("no member '%s'", key);
    return cJSON_PrintUnformatted(v);
}

static const char *member_str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(v)) fail_msg("member '%s' is not a string", key);
    return v->valuestring;
}

/* The saved position of name in dir's tarn.json: true with *x, *y when it
 * is there as [x, y]. */
static bool saved_pos(const char *dir, const char *name, int *x, int *y)
{
    char *text = read_text(dir, "tarn.json");
    cJSON *j = cJSON_Parse(text);
    free(text);
    if (!j) fail_msg("tarn.json is not JSON");
    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(j, "designer"), "positions");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(pos, name);
    bool ok = cJSON_IsArray(p) && cJSON_GetArraySize(p) == 2 &&
              cJSON_IsNumber(cJSON_GetArrayItem(p, 0)) && cJSON_IsNumber(cJSON_GetArrayItem(p, 1));
    if (ok) {
        *x = cJSON_GetArrayItem(p, 0)->valueint;
        *y = cJSON_GetArrayItem(p, 1)->valueint;
    }
    cJSON_Delete(j);
    return ok;
}

/* The number of saved positions in dir's tarn.json. */
static int saved_count(const char *dir)
{
    char *text = read_text(dir, "tarn.json");
    cJSON *j = cJSON_Parse(text);
    free(text);
    if (!j) fail_msg("tarn.json is not JSON");
    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(j, "designer"), "positions");
    int n = cJSON_IsObject(pos) ? cJSON_GetArraySize(pos) : -1;
    cJSON_Delete(j);
    return n;
}

/* ---- the demo's nodes ---- */

/* Every dataset and flow of the demo: where it is defined. The hand-written
 * statements are none of the designer's canonical shapes: all read as sql. */
static const struct {
    const char *name, *file;
    int line;
} demo_nodes[] = {
    {"orders_raw", "transformations/01_bronze.sql", 5},
    {"customer_changes", "transformations/01_bronze.sql", 10},
    {"customers", "transformations/02_silver.sql", 5},
    {"customers_history", "transformations/02_silver.sql", 17},
    {"orders", "transformations/02_silver.sql", 30},
    {"paid_orders", "transformations/02_silver.sql", 43},
    {"daily_revenue", "transformations/03_gold.sql", 3},
    {"customer_value", "transformations/03_gold.sql", 10},
    {"customers_cdc", "transformations/02_silver.sql", 8},
    {"customers_history_cdc", "transformations/02_silver.sql", 20},
};
#define N_DEMO_NODES (sizeof demo_nodes / sizeof demo_nodes[0])

/* One line of `node list` or `node layout`. */
typedef struct listed {
    char name[64], type[32], file[128];
    int line, x, y;
} listed;

/* Parses `node list` output ("name type file:line  at x,y" lines). */
static size_t parse_list(const char *out, listed *v, size_t max)
{
    size_t n = 0;
    for (const char *l = out; *l && n < max;) {
        listed *e = &v[n];
        if (sscanf(l, "%63s %31s %127[^:]:%d at %d,%d", e->name, e->type, e->file, &e->line,
                   &e->x, &e->y) != 6)
            fail_msg("not a node list line: %.*s", (int)strcspn(l, "\n"), l);
        n++;
        l = strchr(l, '\n');
        l = l ? l + 1 : "";
    }
    return n;
}

/* Parses `node layout` output ("name x,y" lines, then a summary line). */
static size_t parse_layout(const char *out, listed *v, size_t max, const char **summary)
{
    size_t n = 0;
    const char *l = out;
    while (*l && n < max && sscanf(l, "%63s %d,%d", v[n].name, &v[n].x, &v[n].y) == 3) {
        n++;
        l = strchr(l, '\n');
        l = l ? l + 1 : "";
    }
    *summary = l;
    return n;
}

static const listed *find_listed(const listed *v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].name, name)) return &v[i];
    fail_msg("'%s' is not listed", name);
    return NULL;
}

/* The box a node gets on the compact canvas, as designer/model.c sizes it:
 * its name plus 10 cells wide, within 20..34, and 4 rows high. */
static void box_of(const listed *e, int *w, int *h)
{
    int want = (int)strlen(e->name) + 10;
    *w = want < 20 ? 20 : want > 34 ? 34 : want;
    *h = 4;
}

/* Asserts the positions are >= 0, distinct, and that no two boxes overlap. */
static void assert_no_overlap(const listed *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_true(v[i].x >= 0 && v[i].y >= 0);
        int wi, hi;
        box_of(&v[i], &wi, &hi);
        for (size_t j = 0; j < i; j++) {
            int wj, hj;
            box_of(&v[j], &wj, &hj);
            if (v[i].x == v[j].x && v[i].y == v[j].y)
                fail_msg("%s and %s are both at %d,%d", v[i].name, v[j].name, v[i].x, v[i].y);
            if (v[i].x < v[j].x + wj && v[j].x < v[i].x + wi && v[i].y < v[j].y + hj &&
                v[j].y < v[i].y + hi)
                fail_msg("%s (%d,%d) overlaps %s (%d,%d)", v[i].name, v[i].x, v[i].y,
                         v[j].name, v[j].x, v[j].y);
        }
    }
}

/* ---- the pipeline built from nodes ---- */

/* The statements `node add` writes for the pipeline of these tests: the
 * demo's JSON orders read again, the big ones kept, revenue per status,
 * stored with an expectation. */
#define SQL_WEB_ORDERS                                                                    \
    "CREATE OR REFRESH STREAMING TABLE web_orders\n"                                      \
    "AS SELECT * FROM STREAM read_files('data/orders/*.jsonl', format => 'json');\n"
#define SQL_BIG_ORDERS                                                                    \
    "CREATE TEMPORARY VIEW big_orders AS\n"                                               \
    "SELECT *\n"                                                                          \
    "FROM web_orders\n"                                                                   \
    "WHERE amount > 20;\n"
#define SQL_REVENUE_BY_STATUS                                                             \
    "CREATE TEMPORARY VIEW revenue_by_status AS\n"                                        \
    "SELECT status, sum(amount) AS revenue\n"                                             \
    "FROM big_orders\n"                                                                   \
    "GROUP BY status;\n"
#define SQL_STATUS_REVENUE                                                                \
    "CREATE OR REFRESH MATERIALIZED VIEW status_revenue (\n"                              \
    "  CONSTRAINT positive EXPECT (revenue > 0) ON VIOLATION DROP ROW\n"                  \
    ")\n"                                                                                 \
    "COMMENT 'revenue per status'\n"                                                      \
    "AS SELECT * FROM revenue_by_status;\n"

/* designer.sql after the four adds: each statement after one blank line. */
static const char designer_golden[] = SQL_WEB_ORDERS "\n" SQL_BIG_ORDERS
    "\n" SQL_REVENUE_BY_STATUS "\n" SQL_STATUS_REVENUE;

#define P_WEB_ORDERS "{\"path\":\"data/orders/*.jsonl\",\"format\":\"json\"}"
#define P_BIG_ORDERS "{\"conditions\":[{\"column\":\"amount\",\"op\":\">\",\"value\":\"20\"}]}"
#define P_REVENUE                                                                         \
    "{\"group_by\":[\"status\"],"                                                         \
    "\"measures\":[{\"fn\":\"sum\",\"column\":\"amount\",\"as\":\"revenue\"}]}"
#define P_STATUS_REVENUE                                                                  \
    "{\"kind\":\"materialized_view\",\"comment\":\"revenue per status\","                 \
    "\"expectations\":[{\"name\":\"positive\",\"expr\":\"revenue > 0\",\"action\":\"drop\"}]}"

/* Runs `node add ARGS...`, asserting it prints exactly the statement want. */
#define ADD(dir, want, ...)                                                               \
    do {                                                                                  \
        ts_proc r_;                                                                       \
        NODE(&r_, 0, dir, "add", __VA_ARGS__);                                            \
        assert_string_equal(r_.out, want);                                                \
        assert_string_equal(r_.err, "");                                                  \
        ts_proc_free(&r_);                                                                \
    } while (0)

/* Adds the four nodes of the pipeline to the demo in dir. */
static void build_pipeline(const char *dir)
{
    ADD(dir, SQL_WEB_ORDERS, "source_files", "web_orders", "-p", P_WEB_ORDERS, "-f",
        DESIGNER_SQL);
    ADD(dir, SQL_BIG_ORDERS, "filter", "big_orders", "-i", "web_orders", "-p", P_BIG_ORDERS);
    ADD(dir, SQL_REVENUE_BY_STATUS, "aggregate", "revenue_by_status", "-i", "big_orders", "-p",
        P_REVENUE);
    ADD(dir, SQL_STATUS_REVENUE, "output", "status_revenue", "--input", "revenue_by_status",
        "--params", P_STATUS_REVENUE);
}

/* ======================= types and list ======================= */

/* Every built-in type, with its form's fields in order (* marks required). */
static const struct {
    const char *id;
    const char *fields[5];
} builtin_types[] = {
    {"source_files", {"*path", "format", "header", "stream", NULL}},
    {"source_table", {"*table", NULL}},
    {"filter", {"conditions", "match", "where", NULL}},
    {"select", {"*columns", NULL}},
    {"join", {"how", "*keys", "columns", NULL}},
    {"aggregate", {"group_by", "measures", NULL}},
    {"union", {"distinct", NULL}},
    {"dedupe", {"keys", "latest_by", NULL}},
    {"sort", {"order", "limit", NULL}},
    {"output", {"kind", "comment", "expectations", NULL}},
    {"sql", {"*sql", NULL}},
};

static void test_types(void **state)
{
    const char *dir = *state;
    ts_proc r;
    NODE(&r, 0, dir, "types");
    assert_string_equal(r.err, "");
    /* the types in palette order, each line followed by its fields' lines */
    const char *l = r.out;
    for (size_t t = 0; t < sizeof builtin_types / sizeof builtin_types[0]; t++) {
        char id[32];
        if (sscanf(l, "%31s", id) != 1 || l[0] == ' ')
            fail_msg("expected the type line of %s at:\n%s", builtin_types[t].id, l);
        assert_string_equal(id, builtin_types[t].id);
        const char *colon = strchr(l, ':'), *eol = strchr(l, '\n');
        assert_true(colon && eol && colon < eol); /* "id   Title: help" */
        l = eol + 1;
        for (int f = 0; builtin_types[t].fields[f]; f++) {
            const char *want = builtin_types[t].fields[f];
            bool required = want[0] == '*';
            char key[32];
            eol = strchr(l, '\n');
            if (strncmp(l, "    ", 4) || sscanf(l, "%31s", key) != 1 || !eol)
                fail_msg("expected field %s of %s at:\n%s", want, builtin_types[t].id, l);
            assert_string_equal(key, want + required);
            const char *req = strstr(l, "(required)");
            if (required != (req && req < eol))
                fail_msg("field %s of %s: required is %d", key, builtin_types[t].id, required);
            l = eol + 1;
        }
    }
    assert_string_equal(l, ""); /* nothing else */
    ts_proc_free(&r);
    /* the types are named in the errors too */
    NODE_USAGE(dir, "no node type 'map' (tarn node types lists them)", "add", "map", "m");
}

static void test_list_demo(void **state)
{
    const char *dir = *state;
    ts_proc r;
    NODE(&r, 0, dir, "list");
    assert_string_equal(r.err, "");
    listed v[32];
    size_t n = parse_list(r.out, v, 32);
    ts_proc_free(&r);
    assert_int_equal(n, N_DEMO_NODES);
    for (size_t i = 0; i < N_DEMO_NODES; i++) {
        /* datasets in file order, then the flows */
        assert_string_equal(v[i].name, demo_nodes[i].name);
        assert_string_equal(v[i].type, "sql");
        assert_string_equal(v[i].file, demo_nodes[i].file);
        assert_int_equal(v[i].line, demo_nodes[i].line);
    }
    assert_no_overlap(v, n);
    /* nothing saved: the positions are the layout's */
    NODE(&r, 0, dir, "layout");
    listed lay[32];
    const char *summary;
    assert_int_equal(parse_layout(r.out, lay, 32, &summary), n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(lay[i].name, v[i].name);
        assert_int_equal(lay[i].x, v[i].x);
        assert_int_equal(lay[i].y, v[i].y);
    }
    ts_proc_free(&r);
    /* listing (and laying out without --save) writes nothing */
    assert_demo_files_except(dir, NULL);
    assert_false(file_exists(dir, ".tarn"));

    /* the nodes added later are listed with their types */
    build_pipeline(dir);
    NODE(&r, 0, dir, "list");
    n = parse_list(r.out, v, 32);
    ts_proc_free(&r);
    assert_int_equal(n, N_DEMO_NODES + 4);
    static const char *const added[][2] = {{"web_orders", "source_files"},
                                           {"big_orders", "filter"},
                                           {"revenue_by_status", "aggregate"},
                                           {"status_revenue", "output"}};
    for (int k = 0; k < 4; k++) {
        const listed *e = find_listed(v, n, added[k][0]);
        assert_string_equal(e->type, added[k][1]);
        assert_string_equal(e->file, DESIGNER_SQL);
    }
    assert_int_equal(find_listed(v, n, "web_orders")->line, 1);
    assert_int_equal(find_listed(v, n, "big_orders")->line, 4);
    assert_int_equal(find_listed(v, n, "revenue_by_status")->line, 9);
    assert_int_equal(find_listed(v, n, "status_revenue")->line, 14);
    assert_no_overlap(v, n);
}

/* ======================= building a pipeline ======================= */

static void test_build_and_run(void **state)
{
    const char *dir = *state;
    assert_false(file_exists(dir, DESIGNER_SQL));
    build_pipeline(dir);
    assert_file(dir, DESIGNER_SQL, designer_golden);
    assert_demo_files_except(dir, NULL); /* tarn.json too: add saves no position */

    ts_proc r;
    TARN(&r, 0, dir, "validate");
    assert_contains(r.out, "ok: 12 datasets, 12 flows in 4 files");
    ts_proc_free(&r);

    TARN(&r, 0, dir, "run");
    assert_contains(r.out, "Update #1 COMPLETED");
    assert_contains(r.out, "0 failed");
    assert_contains(r.out, "  web_orders ");
    assert_contains(r.out, "  status_revenue ");
    const char *line = strstr(r.out, "  status_revenue ");
    size_t len = strcspn(line, "\n");
    char *st = strndup(line, len);
    assert_contains(st, "COMPLETED");
    assert_contains(st, " 1 row ");
    assert_not_contains(st, "dropped");
    free(st);
    ts_proc_free(&r);

    /*
     * The expected rows, from the demo's data/orders files: the 11 lines read as 11
     * rows (1010 is malformed JSON: a row of _rescued_data only, amount NULL).
     * amount is inferred TEXT, because order 1008's amount is "33.30 EUR";
     * so `amount > 20` compares text with '20' (SQLite gives the literal the
     * column's TEXT affinity):
     *   1001 '42.5' paid  yes     1002 '19.99' no    1003 '0' no
     *   1004 '75' paid    yes     1005 '120' refunded: no ('1' < '2')
     *   1006 '64.1' paid  yes     1007 '-5' no       1008 '33.30 EUR' paid yes
     *   1009 '12' no      1010 NULL no               1011 '15.25' no
     * sum() reads '33.30 EUR' as 33.3: paid = 42.5 + 75 + 64.1 + 33.3 = 214.9,
     * one group, revenue > 0 (nothing dropped).
     */
    TARN(&r, 0, dir, "preview", "status_revenue", "--format", "csv");
    assert_string_equal(r.out, "status,revenue\r\npaid,214.9\r\n");
    ts_proc_free(&r);
    char *wh = ts_path(dir, ".tarn/warehouse.db");
    assert_int_equal(ts_sql_int(wh, "SELECT count(*) FROM web_orders", -1), 11);
    assert_int_equal(ts_sql_int(wh, "SELECT count(*) FROM status_revenue", -1), 1);
    char *got = ts_sql_text(wh, "SELECT status || '=' || printf('%.2f', revenue) "
                                "FROM status_revenue");
    assert_string_equal(got, "paid=214.90");
    free(got);
    free(wh);
    /* the temporary views are the pipeline's own: previewed, never stored */
    TARN(&r, 0, dir, "preview", "revenue_by_status", "--format", "csv");
    assert_string_equal(r.out, "status,revenue\r\npaid,214.9\r\n");
    ts_proc_free(&r);
    TARN(&r, 0, dir, "preview", "big_orders", "--format", "csv", "-n", "0");
    int rows = 0;
    for (const char *c = r.out; (c = strstr(c, "\r\n")); c += 2) rows++;
    assert_int_equal(rows, 1 + 4);
    assert_contains(r.out, "\r\n1001,");
    assert_contains(r.out, "\r\n1008,");
    assert_not_contains(r.out, "\r\n1005,");
    ts_proc_free(&r);
}

/* ======================= show and set ======================= */

static void test_show_round_trip(void **state)
{
    const char *dir = *state;
    build_pipeline(dir);
    static const struct {
        const char *name, *type, *inputs, *params, *sql;
    } want[] = {
        {"web_orders", "source_files", "[]",
         "{\"path\":\"data/orders/*.jsonl\",\"format\":\"json\",\"header\":true,\"stream\":true}",
         SQL_WEB_ORDERS},
        {"big_orders", "filter", "[\"web_orders\"]",
         "{\"conditions\":[{\"column\":\"amount\",\"op\":\">\",\"value\":\"20\"}],"
         "\"match\":\"all\",\"where\":\"\"}",
         SQL_BIG_ORDERS},
        {"revenue_by_status", "aggregate", "[\"big_orders\"]", P_REVENUE,
         SQL_REVENUE_BY_STATUS},
        {"status_revenue", "output", "[\"revenue_by_status\"]", P_STATUS_REVENUE,
         SQL_STATUS_REVENUE},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        cJSON *j = show_json(dir, want[i].name);
        assert_string_equal(member_str(j, "name"), want[i].name);
        assert_string_equal(member_str(j, "type"), want[i].type);
        assert_string_equal(member_str(j, "sql"), want[i].sql);
        char *inputs = member_json(j, "inputs"), *params = member_json(j, "params");
        assert_string_equal(inputs, want[i].inputs);
        assert_string_equal(params, want[i].params);

        /* the same params (and inputs) given back change no byte */
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(j, "inputs");
        char *argv[16] = {"tarn", "-C", (char *)dir, "node", "set", (char *)want[i].name,
                          "-p", params};
        int argc = 8;
        for (const cJSON *it = in->child; it; it = it->next) {
            argv[argc++] = "-i";
            argv[argc++] = it->valuestring;
        }
        argv[argc] = NULL;
        ts_proc r;
        assert_int_equal(ts_tarnv(&r, NULL, argv), 0);
        if (r.status != 0) fail_msg("set %s: exit %d: %s", want[i].name, r.status, r.err);
        assert_string_equal(r.out, want[i].sql);
        ts_proc_free(&r);
        assert_file(dir, DESIGNER_SQL, designer_golden);
        free(inputs);
        free(params);
        cJSON_Delete(j);
    }

    /* the text form says the same */
    ts_proc r;
    NODE(&r, 0, dir, "show", "big_orders");
    assert_string_equal(r.out, "big_orders: filter (Filter rows)\n"
                               "  input 1: web_orders\n"
                               "  params: {\"conditions\":[{\"column\":\"amount\",\"op\":\">\","
                               "\"value\":\"20\"}],\"match\":\"all\",\"where\":\"\"}\n\n"
                               SQL_BIG_ORDERS);
    ts_proc_free(&r);
    NODE_FAIL(dir, "no node called 'nosuch'", "show", "nosuch");
    NODE_USAGE(dir, "usage: tarn node show NAME", "show");

    /* every hand-written node of the demo is kept byte for byte by a set
     * that changes nothing: its statement is its params */
    for (size_t i = 0; i < N_DEMO_NODES; i++) {
        cJSON *j = show_json(dir, demo_nodes[i].name);
        assert_string_equal(member_str(j, "type"), "sql");
        const char *text = member_str(cJSON_GetObjectItemCaseSensitive(j, "params"), "sql");
        char *file = read_text(dir, demo_nodes[i].file);
        assert_non_null(file);
        assert_contains(file, text); /* the statement as written */
        free(file);
        cJSON_Delete(j);
        NODE(&r, 0, dir, "set", demo_nodes[i].name);
        ts_proc_free(&r);
    }
    assert_demo_files_except(dir, NULL);
    assert_file(dir, DESIGNER_SQL, designer_golden);
}

static void test_set_one_param(void **state)
{
    const char *dir = *state;
    build_pipeline(dir);
    ts_proc r;
    /* a condition's value: only that statement changes, the others keep
     * every byte; keys not given are kept */
    NODE(&r, 0, dir, "set", "big_orders", "-p",
         "{\"conditions\":[{\"column\":\"amount\",\"op\":\">\",\"value\":\"50\"}]}");
    char *want_stmt = replace_all(SQL_BIG_ORDERS, "> 20", "> 50");
    assert_string_equal(r.out, want_stmt);
    ts_proc_free(&r);
    char *want = replace_all(designer_golden, "WHERE amount > 20;", "WHERE amount > 50;");
    assert_file(dir, DESIGNER_SQL, want);
    assert_demo_files_except(dir, NULL);
    free(want);
    free(want_stmt);

    /* a string value is quoted for you; the match key alone changes */
    NODE_OK(dir, "set", "big_orders", "-p",
            "{\"conditions\":[{\"column\":\"status\",\"op\":\"=\",\"value\":\"paid\"},"
            "{\"column\":\"amount\",\"op\":\">=\",\"value\":\"10\"}]}");
    NODE_OK(dir, "set", "big_orders", "-p", "{\"match\":\"any\"}");
    want = replace_all(designer_golden, "WHERE amount > 20;",
                       "WHERE status = 'paid' OR amount >= 10;");
    assert_file(dir, DESIGNER_SQL, want);
    free(want);

    /* the comment of the output */
    NODE_OK(dir, "set", "status_revenue", "-p", "{\"comment\":\"it's the revenue\"}");
    want = replace_all(designer_golden, "WHERE amount > 20;",
                       "WHERE status = 'paid' OR amount >= 10;");
    char *want2 = replace_all(want, "COMMENT 'revenue per status'", "COMMENT 'it''s the revenue'");
    assert_file(dir, DESIGNER_SQL, want2);
    free(want2);
    free(want);
    cJSON *j = show_json(dir, "status_revenue");
    assert_string_equal(member_str(cJSON_GetObjectItemCaseSensitive(j, "params"), "comment"),
                        "it's the revenue");
    cJSON_Delete(j);

    /* --input replaces the inputs */
    NODE_OK(dir, "set", "revenue_by_status", "-i", "web_orders");
    j = show_json(dir, "revenue_by_status");
    char *inputs = member_json(j, "inputs");
    assert_string_equal(inputs, "[\"web_orders\"]");
    free(inputs);
    cJSON_Delete(j);
    char *file = read_text(dir, DESIGNER_SQL);
    assert_contains(file, "SELECT status, sum(amount) AS revenue\nFROM web_orders\nGROUP BY status;");
    free(file);

    NODE_FAIL(dir, "no node called 'nosuch'", "set", "nosuch", "-p", "{}");
    NODE_USAGE(dir, "--params wants a JSON object", "set", "big_orders", "-p", "{\"x\":");
    assert_demo_files_except(dir, NULL);
}

/* ======================= check and refusals ======================= */

static void test_check(void **state)
{
    const char *dir = *state;
    build_pipeline(dir);
    ts_proc r;
    NODE(&r, 0, dir, "check", "big_orders");
    assert_string_equal(r.out, "big_orders: ok\n");
    assert_string_equal(r.err, "");
    ts_proc_free(&r);

    /* a misspelled column is refused, naming the field and the near column */
    const char *bad = "{\"conditions\":[{\"column\":\"amuont\",\"op\":\">\",\"value\":\"20\"}]}";
    NODE_FAIL(dir, "big_orders: conditions: condition 1: no column 'amuont' in web_orders "
                   "(did you mean amount?)",
              "set", "big_orders", "-p", bad);
    NODE_FAIL(dir, "not written (--force writes it anyway)", "set", "big_orders", "-p", bad);
    assert_file(dir, DESIGNER_SQL, designer_golden);
    /* --force writes it; then check reports it and fails */
    NODE_OK(dir, "set", "big_orders", "-p", bad, "--force");
    char *want = replace_all(designer_golden, "WHERE amount > 20", "WHERE amuont > 20");
    assert_file(dir, DESIGNER_SQL, want);
    free(want);
    NODE(&r, 1, dir, "check", "big_orders");
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "big_orders: conditions: condition 1: no column 'amuont' in "
                               "web_orders (did you mean amount?)\n");
    ts_proc_free(&r);

    /* an aggregate's fields each say theirs */
    NODE(&r, 1, dir, "add", "aggregate", "by_state", "-i", "web_orders", "-p",
         "{\"group_by\":[\"staus\"],\"measures\":[{\"fn\":\"sum\",\"column\":\"amount\"}]}");
    assert_contains(r.err, "by_state: group_by: no column 'staus' in web_orders (did you mean "
                           "status?)");
    assert_not_contains(r.err, "measures");
    ts_proc_free(&r);
    NODE_FAIL(dir, "no node called 'nosuch'", "check", "nosuch");
    NODE_USAGE(dir, "usage: tarn node check NAME", "check");
}

static void test_add_refusals(void **state)
{
    const char *dir = *state;
    ts_proc r;
    /* a node that would do nothing: refused unless --force */
    NODE(&r, 1, dir, "add", "filter", "everything", "-i", "orders");
    assert_string_equal(r.out, "");
    assert_contains(r.err, "everything: conditions: add a condition or a where expression");
    assert_contains(r.err, "not written (--force writes it anyway)");
    ts_proc_free(&r);
    /* a column orders does not have */
    NODE_FAIL(dir, "cheap: conditions: condition 1: no column 'amout' in orders (did you mean "
                   "amount?)",
              "add", "filter", "cheap", "-i", "orders", "-p",
              "{\"conditions\":[{\"column\":\"amout\",\"op\":\"<\",\"value\":\"5\"}]}");
    /* a missing input, a required field left out */
    NODE_FAIL(dir, "a filter node reads exactly 1 input; it has none", "add", "filter", "f",
              "-p", "{\"where\":\"1\"}");
    NODE_FAIL(dir, "t: table: table is required", "add", "source_table", "t");
    assert_false(file_exists(dir, DESIGNER_SQL));
    assert_demo_files_except(dir, NULL);

    /* --force writes what the form cannot fault only in its columns */
    NODE(&r, 0, dir, "add", "filter", "everything", "-i", "orders", "--force");
    assert_string_equal(r.out, "CREATE TEMPORARY VIEW everything AS\nSELECT *\nFROM orders;\n");
    ts_proc_free(&r);
    assert_file(dir, DESIGNER_SQL, "CREATE TEMPORARY VIEW everything AS\nSELECT *\nFROM orders;\n");
    /* ... which reads back as the source_table it is the same text as */
    cJSON *j = show_json(dir, "everything");
    assert_string_equal(member_str(j, "type"), "source_table");
    cJSON_Delete(j);

    /* a taken name (a dataset, a flow, the one just added), even forced */
    NODE_FAIL(dir, "'orders' is defined already", "add", "filter", "orders", "-i",
              "orders_raw", "-p", "{\"where\":\"amount > 1\"}");
    NODE_FAIL(dir, "'orders' is defined already", "add", "filter", "orders", "-i",
              "orders_raw", "-p", "{\"where\":\"amount > 1\"}", "--force");
    NODE_FAIL(dir, "'customers_cdc' is defined already", "add", "filter", "customers_cdc", "-i",
              "orders", "-p", "{\"where\":\"amount > 1\"}");
    NODE_FAIL(dir, "'everything' is defined already", "add", "source_table", "everything", "-p",
              "{\"table\":\"shop.orders\"}");
    /* a file the libraries do not read */
    NODE_FAIL(dir, "is not matched by the libraries of tarn.json", "add", "filter", "f", "-i",
              "orders", "-p", "{\"where\":\"amount > 1\"}", "-f", "elsewhere/x.sql");
    assert_false(file_exists(dir, "elsewhere"));

    /* usage errors: exit 2, nothing written */
    NODE_USAGE(dir, "no node type 'filtre' (tarn node types lists them)", "add", "filtre", "f",
               "-i", "orders");
    NODE_USAGE(dir, "--params wants a JSON object", "add", "filter", "f", "-i", "orders", "-p",
               "{\"where\": amount > 1}");
    NODE_USAGE(dir, "--params wants a JSON object", "add", "filter", "f", "-i", "orders", "-p",
               "[1, 2]");
    NODE_USAGE(dir, "--params wants a JSON object", "add", "filter", "f", "-i", "orders",
               "--params", "");
    NODE_USAGE(dir, "usage: tarn node add TYPE NAME", "add", "filter");
    NODE_USAGE(dir, "no verb 'frobnicate'", "frobnicate");
    NODE_USAGE(dir, "option --params needs a value", "add", "filter", "f", "--params");
    NODE_USAGE(dir, "unknown option '--bogus'", "list", "--bogus");

    assert_file(dir, DESIGNER_SQL, "CREATE TEMPORARY VIEW everything AS\nSELECT *\nFROM orders;\n");
    assert_demo_files_except(dir, NULL);
    assert_false(file_exists(dir, ".tarn"));
}

/* ======================= rename, rm, move, layout ======================= */

static void test_rename(void **state)
{
    const char *dir = *state;
    build_pipeline(dir);
    NODE_OK(dir, "layout", "--save");
    int x0, y0;
    assert_true(saved_pos(dir, "paid_orders", &x0, &y0));

    ts_proc r;
    NODE(&r, 0, dir, "rename", "paid_orders", "settled_orders");
    assert_string_equal(r.out, "renamed paid_orders to settled_orders\n");
    ts_proc_free(&r);
    /* its CREATE in 02_silver.sql and both readers in 03_gold.sql */
    static const char *const files[] = {"transformations/02_silver.sql",
                                        "transformations/03_gold.sql"};
    for (int i = 0; i < 2; i++) {
        char *orig = read_text(DEMO_DIR, files[i]);
        assert_contains(orig, "paid_orders");
        char *want = replace_all(orig, "paid_orders", "settled_orders");
        assert_file(dir, files[i], want);
        free(want);
        free(orig);
    }
    assert_demo_file(dir, "transformations/01_bronze.sql");
    assert_file(dir, DESIGNER_SQL, designer_golden);
    /* its position goes with it */
    int x, y;
    assert_false(saved_pos(dir, "paid_orders", &x, &y));
    assert_true(saved_pos(dir, "settled_orders", &x, &y));
    assert_int_equal(x, x0);
    assert_int_equal(y, y0);
    TARN(&r, 0, dir, "validate");
    ts_proc_free(&r);

    /* a designer node: its readers are still the operators they were */
    NODE_OK(dir, "rename", "web_orders", "shop_orders");
    char *want = replace_all(designer_golden, "web_orders", "shop_orders");
    assert_file(dir, DESIGNER_SQL, want);
    free(want);
    cJSON *j = show_json(dir, "big_orders");
    assert_string_equal(member_str(j, "type"), "filter");
    char *inputs = member_json(j, "inputs");
    assert_string_equal(inputs, "[\"shop_orders\"]");
    free(inputs);
    cJSON_Delete(j);
    j = show_json(dir, "shop_orders");
    assert_string_equal(member_str(j, "type"), "source_files");
    cJSON_Delete(j);

    /* refusals change nothing */
    char *before[5];
    for (int i = 0; demo_files[i]; i++) before[i] = read_text(dir, demo_files[i]);
    NODE_FAIL(dir, "no dataset or flow called 'paid_orders'", "rename", "paid_orders", "x");
    NODE_FAIL(dir, "'customers' is defined already", "rename", "orders", "customers");
    NODE_FAIL(dir, "a dataset name cannot hold '.'", "rename", "orders", "shop.orders");
    NODE_FAIL(dir, "' orders2' starts or ends with a space", "rename", "orders", " orders2");
    NODE_FAIL(dir, "a name cannot hold '${'", "rename", "orders", "o_${currency}");
    NODE_USAGE(dir, "usage: tarn node rename OLD NEW", "rename", "orders");
    for (int i = 0; demo_files[i]; i++) {
        assert_file(dir, demo_files[i], before[i]);
        free(before[i]);
    }
}

static void test_rm(void **state)
{
    const char *dir = *state;
    build_pipeline(dir);
    NODE_OK(dir, "layout", "--save");
    assert_int_equal(saved_count(dir), (int)N_DEMO_NODES + 4);
    int x, y;
    assert_true(saved_pos(dir, "status_revenue", &x, &y));

    ts_proc r;
    NODE(&r, 0, dir, "rm", "status_revenue");
    assert_string_equal(r.out, "removed status_revenue\n");
    ts_proc_free(&r);
    /* the statement and the blank line before it; its position */
    assert_file(dir, DESIGNER_SQL, SQL_WEB_ORDERS "\n" SQL_BIG_ORDERS "\n" SQL_REVENUE_BY_STATUS);
    assert_false(saved_pos(dir, "status_revenue", &x, &y));
    assert_true(saved_pos(dir, "revenue_by_status", &x, &y));
    assert_int_equal(saved_count(dir), (int)N_DEMO_NODES + 3);
    NODE_FAIL(dir, "no node called 'status_revenue'", "show", "status_revenue");

    /* a statement in the middle: what reads it is left as it is */
    NODE_OK(dir, "rm", "big_orders");
    assert_file(dir, DESIGNER_SQL, SQL_WEB_ORDERS "\n" SQL_REVENUE_BY_STATUS);
    assert_demo_files_except(dir, "tarn.json");

    /* a dataset filled by a flow: its comment lines and the flow go too */
    NODE_OK(dir, "rm", "customers");
    char *orig = read_text(DEMO_DIR, "transformations/02_silver.sql");
    const char *from = strstr(orig, "-- The current customers:");
    const char *to = strstr(orig, "-- Every version of each customer");
    assert_true(from && to && from < to);
    char *want = malloc(strlen(orig) + 1);
    memcpy(want, orig, (size_t)(from - orig));
    strcpy(want + (from - orig), to);
    assert_file(dir, "transformations/02_silver.sql", want);
    free(want);
    free(orig);
    assert_false(saved_pos(dir, "customers", &x, &y));
    assert_false(saved_pos(dir, "customers_cdc", &x, &y));
    assert_true(saved_pos(dir, "customers_history_cdc", &x, &y));
    NODE(&r, 0, dir, "list");
    assert_not_contains(r.out, "customers_cdc ");
    assert_not_contains(r.out, "customers ");
    assert_contains(r.out, "customers_history ");
    ts_proc_free(&r);

    NODE_FAIL(dir, "no dataset or flow called 'customers'", "rm", "customers");
    NODE_USAGE(dir, "usage: tarn node rm NAME", "rm");
}

static void test_move(void **state)
{
    const char *dir = *state;
    ts_proc r;
    NODE(&r, 0, dir, "move", "orders", "5", "40");
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "");
    ts_proc_free(&r);
    int x, y;
    assert_true(saved_pos(dir, "orders", &x, &y));
    assert_int_equal(x, 5);
    assert_int_equal(y, 40);
    /* every node is saved (the picture stays as shown), the rest of the
     * manifest as it was */
    assert_int_equal(saved_count(dir), (int)N_DEMO_NODES);
    char *text = read_text(dir, "tarn.json");
    cJSON *j = cJSON_Parse(text);
    assert_non_null(j);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "name")->valuestring, "demo_shop");
    const cJSON *conf = cJSON_GetObjectItemCaseSensitive(j, "configuration");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(conf, "min_order_amount")->valuestring,
                        "1.00");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "warehouse")->valuestring,
                        ".tarn/warehouse.db");
    assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "libraries")));
    cJSON_Delete(j);
    free(text);
    /* the list shows it there; the others where they were */
    NODE(&r, 0, dir, "list");
    listed v[32];
    size_t n = parse_list(r.out, v, 32);
    ts_proc_free(&r);
    assert_int_equal(find_listed(v, n, "orders")->x, 5);
    assert_int_equal(find_listed(v, n, "orders")->y, 40);
    for (size_t i = 0; i < n; i++) {
        assert_true(saved_pos(dir, v[i].name, &x, &y));
        assert_int_equal(x, v[i].x);
        assert_int_equal(y, v[i].y);
    }
    /* moving again replaces it; 0 0 is a place */
    NODE_OK(dir, "move", "orders", "0", "0");
    assert_true(saved_pos(dir, "orders", &x, &y));
    assert_int_equal(x, 0);
    assert_int_equal(y, 0);
    /* a flow moves too */
    NODE_OK(dir, "move", "customers_cdc", "200", "3");
    assert_true(saved_pos(dir, "customers_cdc", &x, &y));
    assert_int_equal(x, 200);
    assert_int_equal(y, 3);
    assert_demo_files_except(dir, "tarn.json");

    NODE_FAIL(dir, "no node called 'nosuch'", "move", "nosuch", "1", "2");
    NODE_USAGE(dir, "usage: tarn node move NAME X Y", "move", "orders", "1");
    NODE_USAGE(dir, "usage: tarn node move NAME X Y", "move", "orders", "x", "2");
    NODE_USAGE(dir, "usage: tarn node move NAME X Y", "move", "orders", "1", "2y");
    NODE_USAGE(dir, "(see 'tarn node --help')", "move", "orders", "1", "2", "3");
}

static void test_layout_save(void **state)
{
    const char *dir = *state;
    build_pipeline(dir);
    NODE_OK(dir, "move", "orders", "300", "50"); /* layout --save forgets it */
    ts_proc r;
    NODE(&r, 0, dir, "layout", "--save");
    listed v[32];
    const char *summary;
    size_t n = parse_layout(r.out, v, 32, &summary);
    assert_int_equal(n, N_DEMO_NODES + 4);
    /* the demo's 9 edges (flows count as nodes) and the pipeline's 3 */
    assert_contains(summary, "14 nodes, 12 edges, ");
    assert_contains(summary, " crossing");
    ts_proc_free(&r);
    assert_no_overlap(v, n);
    assert_int_equal(saved_count(dir), (int)n);
    for (size_t i = 0; i < n; i++) {
        int x, y;
        if (!saved_pos(dir, v[i].name, &x, &y)) fail_msg("%s has no saved position", v[i].name);
        assert_int_equal(x, v[i].x);
        assert_int_equal(y, v[i].y);
    }
    /* the inputs of each pipeline node are left of it */
    assert_true(find_listed(v, n, "web_orders")->x < find_listed(v, n, "big_orders")->x);
    assert_true(find_listed(v, n, "big_orders")->x < find_listed(v, n, "revenue_by_status")->x);
    assert_true(find_listed(v, n, "revenue_by_status")->x <
                find_listed(v, n, "status_revenue")->x);
    /* the list shows the saved picture */
    NODE(&r, 0, dir, "list");
    listed l[32];
    assert_int_equal(parse_list(r.out, l, 32), n);
    ts_proc_free(&r);
    for (size_t i = 0; i < n; i++) {
        const listed *e = find_listed(v, n, l[i].name);
        assert_int_equal(l[i].x, e->x);
        assert_int_equal(l[i].y, e->y);
    }
    assert_demo_files_except(dir, "tarn.json");
    assert_file(dir, DESIGNER_SQL, designer_golden);

    /* without --save, nothing is written */
    char *before = read_text(dir, "tarn.json");
    NODE_OK(dir, "move", "orders", "300", "50");
    char *moved = read_text(dir, "tarn.json");
    assert_string_not_equal(moved, before);
    NODE_OK(dir, "layout");
    assert_file(dir, "tarn.json", moved);
    free(moved);
    free(before);
}

/* ======================= ${param} statements and stream checks ======================= */

static void test_param_statement(void **state)
{
    const char *dir = *state;
    char *silver = read_text(dir, "transformations/02_silver.sql");
    const char *a = strstr(silver, "CREATE OR REFRESH MATERIALIZED VIEW orders (");
    const char *b = a ? strstr(a, "FROM orders_raw;") : NULL;
    assert_true(a && b);
    char *stmt = strndup(a, (size_t)(b + strlen("FROM orders_raw;") - a));

    /* a sql node whose text is the statement as written, ${...} and all */
    cJSON *j = show_json(dir, "orders");
    assert_string_equal(member_str(j, "type"), "sql");
    const char *text = member_str(cJSON_GetObjectItemCaseSensitive(j, "params"), "sql");
    assert_string_equal(text, stmt);
    assert_contains(text, "amount >= ${min_order_amount}");
    assert_contains(text, "'valid orders in ${currency}'");
    char *params = member_json(j, "params");
    assert_non_null(strstr(params, "\"sql\""));
    assert_null(strstr(strstr(params, "\"sql\"") + 5, "\"sql\"")); /* one key "sql" */
    char *inputs = member_json(j, "inputs");
    assert_string_equal(inputs, "[\"orders_raw\"]");
    size_t len = strlen(stmt);
    const char *sql = member_str(j, "sql");
    assert_int_equal(strlen(sql), len + 1);
    assert_memory_equal(sql, stmt, len);
    assert_int_equal(sql[len], '\n');

    /* set with no change, or with the same text, keeps every byte */
    ts_proc r;
    NODE(&r, 0, dir, "set", "orders");
    assert_string_equal(r.err, "");
    ts_proc_free(&r);
    assert_demo_files_except(dir, NULL);
    NODE_OK(dir, "set", "orders", "-p", params);
    assert_demo_files_except(dir, NULL);
    NODE_OK(dir, "check", "orders");

    /* a change of its text keeps the references and touches that line only */
    cJSON *p = cJSON_CreateObject();
    char *changed = replace_all(stmt, "'valid orders in ${currency}'",
                                "'valid orders, amounts in ${currency}'");
    cJSON_AddStringToObject(p, "sql", changed);
    char *pj = cJSON_PrintUnformatted(p);
    NODE_OK(dir, "set", "orders", "-p", pj);
    char *want = replace_all(silver, "'valid orders in ${currency}'",
                             "'valid orders, amounts in ${currency}'");
    assert_file(dir, "transformations/02_silver.sql", want);
    assert_demo_file(dir, "transformations/01_bronze.sql");
    assert_demo_file(dir, "transformations/03_gold.sql");
    TARN(&r, 0, dir, "validate");
    ts_proc_free(&r);
    TARN(&r, 0, dir, "run", "--param", "min_order_amount=30");
    ts_proc_free(&r);
    char *wh = ts_path(dir, ".tarn/warehouse.db");
    /* amount >= 30 with a customer: 1001 42.5, 1004 75, 1005 120 (refunded:
     * only warned about), 1006 64.1; 1008's "33.30 EUR" is no DOUBLE (its
     * amount is NULL, the text rescued) and 1010 is malformed */
    assert_int_equal(ts_sql_int(wh, "SELECT count(*) FROM orders", -1), 4);
    assert_int_equal(ts_sql_int(wh, "SELECT sum(order_id) FROM orders", -1),
                     1001 + 1004 + 1005 + 1006);
    free(wh);

    free(want);
    free(pj);
    free(changed);
    cJSON_Delete(p);
    free(inputs);
    free(params);
    cJSON_Delete(j);
    free(stmt);
    free(silver);
}

static void test_stream_over_view_refused(void **state)
{
    const char *dir = *state;
    /* STREAM(x) reads only a streaming table or a table outside the pipeline */
    NODE_FAIL(dir, "paid_stream: kind: a streaming table reads its input through "
                   "STREAM(paid_orders), and 'paid_orders' is a temporary view",
              "add", "output", "paid_stream", "-i", "paid_orders", "-p",
              "{\"kind\":\"streaming_table\"}");
    NODE_FAIL(dir, "and 'orders' is a materialized view", "add", "output", "orders_stream",
              "-i", "orders", "-p", "{\"kind\":\"streaming_table\"}");
    NODE_FAIL(dir, "Make this a materialized view, or read from a streaming table", "add",
              "output", "paid_stream", "-i", "paid_orders", "-p",
              "{\"kind\":\"streaming_table\"}");
    assert_false(file_exists(dir, DESIGNER_SQL));

    /* a materialized view over the view, a streaming table over a streaming
     * table: fine */
    ADD(dir, "CREATE OR REFRESH MATERIALIZED VIEW paid_copy\nAS SELECT * FROM paid_orders;\n",
        "output", "paid_copy", "-i", "paid_orders");
    ADD(dir, "CREATE OR REFRESH STREAMING TABLE raw_copy\nAS SELECT * FROM STREAM(orders_raw);\n",
        "output", "raw_copy", "-i", "orders_raw", "-p", "{\"kind\":\"streaming_table\"}");

    /* forced in, the check still says so */
    NODE_OK(dir, "add", "output", "paid_stream", "-i", "paid_orders", "-p",
            "{\"kind\":\"streaming_table\"}", "--force");
    ts_proc r;
    NODE(&r, 1, dir, "check", "paid_stream");
    assert_contains(r.err, "paid_stream: kind: a streaming table reads its input through "
                           "STREAM(paid_orders)");
    ts_proc_free(&r);
    /* and turning it into a materialized view mends it */
    NODE_OK(dir, "set", "paid_stream", "-p", "{\"kind\":\"materialized_view\"}");
    NODE(&r, 0, dir, "check", "paid_stream");
    assert_string_equal(r.out, "paid_stream: ok\n");
    ts_proc_free(&r);
    assert_file(dir, DESIGNER_SQL,
                "CREATE OR REFRESH MATERIALIZED VIEW paid_copy\nAS SELECT * FROM paid_orders;\n"
                "\n"
                "CREATE OR REFRESH STREAMING TABLE raw_copy\nAS SELECT * FROM STREAM(orders_raw);\n"
                "\n"
                "CREATE OR REFRESH MATERIALIZED VIEW paid_stream\nAS SELECT * FROM paid_orders;\n");
    assert_demo_files_except(dir, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_types, demo_setup, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_list_demo, demo_setup, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_build_and_run, demo_setup, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_show_round_trip, demo_setup, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_set_one_param, demo_setup, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_check, demo_setup, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_add_refusals, demo_setup, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_rename, demo_setup, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_rm, demo_setup, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_move, demo_setup, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_layout_save, demo_setup, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_param_statement, demo_setup, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_stream_over_view_refused, demo_setup,
                                        ts_teardown_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
