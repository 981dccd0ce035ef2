/*
 * test_highlight.c - unit tests for editor/highlight: the spans (exact start,
 * length and class) of every class on representative lines of the tarn SQL
 * dialect, Lua 5.4 and JSON; states carried across lines (block comments,
 * strings and quoted identifiers with newlines, Lua long strings and comments
 * of level 2, short strings continued by a backslash or \z); every SQLite
 * keyword; span limits and merging; hl_lang_of; hl_state_class; and the
 * per-line state cache: a 100,000-line text scanned once, edits that do not
 * change states rescanning one line, an opened block comment rescanning only
 * to the line asked for or to where the comment ends, line insertions and
 * deletions, and random edits checked against a full rescan.
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

#include "highlight.h"

/* ---- rendering spans ---- */

static const char *cls_name(hl_class c)
{
    switch (c) {
    case HL_NORMAL: return "norm";
    case HL_KEYWORD: return "kw";
    case HL_STRING: return "str";
    case HL_NUMBER: return "num";
    case HL_COMMENT: return "com";
    case HL_OPERATOR: return "op";
    case HL_IDENT_QUOTED: return "qid";
    case HL_PARAM: return "par";
    case HL_FUNCTION: return "fn";
    case HL_TYPE: return "type";
    case HL_CONSTANT: return "const";
    case HL_ERROR: return "err";
    }
    return "?";
}

/* Highlights line from state in and renders its spans as cls@start[text],
 * space-separated (the text gives the length); *out (may be NULL) gets the
 * end state. Checks that spans are in order, do not overlap, stay inside the
 * line and are never HL_NORMAL. Returns a static buffer. */
static const char *dump(hl_lang lang, hl_state in, const char *line, hl_state *out)
{
    static char buf[8192];
    hl_span sp[256];
    int n = -1;
    size_t len = strlen(line);
    hl_state st = hl_line(lang, in, line, len, sp, 256, &n);
    assert_true(n >= 0 && n < 256);
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        assert_int_not_equal(sp[i].cls, HL_NORMAL);
        assert_true(sp[i].len > 0);
        assert_true((size_t)sp[i].start + sp[i].len <= len);
        if (i) assert_true(sp[i].start >= sp[i - 1].start + sp[i - 1].len);
        int w = snprintf(buf + used, sizeof buf - used, "%s%s@%u[%.*s]", i ? " " : "",
                         cls_name(sp[i].cls), sp[i].start, (int)sp[i].len, line + sp[i].start);
        assert_true(w > 0 && (size_t)w < sizeof buf - used);
        used += (size_t)w;
    }
    /* the state does not depend on whether spans are asked for */
    assert_int_equal(hl_line(lang, in, line, len, NULL, 0, NULL), st);
    if (out) *out = st;
    return buf;
}

#define SQL(line, expect) assert_string_equal(dump(HL_LANG_SQL, 0, line, NULL), expect)
#define LUA(line, expect) assert_string_equal(dump(HL_LANG_LUA, 0, line, NULL), expect)
#define JSON(line, expect) assert_string_equal(dump(HL_LANG_JSON, 0, line, NULL), expect)

/* Highlights lines one after the other, each from the state the previous one
 * ended in; checks each line's spans against expect[i] and returns the final
 * state. */
static hl_state run_lines(hl_lang lang, const char *const *lines, const char *const *expect,
                          size_t n)
{
    hl_state st = 0;
    for (size_t i = 0; i < n; i++) {
        const char *got = dump(lang, st, lines[i], &st);
        if (strcmp(got, expect[i]))
            fail_msg("line %zu \"%s\":\n  got    %s\n  expect %s", i, lines[i], got, expect[i]);
    }
    return st;
}

/* ---- hl_lang_of ---- */

static void test_lang_of(void **state)
{
    (void)state;
    assert_int_equal(hl_lang_of("pipelines/orders.sql"), HL_LANG_SQL);
    assert_int_equal(hl_lang_of("ORDERS.SQL"), HL_LANG_SQL);
    assert_int_equal(hl_lang_of("plugins/clean.lua"), HL_LANG_LUA);
    assert_int_equal(hl_lang_of("/abs/tarn.json"), HL_LANG_JSON);
    assert_int_equal(hl_lang_of("a.Json"), HL_LANG_JSON);
    assert_int_equal(hl_lang_of("README.md"), HL_LANG_NONE);
    assert_int_equal(hl_lang_of("Makefile"), HL_LANG_NONE);
    assert_int_equal(hl_lang_of("sql"), HL_LANG_NONE);
    assert_int_equal(hl_lang_of(".sql"), HL_LANG_NONE);      /* a dot file named "sql" */
    assert_int_equal(hl_lang_of("dir.sql/notes"), HL_LANG_NONE);
    assert_int_equal(hl_lang_of("x.sqlite"), HL_LANG_NONE);
    assert_int_equal(hl_lang_of(""), HL_LANG_NONE);
    assert_int_equal(hl_lang_of(NULL), HL_LANG_NONE);
    /* no language: no spans, plain state */
    assert_string_equal(dump(HL_LANG_NONE, 0, "SELECT 'x /* y", NULL), "");
    assert_int_equal(hl_line(HL_LANG_NONE, 0, "/*", 2, NULL, 0, NULL), 0);
}

/* ---- SQL ---- */

