/*
 * view_designer.h - the Designer view: the pipeline as boxes and arrows
 * arranged with the mouse or the keys, built from no-code operators through
 * forms, every change written at once into the project's SQL files (and the
 * positions into tarn.json). It draws through the toolkit and asks the shell
 * for everything else through dg_host, so it does not depend on the shell.
 */
#ifndef TARN_VIEW_DESIGNER_H
#define TARN_VIEW_DESIGNER_H

#include <stdbool.h>
#include <stdint.h>

#include "project.h"
#include "tk.h"
#include "tk_view.h"
#include "validate.h"

typedef struct dg_host {
    void *ctx;
    void (*say)(void *ctx, const char *msg);
    void (*redraw)(void *ctx);
    /* one-line input; done gets NULL when canceled */
    void (*prompt)(void *ctx, const char *title, const char *initial,
                   void (*done)(void *arg, const char *text), void *arg);
    /* a list to pick from (filtered by typing); done gets the item or NULL */
    void (*pick)(void *ctx, const char *title, const strvec *items,
                 void (*done)(void *arg, const char *item), void *arg);
    /* the project as loaded from disk, and the last dry run's schemas (either
     * may be NULL while loading) */
    const project *(*project)(void *ctx);
    const val_result *(*schemas)(void *ctx);
    /* the last update's state of a dataset ("COMPLETED", "RUNNING", ...) or
     * NULL, with rows and seconds when known */
    const char *(*state)(void *ctx, const char *name, int64_t *rows, double *secs);
    /* files were written: reload the project (the view is told with
     * dg_view_reload) */
    void (*changed)(void *ctx);
    /* runs the engine's preview of dataset name into the Data grid; show:
     * also bring the grid forward (else only its content changes) */
    void (*preview)(void *ctx, const char *name, bool show);
    void (*open_sql)(void *ctx, const char *file, int line);
    void (*refresh)(void *ctx, const char *name);
} dg_host;

view *dg_view_new(const dg_host *host);
/* The project was (re)loaded: rebuild the graph, keeping the view's place
 * and selection. */
void dg_view_reload(view *v);
/* A dry run brought new schemas (host.schemas): the nodes' columns and
 * states change, the picture stays (unless its boxes show columns). */
void dg_view_schemas(view *v);

#endif
