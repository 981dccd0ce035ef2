/*
 * app_int.h - the shell's own state, shared by the app_*.c files (views see
 * only app.h).
 */
#ifndef TARN_APP_INT_H
#define TARN_APP_INT_H

#include <stdatomic.h>

#include "app.h"
#include "langsvc.h"
#include "validate.h"

/* A posted call, waiting for the UI thread. */
typedef struct app_msg {
    void (*fn)(app *a, void *arg);
    void *arg;
    struct app_msg *next;
} app_msg;

/* A thread running jobs in order. */
typedef struct app_worker {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *head, *tail;
    bool stop;
    bool busy;              /* running a job */
    bool started;
} app_worker;

/* An overlay over the panes: the palette, help, a text popup, a prompt. */
typedef enum { OV_NONE, OV_PALETTE, OV_HELP, OV_POPUP, OV_PROMPT } overlay_kind;

typedef struct overlay {
    overlay_kind kind;
    char *title;            /* owned */
    char *text;             /* owned: popup text, or the prompt's input */
    size_t cursor;          /* prompt/palette: byte offset in input */
    int scroll;             /* popup/help: first line shown */
    int selected;           /* palette: selected entry */
    sb input;               /* palette input */
    strvec pick;            /* a pick list's items (the palette's look), else empty */
    strvec files;           /* palette: the project's files, listed when it opened */
    void (*done)(app *a, const char *text, void *ctx);
    void *ctx;
} overlay;

typedef struct layout {
    int explorer_cols;      /* width of the explorer pane */
    int bottom_rows;        /* height of the bottom panel */
    bool bottom_open;
    bool explorer_open;
} layout;

struct app {
    char *dir;
    strvec params;
    project p;
    bool loaded;
    diag_list problems;      /* of the latest finished dry run */
    ls_model model;          /* of that dry run, for the editor */
    bool has_model;
    atomic_int validation;   /* generation of the latest dry run asked for (the
                              * worker skips older ones still queued) */
    bool validating;
    atomic_int previews;     /* generation of the latest preview asked for (the
                              * worker skips older ones still queued) */
    char *project_name;

    /* panes and views */
    view *explorer;
    view *main_views[MAIN_TABS];
    view *bottom_views[BOTTOM_TABS];
    int main_tab, bottom_tab, focus;
    ui_canvas *canvas[PANE_COUNT + 1]; /* frames, + the status bar */
    ui_rect rect[PANE_COUNT + 1];
    ui_canvas *inner[PANE_COUNT];      /* inside each frame: the view's */
    int tab_cols[PANE_COUNT][MAIN_TABS + 1]; /* where each tab label starts */
    ui_canvas *overlay_canvas;
    layout lay;
    int drag;               /* 0, or 1 dragging the explorer border, 2 the bottom's */
    bool all_dirty;
    overlay ov;

    /* status */
    char say[256];
    double say_until;
    char branch[64];
    bool git_dirty;
    /* a view's open prompt or pick list: its answer goes here */
    void (*view_done)(void *arg, const char *text);
    void *view_arg;
    val_result schemas;      /* of the latest dry run, for the designer */
    bool has_schemas;

    /* work */
    pthread_mutex_t mu;     /* guards posted */
    app_msg *posted, *posted_tail;
    int wake[2];            /* pipe: a byte wakes the loop */
    app_worker updates, queries;
    upd *running;           /* the running update, or NULL */
    app_update up;

    /* config */
    char *config_path;
    char *theme;
    int tab_width;          /* the editor's indentation step */
    bool hard_tabs;
    bool quit;
    double quit_asked;      /* when C-q was refused because an update runs */
};

/* app_worker.c */
void worker_start(app_worker *w);
void worker_submit(app_worker *w, void (*job)(void *arg), void *arg);
void worker_stop(app_worker *w);
bool worker_idle(app_worker *w);
bool app_posted_pending(app *a);
void app_drain_posted(app *a);

/* app_actions.c */
bool app_dispatch_key(app *a, const ui_event *e, bool view_first);
void app_palette_open(app *a);
void app_help_open(app *a);
bool app_overlay_key(app *a, const ui_event *e);
void app_overlay_draw(app *a);

/* app_config.c */
void app_config_load(app *a);
void app_config_save(app *a);
const char *const *app_theme_dirs(void);

/* app_update.c */
void app_update_init(app *a);
void app_update_free(app *a);

/* app_project.c */
view *app_editor_new(app *a);
/* For the views' hosts (ctx is the app): a prompt or pick list (the answer,
 * or NULL, goes to done), and a message in the status bar. */
void app_view_prompt(void *ctx, const char *title, const char *initial,
                     void (*done)(void *arg, const char *text), void *arg);
void app_view_pick(void *ctx, const char *title, const strvec *items,
                   void (*done)(void *arg, const char *text), void *arg);
void app_view_say(void *ctx, const char *msg);
/* Previews a dataset (or the dataset defined at pos of path's text) into
 * the data grid. */
void app_preview(app *a, bool show, const char *dataset, const char *path, const char *text, size_t pos,
                 const char *sql);

/* app_designer.c */
view *app_designer_new(app *a);
/* Saves the editor's modified files (returns how many failed) / counts them. */
int app_save_all(app *a);
int app_unsaved(const app *a);

/* app_actions.c: a list to pick from (the palette's look and filtering);
 * done gets the chosen item's text, or NULL when canceled. */
void app_pick(app *a, const char *title, const strvec *items,
              void (*done)(app *a, const char *text, void *ctx), void *ctx);

/* app_main.c */
void app_layout(app *a);
view *app_focused_view(app *a);

#endif
