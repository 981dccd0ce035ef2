/*
 * test_search.c - unit tests for editor/search: plain and regex find, case
 * (sensitive, ignored, smart), next/previous with wrap-around, counts (and
 * their limit and refresh after an edit), matches never splitting a UTF-8
 * character, replace one and replace all (regex groups, empty matches) with
 * undo, the message for a bad regex, and matches spanning lines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "search.h"
#include "util.h"

static ed_buf *buf(const char *s)
{
    return ed_from(s, strlen(s));
}

static ed_search *srch(const char *pat, unsigned flags)
{
    char *err = NULL;
    ed_search *s = ed_search_new(pat, flags, &err);
    if (!s)
        fail_msg("pattern '%s': %s", pat, err);
    assert_null(err);
    return s;
}

static void assert_text(const ed_buf *b, const char *want)
{
    char *t = ed_text(b, 0, ed_len(b));
    assert_string_equal(t, want);
    free(t);
}

static size_t count(const char *text, const char *pat, unsigned flags)
{
    ed_buf *b = buf(text);
    ed_search *s = srch(pat, flags);
    size_t n = ed_search_count(b, s, 0);
    ed_search_free(s);
    ed_free(b);
    return n;
}

#define assert_match(m, f, t)                                                  \
    do {                                                                       \
        assert_int_equal((m).from, (f));                                       \
        assert_int_equal((m).to, (t));                                         \
    } while (0)

static void test_plain(void **state)
{
    (void)state;
    ed_buf *b = buf("foo bar foo\nbaz foo");
    ed_search *s = srch("foo", 0);
    ed_match m;
    bool wrapped = true;
    assert_int_equal(ed_search_count(b, s, 0), 3);
    assert_true(ed_find_next(b, s, 0, false, &m, &wrapped));
    assert_match(m, 0, 3);
    assert_false(wrapped);
    assert_true(ed_find_next(b, s, ed_search_after(b, m), false, &m, NULL));
    assert_match(m, 8, 11);
    assert_true(ed_find_next(b, s, 9, false, &m, NULL));
    assert_match(m, 16, 19);
    assert_false(ed_find_next(b, s, 17, false, &m, NULL));
    assert_true(ed_find_next(b, s, 17, true, &m, &wrapped));
    assert_match(m, 0, 3);
    assert_true(wrapped);
    assert_false(ed_find_next(b, s, 99, false, &m, NULL));
    /* previous */
    assert_true(ed_find_prev(b, s, 16, false, &m, &wrapped));
    assert_match(m, 8, 11);
    assert_false(wrapped);
    assert_true(ed_find_prev(b, s, 9, false, &m, NULL));
    assert_match(m, 8, 11);
    assert_true(ed_find_prev(b, s, ed_len(b), false, &m, NULL));
    assert_match(m, 16, 19);
    assert_false(ed_find_prev(b, s, 0, false, &m, NULL));
    assert_true(ed_find_prev(b, s, 0, true, &m, &wrapped));
    assert_match(m, 16, 19);
    assert_true(wrapped);
    /* ed_find: either way */
    assert_true(ed_find(b, s, 3, false, true, &m, NULL));
    assert_match(m, 8, 11);
    assert_true(ed_find(b, s, 8, true, true, &m, NULL));
    assert_match(m, 0, 3);
    /* all in a range */
    ed_match *all = NULL;
    assert_int_equal(ed_search_all(b, s, 1, 17, &all), 2);
    assert_match(all[0], 8, 11);
    assert_match(all[1], 16, 19);
    free(all);
    assert_int_equal(ed_search_all(b, s, 0, 0, &all), 0);
    assert_null(all);
    ed_search_free(s);

    /* overlapping occurrences count one after another */
    assert_int_equal(count("aaaa", "aa", 0), 2);
    /* not found, empty pattern */
    s = srch("nope", 0);
    assert_int_equal(ed_search_count(b, s, 0), 0);
    assert_false(ed_find_next(b, s, 0, true, &m, NULL));
    assert_false(ed_find_prev(b, s, 5, true, &m, NULL));
    ed_search_free(s);
    s = srch("", 0);
    assert_int_equal(ed_search_count(b, s, 0), 0);
    assert_false(ed_find_next(b, s, 0, true, &m, NULL));
    ed_search_free(s);
    s = srch("", ED_SEARCH_REGEX);
    assert_int_equal(ed_search_count(b, s, 0), 0);
    ed_search_free(s);
    /* a pattern longer than the text */
    assert_int_equal(count("ab", "abc", 0), 0);
    assert_int_equal(count("", "a", 0), 0);
    ed_free(b);
}

