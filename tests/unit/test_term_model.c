/*
 * test_term_model.c - unit tests for ui/term_model (the Terminal panel's
 * model): a real /bin/sh on a pty in a temp folder, driven by writing to it
 * and reading its screen back through libvterm: output, TERM and the
 * folder, colors (basic, 256, RGB mapped to the nearest xterm color,
 * attributes), wide characters, resizes seen by `stty size`, the scrollback
 * ring (filled, wrapped, scrolled, reset by a key), the shell's exit and a
 * restart with Enter, a shell killed by a signal and one that cannot be run,
 * the bytes keys produce (read back with od in raw mode), key names the
 * model does not know, and no processes or descriptors left behind after
 * 20 start/stop cycles.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "term_model.h"
#include "testsupport.h"
#include "util.h"

/* ---------------------------------------------------------------- helpers */

enum { WAIT_MS = 10000 };

/* A terminal of rows x cols running /bin/sh in dir. */
static tm_term *start_sh(const char *dir, int rows, int cols, int scrollback)
{
    tm_term *t = tm_new(rows, cols, scrollback);
    char *err = NULL;
    assert_int_equal(tm_start(t, dir, "/bin/sh", &err), 0);
    assert_null(err);
    assert_int_equal(tm_get_state(t), TM_RUNNING);
    assert_true(tm_fd(t) >= 0);
    assert_true(tm_pid(t) > 0);
    return t;
}

/* Lets the shell run for up to 20 ms and takes in what it wrote. */
static void pump(tm_term *t)
{
    int fd = tm_fd(t);
    if (fd >= 0) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 20) > 0) tm_read(t);
        tm_poll(t);
    } else {
        tm_poll(t);
        usleep(20000);
    }
}

/* Pumps until the view's text contains needle; prints the screen when it
 * never does. */
static bool wait_text(tm_term *t, const char *needle)
{
    double end = time_mono_ms() + WAIT_MS;
    for (;;) {
        char *text = tm_text(t);
        bool found = strstr(text, needle) != NULL;
        if (found || time_mono_ms() > end) {
            if (!found) fprintf(stderr, "never saw \"%s\" on:\n%s\n", needle, text);
            free(text);
            return found;
        }
        free(text);
        pump(t);
    }
}

/* Pumps until a whole row of the view reads line. */
static bool wait_line(tm_term *t, const char *line)
{
    char *framed = xasprintf("\n%s\n", line);
    bool found = wait_text(t, framed);
    free(framed);
    return found;
}

static bool wait_state(tm_term *t, tm_state st)
{
    double end = time_mono_ms() + WAIT_MS;
    while (tm_get_state(t) != st && time_mono_ms() < end) pump(t);
    return tm_get_state(t) == st;
}

/* Waits for the shell's prompt ("$ ") with the cursor after it: typing
 * before that would be echoed by the pty before the prompt is printed. */
static bool wait_prompt(tm_term *t)
{
    double end = time_mono_ms() + WAIT_MS;
    for (;;) {
        int row, col;
        bool ready = false;
        if (tm_cursor(t, &row, &col) && col == 2) {
            tm_cell c;
            tm_cell_at(t, row, 0, &c);
            ready = !strcmp(c.text, "$");
        }
        if (ready) return true;
        if (time_mono_ms() > end) {
            char *text = tm_text(t);
            fprintf(stderr, "never saw the prompt on:\n%s\n", text);
            free(text);
            return false;
        }
        pump(t);
    }
}

/* Types a command line at the prompt. */
static void type(tm_term *t, const char *s)
{
    assert_true(wait_prompt(t));
    tm_write(t, s, strlen(s));
}

/* The row of the view whose text is exactly line, or -1. */
static int find_row(tm_term *t, const char *line)
{
    char *text = tm_text(t);
    int row = -1, r = 0;
    size_t n = strlen(line);
    for (char *p = text; *p; r++) {
        char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len == n && !strncmp(p, line, n)) {
            row = r;
            break;
        }
        if (!nl) break;
        p = nl + 1;
    }
    free(text);
    return row;
}

