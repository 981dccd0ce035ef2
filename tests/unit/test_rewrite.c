/*
 * test_rewrite.c - unit tests for engine/rewrite: output built from copies
 * and insertions, positions mapped back to the source exactly (inside copies,
 * inside inserted text, past the end), adjacent copies merged, the reverse
 * map, and ${param} substitution with unknown parameters reported at their
 * offsets and values never expanded again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "rewrite.h"
#include "util.h"

#define NONE ((size_t)-1)

/* Every output offset 0..out.len+extra mapped, as "a,b,c". */
static char *map_all(const rewrite *w, size_t extra)
{
    sb b = {0};
    for (size_t i = 0; i <= w->out.len + extra; i++) sb_addf(&b, i ? ",%zu" : "%zu", rw_map(w, i));
    return sb_take(&b);
}

static void assert_map(const rewrite *w, size_t extra, const char *want)
{
    char *got = map_all(w, extra);
    assert_string_equal(got, want);
    free(got);
}

/* ---------------------------------------------------------------- copies */

static void test_empty(void **state)
{
    (void)state;
    rewrite w = {0};
    assert_string_equal(sb_str(&w.out), "");
    assert_int_equal(rw_map(&w, 0), 0);
    assert_int_equal(rw_map(&w, 7), 7); /* nothing built: identity */
    assert_int_equal(rw_unmap(&w, 0), NONE);
    /* empty pieces add nothing */
    rw_copy(&w, "abc", 1, 0);
    rw_insert(&w, "", 2);
    assert_int_equal(w.segs.n, 0);
    assert_int_equal(w.out.len, 0);
    rw_free(&w);
    assert_null(w.out.s);
    assert_null(w.segs.v);
}

static void test_copies_merge(void **state)
{
    (void)state;
    const char *src = "hello world";
    rewrite w = {0};
    rw_copy(&w, src, 0, 5);
    rw_copy(&w, src, 5, 6);
    assert_string_equal(sb_str(&w.out), "hello world");
    /* adjacent copies become one piece */
    assert_int_equal(w.segs.n, 1);
    assert_int_equal(w.segs.v[0].dst, 0);
    assert_int_equal(w.segs.v[0].src, 0);
    assert_int_equal(w.segs.v[0].len, 11);
    assert_true(w.segs.v[0].copied);
    /* identity, and past the end maps to the end */
    assert_map(&w, 3, "0,1,2,3,4,5,6,7,8,9,10,11,11,11,11");
    assert_int_equal(rw_map(&w, 1000), 11);
    for (size_t i = 0; i <= 11; i++) assert_int_equal(rw_unmap(&w, i), i);
    assert_int_equal(rw_unmap(&w, 12), NONE);
    rw_free(&w);
}

static void test_copies_apart(void **state)
{
    (void)state;
    const char *src = "0123456789";
    rewrite w = {0};
    rw_copy(&w, src, 0, 3); /* "012" */
    rw_copy(&w, src, 6, 3); /* "678" */
    rw_copy(&w, src, 9, 1); /* "9": adjacent to the previous piece, merged */
    rw_copy(&w, src, 2, 2); /* "23": back in the source, a new piece */
    assert_string_equal(sb_str(&w.out), "012678923");
    assert_int_equal(w.segs.n, 3);
    assert_int_equal(w.segs.v[1].dst, 3);
    assert_int_equal(w.segs.v[1].src, 6);
    assert_int_equal(w.segs.v[1].len, 4);
    assert_int_equal(w.segs.v[2].dst, 7);
    assert_int_equal(w.segs.v[2].src, 2);
    assert_int_equal(w.segs.v[2].len, 2);
    assert_map(&w, 2, "0,1,2,6,7,8,9,2,3,4,4,4");
    /* unmap: the first copied piece holding the position; the end of a piece
     * is a position of it */
    assert_int_equal(rw_unmap(&w, 0), 0);
    assert_int_equal(rw_unmap(&w, 2), 2); /* in the first piece, not the last */
    assert_int_equal(rw_unmap(&w, 4), 9); /* the end of the last piece */
    assert_int_equal(rw_unmap(&w, 5), NONE);
    assert_int_equal(rw_unmap(&w, 6), 3);
    assert_int_equal(rw_unmap(&w, 9), 6);
    assert_int_equal(rw_unmap(&w, 10), 7); /* the end of the second piece */
    assert_int_equal(rw_unmap(&w, 11), NONE);
    rw_free(&w);
}

/* ---------------------------------------------------------------- inserts */

