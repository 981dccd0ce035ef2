/*
 * fuzz_manifest.c - fuzz target for the tarn.json reader: any bytes must give
 * either a manifest or problems with positions inside the text, never a crash,
 * and a parsed manifest must print to JSON that parses again the same way.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* CHECK() is compiled out in optimized builds; fuzz checks must always run. */
#define CHECK(x) do { if (!(x)) abort(); } while (0)

#include "manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    manifest m;
    diag_list d = {0};
    int rc = man_parse(&m, text, "tarn.json", &d);
    for (size_t i = 0; i < d.items.n; i++) CHECK(d.items.v[i].line >= 0);
    if (rc == 0) {
        char *printed = man_print(&m);
        manifest again;
        diag_list d2 = {0};
        CHECK(man_parse(&again, printed, "tarn.json", &d2) == 0);
        CHECK(again.libraries.n == m.libraries.n);
        CHECK(again.config_keys.n == m.config_keys.n);
        CHECK(strcmp(again.warehouse, m.warehouse) == 0);
        man_free(&again);
        diag_free(&d2);
        free(printed);
    }
    man_free(&m);
    diag_free(&d);
    free(text);
    return 0;
}
