// SPDX-License-Identifier: GPL-2.0
/* report_html.c: report.html (see report_html.h). */
#include "report_html.h"

#include "report.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

static const char *const css[] = {
	"body{font-family:sans-serif;font-size:13px;margin:1em}",
	"table{border-collapse:collapse;margin:.5em 0}",
	"td,th{border:1px solid #bbb;padding:2px 5px;text-align:left;vertical-align:top}",
	"th{background:#eee}td.v{text-align:center}",
	".pass,.xfail{background:#c8f0c8}.fail,.timeout,.error,.xpass{background:#f4b0b0}",
	".skip{background:#f0f0b0}.known{background:#f8d8a0}.fixed{background:#a0d8f8}",
	".none{background:#fff;color:#999}.mismatch{background:#f4b0b0;font-weight:bold}",
	".new_failure{background:#f4b0b0}.vanished,.new_skip{background:#f0f0b0}",
	"code{font-size:12px}pre{white-space:pre-wrap;margin:0}",
};

/* text and attribute values alike: the XML escaper (report_junit.c), whose output HTML reads */
void html_escape(FILE *f, const char *s)
{
	xml_write_escaped(f, s, true);
}

static bool is_failure(const char *r)
{
	return r && (!strcmp(r, "fail") || !strcmp(r, "timeout") || !strcmp(r, "error") ||
		     !strcmp(r, "xpass"));
}

/* The class of a result: its name, or "known"/"fixed" when a known issue says so. */
static const char *verdict_class(const json_t *t)
{
	const char *k = jstr(json_object_get(t, "known_issue"), "state");

	return k ? k : jstr(t, "result");
}

static void write_head(FILE *f, const json_t *res)
{
	const json_t *run = json_object_get(res, "run"), *tot = json_object_get(run, "totals");

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>memattr run ", f);
	html_escape(f, jstr(run, "id"));
	fputs("</title><style>", f);
	for (size_t i = 0; i < ARRAY_SIZE(css); i++)
		fputs(css[i], f);
	fputs("</style></head>\n<body>\n<h1>memattr run ", f);
	html_escape(f, jstr(run, "id"));
	fputs("</h1>\n<p id=\"run\">host ", f);
	html_escape(f, jstr(run, "host"));
	fputs(", git ", f);
	html_escape(f, jstr(run, "git_describe") ? jstr(run, "git_describe") : "-");
	fprintf(f, "; status <b class=\"%s\" id=\"status\">%s</b>; tests: %ld pass, %ld fail, %ld skip, %ld xfail, %ld timeout, %ld error, %ld known, %ld fixed</p>\n",
		jstr(run, "status") && !strcmp(jstr(run, "status"), "pass") ? "pass" : "fail",
		jstr(run, "status") ? jstr(run, "status") : "?", jint(tot, "pass", 0), jint(tot, "fail", 0),
		jint(tot, "skip", 0), jint(tot, "xfail", 0), jint(tot, "timeout", 0), jint(tot, "error", 0),
		jint(tot, "known", 0), jint(tot, "fixed", 0));
}

