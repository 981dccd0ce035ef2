/*
 * view_editor_text.c - the editor's documents and edits (see
 * view_editor_int.h): opening, saving atomically, noticing changes on disk,
 * typing with auto-indent, indent and comment toggles, undo, find, replace
 * all and go to line. Every edit goes through ve_edit, which keeps the
 * highlighting cache in step.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "view_editor_int.h"

doc *ve_current(editor *e)
{
    return e->cur >= 0 && (size_t)e->cur < e->docs.n ? e->docs.v[e->cur] : NULL;
}

void ve_say(editor *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ve_say(editor *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    if (e->host.say) e->host.say(e->host.ctx, msg);
    free(msg);
}

void ve_redraw(editor *e)
{
    e->base.dirty = true;
    if (e->host.redraw) e->host.redraw(e->host.ctx);
}

/* ======================= documents ======================= */

static void stat_disk(doc *d)
{
    struct stat st;
    if (stat(d->full, &st) == 0) {
        d->disk_mtime = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        d->disk_size = st.st_size;
    } else {
        d->disk_mtime = d->disk_size = -1;
    }
}

void ve_doc_free(doc *d)
{
    free(d->path);
    free(d->full);
    ed_free(d->buf);
    hl_cache_free(d->hl);
    free(d);
}

static doc *doc_load(editor *e, const char *path, char **err)
{
    doc *d = xcalloc(1, sizeof(*d));
    d->path = xstrdup(path);
    d->full = fs_join(e->host.dir, path);
    size_t len = 0;
    char *text = fs_exists(d->full) ? fs_read(d->full, &len, err) : xstrdup("");
    if (!text) {
        ve_doc_free(d);
        return NULL;
    }
    d->buf = ed_from(text, len);
    free(text);
    ed_mark_saved(d->buf);
    d->lang = hl_lang_of(path);
    d->hl = hl_cache_new(d->lang);
    d->checked = ed_version(d->buf);
    stat_disk(d);
    return d;
}

void ve_goto_line(editor *e, doc *d, int line)
{
    size_t l = line > 0 ? (size_t)line - 1 : 0;
    if (l >= ed_lines(d->buf)) l = ed_lines(d->buf) - 1;
    size_t pos = ed_line_start(d->buf, l);
    ed_set_sel(d->buf, (ed_sel){pos, pos});
    d->top = l > (size_t)e->rows / 3 ? l - (size_t)e->rows / 3 : 0;
}

void ed_view_open_at(view *v, const char *path, int line, int col)
{
    editor *e = (editor *)v;
    ed_view_open(v, path, line);
    doc *d = ve_current(e);
    if (!d || line <= 0 || col <= 1 || strcmp(d->path, path)) return;
    size_t l = (size_t)line - 1 < ed_lines(d->buf) ? (size_t)line - 1 : ed_lines(d->buf) - 1;
    size_t pos = ed_line_start(d->buf, l) + (size_t)(col - 1);
    if (pos > ed_line_end(d->buf, l)) pos = ed_line_end(d->buf, l);
    ed_set_sel(d->buf, (ed_sel){pos, pos});
}

void ed_view_open(view *v, const char *path, int line)
{
    editor *e = (editor *)v;
    for (size_t i = 0; i < e->docs.n; i++)
        if (!strcmp(e->docs.v[i]->path, path)) {
            e->cur = (int)i;
            if (line > 0) ve_goto_line(e, e->docs.v[i], line);
            ve_redraw(e);
            return;
        }
    char *err = NULL;
    doc *d = doc_load(e, path, &err);
    if (!d) {
        ve_say(e, "%s", err);
        free(err);
        return;
    }
    VEC_PUSH(&e->docs, d);
    e->cur = (int)e->docs.n - 1;
    if (line > 0) ve_goto_line(e, d, line);
    ve_redraw(e);
}

bool ve_save(editor *e, doc *d)
{
    char *text = ed_text(d->buf, 0, ed_len(d->buf)), *err = NULL;
    int rc = fs_write_atomic(d->full, text, ed_len(d->buf), &err);
    free(text);
    if (rc < 0) {
        ve_say(e, "not saved: %s", err);
        free(err);
        return false;
    }
    ed_mark_saved(d->buf);
    stat_disk(d);
    d->checked = ed_version(d->buf);
    ve_say(e, "Saved %s", d->path);
    if (e->host.saved) e->host.saved(e->host.ctx, d->path);
    ve_redraw(e);
    return true;
}

