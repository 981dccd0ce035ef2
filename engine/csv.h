/*
 * csv.h - a streaming CSV reader for ingestion: RFC 4180 quoting with the
 * options Spark and Lakeflow's read_files take (delimiter, quote, escape,
 * comment, skip rows), CRLF and LF line ends, quoted newlines, a UTF-8 BOM.
 * It reads through a fixed buffer, so memory does not grow with the file
 * (only with the longest record), and never fails on malformed text: a
 * record with a broken quote is returned with malformed set and why.
 */
#ifndef TARN_CSV_H
#define TARN_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct csv_opts {
    char delimiter;  /* ',' */
    char quote;      /* '"'; 0: no quoting */
    char escape;     /* '\\': escape+quote is a literal quote inside quotes
                        (a doubled quote always is); 0: none */
    char comment;    /* lines starting with it are skipped; 0: none */
} csv_opts;

/* The default options: , " \ and no comment character. */
csv_opts csv_default_opts(void);

typedef struct csv_field {
    size_t off, len;  /* bytes in csv_record.text (quotes and escapes removed) */
    bool quoted;
} csv_field;

typedef struct csv_record {
    const char *text;     /* field bytes; valid until the next csv_next */
    const csv_field *f;
    size_t n;             /* number of fields (1 for an empty line's "") */
    int64_t line;         /* 1-based line where the record starts */
    bool malformed;
    const char *why;      /* static text when malformed */
} csv_record;

typedef struct csv_reader csv_reader;

/* Reads from file descriptor fd (not closed by the reader) or, with fd < 0,
 * from the memory data[0..len) (not copied: it must outlive the reader). */
csv_reader *csv_open(int fd, const char *data, size_t len, const csv_opts *o);
/* Next record: 1, or 0 at the end, or -1 on a read error (errno set). Blank
 * lines and comment lines are skipped. */
int csv_next(csv_reader *r, csv_record *rec);
/* Bytes consumed so far (for progress). */
int64_t csv_offset(const csv_reader *r);
/* Hash of the bytes read so far: of the whole file once csv_next gave 0. */
uint64_t csv_hash(const csv_reader *r);
void csv_close(csv_reader *r);

#endif
