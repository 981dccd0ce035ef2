/*
 * fuzz_sql.c - fuzz target for the pipeline SQL front end: ${param}
 * substitution, the tokenizer, the dialect parser and the reference scanner,
 * with the invariants they promise checked on every input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* CHECK() is compiled out in optimized builds; fuzz checks must always run. */
#define CHECK(x) do { if (!(x)) abort(); } while (0)

#include "lex.h"
#include "rewrite.h"
#include "sqlparse.h"

static const char *lookup(void *ctx, const char *name)
{
    (void)ctx;
    return strcmp(name, "p") == 0 ? "x${p}y" : NULL;
}

static void on_error(void *ctx, size_t off, const char *msg)
{
    size_t len = *(size_t *)ctx;
    CHECK(off <= len);
    CHECK(msg && *msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;

    rewrite w = {0};
    rw_subst_params(&w, text, size, lookup, NULL, NULL);
    const char *sub = sb_str(&w.out);
    size_t len = w.out.len;
    for (size_t i = 0; i <= len; i += 7) CHECK(rw_map(&w, i) <= size);

    tokvec toks = {0};
    lex_all(sub, len, true, &toks, NULL);
    size_t prev = 0;
    for (size_t i = 0; i < toks.n; i++) {
        CHECK(toks.v[i].off >= prev);
        CHECK(toks.v[i].off + toks.v[i].len <= len);
        prev = toks.v[i].off + toks.v[i].len;
    }
    VEC_FREE(&toks);

    sql_stmtvec stmts = {0};
    strvec broken = {0};
    sql_parse(sub, len, &stmts, &broken, on_error, &len);
    for (size_t i = 0; i < stmts.n; i++) {
        const sql_stmt *s = &stmts.v[i];
        CHECK(s->span_off + s->span_len <= len);
        CHECK(s->name != NULL);
        if (s->has_query) CHECK(s->query_off + s->query_len <= len);
        for (size_t r = 0; r < s->refs.n; r++) {
            CHECK(s->refs.v[r].off < s->refs.v[r].end);
            CHECK(s->refs.v[r].end <= len);
        }
    }
    sql_stmts_free(&stmts);
    strvec_free(&broken);
    rw_free(&w);
    free(text);
    return 0;
}
