/*
 * ingest_read.c - reading a read_files source's files into rows (see
 * ingest.h): a producer thread parses and types the rows into batches while
 * SQLite, on the caller's thread, inserts the previous batch. Three batches
 * circulate, so memory is bounded whatever the size of the files.
 *
 * Nothing is lost: a value that does not fit its column's type, a field
 * beyond the known columns, or a malformed record goes, with its original
 * text, into the row's _rescued_data JSON (mode PERMISSIVE), or drops the row
 * (DROPMALFORMED, counted), or stops the read with file:line (FAILFAST).
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "ingest_int.h"
#include "jsonrd.h"

#define BATCH_ROWS 4096
#define NBATCH 3

typedef struct batch {
    int rows;
    ing_val *vals;       /* BATCH_ROWS * ncols */
    sb text;             /* text arena */
} batch;

struct ing_reader {
    ing_source *src;
    int ncols;           /* schema columns + rescued + file + line */
    batch b[NBATCH];
    int full[NBATCH];    /* 1: filled, waiting for the consumer */
    int prod, cons;      /* batch indices of producer and consumer */
    int cons_row;
    bool done, stop, started_consuming;
    bool holding;        /* the consumer has a full batch (consumer side only) */
    char *error;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* producer's per-row scratch */
    sb resc;
    strmap headers;      /* JSON: key -> schema column */
};

/* ======================= producer: rows ======================= */

static void resc_add(ing_reader *r, const char *key, const char *val, size_t n)
{
    sb *b = &r->resc;
    sb_add(b, b->len ? ", " : "{");
    sb_add_jsonstr(b, key);
    sb_add(b, ": ");
    /* the original text, invalid UTF-8 bytes kept as \u00XX */
    sb_addc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)val[i];
        if (c == '"' || c == '\\') {
            sb_addc(b, '\\');
            sb_addc(b, (char)c);
        } else if (c < 0x20) {
            sb_addf(b, "\\u%04x", c);
        } else if (c >= 0x80 && !inf_utf8_valid(val + i, 1)) {
            size_t k = i;
            while (k < n && (unsigned char)val[k] >= 0x80) k++;
            if (inf_utf8_valid(val + i, k - i)) {
                sb_addn(b, val + i, k - i);
            } else {
                for (size_t j = i; j < k; j++) sb_addf(b, "\\u%04x", (unsigned char)val[j]);
            }
            i = k - 1;
        } else {
            sb_addc(b, (char)c);
        }
    }
    sb_addc(b, '"');
}

/* Waits for a free batch for the producer; false when asked to stop. */
static bool producer_batch(ing_reader *r, batch **out)
{
    pthread_mutex_lock(&r->mu);
    while (r->full[r->prod] && !r->stop) pthread_cond_wait(&r->cv, &r->mu);
    bool go = !r->stop;
    pthread_mutex_unlock(&r->mu);
    *out = &r->b[r->prod];
    return go;
}