static void test_sql_statements(void **state)
{
    (void)state;
    SQL("CREATE OR REFRESH STREAMING TABLE raw_orders",
        "kw@0[CREATE] kw@7[OR] kw@10[REFRESH] kw@18[STREAMING] kw@28[TABLE]");
    SQL("create materialized view Daily as select",
        "kw@0[create] kw@7[materialized] kw@20[view] kw@31[as] kw@34[select]");
    SQL("   CONSTRAINT valid_id EXPECT (id IS NOT NULL) ON VIOLATION DROP ROW)",
        "kw@3[CONSTRAINT] kw@23[EXPECT] op@30[(] kw@34[IS] kw@37[NOT] const@41[NULL] op@45[)] "
        "kw@47[ON] kw@50[VIOLATION] kw@60[DROP] kw@65[ROW] op@68[)]");
    SQL("  COMMENT 'raw ''orders''' TBLPROPERTIES ('quality' = 'bronze')",
        "kw@2[COMMENT] str@10['raw ''orders'''] kw@27[TBLPROPERTIES] op@41[(] "
        "str@42['quality'] op@52[=] str@54['bronze'] op@62[)]");
    SQL("CREATE FLOW f AS AUTO CDC INTO target FROM STREAM(src) KEYS (id) APPLY AS DELETE "
        "WHEN op = 'D'",
        "kw@0[CREATE] kw@7[FLOW] kw@14[AS] kw@17[AUTO] kw@22[CDC] kw@26[INTO] kw@38[FROM] "
        "fn@43[STREAM] op@49[(] op@53[)] kw@55[KEYS] op@60[(] op@63[)] kw@65[APPLY] kw@71[AS] "
        "kw@74[DELETE] kw@81[WHEN] op@89[=] str@91['D']");
    SQL("  SEQUENCE BY ts COLUMNS * EXCEPT (op) STORED AS SCD TYPE 2 TRACK HISTORY ON * "
        "EXCEPT (c);",
        "kw@2[SEQUENCE] kw@11[BY] kw@17[COLUMNS] op@25[*] kw@27[EXCEPT] op@34[(] op@37[)] "
        "kw@39[STORED] kw@46[AS] kw@49[SCD] kw@53[TYPE] num@58[2] kw@60[TRACK] "
        "kw@66[HISTORY] kw@74[ON] op@77[*] kw@79[EXCEPT] op@86[(] op@88[);]");
    SQL("APPLY CHANGES LIVE PRIVATE UPDATES TRUNCATE Stream",
        "kw@0[APPLY] kw@6[CHANGES] kw@14[LIVE] kw@19[PRIVATE] kw@27[UPDATES] "
        "kw@35[TRUNCATE] kw@44[Stream]");
    /* a word that merely contains a keyword is no keyword */
    SQL("selection fromage order_id", "");
}

static void test_sql_types_functions_constants(void **state)
{
    (void)state;
    SQL("  (id BIGINT, amount DECIMAL(10, 2), ts TIMESTAMP, tags ARRAY<STRING>,",
        "op@2[(] type@6[BIGINT] op@12[,] type@21[DECIMAL] op@28[(] num@29[10] op@31[,] "
        "num@33[2] op@34[),] type@40[TIMESTAMP] op@49[,] type@56[ARRAY] op@61[<] "
        "type@62[STRING] op@68[>,]");
    SQL("a STRING, b INT, c INTEGER, d DOUBLE, e BOOLEAN, f DATE, g TEXT, h REAL, i MAP, "
        "j STRUCT",
        "type@2[STRING] op@8[,] type@12[INT] op@15[,] type@19[INTEGER] op@26[,] "
        "type@30[DOUBLE] op@36[,] type@40[BOOLEAN] op@47[,] type@51[DATE] op@55[,] "
        "type@59[TEXT] op@63[,] type@67[REAL] op@71[,] type@75[MAP] op@78[,] "
        "type@82[STRUCT]");
    /* a word followed by '(' is a function, also keywords that are functions
     * (replace, STREAM) and type words that are (date); qualified names after
     * a '.' are never keywords */
    SQL("select count(*), date(ts), replace(a, 'x', 'y'), t.key, o.order FROM STREAM(src) s;",
        "kw@0[select] fn@7[count] op@12[(*),] fn@17[date] op@21[(] op@24[),] "
        "fn@27[replace] op@34[(] op@36[,] str@38['x'] op@41[,] str@43['y'] op@46[),] "
        "op@50[.] op@54[,] op@57[.] kw@64[FROM] fn@69[STREAM] op@75[(] op@79[)] op@82[;]");
    SQL("AS SELECT * FROM STREAM read_files('${source}/orders/*.csv', format => 'csv');",
        "kw@0[AS] kw@3[SELECT] op@10[*] kw@12[FROM] kw@17[STREAM] fn@24[read_files] "
        "op@34[(] str@35['] par@36[${source}] str@45[/orders/*.csv'] op@59[,] op@68[=>] "
        "str@71['csv'] op@76[);]");
    SQL("FROM read_sqlite('a.db', 't') WHERE x IN (1) AND EXISTS (SELECT 1)",
        "kw@0[FROM] fn@5[read_sqlite] op@16[(] str@17['a.db'] op@23[,] str@25['t'] "
        "op@28[)] kw@30[WHERE] kw@38[IN] op@41[(] num@42[1] op@43[)] kw@45[AND] "
        "kw@49[EXISTS] op@56[(] kw@57[SELECT] num@64[1] op@65[)]");
    /* keywords before '(' stay keywords: VALUES(, KEYS(, CAST( */
    SQL("VALUES(1) KEYS(a) CAST(x AS INT)",
        "kw@0[VALUES] op@6[(] num@7[1] op@8[)] kw@10[KEYS] op@14[(] op@16[)] kw@18[CAST] "
        "op@22[(] kw@25[AS] type@28[INT] op@31[)]");
    SQL("SELECT TRUE, false, Null;",
        "kw@0[SELECT] const@7[TRUE] op@11[,] const@13[false] op@18[,] const@20[Null] op@24[;]");
}

