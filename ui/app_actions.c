/*
 * app_actions.c - the action table and what hangs off it (see app.h): key
 * bindings, the command palette (Ctrl-P, fuzzy matching over every action and
 * over the project's datasets, files and themes), the help overlay (F1 or ?),
 * which is generated from the same table, and the other overlays (text popups
 * and one-line prompts). A new action is one entry here: its key, its palette
 * title and its help line come from that entry and nowhere else.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_int.h"
#include "fsutil.h"
#include "view_editor.h"

#define PALETTE_FILES 5000 /* files the palette lists at the most */

typedef struct action {
    const char *group;   /* help section */
    const char *title;   /* palette entry and help line */
    const char *keys;    /* space-separated key names, or NULL */
    void (*run)(app *a);
} action;

/* ======================= what actions do ======================= */

static void quit_answer(app *a, const char *text, void *ctx)
{
    (void)ctx;
    if (!text) return;
    if ((text[0] == 's' || text[0] == 'S') && app_save_all(a) > 0) return; /* it said why */
    if (text[0] == 's' || text[0] == 'S' || text[0] == 'd' || text[0] == 'D') {
        a->quit = true;
        if (a->up.running) app_cancel(a);
    }
}

static void do_quit(app *a)
{
    int unsaved = app_unsaved(a);
    if (unsaved) {
        char *title = xasprintf("%d file%s not saved: s save and quit, d discard and quit, "
                                "Esc stay", unsaved, unsaved == 1 ? " is" : "s are");
        app_prompt(a, title, "", quit_answer, NULL); /* empty: "d" must not read "sd" */
        free(title);
        return;
    }
    if (a->up.running && !a->quit) {
        if (time_mono_ms() - a->quit_asked > 3000) {
            a->quit_asked = time_mono_ms();
            app_say(a, "An update is running: C-q again cancels it (nothing is left "
                       "half-written) and quits");
            return;
        }
    }
    a->quit = true;
}

static void do_next_pane(app *a)
{
    for (int i = 1; i <= PANE_COUNT; i++) {
        int p = (a->focus + i) % PANE_COUNT;
        if ((p == PANE_EXPLORER && !a->lay.explorer_open) ||
            (p == PANE_BOTTOM && !a->lay.bottom_open))
            continue;
        app_focus(a, p);
        return;
    }
}

static void do_prev_pane(app *a)
{
    for (int i = PANE_COUNT - 1; i >= 1; i--) {
        int p = (a->focus + i) % PANE_COUNT;
        if ((p == PANE_EXPLORER && !a->lay.explorer_open) ||
            (p == PANE_BOTTOM && !a->lay.bottom_open))
            continue;
        app_focus(a, p);
        return;
    }
}

static void do_explorer(app *a) { app_focus(a, PANE_EXPLORER); }
static void do_editor(app *a) { app_show_main(a, TAB_EDITOR); }
static void do_designer(app *a) { app_show_main(a, TAB_DESIGNER); }
static void do_data(app *a) { app_show_main(a, TAB_DATA); }
static void do_jobs(app *a) { app_show_main(a, TAB_JOBS); }
static void do_git(app *a) { app_show_main(a, TAB_GIT); }
static void do_run_panel(app *a) { app_show_bottom(a, TAB_RUN); }
static void do_events(app *a) { app_show_bottom(a, TAB_EVENTS); }
static void do_problems(app *a) { app_show_bottom(a, TAB_PROBLEMS); }
static void do_terminal(app *a) { app_show_bottom(a, TAB_TERMINAL); }

static void do_leave_terminal(app *a)
{
    app_focus(a, PANE_MAIN);
}

static void do_update(app *a) { app_run_update(a, false, NULL); }
static void do_full_refresh(app *a) { app_run_update(a, true, NULL); }

static void do_cancel(app *a)
{
    if (a->up.running) app_cancel(a);
    else app_say(a, "Nothing is running");
}

static void do_validate(app *a)
{
    app_reload(a);
    app_show_bottom(a, TAB_PROBLEMS);
    app_say(a, "Validating the pipeline...");
}

static void do_toggle_explorer(app *a)
{
    a->lay.explorer_open = !a->lay.explorer_open;
    if (!a->lay.explorer_open && a->focus == PANE_EXPLORER) a->focus = PANE_MAIN;
    app_layout(a);
    app_config_save(a);
}

