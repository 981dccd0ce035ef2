/*
 * vcs.c - git through libgit2 (see vcs.h).
 */
#include "vcs.h"

#include <git2.h>
#include <stdio.h>
#include <string.h>

/* Whether the work tree of repo differs from HEAD (untracked files count). */
static bool is_dirty(git_repository *repo)
{
    git_status_options opts;
    git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
    opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
    git_status_list *st = NULL;
    bool dirty = false;
    if (git_status_list_new(&st, repo, &opts) == 0) {
        dirty = git_status_list_entrycount(st) > 0;
        git_status_list_free(st);
    }
    return dirty;
}

int vcs_branch(const char *dir, char branch[64], bool *dirty)
{
    branch[0] = 0;
    *dirty = false;
    git_libgit2_init();
    git_repository *repo = NULL;
    git_reference *head = NULL;
    int rc = -1;
    if (git_repository_open_ext(&repo, dir, 0, NULL) < 0) goto out;
    rc = 0;
    if (git_repository_head(&head, repo) == 0) {
        if (git_reference_is_branch(head)) {
            const char *name = NULL;
            if (git_branch_name(&name, head) == 0) snprintf(branch, 64, "%s", name);
        } else {
            char id[8];
            git_oid_tostr(id, sizeof id, git_reference_target(head));
            snprintf(branch, 64, "%s", id);
        }
    } else if (git_repository_head_unborn(repo) == 1) {
        snprintf(branch, 64, "(no commits)");
    }
    *dirty = is_dirty(repo);
out:
    git_reference_free(head);
    git_repository_free(repo);
    git_libgit2_shutdown();
    return rc;
}

int vcs_head(const char *dir, char id[41], bool *dirty)
{
    id[0] = 0;
    *dirty = false;
    git_libgit2_init();
    git_repository *repo = NULL;
    int rc = -1;
    if (git_repository_open_ext(&repo, dir, 0, NULL) < 0) goto out;
    git_oid oid;
    if (git_reference_name_to_id(&oid, repo, "HEAD") < 0) goto out;
    git_oid_tostr(id, 41, &oid);
    *dirty = is_dirty(repo);
    rc = 0;
out:
    git_repository_free(repo);
    git_libgit2_shutdown();
    return rc;
}
