/*
 * project.c - loading a project: manifest, library files, statements, and
 * the datasets and flows they define (see project.h).
 */
#include "project.h"

#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "graph.h"

/* ---- positions ---- */

void prj_error(const project *p, diag_list *d, diag_level level, int file, size_t off,
               const char *fmt, ...)
{
    const prj_file *f = &p->files.v[file];
    size_t o = rw_map(&f->sub, off);
    int line, col;
    text_linecol(f->orig, o, &line, &col);
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    diag_add(d, level, f->path, line, col, "%s", msg);
    free(msg);
}

const char *prj_text(const project *p, int file)
{
    return sb_str(&p->files.v[file].sub.out);
}

/* ---- parameters ---- */

const char *prj_param(const project *p, const char *name)
{
    for (size_t i = p->param_keys.n; i-- > 0;)
        if (!strcmp(p->param_keys.v[i], name)) return p->param_vals.v[i];
    return man_config(&p->man, name);
}

typedef struct load_ctx {
    project *p;
    diag_list *diags;
    int file;
} load_ctx;

static const char *lookup_param(void *ctx, const char *name)
{
    return prj_param(((load_ctx *)ctx)->p, name);
}

static void missing_param(void *ctx, const char *name, size_t off)
{
    load_ctx *c = ctx;
    prj_file *f = &c->p->files.v[c->file];
    diag_at(c->diags, DIAG_ERROR, f->path, f->orig, off,
            "unknown parameter ${%s}: define it in \"configuration\" of tarn.json "
            "or pass --param %s=VALUE", name, name);
}

static void parse_error(void *ctx, size_t off, const char *msg)
{
    load_ctx *c = ctx;
    prj_error(c->p, c->diags, DIAG_ERROR, c->file, off, "%s", msg);
}

/* ---- paths ---- */

char *prj_path(const project *p, const char *rel)
{
    return fs_join(p->dir, rel);
}

char *prj_warehouse_path(const project *p)
{
    return prj_path(p, p->man.warehouse ? p->man.warehouse : MAN_DEFAULT_WAREHOUSE);
}

char *prj_state_path(const project *p)
{
    return prj_path(p, ".tarn/state.db");
}

/* ---- lookup ---- */

int prj_dataset_find(const project *p, const char *name)
{
    return strmap_get(&p->dataset_index, name, -1);
}

prj_ref_kind prj_ref_kind_of(const project *p, const sql_stmt *s, const sql_ref *r,
                             int *dataset)
{
    int d = -1;
    prj_ref_kind k;
    if (r->call && !r->schema && str_ieq(r->name, "read_files")) k = REF_FILES;
    else if (r->call && !r->schema && str_ieq(r->name, "read_sqlite")) k = REF_SQLITE;
    else if (r->call) k = REF_FUNCTION;
    else if (!r->schema && strvec_find(&s->ctes, r->name) >= 0) k = REF_CTE;
    else if (!r->schema && (d = prj_dataset_find(p, r->name)) >= 0) k = REF_DATASET;
    else k = REF_TABLE;
    if (dataset) *dataset = d;
    return k;
}

bool prj_is_broken(const project *p, const char *name)
{
    for (size_t i = 0; i < p->files.n; i++)
        if (strvec_find(&p->files.v[i].broken, name) >= 0) return true;
    return false;
}

int prj_flow_find(const project *p, const char *name)
{
    return strmap_get(&p->flow_index, name, -1);
}

/* ---- loading ---- */

static void load_file(project *p, const char *rel, diag_list *diags)
{
    prj_file f = {0};
    f.path = xstrdup(rel);
    char *full = prj_path(p, rel), *err = NULL;
    const prj_overlay *ov = NULL;
    for (size_t i = 0; i < p->n_overlays && !ov; i++)
        if (!strcmp(p->overlays[i].path, rel)) ov = &p->overlays[i];
    if (ov) {
        f.orig_len = strlen(ov->text);
        f.orig = xstrndup(ov->text, f.orig_len);
    } else {
        f.orig = fs_read(full, &f.orig_len, &err);
    }
    free(full);
    if (!f.orig) {
        diag_add(diags, DIAG_ERROR, rel, 0, 0, "%s", err);
        free(err);
        free(f.path);
        return;
    }
    VEC_PUSH(&p->files, f);
    load_ctx c = {p, diags, (int)p->files.n - 1};
    prj_file *pf = &p->files.v[c.file];
    rw_subst_params(&pf->sub, pf->orig, pf->orig_len, lookup_param, missing_param, &c);
    sql_parse(sb_str(&pf->sub.out), pf->sub.out.len, &pf->stmts, &pf->broken, parse_error,
              &c);
}

