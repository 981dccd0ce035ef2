/*
 * test_cli.c - end-to-end tests of the tarn command line: each test makes a
 * project in a temporary folder, runs the real tarn binary on it and checks
 * the exit status, what it printed, and (with SQL) the warehouse and the
 * event log it left behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cliassert.h"
#include "testsupport.h"

/* ======================= helpers ======================= */

static bool file_exists(const char *dir, const char *rel)
{
    char *p = ts_path(dir, rel);
    struct stat st;
    bool ok = stat(p, &st) == 0;
    free(p);
    return ok;
}

static char *read_text(const char *dir, const char *rel)
{
    char *p = ts_path(dir, rel);
    FILE *f = fopen(p, "rb");
    free(p);
    if (!f) return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 1024) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    buf[len] = 0;
    return buf;
}

/* SQL on the project's warehouse / state database. */
static long long wh_int(const char *dir, const char *sql)
{
    char *p = ts_path(dir, ".tarn/warehouse.db");
    long long v = ts_sql_int(p, sql, -999);
    free(p);
    return v;
}

static long long st_int(const char *dir, const char *sql)
{
    char *p = ts_path(dir, ".tarn/state.db");
    long long v = ts_sql_int(p, sql, -999);
    free(p);
    return v;
}

static void wh_exec(const char *dir, const char *sql)
{
    char *tarndir = ts_path(dir, ".tarn");
    mkdir(tarndir, 0777);
    free(tarndir);
    char *p = ts_path(dir, ".tarn/warehouse.db");
    assert_int_equal(ts_sql_exec(p, sql), 0);
    free(p);
}

/* Inserts rows id = from..to into an external source table src(id, v). */
static void add_src_rows(const char *dir, long long from, long long to)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "CREATE TABLE IF NOT EXISTS src(id INTEGER, v TEXT);"
             "WITH RECURSIVE c(i) AS (SELECT %lld UNION ALL SELECT i + 1 FROM c WHERE i < %lld)"
             " INSERT INTO src SELECT i, 'v' || i FROM c;", from, to);
    wh_exec(dir, sql);
}

static void write_manifest(const char *dir, const char *name, const char *config)
{
    char text[1024];
    snprintf(text, sizeof text,
             "{\n  \"name\": \"%s\",\n  \"libraries\": [\"transformations/**/*.sql\"],\n"
             "  \"configuration\": %s,\n  \"warehouse\": \".tarn/warehouse.db\"\n}\n",
             name, config ? config : "{}");
    assert_int_equal(ts_write_file(dir, "tarn.json", text), 0);
}

/* The standard pipeline of these tests, over an external table src:
 *   raw    streaming table   <- STREAM src
 *   agg    materialized view <- raw
 *   evens  streaming table   <- STREAM raw (FAIL UPDATE expectation 'positive')
 *   scaled temporary view    <- raw (uses ${factor})
 *   total  materialized view <- scaled
 * raw and agg are in base.sql, the others in more.sql. */
static const char base_sql[] =
    "-- the raw events, appended as they arrive\n"
    "CREATE STREAMING TABLE raw AS SELECT id, v FROM STREAM(src);\n"
    "CREATE MATERIALIZED VIEW agg AS SELECT count(*) AS n, sum(id) AS s FROM raw;\n";
static const char more_sql[] =
    "CREATE STREAMING TABLE evens (\n"
    "  CONSTRAINT positive EXPECT (id > 0) ON VIOLATION FAIL UPDATE\n"
    ") AS SELECT id, v FROM STREAM(raw) WHERE id % 2 = 0;\n"
    "CREATE TEMPORARY VIEW scaled AS SELECT id * ${factor} AS x FROM raw;\n"
    "CREATE MATERIALIZED VIEW total AS SELECT sum(x) AS t FROM scaled;\n";

static void make_pipeline(const char *dir, long long src_rows)
{
    write_manifest(dir, "pipe", "{\"factor\": \"2\"}");
    assert_int_equal(ts_write_file(dir, "transformations/base.sql", base_sql), 0);
    assert_int_equal(ts_write_file(dir, "transformations/more.sql", more_sql), 0);
    if (src_rows > 0) add_src_rows(dir, 1, src_rows);
}

/* Number of lines of text that start with prefix. */
static int lines_starting(const char *text, const char *prefix)
{
    int n = 0;
    size_t len = strlen(prefix);
    for (const char *l = text; l && *l;) {
        if (!strncmp(l, prefix, len)) n++;
        l = strchr(l, '\n');
        if (l) l++;
    }
    return n;
}

/* The first line of text starting with prefix (a new string), or NULL. */
static char *line_starting(const char *text, const char *prefix)
{
    size_t len = strlen(prefix);
    for (const char *l = text; l && *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        if (!strncmp(l, prefix, len)) {
            char *s = malloc(n + 1);
            memcpy(s, l, n);
            s[n] = 0;
            return s;
        }
        l = e ? e + 1 : NULL;
    }
    return NULL;
}

/* Asserts that a line starting with prefix exists and contains each of the
 * NULL-terminated needles. */
static void assert_line(const char *text, const char *prefix, ...)
{
    char *line = line_starting(text, prefix);
    if (!line) fail_msg("no line starting with '%s' in:\n%s", prefix, text);
    va_list ap;
    va_start(ap, prefix);
    const char *needle;
    while ((needle = va_arg(ap, const char *))) {
        if (!strstr(line, needle)) {
            va_end(ap);
            fail_msg("line '%s' lacks '%s'", line, needle);
        }
    }
    va_end(ap);
    free(line);
}


static void run_ok(const char *dir)
{
    ts_proc r;
    TARN(&r, 0, dir, "run");
    ts_proc_free(&r);
}

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) < 0 && errno == EINTR) {
    }
}

/* ---- a tarn process in the background (fork/exec), for cancel and lock ---- */

typedef struct bgproc {
    pid_t pid;
    int ofd, efd;
} bgproc;

static void bg_start(bgproc *b, const char *dir, const char *cmd)
{
    char outpath[] = "/tmp/tarn-bgout-XXXXXX", errpath[] = "/tmp/tarn-bgerr-XXXXXX";
    b->ofd = mkstemp(outpath);
    b->efd = mkstemp(errpath);
    assert_true(b->ofd >= 0 && b->efd >= 0);
    unlink(outpath);
    unlink(errpath);
    b->pid = fork();
    assert_true(b->pid >= 0);
    if (b->pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(b->ofd, 1);
        dup2(b->efd, 2);
        execl(TARN_BIN, "tarn", "-C", dir, cmd, (char *)NULL);
        _exit(127);
    }
}

static char *slurp(int fd)
{
    lseek(fd, 0, SEEK_SET);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    ssize_t n;
    while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
        len += (size_t)n;
        if (cap - len < 1024) buf = realloc(buf, cap *= 2);
    }
    buf[len] = 0;
    close(fd);
    return buf;
}

