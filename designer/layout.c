/*
 * layout.c - where the designer's boxes go (see layout.h): the layered
 * left-to-right layout of the boxes without a saved position, a place for
 * one new box, and the overlap test both use. Edge routes are in route.c.
 *
 * dg_layout works on the graph of the free boxes and the edges between them,
 * in four steps:
 *   1. a depth-first search numbers the boxes in post-order. An edge whose
 *      source finishes before its target closes a cycle (a back edge) and is
 *      turned round; what is left has no cycle, whatever the input.
 *   2. each box's layer is its longest path from a source, found in
 *      decreasing post-order (a topological order of step 1's graph); an
 *      edge across several layers becomes a chain through a dummy vertex
 *      (no box, only a gap: its lane) in each layer it passes.
 *   3. barycenter sweeps, down then up, sort each layer by the mean height
 *      of its neighbours, then neighbours swap while that takes crossings
 *      away; the order with the fewest crossings is kept.
 *   4. cells: a layer starts gap_x columns right of the previous layer's
 *      widest box; its boxes keep their order, gap_y rows apart, each as
 *      near as can be to level with its neighbours (passes down, up, down);
 *      then any box on a fixed one goes below it, the rest of its layer
 *      with it as far as needed.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "util.h"

#define DEFAULT_GAP_X 8
#define DEFAULT_GAP_Y 1
#define SWEEPS 4         /* pairs of down and up sweeps */

bool dg_overlap(const dg_box *a, const dg_box *b)
{
    return a->x < b->x + b->w + 1 && b->x < a->x + a->w + 1 &&
           a->y < b->y + b->h + 1 && b->y < a->y + a->h + 1;
}

static void gaps(const dg_layout_opts *o, int *gx, int *gy)
{
    *gx = o && o->gap_x > 0 ? o->gap_x : DEFAULT_GAP_X;
    *gy = o && o->gap_y > 0 ? o->gap_y : DEFAULT_GAP_Y;
}

/* ======================= the graph of the free boxes ======================= */

/* Adjacency in compressed rows: the neighbours of v are
 * adj[off[v] .. off[v+1]). */
typedef struct csr {
    int *off, *adj;
} csr;

static csr csr_build(size_t n, const int *from, const int *to, size_t m)
{
    csr c = {xcalloc(n + 1, sizeof(int)), xmalloc((m + 1) * sizeof(int))};
    for (size_t e = 0; e < m; e++) c.off[from[e] + 1]++;
    for (size_t v = 0; v < n; v++) c.off[v + 1] += c.off[v];
    int *fill = xmalloc((n + 1) * sizeof(int));
    memcpy(fill, c.off, (n + 1) * sizeof(int));
    for (size_t e = 0; e < m; e++) c.adj[fill[from[e]]++] = to[e];
    free(fill);
    return c;
}

static void csr_free(csr *c)
{
    free(c->off);
    free(c->adj);
}

typedef struct lgraph {
    size_t n;            /* all boxes; fixed ones have layer -1 */
    int *from, *to;      /* the edges between free boxes, no cycle left */
    size_t m;
    csr pred, succ;
    int *layer;
    int nlayers;
    int *start;          /* layer L is order[start[L] .. start[L+1]) */
    int *order;
    int *rank;           /* index of a box within its layer */
    double *pos;         /* centre row of a box when its layer is stacked */
} lgraph;

/* The usable edges: both ends free, in range, not a loop on one box. */
static void free_edges(lgraph *g, const dg_box *boxes, const dg_edge *edges, size_t m)
{
    g->from = xmalloc((m + 1) * sizeof(int));
    g->to = xmalloc((m + 1) * sizeof(int));
    for (size_t e = 0; e < m; e++) {
        int a = edges[e].from, b = edges[e].to;
        if (a < 0 || b < 0 || (size_t)a >= g->n || (size_t)b >= g->n || a == b) continue;
        if (boxes[a].fixed || boxes[b].fixed) continue;
        g->from[g->m] = a;
        g->to[g->m++] = b;
    }
}

