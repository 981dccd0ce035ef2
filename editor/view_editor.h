/*
 * view_editor.h - the code editor view: project files in tabs, edited with
 * the keys and mouse of common editors, highlighted, checked by the engine
 * while typing, with completion, go to definition, references, hover, and
 * previews of the statement under the cursor. It draws through the toolkit
 * and asks the shell for everything else through ed_host, so it does not
 * depend on the shell.
 */
#ifndef TARN_VIEW_EDITOR_H
#define TARN_VIEW_EDITOR_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "langsvc.h"
#include "project.h"
#include "tk.h"
#include "tk_view.h"

/* What the editor needs from the program around it. */
typedef struct ed_host {
    void *ctx;
    const char *dir;                             /* the project folder */
    void (*say)(void *ctx, const char *msg);     /* the status bar */
    void (*redraw)(void *ctx);                   /* the editor changed */
    void (*popup)(void *ctx, const char *title, const char *text);
    void (*prompt)(void *ctx, const char *title, const char *initial,
                   void (*done)(void *arg, const char *text), void *arg);
    /* a file was saved / the text changed and typing paused: validate */
    void (*saved)(void *ctx, const char *path);
    void (*edited)(void *ctx);
    /* the last dry run: its model and problems (either may be NULL) */
    const ls_model *(*model)(void *ctx);
    const diag_list *(*problems)(void *ctx);
    /* preview the dataset defined at pos of path's text (or, with sql, that
     * query) into the data grid; refresh the dataset defined there */
    void (*preview)(void *ctx, const char *path, const char *text, size_t pos, const char *sql);
    void (*refresh)(void *ctx, const char *path, size_t pos);
    /* the places that read a dataset */
    void (*references)(void *ctx, const char *name);
} ed_host;

view *ed_view_new(const ed_host *host);
/* Opens path (relative to the project) or shows it when open, at line. */
void ed_view_open(view *v, const char *path, int line);
/* Same, with the cursor at col (1-based, bytes) of line. */
void ed_view_open_at(view *v, const char *path, int line, int col);
/* Indentation: width columns a step (1..16, default 4), as spaces or, with
 * hard_tabs, as one tab character shown width columns wide. */
void ed_view_set_indent(view *v, int width, bool hard_tabs);
/* Files with unsaved changes. */
int ed_view_unsaved(const view *v);
/* The unsaved buffers, for a dry run of what is typed (texts owned by the
 * caller: free each .text, then the array). */
prj_overlay *ed_view_overlays(const view *v, size_t *n);
/* Saves every modified buffer; returns how many failed. */
int ed_view_save_all(view *v);
/* The file shown, or NULL. */
const char *ed_view_path(const view *v);

#endif
