/*
 * search.h - find and replace in an editor buffer (no curses): plain text
 * (case-sensitive, or ignoring the case of ASCII letters only) or a POSIX
 * extended regular expression (REG_EXTENDED | REG_NEWLINE: '.' and [^...]
 * never match a newline, ^ and $ match at every line), next / previous from a
 * position with wrap-around, the count of all matches, replace one and
 * replace all (one undo step).
 *
 * Matching runs on a copy of the buffer's text that the search keeps until
 * the buffer's version changes, so asking again (the count, the next match)
 * after no edit costs no copy. A match never starts or ends inside a UTF-8
 * character: one that would (a regex compiled in a non-UTF-8 locale, a
 * pattern holding part of a character) is skipped. Plain patterns may hold
 * '\n' and then match across lines; in a regex, "\n" and "\t" stand for a
 * newline and a tab (they may be used inside [...] too).
 *
 * Matches are leftmost-longest; a regex may match the empty string (^, $,
 * x*), and such a match counts once per position. Regex offsets are ints in
 * glibc: texts over 2 GiB are not searched past that point.
 */
#ifndef TARN_ED_SEARCH_H
#define TARN_ED_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "buffer.h"

enum {
    ED_SEARCH_REGEX = 1,       /* pattern is an extended regular expression */
    ED_SEARCH_ICASE = 2,       /* ignore case: ASCII letters only in plain mode,
                                  the locale's rules (REG_ICASE) for a regex */
    ED_SEARCH_SMART_CASE = 4   /* ignore case unless the pattern holds an ASCII
                                  capital (not counting one escaped by a backslash in
                                  a regex, as in \W): then match case */
};

/* A match: bytes [from, to) of the buffer (to == from when empty). */
typedef struct ed_match {
    size_t from, to;
} ed_match;

typedef struct ed_search ed_search;

/* Compiles pattern (NUL-terminated) with ED_SEARCH_* flags. On a bad regex
 * returns NULL and sets *err (when err is not NULL) to a message for the user
 * ("bad regular expression: Unmatched ( or \("), which the caller frees. An
 * empty pattern is valid and matches nothing. A search may be used on any
 * number of buffers. */
ed_search *ed_search_new(const char *pattern, unsigned flags, char **err);
void ed_search_free(ed_search *s);

/* The first match starting at or after from (from > ed_len finds none). With
 * wrap, when there is none the first match from the start of the text is
 * taken and *wrapped (may be NULL) set true. False when nothing matches. */
bool ed_find_next(const ed_buf *b, ed_search *s, size_t from, bool wrap, ed_match *m,
                  bool *wrapped);
/* The last match starting before from; with wrap, when there is none the
 * last match in the whole text (*wrapped set). */
bool ed_find_prev(const ed_buf *b, ed_search *s, size_t from, bool wrap, ed_match *m,
                  bool *wrapped);
/* ed_find_prev when backward, else ed_find_next. For "find next" from a
 * selected match [a, b): forward from b, backward from a. */
bool ed_find(const ed_buf *b, ed_search *s, size_t from, bool backward, bool wrap,
             ed_match *m, bool *wrapped);
/* Where to search from for the match after m: m.to, or past the next
 * character after an empty match (ed_len + 1 after an empty match at the
 * end: ed_find_next then finds nothing, or wraps). */
size_t ed_search_after(const ed_buf *b, ed_match m);

/* The number of matches in the whole text, taken one after another from the
 * start (as ed_search_after steps, but an empty match right where a
 * non-empty one ended is not counted, as sed does: "x*" in "axb" matches
 * at 0, [1,2) and 3), counting no further than limit (0: no limit; the
 * caller shows "limit+"). Remembered until the text changes. */
size_t ed_search_count(const ed_buf *b, ed_search *s, size_t limit);
/* The matches starting in [from, to), one after another from from, into a
 * new array *out (caller frees; NULL when none); returns their number. For
 * marking the matches on screen. */
size_t ed_search_all(const ed_buf *b, ed_search *s, size_t from, size_t to, ed_match **out);

/* Replaces the match m (which must still match there exactly: false, and
 * nothing done, when it does not) with repl, as one undo step; *end (may be
 * NULL) gets the offset just past the replacement, where the next search
 * should start. In regex mode repl may use \0 (the whole match), \1..\9 (a
 * group; empty if it did not take part), \n, \t and \\; in plain mode repl is
 * taken literally. */
bool ed_search_replace(ed_buf *b, ed_search *s, ed_match m, const char *repl, size_t *end);
/* Replaces every match (those ed_search_count counts) with repl as one undo
 * step; returns how many. */
size_t ed_search_replace_all(ed_buf *b, ed_search *s, const char *repl);

#endif