static void test_case(void **state)
{
    (void)state;
    const char *t = "Hello HELLO hello hElLo";
    assert_int_equal(count(t, "hello", 0), 1);
    assert_int_equal(count(t, "HELLO", 0), 1);
    assert_int_equal(count(t, "hello", ED_SEARCH_ICASE), 4);
    assert_int_equal(count(t, "HeLLo", ED_SEARCH_ICASE), 4);
    /* smart case: lower case ignores case, a capital makes it exact */
    assert_int_equal(count(t, "hello", ED_SEARCH_SMART_CASE), 4);
    assert_int_equal(count(t, "Hello", ED_SEARCH_SMART_CASE), 1);
    assert_int_equal(count(t, "h.llo", ED_SEARCH_REGEX | ED_SEARCH_SMART_CASE), 4);
    assert_int_equal(count(t, "H.llo", ED_SEARCH_REGEX | ED_SEARCH_SMART_CASE), 1);
    assert_int_equal(count("a b\tc", "\\W", ED_SEARCH_REGEX | ED_SEARCH_SMART_CASE), 2);
    /* regex */
    assert_int_equal(count(t, "h[a-z]llo", ED_SEARCH_REGEX), 1);
    assert_int_equal(count(t, "h[a-z]llo", ED_SEARCH_REGEX | ED_SEARCH_ICASE), 4);
    /* plain case folding is ASCII only (documented); a regex uses the locale */
    assert_int_equal(count("ÉTÉ été", "été", ED_SEARCH_ICASE), 1);
    assert_int_equal(count("ÉTÉ été", "été", ED_SEARCH_REGEX | ED_SEARCH_ICASE), 2);
    assert_int_equal(count("caf\xc3\xa9 CAF\xc3\xa9", "café", ED_SEARCH_ICASE), 2);
}

static void test_regex(void **state)
{
    (void)state;
    ed_buf *b = buf("a1 b22\nc333 d\n");
    ed_search *s = srch("[0-9]+", ED_SEARCH_REGEX);
    ed_match m;
    assert_int_equal(ed_search_count(b, s, 0), 3);
    assert_true(ed_find_next(b, s, 0, false, &m, NULL));
    assert_match(m, 1, 2);
    assert_true(ed_find_next(b, s, 2, false, &m, NULL));
    assert_match(m, 4, 6);
    assert_true(ed_find_next(b, s, 5, false, &m, NULL));   /* leftmost from 5 */
    assert_match(m, 5, 6);
    assert_true(ed_find_prev(b, s, 8, false, &m, NULL));
    assert_match(m, 4, 6);
    assert_true(ed_find_prev(b, s, 0, true, &m, NULL));
    assert_match(m, 8, 11);
    /* a limit on the count */
    assert_int_equal(ed_search_count(b, s, 2), 2);
    assert_int_equal(ed_search_count(b, s, 0), 3);
    ed_search_free(s);

    /* anchors see the text before the search position */
    ed_free(b);
    b = buf("ab\nb\nxb");
    s = srch("^b", ED_SEARCH_REGEX);
    assert_true(ed_find_next(b, s, 1, false, &m, NULL));
    assert_match(m, 3, 4);
    assert_int_equal(ed_search_count(b, s, 0), 1);
    ed_search_free(s);
    s = srch("b$", ED_SEARCH_REGEX);
    assert_int_equal(ed_search_count(b, s, 0), 3);
    ed_search_free(s);
    s = srch("\\<b", ED_SEARCH_REGEX);
    assert_true(ed_find_next(b, s, 1, false, &m, NULL));
    assert_match(m, 3, 4);
    ed_search_free(s);
    /* empty matches: ^ at every line */
    s = srch("^", ED_SEARCH_REGEX);
    assert_int_equal(ed_search_count(b, s, 0), 3);
    assert_true(ed_find_next(b, s, 1, false, &m, NULL));
    assert_match(m, 3, 3);
    assert_int_equal(ed_search_after(b, m), 4);
    assert_true(ed_find_prev(b, s, ed_len(b), false, &m, NULL));
    assert_match(m, 5, 5);
    ed_search_free(s);
    s = srch("$", ED_SEARCH_REGEX);
    assert_true(ed_find_next(b, s, 6, false, &m, NULL));
    assert_match(m, 7, 7);
    assert_int_equal(ed_search_after(b, m), 8);
    assert_false(ed_find_next(b, s, 8, false, &m, NULL));
    assert_true(ed_find_next(b, s, 8, true, &m, NULL));
    assert_match(m, 2, 2);
    ed_search_free(s);
    assert_int_equal(count("axb", "x*", ED_SEARCH_REGEX), 3);
    ed_free(b);

    /* a previous match far back: the window widens */
    sb big = {0};
    sb_add(&big, "xx MARK yy\n");
    for (int i = 0; i < 3000; i++)
        sb_add(&big, "filler text\n");
    b = ed_from(big.s, big.len);
    s = srch("M[A-Z]+K", ED_SEARCH_REGEX);
    assert_true(ed_find_prev(b, s, ed_len(b), false, &m, NULL));
    assert_match(m, 3, 7);
    assert_true(ed_find_prev(b, s, 3, true, &m, NULL));
    assert_match(m, 3, 7);
    ed_search_free(s);
    ed_free(b);
    sb_free(&big);
}

