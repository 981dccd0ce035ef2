/*
 * test_buffer.c - unit tests for editor/buffer: many thousands of random
 * inserts, deletes, replaces, typed characters and backspaces (multi-byte and
 * wide UTF-8 text) applied to the buffer and to a plain string in parallel,
 * comparing text, lines, line starts and the selection after every edit,
 * then undoing back to the original and redoing to the end (checking the
 * text of every version on the way); the undo grouping rules; the selection
 * restored by undo; the modified flag; UTF-8 boundaries, display cells and
 * word boundaries; and a 100,000-line file edited in the middle, timed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "util.h"

/* ---- helpers ---- */

static void assert_text(const ed_buf *b, const char *want)
{
    char *t = ed_text(b, 0, ed_len(b));
    assert_string_equal(t, want);
    free(t);
}

/* Types s at the cursor one character at a time. */
static void type(ed_buf *b, const char *s)
{
    while (*s) {
        size_t n = 1;
        while ((s[n] & 0xC0) == 0x80)
            n++;
        ed_insert(b, ed_get_sel(b).cursor, s, n);
        s += n;
    }
}

static void backspace(ed_buf *b)
{
    size_t c = ed_get_sel(b).cursor;
    ed_delete(b, ed_prev_char(b, c), c);
}

static void fwd_delete(ed_buf *b)
{
    size_t c = ed_get_sel(b).cursor;
    ed_delete(b, c, ed_next_char(b, c));
}

static void set_cursor(ed_buf *b, size_t p)
{
    ed_set_sel(b, (ed_sel){p, p});
}

static int count_undos(ed_buf *b)
{
    int n = 0;
    while (ed_undo(b))
        n++;
    return n;
}

/* ---- the model: a plain string with the same rules ---- */

typedef struct model {
    char *s;
    size_t len;
    ed_sel sel;
} model;

static bool cont(const model *m, size_t p)
{
    return p < m->len && ((unsigned char)m->s[p] & 0xC0) == 0x80;
}

static size_t m_start(const model *m, size_t p)
{
    if (p > m->len)
        p = m->len;
    while (p > 0 && cont(m, p))
        p--;
    return p;
}

static size_t m_next(const model *m, size_t p)
{
    if (p >= m->len)
        return m->len;
    p++;
    while (cont(m, p))
        p++;
    return p;
}

static size_t m_prev(const model *m, size_t p)
{
    return p == 0 ? 0 : m_start(m, p - 1);
}

static void m_insert(model *m, size_t pos, const char *s, size_t n)
{
    if (n == 0)
        return;
    pos = m_start(m, pos);
    m->s = xrealloc(m->s, m->len + n + 1);
    memmove(m->s + pos + n, m->s + pos, m->len - pos + 1);
    memcpy(m->s + pos, s, n);
    m->len += n;
    if (m->sel.anchor >= pos)
        m->sel.anchor += n;
    if (m->sel.cursor >= pos)
        m->sel.cursor += n;
}

static size_t m_adj(size_t p, size_t from, size_t to)
{
    return p >= to ? p - (to - from) : p > from ? from : p;
}

static void m_delete(model *m, size_t from, size_t to)
{
    if (from > m->len)
        from = m->len;
    if (to > m->len)
        to = m->len;
    if (from > to) {
        size_t t = from;
        from = to;
        to = t;
    }
    if (from == to)
        return;
    from = m_start(m, from);
    while (cont(m, to))
        to++;
    memmove(m->s + from, m->s + to, m->len - to + 1);
    m->len -= to - from;
    m->sel.anchor = m_adj(m->sel.anchor, from, to);
    m->sel.cursor = m_adj(m->sel.cursor, from, to);
}

static void m_replace(model *m, size_t from, size_t to, const char *s, size_t n)
{
    if (from > m->len)
        from = m->len;
    if (to > m->len)
        to = m->len;
    if (from > to) {
        size_t t = from;
        from = to;
        to = t;
    }
    from = m_start(m, from);
    m_delete(m, from, to);
    m_insert(m, from, s, n);
}

static void m_set_text(model *m, const char *s, size_t n)
{
    m->s = xrealloc(m->s, n + 1);
    memcpy(m->s, s, n);
    m->s[n] = 0;
    m->len = n;
}

