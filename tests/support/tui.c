/*
 * tui.c - a headless terminal for testing full-screen programs (see tui.h):
 * a pty from forkpty(), its output rendered by libvterm's screen layer.
 *
 * Notes on libvterm 0.1.4 that this file works around:
 *  - the right half of a wide character is a cell whose chars[0] is
 *    (uint32_t)-1 and whose width is 1;
 *  - its palette is not xterm's (color 1 is e00000, the cube steps by 0x33),
 *    so palette indices are mapped to RGB here with xterm's values;
 *  - vterm_keyboard_unichar() sends C-i, C-j, C-m as CSI 105;5u etc. instead
 *    of 0x09/0x0a/0x0d, so Ctrl and Alt with a character are encoded here;
 *    named keys go through vterm_keyboard_key(), which honors DECCKM;
 *  - replies to queries (DSR, DA) come through the output callback while
 *    vterm_input_write() runs; they are queued and written afterwards.
 */
#include "tui.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <vterm.h>

extern char **environ;

struct tui {
    pid_t pid;
    int fd;                /* pty master, non-blocking, close-on-exec */
    VTerm *vt;
    VTermScreen *screen;
    VTermState *state;
    int rows, cols;
    bool eof;              /* the master read EIO: nobody holds the slave */
    bool exited;           /* the child exited (not yet reaped) */
    int status;            /* its exit status once exited */
    bool cursor_visible;
    unsigned long damage;  /* damage callbacks so far */
    char *wbuf;            /* bytes queued for the program */
    size_t wlen, wcap;
};

/* ---- time ---- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void sleep_ms(double ms)
{
    if (ms <= 0) return;
    struct timespec ts = {(time_t)(ms / 1000), (long)((ms - (time_t)(ms / 1000) * 1000.0) * 1e6)};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
    }
}

/* ---- libvterm callbacks ---- */

static void queue_out(tui *t, const char *s, size_t n)
{
    if (t->wlen + n > t->wcap) {
        size_t cap = t->wcap ? t->wcap * 2 : 256;
        while (cap < t->wlen + n) cap *= 2;
        char *p = realloc(t->wbuf, cap);
        if (!p) {
            fprintf(stderr, "tui: out of memory\n");
            return;
        }
        t->wbuf = p;
        t->wcap = cap;
    }
    memcpy(t->wbuf + t->wlen, s, n);
    t->wlen += n;
}

static void on_output(const char *s, size_t len, void *user)
{
    queue_out(user, s, len);
}

static int on_damage(VTermRect rect, void *user)
{
    ((tui *)user)->damage++;
    return 1;
}

static int on_settermprop(VTermProp prop, VTermValue *val, void *user)
{
    tui *t = user;
    if (prop == VTERM_PROP_CURSORVISIBLE) t->cursor_visible = val->boolean;
    return 1;
}

static const VTermScreenCallbacks screen_cbs = {
    .damage = on_damage,
    .settermprop = on_settermprop,
};

/* ---- the child ---- */

/* Whether the child exited; records its status without reaping it, so that
 * its pid (and process group id) stay taken until tui_close. */
static bool check_exit(tui *t)
{
    if (t->exited) return true;
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_PID, (id_t)t->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == t->pid) {
        t->exited = true;
        t->status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;
    }
    return t->exited;
}

/* ---- reading and writing the pty ---- */

/* Reads one chunk if the master is readable within timeout ms and feeds it
 * to the screen. Returns 1 when it read something, 0 when nothing came, -1
 * at end of output. Never writes; callers flush the queued replies. */
