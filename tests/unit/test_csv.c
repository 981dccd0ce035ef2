/*
 * test_csv.c - unit tests for engine/csv (the streaming CSV reader) and the
 * window under it: every option (delimiter, quote, escape, comment), doubled
 * quotes and escape characters, quoted newlines with their line numbers,
 * CRLF, the UTF-8 BOM, skipped blank and comment lines, records larger than
 * the 1 MiB window, input from a file descriptor in pieces of any size giving
 * the same records as memory input, malformed records (unterminated quote,
 * text after a closing quote), empty input, csv_offset and csv_hash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "csv.h"
#include "testsupport.h"
#include "util.h"

/* ---------------------------------------------------------------- helpers */

/* Every record of r as text: "L<line>[!why]|field|"quoted field..." one
 * line per record, with \n and \r inside fields written as \n and \r. */
static char *dump_reader(csv_reader *r, int *rc_out)
{
    sb b = {0};
    csv_record rec;
    int rc;
    int64_t prev_line = 0;
    while ((rc = csv_next(r, &rec)) == 1) {
        assert_true(rec.line >= 1);
        assert_true(rec.line > prev_line); /* records start on later lines */
        prev_line = rec.line;
        assert_true(rec.n >= 1);
        sb_addf(&b, "L%lld", (long long)rec.line);
        if (rec.malformed) sb_addf(&b, "!%s", rec.why);
        for (size_t i = 0; i < rec.n; i++) {
            sb_addc(&b, '|');
            if (rec.f[i].quoted) sb_addc(&b, '"');
            for (size_t k = 0; k < rec.f[i].len; k++) {
                char c = rec.text[rec.f[i].off + k];
                if (c == '\n') sb_add(&b, "\\n");
                else if (c == '\r') sb_add(&b, "\\r");
                else sb_addc(&b, c);
            }
        }
        sb_addc(&b, '\n');
    }
    if (rc_out) *rc_out = rc;
    return sb_take(&b);
}

static char *dump_mem(const char *text, size_t len, const csv_opts *o)
{
    csv_reader *r = csv_open(-1, text, len, o);
    int rc;
    char *s = dump_reader(r, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(csv_offset(r), (int64_t)len);
    csv_close(r);
    return s;
}

static void assert_csv(const char *text, const csv_opts *o, const char *want)
{
    char *got = dump_mem(text, strlen(text), o);
    if (strcmp(got, want)) fail_msg("input: %s\n got:\n%s\nwant:\n%s", text, got, want);
    free(got);
}

/* A writer feeding a pipe in pieces of `chunk` bytes, each written only
 * once the reader has taken everything before it, so that every read(2) of
 * the reader returns exactly one piece. */
typedef struct feeder {
    int fd;
    const char *data;
    size_t len, chunk;
    pthread_t th;
} feeder;

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
        for (;;) { /* wait until the reader drained the pipe */
            int pending = 0;
            if (ioctl(f->fd, FIONREAD, &pending) < 0 || pending == 0) break;
            sched_yield();
        }
    }
    close(f->fd);
    return NULL;
}

/* Starts feeding data in pieces; returns the read end. */
static int pipe_start(feeder *f, const char *data, size_t len, size_t chunk)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    f->fd = p[1];
    f->data = data;
    f->len = len;
    f->chunk = chunk;
    assert_int_equal(pthread_create(&f->th, NULL, feed, f), 0);
    return p[0];
}

