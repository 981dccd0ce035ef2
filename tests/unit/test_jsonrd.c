/*
 * test_jsonrd.c - unit tests for engine/jsonrd (cutting JSON lines or one
 * JSON array into record texts): JSON lines with blank lines and CRLF,
 * arrays with nested arrays, objects and strings holding brackets and
 * escaped quotes, multi-line elements and their line numbers, a truncated
 * array, text after the array, stray brackets and empty elements (which must
 * never stop the reader), the BOM, and file-descriptor input in pieces
 * giving the same records as memory input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "jsonrd.h"
#include "testsupport.h"
#include "util.h"

/* ---------------------------------------------------------------- helpers */

/* Every record as "L<line>[!why]:<text>" one per line (newlines in the text
 * written as \n). Stops after 1000 records: a reader that does not move on
 * fails instead of hanging. */
static char *dump_reader(json_reader *r, int *rc_out)
{
    sb b = {0};
    jsr_record rec;
    int rc, n = 0;
    int64_t prev = 0;
    while ((rc = jsr_next(r, &rec)) == 1) {
        if (++n > 1000) fail_msg("the reader does not move on");
        assert_true(rec.line >= prev);
        prev = rec.line;
        if (rec.malformed) assert_non_null(rec.why);
        else assert_null(rec.why);
        sb_addf(&b, "L%lld", (long long)rec.line);
        if (rec.malformed) sb_addf(&b, "!%s", rec.why);
        sb_addc(&b, ':');
        for (size_t i = 0; i < rec.len; i++) {
            if (rec.text[i] == '\n') sb_add(&b, "\\n");
            else if (rec.text[i] == '\r') sb_add(&b, "\\r");
            else sb_addc(&b, rec.text[i]);
        }
        sb_addc(&b, '\n');
    }
    if (rc_out) *rc_out = rc;
    return sb_take(&b);
}

