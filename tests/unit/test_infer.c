/*
 * test_infer.c - unit tests for engine/infer (the types of ingested values):
 * inf_classify on numbers (leading zeros, signs, exponents, overflow), dates
 * (with Feb 29 in leap and other years), timestamps (T or space, fractions,
 * zones) and booleans; the inf_widen table; inf_type_parse and
 * inf_type_name; inf_convert; inf_parse_hints with its errors;
 * inf_column_name (spaces, $, leading digits, empty, case-insensitive
 * duplicates); inf_utf8_valid (overlongs, surrogates, truncated sequences).
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

#include "infer.h"
#include "util.h"

static const char *tname(inf_type t)
{
    static const char *const n[] = {"NULL", "BOOLEAN", "INTEGER", "REAL", "DATE", "TIMESTAMP",
                                    "TEXT"};
    return (unsigned)t < ARRAY_LEN(n) ? n[t] : "?";
}

static void check_class(const char *s, inf_type want)
{
    inf_type got = inf_classify(s, strlen(s));
    if (got != want) fail_msg("inf_classify(\"%s\") = %s, want %s", s, tname(got), tname(want));
}

/* ---------------------------------------------------------------- classify */

static void test_classify_numbers(void **state)
{
    (void)state;
    check_class("", INF_NULL);
    check_class("0", INF_INTEGER);
    check_class("-0", INF_INTEGER);
    check_class("+5", INF_INTEGER);
    check_class("42", INF_INTEGER);
    check_class("-17", INF_INTEGER);
    check_class("9223372036854775807", INF_INTEGER);
    check_class("-9223372036854775808", INF_INTEGER);
    /* past 64 bits: still a number, but not an integer */
    check_class("9223372036854775808", INF_REAL);
    check_class("-9223372036854775809", INF_REAL);
    check_class("123456789012345678901234567890", INF_REAL);
    /* leading zeros: codes, not quantities */
    check_class("007", INF_TEXT);
    check_class("00", INF_TEXT);
    check_class("-007", INF_TEXT);
    check_class("+01", INF_TEXT);
    check_class("00.5", INF_TEXT);
    check_class("01234", INF_TEXT);
    check_class("01e3", INF_TEXT);
    /* reals */
    check_class("0.5", INF_REAL);
    check_class(".5", INF_REAL);
    check_class("-.5", INF_REAL);
    check_class("5.", INF_REAL);
    check_class("3.14159", INF_REAL);
    check_class("-2.5", INF_REAL);
    check_class("1e5", INF_REAL);
    check_class("1E-5", INF_REAL);
    check_class("+1.5e+10", INF_REAL);
    check_class("0e0", INF_REAL);
    check_class("1e308", INF_REAL);
    /* overflowing to infinity: text */
    check_class("1e400", INF_TEXT);
    check_class("-1e999", INF_TEXT);
    /* not numbers */
    check_class("-", INF_TEXT);
    check_class("+", INF_TEXT);
    check_class(".", INF_TEXT);
    check_class("-.", INF_TEXT);
    check_class("1e", INF_TEXT);
    check_class("1e+", INF_TEXT);
    check_class("e5", INF_TEXT);
    check_class("1.2.3", INF_TEXT);
    check_class("1,000", INF_TEXT);
    check_class(" 1", INF_TEXT);
    check_class("1 ", INF_TEXT);
    check_class("0x10", INF_TEXT);
    check_class("nan", INF_TEXT);
    check_class("inf", INF_TEXT);
    check_class("Infinity", INF_TEXT);
    check_class("--1", INF_TEXT);
    check_class("1-", INF_TEXT);
    check_class("12abc", INF_TEXT);
    /* only the n bytes given count */
    assert_int_equal(inf_classify("123abc", 3), INF_INTEGER);
    assert_int_equal(inf_classify("1.5xyz", 3), INF_REAL);
    assert_int_equal(inf_classify("true!", 4), INF_BOOLEAN);
    assert_int_equal(inf_classify("x", 0), INF_NULL);
}

