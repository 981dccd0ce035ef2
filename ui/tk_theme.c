/*
 * tk_theme.c - themes (see tk.h): themes/<name>.json maps each role to a
 * foreground, a background and attributes. Colors are "#rrggbb", a name from
 * the theme's own "colors", a basic name ("red", "bright_blue", "default") or
 * an xterm index 0-255. On a terminal with fewer colors each color becomes the
 * nearest one it has; with NO_COLOR (or none at all) roles are told apart by
 * attributes alone (bold, reverse, underline, dim).
 */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "tk_int.h"
#include "util.h"

typedef struct role_spec {
    int fg, bg;   /* xterm color index, or -1 for the terminal's default */
    int attrs;    /* UI_* */
} role_spec;

static const char *const role_names[R_COUNT] = {
    "normal", "muted", "border", "border_focus", "title", "title_focus", "selection",
    "cursor_line", "status", "status_accent", "tab", "tab_active", "header", "null",
    "number", "string", "keyword", "comment", "error", "warning", "info", "success",
    "running", "completed", "failed", "queued", "canceled", "skipped", "popup",
    "popup_border", "match", "scrollbar"};

/* How roles look without colors. */
static const int mono[R_COUNT] = {
    [R_MUTED] = UI_DIM, [R_BORDER_FOCUS] = UI_BOLD, [R_TITLE] = UI_BOLD,
    [R_TITLE_FOCUS] = UI_BOLD | UI_REVERSE, [R_SELECTION] = UI_REVERSE,
    [R_CURSOR_LINE] = UI_UNDERLINE, [R_STATUS] = UI_REVERSE,
    [R_STATUS_ACCENT] = UI_REVERSE | UI_BOLD, [R_TAB_ACTIVE] = UI_REVERSE | UI_BOLD,
    [R_HEADER] = UI_BOLD | UI_UNDERLINE, [R_NULL] = UI_DIM, [R_KEYWORD] = UI_BOLD,
    [R_COMMENT] = UI_DIM, [R_ERROR] = UI_BOLD | UI_UNDERLINE, [R_WARNING] = UI_BOLD,
    [R_RUNNING] = UI_BOLD, [R_FAILED] = UI_BOLD | UI_UNDERLINE, [R_SKIPPED] = UI_DIM,
    [R_CANCELED] = UI_DIM, [R_MATCH] = UI_BOLD | UI_UNDERLINE, [R_POPUP_BORDER] = UI_BOLD,
    [R_SCROLLBAR] = UI_REVERSE};

/* The theme used when no theme file is found: dark, in basic colors. */
static role_spec roles[R_COUNT] = {
    [R_NORMAL] = {-1, -1, 0}, [R_MUTED] = {8, -1, 0}, [R_BORDER] = {8, -1, 0},
    [R_BORDER_FOCUS] = {12, -1, UI_BOLD}, [R_TITLE] = {7, -1, UI_BOLD},
    [R_TITLE_FOCUS] = {14, -1, UI_BOLD}, [R_SELECTION] = {15, 4, 0},
    [R_CURSOR_LINE] = {-1, 0, 0}, [R_STATUS] = {15, 4, 0}, [R_STATUS_ACCENT] = {0, 6, UI_BOLD},
    [R_TAB] = {7, -1, 0}, [R_TAB_ACTIVE] = {15, 4, UI_BOLD}, [R_HEADER] = {14, -1, UI_BOLD},
    [R_NULL] = {8, -1, 0}, [R_NUMBER] = {11, -1, 0}, [R_STRING] = {10, -1, 0},
    [R_KEYWORD] = {13, -1, UI_BOLD}, [R_COMMENT] = {8, -1, 0}, [R_ERROR] = {9, -1, UI_BOLD},
    [R_WARNING] = {11, -1, 0}, [R_INFO] = {12, -1, 0}, [R_SUCCESS] = {10, -1, 0},
    [R_RUNNING] = {11, -1, UI_BOLD}, [R_COMPLETED] = {10, -1, 0}, [R_FAILED] = {9, -1, UI_BOLD},
    [R_QUEUED] = {7, -1, 0}, [R_CANCELED] = {8, -1, 0}, [R_SKIPPED] = {8, -1, 0},
    [R_POPUP] = {-1, 0, 0}, [R_POPUP_BORDER] = {14, 0, UI_BOLD}, [R_MATCH] = {11, -1, UI_BOLD},
    [R_SCROLLBAR] = {8, -1, 0}};
