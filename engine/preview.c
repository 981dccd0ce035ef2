/*
 * preview.c - read-only previews (see preview.h).
 */
#include "preview.h"

#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "plan.h"
#include "readfiles.h"
#include "validate.h"
#include "warehouse.h"

/* Defines dataset d as a temporary view of its query unless it is stored
 * already (a streaming table with several flows is the union of them). Its
 * read_files calls read all their files. */
static void define_view(sqlite3 *db, ing_registry *files, const project *p, int d,
                        bool attached)
{
    const prj_dataset *ds = &p->datasets.v[d];
    if (ds->kind != SQL_TEMP_VIEW && attached && wh_table_exists(db, "wh", ds->name)) return;
    if (!ds->flows.n || p->flows.v[ds->flows.v[0]].stmt->cdc) return; /* no query */
    sb sql = {0};
    sb_add(&sql, "CREATE TEMP VIEW ");
    sb_add_ident(&sql, ds->name);
    sb_add(&sql, " AS ");
    for (size_t i = 0; i < ds->flows.n; i++) {
        strvec tables = {0};
        diag_list quiet = {0}; /* problems show when the view is read */
        rf_bind_all(db, files, p, ds->flows.v[i], &tables, &quiet);
        plan_bind bind = {NULL, NULL, &tables};
        rewrite q = {0};
        plan_query(p, ds->flows.v[i], &bind, &q);
        if (i) sb_add(&sql, " UNION ALL ");
        sb_add(&sql, ds->flows.n > 1 ? "SELECT * FROM (" : "");
        sb_add(&sql, sb_str(&q.out));
        sb_add(&sql, ds->flows.n > 1 ? ")" : "");
        rw_free(&q);
        strvec_free(&tables);
        diag_free(&quiet);
    }
    /* a broken query only breaks previews that read it: ignore the error */
    wh_exec(db, sb_str(&sql), NULL);
    sb_free(&sql);
}

int pv_open(pv_session *s, const project *p, char **err)
{
    memset(s, 0, sizeof(*s));
    s->p = p;
    bool attached;
    if (val_open_scratch(p, &s->db, &attached, err) < 0) return -1;
    if (ing_attach(s->db, &s->files, false, err) < 0) return -1;
    for (size_t i = 0; i < p->order.n; i++)
        define_view(s->db, &s->files, p, p->order.v[i], attached);
    return 0;
}

void pv_close(pv_session *s)
{
    if (s->db) ing_registry_truncate(s->db, &s->files, 0);
    sqlite3_close(s->db);
    memset(s, 0, sizeof(*s));
}

/* Notes ATTACH and DETACH, which sqlite3_stmt_readonly counts as read-only
 * although ATTACH creates a missing database file. */
static int note_attach(void *ctx, int action, const char *a, const char *b, const char *c,
                       const char *d)
{
    (void)a, (void)b, (void)c, (void)d;
    if (action == SQLITE_ATTACH || action == SQLITE_DETACH) *(bool *)ctx = true;
    return SQLITE_OK;
}

int pv_prepare_sql(pv_session *s, const char *sql, sqlite3_stmt **st, char **err)
{
    sqlite3 *db = s->db;
    const char *tail = NULL;
    bool attach = false;
    sqlite3_set_authorizer(db, note_attach, &attach);
    int prc = sqlite3_prepare_v2(db, sql, -1, st, &tail);
    sqlite3_set_authorizer(db, NULL, NULL);
    if (prc != SQLITE_OK) {
        int off = sqlite3_error_offset(db);
        *err = off >= 0 ? xasprintf("%s (at offset %d)", sqlite3_errmsg(db), off)
                        : xstrdup(sqlite3_errmsg(db));
        return -1;
    }
    if (!*st) {
        *err = xstrdup("the query is empty");
        return -1;
    }
    while (tail && *tail && strchr(" \t\r\n;", *tail)) tail++;
    if (!sqlite3_stmt_readonly(*st) || attach || (tail && *tail)) {
        *err = xstrdup(tail && *tail ? "preview runs one statement at a time"
                                     : "preview runs read-only queries (SELECT)");
        sqlite3_finalize(*st);
        *st = NULL;
        return -1;
    }
    return 0;
}

/* Why dataset d cannot be read: the first problem of its own query (with
 * its read_files calls bound), placed at file:line:col. */
/* true when msg is SQLite's "no such table: X" for a dataset X that only
 * an AUTO CDC flow fills (previews cannot compute it: the changes must be
 * applied in order by a run). */
static bool unstored_cdc(const project *p, const char *msg)
{
    const char *prefix = "no such table: ";
    if (strncmp(msg, prefix, strlen(prefix))) return false;
    int d = prj_dataset_find(p, msg + strlen(prefix));
    const prj_dataset *ds = d >= 0 ? &p->datasets.v[d] : NULL;
    return ds && ds->flows.n && p->flows.v[ds->flows.v[0]].stmt->cdc;
}

static char *explain(pv_session *s, int d)
{
    const project *p = s->p;
    const prj_dataset *ds = &p->datasets.v[d];
    if (!ds->flows.n) return NULL;
    const sql_stmt *first = p->flows.v[ds->flows.v[0]].stmt;
    if (first->cdc) /* its rows are the changes applied in order: only a run makes them */
        return xasprintf("%s is filled by AUTO CDC and has not been stored yet: run the "
                         "pipeline once (tarn run, or F5) to preview it",
                         ds->name);
    strvec tables = {0};
    diag_list dl = {0};
    char *why = NULL;
    if (rf_bind_all(s->db, &s->files, p, ds->flows.v[0], &tables, &dl) < 0) {
        for (size_t i = 0; i < dl.items.n && !why; i++)
            if (dl.items.v[i].level == DIAG_ERROR) why = diag_format(&dl.items.v[i]);
    } else {
        plan_bind bind = {NULL, NULL, &tables};
        rewrite q = {0};
        plan_query(p, ds->flows.v[0], &bind, &q);
        sqlite3_stmt *probe = NULL;
        if (sqlite3_prepare_v2(s->db, sb_str(&q.out), -1, &probe, NULL) != SQLITE_OK) {
            int off = sqlite3_error_offset(s->db);
            const char *msg = sqlite3_errmsg(s->db);
            prj_error(p, &dl, DIAG_ERROR, ds->file,
                      off >= 0 ? rw_map(&q, (size_t)off) : ds->stmt->query_off, "%s%s", msg,
                      unstored_cdc(p, msg) ? " (it is filled by AUTO CDC: run the pipeline "
                                             "once to preview what reads it)" : "");
            why = diag_format(&dl.items.v[dl.items.n - 1]);
        }
        sqlite3_finalize(probe);
        rw_free(&q);
    }
    strvec_free(&tables);
    diag_free(&dl);
    return why;
}

int pv_prepare_dataset(pv_session *s, int d, sqlite3_stmt **st, char **err)
{
    const prj_dataset *ds = &s->p->datasets.v[d];
    sb sql = {0};
    sb_add(&sql, "SELECT * FROM ");
    sb_add_ident(&sql, ds->name);
    int rc = 0;
    if (sqlite3_prepare_v2(s->db, sb_str(&sql), -1, st, NULL) != SQLITE_OK) {
        char *why = explain(s, d);
        *err = why ? why : xstrdup(sqlite3_errmsg(s->db));
        rc = -1;
    }
    sb_free(&sql);
    return rc;
}
