/*
 * buffer.h - the editor's text model (no curses): a file's bytes in a gap
 * buffer with an index of line starts, edited by byte offsets that always
 * fall on UTF-8 character boundaries, with unlimited undo and redo grouped
 * the way people expect (a word typed, a run of deletions, a paste: one step
 * each), and a cursor+selection kept across undo.
 *
 * Positions: byte offsets in [0, ed_len]; lines and columns are 0-based;
 * a "column" is a byte offset within its line unless a function says it
 * counts display cells (wide CJK and emoji take two, tabs go to tab stops).
 */
#ifndef TARN_ED_BUFFER_H
#define TARN_ED_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ed_buf ed_buf;

/* An empty buffer, or one holding text[0..len) (copied). */
ed_buf *ed_new(void);
ed_buf *ed_from(const char *text, size_t len);
void ed_free(ed_buf *b);

/* ---- reading ---- */
size_t ed_len(const ed_buf *b);
/* The byte at pos (0 past the end). */
char ed_byte(const ed_buf *b, size_t pos);
/* Copies bytes [from, to) into a new NUL-terminated string (caller frees). */
char *ed_text(const ed_buf *b, size_t from, size_t to);
/* Copies the bytes [from, to) into out (at most to-from bytes). */
void ed_copy(const ed_buf *b, size_t from, size_t to, char *out);
/* Number of lines (a final newline starts an empty last line; an empty buffer has 1). */
size_t ed_lines(const ed_buf *b);
/* Offset of the start of line (line >= ed_lines: ed_len). */
size_t ed_line_start(const ed_buf *b, size_t line);
/* Offset just past the last character of line (before its '\n'). */
size_t ed_line_end(const ed_buf *b, size_t line);
/* The line holding pos (binary search in the line index). */
size_t ed_line_of(const ed_buf *b, size_t pos);

/* ---- UTF-8 ---- */
/* The start of the character after / before pos (clamped to the buffer). */
size_t ed_next_char(const ed_buf *b, size_t pos);
size_t ed_prev_char(const ed_buf *b, size_t pos);
/* Display cells from the start of pos's line to pos (tab stops every tab;
 * tab <= 0 means 8). Widths come from wcwidth in the current locale; a
 * character it calls unprintable (a control character) or a byte that is
 * not valid UTF-8 counts one cell (the view draws one replacement glyph). */
int ed_col_cells(const ed_buf *b, size_t pos, int tab);
/* The offset in line whose display cell column is the largest <= cells. */
size_t ed_pos_at_cells(const ed_buf *b, size_t line, int cells, int tab);
/* Word boundaries (letters, digits, '_', and any non-ASCII character) around pos:
 * ed_word_start goes back from pos over word characters, ed_word_end forward
 * from pos over them, so [ed_word_start, ed_word_end) is the word under or
 * just before pos (double-click), and both return pos when neither the
 * character before pos nor the one at pos is a word character. */
size_t ed_word_start(const ed_buf *b, size_t pos);
size_t ed_word_end(const ed_buf *b, size_t pos);

/* ---- editing (each is recorded for undo) ----
 * Edits move the selection the way typing does: an insert at pos shifts
 * every selection end >= pos by n (so text typed or pasted at the cursor
 * leaves the cursor after it); a delete pulls ends inside [from, to) to from
 * and shifts ends after it back. */
/* Inserts n bytes at pos (pos is moved to a character boundary). */
void ed_insert(ed_buf *b, size_t pos, const char *s, size_t n);
/* Deletes [from, to) (from moves back to the start of its character, to
 * forward to the end of its character, so one is never cut in two; an empty
 * range deletes nothing). */
void ed_delete(ed_buf *b, size_t from, size_t to);
/* Replaces [from, to) with s[0..n) as one step. */
void ed_replace(ed_buf *b, size_t from, size_t to, const char *s, size_t n);

/* ---- the cursor (kept by the buffer so that undo can restore it) ----
 * ed_set_sel clamps both ends to the text and character boundaries; setting
 * a different selection is a cursor jump and ends the current undo group. */
typedef struct ed_sel {
    size_t anchor, cursor;   /* a selection is [min, max) of them; empty when equal */
} ed_sel;
ed_sel ed_get_sel(const ed_buf *b);
void ed_set_sel(ed_buf *b, ed_sel s);

/* ---- undo ----
 * Grouping: single-character inserts at the cursor (empty selection), each
 * where the last one ended, are one step until a space, tab or newline is
 * typed right after a word character (so "hello world" typed is two steps:
 * "hello" and " world"). Single-character backspaces (the character before
 * the cursor) and forward deletes (the one at the cursor) group likewise,
 * each kind with itself, until a space, tab or newline is deleted next to a
 * word character just deleted. Any other edit (several characters, or not at
 * the cursor) and every ed_replace is a step of its own. Unlimited depth; an
 * edit after undo drops what could have been redone. ed_mark_saved ends the
 * group too, so that undo can come back to exactly the saved text. */
/* Ends the current undo group: the next edit starts a new step. (Typing
 * groups by word by itself: a space or newline after a word, a cursor jump,
 * or a change of kind (insert vs delete) ends a group.) */
void ed_undo_break(ed_buf *b);
/* Undoes / redoes one step; returns false when there is none. The cursor
 * and selection come back as they were before / after the step. */
bool ed_undo(ed_buf *b);
bool ed_redo(ed_buf *b);
/* A counter that changes with every edit, undo and redo; equal values mean
 * equal text (used for "modified since saved"). Values are unique in the
 * process (no two buffers share one), so a cache may key on the version alone. */
uint64_t ed_version(const ed_buf *b);
/* The version the text had when it was last marked saved; modified when
 * ed_version differs (undoing back to it makes the buffer unmodified). */
void ed_mark_saved(ed_buf *b);
bool ed_modified(const ed_buf *b);

/* Makes every edit between ed_group_begin and the matching ed_group_end
 * (they nest) one undo step, e.g. a replace-all, an auto-indent, a comment
 * toggle over several lines. It is a step of its own: it ends a typing group,
 * and the edit after ed_group_end starts a new step. */
void ed_group_begin(ed_buf *b);
void ed_group_end(ed_buf *b);

#endif
