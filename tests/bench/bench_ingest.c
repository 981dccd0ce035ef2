/*
 * bench_ingest.c - ingestion benchmark (issue: Ingestion). Generates a CSV of
 * N rows (default 3,000,000; mixed types, quoted fields with commas) and loads
 * it three ways into a table of the same shape, in the same run:
 *
 *   tarn       tarn run: a streaming table over STREAM read_files(...)
 *   .import    the sqlite3 CLI's .import --csv into a created table
 *   ceiling    a plain C loop inserting the already-parsed rows through one
 *              prepared statement in one transaction (SQLite's insert path
 *              alone; parsing is done before the clock starts)
 *
 * It prints rows/s of each and the ratios, then the time of a second update
 * after one small new file lands next to the big one, as a ratio to the first
 * load, and the peak memory of tarn for the file and for a file half its size
 * (bounded memory: the two should be close).
 *
 * Usage: bench_ingest [--rows N] [--runs R]
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "csv.h"
#include "testsupport.h"
#include "util.h"

static const char *cities[] = {"Paris, FR", "Oslo", "New York, NY", "Lagos", "Lima, PE",
                               "Kyiv", "Osaka, JP", "Quito"};

static void write_csv(const char *path, long from, long rows)
{
    FILE *f = fopen(path, "w");
    if (!f) exit(1);
    fputs("id,name,amount,active,created,city,note\n", f);
    for (long i = from; i < from + rows; i++)
        fprintf(f, "%ld,user%ld,%ld.%02ld,%s,2024-%02ld-%02ld,\"%s\",\"note %ld, with a comma\"\n",
                i, i % 100000, i % 9973, i % 100, i % 3 ? "true" : "false", 1 + i % 12,
                1 + i % 28, cities[i % 8], i % 777);
    fclose(f);
}

static const char *table_sql =
    "CREATE TABLE t(id INTEGER, name TEXT, amount REAL, active BOOLEAN, created DATE,"
    " city TEXT, note TEXT)";

/* Wall milliseconds and peak RSS (KiB) of running argv in cwd. */
static double run_timed(char *const argv[], const char *cwd, long *rss_kb)
{
    fflush(stdout);
    double t0 = time_mono_ms();
    pid_t pid = fork();
    if (pid == 0) {
        if (cwd && chdir(cwd) != 0) _exit(127);
        if (!freopen("/dev/null", "w", stdout)) _exit(127);
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    struct rusage ru;
    wait4(pid, &st, 0, &ru);
    double ms = time_mono_ms() - t0;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        fprintf(stderr, "bench_ingest: %s failed\n", argv[0]);
        exit(1);
    }
    if (rss_kb) *rss_kb = ru.ru_maxrss;
    return ms;
}

/* ---- the ceiling: parsed rows inserted through one prepared statement ---- */

typedef struct parsed {
    long n;
    int64_t *id;
    double *amount;
    int *active;
    char **text; /* name, created, city, note per row: 4 strings */
} parsed;

static void parse_all(const char *path, parsed *p)
{
    size_t len;
    char *data = NULL;
    FILE *f = fopen(path, "r");
    fseek(f, 0, SEEK_END);
    len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    data = xmalloc(len + 1);
    if (fread(data, 1, len, f) != len) exit(1);
    fclose(f);
    csv_reader *r = csv_open(-1, data, len, NULL);
    csv_record rec;
    long cap = 1 << 20;
    memset(p, 0, sizeof(*p));
    p->id = xmalloc((size_t)cap * sizeof(int64_t));
    p->amount = xmalloc((size_t)cap * sizeof(double));
    p->active = xmalloc((size_t)cap * sizeof(int));
    p->text = xmalloc((size_t)cap * 4 * sizeof(char *));
    csv_next(r, &rec); /* header */
    while (csv_next(r, &rec) == 1) {
        if (p->n == cap) {
            cap *= 2;
            p->id = xrealloc(p->id, (size_t)cap * sizeof(int64_t));
            p->amount = xrealloc(p->amount, (size_t)cap * sizeof(double));
            p->active = xrealloc(p->active, (size_t)cap * sizeof(int));
            p->text = xrealloc(p->text, (size_t)cap * 4 * sizeof(char *));
        }
        const char *t = rec.text;
        p->id[p->n] = strtoll(t + rec.f[0].off, NULL, 10);
        p->amount[p->n] = strtod(t + rec.f[2].off, NULL);
        p->active[p->n] = t[rec.f[3].off] == 't';
        int map[4] = {1, 4, 5, 6};
        for (int k = 0; k < 4; k++)
            p->text[p->n * 4 + k] = xstrndup(t + rec.f[map[k]].off, rec.f[map[k]].len);
        p->n++;
    }
    csv_close(r);
    free(data);
}

