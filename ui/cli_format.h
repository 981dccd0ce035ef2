/*
 * cli_format.h - printing query results on the command line as an aligned
 * table, CSV (RFC 4180) or JSON (an array of objects).
 */
#ifndef TARN_CLI_FORMAT_H
#define TARN_CLI_FORMAT_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>

typedef enum { FMT_TABLE, FMT_CSV, FMT_JSON } cli_format;

/* Parses "table", "csv" or "json"; -1 for anything else. */
int cli_format_parse(const char *s, cli_format *f);

typedef struct cli_rows {
    cli_format fmt;
    int64_t limit;       /* at most this many rows; 0: all */
    unsigned json_cols;  /* bit c: column c holds JSON text, embedded as is in JSON */
    unsigned table_hide; /* bit c: the table format leaves column c out */
} cli_rows;

/* Steps st and prints its rows to out as o says. Returns the number of rows
 * printed, or -1 with *err set when stepping failed. */
int64_t cli_print_rows(FILE *out, sqlite3_stmt *st, const cli_rows *o, char **err);

#endif
