// SPDX-License-Identifier: GPL-2.0
/* tap.c: TAP / KTAP / kselftest line parser (see tap.h). */
#include "tap.h"

#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static char *trimmed_copy(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return xstrndup(s, n);
}

/* Length of the leading run of non-blank characters. */
static size_t word_len(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ' ' && s[n] != '\t')
		n++;
	return n;
}

static enum tap_directive directive_of(const char *word, size_t n)
{
	if (n >= 4 && strncasecmp(word, "SKIP", 4) == 0)
		return TAPD_SKIP;
	if (n >= 4 && strncasecmp(word, "TODO", 4) == 0)
		return TAPD_TODO;
	if (n == 5 && strncasecmp(word, "XFAIL", 5) == 0)
		return TAPD_XFAIL;
	if (n == 5 && strncasecmp(word, "XPASS", 5) == 0)
		return TAPD_XPASS;
	if (n == 7 && strncasecmp(word, "TIMEOUT", 7) == 0)
		return TAPD_TIMEOUT;
	if (n == 5 && strncasecmp(word, "ERROR", 5) == 0)
		return TAPD_ERROR;
	return TAPD_NONE;
}

/* Parse "# ..." after a result or plan: sets directive and text, or comment. */
static void parse_hash_part(const char *after_hash, struct tap_line *l)
{
	const char *t = skip_blanks(after_hash);
	size_t wl = word_len(t);
	enum tap_directive d = directive_of(t, wl);

	if (d != TAPD_NONE) {
		l->directive = d;
		l->text = trimmed_copy(t + wl, strlen(t + wl));
	} else {
		l->comment = trimmed_copy(t, strlen(t));
	}
}

static void parse_result(const char *s, const char *line, struct tap_line *l)
{
	const char *p = s;

	if (str_starts(p, "not ok")) {
		l->ok = false;
		p += 6;
	} else {
		l->ok = true;
		p += 2;
	}
	l->number = -1;
	const char *q = skip_blanks(p);

	if (isdigit((unsigned char)*q)) {
		const char *d = q;
		long n = 0;

		while (isdigit((unsigned char)*d) && n < 100000000L)
			n = n * 10 + (*d++ - '0');
		if (*d == 0 || *d == ' ' || *d == '\t' || *d == '#') {
			l->number = n;
			p = d;
		}
	}
	l->rest = (size_t)(p - line);

	/* description up to the first unescaped '#' */
	const char *t = skip_blanks(p);

	if (t[0] == '-' && (t[1] == ' ' || t[1] == 0))
		t = skip_blanks(t + 1);
	struct buf desc = {0};
	const char *hash = NULL;

	for (const char *c = t; *c; c++) {
		if (*c == '\\' && (c[1] == '#' || c[1] == '\\')) {
			buf_addc(&desc, c[1]);
			c++;
			continue;
		}
		if (*c == '#') {
			hash = c;
			break;
		}
		buf_addc(&desc, *c);
	}
	char *d = buf_take(&desc);

	l->desc = trimmed_copy(d, strlen(d));
	free(d);
	if (hash)
		parse_hash_part(hash + 1, l);
}

/* "TAP version N" / "KTAP version N" */
static enum tap_kind parse_version(const char *s, struct tap_line *l)
{
	const char *num = s + (s[0] == 'K' ? 13 : 12);
	char *tmp = trimmed_copy(num, strlen(num));
	long v;
	bool ok = parse_long(tmp, 1, 1000, &v);

	free(tmp);
	if (!ok)
		return TAP_UNKNOWN;
	l->version = (int)v;
	l->ktap = s[0] == 'K';
	return TAP_VERSION;
}

/* "1..N [# reason]" (s starts with a digit) */
static enum tap_kind parse_plan(const char *s, struct tap_line *l)
{
	const char *q = s + 3, *r;
	long v = 0;

	if (!str_starts(s, "1..") || !isdigit((unsigned char)*q))
		return TAP_UNKNOWN;
	while (isdigit((unsigned char)*q) && v < 100000000L)
		v = v * 10 + (*q++ - '0');
	r = skip_blanks(q);
	if (*r != 0 && *r != '\r' && *r != '#')
		return TAP_UNKNOWN;
	l->plan = v;
	if (*r == '#') {
		parse_hash_part(r + 1, l);
		if (l->comment && !l->text) {
			l->text = l->comment;
			l->comment = NULL;
		}
	}
	return TAP_PLAN;
}

