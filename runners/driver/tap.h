/* SPDX-License-Identifier: GPL-2.0 */
/* tap.h: TAP / KTAP / kselftest line parser. */
#ifndef MEMATTR_DRIVER_TAP_H
#define MEMATTR_DRIVER_TAP_H

#include <stdbool.h>
#include <stddef.h>

enum tap_kind {
	TAP_BLANK,
	TAP_VERSION, /* TAP version 13|14, KTAP version 1 */
	TAP_PLAN,    /* 1..N [# reason] */
	TAP_RESULT,  /* ok / not ok */
	TAP_DIAG,    /* # text */
	TAP_BAIL,    /* Bail out! [reason] */
	TAP_PRAGMA,  /* pragma +/-name */
	TAP_UNKNOWN,
};

enum tap_directive {
	TAPD_NONE,
	TAPD_SKIP,
	TAPD_TODO,
	TAPD_XFAIL,
	TAPD_XPASS,
	TAPD_TIMEOUT,
	TAPD_ERROR,
};

/* Outcome of a result line, as the reports count it. */
enum result {
	RES_PASS,
	RES_FAIL,
	RES_SKIP,
	RES_XFAIL,
	RES_XPASS,
	RES_TIMEOUT,
	RES_ERROR,
	RES__COUNT
};

struct tap_line {
	enum tap_kind kind;
	int indent;          /* leading blanks (nested KTAP/TAP14 subtests are indented) */
	int version;         /* TAP_VERSION */
	bool ktap;           /* "KTAP version" rather than "TAP version" */
	long plan;           /* TAP_PLAN: N of 1..N */
	bool ok;             /* TAP_RESULT */
	long number;         /* TAP_RESULT: -1 when the line has none */
	size_t rest;         /* TAP_RESULT: offset in the line just after "ok[ N]" */
	char *desc;          /* TAP_RESULT: description, "- " and escapes removed (never NULL) */
	enum tap_directive directive;
	char *text;          /* directive reason / plan reason / diag text / bail reason / comment */
	char *comment;       /* TAP_RESULT: "# ..." text that is not a known directive, or NULL */
};

/* Parse one line (no trailing newline). Returns l->kind. Free with tap_line_free(). */
enum tap_kind tap_parse_line(const char *line, struct tap_line *l);
void tap_line_free(struct tap_line *l);

enum result tap_result_of(const struct tap_line *l);
const char *result_name(enum result r);
bool result_is_failure(enum result r); /* fail, timeout, error */
const char *tap_directive_name(enum tap_directive d);

/* "# Totals: pass:P fail:F xfail:X xpass:Y skip:S error:E" (kselftest). */
struct tap_totals {
	long pass, fail, xfail, xpass, skip, error;
};

bool tap_parse_totals(const char *diag_text, struct tap_totals *t);

#endif
