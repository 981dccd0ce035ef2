/*
 * test_lex.c - unit tests for engine/lex: every token kind with exact offsets,
 * strings and quoted identifiers with their escapes, comments (kept only on
 * request), numbers, blobs, variables, ${param}, multi-character operators,
 * every lexical error with its message and offset, lexing going on after an
 * error, UTF-8 identifiers, and the small predicates (lex_is, lex_punct,
 * lex_is_name, lex_name, lex_string, lex_is_clause_word).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lex.h"
#include "util.h"

static const char *kind_name(tok_kind k)
{
    switch (k) {
    case TK_EOF: return "EOF";
    case TK_WORD: return "WORD";
    case TK_QIDENT: return "QIDENT";
    case TK_STRING: return "STRING";
    case TK_NUMBER: return "NUMBER";
    case TK_BLOB: return "BLOB";
    case TK_VARIABLE: return "VAR";
    case TK_PARAM: return "PARAM";
    case TK_PUNCT: return "PUNCT";
    case TK_COMMENT: return "COMMENT";
    case TK_ERROR: return "ERROR";
    }
    return "?";
}

/* Tokenizes text with lex_all and renders every token as KIND@off[text],
 * space-separated; *msg (may be NULL) gets lex_all's message. Caller frees. */
static char *dump_n(const char *text, size_t len, bool keep_comments, const char **msg)
{
    tokvec toks = {0};
    lex_all(text, len, keep_comments, &toks, msg);
    sb b = {0};
    for (size_t i = 0; i < toks.n; i++) {
        token t = toks.v[i];
        assert_true(t.off + t.len <= len);
        if (i) {
            /* tokens come in order and never overlap */
            assert_true(t.off >= toks.v[i - 1].off + toks.v[i - 1].len);
            sb_addc(&b, ' ');
        }
        sb_addf(&b, "%s@%zu[%.*s]", kind_name(t.kind), t.off, (int)t.len, text + t.off);
    }
    VEC_FREE(&toks);
    return sb_take(&b);
}

static char *dump(const char *text, bool keep_comments, const char **msg)
{
    return dump_n(text, strlen(text), keep_comments, msg);
}

static void assert_lex(const char *text, bool keep_comments, const char *want)
{
    const char *msg = "not touched";
    char *got = dump(text, keep_comments, &msg);
    assert_string_equal(got, want);
    free(got);
}

/* The single token text lexes to (asserting there is exactly one). */
static token one_token(const char *text, tok_kind kind)
{
    size_t pos = 0;
    const char *msg = NULL;
    token t = lex_next(text, strlen(text), &pos, &msg);
    assert_string_equal(kind_name(t.kind), kind_name(kind));
    token e = lex_next(text, strlen(text), &pos, &msg);
    assert_int_equal(e.kind, TK_EOF);
    return t;
}

/* ---------------------------------------------------------------- kinds */

static void test_every_kind(void **state)
{
    (void)state;
    const char *text = "SELECT \"q\" 'str' 42 x'0A' ?1 ${p} ( -- c\n/* b */ @";
    const char *msg = "not touched";
    char *got = dump(text, true, &msg);
    assert_string_equal(got, "WORD@0[SELECT] QIDENT@7[\"q\"] STRING@11['str'] "
                             "NUMBER@17[42] BLOB@20[x'0A'] VAR@26[?1] PARAM@29[${p}] "
                             "PUNCT@34[(] COMMENT@36[-- c] COMMENT@41[/* b */] VAR@49[@]");
    assert_null(msg); /* no error: lex_all resets *msg */
    free(got);
}

