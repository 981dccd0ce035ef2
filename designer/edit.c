/*
 * edit.c - the designer's changes written into the project's files (see
 * edit.h): a statement appended, replaced or deleted by its span, and the
 * node positions kept in tarn.json. Renaming is in edit_rename.c.
 *
 * Statement offsets are offsets of the ${param}-substituted text of a file;
 * every cut is mapped back to the file's own bytes (rw_map), and a change is
 * a list of pieces (replace orig[a, b) with a text) applied to the file's
 * bytes as loaded, so that nothing outside the pieces moves. Every file a
 * change touches (tarn.json included) is prepared first and written only
 * when all could be prepared: a refusal leaves every file as it was.
 */
#include "edit.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "edit_int.h"
#include "fsutil.h"
#include "lex.h"

/* ================================================================ helpers */

int dge_fail(char **err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        *err = xvasprintf(fmt, ap);
        va_end(ap);
    }
    return -1;
}

void dge_pieces_free(dge_piecevec *v)
{
    for (size_t i = 0; i < v->n; i++) free(v->v[i].text);
    VEC_FREE(v);
}

static int piece_cmp(const void *x, const void *y)
{
    const dge_piece *a = x, *b = y;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    return a->b < b->b ? -1 : a->b > b->b;
}

/* orig with the pieces applied (sorted here; a repeated cut counts once);
 * NULL when two pieces overlap. */
static char *apply_pieces(const char *orig, size_t len, dge_piecevec *v, size_t *out_len)
{
    qsort(v->v, v->n, sizeof(dge_piece), piece_cmp);
    sb b = {0};
    size_t at = 0;
    for (size_t i = 0; i < v->n; i++) {
        const dge_piece *pc = &v->v[i];
        if (i && pc->a == v->v[i - 1].a && pc->b == v->v[i - 1].b) continue;
        if (pc->a < at || pc->b > len || pc->b < pc->a) {
            sb_free(&b);
            return NULL;
        }
        sb_addn(&b, orig + at, pc->a - at);
        if (pc->text) sb_add(&b, pc->text);
        at = pc->b;
    }
    sb_addn(&b, orig + at, len - at);
    *out_len = b.len;
    return sb_take(&b);
}

/* ================================================================ offsets */

/* The piece of w that made output byte dst, or NULL. */
static const rw_seg *seg_at(const rewrite *w, size_t dst)
{
    size_t lo = 0, hi = w->segs.n;
    if (!hi) return NULL;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (w->segs.v[mid].dst <= dst) lo = mid;
        else hi = mid;
    }
    const rw_seg *s = &w->segs.v[lo];
    return dst >= s->dst && dst < s->dst + s->len ? s : NULL;
}

bool dge_copied_span(const rewrite *w, size_t off, size_t len)
{
    if (!w->segs.n) return true;
    const rw_seg *s = seg_at(w, off);
    return s && s->copied && off + len <= s->dst + s->len;
}

/* The source range [*a, *b) of output bytes [off, off+len) of w (src is
 * the source text): an end inside a ${param}'s value maps past its '}'. */
static void src_span(const rewrite *w, const char *src, size_t src_len, size_t off, size_t len,
                     size_t *a, size_t *b)
{
    *a = rw_map(w, off);
    *b = *a;
    if (!len) return;
    const rw_seg *s = seg_at(w, off + len - 1);
    if (!s) {
        *b = w->segs.n ? *a : off + len;
    } else if (s->copied) {
        *b = s->src + (off + len - 1 - s->dst) + 1;
    } else {
        *b = s->src;
        while (*b < src_len && src[*b] != '}') (*b)++;
        if (*b < src_len) (*b)++;
    }
}

static void file_span(const prj_file *f, size_t off, size_t len, size_t *a, size_t *b)
{
    src_span(&f->sub, f->orig, f->orig_len, off, len, a, b);
}

/* ================================================================ lookups */

