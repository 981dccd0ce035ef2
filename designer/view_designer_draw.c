/*
 * view_designer_draw.c - drawing the Designer view (see view_designer.h):
 * edges into a mask of line directions, so that junctions and crossings get
 * the right box-drawing character, then the boxes with their state, the
 * rubber band, the minimap and the top line; and the minimap's clicks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view_designer_int.h"

#define MINI_W 24
#define MINI_H 8

enum { UP = 1, DOWN = 2, LEFT = 4, RIGHT = 8, HOT = 16, ARROW = 32 };

static const char *kind_tag(sql_kind k)
{
    switch (k) {
    case SQL_STREAMING_TABLE: return "ST";
    case SQL_MATERIALIZED_VIEW: return "MV";
    case SQL_TEMP_VIEW: return "view";
    default: return "flow";
    }
}

static ui_role state_role(const char *st)
{
    if (!st) return R_BORDER;
    if (!strcmp(st, "COMPLETED") || !strcmp(st, "STORED")) return R_COMPLETED;
    if (!strcmp(st, "FAILED")) return R_FAILED;
    if (!strcmp(st, "RUNNING")) return R_RUNNING;
    if (!strcmp(st, "QUEUED")) return R_QUEUED;
    if (!strcmp(st, "CANCELED")) return R_CANCELED;
    return R_SKIPPED;
}

/* ======================= drawing: edges ======================= */

typedef struct mask {
    unsigned char *v;
    int rows, cols, vx, vy;
} mask;

static void mark(mask *k, int x, int y, unsigned char bits)
{
    x -= k->vx;
    y -= k->vy;
    if (x >= 0 && y >= 0 && x < k->cols && y < k->rows) k->v[y * k->cols + x] |= bits;
}

/* One segment a->b (same x or same y) as line directions in each cell. */
static void mark_segment(mask *k, dg_point a, dg_point b, unsigned char hot)
{
    if (a.y == b.y) {
        int x0 = a.x < b.x ? a.x : b.x, x1 = a.x < b.x ? b.x : a.x;
        for (int x = x0; x <= x1; x++)
            mark(k, x, a.y, (unsigned char)((x > x0 ? LEFT : 0) | (x < x1 ? RIGHT : 0) | hot));
    } else {
        int y0 = a.y < b.y ? a.y : b.y, y1 = a.y < b.y ? b.y : a.y;
        for (int y = y0; y <= y1; y++)
            mark(k, a.x, y, (unsigned char)((y > y0 ? UP : 0) | (y < y1 ? DOWN : 0) | hot));
    }
}

static void mark_routes(designer *d, mask *k)
{
    for (size_t i = 0; i < d->m.edges.n; i++) {
        const dg_route *r = &d->m.routes[i];
        const dg_edge *e = &d->m.edges.v[i];
        unsigned char hot = d->sel[e->from] || d->sel[e->to] ? HOT : 0;
        if (r->n == 0) continue;
        mark(k, r->pts[0].x, r->pts[0].y, LEFT | hot); /* out of the source's side */
        for (size_t p = 0; p + 1 < r->n; p++) mark_segment(k, r->pts[p], r->pts[p + 1], hot);
        mark(k, r->pts[r->n - 1].x, r->pts[r->n - 1].y, ARROW | hot);
    }
}

static const char *line_char(unsigned char b)
{
    if (b & ARROW) return "▶";
    switch (b & (UP | DOWN | LEFT | RIGHT)) {
    case LEFT: case RIGHT: case LEFT | RIGHT: return "─";
    case UP: case DOWN: case UP | DOWN: return "│";
    case RIGHT | DOWN: return "┌";
    case LEFT | DOWN: return "┐";
    case RIGHT | UP: return "└";
    case LEFT | UP: return "┘";
    case LEFT | RIGHT | DOWN: return "┬";
    case LEFT | RIGHT | UP: return "┴";
    case UP | DOWN | RIGHT: return "├";
    case UP | DOWN | LEFT: return "┤";
    default: return "┼";
    }
}

