/*
 * diag.h - problems found in a project (parse errors, unknown references,
 * cycles, compile errors), each with file:line:col, collected in a list so
 * that every problem is reported, not only the first.
 */
#ifndef TARN_DIAG_H
#define TARN_DIAG_H

#include "util.h"

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } diag_level;

typedef struct diag {
    diag_level level;
    char *file;  /* path relative to the project, or NULL for none */
    int line, col; /* 1-based; 0 when unknown */
    char *msg;
} diag;

typedef struct diag_list {
    VEC(diag) items;
    int errors, warnings;
} diag_list;

/* Adds a problem; file may be NULL. The list copies file and the message. */
void diag_add(diag_list *l, diag_level level, const char *file, int line, int col,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Adds a problem located at byte offset off of text (line/col computed). */
void diag_at(diag_list *l, diag_level level, const char *file, const char *text,
             size_t off, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Sorts by file, line, col (stable for equal positions). */
void diag_sort(diag_list *l);
/* "file:line:col: error: msg" (parts omitted when unknown), into a new string. */
char *diag_format(const diag *d);
void diag_free(diag_list *l);
const char *diag_level_name(diag_level level);

#endif