static void test_sql_literals(void **state)
{
    (void)state;
    SQL("SELECT 1, 1.5, .5, 1e10, 2.5E-3, 0x1F, 1_000_000 WHERE a >= ? AND b = :name OR "
        "c = @v OR d = $x OR e = ?2;",
        "kw@0[SELECT] num@7[1] op@8[,] num@10[1.5] op@13[,] num@15[.5] op@17[,] num@19[1e10] "
        "op@23[,] num@25[2.5E-3] op@31[,] num@33[0x1F] op@37[,] num@39[1_000_000] "
        "kw@49[WHERE] op@57[>=] par@60[?] kw@62[AND] op@68[=] par@70[:name] kw@76[OR] "
        "op@81[=] par@83[@v] kw@86[OR] op@91[=] par@93[$x] kw@96[OR] op@101[=] par@103[?2] "
        "op@105[;]");
    SQL("SELECT \"quoted \"\"id\"\"\", `back`, [brack] FROM t -- comment",
        "kw@0[SELECT] qid@7[\"quoted \"\"id\"\"\"] op@22[,] qid@24[`back`] op@30[,] "
        "qid@32[[brack]] kw@40[FROM] com@47[-- comment]");
    SQL("/* block */ SELECT X'0A1b' || 'it'",
        "com@0[/* block */] kw@12[SELECT] str@19[X'0A1b'] op@27[||] str@30['it']");
    SQL("WHERE ${catalog.schema} = x1 ${partial",
        "kw@0[WHERE] par@6[${catalog.schema}] op@24[=] par@29[${partial]");
    /* ${param} inside a quoted identifier; "${}" is no parameter */
    SQL("\"${env}_t\" '${}'", "qid@0[\"] par@1[${env}] qid@7[_t\"] str@11['${}']");
    /* names with digits, '$' and UTF-8 are plain */
    SQL("t1 a$b caf\xc3\xa9", "");
    SQL("a <> b != c == d << 2 >> 1 & e | f % g ~ h",
        "op@2[<>] op@7[!=] op@12[==] op@17[<<] num@20[2] op@22[>>] num@25[1] op@27[&] "
        "op@31[|] op@35[%] op@39[~]");
    SQL("", "");
    SQL("   \t  ", "");
}

static void test_sql_every_sqlite_keyword(void **state)
{
    (void)state;
    for (int i = 0; i < sqlite3_keyword_count(); i++) {
        const char *z;
        int n;
        assert_int_equal(sqlite3_keyword_name(i, &z, &n), SQLITE_OK);
        char word[64];
        assert_true(n > 0 && n < (int)sizeof word);
        memcpy(word, z, (size_t)n);
        word[n] = '\0';
        hl_span sp[4];
        int ns;
        hl_line(HL_LANG_SQL, 0, word, (size_t)n, sp, 4, &ns);
        assert_int_equal(ns, 1);
        assert_int_equal(sp[0].start, 0);
        assert_int_equal(sp[0].len, n);
        if (sp[0].cls != (strcmp(word, "NULL") ? HL_KEYWORD : HL_CONSTANT))
            fail_msg("%s is %s", word, cls_name(sp[0].cls));
        /* and in lower case */
        for (int k = 0; k < n; k++)
            if (word[k] >= 'A' && word[k] <= 'Z') word[k] = (char)(word[k] - 'A' + 'a');
        hl_line(HL_LANG_SQL, 0, word, (size_t)n, sp, 4, &ns);
        assert_int_equal(ns, 1);
        assert_true(sp[0].cls == HL_KEYWORD || sp[0].cls == HL_CONSTANT);
    }
}

static void test_sql_block_comment_across_lines(void **state)
{
    (void)state;
    const char *lines[] = {
        "SELECT a /* opened on line 1",
        "still in comment 'not a string",
        "",
        "-- SELECT \"no\"",
        "closed */ FROM t -- rest",
        "SELECT 1",
    };
    const char *expect[] = {
        "kw@0[SELECT] com@9[/* opened on line 1]",
        "com@0[still in comment 'not a string]",
        "",
        "com@0[-- SELECT \"no\"]",
        "com@0[closed */] kw@10[FROM] com@17[-- rest]",
        "kw@0[SELECT] num@7[1]",
    };
    assert_int_equal(run_lines(HL_LANG_SQL, lines, expect, 6), 0);
    hl_state st;
    dump(HL_LANG_SQL, 0, lines[0], &st);
    assert_int_equal(hl_state_class(HL_LANG_SQL, st), HL_COMMENT);
    /* a comment opener inside a comment does not nest; "* /" does not close */
    const char *l2[] = {"/* a /* b", "c * / d */ x", "/*/ still"};
    const char *e2[] = {"com@0[/* a /* b]", "com@0[c * / d */]", "com@0[/*/ still]"};
    st = run_lines(HL_LANG_SQL, l2, e2, 3);
    assert_int_equal(hl_state_class(HL_LANG_SQL, st), HL_COMMENT);
}

