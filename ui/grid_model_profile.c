/*
 * grid_model_profile.c - what the grid model puts in popups (see
 * grid_model.h): column profiles (type counts, nulls, distinct values,
 * min/max, a histogram or the most frequent values) and their text, and a
 * cell's whole value as detail text (JSON pretty-printed, blobs as a hex
 * dump).
 */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "grid_model_int.h"

/* ======================= profiles ======================= */

static char *value_text(sqlite3_stmt *st, int i, size_t max)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: return NULL;
    case SQLITE_BLOB:
        return gm_hex_text(sqlite3_column_blob(st, i), (size_t)sqlite3_column_bytes(st, i), 16, NULL);
    default: {
        const char *s = (const char *)sqlite3_column_text(st, i);
        size_t n = (size_t)sqlite3_column_bytes(st, i);
        size_t k = gm_utf8_cut(s, n, max);
        char *t = xstrndup(s, k);
        if (k < n) {
            char *u = xasprintf("%s…", t);
            free(t);
            t = u;
        }
        return t;
    }
    }
}

/* Runs sql (built around the column and filter) and hands each row to fn. */
static int profile_query(gm *g, const char *sql, gm_profile *p,
                         void (*fn)(gm_profile *p, sqlite3_stmt *st), char **err)
{
    sqlite3_stmt *st = NULL;
    if (gm_prepare_user(g, sql, &st, err)) return -1;
    if (p->numeric) {
        gm_bind_named_double(st, ":tarn_lo", p->lo);
        gm_bind_named_double(st, ":tarn_w", p->width);
        gm_bind_named_int(st, ":tarn_nb", p->nbuckets);
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) fn(p, st);
    if (rc != SQLITE_DONE) {
        gm_fail_db(g->db, NULL, err);
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return 0;
}

static void take_summary(gm_profile *p, sqlite3_stmt *st)
{
    p->rows = sqlite3_column_int64(st, 0);
    p->nulls = sqlite3_column_int64(st, 1);
    p->n_int = sqlite3_column_int64(st, 2);
    p->n_real = sqlite3_column_int64(st, 3);
    p->n_text = sqlite3_column_int64(st, 4);
    p->n_blob = sqlite3_column_int64(st, 5);
    p->distinct = sqlite3_column_int64(st, 6);
    p->min = value_text(st, 7, 80);
    p->max = value_text(st, 8, 80);
}

static void take_range(gm_profile *p, sqlite3_stmt *st)
{
    p->lo = sqlite3_column_double(st, 0);
    p->hi = sqlite3_column_double(st, 1);
    if (p->n_real == 0) {
        /* integers: whole-number buckets */
        int64_t lo = sqlite3_column_int64(st, 0), hi = sqlite3_column_int64(st, 1);
        double span = (double)hi - (double)lo + 1;
        double w = ceil(span / 10);
        if (w < 1) w = 1;
        p->width = w;
        p->nbuckets = (int)ceil(span / w);
    } else if (p->hi > p->lo) {
        p->width = (p->hi - p->lo) / 10;
        p->nbuckets = 10;
    } else {
        p->width = 1;
        p->nbuckets = 1;
    }
    if (p->nbuckets > 10) p->nbuckets = 10;
    if (p->nbuckets < 1) p->nbuckets = 1;
}

static void take_bucket(gm_profile *p, sqlite3_stmt *st)
{
    int64_t b = sqlite3_column_int64(st, 0);
    if (b < 0) b = 0;
    if (b >= p->nbuckets) b = p->nbuckets - 1;
    p->buckets[b].count += sqlite3_column_int64(st, 1);
}

static void take_top(gm_profile *p, sqlite3_stmt *st)
{
    if (p->nbuckets >= 10) return;
    gm_bucket *bk = &p->buckets[p->nbuckets++];
    bk->label = value_text(st, 0, 40);
    bk->count = sqlite3_column_int64(st, 1);
}

static void label_buckets(gm_profile *p)
{
    for (int i = 0; i < p->nbuckets; i++) {
        double a = p->lo + p->width * i, b = a + p->width;
        if (p->n_real == 0 && p->width == 1) p->buckets[i].label = xasprintf("%.0f", a);
        else if (p->n_real == 0) p->buckets[i].label = xasprintf("%.0f–%.0f", a, b - 1);
        else if (p->nbuckets == 1) p->buckets[i].label = xasprintf("%g", a);
        else p->buckets[i].label = xasprintf("[%g, %g%s", a, i == p->nbuckets - 1 ? p->hi : b,
                                             i == p->nbuckets - 1 ? "]" : ")");
    }
}

int gm_profile_column(gm *g, const char *column, const char *filter, gm_profile *out, char **err)
{
    memset(out, 0, sizeof(*out));
    filter = gm_filter_of(filter);
    out->column = xstrdup(column);
    sb c = {0}, b = {0};
    sb_add_ident(&c, column);
    const char *col = sb_str(&c);

    /* its declared type */
    char *sql = xasprintf("SELECT %s FROM %s", col, g->from);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(g->db, sql, -1, &st, NULL) != SQLITE_OK) {
        free(sql);
        sb_free(&c);
        gm_fail_db(g->db, NULL, err);
        gm_profile_free(out);
        return -1;
    }
    const char *d = sqlite3_column_decltype(st, 0);
    out->decl = xstrdup(d ? d : "");
    sqlite3_finalize(st);
    free(sql);

    int rc = -1;
    sb_addf(&b,
            "SELECT count(*), sum(typeof(%1$s) = 'null'), sum(typeof(%1$s) = 'integer'), "
            "sum(typeof(%1$s) = 'real'), sum(typeof(%1$s) = 'text'), "
            "sum(typeof(%1$s) = 'blob'), count(DISTINCT %1$s), min(%1$s), max(%1$s) "
            "FROM %2$s WHERE 1",
            col, g->from);
    gm_add_filter(&b, filter);
    if (profile_query(g, sb_str(&b), out, take_summary, err)) goto done;
    sb_clear(&b);

    int64_t numbers = out->n_int + out->n_real, nonnull = out->rows - out->nulls;
    if (numbers > 0 && numbers * 2 >= nonnull) {
        const char *where = " WHERE typeof(%1$s) IN ('integer', 'real')";
        sb_addf(&b, "SELECT min(%1$s), max(%1$s) FROM %2$s", col, g->from);
        sb_addf(&b, where, col);
        gm_add_filter(&b, filter);
        if (profile_query(g, sb_str(&b), out, take_range, err)) goto done;
        sb_clear(&b);
        out->numeric = true;
        sb_addf(&b,
                "SELECT min(:tarn_nb - 1, CAST((%1$s - :tarn_lo) / :tarn_w AS INTEGER)), "
                "count(*) FROM %2$s",
                col, g->from);
        sb_addf(&b, where, col);
        gm_add_filter(&b, filter);
        sb_add(&b, " GROUP BY 1");
        if (profile_query(g, sb_str(&b), out, take_bucket, err)) goto done;
        label_buckets(out);
    } else if (nonnull > 0) {
        sb_addf(&b, "SELECT %1$s, count(*) FROM %2$s WHERE %1$s IS NOT NULL", col, g->from);
        gm_add_filter(&b, filter);
        sb_add(&b, " GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10");
        if (profile_query(g, sb_str(&b), out, take_top, err)) goto done;
    }
    rc = 0;
done:
    sb_free(&b);
    sb_free(&c);
    if (rc) gm_profile_free(out);
    return rc;
}

