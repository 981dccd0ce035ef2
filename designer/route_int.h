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
    int next;            /* the previous one on its track, or -1 */
} seg;

/* The segments of each column (or row) lo..lo+n-1 as chains in a segs. */
typedef struct tracks {
    int lo;
    size_t n;            /* 0: too large a canvas to track */
    int *head;
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
    VEC(seg) segs;
    VEC(dg_point) path;          /* the route being built */
    unsigned char *blocked;      /* search scratch, kept between edges */
    int *dist;
    size_t cap;
    VEC(hitem) heap;
} router;

/* The index of the first row at or after y holding a box. */
size_t dgr_row_at_or_after(const rowix *ix, int y);
/* The first of cnt spans that ends at or after column x. */
size_t dgr_span_from(const span *sp, size_t cnt, int x);
/* Appends p to the route being built (merging points on one line). */
void dgr_path_add(router *r, dg_point p);
/* A* from s to t in the window round boxes a and b, margin cells wider
 * (the whole picture when margin < 0), when it is at most limit cells; the
 * route goes into r->path. */
bool dgr_route_search(router *r, dg_point s, dg_point t, const dg_box *a, const dg_box *b,
                      int margin, long long limit);

#endif
