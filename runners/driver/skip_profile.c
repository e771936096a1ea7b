// SPDX-License-Identifier: GPL-2.0
/* skip_profile.c: expected-skip profiles: the parser and the judge (see skip_profile.h). */
#include "skip_profile.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LISTED_TESTS 4 /* tests named in one "did not happen" line */

static int fail(char **err, const char *where, const char *fmt, ...) PRINTF_LIKE(3, 4);
static int fail(char **err, const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);

	va_end(ap);
	free(*err);
	*err = xasprintf("%s: %s", where, m);
	free(m);
	return -1;
}

static void entry_free(struct skip_entry *e)
{
	strvec_free(&e->tests);
	free(e->reason);
	if (e->re) {
		regfree(e->re);
		free(e->re);
	}
	free(e->reason_re);
	free(e->why);
	free(e->where);
}

void skip_profile_free(struct skip_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		entry_free(&p->v[i]);
	free(p->v);
	free(p->path);
	free(p->display);
	free(p);
}

static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return true;
	return false;
}

/* An entry is complete when its section ends. */
static int entry_check(const struct skip_entry *e, char **err)
{
	if (!e->tests.n)
		return fail(err, e->where, "[skip] without 'tests = GLOB'");
	if (!e->reason && !e->reason_re)
		return fail(err, e->where, "[skip] without 'reason = GLOB' or 'reason_re = ERE'");
	if (!e->why)
		return fail(err, e->where, "[skip] without 'why = ...' (say which condition of the cell makes them skip)");
	return 0;
}

static int entry_set(struct skip_entry *e, const char *key, const char *val, const char *where, char **err)
{
	if (!*val)
		return fail(err, where, "%s: empty value", key);
	if (has_ctl(val))
		return fail(err, where, "%s: control characters in the value", key);
	if (strcmp(key, "tests") == 0) {
		if (e->tests.n)
			return fail(err, where, "tests given twice in one [skip] entry (list the globs on one line)");
		strvec_split_words(&e->tests, val);
		if (!e->tests.n)
			return fail(err, where, "tests: no glob");
		return 0;
	}
	if (strcmp(key, "reason") == 0 || strcmp(key, "reason_re") == 0) {
		if (e->reason || e->reason_re)
			return fail(err, where,
				    "%s: the entry has a reason pattern already (one of reason, reason_re)",
				    key);
		if (key[6] == 0) {
			e->reason = xstrdup(val);
			return 0;
		}
		regex_t *re = xmalloc(sizeof(*re));
		int rc = regcomp(re, val, REG_EXTENDED | REG_NOSUB);

		if (rc != 0) {
			char msg[256];

			regerror(rc, re, msg, sizeof(msg));
			free(re);
			return fail(err, where, "reason_re: bad regular expression '%s': %s", val, msg);
		}
		e->re = re;
		e->reason_re = xstrdup(val);
		return 0;
	}
	if (strcmp(key, "why") == 0) {
		if (e->why)
			return fail(err, where, "why given twice in one [skip] entry");
		if (strncmp(val, "TODO", 4) == 0)
			return fail(err, where, "why is still the draft's TODO: say which condition of the cell makes them skip");
		e->why = xstrdup(val);
		return 0;
	}
	if (strcmp(key, "occurs") == 0) {
		if (strcmp(val, "always") == 0)
			e->sometimes = false;
		else if (strcmp(val, "sometimes") == 0)
			e->sometimes = true;
		else
			return fail(err, where, "occurs: '%s' is not always or sometimes", val);
		return 0;
	}
	return fail(err, where, "unknown key '%s' in [skip] (known: tests, reason, reason_re, why, occurs)",
		    key);
}

