// SPDX-License-Identifier: GPL-2.0
/* report_json.c: results.json (a small streaming JSON writer and the report layout). */
#include "report.h"

#include "run.h"
#include "skip_profile.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void json_ascii(FILE *f, unsigned char ch, bool unused)
{
	(void)unused;
	switch (ch) {
	case '"':
		fputs("\\\"", f);
		break;
	case '\\':
		fputs("\\\\", f);
		break;
	case '\n':
		fputs("\\n", f);
		break;
	case '\r':
		fputs("\\r", f);
		break;
	case '\t':
		fputs("\\t", f);
		break;
	case '\b':
		fputs("\\b", f);
		break;
	case '\f':
		fputs("\\f", f);
		break;
	default:
		if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
}

void json_write_string(FILE *f, const char *s)
{
	fputc('"', f);
	write_utf8_escaped(f, s, json_ascii, false, NULL, "\\ufffd");
	fputc('"', f);
}

/* ---------------------------------------------------------------- writer */

#define JW_MAX_DEPTH 16

struct jw {
	FILE *f;
	int depth;
	bool first[JW_MAX_DEPTH];
	bool inline_[JW_MAX_DEPTH]; /* container written on one line */
	bool after_key;
};

static void jw_sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0)
		return;
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = false;
	if (w->inline_[w->depth]) {
		if (!w->first[w->depth])
			fputc(' ', w->f);
		return;
	}
	fputc('\n', w->f);
	for (int i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

static void jw_open(struct jw *w, char c, bool inl)
{
	jw_sep(w);
	fputc(c, w->f);
	if (w->depth + 1 < JW_MAX_DEPTH)
		w->depth++;
	w->first[w->depth] = true;
	w->inline_[w->depth] = inl || w->inline_[w->depth - 1];
}

static void jw_close(struct jw *w, char c)
{
	bool empty = w->first[w->depth];
	bool inl = w->inline_[w->depth];

	w->depth--;
	if (!empty && !inl) {
		fputc('\n', w->f);
		for (int i = 0; i < w->depth; i++)
			fputs("  ", w->f);
	}
	fputc(c, w->f);
}

static void jw_key(struct jw *w, const char *k)
{
	jw_sep(w);
	json_write_string(w->f, k);
	fputs(": ", w->f);
	w->after_key = true;
}

static void jw_str(struct jw *w, const char *s)
{
	jw_sep(w);
	if (s)
		json_write_string(w->f, s);
	else
		fputs("null", w->f);
}

static void jw_int(struct jw *w, long v)
{
	jw_sep(w);
	fprintf(w->f, "%ld", v);
}

static void jw_num(struct jw *w, double v)
{
	jw_sep(w);
	if (isfinite(v))
		fprintf(w->f, "%.3f", v);
	else
		fputs("null", w->f);
}

static void jw_bool(struct jw *w, bool v)
{
	jw_sep(w);
	fputs(v ? "true" : "false", w->f);
}

static void jw_null(struct jw *w)
{
	jw_sep(w);
	fputs("null", w->f);
}

static void kv_str(struct jw *w, const char *k, const char *v)
{
	jw_key(w, k);
	jw_str(w, v);
}

static void kv_int(struct jw *w, const char *k, long v)
{
	jw_key(w, k);
	jw_int(w, v);
}

static void strvec_array(struct jw *w, const char *k, const struct strvec *sv)
{
	jw_key(w, k);
	jw_open(w, '[', false);
	for (size_t i = 0; i < sv->n; i++)
		jw_str(w, sv->v[i]);
	jw_close(w, ']');
}

static void counts_obj(struct jw *w, const long *counts)
{
	long total = 0;

	jw_open(w, '{', true);
	for (int i = 0; i < RES__COUNT; i++) {
		kv_int(w, result_name((enum result)i), counts[i]);
		total += counts[i];
	}
	kv_int(w, "total", total);
	jw_close(w, '}');
}

static void write_cell(struct jw *w, const struct run *r, const struct cell *c)
{
	jw_open(w, '{', false);
	kv_str(w, "name", c->name);
	kv_str(w, "kind", kv_get(&c->id, "kind"));
	kv_str(w, "arch", c->arch);
	kv_str(w, "status", cell_status_name(c->status));
	kv_str(w, "reason", c->reason);
	kv_str(w, "error", c->error);
	kv_int(w, "boots", c->boot);
	kv_int(w, "kernel_panics", c->panics);
	kv_str(w, "skip_profile", c->skip_profile ? c->skip_profile->display : NULL);
	kv_str(w, "skips", c->skips_note);
	jw_key(w, "wall_seconds");
	jw_num(w, c->t_end - c->t_start);
	jw_key(w, "boot_seconds");
	if (c->began)
		jw_num(w, c->t_began - c->t_start);
	else
		jw_null(w);
	jw_key(w, "identity");
	jw_open(w, '{', false);
	for (size_t i = 0; i < c->id.n; i++)
		kv_str(w, c->id.v[i].key, c->id.v[i].val);
	jw_close(w, '}');
	jw_key(w, "counts");
	counts_obj(w, c->counts);
	jw_key(w, "suites");
	jw_open(w, '[', false);
	for (size_t i = 0; i < c->nsuites; i++) {
		const struct suite_run *s = &c->suites[i];

		jw_open(w, '{', true);
		kv_str(w, "name", s->name);
		jw_key(w, "rc");
		if (s->rc >= 0)
			jw_int(w, s->rc);
		else
			jw_null(w);
		jw_key(w, "plan"); /* a suite resumed after a kernel panic: the first boot's plan */
		if (s->first_plan >= 0)
			jw_int(w, s->first_plan);
		else if (s->plan >= 0)
			jw_int(w, s->plan);
		else
			jw_null(w);
		kv_int(w, "boots", s->segments);
		kv_str(w, "resumed_after", s->resume_after);
		kv_int(w, "results", s->results);
		jw_key(w, "seconds");
		if (s->t_end > 0 && s->t_begin > 0)
			jw_num(w, s->t_end - s->t_begin);
		else
			jw_null(w);
		kv_str(w, "end", s->end_note);
		jw_key(w, "counts");
		counts_obj(w, s->counts);
		jw_close(w, '}');
	}
	jw_close(w, ']');
	strvec_array(w, "kernel_messages", &c->knotes);
	strvec_array(w, "notes", &c->notes);
	jw_key(w, "files");
	jw_open(w, '{', true);
	char *f1 = xasprintf("%s.tap", c->name);
	char *f2 = xasprintf("%s/console.log", c->name);
	char *f3 = xasprintf("%s/identity.txt", c->name);

	kv_str(w, "tap", f1);
	kv_str(w, "console", f2);
	kv_str(w, "identity", f3);
	free(f1);
	free(f2);
	free(f3);
	jw_close(w, '}');
	jw_close(w, '}');
}

/* The structured records a test printed among its diagnostics ("memtype-row k=v ...", see
 * matrix.c; "memattr-metric name=... k=v ...", a benchmark figure, see make bench): one object
 * each, with every key=value of the line.
 */
static void write_records(struct jw *w, const char *diag)
{
	static const char *const kinds[] = { "memtype-platform ", "memtype-row ", "memtype-cell ",
					     "memattr-metric " };
	bool open = false;

	for (const char *p = diag; p && *p;) {
		size_t n = strcspn(p, "\n");

		for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
			if (!str_starts(p, kinds[k]))
				continue;
			if (!open) {
				jw_key(w, "records");
				jw_open(w, '[', false);
				open = true;
			}
			jw_open(w, '{', true);
			char *kind = xstrndup(p, strlen(kinds[k]) - 1);

			kv_str(w, "record", kind);
			free(kind);
			for (const char *q = p + strlen(kinds[k]); q < p + n;) {
				size_t len = strcspn(q, "\n ");

				if (len > (size_t)(p + n - q))
					len = (size_t)(p + n - q);
				const char *eq = memchr(q, '=', len);

				if (eq) {
					char *key = xstrndup(q, (size_t)(eq - q));
					char *val = xstrndup(eq + 1, (size_t)(q + len - eq - 1));

					kv_str(w, key, val);
					free(key);
					free(val);
				}
				q += len + (len < (size_t)(p + n - q));
			}
			jw_close(w, '}');
		}
		p += n + (p[n] == '\n');
	}
	if (open)
		jw_close(w, ']');
}

