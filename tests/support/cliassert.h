/*
 * cliassert.h - assertions of the command-line tests (tests/e2e/test_cli.c,
 * test_node.c): text in a program's output, and a tarn run with its exit
 * status checked. Include after <cmocka.h> and testsupport.h.
 */
#ifndef TARN_CLIASSERT_H
#define TARN_CLIASSERT_H

#include <string.h>

#define assert_contains(hay, needle)                                                      \
    do {                                                                                  \
        const char *h_ = (hay), *n_ = (needle);                                           \
        if (!h_ || !strstr(h_, n_)) fail_msg("'%s' not found in:\n%s", n_, h_ ? h_ : "(null)"); \
    } while (0)
#define assert_not_contains(hay, needle)                                                  \
    do {                                                                                  \
        const char *h_ = (hay), *n_ = (needle);                                           \
        if (h_ && strstr(h_, n_)) fail_msg("'%s' unexpectedly in:\n%s", n_, h_);          \
    } while (0)

/* Runs `tarn -C dir ARGS...` and asserts its exit status (free the process
 * with ts_proc_free). */
#define TARN(proc, expect, dir, ...)                                                      \
    do {                                                                                  \
        assert_int_equal(ts_tarn((proc), NULL, "-C", (dir), __VA_ARGS__, NULL), 0);       \
        if ((proc)->status != (expect))                                                   \
            fail_msg("tarn exited %d, expected %d\nstdout:\n%s\nstderr:\n%s",            \
                     (proc)->status, (expect), (proc)->out, (proc)->err);                 \
    } while (0)

#endif