/* Waits for the process; returns its exit status (128+N for signal N). */
static int bg_wait(bgproc *b, char **out, char **err)
{
    int st = 0;
    while (waitpid(b->pid, &st, 0) < 0 && errno == EINTR) {
    }
    *out = slurp(b->ofd);
    *err = slurp(b->efd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Waits (up to 20 s) until update id of dir is RUNNING in state.db. */
static bool wait_running(const char *dir, int id)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM updates WHERE id = %d AND state = 'RUNNING'",
             id);
    for (int i = 0; i < 2000; i++) {
        if (file_exists(dir, ".tarn/state.db") &&
            st_int(dir, "SELECT count(*) FROM sqlite_master WHERE name = 'updates'") == 1 &&
            st_int(dir, sql) == 1)
            return true;
        sleep_ms(10);
    }
    return false;
}

/* ======================= global: version, help, usage ======================= */

static void test_version(void **state)
{
    (void)state;
    ts_proc r;
    assert_int_equal(ts_tarn(&r, NULL, "--version", NULL), 0);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "tarn " TARN_VERSION "\n");
    /* X.Y.Z */
    int x, y, z;
    char end;
    assert_int_equal(sscanf(r.out, "tarn %d.%d.%d%c", &x, &y, &z, &end), 4);
    assert_int_equal(end, '\n');
    ts_proc_free(&r);
    assert_int_equal(ts_tarn(&r, NULL, "-V", NULL), 0);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "tarn " TARN_VERSION "\n");
    ts_proc_free(&r);
}

static const char *const commands[] = {"ui", "init", "validate", "run", "preview",
                                       "graph", "node", "events", NULL};

static void test_main_help(void **state)
{
    (void)state;
    const char *flags[] = {"--help", "-h"};
    for (int k = 0; k < 2; k++) {
        ts_proc r;
        assert_int_equal(ts_tarn(&r, NULL, flags[k], NULL), 0);
        assert_int_equal(r.status, 0);
        assert_string_equal(r.err, "");
        assert_contains(r.out, "tarn [-C DIR] COMMAND");
        assert_contains(r.out, "the full-screen IDE");
        for (int i = 0; commands[i]; i++) {
            char prefix[32];
            snprintf(prefix, sizeof prefix, "  %s ", commands[i]);
            assert_int_equal(lines_starting(r.out, prefix), 1);
        }
        assert_contains(r.out, "-C DIR");
        assert_contains(r.out, "--version");
        ts_proc_free(&r);
    }
}

/* Each command's --help names every option it accepts. */
static void test_command_help(void **state)
{
    (void)state;
    static const struct {
        const char *cmd;
        const char *opts[9];
    } table[] = {
        {"init", {NULL}},
        {"validate", {"--param KEY=VALUE", NULL}},
        {"run", {"--full-refresh ", "-s, --select A,B", "--full-refresh-select A,B",
                 "--param KEY=VALUE", NULL}},
        {"preview", {"--sql QUERY", "-n, --limit N", "-f, --format FMT", "--param KEY=VALUE",
                     NULL}},
        {"graph", {"-f, --format FMT", "--param KEY=VALUE", NULL}},
        {"node", {"-i, --input NAME", "-p, --params JSON", "-f, --file FILE", "--json",
                  "--save", "--force", "--param KEY=VALUE", NULL}},
        {"events", {"-u, --update ID", "--level LEVEL", "-t, --type TYPE", "-d, --dataset NAME",
                    "-n, --limit N", "--oldest-first", "-f, --format FMT", NULL}},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        for (int form = 0; form < 2; form++) {
            ts_proc r;
            assert_int_equal(ts_tarn(&r, NULL, table[i].cmd, form ? "-h" : "--help", NULL), 0);
            assert_int_equal(r.status, 0);
            char usage[64];
            snprintf(usage, sizeof usage, "Usage: tarn [-C DIR] %s", table[i].cmd);
            assert_int_equal(strncmp(r.out, usage, strlen(usage)), 0);
            for (int k = 0; table[i].opts[k]; k++) assert_contains(r.out, table[i].opts[k]);
            /* a command without options lists none, not even -h */
            if (table[i].opts[0]) assert_contains(r.out, "-h, --help");
            ts_proc_free(&r);
        }
    }
    /* help wins over a missing project: nothing is read */
    ts_proc r;
    assert_int_equal(ts_tarn(&r, "/", "run", "--help", NULL), 0);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "Exit status: 0 COMPLETED, 1 FAILED, 130 CANCELED");
    ts_proc_free(&r);
}

static void expect_usage(const char *cwd, const char *want_err, ...)
{
    char *argv[16];
    int n = 0;
    argv[n++] = (char *)"tarn";
    va_list ap;
    va_start(ap, want_err);
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 15) argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    ts_proc r;
    assert_int_equal(ts_tarnv(&r, cwd, argv), 0);
    if (r.status != 2) fail_msg("%s: exit %d, expected 2 (stderr: %s)", argv[1], r.status, r.err);
    assert_contains(r.err, want_err);
    assert_string_equal(r.out, "");
    ts_proc_free(&r);
}

static void test_usage_errors(void **state)
{
    const char *dir = *state;
    make_pipeline(dir, 0);
    expect_usage(dir, "tarn: unknown command 'frobnicate'", "frobnicate", NULL);
    expect_usage(dir, "tarn: unknown option '--bogus'", "--bogus", "run", NULL);
    expect_usage(dir, "tarn run: unknown option '--bogus'", "run", "--bogus", NULL);
    expect_usage(dir, "tarn run: unknown option '-x'", "run", "-x", NULL);
    expect_usage(dir, "tarn preview: option --limit needs a value", "preview", "agg", "--limit",
                 NULL);
    expect_usage(dir, "tarn run: option --select needs a value", "run", "-s", NULL);
    expect_usage(dir, "tarn run: option --full-refresh takes no value", "run",
                 "--full-refresh=yes", NULL);
    expect_usage(dir, "tarn validate: unexpected argument 'extra'", "validate", "extra", NULL);
    expect_usage(dir, "tarn graph: --format must be text, dot or json", "graph", "--format",
                 "xml", NULL);
    expect_usage(dir, "tarn preview: --format must be table, csv or json", "preview", "agg",
                 "-f", "xml", NULL);
    expect_usage(dir, "tarn preview: --limit wants a number", "preview", "agg", "-n", "ten",
                 NULL);
    expect_usage(dir, "tarn preview: give either a dataset NAME or --sql", "preview", NULL);
    expect_usage(dir, "tarn preview: give either a dataset NAME or --sql, not both", "preview",
                 "agg", "--sql", "SELECT 1", NULL);
    expect_usage(dir, "tarn events: --update wants an update number", "events", "--update",
                 "x", NULL);
    expect_usage(dir, "tarn events: --limit wants a number", "events", "--limit", "abc", NULL);
    expect_usage(dir, "option -C needs a value", "-C", NULL);
    expect_usage(dir, "(see 'tarn run --help')", "run", "--nope", NULL);
    /* no command at all: the help on stderr, exit 2 */
    ts_proc r;
    assert_int_equal(ts_tarn(&r, dir, NULL), 0);
    assert_int_equal(r.status, 2);
    assert_string_equal(r.out, "");
    assert_contains(r.err, "Usage: tarn");
    assert_contains(r.err, "no command given");
    ts_proc_free(&r);
    assert_int_equal(ts_tarn(&r, dir, "-C", dir, NULL), 0);
    assert_int_equal(r.status, 2);
    ts_proc_free(&r);
    /* none of these ran anything */
    assert_false(file_exists(dir, ".tarn"));
}

