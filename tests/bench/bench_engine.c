/*
 * bench_engine.c - engine benchmark (issue: the foundation). Builds a generated
 * project of 1,000 datasets over a 1,000,000-row source and prints:
 *
 *   validate time                  tarn validate (dry run of all 1,000 queries)
 *   full refresh time              tarn run --full-refresh
 *   peer                           the same 1,000 tables replaced by the sqlite3
 *                                  CLI from one script of DROP TABLE and CREATE
 *                                  TABLE .. AS SELECT (timed on its second run,
 *                                  when the tables exist, as in a full refresh)
 *   no-new-input update time       tarn run with nothing changed, and its ratio
 *                                  to the full refresh (should be next to 0)
 *
 * Each figure is the median of several runs (--runs N, default 3), measured
 * as whole processes. Usage: bench_engine [--runs N] [--rows N]; with
 * TARN_BENCH_KEEP set in the environment the generated project is kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testsupport.h"
#include "util.h"

#define NDATASETS 1000

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

/* Runs tarn with args in dir; returns wall milliseconds, exits on failure. */
static double time_tarn(const char *dir, const char *a1, const char *a2)
{
    ts_proc r;
    double t0 = time_mono_ms();
    ts_tarn(&r, dir, a1, a2, NULL);
    double ms = time_mono_ms() - t0;
    if (r.status != 0) {
        fprintf(stderr, "bench: tarn %s failed (%d):\n%s%s", a1, r.status, r.out, r.err);
        exit(1);
    }
    ts_proc_free(&r);
    return ms;
}

/* The generated pipeline, as SQL files of 100 datasets each. Also writes the
 * same tables as plain CREATE TABLE .. AS SELECT into peer (for sqlite3). */
static void write_project(const char *dir, sb *peer)
{
    ts_write_file(dir, "tarn.json",
                  "{\"name\": \"bench\", \"libraries\": [\"transformations/*.sql\"],"
                  " \"configuration\": {\"min_v\": \"0\"}}\n");
    sb f = {0};
    int file = 0;
    for (int i = 0; i < NDATASETS; i++) {
        char q[512], name[32];
        snprintf(name, sizeof name, "d%04d", i);
        if (i == 0) {
            sb_add(&f, "CREATE STREAMING TABLE bronze AS SELECT * FROM STREAM(src);\n");
            sb_add(peer, "DROP TABLE IF EXISTS bronze;\n"
                         "CREATE TABLE bronze AS SELECT * FROM src;\n");
            continue;
        }
        if (i == 1) {
            sb_add(&f, "CREATE MATERIALIZED VIEW silver (CONSTRAINT v_ok EXPECT (v >= ${min_v})"
                       " ON VIOLATION DROP ROW) AS SELECT id, k, v, s FROM bronze;\n");
            sb_add(peer, "DROP TABLE IF EXISTS silver;\n"
                         "CREATE TABLE silver AS SELECT id, k, v, s FROM bronze WHERE v >= 0;\n");
            continue;
        }
        if (i == 2) {
            sb_add(&f, "CREATE MATERIALIZED VIEW agg AS SELECT k, count(*) AS n, sum(v) AS total"
                       " FROM silver GROUP BY k;\n");
            sb_add(peer, "DROP TABLE IF EXISTS agg;\n"
                         "CREATE TABLE agg AS SELECT k, count(*) AS n, sum(v) AS total"
                         " FROM silver GROUP BY k;\n");
            continue;
        }
        if (i % 3 == 0 && i > 5)
            snprintf(q, sizeof q, "SELECT a.k, a.x + b.x AS x FROM d%04d a JOIN d%04d b USING (k)",
                     i - 1, i - 2);
        else
            snprintf(q, sizeof q, "SELECT k, total * %d AS x FROM agg WHERE k %% 10 = %d", i,
                     i % 10);
        sb_addf(&f, "CREATE MATERIALIZED VIEW %s AS %s;\n", name, q);
        sb_addf(peer, "DROP TABLE IF EXISTS %s;\nCREATE TABLE %s AS %s;\n", name, name, q);
        if ((i + 1) % 100 == 0 || i == NDATASETS - 1) {
            char rel[64];
            snprintf(rel, sizeof rel, "transformations/part%02d.sql", file++);
            ts_write_file(dir, rel, sb_str(&f));
            sb_clear(&f);
        }
    }
    sb_free(&f);
}