static void expand_libraries(project *p, diag_list *diags)
{
    strvec files = {0};
    for (size_t i = 0; i < p->man.libraries.n; i++) {
        const char *glob = p->man.libraries.v[i];
        size_t before = files.n;
        char *err = NULL;
        if (fs_glob(p->dir, glob, &files, &err) < 0) {
            diag_add(diags, DIAG_ERROR, MAN_FILE, 0, 0, "library \"%s\": %s", glob, err);
            free(err);
        } else if (files.n == before) {
            diag_add(diags, DIAG_WARNING, MAN_FILE, 0, 0,
                     "library \"%s\" matches no files", glob);
        }
    }
    for (size_t i = 0; i < files.n; i++) {
        const char *rel = files.v[i];
        if (str_has_suffix(rel, ".sql")) load_file(p, rel, diags);
        else if (!str_has_suffix(rel, ".lua"))
            diag_add(diags, DIAG_WARNING, rel, 0, 0,
                     "not a .sql or .lua file: ignored (narrow the library glob)");
    }
    strvec_free(&files);
}

static void add_dataset(project *p, int file, const sql_stmt *s, diag_list *diags)
{
    int other = prj_dataset_find(p, s->name);
    if (other >= 0) {
        const prj_dataset *o = &p->datasets.v[other];
        prj_error(p, diags, DIAG_ERROR, file, s->name_off,
                  "dataset '%s' is defined twice", s->name);
        prj_error(p, diags, DIAG_NOTE, o->file, o->stmt->name_off,
                  "'%s' is first defined here", o->name);
        return;
    }
    prj_dataset d = {0};
    d.name = xstrdup(s->name);
    d.kind = s->kind;
    d.file = file;
    d.stmt = s;
    VEC_PUSH(&p->datasets, d);
    strmap_put(&p->dataset_index, d.name, (int)p->datasets.n - 1);
    if (s->has_query) {
        prj_flow fl = {0};
        fl.name = xstrdup(s->name);
        fl.dataset = (int)p->datasets.n - 1;
        fl.file = file;
        fl.stmt = s;
        fl.own = true;
        VEC_PUSH(&p->flows, fl);
        strmap_put(&p->flow_index, fl.name, (int)p->flows.n - 1);
    }
}

static void add_flow(project *p, int file, const sql_stmt *s, diag_list *diags)
{
    int target = prj_dataset_find(p, s->target);
    if (target < 0) {
        prj_error(p, diags, DIAG_ERROR, file, s->target_off,
                  "flow '%s' writes into '%s', which is not a dataset of this pipeline "
                  "(declare it with CREATE STREAMING TABLE %s)", s->name, s->target,
                  s->target);
        return;
    }
    if (p->datasets.v[target].kind != SQL_STREAMING_TABLE) {
        prj_error(p, diags, DIAG_ERROR, file, s->target_off,
                  "flow '%s' writes into '%s', a %s: flows append only to streaming tables",
                  s->name, s->target, sql_kind_name(p->datasets.v[target].kind));
        return;
    }
    int other = prj_flow_find(p, s->name);
    if (other >= 0) {
        prj_error(p, diags, DIAG_ERROR, file, s->name_off,
                  "flow name '%s' is already taken%s", s->name,
                  p->flows.v[other].own ? " by a dataset's own flow" : "");
        return;
    }
    prj_flow fl = {0};
    fl.name = xstrdup(s->name);
    fl.dataset = target;
    fl.file = file;
    fl.stmt = s;
    VEC_PUSH(&p->flows, fl);
    strmap_put(&p->flow_index, fl.name, (int)p->flows.n - 1);
}

