/*
 * infer.c - value types of ingested data (see infer.h).
 */
#include "infer.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* ======================= classifying ======================= */

static bool all_digits(const char *s, size_t n)
{
    if (!n) return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i])) return false;
    return true;
}

/* [+-]digits fitting 64 bits; with codes, leading zeros ("007") are not a
 * number (inference), else they are (a value for a column typed INTEGER). */
static bool parse_int(const char *s, size_t n, bool codes, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (n && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (!all_digits(s + i, n - i)) return false;
    if (codes && n - i > 1 && s[i] == '0') return false; /* a code like 007, not a number */
    uint64_t v = 0;
    for (; i < n; i++) {
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX) return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

/* [+-]digits[.digits][e[+-]digits] or .digits; finite; with codes, no
 * leading zeros before more digits ("00.5" is text). */
static bool parse_real(const char *s, size_t n, bool codes, double *out)
{
    size_t i = 0;
    if (n && (s[0] == '+' || s[0] == '-')) i++;
    size_t int_start = i;
    while (i < n && isdigit((unsigned char)s[i])) i++;
    size_t int_len = i - int_start;
    if (codes && int_len > 1 && s[int_start] == '0') return false;
    size_t frac = 0;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && isdigit((unsigned char)s[i])) {
            i++;
            frac++;
        }
    }
    if (!int_len && !frac) return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        if (!(i < n && isdigit((unsigned char)s[i]))) return false;
        while (i < n && isdigit((unsigned char)s[i])) i++;
    }
    if (i != n) return false;
    char buf[64];
    if (n >= sizeof buf) return false;
    memcpy(buf, s, n);
    buf[n] = 0;
    errno = 0;
    double d = strtod(buf, NULL);
    if (!isfinite(d)) return false;
    *out = d;
    return true;
}

static int num2(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* YYYY-MM-DD with a real month and day. */
static bool is_date(const char *s, size_t n)
{
    if (n != 10 || s[4] != '-' || s[7] != '-') return false;
    if (!all_digits(s, 4) || !all_digits(s + 5, 2) || !all_digits(s + 8, 2)) return false;
    int y = atoi(s), m = num2(s + 5), d = num2(s + 8);
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > days[m - 1]) return false;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
    return true;
}

/* YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|+HH:MM|-HH:MM|+HHMM] */
static bool is_timestamp(const char *s, size_t n)
{
    if (n < 16 || !is_date(s, 10) || (s[10] != 'T' && s[10] != ' ')) return false;
    if (!all_digits(s + 11, 2) || s[13] != ':' || !all_digits(s + 14, 2)) return false;
    if (num2(s + 11) > 23 || num2(s + 14) > 59) return false;
    size_t i = 16;
    if (i < n && s[i] == ':') {
        if (i + 3 > n || !all_digits(s + i + 1, 2) || num2(s + i + 1) > 60) return false;
        i += 3;
        if (i < n && s[i] == '.') {
            size_t f = ++i;
            while (i < n && isdigit((unsigned char)s[i])) i++;
            if (i == f) return false;
        }
    }
    if (i == n) return true;
    if (s[i] == 'Z' && i + 1 == n) return true;
    if (s[i] == '+' || s[i] == '-') {
        const char *z = s + i + 1;
        size_t zn = n - i - 1;
        if (zn == 5 && all_digits(z, 2) && z[2] == ':' && all_digits(z + 3, 2)) return true;
        if (zn == 4 && all_digits(z, 4)) return true;
        if (zn == 2 && all_digits(z, 2)) return true;
    }
    return false;
}

static bool is_bool(const char *s, size_t n)
{
    return (n == 4 && str_nieq(s, "true", 4)) || (n == 5 && str_nieq(s, "false", 5));
}

inf_type inf_classify(const char *s, size_t n)
{
    if (!n) return INF_NULL;
    int64_t i;
    double d;
    char c = s[0];
    if (isdigit((unsigned char)c) || c == '-' || c == '+' || c == '.') {
        if (parse_int(s, n, true, &i)) return INF_INTEGER;
        if (parse_real(s, n, true, &d)) return INF_REAL;
        if (is_date(s, n)) return INF_DATE;
        if (is_timestamp(s, n)) return INF_TIMESTAMP;
        return INF_TEXT;
    }
    if (is_bool(s, n)) return INF_BOOLEAN;
    return INF_TEXT;
}

inf_type inf_widen(inf_type a, inf_type b)
{
    if (a == b || b == INF_NULL) return a;
    if (a == INF_NULL) return b;
    if ((a == INF_INTEGER && b == INF_REAL) || (a == INF_REAL && b == INF_INTEGER))
        return INF_REAL;
    if ((a == INF_DATE && b == INF_TIMESTAMP) || (a == INF_TIMESTAMP && b == INF_DATE))
        return INF_TIMESTAMP;
    return INF_TEXT;
}

const char *inf_type_name(inf_type t)
{
    static const char *const names[] = {"TEXT", "BOOLEAN", "INTEGER", "REAL", "DATE",
                                        "TIMESTAMP", "TEXT"};
    return names[t];
}

