/*
 * test_manifest.c - unit tests for engine/manifest: defaults, both library
 * forms, configuration rendering, problems with exact line:col, malformed
 * JSON, printing, and keys tarn does not know surviving a rewrite.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "manifest.h"
#include "testsupport.h"

/* Parses text as "tarn.json" into m and returns every problem formatted, one
 * a line (the caller frees); *rc gets man_parse's result. */
static char *parse(manifest *m, const char *text, int *rc)
{
    diag_list d = {0};
    *rc = man_parse(m, text, "tarn.json", &d);
    sb b = {0};
    for (size_t i = 0; i < d.items.n; i++) {
        char *s = diag_format(&d.items.v[i]);
        sb_add(&b, s);
        sb_addc(&b, '\n');
        free(s);
    }
    diag_free(&d);
    return sb_take(&b);
}

static char *joined(const strvec *v)
{
    sb b = {0};
    for (size_t i = 0; i < v->n; i++) {
        if (i) sb_addc(&b, ' ');
        sb_add(&b, v->v[i]);
    }
    return sb_take(&b);
}

static void assert_vec(const strvec *v, const char *want)
{
    char *got = joined(v);
    assert_string_equal(got, want);
    free(got);
}

/* The defaults a broken or empty manifest falls back to. */
static void assert_defaults(const manifest *m)
{
    assert_string_equal(m->name, "");
    assert_vec(&m->libraries, "transformations/**/*.sql");
    assert_string_equal(m->warehouse, MAN_DEFAULT_WAREHOUSE);
    assert_non_null(m->root);
    assert_true(cJSON_IsObject(m->root));
}

/* ---------------------------------------------------------------- loading */

