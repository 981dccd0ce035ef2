/*
 * validate.c - the dry run: compile every flow against upstream schemas in a
 * scratch database (see validate.h).
 */
#include "validate.h"

#include <stdlib.h>
#include <string.h>

#include "cdc.h"
#include "fsutil.h"
#include "ingest.h"
#include "plan.h"
#include "readfiles.h"
#include "warehouse.h"

/* ---- scratch database ---- */

/* file: URI for path, with the characters URIs reserve escaped. */
static char *file_uri(const char *path, const char *query)
{
    sb b = {0};
    sb_add(&b, "file:");
    for (const char *c = path; *c; c++) {
        if (*c == '?' || *c == '#' || *c == '%' || *c == ' ')
            sb_addf(&b, "%%%02X", (unsigned char)*c);
        else sb_addc(&b, *c);
    }
    sb_addf(&b, "?%s", query);
    return sb_take(&b);
}

int val_open_scratch(const project *p, sqlite3 **db, bool *attached, char **err)
{
    *attached = false;
    if (sqlite3_open_v2(":memory:", db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                        SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        if (err) *err = xstrdup("cannot open a scratch database");
        sqlite3_close(*db);
        *db = NULL;
        return -1;
    }
    sqlite3_busy_timeout(*db, 5000);
    char *wh = prj_warehouse_path(p);
    int rc = 0;
    if (fs_exists(wh)) {
        char *uri = file_uri(wh, "mode=ro");
        sb q = {0};
        sb_add(&q, "ATTACH ");
        sb_add_sqlstr(&q, uri);
        sb_add(&q, " AS wh");
        rc = wh_exec(*db, sb_str(&q), err);
        *attached = rc == 0;
        sb_free(&q);
        free(uri);
    }
    free(wh);
    if (rc < 0) {
        sqlite3_close(*db);
        *db = NULL;
    }
    return rc;
}

/* ---- problems ---- */

typedef struct vctx {
    const project *p;
    diag_list *diags;
    sqlite3 *db;
    bool attached;
    unsigned char *ok;  /* per dataset */
    int errors;
    ing_registry files; /* read_files sources of the scratch database */
} vctx;

static void error_at(vctx *c, int file, size_t off, const char *msg)
{
    prj_error(c->p, c->diags, DIAG_ERROR, file, off, "%s", msg);
    c->errors++;
}

/* Reports an SQLite error of SQL built in q (err_off is SQLite's offset in
 * q, or -1 to point at fallback). */
static void sql_error(vctx *c, int file, const rewrite *q, int err_off, size_t fallback,
                      const char *msg)
{
    size_t off = err_off >= 0 ? rw_map(q, (size_t)err_off) : fallback;
    error_at(c, file, off, msg);
}

static int edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64) return 99;
    int d[65][65];
    for (size_t i = 0; i <= n; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int cost = (a[i - 1] | 32) != (b[j - 1] | 32);
            int x = d[i - 1][j] + 1, y = d[i][j - 1] + 1, z = d[i - 1][j - 1] + cost;
            d[i][j] = x < y ? (x < z ? x : z) : (y < z ? y : z);
        }
    return d[n][m];
}

static const char *closest_dataset(const project *p, const char *name)
{
    const char *best = NULL;
    int len = (int)strlen(name);
    int bestd = len < 3 ? 1 : len < 6 ? 2 : 3; /* a near name, not any short one */
    for (size_t i = 0; i < p->datasets.n; i++) {
        int d = edit_distance(name, p->datasets.v[i].name);
        if (d < bestd) {
            bestd = d;
            best = p->datasets.v[i].name;
        }
    }
    return best;
}

/* ---- checks on references ---- */

/* true when the warehouse table name can be read by rowid, as STREAM reads
 * its source: an ordinary table (a view's rowid is NULL, and a WITHOUT
 * ROWID table has none). */