static void test_inserts(void **state)
{
    (void)state;
    const char *src = "ab${p}cd";
    rewrite w = {0};
    rw_copy(&w, src, 0, 2);
    rw_insert(&w, "XYZ", 2);
    rw_copy(&w, src, 6, 2);
    assert_string_equal(sb_str(&w.out), "abXYZcd");
    assert_int_equal(w.segs.n, 3);
    assert_false(w.segs.v[1].copied);
    assert_int_equal(w.segs.v[1].dst, 2);
    assert_int_equal(w.segs.v[1].src, 2);
    assert_int_equal(w.segs.v[1].len, 3);
    /* inserted text maps to its anchor; copies around it map 1:1 */
    assert_map(&w, 1, "0,1,2,2,2,6,7,8,8");
    assert_int_equal(rw_unmap(&w, 1), 1);
    assert_int_equal(rw_unmap(&w, 3), NONE); /* replaced, not copied */
    assert_int_equal(rw_unmap(&w, 6), 5);
    assert_int_equal(rw_unmap(&w, 8), 7);
    rw_free(&w);
}

static void test_insert_first_and_last(void **state)
{
    (void)state;
    /* what validate does for an expectation: SELECT (expr) FROM t */
    const char *src = "CONSTRAINT c EXPECT (x > 0)";
    rewrite w = {0};
    rw_insert(&w, "SELECT (", 21);
    rw_copy(&w, src, 21, 5);
    rw_insert(&w, ") FROM t", 21);
    assert_string_equal(sb_str(&w.out), "SELECT (x > 0) FROM t");
    assert_map(&w, 2, "21,21,21,21,21,21,21,21,21,22,23,24,25,21,21,21,21,21,21,21,21,21,21,21");
    /* offsets past the end of inserted text map to its anchor */
    assert_int_equal(rw_map(&w, 100), 21);
    assert_int_equal(rw_unmap(&w, 21), 8);
    assert_int_equal(rw_unmap(&w, 26), 13);
    assert_int_equal(rw_unmap(&w, 20), NONE);
    rw_free(&w);

    /* a copy, an insertion, then the same source position copied on: the
     * pieces are not merged across the insertion */
    w = (rewrite){0};
    rw_copy(&w, "abcd", 0, 2);
    rw_insert(&w, "-", 2);
    rw_copy(&w, "abcd", 2, 2);
    assert_string_equal(sb_str(&w.out), "ab-cd");
    assert_int_equal(w.segs.n, 3);
    assert_map(&w, 0, "0,1,2,2,3,4");
    assert_int_equal(rw_unmap(&w, 3), 4);
    rw_free(&w);

    /* insertions next to each other stay separate pieces, each with its anchor */
    w = (rewrite){0};
    rw_insert(&w, "ab", 5);
    rw_insert(&w, "cd", 9);
    assert_int_equal(w.segs.n, 2);
    assert_map(&w, 1, "5,5,9,9,9,9");
    assert_int_equal(rw_unmap(&w, 5), NONE);
    rw_free(&w);
}

/* ---------------------------------------------------------------- params */

typedef struct subst_ctx {
    sb missing; /* "name@off " for each report */
} subst_ctx;

static const char *lookup(void *ctx, const char *name)
{
    (void)ctx;
    static const char *const vars[][2] = {
        {"a", "1"},          {"a.b", "two"},       {"schema", "main"},
        {"loop", "${loop}"}, {"dollar", "$x ${a}"}, {"empty", ""},
        {"my-p_2", "dash"},
    };
    for (size_t i = 0; i < ARRAY_LEN(vars); i++)
        if (strcmp(vars[i][0], name) == 0) return vars[i][1];
    return NULL;
}

static void on_missing(void *ctx, const char *name, size_t off)
{
    sb_addf(&((subst_ctx *)ctx)->missing, "%s@%zu ", name, off);
}

/* Substitutes text; checks the output, the reports and the return value. */
static void assert_subst(const char *text, const char *want, const char *want_missing,
                         int want_rc)
{
    rewrite w = {0};
    subst_ctx c = {0};
    int rc = rw_subst_params(&w, text, strlen(text), lookup, on_missing, &c);
    assert_string_equal(sb_str(&w.out), want);
    assert_string_equal(sb_str(&c.missing), want_missing);
    assert_int_equal(rc, want_rc);
    sb_free(&c.missing);
    rw_free(&w);
}

