/*
 * view_editor.c - the code editor view (see view_editor.h).
 *
 * Sections: the clipboard, motion and selection, completion, the
 * pipeline's help, drawing, keys and mouse. Documents and edits are in
 * view_editor_text.c. The text model is buffer.h, highlighting highlight.h,
 * the pipeline's help langsvc.h; none of them knows about the screen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view_editor_int.h"

static const char *const help[] = {
    "arrows, Home/End, PgUp/PgDn   move; with Shift: select; C-Left/C-Right by word",
    "C-s  save          C-z undo    C-y redo          C-a select all",
    "C-x  cut           C-c copy    C-v paste         C-/ comment lines",
    "C-f  find          F3/S-F3 next/previous match   C-r replace all   C-g go to line",
    "Tab  complete after a word, else indent          S-Tab unindent",
    "     (spaces or tabs and their width: C-p Editor indentation)",
    "C-Space  complete  F12 go to definition  S-F12 references  F2 what is this",
    "F8   preview the statement (or selection) in the data grid",
    "F9   refresh the dataset under the cursor   C-w close   C-PgUp/C-PgDn tabs",
    "In the editor Tab indents: F6 or Alt-number move between panes",
    NULL};

/* ======================= the clipboard ======================= */

static void copy(editor *e, doc *d, bool cut)
{
    size_t a, b;
    if (!ve_has_sel(d, &a, &b)) { /* the whole line */
        size_t l = ed_line_of(d->buf, ed_get_sel(d->buf).cursor);
        a = ed_line_start(d->buf, l);
        b = l + 1 < ed_lines(d->buf) ? ed_line_start(d->buf, l + 1) : ed_line_end(d->buf, l);
    }
    free(e->clip);
    e->clip = ed_text(d->buf, a, b);
    ui_clipboard_set(e->clip, b - a);
    if (cut) {
        ed_undo_break(d->buf);
        ve_edit(e, d, a, b, "", 0);
        ed_undo_break(d->buf);
    }
    ve_say(e, "%s %zu bytes", cut ? "Cut" : "Copied", b - a);
}

static void paste(editor *e, doc *d)
{
    if (!e->clip) {
        ve_say(e, "Nothing to paste (the terminal's own paste works too)");
        return;
    }
    ed_undo_break(d->buf);
    ve_type_text(e, d, e->clip, strlen(e->clip));
    ed_undo_break(d->buf);
}

/* ======================= motion and selection ======================= */

/* Moves the cursor to pos, extending the selection with shift. */
static void move_to(editor *e, doc *d, size_t pos, bool shift, bool keep_col)
{
    ed_sel s = ed_get_sel(d->buf);
    s.cursor = pos;
    if (!shift) s.anchor = pos;
    ed_set_sel(d->buf, s);
    if (!keep_col) d->want_cells = ed_col_cells(d->buf, pos, e->tab);
    ed_undo_break(d->buf);
    e->comp.open = false;
    ve_redraw(e);
}

/* Up/Down/PgUp/PgDn: to the column the last vertical moves aimed for, or,
 * when the cursor moved otherwise since (typing, a jump, a search), its own. */
static void move_lines(editor *e, doc *d, long delta, bool shift)
{
    size_t pos = ed_get_sel(d->buf).cursor, line = ed_line_of(d->buf, pos);
    if (pos != d->want_at || ed_version(d->buf) != d->want_ver)
        d->want_cells = ed_col_cells(d->buf, pos, e->tab);
    long target = (long)line + delta;
    if (target < 0) target = 0;
    if ((size_t)target >= ed_lines(d->buf)) target = (long)ed_lines(d->buf) - 1;
    move_to(e, d, ed_pos_at_cells(d->buf, (size_t)target, d->want_cells, e->tab), shift, true);
    d->want_at = ed_get_sel(d->buf).cursor;
    d->want_ver = ed_version(d->buf);
}

/* Keeps the cursor on screen. */
static void scroll_to_cursor(editor *e, doc *d)
{
    size_t pos = ed_get_sel(d->buf).cursor, line = ed_line_of(d->buf, pos);
    if (line < d->top) d->top = line;
    if (e->rows > 0 && line >= d->top + (size_t)e->rows) d->top = line - (size_t)e->rows + 1;
    int cells = ed_col_cells(d->buf, pos, e->tab), width = e->cols - e->gutter - 1;
    if (cells < d->left) d->left = cells;
    if (width > 4 && cells >= d->left + width) d->left = cells - width + 1;
}

