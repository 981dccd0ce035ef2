/*
 * model.c - the designer's graph of a project (see model.h).
 *
 * Positions are kept in compact-zoom cells (that is what tarn.json holds);
 * the detailed zoom shows the same picture with rows DETAIL_Y times apart,
 * so the boxes can grow downwards without overlapping.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define BOX_MIN_W 20
#define BOX_MAX_W 34
#define COMPACT_H 4
#define DETAIL_Y 3                 /* detailed rows per compact row */
#define DETAIL_MAX_H (COMPACT_H * DETAIL_Y + DETAIL_Y - 1 - 1)
#define GAP_X 8

static void node_free(dg_node *n)
{
    free(n->name);
    free(n->file);
    dg_op_free(&n->op);
    strvec_free(&n->expects);
    strvec_free(&n->columns);
}

void dg_model_free(dg_model *m)
{
    for (size_t i = 0; i < m->nodes.n; i++) node_free(&m->nodes.v[i]);
    VEC_FREE(&m->nodes);
    dg_routes_free(m->routes, m->edges.n);
    VEC_FREE(&m->edges);
    free(m->boxes);
    memset(m, 0, sizeof(*m));
}

int dg_model_find(const dg_model *m, const char *name)
{
    for (size_t i = 0; i < m->nodes.n; i++)
        if (str_ieq(m->nodes.v[i].name, name)) return (int)i;
    return -1;
}

/* ======================= nodes and edges ======================= */

/* n's columns and state from the dry run's vd (NULL: not known). */
static void node_schema(dg_node *n, const val_dataset *vd)
{
    strvec_free(&n->columns);
    if (vd && vd->ok)
        for (size_t k = 0; k < vd->columns.n; k++)
            VEC_PUSH(&n->columns, xasprintf("%s %s", vd->columns.v[k].name,
                                            vd->columns.v[k].type));
    n->broken = vd && !vd->ok;
}

static void add_node(dg_model *m, const project *p, int file, const sql_stmt *s, sql_kind kind,
                     const val_dataset *vd)
{
    dg_node n = {0};
    n.name = xstrdup(s->name);
    n.kind = kind;
    const prj_file *f = &p->files.v[file];
    n.file = xstrdup(f->path);
    int col;
    text_linecol(f->orig, rw_map(&f->sub, s->span_off), &n.line, &col);
    dg_node_read(p, file, s, &n.op);
    for (size_t k = 0; k < s->expects.n; k++) {
        const sql_expect *e = &s->expects.v[k];
        VEC_PUSH(&n.expects, xasprintf("%s: %s (%s)", e->name, e->expr,
                                       sql_violation_name(e->action)));
    }
    node_schema(&n, vd);
    VEC_PUSH(&m->nodes, n);
}

static void add_edge(dg_model *m, int from, int to)
{
    if (from < 0 || to < 0 || from == to) return;
    for (size_t i = 0; i < m->edges.n; i++)
        if (m->edges.v[i].from == from && m->edges.v[i].to == to) return;
    dg_edge e = {from, to};
    VEC_PUSH(&m->edges, e);
}

/* Datasets first (in the order of their files), then separate flows; edges
 * from each input to the node that reads it, and from a flow to its target. */
static void collect(dg_model *m, const project *p, const val_result *vr)
{
    for (size_t d = 0; d < p->datasets.n; d++) {
        const prj_dataset *ds = &p->datasets.v[d];
        add_node(m, p, ds->file, ds->stmt, ds->kind, val_dataset_named(vr, ds->name, d));
    }
    for (size_t f = 0; f < p->flows.n; f++) {
        const prj_flow *fl = &p->flows.v[f];
        if (fl->own) continue;
        add_node(m, p, fl->file, fl->stmt, SQL_FLOW, NULL);
    }
    size_t flow_node = p->datasets.n;
    for (size_t f = 0; f < p->flows.n; f++) {
        const prj_flow *fl = &p->flows.v[f];
        int reader = fl->own ? fl->dataset : (int)flow_node++;
        for (size_t k = 0; k < fl->inputs.n; k++) add_edge(m, fl->inputs.v[k], reader);
        if (!fl->own) add_edge(m, reader, fl->dataset);
    }
}

/* ======================= boxes ======================= */