static void test_sql_strings_across_lines(void **state)
{
    (void)state;
    const char *lines[] = {
        "SELECT 'a string",
        "that spans' AS s, \"an",
        "ident\" FROM `x",
        "y`, [p",
        "q] WHERE a = 'it''",   /* a doubled quote at the end of a line: still open */
        "s ${p}' -- done",
        "'x''", /* open: "x'" so far */
        "'",     /* closes it */
    };
    const char *expect[] = {
        "kw@0[SELECT] str@7['a string]",
        "str@0[that spans'] kw@12[AS] op@16[,] qid@18[\"an]",
        "qid@0[ident\"] kw@7[FROM] qid@12[`x]",
        "qid@0[y`] op@2[,] qid@4[[p]",
        "qid@0[q]] kw@3[WHERE] op@11[=] str@13['it'']",
        "str@0[s ] par@2[${p}] str@6['] com@8[-- done]",
        "str@0['x'']",
        "str@0[']",
    };
    assert_int_equal(run_lines(HL_LANG_SQL, lines, expect, 8), 0);
    /* the classes of the states in between */
    hl_state st;
    dump(HL_LANG_SQL, 0, lines[0], &st);
    assert_int_equal(hl_state_class(HL_LANG_SQL, st), HL_STRING);
    dump(HL_LANG_SQL, st, lines[1], &st);
    assert_int_equal(hl_state_class(HL_LANG_SQL, st), HL_IDENT_QUOTED);
    dump(HL_LANG_SQL, st, lines[2], &st);
    assert_int_equal(hl_state_class(HL_LANG_SQL, st), HL_IDENT_QUOTED);
    dump(HL_LANG_SQL, st, lines[3], &st);
    assert_int_equal(hl_state_class(HL_LANG_SQL, st), HL_IDENT_QUOTED);
    assert_int_equal(hl_state_class(HL_LANG_SQL, 0), HL_NORMAL);
    /* an unterminated X'blob' goes on too */
    dump(HL_LANG_SQL, 0, "x'0A", &st);
    assert_int_equal(hl_state_class(HL_LANG_SQL, st), HL_STRING);
}

/* ---- Lua ---- */

static void test_lua_tokens(void **state)
{
    (void)state;
    LUA("local function greet(name, n) return \"hi \" .. name:upper() end",
        "kw@0[local] kw@6[function] fn@15[greet] op@20[(] op@25[,] op@28[)] kw@30[return] "
        "str@37[\"hi \"] op@43[..] op@50[:] fn@51[upper] op@56[()] kw@59[end]");
    LUA("function M.new(t) local x <const> = 0x1F + 3.14 - 1e10 * .5 // 0x1.8p3 % 2 ^ 3 end",
        "kw@0[function] op@10[.] fn@11[new] op@14[(] op@16[)] kw@18[local] op@26[<] "
        "op@32[>] op@34[=] num@36[0x1F] op@41[+] num@43[3.14] op@48[-] num@50[1e10] "
        "op@55[*] num@57[.5] op@60[//] num@63[0x1.8p3] op@71[%] num@73[2] op@75[^] "
        "num@77[3] kw@79[end]");
    LUA("if a ~= nil and b == true or not false then print('it\\'s', \"q\\\"x\", a..5, ...) end",
        "kw@0[if] op@5[~=] const@8[nil] kw@12[and] op@18[==] const@21[true] kw@26[or] "
        "kw@29[not] const@33[false] kw@39[then] fn@44[print] op@49[(] str@50['it\\'s'] "
        "op@57[,] str@59[\"q\\\"x\"] op@65[,] op@68[..] num@70[5] op@71[,] op@73[...)] "
        "kw@78[end]");
    LUA("]] x = #t >= 1 -- a comment [[ not long",
        "op@0[]]] op@5[=] op@7[#] op@10[>=] num@13[1] com@15[-- a comment [[ not long]");
    LUA("while i <= 10 do goto continue end ::continue::",
        "kw@0[while] op@8[<=] num@11[10] kw@14[do] kw@17[goto] kw@31[end] op@35[::] "
        "op@45[::]");
    /* Lua is case-sensitive: NIL and Local are names */
    LUA("NIL Local True", "");
    /* a '[' that opens no long bracket is an index */
    LUA("t[=1]", "op@1[[=] num@3[1] op@4[]]");
    LUA("s = [[one line]] .. [=[ ]] ]=]",
        "op@2[=] str@4[[[one line]]] op@17[..] str@20[[=[ ]] ]=]]");
    LUA("x = --[[ inline ]] 1", "op@2[=] com@4[--[[ inline ]]] num@19[1]");
}

