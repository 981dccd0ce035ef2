/*
 * cli_node.c - `tarn node VERB ...`: the designer without a screen. Nodes
 * are added, changed, renamed, removed, moved and laid out here exactly as
 * the Designer view does it (same operators, same file rewriting, same
 * positions in tarn.json), so scripts and tests can build pipelines too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "edit.h"
#include "model.h"
#include "ops.h"
#include "validate.h"

#define DEFAULT_FILE "transformations/designer.sql"

/* ======================= reading arguments ======================= */

/* The --params object (NULL with a message when it is not one). */
static cJSON *params_arg(const cli_args *a, int *rc)
{
    const char *text = cli_get(a, "params", NULL);
    if (!text) return NULL;
    cJSON *j = cJSON_Parse(text);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        *rc = cli_usage_error(a, "--params wants a JSON object, e.g. '{\"where\": \"amount > 0\"}'");
    }
    return j;
}

/* The node called name as an operator (its statement read back). */
static int read_node(const project *p, const char *name, dg_op *op)
{
    int d = prj_dataset_find(p, name), f = d < 0 ? prj_flow_find(p, name) : -1;
    if (d < 0 && f < 0) return -1;
    const sql_stmt *s = d >= 0 ? p->datasets.v[d].stmt : p->flows.v[f].stmt;
    int file = d >= 0 ? p->datasets.v[d].file : p->flows.v[f].file;
    dg_node_read(p, file, s, op);
    return 0;
}

/* Prints op's problems; returns how many. */
static int print_problems(const project *p, const dg_op *op)
{
    val_result vr = {0};
    diag_list d = {0};
    val_run(p, &d, &vr);
    dg_problems probs = {0};
    dg_node_problems(p, &vr, op, &probs);
    for (size_t i = 0; i < probs.n; i++)
        fprintf(stderr, "%s: %s%s%s\n", op->name, probs.v[i].key ? probs.v[i].key : "",
                probs.v[i].key ? ": " : "", probs.v[i].msg);
    int n = (int)probs.n;
    dg_problems_free(&probs);
    val_free(&vr);
    diag_free(&d);
    return n;
}

/* ======================= the verbs ======================= */

static void print_op(const dg_op *op, bool json)
{
    char *err = NULL, *sql = dg_op_sql(op, &err);
    if (json) {
        cJSON *o = cJSON_CreateObject(), *in = cJSON_AddArrayToObject(o, "inputs");
        cJSON_AddStringToObject(o, "name", op->name);
        cJSON_AddStringToObject(o, "type", op->type->id);
        for (size_t i = 0; i < op->inputs.n; i++)
            cJSON_AddItemToArray(in, cJSON_CreateString(op->inputs.v[i]));
        cJSON_AddItemToObject(o, "params", cJSON_Duplicate(op->params, true));
        cJSON_AddStringToObject(o, "sql", sql ? sql : "");
        char *text = cJSON_Print(o);
        printf("%s\n", text);
        free(text);
        cJSON_Delete(o);
    } else {
        char *params = cJSON_PrintUnformatted(op->params);
        printf("%s: %s (%s)\n", op->name, op->type->id, op->type->title);
        for (size_t i = 0; i < op->inputs.n; i++) printf("  input %zu: %s\n", i + 1, op->inputs.v[i]);
        printf("  params: %s\n\n%s", params, sql ? sql : err);
        free(params);
    }
    free(sql);
    free(err);
}

static int verb_types(const cli_args *a, project *p)
{
    (void)a, (void)p;
    size_t n = 0;
    const dg_op_type *const *types = dg_op_types(&n);
    for (size_t i = 0; i < n; i++) {
        printf("%-14s %s: %s\n", types[i]->id, types[i]->title, types[i]->help);
        for (const dg_field *f = types[i]->fields; f && f->key; f++)
            printf("    %-14s %s%s\n", f->key, f->label, f->required ? " (required)" : "");
    }
    return CLI_OK;
}

static int verb_list(const cli_args *a, project *p)
{
    (void)a;
    dg_model m;
    dg_model_build(&m, p, NULL, DG_COMPACT);
    for (size_t i = 0; i < m.nodes.n; i++) {
        const dg_node *n = &m.nodes.v[i];
        printf("%-28s %-14s %s:%d  at %d,%d\n", n->name, n->op.type->id, n->file, n->line,
               m.boxes[i].x, m.boxes[i].y);
    }
    dg_model_free(&m);
    return CLI_OK;
}

static int verb_show(const cli_args *a, project *p)
{
    if (a->pos.n != 2) return cli_usage_error(a, "usage: tarn node show NAME");
    dg_op op;
    if (read_node(p, a->pos.v[1], &op) < 0) return cli_fail("no node called '%s'", a->pos.v[1]);
    print_op(&op, cli_has(a, "json"));
    dg_op_free(&op);
    return CLI_OK;
}