/* C-Right: over what is not a word, then to the end of the word after it. */
static size_t word_right(const ed_buf *b, size_t pos)
{
    while (pos < ed_len(b) && ed_word_end(b, pos) == pos) pos = ed_next_char(b, pos);
    return ed_word_end(b, pos);
}

/* C-Left: back over what is not a word, then to the start of the word before it. */
static size_t word_left(const ed_buf *b, size_t pos)
{
    while (pos > 0 && ed_word_start(b, pos) == pos) pos = ed_prev_char(b, pos);
    return ed_word_start(b, pos);
}

/* Keeps the cursor on screen, unless the wheel scrolled the view away from
 * it and neither the cursor nor the text changed since. */
static void follow_cursor(editor *e, doc *d)
{
    if (d->wheeled && d->wheel_at == ed_get_sel(d->buf).cursor &&
        d->wheel_ver == ed_version(d->buf))
        return;
    d->wheeled = false;
    scroll_to_cursor(e, d);
}

static bool motion_key(editor *e, doc *d, const char *k)
{
    bool shift = false, ctrl = false;
    const char *base = k;
    for (;;) { /* "C-S-Left" -> ctrl, shift, "Left" */
        if (!strncmp(base, "C-", 2) && base[2]) ctrl = true;
        else if (!strncmp(base, "S-", 2) && base[2]) shift = true;
        else break;
        base += 2;
    }
    size_t pos = ed_get_sel(d->buf).cursor, line = ed_line_of(d->buf, pos);
    if (!strcmp(base, "Left")) {
        size_t a, b;
        if (!shift && !ctrl && ve_has_sel(d, &a, &b)) move_to(e, d, a, false, false);
        else move_to(e, d, ctrl ? word_left(d->buf, pos) : ed_prev_char(d->buf, pos), shift,
                     false);
    } else if (!strcmp(base, "Right")) {
        size_t a, b;
        if (!shift && !ctrl && ve_has_sel(d, &a, &b)) move_to(e, d, b, false, false);
        else move_to(e, d, ctrl ? word_right(d->buf, pos) : ed_next_char(d->buf, pos), shift,
                     false);
    } else if (!strcmp(base, "Up")) {
        move_lines(e, d, -1, shift);
    } else if (!strcmp(base, "Down")) {
        move_lines(e, d, 1, shift);
    } else if (!strcmp(base, "PgUp") && !ctrl) { /* C-PgUp/C-PgDn: tabs */
        move_lines(e, d, -(long)(e->rows > 2 ? e->rows - 1 : 1), shift);
    } else if (!strcmp(base, "PgDn") && !ctrl) {
        move_lines(e, d, e->rows > 2 ? e->rows - 1 : 1, shift);
    } else if (!strcmp(base, "Home")) {
        if (ctrl) {
            move_to(e, d, 0, shift, false);
        } else { /* the first non-blank, then the line's start */
            size_t ls = ed_line_start(d->buf, line), first = ls;
            while (first < ed_line_end(d->buf, line) && ed_byte(d->buf, first) == ' ') first++;
            move_to(e, d, pos == first ? ls : first, shift, false);
        }
    } else if (!strcmp(base, "End")) {
        move_to(e, d, ctrl ? ed_len(d->buf) : ed_line_end(d->buf, line), shift, false);
    } else {
        return false;
    }
    return true;
}

/* The bracket matching the one at (or just before) pos, or (size_t)-1. */
static size_t match_bracket(const doc *d, size_t pos, size_t *at)
{
    static const char open[] = "([{", close[] = ")]}";
    for (int pass = 0; pass < 2; pass++) {
        size_t p = pass ? pos - 1 : pos;
        if (pass && pos == 0) break;
        char c = ed_byte(d->buf, p);
        const char *o = strchr(open, c), *cl = strchr(close, c);
        if (!c || (!o && !cl)) continue;
        char want = o ? close[o - open] : open[cl - close];
        int depth = 0;
        size_t n = ed_len(d->buf), limit = 200000;
        for (size_t i = p; limit-- > 0; o ? i++ : i--) {
            char x = ed_byte(d->buf, i);
            if (x == c) depth++;
            else if (x == want && --depth == 0) {
                *at = p;
                return i;
            }
            if (o ? i + 1 >= n : i == 0) break;
        }
    }
    return (size_t)-1;
}

/* ======================= completion ======================= */

