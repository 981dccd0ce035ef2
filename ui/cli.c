/*
 * cli.c - command table, option parsing and generated help (see cli.h).
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const cli_cmd *const cli_commands[] = {
    &cli_cmd_ui, &cli_cmd_init, &cli_cmd_validate, &cli_cmd_run, &cli_cmd_preview,
    &cli_cmd_graph, &cli_cmd_node, &cli_cmd_events, NULL};

/* ======================= help ======================= */

static void print_main_help(FILE *f)
{
    fprintf(f,
        "tarn %s - a terminal IDE for declarative data pipelines\n\n"
        "Usage: tarn [-C DIR]                       the full-screen IDE (on a terminal)\n"
        "       tarn [-C DIR] COMMAND [OPTIONS] [ARGS]\n"
        "       tarn --help | --version\n\n"
        "Commands:\n", TARN_VERSION);
    for (int i = 0; cli_commands[i]; i++) {
        const cli_cmd *c = cli_commands[i];
        char head[64];
        snprintf(head, sizeof head, "%s %s", c->name, c->usage);
        fprintf(f, "  %-30s %s\n", head, c->summary);
    }
    fprintf(f,
        "\nGlobal options:\n"
        "  -C DIR                         run in project folder DIR instead of the current one\n"
        "  -h, --help                     show this help (tarn COMMAND --help: a command's)\n"
        "  -V, --version                  show the version\n\n"
        "Exit status: 0 success, 1 failure (problems found, update FAILED), 2 usage error,\n"
        "130 canceled (Ctrl-C).\n");
}

static void print_cmd_help(FILE *f, const cli_cmd *c)
{
    fprintf(f, "Usage: tarn [-C DIR] %s %s\n\n%s\n\n%s\n", c->name, c->usage, c->summary,
            c->help);
    fprintf(f, "\nOptions:\n");
    for (const cli_opt *o = c->opts; o && o->name; o++) {
        char head[64];
        int n = 0;
        if (o->shrt) n = snprintf(head, sizeof head, "-%c, ", o->shrt);
        snprintf(head + n, sizeof head - (size_t)n, "--%s%s%s", o->name, o->arg ? " " : "",
                 o->arg ? o->arg : "");
        fprintf(f, "  %-30s %s%s\n", head, o->help, o->repeat ? " (repeatable)" : "");
    }
    fprintf(f, "  %-30s %s\n", "-h, --help", "show this help");
}

/* ======================= messages ======================= */

int cli_usage_error(const cli_args *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tarn %s: ", a->cmd->name);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(see 'tarn %s --help')\n", a->cmd->name);
    va_end(ap);
    return CLI_USAGE;
}

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tarn: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CLI_FAIL;
}

void cli_print_diags(FILE *f, const diag_list *d)
{
    for (size_t i = 0; i < d->items.n; i++) {
        char *line = diag_format(&d->items.v[i]);
        fprintf(f, "%s\n", line);
        free(line);
    }
}

int cli_load_project(const cli_args *a, project *p, diag_list *d)
{
    int rc = prj_load(p, a->dir, cli_all(a, "param"), d);
    diag_sort(d);
    return rc;
}

/* ======================= option access ======================= */

static int opt_index(const cli_cmd *c, const char *name)
{
    for (int i = 0; c->opts && c->opts[i].name; i++)
        if (!strcmp(c->opts[i].name, name)) return i;
    return -1;
}

bool cli_has(const cli_args *a, const char *name)
{
    int i = opt_index(a->cmd, name);
    return i >= 0 && a->vals[i].n > 0;
}

const char *cli_get(const cli_args *a, const char *name, const char *dflt)
{
    int i = opt_index(a->cmd, name);
    return i >= 0 && a->vals[i].n ? a->vals[i].v[a->vals[i].n - 1] : dflt;
}

const strvec *cli_all(const cli_args *a, const char *name)
{
    static const strvec empty = {0};
    int i = opt_index(a->cmd, name);
    return i >= 0 ? &a->vals[i] : &empty;
}

void cli_list(const cli_args *a, const char *name, strvec *out)
{
    const strvec *v = cli_all(a, name);
    for (size_t i = 0; i < v->n; i++) strvec_split(out, v->v[i]);
}

/* ======================= parsing ======================= */

static const cli_opt *find_long(const cli_cmd *c, const char *name, size_t len)
{
    for (const cli_opt *o = c->opts; o && o->name; o++)
        if (strlen(o->name) == len && !strncmp(o->name, name, len)) return o;
    return NULL;
}

static const cli_opt *find_short(const cli_cmd *c, char s)
{
    for (const cli_opt *o = c->opts; o && o->name; o++)
        if (o->shrt == s) return o;
    return NULL;
}

