// SPDX-License-Identifier: GPL-2.0
/*
 * Verdicts inside a test's child: diagnostics, failures, skips, counted expectations and the one
 * known failure a test may name (ma_xfail_next).  They write the shared struct ma_child_result that the
 * harness judges after the child is reaped (harness.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness_result.h"
#include "memattr/harness.h"

enum { EXIT_VERDICT_RECORDED = 0, EXIT_OUTSIDE_TEST_FAIL = 1, EXIT_OUTSIDE_TEST_SKIP = 4 };

static struct ma_child_result *res;		/* non-NULL inside a test child */
static const char *known_why;		/* ma_xfail_next pending: its reason (NULL: none) */
static bool known_when;

void ma_child_result_attach(struct ma_child_result *r)
{
	res = r;
	known_why = NULL;
}

unsigned int ma_timeout_scale(void)
{
	const char *s = getenv("MEMATTR_TIMEOUT_SCALE");
	long v = s ? strtol(s, NULL, 10) : 1;

	return v >= 1 && v <= 1000 ? (unsigned int)v : 1;
}

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	char buf[2048];
	char *line, *save = NULL;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* one diagnostic line per message line, so nothing breaks the TAP stream */
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("# %s%s\n", prefix, line);
	fflush(stdout);
}

void ma_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void ma_xfail_next(bool when, const char *why)
{
	known_why = why;
	known_when = when;
}

void ma_check_passed(void)
{
	if (!res)
		return;
	__atomic_add_fetch(&res->checks, 1, __ATOMIC_RELAXED);
	if (known_why && known_when) {
		printf("# XPASS: an expectation marked as a known failure held: %s\n", known_why);
		snprintf(res->known, sizeof(res->known), "%s", known_why);
		res->xpassed = 1;
	}
	known_why = NULL;
}

static void note_failure(const char *file, int line, const char *fmt, va_list ap)
{
	char where[160];
	bool known = known_why && known_when;

	snprintf(where, sizeof(where), "%s%s:%d: ", known ? "known failure: " : "", file, line);
	vlog(where, fmt, ap);
	if (!res)
		return;
	__atomic_add_fetch(&res->checks, 1, __ATOMIC_RELAXED);
	if (known) {
		printf("# XFAIL: %s\n", known_why);
		snprintf(res->known, sizeof(res->known), "%s", known_why);
		res->xfailed = 1;
	} else {
		res->failed = 1;
	}
	known_why = NULL;
}

void ma_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	note_failure(file, line, fmt, ap);
	va_end(ap);
	if (!res)
		exit(EXIT_OUTSIDE_TEST_FAIL);
}

void ma_end(void)
{
	fflush(stdout);
	if (!res)
		exit(EXIT_VERDICT_RECORDED);
	res->ended = 1;
	_exit(EXIT_VERDICT_RECORDED);
}

void ma_fatal_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	note_failure(file, line, fmt, ap);
	va_end(ap);
	fflush(stdout);
	if (!res)
		exit(EXIT_OUTSIDE_TEST_FAIL);
	res->ended = 1;
	_exit(EXIT_VERDICT_RECORDED);
}

void ma_skip(const char *fmt, ...)
{
	va_list ap;

	if (!res) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
		exit(EXIT_OUTSIDE_TEST_SKIP);
	}
	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
	/* the reason is a directive: no '#' or newline may break it */
	for (char *p = res->reason; *p; p++)
		if (*p == '#' || *p == '\n')
			*p = ' ';
	res->skipped = 1;
	res->ended = 1;
	fflush(stdout);
	_exit(EXIT_VERDICT_RECORDED);
}

bool ma_failed(void)
{
	return res && res->failed;
}

const char *ma_long_str(long v)
{
	static char bufs[4][32];
	static unsigned int i;
	char *b = bufs[i++ % 4];

	snprintf(b, 32, "(%ld)", v);
	return b;
}

const char *ma_errno_name(int err)
{
	static char other[4][24];
	static unsigned int i;
	const char *n = strerrorname_np(err);
	char *b;

	if (n)
		return n;
	b = other[i++ % 4];
	snprintf(b, 24, "errno %d", err);
	return b;
}
