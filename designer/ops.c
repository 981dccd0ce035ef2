/*
 * ops.c - the designer's operators (see ops.h): the registry of node types,
 * nodes (init, free, SQL), reading a statement back as the first type whose
 * generator gives its exact bytes, and the checks every type shares
 * (name, inputs, each field's value against its kind and the inputs'
 * columns). The built-in types live in ops_source.c, ops_rows.c and
 * ops_combine.c, the text helpers they share in ops_text.c.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops_int.h"

/* ======================= the registry ======================= */

/* The registered types in palette order: the built-ins from the start (no
 * lazy set-up that two threads could race on), then plugins' types, which
 * are registered while the program starts. The module's only global. */
#define MAX_TYPES 128
static const dg_op_type *registry[MAX_TYPES] = {
    &dg_type_source_files, &dg_type_source_table, &dg_type_filter, &dg_type_select,
    &dg_type_join,         &dg_type_aggregate,    &dg_type_union,  &dg_type_dedupe,
    &dg_type_sort,         &dg_type_output,       &dg_type_sql};
static size_t n_registry = 11;

const dg_op_type *dg_op_type_find(const char *id)
{
    for (size_t i = 0; id && i < n_registry; i++)
        if (!strcmp(registry[i]->id, id)) return registry[i];
    return NULL;
}

bool dg_op_register(const dg_op_type *t)
{
    if (!t || !t->id || !*t->id || !t->generate || dg_op_type_find(t->id) ||
        n_registry == MAX_TYPES)
        return false;
    registry[n_registry++] = t;
    return true;
}

const dg_op_type *const *dg_op_types(size_t *n)
{
    *n = n_registry;
    return registry;
}

/* ======================= nodes ======================= */

void dg_field_choices(const dg_field *f, strvec *out)
{
    for (const char *c = f->choices ? f->choices : ""; *c;) {
        const char *bar = strchr(c, '|');
        size_t len = bar ? (size_t)(bar - c) : strlen(c);
        VEC_PUSH(out, xstrndup(c, len));
        c += len + (bar != NULL);
    }
}

/* The default value of field f. */
static cJSON *field_default(const dg_field *f)
{
    switch (f->kind) {
    case DG_CHOICE: {
        strvec choices = {0};
        dg_field_choices(f, &choices);
        cJSON *v = cJSON_CreateString(choices.n ? choices.v[0] : "");
        strvec_free(&choices);
        return v;
    }
    case DG_NUMBER: return cJSON_CreateNumber(0);
    case DG_BOOL: return cJSON_CreateBool(f->choices && !strcmp(f->choices, "true"));
    case DG_COLUMNS:
    case DG_LIST: return cJSON_CreateArray();
    default: return cJSON_CreateString("");
    }
}

/* The form's fields in order, each from given when it has it (else its
 * default), then given's other keys. */
static cJSON *params_over_defaults(const dg_op_type *t, const cJSON *given)
{
    cJSON *o = cJSON_CreateObject();
    for (const dg_field *f = t->fields; f && f->key; f++) {
        const cJSON *g = cJSON_IsObject(given) ? cJSON_GetObjectItemCaseSensitive(given, f->key)
                                               : NULL;
        cJSON_AddItemToObject(o, f->key, g ? cJSON_Duplicate(g, true) : field_default(f));
    }
    for (const cJSON *g = cJSON_IsObject(given) ? given->child : NULL; g; g = g->next)
        if (g->string && !cJSON_GetObjectItemCaseSensitive(o, g->string))
            cJSON_AddItemToObject(o, g->string, cJSON_Duplicate(g, true));
    return o;
}

void dg_op_init(dg_op *op, const dg_op_type *t, const char *name, const cJSON *params)
{
    memset(op, 0, sizeof(*op));
    op->type = t;
    op->name = xstrdup(name ? name : "");
    op->params = params_over_defaults(t, params);
}