void gm_profile_free(gm_profile *p)
{
    free(p->column);
    free(p->decl);
    free(p->min);
    free(p->max);
    for (int i = 0; i < p->nbuckets; i++) free(p->buckets[i].label);
    memset(p, 0, sizeof(*p));
}

static void add_padded(sb *b, const char *s, int w)
{
    sb_add(b, s);
    for (int k = gm_text_width(s, strlen(s)); k < w; k++) sb_addc(b, ' ');
}

char *gm_profile_text(const gm_profile *p)
{
    static const char *const blocks[] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    sb b = {0};
    char n1[32], n2[32], n3[32], n4[32], n5[32];
    sb_addf(&b, "column    %s%s%s%s\n", p->column, *p->decl ? "  (" : "", p->decl,
            *p->decl ? ")" : "");
    sb_addf(&b, "rows      %s\n", gm_fmt_int(p->rows, n1));
    sb_addf(&b, "nulls     %s (%.1f%%)\n", gm_fmt_int(p->nulls, n1),
            p->rows ? 100.0 * (double)p->nulls / (double)p->rows : 0.0);
    sb_addf(&b, "distinct  %s\n", gm_fmt_int(p->distinct, n1));
    sb_addf(&b, "min       %s\n", p->min ? p->min : "∅");
    sb_addf(&b, "max       %s\n", p->max ? p->max : "∅");
    sb_addf(&b, "types     integer %s  real %s  text %s  blob %s  null %s\n",
            gm_fmt_int(p->n_int, n1), gm_fmt_int(p->n_real, n2), gm_fmt_int(p->n_text, n3),
            gm_fmt_int(p->n_blob, n4), gm_fmt_int(p->nulls, n5));
    if (p->nbuckets == 0) return sb_take(&b);

    int64_t max = 0;
    int lw = 0;
    for (int i = 0; i < p->nbuckets; i++) {
        if (p->buckets[i].count > max) max = p->buckets[i].count;
        int w = gm_text_width(p->buckets[i].label, strlen(p->buckets[i].label));
        if (w > lw) lw = w;
    }
    if (p->numeric) {
        sb_addf(&b, "\nhistogram of the numbers (%d buckets)\n  ", p->nbuckets);
        for (int i = 0; i < p->nbuckets; i++) {
            int64_t c = p->buckets[i].count;
            sb_add(&b, c == 0 ? " " : blocks[max ? (int)((c * 7 + max - 1) / max) : 0]);
        }
        sb_add(&b, "\n\n");
    } else {
        sb_add(&b, "\nmost frequent values\n\n");
    }
    for (int i = 0; i < p->nbuckets; i++) {
        int64_t c = p->buckets[i].count;
        sb_add(&b, "  ");
        add_padded(&b, p->buckets[i].label, lw);
        char cnt[32];
        gm_fmt_int(c, cnt);
        sb_addf(&b, "  %12s  ", cnt);
        int bar = max ? (int)((c * 30 + max - 1) / max) : 0;
        for (int k = 0; k < bar; k++) sb_add(&b, "█");
        sb_addc(&b, '\n');
    }
    return sb_take(&b);
}

