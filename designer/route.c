/*
 * route.c - the designer's edge routes (see layout.h): orthogonal polylines
 * from the right side of a source box to the left side of its target that go
 * round every box (the A* search is route_search.c; crossings are counted
 * in route_cross.c).
 *
 * An edge leaves its source on the output port's row (the first inner row;
 * edges out of one box fan out from there) and enters its target on an
 * inner row of its own when there are enough, in the order of the rows
 * they come from, so that they do not cross at the box. Edges are routed
 * target column by target column; within one, those going down from the
 * highest start and those going up from the lowest, which with verticals
 * taken right to left keeps them from crossing each other. A first pass
 * gives each edge, when it can:
 *   - a straight line, when the port rows are level and nothing is between;
 *   - across, down or up, across: the vertical in a free column near the
 *     target, the rightmost where neither it nor its horizontals would run
 *     along an earlier segment (segments of one port may: they fan out).
 * A second pass routes the rest, each by the first of these that works:
 *   - for edges crossing a layer of boxes, through the channels (columns no
 *     box covers on any row, such as the gaps between layers): along a row
 *     while it is free of boxes and of other edges' lines (the lanes the
 *     layout left), changing rows inside channels;
 *   - an A* search over the cells of a small window round both boxes (a
 *     step costs 1, a bend or a step along another line more), for edges
 *     with boxes in the way and edges going backwards;
 *   - through the channels, or backwards round below every box;
 *   - searches in larger windows;
 *   - when even that fails (an end inside another box), three segments
 *     drawn across whatever is there.
 * A last pass (route_untangle.c) swaps the input rows of two edges into one
 * box whose routes tangle, when that routes them better. The lines placed
 * so far are kept by track (route_track.c) for these checks.
 * The boxes are indexed row by row (merged column spans of each row), so a
 * segment is tested in O(log n) for each row it covers; placed segments are
 * chained by the column or row they run along.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "route_int.h"

#define SCAN_MAX 48      /* columns looked at for a free vertical */
#define RUN_MAX 32       /* columns of a free run tried for an unused one */
#define SMALL_CELLS (1 << 16) /* largest window searched before the channels */
#define DETOUR_CELLS (1 << 12) /* largest searched round another line */
#define MAX_CELLS (1 << 20) /* largest search window */
#define NO_COL INT_MIN
#define TRACK_MARGIN 64  /* rows and columns tracked beyond the boxes */
#define ROW_SEARCH 32    /* rows looked at below the boxes for a free one */
#define LOOKAHEAD 8      /* bands looked at ahead when changing rows */
#define CLEAR_NEAR 6     /* rows looked at past a shared one for a clear one */
#define BAND_CELLS_MAX (1LL << 24) /* largest table of the bands' box rows */

/* ======================= the boxes, row by row ======================= */

typedef struct cellrun {
    int y, x0, x1;
} cellrun;

static int cmp_cellrun(const void *a, const void *b)
{
    const cellrun *p = a, *q = b;
    if (p->y != q->y) return p->y < q->y ? -1 : 1;
    return (p->x0 > q->x0) - (p->x0 < q->x0);
}

static void rowix_build(rowix *ix, const dg_box *boxes, size_t n)
{
    memset(ix, 0, sizeof(*ix));
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        if (boxes[i].w > 0 && boxes[i].h > 0) total += (size_t)boxes[i].h;
    cellrun *runs = xmalloc((total + 1) * sizeof(cellrun));
    size_t k = 0;
    ix->x0 = ix->y0 = INT_MAX;
    ix->x1 = ix->y1 = INT_MIN;
    for (size_t i = 0; i < n; i++) {
        const dg_box *b = &boxes[i];
        if (b->w <= 0 || b->h <= 0) continue;
        for (int y = b->y; y < b->y + b->h; y++) runs[k++] = (cellrun){y, b->x, b->x + b->w - 1};
        if (b->x < ix->x0) ix->x0 = b->x;
        if (b->y < ix->y0) ix->y0 = b->y;
        if (b->x + b->w - 1 > ix->x1) ix->x1 = b->x + b->w - 1;
        if (b->y + b->h - 1 > ix->y1) ix->y1 = b->y + b->h - 1;
    }
    if (!k) ix->x0 = ix->y0 = ix->x1 = ix->y1 = 0;
    qsort(runs, k, sizeof(cellrun), cmp_cellrun);
    ix->rows = xmalloc((k + 1) * sizeof(int));
    ix->off = xmalloc((k + 1) * sizeof(size_t));
    ix->sp = xmalloc((k + 1) * sizeof(span));
    size_t nsp = 0;
    for (size_t j = 0; j < k; j++) {
        bool same_row = ix->nrows && ix->rows[ix->nrows - 1] == runs[j].y;
        if (same_row && ix->sp[nsp - 1].x1 >= runs[j].x0 - 1) {   /* touches the last: merge */
            if (runs[j].x1 > ix->sp[nsp - 1].x1) ix->sp[nsp - 1].x1 = runs[j].x1;
            continue;
        }
        if (!same_row) {
            ix->off[ix->nrows] = nsp;
            ix->rows[ix->nrows++] = runs[j].y;
        }
        ix->sp[nsp++] = (span){runs[j].x0, runs[j].x1};
    }
    ix->off[ix->nrows] = nsp;
    free(runs);
}

