/*
 * test_fsutil.c - unit tests for engine/fsutil: reading, atomic writes,
 * mkdir -p, path pieces and ** globbing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "testsupport.h"

static char *path_in(const char *dir, const char *rel)
{
    return fs_join(dir, rel);
}

static void write_file(const char *dir, const char *rel, const char *text)
{
    assert_int_equal(ts_write_file(dir, rel, text), 0);
}

/* The names in folder dir, sorted and joined with ' '. */
static char *list_dir(const char *dir)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    assert_true(n >= 0);
    sb b = {0};
    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        if (strcmp(nm, ".") != 0 && strcmp(nm, "..") != 0) {
            if (b.len) sb_addc(&b, ' ');
            sb_add(&b, nm);
        }
        free(names[i]);
    }
    free(names);
    return sb_take(&b);
}

/* The strings of v joined with ' '. */
static char *joined(const strvec *v)
{
    sb b = {0};
    for (size_t i = 0; i < v->n; i++) {
        if (i) sb_addc(&b, ' ');
        sb_add(&b, v->v[i]);
    }
    return sb_take(&b);
}

/* Globs pattern under dir into a fresh list and returns it joined. */
static char *glob_str(const char *dir, const char *pattern)
{
    strvec out = {0};
    char *err = NULL;
    int rc = fs_glob(dir, pattern, &out, &err);
    if (rc != 0) fail_msg("fs_glob(%s): %s", pattern, err ? err : "(no message)");
    assert_null(err);
    char *s = joined(&out);
    strvec_free(&out);
    return s;
}

static void assert_glob(const char *dir, const char *pattern, const char *expected)
{
    char *got = glob_str(dir, pattern);
    assert_string_equal(got, expected);
    free(got);
}

/* ---------------------------------------------------------------- reading */

static void test_read_returns_content_and_length(void **state)
{
    const char *dir = *state;
    write_file(dir, "a.txt", "hello\nworld\n");
    char *p = path_in(dir, "a.txt");
    size_t len = 0;
    char *err = NULL;
    char *text = fs_read(p, &len, &err);
    assert_non_null(text);
    assert_null(err);
    assert_string_equal(text, "hello\nworld\n");
    assert_int_equal(len, 12);
    free(text);
    free(p);
}

static void test_read_missing_file_fails_with_message(void **state)
{
    const char *dir = *state;
    char *p = path_in(dir, "nope.txt");
    char *err = NULL;
    size_t len = 99;
    assert_null(fs_read(p, &len, &err));
    assert_non_null(err);
    char *want = xasprintf("cannot read %s: No such file or directory", p);
    assert_string_equal(err, want);
    free(want);
    free(err);
    /* err may be NULL when the caller does not want the message. */
    assert_null(fs_read(p, NULL, NULL));
    free(p);
}

/* ---------------------------------------------------------------- atomic write */

static void test_write_atomic_replaces_content_and_keeps_mode(void **state)
{
    const char *dir = *state;
    write_file(dir, "tarn.json", "old content that is longer than the new one\n");
    char *p = path_in(dir, "tarn.json");
    assert_int_equal(chmod(p, 0640), 0);

    char *err = NULL;
    assert_int_equal(fs_write_atomic(p, "new\n", 4, &err), 0);
    assert_null(err);

    char *text = fs_read(p, NULL, NULL);
    assert_string_equal(text, "new\n");
    free(text);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    /* No temp file is left behind. */
    char *names = list_dir(dir);
    assert_string_equal(names, "tarn.json");
    free(names);
    free(p);
}

static void test_write_atomic_new_file_follows_umask(void **state)
{
    const char *dir = *state;
    char *p = path_in(dir, "fresh.txt");
    mode_t old = umask(027);
    int rc = fs_write_atomic(p, "x", 1, NULL);
    umask(old);
    assert_int_equal(rc, 0);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    assert_int_equal(st.st_size, 1);
    free(p);
}

static void test_write_atomic_empty_data(void **state)
{
    const char *dir = *state;
    write_file(dir, "f", "something");
    char *p = path_in(dir, "f");
    assert_int_equal(fs_write_atomic(p, "", 0, NULL), 0);
    size_t len = 99;
    char *text = fs_read(p, &len, NULL);
    assert_int_equal(len, 0);
    assert_string_equal(text, "");
    free(text);
    free(p);
}

