/* SPDX-License-Identifier: GPL-2.0 */
/* results.h: a finished run's results.json read back (jansson), for the reports made from it
 * after the fact: KCIDB, HTML, the comparison with a baseline, the merge of shards.
 * Layer: beside the report writers (uses util only).
 */
#ifndef MEMATTR_DRIVER_RESULTS_H
#define MEMATTR_DRIVER_RESULTS_H

#include <jansson.h>
#include <stdbool.h>

/* DIR/results.json, or the file itself. A "memattr-results/1" object, or NULL with *err. */
json_t *results_load(const char *dir_or_file, char **err);
/* The directory a results.json path or report directory names (caller frees). */
char *results_dir_of(const char *dir_or_file);

/* Accessors that tolerate missing members: NULL / dflt. */
const char *jstr(const json_t *o, const char *key);
long jint(const json_t *o, const char *key, long dflt);
/* o.key is the string val */
bool jeq(const json_t *o, const char *key, const char *val);
/* The cell object named name in res.cells, NULL if none. */
json_t *results_cell(const json_t *res, const char *name);
/* Identity value of a cell object ("" if missing). */
const char *results_id(const json_t *cell, const char *key);

/* JSON text of a results object written to path (atomically). 0, or -1 with *err. */
int results_save(const json_t *res, const char *path, char **err);

#endif
