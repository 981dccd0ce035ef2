/*
 * manifest.c - the project manifest tarn.json (see manifest.h).
 *
 * The document is parsed with cJSON and kept whole in m->root; the typed
 * fields are a view computed from it. cJSON reports neither why nor exactly
 * where a document is malformed, and its tree has no positions, so this file
 * carries two small scanners over the text: a checker that finds the first
 * syntax error and names it, and a locator that finds where the n-th member
 * of an object (or item of an array) starts, for problems with line:col.
 */
#include "manifest.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"

#define NO_POS SIZE_MAX

/* cJSON returns NULL or false when it runs out of memory; tarn treats that as
 * fatal, like the x* allocators. */
static cJSON *must(cJSON *item)
{
    if (!item) abort();
    return item;
}

static void must_add(cJSON_bool ok)
{
    if (!ok) abort();
}

/* cJSON's whitespace: every byte up to and including ' '. */
static size_t skip_ws(const char *t, size_t i)
{
    while (t[i] && (unsigned char)t[i] <= 32) i++;
    return i;
}

/* Offset of the first value: after a UTF-8 byte order mark and whitespace. */
static size_t doc_start(const char *t)
{
    return skip_ws(t, strncmp(t, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0);
}

/* ================================================================ syntax errors */

/* A recursive-descent checker with cJSON's grammar (including what cJSON
 * tolerates: control characters in strings, "01", "1."), run only after cJSON
 * rejected the text, to find the first error's offset and a reason. */
typedef struct jcheck {
    const char *t;
    int depth;
    size_t err;    /* offset of the problem */
    char why[96];  /* the reason, for "malformed JSON: <why>" */
} jcheck;

static bool jc_fail(jcheck *c, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool jc_fail(jcheck *c, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
    c->err = off;
    return false;
}

/* Names what stands at offset i when something else was expected there. */
static bool jc_unexpected(jcheck *c, size_t i)
{
    const char *t = c->t;
    unsigned char ch = (unsigned char)t[i];
    if (!ch) return jc_fail(c, i, "unexpected end of file");
    if (ch == '\'') return jc_fail(c, i, "strings must be in double quotes, not single quotes");
    if (ch == '/' && (t[i + 1] == '/' || t[i + 1] == '*'))
        return jc_fail(c, i, "comments are not allowed in JSON");
    if (isalpha(ch) || ch == '_') {
        size_t n = 0;
        while (isalnum((unsigned char)t[i + n]) || t[i + n] == '_') n++;
        if (n > 1) {
            int w = n > 24 ? 24 : (int)n;
            return jc_fail(c, i, "unexpected word '%.*s'%s", w, t + i, n > 24 ? "..." : "");
        }
    }
    if (ch >= 0x20 && ch < 0x7f) return jc_fail(c, i, "unexpected character '%c'", ch);
    return jc_fail(c, i, "unexpected byte 0x%02x", ch);
}

static int hex4(const char *s)
{
    int v = 0;
    for (int k = 0; k < 4; k++) {
        int ch = (unsigned char)s[k];
        if (!isxdigit(ch)) return -1;
        v = v * 16 + (isdigit(ch) ? ch - '0' : tolower(ch) - 'a' + 10);
    }
    return v;
}

/* A string starting at *pi (on the opening quote). */
static bool jc_string(jcheck *c, size_t *pi)
{
    const char *t = c->t;
    size_t start = *pi, i = start + 1;
    for (;;) {
        char ch = t[i];
        if (!ch) return jc_fail(c, start, "unterminated string");
        if (ch == '"') break;
        if (ch != '\\') {
            i++;
            continue;
        }
        char e = t[i + 1];
        if (!e) return jc_fail(c, start, "unterminated string");
        if (strchr("\"\\/bfnrt", e)) {
            i += 2;
            continue;
        }
        if (e != 'u') return jc_fail(c, i, "invalid escape '\\%c' in string", e);
        int u = hex4(t + i + 2);
        if (u < 0) return jc_fail(c, i, "invalid \\u escape: expected 4 hex digits");
        /* A UTF-16 surrogate must come as a high-low pair. */
        if (u >= 0xDC00 && u <= 0xDFFF)
            return jc_fail(c, i, "invalid \\u escape: unpaired surrogate");
        if (u >= 0xD800 && u <= 0xDBFF) {
            int lo = t[i + 6] == '\\' && t[i + 7] == 'u' ? hex4(t + i + 8) : -1;
            if (lo < 0xDC00 || lo > 0xDFFF)
                return jc_fail(c, i, "invalid \\u escape: unpaired surrogate");
            i += 6;
        }
        i += 6;
    }
    *pi = i + 1;
    return true;
}

/* A number at *pi: what strtod accepts of the run of [0-9+-.eE] that cJSON
 * hands it. */
static bool jc_number(jcheck *c, size_t *pi)
{
    const char *t = c->t;
    size_t i = *pi, digits = 0;
    if (t[i] == '-') i++;
    while (isdigit((unsigned char)t[i])) i++, digits++;
    if (t[i] == '.') {
        i++;
        while (isdigit((unsigned char)t[i])) i++, digits++;
    }
    if (!digits) return jc_fail(c, *pi, "invalid number");
    if (t[i] == 'e' || t[i] == 'E') {
        size_t j = i + 1;
        if (t[j] == '+' || t[j] == '-') j++;
        if (isdigit((unsigned char)t[j])) {
            while (isdigit((unsigned char)t[j])) j++;
            i = j;
        }
    }
    *pi = i;
    return true;
}

static bool jc_value(jcheck *c, size_t *pi);

/* An object or array starting at *pi; close is '}' or ']'. */
static bool jc_container(jcheck *c, size_t *pi, char close)
{
    const char *t = c->t;
    bool obj = close == '}';
    if (c->depth >= CJSON_NESTING_LIMIT) return jc_fail(c, *pi, "nesting is too deep");
    c->depth++;
    size_t i = skip_ws(t, *pi + 1), comma = NO_POS;
    if (t[i] == close) {
        *pi = i + 1;
        c->depth--;
        return true;
    }
    for (;;) {
        i = skip_ws(t, i);
        if (t[i] == close && comma != NO_POS) return jc_fail(c, comma, "trailing comma");
        if (obj) {
            if (t[i] != '"') {
                if (isalpha((unsigned char)t[i]) || t[i] == '_')
                    return jc_fail(c, i, "object keys must be strings in double quotes");
                return jc_unexpected(c, i);
            }
            if (!jc_string(c, &i)) return false;
            i = skip_ws(t, i);
            if (t[i] != ':') {
                if (!t[i]) return jc_unexpected(c, i);
                return jc_fail(c, i, "expected ':' after key");
            }
            i++;
        }
        if (!jc_value(c, &i)) return false;
        i = skip_ws(t, i);
        if (t[i] == ',') {
            comma = i++;
            continue;
        }
        if (t[i] == close) break;
        if (!t[i]) return jc_unexpected(c, i);
        if (obj && t[i] == '"') return jc_fail(c, i, "missing ',' between members");
        if (!obj && strchr("\"{[-0123456789tfn", t[i]))
            return jc_fail(c, i, "missing ',' between items");
        return jc_fail(c, i, "expected ',' or '%c'", close);
    }
    *pi = i + 1;
    c->depth--;
    return true;
}

static bool jc_value(jcheck *c, size_t *pi)
{
    const char *t = c->t;
    size_t i = skip_ws(t, *pi);
    *pi = i;
    switch (t[i]) {
    case '{': return jc_container(c, pi, '}');
    case '[': return jc_container(c, pi, ']');
    case '"': return jc_string(c, pi);
    case 't':
    case 'f':
    case 'n': {
        static const char *const lits[] = {"true", "false", "null"};
        for (size_t k = 0; k < ARRAY_LEN(lits); k++) {
            size_t n = strlen(lits[k]);
            if (strncmp(t + i, lits[k], n) == 0) {
                *pi = i + n;
                return true;
            }
        }
        return jc_unexpected(c, i);
    }
    default:
        if (t[i] == '-' || isdigit((unsigned char)t[i])) return jc_number(c, pi);
        return jc_unexpected(c, i);
    }
}

/* Finds why text is not JSON. stop is where cJSON gave up, used when the
 * checker (which should always find a problem) does not. */
static size_t json_problem(const char *text, size_t stop, char *why, size_t whylen)
{
    jcheck c = {.t = text};
    size_t i = doc_start(text);
    if (!text[i]) {
        snprintf(why, whylen, "the file is empty");
        return i;
    }
    if (jc_value(&c, &i)) {
        size_t n = strlen(text);
        jc_unexpected(&c, stop < n ? stop : n);
    }
    snprintf(why, whylen, "%s", c.why);
    return c.err;
}

/* ================================================================ positions */

/* These walk text that cJSON accepted, so they may trust its shape; they
 * still stop at the terminating NUL and say NO_POS rather than overrun. */

/* Offset just past the string whose opening quote is at i. */
static size_t str_end(const char *t, size_t i)
{
    for (i++; t[i] && t[i] != '"'; i++)
        if (t[i] == '\\' && t[i + 1]) i++;
    return t[i] ? i + 1 : i;
}

/* Offset just past the value starting at i. */
static size_t value_end(const char *t, size_t i)
{
    if (t[i] == '"') return str_end(t, i);
    if (t[i] == '{' || t[i] == '[') {
        int depth = 0;
        while (t[i]) {
            if (t[i] == '"') {
                i = str_end(t, i);
                continue;
            }
            if (t[i] == '{' || t[i] == '[') depth++;
            if ((t[i] == '}' || t[i] == ']') && --depth == 0) return i + 1;
            i++;
        }
        return i;
    }
    while ((unsigned char)t[i] > 32 && !strchr(",]}", t[i])) i++;
    return i;
}

/* Offset of the idx-th (0-based) element of the object or array at off: for
 * an object the opening quote of its key, for an array the item. NO_POS when
 * off is NO_POS or there is no such element. */
static size_t element_at(const char *t, size_t off, int idx)
{
    if (off == NO_POS || (t[off] != '{' && t[off] != '[')) return NO_POS;
    bool obj = t[off] == '{';
    size_t i = skip_ws(t, off + 1);
    for (int k = 0; t[i] && t[i] != '}' && t[i] != ']'; k++) {
        size_t start = i;
        if (obj) {
            if (t[i] != '"') return NO_POS;
            i = skip_ws(t, str_end(t, i));
            if (t[i] != ':') return NO_POS;
            i = skip_ws(t, i + 1);
        }
        if (k == idx) return start;
        i = skip_ws(t, value_end(t, i));
        if (t[i] != ',') return NO_POS;
        i = skip_ws(t, i + 1);
    }
    return NO_POS;
}

/* Offset of the value of the object member whose key starts at key. */
static size_t member_value(const char *t, size_t key)
{
    if (key == NO_POS) return NO_POS;
    size_t i = skip_ws(t, str_end(t, key));
    return t[i] == ':' ? skip_ws(t, i + 1) : NO_POS;
}

/* ================================================================ the typed view */

/* Where problems go while a document is checked. text is NULL for documents
 * not parsed from text (man_init, man_set_config): nothing is reported then. */
typedef struct check {
    const char *text;
    const char *file;
    diag_list *diags;
} check;

static void problem(check *c, diag_level level, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(check *c, diag_level level, size_t off, const char *fmt, ...)
{
    if (!c->text) return;
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    if (off == NO_POS) diag_add(c->diags, level, c->file, 0, 0, "%s", msg);
    else diag_at(c->diags, level, c->file, c->text, off, "%s", msg);
    free(msg);
}

/* A scalar as configuration text: strings as they are, numbers and booleans
 * as cJSON prints them (10 -> "10", 2.5 -> "2.5", true -> "true"). NULL for
 * any other type. */
static char *render_scalar(const cJSON *v)
{
    if (cJSON_IsString(v)) return xstrdup(v->valuestring);
    if (!cJSON_IsNumber(v) && !cJSON_IsBool(v)) return NULL;
    char *s = cJSON_PrintUnformatted(v);
    if (!s) abort();
    char *r = xstrdup(s);
    cJSON_free(s);
    return r;
}

static int find_exact(const strvec *v, const char *s)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->v[i], s) == 0) return (int)i;
    return -1;
}