static void test_defaults_when_keys_absent(void **state)
{
    (void)state;
    manifest m;
    int rc;
    char *problems = parse(&m, "{}", &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(problems, "");
    assert_defaults(&m);
    assert_int_equal(m.config_keys.n, 0);
    assert_null(man_config(&m, "anything"));
    free(problems);
    man_free(&m);
    /* man_free leaves the struct empty. */
    assert_null(m.root);
    assert_null(m.name);
}

static void test_both_library_forms(void **state)
{
    (void)state;
    const char *text = "{\n"
                       "  \"name\": \"shop\",\n"
                       "  \"libraries\": [\n"
                       "    \"transformations/**/*.sql\",\n"
                       "    {\"glob\": {\"include\": \"plugins/*.lua\"}}\n"
                       "  ],\n"
                       "  \"warehouse\": \"data/w.db\"\n"
                       "}\n";
    manifest m;
    int rc;
    char *problems = parse(&m, text, &rc);
    assert_string_equal(problems, "");
    assert_int_equal(rc, 0);
    assert_string_equal(m.name, "shop");
    assert_vec(&m.libraries, "transformations/**/*.sql plugins/*.lua");
    assert_string_equal(m.warehouse, "data/w.db");
    free(problems);
    man_free(&m);
}

static void test_config_rendering(void **state)
{
    (void)state;
    const char *text = "{\"configuration\": {\"n\": 10, \"f\": 2.5, \"t\": true, \"no\": false,"
                       " \"s\": \"text\", \"neg\": -3, \"big\": 1e21}}";
    manifest m;
    int rc;
    char *problems = parse(&m, text, &rc);
    assert_string_equal(problems, "");
    assert_int_equal(rc, 0);
    assert_vec(&m.config_keys, "n f t no s neg big");
    assert_vec(&m.config_vals, "10 2.5 true false text -3 1e+21");
    assert_string_equal(man_config(&m, "f"), "2.5");
    assert_string_equal(man_config(&m, "s"), "text");
    /* Keys are case-sensitive. */
    assert_null(man_config(&m, "N"));
    free(problems);
    man_free(&m);
}

static void test_empty_libraries_warns(void **state)
{
    (void)state;
    manifest m;
    int rc;
    char *problems = parse(&m, "{\n  \"libraries\": []\n}\n", &rc);
    assert_string_equal(problems,
                        "tarn.json:2:3: warning: no libraries: the pipeline has no datasets\n");
    assert_int_equal(rc, 0); /* a warning is not an error */
    assert_int_equal(m.libraries.n, 0);
    free(problems);
    man_free(&m);
}

/* ---------------------------------------------------------------- wrong types */

static void test_wrong_types_at_the_key(void **state)
{
    (void)state;
    static const struct { const char *text, *want; } cases[] = {
        {"{\n  \"name\": 3\n}", "tarn.json:2:3: error: \"name\" must be a string\n"},
        {"{\n  \"name\": \"x\",\n  \"libraries\": \"a.sql\"\n}",
         "tarn.json:3:3: error: \"libraries\" must be an array of glob strings\n"},
        {"{\n\t\"configuration\": []\n}",
         "tarn.json:2:2: error: \"configuration\" must be an object\n"},
        {"{\"warehouse\": 5}", "tarn.json:1:2: error: \"warehouse\" must be a string\n"},
        {"{\"warehouse\": \"\"}", "tarn.json:1:2: error: \"warehouse\" must not be empty\n"},
        {"{\n    \"jobs\": {}\n}", "tarn.json:2:5: error: \"jobs\" must be an array\n"},
        {"{\n  \"designer\": \"x\"\n}", "tarn.json:2:3: error: \"designer\" must be an object\n"},
        /* A bad configuration value is reported at its key. */
        {"{\n  \"configuration\": {\n    \"ok\": \"1\",\n    \"bad\": [1, 2]\n  }\n}",
         "tarn.json:4:5: error: configuration \"bad\" must be a string, number or boolean\n"},
        {"{\"configuration\": {\"n\": null}}",
         "tarn.json:1:20: error: configuration \"n\" must be a string, number or boolean\n"},
        /* a number past a double's range (it would be saved as null) */
        {"{\"configuration\": {\"big\": 1e999}}",
         "tarn.json:1:20: error: configuration \"big\": the number is out of range\n"},
        /* A bad library item is reported where it stands. */
        {"{\n  \"libraries\": [\n    \"a.sql\",\n    {\"glob\": \"b.sql\"},\n    7,\n    \"\"\n  ]\n}",
         "tarn.json:4:5: error: \"libraries\" item 2 must be a glob string or {\"glob\": "
         "{\"include\": \"GLOB\"}}\n"
         "tarn.json:5:5: error: \"libraries\" item 3 must be a glob string or {\"glob\": "
         "{\"include\": \"GLOB\"}}\n"
         "tarn.json:6:5: error: \"libraries\" item 4 is an empty glob\n"},
        /* Strings with escaped quotes and commas before the key do not
         * confuse the locator. */
        {"{\"x\\\"y\": \"a,\\\"b}\", \"name\": []}",
         "tarn.json:1:20: error: \"name\" must be a string\n"},
        /* Repeated keys: the first one counts. */
        {"{\n  \"name\": \"a\",\n  \"name\": 2\n}",
         "tarn.json:3:3: warning: \"name\" is given twice: the first one is used\n"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        manifest m;
        int rc;
        char *got = parse(&m, cases[i].text, &rc);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu:\n%s\ngot:  %swant: %s", i, cases[i].text, got, cases[i].want);
        bool only_warnings = strstr(cases[i].want, "error:") == NULL;
        assert_int_equal(rc, only_warnings ? 0 : -1);
        free(got);
        man_free(&m);
    }
}

static void test_wrong_types_keep_defaults_and_good_parts(void **state)
{
    (void)state;
    manifest m;
    int rc;
    char *got = parse(&m,
                      "{\"name\": 1, \"libraries\": {}, \"warehouse\": [],"
                      " \"configuration\": {\"a\": \"1\", \"b\": {}, \"c\": 3}}",
                      &rc);
    assert_int_equal(rc, -1);
    assert_defaults(&m);
    assert_vec(&m.config_keys, "a c");
    assert_vec(&m.config_vals, "1 3");
    /* The document itself is kept as it was. */
    assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(m.root, "libraries")));
    free(got);
    man_free(&m);
}