static void test_lua_long_strings_across_lines(void **state)
{
    (void)state;
    const char *lines[] = {
        "local s = [==[level 2",
        "]] ]=] ]===] -- still inside",
        "]==] .. x --[==[ a long comment",
        "]] ]=] no",
        "]==] y = {1, 2; z = 3}",
    };
    const char *expect[] = {
        "kw@0[local] op@8[=] str@10[[==[level 2]",
        "str@0[]] ]=] ]===] -- still inside]",
        "str@0[]==]] op@5[..] com@10[--[==[ a long comment]",
        "com@0[]] ]=] no]",
        ("com@0[]==]] op@7[=] op@9[{] num@10[1] op@11[,] num@13[2] op@14[;] op@18[=] "
         "num@20[3] op@21[}]"),
    };
    assert_int_equal(run_lines(HL_LANG_LUA, lines, expect, 5), 0);
    hl_state st, st2;
    dump(HL_LANG_LUA, 0, lines[0], &st);
    assert_int_equal(hl_state_class(HL_LANG_LUA, st), HL_STRING);
    /* a level-0 long string is a different state from a level-2 one */
    dump(HL_LANG_LUA, 0, "x = [[", &st2);
    assert_int_equal(hl_state_class(HL_LANG_LUA, st2), HL_STRING);
    assert_int_not_equal(st, st2);
    assert_string_equal(dump(HL_LANG_LUA, st2, "]==] ]]", &st2), "str@0[]==] ]]]");
    assert_int_equal(st2, 0);
    /* and a long comment from a long string of the same level */
    dump(HL_LANG_LUA, 0, "--[==[", &st2);
    assert_int_equal(hl_state_class(HL_LANG_LUA, st2), HL_COMMENT);
    assert_int_not_equal(st, st2);
    /* a deep level */
    dump(HL_LANG_LUA, 0, "[==========[", &st);
    assert_string_equal(dump(HL_LANG_LUA, st, "]=========] ]==========] x", &st),
                        "str@0[]=========] ]==========]]");
    assert_int_equal(st, 0);
}

static void test_lua_short_strings_across_lines(void **state)
{
    (void)state;
    const char *lines[] = {
        "local bad = 'unterminated", /* stops at the end of its line */
        "s = \"continued \\",         /* a backslash-newline goes on */
        "here\" .. 'skip \\z",        /* \z skips the newline */
        "   rest'",
    };
    const char *expect[] = {
        "kw@0[local] op@10[=] str@12['unterminated]",
        "op@2[=] str@4[\"continued \\]",
        "str@0[here\"] op@6[..] str@9['skip \\z]",
        "str@0[   rest']",
    };
    hl_state st = 0;
    for (int i = 0; i < 4; i++) {
        hl_state in = st;
        assert_string_equal(dump(HL_LANG_LUA, in, lines[i], &st), expect[i]);
        if (i == 0) assert_int_equal(st, 0);
        if (i == 1 || i == 2) assert_int_equal(hl_state_class(HL_LANG_LUA, st), HL_STRING);
    }
    assert_int_equal(st, 0);
    /* a quote after the string continues in the other kind stays inside */
    dump(HL_LANG_LUA, 0, "x = '\\", &st);
    assert_string_equal(dump(HL_LANG_LUA, st, "\" still' y", &st), "str@0[\" still']");
    assert_int_equal(st, 0);
}

/* ---- JSON ---- */

static void test_json(void **state)
{
    (void)state;
    JSON("{\"name\": \"tarn\", \"n\": -1.5e3, \"ok\": true, \"none\": null, \"list\": [1, 2, false],",
         "op@0[{] type@1[\"name\"] op@7[:] str@9[\"tarn\"] op@15[,] type@17[\"n\"] op@20[:] "
         "num@22[-1.5e3] op@28[,] type@30[\"ok\"] op@34[:] const@36[true] op@40[,] "
         "type@42[\"none\"] op@48[:] const@50[null] op@54[,] type@56[\"list\"] op@62[:] "
         "op@64[[] num@65[1] op@66[,] num@68[2] op@69[,] const@71[false] op@76[],]");
    JSON(" \"key\" : \"va\\\"l:ue\", bad: tru, # -",
         "type@1[\"key\"] op@7[:] str@9[\"va\\\"l:ue\"] op@19[,] err@21[bad] op@24[:] "
         "err@26[tru] op@29[,] err@31[#] err@33[-]");
    JSON("[\"a\", \"b\"]", "op@0[[] str@1[\"a\"] op@4[,] str@6[\"b\"] op@9[]]");
    JSON("", "");
    /* an unterminated string goes on to the next line (not JSON, but robust) */
    hl_state st;
    assert_string_equal(dump(HL_LANG_JSON, 0, "{\"open", &st), "op@0[{] str@1[\"open]");
    assert_int_equal(hl_state_class(HL_LANG_JSON, st), HL_STRING);
    assert_string_equal(dump(HL_LANG_JSON, st, "still\": 1}", &st),
                        "type@0[still\"] op@6[:] num@8[1] op@9[}]");
    assert_int_equal(st, 0);
}

/* ---- span limits ---- */

static void test_span_limits(void **state)
{
    (void)state;
    const char *line = "SELECT a, b, c FROM t /* open";
    hl_span sp[3];
    int n = -1;
    hl_state st = hl_line(HL_LANG_SQL, 0, line, strlen(line), sp, 3, &n);
    assert_int_equal(n, 3); /* SELECT , , - the rest dropped */
    assert_int_equal(sp[0].cls, HL_KEYWORD);
    assert_int_equal(sp[2].start, 11);
    assert_int_equal(hl_state_class(HL_LANG_SQL, st), HL_COMMENT);
    n = -1;
    assert_int_equal(hl_line(HL_LANG_SQL, 0, line, strlen(line), NULL, 0, &n), st);
    assert_int_equal(n, 0);
    assert_int_equal(hl_line(HL_LANG_SQL, 0, line, strlen(line), sp, 0, &n), st);
    assert_int_equal(n, 0);
    /* only len bytes are read: a line need not be NUL-terminated */
    char raw[6] = {'S', 'E', 'L', '/', '*', 'x'};
    assert_int_equal(hl_line(HL_LANG_SQL, 0, raw, 4, sp, 3, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(sp[0].cls, HL_OPERATOR);
    assert_int_equal(hl_state_class(HL_LANG_SQL, hl_line(HL_LANG_SQL, 0, raw, 5, sp, 3, &n)),
                     HL_COMMENT);
}

/* ---- the cache ---- */

typedef struct text {
    char **v;
    size_t n, cap;
} text;

static void text_insert(text *t, size_t at, char *line)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->v = realloc(t->v, t->cap * sizeof *t->v);
        assert_non_null(t->v);
    }
    memmove(t->v + at + 1, t->v + at, (t->n - at) * sizeof *t->v);
    t->v[at] = line;
    t->n++;
}

