/*
 * readfiles.c - binding read_files calls to sources for one run (see
 * readfiles.h).
 */
#include "readfiles.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

#include "fsutil.h"
#include "lex.h"
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

/* read_files call r reading all of its files. */
static int bind_files_all(sqlite3 *db, ing_registry *reg, const project *p, int f,
                          const sql_ref *r, strvec *tables, diag_list *d)
{
    int file = p->flows.v[f].file, rc = 0;
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
    return rc;
}

/* ======================= read_sqlite ======================= */

typedef struct sqlite_call {
    char *path, *table, *cursor; /* owned; cursor NULL: by rowid */
    char *schema;                /* owned: the attached name, quoted */
} sqlite_call;

static void sqlite_call_free(sqlite_call *c)
{
    free(c->path);
    free(c->table);
    free(c->cursor);
    free(c->schema);
}

/* read_sqlite('path.db', 'table' [, cursor => 'column']) */
static int parse_sqlite_call(const project *p, int f, const sql_ref *r, sqlite_call *c,
                             diag_list *d)
{
    memset(c, 0, sizeof(*c));
    int file = p->flows.v[f].file;
    const char *text = prj_text(p, file);
    tokvec t = {0};
    size_t pos = r->args_off;
    const char *msg;
    for (;;) {
        token k = lex_next(text, r->args_off + r->args_len, &pos, &msg);
        if (k.kind == TK_EOF) break;
        if (k.kind != TK_COMMENT) VEC_PUSH(&t, k);
    }
    bool good = t.n >= 3 && t.v[0].kind == TK_STRING && lex_punct(text, t.v[1], ',') &&
                t.v[2].kind == TK_STRING;
    if (good) {
        c->path = lex_string(text, t.v[0]);
        c->table = lex_string(text, t.v[2]);
        if (t.n == 8 && lex_punct(text, t.v[3], ',') && lex_is(text, t.v[4], "cursor") &&
            lex_punct(text, t.v[5], '=') && lex_punct(text, t.v[6], '>') &&
            t.v[7].kind == TK_STRING)
            c->cursor = lex_string(text, t.v[7]);
        else if (t.n != 3)
            good = false;
    }
    VEC_FREE(&t);
    if (!good) {
        prj_error(p, d, DIAG_ERROR, file, r->name_off,
                  "read_sqlite wants ('path/to/file.db', 'table') and optionally "
                  "cursor => 'column'");
        sqlite_call_free(c);
        return -1;
    }
    return 0;
}

/* file: URI for path, reserved characters escaped. */
static char *ro_uri(const char *path)
{
    sb b = {0};
    sb_add(&b, "file:");
    for (const char *c = path; *c; c++) {
        if (*c == '?' || *c == '#' || *c == '%' || *c == ' ') sb_addf(&b, "%%%02X", (unsigned char)*c);
        else sb_addc(&b, *c);
    }
    sb_add(&b, "?mode=ro");
    return sb_take(&b);
}

/* Attaches c->path read-only (once per connection) and checks the table. */
static int attach_sqlite(sqlite3 *db, const project *p, int f, const sql_ref *r,
                         sqlite_call *c, diag_list *d)
{
    char *full = fs_join(p->dir, c->path);
    char name[40];
    snprintf(name, sizeof name, "__tarn_db_%016llx",
             (unsigned long long)str_hash64(full, strlen(full)));
    c->schema = xasprintf("\"%s\"", name);
    int rc = 0;
    if (!fs_exists(full)) {
        prj_error(p, d, DIAG_ERROR, p->flows.v[f].file, r->args_off,
                  "read_sqlite: %s does not exist", c->path);
        rc = -1;
    } else if (!wh_table_exists(db, name, "sqlite_schema")) {
        char *uri = ro_uri(full), *err = NULL;
        sb q = {0};
        sb_add(&q, "ATTACH ");
        sb_add_sqlstr(&q, uri);
        sb_addf(&q, " AS %s", c->schema);
        if (wh_exec(db, sb_str(&q), &err) < 0) {
            prj_error(p, d, DIAG_ERROR, p->flows.v[f].file, r->args_off, "read_sqlite: %s", err);
            rc = -1;
        }
        free(err);
        free(uri);
        sb_free(&q);
    }
    if (rc == 0 && !wh_table_exists(db, name, c->table)) {
        prj_error(p, d, DIAG_ERROR, p->flows.v[f].file, r->args_off,
                  "read_sqlite: %s has no table '%s'", c->path, c->table);
        rc = -1;
    }
    free(full);
    return rc;
}

