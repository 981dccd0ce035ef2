/*
 * edit_int.h - what the files of the designer's file edits share (no public
 * face: edit.h is that): edit.c (append, replace, delete, positions and the
 * pieces below) and edit_rename.c (renaming a dataset everywhere).
 *
 * A change of a file is a list of pieces (replace orig[a, b) with a text)
 * applied to the file's bytes as loaded; every file of a change is prepared
 * into a write first, and the writes happen only when all could be prepared.
 */
#ifndef TARN_DG_EDIT_INT_H
#define TARN_DG_EDIT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "project.h"

/* Sets *err (err may be NULL) to the message; returns -1. */
int dge_fail(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- pieces of one file ---- */

/* orig[a, b) of a file becomes text (owned; NULL: removed). */
typedef struct dge_piece {
    size_t a, b;
    char *text;
} dge_piece;
typedef VEC(dge_piece) dge_piecevec;

void dge_pieces_free(dge_piecevec *v);

/* ---- offsets of the substituted text ---- */

/* true when output bytes [off, off+len) of w are the source's own bytes,
 * copied in one piece (not made, even in part, by a ${param}). */
bool dge_copied_span(const rewrite *w, size_t off, size_t len);

/* ---- the project's names ---- */

/* The statement defining name: a dataset's CREATE, else a flow statement
 * called name (also one the project could not attach to its target); its
 * file index goes to *file. NULL when there is none. */
const sql_stmt *dge_find_def(const project *p, const char *name, int *file);
/* true when a statement of p (parsed or not) is called name
 * (case-insensitive). */
bool dge_name_taken(const project *p, const char *name);

/* ---- writes prepared before any is made ---- */

typedef struct dge_write {
    char *path;          /* owned: absolute or dir-relative */
    char *text;          /* owned: the file's new bytes */
    size_t len;
} dge_write;
typedef VEC(dge_write) dge_writes;

/* Applies the pieces v to file fi of p (the pieces are freed) into a write
 * appended to out. -1 with *err when two pieces overlap. */
int dge_prepare_file(const project *p, int fi, dge_piecevec *v, dge_writes *out, char **err);
/* Appends to out the write of p's tarn.json with the positions of names
 * removed (to NULL) or the one of names->v[0] moved to the key to; nothing
 * when none of names has a position. -1 with *err when tarn.json cannot be
 * read back as a JSON object. */
int dge_prepare_positions(const project *p, const strvec *names, const char *to,
                          dge_writes *out, char **err);
/* Makes every write of v, in order, and frees v. */
int dge_write_all(dge_writes *v, char **err);
void dge_writes_free(dge_writes *v);

#endif