static void test_classify_dates(void **state)
{
    (void)state;
    check_class("2024-01-01", INF_DATE);
    check_class("1999-12-31", INF_DATE);
    check_class("2024-02-29", INF_DATE); /* leap year */
    check_class("2000-02-29", INF_DATE); /* divisible by 400 */
    check_class("2023-02-29", INF_TEXT); /* not a leap year */
    check_class("1900-02-29", INF_TEXT); /* divisible by 100, not 400 */
    check_class("2023-02-28", INF_DATE);
    check_class("2024-02-30", INF_TEXT);
    check_class("2024-04-31", INF_TEXT);
    check_class("2024-04-30", INF_DATE);
    check_class("2024-13-01", INF_TEXT);
    check_class("2024-00-10", INF_TEXT);
    check_class("2024-01-00", INF_TEXT);
    check_class("2024-01-32", INF_TEXT);
    check_class("2024-1-01", INF_TEXT);
    check_class("2024/01/01", INF_TEXT);
    check_class("24-01-01", INF_TEXT);
    check_class("2024-01-01 ", INF_TEXT);
    check_class("20240101", INF_INTEGER);
}

static void test_classify_timestamps(void **state)
{
    (void)state;
    check_class("2024-01-01T10:00", INF_TIMESTAMP);
    check_class("2024-01-01 10:00", INF_TIMESTAMP);
    check_class("2024-01-01T10:00:00", INF_TIMESTAMP);
    check_class("2024-01-01 23:59:59", INF_TIMESTAMP);
    check_class("2024-01-01T10:00:00.1", INF_TIMESTAMP);
    check_class("2024-01-01T10:00:00.123456", INF_TIMESTAMP);
    check_class("2024-01-01T10:00:00Z", INF_TIMESTAMP);
    check_class("2024-01-01T10:00:00.5Z", INF_TIMESTAMP);
    check_class("2024-01-01T10:00Z", INF_TIMESTAMP);
    check_class("2024-01-01T10:00:00+02:00", INF_TIMESTAMP);
    check_class("2024-01-01T10:00:00-05:30", INF_TIMESTAMP);
    check_class("2024-01-01T10:00:00-0530", INF_TIMESTAMP);
    check_class("2024-01-01T10:00:00+02", INF_TIMESTAMP);
    check_class("2024-01-01T10:00:60", INF_TIMESTAMP); /* a leap second */
    check_class("2024-02-29T00:00", INF_TIMESTAMP);
    check_class("2023-02-29T00:00", INF_TEXT);
    check_class("2024-01-01T24:00:00", INF_TEXT);
    check_class("2024-01-01T10:60", INF_TEXT);
    check_class("2024-01-01T10:00:61", INF_TEXT);
    check_class("2024-01-01T10:00:00.", INF_TEXT);
    check_class("2024-01-01T10:00:00Zx", INF_TEXT);
    check_class("2024-01-01T10:00:00+2:00", INF_TEXT);
    check_class("2024-01-01T10:00:00+020", INF_TEXT);
    check_class("2024-01-01T10:00:0", INF_TEXT);
    check_class("2024-01-01X10:00", INF_TEXT);
    check_class("2024-01-01T10", INF_TEXT);
    check_class("2024-01-01T1:00", INF_TEXT);
    check_class("2024-01-01T10:00 ", INF_TEXT);
}

static void test_classify_booleans_and_text(void **state)
{
    (void)state;
    check_class("true", INF_BOOLEAN);
    check_class("false", INF_BOOLEAN);
    check_class("TRUE", INF_BOOLEAN);
    check_class("False", INF_BOOLEAN);
    check_class("yes", INF_TEXT);
    check_class("t", INF_TEXT);
    check_class("truex", INF_TEXT);
    check_class("fals", INF_TEXT);
    check_class("1", INF_INTEGER); /* 0 and 1 are numbers, not booleans */
    check_class("abc", INF_TEXT);
    check_class("null", INF_TEXT);
    check_class("é", INF_TEXT);
}

/* ---------------------------------------------------------------- widen */

