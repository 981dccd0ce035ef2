/*
 * rewrite.h - building a new text out of pieces of a source text while
 * remembering where each output byte came from, so that a position in the
 * output (an SQLite error offset, a parser error) maps back to the source.
 *
 * Used twice: ${param} substitution (file text -> substituted text) and query
 * rewriting (query text -> SQL that runs, e.g. STREAM(x) -> a filtered read).
 */
#ifndef TARN_REWRITE_H
#define TARN_REWRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

typedef struct rw_seg {
    size_t dst, src, len; /* output [dst, dst+len) came from source [src, ...) */
    bool copied;          /* copied bytes map 1:1; inserted text maps to src */
} rw_seg;

typedef struct rewrite {
    sb out;               /* the text built so far */
    VEC(rw_seg) segs;
} rewrite;

/* Appends source bytes src[off .. off+len). */
void rw_copy(rewrite *w, const char *src, size_t off, size_t len);
/* Appends new text that stands for the source position anchor. */
void rw_insert(rewrite *w, const char *text, size_t anchor);
/* Source position of output offset dst (offsets past the end map to the end
 * of the last piece). */
size_t rw_map(const rewrite *w, size_t dst);
/* Output offset where source position src was copied to (the first copied
 * piece holding it), or (size_t)-1 when it was not copied. */
size_t rw_unmap(const rewrite *w, size_t src);
void rw_free(rewrite *w);

/* Looks up a parameter's value; returns NULL when it is not defined. */
typedef const char *(*rw_lookup_fn)(void *ctx, const char *name);
/* Reports a ${name} with no value at source offset off. */
typedef void (*rw_missing_fn)(void *ctx, const char *name, size_t off);

/* Copies text (len bytes) into w replacing every ${name} whose value lookup
 * knows. Unknown ones are reported through missing and left as they are.
 * Returns the number of unknown parameters. */
int rw_subst_params(rewrite *w, const char *text, size_t len, rw_lookup_fn lookup,
                    rw_missing_fn missing, void *ctx);

#endif
