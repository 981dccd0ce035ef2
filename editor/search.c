/*
 * search.c - find and replace over an ed_buf: plain text with memmem (or an
 * ASCII case-folding scan) and POSIX regex with regexec on a cached copy of
 * the text. glibc's REG_STARTEND lets a regex search start at any offset of
 * the whole copy while ^, $ and word context still see the text before it.
 */
#include "search.h"

#include <limits.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define NGROUPS 10

struct ed_search {
    unsigned flags;
    bool empty;              /* an empty pattern: matches nothing */
    char *pat;               /* plain: the pattern (lower-cased when ICASE) */
    size_t patlen;
    regex_t re;
    bool has_re;
    /* the text copy */
    char *text;
    size_t len;
    uint64_t text_version;
    /* the count */
    size_t count, count_limit;
    uint64_t count_version;
    bool counted;
};

static unsigned char fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* "\n" and "\t" in a regex become the characters; other escapes stay. */
static char *regex_unescape(const char *p)
{
    sb out = {0};
    sb_reserve(&out, strlen(p) + 1);
    for (; *p; p++) {
        if (p[0] == '\\' && p[1]) {
            if (p[1] == 'n' || p[1] == 't') {
                sb_addc(&out, p[1] == 'n' ? '\n' : '\t');
            } else {
                sb_addc(&out, p[0]);
                sb_addc(&out, p[1]);
            }
            p++;
        } else {
            sb_addc(&out, *p);
        }
    }
    return sb_take(&out);
}

/* Whether pattern holds an ASCII capital (in a regex, not one escaped). */
static bool has_capital(const char *p, bool regex)
{
    for (; *p; p++) {
        if (regex && p[0] == '\\' && p[1]) {
            p++;
            continue;
        }
        if (*p >= 'A' && *p <= 'Z')
            return true;
    }
    return false;
}

ed_search *ed_search_new(const char *pattern, unsigned flags, char **err)
{
    if (err)
        *err = NULL;
    ed_search *s = xcalloc(1, sizeof(*s));
    if (!pattern || !*pattern) {
        s->flags = flags;
        s->empty = true;
        return s;
    }
    if (flags & ED_SEARCH_SMART_CASE) {
        flags &= ~(unsigned)(ED_SEARCH_SMART_CASE | ED_SEARCH_ICASE);
        if (!has_capital(pattern, flags & ED_SEARCH_REGEX))
            flags |= ED_SEARCH_ICASE;
    }
    s->flags = flags;
    if (flags & ED_SEARCH_REGEX) {
        char *p = regex_unescape(pattern);
        int cflags = REG_EXTENDED | REG_NEWLINE | ((flags & ED_SEARCH_ICASE) ? REG_ICASE : 0);
        int rc = regcomp(&s->re, p, cflags);
        free(p);
        if (rc != 0) {
            char msg[256];
            regerror(rc, &s->re, msg, sizeof(msg));
            if (err)
                *err = xasprintf("bad regular expression: %s", msg);
            free(s);
            return NULL;
        }
        s->has_re = true;
    } else {
        s->patlen = strlen(pattern);
        s->pat = xstrndup(pattern, s->patlen);
        if (flags & ED_SEARCH_ICASE)
            for (size_t i = 0; i < s->patlen; i++)
                s->pat[i] = (char)fold((unsigned char)s->pat[i]);
    }
    return s;
}

void ed_search_free(ed_search *s)
{
    if (!s)
        return;
    if (s->has_re)
        regfree(&s->re);
    free(s->pat);
    free(s->text);
    free(s);
}

/* The copy of b's text, refreshed when b's version changed. */
static void refresh(ed_search *s, const ed_buf *b)
{
    if (s->text && s->text_version == ed_version(b))
        return;
    free(s->text);
    s->len = ed_len(b);
    s->text = ed_text(b, 0, s->len);
    s->text_version = ed_version(b);
}

static bool boundary(const ed_buf *b, size_t p)
{
    if (p == 0 || p >= ed_len(b))
        return true;
    return ed_next_char(b, ed_prev_char(b, p)) == p;
}

/* Plain: the first occurrence at or after from, or SIZE_MAX. */
static size_t plain_find(const ed_search *s, size_t from)
{
    const char *t = s->text;
    size_t len = s->len, n = s->patlen;
    if (from > len || n > len - from)
        return SIZE_MAX;
    if (!(s->flags & ED_SEARCH_ICASE)) {
        const char *p = memmem(t + from, len - from, s->pat, n);
        return p ? (size_t)(p - t) : SIZE_MAX;
    }
    unsigned char c0 = (unsigned char)s->pat[0];
    for (size_t p = from; p + n <= len; p++) {
        if (fold((unsigned char)t[p]) != c0)
            continue;
        size_t i = 1;
        while (i < n && fold((unsigned char)t[p + i]) == (unsigned char)s->pat[i])
            i++;
        if (i == n)
            return p;
    }
    return SIZE_MAX;
}