int ed_view_save_all(view *v)
{
    editor *e = (editor *)v;
    int failed = 0;
    for (size_t i = 0; i < e->docs.n; i++)
        if (ed_modified(e->docs.v[i]->buf) && !ve_save(e, e->docs.v[i])) failed++;
    return failed;
}

int ed_view_unsaved(const view *v)
{
    const editor *e = (const editor *)v;
    int n = 0;
    for (size_t i = 0; i < e->docs.n; i++) n += ed_modified(e->docs.v[i]->buf);
    return n;
}

const char *ed_view_path(const view *v)
{
    doc *d = ve_current((editor *)v);
    return d ? d->path : NULL;
}

prj_overlay *ed_view_overlays(const view *v, size_t *n)
{
    const editor *e = (const editor *)v;
    prj_overlay *ov = xcalloc(e->docs.n + 1, sizeof(prj_overlay));
    *n = 0;
    for (size_t i = 0; i < e->docs.n; i++) {
        doc *d = e->docs.v[i];
        if (!ed_modified(d->buf)) continue;
        ov[*n].path = d->path;
        ov[*n].text = ed_text(d->buf, 0, ed_len(d->buf));
        (*n)++;
    }
    return ov;
}

/* y: the text becomes the file's (one undo step); the cursor stays on its
 * line and column as far as the new text has them. */
static void reload_answer(void *arg, const char *text)
{
    editor *e = arg;
    doc *d = ve_current(e);
    if (!d || !text || (text[0] != 'y' && text[0] != 'Y')) return;
    char *err = NULL;
    size_t len = 0;
    char *disk = fs_read(d->full, &len, &err);
    if (!disk) {
        ve_say(e, "%s", err);
        free(err);
        return;
    }
    size_t cursor = ed_get_sel(d->buf).cursor, lines = ed_lines(d->buf);
    size_t line = ed_line_of(d->buf, cursor);
    int cells = ed_col_cells(d->buf, cursor, e->tab);
    ed_replace(d->buf, 0, ed_len(d->buf), disk, len);
    free(disk);
    ed_mark_saved(d->buf);
    stat_disk(d);
    hl_cache_edit(d->hl, 0, lines, ed_lines(d->buf));
    if (line >= ed_lines(d->buf)) line = ed_lines(d->buf) - 1;
    size_t pos = ed_pos_at_cells(d->buf, line, cells, e->tab);
    ed_set_sel(d->buf, (ed_sel){pos, pos});
    ve_say(e, "Reloaded %s from disk (C-z takes the reload back)", d->path);
    ve_redraw(e);
}

/* A file changed on disk by someone else: offer to reload it, once for each
 * change (what was seen is remembered, so a "no" is not asked again until the
 * file changes once more). The answer field starts empty: "n" typed after a
 * suggested "y" would read "yn", a yes. */
void ve_check_disk(editor *e, doc *d)
{
    struct stat st;
    if (stat(d->full, &st) != 0) return;
    int64_t mt = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    if (mt == d->disk_mtime && st.st_size == d->disk_size) return;
    d->disk_mtime = mt;
    d->disk_size = st.st_size;
    if (e->host.prompt)
        e->host.prompt(e->host.ctx,
                       ed_modified(d->buf) ? "The file changed on disk and here: reload it "
                                             "(your changes are lost)? y/n"
                                           : "The file changed on disk: reload it? y/n",
                       "", reload_answer, e);
}

/* ======================= edits ======================= */

static size_t count_nl(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += s[i] == '\n';
    return k;
}

void ve_touched(editor *e, doc *d)
{
    d->edited_ms = time_mono_ms();
    ve_redraw(e);
}

/* Replaces [from, to) with s[0..n), telling the highlighter which lines
 * changed, and puts the cursor after the new text. */