const sql_stmt *dge_find_def(const project *p, const char *name, int *file)
{
    int d = prj_dataset_find(p, name);
    if (d >= 0) {
        *file = p->datasets.v[d].file;
        return p->datasets.v[d].stmt;
    }
    for (size_t f = 0; f < p->files.n; f++)
        for (size_t i = 0; i < p->files.v[f].stmts.n; i++) {
            const sql_stmt *s = &p->files.v[f].stmts.v[i];
            if (s->kind == SQL_FLOW && str_ieq(s->name, name)) {
                *file = (int)f;
                return s;
            }
        }
    return NULL;
}

bool dge_name_taken(const project *p, const char *name)
{
    if (prj_dataset_find(p, name) >= 0 || prj_flow_find(p, name) >= 0 ||
        prj_is_broken(p, name))
        return true;
    int file;
    return dge_find_def(p, name, &file) != NULL;
}

static const prj_file *file_by_path(const project *p, const char *rel)
{
    for (size_t i = 0; i < p->files.n; i++)
        if (!strcmp(p->files.v[i].path, rel)) return &p->files.v[i];
    return NULL;
}

/* ' ', '\t', '\r' or '\n' (a NUL is no white space). */
static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool uses_crlf(const char *t, size_t len)
{
    const char *nl = memchr(t, '\n', len);
    return nl && nl > t && nl[-1] == '\r';
}

static size_t line_start(const char *t, size_t off)
{
    while (off > 0 && t[off - 1] != '\n') off--;
    return off;
}

/* The '\n' ending the line that holds off, or len. */
static size_t line_end(const char *t, size_t len, size_t off)
{
    while (off < len && t[off] != '\n') off++;
    return off;
}

/* true when t[a, b) is only spaces, tabs and '\r'. */
static bool only_space(const char *t, size_t a, size_t b)
{
    for (; a < b; a++)
        if (t[a] != ' ' && t[a] != '\t' && t[a] != '\r') return false;
    return true;
}

static bool only_ws(const char *t, size_t a, size_t b)
{
    for (; a < b; a++)
        if (!is_ws(t[a])) return false;
    return true;
}

/* ================================================================ writing */

void dge_writes_free(dge_writes *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->v[i].path);
        free(v->v[i].text);
    }
    VEC_FREE(v);
}

int dge_prepare_file(const project *p, int fi, dge_piecevec *v, dge_writes *out, char **err)
{
    const prj_file *f = &p->files.v[fi];
    size_t len = 0;
    char *text = apply_pieces(f->orig, f->orig_len, v, &len);
    dge_pieces_free(v);
    if (!text) return dge_fail(err, "%s: overlapping changes (nothing written)", f->path);
    dge_write w = {prj_path(p, f->path), text, len};
    VEC_PUSH(out, w);
    return 0;
}

/* Every file is staged (written beside itself, synced) before any is put in
 * place, so that a full disk or an unwritable folder changes nothing; only
 * a failing rename, after that, could leave a change half made, and the
 * message then says how far it got. */
int dge_write_all(dge_writes *v, char **err)
{
    fs_staged *st = xcalloc(v->n + 1, sizeof(fs_staged));
    int rc = 0;
    size_t staged = 0;
    for (; staged < v->n; staged++) {
        char *e = NULL;
        if (fs_stage(&st[staged], v->v[staged].path, v->v[staged].text, v->v[staged].len, &e) < 0) {
            dge_fail(err, "%s (nothing written)", e);
            free(e);
            rc = -1;
            break;
        }
    }
    for (size_t i = 0; i < staged; i++) {
        char *e = NULL;
        if (rc < 0) fs_discard(&st[i]);
        else if (fs_commit(&st[i], &e) < 0) {
            dge_fail(err, "%s (%zu of %zu files written before it)", e, i, v->n);
            free(e);
            rc = -1;
        }
    }
    free(st);
    dge_writes_free(v);
    return rc;
}

/* ================================================================ new statements */

typedef struct parse_ctx {
    char *msg;
    size_t off;
} parse_ctx;

static void first_error(void *ctx, size_t off, const char *msg)
{
    parse_ctx *c = ctx;
    if (c->msg) return;
    c->msg = xstrdup(msg);
    c->off = off;
}

static const char *param_of(void *ctx, const char *name)
{
    return prj_param(ctx, name);
}

