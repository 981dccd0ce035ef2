/*
 * grid_model.c - the data grid's model (see grid_model.h): opening tables
 * and query results, keyset paging, windows merged from pages, the stepped
 * row count, column profiles and cell details.
 */
#include "grid_model.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct gm {
    sqlite3 *db;
    char *name;          /* shown: the table, or "query" */
    char *from;          /* what to select from: main."t" or temp."_tarn_grid_result" */
    const char *rid;     /* a rowid alias no column shadows */
    bool query;
    int64_t qrows;
    gm_tick_fn tick;
    void *tick_ctx;
    int64_t tick_rows;   /* rows so far, given to tick */
};

static const char RESULT_TABLE[] = "_tarn_grid_result";

/* ======================= errors and small helpers ======================= */

static int progress_cb(void *p)
{
    gm *g = p;
    return g->tick ? g->tick(g->tick_ctx, g->tick_rows) : 0;
}

/* Sets *err from the connection's last error ("canceled" for an interrupt). */
static int fail_db(sqlite3 *db, const char *what, char **err)
{
    int code = sqlite3_errcode(db);
    if (err) {
        if (code == SQLITE_INTERRUPT) *err = xstrdup("canceled");
        else if (what) *err = xasprintf("%s: %s", what, sqlite3_errmsg(db));
        else *err = xstrdup(sqlite3_errmsg(db));
    }
    return -1;
}

static int fail_msg(char **err, const char *msg)
{
    if (err) *err = xstrdup(msg);
    return -1;
}

/* Skips white space, comments and semicolons: true when nothing else is left. */
static bool sql_blank(const char *s)
{
    while (s && *s) {
        if (isspace((unsigned char)*s) || *s == ';') s++;
        else if (s[0] == '-' && s[1] == '-') {
            while (*s && *s != '\n') s++;
        } else if (s[0] == '/' && s[1] == '*') {
            const char *e = strstr(s + 2, "*/");
            if (!e) return true;
            s = e + 2;
        } else return false;
    }
    return true;
}

/* A filter worth applying: not NULL and not blank. */
static const char *filter_of(const char *f)
{
    if (!f) return NULL;
    for (const char *p = f; *p; p++)
        if (!isspace((unsigned char)*p)) return f;
    return NULL;
}

static void add_filter(sb *b, const char *filter)
{
    /* on lines of its own, so a trailing "-- comment" ends at the newline */
    if (filter) sb_addf(b, " AND (\n%s\n)", filter);
}

/* Prepares sql that carries a user's filter: one statement, read-only, with
 * no parameters but the ones named ":tarn_*". */
static int prepare_user(gm *g, const char *sql, sqlite3_stmt **st, char **err)
{
    const char *tail = NULL;
    if (sqlite3_prepare_v2(g->db, sql, -1, st, &tail) != SQLITE_OK) {
        *st = NULL;
        return fail_db(g->db, NULL, err);
    }
    const char *why = NULL;
    if (!sql_blank(tail)) why = "the filter must be one expression";
    else if (!sqlite3_stmt_readonly(*st)) why = "the filter must not write";
    for (int i = 1; !why && i <= sqlite3_bind_parameter_count(*st); i++) {
        const char *n = sqlite3_bind_parameter_name(*st, i);
        if (!n || strncmp(n, ":tarn_", 6)) why = "the filter may not have parameters";
    }
    if (why) {
        sqlite3_finalize(*st);
        *st = NULL;
        return fail_msg(err, why);
    }
    return 0;
}

static void bind_named_int(sqlite3_stmt *st, const char *name, int64_t v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i > 0) sqlite3_bind_int64(st, i, v);
}

static void bind_named_double(sqlite3_stmt *st, const char *name, double v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i > 0) sqlite3_bind_double(st, i, v);
}

const char *gm_fmt_int(int64_t n, char buf[32])
{
    char digits[32];
    uint64_t u = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
    snprintf(digits, sizeof digits, "%llu", (unsigned long long)u);
    size_t len = strlen(digits), o = 0;
    if (n < 0) buf[o++] = '-';
    for (size_t i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = 0;
    return buf;
}

/* ======================= opening ======================= */

/* Double-quoted strings off: a misspelled "column" must be an error, not a
 * string constant that sorts or profiles as one. */
static void set_dqs(sqlite3 *db, bool on)
{
    sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, on ? 1 : 0, (int *)NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, on ? 1 : 0, (int *)NULL);
}

