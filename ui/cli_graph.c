/*
 * cli_graph.c - `tarn graph`: the dependency graph inferred from the queries,
 * as text (datasets in dependency order with what each reads), Graphviz dot,
 * or JSON (with each dataset's columns when the pipeline validates).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "validate.h"

/* What a flow reads that is not a dataset: existing tables, and files
 * (read_files(...)) and other databases (read_sqlite(...)) as written. */
static void externals(const project *p, int f, strvec *out)
{
    const sql_stmt *s = p->flows.v[f].stmt;
    for (size_t i = 0; i < s->refs.n; i++) {
        const sql_ref *r = &s->refs.v[i];
        prj_ref_kind k = prj_ref_kind_of(p, s, r, NULL);
        char *name;
        if (k == REF_TABLE) name = xstrdup(r->name);
        else if (k == REF_FILES || k == REF_SQLITE) /* as written: read_files('x', ...) */
            name = xasprintf("%s(%.*s)", r->name, (int)r->args_len,
                             prj_text(p, p->flows.v[f].file) + r->args_off);
        else continue;
        if (strvec_find(out, name) < 0) VEC_PUSH(out, name);
        else free(name);
    }
}

/* true when some STREAM read of flow f names source (a name, or a call
 * written as externals() writes it). */
static bool streams(const project *p, int f, const char *source)
{
    const sql_stmt *s = p->flows.v[f].stmt;
    for (size_t i = 0; i < s->refs.n; i++) {
        const sql_ref *r = &s->refs.v[i];
        size_t n = strlen(r->name);
        if (r->stream && (str_ieq(r->name, source) ||
                          (r->call && str_nieq(r->name, source, n) && source[n] == '(')))
            return true;
    }
    return false;
}

static void print_text(const project *p)
{
    for (size_t i = 0; i < p->order.n; i++) {
        const prj_dataset *d = &p->datasets.v[p->order.v[i]];
        printf("%-28s %-18s", d->name, sql_kind_name(d->kind));
        for (size_t k = 0; k < d->flows.n; k++) {
            int f = d->flows.v[k];
            const prj_flow *fl = &p->flows.v[f];
            strvec ext = {0};
            externals(p, f, &ext);
            if (d->flows.n > 1 || !fl->own) printf("\n    flow %-23s", fl->name);
            const char *sep = " <- ";
            for (size_t j = 0; j < fl->inputs.n; j++) {
                const char *src = p->datasets.v[fl->inputs.v[j]].name;
                printf("%s%s%s", sep, streams(p, f, src) ? "STREAM " : "", src);
                sep = ", ";
            }
            for (size_t j = 0; j < ext.n; j++) {
                printf("%s%s%s%s", sep, streams(p, f, ext.v[j]) ? "STREAM " : "", ext.v[j],
                       strchr(ext.v[j], '(') ? "" : " (table)");
                sep = ", ";
            }
            strvec_free(&ext);
        }
        printf("\n");
    }
}

static void print_dot(const project *p)
{
    printf("digraph pipeline {\n  rankdir=LR;\n  node [fontname=\"sans-serif\"];\n");
    strvec ext = {0};
    for (size_t i = 0; i < p->order.n; i++) {
        const prj_dataset *d = &p->datasets.v[p->order.v[i]];
        const char *shape = d->kind == SQL_STREAMING_TABLE ? "box"
                            : d->kind == SQL_MATERIALIZED_VIEW ? "box3d" : "ellipse";
        printf("  \"%s\" [shape=%s%s];\n", d->name, shape,
               d->kind == SQL_TEMP_VIEW ? ", style=dashed" : "");
        for (size_t k = 0; k < d->flows.n; k++) externals(p, d->flows.v[k], &ext);
    }
    for (size_t j = 0; j < ext.n; j++) printf("  \"%s\" [shape=cylinder];\n", ext.v[j]);
    for (size_t i = 0; i < p->order.n; i++) {
        const prj_dataset *d = &p->datasets.v[p->order.v[i]];
        for (size_t k = 0; k < d->flows.n; k++) {
            int f = d->flows.v[k];
            strvec srcs = {0};
            externals(p, f, &srcs);
            for (size_t j = 0; j < p->flows.v[f].inputs.n; j++)
                VEC_PUSH(&srcs, xstrdup(p->datasets.v[p->flows.v[f].inputs.v[j]].name));
            for (size_t j = 0; j < srcs.n; j++)
                printf("  \"%s\" -> \"%s\"%s;\n", srcs.v[j], d->name,
                       streams(p, f, srcs.v[j]) ? " [style=bold, label=\"stream\"]" : "");
            strvec_free(&srcs);
        }
    }
    strvec_free(&ext);
    printf("}\n");
}

