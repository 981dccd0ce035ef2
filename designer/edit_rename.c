/*
 * edit_rename.c - renaming a dataset everywhere it is named (see edit.h,
 * dg_edit_rename): its CREATE, the table references of every query (FROM x,
 * JOIN x, STREAM(x), LIVE.x), the x.column qualifiers of the queries that
 * read it unaliased, the targets of flows (INSERT INTO x, AUTO CDC INTO x),
 * and its position. A flow is renamed too, by its CREATE FLOW name only.
 *
 * Every place is a token the parser found (never a text search), so names
 * inside strings and comments, longer names and other schemas' tables stay.
 * A place written through a ${param} cannot be renamed in the file: the
 * whole rename is refused then, before any file is written.
 */
#include "edit.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "edit_int.h"
#include "lex.h"

/* ================================================================ names */

/* true when name can be written without quotes: a plain identifier that is
 * no keyword of SQLite or of the pipeline dialect. */
static bool bare_ok(const char *name)
{
    static const char *const dialect[] = {"LIVE", "STREAM", "FLOW", "AUTO", "CDC", "APPLY",
                                          "CHANGES", "KEYS", "SEQUENCE", "STREAMING",
                                          "REFRESH", "EXPECT", "TBLPROPERTIES", "COMMENT",
                                          "PRIVATE", "TRACK", "HISTORY", "STORED", NULL};
    if (!(name[0] == '_' || isalpha((unsigned char)name[0]))) return false;
    for (const char *c = name; *c; c++)
        if (!(*c == '_' || isalnum((unsigned char)*c))) return false;
    if (sqlite3_keyword_check(name, (int)strlen(name))) return false;
    for (int i = 0; dialect[i]; i++)
        if (str_ieq(name, dialect[i])) return false;
    return true;
}

/* to written in place of the name token was (which names old): in the same
 * quotes when old did not need them (the user's style), bare when it can be,
 * else in double quotes. */
static char *quoted_like(const char *was, const char *old, const char *to)
{
    bool quoted = was[0] == '"' || was[0] == '[' || was[0] == '`';
    if (bare_ok(to) && (!quoted || !bare_ok(old))) return xstrdup(to);
    sb b = {0};
    if (was[0] == '[' && !strchr(to, ']')) {
        sb_addf(&b, "[%s]", to);
    } else if (was[0] == '`') {
        sb_addc(&b, '`');
        for (const char *c = to; *c; c++) {
            if (*c == '`') sb_addc(&b, '`');
            sb_addc(&b, *c);
        }
        sb_addc(&b, '`');
    } else {
        sb_add_ident(&b, to);
    }
    return sb_take(&b);
}

/* 0 when to can name a dataset or flow. */
static int check_new_name(const char *to, char **err)
{
    size_t n = to ? strlen(to) : 0;
    if (!n) return dge_fail(err, "a dataset needs a name");
    if (n > 128) return dge_fail(err, "'%.20s...' is too long for a name (128 bytes at most)", to);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)to[i] < 0x20 || to[i] == 0x7f)
            return dge_fail(err, "a name cannot hold control characters");
    if (to[0] == ' ' || to[n - 1] == ' ')
        return dge_fail(err, "'%s' starts or ends with a space", to);
    if (strchr(to, '.'))
        return dge_fail(err, "'%s': a dataset name cannot hold '.' (it reads as schema.name)",
                        to);
    if (strstr(to, "${"))
        return dge_fail(err, "'%s': a name cannot hold '${' (it reads as a parameter)", to);
    if (str_nieq(to, "sqlite_", 7))
        return dge_fail(err, "'%s': names starting with sqlite_ are SQLite's own", to);
    if (str_nieq(to, "_tarn", 5) || str_nieq(to, "__tarn", 6))
        return dge_fail(err, "'%s': names starting with _tarn are tarn's own", to);
    return 0;
}

/* true when s reads dataset d. */
static bool reads(const project *p, const sql_stmt *s, int d)
{
    for (size_t i = 0; i < s->refs.n; i++) {
        int rd = -1;
        if (prj_ref_kind_of(p, s, &s->refs.v[i], &rd) == REF_DATASET && rd == d) return true;
    }
    return false;
}