/* Writes op (new: appended to file; else replacing old_name's statement). */
static int write_op(const cli_args *a, project *p, const dg_op *op, const char *old_name)
{
    if (!cli_has(a, "force") && print_problems(p, op) > 0)
        return cli_fail("not written (--force writes it anyway)");
    char *err = NULL, *sql = dg_op_sql(op, &err);
    int rc = !sql ? -1
             : old_name ? dg_edit_replace(p, old_name, sql, &err)
                        : dg_edit_append(p, cli_get(a, "file", DEFAULT_FILE), sql, &err);
    if (rc == 0) printf("%s", sql);
    else cli_fail("%s", err);
    free(sql);
    free(err);
    return rc == 0 ? CLI_OK : CLI_FAIL;
}

static int verb_add(const cli_args *a, project *p)
{
    if (a->pos.n != 3) return cli_usage_error(a, "usage: tarn node add TYPE NAME [--input X]...");
    const dg_op_type *t = dg_op_type_find(a->pos.v[1]);
    if (!t) return cli_usage_error(a, "no node type '%s' (tarn node types lists them)", a->pos.v[1]);
    int rc = CLI_OK;
    cJSON *params = params_arg(a, &rc);
    if (rc != CLI_OK) return rc;
    dg_op op;
    dg_op_init(&op, t, a->pos.v[2], params);
    cli_list(a, "input", &op.inputs);
    rc = write_op(a, p, &op, NULL);
    dg_op_free(&op);
    cJSON_Delete(params);
    return rc;
}

/* --params keys replace the node's (the others are kept); --input replaces
 * the inputs when given. */
static int verb_set(const cli_args *a, project *p)
{
    if (a->pos.n != 2) return cli_usage_error(a, "usage: tarn node set NAME [--params JSON]");
    int rc = CLI_OK;
    cJSON *params = params_arg(a, &rc);
    if (rc != CLI_OK) return rc;
    dg_op op;
    if (read_node(p, a->pos.v[1], &op) < 0) {
        cJSON_Delete(params);
        return cli_fail("no node called '%s'", a->pos.v[1]);
    }
    for (cJSON *it = params ? params->child : NULL; it; it = it->next) {
        cJSON_DeleteItemFromObjectCaseSensitive(op.params, it->string);
        cJSON_AddItemToObject(op.params, it->string, cJSON_Duplicate(it, true));
    }
    if (cli_has(a, "input")) {
        strvec_free(&op.inputs);
        cli_list(a, "input", &op.inputs);
    }
    rc = write_op(a, p, &op, a->pos.v[1]);
    dg_op_free(&op);
    cJSON_Delete(params);
    return rc;
}

static int verb_rm(const cli_args *a, project *p)
{
    if (a->pos.n != 2) return cli_usage_error(a, "usage: tarn node rm NAME");
    char *err = NULL;
    if (dg_edit_delete(p, a->pos.v[1], &err) < 0) {
        int rc = cli_fail("%s", err);
        free(err);
        return rc;
    }
    printf("removed %s\n", a->pos.v[1]);
    return CLI_OK;
}

static int verb_rename(const cli_args *a, project *p)
{
    if (a->pos.n != 3) return cli_usage_error(a, "usage: tarn node rename OLD NEW");
    char *err = NULL;
    if (dg_edit_rename(p, a->pos.v[1], a->pos.v[2], &err) < 0) {
        int rc = cli_fail("%s", err);
        free(err);
        return rc;
    }
    printf("renamed %s to %s\n", a->pos.v[1], a->pos.v[2]);
    return CLI_OK;
}

/* Saves the model's positions (every node, so the picture stays as shown). */
static int save_positions(const project *p, const dg_model *m)
{
    dg_posvec pos = {0};
    dg_model_positions(m, &pos);
    char *err = NULL;
    int rc = dg_positions_save(p->dir, pos.v, pos.n, &err);
    if (rc < 0) cli_fail("%s", err);
    free(err);
    dg_posvec_free(&pos);
    return rc < 0 ? CLI_FAIL : CLI_OK;
}

