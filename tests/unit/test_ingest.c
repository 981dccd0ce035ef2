/*
 * test_ingest.c - read_files end to end: projects in temp folders run
 * through the update API (upd_new / upd_run) and the dry run (val_run), and
 * checked with SQL. Every read_files option; malformed input of every kind
 * (ragged rows, bad quotes, invalid UTF-8, empty, header-only and 0-byte
 * files, a file removed between listing and reading); type inference and
 * leading-zero codes; schemaHints and schema; renamed columns and the notes
 * and events showing the mapping; schema evolution and type conflicts;
 * FAILFAST and DROPMALFORMED; exactly-once reading of files across updates,
 * changed files, allowOverwrites, full refresh; materialized views over
 * files; JSON lines and arrays; and exactly once across a cancel and a crash
 * (SIGKILL) in the middle of a load.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "evlog.h"
#include "fsutil.h"
#include "ingest.h"
#include "project.h"
#include "testsupport.h"
#include "update.h"
#include "validate.h"

/* ---------------------------------------------------------------- fixture */

typedef struct fx {
    char *dir;
    char *wh; /* .tarn/warehouse.db */
} fx;

static fx *fx_new(void)
{
    fx *f = calloc(1, sizeof(*f));
    f->dir = ts_mkdtemp();
    if (!f->dir) return NULL;
    f->wh = ts_path(f->dir, ".tarn/warehouse.db");
    if (ts_write_file(f->dir, "tarn.json", "{\"name\": \"t\"}\n") != 0) return NULL;
    if (ts_write_file(f->dir, ".tarn/.keep", "") != 0) return NULL;
    return f;
}

static void fx_free(fx *f)
{
    ts_rmtree(f->dir);
    free(f->dir);
    free(f->wh);
    free(f);
}

static int setup(void **state)
{
    *state = fx_new();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    fx_free(*state);
    return 0;
}

static void pipeline(const fx *f, const char *sql)
{
    assert_int_equal(ts_write_file(f->dir, "transformations/p.sql", sql), 0);
}

static void put(const fx *f, const char *rel, const char *text)
{
    assert_int_equal(ts_write_file(f->dir, rel, text), 0);
}

static void rm(const fx *f, const char *rel)
{
    char *p = ts_path(f->dir, rel);
    assert_int_equal(unlink(p), 0);
    free(p);
}

/* Sets the file's modification time to t seconds after the epoch. */
static void set_mtime(const fx *f, const char *rel, time_t t)
{
    char *p = ts_path(f->dir, rel);
    struct timespec ts[2] = {{t, 0}, {t, 0}};
    assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
    free(p);
}

static long long whi(const fx *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static long long whi(const fx *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = xvasprintf(fmt, ap);
    va_end(ap);
    long long v = ts_sql_int(f->wh, sql, -1);
    free(sql);
    return v;
}

static void assert_text(const fx *f, const char *sql, const char *want)
{
    char *got = ts_sql_text(f->wh, sql);
    if (!got) got = xstrdup("");
    if (strcmp(got, want)) {
        char *msg = xasprintf("%s\n got: %s\nwant: %s", sql, got, want);
        free(got);
        fail_msg("%s", msg);
    }
    free(got);
}

/* "name, ..." of a table's columns. (Their declared types are the affinity
 * names CREATE TABLE AS gives: see schema_types for the inferred ones.) */
static void assert_columns(const fx *f, const char *table, const char *want)
{
    char *sql = xasprintf("SELECT group_concat(name, ', ') FROM "
                          "(SELECT * FROM pragma_table_info('%s') ORDER BY cid)", table);
    assert_text(f, sql, want);
    free(sql);
}

/* "name TYPE, ..." of the schema a streaming flow keeps for its files. */
static void assert_schema(const fx *f, const char *flow, const char *want)
{
    char *sql = xasprintf("SELECT group_concat(json_extract(value, '$.name') || ' ' || "
                          "json_extract(value, '$.type'), ', ') FROM _tarn_source_schemas, "
                          "json_each(schema) WHERE flow = '%s'", flow);
    assert_text(f, sql, want);
    free(sql);
}

/* ---------------------------------------------------------------- updates */

typedef struct ev {
    char *level, *type, *flow, *message, *details;
} ev;
typedef VEC(ev) evvec;

typedef struct run_out {
    upd_state state;
    int64_t id;
    char *error;
    evvec ev;
    /* hooks */
    const fx *f;
    const char *remove_on;   /* message part: remove remove_file on that event */
    const char *remove_file;
    bool removed;
    upd *u;
    int64_t cancel_at;       /* rows: cancel once the rows callback says as many */
    int64_t max_rows, last_bytes, total_bytes;
    bool bytes_ok;
} run_out;

static char *dupn(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void on_event(void *ctx, const evl_event *e)
{
    run_out *r = ctx;
    ev x = {dupn(e->level), dupn(e->type), dupn(e->flow), dupn(e->message), dupn(e->details)};
    VEC_PUSH(&r->ev, x);
    if (r->remove_on && !r->removed && e->message && strstr(e->message, r->remove_on)) {
        rm(r->f, r->remove_file);
        r->removed = true;
    }
}

static void on_rows(void *ctx, const char *dataset, const char *flow, int64_t rows,
                    int64_t bytes, int64_t total)
{
    run_out *r = ctx;
    (void)dataset;
    (void)flow;
    if (rows > r->max_rows) r->max_rows = rows;
    if (bytes > total || bytes < 0) r->bytes_ok = false;
    r->last_bytes = bytes;
    r->total_bytes = total;
    if (r->cancel_at && rows >= r->cancel_at) upd_cancel(r->u);
}

static void run_free(run_out *r)
{
    for (size_t i = 0; i < r->ev.n; i++) {
        free(r->ev.v[i].level);
        free(r->ev.v[i].type);
        free(r->ev.v[i].flow);
        free(r->ev.v[i].message);
        free(r->ev.v[i].details);
    }
    VEC_FREE(&r->ev);
    free(r->error);
    memset(r, 0, sizeof(*r));
}

static void run_prepare(const fx *f, run_out *r)
{
    memset(r, 0, sizeof(*r));
    r->f = f;
    r->bytes_ok = true;
}

/* Runs one update (r prepared by run_prepare, hooks set). */
static upd_state run_hooked(const fx *f, const upd_options *o, run_out *r)
{
    upd_listener l = {on_event, on_rows, r};
    upd *u = upd_new(f->dir, NULL, o, &l);
    r->u = u;
    r->state = upd_run(u);
    r->id = upd_id(u);
    r->error = dupn(upd_error(u));
    r->u = NULL;
    upd_free(u);
    return r->state;
}

static upd_state run(const fx *f, run_out *r)
{
    run_prepare(f, r);
    return run_hooked(f, NULL, r);
}

static void run_ok(const fx *f)
{
    run_out r;
    if (run(f, &r) != UPD_COMPLETED) {
        char *msg = xasprintf("update: %s: %s", upd_state_name(r.state), r.error ? r.error : "");
        run_free(&r);
        fail_msg("%s", msg);
    }
    run_free(&r);
}

static void run_full_refresh(const fx *f)
{
    upd_options o = {0};
    o.full_refresh = true;
    run_out r;
    run_prepare(f, &r);
    upd_state s = run_hooked(f, &o, &r);
    if (s != UPD_COMPLETED) fail_msg("full refresh: %s: %s", upd_state_name(s), r.error);
    run_free(&r);
}

static bool has_event(const run_out *r, const char *level, const char *needle)
{
    for (size_t i = 0; i < r->ev.n; i++)
        if ((!level || !strcmp(r->ev.v[i].level, level)) && r->ev.v[i].message &&
            strstr(r->ev.v[i].message, needle))
            return true;
    return false;
}

static void assert_event(const run_out *r, const char *level, const char *needle)
{
    if (!has_event(r, level, needle)) {
        for (size_t i = 0; i < r->ev.n; i++)
            fprintf(stderr, "  [%s %s] %s\n", r->ev.v[i].level, r->ev.v[i].type,
                    r->ev.v[i].message);
        fail_msg("no %s event with '%s'", level ? level : "", needle);
    }
}

/* The flow_progress object of flow's last event with details (caller
 * deletes the root). */
static cJSON *flow_json(const run_out *r, const char *flow, const cJSON **fp)
{
    const ev *found = NULL;
    for (size_t i = 0; i < r->ev.n; i++)
        if (!strcmp(r->ev.v[i].type, "flow_progress") && r->ev.v[i].flow &&
            str_ieq(r->ev.v[i].flow, flow) && r->ev.v[i].details)
            found = &r->ev.v[i];
    if (!found) fail_msg("no flow_progress event for %s", flow);
    cJSON *root = cJSON_Parse(found->details);
    *fp = cJSON_GetObjectItemCaseSensitive(root, "flow_progress");
    if (!*fp) fail_msg("bad details %s", found->details);
    return root;
}

static bool flow_up_to_date(const run_out *r, const char *flow)
{
    const cJSON *fp;
    cJSON *root = flow_json(r, flow, &fp);
    bool yes = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fp, "up_to_date"));
    cJSON_Delete(root);
    return yes;
}

