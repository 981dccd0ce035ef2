/*
 * testsupport.c - helpers shared by the tests (see testsupport.h).
 */
#include "testsupport.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *ts_mkdtemp(void)
{
    char tmpl[] = "/tmp/tarn-test-XXXXXX";
    if (!mkdtemp(tmpl)) {
        fprintf(stderr, "ts_mkdtemp: %s\n", strerror(errno));
        return NULL;
    }
    return strdup(tmpl);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    int rc = flag == FTW_DP ? rmdir(path) : unlink(path);
    if (rc != 0) fprintf(stderr, "ts_rmtree: cannot remove %s: %s\n", path, strerror(errno));
    return 0; /* keep going: remove as much as possible */
}

void ts_rmtree(const char *path)
{
    if (!path) return;
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int ts_write_file(const char *dir, const char *rel, const char *text)
{
    size_t n = strlen(dir) + 1 + strlen(rel) + 1;
    char *path = malloc(n);
    if (!path) return -1;
    snprintf(path, n, "%s/%s", dir, rel);
    /* Create the folders of rel one by one. */
    for (char *p = path + strlen(dir) + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "ts_write_file: cannot create %s: %s\n", path, strerror(errno));
            free(path);
            return -1;
        }
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    int rc = -1;
    if (f) {
        size_t len = strlen(text);
        rc = fwrite(text, 1, len, f) == len ? 0 : -1;
        if (fclose(f) != 0) rc = -1;
    }
    if (rc != 0) fprintf(stderr, "ts_write_file: cannot write %s: %s\n", path, strerror(errno));
    free(path);
    return rc;
}
