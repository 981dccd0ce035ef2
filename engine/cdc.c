/*
 * cdc.c - AUTO CDC flows: SCD type 1 and type 2 (see cdc.h).
 *
 * Every batch starts the same way: the source window's events are copied
 * into a temporary table with their sequence value, delete and truncate
 * flags and source rowid; events without a sequence, and events other than
 * truncates without keys, are ignored.
 * SCD1 then runs as a few set-based statements; SCD2 rebuilds the history of
 * the keys the batch touches in one ordered pass in C.
 */
#include "cdc.h"

#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "warehouse.h"

#define BATCH "temp.__tarn_cdc_batch"
#define LATEST "temp.__tarn_cdc_latest"
#define KEYSET "temp.__tarn_cdc_keys"
#define EVENTS "temp.__tarn_cdc_events"

/* ======================= small SQL builders ======================= */

/* "a", "b", ... with each name optionally prefixed ("t."). */
static void add_names(sb *b, const strvec *v, const char *prefix)
{
    for (size_t i = 0; i < v->n; i++) {
        if (i) sb_add(b, ", ");
        if (prefix) sb_add(b, prefix);
        sb_add_ident(b, v->v[i]);
    }
}

/* a."k1" IS b."k1" AND ... */
static void add_key_match(sb *b, const strvec *keys, const char *a, const char *bb)
{
    for (size_t i = 0; i < keys->n; i++) {
        if (i) sb_add(b, " AND ");
        sb_addf(b, "%s.", a);
        sb_add_ident(b, keys->v[i]);
        sb_addf(b, " IS %s.", bb);
        sb_add_ident(b, keys->v[i]);
    }
}

static int exec_sb(sqlite3 *db, sb *q, char **err)
{
    int rc = wh_exec(db, sb_str(q), err);
    sb_clear(q);
    return rc;
}

/* ======================= resolving ======================= */

static void report_at(cdc_problem_fn report, void *ctx, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void report_at(cdc_problem_fn report, void *ctx, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    report(ctx, off, msg);
    free(msg);
}

/* Compiles SELECT (expr) FROM source; reports at the failing token. */
static int check_expr(sqlite3 *db, const char *text, size_t off, size_t len,
                      const char *source, const char *clause, cdc_problem_fn report,
                      void *ctx, char **out)
{
    *out = xstrndup(text + off, len);
    sb q = {0};
    sb_add(&q, "SELECT (");
    size_t prefix = q.len;
    sb_addf(&q, "%s) FROM %s", *out, source);
    sqlite3_stmt *st = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(db, sb_str(&q), -1, &st, NULL) != SQLITE_OK) {
        int eo = sqlite3_error_offset(db);
        size_t at = eo >= (int)prefix && eo < (int)(prefix + len) ? off + (size_t)eo - prefix : off;
        report_at(report, ctx, at, "%s: %s", clause, sqlite3_errmsg(db));
        rc = -1;
    }
    sqlite3_finalize(st);
    sb_free(&q);
    return rc;
}

/* cols = the source's columns chosen by COLUMNS (all by default). */
static int choose(const strvec *from, const strvec *list, bool except, strvec *out,
                  const char *what, size_t off, cdc_problem_fn report, void *ctx)
{
    int rc = 0;
    for (size_t i = 0; i < list->n; i++)
        if (strvec_find(from, list->v[i]) < 0) {
            report_at(report, ctx, off, "%s: column '%s' is not in the source", what,
                      list->v[i]);
            rc = -1;
        }
    for (size_t i = 0; i < from->n; i++) {
        bool listed = strvec_find(list, from->v[i]) >= 0;
        if (!list->n || listed != except) VEC_PUSH(out, xstrdup(from->v[i]));
    }
    return rc;
}

