/*
 * route_search.c - the edge router's last resort (see route.c): an A* search
 * over the cells of a window round both ends, a step costing 1, a bend
 * BEND more and a step along another edge's line SHARE more, that goes round
 * whatever boxes are in the way.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "route_int.h"

#define BEND 4           /* extra cost of a bend in the search */
#define SHARE 6          /* extra cost of a step along another edge's line */

/* r->blocked's cell flags: a box, another edge's horizontal line, its
 * vertical line */
enum { BOX = 1, ALONG_ROW = 2, ALONG_COL = 4 };

/* ======================= search ======================= */

enum { RIGHT, DOWN, LEFT, UP };      /* opposite directions differ in bit 1 */
static const int DX[4] = {1, 0, -1, 0}, DY[4] = {0, 1, 0, -1};

typedef struct window {
    int x0, y0, w, h;
} window;

static void heap_push(router *r, int f, int state)
{
    VEC_GROW(&r->heap);
    size_t i = r->heap.n++;
    hitem *v = r->heap.v;
    while (i && v[(i - 1) / 2].f > f) {
        v[i] = v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    v[i] = (hitem){f, state};
}

static hitem heap_pop(router *r)
{
    hitem *v = r->heap.v, top = v[0], last = v[--r->heap.n];
    size_t i = 0, n = r->heap.n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && v[c + 1].f < v[c].f) c++;
        if (v[c].f >= last.f) break;
        v[i] = v[c];
        i = c;
    }
    if (n) v[i] = last;
    return top;
}

/* Marks the box cells of window w in r->blocked. */
static void fill_blocked(router *r, window w)
{
    size_t cells = (size_t)w.w * (size_t)w.h;
    if (cells > r->cap) {
        free(r->blocked);
        free(r->dist);
        r->blocked = xmalloc(cells);
        r->dist = xmalloc(cells * 4 * sizeof(int));
        r->cap = cells;
    }
    memset(r->blocked, 0, cells);
    const rowix *ix = &r->ix;
    for (size_t k = dgr_row_at_or_after(ix, w.y0); k < ix->nrows && ix->rows[k] < w.y0 + w.h; k++) {
        const span *sp = ix->sp + ix->off[k];
        size_t cnt = ix->off[k + 1] - ix->off[k];
        unsigned char *row = r->blocked + (size_t)(ix->rows[k] - w.y0) * (size_t)w.w;
        for (size_t j = dgr_span_from(sp, cnt, w.x0); j < cnt && sp[j].x0 < w.x0 + w.w; j++) {
            int a = sp[j].x0 > w.x0 ? sp[j].x0 - w.x0 : 0;
            int b = sp[j].x1 < w.x0 + w.w - 1 ? sp[j].x1 - w.x0 : w.w - 1;
            memset(row + a, BOX, (size_t)(b - a + 1));
        }
    }
}

/* Flags flag on the cells of window w that the lines on tracks t (rows:
 * horizontal, else vertical) cover, but those of the edge's own ports. */
static void fill_lines(router *r, window w, const tracks *t, bool rows, unsigned char flag)
{
    int lo = rows ? w.y0 : w.x0, hi = rows ? w.y0 + w.h - 1 : w.x0 + w.w - 1;
    int from = rows ? w.x0 : w.y0, to = rows ? w.x0 + w.w - 1 : w.y0 + w.h - 1;
    for (int at = lo; at <= hi; at++) {
        long k = (long)at - t->lo;
        if (k < 0 || (size_t)k >= t->n) continue;
        const segline *l = &t->line[k];
        for (size_t i = 0; i < l->n && l->v[i].a <= to; i++) {
            const seg *g = &l->v[i];
            if (g->b < from || (g->src >= 0 && g->src == r->cur_src) ||
                (g->dst >= 0 && g->dst == r->cur_dst))
                continue;
            for (int c = g->a > from ? g->a : from; c <= (g->b < to ? g->b : to); c++) {
                int x = rows ? c : at, y = rows ? at : c;
                r->blocked[(size_t)(y - w.y0) * (size_t)w.w + (size_t)(x - w.x0)] |= flag;
            }
        }
    }
}

/* Cost of the step into cell (of goal tc) going nd after going d. */
static int step_cost(const router *r, int d, int nd, int cell, int tc)
{
    unsigned char along = nd == RIGHT || nd == LEFT ? ALONG_ROW : ALONG_COL;
    return 1 + (nd != d ? BEND : 0) + (cell == tc && nd != RIGHT ? BEND : 0) +
           (r->blocked[cell] & along ? SHARE : 0);
}