static void test_several_problems_at_once(void **state)
{
    (void)state;
    const char *text = "{\n"
                       "  \"name\": 1,\n"
                       "  \"libraries\": \"x\",\n"
                       "  \"configuration\": {\"a\": 10, \"d\": [1], \"a\": 3},\n"
                       "  \"warehouse\": null,\n"
                       "  \"jobs\": {},\n"
                       "  \"designer\": []\n"
                       "}\n";
    diag_list d = {0};
    manifest m;
    assert_int_equal(man_parse(&m, text, "p/tarn.json", &d), -1);
    assert_int_equal(d.errors, 6);
    assert_int_equal(d.warnings, 1);
    static const char *const want[] = {
        "p/tarn.json:2:3: error: \"name\" must be a string",
        "p/tarn.json:3:3: error: \"libraries\" must be an array of glob strings",
        "p/tarn.json:4:30: error: configuration \"d\" must be a string, number or boolean",
        "p/tarn.json:4:40: warning: configuration \"a\" is given twice: the first one is used",
        "p/tarn.json:5:3: error: \"warehouse\" must be a string",
        "p/tarn.json:6:3: error: \"jobs\" must be an array",
        "p/tarn.json:7:3: error: \"designer\" must be an object",
    };
    assert_int_equal(d.items.n, ARRAY_LEN(want));
    for (size_t i = 0; i < ARRAY_LEN(want); i++) {
        char *s = diag_format(&d.items.v[i]);
        assert_string_equal(s, want[i]);
        free(s);
    }
    assert_string_equal(man_config(&m, "a"), "10");
    diag_free(&d);
    man_free(&m);
}

/* ---------------------------------------------------------------- malformed JSON */