int cdc_resolve(sqlite3 *db, const project *p, int f, const char *source, cdc_spec *out,
                cdc_problem_fn report, void *ctx)
{
    memset(out, 0, sizeof(*out));
    const prj_flow *fl = &p->flows.v[f];
    const sql_cdc *c = fl->stmt->cdc;
    const char *text = prj_text(p, fl->file);
    out->c = c;
    out->flow = xstrdup(fl->name);
    out->target = xstrdup(p->datasets.v[fl->dataset].name);
    out->state = xasprintf("_tarn_cdc_%s", fl->name);
    sb q = {0};
    sb_addf(&q, "SELECT * FROM %s LIMIT 0", source);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sb_str(&q), -1, &st, NULL) != SQLITE_OK) {
        report_at(report, ctx, fl->stmt->refs.v[0].name_off, "%s", sqlite3_errmsg(db));
        sb_free(&q);
        return -1;
    }
    for (int i = 0; i < sqlite3_column_count(st); i++)
        VEC_PUSH(&out->source_cols, xstrdup(sqlite3_column_name(st, i)));
    sqlite3_finalize(st);
    sb_free(&q);
    int rc = 0;
    for (size_t i = 0; i < c->keys.n; i++)
        if (strvec_find(&out->source_cols, c->keys.v[i]) < 0) {
            report_at(report, ctx, c->keys_off, "KEYS: column '%s' is not in the source",
                      c->keys.v[i]);
            rc = -1;
        }
    if (choose(&out->source_cols, &c->columns, c->columns_except, &out->cols, "COLUMNS",
               c->keys_off, report, ctx) < 0)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < c->keys.n; i++)
        if (strvec_find(&out->cols, c->keys.v[i]) < 0) {
            report_at(report, ctx, c->keys_off, "COLUMNS leaves out the key '%s'",
                      c->keys.v[i]);
            rc = -1;
        }
    if (c->scd_type == 2) {
        strvec data = {0};
        for (size_t i = 0; i < out->cols.n; i++)
            if (strvec_find(&c->keys, out->cols.v[i]) < 0) VEC_PUSH(&data, xstrdup(out->cols.v[i]));
        if (choose(&data, &c->track, c->track_except, &out->tracked, "TRACK HISTORY ON",
                   c->keys_off, report, ctx) < 0)
            rc = -1;
        strvec_free(&data);
        if (strvec_find(&out->source_cols, "__START_AT") >= 0 ||
            strvec_find(&out->source_cols, "__END_AT") >= 0) {
            report_at(report, ctx, c->keys_off, "the source has a column __START_AT or "
                      "__END_AT, which SCD TYPE 2 adds itself: leave it out with COLUMNS");
            rc = -1;
        }
    }
    if (check_expr(db, text, c->seq_off, c->seq_len, source, "SEQUENCE BY", report, ctx,
                   &out->seq) < 0)
        rc = -1;
    if (c->delete_len && check_expr(db, text, c->delete_off, c->delete_len, source,
                                    "APPLY AS DELETE WHEN", report, ctx, &out->del) < 0)
        rc = -1;
    if (c->truncate_len && check_expr(db, text, c->truncate_off, c->truncate_len, source,
                                      "APPLY AS TRUNCATE WHEN", report, ctx, &out->trunc) < 0)
        rc = -1;
    return rc;
}

/* ======================= target and side table ======================= */

int cdc_prepare_target(sqlite3 *db, const cdc_spec *s, const char *source, char **err)
{
    const sql_cdc *c = s->c;
    sb q = {0};
    int rc = 0;
    if (!wh_table_exists(db, "main", s->target)) {
        sb_add(&q, "CREATE TABLE ");
        sb_add_ident(&q, s->target);
        sb_add(&q, " AS SELECT ");
        add_names(&q, &s->cols, NULL);
        if (c->scd_type == 2)
            sb_addf(&q, ", (%s) AS \"__START_AT\", (%s) AS \"__END_AT\"", s->seq, s->seq);
        sb_addf(&q, " FROM %s LIMIT 0", source);
        rc = exec_sb(db, &q, err);
    } else {
        /* columns the source brought since the target was made */
        sb_add(&q, "SELECT ");
        add_names(&q, &s->cols, NULL);
        sb_addf(&q, " FROM %s LIMIT 0", source);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, sb_str(&q), -1, &st, NULL) == SQLITE_OK)
            rc = plan_add_missing_columns(db, s->target, st, err);
        sqlite3_finalize(st);
        sb_clear(&q);
    }
    if (rc == 0) {
        sb_add(&q, c->scd_type == 1 ? "CREATE UNIQUE INDEX IF NOT EXISTS " : "CREATE INDEX IF NOT EXISTS ");
        char *idx = xasprintf("%s__tarn_keys", s->target);
        sb_add_ident(&q, idx);
        free(idx);
        sb_add(&q, " ON ");
        sb_add_ident(&q, s->target);
        sb_addc(&q, '(');
        add_names(&q, &c->keys, NULL);
        sb_add(&q, c->scd_type == 2 ? ", \"__START_AT\")" : ")");
        rc = exec_sb(db, &q, err);
    }
    if (rc == 0) {
        sb_add(&q, "CREATE TABLE IF NOT EXISTS ");
        sb_add_ident(&q, s->state);
        sb_addc(&q, '(');
        add_names(&q, &c->keys, NULL);
        sb_add(&q, ", __seq NOT NULL, __deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(");
        add_names(&q, &c->keys, NULL);
        sb_add(&q, c->scd_type == 2 ? ", __seq))" : "))");
        rc = exec_sb(db, &q, err);
    }
    sb_free(&q);
    return rc;
}

