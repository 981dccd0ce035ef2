/*
 * test_dg_edit.c - unit tests for designer/edit: statements appended,
 * replaced and deleted, a dataset renamed across files, and node positions
 * in tarn.json. Small projects are written to a temp folder; each change is
 * checked against the whole expected text (golden before/after), that the
 * bytes outside the change are the same as before, and that the project
 * loads again without errors and with the expected datasets. Refused
 * changes leave every file (tarn.json too) as it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "edit.h"
#include "fsutil.h"
#include "project.h"
#include "testsupport.h"

/* ---------------------------------------------------------------- helpers */

#define MANIFEST(extra)                                                        \
    "{\n  \"name\": \"t\",\n  \"libraries\": [\"transformations/**/*.sql\"]" extra "\n}\n"

static void put(const char *dir, const char *rel, const char *text)
{
    assert_int_equal(ts_write_file(dir, rel, text), 0);
}

/* The bytes of dir/rel (caller frees), or NULL when it does not exist. */
static char *get(const char *dir, const char *rel)
{
    char *path = ts_path(dir, rel);
    char *text = fs_exists(path) ? fs_read(path, NULL, NULL) : NULL;
    free(path);
    return text;
}

static void assert_file(const char *dir, const char *rel, const char *want)
{
    char *got = get(dir, rel);
    assert_non_null(got);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "--- %s: want\n[%s]\n--- got\n[%s]\n", rel, want, got);
    assert_string_equal(got, want);
    free(got);
}

/* Loads dir, expecting no error. */
static void load(project *p, const char *dir)
{
    diag_list d = {0};
    int rc = prj_load(p, dir, NULL, &d);
    for (size_t i = 0; rc != 0 && i < d.items.n; i++) {
        char *s = diag_format(&d.items.v[i]);
        fprintf(stderr, "%s\n", s);
        free(s);
    }
    assert_int_equal(rc, 0);
    diag_free(&d);
}

/* Loads dir again: no errors, and exactly the datasets named (comma list). */
static void assert_datasets(const char *dir, const char *names)
{
    project p;
    load(&p, dir);
    strvec want = {0};
    strvec_split(&want, names);
    assert_int_equal(p.datasets.n, want.n);
    for (size_t i = 0; i < want.n; i++) {
        if (prj_dataset_find(&p, want.v[i]) < 0) fprintf(stderr, "missing %s\n", want.v[i]);
        assert_true(prj_dataset_find(&p, want.v[i]) >= 0);
    }
    strvec_free(&want);
    prj_free(&p);
}

/* after is before with the first old replaced by new: the bytes before and
 * after the change are exactly those of before. */
static void assert_only_changed(const char *before, const char *after, const char *old,
                                const char *new_text)
{
    const char *at = strstr(before, old);
    assert_non_null(at);
    size_t pre = (size_t)(at - before), suf = strlen(at + strlen(old));
    assert_int_equal(strlen(after), pre + strlen(new_text) + suf);
    assert_memory_equal(after, before, pre);
    assert_memory_equal(after + pre, new_text, strlen(new_text));
    assert_memory_equal(after + pre + strlen(new_text), at + strlen(old), suf);
}

/* A change that failed: rc is -1 and the message holds want (it is freed
 * and reset here). */
static void assert_refused(int rc, char **err, const char *want)
{
    assert_int_equal(rc, -1);
    assert_non_null(*err);
    if (!strstr(*err, want)) fprintf(stderr, "message: %s\n", *err);
    assert_non_null(strstr(*err, want));
    free(*err);
    *err = NULL;
}

/* A change that worked (its message shown when not). */
static void assert_ok(int rc, char **err)
{
    if (rc != 0) fprintf(stderr, "error: %s\n", *err ? *err : "(no message)");
    assert_int_equal(rc, 0);
    assert_null(*err);
}

/* The bytes of some files, to check that a refused change left them. */
typedef struct snapshot {
    const char *dir;
    const char *rel[6];
    char *text[6];
} snapshot;

static void snap(snapshot *s, const char *dir, const char *const *rels)
{
    memset(s, 0, sizeof *s);
    s->dir = dir;
    for (int i = 0; i < 6 && rels[i]; i++) {
        s->rel[i] = rels[i];
        s->text[i] = get(dir, rels[i]);
        assert_non_null(s->text[i]);
    }
}

/* Every file of s is as it was (and freed). */
static void assert_unchanged(snapshot *s)
{
    for (int i = 0; i < 6 && s->rel[i]; i++) {
        assert_file(s->dir, s->rel[i], s->text[i]);
        free(s->text[i]);
    }
}

/* Writes tarn.json (manifest_text) and the files given as rel, text pairs
 * (NULL-terminated), then loads the project into p, expecting no error. */
static void setup_project(project *p, const char *dir, const char *manifest_text, ...)
    __attribute__((sentinel));
static void setup_project(project *p, const char *dir, const char *manifest_text, ...)
{
    put(dir, "tarn.json", manifest_text);
    va_list ap;
    va_start(ap, manifest_text);
    for (const char *rel; (rel = va_arg(ap, const char *));) put(dir, rel, va_arg(ap, const char *));
    va_end(ap);
    load(p, dir);
}

#define A_SQL "transformations/a.sql"
#define MV_A "CREATE MATERIALIZED VIEW a AS SELECT 1 AS x;"
#define MV_B "CREATE MATERIALIZED VIEW b AS SELECT x FROM a;"
#define MV_C "CREATE MATERIALIZED VIEW c AS SELECT x FROM b;"

/* ---------------------------------------------------------------- append */

static void test_append_after_final_newline(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(""), A_SQL, "-- a\n" MV_A "\n", NULL);
    char *err = NULL;
    /* no ';' given: one is added; trailing white space goes */
    assert_ok(dg_edit_append(&p, A_SQL, "CREATE MATERIALIZED VIEW b AS SELECT x FROM a\n\n",
                             &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL, "-- a\n" MV_A "\n\n" MV_B "\n");
    assert_datasets(dir, "a,b");

    /* a file ending in a blank line gets no second one */
    put(dir, "transformations/c.sql", "CREATE MATERIALIZED VIEW c AS SELECT 3 AS z;\n\n");
    load(&p, dir);
    assert_ok(dg_edit_append(&p, "transformations/c.sql",
                             "\n  CREATE MATERIALIZED VIEW d AS SELECT z FROM c;", &err), &err);
    prj_free(&p);
    assert_file(dir, "transformations/c.sql",
                "CREATE MATERIALIZED VIEW c AS SELECT 3 AS z;\n\n"
                "CREATE MATERIALIZED VIEW d AS SELECT z FROM c;\n");
    assert_datasets(dir, "a,b,c,d");
}