static void text_remove(text *t, size_t at)
{
    free(t->v[at]);
    memmove(t->v + at, t->v + at + 1, (t->n - at - 1) * sizeof *t->v);
    t->n--;
}

static void text_set(text *t, size_t at, const char *s)
{
    free(t->v[at]);
    t->v[at] = strdup(s);
}

static void text_free(text *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->v[i]);
    free(t->v);
}

static size_t get_calls;

static const char *get_line(void *ctx, size_t i, size_t *len)
{
    text *t = ctx;
    get_calls++;
    if (i >= t->n) {
        *len = 0;
        return NULL;
    }
    *len = strlen(t->v[i]);
    return t->v[i];
}

/* The state every line starts in (and, at [n], the state at the end),
 * computed from scratch. Caller frees. */
static hl_state *full_scan(hl_lang lang, const text *t)
{
    hl_state *st = malloc((t->n + 1) * sizeof *st);
    assert_non_null(st);
    st[0] = 0;
    for (size_t i = 0; i < t->n; i++)
        st[i + 1] = hl_line(lang, st[i], t->v[i], strlen(t->v[i]), NULL, 0, NULL);
    return st;
}

/* A pipeline file of n lines repeating a 10-line pattern with a block
 * comment, a string and a quoted identifier that span lines. */
static const char *const pattern[10] = {
    "CREATE MATERIALIZED VIEW v AS",
    "SELECT a, 'x''y' AS s, 42 AS n -- note",
    "FROM t WHERE b = ${p};",
    "/* a comment",
    "   ends here */ SELECT 1;",
    "SELECT 'a string",
    "that spans' AS s;",
    "SELECT \"quoted",
    "ident\" FROM t;",
    "",
};

static void make_text(text *t, size_t n)
{
    for (size_t i = 0; i < n; i++) text_insert(t, t->n, strdup(pattern[i % 10]));
}