static void test_widen(void **state)
{
    (void)state;
    const inf_type all[] = {INF_NULL, INF_BOOLEAN, INF_INTEGER, INF_REAL,
                            INF_DATE, INF_TIMESTAMP, INF_TEXT};
    for (size_t i = 0; i < ARRAY_LEN(all); i++) {
        for (size_t k = 0; k < ARRAY_LEN(all); k++) {
            inf_type a = all[i], b = all[k], want;
            if (a == b) want = a;
            else if (a == INF_NULL) want = b;
            else if (b == INF_NULL) want = a;
            else if ((a == INF_INTEGER || a == INF_REAL) && (b == INF_INTEGER || b == INF_REAL))
                want = INF_REAL;
            else if ((a == INF_DATE || a == INF_TIMESTAMP) && (b == INF_DATE || b == INF_TIMESTAMP))
                want = INF_TIMESTAMP;
            else want = INF_TEXT;
            inf_type got = inf_widen(a, b);
            if (got != want)
                fail_msg("inf_widen(%s, %s) = %s, want %s", tname(a), tname(b), tname(got),
                         tname(want));
            assert_int_equal(inf_widen(b, a), got); /* order does not matter */
        }
    }
    /* a column of values widened one by one */
    const char *vals[] = {"", "1", "2", "", "2.5", "3"};
    inf_type t = INF_NULL;
    for (size_t i = 0; i < ARRAY_LEN(vals); i++) t = inf_widen(t, inf_classify(vals[i], strlen(vals[i])));
    assert_int_equal(t, INF_REAL);
    t = inf_widen(t, inf_classify("007", 3));
    assert_int_equal(t, INF_TEXT);
}

static void test_type_names(void **state)
{
    (void)state;
    assert_string_equal(inf_type_name(INF_NULL), "TEXT");
    assert_string_equal(inf_type_name(INF_BOOLEAN), "BOOLEAN");
    assert_string_equal(inf_type_name(INF_INTEGER), "INTEGER");
    assert_string_equal(inf_type_name(INF_REAL), "REAL");
    assert_string_equal(inf_type_name(INF_DATE), "DATE");
    assert_string_equal(inf_type_name(INF_TIMESTAMP), "TIMESTAMP");
    assert_string_equal(inf_type_name(INF_TEXT), "TEXT");
    struct {
        const char *s;
        int want;
    } cases[] = {
        {"INT", INF_INTEGER},         {"int", INF_INTEGER},       {"BIGINT", INF_INTEGER},
        {"Integer", INF_INTEGER},     {"smallint", INF_INTEGER},  {"LONG", INF_INTEGER},
        {"DOUBLE", INF_REAL},         {"float", INF_REAL},        {"DECIMAL(10,2)", INF_REAL},
        {"numeric(5)", INF_REAL},     {"REAL", INF_REAL},         {"BOOLEAN", INF_BOOLEAN},
        {"bool", INF_BOOLEAN},        {"DATE", INF_DATE},         {"TIMESTAMP", INF_TIMESTAMP},
        {"timestamp_ntz", INF_TIMESTAMP}, {"DATETIME", INF_TIMESTAMP}, {"STRING", INF_TEXT},
        {"varchar(20)", INF_TEXT},    {"TEXT", INF_TEXT},         {"char", INF_TEXT},
        {"FOO", -1},                  {"", -1},                   {"MAP<STRING,INT>", -1},
        {"INTX", -1},                 {"123", -1},                {"STRINGS", -1},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        int got = inf_type_parse(cases[i].s, strlen(cases[i].s));
        if (got != cases[i].want)
            fail_msg("inf_type_parse(\"%s\") = %d, want %d", cases[i].s, got, cases[i].want);
    }
    /* only the n bytes given count */
    assert_int_equal(inf_type_parse("INTEGERS", 7), INF_INTEGER);
    assert_int_equal(inf_type_parse("DATEX", 4), INF_DATE);
    /* every name round-trips */
    for (int t = INF_BOOLEAN; t <= INF_TEXT; t++) {
        const char *n = inf_type_name((inf_type)t);
        assert_int_equal(inf_type_parse(n, strlen(n)), t);
    }
}

/* ---------------------------------------------------------------- convert */