static double ceiling_load(const char *db_path, const parsed *p)
{
    sqlite3 *db;
    unlink(db_path);
    sqlite3_open(db_path, &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                     " PRAGMA cache_size=-65536;", NULL, NULL, NULL);
    sqlite3_exec(db, table_sql, NULL, NULL, NULL);
    double t0 = time_mono_ms();
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?,?,?,?,?,?,?)", -1, &st, NULL);
    for (long i = 0; i < p->n; i++) {
        sqlite3_bind_int64(st, 1, p->id[i]);
        sqlite3_bind_text(st, 2, p->text[i * 4], -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 3, p->amount[i]);
        sqlite3_bind_int(st, 4, p->active[i]);
        sqlite3_bind_text(st, 5, p->text[i * 4 + 1], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, p->text[i * 4 + 2], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7, p->text[i * 4 + 3], -1, SQLITE_STATIC);
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double ms = time_mono_ms() - t0;
    sqlite3_close(db);
    return ms;
}

static void parsed_free(parsed *p)
{
    for (long i = 0; i < p->n * 4; i++) free(p->text[i]);
    free(p->text);
    free(p->id);
    free(p->amount);
    free(p->active);
}

/* ---- tarn ---- */

static const char *pipeline_sql =
    "CREATE STREAMING TABLE t AS\n"
    "SELECT id, name, amount, active, created, city, note\n"
    "FROM STREAM read_files('data/*.csv', format => 'csv', header => true);\n";

static void make_project(const char *dir)
{
    ts_write_file(dir, "tarn.json", "{\"name\": \"ingest\"}\n");
    ts_write_file(dir, "transformations/t.sql", pipeline_sql);
}

static double tarn_load(const char *dir, long *rss)
{
    char *wh = ts_path(dir, ".tarn");
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", wh);
    if (system(cmd) != 0) exit(1);
    free(wh);
    char *argv[] = {(char *)TARN_BIN, "run", NULL};
    return run_timed(argv, dir, rss);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    long rows = 3000000;
    int runs = 3;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--rows")) rows = atol(argv[i + 1]);
        if (!strcmp(argv[i], "--runs")) runs = atoi(argv[i + 1]);
    }
    if (runs < 1) runs = 1;
    char *dir = ts_mkdtemp();
    make_project(dir);
    char *csv = ts_path(dir, "data/big.csv");
    ts_write_file(dir, "data/.keep", "");
    write_csv(csv, 0, rows);
    char *peer = ts_path(dir, "peer.db");
    printf("bench_ingest: %ld rows (%.0f MB of CSV), median of %d runs\n", rows,
           (double)rows * 70 / 1e6, runs);

    double *v = xcalloc((size_t)runs, sizeof(double));
    long rss_full = 0, rss_half = 0;
    for (int i = 0; i < runs; i++) v[i] = tarn_load(dir, &rss_full);
    double t_tarn = median(v, runs);
    long check = ts_sql_int(ts_path(dir, ".tarn/warehouse.db"), "SELECT count(*) FROM t", -1);

    for (int i = 0; i < runs; i++) {
        unlink(peer);
        sqlite3 *db;
        sqlite3_open(peer, &db);
        sqlite3_exec(db, table_sql, NULL, NULL, NULL);
        sqlite3_close(db);
        char *av[] = {"sqlite3", peer, ".import --csv --skip 1 data/big.csv t", NULL};
        v[i] = run_timed(av, dir, NULL);
    }
    double t_import = median(v, runs);

    /* the second update: one small file next to the big one */
    tarn_load(dir, NULL);
    char *small = ts_path(dir, "data/small.csv");
    write_csv(small, rows, 100);
    char *av2[] = {(char *)TARN_BIN, "run", NULL};
    double t_second = run_timed(av2, dir, NULL);

    /* memory: the same load of a file half the size, in a project of its own
     * (measured before this process grows with the parsed rows below: a
     * forked child counts its parent's pages until it execs) */
    char *half_dir = ts_mkdtemp();
    make_project(half_dir);
    char *half = ts_path(half_dir, "data/half.csv");
    ts_write_file(half_dir, "data/.keep", "");
    write_csv(half, 0, rows / 2);
    tarn_load(half_dir, &rss_half);
    ts_rmtree(half_dir);
    free(half_dir);
    free(half);

    parsed p;
    parse_all(csv, &p);
    for (int i = 0; i < runs; i++) v[i] = ceiling_load(peer, &p);
    double t_ceiling = median(v, runs);
    parsed_free(&p);

    double r_tarn = rows / (t_tarn / 1000), r_imp = rows / (t_import / 1000),
           r_ceil = rows / (t_ceiling / 1000);
    printf("  tarn read_files       %8.0f ms  %10.0f rows/s   (%ld rows loaded)\n", t_tarn,
           r_tarn, check);
    printf("  sqlite3 .import       %8.0f ms  %10.0f rows/s\n", t_import, r_imp);
    printf("  ceiling (C loop)      %8.0f ms  %10.0f rows/s\n", t_ceiling, r_ceil);
    printf("  tarn/ceiling = %.2f   tarn/.import = %.2f   ceiling/.import = %.2f  (speed ratios)\n",
           r_tarn / r_ceil, r_tarn / r_imp, r_ceil / r_imp);
    printf("  second update (+100 rows in a new file): %.0f ms = %.2f%% of the first load\n",
           t_second, 100 * t_second / t_tarn);
    printf("  peak RSS of tarn: %ld KiB for the file, %ld KiB for half of it\n", rss_full,
           rss_half);
    free(v);
    free(small);
    free(peer);
    free(csv);
    ts_rmtree(dir);
    free(dir);
    return 0;
}
