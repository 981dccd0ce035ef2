/*
 * buffer.c - the editor's text model: a gap buffer for the bytes and a second
 * gap array for the line starts, both moved to the place being edited, so an
 * edit costs the distance from the previous edit, not the size of the file.
 *
 * The line index: ls[] holds the start offset of every line but line 0's
 * (always 0, kept too for simplicity). Entries before its gap (lines
 * [0, lgs)) are absolute offsets; entries after it are stored as distances
 * from the END of the text (len - start). An edit at line L first moves the
 * gap to just after L, so every line after the edit is stored relative to the
 * end and needs no update when bytes are inserted or deleted before it; new
 * line starts are appended before the gap, removed ones dropped from there.
 *
 * Undo: a list of steps, each a list of edits (insert/delete with its bytes
 * and position) and the selection before and after; steps [0, ncur) are
 * applied, [ncur, n) can be redone. Every text state has a version number
 * drawn from a process-wide counter: a new or extended step gets a fresh one,
 * undo and redo return to the numbers of the states they restore.
 */
#include "buffer.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "util.h"

enum { K_NONE, K_TYPE, K_BACK, K_FWD };

typedef struct ed_edit {
    bool ins;
    size_t pos, n;
    char *text;
} ed_edit;

typedef struct ed_step {
    VEC(ed_edit) edits;
    ed_sel before, after;
    uint64_t id;
} ed_step;

struct ed_buf {
    char *buf;           /* text: [0, gs) and [ge, cap) */
    size_t cap, gs, ge;
    size_t *ls;          /* line starts: [0, lgs) absolute, [lge, lcap) len - start */
    size_t lcap, lgs, lge;
    ed_sel sel;
    VEC(ed_step) steps;
    size_t ncur;         /* steps applied */
    uint64_t base;       /* the version of the text with no step applied */
    uint64_t version, saved;
    /* typing/deleting group state */
    bool open;           /* the top step may be extended by the next typed edit */
    int kind;            /* K_TYPE, K_BACK, K_FWD: what extends it */
    size_t last_pos;     /* where the next typed edit must happen to extend it */
    bool last_word;      /* the last character deleted was a word character */
    /* explicit groups */
    int depth;
    bool group_started;
};

static _Atomic uint64_t next_version = 1;

static uint64_t new_version(void)
{
    return atomic_fetch_add(&next_version, 1);
}

/* ---- the gap buffer ---- */

static inline size_t gap(const ed_buf *b)
{
    return b->ge - b->gs;
}

static inline size_t tlen(const ed_buf *b)
{
    return b->cap - gap(b);
}

static inline unsigned char at(const ed_buf *b, size_t p)
{
    return (unsigned char)(p < b->gs ? b->buf[p] : b->buf[p + gap(b)]);
}

static void gap_move(ed_buf *b, size_t pos)
{
    if (pos < b->gs) {
        size_t n = b->gs - pos;
        memmove(b->buf + b->ge - n, b->buf + pos, n);
        b->gs -= n;
        b->ge -= n;
    } else if (pos > b->gs) {
        size_t n = pos - b->gs;
        memmove(b->buf + b->gs, b->buf + b->ge, n);
        b->gs += n;
        b->ge += n;
    }
}

static void gap_reserve(ed_buf *b, size_t n)
{
    if (gap(b) >= n)
        return;
    size_t len = tlen(b), ncap = b->cap < 64 ? 64 : b->cap;
    while (ncap - len < n)
        ncap *= 2;
    char *nb = xmalloc(ncap);
    size_t tail = b->cap - b->ge;
    memcpy(nb, b->buf, b->gs);
    memcpy(nb + ncap - tail, b->buf + b->ge, tail);
    free(b->buf);
    b->buf = nb;
    b->ge = ncap - tail;
    b->cap = ncap;
}

/* ---- the line index ---- */

static inline size_t lcount(const ed_buf *b)
{
    return b->lgs + (b->lcap - b->lge);
}

static inline size_t lget(const ed_buf *b, size_t i)
{
    return i < b->lgs ? b->ls[i] : tlen(b) - b->ls[i + (b->lge - b->lgs)];
}

/* Moves the index gap so that lines [0, g) are before it. The text must be
 * consistent with the index (call before changing its length). */
static void lgap_move(ed_buf *b, size_t g)
{
    size_t len = tlen(b);
    while (b->lgs > g) {
        b->lgs--;
        b->ls[--b->lge] = len - b->ls[b->lgs];
    }
    while (b->lgs < g) {
        b->ls[b->lgs] = len - b->ls[b->lge];
        b->lgs++;
        b->lge++;
    }
}

