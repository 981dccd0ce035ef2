/*
 * highlight.c - syntax highlighting for the tarn SQL dialect, Lua 5.4 and
 * JSON, one line at a time, with a cache of per-line end states (see
 * highlight.h).
 *
 * States (hl_state) per language; 0 is always "plain":
 *   SQL:  1 in a block comment, 2 in a 'string' (or X'blob'), 3 in a
 *         "quoted identifier", 4 in a `quoted identifier`, 5 in a [quoted one].
 *   Lua:  kind | level << 3 with kind 1 in a long string [==[ ]==], 2 in a long
 *         comment --[==[ ]==], 3 / 4 in a '...' / "..." string continued past
 *         the end of its line by a backslash or \z (level 0).
 *   JSON: 1 in a "string" (invalid JSON, kept for robustness).
 * No state is ever STATE_UNKNOWN, which the cache uses for "not computed".
 *
 * The cache keeps for every line the state it was highlighted from (in[i])
 * and the state it ended in (out[i]). A line whose text changed gets in[i] =
 * STATE_UNKNOWN; a line whose start state now differs from in[i] is scanned
 * again; any other line's out[i] is still right. So after an edit the rescan
 * stops at the first line after the edit that starts in the state it started
 * in before, whatever the number of lines.
 */
#include "highlight.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define STATE_UNKNOWN 0xFFFFFFFFu

/* ---- small helpers ---- */

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_xdigit(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static unsigned char upper(unsigned char c)
{
    return c >= 'a' && c <= 'z' ? (unsigned char)(c - 'a' + 'A') : c;
}

/* Compares word w[0..n) (case-insensitively when fold) with the NUL-terminated
 * uppercase (or, for Lua, exact) kw, like strcmp. */
static int word_cmp(const char *w, size_t n, const char *kw, bool fold)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char a = fold ? upper((unsigned char)w[i]) : (unsigned char)w[i];
        unsigned char b = (unsigned char)kw[i];
        if (!b) return 1;
        if (a != b) return a < b ? -1 : 1;
    }
    return kw[n] ? -1 : 0;
}

/* Binary search of w[0..n) in a sorted (strcmp order) list. */
static bool in_list(const char *w, size_t n, const char *const *list, size_t count, bool fold)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = word_cmp(w, n, list[mid], fold);
        if (!c) return true;
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return false;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The spans being written for one line: adjacent runs of one class merge;
 * spans past max are dropped (the state is still computed). */
typedef struct out {
    hl_span *v;
    int max, n;
} out;

static void emit(out *o, size_t start, size_t end, hl_class cls)
{
    if (end <= start || cls == HL_NORMAL) return;
    if (o->n > 0) {
        hl_span *l = &o->v[o->n - 1];
        if (l->cls == cls && (size_t)l->start + l->len == start) {
            l->len += (uint32_t)(end - start);
            return;
        }
    }
    if (o->n >= o->max) return;
    o->v[o->n].start = (uint32_t)start;
    o->v[o->n].len = (uint32_t)(end - start);
    o->v[o->n].cls = cls;
    o->n++;
}

/* ---- languages ---- */

hl_lang hl_lang_of(const char *path)
{
    if (!path) return HL_LANG_NONE;
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base) return HL_LANG_NONE;
    const char *ext = dot + 1;
    size_t n = strlen(ext);
    if (!word_cmp(ext, n, "SQL", true)) return HL_LANG_SQL;
    if (!word_cmp(ext, n, "LUA", true)) return HL_LANG_LUA;
    if (!word_cmp(ext, n, "JSON", true)) return HL_LANG_JSON;
    return HL_LANG_NONE;
}

/* ================================ SQL ================================ */

enum { SQL_PLAIN, SQL_BLOCK, SQL_STR, SQL_DQ, SQL_BT, SQL_BR };

/* SQLite's keywords (sqlite3_keyword_name) and the pipeline dialect's, in
 * strcmp order. */
