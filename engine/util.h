/*
 * util.h - small general pieces used everywhere: checked allocation, a growable
 * string builder (sb_), a typed growable array (VEC), and string helpers.
 *
 * Allocation policy: x* functions abort() on out-of-memory. tarn treats OOM as
 * unrecoverable (as Redis does); every other error is returned as a value.
 */
#ifndef TARN_UTIL_H
#define TARN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new heap string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* ---- string builder: always NUL-terminated; s may be NULL while empty ---- */
typedef struct sb {
    char *s;
    size_t len, cap;
} sb;

void sb_reserve(sb *b, size_t extra);
void sb_addn(sb *b, const char *s, size_t n);
void sb_add(sb *b, const char *s);
void sb_addc(sb *b, char c);
void sb_addf(sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as an SQL identifier in double quotes ("a""b"). */
void sb_add_ident(sb *b, const char *s);
/* Appends s as an SQL string literal in single quotes. */
void sb_add_sqlstr(sb *b, const char *s);
/* Appends s as a JSON string (with quotes and escapes). */
void sb_add_jsonstr(sb *b, const char *s);
void sb_clear(sb *b);
/* Returns the string (never NULL, "" when empty); the builder keeps owning it. */
const char *sb_str(const sb *b);
/* Hands the string to the caller (never NULL) and resets the builder. */
char *sb_take(sb *b);
void sb_free(sb *b);

/* ---- typed growable array: VEC(int) v = {0}; VEC_PUSH(&v, 3); ---- */
#define VEC(T)                                                                 \
    struct {                                                                   \
        T *v;                                                                  \
        size_t n, cap;                                                         \
    }
#define VEC_GROW(a)                                                            \
    do {                                                                       \
        if ((a)->n == (a)->cap) {                                              \
            (a)->cap = (a)->cap ? (a)->cap * 2 : 8;                            \
            (a)->v = xrealloc((a)->v, (a)->cap * sizeof(*(a)->v));             \
        }                                                                      \
    } while (0)
#define VEC_PUSH(a, x)                                                         \
    do {                                                                       \
        VEC_GROW(a);                                                           \
        (a)->v[(a)->n++] = (x);                                                \
    } while (0)
#define VEC_FREE(a)                                                            \
    do {                                                                       \
        free((a)->v);                                                          \
        (a)->v = NULL;                                                         \
        (a)->n = (a)->cap = 0;                                                 \
    } while (0)

typedef VEC(char *) strvec;
typedef VEC(int) intvec;
/* Frees every string and the array. */
void strvec_free(strvec *v);
/* Index of s (ASCII case-insensitive) in v, or -1. */
int strvec_find(const strvec *v, const char *s);
/* Splits "a,b, c" at commas into trimmed, non-empty parts appended to out. */
void strvec_split(strvec *out, const char *csv);

/* ---- map from ASCII-case-insensitive strings to ints (open addressing) ---- */
typedef struct strmap {
    char **keys;  /* owned copies; NULL marks a free slot */
    int *vals;
    size_t n, cap;
} strmap;

/* Sets key to val (replacing an existing value). */
void strmap_put(strmap *m, const char *key, int val);
/* The value of key, or dflt. */
int strmap_get(const strmap *m, const char *key, int dflt);
void strmap_free(strmap *m);

/* ---- strings ---- */
bool str_ieq(const char *a, const char *b);
bool str_nieq(const char *a, const char *b, size_t n);
bool str_has_suffix(const char *s, const char *suffix);
/* Lower-cases ASCII letters in place; returns s. */
char *str_lower(char *s);
/* 64-bit FNV-1a hash of n bytes, for fingerprints (not for security). */
uint64_t str_hash64(const void *p, size_t n);

/* A fast streaming 64-bit hash of file contents, eight bytes at a time (not
 * for security): init, update with each piece in order, then final. */
typedef struct hash64 {
    uint64_t h;
    uint64_t total;
    unsigned char tail[8];
    unsigned ntail;
} hash64;
void hash64_init(hash64 *s);
void hash64_update(hash64 *s, const void *p, size_t n);
uint64_t hash64_final(const hash64 *s);

/* 1-based line and byte column of offset off in text. */
void text_linecol(const char *text, size_t off, int *line, int *col);
/* The same for many offsets of one text, each found by scanning on from the
 * previous answer when it lies after it (offsets in increasing order cost
 * one pass over the text in all). Start with a zeroed text_cursor. */
typedef struct text_cursor {
    size_t off, bol;         /* where the last scan stopped, its line's start */
    int line;                /* 0 until the first call */
} text_cursor;
void text_linecol_from(text_cursor *c, const char *text, size_t off, int *line, int *col);

/* Wall clock in milliseconds since the epoch, and a monotonic clock in ms. */
int64_t time_now_ms(void);
double time_mono_ms(void);
/* ISO-8601 UTC with milliseconds ("2026-11-25T16:55:03.123Z") into buf[32]. */
void time_iso8601(int64_t ms, char buf[32]);

#endif
