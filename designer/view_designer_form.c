/*
 * view_designer_form.c - the form of an operator node, over the canvas: its
 * name, inputs and (for a new node) file, then each field of its type
 * (ops.h), the problems of what is filled in, checked against the inputs'
 * real columns as you go, and the SQL it will write. Values are asked for
 * with the shell's prompt and pick list; C-s writes the statement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view_designer_int.h"

typedef enum { ROW_NAME, ROW_INPUT, ROW_ADD_INPUT, ROW_FILE, ROW_FIELD, ROW_ITEM, ROW_ADD_ITEM } row_kind;

typedef struct frow {
    row_kind kind;
    const dg_field *f;   /* ROW_FIELD / ROW_ITEM / ROW_ADD_ITEM */
    int index;           /* ROW_INPUT: the slot; ROW_ITEM: the item */
} frow;

typedef VEC(frow) frows;

/* ======================= values ======================= */

/* A value as text ("" when unset); caller frees. */
static char *value_text(const cJSON *v)
{
    if (cJSON_IsString(v)) return xstrdup(v->valuestring);
    if (cJSON_IsBool(v)) return xstrdup(cJSON_IsTrue(v) ? "yes" : "no");
    if (cJSON_IsNumber(v)) return xasprintf("%g", v->valuedouble);
    if (cJSON_IsArray(v)) {
        sb b = {0};
        for (cJSON *it = v->child; it; it = it->next) {
            char *t = value_text(it);
            sb_addf(&b, "%s%s", b.len ? ", " : "", t);
            free(t);
        }
        return sb_take(&b);
    }
    return xstrdup("");
}

/* An item of a list as one line: its fields' values. */
static char *item_text(const dg_field *row, const cJSON *item)
{
    sb b = {0};
    for (const dg_field *f = row; f && f->key; f++) {
        char *t = value_text(cJSON_GetObjectItemCaseSensitive(item, f->key));
        if (*t) sb_addf(&b, "%s%s=%s", b.len ? "  " : "", f->key, t);
        free(t);
    }
    return b.len ? sb_take(&b) : xstrdup("(empty)");
}

static void set_value(cJSON *obj, const dg_field *f, const char *text)
{
    cJSON_DeleteItemFromObjectCaseSensitive(obj, f->key);
    if (f->kind == DG_NUMBER && *text) cJSON_AddNumberToObject(obj, f->key, strtod(text, NULL));
    else if (f->kind == DG_BOOL) cJSON_AddBoolToObject(obj, f->key, !strcmp(text, "yes"));
    else cJSON_AddStringToObject(obj, f->key, text);
}

/* ======================= rows ======================= */

static void build_rows(const dg_form *fm, frows *out)
{
    out->n = 0;
    frow r = {ROW_NAME, NULL, 0};
    VEC_PUSH(out, r);
    for (size_t i = 0; i < fm->op.inputs.n; i++) VEC_PUSH(out, ((frow){ROW_INPUT, NULL, (int)i}));
    int max = fm->op.type->max_inputs;
    if (max < 0 || (int)fm->op.inputs.n < max) VEC_PUSH(out, ((frow){ROW_ADD_INPUT, NULL, 0}));
    if (fm->is_new) VEC_PUSH(out, ((frow){ROW_FILE, NULL, 0}));
    for (const dg_field *f = fm->op.type->fields; f && f->key; f++) {
        VEC_PUSH(out, ((frow){ROW_FIELD, f, 0}));
        if (f->kind != DG_LIST) continue;
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(fm->op.params, f->key);
        int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;
        for (int k = 0; k < n; k++) VEC_PUSH(out, ((frow){ROW_ITEM, f, k}));
        VEC_PUSH(out, ((frow){ROW_ADD_ITEM, f, 0}));
    }
}

/* ======================= opening and closing ======================= */