static void test_append_without_final_newline(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(""), A_SQL, MV_A, NULL);
    char *err = NULL;
    assert_ok(dg_edit_append(&p, A_SQL, MV_B, &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL, MV_A "\n\n" MV_B "\n");
    assert_datasets(dir, "a,b");

    /* "\r\n" of the text given becomes the file's "\n" */
    load(&p, dir);
    assert_ok(dg_edit_append(&p, A_SQL, "CREATE MATERIALIZED VIEW c AS\r\n  SELECT x FROM b;\r\n",
                             &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL, MV_A "\n\n" MV_B "\n\nCREATE MATERIALIZED VIEW c AS\n  SELECT x FROM b;\n");
    assert_datasets(dir, "a,b,c");
}

/* The last statement of the file had no ';' (and a comment after it): it
 * gets one, after its last token, else the new one would continue it. */
static void test_append_ends_open_last_statement(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(""), A_SQL,
                  "CREATE MATERIALIZED VIEW a AS SELECT 1 AS x -- the one\n", NULL);
    char *err = NULL;
    assert_ok(dg_edit_append(&p, A_SQL, MV_B, &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL, "CREATE MATERIALIZED VIEW a AS SELECT 1 AS x; -- the one\n\n" MV_B "\n");
    assert_datasets(dir, "a,b");
}

static void test_append_crlf_file(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(""), A_SQL, "-- a\r\n" MV_A "\r\n", NULL);
    char *err = NULL;
    assert_ok(dg_edit_append(&p, A_SQL, "CREATE MATERIALIZED VIEW b AS\n  SELECT x\n  FROM a;",
                             &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL,
                "-- a\r\n" MV_A "\r\n\r\nCREATE MATERIALIZED VIEW b AS\r\n  SELECT x\r\n  FROM a;\r\n");
    assert_datasets(dir, "a,b");
}

static void test_append_new_file_in_new_folder(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(""), A_SQL, MV_A "\n", NULL);
    char *err = NULL;
    assert_ok(dg_edit_append(&p, "./transformations//new/deep/b.sql", MV_B "\n", &err), &err);
    prj_free(&p);
    assert_file(dir, "transformations/new/deep/b.sql", MV_B "\n");
    assert_file(dir, A_SQL, MV_A "\n");
    assert_datasets(dir, "a,b");
}

static void test_append_refused_name_taken(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(""), A_SQL,
                  MV_A "\n\nCREATE STREAMING TABLE s;\n\n"
                  "CREATE FLOW f AS INSERT INTO s BY NAME SELECT 1 AS x;\n", NULL);
    snapshot sn;
    snap(&sn, dir, (const char *const[]){A_SQL, "tarn.json", NULL});
    char *err = NULL;
    /* names are case-insensitive; flows share the names of datasets */
    assert_refused(dg_edit_append(&p, A_SQL, "CREATE MATERIALIZED VIEW A AS SELECT 2 AS x",
                                  &err), &err, "'A' is defined already");
    assert_refused(dg_edit_append(&p, "transformations/other.sql",
                                  "CREATE MATERIALIZED VIEW F AS SELECT 2 AS x", &err),
                   &err, "defined already");
    assert_refused(dg_edit_append(&p, A_SQL, "CREATE FLOW s AS INSERT INTO s SELECT 1 AS x",
                                  &err), &err, "defined already");
    prj_free(&p);
    assert_unchanged(&sn);
    assert_null(get(dir, "transformations/other.sql"));
}

static void test_append_refused_outside_libraries(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(""), A_SQL, MV_A "\n", NULL);
    char *err = NULL;
    assert_refused(dg_edit_append(&p, "other/b.sql", MV_B, &err), &err,
                   "not matched by the libraries of tarn.json (\"transformations/**/*.sql\")");
    assert_refused(dg_edit_append(&p, "transformations/b.txt", MV_B, &err), &err,
                   "not a .sql file");
    assert_refused(dg_edit_append(&p, "../b.sql", MV_B, &err), &err, "not a file inside");
    assert_refused(dg_edit_append(&p, "/tmp/b.sql", MV_B, &err), &err, "not a file inside");
    assert_refused(dg_edit_append(&p, "", MV_B, &err), &err, "not a file inside");
    prj_free(&p);
    assert_null(get(dir, "other/b.sql"));
    assert_null(get(dir, "transformations/b.txt"));
    assert_file(dir, A_SQL, MV_A "\n");
}

static void test_append_refused_not_one_statement(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(""), A_SQL, MV_A "\n", NULL);
    char *err = NULL;
    assert_refused(dg_edit_append(&p, A_SQL, MV_B "\nCREATE MATERIALIZED VIEW c AS SELECT 1;",
                                  &err), &err, "holds 2 statements");
    assert_refused(dg_edit_append(&p, A_SQL, "  -- nothing\n", &err), &err, "no statement");
    assert_refused(dg_edit_append(&p, A_SQL, NULL, &err), &err, "no statement");
    assert_refused(dg_edit_append(&p, A_SQL, "SELECT 1", &err), &err, "does not parse");
    assert_refused(dg_edit_append(&p, A_SQL, "CREATE MATERIALIZED VIEW c AS\nSELECT 'open",
                                  &err), &err, "line 2");
    /* a file (new since the load) ending inside a comment would swallow it */
    put(dir, "transformations/z.sql", MV_B " /* open\n");
    assert_refused(dg_edit_append(&p, "transformations/z.sql", MV_C, &err), &err,
                   "unterminated string, identifier or comment");
    prj_free(&p);
    assert_file(dir, A_SQL, MV_A "\n");
    assert_file(dir, "transformations/z.sql", MV_B " /* open\n");
}

/* ---------------------------------------------------------------- replace */

#define THREE                                                                  \
    "-- header\n"                                                              \
    "\n"                                                                       \
    "-- about a\n"                                                             \
    MV_A "\n"                                                                  \
    "\n"                                                                       \
    "-- about b\n"                                                             \
    "CREATE MATERIALIZED VIEW b AS\n"                                          \
    "  SELECT x FROM a; -- trailing\n"                                         \
    "-- below b\n"                                                             \
    "\n"                                                                       \
    "CREATE MATERIALIZED VIEW c AS SELECT x FROM b;\n"