static gm *gm_new(sqlite3 *db, const char *name, gm_tick_fn tick, void *ctx)
{
    gm *g = xcalloc(1, sizeof(*g));
    g->db = db;
    g->name = xstrdup(name);
    g->tick = tick;
    g->tick_ctx = ctx;
    sqlite3_busy_timeout(db, 5000);
    sqlite3_progress_handler(db, 2000, progress_cb, g);
    set_dqs(db, false);
    return g;
}

void gm_free(gm *g)
{
    if (!g) return;
    sqlite3_close(g->db);
    free(g->name);
    free(g->from);
    free(g);
}

void gm_set_tick(gm *g, gm_tick_fn tick, void *ctx)
{
    g->tick = tick;
    g->tick_ctx = ctx;
    g->tick_rows = 0;
}

const char *gm_name(const gm *g)
{
    return g->name;
}

bool gm_is_query(const gm *g)
{
    return g->query;
}

int64_t gm_query_rows(const gm *g)
{
    return g->qrows;
}

/* Picks a rowid alias that no column of g->from shadows and that works
 * (views and WITHOUT ROWID tables have none). */
static bool pick_rowid(gm *g)
{
    static const char *const aliases[] = {"rowid", "_rowid_", "oid"};
    sqlite3_stmt *st = NULL;
    char *sql = xasprintf("SELECT * FROM %s", g->from);
    int rc = sqlite3_prepare_v2(g->db, sql, -1, &st, NULL);
    free(sql);
    if (rc != SQLITE_OK) return false;
    int n = sqlite3_column_count(st);
    for (size_t a = 0; a < ARRAY_LEN(aliases) && !g->rid; a++) {
        bool shadowed = false;
        for (int i = 0; i < n && !shadowed; i++)
            shadowed = str_ieq(sqlite3_column_name(st, i), aliases[a]);
        if (shadowed) continue;
        sqlite3_stmt *t = NULL;
        char *q = xasprintf("SELECT %s FROM %s", aliases[a], g->from);
        if (sqlite3_prepare_v2(g->db, q, -1, &t, NULL) == SQLITE_OK) g->rid = aliases[a];
        sqlite3_finalize(t);
        free(q);
    }
    sqlite3_finalize(st);
    return g->rid != NULL;
}

/* Views prepare "SELECT rowid" (it is NULL) but have no rowid to page by. */
static bool is_view(gm *g, const char *table)
{
    sqlite3_stmt *st = NULL;
    bool view = false;
    if (sqlite3_prepare_v2(g->db,
                           "SELECT type FROM main.sqlite_schema WHERE name = ?1 COLLATE NOCASE",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        view = sqlite3_step(st) == SQLITE_ROW &&
               str_ieq((const char *)sqlite3_column_text(st, 0), "view");
    }
    sqlite3_finalize(st);
    return view;
}

int gm_open_table(const char *path, const char *table, gm_tick_fn tick, void *ctx, gm **out,
                  char **err)
{
    *out = NULL;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fail_db(db, path, err);
        sqlite3_close(db);
        return -1;
    }
    gm *g = gm_new(db, table, tick, ctx);
    sb b = {0};
    sb_add(&b, "main.");
    sb_add_ident(&b, table);
    g->from = sb_take(&b);
    sqlite3_stmt *st = NULL;
    char *sql = xasprintf("SELECT * FROM %s", g->from);
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    free(sql);
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) {
        fail_db(db, NULL, err);
        gm_free(g);
        return -1;
    }
    if (!is_view(g, table) && pick_rowid(g)) {
        *out = g;
        return 0;
    }
    /* a view or a table without rowid: show it as a query result */
    gm_free(g);
    sb_add(&b, "SELECT * FROM ");
    sb_add_ident(&b, table);
    sql = sb_take(&b);
    rc = gm_open_query(path, sql, tick, ctx, out, err);
    free(sql);
    if (rc == 0) {
        free((*out)->name);
        (*out)->name = xstrdup(table);
    }
    return rc;
}

/* "file:" URI of path opened read-only: '%', '?' and '#' are escaped. */
static char *ro_uri(const char *path)
{
    sb b = {0};
    sb_add(&b, path[0] == '/' ? "file://" : "file:");
    for (const char *p = path; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#') sb_addf(&b, "%%%02X", (unsigned char)*p);
        else sb_addc(&b, *p);
    }
    sb_add(&b, "?mode=ro");
    return sb_take(&b);
}