static void test_next_and_eof(void **state)
{
    (void)state;
    const char *text = "  ab \t\n cd  ";
    size_t len = strlen(text), pos = 0;
    const char *msg = NULL;
    token t = lex_next(text, len, &pos, &msg);
    assert_int_equal(t.kind, TK_WORD);
    assert_int_equal(t.off, 2);
    assert_int_equal(t.len, 2);
    assert_int_equal(pos, 4);
    t = lex_next(text, len, &pos, &msg);
    assert_int_equal(t.kind, TK_WORD);
    assert_int_equal(t.off, 8);
    assert_int_equal(pos, 10);
    t = lex_next(text, len, &pos, &msg);
    assert_int_equal(t.kind, TK_EOF);
    assert_int_equal(t.off, len);
    assert_int_equal(t.len, 0);
    assert_int_equal(pos, len);
    /* asking again at the end keeps answering EOF */
    t = lex_next(text, len, &pos, &msg);
    assert_int_equal(t.kind, TK_EOF);
    assert_int_equal(t.off, len);
    assert_null(msg);

    /* empty and blank texts have no tokens */
    assert_lex("", true, "");
    assert_lex(" \n\t\r ", true, "");

    /* the length bounds lexing, not the NUL */
    char *got = dump_n("abc def", 5, false, NULL);
    assert_string_equal(got, "WORD@0[abc] WORD@4[d]");
    free(got);
}

/* ---------------------------------------------------------------- strings */

static void test_strings(void **state)
{
    (void)state;
    assert_lex("'it''s; ok' ; ''", false,
               "STRING@0['it''s; ok'] PUNCT@12[;] STRING@14['']");
    const char *text = "'it''s; ok'";
    token t = one_token(text, TK_STRING);
    char *s = lex_string(text, t);
    assert_string_equal(s, "it's; ok");
    free(s);
    s = lex_string("''", one_token("''", TK_STRING));
    assert_string_equal(s, "");
    free(s);
    s = lex_string("''''", one_token("''''", TK_STRING));
    assert_string_equal(s, "'");
    free(s);
    /* other quotes and comment markers inside a string are plain bytes */
    text = "'a \"b\" -- /* `c` [d]'";
    s = lex_string(text, one_token(text, TK_STRING));
    assert_string_equal(s, "a \"b\" -- /* `c` [d]");
    free(s);
    /* adjacent strings are two tokens ('a''b' would be one) */
    assert_lex("'a' 'b'", false, "STRING@0['a'] STRING@4['b']");
}

/* ---------------------------------------------------------------- identifiers */

static void test_quoted_identifiers(void **state)
{
    (void)state;
    assert_lex("\"a\"\"b\" `x``y` [a b] [x\"y`z]", false,
               "QIDENT@0[\"a\"\"b\"] QIDENT@7[`x``y`] QIDENT@14[[a b]] "
               "QIDENT@20[[x\"y`z]]");
    struct {
        const char *text, *name;
    } cases[] = {
        {"\"a\"\"b\"", "a\"b"},   {"`x``y`", "x`y"},   {"[a b]", "a b"},
        {"[x\"y`z]", "x\"y`z"},   {"\"\"", ""},        {"\"semi;colon\"", "semi;colon"},
        {"\"--x\"", "--x"},       {"[a'b]", "a'b"},    {"\"\"\"\"", "\""},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        token t = one_token(cases[i].text, TK_QIDENT);
        assert_true(lex_is_name(t));
        char *n = lex_name(cases[i].text, t);
        assert_string_equal(n, cases[i].name);
        free(n);
    }
    /* ']' cannot be escaped inside brackets: [a]]b] is [a] then ']' ... */
    const char *msg = NULL;
    char *got = dump("[a]]", false, &msg);
    assert_string_equal(got, "QIDENT@0[[a]] ERROR@3[]]");
    assert_string_equal(msg, "unexpected character");
    free(got);
    /* a bare word names itself */
    const char *text = "Orders";
    token w = one_token(text, TK_WORD);
    assert_true(lex_is_name(w));
    char *n = lex_name(text, w);
    assert_string_equal(n, "Orders");
    free(n);
    assert_false(lex_is_name(one_token("'s'", TK_STRING)));
    assert_false(lex_is_name(one_token("42", TK_NUMBER)));
}

static void test_words(void **state)
{
    (void)state;
    /* '_' and digits continue a word; '$' inside a word is SQLite's rule */
    assert_lex("_a1 a$b t2.c3", false,
               "WORD@0[_a1] WORD@4[a$b] WORD@8[t2] PUNCT@10[.] WORD@11[c3]");
    /* UTF-8 bytes are word bytes: offsets and lengths are in bytes */
    assert_lex("café naïve 日本 x", false,
               "WORD@0[café] WORD@6[naïve] WORD@13[日本] WORD@20[x]");
    const char *text = "\"é;\"";
    char *n = lex_name(text, one_token(text, TK_QIDENT));
    assert_string_equal(n, "é;");
    free(n);
}