/* Fills config_keys/config_vals from the "configuration" object cfg (whose
 * text starts at off), reporting values of the wrong type and repeated keys
 * (the first one counts, as for cJSON lookups). */
static void view_config(manifest *m, const cJSON *cfg, size_t off, check *c)
{
    strvec_free(&m->config_keys);
    strvec_free(&m->config_vals);
    int idx = 0;
    for (const cJSON *it = cfg->child; it; it = it->next, idx++) {
        size_t at = c->text ? element_at(c->text, off, idx) : NO_POS;
        if (find_exact(&m->config_keys, it->string) >= 0) {
            problem(c, DIAG_WARNING, at,
                    "configuration \"%s\" is given twice: the first one is used", it->string);
            continue;
        }
        if (cJSON_IsNumber(it) && !isfinite(it->valuedouble)) {
            problem(c, DIAG_ERROR, at, "configuration \"%s\": the number is out of range",
                    it->string);
            continue;
        }
        char *val = render_scalar(it);
        if (!val) {
            problem(c, DIAG_ERROR, at, "configuration \"%s\" must be a string, number or boolean",
                    it->string);
            continue;
        }
        VEC_PUSH(&m->config_keys, xstrdup(it->string));
        VEC_PUSH(&m->config_vals, val);
    }
}

