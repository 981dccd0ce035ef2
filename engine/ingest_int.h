/*
 * ingest_int.h - what the files of the read_files module share among
 * themselves (ingest_read.c produces rows, ingest_vtab.c hands them to
 * SQLite); not part of ingest.h, the module's public face.
 */
#ifndef TARN_INGEST_INT_H
#define TARN_INGEST_INT_H

#include "ingest.h"

/* A value of a row: kind is an SQLite type code, or ING_FILE_REF for the
 * _source_file column (i is the file's index in the source). */
#define ING_FILE_REF 100

typedef struct ing_val {
    int kind;
    uint32_t len;        /* text length */
    union {
        int64_t i;
        double d;
        size_t off;      /* text: offset in the batch's text arena */
    } u;
} ing_val;

typedef struct ing_reader ing_reader;

/* Starts reading src's files on a second thread. */
ing_reader *ing_reader_start(ing_source *src);
/* The next row: 1 with *row (schema columns, then rescued data, source file
 * and line) and *text (the base its text offsets are relative to), valid until
 * the next call; 0 at the end; -1 on an error (ing_reader_error tells). */
int ing_reader_next(ing_reader *r, const ing_val **row, const char **text);
const char *ing_reader_error(const ing_reader *r);
/* Stops the thread (if still running) and frees the reader. */
void ing_reader_stop(ing_reader *r);

#endif