static long long flow_metric(const run_out *r, const char *flow, const char *group,
                             const char *name)
{
    const cJSON *fp;
    cJSON *root = flow_json(r, flow, &fp);
    const cJSON *g = cJSON_GetObjectItemCaseSensitive(fp, group);
    const cJSON *n = g ? cJSON_GetObjectItemCaseSensitive(g, name) : NULL;
    long long v = cJSON_IsNumber(n) ? (long long)n->valuedouble : -1;
    cJSON_Delete(root);
    return v;
}

/* ---------------------------------------------------------------- dry run */

typedef struct checked {
    project p;
    diag_list d;
    val_result r;
    int rc;
    char *problems;
} checked;

static void check(checked *c, const fx *f)
{
    memset(c, 0, sizeof(*c));
    prj_load(&c->p, f->dir, NULL, &c->d);
    c->rc = val_run(&c->p, &c->d, &c->r);
    sb b = {0};
    for (size_t i = 0; i < c->d.items.n; i++) {
        char *s = diag_format(&c->d.items.v[i]);
        sb_addf(&b, "%s\n", s);
        free(s);
    }
    c->problems = sb_take(&b);
}

static void uncheck(checked *c)
{
    val_free(&c->r);
    prj_free(&c->p);
    diag_free(&c->d);
    free(c->problems);
}

static void assert_has(const checked *c, const char *needle)
{
    if (!strstr(c->problems, needle)) fail_msg("missing '%s' in:\n%s", needle, c->problems);
}

/* "name, ..." of dataset name's columns in the dry run. */
static char *dry_columns(const checked *c, const char *name)
{
    int d = prj_dataset_find(&c->p, name);
    assert_true(d >= 0);
    const val_dataset *vd = &c->r.datasets[d];
    sb b = {0};
    for (size_t i = 0; i < vd->columns.n; i++)
        sb_addf(&b, "%s%s", i ? ", " : "", vd->columns.v[i].name);
    return sb_take(&b);
}

/* ================================================================ options */

typedef struct problems {
    sb text;
    int n;
    size_t max_off;
} problems;

static void on_problem(void *ctx, size_t off, const char *msg)
{
    problems *p = ctx;
    sb_addf(&p->text, "%zu: %s\n", off, msg);
    p->n++;
    if (off > p->max_off) p->max_off = off;
}

static int parse_opts(const char *args, ing_options *o, problems *p)
{
    memset(p, 0, sizeof(*p));
    return ing_options_parse(args, 0, strlen(args), o, on_problem, p);
}

static void test_options_parse(void **state)
{
    (void)state;
    ing_options o;
    problems p;
    /* defaults */
    assert_int_equal(parse_opts("'data/*.csv'", &o, &p), 0);
    assert_string_equal(o.glob, "data/*.csv");
    assert_int_equal(o.format, ING_CSV);
    assert_false(o.header);
    assert_int_equal(o.csv.delimiter, ',');
    assert_int_equal(o.csv.quote, '"');
    assert_int_equal(o.csv.escape, '\\');
    assert_int_equal(o.csv.comment, 0);
    assert_null(o.null_value);
    assert_int_equal(o.skip_rows, 0);
    assert_int_equal(o.mode, ING_PERMISSIVE);
    assert_true(o.infer_types);
    assert_false(o.allow_overwrites);
    assert_int_equal(o.sample_rows, 1000);
    ing_options_free(&o);
    sb_free(&p.text);

    /* every option, names in any case and with or without underscores */
    const char *all = "'in/**/*.txt', format => 'CSV', header => true, sep => ';', "
                      "quote => '''', escape => '', comment => '#', nullValue => 'NA', "
                      "skip_rows => 2, MODE => 'dropMalformed', schemaHints => 'id INT', "
                      "inferColumnTypes => false, allowOverwrites => 'true', "
                      "encoding => 'UTF-8', sampleRows => 10, multiLine => true, "
                      "inferSchema => true";
    if (parse_opts(all, &o, &p) != 0) fail_msg("%s", sb_str(&p.text));
    assert_string_equal(o.glob, "in/**/*.txt");
    assert_true(o.header);
    assert_int_equal(o.csv.delimiter, ';');
    assert_int_equal(o.csv.quote, '\'');
    assert_int_equal(o.csv.escape, 0);
    assert_int_equal(o.csv.comment, '#');
    assert_string_equal(o.null_value, "NA");
    assert_int_equal(o.skip_rows, 2);
    assert_int_equal(o.mode, ING_DROPMALFORMED);
    assert_string_equal(o.schema_hints, "id INT");
    assert_null(o.schema);
    assert_false(o.infer_types);
    assert_true(o.allow_overwrites);
    assert_int_equal(o.sample_rows, 10);
    ing_options_free(&o);
    sb_free(&p.text);

    /* tab and other escapes; delimiter as another name; schema_hints; json */
    assert_int_equal(parse_opts("'x', delimiter => '\\t', schema_hints => 'a STRING', "
                                "format => 'json', mode => 'FAILFAST', schema => 'a INT', "
                                "header => 1, quote => ''", &o, &p), 0);
    assert_int_equal(o.csv.delimiter, '\t');
    assert_string_equal(o.schema_hints, "a STRING");
    assert_string_equal(o.schema, "a INT");
    assert_int_equal(o.format, ING_JSON);
    assert_int_equal(o.mode, ING_FAILFAST);
    assert_true(o.header);
    assert_int_equal(o.csv.quote, 0);
    ing_options_free(&o);
    sb_free(&p.text);

    /* problems, each reported at a place inside the text */
    const char *bad[] = {
        "'x', format => 'xml'",         "'x', header => maybe",
        "'x', sep => ';;'",             "'x', sep => ''",
        "'x', mode => 'LAX'",           "'x', schemaHints => 'a FOO'",
        "'x', bogus => 1",              "'x', skipRows => -1",
        "'x', skipRows => many",        "'x', sampleRows => 0",
        "'x', encoding => 'latin1'",    "format => 'csv'",
        "''",                           "'x', header =>",
        "'x', header = true",           "'x' header => true",
        "",                             "'x', schema => 'a'",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        int rc = parse_opts(bad[i], &o, &p);
        if (rc != -1 || p.n < 1) fail_msg("'%s' accepted", bad[i]);
        assert_true(p.max_off <= strlen(bad[i]));
        ing_options_free(&o);
        sb_free(&p.text);
    }
    /* the message names the problem */
    assert_int_equal(parse_opts("'x', bogus => 1", &o, &p), -1);
    assert_non_null(strstr(sb_str(&p.text), "5: unknown read_files option 'bogus'"));
    ing_options_free(&o);
    sb_free(&p.text);
    assert_int_equal(parse_opts("'x', mode => 'LAX'", &o, &p), -1);
    assert_non_null(strstr(sb_str(&p.text), "PERMISSIVE, DROPMALFORMED or FAILFAST"));
    ing_options_free(&o);
    sb_free(&p.text);
    /* all problems are reported, not only the first */
    assert_int_equal(parse_opts("'x', format => 'xml', header => maybe", &o, &p), -1);
    assert_int_equal(p.n, 2);
    ing_options_free(&o);
    sb_free(&p.text);
}