/* ======================= applying: both types ======================= */

/* Copies the window's events into BATCH and drops those without a sequence
 * value, and those without a key unless they truncate (a truncate event
 * usually carries no key). */
static int load_batch(sqlite3 *db, const cdc_spec *s, const char *source, int64_t lo,
                      int64_t hi, cdc_metrics *m, char **err)
{
    sb q = {0};
    sb_addf(&q, "DROP TABLE IF EXISTS " BATCH "; CREATE TABLE " BATCH " AS SELECT rowid AS"
                " __tarn_rid, *, (%s) AS __tarn_seq, coalesce((%s), 0) AS __tarn_del,"
                " coalesce((%s), 0) AS __tarn_trunc FROM %s WHERE rowid > %lld AND rowid <= %lld",
            s->seq, s->del ? s->del : "0", s->trunc ? s->trunc : "0", source, (long long)lo,
            (long long)hi);
    if (exec_sb(db, &q, err) < 0) {
        sb_free(&q);
        return -1;
    }
    m->events = wh_int(db, "SELECT count(*) FROM " BATCH, 0);
    sb_add(&q, "DELETE FROM " BATCH " WHERE __tarn_seq IS NULL OR (NOT __tarn_trunc AND (");
    for (size_t i = 0; i < s->c->keys.n; i++) {
        if (i) sb_add(&q, " OR ");
        sb_add_ident(&q, s->c->keys.v[i]);
        sb_add(&q, " IS NULL");
    }
    sb_add(&q, "))");
    int rc = exec_sb(db, &q, err);
    m->ignored += sqlite3_changes(db);
    sb_free(&q);
    return rc;
}

static void drop_temps(sqlite3 *db)
{
    wh_exec(db, "DROP TABLE IF EXISTS " BATCH "; DROP TABLE IF EXISTS " LATEST ";"
                "DROP TABLE IF EXISTS " KEYSET "; DROP TABLE IF EXISTS " EVENTS ";", NULL);
}

/* ======================= SCD type 1 ======================= */

/* APPLY AS TRUNCATE WHEN: the latest truncate empties the target; only
 * events after it stay in the batch. */
static int apply_truncate(sqlite3 *db, const cdc_spec *s, cdc_metrics *m, char **err)
{
    if (!s->trunc) return 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT max(__tarn_seq) FROM " BATCH " WHERE __tarn_trunc",
                           -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW ||
        sqlite3_column_type(st, 0) == SQLITE_NULL) {
        sqlite3_finalize(st);
        return 0;
    }
    sqlite3_value *cut = sqlite3_value_dup(sqlite3_column_value(st, 0));
    sqlite3_finalize(st);
    sb q = {0};
    sb_add(&q, "DELETE FROM ");
    sb_add_ident(&q, s->target);
    sb_add(&q, "; DELETE FROM ");
    sb_add_ident(&q, s->state);
    int rc = exec_sb(db, &q, err);
    if (rc == 0 && sqlite3_prepare_v2(db, "DELETE FROM " BATCH " WHERE __tarn_seq <= ?", -1,
                                      &st, NULL) == SQLITE_OK) {
        sqlite3_bind_value(st, 1, cut);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
        if (rc < 0 && err) *err = xstrdup(sqlite3_errmsg(db));
        sqlite3_finalize(st);
        m->truncates++;
    }
    sqlite3_value_free(cut);
    sb_free(&q);
    return rc;
}

/* "b is an upsert the batch applies": newer than the state of its key and
 * not followed by a delete of its key in the batch. */
static void add_live_upsert(sb *q, const cdc_spec *s, const char *b)
{
    const strvec *keys = &s->c->keys;
    sb_addf(q, "NOT %s.__tarn_del AND NOT EXISTS (SELECT 1 FROM ", b);
    sb_add_ident(q, s->state);
    sb_add(q, " AS s WHERE ");
    add_key_match(q, keys, "s", b);
    sb_addf(q, " AND s.__seq >= %s.__tarn_seq) AND NOT EXISTS (SELECT 1 FROM " BATCH
               " AS d WHERE ", b);
    add_key_match(q, keys, "d", b);
    sb_addf(q, " AND d.__tarn_del AND (d.__tarn_seq > %s.__tarn_seq OR (d.__tarn_seq = "
               "%s.__tarn_seq AND d.__tarn_rid > %s.__tarn_rid)))", b, b, b);
}