/* Walks back from the goal state along costs that add up, into r->path. */
static bool trace_back(router *r, window w, int state, int sc, int tc)
{
    VEC(int) cells = {0};
    while (state != sc * 4 + RIGHT) {
        int cell = state >> 2, d = state & 3, pc = cell - DX[d] - DY[d] * w.w, found = -1;
        VEC_PUSH(&cells, cell);
        for (int pd = 0; pd < 4 && found < 0; pd++) {
            int ps = pc * 4 + pd;
            if (pd != (d ^ 2) && r->dist[ps] != INT_MAX &&
                r->dist[ps] + step_cost(r, pd, d, cell, tc) == r->dist[state])
                found = ps;
        }
        if (found < 0) break;
        state = found;
    }
    bool ok = state == sc * 4 + RIGHT;
    if (ok) {
        dgr_path_add(r, (dg_point){w.x0 + sc % w.w, w.y0 + sc / w.w});
        for (size_t k = cells.n; k-- > 0;)
            dgr_path_add(r, (dg_point){w.x0 + cells.v[k] % w.w, w.y0 + cells.v[k] / w.w});
    }
    VEC_FREE(&cells);
    return ok;
}

/* A lower bound of the cost from cell (x, y), going d, to (tx, ty) going
 * right: the distance and the bends no path there can do without. */
static int estimate(int x, int y, int d, int tx, int ty)
{
    int bends;
    if (y != ty) bends = d == UP || d == DOWN ? 1 : 2;
    else if (x == tx) bends = 0;
    else bends = d == RIGHT && tx > x ? 0 : d == UP || d == DOWN ? 1 : 2;
    return abs(x - tx) + abs(y - ty) + BEND * bends;
}

/* A* from s (as if arriving from the left) to t over the free cells of
 * window w; the cheapest path goes into r->path. */
static bool astar(router *r, window w, dg_point s, dg_point t)
{
    r->path.n = 0;
    fill_blocked(r, w);
    fill_lines(r, w, &r->rows, true, ALONG_ROW);
    fill_lines(r, w, &r->cols, false, ALONG_COL);
    size_t states = (size_t)w.w * (size_t)w.h * 4;
    for (size_t k = 0; k < states; k++) r->dist[k] = INT_MAX;
    int sc = (s.y - w.y0) * w.w + (s.x - w.x0), tc = (t.y - w.y0) * w.w + (t.x - w.x0);
    int tx = t.x - w.x0, ty = t.y - w.y0;
    r->heap.n = 0;
    r->dist[sc * 4 + RIGHT] = 0;
    heap_push(r, estimate(s.x - w.x0, s.y - w.y0, RIGHT, tx, ty), sc * 4 + RIGHT);
    while (r->heap.n) {
        hitem it = heap_pop(r);
        int cell = it.state >> 2, d = it.state & 3, g = r->dist[it.state];
        int cx = cell % w.w, cy = cell / w.w;
        if (it.f != g + estimate(cx, cy, d, tx, ty)) continue;   /* superseded */
        if (cell == tc) return trace_back(r, w, it.state, sc, tc);
        for (int nd = 0; nd < 4; nd++) {
            int nx = cx + DX[nd], ny = cy + DY[nd];
            if (nd == (d ^ 2) || nx < 0 || ny < 0 || nx >= w.w || ny >= w.h) continue;
            int nc = ny * w.w + nx, ns = nc * 4 + nd, ng = g + step_cost(r, d, nd, nc, tc);
            if ((r->blocked[nc] & BOX) || ng >= r->dist[ns]) continue;
            r->dist[ns] = ng;
            heap_push(r, ng + estimate(nx, ny, nd, tx, ty), ns);
        }
    }
    return false;
}

/* The window around s, t and both boxes, margin cells wider on each side
 * (around the whole picture when margin < 0); it keeps to x, y >= 0 but for
 * an end lying left of or above that. */
static window search_window(const router *r, dg_point s, dg_point t, const dg_box *a,
                            const dg_box *b, int margin)
{
    int x0 = t.x < a->x ? t.x : a->x, x1 = s.x > b->x + b->w ? s.x : b->x + b->w;
    int y0 = a->y < b->y ? a->y : b->y, y1 = a->y + a->h > b->y + b->h ? a->y + a->h : b->y + b->h;
    if (margin < 0) {
        margin = 2;
        if (r->ix.x0 < x0) x0 = r->ix.x0;
        if (r->ix.y0 < y0) y0 = r->ix.y0;
        if (r->ix.x1 > x1) x1 = r->ix.x1;
        if (r->ix.y1 > y1) y1 = r->ix.y1;
    }
    int lowx = t.x < 0 ? t.x : 0, lowy = s.y < t.y ? s.y : t.y;
    if (lowy > 0) lowy = 0;
    x0 = x0 - margin < lowx ? lowx : x0 - margin;
    y0 = y0 - margin < lowy ? lowy : y0 - margin;
    return (window){x0, y0, x1 + margin - x0 + 1, y1 + margin - y0 + 1};
}

/* A search in the window with the given margin when it is at most limit
 * cells. */
bool dgr_route_search(router *r, dg_point s, dg_point t, const dg_box *a, const dg_box *b,
                         int margin, long long limit)
{
    window w = search_window(r, s, t, a, b, margin);
    if ((long long)w.w * w.h > limit) return false;
    return astar(r, w, s, t);
}
