/*
 * test_langsvc.c - unit tests for editor/langsvc (what the editor asks of the
 * pipeline): the model of a validated project (datasets, columns with types,
 * parameters, functions of the dry run's connection, stored row counts),
 * completion in each place of a statement, hover text, references, words,
 * statements and the dataset a position of a file defines, also for text
 * overlaid on a file that is not saved.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "langsvc.h"
#include "testsupport.h"
#include "update.h"

static const char *const MANIFEST =
    "{\"name\": \"t\", \"libraries\": [\"sql/*.sql\"],"
    " \"configuration\": {\"min_amount\": \"5\", \"region\": \"eu\"}}";

static const char *const A_SQL =
    "CREATE OR REFRESH MATERIALIZED VIEW src AS\n"
    "SELECT 1 AS id, 'x' AS label, 2.5 AS amount;\n"
    "\n"
    "CREATE OR REFRESH MATERIALIZED VIEW big\n"
    "  (CONSTRAINT pos EXPECT (amount > 0) ON VIOLATION DROP ROW)\n"
    "COMMENT 'the big ones'\n"
    "AS SELECT id, amount FROM src WHERE amount > ${min_amount};\n";

static const char *const B_SQL =
    "CREATE OR REFRESH MATERIALIZED VIEW joined AS\n"
    "SELECT s.id, b.amount FROM src s JOIN big b ON b.id = s.id;\n";

typedef struct fixture {
    char *dir;
    project p;
    ls_model m;
} fixture;

static void build(fixture *f, const prj_overlay *ov, size_t n)
{
    diag_list d = {0};
    val_result vr = {0};
    prj_load_with(&f->p, f->dir, NULL, ov, n, &d);
    val_run(&f->p, &d, &vr);
    ls_model_build(&f->m, &f->p, &vr);
    val_free(&vr);
    diag_free(&d);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    f->dir = ts_mkdtemp();
    if (ts_write_file(f->dir, "tarn.json", MANIFEST) || ts_write_file(f->dir, "sql/a.sql", A_SQL) ||
        ts_write_file(f->dir, "sql/b.sql", B_SQL))
        return -1;
    build(f, NULL, 0);
    *state = f;
    return 0;
}

static void unbuild(fixture *f)
{
    ls_model_free(&f->m);
    prj_free(&f->p);
}

static int teardown(void **state)
{
    fixture *f = *state;
    unbuild(f);
    ts_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

/* The labels of the completions at the '|' of text, joined with ' '. */
static char *complete(fixture *f, const char *text_with_bar, size_t *from)
{
    const char *bar = strchr(text_with_bar, '|');
    assert_non_null(bar);
    size_t pos = (size_t)(bar - text_with_bar);
    char *text = xstrdup(text_with_bar);
    memmove(text + pos, text + pos + 1, strlen(text + pos));
    ls_items items = {0};
    size_t fr = 0;
    ls_complete(&f->m, text, strlen(text), pos, &fr, &items);
    if (from) *from = fr;
    sb b = {0};
    for (size_t i = 0; i < items.n; i++) sb_addf(&b, "%s%s", i ? " " : "", items.v[i].label);
    ls_items_free(&items);
    free(text);
    return sb_take(&b);
}

static bool has_word(const char *list, const char *w)
{
    size_t n = strlen(w);
    for (const char *s = list; (s = strstr(s, w)); s += n)
        if ((s == list || s[-1] == ' ') && (s[n] == ' ' || !s[n])) return true;
    return false;
}

/* ======================= the model ======================= */

static void test_model_datasets_columns_params(void **state)
{
    fixture *f = *state;
    assert_int_equal(f->m.datasets.n, 3);
    const ls_dataset *big = ls_dataset_named(&f->m, "BIG"); /* names ignore case */
    assert_non_null(big);
    assert_string_equal(big->file, "sql/a.sql");
    assert_int_equal(big->line, 4);
    assert_int_equal(big->col, 37);
    assert_int_equal(big->columns.n, 2);
    assert_string_equal(big->columns.v[0].name, "id");
    assert_string_equal(big->columns.v[1].name, "amount");
    assert_int_equal(big->expects.n, 1);
    assert_non_null(strstr(big->expects.v[0], "pos: amount > 0"));
    assert_string_equal(big->comment, "the big ones");
    assert_int_equal(big->rows, -1); /* nothing stored yet */
    assert_int_equal(f->m.params.n, 2);
    assert_string_equal(f->m.params.v[0], "min_amount=5");
    assert_null(ls_dataset_named(&f->m, "nope"));
}

