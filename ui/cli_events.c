/*
 * cli_events.c - `tarn events`: the event log, newest first.
 */
#include <stdlib.h>

#include "cli.h"
#include "cli_format.h"
#include "evlog.h"
#include "fsutil.h"

static int exec_events(const cli_args *a)
{
    cli_format fmt;
    if (cli_format_parse(cli_get(a, "format", "table"), &fmt) < 0)
        return cli_usage_error(a, "--format must be table, csv or json");
    evl_filter f = {0};
    char *end;
    if (cli_has(a, "update")) {
        f.update_id = strtoll(cli_get(a, "update", ""), &end, 10);
        if (*end || f.update_id <= 0)
            return cli_usage_error(a, "--update wants an update number");
    }
    f.level = cli_get(a, "level", NULL);
    if (f.level && !str_ieq(f.level, "INFO") && !str_ieq(f.level, "WARN") &&
        !str_ieq(f.level, "ERROR") && !str_ieq(f.level, "METRICS"))
        return cli_usage_error(a, "--level must be INFO, WARN, ERROR or METRICS");
    f.type = cli_get(a, "type", NULL);
    f.dataset = cli_get(a, "dataset", NULL);
    const char *lim = cli_get(a, "limit", "0");
    long limit = strtol(lim, &end, 10);
    if (*end || !*lim || limit < 0 || limit > 1000000000)
        return cli_usage_error(a, "--limit wants a number >= 0, not '%s'", lim);
    f.limit = (int)limit;
    f.oldest_first = cli_has(a, "oldest-first");
    char *path = fs_join(a->dir, ".tarn/state.db"), *err = NULL;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = CLI_FAIL;
    if (!fs_exists(path)) {
        rc = cli_fail("no events yet in %s: run an update first (tarn run)", a->dir);
    } else if (evl_open_readonly(path, &db, &err) < 0 || evl_prepare(db, &f, &st, &err) < 0) {
        rc = cli_fail("%s", err);
    } else {
        /* the table leaves flow and details out; JSON embeds details as JSON */
        cli_rows o = {fmt, 0, 1u << 8, (1u << 6) | (1u << 8)};
        rc = cli_print_rows(stdout, st, &o, &err) >= 0 ? CLI_OK : cli_fail("%s", err);
    }
    free(err);
    free(path);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

static const cli_opt opts[] = {
    {"update", 'u', "ID", false, "only events of update ID"},
    {"level", 0, "LEVEL", false, "only INFO, WARN, ERROR or METRICS events"},
    {"type", 't', "TYPE", false, "only this event type (create_update, update_progress, "
                                 "flow_progress, dataset_definition, planning_information)"},
    {"dataset", 'd', "NAME", false, "only events about dataset NAME"},
    {"limit", 'n', "N", false, "at most N events"},
    {"oldest-first", 0, NULL, false, "oldest event first (default: newest first)"},
    {"format", 'f', "FMT", false, "table (default), csv or json (json embeds the details)"},
    {NULL, 0, NULL, false, NULL}};

const cli_cmd cli_cmd_events = {
    "events", "[OPTIONS]", "show the event log of updates",
    "The event log lives in .tarn/state.db, shaped like Lakeflow's: id, timestamp, update,\n"
    "level, event_type, dataset, flow, message and details (JSON). Newest first.",
    opts, 0, 0, exec_events};
