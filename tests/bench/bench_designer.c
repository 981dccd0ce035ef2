/*
 * bench_designer.c - the Designer view on a generated pipeline of 1,000
 * datasets, measured as a person uses it through the pseudo-terminal
 * harness (tests/support/tui.h):
 *
 *   start to graph   `tarn ui` to the Designer showing "1000 nodes" (the
 *                    project has no saved positions: this includes loading
 *                    and the automatic layout; the dry run goes on behind)
 *   layout           `tarn node layout` (load, read every statement as an
 *                    operator, lay out and route 1,000 nodes) next to
 *                    `tarn graph` (the same load and graph, no layout)
 *   frame time       median and worst time from an input to the screen's
 *                    change: pan with l and h, j and k, in turns (the whole
 *                    canvas moves; a pan over empty canvas would not), a
 *                    node dragged with the mouse one cell per motion event
 *                    (its edges re-routed), Shift+Right on the selected
 *                    node (moved, its edges re-routed; all edges are routed
 *                    again and tarn.json written once the keys pause,
 *                    outside these frames)
 *   peer             the same terminal's floor: the Editor's Down key in a
 *                    10-line file (the smallest redraw tarn makes), so that
 *                    frame time / floor says what the designer adds
 *
 * The target is a frame under 16 ms. Usage: bench_designer [--keys N]
 * (default 40).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "testsupport.h"
#include "tui.h"
#include "util.h"

#define ROWS 40
#define COLS 140
#define MAX_SAMPLES 256
#define NODES 1000
#define SOURCES 100
#define GAP_MS 30

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct stats {
    double median, max;
} stats;

static stats summarize(const double *v, int n)
{
    stats s = {0, 0};
    if (n <= 0) return s;
    double *c = xmalloc((size_t)n * sizeof *c);
    memcpy(c, v, (size_t)n * sizeof *c);
    qsort(c, (size_t)n, sizeof *c, cmp_double);
    s.max = c[n - 1];
    s.median = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
    free(c);
    return s;
}

/* ======================= the project ======================= */

/* 100 sources of inline rows, then 900 views each reading one or two
 * earlier datasets (a filter, or a join of two), in 10 files. */
static void make_project(const char *dir)
{
    fs_mkdirs(dir, NULL);
    ts_write_file(dir, "tarn.json",
                  "{\n  \"name\": \"big_designer\",\n"
                  "  \"libraries\": [\"transformations/**/*.sql\"],\n"
                  "  \"warehouse\": \".tarn/warehouse.db\"\n}\n");
    for (int f = 0; f < 10; f++) {
        sb s = {0};
        for (int i = f * 100; i < (f + 1) * 100; i++) {
            if (i < SOURCES) {
                sb_addf(&s, "CREATE OR REFRESH MATERIALIZED VIEW d_%04d AS\n"
                            "SELECT %d AS id, 'r%d' AS region, %d.5 AS amount;\n\n", i, i, i % 7, i);
                continue;
            }
            unsigned h = (unsigned)i * 2654435761u;
            int a = (int)(h % (unsigned)i), b = (int)((h >> 12) % (unsigned)i);
            if (i % 3 || a == b)
                sb_addf(&s, "CREATE TEMPORARY VIEW d_%04d AS\nSELECT *\nFROM d_%04d\n"
                            "WHERE amount > %d;\n\n", i, a, i % 50);
            else
                sb_addf(&s, "CREATE OR REFRESH MATERIALIZED VIEW d_%04d AS\n"
                            "SELECT l.id, l.region, l.amount + r.amount AS amount\n"
                            "FROM d_%04d AS l\nJOIN d_%04d AS r ON l.id = r.id;\n\n", i, a, b);
        }
        char rel[64];
        snprintf(rel, sizeof rel, "transformations/part_%02d.sql", f);
        ts_write_file(dir, rel, sb_str(&s));
        sb_free(&s);
    }
}

/* ======================= driving tarn ======================= */

static char cfg_env[600];

static void need(tui *t, const char *text)
{
    if (!tui_wait_text(t, text, 60000)) {
        tui_dump(t);
        fprintf(stderr, "bench_designer: '%s' never showed\n", text);
        exit(1);
    }
}

/* Milliseconds from the bytes sent by send() to the screen's change. */
static double to_change(tui *t, void (*send)(tui *, void *), void *arg)
{
    tui_pump(t, GAP_MS);
    double t0 = time_mono_ms();
    send(t, arg);
    double sent = time_mono_ms() - t0, ms = tui_wait_change(t, 10000);
    if (ms < 0) {
        tui_dump(t);
        fprintf(stderr, "bench_designer: the screen did not change\n");
        exit(1);
    }
    return sent + ms;
}

static void send_key(tui *t, void *key)
{
    tui_key(t, key);
}

/* n keys, each timed; with back, every other one is back (a pan there and
 * back stays over the boxes: an empty part of the canvas would not change
 * the screen). */
static stats keys(tui *t, const char *key, const char *back, int n)
{
    double v[MAX_SAMPLES];
    for (int i = 0; i < n; i++)
        v[i] = to_change(t, send_key, (void *)(back && i % 2 ? back : key));
    return summarize(v, n);
}

typedef struct motion {
    int row, col;
} motion;

