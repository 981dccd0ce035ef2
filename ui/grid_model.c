/*
 * grid_model.c - the data grid's model (see grid_model.h): opening tables
 * and query results, and the helpers the model's files share (errors,
 * filters, the user's SQL prepared read-only, named parameters). Paging is
 * in grid_model_page.c, the row count in grid_model_count.c, profiles and
 * cell details in grid_model_profile.c (grid_model_int.h is what they
 * share).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grid_model_int.h"

static const char RESULT_TABLE[] = "_tarn_grid_result";

/* ======================= errors and small helpers ======================= */

static int progress_cb(void *p)
{
    gm *g = p;
    return g->tick ? g->tick(g->tick_ctx, g->tick_rows) : 0;
}

/* Sets *err from the connection's last error ("canceled" for an interrupt). */
int gm_fail_db(sqlite3 *db, const char *what, char **err)
{
    int code = sqlite3_errcode(db);
    if (err) {
        if (code == SQLITE_INTERRUPT) *err = xstrdup("canceled");
        else if (what) *err = xasprintf("%s: %s", what, sqlite3_errmsg(db));
        else *err = xstrdup(sqlite3_errmsg(db));
    }
    return -1;
}

int gm_fail_msg(char **err, const char *msg)
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
const char *gm_filter_of(const char *f)
{
    if (!f) return NULL;
    for (const char *p = f; *p; p++)
        if (!isspace((unsigned char)*p)) return f;
    return NULL;
}

void gm_add_filter(sb *b, const char *filter)
{
    /* on lines of its own, so a trailing "-- comment" ends at the newline */
    if (filter) sb_addf(b, " AND (\n%s\n)", filter);
}

/* Prepares sql that carries a user's filter: one statement, read-only, with
 * no parameters but the ones named ":tarn_*". */
int gm_prepare_user(gm *g, const char *sql, sqlite3_stmt **st, char **err)
{
    const char *tail = NULL;
    if (sqlite3_prepare_v2(g->db, sql, -1, st, &tail) != SQLITE_OK) {
        *st = NULL;
        return gm_fail_db(g->db, NULL, err);
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
        return gm_fail_msg(err, why);
    }
    return 0;
}

void gm_bind_named_int(sqlite3_stmt *st, const char *name, int64_t v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i > 0) sqlite3_bind_int64(st, i, v);
}

void gm_bind_named_double(sqlite3_stmt *st, const char *name, double v)
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
        gm_fail_db(db, path, err);
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
        gm_fail_db(db, NULL, err);
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
        gm_fail_db(db, "in-memory database", err);
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
        gm_fail_db(db, path, err);
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
        gm_fail_db(db, NULL, err);
        goto fail;
    }
    if (!q) {
        gm_fail_msg(err, "the query is empty");
        goto fail;
    }
    if (!sql_blank(tail)) {
        gm_fail_msg(err, "run one statement at a time");
        goto fail;
    }
    if (!sqlite3_stmt_readonly(q)) {
        gm_fail_msg(err, "only read-only statements (SELECT, WITH, VALUES) can be shown");
        goto fail;
    }
    ncols = sqlite3_column_count(q);
    if (ncols == 0) {
        gm_fail_msg(err, "the statement returns no rows to show");
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
        gm_fail_db(db, "result table", err);
        goto fail;
    }
    sb_addf(&b, "INSERT INTO temp.\"%s\" VALUES(", RESULT_TABLE);
    for (int i = 0; i < ncols; i++) sb_add(&b, i ? ", ?" : "?");
    sb_add(&b, ")");
    rc = sqlite3_prepare_v2(db, sb_str(&b), -1, &ins, NULL);
    sb_clear(&b);
    if (rc != SQLITE_OK) {
        gm_fail_db(db, "result table", err);
        goto fail;
    }
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    rc = materialize(g, q, ins, ncols);
    if (rc != SQLITE_DONE) {
        if (rc == SQLITE_INTERRUPT) gm_fail_msg(err, "canceled");
        else gm_fail_db(db, NULL, err);
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        goto fail;
    }
    sqlite3_finalize(q);
    sqlite3_finalize(ins);
    q = ins = NULL;
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        gm_fail_db(db, "result table", err);
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
        return gm_fail_msg(err, "the result has columns named rowid, _rowid_ and oid");
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