static void rowix_free(rowix *ix)
{
    free(ix->rows);
    free(ix->off);
    free(ix->sp);
}

/* Index of the first row >= y in ix->rows (nrows when none). */
size_t dgr_row_at_or_after(const rowix *ix, int y)
{
    size_t lo = 0, hi = ix->nrows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ix->rows[mid] < y) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The spans of row y (none: *cnt = 0). */
static const span *row_spans(const rowix *ix, int y, size_t *cnt)
{
    size_t k = dgr_row_at_or_after(ix, y);
    if (k == ix->nrows || ix->rows[k] != y) {
        *cnt = 0;
        return NULL;
    }
    *cnt = ix->off[k + 1] - ix->off[k];
    return ix->sp + ix->off[k];
}

/* Index of the first span ending at or after x. */
size_t dgr_span_from(const span *sp, size_t cnt, int x)
{
    size_t lo = 0, hi = cnt;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sp[mid].x1 < x) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The first column of [a, b] on row y inside a box, or INT_MAX. */
static int first_blocked(const rowix *ix, int y, int a, int b)
{
    size_t cnt;
    const span *sp = row_spans(ix, y, &cnt);
    size_t k = dgr_span_from(sp, cnt, a);
    if (k == cnt || sp[k].x0 > b) return INT_MAX;
    return sp[k].x0 > a ? sp[k].x0 : a;
}

/* The last column of [a, b] on row y inside a box, or INT_MIN. */
static int last_blocked(const rowix *ix, int y, int a, int b)
{
    size_t cnt;
    const span *sp = row_spans(ix, y, &cnt);
    size_t k = dgr_span_from(sp, cnt, b + 1);     /* spans before k end at or before b */
    if (k < cnt && sp[k].x0 <= b) return b;
    if (k == 0 || sp[k - 1].x1 < a) return INT_MIN;
    return sp[k - 1].x1;
}

static bool cell_blocked(const rowix *ix, int x, int y)
{
    return first_blocked(ix, y, x, x) != INT_MAX;
}

/* true when no box has a cell in column x on rows [a, b]. */
static bool vfree(const rowix *ix, int x, int a, int b)
{
    if (a > b) {
        int t = a;
        a = b;
        b = t;
    }
    for (size_t k = dgr_row_at_or_after(ix, a); k < ix->nrows && ix->rows[k] <= b; k++) {
        const span *sp = ix->sp + ix->off[k];
        size_t cnt = ix->off[k + 1] - ix->off[k], j = dgr_span_from(sp, cnt, x);
        if (j < cnt && sp[j].x0 <= x) return false;
    }
    return true;
}

/* ======================= the router ======================= */


bool dgr_edge_ok(const router *r, size_t e)
{
    int a = r->edges[e].from, b = r->edges[e].to;
    return a >= 0 && b >= 0 && (size_t)a < r->n && (size_t)b < r->n;
}

static int cmp_span(const void *a, const void *b)
{
    const span *p = a, *q = b;
    return (p->x0 > q->x0) - (p->x0 < q->x0);
}

/* The channels: the gaps between the columns the boxes cover, with one
 * open-ended channel on each side. */
static void find_channels(router *r)
{
    span *cover = xmalloc((r->n + 1) * sizeof(span));
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->boxes[i].w > 0 && r->boxes[i].h > 0)
            cover[k++] = (span){r->boxes[i].x, r->boxes[i].x + r->boxes[i].w - 1};
    qsort(cover, k, sizeof(span), cmp_span);
    r->ch = xmalloc((k + 2) * sizeof(span));
    int edge = INT_MIN / 2;                 /* first column not yet known covered */
    for (size_t j = 0; j < k; j++) {
        if (cover[j].x0 > edge) r->ch[r->nch++] = (span){edge, cover[j].x0 - 1};
        if (cover[j].x1 + 1 > edge) edge = cover[j].x1 + 1;
    }
    r->ch[r->nch++] = (span){edge, INT_MAX / 2};
    free(cover);
}

