/*
 * fuzz_csv.c - fuzz target for the streaming CSV reader (engine/csv): the
 * first bytes of the input choose the options (delimiter, quote, escape,
 * comment) and how a file descriptor delivers the rest; the rest is the CSV.
 * Checked on every input: the reader ends, fields lie within their record's
 * text and never hold more bytes than the record took from the input, line
 * numbers increase and stay within the input's lines, malformed records say
 * why, offsets end at the input's length, and reading the same bytes from a
 * descriptor in pieces of any size gives the same records and hash as
 * reading them from memory.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* CHECK() is compiled out in optimized builds; fuzz checks must always run. */
#define CHECK(x) do { if (!(x)) abort(); } while (0)

#include "csv.h"
#include "util.h"

/* Every record, as text that tells records, fields and flags apart. */
static void dump(csv_reader *r, size_t len, size_t lines, sb *out)
{
    csv_record rec;
    int rc;
    int64_t prev_line = 0, prev_off = csv_offset(r);
    size_t count = 0;
    while ((rc = csv_next(r, &rec)) == 1) {
        CHECK(++count <= len + 1);            /* each record takes input */
        CHECK(rec.line > prev_line);
        CHECK(rec.line >= 1 && (size_t)rec.line <= lines);
        prev_line = rec.line;
        CHECK(rec.n >= 1);
        CHECK(rec.malformed == (rec.why != NULL));
        int64_t off = csv_offset(r);
        CHECK(off > prev_off && off <= (int64_t)len);
        size_t next = 0, bytes = 0;
        for (size_t i = 0; i < rec.n; i++) {  /* fields follow each other */
            CHECK(rec.f[i].off == next);
            next += rec.f[i].len;
            bytes += rec.f[i].len;
        }
        CHECK(bytes <= (size_t)(off - prev_off)); /* quotes go, nothing comes */
        prev_off = off;
        sb_addf(out, "%lld%c%zu:", (long long)rec.line, rec.malformed ? '!' : ' ', rec.n);
        for (size_t i = 0; i < rec.n; i++) {
            sb_addf(out, "%c%zu:", rec.f[i].quoted ? 'q' : 'u', rec.f[i].len);
            sb_addn(out, rec.text + rec.f[i].off, rec.f[i].len);
        }
        if (rec.malformed) sb_add(out, rec.why);
        sb_addc(out, '\n');
    }
    CHECK(rc == 0);
    CHECK(csv_offset(r) == (int64_t)len);
    CHECK(csv_next(r, &rec) == 0);            /* the end stays the end */
}

/* Writes the input as packets of varying sizes on a SOCK_SEQPACKET socket:
 * each read(2) of the reader returns exactly one packet, so the pieces are
 * the same on every run. */
typedef struct feeder {
    int fd;
    const char *data;
    size_t len;
    unsigned seed;
} feeder;

static void *feed(void *arg)
{
    feeder *f = arg;
    unsigned x = f->seed * 2654435761u + 1;
    for (size_t off = 0; off < f->len;) {
        x = x * 1103515245u + 12345u;
        size_t n = 1 + (x >> 16) % (1 + f->seed % 97);
        if (n > f->len - off) n = f->len - off;
        ssize_t w = write(f->fd, f->data + off, n);
        if (w <= 0) break;
        off += (size_t)w;
    }
    close(f->fd);
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char delims[] = {',', ';', '\t', '|', ' ', '"', '#', 'a'};
    static const char quotes[] = {'"', '\'', 0, '"', '|', ','};
    static const char escapes[] = {'\\', 0, '"', '\'', 'x'};
    static const char comments[] = {0, '#', ';', 0, '"', ','};
    csv_opts o = csv_default_opts();
    unsigned seed = 7;
    if (size >= 5) {
        o.delimiter = delims[data[0] % sizeof delims];
        o.quote = quotes[data[1] % sizeof quotes];
        o.escape = escapes[data[2] % sizeof escapes];
        o.comment = comments[data[3] % sizeof comments];
        seed = data[4];
        data += 5;
        size -= 5;
    }
    const char *text = (const char *)data;
    size_t lines = 1;
    for (size_t i = 0; i < size; i++) lines += text[i] == '\n';

    sb mem = {0}, fdin = {0};
    csv_reader *r = csv_open(-1, text, size, &o);
    dump(r, size, lines, &mem);
    uint64_t hash = csv_hash(r);
    csv_close(r);

    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
    feeder f = {sv[1], text, size, seed};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, feed, &f) == 0);
    r = csv_open(sv[0], NULL, 0, &o);
    dump(r, size, lines, &fdin);
    CHECK(csv_hash(r) == hash);
    csv_close(r);
    pthread_join(th, NULL);
    close(sv[0]);

    CHECK(mem.len == fdin.len && memcmp(sb_str(&mem), sb_str(&fdin), mem.len) == 0);
    sb_free(&mem);
    sb_free(&fdin);
    return 0;
}