static const char *const sql_keywords[] = {
    "ABORT", "ACTION", "ADD", "AFTER", "ALL", "ALTER", "ALWAYS", "ANALYZE", "AND", "APPLY",
    "AS", "ASC", "ATTACH", "AUTO", "AUTOINCREMENT", "BEFORE", "BEGIN", "BETWEEN", "BY",
    "CASCADE", "CASE", "CAST", "CDC", "CHANGES", "CHECK", "COLLATE", "COLUMN", "COLUMNS",
    "COMMENT", "COMMIT", "CONFLICT", "CONSTRAINT", "CREATE", "CROSS", "CURRENT",
    "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "DATABASE", "DEFAULT",
    "DEFERRABLE", "DEFERRED", "DELETE", "DESC", "DETACH", "DISTINCT", "DO", "DROP", "EACH",
    "ELSE", "END", "ESCAPE", "EXCEPT", "EXCLUDE", "EXCLUSIVE", "EXISTS", "EXPECT",
    "EXPLAIN", "FAIL", "FILTER", "FIRST", "FLOW", "FOLLOWING", "FOR", "FOREIGN", "FROM",
    "FULL", "GENERATED", "GLOB", "GROUP", "GROUPS", "HAVING", "HISTORY", "IF", "IGNORE",
    "IMMEDIATE", "IN", "INDEX", "INDEXED", "INITIALLY", "INNER", "INSERT", "INSTEAD",
    "INTERSECT", "INTO", "IS", "ISNULL", "JOIN", "KEY", "KEYS", "LAST", "LEFT", "LIKE",
    "LIMIT", "LIVE", "MATCH", "MATERIALIZED", "NATURAL", "NO", "NOT", "NOTHING", "NOTNULL",
    "NULL", "NULLS", "OF", "OFFSET", "ON", "ONCE", "OR", "ORDER", "OTHERS", "OUTER",
    "OVER", "PARTITION", "PLAN", "PRAGMA", "PRECEDING", "PRIMARY", "PRIVATE", "QUERY",
    "RAISE", "RANGE", "RECURSIVE", "REFERENCES", "REFRESH", "REGEXP", "REINDEX", "RELEASE",
    "RENAME", "REPLACE", "RESTRICT", "RETURNING", "RIGHT", "ROLLBACK", "ROW", "ROWS",
    "SAVEPOINT", "SCD", "SELECT", "SEQUENCE", "SET", "STORED", "STREAM", "STREAMING",
    "STRICT", "TABLE", "TBLPROPERTIES", "TEMP", "TEMPORARY", "THEN", "TIES", "TO", "TRACK",
    "TRANSACTION", "TRIGGER", "TRUNCATE", "TYPE", "UNBOUNDED", "UNION", "UNIQUE", "UPDATE",
    "UPDATES", "USING", "VACUUM", "VALUES", "VIEW", "VIOLATION", "VIRTUAL", "WHEN",
    "WHERE", "WINDOW", "WITH", "WITHOUT",
};

/* Keywords that are also functions: followed by '(' they are HL_FUNCTION
 * (replace(x, y, z), like(a, b), STREAM(source), if(c, a, b)...). */
static const char *const sql_keyword_functions[] = {
    "GLOB", "IF", "LIKE", "MATCH", "REGEXP", "REPLACE", "STREAM",
};

/* The common column types (SQLite's and Spark's names). */
static const char *const sql_types[] = {
    "ARRAY", "BIGINT", "BINARY", "BLOB", "BOOL", "BOOLEAN", "CHAR", "DATE", "DATETIME",
    "DECIMAL", "DOUBLE", "FLOAT", "INT", "INTEGER", "MAP", "NUMERIC", "REAL", "SMALLINT",
    "STRING", "STRUCT", "TEXT", "TIMESTAMP", "TIMESTAMP_NTZ", "TINYINT", "VARCHAR",
    "VARIANT",
};

/* Types that take arguments: still HL_TYPE when followed by '(' (DECIMAL(10, 2)).
 * Other type words followed by '(' are functions (date(...), array(...)). */
static const char *const sql_types_with_args[] = {
    "CHAR", "DECIMAL", "NUMERIC", "VARCHAR",
};

static const char *const sql_constants[] = {"FALSE", "NULL", "TRUE"};

static bool sql_word_start(unsigned char c)
{
    return is_alpha(c) || c == '_' || c >= 0x80;
}

static bool sql_word_char(unsigned char c)
{
    return is_alpha(c) || is_digit(c) || c == '_' || c == '$' || c >= 0x80;
}

/* The end of a ${name} the way the engine substitutes it (name of letters,
 * digits, '_', '.', '-'), or 0 when s[i..] is not one. s[i] is '$'. */