/* ======================= init ======================= */

static void test_init(void **state)
{
    const char *dir = *state;
    ts_proc r;
    assert_int_equal(ts_tarn(&r, dir, "init", "sales_mart", NULL), 0);
    assert_int_equal(r.status, 0);
    assert_contains(r.out, "Created a tarn project");
    ts_proc_free(&r);
    char *proj = ts_path(dir, "sales_mart");

    char *man = read_text(proj, "tarn.json");
    assert_non_null(man);
    cJSON *j = cJSON_Parse(man);
    assert_non_null(j);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(j, "name");
    assert_true(cJSON_IsString(name));
    assert_string_equal(name->valuestring, "sales_mart");
    const cJSON *libs = cJSON_GetObjectItemCaseSensitive(j, "libraries");
    assert_true(cJSON_IsArray(libs));
    assert_true(cJSON_GetArraySize(libs) >= 1);
    assert_true(cJSON_IsString(cJSON_GetArrayItem(libs, 0)));
    assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "configuration")));
    const cJSON *wh = cJSON_GetObjectItemCaseSensitive(j, "warehouse");
    assert_true(cJSON_IsString(wh));
    assert_string_equal(wh->valuestring, ".tarn/warehouse.db");
    cJSON_Delete(j);

    char *hello = read_text(proj, "transformations/hello.sql");
    assert_non_null(hello);
    assert_contains(hello, "CREATE MATERIALIZED VIEW hello");
    char *gi = read_text(proj, ".gitignore");
    assert_non_null(gi);
    assert_int_equal(lines_starting(gi, ".tarn/"), 1);
    assert_false(file_exists(proj, ".tarn"));

    /* a second init refuses and leaves the user's edits alone */
    const char *edited = "{\"name\": \"mine\", \"libraries\": [\"transformations/**/*.sql\"]}\n";
    assert_int_equal(ts_write_file(proj, "tarn.json", edited), 0);
    assert_int_equal(ts_tarn(&r, dir, "init", "sales_mart", NULL), 0);
    assert_int_equal(r.status, 1);
    assert_contains(r.err, "already exists");
    ts_proc_free(&r);
    assert_int_equal(ts_tarn(&r, proj, "init", NULL), 0);
    assert_int_equal(r.status, 1);
    ts_proc_free(&r);
    char *after = read_text(proj, "tarn.json");
    assert_string_equal(after, edited);
    char *hello2 = read_text(proj, "transformations/hello.sql");
    assert_string_equal(hello2, hello);

    /* the new project runs as is */
    assert_int_equal(ts_write_file(proj, "tarn.json", man), 0);
    TARN(&r, 0, proj, "run");
    assert_contains(r.out, "COMPLETED");
    ts_proc_free(&r);
    assert_int_equal(wh_int(proj, "SELECT count(*) FROM hello"), 1);
    char *whp = ts_path(proj, ".tarn/warehouse.db");
    char *g = ts_sql_text(whp, "SELECT greeting FROM hello");
    assert_string_equal(g, "world");
    free(g);
    free(whp);

    /* init without DIR names the project after the current folder */
    char *other = ts_path(dir, "plain-folder");
    assert_int_equal(mkdir(other, 0777), 0);
    assert_int_equal(ts_tarn(&r, other, "init", NULL), 0);
    assert_int_equal(r.status, 0);
    ts_proc_free(&r);
    char *man2 = read_text(other, "tarn.json");
    j = cJSON_Parse(man2);
    assert_non_null(j);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "name")->valuestring, "plain-folder");
    cJSON_Delete(j);

    free(man2);
    free(other);
    free(after);
    free(hello2);
    free(gi);
    free(hello);
    free(man);
    free(proj);
}

/* ======================= validate ======================= */

static void test_validate_ok(void **state)
{
    const char *dir = *state;
    make_pipeline(dir, 3);
    ts_proc r;
    TARN(&r, 0, dir, "validate");
    assert_string_equal(r.out, "ok: 5 datasets, 5 flows in 2 files\n");
    ts_proc_free(&r);
    /* validate never writes the warehouse nor the state */
    assert_false(file_exists(dir, ".tarn/state.db"));
    assert_int_equal(wh_int(dir, "SELECT count(*) FROM sqlite_master WHERE name = 'raw'"), 0);
}

static void test_validate_problems(void **state)
{
    const char *dir = *state;
    write_manifest(dir, "bad", NULL);
    assert_int_equal(ts_write_file(dir, "transformations/b.sql",
        "-- a comment line\n"
        "CREATE MATERIALIZED VIEW b1 AS SELECT * FROM missing_table;\n"
        "CREATE STREAMING TABLE b2 AS SELECT x FROM STREAM(b3);\n"
        "CREATE STREAMING TABLE b3 AS SELECT x FROM STREAM(b2);\n"), 0);
    assert_int_equal(ts_write_file(dir, "transformations/a.sql",
        "CREATE MATERIALIZED VIEW ok1 AS SELECT 1 AS one;\n"
        "CREATE MATERIALIZED VIEW a1 AS SELECT nosuchcol FROM ok1;\n"
        "CREATE MATERIALIZED VIEW a2 AS SELEC 1;\n"), 0);
    ts_proc r;
    TARN(&r, 1, dir, "validate");
    /* every problem, sorted by file then line, each as file:line:col: error: */
    const char *want[] = {
        "transformations/a.sql:2:39: error: ", "nosuchcol",
        "transformations/a.sql:3:32: error: ", "SELEC",
        "transformations/b.sql:2:46: error: ", "missing_table",
        "transformations/b.sql:3:24: error: ", "cycle",
    };
    const char *l = r.out;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i += 2) {
        if (strncmp(l, want[i], strlen(want[i])))
            fail_msg("expected a line starting '%s' at:\n%s", want[i], l);
        const char *e = strchr(l, '\n');
        assert_non_null(e);
        char *line = strndup(l, (size_t)(e - l));
        assert_contains(line, want[i + 1]);
        free(line);
        l = e + 1;
    }
    assert_string_equal(l, "4 errors, 0 warnings\n");
    assert_contains(r.out, "b2 -> b3 -> b2");
    ts_proc_free(&r);
}

static void test_validate_manifest(void **state)
{
    const char *dir = *state;
    /* no tarn.json */
    ts_proc r;
    TARN(&r, 1, dir, "validate");
    assert_contains(r.out, "has no tarn.json: not a tarn project");
    assert_contains(r.out, "tarn init");
    ts_proc_free(&r);
    /* the other commands say the same and create nothing */
    TARN(&r, 1, dir, "run");
    assert_contains(r.err, "not a tarn project");
    ts_proc_free(&r);
    TARN(&r, 1, dir, "graph");
    assert_contains(r.err, "not a tarn project");
    ts_proc_free(&r);
    assert_false(file_exists(dir, ".tarn"));
    /* malformed JSON: the position of the problem */
    assert_int_equal(ts_write_file(dir, "tarn.json",
                                   "{\n  \"name\": \"x\",\n  \"libraries\": [,\n}\n"), 0);
    TARN(&r, 1, dir, "validate");
    assert_line(r.out, "tarn.json:3:17: error: ", "malformed JSON", NULL);
    assert_line(r.out, "1 error", NULL);
    ts_proc_free(&r);
}