static void build_model(project *p, diag_list *diags)
{
    for (size_t f = 0; f < p->files.n; f++)
        for (size_t i = 0; i < p->files.v[f].stmts.n; i++) {
            const sql_stmt *s = &p->files.v[f].stmts.v[i];
            if (s->kind != SQL_FLOW) add_dataset(p, (int)f, s, diags);
        }
    for (size_t f = 0; f < p->files.n; f++)
        for (size_t i = 0; i < p->files.v[f].stmts.n; i++) {
            const sql_stmt *s = &p->files.v[f].stmts.v[i];
            if (s->kind == SQL_FLOW) add_flow(p, (int)f, s, diags);
        }
    for (size_t i = 0; i < p->flows.n; i++)
        VEC_PUSH(&p->datasets.v[p->flows.v[i].dataset].flows, (int)i);
}

static void parse_params(project *p, const strvec *params, diag_list *diags)
{
    for (size_t i = 0; params && i < params->n; i++) {
        const char *kv = params->v[i], *eq = strchr(kv, '=');
        if (!eq || eq == kv) {
            diag_add(diags, DIAG_ERROR, NULL, 0, 0,
                     "--param '%s': expected KEY=VALUE", kv);
            continue;
        }
        VEC_PUSH(&p->param_keys, xstrndup(kv, (size_t)(eq - kv)));
        VEC_PUSH(&p->param_vals, xstrdup(eq + 1));
    }
}

int prj_load(project *p, const char *dir, const strvec *params, diag_list *diags)
{
    return prj_load_with(p, dir, params, NULL, 0, diags);
}

int prj_load_with(project *p, const char *dir, const strvec *params, const prj_overlay *ov,
                  size_t n, diag_list *diags)
{
    memset(p, 0, sizeof(*p));
    p->overlays = ov;
    p->n_overlays = n;
    p->dir = xstrdup(dir && *dir ? dir : ".");
    int errors_before = diags->errors;
    parse_params(p, params, diags);
    char *manpath = prj_path(p, MAN_FILE);
    if (!fs_exists(manpath)) {
        diag_add(diags, DIAG_ERROR, NULL, 0, 0,
                 "%s has no %s: not a tarn project (create one with 'tarn init')",
                 p->dir, MAN_FILE);
        man_init(&p->man, "");
        free(manpath);
        p->overlays = NULL;
        p->n_overlays = 0;
        return -1;
    }
    bool man_ok = man_load(&p->man, manpath, MAN_FILE, diags) == 0;
    free(manpath);
    if (man_ok) expand_libraries(p, diags); /* else the defaults would only add noise */
    build_model(p, diags);
    gph_build(p, diags);
    p->overlays = NULL; /* borrowed only while loading */
    p->n_overlays = 0;
    return diags->errors > errors_before ? -1 : 0;
}

void prj_free(project *p)
{
    for (size_t i = 0; i < p->files.n; i++) {
        prj_file *f = &p->files.v[i];
        free(f->path);
        free(f->orig);
        rw_free(&f->sub);
        sql_stmts_free(&f->stmts);
        strvec_free(&f->broken);
    }
    VEC_FREE(&p->files);
    for (size_t i = 0; i < p->datasets.n; i++) {
        free(p->datasets.v[i].name);
        VEC_FREE(&p->datasets.v[i].flows);
        VEC_FREE(&p->datasets.v[i].deps);
    }
    VEC_FREE(&p->datasets);
    for (size_t i = 0; i < p->flows.n; i++) {
        free(p->flows.v[i].name);
        VEC_FREE(&p->flows.v[i].inputs);
    }
    VEC_FREE(&p->flows);
    VEC_FREE(&p->order);
    strmap_free(&p->dataset_index);
    strmap_free(&p->flow_index);
    strvec_free(&p->param_keys);
    strvec_free(&p->param_vals);
    man_free(&p->man);
    free(p->dir);
    memset(p, 0, sizeof(*p));
}