static void bands_init(router *r);

static void router_init(router *r, const dg_box *boxes, size_t n, const dg_edge *edges, size_t m)
{
    memset(r, 0, sizeof(*r));
    r->boxes = boxes;
    r->n = n;
    r->edges = edges;
    r->m = m;
    rowix_build(&r->ix, boxes, n);
    find_channels(r);
    bands_init(r);
    r->src_row = xcalloc(m + 1, sizeof(int));
    r->dst_row = xcalloc(m + 1, sizeof(int));
    dgr_tracks_init(&r->cols, r->ix.x0, r->ix.x1, TRACK_MARGIN);
    dgr_tracks_init(&r->rows, r->ix.y0, r->ix.y1, TRACK_MARGIN);
}

static void router_free(router *r)
{
    rowix_free(&r->ix);
    free(r->ch);
    free(r->band_box);
    free(r->src_row);
    free(r->dst_row);
    dgr_tracks_free(&r->cols);
    dgr_tracks_free(&r->rows);
    VEC_FREE(&r->path);
    free(r->blocked);
    free(r->dist);
    VEC_FREE(&r->heap);
}

/* Remembers the segments of edge e's route p[0..n) for the checks of
 * later routes (add), or forgets them (!add). */
void dgr_note_route(router *r, const dg_edge *e, const dg_point *p, size_t n, bool add)
{
    for (size_t k = 0; k + 1 < n; k++) {
        bool vertical = p[k].x == p[k + 1].x;
        int src, dst;
        dgr_seg_keys(e, k, n, vertical, &src, &dst);
        tracks *t = vertical ? &r->cols : &r->rows;
        int at = vertical ? p[k].x : p[k].y;
        int a = vertical ? p[k].y : p[k].x, b = vertical ? p[k + 1].y : p[k + 1].x;
        if (add) dgr_track_add(t, at, a, b, src, dst);
        else dgr_track_remove(t, at, a, b, src, dst);
    }
}

/* Appends p to the route being built, dropping repeats and merging it into
 * a straight run it continues. */
void dgr_path_add(router *r, dg_point p)
{
    size_t n = r->path.n;
    dg_point *v = r->path.v;
    if (n && v[n - 1].x == p.x && v[n - 1].y == p.y) return;
    if (n >= 2 && ((v[n - 2].x == v[n - 1].x && v[n - 1].x == p.x) ||
                   (v[n - 2].y == v[n - 1].y && v[n - 1].y == p.y))) {
        v[n - 1] = p;
        return;
    }
    VEC_PUSH(&r->path, p);
}

/* ======================= ports ======================= */

/* The rows an edge may use on a box: its inner rows, or all of a thin one.
 * Every edge out of a box leaves on the first (where the view draws the
 * output port), fanning out from there. */
static void port_rows(const dg_box *b, int *lo, int *hi)
{
    *lo = b->h >= 3 ? b->y + 1 : b->y;
    *hi = b->h >= 3 ? b->y + b->h - 2 : b->y + b->h - 1;
    if (*hi < *lo) *hi = *lo;
}

/* The row of input j of k on box b: one each from the top when there are
 * rows enough (so a lone input is level with the output of a box level
 * with b), else spread evenly over them (some shared). */
static int input_row(const dg_box *b, int j, int k)
{
    int lo, hi;
    port_rows(b, &lo, &hi);
    int cnt = hi - lo + 1;
    return k <= cnt ? lo + j : lo + (int)((long)j * cnt / k);
}

/* row, or when one in taken holds it, the nearest inner row none holds. */
static int untaken_row(const dg_box *b, int row, const int *taken, int nt)
{
    int lo, hi;
    port_rows(b, &lo, &hi);
    for (int d = 0; d <= hi - lo; d++)
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            int y = row + sgn * d, k = 0;
            if (y < lo || y > hi) continue;
            while (k < nt && taken[k] != y) k++;
            if (k == nt) return y;
        }
    return row;
}

typedef struct portkey {
    int y, x, e;
} portkey;

static int cmp_portkey(const void *a, const void *b)
{
    const portkey *p = a, *q = b;
    if (p->y != q->y) return p->y < q->y ? -1 : 1;
    if (p->x != q->x) return p->x < q->x ? -1 : 1;
    return (p->e > q->e) - (p->e < q->e);
}

/* Input rows of the k edges es into box v, in the order of the rows they
 * leave their sources on, so that they do not cross at v. With redo, only
 * the edges it marks get rows, avoiding those the kept routes enter on. */