static int verb_move(const cli_args *a, project *p)
{
    char *e1, *e2;
    long x = a->pos.n == 4 ? strtol(a->pos.v[2], &e1, 10) : -1;
    long y = a->pos.n == 4 ? strtol(a->pos.v[3], &e2, 10) : -1;
    if (a->pos.n != 4 || *e1 || *e2 || x < 0 || y < 0)
        return cli_usage_error(a, "usage: tarn node move NAME X Y (cells, >= 0)");
    dg_model m;
    dg_model_build(&m, p, NULL, DG_COMPACT);
    int i = dg_model_find(&m, a->pos.v[1]);
    int rc = CLI_OK;
    if (i < 0) {
        rc = cli_fail("no node called '%s'", a->pos.v[1]);
    } else {
        bool *sel = xcalloc(m.nodes.n, sizeof(bool));
        sel[i] = true;
        dg_model_move(&m, sel, (int)x - m.boxes[i].x, (int)y - m.boxes[i].y);
        free(sel);
        rc = save_positions(p, &m);
    }
    dg_model_free(&m);
    return rc;
}

static int verb_layout(const cli_args *a, project *p)
{
    dg_model m;
    dg_model_build(&m, p, NULL, DG_COMPACT);
    int crossings = dg_model_relayout(&m);
    for (size_t i = 0; i < m.nodes.n; i++)
        printf("%-28s %d,%d\n", m.nodes.v[i].name, m.boxes[i].x, m.boxes[i].y);
    printf("%zu nodes, %zu edges, %d crossing%s, %zu route crossing%s\n", m.nodes.n, m.edges.n,
           crossings, crossings == 1 ? "" : "s", dg_route_crossings(m.routes, m.edges.n),
           dg_route_crossings(m.routes, m.edges.n) == 1 ? "" : "s");
    int rc = cli_has(a, "save") ? save_positions(p, &m) : CLI_OK;
    dg_model_free(&m);
    return rc;
}

static int verb_check(const cli_args *a, project *p)
{
    if (a->pos.n != 2) return cli_usage_error(a, "usage: tarn node check NAME");
    dg_op op;
    if (read_node(p, a->pos.v[1], &op) < 0) return cli_fail("no node called '%s'", a->pos.v[1]);
    int n = print_problems(p, &op);
    if (!n) printf("%s: ok\n", op.name);
    dg_op_free(&op);
    return n ? CLI_FAIL : CLI_OK;
}

static const struct {
    const char *name;
    int (*run)(const cli_args *a, project *p);
} verbs[] = {{"types", verb_types}, {"list", verb_list},     {"show", verb_show},
             {"add", verb_add},     {"set", verb_set},       {"rm", verb_rm},
             {"rename", verb_rename}, {"move", verb_move},   {"layout", verb_layout},
             {"check", verb_check}};

static int exec_node(const cli_args *a)
{
    for (size_t i = 0; i < ARRAY_LEN(verbs); i++) {
        if (strcmp(a->pos.v[0], verbs[i].name)) continue;
        project p;
        diag_list d = {0};
        cli_load_project(a, &p, &d); /* a broken file is no reason not to fix it here */
        diag_free(&d);
        int rc = p.man.root ? verbs[i].run(a, &p) : cli_fail("no project here");
        prj_free(&p);
        return rc;
    }
    return cli_usage_error(a, "no verb '%s' (see tarn node --help)", a->pos.v[0]);
}

static const cli_opt opts[] = {
    {"input", 'i', "NAME", true, "add: the node's inputs in order; set: replace them"},
    {"params", 'p', "JSON", false, "the form's values as a JSON object (set: keys to change)"},
    {"file", 'f', "FILE", false, "add: the library file to write to (default " DEFAULT_FILE ")"},
    {"json", 0, NULL, false, "show: print JSON"},
    {"save", 0, NULL, false, "layout: save the positions in tarn.json"},
    {"force", 0, NULL, false, "add/set: write even when the form has problems"},
    {"param", 0, "KEY=VALUE", true, "set a configuration parameter for ${KEY}"},
    {NULL, 0, NULL, false, NULL}};

const cli_cmd cli_cmd_node = {
    "node", "VERB [ARGS] [OPTIONS]", "build the pipeline from no-code nodes (the designer)",
    "Verbs:\n"
    "  types                     the node types and their form fields\n"
    "  list                      every node: type, file:line, position\n"
    "  show NAME [--json]        a node's type, inputs, form values and SQL\n"
    "  add TYPE NAME [-i IN]... [-p JSON] [-f FILE]   write a new node's statement\n"
    "  set NAME [-p JSON] [-i IN]...                  change a node\n"
    "  rm NAME                   delete a node's statement (and its flows)\n"
    "  rename OLD NEW            rename a dataset everywhere it is named\n"
    "  move NAME X Y             save a node's position\n"
    "  layout [--save]           lay the graph out again (prints the positions)\n"
    "  check NAME                a node's form problems against its inputs' columns\n"
    "Every change is written into the SQL files (other statements keep every byte)\n"
    "and positions into tarn.json, as the Designer view writes them.",
    opts, 1, 4, exec_node};