/* stmt made ready to go into a file: checked to parse as exactly one
 * statement (after ${param} substitution, which is for the check only: the
 * text keeps its ${name}s), a ';' added after it when it has none, white
 * space around it cut, line ends made those of the file ("\r\n" when crlf,
 * else "\n"). Its name goes to *name (caller frees). NULL with *err when it
 * does not parse. */
static char *prepare_stmt(const project *p, const char *stmt, bool crlf, char **name,
                          char **err)
{
    if (!stmt) stmt = "";
    size_t n = strlen(stmt);
    rewrite w = {0};
    rw_subst_params(&w, stmt, n, param_of, NULL, (void *)p);
    sql_stmtvec v = {0};
    parse_ctx c = {0};
    sql_parse(sb_str(&w.out), w.out.len, &v, NULL, first_error, &c);
    char *out = NULL;
    if (c.msg) {
        int line, col;
        text_linecol(stmt, rw_map(&w, c.off), &line, &col);
        dge_fail(err, "the statement does not parse: %s (line %d, column %d)", c.msg, line,
                 col);
    } else if (v.n != 1) {
        if (v.n) dge_fail(err, "the text holds %zu statements: give one", v.n);
        else dge_fail(err, "the text holds no statement: give one CREATE statement");
    } else {
        const sql_stmt *s = &v.v[0];
        size_t a, b, i = 0;
        src_span(&w, stmt, n, s->span_off, s->span_len, &a, &b);
        bool semi = b > a && stmt[b - 1] == ';';
        while (n > b && is_ws(stmt[n - 1])) n--;
        while (i < a && is_ws(stmt[i])) i++; /* leading comments stay */
        sb t = {0};
        for (; i < n; i++) {
            if (i == b && !semi) sb_addc(&t, ';');
            if (stmt[i] == '\r' && i + 1 < n && stmt[i + 1] == '\n') continue;
            if (stmt[i] == '\n' && crlf) sb_addc(&t, '\r');
            sb_addc(&t, stmt[i]);
        }
        if (n == b && !semi) sb_addc(&t, ';');
        out = sb_take(&t);
        *name = xstrdup(s->name);
    }
    free(c.msg);
    sql_stmts_free(&v);
    rw_free(&w);
    return out;
}

/* ================================================================ append */

/* rel made canonical ("./a//b.sql" -> "a/b.sql"); NULL when it leaves the
 * project folder or names none. */
static char *canonical_rel(const char *rel)
{
    if (!rel || rel[0] == '/') return NULL;
    sb b = {0};
    const char *s = rel;
    while (*s) {
        size_t n = strcspn(s, "/");
        if (n == 2 && !strncmp(s, "..", 2)) {
            sb_free(&b);
            return NULL;
        }
        if (n && !(n == 1 && s[0] == '.')) {
            if (b.len) sb_addc(&b, '/');
            sb_addn(&b, s, n);
        }
        s += n;
        if (*s) s++;
    }
    if (!b.len) return NULL;
    return sb_take(&b);
}

/* 0 when rel is a .sql file that the manifest's libraries match. */
static int check_library(const project *p, const char *rel, char **err)
{
    if (!str_has_suffix(rel, ".sql"))
        return dge_fail(err, "'%s' is not a .sql file: statements go into .sql files", rel);
    sb globs = {0};
    for (size_t i = 0; i < p->man.libraries.n; i++) {
        if (fs_glob_match(p->man.libraries.v[i], rel)) {
            sb_free(&globs);
            return 0;
        }
        sb_addf(&globs, "%s\"%s\"", i ? ", " : "", p->man.libraries.v[i]);
    }
    dge_fail(err, "'%s' is not matched by the libraries of tarn.json (%s): its statements "
             "would not be read; pick a file they match or add a glob", rel,
             globs.len ? sb_str(&globs) : "none");
    sb_free(&globs);
    return -1;
}

/* Where the last statement of old (n bytes) ends when it has no ';' (a ';'
 * goes there, else the appended statement would continue it), or
 * (size_t)-1 when it has one or there is none. -1 with *err when old ends
 * inside an unterminated string or comment. */
