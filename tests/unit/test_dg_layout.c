/*
 * test_dg_layout.c - unit tests for designer/layout.c and designer/route.c:
 * the layered layout (no overlaps on chains, diamonds, fans, disconnected
 * parts, cycles and random graphs; layers growing along edges; barycenter
 * ordering; fixed boxes kept and avoided), placing one new box, and edge
 * routes (ends exactly at the box sides, orthogonal, never through a box,
 * detours, backward edges, re-routing after a move, the crossing count,
 * lines kept apart).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "testsupport.h"
#include "util.h"

/* ---------------------------------------------------------------- helpers */

typedef VEC(dg_edge) edgevec;

/* n boxes of height h (h <= 0: heights from 4 to 12, as the detailed zoom
 * has), widths varying between 20 and 34, not yet placed. */
static dg_box *new_boxes(size_t n, int h)
{
    dg_box *b = xcalloc(n + 1, sizeof(dg_box));
    for (size_t i = 0; i < n; i++)
        b[i] = (dg_box){-100, -100, 20 + (int)(i * 7 % 15), h > 0 ? h : 4 + (int)(i * 5 % 9), false};
    return b;
}

static void add(edgevec *ev, int from, int to)
{
    dg_edge e = {from, to};
    VEC_PUSH(ev, e);
}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A pipeline-like DAG: a few sources, then nodes reading 1-3 earlier ones
 * (mostly recent ones). */
static void random_dag(edgevec *ev, size_t n, uint64_t seed)
{
    uint64_t s = seed * 2654435761u + 1;
    size_t sources = n / 10 + 1;
    for (size_t i = sources; i < n; i++) {
        int k = 1 + (int)(rng_next(&s) % 3);
        for (int j = 0; j < k; j++) {
            size_t back = 1 + rng_next(&s) % (rng_next(&s) % 4 ? 20 : i);
            int from = (int)(i - (back > i ? i : back));
            bool dup = false;
            for (size_t q = 0; q < ev->n; q++)
                dup |= ev->v[q].from == from && ev->v[q].to == (int)i;
            if (!dup) add(ev, from, (int)i);
        }
    }
}

/* Random edges in any direction (cycles, self-loops, repeats). */
static void random_digraph(edgevec *ev, size_t n, size_t m, uint64_t seed)
{
    uint64_t s = seed * 977 + 3;
    for (size_t e = 0; e < m; e++) add(ev, (int)(rng_next(&s) % n), (int)(rng_next(&s) % n));
}

static void assert_no_overlap(const dg_box *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (b[i].x < 0 || b[i].y < 0) fail_msg("box %zu not placed (%d,%d)", i, b[i].x, b[i].y);
        for (size_t j = i + 1; j < n; j++)
            if (dg_overlap(&b[i], &b[j]))
                fail_msg("boxes %zu (%d,%d %dx%d) and %zu (%d,%d %dx%d) overlap", i, b[i].x, b[i].y,
                         b[i].w, b[i].h, j, b[j].x, b[j].y, b[j].w, b[j].h);
    }
}

/* Straight-line crossings between adjacent layers (layers told by x), the
 * way dg_layout counts them, by brute force. */
static int brute_crossings(const dg_box *b, const dg_edge *e, size_t m)
{
    int *xs = xmalloc((m + 1) * sizeof(int)), nx = 0, c = 0;
    bool *adjacent = xcalloc(m + 1, sizeof(bool));
    for (size_t i = 0; i < m; i++) {
        int k = 0;
        while (k < nx && xs[k] != b[e[i].to].x) k++;
        if (k == nx) xs[nx++] = b[e[i].to].x;
    }
    for (size_t i = 0; i < m; i++) {   /* no layer strictly between its ends */
        int x0 = b[e[i].from].x, x1 = b[e[i].to].x;
        adjacent[i] = x1 > x0;
        for (int k = 0; k < nx && adjacent[i]; k++) adjacent[i] = !(xs[k] > x0 && xs[k] < x1);
    }
    for (size_t i = 0; i < m; i++)
        for (size_t j = i + 1; j < m && adjacent[i]; j++) {
            const dg_box *a1 = &b[e[i].from], *a2 = &b[e[i].to];
            const dg_box *b1 = &b[e[j].from], *b2 = &b[e[j].to];
            if (!adjacent[j] || a1->x != b1->x || a2->x != b2->x || a1 == b1 || a2 == b2) continue;
            if ((a1->y < b1->y) != (a2->y < b2->y)) c++;
        }
    free(xs);
    free(adjacent);
    return c;
}

/* The canvas cells covered by boxes, to test routes against. */
typedef struct grid {
    int x0, y0, w, h;
    unsigned char *v;
} grid;

