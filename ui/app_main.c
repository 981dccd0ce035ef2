/*
 * app_main.c - the TUI shell (see app.h): start-up, the event loop, the pane
 * layout (with borders dragged by the mouse), routing of keys and mouse to
 * the focused view, and the status bar. Only views marked dirty are redrawn,
 * and curses sends only what changed (wnoutrefresh + one doupdate a frame).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app_int.h"
#include "fsutil.h"
#include "view_editor.h"

static const char *const main_names[MAIN_TABS] = {"Editor", "Designer", "Data", "Jobs", "Git"};
static const char *const bottom_names[BOTTOM_TABS] = {"Run", "Events", "Problems", "Terminal"};

/* ======================= small API ======================= */

void app_dirty(app *a, view *v)
{
    if (v) v->dirty = true;
    else a->all_dirty = true;
}

void *view_new(size_t size, const view_ops *ops, app *a)
{
    view *v = xcalloc(1, size);
    v->ops = ops;
    v->a = a;
    v->dirty = true;
    return v;
}

bool view_list_key(view *v, ui_list *l, int rows, const ui_event *e)
{
    if (!ui_list_key(l, e, rows > 0 ? rows : 5)) return false;
    app_dirty(v->a, v);
    return true;
}

void view_list_mouse(view *v, ui_list *l, int rows, const ui_event *e, int row,
                     bool *activate)
{
    int before = l->sel;
    int hit = ui_list_mouse(l, e, row, rows > 0 ? rows : 5);
    if (activate) *activate = hit >= 0 && hit == before;
    app_dirty(v->a, v);
}

void app_say(app *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->say, sizeof a->say, fmt, ap);
    va_end(ap);
    a->say_until = time_mono_ms() + 5000;
}

const project *app_project(const app *a)
{
    return &a->p;
}

const diag_list *app_problems(const app *a)
{
    return &a->problems;
}

const char *app_dir(const app *a)
{
    return a->dir;
}

view *app_focused_view(app *a)
{
    switch (a->focus) {
    case PANE_EXPLORER: return a->explorer;
    case PANE_BOTTOM: return a->bottom_views[a->bottom_tab];
    default: return a->main_views[a->main_tab];
    }
}

void app_focus(app *a, int pane)
{
    if (pane == PANE_EXPLORER) a->lay.explorer_open = true;
    if (pane == PANE_BOTTOM) a->lay.bottom_open = true;
    a->focus = pane;
    ui_screen_cursor(-1, 0);
    app_layout(a);
}

void app_show_main(app *a, int tab)
{
    a->main_tab = tab;
    app_focus(a, PANE_MAIN);
}

void app_show_bottom(app *a, int tab)
{
    a->bottom_tab = tab;
    app_focus(a, PANE_BOTTOM);
}

/* ======================= layout ======================= */

static void set_canvas(app *a, int i, ui_rect r)
{
    ui_canvas_free(a->canvas[i]);
    a->rect[i] = r;
    a->canvas[i] = ui_canvas_new(r);
}

/* The inside of a pane (within its border). */
static ui_rect inner(ui_rect r)
{
    ui_rect in = {r.row + 1, r.col + 1, r.rows - 2, r.cols - 2};
    if (in.rows < 1) in.rows = 1;
    if (in.cols < 1) in.cols = 1;
    return in;
}

