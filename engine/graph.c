/*
 * graph.c - dependency inference, dependency order and cycle detection
 * (see graph.h).
 */
#include "graph.h"

#include <stdlib.h>
#include <string.h>

static void push_unique(intvec *v, int x)
{
    for (size_t i = 0; i < v->n; i++)
        if (v->v[i] == x) return;
    VEC_PUSH(v, x);
}

static void infer_edges(project *p)
{
    for (size_t f = 0; f < p->flows.n; f++) {
        prj_flow *fl = &p->flows.v[f];
        for (size_t i = 0; i < fl->stmt->refs.n; i++) {
            int d;
            if (prj_ref_kind_of(p, fl->stmt, &fl->stmt->refs.v[i], &d) == REF_DATASET) {
                push_unique(&fl->inputs, d);
                push_unique(&p->datasets.v[fl->dataset].deps, d);
            }
        }
    }
}

/* ---- Tarjan's strongly connected components ---- */

typedef struct tarjan {
    const project *p;
    int *index, *low, *comp;
    int *stack;
    unsigned char *on_stack;
    int sp, next_index, ncomp;
} tarjan;

static void strongconnect(tarjan *t, int v)
{
    t->index[v] = t->low[v] = t->next_index++;
    t->stack[t->sp++] = v;
    t->on_stack[v] = 1;
    const intvec *deps = &t->p->datasets.v[v].deps;
    for (size_t i = 0; i < deps->n; i++) {
        int w = deps->v[i];
        if (t->index[w] < 0) {
            strongconnect(t, w);
            if (t->low[w] < t->low[v]) t->low[v] = t->low[w];
        } else if (t->on_stack[w] && t->index[w] < t->low[v]) {
            t->low[v] = t->index[w];
        }
    }
    if (t->low[v] == t->index[v]) {
        int w;
        do {
            w = t->stack[--t->sp];
            t->on_stack[w] = 0;
            t->comp[w] = t->ncomp;
        } while (w != v);
        t->ncomp++;
    }
}

/* Writes into path a loop start -> ... -> start inside component comp
 * (depth-first); returns its length (without the repeated start), 0 if none. */
static int find_loop(const project *p, const int *comp, int start, int v, int *path,
                     int depth, unsigned char *seen)
{
    path[depth] = v;
    seen[v] = 1;
    const intvec *deps = &p->datasets.v[v].deps;
    for (size_t i = 0; i < deps->n; i++) {
        int w = deps->v[i];
        if (comp[w] != comp[start]) continue;
        if (w == start) return depth + 1;
        if (!seen[w]) {
            int n = find_loop(p, comp, start, w, path, depth + 1, seen);
            if (n) return n;
        }
    }
    return 0;
}

static void report_cycles(project *p, const int *comp, int ncomp, diag_list *diags)
{
    size_t n = p->datasets.n;
    int *size = xcalloc((size_t)ncomp, sizeof(int));
    for (size_t v = 0; v < n; v++) size[comp[v]]++;
    unsigned char *reported = xcalloc((size_t)ncomp, 1);
    int *path = xmalloc((n + 1) * sizeof(int));
    unsigned char *seen = xmalloc(n);
    for (size_t v = 0; v < n; v++) {
        int c = comp[v];
        bool self = false;
        for (size_t i = 0; i < p->datasets.v[v].deps.n; i++)
            if (p->datasets.v[v].deps.v[i] == (int)v) self = true;
        if (reported[c] || (size[c] < 2 && !self)) continue;
        reported[c] = 1;
        p->has_cycle = true;
        memset(seen, 0, n);
        int len = find_loop(p, comp, (int)v, (int)v, path, 0, seen);
        sb b = {0};
        for (int i = 0; i < len; i++) sb_addf(&b, "%s -> ", p->datasets.v[path[i]].name);
        sb_add(&b, p->datasets.v[v].name);
        const prj_dataset *d = &p->datasets.v[v];
        prj_error(p, diags, DIAG_ERROR, d->file, d->stmt->name_off,
                  "dependency cycle: %s (each reads the next)", sb_str(&b));
        sb_free(&b);
    }
    free(seen);
    free(path);
    free(reported);
    free(size);
}

/* Kahn's algorithm; ties keep definition order. Datasets on or downstream of
 * a cycle never reach in-degree 0 and are left out. */
static void topo_order(project *p)
{
    size_t n = p->datasets.n;
    int *pending = xcalloc(n + 1, sizeof(int));
    for (size_t v = 0; v < n; v++) pending[v] = (int)p->datasets.v[v].deps.n;
    unsigned char *done = xcalloc(n + 1, 1);
    bool progress = true;
    while (progress) {
        progress = false;
        for (size_t v = 0; v < n; v++) {
            if (done[v] || pending[v]) continue;
            done[v] = 1;
            progress = true;
            VEC_PUSH(&p->order, (int)v);
            for (size_t w = 0; w < n; w++) {
                const intvec *deps = &p->datasets.v[w].deps;
                for (size_t i = 0; i < deps->n; i++)
                    if (deps->v[i] == (int)v) pending[w]--;
            }
            break; /* restart from the first dataset to keep definition order */
        }
    }
    free(done);
    free(pending);
}

void gph_build(project *p, diag_list *diags)
{
    infer_edges(p);
    size_t n = p->datasets.n;
    tarjan t = {0};
    t.p = p;
    t.index = xmalloc((n + 1) * sizeof(int));
    t.low = xmalloc((n + 1) * sizeof(int));
    t.comp = xmalloc((n + 1) * sizeof(int));
    t.stack = xmalloc((n + 1) * sizeof(int));
    t.on_stack = xcalloc(n + 1, 1);
    for (size_t v = 0; v < n; v++) t.index[v] = -1;
    for (size_t v = 0; v < n; v++)
        if (t.index[v] < 0) strongconnect(&t, (int)v);
    report_cycles(p, t.comp, t.ncomp, diags);
    topo_order(p);
    free(t.index);
    free(t.low);
    free(t.comp);
    free(t.stack);
    free(t.on_stack);
}

void gph_closure(const project *p, unsigned char *mark, bool downstream)
{
    bool changed = true;
    while (changed) {
        changed = false;
        for (size_t v = 0; v < p->datasets.n; v++) {
            const intvec *deps = &p->datasets.v[v].deps;
            for (size_t i = 0; i < deps->n; i++) {
                int u = deps->v[i];
                if (!downstream && mark[v] && !mark[u]) mark[u] = changed = 1;
                if (downstream && mark[u] && !mark[v]) mark[v] = changed = 1;
            }
        }
    }
}