/* ================================================================ schemas */

static void add_col(ing_schema *s, const char *name, const char *header, inf_type t)
{
    ing_column c = {xstrdup(name), header ? xstrdup(header) : NULL, t};
    VEC_PUSH(&s->cols, c);
}

static char *schema_text(const ing_schema *s)
{
    sb b = {0};
    for (size_t i = 0; i < s->cols.n; i++)
        sb_addf(&b, "%s%s(%s)%s", i ? " " : "", s->cols.v[i].name,
                s->cols.v[i].header ? s->cols.v[i].header : "-",
                inf_type_name(s->cols.v[i].type));
    return sb_take(&b);
}

static void test_schema_merge_and_json(void **state)
{
    (void)state;
    ing_schema base = {0}, more = {0};
    add_col(&base, "id", "id", INF_INTEGER);
    add_col(&base, "a", "a", INF_TEXT);
    add_col(&base, "b", "b!", INF_TEXT);
    add_col(&more, "id", "ID", INF_TEXT);         /* known (any case): base's type stays */
    add_col(&more, "a", "a", INF_REAL);
    add_col(&more, "a_2", "a", INF_REAL);         /* a second "a": a column of its own */
    add_col(&more, "b", "b", INF_DATE);           /* a new header whose name is taken */
    add_col(&more, "_c0", NULL, INF_BOOLEAN);     /* positional */
    assert_int_equal(ing_schema_merge(&base, &more), 3);
    char *t = schema_text(&base);
    assert_string_equal(t, "id(id)INTEGER a(a)TEXT b(b!)TEXT a_2(a)REAL b_2(b)DATE "
                           "_c0(-)BOOLEAN");
    free(t);
    /* merging again adds nothing */
    assert_int_equal(ing_schema_merge(&base, &more), 0);

    /* JSON and back */
    char *json = ing_schema_json(&base);
    assert_non_null(strstr(json, "{\"name\": \"_c0\", \"header\": null, \"type\": \"BOOLEAN\"}"));
    ing_schema back;
    assert_int_equal(ing_schema_from_json(json, &back), 0);
    char *t1 = schema_text(&base), *t2 = schema_text(&back);
    assert_string_equal(t1, t2);
    free(t1);
    free(t2);
    free(json);
    ing_schema copy;
    ing_schema_copy(&copy, &back);
    t1 = schema_text(&copy);
    t2 = schema_text(&back);
    assert_string_equal(t1, t2);
    free(t1);
    free(t2);
    ing_schema_free(&copy);
    ing_schema_free(&back);
    assert_int_equal(ing_schema_from_json("{\"not\": \"a list\"}", &back), -1);
    assert_int_equal(ing_schema_from_json("[{\"name\":", &back), -1);
    /* unknown types read as TEXT; entries without a name are skipped */
    assert_int_equal(ing_schema_from_json("[{\"name\": \"x\", \"type\": \"WEIRD\"}, "
                                          "{\"type\": \"INTEGER\"}]", &back), 0);
    t = schema_text(&back);
    assert_string_equal(t, "x(-)TEXT");
    free(t);
    ing_schema_free(&back);
    ing_schema_free(&base);
    ing_schema_free(&more);
}

/* ================================================================ CSV options end to end */

static void test_csv_options_end_to_end(void **state)
{
    fx *f = *state;
    put(f, "data/semi.csv",
        "report generated 2024-01-01\n"
        "ignored line two\n"
        "id;name;score;note\n"
        "# a comment line\n"
        "1;'Smith; John';NA;'it''s'\n"
        "2;'a \\'q\\'';3.5;plain\n"
        "\n"
        "3;NA;;x\n");
    put(f, "data/t.tsv", "a\t1\nb\t2\n");
    put(f, "data/s.csv", "v\n1\nx\n3\n");
    pipeline(f,
             "CREATE MATERIALIZED VIEW semi AS SELECT * FROM read_files('data/semi.csv',\n"
             "  format => 'csv', header => true, sep => ';', quote => '''', escape => '\\',\n"
             "  comment => '#', nullValue => 'NA', skipRows => 2);\n"
             "CREATE MATERIALIZED VIEW tsv AS SELECT * FROM read_files('data/*.tsv',\n"
             "  sep => '\\t');\n"
             "CREATE MATERIALIZED VIEW untyped AS SELECT * FROM read_files('data/semi.csv',\n"
             "  header => 'true', sep => ';', quote => '''', skipRows => 2, comment => '#',\n"
             "  inferColumnTypes => false);\n"
             "CREATE MATERIALIZED VIEW sampled AS SELECT * FROM read_files('data/s.csv',\n"
             "  header => true, sampleRows => 1, encoding => 'utf8');\n");
    run_ok(f);
    assert_text(f, "SELECT group_concat(id || ':' || coalesce(name, '~') || ':' || "
                   "coalesce(score, '~') || ':' || note || ':' || _source_line, ' | ') "
                   "FROM (SELECT * FROM semi ORDER BY id)",
                "1:Smith; John:~:it's:5 | 2:a 'q':3.5:plain:6 | 3:~:~:x:8");
    assert_columns(f, "semi", "id, name, score, note, _rescued_data, _source_file, _source_line");
    assert_int_equal(whi(f, "SELECT count(*) FROM semi WHERE _rescued_data IS NOT NULL"), 0);
    assert_text(f, "SELECT DISTINCT _source_file FROM semi", "data/semi.csv");
    /* no header: positional names; a tab given as '\t' */
    assert_text(f, "SELECT group_concat(_c0 || '=' || (_c1 * 10), ',') FROM tsv", "a=10,b=20");
    assert_columns(f, "tsv", "_c0, _c1, _rescued_data, _source_file, _source_line");
    /* inferColumnTypes => false: everything text; without nullValue NA is text */
    assert_text(f, "SELECT group_concat(typeof(id) || typeof(score), ',') FROM untyped",
                "texttext,texttext,textnull"); /* empty is NULL, nullValue or not */
    assert_text(f, "SELECT name FROM untyped WHERE id = '3'", "NA");
    /* sampleRows => 1: the type comes from the first row; what does not fit
     * it is rescued, never lost */
    assert_columns(f, "sampled", "v, _rescued_data, _source_file, _source_line");
    assert_text(f, "SELECT group_concat(coalesce(v, json_extract(_rescued_data, '$.v')), ',') "
                   "FROM sampled", "1,x,3");
}

static void test_crlf_bom_quoted_newlines(void **state)
{
    fx *f = *state;
    put(f, "data/a.csv",
        "\xEF\xBB\xBFid,text\r\n"
        "1,\"two\r\nlines\"\r\n"
        "\r\n"
        "2,plain\r\n"
        "3,\"x,\"\"y\"\"\"\r\n");
    pipeline(f, "CREATE MATERIALIZED VIEW v AS SELECT * FROM read_files('data/a.csv', "
                "header => true);\n");
    run_ok(f);
    /* the BOM is not part of the first name */
    assert_columns(f, "v", "id, text, _rescued_data, _source_file, _source_line");
    assert_text(f, "SELECT text FROM v WHERE id = 1", "two\r\nlines");
    assert_text(f, "SELECT text || '|' FROM v WHERE id = 2", "plain|");
    assert_text(f, "SELECT text FROM v WHERE id = 3", "x,\"y\"");
    assert_text(f, "SELECT group_concat(_source_line, ',') FROM (SELECT * FROM v ORDER BY id)",
                "2,5,6");
}

/* ================================================================ malformed input */

