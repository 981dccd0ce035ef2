/*
 * view_designer.c - the Designer view (see view_designer.h): the canvas.
 *
 * Sections: helpers shared with the form, positions saved, selection and
 * viewport, commands (add, edit, connect, delete, rename, zoom, layout),
 * keys and mouse. The graph is model.h; drawing is view_designer_draw.c,
 * forms view_designer_form.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view_designer_int.h"

static const char *const help[] = {
    "click a box      select it (Shift: add to the selection); drag it to move",
    "drag empty space pan; Shift+drag: select with a rubber band",
    "drag from a box's ○ (its output) onto another box: connect it as an input",
    "arrows           select the next box that way; Shift+arrows move the selection",
    "h j k l          pan                 z  zoom (compact / detailed)",
    "a                add a node (after the selected one)",
    "Enter            edit the node's form (a SQL node opens in the editor)",
    "e                open the node's SQL in the editor",
    "p                preview the node's output in the data grid",
    "F9               refresh the node's dataset   c connect an input by name",
    "r  rename        x / Del delete   L lay the graph out again",
    NULL};

/* ======================= helpers ======================= */

void dgv_say(designer *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    if (d->host.say) d->host.say(d->host.ctx, msg);
    free(msg);
}

void dgv_redraw(designer *d)
{
    d->base.dirty = true;
    if (d->host.redraw) d->host.redraw(d->host.ctx);
}

static const project *proj(designer *d)
{
    return d->host.project ? d->host.project(d->host.ctx) : NULL;
}

/* A new node was written: every box keeps its place (saved), and the new
 * one gets a free place next to its inputs, so the picture does not
 * move under the user's eyes when the graph is laid out again. */
static void save_positions_with(designer *d, const dg_op *op)
{
    const project *p = proj(d);
    dg_posvec pos = {0};
    dg_model_positions(&d->m, &pos);
    dg_pos at = {xstrdup(op->name), 0, 0};
    dg_model_place_new(&d->m, op->name, &op->inputs, &at.x, &at.y);
    VEC_PUSH(&pos, at);
    char *err = NULL;
    if (dg_positions_save(p->dir, pos.v, pos.n, &err) < 0) dgv_say(d, "Positions not saved: %s", err);
    free(err);
    dg_posvec_free(&pos);
}

int dgv_write(designer *d, const dg_op *op, const char *old_name, const char *file)
{
    const project *p = proj(d);

    char *err = NULL, *sql = p ? dg_op_sql(op, &err) : NULL;
    int rc = !sql ? -1
             : old_name ? dg_edit_replace(p, old_name, sql, &err)
                        : dg_edit_append(p, file, sql, &err);
    if (rc < 0) dgv_say(d, "Not written: %s", err ? err : "no project");
    else dgv_say(d, "%s %s in %s", old_name ? "Changed" : "Added", op->name,
                 file ? file : "its file");
    free(sql);
    free(err);
    if (rc == 0 && !old_name && d->built) save_positions_with(d, op);
    if (rc == 0) {
        free(d->select_after);
        d->select_after = xstrdup(op->name);
    }
    if (rc == 0 && d->host.changed) d->host.changed(d->host.ctx);
    return rc;
}

/* Saves every box's position (after a move or a layout). */
static void save_positions(designer *d)
{
    const project *p = proj(d);
    d->positions_unsaved = false;
    if (!p || !d->built) return;
    dg_posvec pos = {0};
    dg_model_positions(&d->m, &pos);
    char *err = NULL;
    if (dg_positions_save(p->dir, pos.v, pos.n, &err) < 0) dgv_say(d, "Positions not saved: %s", err);
    free(err);
    dg_posvec_free(&pos);
}

/* Keyboard moves come in bursts (a held Shift+arrow), each re-routing only
 * the moved boxes' edges, as a mouse drag does: once the keys pause, or
 * before anything else is done, every edge is routed again and tarn.json
 * is written. */
#define SAVE_PAUSE_MS 300

static void save_positions_later(designer *d)
{
    d->positions_unsaved = true;
    d->moved_ms = time_mono_ms();
}

static void flush_positions(designer *d)
{
    if (!d->positions_unsaved) return;
    dg_model_reroute(&d->m);
    save_positions(d);
    dgv_redraw(d);
}

