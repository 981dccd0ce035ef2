/*
 * jsonrd.h - a streaming reader of JSON records for ingestion: JSON lines
 * (one value per line) or one top-level array of values, told apart by the
 * first character. It cuts the input into record texts without parsing them
 * (the caller parses each with cJSON), reading through a bounded window, so a
 * 2 GB array streams like a 2 GB file of lines. Broken structure never stops
 * the reader: the record is returned with malformed set.
 */
#ifndef TARN_JSONRD_H
#define TARN_JSONRD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct jsr_record {
    const char *text;   /* the record's JSON text; valid until the next call */
    size_t len;
    int64_t line;       /* 1-based line where it starts */
    bool malformed;     /* the array's structure is broken here */
    const char *why;
} jsr_record;

typedef struct json_reader json_reader;

/* Reads fd (not closed here) or, with fd < 0, data[0..len) (not copied). */
json_reader *jsr_open(int fd, const char *data, size_t len);
/* Next record: 1, or 0 at the end, or -1 on a read error. */
int jsr_next(json_reader *r, jsr_record *rec);
int64_t jsr_offset(const json_reader *r);
uint64_t jsr_hash(const json_reader *r);
void jsr_close(json_reader *r);

#endif