static void test_convert(void **state)
{
    (void)state;
    inf_value v;
#define CONV(t, s) inf_convert((t), (s), strlen(s), &v)
    assert_true(CONV(INF_INTEGER, "42"));
    assert_int_equal(v.kind, SQLITE_INTEGER);
    assert_int_equal(v.i, 42);
    assert_true(CONV(INF_INTEGER, "-9223372036854775808"));
    assert_true(v.i == INT64_MIN);
    assert_true(CONV(INF_INTEGER, "+7"));
    assert_int_equal(v.i, 7);
    /* a whole number written as a real fits */
    assert_true(CONV(INF_INTEGER, "3.0"));
    assert_int_equal(v.kind, SQLITE_INTEGER);
    assert_int_equal(v.i, 3);
    assert_true(CONV(INF_INTEGER, "-2e3"));
    assert_int_equal(v.i, -2000);
    assert_false(CONV(INF_INTEGER, "3.5"));
    /* leading zeros make inference say TEXT, but a column typed INTEGER (by
     * a hint) takes them as the number they spell */
    assert_true(CONV(INF_INTEGER, "007"));
    assert_int_equal(v.i, 7);
    assert_true(CONV(INF_INTEGER, "-0012"));
    assert_int_equal(v.i, -12);
    assert_false(CONV(INF_INTEGER, "abc"));
    assert_false(CONV(INF_INTEGER, "9223372036854775808"));
    /* huge reals do not fit an integer (and must not be cast to one) */
    assert_false(CONV(INF_INTEGER, "1e300"));
    assert_false(CONV(INF_INTEGER, "-1e19"));
    assert_false(CONV(INF_INTEGER, "1e16"));

    assert_true(CONV(INF_REAL, "1.5"));
    assert_int_equal(v.kind, SQLITE_FLOAT);
    assert_true(v.d == 1.5);
    assert_true(CONV(INF_REAL, "2"));
    assert_int_equal(v.kind, SQLITE_FLOAT);
    assert_true(v.d == 2.0);
    assert_true(CONV(INF_REAL, "-.25e1"));
    assert_true(v.d == -2.5);
    assert_true(CONV(INF_REAL, "007.50"));
    assert_true(v.d == 7.5);
    assert_false(CONV(INF_REAL, "1e400"));
    assert_false(CONV(INF_REAL, "x"));
    assert_false(CONV(INF_REAL, ""));

    assert_true(CONV(INF_BOOLEAN, "true"));
    assert_int_equal(v.kind, SQLITE_INTEGER);
    assert_int_equal(v.i, 1);
    assert_true(CONV(INF_BOOLEAN, "FALSE"));
    assert_int_equal(v.i, 0);
    assert_true(CONV(INF_BOOLEAN, "1"));
    assert_int_equal(v.i, 1);
    assert_true(CONV(INF_BOOLEAN, "0"));
    assert_int_equal(v.i, 0);
    assert_false(CONV(INF_BOOLEAN, "2"));
    assert_false(CONV(INF_BOOLEAN, "yes"));
    assert_false(CONV(INF_BOOLEAN, "tru"));

    assert_true(CONV(INF_DATE, "2024-02-29"));
    assert_int_equal(v.kind, SQLITE_TEXT); /* kept as ISO text */
    assert_false(CONV(INF_DATE, "2023-02-29"));
    assert_false(CONV(INF_DATE, "2024-01-01T10:00"));
    assert_true(CONV(INF_TIMESTAMP, "2024-01-01T10:00:00Z"));
    assert_int_equal(v.kind, SQLITE_TEXT);
    assert_true(CONV(INF_TIMESTAMP, "2024-01-01")); /* a date fits a timestamp */
    assert_false(CONV(INF_TIMESTAMP, "yesterday"));

    assert_true(CONV(INF_TEXT, "anything at all"));
    assert_int_equal(v.kind, SQLITE_TEXT);
    assert_true(CONV(INF_TEXT, "007"));
    assert_true(CONV(INF_NULL, "x"));
    /* only the n bytes given count */
    assert_true(inf_convert(INF_INTEGER, "12x", 2, &v));
    assert_int_equal(v.i, 12);
#undef CONV
}