static int read_chunk(tui *t, int timeout)
{
    if (t->eof) return -1;
    struct pollfd p = {.fd = t->fd, .events = POLLIN};
    int r = poll(&p, 1, timeout < 0 ? 0 : timeout);
    if (r < 0) return errno == EINTR ? 0 : -1;
    if (r == 0) return 0;
    char buf[16384];
    ssize_t n = read(t->fd, buf, sizeof buf);
    if (n > 0) {
        vterm_input_write(t->vt, buf, (size_t)n);
        return 1;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
    t->eof = true; /* EIO (or 0): the slave side is closed for good */
    check_exit(t);
    return -1;
}

/* Writes the queued bytes. When the pty's input is full, keeps reading the
 * program's output (it may be blocked writing) for up to 5 s. */
static void flush_out(tui *t)
{
    double deadline = now_ms() + 5000;
    size_t off = 0;
    while (off < t->wlen) {
        ssize_t n = write(t->fd, t->wbuf + off, t->wlen - off);
        if (n > 0) {
            off += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN && now_ms() < deadline) {
            struct pollfd p = {.fd = t->fd, .events = POLLIN | POLLOUT};
            if (poll(&p, 1, 50) > 0 && (p.revents & POLLIN)) read_chunk(t, 0);
            continue;
        }
        if (!t->eof && !check_exit(t))
            fprintf(stderr, "tui: could not write %zu bytes to the program: %s\n",
                    t->wlen - off, n < 0 ? strerror(errno) : "no progress");
        break;
    }
    t->wlen = 0;
}

void tui_pump(tui *t, int ms)
{
    if (!t) return;
    double deadline = now_ms() + (ms > 0 ? ms : 0);
    int late = 0; /* chunks read after the deadline: a program that writes
                   * without pause must not keep us here */
    for (;;) {
        double left = deadline - now_ms();
        int r = read_chunk(t, left > 0 ? (int)(left + 0.999) : 0);
        flush_out(t);
        if (r < 0) break;
        if (now_ms() >= deadline && (r == 0 || ++late >= 64)) break;
    }
    check_exit(t);
}

/* ---- start and close ---- */

static bool env_name_is(const char *entry, const char *name)
{
    size_t n = strlen(name);
    return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

static bool env_has(const char *const env[], const char *name)
{
    for (size_t i = 0; env && env[i]; i++)
        if (env_name_is(env[i], name)) return true;
    return false;
}

/* Whether environ entry e is dropped: a variable tui_start controls or one
 * that env replaces. */
static bool env_drops(const char *e, const char *const env[])
{
    static const char *const drop[] = {"TERM", "COLUMNS", "LINES", "COLORTERM", "NO_COLOR",
                                       "LANG", "LANGUAGE"};
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
        if (env_name_is(e, drop[i])) return true;
    if (strncmp(e, "LC_", 3) == 0) return true;
    const char *eq = strchr(e, '=');
    size_t n = eq ? (size_t)(eq - e) : strlen(e);
    for (size_t i = 0; env && env[i]; i++)
        if (strncmp(env[i], e, n) == 0 && env[i][n] == '=') return true;
    return false;
}

static char **build_env(const char *const env[])
{
    size_t n = 0, m = 0;
    while (environ[n]) n++;
    while (env && env[m]) m++;
    char **out = calloc(n + m + 3, sizeof *out);
    if (!out) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!env_drops(environ[i], env)) out[k++] = environ[i];
    out[k++] = "TERM=xterm-256color";
    if (!env_has(env, "LC_ALL") && !env_has(env, "LC_CTYPE") && !env_has(env, "LANG"))
        out[k++] = "LC_ALL=C.UTF-8";
    for (size_t i = 0; i < m; i++) out[k++] = (char *)env[i];
    out[k] = NULL;
    return out;
}

/* Like `stty sane` on a Linux console. */
static void sane_termios(struct termios *tio)
{
    memset(tio, 0, sizeof *tio);
    tio->c_iflag = BRKINT | ICRNL | IXON | IMAXBEL | IUTF8;
    tio->c_oflag = OPOST | ONLCR;
    tio->c_cflag = CS8 | CREAD | HUPCL;
    tio->c_lflag = ISIG | ICANON | IEXTEN | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE;
    tio->c_cc[VINTR] = 0x03;
    tio->c_cc[VQUIT] = 0x1c;
    tio->c_cc[VERASE] = 0x7f;
    tio->c_cc[VKILL] = 0x15;
    tio->c_cc[VEOF] = 0x04;
    tio->c_cc[VSTART] = 0x11;
    tio->c_cc[VSTOP] = 0x13;
    tio->c_cc[VSUSP] = 0x1a;
    tio->c_cc[VREPRINT] = 0x12;
    tio->c_cc[VDISCARD] = 0x0f;
    tio->c_cc[VWERASE] = 0x17;
    tio->c_cc[VLNEXT] = 0x16;
    tio->c_cc[VMIN] = 1;
    tio->c_cc[VTIME] = 0;
    cfsetispeed(tio, B38400);
    cfsetospeed(tio, B38400);
}

/* In the child: close every descriptor from 3 on except keep. */
static void close_fds_except(int keep)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    if ((keep == 3 || close_range(3, (unsigned)keep - 1, 0) == 0) &&
        close_range((unsigned)keep + 1, ~0u, 0) == 0)
        return;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    for (int fd = 3; fd < max; fd++)
        if (fd != keep) close(fd);
}

