/*
 * cli_format.c - table, CSV and JSON output of query results (see
 * cli_format.h).
 */
#include "cli_format.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "util.h"

#define CELL_MAX 40       /* display columns a table cell shows before "..." */
#define CELL_LAST_MAX 400 /* the same for the last column, which can run on */

int cli_format_parse(const char *s, cli_format *f)
{
    if (!strcmp(s, "table")) *f = FMT_TABLE;
    else if (!strcmp(s, "csv")) *f = FMT_CSV;
    else if (!strcmp(s, "json")) *f = FMT_JSON;
    else return -1;
    return 0;
}

/* ---- display width ---- */

/* Display columns of the UTF-8 text s[0..n); control characters count 1. */
static int text_width(const char *s, size_t n)
{
    mbstate_t ms = {0};
    int w = 0;
    size_t i = 0;
    while (i < n) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s + i, n - i, &ms);
        if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
            memset(&ms, 0, sizeof ms);
            w++;
            i++;
            continue;
        }
        int cw = wcwidth(wc);
        w += cw < 0 ? 1 : cw;
        i += k;
    }
    return w;
}

/* Copies s into b for a table cell: newlines and tabs shown as spaces,
 * truncated to max display columns with "...". */
static void cell_text(sb *b, const char *s, int max)
{
    mbstate_t ms = {0};
    size_t n = strlen(s), i = 0;
    int w = 0;
    while (i < n) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s + i, n - i, &ms);
        if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
            memset(&ms, 0, sizeof ms);
            k = 1;
            wc = '?';
        }
        int cw = wcwidth(wc);
        if (cw < 0) cw = 1;
        if (w + cw > max - 3 && text_width(s + i, n - i) + w > max) {
            sb_add(b, "...");
            return;
        }
        if (s[i] == '\n' || s[i] == '\t' || s[i] == '\r') sb_addc(b, ' ');
        else sb_addn(b, s + i, k);
        w += cw;
        i += k;
    }
}

/* ---- table ---- */

typedef struct cell {
    char *text;
    bool number;
} cell;

static bool hidden(unsigned mask, int c)
{
    return c < 32 && (mask >> c) & 1;
}

static int64_t print_table(FILE *out, sqlite3_stmt *st, int64_t limit, unsigned hide,
                           char **err)
{
    int nc = sqlite3_column_count(st);
    int last = nc - 1; /* the last shown column is never cut nor padded */
    while (last > 0 && hidden(hide, last)) last--;
    int *width = xcalloc((size_t)nc + 1, sizeof(int));
    VEC(cell) cells = {0};
    for (int c = 0; c < nc; c++) width[c] = text_width(sqlite3_column_name(st, c),
                                                       strlen(sqlite3_column_name(st, c)));
    int64_t rows = 0;
    int rc = SQLITE_DONE;
    while ((limit == 0 || rows < limit) && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < nc; c++) {
            int t = sqlite3_column_type(st, c);
            sb b = {0};
            if (t == SQLITE_NULL) sb_add(&b, "NULL");
            else if (t == SQLITE_BLOB) sb_addf(&b, "<blob %d bytes>", sqlite3_column_bytes(st, c));
            else cell_text(&b, (const char *)sqlite3_column_text(st, c),
                           c == last ? CELL_LAST_MAX : CELL_MAX);
            cell x = {sb_take(&b), t == SQLITE_INTEGER || t == SQLITE_FLOAT};
            int w = text_width(x.text, strlen(x.text));
            if (w > width[c]) width[c] = w;
            VEC_PUSH(&cells, x);
        }
        rows++;
    }
    if (limit && rows == limit) rc = SQLITE_DONE;
    if (rc != SQLITE_DONE) {
        *err = xstrdup(sqlite3_errmsg(sqlite3_db_handle(st)));
        rows = -1;
    } else {
        const char *sep = "";
        for (int c = 0; c < nc; c++) {
            if (hidden(hide, c)) continue;
            const char *h = sqlite3_column_name(st, c);
            fprintf(out, "%s %s%*s", sep, h, c == last ? 0 : width[c] - text_width(h, strlen(h)),
                    "");
            sep = " |";
        }
        fputc('\n', out);
        sep = "-";
        for (int c = 0; c < nc; c++) {
            if (hidden(hide, c)) continue;
            fputs(sep, out);
            for (int k = 0; k < width[c]; k++) fputc('-', out);
            sep = "-+-";
        }
        fputs("-\n", out);
        for (int64_t r = 0; r < rows; r++) {
            sep = "";
            for (int c = 0; c < nc; c++) {
                if (hidden(hide, c)) continue;
                const cell *x = &cells.v[r * nc + c];
                int pad = width[c] - text_width(x->text, strlen(x->text));
                if (x->number) fprintf(out, "%s %*s%s", sep, pad, "", x->text);
                else fprintf(out, "%s %s%*s", sep, x->text, c == last ? 0 : pad, "");
                sep = " |";
            }
            fputc('\n', out);
        }
        fprintf(out, "(%lld row%s)\n", (long long)rows, rows == 1 ? "" : "s");
    }
    for (size_t i = 0; i < cells.n; i++) free(cells.v[i].text);
    VEC_FREE(&cells);
    free(width);
    return rows;
}

