/*
 * term_model.c - the Terminal panel's model (see term_model.h): a shell on a
 * pty, libvterm for the screen, a scrollback ring, keys to bytes.
 *
 * Bytes for the shell (typed keys, and the answers libvterm gives to queries
 * like "where is the cursor") go through one queue, written without blocking
 * whenever the pty takes them, so a shell that stops reading never freezes
 * the UI.
 */
#include "term_model.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vterm.h>

#include "util.h"

extern char **environ;

enum {
    DEFAULT_SCROLLBACK = 1000,
    READ_BUDGET = 256 * 1024,     /* bytes interpreted per tm_read */
    PENDING_MAX = 1024 * 1024,    /* input queued for a shell that does not read */
};

/* A line that scrolled off the top, trailing blanks trimmed. */
typedef struct old_line {
    int cols;
    VTermScreenCell cells[];
} old_line;

struct tm_term {
    VTerm *vt;
    VTermScreen *screen;
    VTermState *state;
    int rows, cols;

    tm_state st;
    int status;
    pid_t pid;
    int fd;
    char *dir, *shell;   /* of the last start, for restarts */

    old_line **ring;      /* scrollback: ring[(head + i) % cap], i = 0 the oldest */
    int cap, head, count;
    int scroll;          /* lines the view is scrolled up */

    sb pending;          /* bytes for the shell not written yet */
    bool cursor_visible, altscreen;
    char *title;
};

/* ======================= colors and cells ======================= */

/* The xterm color (16-255, which do not depend on the terminal's palette)
 * nearest to an RGB color: the nearest of the 6x6x6 cube or of the gray
 * ramp, as xterm lays them out. */
static int rgb_to_xterm(int r, int g, int b)
{
    static const int level[6] = {0, 95, 135, 175, 215, 255};
#define TO6(v) ((v) < 48 ? 0 : (v) < 115 ? 1 : ((v) - 35) / 40)
    int qr = TO6(r), qg = TO6(g), qb = TO6(b);
#undef TO6
    int cr = level[qr], cg = level[qg], cb = level[qb];
    int cube = 16 + 36 * qr + 6 * qg + qb;
    if (cr == r && cg == g && cb == b) return cube;
    int avg = (r + g + b) / 3;
    int gi = avg > 238 ? 23 : (avg - 3) / 10;
    if (gi < 0) gi = 0;
    int gv = 8 + 10 * gi;
#define DIST(x, y, z) (((x) - r) * ((x) - r) + ((y) - g) * ((y) - g) + ((z) - b) * ((z) - b))
    int dcube = DIST(cr, cg, cb), dgray = DIST(gv, gv, gv);
#undef DIST
    return dgray < dcube ? 232 + gi : cube;
}

/* A libvterm color as an xterm index, or -1 for the default. */
static int color_index(const VTermColor *c, bool is_default)
{
    if (is_default) return -1;
    if (VTERM_COLOR_IS_INDEXED(c)) return c->indexed.idx;
    return rgb_to_xterm(c->rgb.red, c->rgb.green, c->rgb.blue);
}