static void test_write_atomic_missing_folder_fails(void **state)
{
    const char *dir = *state;
    char *p = path_in(dir, "missing/tarn.json");
    char *err = NULL;
    assert_int_equal(fs_write_atomic(p, "x", 1, &err), -1);
    assert_non_null(err);
    char *want = xasprintf("cannot write %s: No such file or directory", p);
    assert_string_equal(err, want);
    free(want);
    free(err);
    assert_false(fs_exists(p));
    char *names = list_dir(dir);
    assert_string_equal(names, "");
    free(names);
    free(p);
}

static void test_write_atomic_through_symlink_keeps_link(void **state)
{
    const char *dir = *state;
    write_file(dir, "real.json", "old");
    char *real = path_in(dir, "real.json");
    char *link = path_in(dir, "link.json");
    assert_int_equal(symlink("real.json", link), 0);

    assert_int_equal(fs_write_atomic(link, "new", 3, NULL), 0);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    char *text = fs_read(real, NULL, NULL);
    assert_string_equal(text, "new");
    free(text);
    free(real);
    free(link);
}

/* ---------------------------------------------------------------- folders */

static void test_mkdirs_nested(void **state)
{
    const char *dir = *state;
    char *p = path_in(dir, "a/b/c");
    char *err = NULL;
    assert_int_equal(fs_mkdirs(p, &err), 0);
    assert_null(err);
    assert_true(fs_is_dir(p));
    /* Existing folders are fine, also with a trailing or doubled slash. */
    assert_int_equal(fs_mkdirs(p, &err), 0);
    char *q = path_in(dir, "a//b/d/");
    assert_int_equal(fs_mkdirs(q, &err), 0);
    char *d = path_in(dir, "a/b/d");
    assert_true(fs_is_dir(d));
    free(d);
    free(q);
    free(p);
}

static void test_mkdirs_fails_when_a_file_is_in_the_way(void **state)
{
    const char *dir = *state;
    write_file(dir, "f", "x");
    char *p = path_in(dir, "f/sub");
    char *err = NULL;
    assert_int_equal(fs_mkdirs(p, &err), -1);
    assert_non_null(err);
    char *file = path_in(dir, "f");
    char *want = xasprintf("cannot create folder %s: Not a directory", file);
    assert_string_equal(err, want);
    free(want);
    free(file);
    free(err);
    free(p);
}

static void test_exists_and_is_dir(void **state)
{
    const char *dir = *state;
    write_file(dir, "f", "x");
    char *f = path_in(dir, "f");
    char *none = path_in(dir, "none");
    assert_true(fs_exists(f));
    assert_false(fs_is_dir(f));
    assert_true(fs_exists(dir));
    assert_true(fs_is_dir(dir));
    assert_false(fs_exists(none));
    assert_false(fs_is_dir(none));
    free(f);
    free(none);
}

/* ---------------------------------------------------------------- paths */