/* Compares everything the buffer says about its text with the string. */
static void check_against(const ed_buf *b, const char *s, size_t len, unsigned *rng)
{
    assert_int_equal(ed_len(b), len);
    char *t = ed_text(b, 0, len);
    assert_memory_equal(t, s, len);
    free(t);
    size_t line = 0, start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '\n') {
            assert_int_equal(ed_line_start(b, line), start);
            assert_int_equal(ed_line_end(b, line), i);
            assert_int_equal(ed_line_of(b, start), line);
            assert_int_equal(ed_line_of(b, i), line);
            line++;
            start = i + 1;
        }
    }
    assert_int_equal(ed_lines(b), line);
    assert_int_equal(ed_line_start(b, line), len);
    for (int k = 0; k < 8 && len; k++) {
        size_t p = (size_t)rand_r(rng) % len;
        assert_int_equal((unsigned char)ed_byte(b, p), (unsigned char)s[p]);
    }
    assert_int_equal(ed_byte(b, len), 0);
}

static void check_model(const ed_buf *b, const model *m, unsigned *rng)
{
    check_against(b, m->s, m->len, rng);
    ed_sel s = ed_get_sel(b);
    assert_int_equal(s.anchor, m->sel.anchor);
    assert_int_equal(s.cursor, m->sel.cursor);
}

/* ---- random edits against the model ---- */

static const char *const pieces[] = {
    "a", "b", "z", "_", "0", " ", "\t", "\n", "é", "ß", "中", "文", "😀", "👍🏽",
    "e\xcc\x81", "hello", "x\ny\n", "日本語\n", "  ", "\n\n", "ab cd",
};
static const char *const singles[] = {"a", "b", "q", "_", "7", " ", "\n", "\t", "é", "中", "😀"};

static char *random_text(unsigned *rng, size_t *n)
{
    sb out = {0};
    int k = 1 + rand_r(rng) % 4;
    for (int i = 0; i < k; i++)
        sb_add(&out, pieces[(size_t)rand_r(rng) % ARRAY_LEN(pieces)]);
    *n = out.len;
    return sb_take(&out);
}

typedef struct snap {
    uint64_t version;
    char *text;
    size_t len;
} snap;
typedef VEC(snap) snapvec;

static void remember(snapvec *h, const ed_buf *b)
{
    snap s = {ed_version(b), NULL, ed_len(b)};
    s.text = ed_text(b, 0, s.len);
    VEC_PUSH(h, s);
}

static const snap *lookup(const snapvec *h, uint64_t version)
{
    for (size_t i = h->n; i-- > 0;)
        if (h->v[i].version == version)
            return &h->v[i];
    return NULL;
}

static void check_version(const snapvec *h, const ed_buf *b, unsigned *rng)
{
    const snap *s = lookup(h, ed_version(b));
    assert_non_null(s);
    check_against(b, s->text, s->len, rng);
    ed_sel sel = ed_get_sel(b);
    assert_true(sel.anchor <= s->len && sel.cursor <= s->len);
}

