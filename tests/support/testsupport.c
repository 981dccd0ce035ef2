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

int ts_setup_dir(void **state)
{
    char *dir = ts_mkdtemp();
    if (!dir) return -1;
    *state = dir;
    return 0;
}

int ts_teardown_dir(void **state)
{
    ts_rmtree(*state);
    free(*state);
    return 0;
}

int ts_setup_project(void **state)
{
    ts_project *f = calloc(1, sizeof(*f));
    if (!f || !(f->dir = ts_mkdtemp())) return -1;
    f->wh = ts_path(f->dir, ".tarn/warehouse.db");
    f->state = ts_path(f->dir, ".tarn/state.db");
    if (ts_write_file(f->dir, "tarn.json", "{\"name\": \"t\"}\n") != 0) return -1;
    if (ts_write_file(f->dir, ".tarn/.keep", "") != 0) return -1;
    *state = f;
    return 0;
}

int ts_teardown_project(void **state)
{
    ts_project *f = *state;
    ts_rmtree(f->dir);
    free(f->dir);
    free(f->wh);
    free(f->state);
    free(f);
    return 0;
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

/* ---- running tarn ---- */

#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <sys/wait.h>

static char *slurp_fd(int fd)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (len + 1024 > cap) buf = realloc(buf, cap *= 2);
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n <= 0) break;
        len += (size_t)n;
    }
    buf[len] = 0;
    return buf;
}

int ts_tarnv(ts_proc *r, const char *cwd, char *const argv[])
{
    memset(r, 0, sizeof(*r));
    char outpath[] = "/tmp/tarn-out-XXXXXX", errpath[] = "/tmp/tarn-err-XXXXXX";
    int ofd = mkstemp(outpath), efd = mkstemp(errpath);
    if (ofd < 0 || efd < 0) return -1;
    unlink(outpath);
    unlink(errpath);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        if (cwd && chdir(cwd) != 0) _exit(127);
        int in = open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(ofd, 1);
        dup2(efd, 2);
        execv(TARN_BIN, argv);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    lseek(ofd, 0, SEEK_SET);
    lseek(efd, 0, SEEK_SET);
    r->out = slurp_fd(ofd);
    r->err = slurp_fd(efd);
    close(ofd);
    close(efd);
    return 0;
}

int ts_tarn(ts_proc *r, const char *cwd, ...)
{
    char *argv[64];
    int n = 0;
    argv[n++] = (char *)"tarn";
    va_list ap;
    va_start(ap, cwd);
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 63) argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    return ts_tarnv(r, cwd, argv);
}

void ts_proc_free(ts_proc *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

/* ---- SQLite helpers ---- */

static sqlite3_stmt *first_row(const char *dbpath, const char *sql, sqlite3 **db)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_open_v2(dbpath, db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) return NULL;
    sqlite3_busy_timeout(*db, 5000);
    if (sqlite3_prepare_v2(*db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "ts_sql: %s: %s\n", sql, sqlite3_errmsg(*db));
        return NULL;
    }
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

long long ts_sql_int(const char *dbpath, const char *sql, long long fallback)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = first_row(dbpath, sql, &db);
    long long v = fallback;
    if (st && sqlite3_column_type(st, 0) != SQLITE_NULL) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

char *ts_sql_text(const char *dbpath, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = first_row(dbpath, sql, &db);
    char *v = NULL;
    if (st && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

int ts_sql_exec(const char *dbpath, const char *sql)
{
    sqlite3 *db = NULL;
    char *msg = NULL;
    int rc = sqlite3_open(dbpath, &db) == SQLITE_OK ? sqlite3_exec(db, sql, NULL, NULL, &msg) : 1;
    if (rc != SQLITE_OK) fprintf(stderr, "ts_sql_exec: %s\n", msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

char *ts_path(const char *dir, const char *rel)
{
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, rel);
    return p;
}
