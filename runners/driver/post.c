// SPDX-License-Identifier: GPL-2.0
/* post.c: the reports made from results.json (see post.h). */
#include "post.h"

#include "compare.h"
#include "report_html.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static int fail2(char *err)
{
	fprintf(stderr, "%s: %s\n", prog_name, err);
	free(err);
	return 2;
}

static int write_compare_files(const json_t *cmp, const char *dir, char **err)
{
	char *p = path_join(dir, "compare.txt"), *tmp;
	FILE *f = file_open_replace(p, &tmp, err);
	int rc = -1;

	if (f) {
		compare_print(f, cmp);
		rc = file_commit_replace(f, tmp, p, err);
	}
	free(p);
	p = path_join(dir, "compare.json");
	if (rc == 0)
		rc = results_save(cmp, p, err);
	free(p);
	return rc;
}

/* The comparison (printed on stdout) in *cmp: 0 or 1 (regression), 2 on an error. */
static int post_compare(const struct post_opts *o, const json_t *res, const char *dir, json_t **cmp)
{
	char *err = NULL;
	json_t *old = results_load(o->baseline, &err);

	if (!old)
		return fail2(err);
	*cmp = compare_results(old, res);
	json_decref(old);
	compare_print(stdout, *cmp);
	if (o->write_compare && write_compare_files(*cmp, dir, &err) != 0)
		return fail2(err);
	return compare_status(*cmp);
}

static bool failed(const char *r)
{
	return r && (!strcmp(r, "fail") || !strcmp(r, "timeout") || !strcmp(r, "error"));
}

/* counts.known / counts.fixed of obj incremented */
static void bump(json_t *obj, const char *key)
{
	json_t *counts = json_object_get(obj, "counts") ? json_object_get(obj, "counts") :
							  json_object_get(obj, "totals");

	if (counts)
		json_object_set_new(counts, key, json_integer(jint(counts, key, 0) + 1));
}

static void apply_one(json_t *res, json_t *t, const struct known_issues *ki)
{
	json_t *cell = results_cell(res, jstr(t, "cell") ? jstr(t, "cell") : "");
	const char *r = jstr(t, "result"), *krel = results_id(cell, "kernel_release");
	const struct known_issue *k;
	const char *state;

	if (!cell || json_object_get(t, "known_issue"))
		return;
	k = known_issue_match(ki, jstr(t, "name"), jstr(cell, "name"), jstr(cell, "arch"), krel);
	if (k && failed(r))
		state = "known";
	else if (k && r && (!strcmp(r, "pass") || !strcmp(r, "xfail")))
		state = "fixed";
	else
		state = NULL;
	if (!state)
		return;
	json_t *o = json_pack("{s:s, s:s, s:s}", "state", state, "reason", k->reason, "where", k->where);

	json_object_set_new(o, "link", k->link ? json_string(k->link) : json_null());
	json_object_set_new(t, "known_issue", o);
	bump(cell, state);
	bump(json_object_get(res, "run"), state);
}

void post_apply_known(json_t *res, const struct known_issues *ki)
{
	size_t i;
	json_t *t;

	json_array_foreach(json_object_get(res, "tests"), i, t)
		apply_one(res, t, ki);
}

int post_reports(const struct post_opts *o, const char *dir)
{
	char *err = NULL;
	json_t *res = results_load(dir, &err), *cmp = NULL;
	int status = 0;

	if (!res)
		return fail2(err);
	if (o->known && o->known->n)
		post_apply_known(res, o->known);
	if (o->baseline)
		status = post_compare(o, res, dir, &cmp);
	if (status != 2 && o->kcidb && kcidb_write(res, &o->kopts, o->kcidb, &err) != 0)
		status = fail2(err);
	if (status != 2 && o->html && report_html(res, cmp, dir, o->html, &err) != 0)
		status = fail2(err);
	json_decref(cmp);
	json_decref(res);
	return status;
}