/* ---------------------------------------------------------------- hints */

static void test_parse_hints(void **state)
{
    (void)state;
    strvec names = {0};
    intvec types = {0};
    char *err = NULL;
    assert_int_equal(inf_parse_hints("id BIGINT, zip STRING", &names, &types, &err), 0);
    assert_null(err);
    assert_int_equal(names.n, 2);
    assert_string_equal(names.v[0], "id");
    assert_string_equal(names.v[1], "zip");
    assert_int_equal(types.v[0], INF_INTEGER);
    assert_int_equal(types.v[1], INF_TEXT);
    /* appended to what is there; quoted names; types with commas in parens */
    assert_int_equal(inf_parse_hints("`order date` DATE,\"a b\" timestamp ,"
                                     " amount DECIMAL(10, 2),flag   BOOLEAN,, ",
                                     &names, &types, &err), 0);
    assert_int_equal(names.n, 6);
    assert_string_equal(names.v[2], "order date");
    assert_string_equal(names.v[3], "a b");
    assert_string_equal(names.v[4], "amount");
    assert_string_equal(names.v[5], "flag");
    assert_int_equal(types.v[2], INF_DATE);
    assert_int_equal(types.v[3], INF_TIMESTAMP);
    assert_int_equal(types.v[4], INF_REAL);
    assert_int_equal(types.v[5], INF_BOOLEAN);
    strvec_free(&names);
    VEC_FREE(&types);
    /* empty hints: nothing, no error */
    assert_int_equal(inf_parse_hints("", &names, &types, &err), 0);
    assert_int_equal(inf_parse_hints("  , ,", &names, &types, &err), 0);
    assert_int_equal(names.n, 0);

    /* errors name the bad hint */
    const char *bad[] = {"a", "a FOO", "id INT, b", "id INT, zip", "x MAP<STRING,INT>",
                         "`unclosed INT"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        err = NULL;
        if (inf_parse_hints(bad[i], &names, &types, &err) != -1)
            fail_msg("hints '%s' accepted", bad[i]);
        assert_non_null(err);
        assert_non_null(strstr(err, "schema hint"));
        assert_non_null(strstr(err, "expected a column name and a type"));
        free(err);
        strvec_free(&names);
        VEC_FREE(&types);
    }
    err = NULL;
    assert_int_equal(inf_parse_hints("a FOO", &names, &types, &err), -1);
    assert_non_null(strstr(err, "'a FOO'"));
    free(err);
    /* the good hints before the bad one are kept (the caller frees them) */
    assert_int_equal(inf_parse_hints("id INT, zip", &names, &types, NULL), -1);
    assert_int_equal(names.n, 1);
    strvec_free(&names);
    VEC_FREE(&types);
}

/* ---------------------------------------------------------------- names */

static const char *colname(const char *raw, int index, strvec *taken)
{
    size_t before = taken->n;
    const char *n = inf_column_name(raw, strlen(raw), index, taken);
    assert_int_equal(taken->n, before + 1);
    assert_ptr_equal(n, taken->v[taken->n - 1]); /* owned by taken */
    return n;
}

static void test_column_names(void **state)
{
    (void)state;
    strvec t = {0};
    assert_string_equal(colname("id", 0, &t), "id");
    assert_string_equal(colname(" order date ", 1, &t), "order_date");
    assert_string_equal(colname("price $", 2, &t), "price__");
    assert_string_equal(colname("$amount", 3, &t), "_amount");
    assert_string_equal(colname("1st place", 4, &t), "_1st_place");
    assert_string_equal(colname("", 5, &t), "_c5");
    assert_string_equal(colname("   ", 6, &t), "_c6");
    assert_string_equal(colname("a-b.c/d", 7, &t), "a_b_c_d");
    assert_string_equal(colname("café", 8, &t), "café"); /* UTF-8 letters stay */
    assert_string_equal(colname("with\ttab", 9, &t), "with_tab");
    assert_string_equal(colname("under_score9", 10, &t), "under_score9");
    strvec_free(&t);

    /* duplicates, ignoring case, get _2, _3, ... */
    assert_string_equal(colname("a", 0, &t), "a");
    assert_string_equal(colname("A", 1, &t), "A_2");
    assert_string_equal(colname("a", 2, &t), "a_3");
    assert_string_equal(colname("a_2", 3, &t), "a_2_2"); /* a_2 is taken by the second */
    assert_string_equal(colname("", 4, &t), "_c4");
    assert_string_equal(colname("_C4", 5, &t), "_C4_2");
    /* names that become equal once cleaned */
    assert_string_equal(colname("x y", 6, &t), "x_y");
    assert_string_equal(colname("x-y", 7, &t), "x_y_2");
    assert_string_equal(colname("X Y", 8, &t), "X_Y_3");
    strvec_free(&t);
    /* only the n bytes given count */
    assert_string_equal(inf_column_name("abc,def", 3, 0, &t), "abc");
    strvec_free(&t);
}