static void test_utf8(void **state)
{
    (void)state;
    ed_buf *b = buf("é中a😀");
    ed_search *s = srch(".", ED_SEARCH_REGEX);
    ed_match m;
    assert_int_equal(ed_search_count(b, s, 0), 4);
    assert_true(ed_find_next(b, s, 0, false, &m, NULL));
    assert_match(m, 0, 2);
    assert_true(ed_find_next(b, s, 1, false, &m, NULL));  /* from inside é */
    assert_match(m, 2, 5);
    assert_true(ed_find_prev(b, s, ed_len(b), false, &m, NULL));
    assert_match(m, 6, 10);
    ed_search_free(s);
    assert_int_equal(count("a中b a文b", "a.b", ED_SEARCH_REGEX), 2);
    assert_int_equal(count("x中文y", "中文", 0), 1);

    /* a pattern holding part of a character never matches inside one */
    assert_int_equal(count("é", "\xa9", 0), 0);
    /* é then a stray continuation byte: only the stray one (a character of
     * its own) matches */
    assert_int_equal(count("é\xa9", "\xa9", 0), 1);
    ed_free(b);

    /* in a byte locale a regex could split characters: those are skipped */
    setlocale(LC_ALL, "C");
    assert_int_equal(count("é", "\xa9", ED_SEARCH_REGEX), 0);
    assert_int_equal(count("é", ".", ED_SEARCH_REGEX), 0);
    assert_int_equal(count("aé", ".", ED_SEARCH_REGEX), 1);
    assert_int_equal(count("aéb", "a.", ED_SEARCH_REGEX), 0);
    assert_int_equal(count("aéb", "a..", ED_SEARCH_REGEX), 1);
    setlocale(LC_ALL, "C.UTF-8");
}

