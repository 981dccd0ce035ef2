/*
 * test_tui_harness.c - tests of the headless terminal in tests/support/tui.c,
 * driving /bin/sh, printf, stty and od in a pty: text, colors, wide
 * characters, cursor, resize, keys and mouse as bytes, queries answered,
 * timeouts, exit statuses, and no leaked descriptors or processes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tui.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* The sessions a test opened and did not close yet: a failing test leaves
 * them to close_leftovers, so that later tests see no stray processes. */
static tui *open_sessions[8];

static tui *track(tui *t)
{
    for (size_t i = 0; t && i < sizeof open_sessions / sizeof open_sessions[0]; i++) {
        if (!open_sessions[i]) {
            open_sessions[i] = t;
            break;
        }
    }
    return t;
}

static int close_t(tui *t)
{
    for (size_t i = 0; i < sizeof open_sessions / sizeof open_sessions[0]; i++)
        if (open_sessions[i] == t) open_sessions[i] = NULL;
    return tui_close(t);
}

static int close_leftovers(void **state)
{
    for (size_t i = 0; i < sizeof open_sessions / sizeof open_sessions[0]; i++) {
        if (open_sessions[i]) tui_close(open_sessions[i]);
        open_sessions[i] = NULL;
    }
    return 0;
}

/* Starts sh -c script in a rows x cols terminal. */
static tui *start_sh(const char *script, int rows, int cols)
{
    char *argv[] = {"sh", "-c", (char *)script, NULL};
    tui *t = track(tui_start(argv, NULL, NULL, rows, cols));
    assert_non_null(t);
    return t;
}

static void wait_or_dump(tui *t, const char *text, int ms)
{
    if (!tui_wait_text(t, text, ms)) {
        fprintf(stderr, "text \"%s\" did not appear\n", text);
        tui_dump(t);
        fail();
    }
}

/* ---- reading bytes back through od ---- */

/* A shell that puts its terminal in raw mode and prints each byte it gets
 * in hex on its own line, after READY. */
#define HEXDUMP "stty raw -echo opost; printf 'READY\\r\\n'; exec od -An -tx1 -v -w1"