static void comp_close(editor *e)
{
    ls_items_free(&e->comp.items);
    e->comp.open = false;
}

/* Lists the completions at the cursor; the list opens when there are some.
 * quiet: say nothing when there are none. */
static void comp_list(editor *e, doc *d, bool quiet)
{
    ls_items_free(&e->comp.items);
    const ls_model *m = e->host.model ? e->host.model(e->host.ctx) : NULL;
    if (!m || d->lang != HL_LANG_SQL) {
        e->comp.open = false;
        if (!m && !quiet) ve_say(e, "Completion needs the pipeline to have been validated once");
        return;
    }
    char *text = ed_text(d->buf, 0, ed_len(d->buf));
    ls_complete(m, text, ed_len(d->buf), ed_get_sel(d->buf).cursor, &e->comp.from,
                &e->comp.items);
    free(text);
    e->comp.open = e->comp.items.n > 0;
    e->comp.sel = 0;
    if (!e->comp.open && !quiet) ve_say(e, "No completions here");
}

static void comp_update(editor *e, doc *d)
{
    comp_list(e, d, false);
}

static void comp_accept(editor *e, doc *d)
{
    if (!e->comp.open || e->comp.sel < 0 || (size_t)e->comp.sel >= e->comp.items.n) return;
    const char *label = e->comp.items.v[e->comp.sel].label;
    size_t pos = ed_get_sel(d->buf).cursor, from = e->comp.from;
    bool param = from >= 2 && ed_byte(d->buf, from - 1) == '{' && ed_byte(d->buf, from - 2) == '$';
    char *ins = param && ed_byte(d->buf, pos) != '}' ? xasprintf("%s}", label) : xstrdup(label);
    ed_undo_break(d->buf);
    ve_edit(e, d, from, pos, ins, strlen(ins));
    ed_undo_break(d->buf);
    free(ins);
    comp_close(e);
}

/* Keys while the completion list is open; false: not for it. */
static bool comp_key(editor *e, doc *d, const ui_event *ev)
{
    const char *k = ev->key;
    if (!strcmp(k, "Esc")) comp_close(e);
    else if (!strcmp(k, "Down") || !strcmp(k, "C-n")) e->comp.sel = (e->comp.sel + 1) % (int)e->comp.items.n;
    else if (!strcmp(k, "Up") || !strcmp(k, "C-k"))
        e->comp.sel = (e->comp.sel + (int)e->comp.items.n - 1) % (int)e->comp.items.n;
    else if (!strcmp(k, "Enter") || !strcmp(k, "Tab")) comp_accept(e, d);
    else return false;
    ve_redraw(e);
    return true;
}

/* ======================= the pipeline's help ======================= */

static char *word_under_cursor(doc *d)
{
    char *text = ed_text(d->buf, 0, ed_len(d->buf));
    char *w = ls_word_at(text, ed_len(d->buf), ed_get_sel(d->buf).cursor, NULL, NULL);
    free(text);
    return w;
}

static void go_to_definition(editor *e, doc *d)
{
    char *w = word_under_cursor(d);
    const ls_model *m = e->host.model ? e->host.model(e->host.ctx) : NULL;
    const ls_dataset *ds = w && m ? ls_dataset_named(m, w) : NULL;
    if (!ds) {
        ve_say(e, w ? "'%s' is not a dataset of the pipeline" : "No name under the cursor", w);
    } else {
        ed_view_open_at(&e->base, ds->file, ds->line, ds->col);
        ve_say(e, "%s: %s:%d", ds->name, ds->file, ds->line);
    }
    free(w);
}

static void hover(editor *e, doc *d)
{
    char *w = word_under_cursor(d);
    const ls_model *m = e->host.model ? e->host.model(e->host.ctx) : NULL;
    char *text = w && m ? ls_hover(m, w) : NULL;
    if (text && e->host.popup) e->host.popup(e->host.ctx, w, text);
    else ve_say(e, w ? "'%s' is not a dataset of the pipeline" : "No name under the cursor", w);
    free(text);
    free(w);
}

static void references(editor *e, doc *d)
{
    char *w = word_under_cursor(d);
    if (w && e->host.references) e->host.references(e->host.ctx, w);
    else ve_say(e, "No name under the cursor");
    free(w);
}

