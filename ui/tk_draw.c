/*
 * tk_draw.c - canvases (see tk.h): a curses window per screen rectangle,
 * text drawn character by character with its display width (wide CJK and
 * emoji take two columns), clipped to the canvas.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tk_int.h"
#include "util.h"

struct ui_canvas {
    WINDOW *win;
    ui_rect r;
};

bool ui_rect_has(ui_rect r, int row, int col)
{
    return row >= r.row && row < r.row + r.rows && col >= r.col && col < r.col + r.cols;
}

ui_canvas *ui_canvas_new(ui_rect r)
{
    if (r.rows < 1) r.rows = 1;
    if (r.cols < 1) r.cols = 1;
    ui_canvas *c = xcalloc(1, sizeof(*c));
    c->r = r;
    c->win = newwin(r.rows, r.cols, r.row, r.col);
    if (!c->win) c->win = newwin(1, 1, 0, 0);
    leaveok(c->win, TRUE);
    return c;
}

void ui_canvas_free(ui_canvas *c)
{
    if (!c) return;
    delwin(c->win);
    free(c);
}

ui_rect ui_canvas_rect(const ui_canvas *c)
{
    return c->r;
}

static void put(ui_canvas *c, int row, int col, const wchar_t *wc, ui_role role, int attrs)
{
    if (row < 0 || col < 0 || row >= c->r.rows || col >= c->r.cols) return;
    short pair;
    attr_t a = tk_role_attr(role, attrs, &pair);
    cchar_t cc;
    setcchar(&cc, wc, a, pair, NULL);
    mvwadd_wch(c->win, row, col, &cc);
}

void ui_fill(ui_canvas *c, ui_rect r, ui_role role)
{
    static const wchar_t space[] = L" ";
    for (int y = r.row; y < r.row + r.rows; y++)
        for (int x = r.col; x < r.col + r.cols; x++) put(c, y, x, space, role, 0);
}

void ui_clear(ui_canvas *c, ui_role role)
{
    short pair;
    attr_t a = tk_role_attr(role, 0, &pair);
    cchar_t cc;
    setcchar(&cc, L" ", a, pair, NULL);
    wbkgrndset(c->win, &cc);
    werase(c->win);
}

/* The next character of s[0..n) at *i: its wide char and display width. */
static wchar_t next_char(const char *s, size_t n, size_t *i, int *width)
{
    mbstate_t st = {0};
    wchar_t wc;
    size_t k = mbrtowc(&wc, s + *i, n - *i, &st);
    if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
        *i += 1;
        *width = 1;
        return 0xFFFD;
    }
    *i += k;
    if (wc < 32 || wc == 127) {
        *width = 1;
        return wc == '\t' ? L' ' : 0x00B7;
    }
    int w = wcwidth(wc);
    *width = w < 0 ? 1 : w;
    return wc;
}

int ui_width(const char *s, size_t n)
{
    size_t i = 0;
    int total = 0, w;
    while (i < n) {
        next_char(s, n, &i, &w);
        total += w;
    }
    return total;
}

int ui_textn(ui_canvas *c, int row, int col, int maxw, const char *s, size_t n, ui_role role,
             int attrs, bool ellipsis)
{
    if (maxw < 0 || col + maxw > c->r.cols) maxw = c->r.cols - col;
    if (maxw <= 0 || row < 0 || row >= c->r.rows) return 0;
    bool cut = ellipsis && ui_width(s, n) > maxw;
    int limit = cut ? maxw - 1 : maxw, used = 0, w;
    size_t i = 0;
    while (i < n) {
        size_t at = i;
        wchar_t wc = next_char(s, n, &i, &w);
        if (used + w > limit) {
            i = at;
            break;
        }
        wchar_t str[2] = {wc, 0};
        if (w == 0) continue; /* combining marks: drawn with their base by the terminal */
        put(c, row, col + used, str, role, attrs);
        used += w;
    }
    if (cut) {
        put(c, row, col + used, L"…", role, attrs);
        used++;
    }
    return used;
}

int ui_text(ui_canvas *c, int row, int col, int maxw, const char *s, ui_role role, int attrs,
            bool ellipsis)
{
    return ui_textn(c, row, col, maxw, s, strlen(s), role, attrs, ellipsis);
}

/* ======================= cells in any colors ======================= */

/* ui_cell's color pairs, taken from the top of the pair range downward (the
 * theme's roles hold the bottom, pairs 1..R_COUNT); when they run out, the
 * least recently used one is given to the new colors. */
enum { CELL_PAIRS_MAX = 1024 };
static struct {
    short fg, bg;
    uint64_t used; /* when last drawn with; 0: free */
} cell_pairs[CELL_PAIRS_MAX];
static int cell_npairs = -1; /* -1: not counted for this screen yet */
static int cell_top;         /* the pair number of cell_pairs[0] */
static int cell_last;        /* the entry used last (runs of one color are the rule) */
static uint64_t cell_clock;

void tk_cell_pairs_reset(void)
{
    memset(cell_pairs, 0, sizeof cell_pairs);
    cell_npairs = -1;
    cell_last = 0;
    cell_clock = 0;
}

