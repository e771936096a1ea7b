// SPDX-License-Identifier: GPL-2.0
/* report_junit.c: junit.xml: one <testsuite> per cell and suite, diagnostics printed before a
 * result attached to that result.
 */
#include "report.h"

#include "run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void xml_ascii(FILE *f, unsigned char ch, bool attr)
{
	switch (ch) {
	case '&':
		fputs("&amp;", f);
		break;
	case '<':
		fputs("&lt;", f);
		break;
	case '>':
		fputs("&gt;", f);
		break;
	case '"':
		fputs(attr ? "&quot;" : "\"", f);
		break;
	case '\'':
		fputs(attr ? "&apos;" : "'", f);
		break;
	case '\n':
		fputs(attr ? "&#10;" : "\n", f);
		break;
	case '\r':
		fputs("&#13;", f);
		break;
	case '\t':
		fputs(attr ? "&#9;" : "\t", f);
		break;
	default:
		if (ch < 0x20)
			fputs("\xef\xbf\xbd", f); /* not allowed in XML 1.0 at all */
		else
			fputc(ch, f);
	}
}

/* U+FFFE and U+FFFF are not XML characters */
static bool xml_reject(unsigned int cp)
{
	return cp == 0xfffe || cp == 0xffff;
}

void xml_write_escaped(FILE *f, const char *s, bool attr)
{
	write_utf8_escaped(f, s, xml_ascii, attr, xml_reject, "\xef\xbf\xbd");
}

static void attr(FILE *f, const char *name, const char *val)
{
	fprintf(f, " %s=\"", name);
	xml_write_escaped(f, val, true);
	fputc('"', f);
}

static char *first_line(const char *s)
{
	if (!s)
		return xstrdup("");
	size_t n = strcspn(s, "\n");

	if (n > 200)
		n = 200;
	return xstrndup(s, n);
}

struct group_counts {
	long tests, failures, errors, skipped;
	double time;
	bool have_time;
};

static void group_counts(const struct cell *c, const char *suite, struct group_counts *g)
{
	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < c->nres; i++) {
		const struct test_result *t = &c->res[i];

		if (strcmp(t->suite, suite) != 0)
			continue;
		g->tests++;
		if (t->res == RES_FAIL || t->res == RES_TIMEOUT)
			g->failures++;
		else if (t->res == RES_ERROR)
			g->errors++;
		else if (t->res == RES_SKIP)
			g->skipped++;
		if (t->duration_ms >= 0) {
			g->time += (double)t->duration_ms / 1000.0;
			g->have_time = true;
		}
	}
}

static const struct suite_run *find_suite(const struct cell *c, const char *name)
{
	for (size_t i = 0; i < c->nsuites; i++)
		if (strcmp(c->suites[i].name, name) == 0)
			return &c->suites[i];
	return NULL;
}

static void put_property(FILE *f, const char *name, const char *value)
{
	fputs("      <property", f);
	attr(f, "name", name);
	attr(f, "value", value);
	fputs("/>\n", f);
}

/* The cell's status and identity, the suite's exit status. */
static void write_properties(FILE *f, const struct cell *c, const struct suite_run *s)
{
	fputs("    <properties>\n", f);
	put_property(f, "cell.status", cell_status_name(c->status));
	if (c->reason)
		put_property(f, "cell.reason", c->reason);
	if (s && s->rc >= 0) {
		char rc[16];

		snprintf(rc, sizeof(rc), "%d", s->rc);
		put_property(f, "suite.rc", rc);
	}
	for (size_t i = 0; i < c->id.n; i++) {
		char *pn = xasprintf("identity.%s", c->id.v[i].key);

		put_property(f, pn, c->id.v[i].val);
		free(pn);
	}
	fputs("    </properties>\n", f);
}