static void random_run(unsigned seed, int nedits)
{
    unsigned rng = seed;
    const char *init = "SELECT 中文 FROM t;\n-- é 😀\n\tx = 1\n";
    ed_buf *b = ed_from(init, strlen(init));
    model m = {0};
    m_set_text(&m, init, strlen(init));
    snapvec hist = {0};
    remember(&hist, b);
    int undos_mid = 0;
    for (int i = 0; i < nedits; i++) {
        uint64_t v0 = ed_version(b);
        char *before = xstrndup(m.s, m.len);
        size_t before_len = m.len;
        int op = rand_r(&rng) % 100;
        bool big = m.len > 3000;
        if (m.len < 600 && op >= 25 && op < 82 && rand_r(&rng) % 2)
            op = 50;                      /* grow a small text: insert */
        size_t len = m.len;
        if (op < 25) {                    /* type a character at the cursor */
            if (rand_r(&rng) % 4 == 0) {
                ed_set_sel(b, (ed_sel){m.sel.cursor, m.sel.cursor});
                m.sel.anchor = m.sel.cursor;
            }
            const char *c = singles[(size_t)rand_r(&rng) % ARRAY_LEN(singles)];
            ed_insert(b, m.sel.cursor, c, strlen(c));
            m_insert(&m, m.sel.cursor, c, strlen(c));
        } else if (op < 40 || (big && op < 60)) {   /* backspace */
            size_t c = m.sel.cursor, p = m_prev(&m, c);
            ed_delete(b, p, c);
            m_delete(&m, p, c);
        } else if (op < 45) {             /* forward delete */
            size_t c = m.sel.cursor, n = m_next(&m, c);
            ed_delete(b, c, n);
            m_delete(&m, c, n);
        } else if (op < 65) {             /* insert anywhere (maybe mid-character) */
            size_t n, pos = len ? (size_t)rand_r(&rng) % (len + 1) : 0;
            char *s = random_text(&rng, &n);
            if (big)
                n = 1;
            ed_insert(b, pos, s, n);
            m_insert(&m, pos, s, n);
            free(s);
        } else if (op < 82) {             /* delete a range */
            size_t from = len ? (size_t)rand_r(&rng) % (len + 1) : 0;
            size_t to = from + (size_t)rand_r(&rng) % (big ? 200 : 30);
            if (rand_r(&rng) % 5 == 0) {
                size_t t = from;
                from = to;
                to = t;
            }
            ed_delete(b, from, to);
            m_delete(&m, from, to);
        } else if (op < 92) {             /* replace a range */
            size_t n, from = len ? (size_t)rand_r(&rng) % (len + 1) : 0;
            size_t to = from + (size_t)rand_r(&rng) % 12;
            char *s = random_text(&rng, &n);
            if (rand_r(&rng) % 6 == 0)
                n = 0;
            ed_replace(b, from, to, s, n);
            m_replace(&m, from, to, s, n);
            free(s);
        } else if (op < 96) {             /* move the cursor / select */
            ed_sel s = {len ? (size_t)rand_r(&rng) % (len + 1) : 0,
                        len ? (size_t)rand_r(&rng) % (len + 1) : 0};
            if (rand_r(&rng) % 2)
                s.anchor = s.cursor;
            ed_set_sel(b, s);
            m.sel.anchor = m_start(&m, s.anchor);
            m.sel.cursor = m_start(&m, s.cursor);
        } else if (op < 98) {
            ed_undo_break(b);
        } else {                          /* undo a little (and maybe redo) */
            int k = 1 + rand_r(&rng) % 3;
            for (int j = 0; j < k && ed_undo(b); j++) {
                undos_mid++;
                check_version(&hist, b, &rng);
            }
            if (rand_r(&rng) % 2 && ed_redo(b))
                check_version(&hist, b, &rng);
            char *t = ed_text(b, 0, ed_len(b));
            m_set_text(&m, t, ed_len(b));
            free(t);
            m.sel = ed_get_sel(b);
        }
        check_model(b, &m, &rng);
        /* a text that changed has a new version */
        if (m.len != before_len || memcmp(m.s, before, m.len) != 0)
            assert_true(ed_version(b) != v0);
        else if (op >= 92)
            assert_true(ed_version(b) == v0 || op >= 98);
        free(before);
        if (ed_version(b) != v0)
            remember(&hist, b);
    }
    /* undo all the way back, every state a known version with its text */
    char *final = ed_text(b, 0, ed_len(b));
    size_t final_len = ed_len(b);
    uint64_t final_version = ed_version(b);
    int undos = 0;
    while (ed_undo(b)) {
        undos++;
        check_version(&hist, b, &rng);
    }
    assert_true(undos > 0 && undos <= nedits);
    check_against(b, init, strlen(init), &rng);
    assert_int_equal(ed_version(b), hist.v[0].version);
    assert_false(ed_modified(b));
    /* and forward to the end */
    int redos = 0;
    while (ed_redo(b)) {
        redos++;
        check_version(&hist, b, &rng);
    }
    assert_int_equal(redos, undos);
    check_against(b, final, final_len, &rng);
    assert_int_equal(ed_version(b), final_version);
    print_message("seed %u: %d edits, %d undo steps back to the original (%d undone midway), "
                  "final %zu bytes, %zu lines\n",
                  seed, nedits, undos, undos_mid, final_len, ed_lines(b));
    free(final);
    for (size_t i = 0; i < hist.n; i++)
        free(hist.v[i].text);
    VEC_FREE(&hist);
    free(m.s);
    ed_free(b);
}

static void test_random_edits(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 6; seed++)
        random_run(seed * 7919u, 4000);
}

/* ---- basics ---- */