static int open_end(const char *old, size_t n, size_t *at, const char *rel, char **err)
{
    tokvec toks = {0};
    lex_all(old, n, false, &toks, NULL);
    *at = (size_t)-1;
    int rc = 0;
    if (toks.n) {
        token last = toks.v[toks.n - 1];
        if (last.kind == TK_ERROR)
            rc = dge_fail(err, "%s ends inside an unterminated string, identifier or "
                          "comment: fix it first", rel);
        else if (!lex_punct(old, last, ';'))
            *at = last.off + last.len;
    }
    VEC_FREE(&toks);
    return rc;
}

/* old (n bytes) followed by one blank line and text (with a line end); a ';'
 * goes at semi (unless (size_t)-1) to end the statement before it. */
static char *appended(const char *old, size_t n, size_t semi, const char *text, size_t *len)
{
    const char *eol = uses_crlf(old, n) ? "\r\n" : "\n";
    sb b = {0};
    if (semi != (size_t)-1) {
        sb_addn(&b, old, semi);
        sb_addc(&b, ';');
        sb_addn(&b, old + semi, n - semi);
    } else {
        sb_addn(&b, old, n);
    }
    if (n && old[n - 1] != '\n') {
        sb_add(&b, eol);
        sb_add(&b, eol);
    } else if (n) {
        size_t ls = line_start(old, n - 1); /* the last line */
        if (!only_ws(old, ls, n)) sb_add(&b, eol);
    }
    sb_add(&b, text);
    sb_add(&b, eol);
    *len = b.len;
    return sb_take(&b);
}

/* The current text of the project file rel: as loaded, else from disk,
 * else empty (a new file). */
static char *current_text(const project *p, const char *rel, const char *full, size_t *n,
                          char **err)
{
    const prj_file *f = file_by_path(p, rel);
    if (f) {
        *n = f->orig_len;
        return xstrndup(f->orig, f->orig_len);
    }
    if (fs_exists(full)) return fs_read(full, n, err);
    *n = 0;
    return xstrdup("");
}

int dg_edit_append(const project *p, const char *rel, const char *stmt, char **err)
{
    char *cr = canonical_rel(rel);
    if (!cr) return dge_fail(err, "'%s' is not a file inside the project", rel ? rel : "");
    char *full = prj_path(p, cr), *old = NULL, *name = NULL, *text = NULL, *out = NULL;
    size_t n = 0, len = 0, semi = (size_t)-1;
    int rc = -1;
    if (check_library(p, cr, err) < 0) goto done;
    if (!(old = current_text(p, cr, full, &n, err))) goto done;
    if (open_end(old, n, &semi, cr, err) < 0) goto done;
    if (!(text = prepare_stmt(p, stmt, uses_crlf(old, n), &name, err))) goto done;
    if (dge_name_taken(p, name)) {
        dge_fail(err, "'%s' is defined already: pick another name", name);
        goto done;
    }
    out = appended(old, n, semi, text, &len);
    char *folder = fs_dirname(full);
    rc = fs_mkdirs(folder, err);
    free(folder);
    if (rc == 0) rc = fs_write_atomic(full, out, len, err);
done:
    free(out);
    free(text);
    free(name);
    free(old);
    free(full);
    free(cr);
    return rc;
}

/* ================================================================ tarn.json */

/* cJSON out of memory aborts, as xmalloc does. */
static cJSON *must(cJSON *item)
{
    if (!item) abort();
    return item;
}

static void must_add(cJSON_bool ok)
{
    if (!ok) abort();
}

/* Loads dir/tarn.json to change it (*path gets its path, caller frees);
 * refuses a file that is not one JSON object (with nothing after it), which
 * saving would lose. */
static int man_open(const char *dir, manifest *m, char **path, char **err)
{
    *path = fs_join(dir, MAN_FILE);
    size_t len = 0;
    char *e = NULL, *text = fs_read(*path, &len, &e);
    if (!text) {
        dge_fail(err, "%s", e);
        free(e);
        free(*path);
        *path = NULL;
        return -1;
    }
    cJSON *probe = strlen(text) == len ? cJSON_ParseWithOpts(text, NULL, 1) : NULL;
    bool ok = cJSON_IsObject(probe);
    cJSON_Delete(probe);
    if (ok) man_parse(m, text, MAN_FILE, NULL);
    free(text);
    if (ok) return 0;
    free(*path);
    *path = NULL;
    return dge_fail(err, MAN_FILE " is not a valid JSON object: fix it first (the designer "
                    "keeps its positions there)");
}