/* Why to cannot be the new name of dataset d, or NULL (caller frees). */
static char *collision(const project *p, int d, const char *to)
{
    if (dge_name_taken(p, to)) return xasprintf("'%s' is defined already: pick another name", to);
    for (size_t f = 0; f < p->files.n; f++)
        for (size_t i = 0; i < p->files.v[f].stmts.n; i++) {
            const sql_stmt *s = &p->files.v[f].stmts.v[i];
            if (strvec_find(&s->ctes, to) >= 0 && reads(p, s, d))
                return xasprintf("'%s' (%s) reads '%s' and has a WITH %s of its own: the "
                                 "new name would mean that", s->name, p->files.v[f].path,
                                 p->datasets.v[d].name, to);
            for (size_t k = 0; k < s->refs.n; k++) {
                const sql_ref *r = &s->refs.v[k];
                if (!r->call && !r->schema && str_ieq(r->name, to) &&
                    prj_ref_kind_of(p, s, r, NULL) == REF_TABLE)
                    return xasprintf("'%s' (%s) reads a table called '%s' that is no "
                                     "dataset: pick another name", s->name,
                                     p->files.v[f].path, to);
            }
        }
    return NULL;
}

/* ================================================================ places */

/* A rename being prepared: the pieces of every file. */
typedef struct ren {
    const project *p;
    const char *from, *to;
    int d;               /* the dataset renamed (-1: a flow) */
    dge_piecevec *pieces; /* one per file */
    char *err;           /* the first refusal */
} ren;

/* Renames the name token at offset off of file fi's substituted text;
 * refuses one that a ${param} made. */
static void ren_site(ren *r, int fi, size_t off)
{
    if (r->err) return;
    const prj_file *f = &r->p->files.v[fi];
    const char *text = prj_text(r->p, fi);
    size_t pos = off;
    const char *msg = NULL;
    token tk = lex_next(text, f->sub.out.len, &pos, &msg);
    size_t a = rw_map(&f->sub, tk.off);
    int line, col;
    text_linecol(f->orig, a, &line, &col);
    if (!lex_is_name(tk) || tk.off != off) {
        r->err = xasprintf("%s:%d:%d: expected the name '%s' there (nothing renamed)", f->path,
                           line, col, r->from);
        return;
    }
    if (!dge_copied_span(&f->sub, tk.off, tk.len)) {
        r->err = xasprintf("%s:%d:%d: '%s' is named there through a ${parameter}: rename "
                           "cannot change it (change the parameter or the file by hand)",
                           f->path, line, col, r->from);
        return;
    }
    dge_piece pc = {a, a + tk.len, quoted_like(f->orig + a, r->from, r->to)};
    VEC_PUSH(&r->pieces[fi], pc);
}

/* true when offset off is part of one of s's table references (a name or
 * schema.name, STREAM(...), or the head of a call). */
static bool in_ref(const sql_stmt *s, size_t off)
{
    for (size_t i = 0; i < s->refs.n; i++) {
        const sql_ref *r = &s->refs.v[i];
        size_t end = r->call ? r->name_off + 1 : r->end;
        if (off >= r->off && off < end) return true;
    }
    return false;
}

/* The tokens (no comments) of t[a, b). */
static void tokens_of(const char *t, size_t a, size_t b, tokvec *out)
{
    size_t pos = a;
    const char *msg = NULL;
    for (;;) {
        token tk = lex_next(t, b, &pos, &msg);
        if (tk.kind == TK_EOF || tk.kind == TK_ERROR) break;
        if (tk.kind != TK_COMMENT) VEC_PUSH(out, tk);
    }
}

/* from.column and from.* in the query of s (of an AUTO CDC flow: the
 * clauses after its source), apart from the table references themselves. */