tui *tui_start(char *const argv[], const char *const env[], const char *cwd, int rows, int cols)
{
    if (!argv || !argv[0] || rows <= 0 || cols <= 0) {
        fprintf(stderr, "tui_start: no program or bad size %dx%d\n", rows, cols);
        return NULL;
    }
    char **envp = build_env(env);
    if (!envp) {
        fprintf(stderr, "tui_start: out of memory\n");
        return NULL;
    }
    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) != 0) {
        fprintf(stderr, "tui_start: pipe: %s\n", strerror(errno));
        free(envp);
        return NULL;
    }
    struct termios tio;
    sane_termios(&tio);
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    int master = -1;
    fflush(NULL);
    pid_t pid = forkpty(&master, NULL, &tio, &ws);
    if (pid < 0) {
        fprintf(stderr, "tui_start: forkpty: %s\n", strerror(errno));
        close(errpipe[0]);
        close(errpipe[1]);
        free(envp);
        return NULL;
    }
    if (pid == 0) {
        /* The child: no allocation from here on. */
        int stage = 0;
        for (int sig = 1; sig < NSIG; sig++)
            if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        close_fds_except(errpipe[1]);
        if (cwd && chdir(cwd) != 0) {
            stage = 1;
        } else {
            environ = envp;
            execvp(argv[0], argv);
            stage = 2;
        }
        int report[2] = {stage, errno};
        ssize_t w = write(errpipe[1], report, sizeof report);
        (void)w;
        _exit(127);
    }
    close(errpipe[1]);
    free(envp);
    int report[2];
    ssize_t got;
    do {
        got = read(errpipe[0], report, sizeof report);
    } while (got < 0 && errno == EINTR);
    close(errpipe[0]);
    if (got == (ssize_t)sizeof report) {
        if (report[0] == 1)
            fprintf(stderr, "tui_start: cannot enter %s: %s\n", cwd, strerror(report[1]));
        else
            fprintf(stderr, "tui_start: cannot run %s: %s\n", argv[0], strerror(report[1]));
        close(master);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
        return NULL;
    }
    fcntl(master, F_SETFD, FD_CLOEXEC);
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);

    tui *t = calloc(1, sizeof *t);
    VTerm *vt = t ? vterm_new(rows, cols) : NULL;
    if (!vt) {
        fprintf(stderr, "tui_start: out of memory\n");
        free(t);
        kill(pid, SIGKILL);
        close(master);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
        }
        return NULL;
    }
    t->pid = pid;
    t->fd = master;
    t->vt = vt;
    t->rows = rows;
    t->cols = cols;
    t->cursor_visible = true;
    vterm_set_utf8(vt, 1);
    vterm_output_set_callback(vt, on_output, t);
    t->state = vterm_obtain_state(vt);
    vterm_state_set_bold_highbright(t->state, 0);
    t->screen = vterm_obtain_screen(vt);
    vterm_screen_set_callbacks(t->screen, &screen_cbs, t);
    vterm_screen_enable_altscreen(t->screen, 1);
    vterm_screen_reset(t->screen, 1);
    return t;
}

int tui_close(tui *t)
{
    if (!t) return -1;
    if (!check_exit(t)) {
        kill(-t->pid, SIGTERM);
        kill(t->pid, SIGTERM);
        double deadline = now_ms() + 2000;
        while (!check_exit(t) && now_ms() < deadline) {
            /* keep reading so that a program blocked on a full pty can go on */
            if (read_chunk(t, 10) < 0) sleep_ms(5);
            t->wlen = 0;
        }
    }
    /* whatever is left in the process group (stragglers, or the program
     * itself when it ignored SIGTERM); the zombie leader keeps the id taken */
    kill(-t->pid, SIGKILL);
    kill(t->pid, SIGKILL);
    int st = 0;
    pid_t r;
    do {
        r = waitpid(t->pid, &st, 0);
    } while (r < 0 && errno == EINTR);
    int status = t->exited ? t->status : -1;
    if (r == t->pid) status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
    close(t->fd);
    vterm_free(t->vt);
    free(t->wbuf);
    free(t);
    return status;
}