static void test_model_functions_from_the_connection(void **state)
{
    fixture *f = *state;
    bool json = false, rn = false, internal = false;
    for (size_t i = 0; i < f->m.functions.n; i++) {
        json |= !strcmp(f->m.functions.v[i], "json_extract");
        rn |= !strcmp(f->m.functions.v[i], "row_number");
        internal |= f->m.functions.v[i][0] == '_';
    }
    assert_true(json);
    assert_true(rn);
    assert_false(internal);
    assert_true(f->m.functions.n > 50);
}

static void test_model_row_counts_after_a_run(void **state)
{
    fixture *f = *state;
    upd_options o = {0};
    upd *u = upd_new(f->dir, NULL, &o, NULL);
    assert_int_equal(upd_run(u), UPD_COMPLETED);
    upd_free(u);
    unbuild(f);
    build(f, NULL, 0);
    const ls_dataset *src = ls_dataset_named(&f->m, "src");
    assert_int_equal(src->rows, 1);
    assert_non_null(src->refreshed);
    char *h = ls_hover(&f->m, "src");
    assert_non_null(strstr(h, "\n1 row, refreshed"));
    free(h);
}

/* ======================= completion ======================= */

static void test_complete_after_from_offers_datasets(void **state)
{
    fixture *f = *state;
    size_t from;
    char *c = complete(f, "SELECT * FROM b|", &from);
    assert_true(has_word(c, "big"));
    assert_false(has_word(c, "src"));      /* does not start with b */
    assert_false(has_word(c, "BETWEEN"));  /* no keywords after FROM */
    assert_int_equal(from, 14);
    free(c);
    c = complete(f, "SELECT * FROM |", NULL);
    assert_true(has_word(c, "src") && has_word(c, "big") && has_word(c, "joined"));
    assert_true(has_word(c, "read_files"));
    free(c);
}

static void test_complete_columns_of_the_statement(void **state)
{
    fixture *f = *state;
    char *c = complete(f, "CREATE MATERIALIZED VIEW v AS SELECT am| FROM big;", NULL);
    assert_true(has_word(c, "amount"));
    free(c);
    c = complete(f, "SELECT x FROM t; SELECT la| FROM src", NULL);
    assert_true(has_word(c, "label"));
    free(c);
    /* a column of a dataset the statement does not read is not offered */
    c = complete(f, "SELECT la| FROM big", NULL);
    assert_false(has_word(c, "label"));
    free(c);
    /* alias.column */
    c = complete(f, "SELECT b.| FROM big b", NULL);
    assert_true(has_word(c, "id") && has_word(c, "amount"));
    assert_false(has_word(c, "SELECT"));
    free(c);
}

static void test_complete_keywords_functions_params(void **state)
{
    fixture *f = *state;
    char *c = complete(f, "SELECT json_ex|", NULL);
    assert_true(has_word(c, "json_extract"));
    free(c);
    c = complete(f, "CREATE OR REFRESH MAT|", NULL);
    assert_non_null(strstr(c, "MATERIALIZED VIEW"));
    free(c);
    size_t from;
    c = complete(f, "WHERE amount > ${mi|", &from);
    assert_string_equal(c, "min_amount");
    assert_int_equal(from, 17);
    free(c);
    c = complete(f, "WHERE region = '${|}'", NULL);
    assert_true(has_word(c, "min_amount") && has_word(c, "region"));
    free(c);
}

/* ======================= names and places ======================= */

