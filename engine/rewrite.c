/*
 * rewrite.c - text building with a map back to the source (see rewrite.h).
 */
#include "rewrite.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static void push(rewrite *w, size_t src, size_t len, bool copied)
{
    if (len == 0) return;
    if (copied && w->segs.n) {
        rw_seg *last = &w->segs.v[w->segs.n - 1];
        if (last->copied && last->src + last->len == src &&
            last->dst + last->len == w->out.len - len) {
            last->len += len;
            return;
        }
    }
    rw_seg s = {w->out.len - len, src, len, copied};
    VEC_PUSH(&w->segs, s);
}

void rw_copy(rewrite *w, const char *src, size_t off, size_t len)
{
    sb_addn(&w->out, src + off, len);
    push(w, off, len, true);
}

void rw_insert(rewrite *w, const char *text, size_t anchor)
{
    size_t n = strlen(text);
    sb_addn(&w->out, text, n);
    push(w, anchor, n, false);
}

size_t rw_map(const rewrite *w, size_t dst)
{
    if (!w->segs.n) return dst;
    /* binary search for the last segment starting at or before dst */
    size_t lo = 0, hi = w->segs.n;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (w->segs.v[mid].dst <= dst) lo = mid;
        else hi = mid;
    }
    const rw_seg *s = &w->segs.v[lo];
    if (dst < s->dst) return s->src;
    size_t k = dst - s->dst;
    if (!s->copied) return s->src;
    if (k > s->len) k = s->len;
    return s->src + k;
}

size_t rw_unmap(const rewrite *w, size_t src)
{
    for (size_t i = 0; i < w->segs.n; i++) {
        const rw_seg *s = &w->segs.v[i];
        if (s->copied && src >= s->src && src <= s->src + s->len)
            return s->dst + (src - s->src);
    }
    return (size_t)-1;
}

void rw_free(rewrite *w)
{
    sb_free(&w->out);
    VEC_FREE(&w->segs);
}

int rw_subst_params(rewrite *w, const char *text, size_t len, rw_lookup_fn lookup,
                    rw_missing_fn missing, void *ctx)
{
    int unknown = 0;
    size_t from = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (text[i] != '$' || text[i + 1] != '{') continue;
        size_t e = i + 2;
        while (e < len && (isalnum((unsigned char)text[e]) || text[e] == '_' ||
                           text[e] == '.' || text[e] == '-'))
            e++;
        if (e >= len || text[e] != '}' || e == i + 2) continue;
        char *name = xstrndup(text + i + 2, e - i - 2);
        const char *val = lookup(ctx, name);
        if (val) {
            rw_copy(w, text, from, i - from);
            rw_insert(w, val, i);
            from = e + 1;
        } else {
            unknown++;
            if (missing) missing(ctx, name, i);
        }
        free(name);
        i = e;
    }
    rw_copy(w, text, from, len - from);
    return unknown;
}