static void do_toggle_bottom(app *a)
{
    a->lay.bottom_open = !a->lay.bottom_open;
    if (!a->lay.bottom_open && a->focus == PANE_BOTTOM) a->focus = PANE_MAIN;
    app_layout(a);
    app_config_save(a);
}

static void resize_by(app *a, int dcols, int drows)
{
    a->lay.explorer_cols += dcols;
    a->lay.bottom_rows += drows;
    if (a->lay.explorer_cols < 14) a->lay.explorer_cols = 14;
    if (a->lay.bottom_rows < 4) a->lay.bottom_rows = 4;
    app_layout(a);
    app_config_save(a);
}

static void do_wider(app *a) { resize_by(a, 2, 0); }
static void do_narrower(app *a) { resize_by(a, -2, 0); }
static void do_taller(app *a) { resize_by(a, 0, 1); }
static void do_shorter(app *a) { resize_by(a, 0, -1); }

static void query_done(app *a, const char *text, void *ctx)
{
    (void)ctx;
    if (text && *text) app_open_query(a, text);
}

static void do_query(app *a)
{
    app_prompt(a, "Run SQL query (read-only, on the warehouse)", "SELECT ", query_done, NULL);
}

static void do_reload(app *a)
{
    app_reload(a);
    app_say(a, "Reloaded the project");
}

static void do_graph(app *a)
{
    sb b = {0};
    const project *p = &a->p;
    for (size_t i = 0; i < p->order.n; i++) {
        const prj_dataset *d = &p->datasets.v[p->order.v[i]];
        sb_addf(&b, "%-28s %-18s", d->name, sql_kind_name(d->kind));
        const char *sep = " <- ";
        for (size_t k = 0; k < d->deps.n; k++) {
            sb_addf(&b, "%s%s", sep, p->datasets.v[d->deps.v[k]].name);
            sep = ", ";
        }
        sb_addc(&b, '\n');
    }
    if (!p->order.n) sb_add(&b, "The pipeline has no datasets yet.\n");
    app_popup(a, "Pipeline graph (dependency order)", sb_str(&b));
    sb_free(&b);
}

/* "4": four spaces a step; "tabs" or "tabs 8": a tab, shown 8 wide. */
static void indent_answer(app *a, const char *text, void *ctx)
{
    (void)ctx;
    if (!text) return;
    bool tabs = !strncmp(text, "tab", 3);
    const char *num = tabs ? text + strcspn(text, "0123456789") : text;
    char *end;
    long w = *num ? strtol(num, &end, 10) : (tabs ? a->tab_width : 0);
    if ((*num && *end) || w < 1 || w > 16) {
        app_say(a, "'%s': give a width from 1 to 16 (spaces), or 'tabs' (or 'tabs 8')", text);
        return;
    }
    a->tab_width = (int)w;
    a->hard_tabs = tabs;
    ed_view_set_indent(a->main_views[TAB_EDITOR], a->tab_width, a->hard_tabs);
    app_config_save(a);
    app_say(a, "Indentation: %s, %d wide", tabs ? "tabs" : "spaces", a->tab_width);
}

static void do_indentation(app *a)
{
    char now[32];
    snprintf(now, sizeof now, a->hard_tabs ? "tabs %d" : "%d", a->tab_width);
    app_prompt(a, "Indentation: spaces a step (2, 4, 8), or 'tabs' / 'tabs 8'", now,
               indent_answer, NULL);
}

static void do_palette(app *a) { app_palette_open(a); }
static void do_help(app *a) { app_help_open(a); }

