/*
 * route_track.c - the lines already routed, by the column or row they run
 * along (see route_int.h), so that the router can ask in O(log k) whether a
 * stretch of a row or column is taken and where the next taken cell is.
 *
 * Each tracked line keeps its segments sorted by their first cell, with the
 * largest last cell of each prefix (maxb): the segments that can reach a
 * cell x are those before the first one starting past x, and a backward
 * scan stops as soon as the prefix cannot reach x. Adding a segment is
 * linear in its line's length (an insertion into a sorted array).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "route_int.h"

#define TRACKS_MAX (1L << 20) /* lines tracked at the most (a larger canvas is not) */

void dgr_tracks_init(tracks *t, int lo, int hi, int margin)
{
    long n = (long)hi - lo + 1 + 2L * margin;
    memset(t, 0, sizeof(*t));
    if (n <= 0 || n >= TRACKS_MAX) return;
    t->lo = lo - margin;
    t->n = (size_t)n;
    t->line = xcalloc(t->n, sizeof(segline));
}

void dgr_tracks_free(tracks *t)
{
    for (size_t k = 0; k < t->n; k++) VEC_FREE(&t->line[k]);
    free(t->line);
    memset(t, 0, sizeof(*t));
}

static const segline *line_at(const tracks *t, int at)
{
    long k = (long)at - t->lo;
    return k >= 0 && (size_t)k < t->n ? &t->line[k] : NULL;
}

/* Index of the first segment of l starting past x. */
static size_t first_past(const segline *l, int x)
{
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->v[mid].a <= x) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static void ascending(int *a, int *b)
{
    if (*a > *b) {
        int x = *a;
        *a = *b;
        *b = x;
    }
}

/* The prefix maxima of l from segment k on. */
static void fix_maxb(segline *l, size_t k)
{
    for (size_t i = k; i < l->n; i++) {
        int before = i ? l->v[i - 1].maxb : INT_MIN;
        l->v[i].maxb = l->v[i].b > before ? l->v[i].b : before;
    }
}

void dgr_track_add(tracks *t, int at, int a, int b, int src, int dst)
{
    segline *l = (segline *)line_at(t, at);
    if (!l) return;
    ascending(&a, &b);
    size_t k = first_past(l, a);
    VEC_PUSH(l, ((seg){0}));
    memmove(l->v + k + 1, l->v + k, (l->n - 1 - k) * sizeof(seg));
    l->v[k] = (seg){a, b, src, dst, 0};
    fix_maxb(l, k);
}

bool dgr_track_busy(const tracks *t, int at, int a, int b)
{
    ascending(&a, &b);
    const segline *l = line_at(t, at);
    if (!l || !l->n) return false;
    size_t k = first_past(l, b);        /* segments [0, k) start at or before b */
    return k > 0 && l->v[k - 1].maxb >= a;
}

static bool keyed_out(const seg *g, int src, int dst)
{
    return (src >= 0 && g->src == src) || (dst >= 0 && g->dst == dst);
}

int dgr_track_busy_from(const tracks *t, int at, int x, int src, int dst, bool last)
{
    const segline *l = line_at(t, at);
    if (!l || !l->n) return last ? INT_MIN : INT_MAX;
    size_t k = first_past(l, x);
    if (!last) {
        /* one starting at or before x that reaches x: x itself */
        for (size_t i = k; i-- > 0 && l->v[i].maxb >= x;)
            if (l->v[i].b >= x && !keyed_out(&l->v[i], src, dst)) return x;
        for (size_t i = k; i < l->n; i++) /* else the first to start past x */
            if (!keyed_out(&l->v[i], src, dst)) return l->v[i].a;
        return INT_MAX;
    }
    int best = INT_MIN;                 /* the last cell at or before x */
    for (size_t i = k; i-- > 0 && l->v[i].maxb > best;) {
        if (keyed_out(&l->v[i], src, dst)) continue;
        int end = l->v[i].b < x ? l->v[i].b : x;
        if (end > best) best = end;
        if (best == x) break;
    }
    return best;
}

void dgr_track_remove(tracks *t, int at, int a, int b, int src, int dst)
{
    segline *l = (segline *)line_at(t, at);
    if (!l) return;
    ascending(&a, &b);
    size_t k = first_past(l, a);
    while (k-- > 0 && l->v[k].a == a) {
        const seg *g = &l->v[k];
        if (g->b != b || g->src != src || g->dst != dst) continue;
        memmove(l->v + k, l->v + k + 1, (l->n - k - 1) * sizeof(seg));
        l->n--;
        fix_maxb(l, k);
        return;
    }
}

int dgr_track_shared(const tracks *t, int at, int a, int b, int src, int dst)
{
    ascending(&a, &b);
    const segline *l = line_at(t, at);
    if (!l || !l->n) return 0;
    int cells = 0;
    for (size_t i = first_past(l, b); i-- > 0 && l->v[i].maxb >= a;) {
        const seg *g = &l->v[i];
        if (g->b < a || keyed_out(g, src, dst)) continue;
        int lo = g->a > a ? g->a : a, hi = g->b < b ? g->b : b;
        cells += hi - lo + 1;
    }
    return cells;
}