void ve_edit(editor *e, doc *d, size_t from, size_t to, const char *s, size_t n)
{
    size_t line = ed_line_of(d->buf, from);
    char *old = ed_text(d->buf, from, to);
    size_t removed = count_nl(old, to - from) + 1, added = count_nl(s, n) + 1;
    free(old);
    if (from == to) ed_insert(d->buf, from, s, n);
    else if (!n) ed_delete(d->buf, from, to);
    else ed_replace(d->buf, from, to, s, n);
    hl_cache_edit(d->hl, line, removed, added);
    ed_set_sel(d->buf, (ed_sel){from + n, from + n});
    ve_touched(e, d);
}

bool ve_has_sel(const doc *d, size_t *a, size_t *b)
{
    ed_sel s = ed_get_sel(d->buf);
    *a = s.anchor < s.cursor ? s.anchor : s.cursor;
    *b = s.anchor < s.cursor ? s.cursor : s.anchor;
    return *a != *b;
}

void ve_type_text(editor *e, doc *d, const char *s, size_t n)
{
    size_t a, b;
    if (!ve_has_sel(d, &a, &b)) a = b = ed_get_sel(d->buf).cursor;
    ve_edit(e, d, a, b, s, n);
}

void ve_add_indent(const editor *e, sb *b)
{
    if (e->hard_tabs) sb_addc(b, '\t');
    else sb_addf(b, "%*s", e->tab, "");
}

/* Enter: a new line indented like this one (one step more after '('). */
void ve_newline(editor *e, doc *d)
{
    size_t pos = ed_get_sel(d->buf).cursor;
    size_t ls = ed_line_start(d->buf, ed_line_of(d->buf, pos));
    sb b = {0};
    sb_addc(&b, '\n');
    for (size_t i = ls; i < pos && (ed_byte(d->buf, i) == ' ' || ed_byte(d->buf, i) == '\t'); i++)
        sb_addc(&b, ed_byte(d->buf, i));
    size_t k = pos;
    while (k > ls && ed_byte(d->buf, k - 1) == ' ') k--;
    if (k > ls && ed_byte(d->buf, k - 1) == '(') ve_add_indent(e, &b);
    ed_undo_break(d->buf);
    ve_type_text(e, d, b.s, b.len);
    sb_free(&b);
}

void ve_backspace(editor *e, doc *d, bool forward)
{
    size_t a, b;
    if (!ve_has_sel(d, &a, &b)) {
        size_t pos = ed_get_sel(d->buf).cursor;
        a = forward ? pos : ed_prev_char(d->buf, pos);
        b = forward ? ed_next_char(d->buf, pos) : pos;
        if (a == b) return;
    }
    ve_edit(e, d, a, b, "", 0);
}

/* The lines a selection (or the cursor) touches. */
static void sel_lines(const doc *d, size_t *l0, size_t *l1)
{
    size_t a, b;
    if (!ve_has_sel(d, &a, &b)) a = b = ed_get_sel(d->buf).cursor;
    *l0 = ed_line_of(d->buf, a);
    *l1 = ed_line_of(d->buf, b);
    if (*l1 > *l0 && b == ed_line_start(d->buf, *l1)) (*l1)--;
}

/* Where a cursor goes when the text grew from old_len to len (or shrank) by
 * an edit at byte at of its line: before at it stays, after it it moves with
 * the text, but never back before at. */
static size_t shifted(size_t cursor, size_t at, size_t old_len, size_t len)
{
    if (cursor <= at) return cursor;
    if (len >= old_len) return cursor + (len - old_len);
    return cursor - at >= old_len - len ? cursor - (old_len - len) : at;
}

/* Indents (or unindents) the selected lines (or the cursor's) by one step,
 * as one undo step. */
void ve_indent_lines(editor *e, doc *d, bool out)
{
    size_t l0, l1, sa, sz;
    bool had_sel = ve_has_sel(d, &sa, &sz);
    size_t cursor = ed_get_sel(d->buf).cursor, old_len = ed_len(d->buf);
    sel_lines(d, &l0, &l1);
    size_t from = ed_line_start(d->buf, l0), to = ed_line_end(d->buf, l1);
    sb b = {0};
    for (size_t l = l0; l <= l1; l++) {
        size_t s = ed_line_start(d->buf, l), e2 = ed_line_end(d->buf, l);
        char *text = ed_text(d->buf, s, e2);
        const char *t = text;
        if (out && *t == '\t') {
            t++;
        } else if (out) {
            for (int k = 0; k < e->tab && *t == ' '; k++) t++;
        } else if (*t) {
            ve_add_indent(e, &b);
        }
        sb_add(&b, t);
        if (l < l1) sb_addc(&b, '\n');
        free(text);
    }
    ed_undo_break(d->buf);
    ve_edit(e, d, from, to, sb_str(&b), b.len);
    if (had_sel) { /* the lines stay selected, for another step */
        ed_set_sel(d->buf, (ed_sel){ed_line_start(d->buf, l0), ed_line_end(d->buf, l1)});
    } else { /* S-Tab on one line: the cursor moves with its text */
        size_t pos = shifted(cursor, from, old_len, ed_len(d->buf));
        ed_set_sel(d->buf, (ed_sel){pos, pos});
    }
    ed_undo_break(d->buf);
    sb_free(&b);
}

