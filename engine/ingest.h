/*
 * ingest.h - read_files (DESIGN.md section 4): CSV and JSON files read into
 * the pipeline as a table.
 *
 *   options    read_files('glob', format => 'csv', header => true, ...) parsed
 *              from the call's text (ingest_opts.c)
 *   schema     inferred from a sample of the files, with hints, renaming
 *              unusable header names; merged with an established schema
 *              when new files bring new columns (ingest_schema.c)
 *   source     a list of files and a schema, read on a second thread into
 *              batches of typed rows (ingest_read.c), and seen by SQLite as
 *              a virtual table (ingest_vtab.c) whose columns are the schema's
 *              plus _rescued_data (what did not fit, as JSON), _source_file
 *              and _source_line.
 *
 * Nothing here knows about checkpoints: the update decides which files a
 * source reads and records them in the same transaction as the rows.
 */
#ifndef TARN_INGEST_H
#define TARN_INGEST_H

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "csv.h"
#include "infer.h"
#include "util.h"

/* ======================= options ======================= */

typedef enum ing_format { ING_CSV, ING_JSON } ing_format;
typedef enum ing_mode { ING_PERMISSIVE, ING_DROPMALFORMED, ING_FAILFAST } ing_mode;

typedef struct ing_options {
    char *glob;              /* owned: files, relative to the project; ** recurses */
    ing_format format;
    csv_opts csv;            /* sep/delimiter, quote, escape, comment */
    bool header;             /* CSV: the first line names the columns (default false) */
    char *null_value;        /* owned or NULL: fields equal to it are NULL */
    int skip_rows;           /* lines skipped at the start of each file */
    ing_mode mode;           /* what a malformed row does */
    char *schema_hints;      /* owned or NULL: "col TYPE, ..." */
    char *schema;            /* owned or NULL: the full schema, no inference */
    bool infer_types;        /* inferColumnTypes (default true): else all TEXT */
    bool allow_overwrites;   /* a file changed since it was read is read again */
    int sample_rows;         /* rows per file read to infer the schema */
} ing_options;

/* Reports a problem at byte offset off of the text given to the parser. */
typedef void (*ing_problem_fn)(void *ctx, size_t off, const char *msg);

/* Parses the argument text of read_files(...) (text[off..off+len)). Option
 * names ignore case and underscores (schema_hints = schemaHints). Returns 0,
 * or -1 after reporting each problem. */
int ing_options_parse(const char *text, size_t off, size_t len, ing_options *o,
                      ing_problem_fn report, void *ctx);
void ing_options_free(ing_options *o);

/* ======================= schema ======================= */

typedef struct ing_column {
    char *name;      /* owned: the table's column name */
    char *header;    /* owned: the name in the files (header / JSON key), or NULL
                        for CSV without header (matched by position) */
    inf_type type;
} ing_column;

typedef struct ing_schema {
    VEC(ing_column) cols;
} ing_schema;

/* The extra columns every source adds after the schema's. */
#define ING_RESCUED "_rescued_data"
#define ING_FILE "_source_file"
#define ING_LINE "_source_line"

/* Infers a schema from the files (paths relative to dir): each file's header
 * or keys, and the types of up to o->sample_rows rows per file; then hints
 * or the full schema of the options apply. notes gets a line per renamed
 * column ("'order date' is read as order_date"). Returns 0 or -1 with *err. */
int ing_infer(const char *dir, const ing_options *o, const strvec *files, ing_schema *out,
              strvec *notes, char **err);
/* Adds to base the columns of more it lacks (in more's order); a column in
 * both keeps base's type (values that do not fit are rescued). Returns the
 * number of columns added. */
int ing_schema_merge(ing_schema *base, const ing_schema *more);
/* As JSON [{"name":..,"header":..,"type":..}, ...] and back. */
char *ing_schema_json(const ing_schema *s);
int ing_schema_from_json(const char *json, ing_schema *out);
void ing_schema_copy(ing_schema *dst, const ing_schema *src);
void ing_schema_free(ing_schema *s);

/* ======================= sources ======================= */

/* What reading one file gave. */
typedef struct ing_file {
    char *path;         /* owned: relative to the project */
    int64_t size, mtime_ns;
    bool read;          /* read to its end */
    bool missing;       /* gone when its turn came */
    int64_t rows;
    uint64_t hash;      /* content hash, when read */
} ing_file;

typedef VEC(ing_file) ing_filevec;

typedef struct ing_source {
    char *dir;                 /* owned: the project folder */
    ing_options opts;          /* owned copy */
    ing_schema schema;         /* owned */
    ing_filevec files;         /* owned: in reading order */
    atomic_llong bytes_read;   /* progress, across files */
    atomic_llong rows_dropped; /* DROPMALFORMED */
    int64_t bytes_total;
} ing_source;

/* A source reading files (paths relative to dir, stat'ed here) with schema.
 * Copies options and schema. */
ing_source *ing_source_new(const char *dir, const ing_options *o, const strvec *files,
                           const ing_schema *schema);
void ing_source_free(ing_source *s);

/* Lists the files of o->glob under dir (sorted) with their size and mtime. */
int ing_list(const char *dir, const ing_options *o, ing_filevec *out, char **err);
void ing_files_free(ing_filevec *files);

/* ======================= the virtual table ======================= */

/* The sources a connection can read, by index. Owns its sources. */
typedef struct ing_registry {
    VEC(ing_source *) sources;
} ing_registry;

/* Registers the tarn_files module on db with reg. With owned, reg (from
 * xcalloc) is cleared and freed when db closes; else it must outlive db's
 * use of it and be cleared by the caller. */
int ing_attach(sqlite3 *db, ing_registry *reg, bool owned, char **err);
/* Adds src (taken over) and creates temp."__tarn_files_<k>" reading it;
 * returns k and the table's quoted name in *table (caller frees), or -1. */
int ing_register(sqlite3 *db, ing_registry *reg, ing_source *src, char **table, char **err);
/* Drops the virtual tables of the sources from index keep on (db may be
 * NULL when it is closing) and frees those sources. */
void ing_registry_truncate(sqlite3 *db, ing_registry *reg, size_t keep);

#endif