static void tick(view *v)
{
    designer *d = (designer *)v;
    if (d->positions_unsaved && time_mono_ms() - d->moved_ms >= SAVE_PAUSE_MS) flush_positions(d);
}

/* ======================= selection and viewport ======================= */

static void select_only(designer *d, int i)
{
    memset(d->sel, 0, d->m.nodes.n * sizeof(bool));
    d->cur = i;
    if (i >= 0) d->sel[i] = true;
}

/* The Data grid follows the node picked (a flow has no output of its own);
 * the shell skips previews overtaken by a newer one. */
static void preview_current(designer *d)
{
    if (d->cur < 0 || !d->host.preview || d->m.nodes.v[d->cur].kind == SQL_FLOW) return;
    d->host.preview(d->host.ctx, d->m.nodes.v[d->cur].name, false);
}

/* Scrolls so that node i is in view. */
static void reveal(designer *d, int i)
{
    if (i < 0 || d->rows <= 0) return;
    const dg_box *b = &d->m.boxes[i];
    if (b->x < d->vx) d->vx = dgv_clamp_vx(b->x - 2);
    if (b->x + b->w > d->vx + d->cols) d->vx = b->x + b->w - d->cols + 2;
    if (b->y < d->vy) d->vy = b->y > 1 ? b->y - 1 : 0;
    if (b->y + b->h > d->vy + d->rows) d->vy = b->y + b->h - d->rows + 1;
    d->vx = dgv_clamp_vx(d->vx);
    if (d->vy < 0) d->vy = 0;
}

/* The nearest box from the current one in direction (dx, dy). */
static int neighbor(designer *d, int dx, int dy)
{
    if (d->cur < 0) return d->m.nodes.n ? 0 : -1;
    const dg_box *a = &d->m.boxes[d->cur];
    int ax = a->x + a->w / 2, ay = a->y + a->h / 2, best = -1;
    long best_score = 0;
    for (size_t i = 0; i < d->m.nodes.n; i++) {
        const dg_box *b = &d->m.boxes[i];
        int bx = b->x + b->w / 2 - ax, by = b->y + b->h / 2 - ay;
        long along = (long)bx * dx + (long)by * dy, across = labs((long)bx * dy) + labs((long)by * dx);
        /* only boxes whose middle is past the current box's side that way */
        bool past = dx > 0 ? b->x + b->w / 2 >= a->x + a->w : dx < 0 ? b->x + b->w / 2 < a->x
                  : dy > 0 ? b->y + b->h / 2 >= a->y + a->h : b->y + b->h / 2 < a->y;
        if ((int)i == d->cur || along <= 0 || !past) continue;
        long score = along + 2 * across;
        if (best < 0 || score < best_score) {
            best = (int)i;
            best_score = score;
        }
    }
    return best < 0 ? d->cur : best;
}

void dg_view_schemas(view *v)
{
    designer *d = (designer *)v;
    const val_result *vr = d->host.schemas ? d->host.schemas(d->host.ctx) : NULL;
    if (!d->built || !dg_model_set_schemas(&d->m, vr)) {
        dg_view_reload(v);
        return;
    }
    d->base.dirty = true;
}

void dg_view_reload(view *v)
{
    designer *d = (designer *)v;
    const project *p = proj(d);
    char *cur = d->cur >= 0 && d->built ? xstrdup(d->m.nodes.v[d->cur].name) : NULL;
    strvec picked = {0};
    for (size_t i = 0; d->built && i < d->m.nodes.n; i++)
        if (d->sel[i]) VEC_PUSH(&picked, xstrdup(d->m.nodes.v[i].name));
    dg_zoom zoom = d->m.zoom;
    d->click_node = -1; /* indexes change */
    /* moves not yet saved survive a reload (files changed meanwhile) */
    dg_posvec moved = {0};
    if (d->built && d->positions_unsaved) dg_model_positions(&d->m, &moved);
    if (d->built) dg_model_free(&d->m);
    free(d->sel);
    d->built = p != NULL;
    if (p) dg_model_build(&d->m, p, d->host.schemas ? d->host.schemas(d->host.ctx) : NULL, zoom);
    else memset(&d->m, 0, sizeof d->m);
    if (p && moved.n) {
        dg_model_set_positions(&d->m, &moved);
        save_positions(d);
    }
    dg_posvec_free(&moved);
    d->sel = xcalloc(d->m.nodes.n + 1, sizeof(bool));
    d->cur = cur ? dg_model_find(&d->m, cur) : -1;
    for (size_t i = 0; i < picked.n; i++) {
        int k = dg_model_find(&d->m, picked.v[i]);
        if (k >= 0) d->sel[k] = true;
    }
    int after = d->select_after ? dg_model_find(&d->m, d->select_after) : -1;
    if (after >= 0) { /* the node just written */
        select_only(d, after);
        reveal(d, after);
        free(d->select_after);
        d->select_after = NULL;
    }
    free(cur);
    strvec_free(&picked);
    d->base.dirty = true;
}

