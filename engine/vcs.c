/*
 * vcs.c - git through libgit2 (see vcs.h).
 */
#include "vcs.h"

#include <git2.h>
#include <string.h>

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
    git_status_options opts;
    git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
    opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
    git_status_list *st = NULL;
    if (git_status_list_new(&st, repo, &opts) == 0) {
        *dirty = git_status_list_entrycount(st) > 0;
        git_status_list_free(st);
    }
    rc = 0;
out:
    git_repository_free(repo);
    git_libgit2_shutdown();
    return rc;
}
