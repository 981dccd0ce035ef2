/*
 * cli_preview.c - `tarn preview NAME | --sql "SELECT ..."`: a dataset's query
 * result, or any read-only query, computed without writing the warehouse.
 */
#include <stdlib.h>

#include "cli.h"
#include "cli_format.h"
#include "preview.h"

static int exec_preview(const cli_args *a)
{
    bool has_sql = cli_has(a, "sql");
    if (has_sql == (a->pos.n == 1))
        return cli_usage_error(a, "give either a dataset NAME or --sql, not %s",
                               has_sql ? "both" : "neither");
    cli_format fmt;
    if (cli_format_parse(cli_get(a, "format", "table"), &fmt) < 0)
        return cli_usage_error(a, "--format must be table, csv or json");
    char *end;
    const char *lim = cli_get(a, "limit", "20");
    long long limit = strtoll(lim, &end, 10);
    if (*end || limit < 0) return cli_usage_error(a, "--limit wants a number >= 0, not '%s'", lim);
    project p;
    diag_list d = {0};
    int rc = CLI_FAIL;
    pv_session pv = {0};
    sqlite3_stmt *st = NULL;
    char *err = NULL;
    if (cli_load_project(a, &p, &d) < 0) {
        cli_print_diags(stderr, &d);
        goto out;
    }
    int ds = has_sql ? -1 : prj_dataset_find(&p, a->pos.v[0]);
    if (!has_sql && ds < 0) {
        rc = cli_fail("no dataset called '%s' (tarn graph lists them)", a->pos.v[0]);
        goto out;
    }
    if (pv_open(&pv, &p, &err) < 0 ||
        (has_sql ? pv_prepare_sql(&pv, cli_get(a, "sql", ""), &st, &err)
                 : pv_prepare_dataset(&pv, ds, &st, &err)) < 0) {
        rc = cli_fail("%s", err);
        goto out;
    }
    cli_rows o = {fmt, limit, 0, 0};
    if (cli_print_rows(stdout, st, &o, &err) < 0) rc = cli_fail("%s", err);
    else rc = CLI_OK;
out:
    free(err);
    sqlite3_finalize(st);
    pv_close(&pv);
    diag_free(&d);
    prj_free(&p);
    return rc;
}

static const cli_opt opts[] = {
    {"sql", 0, "QUERY", false, "preview this read-only query instead of a dataset"},
    {"limit", 'n', "N", false, "show at most N rows (default 20; 0: all)"},
    {"format", 'f', "FMT", false, "table (default), csv or json"},
    {"param", 0, "KEY=VALUE", true, "set a configuration parameter for ${KEY}"},
    {NULL, 0, NULL, false, NULL}};

const cli_cmd cli_cmd_preview = {
    "preview", "NAME | --sql QUERY", "show a dataset's query result without writing anything",
    "Datasets already in the warehouse are read from there; the others (and temporary\n"
    "views) are computed from their queries, so a pipeline can be previewed before its\n"
    "first run. STREAM(x) reads all of x. The warehouse is opened read-only.",
    opts, 0, 1, exec_preview};