static void make_source(const char *db, long rows)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "CREATE TABLE src(id INTEGER PRIMARY KEY, k INTEGER, v REAL, s TEXT);"
             "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %ld)"
             " INSERT INTO src SELECT x, x %% 1000, (x %% 997) - 3, 'item ' || (x %% 91)"
             " FROM c;", rows);
    if (ts_sql_exec(db, sql) < 0) exit(1);
}

int main(int argc, char **argv)
{
    int runs = 3;
    long rows = 1000000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--runs")) runs = atoi(argv[i + 1]);
        if (!strcmp(argv[i], "--rows")) rows = atol(argv[i + 1]);
    }
    if (runs < 1) runs = 1;
    char *dir = ts_mkdtemp();
    char *tarndir = ts_path(dir, ".tarn");
    char *wh = ts_path(dir, ".tarn/warehouse.db");
    char *peerdb = ts_path(dir, "peer.db");
    sb peer = {0};
    sb_add(&peer, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; BEGIN;\n");
    write_project(dir, &peer);
    sb_add(&peer, "COMMIT;\n");
    char *peerfile = ts_path(dir, "peer.sql");
    ts_write_file(dir, "peer.sql", sb_str(&peer));
    ts_write_file(dir, ".tarn/.keep", "");
    make_source(wh, rows);
    printf("bench_engine: %d datasets over %ld source rows, median of %d runs\n",
           NDATASETS, rows, runs);

    double *v = xcalloc((size_t)runs, sizeof(double));
    for (int i = 0; i < runs; i++) v[i] = time_tarn(dir, "validate", NULL);
    double validate = median(v, runs);
    for (int i = 0; i < runs; i++) v[i] = time_tarn(dir, "run", "--full-refresh");
    double full = median(v, runs);
    for (int i = 0; i < runs; i++) v[i] = time_tarn(dir, "run", NULL);
    double noop = median(v, runs);
    for (int i = 0; i < runs; i++) {
        /* copy the source and build the tables once, untimed: the second run
         * of the script, replacing them, is measured */
        char copy[1024], cmd[1024];
        snprintf(copy, sizeof copy, "rm -f %s*; sqlite3 %s \"ATTACH '%s' AS w;"
                 " CREATE TABLE src AS SELECT * FROM w.src;\"", peerdb, peerdb, wh);
        if (system(copy) != 0) exit(1);
        snprintf(cmd, sizeof cmd, "sqlite3 %s < %s >/dev/null", peerdb, peerfile);
        if (system(cmd) != 0) exit(1); /* first run creates the tables */
        double t0 = time_mono_ms();
        if (system(cmd) != 0) exit(1);
        v[i] = time_mono_ms() - t0;
    }
    double sqlite_full = median(v, runs);
    long long tables = ts_sql_int(wh, "SELECT count(*) FROM _tarn_datasets", -1);
    printf("  validate (dry run)           %9.1f ms\n", validate);
    printf("  full refresh                 %9.1f ms   (%lld tables)\n", full, tables);
    printf("  peer: sqlite3 CLI script     %9.1f ms   tarn/sqlite3 = %.2f\n", sqlite_full,
           full / sqlite_full);
    printf("  update with no new input     %9.1f ms   no-input/full = %.4f\n", noop, noop / full);
    free(v);
    sb_free(&peer);
    free(peerfile);
    free(peerdb);
    free(wh);
    free(tarndir);
    if (getenv("TARN_BENCH_KEEP")) printf("  (project kept in %s)\n", dir);
    else ts_rmtree(dir);
    free(dir);
    return 0;
}