/* ======================= commands ======================= */

static void move_selection(designer *d, int dx, int dy)
{
    dg_model_move(&d->m, d->sel, dx, dy);
    save_positions_later(d);
    dgv_redraw(d);
}

/* The type to add was chosen: a name for it. */
static void add_named(void *arg, const char *name)
{
    designer *d = arg;
    const dg_op_type *t = d->pending_type;
    if (!t || !name || !*name) return;
    dg_op op;
    dg_op_init(&op, t, name, NULL);
    const char *file = "transformations/designer.sql";
    if (d->cur >= 0 && t->max_inputs != 0) {
        VEC_PUSH(&op.inputs, xstrdup(d->m.nodes.v[d->cur].name));
        file = d->m.nodes.v[d->cur].file;
    }
    dgf_open(d, &op, NULL, file);
    dg_op_free(&op);
}

static void add_typed(void *arg, const char *item)
{
    designer *d = arg;
    if (!item) return;
    size_t n = 0;
    const dg_op_type *const *types = dg_op_types(&n);
    d->pending_type = NULL;
    for (size_t i = 0; i < n; i++)
        if (!strncmp(item, types[i]->title, strlen(types[i]->title))) d->pending_type = types[i];
    if (!d->pending_type) return;
    char *suggest = xasprintf("%s_%zu", d->pending_type->id, d->m.nodes.n + 1);
    d->host.prompt(d->host.ctx, "Name of the new node (the dataset it defines)", suggest,
                   add_named, d);
    free(suggest);
}

static void cmd_add(designer *d)
{
    size_t n = 0;
    const dg_op_type *const *types = dg_op_types(&n);
    strvec items = {0};
    for (size_t i = 0; i < n; i++)
        VEC_PUSH(&items, xasprintf("%s: %s", types[i]->title, types[i]->help));
    d->host.pick(d->host.ctx, d->cur >= 0 ? "Add a node after the selected one" : "Add a node",
                 &items, add_typed, d);
    strvec_free(&items);
}

static void cmd_edit(designer *d)
{
    if (d->cur < 0) return;
    const dg_node *n = &d->m.nodes.v[d->cur];
    if (!strcmp(n->op.type->id, "sql")) {
        if (d->host.open_sql) d->host.open_sql(d->host.ctx, n->file, n->line);
        return;
    }
    dgf_open(d, &n->op, n->name, n->file);
}

static void delete_answer(void *arg, const char *text)
{
    designer *d = arg;
    if (!text || (text[0] != 'y' && text[0] != 'Y') || d->cur < 0 || !proj(d)) return;
    char *err = NULL, *name = xstrdup(d->m.nodes.v[d->cur].name);
    if (dg_edit_delete(proj(d), name, &err) < 0) dgv_say(d, "Not deleted: %s", err);
    else {
        dgv_say(d, "Deleted %s (what read it now shows a problem)", name);
        d->cur = -1;
        if (d->host.changed) d->host.changed(d->host.ctx);
    }
    free(err);
    free(name);
}

static void cmd_delete(designer *d)
{
    if (d->cur < 0) return;
    char *title = xasprintf("Delete %s and its statement? y/n", d->m.nodes.v[d->cur].name);
    d->host.prompt(d->host.ctx, title, "", delete_answer, d);
    free(title);
}