static void assign_inputs(router *r, int v, const int *es, int k, const bool *redo,
                          const dg_route *routes, portkey *keys, int *taken)
{
    const dg_box *b = &r->boxes[v];
    for (int j = 0; j < k; j++) {
        const dg_box *o = &r->boxes[r->edges[es[j]].from];
        keys[j] = (portkey){r->src_row[es[j]], o->x, es[j]};
    }
    qsort(keys, (size_t)k, sizeof(portkey), cmp_portkey);
    int nt = 0;
    for (int j = 0; redo && j < k; j++) {
        const dg_route *rt = &routes[keys[j].e];
        if (!redo[keys[j].e] && rt->n) taken[nt++] = rt->pts[rt->n - 1].y;
    }
    for (int j = 0; j < k; j++)
        if (!redo || redo[keys[j].e])
            r->dst_row[keys[j].e] = untaken_row(b, input_row(b, j, k), taken, nt);
}

/* Port rows of every edge to route (all without redo). */
static void assign_ports(router *r, const bool *redo, const dg_route *routes)
{
    int *off = xcalloc(r->n + 2, sizeof(int)), *into = xmalloc((r->m + 1) * sizeof(int));
    bool *touched = xcalloc(r->n + 1, sizeof(bool));
    for (size_t e = 0; e < r->m; e++) {
        if (!dgr_edge_ok(r, e)) continue;
        int hi;
        port_rows(&r->boxes[r->edges[e].from], &r->src_row[e], &hi);
        off[r->edges[e].to + 2]++;
        if (!redo || redo[e]) touched[r->edges[e].to] = true;
    }
    for (size_t v = 0; v < r->n; v++) off[v + 2] += off[v + 1];   /* edges into v: */
    for (size_t e = 0; e < r->m; e++)                             /* into[off[v]..off[v+1]) */
        if (dgr_edge_ok(r, e)) into[off[r->edges[e].to + 1]++] = (int)e;
    portkey *keys = xmalloc((r->m + 1) * sizeof(portkey));
    int *taken = xmalloc((r->m + 1) * sizeof(int));
    for (size_t v = 0; v < r->n; v++)
        if (touched[v])
            assign_inputs(r, (int)v, into + off[v], off[v + 1] - off[v], redo, routes, keys, taken);
    free(off);
    free(into);
    free(touched);
    free(keys);
    free(taken);
}

/* ======================= direct routes ======================= */

/* What a vertical segment joins: it comes along row a from column from and
 * goes along row b to column to, those two horizontal segments keyed src
 * and dst (from = NO_COL: they are not looked at); tx: the column of the
 * target's arrow when the vertical is its last (else NO_COL); in_channel:
 * its columns are in a channel, free of boxes on every row. */
typedef struct joint {
    int a, b, from, to, src, dst, tx;
    bool in_channel;
} joint;

/* The first cell of row y at or right of x (last: at or left of x) that a
 * segment keyed src, dst may not share; INT_MAX (INT_MIN) when none. */
static int row_busy_from(router *r, int y, int x, int src, int dst, bool last)
{
    return dgr_track_busy_from(&r->rows, y, x, src, dst, last);
}

/* true when another edge's line ends or runs on column x between rows a
 * and b (in the arrows' column: the other edges' arrows into the box). */
static bool arrow_between(router *r, int x, int a, int b)
{
    for (int y = a < b ? a : b; y <= (a < b ? b : a); y++)
        if (dgr_track_busy(&r->rows, y, x, x)) return true;
    return false;
}

/* A column in [lo, hi] for the vertical j, free of boxes on its rows: in
 * the free run nearest the target, the rightmost where it and its
 * horizontals run clear of earlier segments (but those of the same ports;
 * the arrow's column only when there is no other: the arrow is better
 * entered from the left), else the run's right end (but the arrow's);
 * NO_COL when no free column is near. *clear_out (when not NULL) tells
 * whether the column is clear of other lines. */