/* ======================= details ======================= */

static void newline_indent(sb *b, int depth)
{
    sb_addc(b, '\n');
    for (int i = 0; i < depth; i++) sb_add(b, "  ");
}

/* Re-indents JSON text that cJSON accepted, token by token, so numbers stay
 * exactly as written (cJSON would print them as doubles). */
static char *json_pretty(const char *s, size_t n)
{
    sb b = {0};
    int depth = 0;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            sb_addc(&b, c);
            if (esc) esc = false;
            else if (c == '\\') esc = true;
            else if (c == '"') in_str = false;
            continue;
        }
        switch (c) {
        case ' ': case '\t': case '\n': case '\r': break;
        case '"': in_str = true; sb_addc(&b, c); break;
        case '{': case '[': {
            size_t j = i + 1;
            while (j < n && isspace((unsigned char)s[j])) j++;
            sb_addc(&b, c);
            if (j < n && (s[j] == '}' || s[j] == ']')) {
                sb_addc(&b, s[j]);
                i = j;
            } else newline_indent(&b, ++depth);
            break;
        }
        case '}': case ']':
            newline_indent(&b, depth > 0 ? --depth : 0);
            sb_addc(&b, c);
            break;
        case ',': sb_addc(&b, c); newline_indent(&b, depth); break;
        case ':': sb_add(&b, ": "); break;
        default: sb_addc(&b, c); break;
        }
    }
    return sb_take(&b);
}

static char *hex_dump(const unsigned char *p, size_t n)
{
    enum { SHOW = 65536 };
    sb b = {0};
    char cnt[32];
    sb_addf(&b, "blob, %s bytes\n\n", gm_fmt_int((int64_t)n, cnt));
    size_t m = n < SHOW ? n : SHOW;
    for (size_t off = 0; off < m; off += 16) {
        sb_addf(&b, "%08zx ", off);
        for (size_t i = off; i < off + 16; i++) {
            if (i < m) sb_addf(&b, " %02x", p[i]);
            else sb_add(&b, "   ");
        }
        sb_add(&b, "  |");
        for (size_t i = off; i < off + 16 && i < m; i++)
            sb_addc(&b, p[i] >= 32 && p[i] < 127 ? (char)p[i] : '.');
        sb_add(&b, "|\n");
    }
    if (m < n) sb_addf(&b, "… %s more bytes\n", gm_fmt_int((int64_t)(n - m), cnt));
    return sb_take(&b);
}

char *gm_detail_format(gm_vtype type, const void *data, size_t len)
{
    const char *s = data ? data : "";
    switch (type) {
    case GM_NULL: return xstrdup("NULL");
    case GM_BLOB: return hex_dump(data, len);
    case GM_TEXT: {
        size_t i = 0;
        while (i < len && isspace((unsigned char)s[i])) i++;
        if (i < len && (s[i] == '{' || s[i] == '[')) {
            cJSON *j = cJSON_ParseWithLength(s, len);
            if (j) {
                cJSON_Delete(j);
                return json_pretty(s, len);
            }
        }
        return xstrndup(s, len);
    }
    default: return xstrndup(s, len);
    }
}

int gm_detail(gm *g, int64_t rowid, const char *column, char **out, char **err)
{
    *out = NULL;
    sb b = {0};
    sb_add(&b, "SELECT ");
    sb_add_ident(&b, column);
    sb_addf(&b, " FROM %s WHERE %s = :tarn_r", g->from, g->rid);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(g->db, sb_str(&b), -1, &st, NULL);
    sb_free(&b);
    if (rc != SQLITE_OK) return gm_fail_db(g->db, NULL, err);
    gm_bind_named_int(st, ":tarn_r", rowid);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        gm_vtype t;
        const void *data;
        switch (sqlite3_column_type(st, 0)) {
        case SQLITE_NULL: t = GM_NULL; break;
        case SQLITE_INTEGER: t = GM_INT; break;
        case SQLITE_FLOAT: t = GM_REAL; break;
        case SQLITE_TEXT: t = GM_TEXT; break;
        default: t = GM_BLOB; break;
        }
        data = t == GM_BLOB ? sqlite3_column_blob(st, 0) : (const void *)sqlite3_column_text(st, 0);
        *out = gm_detail_format(t, data, (size_t)sqlite3_column_bytes(st, 0));
    } else if (rc == SQLITE_DONE) {
        gm_fail_msg(err, "the row is gone (the table changed); reload with r");
    } else {
        gm_fail_db(g->db, NULL, err);
    }
    sqlite3_finalize(st);
    return *out ? 0 : -1;
}