static void rename_answer(void *arg, const char *text)
{
    designer *d = arg;
    if (!text || !*text || d->cur < 0 || !proj(d)) return;
    char *err = NULL, *from = xstrdup(d->m.nodes.v[d->cur].name);
    if (dg_edit_rename(proj(d), from, text, &err) < 0) dgv_say(d, "Not renamed: %s", err);
    else {
        dgv_say(d, "Renamed %s to %s everywhere it is named", from, text);
        free(d->select_after);
        d->select_after = xstrdup(text);
        d->cur = -1;
        if (d->host.changed) d->host.changed(d->host.ctx);
    }
    free(err);
    free(from);
}

static void cmd_rename(designer *d)
{
    if (d->cur < 0) return;
    d->host.prompt(d->host.ctx, "Rename to", d->m.nodes.v[d->cur].name, rename_answer, d);
}

/* Makes node from an input of node to (an operator node with room). */
static void connect(designer *d, int from, int to)
{
    if (from < 0 || to < 0 || from == to) return;
    const dg_node *t = &d->m.nodes.v[to];
    const char *src = d->m.nodes.v[from].name;
    if (!strcmp(t->op.type->id, "sql")) {
        dgv_say(d, "%s is SQL: edit its query to read %s (e opens it)", t->name, src);
        return;
    }
    if (t->op.type->max_inputs == 0) {
        dgv_say(d, "%s (%s) takes no input", t->name, t->op.type->title);
        return;
    }
    if (strvec_find(&t->op.inputs, src) >= 0) {
        dgv_say(d, "%s already reads %s", t->name, src);
        return;
    }
    dg_op op;
    dg_op_init(&op, t->op.type, t->name, t->op.params);
    for (size_t i = 0; i < t->op.inputs.n; i++) VEC_PUSH(&op.inputs, xstrdup(t->op.inputs.v[i]));
    if (t->op.type->max_inputs > 0 && (int)op.inputs.n >= t->op.type->max_inputs) {
        free(op.inputs.v[op.inputs.n - 1]); /* full: the new one replaces the last */
        op.inputs.v[op.inputs.n - 1] = xstrdup(src);
    } else {
        VEC_PUSH(&op.inputs, xstrdup(src));
    }
    dgv_write(d, &op, t->name, NULL);
    dg_op_free(&op);
}

static void connect_picked(void *arg, const char *item)
{
    designer *d = arg;
    if (item) connect(d, dg_model_find(&d->m, item), d->cur);
}

static void cmd_connect(designer *d)
{
    if (d->cur < 0) return;
    strvec items = {0};
    for (size_t i = 0; i < d->m.nodes.n; i++)
        if ((int)i != d->cur) VEC_PUSH(&items, xstrdup(d->m.nodes.v[i].name));
    char *title = xasprintf("Input for %s", d->m.nodes.v[d->cur].name);
    d->host.pick(d->host.ctx, title, &items, connect_picked, d);
    free(title);
    strvec_free(&items);
}

static void layout_answer(void *arg, const char *text)
{
    designer *d = arg;
    if (!text || (text[0] != 'y' && text[0] != 'Y')) return;
    int crossings = dg_model_relayout(&d->m);
    save_positions(d);
    dgv_say(d, "Laid out: %d crossing%s", crossings, crossings == 1 ? "" : "s");
    dgv_redraw(d);
}

static bool command_key(designer *d, const char *k)
{
    const dg_node *n = d->cur >= 0 ? &d->m.nodes.v[d->cur] : NULL;
    if (!strcmp(k, "a") || !strcmp(k, "Ins")) cmd_add(d);
    else if (!strcmp(k, "Enter") && n) cmd_edit(d);
    else if (!strcmp(k, "e") && n && d->host.open_sql) d->host.open_sql(d->host.ctx, n->file, n->line);
    else if (!strcmp(k, "p") && n && d->host.preview) d->host.preview(d->host.ctx, n->name, true);
    else if (!strcmp(k, "F9") && n && d->host.refresh) d->host.refresh(d->host.ctx, n->name);
    else if ((!strcmp(k, "x") || !strcmp(k, "Del")) && n) cmd_delete(d);
    else if (!strcmp(k, "r") && n) cmd_rename(d);
    else if (!strcmp(k, "c") && n) cmd_connect(d);
    else if (!strcmp(k, "z")) {
        dg_model_set_zoom(&d->m, d->m.zoom == DG_DETAILED ? DG_COMPACT : DG_DETAILED);
        reveal(d, d->cur);
    } else if (!strcmp(k, "L"))
        d->host.prompt(d->host.ctx, "Lay the whole graph out again (positions are replaced)? y/n",
                       "", layout_answer, d);
    else return false;
    dgv_redraw(d);
    return true;
}