int skip_profile_parse(const char *name, const char *text, struct skip_profile **out, char **err)
{
	struct skip_profile *p = xcalloc(1, sizeof(*p));

	p->path = xstrdup(name);
	p->display = xstrdup(name);
	struct skip_entry *cur = NULL;
	int rc = 0;
	long lineno = 0;

	for (const char *s = text; *s && rc == 0;) {
		size_t len = strcspn(s, "\n");
		char *line = xstrndup(s, len);

		s += len + (s[len] ? 1 : 0);
		char *where = xasprintf("%s:%ld", name, ++lineno);
		char *t = str_trim(line);

		if (!*t || *t == '#' || *t == ';') {
			/* comment */
		} else if (*t == '[') {
			if (strcmp(t, "[skip]") != 0)
				rc = fail(err, where,
					  "unknown section %s (a profile has only [skip] entries)", t);
			else if (cur)
				rc = entry_check(cur, err);
			if (rc == 0)
				cur = NULL;
			if (rc == 0) {
				p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
				cur = &p->v[p->n++];
				memset(cur, 0, sizeof(*cur));
				cur->where = xstrdup(where);
			}
		} else {
			char *eq = strchr(t, '=');

			if (!eq) {
				rc = fail(err, where, "expected 'key = value', '[skip]' or a comment");
			} else if (!cur) {
				rc = fail(err, where, "'%s' before the first [skip]", t);
			} else {
				*eq = 0;
				rc = entry_set(cur, str_trim(t), str_trim(eq + 1), where, err);
			}
		}
		free(where);
		free(line);
	}
	if (rc == 0 && cur)
		rc = entry_check(cur, err);
	if (rc == 0 && !p->n)
		rc = fail(err, name,
			  "no [skip] entry (a cell that skips nothing has an empty profile: say so with a comment and leave expected_skips unset, or keep one entry)");
	if (rc != 0) {
		skip_profile_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int skip_profile_load(const char *path, const char *root, struct skip_profile **out, char **err)
{
	char *text = read_file(path, NULL);

	if (!text)
		return fail(err, path, "cannot read the expected-skip profile: %s", strerror(errno));
	size_t rl = root ? strlen(root) : 0;
	const char *display = rl && strncmp(path, root, rl) == 0 && path[rl] == '/' ? path + rl + 1 : path;
	int rc = skip_profile_parse(display, text, out, err);

	free(text);
	if (rc == 0)
		replace_str(&(*out)->path, path);
	return rc;
}

bool skip_entry_matches_test(const struct skip_entry *e, const char *name)
{
	for (size_t i = 0; i < e->tests.n; i++)
		if (fnmatch(e->tests.v[i], name, 0) == 0)
			return true;
	return false;
}

bool skip_entry_matches_reason(const struct skip_entry *e, const char *reason)
{
	const char *r = reason ? reason : "";

	if (e->reason_re)
		return regexec(e->re, r, 0, NULL, 0) == 0;
	return fnmatch(e->reason, r, 0) == 0;
}

/* Whether one of the entry's globs can name a test of the cell's suites (test names are
 * suite.test[.variant]): its part before the first '.' must match a suite's name.
 */
static bool entry_in_scope(const struct skip_entry *e, const struct strvec *suites)
{
	if (!suites)
		return true;
	for (size_t i = 0; i < e->tests.n; i++) {
		const char *g = e->tests.v[i];
		char *head = xstrndup(g, strcspn(g, "."));
		bool any = false;

		for (size_t k = 0; k < suites->n && !any; k++)
			any = fnmatch(head, suites->v[k], 0) == 0;
		/* a glob like "*" covers every suite */
		if (!any && !strchr(g, '.'))
			any = true;
		free(head);
		if (any)
			return true;
	}
	return false;
}

static char *entry_label(const struct skip_entry *e)
{
	char *tests = strvec_join(&e->tests, " ");
	char *l = xasprintf("%s [%s]", e->where, tests);

	free(tests);
	return l;
}

static char *one_line(const char *s)
{
	char *r = xstrdup(s ? s : "");

	for (char *q = r; *q; q++)
		if (*q == '\n' || *q == '\r')
			*q = ' ';
	return r;
}

/* Each skip seen: explained by an entry (its hits counted), else an unexpected skip. */
static void judge_seen_skips(const struct skip_profile *p, const struct skip_seen *seen, size_t n, long *hits,
			     struct skip_verdict *v)
{
	for (size_t i = 0; i < n; i++) {
		if (!seen[i].skipped)
			continue;
		bool explained = false;
		const struct skip_entry *near = NULL; /* an entry for this test that wants another reason */

		for (size_t k = 0; k < p->n; k++) {
			const struct skip_entry *e = &p->v[k];

			if (!skip_entry_matches_test(e, seen[i].name))
				continue;
			if (skip_entry_matches_reason(e, seen[i].reason)) {
				hits[k]++;
				explained = true;
			} else if (!near) {
				near = e;
			}
		}
		if (explained) {
			v->expected++;
			continue;
		}
		v->unexpected++;
		char *r = one_line(seen[i].reason);

		if (near)
			strvec_pushf(&v->lines, "unexpected skip: %s: %s (%s expects %s '%s')", seen[i].name,
				     r, near->where, near->reason_re ? "reason_re" : "reason",
				     near->reason_re ? near->reason_re : near->reason);
		else
			strvec_pushf(&v->lines, "unexpected skip: %s: %s (no entry in %s)", seen[i].name, r,
				     p->display);
		free(r);
	}
}

/* An entry no skip matched: its tests ran (a missing skip, unless sometimes), or it is stale. */
static void judge_unhit_entry(const struct skip_entry *e, const struct skip_seen *seen, size_t n,
			      const struct skip_scope *scope, struct skip_verdict *v)
{
	long ran = 0;
	struct buf which = {0};

	for (size_t i = 0; i < n; i++) {
		if (!skip_entry_matches_test(e, seen[i].name))
			continue;
		if (ran < MAX_LISTED_TESTS) {
			char *r = seen[i].skipped ? one_line(seen[i].reason) : NULL;

			buf_addf(&which, "%s%s %s%s%s%s", ran ? ", " : "", seen[i].name,
				 seen[i].result, r ? " '" : "", r ? r : "", r ? "'" : "");
			free(r);
		}
		ran++;
	}
	if (ran > MAX_LISTED_TESTS)
		buf_addf(&which, " and %ld more", ran - MAX_LISTED_TESTS);
	char *label = entry_label(e);

	if (ran) {
		if (!e->sometimes) {
			v->missing++;
			strvec_pushf(&v->lines, "expected skip did not happen: %s: %s (why: %s)",
				     label, buf_str(&which), e->why);
		}
	} else if (!scope->filtered && scope->complete && entry_in_scope(e, scope->suites)) {
		bool exists = false;

		for (size_t i = 0; scope->known && i < scope->known->n && !exists; i++)
			exists = skip_entry_matches_test(e, scope->known->v[i]);
		if (!exists) {
			v->stale++;
			strvec_pushf(&v->lines, "stale entry: %s matches no test of the cell", label);
		}
	}
	free(label);
	buf_free(&which);
}

void skip_profile_judge(const struct skip_profile *p, const struct skip_seen *seen, size_t n,
			const struct skip_scope *scope, struct skip_verdict *v)
{
	memset(v, 0, sizeof(*v));
	long *hits = xcalloc(p->n + 1, sizeof(*hits));

	judge_seen_skips(p, seen, n, hits, v);
	for (size_t k = 0; k < p->n; k++)
		if (!hits[k])
			judge_unhit_entry(&p->v[k], seen, n, scope, v);
	free(hits);
}

void skip_verdict_free(struct skip_verdict *v)
{
	strvec_free(&v->lines);
	memset(v, 0, sizeof(*v));
}

bool skip_verdict_failed(const struct skip_verdict *v)
{
	return v->unexpected || v->missing || v->stale;
}