int inf_type_parse(const char *name, size_t n)
{
    char head[24] = {0};
    size_t k = 0;
    while (k < n && k < sizeof head - 1 && isalpha((unsigned char)name[k])) {
        head[k] = (char)toupper((unsigned char)name[k]);
        k++;
    }
    static const struct {
        const char *name;
        inf_type type;
    } map[] = {{"INT", INF_INTEGER}, {"INTEGER", INF_INTEGER}, {"BIGINT", INF_INTEGER},
               {"SMALLINT", INF_INTEGER}, {"TINYINT", INF_INTEGER}, {"LONG", INF_INTEGER},
               {"SHORT", INF_INTEGER}, {"BYTE", INF_INTEGER}, {"DOUBLE", INF_REAL},
               {"FLOAT", INF_REAL}, {"REAL", INF_REAL}, {"DECIMAL", INF_REAL},
               {"NUMERIC", INF_REAL}, {"BOOLEAN", INF_BOOLEAN}, {"BOOL", INF_BOOLEAN},
               {"DATE", INF_DATE}, {"TIMESTAMP", INF_TIMESTAMP}, {"DATETIME", INF_TIMESTAMP},
               {"STRING", INF_TEXT}, {"TEXT", INF_TEXT}, {"VARCHAR", INF_TEXT},
               {"CHAR", INF_TEXT}};
    for (size_t i = 0; i < ARRAY_LEN(map); i++)
        if (!strcmp(head, map[i].name)) return (int)map[i].type;
    return -1;
}

/* ======================= converting ======================= */

bool inf_convert(inf_type t, const char *s, size_t n, inf_value *v)
{
    v->kind = SQLITE_TEXT;
    switch (t) {
    case INF_INTEGER:
        v->kind = SQLITE_INTEGER;
        if (parse_int(s, n, false, &v->i)) return true;
        /* a whole number written as 3.0 still fits an integer column */
        if (parse_real(s, n, false, &v->d) && fabs(v->d) < 9e15 && v->d == (double)(int64_t)v->d) {
            v->i = (int64_t)v->d;
            return true;
        }
        return false;
    case INF_REAL:
        v->kind = SQLITE_FLOAT;
        if (parse_real(s, n, false, &v->d)) return true;
        return false;
    case INF_BOOLEAN:
        v->kind = SQLITE_INTEGER;
        if (n == 4 && str_nieq(s, "true", 4)) v->i = 1;
        else if (n == 5 && str_nieq(s, "false", 5)) v->i = 0;
        else if (n == 1 && (s[0] == '0' || s[0] == '1')) v->i = s[0] - '0';
        else return false;
        return true;
    case INF_DATE: return is_date(s, n);
    case INF_TIMESTAMP: return is_timestamp(s, n) || is_date(s, n);
    default: return true;
    }
}

/* ======================= hints ======================= */

int inf_parse_hints(const char *hints, strvec *names, intvec *types, char **err)
{
    const char *p = hints;
    while (*p) {
        while (isspace((unsigned char)*p) || *p == ',') p++;
        if (!*p) break;
        const char *name = p;
        size_t nlen;
        if (*p == '`' || *p == '"') {
            char q = *p++;
            name = p;
            while (*p && *p != q) p++;
            nlen = (size_t)(p - name);
            if (*p) p++;
        } else {
            while (*p && !isspace((unsigned char)*p) && *p != ',') p++;
            nlen = (size_t)(p - name);
        }
        while (isspace((unsigned char)*p)) p++;
        const char *type = p;
        int depth = 0;
        while (*p && (depth || *p != ',')) {
            if (*p == '(' || *p == '<') depth++;
            if (*p == ')' || *p == '>') depth--;
            p++;
        }
        size_t tlen = (size_t)(p - type);
        while (tlen && isspace((unsigned char)type[tlen - 1])) tlen--;
        int t = tlen ? inf_type_parse(type, tlen) : -1;
        if (!nlen || t < 0) {
            if (err)
                *err = xasprintf("schema hint '%.*s %.*s': expected a column name and a "
                                 "type (INT, BIGINT, DOUBLE, DECIMAL, BOOLEAN, DATE, "
                                 "TIMESTAMP, STRING)", (int)nlen, name, (int)tlen, type);
            return -1;
        }
        VEC_PUSH(names, xstrndup(name, nlen));
        VEC_PUSH(types, t);
    }
    return 0;
}

/* ======================= names ======================= */

const char *inf_column_name(const char *raw, size_t n, int index, strvec *taken)
{
    while (n && isspace((unsigned char)*raw)) {
        raw++;
        n--;
    }
    while (n && isspace((unsigned char)raw[n - 1])) n--;
    sb b = {0};
    if (!n) sb_addf(&b, "_c%d", index);
    if (n && isdigit((unsigned char)raw[0])) sb_addc(&b, '_');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)raw[i];
        sb_addc(&b, isalnum(c) || c == '_' || c >= 0x80 ? (char)c : '_');
    }
    char *base = sb_take(&b);
    char *name = xstrdup(base);
    for (int k = 2; strvec_find(taken, name) >= 0; k++) {
        free(name);
        name = xasprintf("%s_%d", base, k);
    }
    free(base);
    VEC_PUSH(taken, name);
    return name;
}

bool inf_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    while (p < e) {
        if (*p < 0x80) {
            p++;
            continue;
        }
        int len = (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
        if (!len || p + len > e) return false;
        if (len == 2 && *p < 0xC2) return false;                       /* overlong */
        for (int i = 1; i < len; i++)
            if ((p[i] & 0xC0) != 0x80) return false;
        if (len == 3 && *p == 0xE0 && p[1] < 0xA0) return false;        /* overlong */
        if (len == 3 && *p == 0xED && p[1] >= 0xA0) return false;       /* surrogates */
        if (len == 4 && (*p > 0xF4 || (*p == 0xF0 && p[1] < 0x90) ||
                         (*p == 0xF4 && p[1] >= 0x90)))
            return false;
        p += len;
    }
    return true;
}