/* ======================= keys ======================= */

/* Keys that pick the next box that way, move the picked ones, or pan. */
static const struct { const char *key; int dx, dy; bool move, pan; } nav_keys[] = {
    {"Left", -1, 0, false, false}, {"Right", 1, 0, false, false},
    {"Up", 0, -1, false, false},   {"Down", 0, 1, false, false},
    {"S-Left", -2, 0, true, false}, {"S-Right", 2, 0, true, false},
    {"S-Up", 0, -1, true, false},  {"S-Down", 0, 1, true, false},
    {"h", -8, 0, false, true},     {"l", 8, 0, false, true},
    {"k", 0, -4, false, true},     {"j", 0, 4, false, true},
    {"PgUp", 0, -12, false, true}, {"PgDn", 0, 12, false, true}};

static bool is_move_key(const char *k)
{
    for (size_t i = 0; i < ARRAY_LEN(nav_keys); i++)
        if (nav_keys[i].move && !strcmp(k, nav_keys[i].key)) return true;
    return false;
}

static bool nav_key(designer *d, const char *k)
{
    for (size_t i = 0; i < ARRAY_LEN(nav_keys); i++) {
        if (strcmp(k, nav_keys[i].key)) continue;
        if (nav_keys[i].pan) {
            d->vx = dgv_clamp_vx(d->vx + nav_keys[i].dx);
            d->vy = d->vy + nav_keys[i].dy < 0 ? 0 : d->vy + nav_keys[i].dy;
        } else if (nav_keys[i].move) {
            if (d->cur >= 0) move_selection(d, nav_keys[i].dx, nav_keys[i].dy);
            reveal(d, d->cur);
        } else {
            int was = d->cur;
            select_only(d, neighbor(d, nav_keys[i].dx, nav_keys[i].dy));
            reveal(d, d->cur);
            if (d->cur != was) preview_current(d);
        }
        dgv_redraw(d);
        return true;
    }
    if (!strcmp(k, "Home")) { /* the picture's top-left corner */
        int x = -1, y = -1;
        for (size_t i = 0; i < d->m.nodes.n; i++) {
            if (x < 0 || d->m.boxes[i].x < x) x = d->m.boxes[i].x;
            if (y < 0 || d->m.boxes[i].y < y) y = d->m.boxes[i].y;
        }
        d->vx = dgv_clamp_vx(x - 2);
        d->vy = y > 1 ? y - 1 : 0;
        dgv_redraw(d);
        return true;
    }
    return false;
}

static bool key(view *v, const ui_event *e)
{
    designer *d = (designer *)v;
    d->click_node = -1; /* a key between two clicks: no double click */
    if (!is_move_key(e->key)) flush_positions(d);
    if (d->form.open) return dgf_key(d, e);
    if (!d->built) return false;
    if (!strcmp(e->key, "Esc") && d->cur >= 0) {
        select_only(d, -1);
        dgv_redraw(d);
        return true;
    }
    return nav_key(d, e->key) || command_key(d, e->key);
}

/* ======================= mouse ======================= */

/* true when canvas cell (x, y) is node i's output port. */
static bool on_port(const designer *d, int i, int x, int y)
{
    const dg_box *b = &d->m.boxes[i];
    return x == b->x + b->w - 1 && y == b->y + 1;
}

static void press(designer *d, const ui_event *e, int x, int y)
{
    int i = dg_model_hit(&d->m, x, y);
    d->drag_x = d->band_x = x;
    d->drag_y = d->band_y = y;
    d->moved = false;
    double now = time_mono_ms();
    bool twice = i >= 0 && i == d->click_node && now - d->click_ms < 400 && !e->shift &&
                 x == d->click_x && y == d->click_y;
    d->click_node = i;
    d->click_ms = now;
    d->click_x = x;
    d->click_y = y;
    if (twice) { /* a double click: the node's form (or its SQL) */
        select_only(d, i);
        d->drag = DRAG_NONE;
        d->click_node = -1;
        cmd_edit(d);
        return;
    }
    if (i >= 0 && on_port(d, i, x, y)) {
        select_only(d, i);
        d->drag = DRAG_CONNECT;
    } else if (i >= 0) {
        if (e->shift) d->sel[i] = !d->sel[i];
        else if (!d->sel[i]) select_only(d, i);
        d->cur = i;
        d->drag = DRAG_NODES;
    } else {
        if (!e->shift) select_only(d, -1);
        d->drag = e->shift ? DRAG_BAND : DRAG_PAN;
    }
}