static void write_compare(FILE *f, const json_t *cmp)
{
	const json_t *ch, *nc;
	size_t i;

	fputs("<h2>Comparison with the baseline</h2>\n<p id=\"compare-summary\">baseline ", f);
	html_escape(f, jstr(cmp, "old"));
	fprintf(f, ": %s</p>\n", json_is_true(json_object_get(cmp, "regression")) ? "REGRESSION" : "no regression");
	json_array_foreach(json_object_get(cmp, "not_comparable"), i, nc) {
		fputs("<p class=\"not-comparable\">cell ", f);
		html_escape(f, jstr(nc, "cell"));
		fputs(" is not comparable: its machine identity differs</p>\n", f);
	}
	fputs("<table id=\"compare\"><tr><th>change</th><th>cell</th><th>test</th><th>baseline</th><th>now</th><th>reason</th></tr>\n",
	      f);
	json_array_foreach(json_object_get(cmp, "changes"), i, ch) {
		fprintf(f, "<tr class=\"%s\"><td>%s</td><td>", jstr(ch, "kind"), jstr(ch, "kind"));
		html_escape(f, jstr(ch, "cell"));
		fputs("</td><td>", f);
		html_escape(f, jstr(ch, "test"));
		fprintf(f, "</td><td>%s</td><td>%s</td><td>", jstr(ch, "old") ? jstr(ch, "old") : "absent",
			jstr(ch, "new") ? jstr(ch, "new") : "absent");
		html_escape(f, jstr(ch, "reason"));
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void write_failures(FILE *f, const json_t *res)
{
	const json_t *t;
	size_t i;

	fputs("<h2>Failures</h2>\n", f);
	fputs("<table id=\"failures\"><tr><th>cell</th><th>test</th><th>result</th><th>reason</th></tr>\n",
	      f);
	json_array_foreach(json_object_get(res, "tests"), i, t) {
		if (!is_failure(jstr(t, "result")))
			continue;
		fprintf(f, "<tr class=\"%s\"><td>", verdict_class(t));
		html_escape(f, jstr(t, "cell"));
		fputs("</td><td>", f);
		html_escape(f, jstr(t, "name"));
		fprintf(f, "</td><td>%s%s</td><td><pre>", jstr(t, "result"),
			json_object_get(t, "known_issue") ? " (known issue)" : "");
		html_escape(f, jstr(t, "diag") ? jstr(t, "diag") : jstr(t, "reason"));
		fputs("</pre></td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* {test name: {cell: test}} in order of first appearance, failing tests first. */
static json_t *grid_of(const json_t *res)
{
	json_t *grid = json_object(), *bad = json_object(), *t;
	size_t i;

	json_array_foreach(json_object_get(res, "tests"), i, t) {
		const char *n = jstr(t, "name"), *c = jstr(t, "cell");

		if (!n || !c)
			continue;
		if (is_failure(jstr(t, "result")) && !json_object_get(bad, n))
			json_object_set_new(bad, n, json_object());
		if (!json_object_get(grid, n))
			json_object_set_new(grid, n, json_object());
	}
	json_object_update_missing(bad, grid);
	json_decref(grid);
	json_array_foreach(json_object_get(res, "tests"), i, t)
		if (jstr(t, "name") && jstr(t, "cell"))
			json_object_set(json_object_get(bad, jstr(t, "name")), jstr(t, "cell"), t);
	return bad;
}

static void write_grid(FILE *f, const json_t *res)
{
	json_t *grid = grid_of(res), *row, *c;
	const char *name;
	size_t i;

	fputs("<h2>Cells &times; tests</h2>\n<table id=\"grid\"><tr><th>test</th>", f);
	json_array_foreach(json_object_get(res, "cells"), i, c) {
		fputs("<th>", f);
		html_escape(f, jstr(c, "name"));
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	json_object_foreach(grid, name, row) {
		fputs("<tr><td>", f);
		html_escape(f, name);
		fputs("</td>", f);
		json_array_foreach(json_object_get(res, "cells"), i, c) {
			const json_t *t = json_object_get(row, jstr(c, "name"));
			const char *v = t ? verdict_class(t) : "none";

			fprintf(f, "<td class=\"v %s\" data-cell=\"", v);
			html_escape(f, jstr(c, "name"));
			fprintf(f, "\">%s</td>", t ? v : "&ndash;");
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
	json_decref(grid);
}

/* {row: {probe: memtype-cell record}} of a cell's tests, and the probes in order */
static json_t *memtype_grid(const json_t *res, const char *cell, json_t *ops)
{
	json_t *grid = json_object(), *t, *rec;
	size_t i, j;

	json_array_foreach(json_object_get(res, "tests"), i, t) {
		if (!jeq(t, "cell", cell))
			continue;
		json_array_foreach(json_object_get(t, "records"), j, rec) {
			const char *row = jstr(rec, "row"), *op = jstr(rec, "op");

			if (!jeq(rec, "record", "memtype-cell") || !row || !op)
				continue;
			if (!json_object_get(grid, row))
				json_object_set_new(grid, row, json_object());
			json_object_set(json_object_get(grid, row), op, rec);
			if (!json_object_get(ops, op))
				json_object_set_new(ops, op, json_true());
		}
	}
	return grid;
}

static void write_memtype_row(FILE *f, const char *row, const json_t *probes, const json_t *ops)
{
	const char *op;
	json_t *v;

	fputs("<tr><td>", f);
	html_escape(f, row);
	fputs("</td>", f);
	json_object_foreach((json_t *)ops, op, v) {
		const json_t *rec = json_object_get(probes, op);

		if (!rec) {
			fputs("<td class=\"none\">&ndash;</td>", f);
			continue;
		}
		fprintf(f, "<td class=\"%s\">", jeq(rec, "verdict", "match") ? "pass" : "mismatch");
		html_escape(f, jstr(rec, "expected"));
		fputs(" / ", f);
		html_escape(f, jstr(rec, "observed"));
		fputs("</td>", f);
	}
	fputs("</tr>\n", f);
}

/* The cell's memory-type matrix: rows x probes, "expected / observed", mismatches marked. */
static void write_memtype(FILE *f, const json_t *res, const char *cell)
{
	json_t *ops = json_object(), *grid = memtype_grid(res, cell, ops), *probes, *v;
	const char *row, *op;

	if (json_object_size(grid)) {
		fputs("<h4>memory-type matrix (expected / observed)</h4>\n", f);
		fputs("<table class=\"memtype\"><tr><th>row</th>", f);
		json_object_foreach(ops, op, v) {
			fputs("<th>", f);
			html_escape(f, op);
			fputs("</th>", f);
		}
		fputs("</tr>\n", f);
		json_object_foreach(grid, row, probes)
			write_memtype_row(f, row, probes, ops);
		fputs("</table>\n", f);
	}
	json_decref(grid);
	json_decref(ops);
}

static void write_link(FILE *f, const char *label, const char *href)
{
	if (!href)
		return;
	fputs(" <a href=\"", f);
	html_escape(f, href);
	fprintf(f, "\">%s</a>", label);
}

static void write_cell(FILE *f, const json_t *res, const json_t *c)
{
	const json_t *files = json_object_get(c, "files"), *v;
	const char *name = jstr(c, "name"), *k;

	fputs("<div class=\"cell\" id=\"cell-", f);
	html_escape(f, name);
	fputs("\"><h3>", f);
	html_escape(f, name);
	fprintf(f, " <span class=\"%s\">%s</span></h3>\n<p>", jstr(c, "status"), jstr(c, "status"));
	html_escape(f, jstr(c, "reason") ? jstr(c, "reason") : "");
	write_link(f, "TAP", jstr(files, "tap"));
	write_link(f, "console log", jstr(files, "console"));
	write_link(f, "identity", jstr(files, "identity"));
	fputs("</p>\n<details><summary>identity</summary><table class=\"identity\">\n", f);
	json_object_foreach(json_object_get(c, "identity"), k, v) {
		fputs("<tr><td>", f);
		html_escape(f, k);
		fputs("</td><td>", f);
		html_escape(f, json_string_value(v));
		fputs("</td></tr>\n", f);
	}
	fputs("</table></details>\n", f);
	write_memtype(f, res, name);
	fputs("</div>\n", f);
}

void html_write(FILE *f, const json_t *res, const json_t *cmp)
{
	const json_t *c;
	size_t i;

	write_head(f, res);
	if (cmp)
		write_compare(f, cmp);
	write_failures(f, res);
	write_grid(f, res);
	fputs("<h2>Cells</h2>\n", f);
	json_array_foreach(json_object_get(res, "cells"), i, c)
		write_cell(f, res, c);
	fputs("</body></html>\n", f);
}

int report_html(const json_t *res, const json_t *cmp, const char *dir, const char *path, char **err)
{
	char *tmp;
	FILE *f = file_open_replace(path, &tmp, err);

	(void)dir;
	if (!f)
		return -1;
	html_write(f, res, cmp);
	return file_commit_replace(f, tmp, path, err);
}