/* Iterative depth-first search from root: numbers boxes in post-order and
 * appends them to seq in the order they are first reached. */
static void dfs_from(const csr *out, int root, int *post, int *counter, int *seq, size_t *nseq,
                     int *stack, int *next)
{
    size_t sp = 0;
    stack[sp++] = root;
    next[root] = out->off[root];
    seq[(*nseq)++] = root;
    post[root] = -2;                     /* on the stack */
    while (sp) {
        int v = stack[sp - 1];
        if (next[v] < out->off[v + 1]) {
            int w = out->adj[next[v]++];
            if (post[w] != -1) continue;
            post[w] = -2;
            next[w] = out->off[w];
            seq[(*nseq)++] = w;
            stack[sp++] = w;
        } else {
            post[v] = (*counter)++;
            sp--;
        }
    }
}

/* Step 1: post-order numbers (from the sources first, in index order) and
 * the discovery order of the free boxes; then every back edge turned. */
static void break_cycles(lgraph *g, const dg_box *boxes, int *post, int *seq)
{
    csr out = csr_build(g->n, g->from, g->to, g->m);
    int *indeg = xcalloc(g->n + 1, sizeof(int)), *stack = xmalloc((g->n + 1) * sizeof(int));
    int *next = xmalloc((g->n + 1) * sizeof(int));
    for (size_t e = 0; e < g->m; e++) indeg[g->to[e]]++;
    for (size_t v = 0; v < g->n; v++) post[v] = -1;
    int counter = 0;
    size_t nseq = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t v = 0; v < g->n; v++)
            if (!boxes[v].fixed && post[v] == -1 && (pass || indeg[v] == 0))
                dfs_from(&out, (int)v, post, &counter, seq, &nseq, stack, next);
    for (size_t e = 0; e < g->m; e++)
        if (post[g->from[e]] < post[g->to[e]]) {
            int t = g->from[e];
            g->from[e] = g->to[e];
            g->to[e] = t;
        }
    free(indeg);
    free(stack);
    free(next);
    csr_free(&out);
}

/* Step 2: longest path from a source; boxes grouped by layer in seq order. */
static void assign_layers(lgraph *g, const int *post, const int *seq, size_t nfree)
{
    int *by_post = xmalloc((nfree + 1) * sizeof(int));
    for (size_t v = 0; v < g->n; v++)
        if (post[v] >= 0) by_post[post[v]] = (int)v;
    g->nlayers = 0;
    for (size_t k = nfree; k-- > 0;) {
        int v = by_post[k], l = 0;
        for (int p = g->pred.off[v]; p < g->pred.off[v + 1]; p++)
            if (g->layer[g->pred.adj[p]] + 1 > l) l = g->layer[g->pred.adj[p]] + 1;
        g->layer[v] = l;
        if (l + 1 > g->nlayers) g->nlayers = l + 1;
    }
    free(by_post);
    g->start = xcalloc((size_t)g->nlayers + 2, sizeof(int));
    for (size_t k = 0; k < nfree; k++) g->start[g->layer[seq[k]] + 1]++;
    for (int l = 0; l < g->nlayers; l++) g->start[l + 1] += g->start[l];
    int *fill = xmalloc(((size_t)g->nlayers + 1) * sizeof(int));
    memcpy(fill, g->start, ((size_t)g->nlayers + 1) * sizeof(int));
    for (size_t k = 0; k < nfree; k++) {
        int v = seq[k];
        g->rank[v] = fill[g->layer[v]] - g->start[g->layer[v]];
        g->order[fill[g->layer[v]]++] = v;
    }
    free(fill);
}