/* The color pair drawing fg on bg (colors the terminal has), 0 when there
 * is no room for one. */
static short cell_pair(int fg, int bg)
{
    if (cell_npairs < 0) {
        cell_top = COLOR_PAIRS - 1 < SHRT_MAX ? COLOR_PAIRS - 1 : SHRT_MAX;
        int n = cell_top - R_COUNT;
        cell_npairs = n < 0 ? 0 : n > CELL_PAIRS_MAX ? CELL_PAIRS_MAX : n;
    }
    if (cell_npairs == 0) return 0;
    int hit = -1, victim = 0;
    if (cell_pairs[cell_last].used && cell_pairs[cell_last].fg == fg &&
        cell_pairs[cell_last].bg == bg) {
        hit = cell_last;
    } else {
        for (int i = 0; i < cell_npairs && hit < 0; i++) {
            if (cell_pairs[i].used && cell_pairs[i].fg == fg && cell_pairs[i].bg == bg) hit = i;
            else if (cell_pairs[i].used < cell_pairs[victim].used) victim = i;
        }
    }
    if (hit < 0) {
        hit = victim;
        cell_pairs[hit].fg = (short)fg;
        cell_pairs[hit].bg = (short)bg;
        init_pair((short)(cell_top - hit), (short)fg, (short)bg);
    }
    cell_pairs[hit].used = ++cell_clock;
    cell_last = hit;
    return (short)(cell_top - hit);
}

void ui_cell(ui_canvas *c, int row, int col, const char *utf8_char, int fg, int bg, int attrs)
{
    if (row < 0 || col < 0 || row >= c->r.rows || col >= c->r.cols) return;
    wchar_t wc[CCHARW_MAX + 1] = {L' '};
    int n = 0, width = 1, w;
    size_t len = utf8_char ? strlen(utf8_char) : 0, i = 0;
    while (i < len && n < CCHARW_MAX) {
        wchar_t ch = next_char(utf8_char, len, &i, &w);
        if (n == 0 && w == 0) wc[n++] = L' '; /* a lone combining mark: on a space */
        else if (n > 0 && w > 0) break;       /* one character per cell */
        if (n == 0) width = w;
        wc[n++] = ch;
    }
    if (n == 0) n = 1;
    wc[n] = 0;
    if (col + width > c->r.cols) { /* a wide character cut by the edge */
        wc[0] = L' ';
        wc[1] = 0;
    }
    short pair = 0;
    if (ui_screen_colors() > 0) {
        int nfg, nbg;
        tk_normal_colors(&nfg, &nbg);
        fg = fg >= 0 && fg < 256 ? fg : nfg;
        bg = bg >= 0 && bg < 256 ? bg : nbg;
        fg = tk_color_fit(fg);
        bg = tk_color_fit(bg);
        if (fg != -1 || bg != -1) pair = cell_pair(fg, bg);
    }
    cchar_t cc;
    setcchar(&cc, wc, tk_attrs(attrs), pair, NULL);
    mvwadd_wch(c->win, row, col, &cc);
}

void ui_hline(ui_canvas *c, int row, int col, int len, ui_role role)
{
    for (int i = 0; i < len; i++) put(c, row, col + i, L"─", role, 0);
}

void ui_vline(ui_canvas *c, int row, int col, int len, ui_role role)
{
    for (int i = 0; i < len; i++) put(c, row + i, col, L"│", role, 0);
}

void ui_border(ui_canvas *c, const char *title, bool focused)
{
    ui_role role = focused ? R_BORDER_FOCUS : R_BORDER;
    int h = c->r.rows, w = c->r.cols;
    ui_hline(c, 0, 1, w - 2, role);
    ui_hline(c, h - 1, 1, w - 2, role);
    ui_vline(c, 1, 0, h - 2, role);
    ui_vline(c, 1, w - 1, h - 2, role);
    put(c, 0, 0, L"┌", role, 0);
    put(c, 0, w - 1, L"┐", role, 0);
    put(c, h - 1, 0, L"└", role, 0);
    put(c, h - 1, w - 1, L"┘", role, 0);
    if (title && *title && w > 6) {
        put(c, 0, 1, L" ", role, 0);
        int used = ui_text(c, 0, 2, w - 5, title, focused ? R_TITLE_FOCUS : R_TITLE, 0, true);
        put(c, 0, 2 + used, L" ", role, 0);
    }
}

void ui_scrollbar(ui_canvas *c, int col, int row, int len, int64_t total, int64_t top,
                  int64_t visible)
{
    if (len <= 0 || total <= visible || total <= 0) return;
    int thumb = (int)((double)visible / (double)total * len);
    if (thumb < 1) thumb = 1;
    int start = (int)((double)top / (double)(total - visible) * (len - thumb));
    if (start < 0) start = 0;
    if (start + thumb > len) start = len - thumb;
    for (int i = 0; i < len; i++)
        put(c, row + i, col, i >= start && i < start + thumb ? L"█" : L"│", R_SCROLLBAR, 0);
}

void ui_canvas_show(ui_canvas *c)
{
    wnoutrefresh(c->win);
}
