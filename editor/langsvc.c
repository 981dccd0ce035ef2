/*
 * langsvc.c - the pipeline's help for the editor (see langsvc.h).
 */
#include "langsvc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "lex.h"
#include "warehouse.h"

/* ======================= the model ======================= */

static void dataset_free(ls_dataset *d)
{
    free(d->name);
    free(d->file);
    for (size_t i = 0; i < d->columns.n; i++) {
        free(d->columns.v[i].name);
        free(d->columns.v[i].type);
    }
    VEC_FREE(&d->columns);
    strvec_free(&d->expects);
    free(d->comment);
    free(d->refreshed);
}

void ls_model_free(ls_model *m)
{
    for (size_t i = 0; i < m->datasets.n; i++) dataset_free(&m->datasets.v[i]);
    VEC_FREE(&m->datasets);
    strvec_free(&m->params);
    strvec_free(&m->functions);
}

/* Row counts and refresh times from the warehouse, when it exists. */
static void add_stored(ls_model *m, const project *p)
{
    char *path = prj_warehouse_path(p);
    sqlite3 *db = NULL;
    if (fs_exists(path) && wh_open(path, true, &db, NULL) == 0) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "SELECT name, rows, refreshed_at FROM _tarn_datasets", -1,
                               &st, NULL) == SQLITE_OK)
            while (sqlite3_step(st) == SQLITE_ROW)
                for (size_t i = 0; i < m->datasets.n; i++) {
                    ls_dataset *d = &m->datasets.v[i];
                    if (!str_ieq(d->name, (const char *)sqlite3_column_text(st, 0))) continue;
                    d->rows = sqlite3_column_int64(st, 1);
                    const char *at = (const char *)sqlite3_column_text(st, 2);
                    d->refreshed = at ? xstrdup(at) : NULL;
                }
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    free(path);
}

/* The SQL functions a query of p can call: those of the connection the dry
 * run compiles on (SQLite's, and whatever the engine registers there). */
static void add_functions(ls_model *m, const project *p)
{
    sqlite3 *db = NULL;
    bool attached = false;
    char *err = NULL;
    if (val_open_scratch(p, &db, &attached, &err) == 0) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "SELECT DISTINCT name FROM pragma_function_list "
                                   "WHERE name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY name",
                               -1, &st, NULL) == SQLITE_OK)
            while (sqlite3_step(st) == SQLITE_ROW)
                VEC_PUSH(&m->functions, xstrdup((const char *)sqlite3_column_text(st, 0)));
        sqlite3_finalize(st);
    }
    free(err);
    sqlite3_close(db);
}

void ls_model_build(ls_model *m, const project *p, const val_result *vr)
{
    memset(m, 0, sizeof(*m));
    text_cursor *at = xcalloc(p->files.n + 1, sizeof(text_cursor)); /* one pass a file */
    for (size_t i = 0; i < p->datasets.n; i++) {
        const prj_dataset *pd = &p->datasets.v[i];
        const prj_file *f = &p->files.v[pd->file];
        ls_dataset d = {0};
        d.name = xstrdup(pd->name);
        d.kind = pd->kind;
        d.file = xstrdup(f->path);
        text_linecol_from(&at[pd->file], f->orig, rw_map(&f->sub, pd->stmt->name_off), &d.line,
                          &d.col);
        d.rows = -1;
        if (pd->stmt->comment) d.comment = xstrdup(pd->stmt->comment);
        for (size_t k = 0; k < pd->stmt->expects.n; k++) {
            const sql_expect *e = &pd->stmt->expects.v[k];
            VEC_PUSH(&d.expects, xasprintf("%s: %s (%s)", e->name, e->expr,
                                           sql_violation_name(e->action)));
        }
        if (vr && i < vr->n && vr->datasets[i].ok)
            for (size_t k = 0; k < vr->datasets[i].columns.n; k++) {
                ls_column c = {xstrdup(vr->datasets[i].columns.v[k].name),
                               xstrdup(vr->datasets[i].columns.v[k].type)};
                VEC_PUSH(&d.columns, c);
            }
        VEC_PUSH(&m->datasets, d);
    }
    free(at);
    for (size_t i = 0; i < p->man.config_keys.n; i++) {
        const char *v = prj_param(p, p->man.config_keys.v[i]);
        VEC_PUSH(&m->params, xasprintf("%s=%s", p->man.config_keys.v[i], v ? v : ""));
    }
    for (size_t i = 0; i < p->param_keys.n; i++)
        if (!man_config(&p->man, p->param_keys.v[i]))
            VEC_PUSH(&m->params, xasprintf("%s=%s", p->param_keys.v[i], p->param_vals.v[i]));
    add_stored(m, p);
    add_functions(m, p);
}