/* Steps 1 and 2 for the free boxes; returns how many there are. */
static size_t build_layers(lgraph *g, const dg_box *boxes, size_t n, const dg_edge *edges, size_t m)
{
    memset(g, 0, sizeof(*g));
    g->n = n;
    free_edges(g, boxes, edges, m);
    int *post = xmalloc((n + 1) * sizeof(int)), *seq = xmalloc((n + 1) * sizeof(int));
    break_cycles(g, boxes, post, seq);
    size_t nfree = 0;
    for (size_t v = 0; v < n; v++) nfree += !boxes[v].fixed;
    g->pred = csr_build(n, g->to, g->from, g->m);
    g->succ = csr_build(n, g->from, g->to, g->m);
    g->layer = xmalloc((n + 1) * sizeof(int));
    for (size_t v = 0; v < n; v++) g->layer[v] = -1;
    g->order = xmalloc((nfree + 1) * sizeof(int));
    g->rank = xcalloc(n + 1, sizeof(int));
    g->pos = xcalloc(n + 1, sizeof(double));
    assign_layers(g, post, seq, nfree);
    free(post);
    free(seq);
    return nfree;
}

/* Step 2b: an edge across several layers becomes a chain through a dummy
 * vertex in each layer it passes (no box: 0 wide, 0 high, so it takes only
 * a gap), so that the sweeps order where long edges pass among the boxes
 * and the rows keep a lane for each. The shortest edges get dummies first,
 * up to DUMMY_BUDGET per vertex and edge, so that a graph of very long edges
 * (a table read by everything) stays near linear. */
#define DUMMY_BUDGET 4

/* The longest span (in layers) that gets dummies, and how many it takes. */
static int dummy_span(const lgraph *g, size_t nfree, size_t *ndummies)
{
    size_t *count = xcalloc((size_t)g->nlayers + 1, sizeof(size_t)), used = 0;
    size_t budget = DUMMY_BUDGET * (nfree + g->m);
    for (size_t e = 0; e < g->m; e++) count[g->layer[g->to[e]] - g->layer[g->from[e]]]++;
    int span = 1;
    while (span + 1 < g->nlayers && used + count[span + 1] * (size_t)span <= budget) {
        span++;
        used += count[span] * (size_t)(span - 1);
    }
    free(count);
    *ndummies = used;
    return span;
}

/* The layers' order once the d dummy vertices n.. have their layers: each
 * layer's boxes as they were, then its dummies. */
static void order_dummies(lgraph *g, size_t n, size_t d)
{
    size_t total = n + d, nv = (size_t)g->start[g->nlayers] + d;
    int *count = xcalloc((size_t)g->nlayers + 1, sizeof(int));
    for (size_t k = n; k < total; k++) count[g->layer[k]]++;
    int *order = xmalloc((nv + 1) * sizeof(int));
    int *start = xcalloc((size_t)g->nlayers + 2, sizeof(int));
    for (int l = 0, at = 0; l < g->nlayers; l++) {
        start[l] = at;
        for (int k = g->start[l]; k < g->start[l + 1]; k++) order[at++] = g->order[k];
        int dummies = count[l];
        count[l] = at;                          /* where layer l's dummies go */
        at += dummies;
        start[l + 1] = at;
    }
    for (size_t k = n; k < total; k++) order[count[g->layer[k]]++] = (int)k;
    free(count);
    free(g->order);
    free(g->start);
    g->order = order;
    g->start = start;
    g->n = total;
}

/* Returns the vertices in the layers now; *ext gets a box per vertex (the
 * first n copies of boxes, the dummies after them). */
