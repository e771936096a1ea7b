/* SPDX-License-Identifier: GPL-2.0 */
/* post.h: the reports made from a finished run's results.json (read back with jansson), after a
 * run or after the fact (--report-from DIR): KCIDB, report.html, the comparison with a baseline.
 * Layer: after the report writers, before main.
 */
#ifndef MEMATTR_DRIVER_POST_H
#define MEMATTR_DRIVER_POST_H

#include "known_issues.h"
#include "report_kcidb.h"

struct post_opts {
	const char *kcidb;       /* --kcidb FILE, NULL: none */
	struct kcidb_opts kopts;
	const char *baseline;    /* --compare OLD: report directory or results.json, NULL: none */
	const char *html;        /* report.html to write, NULL: none */
	bool write_compare;      /* write <dir>/compare.txt and compare.json */
	/* known issues applied to a results.json written without them (--report-from, --merge) */
	const struct known_issues *known;
};

/* Mark the tests of res that a known issue covers (test.known_issue, counts.known/fixed) as a run
 * with --known-issues does.
 */
void post_apply_known(json_t *res, const struct known_issues *ki);

/*
 * The post-run reports of the run in dir. Returns 0; 1 if the comparison found a regression;
 * 2 with a message on stderr if something could not be read or written.
 */
int post_reports(const struct post_opts *o, const char *dir);

#endif
