/*
 * view_designer_int.h - the Designer view's own state, shared by its files:
 * view_designer.c (the canvas: mouse, keys, commands), view_designer_draw.c
 * (drawing it) and view_designer_form.c (the form of an operator node).
 */
#ifndef TARN_VIEW_DESIGNER_INT_H
#define TARN_VIEW_DESIGNER_INT_H

#include "model.h"
#include "view_designer.h"

/* A node's form, open over the canvas. */
typedef struct dg_form {
    bool open;
    bool is_new;         /* a node not written yet */
    dg_op op;            /* owned: what the form edits */
    char *old_name;      /* owned: the node's name when it was opened (NULL: new) */
    char *file;          /* owned: new nodes: the file it goes to */
    int sel;             /* the row selected */
    int top;             /* first row shown */
    int rows;            /* rows of the last draw */
    int list_item;       /* the list item being added or edited (-1: none) */
    int list_field;      /* its field being asked for */
    const dg_field *list;/* the list field being filled */
    const dg_field *field; /* the field outside a list being asked for */
    bool dirty;          /* changed since opened */
} dg_form;

typedef enum dg_drag {
    DRAG_NONE,
    DRAG_NODES,          /* moving the selected boxes */
    DRAG_PAN,            /* moving the view over the canvas */
    DRAG_BAND,           /* a rubber band selecting boxes */
    DRAG_CONNECT         /* from an output port to another box */
} dg_drag;

typedef struct designer {
    view base;
    dg_host host;
    dg_model m;
    bool built;
    bool *sel;           /* one per node */
    int cur;             /* the node keys act on, or -1 */
    int vx, vy;          /* the canvas cell at the view's top-left */
    int rows, cols;      /* the canvas area of the last draw */
    dg_drag drag;
    int drag_x, drag_y;  /* canvas cell where the drag is now */
    int band_x, band_y;  /* rubber band / connection start (canvas) */
    bool moved;          /* boxes moved by this drag */
    double click_ms;     /* when the last press on a box was (double clicks) */
    int click_node;      /* on which box (-1: none) */
    int click_x, click_y;/* and on which canvas cell */
    dg_form form;
    char *select_after;  /* owned: the node to select once the project reloads */
    const dg_op_type *pending_type;
    bool positions_unsaved; /* moved by keys, tarn.json not yet written */
    double moved_ms;        /* when the last of those moves was */
} designer;

/* The leftmost canvas column the view shows: two left of the canvas, where
 * the arrows into boxes at column 0 end (an edge of a cycle, a box moved
 * to the left edge). */
#define VX_MIN (-2)

static inline int dgv_clamp_vx(int vx)
{
    return vx < VX_MIN ? VX_MIN : vx;
}

/* view_designer.c */
void dgv_say(designer *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dgv_redraw(designer *d);
/* Writes op's statement (new: appended to file; else replacing old_name's),
 * then asks the shell to reload. Returns 0, or -1 after saying why. */
int dgv_write(designer *d, const dg_op *op, const char *old_name, const char *file);

/* view_designer_draw.c: the view's draw; a click on the minimap pans there
 * (false when (row, col) is not on it). */
void dgv_draw(view *v, ui_canvas *c, bool focused);
bool dgv_minimap_click(designer *d, int row, int col);

/* view_designer_form.c */
void dgf_open(designer *d, const dg_op *op, const char *old_name, const char *file);
void dgf_close(designer *d);
void dgf_draw(designer *d, ui_canvas *c);
bool dgf_key(designer *d, const ui_event *e);
bool dgf_mouse(designer *d, const ui_event *e, int row, int col);

#endif