/* IGNORE NULL UPDATES: the events of a key in one batch apply in turn. A
 * NULL of the latest upsert takes the value of the latest earlier upsert
 * with one, back to the last delete in the batch; after such a delete the
 * row starts over, so the target's row goes first. */
static int ignore_nulls_in_batch(sqlite3 *db, const cdc_spec *s, char **err)
{
    const strvec *keys = &s->c->keys;
    sb q = {0};
    sb_add(&q, "CREATE INDEX temp.__tarn_cdc_batch_keys ON __tarn_cdc_batch(");
    add_names(&q, keys, NULL);
    sb_add(&q, ", __tarn_seq)");
    int rc = exec_sb(db, &q, err);
    const char *sep = "UPDATE " LATEST " AS l SET ";
    for (size_t i = 0; rc == 0 && i < s->cols.n; i++) {
        const char *c = s->cols.v[i];
        if (strvec_find(keys, c) >= 0) continue;
        sb_add(&q, sep);
        sb_add_ident(&q, c);
        sb_add(&q, " = coalesce(l.");
        sb_add_ident(&q, c);
        sb_add(&q, ", (SELECT b.");
        sb_add_ident(&q, c);
        sb_add(&q, " FROM " BATCH " AS b WHERE ");
        add_key_match(&q, keys, "b", "l");
        sb_add(&q, " AND b.");
        sb_add_ident(&q, c);
        sb_add(&q, " IS NOT NULL AND ");
        add_live_upsert(&q, s, "b");
        sb_add(&q, " ORDER BY b.__tarn_seq DESC, b.__tarn_rid DESC LIMIT 1))");
        sep = ", ";
    }
    if (rc == 0 && q.len) {
        sb_add(&q, " WHERE NOT l.__tarn_del");
        rc = exec_sb(db, &q, err);
    }
    if (rc == 0) { /* a delete the batch applies before the latest upsert */
        sb_add(&q, "DELETE FROM ");
        sb_add_ident(&q, s->target);
        sb_add(&q, " AS t WHERE EXISTS (SELECT 1 FROM " LATEST " AS l WHERE NOT l.__tarn_del AND ");
        add_key_match(&q, keys, "l", "t");
        sb_add(&q, " AND EXISTS (SELECT 1 FROM " BATCH " AS d WHERE d.__tarn_del AND ");
        add_key_match(&q, keys, "d", "l");
        sb_add(&q, " AND NOT EXISTS (SELECT 1 FROM ");
        sb_add_ident(&q, s->state);
        sb_add(&q, " AS s WHERE ");
        add_key_match(&q, keys, "s", "d");
        sb_add(&q, " AND s.__seq >= d.__tarn_seq)))");
        rc = exec_sb(db, &q, err);
    }
    sb_free(&q);
    return rc;
}

