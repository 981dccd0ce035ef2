/*
 * readfiles.c - binding read_files calls to sources for one run (see
 * readfiles.h).
 */
#include "readfiles.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warehouse.h"

typedef struct call_ctx {
    const project *p;
    diag_list *d;
    int file;
} call_ctx;

static void option_problem(void *ctx, size_t off, const char *msg)
{
    call_ctx *c = ctx;
    prj_error(c->p, c->d, DIAG_ERROR, c->file, off, "%s", msg);
}

/* The options of read_files call r of flow f. */
static int parse_call(const project *p, int f, const sql_ref *r, ing_options *o,
                      diag_list *d)
{
    call_ctx c = {p, d, p->flows.v[f].file};
    return ing_options_parse(prj_text(p, c.file), r->args_off, r->args_len, o,
                             option_problem, &c);
}

static void note_renames(const project *p, int f, const sql_ref *r, strvec *notes,
                         diag_list *d)
{
    for (size_t i = 0; i < notes->n; i++)
        prj_error(p, d, DIAG_NOTE, p->flows.v[f].file, r->name_off, "read_files: %s",
                  notes->v[i]);
}

static void paths_of(const ing_filevec *files, strvec *out)
{
    for (size_t i = 0; i < files->n; i++) VEC_PUSH(out, xstrdup(files->v[i].path));
}

/* Registers a source and appends its table to tables. */
static int add_source(sqlite3 *db, ing_registry *reg, const project *p, const ing_options *o,
                      const strvec *files, const ing_schema *schema, strvec *tables,
                      char **err)
{
    ing_source *src = ing_source_new(p->dir, o, files, schema);
    char *table = NULL;
    int k = ing_register(db, reg, src, &table, err);
    if (k >= 0) VEC_PUSH(tables, table);
    return k;
}

int rf_bind_all(sqlite3 *db, ing_registry *reg, const project *p, int f, strvec *tables,
                diag_list *d)
{
    const sql_stmt *s = p->flows.v[f].stmt;
    int file = p->flows.v[f].file, rc = 0;
    for (size_t i = 0; i < s->refs.n; i++) {
        const sql_ref *r = &s->refs.v[i];
        if (prj_ref_kind_of(p, s, r, NULL) != REF_FILES) continue;
        ing_options o;
        ing_filevec listed = {0};
        strvec paths = {0}, notes = {0};
        ing_schema schema = {0};
        char *err = NULL;
        if (parse_call(p, f, r, &o, d) < 0) {
            rc = -1;
        } else if (ing_list(p->dir, &o, &listed, &err) < 0) {
            prj_error(p, d, DIAG_ERROR, file, r->name_off, "read_files('%s'): %s", o.glob, err);
            rc = -1;
        } else if (!listed.n && !o.schema) {
            prj_error(p, d, DIAG_ERROR, file, r->name_off,
                      "read_files('%s'): no file matches, so its columns are unknown (add "
                      "files, or give schema => 'col TYPE, ...')", o.glob);
            rc = -1;
        } else {
            paths_of(&listed, &paths);
            if (ing_infer(p->dir, &o, &paths, &schema, &notes, &err) < 0) {
                prj_error(p, d, DIAG_ERROR, file, r->args_off, "read_files: %s", err);
                rc = -1;
            } else {
                note_renames(p, f, r, &notes, d);
                if (add_source(db, reg, p, &o, &paths, &schema, tables, &err) < 0) {
                    prj_error(p, d, DIAG_ERROR, file, r->name_off, "read_files: %s", err);
                    rc = -1;
                }
            }
        }
        free(err);
        ing_schema_free(&schema);
        strvec_free(&paths);
        strvec_free(&notes);
        ing_files_free(&listed);
        ing_options_free(&o);
    }
    return rc;
}

/* ======================= streaming ======================= */

typedef struct known_file {
    int64_t size, mtime_ns, update_id;
} known_file;

typedef VEC(known_file) known_files;

