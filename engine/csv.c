/*
 * csv.c - the streaming CSV reader (see csv.h).
 *
 * A record is parsed from the window's start (window.h); when it runs past
 * the end of the input read so far, more is read and the record is parsed
 * again from its beginning. Field bytes are copied, without quotes and
 * escapes, into `out`, which the record's fields point into.
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "window.h"

struct csv_reader {
    csv_opts o;
    window w;
    bool bom_checked;
    int64_t line;            /* line number at w.buf[w.start] */
    sb out;
    VEC(csv_field) fields;
};

csv_opts csv_default_opts(void)
{
    csv_opts o = {',', '"', '\\', 0};
    return o;
}

csv_reader *csv_open(int fd, const char *data, size_t len, const csv_opts *o)
{
    csv_reader *r = xcalloc(1, sizeof(*r));
    r->o = o ? *o : csv_default_opts();
    r->line = 1;
    win_open(&r->w, fd, data, len);
    return r;
}

static void add_field(csv_reader *r, size_t from, bool quoted)
{
    csv_field f = {from, r->out.len - from, quoted};
    VEC_PUSH(&r->fields, f);
}

/* Parses one record from r->start. Returns the offset just past it, or 0
 * when the window ends first (more input is needed). Sets *line_ends to the
 * newlines it spans. */
static size_t parse_record(csv_reader *r, int64_t *newlines, bool *malformed,
                           const char **why)
{
    const char *b = r->w.buf;
    size_t i = r->w.start, end = r->w.end;
    const bool eof = r->w.eof;
    const char d = r->o.delimiter, q = r->o.quote, esc = r->o.escape;
    sb_clear(&r->out);
    r->fields.n = 0;
    *newlines = 0;
    *malformed = false;
    for (;;) {
        size_t from = r->out.len;
        if (q && i < end && b[i] == q) {
            /* quoted field */
            i++;
            for (;;) {
                if (i >= end) {
                    if (!eof) return 0;
                    *malformed = true;
                    *why = "unterminated quoted field";
                    add_field(r, from, true);
                    return i;
                }
                char c = b[i];
                if (c == q) {
                    if (i + 1 >= end && !eof) return 0;
                    if (i + 1 < end && b[i + 1] == q) {
                        sb_addc(&r->out, q);
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (esc && c == esc && esc != q) {
                    if (i + 1 >= end && !eof) return 0;
                    if (i + 1 < end && (b[i + 1] == q || b[i + 1] == esc)) {
                        sb_addc(&r->out, b[i + 1]);
                        i += 2;
                        continue;
                    }
                }
                if (c == '\n') (*newlines)++;
                sb_addc(&r->out, c);
                i++;
            }
            /* after the closing quote: a delimiter, a line end (LF, CRLF, or a
             * CR ending the input), or junk, which a lone CR is too */
            if (i + 1 >= end && i < end && b[i] == '\r' && !eof) return 0;
            bool line_end = i >= end || b[i] == '\n' ||
                            (b[i] == '\r' && (i + 1 >= end || b[i + 1] == '\n'));
            if (!line_end && b[i] != d) {
                *malformed = true;
                *why = "text after a closing quote";
                while (i < end && b[i] != d && b[i] != '\n') sb_addc(&r->out, b[i++]);
                if (i >= end && !eof) return 0;
                /* the CR of a CRLF (or of the input's end) is not text */
                if ((i >= end || b[i] == '\n') && r->out.len > from &&
                    r->out.s[r->out.len - 1] == '\r')
                    r->out.s[--r->out.len] = 0;
            }
            add_field(r, from, true);
        } else {
            size_t s = i;
            while (i < end && b[i] != d && b[i] != '\n') i++;
            if (i >= end && !eof) return 0;
            size_t e = i;
            if (e > s && b[e - 1] == '\r' && (i >= end || b[i] == '\n')) e--;
            sb_addn(&r->out, b + s, e - s);
            add_field(r, from, false);
        }
        if (i >= end) return i;              /* last record without newline */
        if (b[i] == '\r') {
            if (i + 1 >= end && !eof) return 0;
            i++;
            if (i >= end) return i;
        }
        if (b[i] == '\n') {
            (*newlines)++;
            return i + 1;
        }
        i++;                                 /* the delimiter */
    }
}

/* true when the line at start is blank or a comment: then it is skipped. */
static bool skip_line(csv_reader *r, size_t *past)
{
    const window *w = &r->w;
    const char *b = w->buf;
    size_t i = w->start;
    bool comment = r->o.comment && i < w->end && b[i] == r->o.comment;
    bool blank = i < w->end &&
                 (b[i] == '\n' || (b[i] == '\r' && i + 1 < w->end && b[i + 1] == '\n'));
    if (!comment && !blank) return false;
    const char *nl = memchr(b + i, '\n', w->end - i);
    if (!nl && !w->eof) {
        *past = 0;
        return true;
    }
    *past = nl ? (size_t)(nl - b) + 1 : w->end;
    return true;
}

int csv_next(csv_reader *r, csv_record *rec)
{
    window *w = &r->w;
    if (!r->bom_checked) {
        r->bom_checked = true;
        if (win_skip_bom(w) < 0) return -1;
    }
    for (;;) {
        if (w->start >= w->end) {
            if (w->eof) return 0;
            if (win_fill(w) < 0) return -1;
            continue;
        }
        size_t past;
        if (skip_line(r, &past)) {
            if (!past) {
                if (win_fill(w) < 0) return -1;
                continue;
            }
            win_advance(w, past);
            r->line++;
            continue;
        }
        int64_t newlines;
        bool malformed;
        const char *why = NULL;
        past = parse_record(r, &newlines, &malformed, &why);
        if (!past) {
            if (win_fill(w) < 0) return -1;
            continue;
        }
        rec->text = sb_str(&r->out);
        rec->f = r->fields.v;
        rec->n = r->fields.n;
        rec->line = r->line;
        rec->malformed = malformed;
        rec->why = why;
        r->line += newlines;
        win_advance(w, past);
        return 1;
    }
}

int64_t csv_offset(const csv_reader *r)
{
    return r->w.consumed;
}

uint64_t csv_hash(const csv_reader *r)
{
    return hash64_final(&r->w.hash);
}

void csv_close(csv_reader *r)
{
    if (!r) return;
    win_close(&r->w);
    sb_free(&r->out);
    VEC_FREE(&r->fields);
    free(r);
}