void dgf_open(designer *d, const dg_op *op, const char *old_name, const char *file)
{
    dgf_close(d);
    dg_form *fm = &d->form;
    dg_op_init(&fm->op, op->type, op->name, op->params);
    for (size_t i = 0; i < op->inputs.n; i++) VEC_PUSH(&fm->op.inputs, xstrdup(op->inputs.v[i]));
    fm->old_name = old_name ? xstrdup(old_name) : NULL;
    fm->is_new = old_name == NULL;
    fm->file = xstrdup(file ? file : "transformations/designer.sql");
    fm->open = true;
    fm->sel = 0;
    fm->list_item = -1;
    dgv_redraw(d);
}

void dgf_close(designer *d)
{
    dg_form *fm = &d->form;
    if (!fm->open) return;
    dg_op_free(&fm->op);
    free(fm->old_name);
    free(fm->file);
    memset(fm, 0, sizeof(*fm));
    dgv_redraw(d);
}

/* ======================= asking for values ======================= */

/* The column names of the form's input k from the last dry run (none when
 * unknown), appended to out. */
static void input_columns(designer *d, int k, strvec *out)
{
    dg_form *fm = &d->form;
    const project *p = d->host.project ? d->host.project(d->host.ctx) : NULL;
    if (!p || k < 0 || (size_t)k >= fm->op.inputs.n) return;
    dg_schema *ins = dg_input_schemas(p, d->host.schemas ? d->host.schemas(d->host.ctx) : NULL,
                                      &fm->op);
    for (size_t i = 0; i < ins[k].n; i++) VEC_PUSH(out, xstrdup(ins[k].cols[i].name));
    dg_schemas_free(ins, fm->op.inputs.n);
}

/* Where an answer goes: the field f of object obj. */
static cJSON *target_object(dg_form *fm)
{
    if (!fm->list) return fm->op.params;
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(fm->op.params, fm->list->key);
    return cJSON_GetArrayItem(arr, fm->list_item);
}

static const dg_field *target_field(dg_form *fm);
static void ask(designer *d, const dg_field *f);

/* The next field of a list item being filled in, or the end of it. */
static void next_in_item(designer *d)
{
    dg_form *fm = &d->form;
    if (!fm->list) return;
    fm->list_field++;
    const dg_field *f = target_field(fm);
    if (f && f->key) ask(d, f);
    else fm->list = NULL;
}

static const dg_field *target_field(dg_form *fm)
{
    return fm->list ? &fm->list->row[fm->list_field] : NULL;
}

static void answered(void *arg, const char *text)
{
    designer *d = arg;
    dg_form *fm = &d->form;
    if (!fm->open) return;
    if (!text) { /* canceled: an item stops being filled in */
        fm->list = NULL;
        return;
    }
    const dg_field *f = fm->list ? target_field(fm) : fm->field;
    cJSON *obj = target_object(fm);
    if (f && obj) {
        if (f->kind == DG_COLUMNS) { /* toggles one column of the array */
            cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, f->key);
            if (!cJSON_IsArray(arr)) arr = cJSON_AddArrayToObject(obj, f->key);
            int at = -1, k = 0;
            for (cJSON *it = arr->child; it; it = it->next, k++)
                if (cJSON_IsString(it) && !strcmp(it->valuestring, text)) at = k;
            if (at >= 0) cJSON_DeleteItemFromArray(arr, at);
            else cJSON_AddItemToArray(arr, cJSON_CreateString(text));
        } else {
            set_value(obj, f, text);
        }
        fm->dirty = true;
    }
    dgv_redraw(d);
    next_in_item(d);
}

/* Asks for field f's value: a pick for columns and choices, a prompt else. */
static void ask(designer *d, const dg_field *f)
{
    dg_form *fm = &d->form;
    if (!fm->list) fm->field = f;
    strvec items = {0};
    if (f->kind == DG_CHOICE) {
        dg_field_choices(f, &items);
    } else if (f->kind == DG_BOOL) {
        VEC_PUSH(&items, xstrdup("yes"));
        VEC_PUSH(&items, xstrdup("no"));
    } else if (f->kind == DG_COLUMN || f->kind == DG_COLUMNS) {
        if (f->kind == DG_COLUMN && fm->list && !strcmp(fm->op.type->id, "aggregate") &&
            !strcmp(f->key, "column")) /* count(*) */
            VEC_PUSH(&items, xstrdup("*"));
        input_columns(d, f->input, &items);
    }
    if (items.n) {
        d->host.pick(d->host.ctx, f->label, &items, answered, d);
    } else {
        cJSON *obj = target_object(fm);
        char *now = value_text(cJSON_GetObjectItemCaseSensitive(obj, f->key));
        char *title = f->help ? xasprintf("%s (%s)", f->label, f->help) : xstrdup(f->label);
        d->host.prompt(d->host.ctx, title, now, answered, d);
        free(title);
        free(now);
    }
    strvec_free(&items);
}

