/*
 * view_grid_draw.c - drawing the Data grid view (see view_grid.c): the
 * sticky header, the rows with typed and aligned cells, the scrollbar, the
 * footer with the position, the count and what runs, and messages in place
 * of the grid.
 */
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "view_grid_int.h"

/* ======================= drawing ======================= */

static int digits(int64_t n)
{
    int d = 1;
    for (n = n < 0 ? -n : n; n >= 10; n /= 10) d++;
    return d;
}

/* Moves left so the selected column is shown whole when it can be. */
static void keep_column_visible(grid *g, int x0, int width)
{
    if (g->col < g->left) g->left = g->col;
    for (;;) {
        int x = x0;
        for (int c = g->left; c <= g->col; c++) x += g->widths[c] + 1;
        if (x - 1 <= width || g->left >= g->col) break;
        g->left++;
    }
}

static void draw_cell(ui_canvas *c, int y, int x, int w, const gm_cell *cell, bool numeric,
                      ui_role role, int attrs)
{
    char buf[GM_CELL_BYTES + 8];
    const char *text = cell->text ? cell->text : "∅";
    if (cell->cut) {
        snprintf(buf, sizeof buf, "%s…", text);
        text = buf;
    }
    if (attrs) {
        char pad[GM_WIDTH_CAP + 1];
        int n = w < GM_WIDTH_CAP ? w : GM_WIDTH_CAP;
        memset(pad, ' ', (size_t)n);
        pad[n] = 0;
        ui_text(c, y, x, w, pad, role, attrs, false);
    }
    int tw = ui_width(text, strlen(text));
    int at = numeric && tw < w ? x + w - tw : x;
    ui_text(c, y, at, w - (at - x), text, role, attrs, true);
}

static ui_role cell_role(const gm_cell *cell)
{
    switch (cell->type) {
    case GM_NULL: return R_NULL;
    case GM_INT:
    case GM_REAL: return R_NUMBER;
    case GM_BLOB: return R_MUTED;
    default: return R_NORMAL;
    }
}

static void draw_rows(grid *g, ui_canvas *c, bool focused, int width)
{
    gm_page *w = g->win;
    int64_t maxrid = 0;
    for (int i = 0; i < w->nrows; i++)
        if (w->rows[i].rowid > maxrid) maxrid = w->rows[i].rowid;
    int gw = digits(maxrid), x0 = gw + 1;
    keep_column_visible(g, x0, width);

    /* the sticky header */
    ui_fill(c, (ui_rect){0, 0, 1, width}, R_HEADER);
    ui_text(c, 0, 0, gw, "#", R_HEADER, UI_BOLD, false);
    g->shown_n = 0;
    int x = x0;
    for (int col = g->left; col < w->ncols && x < width && g->shown_n < 64; col++) {
        int cw = g->widths[col];
        g->shown_col[g->shown_n] = col;
        g->shown_x[g->shown_n] = x;
        g->shown_w[g->shown_n++] = cw;
        char head[512];
        bool sorted = w->sort && !strcmp(w->sort, w->cols[col]);
        snprintf(head, sizeof head, "%s%s", w->cols[col],
                 sorted ? (w->desc ? " ▼" : " ▲") : "");
        int hw = ui_width(head, strlen(head));
        int at = g->numeric[col] && hw < cw ? x + cw - hw : x;
        ui_text(c, 0, at, cw - (at - x), head, R_HEADER,
                UI_BOLD | (col == g->col ? UI_UNDERLINE : 0), true);
        x += cw + 1;
    }

    /* the rows */
    for (int i = 0; i < g->vis && g->top + i < w->nrows; i++) {
        int ri = g->top + i, y = 1 + i;
        const gm_row *r = &w->rows[ri];
        bool sel = ri == g->cur;
        if (sel) ui_fill(c, (ui_rect){y, 0, 1, width}, R_SELECTION);
        char rid[32];
        snprintf(rid, sizeof rid, "%*lld", gw, (long long)r->rowid);
        ui_text(c, y, 0, gw, rid, sel ? R_SELECTION : R_MUTED, 0, false);
        for (int k = 0; k < g->shown_n; k++) {
            int col = g->shown_col[k], cx = g->shown_x[k];
            int cw = g->shown_w[k] < width - cx ? g->shown_w[k] : width - cx;
            const gm_cell *cell = &r->cells[col];
            int attrs = sel && col == g->col ? (focused ? UI_REVERSE | UI_BOLD : UI_UNDERLINE) : 0;
            draw_cell(c, y, cx, cw, cell, g->numeric[col], sel ? R_SELECTION : cell_role(cell),
                      attrs);
        }
    }

    /* column separators down to the last row */
    int rows = w->nrows - g->top < g->vis ? w->nrows - g->top : g->vis;
    for (int k = 0; k < g->shown_n; k++) {
        int sx = g->shown_x[k] + g->shown_w[k];
        if (sx < width) ui_vline(c, 0, sx, 1 + (rows > 0 ? rows : 0), R_BORDER);
    }
}