static void preview(editor *e, doc *d)
{
    if (!e->host.preview) return;
    size_t a, b;
    char *sql = ve_has_sel(d, &a, &b) ? ed_text(d->buf, a, b) : NULL;
    char *text = ed_text(d->buf, 0, ed_len(d->buf));
    e->host.preview(e->host.ctx, d->path, text, ed_get_sel(d->buf).cursor, sql);
    free(text);
    free(sql);
}

/* The problem (of the last dry run) at the cursor's line, for the status bar. */
static const diag *problem_at(editor *e, doc *d, size_t line)
{
    const diag_list *pl = e->host.problems ? e->host.problems(e->host.ctx) : NULL;
    for (size_t i = 0; pl && i < pl->items.n; i++) {
        const diag *g = &pl->items.v[i];
        if (g->file && !strcmp(g->file, d->path) && g->line == (int)line + 1) return g;
    }
    return NULL;
}

/* The problem on the cursor's line goes to the status bar (once). */
static void announce_problem(editor *e, doc *d, size_t line)
{
    const diag *g = problem_at(e, d, line);
    if (!g) {
        free(e->said);
        e->said = NULL;
        return;
    }
    if (e->said && !strcmp(e->said, g->msg)) return;
    free(e->said);
    e->said = xstrdup(g->msg);
    ve_say(e, "Ln %d: %s", g->line, g->msg);
}

/* ======================= drawing ======================= */

typedef struct line_ctx {
    editor *e;
    doc *d;
} line_ctx;

static const char *get_line(void *ctx, size_t i, size_t *len)
{
    line_ctx *c = ctx;
    size_t s = ed_line_start(c->d->buf, i), e = ed_line_end(c->d->buf, i);
    sb_clear(&c->e->line);
    sb_reserve(&c->e->line, e - s + 1);
    ed_copy(c->d->buf, s, e, c->e->line.s);
    c->e->line.len = e - s;
    c->e->line.s[e - s] = 0;
    *len = e - s;
    return c->e->line.s;
}

static ui_role role_of(hl_class c)
{
    switch (c) {
    case HL_KEYWORD: return R_KEYWORD;
    case HL_STRING: return R_STRING;
    case HL_NUMBER:
    case HL_CONSTANT: return R_NUMBER;
    case HL_COMMENT: return R_COMMENT;
    case HL_PARAM: return R_INFO;
    case HL_FUNCTION:
    case HL_TYPE: return R_HEADER;
    case HL_ERROR: return R_ERROR;
    case HL_OPERATOR: return R_MUTED;
    default: return R_NORMAL;
    }
}

static void draw_tabs(editor *e, ui_canvas *c, int cols)
{
    int col = 0;
    for (size_t i = 0; i < e->docs.n && col < cols; i++) {
        doc *d = e->docs.v[i];
        const char *name = strrchr(d->path, '/') ? strrchr(d->path, '/') + 1 : d->path;
        char label[128];
        snprintf(label, sizeof label, " %s%s ", name, ed_modified(d->buf) ? " •" : "");
        col += ui_text(c, 0, col, cols - col, label, (int)i == e->cur ? R_TAB_ACTIVE : R_TAB, 0,
                       true) + 1;
    }
    doc *d = ve_current(e);
    if (!d) return;
    size_t pos = ed_get_sel(d->buf).cursor, line = ed_line_of(d->buf, pos);
    char where[48];
    snprintf(where, sizeof where, " Ln %zu, Col %d ", line + 1, ed_col_cells(d->buf, pos, e->tab) + 1);
    int w = (int)strlen(where);
    if (cols - w > col) ui_text(c, 0, cols - w, w, where, R_MUTED, 0, false);
}

/* One text line: highlighted, selected, underlined where a problem is (at
 * byte problem_col, -1 for none: drawn in bad_role, the error or warning
 * color). */