static grid grid_of(const dg_box *b, size_t n)
{
    grid g = {0, 0, 1, 1, NULL};
    int x1 = 0, y1 = 0;
    for (size_t i = 0; i < n; i++) {
        if (b[i].x + b[i].w > x1) x1 = b[i].x + b[i].w;
        if (b[i].y + b[i].h > y1) y1 = b[i].y + b[i].h;
    }
    g.w = x1 + 1;
    g.h = y1 + 1;
    g.v = xcalloc((size_t)g.w * (size_t)g.h, 1);
    for (size_t i = 0; i < n; i++)
        for (int y = b[i].y; y < b[i].y + b[i].h; y++)
            for (int x = b[i].x; x < b[i].x + b[i].w; x++)
                g.v[(size_t)y * (size_t)g.w + (size_t)x] = 1;
    return g;
}

static bool grid_blocked(const grid *g, int x, int y)
{
    return x >= 0 && y >= 0 && x < g->w && y < g->h && g->v[(size_t)y * (size_t)g->w + (size_t)x];
}

/* Route e: ends on the box sides, segments orthogonal, no cell in a box. */
static void check_route(const grid *g, const dg_box *b, const dg_edge *edge, const dg_route *r,
                        size_t e)
{
    const dg_box *s = &b[edge->from], *t = &b[edge->to];
    if (r->n < 2) fail_msg("edge %zu: route of %zu points", e, r->n);
    dg_point p0 = r->pts[0], pn = r->pts[r->n - 1];
    if (p0.x != s->x + s->w || p0.y < s->y || p0.y >= s->y + s->h)
        fail_msg("edge %zu: starts at (%d,%d), source box (%d,%d %dx%d)", e, p0.x, p0.y, s->x, s->y,
                 s->w, s->h);
    if (pn.x != t->x - 1 || pn.y < t->y || pn.y >= t->y + t->h)
        fail_msg("edge %zu: ends at (%d,%d), target box (%d,%d %dx%d)", e, pn.x, pn.y, t->x, t->y,
                 t->w, t->h);
    for (size_t k = 0; k + 1 < r->n; k++) {
        dg_point a = r->pts[k], c = r->pts[k + 1];
        if (a.x != c.x && a.y != c.y) fail_msg("edge %zu: diagonal segment %zu", e, k);
        int dx = (c.x > a.x) - (c.x < a.x), dy = (c.y > a.y) - (c.y < a.y);
        for (dg_point p = a;; p.x += dx, p.y += dy) {
            if (grid_blocked(g, p.x, p.y))
                fail_msg("edge %zu: cell (%d,%d) inside a box", e, p.x, p.y);
            if (p.x == c.x && p.y == c.y) break;
        }
    }
}

static void check_routes(const dg_box *b, size_t n, const dg_edge *e, size_t m, const dg_route *r)
{
    grid g = grid_of(b, n);
    for (size_t i = 0; i < m; i++) check_route(&g, b, &e[i], &r[i], i);
    free(g.v);
}

/* Cells two routes both run along the same way (a horizontal on a
 * horizontal, a vertical on a vertical), but for routes sharing a port
 * (same source and first row, or same target and last row). */
static int shared_cells(const dg_edge *e, const dg_route *r, size_t m)
{
    int n = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = i + 1; j < m; j++) {
            bool port = (e[i].from == e[j].from && r[i].pts[0].y == r[j].pts[0].y) ||
                        (e[i].to == e[j].to && r[i].pts[r[i].n - 1].y == r[j].pts[r[j].n - 1].y);
            for (size_t a = 0; a + 1 < r[i].n && !port; a++)
                for (size_t b = 0; b + 1 < r[j].n; b++) {
                    dg_point p0 = r[i].pts[a], p1 = r[i].pts[a + 1];
                    dg_point q0 = r[j].pts[b], q1 = r[j].pts[b + 1];
                    bool ph = p0.y == p1.y, qh = q0.y == q1.y;
                    if (ph != qh || (ph ? p0.y != q0.y : p0.x != q0.x)) continue;
                    int pa = ph ? p0.x : p0.y, pb = ph ? p1.x : p1.y;
                    int qa = ph ? q0.x : q0.y, qb = ph ? q1.x : q1.y;
                    int lo = (pa < pb ? pa : pb) > (qa < qb ? qa : qb) ? (pa < pb ? pa : pb)
                                                                       : (qa < qb ? qa : qb);
                    int hi = (pa > pb ? pa : pb) < (qa > qb ? qa : qb) ? (pa > pb ? pa : pb)
                                                                       : (qa > qb ? qa : qb);
                    if (lo <= hi) n += hi - lo + 1;
                }
        }
    return n;
}

static dg_route *route_all(const dg_box *b, size_t n, const dg_edge *e, size_t m)
{
    dg_route *r = xcalloc(m + 1, sizeof(dg_route));
    dg_route_edges(b, n, e, m, r);
    return r;
}

/* ------------------------------------------------------------ layout */