static void draw_footer(grid *g, ui_canvas *c, int y, int width)
{
    gm_page *w = g->win;
    sb b = {0};
    char n1[32], n2[32], n3[32];
    sb_addf(&b, "%s  ", g->name ? g->name : "");
    int shown = w->nrows - g->top < g->vis ? w->nrows - g->top : g->vis;
    int64_t pos;
    bool exact;
    if (w->nrows == 0) sb_add(&b, "no rows");
    else if (gm_page_position(w, g->top, g->total, &pos, &exact))
        sb_addf(&b, "rows %s%s–%s", exact ? "" : "~", gm_fmt_int(pos + 1, n1),
                gm_fmt_int(pos + shown, n2));
    else sb_add(&b, "rows ?");
    if (g->total >= 0) sb_addf(&b, " of %s", gm_fmt_int(g->total, n3));
    else if (g->counting && g->counted > 0)
        sb_addf(&b, " of %s+ (counting)", gm_fmt_int(g->counted, n3));
    else if (g->counting) sb_add(&b, " (counting)");
    if (w->sort) sb_addf(&b, "  sorted by %s %s", w->sort, w->desc ? "▼" : "▲");
    if (w->filter) sb_addf(&b, "  filter: %s", w->filter);
    /* what runs: Esc cancels a page, a profile or a value, not a prefetch */
    char status[64] = "";
    if (g->loading || g->aux_busy)
        snprintf(status, sizeof status, "  %s (Esc cancels)", g->loading ? "loading…" : g->aux_busy);
    else if ((g->ext_after && g->cur == w->nrows - 1) || (g->ext_before && g->cur == 0))
        snprintf(status, sizeof status, "  loading…");
    int used = ui_text(c, y, 0, width, sb_str(&b), R_MUTED, 0, true);
    sb_free(&b);
    if (*status) {
        used += ui_text(c, y, used, width - used, status, R_RUNNING, 0, true);
    } else if (g->error) {
        used += ui_text(c, y, used, 2, "  ", R_MUTED, 0, false);
        ui_text(c, y, used, width - used, g->error, R_ERROR, 0, true);
    }
}

/* Lines of text from the top, for messages in place of the grid. */
static void draw_message(ui_canvas *c, int rows, int cols, const char *text, ui_role role)
{
    int y = rows > 4 ? 1 : 0;
    const char *p = text;
    while (*p && y < rows) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        ui_textn(c, y++, 2, cols - 4, p, n, role, 0, true);
        p += n + (nl ? 1 : 0);
    }
}

void grid_draw(view *v, ui_canvas *c, bool focused)
{
    grid *g = (grid *)v;
    ui_rect r = ui_canvas_rect(c);
    ui_clear(c, R_NORMAL);
    int vis = r.rows - 2 < 1 ? 1 : r.rows - 2;
    bool resized = vis != g->vis;
    g->vis = vis;
    g->canvas_cols = r.cols;
    g->shown_n = 0;
    char msg[256];
    switch (g->state) {
    case ST_EMPTY:
        draw_message(c, r.rows, r.cols,
                     "Open a dataset from the explorer (Enter) or run a query with "
                     "C-p > Run SQL query",
                     R_MUTED);
        return;
    case ST_OPENING:
        if (g->sql) {
            char n[32];
            snprintf(msg, sizeof msg, "Running the query… %s rows  (Esc cancels)",
                     gm_fmt_int(g->query_rows, n));
        } else snprintf(msg, sizeof msg, "Opening %s…", g->name ? g->name : "");
        draw_message(c, r.rows, r.cols, msg, R_RUNNING);
        return;
    case ST_FAILED:
        draw_message(c, r.rows, r.cols, g->error ? g->error : "failed", R_ERROR);
        if (r.rows > 3) ui_text(c, r.rows - 1, 2, -1, "r: try again", R_MUTED, 0, true);
        return;
    case ST_READY: break;
    }
    if (!g->win) {
        draw_message(c, r.rows, r.cols, g->loading ? "loading…" : g->error ? g->error : "",
                     g->loading ? R_RUNNING : R_ERROR);
        return;
    }
    if (resized) {
        grid_clamp_cursor(g);
        grid_prefetch(g);
    }
    int width = r.cols - 1;
    draw_rows(g, c, focused, width);
    if (g->total >= 0 && g->win->nrows > 0) {
        int64_t pos;
        bool exact;
        if (gm_page_position(g->win, g->top, g->total, &pos, &exact))
            ui_scrollbar(c, r.cols - 1, 1, vis, g->total, pos, vis);
    }
    if (r.rows >= 3) draw_footer(g, c, r.rows - 1, r.cols);
}