static void test_replace_middle_keeps_other_bytes(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(""), A_SQL, THREE, NULL);
    char *err = NULL;
    assert_ok(dg_edit_replace(&p, "B", "CREATE MATERIALIZED VIEW b AS\n  SELECT x * 2 AS x FROM a\n",
                              &err), &err);
    prj_free(&p);
    char *after = get(dir, A_SQL);
    assert_only_changed(THREE, after, "CREATE MATERIALIZED VIEW b AS\n  SELECT x FROM a;",
                        "CREATE MATERIALIZED VIEW b AS\n  SELECT x * 2 AS x FROM a;");
    free(after);
    assert_datasets(dir, "a,b,c");
}

#define PARAMS ",\n  \"configuration\": {\"src\": \"raw_orders_table\", \"min\": 10}"
#define P_SQL                                                                  \
    "CREATE MATERIALIZED VIEW a AS SELECT * FROM ${src} WHERE amount > ${min};\n" \
    "\n"                                                                       \
    "CREATE MATERIALIZED VIEW b AS SELECT * FROM a WHERE amount > ${min};\n"   \
    "\n"                                                                       \
    "CREATE MATERIALIZED VIEW c AS SELECT * FROM b WHERE amount < ${min}"

/* Statements after ${param}s (whose values have other lengths) and holding
 * them: the file keeps every ${name}, the new text keeps its own. */
static void test_replace_with_params(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(PARAMS), A_SQL, P_SQL, NULL);
    char *err = NULL;
    assert_ok(dg_edit_replace(&p, "b",
                              "CREATE MATERIALIZED VIEW b AS SELECT id FROM a WHERE amount > ${min} + 1;",
                              &err), &err);
    prj_free(&p);
    char *after = get(dir, A_SQL);
    assert_only_changed(P_SQL, after,
                        "CREATE MATERIALIZED VIEW b AS SELECT * FROM a WHERE amount > ${min};",
                        "CREATE MATERIALIZED VIEW b AS SELECT id FROM a WHERE amount > ${min} + 1;");
    assert_datasets(dir, "a,b,c");

    /* the first statement (holding two) and the last (ending in one, no ';') */
    load(&p, dir);
    assert_ok(dg_edit_replace(&p, "a", "CREATE MATERIALIZED VIEW a AS SELECT id, amount FROM ${src}",
                              &err), &err);
    prj_free(&p);
    load(&p, dir);
    assert_ok(dg_edit_replace(&p, "c", "CREATE MATERIALIZED VIEW c AS SELECT * FROM b WHERE amount < ${min} * 2",
                              &err), &err);
    prj_free(&p);
    free(after);
    assert_file(dir, A_SQL,
                "CREATE MATERIALIZED VIEW a AS SELECT id, amount FROM ${src};\n"
                "\n"
                "CREATE MATERIALIZED VIEW b AS SELECT id FROM a WHERE amount > ${min} + 1;\n"
                "\n"
                "CREATE MATERIALIZED VIEW c AS SELECT * FROM b WHERE amount < ${min} * 2;");
    assert_datasets(dir, "a,b,c");
}

#define POS_AB ",\n  \"designer\": {\"positions\": {\"a\": [1, 2], \"b\": [3, 4]}}"

static void test_replace_with_rename(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(POS_AB), A_SQL, MV_A "\n\n" MV_B "\n", NULL);
    char *err = NULL;
    assert_ok(dg_edit_replace(&p, "b", "CREATE MATERIALIZED VIEW b2 AS SELECT x FROM a", &err),
              &err);
    prj_free(&p);
    assert_file(dir, A_SQL, MV_A "\n\nCREATE MATERIALIZED VIEW b2 AS SELECT x FROM a;\n");
    assert_datasets(dir, "a,b2");
    load(&p, dir);
    dg_posvec pos = {0};
    dg_positions_get(&p, &pos);
    assert_int_equal(pos.n, 2);
    assert_string_equal(pos.v[1].name, "b2");
    assert_int_equal(pos.v[1].x, 3);
    assert_int_equal(pos.v[1].y, 4);
    dg_posvec_free(&pos);
    prj_free(&p);
}

static void test_replace_rename_refused_when_taken(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(POS_AB), A_SQL, MV_A "\n\n" MV_B "\n", NULL);
    snapshot sn;
    snap(&sn, dir, (const char *const[]){A_SQL, "tarn.json", NULL});
    char *err = NULL;
    assert_refused(dg_edit_replace(&p, "b", "CREATE MATERIALIZED VIEW A AS SELECT 5 AS x", &err),
                   &err, "'A' is defined already");
    assert_refused(dg_edit_replace(&p, "nope", MV_B, &err), &err, "no dataset or flow");
    assert_refused(dg_edit_replace(&p, "b", "CREATE MATERIALIZED VIEW b AS", &err), &err,
                   "does not parse");
    assert_unchanged(&sn);
    /* a case change of its own name is no rename (its position follows) */
    assert_ok(dg_edit_replace(&p, "b", "CREATE MATERIALIZED VIEW B AS SELECT x FROM a;", &err),
              &err);
    prj_free(&p);
    assert_file(dir, A_SQL, MV_A "\n\nCREATE MATERIALIZED VIEW B AS SELECT x FROM a;\n");
    char *manifest_text = get(dir, "tarn.json");
    assert_non_null(strstr(manifest_text, "\"B\": ["));
    assert_null(strstr(manifest_text, "\"b\""));
    free(manifest_text);
    assert_datasets(dir, "a,B");
}

static void test_replace_crlf(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(""), A_SQL, MV_A "\r\n\r\n" MV_B "\r\n", NULL);
    char *err = NULL;
    assert_ok(dg_edit_replace(&p, "a", "CREATE MATERIALIZED VIEW a AS\n  SELECT 2 AS x;\n", &err),
              &err);
    prj_free(&p);
    assert_file(dir, A_SQL, "CREATE MATERIALIZED VIEW a AS\r\n  SELECT 2 AS x;\r\n\r\n" MV_B "\r\n");
    assert_datasets(dir, "a,b");
}

/* ---------------------------------------------------------------- delete */

