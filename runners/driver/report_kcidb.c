// SPDX-License-Identifier: GPL-2.0
/* report_kcidb.c: KCIDB v5.3 from results.json (see report_kcidb.h).
 *
 * One test object per memattr result, path memattr.<suite>.<test>..., and one MISS test for each
 * test a suite listed but never reported (its cell ended first). Status: pass and xfail PASS, fail,
 * xpass and timeout FAIL, skip SKIP, error ERROR; the result the driver makes for a suite that did
 * not run or was cut short (<suite>.missing, .incomplete) MISS, for a cell that could not boot, be
 * set up or end (cell.<cell>.boot, .setup, .end) ERROR.
 */
#include "report_kcidb.h"

#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

bool kcidb_origin_ok(const char *s)
{
	if (str_empty(s))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

bool kcidb_id_ok(const char *s)
{
	const char *colon = s ? strchr(s, ':') : NULL;

	if (!colon || colon == s)
		return false;
	char *origin = xstrndup(s, (size_t)(colon - s));
	bool ok = kcidb_origin_ok(origin);

	free(origin);
	return ok;
}

static bool path_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-';
}

char *kcidb_path(const char *name)
{
	struct buf b = {0};
	bool part_empty = true;

	buf_adds(&b, "memattr");
	for (const char *p = name; *p; p++) {
		if (*p == '.') {
			part_empty = true;
			continue;
		}
		if (part_empty)
			buf_addc(&b, '.');
		part_empty = false;
		buf_addc(&b, path_char(*p) ? *p : '_');
	}
	return buf_take(&b);
}

/* "<origin>:<parts>" with the characters KCIDB ids are safe with */
static char *make_id(const char *origin, const char *fmt, const char *a, const char *b)
{
	char *tail = xasprintf(fmt, a, b);

	for (char *p = tail; *p; p++)
		if (!path_char(*p) && *p != '.' && *p != ':')
			*p = '_';
	char *id = xasprintf("%s:%s", origin, tail);

	free(tail);
	return id;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A result the driver made for tests that did not run: a suite missing or cut short (MISS), the
 * cell's boot, setup or end (ERROR); NULL for any other result.
 */
static const char *harness_status(const json_t *t)
{
	const char *name = jstr(t, "name");

	if (!json_is_true(json_object_get(t, "synthetic")) || !name)
		return NULL;
	if (ends_with(name, ".missing") || ends_with(name, ".incomplete"))
		return "MISS";
	if (str_starts(name, "cell.") &&
	    (ends_with(name, ".boot") || ends_with(name, ".setup") || ends_with(name, ".end")))
		return "ERROR";
	return NULL;
}

static const char *status_of(const json_t *t)
{
	const char *r = jstr(t, "result"), *h = harness_status(t);

	if (h)
		return h;
	if (!r || !strcmp(r, "error"))
		return "ERROR";
	if (!strcmp(r, "pass") || !strcmp(r, "xfail"))
		return "PASS";
	if (!strcmp(r, "skip"))
		return "SKIP";
	return "FAIL"; /* fail, xpass, timeout */
}

/* The cell identity fields a dashboard filters on, plus where the rest is. */
static json_t *environment_of(const json_t *cell)
{
	static const char *const keys[] = {
		"kind", "arch", "accel", "cpu", "qemu_machine", "machine_options", "iommu", "devices",
		"qemu_version", "smp", "memory", "kvm_mode", "page_size", "kernel_release", "kernel_package",
		"machine",
	};
	const char *name = jstr(cell, "name");
	json_t *misc = json_object();

	json_object_set_new(misc, "cell", json_string(name ? name : ""));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const char *v = jstr(json_object_get(cell, "identity"), keys[i]);

		if (v)
			json_object_set_new(misc, keys[i], json_string(v));
	}
	const char *idf = jstr(json_object_get(cell, "files"), "identity");

	if (idf)
		json_object_set_new(misc, "identity_file", json_string(idf));
	char *comment = xasprintf("memattr cell %s: %s %s, cpu %s, kvm %s, kernel %s", name ? name : "?",
				  results_id(cell, "kind"), results_id(cell, "arch"), results_id(cell, "cpu"),
				  results_id(cell, "kvm_mode"), results_id(cell, "kernel_release"));

	json_t *env = json_pack("{s:s, s:o}", "comment", comment, "misc", misc);

	free(comment);
	return env;
}