/* The user's query may read anything but not attach or detach databases. */
static int query_auth(void *ctx, int action, const char *a, const char *b, const char *c,
                      const char *d)
{
    (void)ctx, (void)a, (void)b, (void)c, (void)d;
    return action == SQLITE_ATTACH || action == SQLITE_DETACH ? SQLITE_DENY : SQLITE_OK;
}

/* Result column names made unique ("id", "id:1") and never empty. */
static char **result_names(sqlite3_stmt *q, int n)
{
    char **names = xcalloc((size_t)n, sizeof(char *));
    for (int i = 0; i < n; i++) {
        const char *nm = sqlite3_column_name(q, i);
        char *name = nm && *nm ? xstrdup(nm) : xasprintf("column%d", i + 1);
        for (int k = 1;; k++) {
            bool dup = false;
            for (int j = 0; j < i && !dup; j++) dup = str_ieq(names[j], name);
            if (!dup) break;
            free(name);
            name = xasprintf("%s:%d", nm && *nm ? nm : "column", k);
        }
        names[i] = name;
    }
    return names;
}

/* Copies every row of q into the result table; returns SQLITE_DONE or the
 * failing code. */
static int materialize(gm *g, sqlite3_stmt *q, sqlite3_stmt *ins, int ncols)
{
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        for (int i = 0; i < ncols; i++) sqlite3_bind_value(ins, i + 1, sqlite3_column_value(q, i));
        if (sqlite3_step(ins) != SQLITE_DONE) return sqlite3_errcode(g->db);
        sqlite3_reset(ins);
        g->tick_rows++;
        if ((g->tick_rows & 1023) == 0 && g->tick && g->tick(g->tick_ctx, g->tick_rows))
            return SQLITE_INTERRUPT;
    }
    return rc;
}

int gm_open_query(const char *path, const char *sql, gm_tick_fn tick, void *ctx, gm **out,
                  char **err)
{
    *out = NULL;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(":memory:", &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
                        NULL) != SQLITE_OK) {
        fail_db(db, "in-memory database", err);
        sqlite3_close(db);
        return -1;
    }
    gm *g = gm_new(db, "query", tick, ctx);
    g->query = true;
    sb b = {0};
    char *uri = ro_uri(path);
    sb_add(&b, "ATTACH ");
    sb_add_sqlstr(&b, uri);
    sb_add(&b, " AS wh");
    free(uri);
    char *attach = sb_take(&b);
    int rc = sqlite3_exec(db, attach, NULL, NULL, NULL);
    free(attach);
    if (rc != SQLITE_OK) {
        fail_db(db, path, err);
        gm_free(g);
        return -1;
    }

    sqlite3_stmt *q = NULL, *ins = NULL;
    const char *tail = NULL;
    char **names = NULL;
    int ncols = 0;
    /* the user's SQL runs as the sqlite3 shell would run it */
    set_dqs(db, true);
    sqlite3_set_authorizer(db, query_auth, NULL);
    rc = sqlite3_prepare_v2(db, sql, -1, &q, &tail);
    if (rc != SQLITE_OK) {
        fail_db(db, NULL, err);
        goto fail;
    }
    if (!q) {
        fail_msg(err, "the query is empty");
        goto fail;
    }
    if (!sql_blank(tail)) {
        fail_msg(err, "run one statement at a time");
        goto fail;
    }
    if (!sqlite3_stmt_readonly(q)) {
        fail_msg(err, "only read-only statements (SELECT, WITH, VALUES) can be shown");
        goto fail;
    }
    ncols = sqlite3_column_count(q);
    if (ncols == 0) {
        fail_msg(err, "the statement returns no rows to show");
        goto fail;
    }
    names = result_names(q, ncols);
    sb_addf(&b, "CREATE TEMP TABLE \"%s\"(", RESULT_TABLE);
    for (int i = 0; i < ncols; i++) {
        const char *decl = sqlite3_column_decltype(q, i);
        if (i) sb_add(&b, ", ");
        sb_add_ident(&b, names[i]);
        if (decl && *decl) {
            sb_addc(&b, ' ');
            sb_add_ident(&b, decl);
        }
    }
    sb_add(&b, ")");
    rc = sqlite3_exec(db, sb_str(&b), NULL, NULL, NULL);
    sb_clear(&b);
    if (rc != SQLITE_OK) {
        fail_db(db, "result table", err);
        goto fail;
    }
    sb_addf(&b, "INSERT INTO temp.\"%s\" VALUES(", RESULT_TABLE);
    for (int i = 0; i < ncols; i++) sb_add(&b, i ? ", ?" : "?");
    sb_add(&b, ")");
    rc = sqlite3_prepare_v2(db, sb_str(&b), -1, &ins, NULL);
    sb_clear(&b);
    if (rc != SQLITE_OK) {
        fail_db(db, "result table", err);
        goto fail;
    }
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    rc = materialize(g, q, ins, ncols);
    if (rc != SQLITE_DONE) {
        if (rc == SQLITE_INTERRUPT) fail_msg(err, "canceled");
        else fail_db(db, NULL, err);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        goto fail;
    }
    sqlite3_finalize(q);
    sqlite3_finalize(ins);
    q = ins = NULL;
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        fail_db(db, "result table", err);
        goto fail;
    }
    sqlite3_set_authorizer(db, NULL, NULL);
    set_dqs(db, false);
    for (int i = 0; i < ncols; i++) free(names[i]);
    free(names);
    sb_free(&b);
    g->qrows = g->tick_rows;
    g->tick_rows = 0;
    g->from = xasprintf("temp.\"%s\"", RESULT_TABLE);
    if (!pick_rowid(g)) {
        gm_free(g);
        return fail_msg(err, "the result has columns named rowid, _rowid_ and oid");
    }
    *out = g;
    return 0;