/* One "libraries" item: a glob string, or the Spark Declarative Pipelines
 * form {"glob": {"include": "GLOB"}}. Returns the glob (borrowed) or NULL. */
static const char *library_glob(const cJSON *item)
{
    if (cJSON_IsString(item)) return item->valuestring;
    const cJSON *glob = cJSON_GetObjectItemCaseSensitive(item, "glob");
    const cJSON *inc = cJSON_GetObjectItemCaseSensitive(glob, "include");
    return cJSON_IsString(inc) ? inc->valuestring : NULL;
}

/* Adds the globs of the "libraries" array libs (key at key_at, value at off). */
static void view_libraries(manifest *m, const cJSON *libs, size_t key_at, size_t off, check *c)
{
    int idx = 0;
    for (const cJSON *it = libs->child; it; it = it->next, idx++) {
        const char *glob = library_glob(it);
        size_t at = c->text ? element_at(c->text, off, idx) : NO_POS;
        if (!glob)
            problem(c, DIAG_ERROR, at,
                    "\"libraries\" item %d must be a glob string or {\"glob\": {\"include\": "
                    "\"GLOB\"}}",
                    idx + 1);
        else if (!glob[0])
            problem(c, DIAG_ERROR, at, "\"libraries\" item %d is an empty glob", idx + 1);
        else if (find_exact(&m->libraries, glob) < 0)
            VEC_PUSH(&m->libraries, xstrdup(glob));
    }
    if (idx == 0)
        problem(c, DIAG_WARNING, key_at, "no libraries: the pipeline has no datasets");
}