/* "schema"."table" */
static void add_qualified(sb *b, const sqlite_call *c)
{
    sb_addf(b, "%s.", c->schema);
    sb_add_ident(b, c->table);
}

static int bind_sqlite_all(sqlite3 *db, const project *p, int f, const sql_ref *r,
                           strvec *tables, diag_list *d)
{
    sqlite_call c;
    if (parse_sqlite_call(p, f, r, &c, d) < 0) return -1;
    int rc = attach_sqlite(db, p, f, r, &c, d);
    if (rc == 0) {
        sb b = {0};
        add_qualified(&b, &c);
        VEC_PUSH(tables, sb_take(&b));
    }
    sqlite_call_free(&c);
    return rc;
}

int rf_bind_all(sqlite3 *db, ing_registry *reg, const project *p, int f, strvec *tables,
                diag_list *d)
{
    const sql_stmt *s = p->flows.v[f].stmt;
    int rc = 0;
    for (size_t i = 0; i < s->refs.n; i++) {
        const sql_ref *r = &s->refs.v[i];
        prj_ref_kind k = prj_ref_kind_of(p, s, r, NULL);
        if (k == REF_FILES && bind_files_all(db, reg, p, f, r, tables, d) < 0) rc = -1;
        if (k == REF_SQLITE && bind_sqlite_all(db, p, f, r, tables, d) < 0) rc = -1;
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

/* STREAM read_files call r: a source over the files not read yet. */
static int bind_files_new(sqlite3 *wh, ing_registry *reg, const project *p, int f,
                          const sql_ref *r, strvec *tables, rf_stream *out, diag_list *d)
{
    const prj_flow *fl = &p->flows.v[f];
    int rc = 0;
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
    bool had_schema = json != NULL;
    if (json) ing_schema_from_json(json, &kept);
    free(json);
    if ((fresh.n || !kept.cols.n) && ing_infer(p->dir, &o, &fresh, &inferred, &notes, &err) < 0) {
        prj_error(p, d, DIAG_ERROR, fl->file, r->args_off, "read_files: %s", err);
        rc = -1;
        goto next;
    }
    for (size_t n = 0; n < notes.n; n++)
        VEC_PUSH(&out->messages, xasprintf("INFO read_files('%s'): %s", o.glob, notes.v[n]));
    int added = ing_schema_merge(&kept, &inferred);
    if (added && had_schema)
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
    return rc;
}

/* An SQL literal from a query of one value (quote(...)), or NULL. */
static char *literal(sqlite3 *db, const char *sql, const char *a, const char *b)
{
    sqlite3_stmt *st = NULL;
    char *v = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (a) sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
        if (b) sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
            v = xstrdup((const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return v;
}

/* STREAM read_sqlite call r: the rows past the flow's position. */
static int bind_sqlite_new(sqlite3 *wh, const project *p, int f, const sql_ref *r,
                           strvec *tables, rf_stream *out, diag_list *d)
{
    const prj_flow *fl = &p->flows.v[f];
    sqlite_call c;
    if (parse_sqlite_call(p, f, r, &c, d) < 0) return -1;
    if (attach_sqlite(wh, p, f, r, &c, d) < 0) {
        sqlite_call_free(&c);
        return -1;
    }
    char *key = xasprintf("read_sqlite:%s:%s%s%s", c.path, c.table, c.cursor ? ":" : "",
                          c.cursor ? c.cursor : "");
    char *lo = literal(wh, "SELECT quote(position) FROM _tarn_checkpoints WHERE flow = ?1"
                           " AND source = ?2", fl->name, key);
    sb col = {0}, q = {0};
    if (c.cursor) sb_add_ident(&col, c.cursor);
    else sb_add(&col, "rowid");
    sb_addf(&q, "SELECT quote(max(%s)) FROM ", sb_str(&col));
    add_qualified(&q, &c);
    char *hi = literal(wh, sb_str(&q), NULL, NULL);
    sb_clear(&q);
    sb_addf(&q, "(SELECT * FROM ");
    add_qualified(&q, &c);
    sb_addf(&q, " WHERE %s <= %s", sb_str(&col), hi ? hi : "NULL");
    if (lo) sb_addf(&q, " AND %s > %s", sb_str(&col), lo);
    sb_addc(&q, ')');
    VEC_PUSH(tables, sb_take(&q));
    if (hi && (!lo || strcmp(lo, hi))) out->any_new = true;
    rf_pending pend = {-1, key, hi ? hi : xstrdup(lo ? lo : "0")};
    VEC_PUSH(&out->items, pend);
    free(lo);
    sb_free(&col);
    sqlite_call_free(&c);
    return 0;
}

int rf_bind_new(sqlite3 *wh, ing_registry *reg, const project *p, int f, strvec *tables,
                rf_stream *out, diag_list *d)
{
    const sql_stmt *s = p->flows.v[f].stmt;
    int rc = 0;
    for (size_t i = 0; i < s->refs.n && rc == 0; i++) {
        const sql_ref *r = &s->refs.v[i];
        prj_ref_kind k = prj_ref_kind_of(p, s, r, NULL);
        if (k == REF_FILES)
            rc = r->stream ? bind_files_new(wh, reg, p, f, r, tables, out, d)
                           : bind_files_all(wh, reg, p, f, r, tables, d);
        else if (k == REF_SQLITE)
            rc = r->stream ? bind_sqlite_new(wh, p, f, r, tables, out, d)
                           : bind_sqlite_all(wh, p, f, r, tables, d);
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
        if (pd->source < 0) { /* read_sqlite: the position read up to */
            sb q = {0};
            sb_add(&q, "INSERT OR REPLACE INTO _tarn_checkpoints(flow, source, position,"
                       " source_generation, updated_at) VALUES (");
            sb_add_sqlstr(&q, flow);
            sb_add(&q, ", ");
            sb_add_sqlstr(&q, pd->key);
            sb_addf(&q, ", %s, 0, strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ','now'))", pd->schema);
            int w = wh_exec(wh, sb_str(&q), err);
            sb_free(&q);
            if (w < 0) {
                sqlite3_finalize(put);
                sqlite3_finalize(schema);
                return -1;
            }
            continue;
        }
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

/* size:mtime of path (and of its WAL file, where changes may sit). */
static void stamp(sb *out, const char *path)
{
    struct stat st;
    char *wal = xasprintf("%s-wal", path);
    if (stat(path, &st) == 0)
        sb_addf(out, "%s:%lld:%lld;", path, (long long)st.st_size, (long long)st.st_mtim.tv_nsec +
                (long long)st.st_mtim.tv_sec * 1000000000LL);
    if (stat(wal, &st) == 0)
        sb_addf(out, "wal:%lld:%lld;", (long long)st.st_size, (long long)st.st_mtim.tv_nsec +
                (long long)st.st_mtim.tv_sec * 1000000000LL);
    free(wal);
}

void rf_fingerprint(const project *p, int f, sb *out)
{
    const sql_stmt *s = p->flows.v[f].stmt;
    for (size_t i = 0; i < s->refs.n; i++) {
        const sql_ref *r = &s->refs.v[i];
        prj_ref_kind kind = prj_ref_kind_of(p, s, r, NULL);
        if (kind == REF_SQLITE) {
            sqlite_call c;
            diag_list quiet = {0};
            if (parse_sqlite_call(p, f, r, &c, &quiet) == 0) {
                char *full = fs_join(p->dir, c.path);
                stamp(out, full);
                free(full);
                sqlite_call_free(&c);
            }
            diag_free(&quiet);
            continue;
        }
        if (kind != REF_FILES) continue;
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