/* Appends code point cp as UTF-8 to buf (room for 4 more bytes assumed). */
static int utf8_put(char *buf, uint32_t cp)
{
    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
    if (cp < 0x80) {
        buf[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        buf[0] = (char)(0xC0 | cp >> 6);
        buf[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        buf[0] = (char)(0xE0 | cp >> 12);
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (cp > 0x10FFFF) return utf8_put(buf, 0xFFFD);
    buf[0] = (char)(0xF0 | cp >> 18);
    buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The code point of s when s is exactly one UTF-8 character, else 0. */
static uint32_t utf8_single(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    int n = u[0] < 0x80 ? 1 : (u[0] & 0xE0) == 0xC0 ? 2 : (u[0] & 0xF0) == 0xE0 ? 3
            : (u[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || strlen(s) != (size_t)n) return 0;
    uint32_t cp = n == 1 ? u[0] : u[0] & (0x7F >> n);
    for (int i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (u[i] & 0x3F);
    }
    return cp;
}

static void blank_cell(tm_cell *out)
{
    memset(out, 0, sizeof(*out));
    out->width = 1;
    out->fg = out->bg = -1;
}

static void convert_cell(const VTermScreenCell *c, tm_cell *out)
{
    blank_cell(out);
    if (c->chars[0] == (uint32_t)-1) { /* libvterm marks the right half of a wide char so */
        out->width = 0;
        return;
    }
    size_t len = 0;
    for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && c->chars[i]; i++)
        len += (size_t)utf8_put(out->text + len, c->chars[i]);
    out->text[len] = 0;
    out->width = c->width > 0 ? c->width : 1;
    out->fg = color_index(&c->fg, VTERM_COLOR_IS_DEFAULT_FG(&c->fg));
    out->bg = color_index(&c->bg, VTERM_COLOR_IS_DEFAULT_BG(&c->bg));
    out->attrs = (c->attrs.bold ? TM_BOLD : 0) | (c->attrs.underline ? TM_UNDERLINE : 0) |
                 (c->attrs.reverse ? TM_REVERSE : 0) | (c->attrs.italic ? TM_ITALIC : 0) |
                 (c->attrs.strike ? TM_STRIKE : 0) | (c->attrs.blink ? TM_BLINK : 0);
}

/* ======================= scrollback ======================= */

static old_line *line_at(const tm_term *t, int i)
{
    return t->ring[(t->head + i) % t->cap];
}

static bool cell_is_blank(const VTermScreenCell *c)
{
    return c->chars[0] == 0 && VTERM_COLOR_IS_DEFAULT_BG(&c->bg) && !c->attrs.reverse;
}

/* libvterm: a line scrolled off the top of the (primary) screen. */
static int on_pushline(int cols, const VTermScreenCell *cells, void *user)
{
    tm_term *t = user;
    while (cols > 0 && cell_is_blank(&cells[cols - 1])) cols--;
    old_line *line = xmalloc(sizeof(*line) + (size_t)cols * sizeof(VTermScreenCell));
    line->cols = cols;
    memcpy(line->cells, cells, (size_t)cols * sizeof(VTermScreenCell));
    if (t->count == t->cap) {
        free(t->ring[t->head]);
        t->head = (t->head + 1) % t->cap;
        t->count--;
    }
    t->ring[(t->head + t->count) % t->cap] = line;
    t->count++;
    /* a view scrolled back keeps showing the same lines */
    if (t->scroll > 0 && t->scroll < t->count) t->scroll++;
    return 1;
}

/* libvterm: the screen grew taller and takes the newest line back. */
static int on_popline(int cols, VTermScreenCell *cells, void *user)
{
    tm_term *t = user;
    if (t->count == 0) return 0;
    old_line *line = line_at(t, t->count - 1);
    int n = line->cols < cols ? line->cols : cols;
    memcpy(cells, line->cells, (size_t)n * sizeof(VTermScreenCell));
    VTermColor fg, bg;
    vterm_state_get_default_colors(t->state, &fg, &bg);
    for (int i = n; i < cols; i++) {
        memset(&cells[i], 0, sizeof(cells[i]));
        cells[i].width = 1;
        cells[i].fg = fg;
        cells[i].bg = bg;
    }
    free(line);
    t->count--;
    if (t->scroll > t->count) t->scroll = t->count;
    return 1;
}

static int on_termprop(VTermProp prop, VTermValue *val, void *user)
{
    tm_term *t = user;
    if (prop == VTERM_PROP_CURSORVISIBLE) t->cursor_visible = val->boolean;
    else if (prop == VTERM_PROP_ALTSCREEN) t->altscreen = val->boolean;
    else if (prop == VTERM_PROP_TITLE) {
        free(t->title);
        t->title = xstrdup(val->string ? val->string : "");
    }
    return 1;
}

static const VTermScreenCallbacks screen_callbacks = {
    .settermprop = on_termprop,
    .sb_pushline = on_pushline,
    .sb_popline = on_popline,
};

/* ======================= bytes to the shell ======================= */

/* Writes what the pty takes of the queue. */
static void flush_pending(tm_term *t)
{
    while (t->pending.len > 0 && t->fd >= 0) {
        ssize_t n = write(t->fd, t->pending.s, t->pending.len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n <= 0) { /* hung up: nobody will read it */
            sb_clear(&t->pending);
            return;
        }
        memmove(t->pending.s, t->pending.s + n, t->pending.len - (size_t)n);
        t->pending.len -= (size_t)n;
        t->pending.s[t->pending.len] = 0;
    }
    if (t->fd < 0) sb_clear(&t->pending);
}

static void queue(tm_term *t, const char *s, size_t n)
{
    if (t->st != TM_RUNNING || t->pending.len + n > PENDING_MAX) return;
    sb_addn(&t->pending, s, n);
}

/* libvterm: bytes the terminal sends (keys, answers to queries). */
static void on_output(const char *s, size_t len, void *user)
{
    queue(user, s, len);
}

void tm_write(tm_term *t, const char *s, size_t n)
{
    queue(t, s, n);
    flush_pending(t);
}

/* ======================= the terminal ======================= */

tm_term *tm_new(int rows, int cols, int scrollback)
{
    tm_term *t = xcalloc(1, sizeof(*t));
    t->rows = rows < 1 ? 1 : rows;
    t->cols = cols < 1 ? 1 : cols;
    t->cap = scrollback > 0 ? scrollback : DEFAULT_SCROLLBACK;
    t->ring = xcalloc((size_t)t->cap, sizeof(*t->ring));
    t->pid = -1;
    t->fd = -1;
    t->status = -1;
    t->cursor_visible = true;
    t->vt = vterm_new(t->rows, t->cols);
    if (!t->vt) abort(); /* out of memory, as x* allocation treats it */
    vterm_set_utf8(t->vt, 1);
    vterm_output_set_callback(t->vt, on_output, t);
    t->state = vterm_obtain_state(t->vt);
    t->screen = vterm_obtain_screen(t->vt);
    vterm_screen_set_callbacks(t->screen, &screen_callbacks, t);
    vterm_screen_enable_altscreen(t->screen, 1);
    vterm_screen_reset(t->screen, 1);
    return t;
}

/* Waits up to grace_ms for pid to end, then kills it; returns its wait
 * status, or -1 when it was not ours to reap. */
static int reap(pid_t pid, int grace_ms)
{
    int ws;
    for (int waited = 0;; waited += 5) {
        pid_t r = waitpid(pid, &ws, WNOHANG);
        if (r == pid) return ws;
        if (r < 0 && errno != EINTR) return -1;
        if (waited >= grace_ms) break;
        nanosleep(&(struct timespec){0, 5 * 1000000L}, NULL);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR) return -1;
    return ws;
}

/* Feeds text to the screen as if the shell had written it. */
static void show(tm_term *t, const char *text)
{
    vterm_input_write(t->vt, text, strlen(text));
}

/* Reads and interprets what the pty holds now; -1 when it hung up. */
static long drain(tm_term *t, long budget)
{
    char buf[8192];
    long total = 0;
    while (t->fd >= 0 && total < budget) {
        ssize_t n = read(t->fd, buf, sizeof buf);
        if (n > 0) {
            vterm_input_write(t->vt, buf, (size_t)n);
            total += n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            return -1; /* EOF, or EIO once no process holds the pty */
        }
    }
    return total;
}

/* The shell ended with wait status ws: closes the pty and says so on the
 * screen, leaving the modes a full-screen program may have set. */
static void ended(tm_term *t, int ws)
{
    if (t->fd >= 0) {
        drain(t, READ_BUDGET);
        close(t->fd);
        t->fd = -1;
    }
    sb_clear(&t->pending);
    t->pid = -1;
    t->st = TM_EXITED;
    char msg[128];
    if (ws != -1 && WIFSIGNALED(ws)) {
        t->status = 128 + WTERMSIG(ws);
        snprintf(msg, sizeof msg, "[shell killed by signal %d — press Enter to start a new one]",
                 WTERMSIG(ws));
    } else if (ws != -1) {
        t->status = WEXITSTATUS(ws);
        snprintf(msg, sizeof msg, "[shell exited with status %d — press Enter to start a new one]",
                 t->status);
    } else {
        t->status = -1;
        snprintf(msg, sizeof msg, "[shell exited — press Enter to start a new one]");
    }
    if (t->altscreen) show(t, "\033[?1049l");
    /* plain pen, visible cursor, normal keys, no mouse reports, whole-screen scrolling */
    show(t, "\033[0m\033[?25h\033[?1l\033>\033[?1000l\033[?1002l\033[?1003l\033[?2004l"
            "\0337\033[r\0338");
    VTermPos pos;
    vterm_state_get_cursorpos(t->state, &pos);
    if (pos.col > 0) show(t, "\r\n");
    show(t, msg);
    show(t, "\r\n");
}

/* The environment of the shell: ours with the terminal's TERM, without the
 * size variables of the outer terminal. */
static char **child_env(void)
{
    size_t n = 0;
    while (environ && environ[n]) n++;
    char **env = xcalloc(n + 2, sizeof(char *));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = environ[i];
        if (!strncmp(e, "TERM=", 5) || !strncmp(e, "LINES=", 6) || !strncmp(e, "COLUMNS=", 8) ||
            !strncmp(e, "TERMCAP=", 8))
            continue;
        env[k++] = (char *)e;
    }
    env[k++] = "TERM=xterm-256color";
    env[k] = NULL;
    return env;
}

/* In the forked child: only async-signal-safe calls until exec. */
__attribute__((noreturn)) static void exec_shell(const char *shell, const char *dir, char **env, const char *fail)
{
    static const int sigs[] = {SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE, SIGCHLD,
                               SIGHUP, SIGTERM, SIGWINCH};
    for (size_t i = 0; i < ARRAY_LEN(sigs); i++) signal(sigs[i], SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (dir && chdir(dir) != 0) {
        static const char msg[] = "tarn: cannot enter the project folder\r\n";
        if (write(2, msg, sizeof msg - 1) < 0) _exit(126);
    }
    /* the app's own files (databases, pipes) are not the shell's business */
    if (close_range(3, ~0U, 0) != 0)
        for (int fd = 3; fd < 4096; fd++) close(fd);
    char *argv[] = {(char *)shell, NULL};
    execve(shell, argv, env);
    if (write(2, fail, strlen(fail)) < 0) _exit(127);
    _exit(127);
}

/* Starts t->shell in t->dir on a new pty. */
static int spawn(tm_term *t, char **err)
{
    char **env = child_env();
    char *fail = xasprintf("tarn: cannot run %s: %s\r\n", t->shell,
                           access(t->shell, X_OK) == 0 ? "exec failed" : strerror(errno));
    struct winsize ws = {.ws_row = (unsigned short)t->rows, .ws_col = (unsigned short)t->cols};
    int master = -1;
    pid_t pid = forkpty(&master, NULL, NULL, &ws);
    if (pid == 0) exec_shell(t->shell, t->dir, env, fail);
    int saved = errno;
    free(env);
    free(fail);
    if (pid < 0) {
        char *why = xasprintf("cannot start a shell: %s", strerror(saved));
        t->st = TM_EXITED;
        t->status = -1;
        char *line = xasprintf("[%s — press Enter to try again]\r\n", why);
        show(t, line);
        free(line);
        if (err) *err = why;
        else free(why);
        return -1;
    }
    fcntl(master, F_SETFD, FD_CLOEXEC);
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    t->pid = pid;
    t->fd = master;
    t->st = TM_RUNNING;
    t->status = -1;
    t->scroll = 0;
    free(t->title);
    t->title = NULL;
    return 0;
}

int tm_start(tm_term *t, const char *dir, const char *shell, char **err)
{
    if (t->st == TM_RUNNING) return 0;
    if (!shell || !*shell) shell = getenv("SHELL");
    if (!shell || !*shell) shell = "/bin/sh";
    char *s = xstrdup(shell), *d = dir ? xstrdup(dir) : NULL;
    free(t->shell);
    free(t->dir);
    t->shell = s;
    t->dir = d;
    return spawn(t, err);
}

int tm_restart(tm_term *t, char **err)
{
    if (t->st == TM_RUNNING) return 0;
    if (!t->shell) return tm_start(t, NULL, NULL, err);
    return spawn(t, err);
}

void tm_free(tm_term *t)
{
    if (!t) return;
    if (t->fd >= 0) close(t->fd); /* hangs up the pty: SIGHUP to the shell and its job */
    if (t->pid > 0) {
        kill(t->pid, SIGHUP);
        reap(t->pid, 500);
    }
    for (int i = 0; i < t->count; i++) free(line_at(t, i));
    free(t->ring);
    vterm_free(t->vt);
    sb_free(&t->pending);
    free(t->title);
    free(t->dir);
    free(t->shell);
    free(t);
}

tm_state tm_get_state(const tm_term *t)
{
    return t->st;
}

int tm_exit_status(const tm_term *t)
{
    return t->status;
}

int tm_pid(const tm_term *t)
{
    return t->pid;
}

int tm_fd(const tm_term *t)
{
    return t->fd;
}

long tm_read(tm_term *t)
{
    long n = drain(t, READ_BUDGET);
    if (n < 0) {
        /* no process holds the pty any more: the shell is ending */
        close(t->fd);
        t->fd = -1;
        ended(t, t->pid > 0 ? reap(t->pid, 1000) : -1);
        return -1;
    }
    flush_pending(t);
    return n;
}

bool tm_poll(tm_term *t)
{
    if (t->st == TM_RUNNING && t->pid > 0) {
        int ws;
        pid_t r = waitpid(t->pid, &ws, WNOHANG);
        if (r == t->pid || (r < 0 && errno == ECHILD)) {
            ended(t, r == t->pid ? ws : -1);
            return true;
        }
    }
    flush_pending(t);
    return false;
}

/* ======================= keys ======================= */

static const struct {
    const char *name;
    VTermKey key;
} named_keys[] = {
    {"Enter", VTERM_KEY_ENTER}, {"Tab", VTERM_KEY_TAB}, {"Backspace", VTERM_KEY_BACKSPACE},
    {"Esc", VTERM_KEY_ESCAPE}, {"Up", VTERM_KEY_UP}, {"Down", VTERM_KEY_DOWN},
    {"Left", VTERM_KEY_LEFT}, {"Right", VTERM_KEY_RIGHT}, {"Ins", VTERM_KEY_INS},
    {"Del", VTERM_KEY_DEL}, {"Home", VTERM_KEY_HOME}, {"End", VTERM_KEY_END},
    {"PgUp", VTERM_KEY_PAGEUP}, {"PgDn", VTERM_KEY_PAGEDOWN},
};

/* The key or the character a name (without modifiers) stands for. */
static bool parse_key(const char *p, VTermKey *key, uint32_t *ch)
{
    *key = VTERM_KEY_NONE;
    *ch = 0;
    for (size_t i = 0; i < ARRAY_LEN(named_keys); i++)
        if (!strcmp(p, named_keys[i].name)) {
            *key = named_keys[i].key;
            return true;
        }
    if (p[0] == 'F' && p[1] >= '1' && p[1] <= '9') {
        char *end;
        long n = strtol(p + 1, &end, 10);
        if (!*end && n >= 1 && n <= 24) {
            *key = VTERM_KEY_FUNCTION((int)n);
            return true;
        }
    }
    if (!strcmp(p, "Space")) *ch = ' ';
    else *ch = utf8_single(p);
    return *ch >= 32 && *ch != 127;
}

bool tm_key(tm_term *t, const char *name)
{
    int mod = VTERM_MOD_NONE;
    const char *p = name;
    while (p[0] && p[1] == '-' && p[2]) {
        if (p[0] == 'C') mod |= VTERM_MOD_CTRL;
        else if (p[0] == 'M') mod |= VTERM_MOD_ALT;
        else if (p[0] == 'S') mod |= VTERM_MOD_SHIFT;
        else break;
        p += 2;
    }
    VTermKey key;
    uint32_t ch;
    if (!parse_key(p, &key, &ch)) return false;
    t->scroll = 0;
    if (t->st == TM_EXITED && key == VTERM_KEY_ENTER && mod == VTERM_MOD_NONE) {
        tm_restart(t, NULL);
        return true;
    }
    if (t->st != TM_RUNNING) return true;
    if (key != VTERM_KEY_NONE) {
        vterm_keyboard_key(t->vt, key, (VTermModifier)mod);
    } else if ((mod & ~VTERM_MOD_ALT) == VTERM_MOD_CTRL &&
               ((ch >= '@' && ch <= '_') || (ch >= 'a' && ch <= 'z') || ch == ' ')) {
        /* the classic control bytes; libvterm would send CSI u for C-i, C-m,
         * C-[ and the like, which shells do not read */
        char bytes[2] = {'\033', (char)(ch & 0x1F)};
        queue(t, mod & VTERM_MOD_ALT ? bytes : bytes + 1, mod & VTERM_MOD_ALT ? 2 : 1);
    } else {
        vterm_keyboard_unichar(t->vt, ch, (VTermModifier)mod);
    }
    flush_pending(t);
    return true;
}

/* ======================= size, scrolling, contents ======================= */

void tm_resize(tm_term *t, int rows, int cols)
{
    if (rows < 1) rows = 1;
    if (cols < 1) cols = 1;
    if (rows == t->rows && cols == t->cols) return;
    t->rows = rows;
    t->cols = cols;
    vterm_set_size(t->vt, rows, cols);
    if (t->fd >= 0) {
        struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
        ioctl(t->fd, TIOCSWINSZ, &ws);
    }
}

void tm_size(const tm_term *t, int *rows, int *cols)
{
    *rows = t->rows;
    *cols = t->cols;
}

int tm_scrollback(const tm_term *t)
{
    return t->count;
}

void tm_scroll(tm_term *t, int delta)
{
    long s = (long)t->scroll + delta;
    t->scroll = s < 0 ? 0 : s > t->count ? t->count : (int)s;
}

int tm_scrolled(const tm_term *t)
{
    return t->scroll;
}

void tm_cell_at(const tm_term *t, int row, int col, tm_cell *out)
{
    blank_cell(out);
    if (row < 0 || col < 0 || row >= t->rows || col >= t->cols) return;
    if (row < t->scroll) {
        const old_line *line = line_at(t, t->count - t->scroll + row);
        if (col < line->cols) convert_cell(&line->cells[col], out);
        return;
    }
    VTermScreenCell c;
    if (vterm_screen_get_cell(t->screen, (VTermPos){row - t->scroll, col}, &c))
        convert_cell(&c, out);
}

bool tm_cursor(const tm_term *t, int *row, int *col)
{
    if (t->st != TM_RUNNING || !t->cursor_visible || t->scroll > 0) return false;
    VTermPos pos;
    vterm_state_get_cursorpos(t->state, &pos);
    *row = pos.row;
    *col = pos.col;
    return pos.row >= 0 && pos.row < t->rows && pos.col >= 0 && pos.col < t->cols;
}

const char *tm_title(const tm_term *t)
{
    return t->title ? t->title : "";
}

char *tm_text(const tm_term *t)
{
    sb b = {0};
    for (int r = 0; r < t->rows; r++) {
        size_t keep = b.len;
        for (int c = 0; c < t->cols; c++) {
            tm_cell cell;
            tm_cell_at(t, r, c, &cell);
            if (cell.width == 0) continue;
            sb_add(&b, cell.text[0] ? cell.text : " ");
            if (cell.text[0] && cell.text[0] != ' ') keep = b.len;
        }
        b.len = keep;
        sb_addc(&b, '\n');
    }
    return sb_take(&b);
}