static void test_ragged_rows(void **state)
{
    fx *f = *state;
    put(f, "data/a.csv", "a,b,c\n1,2\n3,4,5,6,7\n8,9,10\n11\n");
    pipeline(f, "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files('data/a.csv', "
                "header => true);\n");
    run_ok(f);
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 4);
    /* short: the missing fields are NULL, nothing rescued */
    assert_int_equal(whi(f, "SELECT count(*) FROM t WHERE a = 1 AND b = 2 AND c IS NULL AND "
                            "_rescued_data IS NULL"), 1);
    assert_int_equal(whi(f, "SELECT count(*) FROM t WHERE a = 11 AND b IS NULL AND c IS NULL"), 1);
    /* long: the extra fields go to _rescued_data as _c<N> */
    assert_text(f, "SELECT a || b || c || ' ' || _rescued_data FROM t WHERE a = 3",
                "345 {\"_c3\": \"6\", \"_c4\": \"7\"}");
    assert_text(f, "SELECT json_extract(_rescued_data, '$._c4') FROM t WHERE a = 3", "7");
    assert_int_equal(whi(f, "SELECT _source_line FROM t WHERE a = 3"), 3);
    assert_int_equal(whi(f, "SELECT count(*) FROM t WHERE _rescued_data IS NOT NULL"), 1);
}

static void test_bad_quotes(void **state)
{
    fx *f = *state;
    put(f, "data/a.csv",
        "id,name,n\n"
        "1,\"ok\",1\n"
        "2,\"bad\"x,2\n"
        "3,\"open,3\n"
        "4,more\n");
    pipeline(f, "CREATE MATERIALIZED VIEW v AS SELECT * FROM read_files('data/a.csv', "
                "header => true);\n");
    run_ok(f);
    assert_int_equal(whi(f, "SELECT count(*) FROM v"), 3);
    assert_text(f, "SELECT name || ':' || n || ':' || json_extract(_rescued_data, '$._malformed') "
                   "FROM v WHERE id = 2", "badx:2:text after a closing quote");
    /* the unterminated quote swallows the rest of the file: into the field */
    assert_text(f, "SELECT name FROM v WHERE id = 3", "open,3\n4,more\n");
    assert_text(f, "SELECT json_extract(_rescued_data, '$._malformed') || ':' || _source_line "
                   "FROM v WHERE id = 3", "unterminated quoted field:4");
    assert_int_equal(whi(f, "SELECT count(*) FROM v WHERE id = 1 AND _rescued_data IS NULL"), 1);
}

static void test_invalid_utf8(void **state)
{
    fx *f = *state;
    put(f, "data/a.csv", "id,name,n\n1,caf\xE9,5\n2,ok,6\n3,\xC3\xA9t\xE9,x\xFF\n");
    pipeline(f, "CREATE MATERIALIZED VIEW v AS SELECT * FROM read_files('data/a.csv', "
                "header => true, schemaHints => 'n INT');\n");
    run_ok(f);
    /* the value is kept, repaired with U+FFFD; the original bytes are in
     * _rescued_data (as \u00XX escapes, one per byte) */
    assert_text(f, "SELECT name FROM v WHERE id = 1", "caf\xEF\xBF\xBD");
    assert_text(f, "SELECT _rescued_data FROM v WHERE id = 1", "{\"name\": \"caf\\u00e9\"}");
    assert_int_equal(whi(f, "SELECT json_valid(_rescued_data) FROM v WHERE id = 1"), 1);
    assert_int_equal(whi(f, "SELECT n FROM v WHERE id = 1"), 5);
    assert_int_equal(whi(f, "SELECT count(*) FROM v WHERE id = 2 AND _rescued_data IS NULL"), 1);
    /* every stored text is valid UTF-8 (SQLite would otherwise mangle it) */
    char *name = ts_sql_text(f->wh, "SELECT name FROM v WHERE id = 3");
    assert_non_null(name);
    assert_non_null(strstr(name, "\xEF\xBF\xBD"));
    free(name);
    assert_text(f, "SELECT json_extract(_rescued_data, '$.name') FROM v WHERE id = 3",
                "\xC3\xA9t\xC3\xA9"); /* the valid run kept, the invalid byte escaped */
    /* a value that is neither a number nor UTF-8: rescued, the column NULL */
    assert_text(f, "SELECT coalesce(n, 'null') || ' ' || json_extract(_rescued_data, '$.n') "
                   "FROM v WHERE id = 3", "null x\xC3\xBF");
}

static void test_empty_files(void **state)
{
    fx *f = *state;
    put(f, "data/a.csv", "id,v\n1,x\n2,y\n");
    put(f, "data/b.csv", "");
    put(f, "data/c.csv", "id,v,w\n");
    put(f, "data/d.csv", "\n\n\r\n");
    pipeline(f, "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files('data/*.csv', "
                "header => true);\n"
                "CREATE MATERIALIZED VIEW m AS SELECT * FROM read_files('data/*.csv', "
                "header => true);\n");
    run_ok(f);
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 2);
    assert_int_equal(whi(f, "SELECT count(*) FROM m"), 2);
    /* a header alone still names a column */
    assert_columns(f, "t", "id, v, w, _rescued_data, _source_file, _source_line");
    assert_int_equal(whi(f, "SELECT count(*) FROM t WHERE w IS NOT NULL OR _rescued_data IS NOT "
                            "NULL"), 0);
    /* every file is recorded as read, with its rows */
    assert_text(f, "SELECT group_concat(path || '=' || rows || '/' || size, ' ') FROM "
                   "(SELECT * FROM _tarn_files WHERE flow = 't' ORDER BY path)",
                "data/a.csv=2/13 data/b.csv=0/0 data/c.csv=0/7 data/d.csv=0/4");
    run_out r;
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_true(flow_up_to_date(&r, "t"));
    assert_true(flow_up_to_date(&r, "m"));
    run_free(&r);
}

static void test_only_empty_file_then_data(void **state)
{
    fx *f = *state;
    put(f, "data/a.csv", "");
    pipeline(f, "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files('data/*.csv', "
                "header => true);\n");
    run_ok(f);
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 0);
    assert_int_equal(whi(f, "SELECT count(*) FROM _tarn_files"), 1);
    /* the columns come with the first file that has them */
    put(f, "data/b.csv", "id,v\n1,x\n");
    run_ok(f);
    assert_text(f, "SELECT id || v FROM t", "1x");
    assert_columns(f, "t", "_rescued_data, _source_file, _source_line, id, v");
}

static void test_file_removed_between_listing_and_reading(void **state)
{
    fx *f = *state;
    /* 'order date' is renamed: the INFO event saying so comes after the
     * flow listed (and stat'ed) its files and before it reads them */
    put(f, "data/a.csv", "order date,id\n2024-01-01,1\n2024-01-02,2\n");
    put(f, "data/b.csv", "order date,id\n2024-02-01,3\n");
    pipeline(f, "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files('data/*.csv', "
                "header => true);\n");
    run_out r;
    run_prepare(f, &r);
    r.remove_on = "read_files('data/*.csv'): column 'order date' is read as order_date";
    r.remove_file = "data/b.csv";
    assert_int_equal(run_hooked(f, NULL, &r), UPD_COMPLETED);
    assert_true(r.removed);
    assert_event(&r, "WARN", "file data/b.csv was gone when its turn came: not read");
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 2);
    assert_text(f, "SELECT group_concat(path) FROM _tarn_files", "data/a.csv");
    /* when it is back, it is read (once) */
    put(f, "data/b.csv", "order date,id\n2024-02-01,3\n");
    run_ok(f);
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 3);
    assert_text(f, "SELECT order_date FROM t WHERE id = 3", "2024-02-01");
    assert_text(f, "SELECT group_concat(path) FROM (SELECT path FROM _tarn_files ORDER BY path)",
                "data/a.csv,data/b.csv");
    run_ok(f);
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 3);
}

/* ================================================================ types */