static void test_overlap(void **state)
{
    dg_box a = {10, 10, 10, 4, false};
    dg_box b = a;
    assert_true(dg_overlap(&a, &b));
    b.x = 20;                                   /* touching on the right */
    assert_true(dg_overlap(&a, &b));
    b.x = 21;                                   /* one free column between */
    assert_false(dg_overlap(&a, &b));
    assert_false(dg_overlap(&b, &a));
    b = a;
    b.y = 14;                                   /* touching below */
    assert_true(dg_overlap(&a, &b));
    b.y = 15;
    assert_false(dg_overlap(&a, &b));
    b = (dg_box){20, 14, 5, 5, false};          /* corner to corner */
    assert_true(dg_overlap(&a, &b));
    b = (dg_box){0, 0, 5, 30, false};           /* far left, tall */
    assert_false(dg_overlap(&a, &b));
}

static void test_chain(void **state)
{
    size_t n = 12;
    dg_box *b = new_boxes(n, 4);
    edgevec ev = {0};
    for (size_t i = 0; i + 1 < n; i++) add(&ev, (int)i, (int)i + 1);
    assert_int_equal(dg_layout(b, n, ev.v, ev.n, NULL), 0);
    assert_no_overlap(b, n);
    for (size_t i = 0; i + 1 < n; i++) {
        assert_int_equal(b[i + 1].x, b[i].x + b[i].w + 8);  /* default gap_x, one box a layer */
        assert_int_equal(b[i + 1].y, b[i].y);                /* level: a straight line */
    }
    dg_route *r = route_all(b, n, ev.v, ev.n);
    check_routes(b, n, ev.v, ev.n, r);
    for (size_t i = 0; i < ev.n; i++) assert_int_equal(r[i].n, 2);
    assert_int_equal(dg_route_crossings(r, ev.n), 0);
    dg_routes_free(r, ev.n);
    VEC_FREE(&ev);
    free(b);
}

static void test_diamond(void **state)
{
    dg_box *b = new_boxes(4, 4);
    edgevec ev = {0};
    add(&ev, 0, 1);
    add(&ev, 0, 2);
    add(&ev, 1, 3);
    add(&ev, 2, 3);
    dg_layout_opts o = {6, 2};
    assert_int_equal(dg_layout(b, 4, ev.v, ev.n, &o), 0);
    assert_no_overlap(b, 4);
    assert_int_equal(b[1].x, b[2].x);
    assert_int_equal(b[1].x, b[0].x + b[0].w + 6);
    int widest = b[1].w > b[2].w ? b[1].w : b[2].w;
    assert_int_equal(b[3].x, b[1].x + widest + 6);
    int top = b[1].y < b[2].y ? 1 : 2, bottom = 3 - top;
    assert_int_equal(b[bottom].y, b[top].y + b[top].h + 2);   /* gap_y rows between */
    dg_route *r = route_all(b, 4, ev.v, ev.n);
    check_routes(b, 4, ev.v, ev.n, r);
    /* the two edges into 3 enter on different rows; those out of 0 leave
     * from its output port, on its first inner row */
    assert_int_not_equal(r[2].pts[r[2].n - 1].y, r[3].pts[r[3].n - 1].y);
    assert_int_equal(r[0].pts[0].y, b[0].y + 1);
    assert_int_equal(r[1].pts[0].y, b[0].y + 1);
    assert_int_equal(dg_route_crossings(r, ev.n), 0);
    dg_routes_free(r, ev.n);
    VEC_FREE(&ev);
    free(b);
}

static void test_fans(void **state)
{
    size_t n = 62;                 /* 0 -> 1..30 -> 31; 32..61 -> 31 */
    dg_box *b = new_boxes(n, 4);
    edgevec ev = {0};
    for (int i = 1; i <= 30; i++) {
        add(&ev, 0, i);
        add(&ev, i, 31);
        add(&ev, 31 + i, 31);
    }
    dg_layout(b, n, ev.v, ev.n, NULL);
    assert_no_overlap(b, n);
    for (int i = 1; i <= 30; i++) {
        assert_int_equal(b[i].x, b[1].x);
        assert_true(b[i].x > b[0].x);
        assert_true(b[31].x > b[i].x);
        assert_true(b[31].x > b[31 + i].x);
    }
    dg_route *r = route_all(b, n, ev.v, ev.n);
    check_routes(b, n, ev.v, ev.n, r);
    dg_routes_free(r, ev.n);
    VEC_FREE(&ev);
    free(b);
}

static void test_disconnected(void **state)
{
    size_t n = 20;
    dg_box *b = new_boxes(n, 4);
    edgevec ev = {0};
    for (int i = 0; i < 5; i++) add(&ev, i, i + 1);       /* a chain */
    add(&ev, 7, 8);                                        /* a pair */
    add(&ev, 10, 9);                                       /* backwards by index */
    for (int i = 12; i < 16; i++) add(&ev, 11, i);         /* a fan; 16..19 alone */
    dg_layout(b, n, ev.v, ev.n, NULL);
    assert_no_overlap(b, n);
    for (size_t e = 0; e < ev.n; e++) assert_true(b[ev.v[e].to].x > b[ev.v[e].from].x);
    dg_route *r = route_all(b, n, ev.v, ev.n);
    check_routes(b, n, ev.v, ev.n, r);
    dg_routes_free(r, ev.n);
    VEC_FREE(&ev);
    free(b);
}