const ls_dataset *ls_dataset_named(const ls_model *m, const char *name)
{
    for (size_t i = 0; i < m->datasets.n; i++)
        if (str_ieq(m->datasets.v[i].name, name)) return &m->datasets.v[i];
    return NULL;
}

/* ======================= words and statements ======================= */

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

char *ls_word_at(const char *text, size_t len, size_t pos, size_t *start, size_t *end)
{
    if (pos > len) pos = len;
    size_t s = pos, e = pos;
    while (s > 0 && ident_char(text[s - 1])) s--;
    while (e < len && ident_char(text[e])) e++;
    if (s == e || isdigit((unsigned char)text[s])) return NULL;
    if (start) *start = s;
    if (end) *end = e;
    return xstrndup(text + s, e - s);
}

void ls_statement_at(const char *text, size_t len, size_t pos, size_t *start, size_t *end)
{
    tokvec t = {0};
    lex_all(text, len, false, &t, NULL);
    size_t s = 0, e = len;
    for (size_t i = 0; i < t.n; i++) {
        if (!lex_punct(text, t.v[i], ';')) continue;
        if (t.v[i].off < pos) s = t.v[i].off + 1;
        else {
            e = t.v[i].off;
            break;
        }
    }
    while (s < e && isspace((unsigned char)text[s])) s++;
    VEC_FREE(&t);
    *start = s;
    *end = e;
}

int ls_dataset_at(const project *p, const char *file, size_t pos)
{
    for (size_t i = 0; i < p->datasets.n; i++) {
        const prj_dataset *d = &p->datasets.v[i];
        const prj_file *f = &p->files.v[d->file];
        if (strcmp(f->path, file)) continue;
        size_t a = rw_map(&f->sub, d->stmt->span_off);
        size_t b = rw_map(&f->sub, d->stmt->span_off + d->stmt->span_len);
        if (pos >= a && pos <= b) return (int)i;
    }
    return -1;
}

/* ======================= completion ======================= */

static const char *const keywords[] = {
    "SELECT", "FROM", "WHERE", "GROUP BY", "ORDER BY", "HAVING", "LIMIT", "OFFSET", "JOIN",
    "LEFT JOIN", "INNER JOIN", "CROSS JOIN", "ON", "USING", "AS", "AND", "OR", "NOT", "IN",
    "IS", "NULL", "LIKE", "BETWEEN", "CASE", "WHEN", "THEN", "ELSE", "END", "DISTINCT",
    "UNION ALL", "UNION", "EXCEPT", "INTERSECT", "WITH", "VALUES", "CAST", "EXISTS", "ASC",
    "DESC", "OVER", "PARTITION BY", "CREATE", "OR REFRESH", "STREAMING TABLE",
    "MATERIALIZED VIEW", "TEMPORARY VIEW", "FLOW", "INSERT INTO", "BY NAME", "STREAM",
    "CONSTRAINT", "EXPECT", "ON VIOLATION DROP ROW", "ON VIOLATION FAIL UPDATE", "COMMENT",
    "TBLPROPERTIES", "AUTO CDC INTO", "KEYS", "SEQUENCE BY", "APPLY AS DELETE WHEN",
    "STORED AS SCD TYPE 1", "STORED AS SCD TYPE 2", "TRACK HISTORY ON", "COLUMNS", NULL};