/* ======================= run ======================= */

static void test_run_completed(void **state)
{
    const char *dir = *state;
    make_pipeline(dir, 10);
    ts_proc r;
    TARN(&r, 0, dir, "run");
    assert_int_equal(lines_starting(r.out, "Update #1 started by cli"), 1);
    /* one line per stored dataset's flow (the temporary view has none) */
    assert_line(r.out, "  raw ", "COMPLETED", " 10 rows", NULL);
    assert_line(r.out, "  agg ", "COMPLETED", " 1 row ", NULL);
    assert_line(r.out, "  evens ", "COMPLETED", " 5 rows", NULL);
    assert_line(r.out, "  total ", "COMPLETED", " 1 row ", NULL);
    assert_int_equal(lines_starting(r.out, "  "), 4);
    assert_line(r.out, "Update #1 COMPLETED", "4 refreshed, 0 up to date, 0 failed", NULL);
    assert_string_equal(r.err, "");
    ts_proc_free(&r);
    assert_int_equal(wh_int(dir, "SELECT count(*) FROM raw"), 10);
    assert_int_equal(wh_int(dir, "SELECT n * 1000 + s FROM agg"), 10055);
    assert_int_equal(wh_int(dir, "SELECT count(*) FROM evens"), 5);
    assert_int_equal(wh_int(dir, "SELECT t FROM total"), 110);
    assert_int_equal(st_int(dir, "SELECT count(*) FROM updates WHERE state = 'COMPLETED'"), 1);

    /* nothing new: every flow is up to date */
    TARN(&r, 0, dir, "run");
    assert_line(r.out, "  raw ", "UP TO DATE", NULL);
    assert_line(r.out, "  total ", "UP TO DATE", NULL);
    assert_line(r.out, "Update #2 COMPLETED", "0 refreshed, 4 up to date, 0 failed", NULL);
    ts_proc_free(&r);
}

static void test_run_fail_update(void **state)
{
    const char *dir = *state;
    make_pipeline(dir, 10);
    run_ok(dir);
    wh_exec(dir, "INSERT INTO src VALUES (-4, 'bad'), (12, 'v12')");
    ts_proc r;
    TARN(&r, 1, dir, "run");
    assert_line(r.out, "  evens ", "FAILED", "positive", NULL);
    assert_contains(r.out, "expectation 'positive'");
    assert_line(r.out, "  raw ", "COMPLETED", " 2 rows", NULL);
    assert_line(r.out, "Update #2 FAILED", "1 failed", NULL);
    assert_contains(r.err, "1 dataset failed: evens");
    ts_proc_free(&r);
    /* the failing flow rolled back: rows and checkpoint as before */
    assert_int_equal(wh_int(dir, "SELECT count(*) FROM evens"), 5);
    assert_int_equal(wh_int(dir, "SELECT position FROM _tarn_checkpoints WHERE flow = 'evens'"), 10);
    assert_int_equal(wh_int(dir, "SELECT count(*) FROM raw"), 12);
    assert_int_equal(st_int(dir, "SELECT count(*) FROM updates WHERE id = 2 AND state = 'FAILED'"),
                     1);
    /* the fix: drop the bad row at the source, reset evens */
    wh_exec(dir, "DELETE FROM raw WHERE id < 0");
    TARN(&r, 0, dir, "run", "--full-refresh-select", "evens");
    ts_proc_free(&r);
    assert_int_equal(wh_int(dir, "SELECT count(*) FROM evens"), 6);
}

static void test_run_select(void **state)
{
    const char *dir = *state;
    make_pipeline(dir, 10);
    run_ok(dir);
    add_src_rows(dir, 11, 14);
    ts_proc r;
    TARN(&r, 0, dir, "run", "--select", "raw,agg");
    assert_line(r.out, "  raw ", "COMPLETED", " 4 rows", NULL);
    assert_line(r.out, "  agg ", "COMPLETED", NULL);
    assert_line(r.out, "  evens ", "EXCLUDED", NULL);
    assert_line(r.out, "  total ", "EXCLUDED", NULL);
    assert_line(r.out, "Update #2 COMPLETED", "2 refreshed", NULL);
    ts_proc_free(&r);
    assert_int_equal(wh_int(dir, "SELECT count(*) FROM raw"), 14);
    assert_int_equal(wh_int(dir, "SELECT n FROM agg"), 14);
    assert_int_equal(wh_int(dir, "SELECT count(*) FROM evens"), 5);
    assert_int_equal(wh_int(dir, "SELECT t FROM total"), 110);
    /* the short option, given twice: both lists count */
    TARN(&r, 0, dir, "run", "-s", "evens", "-s", "total");
    assert_line(r.out, "  raw ", "EXCLUDED", NULL);
    assert_line(r.out, "  evens ", "COMPLETED", " 2 rows", NULL);
    assert_line(r.out, "  total ", "COMPLETED", NULL);
    ts_proc_free(&r);
    assert_int_equal(wh_int(dir, "SELECT count(*) FROM evens"), 7);
    assert_int_equal(wh_int(dir, "SELECT t FROM total"), 2 * (14 * 15 / 2));
    /* an unknown name fails the update and changes nothing */
    TARN(&r, 1, dir, "run", "--select", "raw,nope");
    assert_contains(r.err, "unknown dataset 'nope'");
    ts_proc_free(&r);
}

static void test_run_full_refresh(void **state)
{
    const char *dir = *state;
    make_pipeline(dir, 10);
    run_ok(dir);
    /* rows vanish upstream: streaming tables keep them until a full refresh */
    wh_exec(dir, "DELETE FROM src WHERE id > 6");
    run_ok(dir);
    assert_int_equal(wh_int(dir, "SELECT count(*) FROM raw"), 10);
    ts_proc r;
    TARN(&r, 0, dir, "run", "--full-refresh-select", "raw");
    assert_line(r.out, "  raw ", "COMPLETED", " 6 rows", NULL);
    assert_line(r.out, "  evens ", "EXCLUDED", NULL);
    ts_proc_free(&r);
    assert_int_equal(wh_int(dir, "SELECT count(*) FROM raw"), 6);
    assert_int_equal(wh_int(dir, "SELECT count(*) FROM evens"), 5);
    assert_int_equal(st_int(dir, "SELECT count(*) FROM event_log WHERE update_id = 3 AND "
                                 "message LIKE '%''raw'' was reset%'"), 1);
    /* everything from scratch: exact counts, no duplicates */
    TARN(&r, 0, dir, "run", "--full-refresh");
    assert_contains(r.out, "(full refresh)");
    assert_line(r.out, "  evens ", "COMPLETED", " 3 rows", NULL);
    ts_proc_free(&r);
    assert_int_equal(wh_int(dir, "SELECT count(*) FROM raw"), 6);
    assert_int_equal(wh_int(dir, "SELECT count(*) FROM evens"), 3);
    assert_int_equal(wh_int(dir, "SELECT n FROM agg"), 6);
    assert_int_equal(st_int(dir, "SELECT full_refresh FROM updates WHERE id = 4"), 1);
}