static int box_width(const char *name)
{
    int want = (int)strlen(name) + 10;
    return want < BOX_MIN_W ? BOX_MIN_W : want > BOX_MAX_W ? BOX_MAX_W : want;
}

void dg_model_box_size(const dg_model *m, size_t i, int *w, int *h)
{
    const dg_node *n = &m->nodes.v[i];
    *w = box_width(n->name);
    *h = COMPACT_H;
    if (m->zoom == DG_DETAILED) {
        int lines = (int)(n->columns.n + n->expects.n);
        *h = COMPACT_H + (lines ? lines + 1 : 0);
        if (*h > DETAIL_MAX_H) *h = DETAIL_MAX_H;
    }
}

static void size_boxes(dg_model *m)
{
    for (size_t i = 0; i < m->nodes.n; i++)
        dg_model_box_size(m, i, &m->boxes[i].w, &m->boxes[i].h);
}

static void route(dg_model *m)
{
    dg_routes_free(m->routes, m->edges.n); /* the array too */
    m->routes = xcalloc(m->edges.n + 1, sizeof(dg_route));
    dg_route_edges(m->boxes, m->nodes.n, m->edges.v, m->edges.n, m->routes);
}

static dg_layout_opts opts(const dg_model *m)
{
    dg_layout_opts o = {GAP_X, m->zoom == DG_DETAILED ? DETAIL_Y : 1};
    return o;
}

/* Puts box i next to its inputs among the settled boxes only (the others
 * have no place yet), then counts it as settled. */
static void place_one(dg_model *m, size_t i, bool *settled)
{
    size_t n = m->nodes.n, k = 0, me = 0;
    dg_box *sub = xcalloc(n + 1, sizeof(dg_box));
    int *at = xcalloc(n + 1, sizeof(int)); /* box index -> index in sub, or -1 */
    for (size_t b = 0; b < n; b++) {
        at[b] = settled[b] || b == i ? (int)k : -1;
        if (b == i) me = k;
        if (at[b] >= 0) sub[k++] = m->boxes[b];
    }
    dg_edge *edges = xcalloc(m->edges.n + 1, sizeof(dg_edge));
    size_t e = 0;
    for (size_t x = 0; x < m->edges.n; x++) {
        const dg_edge *g = &m->edges.v[x];
        if (at[g->from] >= 0 && at[g->to] >= 0) edges[e++] = (dg_edge){at[g->from], at[g->to]};
    }
    dg_layout_opts o = opts(m);
    dg_place(sub, k, edges, e, me, &o);
    m->boxes[i].x = sub[me].x;
    m->boxes[i].y = sub[me].y;
    settled[i] = true;
    free(edges);
    free(at);
    free(sub);
}

/* Places every box that is not fixed, inputs first (Kahn's order over the
 * edges between such boxes; what a cycle leaves goes last). */