static bool starts_with(const char *label, const char *prefix, size_t n)
{
    return strlen(label) >= n && str_nieq(label, prefix, n);
}

static void add_item(ls_items *out, const char *label, const char *detail, ls_kind kind,
                     const char *prefix, size_t n)
{
    if (!starts_with(label, prefix, n)) return;
    for (size_t i = 0; i < out->n; i++)
        if (!strcmp(out->v[i].label, label)) return;
    ls_item it = {xstrdup(label), xstrdup(detail ? detail : ""), kind};
    VEC_PUSH(out, it);
}

static void add_columns(ls_items *out, const ls_dataset *d, const char *prefix, size_t n)
{
    for (size_t i = 0; d && i < d->columns.n; i++) {
        char *detail = xasprintf("%s  %s", d->columns.v[i].type, d->name);
        add_item(out, d->columns.v[i].name, detail, LS_COLUMN, prefix, n);
        free(detail);
    }
}

static void add_datasets(ls_items *out, const ls_model *m, const char *prefix, size_t n)
{
    for (size_t i = 0; i < m->datasets.n; i++)
        add_item(out, m->datasets.v[i].name, sql_kind_name(m->datasets.v[i].kind), LS_DATASET,
                 prefix, n);
}

/* The dataset a name stands for in a statement: itself, or the table an
 * alias names (`orders o`, `orders AS o`). */
static const ls_dataset *resolve(const ls_model *m, const char *text, size_t s, size_t e,
                                 const char *name)
{
    const ls_dataset *d = ls_dataset_named(m, name);
    if (d) return d;
    sql_refvec refs = {0};
    strvec ctes = {0};
    sql_scan_refs(text, s, e - s, &refs, &ctes);
    for (size_t i = 0; i < refs.n && !d; i++) {
        size_t pos = refs.v[i].end;
        const char *msg;
        token t = lex_next(text, e, &pos, &msg);
        if (lex_is(text, t, "AS")) t = lex_next(text, e, &pos, &msg);
        if (lex_is_name(t)) {
            char *alias = lex_name(text, t);
            if (str_ieq(alias, name)) d = ls_dataset_named(m, refs.v[i].name);
            free(alias);
        }
    }
    sql_refs_free(&refs);
    strvec_free(&ctes);
    return d;
}

/* The last two significant tokens of text[s..e). */
static void last_tokens(const char *text, size_t s, size_t e, token *t1, token *t2)
{
    token none = {TK_EOF, e, 0};
    *t1 = *t2 = none;
    size_t pos = s;
    const char *msg;
    for (;;) {
        token t = lex_next(text, e, &pos, &msg);
        if (t.kind == TK_EOF) break;
        if (t.kind == TK_COMMENT) continue;
        *t2 = *t1;
        *t1 = t;
    }
}

static int by_kind(const void *a, const void *b)
{
    const ls_item *x = a, *y = b;
    if (x->kind != y->kind) return (int)x->kind - (int)y->kind;
    return strcasecmp(x->label, y->label);
}

