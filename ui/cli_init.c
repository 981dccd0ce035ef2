/*
 * cli_init.c - `tarn init [DIR]`: a new project with a manifest, a
 * transformations/ folder holding a first dataset, and a .gitignore that
 * keeps the local state (.tarn/) out of git.
 */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fsutil.h"
#include "manifest.h"

static const char example_sql[] =
    "-- Datasets of the pipeline. Each CREATE statement defines one; tarn reads the\n"
    "-- dependencies from the queries. Run it with: tarn run\n"
    "CREATE MATERIALIZED VIEW hello\n"
    "COMMENT 'a first dataset: replace it with your own'\n"
    "AS SELECT 'world' AS greeting;\n";

static int write_new(const char *dir, const char *rel, const char *text)
{
    char *path = fs_join(dir, rel), *err = NULL;
    int rc = 0;
    if (!fs_exists(path)) rc = fs_write_atomic(path, text, strlen(text), &err);
    if (rc < 0) {
        cli_fail("%s", err);
        free(err);
    }
    free(path);
    return rc;
}

static int exec_init(const cli_args *a)
{
    char *dir = a->pos.n ? fs_join(a->dir, a->pos.v[0]) : xstrdup(a->dir);
    char *manpath = fs_join(dir, MAN_FILE), *err = NULL;
    int rc = CLI_FAIL;
    if (fs_exists(manpath)) {
        cli_fail("%s already exists: %s is a tarn project", manpath, dir);
        goto out;
    }
    char *tdir = fs_join(dir, "transformations");
    int mk = fs_mkdirs(tdir, &err);
    free(tdir);
    if (mk < 0) {
        cli_fail("%s", err);
        goto out;
    }
    char *real = realpath(dir, NULL);
    char *name = xstrdup(basename(real ? real : dir));
    free(real);
    manifest m;
    man_init(&m, name);
    free(name);
    int saved = man_save(&m, manpath, &err);
    man_free(&m);
    if (saved < 0) {
        cli_fail("%s", err);
        goto out;
    }
    if (write_new(dir, "transformations/hello.sql", example_sql) < 0 ||
        write_new(dir, ".gitignore", "# tarn's local state: warehouse, checkpoints, event log\n.tarn/\n") < 0)
        goto out;
    printf("Created a tarn project in %s\n"
           "  %s                   the manifest\n"
           "  transformations/hello.sql   a first dataset\n"
           "Next: tarn%s%s run\n", dir, MAN_FILE, strcmp(dir, ".") ? " -C " : "",
           strcmp(dir, ".") ? dir : "");
    rc = CLI_OK;
out:
    free(err);
    free(manpath);
    free(dir);
    return rc;
}

static const cli_opt opts[] = {{NULL, 0, NULL, false, NULL}};

const cli_cmd cli_cmd_init = {
    "init", "[DIR]", "create a new project (in DIR, default the current folder)",
    "Writes tarn.json, transformations/hello.sql and a .gitignore for .tarn/.\n"
    "DIR is created when missing; an existing project is never overwritten.",
    opts, 0, 1, exec_init};