static size_t param_end(const char *s, size_t len, size_t i)
{
    if (i + 1 >= len || s[i + 1] != '{') return 0;
    size_t e = i + 2;
    while (e < len) {
        unsigned char c = (unsigned char)s[e];
        if (!(is_alpha(c) || is_digit(c) || c == '_' || c == '.' || c == '-')) break;
        e++;
    }
    if (e >= len || s[e] != '}' || e == i + 2) return 0;
    return e + 1;
}

/* Scans the rest of a quoted run from s[i] (just after the opening quote, or
 * the start of a line continuing one) up to the closing q (doubled, except
 * ']', it is an escaped one), emitting cls from start and ${param}s inside as
 * HL_PARAM. Returns the position after the closing quote; *closed tells
 * whether there was one (otherwise the run goes to the end of the line). */
static size_t sql_quoted(const char *s, size_t len, size_t start, size_t i, char q,
                         hl_class cls, out *o, bool *closed)
{
    size_t run = start;
    while (i < len) {
        if (s[i] == q) {
            if (q != ']' && i + 1 < len && s[i + 1] == q) {
                i += 2;
                continue;
            }
            emit(o, run, i + 1, cls);
            *closed = true;
            return i + 1;
        }
        if (s[i] == '$') {
            size_t e = param_end(s, len, i);
            if (e) {
                emit(o, run, i, cls);
                emit(o, i, e, HL_PARAM);
                run = i = e;
                continue;
            }
        }
        i++;
    }
    emit(o, run, len, cls);
    *closed = false;
    return len;
}

static hl_state sql_quote_state(char q)
{
    return q == '\'' ? SQL_STR : q == '"' ? SQL_DQ : q == '`' ? SQL_BT : SQL_BR;
}

/* The position after the "* /" closing a block comment searched from i, or 0. */
static size_t block_end(const char *s, size_t len, size_t i)
{
    for (; i + 1 < len; i++)
        if (s[i] == '*' && s[i + 1] == '/') return i + 2;
    return 0;
}

static size_t sql_number_end(const char *s, size_t len, size_t i)
{
    if (s[i] == '0' && i + 1 < len && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
        i += 2;
        while (i < len && (is_xdigit((unsigned char)s[i]) || s[i] == '_')) i++;
        return i;
    }
    while (i < len && (is_digit((unsigned char)s[i]) || s[i] == '_')) i++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && (is_digit((unsigned char)s[i]) || s[i] == '_')) i++;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < len && (s[j] == '+' || s[j] == '-')) j++;
        if (j < len && is_digit((unsigned char)s[j])) {
            i = j;
            while (i < len && (is_digit((unsigned char)s[i]) || s[i] == '_')) i++;
        }
    }
    return i;
}

static hl_class sql_word_class(const char *s, size_t len, size_t i, size_t e)
{
    const char *w = s + i;
    size_t n = e - i;
    bool call = e < len && s[e] == '(';
    if (i > 0 && s[i - 1] == '.') /* a qualified name: t.key, main.order */
        return call ? HL_FUNCTION : HL_NORMAL;
    if (in_list(w, n, sql_constants, COUNT(sql_constants), true)) return HL_CONSTANT;
    bool type = in_list(w, n, sql_types, COUNT(sql_types), true);
    if (call) {
        if (type && in_list(w, n, sql_types_with_args, COUNT(sql_types_with_args), true))
            return HL_TYPE;
        if (in_list(w, n, sql_keywords, COUNT(sql_keywords), true) &&
            !in_list(w, n, sql_keyword_functions, COUNT(sql_keyword_functions), true))
            return HL_KEYWORD;
        return HL_FUNCTION;
    }
    if (type) return HL_TYPE;
    if (in_list(w, n, sql_keywords, COUNT(sql_keywords), true)) return HL_KEYWORD;
    return HL_NORMAL;
}