static void test_cycles(void **state)
{
    size_t n = 9;
    dg_box *b = new_boxes(n, 4);
    edgevec ev = {0};
    add(&ev, 0, 1);                /* 0 -> 1 -> 2 -> 0 */
    add(&ev, 1, 2);
    add(&ev, 2, 0);
    add(&ev, 3, 3);                /* a loop on one box */
    add(&ev, 4, 5);                /* 4 <-> 5, twice */
    add(&ev, 5, 4);
    add(&ev, 4, 5);
    add(&ev, 6, 7);                /* a source into a cycle 7 -> 8 -> 7 */
    add(&ev, 7, 8);
    add(&ev, 8, 7);
    dg_layout(b, n, ev.v, ev.n, NULL);
    assert_no_overlap(b, n);
    assert_true(b[7].x > b[6].x);
    dg_route *r = route_all(b, n, ev.v, ev.n);
    check_routes(b, n, ev.v, ev.n, r);      /* backward edges and the loop too */
    dg_routes_free(r, ev.n);
    VEC_FREE(&ev);
    free(b);
}

static void test_random_dags(void **state)
{
    static const size_t sizes[] = {5, 30, 200, 1000};
    for (size_t k = 0; k < ARRAY_LEN(sizes); k++)
        for (uint64_t seed = 1; seed <= (sizes[k] >= 1000 ? 2u : 5u); seed++) {
            size_t n = sizes[k];
            dg_box *b = new_boxes(n, seed % 3 == 0 ? 0 : seed % 3 == 1 ? 4 : 7);
            edgevec ev = {0};
            random_dag(&ev, n, seed);
            int crossings = dg_layout(b, n, ev.v, ev.n, NULL);
            assert_no_overlap(b, n);
            for (size_t e = 0; e < ev.n; e++)
                if (b[ev.v[e].to].x <= b[ev.v[e].from].x)
                    fail_msg("n=%zu seed=%d: edge %d->%d does not go right", n, (int)seed,
                             ev.v[e].from, ev.v[e].to);
            /* long edges' crossings are counted too (through their lanes) */
            assert_true(crossings >= brute_crossings(b, ev.v, ev.n));
            dg_route *r = route_all(b, n, ev.v, ev.n);
            check_routes(b, n, ev.v, ev.n, r);
            dg_routes_free(r, ev.n);
            VEC_FREE(&ev);
            free(b);
        }
}

/* A graph whose every edge goes to the next layer: the count is exactly
 * the crossings of the straight lines between the boxes. */
static void test_layered_count_exact(void **state)
{
    for (uint64_t seed = 1; seed <= 8; seed++) {
        uint64_t s = seed * 7919;
        size_t n = 0, prev0 = 0, prev1 = 0;
        edgevec ev = {0};
        for (int layer = 0; layer < 6; layer++) {
            size_t size = 2 + rng_next(&s) % 5, first = n;
            for (size_t i = 0; i < size; i++, n++)
                for (int k = 0; layer && k < 1 + (int)(rng_next(&s) % 2); k++)
                    add(&ev, (int)(prev0 + rng_next(&s) % (prev1 - prev0)), (int)n);
            prev0 = first;
            prev1 = n;
        }
        dg_box *b = new_boxes(n, 4);
        int crossings = dg_layout(b, n, ev.v, ev.n, NULL);
        assert_no_overlap(b, n);
        assert_int_equal(crossings, brute_crossings(b, ev.v, ev.n));
        VEC_FREE(&ev);
        free(b);
    }
}

/* Lines do not run along each other: on pipeline-like graphs (long edges
 * to dimension tables among them) the layout keeps a lane for each long
 * edge in every layer it passes, the router keeps to free rows and columns
 * and swaps the input rows of tangled edges, so that few cells are shared. */
static void test_lines_kept_apart(void **state)
{
    long shared = 0, edges = 0;
    for (uint64_t seed = 1; seed <= 12; seed++) {
        size_t n = 40;
        dg_box *b = new_boxes(n, 4);
        edgevec ev = {0};
        random_dag(&ev, n, seed);
        dg_layout(b, n, ev.v, ev.n, NULL);
        dg_route *r = route_all(b, n, ev.v, ev.n);
        check_routes(b, n, ev.v, ev.n, r);
        shared += shared_cells(ev.v, r, ev.n);
        edges += (long)ev.n;
        dg_routes_free(r, ev.n);
        VEC_FREE(&ev);
        free(b);
    }
    /* half a cell an edge at the most (before lanes, the untangling and
     * keeping to free rows: 13 cells an edge on these graphs) */
    if (shared * 2 > edges) fail_msg("%ld cells shared by %ld edges", shared, edges);
}

/* A warehouse pipeline: two dimension tables joined in late, one of them
 * twice. No line runs along another (the inputs of with_products swap rows
 * when the dimension's edge comes round from above), few crossings. */