static void test_delete_with_comments_and_blank_line(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(""), A_SQL, THREE, NULL);
    char *err = NULL;
    assert_ok(dg_edit_delete(&p, "a", &err), &err);
    prj_free(&p);
    /* the -- lines right above and the blank line after go; the header
     * (a blank line above) stays; c still reads b, b now reads a missing a */
    assert_file(dir, A_SQL,
                "-- header\n"
                "\n"
                "-- about b\n"
                "CREATE MATERIALIZED VIEW b AS\n"
                "  SELECT x FROM a; -- trailing\n"
                "-- below b\n"
                "\n"
                "CREATE MATERIALIZED VIEW c AS SELECT x FROM b;\n");
    assert_datasets(dir, "b,c");

    /* b: its trailing comment goes with it, the comment below it stays */
    load(&p, dir);
    assert_ok(dg_edit_delete(&p, "b", &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL,
                "-- header\n"
                "\n"
                "-- below b\n"
                "\n"
                "CREATE MATERIALIZED VIEW c AS SELECT x FROM b;\n");
    assert_datasets(dir, "c");
}

#define EVENTS_SQL                                                             \
    "CREATE STREAMING TABLE events;\n"                                         \
    "\n"                                                                       \
    "CREATE MATERIALIZED VIEW other AS SELECT 1 AS x;\n"
#define FLOWS_SQL                                                              \
    "-- feed one\n"                                                            \
    "CREATE FLOW f1 AS INSERT INTO events BY NAME SELECT * FROM STREAM(src1);\n" \
    "\n"                                                                       \
    "CREATE MATERIALIZED VIEW keep AS SELECT 1 AS k;\n"                        \
    "\n"                                                                       \
    "CREATE FLOW f2 AS AUTO CDC INTO Events FROM STREAM(src2) KEYS (id) SEQUENCE BY ts;\n"
#define POS_EVENTS                                                             \
    ",\n  \"designer\": {\"positions\": {\"events\": [1, 1], \"f1\": [2, 2], "    \
    "\"F2\": [3, 3], \"keep\": [4, 4]}}"

static void test_delete_dataset_with_flows_in_other_file(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(POS_EVENTS), A_SQL, EVENTS_SQL, "transformations/flows.sql",
                  FLOWS_SQL, NULL);
    char *err = NULL;
    assert_ok(dg_edit_delete(&p, "EVENTS", &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL, "CREATE MATERIALIZED VIEW other AS SELECT 1 AS x;\n");
    assert_file(dir, "transformations/flows.sql", "CREATE MATERIALIZED VIEW keep AS SELECT 1 AS k;\n");
    assert_datasets(dir, "other,keep");
    load(&p, dir);
    dg_posvec pos = {0};
    dg_positions_get(&p, &pos);
    assert_int_equal(pos.n, 1);
    assert_string_equal(pos.v[0].name, "keep");
    dg_posvec_free(&pos);
    prj_free(&p);
}

static void test_delete_flow_only(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(POS_EVENTS), A_SQL, EVENTS_SQL, "transformations/flows.sql",
                  FLOWS_SQL, NULL);
    char *err = NULL;
    assert_ok(dg_edit_delete(&p, "f1", &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL, EVENTS_SQL);
    assert_file(dir, "transformations/flows.sql",
                "CREATE MATERIALIZED VIEW keep AS SELECT 1 AS k;\n"
                "\n"
                "CREATE FLOW f2 AS AUTO CDC INTO Events FROM STREAM(src2) KEYS (id) SEQUENCE BY ts;\n");
    assert_datasets(dir, "events,other,keep");
    load(&p, dir);
    assert_int_equal(prj_flow_find(&p, "f1"), -1);
    assert_true(prj_flow_find(&p, "f2") >= 0);
    prj_free(&p);
}