/* Text of the view's row (trailing blanks trimmed; caller frees). */
static char *row_text(tm_term *t, int row)
{
    char *text = tm_text(t);
    char *p = text;
    for (int r = 0; r < row && p; r++) {
        p = strchr(p, '\n');
        if (p) p++;
    }
    char *out = xstrndup(p ? p : "", p ? strcspn(p, "\n") : 0);
    free(text);
    return out;
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

/* true when pid no longer runs (gone, or a zombie nobody reaped yet). */
static bool process_gone(pid_t pid)
{
    char path[64], buf[256] = {0};
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return true;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    const char *close_paren = strrchr(buf, ')');
    return close_paren && close_paren[1] == ' ' && (close_paren[2] == 'Z' || close_paren[2] == 'X');
}

/* ------------------------------------------------------------------ tests */

static void test_runs_commands_in_the_folder_with_term(void **state)
{
    const char *dir = *state;
    tm_term *t = start_sh(dir, 24, 80, 0);
    type(t, "echo hello-$((6*7))\r");
    assert_true(wait_text(t, "hello-42"));
    type(t, "echo \"term=$TERM\"; pwd\r");
    assert_true(wait_text(t, "term=xterm-256color"));
    assert_true(wait_line(t, dir));
    int row, col;
    assert_true(tm_cursor(t, &row, &col));
    assert_true(row > 0 && row < 24);
    tm_free(t);
}

static void test_colors_and_attributes(void **state)
{
    tm_term *t = start_sh(*state, 24, 100, 0);
    type(t, "printf '\\033[31mA1\\033[0m \\033[38;5;200mA2\\033[0m \\033[38;2;255;0;0mA3"
            "\\033[0m \\033[44;1mA4\\033[0m \\033[7;4mA5\\033[0m \\033[38;2;128;128;128mA6"
            "\\033[0m \\033[91;102mA7\\033[0m\\n'\r");
    assert_true(wait_line(t, "A1 A2 A3 A4 A5 A6 A7"));
    int row = find_row(t, "A1 A2 A3 A4 A5 A6 A7");
    assert_true(row >= 0);
    tm_cell c;
    tm_cell_at(t, row, 0, &c);
    assert_string_equal(c.text, "A");
    assert_int_equal(c.width, 1);
    assert_int_equal(c.fg, 1); /* red */
    assert_int_equal(c.bg, -1);
    assert_int_equal(c.attrs, 0);
    tm_cell_at(t, row, 2, &c); /* the space after the reset */
    assert_int_equal(c.fg, -1);
    assert_int_equal(c.bg, -1);
    tm_cell_at(t, row, 3, &c);
    assert_int_equal(c.fg, 200);
    tm_cell_at(t, row, 6, &c);
    assert_int_equal(c.fg, 196); /* #ff0000 is exactly cube color 196 */
    tm_cell_at(t, row, 9, &c);
    assert_int_equal(c.bg, 4);
    assert_int_equal(c.fg, -1);
    assert_int_equal(c.attrs, TM_BOLD);
    tm_cell_at(t, row, 12, &c);
    assert_int_equal(c.attrs, TM_REVERSE | TM_UNDERLINE);
    tm_cell_at(t, row, 15, &c);
    assert_int_equal(c.fg, 244); /* #808080: the gray ramp is nearer than the cube */
    tm_cell_at(t, row, 18, &c);
    assert_int_equal(c.fg, 9);
    assert_int_equal(c.bg, 10);
    tm_free(t);
}

static void test_wide_character_takes_two_cells(void **state)
{
    tm_term *t = start_sh(*state, 24, 80, 0);
    type(t, "printf 'x\\344\\270\\255|\\n'\r"); /* x, U+4E2D, | */
    assert_true(wait_line(t, "x\xe4\xb8\xad|"));
    int row = find_row(t, "x\xe4\xb8\xad|");
    assert_true(row >= 0);
    tm_cell c;
    tm_cell_at(t, row, 1, &c);
    assert_string_equal(c.text, "\xe4\xb8\xad");
    assert_int_equal(c.width, 2);
    tm_cell_at(t, row, 2, &c);
    assert_int_equal(c.width, 0);
    assert_string_equal(c.text, "");
    tm_cell_at(t, row, 3, &c);
    assert_string_equal(c.text, "|");
    assert_int_equal(c.width, 1);
    tm_free(t);
}

static void test_resize_reaches_the_shell(void **state)
{
    tm_term *t = start_sh(*state, 24, 80, 0);
    type(t, "stty size\r");
    assert_true(wait_line(t, "24 80"));
    tm_resize(t, 30, 100);
    int rows, cols;
    tm_size(t, &rows, &cols);
    assert_int_equal(rows, 30);
    assert_int_equal(cols, 100);
    type(t, "stty size\r");
    assert_true(wait_line(t, "30 100"));
    assert_true(wait_prompt(t));
    tm_resize(t, 0, -5); /* clamped to 1 x 1, never a crash */
    tm_size(t, &rows, &cols);
    assert_int_equal(rows, 1);
    assert_int_equal(cols, 1);
    tm_resize(t, 12, 50);
    /* the 1-column screen put the cursor in column 0 (wait_prompt would not
     * see it); the shell idles at its prompt */
    tm_write(t, "stty size\r", 10);
    assert_true(wait_line(t, "12 50"));
    tm_free(t);
}

/* Prints line-0 .. line-199 and waits for them all. */
static void print_200(tm_term *t)
{
    type(t, "i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); done; echo D''ONE\r");
    assert_true(wait_line(t, "DONE"));
}

static void test_scrollback_collects_and_scrolls(void **state)
{
    tm_term *t = start_sh(*state, 10, 60, 0);
    print_200(t);
    int held = tm_scrollback(t);
    assert_true(held >= 192 && held <= 205);
    assert_int_equal(tm_scrolled(t), 0);

    /* scrolled all the way up: the command line, then line-0 */
    tm_scroll(t, 100000);
    assert_int_equal(tm_scrolled(t), held);
    int row = find_row(t, "line-0");
    assert_true(row >= 1);
    char *text = tm_text(t);
    const char *cmd = strstr(text, "while"), *first = strstr(text, "\nline-0\n");
    assert_true(cmd && first && cmd < first);
    free(text);
    char *next = row_text(t, row + 1);
    assert_string_equal(next, "line-1");
    free(next);
    int r, c;
    assert_false(tm_cursor(t, &r, &c)); /* no cursor while scrolled back */

    /* a page down, then beyond the bottom is clamped */
    tm_scroll(t, -10);
    assert_int_equal(tm_scrolled(t), held - 10);
    assert_int_equal(find_row(t, "line-10"), row);
    tm_scroll(t, -100000);
    assert_int_equal(tm_scrolled(t), 0);

    /* new output keeps a scrolled view on the same lines */
    assert_true(wait_prompt(t));
    tm_scroll(t, 5);
    char *before = row_text(t, 0);
    tm_write(t, "echo more-1; echo more-2\r", 25);
    assert_true(tm_scrolled(t) >= 5);
    double end = time_mono_ms() + WAIT_MS;
    while (tm_scrolled(t) < 8 && time_mono_ms() < end) pump(t);
    char *after = row_text(t, 0);
    assert_string_equal(before, after);
    free(before);
    free(after);

    /* any key goes back to the bottom */
    assert_true(tm_key(t, "a"));
    assert_int_equal(tm_scrolled(t), 0);
    assert_true(tm_cursor(t, &r, &c));
    tm_free(t);
}

static void test_scrollback_ring_keeps_the_newest(void **state)
{
    tm_term *t = start_sh(*state, 10, 60, 50);
    print_200(t);
    assert_int_equal(tm_scrollback(t), 50);
    tm_scroll(t, 1000);
    assert_int_equal(tm_scrolled(t), 50);
    char *top = row_text(t, 0);
    int k = -1;
    assert_int_equal(sscanf(top, "line-%d", &k), 1);
    assert_true(k > 100 && k < 199);
    free(top);
    for (int i = 1; i < 10; i++) {
        char want[32];
        snprintf(want, sizeof want, "line-%d", k + i);
        char *got = row_text(t, i);
        assert_string_equal(got, want);
        free(got);
    }
    tm_free(t);
}

static void test_exit_is_noticed_and_enter_restarts(void **state)
{
    tm_term *t = start_sh(*state, 24, 80, 0);
    type(t, "exit 3\r");
    assert_true(wait_state(t, TM_EXITED));
    assert_int_equal(tm_exit_status(t), 3);
    assert_int_equal(tm_fd(t), -1);
    assert_int_equal(tm_pid(t), -1);
    assert_true(wait_text(t, "[shell exited with status 3 — press Enter to start a new one]"));
    int r, c;
    assert_false(tm_cursor(t, &r, &c));

    /* other keys are dropped; Enter starts a new shell in the same folder */
    assert_true(tm_key(t, "x"));
    assert_int_equal(tm_get_state(t), TM_EXITED);
    assert_true(tm_key(t, "Enter"));
    assert_int_equal(tm_get_state(t), TM_RUNNING);
    type(t, "echo again-$((1+1)); pwd\r");
    assert_true(wait_text(t, "again-2"));
    assert_true(wait_line(t, *state));
    type(t, "exit\r");
    assert_true(wait_state(t, TM_EXITED));
    assert_int_equal(tm_exit_status(t), 0);
    assert_true(wait_text(t, "[shell exited with status 0"));
    tm_free(t);
}

static void test_killed_shell_and_missing_shell(void **state)
{
    tm_term *t = start_sh(*state, 24, 80, 0);
    type(t, "echo u''p\r");
    assert_true(wait_line(t, "up"));
    assert_int_equal(kill(tm_pid(t), SIGKILL), 0);
    assert_true(wait_state(t, TM_EXITED));
    assert_int_equal(tm_exit_status(t), 128 + SIGKILL);
    assert_true(wait_text(t, "[shell killed by signal 9"));
    tm_free(t);

    t = tm_new(24, 80, 0);
    char *err = NULL;
    assert_int_equal(tm_start(t, *state, "/nonexistent/tarn-shell", &err), 0);
    assert_true(wait_state(t, TM_EXITED));
    assert_int_equal(tm_exit_status(t), 127);
    assert_true(wait_text(t, "cannot run /nonexistent/tarn-shell"));
    tm_free(t);
}

/* The bytes each key sends, read back by od in the shell (raw mode: no
 * echo, no signals, no flow control, so every byte arrives as sent). */
static void test_keys_send_terminal_bytes(void **state)
{
    static const struct {
        const char *key, *hex;
    } keys[] = {
        {"a", "61"},          {"é", "c3 a9"},          {"Enter", "0d"},
        {"Tab", "09"},        {"S-Tab", "1b 5b 5a"},   {"Backspace", "7f"},
        {"Esc", "1b"},        {"C-c", "03"},           {"C-a", "01"},
        {"C-z", "1a"},        {"C-]", "1d"},           {"C-Space", "00"},
        {"M-x", "1b 78"},     {"M-C-a", "1b 01"},      {"Up", "1b 5b 41"},
        {"Down", "1b 5b 42"}, {"Right", "1b 5b 43"},   {"Left", "1b 5b 44"},
        {"C-Up", "1b 5b 31 3b 35 41"},                 {"Home", "1b 5b 48"},
        {"End", "1b 5b 46"},  {"PgUp", "1b 5b 35 7e"}, {"PgDn", "1b 5b 36 7e"},
        {"Del", "1b 5b 33 7e"},                        {"Ins", "1b 5b 32 7e"},
        {"F1", "1b 4f 50"},   {"F5", "1b 5b 31 35 7e"}, {"F12", "1b 5b 32 34 7e"},
    };
    tm_term *t = start_sh(*state, 24, 400, 0);
    sb want = {0};
    int n = 0;
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        sb_addf(&want, " %s", keys[i].hex);
        n += (int)(strlen(keys[i].hex) + 1) / 3;
    }
    char *cmd = xasprintf("stty raw -echo; echo RE''ADY; head -c %d | od -An -tx1 -w%d; "
                          "stty sane\r", n, n);
    type(t, cmd);
    free(cmd);
    assert_true(wait_text(t, "READY"));
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) assert_true(tm_key(t, keys[i].key));
    assert_true(wait_text(t, sb_str(&want)));
    sb_free(&want);
    tm_free(t);
}