/* ---------------------------------------------------------------- comments */

static void test_comments(void **state)
{
    (void)state;
    const char *text = "a -- c; d\nb /* x; 'y */ c /**/ d --end";
    assert_lex(text, false, "WORD@0[a] WORD@10[b] WORD@24[c] WORD@31[d]");
    assert_lex(text, true,
               "WORD@0[a] COMMENT@2[-- c; d] WORD@10[b] COMMENT@12[/* x; 'y */] "
               "WORD@24[c] COMMENT@26[/**/] WORD@31[d] COMMENT@33[--end]");
    /* block comments do not nest; -- inside a block comment is plain text */
    assert_lex("/* a /* b */ c */", true, "COMMENT@0[/* a /* b */] WORD@13[c] PUNCT@15[*] "
                                          "PUNCT@16[/]");
    assert_lex("/* -- */x", true, "COMMENT@0[/* -- */] WORD@8[x]");
    /* a lone '-' or '/' is an operator */
    assert_lex("a-b/c", false, "WORD@0[a] PUNCT@1[-] WORD@2[b] PUNCT@3[/] WORD@4[c]");
    /* a multi-line block comment is one token */
    assert_lex("/* 1\n2 */", true, "COMMENT@0[/* 1\n2 */]");
}

/* ---------------------------------------------------------------- numbers */

static void test_numbers(void **state)
{
    (void)state;
    assert_lex("1 12.5 .5 1e10 1.5E-3 2e+7 0x1F 0XAB 1_000 3. 007", false,
               "NUMBER@0[1] NUMBER@2[12.5] NUMBER@7[.5] NUMBER@10[1e10] "
               "NUMBER@15[1.5E-3] NUMBER@22[2e+7] NUMBER@27[0x1F] NUMBER@32[0XAB] "
               "NUMBER@37[1_000] NUMBER@43[3.] NUMBER@46[007]");
    /* an exponent needs digits: 1e is the number 1 then the word e */
    assert_lex("1e 1e+", false, "NUMBER@0[1] WORD@1[e] NUMBER@3[1] WORD@4[e] PUNCT@5[+]");
    /* 1.2.3 is 1.2 then .3; t.5 is not a number after a word */
    assert_lex("1.2.3", false, "NUMBER@0[1.2] NUMBER@3[.3]");
    /* a '.' not followed by a digit is punctuation */
    assert_lex("a . b", false, "WORD@0[a] PUNCT@2[.] WORD@4[b]");
    /* hex stops at the first non-hex digit */
    assert_lex("0x1G", false, "NUMBER@0[0x1] WORD@3[G]");
}

/* ---------------------------------------------------------------- blobs */

static void test_blobs(void **state)
{
    (void)state;
    assert_lex("x'0A' X'ff' x''", false, "BLOB@0[x'0A'] BLOB@6[X'ff'] BLOB@12[x'']");
    /* x alone, or x followed by a space and a string, is a word */
    assert_lex("x 'a' xy'b'", false,
               "WORD@0[x] STRING@2['a'] WORD@6[xy] STRING@8['b']");
}

/* ---------------------------------------------------------------- variables */

static void test_variables_and_params(void **state)
{
    (void)state;
    assert_lex("? ?1 ?23 :name @v $x :a1", false,
               "VAR@0[?] VAR@2[?1] VAR@5[?23] VAR@9[:name] VAR@15[@v] VAR@18[$x] "
               "VAR@21[:a1]");
    /* a lone ':' is punctuation (STRUCT<a: INT>) */
    assert_lex("a : b", false, "WORD@0[a] PUNCT@2[:] WORD@4[b]");
    /* ${param} placeholders, dotted and dashed names, the empty one */
    assert_lex("${a} ${a.b} ${my-p_2} ${}x", false,
               "PARAM@0[${a}] PARAM@5[${a.b}] PARAM@12[${my-p_2}] PARAM@22[${}] "
               "WORD@25[x]");
}