static int pick_column(router *r, int lo, int hi, const joint *j, bool *clear_out)
{
    int c = hi, tries = 0;
    while (c >= lo && !j->in_channel && !vfree(&r->ix, c, j->a, j->b)) {
        if (++tries > SCAN_MAX) return NO_COL;
        c--;
    }
    if (c < lo) return NO_COL;
    int clear_lo = INT_MIN, clear_hi = INT_MAX;   /* where its horizontals are clear */
    if (j->from != NO_COL) {
        clear_hi = row_busy_from(r, j->a, j->from, j->src, -1, false);
        clear_hi = clear_hi == INT_MAX ? INT_MAX : clear_hi - 1;
        clear_lo = row_busy_from(r, j->b, j->to, -1, j->dst, true);
        clear_lo = clear_lo == INT_MIN ? INT_MIN : clear_lo + 1;
    }
    int right = c, fallback = c;
    bool tx_clear = false;
    for (int k = 0; k < RUN_MAX && c - k >= lo; k++) {
        int x = c - k;
        if (k && !j->in_channel && !vfree(&r->ix, x, j->a, j->b)) break;
        bool clear = x >= clear_lo && x <= clear_hi && !dgr_track_busy(&r->cols, x, j->a, j->b);
        if (x == j->tx && x > lo) {
            tx_clear = clear && !arrow_between(r, x, j->a, j->b);
            continue;
        }
        if (fallback == right && x != right) fallback = x;
        if (clear) {
            if (clear_out) *clear_out = true;
            return x;
        }
    }
    if (clear_out) *clear_out = tx_clear;
    if (tx_clear) return j->tx;  /* better than running along another line */
    return right == j->tx && fallback != right ? fallback : right;
}

/* A straight line, or across-vertical-across with the vertical in a column
 * pick_column gives; false when boxes are in the way or (unless shared_ok)
 * it would run along another edge's line. t is not left of s. */
static bool route_direct(router *r, const dg_edge *e, dg_point s, dg_point t, bool shared_ok)
{
    r->path.n = 0;
    if (s.y == t.y) {
        if (first_blocked(&r->ix, s.y, s.x, t.x) != INT_MAX ||
            (!shared_ok && row_busy_from(r, s.y, s.x, e->from, e->to, false) <= t.x))
            return false;
        dgr_path_add(r, s);
        dgr_path_add(r, t);
        return true;
    }
    int hi = first_blocked(&r->ix, s.y, s.x, t.x);
    int lo = last_blocked(&r->ix, t.y, s.x, t.x);
    hi = hi == INT_MAX ? t.x : hi - 1;
    lo = lo == INT_MIN ? s.x : lo + 1;
    joint j = {s.y, t.y, s.x, t.x, e->from, e->to, t.x, false};
    bool clear = false;
    int c = lo <= hi ? pick_column(r, lo, hi, &j, &clear) : NO_COL;
    if (c == NO_COL || (!clear && !shared_ok)) return false;
    dgr_path_add(r, s);
    dgr_path_add(r, (dg_point){c, s.y});
    dgr_path_add(r, (dg_point){c, t.y});
    dgr_path_add(r, t);
    return true;
}

/* Three segments across whatever is there (or, backwards, round below both
 * boxes): for ends no search can reach. */
static void route_plain(router *r, dg_point s, dg_point t, const dg_box *a, const dg_box *b)
{
    r->path.n = 0;
    dgr_path_add(r, s);
    if (t.x >= s.x) {
        int c = s.x + (t.x - s.x + 1) / 2;
        dgr_path_add(r, (dg_point){c, s.y});
        dgr_path_add(r, (dg_point){c, t.y});
    } else {
        int below = a->y + a->h > b->y + b->h ? a->y + a->h : b->y + b->h;
        dgr_path_add(r, (dg_point){s.x + 1, s.y});
        dgr_path_add(r, (dg_point){s.x + 1, below});
        dgr_path_add(r, (dg_point){t.x - 1, below});
        dgr_path_add(r, (dg_point){t.x - 1, t.y});
    }
    dgr_path_add(r, t);
}

/* ======================= routes through channels ======================= */

/* Index of the first channel ending at or after column x. */
static size_t chan_from(const router *r, int x)
{
    size_t lo = 0, hi = r->nch;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->ch[mid].x1 < x) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* true when row y is free of boxes over columns [a, b] (an empty stretch
 * is). */
static bool passes(const router *r, int y, int a, int b)
{
    return a > b || first_blocked(&r->ix, y, a, b) == INT_MAX;
}

/* The rows each whole band (the columns between two channels) has a box
 * on, for band_passes: a box lies in one band, as channels hold none. */
static void bands_init(router *r)
{
    r->band_h = r->ix.y1 - r->ix.y0 + 1;
    if (r->nch < 2 || (long long)(r->nch - 1) * r->band_h > BAND_CELLS_MAX) return;
    r->band_box = xcalloc((r->nch - 1) * (size_t)r->band_h + 1, 1);
    for (size_t i = 0; i < r->n; i++) {
        const dg_box *b = &r->boxes[i];
        size_t k = chan_from(r, b->x);
        if (b->w <= 0 || b->h <= 0 || k == 0 || k >= r->nch) continue;
        memset(r->band_box + (k - 1) * (size_t)r->band_h + (b->y - r->ix.y0), 1, (size_t)b->h);
    }
}

/* passes for [a, b] in the band after channel k: looked up when it is the
 * whole band. */