static void test_pipeline_untangled(void **state)
{
    enum { DIM_C, HELLO, DIM_P, RAW, CLEAN, VALID, ENRICHED, WITH_P, DAILY, REPORT, PROD_R, N };
    static const int e[][2] = {{RAW, CLEAN},     {CLEAN, VALID},      {VALID, ENRICHED},
                               {DIM_C, ENRICHED}, {ENRICHED, WITH_P}, {DIM_P, WITH_P},
                               {WITH_P, DAILY},   {DAILY, REPORT},    {DIM_C, REPORT},
                               {WITH_P, PROD_R},  {DIM_P, PROD_R}};
    edgevec ev = {0};
    for (size_t i = 0; i < ARRAY_LEN(e); i++) add(&ev, e[i][0], e[i][1]);
    dg_box *b = new_boxes(N, 4);
    dg_layout(b, N, ev.v, ev.n, NULL);
    assert_no_overlap(b, N);
    dg_route *r = route_all(b, N, ev.v, ev.n);
    check_routes(b, N, ev.v, ev.n, r);
    assert_int_equal(shared_cells(ev.v, r, ev.n), 0);
    assert_true(dg_route_crossings(r, ev.n) <= 2);
    dg_routes_free(r, ev.n);
    VEC_FREE(&ev);
    free(b);
}

static void test_random_digraphs(void **state)
{
    for (uint64_t seed = 1; seed <= 6; seed++) {
        size_t n = 20 * seed, m = 2 * n;
        dg_box *b = new_boxes(n, 4);
        edgevec ev = {0};
        random_digraph(&ev, n, m, seed);
        dg_layout(b, n, ev.v, ev.n, NULL);
        assert_no_overlap(b, n);
        dg_route *r = route_all(b, n, ev.v, ev.n);
        check_routes(b, n, ev.v, ev.n, r);
        dg_routes_free(r, ev.n);
        VEC_FREE(&ev);
        free(b);
    }
}

/* Sources 0, 1, 2 over targets 3, 4 with 0->3, 1->4, 2->3: in the order
 * found first (3 above 4, 0 1 2) the edges 1->4 and 2->3 cross; the sweeps
 * put 2 next to 0 (or 4 past 3) and none is left. K2,2 keeps its one. */
static void test_barycenter_uncrosses(void **state)
{
    dg_box *b = new_boxes(5, 4);
    edgevec ev = {0};
    add(&ev, 0, 3);
    add(&ev, 1, 4);
    add(&ev, 2, 3);
    assert_int_equal(dg_layout(b, 5, ev.v, ev.n, NULL), 0);
    assert_int_equal(brute_crossings(b, ev.v, ev.n), 0);
    dg_route *r = route_all(b, 5, ev.v, ev.n);
    check_routes(b, 5, ev.v, ev.n, r);
    assert_int_equal(dg_route_crossings(r, ev.n), 0);
    dg_routes_free(r, ev.n);
    VEC_FREE(&ev);

    add(&ev, 0, 2);
    add(&ev, 0, 3);
    add(&ev, 1, 2);
    add(&ev, 1, 3);
    assert_int_equal(dg_layout(b, 4, ev.v, ev.n, NULL), 1);
    VEC_FREE(&ev);
    free(b);
}

/* Fixed boxes stay; laid-out ones go round (below) them. */
static void test_fixed_boxes(void **state)
{
    size_t n = 40;
    dg_box *b = new_boxes(n, 4);
    edgevec ev = {0};
    random_dag(&ev, n, 7);
    dg_box want[3] = {{0, 0, 30, 6, true}, {40, 2, 25, 4, true}, {75, 9, 20, 30, true}};
    b[3] = want[0];
    b[17] = want[1];
    b[30] = want[2];
    dg_layout(b, n, ev.v, ev.n, NULL);
    assert_memory_equal(&b[3], &want[0], sizeof(dg_box));
    assert_memory_equal(&b[17], &want[1], sizeof(dg_box));
    assert_memory_equal(&b[30], &want[2], sizeof(dg_box));
    assert_no_overlap(b, n);
    dg_route *r = route_all(b, n, ev.v, ev.n);
    check_routes(b, n, ev.v, ev.n, r);
    dg_routes_free(r, ev.n);

    /* all fixed: nothing moves, no crossings counted */
    dg_box *copy = xmalloc(n * sizeof(dg_box));
    for (size_t i = 0; i < n; i++) b[i].fixed = true;
    memcpy(copy, b, n * sizeof(dg_box));
    assert_int_equal(dg_layout(b, n, ev.v, ev.n, NULL), 0);
    assert_memory_equal(b, copy, n * sizeof(dg_box));
    free(copy);
    VEC_FREE(&ev);
    free(b);
}