static int apply_scd1(sqlite3 *db, const cdc_spec *s, cdc_metrics *m, char **err)
{
    const strvec *keys = &s->c->keys;
    if (apply_truncate(db, s, m, err) < 0) return -1;
    sb q = {0};
    /* the latest event per key in the batch */
    sb_add(&q, "CREATE TABLE " LATEST " AS SELECT * FROM (SELECT *, row_number() OVER"
               " (PARTITION BY ");
    add_names(&q, keys, NULL);
    sb_add(&q, " ORDER BY __tarn_seq DESC, __tarn_rid DESC) AS __tarn_rn FROM " BATCH
               ") WHERE __tarn_rn = 1");
    if (exec_sb(db, &q, err) < 0) goto fail;
    /* older than (or as old as) what the target already reflects: ignored */
    sb_add(&q, "DELETE FROM " LATEST " AS l WHERE EXISTS (SELECT 1 FROM ");
    sb_add_ident(&q, s->state);
    sb_add(&q, " AS s WHERE ");
    add_key_match(&q, keys, "s", "l");
    sb_add(&q, " AND s.__seq >= l.__tarn_seq)");
    if (exec_sb(db, &q, err) < 0) goto fail;
    m->ignored += sqlite3_changes(db);
    if (s->c->ignore_null_updates && ignore_nulls_in_batch(db, s, err) < 0) goto fail;
    /* deletes */
    sb_add(&q, "DELETE FROM ");
    sb_add_ident(&q, s->target);
    sb_add(&q, " AS t WHERE EXISTS (SELECT 1 FROM " LATEST " AS l WHERE l.__tarn_del AND ");
    add_key_match(&q, keys, "l", "t");
    sb_addc(&q, ')');
    if (exec_sb(db, &q, err) < 0) goto fail;
    m->deletes += wh_int(db, "SELECT count(*) FROM " LATEST " WHERE __tarn_del", 0);
    /* upserts */
    sb_add(&q, "INSERT INTO ");
    sb_add_ident(&q, s->target);
    sb_addc(&q, '(');
    add_names(&q, &s->cols, NULL);
    sb_add(&q, ") SELECT ");
    add_names(&q, &s->cols, NULL);
    sb_add(&q, " FROM " LATEST " WHERE NOT __tarn_del ON CONFLICT(");
    add_names(&q, keys, NULL);
    sb_add(&q, ") DO ");
    const char *sep = "UPDATE SET ";
    for (size_t i = 0; i < s->cols.n; i++) {
        if (strvec_find(keys, s->cols.v[i]) >= 0) continue;
        sb_add(&q, sep);
        sb_add_ident(&q, s->cols.v[i]);
        sb_add(&q, s->c->ignore_null_updates ? " = coalesce(excluded." : " = excluded.");
        sb_add_ident(&q, s->cols.v[i]);
        if (s->c->ignore_null_updates) {
            sb_add(&q, ", ");
            sb_add_ident(&q, s->cols.v[i]);
            sb_addc(&q, ')');
        }
        sep = ", ";
    }
    if (!strcmp(sep, "UPDATE SET ")) sb_add(&q, "NOTHING");
    if (exec_sb(db, &q, err) < 0) goto fail;
    m->upserts += sqlite3_changes(db);
    /* what the target now reflects, per key */
    sb_add(&q, "INSERT INTO ");
    sb_add_ident(&q, s->state);
    sb_addc(&q, '(');
    add_names(&q, keys, NULL);
    sb_add(&q, ", __seq, __deleted) SELECT ");
    add_names(&q, keys, NULL);
    sb_add(&q, ", __tarn_seq, __tarn_del FROM " LATEST " WHERE true ON CONFLICT(");
    add_names(&q, keys, NULL);
    sb_add(&q, ") DO UPDATE SET __seq = excluded.__seq, __deleted = excluded.__deleted");
    if (exec_sb(db, &q, err) < 0) goto fail;
    sb_free(&q);
    return 0;
fail:
    sb_free(&q);
    return -1;
}

/* ======================= SCD type 2 ======================= */

static bool same_value(sqlite3_value *a, sqlite3_value *b)
{
    int ta = sqlite3_value_type(a), tb = sqlite3_value_type(b);
    if (ta != tb) {
        if ((ta == SQLITE_INTEGER || ta == SQLITE_FLOAT) &&
            (tb == SQLITE_INTEGER || tb == SQLITE_FLOAT))
            return sqlite3_value_double(a) == sqlite3_value_double(b);
        return false;
    }
    switch (ta) {
    case SQLITE_NULL: return true;
    case SQLITE_INTEGER: return sqlite3_value_int64(a) == sqlite3_value_int64(b);
    case SQLITE_FLOAT: return sqlite3_value_double(a) == sqlite3_value_double(b);
    default: {
        int n = sqlite3_value_bytes(a);
        return n == sqlite3_value_bytes(b) &&
               !memcmp(sqlite3_value_blob(a), sqlite3_value_blob(b), (size_t)n);
    }
    }
}

/* The history being rebuilt for one key: its open version. */
typedef struct scd2_walk {
    sqlite3_stmt *ins;     /* INSERT INTO target(keys, data, __START_AT, __END_AT) */
    sqlite3_stmt *mark;    /* INSERT OR IGNORE INTO state(keys, __seq, __deleted = 0) */
    int nk, nd;            /* key and data columns */
    int *tracked;          /* per data column: 1 when a change makes a version */
    sqlite3_value **open;  /* nk + nd values of the open version, or NULL */
    sqlite3_value *start;  /* its __START_AT */
    int64_t written;
} scd2_walk;

static void walk_drop_open(scd2_walk *w)
{
    if (!w->open) return;
    for (int i = 0; i < w->nk + w->nd; i++) sqlite3_value_free(w->open[i]);
    free(w->open);
    sqlite3_value_free(w->start);
    w->open = NULL;
    w->start = NULL;
}

