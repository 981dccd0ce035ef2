/*
 * ingest_opts.c - the options of read_files(...) (see ingest.h), parsed from
 * the call's argument text: 'glob' first, then name => value pairs.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "lex.h"

typedef struct optparse {
    const char *text;
    ing_options *o;
    ing_problem_fn report;
    void *ctx;
    int errors;
} optparse;

static void problem(optparse *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(optparse *p, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    if (p->report) p->report(p->ctx, off, msg);
    free(msg);
    p->errors++;
}

/* "schema_hints", "schemaHints" -> "schemahints" */
static char *norm_name(const char *s, size_t n)
{
    sb b = {0};
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_') sb_addc(&b, (char)tolower((unsigned char)s[i]));
    return sb_take(&b);
}

/* The value token as text: strings unquoted, "\t"-style escapes read. */
static char *value_text(const char *text, token t)
{
    if (t.kind != TK_STRING) return xstrndup(text + t.off, t.len);
    char *raw = lex_string(text, t), *w = raw;
    for (char *r = raw; *r; r++) {
        if (*r == '\\' && r[1]) {
            r++;
            *w++ = *r == 't' ? '\t' : *r == 'n' ? '\n' : *r == 'r' ? '\r' : *r == '0' ? 0 : *r;
            if (w[-1] == 0) break;
            continue;
        }
        *w++ = *r;
    }
    *w = 0;
    return raw;
}

static bool parse_bool(optparse *p, token t, const char *v, const char *name, bool *out)
{
    if (str_ieq(v, "true") || !strcmp(v, "1")) *out = true;
    else if (str_ieq(v, "false") || !strcmp(v, "0")) *out = false;
    else {
        problem(p, t.off, "read_files option %s wants true or false, not '%s'", name, v);
        return false;
    }
    return true;
}

/* A one-character option (sep, quote, ...); "" means none (0). */
static void parse_char(optparse *p, token t, const char *v, const char *name, char *out,
                       bool allow_none)
{
    size_t n = strlen(v);
    if (n == 1) *out = v[0];
    else if (n == 0 && allow_none) *out = 0;
    else problem(p, t.off, "read_files option %s wants one character, not '%s'", name, v);
}

static void set_string(char **field, const char *v)
{
    free(*field);
    *field = xstrdup(v);
}

static void apply(optparse *p, const char *name, token nt, token vt, const char *v)
{
    ing_options *o = p->o;
    if (!strcmp(name, "format")) {
        if (str_ieq(v, "csv")) o->format = ING_CSV;
        else if (str_ieq(v, "json")) o->format = ING_JSON;
        else problem(p, vt.off, "read_files format '%s' is not supported (csv or json)", v);
    } else if (!strcmp(name, "header")) {
        parse_bool(p, vt, v, "header", &o->header);
    } else if (!strcmp(name, "sep") || !strcmp(name, "delimiter")) {
        parse_char(p, vt, v, "sep", &o->csv.delimiter, false);
    } else if (!strcmp(name, "quote")) {
        parse_char(p, vt, v, "quote", &o->csv.quote, true);
    } else if (!strcmp(name, "escape")) {
        parse_char(p, vt, v, "escape", &o->csv.escape, true);
    } else if (!strcmp(name, "comment")) {
        parse_char(p, vt, v, "comment", &o->csv.comment, true);
    } else if (!strcmp(name, "nullvalue")) {
        set_string(&o->null_value, v);
    } else if (!strcmp(name, "skiprows")) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < 0 || n > 1000000) problem(p, vt.off, "skipRows wants a count, not '%s'", v);
        else o->skip_rows = (int)n;
    } else if (!strcmp(name, "mode")) {
        if (str_ieq(v, "PERMISSIVE")) o->mode = ING_PERMISSIVE;
        else if (str_ieq(v, "DROPMALFORMED")) o->mode = ING_DROPMALFORMED;
        else if (str_ieq(v, "FAILFAST")) o->mode = ING_FAILFAST;
        else problem(p, vt.off, "mode wants PERMISSIVE, DROPMALFORMED or FAILFAST, not '%s'", v);
    } else if (!strcmp(name, "schemahints") || !strcmp(name, "schema")) {
        strvec names = {0};
        intvec types = {0};
        char *err = NULL;
        if (inf_parse_hints(v, &names, &types, &err) < 0) {
            problem(p, vt.off, "%s", err);
            free(err);
        } else {
            set_string(!strcmp(name, "schema") ? &o->schema : &o->schema_hints, v);
        }
        strvec_free(&names);
        VEC_FREE(&types);
    } else if (!strcmp(name, "infercolumntypes")) {
        parse_bool(p, vt, v, "inferColumnTypes", &o->infer_types);
    } else if (!strcmp(name, "allowoverwrites")) {
        parse_bool(p, vt, v, "allowOverwrites", &o->allow_overwrites);
    } else if (!strcmp(name, "encoding") || !strcmp(name, "charset")) {
        if (!str_ieq(v, "utf-8") && !str_ieq(v, "utf8"))
            problem(p, vt.off, "encoding '%s' is not supported: files must be UTF-8", v);
    } else if (!strcmp(name, "samplerows")) {
        int n = atoi(v);
        if (n < 1) problem(p, vt.off, "sampleRows wants a positive count, not '%s'", v);
        else o->sample_rows = n;
    } else if (!strcmp(name, "multiline") || !strcmp(name, "inferschema")) {
        /* always on: quoted newlines and JSON arrays are read anyway */
    } else {
        problem(p, nt.off, "unknown read_files option '%.*s' (format, header, sep, quote, "
                "escape, comment, nullValue, skipRows, mode, schemaHints, schema, "
                "inferColumnTypes, allowOverwrites, encoding)", (int)nt.len, p->text + nt.off);
    }
}

