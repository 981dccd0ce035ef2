/*
 * ingest_schema.c - the schema of a read_files source (see ingest.h): what
 * the files' headers or keys name, what types a sample of their rows holds,
 * hints and full schemas, merging when new files bring new columns, and the
 * schema as JSON (how an established streaming schema is kept).
 */
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "ingest.h"
#include "jsonrd.h"

/* ======================= columns ======================= */

static int find_header(const ing_schema *s, const char *header)
{
    for (size_t i = 0; i < s->cols.n; i++)
        if (s->cols.v[i].header && !strcmp(s->cols.v[i].header, header)) return (int)i;
    for (size_t i = 0; i < s->cols.n; i++)
        if (s->cols.v[i].header && str_ieq(s->cols.v[i].header, header)) return (int)i;
    return -1;
}

/* The column of the nth (0-based) field named header (ignoring case) in a
 * CSV header: "a,a" names two columns. */
static int find_header_nth(const ing_schema *s, const char *header, int nth)
{
    for (size_t i = 0; i < s->cols.n; i++)
        if (s->cols.v[i].header && str_ieq(s->cols.v[i].header, header) && nth-- == 0)
            return (int)i;
    return -1;
}

/* How many of the first n names equal name (ignoring case). */
static int count_before(char *const *names, size_t n, const char *name)
{
    int k = 0;
    for (size_t i = 0; i < n; i++) k += names[i] && str_ieq(names[i], name);
    return k;
}

static int find_name(const ing_schema *s, const char *name)
{
    for (size_t i = 0; i < s->cols.n; i++)
        if (str_ieq(s->cols.v[i].name, name)) return (int)i;
    return -1;
}

/* Adds a column for header (NULL: positional, named _c<index>) with a
 * usable unique name; a note tells when the name differs from the header. */
static int add_column(ing_schema *s, const char *header, int index, strvec *notes)
{
    strvec taken = {0};
    /* the columns every source adds are taken too, and rowid, by which
     * STREAM() reads a table's new rows */
    VEC_PUSH(&taken, xstrdup("rowid"));
    VEC_PUSH(&taken, xstrdup(ING_RESCUED));
    VEC_PUSH(&taken, xstrdup(ING_FILE));
    VEC_PUSH(&taken, xstrdup(ING_LINE));
    for (size_t i = 0; i < s->cols.n; i++) VEC_PUSH(&taken, xstrdup(s->cols.v[i].name));
    const char *raw = header ? header : "";
    const char *name = inf_column_name(raw, strlen(raw), index, &taken);
    ing_column c = {xstrdup(name), header ? xstrdup(header) : NULL, INF_NULL};
    if (header && strcmp(name, header) && notes)
        VEC_PUSH(notes, xasprintf("column '%s' is read as %s", header, name));
    strvec_free(&taken);
    VEC_PUSH(&s->cols, c);
    return (int)s->cols.n - 1;
}

/* ======================= sampling ======================= */

static bool is_null(const ing_options *o, const char *v, size_t n, bool quoted)
{
    if (!n && !quoted) return true;
    return o->null_value && strlen(o->null_value) == n && !memcmp(o->null_value, v, n);
}