/* ---------------------------------------------------------------- operators */

static void test_operators(void **state)
{
    (void)state;
    assert_lex("->> -> || <= >= == != <> << >>", false,
               "PUNCT@0[->>] PUNCT@4[->] PUNCT@7[||] PUNCT@10[<=] PUNCT@13[>=] "
               "PUNCT@16[==] PUNCT@19[!=] PUNCT@22[<>] PUNCT@25[<<] PUNCT@28[>>]");
    assert_lex("()=<>+-*/%&|~!.,;", false,
               "PUNCT@0[(] PUNCT@1[)] PUNCT@2[=] PUNCT@3[<>] PUNCT@5[+] PUNCT@6[-] "
               "PUNCT@7[*] PUNCT@8[/] PUNCT@9[%] PUNCT@10[&] PUNCT@11[|] PUNCT@12[~] "
               "PUNCT@13[!] PUNCT@14[.] PUNCT@15[,] PUNCT@16[;]");
    /* longest match without spaces */
    assert_lex("a->>'$.x'||b>>=c", false,
               "WORD@0[a] PUNCT@1[->>] STRING@4['$.x'] PUNCT@9[||] WORD@11[b] "
               "PUNCT@12[>>] PUNCT@14[=] WORD@15[c]");
    assert_lex("ARRAY<MAP<A,B>>", false,
               "WORD@0[ARRAY] PUNCT@5[<] WORD@6[MAP] PUNCT@9[<] WORD@10[A] PUNCT@11[,] "
               "WORD@12[B] PUNCT@13[>>]");
}

/* ---------------------------------------------------------------- errors */

/* Lexes text (one error expected) and checks the error token and messages. */
static void assert_error(const char *text, size_t off, size_t len, const char *want_msg)
{
    tokvec toks = {0};
    const char *msg = NULL;
    lex_all(text, strlen(text), false, &toks, &msg);
    assert_non_null(msg);
    assert_string_equal(msg, want_msg);
    bool found = false;
    for (size_t i = 0; i < toks.n && !found; i++) {
        if (toks.v[i].kind != TK_ERROR) continue;
        found = true;
        assert_int_equal(toks.v[i].off, off);
        assert_int_equal(toks.v[i].len, len);
        /* lex_next at the error offset tells the message again */
        size_t pos = off;
        const char *again = NULL;
        token t = lex_next(text, strlen(text), &pos, &again);
        assert_int_equal(t.kind, TK_ERROR);
        assert_int_equal(t.off, off);
        assert_string_equal(again, want_msg);
        assert_int_equal(pos, off + len);
    }
    assert_true(found);
    VEC_FREE(&toks);
}

static void test_unterminated(void **state)
{
    (void)state;
    assert_error("SELECT 'abc", 7, 4, "unterminated string");
    assert_error("SELECT 'it''s", 7, 6, "unterminated string");
    assert_error("a \"abc", 2, 4, "unterminated quoted identifier");
    assert_error("a \"ab\"\"", 2, 5, "unterminated quoted identifier");
    assert_error("a `abc", 2, 4, "unterminated quoted identifier");
    assert_error("a [abc", 2, 4, "unterminated quoted identifier");
    assert_error("a /* abc", 2, 6, "unterminated /* comment");
    assert_error("a /*/", 2, 3, "unterminated /* comment");
    assert_error("a x'0A", 2, 4, "unterminated blob literal");
    /* ${ stops at the end of its line, and lexing goes on on the next one */
    assert_error("a ${abc", 2, 5, "unterminated ${ parameter");
    assert_error("a ${ab\ncd", 2, 4, "unterminated ${ parameter");
    assert_lex("a ${ab\ncd", false, "WORD@0[a] ERROR@2[${ab] WORD@7[cd]");
    /* an unterminated string or comment runs to the end of the text */
    assert_lex("a 'b; c", false, "WORD@0[a] ERROR@2['b; c]");
    assert_lex("a /* b; c", true, "WORD@0[a] ERROR@2[/* b; c]");
}