static void test_type_inference_and_codes(void **state)
{
    fx *f = *state;
    put(f, "data/a.csv",
        "id,price,zip,flag,day,at,mixed,neg\n"
        "1,9.99,02134,true,2024-02-29,2024-01-01T10:00:00Z,1,-5\n"
        "2,10,00501,FALSE,2024-03-01,2024-01-02 11:00,2.5,-0\n"
        "3,,12345,,2024-03-02,2024-01-03,x,+7\n");
    pipeline(f, "CREATE STREAMING TABLE v AS SELECT * FROM STREAM read_files('data/a.csv', "
                "header => true);\n");
    run_ok(f);
    assert_columns(f, "v", "id, price, zip, flag, day, at, mixed, neg, _rescued_data, _source_file, _source_line");
    assert_schema(f, "v", "id INTEGER, price REAL, zip TEXT, flag BOOLEAN, day DATE, at TIMESTAMP, "
                          "mixed TEXT, neg INTEGER");
    assert_text(f, "SELECT group_concat(zip, ',') FROM (SELECT zip FROM v ORDER BY id)",
                "02134,00501,12345");
    assert_text(f, "SELECT group_concat(typeof(zip) || typeof(price) || typeof(flag), ',') FROM "
                   "(SELECT * FROM v ORDER BY id)", "textrealinteger,textrealinteger,textnullnull");
    assert_text(f, "SELECT group_concat(flag, ',') FROM (SELECT flag FROM v ORDER BY id)", "1,0");
    assert_int_equal(whi(f, "SELECT sum(neg) FROM v"), 2);
    assert_text(f, "SELECT price FROM v WHERE id = 2", "10.0");
    assert_text(f, "SELECT at FROM v WHERE id = 3", "2024-01-03");
    assert_text(f, "SELECT day FROM v WHERE id = 1", "2024-02-29");
    assert_int_equal(whi(f, "SELECT count(*) FROM v WHERE _rescued_data IS NOT NULL"), 0);
}

static void test_schema_hints_and_schema(void **state)
{
    fx *f = *state;
    put(f, "data/a.csv", "id,price,zip,flag\n1,9.99,02134,true\n2,10,00501,yes\n");
    put(f, "data/p.csv", "1,x,extra\n2,y\n");
    pipeline(f,
             "CREATE STREAMING TABLE hinted AS SELECT * FROM STREAM read_files('data/a.csv',\n"
             "  header => true, schemaHints => 'zip INT, price STRING, extra DOUBLE');\n"
             "CREATE MATERIALIZED VIEW hinted2 AS SELECT * FROM read_files('data/a.csv',\n"
             "  header => true, schema_hints => 'flag BOOLEAN, `id` STRING');\n"
             "CREATE MATERIALIZED VIEW positional AS SELECT * FROM read_files('data/p.csv',\n"
             "  schema => 'a INT, b STRING');\n"
             "CREATE MATERIALIZED VIEW chosen AS SELECT * FROM read_files('data/a.csv',\n"
             "  header => true, schema => 'id BIGINT, zip STRING');\n");
    run_ok(f);
    /* hints override inference; a hinted column the files lack is added */
    assert_columns(f, "hinted", "id, price, zip, flag, extra, _rescued_data, _source_file, _source_line");
    assert_schema(f, "hinted", "id INTEGER, price TEXT, zip INTEGER, flag TEXT, extra REAL");
    assert_text(f, "SELECT group_concat(price || ':' || typeof(price) || ':' || zip || ':' || "
                   "typeof(zip) || ':' || coalesce(extra, '~'), ' ') FROM "
                   "(SELECT * FROM hinted ORDER BY id)",
                "9.99:text:2134:integer:~ 10:text:501:integer:~");
    /* a value that does not fit its hinted type is rescued */
    assert_columns(f, "hinted2", "id, price, zip, flag, _rescued_data, _source_file, _source_line");
    assert_text(f, "SELECT group_concat(coalesce(flag, '~') || ':' || coalesce(_rescued_data, '~'),"
                   " ' ') FROM (SELECT * FROM hinted2 ORDER BY id)",
                "1:~ ~:{\"flag\": \"yes\"}");
    assert_text(f, "SELECT group_concat(typeof(id)) FROM hinted2", "text,text");
    /* a full schema without header: by position; extra fields rescued */
    assert_columns(f, "positional", "a, b, _rescued_data, _source_file, _source_line");
    assert_text(f, "SELECT group_concat(a || b || ':' || coalesce(_rescued_data, '~'), ' ') FROM "
                   "(SELECT * FROM positional ORDER BY a)",
                "1x:{\"_c2\": \"extra\"} 2y:~");
    /* a full schema with header: those columns only; the others rescued */
    assert_columns(f, "chosen", "id, zip, _rescued_data, _source_file, _source_line");
    assert_text(f, "SELECT zip || ' ' || _rescued_data FROM chosen WHERE id = 1",
                "02134 {\"price\": \"9.99\", \"flag\": \"true\"}");

    /* a bad hint is a problem of the dry run, where the option is */
    pipeline(f, "CREATE MATERIALIZED VIEW hinted AS SELECT * FROM read_files('data/a.csv',\n"
                "  header => true, schemaHints => 'zip INTEGRAL');\n");
    checked c;
    check(&c, f);
    assert_int_equal(c.rc, -1);
    assert_has(&c, "transformations/p.sql:2:34: error: schema hint 'zip INTEGRAL'");
    uncheck(&c);
    run_out r;
    assert_int_equal(run(f, &r), UPD_FAILED);
    run_free(&r);
}

/* ================================================================ names */

static void test_renamed_columns(void **state)
{
    fx *f = *state;
    put(f, "data/a.csv", "order date,Price $,1st,,id,ID,a,a,_source_file\n"
                         "2024-01-01,5,x,y,1,2,3,4,z\n");
    pipeline(f, "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files('data/*.csv', "
                "header => true);\n");
    /* the dry run says how each name is read */
    checked c;
    check(&c, f);
    assert_int_equal(c.rc, 0);
    assert_has(&c, "transformations/p.sql:1:50: note: read_files: column 'order date' is read as "
                   "order_date");
    assert_has(&c, "note: read_files: column 'Price $' is read as Price__");
    assert_has(&c, "note: read_files: column '1st' is read as _1st");
    assert_has(&c, "note: read_files: column '' is read as _c3");
    assert_has(&c, "note: read_files: column 'ID' is read as ID_2");
    assert_has(&c, "note: read_files: column 'a' is read as a_2");
    assert_has(&c, "note: read_files: column '_source_file' is read as _source_file_2");
    char *cols = dry_columns(&c, "t");
    assert_string_equal(cols, "order_date, Price__, _1st, _c3, id, ID_2, a, a_2, "
                              "_source_file_2, _rescued_data, _source_file, _source_line");
    free(cols);
    uncheck(&c);
    /* the update says it too, as INFO events of the flow */
    run_out r;
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_event(&r, "INFO", "read_files('data/*.csv'): column 'order date' is read as order_date");
    assert_event(&r, "INFO", "column 'a' is read as a_2");
    run_free(&r);
    assert_schema(f, "t", "order_date DATE, Price__ INTEGER, _1st TEXT, _c3 TEXT, id INTEGER, "
                          "ID_2 INTEGER, a INTEGER, a_2 INTEGER, _source_file_2 TEXT");
    assert_text(f, "SELECT json_extract(schema, '$[7].header') || json_extract(schema, "
                   "'$[0].header') FROM _tarn_source_schemas", "aorder date");
    /* every value landed in its own column, none lost */
    assert_text(f, "SELECT order_date || Price__ || _1st || _c3 || id || ID_2 || a || a_2 || "
                   "_source_file_2 || _source_file FROM t",
                "2024-01-015xy1234zdata/a.csv");
    assert_int_equal(whi(f, "SELECT count(*) FROM t WHERE _rescued_data IS NULL"), 1);
}

static void test_rowid_column_renamed(void **state)
{
    fx *f = *state;
    /* a file with a "rowid" column: kept as a column of its own, since
     * STREAM() reads new rows of a table by its rowid */
    put(f, "data/a.csv", "rowid,v\n100,a\n200,b\n");
    pipeline(f, "CREATE STREAMING TABLE raw AS SELECT * FROM STREAM read_files('data/*.csv', "
                "header => true);\n"
                "CREATE STREAMING TABLE down AS SELECT * FROM STREAM(raw);\n");
    run_out r;
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_event(&r, "INFO", "column 'rowid' is read as rowid_2");
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM down"), 2);
    put(f, "data/b.csv", "rowid,v\n5,c\n");
    run_ok(f);
    assert_int_equal(whi(f, "SELECT count(*) FROM raw"), 3);
    assert_int_equal(whi(f, "SELECT count(*) FROM down"), 3);
    assert_text(f, "SELECT group_concat(rowid_2 || v, ' ') FROM (SELECT * FROM down ORDER BY v)",
                "100a 200b 5c");
}