static void test_run_params(void **state)
{
    const char *dir = *state;
    make_pipeline(dir, 4);
    assert_int_equal(ts_write_file(dir, "transformations/p.sql",
                                   "CREATE MATERIALIZED VIEW scaled_const AS "
                                   "SELECT ${factor} * 10 AS m;\n"), 0);
    run_ok(dir);
    assert_int_equal(wh_int(dir, "SELECT m FROM scaled_const"), 20);
    assert_int_equal(wh_int(dir, "SELECT t FROM total"), 20);
    ts_proc r;
    TARN(&r, 0, dir, "run", "--param", "factor=5");
    assert_line(r.out, "  scaled_const ", "COMPLETED", NULL);
    /* total reads the temporary view that uses ${factor}: it must refresh */
    assert_line(r.out, "  total ", "COMPLETED", NULL);
    assert_line(r.out, "  agg ", "UP TO DATE", NULL);
    ts_proc_free(&r);
    assert_int_equal(wh_int(dir, "SELECT m FROM scaled_const"), 50);
    assert_int_equal(wh_int(dir, "SELECT t FROM total"), 50);
    /* --param=... form, and back to the configuration's value */
    TARN(&r, 0, dir, "run", "--param=factor=3");
    ts_proc_free(&r);
    assert_int_equal(wh_int(dir, "SELECT t FROM total"), 30);
    run_ok(dir);
    assert_int_equal(wh_int(dir, "SELECT m FROM scaled_const"), 20);
    assert_int_equal(wh_int(dir, "SELECT t FROM total"), 20);
}

static void test_run_streaming_incremental(void **state)
{
    const char *dir = *state;
    make_pipeline(dir, 0);
    wh_exec(dir, "CREATE TABLE src(id INTEGER, v TEXT)");
    /* an empty source: tables exist, empty */
    run_ok(dir);
    assert_int_equal(wh_int(dir, "SELECT count(*) FROM raw"), 0);
    long long total = 0;
    const long long batches[] = {7, 1, 0, 100};
    for (int b = 0; b < 4; b++) {
        if (batches[b]) add_src_rows(dir, total + 1, total + batches[b]);
        total += batches[b];
        ts_proc r;
        TARN(&r, 0, dir, "run");
        if (batches[b]) {
            char rows[32];
            snprintf(rows, sizeof rows, " %lld %s", batches[b], batches[b] == 1 ? "row " : "rows");
            assert_line(r.out, "  raw ", "COMPLETED", rows, NULL);
        } else {
            assert_line(r.out, "  raw ", "UP TO DATE", NULL);
            assert_line(r.out, "  evens ", "UP TO DATE", NULL);
        }
        ts_proc_free(&r);
        assert_int_equal(wh_int(dir, "SELECT count(*) FROM raw"), total);
        assert_int_equal(wh_int(dir, "SELECT count(DISTINCT id) FROM raw"), total);
        assert_int_equal(wh_int(dir, "SELECT count(*) FROM evens"), total / 2);
        assert_int_equal(wh_int(dir, "SELECT n FROM agg"), total);
        assert_int_equal(wh_int(dir, "SELECT position FROM _tarn_checkpoints "
                                     "WHERE flow = 'raw' AND source = 'src'"), total);
    }
}

/* SIGINT in the middle of a long update: exit 130, CANCELED, and every
 * streaming table holds exactly the rows its checkpoint says it read. */
static void test_run_cancel(void **state)
{
    const char *dir = *state;
    make_pipeline(dir, 10);
    run_ok(dir);
    add_src_rows(dir, 11, 2000000);
    bgproc b;
    bg_start(&b, dir, "run");
    bool running = wait_running(dir, 2);
    sleep_ms(300);
    kill(b.pid, SIGINT);
    char *out, *err;
    int rc = bg_wait(&b, &out, &err);
    assert_true(running);
    if (rc != 130) fail_msg("exit %d\n%s\n%s", rc, out, err);
    assert_line(out, "Update #2 CANCELED", NULL);
    assert_contains(err, "canceling");
    free(out);
    free(err);
    assert_int_equal(st_int(dir, "SELECT count(*) FROM updates WHERE id = 2 AND state = 'CANCELED'"),
                     1);
    /* consistent: each table is its checkpoint window, its row count noted */
    long long raw = wh_int(dir, "SELECT count(*) FROM raw");
    long long evens = wh_int(dir, "SELECT count(*) FROM evens");
    assert_int_equal(raw, wh_int(dir, "SELECT count(*) FROM src WHERE rowid <= "
                                      "(SELECT position FROM _tarn_checkpoints WHERE flow = 'raw')"));
    assert_int_equal(evens, wh_int(dir, "SELECT count(*) FROM raw WHERE id % 2 = 0 AND rowid <= "
                                        "(SELECT position FROM _tarn_checkpoints WHERE flow = 'evens')"));
    assert_int_equal(raw, wh_int(dir, "SELECT rows FROM _tarn_datasets WHERE name = 'raw'"));
    assert_int_equal(evens, wh_int(dir, "SELECT rows FROM _tarn_datasets WHERE name = 'evens'"));
    assert_int_equal(raw, wh_int(dir, "SELECT count(DISTINCT id) FROM raw"));
    assert_true(evens < 1000000); /* the cancel did stop something */
    /* the next update completes with exact counts */
    ts_proc r;
    TARN(&r, 0, dir, "run");
    ts_proc_free(&r);
    assert_int_equal(wh_int(dir, "SELECT count(*) FROM raw"), 2000000);
    assert_int_equal(wh_int(dir, "SELECT count(DISTINCT id) FROM raw"), 2000000);
    assert_int_equal(wh_int(dir, "SELECT count(*) FROM evens"), 1000000);
    assert_int_equal(wh_int(dir, "SELECT n FROM agg"), 2000000);
}

/* A second update of the same project while one runs is refused. */
static void test_run_lock(void **state)
{
    const char *dir = *state;
    make_pipeline(dir, 1500000);
    bgproc b;
    bg_start(&b, dir, "run");
    bool running = wait_running(dir, 1);
    ts_proc r;
    /* refused at once, several times: a run that ends before its waiting
     * thread looks must still exit 1 (not die of its own done-signal) */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(ts_tarn(&r, NULL, "-C", dir, "run", NULL), 0);
        if (r.status != 1) {
            kill(b.pid, SIGKILL);
            fail_msg("refused run %d exited %d:\n%s\n%s", i, r.status, r.out, r.err);
        }
        assert_contains(r.err, "another update");
        assert_contains(r.err, "update #1");
        assert_not_contains(r.out, "Update #2");
        ts_proc_free(&r);
    }
    kill(b.pid, SIGINT); /* no need to wait for the first to finish */
    char *out, *err;
    int rc = bg_wait(&b, &out, &err);
    assert_true(running);
    assert_true(rc == 130 || rc == 0);
    free(out);
    free(err);
    /* the refused run left no trace in the history; the lock is free again */
    assert_int_equal(st_int(dir, "SELECT count(*) FROM updates"), 1);
    assert_int_equal(st_int(dir, "SELECT count(*) FROM updates WHERE state = 'RUNNING'"), 0);
    /* (agg may fail when the cancel left raw without a table: the point is
     * that the update starts) */
    assert_int_equal(ts_tarn(&r, NULL, "-C", dir, "run", "-s", "agg", NULL), 0);
    assert_line(r.out, "Update #2 started", NULL);
    assert_not_contains(r.err, "another update");
    ts_proc_free(&r);
}