int tui_wait_exit(tui *t, int ms)
{
    if (!t) return -1;
    double deadline = now_ms() + (ms > 0 ? ms : 0);
    for (;;) {
        if (check_exit(t)) {
            tui_pump(t, 0); /* what is left in the pty */
            return t->status;
        }
        double left = deadline - now_ms();
        if (left <= 0) return -1;
        int step = left < 20 ? (int)(left + 0.999) : 20;
        if (read_chunk(t, step) < 0) sleep_ms(step);
        flush_out(t);
    }
}

/* ---- cells ---- */

static unsigned xterm_rgb(int idx)
{
    static const unsigned base[16] = {0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd,
                                      0x00cdcd, 0xe5e5e5, 0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00,
                                      0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff};
    if (idx < 16) return base[idx];
    if (idx < 232) {
        static const unsigned lv[6] = {0x00, 0x5f, 0x87, 0xaf, 0xd7, 0xff};
        int i = idx - 16;
        return lv[i / 36] << 16 | lv[i / 6 % 6] << 8 | lv[i % 6];
    }
    unsigned g = 8 + 10 * (unsigned)(idx - 232);
    return g << 16 | g << 8 | g;
}

static unsigned color_rgb(const VTermColor *c, int *index)
{
    *index = -1;
    if (VTERM_COLOR_IS_INDEXED(c)) {
        *index = c->indexed.idx;
        return xterm_rgb(c->indexed.idx);
    }
    return (unsigned)c->rgb.red << 16 | (unsigned)c->rgb.green << 8 | c->rgb.blue;
}

static size_t put_utf8(char *out, uint32_t c)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xc0 | c >> 6);
        out[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xe0 | c >> 12);
        out[1] = (char)(0x80 | (c >> 6 & 0x3f));
        out[2] = (char)(0x80 | (c & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (c >> 18 & 0x07));
    out[1] = (char)(0x80 | (c >> 12 & 0x3f));
    out[2] = (char)(0x80 | (c >> 6 & 0x3f));
    out[3] = (char)(0x80 | (c & 0x3f));
    return 4;
}

#define CONTINUATION ((uint32_t)-1)

static bool get_cell(tui *t, int row, int col, VTermScreenCell *c)
{
    memset(c, 0, sizeof *c);
    if (row < 0 || row >= t->rows || col < 0 || col >= t->cols) return false;
    return vterm_screen_get_cell(t->screen, (VTermPos){.row = row, .col = col}, c) != 0;
}

/* The cell's text into out (room for 32 bytes): " " when empty, "" on the
 * right half of a wide character. */
static size_t cell_text(const VTermScreenCell *c, char *out)
{
    if (c->chars[0] == CONTINUATION) {
        out[0] = 0;
        return 0;
    }
    if (c->chars[0] == 0) {
        out[0] = ' ';
        out[1] = 0;
        return 1;
    }
    size_t n = 0;
    for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && c->chars[i]; i++) n += put_utf8(out + n, c->chars[i]);
    out[n] = 0;
    return n;
}

tui_cell tui_cell_at(tui *t, int row, int col)
{
    tui_cell r;
    memset(&r, 0, sizeof r);
    if (!t) return r;
    VTermScreenCell c;
    if (!get_cell(t, row, col, &c)) return r;
    cell_text(&c, r.text);
    r.width = c.chars[0] == CONTINUATION ? 0 : c.width;
    r.fg_default = VTERM_COLOR_IS_DEFAULT_FG(&c.fg);
    r.bg_default = VTERM_COLOR_IS_DEFAULT_BG(&c.bg);
    r.fg = color_rgb(&c.fg, &r.fg_index);
    r.bg = color_rgb(&c.bg, &r.bg_index);
    if (r.fg_default) {
        r.fg = TUI_DEFAULT_FG;
        r.fg_index = -1;
    }
    if (r.bg_default) {
        r.bg = TUI_DEFAULT_BG;
        r.bg_index = -1;
    }
    r.bold = c.attrs.bold;
    r.underline = c.attrs.underline != 0;
    r.reverse = c.attrs.reverse;
    r.italic = c.attrs.italic;
    r.blink = c.attrs.blink;
    r.strike = c.attrs.strike;
    return r;
}