/* The "designer" object of root; made (replacing a value of another type)
 * when create, else NULL when there is none. */
static cJSON *designer_obj(cJSON *root, bool create)
{
    cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "designer");
    if (cJSON_IsObject(d) || !create) return cJSON_IsObject(d) ? d : NULL;
    cJSON *fresh = must(cJSON_CreateObject());
    if (d) must_add(cJSON_ReplaceItemInObjectCaseSensitive(root, "designer", fresh));
    else must_add(cJSON_AddItemToObject(root, "designer", fresh));
    return fresh;
}

static cJSON *positions_of(const cJSON *root)
{
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "designer");
    cJSON *ps = cJSON_IsObject(d) ? cJSON_GetObjectItemCaseSensitive(d, "positions") : NULL;
    return cJSON_IsObject(ps) ? ps : NULL;
}

/* true when a saved position's key is one of names (case-insensitive). */
static bool has_position(const cJSON *root, const strvec *names)
{
    const cJSON *ps = positions_of(root);
    for (const cJSON *it = ps ? ps->child : NULL; it; it = it->next)
        if (strvec_find(names, it->string) >= 0) return true;
    return false;
}

/* A copy of positions ps without the keys in names, or (to set) with the
 * first of them called to, in the same order. */
static cJSON *positions_without(const cJSON *ps, const strvec *names, const char *to)
{
    cJSON *out = must(cJSON_CreateObject());
    bool placed = false;
    for (const cJSON *it = ps->child; it; it = it->next) {
        const char *key = it->string;
        if (strvec_find(names, key) >= 0) {
            if (!to || placed) continue;
            key = to;
            placed = true;
        } else if (to && str_ieq(key, to)) {
            continue; /* a stale position under the new name */
        }
        must_add(cJSON_AddItemToObject(out, key, must(cJSON_Duplicate(it, true))));
    }
    return out;
}

int dge_prepare_positions(const project *p, const strvec *names, const char *to,
                          dge_writes *out, char **err)
{
    if (!has_position(p->man.root, names)) return 0;
    manifest m;
    char *path = NULL;
    if (man_open(p->dir, &m, &path, err) < 0) return -1;
    cJSON *ps = positions_of(m.root);
    if (ps && has_position(m.root, names)) {
        cJSON *fresh = positions_without(ps, names, to);
        must_add(cJSON_ReplaceItemInObjectCaseSensitive(designer_obj(m.root, false), "positions",
                                                        fresh));
        char *text = man_print(&m);
        dge_write w = {path, text, strlen(text)};
        VEC_PUSH(out, w);
        path = NULL;
    }
    man_free(&m);
    free(path);
    return 0;
}

/* ================================================================ replace */

int dg_edit_replace(const project *p, const char *name, const char *stmt, char **err)
{
    int fi = -1;
    const sql_stmt *s = dge_find_def(p, name, &fi);
    if (!s) return dge_fail(err, "no dataset or flow called '%s'", name);
    const prj_file *f = &p->files.v[fi];
    char *newname = NULL;
    char *text = prepare_stmt(p, stmt, uses_crlf(f->orig, f->orig_len), &newname, err);
    if (!text) return -1;
    if (!str_ieq(newname, s->name) && dge_name_taken(p, newname)) {
        dge_fail(err, "'%s' is defined already: pick another name", newname);
        free(text);
        free(newname);
        return -1;
    }
    dge_piecevec v = {0};
    dge_piece pc = {0, 0, text};
    file_span(f, s->span_off, s->span_len, &pc.a, &pc.b);
    VEC_PUSH(&v, pc);
    dge_writes out = {0};
    int rc = dge_prepare_file(p, fi, &v, &out, err);
    if (rc == 0 && strcmp(newname, s->name)) { /* the position follows (a case change too) */
        strvec one = {0};
        VEC_PUSH(&one, xstrdup(s->name));
        rc = dge_prepare_positions(p, &one, newname, &out, err);
        strvec_free(&one);
    }
    if (rc == 0) rc = dge_write_all(&out, err);
    dge_writes_free(&out);
    free(newname);
    return rc;
}