static void test_delete_last_statement_without_final_newline(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(""), A_SQL, MV_A "\n\n-- about b\n" MV_B, NULL);
    char *err = NULL;
    assert_ok(dg_edit_delete(&p, "b", &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL, MV_A "\n");
    assert_datasets(dir, "a");
    /* the only statement: the file is left empty */
    load(&p, dir);
    assert_ok(dg_edit_delete(&p, "a", &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL, "");
    assert_datasets(dir, "");
}

/* Cuts are made in the file's own bytes: ${param}s before and inside the
 * statement (values of other lengths) do not shift them. */
static void test_delete_with_params(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(PARAMS), A_SQL, P_SQL, NULL);
    char *err = NULL;
    assert_ok(dg_edit_delete(&p, "b", &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL,
                "CREATE MATERIALIZED VIEW a AS SELECT * FROM ${src} WHERE amount > ${min};\n"
                "\n"
                "CREATE MATERIALIZED VIEW c AS SELECT * FROM b WHERE amount < ${min}");
    assert_datasets(dir, "a,c");
    /* the last one, ending in a ${param} with no ';' and no line end */
    load(&p, dir);
    assert_ok(dg_edit_delete(&p, "c", &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL,
                "CREATE MATERIALIZED VIEW a AS SELECT * FROM ${src} WHERE amount > ${min};\n");
    assert_datasets(dir, "a");
}

static void test_delete_statements_sharing_a_line(void **state)
{
    const char *dir = *state;
    project p;
    const char *text = MV_A "  " MV_B " -- both\n\n" MV_C "\n";
    setup_project(&p, dir, MANIFEST(""), A_SQL, text, NULL);
    char *err = NULL;
    assert_ok(dg_edit_delete(&p, "a", &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL, MV_B " -- both\n\n" MV_C "\n");
    assert_datasets(dir, "b,c");

    put(dir, A_SQL, text);
    load(&p, dir);
    assert_ok(dg_edit_delete(&p, "b", &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL, MV_A "\n\n" MV_C "\n");
    assert_datasets(dir, "a,c");
}

static void test_delete_crlf(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(""), A_SQL,
                  MV_A "\r\n\r\n-- about b\r\n" MV_B "\r\n\r\n" MV_C "\r\n", NULL);
    char *err = NULL;
    assert_ok(dg_edit_delete(&p, "b", &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL, MV_A "\r\n\r\n" MV_C "\r\n");
    assert_datasets(dir, "a,c");
}

/* tarn.json as the manifest prints it: the delete changes the one entry. */
#define MAN_PRINTED(positions)                                                 \
    "{\n"                                                                      \
    "  \"name\": \"t\",\n"                                                     \
    "  \"libraries\": [\n"                                                     \
    "    \"transformations/**/*.sql\"\n"                                        \
    "  ],\n"                                                                   \
    "  \"x-custom\": {\n"                                                      \
    "    \"keep\": true,\n"                                                    \
    "    \"list\": [\n"                                                        \
    "      1,\n"                                                               \
    "      \"two\"\n"                                                          \
    "    ]\n"                                                                  \
    "  },\n"                                                                   \
    "  \"designer\": {\n"                                                      \
    "    \"zoom\": 2,\n"                                                       \
    "    \"positions\": {\n"                                                   \
    positions                                                                  \
    "    }\n"                                                                  \
    "  }\n"                                                                    \
    "}\n"
#define POS_A "      \"a\": [1, 2]" /* a position is printed on one line */
#define POS_B "      \"b\": [3, 4]"

static void test_delete_removes_position_keeps_manifest(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MAN_PRINTED(POS_A ",\n" POS_B "\n"), A_SQL, MV_A "\n\n" MV_B "\n",
                  NULL);
    char *err = NULL;
    assert_ok(dg_edit_delete(&p, "b", &err), &err);
    prj_free(&p);
    assert_file(dir, "tarn.json", MAN_PRINTED(POS_A "\n"));
    assert_file(dir, A_SQL, MV_A "\n");
    assert_datasets(dir, "a");

    /* no position: tarn.json is not written at all */
    put(dir, "tarn.json", MANIFEST(",  \"odd\":   [1,2]"));
    put(dir, A_SQL, MV_A "\n\n" MV_B "\n");
    load(&p, dir);
    assert_ok(dg_edit_delete(&p, "b", &err), &err);
    prj_free(&p);
    assert_file(dir, "tarn.json", MANIFEST(",  \"odd\":   [1,2]"));
}

/* tarn.json went bad after the project was loaded: nothing is deleted. */
static void test_delete_refused_changes_nothing(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(POS_AB), A_SQL, MV_A "\n\n" MV_B "\n", NULL);
    put(dir, "tarn.json", "{\"name\": \"t\"} trailing");
    snapshot sn;
    snap(&sn, dir, (const char *const[]){A_SQL, "tarn.json", NULL});
    char *err = NULL;
    assert_refused(dg_edit_delete(&p, "b", &err), &err, "tarn.json is not a valid JSON object");
    assert_refused(dg_edit_delete(&p, "zz", &err), &err, "no dataset or flow called 'zz'");
    prj_free(&p);
    assert_unchanged(&sn);
}

/* ---------------------------------------------------------------- rename */

#define O1 "transformations/orders.sql"
#define O2 "transformations/reports.sql"
#define O3 "transformations/more/stream.sql"
#define POS_ORDERS                                                             \
    ",\n  \"designer\": {\"positions\": {\"other\": [5, 6], \"orders\": [1, 2], " \
    "\"daily\": [7, 8]}}"

#define O1_TEXT(N)                                                             \
    "-- orders: the raw orders\n"                                              \
    "CREATE STREAMING TABLE " N ";\n"                                          \
    "\n"                                                                       \
    "CREATE FLOW orders_feed AS INSERT INTO " N " BY NAME\n"                   \
    "  SELECT * FROM STREAM(raw_orders);\n"
#define O2_TEXT(N, N2)                                                         \
    "CREATE MATERIALIZED VIEW orders_archive AS SELECT 1 AS id, 2 AS day;\n"   \
    "\n"                                                                       \
    "CREATE MATERIALIZED VIEW daily AS\n"                                      \
    "  SELECT " N ".day, count(*) AS n, 'orders' AS src -- from orders\n"      \
    "  FROM " N " JOIN orders_archive a ON " N ".id = a.id\n"                  \
    "  GROUP BY " N2 ".day;\n"                                                 \
    "\n"                                                                       \
    "CREATE MATERIALIZED VIEW legacy AS SELECT o.* FROM LIVE." N " o /* orders */;\n"
#define O3_TEXT(N, N2, N3)                                                     \
    "CREATE STREAMING TABLE big AS SELECT * FROM STREAM(" N2 ") WHERE amount > 100;\n" \
    "\n"                                                                       \
    "CREATE FLOW orders_cdc AS AUTO CDC INTO " N3 " FROM STREAM(changes) KEYS (id)\n" \
    "  SEQUENCE BY changes.ts;\n"                                              \
    "\n"                                                                       \
    "CREATE MATERIALIZED VIEW joined AS SELECT " N ".* FROM big JOIN " N " USING (id);\n"

static void setup_orders(project *p, const char *dir)
{
    setup_project(p, dir, MANIFEST(POS_ORDERS), O1, O1_TEXT("orders"), O2,
                  O2_TEXT("orders", "Orders"), O3, O3_TEXT("orders", "Orders", "ORDERS"), NULL);
}

/* The saved position names, in order, as "a,b,c". */
static char *position_names(const char *dir)
{
    project p;
    load(&p, dir);
    dg_posvec pos = {0};
    dg_positions_get(&p, &pos);
    sb b = {0};
    for (size_t i = 0; i < pos.n; i++) sb_addf(&b, "%s%s", i ? "," : "", pos.v[i].name);
    dg_posvec_free(&pos);
    prj_free(&p);
    return sb_take(&b);
}

static void assert_positions(const char *dir, const char *want)
{
    char *got = position_names(dir);
    assert_string_equal(got, want);
    free(got);
}

#define ORDERS_DATASETS(N) N ",orders_archive,daily,legacy,big,joined"

static void test_rename_across_three_files(void **state)
{
    const char *dir = *state;
    project p;
    put(dir, "notes/old.sql", "CREATE MATERIALIZED VIEW n AS SELECT * FROM orders;\n");
    setup_orders(&p, dir);
    char *err = NULL;
    assert_ok(dg_edit_rename(&p, "orders", "purchases", &err), &err);
    prj_free(&p);
    /* a file the libraries do not match is no part of the project */
    assert_file(dir, "notes/old.sql", "CREATE MATERIALIZED VIEW n AS SELECT * FROM orders;\n");
    /* the comment, the string, orders_archive, the flows' names stay */
    assert_file(dir, O1, O1_TEXT("purchases"));
    assert_file(dir, O2, O2_TEXT("purchases", "purchases"));
    assert_file(dir, O3, O3_TEXT("purchases", "purchases", "purchases"));
    assert_datasets(dir, ORDERS_DATASETS("purchases"));
    assert_positions(dir, "other,purchases,daily");
    load(&p, dir);
    int big = prj_dataset_find(&p, "big");
    assert_int_equal(p.datasets.v[big].deps.n, 1);
    assert_int_equal(p.datasets.v[big].deps.v[0], prj_dataset_find(&p, "purchases"));
    assert_int_equal(p.datasets.v[prj_dataset_find(&p, "purchases")].flows.n, 2);
    prj_free(&p);
}

/* A rename over two files where the second cannot be written (a file size
 * limit, as a full disk would) writes neither: all are staged first. */
static void test_rename_all_or_nothing(void **state)
{
    const char *dir = *state;
    size_t pad = 64 * 1024;
    char *big = xmalloc(pad + 128);
    memset(big, '-', pad);
    memcpy(big, "/* ", 3);
    strcpy(big + pad - 3, " */\n" MV_B "\n");
    project p;
    setup_project(&p, dir, "{\"libraries\": [\"transformations/**\"]}", A_SQL, MV_A "\n",
                  "transformations/b.sql", big, NULL);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit lim = {16 * 1024, 16 * 1024};
        setrlimit(RLIMIT_FSIZE, &lim);
        char *err = NULL;
        int rc = dg_edit_rename(&p, "a", "z", &err);
        _exit(rc == -1 && err && strstr(err, "nothing written") ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    prj_free(&p);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_file(dir, A_SQL, MV_A "\n");
    assert_file(dir, "transformations/b.sql", big);
    free(big);
    /* no staged file is left behind */
    char *tdir = ts_path(dir, "transformations");
    DIR *d = opendir(tdir);
    free(tdir);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            fail_msg("left behind: %s", e->d_name);
    closedir(d);
}

static void test_rename_needs_quotes_and_back(void **state)
{
    const char *dir = *state;
    project p;
    setup_orders(&p, dir);
    char *err = NULL;
    assert_ok(dg_edit_rename(&p, "orders", "order items", &err), &err);
    prj_free(&p);
    assert_file(dir, O1, O1_TEXT("\"order items\""));
    assert_file(dir, O2, O2_TEXT("\"order items\"", "\"order items\""));
    assert_file(dir, O3, O3_TEXT("\"order items\"", "\"order items\"", "\"order items\""));
    assert_datasets(dir, ORDERS_DATASETS("order items"));
    assert_positions(dir, "other,order items,daily");

    /* back to a plain name: the quotes it needed go */
    load(&p, dir);
    assert_ok(dg_edit_rename(&p, "ORDER ITEMS", "order_items", &err), &err);
    prj_free(&p);
    assert_file(dir, O1, O1_TEXT("order_items"));
    assert_file(dir, O2, O2_TEXT("order_items", "order_items"));
    assert_file(dir, O3, O3_TEXT("order_items", "order_items", "order_items"));
    assert_datasets(dir, ORDERS_DATASETS("order_items"));

    /* a keyword is quoted too */
    load(&p, dir);
    assert_ok(dg_edit_rename(&p, "order_items", "select", &err), &err);
    prj_free(&p);
    assert_file(dir, O1, O1_TEXT("\"select\""));
    assert_datasets(dir, ORDERS_DATASETS("select"));
}

/* A quoted name the user quoted without need keeps its quotes; other
 * spellings of the same name (other case) are found too. */
static void test_rename_quoted_names(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(""), A_SQL,
                  "CREATE MATERIALIZED VIEW \"My Table\" AS SELECT 1 AS x;\n"
                  "CREATE MATERIALIZED VIEW `plain` AS SELECT \"my table\".x FROM \"my table\";\n"
                  "CREATE MATERIALIZED VIEW r AS SELECT x FROM [plain];\n",
                  NULL);
    char *err = NULL;
    assert_ok(dg_edit_rename(&p, "my table", "mine", &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL,
                "CREATE MATERIALIZED VIEW mine AS SELECT 1 AS x;\n"
                "CREATE MATERIALIZED VIEW `plain` AS SELECT mine.x FROM mine;\n"
                "CREATE MATERIALIZED VIEW r AS SELECT x FROM [plain];\n");
    assert_datasets(dir, "mine,plain,r");
    load(&p, dir);
    assert_ok(dg_edit_rename(&p, "plain", "simple", &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL,
                "CREATE MATERIALIZED VIEW mine AS SELECT 1 AS x;\n"
                "CREATE MATERIALIZED VIEW `simple` AS SELECT mine.x FROM mine;\n"
                "CREATE MATERIALIZED VIEW r AS SELECT x FROM [simple];\n");
    assert_datasets(dir, "mine,simple,r");
}

static void test_rename_case_only(void **state)
{
    const char *dir = *state;
    project p;
    setup_orders(&p, dir);
    char *err = NULL;
    assert_ok(dg_edit_rename(&p, "orders", "Orders", &err), &err);
    prj_free(&p);
    assert_file(dir, O1, O1_TEXT("Orders"));
    assert_file(dir, O2, O2_TEXT("Orders", "Orders"));
    assert_file(dir, O3, O3_TEXT("Orders", "Orders", "Orders"));
    assert_datasets(dir, ORDERS_DATASETS("Orders"));
    assert_positions(dir, "other,Orders,daily");
    /* the same name: nothing to do */
    load(&p, dir);
    assert_ok(dg_edit_rename(&p, "orders", "Orders", &err), &err);
    prj_free(&p);
    assert_file(dir, O1, O1_TEXT("Orders"));
}

static void test_rename_collision_refused(void **state)
{
    const char *dir = *state;
    project p;
    setup_orders(&p, dir);
    snapshot sn;
    snap(&sn, dir, (const char *const[]){O1, O2, O3, "tarn.json", NULL});
    char *err = NULL;
    assert_refused(dg_edit_rename(&p, "orders", "DAILY", &err), &err, "'DAILY' is defined already");
    assert_refused(dg_edit_rename(&p, "orders", "orders_feed", &err), &err, "defined already");
    assert_refused(dg_edit_rename(&p, "orders", "raw_orders", &err), &err,
                   "reads a table called 'raw_orders' that is no dataset");
    assert_refused(dg_edit_rename(&p, "nothing", "x", &err), &err, "no dataset or flow");
    assert_refused(dg_edit_rename(&p, "orders", "", &err), &err, "needs a name");
    assert_refused(dg_edit_rename(&p, "orders", "main.x", &err), &err, "cannot hold '.'");
    assert_refused(dg_edit_rename(&p, "orders", "sqlite_x", &err), &err, "SQLite's own");
    assert_refused(dg_edit_rename(&p, "orders", "_tarn_x", &err), &err, "tarn's own");
    assert_refused(dg_edit_rename(&p, "orders", "a${b}", &err), &err, "parameter");
    assert_refused(dg_edit_rename(&p, "orders", "a\nb", &err), &err, "control characters");
    assert_refused(dg_edit_rename(&p, "orders", " x", &err), &err, "space");
    prj_free(&p);
    assert_unchanged(&sn);
}

/* A query that has a WITH of the new name and reads the dataset. */
static void test_rename_refused_by_cte(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(""), A_SQL,
                  MV_A "\nCREATE MATERIALIZED VIEW b AS WITH t AS (SELECT 1 AS y) "
                  "SELECT x, y FROM a, t;\n", NULL);
    snapshot sn;
    snap(&sn, dir, (const char *const[]){A_SQL, NULL});
    char *err = NULL;
    assert_refused(dg_edit_rename(&p, "a", "T", &err), &err, "has a WITH T of its own");
    prj_free(&p);
    assert_unchanged(&sn);
}

static void test_rename_flow(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(POS_EVENTS), A_SQL, EVENTS_SQL, "transformations/flows.sql",
                  FLOWS_SQL "\nAUTO CDC INTO events FROM STREAM(src3) KEYS (id) SEQUENCE BY ts;\n",
                  NULL);
    char *err = NULL;
    assert_refused(dg_edit_rename(&p, "f1", "keep", &err), &err, "defined already");
    assert_ok(dg_edit_rename(&p, "F1", "feed_one", &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL, EVENTS_SQL);
    assert_file(dir, "transformations/flows.sql",
                "-- feed one\n"
                "CREATE FLOW feed_one AS INSERT INTO events BY NAME SELECT * FROM STREAM(src1);\n"
                "\n"
                "CREATE MATERIALIZED VIEW keep AS SELECT 1 AS k;\n"
                "\n"
                "CREATE FLOW f2 AS AUTO CDC INTO Events FROM STREAM(src2) KEYS (id) SEQUENCE BY ts;\n"
                "\nAUTO CDC INTO events FROM STREAM(src3) KEYS (id) SEQUENCE BY ts;\n");
    assert_datasets(dir, "events,other,keep");
    assert_positions(dir, "events,feed_one,F2,keep");
    load(&p, dir);
    assert_true(prj_flow_find(&p, "feed_one") >= 0);
    prj_free(&p);
    /* a bare AUTO CDC is named after its target (here one that is missing) */
    put(dir, "transformations/ghost.sql",
        "AUTO CDC INTO ghost FROM STREAM(src3) KEYS (id) SEQUENCE BY ts;\n");
    diag_list d = {0};
    assert_int_equal(prj_load(&p, dir, NULL, &d), -1);
    diag_free(&d);
    assert_refused(dg_edit_rename(&p, "ghost", "ghost2", &err), &err, "rename the target");
    prj_free(&p);
    char *ghost = ts_path(dir, "transformations/ghost.sql");
    ts_rmtree(ghost);
    free(ghost);
    put(dir, "transformations/flows.sql", FLOWS_SQL);
    put(dir, "transformations/bare.sql",
        "AUTO CDC INTO events FROM STREAM(src3) KEYS (id) SEQUENCE BY src3.ts;\n");
    load(&p, dir);
    assert_ok(dg_edit_rename(&p, "events", "evts", &err), &err);
    prj_free(&p);
    assert_file(dir, "transformations/flows.sql",
                "-- feed one\n"
                "CREATE FLOW f1 AS INSERT INTO evts BY NAME SELECT * FROM STREAM(src1);\n"
                "\n"
                "CREATE MATERIALIZED VIEW keep AS SELECT 1 AS k;\n"
                "\n"
                "CREATE FLOW f2 AS AUTO CDC INTO evts FROM STREAM(src2) KEYS (id) SEQUENCE BY ts;\n");
    assert_file(dir, "transformations/bare.sql",
                "AUTO CDC INTO evts FROM STREAM(src3) KEYS (id) SEQUENCE BY src3.ts;\n");
    assert_datasets(dir, "evts,other,keep");
    assert_positions(dir, "evts,feed_one,F2,keep");
    load(&p, dir);
    assert_int_equal(p.datasets.v[prj_dataset_find(&p, "evts")].flows.n, 3);
    prj_free(&p);
}

#define PARAM_REF ",\n  \"configuration\": {\"src\": \"orders\", \"min\": \"5\"}"

/* A reference made by a ${param} cannot be renamed in the file: refused,
 * nothing written; ${param}s elsewhere stay as they are. */
static void test_rename_with_params(void **state)
{
    const char *dir = *state;
    project p;
    const char *text =
        "CREATE MATERIALIZED VIEW orders AS SELECT ${min} AS amount;\n"
        "CREATE MATERIALIZED VIEW big AS SELECT * FROM orders WHERE amount > ${min};\n"
        "CREATE MATERIALIZED VIEW via AS SELECT * FROM ${src};\n";
    setup_project(&p, dir, MANIFEST(PARAM_REF), A_SQL, text, NULL);
    snapshot sn;
    snap(&sn, dir, (const char *const[]){A_SQL, "tarn.json", NULL});
    char *err = NULL;
    assert_refused(dg_edit_rename(&p, "orders", "sales", &err), &err,
                   "transformations/a.sql:3:47: 'orders' is named there through a ${parameter}");
    prj_free(&p);
    assert_unchanged(&sn);

    put(dir, A_SQL, "CREATE MATERIALIZED VIEW orders AS SELECT ${min} AS amount;\r\n"
                    "CREATE MATERIALIZED VIEW big AS SELECT orders.amount FROM orders "
                    "WHERE amount > ${min};\r\n");
    load(&p, dir);
    assert_ok(dg_edit_rename(&p, "orders", "sales", &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL, "CREATE MATERIALIZED VIEW sales AS SELECT ${min} AS amount;\r\n"
                            "CREATE MATERIALIZED VIEW big AS SELECT sales.amount FROM sales "
                            "WHERE amount > ${min};\r\n");
    assert_datasets(dir, "sales,big");
}

/* Aliased reads keep their qualifiers (they name the alias); other
 * schemas' tables of the same name are no dataset. */
static void test_rename_leaves_aliases_and_schemas(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MANIFEST(""), A_SQL,
                  MV_A "\n"
                  "CREATE MATERIALIZED VIEW b AS SELECT a.x, z.a FROM a AS z, main.a;\n"
                  "CREATE MATERIALIZED VIEW c AS WITH a AS (SELECT 2 AS x) SELECT a.x FROM a;\n",
                  NULL);
    char *err = NULL;
    assert_ok(dg_edit_rename(&p, "a", "base", &err), &err);
    prj_free(&p);
    assert_file(dir, A_SQL,
                "CREATE MATERIALIZED VIEW base AS SELECT 1 AS x;\n"
                "CREATE MATERIALIZED VIEW b AS SELECT a.x, z.a FROM base AS z, main.a;\n"
                "CREATE MATERIALIZED VIEW c AS WITH a AS (SELECT 2 AS x) SELECT a.x FROM a;\n");
    assert_datasets(dir, "base,b,c");
}

/* ---------------------------------------------------------------- positions */

#define MAN_OTHER                                                              \
    "{\"name\": \"t\", \"configuration\": {\"k\": 1}, \"jobs\": [], "           \
    "\"x-tool\": {\"deep\": [1, {\"a\": null}]}, \"designer\": {\"zoom\": 2}}\n"

static void test_positions_round_trip(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir, MAN_OTHER, A_SQL, MV_A "\n\n" MV_B "\n", NULL);
    dg_posvec pos = {0};
    dg_positions_get(&p, &pos);
    assert_int_equal(pos.n, 0);
    prj_free(&p);

    dg_pos want[] = {{"b", 10, -20}, {"a", 0, 7}, {"Zed", 2147483647, -2147483647}};
    char *err = NULL;
    assert_ok(dg_positions_save(dir, want, 3, &err), &err);
    load(&p, dir);
    dg_positions_get(&p, &pos);
    assert_int_equal(pos.n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(pos.v[i].name, want[i].name);
        assert_int_equal(pos.v[i].x, want[i].x);
        assert_int_equal(pos.v[i].y, want[i].y);
    }
    dg_posvec_free(&pos);
    /* everything else of the manifest is there still */
    cJSON *root = p.man.root;
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "configuration"), "k")->valueint, 1);
    assert_true(cJSON_IsArray(cJSON_GetObjectItem(root, "jobs")));
    cJSON *deep = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "x-tool"), "deep");
    assert_int_equal(cJSON_GetArraySize(deep), 2);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(deep, 1), "a")));
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(root, "designer"), "zoom")->valueint, 2);
    assert_string_equal(p.man.name, "t");
    prj_free(&p);

    /* saving again replaces them all */
    assert_ok(dg_positions_save(dir, want + 1, 1, &err), &err);
    assert_positions(dir, "a");
    assert_ok(dg_positions_save(dir, NULL, 0, &err), &err);
    assert_positions(dir, "");
    assert_datasets(dir, "a,b");
}