enum { K_NAME, K_LIBRARIES, K_CONFIGURATION, K_WAREHOUSE, K_JOBS, K_DESIGNER, K_COUNT };
static const char *const known_keys[K_COUNT] = {
    "name", "libraries", "configuration", "warehouse", "jobs", "designer",
};

/* Rebuilds the typed fields from m->root (an object whose text starts at
 * root_off when c->text is set), reporting every problem; the parts that are
 * absent or broken get their defaults. */
static void build_view(manifest *m, size_t root_off, check *c)
{
    free(m->name);
    free(m->warehouse);
    m->name = m->warehouse = NULL;
    strvec_free(&m->libraries);
    strvec_free(&m->config_keys);
    strvec_free(&m->config_vals);

    bool seen[K_COUNT] = {false}, libraries_ok = false;
    int idx = 0;
    for (const cJSON *it = m->root->child; it; it = it->next, idx++) {
        int k = 0;
        while (k < K_COUNT && strcmp(it->string, known_keys[k]) != 0) k++;
        if (k == K_COUNT) continue; /* not ours: kept in root as it is */
        size_t at = c->text ? element_at(c->text, root_off, idx) : NO_POS;
        if (seen[k]) {
            problem(c, DIAG_WARNING, at, "\"%s\" is given twice: the first one is used",
                    it->string);
            continue;
        }
        seen[k] = true;
        size_t val = c->text ? member_value(c->text, at) : NO_POS;
        switch (k) {
        case K_NAME:
            if (cJSON_IsString(it)) m->name = xstrdup(it->valuestring);
            else problem(c, DIAG_ERROR, at, "\"name\" must be a string");
            break;
        case K_LIBRARIES:
            if (cJSON_IsArray(it)) {
                libraries_ok = true;
                view_libraries(m, it, at, val, c);
            } else {
                problem(c, DIAG_ERROR, at, "\"libraries\" must be an array of glob strings");
            }
            break;
        case K_CONFIGURATION:
            if (cJSON_IsObject(it)) view_config(m, it, val, c);
            else problem(c, DIAG_ERROR, at, "\"configuration\" must be an object");
            break;
        case K_WAREHOUSE:
            if (cJSON_IsString(it) && it->valuestring[0]) m->warehouse = xstrdup(it->valuestring);
            else if (cJSON_IsString(it)) problem(c, DIAG_ERROR, at, "\"warehouse\" must not be empty");
            else problem(c, DIAG_ERROR, at, "\"warehouse\" must be a string");
            break;
        case K_JOBS:
            if (!cJSON_IsArray(it)) problem(c, DIAG_ERROR, at, "\"jobs\" must be an array");
            break;
        case K_DESIGNER:
            if (!cJSON_IsObject(it)) problem(c, DIAG_ERROR, at, "\"designer\" must be an object");
            break;
        }
    }
    if (!m->name) m->name = xstrdup("");
    if (!libraries_ok) VEC_PUSH(&m->libraries, xstrdup(MAN_DEFAULT_LIBRARY));
    if (!m->warehouse) m->warehouse = xstrdup(MAN_DEFAULT_WAREHOUSE);
}