static void test_stray_characters(void **state)
{
    (void)state;
    const char *msg = NULL;
    char *got = dump("a # b ^ {c} \\", false, &msg);
    assert_string_equal(got, "WORD@0[a] ERROR@2[#] WORD@4[b] ERROR@6[^] ERROR@8[{] "
                             "WORD@9[c] ERROR@10[}] ERROR@12[\\]");
    /* the first error's message */
    assert_string_equal(msg, "unexpected character");
    free(got);
    assert_error("SELECT 1 # 2", 9, 1, "unexpected character");

    /* lex_all keeps the first message when there are several errors */
    got = dump("# 'x", false, &msg);
    assert_string_equal(got, "ERROR@0[#] ERROR@2['x]");
    assert_string_equal(msg, "unexpected character");
    free(got);
    got = dump("'x", false, NULL); /* msg may be NULL */
    assert_string_equal(got, "ERROR@0['x]");
    free(got);

    /* a NUL byte is a stray byte, not punctuation */
    const char text[] = {'a', ' ', '\0', ' ', 'b'};
    got = dump_n(text, sizeof(text), false, &msg);
    assert_string_equal(got, "WORD@0[a] ERROR@2[] WORD@4[b]");
    assert_string_equal(msg, "unexpected character");
    free(got);
    /* a control byte too */
    got = dump("a\x01;", false, &msg);
    assert_string_equal(got, "WORD@0[a] ERROR@1[\x01] PUNCT@2[;]");
    free(got);
}

/* ---------------------------------------------------------------- predicates */

static void test_predicates(void **state)
{
    (void)state;
    const char *text = "select SELECTED \"select\" <= ( where Where t stream";
    tokvec toks = {0};
    lex_all(text, strlen(text), false, &toks, NULL);
    assert_int_equal(toks.n, 9);
    assert_true(lex_is(text, toks.v[0], "SELECT"));
    assert_true(lex_is(text, toks.v[0], "select"));
    assert_false(lex_is(text, toks.v[0], "SELECTED"));
    assert_false(lex_is(text, toks.v[0], "SEL"));
    assert_false(lex_is(text, toks.v[1], "SELECT"));   /* a longer word */
    assert_false(lex_is(text, toks.v[2], "SELECT"));   /* quoted: a name, not a keyword */
    assert_false(lex_punct(text, toks.v[3], '<'));     /* '<=' is not '<' */
    assert_true(lex_punct(text, toks.v[4], '('));
    assert_false(lex_punct(text, toks.v[4], ')'));
    assert_false(lex_punct(text, toks.v[0], 's'));     /* a word is not punctuation */

    assert_true(lex_is_clause_word(text, toks.v[5]));  /* where */
    assert_true(lex_is_clause_word(text, toks.v[6]));  /* Where */
    assert_false(lex_is_clause_word(text, toks.v[7])); /* t */
    assert_false(lex_is_clause_word(text, toks.v[8])); /* stream */
    assert_true(lex_is_clause_word(text, toks.v[0]));  /* select */
    assert_false(lex_is_clause_word(text, toks.v[2])); /* "select" */
    VEC_FREE(&toks);

    static const char *const clause[] = {
        "WHERE", "GROUP", "ORDER", "LIMIT", "HAVING", "WINDOW", "JOIN", "LEFT",
        "RIGHT", "FULL", "INNER", "OUTER", "CROSS", "NATURAL", "ON", "USING",
        "UNION", "EXCEPT", "INTERSECT", "RETURNING", "INDEXED", "NOT", "AS",
        "SELECT", "FROM", "VALUES", "SET", "OFFSET", "WITH"};
    for (size_t i = 0; i < ARRAY_LEN(clause); i++)
        assert_true(lex_is_clause_word(clause[i], one_token(clause[i], TK_WORD)));
    static const char *const names[] = {"orders", "s", "t1", "stream", "json_each",
                                        "wherever", "onion"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        assert_false(lex_is_clause_word(names[i], one_token(names[i], TK_WORD)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind),
        cmocka_unit_test(test_next_and_eof),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_quoted_identifiers),
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_blobs),
        cmocka_unit_test(test_variables_and_params),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_unterminated),
        cmocka_unit_test(test_stray_characters),
        cmocka_unit_test(test_predicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