static void test_empty_and_lines(void **state)
{
    (void)state;
    ed_buf *b = ed_new();
    assert_int_equal(ed_len(b), 0);
    assert_int_equal(ed_lines(b), 1);
    assert_int_equal(ed_line_start(b, 0), 0);
    assert_int_equal(ed_line_end(b, 0), 0);
    assert_int_equal(ed_line_of(b, 0), 0);
    assert_int_equal(ed_byte(b, 0), 0);
    assert_text(b, "");
    assert_false(ed_undo(b));
    assert_false(ed_redo(b));
    assert_false(ed_modified(b));
    ed_free(b);

    b = ed_from("ab\ncd\n", 6);
    assert_int_equal(ed_lines(b), 3);
    assert_int_equal(ed_line_start(b, 1), 3);
    assert_int_equal(ed_line_end(b, 1), 5);
    assert_int_equal(ed_line_start(b, 2), 6);
    assert_int_equal(ed_line_end(b, 2), 6);
    assert_int_equal(ed_line_start(b, 9), 6);
    assert_int_equal(ed_line_of(b, 2), 0);
    assert_int_equal(ed_line_of(b, 3), 1);
    assert_int_equal(ed_line_of(b, 6), 2);
    assert_int_equal(ed_line_of(b, 99), 2);
    char out[4] = {0};
    ed_copy(b, 1, 4, out);
    assert_string_equal(out, "b\nc");
    char *t = ed_text(b, 4, 100);
    assert_string_equal(t, "d\n");
    free(t);
    ed_insert(b, 3, "x\ny\n", 4);
    assert_text(b, "ab\nx\ny\ncd\n");
    assert_int_equal(ed_lines(b), 5);
    assert_int_equal(ed_line_start(b, 3), 7);
    ed_delete(b, 1, 8);
    assert_text(b, "ad\n");
    assert_int_equal(ed_lines(b), 2);
    ed_free(b);
}

/* ---- undo grouping ---- */

static void test_group_typing(void **state)
{
    (void)state;
    ed_buf *b = ed_new();
    type(b, "hello world");
    assert_text(b, "hello world");
    assert_int_equal(ed_get_sel(b).cursor, 11);
    assert_true(ed_undo(b));
    assert_text(b, "hello");
    assert_int_equal(ed_get_sel(b).cursor, 5);
    assert_true(ed_undo(b));
    assert_text(b, "");
    assert_int_equal(ed_get_sel(b).cursor, 0);
    assert_false(ed_undo(b));
    assert_true(ed_redo(b));
    assert_text(b, "hello");
    assert_true(ed_redo(b));
    assert_text(b, "hello world");
    assert_int_equal(ed_get_sel(b).cursor, 11);
    assert_false(ed_redo(b));
    ed_free(b);

    /* a newline after a word ends the group too; multi-byte characters group */
    b = ed_new();
    type(b, "été\n中文 x");
    assert_int_equal(count_undos(b), 3);   /* "été", "\n中文", " x" */
    ed_free(b);
}

static void test_group_deletes(void **state)
{
    (void)state;
    ed_buf *b = ed_from("hello world", 11);
    set_cursor(b, 11);
    for (int i = 0; i < 11; i++)
        backspace(b);
    assert_text(b, "");
    assert_true(ed_undo(b));
    assert_text(b, "hello ");
    assert_int_equal(ed_get_sel(b).cursor, 6);
    assert_true(ed_undo(b));
    assert_text(b, "hello world");
    assert_int_equal(ed_get_sel(b).cursor, 11);
    assert_false(ed_undo(b));
    ed_free(b);

    b = ed_from("hello world", 11);
    set_cursor(b, 0);
    for (int i = 0; i < 11; i++)
        fwd_delete(b);
    assert_text(b, "");
    assert_true(ed_undo(b));
    assert_text(b, " world");
    assert_true(ed_undo(b));
    assert_text(b, "hello world");
    assert_int_equal(ed_get_sel(b).cursor, 0);
    assert_false(ed_undo(b));
    ed_free(b);

    /* backspaces then forward deletes: the kind changed */
    b = ed_from("abcdef", 6);
    set_cursor(b, 3);
    backspace(b);
    backspace(b);
    fwd_delete(b);
    assert_text(b, "aef");
    assert_true(ed_undo(b));
    assert_text(b, "adef");
    assert_true(ed_undo(b));
    assert_text(b, "abcdef");
    assert_false(ed_undo(b));
    ed_free(b);

    /* backspace over multi-byte characters, one step */
    b = ed_from("a中😀é", strlen("a中😀é"));
    set_cursor(b, ed_len(b));
    backspace(b);
    assert_text(b, "a中😀");
    backspace(b);
    backspace(b);
    assert_text(b, "a");
    assert_int_equal(count_undos(b), 1);
    assert_text(b, "a中😀é");
    ed_free(b);
}