/* ================================================================ delete */

/* true when the line starting at ls is a -- comment. */
static bool comment_line(const char *t, size_t len, size_t ls)
{
    while (ls < len && (t[ls] == ' ' || t[ls] == '\t')) ls++;
    return ls + 1 < len && t[ls] == '-' && t[ls + 1] == '-';
}

/* Bytes [a, b) of a file to remove; lines: whole lines. */
typedef struct cut {
    size_t a, b;
    bool lines;
} cut;
typedef VEC(cut) cutvec;

/* What goes with the statement at t[sa, se): when it has its lines to
 * itself, those lines, the -- comment lines right above it and a -- comment
 * after it on its last line; else the statement and the blanks beside it. */
static cut stmt_cut(const char *t, size_t len, size_t sa, size_t se)
{
    cut c = {sa, se, false};
    size_t ls = line_start(t, sa), e = se;
    while (e < len && (t[e] == ' ' || t[e] == '\t' || t[e] == '\r')) e++;
    if (e + 1 < len && t[e] == '-' && t[e + 1] == '-') e = line_end(t, len, e);
    bool alone_after = e >= len || t[e] == '\n';
    if (!only_space(t, ls, sa)) { /* something before it on its line */
        while (c.a > ls && (t[c.a - 1] == ' ' || t[c.a - 1] == '\t')) c.a--;
        if (alone_after) c.b = e;
        while (c.b > se && t[c.b - 1] == '\r') c.b--;
        return c;
    }
    if (!alone_after) { /* something after it on its line */
        while (c.b < len && (t[c.b] == ' ' || t[c.b] == '\t')) c.b++;
        return c;
    }
    c.lines = true;
    c.a = ls;
    while (c.a > 0) {
        size_t prev = line_start(t, c.a - 1);
        if (!comment_line(t, len, prev)) break;
        c.a = prev;
    }
    c.b = e < len ? e + 1 : len;
    return c;
}

static int cut_cmp(const void *x, const void *y)
{
    const cut *a = x, *b = y;
    return a->a < b->a ? -1 : a->a > b->a;
}

/* A line cut widened by one blank line: the one after it, or, when only
 * blank lines follow it, all of those and the blank lines before it. */
static void widen(const char *t, size_t len, cut *c)
{
    if (only_ws(t, c->b, len)) {
        c->b = len;
        while (c->a > 0) {
            size_t prev = line_start(t, c->a - 1);
            if (!only_space(t, prev, c->a - 1)) break;
            c->a = prev;
        }
        return;
    }
    size_t le = line_end(t, len, c->b);
    if (only_space(t, c->b, le)) c->b = le < len ? le + 1 : len;
}

/* The cuts of one file sorted and joined (line cuts with only blank lines
 * between them become one), line cuts widened, as pieces into out. */
static void cuts_to_pieces(const char *t, size_t len, cutvec *v, dge_piecevec *out)
{
    qsort(v->v, v->n, sizeof(cut), cut_cmp);
    size_t n = 0;
    for (size_t i = 0; i < v->n; i++) {
        cut c = v->v[i];
        cut *last = n ? &v->v[n - 1] : NULL;
        if (last && (c.a <= last->b || (last->lines && c.lines && only_ws(t, last->b, c.a)))) {
            if (c.b > last->b) last->b = c.b;
            last->lines = last->lines && c.lines;
        } else {
            v->v[n++] = c;
        }
    }
    size_t done = 0; /* the end of the piece before */
    for (size_t i = 0; i < n; i++) {
        if (v->v[i].lines) widen(t, len, &v->v[i]);
        dge_piece pc = {v->v[i].a, v->v[i].b, NULL};
        if (pc.a < done) pc.a = done;
        done = pc.b;
        VEC_PUSH(out, pc);
    }
}

/* Adds the cut of statement s of file fi, and its name to names. */
static void add_stmt_cut(const project *p, cutvec *cuts, int fi, const sql_stmt *s,
                         strvec *names)
{
    const prj_file *f = &p->files.v[fi];
    size_t a, b;
    file_span(f, s->span_off, s->span_len, &a, &b);
    VEC_PUSH(&cuts[fi], stmt_cut(f->orig, f->orig_len, a, b));
    if (strvec_find(names, s->name) < 0) VEC_PUSH(names, xstrdup(s->name));
}

