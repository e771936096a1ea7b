// SPDX-License-Identifier: GPL-2.0
/* report.c: every report file of a finished run (see report.h). */
#include "report.h"

#include "run.h"

#include <stdlib.h>

/* <run>/<name> from a text writer */
static int write_text_report(const struct run *r, const char *name,
			     void (*writer)(FILE *, const struct run *), char **err)
{
	char *p = path_join(r->dir, name), *tmp;
	FILE *f = file_open_replace(p, &tmp, err);
	int rc = -1;

	if (f) {
		writer(f, r);
		rc = file_commit_replace(f, tmp, p, err);
	}
	free(p);
	return rc;
}

int report_write_all(const struct run *r, char **err)
{
	int rc = 0;
	char *p = path_join(r->dir, "results.json");

	if (report_json(r, p, err) != 0)
		rc = -1;
	free(p);
	p = path_join(r->dir, "junit.xml");
	if (rc == 0 && report_junit(r, p, err) != 0)
		rc = -1;
	free(p);
	/* the text reports are written even if a structured one failed; the first error is kept */
	char *later = NULL;

	if (write_text_report(r, "summary.txt", summary_write, rc ? &later : err) != 0)
		rc = -1;
	if (matrix_present(r) && write_text_report(r, "matrix.txt", matrix_write, rc ? &later : err) != 0)
		rc = -1;
	free(later);
	return rc;
}