static const action actions[] = {
    {"General", "Command palette: every action, dataset, file and theme", "C-p", do_palette},
    {"General", "Help: keys and mouse", "F1 ?", do_help},
    {"General", "Quit", "C-q", do_quit},
    {"Pipeline", "Run the pipeline (one update)", "F5", do_update},
    {"Pipeline", "Run the pipeline with a full refresh", "S-F5 F17", do_full_refresh},
    {"Pipeline", "Cancel the running update or query", "C-c", do_cancel},
    {"Pipeline", "Validate the pipeline (dry run)", "F7", do_validate},
    {"Pipeline", "Reload the project from disk", "C-r", do_reload},
    {"Pipeline", "Show the pipeline graph", NULL, do_graph},
    {"Data", "Run SQL query", "C-o", do_query},
    {"Editor", "Editor indentation: spaces or tabs, and their width", NULL, do_indentation},
    {"Panes", "Next pane", "Tab F6", do_next_pane},
    {"Panes", "Previous pane", "S-Tab S-F6", do_prev_pane},
    {"Panes", "Explorer", "M-0", do_explorer},
    {"Panes", "Editor", "M-1", do_editor},
    {"Panes", "Designer", "M-2", do_designer},
    {"Panes", "Data grid", "M-3", do_data},
    {"Panes", "Jobs", "M-4", do_jobs},
    {"Panes", "Git", "M-5", do_git},
    {"Panes", "Run panel", "M-6", do_run_panel},
    {"Panes", "Events panel", "M-7", do_events},
    {"Panes", "Problems panel", "M-8", do_problems},
    {"Panes", "Terminal panel", "M-9", do_terminal},
    {"Panes", "Leave the terminal", "C-]", do_leave_terminal},
    {"Panes", "Show or hide the explorer", "C-b", do_toggle_explorer},
    {"Panes", "Show or hide the bottom panel", "C-j", do_toggle_bottom},
    {"Panes", "Explorer wider", "C-Right", do_wider},
    {"Panes", "Explorer narrower", "C-Left", do_narrower},
    {"Panes", "Bottom panel taller", "C-Up", do_taller},
    {"Panes", "Bottom panel shorter", "C-Down", do_shorter},
};

/* ======================= keys ======================= */

static bool has_key(const char *keys, const char *key)
{
    if (!keys) return false;
    size_t n = strlen(key);
    for (const char *k = keys; *k;) {
        const char *e = strchr(k, ' ');
        size_t len = e ? (size_t)(e - k) : strlen(k);
        if (len == n && !strncmp(k, key, n)) return true;
        k = e ? e + 1 : k + len;
    }
    return false;
}

static bool run_global(app *a, const ui_event *e)
{
    for (size_t i = 0; i < ARRAY_LEN(actions); i++)
        if (has_key(actions[i].keys, e->key)) {
            actions[i].run(a);
            return true;
        }
    return false;
}

bool app_dispatch_key(app *a, const ui_event *e, bool view_first)
{
    view *v = app_focused_view(a);
    bool (*vkey)(view *, const ui_event *) = v && v->ops->key ? v->ops->key : NULL;
    if (view_first) { /* a terminal or a text field: only C-] and C-q are not its */
        if (strcmp(e->key, "C-]") && strcmp(e->key, "C-q") && vkey && vkey(v, e)) return true;
        return run_global(a, e);
    }
    if (!e->ch && run_global(a, e)) return true; /* C-x, F-keys, M-x, Tab */
    if (vkey && vkey(v, e)) return true;
    return run_global(a, e);                       /* printable: '?' */
}

/* ======================= overlays ======================= */

static void overlay_close(app *a)
{
    free(a->ov.title);
    free(a->ov.text);
    sb_free(&a->ov.input);
    strvec_free(&a->ov.pick);
    strvec_free(&a->ov.files);
    memset(&a->ov, 0, sizeof a->ov);
    a->all_dirty = true;
}

void app_popup(app *a, const char *title, const char *text)
{
    overlay_close(a);
    a->ov.kind = OV_POPUP;
    a->ov.title = xstrdup(title);
    a->ov.text = xstrdup(text);
}

void app_prompt(app *a, const char *title, const char *initial,
                void (*done)(app *a, const char *text, void *ctx), void *ctx)
{
    overlay_close(a);
    a->ov.kind = OV_PROMPT;
    a->ov.title = xstrdup(title);
    sb_add(&a->ov.input, initial ? initial : "");
    a->ov.cursor = a->ov.input.len;
    a->ov.done = done;
    a->ov.ctx = ctx;
}

/* ======================= the palette ======================= */

typedef struct entry {
    char *label;         /* owned */
    const char *keys;
    const action *act;   /* or: */
    int kind;            /* 1 open table, 2 open file, 3 theme, 4 refresh, 5 a pick */
    char *arg;           /* owned */
    int score;
} entry;

typedef VEC(entry) entryvec;