static void test_cache_big_file(void **state)
{
    (void)state;
    const size_t N = 100000;
    text t = {0};
    make_text(&t, N);
    hl_state *ref = full_scan(HL_LANG_SQL, &t);
    hl_cache *c = hl_cache_new(HL_LANG_SQL);
    hl_cache_edit(c, 0, 0, N); /* the file was loaded */
    assert_int_equal(hl_cache_scanned(c), 0);

    /* the state of the last line: one full scan */
    assert_int_equal(hl_cache_state(c, N - 1, get_line, &t), ref[N - 1]);
    assert_int_equal(hl_cache_scanned(c), N - 1);
    /* asking again, or for any earlier line, scans nothing */
    assert_int_equal(hl_cache_state(c, N - 1, get_line, &t), ref[N - 1]);
    assert_int_equal(hl_cache_state(c, 3, get_line, &t), ref[3]);
    assert_int_equal(hl_cache_state(c, 4, get_line, &t), ref[4]);
    assert_int_equal(hl_cache_state(c, 0, get_line, &t), 0);
    assert_int_equal(hl_cache_scanned(c), N - 1);
    /* the state at the end of the text: one more line */
    assert_int_equal(hl_cache_state(c, N, get_line, &t), ref[N]);
    assert_int_equal(hl_cache_scanned(c), N);
    assert_int_equal(hl_state_class(HL_LANG_SQL, ref[4]), HL_COMMENT);
    assert_int_equal(hl_state_class(HL_LANG_SQL, ref[6]), HL_STRING);
    assert_int_equal(hl_state_class(HL_LANG_SQL, ref[8]), HL_IDENT_QUOTED);

    /* typing on line 50,001 (a SELECT line): one line rescanned */
    uint64_t before = hl_cache_scanned(c);
    text_set(&t, 50001, "SELECT a, 'x''y' AS s, 43 AS n -- note!");
    hl_cache_edit(c, 50001, 1, 1);
    assert_int_equal(hl_cache_state(c, N, get_line, &t), ref[N]);
    assert_int_equal(hl_cache_scanned(c) - before, 1);
    /* typing inside the comment (line 50,003) or the string (50,005) too */
    before = hl_cache_scanned(c);
    text_set(&t, 50003, "/* a longer comment");
    hl_cache_edit(c, 50003, 1, 1);
    text_set(&t, 50005, "SELECT 'a longer string");
    hl_cache_edit(c, 50005, 1, 1);
    assert_int_equal(hl_cache_state(c, N, get_line, &t), ref[N]);
    assert_int_equal(hl_cache_scanned(c) - before, 2);

    /* inserting and deleting lines that change no state: only the new lines */
    before = hl_cache_scanned(c);
    text_insert(&t, 50000, strdup("SELECT 1;"));
    text_insert(&t, 50000, strdup("-- two new lines"));
    hl_cache_edit(c, 50000, 0, 2);
    assert_int_equal(hl_cache_state(c, N + 2, get_line, &t), ref[N]);
    assert_int_equal(hl_cache_scanned(c) - before, 2);
    before = hl_cache_scanned(c);
    text_remove(&t, 50000);
    text_remove(&t, 50000);
    hl_cache_edit(c, 50000, 2, 0);
    assert_int_equal(hl_cache_state(c, N, get_line, &t), ref[N]);
    assert_int_equal(hl_cache_scanned(c) - before, 0);
    /* joining two lines (an edit of 2 lines into 1) then splitting them back */
    before = hl_cache_scanned(c);
    text_set(&t, 50010, "CREATE MATERIALIZED VIEW v AS SELECT a, 'x''y' AS s, 42 AS n -- note");
    text_remove(&t, 50011);
    hl_cache_edit(c, 50010, 2, 1);
    assert_int_equal(hl_cache_state(c, N - 1, get_line, &t), ref[N]);
    assert_int_equal(hl_cache_scanned(c) - before, 1);
    text_set(&t, 50010, pattern[0]);
    text_insert(&t, 50011, strdup(pattern[1]));
    hl_cache_edit(c, 50010, 1, 2);
    assert_int_equal(hl_cache_state(c, N, get_line, &t), ref[N]);
    assert_int_equal(hl_cache_scanned(c) - before, 3);

    /* opening a block comment at the start of line 50,000 (pattern line 0):
     * it runs to the "ends here * /" of line 50,004. Line 50,003 opened a
     * comment already, so from line 50,004 on every line starts in the state
     * it started in before: the rescan is lines 50,000 to 50,003 */
    before = hl_cache_scanned(c);
    text_set(&t, 50000, "/* CREATE MATERIALIZED VIEW v AS");
    hl_cache_edit(c, 50000, 1, 1);
    for (size_t i = 50001; i <= 50004; i++)
        assert_int_equal(hl_state_class(HL_LANG_SQL, hl_cache_state(c, i, get_line, &t)),
                         HL_COMMENT);
    assert_int_equal(hl_cache_state(c, 50005, get_line, &t), ref[50005]);
    assert_int_equal(hl_cache_state(c, N, get_line, &t), ref[N]);
    assert_int_equal(hl_cache_scanned(c) - before, 4);
    hl_state *now = full_scan(HL_LANG_SQL, &t);
    for (size_t i = 49990; i < 50020; i++)
        assert_int_equal(hl_cache_state(c, i, get_line, &t), now[i]);
    free(now);

    /* opening a string that swallows the rest of the pattern: every line
     * after changes state, but only as far as asked for */
    before = hl_cache_scanned(c);
    text_set(&t, 60000, "CREATE MATERIALIZED VIEW v AS '");
    hl_cache_edit(c, 60000, 1, 1);
    now = full_scan(HL_LANG_SQL, &t);
    assert_int_equal(hl_cache_state(c, 60100, get_line, &t), now[60100]);
    assert_int_equal(hl_cache_scanned(c) - before, 100);
    assert_int_not_equal(now[60100], ref[60100]);
    for (size_t i = 60000; i <= 60100; i++)
        assert_int_equal(hl_cache_state(c, i, get_line, &t), now[i]);
    assert_int_equal(hl_cache_scanned(c) - before, 100);
    assert_int_equal(hl_cache_state(c, N, get_line, &t), now[N]);
    for (size_t i = 0; i <= N; i += 997)
        assert_int_equal(hl_cache_state(c, i, get_line, &t), now[i]);
    free(now);

    hl_cache_free(c);
    free(ref);
    text_free(&t);
}

static void test_cache_open_comment_plain_file(void **state)
{
    (void)state;
    /* a file of plain lines: opening a comment at line 50,000 rescans to the
     * line asked for (what is shown), and to the end when the end is asked */
    const size_t N = 100000;
    text t = {0};
    for (size_t i = 0; i < N; i++) text_insert(&t, t.n, strdup("SELECT 1 FROM t;"));
    hl_cache *c = hl_cache_new(HL_LANG_SQL);
    /* no hl_cache_edit for the load: the cache grows to the lines asked for */
    assert_int_equal(hl_cache_state(c, N, get_line, &t), 0);
    assert_int_equal(hl_cache_scanned(c), N);

    uint64_t before = hl_cache_scanned(c);
    text_set(&t, 50000, "SELECT 1 /* FROM t;");
    hl_cache_edit(c, 50000, 1, 1);
    assert_int_equal(hl_cache_state(c, 50000, get_line, &t), 0);
    assert_int_equal(hl_cache_scanned(c) - before, 0);
    assert_int_equal(hl_state_class(HL_LANG_SQL, hl_cache_state(c, 50040, get_line, &t)),
                     HL_COMMENT);
    assert_int_equal(hl_cache_scanned(c) - before, 40);
    assert_int_equal(hl_state_class(HL_LANG_SQL, hl_cache_state(c, N, get_line, &t)),
                     HL_COMMENT);
    assert_int_equal(hl_cache_scanned(c) - before, N - 50000);

    /* closing it ten lines down: rescans those ten and the one after */
    before = hl_cache_scanned(c);
    text_set(&t, 50010, "*/ SELECT 1 FROM t;");
    hl_cache_edit(c, 50010, 1, 1);
    assert_int_equal(hl_state_class(HL_LANG_SQL, hl_cache_state(c, 50010, get_line, &t)),
                     HL_COMMENT);
    assert_int_equal(hl_cache_state(c, 50011, get_line, &t), 0);
    assert_int_equal(hl_cache_state(c, 50020, get_line, &t), 0);
    assert_int_equal(hl_cache_scanned(c) - before, 10); /* 50,010 .. 50,019 */
    assert_int_equal(hl_cache_state(c, N, get_line, &t), 0);
    assert_int_equal(hl_cache_scanned(c) - before, N - 50010);

    /* deleting everything after line 10 and asking past the end */
    before = hl_cache_scanned(c);
    while (t.n > 10) text_remove(&t, t.n - 1);
    hl_cache_edit(c, 10, N - 10, 0);
    assert_int_equal(hl_cache_state(c, 10, get_line, &t), 0);
    assert_int_equal(hl_cache_scanned(c) - before, 0);
    assert_int_equal(hl_cache_state(c, 12, get_line, &t), 0); /* missing lines are empty */
    assert_int_equal(hl_cache_scanned(c) - before, 2);
    /* an edit past the cached lines changes nothing known */
    hl_cache_edit(c, 500, 3, 7);
    assert_int_equal(hl_cache_state(c, 10, get_line, &t), 0);
    assert_int_equal(hl_cache_scanned(c) - before, 2);
    hl_cache_free(c);
    text_free(&t);

    hl_cache_free(NULL);
}