static void test_group_paste_jump_break(void **state)
{
    (void)state;
    /* paste: a multi-character insert is a step of its own */
    ed_buf *b = ed_new();
    type(b, "ab");
    ed_insert(b, ed_get_sel(b).cursor, "XYZ", 3);
    assert_int_equal(ed_get_sel(b).cursor, 5);
    type(b, "cd");
    assert_text(b, "abXYZcd");
    assert_true(ed_undo(b));
    assert_text(b, "abXYZ");
    assert_true(ed_undo(b));
    assert_text(b, "ab");
    assert_true(ed_undo(b));
    assert_text(b, "");
    ed_free(b);

    /* a cursor jump ends the group */
    b = ed_new();
    type(b, "abc");
    set_cursor(b, 1);
    type(b, "x");
    assert_text(b, "axbc");
    assert_true(ed_undo(b));
    assert_text(b, "abc");
    assert_int_equal(ed_get_sel(b).cursor, 1);
    assert_true(ed_undo(b));
    assert_text(b, "");
    ed_free(b);

    /* setting the same selection again is no jump */
    b = ed_new();
    type(b, "ab");
    set_cursor(b, 2);
    type(b, "c");
    assert_int_equal(count_undos(b), 1);
    ed_free(b);

    /* typing then deleting: the kind changed */
    b = ed_new();
    type(b, "abc");
    backspace(b);
    assert_int_equal(count_undos(b), 2);
    ed_free(b);

    /* ed_undo_break */
    b = ed_new();
    type(b, "ab");
    ed_undo_break(b);
    type(b, "cd");
    assert_true(ed_undo(b));
    assert_text(b, "ab");
    ed_free(b);

    /* an insert away from the cursor is a step of its own */
    b = ed_new();
    type(b, "ab");
    ed_insert(b, 0, "x", 1);
    type(b, "c");
    assert_text(b, "xabc");
    assert_int_equal(count_undos(b), 3);
    ed_free(b);

    /* ed_replace is one step and ends the group */
    b = ed_new();
    type(b, "abc");
    ed_replace(b, 0, 1, "ZZ", 2);
    type(b, "d");
    assert_text(b, "ZZbcd");
    assert_true(ed_undo(b));
    assert_text(b, "ZZbc");
    assert_true(ed_undo(b));
    assert_text(b, "abc");
    ed_free(b);

    /* explicit groups (nested) */
    b = ed_from("one\ntwo\n", 8);
    ed_group_begin(b);
    ed_insert(b, 0, "-- ", 3);
    ed_group_begin(b);
    ed_insert(b, 7, "-- ", 3);
    ed_group_end(b);
    ed_group_end(b);
    assert_text(b, "-- one\n-- two\n");
    assert_int_equal(count_undos(b), 1);
    assert_text(b, "one\ntwo\n");
    ed_free(b);
}

static void test_selection_restored(void **state)
{
    (void)state;
    ed_buf *b = ed_from("hello world", 11);
    ed_set_sel(b, (ed_sel){6, 11});
    ed_replace(b, 6, 11, "there", 5);
    assert_text(b, "hello there");
    ed_sel s = ed_get_sel(b);
    assert_int_equal(s.anchor, 11);
    assert_int_equal(s.cursor, 11);
    ed_set_sel(b, (ed_sel){0, 0});
    assert_true(ed_undo(b));
    s = ed_get_sel(b);
    assert_int_equal(s.anchor, 6);
    assert_int_equal(s.cursor, 11);
    ed_set_sel(b, (ed_sel){2, 3});
    assert_true(ed_redo(b));
    s = ed_get_sel(b);
    assert_int_equal(s.anchor, 11);
    assert_int_equal(s.cursor, 11);

    /* a delete pulls the selection in; an insert before it pushes it */
    ed_set_sel(b, (ed_sel){8, 10});
    ed_delete(b, 7, 9);
    s = ed_get_sel(b);
    assert_int_equal(s.anchor, 7);
    assert_int_equal(s.cursor, 8);
    ed_insert(b, 0, ">>", 2);
    s = ed_get_sel(b);
    assert_int_equal(s.anchor, 9);
    assert_int_equal(s.cursor, 10);
    assert_true(ed_undo(b));
    s = ed_get_sel(b);
    assert_int_equal(s.anchor, 7);
    assert_int_equal(s.cursor, 8);
    assert_true(ed_undo(b));
    s = ed_get_sel(b);
    assert_int_equal(s.anchor, 8);
    assert_int_equal(s.cursor, 10);

    /* ed_set_sel clamps and moves to character boundaries */
    ed_free(b);
    b = ed_from("a中", 4);
    ed_set_sel(b, (ed_sel){2, 99});
    s = ed_get_sel(b);
    assert_int_equal(s.anchor, 1);
    assert_int_equal(s.cursor, 4);
    ed_free(b);
}