/* A row's text; colmap (when not NULL) gets, for each byte, its column.
 * Caller frees both. */
static char *row_text(tui *t, int row, int **colmap)
{
    if (colmap) *colmap = NULL;
    if (row < 0 || row >= t->rows) return NULL;
    size_t cap = (size_t)t->cols * 28 + 1, n = 0;
    char *s = malloc(cap);
    int *map = colmap ? malloc(cap * sizeof *map) : NULL;
    if (!s || (colmap && !map)) {
        free(s);
        free(map);
        return NULL;
    }
    for (int col = 0; col < t->cols; col++) {
        VTermScreenCell c;
        get_cell(t, row, col, &c);
        size_t k = cell_text(&c, s + n);
        if (map)
            for (size_t i = 0; i < k; i++) map[n + i] = col;
        n += k;
    }
    s[n] = 0;
    if (map) map[n] = t->cols;
    if (colmap) *colmap = map;
    return s;
}

char *tui_row(tui *t, int row)
{
    if (!t) return NULL;
    return row_text(t, row, NULL);
}

char *tui_screen(tui *t)
{
    if (!t) return NULL;
    size_t cap = (size_t)t->rows * ((size_t)t->cols * 28 + 1) + 1, n = 0;
    char *s = malloc(cap);
    if (!s) return NULL;
    for (int r = 0; r < t->rows; r++) {
        char *line = row_text(t, r, NULL);
        size_t k = line ? strlen(line) : 0;
        memcpy(s + n, line ? line : "", k);
        n += k;
        if (r + 1 < t->rows) s[n++] = '\n';
        free(line);
    }
    s[n] = 0;
    return s;
}

/* Finds text on the current screen without reading more output. */
static bool find_now(tui *t, const char *text, int *row, int *col)
{
    if (!text || !*text) return false;
    for (int r = 0; r < t->rows; r++) {
        int *map;
        char *line = row_text(t, r, &map);
        if (!line) continue;
        const char *hit = strstr(line, text);
        if (hit) {
            if (row) *row = r;
            if (col) *col = map[hit - line];
        }
        free(line);
        free(map);
        if (hit) return true;
    }
    return false;
}

static bool at_now(tui *t, const char *text, int row, int col)
{
    int *map;
    char *line = row_text(t, row, &map);
    if (!line) return false;
    bool ok = false;
    for (size_t i = 0; line[i]; i++) {
        if (map[i] == col) {
            ok = strncmp(line + i, text, strlen(text)) == 0;
            break;
        }
        if (map[i] > col) break;
    }
    free(line);
    free(map);
    return ok;
}

bool tui_find(tui *t, const char *text, int *row, int *col)
{
    if (!t) return false;
    return find_now(t, text, row, col);
}

/* Waits until ok(t) or ms pass, reading output in between. */
static bool wait_for(tui *t, int ms, bool (*ok)(tui *, const void *), const void *arg)
{
    double deadline = now_ms() + (ms > 0 ? ms : 0);
    for (;;) {
        if (ok(t, arg)) return true;
        double left = deadline - now_ms();
        if (left <= 0) return false;
        int r = read_chunk(t, (int)(left + 0.999));
        flush_out(t);
        if (r < 0) return ok(t, arg);
    }
}

struct at_arg {
    const char *text;
    int row, col;
};

static bool ok_text(tui *t, const void *arg)
{
    return find_now(t, arg, NULL, NULL);
}

static bool ok_text_at(tui *t, const void *arg)
{
    const struct at_arg *a = arg;
    return at_now(t, a->text, a->row, a->col);
}

bool tui_wait_text(tui *t, const char *text, int ms)
{
    if (!t || !text) return false;
    return wait_for(t, ms, ok_text, text);
}

bool tui_wait_text_at(tui *t, const char *text, int row, int col, int ms)
{
    if (!t || !text) return false;
    struct at_arg a = {text, row, col};
    return wait_for(t, ms, ok_text_at, &a);
}

static VTermScreenCell *snapshot(tui *t)
{
    VTermScreenCell *s = malloc((size_t)t->rows * (size_t)t->cols * sizeof *s);
    if (!s) return NULL;
    for (int r = 0; r < t->rows; r++)
        for (int c = 0; c < t->cols; c++) get_cell(t, r, c, &s[(size_t)r * (size_t)t->cols + (size_t)c]);
    return s;
}