static int sample_csv(int fd, const ing_options *o, ing_schema *s, strvec *notes)
{
    csv_reader *r = csv_open(fd, NULL, 0, &o->csv);
    csv_record rec;
    int rc, skipped = 0;
    while (skipped < o->skip_rows && (rc = csv_next(r, &rec)) == 1) skipped++;
    intvec map = {0}; /* file field -> schema column */
    if (o->header && csv_next(r, &rec) == 1) {
        strvec seen = {0};
        for (size_t i = 0; i < rec.n; i++) {
            char *h = xstrndup(rec.text + rec.f[i].off, rec.f[i].len);
            int c = find_header_nth(s, h, count_before(seen.v, seen.n, h));
            if (c < 0) c = add_column(s, h, (int)i, notes);
            VEC_PUSH(&map, c);
            VEC_PUSH(&seen, h);
        }
        strvec_free(&seen);
    }
    for (int row = 0; row < o->sample_rows && (rc = csv_next(r, &rec)) == 1; row++) {
        for (size_t i = 0; i < rec.n; i++) {
            if (i >= map.n) {
                if (o->header) break; /* extra fields: rescued when read */
                int c = -1;         /* positional: the i-th column without header */
                for (size_t k = 0, seen = 0; k < s->cols.n && c < 0; k++)
                    if (!s->cols.v[k].header && seen++ == i) c = (int)k;
                VEC_PUSH(&map, c >= 0 ? c : add_column(s, NULL, (int)i, notes));
            }
            const char *v = rec.text + rec.f[i].off;
            if (is_null(o, v, rec.f[i].len, rec.f[i].quoted)) continue;
            inf_type t = inf_classify(v, rec.f[i].len);
            if (t == INF_NULL) t = INF_TEXT; /* a quoted "" is an empty string */
            ing_column *col = &s->cols.v[map.v[i]];
            col->type = inf_widen(col->type, t);
        }
    }
    VEC_FREE(&map);
    csv_close(r);
    return 0;
}

/* The type a JSON value suggests for its column. */
static inf_type json_type(const cJSON *v)
{
    if (cJSON_IsNull(v)) return INF_NULL;
    if (cJSON_IsBool(v)) return INF_BOOLEAN;
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        return d > -9e15 && d < 9e15 && d == (double)(int64_t)d ? INF_INTEGER : INF_REAL;
    }
    if (cJSON_IsString(v)) { /* strings stay text unless they are dates */
        inf_type t = inf_classify(v->valuestring, strlen(v->valuestring));
        return t == INF_DATE || t == INF_TIMESTAMP ? t : INF_TEXT;
    }
    return INF_TEXT; /* objects and arrays: kept as JSON text */
}

static int sample_json(int fd, const ing_options *o, ing_schema *s, strvec *notes)
{
    json_reader *r = jsr_open(fd, NULL, 0);
    jsr_record rec;
    for (int row = 0; row < o->sample_rows && jsr_next(r, &rec) == 1; row++) {
        if (rec.malformed) continue;
        cJSON *obj = cJSON_ParseWithLength(rec.text, rec.len);
        if (cJSON_IsObject(obj)) {
            int index = 0;
            for (const cJSON *kv = obj->child; kv; kv = kv->next, index++) {
                int c = find_header(s, kv->string);
                if (c < 0) c = add_column(s, kv->string, index, notes);
                s->cols.v[c].type = inf_widen(s->cols.v[c].type, json_type(kv));
            }
        }
        cJSON_Delete(obj);
    }
    jsr_close(r);
    return 0;
}

/* ======================= hints and full schemas ======================= */

static int apply_hints(ing_schema *s, const char *hints, bool full, char **err)
{
    strvec names = {0};
    intvec types = {0};
    if (inf_parse_hints(hints, &names, &types, err) < 0) return -1;
    if (full) { /* the files' columns are these, in this order */
        ing_schema given = {0};
        for (size_t i = 0; i < names.n; i++) {
            int c = find_header(s, names.v[i]);
            bool positional = c < 0 && (s->cols.n == 0 || !s->cols.v[0].header);
            ing_column col = {xstrdup(names.v[i]), positional ? NULL : xstrdup(names.v[i]),
                              (inf_type)types.v[i]};
            VEC_PUSH(&given.cols, col);
        }
        ing_schema_free(s);
        *s = given;
    } else {
        for (size_t i = 0; i < names.n; i++) {
            int c = find_name(s, names.v[i]);
            if (c < 0) c = find_header(s, names.v[i]);
            if (c < 0) c = add_column(s, names.v[i], (int)s->cols.n, NULL);
            s->cols.v[c].type = (inf_type)types.v[i];
        }
    }
    strvec_free(&names);
    VEC_FREE(&types);
    return 0;
}