void ls_complete(const ls_model *m, const char *text, size_t len, size_t pos, size_t *from,
                 ls_items *out)
{
    if (pos > len) pos = len;
    size_t w = pos;
    while (w > 0 && ident_char(text[w - 1])) w--;
    *from = w;
    const char *prefix = text + w;
    size_t n = pos - w;
    char *pre = xstrndup(prefix, n);
    if (w >= 2 && text[w - 1] == '{' && text[w - 2] == '$') { /* ${param */
        for (size_t i = 0; i < m->params.n; i++) {
            const char *eq = strchr(m->params.v[i], '=');
            char *name = xstrndup(m->params.v[i], eq ? (size_t)(eq - m->params.v[i]) : 0);
            add_item(out, name, eq ? eq + 1 : "", LS_PARAM, pre, n);
            free(name);
        }
        free(pre);
        return;
    }
    size_t s, e;
    ls_statement_at(text, len, pos, &s, &e);
    token t1, t2;
    last_tokens(text, s, w, &t1, &t2);
    if (lex_punct(text, t1, '.') && lex_is_name(t2)) { /* alias.col */
        char *q = lex_name(text, t2);
        add_columns(out, resolve(m, text, s, e, q), pre, n);
        free(q);
    } else if (lex_is(text, t1, "FROM") || lex_is(text, t1, "JOIN") ||
               lex_is(text, t1, "INTO") || lex_is(text, t1, "STREAM") ||
               (lex_punct(text, t1, '(') && lex_is(text, t2, "STREAM"))) {
        add_datasets(out, m, pre, n);
        add_item(out, "read_files", "files (CSV, JSON)", LS_FUNCTION, pre, n);
        add_item(out, "read_sqlite", "another SQLite database", LS_FUNCTION, pre, n);
    } else {
        sql_refvec refs = {0};
        strvec ctes = {0};
        sql_scan_refs(text, s, e - s, &refs, &ctes);
        for (size_t i = 0; i < refs.n; i++) add_columns(out, ls_dataset_named(m, refs.v[i].name), pre, n);
        sql_refs_free(&refs);
        strvec_free(&ctes);
        add_datasets(out, m, pre, n);
        for (int i = 0; keywords[i]; i++) add_item(out, keywords[i], "keyword", LS_KEYWORD, pre, n);
        for (size_t i = 0; i < m->functions.n; i++)
            add_item(out, m->functions.v[i], "function", LS_FUNCTION, pre, n);
    }
    if (out->n) qsort(out->v, out->n, sizeof(ls_item), by_kind); /* v is NULL when empty */
    free(pre);
}

void ls_items_free(ls_items *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->v[i].label);
        free(v->v[i].detail);
    }
    VEC_FREE(v);
}

/* ======================= hover and references ======================= */

char *ls_hover(const ls_model *m, const char *name)
{
    const ls_dataset *d = ls_dataset_named(m, name);
    if (!d) return NULL;
    sb b = {0};
    sb_addf(&b, "%s %s\ndefined in %s:%d\n", sql_kind_name(d->kind), d->name, d->file, d->line);
    if (d->comment) sb_addf(&b, "%s\n", d->comment);
    if (d->rows >= 0)
        sb_addf(&b, "\n%lld %s, refreshed %s\n", (long long)d->rows,
                d->rows == 1 ? "row" : "rows", d->refreshed ? d->refreshed : "?");
    else if (d->kind != SQL_TEMP_VIEW)
        sb_add(&b, "\nnot stored yet (run the pipeline: F5)\n");
    sb_add(&b, "\ncolumns\n");
    if (!d->columns.n) sb_add(&b, "  (unknown until the pipeline validates)\n");
    for (size_t i = 0; i < d->columns.n; i++)
        sb_addf(&b, "  %-24s %s\n", d->columns.v[i].name, d->columns.v[i].type);
    if (d->expects.n) sb_add(&b, "\nexpectations\n");
    for (size_t i = 0; i < d->expects.n; i++) sb_addf(&b, "  %s\n", d->expects.v[i]);
    return sb_take(&b);
}

void ls_references(const project *p, const char *name, ls_places *out)
{
    text_cursor *at = xcalloc(p->files.n + 1, sizeof(text_cursor));
    for (size_t f = 0; f < p->flows.n; f++) {
        const prj_flow *fl = &p->flows.v[f];
        const prj_file *file = &p->files.v[fl->file];
        for (size_t i = 0; i < fl->stmt->refs.n; i++) {
            const sql_ref *r = &fl->stmt->refs.v[i];
            if (prj_ref_kind_of(p, fl->stmt, r, NULL) != REF_DATASET || !str_ieq(r->name, name))
                continue;
            ls_place pl = {xstrdup(file->path), 0, 0};
            text_linecol_from(&at[fl->file], file->orig, rw_map(&file->sub, r->name_off),
                              &pl.line, &pl.col);
            VEC_PUSH(out, pl);
        }
    }
    free(at);
}

void ls_places_free(ls_places *v)
{
    for (size_t i = 0; i < v->n; i++) free(v->v[i].file);
    VEC_FREE(v);
}
