/*
 * grid_model_count.c - the grid model's row count (see grid_model.h),
 * taken in steps over rowid ranges that adapt to the time each one takes,
 * so it never holds the worker long.
 */
#include <stdlib.h>
#include <string.h>

#include "grid_model_int.h"

/* ======================= counting ======================= */

void gm_count_init(gm_count *c, const char *filter)
{
    memset(c, 0, sizeof(*c));
    filter = gm_filter_of(filter);
    c->filter = filter ? xstrdup(filter) : NULL;
}

void gm_count_free(gm_count *c)
{
    free(c->filter);
    c->filter = NULL;
}

int gm_count_step(gm *g, gm_count *c, double budget_ms, char **err)
{
    if (c->done) return 1;
    if (!c->started) {
        c->started = true;
        c->span = 65536;
        gm_rid_range(g, &c->lo, &c->hi);
        if (c->lo > c->hi) {
            c->done = true;
            return 1;
        }
    }
    sb b = {0};
    sb_addf(&b, "SELECT count(*) FROM %s WHERE %s BETWEEN :tarn_a AND :tarn_b", g->from, g->rid);
    gm_add_filter(&b, c->filter);
    sqlite3_stmt *st = NULL;
    int rc = gm_prepare_user(g, sb_str(&b), &st, err);
    sb_free(&b);
    if (rc) return -1;
    double t0 = time_mono_ms();
    for (;;) {
        int64_t b_end = c->hi - c->lo < c->span - 1 ? c->hi : c->lo + c->span - 1;
        gm_bind_named_int(st, ":tarn_a", c->lo);
        gm_bind_named_int(st, ":tarn_b", b_end);
        double t1 = time_mono_ms();
        if (sqlite3_step(st) != SQLITE_ROW) {
            gm_fail_db(g->db, NULL, err);
            sqlite3_finalize(st);
            return -1;
        }
        c->total += sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        double now = time_mono_ms(), dt = now - t1;
        if (b_end == c->hi) {
            c->done = true;
            break;
        }
        c->lo = b_end + 1;
        if (dt < budget_ms / 8 && c->span < ((int64_t)1 << 40)) c->span *= 2;
        else if (dt > budget_ms / 2 && c->span > 1024) c->span /= 2;
        if (now - t0 >= budget_ms) break;
    }
    sqlite3_finalize(st);
    return c->done ? 1 : 0;
}