/* ======================= preview ======================= */

static const char preview_sql[] =
    "CREATE MATERIALIZED VIEW t AS\n"
    "  SELECT 1 AS id, 'a,b' AS s, NULL AS n, 2.5 AS f\n"
    "  UNION ALL SELECT 2, 'say \"hi\"', 'x', 3\n"
    "  UNION ALL SELECT 3, 'two\nlines', NULL, NULL;\n"
    "CREATE TEMPORARY VIEW big AS SELECT id * ${k} AS k FROM t;\n";

static void make_preview_project(const char *dir)
{
    write_manifest(dir, "pv", "{\"k\": \"10\"}");
    assert_int_equal(ts_write_file(dir, "transformations/t.sql", preview_sql), 0);
}

static void file_stamp(const char *dir, const char *rel, struct stat *st)
{
    char *p = ts_path(dir, rel);
    assert_int_equal(stat(p, st), 0);
    free(p);
}

static void test_preview_before_run(void **state)
{
    const char *dir = *state;
    make_preview_project(dir);
    ts_proc r;
    TARN(&r, 0, dir, "preview", "t");
    assert_string_equal(r.out,
                        " id | s         | n    | f\n"
                        "----+-----------+------+------\n"
                        "  1 | a,b       | NULL |  2.5\n"
                        "  2 | say \"hi\"  | x    |    3\n"
                        "  3 | two lines | NULL | NULL\n"
                        "(3 rows)\n");
    ts_proc_free(&r);
    TARN(&r, 0, dir, "preview", "big", "--param", "k=7", "-f", "csv");
    assert_string_equal(r.out, "k\r\n7\r\n14\r\n21\r\n");
    ts_proc_free(&r);
    TARN(&r, 1, dir, "preview", "nope");
    assert_contains(r.err, "no dataset called 'nope'");
    ts_proc_free(&r);
    /* previewing creates nothing */
    assert_false(file_exists(dir, ".tarn/warehouse.db"));
    assert_false(file_exists(dir, ".tarn"));
}

/* A table only AUTO CDC fills cannot be computed by a preview: before the
 * first run its preview (and that of what reads it) says so, at once. */
static void test_preview_cdc_before_run(void **state)
{
    const char *dir = *state;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp -r '%s/assets/demo/.' '%s' && rm -rf '%s/.tarn'",
             TARN_SOURCE_DIR, dir, dir);
    assert_int_equal(system(cmd), 0);
    ts_proc r;
    TARN(&r, 1, dir, "preview", "customers");
    assert_contains(r.err, "customers is filled by AUTO CDC and has not been stored yet");
    ts_proc_free(&r);
    TARN(&r, 1, dir, "preview", "customer_value");
    assert_contains(r.err, "transformations/03_gold.sql:");
    assert_contains(r.err, "no such table: customers (it is filled by AUTO CDC");
    ts_proc_free(&r);
    TARN(&r, 0, dir, "run");
    ts_proc_free(&r);
    TARN(&r, 0, dir, "preview", "customers", "-f", "csv");
    assert_contains(r.out, "customer_id,");
    ts_proc_free(&r);
}

static void test_preview_formats(void **state)
{
    const char *dir = *state;
    make_preview_project(dir);
    ts_proc r;
    TARN(&r, 0, dir, "preview", "t", "--format", "csv");
    assert_string_equal(r.out,
                        "id,s,n,f\r\n"
                        "1,\"a,b\",,2.5\r\n"
                        "2,\"say \"\"hi\"\"\",x,3\r\n"
                        "3,\"two\nlines\",,\r\n");
    ts_proc_free(&r);

    TARN(&r, 0, dir, "preview", "t", "--format", "json");
    cJSON *j = cJSON_Parse(r.out);
    if (!j) fail_msg("not JSON:\n%s", r.out);
    assert_true(cJSON_IsArray(j));
    assert_int_equal(cJSON_GetArraySize(j), 3);
    const cJSON *r0 = cJSON_GetArrayItem(j, 0), *r1 = cJSON_GetArrayItem(j, 1),
                *r2 = cJSON_GetArrayItem(j, 2);
    assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(r0, "id")));
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(r0, "id")->valueint, 1);
    assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(r0, "f")));
    assert_true(cJSON_GetObjectItemCaseSensitive(r0, "f")->valuedouble == 2.5);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r0, "n")));
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(r0, "s")->valuestring, "a,b");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(r1, "s")->valuestring, "say \"hi\"");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(r1, "n")->valuestring, "x");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(r2, "s")->valuestring, "two\nlines");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r2, "f")));
    cJSON_Delete(j);
    ts_proc_free(&r);

    /* values JSON cannot spell still give valid JSON */
    TARN(&r, 0, dir, "preview", "--sql", "SELECT 1e999 AS inf, 1e20 AS big, 'é' AS u", "-f",
         "json");
    j = cJSON_Parse(r.out);
    if (!j) fail_msg("not JSON:\n%s", r.out);
    const cJSON *o = cJSON_GetArrayItem(j, 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "inf")));
    assert_true(cJSON_GetObjectItemCaseSensitive(o, "big")->valuedouble == 1e20);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "u")->valuestring, "é");
    cJSON_Delete(j);
    ts_proc_free(&r);

    /* no rows: the header only, an empty array */
    TARN(&r, 0, dir, "preview", "--sql", "SELECT * FROM t WHERE id > 5", "-f", "csv");
    assert_string_equal(r.out, "id,s,n,f\r\n");
    ts_proc_free(&r);
    TARN(&r, 0, dir, "preview", "--sql", "SELECT * FROM t WHERE id > 5", "-f", "json");
    assert_string_equal(r.out, "[]\n");
    ts_proc_free(&r);

    /* --limit */
    TARN(&r, 0, dir, "preview", "t", "--limit", "2", "-f", "csv");
    assert_string_equal(r.out, "id,s,n,f\r\n1,\"a,b\",,2.5\r\n2,\"say \"\"hi\"\"\",x,3\r\n");
    ts_proc_free(&r);
    TARN(&r, 0, dir, "preview", "t", "-n", "1");
    assert_contains(r.out, "(1 row)\n");
    assert_not_contains(r.out, "say");
    ts_proc_free(&r);
    TARN(&r, 0, dir, "preview", "--sql",
         "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 50) "
         "SELECT i FROM c", "-f", "csv");
    assert_int_equal(lines_starting(r.out, ""), 21); /* default: header + 20 rows */
    ts_proc_free(&r);
    TARN(&r, 0, dir, "preview", "--sql",
         "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 50) "
         "SELECT i FROM c", "-f", "json", "-n", "0");
    j = cJSON_Parse(r.out);
    assert_int_equal(cJSON_GetArraySize(j), 50);
    cJSON_Delete(j);
    ts_proc_free(&r);
    assert_false(file_exists(dir, ".tarn"));
}

