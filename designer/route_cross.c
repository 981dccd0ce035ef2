/*
 * route_cross.c - where the designer's edge routes cross (see layout.h): a
 * sweep over the horizontal and vertical segments of every route.
 */
#include <stdlib.h>
#include <string.h>

#include "route_int.h"

/* ======================= crossings ======================= */

typedef struct sweep_ev {
    int x, kind;         /* kind 0: a horizontal starts (+1) or ends (-1); 1: a vertical */
    int a, b;            /* 0: index of its row, +1 or -1; 1: its rows (a, b) exclusive */
} sweep_ev;

static int cmp_sweep_ev(const void *p, const void *q)
{
    const sweep_ev *a = p, *b = q;
    if (a->x != b->x) return a->x < b->x ? -1 : 1;
    return (a->kind > b->kind) - (a->kind < b->kind);
}

static int cmp_int(const void *p, const void *q)
{
    int a = *(const int *)p, b = *(const int *)q;
    return (a > b) - (a < b);
}

/* Index of the first of ys[0..n) >= y. */
static size_t lower_int(const int *ys, size_t n, int y)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ys[mid] < y) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* true when segment p0-p1 (horizontal) and q0-q1 (vertical) cross inside both. */
static bool seg_cross(dg_point p0, dg_point p1, dg_point q0, dg_point q1)
{
    if (p0.y != p1.y || q0.x != q1.x || p0.x == p1.x || q0.y == q1.y) return false;
    int xa = p0.x < p1.x ? p0.x : p1.x, xb = p0.x < p1.x ? p1.x : p0.x;
    int ya = q0.y < q1.y ? q0.y : q1.y, yb = q0.y < q1.y ? q1.y : q0.y;
    return xa < q0.x && q0.x < xb && ya < p0.y && p0.y < yb;
}

size_t dgr_pair_crossings(const dg_route *a, const dg_route *b)
{
    size_t c = 0;
    for (size_t i = 0; i + 1 < a->n; i++)
        for (size_t j = 0; j + 1 < b->n; j++)
            c += seg_cross(a->pts[i], a->pts[i + 1], b->pts[j], b->pts[j + 1]) +
                 seg_cross(b->pts[j], b->pts[j + 1], a->pts[i], a->pts[i + 1]);
    return c;
}

/* Crossings of a route with itself (the sweep counts those too). */
static size_t self_crossings(const dg_route *r)
{
    size_t c = 0;
    for (size_t i = 0; i + 1 < r->n; i++)
        for (size_t j = 0; j + 1 < r->n; j++)
            c += seg_cross(r->pts[i], r->pts[i + 1], r->pts[j], r->pts[j + 1]);
    return c;
}

/* A sweep left to right: horizontal interiors enter and leave a Fenwick
 * tree over their rows; each vertical counts those strictly within its rows. */
size_t dg_route_crossings(const dg_route *routes, size_t m)
{
    VEC(sweep_ev) ev = {0};
    VEC(int) ys = {0};
    size_t self = 0;
    for (size_t i = 0; i < m; i++) {
        const dg_route *r = &routes[i];
        self += self_crossings(r);
        for (size_t k = 0; k + 1 < r->n; k++) {
            dg_point p = r->pts[k], q = r->pts[k + 1];
            if (p.y == q.y && abs(p.x - q.x) >= 2) VEC_PUSH(&ys, p.y);
        }
    }
    if (ys.n) qsort(ys.v, ys.n, sizeof(int), cmp_int);
    for (size_t i = 0; i < m; i++) {
        const dg_route *r = &routes[i];
        for (size_t k = 0; k + 1 < r->n; k++) {
            dg_point p = r->pts[k], q = r->pts[k + 1];
            if (p.y == q.y && abs(p.x - q.x) >= 2) {
                int a = p.x < q.x ? p.x : q.x, b = p.x < q.x ? q.x : p.x;
                int row = (int)lower_int(ys.v, ys.n, p.y);
                VEC_PUSH(&ev, ((sweep_ev){a + 1, 0, row, 1}));
                VEC_PUSH(&ev, ((sweep_ev){b, 0, row, -1}));
            } else if (p.x == q.x && abs(p.y - q.y) >= 2) {
                VEC_PUSH(&ev, ((sweep_ev){p.x, 1, p.y < q.y ? p.y : q.y, p.y < q.y ? q.y : p.y}));
            }
        }
    }
    if (ev.n) qsort(ev.v, ev.n, sizeof(sweep_ev), cmp_sweep_ev);
    long *tree = xcalloc(ys.n + 1, sizeof(long));
    size_t total = 0;
    for (size_t i = 0; i < ev.n; i++) {
        const sweep_ev *e = &ev.v[i];
        if (e->kind == 0) {
            for (size_t j = (size_t)e->a + 1; j <= ys.n; j += j & -j) tree[j] += e->b;
            continue;
        }
        size_t lo = lower_int(ys.v, ys.n, e->a + 1), hi = lower_int(ys.v, ys.n, e->b);
        long c = 0;                    /* rows in [lo, hi) */
        for (size_t j = hi; j > 0; j -= j & -j) c += tree[j];
        for (size_t j = lo; j > 0; j -= j & -j) c -= tree[j];
        total += (size_t)c;
    }
    free(tree);
    VEC_FREE(&ev);
    VEC_FREE(&ys);
    return total - self;
}