/* The files the flow read from source key, by path. */
static void load_known(sqlite3 *wh, const char *flow, const char *key, strmap *index,
                       known_files *known)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(wh, "SELECT path, size, mtime_ns, update_id FROM _tarn_files"
                               " WHERE flow = ? AND source = ?", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, flow, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        known_file k = {sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                        sqlite3_column_int64(st, 3)};
        strmap_put(index, (const char *)sqlite3_column_text(st, 0), (int)known->n);
        VEC_PUSH(known, k);
    }
    sqlite3_finalize(st);
}

static char *load_schema(sqlite3 *wh, const char *flow, const char *key)
{
    sqlite3_stmt *st = NULL;
    char *json = NULL;
    if (sqlite3_prepare_v2(wh, "SELECT schema FROM _tarn_source_schemas WHERE flow = ? AND"
                               " source = ?", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, flow, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            json = xstrdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return json;
}

/* The files to read now: never read, or changed and allowed again. */
static void pick_new(sqlite3 *wh, const char *flow, const ing_options *o,
                     const ing_filevec *listed, strvec *out, strvec *messages)
{
    strmap index = {0};
    known_files known = {0};
    load_known(wh, flow, o->glob, &index, &known);
    for (size_t i = 0; i < listed->n; i++) {
        const ing_file *f = &listed->v[i];
        int k = strmap_get(&index, f->path, -1);
        if (k < 0) {
            VEC_PUSH(out, xstrdup(f->path));
        } else if (known.v[k].size != f->size || known.v[k].mtime_ns != f->mtime_ns) {
            if (o->allow_overwrites) {
                VEC_PUSH(out, xstrdup(f->path));
                VEC_PUSH(messages, xasprintf("INFO file %s changed since update #%lld read it:"
                                             " reading it again (allowOverwrites)", f->path,
                                             (long long)known.v[k].update_id));
            } else {
                VEC_PUSH(messages, xasprintf("WARN file %s changed since update #%lld read it:"
                                             " not read again (allowOverwrites => true would)",
                                             f->path, (long long)known.v[k].update_id));
            }
        }
    }
    strmap_free(&index);
    VEC_FREE(&known);
}

int rf_bind_new(sqlite3 *wh, ing_registry *reg, const project *p, int f, strvec *tables,
                rf_stream *out, diag_list *d)
{
    const prj_flow *fl = &p->flows.v[f];
    const sql_stmt *s = fl->stmt;
    int rc = 0;
    for (size_t i = 0; i < s->refs.n && rc == 0; i++) {
        const sql_ref *r = &s->refs.v[i];
        if (prj_ref_kind_of(p, s, r, NULL) != REF_FILES) continue;
        ing_options o;
        ing_filevec listed = {0};
        strvec fresh = {0}, notes = {0};
        ing_schema kept = {0}, inferred = {0};
        char *err = NULL;
        if (parse_call(p, f, r, &o, d) < 0 || ing_list(p->dir, &o, &listed, &err) < 0) {
            if (err) prj_error(p, d, DIAG_ERROR, fl->file, r->name_off, "%s", err);
            rc = -1;
            goto next;
        }
        pick_new(wh, fl->name, &o, &listed, &fresh, &out->messages);
        char *json = load_schema(wh, fl->name, o.glob);
        if (json) ing_schema_from_json(json, &kept);
        free(json);
        if ((fresh.n || !kept.cols.n) &&
            ing_infer(p->dir, &o, &fresh, &inferred, &notes, &err) < 0) {
            prj_error(p, d, DIAG_ERROR, fl->file, r->args_off, "read_files: %s", err);
            rc = -1;
            goto next;
        }
        for (size_t n = 0; n < notes.n; n++)
            VEC_PUSH(&out->messages, xasprintf("INFO read_files('%s'): %s", o.glob, notes.v[n]));
        int added = ing_schema_merge(&kept, &inferred);
        if (added && json)
            VEC_PUSH(&out->messages, xasprintf("INFO read_files('%s'): %d new column%s from new "
                                               "files", o.glob, added, added == 1 ? "" : "s"));
        int k = add_source(wh, reg, p, &o, &fresh, &kept, tables, &err);
        if (k < 0) {
            prj_error(p, d, DIAG_ERROR, fl->file, r->name_off, "read_files: %s", err);
            rc = -1;
            goto next;
        }
        rf_pending pend = {k, xstrdup(o.glob), ing_schema_json(&kept)};
        VEC_PUSH(&out->items, pend);
        if (fresh.n) out->any_new = true;
    next:
        free(err);
        ing_schema_free(&kept);
        ing_schema_free(&inferred);
        strvec_free(&fresh);
        strvec_free(&notes);
        ing_files_free(&listed);
        ing_options_free(&o);
    }
    return rc;
}

int rf_record(sqlite3 *wh, const ing_registry *reg, rf_stream *s, const char *flow,
              int64_t update_id, char **err)
{
    sqlite3_stmt *put = NULL, *schema = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(wh, "INSERT OR REPLACE INTO _tarn_files(flow, source, path, size,"
                               " mtime_ns, hash, rows, update_id, ingested_at) VALUES"
                               " (?,?,?,?,?,?,?,?, strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
                           -1, &put, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(wh, "INSERT OR REPLACE INTO _tarn_source_schemas(flow, source,"
                               " schema) VALUES (?,?,?)", -1, &schema, NULL) != SQLITE_OK)
        goto out;
    for (size_t i = 0; i < s->items.n; i++) {
        const rf_pending *pd = &s->items.v[i];
        const ing_source *src = reg->sources.v[pd->source];
        for (size_t k = 0; k < src->files.n; k++) {
            const ing_file *f = &src->files.v[k];
            if (f->missing) {
                VEC_PUSH(&s->messages, xasprintf("WARN file %s was gone when its turn came:"
                                                 " not read", f->path));
                continue;
            }
            if (!f->read) continue;
            char hash[17];
            snprintf(hash, sizeof hash, "%016llx", (unsigned long long)f->hash);
            sqlite3_bind_text(put, 1, flow, -1, SQLITE_STATIC);
            sqlite3_bind_text(put, 2, pd->key, -1, SQLITE_STATIC);
            sqlite3_bind_text(put, 3, f->path, -1, SQLITE_STATIC);
            sqlite3_bind_int64(put, 4, f->size);
            sqlite3_bind_int64(put, 5, f->mtime_ns);
            sqlite3_bind_text(put, 6, hash, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(put, 7, f->rows);
            sqlite3_bind_int64(put, 8, update_id);
            if (sqlite3_step(put) != SQLITE_DONE) goto out;
            sqlite3_reset(put);
        }
        sqlite3_bind_text(schema, 1, flow, -1, SQLITE_STATIC);
        sqlite3_bind_text(schema, 2, pd->key, -1, SQLITE_STATIC);
        sqlite3_bind_text(schema, 3, pd->schema, -1, SQLITE_STATIC);
        if (sqlite3_step(schema) != SQLITE_DONE) goto out;
        sqlite3_reset(schema);
    }
    rc = 0;
out:
    if (rc < 0 && err) *err = xstrdup(sqlite3_errmsg(wh));
    sqlite3_finalize(put);
    sqlite3_finalize(schema);
    return rc;
}

void rf_stream_free(rf_stream *s)
{
    for (size_t i = 0; i < s->items.n; i++) {
        free(s->items.v[i].key);
        free(s->items.v[i].schema);
    }
    VEC_FREE(&s->items);
    strvec_free(&s->messages);
}

void rf_fingerprint(const project *p, int f, sb *out)
{
    const sql_stmt *s = p->flows.v[f].stmt;
    for (size_t i = 0; i < s->refs.n; i++) {
        const sql_ref *r = &s->refs.v[i];
        if (prj_ref_kind_of(p, s, r, NULL) != REF_FILES) continue;
        ing_options o;
        diag_list quiet = {0};
        if (parse_call(p, f, r, &o, &quiet) == 0) {
            ing_filevec listed = {0};
            if (ing_list(p->dir, &o, &listed, NULL) == 0)
                for (size_t k = 0; k < listed.n; k++)
                    sb_addf(out, "%s:%lld:%lld;", listed.v[k].path, (long long)listed.v[k].size,
                            (long long)listed.v[k].mtime_ns);
            ing_files_free(&listed);
        }
        diag_free(&quiet);
        ing_options_free(&o);
    }
}