static void draw_edges(designer *d, ui_canvas *c)
{
    mask k = {xcalloc((size_t)(d->rows * d->cols) + 1, 1), d->rows, d->cols, d->vx, d->vy};
    mark_routes(d, &k);
    for (int y = 0; y < d->rows; y++)
        for (int x = 0; x < d->cols; x++) {
            unsigned char b = k.v[y * d->cols + x];
            if (b) ui_text(c, y + 1, x, 1, line_char(b), b & HOT ? R_INFO : R_MUTED, 0, false);
        }
    free(k.v);
}

/* ======================= drawing: boxes ======================= */

/* The state line of node i: "✓ 6 rows · 0.12 s", "● running", ... */
static ui_role state_line(designer *d, size_t i, char *buf, size_t n)
{
    const dg_node *nd = &d->m.nodes.v[i];
    int64_t rows = -1;
    double secs = -1;
    const char *st = d->host.state ? d->host.state(d->host.ctx, nd->name, &rows, &secs) : NULL;
    if (nd->broken) {
        snprintf(buf, n, "⚠ does not validate");
        return R_ERROR;
    }
    if (!st) {
        snprintf(buf, n, nd->kind == SQL_TEMP_VIEW ? "not stored" : "not run yet");
        return R_MUTED;
    }
    /* done: the mark and its color say so, the room goes to rows and time */
    bool done = !strcmp(st, "COMPLETED") || !strcmp(st, "STORED");
    const char *mark_s = done ? "✓" : !strcmp(st, "FAILED") ? "✗" : !strcmp(st, "RUNNING") ? "●" : "·";
    int len = done ? snprintf(buf, n, "%s", mark_s) : snprintf(buf, n, "%s %s", mark_s, st);
    if (rows >= 0 && len > 0 && (size_t)len < n)
        len += snprintf(buf + len, n - (size_t)len, " %lld row%s", (long long)rows, rows == 1 ? "" : "s");
    if (secs >= 0 && len > 0 && (size_t)len < n) snprintf(buf + len, n - (size_t)len, " · %.2fs", secs);
    return state_role(st);
}

static void box_frame(ui_canvas *c, int row, int col, const dg_box *b, ui_role role, int attrs)
{
    for (int y = 0; y < b->h; y++) {
        bool top = y == 0, bottom = y == b->h - 1;
        ui_text(c, row + y, col, 1, top ? "╭" : bottom ? "╰" : "│", role, attrs, false);
        ui_text(c, row + y, col + b->w - 1, 1, top ? "╮" : bottom ? "╯" : "│", role, attrs, false);
        if (top || bottom)
            for (int x = 1; x < b->w - 1; x++) ui_text(c, row + y, col + x, 1, "─", role, attrs, false);
        else ui_fill(c, (ui_rect){row + y, col + 1, 1, b->w - 2}, R_NORMAL);
    }
}