/* Fuzzy score of query in label: every query character in order; higher
 * for matches at word starts and in runs, lower for long labels (so it may
 * be negative); INT_MIN when it does not match. */
static int fuzzy(const char *query, const char *label)
{
    int score = 0, run = 0;
    const char *l = label;
    for (const char *q = query; *q; q++) {
        if (*q == ' ') continue;
        bool found = false;
        for (; *l; l++) {
            if (tolower((unsigned char)*l) == tolower((unsigned char)*q)) {
                bool start = l == label || l[-1] == ' ' || l[-1] == '_' || l[-1] == '/' ||
                             l[-1] == ':';
                run++;
                score += 1 + (start ? 8 : 0) + run * 2;
                l++;
                found = true;
                break;
            }
            run = 0;
        }
        if (!found) return INT_MIN;
    }
    return score - (int)strlen(label) / 8;
}

static void add_entry(entryvec *v, char *label, const char *keys, const action *act, int kind,
                      char *arg)
{
    entry e = {label, keys, act, kind, arg, 0};
    VEC_PUSH(v, e);
}

static void collect_entries(app *a, entryvec *out)
{
    if (a->ov.pick.n) {
        for (size_t i = 0; i < a->ov.pick.n; i++)
            add_entry(out, xstrdup(a->ov.pick.v[i]), NULL, NULL, 5, NULL);
        return;
    }
    for (size_t i = 0; i < ARRAY_LEN(actions); i++)
        add_entry(out, xstrdup(actions[i].title), actions[i].keys, &actions[i], 0, NULL);
    for (size_t i = 0; i < a->p.datasets.n; i++) {
        const prj_dataset *d = &a->p.datasets.v[i];
        if (d->kind == SQL_TEMP_VIEW) continue;
        add_entry(out, xasprintf("Open table: %s", d->name), NULL, NULL, 1, xstrdup(d->name));
        add_entry(out, xasprintf("Refresh: %s", d->name), NULL, NULL, 4, xstrdup(d->name));
    }
    for (size_t i = 0; i < a->ov.files.n; i++)
        add_entry(out, xasprintf("Open file: %s", a->ov.files.v[i]), NULL, NULL, 2,
                  xstrdup(a->ov.files.v[i]));
    int n = 0;
    char **themes = ui_theme_list(app_theme_dirs(), &n);
    for (int i = 0; i < n; i++) {
        add_entry(out, xasprintf("Theme: %s", themes[i]), NULL, NULL, 3, themes[i]);
    }
    free(themes);
}

static void free_entries(entryvec *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->v[i].label);
        free(v->v[i].arg);
    }
    VEC_FREE(v);
}

static int by_score(const void *x, const void *y)
{
    const entry *a = x, *b = y;
    return b->score - a->score;
}

/* The entries matching the input, best first. */
static void matches(app *a, entryvec *out)
{
    entryvec all = {0};
    collect_entries(a, &all);
    const char *q = sb_str(&a->ov.input);
    for (size_t i = 0; i < all.n; i++) {
        int s = fuzzy(q, all.v[i].label);
        if (s == INT_MIN) {
            free(all.v[i].label);
            free(all.v[i].arg);
            continue;
        }
        all.v[i].score = *q ? s : -(int)i; /* no query: table order */
        VEC_PUSH(out, all.v[i]);
    }
    VEC_FREE(&all);
    if (out->n) qsort(out->v, out->n, sizeof(entry), by_score); /* v is NULL when empty */
}

void app_pick(app *a, const char *title, const strvec *items,
              void (*done)(app *a, const char *text, void *ctx), void *ctx)
{
    overlay_close(a);
    a->ov.kind = OV_PALETTE;
    a->ov.title = xstrdup(title);
    for (size_t i = 0; i < items->n; i++) VEC_PUSH(&a->ov.pick, xstrdup(items->v[i]));
    a->ov.done = done;
    a->ov.ctx = ctx;
}