static void test_hover_text(void **state)
{
    fixture *f = *state;
    char *h = ls_hover(&f->m, "big");
    assert_non_null(h);
    assert_non_null(strstr(h, "materialized view big"));
    assert_non_null(strstr(h, "defined in sql/a.sql:4"));
    assert_non_null(strstr(h, "the big ones"));
    assert_non_null(strstr(h, "not stored yet"));
    assert_non_null(strstr(h, "amount"));
    assert_non_null(strstr(h, "pos: amount > 0"));
    free(h);
    assert_null(ls_hover(&f->m, "amount"));
}

static void test_references(void **state)
{
    fixture *f = *state;
    ls_places pl = {0};
    ls_references(&f->p, "src", &pl);
    assert_int_equal(pl.n, 2);
    int in_a = -1, in_b = -1;
    for (size_t i = 0; i < pl.n; i++) {
        if (!strcmp(pl.v[i].file, "sql/a.sql")) in_a = (int)i;
        if (!strcmp(pl.v[i].file, "sql/b.sql")) in_b = (int)i;
    }
    assert_true(in_a >= 0 && in_b >= 0);
    assert_int_equal(pl.v[in_a].line, 7);
    assert_int_equal(pl.v[in_a].col, 27);
    assert_int_equal(pl.v[in_b].line, 2);
    assert_int_equal(pl.v[in_b].col, 28);
    ls_places_free(&pl);
    ls_references(&f->p, "joined", &pl);
    assert_int_equal(pl.n, 0);
    ls_places_free(&pl);
}

static void test_words_and_statements(void **state)
{
    (void)state;
    const char *t = "SELECT a_b, 12 FROM été; SELECT 2";
    size_t s, e;
    char *w = ls_word_at(t, strlen(t), 9, &s, &e);
    assert_string_equal(w, "a_b");
    assert_int_equal(s, 7);
    assert_int_equal(e, 10);
    free(w);
    assert_null(ls_word_at(t, strlen(t), 13, NULL, NULL)); /* a number */
    w = ls_word_at(t, strlen(t), 21, NULL, NULL);
    assert_string_equal(w, "été");
    free(w);
    ls_statement_at(t, strlen(t), 3, &s, &e);
    assert_int_equal(s, 0);
    assert_int_equal(e, strchr(t, ';') - t);
    ls_statement_at(t, strlen(t), strlen(t), &s, &e);
    assert_string_equal(t + s, "SELECT 2");
    const char *q = "SELECT ';' AS x; SELECT 1";
    ls_statement_at(q, strlen(q), 2, &s, &e);
    assert_int_equal(e, 15); /* the ';' in a string does not end it */
}

static void test_dataset_at_and_overlays(void **state)
{
    fixture *f = *state;
    size_t in_big = (size_t)(strstr(A_SQL, "FROM src WHERE") - A_SQL);
    int d = ls_dataset_at(&f->p, "sql/a.sql", in_big);
    assert_true(d >= 0);
    assert_string_equal(f->p.datasets.v[d].name, "big");
    assert_int_equal(ls_dataset_at(&f->p, "sql/a.sql", 2), prj_dataset_find(&f->p, "src"));
    assert_int_equal(ls_dataset_at(&f->p, "sql/nope.sql", 2), -1);
    /* unsaved text over b.sql: a new dataset there, with its columns */
    unbuild(f);
    const char *typed = "CREATE MATERIALIZED VIEW fresh AS SELECT id * 2 AS twice FROM src;\n";
    prj_overlay ov = {"sql/b.sql", typed};
    build(f, &ov, 1);
    const ls_dataset *fr = ls_dataset_named(&f->m, "fresh");
    assert_non_null(fr);
    assert_null(ls_dataset_named(&f->m, "joined"));
    assert_int_equal(fr->columns.n, 1);
    assert_string_equal(fr->columns.v[0].name, "twice");
    assert_int_equal(ls_dataset_at(&f->p, "sql/b.sql", 40), prj_dataset_find(&f->p, "fresh"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_model_datasets_columns_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_functions_from_the_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_model_row_counts_after_a_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complete_after_from_offers_datasets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complete_columns_of_the_statement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complete_keywords_functions_params, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hover_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_references, setup, teardown),
        cmocka_unit_test_setup_teardown(test_words_and_statements, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dataset_at_and_overlays, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