static void test_redo_dropped(void **state)
{
    (void)state;
    ed_buf *b = ed_new();
    type(b, "one two");
    assert_true(ed_undo(b));
    assert_text(b, "one");
    type(b, "X");
    assert_false(ed_redo(b));
    assert_text(b, "oneX");
    assert_int_equal(count_undos(b), 2);
    assert_text(b, "");
    ed_free(b);
}

static void test_modified(void **state)
{
    (void)state;
    ed_buf *b = ed_from("x", 1);
    uint64_t v0 = ed_version(b);
    assert_false(ed_modified(b));
    type(b, "a");
    assert_true(ed_modified(b));
    uint64_t v1 = ed_version(b);
    assert_true(v1 != v0);
    type(b, "b");                 /* same group: still a new version */
    assert_true(ed_version(b) != v1);
    ed_mark_saved(b);
    assert_false(ed_modified(b));
    type(b, "c");                 /* saving ended the group */
    assert_true(ed_modified(b));
    assert_true(ed_undo(b));
    assert_false(ed_modified(b));
    assert_text(b, "abx");
    assert_true(ed_undo(b));
    assert_true(ed_modified(b));
    assert_text(b, "x");
    assert_int_equal(ed_version(b), v0);
    assert_true(ed_redo(b));
    assert_false(ed_modified(b));
    /* an edit after undo: the saved state is gone from the history */
    assert_true(ed_undo(b));
    type(b, "q");
    assert_true(ed_modified(b));
    /* no-op edits change nothing */
    uint64_t v = ed_version(b);
    ed_insert(b, 0, "", 0);
    ed_delete(b, 1, 1);
    assert_int_equal(ed_version(b), v);
    /* two buffers never share a version */
    ed_buf *c = ed_from("x", 1);
    assert_true(ed_version(c) != v0);
    ed_free(c);
    ed_free(b);
}

/* ---- UTF-8 ---- */

static void test_utf8(void **state)
{
    (void)state;
    const char *s = "aé中😀b";   /* offsets: a 0, é 1, 中 3, 😀 6, b 10, end 11 */
    ed_buf *b = ed_from(s, strlen(s));
    size_t fwd[] = {0, 1, 3, 6, 10, 11};
    for (size_t i = 0; i + 1 < ARRAY_LEN(fwd); i++) {
        assert_int_equal(ed_next_char(b, fwd[i]), fwd[i + 1]);
        assert_int_equal(ed_prev_char(b, fwd[i + 1]), fwd[i]);
    }
    assert_int_equal(ed_next_char(b, 11), 11);
    assert_int_equal(ed_prev_char(b, 0), 0);
    /* from inside a character */
    assert_int_equal(ed_next_char(b, 2), 3);
    assert_int_equal(ed_next_char(b, 4), 6);
    assert_int_equal(ed_prev_char(b, 8), 6);
    assert_int_equal(ed_prev_char(b, 2), 1);
    /* an insert in the middle of a character lands on its start */
    ed_insert(b, 4, "X", 1);
    assert_text(b, "aéX中😀b");
    ed_insert(b, 9, "Y", 1);     /* inside 😀 (now at 7..11) */
    assert_text(b, "aéX中Y😀b");
    /* a delete covers whole characters: a 0, é 1, X 3, 中 4, Y 7, 😀 8, b 12 */
    ed_delete(b, 2, 5);          /* from inside é to inside 中 */
    assert_text(b, "aY😀b");
    ed_delete(b, 3, 3);          /* empty range inside 😀: nothing */
    assert_text(b, "aY😀b");
    ed_delete(b, 4, 3);          /* inside 😀, reversed: the whole of it */
    assert_text(b, "aYb");
    ed_replace(b, 0, 1, "中", 3);
    ed_replace(b, 1, 2, "é", 2); /* inside 中: all of it */
    assert_text(b, "éYb");
    ed_free(b);

    /* invalid bytes are characters of their own */
    b = ed_from("a\xff\xc3(\x80z", 6);
    assert_int_equal(ed_next_char(b, 1), 2);
    assert_int_equal(ed_next_char(b, 2), 3);
    assert_int_equal(ed_next_char(b, 4), 5);
    assert_int_equal(ed_prev_char(b, 5), 4);
    assert_int_equal(ed_col_cells(b, 6, 8), 6);
    ed_free(b);
}