void app_palette_open(app *a)
{
    overlay_close(a);
    a->ov.kind = OV_PALETTE;
    a->ov.title = xstrdup("Commands");
    /* every file of the project (not hidden, not the warehouse's folder),
     * library files first, as many as a palette can use */
    for (size_t i = 0; i < a->p.files.n; i++) VEC_PUSH(&a->ov.files, xstrdup(a->p.files.v[i].path));
    VEC_PUSH(&a->ov.files, xstrdup(MAN_FILE));
    char *err = NULL;
    if (fs_glob(a->dir, "**/*", &a->ov.files, &err) < 0) free(err);
    while (a->ov.files.n > PALETTE_FILES) free(a->ov.files.v[--a->ov.files.n]);
}

static void run_entry(app *a, const entry *e)
{
    if (e->act) {
        e->act->run(a);
        return;
    }
    char *err = NULL;
    switch (e->kind) {
    case 1: app_open_table(a, e->arg); break;
    case 2: app_open_file(a, e->arg, 1); break;
    case 3:
        if (ui_theme_load(app_theme_dirs(), e->arg, &err) == 0) {
            free(a->theme);
            a->theme = xstrdup(e->arg);
            app_config_save(a);
            app_say(a, "Theme: %s", e->arg);
        } else {
            app_say(a, "%s", err);
            free(err);
        }
        a->all_dirty = true;
        break;
    case 4: app_run_update(a, false, e->arg); break;
    }
}

/* ======================= overlay input ======================= */

/* Line editing shared by the palette and prompts. */
static bool edit_line(sb *in, size_t *cursor, const ui_event *e)
{
    if (e->ch) {
        char tmp[8];
        size_t n = strlen(e->key);
        memcpy(tmp, e->key, n);
        sb tail = {0};
        sb_add(&tail, in->s ? in->s + *cursor : "");
        in->len = *cursor;
        sb_addn(in, tmp, n);
        sb_add(in, sb_str(&tail));
        *cursor += n;
        sb_free(&tail);
        return true;
    }
    if (!strcmp(e->key, "Backspace") && *cursor > 0) {
        size_t k = *cursor - 1;
        while (k > 0 && ((unsigned char)in->s[k] & 0xC0) == 0x80) k--;
        memmove(in->s + k, in->s + *cursor, in->len - *cursor + 1);
        in->len -= *cursor - k;
        *cursor = k;
        return true;
    }
    if (!strcmp(e->key, "Left") && *cursor > 0) {
        do (*cursor)--;
        while (*cursor > 0 && ((unsigned char)in->s[*cursor] & 0xC0) == 0x80);
        return true;
    }
    if (!strcmp(e->key, "Right") && *cursor < in->len) {
        do (*cursor)++;
        while (*cursor < in->len && ((unsigned char)in->s[*cursor] & 0xC0) == 0x80);
        return true;
    }
    if (!strcmp(e->key, "Home") || !strcmp(e->key, "C-a")) *cursor = 0;
    else if (!strcmp(e->key, "End") || !strcmp(e->key, "C-e")) *cursor = in->len;
    else if (!strcmp(e->key, "C-u")) {
        sb_clear(in);
        *cursor = 0;
    } else return false;
    return true;
}

static int count_lines(const char *s)
{
    int n = 1;
    for (; s && *s; s++) n += *s == '\n';
    return n;
}

