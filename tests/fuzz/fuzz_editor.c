/*
 * fuzz_editor.c - fuzz target for what the editor does with a file's bytes:
 * the highlighter (editor/highlight) and the language service's text
 * functions (editor/langsvc: words, statements, completion). The first byte
 * picks the language, the second and third a position; the rest is the text.
 * Checked on every input: spans lie within their line, in order, without
 * overlapping; the highlight cache gives every line the state a scan from
 * the top gives, also after an edit (the text's lines rotated by one) that it
 * is told of; word and statement bounds lie within the text around the
 * position; completion replaces a range that ends at the position.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(x) do { if (!(x)) abort(); } while (0)

#include "highlight.h"
#include "langsvc.h"
#include "util.h"

typedef struct lines {
    const char *text;
    size_t *start, *len, n;
} lines;

static void split(lines *l, const char *text, size_t n)
{
    l->text = text;
    l->n = 1;
    for (size_t i = 0; i < n; i++) l->n += text[i] == '\n';
    l->start = xcalloc(l->n, sizeof(size_t));
    l->len = xcalloc(l->n, sizeof(size_t));
    size_t k = 0, s = 0;
    for (size_t i = 0; i <= n; i++)
        if (i == n || text[i] == '\n') {
            l->start[k] = s;
            l->len[k++] = i - s;
            s = i + 1;
        }
}

static const char *get_line(void *ctx, size_t i, size_t *len)
{
    lines *l = ctx;
    *len = l->len[i];
    return l->text + l->start[i];
}

/* The states lines start in, by scanning from the top; checks the spans. */
static hl_state *scan(hl_lang lang, lines *l)
{
    hl_state *st = xcalloc(l->n + 1, sizeof(hl_state));
    hl_span spans[64];
    for (size_t i = 0; i < l->n; i++) {
        int n = -1;
        st[i + 1] = hl_line(lang, st[i], l->text + l->start[i], l->len[i], spans, 64, &n);
        CHECK(n >= 0 && n <= 64);
        uint32_t end = 0;
        for (int k = 0; k < n; k++) {
            CHECK(spans[k].len > 0 && spans[k].start >= end);
            end = spans[k].start + spans[k].len;
            CHECK(end <= l->len[i]);
        }
    }
    return st;
}

static void check_cache(hl_cache *c, hl_lang lang, lines *l)
{
    hl_state *want = scan(lang, l);
    for (size_t i = 0; i <= l->n; i++) CHECK(hl_cache_state(c, i, get_line, l) == want[i]);
    free(want);
}

static void check_langsvc(const char *text, size_t len, size_t pos)
{
    size_t s = 0, e = 0;
    char *w = ls_word_at(text, len, pos, &s, &e);
    if (w) CHECK(s <= pos && pos <= e && e <= len && strlen(w) <= e - s);
    free(w);
    ls_statement_at(text, len, pos, &s, &e);
    CHECK(s <= e && e <= len);
    ls_model m = {0};
    ls_items items = {0};
    size_t from = pos + 1;
    ls_complete(&m, text, len, pos, &from, &items);
    CHECK(from <= pos);
    ls_items_free(&items);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    hl_lang lang = (hl_lang)(data[0] % 4);
    size_t n = size - 3;
    char *text = xstrndup((const char *)data + 3, n); /* NUL-free up to its length */
    n = strlen(text);
    size_t pos = n ? ((size_t)data[1] << 8 | data[2]) % (n + 1) : 0;
    lines l;
    split(&l, text, n);
    hl_cache *c = hl_cache_new(lang);
    hl_cache_edit(c, 0, 0, l.n);
    check_cache(c, lang, &l);
    /* an edit: the first line moved to the end */
    if (l.n > 1) {
        sb b = {0};
        sb_addn(&b, text + l.start[1], n - l.start[1]);
        sb_addc(&b, '\n');
        sb_addn(&b, text, l.len[0]);
        lines l2;
        split(&l2, b.s, b.len);
        hl_cache_edit(c, 0, 1, 0);
        hl_cache_edit(c, l2.n - 1, 0, 1);
        check_cache(c, lang, &l2);
        free(l2.start);
        free(l2.len);
        sb_free(&b);
    }
    hl_cache_free(c);
    check_langsvc(text, n, pos);
    free(l.start);
    free(l.len);
    free(text);
    return 0;
}