static void test_cells(void **state)
{
    (void)state;
    const char *s = "a中\tb😀x\ne\xcc\x81z\n\t\tq";
    ed_buf *b = ed_from(s, strlen(s));
    /* a 0, 中 1..4, \t 4, b 5, 😀 6..10, x 10, \n 11 */
    assert_int_equal(ed_col_cells(b, 0, 4), 0);
    assert_int_equal(ed_col_cells(b, 1, 4), 1);
    assert_int_equal(ed_col_cells(b, 4, 4), 3);
    assert_int_equal(ed_col_cells(b, 5, 4), 4);
    assert_int_equal(ed_col_cells(b, 5, 8), 8);
    assert_int_equal(ed_col_cells(b, 6, 4), 5);
    assert_int_equal(ed_col_cells(b, 10, 4), 7);
    assert_int_equal(ed_col_cells(b, 11, 4), 8);
    assert_int_equal(ed_col_cells(b, 2, 4), 1);   /* inside 中: its start */
    assert_int_equal(ed_pos_at_cells(b, 0, 0, 4), 0);
    assert_int_equal(ed_pos_at_cells(b, 0, 1, 4), 1);
    assert_int_equal(ed_pos_at_cells(b, 0, 2, 4), 1);   /* middle of 中 */
    assert_int_equal(ed_pos_at_cells(b, 0, 3, 4), 4);
    assert_int_equal(ed_pos_at_cells(b, 0, 4, 4), 5);   /* right after the tab */
    assert_int_equal(ed_pos_at_cells(b, 0, 6, 4), 6);
    assert_int_equal(ed_pos_at_cells(b, 0, 7, 4), 10);
    assert_int_equal(ed_pos_at_cells(b, 0, 99, 4), 11);
    assert_int_equal(ed_pos_at_cells(b, 0, -3, 4), 0);
    /* line 1: "e" + combining acute (zero width) + "z" at 12 */
    assert_int_equal(ed_col_cells(b, 15, 4), 1);
    assert_int_equal(ed_pos_at_cells(b, 1, 1, 4), 15);  /* after the mark */
    assert_int_equal(ed_pos_at_cells(b, 1, 2, 4), 16);
    /* line 2: two tabs */
    size_t l2 = ed_line_start(b, 2);
    assert_int_equal(ed_col_cells(b, l2 + 2, 4), 8);
    assert_int_equal(ed_col_cells(b, l2 + 2, 0), 16);   /* tab <= 0: 8 */
    assert_int_equal(ed_pos_at_cells(b, 2, 5, 4), l2 + 1);
    assert_int_equal(ed_pos_at_cells(b, 2, 8, 4), l2 + 2);
    assert_int_equal(ed_pos_at_cells(b, 9, 0, 4), ed_len(b));
    ed_free(b);
}

static void test_words(void **state)
{
    (void)state;
    const char *s = "foo_1 + bär(中文x)  end";
    ed_buf *b = ed_from(s, strlen(s));
    assert_int_equal(ed_word_start(b, 2), 0);
    assert_int_equal(ed_word_end(b, 2), 5);
    assert_int_equal(ed_word_end(b, 0), 5);
    assert_int_equal(ed_word_start(b, 5), 0);   /* just after a word */
    assert_int_equal(ed_word_end(b, 5), 5);
    assert_int_equal(ed_word_start(b, 6), 6);   /* on '+' between spaces */
    assert_int_equal(ed_word_end(b, 6), 6);
    size_t bar = 8;                              /* "bär" is 4 bytes */
    assert_int_equal(ed_word_start(b, bar + 2), bar);   /* inside ä */
    assert_int_equal(ed_word_end(b, bar), bar + 4);
    size_t cjk = bar + 5;                        /* after '(' */
    assert_int_equal(ed_word_end(b, cjk), cjk + 7);
    assert_int_equal(ed_word_start(b, cjk + 4), cjk);
    assert_int_equal(ed_word_start(b, ed_len(b)), ed_len(b) - 3);
    assert_int_equal(ed_word_end(b, ed_len(b)), ed_len(b));
    ed_free(b);
}

/* ---- a large file ---- */

/* The character boundary at or before / after p, as the buffer's edits snap. */
static size_t char_floor(const ed_buf *b, size_t p)
{
    if (p >= ed_len(b))
        return ed_len(b);
    size_t q = ed_prev_char(b, p);
    return p == 0 || ed_next_char(b, q) == p ? p : q;
}

static size_t char_ceil(const ed_buf *b, size_t p)
{
    size_t f = char_floor(b, p);
    return f == p || p >= ed_len(b) ? f : ed_next_char(b, p);
}

static void check_line(const ed_buf *b, size_t i)
{
    size_t s = ed_line_start(b, i), e = ed_line_end(b, i);
    assert_true(s == 0 || ed_byte(b, s - 1) == '\n');
    assert_true(e == ed_len(b) || ed_byte(b, e) == '\n');
    assert_true(s <= e);
    assert_int_equal(ed_line_of(b, s), i);
    assert_int_equal(ed_line_of(b, e), i);
    char *t = ed_text(b, s, e);
    assert_null(strchr(t, '\n'));
    free(t);
}