/* ---------------------------------------------------------------- UTF-8 */

static void test_utf8(void **state)
{
    (void)state;
    struct {
        const char *s;
        bool valid;
    } cases[] = {
        {"", true},
        {"plain ASCII", true},
        {"\xC3\xA9", true},                  /* é */
        {"\xE2\x82\xAC", true},              /* € */
        {"\xF0\x9D\x84\x9E", true},          /* U+1D11E */
        {"a\xC3\xA9z\xE2\x82\xAC", true},
        {"\xC2\x80", true},                  /* U+0080, the smallest 2-byte */
        {"\xDF\xBF", true},                  /* U+07FF */
        {"\xE0\xA0\x80", true},              /* U+0800, the smallest 3-byte */
        {"\xED\x9F\xBF", true},              /* U+D7FF, below the surrogates */
        {"\xEE\x80\x80", true},              /* U+E000, above them */
        {"\xEF\xBF\xBD", true},              /* U+FFFD */
        {"\xF0\x90\x80\x80", true},          /* U+10000 */
        {"\xF4\x8F\xBF\xBF", true},          /* U+10FFFF, the largest */
        /* overlong encodings */
        {"\xC0\x80", false},
        {"\xC1\xBF", false},
        {"\xE0\x80\x80", false},
        {"\xE0\x9F\xBF", false},
        {"\xF0\x80\x80\x80", false},
        {"\xF0\x8F\xBF\xBF", false},
        /* surrogates */
        {"\xED\xA0\x80", false},
        {"\xED\xBF\xBF", false},
        /* past U+10FFFF and bytes that never start a sequence */
        {"\xF4\x90\x80\x80", false},
        {"\xF5\x80\x80\x80", false},
        {"\xF8\x88\x80\x80\x80", false},
        {"\xFF", false},
        {"\xFE", false},
        /* continuation bytes on their own */
        {"\x80", false},
        {"a\xBFz", false},
        /* truncated sequences */
        {"\xC3", false},
        {"\xE2\x82", false},
        {"\xF0\x9D\x84", false},
        {"abc\xC3", false},
        /* a bad continuation */
        {"\xC3\x41", false},
        {"\xE2\x28\xA1", false},
        {"\xF0\x9D\x28\x9E", false},
        /* Latin-1 text */
        {"caf\xE9", false},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
        if (inf_utf8_valid(cases[i].s, strlen(cases[i].s)) != cases[i].valid)
            fail_msg("inf_utf8_valid case %zu: want %s", i, cases[i].valid ? "valid" : "invalid");
    /* the length counts, not the NUL */
    assert_true(inf_utf8_valid("a\0b", 3));
    assert_false(inf_utf8_valid("\xC3\xA9", 1));
    assert_true(inf_utf8_valid("\xC3\xA9\xFF", 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_numbers),
        cmocka_unit_test(test_classify_dates),
        cmocka_unit_test(test_classify_timestamps),
        cmocka_unit_test(test_classify_booleans_and_text),
        cmocka_unit_test(test_widen),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_convert),
        cmocka_unit_test(test_parse_hints),
        cmocka_unit_test(test_column_names),
        cmocka_unit_test(test_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
