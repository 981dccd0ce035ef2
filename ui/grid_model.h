/*
 * grid_model.h - the data grid's model (prefix gm_): a read-only connection
 * to the warehouse, pages of rows fetched by key, the row count, column
 * profiles and cell details. No curses here: the Data grid view
 * (view_grid_jobs.c) drives it from a worker thread and draws what it returns;
 * the unit tests drive it directly.
 *
 * Paging is by key, never by OFFSET, so a page near the end of a 10-million
 * row table costs what a page at its start costs:
 *   - unsorted: rows in rowid order, "rowid > ? ORDER BY rowid LIMIT n",
 *     backwards with "rowid < ? ORDER BY rowid DESC";
 *   - sorted on a column: keyset on (column, rowid) with row values,
 *     NULLs first when ascending and last when descending;
 *   - a filter (an SQL expression) is ANDed in front of the key condition.
 *
 * A query result is materialized once into a temporary table of an in-memory
 * database that ATTACHes the warehouse read-only as "wh" (unqualified names
 * resolve to it), and then paged by rowid like a table.
 *
 * Threads: a gm and everything fetched from it belong to whoever calls; the
 * view calls only from its worker jobs, one at a time. Pages are plain data
 * (their sort keys are sqlite3_value_dup copies) and may be handed to the UI
 * thread and freed there.
 */
#ifndef TARN_GRID_MODEL_H
#define TARN_GRID_MODEL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gm gm;

/* Most bytes of a value a page keeps for display (the detail fetches it
 * whole); display widths are capped at GM_WIDTH_CAP columns. */
enum { GM_CELL_BYTES = 256, GM_WIDTH_CAP = 40 };

/* ======================= opening ======================= */

/* Called while SQL runs (every few thousand VM steps, and every 1024 rows
 * while a query is materialized, with the rows so far); returning non-zero
 * interrupts the statement, which then fails with "canceled". */
typedef int (*gm_tick_fn)(void *ctx, int64_t rows);

/* Opens table (in the main schema of the warehouse at path) read-only, with
 * a busy timeout of 5 s. A view or a table without a usable rowid is
 * materialized like a query (tick may cancel that). Returns 0, or -1 with
 * *err (caller frees). */
int gm_open_table(const char *path, const char *table, gm_tick_fn tick, void *ctx, gm **out,
                  char **err);
/* Runs one read-only statement that returns rows (SELECT, WITH, VALUES, a
 * reading PRAGMA) against the warehouse at path and keeps its result for
 * paging. Writes, ATTACH/DETACH, several statements and statements without
 * a result are refused. Returns 0, or -1 with *err. */
int gm_open_query(const char *path, const char *sql, gm_tick_fn tick, void *ctx, gm **out,
                  char **err);
void gm_free(gm *g);

/* Sets (or clears, with tick NULL) the tick for the calls that follow. */
void gm_set_tick(gm *g, gm_tick_fn tick, void *ctx);
/* The name shown for what is open: the table, or "query". */
const char *gm_name(const gm *g);
bool gm_is_query(const gm *g);
/* Rows of a materialized query result (0 for tables). */
int64_t gm_query_rows(const gm *g);

/* ======================= pages ======================= */

typedef enum gm_vtype { GM_NULL, GM_INT, GM_REAL, GM_TEXT, GM_BLOB } gm_vtype;

typedef struct gm_cell {
    gm_vtype type;
    char *text;        /* display text (NULL for NULL): numbers as SQLite prints
                          them, text up to GM_CELL_BYTES, blobs as x'hex' */
    bool cut;          /* the value is longer than text */
} gm_cell;

typedef struct gm_row {
    int64_t rowid;
    sqlite3_value *key;  /* the sort column's value (owned), NULL unsorted */
    gm_cell *cells;      /* ncols */
} gm_row;

/* A run of consecutive rows in display order. The view keeps one as its
 * window and merges later pages into it (gm_page_merge). */
typedef struct gm_page {
    int ncols;
    char **cols;         /* column names as the table has them */
    char **decl;         /* declared types ("" when none) */
    int nrows;
    gm_row *rows;
    bool at_start, at_end;   /* no rows before the first / after the last */
    int64_t pos;         /* 0-based position of rows[0] in the whole order, -1 unknown */
    int64_t after;       /* rows after the last one, -1 unknown */
    int64_t rid_min, rid_max; /* rowid range of the whole source (unsorted
                                 pages only; rid_min > rid_max when unknown) */
    char *sort;          /* the settings it was fetched with (owned, NULL none) */
    bool desc;
    char *filter;
} gm_page;

void gm_page_free(gm_page *p);

/* How to order and filter: sort is a column name (NULL: rowid order),
 * filter an SQL expression (NULL or blank: none). */
typedef struct gm_opts {
    const char *sort;
    bool desc;
    const char *filter;
} gm_opts;

typedef enum gm_dir {
    GM_FIRST,      /* the first n rows */
    GM_LAST,       /* the last n rows */
    GM_AFTER,      /* n rows after the key */
    GM_BEFORE,     /* n rows before the key */
    GM_FROM,       /* n rows from the key on (the key's row included) */
    GM_FRACTION    /* n rows from about frac of the rowid range (unsorted only) */
} gm_dir;