static hl_state sql_line(hl_state st, const char *s, size_t len, out *o)
{
    size_t i = 0;
    bool closed;
    switch (st) {
    case SQL_BLOCK: {
        size_t e = block_end(s, len, 0);
        if (!e) {
            emit(o, 0, len, HL_COMMENT);
            return SQL_BLOCK;
        }
        emit(o, 0, e, HL_COMMENT);
        i = e;
        break;
    }
    case SQL_STR:
    case SQL_DQ:
    case SQL_BT:
    case SQL_BR: {
        char q = st == SQL_STR ? '\'' : st == SQL_DQ ? '"' : st == SQL_BT ? '`' : ']';
        i = sql_quoted(s, len, 0, 0, q, st == SQL_STR ? HL_STRING : HL_IDENT_QUOTED, o,
                       &closed);
        if (!closed) return st;
        break;
    }
    default:
        break;
    }
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        unsigned char n = i + 1 < len ? (unsigned char)s[i + 1] : 0;
        if (is_space(c)) {
            i++;
        } else if (c == '-' && n == '-') {
            emit(o, i, len, HL_COMMENT);
            return SQL_PLAIN;
        } else if (c == '/' && n == '*') {
            size_t e = block_end(s, len, i + 2);
            if (!e) {
                emit(o, i, len, HL_COMMENT);
                return SQL_BLOCK;
            }
            emit(o, i, e, HL_COMMENT);
            i = e;
        } else if (c == '\'' || c == '"' || c == '`' || c == '[') {
            char q = c == '[' ? ']' : (char)c;
            i = sql_quoted(s, len, i, i + 1, q, c == '\'' ? HL_STRING : HL_IDENT_QUOTED, o,
                           &closed);
            if (!closed) return sql_quote_state(q);
        } else if ((c == 'x' || c == 'X') && n == '\'') { /* X'0A1B' */
            i = sql_quoted(s, len, i, i + 2, '\'', HL_STRING, o, &closed);
            if (!closed) return SQL_STR;
        } else if (sql_word_start(c)) {
            size_t e = i + 1;
            while (e < len && sql_word_char((unsigned char)s[e])) e++;
            emit(o, i, e, sql_word_class(s, len, i, e));
            i = e;
        } else if (is_digit(c) || (c == '.' && is_digit(n))) {
            size_t e = sql_number_end(s, len, i);
            emit(o, i, e, HL_NUMBER);
            i = e;
        } else if (c == '$' && n == '{') {
            /* ${param}; while it is being typed ("${na") it shows as one too */
            size_t e = i + 2;
            while (e < len && s[e] != '}' && !is_space((unsigned char)s[e])) e++;
            if (e < len && s[e] == '}') e++;
            emit(o, i, e, HL_PARAM);
            i = e;
        } else if (c == '?') { /* ? and ?NNN */
            size_t e = i + 1;
            while (e < len && is_digit((unsigned char)s[e])) e++;
            emit(o, i, e, HL_PARAM);
            i = e;
        } else if ((c == ':' || c == '@' || c == '$') && sql_word_char(n) && n != '$') {
            size_t e = i + 1;
            while (e < len && sql_word_char((unsigned char)s[e])) e++;
            emit(o, i, e, HL_PARAM);
            i = e;
        } else if (c && strchr("(),;.+-*/%<>=!|&~^:@${}", (int)c)) {
            emit(o, i, i + 1, HL_OPERATOR);
            i++;
        } else {
            i++;
        }
    }
    return SQL_PLAIN;
}

/* ================================ Lua ================================ */

enum { LUA_PLAIN, LUA_LONG_STR, LUA_LONG_COMMENT, LUA_SQ, LUA_DQ };
#define LUA_LEVEL_MAX 0x00FFFFFFu

static hl_state lua_state(unsigned kind, uint32_t level)
{
    return (hl_state)(kind | level << 3);
}

/* Lua 5.4's reserved words, in strcmp order. */
static const char *const lua_keywords[] = {
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto",
    "if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true",
    "until", "while",
};

static const char *const lua_constants[] = {"false", "nil", "true"};

/* When s[i] == '[' opens a long bracket ([[, [=[, [==[...), its level and
 * length; otherwise false. */
static bool lua_long_open(const char *s, size_t len, size_t i, uint32_t *level, size_t *olen)
{
    if (i >= len || s[i] != '[') return false;
    size_t j = i + 1;
    uint32_t l = 0;
    while (j < len && s[j] == '=') {
        if (l < LUA_LEVEL_MAX) l++;
        j++;
    }
    if (j >= len || s[j] != '[') return false;
    *level = l;
    *olen = j + 1 - i;
    return true;
}

/* The position after the long bracket of level closing from i (]], ]=], ...),
 * or 0 when the line does not close it. */