int dg_edit_delete(const project *p, const char *name, char **err)
{
    int fi = -1;
    const sql_stmt *def = dge_find_def(p, name, &fi);
    if (!def) return dge_fail(err, "no dataset or flow called '%s'", name);
    cutvec *cuts = xcalloc(p->files.n, sizeof(cutvec));
    strvec names = {0};
    add_stmt_cut(p, cuts, fi, def, &names);
    for (size_t f = 0; def->kind != SQL_FLOW && f < p->files.n; f++)
        for (size_t i = 0; i < p->files.v[f].stmts.n; i++) {
            const sql_stmt *s = &p->files.v[f].stmts.v[i];
            if (s != def && s->kind == SQL_FLOW && str_ieq(s->target, def->name))
                add_stmt_cut(p, cuts, (int)f, s, &names);
        }
    dge_writes out = {0};
    int rc = 0;
    for (size_t f = 0; f < p->files.n; f++) {
        if (cuts[f].n && rc == 0) {
            dge_piecevec v = {0};
            cuts_to_pieces(p->files.v[f].orig, p->files.v[f].orig_len, &cuts[f], &v);
            rc = dge_prepare_file(p, (int)f, &v, &out, err);
        }
        VEC_FREE(&cuts[f]);
    }
    free(cuts);
    if (rc == 0) rc = dge_prepare_positions(p, &names, NULL, &out, err);
    if (rc == 0) rc = dge_write_all(&out, err);
    dge_writes_free(&out);
    strvec_free(&names);
    return rc;
}

/* ================================================================ positions */

/* true when v is a number with an int value. */
static bool int_value(const cJSON *v, int *out)
{
    if (!cJSON_IsNumber(v)) return false;
    double x = v->valuedouble;
    if (!isfinite(x) || x != floor(x) || x < INT_MIN || x > INT_MAX) return false;
    *out = (int)x;
    return true;
}

void dg_positions_get(const project *p, dg_posvec *out)
{
    const cJSON *ps = positions_of(p->man.root);
    for (const cJSON *it = ps ? ps->child : NULL; it; it = it->next) {
        dg_pos pos = {0};
        if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) != 2 || !it->string[0] ||
            !int_value(cJSON_GetArrayItem(it, 0), &pos.x) ||
            !int_value(cJSON_GetArrayItem(it, 1), &pos.y))
            continue;
        pos.name = xstrdup(it->string);
        VEC_PUSH(out, pos);
    }
}

/* A "positions" object for pos (a name given twice: the last one wins). */
static cJSON *positions_json(const dg_pos *pos, size_t n)
{
    cJSON *ps = must(cJSON_CreateObject());
    for (size_t i = 0; i < n; i++) {
        if (!pos[i].name || !pos[i].name[0]) continue;
        int xy[2] = {pos[i].x, pos[i].y};
        cJSON *arr = must(cJSON_CreateIntArray(xy, 2));
        if (cJSON_GetObjectItemCaseSensitive(ps, pos[i].name))
            must_add(cJSON_ReplaceItemInObjectCaseSensitive(ps, pos[i].name, arr));
        else
            must_add(cJSON_AddItemToObject(ps, pos[i].name, arr));
    }
    return ps;
}

int dg_positions_save(const char *dir, const dg_pos *pos, size_t n, char **err)
{
    manifest m;
    char *path = NULL;
    if (man_open(dir, &m, &path, err) < 0) return -1;
    cJSON *d = designer_obj(m.root, true), *ps = positions_json(pos, n);
    if (cJSON_GetObjectItemCaseSensitive(d, "positions"))
        must_add(cJSON_ReplaceItemInObjectCaseSensitive(d, "positions", ps));
    else
        must_add(cJSON_AddItemToObject(d, "positions", ps));
    int rc = man_save(&m, path, err);
    man_free(&m);
    free(path);
    return rc;
}

void dg_posvec_free(dg_posvec *v)
{
    for (size_t i = 0; i < v->n; i++) free(v->v[i].name);
    VEC_FREE(v);
}