static void write_test(struct jw *w, const struct cell *c, const struct test_result *t)
{
	jw_open(w, '{', true);
	kv_str(w, "cell", c->name);
	kv_str(w, "suite", t->suite);
	kv_str(w, "name", t->name);
	kv_str(w, "result", result_name(t->res));
	kv_str(w, "reason", t->reason);
	jw_key(w, "duration_ms");
	if (t->duration_ms >= 0)
		jw_int(w, t->duration_ms);
	else
		jw_null(w);
	kv_int(w, "number", t->number);
	jw_key(w, "synthetic");
	jw_bool(w, t->synthetic);
	write_records(w, t->diag);
	jw_close(w, '}');
}

int report_json(const struct run *r, const char *path, char **err)
{
	char *tmp;
	FILE *f = file_open_replace(path, &tmp, err);

	if (!f)
		return -1;
	const struct config *conf = r->conf;
	struct jw w = {.f = f};
	long totals[RES__COUNT] = {0};

	for (size_t i = 0; i < r->cell_names.n; i++)
		if (r->cells[i])
			for (int k = 0; k < RES__COUNT; k++)
				totals[k] += r->cells[i]->counts[k];

	jw_open(&w, '{', false);
	kv_str(&w, "format", "memattr-results/1");
	jw_key(&w, "run");
	jw_open(&w, '{', false);
	kv_str(&w, "id", r->id);
	kv_str(&w, "timestamp", r->timestamp);
	kv_str(&w, "host", r->hostname);
	kv_str(&w, "host_kernel", r->host.release);
	kv_str(&w, "git_describe", r->git);
	strvec_array(&w, "config_files", &conf->files);
	strvec_array(&w, "command_line", &r->argv);
	jw_key(&w, "suites");
	if (conf->suites.n) {
		jw_open(&w, '[', true);
		for (size_t i = 0; i < conf->suites.n; i++)
			jw_str(&w, conf->suites.v[i]);
		jw_close(&w, ']');
	} else {
		jw_str(&w, "all");
	}
	kv_str(&w, "filter", conf->filter);
	kv_int(&w, "timeout_scale", conf->timeout_scale);
	kv_int(&w, "cell_timeout", conf->cell_timeout);
	kv_int(&w, "jobs", run_jobs(conf));
	kv_str(&w, "kernel_suite", conf->kernel_suite);
	kv_str(&w, "host_cell", host_cell_name(conf->host_cell));
	kv_str(&w, "host_cell_decision", r->host_cell_why);
	jw_key(&w, "wall_seconds");
	jw_num(&w, r->t_end - r->t_start);
	jw_key(&w, "interrupted");
	jw_bool(&w, r->interrupted);
	kv_str(&w, "status", run_exit_status(r) == 0 ? "pass" : "fail");
	jw_key(&w, "totals");
	counts_obj(&w, totals);
	jw_close(&w, '}');

	jw_key(&w, "cells");
	jw_open(&w, '[', false);
	for (size_t i = 0; i < r->cell_names.n; i++)
		if (r->cells[i])
			write_cell(&w, r, r->cells[i]);
	jw_close(&w, ']');

	jw_key(&w, "tests");
	jw_open(&w, '[', false);
	for (size_t i = 0; i < r->cell_names.n; i++) {
		const struct cell *c = r->cells[i];

		for (size_t j = 0; c && j < c->nres; j++)
			write_test(&w, c, &c->res[j]);
	}
	jw_close(&w, ']');
	jw_close(&w, '}');
	fputc('\n', f);
	return file_commit_replace(f, tmp, path, err);
}