/* At most KCIDB_LOG_EXCERPT_MAX bytes (so as many characters at most), cut on a UTF-8 boundary;
 * the end of a long log is kept, where the failure is.
 */
static json_t *excerpt_of(const char *text)
{
	size_t n = strlen(text);
	const char *p = text;

	if (n > KCIDB_LOG_EXCERPT_MAX) {
		p = text + n - KCIDB_LOG_EXCERPT_MAX;
		while (((unsigned char)*p & 0xc0) == 0x80)
			p++;
	}
	json_t *v = json_string(p);

	return v ? v : json_string("(log excerpt not valid UTF-8)");
}

static void add_file(json_t *files, const char *name, const char *rel, const struct kcidb_opts *o)
{
	char *url = o->url_base ? xasprintf("%s/%s", o->url_base, rel) : xstrdup(rel);

	json_array_append_new(files, json_pack("{s:s, s:s}", "name", name, "url", url));
	free(url);
}

static json_t *output_files(const json_t *cell, const char *suite, const struct kcidb_opts *o)
{
	const json_t *files = json_object_get(cell, "files");
	const char *cname = jstr(cell, "name");
	json_t *a = json_array();

	if (jstr(files, "tap"))
		add_file(a, "cell.tap", jstr(files, "tap"), o);
	if (jstr(files, "console"))
		add_file(a, "console.log", jstr(files, "console"), o);
	if (suite && cname && strcmp(suite, "cell") != 0) {
		char *rel = xasprintf("%s/%s.tap", cname, suite);
		char *nm = xasprintf("%s.tap", suite);

		add_file(a, nm, rel, o);
		free(rel);
		free(nm);
	}
	return a;
}

static char *build_id_of(const json_t *res, const json_t *cell, const struct kcidb_opts *o)
{
	const char *run = jstr(json_object_get(res, "run"), "id");

	if (o->build_id)
		return xstrdup(o->build_id);
	return make_id(o->origin, "memattr-%s-%s", run ? run : "run", results_id(cell, "kernel_release"));
}

static json_t *test_misc(const json_t *t)
{
	json_t *misc = json_object();
	const char *keys[] = { "cell", "suite", "result", "reason" };

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (jstr(t, keys[i]))
			json_object_set_new(misc, keys[i], json_string(jstr(t, keys[i])));
	if (json_is_true(json_object_get(t, "synthetic")))
		json_object_set_new(misc, "synthetic", json_true());
	if (json_object_get(t, "known_issue"))
		json_object_set(misc, "known_issue", json_object_get(t, "known_issue"));
	return misc;
}

static json_t *test_obj(const json_t *res, const json_t *cell, const json_t *t, const struct kcidb_opts *o)
{
	const char *run = jstr(json_object_get(res, "run"), "id");
	const char *name = jstr(t, "name"), *cname = jstr(cell, "name");
	char *num = xasprintf("%ld", jint(t, "number", 0));
	char *tid = make_id(o->origin, "memattr-%s.%s", run ? run : "run", cname);
	char *id = xasprintf("%s.%s", tid, num);
	char *path = kcidb_path(name ? name : "unnamed");
	char *bid = build_id_of(res, cell, o);
	json_t *obj = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id, "build_id", bid, "origin", o->origin,
				"path", path, "status", status_of(t));
	const json_t *dur = json_object_get(t, "duration_ms");
	const char *log = jstr(t, "diag") ? jstr(t, "diag") : jstr(t, "reason");

	if (json_is_integer(dur))
		json_object_set_new(obj, "duration", json_real((double)json_integer_value(dur) / 1000.0));
	if (log && *log)
		json_object_set_new(obj, "log_excerpt", excerpt_of(log));
	if (jstr(json_object_get(cell, "files"), "console")) {
		json_t *files = output_files(cell, NULL, o);

		json_object_set(obj, "log_url", json_object_get(json_array_get(files, 1), "url"));
		json_decref(files);
	}
	json_object_set_new(obj, "environment", environment_of(cell));
	json_object_set_new(obj, "output_files", output_files(cell, jstr(t, "suite"), o));
	json_object_set_new(obj, "misc", test_misc(t));
	free(num);
	free(tid);
	free(id);
	free(path);
	free(bid);
	return obj;
}