static void draw_box(designer *d, ui_canvas *c, size_t i)
{
    const dg_node *nd = &d->m.nodes.v[i];
    const dg_box *b = &d->m.boxes[i];
    int row = b->y - d->vy + 1, col = b->x - d->vx;
    char st[96];
    ui_role sr = state_line(d, i, st, sizeof st);
    ui_role frame = d->sel[i] ? R_BORDER_FOCUS : sr == R_MUTED ? R_BORDER : sr;
    box_frame(c, row, col, b, frame, d->sel[i] ? UI_BOLD : 0);
    ui_text(c, row, col + 2, b->w - 8, nd->name, (int)i == d->cur ? R_SELECTION : R_TITLE,
            UI_BOLD, true);
    const char *tag = kind_tag(nd->kind);
    ui_text(c, row, col + b->w - 2 - (int)strlen(tag), (int)strlen(tag), tag, R_MUTED, 0, false);
    ui_text(c, row + 1, col + 2, b->w - 6, nd->op.type->title, R_NORMAL, 0, true);
    if (nd->expects.n) {
        char ex[32];
        snprintf(ex, sizeof ex, "⚑%zu", nd->expects.n);
        ui_text(c, row + 1, col + b->w - 2 - ui_width(ex, strlen(ex)), 4, ex, R_WARNING, 0, false);
    }
    ui_text(c, row + 2, col + 2, b->w - 4, st, sr, 0, true);
    ui_text(c, row + 1, col + b->w - 1, 1, "○", frame, 0, false); /* the output port */
    if (d->m.zoom != DG_DETAILED) return;
    int y = row + 3, last = row + b->h - 1;
    for (size_t k = 0; k < nd->columns.n && y < last; k++, y++)
        ui_text(c, y, col + 2, b->w - 4, nd->columns.v[k], R_MUTED, 0, true);
    for (size_t k = 0; k < nd->expects.n && y < last; k++, y++)
        ui_text(c, y, col + 2, b->w - 4, nd->expects.v[k], R_WARNING, 0, true);
}

static bool box_visible(const designer *d, const dg_box *b)
{
    return b->x < d->vx + d->cols && b->x + b->w > d->vx && b->y < d->vy + d->rows &&
           b->y + b->h > d->vy;
}

/* Whether the overview shows (the graph does not fit and the canvas is big
 * enough): its top-left cell on the view, and the picture's extent. */
static bool minimap_at(designer *d, int *top, int *left, int *w, int *h)
{
    dg_model_extent(&d->m, w, h);
    if ((*w <= d->cols && *h <= d->rows) || d->cols < MINI_W * 2 || d->rows < MINI_H * 2)
        return false;
    /* bottom-right, unless the node picked is there: then top-right, or
     * bottom-left */
    const int corners[3][2] = {{d->rows + 1 - MINI_H, d->cols - MINI_W},
                               {1, d->cols - MINI_W},
                               {d->rows + 1 - MINI_H, 0}};
    for (int k = 0; k < 3; k++) {
        *top = corners[k][0];
        *left = corners[k][1];
        if (d->cur < 0) break;
        const dg_box *b = &d->m.boxes[d->cur];
        int row = b->y - d->vy + 1, col = b->x - d->vx;
        if (row >= *top + MINI_H || row + b->h <= *top || col >= *left + MINI_W ||
            col + b->w <= *left)
            break;
    }
    return true;
}

/* A click on the overview: the view centered on that part of the canvas. */
bool dgv_minimap_click(designer *d, int row, int col)
{
    int top, left, w, h;
    if (!minimap_at(d, &top, &left, &w, &h) || row <= top || row >= top + MINI_H - 1 ||
        col <= left || col >= left + MINI_W - 1)
        return false;
    int x = (int)((long)(col - left - 1) * w / (MINI_W - 3));
    int y = (int)((long)(row - top - 1) * h / (MINI_H - 3));
    d->vx = dgv_clamp_vx(x - d->cols / 2);
    d->vy = y - d->rows / 2 < 0 ? 0 : y - d->rows / 2;
    return true;
}

/* An overview in the bottom-right corner when the graph does not fit. */
static void draw_minimap(designer *d, ui_canvas *c)
{
    int top, left, w, h;
    if (!minimap_at(d, &top, &left, &w, &h)) return;
    dg_box frame = {0, 0, MINI_W, MINI_H, false};
    box_frame(c, top, left, &frame, R_BORDER, 0);
    ui_text(c, top, left + 2, 5, " map ", R_TITLE, 0, false);
    int iw = MINI_W - 2, ih = MINI_H - 2; /* inside the frame */
    top++;
    left++;
    for (int y = 0; y < ih; y++) ui_fill(c, (ui_rect){top + y, left, 1, iw}, R_POPUP);
    for (size_t i = 0; i < d->m.nodes.n; i++) {
        const dg_box *b = &d->m.boxes[i];
        int x = left + (int)((long)b->x * (iw - 1) / w), y = top + (int)((long)b->y * (ih - 1) / h);
        ui_text(c, y, x, 1, d->sel[i] ? "■" : "▪", d->sel[i] ? R_INFO : R_POPUP, 0, false);
    }
    /* the part of the canvas on the screen */
    int x0 = left + (int)((long)d->vx * (iw - 1) / w), y0 = top + (int)((long)d->vy * (ih - 1) / h);
    int x1 = left + (int)((long)(d->vx + d->cols) * (iw - 1) / w);
    int y1 = top + (int)((long)(d->vy + d->rows) * (ih - 1) / h);
    for (int y = y0; y <= y1 && y < top + ih; y++)
        for (int x = x0; x <= x1 && x < left + iw; x++)
            if (y == y0 || y == y1 || x == x0 || x == x1) ui_text(c, y, x, 1, "·", R_TITLE, 0, false);
}

