/* SPDX-License-Identifier: GPL-2.0 */
/* skip_profile.h: a cell's expected-skip profile (cell key expected_skips = FILE) and the verdict on
 * a finished cell's skips.
 *
 * File format (runners/skips/<cell>.skips): whole-line comments (# or ;), blank lines, and one
 * [skip] section per entry:
 *   [skip]
 *   tests = GLOB [GLOB...]     test names (fnmatch, blank-separated; any one may match)
 *   reason = GLOB              the SKIP reason (fnmatch over the whole reason), or
 *   reason_re = ERE            a POSIX extended regular expression searched in the reason
 *   why = TEXT                 why this cell skips them (the condition detected), required
 *   occurs = always|sometimes  always (default): at least one matching test must skip whenever a
 *                              matching test ran; sometimes: the skip is allowed, not required
 * Values are taken verbatim (blanks around them trimmed; no quote removal).
 */
#ifndef MEMATTR_DRIVER_SKIP_PROFILE_H
#define MEMATTR_DRIVER_SKIP_PROFILE_H

#include "util.h"

#include <regex.h>
#include <stdbool.h>

struct skip_entry {
	struct strvec tests; /* test-name globs */
	char *reason;        /* reason glob, or NULL when reason_re is given */
	char *reason_re;     /* ERE text, or NULL */
	regex_t *re;         /* compiled reason_re (its own allocation: entries move when the list grows) */
	char *why;
	bool sometimes;
	char *where;         /* FILE:LINE of its [skip] header */
};

struct skip_profile {
	char *path;    /* as read */
	char *display; /* the path relative to the project root when under it (for messages) */
	struct skip_entry *v;
	size_t n;
};

/* Each returns 0, or -1 with *err = "FILE:LINE: message". root: the project root (for display). */
int skip_profile_load(const char *path, const char *root, struct skip_profile **out, char **err);
int skip_profile_parse(const char *name, const char *text, struct skip_profile **out, char **err);
void skip_profile_free(struct skip_profile *p);

bool skip_entry_matches_test(const struct skip_entry *e, const char *name);
bool skip_entry_matches_reason(const struct skip_entry *e, const char *reason);

/* One result of the cell, as the judge sees it. */
struct skip_seen {
	const char *name;
	const char *reason; /* NULL: none */
	bool skipped;
	const char *result; /* result name for messages */
};

/* What the judge may assume about the tests that did not run. */
struct skip_scope {
	bool filtered;               /* a test filter was in effect: entries that match no test are ignored */
	bool complete;               /* every suite ran to its end */
	const struct strvec *suites; /* the suites of the cell */
	const struct strvec *known;  /* names of every selected test the suites listed (may be empty) */
};

struct skip_verdict {
	long expected;   /* skips an entry explained */
	long unexpected; /* skips no entry explained */
	long missing;    /* "always" entries whose tests ran without the skip */
	long stale;      /* entries matching no test that exists */
	struct strvec lines; /* one diagnostic line per offending test or entry */
};

void skip_profile_judge(const struct skip_profile *p, const struct skip_seen *seen, size_t n,
			const struct skip_scope *scope, struct skip_verdict *v);
void skip_verdict_free(struct skip_verdict *v);
bool skip_verdict_failed(const struct skip_verdict *v);

#endif