static char theme_name[64] = "built-in";

const char *ui_role_name(ui_role r)
{
    return r < R_COUNT ? role_names[r] : NULL;
}

const char *ui_theme_name(void)
{
    return theme_name;
}

/* ======================= colors ======================= */

/* The RGB of xterm color i (the usual defaults of the first 16). */
static void xterm_rgb(int i, int rgb[3])
{
    static const int base[16][3] = {
        {0, 0, 0}, {205, 0, 0}, {0, 205, 0}, {205, 205, 0}, {0, 0, 238}, {205, 0, 205},
        {0, 205, 205}, {229, 229, 229}, {127, 127, 127}, {255, 0, 0}, {0, 255, 0},
        {255, 255, 0}, {92, 92, 255}, {255, 0, 255}, {0, 255, 255}, {255, 255, 255}};
    if (i < 16) {
        memcpy(rgb, base[i], sizeof base[i]);
    } else if (i < 232) {
        static const int level[6] = {0, 95, 135, 175, 215, 255};
        i -= 16;
        rgb[0] = level[i / 36];
        rgb[1] = level[(i / 6) % 6];
        rgb[2] = level[i % 6];
    } else {
        rgb[0] = rgb[1] = rgb[2] = 8 + (i - 232) * 10;
    }
}

/* The nearest of the first n xterm colors to rgb (from 16 on for n = 256:
 * those do not depend on the terminal's palette). */
static int nearest(const int rgb[3], int n)
{
    int best = 0;
    long bestd = -1;
    for (int i = n == 256 ? 16 : 0; i < n; i++) {
        int c[3];
        xterm_rgb(i, c);
        long d = 0;
        for (int k = 0; k < 3; k++) d += (long)(c[k] - rgb[k]) * (c[k] - rgb[k]);
        if (bestd < 0 || d < bestd) {
            bestd = d;
            best = i;
        }
    }
    return best;
}

static const char *const basic_names[16] = {
    "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
    "bright_black", "bright_red", "bright_green", "bright_yellow", "bright_blue",
    "bright_magenta", "bright_cyan", "bright_white"};

/* A color value of a theme as an xterm index (or -1 default); -2 when bad. */
static int parse_color(const cJSON *v, const cJSON *palette, int depth)
{
    if (cJSON_IsNumber(v)) return v->valueint >= 0 && v->valueint < 256 ? v->valueint : -2;
    if (!cJSON_IsString(v)) return -2;
    const char *s = v->valuestring;
    if (!strcmp(s, "default")) return -1;
    if (s[0] == '#' && strlen(s) == 7) {
        unsigned x;
        if (sscanf(s + 1, "%6x", &x) != 1) return -2;
        int rgb[3] = {(int)(x >> 16) & 255, (int)(x >> 8) & 255, (int)x & 255};
        return nearest(rgb, 256);
    }
    for (int i = 0; i < 16; i++)
        if (!strcmp(s, basic_names[i])) return i;
    const cJSON *named = cJSON_GetObjectItemCaseSensitive(palette, s);
    if (named && depth < 4) return parse_color(named, palette, depth + 1);
    return -2;
}

int tk_color_fit(int c)
{
    int n = ui_screen_colors();
    if (c < 0 || n >= 256 || c < n) return c;
    int rgb[3];
    xterm_rgb(c, rgb);
    return nearest(rgb, n >= 16 ? 16 : 8);
}

attr_t tk_role_attr(ui_role r, int extra, short *pair)
{
    int a = extra;
    *pair = 0;
    if (ui_screen_colors() > 0) {
        *pair = (short)(r + 1);
        a |= roles[r].attrs;
    } else {
        a |= mono[r];
    }
    return tk_attrs(a);
}