static void draw_line(editor *e, doc *d, ui_canvas *c, int row, size_t line, hl_state st,
                      size_t sel_a, size_t sel_b, int problem_col, ui_role bad_role, size_t br1,
                      size_t br2)
{
    size_t len;
    line_ctx lc = {e, d};
    const char *text = get_line(&lc, line, &len);
    char *copy = xstrndup(text, len); /* get_line's buffer is reused by the cache */
    hl_span spans[MAX_SPANS];
    int n = 0;
    hl_line(d->lang, st, copy, len, spans, MAX_SPANS, &n);
    size_t ls = ed_line_start(d->buf, line), cursor = ed_get_sel(d->buf).cursor;
    bool cur_line = ed_line_of(d->buf, cursor) == line && sel_a == sel_b;
    int width = e->cols - e->gutter, cells = 0, si = 0;
    size_t i = 0, bad_end = 0;
    if (problem_col >= 0) { /* underline the word at the problem's column */
        size_t k = (size_t)problem_col;
        while (k < len && copy[k] != ' ' && copy[k] != ',' && copy[k] != ')' && copy[k] != ';') k++;
        bad_end = k > (size_t)problem_col ? k : (size_t)problem_col + 1;
    }
    while (i < len && cells - d->left < width) {
        size_t next = i + 1;
        while (next < len && ((unsigned char)copy[next] & 0xC0) == 0x80) next++;
        while (si < n && spans[si].start + spans[si].len <= i) si++;
        hl_class cls = si < n && spans[si].start <= i ? spans[si].cls : HL_NORMAL;
        ui_role role = role_of(cls);
        size_t abs = ls + i;
        int attrs = 0;
        bool bad = problem_col >= 0 && i >= (size_t)problem_col && i < bad_end;
        if (abs >= sel_a && abs < sel_b) role = R_SELECTION;
        else if (bad) role = bad_role;
        else if (cur_line && role == R_NORMAL) role = R_CURSOR_LINE;
        if (bad) attrs |= UI_UNDERLINE;
        if (abs == br1 || abs == br2) attrs |= UI_BOLD | UI_UNDERLINE;
        int w = copy[i] == '\t' ? e->tab - cells % e->tab : ui_width(copy + i, next - i);
        if (cells >= d->left) {
            if (copy[i] == '\t') {
                for (int k = 0; k < w; k++)
                    ui_text(c, row, e->gutter + cells - d->left + k, 1, " ", role, attrs, false);
            } else {
                ui_textn(c, row, e->gutter + cells - d->left, w, copy + i, next - i, role, attrs,
                         false);
            }
        }
        cells += w;
        i = next;
    }
    if (cur_line && cells - d->left < width) /* the rest of the cursor's line */
        ui_fill(c, (ui_rect){row, e->gutter + (cells > d->left ? cells - d->left : 0), 1,
                             width - (cells > d->left ? cells - d->left : 0)}, R_CURSOR_LINE);
    if (problem_col >= 0 && (size_t)problem_col >= len) /* a problem at the end */
        ui_text(c, row, e->gutter + cells - d->left, 1, " ", bad_role, UI_UNDERLINE | UI_REVERSE,
                false);
    free(copy);
}

static void draw_completion(editor *e, doc *d, ui_canvas *c, int crow, int ccol)
{
    int shown = e->comp.items.n < 8 ? (int)e->comp.items.n : 8, width = 0;
    for (size_t i = 0; i < e->comp.items.n; i++) {
        int w = ui_width(e->comp.items.v[i].label, strlen(e->comp.items.v[i].label)) +
                ui_width(e->comp.items.v[i].detail, strlen(e->comp.items.v[i].detail)) + 4;
        if (w > width) width = w;
    }
    if (width > e->cols - 2) width = e->cols - 2;
    int top = crow + 1 + shown <= e->rows ? crow + 2 : crow + 1 - shown;
    if (top < 1) top = 1;
    int left = ccol + width < e->cols ? ccol : e->cols - width;
    if (left < 0) left = 0;
    int first = e->comp.sel >= shown ? e->comp.sel - shown + 1 : 0;
    for (int i = 0; i < shown; i++) {
        const ls_item *it = &e->comp.items.v[first + i];
        ui_role role = first + i == e->comp.sel ? R_SELECTION : R_POPUP;
        ui_fill(c, (ui_rect){top + i, left, 1, width}, role);
        int used = ui_text(c, top + i, left + 1, width - 2, it->label, role, UI_BOLD, true);
        ui_text(c, top + i, left + used + 3, width - used - 4, it->detail,
                role == R_SELECTION ? role : R_MUTED, 0, true);
    }
    (void)d;
}