static void json_str(const char *s)
{
    sb b = {0};
    sb_add_jsonstr(&b, s);
    fputs(sb_str(&b), stdout);
    sb_free(&b);
}

static void print_json(const project *p, const val_result *vr)
{
    printf("{\n  \"datasets\": [");
    for (size_t i = 0; i < p->order.n; i++) {
        int di = p->order.v[i];
        const prj_dataset *d = &p->datasets.v[di];
        int line, col;
        const prj_file *f = &p->files.v[d->file];
        text_linecol(f->orig, rw_map(&f->sub, d->stmt->name_off), &line, &col);
        printf("%s\n    {\"name\": ", i ? "," : "");
        json_str(d->name);
        printf(", \"kind\": ");
        json_str(sql_kind_name(d->kind));
        printf(", \"file\": ");
        json_str(f->path);
        printf(", \"line\": %d, \"flows\": [", line);
        for (size_t k = 0; k < d->flows.n; k++) {
            int fi = d->flows.v[k];
            strvec srcs = {0};
            externals(p, fi, &srcs);
            for (size_t j = 0; j < p->flows.v[fi].inputs.n; j++)
                VEC_PUSH(&srcs, xstrdup(p->datasets.v[p->flows.v[fi].inputs.v[j]].name));
            printf("%s{\"name\": ", k ? ", " : "");
            json_str(p->flows.v[fi].name);
            printf(", \"reads\": [");
            for (size_t j = 0; j < srcs.n; j++) {
                printf("%s{\"name\": ", j ? ", " : "");
                json_str(srcs.v[j]);
                printf(", \"dataset\": %s, \"stream\": %s}",
                       prj_dataset_find(p, srcs.v[j]) >= 0 ? "true" : "false",
                       streams(p, fi, srcs.v[j]) ? "true" : "false");
            }
            printf("]}");
            strvec_free(&srcs);
        }
        printf("], \"columns\": [");
        const val_dataset *vd = vr->datasets ? &vr->datasets[di] : NULL;
        for (size_t c = 0; vd && c < vd->columns.n; c++) {
            printf("%s{\"name\": ", c ? ", " : "");
            json_str(vd->columns.v[c].name);
            printf(", \"type\": ");
            json_str(vd->columns.v[c].type);
            printf("}");
        }
        printf("]}");
    }
    printf("\n  ]\n}\n");
}

static int exec_graph(const cli_args *a)
{
    const char *fmt = cli_get(a, "format", "text");
    if (strcmp(fmt, "text") && strcmp(fmt, "dot") && strcmp(fmt, "json"))
        return cli_usage_error(a, "--format must be text, dot or json");
    project p;
    diag_list d = {0};
    int rc = CLI_OK;
    if (cli_load_project(a, &p, &d) < 0) {
        cli_print_diags(stderr, &d);
        rc = CLI_FAIL;
    } else if (!strcmp(fmt, "text")) {
        print_text(&p);
    } else if (!strcmp(fmt, "dot")) {
        print_dot(&p);
    } else {
        val_result vr = {0};
        diag_list vd = {0};
        val_run(&p, &vd, &vr);
        print_json(&p, &vr);
        val_free(&vr);
        diag_free(&vd);
    }
    diag_free(&d);
    prj_free(&p);
    return rc;
}

static const cli_opt opts[] = {
    {"format", 'f', "FMT", false, "text (default), dot (Graphviz) or json"},
    {"param", 0, "KEY=VALUE", true, "set a configuration parameter for ${KEY}"},
    {NULL, 0, NULL, false, NULL}};

const cli_cmd cli_cmd_graph = {
    "graph", "[--format text|dot|json]", "show the dependency graph read from the queries",
    "Datasets in dependency order, each with the datasets and tables its flows read\n"
    "(STREAM marks incremental reads). JSON adds file, line and, when the pipeline\n"
    "validates, each dataset's columns.",
    opts, 0, 0, exec_graph};
