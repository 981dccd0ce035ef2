/*
 * tk_view.h - what a view is: the vtable a pane calls (draw, keys, mouse,
 * ...). Views are written against this and tk.h; the shell (app.h) owns the
 * panes and wires views in. A view that needs the shell's services (the code
 * editor) gets them through callbacks of its own, not by including app.h.
 */
#ifndef TARN_TK_VIEW_H
#define TARN_TK_VIEW_H

#include <stdbool.h>

#include "tk.h"

struct app;
typedef struct view view;

/* What a view does; any function may be NULL. Coordinates given to mouse
 * are relative to the view's canvas (inside the pane's border). */
typedef struct view_ops {
    const char *title;
    void (*draw)(view *v, ui_canvas *c, bool focused);
    bool (*key)(view *v, const ui_event *e);          /* true: handled */
    bool (*mouse)(view *v, const ui_event *e, int row, int col);
    /* the view takes keys before the app's bindings (a terminal, a text
     * editor); keys it does not handle still reach the bindings */
    bool (*captures)(view *v);
    /* lines "key  what it does" for the help overlay, NULL-terminated */
    const char *const *help;
    /* a file descriptor the loop should watch for the view (-1: none), and
     * what to do when it is readable (the terminal's pty) */
    int (*fd)(view *v);
    void (*readable)(view *v);
    void (*free)(view *v);
    /* called about every 250 ms while the program waits for input (timers:
     * a pause in typing, a file changed on disk) */
    void (*tick)(view *v);
} view_ops;

struct view {
    const view_ops *ops;
    struct app *a;           /* the shell, for views that are part of it */
    bool dirty;              /* redraw at the next frame */
};

#endif
