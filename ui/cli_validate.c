/*
 * cli_validate.c - `tarn validate`: the dry run. Parses every file, builds the
 * graph, and compiles every query against its upstream schemas without
 * touching the warehouse; prints every problem as file:line:col.
 */
#include <stdlib.h>

#include "cli.h"
#include "validate.h"

static int exec_validate(const cli_args *a)
{
    project p;
    diag_list d = {0};
    cli_load_project(a, &p, &d);
    if (p.man.root) val_run(&p, &d, NULL); /* also with load errors: report all */
    diag_sort(&d);
    cli_print_diags(stdout, &d);
    int rc = d.errors ? CLI_FAIL : CLI_OK;
    if (d.errors || d.warnings)
        printf("%d error%s, %d warning%s\n", d.errors, d.errors == 1 ? "" : "s", d.warnings,
               d.warnings == 1 ? "" : "s");
    else
        printf("ok: %zu dataset%s, %zu flow%s in %zu file%s\n", p.datasets.n,
               p.datasets.n == 1 ? "" : "s", p.flows.n, p.flows.n == 1 ? "" : "s",
               p.files.n, p.files.n == 1 ? "" : "s");
    diag_free(&d);
    prj_free(&p);
    return rc;
}

static const cli_opt opts[] = {
    {"param", 0, "KEY=VALUE", true, "set a configuration parameter for ${KEY}"},
    {NULL, 0, NULL, false, NULL}};

const cli_cmd cli_cmd_validate = {
    "validate", "", "check the pipeline without running it (dry run)",
    "Every problem is printed as FILE:LINE:COL: error: MESSAGE, all of them, not just\n"
    "the first. The warehouse is only read (to know which tables exist). Exit status 1\n"
    "when there is any error.",
    opts, 0, 0, exec_validate};
