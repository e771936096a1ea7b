/* SPDX-License-Identifier: GPL-2.0 */
/* known_issues.h: the known-issues file (--known-issues FILE, [run] known_issues): failures that
 * are known, reported as "known" (never hidden, counted apart), and "fixed" when such a test passes.
 *
 * Format (docs/reports.md "Known issues"): one issue a line, six fields separated by tabs:
 *   TEST-GLOB  CELL-GLOB  ARCH-GLOB  KERNEL-RELEASE-GLOB  REASON  LINK
 * fnmatch(3) globs ("*": any); LINK may be "-". Blank lines and lines starting with '#' are ignored.
 * Layer: with util (strings only).
 */
#ifndef MEMATTR_DRIVER_KNOWN_ISSUES_H
#define MEMATTR_DRIVER_KNOWN_ISSUES_H

#include <stddef.h>

struct known_issue {
	char *test, *cell, *arch, *krel; /* globs */
	char *reason, *link;             /* link NULL if "-" */
	char *where;                     /* FILE:LINE */
};

struct known_issues {
	struct known_issue *v;
	size_t n;
};

/* 0, or -1 with *err (FILE:LINE: what). */
int known_issues_load(struct known_issues *ki, const char *path, char **err);
int known_issues_parse(struct known_issues *ki, const char *text, const char *path, char **err);
void known_issues_free(struct known_issues *ki);
/* The first issue matching; krel NULL or "" matches only "*". NULL if none (or ki NULL). */
const struct known_issue *known_issue_match(const struct known_issues *ki, const char *test, const char *cell,
					    const char *arch, const char *krel);

#endif
