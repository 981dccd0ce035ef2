/*
 * bench_dg_layout.c - the designer's layout and edge routing (designer/
 * layout.c, route.c) on generated pipeline-like graphs, and prints:
 *
 *   layout             dg_layout of 1,000 boxes (median of several runs)
 *   route all          dg_route_edges of the laid-out graph
 *   drag step          one box moved by one cell, then dg_route_edges_of
 *                      (median and worst over many steps, many boxes)
 *   crossings          dg_layout's count (between adjacent layers, long edges
 *                      through their lanes) and the routes' count
 *   10,000 boxes       layout and route all, once the graph is ten times larger
 *
 * The graph: a tenth of the nodes are sources; each other node reads 1-3
 * earlier ones, the first among the 30 before it (chains), the others half
 * the time among the 60 before it and half the time anywhere earlier (joins
 * with far inputs, as dimension tables are). Boxes are 20-34 columns by 4
 * rows, gaps as the designer's compact zoom uses (8 columns, 1 row).
 *
 * Usage: bench_dg_layout [--runs N] (default 7).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "util.h"

typedef VEC(dg_edge) edgevec;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void add_edge(edgevec *ev, int from, int to)
{
    for (size_t k = ev->n; k-- > 0 && ev->v[k].to == to;)
        if (ev->v[k].from == from) return;
    dg_edge e = {from, to};
    VEC_PUSH(ev, e);
}

/* The pipeline of the file comment: n boxes (caller frees) and their edges. */
static dg_box *pipeline(size_t n, uint64_t seed, edgevec *ev)
{
    uint64_t s = seed;
    dg_box *b = xcalloc(n, sizeof(dg_box));
    size_t sources = n / 10;
    for (size_t i = 0; i < n; i++) {
        b[i].w = 20 + (int)(rng_next(&s) % 15);
        b[i].h = 4;
        if (i < sources) continue;
        int inputs = 1 + (int)(rng_next(&s) % 3);
        for (int k = 0; k < inputs; k++) {
            size_t span = k == 0 ? 30 : rng_next(&s) % 2 ? 60 : i;
            if (span > i) span = i;
            add_edge(ev, (int)(i - 1 - rng_next(&s) % span), (int)i);
        }
    }
    return b;
}

static void unfix(dg_box *b, size_t n)
{
    for (size_t i = 0; i < n; i++) b[i] = (dg_box){0, 0, b[i].w, b[i].h, false};
}

typedef struct figures {
    double layout, route, drag, drag_max;
    int crossings;
    size_t route_crossings, edges;
    int width, height;
} figures;

static double time_layout(dg_box *b, size_t n, const edgevec *ev, int runs, int *crossings)
{
    dg_layout_opts o = {8, 1};
    double *t = xmalloc((size_t)runs * sizeof(double));
    for (int k = 0; k < runs; k++) {
        unfix(b, n);
        double t0 = time_mono_ms();
        *crossings = dg_layout(b, n, ev->v, ev->n, &o);
        t[k] = time_mono_ms() - t0;
    }
    double med = median(t, runs);
    free(t);
    return med;
}

/* Routes all edges runs times; the last routes stay in *out. */
static double time_route(const dg_box *b, size_t n, const edgevec *ev, int runs, dg_route **out)
{
    double *t = xmalloc((size_t)runs * sizeof(double));
    for (int k = 0; k < runs; k++) {
        dg_routes_free(*out, ev->n);
        *out = xcalloc(ev->n + 1, sizeof(dg_route));
        double t0 = time_mono_ms();
        dg_route_edges(b, n, ev->v, ev->n, *out);
        t[k] = time_mono_ms() - t0;
    }
    double med = median(t, runs);
    free(t);
    return med;
}

/* Drag steps: box after box, one cell right then one back (or down and up
 * when right is taken), each followed by dg_route_edges_of. */
static void time_drag(dg_box *b, size_t n, const edgevec *ev, dg_route *routes, int steps,
                      figures *f)
{
    double *t = xmalloc((size_t)steps * sizeof(double));
    bool *moved = xcalloc(n, sizeof(bool));
    f->drag_max = 0;
    for (int k = 0; k < steps; k++) {
        size_t i = (size_t)k / 2 * 7919 % n;
        int d = k % 2 ? -1 : 1;
        moved[i] = true;
        b[i].x += d;
        double t0 = time_mono_ms();
        dg_route_edges_of(b, n, ev->v, ev->n, moved, routes);
        t[k] = time_mono_ms() - t0;
        if (t[k] > f->drag_max) f->drag_max = t[k];
        moved[i] = false;
    }
    f->drag = median(t, steps);
    free(t);
    free(moved);
}

static void extent(const dg_box *b, size_t n, figures *f)
{
    f->width = f->height = 0;
    for (size_t i = 0; i < n; i++) {
        if (b[i].x + b[i].w > f->width) f->width = b[i].x + b[i].w;
        if (b[i].y + b[i].h > f->height) f->height = b[i].y + b[i].h;
    }
}

static figures measure(size_t n, int runs, bool drag)
{
    figures f = {0};
    edgevec ev = {0};
    dg_box *b = pipeline(n, 0x9e3779b97f4a7c15u, &ev);
    dg_route *routes = NULL;
    f.edges = ev.n;
    f.layout = time_layout(b, n, &ev, runs, &f.crossings);
    extent(b, n, &f);
    f.route = time_route(b, n, &ev, runs, &routes);
    f.route_crossings = dg_route_crossings(routes, ev.n);
    if (drag) time_drag(b, n, &ev, routes, 200, &f);
    dg_routes_free(routes, ev.n);
    VEC_FREE(&ev);
    free(b);
    return f;
}

int main(int argc, char **argv)
{
    int runs = 7;
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--runs")) runs = atoi(argv[++i]) > 0 ? atoi(argv[i]) : runs;
    figures f = measure(1000, runs, true);
    printf("bench_dg_layout: 1,000 boxes, %zu edges (a %dx%d canvas), median of %d runs\n", f.edges,
           f.width, f.height, runs);
    printf("  layout                       %9.2f ms\n", f.layout);
    printf("  route all edges              %9.2f ms\n", f.route);
    printf("  drag step                    %9.2f ms   (worst %.2f ms of 200: a box moved one\n"
           "                                              cell, then its edges re-routed)\n",
           f.drag, f.drag_max);
    printf("  crossings                    %9d      between adjacent layers\n", f.crossings);
    printf("                               %9zu      of the routes\n", f.route_crossings);
    int big_runs = runs < 3 ? runs : 3;
    figures g = measure(10000, big_runs, false);
    printf("10,000 boxes, %zu edges (a %dx%d canvas), median of %d runs\n", g.edges, g.width,
           g.height, big_runs);
    printf("  layout                       %9.2f ms\n", g.layout);
    printf("  route all edges              %9.2f ms\n", g.route);
    printf("  crossings                    %9d      between adjacent layers\n", g.crossings);
    printf("                               %9zu      of the routes\n", g.route_crossings);
    return 0;
}