static void ren_qualifiers(ren *r, int fi, const sql_stmt *s)
{
    const char *t = prj_text(r->p, fi);
    size_t a, b;
    if (s->has_query) {
        a = s->query_off;
        b = a + s->query_len;
    } else if (s->cdc && s->refs.n) {
        a = s->refs.v[0].end;
        b = s->span_off + s->span_len;
    } else {
        return;
    }
    tokvec toks = {0};
    tokens_of(t, a, b, &toks);
    for (size_t k = 0; k + 2 < toks.n; k++) {
        token tk = toks.v[k], nx = toks.v[k + 2];
        if (!lex_is_name(tk) || !lex_punct(t, toks.v[k + 1], '.')) continue;
        if (k > 0 && lex_punct(t, toks.v[k - 1], '.')) continue; /* x.from.col */
        if (!lex_is_name(nx) && !lex_punct(t, nx, '*')) continue;
        if (in_ref(s, tk.off)) continue;
        char *nm = lex_name(t, tk);
        if (str_ieq(nm, r->from)) ren_site(r, fi, tk.off);
        free(nm);
    }
    VEC_FREE(&toks);
}

/* Every place statement s of file fi names the dataset. */
static void ren_stmt(ren *r, int fi, const sql_stmt *s)
{
    if (s->kind != SQL_FLOW && str_ieq(s->name, r->from)) ren_site(r, fi, s->name_off);
    if (s->target && str_ieq(s->target, r->from)) ren_site(r, fi, s->target_off);
    bool unaliased = false;
    for (size_t i = 0; i < s->refs.n; i++) {
        const sql_ref *ref = &s->refs.v[i];
        int d = -1;
        if (prj_ref_kind_of(r->p, s, ref, &d) != REF_DATASET || d != r->d) continue;
        ren_site(r, fi, ref->name_off);
        unaliased = unaliased || !ref->aliased;
    }
    if (unaliased) ren_qualifiers(r, fi, s);
}

/* ================================================================ rename */

/* The pieces of r made into writes (with the position moved from old), and
 * written when all could be made. */
static int ren_finish(ren *r, const char *old, char **err)
{
    const project *p = r->p;
    dge_writes out = {0};
    int rc = r->err ? dge_fail(err, "%s", r->err) : 0;
    for (size_t f = 0; f < p->files.n; f++) {
        if (rc == 0 && r->pieces[f].n) rc = dge_prepare_file(p, (int)f, &r->pieces[f], &out, err);
        dge_pieces_free(&r->pieces[f]);
    }
    free(r->pieces);
    free(r->err);
    if (rc == 0) {
        strvec one = {0};
        VEC_PUSH(&one, xstrdup(old));
        rc = dge_prepare_positions(p, &one, r->to, &out, err);
        strvec_free(&one);
    }
    if (rc == 0) rc = dge_write_all(&out, err);
    dge_writes_free(&out);
    return rc;
}

int dg_edit_rename(const project *p, const char *from, const char *to, char **err)
{
    int d = prj_dataset_find(p, from), fi = -1;
    const sql_stmt *flow = d < 0 ? dge_find_def(p, from, &fi) : NULL;
    if (d < 0 && !flow) return dge_fail(err, "no dataset or flow called '%s'", from);
    const char *old = d >= 0 ? p->datasets.v[d].name : flow->name;
    if (to && !strcmp(old, to)) return 0;
    if (check_new_name(to, err) < 0) return -1;
    if (!str_ieq(old, to)) {
        char *why = d >= 0 ? collision(p, d, to)
                  : dge_name_taken(p, to) ? xasprintf("'%s' is defined already: pick another "
                                                      "name", to) : NULL;
        if (why) {
            dge_fail(err, "%s", why);
            free(why);
            return -1;
        }
    }
    if (flow && flow->name_off == flow->span_off) /* AUTO CDC INTO t ... written alone */
        return dge_fail(err, "flow '%s' is named after its target (AUTO CDC without CREATE "
                        "FLOW): rename the target", flow->name);
    ren r = {p, old, to, d, xcalloc(p->files.n, sizeof(dge_piecevec)), NULL};
    if (d >= 0) {
        for (size_t f = 0; f < p->files.n; f++)
            for (size_t i = 0; i < p->files.v[f].stmts.n; i++)
                ren_stmt(&r, (int)f, &p->files.v[f].stmts.v[i]);
    } else {
        ren_site(&r, fi, flow->name_off);
    }
    return ren_finish(&r, old, err);
}
