// SPDX-License-Identifier: GPL-2.0
/* known_issues.c: the known-issues file (see known_issues.h). */
#include "known_issues.h"

#include "util.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#define KI_FIELDS 6

static void issue_free(struct known_issue *k)
{
	free(k->test);
	free(k->cell);
	free(k->arch);
	free(k->krel);
	free(k->reason);
	free(k->link);
	free(k->where);
}

void known_issues_free(struct known_issues *ki)
{
	for (size_t i = 0; i < ki->n; i++)
		issue_free(&ki->v[i]);
	free(ki->v);
	ki->v = NULL;
	ki->n = 0;
}

/* Every sep-separated field of s, empty ones too; trimmed if trim, else only a '\r' cut. */
static void split_all(struct strvec *sv, const char *s, char sep, bool trim)
{
	for (;;) {
		const char *e = strchr(s, sep);
		char *item = e ? xstrndup(s, (size_t)(e - s)) : xstrdup(s);

		size_t n = strlen(item);

		if (!trim && n && item[n - 1] == '\r')
			item[n - 1] = 0;
		strvec_push(sv, trim ? str_trim(item) : item);
		free(item);
		if (!e)
			return;
		s = e + 1;
	}
}

/* One line (already known not to be blank or a comment): 0, or -1 with *err. */
static int parse_line(struct known_issues *ki, char *line, const char *where, char **err)
{
	struct strvec f = {0};

	split_all(&f, line, '\t', true);
	if (f.n != KI_FIELDS || str_empty(f.v[0]) || str_empty(f.v[4])) {
		*err = xasprintf("%s: want %d tab-separated fields (test, cell, arch, kernel release globs, reason, link), got %zu%s",
				 where, KI_FIELDS, f.n,
				 f.n == KI_FIELDS ? " with an empty test glob or reason" : "");
		strvec_free(&f);
		return -1;
	}
	ki->v = xrealloc(ki->v, (ki->n + 1) * sizeof(*ki->v));
	ki->v[ki->n++] = (struct known_issue){
		.test = xstrdup(f.v[0]),
		.cell = xstrdup(str_empty(f.v[1]) ? "*" : f.v[1]),
		.arch = xstrdup(str_empty(f.v[2]) ? "*" : f.v[2]),
		.krel = xstrdup(str_empty(f.v[3]) ? "*" : f.v[3]),
		.reason = xstrdup(f.v[4]),
		.link = str_empty(f.v[5]) || !strcmp(f.v[5], "-") ? NULL : xstrdup(f.v[5]),
		.where = xstrdup(where),
	};
	strvec_free(&f);
	return 0;
}

int known_issues_parse(struct known_issues *ki, const char *text, const char *path, char **err)
{
	struct strvec lines = {0};
	int rc = 0;

	split_all(&lines, text, '\n', false);
	for (size_t i = 0; rc == 0 && i < lines.n; i++) {
		char *l = lines.v[i];

		const char *t = l + strspn(l, " \t");

		if (!*t || *t == '#')
			continue;
		char *where = xasprintf("%s:%zu", path, i + 1);

		rc = parse_line(ki, l, where, err);
		free(where);
	}
	strvec_free(&lines);
	return rc;
}

int known_issues_load(struct known_issues *ki, const char *path, char **err)
{
	size_t len;
	char *text = read_file(path, &len);

	if (!text) {
		*err = xasprintf("%s: cannot read the known-issues file", path);
		return -1;
	}
	int rc = known_issues_parse(ki, text, path, err);

	free(text);
	return rc;
}

static bool glob_ok(const char *glob, const char *s)
{
	if (!strcmp(glob, "*"))
		return true;
	return !str_empty(s) && fnmatch(glob, s, 0) == 0;
}

const struct known_issue *known_issue_match(const struct known_issues *ki, const char *test, const char *cell,
					    const char *arch, const char *krel)
{
	for (size_t i = 0; ki && i < ki->n; i++) {
		const struct known_issue *k = &ki->v[i];

		if (glob_ok(k->test, test) && glob_ok(k->cell, cell) && glob_ok(k->arch, arch) &&
		    glob_ok(k->krel, krel))
			return k;
	}
	return NULL;
}