void app_layout(app *a)
{
    int rows, cols;
    ui_screen_size(&rows, &cols);
    bool explorer = a->lay.explorer_open && cols >= 40;
    bool bottom = a->lay.bottom_open && rows >= 12;
    int ew = explorer ? a->lay.explorer_cols : 0;
    if (ew > cols / 2) ew = cols / 2;
    if (explorer && ew < 14) ew = 14;
    int bh = bottom ? a->lay.bottom_rows : 0;
    if (bh > rows - 6) bh = rows - 6;
    if (bottom && bh < 4) bh = 4;
    int top = rows - 1 - bh;
    if (top < 1) top = 1;
    ui_rect hidden = {0, 0, 1, 1};
    set_canvas(a, PANE_EXPLORER, explorer ? (ui_rect){0, 0, top, ew} : hidden);
    set_canvas(a, PANE_MAIN, (ui_rect){0, ew, top, cols - ew});
    set_canvas(a, PANE_BOTTOM, bottom ? (ui_rect){top, 0, bh, cols} : hidden);
    set_canvas(a, PANE_COUNT, (ui_rect){rows - 1, 0, 1, cols});
    if (!explorer && a->focus == PANE_EXPLORER) a->focus = PANE_MAIN;
    if (!bottom && a->focus == PANE_BOTTOM) a->focus = PANE_MAIN;
    for (int p = 0; p < PANE_COUNT; p++) {
        ui_canvas_free(a->inner[p]);
        a->inner[p] = ui_canvas_new(inner(a->rect[p]));
    }
    a->all_dirty = true;
}

static bool pane_visible(const app *a, int p)
{
    if (p == PANE_EXPLORER) return a->rect[p].cols > 1 && a->lay.explorer_open;
    if (p == PANE_BOTTOM) return a->rect[p].rows > 1 && a->lay.bottom_open;
    return true;
}

/* ======================= drawing ======================= */

/* Tab labels on a pane's top border; returns where each starts (cols). */
static void draw_tabs(ui_canvas *c, const char *const *names, int n, int first_number,
                      int active, bool focused, int *starts)
{
    int col = 2;
    for (int i = 0; i < n; i++) {
        char label[32];
        snprintf(label, sizeof label, " %d %s ", first_number + i, names[i]);
        if (starts) starts[i] = col;
        col += ui_text(c, 0, col, -1, label, i == active ? R_TAB_ACTIVE : R_TAB,
                       i == active && focused ? UI_BOLD : 0, false);
        col++;
    }
    if (starts) starts[n] = col;
}

static void draw_frame(app *a, int p)
{
    ui_canvas *c = a->canvas[p];
    bool focused = a->focus == p;
    ui_clear(c, R_NORMAL);
    if (p == PANE_EXPLORER) {
        ui_border(c, "Explorer", focused);
    } else if (p == PANE_MAIN) {
        ui_border(c, NULL, focused);
        draw_tabs(c, main_names, MAIN_TABS, 1, a->main_tab, focused, a->tab_cols[p]);
    } else {
        ui_border(c, NULL, focused);
        draw_tabs(c, bottom_names, BOTTOM_TABS, 6, a->bottom_tab, focused, a->tab_cols[p]);
    }
    ui_canvas_show(c);
}

static void draw_view(app *a, int p, view *v)
{
    ui_canvas *c = a->inner[p];
    ui_clear(c, R_NORMAL);
    if (v && v->ops->draw) v->ops->draw(v, c, a->focus == p);
    if (v) v->dirty = false;
    ui_canvas_show(c);
}

static void draw_status(app *a)
{
    ui_canvas *c = a->canvas[PANE_COUNT];
    ui_clear(c, R_STATUS);
    char left[512];
    const app_update *u = &a->up;
    char progress[96] = "";
    if (u->running)
        snprintf(progress, sizeof progress, "  update #%lld RUNNING %d/%d", (long long)u->id, u->done,
                 u->total);
    else if (u->id)
        snprintf(progress, sizeof progress, "  update #%lld %s", (long long)u->id, u->state);
    /* the file shown (its tab names it too, so a message may take its place) */
    bool saying = a->say[0] && time_mono_ms() < a->say_until;
    const char *file = ed_view_path(a->main_views[TAB_EDITOR]);
    const char *where = a->main_tab != TAB_EDITOR || !file ? main_names[a->main_tab]
                        : saying ? "" : file;
    snprintf(left, sizeof left, " %s  %s%s  %s%s", a->project_name ? a->project_name : "",
             a->branch[0] ? a->branch : "no git", a->git_dirty ? "*" : "", where, progress);
    int used = ui_text(c, 0, 0, -1, left, u->running ? R_STATUS_ACCENT : R_STATUS, 0, true);
    const char *hint = "? help  C-p commands ";
    int cols = ui_canvas_rect(c).cols, hw = (int)strlen(hint);
    if (saying)
        ui_text(c, 0, used + 2, cols - used - hw - 3, a->say, R_STATUS, UI_BOLD, true);
    if (cols - hw > used) ui_text(c, 0, cols - hw, hw, hint, R_STATUS, 0, false);
    ui_canvas_show(c);
}

