/*
 * highlight.h - syntax highlighting for the editor (no curses): the tarn SQL
 * dialect (SQLite SQL plus the pipeline statements), Lua and JSON. Lines are
 * highlighted one at a time from the state the previous line ended in (inside
 * a block comment, a string, a quoted identifier, a Lua long string...), and
 * those end states are cached per line, so an edit rescans from its line only
 * until a line ends in the same state as before, not the whole file.
 */
#ifndef TARN_ED_HIGHLIGHT_H
#define TARN_ED_HIGHLIGHT_H

#include <stddef.h>
#include <stdint.h>

typedef enum hl_class {
    HL_NORMAL,
    HL_KEYWORD,
    HL_STRING,
    HL_NUMBER,
    HL_COMMENT,
    HL_OPERATOR,
    HL_IDENT_QUOTED,  /* "identifier" / `identifier` */
    HL_PARAM,         /* ${param}, ?, :name */
    HL_FUNCTION,      /* a name followed by '(' */
    HL_TYPE,          /* column types in column lists, JSON keys */
    HL_CONSTANT,      /* NULL, TRUE, FALSE, nil, true, false */
    HL_ERROR          /* an unterminated string at the end of the text */
} hl_class;

typedef enum hl_lang { HL_LANG_NONE, HL_LANG_SQL, HL_LANG_LUA, HL_LANG_JSON } hl_lang;

/* The language of a file by its name (.sql, .lua, .json). */
hl_lang hl_lang_of(const char *path);

/* A run of bytes of one class in a line: [start, start+len) within the line. */
typedef struct hl_span {
    uint32_t start, len;
    hl_class cls;
} hl_span;

/* The state at the end of a line (0: plain). Opaque to callers. */
typedef uint32_t hl_state;

/* Highlights one line (text[0..len), without its '\n') starting in state in;
 * writes up to max spans into spans (their count in *n; spans cover only
 * non-NORMAL runs) and returns the state at the end of the line. */
hl_state hl_line(hl_lang lang, hl_state in, const char *text, size_t len, hl_span *spans,
                 int max, int *n);

/* Per-line end states of a whole text, kept current as it is edited. */
typedef struct hl_cache hl_cache;

hl_cache *hl_cache_new(hl_lang lang);
void hl_cache_free(hl_cache *c);
/* Tells the cache that lines [line, line+removed) were replaced by added
 * lines (an edit). States from line on are recomputed lazily. */
void hl_cache_edit(hl_cache *c, size_t line, size_t removed, size_t added);
/* The state line starts in; get_line(ctx, i, &len) gives line i's text.
 * Rescans from the first line not known, stopping early when a line ends in
 * the state it ended in before the edit. */
hl_state hl_cache_state(hl_cache *c, size_t line,
                        const char *(*get_line)(void *ctx, size_t i, size_t *len), void *ctx);
/* Lines scanned by hl_cache_state since the cache was made (for tests). */
uint64_t hl_cache_scanned(const hl_cache *c);

/* ---- additions ----
 * hl_line: spans may be NULL (with max 0) and n may be NULL to get only the
 * end state; adjacent runs of one class come as one span; when a line has
 * more than max spans the rest are dropped (the end state is still right).
 * In JSON, bytes that cannot be JSON (a bare word, a stray character) are
 * HL_ERROR. hl_cache_state accepts line == the number of lines: the state at
 * the end of the text. */

/* The class of what a line ending in state st is still inside of: HL_NORMAL
 * (nothing), HL_COMMENT (a block / long comment), HL_STRING (a string, a Lua
 * long string) or HL_IDENT_QUOTED (an SQL quoted identifier). Given the state
 * at the end of the text, HL_STRING or HL_IDENT_QUOTED means the text ends in
 * an unterminated string, which a view can show as HL_ERROR. */
hl_class hl_state_class(hl_lang lang, hl_state st);

#endif
