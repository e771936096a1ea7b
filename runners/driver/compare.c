// SPDX-License-Identifier: GPL-2.0
/* compare.c: a run compared with a baseline (see compare.h).
 *
 * A cell is comparable when its identity fields that say what machine ran (the keys below) are the
 * same in both runs; the kernel and QEMU versions may differ: that is what a comparison is for.
 */
#include "compare.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

static const char *const machine_keys[] = {
	"kind", "arch", "accel", "cpu", "qemu_machine", "machine_options", "iommu", "devices",
	"smp", "memory", "page_size", "kvm_mode",
};

static bool failed(const char *r)
{
	return r && (!strcmp(r, "fail") || !strcmp(r, "timeout") || !strcmp(r, "error") ||
		     !strcmp(r, "xpass"));
}

static bool passed(const char *r)
{
	return r && (!strcmp(r, "pass") || !strcmp(r, "xfail"));
}

static const char *known_state(const json_t *t)
{
	return jstr(json_object_get(t, "known_issue"), "state");
}

/* The fields of the machine identity that differ, as [{key, old, new}] (empty: comparable). */
static json_t *identity_diff(const json_t *oc, const json_t *nc)
{
	json_t *d = json_array();

	for (size_t i = 0; i < ARRAY_SIZE(machine_keys); i++) {
		const char *a = results_id(oc, machine_keys[i]), *b = results_id(nc, machine_keys[i]);

		if (strcmp(a, b) != 0)
			json_array_append_new(d, json_pack("{s:s, s:s, s:s}", "key", machine_keys[i],
							   "old", a, "new", b));
	}
	return d;
}

/* The test named name of cell in res, NULL if none. */
static const json_t *find_test(const json_t *res, const char *cell, const char *name)
{
	size_t i;
	const json_t *t;

	json_array_foreach(json_object_get(res, "tests"), i, t)
		if (jeq(t, "cell", cell) && jeq(t, "name", name))
			return t;
	return NULL;
}

static void change(json_t *cmp, const char *kind, const char *cell, const char *test, const char *o,
		   const char *n, const char *reason)
{
	json_t *c = json_pack("{s:s, s:s, s:s}", "kind", kind, "cell", cell, "test", test);

	json_object_set_new(c, "old", o ? json_string(o) : json_null());
	json_object_set_new(c, "new", n ? json_string(n) : json_null());
	json_object_set_new(c, "reason", reason ? json_string(reason) : json_null());
	json_array_append_new(json_object_get(cmp, "changes"), c);
	json_t *counts = json_object_get(cmp, "counts");

	json_object_set_new(counts, kind, json_integer(jint(counts, kind, 0) + 1));
}

/* What changed for one test present in the new run (o: the old result, NULL if none). */
static void compare_test(json_t *cmp, const char *cell, const json_t *o, const json_t *n)
{
	const char *name = jstr(n, "name"), *nr = jstr(n, "result"), *orr = o ? jstr(o, "result") : NULL;
	const char *known = known_state(n);

	if (!o) {
		change(cmp, failed(nr) && !known ? "new_failure" : "new_test", cell, name, NULL, nr,
		       jstr(n, "reason"));
		if (failed(nr) && !known)
			change(cmp, "new_test", cell, name, NULL, nr, NULL);
	} else if (failed(nr) && !failed(orr)) {
		change(cmp, known && !strcmp(known, "known") ? "known" : "new_failure", cell, name, orr, nr,
		       jstr(n, "reason"));
	} else if (failed(orr) && passed(nr)) {
		change(cmp, "fixed", cell, name, orr, nr, NULL);
	} else if (nr && !strcmp(nr, "skip") && orr && strcmp(orr, "skip") != 0) {
		change(cmp, "new_skip", cell, name, orr, nr, jstr(n, "reason"));
	}
}

static void compare_cell(json_t *cmp, const json_t *old, const json_t *new, const char *cell)
{
	size_t i;
	const json_t *t;

	json_array_foreach(json_object_get(new, "tests"), i, t)
		if (jeq(t, "cell", cell) && jstr(t, "name"))
			compare_test(cmp, cell, find_test(old, cell, jstr(t, "name")), t);
	json_array_foreach(json_object_get(old, "tests"), i, t)
		if (jeq(t, "cell", cell) && jstr(t, "name") && !find_test(new, cell, jstr(t, "name")))
			change(cmp, "vanished", cell, jstr(t, "name"), jstr(t, "result"), NULL, NULL);
}