static void defaults(ing_options *o)
{
    memset(o, 0, sizeof(*o));
    o->format = ING_CSV;
    o->csv = csv_default_opts();
    o->mode = ING_PERMISSIVE;
    o->infer_types = true;
    o->sample_rows = 1000;
}

int ing_options_parse(const char *text, size_t off, size_t len, ing_options *o,
                      ing_problem_fn report, void *ctx)
{
    defaults(o);
    optparse p = {text, o, report, ctx, 0};
    tokvec t = {0};
    size_t pos = off;
    const char *msg;
    for (;;) {
        token k = lex_next(text, off + len, &pos, &msg);
        if (k.kind == TK_EOF) break;
        if (k.kind != TK_COMMENT) VEC_PUSH(&t, k);
    }
    size_t i = 0;
    if (!t.n || t.v[0].kind != TK_STRING) {
        problem(&p, t.n ? t.v[0].off : off,
                "read_files wants the files first, as a string: read_files('data/*.csv', ...)");
        VEC_FREE(&t);
        return -1;
    }
    o->glob = lex_string(text, t.v[0]);
    if (!*o->glob) problem(&p, t.v[0].off, "read_files: the file pattern is empty");
    i = 1;
    while (i < t.n) {
        if (!lex_punct(text, t.v[i], ',') || i + 4 > t.n || !lex_is_name(t.v[i + 1]) ||
            !lex_punct(text, t.v[i + 2], '=') || !lex_punct(text, t.v[i + 3], '>')) {
            problem(&p, t.v[i].off, "read_files options are written name => value");
            break;
        }
        token nt = t.v[i + 1], vt = t.v[i + 4 < t.n ? i + 4 : i + 3];
        if (i + 4 >= t.n || (vt.kind != TK_STRING && vt.kind != TK_NUMBER && vt.kind != TK_WORD)) {
            problem(&p, vt.off, "read_files option '%.*s' needs a value", (int)nt.len,
                    text + nt.off);
            break;
        }
        char *name = norm_name(text + nt.off, nt.len);
        char *v = value_text(text, vt);
        apply(&p, name, nt, vt, v);
        free(name);
        free(v);
        i += 5;
    }
    VEC_FREE(&t);
    return p.errors ? -1 : 0;
}

void ing_options_free(ing_options *o)
{
    free(o->glob);
    free(o->null_value);
    free(o->schema_hints);
    free(o->schema);
    memset(o, 0, sizeof(*o));
}