/* Comments or uncomments the selected lines ("-- " in SQL and Lua). The
 * lines stay selected (so that the same key takes it back); without a
 * selection the cursor stays on the same character. */
void ve_toggle_comment(editor *e, doc *d)
{
    if (d->lang == HL_LANG_JSON) {
        ve_say(e, "JSON has no comments");
        return;
    }
    size_t l0, l1, sa, sz;
    bool had_sel = ve_has_sel(d, &sa, &sz);
    size_t cursor = ed_get_sel(d->buf).cursor, old_len = ed_len(d->buf);
    sel_lines(d, &l0, &l1);
    bool all = true;
    for (size_t l = l0; l <= l1; l++) {
        size_t s = ed_line_start(d->buf, l), k = s;
        while (ed_byte(d->buf, k) == ' ') k++;
        if (k < ed_line_end(d->buf, l) && !(ed_byte(d->buf, k) == '-' && ed_byte(d->buf, k + 1) == '-'))
            all = false;
    }
    size_t from = ed_line_start(d->buf, l0), to = ed_line_end(d->buf, l1);
    sb b = {0};
    for (size_t l = l0; l <= l1; l++) {
        char *text = ed_text(d->buf, ed_line_start(d->buf, l), ed_line_end(d->buf, l));
        size_t k = 0;
        while (text[k] == ' ') k++;
        sb_addn(&b, text, k);
        if (all) {
            const char *t = text + k + (text[k] == '-' ? 2 : 0);
            if (*t == ' ') t++;
            sb_add(&b, t);
        } else if (text[k]) {
            sb_add(&b, "-- ");
            sb_add(&b, text + k);
        }
        if (l < l1) sb_addc(&b, '\n');
        free(text);
    }
    ed_undo_break(d->buf);
    ve_edit(e, d, from, to, sb_str(&b), b.len);
    if (had_sel) {
        ed_set_sel(d->buf, (ed_sel){ed_line_start(d->buf, l0), ed_line_end(d->buf, l1)});
    } else { /* one line: the cursor moves with its text, never into the indent */
        size_t indent = from;
        while (indent < ed_line_end(d->buf, l0) && ed_byte(d->buf, indent) == ' ') indent++;
        size_t pos = shifted(cursor, indent, old_len, ed_len(d->buf));
        ed_set_sel(d->buf, (ed_sel){pos, pos});
    }
    ed_undo_break(d->buf);
    sb_free(&b);
}

void ve_undo(editor *e, doc *d, bool redo_it)
{
    size_t lines = ed_lines(d->buf);
    if (!(redo_it ? ed_redo(d->buf) : ed_undo(d->buf))) {
        ve_say(e, redo_it ? "Nothing to redo" : "Nothing to undo");
        return;
    }
    hl_cache_edit(d->hl, 0, lines, ed_lines(d->buf)); /* every line may have changed */
    ve_touched(e, d);
}


/* ======================= find, replace, go to line ======================= */

/* The search e->find asks for: /text/ is a regular expression, anything
 * else plain text; either ignores case unless it has a capital letter. */
static ed_search *make_search(editor *e)
{
    size_t n = strlen(e->find);
    bool regex = n > 2 && e->find[0] == '/' && e->find[n - 1] == '/';
    char *pattern = regex ? xstrndup(e->find + 1, n - 2) : xstrdup(e->find), *err = NULL;
    ed_search *s = ed_search_new(pattern, ED_SEARCH_SMART_CASE | (regex ? ED_SEARCH_REGEX : 0), &err);
    free(pattern);
    if (!s) {
        ve_say(e, "%s", err);
        free(err);
    }
    return s;
}