static bool wh_streamable(vctx *c, const char *name)
{
    sb q = {0};
    sb_add(&q, "SELECT count(*) FROM wh.sqlite_schema WHERE type = 'table' AND name = ");
    sb_add_sqlstr(&q, name);
    sb_add(&q, " COLLATE NOCASE");
    bool ok = wh_int(c->db, sb_str(&q), 0) > 0;
    sb_clear(&q);
    sb_add(&q, "SELECT rowid FROM wh.");
    sb_add_ident(&q, name);
    sqlite3_stmt *st = NULL;
    if (ok) ok = sqlite3_prepare_v2(c->db, sb_str(&q), -1, &st, NULL) == SQLITE_OK;
    sqlite3_finalize(st);
    sb_free(&q);
    return ok;
}

/* Checks every table reference of flow f; returns false after reporting. */
static bool check_refs(vctx *c, int f)
{
    const project *p = c->p;
    const prj_flow *fl = &p->flows.v[f];
    const prj_dataset *target = &p->datasets.v[fl->dataset];
    const sql_stmt *s = fl->stmt;
    bool good = true, any_stream = false;
    for (size_t i = 0; i < s->refs.n; i++) {
        const sql_ref *r = &s->refs.v[i];
        int d;
        prj_ref_kind kind = prj_ref_kind_of(p, s, r, &d);
        if (kind == REF_CTE || kind == REF_FUNCTION) continue;
        char *msg = NULL;
        if (r->stream) any_stream = true;
        if (kind == REF_FILES || kind == REF_SQLITE) { /* checked when compiled */
            if (r->stream && target->kind != SQL_STREAMING_TABLE) {
                msg = xasprintf("STREAM %s in a %s: it reads all of its source on every "
                                "refresh anyway; drop STREAM, or make it a streaming table",
                                r->name, sql_kind_name(target->kind));
                error_at(c, fl->file, r->off, msg);
                free(msg);
                good = false;
            }
            continue;
        }
        if ((d >= 0 && !c->ok[d]) || (d < 0 && !r->schema && prj_is_broken(p, r->name))) {
            good = false; /* upstream already reported */
        } else if (d < 0 && !r->schema && !str_nieq(r->name, "sqlite_", 7) &&
                   !(c->attached && wh_table_exists(c->db, "wh", r->name))) {
            const char *near = closest_dataset(p, r->name);
            msg = near ? xasprintf("unknown table or dataset '%s' (did you mean '%s'?)",
                                   r->name, near)
                       : xasprintf("unknown table or dataset '%s': it is not defined in "
                                   "the pipeline and not in the warehouse", r->name);
        } else if (r->stream && target->kind != SQL_STREAMING_TABLE) {
            msg = xasprintf("STREAM(%s) in a %s: only streaming tables and flows read "
                            "incrementally; read '%s' without STREAM", r->name,
                            sql_kind_name(target->kind), r->name);
        } else if (r->stream && d >= 0 && p->datasets.v[d].kind != SQL_STREAMING_TABLE) {
            msg = xasprintf("STREAM(%s): '%s' is a %s, not an append-only source; "
                            "stream from a streaming table or an existing table",
                            r->name, r->name, sql_kind_name(p->datasets.v[d].kind));
        } else if (r->stream && d < 0 && !r->schema && !wh_streamable(c, r->name)) {
            msg = xasprintf("STREAM(%s): '%s' is a view or a WITHOUT ROWID table, and "
                            "STREAM reads new rows of a source by rowid; stream from an "
                            "ordinary table, or read '%s' without STREAM", r->name, r->name,
                            r->name);
        }
        if (msg) {
            error_at(c, fl->file, r->name_off, msg);
            free(msg);
            good = false;
        }
    }
    if (good && target->kind == SQL_STREAMING_TABLE && !any_stream) {
        char *msg = xasprintf("%s '%s' reads no source through STREAM(...): every "
                              "update would append all of its rows again",
                              fl->own ? "streaming table" : "flow", fl->name);
        error_at(c, fl->file, s->query_off, msg);
        free(msg);
        good = false;
    }
    return good;
}

/* ---- compiling ---- */

