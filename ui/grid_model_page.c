/*
 * grid_model_page.c - the grid model's pages (see grid_model.h): keyset
 * fetches in rowid or (column, rowid) order under a filter, windows merged
 * from pages, a row's position in the whole order, and the display widths
 * and alignment of a page's columns.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grid_model_int.h"

/* ======================= pages ======================= */

static void row_free(gm_row *r, int ncols)
{
    sqlite3_value_free(r->key);
    if (r->cells)
        for (int i = 0; i < ncols; i++) free(r->cells[i].text);
    free(r->cells);
}

void gm_page_free(gm_page *p)
{
    if (!p) return;
    for (int i = 0; i < p->nrows; i++) row_free(&p->rows[i], p->ncols);
    for (int i = 0; i < p->ncols; i++) {
        free(p->cols[i]);
        free(p->decl[i]);
    }
    free(p->cols);
    free(p->decl);
    free(p->rows);
    free(p->sort);
    free(p->filter);
    free(p);
}

gm_key gm_page_key(const gm_page *p, int i)
{
    gm_key k = {p->rows[i].rowid, NULL};
    if (p->rows[i].key) k.value = sqlite3_value_dup(p->rows[i].key);
    return k;
}

void gm_key_free(gm_key *k)
{
    sqlite3_value_free(k->value);
    k->value = NULL;
}

/* Length of the longest prefix of s[0..n) of at most max bytes that does not
 * split a UTF-8 character. */
size_t gm_utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max) return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
    return k;
}

char *gm_hex_text(const unsigned char *p, size_t n, size_t max, bool *cut)
{
    size_t m = n < max ? n : max;
    sb b = {0};
    sb_add(&b, "x'");
    for (size_t i = 0; i < m; i++) sb_addf(&b, "%02X", p[i]);
    sb_addc(&b, '\'');
    if (cut) *cut = n > m;
    return sb_take(&b);
}

static void cell_from(sqlite3_stmt *st, int i, gm_cell *c)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: c->type = GM_NULL; break;
    case SQLITE_INTEGER:
        c->type = GM_INT;
        c->text = xstrdup((const char *)sqlite3_column_text(st, i));
        break;
    case SQLITE_FLOAT:
        c->type = GM_REAL;
        c->text = xstrdup((const char *)sqlite3_column_text(st, i));
        break;
    case SQLITE_TEXT: {
        c->type = GM_TEXT;
        const char *s = (const char *)sqlite3_column_text(st, i);
        size_t n = (size_t)sqlite3_column_bytes(st, i);
        size_t k = gm_utf8_cut(s, n, GM_CELL_BYTES);
        c->text = xstrndup(s, k);
        c->cut = k < n;
        break;
    }
    default: {
        c->type = GM_BLOB;
        const unsigned char *p = sqlite3_column_blob(st, i);
        c->text = gm_hex_text(p, (size_t)sqlite3_column_bytes(st, i), 16, &c->cut);
        break;
    }
    }
}

static gm_page *page_new(sqlite3_stmt *st, const gm_opts *o, const char *filter)
{
    gm_page *p = xcalloc(1, sizeof(*p));
    p->ncols = sqlite3_column_count(st) - 1;
    p->cols = xcalloc((size_t)p->ncols, sizeof(char *));
    p->decl = xcalloc((size_t)p->ncols, sizeof(char *));
    for (int i = 0; i < p->ncols; i++) {
        const char *d = sqlite3_column_decltype(st, i + 1);
        p->cols[i] = xstrdup(sqlite3_column_name(st, i + 1));
        p->decl[i] = xstrdup(d ? d : "");
    }
    p->pos = p->after = -1;
    p->rid_min = 1;
    p->rid_max = 0;
    p->sort = o->sort ? xstrdup(o->sort) : NULL;
    p->desc = o->sort && o->desc;
    p->filter = filter ? xstrdup(filter) : NULL;
    return p;
}

/* The key condition, in the order of the rows asked for. greater: rows after
 * the key in ascending (column, rowid) order with NULLs first; else rows
 * before it. */