static bool plain_at(const ed_search *s, size_t p)
{
    const unsigned char *t = (const unsigned char *)s->text + p;
    if (!(s->flags & ED_SEARCH_ICASE))
        return memcmp(t, s->pat, s->patlen) == 0;
    for (size_t i = 0; i < s->patlen; i++)
        if (fold(t[i]) != (unsigned char)s->pat[i])
            return false;
    return true;
}

/* One regexec for the leftmost match at or after from in the copy; the
 * offsets in pm are absolute. */
static bool regex_find(const ed_search *s, size_t from, regmatch_t *pm)
{
    size_t len = s->len;
    if (len > (size_t)INT_MAX)
        len = (size_t)INT_MAX;
    if (from > len)
        return false;
#ifdef REG_STARTEND
    pm[0].rm_so = (regoff_t)from;
    pm[0].rm_eo = (regoff_t)len;
    return regexec(&s->re, s->text, NGROUPS, pm, REG_STARTEND) == 0;
#else
    /* Without REG_STARTEND: search the rest of the copy (up to a NUL byte),
     * telling regexec when it does not start at a line's beginning. */
    int ef = from > 0 && s->text[from - 1] != '\n' ? REG_NOTBOL : 0;
    if (regexec(&s->re, s->text + from, NGROUPS, pm, ef) != 0)
        return false;
    for (int i = 0; i < NGROUPS; i++)
        if (pm[i].rm_so >= 0) {
            pm[i].rm_so += (regoff_t)from;
            pm[i].rm_eo += (regoff_t)from;
        }
    return true;
#endif
}

/* The first match starting at or after from whose ends are on character
 * boundaries; pm (may be NULL) gets a regex's groups. */
static bool find_from(ed_search *s, const ed_buf *b, size_t from, ed_match *m, regmatch_t *pm)
{
    regmatch_t local[NGROUPS];
    if (!pm)
        pm = local;
    if (s->empty)
        return false;
    while (from <= s->len) {
        size_t st, en;
        if (s->has_re) {
            if (!regex_find(s, from, pm))
                return false;
            st = (size_t)pm[0].rm_so;
            en = (size_t)pm[0].rm_eo;
        } else {
            st = plain_find(s, from);
            if (st == SIZE_MAX)
                return false;
            en = st + s->patlen;
        }
        if (boundary(b, st) && boundary(b, en)) {
            m->from = st;
            m->to = en;
            return true;
        }
        if (st >= s->len)
            return false;
        from = ed_next_char(b, st);
    }
    return false;
}

size_t ed_search_after(const ed_buf *b, ed_match m)
{
    if (m.to > m.from)
        return m.to;
    return m.to >= ed_len(b) ? ed_len(b) + 1 : ed_next_char(b, m.to);
}

/* Matches one after another: the next one from *p (then moved past it),
 * skipping an empty match right where a non-empty one ended (as sed does:
 * "x*" in "axb" matches at 0, [1,2) and 3). *last_end starts at SIZE_MAX. */
static bool iter_next(ed_search *s, const ed_buf *b, size_t *p, size_t *last_end, ed_match *m,
                      regmatch_t *pm)
{
    while (*p <= s->len && find_from(s, b, *p, m, pm)) {
        *p = ed_search_after(b, *m);
        if (m->from == m->to && m->from == *last_end)
            continue;
        *last_end = m->to > m->from ? m->to : SIZE_MAX;
        return true;
    }
    return false;
}

bool ed_find_next(const ed_buf *b, ed_search *s, size_t from, bool wrap, ed_match *m,
                  bool *wrapped)
{
    if (wrapped)
        *wrapped = false;
    refresh(s, b);
    if (find_from(s, b, from, m, NULL))
        return true;
    if (wrap && from > 0 && find_from(s, b, 0, m, NULL)) {
        if (wrapped)
            *wrapped = true;
        return true;
    }
    return false;
}

/* The last match starting before limit (limit may be len + 1). */
static bool last_before(ed_search *s, const ed_buf *b, size_t limit, ed_match *m)
{
    if (s->empty || limit == 0)
        return false;
    if (!s->has_re) {
        if (s->patlen > s->len)
            return false;
        size_t p = limit - 1;
        if (p > s->len - s->patlen)
            p = s->len - s->patlen;
        for (;; p--) {
            if (plain_at(s, p) && boundary(b, p) && boundary(b, p + s->patlen)) {
                m->from = p;
                m->to = p + s->patlen;
                return true;
            }
            if (p == 0)
                return false;
        }
    }
    /* A regex cannot run backwards: take the matches one after another in a
     * window before limit, widening it while it holds none. */
    size_t win = 4096;
    for (;;) {
        size_t lo = limit > win ? limit - win : 0, p = lo, le = SIZE_MAX;
        bool found = false;
        ed_match mm;
        while (iter_next(s, b, &p, &le, &mm, NULL) && mm.from < limit) {
            *m = mm;
            found = true;
        }
        if (found)
            return true;
        if (lo == 0)
            return false;
        win *= 4;
    }
}

