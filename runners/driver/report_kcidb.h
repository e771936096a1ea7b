/* SPDX-License-Identifier: GPL-2.0 */
/* report_kcidb.h: a KCIDB v5.3 I/O document (https://github.com/kernelci/kcidb-io) from a run's
 * results.json; see docs/reports.md "KCIDB".
 */
#ifndef MEMATTR_DRIVER_REPORT_KCIDB_H
#define MEMATTR_DRIVER_REPORT_KCIDB_H

#include "results.h"

#include <stdbool.h>

#define KCIDB_LOG_EXCERPT_MAX 16384

struct kcidb_opts {
	const char *origin;      /* [a-z0-9_]+; default "memattr" */
	const char *build_id;    /* "<origin>:..." of the farm's build; NULL: one build per kernel */
	const char *checkout_id; /* "<origin>:..."; NULL: one checkout for the run */
	const char *url_base;    /* prefix of the output file URLs; NULL: relative to the report */
};

/* true if s is a valid KCIDB origin ([a-z0-9_]+) */
bool kcidb_origin_ok(const char *s);
/* true if s is "<origin>:<something>" with a valid origin */
bool kcidb_id_ok(const char *s);
/* The test path of a memattr test name: "memattr." + the name, each dot-separated part reduced to
 * [a-zA-Z0-9_-] (other bytes become '_'), empty parts dropped (caller frees).
 */
char *kcidb_path(const char *name);
/* The document for res; NULL never (the caller owns the reference). */
json_t *kcidb_doc(const json_t *res, const struct kcidb_opts *o);
int kcidb_write(const json_t *res, const struct kcidb_opts *o, const char *path, char **err);

#endif