static void test_unknown_keys_and_no_shell(void **state)
{
    (void)state;
    tm_term *t = tm_new(5, 20, 0);
    assert_int_equal(tm_get_state(t), TM_IDLE);
    assert_int_equal(tm_fd(t), -1);
    assert_int_equal(tm_pid(t), -1);
    assert_false(tm_key(t, "key400"));
    assert_false(tm_key(t, "F25"));
    assert_false(tm_key(t, "Bogus"));
    assert_false(tm_key(t, ""));
    assert_true(tm_key(t, "Up")); /* known, dropped: no shell */
    assert_int_equal(tm_read(t), 0);
    assert_false(tm_poll(t));
    int r, c;
    assert_false(tm_cursor(t, &r, &c));
    tm_cell cell;
    tm_cell_at(t, 0, 0, &cell);
    assert_string_equal(cell.text, "");
    assert_int_equal(cell.width, 1);
    assert_int_equal(cell.fg, -1);
    tm_cell_at(t, 99, -3, &cell); /* outside: a blank */
    assert_int_equal(cell.width, 1);
    char *text = tm_text(t);
    assert_string_equal(text, "\n\n\n\n\n");
    free(text);
    assert_string_equal(tm_title(t), "");
    tm_free(t);
}

static void test_title_and_program_modes(void **state)
{
    tm_term *t = start_sh(*state, 24, 80, 0);
    /* a title; a hidden cursor; application cursor keys, as vim sets them */
    type(t, "printf '\\033]2;my title\\007\\033[?25l\\033[?1h'; echo S''ET\r");
    assert_true(wait_line(t, "SET"));
    assert_string_equal(tm_title(t), "my title");
    int r, c;
    assert_false(tm_cursor(t, &r, &c));
    /* the exit leaves those modes: the cursor shows after a restart */
    tm_write(t, "exit\r", 5);
    assert_true(wait_state(t, TM_EXITED));
    assert_true(tm_key(t, "Enter"));
    assert_string_equal(tm_title(t), "");
    type(t, "echo b''ack\r");
    assert_true(wait_line(t, "back"));
    assert_true(tm_cursor(t, &r, &c));
    tm_free(t);
}