bool ed_find_prev(const ed_buf *b, ed_search *s, size_t from, bool wrap, ed_match *m,
                  bool *wrapped)
{
    if (wrapped)
        *wrapped = false;
    refresh(s, b);
    if (from > s->len)
        from = s->len;
    if (last_before(s, b, from, m))
        return true;
    if (wrap && last_before(s, b, s->len + 1, m)) {
        if (wrapped)
            *wrapped = true;
        return true;
    }
    return false;
}

bool ed_find(const ed_buf *b, ed_search *s, size_t from, bool backward, bool wrap,
             ed_match *m, bool *wrapped)
{
    return backward ? ed_find_prev(b, s, from, wrap, m, wrapped)
                    : ed_find_next(b, s, from, wrap, m, wrapped);
}

size_t ed_search_count(const ed_buf *b, ed_search *s, size_t limit)
{
    refresh(s, b);
    if (s->counted && s->count_version == ed_version(b) && s->count_limit == limit)
        return s->count;
    size_t n = 0, p = 0, le = SIZE_MAX;
    ed_match m;
    while ((limit == 0 || n < limit) && iter_next(s, b, &p, &le, &m, NULL))
        n++;
    s->count = n;
    s->count_limit = limit;
    s->count_version = ed_version(b);
    s->counted = true;
    return n;
}

size_t ed_search_all(const ed_buf *b, ed_search *s, size_t from, size_t to, ed_match **out)
{
    refresh(s, b);
    VEC(ed_match) v = {0};
    size_t p = from, le = SIZE_MAX;
    ed_match m;
    while (iter_next(s, b, &p, &le, &m, NULL) && m.from < to)
        VEC_PUSH(&v, m);
    *out = v.v;
    return v.n;
}

/* Appends the replacement for the match in pm (regex) or literal repl. */
static void expand(const ed_search *s, const regmatch_t *pm, const char *repl, sb *out)
{
    if (!s->has_re) {
        sb_add(out, repl);
        return;
    }
    for (const char *p = repl; *p; p++) {
        if (p[0] != '\\' || !p[1]) {
            sb_addc(out, *p);
            continue;
        }
        char c = *++p;
        if (c >= '0' && c <= '9') {
            const regmatch_t *g = &pm[c - '0'];
            if (g->rm_so >= 0 && g->rm_eo >= g->rm_so)
                sb_addn(out, s->text + g->rm_so, (size_t)(g->rm_eo - g->rm_so));
        } else if (c == 'n') {
            sb_addc(out, '\n');
        } else if (c == 't') {
            sb_addc(out, '\t');
        } else {
            sb_addc(out, c);   /* \\ and any other escaped character */
        }
    }
}

bool ed_search_replace(ed_buf *b, ed_search *s, ed_match m, const char *repl, size_t *end)
{
    refresh(s, b);
    regmatch_t pm[NGROUPS];
    ed_match mm;
    if (!find_from(s, b, m.from, &mm, pm) || mm.from != m.from || mm.to != m.to)
        return false;
    sb r = {0};
    expand(s, pm, repl ? repl : "", &r);
    ed_replace(b, m.from, m.to, sb_str(&r), r.len);
    if (end)
        *end = m.from + r.len;
    sb_free(&r);
    return true;
}

size_t ed_search_replace_all(ed_buf *b, ed_search *s, const char *repl)
{
    refresh(s, b);
    typedef struct { size_t from, to, roff, rlen; } rep;
    VEC(rep) v = {0};
    sb r = {0};
    regmatch_t pm[NGROUPS];
    ed_match m;
    size_t p = 0, le = SIZE_MAX;
    while (iter_next(s, b, &p, &le, &m, pm)) {
        rep x = {m.from, m.to, r.len, 0};
        expand(s, pm, repl ? repl : "", &r);
        x.rlen = r.len - x.roff;
        VEC_PUSH(&v, x);
    }
    if (v.n) {
        /* last to first, so the offsets before each one stay valid */
        ed_group_begin(b);
        for (size_t i = v.n; i-- > 0;)
            ed_replace(b, v.v[i].from, v.v[i].to, sb_str(&r) + v.v[i].roff, v.v[i].rlen);
        ed_group_end(b);
    }
    size_t n = v.n;
    VEC_FREE(&v);
    sb_free(&r);
    return n;
}