/* ================================================================ parse and load */

int man_parse(manifest *m, const char *text, const char *display_path, diag_list *diags)
{
    diag_list local = {0};
    if (!diags) diags = &local;
    int errors = diags->errors;
    check c = {.text = text, .file = display_path, .diags = diags};
    memset(m, 0, sizeof *m);

    size_t start = doc_start(text);
    const char *end = NULL;
    m->root = cJSON_ParseWithOpts(text, &end, 0);
    if (!m->root) {
        char why[128];
        size_t stop = end ? (size_t)(end - text) : start;
        size_t off = json_problem(text, stop, why, sizeof why);
        problem(&c, DIAG_ERROR, off, "malformed JSON: %s", why);
    } else if (!cJSON_IsObject(m->root)) {
        problem(&c, DIAG_ERROR, start, "the manifest must be a JSON object");
        cJSON_Delete(m->root);
        m->root = NULL;
    } else {
        /* cJSON stops after the first value; anything but space after it is
         * an error too. */
        size_t after = skip_ws(text, (size_t)(end - text));
        if (text[after])
            problem(&c, DIAG_ERROR, after, "malformed JSON: unexpected text after the end of the "
                                           "manifest object");
    }
    /* A broken document leaves an empty one, so that the defaults apply and
     * the manifest can still be changed. */
    if (!m->root) {
        m->root = must(cJSON_CreateObject());
        c.text = NULL;
    }
    build_view(m, start, &c);

    int rc = diags->errors > errors ? -1 : 0;
    diag_free(&local);
    return rc;
}

int man_load(manifest *m, const char *path, const char *display_path, diag_list *diags)
{
    char *err = NULL;
    size_t len = 0;
    char *text = fs_read(path, &len, &err);
    if (!text) {
        if (diags) diag_add(diags, DIAG_ERROR, display_path, 0, 0, "%s", err);
        free(err);
        man_parse(m, "{}", display_path, NULL);
        return -1;
    }
    int rc = man_parse(m, text, display_path, diags);
    size_t n = strlen(text);
    if (n != len) {
        /* cJSON reads up to the first NUL; say so instead of ignoring the rest. */
        if (diags) diag_at(diags, DIAG_ERROR, display_path, text, n, "malformed JSON: NUL byte");
        rc = -1;
    }
    free(text);
    return rc;
}

void man_init(manifest *m, const char *name)
{
    memset(m, 0, sizeof *m);
    cJSON *r = m->root = must(cJSON_CreateObject());
    must(cJSON_AddStringToObject(r, "name", name ? name : ""));
    cJSON *libs = must(cJSON_AddArrayToObject(r, "libraries"));
    must_add(cJSON_AddItemToArray(libs, must(cJSON_CreateString(MAN_DEFAULT_LIBRARY))));
    must(cJSON_AddObjectToObject(r, "configuration"));
    must(cJSON_AddStringToObject(r, "warehouse", MAN_DEFAULT_WAREHOUSE));
    must(cJSON_AddArrayToObject(r, "jobs"));
    cJSON *designer = must(cJSON_AddObjectToObject(r, "designer"));
    must(cJSON_AddObjectToObject(designer, "positions"));
    check c = {0};
    build_view(m, 0, &c);
}