static char *dump_mem(const char *text, size_t len)
{
    json_reader *r = jsr_open(-1, text, len);
    int rc;
    char *s = dump_reader(r, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(jsr_offset(r), (int64_t)len);
    jsr_close(r);
    return s;
}

static void assert_json(const char *text, const char *want)
{
    char *got = dump_mem(text, strlen(text));
    if (strcmp(got, want)) fail_msg("input: %s\n got:\n%s\nwant:\n%s", text, got, want);
    free(got);
}

typedef struct feeder {
    int fd;
    const char *data;
    size_t len, chunk;
    pthread_t th;
} feeder;

/* Writes the data in pieces, each once the reader took the one before. */
static void *feed(void *arg)
{
    feeder *f = arg;
    for (size_t off = 0; off < f->len;) {
        size_t n = f->len - off < f->chunk ? f->len - off : f->chunk;
        ssize_t w = write(f->fd, f->data + off, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            break;
        }
        off += (size_t)w;
        for (;;) {
            int pending = 0;
            if (ioctl(f->fd, FIONREAD, &pending) < 0 || pending == 0) break;
            sched_yield();
        }
    }
    close(f->fd);
    return NULL;
}

static char *dump_pipe(const char *text, size_t len, size_t chunk, uint64_t *hash)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    feeder f = {p[1], text, len, chunk, 0};
    assert_int_equal(pthread_create(&f.th, NULL, feed, &f), 0);
    json_reader *r = jsr_open(p[0], NULL, 0);
    int rc;
    char *s = dump_reader(r, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(jsr_offset(r), (int64_t)len);
    if (hash) *hash = jsr_hash(r);
    jsr_close(r);
    pthread_join(f.th, NULL);
    close(p[0]);
    return s;
}

static uint64_t mem_hash(const char *text, size_t len)
{
    json_reader *r = jsr_open(-1, text, len);
    jsr_record rec;
    while (jsr_next(r, &rec) == 1) {
    }
    uint64_t h = jsr_hash(r);
    jsr_close(r);
    return h;
}

static void assert_same_in_pieces(const char *text, size_t maxchunk)
{
    size_t len = strlen(text);
    char *want = dump_mem(text, len);
    uint64_t hm = mem_hash(text, len);
    for (size_t chunk = 1; chunk <= maxchunk; chunk++) {
        uint64_t h = 0;
        char *got = dump_pipe(text, len, chunk, &h);
        if (strcmp(got, want))
            fail_msg("input in %zu-byte pieces:\n%s\nmemory:\n%s", chunk, got, want);
        assert_true(h == hm);
        free(got);
    }
    free(want);
}

/* ---------------------------------------------------------------- JSON lines */

static void test_lines(void **state)
{
    (void)state;
    assert_json("{\"a\":1}\n{\"a\":2}\n", "L1:{\"a\":1}\nL2:{\"a\":2}\n");
    /* blank lines (also with spaces) are skipped; line numbers stay true */
    assert_json("\n{\"a\":1}\n\n   \n{\"a\":2}", "L2:{\"a\":1}\nL5:{\"a\":2}\n");
    /* CRLF: the CR is not part of the record; trailing spaces neither */
    assert_json("{\"a\":1}\r\n\r\n{\"b\":\"x\"}  \r\n", "L1:{\"a\":1}\nL3:{\"b\":\"x\"}\n");
    /* leading white space of a line is skipped */
    assert_json("  \t{\"a\":1}\n", "L1:{\"a\":1}\n");
    /* lines are cut at newlines without parsing: a broken line is one record */
    assert_json("{\"a\":\n1}\n", "L1:{\"a\":\nL2:1}\n");
    /* a later line starting with [ is a record like any other */
    assert_json("{\"a\":1}\n[1,2]\n", "L1:{\"a\":1}\nL2:[1,2]\n");
    /* records are not objects necessarily: the caller decides */
    assert_json("1\n\"s\"\nnull\n", "L1:1\nL2:\"s\"\nL3:null\n");
}

static void test_empty(void **state)
{
    (void)state;
    assert_json("", "");
    assert_json("\n\r\n  \n", "");
    assert_json("\xEF\xBB\xBF", "");
    assert_json("[]", "");
    assert_json(" [ \n ] \n", "");
    uint64_t h = 0;
    char *got = dump_pipe("", 0, 1, &h);
    assert_string_equal(got, "");
    assert_true(h == mem_hash("", 0));
    free(got);
    jsr_close(NULL);
}

static void test_bom(void **state)
{
    (void)state;
    assert_json("\xEF\xBB\xBF{\"a\":1}\n", "L1:{\"a\":1}\n");
    assert_json("\xEF\xBB\xBF[{\"a\":1}]", "L1:{\"a\":1}\n");
    assert_json("\xEF\xBB\xBF\n[\n{\"a\":1}\n]\n", "L3:{\"a\":1}\n");
    json_reader *r = jsr_open(-1, "\xEF\xBB\xBF{}", 5);
    jsr_record rec;
    assert_int_equal(jsr_next(r, &rec), 1);
    assert_int_equal(rec.len, 2);
    assert_int_equal(jsr_offset(r), 5);
    jsr_close(r);
}

/* ---------------------------------------------------------------- arrays */

static void test_array(void **state)
{
    (void)state;
    assert_json("[{\"a\":1},{\"a\":2}]", "L1:{\"a\":1}\nL1:{\"a\":2}\n");
    assert_json("[\n  {\"a\": 1},\n  {\"a\": 2}\n]\n", "L2:{\"a\": 1}\nL3:{\"a\": 2}\n");
    /* nested arrays and objects stay in their element */
    assert_json("[{\"a\":[1,[2,3]],\"o\":{\"x\":{\"y\":[]}}},{\"b\":{}}]",
                "L1:{\"a\":[1,[2,3]],\"o\":{\"x\":{\"y\":[]}}}\nL1:{\"b\":{}}\n");
    /* brackets, commas and escaped quotes inside strings are text */
    assert_json("[{\"s\":\"a],}[{\\\"b\\\",\"},{\"t\":\"\\\\\"}]",
                "L1:{\"s\":\"a],}[{\\\"b\\\",\"}\nL1:{\"t\":\"\\\\\"}\n");
    /* scalars as elements, white space around them kept or not */
    assert_json("[1, \"two\" ,null,true]", "L1:1\nL1:\"two\" \nL1:null\nL1:true\n");
    /* a trailing comma before ] adds nothing */
    assert_json("[{\"a\":1},]", "L1:{\"a\":1}\n");
}

static void test_array_multiline_line_numbers(void **state)
{
    (void)state;
    const char *in = "[\n"
                     "  {\n"
                     "    \"a\": 1,\n"
                     "    \"s\": \"x\\ny\"\n"
                     "  },\n"
                     "\n"
                     "  {\"b\": [\n"
                     "    1,\n"
                     "    2]},\n"
                     "  {\"c\": 3}\n"
                     "]\n";
    assert_json(in, "L2:{\\n    \"a\": 1,\\n    \"s\": \"x\\ny\"\\n  }\n"
                    "L7:{\"b\": [\\n    1,\\n    2]}\n"
                    "L10:{\"c\": 3}\n");
    /* each record parses on its own */
    json_reader *r = jsr_open(-1, in, strlen(in));
    jsr_record rec;
    int n = 0;
    while (jsr_next(r, &rec) == 1) {
        cJSON *x = cJSON_ParseWithLength(rec.text, rec.len);
        assert_true(cJSON_IsObject(x));
        cJSON_Delete(x);
        n++;
    }
    assert_int_equal(n, 3);
    jsr_close(r);
}

static void test_truncated_array(void **state)
{
    (void)state;
    /* the last element is cut: it is malformed, and the missing ] is part of
     * the same problem (no second record for it) */
    assert_json("[{\"a\":1},\n{\"b\":[2,", "L1:{\"a\":1}\nL2!unterminated JSON value:{\"b\":[2,\n");
    /* cut inside a string */
    assert_json("[{\"a\":\"xy", "L1!unterminated JSON value:{\"a\":\"xy\n");
    /* every element complete, only the ] missing */
    assert_json("[{\"a\":1},{\"a\":2}\n",
                "L1:{\"a\":1}\nL1:{\"a\":2}\nL2!the JSON array is not closed:\n");
    assert_json("[", "L1!the JSON array is not closed:\n");
    assert_json("[{\"a\":1},", "L1:{\"a\":1}\nL1!the JSON array is not closed:\n");
}

static void test_text_after_array(void **state)
{
    (void)state;
    assert_json("[{\"a\":1}] x", "L1:{\"a\":1}\nL1!text after the end of the JSON array:x\n");
    assert_json("[{\"a\":1}]\n\n{\"b\":2}\n",
                "L1:{\"a\":1}\nL3!text after the end of the JSON array:{\"b\":2}\\n\n");
    /* white space after the array is fine */
    assert_json("[{\"a\":1}]\n  \r\n", "L1:{\"a\":1}\n");
    /* a second array */
    assert_json("[1][2]", "L1:1\nL1!text after the end of the JSON array:[2]\n");
}

static void test_stray_brackets_and_empty_elements(void **state)
{
    (void)state;
    /* a stray closing brace: a one-byte malformed record, then on */
    assert_json("[1}", "L1:1\nL1!unexpected closing bracket:}\nL1!the JSON array is not closed:\n");
    assert_json("[}, {\"a\":1}]",
                "L1!unexpected closing bracket:}\nL1:{\"a\":1}\n");
    assert_json("[{\"a\":1}}]", "L1:{\"a\":1}\nL1!unexpected closing bracket:}\n");
    /* an empty element between two commas */
    assert_json("[1,,2]", "L1:1\nL1!empty array element:\nL1:2\n");
    /* the same, read in pieces (the element then starts a refilled window) */
    assert_same_in_pieces("[1,,2,}]", 4);
}

static void test_pieces_match_memory(void **state)
{
    (void)state;
    assert_same_in_pieces("\xEF\xBB\xBF{\"a\":\"x,]\\\"\"}\r\n\r\n{\"b\":[1,{\"c\":2}]}\n  \nlast",
                          9);
    assert_same_in_pieces("\xEF\xBB\xBF\n [ {\"a\":\"[\\\\\"}, \n{\"b\":\n[1,\n2]}\n,3 ] tail", 9);
    assert_same_in_pieces("[{\"a\":1},{\"b\":\"unterminated", 5);
}

static void test_large_element(void **state)
{
    (void)state;
    /* one element of 3 MiB (more than the 1 MiB window) between small ones */
    sb t = {0};
    sb_add(&t, "[{\"a\":1},\n{\"big\":\"");
    size_t from = t.len - 8;
    for (size_t i = 0; i < (3u << 20); i++) sb_addc(&t, (char)('a' + i % 26));
    sb_add(&t, "\"},\n{\"z\":2}]");
    size_t to = t.len - 10;
    int p[2];
    assert_int_equal(pipe(p), 0);
    feeder f = {p[1], t.s, t.len, 65536, 0};
    assert_int_equal(pthread_create(&f.th, NULL, feed, &f), 0);
    json_reader *r = jsr_open(p[0], NULL, 0);
    jsr_record rec;
    assert_int_equal(jsr_next(r, &rec), 1);
    assert_int_equal(rec.len, 7);
    assert_int_equal(jsr_next(r, &rec), 1);
    assert_int_equal(rec.line, 2);
    assert_false(rec.malformed);
    assert_int_equal(rec.len, to - from);
    assert_memory_equal(rec.text, t.s + from, to - from);
    assert_int_equal(jsr_next(r, &rec), 1);
    assert_int_equal(rec.line, 3);
    assert_int_equal(rec.len, 7);
    assert_int_equal(jsr_next(r, &rec), 0);
    assert_true(jsr_hash(r) == mem_hash(t.s, t.len));
    assert_int_equal(jsr_offset(r), (int64_t)t.len);
    jsr_close(r);
    pthread_join(f.th, NULL);
    close(p[0]);
    sb_free(&t);
}

static void test_hash_and_offset(void **state)
{
    (void)state;
    const char *a = "{\"a\":1}\n{\"a\":2}\n";
    const char *b = "{\"a\":1}\n{\"a\":3}\n";
    assert_true(mem_hash(a, strlen(a)) != mem_hash(b, strlen(b)));
    json_reader *r = jsr_open(-1, a, strlen(a));
    jsr_record rec;
    assert_int_equal(jsr_next(r, &rec), 1);
    assert_int_equal(jsr_offset(r), 7); /* up to the end of the record's text */
    assert_int_equal(jsr_next(r, &rec), 1);
    assert_int_equal(jsr_next(r, &rec), 0);
    assert_int_equal(jsr_offset(r), (int64_t)strlen(a));
    jsr_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_array),
        cmocka_unit_test(test_array_multiline_line_numbers),
        cmocka_unit_test(test_truncated_array),
        cmocka_unit_test(test_text_after_array),
        cmocka_unit_test(test_stray_brackets_and_empty_elements),
        cmocka_unit_test(test_pieces_match_memory),
        cmocka_unit_test(test_large_element),
        cmocka_unit_test(test_hash_and_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