static void draw(app *a)
{
    bool all = a->all_dirty || a->ov.kind != OV_NONE;
    if (all) ui_screen_cursor(-1, 0); /* whoever needs it sets it while drawing */
    for (int p = 0; p < PANE_COUNT; p++) {
        if (!pane_visible(a, p)) continue;
        view *v = p == PANE_EXPLORER ? a->explorer
                  : p == PANE_MAIN ? a->main_views[a->main_tab] : a->bottom_views[a->bottom_tab];
        if (all) draw_frame(a, p);
        if (all || (v && v->dirty)) draw_view(a, p, v);
    }
    draw_status(a);
    if (a->ov.kind != OV_NONE) app_overlay_draw(a);
    a->all_dirty = false;
    ui_screen_flush();
}

/* ======================= mouse ======================= */

/* A click on a tab label of a pane's top border. */
static bool click_tab(app *a, int p, int col)
{
    int rel = col - a->rect[p].col;
    const int *starts = a->tab_cols[p];
    int n = p == PANE_MAIN ? MAIN_TABS : BOTTOM_TABS;
    for (int i = 0; i < n; i++)
        if (rel >= starts[i] && rel < starts[i + 1]) {
            if (p == PANE_MAIN) app_show_main(a, i);
            else app_show_bottom(a, i);
            return true;
        }
    return false;
}

/* Dragging the border between explorer and main, or above the bottom panel. */
static bool drag_border(app *a, const ui_event *e)
{
    ui_rect ex = a->rect[PANE_EXPLORER], bo = a->rect[PANE_BOTTOM];
    if (e->mouse == M_PRESS) {
        if (pane_visible(a, PANE_EXPLORER) && e->col == ex.col + ex.cols - 1 &&
            e->row > 0 && e->row < ex.rows - 1)
            a->drag = 1;
        else if (pane_visible(a, PANE_BOTTOM) && e->row == bo.row && e->col > 0 &&
                 e->col < bo.cols - 1 && (e->col < 2 || !click_tab(a, PANE_BOTTOM, e->col)))
            a->drag = e->col > 1 ? 2 : 0;
        return a->drag != 0;
    }
    if (!a->drag) return false;
    int rows, cols;
    ui_screen_size(&rows, &cols);
    if (a->drag == 1) a->lay.explorer_cols = e->col + 1;
    else a->lay.bottom_rows = rows - 1 - e->row;
    if (e->mouse == M_RELEASE) {
        a->drag = 0;
        app_config_save(a);
    }
    app_layout(a);
    return true;
}

static void route_mouse(app *a, const ui_event *e)
{
    if (a->ov.kind != OV_NONE) {
        app_overlay_key(a, e); /* the overlay takes wheel and clicks */
        return;
    }
    if (drag_border(a, e)) return;
    for (int p = 0; p < PANE_COUNT; p++) {
        if (!pane_visible(a, p) || !ui_rect_has(a->rect[p], e->row, e->col)) continue;
        if (e->mouse == M_PRESS && a->focus != p) {
            a->focus = p;
            a->all_dirty = true;
        }
        if (e->mouse == M_PRESS && e->row == a->rect[p].row && p != PANE_EXPLORER &&
            click_tab(a, p, e->col))
            return;
        view *v = p == PANE_EXPLORER ? a->explorer
                  : p == PANE_MAIN ? a->main_views[a->main_tab] : a->bottom_views[a->bottom_tab];
        ui_rect in = inner(a->rect[p]);
        if (v && v->ops->mouse && ui_rect_has(in, e->row, e->col))
            v->ops->mouse(v, e, e->row - in.row, e->col - in.col);
        return;
    }
}