/* Writes the open version, closed at end (NULL: still open), and drops it.
 * A version that would end where it starts (another event at its very
 * sequence) is dropped unwritten: re-read, two versions with one start
 * would have no order. */
static int walk_close(scd2_walk *w, sqlite3_value *end)
{
    if (!w->open) return 0;
    if (end && same_value(end, w->start)) {
        walk_drop_open(w);
        return 0;
    }
    int n = w->nk + w->nd;
    for (int i = 0; i < n; i++) sqlite3_bind_value(w->ins, i + 1, w->open[i]);
    sqlite3_bind_value(w->ins, n + 1, w->start);
    if (end) sqlite3_bind_value(w->ins, n + 2, end);
    else sqlite3_bind_null(w->ins, n + 2);
    int rc = sqlite3_step(w->ins);
    sqlite3_reset(w->ins);
    walk_drop_open(w);
    w->written++;
    return rc == SQLITE_DONE ? 0 : -1;
}

/* One event (a row of EVENTS: keys, data, seq, del, ...) in history order. */
static int walk_event(scd2_walk *w, sqlite3_stmt *ev, bool ignore_nulls)
{
    int n = w->nk + w->nd;
    sqlite3_value *seq = sqlite3_column_value(ev, n);
    if (sqlite3_column_int(ev, n + 1)) return walk_close(w, seq); /* a delete */
    if (w->open) {
        bool changed = false;
        for (int i = 0; i < w->nd && !changed; i++) {
            sqlite3_value *v = sqlite3_column_value(ev, w->nk + i);
            if (ignore_nulls && sqlite3_value_type(v) == SQLITE_NULL) continue;
            if (w->tracked[i] && !same_value(v, w->open[w->nk + i])) changed = true;
        }
        if (!changed) { /* the same version: untracked columns take the new values */
            for (int i = 0; i < w->nd; i++) {
                sqlite3_value *v = sqlite3_column_value(ev, w->nk + i);
                if (ignore_nulls && sqlite3_value_type(v) == SQLITE_NULL) continue;
                sqlite3_value_free(w->open[w->nk + i]);
                w->open[w->nk + i] = sqlite3_value_dup(v);
            }
            if (same_value(seq, w->start)) return 0;
            /* remembered: a later event before it must not swallow it */
            for (int i = 0; i < w->nk; i++)
                sqlite3_bind_value(w->mark, i + 1, sqlite3_column_value(ev, i));
            sqlite3_bind_value(w->mark, w->nk + 1, seq);
            int rc = sqlite3_step(w->mark);
            sqlite3_reset(w->mark);
            return rc == SQLITE_DONE ? 0 : -1;
        }
    }
    sqlite3_value **prev = w->open;
    w->open = NULL;
    sqlite3_value **next = xcalloc((size_t)n, sizeof(sqlite3_value *));
    for (int i = 0; i < n; i++) {
        sqlite3_value *v = sqlite3_column_value(ev, i);
        if (ignore_nulls && prev && i >= w->nk && sqlite3_value_type(v) == SQLITE_NULL)
            v = prev[i];
        next[i] = sqlite3_value_dup(v);
    }
    w->open = prev;
    if (walk_close(w, seq) < 0) { /* the previous version ends where this starts */
        for (int i = 0; i < n; i++) sqlite3_value_free(next[i]);
        free(next);
        return -1;
    }
    w->open = next;
    w->start = sqlite3_value_dup(seq);
    return 0;
}

/* EVENTS: the touched keys' versions, their past deletes, the upserts that
 * were merged into a version (with that version's values), and the batch. */