static void test_malformed_json(void **state)
{
    (void)state;
    static const struct { const char *text, *want; } cases[] = {
        {"{\n  \"name\": \"x\",\n}\n",
         "tarn.json:2:14: error: malformed JSON: trailing comma\n"},
        {"{\"libraries\": [\"a\",]}", "tarn.json:1:19: error: malformed JSON: trailing comma\n"},
        {"{\n  \"name\" \"x\"\n}", "tarn.json:2:10: error: malformed JSON: expected ':' after key\n"},
        {"{\n  \"name\": \"abc\n}\n", "tarn.json:2:11: error: malformed JSON: unterminated string\n"},
        {"{\n  \"name\": \"x\",\n  \"libraries\": [",
         "tarn.json:3:17: error: malformed JSON: unexpected end of file\n"},
        {"{\"name\": x}", "tarn.json:1:10: error: malformed JSON: unexpected character 'x'\n"},
        {"{\n  \"a\": 1\n  \"b\": 2\n}",
         "tarn.json:3:3: error: malformed JSON: missing ',' between members\n"},
        {"{\n  name: 1\n}",
         "tarn.json:2:3: error: malformed JSON: object keys must be strings in double quotes\n"},
        {"{\n  'name': 1\n}",
         "tarn.json:2:3: error: malformed JSON: strings must be in double quotes, not single "
         "quotes\n"},
        {"{\n  // note\n}", "tarn.json:2:3: error: malformed JSON: comments are not allowed in JSON\n"},
        {"{\"name\": \"a\\qb\"}", "tarn.json:1:12: error: malformed JSON: invalid escape '\\q' in string\n"},
        {"", "tarn.json:1:1: error: malformed JSON: the file is empty\n"},
        {"{}\n}", "tarn.json:2:1: error: malformed JSON: unexpected text after the end of the "
                  "manifest object\n"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        manifest m;
        int rc;
        char *got = parse(&m, cases[i].text, &rc);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu:\n%s\ngot:  %swant: %s", i, cases[i].text, got, cases[i].want);
        assert_int_equal(rc, -1);
        /* Still usable, with defaults. */
        assert_defaults(&m);
        free(got);
        man_free(&m);
    }
}

static void test_root_must_be_an_object(void **state)
{
    (void)state;
    manifest m;
    int rc;
    char *got = parse(&m, "\n[1, 2]\n", &rc);
    assert_string_equal(got, "tarn.json:2:1: error: the manifest must be a JSON object\n");
    assert_int_equal(rc, -1);
    assert_defaults(&m);
    /* The manifest can still be changed and printed. */
    man_set_config(&m, "k", "v");
    char *text = man_print(&m);
    assert_string_equal(text, "{\n  \"configuration\": {\n    \"k\": \"v\"\n  }\n}\n");
    free(text);
    free(got);
    man_free(&m);
}

/* ---------------------------------------------------------------- printing */

static void test_init_and_print_format(void **state)
{
    (void)state;
    manifest m;
    man_init(&m, "shop");
    assert_string_equal(m.name, "shop");
    assert_vec(&m.libraries, "transformations/**/*.sql");
    assert_string_equal(m.warehouse, ".tarn/warehouse.db");
    assert_int_equal(m.config_keys.n, 0);
    char *text = man_print(&m);
    assert_string_equal(text, "{\n"
                              "  \"name\": \"shop\",\n"
                              "  \"libraries\": [\n"
                              "    \"transformations/**/*.sql\"\n"
                              "  ],\n"
                              "  \"configuration\": {},\n"
                              "  \"warehouse\": \".tarn/warehouse.db\",\n"
                              "  \"jobs\": [],\n"
                              "  \"designer\": {\n"
                              "    \"positions\": {}\n"
                              "  }\n"
                              "}\n");
    /* What man_print writes reads back without problems. */
    manifest back;
    int rc;
    char *problems = parse(&back, text, &rc);
    assert_string_equal(problems, "");
    assert_true(cJSON_Compare(m.root, back.root, true));
    free(problems);
    free(text);
    man_free(&back);
    man_free(&m);
}

static void test_print_small_document_exact(void **state)
{
    (void)state;
    manifest m;
    int rc;
    char *problems = parse(&m,
                           "{\"name\":\"a\\\"b\",\"n\":[1,2.5,-0.125,true,null,\"s\"],"
                           "\"o\":{\"e\":[],\"f\":{},\"g\":[[]]}}",
                           &rc);
    assert_string_equal(problems, "");
    char *text = man_print(&m);
    assert_string_equal(text, "{\n"
                              "  \"name\": \"a\\\"b\",\n"
                              "  \"n\": [\n"
                              "    1,\n"
                              "    2.5,\n"
                              "    -0.125,\n"
                              "    true,\n"
                              "    null,\n"
                              "    \"s\"\n"
                              "  ],\n"
                              "  \"o\": {\n"
                              "    \"e\": [],\n"
                              "    \"f\": {},\n"
                              "    \"g\": [\n"
                              "      []\n"
                              "    ]\n"
                              "  }\n"
                              "}\n");
    free(text);
    free(problems);
    man_free(&m);
}

/* ---------------------------------------------------------------- configuration */

static void test_unknown_keys_survive_round_trip(void **state)
{
    (void)state;
    const char *text = "{\n"
                       "  \"name\": \"demo\",\n"
                       "  \"x-owner\": {\"team\": \"data\", \"tags\": [\"a\", 1, null, true],"
                       " \"nested\": {\"deep\": 2.5}},\n"
                       "  \"configuration\": {\"region\": \"eu\", \"limit\": 10},\n"
                       "  \"zzz\": null\n"
                       "}\n";
    manifest m;
    int rc;
    char *problems = parse(&m, text, &rc);
    assert_string_equal(problems, "");
    free(problems);

    man_set_config(&m, "region", "us");
    man_set_config(&m, "limit", "20"); /* stays a number */
    man_set_config(&m, "new", "v");
    assert_string_equal(man_config(&m, "region"), "us");
    assert_string_equal(man_config(&m, "limit"), "20");
    assert_vec(&m.config_keys, "region limit new");

    char *printed = man_print(&m);
    assert_string_equal(printed, "{\n"
                                 "  \"name\": \"demo\",\n"
                                 "  \"x-owner\": {\n"
                                 "    \"team\": \"data\",\n"
                                 "    \"tags\": [\n"
                                 "      \"a\",\n"
                                 "      1,\n"
                                 "      null,\n"
                                 "      true\n"
                                 "    ],\n"
                                 "    \"nested\": {\n"
                                 "      \"deep\": 2.5\n"
                                 "    }\n"
                                 "  },\n"
                                 "  \"configuration\": {\n"
                                 "    \"region\": \"us\",\n"
                                 "    \"limit\": 20,\n"
                                 "    \"new\": \"v\"\n"
                                 "  },\n"
                                 "  \"zzz\": null\n"
                                 "}\n");

    manifest back;
    problems = parse(&back, printed, &rc);
    assert_string_equal(problems, "");
    assert_int_equal(rc, 0);
    manifest orig;
    char *p2 = parse(&orig, text, &rc);
    assert_true(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(orig.root, "x-owner"),
                              cJSON_GetObjectItemCaseSensitive(back.root, "x-owner"), true));
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(back.root, "zzz")));
    assert_string_equal(man_config(&back, "region"), "us");
    assert_string_equal(man_config(&back, "limit"), "20");
    assert_string_equal(man_config(&back, "new"), "v");
    free(p2);
    free(problems);
    free(printed);
    man_free(&orig);
    man_free(&back);
    man_free(&m);
}