static void test_preview_after_run(void **state)
{
    const char *dir = *state;
    make_preview_project(dir);
    run_ok(dir);
    /* a row only the warehouse has: the preview reads the stored table */
    wh_exec(dir, "INSERT INTO t VALUES (99, 'stored', NULL, NULL)");
    struct stat before, after;
    file_stamp(dir, ".tarn/warehouse.db", &before);
    bool wal_before = file_exists(dir, ".tarn/warehouse.db-wal");
    ts_proc r;
    TARN(&r, 0, dir, "preview", "t", "-f", "csv", "-n", "0");
    assert_contains(r.out, "99,stored,,\r\n");
    ts_proc_free(&r);
    /* the temporary view is computed over the stored table */
    TARN(&r, 0, dir, "preview", "big", "-f", "csv");
    assert_contains(r.out, "\r\n990\r\n");
    ts_proc_free(&r);
    TARN(&r, 0, dir, "preview", "--sql", "SELECT count(*) AS n, max(id) AS top FROM t");
    assert_string_equal(r.out,
                        " n | top\n"
                        "---+-----\n"
                        " 4 |  99\n"
                        "(1 row)\n");
    ts_proc_free(&r);
    /* only reads */
    const char *writes[] = {"DELETE FROM t", "DROP TABLE t", "CREATE TABLE x(a)",
                            "INSERT INTO t(id) VALUES (5)", "UPDATE t SET id = 0",
                            "PRAGMA wh.journal_mode = DELETE"};
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        TARN(&r, 1, dir, "preview", "--sql", writes[i]);
        assert_contains(r.err, "read-only");
        assert_string_equal(r.out, "");
        ts_proc_free(&r);
    }
    TARN(&r, 1, dir, "preview", "--sql", "SELECT 1; DELETE FROM t");
    assert_contains(r.err, "one statement");
    ts_proc_free(&r);
    /* ATTACH would create a file: refused too */
    char *att = ts_path(dir, "created.db");
    char sql[512];
    snprintf(sql, sizeof sql, "ATTACH '%s' AS z", att);
    TARN(&r, 1, dir, "preview", "--sql", sql);
    ts_proc_free(&r);
    assert_false(file_exists(dir, "created.db"));
    free(att);
    TARN(&r, 1, dir, "preview", "--sql", "SELECT * FROM no_such_table");
    assert_contains(r.err, "no such table");
    ts_proc_free(&r);
    /* the warehouse is untouched */
    assert_int_equal(wh_int(dir, "SELECT count(*) FROM t"), 4);
    file_stamp(dir, ".tarn/warehouse.db", &after);
    assert_int_equal(before.st_size, after.st_size);
    assert_true(before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
                before.st_mtim.tv_nsec == after.st_mtim.tv_nsec);
    assert_int_equal(wal_before, file_exists(dir, ".tarn/warehouse.db-wal"));
}

/* ======================= graph ======================= */

/* Datasets are defined out of dependency order across files. */
static void make_graph_project(const char *dir)
{
    write_manifest(dir, "g", NULL);
    wh_exec(dir, "CREATE TABLE orders_src(id INTEGER, amount REAL, customer TEXT)");
    assert_int_equal(ts_write_file(dir, "transformations/a_report.sql",
        "CREATE MATERIALIZED VIEW report AS\n"
        "  SELECT customer, sum(amount) AS revenue FROM clean GROUP BY customer;\n"), 0);
    assert_int_equal(ts_write_file(dir, "transformations/b_base.sql",
        "CREATE TEMPORARY VIEW clean AS SELECT * FROM orders WHERE amount > 0;\n"
        "\n"
        "CREATE STREAMING TABLE orders AS SELECT id, amount, customer FROM STREAM(orders_src);\n"), 0);
}

static long pos_of(const char *text, const char *needle)
{
    const char *p = strstr(text, needle);
    if (!p) fail_msg("'%s' not in:\n%s", needle, text);
    return p - text;
}

static void test_graph_text_dot(void **state)
{
    const char *dir = *state;
    make_graph_project(dir);
    ts_proc r;
    TARN(&r, 0, dir, "graph");
    /* dependency order: orders, clean, report */
    assert_int_equal(strncmp(r.out, "orders ", 7), 0);
    assert_true(pos_of(r.out, "\nclean ") < pos_of(r.out, "\nreport "));
    assert_line(r.out, "orders ", "streaming table", "<- STREAM orders_src (table)", NULL);
    assert_line(r.out, "clean ", "temporary view", "<- orders", NULL);
    assert_line(r.out, "report ", "materialized view", "<- clean", NULL);
    assert_int_equal(lines_starting(r.out, ""), 3);
    assert_string_equal(r.err, "");
    ts_proc_free(&r);

    TARN(&r, 0, dir, "graph", "--format", "dot");
    assert_int_equal(strncmp(r.out, "digraph ", 8), 0);
    assert_contains(r.out, "\"orders_src\" -> \"orders\" [style=bold");
    assert_contains(r.out, "\"orders\" -> \"clean\";");
    assert_contains(r.out, "\"clean\" -> \"report\";");
    assert_contains(r.out, "\"orders_src\" [shape=cylinder]");
    assert_not_contains(r.out, "\"report\" ->");
    assert_contains(r.out, "}\n");
    ts_proc_free(&r);
}

static const cJSON *find_named(const cJSON *arr, const char *name)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, arr) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(x, "name");
        if (cJSON_IsString(n) && !strcmp(n->valuestring, name)) return x;
    }
    fail_msg("no '%s' in the JSON", name);
    return NULL;
}

static void test_graph_json(void **state)
{
    const char *dir = *state;
    make_graph_project(dir);
    ts_proc r;
    TARN(&r, 0, dir, "graph", "-f", "json");
    cJSON *j = cJSON_Parse(r.out);
    if (!j) fail_msg("not JSON:\n%s", r.out);
    const cJSON *ds = cJSON_GetObjectItemCaseSensitive(j, "datasets");
    assert_int_equal(cJSON_GetArraySize(ds), 3);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ds, 0), "name")
                            ->valuestring, "orders");

    const cJSON *orders = find_named(ds, "orders");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(orders, "kind")->valuestring,
                        "streaming table");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(orders, "file")->valuestring,
                        "transformations/b_base.sql");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(orders, "line")->valueint, 3);
    const cJSON *flows = cJSON_GetObjectItemCaseSensitive(orders, "flows");
    assert_int_equal(cJSON_GetArraySize(flows), 1);
    const cJSON *reads = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(flows, 0), "reads");
    const cJSON *src = find_named(reads, "orders_src");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(src, "stream")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(src, "dataset")));
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(orders, "columns");
    assert_int_equal(cJSON_GetArraySize(cols), 3);
    find_named(cols, "id");
    find_named(cols, "amount");
    find_named(cols, "customer");

    const cJSON *clean = find_named(ds, "clean");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(clean, "kind")->valuestring,
                        "temporary view");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(clean, "line")->valueint, 1);

    const cJSON *report = find_named(ds, "report");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(report, "kind")->valuestring,
                        "materialized view");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(report, "file")->valuestring,
                        "transformations/a_report.sql");
    flows = cJSON_GetObjectItemCaseSensitive(report, "flows");
    reads = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(flows, 0), "reads");
    assert_int_equal(cJSON_GetArraySize(reads), 1);
    const cJSON *rd = find_named(reads, "clean");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rd, "dataset")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(rd, "stream")));
    cols = cJSON_GetObjectItemCaseSensitive(report, "columns");
    assert_int_equal(cJSON_GetArraySize(cols), 2);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cols, 0), "name")
                            ->valuestring, "customer");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cols, 1), "name")
                            ->valuestring, "revenue");
    cJSON_Delete(j);
    ts_proc_free(&r);
    /* graph only reads */
    assert_false(file_exists(dir, ".tarn/state.db"));
}

