/*
 * graph.h - the dependency graph of a project, inferred from the queries
 * (never declared): which datasets each flow reads, a dependency order, and
 * cycles, each reported once with the whole loop named.
 */
#ifndef TARN_GRAPH_H
#define TARN_GRAPH_H

#include "project.h"

/* Fills flows[].inputs, datasets[].deps, order and has_cycle. References that
 * are not datasets are left for validation (they may be existing tables).
 * Cycles go to diags as errors. */
void gph_build(project *p, diag_list *diags);

/* Marks in mark[] (size datasets.n, set to 1) every dataset that name
 * selection needs, plus, when upstream, their transitive dependencies, or,
 * when downstream, their transitive dependents. */
void gph_closure(const project *p, unsigned char *mark, bool downstream);

#endif
