/*
 * fsutil.h - file system helpers: whole-file read, atomic write (temp file +
 * fsync + rename + fsync of the folder), mkdir -p, path joining, and glob
 * matching with ** over a project tree.
 *
 * Error convention (used across engine/): functions return 0 on success and -1
 * on failure, setting *err to a heap message the caller frees (err may be NULL).
 */
#ifndef TARN_FSUTIL_H
#define TARN_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Reads a whole file; returns a NUL-terminated heap buffer (caller frees) and
 * its length in *len (len may be NULL), or NULL with *err set. */
char *fs_read(const char *path, size_t *len, char **err);
/* Replaces path with data atomically: readers see the old or the new file,
 * never a mix, also across a crash. Keeps the old file's mode if it exists. */
int fs_write_atomic(const char *path, const char *data, size_t len, char **err);

/* fs_write_atomic in two steps, for changes of several files that should
 * land together: fs_stage writes data beside path (a hidden temporary file,
 * synced), where a full disk or a missing folder fails; fs_commit puts it in
 * place (a rename); fs_discard removes it. Each of commit and discard ends
 * the staged file (its strings are owned and freed). */
typedef struct fs_staged {
    char *path, *target, *tmp;
} fs_staged;
int fs_stage(fs_staged *st, const char *path, const char *data, size_t len, char **err);
int fs_commit(fs_staged *st, char **err);
void fs_discard(fs_staged *st);
/* Creates path and its missing parents (mode 0777 & ~umask). */
int fs_mkdirs(const char *path, char **err);
bool fs_exists(const char *path);
bool fs_is_dir(const char *path);
/* "a" + "/" + "b" (b returned alone when absolute); caller frees. */
char *fs_join(const char *a, const char *b);
/* Folder part of a path ("." when none); caller frees. */
char *fs_dirname(const char *path);

/* Appends to out the files under root whose path relative to root matches
 * pattern, sorted, without duplicates already in out. Pattern segments are
 * separated by '/': '*' and '?' and [...] match within one segment (fnmatch),
 * '**' matches zero or more folders. Names starting with '.' match only a
 * pattern segment that starts with '.'. Returned paths are relative to root. */
int fs_glob(const char *root, const char *pattern, strvec *out, char **err);
/* true when rel (a relative path) matches pattern as fs_glob would. */
bool fs_glob_match(const char *pattern, const char *rel);

#endif