static void write_testcase(FILE *f, const struct test_result *tr, const char *classname)
{
	const char *kind = NULL, *type = NULL;

	fputs("    <testcase", f);
	attr(f, "classname", classname);
	attr(f, "name", tr->name);
	if (tr->duration_ms >= 0)
		fprintf(f, " time=\"%.3f\"", (double)tr->duration_ms / 1000.0);
	if (tr->res == RES_FAIL) {
		kind = "failure";
		type = tr->synthetic ? "memattr-run" : "fail";
	} else if (tr->res == RES_TIMEOUT) {
		kind = "failure";
		type = "timeout";
	} else if (tr->res == RES_ERROR) {
		kind = "error";
		type = "error";
	}
	if (tr->res == RES_PASS && !tr->reason) {
		fputs("/>\n", f);
		return;
	}
	fputs(">\n", f);
	if (tr->res == RES_SKIP) {
		fputs("      <skipped", f);
		attr(f, "message", tr->reason ? tr->reason : "");
		fputs("/>\n", f);
	} else if (kind) {
		/* message: the directive text or the first diagnostic line; body: the diagnostics */
		char *msg = first_line(tr->reason);

		fprintf(f, "      <%s", kind);
		attr(f, "type", type);
		attr(f, "message", msg);
		fputs(">", f);
		xml_write_escaped(f, tr->diag ? tr->diag : tr->reason, false);
		fprintf(f, "</%s>\n", kind);
		free(msg);
	} else {
		/* pass with a note, xfail, xpass */
		fputs("      <system-out>", f);
		if (tr->res == RES_XFAIL)
			fputs("XFAIL: ", f);
		else if (tr->res == RES_XPASS)
			fputs("XPASS: ", f);
		xml_write_escaped(f, tr->reason ? tr->reason : "", false);
		fputs("</system-out>\n", f);
	}
	fputs("    </testcase>\n", f);
}

static void write_group(FILE *f, const struct run *r, const struct cell *c, const char *suite)
{
	struct group_counts g;

	group_counts(c, suite, &g);
	if (!g.tests)
		return;
	const struct suite_run *s = find_suite(c, suite);
	double t = g.have_time					  ? g.time :
		   (s && s->t_end > s->t_begin && s->t_begin > 0) ? s->t_end - s->t_begin :
								    0;
	char *name = xasprintf("%s.%s", c->name, suite);

	fputs("  <testsuite", f);
	attr(f, "name", name);
	fprintf(f, " tests=\"%ld\" failures=\"%ld\" errors=\"%ld\" skipped=\"%ld\" time=\"%.3f\"", g.tests,
		g.failures, g.errors, g.skipped, t);
	attr(f, "timestamp", r->timestamp);
	attr(f, "hostname", c->name);
	fputs(">\n", f);
	write_properties(f, c, s);
	for (size_t i = 0; i < c->nres; i++)
		if (strcmp(c->res[i].suite, suite) == 0)
			write_testcase(f, &c->res[i], name);
	fputs("  </testsuite>\n", f);
	free(name);
}

int report_junit(const struct run *r, const char *path, char **err)
{
	char *tmp;
	FILE *f = file_open_replace(path, &tmp, err);

	if (!f)
		return -1;
	long tests = 0, failures = 0, errors = 0, skipped = 0;

	for (size_t i = 0; i < r->cell_names.n; i++) {
		const struct cell *c = r->cells[i];

		if (!c)
			continue;
		tests += (long)c->nres;
		failures += c->counts[RES_FAIL] + c->counts[RES_TIMEOUT];
		errors += c->counts[RES_ERROR];
		skipped += c->counts[RES_SKIP];
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", f);
	attr(f, "name", "memattr");
	fprintf(f, " tests=\"%ld\" failures=\"%ld\" errors=\"%ld\" skipped=\"%ld\" time=\"%.3f\"", tests,
		failures, errors, skipped, r->t_end - r->t_start);
	attr(f, "timestamp", r->timestamp);
	fputs(">\n", f);
	for (size_t i = 0; i < r->cell_names.n; i++) {
		const struct cell *c = r->cells[i];

		if (!c)
			continue;
		/* suites in order, then the cell-level results */
		struct strvec groups = {0};

		for (size_t j = 0; j < c->nsuites; j++)
			if (!strvec_has(&groups, c->suites[j].name))
				strvec_push(&groups, c->suites[j].name);
		for (size_t j = 0; j < c->nres; j++)
			if (!strvec_has(&groups, c->res[j].suite))
				strvec_push(&groups, c->res[j].suite);
		for (size_t j = 0; j < groups.n; j++)
			write_group(f, r, c, groups.v[j]);
		strvec_free(&groups);
	}
	fputs("</testsuites>\n", f);
	return file_commit_replace(f, tmp, path, err);
}