fail:
    sqlite3_finalize(q);
    sqlite3_finalize(ins);
    if (names)
        for (int i = 0; i < ncols; i++) free(names[i]);
    free(names);
    sb_free(&b);
    gm_free(g);
    return -1;
}

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
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max) return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
    return k;
}

static char *hex_text(const unsigned char *p, size_t n, size_t max, bool *cut)
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
        size_t k = utf8_cut(s, n, GM_CELL_BYTES);
        c->text = xstrndup(s, k);
        c->cut = k < n;
        break;
    }
    default: {
        c->type = GM_BLOB;
        const unsigned char *p = sqlite3_column_blob(st, i);
        c->text = hex_text(p, (size_t)sqlite3_column_bytes(st, i), 16, &c->cut);
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

static void rid_range(gm *g, int64_t *lo, int64_t *hi)
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
    const char *col = o->sort, *filter = filter_of(o->filter);
    bool asc = !(col && o->desc);
    /* going "up" the display order: the ascending SQL order when asc */
    bool forward = dir == GM_FIRST || dir == GM_AFTER || dir == GM_FROM;
    sb b = {0};
    sb_addf(&b, "SELECT %s, * FROM %s WHERE 1", g->rid, g->from);
    add_filter(&b, filter);
    if (dir == GM_AFTER || dir == GM_BEFORE || dir == GM_FROM) {
        bool null_key = col && (!key->value || sqlite3_value_type(key->value) == SQLITE_NULL);
        add_key_cond(&b, col, g->rid, null_key, forward == asc, dir == GM_FROM);
    }
    add_order(&b, col, g->rid, forward == asc);
    sb_addf(&b, " LIMIT %d", n + 1);
    sqlite3_stmt *st = NULL;
    int rc = prepare_user(g, sb_str(&b), &st, err);
    sb_free(&b);
    if (rc) return -1;
    if (key) {
        bind_named_int(st, ":tarn_r", key->rowid);
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
        fail_db(g->db, NULL, err);
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
    if (!col) rid_range(g, &p->rid_min, &p->rid_max);
    *out = p;
    return 0;
}

int gm_fetch(gm *g, const gm_opts *o, const gm_req *r, gm_page **out, char **err)
{
    *out = NULL;
    int n = r->n < 1 ? 1 : r->n;
    if (r->dir != GM_FRACTION) return fetch_dir(g, o, r->dir, &r->key, n, out, err);
    if (o->sort) return fail_msg(err, "jumping to a fraction needs rowid order");
    int64_t lo, hi;
    rid_range(g, &lo, &hi);
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

/* ======================= counting ======================= */

void gm_count_init(gm_count *c, const char *filter)
{
    memset(c, 0, sizeof(*c));
    filter = filter_of(filter);
    c->filter = filter ? xstrdup(filter) : NULL;
}

void gm_count_free(gm_count *c)
{
    free(c->filter);
    c->filter = NULL;
}

int gm_count_step(gm *g, gm_count *c, double budget_ms, char **err)
{
    if (c->done) return 1;
    if (!c->started) {
        c->started = true;
        c->span = 65536;
        rid_range(g, &c->lo, &c->hi);
        if (c->lo > c->hi) {
            c->done = true;
            return 1;
        }
    }
    sb b = {0};
    sb_addf(&b, "SELECT count(*) FROM %s WHERE %s BETWEEN :tarn_a AND :tarn_b", g->from, g->rid);
    add_filter(&b, c->filter);
    sqlite3_stmt *st = NULL;
    int rc = prepare_user(g, sb_str(&b), &st, err);
    sb_free(&b);
    if (rc) return -1;
    double t0 = time_mono_ms();
    for (;;) {
        int64_t b_end = c->hi - c->lo < c->span - 1 ? c->hi : c->lo + c->span - 1;
        bind_named_int(st, ":tarn_a", c->lo);
        bind_named_int(st, ":tarn_b", b_end);
        double t1 = time_mono_ms();
        if (sqlite3_step(st) != SQLITE_ROW) {
            fail_db(g->db, NULL, err);
            sqlite3_finalize(st);
            return -1;
        }
        c->total += sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        double now = time_mono_ms(), dt = now - t1;
        if (b_end == c->hi) {
            c->done = true;
            break;
        }
        c->lo = b_end + 1;
        if (dt < budget_ms / 8 && c->span < ((int64_t)1 << 40)) c->span *= 2;
        else if (dt > budget_ms / 2 && c->span > 1024) c->span /= 2;
        if (now - t0 >= budget_ms) break;
    }
    sqlite3_finalize(st);
    return c->done ? 1 : 0;
}

/* ======================= profiles ======================= */

static char *value_text(sqlite3_stmt *st, int i, size_t max)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: return NULL;
    case SQLITE_BLOB:
        return hex_text(sqlite3_column_blob(st, i), (size_t)sqlite3_column_bytes(st, i), 16, NULL);
    default: {
        const char *s = (const char *)sqlite3_column_text(st, i);
        size_t n = (size_t)sqlite3_column_bytes(st, i);
        size_t k = utf8_cut(s, n, max);
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
    if (prepare_user(g, sql, &st, err)) return -1;
    if (p->numeric) {
        bind_named_double(st, ":tarn_lo", p->lo);
        bind_named_double(st, ":tarn_w", p->width);
        bind_named_int(st, ":tarn_nb", p->nbuckets);
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) fn(p, st);
    if (rc != SQLITE_DONE) {
        fail_db(g->db, NULL, err);
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
    filter = filter_of(filter);
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
        fail_db(g->db, NULL, err);
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
    add_filter(&b, filter);
    if (profile_query(g, sb_str(&b), out, take_summary, err)) goto done;
    sb_clear(&b);

    int64_t numbers = out->n_int + out->n_real, nonnull = out->rows - out->nulls;
    if (numbers > 0 && numbers * 2 >= nonnull) {
        const char *where = " WHERE typeof(%1$s) IN ('integer', 'real')";
        sb_addf(&b, "SELECT min(%1$s), max(%1$s) FROM %2$s", col, g->from);
        sb_addf(&b, where, col);
        add_filter(&b, filter);
        if (profile_query(g, sb_str(&b), out, take_range, err)) goto done;
        sb_clear(&b);
        out->numeric = true;
        sb_addf(&b,
                "SELECT min(:tarn_nb - 1, CAST((%1$s - :tarn_lo) / :tarn_w AS INTEGER)), "
                "count(*) FROM %2$s",
                col, g->from);
        sb_addf(&b, where, col);
        add_filter(&b, filter);
        sb_add(&b, " GROUP BY 1");
        if (profile_query(g, sb_str(&b), out, take_bucket, err)) goto done;
        label_buckets(out);
    } else if (nonnull > 0) {
        sb_addf(&b, "SELECT %1$s, count(*) FROM %2$s WHERE %1$s IS NOT NULL", col, g->from);
        add_filter(&b, filter);
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
    if (rc != SQLITE_OK) return fail_db(g->db, NULL, err);
    bind_named_int(st, ":tarn_r", rowid);
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
        fail_msg(err, "the row is gone (the table changed); reload with r");
    } else {
        fail_db(g->db, NULL, err);
    }
    sqlite3_finalize(st);
    return *out ? 0 : -1;
}
