/*
 * route_untangle.c - the edge router's last pass (see route.c). Edges into
 * one box get its input rows in the order of the rows they leave their
 * sources on, which is the wrong order when one of them comes round from
 * the other side (a long edge along a lane above the others): their routes
 * then run along each other or cross just before the box. Each such pair
 * is routed again with its two rows swapped, and the better of the two
 * ways is kept: fewer cells along other lines first, then fewer crossings.
 */
#include <stdlib.h>
#include <string.h>

#include "route_int.h"

/* Cells of route rt (of edge e) that lines noted now run along. */
static int shared_with_noted(router *r, const dg_edge *e, const dg_route *rt)
{
    int cells = 0;
    for (size_t k = 0; k + 1 < rt->n; k++) {
        dg_point p = rt->pts[k], q = rt->pts[k + 1];
        int src, dst;
        dgr_seg_keys(e, k, rt->n, p.x == q.x, &src, &dst);
        if (p.x == q.x) cells += dgr_track_shared(&r->cols, p.x, p.y, q.y, src, dst);
        else cells += dgr_track_shared(&r->rows, p.y, p.x, q.x, src, dst);
    }
    return cells;
}

/* The cost of routes a and b of edges i and j, neither of them noted:
 * cells along other lines (b's counted with a noted), then crossings. */
static long pair_cost(router *r, size_t i, size_t j, const dg_route *a, const dg_route *b)
{
    long shared = shared_with_noted(r, &r->edges[i], a);
    dgr_note_route(r, &r->edges[i], a->pts, a->n, true);
    shared += shared_with_noted(r, &r->edges[j], b);
    dgr_note_route(r, &r->edges[i], a->pts, a->n, false);
    return shared * 1000 + (long)dgr_pair_crossings(a, b);
}

/* Routes edge e again (its rows as they are now) into out, noted. */
static void reroute(router *r, size_t e, dg_route *out)
{
    if (!dgr_route_edge(r, e, true)) dgr_route_edge(r, e, false);
    dgr_emit(r, e, out);
}

/* The last three points of r (its way into the box), or all of a shorter
 * one. */
static dg_route tail(const dg_route *r)
{
    size_t n = r->n < 3 ? r->n : 3;
    return (dg_route){r->pts + r->n - n, n};
}

/* true when routes a and b have a cell in common, or cross on their way
 * into the box (crossings further off are rarely the rows' doing). */
static bool tangled(const dg_route *a, const dg_route *b)
{
    dg_route ta = tail(a), tb = tail(b);
    if (dgr_pair_crossings(&ta, &tb)) return true;
    for (size_t k = 0; k + 1 < a->n; k++)
        for (size_t l = 0; l + 1 < b->n; l++) {
            dg_point p0 = a->pts[k], p1 = a->pts[k + 1], q0 = b->pts[l], q1 = b->pts[l + 1];
            bool ph = p0.y == p1.y, qh = q0.y == q1.y;
            if (ph != qh || (ph ? p0.y != q0.y : p0.x != q0.x)) continue;
            int pa = ph ? p0.x : p0.y, pb = ph ? p1.x : p1.y, qa = ph ? q0.x : q0.y,
                qb = ph ? q1.x : q1.y;
            int lo = (pa < pb ? pa : pb) > (qa < qb ? qa : qb) ? (pa < pb ? pa : pb) : (qa < qb ? qa : qb);
            int hi = (pa > pb ? pa : pb) < (qa > qb ? qa : qb) ? (pa > pb ? pa : pb) : (qa > qb ? qa : qb);
            if (lo <= hi) return true;
        }
    return false;
}

/* Tries edges i and j (into one box) with their input rows swapped. */
static void try_swap(router *r, size_t i, size_t j, dg_route *routes)
{
    if (r->dst_row[i] == r->dst_row[j] || !tangled(&routes[i], &routes[j])) return;
    dgr_note_route(r, &r->edges[i], routes[i].pts, routes[i].n, false);
    dgr_note_route(r, &r->edges[j], routes[j].pts, routes[j].n, false);
    long before = pair_cost(r, i, j, &routes[i], &routes[j]);
    int t = r->dst_row[i];
    r->dst_row[i] = r->dst_row[j];
    r->dst_row[j] = t;
    dg_route a, b;
    reroute(r, i, &a);
    reroute(r, j, &b);
    dgr_note_route(r, &r->edges[i], a.pts, a.n, false);
    dgr_note_route(r, &r->edges[j], b.pts, b.n, false);
    bool better = pair_cost(r, i, j, &a, &b) < before;
    if (better) {
        free(routes[i].pts);
        free(routes[j].pts);
        routes[i] = a;
        routes[j] = b;
    } else {
        free(a.pts);
        free(b.pts);
        r->dst_row[j] = r->dst_row[i];
        r->dst_row[i] = t;
    }
    dgr_note_route(r, &r->edges[i], routes[i].pts, routes[i].n, true);
    dgr_note_route(r, &r->edges[j], routes[j].pts, routes[j].n, true);
}

static const router *sort_router;

static int cmp_by_target(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    int tx = sort_router->edges[x].to, ty = sort_router->edges[y].to;
    if (tx != ty) return tx < ty ? -1 : 1;
    return (x > y) - (x < y);
}

void dgr_untangle_inputs(router *r, const bool *redo, dg_route *routes)
{
    int *es = xmalloc((r->m + 1) * sizeof(int));
    size_t k = 0;
    for (size_t e = 0; e < r->m; e++)
        if (dgr_edge_ok(r, e) && (!redo || redo[e]) && routes[e].n) es[k++] = (int)e;
    sort_router = r;
    qsort(es, k, sizeof(int), cmp_by_target);
    for (size_t a = 0; a < k;) {
        size_t b = a;
        while (b < k && r->edges[es[b]].to == r->edges[es[a]].to) b++;
        for (size_t i = a; i < b; i++)
            for (size_t j = i + 1; j < b; j++) try_swap(r, (size_t)es[i], (size_t)es[j], routes);
        a = b;
    }
    free(es);
}
