// SPDX-License-Identifier: GPL-2.0
/* merge.c: report directories merged (see merge.h). */
#include "merge.h"

#include "post.h"
#include "proc.h"
#include "report.h"
#include "results.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* dst.key += src.key for every integer member of src */
static void add_counts(json_t *dst, const json_t *src)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)src, k, v)
		if (json_is_integer(v))
			json_object_set_new(dst, k, json_integer(jint(dst, k, 0) + json_integer_value(v)));
}

/* The cell's files (<cell>.tap, <cell>/) copied from src to outdir. */
static int copy_cell_files(const char *src, const char *cell, const char *outdir, char **err)
{
	char *tap = xasprintf("%s/%s.tap", src, cell), *dir = xasprintf("%s/%s", src, cell);
	char *argv[] = {"cp", "-a", "--", dir, tap, (char *)outdir, NULL};
	int st = 0, rc = 0;

	if (!path_exists(tap))
		argv[4] = NULL; /* a cell that never ran has no TAP */
	if (proc_capture(argv, NULL, 600, NULL, NULL, &st, err) != 0 || proc_rc(st) != 0) {
		if (!*err)
			*err = xasprintf("cannot copy %s's files from %s to %s", cell, src, outdir);
		rc = -1;
	}
	free(tap);
	free(dir);
	return rc;
}

/* One more report directory's cells and tests into m. */
static int merge_one(json_t *m, const json_t *res, const char *src, const char *outdir, char **err)
{
	json_t *c, *t, *run = json_object_get(m, "run");
	const json_t *rrun = json_object_get(res, "run");
	size_t i;

	json_array_foreach(json_object_get(res, "cells"), i, c) {
		if (results_cell(m, jstr(c, "name"))) {
			*err = xasprintf("cell %s is in more than one of the directories merged (again in %s)",
					 jstr(c, "name"), src);
			return -1;
		}
		if (copy_cell_files(src, jstr(c, "name"), outdir, err) != 0)
			return -1;
		json_array_append(json_object_get(m, "cells"), c);
	}
	json_array_foreach(json_object_get(res, "tests"), i, t)
		json_array_append(json_object_get(m, "tests"), t);
	add_counts(json_object_get(run, "totals"), json_object_get(rrun, "totals"));
	json_array_append_new(json_object_get(run, "merged_from"),
			      json_string(jstr(rrun, "id") ? jstr(rrun, "id") : "?"));
	if (jeq(rrun, "status", "fail"))
		json_object_set_new(run, "status", json_string("fail"));
	if (json_is_true(json_object_get(rrun, "interrupted")))
		json_object_set_new(run, "interrupted", json_true());
	return 0;
}

/* The merged document: the first run's description, no cell, no test yet. */
static json_t *merged_base(const json_t *first, const char *id)
{
	json_t *run = json_deep_copy(json_object_get(first, "run"));

	json_object_set_new(run, "id", json_string(id));
	json_object_set_new(run, "status", json_string("pass"));
	json_object_set_new(run, "totals", json_object());
	json_object_set_new(run, "merged_from", json_array());
	return json_pack("{s:s, s:o, s:[], s:[]}", "format", "memattr-results/1", "run", run, "cells", "tests");
}

static void xattr(FILE *f, const char *name, const char *val)
{
	fprintf(f, " %s=\"", name);
	xml_write_escaped(f, val ? val : "", true);
	fputc('"', f);
}

/* "failure", "error", "skipped" or NULL: what a test is in JUnit (a known failure is skipped) */
static const char *junit_kind(const json_t *t)
{
	const char *r = jstr(t, "result");

	if (jeq(json_object_get(t, "known_issue"), "state", "known") || jeq(t, "result", "skip"))
		return "skipped";
	if (jeq(t, "result", "error"))
		return "error";
	if (r && (!strcmp(r, "fail") || !strcmp(r, "timeout")))
		return "failure";
	return NULL;
}

static void junit_case(FILE *f, const json_t *t, const char *classname)
{
	const char *kind = junit_kind(t), *reason = jstr(t, "reason");
	const json_t *ki = json_object_get(t, "known_issue");

	fputs("    <testcase", f);
	xattr(f, "classname", classname);
	xattr(f, "name", jstr(t, "name"));
	if (json_is_integer(json_object_get(t, "duration_ms")))
		fprintf(f, " time=\"%.3f\"", (double)jint(t, "duration_ms", 0) / 1000.0);
	if (!kind) {
		fputs("/>\n", f);
		return;
	}
	fprintf(f, ">\n      <%s", kind);
	if (strcmp(kind, "skipped") != 0)
		xattr(f, "type", jstr(t, "result"));
	if (jeq(ki, "state", "known")) {
		/* as report_junit.c words it */
		const char *link = jstr(ki, "link"), *where = jstr(ki, "where");
		char *msg = xasprintf("KNOWN ISSUE: %s%s%s (%s); failure: %.*s", jstr(ki, "reason"),
				      link ? " " : "", link ? link : "", where ? where : "",
				      reason ? (int)strcspn(reason, "\n") : 0, reason ? reason : "");

		xattr(f, "message", msg);
		free(msg);
	} else {
		xattr(f, "message", reason);
	}
	fputs(">", f);
	xml_write_escaped(f, jstr(t, "diag") ? jstr(t, "diag") : reason ? reason : "", false);
	fprintf(f, "</%s>\n    </testcase>\n", kind);
}

