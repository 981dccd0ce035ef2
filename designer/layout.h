/*
 * layout.h - where the designer's boxes go and how its arrows run (no
 * curses): a layered left-to-right layout for a graph without saved
 * positions, a place for one new node, and orthogonal edge routes drawn with
 * box-drawing lines around the boxes.
 *
 * Coordinates are terminal cells of an unbounded canvas: x is the column, y
 * the row, both >= 0 after a layout; a box covers columns [x, x+w) and rows
 * [y, y+h). An edge leaves its source on the source's right side and enters
 * its target on the target's left side.
 */
#ifndef TARN_DG_LAYOUT_H
#define TARN_DG_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct dg_box {
    int x, y, w, h;      /* w, h: set by the caller; x, y: set by a layout unless fixed */
    bool fixed;          /* a saved position: a layout keeps it */
} dg_box;

typedef struct dg_edge {
    int from, to;        /* indexes of boxes: from's output feeds to's input */
} dg_edge;

typedef struct dg_layout_opts {
    int gap_x;           /* columns between layers (room for edges); <= 0: 8 */
    int gap_y;           /* rows between boxes of a layer; <= 0: 1 */
} dg_layout_opts;

/* Lays out every box that is not fixed: layers by longest path from the
 * sources (a cycle is broken, not looped on), left to right; an edge
 * spanning several layers keeps a lane (a gap) in each layer it passes; the
 * order in each layer chosen to have few edge crossings (barycenter sweeps,
 * then swaps of neighbours); boxes of a layer stacked top to bottom with
 * gap_y rows between them, layers gap_x columns apart. Fixed boxes stay
 * where they are and no laid-out box overlaps one (laid-out boxes go below
 * them when they would). Edges touching a fixed box, loops and edges naming
 * no box play no part. Runs in about O((n + m + d) log m * sweeps) for n
 * boxes, m edges and d lanes (at most 4 (n + m): the longest edges get
 * none past that). Returns the number of crossings of the result between
 * adjacent layers: straight lines from box to box, or to and from the
 * lanes of a long edge. */
int dg_layout(dg_box *boxes, size_t n, const dg_edge *edges, size_t m, const dg_layout_opts *o);

/* Puts box i (not fixed) at a free place: right of the boxes that feed it
 * (the edges say which), or, with none, below everything; never overlapping
 * another box. */
void dg_place(dg_box *boxes, size_t n, const dg_edge *edges, size_t m, size_t i,
              const dg_layout_opts *o);

/* true when two boxes overlap or have no free cell between them (a box
 * keeps a margin of 1 cell from every other: gap_x and gap_y >= 1 keep
 * laid-out boxes apart). */
bool dg_overlap(const dg_box *a, const dg_box *b);

typedef struct dg_point {
    int x, y;
} dg_point;

/* A route: a polyline of horizontal and vertical segments, from the cell
 * just right of the source box (on a row of it) to the cell just left of the
 * target box (on a row of it). pts[0] and pts[n-1] are those two cells; two
 * consecutive points share x or y. */
typedef struct dg_route {
    dg_point *pts;       /* owned */
    size_t n;
} dg_route;

/* Routes every edge: segments do not pass through any box (other than
 * leaving/entering its own ends), edges into the same target enter on
 * different rows when the box is tall enough, edges out of one box all leave
 * on its first inner row (where the view draws its output port) and fan out,
 * bends are few, and lines of different edges keep off each other where a
 * free column allows; an edge going backwards (target left of source) goes
 * around below or above. out has m
 * routes (its old contents are overwritten, not freed; an edge naming no
 * box gets an empty route); free them with dg_routes_free. For interactive
 * use, dg_route_edges_of re-routes only the edges touching the boxes in
 * moved (flags, one per box; a node dragged), freeing their old routes and
 * leaving the others' as they are. */
void dg_route_edges(const dg_box *boxes, size_t n, const dg_edge *edges, size_t m,
                    dg_route *out);
void dg_route_edges_of(const dg_box *boxes, size_t n, const dg_edge *edges, size_t m,
                       const bool *moved, dg_route *routes);
/* Frees the points of the m routes and the array itself (NULL is fine). */
void dg_routes_free(dg_route *routes, size_t m);

/* Number of points where a horizontal segment of one route crosses a
 * vertical segment of another, inside both (bends and ends touching do not
 * count); for tests and the re-layout message. */
size_t dg_route_crossings(const dg_route *routes, size_t m);

#endif