/* ================================================================ print and save */

/* true for an array of numbers only (a designer position, [x, y]): it is
 * printed on one line. */
static bool number_array(const cJSON *v)
{
    if (!cJSON_IsArray(v) || !v->child) return false;
    for (const cJSON *it = v->child; it; it = it->next)
        if (!cJSON_IsNumber(it)) return false;
    return true;
}

static void print_value(sb *b, const cJSON *v, int indent)
{
    bool obj = cJSON_IsObject(v);
    if (number_array(v)) {
        sb_addc(b, '[');
        for (const cJSON *it = v->child; it; it = it->next) {
            print_value(b, it, indent);
            if (it->next) sb_add(b, ", ");
        }
        sb_addc(b, ']');
        return;
    }
    if (!obj && !cJSON_IsArray(v)) {
        char *s = cJSON_PrintUnformatted(v);
        if (!s) abort();
        sb_add(b, s);
        cJSON_free(s);
        return;
    }
    if (!v->child) {
        sb_add(b, obj ? "{}" : "[]");
        return;
    }
    sb_addc(b, obj ? '{' : '[');
    sb_addc(b, '\n');
    for (const cJSON *it = v->child; it; it = it->next) {
        sb_addf(b, "%*s", indent + 2, "");
        if (obj) {
            sb_add_jsonstr(b, it->string);
            sb_add(b, ": ");
        }
        print_value(b, it, indent + 2);
        sb_add(b, it->next ? ",\n" : "\n");
    }
    sb_addf(b, "%*s%c", indent, "", obj ? '}' : ']');
}

char *man_print(const manifest *m)
{
    sb b = {0};
    if (m->root) print_value(&b, m->root, 0);
    else sb_add(&b, "{}");
    sb_addc(&b, '\n');
    return sb_take(&b);
}

int man_save(const manifest *m, const char *path, char **err)
{
    char *text = man_print(m);
    int rc = fs_write_atomic(path, text, strlen(text), err);
    free(text);
    return rc;
}

/* ================================================================ configuration */

const char *man_config(const manifest *m, const char *key)
{
    int i = find_exact(&m->config_keys, key);
    return i < 0 ? NULL : m->config_vals.v[i];
}

/* The JSON value for a new configuration value: it keeps the type of the old
 * value when the text fits it (a number stays a number, a boolean a boolean),
 * so that setting 10 to "20" does not turn it into a string in the file. */
static cJSON *config_value(const cJSON *old, const char *value)
{
    if (cJSON_IsBool(old) && (strcmp(value, "true") == 0 || strcmp(value, "false") == 0))
        return must(cJSON_CreateBool(value[0] == 't'));
    if (cJSON_IsNumber(old)) {
        const char *end = NULL;
        cJSON *num = cJSON_ParseWithOpts(value, &end, 1);
        if (cJSON_IsNumber(num)) return num;
        cJSON_Delete(num);
    }
    return must(cJSON_CreateString(value));
}

void man_set_config(manifest *m, const char *key, const char *value)
{
    if (!m->root) m->root = must(cJSON_CreateObject());
    cJSON *cfg = cJSON_GetObjectItemCaseSensitive(m->root, "configuration");
    if (!cJSON_IsObject(cfg)) {
        /* Absent, or of a type that cannot hold parameters: start afresh. */
        cJSON *fresh = must(cJSON_CreateObject());
        if (cfg) must_add(cJSON_ReplaceItemInObjectCaseSensitive(m->root, "configuration", fresh));
        else must_add(cJSON_AddItemToObject(m->root, "configuration", fresh));
        cfg = fresh;
    }
    cJSON *old = cJSON_GetObjectItemCaseSensitive(cfg, key);
    cJSON *item = config_value(old, value);
    if (old) must_add(cJSON_ReplaceItemInObjectCaseSensitive(cfg, key, item));
    else must_add(cJSON_AddItemToObject(cfg, key, item));
    check c = {0};
    view_config(m, cfg, NO_POS, &c);
}

void man_free(manifest *m)
{
    cJSON_Delete(m->root);
    free(m->name);
    free(m->warehouse);
    strvec_free(&m->libraries);
    strvec_free(&m->config_keys);
    strvec_free(&m->config_vals);
    memset(m, 0, sizeof *m);
}
