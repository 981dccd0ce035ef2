/*
 * util.c - checked allocation, string builder, string vectors and small string
 * and time helpers shared by every module (see util.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static void oom(void)
{
    fputs("tarn: out of memory\n", stderr);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) oom();
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

char *xvasprintf(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) n = 0;
    char *s = xmalloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = xvasprintf(fmt, ap);
    va_end(ap);
    return s;
}

/* ---- string builder ---- */

void sb_reserve(sb *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) cap *= 2;
    b->s = xrealloc(b->s, cap);
    b->cap = cap;
}

void sb_addn(sb *b, const char *s, size_t n)
{
    sb_reserve(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

void sb_add(sb *b, const char *s)
{
    sb_addn(b, s, strlen(s));
}

void sb_addc(sb *b, char c)
{
    sb_reserve(b, 1);
    b->s[b->len++] = c;
    b->s[b->len] = 0;
}

void sb_addf(sb *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n > 0) {
        sb_reserve(b, (size_t)n);
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
        b->len += (size_t)n;
    }
    va_end(ap);
}

static void add_quoted(sb *b, const char *s, char q)
{
    sb_addc(b, q);
    for (; *s; s++) {
        if (*s == q) sb_addc(b, q);
        sb_addc(b, *s);
    }
    sb_addc(b, q);
}

void sb_add_ident(sb *b, const char *s)
{
    add_quoted(b, s, '"');
}

void sb_add_sqlstr(sb *b, const char *s)
{
    add_quoted(b, s, '\'');
}

void sb_add_jsonstr(sb *b, const char *s)
{
    sb_addc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': sb_add(b, "\\\""); break;
        case '\\': sb_add(b, "\\\\"); break;
        case '\n': sb_add(b, "\\n"); break;
        case '\r': sb_add(b, "\\r"); break;
        case '\t': sb_add(b, "\\t"); break;
        default:
            if (*p < 0x20) sb_addf(b, "\\u%04x", *p);
            else sb_addc(b, (char)*p);
        }
    }
    sb_addc(b, '"');
}

void sb_clear(sb *b)
{
    b->len = 0;
    if (b->s) b->s[0] = 0;
}

const char *sb_str(const sb *b)
{
    return b->s ? b->s : "";
}

char *sb_take(sb *b)
{
    char *s = b->s ? b->s : xstrdup("");
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void sb_free(sb *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

/* ---- string vectors ---- */

void strvec_free(strvec *v)
{
    for (size_t i = 0; i < v->n; i++) free(v->v[i]);
    VEC_FREE(v);
}

int strvec_find(const strvec *v, const char *s)
{
    for (size_t i = 0; i < v->n; i++)
        if (str_ieq(v->v[i], s)) return (int)i;
    return -1;
}

void strvec_split(strvec *out, const char *csv)
{
    const char *p = csv;
    while (*p) {
        const char *e = strchr(p, ',');
        if (!e) e = p + strlen(p);
        const char *a = p, *z = e;
        while (a < z && isspace((unsigned char)*a)) a++;
        while (z > a && isspace((unsigned char)z[-1])) z--;
        if (z > a) VEC_PUSH(out, xstrndup(a, (size_t)(z - a)));
        p = *e ? e + 1 : e;
    }
}

/* ---- string map ---- */

static uint64_t hash_nocase(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)tolower((unsigned char)*s);
        h *= 1099511628211ULL;
    }
    return h;
}

static size_t map_slot(const strmap *m, const char *key)
{
    size_t i = hash_nocase(key) & (m->cap - 1);
    while (m->keys[i] && !str_ieq(m->keys[i], key)) i = (i + 1) & (m->cap - 1);
    return i;
}

static void map_grow(strmap *m)
{
    strmap bigger = {xcalloc(m->cap ? m->cap * 2 : 16, sizeof(char *)), NULL, 0,
                     m->cap ? m->cap * 2 : 16};
    bigger.vals = xcalloc(bigger.cap, sizeof(int));
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = map_slot(&bigger, m->keys[i]);
        bigger.keys[j] = m->keys[i];
        bigger.vals[j] = m->vals[i];
        bigger.n++;
    }
    free(m->keys);
    free(m->vals);
    *m = bigger;
}

void strmap_put(strmap *m, const char *key, int val)
{
    if ((m->n + 1) * 2 > m->cap) map_grow(m);
    size_t i = map_slot(m, key);
    if (!m->keys[i]) {
        m->keys[i] = xstrdup(key);
        m->n++;
    }
    m->vals[i] = val;
}

int strmap_get(const strmap *m, const char *key, int dflt)
{
    if (!m->cap) return dflt;
    size_t i = map_slot(m, key);
    return m->keys[i] ? m->vals[i] : dflt;
}

void strmap_free(strmap *m)
{
    for (size_t i = 0; i < m->cap; i++) free(m->keys[i]);
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof(*m));
}

/* ---- strings ---- */

bool str_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return false;
    return *a == *b;
}

bool str_nieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i])) return false;
        if (!a[i]) return true;
    }
    return true;
}

bool str_has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

char *str_lower(char *s)
{
    for (char *p = s; *p; p++) *p = (char)tolower((unsigned char)*p);
    return s;
}

uint64_t str_hash64(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* ---- streaming hash ---- */

static uint64_t mix64(uint64_t h, uint64_t w)
{
    h ^= w * 0x9E3779B97F4A7C15ULL;
    h = (h << 31) | (h >> 33);
    return h * 0xBF58476D1CE4E5B9ULL;
}

void hash64_init(hash64 *s)
{
    memset(s, 0, sizeof(*s));
    s->h = 0x243F6A8885A308D3ULL;
}

void hash64_update(hash64 *s, const void *p, size_t n)
{
    const unsigned char *b = p;
    s->total += n;
    if (s->ntail) { /* complete the word left from the last piece */
        size_t take = 8 - s->ntail < n ? 8 - s->ntail : n;
        memcpy(s->tail + s->ntail, b, take);
        s->ntail += (unsigned)take;
        b += take;
        n -= take;
        if (s->ntail < 8) return;
        uint64_t w;
        memcpy(&w, s->tail, 8);
        s->h = mix64(s->h, w);
        s->ntail = 0;
    }
    for (; n >= 8; b += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        s->h = mix64(s->h, w);
    }
    memcpy(s->tail, b, n);
    s->ntail = (unsigned)n;
}

uint64_t hash64_final(const hash64 *s)
{
    uint64_t w = 0;
    memcpy(&w, s->tail, s->ntail);
    uint64_t h = mix64(s->h, w ^ s->total);
    h ^= h >> 29;
    h *= 0x94D049BB133111EBULL;
    return h ^ (h >> 32);
}

void text_linecol(const char *text, size_t off, int *line, int *col)
{
    int l = 1;
    size_t bol = 0;
    for (size_t i = 0; i < off && text[i]; i++)
        if (text[i] == '\n') {
            l++;
            bol = i + 1;
        }
    *line = l;
    *col = (int)(off - bol) + 1;
}

void text_linecol_from(text_cursor *c, const char *text, size_t off, int *line, int *col)
{
    if (!c->line || off < c->off) *c = (text_cursor){0, 0, 1};
    size_t i = c->off;
    for (; i < off && text[i]; i++)
        if (text[i] == '\n') {
            c->line++;
            c->bol = i + 1;
        }
    c->off = i;
    *line = c->line;
    *col = (int)(off - c->bol) + 1;
}

/* ---- time ---- */

int64_t time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double time_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void time_iso8601(int64_t ms, char buf[32])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}