void dg_op_free(dg_op *op)
{
    free(op->name);
    strvec_free(&op->inputs);
    cJSON_Delete(op->params);
    memset(op, 0, sizeof(*op));
}

char *dg_op_sql(const dg_op *op, char **err)
{
    sb b = {0};
    if (op->type->generate(op, &b, err) < 0) {
        sb_free(&b);
        if (err && !*err) *err = xstrdup("the node cannot be written as SQL");
        return NULL;
    }
    return sb_take(&b);
}

/* ======================= reading a statement ======================= */

/* Whether type t reads s (of text) back as exactly want; fills op then. */
static bool read_as(const dg_op_type *t, const char *text, const sql_stmt *s, const char *want,
                    dg_op *op)
{
    dg_op cand = {t, xstrdup(s->name ? s->name : ""), {0}, cJSON_CreateObject()};
    bool ok = t->read && t->read(text, s, &cand);
    if (ok) {
        cJSON *full = params_over_defaults(t, cand.params);
        cJSON_Delete(cand.params);
        cand.params = full;
        sb b = {0};
        char *err = NULL;
        ok = t->generate(&cand, &b, &err) == 0 && !strcmp(sb_str(&b), want);
        sb_free(&b);
        free(err);
    }
    if (ok) *op = cand;
    else dg_op_free(&cand);
    return ok;
}

bool dg_reads_as(const dg_op_type *t, const char *text, const sql_stmt *s)
{
    sb want = {0};
    sb_addn(&want, text + s->span_off, s->span_len);
    sb_addc(&want, '\n');
    dg_op op;
    bool yes = read_as(t, text, s, sb_str(&want), &op);
    if (yes) dg_op_free(&op);
    sb_free(&want);
    return yes;
}

void dg_op_read(const char *text, const sql_stmt *s, dg_op *op)
{
    sb want = {0};
    sb_addn(&want, text + s->span_off, s->span_len);
    sb_addc(&want, '\n');
    for (size_t i = 0; i < n_registry; i++) {
        const dg_op_type *t = registry[i];
        if (t != &dg_type_sql && read_as(t, text, s, sb_str(&want), op)) {
            sb_free(&want);
            return;
        }
    }
    sb_free(&want);
    dg_op_init(op, &dg_type_sql, s->name, NULL);
    dg_type_sql.read(text, s, op);
}

/* ======================= checks shared by every type ======================= */

void dg_problems_free(dg_problems *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].key);
        free(p->v[i].msg);
    }
    VEC_FREE(p);
}

static void check_name(const dg_op *op, dg_problems *out)
{
    char *name = dg_trim(op->name ? op->name : "");
    if (!*name) dg_problem_add(out, "name", "the node needs a name (the dataset it defines).");
    else if (strcmp(name, op->name))
        dg_problem_add(out, "name", "the name '%s' begins or ends with white space.", op->name);
    free(name);
}

static void check_inputs(const dg_op *op, dg_problems *out)
{
    const dg_op_type *t = op->type;
    int n = (int)op->inputs.n;
    for (size_t i = 0; i < op->inputs.n; i++)
        if (!op->inputs.v[i] || !*op->inputs.v[i])
            dg_problem_add(out, NULL, "input %zu is not chosen.", i + 1);
    if (n >= t->min_inputs && (t->max_inputs < 0 || n <= t->max_inputs)) return;
    char want[64];
    if (t->min_inputs == t->max_inputs)
        snprintf(want, sizeof want, "exactly %d input%s", t->min_inputs,
                 t->min_inputs == 1 ? "" : "s");
    else if (t->max_inputs < 0)
        snprintf(want, sizeof want, "at least %d input%s", t->min_inputs,
                 t->min_inputs == 1 ? "" : "s");
    else snprintf(want, sizeof want, "%d to %d inputs", t->min_inputs, t->max_inputs);
    char has[32];
    if (n) snprintf(has, sizeof has, "%d", n);
    else snprintf(has, sizeof has, "none");
    dg_problem_add(out, NULL, "%s %s node reads %s; it has %s.",
                   strchr("aeio", t->id[0]) ? "an" : "a" /* a union */, t->id, want, has);
}