/* Starts filling in item k of list field f (a new one when k < 0). */
static void edit_item(designer *d, const dg_field *f, int k)
{
    dg_form *fm = &d->form;
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(fm->op.params, f->key);
    if (!cJSON_IsArray(arr)) arr = cJSON_AddArrayToObject(fm->op.params, f->key);
    if (k < 0) {
        cJSON_AddItemToArray(arr, cJSON_CreateObject());
        k = cJSON_GetArraySize(arr) - 1;
    }
    fm->list = f;
    fm->list_item = k;
    fm->list_field = 0;
    if (f->row && f->row[0].key) ask(d, &f->row[0]);
}

/* ======================= names, inputs, file ======================= */

static void name_answered(void *arg, const char *text)
{
    designer *d = arg;
    if (!text || !*text || !d->form.open) return;
    free(d->form.op.name);
    d->form.op.name = xstrdup(text);
    d->form.dirty = true;
    dgv_redraw(d);
}

static void file_answered(void *arg, const char *text)
{
    designer *d = arg;
    if (!text || !*text || !d->form.open) return;
    free(d->form.file);
    d->form.file = xstrdup(text);
    dgv_redraw(d);
}

static void input_answered(void *arg, const char *text)
{
    designer *d = arg;
    dg_form *fm = &d->form;
    if (!text || !fm->open) return;
    int k = fm->list_item;
    if (k >= 0 && (size_t)k < fm->op.inputs.n) {
        free(fm->op.inputs.v[k]);
        fm->op.inputs.v[k] = xstrdup(text);
    } else {
        VEC_PUSH(&fm->op.inputs, xstrdup(text));
    }
    fm->list_item = -1;
    fm->dirty = true;
    dgv_redraw(d);
}

static void ask_input(designer *d, int slot)
{
    strvec items = {0};
    for (size_t i = 0; i < d->m.nodes.n; i++)
        if (!d->form.old_name || !str_ieq(d->m.nodes.v[i].name, d->form.old_name))
            VEC_PUSH(&items, xstrdup(d->m.nodes.v[i].name));
    d->form.list_item = slot;
    d->host.pick(d->host.ctx, "Input", &items, input_answered, d);
    strvec_free(&items);
}

/* ======================= keys ======================= */

static void activate(designer *d, const frow *r)
{
    dg_form *fm = &d->form;
    fm->list = NULL;
    switch (r->kind) {
    case ROW_NAME:
        d->host.prompt(d->host.ctx, "Name (the dataset it defines)", fm->op.name, name_answered, d);
        break;
    case ROW_INPUT: ask_input(d, r->index); break;
    case ROW_ADD_INPUT: ask_input(d, -1); break;
    case ROW_FILE:
        d->host.prompt(d->host.ctx, "File to write the statement to", fm->file, file_answered, d);
        break;
    case ROW_FIELD:
        if (r->f->kind == DG_LIST) edit_item(d, r->f, -1);
        else ask(d, r->f);
        break;
    case ROW_ITEM: edit_item(d, r->f, r->index); break;
    case ROW_ADD_ITEM: edit_item(d, r->f, -1); break;
    }
}