/* ---- CSV and JSON stream row by row ---- */

static void csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static void json_value(FILE *out, sqlite3_stmt *st, int c, bool raw)
{
    sb b = {0};
    switch (sqlite3_column_type(st, c)) {
    case SQLITE_NULL: fputs("null", out); break;
    case SQLITE_INTEGER: fputs((const char *)sqlite3_column_text(st, c), out); break;
    case SQLITE_FLOAT: /* JSON has no Inf: SQLite's 1e999 prints as null */
        if (isfinite(sqlite3_column_double(st, c)))
            fputs((const char *)sqlite3_column_text(st, c), out);
        else
            fputs("null", out);
        break;
    case SQLITE_BLOB: fprintf(out, "\"<blob %d bytes>\"", sqlite3_column_bytes(st, c)); break;
    default:
        if (raw) {
            fputs((const char *)sqlite3_column_text(st, c), out);
        } else {
            sb_add_jsonstr(&b, (const char *)sqlite3_column_text(st, c));
            fputs(sb_str(&b), out);
        }
    }
    sb_free(&b);
}

static int64_t print_stream(FILE *out, sqlite3_stmt *st, cli_format f, int64_t limit,
                            unsigned json_cols, char **err)
{
    int nc = sqlite3_column_count(st);
    int64_t rows = 0;
    if (f == FMT_CSV) {
        for (int c = 0; c < nc; c++) {
            if (c) fputc(',', out);
            csv_field(out, sqlite3_column_name(st, c));
        }
        fputs("\r\n", out);
    } else {
        fputs("[", out);
    }
    int rc = SQLITE_DONE;
    while ((limit == 0 || rows < limit) && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (f == FMT_JSON) fputs(rows ? ",\n  {" : "\n  {", out);
        for (int c = 0; c < nc; c++) {
            if (f == FMT_CSV) {
                if (c) fputc(',', out);
                if (sqlite3_column_type(st, c) != SQLITE_NULL)
                    csv_field(out, (const char *)sqlite3_column_text(st, c));
                continue;
            }
            sb key = {0};
            sb_add_jsonstr(&key, sqlite3_column_name(st, c));
            fprintf(out, "%s%s: ", c ? ", " : "", sb_str(&key));
            sb_free(&key);
            json_value(out, st, c, hidden(json_cols, c));
        }
        fputs(f == FMT_CSV ? "\r\n" : "}", out);
        rows++;
    }
    if (limit && rows == limit) rc = SQLITE_DONE;
    if (f == FMT_JSON) fputs(rows ? "\n]\n" : "]\n", out);
    if (rc != SQLITE_DONE) {
        *err = xstrdup(sqlite3_errmsg(sqlite3_db_handle(st)));
        return -1;
    }
    return rows;
}

int64_t cli_print_rows(FILE *out, sqlite3_stmt *st, const cli_rows *o, char **err)
{
    if (o->fmt == FMT_TABLE) return print_table(out, st, o->limit, o->table_hide, err);
    return print_stream(out, st, o->fmt, o->limit, o->json_cols, err);
}
