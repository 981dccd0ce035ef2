/*
 * app_config.c - the user's settings for the TUI (see app.h), kept in
 * $XDG_CONFIG_HOME/tarn/config.json (~/.config/tarn/config.json): the theme,
 * the pane layout and the editor's indentation, restored at the next start. Themes are looked for in
 * the user's config folder, then next to the program (source tree), then in
 * the installed share folder.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app_int.h"
#include "fsutil.h"

#ifndef TARN_THEMES_SOURCE
#define TARN_THEMES_SOURCE "themes"
#endif
#ifndef TARN_THEMES_INSTALL
#define TARN_THEMES_INSTALL "/usr/local/share/tarn/themes"
#endif

static char *config_dir(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && *xdg) return fs_join(xdg, "tarn");
    const char *home = getenv("HOME");
    return xasprintf("%s/.config/tarn", home && *home ? home : ".");
}

const char *const *app_theme_dirs(void)
{
    static char *dirs[4];
    if (!dirs[0]) {
        char *cfg = config_dir();
        dirs[0] = fs_join(cfg, "themes");
        free(cfg);
        dirs[1] = xstrdup(TARN_THEMES_SOURCE);
        dirs[2] = xstrdup(TARN_THEMES_INSTALL);
    }
    return (const char *const *)dirs;
}

static int get_int(const cJSON *o, const char *k, int dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valueint : dflt;
}

static bool get_bool(const cJSON *o, const char *k, bool dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

void app_config_load(app *a)
{
    char *dir = config_dir();
    a->config_path = fs_join(dir, "config.json");
    free(dir);
    char *text = fs_read(a->config_path, NULL, NULL);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *theme = cJSON_GetObjectItemCaseSensitive(root, "theme");
    a->theme = xstrdup(cJSON_IsString(theme) ? theme->valuestring : "dark");
    const cJSON *lay = cJSON_GetObjectItemCaseSensitive(root, "layout");
    a->lay.explorer_cols = get_int(lay, "explorer_width", a->lay.explorer_cols);
    a->lay.bottom_rows = get_int(lay, "bottom_height", a->lay.bottom_rows);
    a->lay.explorer_open = get_bool(lay, "explorer_open", a->lay.explorer_open);
    a->lay.bottom_open = get_bool(lay, "bottom_open", a->lay.bottom_open);
    const cJSON *ed = cJSON_GetObjectItemCaseSensitive(root, "editor");
    a->tab_width = get_int(ed, "tab_width", 4);
    if (a->tab_width < 1 || a->tab_width > 16) a->tab_width = 4;
    a->hard_tabs = get_bool(ed, "indent_with_tabs", false);
    cJSON_Delete(root);
}

void app_config_save(app *a)
{
    if (!a->config_path) return;
    /* keep settings this version does not know */
    char *text = fs_read(a->config_path, NULL, NULL);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        root = cJSON_CreateObject();
    }
    cJSON_DeleteItemFromObjectCaseSensitive(root, "theme");
    cJSON_AddStringToObject(root, "theme", a->theme ? a->theme : "dark");
    cJSON_DeleteItemFromObjectCaseSensitive(root, "layout");
    cJSON *lay = cJSON_AddObjectToObject(root, "layout");
    cJSON_AddNumberToObject(lay, "explorer_width", a->lay.explorer_cols);
    cJSON_AddNumberToObject(lay, "bottom_height", a->lay.bottom_rows);
    cJSON_AddBoolToObject(lay, "explorer_open", a->lay.explorer_open);
    cJSON_AddBoolToObject(lay, "bottom_open", a->lay.bottom_open);
    cJSON_DeleteItemFromObjectCaseSensitive(root, "editor");
    cJSON *ed = cJSON_AddObjectToObject(root, "editor");
    cJSON_AddNumberToObject(ed, "tab_width", a->tab_width);
    cJSON_AddBoolToObject(ed, "indent_with_tabs", a->hard_tabs);
    char *out = cJSON_Print(root);
    char *dir = fs_dirname(a->config_path), *err = NULL;
    if (fs_mkdirs(dir, &err) == 0)
        fs_write_atomic(a->config_path, out, strlen(out), &err);
    free(err);
    free(dir);
    free(out);
    cJSON_Delete(root);
}
