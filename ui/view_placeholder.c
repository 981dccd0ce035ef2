/*
 * view_placeholder.c - the view of a tab whose feature is not built yet: it
 * says what the tab will hold and what to use meanwhile.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "fsutil.h"

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