/* A row's place in an order: its rowid and, when sorted, its sort value. */
typedef struct gm_key {
    int64_t rowid;
    sqlite3_value *value;   /* owned; NULL when unsorted */
} gm_key;

typedef struct gm_req {
    gm_dir dir;
    gm_key key;         /* AFTER, BEFORE, FROM (borrowed) */
    double frac;        /* FRACTION, 0..1 */
    int n;              /* rows wanted (>= 1) */
} gm_req;

/* The key of row i of p (a copy the caller frees with gm_key_free). */
gm_key gm_page_key(const gm_page *p, int i);
void gm_key_free(gm_key *k);

/* Fetches a page. A filter or sort that SQLite refuses fails with its error
 * message; nothing in g changes. Returns 0 and *out (caller frees), or -1
 * with *err. */
int gm_fetch(gm *g, const gm_opts *o, const gm_req *r, gm_page **out, char **err);

/* Merges page p (fetched AFTER or BEFORE w, with the same columns) into w:
 * appended when after, else prepended; p is consumed. When w then holds more
 * than max_rows, rows are dropped from the other end, never from the rows
 * [keep_lo, keep_hi) of w as it was. Returns how many rows were dropped
 * from the front (the caller shifts its indexes down by that, and up by
 * *added, the rows prepended), or -1 when p has other columns than w (p is
 * then not consumed). */
int gm_page_merge(gm_page *w, gm_page *p, bool after, int max_rows, int keep_lo, int keep_hi,
                  int *added);

/* The 0-based position of row i of w in the whole order given the total row
 * count (-1 unknown). Returns false when it cannot be told; *exact is false
 * when it is estimated from the rowid range. */
bool gm_page_position(const gm_page *w, int i, int64_t total, int64_t *pos, bool *exact);

/* Display widths of the columns of p: the widest of the header (plus 2 for a
 * sort marker when p is sorted on it) and the cells (a NULL is 1, a cut
 * value 1 more for its ellipsis), at least 1 and at most cap. width measures
 * display columns of UTF-8 text (NULL: gm_text_width). */
void gm_page_widths(const gm_page *p, int cap, int (*width)(const char *s, size_t n), int *out);
/* Whether a column holds numbers (aligned right): every non-NULL value in p
 * is a number (and there is one), or, when p has only NULLs in it, its
 * declared type has INTEGER, REAL or NUMERIC affinity. (A TIMESTAMP column
 * of text has NUMERIC affinity but is text.) */
bool gm_page_numeric(const gm_page *p, int col);
/* Index of column name in p (exact, then case-insensitive), or -1. */
int gm_page_col(const gm_page *p, const char *name);

/* Display columns of UTF-8 text without a terminal: wide East Asian and
 * emoji characters 2, combining marks 0, everything else 1. */
int gm_text_width(const char *s, size_t n);

/* ======================= counting ======================= */

/* The row count is taken in steps over rowid ranges so it never holds the
 * worker long and pages can be fetched between steps. */
typedef struct gm_count {
    char *filter;        /* owned copy */
    bool started, done;
    int64_t lo, hi;      /* next rowid to count from; the last rowid */
    int64_t span;        /* rowids per range, adapted to the time taken */
    int64_t total;       /* rows counted so far */
} gm_count;

/* Starts a count under filter (NULL: all rows). */
void gm_count_init(gm_count *c, const char *filter);
/* Counts for about budget_ms. Returns 1 when done (c->total is the count),
 * 0 when there is more, -1 with *err. */
int gm_count_step(gm *g, gm_count *c, double budget_ms, char **err);
void gm_count_free(gm_count *c);

/* ======================= profiles and details ======================= */

typedef struct gm_bucket {
    char *label;         /* "[10, 20)", a value, or a top text value */
    int64_t count;
} gm_bucket;

typedef struct gm_profile {
    char *column, *decl;
    int64_t rows, nulls, n_int, n_real, n_text, n_blob, distinct;
    char *min, *max;     /* display text, NULL when every value is NULL */
    bool numeric;        /* buckets are a histogram (else the top values) */
    double lo, hi, width; /* histogram range and bucket width */
    int nbuckets;
    gm_bucket buckets[10];
} gm_profile;

/* Profiles column under filter (NULL: all rows): type counts, nulls,
 * distinct values, min/max, and a histogram of up to 10 buckets over the
 * numbers (when numbers are at least half the non-NULL values) or the 10
 * most frequent values. Returns 0, or -1 with *err. */
int gm_profile_column(gm *g, const char *column, const char *filter, gm_profile *out, char **err);
/* The profile as text for a popup, the histogram drawn with ▁▂▃▄▅▆▇█. */
char *gm_profile_text(const gm_profile *p);
void gm_profile_free(gm_profile *p);

/* The whole value of column in the row with rowid, as detail text (see
 * gm_detail_format). Returns 0, or -1 with *err (also when the row is gone). */
int gm_detail(gm *g, int64_t rowid, const char *column, char **out, char **err);
/* Detail text of a value: "NULL", numbers as they are, text as it is or
 * pretty-printed when it is a JSON object or array, blobs as a hex dump. */
char *gm_detail_format(gm_vtype type, const void *data, size_t len);

/* n with thousands separators ("10,000,000") into buf. */
const char *gm_fmt_int(int64_t n, char buf[32]);

#endif