static void publish(ing_reader *r)
{
    batch *b = &r->b[r->prod];
    if (!b->rows) return;
    pthread_mutex_lock(&r->mu);
    r->full[r->prod] = 1;
    r->prod = (r->prod + 1) % NBATCH;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

/* The next row slot (all NULL), or NULL when asked to stop. */
static ing_val *new_row(ing_reader *r)
{
    batch *b;
    if (!producer_batch(r, &b)) return NULL;
    if (b->rows == BATCH_ROWS) {
        publish(r);
        if (!producer_batch(r, &b)) return NULL;
    }
    if (b->rows == 0) sb_clear(&b->text);
    ing_val *row = b->vals + (size_t)b->rows * (size_t)r->ncols;
    for (int i = 0; i < r->ncols; i++) row[i].kind = SQLITE_NULL;
    sb_clear(&r->resc);
    return row;
}

static void set_text(ing_reader *r, ing_val *v, const char *s, size_t n)
{
    batch *b = &r->b[r->prod];
    v->kind = SQLITE_TEXT;
    v->u.off = b->text.len;
    v->len = (uint32_t)n;
    sb_addn(&b->text, s, n);
}

/* Text with invalid UTF-8 bytes replaced by U+FFFD. */
static void set_text_repaired(ing_reader *r, ing_val *v, const char *s, size_t n)
{
    batch *b = &r->b[r->prod];
    v->kind = SQLITE_TEXT;
    v->u.off = b->text.len;
    size_t i = 0;
    while (i < n) {
        size_t k = i;
        while (k < n && inf_utf8_valid(s + k, 1)) k++; /* ASCII run */
        size_t j = k;
        while (j < n && (unsigned char)s[j] >= 0x80) j++;
        sb_addn(&b->text, s + i, k - i);
        if (j > k) {
            if (inf_utf8_valid(s + k, j - k)) sb_addn(&b->text, s + k, j - k);
            else sb_add(&b->text, "\xEF\xBF\xBD");
        }
        i = j > k ? j : k;
    }
    v->len = (uint32_t)(b->text.len - v->u.off);
}

/* Types text s[0..n) into v for column c; what does not fit is rescued. */
static void put_value(ing_reader *r, ing_val *v, int c, const char *s, size_t n)
{
    const ing_column *col = &r->src->schema.cols.v[c];
    inf_value iv;
    if (!inf_convert(col->type, s, n, &iv)) {
        resc_add(r, col->header ? col->header : col->name, s, n);
        return;
    }
    if (iv.kind == SQLITE_INTEGER) {
        v->kind = SQLITE_INTEGER;
        v->u.i = iv.i;
    } else if (iv.kind == SQLITE_FLOAT) {
        v->kind = SQLITE_FLOAT;
        v->u.d = iv.d;
    } else if (inf_utf8_valid(s, n)) {
        set_text(r, v, s, n);
    } else {
        resc_add(r, col->header ? col->header : col->name, s, n);
        set_text_repaired(r, v, s, n);
    }
}

/* Finishes the row: the rescued data, the mode's decision, file and line.
 * Returns -1 to stop (FAILFAST). */
static int end_row(ing_reader *r, ing_val *row, int file, int64_t line, const char *why)
{
    int nschema = r->ncols - 3;
    batch *b = &r->b[r->prod];
    if (r->resc.len) {
        const ing_options *o = &r->src->opts;
        if (o->mode == ING_FAILFAST) {
            r->error = xasprintf("%s:%lld: %s (mode FAILFAST): %s}", r->src->files.v[file].path,
                                 (long long)line, why ? why : "a value does not fit its column",
                                 sb_str(&r->resc));
            return -1;
        }
        if (o->mode == ING_DROPMALFORMED) {
            atomic_fetch_add(&r->src->rows_dropped, 1);
            return 0;
        }
        sb_addc(&r->resc, '}');
        set_text(r, &row[nschema], r->resc.s, r->resc.len);
    }
    row[nschema + 1].kind = ING_FILE_REF;
    row[nschema + 1].u.i = file;
    row[nschema + 2].kind = SQLITE_INTEGER;
    row[nschema + 2].u.i = line;
    b->rows++;
    r->src->files.v[file].rows++;
    return 0;
}

/* After a file's last record (got: the reader's last answer, 0 at the end):
 * a read error stops the source; a file read to its end is marked read, with
 * its content hash. Returns the reading's status. */
static int end_file(ing_reader *r, int file, int got, int rc, uint64_t hash, int64_t bytes)
{
    if (got < 0 && rc == 0) {
        r->error = xasprintf("cannot read %s: %s", r->src->files.v[file].path, strerror(errno));
        rc = -1;
    }
    if (rc == 0 && got == 0) {
        r->src->files.v[file].read = true;
        r->src->files.v[file].hash = hash;
    }
    atomic_store(&r->src->bytes_read, bytes);
    return rc;
}

/* ======================= producer: CSV ======================= */

/* Maps the file's fields to schema columns (-1: not in the schema). */
static void csv_map(ing_reader *r, const csv_record *hdr, intvec *map, strvec *names)
{
    const ing_schema *s = &r->src->schema;
    if (hdr) {
        for (size_t i = 0; i < hdr->n; i++) {
            char *h = xstrndup(hdr->text + hdr->f[i].off, hdr->f[i].len);
            int nth = 0; /* a name given twice is two columns (as ing_infer made them) */
            for (size_t k = 0; k < names->n; k++) nth += str_ieq(names->v[k], h);
            int c = -1;
            for (size_t k = 0; k < s->cols.n && c < 0; k++)
                if (s->cols.v[k].header && str_ieq(s->cols.v[k].header, h) && nth-- == 0)
                    c = (int)k;
            VEC_PUSH(map, c);
            VEC_PUSH(names, h);
        }
        return;
    }
    for (size_t k = 0; k < s->cols.n; k++)
        if (!s->cols.v[k].header) VEC_PUSH(map, (int)k);
}

static bool is_null(const ing_options *o, const char *v, size_t n, bool quoted)
{
    if (!n && !quoted) return true;
    return o->null_value && strlen(o->null_value) == n && !memcmp(o->null_value, v, n);
}

static int read_csv(ing_reader *r, int file, int fd, int64_t base)
{
    const ing_options *o = &r->src->opts;
    csv_reader *cr = csv_open(fd, NULL, 0, &o->csv);
    csv_record rec;
    intvec map = {0};
    strvec names = {0};
    int rc = 0, got;
    for (int i = 0; i < o->skip_rows && (got = csv_next(cr, &rec)) == 1; i++) {
    }
    if (o->header) {
        got = csv_next(cr, &rec);
        csv_map(r, got == 1 ? &rec : NULL, &map, &names);
    } else {
        csv_map(r, NULL, &map, &names);
    }
    int64_t n = 0;
    while (rc == 0 && (got = csv_next(cr, &rec)) == 1) {
        ing_val *row = new_row(r);
        if (!row) break;
        if (rec.malformed) resc_add(r, "_malformed", rec.why, strlen(rec.why));
        for (size_t i = 0; i < rec.n; i++) {
            const char *v = rec.text + rec.f[i].off;
            size_t len = rec.f[i].len;
            int c = i < map.n ? map.v[i] : -1;
            if (c < 0) { /* a field beyond the known columns */
                char key[32];
                const char *k = i < names.n ? names.v[i] : NULL;
                if (!k) {
                    snprintf(key, sizeof key, "_c%zu", i);
                    k = key;
                }
                if (len || rec.f[i].quoted) resc_add(r, k, v, len);
                continue;
            }
            if (is_null(o, v, len, rec.f[i].quoted)) continue;
            put_value(r, &row[c], c, v, len);
        }
        rc = end_row(r, row, file, rec.line, rec.malformed ? rec.why : NULL);
        if (++n % 1024 == 0) atomic_store(&r->src->bytes_read, base + csv_offset(cr));
    }
    rc = end_file(r, file, got, rc, csv_hash(cr), base + csv_offset(cr));
    VEC_FREE(&map);
    strvec_free(&names);
    csv_close(cr);
    return rc;
}

/* ======================= producer: JSON ======================= */

static void put_json(ing_reader *r, ing_val *v, int c, const cJSON *x)
{
    const ing_column *col = &r->src->schema.cols.v[c];
    if (cJSON_IsNull(x)) return;
    if (cJSON_IsString(x)) {
        if (col->type == INF_TEXT) {
            size_t n = strlen(x->valuestring);
            if (inf_utf8_valid(x->valuestring, n)) set_text(r, v, x->valuestring, n);
            else put_value(r, v, c, x->valuestring, n);
        } else {
            put_value(r, v, c, x->valuestring, strlen(x->valuestring));
        }
        return;
    }
    if (cJSON_IsBool(x) && (col->type == INF_BOOLEAN || col->type == INF_INTEGER)) {
        v->kind = SQLITE_INTEGER;
        v->u.i = cJSON_IsTrue(x);
        return;
    }
    char *text = cJSON_PrintUnformatted(x); /* numbers, booleans, objects, arrays */
    if (cJSON_IsNumber(x) && col->type == INF_REAL) {
        v->kind = SQLITE_FLOAT;
        v->u.d = x->valuedouble;
    } else if (col->type == INF_TEXT) {
        set_text(r, v, text, strlen(text));
    } else {
        put_value(r, v, c, text, strlen(text));
    }
    free(text);
}

static int json_column(ing_reader *r, const char *key)
{
    int c = strmap_get(&r->headers, key, -2);
    if (c != -2) return c;
    const ing_schema *s = &r->src->schema;
    c = -1;
    for (size_t k = 0; k < s->cols.n && c < 0; k++)
        if (s->cols.v[k].header && str_ieq(s->cols.v[k].header, key)) c = (int)k;
    strmap_put(&r->headers, key, c);
    return c;
}

/* The record as one JSON value, or NULL when it is not valid JSON or has
 * more than white space after its value ({"a":1} {"b":2} on one line would
 * else lose the second object without a word). */
static cJSON *parse_whole(const char *text, size_t len)
{
    const char *end = NULL;
    cJSON *x = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (!x) return NULL;
    while (end && end < text + len && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
        end++;
    if (end != text + len) {
        cJSON_Delete(x);
        return NULL;
    }
    return x;
}

static int read_json(ing_reader *r, int file, int fd, int64_t base)
{
    json_reader *jr = jsr_open(fd, NULL, 0);
    jsr_record rec;
    int rc = 0, got;
    int64_t n = 0;
    while (rc == 0 && (got = jsr_next(jr, &rec)) == 1) {
        ing_val *row = new_row(r);
        if (!row) break;
        cJSON *obj = rec.malformed ? NULL : parse_whole(rec.text, rec.len);
        const char *why = rec.malformed ? rec.why : !obj ? "invalid JSON"
                          : !cJSON_IsObject(obj) ? "not a JSON object" : NULL;
        if (why) {
            resc_add(r, "_malformed", why, strlen(why));
            resc_add(r, "_record", rec.text, rec.len);
        } else {
            for (const cJSON *kv = obj->child; kv; kv = kv->next) {
                int c = json_column(r, kv->string);
                if (c >= 0 && row[c].kind == SQLITE_NULL) {
                    put_json(r, &row[c], c, kv);
                } else { /* not a column, or a key met again ("a" then "A") */
                    char *text = cJSON_PrintUnformatted(kv);
                    if (cJSON_IsString(kv)) resc_add(r, kv->string, kv->valuestring,
                                                     strlen(kv->valuestring));
                    else resc_add(r, kv->string, text, strlen(text));
                    free(text);
                }
            }
        }
        cJSON_Delete(obj);
        rc = end_row(r, row, file, rec.line, why);
        if (++n % 1024 == 0) atomic_store(&r->src->bytes_read, base + jsr_offset(jr));
    }
    rc = end_file(r, file, got, rc, jsr_hash(jr), base + jsr_offset(jr));
    jsr_close(jr);
    return rc;
}

/* ======================= producer thread ======================= */

static void *produce(void *arg)
{
    ing_reader *r = arg;
    ing_source *src = r->src;
    int64_t base = 0;
    for (size_t i = 0; i < src->files.n && !r->error; i++) {
        pthread_mutex_lock(&r->mu);
        bool stop = r->stop;
        pthread_mutex_unlock(&r->mu);
        if (stop) break;
        ing_file *f = &src->files.v[i];
        char *path = fs_join(src->dir, f->path);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        free(path);
        if (fd < 0) {
            if (errno == ENOENT) f->missing = true;
            else r->error = xasprintf("cannot open %s: %s", f->path, strerror(errno));
            continue;
        }
        strmap_free(&r->headers);
        if (src->opts.format == ING_JSON) read_json(r, (int)i, fd, base);
        else read_csv(r, (int)i, fd, base);
        close(fd);
        base += f->size;
    }
    publish(r);
    pthread_mutex_lock(&r->mu);
    r->done = true;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

ing_reader *ing_reader_start(ing_source *src)
{
    ing_reader *r = xcalloc(1, sizeof(*r));
    r->src = src;
    r->ncols = (int)src->schema.cols.n + 3;
    for (int i = 0; i < NBATCH; i++)
        r->b[i].vals = xmalloc((size_t)BATCH_ROWS * (size_t)r->ncols * sizeof(ing_val));
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    for (size_t i = 0; i < src->files.n; i++) {
        src->files.v[i].rows = 0;
        src->files.v[i].read = src->files.v[i].missing = false;
    }
    atomic_store(&src->bytes_read, 0);
    pthread_create(&r->th, NULL, produce, r);
    return r;
}

/* ======================= consumer ======================= */

int ing_reader_next(ing_reader *r, const ing_val **row, const char **text)
{
    /* Within a batch the consumer holds (its rows were published under the
     * mutex, and the producer does not touch a full batch), no lock is needed:
     * only handing a batch back and taking the next one are. */
    if (r->holding) {
        batch *b = &r->b[r->cons];
        if (r->cons_row + 1 < b->rows) {
            r->cons_row++;
            *row = b->vals + (size_t)r->cons_row * (size_t)r->ncols;
            *text = sb_str(&b->text);
            return 1;
        }
    }
    pthread_mutex_lock(&r->mu);
    if (r->started_consuming) {
        batch *b = &r->b[r->cons];
        if (++r->cons_row >= b->rows) { /* hand the batch back */
            b->rows = 0;
            r->full[r->cons] = 0;
            r->cons = (r->cons + 1) % NBATCH;
            r->cons_row = 0;
            pthread_cond_broadcast(&r->cv);
        }
    }
    r->started_consuming = true;
    while (!r->full[r->cons] && !r->done) pthread_cond_wait(&r->cv, &r->mu);
    int rc;
    if (r->full[r->cons]) {
        batch *b = &r->b[r->cons];
        *row = b->vals + (size_t)r->cons_row * (size_t)r->ncols;
        *text = sb_str(&b->text);
        r->holding = true;
        rc = 1;
    } else {
        r->holding = false;
        rc = r->error ? -1 : 0;
    }
    pthread_mutex_unlock(&r->mu);
    return rc;
}

const char *ing_reader_error(const ing_reader *r)
{
    return r->error;
}

void ing_reader_stop(ing_reader *r)
{
    if (!r) return;
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->th, NULL);
    for (int i = 0; i < NBATCH; i++) {
        free(r->b[i].vals);
        sb_free(&r->b[i].text);
    }
    sb_free(&r->resc);
    strmap_free(&r->headers);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r->error);
    free(r);
}

/* ======================= sources and listing ======================= */

static void copy_options(ing_options *dst, const ing_options *src)
{
    *dst = *src;
    dst->glob = src->glob ? xstrdup(src->glob) : NULL;
    dst->null_value = src->null_value ? xstrdup(src->null_value) : NULL;
    dst->schema_hints = src->schema_hints ? xstrdup(src->schema_hints) : NULL;
    dst->schema = src->schema ? xstrdup(src->schema) : NULL;
}

static void stat_file(const char *dir, ing_file *f)
{
    char *path = fs_join(dir, f->path);
    struct stat st;
    if (stat(path, &st) == 0) {
        f->size = st.st_size;
        f->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
    }
    free(path);
}

ing_source *ing_source_new(const char *dir, const ing_options *o, const strvec *files,
                           const ing_schema *schema)
{
    ing_source *s = xcalloc(1, sizeof(*s));
    s->dir = xstrdup(dir);
    copy_options(&s->opts, o);
    ing_schema_copy(&s->schema, schema);
    for (size_t i = 0; i < files->n; i++) {
        ing_file f = {0};
        f.path = xstrdup(files->v[i]);
        stat_file(dir, &f);
        s->bytes_total += f.size;
        VEC_PUSH(&s->files, f);
    }
    atomic_init(&s->bytes_read, 0);
    atomic_init(&s->rows_dropped, 0);
    return s;
}

void ing_files_free(ing_filevec *files)
{
    for (size_t i = 0; i < files->n; i++) free(files->v[i].path);
    VEC_FREE(files);
}

void ing_source_free(ing_source *s)
{
    if (!s) return;
    free(s->dir);
    ing_options_free(&s->opts);
    ing_schema_free(&s->schema);
    ing_files_free(&s->files);
    free(s);
}

int ing_list(const char *dir, const ing_options *o, ing_filevec *out, char **err)
{
    strvec names = {0};
    if (fs_glob(dir, o->glob, &names, err) < 0) return -1;
    for (size_t i = 0; i < names.n; i++) {
        ing_file f = {0};
        f.path = names.v[i];
        names.v[i] = NULL;
        stat_file(dir, &f);
        VEC_PUSH(out, f);
    }
    strvec_free(&names);
    return 0;
}