/* Selects the first match of e->find at or after byte offset from (before it,
 * backward), wrapping around the end; when there is none the selection stays
 * as it was. */
static void find_from(editor *e, doc *d, size_t from, bool backward)
{
    if (!e->find || !*e->find) {
        ve_say(e, "Nothing to find: C-f first");
        return;
    }
    ed_search *s = make_search(e);
    if (!s) return;
    ed_match m;
    bool wrapped = false;
    if (ed_find(d->buf, s, from, backward, true, &m, &wrapped)) {
        ed_set_sel(d->buf, (ed_sel){m.from, m.to});
        ed_undo_break(d->buf);
        size_t total = ed_search_count(d->buf, s, 10000);
        ve_say(e, "%s%zu%s match%s of '%s'", wrapped ? "(wrapped) " : "", total,
               total >= 10000 ? "+" : "", total == 1 ? "" : "es", e->find);
    } else {
        ve_say(e, "'%s' not found", e->find);
    }
    ed_search_free(s);
    ve_redraw(e);
}

/* Selects the next (or previous) match of e->find after (before) the cursor
 * or selection, wrapping around the end. */
void ve_find_next(editor *e, doc *d, bool backward)
{
    size_t a, b;
    if (!ve_has_sel(d, &a, &b)) a = b = ed_get_sel(d->buf).cursor;
    find_from(e, d, backward ? a : b, backward);
}

static void find_answer(void *arg, const char *text)
{
    editor *e = arg;
    doc *d = ve_current(e);
    if (!d || !text || !*text) return;
    free(e->find);
    e->find = xstrdup(text);
    size_t a, b;
    if (!ve_has_sel(d, &a, &b)) a = ed_get_sel(d->buf).cursor;
    find_from(e, d, a, false); /* from the selection's start: it may be the match */
}

static void replace_with(void *arg, const char *text)
{
    editor *e = arg;
    doc *d = ve_current(e);
    if (!d || !text || !e->find) return;
    ed_search *s = make_search(e);
    if (!s) return;
    size_t lines = ed_lines(d->buf);
    size_t n = ed_search_replace_all(d->buf, s, text);
    ed_search_free(s);
    if (n) {
        hl_cache_edit(d->hl, 0, lines, ed_lines(d->buf));
        ve_touched(e, d);
    }
    ve_say(e, "Replaced %zu match%s of '%s' (C-z undoes them all)", n, n == 1 ? "" : "es", e->find);
}

static void replace_what(void *arg, const char *text)
{
    editor *e = arg;
    if (!text || !*text) return;
    free(e->find);
    e->find = xstrdup(text);
    char *title = xasprintf("Replace every '%s' with", text);
    e->host.prompt(e->host.ctx, title, "", replace_with, e);
    free(title);
}

static void go_line_answer(void *arg, const char *text)
{
    editor *e = arg;
    doc *d = ve_current(e);
    if (!d || !text || !*text) return;
    char *end;
    long l = strtol(text, &end, 10);
    if (*end || l <= 0) {
        ve_say(e, "'%s' is not a line number", text);
        return;
    }
    ve_goto_line(e, d, (int)l);
    ve_redraw(e);
}

/* The initial text of the find prompt: the selection, else the last search. */
static char *find_initial(editor *e, doc *d)
{
    size_t a, b;
    if (ve_has_sel(d, &a, &b) && ed_line_of(d->buf, a) == ed_line_of(d->buf, b))
        return ed_text(d->buf, a, b);
    return xstrdup(e->find ? e->find : "");
}

void ve_find_prompt(editor *e, doc *d)
{
    char *init = find_initial(e, d);
    e->host.prompt(e->host.ctx, "Find (a /regex/ too)", init, find_answer, e);
    free(init);
}

void ve_replace_prompt(editor *e, doc *d)
{
    char *init = find_initial(e, d);
    e->host.prompt(e->host.ctx, "Replace all: find", init, replace_what, e);
    free(init);
}

void ve_goto_prompt(editor *e)
{
    e->host.prompt(e->host.ctx, "Go to line", "", go_line_answer, e);
}
