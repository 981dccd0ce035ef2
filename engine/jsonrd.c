/*
 * jsonrd.c - cutting JSON lines or a JSON array into records (see jsonrd.h).
 */
#include "jsonrd.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "window.h"

struct json_reader {
    window w;
    bool started;
    bool array;        /* a top-level [ ... ] */
    bool array_done;   /* its ']' was read */
    int64_t line;      /* line number at w.buf[w.start] */
};

json_reader *jsr_open(int fd, const char *data, size_t len)
{
    json_reader *r = xcalloc(1, sizeof(*r));
    win_open(&r->w, fd, data, len);
    r->line = 1;
    return r;
}

/* Skips white space (counting lines) and, in an array, one separating ','.
 * Returns the first byte of what follows, or -1 when more input is needed,
 * or -2 at the end. */
static int skip_space(json_reader *r, bool comma)
{
    window *w = &r->w;
    for (;;) {
        while (w->start < w->end) {
            char c = w->buf[w->start];
            if (c == '\n') r->line++;
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || (comma && c == ',')) {
                if (c == ',') comma = false;
                win_advance(w, w->start + 1);
                continue;
            }
            return (unsigned char)c;
        }
        if (w->eof) return -2;
        if (win_fill(w) < 0) return -3;
    }
}

#define NEED_MORE ((size_t)-1)

/* In an array: the end of the value starting at start (balanced brackets,
 * strings skipped), or NEED_MORE when the window ends first. A stray '}' or
 * ']' where a value starts is a broken value of its own (one byte), so that
 * the reader always moves on. */
static size_t value_end(const window *w, size_t i, int64_t *newlines, bool *broken)
{
    const size_t start = i;
    int depth = 0;
    bool in_string = false;
    *newlines = 0;
    *broken = false;
    for (; i < w->end; i++) {
        char c = w->buf[i];
        if (c == '\n') (*newlines)++;
        if (in_string) {
            if (c == '\\' && i + 1 < w->end && w->buf[i + 1] == '\n') (*newlines)++;
            if (c == '\\') i++;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '"') in_string = true;
        else if (c == '{' || c == '[') depth++;
        else if (c == '}' || c == ']') {
            if (depth == 0 && i == start) {
                *broken = true;
                return i + 1;
            }
            if (depth == 0) return i; /* the array's own ']' ends a scalar */
            if (--depth == 0) return i + 1;
        } else if (c == ',' && depth == 0) {
            return i;
        }
    }
    if (!w->eof) return NEED_MORE;
    *broken = depth > 0 || in_string;
    return w->end;
}

static int next_in_array(json_reader *r, jsr_record *rec)
{
    window *w = &r->w;
    for (;;) {
        int c = skip_space(r, true);
        if (c == -3) return -1;
        if (c == -2) {
            if (!r->array_done) { /* the file ended before its ']' */
                r->array_done = true;
                rec->text = "";
                rec->len = 0;
                rec->line = r->line;
                rec->malformed = true;
                rec->why = "the JSON array is not closed";
                return 1;
            }
            return 0;
        }
        if (c == ']') {
            r->array_done = true;
            win_advance(w, w->start + 1);
            continue;
        }
        if (r->array_done) { /* text after the array */
            size_t from = w->start;
            while (!w->eof)
                if (win_fill(w) < 0) return -1;
            rec->text = w->buf + w->start;
            rec->len = w->end - w->start;
            rec->line = r->line;
            rec->malformed = true;
            rec->why = "text after the end of the JSON array";
            (void)from;
            win_advance(w, w->end);
            return 1;
        }
        int64_t newlines;
        bool broken;
        size_t end = value_end(w, w->start, &newlines, &broken);
        if (end == NEED_MORE) {
            if (win_fill(w) < 0) return -1;
            continue;
        }
        rec->text = w->buf + w->start;
        rec->len = end - w->start;
        rec->line = r->line;
        bool stray = broken && rec->len == 1 && (*rec->text == '}' || *rec->text == ']');
        rec->malformed = broken || end == w->start;
        rec->why = end == w->start ? "empty array element"
                   : stray ? "unexpected closing bracket"
                   : broken ? "unterminated JSON value" : NULL;
        /* a value left open ran to the end of the input: the missing ']' is
         * part of the same problem, not another record */
        if (broken && !stray) r->array_done = true;
        r->line += newlines;
        win_advance(w, end);
        return 1;
    }
}

static int next_line(json_reader *r, jsr_record *rec)
{
    window *w = &r->w;
    for (;;) {
        int c = skip_space(r, false);
        if (c == -3) return -1;
        if (c == -2) return 0;
        const char *nl = memchr(w->buf + w->start, '\n', w->end - w->start);
        if (!nl && !w->eof) {
            if (win_fill(w) < 0) return -1;
            continue;
        }
        size_t end = nl ? (size_t)(nl - w->buf) : w->end;
        size_t e = end;
        while (e > w->start && (w->buf[e - 1] == '\r' || w->buf[e - 1] == ' ')) e--;
        rec->text = w->buf + w->start;
        rec->len = e - w->start;
        rec->line = r->line;
        rec->malformed = false;
        rec->why = NULL;
        win_advance(w, end);
        return 1;
    }
}

int jsr_next(json_reader *r, jsr_record *rec)
{
    if (!r->started) {
        r->started = true;
        if (win_skip_bom(&r->w) < 0) return -1;
        int c = skip_space(r, false);
        if (c == -3) return -1;
        if (c == '[') {
            r->array = true;
            win_advance(&r->w, r->w.start + 1);
        }
    }
    return r->array ? next_in_array(r, rec) : next_line(r, rec);
}

int64_t jsr_offset(const json_reader *r)
{
    return r->w.consumed;
}

uint64_t jsr_hash(const json_reader *r)
{
    return hash64_final(&r->w.hash);
}

void jsr_close(json_reader *r)
{
    if (!r) return;
    win_close(&r->w);
    free(r);
}
