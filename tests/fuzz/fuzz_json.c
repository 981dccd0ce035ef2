/*
 * fuzz_json.c - fuzz target for the JSON record reader (engine/jsonrd), the
 * first byte choosing how a file descriptor delivers the rest. Checked on
 * every input: the reader ends; each record read from memory lies within
 * the input, after the one before, so that the records' texts in order are
 * a subsequence of the input; line numbers never go back and stay within the
 * input's lines; malformed records say why; the offset ends at the input's
 * length; reading from a descriptor in pieces gives the same records and
 * hash. Then each record goes through cJSON as ingestion does.
 */
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* CHECK() is compiled out in optimized builds; fuzz checks must always run. */
#define CHECK(x) do { if (!(x)) abort(); } while (0)

#include "jsonrd.h"
#include "util.h"

/* Reads every record; in memory mode checks where each lies in the input. */
static void dump(json_reader *r, const char *in, size_t len, size_t lines, bool memory,
                 sb *out)
{
    jsr_record rec;
    int rc;
    int64_t prev_line = 1;
    const char *prev_end = in;
    size_t count = 0;
    while ((rc = jsr_next(r, &rec)) == 1) {
        CHECK(++count <= 2 * len + 2);       /* the reader moves on */
        CHECK(rec.line >= prev_line);
        CHECK(rec.line >= 1 && (size_t)rec.line <= lines);
        prev_line = rec.line;
        CHECK(rec.malformed == (rec.why != NULL));
        CHECK(jsr_offset(r) <= (int64_t)len);
        if (memory && rec.len) {
            CHECK(rec.text >= prev_end && rec.text + rec.len <= in + len);
            prev_end = rec.text + rec.len;
        }
        sb_addf(out, "%lld%c%zu:", (long long)rec.line, rec.malformed ? '!' : ' ', rec.len);
        sb_addn(out, rec.text, rec.len);
        if (rec.malformed) sb_add(out, rec.why);
        sb_addc(out, '\n');

        /* as ingestion reads it */
        cJSON *x = rec.malformed ? NULL : cJSON_ParseWithLength(rec.text, rec.len);
        if (cJSON_IsObject(x)) {
            for (const cJSON *kv = x->child; kv; kv = kv->next) {
                CHECK(kv->string != NULL);
                char *s = cJSON_PrintUnformatted(kv);
                CHECK(s != NULL);
                cJSON *again = cJSON_Parse(s);
                CHECK(again != NULL);
                cJSON_Delete(again);
                free(s);
            }
        }
        cJSON_Delete(x);
    }
    CHECK(rc == 0);
    CHECK(jsr_offset(r) == (int64_t)len);
    CHECK(jsr_next(r, &rec) == 0);
}

typedef struct feeder {
    int fd;
    const char *data;
    size_t len;
    unsigned seed;
} feeder;

/* Packets of varying sizes on a SOCK_SEQPACKET socket: one per read(2). */
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

/* true when the records' texts (in sb form: "line flag len:text...\n") are,
 * concatenated, a subsequence of in. */
static bool texts_in_order(const char *in, size_t len, json_reader *r)
{
    jsr_record rec;
    size_t at = 0;
    while (jsr_next(r, &rec) == 1) {
        for (size_t i = 0; i < rec.len; i++) {
            while (at < len && in[at] != rec.text[i]) at++;
            if (at == len) return false;
            at++;
        }
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned seed = 5;
    if (size >= 1) {
        seed = data[0];
        data++;
        size--;
    }
    const char *in = (const char *)data;
    size_t lines = 1;
    for (size_t i = 0; i < size; i++) lines += in[i] == '\n';

    sb mem = {0}, fdin = {0};
    json_reader *r = jsr_open(-1, in, size);
    dump(r, in, size, lines, true, &mem);
    uint64_t hash = jsr_hash(r);
    jsr_close(r);

    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
    feeder f = {sv[1], in, size, seed};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, feed, &f) == 0);
    r = jsr_open(sv[0], NULL, 0);
    dump(r, in, size, lines, false, &fdin);
    CHECK(jsr_hash(r) == hash);
    jsr_close(r);
    pthread_join(th, NULL);
    close(sv[0]);
    CHECK(mem.len == fdin.len && memcmp(sb_str(&mem), sb_str(&fdin), mem.len) == 0);

    /* the same through a second pass over a file-like source: the texts are
     * a subsequence of the input */
    CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
    feeder g = {sv[1], in, size, seed + 31};
    CHECK(pthread_create(&th, NULL, feed, &g) == 0);
    r = jsr_open(sv[0], NULL, 0);
    CHECK(texts_in_order(in, size, r));
    jsr_close(r);
    pthread_join(th, NULL);
    close(sv[0]);

    sb_free(&mem);
    sb_free(&fdin);
    return 0;
}