static void draw_band(designer *d, ui_canvas *c)
{
    if (d->drag == DRAG_CONNECT) {
        ui_text(c, d->drag_y - d->vy + 1, d->drag_x - d->vx, 1, "◆", R_INFO, UI_BOLD, false);
        return;
    }
    if (d->drag != DRAG_BAND) return;
    int x0 = (d->band_x < d->drag_x ? d->band_x : d->drag_x) - d->vx;
    int x1 = (d->band_x < d->drag_x ? d->drag_x : d->band_x) - d->vx;
    int y0 = (d->band_y < d->drag_y ? d->band_y : d->drag_y) - d->vy + 1;
    int y1 = (d->band_y < d->drag_y ? d->drag_y : d->band_y) - d->vy + 1;
    for (int x = x0; x <= x1; x++) {
        ui_text(c, y0, x, 1, "┄", R_INFO, 0, false);
        ui_text(c, y1, x, 1, "┄", R_INFO, 0, false);
    }
    for (int y = y0; y <= y1; y++) {
        ui_text(c, y, x0, 1, "┆", R_INFO, 0, false);
        ui_text(c, y, x1, 1, "┆", R_INFO, 0, false);
    }
}

/* The view's top line: the node picked (or the graph) and the main keys. */
static void draw_top_line(designer *d, ui_canvas *c, int cols)
{
    char top[256];
    const dg_node *n = d->cur >= 0 ? &d->m.nodes.v[d->cur] : NULL;
    if (n)
        snprintf(top, sizeof top, " %s: %s, %s:%d · Enter edit · e SQL · p preview · "
                 "S-arrows move · F1 more", n->name, n->op.type->title, n->file, n->line);
    else
        snprintf(top, sizeof top, " %zu nodes · %s · a add · arrows select · h/j/k/l pan · "
                 "z zoom · L layout · F1 more", d->m.nodes.n,
                 d->m.zoom == DG_DETAILED ? "detailed" : "compact");
    ui_fill(c, (ui_rect){0, 0, 1, cols}, R_NORMAL);
    ui_text(c, 0, 0, cols, top, R_MUTED, 0, true);
}

void dgv_draw(view *v, ui_canvas *c, bool focused)
{
    designer *d = (designer *)v;
    (void)focused;
    ui_rect r = ui_canvas_rect(c);
    d->rows = r.rows - 1;
    d->cols = r.cols;
    if (!d->built) dg_view_reload(v);
    if (!d->m.nodes.n) {
        ui_text(c, r.rows / 3, 2, r.cols - 4, "No datasets yet: press a to add a source node "
                "(files or a table), then add steps after it.", R_MUTED, 0, true);
    } else {
        draw_edges(d, c);
        for (size_t i = 0; i < d->m.nodes.n; i++)
            if (box_visible(d, &d->m.boxes[i])) draw_box(d, c, i);
        draw_band(d, c);
        draw_minimap(d, c);
    }
    draw_top_line(d, c, r.cols); /* last: boxes partly above the view stop under it */
    if (d->form.open) dgf_draw(d, c);
}