static size_t lua_long_close(const char *s, size_t len, size_t i, uint32_t level)
{
    for (; i < len; i++) {
        if (s[i] != ']') continue;
        size_t j = i + 1;
        uint32_t l = 0;
        while (j < len && s[j] == '=') {
            if (l < LUA_LEVEL_MAX) l++;
            j++;
        }
        if (l == level && j < len && s[j] == ']') return j + 1;
    }
    return 0;
}

/* Scans a short string from s[i] (after its opening quote or at the start of
 * a line continuing it) to its closing q. Returns the position after it, or
 * len with *cont set when the string goes on to the next line (a backslash
 * or \z and blanks end the line); a string that just stops at the end of
 * the line is unterminated and does not go on. */
static size_t lua_short(const char *s, size_t len, size_t i, char q, bool *cont)
{
    *cont = false;
    while (i < len) {
        char c = s[i];
        if (c == q) return i + 1;
        if (c != '\\') {
            i++;
            continue;
        }
        if (i + 1 >= len) { /* "\<newline>" */
            *cont = true;
            return len;
        }
        if (s[i + 1] == 'z') { /* \z skips the blanks that follow, newlines too */
            i += 2;
            while (i < len && is_space((unsigned char)s[i])) i++;
            if (i >= len) {
                *cont = true;
                return len;
            }
            continue;
        }
        i += 2;
    }
    return len;
}

static size_t lua_number_end(const char *s, size_t len, size_t i)
{
    bool hex = s[i] == '0' && i + 1 < len && (s[i + 1] == 'x' || s[i + 1] == 'X');
    if (hex) i += 2;
    bool (*digit)(unsigned char) = hex ? is_xdigit : is_digit;
    while (i < len && digit((unsigned char)s[i])) i++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && digit((unsigned char)s[i])) i++;
    }
    if (i < len && (hex ? (s[i] == 'p' || s[i] == 'P') : (s[i] == 'e' || s[i] == 'E'))) {
        size_t j = i + 1;
        if (j < len && (s[j] == '+' || s[j] == '-')) j++;
        if (j < len && is_digit((unsigned char)s[j])) {
            i = j;
            while (i < len && is_digit((unsigned char)s[i])) i++;
        }
    }
    return i;
}

static hl_state lua_line(hl_state st, const char *s, size_t len, out *o)
{
    size_t i = 0;
    unsigned kind = st & 7;
    uint32_t level = st >> 3;
    bool cont;
    if (kind == LUA_LONG_STR || kind == LUA_LONG_COMMENT) {
        hl_class cls = kind == LUA_LONG_STR ? HL_STRING : HL_COMMENT;
        size_t e = lua_long_close(s, len, 0, level);
        if (!e) {
            emit(o, 0, len, cls);
            return st;
        }
        emit(o, 0, e, cls);
        i = e;
    } else if (kind == LUA_SQ || kind == LUA_DQ) {
        i = lua_short(s, len, 0, kind == LUA_SQ ? '\'' : '"', &cont);
        emit(o, 0, i, HL_STRING);
        if (cont) return st;
    }
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        unsigned char n = i + 1 < len ? (unsigned char)s[i + 1] : 0;
        size_t olen;
        if (is_space(c)) {
            i++;
        } else if (c == '-' && n == '-') {
            if (lua_long_open(s, len, i + 2, &level, &olen)) {
                size_t e = lua_long_close(s, len, i + 2 + olen, level);
                if (!e) {
                    emit(o, i, len, HL_COMMENT);
                    return lua_state(LUA_LONG_COMMENT, level);
                }
                emit(o, i, e, HL_COMMENT);
                i = e;
            } else {
                emit(o, i, len, HL_COMMENT);
                return LUA_PLAIN;
            }
        } else if (c == '[' && lua_long_open(s, len, i, &level, &olen)) {
            size_t e = lua_long_close(s, len, i + olen, level);
            if (!e) {
                emit(o, i, len, HL_STRING);
                return lua_state(LUA_LONG_STR, level);
            }
            emit(o, i, e, HL_STRING);
            i = e;
        } else if (c == '\'' || c == '"') {
            size_t e = lua_short(s, len, i + 1, (char)c, &cont);
            emit(o, i, e, HL_STRING);
            if (cont) return lua_state(c == '\'' ? LUA_SQ : LUA_DQ, 0);
            i = e;
        } else if (is_alpha(c) || c == '_') {
            size_t e = i + 1;
            while (e < len && (is_alpha((unsigned char)s[e]) || is_digit((unsigned char)s[e]) ||
                               s[e] == '_'))
                e++;
            hl_class cls = HL_NORMAL;
            if (in_list(s + i, e - i, lua_constants, COUNT(lua_constants), false))
                cls = HL_CONSTANT;
            else if (in_list(s + i, e - i, lua_keywords, COUNT(lua_keywords), false))
                cls = HL_KEYWORD;
            else if (e < len && s[e] == '(')
                cls = HL_FUNCTION;
            emit(o, i, e, cls);
            i = e;
        } else if (is_digit(c) || (c == '.' && is_digit(n))) {
            size_t e = lua_number_end(s, len, i);
            emit(o, i, e, HL_NUMBER);
            i = e;
        } else if (c == '.') { /* . .. ... (so that a..5 is not a number .5) */
            size_t e = i + 1;
            while (e < len && e < i + 3 && s[e] == '.') e++;
            emit(o, i, e, HL_OPERATOR);
            i = e;
        } else if (c && strchr("+-*/%^#&~|<>=(){}[];:,", (int)c)) {
            emit(o, i, i + 1, HL_OPERATOR);
            i++;
        } else {
            i++;
        }
    }
    return LUA_PLAIN;
}