static void test_positions_malformed_entries_skipped(void **state)
{
    const char *dir = *state;
    project p;
    setup_project(&p, dir,
                  "{\"designer\": {\"positions\": {\"a\": [1, 2], \"b\": [1], \"c\": \"x\", "
                  "\"d\": [1.5, 2], \"e\": [1, \"2\"], \"f\": [1, 2, 3], \"\": [1, 2], "
                  "\"h\": [1e12, 0], \"g\": [-5, 7], \"i\": {\"x\": 1, \"y\": 2}}}}\n",
                  A_SQL, MV_A "\n", NULL);
    dg_posvec pos = {0};
    dg_positions_get(&p, &pos);
    assert_int_equal(pos.n, 2);
    assert_string_equal(pos.v[0].name, "a");
    assert_string_equal(pos.v[1].name, "g");
    assert_int_equal(pos.v[1].x, -5);
    assert_int_equal(pos.v[1].y, 7);
    dg_posvec_free(&pos);
    prj_free(&p);

    /* a "designer" or "positions" of another type: none, and saving mends it */
    put(dir, "tarn.json", "{\"designer\": [1], \"name\": \"t\"}\n");
    diag_list d = {0};
    assert_int_equal(prj_load(&p, dir, NULL, &d), -1); /* "designer" must be an object */
    diag_free(&d);
    dg_positions_get(&p, &pos);
    assert_int_equal(pos.n, 0);
    prj_free(&p);
    dg_pos one = {"a", 3, 4};
    char *err = NULL;
    assert_ok(dg_positions_save(dir, &one, 1, &err), &err);
    assert_positions(dir, "a");
    assert_datasets(dir, "a");
}