static void send_motion(tui *t, void *arg)
{
    motion *m = arg;
    tui_mouse(t, 32, m->row, m->col, true); /* left button held, moved */
}

/* Drags the box whose name is on the screen one cell to the right per
 * motion event, n times; each event timed to the screen's change. */
static stats drag(tui *t, int n)
{
    int row, col;
    if (!tui_find(t, "╭─d_", &row, &col)) {
        tui_dump(t);
        fprintf(stderr, "bench_designer: no box on the screen\n");
        exit(1);
    }
    row += 1; /* inside the box, under its name */
    tui_mouse(t, 0, row, col, true);
    tui_pump(t, 100);
    double v[MAX_SAMPLES];
    motion m = {row, col};
    for (int i = 0; i < n; i++) {
        m.col = col + 1 + i % 20;
        if (i % 20 == 0 && i) m.col = col; /* back, so the box stays on the screen */
        v[i] = to_change(t, send_motion, &m);
    }
    tui_mouse(t, 0, m.row, m.col, false);
    tui_pump(t, 300);
    return summarize(v, n);
}

static double median_of(double *v, int n)
{
    return summarize(v, n).median;
}

/* Runs `tarn ARGS` in dir n times; the median milliseconds. */
static double time_tarn(const char *dir, const char *a1, const char *a2, int n)
{
    double v[16];
    for (int i = 0; i < n; i++) {
        ts_proc r;
        double t0 = time_mono_ms();
        int rc = ts_tarn(&r, dir, a1, a2, NULL);
        v[i] = time_mono_ms() - t0;
        if (rc != 0 || r.status != 0) {
            fprintf(stderr, "bench_designer: tarn %s %s failed:\n%s%s", a1, a2 ? a2 : "",
                    r.out ? r.out : "", r.err ? r.err : "");
            exit(1);
        }
        ts_proc_free(&r);
    }
    return median_of(v, n);
}

static void row(const char *what, stats s, double floor)
{
    printf("  %-44s %7.2f / %7.2f ms   %5.2f x floor   %s\n", what, s.median, s.max,
           floor > 0 ? s.median / floor : 0, s.median < 16 ? "under 16 ms" : "OVER 16 ms");
}

int main(int argc, char **argv)
{
    int n = 40;
    for (int i = 1; i + 1 < argc; i += 2)
        if (!strcmp(argv[i], "--keys")) n = atoi(argv[i + 1]);
    if (n < 2) n = 2;
    if (n > MAX_SAMPLES) n = MAX_SAMPLES;
    char *tmp = ts_mkdtemp();
    if (!tmp) return 1;
    char *cfg = ts_path(tmp, "cfg"), *dir = ts_path(tmp, "big");
    snprintf(cfg_env, sizeof cfg_env, "XDG_CONFIG_HOME=%s", cfg);
    make_project(dir);
    ts_write_file(dir, "notes/small.sql", "-- a small file\nSELECT 1;\n2\n3\n4\n5\n6\n7\n8\n9\n");
    printf("bench_designer: %d datasets (%d sources, the rest filters and joins), "
           "%dx%d terminal, %d inputs of each kind\n", NODES, SOURCES, ROWS, COLS, n);
    fflush(stdout);

    double graph = time_tarn(dir, "graph", NULL, 5);
    double layout = time_tarn(dir, "node", "layout", 5);

    char *av[] = {(char *)TARN_BIN, "-C", dir, "ui", NULL};
    const char *env[] = {cfg_env, NULL};
    double t0 = time_mono_ms();
    tui *t = tui_start(av, env, NULL, ROWS, COLS);
    if (!t) return 1;
    need(t, "C-p commands");
    tui_key(t, "M-2");
    need(t, "1000 nodes");
    double start = time_mono_ms() - t0;
    tui_pump(t, 500);
    tui_key(t, "Home"); /* the picture's top-left */
    need(t, "╭─d_");

    stats pan_l = keys(t, "l", "h", n), pan_j = keys(t, "j", "k", n);
    stats dr = drag(t, n);
    stats move = keys(t, "S-Right", NULL, n / 2);

    /* the floor: the Editor's Down in a small file */
    tui_key(t, "C-p");
    need(t, "Commands");
    tui_send(t, "small.sql");
    need(t, "notes/small.sql");
    tui_pump(t, 100);
    tui_key(t, "Enter");
    need(t, "a small file");
    tui_pump(t, 300);
    stats down = keys(t, "Down", NULL, 8);
    tui_pump(t, 100);
    stats up = keys(t, "Up", NULL, 8);
    double floor = (down.median + up.median) / 2;
    tui_close(t);

    printf("  %-44s %7.0f ms\n", "start to graph (load, layout; dry run async)", start);
    printf("  %-44s %7.0f ms   (tarn graph, the same load without it: %.0f ms)\n",
           "tarn node layout, median of 5", layout, graph);
    printf("  frame time, median / worst (floor: Editor Down %.2f ms):\n", floor);
    row("pan right and back (l, h)", pan_l, floor);
    row("pan down and back (j, k)", pan_j, floor);
    row("drag a node with the mouse, per motion", dr, floor);
    row("Shift+Right (move, its edges re-routed)", move, floor);
    ts_rmtree(tmp);
    free(cfg);
    free(dir);
    free(tmp);
    return 0;
}