/* Duplicate output names and a mismatch with declared columns. */
static bool check_columns(vctx *c, const prj_flow *fl, sqlite3_stmt *st)
{
    const prj_dataset *d = &c->p->datasets.v[fl->dataset];
    int n = sqlite3_column_count(st);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (str_ieq(sqlite3_column_name(st, i), sqlite3_column_name(st, j))) {
                char *msg = xasprintf("the query returns column '%s' twice: give one "
                                      "of them another name with AS",
                                      sqlite3_column_name(st, i));
                error_at(c, fl->file, fl->stmt->query_off, msg);
                free(msg);
                return false;
            }
    const sql_stmt *s = d->stmt;
    if (!s->columns.n || !fl->own) return true;
    sb missing = {0}, extra = {0};
    for (size_t k = 0; k < s->columns.n; k++) {
        bool found = false;
        for (int i = 0; i < n; i++)
            if (str_ieq(s->columns.v[k].name, sqlite3_column_name(st, i))) found = true;
        if (!found) sb_addf(&missing, "%s%s", missing.len ? ", " : "", s->columns.v[k].name);
    }
    for (int i = 0; i < n; i++) {
        bool found = false;
        for (size_t k = 0; k < s->columns.n; k++)
            if (str_ieq(s->columns.v[k].name, sqlite3_column_name(st, i))) found = true;
        if (!found) sb_addf(&extra, "%s%s", extra.len ? ", " : "", sqlite3_column_name(st, i));
    }
    bool good = !missing.len && !extra.len;
    if (!good) {
        char *msg = xasprintf("declared columns do not match the query:%s%s%s%s",
                              missing.len ? " declared but not returned: " : "",
                              sb_str(&missing),
                              !extra.len ? "" : missing.len ? "; returned but not declared: "
                                                            : " returned but not declared: ",
                              sb_str(&extra));
        error_at(c, fl->file, s->name_off, msg);
        free(msg);
    }
    sb_free(&missing);
    sb_free(&extra);
    return good;
}

static bool create_dataset(vctx *c, int di, const prj_flow *fl, const rewrite *q,
                           sqlite3_stmt *st)
{
    const prj_dataset *d = &c->p->datasets.v[di];
    char *err = NULL;
    int err_off = -1, rc;
    if (d->kind == SQL_TEMP_VIEW) {
        sb sql = {0};
        sb_add(&sql, "CREATE TEMP VIEW ");
        sb_add_ident(&sql, d->name);
        sb_add(&sql, " AS ");
        sb_addn(&sql, sb_str(&q->out), q->out.len);
        rc = wh_exec(c->db, sb_str(&sql), &err);
        sb_free(&sql);
    } else if (wh_table_exists(c->db, "main", d->name)) {
        rc = plan_add_missing_columns(c->db, d->name, st, &err);
    } else {
        rc = plan_create_table(c->db, c->p, di, q, &err, &err_off);
    }
    if (rc < 0) sql_error(c, fl->file, q, err_off, fl->stmt->query_off, err);
    free(err);
    return rc == 0;
}

typedef struct cdc_report_ctx {
    vctx *c;
    int file;
} cdc_report_ctx;

static void cdc_report(void *ctx, size_t off, const char *msg)
{
    cdc_report_ctx *r = ctx;
    error_at(r->c, r->file, off, msg);
}

/* An AUTO CDC flow: its clauses against the source's columns, and the
 * target's shape for what reads it. */
static bool compile_cdc(vctx *c, int f)
{
    const prj_flow *fl = &c->p->flows.v[f];
    const prj_dataset *d = &c->p->datasets.v[fl->dataset];
    if (d->flows.n > 1) {
        error_at(c, fl->file, fl->stmt->name_off,
                 "an AUTO CDC flow must be the only flow into its target");
        return false;
    }
    sb src = {0};
    sb_add_ident(&src, fl->stmt->refs.v[0].name);
    cdc_report_ctx rc = {c, fl->file};
    cdc_spec spec;
    char *err = NULL;
    bool good = cdc_resolve(c->db, c->p, f, sb_str(&src), &spec, cdc_report, &rc) == 0;
    if (good && cdc_prepare_target(c->db, &spec, sb_str(&src), &err) < 0) {
        error_at(c, fl->file, fl->stmt->name_off, err);
        good = false;
    }
    if (good && d->stmt->expects.n)
        prj_error(c->p, c->diags, DIAG_WARNING, d->file, d->stmt->expects.v[0].off,
                  "expectations on the target of an AUTO CDC flow are not checked");
    free(err);
    cdc_spec_free(&spec);
    sb_free(&src);
    return good;
}

