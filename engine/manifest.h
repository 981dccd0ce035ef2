/*
 * manifest.h - the project manifest tarn.json (DESIGN.md section 2): name,
 * libraries (globs of .sql/.lua files), configuration parameters, warehouse
 * path, and room for jobs and the designer layout.
 *
 * The whole JSON document is kept in root, so keys tarn does not know survive
 * a rewrite. Typed fields are views of root, refreshed by man_load.
 */
#ifndef TARN_MANIFEST_H
#define TARN_MANIFEST_H

#include <cjson/cJSON.h>

#include "diag.h"
#include "util.h"

#define MAN_FILE "tarn.json"
#define MAN_DEFAULT_WAREHOUSE ".tarn/warehouse.db"
#define MAN_DEFAULT_LIBRARY "transformations/**/*.sql"

typedef struct manifest {
    cJSON *root;        /* owned: the whole document */
    char *name;         /* owned; "" when absent */
    strvec libraries;   /* owned: globs relative to the project folder */
    strvec config_keys; /* owned: configuration keys, in document order */
    strvec config_vals; /* owned: values as strings (numbers/bools rendered) */
    char *warehouse;    /* owned: path relative to the project folder */
} manifest;

/* Parses the manifest text (display_path is used in problems). Every problem
 * found (malformed JSON with line:col, wrong types with the key's line:col)
 * goes into diags; returns 0 when there is no error, -1 otherwise. On -1 the
 * manifest is still usable with defaults for the broken parts. */
int man_parse(manifest *m, const char *text, const char *display_path, diag_list *diags);
/* Reads and parses path. A missing or unreadable file is an error in diags. */
int man_load(manifest *m, const char *path, const char *display_path, diag_list *diags);
/* A new manifest for a project called name, with the default library glob
 * (MAN_DEFAULT_LIBRARY), empty configuration and the default warehouse. */
void man_init(manifest *m, const char *name);
/* Pretty prints root (2-space indent, keys in their order); caller frees. */
char *man_print(const manifest *m);
/* Writes man_print(m) to path atomically. */
int man_save(const manifest *m, const char *path, char **err);
/* Value of a configuration parameter, or NULL. */
const char *man_config(const manifest *m, const char *key);
/* Sets a configuration parameter in root and in the typed view. */
void man_set_config(manifest *m, const char *key, const char *value);
void man_free(manifest *m);

#endif