static size_t add_dummies(lgraph *g, const dg_box *boxes, size_t nfree, dg_box **ext)
{
    size_t n = g->n, d;
    int span = dummy_span(g, nfree, &d);
    size_t total = n + d;
    *ext = xcalloc(total + 1, sizeof(dg_box));
    memcpy(*ext, boxes, n * sizeof(dg_box));
    if (!d) return nfree;
    int *from = xmalloc((g->m + d + 1) * sizeof(int)), *to = xmalloc((g->m + d + 1) * sizeof(int));
    g->layer = xrealloc(g->layer, (total + 1) * sizeof(int));
    size_t m = 0, v = n;
    for (size_t e = 0; e < g->m; e++) {
        int prev = g->from[e];
        bool chain = g->layer[g->to[e]] - g->layer[g->from[e]] <= span;
        for (int l = g->layer[g->from[e]] + 1; chain && l < g->layer[g->to[e]]; l++, v++) {
            g->layer[v] = l;
            from[m] = prev;
            to[m++] = (int)v;
            prev = (int)v;
        }
        from[m] = prev;
        to[m++] = g->to[e];
    }
    free(g->from);
    free(g->to);
    g->from = from;
    g->to = to;
    g->m = m;
    order_dummies(g, n, d);
    g->rank = xrealloc(g->rank, (total + 1) * sizeof(int));
    g->pos = xrealloc(g->pos, (total + 1) * sizeof(double));
    csr_free(&g->pred);
    csr_free(&g->succ);
    g->pred = csr_build(total, g->to, g->from, g->m);
    g->succ = csr_build(total, g->from, g->to, g->m);
    return nfree + d;
}

static void lgraph_free(lgraph *g)
{
    free(g->from);
    free(g->to);
    csr_free(&g->pred);
    csr_free(&g->succ);
    free(g->layer);
    free(g->start);
    free(g->order);
    free(g->rank);
    free(g->pos);
}

/* ======================= step 3: order within layers ======================= */

/* Ranks and centre rows of layer l as it is ordered now. */
static void stack_layer(lgraph *g, const dg_box *boxes, int l, int gap_y)
{
    double y = 0;
    for (int k = g->start[l]; k < g->start[l + 1]; k++) {
        int v = g->order[k];
        g->rank[v] = k - g->start[l];
        g->pos[v] = y + boxes[v].h / 2.0;
        y += boxes[v].h + gap_y;
    }
}

typedef struct keyed {
    double key;
    int rank, v;
} keyed;