double tui_wait_change(tui *t, int timeout_ms)
{
    if (!t) return -1;
    double start = now_ms(), deadline = start + (timeout_ms > 0 ? timeout_ms : 0);
    /* compared with the screen as last read: output not read yet counts */
    int rows = t->rows, cols = t->cols;
    VTermScreenCell *before = snapshot(t);
    if (!before) return -1;
    unsigned long seen = t->damage;
    double result = -1;
    for (;;) {
        double left = deadline - now_ms();
        if (left <= 0) break;
        int r = read_chunk(t, (int)(left + 0.999));
        double when = now_ms();
        flush_out(t);
        if (t->damage != seen || t->rows != rows || t->cols != cols) {
            seen = t->damage;
            VTermScreenCell *after = snapshot(t);
            bool changed = !after || t->rows != rows || t->cols != cols ||
                           memcmp(before, after, (size_t)rows * (size_t)cols * sizeof *before) != 0;
            free(after);
            if (changed) {
                result = when - start;
                break;
            }
        }
        if (r < 0) break;
    }
    free(before);
    return result;
}

void tui_size(tui *t, int *rows, int *cols)
{
    if (rows) *rows = t ? t->rows : 0;
    if (cols) *cols = t ? t->cols : 0;
}

void tui_cursor(tui *t, int *row, int *col)
{
    VTermPos p = {0, 0};
    if (t) vterm_state_get_cursorpos(t->state, &p);
    if (row) *row = p.row;
    if (col) *col = p.col;
}

bool tui_cursor_visible(tui *t)
{
    if (!t) return false;
    return t->cursor_visible;
}

/* ---- input ---- */

static void send_bytes(tui *t, const char *s, size_t n)
{
    queue_out(t, s, n);
    flush_out(t);
}

void tui_send(tui *t, const char *bytes)
{
    if (t && bytes) send_bytes(t, bytes, strlen(bytes));
}

static const struct {
    const char *name;
    VTermKey key;
} named_keys[] = {
    {"Enter", VTERM_KEY_ENTER},   {"Tab", VTERM_KEY_TAB},       {"Esc", VTERM_KEY_ESCAPE},
    {"Escape", VTERM_KEY_ESCAPE}, {"Backspace", VTERM_KEY_BACKSPACE}, {"Up", VTERM_KEY_UP},
    {"Down", VTERM_KEY_DOWN},     {"Left", VTERM_KEY_LEFT},     {"Right", VTERM_KEY_RIGHT},
    {"Home", VTERM_KEY_HOME},     {"End", VTERM_KEY_END},       {"PgUp", VTERM_KEY_PAGEUP},
    {"PageUp", VTERM_KEY_PAGEUP}, {"PgDn", VTERM_KEY_PAGEDOWN}, {"PageDown", VTERM_KEY_PAGEDOWN},
    {"Ins", VTERM_KEY_INS},       {"Insert", VTERM_KEY_INS},    {"Del", VTERM_KEY_DEL},
    {"Delete", VTERM_KEY_DEL},
};

/* Length of the UTF-8 character at s, 0 when s is not one. */
static size_t utf8_len(const char *s)
{
    unsigned char c = (unsigned char)s[0];
    size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    for (size_t i = 1; i < n; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80) return 0;
    return n;
}