/* ================================ JSON ================================ */

enum { JSON_PLAIN, JSON_STR };

/* Scans a JSON string from s[i] (after its opening quote, or at the start of
 * a line continuing one). Returns the position after its closing quote, or
 * len with *closed false. */
static size_t json_string_end(const char *s, size_t len, size_t i, bool *closed)
{
    while (i < len) {
        if (s[i] == '"') {
            *closed = true;
            return i + 1;
        }
        i += s[i] == '\\' ? 2 : 1;
    }
    *closed = false;
    return len;
}

/* A string is an object key when a ':' follows it on its line. */
static hl_class json_string_class(const char *s, size_t len, size_t e)
{
    while (e < len && is_space((unsigned char)s[e])) e++;
    return e < len && s[e] == ':' ? HL_TYPE : HL_STRING;
}

static hl_state json_line(hl_state st, const char *s, size_t len, out *o)
{
    size_t i = 0;
    bool closed;
    if (st == JSON_STR) {
        i = json_string_end(s, len, 0, &closed);
        if (!closed) {
            emit(o, 0, len, HL_STRING);
            return JSON_STR;
        }
        emit(o, 0, i, json_string_class(s, len, i));
    }
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (is_space(c)) {
            i++;
        } else if (c == '"') {
            size_t e = json_string_end(s, len, i + 1, &closed);
            if (!closed) {
                emit(o, i, len, HL_STRING);
                return JSON_STR;
            }
            emit(o, i, e, json_string_class(s, len, e));
            i = e;
        } else if (c == '-' || is_digit(c)) {
            size_t e = i + 1;
            while (e < len && is_digit((unsigned char)s[e])) e++;
            if (e < len && s[e] == '.') {
                e++;
                while (e < len && is_digit((unsigned char)s[e])) e++;
            }
            if (e < len && (s[e] == 'e' || s[e] == 'E')) {
                size_t j = e + 1;
                if (j < len && (s[j] == '+' || s[j] == '-')) j++;
                if (j < len && is_digit((unsigned char)s[j])) {
                    e = j;
                    while (e < len && is_digit((unsigned char)s[e])) e++;
                }
            }
            emit(o, i, e, c == '-' && e == i + 1 ? HL_ERROR : HL_NUMBER);
            i = e;
        } else if (strchr("{}[]:,", (int)c) && c) {
            emit(o, i, i + 1, HL_OPERATOR);
            i++;
        } else if (is_alpha(c) || c == '_' || c >= 0x80) {
            /* true, false, null; any other bare word is not JSON */
            size_t e = i + 1;
            while (e < len && (is_alpha((unsigned char)s[e]) || is_digit((unsigned char)s[e]) ||
                               s[e] == '_' || (unsigned char)s[e] >= 0x80))
                e++;
            bool constant = !word_cmp(s + i, e - i, "true", false) ||
                            !word_cmp(s + i, e - i, "false", false) ||
                            !word_cmp(s + i, e - i, "null", false);
            emit(o, i, e, constant ? HL_CONSTANT : HL_ERROR);
            i = e;
        } else {
            emit(o, i, i + 1, HL_ERROR);
            i++;
        }
    }
    return JSON_PLAIN;
}

/* ================================ API ================================ */

