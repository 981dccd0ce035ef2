/*
 * infer.h - types of ingested values: what type a text value looks like,
 * how types widen when a column holds several, parsing a value into its
 * column's type, schema hints ("id BIGINT, zip STRING"), and turning header
 * names into unique, usable column names.
 *
 * Types are kept as SQLite declared types that carry the right affinity:
 * INTEGER, REAL, BOOLEAN (0/1), DATE and TIMESTAMP (ISO text), TEXT.
 * Numbers written with leading zeros ("007", "01234") stay TEXT: they are
 * codes, not quantities.
 */
#ifndef TARN_INFER_H
#define TARN_INFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef enum inf_type {
    INF_NULL,       /* no value seen yet */
    INF_BOOLEAN,
    INF_INTEGER,
    INF_REAL,
    INF_DATE,
    INF_TIMESTAMP,
    INF_TEXT
} inf_type;

/* The narrowest type the text s[0..n) is a valid value of (INF_NULL for ""). */
inf_type inf_classify(const char *s, size_t n);
/* The type of a column holding values of types a and b. */
inf_type inf_widen(inf_type a, inf_type b);
/* The declared SQL type ("INTEGER", ...). */
const char *inf_type_name(inf_type t);
/* A declared or Spark type name (INT, BIGINT, STRING, DOUBLE, DECIMAL(10,2),
 * BOOLEAN, DATE, TIMESTAMP, ...) as an inf_type; -1 when unknown. */
int inf_type_parse(const char *name, size_t n);

/* A value parsed for a column of type t. */
typedef struct inf_value {
    int kind;         /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT or SQLITE_NULL */
    int64_t i;
    double d;
} inf_value;

/* Parses s[0..n) as type t into v (text stays in s: kind SQLITE_TEXT).
 * Returns false when s is not a value of t (the caller rescues it). Leading
 * zeros are fine here ("007" in an INTEGER column is 7): only inference
 * takes them for codes. */
bool inf_convert(inf_type t, const char *s, size_t n, inf_value *v);

/* Parses hints "name TYPE, name TYPE" into names/types (appended). Returns
 * -1 with *err on a bad hint. */
int inf_parse_hints(const char *hints, strvec *names, intvec *types, char **err);

/* A usable column name for header text raw[0..n): trimmed, characters other
 * than letters, digits and '_' become '_', a leading digit gets '_', empty
 * becomes _c<index>; made unique against taken (case-insensitive) by adding
 * _2, _3, ... The result is appended to taken and returned (owned by taken). */
const char *inf_column_name(const char *raw, size_t n, int index, strvec *taken);

/* true when s[0..n) is valid UTF-8. */
bool inf_utf8_valid(const char *s, size_t n);

#endif