static void test_replace_one(void **state)
{
    (void)state;
    ed_buf *b = buf("cat hat cat");
    ed_search *s = srch("cat", 0);
    ed_match m;
    size_t end = 0;
    assert_true(ed_find_next(b, s, 0, false, &m, NULL));
    assert_true(ed_search_replace(b, s, m, "dog", &end));
    assert_text(b, "dog hat cat");
    assert_int_equal(end, 3);
    assert_true(ed_find_next(b, s, end, true, &m, NULL));
    assert_match(m, 8, 11);
    assert_true(ed_search_replace(b, s, m, "", &end));
    assert_text(b, "dog hat ");
    assert_int_equal(end, 8);
    assert_int_equal(ed_search_count(b, s, 0), 0);
    assert_true(ed_undo(b));
    assert_text(b, "dog hat cat");
    assert_true(ed_undo(b));
    assert_text(b, "cat hat cat");
    assert_false(ed_undo(b));
    /* a match that no longer matches there is left alone */
    m = (ed_match){4, 7};
    assert_false(ed_search_replace(b, s, m, "x", NULL));
    assert_text(b, "cat hat cat");
    ed_search_free(s);
    ed_free(b);

    /* regex groups in the replacement */
    b = buf("key = 42;");
    s = srch("([a-z]+) = ([0-9]+)", ED_SEARCH_REGEX);
    assert_true(ed_find_next(b, s, 0, false, &m, NULL));
    assert_true(ed_search_replace(b, s, m, "\\2 <- \\1 (\\0)\\\\\\n\\3", &end));
    assert_text(b, "42 <- key (key = 42)\\\n;");
    assert_int_equal(end, strlen("42 <- key (key = 42)\\\n"));
    ed_search_free(s);
    /* in plain mode the replacement is literal */
    s = srch("key", 0);
    assert_true(ed_find_next(b, s, 0, false, &m, NULL));
    assert_true(ed_search_replace(b, s, m, "\\1", NULL));
    assert_text(b, "42 <- \\1 (key = 42)\\\n;");
    ed_search_free(s);
    ed_free(b);
}

static void test_replace_all(void **state)
{
    (void)state;
    ed_buf *b = buf("a a a\na");
    ed_set_sel(b, (ed_sel){2, 3});
    ed_search *s = srch("a", 0);
    assert_int_equal(ed_search_replace_all(b, s, "bb"), 4);
    assert_text(b, "bb bb bb\nbb");
    assert_true(ed_modified(b));
    assert_int_equal(ed_search_count(b, s, 0), 0);
    assert_true(ed_undo(b));   /* one step */
    assert_text(b, "a a a\na");
    ed_sel sel = ed_get_sel(b);
    assert_int_equal(sel.anchor, 2);
    assert_int_equal(sel.cursor, 3);
    assert_false(ed_modified(b));
    assert_false(ed_undo(b));
    assert_int_equal(ed_search_count(b, s, 0), 4);
    assert_true(ed_redo(b));
    assert_text(b, "bb bb bb\nbb");
    assert_int_equal(ed_search_replace_all(b, s, "x"), 0);   /* none left */
    assert_true(ed_undo(b));
    assert_text(b, "a a a\na");
    ed_search_free(s);
    ed_free(b);

    /* regex: groups, and empty matches (prefix every line) */
    b = buf("x=1\ny=22\n");
    s = srch("([a-z])=([0-9]+)", ED_SEARCH_REGEX);
    assert_int_equal(ed_search_replace_all(b, s, "\\2=\\1"), 2);
    assert_text(b, "1=x\n22=y\n");
    ed_search_free(s);
    s = srch("^", ED_SEARCH_REGEX);
    assert_int_equal(ed_search_replace_all(b, s, "> "), 3);
    assert_text(b, "> 1=x\n> 22=y\n> ");
    assert_true(ed_undo(b));
    assert_text(b, "1=x\n22=y\n");
    assert_true(ed_undo(b));
    assert_text(b, "x=1\ny=22\n");
    ed_search_free(s);
    ed_free(b);

    b = buf("axb");
    s = srch("x*", ED_SEARCH_REGEX);
    assert_int_equal(ed_search_replace_all(b, s, "-"), 3);
    assert_text(b, "-a-b-");
    ed_search_free(s);
    ed_free(b);

    /* many matches in a larger text, UTF-8 around them, one undo */
    sb t = {0};
    for (int i = 0; i < 2000; i++)
        sb_addf(&t, "中%d é foo\n", i);
    b = ed_from(t.s, t.len);
    s = srch("foo", 0);
    assert_int_equal(ed_search_replace_all(b, s, "föö\nbar"), 2000);
    assert_int_equal(ed_lines(b), 4001);
    assert_int_equal(ed_search_count(b, s, 0), 0);
    assert_true(ed_undo(b));
    char *back = ed_text(b, 0, ed_len(b));
    assert_string_equal(back, t.s);
    free(back);
    assert_int_equal(ed_lines(b), 2001);
    ed_search_free(s);
    ed_free(b);
    sb_free(&t);
}