static void test_place(void **state)
{
    dg_box *b = new_boxes(6, 4);
    edgevec ev = {0};
    add(&ev, 0, 1);
    add(&ev, 1, 2);
    add(&ev, 0, 3);
    dg_layout(b, 4, ev.v, ev.n, NULL);
    /* box 4 reads 0 and 2: right of both, clear of everything */
    add(&ev, 0, 4);
    add(&ev, 2, 4);
    dg_place(b, 5, ev.v, ev.n, 4, NULL);
    assert_true(b[4].x >= b[2].x + b[2].w);
    assert_true(b[4].x >= b[0].x + b[0].w);
    assert_no_overlap(b, 5);
    /* box 5 reads 0, whose right side is taken by 1 and 3: still clear */
    add(&ev, 0, 5);
    dg_layout_opts o = {8, 1};
    dg_place(b, 6, ev.v, ev.n, 5, &o);
    assert_true(b[5].x > b[0].x + b[0].w);
    assert_no_overlap(b, 6);
    dg_route *r = route_all(b, 6, ev.v, ev.n);
    check_routes(b, 6, ev.v, ev.n, r);
    dg_routes_free(r, ev.n);
    /* without inputs: below everything */
    dg_place(b, 6, ev.v, 0, 5, NULL);
    for (int i = 0; i < 5; i++) assert_true(b[5].y >= b[i].y + b[i].h + 1);
    assert_no_overlap(b, 6);
    VEC_FREE(&ev);
    free(b);
}

/* ------------------------------------------------------------ routes */

static void test_route_straight_and_bent(void **state)
{
    dg_box b[3] = {{0, 0, 20, 4, true}, {30, 0, 20, 4, true}, {30, 10, 20, 4, true}};
    dg_edge e[2] = {{0, 1}, {0, 2}};
    dg_route *r = route_all(b, 3, e, 1);
    check_routes(b, 3, e, 1, r);
    assert_int_equal(r[0].n, 2);                 /* level and free: one segment */
    assert_int_equal(r[0].pts[0].x, 20);
    assert_int_equal(r[0].pts[1].x, 29);
    dg_routes_free(r, 1);
    r = route_all(b, 3, e, 2);
    check_routes(b, 3, e, 2, r);
    assert_int_equal(r[1].n, 4);                 /* across, down, across */
    assert_true(r[1].pts[1].x > 20 && r[1].pts[1].x < 29);
    dg_routes_free(r, 2);
}

static void test_route_detour(void **state)
{
    /* a box between source and target, over their rows */
    dg_box b[3] = {{0, 10, 20, 4, true}, {60, 10, 20, 4, true}, {30, 5, 15, 14, true}};
    dg_edge e[1] = {{0, 1}};
    dg_route *r = route_all(b, 3, e, 1);
    check_routes(b, 3, e, 1, r);
    assert_true(r[0].n > 2);
    bool around = false;
    for (size_t k = 0; k < r[0].n; k++) around |= r[0].pts[k].y < 5 || r[0].pts[k].y > 18;
    assert_true(around);
    assert_true(r[0].n <= 6);                    /* few bends */
    dg_routes_free(r, 1);

    /* a wall with a gap: through the gap */
    dg_box w[4] = {{0, 10, 20, 4, true}, {60, 10, 20, 4, true}, {30, 0, 10, 12, true},
                   {30, 13, 10, 20, true}};
    r = route_all(w, 4, e, 1);
    check_routes(w, 4, e, 1, r);
    for (size_t k = 0; k + 1 < r[0].n; k++)
        if (r[0].pts[k].y == r[0].pts[k + 1].y && r[0].pts[k].x < 35 && r[0].pts[k + 1].x > 35)
            assert_int_equal(r[0].pts[k].y, 12);
    dg_routes_free(r, 1);
}

static void test_route_backward(void **state)
{
    dg_box b[4] = {{50, 0, 20, 4, true}, {0, 0, 20, 4, true}, {0, 20, 20, 4, true},
                   {25, 0, 15, 30, true}};
    dg_edge e[3] = {{0, 1}, {0, 2}, {2, 2}};
    dg_route *r = route_all(b, 4, e, 3);
    check_routes(b, 4, e, 3, r);
    for (int k = 0; k < 3; k++) assert_true(r[k].n >= 4);
    dg_routes_free(r, 3);
}

/* Three into one tall box enter on three rows; into a short one they share. */
static void test_route_ports(void **state)
{
    dg_box b[4] = {{0, 0, 20, 4, true}, {0, 5, 20, 4, true}, {0, 10, 20, 4, true},
                   {40, 4, 20, 6, true}};
    dg_edge e[3] = {{0, 3}, {1, 3}, {2, 3}};
    dg_route *r = route_all(b, 4, e, 3);
    check_routes(b, 4, e, 3, r);
    int y0 = r[0].pts[r[0].n - 1].y, y1 = r[1].pts[r[1].n - 1].y, y2 = r[2].pts[r[2].n - 1].y;
    assert_true(y0 < y1 && y1 < y2);             /* in the order of the sources */
    assert_true(y0 > 4 && y2 < 9);               /* inner rows */
    assert_int_equal(dg_route_crossings(r, 3), 0);
    dg_routes_free(r, 3);
}

