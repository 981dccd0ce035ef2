/*
 * model.h - the designer's graph of a project (no curses): a node per
 * dataset and per separate flow statement, each read as an operator (or a
 * SQL node), edges from the inferred dependencies, boxes placed where the
 * user left them (tarn.json) or laid out, and the routes of the edges.
 */
#ifndef TARN_DG_MODEL_H
#define TARN_DG_MODEL_H

#include "edit.h"
#include "layout.h"
#include "ops.h"
#include "project.h"
#include "validate.h"

typedef enum dg_zoom {
    DG_COMPACT,          /* name, kind and state */
    DG_DETAILED          /* also the columns and expectations */
} dg_zoom;

typedef struct dg_node {
    char *name;          /* owned */
    sql_kind kind;       /* SQL_FLOW for a CREATE FLOW statement */
    char *file;          /* owned: where it is defined */
    int line;
    dg_op op;            /* owned: what the statement is as an operator */
    strvec expects;      /* owned: "name: expr (action)" */
    strvec columns;      /* owned: "name type" from the dry run, when known */
    bool broken;         /* the dry run failed on it */
} dg_node;

typedef struct dg_model {
    VEC(dg_node) nodes;
    VEC(dg_edge) edges;  /* from input to reader (dataset -> flow -> target) */
    dg_box *boxes;       /* owned: one per node */
    dg_route *routes;    /* owned: one per edge */
    dg_zoom zoom;
    int crossings;       /* of the last layout */
} dg_model;

/* The graph of p (vr, the dry run's schemas, may be NULL); boxes at their
 * saved positions, the others laid out around them; edges routed. */
void dg_model_build(dg_model *m, const project *p, const val_result *vr, dg_zoom zoom);
void dg_model_free(dg_model *m);

/* Index of the node called name (case-insensitive), or -1. */
int dg_model_find(const dg_model *m, const char *name);
/* The size of node i's box at the model's zoom. */
void dg_model_box_size(const dg_model *m, size_t i, int *w, int *h);
/* A new dry run's schemas: the nodes' columns and states change in place
 * (their boxes keep their size and place) when the zoom is compact; false
 * (nothing done) when the boxes show columns: build the model again. */
bool dg_model_set_schemas(dg_model *m, const val_result *vr);
/* Changes the zoom: boxes get their new sizes, positions scale so the
 * picture keeps its shape, edges are routed again. */
void dg_model_set_zoom(dg_model *m, dg_zoom zoom);
/* Lays out every box again (saved positions ignored); returns crossings. */
int dg_model_relayout(dg_model *m);
/* Moves the boxes in sel (flags, one per node) by dx, dy (kept at >= 0),
 * re-routing only the edges that touch them. */
void dg_model_move(dg_model *m, const bool *sel, int dx, int dy);
/* Routes every edge again (after a drag ends: the routes kept while it
 * went on may now cross the boxes moved). */
void dg_model_reroute(dg_model *m);
/* The node whose box holds canvas cell (x, y), or -1. */
int dg_model_hit(const dg_model *m, int x, int y);
/* The extent of the picture: the largest x+w and y+h of the boxes. */
void dg_model_extent(const dg_model *m, int *w, int *h);
/* Statement s of file (an index of p's files) read as an operator
 * (dg_op_read). A statement whose text has ${param} references reads as a
 * SQL node of its text as written in the file, so that saving it keeps the
 * references. Free op with dg_op_free. */
void dg_node_read(const project *p, int file, const sql_stmt *s, dg_op *op);
/* Every problem of op: its form's (dg_op_check against the inputs' columns
 * from vr, which may be NULL) and its inputs' kinds (dg_op_check_inputs). */
void dg_node_problems(const project *p, const val_result *vr, const dg_op *op,
                      dg_problems *out);
/* The schemas of op's inputs from a dry run (vr may be NULL; a schema with
 * n == 0 is unknown). Free with dg_schemas_free(s, op->inputs.n). */
dg_schema *dg_input_schemas(const project *p, const val_result *vr, const dg_op *op);
void dg_schemas_free(dg_schema *s, size_t n);
/* Where a new node called name reading inputs goes (right of its inputs,
 * or below everything; on no other box), in the units of
 * dg_model_positions. */
void dg_model_place_new(const dg_model *m, const char *name, const strvec *inputs, int *x, int *y);
/* Every node's position, for dg_positions_save (caller frees). */
void dg_model_positions(const dg_model *m, dg_posvec *out);
/* Puts the nodes named in pos (dg_model_positions' units) there, fixed;
 * other nodes stay; every edge is routed again. */
void dg_model_set_positions(dg_model *m, const dg_posvec *pos);

#endif
