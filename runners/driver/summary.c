// SPDX-License-Identifier: GPL-2.0
/* summary.c: the one-screen summary (stdout and summary.txt). */
#include "report.h"

#include "run.h"

#include <stdlib.h>
#include <string.h>

#define MAX_FAILURES_LISTED 12

/* Copy of s cut to max display columns (bytes; ASCII expected) on one line. */
static char *clip(const char *s, size_t max)
{
	if (!s)
		return xstrdup("");
	size_t n = strcspn(s, "\n");

	if (n <= max)
		return xstrndup(s, n);
	char *r = xstrndup(s, max);

	if (max >= 3)
		memcpy(r + max - 3, "...", 3);
	return r;
}

static const char *id_or(const struct cell *c, const char *k, const char *dflt)
{
	const char *v = kv_get(&c->id, k);

	return str_empty(v) ? dflt : v;
}

/* One line per cell, then the totals. */
static void summary_cells(FILE *f, const struct run *r)
{
	long totals[RES__COUNT] = {0};
	long npass = 0, nfail = 0, nerr = 0;

	fprintf(f, "%-20s %-8s %-22s %-9s %5s %5s %5s %8s  %s\n", "cell", "kind", "kernel", "kvm", "pass", "fail",
		"skip", "wall", "status");
	for (size_t i = 0; i < r->cell_names.n; i++) {
		const struct cell *c = r->cells[i];

		if (!c) {
			fprintf(f, "%-20s (no result: the cell could not be set up)\n", r->cell_names.v[i]);
			nerr++;
			continue;
		}
		for (int k = 0; k < RES__COUNT; k++)
			totals[k] += c->counts[k];
		if (c->status == CELL_PASS)
			npass++;
		else if (c->status == CELL_FAIL)
			nfail++;
		else
			nerr++;
		char *kernel = clip(id_or(c, "kernel_release", id_or(c, "kernel_package_release", "-")), 22);
		char *st = cell_status_text(c);
		char *stc = clip(st, 60);

		fprintf(f, "%-20s %-8s %-22s %-9s %5ld %5ld %5ld %7.1fs  %s\n", c->name,
			id_or(c, "kind", "-"), kernel, id_or(c, "kvm_mode", "-"),
			c->counts[RES_PASS] + c->counts[RES_XFAIL] + c->counts[RES_XPASS], cell_failures(c),
			c->counts[RES_SKIP], c->t_end - c->t_start, stc);
		free(kernel);
		free(st);
		free(stc);
	}
	fprintf(f,
		"totals: %zu cell(s): %ld pass, %ld fail, %ld error; tests: %ld pass, %ld fail, %ld skip (xfail %ld, xpass %ld in pass; timeout %ld, error %ld in fail); %.1f s\n",
		r->cell_names.n, npass, nfail, nerr, totals[RES_PASS] + totals[RES_XFAIL] + totals[RES_XPASS],
		totals[RES_FAIL] + totals[RES_TIMEOUT] + totals[RES_ERROR], totals[RES_SKIP],
		totals[RES_XFAIL], totals[RES_XPASS], totals[RES_TIMEOUT], totals[RES_ERROR],
		r->t_end - r->t_start);
}

/* Expected skips: the verdict per cell, and which cells were not judged. */
static void summary_skips(FILE *f, const struct run *r)
{
	struct strvec unjudged = {0};

	for (size_t i = 0; i < r->cell_names.n; i++) {
		const struct cell *c = r->cells[i];

		if (!c || !c->skips_note)
			continue;
		if (c->skip_profile)
			fprintf(f, "skips %-20s %s\n", c->name, c->skips_note);
		else
			strvec_push(&unjudged, c->name);
	}
	if (unjudged.n) {
		char *names = strvec_join(&unjudged, ", ");

		fprintf(f, "skips not judged: no profile: %s\n", names);
		free(names);
	}
	strvec_free(&unjudged);
}

/* The first failures, one line each. */
static void summary_failures(FILE *f, const struct run *r)
{
	long listed = 0, more = 0;

	for (size_t i = 0; i < r->cell_names.n; i++) {
		const struct cell *c = r->cells[i];

		for (size_t j = 0; c && j < c->nres; j++) {
			const struct test_result *t = &c->res[j];

			if (!result_is_failure(t->res))
				continue;
			if (listed == MAX_FAILURES_LISTED) {
				more++;
				continue;
			}
			if (!listed)
				fprintf(f, "failures:\n");
			listed++;
			char *line = xasprintf("%s %s%s%s%s", c->name, t->name, t->res != RES_FAIL ? " " : "",
					       t->res != RES_FAIL ? result_name(t->res) : "",
					       t->reason ? ": " : "");
			char *why = clip(t->reason, 100);

			fprintf(f, "  %s%s\n", line, why);
			free(line);
			free(why);
		}
	}
	if (more)
		fprintf(f, "  ... and %ld more (results.json)\n", more);
}

/* The benchmark figures the tests printed ("memattr-metric name=N k=v ..."), one line each. */
static void summary_metrics(FILE *f, const struct run *r)
{
	static const char mark[] = "memattr-metric ";
	bool any = false;

	for (size_t i = 0; i < r->cell_names.n; i++) {
		const struct cell *c = r->cells[i];

		for (size_t j = 0; c && j < c->nres; j++) {
			for (const char *p = c->res[j].diag; p && *p;) {
				size_t n = strcspn(p, "\n");

				if (str_starts(p, mark)) {
					if (!any)
						fprintf(f, "metrics:\n");
					any = true;
					fprintf(f, "  %-20s %.*s\n", c->name, (int)(n - strlen(mark)),
						p + strlen(mark));
				}
				p += n + (p[n] == '\n');
			}
		}
	}
}

void summary_write(FILE *f, const struct run *r)
{
	fprintf(f, "memattr run %s on %s (git %s)%s\n", r->id, r->hostname, r->git ? r->git : "unknown",
		r->interrupted ? "  INTERRUPTED" : "");
	summary_cells(f, r);
	summary_skips(f, r);
	summary_failures(f, r);
	summary_metrics(f, r);
	if (matrix_present(r))
		fprintf(f, "memory-type matrix per cell: %s/matrix.txt\n", r->dir ? r->dir : "-");
	char *latest = path_join(r->conf->report_dir, "latest");

	fprintf(f, "reports: %s  (also %s)\n", r->dir ? r->dir : "-", latest);
	free(latest);
	fprintf(f, "result: %s\n", run_exit_status(r) == 0 ? "PASS" : "FAIL");
}
