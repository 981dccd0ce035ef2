/*
 * plan.c - runnable SQL for flows and dataset tables (see plan.h).
 */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warehouse.h"

/* STREAM reads of tables (datasets or tables already there). */
static bool is_dataset_stream(const project *p, const sql_stmt *s, const sql_ref *r)
{
    if (!r->stream) return false;
    prj_ref_kind k = prj_ref_kind_of(p, s, r, NULL);
    return k == REF_DATASET || k == REF_TABLE;
}

void plan_stream_sources(const project *p, int flow, strvec *out)
{
    const sql_stmt *s = p->flows.v[flow].stmt;
    for (size_t i = 0; i < s->refs.n; i++) {
        const sql_ref *r = &s->refs.v[i];
        if (is_dataset_stream(p, s, r) && strvec_find(out, r->name) < 0)
            VEC_PUSH(out, xstrdup(r->name));
    }
}

static void add_table_name(sb *b, const sql_ref *r)
{
    if (r->schema) {
        sb_add_ident(b, r->schema);
        sb_addc(b, '.');
    }
    sb_add_ident(b, r->name);
}

void plan_query(const project *p, int flow, const plan_bind *b, rewrite *w)
{
    const prj_flow *fl = &p->flows.v[flow];
    const sql_stmt *s = fl->stmt;
    const char *text = prj_text(p, fl->file);
    const int64_t *lo = b ? b->lo : NULL, *hi = b ? b->hi : NULL;
    strvec sources = {0};
    plan_stream_sources(p, flow, &sources);
    size_t at = s->query_off, end = s->query_off + s->query_len, ncalls = 0;
    for (size_t i = 0; i < s->refs.n; i++) {
        const sql_ref *r = &s->refs.v[i];
        if (r->name_off < at || r->end > end) continue; /* not in the query (CDC clauses) */
        prj_ref_kind k = prj_ref_kind_of(p, s, r, NULL);
        bool call = k == REF_FILES || k == REF_SQLITE;
        if (call && !(b && b->calls && ncalls < b->calls->n)) continue;
        if (!call && !is_dataset_stream(p, s, r) && !r->live) continue;
        if (r->off < at) continue; /* inside a call already replaced */
        rw_copy(w, text, at, r->off - at);
        sb t = {0};
        if (call) {
            sb_add(&t, b->calls->v[ncalls++]);
            if (!r->aliased) { /* keep name.column working */
                sb_add(&t, " AS ");
                sb_add_ident(&t, r->name);
            }
        } else if (!lo || !r->stream) {
            add_table_name(&t, r);
        } else {
            int src = strvec_find(&sources, r->name);
            sb_add(&t, "(SELECT * FROM ");
            add_table_name(&t, r);
            sb_addf(&t, " WHERE rowid > %lld AND rowid <= %lld)", (long long)lo[src],
                    (long long)hi[src]);
            if (!r->aliased) {
                sb_add(&t, " AS ");
                sb_add_ident(&t, r->name);
            }
        }
        rw_insert(w, sb_str(&t), r->name_off);
        sb_free(&t);
        at = r->end;
    }
    if (end > at) rw_copy(w, text, at, end - at);
    strvec_free(&sources);
}

void plan_def_hash(const project *p, int dataset, char out[17])
{
    const prj_dataset *d = &p->datasets.v[dataset];
    sb b = {0};
    sb_addf(&b, "%d\n", (int)d->kind);
    for (size_t i = 0; i < d->stmt->columns.n; i++)
        sb_addf(&b, "col %s %s %d\n", d->stmt->columns.v[i].name,
                d->stmt->columns.v[i].type ? d->stmt->columns.v[i].type : "",
                d->stmt->columns.v[i].not_null);
    for (size_t i = 0; i < d->stmt->expects.n; i++)
        sb_addf(&b, "exp %s %d %s\n", d->stmt->expects.v[i].name,
                (int)d->stmt->expects.v[i].action, d->stmt->expects.v[i].expr);
    for (size_t i = 0; i < d->flows.n; i++) {
        const prj_flow *fl = &p->flows.v[d->flows.v[i]];
        sb_addf(&b, "flow %s\n", fl->name);
        if (fl->own) { /* the query (the head is hashed above, piece by piece) */
            sb_addn(&b, prj_text(p, fl->file) + fl->stmt->query_off, fl->stmt->query_len);
        } else {       /* a flow's whole statement: its query or its CDC clauses */
            sb_addn(&b, prj_text(p, fl->file) + fl->stmt->span_off, fl->stmt->span_len);
        }
        sb_addc(&b, '\n');
    }
    snprintf(out, 17, "%016llx", (unsigned long long)str_hash64(b.s, b.len));
    sb_free(&b);
}

int plan_create_table(sqlite3 *db, const project *p, int d, const rewrite *q,
                      char **err, int *err_off)
{
    const prj_dataset *ds = &p->datasets.v[d];
    const sql_stmt *s = ds->stmt;
    sb sql = {0};
    size_t prefix = 0;
    sb_add(&sql, "CREATE TABLE ");
    sb_add_ident(&sql, ds->name);
    if (s->columns.n) {
        sb_add(&sql, " (");
        for (size_t i = 0; i < s->columns.n; i++) {
            const sql_column *c = &s->columns.v[i];
            if (i) sb_add(&sql, ", ");
            sb_add_ident(&sql, c->name);
            char *t = sql_sqlite_type(c->type);
            if (*t) sb_addf(&sql, " %s", t);
            free(t);
            if (c->not_null) sb_add(&sql, " NOT NULL");
        }
        sb_add(&sql, ")");
    } else {
        sb_add(&sql, " AS SELECT * FROM (");
        prefix = sql.len;
        sb_addn(&sql, sb_str(&q->out), q->out.len);
        sb_add(&sql, ") LIMIT 0");
    }
    *err_off = -1;
    int rc = wh_exec(db, sb_str(&sql), err);
    if (rc < 0 && !s->columns.n) {
        int off = sqlite3_error_offset(db);
        if (off >= (int)prefix && off < (int)(prefix + q->out.len))
            *err_off = off - (int)prefix;
    }
    sb_free(&sql);
    return rc;
}

int plan_add_missing_columns(sqlite3 *db, const char *name, sqlite3_stmt *st, char **err)
{
    sb q = {0};
    sb_add(&q, "SELECT name FROM pragma_table_info(");
    sb_add_sqlstr(&q, name);
    sb_add(&q, ")");
    strvec have = {0};
    sqlite3_stmt *info = NULL;
    if (sqlite3_prepare_v2(db, sb_str(&q), -1, &info, NULL) == SQLITE_OK)
        while (sqlite3_step(info) == SQLITE_ROW)
            VEC_PUSH(&have, xstrdup((const char *)sqlite3_column_text(info, 0)));
    sqlite3_finalize(info);
    int rc = 0;
    for (int i = 0; i < sqlite3_column_count(st) && rc == 0; i++) {
        const char *col = sqlite3_column_name(st, i);
        if (strvec_find(&have, col) >= 0) continue;
        sb_clear(&q);
        sb_add(&q, "ALTER TABLE ");
        sb_add_ident(&q, name);
        sb_add(&q, " ADD COLUMN ");
        sb_add_ident(&q, col);
        const char *type = sqlite3_column_decltype(st, i);
        if (type) sb_addf(&q, " %s", type);
        rc = wh_exec(db, sb_str(&q), err);
        VEC_PUSH(&have, xstrdup(col));
    }
    strvec_free(&have);
    sb_free(&q);
    return rc;
}