/* One <testsuite> per cell and suite, in the order of the tests. */
static void junit_groups(FILE *f, const json_t *res)
{
	json_t *seen = json_object(), *t, *u;
	size_t i, j;

	json_array_foreach(json_object_get(res, "tests"), i, t) {
		char *g = xasprintf("%s.%s", jstr(t, "cell"), jstr(t, "suite"));

		if (!json_object_get(seen, g)) {
			json_object_set_new(seen, g, json_true());
			fputs("  <testsuite", f);
			xattr(f, "name", g);
			xattr(f, "hostname", jstr(t, "cell"));
			fputs(">\n", f);
			json_array_foreach(json_object_get(res, "tests"), j, u)
				if (jeq(u, "cell", jstr(t, "cell")) && jeq(u, "suite", jstr(t, "suite")))
					junit_case(f, u, g);
			fputs("  </testsuite>\n", f);
		}
		free(g);
	}
	json_decref(seen);
}

static int write_junit(const json_t *res, const char *path, char **err)
{
	char *tmp;
	FILE *f = file_open_replace(path, &tmp, err);

	if (!f)
		return -1;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", f);
	xattr(f, "name", "memattr");
	fputs(">\n", f);
	junit_groups(f, res);
	fputs("</testsuites>\n", f);
	return file_commit_replace(f, tmp, path, err);
}

static int write_summary(const json_t *res, const char *path, char **err)
{
	const json_t *run = json_object_get(res, "run"), *tot = json_object_get(run, "totals"), *c, *src;
	char *tmp;
	FILE *f = file_open_replace(path, &tmp, err);
	size_t i;

	if (!f)
		return -1;
	fprintf(f, "memattr run %s, merged from:", jstr(run, "id"));
	json_array_foreach(json_object_get(run, "merged_from"), i, src)
		fprintf(f, " %s", json_string_value(src));
	fprintf(f, "\n%-20s %-8s %5s %5s %5s  %s\n", "cell", "kind", "pass", "fail", "skip", "status");
	json_array_foreach(json_object_get(res, "cells"), i, c) {
		const json_t *n = json_object_get(c, "counts");

		fprintf(f, "%-20s %-8s %5ld %5ld %5ld  %s\n", jstr(c, "name"),
			jstr(c, "kind") ? jstr(c, "kind") : "-",
			jint(n, "pass", 0) + jint(n, "xfail", 0) + jint(n, "xpass", 0),
			jint(n, "fail", 0) + jint(n, "timeout", 0) + jint(n, "error", 0), jint(n, "skip", 0),
			jstr(c, "status"));
	}
	fprintf(f, "totals: %zu cell(s); tests: %ld pass, %ld fail, %ld skip, %ld known, %ld fixed\nresult: %s\n",
		json_array_size(json_object_get(res, "cells")),
		jint(tot, "pass", 0) + jint(tot, "xfail", 0) + jint(tot, "xpass", 0),
		jint(tot, "fail", 0) + jint(tot, "timeout", 0) + jint(tot, "error", 0), jint(tot, "skip", 0),
		jint(tot, "known", 0), jint(tot, "fixed", 0), jeq(run, "status", "pass") ? "PASS" : "FAIL");
	return file_commit_replace(f, tmp, path, err);
}

int merge_reports(char *const *dirs, int n, const char *outdir, const char *id, const struct known_issues *ki,
		  char **err)
{
	json_t *m = NULL;
	int rc = 0;

	for (int i = 0; rc == 0 && i < n; i++) {
		json_t *res = results_load(dirs[i], err);
		char *src = results_dir_of(dirs[i]);

		if (!res)
			rc = -1;
		if (res && !m)
			m = merged_base(res, id);
		if (res)
			rc = merge_one(m, res, src, outdir, err);
		json_decref(res);
		free(src);
	}
	if (rc == 0 && ki && ki->n)
		post_apply_known(m, ki);
	char *p = path_join(outdir, "results.json"), *j = path_join(outdir, "junit.xml");
	char *s = path_join(outdir, "summary.txt");

	if (rc == 0)
		rc = results_save(m, p, err);
	if (rc == 0)
		rc = write_junit(m, j, err);
	if (rc == 0)
		rc = write_summary(m, s, err);
	free(p);
	free(j);
	free(s);
	json_decref(m);
	return rc;
}
