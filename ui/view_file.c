/*
 * view_file.c - the Editor tab until the editor exists: a file shown
 * read-only with line numbers, scrolled to a line (problems jump here), and
 * the placeholder view that says what a tab will hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "fsutil.h"

typedef struct file_view {
    view base;
    char *path;       /* owned */
    char *text;       /* owned */
    VEC(size_t) lines; /* offsets of line starts */
    ui_list list;     /* the line under the cursor, scrolling */
    int rows_shown;
    int mark;         /* the line jumped to (1-based), 0 none */
} file_view;

static const char *const help[] = {
    "Up/Down/PgUp/PgDn/Home/End   scroll (read-only: the editor is not built yet)",
    NULL};

void file_view_open(view *v, const char *path, int line)
{
    file_view *f = (file_view *)v;
    free(f->path);
    free(f->text);
    f->lines.n = 0;
    f->path = xstrdup(path);
    char *err = NULL;
    f->text = fs_read(path, NULL, &err);
    if (!f->text) {
        f->text = err;
        err = NULL;
    }
    free(err);
    VEC_PUSH(&f->lines, 0);
    for (size_t i = 0; f->text[i]; i++)
        if (f->text[i] == '\n' && f->text[i + 1]) VEC_PUSH(&f->lines, i + 1);
    f->list.n = (int)f->lines.n;
    f->list.sel = line > 0 ? line - 1 : 0;
    f->mark = line;
    f->list.top = f->list.sel > 5 ? f->list.sel - 5 : 0;
    ui_list_fit(&f->list, f->rows_shown > 0 ? f->rows_shown : 20);
    app_dirty(v->a, v);
}

static void draw(view *v, ui_canvas *c, bool focused)
{
    (void)focused;
    file_view *f = (file_view *)v;
    ui_rect r = ui_canvas_rect(c);
    if (!f->text) {
        ui_text(c, 0, 1, -1, "No file open: pick one in the explorer (Enter) or with C-p.",
                R_MUTED, 0, true);
        return;
    }
    ui_text(c, 0, 1, r.cols - 2, f->path, R_TITLE, 0, true);
    f->rows_shown = r.rows - 1;
    ui_list_fit(&f->list, f->rows_shown);
    int gutter = 5;
    for (int row = 0; row < f->rows_shown && f->list.top + row < f->list.n; row++) {
        int ln = f->list.top + row;
        size_t s = f->lines.v[ln];
        const char *e = strchr(f->text + s, '\n');
        size_t n = e ? (size_t)(e - (f->text + s)) : strlen(f->text + s);
        bool cur = ln == f->list.sel;
        if (cur) ui_fill(c, (ui_rect){row + 1, 0, 1, r.cols}, R_CURSOR_LINE);
        char num[16];
        snprintf(num, sizeof num, "%4d ", ln + 1);
        ui_text(c, row + 1, 0, gutter, num, ln + 1 == f->mark ? R_ERROR : R_MUTED, 0, false);
        ui_textn(c, row + 1, gutter, r.cols - gutter, f->text + s, n,
                 cur ? R_CURSOR_LINE : R_NORMAL, 0, true);
    }
}

static bool key(view *v, const ui_event *e)
{
    file_view *f = (file_view *)v;
    return view_list_key(v, &f->list, f->rows_shown, e);
}

static bool mouse(view *v, const ui_event *e, int row, int col)
{
    (void)col;
    file_view *f = (file_view *)v;
    view_list_mouse(v, &f->list, f->rows_shown, e, row - 1, NULL);
    return true;
}

static void free_file(view *v)
{
    file_view *f = (file_view *)v;
    free(f->path);
    free(f->text);
    VEC_FREE(&f->lines);
    free(f);
}

static const view_ops file_ops = {
    .title = "Editor",
    .draw = draw,
    .key = key,
    .mouse = mouse,
    .help = help,
    .free = free_file};

view *file_view_new(app *a)
{
    file_view *f = view_new(sizeof(*f), &file_ops, a);
    return &f->base;
}

/* ======================= placeholders ======================= */

typedef struct placeholder {
    view base;
    char *what;
} placeholder;

static void draw_placeholder(view *v, ui_canvas *c, bool focused)
{
    (void)focused;
    placeholder *p = (placeholder *)v;
    ui_rect r = ui_canvas_rect(c);
    /* word-wrapped, centered vertically */
    const char *s = p->what;
    int row = r.rows / 3, width = r.cols - 4 > 70 ? 70 : r.cols - 4;
    while (*s && row < r.rows && width > 0) {
        size_t n = strlen(s), cut = n;
        if (ui_width(s, n) > width) {
            cut = 0;
            for (size_t i = 0; i < n && ui_width(s, i) <= width; i++)
                if (s[i] == ' ') cut = i;
            if (!cut) cut = (size_t)width;
        }
        ui_textn(c, row++, (r.cols - width) / 2, width, s, cut, R_MUTED, 0, false);
        s += cut;
        while (*s == ' ') s++;
    }
}

static void free_placeholder(view *v)
{
    free(((placeholder *)v)->what);
    free(v);
}

static const view_ops placeholder_ops = {
    .title = "",
    .draw = draw_placeholder,
    .free = free_placeholder};

view *placeholder_view_new(app *a, const char *what)
{
    placeholder *p = view_new(sizeof(*p), &placeholder_ops, a);
    p->what = xstrdup(what);
    return &p->base;
}
