/*
 * window.c - the sliding input window shared by the CSV and JSON readers
 * (see window.h).
 */
#include "window.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (1 << 20)

void win_open(window *w, int fd, const char *data, size_t len)
{
    memset(w, 0, sizeof(*w));
    hash64_init(&w->hash);
    w->fd = fd;
    if (fd < 0) {
        w->buf = (char *)(data ? data : ""); /* never written: see win_fill */
        w->end = len;
        w->eof = true;
        if (data) hash64_update(&w->hash, data, len);
    } else {
        w->cap = CHUNK;
        w->buf = xmalloc(w->cap);
    }
}

long win_fill(window *w)
{
    if (w->eof) return 0;
    if (w->start > 0) {
        memmove(w->buf, w->buf + w->start, w->end - w->start);
        w->end -= w->start;
        w->start = 0;
    }
    if (w->end == w->cap) {
        w->cap *= 2;
        w->buf = xrealloc(w->buf, w->cap);
    }
    ssize_t n;
    do n = read(w->fd, w->buf + w->end, w->cap - w->end);
    while (n < 0 && errno == EINTR);
    if (n < 0) return -1;
    if (n == 0) w->eof = true;
    hash64_update(&w->hash, w->buf + w->end, (size_t)n);
    w->end += (size_t)n;
    return (long)n;
}

void win_advance(window *w, size_t to)
{
    w->consumed += (int64_t)(to - w->start);
    w->start = to;
}

int win_skip_bom(window *w)
{
    while (w->end - w->start < 3 && !w->eof)
        if (win_fill(w) < 0) return -1;
    if (w->end - w->start >= 3 && !memcmp(w->buf + w->start, "\xEF\xBB\xBF", 3))
        win_advance(w, w->start + 3);
    return 0;
}

void win_close(window *w)
{
    if (w->fd >= 0) free(w->buf);
    w->buf = NULL;
}