static void test_subst_known_and_unknown(void **state)
{
    (void)state;
    const char *text = "x=${a}, y=${a.b}, z=${zz}, w=${a}";
    rewrite w = {0};
    subst_ctx c = {0};
    int rc = rw_subst_params(&w, text, strlen(text), lookup, on_missing, &c);
    assert_string_equal(sb_str(&w.out), "x=1, y=two, z=${zz}, w=1");
    assert_int_equal(rc, 1);
    assert_string_equal(sb_str(&c.missing), "zz@20 ");
    /* the output maps back to the file */
    const char *out = sb_str(&w.out);
    size_t one = (size_t)(strstr(out, "1") - out), two = (size_t)(strstr(out, "two") - out);
    size_t zz = (size_t)(strstr(out, "${zz}") - out), w1 = strlen(out) - 1;
    assert_int_equal(rw_map(&w, 0), 0);
    assert_int_equal(rw_map(&w, one), 2);          /* "1" -> "${a}" */
    assert_int_equal(rw_map(&w, one + 1), 6);      /* the ',' after it */
    assert_int_equal(rw_map(&w, two), 10);         /* "two" -> "${a.b}" */
    assert_int_equal(rw_map(&w, two + 2), 10);
    assert_int_equal(rw_map(&w, two + 3), 16);
    assert_int_equal(rw_map(&w, zz), 20);          /* unknown: copied as is */
    assert_int_equal(rw_map(&w, zz + 2), 22);
    assert_int_equal(rw_map(&w, w1), 29);
    assert_int_equal(rw_map(&w, w1 + 1), 29);      /* the end: after the last insert */
    assert_int_equal(rw_unmap(&w, 20), zz);
    assert_int_equal(rw_unmap(&w, 6), one + 1);
    assert_int_equal(rw_unmap(&w, 12), NONE);      /* inside ${a.b} */
    sb_free(&c.missing);
    rw_free(&w);
}

static void test_subst_edge_cases(void **state)
{
    (void)state;
    /* no parameter: one copied piece */
    rewrite w = {0};
    assert_int_equal(rw_subst_params(&w, "SELECT 1", 8, lookup, on_missing, NULL), 0);
    assert_string_equal(sb_str(&w.out), "SELECT 1");
    assert_int_equal(w.segs.n, 1);
    rw_free(&w);
    /* empty text */
    w = (rewrite){0};
    assert_int_equal(rw_subst_params(&w, "", 0, lookup, on_missing, NULL), 0);
    assert_string_equal(sb_str(&w.out), "");
    assert_int_equal(w.segs.n, 0);
    assert_int_equal(rw_map(&w, 0), 0);
    rw_free(&w);

    /* at the start and the end, adjacent, empty values, dashes in names */
    assert_subst("${a}", "1", "", 0);
    assert_subst("${a}${a}x${a}", "11x1", "", 0);
    assert_subst("[${empty}]", "[]", "", 0);
    assert_subst("${my-p_2}", "dash", "", 0);
    assert_subst("FROM ${schema}.t", "FROM main.t", "", 0);
    /* values are not expanded again, '$' in them is kept */
    assert_subst("${loop}", "${loop}", "", 0);
    assert_subst("${dollar}!", "$x ${a}!", "", 0);
    /* not parameters: left alone and not reported */
    assert_subst("${} ${a b} $a ${a $", "${} ${a b} $a ${a $", "", 0);
    assert_subst("${a", "${a", "", 0);
    assert_subst("$", "$", "", 0);
    assert_subst("'${a}'", "'1'", "", 0); /* substitution is textual, strings too */
    /* $${a}: the second '$' starts the parameter */
    assert_subst("$${a}", "$1", "", 0);
    /* every unknown one is reported at its own offset */
    assert_subst("${x} ${a} ${y.z} ${x}", "${x} 1 ${y.z} ${x}", "x@0 y.z@10 x@17 ", 3);
    assert_subst("${A}", "${A}", "A@0 ", 1); /* names are case-sensitive */

    /* missing may be NULL */
    w = (rewrite){0};
    assert_int_equal(rw_subst_params(&w, "${q}${a}", 8, lookup, NULL, NULL), 1);
    assert_string_equal(sb_str(&w.out), "${q}1");
    rw_free(&w);

    /* only len bytes are read: a parameter cut by len is not one */
    w = (rewrite){0};
    subst_ctx c = {0};
    assert_int_equal(rw_subst_params(&w, "a ${a} ${zz}", 5, lookup, on_missing, &c), 0);
    assert_string_equal(sb_str(&w.out), "a ${a");
    assert_string_equal(sb_str(&c.missing), "");
    sb_free(&c.missing);
    rw_free(&w);

    /* appending to a rewrite that already holds text keeps offsets of the
     * whole output */
    w = (rewrite){0};
    rw_insert(&w, "-- header\n", 0);
    rw_subst_params(&w, "${a.b}x", 7, lookup, on_missing, NULL);
    assert_string_equal(sb_str(&w.out), "-- header\ntwox");
    assert_int_equal(rw_map(&w, 10), 0);
    assert_int_equal(rw_map(&w, 13), 6);
    assert_int_equal(rw_unmap(&w, 6), 13);
    rw_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_copies_merge),
        cmocka_unit_test(test_copies_apart),
        cmocka_unit_test(test_inserts),
        cmocka_unit_test(test_insert_first_and_last),
        cmocka_unit_test(test_subst_known_and_unknown),
        cmocka_unit_test(test_subst_edge_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