static bool band_passes(const router *r, size_t k, int y, int a, int b)
{
    if (!r->band_box || k + 1 >= r->nch || a != r->ch[k].x1 + 1 || b != r->ch[k + 1].x0 - 1)
        return passes(r, y, a, b);
    return y < r->ix.y0 || y > r->ix.y1 || !r->band_box[k * (size_t)r->band_h + (y - r->ix.y0)];
}

/* band_passes, and no other edge's line runs along row y there (the edge
 * being routed may share the lines of its own ports: they fan out). */
static bool passes_clear(router *r, size_t k, int y, int a, int b)
{
    return band_passes(r, k, y, a, b) &&
           (a > b || row_busy_from(r, y, a, r->cur_src, r->cur_dst, false) > b);
}

/* The row nearest want that is free of boxes over columns [a, b] (in the
 * band after channel k), one no other line runs along when there is one
 * within CLEAR_NEAR rows; the row below every box is always free of boxes. */
static int nearest_row(router *r, size_t k, int want, int a, int b)
{
    int top = r->ix.y0 - 1 < 0 ? r->ix.y0 - 1 : 0, bottom = r->ix.y1 + 1, shared = INT_MIN;
    for (int d = 0;; d++) {
        for (int sgn = -1; sgn <= 1; sgn += 2) {
            int y = want + sgn * d;
            if (y < top || y > bottom || !band_passes(r, k, y, a, b)) continue;
            if (passes_clear(r, k, y, a, b)) return y;
            if (shared == INT_MIN) shared = y;
        }
        if (shared != INT_MIN && d >= CLEAR_NEAR) return shared;
        if (want - d < top && want + d > bottom) return shared != INT_MIN ? shared : bottom;
    }
}

/* The band after channel k on the way to column tx: columns [*b0, *b1];
 * true when it is the last, into the target. */
static bool band_after(const router *r, size_t k, int tx, int *b0, int *b1)
{
    bool last = k + 1 == r->nch || r->ch[k + 1].x0 > tx;
    *b0 = r->ch[k].x1 + 1;
    *b1 = last ? tx : r->ch[k + 1].x0 - 1;
    return last;
}

/* How many bands row y passes from the one after channel k on (looking at
 * most LOOKAHEAD ahead); more than that when it goes all the way to t. */
static int reach(router *r, size_t k, int y, dg_point t)
{
    for (int n = 0; n < LOOKAHEAD; n++, k++) {
        int b0, b1;
        bool last = band_after(r, k, t.x, &b0, &b1);
        if (!passes_clear(r, k, y, b0, b1) || (last && y != t.y)) return n;
        if (last) return LOOKAHEAD + 1;
    }
    return LOOKAHEAD;
}

/* The row to cross the band after channel k on, coming along row cur: cur
 * while it goes through, unless t's row goes as far; else whichever of t's
 * row, the free rows nearest it and cur, and cur, goes furthest clear of
 * other lines (the nearest t's row of those that go as far). */
static int next_row(router *r, size_t k, int cur, dg_point t, int b0, int b1)
{
    if (passes_clear(r, k, cur, b0, b1)) {
        if (cur == t.y || !passes_clear(r, k, t.y, b0, b1)) return cur;
        return reach(r, k, t.y, t) >= reach(r, k, cur, t) ? t.y : cur;
    }
    int cand[4] = {t.y, nearest_row(r, k, t.y, b0, b1), nearest_row(r, k, cur, b0, b1), cur};
    int best = cand[1], far = -1;   /* nearest_row's rows are free of boxes */
    for (int i = 0; i < 4; i++) {
        if (!band_passes(r, k, cand[i], b0, b1)) continue;
        int n = reach(r, k, cand[i], t);
        if (n > far || (n == far && abs(cand[i] - t.y) < abs(best - t.y))) {
            best = cand[i];
            far = n;
        }
    }
    return best;
}

/* Forward through the channels between s and t: along a row while it is
 * free, changing rows inside a channel as next_row says, so as to change
 * few times and come level with t early. */
