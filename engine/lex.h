/*
 * lex.h - the SQL tokenizer shared by the dialect parser, the query analyser
 * and (later) the editor's highlighter. It follows SQLite's lexical rules:
 * 'strings' with '' escapes, "identifiers", `identifiers` and [identifiers],
 * -- and nested-free block comments, numbers, blobs (x'..'), variables, and
 * ${param} placeholders of the pipeline dialect.
 */
#ifndef TARN_LEX_H
#define TARN_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

typedef enum tok_kind {
    TK_EOF,
    TK_WORD,     /* bare word: identifier or keyword */
    TK_QIDENT,   /* "quoted", `quoted` or [quoted] identifier */
    TK_STRING,   /* 'string' */
    TK_NUMBER,
    TK_BLOB,     /* x'0A' */
    TK_VARIABLE, /* ?, ?1, :name, @name, $name */
    TK_PARAM,    /* ${name} left after substitution (a missing parameter) */
    TK_PUNCT,    /* operators and ( ) , ; . */
    TK_COMMENT,
    TK_ERROR     /* an unterminated string, identifier or comment, or a stray byte */
} tok_kind;

typedef struct token {
    tok_kind kind;
    size_t off, len; /* bytes of the token in the text */
} token;

typedef VEC(token) tokvec;

/* Reads the token at *pos (skipping white space) and advances *pos past it.
 * At the end of text returns TK_EOF with off == len. For TK_ERROR, *msg is a
 * static description. */
token lex_next(const char *text, size_t len, size_t *pos, const char **msg);

/* Tokenizes the whole text, without comments unless keep_comments. TK_ERROR
 * tokens are kept and lexing goes on after them; *msg (msg may be NULL) gets
 * the first error's message. lex_next at an error token's offset tells its
 * message again. */
void lex_all(const char *text, size_t len, bool keep_comments, tokvec *out,
             const char **msg);

/* true when token t is the bare word kw (ASCII case-insensitive). */
bool lex_is(const char *text, token t, const char *kw);
/* true when t is the one-character punctuation c. */
bool lex_punct(const char *text, token t, char c);
/* true when t can name something (bare word or quoted identifier). */
bool lex_is_name(token t);
/* The name t denotes, unquoted ("a""b" -> a"b); caller frees. */
char *lex_name(const char *text, token t);
/* The value of a 'string' token, unescaped; caller frees. */
char *lex_string(const char *text, token t);
/* true for SQL keywords that cannot start or continue a table alias or name
 * in a FROM clause (WHERE, JOIN, ON, GROUP, ...). */
bool lex_is_clause_word(const char *text, token t);

#endif