static void draw(view *v, ui_canvas *c, bool focused)
{
    editor *e = (editor *)v;
    ui_rect r = ui_canvas_rect(c);
    doc *d = ve_current(e);
    if (!d) {
        ui_text(c, r.rows / 3, 2, r.cols - 4, "No file open: Enter on a file in the explorer, "
                "or C-p and type a few letters of its name.", R_MUTED, 0, true);
        return;
    }
    e->rows = r.rows - 1;
    e->cols = r.cols;
    char digits[24];
    e->gutter = snprintf(digits, sizeof digits, "%zu", ed_lines(d->buf)) + 2;
    follow_cursor(e, d);
    draw_tabs(e, c, r.cols);
    size_t sel_a, sel_b;
    if (!ve_has_sel(d, &sel_a, &sel_b)) sel_a = sel_b = (size_t)-1;
    size_t br_at = (size_t)-1, br = match_bracket(d, ed_get_sel(d->buf).cursor, &br_at);
    line_ctx lc = {e, d};
    size_t cursor = ed_get_sel(d->buf).cursor, cur_line = ed_line_of(d->buf, cursor);
    for (int row = 0; row < e->rows && d->top + (size_t)row < ed_lines(d->buf); row++) {
        size_t line = d->top + (size_t)row;
        char num[24];
        snprintf(num, sizeof num, "%*zu ", e->gutter - 1, line + 1);
        const diag *g = problem_at(e, d, line);
        ui_role bad_role = g && g->level == DIAG_ERROR ? R_ERROR : R_WARNING;
        ui_text(c, row + 1, 0, e->gutter, num, g ? bad_role : line == cur_line ? R_TITLE : R_MUTED,
                0, false);
        hl_state st = hl_cache_state(d->hl, line, get_line, &lc);
        draw_line(e, d, c, row + 1, line, st, sel_a, sel_b, g && g->col > 0 ? g->col - 1 : -1,
                  bad_role, br_at, br);
    }
    announce_problem(e, d, cur_line);
    int crow = (int)(cur_line - d->top), ccol = e->gutter + ed_col_cells(d->buf, cursor, e->tab) - d->left;
    if (e->comp.open) draw_completion(e, d, c, crow, ccol);
    if (focused && crow >= 0 && crow < e->rows && ccol < r.cols)
        ui_screen_cursor(r.row + 1 + crow, r.col + ccol);
}

/* ======================= keys ======================= */

static void close_doc(editor *e, int i)
{
    ve_doc_free(e->docs.v[i]);
    for (size_t k = (size_t)i; k + 1 < e->docs.n; k++) e->docs.v[k] = e->docs.v[k + 1];
    e->docs.n--;
    if (e->cur >= (int)e->docs.n) e->cur = (int)e->docs.n - 1;
    comp_close(e);
    ve_redraw(e);
}

static void close_answer(void *arg, const char *text)
{
    editor *e = arg;
    doc *d = ve_current(e);
    if (!d || !text) return;
    if (text[0] == 's' || text[0] == 'S') {
        if (!ve_save(e, d)) return;
    } else if (text[0] != 'd' && text[0] != 'D') {
        return;
    }
    close_doc(e, e->cur);
}

/* C-w: closes the file shown, asking first when it has unsaved changes (the
 * answer field starts empty: a letter typed after a suggested one would be
 * read as the suggestion). */
static void close_current(editor *e, doc *d)
{
    if (ed_modified(d->buf) && e->host.prompt) {
        const char *name = strrchr(d->path, '/') ? strrchr(d->path, '/') + 1 : d->path;
        char *title = xasprintf("%s has unsaved changes: s save, d discard, Esc keep it open",
                                name);
        e->host.prompt(e->host.ctx, title, "", close_answer, e);
        free(title);
        return;
    }
    close_doc(e, e->cur);
}