/* ======================= the loop ======================= */

/* SIGTERM and SIGHUP end the loop cleanly (the terminal is restored, a
 * running update is canceled and rolls back). */
static volatile sig_atomic_t terminated;

static void on_terminate(int sig)
{
    (void)sig;
    terminated = 1;
}

static void handle(app *a, const ui_event *e)
{
    if (e->kind == EV_RESIZE) {
        app_layout(a);
        return;
    }
    if (e->kind == EV_MOUSE) {
        route_mouse(a, e);
        return;
    }
    if (a->ov.kind != OV_NONE) {
        app_overlay_key(a, e);
        return;
    }
    view *v = app_focused_view(a);
    bool captures = v && v->ops->captures && v->ops->captures(v);
    app_dispatch_key(a, e, captures);
}

/* Polls the terminal, the wake pipe and the views' descriptors. */
static void wait_input(app *a)
{
    struct pollfd fds[3 + MAIN_TABS + BOTTOM_TABS];
    view *owners[3 + MAIN_TABS + BOTTOM_TABS];
    int n = 0;
    fds[n++] = (struct pollfd){ui_input_fd(), POLLIN, 0};
    fds[n++] = (struct pollfd){a->wake[0], POLLIN, 0};
    view *all[MAIN_TABS + BOTTOM_TABS];
    for (int i = 0; i < MAIN_TABS; i++) all[i] = a->main_views[i];
    for (int i = 0; i < BOTTOM_TABS; i++) all[MAIN_TABS + i] = a->bottom_views[i];
    for (int i = 0; i < MAIN_TABS + BOTTOM_TABS; i++) {
        view *v = all[i];
        int fd = v && v->ops->fd ? v->ops->fd(v) : -1;
        if (fd < 0) continue;
        owners[n] = v;
        fds[n++] = (struct pollfd){fd, POLLIN, 0};
    }
    /* 250 ms at the most: views have timers (typing paused, a file changed
     * on disk) and the status bar fades its messages */
    int rc = poll(fds, (nfds_t)n, 250);
    if (rc < 0 && errno != EINTR) return;
    for (int i = 0; i < MAIN_TABS + BOTTOM_TABS; i++)
        if (all[i] && all[i]->ops->tick) all[i]->ops->tick(all[i]);
    ui_event e;
    while (ui_next_event(&e)) handle(a, &e); /* also after EINTR: a resize */
    if (rc > 0 && fds[1].revents) app_drain_posted(a);
    for (int i = 2; rc > 0 && i < n; i++)
        if (fds[i].revents && owners[i]->ops->readable) owners[i]->ops->readable(owners[i]);
}

static void create_views(app *a)
{
    a->explorer = explorer_view_new(a);
    a->main_views[TAB_EDITOR] = app_editor_new(a);
    a->main_views[TAB_DESIGNER] = app_designer_new(a);
    a->main_views[TAB_DATA] = grid_view_new(a);
    a->main_views[TAB_JOBS] = placeholder_view_new(
        a, "Jobs (schedules, task graphs, run history) are not built yet.");
    a->main_views[TAB_GIT] = placeholder_view_new(
        a, "The Git view (status, diff, commit, log, branches) is not built yet.");
    a->bottom_views[TAB_RUN] = run_view_new(a);
    a->bottom_views[TAB_EVENTS] = events_view_new(a);
    a->bottom_views[TAB_PROBLEMS] = problems_view_new(a);
    a->bottom_views[TAB_TERMINAL] = term_view_new(a);
}