/* Del: removes an input (above the type's minimum) or a list item. */
static void remove_row(designer *d, const frow *r)
{
    dg_form *fm = &d->form;
    if (r->kind == ROW_INPUT && (int)fm->op.inputs.n > fm->op.type->min_inputs) {
        free(fm->op.inputs.v[r->index]);
        memmove(fm->op.inputs.v + r->index, fm->op.inputs.v + r->index + 1,
                (fm->op.inputs.n - (size_t)r->index - 1) * sizeof(char *));
        fm->op.inputs.n--;
        fm->dirty = true;
    } else if (r->kind == ROW_ITEM) {
        cJSON_DeleteItemFromArray(cJSON_GetObjectItemCaseSensitive(fm->op.params, r->f->key),
                                  r->index);
        fm->dirty = true;
    }
}

/* The problems of the form's values against its inputs' real columns. */
static void form_problems(designer *d, dg_problems *out)
{
    const project *p = d->host.project ? d->host.project(d->host.ctx) : NULL;
    const val_result *vr = d->host.schemas ? d->host.schemas(d->host.ctx) : NULL;
    if (p) dg_node_problems(p, vr, &d->form.op, out);
    else dg_op_check(&d->form.op, NULL, out);
}

static void save_form(designer *d)
{
    dg_form *fm = &d->form;
    dg_problems probs = {0};
    form_problems(d, &probs);
    size_t n = probs.n;
    if (n) dgv_say(d, "Not written: %s%s%s", probs.v[0].key ? probs.v[0].key : "",
                   probs.v[0].key ? ": " : "", probs.v[0].msg);
    dg_problems_free(&probs);
    if (n) return;
    if (dgv_write(d, &fm->op, fm->old_name, fm->is_new ? fm->file : NULL) == 0) dgf_close(d);
}

bool dgf_key(designer *d, const ui_event *e)
{
    dg_form *fm = &d->form;
    frows rows = {0};
    build_rows(fm, &rows);
    const char *k = e->key;
    if (!strcmp(k, "Esc")) dgf_close(d);
    else if (!strcmp(k, "C-s")) save_form(d);
    else if (!strcmp(k, "Up") || !strcmp(k, "S-Tab")) fm->sel = fm->sel > 0 ? fm->sel - 1 : 0;
    else if (!strcmp(k, "Down") || !strcmp(k, "Tab"))
        fm->sel = fm->sel + 1 < (int)rows.n ? fm->sel + 1 : fm->sel;
    else if (!strcmp(k, "Enter") && fm->sel < (int)rows.n) activate(d, &rows.v[fm->sel]);
    else if ((!strcmp(k, "Del") || !strcmp(k, "Backspace")) && fm->sel < (int)rows.n)
        remove_row(d, &rows.v[fm->sel]);
    else if (strcmp(k, "C-q") && strncmp(k, "M-", 2) && strncmp(k, "F", 1)) {
        VEC_FREE(&rows);
        return true; /* the form keeps other keys from the canvas */
    } else {
        VEC_FREE(&rows);
        return false;
    }
    VEC_FREE(&rows);
    dgv_redraw(d);
    return true;
}

/* ======================= drawing ======================= */

/* The form covers the canvas under the view's top line. */
static ui_rect form_rect(designer *d, ui_canvas *c)
{
    ui_rect r = ui_canvas_rect(c);
    (void)d;
    return (ui_rect){1, 0, r.rows - 1, r.cols};
}

static void row_label(const dg_form *fm, const frow *r, char *label, size_t n, char **value)
{
    switch (r->kind) {
    case ROW_NAME: snprintf(label, n, "Name"); *value = xstrdup(fm->op.name); break;
    case ROW_INPUT:
        snprintf(label, n, "Input %d", r->index + 1);
        *value = xstrdup(fm->op.inputs.v[r->index]);
        break;
    case ROW_ADD_INPUT: snprintf(label, n, "+ input"); *value = xstrdup("(Enter picks one)"); break;
    case ROW_FILE: snprintf(label, n, "File"); *value = xstrdup(fm->file); break;
    case ROW_FIELD:
        snprintf(label, n, "%s%s", r->f->label, r->f->required ? " *" : "");
        *value = r->f->kind == DG_LIST ? xstrdup("")
                 : value_text(cJSON_GetObjectItemCaseSensitive(fm->op.params, r->f->key));
        break;
    case ROW_ITEM: {
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(fm->op.params, r->f->key);
        snprintf(label, n, "  %d.", r->index + 1);
        *value = item_text(r->f->row, cJSON_GetArrayItem(arr, r->index));
        break;
    }
    case ROW_ADD_ITEM: snprintf(label, n, "  + add"); *value = xstrdup("(Enter)"); break;
    }
}