/* ================================================================ schema evolution */

static void test_schema_evolution(void **state)
{
    fx *f = *state;
    put(f, "data/a.csv", "id,name\n1,x\n");
    pipeline(f, "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files('data/*.csv', "
                "header => true);\n");
    run_ok(f);
    assert_columns(f, "t", "id, name, _rescued_data, _source_file, _source_line");
    /* a new file with a new column: the column is added, earlier rows NULL */
    put(f, "data/b.csv", "id,name,extra\n2,y,2.5\n");
    run_out r;
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_event(&r, "INFO", "read_files('data/*.csv'): 1 new column from new files");
    run_free(&r);
    assert_columns(f, "t", "id, name, _rescued_data, _source_file, _source_line, extra");
    assert_schema(f, "t", "id INTEGER, name TEXT, extra REAL");
    assert_text(f, "SELECT group_concat(id || ':' || coalesce(extra, '~'), ' ') FROM "
                   "(SELECT * FROM t ORDER BY rowid)", "1:~ 2:2.5");
    char *schema = ts_sql_text(f->wh, "SELECT schema FROM _tarn_source_schemas WHERE flow = 't'");
    assert_non_null(schema);
    assert_non_null(strstr(schema, "\"name\": \"extra\""));
    free(schema);
    /* a type conflict: the established type stays, the value is rescued */
    put(f, "data/c.csv", "id,name,extra\nthree,z,lots\n");
    /* columns in another order are matched by name */
    put(f, "data/d.csv", "extra,name,id\n7.5,w,4\n");
    run_ok(f);
    assert_columns(f, "t", "id, name, _rescued_data, _source_file, _source_line, extra");
    assert_text(f, "SELECT coalesce(id, '~') || ' ' || name || ' ' || _rescued_data FROM t "
                   "WHERE _source_file = 'data/c.csv'",
                "~ z {\"id\": \"three\", \"extra\": \"lots\"}");
    assert_text(f, "SELECT id || name || extra FROM t WHERE _source_file = 'data/d.csv'", "4w7.5");
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 4);
}

/* ================================================================ modes */

static void test_failfast(void **state)
{
    fx *f = *state;
    put(f, "data/a.csv", "id,v\n1,x\n2,y\n");
    put(f, "data/b.csv", "id,v\n3,z\n4,w,extra\n5,q\n");
    pipeline(f, "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files('data/*.csv', "
                "header => true, mode => 'FAILFAST', schemaHints => 'id INT');\n");
    run_out r;
    assert_int_equal(run(f, &r), UPD_FAILED);
    assert_non_null(r.error);
    if (!strstr(r.error, "data/b.csv:3:"))
        fail_msg("the error does not say where: %s", r.error);
    assert_non_null(strstr(r.error, "FAILFAST"));
    run_free(&r);
    /* nothing written, nothing recorded */
    assert_int_equal(whi(f, "SELECT count(*) FROM sqlite_schema WHERE name = 't'"), 0);
    assert_int_equal(whi(f, "SELECT count(*) FROM _tarn_files"), 0);
    /* a bad quote fails too, as does a value that does not fit */
    put(f, "data/b.csv", "id,v\n3,\"z\"junk\n");
    assert_int_equal(run(f, &r), UPD_FAILED);
    assert_non_null(strstr(r.error, "data/b.csv:2: text after a closing quote"));
    run_free(&r);
    put(f, "data/b.csv", "id,v\n3,z\n");
    put(f, "data/c.csv", "id,v\nfour,z\n");
    assert_int_equal(run(f, &r), UPD_FAILED);
    assert_non_null(strstr(r.error, "data/c.csv:2: a value does not fit its column"));
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM _tarn_files"), 0);
    /* once the files are fine, all of them are read */
    rm(f, "data/c.csv");
    run_ok(f);
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 3);
    assert_int_equal(whi(f, "SELECT count(*) FROM _tarn_files"), 2);
    /* a materialized view fails the same way and keeps its last contents */
    pipeline(f, "CREATE MATERIALIZED VIEW m AS SELECT * FROM read_files('data/*.csv', "
                "header => true, mode => 'failfast');\n");
    run_ok(f);
    assert_int_equal(whi(f, "SELECT count(*) FROM m"), 3);
    put(f, "data/b.csv", "id,v\n3,z\n\"4\"x,y\n");
    assert_int_equal(run(f, &r), UPD_FAILED);
    assert_non_null(strstr(r.error, "data/b.csv:3:"));
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM m"), 3);
}

static void test_dropmalformed(void **state)
{
    fx *f = *state;
    put(f, "data/a.csv", "id,v\n1,a\n2,b,extra\n3,\"c\"junk\n4,d\n5\nsix,e\n7,\"open\n");
    pipeline(f, "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files('data/*.csv', "
                "header => true, mode => 'DROPMALFORMED', sampleRows => 1);\n");
    run_out r;
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    /* short rows are not malformed (NULLs); long rows, bad quotes and values
     * that do not fit are dropped, and counted */
    assert_text(f, "SELECT group_concat(id || coalesce(v, '~'), ' ') FROM "
                   "(SELECT * FROM t ORDER BY id)", "1a 4d 5~");
    assert_int_equal(whi(f, "SELECT count(*) FROM t WHERE _rescued_data IS NOT NULL"), 0);
    assert_int_equal(flow_metric(&r, "t", "data_quality", "dropped_records"), 4);
    assert_int_equal(flow_metric(&r, "t", "metrics", "num_output_rows"), 3);
    assert_event(&r, "INFO", "3 rows written, 4 dropped");
    run_free(&r);
    assert_int_equal(whi(f, "SELECT rows FROM _tarn_files"), 3);
}

/* ================================================================ exactly once */

static void test_files_read_once(void **state)
{
    fx *f = *state;
    put(f, "data/a.csv", "id\n1\n2\n3\n");
    put(f, "data/sub/deeper/b.csv", "id\n4\n5\n");
    put(f, "data/skip.txt", "id\n99\n");
    pipeline(f, "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files('data/**/*.csv', "
                "header => true);\n");
    run_out r;
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    int64_t first = r.id;
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 5);
    assert_int_equal(whi(f, "SELECT sum(id) FROM t"), 15);
    /* each file recorded with its size, time, content hash, rows, update */
    assert_text(f, "SELECT group_concat(path || '=' || rows || '/' || size || '/' || "
                   "(update_id = " "(SELECT max(update_id) FROM _tarn_files)) || '/' || "
                   "length(hash) || '/' || (mtime_ns > 0), ' ') FROM "
                   "(SELECT * FROM _tarn_files ORDER BY path)",
                "data/a.csv=3/9/1/16/1 data/sub/deeper/b.csv=2/7/1/16/1");
    assert_int_equal(whi(f, "SELECT count(DISTINCT hash) FROM _tarn_files"), 2);
    assert_int_equal(whi(f, "SELECT max(update_id) FROM _tarn_files"), first);
    assert_text(f, "SELECT source FROM _tarn_files LIMIT 1", "data/**/*.csv");

    /* nothing new: up to date, nothing read */
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_true(flow_up_to_date(&r, "t"));
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 5);

    /* a new file: only it is read */
    put(f, "data/c.csv", "id\n6\n");
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_int_equal(flow_metric(&r, "t", "metrics", "num_output_rows"), 1);
    assert_int_equal(whi(f, "SELECT update_id FROM _tarn_files WHERE path = 'data/c.csv'"), r.id);
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 6);

    /* a file changed in place: reported, not read again */
    put(f, "data/a.csv", "id\n1\n2\n3\n100\n");
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_event(&r, "WARN", "file data/a.csv changed since update #");
    assert_event(&r, "WARN", "not read again (allowOverwrites => true would)");
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 6);
    assert_int_equal(whi(f, "SELECT size FROM _tarn_files WHERE path = 'data/a.csv'"), 9);
    /* the same size, another time: changed too */
    put(f, "data/c.csv", "id\n7\n");
    set_mtime(f, "data/c.csv", 1000000);
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_event(&r, "WARN", "file data/c.csv changed since update #");
    run_free(&r);
    assert_int_equal(whi(f, "SELECT sum(id) FROM t"), 21);

    /* with allowOverwrites, changed files are read again (their new rows) */
    pipeline(f, "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files('data/**/*.csv', "
                "header => true, allowOverwrites => true);\n");
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_event(&r, "INFO", "file data/a.csv changed since update #");
    assert_event(&r, "INFO", "reading it again (allowOverwrites)");
    assert_int_equal(flow_metric(&r, "t", "metrics", "num_output_rows"), 5);
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 11);
    assert_int_equal(whi(f, "SELECT count(*) FROM t WHERE id = 100"), 1);
    assert_int_equal(whi(f, "SELECT count(*) FROM t WHERE id = 7"), 1);
    assert_text(f, "SELECT size || '/' || rows FROM _tarn_files WHERE path = 'data/a.csv'",
                "13/4");
    /* and then once only */
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_true(flow_up_to_date(&r, "t"));
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 11);

    /* a full refresh reads every file again, once */
    run_full_refresh(f);
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 7);
    assert_int_equal(whi(f, "SELECT sum(id) FROM t"), 1 + 2 + 3 + 100 + 4 + 5 + 7);
    assert_int_equal(whi(f, "SELECT count(*) FROM _tarn_files"), 3);
    run_ok(f);
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 7);
}