bool app_overlay_key(app *a, const ui_event *e)
{
    overlay *o = &a->ov;
    a->all_dirty = true;
    if (e->kind == EV_MOUSE) {
        if (e->mouse == M_WHEEL_UP) o->scroll = o->scroll > 3 ? o->scroll - 3 : 0;
        else if (e->mouse == M_WHEEL_DOWN) o->scroll += 3;
        else if (e->mouse == M_PRESS && o->kind != OV_PROMPT && a->overlay_canvas &&
                 !ui_rect_has(ui_canvas_rect(a->overlay_canvas), e->row, e->col))
            overlay_close(a);
        return true;
    }
    if (!strcmp(e->key, "Esc") || !strcmp(e->key, "C-g") ||
        (o->kind == OV_PALETTE && !strcmp(e->key, "C-p"))) {
        if (o->kind == OV_PROMPT && o->done) {
            void (*done)(app *, const char *, void *) = o->done;
            void *ctx = o->ctx;
            overlay_close(a);
            done(a, NULL, ctx);
        } else {
            overlay_close(a);
        }
        return true;
    }
    if (o->kind == OV_POPUP || o->kind == OV_HELP) {
        int lines = count_lines(o->text);
        if (!strcmp(e->key, "q") || !strcmp(e->key, "Enter") || !strcmp(e->key, "F1") ||
            (o->kind == OV_HELP && !strcmp(e->key, "?")))
            overlay_close(a);
        else if (!strcmp(e->key, "Down") || !strcmp(e->key, "j")) o->scroll++;
        else if (!strcmp(e->key, "Up") || !strcmp(e->key, "k")) o->scroll--;
        else if (!strcmp(e->key, "PgDn") || !strcmp(e->key, " ")) o->scroll += 10;
        else if (!strcmp(e->key, "PgUp")) o->scroll -= 10;
        else if (!strcmp(e->key, "Home") || !strcmp(e->key, "g")) o->scroll = 0;
        else if (!strcmp(e->key, "End") || !strcmp(e->key, "G")) o->scroll = lines;
        if (o->scroll < 0) o->scroll = 0;
        if (o->scroll > lines - 1) o->scroll = lines > 0 ? lines - 1 : 0;
        return true;
    }
    if (o->kind == OV_PROMPT) {
        if (!strcmp(e->key, "Enter")) {
            char *text = sb_take(&o->input);
            void (*done)(app *, const char *, void *) = o->done;
            void *ctx = o->ctx;
            overlay_close(a);
            if (done) done(a, text, ctx);
            free(text);
            return true;
        }
        edit_line(&o->input, &o->cursor, e);
        return true;
    }
    /* the palette */
    entryvec m = {0};
    matches(a, &m);
    if (!strcmp(e->key, "Down") || !strcmp(e->key, "C-n")) o->selected++;
    else if (!strcmp(e->key, "Up") || !strcmp(e->key, "C-k")) o->selected--;
    else if (!strcmp(e->key, "Enter")) {
        if (o->selected >= 0 && (size_t)o->selected < m.n) {
            entry chosen = m.v[o->selected];
            chosen.label = xstrdup(chosen.label);
            chosen.arg = chosen.arg ? xstrdup(chosen.arg) : NULL;
            void (*done)(app *, const char *, void *) = o->done;
            void *ctx = o->ctx;
            overlay_close(a);
            if (chosen.kind == 5 && done) done(a, chosen.label, ctx);
            else run_entry(a, &chosen);
            free(chosen.label);
            free(chosen.arg);
        }
        free_entries(&m);
        return true;
    } else if (edit_line(&o->input, &o->cursor, e)) {
        o->selected = 0;
    }
    if (o->selected < 0) o->selected = 0;
    if (m.n && (size_t)o->selected >= m.n) o->selected = (int)m.n - 1;
    free_entries(&m);
    return true;
}

/* ======================= help ======================= */

void app_help_open(app *a)
{
    sb b = {0};
    const char *group = "";
    for (size_t i = 0; i < ARRAY_LEN(actions); i++) {
        if (strcmp(group, actions[i].group)) {
            group = actions[i].group;
            sb_addf(&b, "%s%s\n", b.len ? "\n" : "", group);
        }
        sb_addf(&b, "  %-16s %s\n", actions[i].keys ? actions[i].keys : "(palette)",
                actions[i].title);
    }
    view *v = app_focused_view(a);
    if (v && v->ops->help) {
        sb_addf(&b, "\nIn %s\n", v->ops->title ? v->ops->title : "this pane");
        for (int i = 0; v->ops->help[i]; i++) sb_addf(&b, "  %s\n", v->ops->help[i]);
    }
    sb_add(&b, "\nMouse\n"
               "  click            focus a pane, pick a tab, select a row or cell\n"
               "  wheel            scroll\n"
               "  drag a border    resize the explorer and the bottom panel\n"
               "\nEvery action is also in the command palette (C-p): type a few letters of it.\n");
    overlay_close(a);
    a->ov.kind = OV_HELP;
    a->ov.title = xstrdup("Help  (Esc closes)");
    a->ov.text = sb_take(&b);
}

/* ======================= drawing overlays ======================= */

static ui_canvas *overlay_canvas(app *a, int rows_wanted, int cols_wanted)
{
    int rows, cols;
    ui_screen_size(&rows, &cols);
    int h = rows_wanted < rows - 2 ? rows_wanted : rows - 2;
    int w = cols_wanted < cols - 4 ? cols_wanted : cols - 4;
    if (h < 3) h = rows < 3 ? rows : 3;
    if (w < 10) w = cols;
    ui_rect r = {(rows - h) / 3, (cols - w) / 2, h, w};
    ui_canvas_free(a->overlay_canvas);
    a->overlay_canvas = ui_canvas_new(r);
    return a->overlay_canvas;
}