static int gather_events(sqlite3 *db, const cdc_spec *s, const strvec *data, char **err)
{
    const strvec *keys = &s->c->keys;
    sb q = {0};
    sb_add(&q, "CREATE TABLE " KEYSET " AS SELECT DISTINCT ");
    add_names(&q, keys, NULL);
    sb_add(&q, " FROM " BATCH);
    if (exec_sb(db, &q, err) < 0) goto fail;
    sb_add(&q, "CREATE TABLE " EVENTS " AS SELECT ");
    add_names(&q, keys, "t.");
    if (data->n) sb_add(&q, ", ");
    add_names(&q, data, "t.");
    sb_add(&q, ", t.\"__START_AT\" AS __tarn_seq, 0 AS __tarn_del, 0 AS __tarn_new,"
               " 0 AS __tarn_rid FROM ");
    sb_add_ident(&q, s->target);
    sb_add(&q, " AS t WHERE EXISTS (SELECT 1 FROM " KEYSET " AS k WHERE ");
    add_key_match(&q, keys, "k", "t");
    sb_add(&q, ") UNION ALL SELECT ");
    add_names(&q, keys, "d.");
    for (size_t i = 0; i < data->n; i++) sb_add(&q, ", NULL");
    sb_add(&q, ", d.__seq, 1, 0, 0 FROM ");
    sb_add_ident(&q, s->state);
    sb_add(&q, " AS d WHERE d.__deleted AND EXISTS (SELECT 1 FROM " KEYSET " AS k WHERE ");
    add_key_match(&q, keys, "k", "d");
    sb_add(&q, ") UNION ALL SELECT ");
    add_names(&q, keys, "t.");
    if (data->n) sb_add(&q, ", ");
    add_names(&q, data, "t.");
    sb_add(&q, ", d.__seq, 0, 0, 0 FROM ");
    sb_add_ident(&q, s->state);
    sb_add(&q, " AS d JOIN ");
    sb_add_ident(&q, s->target);
    sb_add(&q, " AS t ON ");
    add_key_match(&q, keys, "t", "d");
    sb_add(&q, " AND t.\"__START_AT\" <= d.__seq AND (t.\"__END_AT\" IS NULL OR"
               " t.\"__END_AT\" > d.__seq) WHERE NOT d.__deleted AND EXISTS (SELECT 1 FROM "
               KEYSET " AS k WHERE ");
    add_key_match(&q, keys, "k", "d");
    sb_add(&q, ") UNION ALL SELECT ");
    add_names(&q, keys, NULL);
    if (data->n) sb_add(&q, ", ");
    add_names(&q, data, NULL);
    sb_add(&q, ", __tarn_seq, __tarn_del, 1, __tarn_rid FROM " BATCH);
    if (exec_sb(db, &q, err) < 0) goto fail;
    sb_free(&q);
    return 0;
fail:
    sb_free(&q);
    return -1;
}

/* Replaces the touched keys' history (and their merged upserts) with the
 * one rebuilt from EVENTS. */
static int rebuild_history(sqlite3 *db, const cdc_spec *s, const strvec *data,
                           cdc_metrics *m, char **err)
{
    const strvec *keys = &s->c->keys;
    sb q = {0};
    sb_add(&q, "DELETE FROM ");
    sb_add_ident(&q, s->target);
    sb_add(&q, " AS t WHERE EXISTS (SELECT 1 FROM " KEYSET " AS k WHERE ");
    add_key_match(&q, keys, "k", "t");
    sb_add(&q, "); DELETE FROM ");
    sb_add_ident(&q, s->state);
    sb_add(&q, " AS d WHERE NOT d.__deleted AND EXISTS (SELECT 1 FROM " KEYSET " AS k WHERE ");
    add_key_match(&q, keys, "k", "d");
    sb_addc(&q, ')');
    if (exec_sb(db, &q, err) < 0) {
        sb_free(&q);
        return -1;
    }
    scd2_walk w = {0};
    w.nk = (int)keys->n;
    w.nd = (int)data->n;
    w.tracked = xcalloc(data->n + 1, sizeof(int));
    for (size_t i = 0; i < data->n; i++) w.tracked[i] = strvec_find(&s->tracked, data->v[i]) >= 0;
    sb_add(&q, "INSERT INTO ");
    sb_add_ident(&q, s->target);
    sb_addc(&q, '(');
    add_names(&q, keys, NULL);
    if (data->n) sb_add(&q, ", ");
    add_names(&q, data, NULL);
    sb_add(&q, ", \"__START_AT\", \"__END_AT\") VALUES (");
    for (int i = 0; i < w.nk + w.nd + 2; i++) sb_add(&q, i ? ", ?" : "?");
    sb_addc(&q, ')');
    sqlite3_stmt *ev = NULL;
    int rc = sqlite3_prepare_v2(db, sb_str(&q), -1, &w.ins, NULL) == SQLITE_OK ? 0 : -1;
    sb_clear(&q);
    sb_add(&q, "INSERT OR IGNORE INTO ");
    sb_add_ident(&q, s->state);
    sb_addc(&q, '(');
    add_names(&q, keys, NULL);
    sb_add(&q, ", __seq, __deleted) VALUES (");
    for (int i = 0; i < w.nk + 1; i++) sb_add(&q, i ? ", ?" : "?");
    sb_add(&q, ", 0)");
    if (rc == 0) rc = sqlite3_prepare_v2(db, sb_str(&q), -1, &w.mark, NULL) == SQLITE_OK ? 0 : -1;
    sb_clear(&q);
    /* history order: by key, then sequence; at one sequence an upsert before a
     * delete, an old version before a new event */
    sb_add(&q, "SELECT * FROM " EVENTS " ORDER BY ");
    add_names(&q, keys, NULL);
    sb_add(&q, ", __tarn_seq, __tarn_del, __tarn_new, __tarn_rid");
    if (rc == 0) rc = sqlite3_prepare_v2(db, sb_str(&q), -1, &ev, NULL) == SQLITE_OK ? 0 : -1;
    sqlite3_value **key = xcalloc(keys->n + 1, sizeof(sqlite3_value *));
    int step;
    while (rc == 0 && (step = sqlite3_step(ev)) == SQLITE_ROW) {
        bool same_key = key[0] != NULL;
        for (int i = 0; i < w.nk && same_key; i++)
            same_key = same_value(key[i], sqlite3_column_value(ev, i));
        if (!same_key) {
            rc = walk_close(&w, NULL); /* the last version of a key stays open */
            for (int i = 0; i < w.nk; i++) {
                sqlite3_value_free(key[i]);
                key[i] = sqlite3_value_dup(sqlite3_column_value(ev, i));
            }
        }
        if (rc == 0) rc = walk_event(&w, ev, s->c->ignore_null_updates);
    }
    if (rc == 0 && step != SQLITE_DONE) rc = -1;
    if (rc == 0) rc = walk_close(&w, NULL);
    if (rc < 0 && err && !*err) *err = xstrdup(sqlite3_errmsg(db));
    m->upserts += w.written;
    walk_drop_open(&w);
    for (int i = 0; i < w.nk; i++) sqlite3_value_free(key[i]);
    free(key);
    free(w.tracked);
    sqlite3_finalize(ev);
    sqlite3_finalize(w.ins);
    sqlite3_finalize(w.mark);
    sb_free(&q);
    return rc;
}