static void test_materialized_view_over_files(void **state)
{
    fx *f = *state;
    put(f, "data/a.csv", "id\n1\n2\n");
    pipeline(f, "CREATE MATERIALIZED VIEW m AS SELECT count(*) AS n, sum(id) AS s FROM "
                "read_files('data/*.csv', header => true);\n");
    run_ok(f);
    assert_text(f, "SELECT n || '/' || s FROM m", "2/3");
    /* no file changed: up to date, not recomputed */
    run_out r;
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_true(flow_up_to_date(&r, "m"));
    run_free(&r);
    /* one changed: recomputed from all files */
    put(f, "data/a.csv", "id\n1\n2\n3\n");
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_false(flow_up_to_date(&r, "m"));
    run_free(&r);
    assert_text(f, "SELECT n || '/' || s FROM m", "3/6");
    /* the same size, a new time: recomputed */
    put(f, "data/a.csv", "id\n1\n2\n4\n");
    set_mtime(f, "data/a.csv", 2000000);
    run_ok(f);
    assert_text(f, "SELECT n || '/' || s FROM m", "3/7");
    /* one added, one removed */
    put(f, "data/b.csv", "id\n10\n");
    run_ok(f);
    assert_text(f, "SELECT n || '/' || s FROM m", "4/17");
    rm(f, "data/a.csv");
    run_ok(f);
    assert_text(f, "SELECT n || '/' || s FROM m", "1/10");
    assert_int_equal(run(f, &r), UPD_COMPLETED);
    assert_true(flow_up_to_date(&r, "m"));
    run_free(&r);
}

/* ================================================================ JSON */

static void test_json_lines(void **state)
{
    fx *f = *state;
    put(f, "data/a.json",
        "{\"id\": 1, \"name\": \"x\", \"tags\": [\"a\", \"b\"], \"addr\": {\"city\": \"Oslo\"}, "
        "\"ok\": true, \"when\": \"2024-01-01\", \"first name\": \"Ann\"}\r\n"
        "\r\n"
        "{\"id\": 2, \"name\": null, \"tags\": [], \"addr\": null, \"ok\": false, "
        "\"score\": 1.5}\n"
        "not json\n"
        "[1,2]\n"
        "{\"id\": 5} {\"id\": 6}\n"
        "{\"id\": 7, \"name\": \"\\u00e9\\\"q\\\"\"}\n"
        "{\"id\": 8, \"name\": \"first\", \"NAME\": \"second\", \"id\": 9}\n");
    pipeline(f, "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files('data/*.json', "
                "format => 'json');\n");
    run_ok(f);
    assert_columns(f, "t", "id, name, tags, addr, ok, when, first_name, score, _rescued_data, _source_file, _source_line");
    assert_schema(f, "t", "id INTEGER, name TEXT, tags TEXT, addr TEXT, ok BOOLEAN, when DATE, "
                          "first_name TEXT, score REAL");
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 7);
    /* a key met twice in one object (in any case): the first value in the
     * column, the other rescued */
    assert_text(f, "SELECT name || ' ' || _rescued_data FROM t WHERE id = 8",
                "first {\"NAME\": \"second\", \"id\": \"9\"}");
    /* nested values kept as JSON text */
    assert_text(f, "SELECT tags || ' ' || addr || ' ' || ok || ' ' || \"when\" || ' ' || "
                   "first_name || ' ' || _source_line FROM t WHERE id = 1",
                "[\"a\",\"b\"] {\"city\":\"Oslo\"} 1 2024-01-01 Ann 1");
    assert_text(f, "SELECT tags || coalesce(addr, '~') || ok || score || typeof(score) || "
                   "coalesce(name, '~') || _source_line FROM t WHERE id = 2",
                "[]~01.5real~3");
    assert_text(f, "SELECT name FROM t WHERE id = 7", "\xC3\xA9\"q\"");
    /* what is not a JSON object is rescued whole, with the reason */
    assert_text(f, "SELECT group_concat(json_extract(_rescued_data, '$._malformed') || ':' || "
                   "json_extract(_rescued_data, '$._record') || ':' || _source_line, ' | ') "
                   "FROM (SELECT * FROM t WHERE id IS NULL ORDER BY _source_line)",
                "invalid JSON:not json:4 | not a JSON object:[1,2]:5 | "
                "invalid JSON:{\"id\": 5} {\"id\": 6}:6");
}

static void test_json_arrays(void **state)
{
    fx *f = *state;
    put(f, "data/a.json",
        "\xEF\xBB\xBF[\n"
        "  {\"id\": 10, \"nested\": {\"k\": [1, {\"x\": \"]\"}]}},\n"
        "  {\"id\": 11,\n"
        "   \"s\": \"with \\\"quotes\\\" and ] brackets, too\", \"n\": 3.25},\n"
        "  {\"id\": 12, \"unknown_later\": 1}\n"
        "]\n");
    put(f, "data/b.json", "[{\"id\": 20}, {\"id\": 21, \"s\": \"cut");
    put(f, "data/c.json", "[{\"id\": 30}] trailing");
    pipeline(f, "CREATE MATERIALIZED VIEW v AS SELECT * FROM read_files('data/*.json', "
                "format => 'json', sampleRows => 2);\n");
    run_ok(f);
    assert_columns(f, "v", "id, nested, s, n, _rescued_data, _source_file, _source_line");
    assert_text(f, "SELECT nested || ' ' || _source_line FROM v WHERE id = 10",
                "{\"k\":[1,{\"x\":\"]\"}]} 2");
    assert_text(f, "SELECT s || ' ' || _source_line FROM v WHERE id = 11",
                "with \"quotes\" and ] brackets, too 3");
    /* a key the sample did not see is rescued (sampleRows => 2) */
    assert_text(f, "SELECT n FROM v WHERE id = 11", "3.25");
    assert_text(f, "SELECT coalesce(n, '~') || ' ' || _rescued_data FROM v WHERE id = 12",
                "~ {\"unknown_later\": \"1\"}");
    /* a truncated array: its last element rescued, the rows before kept */
    assert_int_equal(whi(f, "SELECT count(*) FROM v WHERE _source_file = 'data/b.json'"), 2);
    assert_text(f, "SELECT json_extract(_rescued_data, '$._malformed') || ' ' || "
                   "json_extract(_rescued_data, '$._record') FROM v WHERE "
                   "_source_file = 'data/b.json' AND id IS NULL",
                "unterminated JSON value {\"id\": 21, \"s\": \"cut");
    /* text after the array */
    assert_text(f, "SELECT group_concat(coalesce(id, json_extract(_rescued_data, '$._malformed') "
                   "|| ':' || json_extract(_rescued_data, '$._record')), ' | ') FROM v WHERE "
                   "_source_file = 'data/c.json'",
                "30 | text after the end of the JSON array:trailing");
}