static void test_positions_save_refused_on_broken_manifest(void **state)
{
    const char *dir = *state;
    dg_pos one = {"a", 3, 4};
    char *err = NULL;
    const char *bad[] = {"{\"name\": \"t\",}\n", "[1, 2]\n", "{\"name\": \"t\"} {}\n", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put(dir, "tarn.json", bad[i]);
        assert_refused(dg_positions_save(dir, &one, 1, &err), &err, "not a valid JSON object");
        assert_file(dir, "tarn.json", bad[i]);
    }
    ts_rmtree(dir);
    assert_int_equal(dg_positions_save(dir, &one, 1, &err), -1);
    assert_non_null(err);
    free(err);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, ts_setup_dir, ts_teardown_dir)
    const struct CMUnitTest tests[] = {
        T(test_append_after_final_newline),
        T(test_append_without_final_newline),
        T(test_append_ends_open_last_statement),
        T(test_append_crlf_file),
        T(test_append_new_file_in_new_folder),
        T(test_append_refused_name_taken),
        T(test_append_refused_outside_libraries),
        T(test_append_refused_not_one_statement),
        T(test_replace_middle_keeps_other_bytes),
        T(test_replace_with_params),
        T(test_replace_with_rename),
        T(test_replace_rename_refused_when_taken),
        T(test_replace_crlf),
        T(test_delete_with_comments_and_blank_line),
        T(test_delete_dataset_with_flows_in_other_file),
        T(test_delete_flow_only),
        T(test_delete_last_statement_without_final_newline),
        T(test_delete_with_params),
        T(test_delete_statements_sharing_a_line),
        T(test_delete_crlf),
        T(test_delete_removes_position_keeps_manifest),
        T(test_delete_refused_changes_nothing),
        T(test_rename_across_three_files),
        T(test_rename_all_or_nothing),
        T(test_rename_needs_quotes_and_back),
        T(test_rename_quoted_names),
        T(test_rename_case_only),
        T(test_rename_collision_refused),
        T(test_rename_refused_by_cte),
        T(test_rename_flow),
        T(test_rename_with_params),
        T(test_rename_leaves_aliases_and_schemas),
        T(test_positions_round_trip),
        T(test_positions_malformed_entries_skipped),
        T(test_positions_save_refused_on_broken_manifest),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