/* "label" as a lower-case noun phrase ("Left column" -> "left column"). */
static char *lower_label(const dg_field *f)
{
    char *s = xstrdup(f->label ? f->label : f->key);
    if (s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z'))
        s[0] = (char)(s[0] - 'A' + 'a');
    return s;
}

/* true when v is absent or empty ("", [], white space). */
static bool is_empty(const cJSON *v)
{
    if (!v || cJSON_IsNull(v)) return true;
    if (cJSON_IsString(v)) {
        for (const char *c = v->valuestring; *c; c++)
            if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r') return false;
        return true;
    }
    if (cJSON_IsArray(v)) return cJSON_GetArraySize(v) == 0;
    return false;
}

static void check_missing(const dg_field *f, const char *key, const char *prefix,
                          dg_problems *out)
{
    char *label = lower_label(f);
    if (f->kind == DG_COLUMN) dg_problem_add(out, key, "%sno %s chosen.", prefix, label);
    else if (f->kind == DG_EXPR) dg_problem_add(out, key, "%sthe %s is empty.", prefix, label);
    else if (f->kind == DG_COLUMNS)
        dg_problem_add(out, key, "%schoose at least one column.", prefix);
    else if (f->kind == DG_LIST) {
        size_t n = strlen(label);
        if (n > 1 && label[n - 1] == 's') label[n - 1] = 0;
        dg_problem_add(out, key, "%sadd at least one %s.", prefix, label);
    } else dg_problem_add(out, key, "%s%s is required.", prefix, label);
    free(label);
}

/* true when s is one of the choices, exactly (case counts). */
static bool is_choice(const strvec *choices, const char *s)
{
    for (size_t i = 0; i < choices->n; i++)
        if (!strcmp(choices->v[i], s)) return true;
    return false;
}

/* The choices as "one of a, b or c". */
static char *choice_list(const strvec *choices)
{
    sb b = {0};
    sb_add(&b, "one of ");
    for (size_t i = 0; i < choices->n; i++) {
        if (i) sb_add(&b, i + 1 < choices->n ? ", " : " or ");
        sb_add(&b, choices->v[i]);
    }
    return sb_take(&b);
}

static void check_value(const dg_op *op, const dg_schema *ins, const dg_field *f,
                        const cJSON *obj, const char *key, const char *prefix, dg_problems *out);

/* Each item of list field f (an array of objects). */
static void check_items(const dg_op *op, const dg_schema *ins, const dg_field *f,
                        const cJSON *arr, dg_problems *out)
{
    int k = 0;
    for (const cJSON *it = arr->child; it; it = it->next, k++) {
        char *prefix = dg_item_prefix(op, f->key, k);
        if (!cJSON_IsObject(it)) dg_problem_add(out, f->key, "%sis not an object.", prefix);
        else
            for (const dg_field *r = f->row; r && r->key; r++)
                check_value(op, ins, r, it, f->key, prefix, out);
        free(prefix);
    }
}

/* The value of field f in obj: missing when required, of the wrong JSON
 * type, not a choice, a column the input does not have. */
static void check_value(const dg_op *op, const dg_schema *ins, const dg_field *f,
                        const cJSON *obj, const char *key, const char *prefix, dg_problems *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, f->key);
    if (is_empty(v)) {
        if (f->required) check_missing(f, key, prefix, out);
        return;
    }
    char *label = lower_label(f);
    switch (f->kind) {
    case DG_TEXT:
        if (!cJSON_IsString(v) && !cJSON_IsNumber(v))
            dg_problem_add(out, key, "%s%s wants text.", prefix, label);
        break;
    case DG_EXPR:
        if (!cJSON_IsString(v))
            dg_problem_add(out, key, "%s%s wants an expression.", prefix, label);
        else dg_check_expr(op, ins, key, prefix, v->valuestring, out);
        break;
    case DG_COLUMN:
        if (!cJSON_IsString(v))
            dg_problem_add(out, key, "%s%s wants a column name.", prefix, label);
        else if (strcmp(v->valuestring, "*"))
            dg_check_column(op, ins, (size_t)f->input, key, prefix, v->valuestring, out);
        break;
    case DG_COLUMNS:
        for (const cJSON *c = cJSON_IsArray(v) ? v->child : NULL; c; c = c->next)
            if (cJSON_IsString(c))
                dg_check_column(op, ins, (size_t)f->input, key, prefix, c->valuestring, out);
        if (!cJSON_IsArray(v))
            dg_problem_add(out, key, "%s%s wants a list of columns.", prefix, label);
        break;
    case DG_CHOICE: {
        strvec choices = {0};
        dg_field_choices(f, &choices);
        if (!cJSON_IsString(v) || !is_choice(&choices, v->valuestring)) {
            char *list = choice_list(&choices);
            dg_problem_add(out, key, "%s%s wants %s.", prefix, label, list);
            free(list);
        }
        strvec_free(&choices);
        break;
    }
    case DG_NUMBER:
        if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e15 ||
            v->valuedouble != (double)(long long)v->valuedouble)
            dg_problem_add(out, key, "%s%s wants a whole number of 0 or more.", prefix, label);
        break;
    case DG_BOOL:
        if (!cJSON_IsBool(v)) dg_problem_add(out, key, "%s%s wants true or false.", prefix, label);
        break;
    case DG_LIST:
        if (!cJSON_IsArray(v)) dg_problem_add(out, key, "%s%s wants a list.", prefix, label);
        else check_items(op, ins, f, v, out);
        break;
    }
    free(label);
}