static bool route_channels(router *r, dg_point s, dg_point t)
{
    r->path.n = 0;
    size_t k = chan_from(r, s.x);
    if (k == r->nch || r->ch[k].x0 > t.x || !passes(r, s.y, s.x, r->ch[k].x0 - 1)) return false;
    dgr_path_add(r, s);
    int cur = s.y, run = s.x;    /* the row it runs along, since column run */
    for (; k < r->nch && r->ch[k].x0 <= t.x; k++) {
        int c0 = r->ch[k].x0 > s.x ? r->ch[k].x0 : s.x, c1 = r->ch[k].x1 < t.x ? r->ch[k].x1 : t.x;
        int b0, b1;
        bool last = band_after(r, k, t.x, &b0, &b1);
        int row = last ? t.y : next_row(r, k, cur, t, b0, b1);
        if (last && !passes(r, row, b0, b1)) return false;
        if (row == cur) continue;
        /* the rows on both sides of the vertical clear of other lines */
        joint j = {cur, row, run, b1, run == s.x ? r->cur_src : -1, last ? r->cur_dst : -1,
                   last ? t.x : NO_COL, true};
        int c = pick_column(r, c0, c1, &j, NULL);
        if (c == NO_COL) return false;
        dgr_path_add(r, (dg_point){c, cur});
        dgr_path_add(r, (dg_point){c, row});
        cur = row;
        run = c;
    }
    if (cur != t.y) return false;
    dgr_path_add(r, t);
    return true;
}

/* Backwards round below every box: down a channel right of s, left along
 * the row below them all, up a channel left of t. */
static bool route_round(router *r, dg_point s, dg_point t)
{
    r->path.n = 0;
    size_t ks = chan_from(r, s.x), kt = chan_from(r, t.x);
    if (ks == r->nch || kt == r->nch || r->ch[kt].x0 > t.x) return false;
    int s0 = r->ch[ks].x0 > s.x ? r->ch[ks].x0 : s.x, t1 = r->ch[kt].x1 < t.x ? r->ch[kt].x1 : t.x;
    if (!passes(r, s.y, s.x, s0 - 1)) return false;
    int below = r->ix.y1 + 2;
    while (below < r->ix.y1 + ROW_SEARCH && dgr_track_busy(&r->rows, below, t.x, s.x)) below++;
    joint down = {s.y, below, NO_COL, NO_COL, -1, -1, NO_COL, true};
    joint up = {below, t.y, NO_COL, NO_COL, -1, -1, t.x, true};
    int c1 = pick_column(r, s0, s0 + 2 < r->ch[ks].x1 ? s0 + 2 : r->ch[ks].x1, &down, NULL);
    int c2 = pick_column(r, r->ch[kt].x0, t1, &up, NULL);
    if (c1 == NO_COL || c2 == NO_COL) return false;
    dgr_path_add(r, s);
    dgr_path_add(r, (dg_point){c1, s.y});
    dgr_path_add(r, (dg_point){c1, below});
    dgr_path_add(r, (dg_point){c2, below});
    dgr_path_add(r, (dg_point){c2, t.y});
    dgr_path_add(r, t);
    return true;
}

/* ======================= routing edges ======================= */

/* The cells an edge starts and ends on. */
static void edge_ends(const router *r, size_t e, dg_point *s, dg_point *t)
{
    const dg_box *a = &r->boxes[r->edges[e].from], *b = &r->boxes[r->edges[e].to];
    *s = (dg_point){a->x + a->w, r->src_row[e]};
    *t = (dg_point){b->x - 1, r->dst_row[e]};
}

/* How many channels columns a to b run through. */
static size_t channels_between(const router *r, int a, int b)
{
    size_t k = chan_from(r, a), n = 0;
    for (; k < r->nch && r->ch[k].x0 <= b && n < 2; k++) n++;
    return n;
}

/* An edge no straight or once-bent line will do: channels first when it
 * crosses a layer of boxes (searching its long window would be slow), a
 * search in a small window first otherwise; then larger windows. */
static bool route_hard(router *r, dg_point s, dg_point t, const dg_box *a, const dg_box *b)
{
    bool far = t.x > s.x && channels_between(r, s.x, t.x) >= 2;
    if (far && route_channels(r, s, t)) return true;
    if (dgr_route_search(r, s, t, a, b, 2, SMALL_CELLS)) return true;
    if (!far && (t.x > s.x ? route_channels(r, s, t) : route_round(r, s, t))) return true;
    return dgr_route_search(r, s, t, a, b, 10, MAX_CELLS) || dgr_route_search(r, s, t, a, b, -1, MAX_CELLS);
}

/* Routes edge e into r->path: on the first pass only straight or once bent
 * (false when that will not do), on the second any way. */