attr_t tk_attrs(int a)
{
    attr_t out = 0;
    if (a & UI_BOLD) out |= A_BOLD;
    if (a & UI_REVERSE) out |= A_REVERSE;
    if (a & UI_UNDERLINE) out |= A_UNDERLINE;
    if (a & UI_DIM) out |= A_DIM;
    return out;
}

void tk_normal_colors(int *fg, int *bg)
{
    *fg = roles[R_NORMAL].fg;
    *bg = roles[R_NORMAL].bg;
}

void tk_theme_apply(void)
{
    tk_cell_pairs_reset(); /* a new screen or new normal colors */
    if (ui_screen_colors() <= 0) return;
    for (int r = 0; r < R_COUNT; r++) {
        int fg = roles[r].fg, bg = roles[r].bg;
        if (fg == -1 && r != R_NORMAL) fg = roles[R_NORMAL].fg;
        if (bg == -1 && r != R_NORMAL) bg = roles[R_NORMAL].bg;
        init_pair((short)(r + 1), (short)tk_color_fit(fg), (short)tk_color_fit(bg));
    }
}

/* ======================= theme files ======================= */

static char *find_theme(const char *const *dirs, const char *name)
{
    for (int i = 0; dirs && dirs[i]; i++) {
        char *file = xasprintf("%s/%s.json", dirs[i], name);
        if (fs_exists(file)) return file;
        free(file);
    }
    return NULL;
}

int ui_theme_load(const char *const *dirs, const char *name, char **err)
{
    char *path = find_theme(dirs, name);
    if (!path) {
        if (err) *err = xasprintf("no theme called '%s'", name);
        return -1;
    }
    char *text = fs_read(path, NULL, err);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!cJSON_IsObject(root)) {
        if (err && !*err) *err = xasprintf("%s: not a JSON object", path);
        cJSON_Delete(root);
        free(path);
        return -1;
    }
    const cJSON *palette = cJSON_GetObjectItemCaseSensitive(root, "colors");
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(root, "roles");
    role_spec next[R_COUNT];
    memcpy(next, roles, sizeof roles);
    int rc = 0;
    for (int r = 0; r < R_COUNT && rc == 0; r++) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(spec, role_names[r]);
        if (!s) continue;
        const cJSON *fg = cJSON_GetObjectItemCaseSensitive(s, "fg");
        const cJSON *bg = cJSON_GetObjectItemCaseSensitive(s, "bg");
        next[r].fg = fg ? parse_color(fg, palette, 0) : -1;
        next[r].bg = bg ? parse_color(bg, palette, 0) : -1;
        next[r].attrs = (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "bold")) ? UI_BOLD : 0) |
                        (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "underline")) ? UI_UNDERLINE : 0) |
                        (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "reverse")) ? UI_REVERSE : 0) |
                        (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "dim")) ? UI_DIM : 0);
        if (next[r].fg == -2 || next[r].bg == -2) {
            if (err) *err = xasprintf("%s: role \"%s\" has a color tarn does not know", path,
                                      role_names[r]);
            rc = -1;
        }
    }
    if (rc == 0) {
        memcpy(roles, next, sizeof roles);
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(root, "name");
        snprintf(theme_name, sizeof theme_name, "%s", cJSON_IsString(n) ? n->valuestring : name);
        tk_theme_apply();
    }
    cJSON_Delete(root);
    free(path);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **ui_theme_list(const char *const *dirs, int *n)
{
    strvec names = {0};
    for (int i = 0; dirs && dirs[i]; i++) {
        DIR *d = opendir(dirs[i]);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            size_t len = strlen(e->d_name);
            if (len > 5 && !strcmp(e->d_name + len - 5, ".json")) {
                char *name = xstrndup(e->d_name, len - 5);
                if (strvec_find(&names, name) < 0) VEC_PUSH(&names, name);
                else free(name);
            }
        }
        if (d) closedir(d);
    }
    qsort(names.v, names.n, sizeof(char *), cmp_str);
    *n = (int)names.n;
    VEC_PUSH(&names, NULL);
    return names.v;
}