void dg_op_check(const dg_op *op, const dg_schema *ins, dg_problems *out)
{
    check_name(op, out);
    check_inputs(op, out);
    for (const dg_field *f = op->type->fields; f && f->key; f++)
        check_value(op, ins, f, op->params, f->key, "", out);
    if (op->type->check) op->type->check(op, ins, out);
}

void dg_op_check_inputs(const dg_op *op, const int *kinds, dg_problems *out)
{
    if (op->type != &dg_type_output || !op->inputs.n || !kinds) return;
    if (strcmp(dg_p_str(op->params, "kind"), "streaming_table")) return;
    int k = kinds[0];
    if (k != SQL_TEMP_VIEW && k != SQL_MATERIALIZED_VIEW) return;
    dg_problem_add(out, "kind",
                   "a streaming table reads its input through STREAM(%s), and '%s' is a %s: "
                   "STREAM reads only a streaming table or a table outside the pipeline. "
                   "Make this a materialized view, or read from a streaming table.",
                   op->inputs.v[0], op->inputs.v[0], sql_kind_name((sql_kind)k));
}

/* ======================= identifiers ======================= */

/* Words of the pipeline dialect that would be read as syntax where a name
 * stands (FROM stream x, LIVE.x, ...). */
static const char *const dialect_words[] = {"STREAM", "STREAMING", "LIVE", "REFRESH", "FLOW",
                                            "EXPECT", "VIOLATION", "TBLPROPERTIES", "CDC",
                                            NULL};

bool dg_ident_plain(const char *name)
{
    if (!name || !((*name >= 'A' && *name <= 'Z') || (*name >= 'a' && *name <= 'z') ||
                   *name == '_'))
        return false;
    size_t n = 0;
    for (const char *c = name; *c; c++, n++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
              *c == '_'))
            return false;
    if (sqlite3_keyword_check(name, (int)n)) return false;
    for (int i = 0; dialect_words[i]; i++)
        if (str_ieq(name, dialect_words[i])) return false;
    return true;
}

void dg_sb_ident(sb *b, const char *name)
{
    if (dg_ident_plain(name)) sb_add(b, name);
    else sb_add_ident(b, name ? name : "");
}