static bool compile_flow(vctx *c, int f)
{
    if (c->p->flows.v[f].stmt->cdc) return compile_cdc(c, f);
    const prj_flow *fl = &c->p->flows.v[f];
    const char *text = prj_text(c->p, fl->file) + fl->stmt->span_off;
    if (memmem(text, fl->stmt->span_len, "${", 2))
        return false; /* an unknown parameter, reported where it was found */
    strvec files = {0};
    int errors = c->diags->errors;
    rf_bind_all(c->db, &c->files, c->p, f, &files, c->diags);
    if (c->diags->errors > errors) {
        strvec_free(&files);
        return false;
    }
    plan_bind bind = {NULL, NULL, &files};
    rewrite q = {0};
    plan_query(c->p, f, &bind, &q);
    strvec_free(&files);
    sqlite3_stmt *st = NULL;
    bool good = false;
    if (sqlite3_prepare_v2(c->db, sb_str(&q.out), (int)q.out.len, &st, NULL) != SQLITE_OK) {
        sql_error(c, fl->file, &q, sqlite3_error_offset(c->db), fl->stmt->query_off,
                  sqlite3_errmsg(c->db));
    } else if (!sqlite3_stmt_readonly(st)) {
        error_at(c, fl->file, fl->stmt->query_off, "the query must only read (SELECT)");
    } else if (check_columns(c, fl, st)) {
        good = create_dataset(c, fl->dataset, fl, &q, st);
    }
    sqlite3_finalize(st);
    rw_free(&q);
    return good;
}

static bool compile_expectations(vctx *c, int di)
{
    const prj_dataset *d = &c->p->datasets.v[di];
    const char *text = prj_text(c->p, d->file);
    bool good = true;
    for (size_t i = 0; i < d->stmt->expects.n; i++) {
        const sql_expect *e = &d->stmt->expects.v[i];
        sql_refvec refs = {0};
        strvec ctes = {0};
        sql_scan_refs(text, e->expr_off, strlen(e->expr), &refs, &ctes);
        bool reads_table = refs.n > 0;
        if (reads_table) {
            char *msg = xasprintf("expectation '%s' reads table '%s': expectations check "
                                  "one row at a time and cannot use subqueries", e->name,
                                  refs.v[0].name);
            error_at(c, d->file, refs.v[0].name_off, msg);
            free(msg);
            good = false;
        }
        sql_refs_free(&refs);
        strvec_free(&ctes);
        if (reads_table) continue; /* the next expectations are still checked */
        rewrite q = {0};
        rw_insert(&q, "SELECT (", e->expr_off);
        rw_copy(&q, text, e->expr_off, strlen(e->expr));
        sb from = {0};
        sb_add(&from, ") FROM ");
        sb_add_ident(&from, d->name);
        rw_insert(&q, sb_str(&from), e->expr_off);
        sb_free(&from);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(c->db, sb_str(&q.out), -1, &st, NULL) != SQLITE_OK) {
            char *msg = xasprintf("expectation '%s': %s", e->name, sqlite3_errmsg(c->db));
            sql_error(c, d->file, &q, sqlite3_error_offset(c->db), e->expr_off, msg);
            free(msg);
            good = false;
        }
        sqlite3_finalize(st);
        rw_free(&q);
    }
    return good;
}

static void collect_schema(vctx *c, int di, val_dataset *out)
{
    sb q = {0};
    sb_add(&q, "SELECT name, type FROM pragma_table_info(");
    sb_add_sqlstr(&q, c->p->datasets.v[di].name);
    sb_add(&q, ")");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sb_str(&q), -1, &st, NULL) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *type = (const char *)sqlite3_column_text(st, 1);
            val_column col = {xstrdup((const char *)sqlite3_column_text(st, 0)),
                              xstrdup(type ? type : "")};
            VEC_PUSH(&out->columns, col);
        }
    sqlite3_finalize(st);
    sb_free(&q);
}