static void test_join(void **state)
{
    (void)state;
    static const struct { const char *a, *b, *want; } cases[] = {
        {"a", "b", "a/b"},
        {"a/", "b", "a/b"},
        {"a", "/abs", "/abs"},
        {"", "b", "b"},
        {"a", "", "a"},
        {"/x/y", "z/w.sql", "/x/y/z/w.sql"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char *got = fs_join(cases[i].a, cases[i].b);
        assert_string_equal(got, cases[i].want);
        free(got);
    }
}

static void test_dirname(void **state)
{
    (void)state;
    static const struct { const char *in, *want; } cases[] = {
        {"a/b", "a"},     {"a/b/c.sql", "a/b"}, {"file", "."}, {"", "."},
        {"/a", "/"},      {"/", "/"},          {"a/b/", "a"}, {"a//b", "a"},
        {"/x/y.json", "/x"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char *got = fs_dirname(cases[i].in);
        assert_string_equal(got, cases[i].want);
        free(got);
    }
}

/* ---------------------------------------------------------------- glob matching */

static void test_glob_match(void **state)
{
    (void)state;
    static const struct { const char *pat, *rel; bool want; } cases[] = {
        /* ** as a whole segment: zero or more folders */
        {"transformations/**/*.sql", "transformations/a.sql", true},
        {"transformations/**/*.sql", "transformations/x/y/b.sql", true},
        {"transformations/**/*.sql", "transformations/x/b.txt", false},
        {"transformations/**/*.sql", "other/a.sql", false},
        {"transformations/**/*.sql", "transformations", false},
        {"**/*.sql", "a.sql", true},
        {"**/*.sql", "x/y/z/a.sql", true},
        {"a/**", "a/x", true},
        {"a/**", "a/x/y", true},
        {"a/**", "a", false},
        {"a/**/b/*.sql", "a/b/c.sql", true},
        {"a/**/b/*.sql", "a/x/b/c.sql", true},
        {"a/**/b/*.sql", "a/x/c.sql", false},
        /* ** only as a whole segment; elsewhere * stays in one segment */
        {"transformations/**.sql", "transformations/a.sql", true},
        {"transformations/**.sql", "transformations/x/a.sql", false},
        /* * and ? and [...] within one segment */
        {"*.sql", "a.sql", true},
        {"*.sql", "x/a.sql", false},
        {"q?.sql", "q1.sql", true},
        {"q?.sql", "q12.sql", false},
        {"[ab].sql", "b.sql", true},
        {"[ab].sql", "c.sql", false},
        /* plain paths, and "." or empty segments */
        {"x/a.sql", "x/a.sql", true},
        {"./x//a.sql", "x/a.sql", true},
        {"x/a.sql", "x/b.sql", false},
        /* a leading '.' must be matched by a '.' in the pattern */
        {"*.sql", ".hidden.sql", false},
        {"?hidden.sql", ".hidden.sql", false},
        {".*.sql", ".hidden.sql", true},
        {"**/*.sql", ".h/a.sql", false},
        {"**/*.sql", "x/.h/a.sql", false},
        {".h/*.sql", ".h/a.sql", true},
        {"a/**", "a/.h", false},
        /* .git and .tarn are entered only when named literally */
        {".*/*.sql", ".git/a.sql", false},
        {".*/*.sql", ".tarn/a.sql", false},
        {".*/*.sql", ".conf/a.sql", true},
        {".git/*.sql", ".git/a.sql", true},
        {"", "a.sql", false},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        bool got = fs_glob_match(cases[i].pat, cases[i].rel);
        if (got != cases[i].want)
            fail_msg("fs_glob_match(\"%s\", \"%s\") = %d, want %d", cases[i].pat, cases[i].rel,
                     got, cases[i].want);
    }
}

/* ---------------------------------------------------------------- glob over a tree */

/* A small project: files of several kinds at several depths, dot-files, and
 * the private folders. */
static void make_tree(const char *dir)
{
    write_file(dir, "transformations/a.sql", "");
    write_file(dir, "transformations/x/y/b.sql", "");
    write_file(dir, "transformations/x/c.txt", "");
    write_file(dir, "transformations/x/B.sql", "");
    write_file(dir, "transformations/.hidden.sql", "");
    write_file(dir, "transformations/.h/d.sql", "");
    write_file(dir, "transformations/q1.sql", "");
    write_file(dir, "transformations/q12.sql", "");
    write_file(dir, "other/e.sql", "");
    write_file(dir, "top.sql", "");
    write_file(dir, ".git/hooks/h.sql", "");
    write_file(dir, ".tarn/t.sql", "");
}

static void test_glob_doublestar(void **state)
{
    const char *dir = *state;
    make_tree(dir);
    assert_glob(dir, "transformations/**/*.sql",
                "transformations/a.sql transformations/q1.sql transformations/q12.sql "
                "transformations/x/B.sql transformations/x/y/b.sql");
    assert_glob(dir, "**/*.sql",
                "other/e.sql top.sql transformations/a.sql transformations/q1.sql "
                "transformations/q12.sql transformations/x/B.sql transformations/x/y/b.sql");
    assert_glob(dir, "transformations/**",
                "transformations/a.sql transformations/q1.sql transformations/q12.sql "
                "transformations/x/B.sql transformations/x/c.txt transformations/x/y/b.sql");
}

static void test_glob_star_and_question(void **state)
{
    const char *dir = *state;
    make_tree(dir);
    assert_glob(dir, "*.sql", "top.sql");
    assert_glob(dir, "*/*.sql", "other/e.sql transformations/a.sql transformations/q1.sql "
                                "transformations/q12.sql");
    assert_glob(dir, "transformations/q?.sql", "transformations/q1.sql");
    assert_glob(dir, "transformations/*/*.txt", "transformations/x/c.txt");
    assert_glob(dir, "nothing/**/*.sql", "");
}

static void test_glob_dotfiles_excluded(void **state)
{
    const char *dir = *state;
    make_tree(dir);
    char *all = glob_str(dir, "**");
    assert_null(strstr(all, ".hidden"));
    assert_null(strstr(all, ".h/"));
    assert_non_null(strstr(all, "transformations/a.sql"));
    free(all);
    /* Named with a leading '.', they match. */
    assert_glob(dir, "transformations/.*.sql", "transformations/.hidden.sql");
    assert_glob(dir, "transformations/.h/*.sql", "transformations/.h/d.sql");
}

static void test_glob_skips_git_and_tarn(void **state)
{
    const char *dir = *state;
    make_tree(dir);
    char *all = glob_str(dir, "**/*.sql");
    assert_null(strstr(all, ".git"));
    assert_null(strstr(all, ".tarn"));
    free(all);
    assert_glob(dir, ".*/*.sql", "");
    assert_glob(dir, ".*/**/*.sql", "");
    /* Named explicitly, they are searched. */
    assert_glob(dir, ".tarn/*.sql", ".tarn/t.sql");
    assert_glob(dir, ".git/**/*.sql", ".git/hooks/h.sql");
}

static void test_glob_sorted_without_duplicates(void **state)
{
    const char *dir = *state;
    /* Created out of order; strcmp order puts upper case and '-' first. */
    write_file(dir, "m/z.sql", "");
    write_file(dir, "m/a.sql", "");
    write_file(dir, "m/B.sql", "");
    write_file(dir, "m/a-b.sql", "");
    write_file(dir, "m/sub/k.sql", "");

    strvec out = {0};
    VEC_PUSH(&out, xstrdup("first"));
    VEC_PUSH(&out, xstrdup("m/a.sql"));
    assert_int_equal(fs_glob(dir, "m/**/*.sql", &out, NULL), 0);
    char *s = joined(&out);
    assert_string_equal(s, "first m/a.sql m/B.sql m/a-b.sql m/sub/k.sql m/z.sql");
    free(s);
    /* A second glob over the same files adds nothing. */
    assert_int_equal(fs_glob(dir, "m/*.sql", &out, NULL), 0);
    assert_int_equal(out.n, 6);
    strvec_free(&out);
}

static void test_glob_plain_path(void **state)
{
    const char *dir = *state;
    make_tree(dir);
    assert_glob(dir, "transformations/x/c.txt", "transformations/x/c.txt");
    assert_glob(dir, "./top.sql", "top.sql");
    assert_glob(dir, "transformations/missing.sql", "");
    /* A folder is not a file. */
    assert_glob(dir, "transformations", "");
}

static void test_glob_does_not_follow_symlinked_folders(void **state)
{
    const char *dir = *state;
    write_file(dir, "t/a.sql", "");
    write_file(dir, "elsewhere/far.sql", "");
    char *loop = path_in(dir, "t/loop");
    char *far = path_in(dir, "t/far");
    char *file_link = path_in(dir, "t/link.sql");
    assert_int_equal(symlink("..", loop), 0);
    assert_int_equal(symlink("../elsewhere", far), 0);
    assert_int_equal(symlink("a.sql", file_link), 0);
    /* The loop does not trap the walk; symlinked files count as files. */
    assert_glob(dir, "t/**/*.sql", "t/a.sql t/link.sql");
    free(loop);
    free(far);
    free(file_link);
}

static void test_glob_missing_root_fails(void **state)
{
    const char *dir = *state;
    char *root = path_in(dir, "no-such-folder");
    strvec out = {0};
    char *err = NULL;
    assert_int_equal(fs_glob(root, "**/*.sql", &out, &err), -1);
    assert_non_null(err);
    assert_non_null(strstr(err, "no-such-folder"));
    assert_int_equal(out.n, 0);
    free(err);
    free(root);
}

#define T(f) cmocka_unit_test_setup_teardown(f, ts_setup_dir, ts_teardown_dir)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_read_returns_content_and_length),
        T(test_read_missing_file_fails_with_message),
        T(test_write_atomic_replaces_content_and_keeps_mode),
        T(test_write_atomic_new_file_follows_umask),
        T(test_write_atomic_empty_data),
        T(test_write_atomic_missing_folder_fails),
        T(test_write_atomic_through_symlink_keeps_link),
        T(test_mkdirs_nested),
        T(test_mkdirs_fails_when_a_file_is_in_the_way),
        T(test_exists_and_is_dir),
        cmocka_unit_test(test_join),
        cmocka_unit_test(test_dirname),
        cmocka_unit_test(test_glob_match),
        T(test_glob_doublestar),
        T(test_glob_star_and_question),
        T(test_glob_dotfiles_excluded),
        T(test_glob_skips_git_and_tarn),
        T(test_glob_sorted_without_duplicates),
        T(test_glob_plain_path),
        T(test_glob_does_not_follow_symlinked_folders),
        T(test_glob_missing_root_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