static void test_no_leaks_across_start_stop_cycles(void **state)
{
    int fds = count_fds();
    pid_t sleeper = -1, shells[20];
    for (int i = 0; i < 20; i++) {
        tm_term *t = start_sh(*state, 24, 80, 0);
        shells[i] = tm_pid(t);
        if (i % 4 == 1) {
            type(t, "echo r''eady\r");
            assert_true(wait_line(t, "ready"));
        } else if (i == 2) {
            /* a foreground job: hung up with the shell */
            type(t, "sh -c 'echo SLEEPER=$$; exec sleep 100'\r");
            assert_true(wait_text(t, "\nSLEEPER="));
            char *text = tm_text(t);
            const char *at = strstr(text, "\nSLEEPER=");
            assert_non_null(at);
            sleeper = (pid_t)atoi(at + 9);
            free(text);
            assert_true(sleeper > 0);
        } else if (i == 3) {
            type(t, "exit 1\r");
            assert_true(wait_state(t, TM_EXITED));
        }
        /* the other cycles stop a shell that may not have started yet */
        tm_free(t);
    }
    assert_int_equal(count_fds(), fds);
    for (int i = 0; i < 20; i++) { /* each shell reaped: not even a zombie is left */
        errno = 0;
        assert_int_equal(waitpid(shells[i], NULL, WNOHANG), -1);
        assert_int_equal(errno, ECHILD);
    }
    double end = time_mono_ms() + WAIT_MS;
    while (!process_gone(sleeper) && time_mono_ms() < end) usleep(10000);
    assert_true(process_gone(sleeper));
}

#define T(f) cmocka_unit_test_setup_teardown(f, ts_setup_dir, ts_teardown_dir)

int main(void)
{
    /* a plain prompt, and no startup file, whatever the environment says */
    setenv("PS1", "$ ", 1);
    unsetenv("ENV");
    const struct CMUnitTest tests[] = {
        T(test_runs_commands_in_the_folder_with_term),
        T(test_colors_and_attributes),
        T(test_wide_character_takes_two_cells),
        T(test_resize_reaches_the_shell),
        T(test_scrollback_collects_and_scrolls),
        T(test_scrollback_ring_keeps_the_newest),
        T(test_exit_is_noticed_and_enter_restarts),
        T(test_killed_shell_and_missing_shell),
        T(test_keys_send_terminal_bytes),
        cmocka_unit_test(test_unknown_keys_and_no_shell),
        T(test_title_and_program_modes),
        T(test_no_leaks_across_start_stop_cycles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