static void lgap_reserve(ed_buf *b, size_t n)
{
    if (b->lge - b->lgs >= n)
        return;
    size_t cnt = lcount(b), ncap = b->lcap < 16 ? 16 : b->lcap;
    while (ncap - cnt < n)
        ncap *= 2;
    size_t *nl = xmalloc(ncap * sizeof(*nl));
    size_t tail = b->lcap - b->lge;
    memcpy(nl, b->ls, b->lgs * sizeof(*nl));
    memcpy(nl + ncap - tail, b->ls + b->lge, tail * sizeof(*nl));
    free(b->ls);
    b->ls = nl;
    b->lge = ncap - tail;
    b->lcap = ncap;
}

static size_t line_of(const ed_buf *b, size_t pos)
{
    size_t lo = 0, hi = lcount(b) - 1;   /* lget(lo) <= pos always */
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        if (lget(b, mid) <= pos)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

/* ---- raw edits: text and line index, nothing else ---- */

static void raw_insert(ed_buf *b, size_t pos, const char *s, size_t n)
{
    size_t line = line_of(b, pos), k = 0;
    for (const char *p = s, *e = s + n; (p = memchr(p, '\n', (size_t)(e - p))); p++)
        k++;
    lgap_move(b, line + 1);
    gap_move(b, pos);
    gap_reserve(b, n);
    memcpy(b->buf + b->gs, s, n);
    b->gs += n;
    if (k) {
        lgap_reserve(b, k);
        for (size_t i = 0; i < n; i++)
            if (s[i] == '\n')
                b->ls[b->lgs++] = pos + i + 1;
    }
}

static void raw_delete(ed_buf *b, size_t from, size_t to)
{
    size_t n = to - from, line = line_of(b, from), k = 0;
    gap_move(b, from);
    const char *d = b->buf + b->ge, *e = d + n;
    for (const char *p = d; (p = memchr(p, '\n', (size_t)(e - p))); p++)
        k++;
    lgap_move(b, line + 1 + k);
    b->lgs -= k;
    b->ge += n;
}

/* ---- UTF-8 ---- */

/* Length of the valid UTF-8 sequence at s[0..avail) and its code point, or 0
 * when the bytes there are not one. */
static int u8_decode(const unsigned char *s, size_t avail, uint32_t *cp)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    int n;
    uint32_t v;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (avail < (size_t)n)
        return 0;
    for (int i = 1; i < n; i++) {
        unsigned d = s[i];
        if (d < lo || d > hi)
            return 0;
        lo = 0x80;
        hi = 0xBF;
        v = (v << 6) | (d & 0x3F);
    }
    *cp = v;
    return n;
}

/* The character at pos (< len): its length (1 for an invalid byte) and code
 * point (U+FFFD for an invalid byte; *valid false). */
static size_t char_at(const ed_buf *b, size_t pos, uint32_t *cp, bool *valid)
{
    unsigned char c[4];
    size_t len = tlen(b), avail = len - pos < 4 ? len - pos : 4;
    for (size_t i = 0; i < avail; i++)
        c[i] = at(b, pos + i);
    int n = u8_decode(c, avail, cp);
    if (valid)
        *valid = n > 0;
    if (n == 0) {
        *cp = 0xFFFD;
        return 1;
    }
    return (size_t)n;
}

/* The start of the character holding pos (pos itself on a boundary). */
static size_t char_start(const ed_buf *b, size_t pos)
{
    size_t len = tlen(b);
    if (pos >= len)
        return len;
    if (pos == 0 || (at(b, pos) & 0xC0) != 0x80)
        return pos;
    for (size_t k = 1; k <= 3 && k <= pos; k++) {
        if ((at(b, pos - k) & 0xC0) == 0x80)
            continue;
        uint32_t cp;
        if (char_at(b, pos - k, &cp, NULL) > k)
            return pos - k;
        break;
    }
    return pos;
}

static bool is_word_cp(uint32_t cp, bool valid)
{
    if (!valid || cp >= 0x80)
        return true;
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
           cp == '_';
}

static bool word_at(const ed_buf *b, size_t pos)
{
    if (pos >= tlen(b))
        return false;
    uint32_t cp;
    bool valid;
    char_at(b, pos, &cp, &valid);
    return is_word_cp(cp, valid);
}

static bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* ---- life ---- */

ed_buf *ed_from(const char *text, size_t len)
{
    ed_buf *b = xcalloc(1, sizeof(*b));
    b->cap = len + 64;
    b->buf = xmalloc(b->cap);
    if (len)
        memcpy(b->buf, text, len);
    b->gs = len;
    b->ge = b->cap;
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        k += text[i] == '\n';
    b->lcap = k + 1 + 16;
    b->ls = xmalloc(b->lcap * sizeof(*b->ls));
    b->ls[b->lgs++] = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            b->ls[b->lgs++] = i + 1;
    b->lge = b->lcap;
    b->base = b->version = b->saved = new_version();
    return b;
}

ed_buf *ed_new(void)
{
    return ed_from("", 0);
}

static void step_free(ed_step *st)
{
    for (size_t i = 0; i < st->edits.n; i++)
        free(st->edits.v[i].text);
    VEC_FREE(&st->edits);
}

void ed_free(ed_buf *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->steps.n; i++)
        step_free(&b->steps.v[i]);
    VEC_FREE(&b->steps);
    free(b->buf);
    free(b->ls);
    free(b);
}

/* ---- reading ---- */

size_t ed_len(const ed_buf *b)
{
    return tlen(b);
}

char ed_byte(const ed_buf *b, size_t pos)
{
    return pos < tlen(b) ? (char)at(b, pos) : 0;
}

void ed_copy(const ed_buf *b, size_t from, size_t to, char *out)
{
    size_t len = tlen(b);
    if (to > len)
        to = len;
    if (from >= to)
        return;
    if (from < b->gs) {
        size_t e = to < b->gs ? to : b->gs;
        memcpy(out, b->buf + from, e - from);
        out += e - from;
        from = e;
    }
    if (from < to)
        memcpy(out, b->buf + from + gap(b), to - from);
}

char *ed_text(const ed_buf *b, size_t from, size_t to)
{
    size_t len = tlen(b);
    if (to > len)
        to = len;
    if (from > to)
        from = to;
    char *s = xmalloc(to - from + 1);
    ed_copy(b, from, to, s);
    s[to - from] = 0;
    return s;
}

size_t ed_lines(const ed_buf *b)
{
    return lcount(b);
}

size_t ed_line_start(const ed_buf *b, size_t line)
{
    return line < lcount(b) ? lget(b, line) : tlen(b);
}

size_t ed_line_end(const ed_buf *b, size_t line)
{
    return line + 1 < lcount(b) ? lget(b, line + 1) - 1 : tlen(b);
}

size_t ed_line_of(const ed_buf *b, size_t pos)
{
    return line_of(b, pos > tlen(b) ? tlen(b) : pos);
}

/* ---- UTF-8 motions and cells ---- */

size_t ed_next_char(const ed_buf *b, size_t pos)
{
    size_t len = tlen(b);
    if (pos >= len)
        return len;
    pos = char_start(b, pos);
    uint32_t cp;
    return pos + char_at(b, pos, &cp, NULL);
}

size_t ed_prev_char(const ed_buf *b, size_t pos)
{
    size_t len = tlen(b);
    if (pos > len)
        pos = len;
    if (pos == 0)
        return 0;
    size_t s = char_start(b, pos);
    return s < pos ? s : char_start(b, pos - 1);
}

static int cell_width(uint32_t cp, bool valid)
{
    if (!valid)
        return 1;
    int w = wcwidth((wchar_t)cp);
    return w < 0 ? 1 : w;
}

int ed_col_cells(const ed_buf *b, size_t pos, int tab)
{
    if (tab <= 0)
        tab = 8;
    pos = char_start(b, pos > tlen(b) ? tlen(b) : pos);
    size_t p = lget(b, line_of(b, pos));
    int cells = 0;
    while (p < pos) {
        uint32_t cp;
        bool valid;
        size_t n = char_at(b, p, &cp, &valid);
        if (cp == '\t')
            cells = (cells / tab + 1) * tab;
        else
            cells += cell_width(cp, valid);
        p += n;
    }
    return cells;
}

size_t ed_pos_at_cells(const ed_buf *b, size_t line, int cells, int tab)
{
    if (tab <= 0)
        tab = 8;
    if (line >= lcount(b))
        return tlen(b);
    size_t p = lget(b, line), end = ed_line_end(b, line);
    int c = 0;
    while (p < end) {
        uint32_t cp;
        bool valid;
        size_t n = char_at(b, p, &cp, &valid);
        int nc = cp == '\t' ? (c / tab + 1) * tab : c + cell_width(cp, valid);
        if (nc > cells)
            break;
        c = nc;
        p += n;
    }
    return p;
}