/* The tests a suite listed that have no result: MISS, the cell's reason in misc. */
static void add_missed(json_t *tests, const json_t *res, const json_t *cell, const struct kcidb_opts *o)
{
	size_t i;
	json_t *n;
	long k = 0;

	json_array_foreach(json_object_get(cell, "not_run"), i, n) {
		json_t *t = json_pack("{s:s, s:s, s:s, s:I}", "cell", jstr(cell, "name"), "result", "miss",
				      "name", json_string_value(n), "number", (json_int_t)(100000 + k++));
		json_t *obj = test_obj(res, cell, t, o);

		json_object_set_new(obj, "status", json_string("MISS"));
		if (jstr(cell, "reason"))
			json_object_set_new(json_object_get(obj, "misc"), "reason",
					    json_string(jstr(cell, "reason")));
		json_array_append_new(tests, obj);
		json_decref(t);
	}
}

static json_t *tests_of(const json_t *res, const struct kcidb_opts *o)
{
	json_t *tests = json_array(), *t, *c;
	size_t i;

	json_array_foreach(json_object_get(res, "tests"), i, t) {
		const json_t *cell = results_cell(res, jstr(t, "cell") ? jstr(t, "cell") : "");

		if (cell)
			json_array_append_new(tests, test_obj(res, cell, t, o));
	}
	json_array_foreach(json_object_get(res, "cells"), i, c)
		add_missed(tests, res, c, o);
	return tests;
}

static json_t *build_obj(const char *bid, const char *cid, const json_t *cell, const struct kcidb_opts *o)
{
	json_t *b = json_pack("{s:s, s:s, s:s, s:s}", "id", bid, "origin", o->origin, "checkout_id", cid,
			      "architecture", results_id(cell, "arch"));

	json_t *misc = json_pack("{s:s, s:s}", "kernel_release", results_id(cell, "kernel_release"),
				 "kernel_package", results_id(cell, "kernel_package"));

	json_object_set_new(b, "misc", misc);
	return b;
}

/* Without --kcidb-build-id: one checkout for the run (unless given), one build per kernel. */
static void add_builds(json_t *doc, const json_t *res, const struct kcidb_opts *o)
{
	const json_t *run = json_object_get(res, "run");
	const char *rid = jstr(run, "id") ? jstr(run, "id") : "run";
	char *cid = o->checkout_id ? xstrdup(o->checkout_id) : make_id(o->origin, "memattr-%s%s", rid, "");
	json_t *builds = json_array(), *c;
	size_t i;

	if (!o->checkout_id) {
		json_t *co = json_pack("{s:s, s:s}", "id", cid, "origin", o->origin);

		if (jstr(run, "git_describe"))
			json_object_set_new(co, "misc",
					    json_pack("{s:s}", "memattr_git", jstr(run, "git_describe")));
		json_object_set_new(doc, "checkouts", json_pack("[o]", co));
	}
	json_array_foreach(json_object_get(res, "cells"), i, c) {
		char *bid = build_id_of(res, c, o);
		bool seen = false;
		size_t j;
		json_t *b;

		json_array_foreach(builds, j, b)
			seen = seen || strcmp(jstr(b, "id"), bid) == 0;
		if (!seen)
			json_array_append_new(builds, build_obj(bid, cid, c, o));
		free(bid);
	}
	json_object_set_new(doc, "builds", builds);
	free(cid);
}

json_t *kcidb_doc(const json_t *res, const struct kcidb_opts *o)
{
	json_t *doc = json_pack("{s:{s:i, s:i}}", "version", "major", 5, "minor", 3);

	if (!o->build_id)
		add_builds(doc, res, o);
	json_object_set_new(doc, "tests", tests_of(res, o));
	return doc;
}

int kcidb_write(const json_t *res, const struct kcidb_opts *o, const char *path, char **err)
{
	json_t *doc = kcidb_doc(res, o);
	char *tmp;
	FILE *f = file_open_replace(path, &tmp, err);

	if (!f) {
		json_decref(doc);
		return -1;
	}
	json_dumpf(doc, f, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	json_decref(doc);
	return file_commit_replace(f, tmp, path, err);
}
