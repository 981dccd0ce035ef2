/*
 * cli.h - the tarn command line: one table of commands (name, arguments,
 * options, help, exec function), from which parsing, `tarn --help` and
 * `tarn CMD --help` are all generated, so the help cannot drift from what
 * the parser accepts. Each command lives in its own file cli_<name>.c.
 */
#ifndef TARN_CLI_H
#define TARN_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "diag.h"
#include "project.h"
#include "util.h"

/* Exit codes. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2, CLI_CANCELED = 130 };

typedef struct cli_opt {
    const char *name;  /* long name without "--" */
    char shrt;         /* short letter or 0 */
    const char *arg;   /* argument name, or NULL for a flag */
    bool repeat;       /* may be given more than once */
    const char *help;
} cli_opt;

typedef struct cli_args {
    const struct cli_cmd *cmd;
    const char *dir;    /* -C DIR, or "." */
    strvec pos;         /* positional arguments */
    strvec *vals;       /* per option of cmd->opts: the values given ("" for flags) */
} cli_args;

typedef struct cli_cmd {
    const char *name;
    const char *usage;     /* after "tarn [-C DIR] NAME " */
    const char *summary;   /* one line for tarn --help */
    const char *help;      /* paragraphs for tarn NAME --help */
    const cli_opt *opts;   /* terminated by a {NULL} entry */
    int min_pos, max_pos;  /* positional argument count bounds */
    int (*exec)(const cli_args *a);
} cli_cmd;

/* The commands, in the order help lists them (cli.c). */
extern const cli_cmd *const cli_commands[];

/* Entry point: parses argv and runs the command; returns the exit code. */
int cli_main(int argc, char **argv);

/* ---- for command implementations ---- */

/* true when option name was given. */
bool cli_has(const cli_args *a, const char *name);
/* The last value of option name, or dflt. */
const char *cli_get(const cli_args *a, const char *name, const char *dflt);
/* Every value of a repeatable option (never NULL). */
const strvec *cli_all(const cli_args *a, const char *name);
/* Values of a repeatable option, each split at commas, appended to out. */
void cli_list(const cli_args *a, const char *name, strvec *out);
/* Prints "tarn CMD: message" to stderr; returns CLI_USAGE. */
int cli_usage_error(const cli_args *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints "tarn: message" to stderr; returns CLI_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints every problem as file:line:col: level: message to f. */
void cli_print_diags(FILE *f, const diag_list *d);
/* Loads the project of a->dir with its --param values; prints problems to
 * stderr. Returns 0, or -1 when it has errors (the project must still be
 * freed). */
int cli_load_project(const cli_args *a, project *p, diag_list *d);

/* ---- the commands ---- */
extern const cli_cmd cli_cmd_ui, cli_cmd_init, cli_cmd_validate, cli_cmd_run, cli_cmd_preview,
    cli_cmd_graph, cli_cmd_node, cli_cmd_events;

#endif