size_t ed_word_start(const ed_buf *b, size_t pos)
{
    size_t p = char_start(b, pos > tlen(b) ? tlen(b) : pos);
    while (p > 0) {
        size_t q = ed_prev_char(b, p);
        if (!word_at(b, q))
            break;
        p = q;
    }
    return p;
}

size_t ed_word_end(const ed_buf *b, size_t pos)
{
    size_t len = tlen(b), p = char_start(b, pos > len ? len : pos);
    while (p < len && word_at(b, p))
        p = ed_next_char(b, p);
    return p;
}

/* ---- recording ---- */

static void drop_redo(ed_buf *b)
{
    for (size_t i = b->ncur; i < b->steps.n; i++)
        step_free(&b->steps.v[i]);
    b->steps.n = b->ncur;
}

/* The step the next edit goes into: the open one when extend (and no
 * explicit group says otherwise), else a new one. */
static ed_step *step_for(ed_buf *b, bool extend)
{
    drop_redo(b);
    if (b->depth > 0) {
        if (b->group_started && b->ncur > 0)
            return &b->steps.v[b->ncur - 1];
        b->group_started = true;
        extend = false;
    }
    if (extend && b->open && b->ncur > 0)
        return &b->steps.v[b->ncur - 1];
    ed_step st = {0};
    st.before = b->sel;
    VEC_PUSH(&b->steps, st);
    b->ncur = b->steps.n;
    return &b->steps.v[b->ncur - 1];
}

/* Records an insert of s[0..n) at pos, or a delete of the n bytes at pos
 * (whose text is read from the buffer, still there). Merges with the step's
 * last edit when together they are one edit. */
static void record(ed_buf *b, ed_step *st, bool ins, size_t pos, const char *s, size_t n)
{
    ed_edit *last = st->edits.n ? &st->edits.v[st->edits.n - 1] : NULL;
    if (last && last->ins == ins) {
        if (ins && last->pos + last->n == pos) {        /* typing on */
            last->text = xrealloc(last->text, last->n + n);
            memcpy(last->text + last->n, s, n);
            last->n += n;
            return;
        }
        if (!ins && pos + n == last->pos) {             /* backspace */
            char *t = xmalloc(last->n + n);
            ed_copy(b, pos, pos + n, t);
            memcpy(t + n, last->text, last->n);
            free(last->text);
            last->text = t;
            last->pos = pos;
            last->n += n;
            return;
        }
        if (!ins && pos == last->pos) {                 /* forward delete */
            last->text = xrealloc(last->text, last->n + n);
            ed_copy(b, pos, pos + n, last->text + last->n);
            last->n += n;
            return;
        }
    }
    ed_edit e = {.ins = ins, .pos = pos, .n = n, .text = xmalloc(n)};
    if (ins)
        memcpy(e.text, s, n);
    else
        ed_copy(b, pos, pos + n, e.text);
    VEC_PUSH(&st->edits, e);
}

static void finish(ed_buf *b, ed_step *st)
{
    st->after = b->sel;
    st->id = new_version();
    b->version = st->id;
}

static size_t clampb(const ed_buf *b, size_t pos)
{
    return pos > tlen(b) ? tlen(b) : pos;
}

/* ---- editing ---- */

void ed_insert(ed_buf *b, size_t pos, const char *s, size_t n)
{
    if (n == 0)
        return;
    pos = char_start(b, clampb(b, pos));
    uint32_t cp;
    bool single = (size_t)u8_decode((const unsigned char *)s, n, &cp) == n ||
                  n == 1;
    bool typing = single && b->depth == 0 && b->sel.anchor == b->sel.cursor &&
                  pos == b->sel.cursor;
    bool extend = typing && b->open && b->kind == K_TYPE && pos == b->last_pos &&
                  !(is_blank((unsigned char)s[0]) && pos > 0 &&
                    word_at(b, ed_prev_char(b, pos)));
    ed_step *st = step_for(b, extend);
    record(b, st, true, pos, s, n);
    raw_insert(b, pos, s, n);
    if (b->sel.anchor >= pos)
        b->sel.anchor += n;
    if (b->sel.cursor >= pos)
        b->sel.cursor += n;
    finish(b, st);
    b->open = typing;
    b->kind = typing ? K_TYPE : K_NONE;
    b->last_pos = pos + n;
}