static void place_free(dg_model *m)
{
    size_t n = m->nodes.n;
    bool *settled = xcalloc(n + 1, sizeof(bool));
    int *waiting = xcalloc(n + 1, sizeof(int)); /* unplaced inputs of each box */
    size_t *queue = xcalloc(n + 1, sizeof(size_t)), head = 0, tail = 0;
    for (size_t i = 0; i < n; i++) settled[i] = m->boxes[i].fixed;
    for (size_t x = 0; x < m->edges.n; x++)
        if (!settled[m->edges.v[x].from]) waiting[m->edges.v[x].to]++;
    for (size_t i = 0; i < n; i++)
        if (!settled[i] && !waiting[i]) queue[tail++] = i;
    while (head < tail) {
        size_t i = queue[head++];
        place_one(m, i, settled);
        for (size_t x = 0; x < m->edges.n; x++) {
            size_t to = (size_t)m->edges.v[x].to;
            if ((size_t)m->edges.v[x].from == i && !settled[to] && --waiting[to] == 0)
                queue[tail++] = to;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (!settled[i]) place_one(m, i, settled);
    free(queue);
    free(waiting);
    free(settled);
}

/* Saved positions (compact cells) become fixed boxes. Without any, the graph
 * is laid out; with some, each node without one (added by hand or on the
 * command line) goes next to its inputs, in dependency order, so that the
 * picture the user arranged stays as it was. */
/* Puts the nodes named in pos (compact cells) there, fixed; returns how
 * many it placed. */
static size_t fix_at(dg_model *m, const dg_posvec *pos)
{
    int scale = m->zoom == DG_DETAILED ? DETAIL_Y : 1;
    size_t placed = 0;
    for (size_t k = 0; k < pos->n; k++) {
        int i = dg_model_find(m, pos->v[k].name);
        if (i < 0) continue;
        m->boxes[i].x = pos->v[k].x < 0 ? 0 : pos->v[k].x;
        m->boxes[i].y = (pos->v[k].y < 0 ? 0 : pos->v[k].y) * scale;
        m->boxes[i].fixed = true;
        placed++;
    }
    return placed;
}

static void place(dg_model *m, const project *p)
{
    dg_posvec saved = {0};
    dg_positions_get(p, &saved);
    size_t saved_n = fix_at(m, &saved);
    dg_posvec_free(&saved);
    bool any_free = false;
    for (size_t i = 0; i < m->nodes.n; i++) any_free |= !m->boxes[i].fixed;
    dg_layout_opts o = opts(m);
    if (!any_free) return;
    if (!saved_n) {
        m->crossings = dg_layout(m->boxes, m->nodes.n, m->edges.v, m->edges.n, &o);
        return;
    }
    place_free(m);
}

void dg_model_build(dg_model *m, const project *p, const val_result *vr, dg_zoom zoom)
{
    memset(m, 0, sizeof(*m));
    m->zoom = zoom;
    collect(m, p, vr);
    m->boxes = xcalloc(m->nodes.n + 1, sizeof(dg_box));
    size_boxes(m);
    place(m, p);
    route(m);
}

bool dg_model_set_schemas(dg_model *m, const val_result *vr)
{
    if (m->zoom != DG_COMPACT) return false;
    for (size_t i = 0; i < m->nodes.n; i++) {
        dg_node *n = &m->nodes.v[i];
        if (n->kind != SQL_FLOW) node_schema(n, val_dataset_named(vr, n->name, i));
    }
    return true;
}

void dg_model_set_zoom(dg_model *m, dg_zoom zoom)
{
    if (zoom == m->zoom) return;
    for (size_t i = 0; i < m->nodes.n; i++)
        m->boxes[i].y = zoom == DG_DETAILED ? m->boxes[i].y * DETAIL_Y : m->boxes[i].y / DETAIL_Y;
    m->zoom = zoom;
    size_boxes(m);
    route(m);
}

int dg_model_relayout(dg_model *m)
{
    for (size_t i = 0; i < m->nodes.n; i++) m->boxes[i].fixed = false;
    dg_layout_opts o = opts(m);
    m->crossings = dg_layout(m->boxes, m->nodes.n, m->edges.v, m->edges.n, &o);
    route(m);
    return m->crossings;
}

void dg_model_move(dg_model *m, const bool *sel, int dx, int dy)
{
    for (size_t i = 0; i < m->nodes.n; i++) {
        if (!sel[i]) continue;
        dg_box *b = &m->boxes[i];
        b->x = b->x + dx < 0 ? 0 : b->x + dx;
        b->y = b->y + dy < 0 ? 0 : b->y + dy;
        b->fixed = true;
    }
    dg_route_edges_of(m->boxes, m->nodes.n, m->edges.v, m->edges.n, sel, m->routes);
}

void dg_model_reroute(dg_model *m)
{
    route(m);
}

int dg_model_hit(const dg_model *m, int x, int y)
{
    for (size_t i = m->nodes.n; i-- > 0;) {
        const dg_box *b = &m->boxes[i];
        if (x >= b->x && x < b->x + b->w && y >= b->y && y < b->y + b->h) return (int)i;
    }
    return -1;
}

void dg_model_extent(const dg_model *m, int *w, int *h)
{
    *w = *h = 0;
    for (size_t i = 0; i < m->nodes.n; i++) {
        const dg_box *b = &m->boxes[i];
        if (b->x + b->w > *w) *w = b->x + b->w;
        if (b->y + b->h > *h) *h = b->y + b->h;
    }
}

void dg_model_place_new(const dg_model *m, const char *name, const strvec *inputs, int *x, int *y)
{
    size_t n = m->nodes.n;
    dg_box *boxes = xcalloc(n + 1, sizeof(dg_box));
    memcpy(boxes, m->boxes, n * sizeof(dg_box));
    boxes[n] = (dg_box){0, 0, box_width(name), COMPACT_H, false};
    if (m->zoom == DG_DETAILED) boxes[n].h = COMPACT_H * DETAIL_Y;
    dg_edge *edges = xcalloc(inputs->n + 1, sizeof(dg_edge));
    size_t k = 0;
    for (size_t i = 0; i < inputs->n; i++) {
        int from = dg_model_find(m, inputs->v[i]);
        if (from >= 0) edges[k++] = (dg_edge){from, (int)n};
    }
    dg_layout_opts o = opts(m);
    dg_place(boxes, n + 1, edges, k, n, &o);
    *x = boxes[n].x;
    *y = m->zoom == DG_DETAILED ? boxes[n].y / DETAIL_Y : boxes[n].y;
    free(edges);
    free(boxes);
}

void dg_model_positions(const dg_model *m, dg_posvec *out)
{
    int scale = m->zoom == DG_DETAILED ? DETAIL_Y : 1;
    for (size_t i = 0; i < m->nodes.n; i++) {
        dg_pos pos = {xstrdup(m->nodes.v[i].name), m->boxes[i].x, m->boxes[i].y / scale};
        VEC_PUSH(out, pos);
    }
}

void dg_model_set_positions(dg_model *m, const dg_posvec *pos)
{
    fix_at(m, pos);
    route(m);
}

dg_schema *dg_input_schemas(const project *p, const val_result *vr, const dg_op *op)
{
    dg_schema *ins = xcalloc(op->inputs.n + 1, sizeof(dg_schema));
    for (size_t i = 0; i < op->inputs.n; i++) {
        int d = prj_dataset_find(p, op->inputs.v[i]);
        const val_dataset *vd = val_dataset_named(vr, op->inputs.v[i], d < 0 ? SIZE_MAX : (size_t)d);
        if (!vd || !vd->ok) continue;
        dg_column *cols = xcalloc(vd->columns.n + 1, sizeof(dg_column));
        for (size_t k = 0; k < vd->columns.n; k++)
            cols[k] = (dg_column){vd->columns.v[k].name, vd->columns.v[k].type};
        ins[i] = (dg_schema){cols, vd->columns.n};
    }
    return ins;
}

void dg_schemas_free(dg_schema *s, size_t n)
{
    for (size_t i = 0; s && i < n; i++) free((void *)s[i].cols);
    free(s);
}

void dg_node_read(const project *p, int file, const sql_stmt *s, dg_op *op)
{
    const prj_file *f = &p->files.v[file];
    const char *text = prj_text(p, file);
    dg_op_read(text, s, op);
    size_t a = rw_map(&f->sub, s->span_off), b = rw_map(&f->sub, s->span_off + s->span_len);
    if (b >= a && b - a == s->span_len && !memcmp(f->orig + a, text + s->span_off, s->span_len))
        return; /* no ${param} in it */
    strvec inputs = op->inputs;
    op->inputs = (strvec){0};
    dg_op_free(op);
    dg_op_init(op, dg_op_type_find("sql"), s->name, NULL);
    op->inputs = inputs;
    char *written = xstrndup(f->orig + a, b >= a ? b - a : 0);
    cJSON_DeleteItemFromObjectCaseSensitive(op->params, "sql"); /* the default "" */
    cJSON_AddStringToObject(op->params, "sql", written);
    free(written);
}

void dg_node_problems(const project *p, const val_result *vr, const dg_op *op,
                      dg_problems *out)
{
    dg_schema *ins = dg_input_schemas(p, vr, op);
    dg_op_check(op, ins, out);
    dg_schemas_free(ins, op->inputs.n);
    int *kinds = xcalloc(op->inputs.n + 1, sizeof(int));
    for (size_t i = 0; i < op->inputs.n; i++) {
        int d = prj_dataset_find(p, op->inputs.v[i]);
        kinds[i] = d >= 0 ? (int)p->datasets.v[d].kind : -1;
    }
    dg_op_check_inputs(op, kinds, out);
    free(kinds);
}