/* Cells of a that are not in b, by name. */
static json_t *cells_missing(const json_t *a, const json_t *b)
{
	json_t *names = json_array(), *c;
	size_t i;

	json_array_foreach(json_object_get(a, "cells"), i, c)
		if (jstr(c, "name") && !results_cell(b, jstr(c, "name")))
			json_array_append_new(names, json_string(jstr(c, "name")));
	return names;
}

static const char *run_id(const json_t *res)
{
	const char *id = jstr(json_object_get(res, "run"), "id");

	return id ? id : "?";
}

json_t *compare_results(const json_t *old, const json_t *new)
{
	json_t *cmp = json_pack("{s:s, s:s, s:{}, s:[], s:[]}", "old", run_id(old), "new", run_id(new),
				"counts", "not_comparable", "changes");
	json_t *c;
	size_t i;

	json_object_set_new(cmp, "cells_added", cells_missing(new, old));
	json_object_set_new(cmp, "cells_gone", cells_missing(old, new));
	json_array_foreach(json_object_get(new, "cells"), i, c) {
		const char *name = jstr(c, "name");
		const json_t *oc = name ? results_cell(old, name) : NULL;

		if (!oc)
			continue;
		json_t *d = identity_diff(oc, c);

		if (json_array_size(d))
			json_array_append_new(json_object_get(cmp, "not_comparable"),
					      json_pack("{s:s, s:o}", "cell", name, "fields", d));
		else
			compare_cell(cmp, old, new, name);
		if (!json_array_size(d))
			json_decref(d);
	}
	long nf = jint(json_object_get(cmp, "counts"), "new_failure", 0);

	json_object_set_new(cmp, "regression", json_boolean(nf > 0));
	return cmp;
}

int compare_status(const json_t *cmp)
{
	return json_is_true(json_object_get(cmp, "regression")) ? 1 : 0;
}

static void print_change(FILE *f, const json_t *ch)
{
	const char *o = jstr(ch, "old"), *n = jstr(ch, "new"), *why = jstr(ch, "reason");

	fprintf(f, "  %-12s %-20s %s (%s -> %s)%s%.*s\n", jstr(ch, "kind"), jstr(ch, "cell"),
		jstr(ch, "test"), o ? o : "absent", n ? n : "absent", why ? ": " : "",
		why ? (int)strcspn(why, "\n") : 0, why ? why : "");
}

void compare_print(FILE *f, const json_t *cmp)
{
	const json_t *counts = json_object_get(cmp, "counts"), *x, *fl;
	size_t i, j;

	fprintf(f, "compare: baseline %s -> %s\n", jstr(cmp, "old"), jstr(cmp, "new"));
	json_array_foreach(json_object_get(cmp, "not_comparable"), i, x) {
		fprintf(f, "  not comparable: cell %s:", jstr(x, "cell"));
		json_array_foreach(json_object_get(x, "fields"), j, fl)
			fprintf(f, " %s '%s' -> '%s'%s", jstr(fl, "key"), jstr(fl, "old"), jstr(fl, "new"),
				j + 1 < json_array_size(json_object_get(x, "fields")) ? "," : "");
		fputc('\n', f);
	}
	json_array_foreach(json_object_get(cmp, "cells_added"), i, x)
		fprintf(f, "  new cell     %s\n", json_string_value(x));
	json_array_foreach(json_object_get(cmp, "cells_gone"), i, x)
		fprintf(f, "  vanished cell %s\n", json_string_value(x));
	json_array_foreach(json_object_get(cmp, "changes"), i, x)
		print_change(f, x);
	fprintf(f, "compare: %ld new failure(s), %ld fixed, %ld new test(s), %ld vanished, %ld new skip(s), %ld known, %zu cell(s) not comparable: %s\n",
		jint(counts, "new_failure", 0),
		jint(counts, "fixed", 0), jint(counts, "new_test", 0), jint(counts, "vanished", 0),
		jint(counts, "new_skip", 0), jint(counts, "known", 0),
		json_array_size(json_object_get(cmp, "not_comparable")),
		compare_status(cmp) ? "REGRESSION" : "no regression");
}
