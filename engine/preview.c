/*
 * preview.c - read-only previews (see preview.h).
 */
#include "preview.h"

#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "validate.h"
#include "warehouse.h"

/* Defines dataset d as a temporary view of its query unless it is stored
 * already (a streaming table with several flows is the union of them). */
static void define_view(sqlite3 *db, const project *p, int d, bool attached)
{
    const prj_dataset *ds = &p->datasets.v[d];
    if (ds->kind != SQL_TEMP_VIEW && attached && wh_table_exists(db, "wh", ds->name)) return;
    if (!ds->flows.n || p->flows.v[ds->flows.v[0]].stmt->cdc) return; /* no query */
    sb sql = {0};
    sb_add(&sql, "CREATE TEMP VIEW ");
    sb_add_ident(&sql, ds->name);
    sb_add(&sql, " AS ");
    for (size_t i = 0; i < ds->flows.n; i++) {
        rewrite q = {0};
        plan_query(p, ds->flows.v[i], NULL, &q);
        if (i) sb_add(&sql, " UNION ALL ");
        sb_add(&sql, ds->flows.n > 1 ? "SELECT * FROM (" : "");
        sb_add(&sql, sb_str(&q.out));
        sb_add(&sql, ds->flows.n > 1 ? ")" : "");
        rw_free(&q);
    }
    /* a broken query only breaks previews that read it: ignore the error */
    wh_exec(db, sb_str(&sql), NULL);
    sb_free(&sql);
}

int pv_open(const project *p, sqlite3 **db, char **err)
{
    bool attached;
    if (val_open_scratch(p, db, &attached, err) < 0) return -1;
    for (size_t i = 0; i < p->order.n; i++) define_view(*db, p, p->order.v[i], attached);
    return 0;
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

int pv_prepare_sql(sqlite3 *db, const char *sql, sqlite3_stmt **st, char **err)
{
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

int pv_prepare_dataset(sqlite3 *db, const project *p, int d, sqlite3_stmt **st, char **err)
{
    const prj_dataset *ds = &p->datasets.v[d];
    sb sql = {0};
    sb_add(&sql, "SELECT * FROM ");
    sb_add_ident(&sql, ds->name);
    int rc = 0;
    if (sqlite3_prepare_v2(db, sb_str(&sql), -1, st, NULL) != SQLITE_OK) {
        /* explain with the dataset's own query, to get file:line:col */
        *err = xstrdup(sqlite3_errmsg(db));
        if (ds->flows.n) {
            rewrite q = {0};
            plan_query(p, ds->flows.v[0], NULL, &q);
            sqlite3_stmt *probe = NULL;
            if (sqlite3_prepare_v2(db, sb_str(&q.out), -1, &probe, NULL) != SQLITE_OK) {
                int off = sqlite3_error_offset(db);
                diag_list dl = {0};
                prj_error(p, &dl, DIAG_ERROR, ds->file,
                          off >= 0 ? rw_map(&q, (size_t)off) : ds->stmt->query_off, "%s",
                          sqlite3_errmsg(db));
                free(*err);
                *err = diag_format(&dl.items.v[0]);
                diag_free(&dl);
            }
            sqlite3_finalize(probe);
            rw_free(&q);
        }
        rc = -1;
    }
    sb_free(&sql);
    return rc;
}