/* Parses the command's arguments into a; returns -1 (after printing) on a
 * usage error and 1 when help was asked for. */
static int parse_args(cli_args *a, int argc, char **argv)
{
    const cli_cmd *c = a->cmd;
    bool only_pos = false;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (only_pos || arg[0] != '-' || !arg[1]) {
            VEC_PUSH(&a->pos, xstrdup(arg));
            continue;
        }
        if (!strcmp(arg, "--")) {
            only_pos = true;
            continue;
        }
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) return 1;
        const cli_opt *o;
        const char *val = NULL;
        if (arg[1] == '-') {
            const char *eq = strchr(arg + 2, '=');
            size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
            o = find_long(c, arg + 2, len);
            if (eq) val = eq + 1;
        } else {
            o = arg[2] ? NULL : find_short(c, arg[1]);
        }
        if (!o) {
            cli_usage_error(a, "unknown option '%s'", arg);
            return -1;
        }
        if (o->arg && !val) {
            if (i + 1 >= argc) {
                cli_usage_error(a, "option --%s needs a value (%s)", o->name, o->arg);
                return -1;
            }
            val = argv[++i];
        } else if (!o->arg && val) {
            cli_usage_error(a, "option --%s takes no value", o->name);
            return -1;
        }
        strvec *vals = &a->vals[o - c->opts];
        if (vals->n && !o->repeat) {
            cli_usage_error(a, "option --%s is given twice", o->name);
            return -1;
        }
        VEC_PUSH(vals, xstrdup(val ? val : ""));
    }
    int p = opt_index(c, "param");
    for (size_t k = 0; p >= 0 && k < a->vals[p].n; k++) {
        const char *kv = a->vals[p].v[k], *eq = strchr(kv, '=');
        if (!eq || eq == kv) {
            cli_usage_error(a, "--param wants KEY=VALUE, not '%s'", kv);
            return -1;
        }
    }
    if ((int)a->pos.n < c->min_pos || (int)a->pos.n > c->max_pos) {
        if (c->max_pos == 0) cli_usage_error(a, "unexpected argument '%s'", a->pos.v[0]);
        else cli_usage_error(a, "expected %s", c->usage);
        return -1;
    }
    return 0;
}

static const cli_cmd *find_command(const char *name)
{
    for (int i = 0; cli_commands[i]; i++)
        if (!strcmp(cli_commands[i]->name, name)) return cli_commands[i];
    return NULL;
}

static int run_command(const cli_cmd *c, const char *dir, int argc, char **argv)
{
    size_t nopts = 0;
    while (c->opts && c->opts[nopts].name) nopts++;
    cli_args a = {c, dir, {0}, xcalloc(nopts + 1, sizeof(strvec))};
    int rc = parse_args(&a, argc, argv);
    if (rc == 1) {
        print_cmd_help(stdout, c);
        rc = CLI_OK;
    } else if (rc < 0) {
        rc = CLI_USAGE;
    } else {
        rc = c->exec(&a);
    }
    for (size_t i = 0; i < nopts; i++) strvec_free(&a.vals[i]);
    free(a.vals);
    strvec_free(&a.pos);
    return rc;
}

int cli_main(int argc, char **argv)
{
    const char *dir = ".";
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            print_main_help(stdout);
            return CLI_OK;
        }
        if (!strcmp(arg, "-V") || !strcmp(arg, "--version")) {
            printf("tarn %s\n", TARN_VERSION);
            return CLI_OK;
        }
        if (!strcmp(arg, "-C") && i + 1 >= argc) {
            fprintf(stderr, "tarn: option -C needs a value (DIR) (see 'tarn --help')\n");
            return CLI_USAGE;
        }
        if (!strcmp(arg, "-C")) {
            dir = argv[++i];
        } else if (!strncmp(arg, "-C", 2) && arg[2]) {
            dir = arg + 2;
        } else {
            fprintf(stderr, "tarn: unknown option '%s' (see 'tarn --help')\n", arg);
            return CLI_USAGE;
        }
    }
    if (i >= argc) { /* on a terminal: the IDE; elsewhere: how to use tarn */
        if (isatty(0) && isatty(1)) return run_command(&cli_cmd_ui, dir, 0, argv + i);
        print_main_help(stderr);
        fprintf(stderr, "\ntarn: no command given (alone on a terminal, tarn opens the IDE)\n");
        return CLI_USAGE;
    }
    const cli_cmd *c = find_command(argv[i]);
    if (!c) {
        fprintf(stderr, "tarn: unknown command '%s' (see 'tarn --help')\n", argv[i]);
        return CLI_USAGE;
    }
    return run_command(c, dir, argc - i - 1, argv + i + 1);
}