static char *dump_pipe(const char *text, size_t len, const csv_opts *o, size_t chunk,
                       uint64_t *hash)
{
    feeder f;
    int fd = pipe_start(&f, text, len, chunk);
    csv_reader *r = csv_open(fd, NULL, 0, o);
    int rc;
    char *s = dump_reader(r, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(csv_offset(r), (int64_t)len);
    if (hash) *hash = csv_hash(r);
    csv_close(r);
    pthread_join(f.th, NULL);
    close(fd);
    return s;
}

/* Writes text to a temp file and reads it back through its descriptor. */
static char *dump_file(const char *text, size_t len, const csv_opts *o, uint64_t *hash)
{
    char path[] = "/tmp/tarn-csv-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    csv_reader *r = csv_open(fd, NULL, 0, o);
    int rc;
    char *s = dump_reader(r, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(csv_offset(r), (int64_t)len);
    if (hash) *hash = csv_hash(r);
    csv_close(r);
    close(fd);
    unlink(path);
    return s;
}

static uint64_t mem_hash(const char *text, size_t len)
{
    csv_reader *r = csv_open(-1, text, len, NULL);
    csv_record rec;
    while (csv_next(r, &rec) == 1) {
    }
    uint64_t h = csv_hash(r);
    csv_close(r);
    return h;
}

/* Memory, file and pipe input (in pieces of 1..maxchunk bytes) all give the
 * same records and hash. */
static void assert_same_all_ways(const char *text, size_t len, const csv_opts *o,
                                 size_t maxchunk)
{
    char *want = dump_mem(text, len, o);
    uint64_t hmem = mem_hash(text, len), h = 0;
    char *got = dump_file(text, len, o, &h);
    if (strcmp(got, want)) fail_msg("file input differs:\n%s\nmemory:\n%s", got, want);
    assert_true(h == hmem);
    free(got);
    for (size_t chunk = 1; chunk <= maxchunk; chunk++) {
        got = dump_pipe(text, len, o, chunk, &h);
        if (strcmp(got, want))
            fail_msg("pipe input in %zu-byte pieces differs:\n%s\nmemory:\n%s", chunk, got, want);
        assert_true(h == hmem);
        free(got);
    }
    free(want);
}

static csv_opts opts(char delimiter, char quote, char escape, char comment)
{
    csv_opts o = {delimiter, quote, escape, comment};
    return o;
}

/* ---------------------------------------------------------------- basics */

static void test_default_opts(void **state)
{
    (void)state;
    csv_opts o = csv_default_opts();
    assert_int_equal(o.delimiter, ',');
    assert_int_equal(o.quote, '"');
    assert_int_equal(o.escape, '\\');
    assert_int_equal(o.comment, 0);
}

static void test_simple_records(void **state)
{
    (void)state;
    assert_csv("a,b,c\n1,2,3\n", NULL, "L1|a|b|c\nL2|1|2|3\n");
    /* the last record needs no newline */
    assert_csv("a,b\n1,2", NULL, "L1|a|b\nL2|1|2\n");
    /* empty fields, a trailing delimiter, a line of only delimiters */
    assert_csv("a,,c,\n,\n", NULL, "L1|a||c|\nL2||\n");
    /* a field with spaces keeps them */
    assert_csv(" a , b \n", NULL, "L1| a | b \n");
    /* a quote inside an unquoted field is an ordinary character */
    assert_csv("a\"b,c\"\n", NULL, "L1|a\"b|c\"\n");
    /* a NULL options pointer means the defaults */
    assert_csv("x;y,z\n", NULL, "L1|x;y|z\n");
}

static void test_empty_input(void **state)
{
    (void)state;
    assert_csv("", NULL, "");
    csv_reader *r = csv_open(-1, NULL, 0, NULL);
    csv_record rec;
    assert_int_equal(csv_next(r, &rec), 0);
    assert_int_equal(csv_next(r, &rec), 0); /* stays at the end */
    assert_int_equal(csv_offset(r), 0);
    uint64_t h = csv_hash(r);
    csv_close(r);
    /* an empty file through a descriptor: no record, the same hash */
    uint64_t hf = 1;
    char *got = dump_file("", 0, NULL, &hf);
    assert_string_equal(got, "");
    assert_true(h == hf);
    free(got);
    /* only blank lines, only a BOM */
    assert_csv("\n\r\n\n", NULL, "");
    assert_csv("\xEF\xBB\xBF", NULL, "");
    csv_close(NULL); /* harmless */
}

/* ---------------------------------------------------------------- quoting */

static void test_quoted_fields(void **state)
{
    (void)state;
    assert_csv("\"a,b\",c\n", NULL, "L1|\"a,b|c\n");
    /* doubled quotes are one quote */
    assert_csv("\"say \"\"hi\"\"\",x\n", NULL, "L1|\"say \"hi\"|x\n");
    assert_csv("\"\"\"\"\n", NULL, "L1|\"\"\n");
    /* an empty quoted field is quoted and empty (not the same as missing) */
    assert_csv("\"\",x,\n", NULL, "L1|\"|x|\n");
    /* quoted field at the end of input without newline */
    assert_csv("a,\"b\"", NULL, "L1|a|\"b\n");
}

static void test_escape_char(void **state)
{
    (void)state;
    /* the default escape \ makes \" a literal quote inside quotes ... */
    assert_csv("\"a \\\"b\\\" c\",d\n", NULL, "L1|\"a \"b\" c|d\n");
    /* ... and \\ a literal backslash */
    assert_csv("\"x\\\\y\",z\n", NULL, "L1|\"x\\y|z\n");
    /* a backslash before anything else is kept */
    assert_csv("\"a\\nb\"\n", NULL, "L1|\"a\\nb\n");
    /* outside quotes the escape character means nothing */
    assert_csv("a\\\"b,c\n", NULL, "L1|a\\\"b|c\n");
    /* escape => '' (none): the backslash is ordinary and the quote closes */
    csv_opts none = opts(',', '"', 0, 0);
    assert_csv("\"a\\\",b\n", &none, "L1|\"a\\|b\n");
    /* the same input with the default escape: the quote is escaped, the
     * field runs on to the end of the input, unterminated */
    assert_csv("\"a\\\",b\n", NULL, "L1!unterminated quoted field|\"a\",b\\n\n");
    /* a different escape character */
    csv_opts tilde = opts(',', '"', '~', 0);
    assert_csv("\"a~\"b\",c\n", &tilde, "L1|\"a\"b|c\n");
    assert_csv("\"a\\\"\"\",c\n", &tilde, "L1|\"a\\\"|c\n"); /* backslash ordinary, "" a quote */
    /* escape equal to the quote: only doubling */
    csv_opts same = opts(',', '"', '"', 0);
    assert_csv("\"a\"\"b\",c\n", &same, "L1|\"a\"b|c\n");
}

static void test_other_delimiters_and_quotes(void **state)
{
    (void)state;
    csv_opts semi = opts(';', '"', '\\', 0);
    assert_csv("a;b,c;\"d;e\"\n", &semi, "L1|a|b,c|\"d;e\n");
    csv_opts tab = opts('\t', '"', '\\', 0);
    assert_csv("a\tb c\t\n", &tab, "L1|a|b c|\n");
    csv_opts pipe_ = opts('|', '"', '\\', 0);
    assert_csv("1|2|3\n", &pipe_, "L1|1|2|3\n");
    /* single quotes as the quote character */
    csv_opts sq = opts(',', '\'', '\\', 0);
    assert_csv("'a,b','it''s',\"c\"\n", &sq, "L1|\"a,b|\"it's|\"c\"\n");
    /* quote => '' (none): quotes are ordinary characters */
    csv_opts noq = opts(',', 0, '\\', 0);
    assert_csv("\"a,b\",c\n", &noq, "L1|\"a|b\"|c\n");
    assert_csv("\"x\ny\"\n", &noq, "L1|\"x\nL2|y\"\n");
}

static void test_quoted_newlines_line_numbers(void **state)
{
    (void)state;
    const char *in = "id,text\n"
                     "1,\"line one\nline two\"\n"
                     "2,\"a\n\nb\n\"\n"
                     "3,plain\n";
    assert_csv(in, NULL,
               "L1|id|text\n"
               "L2|1|\"line one\\nline two\n"
               "L4|2|\"a\\n\\nb\\n\n"
               "L8|3|plain\n");
    /* a quoted CRLF is kept as is, inside the field */
    assert_csv("\"x\r\ny\",z\r\nw\r\n", NULL, "L1|\"x\\r\\ny|z\nL3|w\n");
}

static void test_crlf(void **state)
{
    (void)state;
    assert_csv("a,b\r\nc,d\r\n", NULL, "L1|a|b\nL2|c|d\n");
    /* a quoted last field before CRLF */
    assert_csv("a,\"b\"\r\nc,\"d\"\r\n", NULL, "L1|a|\"b\nL2|c|\"d\n");
    /* CR only before LF is a line end: elsewhere it is data */
    assert_csv("a\rb,c\r\n", NULL, "L1|a\\rb|c\n");
    /* a last line ending in a lone CR */
    assert_csv("a,b\r", NULL, "L1|a|b\n");
    /* mixed LF and CRLF */
    assert_csv("1\n2\r\n3\n", NULL, "L1|1\nL2|2\nL3|3\n");
    /* empty last field before CRLF */
    assert_csv("a,\r\n", NULL, "L1|a|\n");
}

static void test_bom(void **state)
{
    (void)state;
    assert_csv("\xEF\xBB\xBF" "a,b\n1,2\n", NULL, "L1|a|b\nL2|1|2\n");
    /* a BOM before a quoted header */
    assert_csv("\xEF\xBB\xBF\"a\",b\n", NULL, "L1|\"a|b\n");
    /* only at the very start: later it is data */
    assert_csv("a\n\xEF\xBB\xBF" "b\n", NULL, "L1|a\nL2|\xEF\xBB\xBF" "b\n");
    /* a partial BOM is data */
    assert_csv("\xEF\xBB" "x\n", NULL, "L1|\xEF\xBBx\n");
    /* the BOM counts in the offset */
    const char *t = "\xEF\xBB\xBF" "a\n";
    csv_reader *r = csv_open(-1, t, strlen(t), NULL);
    csv_record rec;
    assert_int_equal(csv_next(r, &rec), 1);
    assert_int_equal(rec.f[0].len, 1);
    assert_int_equal(rec.text[0], 'a');
    assert_int_equal(csv_offset(r), 5);
    csv_close(r);
}

static void test_blank_and_comment_lines(void **state)
{
    (void)state;
    assert_csv("\n\na\n\r\n\nb\n\n", NULL, "L3|a\nL6|b\n");
    csv_opts hash = opts(',', '"', '\\', '#');
    assert_csv("# a comment\na,b\n#x,y\n  #not,a comment\nc,d # kept\n", &hash,
               "L2|a|b\nL4|  #not|a comment\nL5|c|d # kept\n");
    /* a comment character inside a quoted multi-line field is data */
    assert_csv("\"x\n#y\",z\n#gone\nw\n", &hash, "L1|\"x\\n#y|z\nL4|w\n");
    /* a comment as the last line without newline, and with CRLF */
    assert_csv("a\r\n#c\r\nb\r\n#end", &hash, "L1|a\nL3|b\n");
    /* without the comment option # is data */
    assert_csv("#a,b\n", NULL, "L1|#a|b\n");
    csv_opts semi = opts(',', '"', '\\', ';');
    assert_csv(";x\ny\n", &semi, "L2|y\n");
}

/* ---------------------------------------------------------------- malformed */

static void test_unterminated_quote(void **state)
{
    (void)state;
    /* the field runs to the end of the input; its newlines still count */
    assert_csv("a,b\nc,\"de\nf,g\n", NULL,
               "L1|a|b\nL2!unterminated quoted field|c|\"de\\nf,g\\n\n");
    csv_reader *r = csv_open(-1, "\"abc", 4, NULL);
    csv_record rec;
    assert_int_equal(csv_next(r, &rec), 1);
    assert_true(rec.malformed);
    assert_string_equal(rec.why, "unterminated quoted field");
    assert_int_equal(rec.n, 1);
    assert_int_equal(rec.f[0].len, 3);
    assert_memory_equal(rec.text + rec.f[0].off, "abc", 3);
    assert_int_equal(csv_next(r, &rec), 0);
    csv_close(r);
    /* a lone quote */
    assert_csv("\"", NULL, "L1!unterminated quoted field|\"\n");
    /* an escape character as the very last byte inside quotes */
    assert_csv("\"ab\\", NULL, "L1!unterminated quoted field|\"ab\\\n");
}

static void test_text_after_closing_quote(void **state)
{
    (void)state;
    /* the text is kept in the field, the record marked */
    assert_csv("\"ab\"x,c\nd,e\n", NULL, "L1!text after a closing quote|\"abx|c\nL2|d|e\n");
    assert_csv("\"a\" ,b\n", NULL, "L1!text after a closing quote|\"a |b\n");
    /* at the end of the input */
    assert_csv("\"a\"bc", NULL, "L1!text after a closing quote|\"abc\n");
    /* before a CRLF: the CR is the line end, not part of the text */
    assert_csv("\"a\"b\r\nc\r\n", NULL, "L1!text after a closing quote|\"ab\nL2|c\n");
    /* a lone CR after a closing quote is text, and nothing after it is lost */
    assert_csv("\"a\"\rbc,d\n", NULL, "L1!text after a closing quote|\"a\\rbc|d\n");
    /* the record is marked; the next one is not */
    csv_reader *r = csv_open(-1, "\"a\"b\nc\n", 7, NULL);
    csv_record rec;
    assert_int_equal(csv_next(r, &rec), 1);
    assert_true(rec.malformed);
    assert_string_equal(rec.why, "text after a closing quote");
    assert_int_equal(csv_next(r, &rec), 1);
    assert_false(rec.malformed);
    assert_null(rec.why);
    csv_close(r);
}

/* ---------------------------------------------------------------- big records */

static void test_record_larger_than_window(void **state)
{
    (void)state;
    /* one quoted field of 3 MiB with newlines in it, between small records */
    size_t big = 3u << 20;
    sb t = {0};
    sb_add(&t, "h1,h2\nx,\"");
    size_t start = t.len;
    for (size_t i = 0; i < big; i++) sb_addc(&t, i % 1000 == 999 ? '\n' : (char)('a' + i % 26));
    size_t end = t.len;
    sb_add(&t, "\",y\nlast,1\n");
    size_t newlines = big / 1000;

    char path[] = "/tmp/tarn-csv-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, t.s, t.len), (ssize_t)t.len);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    for (int way = 0; way < 2; way++) {
        csv_reader *r = way ? csv_open(fd, NULL, 0, NULL) : csv_open(-1, t.s, t.len, NULL);
        csv_record rec;
        assert_int_equal(csv_next(r, &rec), 1);
        assert_int_equal(rec.line, 1);
        assert_int_equal(csv_next(r, &rec), 1);
        assert_int_equal(rec.line, 2);
        assert_int_equal(rec.n, 3);
        assert_false(rec.malformed);
        assert_int_equal(rec.f[1].len, end - start);
        assert_memory_equal(rec.text + rec.f[1].off, t.s + start, end - start);
        assert_int_equal(rec.f[2].len, 1);
        assert_int_equal(rec.text[rec.f[2].off], 'y');
        assert_int_equal(csv_next(r, &rec), 1);
        assert_int_equal(rec.line, 3 + (int64_t)newlines);
        assert_memory_equal(rec.text + rec.f[0].off, "last", 4);
        assert_int_equal(csv_next(r, &rec), 0);
        assert_int_equal(csv_offset(r), (int64_t)t.len);
        csv_close(r);
    }
    close(fd);
    unlink(path);

    /* an unquoted field of 2.5 MiB, read through a pipe in 64 KiB pieces */
    sb u = {0};
    for (size_t i = 0; i < (5u << 19); i++) sb_addc(&u, (char)('0' + i % 10));
    sb_add(&u, ",z\n");
    feeder f;
    fd = pipe_start(&f, u.s, u.len, 65536);
    csv_reader *r = csv_open(fd, NULL, 0, NULL);
    csv_record rec;
    assert_int_equal(csv_next(r, &rec), 1);
    assert_int_equal(rec.n, 2);
    assert_int_equal(rec.f[0].len, 5u << 19);
    assert_memory_equal(rec.text, u.s, 5u << 19);
    assert_int_equal(csv_next(r, &rec), 0);
    assert_true(csv_hash(r) == mem_hash(u.s, u.len));
    csv_close(r);
    pthread_join(f.th, NULL);
    close(fd);
    sb_free(&t);
    sb_free(&u);
}

/* ---------------------------------------------------------------- fd input */

static void test_fd_pieces_match_memory(void **state)
{
    (void)state;
    /* every construct, cut at every place by pieces of 1..12 bytes */
    const char *in = "\xEF\xBB\xBF" "id,\"na,me\",note\r\n"
                     "\r\n"
                     "1,\"a \"\"q\"\" \\\" b\",x\r\n"
                     "# comment, \"not\" a record\n"
                     "2,\"multi\r\nline\n\",\r\n"
                     "\n"
                     "3,\"bad\"junk,y\n"
                     "4,\"cr\"\r\n"
                     "5,last";
    csv_opts o = opts(',', '"', '\\', '#');
    assert_same_all_ways(in, strlen(in), &o, 12);
    /* what it reads (so that "the same" means something) */
    assert_csv(in, &o,
               "L1|id|\"na,me|note\n"
               "L3|1|\"a \"q\" \" b|x\n"
               "L5|2|\"multi\\r\\nline\\n|\n"
               "L9!text after a closing quote|3|\"badjunk|y\n"
               "L10|4|\"cr\n"
               "L11|5|last\n");
    /* a blank CRLF line whose CR ends a piece */
    const char *crlf = "a\r\n\r\n\r\nb\r\n";
    assert_same_all_ways(crlf, strlen(crlf), NULL, 5);
    assert_csv(crlf, NULL, "L1|a\nL4|b\n");
    /* an unterminated quote read in pieces */
    const char *open = "x,\"never\nclosed \"\" here";
    assert_same_all_ways(open, strlen(open), NULL, 7);
    /* tab-separated, single-quoted */
    csv_opts tsv = opts('\t', '\'', 0, 0);
    const char *t = "a\t'b\tc'\t'it''s'\n'x\ny'\tz\n";
    assert_same_all_ways(t, strlen(t), &tsv, 6);
}

/* ---------------------------------------------------------------- offset, hash */

static void test_offset_progress(void **state)
{
    (void)state;
    const char *t = "ab,c\n\n\"d\ne\",f\ng";
    csv_reader *r = csv_open(-1, t, strlen(t), NULL);
    csv_record rec;
    assert_int_equal(csv_offset(r), 0);
    assert_int_equal(csv_next(r, &rec), 1);
    assert_int_equal(csv_offset(r), 5);
    assert_int_equal(csv_next(r, &rec), 1); /* the blank line went with it */
    assert_int_equal(rec.line, 3);
    assert_int_equal(csv_offset(r), 14);
    assert_int_equal(csv_next(r, &rec), 1);
    assert_int_equal(rec.line, 5);
    assert_int_equal(csv_offset(r), (int64_t)strlen(t));
    assert_int_equal(csv_next(r, &rec), 0);
    csv_close(r);
}

static void test_hash(void **state)
{
    (void)state;
    const char *a = "x,y\n1,2\n3,4\n";
    const char *b = "x,y\n1,2\n3,5\n";
    uint64_t ha = mem_hash(a, strlen(a)), hb = mem_hash(b, strlen(b));
    assert_true(ha != hb);
    assert_true(ha == mem_hash(a, strlen(a)));
    uint64_t hf = 0, hp = 0;
    free(dump_file(a, strlen(a), NULL, &hf));
    free(dump_pipe(a, strlen(a), NULL, 3, &hp));
    assert_true(hf == ha);
    assert_true(hp == ha);
    /* the hash is of the bytes, whatever the options read from them */
    csv_opts semi = opts(';', 0, 0, '#');
    csv_reader *r = csv_open(-1, a, strlen(a), &semi);
    csv_record rec;
    while (csv_next(r, &rec) == 1) {
    }
    assert_true(csv_hash(r) == ha);
    csv_close(r);
    /* a BOM is part of the content */
    const char *bom = "\xEF\xBB\xBF" "x,y\n1,2\n3,4\n";
    assert_true(mem_hash(bom, strlen(bom)) != ha);
    /* lengths that are not a multiple of the hash's 8-byte step */
    for (size_t n = 0; n < 20; n++) {
        const char *s = "abcdefghijklmnopqrstuvwxyz";
        uint64_t hm = mem_hash(s, n), h2 = 0;
        free(dump_pipe(s, n, NULL, 3, &h2));
        assert_true(hm == h2);
        if (n) assert_true(hm != mem_hash(s, n - 1));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_opts),
        cmocka_unit_test(test_simple_records),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_escape_char),
        cmocka_unit_test(test_other_delimiters_and_quotes),
        cmocka_unit_test(test_quoted_newlines_line_numbers),
        cmocka_unit_test(test_crlf),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_blank_and_comment_lines),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_text_after_closing_quote),
        cmocka_unit_test(test_record_larger_than_window),
        cmocka_unit_test(test_fd_pieces_match_memory),
        cmocka_unit_test(test_offset_progress),
        cmocka_unit_test(test_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
