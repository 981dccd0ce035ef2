/*
 * ingest_vtab.c - a read_files source seen by SQLite as a table (see
 * ingest.h): the virtual table module "tarn_files", one table per source in
 * the temp schema, read front to back by a reader thread (ingest_read.c).
 */
#include <stdlib.h>
#include <string.h>

#include "ingest_int.h"
#include "warehouse.h"

typedef struct vtab {
    sqlite3_vtab base;
    ing_source *src;     /* borrowed from the registry */
} vtab;

typedef struct cursor {
    sqlite3_vtab_cursor base;
    ing_reader *r;
    const ing_val *row;
    const char *text;
    sqlite3_int64 rowid;
    bool eof;
} cursor;

static int vt_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                      sqlite3_vtab **out, char **err)
{
    ing_registry *reg = aux;
    long k = argc > 3 ? strtol(argv[3], NULL, 10) : -1;
    if (k < 0 || (size_t)k >= reg->sources.n) {
        *err = sqlite3_mprintf("tarn_files: no source %ld", k);
        return SQLITE_ERROR;
    }
    ing_source *src = reg->sources.v[k];
    sb decl = {0};
    sb_add(&decl, "CREATE TABLE x(");
    for (size_t i = 0; i < src->schema.cols.n; i++) {
        sb_add_ident(&decl, src->schema.cols.v[i].name);
        sb_addf(&decl, " %s, ", inf_type_name(src->schema.cols.v[i].type));
    }
    sb_add(&decl, ING_RESCUED " TEXT, " ING_FILE " TEXT, " ING_LINE " INTEGER)");
    int rc = sqlite3_declare_vtab(db, sb_str(&decl));
    sb_free(&decl);
    if (rc != SQLITE_OK) return rc;
    vtab *v = sqlite3_malloc(sizeof(*v));
    if (!v) return SQLITE_NOMEM;
    memset(v, 0, sizeof(*v));
    v->src = src;
    *out = &v->base;
    return SQLITE_OK;
}

static int vt_disconnect(sqlite3_vtab *v)
{
    sqlite3_free(v);
    return SQLITE_OK;
}

static int vt_best_index(sqlite3_vtab *v, sqlite3_index_info *info)
{
    (void)v;
    info->estimatedCost = 1e9; /* a scan of every file: there is nothing else */
    info->estimatedRows = 1000000;
    return SQLITE_OK;
}

static int vt_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out)
{
    (void)v;
    cursor *c = sqlite3_malloc(sizeof(*c));
    if (!c) return SQLITE_NOMEM;
    memset(c, 0, sizeof(*c));
    *out = &c->base;
    return SQLITE_OK;
}

static int vt_close(sqlite3_vtab_cursor *cur)
{
    cursor *c = (cursor *)cur;
    ing_reader_stop(c->r);
    sqlite3_free(c);
    return SQLITE_OK;
}

static int step(cursor *c)
{
    int rc = ing_reader_next(c->r, &c->row, &c->text);
    if (rc < 0) {
        vtab *v = (vtab *)c->base.pVtab;
        sqlite3_free(v->base.zErrMsg);
        v->base.zErrMsg = sqlite3_mprintf("%s", ing_reader_error(c->r));
        c->eof = true;
        return SQLITE_ERROR;
    }
    c->eof = rc == 0;
    c->rowid++;
    return SQLITE_OK;
}

static int vt_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxstr, int argc,
                     sqlite3_value **argv)
{
    (void)idx;
    (void)idxstr;
    (void)argc;
    (void)argv;
    cursor *c = (cursor *)cur;
    ing_reader_stop(c->r);
    c->r = ing_reader_start(((vtab *)cur->pVtab)->src);
    c->rowid = 0;
    return step(c);
}

static int vt_next(sqlite3_vtab_cursor *cur)
{
    return step((cursor *)cur);
}

static int vt_eof(sqlite3_vtab_cursor *cur)
{
    return ((cursor *)cur)->eof;
}

static int vt_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i)
{
    cursor *c = (cursor *)cur;
    const ing_val *v = &c->row[i];
    switch (v->kind) {
    case SQLITE_INTEGER: sqlite3_result_int64(ctx, v->u.i); break;
    case SQLITE_FLOAT: sqlite3_result_double(ctx, v->u.d); break;
    case SQLITE_TEXT:
        sqlite3_result_text(ctx, c->text + v->u.off, (int)v->len, SQLITE_TRANSIENT);
        break;
    case ING_FILE_REF: {
        const ing_source *src = ((vtab *)cur->pVtab)->src;
        sqlite3_result_text(ctx, src->files.v[v->u.i].path, -1, SQLITE_TRANSIENT);
        break;
    }
    default: sqlite3_result_null(ctx);
    }
    return SQLITE_OK;
}

static int vt_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
    *rowid = ((cursor *)cur)->rowid;
    return SQLITE_OK;
}

static sqlite3_module files_module = {
    .iVersion = 0,
    .xCreate = vt_connect,
    .xConnect = vt_connect,
    .xBestIndex = vt_best_index,
    .xDisconnect = vt_disconnect,
    .xDestroy = vt_disconnect,
    .xOpen = vt_open,
    .xClose = vt_close,
    .xFilter = vt_filter,
    .xNext = vt_next,
    .xEof = vt_eof,
    .xColumn = vt_column,
    .xRowid = vt_rowid,
};

static void free_registry(void *p)
{
    ing_registry_truncate(NULL, p, 0);
    free(p);
}

int ing_attach(sqlite3 *db, ing_registry *reg, bool owned, char **err)
{
    if (sqlite3_create_module_v2(db, "tarn_files", &files_module, reg,
                                 owned ? free_registry : NULL) == SQLITE_OK)
        return 0;
    if (err) *err = xstrdup(sqlite3_errmsg(db));
    return -1;
}

static char *table_name(size_t k)
{
    return xasprintf("\"__tarn_files_%zu\"", k);
}

int ing_register(sqlite3 *db, ing_registry *reg, ing_source *src, char **table, char **err)
{
    VEC_PUSH(&reg->sources, src);
    size_t k = reg->sources.n - 1;
    char *name = table_name(k);
    char *sql = xasprintf("DROP TABLE IF EXISTS temp.%s; CREATE VIRTUAL TABLE temp.%s USING "
                          "tarn_files(%zu)", name, name, k);
    int rc = wh_exec(db, sql, err);
    free(sql);
    if (rc < 0) {
        free(name);
        return -1;
    }
    *table = name;
    return (int)k;
}

void ing_registry_truncate(sqlite3 *db, ing_registry *reg, size_t keep)
{
    for (size_t k = keep; k < reg->sources.n; k++) {
        if (db) {
            char *name = table_name(k);
            char *sql = xasprintf("DROP TABLE IF EXISTS temp.%s", name);
            wh_exec(db, sql, NULL);
            free(sql);
            free(name);
        }
        ing_source_free(reg->sources.v[k]);
    }
    if (reg->sources.n > keep) reg->sources.n = keep;
    if (!keep) VEC_FREE(&reg->sources);
}