/* Keys that change the text; false when k is not one. */
static bool edit_key(editor *e, doc *d, const ui_event *ev)
{
    const char *k = ev->key;
    if (ev->ch) {
        char s[8];
        size_t n = strlen(k);
        memcpy(s, k, n);
        ve_type_text(e, d, s, n);
        if (e->comp.open) comp_update(e, d);
    } else if (!strcmp(k, "Enter")) {
        ve_newline(e, d);
    } else if (!strcmp(k, "Backspace")) {
        ve_backspace(e, d, false);
        if (e->comp.open) comp_update(e, d);
    } else if (!strcmp(k, "Del")) {
        ve_backspace(e, d, true);
    } else if (!strcmp(k, "Tab")) {
        size_t a, b, pos = ed_get_sel(d->buf).cursor;
        bool after_word = pos > 0 && ed_word_start(d->buf, pos) < pos && ed_word_end(d->buf, pos) == pos;
        if (ve_has_sel(d, &a, &b) && ed_line_of(d->buf, a) != ed_line_of(d->buf, b)) {
            ve_indent_lines(e, d, false);
            return true;
        }
        if (after_word && !ve_has_sel(d, &a, &b)) { /* complete: one choice goes in at once */
            comp_list(e, d, true);
            if (e->comp.open && e->comp.items.n == 1) {
                char *word = ed_text(d->buf, e->comp.from, pos);
                bool typed = !strcmp(word, e->comp.items.v[0].label); /* nothing to add */
                free(word);
                if (!typed) {
                    comp_accept(e, d);
                    return true;
                }
                comp_close(e);
            }
            if (e->comp.open) return true;
        }
        int col = ed_col_cells(d->buf, pos, e->tab); /* else indent (no completion either) */
        sb step = {0};
        if (e->hard_tabs) sb_addc(&step, '\t');
        else sb_addf(&step, "%*s", e->tab - col % e->tab, "");
        ve_type_text(e, d, step.s, step.len);
        sb_free(&step);
    } else if (!strcmp(k, "S-Tab")) {
        ve_indent_lines(e, d, true);
    } else if (!strcmp(k, "C-z")) {
        ve_undo(e, d, false);
    } else if (!strcmp(k, "C-y")) {
        ve_undo(e, d, true);
    } else if (!strcmp(k, "C-x")) {
        copy(e, d, true);
    } else if (!strcmp(k, "C-v")) {
        paste(e, d);
    } else if (!strcmp(k, "C-_") || !strcmp(k, "C-/")) {
        ve_toggle_comment(e, d);
    } else if (!strcmp(k, "C-r")) {
        ve_replace_prompt(e, d);
    } else {
        return false;
    }
    return true;
}

/* Keys that do not change the text; false when k is not one. */
static bool command_key(editor *e, doc *d, const ui_event *ev)
{
    const char *k = ev->key;
    size_t a, b;
    if (!strcmp(k, "C-s")) {
        ve_save(e, d);
    } else if (!strcmp(k, "C-c")) {
        if (!ve_has_sel(d, &a, &b)) return false; /* C-c without a selection: the app's */
        copy(e, d, false);
    } else if (!strcmp(k, "C-a")) {
        ed_set_sel(d->buf, (ed_sel){0, ed_len(d->buf)});
        ve_redraw(e);
    } else if (!strcmp(k, "C-f")) {
        ve_find_prompt(e, d);
    } else if (!strcmp(k, "F3")) {
        ve_find_next(e, d, false);
    } else if (!strcmp(k, "S-F3")) {
        ve_find_next(e, d, true);
    } else if (!strcmp(k, "C-g")) {
        ve_goto_prompt(e);
    } else if (!strcmp(k, "C-Space")) {
        comp_update(e, d);
    } else if (!strcmp(k, "F12")) {
        go_to_definition(e, d);
    } else if (!strcmp(k, "S-F12")) {
        references(e, d);
    } else if (!strcmp(k, "F2")) {
        hover(e, d);
    } else if (!strcmp(k, "F8")) {
        preview(e, d);
    } else if (!strcmp(k, "F9")) {
        if (e->host.refresh) e->host.refresh(e->host.ctx, d->path, ed_get_sel(d->buf).cursor);
    } else if (!strcmp(k, "C-w")) {
        close_current(e, d);
    } else if (!strcmp(k, "C-PgDn") || !strcmp(k, "C-PgUp")) {
        int n = (int)e->docs.n;
        e->cur = (e->cur + (k[3] == 'D' ? 1 : n - 1)) % n;
        comp_close(e);
        ve_redraw(e);
    } else {
        return false;
    }
    return true;
}

static bool key(view *v, const ui_event *ev)
{
    editor *e = (editor *)v;
    doc *d = ve_current(e);
    if (!d) return false;
    if (e->comp.open && comp_key(e, d, ev)) return true;
    if (e->comp.open && !ev->ch && strcmp(ev->key, "Backspace")) comp_close(e);
    if (motion_key(e, d, ev->key) || command_key(e, d, ev) || edit_key(e, d, ev)) {
        d = ve_current(e); /* C-w may have closed d, F12 shown another file */
        if (d) follow_cursor(e, d);
        return true;
    }
    return false;
}

/* ======================= mouse ======================= */

/* The tab under column col of the tab bar, or -1. */
static int tab_at(editor *e, int col)
{
    int x = 0;
    for (size_t i = 0; i < e->docs.n; i++) {
        doc *d = e->docs.v[i];
        const char *name = strrchr(d->path, '/') ? strrchr(d->path, '/') + 1 : d->path;
        char label[128];
        snprintf(label, sizeof label, " %s%s ", name, ed_modified(d->buf) ? " •" : "");
        int w = ui_width(label, strlen(label));
        if (col >= x && col < x + w) return (int)i;
        x += w + 1;
    }
    return -1;
}