bool tui_key(tui *t, const char *name)
{
    if (!t || !name || !*name) return false;
    const char *full = name;
    int mod = 0;
    for (;;) {
        if (name[0] && name[1] == '-' && name[2]) {
            if (name[0] == 'C') mod |= VTERM_MOD_CTRL;
            else if (name[0] == 'M') mod |= VTERM_MOD_ALT;
            else if (name[0] == 'S') mod |= VTERM_MOD_SHIFT;
            else break;
            name += 2;
            continue;
        }
        break;
    }
    for (size_t i = 0; i < sizeof named_keys / sizeof named_keys[0]; i++) {
        if (strcmp(name, named_keys[i].name) == 0) {
            vterm_keyboard_key(t->vt, named_keys[i].key, (VTermModifier)mod);
            flush_out(t);
            return true;
        }
    }
    if (name[0] == 'F' && name[1] >= '1' && name[1] <= '9') {
        char *end;
        long n = strtol(name + 1, &end, 10);
        if (!*end && n >= 1 && n <= 12) {
            vterm_keyboard_key(t->vt, VTERM_KEY_FUNCTION((int)n), (VTermModifier)mod);
            flush_out(t);
            return true;
        }
    }
    char ch[8];
    size_t len;
    if (strcmp(name, "Space") == 0) {
        ch[0] = ' ';
        len = 1;
    } else {
        len = utf8_len(name);
        if (!len || name[len]) {
            fprintf(stderr, "tui_key: unknown key \"%s\"\n", full);
            return false;
        }
        memcpy(ch, name, len);
    }
    ch[len] = 0;
    if ((mod & VTERM_MOD_SHIFT) && len == 1 && ch[0] >= 'a' && ch[0] <= 'z') ch[0] = (char)(ch[0] - 'a' + 'A');
    if (mod & VTERM_MOD_CTRL) {
        unsigned char c = (unsigned char)ch[0];
        if (len != 1) {
            fprintf(stderr, "tui_key: no control code for \"%s\"\n", full);
            return false;
        }
        if (c >= 'a' && c <= 'z') c = (unsigned char)(c - 'a' + 'A');
        if (c == ' ') c = 0;
        else if (c == '?') c = 0x7f;
        else if (c >= '@' && c <= '_') c &= 0x1f;
        else {
            fprintf(stderr, "tui_key: no control code for \"%s\"\n", full);
            return false;
        }
        ch[0] = (char)c;
    }
    char out[16];
    size_t n = 0;
    if (mod & VTERM_MOD_ALT) out[n++] = '\033';
    memcpy(out + n, ch, len);
    n += len;
    send_bytes(t, out, n);
    return true;
}

static void mouse_event(tui *t, int b, int row, int col, char final)
{
    char s[48];
    int n = snprintf(s, sizeof s, "\033[<%d;%d;%d%c", b, col + 1, row + 1, final);
    queue_out(t, s, (size_t)n);
}

void tui_mouse(tui *t, int button, int row, int col, bool press)
{
    if (!t) return;
    mouse_event(t, button, row, col, press ? 'M' : 'm');
    flush_out(t);
}

void tui_drag(tui *t, int button, int row0, int col0, int row1, int col1)
{
    if (!t) return;
    mouse_event(t, button, row0, col0, 'M');
    int dr = row1 - row0, dc = col1 - col0;
    int steps = abs(dr) > abs(dc) ? abs(dr) : abs(dc);
    for (int i = 1; i <= steps; i++) {
        /* rounded to the nearest cell along the line */
        int r = row0 + (2 * dr * i + (dr >= 0 ? steps : -steps)) / (2 * steps);
        int c = col0 + (2 * dc * i + (dc >= 0 ? steps : -steps)) / (2 * steps);
        mouse_event(t, button + 32, r, c, 'M');
    }
    mouse_event(t, button, row1, col1, 'm');
    flush_out(t);
}

void tui_wheel(tui *t, int row, int col, int delta)
{
    if (!t) return;
    for (int i = 0; i < abs(delta); i++) mouse_event(t, delta < 0 ? 64 : 65, row, col, 'M');
    flush_out(t);
}

void tui_resize(tui *t, int rows, int cols)
{
    if (!t || rows <= 0 || cols <= 0) return;
    tui_pump(t, 0); /* output written for the old size */
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    if (ioctl(t->fd, TIOCSWINSZ, &ws) != 0) fprintf(stderr, "tui_resize: %s\n", strerror(errno));
    vterm_set_size(t->vt, rows, cols);
    t->rows = rows;
    t->cols = cols;
}

void tui_dump(tui *t)
{
    if (!t) return;
    int cr, cc;
    tui_cursor(t, &cr, &cc);
    fprintf(stderr, "---- screen %dx%d, cursor %d,%d%s ----\n", t->rows, t->cols, cr, cc,
            t->cursor_visible ? "" : " (hidden)");
    for (int r = 0; r < t->rows; r++) {
        char *line = row_text(t, r, NULL);
        fprintf(stderr, "%3d|%s|\n", r, line ? line : "");
        free(line);
    }
    fprintf(stderr, "---- end of screen ----\n");
}