static void band_select(designer *d)
{
    int x0 = d->band_x < d->drag_x ? d->band_x : d->drag_x, x1 = d->band_x ^ d->drag_x ^ x0;
    int y0 = d->band_y < d->drag_y ? d->band_y : d->drag_y, y1 = d->band_y ^ d->drag_y ^ y0;
    for (size_t i = 0; i < d->m.nodes.n; i++) {
        const dg_box *b = &d->m.boxes[i];
        if (b->x >= x0 && b->x + b->w - 1 <= x1 && b->y >= y0 && b->y + b->h - 1 <= y1) {
            d->sel[i] = true;
            d->cur = (int)i;
        }
    }
}

static void release(designer *d, int x, int y)
{
    if (d->drag == DRAG_NODES && d->moved) {
        d->click_node = -1; /* a drag, not the first click of a double click */
        dg_model_reroute(&d->m);
        save_positions(d);
    }
    else if (d->drag == DRAG_NODES) preview_current(d); /* a click */
    else if (d->drag == DRAG_BAND) band_select(d);
    else if (d->drag == DRAG_CONNECT) connect(d, d->cur, dg_model_hit(&d->m, x, y));
    d->drag = DRAG_NONE;
}

static bool mouse(view *v, const ui_event *e, int row, int col)
{
    designer *d = (designer *)v;
    flush_positions(d);
    if (d->form.open) return dgf_mouse(d, e, row, col);
    if (!d->built) return false;
    if (e->mouse == M_WHEEL_UP || e->mouse == M_WHEEL_DOWN) {
        int step = e->mouse == M_WHEEL_UP ? -3 : 3;
        if (e->shift) d->vx = dgv_clamp_vx(d->vx + step * 2);
        else d->vy = d->vy + step < 0 ? 0 : d->vy + step;
        dgv_redraw(d);
        return true;
    }
    if (e->button != 0 || row < 1) return false;
    int x = d->vx + col, y = d->vy + row - 1;
    if (e->mouse == M_PRESS && dgv_minimap_click(d, row, col)) {
        d->drag = DRAG_NONE;
    } else if (e->mouse == M_PRESS) {
        press(d, e, x, y);
    } else if (e->mouse == M_DRAG) {
        int dx = x - d->drag_x, dy = y - d->drag_y;
        if (d->drag == DRAG_NODES && (dx || dy)) {
            dg_model_move(&d->m, d->sel, dx, dy);
            d->moved = true;
        } else if (d->drag == DRAG_PAN) {
            d->vx = dgv_clamp_vx(d->vx - dx);
            d->vy = d->vy - dy < 0 ? 0 : d->vy - dy;
            x -= dx; /* the cell under the mouse stays the same canvas cell */
            y -= dy;
        }
        d->drag_x = x;
        d->drag_y = y;
    } else if (e->mouse == M_RELEASE) {
        release(d, x, y);
    }
    dgv_redraw(d);
    return true;
}

/* ======================= the view ======================= */

static void free_designer(view *v)
{
    designer *d = (designer *)v;
    if (d->positions_unsaved) save_positions(d); /* (the routes go with it) */
    dgf_close(d);
    if (d->built) dg_model_free(&d->m);
    free(d->sel);
    free(d->select_after);
    free(d);
}

static bool captures(view *v)
{
    return ((designer *)v)->form.open;
}

static const view_ops designer_ops = {
    .title = "Designer",
    .draw = dgv_draw,
    .key = key,
    .mouse = mouse,
    .captures = captures,
    .help = help,
    .free = free_designer,
    .tick = tick,
};

view *dg_view_new(const dg_host *host)
{
    designer *d = xcalloc(1, sizeof(*d));
    d->base.ops = &designer_ops;
    d->base.dirty = true;
    d->host = *host;
    d->cur = -1;
    d->vx = VX_MIN;
    d->click_node = -1;
    d->sel = xcalloc(1, sizeof(bool));
    return &d->base;
}
