/*
 * diag.c - the problem list (see diag.h).
 */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

static void add(diag_list *l, diag_level level, const char *file, int line, int col,
                char *msg)
{
    diag d = {level, file ? xstrdup(file) : NULL, line, col, msg};
    VEC_PUSH(&l->items, d);
    if (level == DIAG_ERROR) l->errors++;
    if (level == DIAG_WARNING) l->warnings++;
}

void diag_add(diag_list *l, diag_level level, const char *file, int line, int col,
              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add(l, level, file, line, col, xvasprintf(fmt, ap));
    va_end(ap);
}

void diag_at(diag_list *l, diag_level level, const char *file, const char *text,
             size_t off, const char *fmt, ...)
{
    int line = 0, col = 0;
    if (text) text_linecol(text, off, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    add(l, level, file, line, col, xvasprintf(fmt, ap));
    va_end(ap);
}

static int cmp(const diag *a, const diag *b)
{
    int c = strcmp(a->file ? a->file : "", b->file ? b->file : "");
    if (c) return c;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    if (a->col != b->col) return a->col < b->col ? -1 : 1;
    return 0;
}

/* Insertion sort: stable, and problem lists are short. */
void diag_sort(diag_list *l)
{
    diag *v = l->items.v;
    for (size_t i = 1; i < l->items.n; i++) {
        diag d = v[i];
        size_t j = i;
        while (j > 0 && cmp(&v[j - 1], &d) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = d;
    }
}

const char *diag_level_name(diag_level level)
{
    switch (level) {
    case DIAG_ERROR: return "error";
    case DIAG_WARNING: return "warning";
    default: return "note";
    }
}

char *diag_format(const diag *d)
{
    sb b = {0};
    if (d->file) {
        sb_add(&b, d->file);
        if (d->line > 0) sb_addf(&b, ":%d:%d", d->line, d->col > 0 ? d->col : 1);
        sb_add(&b, ": ");
    }
    sb_addf(&b, "%s: %s", diag_level_name(d->level), d->msg);
    return sb_take(&b);
}

void diag_free(diag_list *l)
{
    for (size_t i = 0; i < l->items.n; i++) {
        free(l->items.v[i].file);
        free(l->items.v[i].msg);
    }
    VEC_FREE(&l->items);
    l->errors = l->warnings = 0;
}
