/* SPDX-License-Identifier: GPL-2.0 */
/* merge.h: several report directories (shards of one run: --shard I/N on several hosts) merged
 * into one: results.json, junit.xml, summary.txt and each cell's files; KCIDB and report.html then
 * come from the merged results.json like after a run (post.h). Layer: with post.
 */
#ifndef MEMATTR_DRIVER_MERGE_H
#define MEMATTR_DRIVER_MERGE_H

#include "known_issues.h"

#include <stdio.h>

/* dirs[0..n) into outdir (existing, empty), whose run id becomes id; the known issues (may be NULL)
 * marked in the merged results. 0, or -1 with *err (a cell in two of them, an unreadable
 * results.json, a file that cannot be copied).
 */
int merge_reports(char *const *dirs, int n, const char *outdir, const char *id, const struct known_issues *ki,
		  char **err);

#endif