static void free_view(view *v)
{
    if (v && v->ops->free) v->ops->free(v);
}

/* Shutting down: the data grid goes first (its free interrupts its SQL, and
 * its jobs hold their own reference to what they need); then the update (a
 * running one was canceled) and the queries finish, while their posted calls
 * run with the other views still alive (they may queue a last job or two);
 * then the views go. */
static void app_free(app *a)
{
    free_view(a->main_views[TAB_DATA]);
    a->main_views[TAB_DATA] = NULL;
    worker_stop(&a->updates);
    while (!worker_idle(&a->queries) || app_posted_pending(a)) {
        app_drain_posted(a);
        usleep(1000);
    }
    worker_stop(&a->queries);
    app_drain_posted(a);
    free_view(a->explorer);
    for (int i = 0; i < MAIN_TABS; i++) free_view(a->main_views[i]);
    for (int i = 0; i < BOTTOM_TABS; i++) free_view(a->bottom_views[i]);
    for (int i = 0; i <= PANE_COUNT; i++) ui_canvas_free(a->canvas[i]);
    for (int i = 0; i < PANE_COUNT; i++) ui_canvas_free(a->inner[i]);
    ui_canvas_free(a->overlay_canvas);
    app_update_free(a);
    if (a->loaded) prj_free(&a->p);
    diag_free(&a->problems);
    if (a->has_model) ls_model_free(&a->model);
    if (a->has_schemas) val_free(&a->schemas);
    strvec_free(&a->params);
    free(a->project_name);
    free(a->config_path);
    free(a->theme);
    free(a->ov.title);
    free(a->ov.text);
    sb_free(&a->ov.input);
    close(a->wake[0]);
    close(a->wake[1]);
    pthread_mutex_destroy(&a->mu);
    free(a->dir);
}

int app_main(const char *dir, const strvec *params)
{
    char *manpath = fs_join(dir, MAN_FILE);
    bool is_project = fs_exists(manpath);
    free(manpath);
    if (!is_project) {
        fprintf(stderr, "tarn: %s has no %s: not a tarn project (create one with "
                        "'tarn init', or give one with -C DIR)\n", dir, MAN_FILE);
        return 1;
    }
    app a;
    memset(&a, 0, sizeof a);
    a.dir = xstrdup(dir);
    for (size_t i = 0; params && i < params->n; i++) VEC_PUSH(&a.params, xstrdup(params->v[i]));
    pthread_mutex_init(&a.mu, NULL);
    if (pipe(a.wake) < 0) return 1;
    fcntl(a.wake[0], F_SETFL, O_NONBLOCK);
    fcntl(a.wake[1], F_SETFL, O_NONBLOCK);
    a.lay = (layout){28, 10, true, true};
    a.focus = PANE_EXPLORER;
    a.main_tab = TAB_DATA;
    app_config_load(&a);
    char *err = NULL;
    if (ui_screen_start(&err) < 0) {
        fprintf(stderr, "tarn: %s\n", err);
        free(err);
        return 1;
    }
    if (a.theme && ui_theme_load(app_theme_dirs(), a.theme, &err) < 0) {
        app_say(&a, "theme: %s", err);
        free(err);
        err = NULL;
    }
    worker_start(&a.updates);
    worker_start(&a.queries);
    app_update_init(&a);
    create_views(&a);
    app_layout(&a);
    app_reload(&a);
    if (!a.say[0])
        app_say(&a, "F5 runs the pipeline, Enter on a dataset opens it, F1 lists every key");
    draw(&a);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_terminate;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    while (!a.quit && !terminated) {
        wait_input(&a);
        draw(&a);
    }
    if (a.running) app_cancel(&a);
    ui_screen_stop();
    app_free(&a);
    return 0;
}
