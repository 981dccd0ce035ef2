/*
 * lex.c - the SQL tokenizer (see lex.h).
 */
#include "lex.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool is_word_start(unsigned char c)
{
    return isalpha(c) || c == '_' || c >= 0x80;
}

static bool is_word_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* Scans a quoted run starting at text[p] (the opening quote) that ends at
 * close, where a doubled close is an escaped one. Returns the end or len+1 when
 * unterminated. */
static size_t scan_quoted(const char *text, size_t len, size_t p, char close)
{
    for (size_t i = p + 1; i < len; i++) {
        if (text[i] != close) continue;
        if (close != ']' && i + 1 < len && text[i + 1] == close) {
            i++;
            continue;
        }
        return i + 1;
    }
    return len + 1;
}

static size_t scan_number(const char *text, size_t len, size_t p)
{
    size_t i = p;
    if (text[i] == '0' && i + 1 < len && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
        i += 2;
        while (i < len && isxdigit((unsigned char)text[i])) i++;
        return i;
    }
    while (i < len && (isdigit((unsigned char)text[i]) || text[i] == '_')) i++;
    if (i < len && text[i] == '.') {
        i++;
        while (i < len && isdigit((unsigned char)text[i])) i++;
    }
    if (i < len && (text[i] == 'e' || text[i] == 'E')) {
        size_t j = i + 1;
        if (j < len && (text[j] == '+' || text[j] == '-')) j++;
        if (j < len && isdigit((unsigned char)text[j])) {
            i = j;
            while (i < len && isdigit((unsigned char)text[i])) i++;
        }
    }
    return i;
}

/* Multi-character operators, longest first. */
static const char *const ops[] = {"->>", "||", "<=", ">=", "==", "!=", "<>",
                                  "<<", ">>", "->", NULL};

static token make(tok_kind k, size_t off, size_t end)
{
    token t = {k, off, end - off};
    return t;
}

token lex_next(const char *text, size_t len, size_t *pos, const char **msg)
{
    size_t p = *pos;
    while (p < len && isspace((unsigned char)text[p])) p++;
    *pos = p;
    if (p >= len) return make(TK_EOF, len, len);
    unsigned char c = (unsigned char)text[p];
    unsigned char n = p + 1 < len ? (unsigned char)text[p + 1] : 0;
    size_t e;
    tok_kind k;
    if (c == '-' && n == '-') {
        e = p;
        while (e < len && text[e] != '\n') e++;
        k = TK_COMMENT;
    } else if (c == '/' && n == '*') {
        const char *end = NULL;
        for (size_t i = p + 2; i + 1 < len; i++)
            if (text[i] == '*' && text[i + 1] == '/') {
                end = text + i + 2;
                break;
            }
        if (!end) {
            *msg = "unterminated /* comment";
            *pos = len;
            return make(TK_ERROR, p, len);
        }
        e = (size_t)(end - text);
        k = TK_COMMENT;
    } else if (c == '\'' || c == '"' || c == '`' || c == '[') {
        char close = c == '[' ? ']' : (char)c;
        e = scan_quoted(text, len, p, close);
        if (e > len) {
            *msg = c == '\'' ? "unterminated string" : "unterminated quoted identifier";
            *pos = len;
            return make(TK_ERROR, p, len);
        }
        k = c == '\'' ? TK_STRING : TK_QIDENT;
    } else if ((c == 'x' || c == 'X') && n == '\'') {
        e = scan_quoted(text, len, p + 1, '\'');
        if (e > len) {
            *msg = "unterminated blob literal";
            *pos = len;
            return make(TK_ERROR, p, len);
        }
        k = TK_BLOB;
    } else if (is_word_start(c)) {
        e = p + 1;
        while (e < len && is_word_char((unsigned char)text[e])) e++;
        k = TK_WORD;
    } else if (isdigit(c) || (c == '.' && isdigit(n))) {
        e = scan_number(text, len, p);
        k = TK_NUMBER;
    } else if (c == '$' && n == '{') {
        e = p + 2;
        while (e < len && text[e] != '}' && text[e] != '\n') e++;
        if (e >= len || text[e] != '}') {
            *msg = "unterminated ${ parameter";
            *pos = e;
            return make(TK_ERROR, p, e);
        }
        e++;
        k = TK_PARAM;
    } else if (c == '?' || c == ':' || c == '@' || c == '$') {
        e = p + 1;
        while (e < len && is_word_char((unsigned char)text[e])) e++;
        if (c == ':' && e == p + 1) k = TK_PUNCT; /* a lone ':' */
        else k = TK_VARIABLE;
    } else {
        k = TK_PUNCT;
        e = p + 1;
        for (int i = 0; ops[i]; i++) {
            size_t ol = strlen(ops[i]);
            if (p + ol <= len && memcmp(text + p, ops[i], ol) == 0) {
                e = p + ol;
                break;
            }
        }
        if (c == '\0' || !strchr("(),;.+-*/%<>=!|&~", c)) { /* strchr finds the NUL */
            *msg = "unexpected character";
            *pos = e;
            return make(TK_ERROR, p, e);
        }
    }
    *pos = e;
    return make(k, p, e);
}

void lex_all(const char *text, size_t len, bool keep_comments, tokvec *out,
             const char **msg)
{
    size_t pos = 0;
    const char *m = NULL;
    if (msg) *msg = NULL;
    for (;;) {
        token t = lex_next(text, len, &pos, &m);
        if (t.kind == TK_EOF) break;
        if (t.kind == TK_COMMENT && !keep_comments) continue;
        if (t.kind == TK_ERROR && msg && !*msg) *msg = m;
        VEC_PUSH(out, t);
    }
}

bool lex_is(const char *text, token t, const char *kw)
{
    return t.kind == TK_WORD && strlen(kw) == t.len && str_nieq(text + t.off, kw, t.len);
}

bool lex_punct(const char *text, token t, char c)
{
    return t.kind == TK_PUNCT && t.len == 1 && text[t.off] == c;
}

bool lex_is_name(token t)
{
    return t.kind == TK_WORD || t.kind == TK_QIDENT;
}

char *lex_name(const char *text, token t)
{
    if (t.kind != TK_QIDENT) return xstrndup(text + t.off, t.len);
    char close = text[t.off] == '[' ? ']' : text[t.off];
    sb b = {0};
    for (size_t i = t.off + 1; i + 1 < t.off + t.len; i++) {
        sb_addc(&b, text[i]);
        if (text[i] == close && close != ']') i++;
    }
    return sb_take(&b);
}

char *lex_string(const char *text, token t)
{
    sb b = {0};
    for (size_t i = t.off + 1; i + 1 < t.off + t.len; i++) {
        sb_addc(&b, text[i]);
        if (text[i] == '\'') i++;
    }
    return sb_take(&b);
}

static const char *const clause_words[] = {
    "WHERE", "GROUP", "ORDER", "LIMIT", "HAVING", "WINDOW", "JOIN", "LEFT",
    "RIGHT", "FULL", "INNER", "OUTER", "CROSS", "NATURAL", "ON", "USING",
    "UNION", "EXCEPT", "INTERSECT", "RETURNING", "INDEXED", "NOT", "AS",
    "SELECT", "FROM", "VALUES", "SET", "OFFSET", "WITH", NULL};

bool lex_is_clause_word(const char *text, token t)
{
    if (t.kind != TK_WORD) return false;
    for (int i = 0; clause_words[i]; i++)
        if (lex_is(text, t, clause_words[i])) return true;
    return false;
}