static void add_key_cond(sb *b, const char *col, const char *rid, bool null_key, bool greater,
                         bool inclusive)
{
    const char *op = greater ? (inclusive ? ">=" : ">") : (inclusive ? "<=" : "<");
    if (!col) {
        sb_addf(b, " AND %s %s :tarn_r", rid, op);
        return;
    }
    sb_add(b, " AND (");
    if (null_key) {
        /* a NULL key: NULL rows past the rowid, then (going up) every non-NULL */
        sb_add(b, "(");
        sb_add_ident(b, col);
        sb_addf(b, " IS NULL AND %s %s :tarn_r)", rid, op);
        if (greater) {
            sb_add(b, " OR ");
            sb_add_ident(b, col);
            sb_add(b, " IS NOT NULL");
        }
    } else {
        /* row values are NULL (false) for NULL columns, which sort first */
        sb_add(b, "(");
        sb_add_ident(b, col);
        sb_addf(b, ", %s) %s (:tarn_v, :tarn_r)", rid, op);
        if (!greater) {
            sb_add(b, " OR ");
            sb_add_ident(b, col);
            sb_add(b, " IS NULL");
        }
    }
    sb_add(b, ")");
}

static void add_order(sb *b, const char *col, const char *rid, bool asc)
{
    const char *dir = asc ? "" : " DESC";
    sb_add(b, " ORDER BY ");
    if (col) {
        sb_add_ident(b, col);
        sb_addf(b, "%s, ", dir);
    }
    sb_addf(b, "%s%s", rid, dir);
}