enum tap_kind tap_parse_line(const char *line, struct tap_line *l)
{
	memset(l, 0, sizeof(*l));
	l->number = -1;
	l->plan = -1;
	const char *s = line;

	while (*s == ' ' || *s == '\t')
		s++;
	l->indent = (int)(s - line);

	size_t n = strlen(s);

	while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0)
		return l->kind = TAP_BLANK;

	if ((str_starts(s, "not ok") && (s[6] == 0 || s[6] == ' ' || s[6] == '\t' || s[6] == '#')) ||
	    (str_starts(s, "ok") && (s[2] == 0 || s[2] == ' ' || s[2] == '\t' || s[2] == '#'))) {
		l->kind = TAP_RESULT;
		parse_result(s, line, l);
		return l->kind;
	}
	if (*s == '#') {
		l->kind = TAP_DIAG;
		const char *t = s + 1;

		if (*t == ' ')
			t++;
		l->text = trimmed_copy(t, strlen(t));
		return l->kind;
	}
	if (str_starts(s, "TAP version ") || str_starts(s, "KTAP version "))
		return l->kind = parse_version(s, l);
	if (isdigit((unsigned char)s[0]))
		return l->kind = parse_plan(s, l);
	if (str_starts(s, "Bail out!")) {
		l->kind = TAP_BAIL;
		l->text = trimmed_copy(s + 9, strlen(s + 9));
		return l->kind;
	}
	if (str_starts(s, "pragma ") && (s[7] == '+' || s[7] == '-')) {
		l->kind = TAP_PRAGMA;
		l->text = trimmed_copy(s + 7, strlen(s + 7));
		return l->kind;
	}
	return l->kind = TAP_UNKNOWN;
}

void tap_line_free(struct tap_line *l)
{
	free(l->desc);
	free(l->text);
	free(l->comment);
	l->desc = NULL;
	l->text = NULL;
	l->comment = NULL;
}

enum result tap_result_of(const struct tap_line *l)
{
	if (l->ok) {
		switch (l->directive) {
		case TAPD_SKIP:
			return RES_SKIP;
		case TAPD_XFAIL:
			return RES_XFAIL;
		case TAPD_XPASS:
			return RES_XPASS;
		default:
			return RES_PASS;
		}
	}
	switch (l->directive) {
	case TAPD_SKIP:
		return RES_SKIP;
	case TAPD_TODO:
	case TAPD_XFAIL:
		return RES_XFAIL;
	case TAPD_TIMEOUT:
		return RES_TIMEOUT;
	case TAPD_ERROR:
		return RES_ERROR;
	default:
		return RES_FAIL;
	}
}

const char *result_name(enum result r)
{
	static const char *const names[RES__COUNT] = {
		[RES_PASS] = "pass", [RES_FAIL] = "fail", [RES_SKIP] = "skip", [RES_XFAIL] = "xfail",
		[RES_XPASS] = "xpass", [RES_TIMEOUT] = "timeout", [RES_ERROR] = "error",
	};
	return (unsigned int)r < RES__COUNT ? names[r] : "?";
}

bool result_is_failure(enum result r)
{
	return r == RES_FAIL || r == RES_TIMEOUT || r == RES_ERROR;
}

const char *tap_directive_name(enum tap_directive d)
{
	switch (d) {
	case TAPD_SKIP:
		return "SKIP";
	case TAPD_TODO:
		return "TODO";
	case TAPD_XFAIL:
		return "XFAIL";
	case TAPD_XPASS:
		return "XPASS";
	case TAPD_TIMEOUT:
		return "TIMEOUT";
	case TAPD_ERROR:
		return "ERROR";
	default:
		return "";
	}
}

bool tap_parse_totals(const char *text, struct tap_totals *t)
{
	if (!str_starts(text, "Totals:"))
		return false;
	memset(t, 0, sizeof(*t));
	struct {
		const char *k;
		long *v;
	} f[] = {{"pass:", &t->pass}, {"fail:", &t->fail}, {"xfail:", &t->xfail},
		 {"xpass:", &t->xpass}, {"skip:", &t->skip}, {"error:", &t->error}};
	int found = 0;

	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		const char *p = text;

		while ((p = strstr(p, f[i].k)) != NULL) {
			if (p == text || p[-1] == ' ') {
				*f[i].v = strtol(p + strlen(f[i].k), NULL, 10);
				found++;
				break;
			}
			p++;
		}
	}
	return found >= 3;
}