static void test_large_file(void **state)
{
    (void)state;
    sb text = {0};
    for (int i = 0; i < 100000; i++)
        sb_addf(&text, "line %06d: the quick brown fox jumps over the lazy dog 中文 é\n", i);
    double t0 = time_mono_ms();
    ed_buf *b = ed_from(text.s, text.len);
    double t_open = time_mono_ms() - t0;
    assert_int_equal(ed_lines(b), 100001);
    assert_int_equal(ed_len(b), text.len);

    unsigned rng = 12345;
    size_t lines = 100001;
    double t_edit = 0, t_max = 0;
    for (int i = 0; i < 1000; i++) {
        size_t line = 50000 + (size_t)(rand_r(&rng) % 400) - 200;
        size_t pos = ed_line_start(b, line) + (size_t)(rand_r(&rng) % 70);
        int op = rand_r(&rng) % 10;
        double t;
        if (op < 4) {
            size_t c = ed_get_sel(b).cursor;
            if (rand_r(&rng) % 3)
                set_cursor(b, pos);
            else
                pos = c;
            t = time_mono_ms();
            ed_insert(b, pos, "x", 1);
            t = time_mono_ms() - t;
        } else if (op < 6) {
            t = time_mono_ms();
            ed_insert(b, pos, "new\nlines 中\n", strlen("new\nlines 中\n"));
            t = time_mono_ms() - t;
            lines += 2;
        } else if (op < 8) {
            size_t to = pos + (size_t)(rand_r(&rng) % 120);
            /* the lines it will remove (counted outside the timing) */
            size_t from = char_floor(b, pos), end = char_ceil(b, to);
            char *del = ed_text(b, from, end);
            for (char *p = del; *p; p++)
                lines -= *p == '\n';
            free(del);
            t = time_mono_ms();
            ed_delete(b, from, end);
            t = time_mono_ms() - t;
        } else {
            char *del = ed_text(b, char_floor(b, pos), char_ceil(b, pos + 5));
            for (char *p = del; *p; p++)
                lines -= *p == '\n';
            free(del);
            t = time_mono_ms();
            ed_replace(b, pos, pos + 5, "REPL", 4);
            t = time_mono_ms() - t;
        }
        t_edit += t;
        if (t > t_max)
            t_max = t;
        assert_int_equal(ed_lines(b), lines);
    }
    /* random lines, all over the file */
    double tq = time_mono_ms();
    for (int i = 0; i < 1000; i++)
        check_line(b, (size_t)rand_r(&rng) % ed_lines(b));
    check_line(b, 0);
    check_line(b, ed_lines(b) - 1);
    tq = time_mono_ms() - tq;
    /* the whole index against a rescan */
    char *all = ed_text(b, 0, ed_len(b));
    size_t line = 1;
    for (size_t i = 0; i < ed_len(b); i++)
        if (all[i] == '\n')
            assert_int_equal(ed_line_start(b, line++), i + 1);
    assert_int_equal(line, ed_lines(b));
    free(all);
    /* undo everything */
    double tu = time_mono_ms();
    int undos = count_undos(b);
    tu = time_mono_ms() - tu;
    assert_int_equal(ed_len(b), text.len);
    all = ed_text(b, 0, ed_len(b));
    assert_memory_equal(all, text.s, text.len);
    free(all);
    assert_int_equal(ed_lines(b), 100001);
    assert_false(ed_modified(b));

    double avg = t_edit / 1000.0;
    print_message("100,000 lines (%zu bytes): open %.2f ms; 1,000 edits in the middle %.3f ms "
                  "(%.2f us each, max %.2f us); 1,000 line checks %.2f ms; %d undos %.2f ms\n",
                  text.len, t_open, t_edit, avg * 1000, t_max * 1000, tq, undos, tu);
    assert_true(avg < 1.0);
    ed_free(b);
    sb_free(&text);
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_lines),
        cmocka_unit_test(test_group_typing),
        cmocka_unit_test(test_group_deletes),
        cmocka_unit_test(test_group_paste_jump_break),
        cmocka_unit_test(test_selection_restored),
        cmocka_unit_test(test_redo_dropped),
        cmocka_unit_test(test_modified),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_cells),
        cmocka_unit_test(test_words),
        cmocka_unit_test(test_random_edits),
        cmocka_unit_test(test_large_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