static void draw_text_overlay(app *a)
{
    overlay *o = &a->ov;
    int rows, cols;
    ui_screen_size(&rows, &cols);
    ui_canvas *c = overlay_canvas(a, rows * 4 / 5, cols > 100 ? 96 : cols - 4);
    ui_clear(c, R_POPUP);
    ui_rect r = ui_canvas_rect(c);
    int line = 0, row = 1;
    for (const char *s = o->text; s && *s && row < r.rows - 1; line++) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (line >= o->scroll) {
            bool heading = n && s[0] != ' ' && o->kind == OV_HELP;
            ui_textn(c, row++, 2, r.cols - 4, s, n, heading ? R_TITLE : R_POPUP, 0, true);
        }
        s = e ? e + 1 : s + n;
    }
    ui_border(c, o->title, true);
    ui_canvas_show(c);
}

static void draw_prompt(app *a)
{
    overlay *o = &a->ov;
    int rows, cols;
    ui_screen_size(&rows, &cols);
    ui_canvas *c = overlay_canvas(a, 3, cols > 90 ? 86 : cols - 4);
    ui_clear(c, R_POPUP);
    ui_border(c, o->title, true);
    ui_rect r = ui_canvas_rect(c);
    const char *in = sb_str(&o->input);
    int before = ui_width(in, o->cursor), skip = 0;
    while (before - ui_width(in, (size_t)skip) > r.cols - 5 && (size_t)skip < o->cursor) skip++;
    ui_text(c, 1, 2, r.cols - 4, in + skip, R_POPUP, 0, false);
    ui_screen_cursor(r.row + 1, r.col + 2 + ui_width(in + skip, o->cursor - (size_t)skip));
    ui_canvas_show(c);
}

static void draw_palette(app *a)
{
    overlay *o = &a->ov;
    int rows, cols;
    ui_screen_size(&rows, &cols);
    ui_canvas *c = overlay_canvas(a, rows * 3 / 4, cols > 90 ? 86 : cols - 4);
    ui_clear(c, R_POPUP);
    char title[256];
    snprintf(title, sizeof title, "%s  (type to filter, Enter %s, Esc closes)", o->title,
             o->pick.n ? "opens" : "runs");
    ui_border(c, title, true);
    ui_rect r = ui_canvas_rect(c);
    ui_text(c, 1, 2, 2, "> ", R_TITLE, 0, false);
    ui_text(c, 1, 4, r.cols - 6, sb_str(&o->input), R_POPUP, 0, false);
    ui_screen_cursor(r.row + 1, r.col + 4 + ui_width(sb_str(&o->input), o->cursor));
    entryvec m = {0};
    matches(a, &m);
    int visible = r.rows - 3, top = o->selected >= visible ? o->selected - visible + 1 : 0;
    for (int i = 0; i < visible && (size_t)(top + i) < m.n; i++) {
        const entry *e = &m.v[top + i];
        bool sel = top + i == o->selected;
        if (sel) ui_fill(c, (ui_rect){2 + i, 1, 1, r.cols - 2}, R_SELECTION);
        int kw = e->keys ? ui_width(e->keys, strlen(e->keys)) : 0;
        ui_text(c, 2 + i, 2, r.cols - 6 - kw, e->label, sel ? R_SELECTION : R_POPUP, 0, true);
        if (e->keys)
            ui_text(c, 2 + i, r.cols - 2 - kw, kw, e->keys, sel ? R_SELECTION : R_MUTED, 0, false);
    }
    if (!m.n) ui_text(c, 2, 2, -1, "no command matches", R_MUTED, 0, false);
    free_entries(&m);
    ui_canvas_show(c);
}

void app_overlay_draw(app *a)
{
    switch (a->ov.kind) {
    case OV_PALETTE: draw_palette(a); break;
    case OV_PROMPT: draw_prompt(a); break;
    case OV_POPUP:
    case OV_HELP: draw_text_overlay(a); break;
    default: break;
    }
}
