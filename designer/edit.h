/*
 * edit.h - the designer's changes written into the project's files (no
 * curses): adding, replacing and deleting one statement, renaming a dataset
 * everywhere it is named, and the node positions kept in tarn.json
 * ("designer": {"positions": {"name": [x, y]}}).
 *
 * Every change touches only the bytes it must: other statements, comments
 * and blank lines of a file stay byte for byte as they were. Files are
 * written atomically (fs_write_atomic); a change of several files (a rename)
 * prepares every new text first and writes them only when all could be made.
 * The project given is the one loaded from disk before the change (its
 * statement spans say where to cut); reload it after.
 */
#ifndef TARN_DG_EDIT_H
#define TARN_DG_EDIT_H

#include "project.h"

/* Appends statement text stmt (a CREATE ... ; with or without a final '\n')
 * to the library file rel (relative to the project), after one blank line;
 * creates the file (and its folders) when missing. The text gets a ';' when
 * it has none and the file's line ends; its ${name}s stay as written. When
 * the file's last statement has no ';', one is put after it (else the new
 * statement would continue it). Errors: rel is not matched by the manifest's
 * libraries (the statement would be invisible), a dataset or flow of that
 * name exists already, stmt does not parse as one statement, the file ends
 * inside an unterminated string or comment. */
int dg_edit_append(const project *p, const char *rel, const char *stmt, char **err);

/* Replaces the statement that defines dataset (or flow) name with stmt,
 * keeping every other byte of its file. The new statement may rename it only
 * when no other dataset has the new name. */
int dg_edit_replace(const project *p, const char *name, const char *stmt, char **err);

/* Deletes the statement defining name (and, for a dataset, the CREATE FLOW
 * statements writing into it), each with the comment lines directly above it
 * and the blank line after it; what reads it is left as it is (the dry run
 * will report it). The position in tarn.json goes too. */
int dg_edit_delete(const project *p, const char *name, char **err);

/* Renames dataset from to to: its CREATE, every reference to it in every
 * query (FROM x, JOIN x, STREAM(x), LIVE.x, x.column qualifiers where x is
 * the table name), flow targets (INSERT INTO x, AUTO CDC INTO x), and its
 * position. References inside string literals and comments are not touched.
 * A flow from (CREATE FLOW from ...) is renamed by its name only.
 * Errors: no dataset or flow from, to is not a valid name, or is taken, or
 * a place naming from is written through a ${param} (no file is changed). */
int dg_edit_rename(const project *p, const char *from, const char *to, char **err);

/* ---- positions ---- */

typedef struct dg_pos {
    char *name;          /* owned */
    int x, y;
} dg_pos;
typedef VEC(dg_pos) dg_posvec;

/* The saved positions of p's manifest (names as saved; malformed entries
 * skipped). */
void dg_positions_get(const project *p, dg_posvec *out);
/* Replaces the saved positions in dir/tarn.json with pos (everything else
 * in the manifest is kept), atomically. */
int dg_positions_save(const char *dir, const dg_pos *pos, size_t n, char **err);
void dg_posvec_free(dg_posvec *v);

#endif