/* Five sources above and below a tall target, each entering on its own
 * row: the verticals take different columns and no line runs on another. */
static void test_route_fan_in_apart(void **state)
{
    dg_box b[6] = {{0, 0, 20, 4, true},  {0, 5, 20, 4, true},  {0, 10, 20, 4, true},
                   {0, 25, 20, 4, true}, {0, 30, 20, 4, true}, {40, 14, 20, 9, true}};
    dg_edge e[5] = {{0, 5}, {1, 5}, {2, 5}, {3, 5}, {4, 5}};
    dg_route *r = route_all(b, 6, e, 5);
    check_routes(b, 6, e, 5, r);
    assert_int_equal(shared_cells(e, r, 5), 0);
    assert_int_equal(dg_route_crossings(r, 5), 0);
    for (int i = 0; i < 5; i++) assert_true(r[i].n <= 4);   /* one bend pair at most */
    dg_routes_free(r, 5);

    /* the check itself: two routes of different ports on one column */
    dg_point p[3] = {{21, 1}, {30, 1}, {30, 10}}, q[3] = {{30, 5}, {30, 12}, {39, 12}};
    dg_route two[2] = {{p, 3}, {q, 3}};
    dg_edge pe[2] = {{0, 1}, {2, 3}};
    assert_int_equal(shared_cells(pe, two, 2), 6);
}

/* Edges naming no box are left out of the layout and get empty routes. */
static void test_bad_edges(void **state)
{
    dg_box *b = new_boxes(3, 4);
    dg_edge e[4] = {{0, 1}, {-1, 2}, {1, 7}, {1, 2}};
    dg_layout(b, 3, e, 4, NULL);
    assert_no_overlap(b, 3);
    assert_true(b[2].x > b[1].x && b[1].x > b[0].x);
    dg_route *r = route_all(b, 3, e, 4);
    assert_int_equal(r[1].n, 0);
    assert_null(r[1].pts);
    assert_int_equal(r[2].n, 0);
    grid g = grid_of(b, 3);
    check_route(&g, b, &e[0], &r[0], 0);
    check_route(&g, b, &e[3], &r[3], 3);
    free(g.v);
    bool moved[3] = {true, true, true};
    dg_route_edges_of(b, 3, e, 4, moved, r);
    assert_int_equal(r[1].n, 0);
    dg_routes_free(r, 4);
    free(b);
}

/* Ends inside another box (a box dragged onto one): still a route from
 * side to side, orthogonal; nothing at all: nothing to do. */
static void test_route_degenerate(void **state)
{
    dg_box b[3] = {{0, 0, 20, 4, true}, {40, 0, 20, 4, true}, {15, 1, 10, 6, true}};
    dg_edge e[2] = {{0, 1}, {1, 0}};
    dg_route *r = route_all(b, 3, e, 2);
    for (int i = 0; i < 2; i++) {
        const dg_box *s = &b[e[i].from], *t = &b[e[i].to];
        assert_true(r[i].n >= 2);
        assert_int_equal(r[i].pts[0].x, s->x + s->w);
        assert_int_equal(r[i].pts[r[i].n - 1].x, t->x - 1);
        for (size_t k = 0; k + 1 < r[i].n; k++)
            assert_true(r[i].pts[k].x == r[i].pts[k + 1].x || r[i].pts[k].y == r[i].pts[k + 1].y);
    }
    dg_routes_free(r, 2);

    assert_int_equal(dg_layout(NULL, 0, NULL, 0, NULL), 0);
    dg_route_edges(NULL, 0, NULL, 0, NULL);
    dg_route_edges_of(NULL, 0, NULL, 0, NULL, NULL);
}

static bool same_route(const dg_route *a, const dg_route *b)
{
    return a->n == b->n && !memcmp(a->pts, b->pts, a->n * sizeof(dg_point));
}

static void test_route_edges_of(void **state)
{
    /* a diamond and an unrelated chain; 3 moves right, step by step */
    dg_box *b = new_boxes(7, 4);
    edgevec ev = {0};
    add(&ev, 0, 1);
    add(&ev, 0, 2);
    add(&ev, 1, 3);
    add(&ev, 2, 3);
    add(&ev, 4, 5);
    add(&ev, 5, 6);
    dg_layout(b, 7, ev.v, ev.n, NULL);
    dg_route *r = route_all(b, 7, ev.v, ev.n);
    dg_route before[6];
    memcpy(before, r, sizeof before);
    dg_point *copies[6];
    for (int i = 0; i < 6; i++) {
        copies[i] = xmalloc(r[i].n * sizeof(dg_point));
        memcpy(copies[i], r[i].pts, r[i].n * sizeof(dg_point));
    }
    bool moved[7] = {false, false, false, true, false, false, false};
    for (int step = 0; step < 5; step++) {
        b[3].x += 3;
        dg_route_edges_of(b, 7, ev.v, ev.n, moved, r);
        assert_no_overlap(b, 7);
        check_routes(b, 7, ev.v, ev.n, r);
    }
    for (int i = 0; i < 6; i++) {
        if (i == 2 || i == 3) continue;                 /* the edges into 3 */
        assert_ptr_equal(r[i].pts, before[i].pts);
        assert_int_equal(r[i].n, before[i].n);
        assert_memory_equal(r[i].pts, copies[i], r[i].n * sizeof(dg_point));
    }
    assert_int_equal(r[2].pts[r[2].n - 1].x, b[3].x - 1);
    assert_int_not_equal(r[2].pts[r[2].n - 1].y, r[3].pts[r[3].n - 1].y);
    for (int i = 0; i < 6; i++) free(copies[i]);
    dg_routes_free(r, ev.n);
    VEC_FREE(&ev);
    free(b);
}