static void test_bad_regex(void **state)
{
    (void)state;
    const char *bad[] = {"a(", "[z-a]", "a{2,1}", "(", "*a)"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        char *err = NULL;
        ed_search *s = ed_search_new(bad[i], ED_SEARCH_REGEX, &err);
        if (s) {   /* some are accepted by glibc: fine, as long as no error is set */
            assert_null(err);
            ed_search_free(s);
            continue;
        }
        assert_non_null(err);
        assert_true(strncmp(err, "bad regular expression: ", 24) == 0);
        assert_true(strlen(err) > 24);
        if (i == 0)
            print_message("'%s' -> %s\n", bad[i], err);
        free(err);
    }
    char *err = NULL;
    assert_null(ed_search_new("a(", ED_SEARCH_REGEX, &err));
    assert_non_null(err);
    free(err);
    assert_null(ed_search_new("[z-a]", ED_SEARCH_REGEX, NULL));   /* err may be NULL */
    /* the same text is fine as a plain pattern */
    ed_search *s = srch("a(", 0);
    ed_buf *b = buf("(a(b");
    assert_int_equal(ed_search_count(b, s, 0), 1);
    ed_free(b);
    ed_search_free(s);
}

static void test_multiline(void **state)
{
    (void)state;
    ed_buf *b = buf("xfoo\nbar\nfoo\nbar\nfoo");
    ed_search *s = srch("foo\nbar", 0);
    ed_match m;
    assert_int_equal(ed_search_count(b, s, 0), 2);
    assert_true(ed_find_next(b, s, 0, false, &m, NULL));
    assert_match(m, 1, 8);
    assert_true(ed_find_prev(b, s, ed_len(b), false, &m, NULL));
    assert_match(m, 9, 16);
    assert_int_equal(ed_search_replace_all(b, s, "X"), 2);
    assert_text(b, "xX\nX\nfoo");
    assert_int_equal(ed_lines(b), 3);
    assert_true(ed_undo(b));
    ed_search_free(s);
    /* in a regex, \n is a newline; '.' and [^...] stop at one */
    s = srch("o\\nb", ED_SEARCH_REGEX);
    assert_int_equal(ed_search_count(b, s, 0), 2);
    ed_search_free(s);
    s = srch("o[\\n]b", ED_SEARCH_REGEX);
    assert_int_equal(ed_search_count(b, s, 0), 2);
    ed_search_free(s);
    s = srch("o.b", ED_SEARCH_REGEX);
    assert_int_equal(ed_search_count(b, s, 0), 0);
    ed_search_free(s);
    s = srch("[^x]+", ED_SEARCH_REGEX);
    assert_true(ed_find_next(b, s, 1, false, &m, NULL));
    assert_match(m, 1, 4);
    ed_search_free(s);
    /* an escaped backslash stays one */
    ed_free(b);
    b = buf("a\\nb a\nb");
    s = srch("a\\\\nb", ED_SEARCH_REGEX);
    assert_true(ed_find_next(b, s, 0, false, &m, NULL));
    assert_match(m, 0, 4);
    assert_int_equal(ed_search_count(b, s, 0), 1);
    ed_search_free(s);
    ed_free(b);
}

static void test_cache_follows_edits(void **state)
{
    (void)state;
    ed_buf *b = buf("one two one");
    ed_search *s = srch("one", 0);
    ed_match m;
    assert_int_equal(ed_search_count(b, s, 0), 2);
    ed_insert(b, 3, " one", 4);
    assert_int_equal(ed_search_count(b, s, 0), 3);
    assert_true(ed_find_next(b, s, 1, false, &m, NULL));
    assert_match(m, 4, 7);
    assert_true(ed_undo(b));
    assert_int_equal(ed_search_count(b, s, 0), 2);
    /* the same search on another buffer */
    ed_buf *c = buf("one");
    assert_int_equal(ed_search_count(c, s, 0), 1);
    assert_int_equal(ed_search_count(b, s, 0), 2);
    ed_free(c);
    ed_search_free(s);
    ed_free(b);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_case),
        cmocka_unit_test(test_regex),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_replace_one),
        cmocka_unit_test(test_replace_all),
        cmocka_unit_test(test_bad_regex),
        cmocka_unit_test(test_multiline),
        cmocka_unit_test(test_cache_follows_edits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
