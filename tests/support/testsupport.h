/*
 * testsupport.h - helpers shared by the unit and end-to-end tests: temporary
 * folders and small files. Test code only; failures print to stderr.
 */
#ifndef TARN_TESTSUPPORT_H
#define TARN_TESTSUPPORT_H

/* Makes a new empty folder under /tmp ("/tmp/tarn-test-XXXXXX"); returns its
 * path (caller frees), or NULL with a message on stderr. */
char *ts_mkdtemp(void);
/* cmocka setup/teardown giving each test a fresh temp folder (a char *) as
 * its state: cmocka_unit_test_setup_teardown(t, ts_setup_dir, ts_teardown_dir). */
int ts_setup_dir(void **state);
int ts_teardown_dir(void **state);
/* A project to run the engine on: a fresh folder with tarn.json ({"name":
 * "t"}) and .tarn/, and the paths of its warehouse and state databases. The
 * setup/teardown pair gives each test one as its state (a ts_project *). */
typedef struct ts_project {
    char *dir;
    char *wh;    /* .tarn/warehouse.db */
    char *state; /* .tarn/state.db */
} ts_project;
int ts_setup_project(void **state);
int ts_teardown_project(void **state);
/* Removes path and everything under it; symlinks are removed, not followed.
 * A missing path is not an error. */
void ts_rmtree(const char *path);
/* Writes text to dir/rel, creating the missing folders of rel; returns 0 on
 * success, -1 with a message on stderr. */
int ts_write_file(const char *dir, const char *rel, const char *text);


/* Result of running a program: exit code (128+N when killed by signal N)
 * and everything it wrote. */
typedef struct ts_proc {
    int status;
    char *out; /* stdout, NUL-terminated (caller frees with ts_proc_free) */
    char *err; /* stderr */
} ts_proc;

/* Runs the tarn binary under test with the given arguments (NULL-terminated
 * list), in folder cwd (NULL: the current one), with stdin from /dev/null.
 * Returns 0 when it could be started and reaped. */
int ts_tarn(ts_proc *r, const char *cwd, ...) __attribute__((sentinel));
/* Same with an argv array (argv[0] is ignored; the tarn binary is used). */
int ts_tarnv(ts_proc *r, const char *cwd, char *const argv[]);
void ts_proc_free(ts_proc *r);

/* Opens dir/.tarn/warehouse.db (or any SQLite file at path) and returns the
 * first column of the first row of sql as an integer, or fallback when
 * there is no row, the value is NULL, or the query fails. */
long long ts_sql_int(const char *dbpath, const char *sql, long long fallback);
/* Same, as a new string (caller frees), or NULL. */
char *ts_sql_text(const char *dbpath, const char *sql);
/* Runs statements on a SQLite file (creating it); 0 on success. */
int ts_sql_exec(const char *dbpath, const char *sql);
/* dir + "/" + rel in a new string (caller frees). */
char *ts_path(const char *dir, const char *rel);

#endif