int ing_infer(const char *dir, const ing_options *o, const strvec *files, ing_schema *out,
              strvec *notes, char **err)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < files->n; i++) {
        char *path = fs_join(dir, files->v[i]);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        free(path);
        if (fd < 0) continue; /* gone since it was listed: nothing to learn */
        if (o->format == ING_JSON) sample_json(fd, o, out, notes);
        else sample_csv(fd, o, out, notes);
        close(fd);
    }
    for (size_t i = 0; i < out->cols.n; i++) {
        ing_column *c = &out->cols.v[i];
        if (c->type == INF_NULL || !o->infer_types) c->type = INF_TEXT;
    }
    if (o->schema && apply_hints(out, o->schema, true, err) < 0) return -1;
    if (o->schema_hints && apply_hints(out, o->schema_hints, false, err) < 0) return -1;
    return 0;
}

/* ======================= merging, copying, JSON ======================= */

int ing_schema_merge(ing_schema *base, const ing_schema *more)
{
    int added = 0;
    for (size_t i = 0; i < more->cols.n; i++) {
        const ing_column *m = &more->cols.v[i];
        int nth = 0; /* a header named twice is two columns */
        for (size_t k = 0; m->header && k < i; k++)
            nth += more->cols.v[k].header && str_ieq(more->cols.v[k].header, m->header);
        int c = m->header ? find_header_nth(base, m->header, nth) : find_name(base, m->name);
        if (c >= 0) continue;
        ing_column col = {xstrdup(m->name), m->header ? xstrdup(m->header) : NULL, m->type};
        if (find_name(base, col.name) >= 0) { /* the name is taken by another header */
            free(col.name);
            strvec taken = {0};
            for (size_t k = 0; k < base->cols.n; k++) VEC_PUSH(&taken, xstrdup(base->cols.v[k].name));
            col.name = xstrdup(inf_column_name(m->name, strlen(m->name), (int)i, &taken));
            strvec_free(&taken);
        }
        VEC_PUSH(&base->cols, col);
        added++;
    }
    return added;
}

void ing_schema_copy(ing_schema *dst, const ing_schema *src)
{
    memset(dst, 0, sizeof(*dst));
    for (size_t i = 0; i < src->cols.n; i++) {
        const ing_column *c = &src->cols.v[i];
        ing_column col = {xstrdup(c->name), c->header ? xstrdup(c->header) : NULL, c->type};
        VEC_PUSH(&dst->cols, col);
    }
}

char *ing_schema_json(const ing_schema *s)
{
    sb b = {0};
    sb_addc(&b, '[');
    for (size_t i = 0; i < s->cols.n; i++) {
        const ing_column *c = &s->cols.v[i];
        sb_add(&b, i ? ", {\"name\": " : "{\"name\": ");
        sb_add_jsonstr(&b, c->name);
        sb_add(&b, ", \"header\": ");
        if (c->header) sb_add_jsonstr(&b, c->header);
        else sb_add(&b, "null");
        sb_addf(&b, ", \"type\": \"%s\"}", inf_type_name(c->type));
    }
    sb_addc(&b, ']');
    return sb_take(&b);
}

int ing_schema_from_json(const char *json, ing_schema *out)
{
    memset(out, 0, sizeof(*out));
    cJSON *root = cJSON_Parse(json);
    if (!cJSON_IsArray(root)) {
        cJSON_Delete(root);
        return -1;
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, root) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "name");
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(c, "header");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(c, "type");
        if (!cJSON_IsString(n) || !cJSON_IsString(t)) continue;
        int type = inf_type_parse(t->valuestring, strlen(t->valuestring));
        ing_column col = {xstrdup(n->valuestring),
                          cJSON_IsString(h) ? xstrdup(h->valuestring) : NULL,
                          type < 0 ? INF_TEXT : (inf_type)type};
        VEC_PUSH(&out->cols, col);
    }
    cJSON_Delete(root);
    return 0;
}

void ing_schema_free(ing_schema *s)
{
    for (size_t i = 0; i < s->cols.n; i++) {
        free(s->cols.v[i].name);
        free(s->cols.v[i].header);
    }
    VEC_FREE(&s->cols);
}