static size_t pos_at(editor *e, doc *d, int row, int col)
{
    size_t line = d->top + (size_t)(row > 1 ? row - 1 : 0);
    if (line >= ed_lines(d->buf)) return ed_len(d->buf);
    int cells = col - e->gutter + d->left;
    return ed_pos_at_cells(d->buf, line, cells < 0 ? 0 : cells, e->tab);
}

static bool mouse(view *v, const ui_event *ev, int row, int col)
{
    editor *e = (editor *)v;
    doc *d = ve_current(e);
    if (!d) return false;
    if (ev->mouse == M_WHEEL_UP || ev->mouse == M_WHEEL_DOWN) {
        size_t rows = e->rows > 0 ? (size_t)e->rows : 1, n = ed_lines(d->buf);
        size_t max = n > rows ? n - rows : 0; /* the last page stays full */
        if (ev->mouse == M_WHEEL_UP) d->top = d->top > 3 ? d->top - 3 : 0;
        else d->top = d->top + 3 < max ? d->top + 3 : max;
        /* keep the cursor where it is: scrolling does not move it */
        d->wheeled = true;
        d->wheel_at = ed_get_sel(d->buf).cursor;
        d->wheel_ver = ed_version(d->buf);
        e->base.dirty = true;
        if (e->host.redraw) e->host.redraw(e->host.ctx);
        return true;
    }
    if (ev->button != 0) return false;
    if (row == 0) {
        int t = ev->mouse == M_PRESS ? tab_at(e, col) : -1;
        if (t >= 0) {
            e->cur = t;
            comp_close(e);
            ve_redraw(e);
        }
        return true;
    }
    size_t pos = pos_at(e, d, row, col);
    comp_close(e);
    if (ev->mouse == M_PRESS) {
        double now = time_mono_ms();
        if (now - e->last_click_ms < 400 && pos == e->last_click_pos) { /* double click: the word */
            ed_set_sel(d->buf, (ed_sel){ed_word_start(d->buf, pos), ed_word_end(d->buf, pos)});
            e->last_click_ms = 0;
        } else {
            move_to(e, d, pos, ev->shift, false);
            e->last_click_ms = now;
        }
        e->last_click_pos = pos;
        e->dragging = true;
    } else if (ev->mouse == M_DRAG && e->dragging) {
        move_to(e, d, pos, true, false);
    } else if (ev->mouse == M_RELEASE) {
        e->dragging = false;
    }
    d->want_cells = ed_col_cells(d->buf, ed_get_sel(d->buf).cursor, e->tab);
    ve_redraw(e);
    return true;
}

/* ======================= the rest of the view ======================= */

static void tick(view *v)
{
    editor *e = (editor *)v;
    doc *d = ve_current(e);
    if (!d) return;
    ve_check_disk(e, d);
    uint64_t ver = ed_version(d->buf);
    if (ver != d->checked && time_mono_ms() - d->edited_ms >= PAUSE_MS) {
        d->checked = ver;
        if (e->host.edited) e->host.edited(e->host.ctx);
    }
}

static bool captures(view *v)
{
    return ve_current((editor *)v) != NULL;
}

static void free_editor(view *v)
{
    editor *e = (editor *)v;
    for (size_t i = 0; i < e->docs.n; i++) ve_doc_free(e->docs.v[i]);
    VEC_FREE(&e->docs);
    comp_close(e);
    free(e->clip);
    free(e->find);
    free(e->said);
    sb_free(&e->line);
    free(e);
}

static const view_ops editor_ops = {
    .title = "Editor",
    .draw = draw,
    .key = key,
    .mouse = mouse,
    .captures = captures,
    .help = help,
    .free = free_editor,
    .tick = tick,
};

view *ed_view_new(const ed_host *host)
{
    editor *e = xcalloc(1, sizeof(*e));
    e->base.ops = &editor_ops;
    e->host = *host;
    e->cur = -1;
    e->tab = 4;
    return &e->base;
}

void ed_view_set_indent(view *v, int width, bool hard_tabs)
{
    editor *e = (editor *)v;
    e->tab = width >= 1 && width <= 16 ? width : 4;
    e->hard_tabs = hard_tabs;
    e->base.dirty = true;
}