/* The problems (in the error color) and the SQL the form will write. */
static int draw_outcome(designer *d, ui_canvas *c, ui_rect r, int y)
{
    dg_form *fm = &d->form;
    dg_problems probs = {0};
    form_problems(d, &probs);
    for (size_t i = 0; i < probs.n && y < r.row + r.rows - 2; i++, y++) {
        char *line = xasprintf("⚠ %s%s%s", probs.v[i].key ? probs.v[i].key : "",
                               probs.v[i].key ? ": " : "", probs.v[i].msg);
        ui_text(c, y, r.col + 2, r.cols - 4, line, R_ERROR, 0, true);
        free(line);
    }
    dg_problems_free(&probs);
    char *err = NULL, *sql = dg_op_sql(&fm->op, &err);
    y++;
    for (const char *s = sql ? sql : ""; *s && y < r.row + r.rows - 2; y++) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        ui_textn(c, y, r.col + 2, r.cols - 4, s, n, R_STRING, 0, true);
        s = nl ? nl + 1 : s + n;
    }
    free(sql);
    free(err);
    return y;
}

void dgf_draw(designer *d, ui_canvas *c)
{
    dg_form *fm = &d->form;
    ui_rect r = form_rect(d, c);
    ui_fill(c, r, R_POPUP);
    char title[160];
    snprintf(title, sizeof title, " %s %s: %s ", fm->is_new ? "New" : "Edit",
             fm->op.type->title, fm->op.name);
    ui_text(c, r.row, r.col + 2, r.cols - 4, title, R_TITLE, UI_BOLD, true);
    ui_hline(c, r.row + 1, r.col, r.cols, R_BORDER);
    frows rows = {0};
    build_rows(fm, &rows);
    if (fm->sel >= (int)rows.n) fm->sel = (int)rows.n - 1;
    int y = r.row + 2;
    for (size_t i = 0; i < rows.n && y < r.row + r.rows - 6; i++, y++) {
        char label[64], *value = NULL;
        row_label(fm, &rows.v[i], label, sizeof label, &value);
        ui_role role = (int)i == fm->sel ? R_SELECTION : R_POPUP;
        if ((int)i == fm->sel) ui_fill(c, (ui_rect){y, r.col + 1, 1, r.cols - 2}, role);
        ui_text(c, y, r.col + 2, 22, label, role, 0, true);
        ui_text(c, y, r.col + 25, r.cols - 27, value, role, 0, true);
        free(value);
    }
    if (fm->sel >= 0 && (size_t)fm->sel < rows.n && rows.v[fm->sel].f && rows.v[fm->sel].f->help)
        ui_text(c, y++, r.col + 4, r.cols - 6, rows.v[fm->sel].f->help, R_MUTED, 0, true);
    draw_outcome(d, c, r, y + 1);
    ui_text(c, r.row + r.rows - 1, r.col + 2, r.cols - 4,
            "Enter change · Del remove · C-s write · Esc cancel", R_MUTED, 0, true);
    VEC_FREE(&rows);
}

bool dgf_mouse(designer *d, const ui_event *e, int row, int col)
{
    (void)col;
    dg_form *fm = &d->form;
    if (e->mouse != M_PRESS || e->button != 0) return true;
    frows rows = {0};
    build_rows(fm, &rows);
    int i = row - 3; /* rows start 2 below the form's top, which is row 1 */
    if (i >= 0 && i < (int)rows.n) { /* a click on a row changes it, as Enter does */
        fm->sel = i;
        activate(d, &rows.v[i]);
    }
    VEC_FREE(&rows);
    dgv_redraw(d);
    return true;
}