/* The hex tokens printed after READY, as "1b 5b 41 ...". Caller frees. */
static char *hex_tokens(tui *t, int *count)
{
    char *screen = tui_screen(t);
    assert_non_null(screen);
    char *p = strstr(screen, "READY");
    char *out = calloc(strlen(screen) + 1, 1);
    assert_non_null(out);
    int n = 0;
    if (p) {
        p += 5;
        char *save = NULL;
        for (char *tok = strtok_r(p, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
            if (strlen(tok) != 2 || !strchr("0123456789abcdef", tok[0]) || !strchr("0123456789abcdef", tok[1]))
                continue;
            if (n) strcat(out, " ");
            strcat(out, tok);
            n++;
        }
    }
    free(screen);
    *count = n;
    return out;
}

/* Waits until the program printed *consumed + len more bytes and checks that
 * the new ones are bytes[0..len). */
static void expect_bytes(tui *t, int *consumed, const char *bytes, size_t len)
{
    char want[1024] = "";
    for (size_t i = 0; i < len; i++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%02x", i ? " " : "",
                 (unsigned char)bytes[i]);
    double deadline = now_ms() + 5000;
    for (;;) {
        int n;
        char *all = hex_tokens(t, &n);
        if (n >= *consumed + (int)len) {
            /* skip the tokens already checked: 3 characters each */
            const char *got = all + (*consumed ? (size_t)*consumed * 3 : 0);
            if (strncmp(got, want, strlen(want)) != 0) {
                fprintf(stderr, "want: %s\ngot:  %.*s\n", want, (int)strlen(want), got);
                free(all);
                fail();
            }
            free(all);
            *consumed += (int)len;
            return;
        }
        free(all);
        if (now_ms() > deadline) {
            fprintf(stderr, "want: %s (only %d bytes arrived)\n", want, n - *consumed);
            tui_dump(t);
            fail();
        }
        tui_pump(t, 20);
    }
}

#define EXPECT(t, consumed, lit) expect_bytes((t), (consumed), (lit), sizeof(lit) - 1)

/* ---- tests ---- */

static void test_text_position(void **state)
{
    tui *t = start_sh("printf '\\033[2J\\033[3;5Hhello\\033[6;1Hworld'; read x", 10, 30);
    wait_or_dump(t, "world", 5000);
    int r = -1, c = -1;
    assert_true(tui_find(t, "hello", &r, &c));
    assert_int_equal(r, 2);
    assert_int_equal(c, 4);
    assert_true(tui_find(t, "world", &r, &c));
    assert_int_equal(r, 5);
    assert_int_equal(c, 0);
    assert_false(tui_find(t, "absent", &r, &c));

    char *row = tui_row(t, 2);
    assert_non_null(row);
    assert_string_equal(row, "    hello                     ");
    assert_int_equal(strlen(row), 30);
    free(row);
    assert_null(tui_row(t, 10));
    assert_null(tui_row(t, -1));

    tui_cell cell = tui_cell_at(t, 2, 4);
    assert_string_equal(cell.text, "h");
    assert_int_equal(cell.width, 1);
    cell = tui_cell_at(t, 0, 0);
    assert_string_equal(cell.text, " ");
    cell = tui_cell_at(t, 99, 0);
    assert_int_equal(cell.width, 0);

    assert_true(tui_wait_text_at(t, "hello", 2, 4, 100));
    assert_false(tui_wait_text_at(t, "hello", 2, 5, 100));
    assert_false(tui_wait_text_at(t, "hello", 3, 4, 100));

    char *screen = tui_screen(t);
    assert_non_null(screen);
    assert_int_equal(strlen(screen), 10 * 30 + 9);
    int lines = 0;
    for (char *p = screen; *p; p++) lines += *p == '\n';
    assert_int_equal(lines, 9);
    assert_non_null(strstr(screen, "\n    hello     "));
    free(screen);

    int rows, cols;
    tui_size(t, &rows, &cols);
    assert_int_equal(rows, 10);
    assert_int_equal(cols, 30);
    assert_int_equal(close_t(t), 128 + SIGTERM);
}

static void test_colors(void **state)
{
    tui *t = start_sh("printf '\\033[31mR\\033[42mG\\033[0m\\033[38;5;196mX\\033[48;5;240mY\\033[0m"
                      "\\033[38;2;1;2;3mZ\\033[0m\\033[1;4;7;3mB\\033[0mD\\033[94mH\\033[38;5;17mC"
                      "\\033[0m\\033[1;31mE\\033[0m.'; read x",
                      5, 20);
    wait_or_dump(t, "RGXYZBDHCE.", 5000);

    tui_cell c = tui_cell_at(t, 0, 0); /* R: basic red on the default */
    assert_string_equal(c.text, "R");
    assert_false(c.fg_default);
    assert_int_equal(c.fg_index, 1);
    assert_int_equal(c.fg, 0xcd0000);
    assert_true(c.bg_default);
    assert_int_equal(c.bg_index, -1);
    assert_int_equal(c.bg, TUI_DEFAULT_BG);

    c = tui_cell_at(t, 0, 1); /* G: red on green */
    assert_int_equal(c.fg_index, 1);
    assert_false(c.bg_default);
    assert_int_equal(c.bg_index, 2);
    assert_int_equal(c.bg, 0x00cd00);

    c = tui_cell_at(t, 0, 2); /* X: 256-color cube red */
    assert_int_equal(c.fg_index, 196);
    assert_int_equal(c.fg, 0xff0000);
    assert_true(c.bg_default);

    c = tui_cell_at(t, 0, 3); /* Y: on grey 240 */
    assert_int_equal(c.fg_index, 196);
    assert_int_equal(c.bg_index, 240);
    assert_int_equal(c.bg, 0x585858);

    c = tui_cell_at(t, 0, 4); /* Z: direct RGB */
    assert_false(c.fg_default);
    assert_int_equal(c.fg_index, -1);
    assert_int_equal(c.fg, 0x010203);

    c = tui_cell_at(t, 0, 5); /* B: attributes */
    assert_true(c.bold);
    assert_true(c.underline);
    assert_true(c.reverse);
    assert_true(c.italic);
    assert_true(c.fg_default);

    c = tui_cell_at(t, 0, 6); /* D: all back to the defaults */
    assert_false(c.bold || c.underline || c.reverse || c.italic);
    assert_true(c.fg_default);
    assert_int_equal(c.fg, TUI_DEFAULT_FG);

    c = tui_cell_at(t, 0, 7); /* H: bright blue */
    assert_int_equal(c.fg_index, 12);
    assert_int_equal(c.fg, 0x5c5cff);

    c = tui_cell_at(t, 0, 8); /* C: cube 17 is xterm's 00005f */
    assert_int_equal(c.fg_index, 17);
    assert_int_equal(c.fg, 0x00005f);

    c = tui_cell_at(t, 0, 9); /* E: bold red stays index 1 */
    assert_true(c.bold);
    assert_int_equal(c.fg_index, 1);
    close_t(t);
}

static void test_wide_characters(void **state)
{
    /* 中 文 (CJK), x, 😀 (emoji), y; then a + e with a combining acute + b */
    tui *t = start_sh("printf '\\344\\270\\255\\346\\226\\207x\\360\\237\\230\\200y\\r\\nae\\314\\201b'; read x",
                      4, 12);
    wait_or_dump(t, "y", 5000);
    wait_or_dump(t, "b", 5000);

    tui_cell c = tui_cell_at(t, 0, 0);
    assert_string_equal(c.text, "中");
    assert_int_equal(c.width, 2);
    c = tui_cell_at(t, 0, 1);
    assert_string_equal(c.text, "");
    assert_int_equal(c.width, 0);
    c = tui_cell_at(t, 0, 2);
    assert_string_equal(c.text, "文");
    assert_int_equal(c.width, 2);
    c = tui_cell_at(t, 0, 4);
    assert_string_equal(c.text, "x");
    c = tui_cell_at(t, 0, 5);
    assert_string_equal(c.text, "😀");
    assert_int_equal(c.width, 2);
    c = tui_cell_at(t, 0, 6);
    assert_int_equal(c.width, 0);
    c = tui_cell_at(t, 0, 7);
    assert_string_equal(c.text, "y");

    int r, col;
    assert_true(tui_find(t, "y", &r, &col));
    assert_int_equal(r, 0);
    assert_int_equal(col, 7);
    assert_true(tui_find(t, "😀y", &r, &col));
    assert_int_equal(col, 5);

    char *row = tui_row(t, 0);
    assert_string_equal(row, "中文x😀y    "); /* 8 cells of text + 4 spaces */
    free(row);

    c = tui_cell_at(t, 1, 1);
    assert_string_equal(c.text, "e\xcc\x81");
    assert_int_equal(c.width, 1);
    c = tui_cell_at(t, 1, 2);
    assert_string_equal(c.text, "b");
    int cr, cc;
    tui_cursor(t, &cr, &cc);
    assert_int_equal(cr, 1);
    assert_int_equal(cc, 3);
    close_t(t);
}

static void test_cursor(void **state)
{
    tui *t = start_sh("printf '\\033[?25l\\033[5;10Habc'; read x; printf '\\033[?25h\\033[1;1Hdone'; read y",
                      10, 40);
    wait_or_dump(t, "abc", 5000);
    int r, c;
    tui_cursor(t, &r, &c);
    assert_int_equal(r, 4);
    assert_int_equal(c, 12);
    assert_false(tui_cursor_visible(t));
    assert_true(tui_key(t, "Enter"));
    wait_or_dump(t, "done", 5000);
    tui_cursor(t, &r, &c);
    assert_int_equal(r, 0);
    assert_int_equal(c, 4);
    assert_true(tui_cursor_visible(t));
    close_t(t);
}

static void test_resize(void **state)
{
    tui *t = start_sh("trap 'echo \"size $(stty size)\"' WINCH; echo \"size $(stty size)\"; "
                      "while :; do sleep 0.05; done",
                      10, 40);
    wait_or_dump(t, "size 10 40", 5000);
    tui_resize(t, 30, 100);
    wait_or_dump(t, "size 30 100", 5000);
    int rows, cols;
    tui_size(t, &rows, &cols);
    assert_int_equal(rows, 30);
    assert_int_equal(cols, 100);
    char *row = tui_row(t, 29);
    assert_non_null(row);
    assert_int_equal(strlen(row), 100);
    free(row);
    assert_null(tui_row(t, 30));

    tui_resize(t, 8, 20);
    wait_or_dump(t, "size 8 20", 5000);
    row = tui_row(t, 7);
    assert_int_equal(strlen(row), 20);
    free(row);
    close_t(t);
}

static void test_keys_as_bytes(void **state)
{
    tui *t = start_sh(HEXDUMP, 200, 20);
    wait_or_dump(t, "READY", 5000);
    int n = 0;
    tui_send(t, "ab");
    EXPECT(t, &n, "ab");
    assert_true(tui_key(t, "x"));
    EXPECT(t, &n, "x");
    assert_true(tui_key(t, "é"));
    EXPECT(t, &n, "\xc3\xa9");
    assert_true(tui_key(t, "Enter"));
    EXPECT(t, &n, "\r");
    assert_true(tui_key(t, "Tab"));
    EXPECT(t, &n, "\t");
    assert_true(tui_key(t, "S-Tab"));
    EXPECT(t, &n, "\033[Z");
    assert_true(tui_key(t, "Esc"));
    EXPECT(t, &n, "\033");
    assert_true(tui_key(t, "Backspace"));
    EXPECT(t, &n, "\x7f");
    assert_true(tui_key(t, "Up"));
    EXPECT(t, &n, "\033[A");
    assert_true(tui_key(t, "Down"));
    EXPECT(t, &n, "\033[B");
    assert_true(tui_key(t, "Right"));
    EXPECT(t, &n, "\033[C");
    assert_true(tui_key(t, "Left"));
    EXPECT(t, &n, "\033[D");
    assert_true(tui_key(t, "Home"));
    EXPECT(t, &n, "\033[H");
    assert_true(tui_key(t, "End"));
    EXPECT(t, &n, "\033[F");
    assert_true(tui_key(t, "PgUp"));
    EXPECT(t, &n, "\033[5~");
    assert_true(tui_key(t, "PgDn"));
    EXPECT(t, &n, "\033[6~");
    assert_true(tui_key(t, "Del"));
    EXPECT(t, &n, "\033[3~");
    assert_true(tui_key(t, "F1"));
    EXPECT(t, &n, "\033OP");
    assert_true(tui_key(t, "F5"));
    EXPECT(t, &n, "\033[15~");
    assert_true(tui_key(t, "F12"));
    EXPECT(t, &n, "\033[24~");
    assert_true(tui_key(t, "C-a"));
    EXPECT(t, &n, "\x01");
    assert_true(tui_key(t, "C-z"));
    EXPECT(t, &n, "\x1a");
    assert_true(tui_key(t, "C-c")); /* raw mode: no SIGINT */
    EXPECT(t, &n, "\x03");
    assert_true(tui_key(t, "C-i"));
    EXPECT(t, &n, "\t");
    assert_true(tui_key(t, "C-m"));
    EXPECT(t, &n, "\r");
    assert_true(tui_key(t, "C-Space"));
    EXPECT(t, &n, "\0");
    assert_true(tui_key(t, "M-1"));
    EXPECT(t, &n, "\0331");
    assert_true(tui_key(t, "M-9"));
    EXPECT(t, &n, "\0339");
    assert_true(tui_key(t, "M-x"));
    EXPECT(t, &n, "\033x");
    assert_true(tui_key(t, "C-Up"));
    EXPECT(t, &n, "\033[1;5A");
    assert_true(tui_key(t, "S-Right"));
    EXPECT(t, &n, "\033[1;2C");

    /* unknown names send nothing */
    assert_false(tui_key(t, "Hyper"));
    assert_false(tui_key(t, "F13"));
    assert_false(tui_key(t, "C-é"));
    assert_false(tui_key(t, "ab"));
    tui_send(t, "z");
    EXPECT(t, &n, "z");
    close_t(t);
}

/* After ESC [ ? 1 h (what ncurses' keypad() sends) cursor keys are SS3. */
static void test_keys_application_cursor_mode(void **state)
{
    tui *t = start_sh("printf '\\033[?1h'; " HEXDUMP, 100, 20);
    wait_or_dump(t, "READY", 5000);
    int n = 0;
    tui_key(t, "Up");
    EXPECT(t, &n, "\033OA");
    tui_key(t, "Left");
    EXPECT(t, &n, "\033OD");
    tui_key(t, "Home");
    EXPECT(t, &n, "\033OH");
    tui_key(t, "F1");
    EXPECT(t, &n, "\033OP");
    tui_key(t, "PgDn");
    EXPECT(t, &n, "\033[6~");
    close_t(t);
}

static void test_mouse_sgr(void **state)
{
    tui *t = start_sh(HEXDUMP, 200, 20);
    wait_or_dump(t, "READY", 5000);
    int n = 0;
    tui_mouse(t, 0, 4, 9, true);
    EXPECT(t, &n, "\033[<0;10;5M");
    tui_mouse(t, 0, 4, 9, false);
    EXPECT(t, &n, "\033[<0;10;5m");
    tui_mouse(t, 2, 0, 0, true);
    EXPECT(t, &n, "\033[<2;1;1M");
    tui_mouse(t, 1, 23, 79, false);
    EXPECT(t, &n, "\033[<1;80;24m");
    tui_drag(t, 0, 1, 1, 1, 4);
    EXPECT(t, &n, "\033[<0;2;2M\033[<32;3;2M\033[<32;4;2M\033[<32;5;2M\033[<0;5;2m");
    tui_drag(t, 2, 3, 3, 1, 3); /* upwards with the right button */
    EXPECT(t, &n, "\033[<2;4;4M\033[<34;4;3M\033[<34;4;2M\033[<2;4;2m");
    tui_wheel(t, 3, 7, -1);
    EXPECT(t, &n, "\033[<64;8;4M");
    tui_wheel(t, 3, 7, 2);
    EXPECT(t, &n, "\033[<65;8;4M\033[<65;8;4M");
    close_t(t);
}

/* The program's queries get libvterm's answers through the pty. */
static void test_terminal_queries_answered(void **state)
{
    tui *t = start_sh("stty raw -echo opost; printf '\\033[3;7H\\033[6n\\033[c\\r\\nREADY\\r\\n'; "
                      "exec od -An -tx1 -v -w1",
                      60, 20);
    wait_or_dump(t, "READY", 5000);
    int n = 0;
    EXPECT(t, &n, "\033[3;7R");
    EXPECT(t, &n, "\033[?1;2c");
    close_t(t);
}

static void test_line_input(void **state)
{
    tui *t = start_sh("printf 'name? '; read x; echo \"got:$x\"; read y", 5, 40);
    wait_or_dump(t, "name?", 5000);
    tui_send(t, "helo");
    tui_key(t, "Backspace");
    tui_send(t, "lo");
    tui_key(t, "Enter");
    wait_or_dump(t, "got:hello", 5000);
    assert_true(tui_find(t, "name? hello", NULL, NULL)); /* echoed */
    assert_false(tui_find(t, "helo", NULL, NULL));
    close_t(t);
}

static void test_environment_and_folder(void **state)
{
    setenv("COLUMNS", "99", 1);
    setenv("NO_COLOR", "1", 1);
    const char *env[] = {"FOO=bar", NULL};
    char *argv[] = {"sh", "-c",
                    "printf '[%s|%s|%s|%s|%s|%s]' \"$TERM\" \"$FOO\" \"${COLUMNS-unset}\" "
                    "\"${LC_ALL-}\" \"$(pwd)\" \"${NO_COLOR-unset}\"; read x",
                    NULL};
    tui *t = track(tui_start(argv, env, "/", 4, 80));
    unsetenv("COLUMNS");
    unsetenv("NO_COLOR");
    assert_non_null(t);
    wait_or_dump(t, "]", 5000);
    assert_true(tui_find(t, "[xterm-256color|bar|unset|C.UTF-8|/|unset]", NULL, NULL));
    close_t(t);

    const char *env2[] = {"LANG=C", "TERM=dumb", NULL}; /* env wins */
    char *argv2[] = {"sh", "-c", "printf '[%s|%s|%s]' \"${LC_ALL-none}\" \"$LANG\" \"$TERM\"; read x", NULL};
    t = track(tui_start(argv2, env2, NULL, 4, 80));
    assert_non_null(t);
    wait_or_dump(t, "]", 5000);
    assert_true(tui_find(t, "[none|C|dumb]", NULL, NULL));
    close_t(t);
}

static void test_start_failures(void **state)
{
    char *missing[] = {"/nonexistent/program", NULL};
    assert_null(tui_start(missing, NULL, NULL, 24, 80));
    char *not_on_path[] = {"tarn-no-such-program-xyz", NULL};
    assert_null(tui_start(not_on_path, NULL, NULL, 24, 80));
    char *sh[] = {"sh", "-c", "exit 0", NULL};
    assert_null(tui_start(sh, NULL, "/nonexistent/folder", 24, 80));
    assert_null(tui_start(sh, NULL, NULL, 0, 80));
    /* the failed children were reaped */
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

static void test_wait_text_times_out(void **state)
{
    tui *t = start_sh("printf something; read x", 5, 40);
    wait_or_dump(t, "something", 5000);
    double t0 = now_ms();
    assert_false(tui_wait_text(t, "never", 300));
    double took = now_ms() - t0;
    assert_true(took >= 290);
    assert_true(took < 2000);
    t0 = now_ms();
    assert_false(tui_wait_text_at(t, "never", 0, 0, 200));
    assert_true(now_ms() - t0 >= 190);
    close_t(t);

    /* a program that is gone cannot write it any more: no need to wait */
    t = start_sh("printf bye", 5, 40);
    t0 = now_ms();
    assert_false(tui_wait_text(t, "never", 10000));
    assert_true(now_ms() - t0 < 5000);
    assert_true(tui_find(t, "bye", NULL, NULL));
    close_t(t);
}

static void test_exit_status(void **state)
{
    tui *t = start_sh("printf bye; exit 3", 5, 40);
    assert_int_equal(tui_wait_exit(t, 5000), 3);
    assert_true(tui_wait_text(t, "bye", 1000)); /* output after exit is kept */
    assert_int_equal(close_t(t), 3);

    t = start_sh("read x; exit 4", 5, 40);
    assert_int_equal(tui_wait_exit(t, 100), -1); /* still running */
    tui_key(t, "Enter");
    assert_int_equal(tui_wait_exit(t, 5000), 4);
    assert_int_equal(close_t(t), 4);

    t = start_sh("kill -9 $$", 5, 40);
    assert_int_equal(tui_wait_exit(t, 5000), 128 + SIGKILL);
    assert_int_equal(close_t(t), 128 + SIGKILL);

    t = start_sh("printf ready; read x", 5, 40); /* ended by tui_close */
    wait_or_dump(t, "ready", 5000);
    assert_int_equal(close_t(t), 128 + SIGTERM);

    /* ignoring SIGTERM: killed after 2 s */
    t = start_sh("trap '' TERM; printf ready; while :; do sleep 0.1; done", 5, 40);
    wait_or_dump(t, "ready", 5000);
    double t0 = now_ms();
    assert_int_equal(close_t(t), 128 + SIGKILL);
    double took = now_ms() - t0;
    assert_true(took >= 1900 && took < 6000);

    assert_int_equal(tui_close(NULL), -1);
}

static void test_alternate_screen(void **state)
{
    tui *t = start_sh("printf 'main\\033[?1049h\\033[2J\\033[Halt'; read x; printf '\\033[?1049lback'; read y",
                      6, 30);
    wait_or_dump(t, "alt", 5000);
    assert_false(tui_find(t, "main", NULL, NULL));
    tui_key(t, "Enter");
    wait_or_dump(t, "back", 5000);
    assert_true(tui_find(t, "main", NULL, NULL));
    assert_false(tui_find(t, "alt", NULL, NULL));
    close_t(t);
}

static void test_wait_change(void **state)
{
    tui *t = start_sh("stty -echo; printf ready; read x; printf changed; read y; "
                      "printf '\\033[1;1Hready\\033[1;1H'; read z",
                      5, 30);
    wait_or_dump(t, "ready", 5000);
    tui_pump(t, 50);
    assert_true(tui_wait_change(t, 200) < 0); /* nothing happens */
    tui_key(t, "Enter");
    double ms = tui_wait_change(t, 5000);
    assert_true(ms >= 0 && ms < 5000);
    assert_true(tui_find(t, "changed", NULL, NULL));
    /* rewriting the same text and moving the cursor change nothing */
    tui_key(t, "Enter");
    assert_true(tui_wait_change(t, 300) < 0);
    int r, c;
    tui_cursor(t, &r, &c);
    assert_int_equal(r, 0);
    assert_int_equal(c, 0);
    close_t(t);
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

/* Whether process pid is gone (or a zombie nobody reaped). */
static bool process_gone(long pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return true;
    char buf[512] = "";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X');
}

static void test_no_leaks(void **state)
{
    int before = count_fds();
    for (int i = 0; i < 40; i++) {
        char script[64];
        snprintf(script, sizeof script, "printf 'run %d'; read x", i);
        tui *t = start_sh(script, 24, 80);
        char want[32];
        snprintf(want, sizeof want, "run %d", i);
        wait_or_dump(t, want, 5000);
        if (i % 2) tui_key(t, "Enter"); /* half exit by themselves */
        int st = close_t(t);
        assert_true(st == 0 || st == 128 + SIGTERM);
    }
    assert_int_equal(count_fds(), before);
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);

    /* a background process left by the program (ignoring SIGTERM and SIGHUP)
     * is ended too */
    tui *t = start_sh("trap '' TERM HUP; sleep 30 & echo \"bg=$!.\"; read x", 5, 40);
    wait_or_dump(t, ".", 5000);
    char *row = tui_row(t, 0);
    long bg = 0;
    assert_int_equal(sscanf(row, "bg=%ld.", &bg), 1);
    free(row);
    assert_true(bg > 0);
    tui_key(t, "Enter");
    assert_int_equal(tui_wait_exit(t, 5000), 0);
    usleep(100000);
    assert_false(process_gone(bg));
    assert_int_equal(close_t(t), 0);
    double deadline = now_ms() + 3000;
    while (!process_gone(bg) && now_ms() < deadline) usleep(10000);
    assert_true(process_gone(bg));
    assert_int_equal(count_fds(), before);
}

/* The program gets descriptors 0-2 only, even while other sessions are open
 * (their pty masters are not inherited). */
static void test_child_descriptors(void **state)
{
    tui *other = start_sh("read x", 5, 40);
    tui *t = start_sh("ls -m /proc/$$/fd; echo end; read x", 5, 60);
    wait_or_dump(t, "end", 5000);
    char *row = tui_row(t, 0);
    if (strncmp(row, "0, 1, 2  ", 9) != 0) {
        tui_dump(t);
        fail();
    }
    free(row);
    close_t(t);
    close_t(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_text_position, close_leftovers),
        cmocka_unit_test_teardown(test_colors, close_leftovers),
        cmocka_unit_test_teardown(test_wide_characters, close_leftovers),
        cmocka_unit_test_teardown(test_cursor, close_leftovers),
        cmocka_unit_test_teardown(test_resize, close_leftovers),
        cmocka_unit_test_teardown(test_keys_as_bytes, close_leftovers),
        cmocka_unit_test_teardown(test_keys_application_cursor_mode, close_leftovers),
        cmocka_unit_test_teardown(test_mouse_sgr, close_leftovers),
        cmocka_unit_test_teardown(test_terminal_queries_answered, close_leftovers),
        cmocka_unit_test_teardown(test_line_input, close_leftovers),
        cmocka_unit_test_teardown(test_environment_and_folder, close_leftovers),
        cmocka_unit_test_teardown(test_start_failures, close_leftovers),
        cmocka_unit_test_teardown(test_wait_text_times_out, close_leftovers),
        cmocka_unit_test_teardown(test_exit_status, close_leftovers),
        cmocka_unit_test_teardown(test_alternate_screen, close_leftovers),
        cmocka_unit_test_teardown(test_wait_change, close_leftovers),
        cmocka_unit_test_teardown(test_no_leaks, close_leftovers),
        cmocka_unit_test_teardown(test_child_descriptors, close_leftovers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
