/*
 * cli_ui.c - `tarn ui` (and `tarn` alone on a terminal): the full-screen IDE
 * on the project (app.h).
 */
#include <unistd.h>

#include "app.h"
#include "cli.h"

static int exec_ui(const cli_args *a)
{
    if (!isatty(0) || !isatty(1))
        return cli_fail("the full-screen IDE needs a terminal (stdin and stdout); the other "
                        "commands work without one (tarn --help)");
    return app_main(a->dir, cli_all(a, "param"));
}

static const cli_opt opts[] = {
    {"param", 0, "KEY=VALUE", true, "set a configuration parameter for ${KEY}"},
    {NULL, 0, NULL, false, NULL}};

const cli_cmd cli_cmd_ui = {
    "ui", "", "open the full-screen IDE (what tarn alone does on a terminal)",
    "Explorer, data grid, run panel, event log, problems and a shell in one screen, with\n"
    "the mouse and the keyboard. F1 or ? shows every key; Ctrl-P finds every action.\n"
    "Settings (theme, pane sizes) are kept in $XDG_CONFIG_HOME/tarn/config.json.",
    opts, 0, 0, exec_ui};