bool dgr_route_edge(router *r, size_t e, bool first)
{
    dg_point s, t;
    edge_ends(r, e, &s, &t);
    const dg_box *a = &r->boxes[r->edges[e].from], *b = &r->boxes[r->edges[e].to];
    r->cur_src = r->edges[e].from;
    r->cur_dst = r->edges[e].to;
    bool ends_free = !cell_blocked(&r->ix, s.x, s.y) && !cell_blocked(&r->ix, t.x, t.y);
    bool forward = ends_free && t.x >= s.x;
    if (first) return forward && route_direct(r, &r->edges[e], s, t, false);
    /* a direct route would run along another line: a short way round, if
     * a small search finds one, else along it */
    if (forward && (dgr_route_search(r, s, t, a, b, 2, DETOUR_CELLS) ||
                    route_direct(r, &r->edges[e], s, t, true)))
        return true;
    if (!ends_free || !route_hard(r, s, t, a, b)) route_plain(r, s, t, a, b);
    return true;
}

/* Hands r->path over to out as edge e's route (noted). */
void dgr_emit(router *r, size_t e, dg_route *out)
{
    if (r->path.n == 1) VEC_PUSH(&r->path, r->path.v[0]);   /* both ends one cell */
    dgr_note_route(r, &r->edges[e], r->path.v, r->path.n, true);
    out->n = r->path.n;
    out->pts = xmalloc(out->n * sizeof(dg_point));
    memcpy(out->pts, r->path.v, out->n * sizeof(dg_point));
}

typedef struct edgekey {
    int tx, up, k1, k2, e;
} edgekey;

static int cmp_edgekey(const void *a, const void *b)
{
    const edgekey *p = a, *q = b;
    if (p->tx != q->tx) return p->tx < q->tx ? -1 : 1;
    if (p->up != q->up) return p->up < q->up ? -1 : 1;
    if (p->k1 != q->k1) return p->k1 < q->k1 ? -1 : 1;
    if (p->k2 != q->k2) return p->k2 < q->k2 ? -1 : 1;
    return (p->e > q->e) - (p->e < q->e);
}

/* The edges to route in the order the file comment gives. */
static size_t route_order(const router *r, const bool *redo, edgekey *keys)
{
    size_t k = 0;
    for (size_t e = 0; e < r->m; e++) {
        if (!dgr_edge_ok(r, e) || (redo && !redo[e])) continue;
        dg_point s, t;
        edge_ends(r, e, &s, &t);
        bool up = t.y < s.y;
        keys[k++] = (edgekey){t.x, up, up ? -s.y : s.y, up ? -t.y : t.y, (int)e};
    }
    qsort(keys, k, sizeof(edgekey), cmp_edgekey);
    return k;
}

/* Routes the edges redo marks (all without it) into routes; the others'
 * routes stay as they are and are kept clear of. */
static void route_some(const dg_box *boxes, size_t n, const dg_edge *edges, size_t m,
                       const bool *redo, dg_route *routes)
{
    router r;
    router_init(&r, boxes, n, edges, m);
    for (size_t e = 0; redo && e < m; e++)
        if (!redo[e] && dgr_edge_ok(&r, e)) dgr_note_route(&r, &edges[e], routes[e].pts, routes[e].n, true);
    assign_ports(&r, redo, routes);
    edgekey *keys = xmalloc((m + 1) * sizeof(edgekey));
    size_t k = route_order(&r, redo, keys), later = 0;
    for (size_t j = 0; j < k; j++) {
        size_t e = (size_t)keys[j].e;
        if (dgr_route_edge(&r, e, true)) dgr_emit(&r, e, &routes[e]);
        else keys[later++] = keys[j];
    }
    for (size_t j = 0; j < later; j++) {
        dgr_route_edge(&r, (size_t)keys[j].e, false);
        dgr_emit(&r, (size_t)keys[j].e, &routes[keys[j].e]);
    }
    dgr_untangle_inputs(&r, redo, routes);
    free(keys);
    router_free(&r);
}

void dg_route_edges(const dg_box *boxes, size_t n, const dg_edge *edges, size_t m,
                    dg_route *out)
{
    if (m) memset(out, 0, m * sizeof(dg_route));
    route_some(boxes, n, edges, m, NULL, out);
}

void dg_route_edges_of(const dg_box *boxes, size_t n, const dg_edge *edges, size_t m,
                       const bool *moved, dg_route *routes)
{
    if (!moved) return;
    bool *redo = xcalloc(m + 1, sizeof(bool));
    for (size_t e = 0; e < m; e++) {
        int a = edges[e].from, b = edges[e].to;
        if (a < 0 || b < 0 || (size_t)a >= n || (size_t)b >= n || !(moved[a] || moved[b])) continue;
        redo[e] = true;
        free(routes[e].pts);
        routes[e] = (dg_route){0};
    }
    route_some(boxes, n, edges, m, redo, routes);
    free(redo);
}

void dg_routes_free(dg_route *routes, size_t m)
{
    if (!routes) return;
    for (size_t e = 0; e < m; e++) free(routes[e].pts);
    free(routes);
}