static int apply_scd2(sqlite3 *db, const cdc_spec *s, cdc_metrics *m, char **err)
{
    strvec data = {0};
    for (size_t i = 0; i < s->cols.n; i++)
        if (strvec_find(&s->c->keys, s->cols.v[i]) < 0) VEC_PUSH(&data, xstrdup(s->cols.v[i]));
    /* every delete is kept: a late event before it must stay closed (a
     * delete replaces a merged upsert remembered at its sequence) */
    sb q = {0};
    sb_add(&q, "INSERT INTO ");
    sb_add_ident(&q, s->state);
    sb_addc(&q, '(');
    add_names(&q, &s->c->keys, NULL);
    sb_add(&q, ", __seq, __deleted) SELECT ");
    add_names(&q, &s->c->keys, NULL);
    sb_add(&q, ", __tarn_seq, 1 FROM " BATCH " WHERE __tarn_del ON CONFLICT(");
    add_names(&q, &s->c->keys, NULL);
    sb_add(&q, ", __seq) DO UPDATE SET __deleted = 1 WHERE NOT __deleted");
    int rc = exec_sb(db, &q, err);
    m->deletes += sqlite3_changes(db);
    sb_free(&q);
    if (rc == 0) rc = gather_events(db, s, &data, err);
    if (rc == 0) rc = rebuild_history(db, s, &data, m, err);
    strvec_free(&data);
    return rc;
}

int cdc_apply(sqlite3 *db, const cdc_spec *s, const char *source, int64_t lo, int64_t hi,
              atomic_int *cancel, cdc_metrics *m, char **err)
{
    memset(m, 0, sizeof(*m));
    drop_temps(db);
    int rc = load_batch(db, s, source, lo, hi, m, err);
    if (rc == 0 && cancel && atomic_load(cancel)) {
        if (err) *err = xstrdup("canceled");
        rc = -1;
    }
    if (rc == 0) rc = s->c->scd_type == 2 ? apply_scd2(db, s, m, err) : apply_scd1(db, s, m, err);
    drop_temps(db);
    return rc;
}

void cdc_spec_free(cdc_spec *s)
{
    free(s->flow);
    free(s->target);
    free(s->state);
    strvec_free(&s->source_cols);
    strvec_free(&s->cols);
    strvec_free(&s->tracked);
    free(s->seq);
    free(s->del);
    free(s->trunc);
    memset(s, 0, sizeof(*s));
}