static void validate_dataset(vctx *c, int di, val_result *r)
{
    const prj_dataset *d = &c->p->datasets.v[di];
    bool good = true;
    for (size_t i = 0; i < d->deps.n; i++)
        if (!c->ok[d->deps.v[i]]) good = false; /* reported upstream */
    if (good && !d->flows.n && !d->stmt->columns.n) {
        error_at(c, d->file, d->stmt->name_off,
                 "streaming table has no flow writing into it and no columns: declare "
                 "its columns or add a flow (CREATE FLOW ... INSERT INTO it)");
        good = false;
    } else if (good && !d->flows.n) {
        prj_error(c->p, c->diags, DIAG_WARNING, d->file, d->stmt->name_off,
                  "streaming table '%s' has no flow writing into it", d->name);
        {
            rewrite none = {0};
            char *err = NULL;
            int off;
            if (plan_create_table(c->db, c->p, di, &none, &err, &off) < 0) {
                error_at(c, d->file, d->stmt->name_off, err);
                good = false;
            }
            free(err);
        }
    }
    for (size_t i = 0; good && i < d->flows.n; i++)
        good = check_refs(c, d->flows.v[i]) && compile_flow(c, d->flows.v[i]);
    bool cdc_target = d->flows.n && c->p->flows.v[d->flows.v[0]].stmt->cdc;
    if (good && cdc_target) {
        /* no row-by-row checks on CDC targets (warned about above) */
    } else if (good && d->kind != SQL_TEMP_VIEW && wh_table_exists(c->db, "main", d->name))
        good = compile_expectations(c, di);
    else if (good && d->stmt->expects.n)
        prj_error(c->p, c->diags, DIAG_WARNING, d->file, d->stmt->expects.v[0].off,
                  "expectations on a temporary view are not checked; put them on "
                  "the table that reads it");
    c->ok[di] = good;
    if (r) {
        r->datasets[di].ok = good;
        if (good) collect_schema(c, di, &r->datasets[di]);
    }
}

int val_run(const project *p, diag_list *diags, val_result *r)
{
    int errors_before = diags->errors;
    if (r) {
        r->n = p->datasets.n;
        r->datasets = xcalloc(r->n + 1, sizeof(val_dataset));
        for (size_t i = 0; i < r->n; i++) r->datasets[i].name = xstrdup(p->datasets.v[i].name);
    }
    vctx c = {p, diags, NULL, false, NULL, 0, {{0}}};
    char *err = NULL;
    if (val_open_scratch(p, &c.db, &c.attached, &err) < 0 ||
        ing_attach(c.db, &c.files, false, &err) < 0) {
        diag_add(diags, DIAG_ERROR, NULL, 0, 0, "%s", err);
        free(err);
        sqlite3_close(c.db);
        return -1;
    }
    c.ok = xcalloc(p->datasets.n + 1, 1);
    for (size_t i = 0; i < p->order.n; i++) validate_dataset(&c, p->order.v[i], r);
    free(c.ok);
    ing_registry_truncate(c.db, &c.files, 0);
    sqlite3_close(c.db);
    return diags->errors > errors_before ? -1 : 0;
}

void val_free(val_result *r)
{
    for (size_t i = 0; r->datasets && i < r->n; i++) {
        for (size_t k = 0; k < r->datasets[i].columns.n; k++) {
            free(r->datasets[i].columns.v[k].name);
            free(r->datasets[i].columns.v[k].type);
        }
        VEC_FREE(&r->datasets[i].columns);
        free(r->datasets[i].name);
    }
    free(r->datasets);
    r->datasets = NULL;
    r->n = 0;
}

const val_dataset *val_dataset_named(const val_result *r, const char *name, size_t hint)
{
    if (!r || !name) return NULL;
    if (hint < r->n && r->datasets[hint].name && str_ieq(r->datasets[hint].name, name))
        return &r->datasets[hint];
    for (size_t i = 0; i < r->n; i++)
        if (r->datasets[i].name && str_ieq(r->datasets[i].name, name)) return &r->datasets[i];
    return NULL;
}
