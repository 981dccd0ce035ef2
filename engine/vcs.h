/*
 * vcs.h - git versioning of the project folder through libgit2 (never by
 * running git). Today: which commit the project is at and whether the work
 * tree differs from it, recorded with every update (DESIGN.md section 6).
 */
#ifndef TARN_VCS_H
#define TARN_VCS_H

#include <stdbool.h>

/* Fills id with HEAD's commit id (40 hex digits) and *dirty with whether any
 * tracked or untracked, non-ignored file differs from it. Returns -1 when dir
 * is not inside a git repository or HEAD has no commit yet (id = ""). */
int vcs_head(const char *dir, char id[41], bool *dirty);

/* The current branch's name ("" when detached or not a repository; "HEAD"
 * shown as the short commit id when detached) and whether the work tree is
 * dirty. Returns -1 when dir is not inside a git repository. */
int vcs_branch(const char *dir, char branch[64], bool *dirty);

#endif