void gm_rid_range(gm *g, int64_t *lo, int64_t *hi)
{
    sqlite3_stmt *st = NULL;
    *lo = 1;
    *hi = 0;
    /* two subqueries: min() and max() together would scan the table */
    char *sql = xasprintf("SELECT (SELECT %1$s FROM %2$s ORDER BY %1$s LIMIT 1), "
                          "(SELECT %1$s FROM %2$s ORDER BY %1$s DESC LIMIT 1)",
                          g->rid, g->from);
    if (sqlite3_prepare_v2(g->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        *lo = sqlite3_column_int64(st, 0);
        *hi = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    free(sql);
}

static void reverse_rows(gm_page *p)
{
    for (int i = 0, j = p->nrows - 1; i < j; i++, j--) {
        gm_row t = p->rows[i];
        p->rows[i] = p->rows[j];
        p->rows[j] = t;
    }
}

/* One fetch of dir (never FRACTION) with key. */
static int fetch_dir(gm *g, const gm_opts *o, gm_dir dir, const gm_key *key, int n,
                     gm_page **out, char **err)
{
    const char *col = o->sort, *filter = gm_filter_of(o->filter);
    bool asc = !(col && o->desc);
    /* going "up" the display order: the ascending SQL order when asc */
    bool forward = dir == GM_FIRST || dir == GM_AFTER || dir == GM_FROM;
    sb b = {0};
    sb_addf(&b, "SELECT %s, * FROM %s WHERE 1", g->rid, g->from);
    gm_add_filter(&b, filter);
    if (dir == GM_AFTER || dir == GM_BEFORE || dir == GM_FROM) {
        bool null_key = col && (!key->value || sqlite3_value_type(key->value) == SQLITE_NULL);
        add_key_cond(&b, col, g->rid, null_key, forward == asc, dir == GM_FROM);
    }
    add_order(&b, col, g->rid, forward == asc);
    sb_addf(&b, " LIMIT %d", n + 1);
    sqlite3_stmt *st = NULL;
    int rc = gm_prepare_user(g, sb_str(&b), &st, err);
    sb_free(&b);
    if (rc) return -1;
    if (key) {
        gm_bind_named_int(st, ":tarn_r", key->rowid);
        int vi = sqlite3_bind_parameter_index(st, ":tarn_v");
        if (vi > 0 && key->value) sqlite3_bind_value(st, vi, key->value);
    }
    gm_page *p = page_new(st, o, filter);
    int key_col = col ? gm_page_col(p, col) : -1, cap = 0;
    bool more = false;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (p->nrows == n) {
            more = true;
            break;
        }
        if (p->nrows == cap) {
            cap = cap ? cap * 2 : 64;
            p->rows = xrealloc(p->rows, (size_t)cap * sizeof(gm_row));
        }
        gm_row *r = &p->rows[p->nrows++];
        r->rowid = sqlite3_column_int64(st, 0);
        r->key = NULL;
        r->cells = xcalloc((size_t)(p->ncols ? p->ncols : 1), sizeof(gm_cell));
        for (int i = 0; i < p->ncols; i++) cell_from(st, i + 1, &r->cells[i]);
        if (key_col >= 0) r->key = sqlite3_value_dup(sqlite3_column_value(st, key_col + 1));
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        gm_fail_db(g->db, NULL, err);
        sqlite3_finalize(st);
        gm_page_free(p);
        return -1;
    }
    sqlite3_finalize(st);
    if (!forward) reverse_rows(p);
    switch (dir) {
    case GM_FIRST:
        p->at_start = true;
        p->pos = 0;
        p->at_end = !more;
        break;
    case GM_LAST:
        p->at_end = true;
        p->after = 0;
        p->at_start = !more;
        break;
    case GM_BEFORE: p->at_start = !more; break;
    default: p->at_end = !more; break;
    }
    if (p->at_start) p->pos = 0;
    if (p->at_end) p->after = 0;
    if (!col) gm_rid_range(g, &p->rid_min, &p->rid_max);
    *out = p;
    return 0;
}

int gm_fetch(gm *g, const gm_opts *o, const gm_req *r, gm_page **out, char **err)
{
    *out = NULL;
    int n = r->n < 1 ? 1 : r->n;
    if (r->dir != GM_FRACTION) return fetch_dir(g, o, r->dir, &r->key, n, out, err);
    if (o->sort) return gm_fail_msg(err, "jumping to a fraction needs rowid order");
    int64_t lo, hi;
    gm_rid_range(g, &lo, &hi);
    double f = r->frac < 0 ? 0 : r->frac > 1 ? 1 : r->frac;
    if (lo > hi || f <= 0) return fetch_dir(g, o, GM_FIRST, NULL, n, out, err);
    gm_key k = {lo + (int64_t)((double)(hi - lo) * f), NULL};
    if (fetch_dir(g, o, GM_FROM, &k, n, out, err)) return -1;
    if ((*out)->nrows >= n) return 0;
    /* near the end: show the last full page instead */
    gm_page_free(*out);
    return fetch_dir(g, o, GM_LAST, NULL, n, out, err);
}

static bool same_columns(const gm_page *a, const gm_page *b)
{
    if (a->ncols != b->ncols) return false;
    for (int i = 0; i < a->ncols; i++)
        if (strcmp(a->cols[i], b->cols[i])) return false;
    return true;
}

int gm_page_merge(gm_page *w, gm_page *p, bool after, int max_rows, int keep_lo, int keep_hi,
                  int *added)
{
    if (added) *added = 0;
    if (!same_columns(w, p)) return -1;
    int old = w->nrows, k = p->nrows, dropped = 0;
    w->rows = xrealloc(w->rows, (size_t)(old + k + 1) * sizeof(gm_row));
    if (after) {
        memcpy(w->rows + old, p->rows, (size_t)k * sizeof(gm_row));
        w->at_end = p->at_end;
        w->after = p->at_end ? 0 : w->after >= k ? w->after - k : -1;
    } else {
        memmove(w->rows + k, w->rows, (size_t)old * sizeof(gm_row));
        memcpy(w->rows, p->rows, (size_t)k * sizeof(gm_row));
        w->at_start = p->at_start;
        w->pos = p->at_start ? 0 : w->pos >= k ? w->pos - k : -1;
        if (added) *added = k;
    }
    w->nrows = old + k;
    if (p->rid_min <= p->rid_max) {
        w->rid_min = p->rid_min;
        w->rid_max = p->rid_max;
    }
    p->nrows = 0; /* the rows moved to w */
    gm_page_free(p);

    int excess = w->nrows - max_rows;
    if (excess <= 0) return 0;
    if (after) {
        dropped = excess < keep_lo ? excess : keep_lo;
        if (dropped < 0) dropped = 0;
        for (int i = 0; i < dropped; i++) row_free(&w->rows[i], w->ncols);
        memmove(w->rows, w->rows + dropped, (size_t)(w->nrows - dropped) * sizeof(gm_row));
        w->nrows -= dropped;
        if (dropped) {
            w->at_start = false;
            if (w->pos >= 0) w->pos += dropped;
        }
        return dropped;
    }
    int floor = keep_hi + k; /* rows below this stay */
    int d = w->nrows - floor;
    if (d > excess) d = excess;
    if (d > 0) {
        for (int i = w->nrows - d; i < w->nrows; i++) row_free(&w->rows[i], w->ncols);
        w->nrows -= d;
        w->at_end = false;
        if (w->after >= 0) w->after += d;
    }
    return 0;
}

bool gm_page_position(const gm_page *w, int i, int64_t total, int64_t *pos, bool *exact)
{
    *exact = true;
    if (w->pos >= 0) {
        *pos = w->pos + i;
        return true;
    }
    if (w->after >= 0 && total >= 0) {
        int64_t p = total - w->after - w->nrows + i;
        *pos = p < 0 ? 0 : p;
        return true;
    }
    if (w->sort || total <= 0 || w->rid_min > w->rid_max || i < 0 || i >= w->nrows) return false;
    double f = w->rid_max == w->rid_min
                   ? 0
                   : (double)(w->rows[i].rowid - w->rid_min) / (double)(w->rid_max - w->rid_min);
    if (f < 0) f = 0;
    if (f > 1) f = 1;
    *pos = (int64_t)llround(f * (double)(total - 1));
    *exact = false;
    return true;
}

int gm_page_col(const gm_page *p, const char *name)
{
    if (!name) return -1;
    for (int i = 0; i < p->ncols; i++)
        if (!strcmp(p->cols[i], name)) return i;
    for (int i = 0; i < p->ncols; i++)
        if (str_ieq(p->cols[i], name)) return i;
    return -1;
}

/* ======================= widths and alignment ======================= */

static bool in_ranges(uint32_t c, const uint32_t (*r)[2], size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (c >= r[i][0] && c <= r[i][1]) return true;
    return false;
}

static int char_width(uint32_t c)
{
    static const uint32_t zero[][2] = {{0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD},
                                       {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},
                                       {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}};
    static const uint32_t wide[][2] = {
        {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},
        {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
        {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
        {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD}};
    if (in_ranges(c, zero, ARRAY_LEN(zero))) return 0;
    if (in_ranges(c, wide, ARRAY_LEN(wide))) return 2;
    return 1;
}

int gm_text_width(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    int w = 0;
    while (i < n) {
        unsigned char b = p[i];
        int len = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3
                             : (b & 0xF8) == 0xF0 ? 4 : 0;
        if (len == 0 || i + (size_t)len > n) {
            i++;
            w++;
            continue;
        }
        uint32_t c = len == 1 ? b : (uint32_t)(b & (0x7F >> len));
        bool ok = true;
        for (int k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80) ok = false;
            c = (c << 6) | (p[i + k] & 0x3F);
        }
        if (!ok) {
            i++;
            w++;
            continue;
        }
        i += (size_t)len;
        w += char_width(c);
    }
    return w;
}

void gm_page_widths(const gm_page *p, int cap, int (*width)(const char *s, size_t n), int *out)
{
    if (!width) width = gm_text_width;
    for (int c = 0; c < p->ncols; c++) {
        int w = width(p->cols[c], strlen(p->cols[c]));
        if (p->sort && !strcmp(p->sort, p->cols[c])) w += 2;
        for (int r = 0; r < p->nrows; r++) {
            const gm_cell *cell = &p->rows[r].cells[c];
            int cw = cell->text ? width(cell->text, strlen(cell->text)) + (cell->cut ? 1 : 0) : 1;
            if (cw > w) w = cw;
            if (w >= cap) break;
        }
        if (w < 1) w = 1;
        out[c] = w > cap ? cap : w;
    }
}

static bool has_word(const char *decl, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = decl; *p; p++)
        if (str_nieq(p, w, n)) return true;
    return false;
}

bool gm_page_numeric(const gm_page *p, int col)
{
    bool any = false;
    for (int r = 0; r < p->nrows; r++) {
        gm_vtype t = p->rows[r].cells[col].type;
        if (t == GM_NULL) continue;
        if (t != GM_INT && t != GM_REAL) return false;
        any = true;
    }
    if (any) return true;
    /* only NULLs: as declared (INTEGER, REAL and NUMERIC affinity) */
    const char *d = p->decl[col];
    if (!*d) return false;
    if (has_word(d, "INT")) return true;
    return !(has_word(d, "CHAR") || has_word(d, "CLOB") || has_word(d, "TEXT") ||
             has_word(d, "BLOB"));
}