hl_state hl_line(hl_lang lang, hl_state in, const char *text, size_t len, hl_span *spans,
                 int max, int *n)
{
    out o = {spans, spans ? max : 0, 0};
    hl_state st = 0;
    if (!text) len = 0;
    if (in == STATE_UNKNOWN) in = 0;
    switch (lang) {
    case HL_LANG_SQL: st = sql_line(in, text, len, &o); break;
    case HL_LANG_LUA: st = lua_line(in, text, len, &o); break;
    case HL_LANG_JSON: st = json_line(in, text, len, &o); break;
    default: break;
    }
    if (n) *n = o.n;
    return st;
}

hl_class hl_state_class(hl_lang lang, hl_state st)
{
    switch (lang) {
    case HL_LANG_SQL:
        switch (st) {
        case SQL_BLOCK: return HL_COMMENT;
        case SQL_STR: return HL_STRING;
        case SQL_DQ:
        case SQL_BT:
        case SQL_BR: return HL_IDENT_QUOTED;
        default: return HL_NORMAL;
        }
    case HL_LANG_LUA:
        switch (st & 7) {
        case LUA_LONG_COMMENT: return HL_COMMENT;
        case LUA_LONG_STR:
        case LUA_SQ:
        case LUA_DQ: return HL_STRING;
        default: return HL_NORMAL;
        }
    case HL_LANG_JSON: return st == JSON_STR ? HL_STRING : HL_NORMAL;
    default: return HL_NORMAL;
    }
}

/* ---- the cache ---- */

struct hl_cache {
    hl_lang lang;
    size_t n, cap;   /* lines the arrays describe */
    hl_state *in;    /* the state line i was scanned from (STATE_UNKNOWN: to scan) */
    hl_state *out;   /* the state line i ended in */
    size_t known;    /* out[0..known) are right */
    uint64_t scanned;
};

static void *xrealloc_array(void *p, size_t n, size_t size)
{
    void *q = realloc(p, n * size);
    if (!q) abort();
    return q;
}

static void cache_reserve(hl_cache *c, size_t n)
{
    if (n <= c->cap) return;
    size_t cap = c->cap ? c->cap : 64;
    while (cap < n) cap *= 2;
    c->in = xrealloc_array(c->in, cap, sizeof *c->in);
    c->out = xrealloc_array(c->out, cap, sizeof *c->out);
    c->cap = cap;
}

hl_cache *hl_cache_new(hl_lang lang)
{
    hl_cache *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->lang = lang;
    return c;
}

void hl_cache_free(hl_cache *c)
{
    if (!c) return;
    free(c->in);
    free(c->out);
    free(c);
}

void hl_cache_edit(hl_cache *c, size_t line, size_t removed, size_t added)
{
    if (line < c->known) c->known = line;
    if (line >= c->n) return; /* past what was ever scanned */
    if (removed > c->n - line) removed = c->n - line;
    size_t tail = c->n - line - removed;
    size_t n = c->n - removed + added;
    cache_reserve(c, n);
    memmove(c->in + line + added, c->in + line + removed, tail * sizeof *c->in);
    memmove(c->out + line + added, c->out + line + removed, tail * sizeof *c->out);
    for (size_t i = line; i < line + added; i++) {
        c->in[i] = STATE_UNKNOWN;
        c->out[i] = 0;
    }
    c->n = n;
}

hl_state hl_cache_state(hl_cache *c, size_t line,
                        const char *(*get_line)(void *ctx, size_t i, size_t *len), void *ctx)
{
    if (line == 0) return 0;
    if (line > c->n) {
        cache_reserve(c, line);
        for (size_t i = c->n; i < line; i++) {
            c->in[i] = STATE_UNKNOWN;
            c->out[i] = 0;
        }
        c->n = line;
    }
    while (c->known < line) {
        size_t i = c->known;
        hl_state start = i ? c->out[i - 1] : 0;
        if (c->in[i] != start) {
            size_t len = 0;
            const char *text = get_line ? get_line(ctx, i, &len) : NULL;
            c->out[i] = hl_line(c->lang, start, text, text ? len : 0, NULL, 0, NULL);
            c->in[i] = start;
            c->scanned++;
        }
        c->known = i + 1;
    }
    return c->out[line - 1];
}

uint64_t hl_cache_scanned(const hl_cache *c)
{
    return c->scanned;
}
