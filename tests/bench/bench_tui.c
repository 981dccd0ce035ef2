/*
 * bench_tui.c - the full-screen IDE measured as a person uses it, through the
 * pseudo-terminal harness (tests/support/tui.h):
 *
 *   first frame      from starting tarn to its first complete frame, on the
 *                    demo and on a generated project of 1,000 datasets
 *   key to screen    median and worst time from a key (moving the selection
 *                    in the explorer) to the screen's change
 *   grid paging      time from PgDn/PgUp to the new page at row 1 and at row
 *                    9,999,9xx of a 10-million-row table; their ratio shows
 *                    the grid pages by key (an OFFSET would grow with the row)
 *
 * Usage: bench_tui [--rows N] (rows of the big table, default 10,000,000)
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "testsupport.h"
#include "tui.h"
#include "util.h"

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

static char cfg_env[600];

static tui *open_ui(const char *dir)
{
    char *argv[] = {(char *)TARN_BIN, "-C", (char *)dir, "ui", NULL};
    const char *env[] = {cfg_env, NULL};
    tui *t = tui_start(argv, env, NULL, 40, 140);
    if (!t) exit(1);
    return t;
}

static void need(tui *t, const char *text)
{
    if (!tui_wait_text(t, text, 60000)) {
        tui_dump(t);
        fprintf(stderr, "bench_tui: '%s' never showed\n", text);
        exit(1);
    }
}

/* Milliseconds from start to the first complete frame. */
static double first_frame(const char *dir)
{
    double t0 = time_mono_ms();
    tui *t = open_ui(dir);
    need(t, "C-p commands");
    double ms = time_mono_ms() - t0;
    tui_close(t);
    return ms;
}

static void make_big_project(const char *dir, int datasets)
{
    fs_mkdirs(dir, NULL);
    ts_write_file(dir, "tarn.json", "{\"name\": \"big\"}\n");
    sb f = {0};
    sb_add(&f, "CREATE MATERIALIZED VIEW d0 AS SELECT 1 AS k, 2.5 AS v;\n");
    for (int i = 1; i < datasets; i++)
        sb_addf(&f, "CREATE MATERIALIZED VIEW d%d AS SELECT k, v * %d AS v FROM d%d;\n", i, i,
                (i - 1) / 2);
    ts_write_file(dir, "transformations/all.sql", sb_str(&f));
    sb_free(&f);
}

static void make_table_project(const char *dir, long rows)
{
    fs_mkdirs(dir, NULL);
    ts_write_file(dir, "tarn.json", "{\"name\": \"grid\"}\n");
    ts_write_file(dir, "transformations/big.sql",
                  "CREATE MATERIALIZED VIEW big AS SELECT 1 AS id, 'x' AS name, 0.0 AS amount;\n");
    char *wh = ts_path(dir, ".tarn/warehouse.db");
    ts_write_file(dir, ".tarn/.keep", "");
    char sql[512];
    snprintf(sql, sizeof sql,
             "PRAGMA journal_mode=WAL; CREATE TABLE big(id INTEGER, name TEXT, amount REAL);"
             "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %ld)"
             " INSERT INTO big SELECT x, 'customer ' || (x %% 7919), (x %% 10007) / 7.0 FROM c;",
             rows);
    if (ts_sql_exec(wh, sql) < 0) exit(1);
    free(wh);
}

/* n samples of the time from key to screen change. */
static void sample_keys(tui *t, const char *const *keys, int nkeys, int n, double *out)
{
    for (int i = 0; i < n; i++) {
        tui_pump(t, 30);
        tui_key(t, keys[i % nkeys]);
        double ms = tui_wait_change(t, 5000);
        out[i] = ms < 0 ? 5000 : ms;
    }
}

int main(int argc, char **argv)
{
    long rows = 10000000;
    for (int i = 1; i + 1 < argc; i += 2)
        if (!strcmp(argv[i], "--rows")) rows = atol(argv[i + 1]);
    char *tmp = ts_mkdtemp();
    char *cfg = ts_path(tmp, "cfg");
    snprintf(cfg_env, sizeof cfg_env, "XDG_CONFIG_HOME=%s", cfg);
    char *demo = ts_path(tmp, "demo"), *big = ts_path(tmp, "big"), *grid = ts_path(tmp, "grid");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp -r '%s/assets/demo' '%s' && rm -rf '%s/.tarn'",
             TARN_SOURCE_DIR, demo, demo);
    if (system(cmd) != 0) return 1;
    make_big_project(big, 1000);
    printf("bench_tui: 40x140 terminal, medians of 5 starts and 40 keys\n");
    fflush(stdout);

    double v[64];
    for (int i = 0; i < 5; i++) v[i] = first_frame(demo);
    double ff_demo = median(v, 5);
    for (int i = 0; i < 5; i++) v[i] = first_frame(big);
    double ff_big = median(v, 5);
    printf("  first frame, demo                  %8.1f ms\n", ff_demo);
    printf("  first frame, 1,000 datasets        %8.1f ms\n", ff_big);
    fflush(stdout);

    tui *t = open_ui(demo);
    need(t, "C-p commands");
    need(t, "DATASETS");
    const char *updown[] = {"Down", "Down", "Down", "Up", "Up", "Up"};
    sample_keys(t, updown, 6, 40, v);
    double worst = 0;
    for (int i = 0; i < 40; i++) worst = v[i] > worst ? v[i] : worst;
    printf("  key to screen (explorer)           %8.2f ms median, %.2f ms worst\n", median(v, 40),
           worst);
    tui_close(t);
    fflush(stdout);

    make_table_project(grid, rows);
    t = open_ui(grid);
    need(t, "C-p commands");
    tui_key(t, "C-p");
    need(t, "Commands");
    tui_send(t, "open table big");
    need(t, "Open table: big");
    tui_key(t, "Enter");
    need(t, "customer 1");
    double top[20], end[20];
    const char *pgdn[] = {"PgDn"}, *pgup[] = {"PgUp"};
    sample_keys(t, pgdn, 1, 20, top);
    tui_key(t, "End");
    char last[32];
    snprintf(last, sizeof last, "%ld", rows);
    need(t, last);
    tui_pump(t, 300);
    sample_keys(t, pgup, 1, 20, end);
    double m_top = median(top, 20), m_end = median(end, 20);
    printf("  grid page at row 1                 %8.2f ms median\n", m_top);
    printf("  grid page at row %ld       %8.2f ms median   end/start = %.2f\n", rows - 100, m_end,
           m_end / m_top);
    tui_close(t);
    ts_rmtree(tmp);
    free(tmp);
    free(cfg);
    free(demo);
    free(big);
    free(grid);
    return 0;
}