static int cmp_keyed(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

/* Sorts layer l by the mean centre row of each box's neighbours in nb (a
 * box without any keeps its own row as its key). */
static void sort_layer(lgraph *g, const dg_box *boxes, int l, const csr *nb, keyed *scratch,
                       int gap_y)
{
    int s = g->start[l], n = g->start[l + 1] - s;
    for (int k = 0; k < n; k++) {
        int v = g->order[s + k], cnt = nb->off[v + 1] - nb->off[v];
        double sum = 0;
        for (int p = nb->off[v]; p < nb->off[v + 1]; p++) sum += g->pos[nb->adj[p]];
        scratch[k] = (keyed){cnt ? sum / cnt : g->pos[v], g->rank[v], v};
    }
    qsort(scratch, (size_t)n, sizeof(keyed), cmp_keyed);
    for (int k = 0; k < n; k++) g->order[s + k] = scratch[k].v;
    stack_layer(g, boxes, l, gap_y);
}

typedef struct rpair {
    int a, b;
} rpair;

static int cmp_rpair(const void *x, const void *y)
{
    const rpair *p = x, *q = y;
    if (p->a != q->a) return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

/* Crossings of straight edges between adjacent layers: for each pair of
 * layers, the inversions of the targets' ranks once the edges are sorted by
 * their sources' ranks, counted with a Fenwick tree (O(m log m) in all). */
static long long count_crossings(const lgraph *g, rpair *pairs, int *tree)
{
    long long total = 0;
    for (int l = 0; l + 1 < g->nlayers; l++) {
        size_t np = 0;
        for (int k = g->start[l]; k < g->start[l + 1]; k++) {
            int v = g->order[k];
            for (int p = g->succ.off[v]; p < g->succ.off[v + 1]; p++)
                if (g->layer[g->succ.adj[p]] == l + 1)
                    pairs[np++] = (rpair){g->rank[v], g->rank[g->succ.adj[p]]};
        }
        qsort(pairs, np, sizeof(rpair), cmp_rpair);
        int size = g->start[l + 2] - g->start[l + 1];
        memset(tree, 0, ((size_t)size + 1) * sizeof(int));
        for (size_t i = 0; i < np; i++) {
            long long le = 0;           /* earlier targets at or above this one */
            for (int j = pairs[i].b + 1; j > 0; j -= j & -j) le += tree[j];
            total += (long long)i - le;
            for (int j = pairs[i].b + 1; j <= size; j += j & -j) tree[j]++;
        }
    }
    return total;
}

/* Crossings between the lines of u and of v (u above v) to their
 * neighbours in nb that lie in layer l. */
static long pair_crossings(const lgraph *g, const csr *nb, int u, int v, int l)
{
    long c = 0;
    for (int p = nb->off[u]; p < nb->off[u + 1]; p++) {
        int a = nb->adj[p];
        if (g->layer[a] != l) continue;
        for (int q = nb->off[v]; q < nb->off[v + 1]; q++) {
            int b = nb->adj[q];
            if (g->layer[b] == l && g->rank[a] > g->rank[b]) c++;
        }
    }
    return c;
}

static long both_sides(const lgraph *g, int u, int v, int l)
{
    return pair_crossings(g, &g->pred, u, v, l - 1) + pair_crossings(g, &g->succ, u, v, l + 1);
}

/* Swaps neighbours in a layer while that takes away crossings with the
 * layers on both sides (dot's "transpose"), at most TRANSPOSE_PASSES
 * times over the layers. */
#define TRANSPOSE_PASSES 4

static void transpose(lgraph *g, const dg_box *boxes, int gap_y)
{
    bool better = true;
    for (int pass = 0; pass < TRANSPOSE_PASSES && better; pass++) {
        better = false;
        for (int l = 0; l < g->nlayers; l++) {
            bool swapped = false;
            for (int k = g->start[l]; k + 1 < g->start[l + 1]; k++) {
                int u = g->order[k], v = g->order[k + 1];
                if (both_sides(g, v, u, l) >= both_sides(g, u, v, l)) continue;
                g->order[k] = v;
                g->order[k + 1] = u;
                g->rank[u]++;
                g->rank[v]--;
                swapped = better = true;
            }
            if (swapped) stack_layer(g, boxes, l, gap_y);
        }
    }
}

/* Step 3: sweeps down (by inputs) and up (by readers), each followed by
 * transposing neighbours, keeping the best. */
static long long order_layers(lgraph *g, const dg_box *boxes, size_t nfree, int gap_y)
{
    keyed *scratch = xmalloc((nfree + 1) * sizeof(keyed));
    rpair *pairs = xmalloc((g->m + 1) * sizeof(rpair));
    int *tree = xmalloc((nfree + 2) * sizeof(int));
    int *best = xmalloc((nfree + 1) * sizeof(int));
    for (int l = 0; l < g->nlayers; l++) stack_layer(g, boxes, l, gap_y);
    long long best_x = count_crossings(g, pairs, tree);
    memcpy(best, g->order, nfree * sizeof(int));
    for (int it = 0; it < 2 * SWEEPS && best_x > 0; it++) {
        bool down = it % 2 == 0;
        for (int k = 1; k < g->nlayers; k++) {
            int l = down ? k : g->nlayers - 1 - k;
            sort_layer(g, boxes, l, down ? &g->pred : &g->succ, scratch, gap_y);
        }
        transpose(g, boxes, gap_y);
        long long x = count_crossings(g, pairs, tree);
        if (x < best_x) {
            best_x = x;
            memcpy(best, g->order, nfree * sizeof(int));
        }
    }
    memcpy(g->order, best, nfree * sizeof(int));
    for (int l = 0; l < g->nlayers; l++) stack_layer(g, boxes, l, gap_y);
    free(scratch);
    free(pairs);
    free(tree);
    free(best);
    return best_x;
}

/* ======================= step 4: cells ======================= */

/* The row at or below y where box b (at b->x) overlaps none of the fixed
 * boxes listed: each one hit sends it below that box, which it can then
 * never hit again, so this ends after at most nfixed moves. */
static int below_fixed(const dg_box *boxes, const int *fixed, size_t nfixed, dg_box b, int gap_y)
{
    bool moved = true;
    while (moved) {
        moved = false;
        for (size_t k = 0; k < nfixed; k++) {
            const dg_box *f = &boxes[fixed[k]];
            if (dg_overlap(&b, f)) {
                b.y = f->y + f->h + gap_y;
                moved = true;
            }
        }
    }
    return b.y;
}

/* The fixed boxes within columns [x0, x1] (with the margin). */
static size_t fixed_near(const dg_box *boxes, size_t n, int x0, int x1, int *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (boxes[i].fixed && boxes[i].x <= x1 + 1 && boxes[i].x + boxes[i].w >= x0)
            out[k++] = (int)i;
    return k;
}

/* A block of consecutive boxes of the pool-adjacent-violators pass: they
 * share one offset, the weighted mean of their wishes. */
typedef struct pool {
    double w, sum;
    int first;
} pool;

static double pool_mean(const pool *p)
{
    return p->sum / p->w;
}

/* Rows for layer l: each box wishes its top level with the mean top of its
 * neighbours in nb, which puts the rows edges leave and enter on level (a
 * box without neighbours wishes, weakly, to stay where it is).
 * With z = y minus the rows the boxes above it need, the boxes keep their
 * order and gaps when z never decreases down the layer; the z nearest the
 * wishes (least squares) is an isotonic regression, which pooling adjacent
 * violators finds in one pass. z >= 0 keeps the layer below row 0. */
static void align_layer(const lgraph *g, dg_box *boxes, int l, const csr *nb, int gap_y,
                        pool *pools)
{
    int s = g->start[l], n = g->start[l + 1] - s, np = 0, above = 0;
    for (int k = 0; k < n; k++) {
        int v = g->order[s + k], cnt = nb->off[v + 1] - nb->off[v];
        double sum = 0;
        for (int p = nb->off[v]; p < nb->off[v + 1]; p++) sum += boxes[nb->adj[p]].y;
        double want = (cnt ? sum / cnt : boxes[v].y) - above, w = cnt ? cnt : 0.01;
        above += boxes[v].h + gap_y;
        pools[np++] = (pool){w, w * want, k};
        while (np > 1 && pool_mean(&pools[np - 2]) > pool_mean(&pools[np - 1])) {
            pools[np - 2].w += pools[np - 1].w;
            pools[np - 2].sum += pools[np - 1].sum;
            np--;
        }
    }
    above = 0;
    for (int q = 0; q < np; q++) {
        double z = pool_mean(&pools[q]);
        int zi = z > 0 ? (int)(z + 0.5) : 0;
        for (int k = pools[q].first; k < (q + 1 < np ? pools[q + 1].first : n); k++) {
            dg_box *b = &boxes[g->order[s + k]];
            b->y = zi + above;
            above += b->h + gap_y;
        }
    }
}

/* Columns per layer; rows stacked from the top. */
static void stack_columns(const lgraph *g, dg_box *boxes, int gap_x, int gap_y)
{
    int x = 0;
    for (int l = 0; l < g->nlayers; l++) {
        int widest = 0, y = 0;
        for (int k = g->start[l]; k < g->start[l + 1]; k++) {
            dg_box *b = &boxes[g->order[k]];
            b->x = x;
            b->y = y;
            y += b->h + gap_y;
            if (b->w > widest) widest = b->w;
        }
        x += widest + gap_x;
    }
}

/* Moves the boxes of layer l that overlap a fixed box below it, and the
 * boxes under them as far as they must go to keep their gaps. */
static void clear_fixed(const lgraph *g, dg_box *boxes, int l, int gap_y, int *fixed)
{
    int s = g->start[l], e = g->start[l + 1], widest = 0;
    if (s == e) return;
    for (int k = s; k < e; k++)
        if (boxes[g->order[k]].w > widest) widest = boxes[g->order[k]].w;
    int x = boxes[g->order[s]].x;                /* a layer's boxes share it */
    size_t nfixed = fixed_near(boxes, g->n, x, x + widest - 1, fixed);
    int cursor = 0;
    for (int k = s; k < e; k++) {
        dg_box *b = &boxes[g->order[k]];
        if (b->y < cursor) b->y = cursor;
        if (nfixed) b->y = below_fixed(boxes, fixed, nfixed, *b, gap_y);
        cursor = b->y + b->h + gap_y;
    }
}

/* Step 4: columns per layer; rows by passes down (level with the inputs),
 * up (with the readers) and down again; then clear of fixed boxes. */
static void place_layers(const lgraph *g, dg_box *boxes, size_t nfree, int gap_x, int gap_y)
{
    pool *pools = xmalloc((nfree + 1) * sizeof(pool));
    int *fixed = xmalloc((g->n + 1) * sizeof(int));
    stack_columns(g, boxes, gap_x, gap_y);
    for (int pass = 0; pass < 3; pass++)
        for (int k = 0; k < g->nlayers; k++) {
            bool down = pass != 1;
            align_layer(g, boxes, down ? k : g->nlayers - 1 - k, down ? &g->pred : &g->succ, gap_y,
                        pools);
        }
    for (int l = 0; l < g->nlayers; l++) clear_fixed(g, boxes, l, gap_y, fixed);
    free(pools);
    free(fixed);
}

int dg_layout(dg_box *boxes, size_t n, const dg_edge *edges, size_t m, const dg_layout_opts *o)
{
    int gap_x, gap_y;
    gaps(o, &gap_x, &gap_y);
    lgraph g;
    size_t nfree = build_layers(&g, boxes, n, edges, m);
    long long crossings = 0;
    if (nfree) {
        dg_box *ext;
        size_t nv = add_dummies(&g, boxes, nfree, &ext);
        crossings = order_layers(&g, ext, nv, gap_y);
        place_layers(&g, ext, nv, gap_x, gap_y);
        memcpy(boxes, ext, n * sizeof(dg_box));
        free(ext);
    }
    lgraph_free(&g);
    return crossings > INT_MAX ? INT_MAX : (int)crossings;
}

/* ======================= one new box ======================= */

/* The row at or below b->y where b overlaps no box but itself (index i). */
static int free_row_below(const dg_box *boxes, size_t n, size_t i, dg_box b, int gap_y)
{
    bool moved = true;
    while (moved) {
        moved = false;
        for (size_t k = 0; k < n; k++)
            if (k != i && dg_overlap(&b, &boxes[k])) {
                b.y = boxes[k].y + boxes[k].h + gap_y;
                moved = true;
            }
    }
    return b.y;
}

void dg_place(dg_box *boxes, size_t n, const dg_edge *edges, size_t m, size_t i,
              const dg_layout_opts *o)
{
    if (i >= n) return;
    int gap_x, gap_y;
    gaps(o, &gap_x, &gap_y);
    dg_box *b = &boxes[i];
    int right = -1, inputs = 0, bottom = 0;
    long tops = 0;
    for (size_t e = 0; e < m; e++) {
        int f = edges[e].from;
        if ((size_t)edges[e].to != i || f < 0 || (size_t)f >= n || (size_t)f == i) continue;
        if (boxes[f].x + boxes[f].w > right) right = boxes[f].x + boxes[f].w;
        tops += boxes[f].y;
        inputs++;
    }
    for (size_t k = 0; k < n; k++)
        if (k != i && boxes[k].y + boxes[k].h + gap_y > bottom)
            bottom = boxes[k].y + boxes[k].h + gap_y;
    if (inputs) {
        b->x = right + gap_x;
        b->y = (int)((tops + inputs / 2) / inputs);
        if (b->y < 0) b->y = 0;
    } else {
        b->x = 0;
        b->y = bottom;
    }
    b->y = free_row_below(boxes, n, i, *b, gap_y);
}