/* ======================= events ======================= */

static cJSON *events_json(const char *dir, const char *a1, const char *a2, const char *a3,
                          const char *a4)
{
    ts_proc r;
    assert_int_equal(ts_tarn(&r, NULL, "-C", dir, "events", "--format", "json", a1, a2, a3, a4,
                             NULL), 0);
    if (r.status != 0) fail_msg("events exited %d: %s", r.status, r.err);
    cJSON *j = cJSON_Parse(r.out);
    if (!j || !cJSON_IsArray(j)) fail_msg("not a JSON array:\n%s", r.out);
    ts_proc_free(&r);
    return j;
}

static long long jint(const cJSON *o, const char *key)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(x)) fail_msg("'%s' is not a number", key);
    return (long long)x->valuedouble;
}

static const char *jstr(const cJSON *o, const char *key)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsString(x)) fail_msg("'%s' is not a string", key);
    return x->valuestring;
}

static void test_events(void **state)
{
    const char *dir = *state;
    make_pipeline(dir, 10);
    ts_proc r;
    TARN(&r, 1, dir, "events");
    assert_contains(r.err, "no events yet");
    assert_string_equal(r.out, "");
    ts_proc_free(&r);
    run_ok(dir);
    add_src_rows(dir, 11, 12);
    run_ok(dir);

    /* all of them, newest first */
    cJSON *all = events_json(dir, NULL, NULL, NULL, NULL);
    int n = cJSON_GetArraySize(all);
    assert_int_equal(n, st_int(dir, "SELECT count(*) FROM event_log"));
    assert_true(n > 10);
    long long prev = 1LL << 60;
    const cJSON *e;
    cJSON_ArrayForEach(e, all) {
        assert_true(jint(e, "id") < prev);
        prev = jint(e, "id");
    }
    const cJSON *first = cJSON_GetArrayItem(all, 0), *last = cJSON_GetArrayItem(all, n - 1);
    assert_int_equal(jint(first, "update_id"), 2);
    assert_string_equal(jstr(first, "event_type"), "update_progress");
    assert_string_equal(jstr(first, "message"), "Update #2 is COMPLETED");
    assert_int_equal(jint(last, "update_id"), 1);
    assert_string_equal(jstr(last, "event_type"), "create_update");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(last, "dataset")));
    /* details are embedded objects */
    const cJSON *det = cJSON_GetObjectItemCaseSensitive(first, "details");
    assert_true(cJSON_IsObject(det));
    assert_string_equal(jstr(cJSON_GetObjectItemCaseSensitive(det, "update_progress"), "state"),
                        "COMPLETED");
    cJSON_Delete(all);

    /* one update */
    cJSON *u1 = events_json(dir, "--update", "1", NULL, NULL);
    assert_int_equal(cJSON_GetArraySize(u1),
                     st_int(dir, "SELECT count(*) FROM event_log WHERE update_id = 1"));
    cJSON_ArrayForEach(e, u1) assert_int_equal(jint(e, "update_id"), 1);
    cJSON_Delete(u1);

    /* one type, with the flow metrics in the details */
    cJSON *fp = events_json(dir, "--type", "flow_progress", "-u", "2");
    assert_int_equal(cJSON_GetArraySize(fp), 4);
    bool saw_raw = false;
    cJSON_ArrayForEach(e, fp) {
        assert_string_equal(jstr(e, "event_type"), "flow_progress");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "details");
        assert_true(cJSON_IsObject(d));
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(d, "flow_progress");
        assert_string_equal(jstr(p, "status"), "COMPLETED");
        if (!strcmp(jstr(e, "dataset"), "raw")) {
            saw_raw = true;
            assert_int_equal(jint(cJSON_GetObjectItemCaseSensitive(p, "metrics"),
                                  "num_output_rows"), 2);
        }
    }
    assert_true(saw_raw);
    cJSON_Delete(fp);

    /* --limit and --oldest-first */
    cJSON *lim = events_json(dir, "--limit", "3", NULL, NULL);
    assert_int_equal(cJSON_GetArraySize(lim), 3);
    assert_int_equal(jint(cJSON_GetArrayItem(lim, 0), "id"), n);
    cJSON_Delete(lim);
    cJSON *old = events_json(dir, "--oldest-first", "-n", "1", NULL);
    assert_int_equal(cJSON_GetArraySize(old), 1);
    assert_int_equal(jint(cJSON_GetArrayItem(old, 0), "id"), 1);
    cJSON_Delete(old);
    cJSON *ds = events_json(dir, "--dataset", "evens", "--type", "flow_progress");
    assert_int_equal(cJSON_GetArraySize(ds), 2);
    cJSON_Delete(ds);

    /* the table: header, rule, rows, count; flow and details left out */
    TARN(&r, 0, dir, "events", "-n", "2");
    assert_int_equal(strncmp(r.out, " id ", 4), 0);
    assert_not_contains(r.out, "details");
    assert_contains(r.out, "Update #2 is COMPLETED");
    assert_contains(r.out, "(2 rows)\n");
    assert_int_equal(lines_starting(r.out, ""), 5);
    ts_proc_free(&r);
    /* csv keeps details as a quoted JSON field */
    TARN(&r, 0, dir, "events", "-f", "csv", "-n", "1");
    const char *hdr = "id,timestamp,update_id,level,event_type,dataset,flow,message,details\r\n";
    assert_int_equal(strncmp(r.out, hdr, strlen(hdr)), 0);
    assert_contains(r.out, ",\"{\"\"update_progress\"\": {\"\"state\"\": \"\"COMPLETED\"\"}}\"\r\n");
    ts_proc_free(&r);
    /* a filter that matches nothing is not an error */
    cJSON *none = events_json(dir, "--update", "99", NULL, NULL);
    assert_int_equal(cJSON_GetArraySize(none), 0);
    cJSON_Delete(none);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_main_help),
        cmocka_unit_test(test_command_help),
        cmocka_unit_test_setup_teardown(test_usage_errors, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_init, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_validate_ok, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_validate_problems, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_validate_manifest, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_run_completed, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_run_fail_update, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_run_select, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_run_full_refresh, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_run_params, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_run_streaming_incremental, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_run_cancel, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_run_lock, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_preview_before_run, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_preview_cdc_before_run, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_preview_formats, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_preview_after_run, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_graph_text_dot, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_graph_json, ts_setup_dir, ts_teardown_dir),
        cmocka_unit_test_setup_teardown(test_events, ts_setup_dir, ts_teardown_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
