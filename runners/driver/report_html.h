/* SPDX-License-Identifier: GPL-2.0 */
/* report_html.h: report.html, one self-contained page (inline CSS, no script, no external
 * resource) made from results.json: failures and regressions first, cells x tests with verdict
 * colours, each cell's memory-type matrix (expected vs observed), the cell identities, links to
 * each cell's TAP and console log, the comparison with a baseline when there is one.
 */
#ifndef MEMATTR_DRIVER_REPORT_HTML_H
#define MEMATTR_DRIVER_REPORT_HTML_H

#include "results.h"

#include <stdio.h>

/* cmp: compare_results() against the baseline, NULL: none. dir: the report directory (unused but
 * for messages). 0, or -1 with *err.
 */
int report_html(const json_t *res, const json_t *cmp, const char *dir, const char *path, char **err);
/* The page itself. */
void html_write(FILE *f, const json_t *res, const json_t *cmp);
void html_escape(FILE *f, const char *s);

#endif