/* true when box i can go one row down without touching another. */
static bool room_below(const dg_box *b, size_t n, size_t i)
{
    dg_box d = b[i];
    d.y++;
    for (size_t k = 0; k < n; k++)
        if (k != i && dg_overlap(&d, &b[k])) return false;
    return true;
}

/* On a large graph: a drag step re-routes the moved box's edges, validly,
 * and leaves every other route as it was. */
static void test_route_edges_of_large(void **state)
{
    size_t n = 300;
    dg_box *b = new_boxes(n, 4);
    edgevec ev = {0};
    random_dag(&ev, n, 11);
    dg_layout(b, n, ev.v, ev.n, NULL);
    dg_route *r = route_all(b, n, ev.v, ev.n);
    dg_route *old = xmalloc(ev.n * sizeof(dg_route));
    for (size_t e = 0; e < ev.n; e++) {
        old[e].n = r[e].n;
        old[e].pts = xmalloc(r[e].n * sizeof(dg_point));
        memcpy(old[e].pts, r[e].pts, r[e].n * sizeof(dg_point));
    }
    dg_route *ptrs = xmalloc(ev.n * sizeof(dg_route));
    memcpy(ptrs, r, ev.n * sizeof(dg_route));
    bool *moved = xcalloc(n, sizeof(bool));
    size_t i = n / 2;
    while (!room_below(b, n, i)) i++;
    moved[i] = true;
    b[i].y += 1;
    dg_route_edges_of(b, n, ev.v, ev.n, moved, r);
    grid g = grid_of(b, n);
    for (size_t e = 0; e < ev.n; e++) {
        if (ev.v[e].from == (int)i || ev.v[e].to == (int)i) {
            check_route(&g, b, &ev.v[e], &r[e], e);
            continue;
        }
        assert_ptr_equal(r[e].pts, ptrs[e].pts);
        assert_true(same_route(&r[e], &old[e]));
    }
    free(g.v);
    free(moved);
    free(ptrs);
    dg_routes_free(old, ev.n);
    dg_routes_free(r, ev.n);
    VEC_FREE(&ev);
    free(b);
}

static void test_route_crossings(void **state)
{
    dg_point h[2] = {{0, 5}, {10, 5}}, v[2] = {{5, 0}, {5, 10}};
    dg_point t[2] = {{10, 0}, {10, 10}};            /* touches h's end: not a crossing */
    dg_point l[3] = {{3, 2}, {3, 8}, {12, 8}};      /* crosses h once, v once */
    dg_route r[4] = {{h, 2}, {v, 2}, {t, 2}, {l, 3}};
    assert_int_equal(dg_route_crossings(r, 2), 1);
    assert_int_equal(dg_route_crossings(r, 3), 1);
    assert_int_equal(dg_route_crossings(r, 4), 4);
    dg_point self[5] = {{0, 0}, {10, 0}, {10, 5}, {5, 5}, {5, -5}};  /* crosses itself */
    dg_route s[1] = {{self, 5}};
    assert_int_equal(dg_route_crossings(s, 1), 0);
    assert_int_equal(dg_route_crossings(NULL, 0), 0);
    dg_routes_free(NULL, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_diamond),
        cmocka_unit_test(test_fans),
        cmocka_unit_test(test_disconnected),
        cmocka_unit_test(test_cycles),
        cmocka_unit_test(test_random_dags),
        cmocka_unit_test(test_layered_count_exact),
        cmocka_unit_test(test_lines_kept_apart),
        cmocka_unit_test(test_pipeline_untangled),
        cmocka_unit_test(test_random_digraphs),
        cmocka_unit_test(test_barycenter_uncrosses),
        cmocka_unit_test(test_fixed_boxes),
        cmocka_unit_test(test_place),
        cmocka_unit_test(test_route_straight_and_bent),
        cmocka_unit_test(test_route_detour),
        cmocka_unit_test(test_route_backward),
        cmocka_unit_test(test_route_ports),
        cmocka_unit_test(test_route_fan_in_apart),
        cmocka_unit_test(test_bad_edges),
        cmocka_unit_test(test_route_degenerate),
        cmocka_unit_test(test_route_edges_of),
        cmocka_unit_test(test_route_edges_of_large),
        cmocka_unit_test(test_route_crossings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