static void test_set_config_creates_and_types(void **state)
{
    (void)state;
    manifest m;
    int rc;
    char *problems = parse(&m, "{\"name\": \"n\"}", &rc);
    free(problems);
    man_set_config(&m, "a", "1");
    assert_string_equal(man_config(&m, "a"), "1");
    char *text = man_print(&m);
    assert_string_equal(text,
                        "{\n  \"name\": \"n\",\n  \"configuration\": {\n    \"a\": \"1\"\n  }\n}\n");
    free(text);
    man_free(&m);

    /* A "configuration" of the wrong type is replaced by an object. */
    problems = parse(&m, "{\"configuration\": [1], \"z\": 0}", &rc);
    assert_int_equal(rc, -1);
    free(problems);
    man_set_config(&m, "k", "v");
    assert_vec(&m.config_keys, "k");
    text = man_print(&m);
    assert_string_equal(text, "{\n  \"configuration\": {\n    \"k\": \"v\"\n  },\n  \"z\": 0\n}\n");
    free(text);
    man_free(&m);

    /* Booleans and numbers keep their type when the new text fits it. */
    problems = parse(&m, "{\"configuration\": {\"b\": true, \"n\": 1, \"m\": 2}}", &rc);
    free(problems);
    man_set_config(&m, "b", "false");
    man_set_config(&m, "n", "2.5");
    man_set_config(&m, "m", "many");
    text = man_print(&m);
    assert_string_equal(text, "{\n  \"configuration\": {\n    \"b\": false,\n    \"n\": 2.5,\n"
                              "    \"m\": \"many\"\n  }\n}\n");
    assert_vec(&m.config_vals, "false 2.5 many");
    free(text);
    man_free(&m);
}

/* ---------------------------------------------------------------- files */

static void test_save_and_load(void **state)
{
    (void)state;
    char *dir = ts_mkdtemp();
    assert_non_null(dir);
    char *path = fs_join(dir, MAN_FILE);

    manifest m;
    man_init(&m, "files");
    man_set_config(&m, "day", "2026-01-01");
    char *err = NULL;
    assert_int_equal(man_save(&m, path, &err), 0);
    assert_null(err);

    manifest back;
    diag_list d = {0};
    assert_int_equal(man_load(&back, path, MAN_FILE, &d), 0);
    assert_int_equal(d.items.n, 0);
    assert_string_equal(back.name, "files");
    assert_string_equal(man_config(&back, "day"), "2026-01-01");
    char *a = man_print(&m), *b = man_print(&back);
    assert_string_equal(a, b);
    char *on_disk = fs_read(path, NULL, NULL);
    assert_string_equal(on_disk, a);
    free(on_disk);
    free(a);
    free(b);
    man_free(&back);
    man_free(&m);
    diag_free(&d);
    free(path);
    ts_rmtree(dir);
    free(dir);
}

static void test_load_missing_file(void **state)
{
    (void)state;
    char *dir = ts_mkdtemp();
    assert_non_null(dir);
    char *path = fs_join(dir, MAN_FILE);
    manifest m;
    diag_list d = {0};
    assert_int_equal(man_load(&m, path, MAN_FILE, &d), -1);
    assert_int_equal(d.errors, 1);
    char *got = diag_format(&d.items.v[0]);
    char *want = xasprintf("tarn.json: error: cannot read %s: No such file or directory", path);
    assert_string_equal(got, want);
    assert_defaults(&m);
    free(got);
    free(want);
    diag_free(&d);
    man_free(&m);
    free(path);
    ts_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_when_keys_absent),
        cmocka_unit_test(test_both_library_forms),
        cmocka_unit_test(test_config_rendering),
        cmocka_unit_test(test_empty_libraries_warns),
        cmocka_unit_test(test_wrong_types_at_the_key),
        cmocka_unit_test(test_wrong_types_keep_defaults_and_good_parts),
        cmocka_unit_test(test_several_problems_at_once),
        cmocka_unit_test(test_malformed_json),
        cmocka_unit_test(test_root_must_be_an_object),
        cmocka_unit_test(test_init_and_print_format),
        cmocka_unit_test(test_print_small_document_exact),
        cmocka_unit_test(test_unknown_keys_survive_round_trip),
        cmocka_unit_test(test_set_config_creates_and_types),
        cmocka_unit_test(test_save_and_load),
        cmocka_unit_test(test_load_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