/* ---- random edits against a full rescan ---- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static char *random_line(const char *const *frags, size_t nfrags)
{
    char buf[512];
    size_t len = 0;
    int parts = (int)rnd(6);
    for (int i = 0; i < parts; i++) {
        const char *f = frags[rnd((uint32_t)nfrags)];
        size_t fl = strlen(f);
        if (len + fl >= sizeof buf) break;
        memcpy(buf + len, f, fl);
        len += fl;
    }
    buf[len] = '\0';
    return strdup(buf);
}

static void random_edits(hl_lang lang, const char *const *frags, size_t nfrags)
{
    text t = {0};
    for (int i = 0; i < 300; i++) text_insert(&t, t.n, random_line(frags, nfrags));
    hl_cache *c = hl_cache_new(lang);
    hl_cache_edit(c, 0, 0, t.n);
    for (int round = 0; round < 3000; round++) {
        /* replace lines [at, at+removed) with added random lines */
        size_t at = rnd((uint32_t)t.n + 1);
        size_t removed = rnd(4);
        if (removed > t.n - at) removed = t.n - at;
        size_t added = rnd(4);
        if (t.n - removed + added == 0) added = 1;
        for (size_t k = 0; k < removed; k++) text_remove(&t, at);
        for (size_t k = 0; k < added; k++) text_insert(&t, at + k, random_line(frags, nfrags));
        hl_cache_edit(c, at, removed, added);
        if (rnd(3) == 0) continue; /* several edits before the next question */
        hl_state *ref = full_scan(lang, &t);
        size_t q = rnd((uint32_t)t.n + 1);
        if (hl_cache_state(c, q, get_line, &t) != ref[q])
            fail_msg("round %d: line %zu: cache %u, rescan %u", round, q,
                     hl_cache_state(c, q, get_line, &t), ref[q]);
        if (round % 100 == 0)
            for (size_t i = 0; i <= t.n; i++)
                assert_int_equal(hl_cache_state(c, i, get_line, &t), ref[i]);
        free(ref);
    }
    hl_state *ref = full_scan(lang, &t);
    size_t inside = 0; /* lines starting inside something: the test means something */
    for (size_t i = t.n + 1; i-- > 0;) {
        assert_int_equal(hl_cache_state(c, i, get_line, &t), ref[i]);
        inside += ref[i] != 0;
    }
    assert_true(inside > t.n / 10);
    free(ref);
    hl_cache_free(c);
    text_free(&t);
}

static void test_cache_random_sql(void **state)
{
    (void)state;
    static const char *const frags[] = {
        "/*", "*/", "'", "''", "\"", "`", "[", "]", "--", "SELECT", " ", "x", "1.5",
        "${p}", "(", ")", ";", "\"\"", "X'", "*", "/",
    };
    random_edits(HL_LANG_SQL, frags, sizeof frags / sizeof frags[0]);
}

static void test_cache_random_lua(void **state)
{
    (void)state;
    static const char *const frags[] = {
        "[[", "]]", "[=[", "]=]", "[==[", "]==]", "--", "--[[", "--[==[", "'", "\"",
        "\\", "\\z", "x", " ", "=", "[", "]", "local", "-",
    };
    random_edits(HL_LANG_LUA, frags, sizeof frags / sizeof frags[0]);
}

static void test_cache_random_json(void **state)
{
    (void)state;
    static const char *const frags[] = {"\"", "\\", "{", "}", ":", "1", "k", " ", ","};
    random_edits(HL_LANG_JSON, frags, sizeof frags / sizeof frags[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lang_of),
        cmocka_unit_test(test_sql_statements),
        cmocka_unit_test(test_sql_types_functions_constants),
        cmocka_unit_test(test_sql_literals),
        cmocka_unit_test(test_sql_every_sqlite_keyword),
        cmocka_unit_test(test_sql_block_comment_across_lines),
        cmocka_unit_test(test_sql_strings_across_lines),
        cmocka_unit_test(test_lua_tokens),
        cmocka_unit_test(test_lua_long_strings_across_lines),
        cmocka_unit_test(test_lua_short_strings_across_lines),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_span_limits),
        cmocka_unit_test(test_cache_big_file),
        cmocka_unit_test(test_cache_open_comment_plain_file),
        cmocka_unit_test(test_cache_random_sql),
        cmocka_unit_test(test_cache_random_lua),
        cmocka_unit_test(test_cache_random_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
