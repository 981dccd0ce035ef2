/*
 * grid_model_int.h - what the grid model's files share (not for other
 * modules; grid_model.h is the model's face): the gm itself and the SQL
 * helpers they all use. grid_model.c opens tables and query results and
 * holds the helpers, grid_model_page.c fetches, merges and measures pages,
 * grid_model_count.c counts rows in steps, grid_model_profile.c profiles
 * columns and formats cell details.
 */
#ifndef TARN_GRID_MODEL_INT_H
#define TARN_GRID_MODEL_INT_H

#include "grid_model.h"
#include "util.h"

struct gm {
    sqlite3 *db;
    char *name;          /* shown: the table, or "query" */
    char *from;          /* what to select from: main."t" or temp."_tarn_grid_result" */
    const char *rid;     /* a rowid alias no column shadows */
    bool query;
    int64_t qrows;
    gm_tick_fn tick;
    void *tick_ctx;
    int64_t tick_rows;   /* rows so far, given to tick */
};

/* ---- errors and small helpers (grid_model.c) ---- */

/* Sets *err from the connection's last error ("canceled" for an interrupt). */
int gm_fail_db(sqlite3 *db, const char *what, char **err);
/* Sets *err to a copy of msg. Both return -1. */
int gm_fail_msg(char **err, const char *msg);
/* A filter worth applying: not NULL and not blank. */
const char *gm_filter_of(const char *f);
/* Appends " AND (filter)" (nothing when filter is NULL). */
void gm_add_filter(sb *b, const char *filter);
/* Prepares sql that carries a user's filter: one statement, read-only, with
 * no parameters but the ones named ":tarn_*". */
int gm_prepare_user(gm *g, const char *sql, sqlite3_stmt **st, char **err);
/* Bind v to the parameter name when st has it. */
void gm_bind_named_int(sqlite3_stmt *st, const char *name, int64_t v);
void gm_bind_named_double(sqlite3_stmt *st, const char *name, double v);

/* ---- values as text, the rowid range (grid_model_page.c) ---- */

/* Length of the longest prefix of s[0..n) of at most max bytes that does not
 * split a UTF-8 character. */
size_t gm_utf8_cut(const char *s, size_t n, size_t max);
/* A blob as x'hex' of at most max bytes; *cut (when not NULL) tells whether
 * it was longer. Caller frees. */
char *gm_hex_text(const unsigned char *p, size_t n, size_t max, bool *cut);
/* The smallest and largest rowid of g (*lo > *hi when there are none). */
void gm_rid_range(gm *g, int64_t *lo, int64_t *hi);

#endif