static size_t adjust_del(size_t p, size_t from, size_t to)
{
    if (p >= to)
        return p - (to - from);
    return p > from ? from : p;
}

void ed_delete(ed_buf *b, size_t from, size_t to)
{
    from = clampb(b, from);
    to = clampb(b, to);
    if (from > to) {
        size_t t = from;
        from = to;
        to = t;
    }
    if (from == to)
        return;
    from = char_start(b, from);
    if (char_start(b, to) != to)
        to = ed_next_char(b, to);
    int kind = K_NONE;
    if (b->depth == 0 && b->sel.anchor == b->sel.cursor && ed_next_char(b, from) == to) {
        if (to == b->sel.cursor)
            kind = K_BACK;
        else if (from == b->sel.cursor)
            kind = K_FWD;
    }
    bool word = kind != K_NONE && word_at(b, from);
    bool extend = kind != K_NONE && b->open && b->kind == kind &&
                  b->last_pos == (kind == K_BACK ? to : from) &&
                  !(is_blank(at(b, from)) && b->last_word);
    ed_step *st = step_for(b, extend);
    record(b, st, false, from, NULL, to - from);
    raw_delete(b, from, to);
    b->sel.anchor = adjust_del(b->sel.anchor, from, to);
    b->sel.cursor = adjust_del(b->sel.cursor, from, to);
    finish(b, st);
    b->open = kind != K_NONE;
    b->kind = kind;
    b->last_pos = from;
    b->last_word = word;
}

void ed_replace(ed_buf *b, size_t from, size_t to, const char *s, size_t n)
{
    from = clampb(b, from);
    to = clampb(b, to);
    if (from > to) {
        size_t t = from;
        from = to;
        to = t;
    }
    from = char_start(b, from);
    ed_group_begin(b);
    ed_delete(b, from, to);
    ed_insert(b, from, s, n);
    ed_group_end(b);
}

void ed_group_begin(ed_buf *b)
{
    if (b->depth++ == 0) {
        b->group_started = false;
        b->open = false;
    }
}

void ed_group_end(ed_buf *b)
{
    if (b->depth > 0 && --b->depth == 0) {
        b->group_started = false;
        b->open = false;
        b->kind = K_NONE;
    }
}

/* ---- selection ---- */

ed_sel ed_get_sel(const ed_buf *b)
{
    return b->sel;
}

void ed_set_sel(ed_buf *b, ed_sel s)
{
    s.anchor = char_start(b, clampb(b, s.anchor));
    s.cursor = char_start(b, clampb(b, s.cursor));
    if (s.anchor != b->sel.anchor || s.cursor != b->sel.cursor)
        b->open = false;
    b->sel = s;
}

/* ---- undo ---- */

void ed_undo_break(ed_buf *b)
{
    b->open = false;
    b->kind = K_NONE;
}

bool ed_undo(ed_buf *b)
{
    if (b->ncur == 0)
        return false;
    ed_step *st = &b->steps.v[--b->ncur];
    for (size_t i = st->edits.n; i-- > 0;) {
        ed_edit *e = &st->edits.v[i];
        if (e->ins)
            raw_delete(b, e->pos, e->pos + e->n);
        else
            raw_insert(b, e->pos, e->text, e->n);
    }
    b->sel = st->before;
    b->version = b->ncur ? b->steps.v[b->ncur - 1].id : b->base;
    b->open = false;
    b->kind = K_NONE;
    b->group_started = false;
    return true;
}

bool ed_redo(ed_buf *b)
{
    if (b->ncur == b->steps.n)
        return false;
    ed_step *st = &b->steps.v[b->ncur++];
    for (size_t i = 0; i < st->edits.n; i++) {
        ed_edit *e = &st->edits.v[i];
        if (e->ins)
            raw_insert(b, e->pos, e->text, e->n);
        else
            raw_delete(b, e->pos, e->pos + e->n);
    }
    b->sel = st->after;
    b->version = st->id;
    b->open = false;
    b->kind = K_NONE;
    b->group_started = false;
    return true;
}

uint64_t ed_version(const ed_buf *b)
{
    return b->version;
}

void ed_mark_saved(ed_buf *b)
{
    b->saved = b->version;
    ed_undo_break(b);
}

bool ed_modified(const ed_buf *b)
{
    return b->version != b->saved;
}
