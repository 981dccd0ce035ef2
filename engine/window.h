/*
 * window.h - a sliding window over a file or a memory block, for readers that
 * parse records in place: buf[start..end) holds unread input; a parser that
 * runs out of input in the middle of a record calls win_fill, which moves the
 * unread part to the front, grows the buffer when one record fills it, and
 * reads more, and then parses the record again from its start. Memory stays
 * bounded by the longest record, whatever the size of the input. Every byte
 * read from a file also goes through a content hash.
 */
#ifndef TARN_WINDOW_H
#define TARN_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef struct window {
    char *buf;           /* owned for files; borrowed for memory input */
    size_t cap, start, end;
    bool eof;            /* nothing more beyond end */
    int fd;              /* < 0 for memory input */
    int64_t consumed;    /* bytes before buf[start] */
    hash64 hash;         /* of the bytes read from the file so far */
} window;

/* Over file descriptor fd (not closed here) or, with fd < 0, the memory
 * data[0..len) (not copied: it must outlive the window). */
void win_open(window *w, int fd, const char *data, size_t len);
/* Reads more input after end. Returns bytes added, 0 at the end, -1 on a
 * read error (errno set). */
long win_fill(window *w);
/* Marks buf[start..to) as consumed. */
void win_advance(window *w, size_t to);
/* Skips a UTF-8 byte order mark at the very start; -1 on a read error. */
int win_skip_bom(window *w);
void win_close(window *w);

#endif