/* ================================================================ dry run */

static void test_dry_run(void **state)
{
    fx *f = *state;
    put(f, "data/a.csv", "id,name\n1,x\n");
    pipeline(f, "CREATE STREAMING TABLE t AS SELECT * FROM STREAM read_files('data/*.csv', "
                "header => true);\n"
                "CREATE MATERIALIZED VIEW m AS SELECT name, count(*) AS n FROM t GROUP BY name;\n"
                "CREATE MATERIALIZED VIEW given AS SELECT * FROM read_files('none/*.csv', "
                "schema => 'a INT, b STRING');\n");
    checked c;
    check(&c, f);
    if (c.rc != 0) fail_msg("%s", c.problems);
    char *cols = dry_columns(&c, "t");
    assert_string_equal(cols, "id, name, _rescued_data, _source_file, _source_line");
    free(cols);
    /* no file, but a schema: its columns */
    cols = dry_columns(&c, "given");
    assert_string_equal(cols, "a, b, _rescued_data, _source_file, _source_line");
    free(cols);
    uncheck(&c);
    /* the dry run wrote no warehouse */
    char *wh = ts_path(f->dir, ".tarn/warehouse.db");
    struct stat st;
    assert_int_equal(stat(wh, &st), -1);
    free(wh);

    /* problems with their places */
    pipeline(f, "CREATE MATERIALIZED VIEW a AS SELECT * FROM read_files('data/*.csv',\n"
                "  header => true, bogus => 1);\n"
                "CREATE MATERIALIZED VIEW b AS SELECT * FROM read_files('nothing/*.csv');\n"
                "CREATE MATERIALIZED VIEW c AS SELECT * FROM read_files('data/*.csv', "
                "mode => 'lenient');\n"
                "CREATE MATERIALIZED VIEW d AS SELECT nope FROM read_files('data/*.csv', "
                "header => true);\n");
    check(&c, f);
    assert_int_equal(c.rc, -1);
    assert_has(&c, "transformations/p.sql:2:19: error: unknown read_files option 'bogus'");
    assert_has(&c, "transformations/p.sql:3:45: error: read_files('nothing/*.csv'): no file "
                   "matches, so its columns are unknown");
    assert_has(&c, "transformations/p.sql:4:78: error: mode wants PERMISSIVE, DROPMALFORMED or "
                   "FAILFAST, not 'lenient'");
    assert_has(&c, "transformations/p.sql:5:");
    assert_has(&c, "no such column: nope");
    uncheck(&c);
}

/* ================================================================ cancel and crash */

/* n rows "id,val" with ids from first. */
static char *numbers_csv(int64_t first, int64_t n)
{
    sb b = {0};
    sb_add(&b, "id,val\n");
    for (int64_t i = first; i < first + n; i++) sb_addf(&b, "%lld,v%lld\n", (long long)i,
                                                       (long long)(i % 97));
    return sb_take(&b);
}

static const char *NUM_SQL = "CREATE STREAMING TABLE t AS SELECT * FROM STREAM "
                             "read_files('data/*.csv', header => true);\n";

static void test_cancel_mid_load(void **state)
{
    fx *f = *state;
    put(f, "data/a.csv", "id,val\n0,start\n");
    pipeline(f, NUM_SQL);
    run_ok(f);
    char *big = numbers_csv(1, 60000);
    put(f, "data/b.csv", big);
    free(big);
    run_out r;
    run_prepare(f, &r);
    r.cancel_at = 8192;
    assert_int_equal(run_hooked(f, NULL, &r), UPD_CANCELED);
    assert_true(r.max_rows >= 8192);
    assert_true(r.bytes_ok);
    assert_true(r.total_bytes > 0);
    run_free(&r);
    /* nothing of the canceled file */
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 1);
    assert_int_equal(whi(f, "SELECT count(*) FROM _tarn_files"), 1);
    /* the next update reads it whole, once */
    run_prepare(f, &r);
    assert_int_equal(run_hooked(f, NULL, &r), UPD_COMPLETED);
    assert_true(r.bytes_ok);
    assert_int_equal(r.last_bytes, r.total_bytes); /* progress ends at the total */
    run_free(&r);
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 60001);
    assert_int_equal(whi(f, "SELECT count(DISTINCT id) FROM t"), 60001);
    assert_int_equal(whi(f, "SELECT rows FROM _tarn_files WHERE path = 'data/b.csv'"), 60000);
}

typedef struct crash_ctx {
    int fd;          /* write end: told when the load is under way */
    bool told;
} crash_ctx;

static void crash_rows(void *ctx, const char *dataset, const char *flow, int64_t rows,
                       int64_t bytes, int64_t total)
{
    crash_ctx *c = ctx;
    (void)dataset;
    (void)flow;
    (void)bytes;
    (void)total;
    if (rows >= 100000 && !c->told) {
        c->told = true;
        if (write(c->fd, "x", 1) != 1) _exit(3);
        for (;;) pause(); /* in the middle of the load until killed */
    }
}

static void test_crash_mid_load_exactly_once(void **state)
{
    fx *f = *state;
    const int64_t N = 500000;
    /* a clean load of the same files in another folder */
    fx *clean = fx_new();
    assert_non_null(clean);
    char *small = numbers_csv(-99, 100);
    char *big = numbers_csv(1, N);
    put(f, "data/a.csv", small);
    put(clean, "data/a.csv", small);
    pipeline(f, NUM_SQL);
    pipeline(clean, NUM_SQL);
    run_ok(f); /* the small file is read before the crash */
    put(f, "data/b.csv", big);
    put(clean, "data/b.csv", big);
    free(small);
    free(big);
    run_ok(clean);

    int p[2];
    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        crash_ctx c = {p[1], false};
        upd_listener l = {NULL, crash_rows, &c};
        upd *u = upd_new(f->dir, NULL, NULL, &l);
        upd_run(u);
        _exit(2); /* the load ended before it could be killed */
    }
    close(p[1]);
    char got = 0;
    ssize_t n = read(p[0], &got, 1);
    close(p[0]);
    kill(pid, SIGKILL);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(n, 1);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    /* nothing of the file being read when it died */
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), 100);
    assert_int_equal(whi(f, "SELECT count(*) FROM _tarn_files"), 1);
    /* the next update reads it, once; the table equals the clean load */
    run_ok(f);
    const char *q = "SELECT count(*) || '/' || sum(id) || '/' || count(DISTINCT id) || '/' || "
                    "sum(length(val)) FROM t";
    char *want = ts_sql_text(clean->wh, q);
    assert_non_null(want);
    char *expect = xasprintf("%lld/", (long long)(N + 100));
    assert_true(!strncmp(want, expect, strlen(expect)));
    free(expect);
    assert_text(f, q, want);
    free(want);
    assert_int_equal(whi(f, "SELECT count(*) FROM (SELECT id FROM t GROUP BY id HAVING "
                            "count(*) > 1)"), 0);
    assert_text(f, "SELECT group_concat(path || '=' || rows, ' ') FROM "
                   "(SELECT * FROM _tarn_files ORDER BY path)",
                "data/a.csv=100 data/b.csv=500000");
    run_ok(f);
    assert_int_equal(whi(f, "SELECT count(*) FROM t"), N + 100);
    fx_free(clean);
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_parse),
        cmocka_unit_test(test_schema_merge_and_json),
        T(test_csv_options_end_to_end),
        T(test_crlf_bom_quoted_newlines),
        T(test_ragged_rows),
        T(test_bad_quotes),
        T(test_invalid_utf8),
        T(test_empty_files),
        T(test_only_empty_file_then_data),
        T(test_file_removed_between_listing_and_reading),
        T(test_type_inference_and_codes),
        T(test_schema_hints_and_schema),
        T(test_renamed_columns),
        T(test_rowid_column_renamed),
        T(test_schema_evolution),
        T(test_failfast),
        T(test_dropmalformed),
        T(test_files_read_once),
        T(test_materialized_view_over_files),
        T(test_json_lines),
        T(test_json_arrays),
        T(test_dry_run),
        T(test_cancel_mid_load),
        T(test_crash_mid_load_exactly_once),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
