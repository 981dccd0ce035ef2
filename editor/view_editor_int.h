/*
 * view_editor_int.h - the editor view's own state, shared by its two files:
 * view_editor_text.c (documents, edits, find and replace) and view_editor.c
 * (drawing, keys, mouse, completion, the pipeline's help).
 */
#ifndef TARN_VIEW_EDITOR_INT_H
#define TARN_VIEW_EDITOR_INT_H

#include "buffer.h"
#include "highlight.h"
#include "search.h"
#include "view_editor.h"

#define PAUSE_MS 700     /* typing paused this long: validate what is typed */
#define MAX_SPANS 256

typedef struct doc {
    char *path;          /* relative to the project */
    char *full;          /* for reading and writing */
    ed_buf *buf;
    hl_cache *hl;
    hl_lang lang;
    size_t top;          /* first line shown */
    bool wheeled;        /* the wheel scrolled the view off the cursor ... */
    size_t wheel_at;     /* ... when it was here ... */
    uint64_t wheel_ver;  /* ... and the text this version: it stays until either changes */
    int left;            /* first display column shown */
    int want_cells;      /* the column Up/Down aim for ... */
    size_t want_at;      /* ... as long as the cursor is still here ... */
    uint64_t want_ver;   /* ... and the text this version (else the cursor's) */
    int64_t disk_mtime, disk_size; /* as last saved, loaded or asked about */
    uint64_t checked;    /* buffer version last handed to validation */
    double edited_ms;    /* when it last changed */
} doc;

typedef struct completion {
    bool open;
    ls_items items;
    size_t from;         /* what a choice replaces: [from, cursor) */
    int sel;
} completion;

typedef struct editor {
    view base;
    ed_host host;
    VEC(doc *) docs;
    int cur;             /* the doc shown, or -1 */
    int tab;             /* columns an indentation step takes (and a tab shows as) */
    bool hard_tabs;      /* indent with a tab character instead of spaces */
    int rows, cols;      /* text area of the last draw */
    int gutter;
    completion comp;
    char *clip;          /* internal clipboard */
    char *find;          /* the last search */
    sb line;             /* scratch for the highlighter */
    double last_click_ms;
    size_t last_click_pos;
    bool dragging;
    char *said;          /* the problem last shown in the status bar */
} editor;

/* ---- view_editor_text.c ---- */
doc *ve_current(editor *e);
void ve_say(editor *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ve_redraw(editor *e);
void ve_doc_free(doc *d);
/* Puts the cursor at the start of line (1-based) and scrolls to it. */
void ve_goto_line(editor *e, doc *d, int line);
bool ve_save(editor *e, doc *d);
/* Offers a reload when the file changed on disk (once a change). */
void ve_check_disk(editor *e, doc *d);
/* The text changed: typing time, redraw. */
void ve_touched(editor *e, doc *d);
/* Replaces [from, to) with s[0..n), keeping the highlighter in step; the
 * cursor goes after the new text. */
void ve_edit(editor *e, doc *d, size_t from, size_t to, const char *s, size_t n);
/* The selection [*a, *b); false when it is empty. */
bool ve_has_sel(const doc *d, size_t *a, size_t *b);
/* Typing: replaces the selection (or inserts at the cursor). */
void ve_type_text(editor *e, doc *d, const char *s, size_t n);
/* Appends one step of indentation (a tab, or e->tab spaces). */
void ve_add_indent(const editor *e, sb *b);
void ve_newline(editor *e, doc *d);
void ve_backspace(editor *e, doc *d, bool forward);
void ve_indent_lines(editor *e, doc *d, bool out);
void ve_toggle_comment(editor *e, doc *d);
void ve_undo(editor *e, doc *d, bool redo_it);
void ve_find_next(editor *e, doc *d, bool backward);
void ve_find_prompt(editor *e, doc *d);
void ve_replace_prompt(editor *e, doc *d);
void ve_goto_prompt(editor *e);

#endif
