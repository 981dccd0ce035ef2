/*
 * route_int.h - what the edge router's files share (route.c routes edges,
 * route_search.c is its A* search over cells, route_cross.c counts
 * crossings): the boxes indexed row by row and the router's state. Not a
 * public header: layout.h is the router's face.
 */
#ifndef TARN_DG_ROUTE_INT_H
#define TARN_DG_ROUTE_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "layout.h"
#include "util.h"

typedef struct span {
    int x0, x1;          /* columns [x0, x1] */
} span;

typedef struct rowix {
    int *rows;           /* the rows holding a box, ascending */
    size_t nrows;
    size_t *off;         /* spans of rows[k]: sp[off[k] .. off[k+1]), disjoint, ascending */
    span *sp;
    int x0, y0, x1, y1;  /* extent of all boxes */
} rowix;

/* A segment already placed, on the track (a column or a row) it runs
 * along: cells [a, b] of it. A horizontal one leaving a source's port keys
 * it with that box (src), one entering a target's port likewise (dst):
 * segments of one port may share cells, as they fan out of or into it. */
typedef struct seg {
    int a, b, src, dst;
    int maxb;            /* the largest b of its line up to it (route_track.c) */
} seg;

typedef VEC(seg) segline;

/* The segments of each column (or row) lo..lo+n-1, route_track.c's. */
typedef struct tracks {
    int lo;
    size_t n;            /* 0: too large a canvas to track */
    segline *line;       /* owned: n lines, each sorted by a */
} tracks;

typedef struct hitem {
    int f, state;
} hitem;

typedef struct router {
    const dg_box *boxes;
    size_t n;
    const dg_edge *edges;
    size_t m;
    rowix ix;
    span *ch;                    /* channels: column spans no box covers on any row */
    size_t nch;
    int *src_row, *dst_row;      /* per edge: the rows it leaves and enters on */
    tracks cols, rows;           /* the segments placed so far */
    VEC(dg_point) path;          /* the route being built */
    unsigned char *blocked;      /* search scratch, kept between edges */
    int *dist;
    size_t cap;
    VEC(hitem) heap;
    int cur_src, cur_dst;        /* the ends of the edge being routed */
    unsigned char *band_box;     /* owned: [k * band_h + y - y0]: a box covers row y of
                                  * the band after channel k (NULL: too large to keep) */
    int band_h;
} router;

/* The index of the first row at or after y holding a box. */
size_t dgr_row_at_or_after(const rowix *ix, int y);
/* The first of cnt spans that ends at or after column x. */
size_t dgr_span_from(const span *sp, size_t cnt, int x);
/* route_track.c: tracks lo..hi and margin more each side (none when that
 * is too many lines); adding a segment on line at (untracked: ignored);
 * whether any segment on line at has a cell in [a, b]; and the first cell
 * at or right of x (last: at or left of x) of a segment not keyed src or
 * dst (-1: no key), INT_MAX (INT_MIN) when none. */
void dgr_tracks_init(tracks *t, int lo, int hi, int margin);
void dgr_tracks_free(tracks *t);
void dgr_track_add(tracks *t, int at, int a, int b, int src, int dst);
bool dgr_track_busy(const tracks *t, int at, int a, int b);
int dgr_track_busy_from(const tracks *t, int at, int x, int src, int dst, bool last);
/* Removes the segment dgr_track_add added with these values; the cells of
 * [a, b] on line at that segments not keyed src or dst cover (counted once
 * per segment). */
void dgr_track_remove(tracks *t, int at, int a, int b, int src, int dst);
int dgr_track_shared(const tracks *t, int at, int a, int b, int src, int dst);

/* The keys of segment k of the n - 1 of edge e's route (see seg): its
 * first horizontal one is keyed with e's source, its last with e's target. */
static inline void dgr_seg_keys(const dg_edge *e, size_t k, size_t n, bool vertical, int *src,
                                int *dst)
{
    *src = !vertical && k == 0 ? e->from : -1;
    *dst = !vertical && k + 2 == n ? e->to : -1;
}

/* route.c: whether edge e names two boxes; noting (or forgetting) a
 * route's segments; routing edge e into r->path (first: only straight or
 * once bent, false when that will not do; else any way); handing r->path
 * over to out as e's route, noted. */
bool dgr_edge_ok(const router *r, size_t e);
void dgr_note_route(router *r, const dg_edge *e, const dg_point *p, size_t n, bool add);
bool dgr_route_edge(router *r, size_t e, bool first);
void dgr_emit(router *r, size_t e, dg_route *out);
/* route_cross.c: the crossings of route a with route b (each counted once,
 * as dg_route_crossings counts them). */
size_t dgr_pair_crossings(const dg_route *a, const dg_route *b);
/* route_untangle.c: swaps the input rows of two edges into one box whose
 * routes run along each other, when routing them again that way is better
 * (only edges redo marks; all without it). */
void dgr_untangle_inputs(router *r, const bool *redo, dg_route *routes);

/* Appends p to the route being built (merging points on one line). */
void dgr_path_add(router *r, dg_point p);
/* A* from s to t in the window round boxes a and b, margin cells wider
 * (the whole picture when margin < 0), when it is at most limit cells; the
 * route goes into r->path. */
bool dgr_route_search(router *r, dg_point s, dg_point t, const dg_box *a, const dg_box *b,
                      int margin, long long limit);

#endif
