/*
 * testsupport.h - helpers shared by the unit and end-to-end tests: temporary
 * folders and small files. Test code only; failures print to stderr.
 */
#ifndef TARN_TESTSUPPORT_H
#define TARN_TESTSUPPORT_H

/* Makes a new empty folder under /tmp ("/tmp/tarn-test-XXXXXX"); returns its
 * path (caller frees), or NULL with a message on stderr. */
char *ts_mkdtemp(void);
/* Removes path and everything under it; symlinks are removed, not followed.
 * A missing path is not an error. */
void ts_rmtree(const char *path);
/* Writes text to dir/rel, creating the missing folders of rel; returns 0 on
 * success, -1 with a message on stderr. */
int ts_write_file(const char *dir, const char *rel, const char *text);

#endif
