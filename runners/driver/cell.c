// SPDX-License-Identifier: GPL-2.0
/* cell.c: the cell model and its streamed files (see cell.h). */
#include "cell.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DIAG_KEEP_LINES 64
#define DIAG_KEEP_BYTES 16384
#define KNOTES_MAX 50

void (*cell_progress_hook)(const struct cell *c, const char *msg);

void cell_log(const struct cell *c, const char *fmt, ...)
{
	if (!cell_progress_hook)
		return;
	va_list ap;

	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);

	va_end(ap);
	cell_progress_hook(c, m);
	free(m);
}

static void put_line(FILE *f, const char *s)
{
	if (!f)
		return;
	fputs(s, f);
	fputc('\n', f);
	fflush(f);
}

static void put_linef(FILE *f, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void put_linef(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);

	va_end(ap);
	put_line(f, s);
	free(s);
}

struct cell *cell_new(const char *run_dir, const char *name, const char *arch, char **err)
{
	struct cell *c = xcalloc(1, sizeof(*c));

	c->name = xstrdup(name);
	c->arch = xstrdup(arch);
	c->cur = -1;
	c->boot = 1;
	c->want_vm_types = -1;
	c->t_start = mono_now();
	c->dir = path_join(run_dir, name);
	c->combined_path = xasprintf("%s.tap", c->dir);
	if (mkdir_p(c->dir) != 0) {
		*err = xasprintf("cannot create %s: %s", c->dir, strerror(errno));
		cell_free(c);
		return NULL;
	}
	char *p1 = path_join(c->dir, "console.log");
	char *p2 = path_join(c->dir, "identity.txt");

	c->console = fopen(p1, "w");
	c->identity = c->console ? fopen(p2, "w") : NULL;
	c->combined = c->identity ? fopen(c->combined_path, "w") : NULL;
	if (!c->combined) {
		*err = xasprintf("cannot create the files of cell %s in %s: %s", name, c->dir,
				 strerror(errno));
		free(p1);
		free(p2);
		cell_free(c);
		return NULL;
	}
	free(p1);
	free(p2);
	put_line(c->combined, "TAP version 13");
	put_linef(c->combined, "# memattr cell %s (%s)", name, arch);
	return c;
}

static void suite_free(struct suite_run *s)
{
	if (s->tap)
		fclose(s->tap);
	free(s->name);
	free(s->plan_reason);
	free(s->bail);
	free(s->end_note);
	free(s->resume_after);
	strvec_free(&s->diag);
	strvec_free(&s->selection);
}

void cell_free(struct cell *c)
{
	if (!c)
		return;
	if (c->console)
		fclose(c->console);
	if (c->identity)
		fclose(c->identity);
	if (c->combined)
		fclose(c->combined);
	for (size_t i = 0; i < c->nsuites; i++)
		suite_free(&c->suites[i]);
	free(c->suites);
	for (size_t i = 0; i < c->nres; i++) {
		free(c->res[i].suite);
		free(c->res[i].name);
		free(c->res[i].reason);
		free(c->res[i].diag);
	}
	free(c->res);
	kv_free(&c->id);
	strvec_free(&c->knotes);
	strvec_free(&c->notes);
	strvec_free(&c->listed);
	free(c->error);
	free(c->want_kvm_build_id);
	free(c->skips_note);
	free(c->name);
	free(c->arch);
	free(c->dir);
	free(c->combined_path);
	free(c->reason);
	free(c);
}

static struct suite_run *add_suite(struct cell *c, const char *name)
{
	c->suites = xrealloc(c->suites, (c->nsuites + 1) * sizeof(*c->suites));
	struct suite_run *s = &c->suites[c->nsuites++];

	memset(s, 0, sizeof(*s));
	s->name = xstrdup(name);
	s->plan = -1;
	s->rc = -1;
	s->pending_duration = -1;
	s->first_plan = -1;
	return s;
}

void cell_expect_suite(struct cell *c, const char *suite)
{
	for (size_t i = 0; i < c->nsuites; i++)
		if (strcmp(c->suites[i].name, suite) == 0)
			return;
	add_suite(c, suite);
}

void cell_fact(struct cell *c, const char *key, const char *val)
{
	kv_set(&c->id, key, val ? val : "", ID_HOST);
	put_linef(c->identity, "%s=%s", key, val ? val : "");
}

void cell_id(struct cell *c, const char *key, const char *val)
{
	if (c->id_boot && c->id_boot != c->boot)
		return; /* the identity is the first boot's; a reboot's ID lines stay in console.log */
	c->id_boot = c->boot;
	struct kv *e = kv_find(&c->id, key);

	if (e && e->origin == ID_CELL && strcmp(e->val, val) != 0) {
		/* repeated key from the cell (e.g. modules=failed:a, modules=failed:b): keep all values */
		char *joined = xasprintf("%s,%s", e->val, val);

		kv_set(&c->id, key, joined, ID_CELL);
		free(joined);
	} else {
		kv_set(&c->id, key, val, ID_CELL);
	}
	put_linef(c->identity, "%s=%s", key, val);
}

void cell_console_line(struct cell *c, const char *line)
{
	put_line(c->console, line);
}

void cell_kernel_note(struct cell *c, const char *line)
{
	if (c->knotes.n < KNOTES_MAX)
		strvec_push(&c->knotes, line);
}

void cell_note(struct cell *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);

	va_end(ap);
	strvec_push_own(&c->notes, m);
}

void cell_begin(struct cell *c)
{
	if (!c->began) {
		c->began = true;
		c->t_began = mono_now();
	}
	c->boot_began = true;
}

/* ---------------------------------------------------------------- results */

static void count(struct cell *c, struct suite_run *s, enum result r)
{
	c->counts[r]++;
	if (s)
		s->counts[r]++;
}

static struct test_result *new_result(struct cell *c, const char *suite, const char *name, enum result r)
{
	if (c->nres == c->capres) {
		c->capres = c->capres ? c->capres * 2 : 64;
		c->res = xrealloc(c->res, c->capres * sizeof(*c->res));
	}
	struct test_result *t = &c->res[c->nres++];

	memset(t, 0, sizeof(*t));
	t->suite = xstrdup(suite);
	t->name = xstrdup(name);
	t->res = r;
	t->duration_ms = -1;
	t->number = ++c->combined_n;
	return t;
}

/* A result the driver adds: written to the combined TAP and the model. */
static void synthetic(struct cell *c, struct suite_run *s, const char *suite, const char *name, enum result r,
		      const char *reason)
{
	struct test_result *t = new_result(c, suite, name, r);

	t->synthetic = true;
	t->reason = reason ? xstrdup(reason) : NULL;
	count(c, s, r);
	/* a reason of several lines: every line a diagnostic, the result line carries the first */
	bool multi = reason && strchr(reason, '\n');

	if (multi && r != RES_SKIP && r != RES_PASS) {
		for (const char *p = reason; *p;) {
			size_t n = strcspn(p, "\n");

			put_linef(c->combined, "# %.*s", (int)n, p);
			p += n + (p[n] ? 1 : 0);
		}
	}
	/* one line: the reason must not break the TAP line */
	char *flat0 = multi && r != RES_SKIP && r != RES_PASS ? xstrndup(reason, strcspn(reason, "\n"))
							      : xstrdup(reason ? reason : "");
	for (char *p = flat0; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '#')
			*p = *p == '#' ? ' ' : ';';
	/* a failure reason must not read as a SKIP/TODO directive */
	char *flat = (r != RES_SKIP &&
		      (strncasecmp(flat0, "skip", 4) == 0 || strncasecmp(flat0, "todo", 4) == 0)) ?
			     xasprintf("- %s", flat0) :
			     xstrdup(flat0);
	free(flat0);
	switch (r) {
	case RES_SKIP:
		put_linef(c->combined, "ok %ld %s # SKIP %s", t->number, name, flat);
		break;
	case RES_PASS:
		put_linef(c->combined, "ok %ld %s%s%s", t->number, name, *flat ? " # " : "", flat);
		break;
	default:
		if (!multi)
			put_linef(c->combined, "# %s", flat);
		/* an error says so (kselftest's "# ERROR"): TAP consumers count it as the totals do */
		put_linef(c->combined, "not ok %ld %s%s%s%s", t->number, name,
			  *flat || r == RES_ERROR ? " # " : "", r == RES_ERROR ? "ERROR " : "", flat);
		break;
	}
	free(flat);
	if (result_is_failure(r))
		cell_log(c, "not ok %s: %s", name, reason ? reason : "");
}

void cell_result(struct cell *c, const char *what, enum result r, const char *reason)
{
	char *nm = xasprintf("cell.%s.%s", c->name, what);

	synthetic(c, NULL, "cell", nm, r, reason);
	free(nm);
}

void cell_setup_failure(struct cell *c, const char *what, const char *reason)
{
	cell_result(c, what, RES_FAIL, reason);
}

void cell_setup_error(struct cell *c, const char *what, enum result r, const char *reason)
{
	if (c->finished)
		return;
	c->setup_what = what;
	c->setup_res = r;
	cell_finish(c, reason);
}

static char *diag_text(const struct strvec *d)
{
	return d->n ? strvec_join(d, "\n") : NULL;
}

static void diag_push(struct suite_run *s, const char *line)
{
	strvec_push(&s->diag, line);
	size_t bytes = 0;

	for (size_t i = 0; i < s->diag.n; i++)
		bytes += strlen(s->diag.v[i]) + 1;
	while (s->diag.n > 1 && (s->diag.n > DIAG_KEEP_LINES || bytes > DIAG_KEEP_BYTES)) {
		bytes -= strlen(s->diag.v[0]) + 1;
		free(s->diag.v[0]);
		memmove(s->diag.v, s->diag.v + 1, s->diag.n * sizeof(char *)); /* moves the NULL too */
		s->diag.n--;
	}
}

static void suite_result(struct cell *c, struct suite_run *s, const char *line, const struct tap_line *l)
{
	enum result r = tap_result_of(l);
	char *name = *l->desc ? xstrdup(l->desc)
			      : l->number >= 0 ? xasprintf("%s.%ld", s->name, l->number)
					       : xasprintf("%s.%ld", s->name, s->results + 1);
	struct test_result *t = new_result(c, s->name, name, r);

	free(name);
	s->results++;
	count(c, s, r);
	t->duration_ms = s->pending_duration;
	t->diag = diag_text(&s->diag);

	struct buf reason = {0};

	if (l->directive != TAPD_NONE) {
		if (l->directive == TAPD_TIMEOUT)
			buf_addf(&reason, "TIMEOUT %s", l->text ? l->text : "");
		else if (l->directive == TAPD_ERROR || l->directive == TAPD_XPASS ||
			 l->directive == TAPD_TODO)
			buf_addf(&reason, "%s %s", tap_directive_name(l->directive), l->text ? l->text : "");
		else
			buf_adds(&reason, l->text ? l->text : "");
	} else if (l->comment) {
		buf_adds(&reason, l->comment);
	}
	if (result_is_failure(r) && t->diag) {
		if (reason.len)
			buf_addc(&reason, '\n');
		buf_adds(&reason, t->diag);
	}
	char *rs = buf_take(&reason);
	char *trim = str_trim(rs);

	t->reason = *trim ? xstrdup(trim) : NULL;
	free(rs);

	/* combined stream: same line, renumbered */
	put_linef(c->combined, "%s %ld%s", l->ok ? "ok" : "not ok", t->number, line + l->rest);

	strvec_clear(&s->diag);
	s->pending_duration = -1;
	if (result_is_failure(r))
		cell_log(c, "not ok %s%s%s", t->name, l->directive != TAPD_NONE ? " # " : "",
			 tap_directive_name(l->directive));
}

static struct suite_run *current(struct cell *c)
{
	return c->cur >= 0 ? &c->suites[c->cur] : NULL;
}

void cell_suite_begin(struct cell *c, const char *suite)
{
	if (!c->kvm_checked)
		cell_check_kvm(c); /* the ID lines come before the first suite */
	struct suite_run *s = NULL;

	for (size_t i = 0; i < c->nsuites; i++)
		if (strcmp(c->suites[i].name, suite) == 0 &&
		    (c->suites[i].state == SUITE_PENDING || c->suites[i].state == SUITE_RESUME)) {
			s = &c->suites[i];
			break;
		}
	bool again = false;

	if (s && s->state == SUITE_RESUME) {
		/* a new segment after a kernel panic: the suite prints a new plan for the tests left */
		again = true;
		s->base_results = s->results;
		memcpy(s->base_counts, s->counts, sizeof(s->counts));
		if (s->first_plan < 0)
			s->first_plan = s->plan;
		s->plan = -1;
		free(s->plan_reason);
		s->plan_reason = NULL;
		s->bailed = false;
		s->have_totals = false;
		strvec_clear(&s->selection);
		strvec_clear(&s->diag);
	}
	if (!s) {
		for (size_t i = 0; i < c->nsuites; i++)
			if (strcmp(c->suites[i].name, suite) == 0)
				again = true;
		s = add_suite(c, suite);
	}
	c->cur = s - c->suites;
	s->state = SUITE_RUNNING;
	s->segments++;
	if (s->t_begin <= 0)
		s->t_begin = mono_now();
	s->knote_mark = c->knotes.n;
	/* the name comes from the console: its file stays in the cell's directory */
	char *file = xasprintf("%s.tap", suite);

	for (char *f = file; *f; f++)
		if (*f == '/')
			*f = '_';
	char *path = path_join(c->dir, file);

	free(file);
	s->tap = fopen(path, again ? "a" : "w");
	if (!s->tap)
		cell_note(c, "cannot write %s: %s", path, strerror(errno));
	free(path);
	if (s->resume_after) {
		put_linef(s->tap,
			  "# memattr-run: boot %d resumes after %s (a kernel panic ended boot %d in it)",
			  c->boot, s->resume_after, c->boot - 1);
		put_linef(c->combined, "# suite %s (boot %d: the tests after %s)", suite, c->boot,
			  s->resume_after);
		cell_log(c, "suite %s: resumed after %s", suite, s->resume_after);
	} else {
		put_linef(c->combined, "# suite %s", suite);
		cell_log(c, "suite %s", suite);
	}
}

void cell_test_listed(struct cell *c, const char *name)
{
	struct suite_run *s = current(c);

	if (!s) {
		cell_note(c, "TEST %s outside a suite", name);
		return;
	}
	strvec_push(&s->selection, name);
	if (!strvec_has(&c->listed, name))
		strvec_push(&c->listed, name);
}

void cell_suite_line(struct cell *c, const char *line)
{
	struct suite_run *s = current(c);

	if (!s)
		return;
	put_line(s->tap, line);

	struct tap_line l;

	tap_parse_line(line, &l);
	if (l.indent > 0 && l.kind != TAP_BLANK) {
		/* nested subtest output: consumers of the flat stream ignore indented lines */
		put_line(c->combined, line);
		tap_line_free(&l);
		return;
	}
	long v;

	switch (l.kind) {
	case TAP_BLANK:
	case TAP_PRAGMA:
		break;
	case TAP_VERSION:
		if (s->results || s->plan >= 0)
			put_linef(c->combined, "# %s: %s", s->name, line);
		break;
	case TAP_PLAN:
		if (s->plan < 0) {
			s->plan = l.plan;
			if (l.text)
				s->plan_reason = xstrdup(l.text);
		}
		put_linef(c->combined, "# %s: plan %s", s->name, line);
		break;
	case TAP_RESULT:
		suite_result(c, s, line, &l);
		break;
	case TAP_DIAG:
		if (str_starts(l.text, "duration_ms=") && parse_long(l.text + 12, 0, 1L << 40, &v)) {
			s->pending_duration = v;
			put_line(c->combined, line);
		} else if (tap_parse_totals(l.text, &s->totals)) {
			s->have_totals = true;
			put_linef(c->combined, "# %s %s", s->name, l.text);
		} else {
			/* "memattr-progress TEXT": a long test's progress, shown as it comes */
			if (str_starts(l.text, "memattr-progress "))
				cell_log(c, "%s", l.text + strlen("memattr-progress "));
			diag_push(s, l.text);
			put_line(c->combined, line);
		}
		break;
	case TAP_BAIL:
		s->bailed = true;
		replace_str(&s->bail, l.text ? l.text : "");
		diag_push(s, line);
		put_linef(c->combined, "# %s: %s", s->name, line);
		break;
	case TAP_UNKNOWN:
		diag_push(s, line);
		put_linef(c->combined, "# %s", line);
		break;
	}
	tap_line_free(&l);
}

static long suite_failures(const struct suite_run *s)
{
	return s->counts[RES_FAIL] + s->counts[RES_TIMEOUT] + s->counts[RES_ERROR];
}

/* The current segment (the whole suite unless a kernel panic made it resume). */
static long seg_results(const struct suite_run *s)
{
	return s->results - s->base_results;
}

static long seg_count(const struct suite_run *s, enum result r)
{
	return s->counts[r] - s->base_counts[r];
}

static long seg_failures(const struct suite_run *s)
{
	return seg_count(s, RES_FAIL) + seg_count(s, RES_TIMEOUT) + seg_count(s, RES_ERROR);
}

static char *kernel_hint(const struct cell *c, const struct suite_run *s)
{
	if (c->knotes.n > s->knote_mark)
		return xasprintf("; kernel: %s", c->knotes.v[s->knote_mark]);
	return xstrdup("");
}

/* A failing result <suite>.<what> the driver adds about the suite. */
static void suite_fail(struct cell *c, struct suite_run *s, const char *what, const char *why)
{
	char *nm = xasprintf("%s.%s", s->name, what);

	synthetic(c, s, s->name, nm, RES_FAIL, why);
	free(nm);
}

/* A suite that never ran its tests: no binary, killed by a signal, or "1..0" (all skipped).
 * Whether it was one (then nothing else is checked).
 */
static bool suite_checks_early(struct cell *c, struct suite_run *s, const char *hint)
{
	int rc = s->rc;
	char *why;

	if (rc == 127 && seg_results(s) == 0 && s->plan < 0) {
		suite_fail(c, s, "missing", "suite binary not found (rc=127)");
		return true;
	}
	if (rc >= 128) {
		char *sd = signal_desc(rc - 128);

		why = s->plan >= 0 ?
			      xasprintf("crashed: killed by %s (rc=%d) after %ld of %ld planned results%s",
					sd, rc, seg_results(s), s->plan, hint) :
			      xasprintf("crashed: killed by %s (rc=%d) after %ld results%s", sd, rc,
					seg_results(s), hint);
		suite_fail(c, s, "exit", why);
		free(why);
		free(sd);
		return true;
	}
	if (s->plan == 0 && seg_results(s) == 0) {
		/* "1..0 # SKIP reason": the whole suite skipped */
		const char *r = s->plan_reason ? s->plan_reason : "no tests";

		if (rc == 0 || rc == 4) {
			synthetic(c, s, s->name, s->name, RES_SKIP, r);
		} else {
			why = xasprintf("plan 1..0 (%s) but rc=%d%s", r, rc, hint);
			suite_fail(c, s, "exit", why);
			free(why);
		}
		return true;
	}
	return false;
}

/* The plan against the results, and a Bail out!. Whether the stream itself was wrong. */
static bool suite_checks_plan(struct cell *c, struct suite_run *s, const char *hint)
{
	const char *what = NULL;
	char *why = NULL;

	if (s->plan < 0) {
		what = "plan";
		why = xasprintf("no TAP plan (%ld results, rc=%d)%s", seg_results(s), s->rc, hint);
	} else if (seg_results(s) < s->plan) {
		what = "incomplete";
		why = xasprintf("%ld of %ld planned results (rc=%d)%s%s%s", seg_results(s), s->plan, s->rc,
				s->bailed ? "; Bail out! " : "", s->bailed ? s->bail : "", hint);
	} else if (seg_results(s) > s->plan) {
		what = "plan";
		why = xasprintf("%ld results but plan 1..%ld", seg_results(s), s->plan);
	} else if (s->bailed) {
		what = "bailout";
		why = xasprintf("Bail out! %s", s->bail ? s->bail : "");
	}
	if (!why)
		return false;
	suite_fail(c, s, what, why);
	free(why);
	return true;
}

/* Checks done when a suite ended with a status (SUITE-END). */
static void suite_checks(struct cell *c, struct suite_run *s)
{
	char *hint = kernel_hint(c, s), *why = NULL;
	int rc = s->rc;
	long fails = seg_failures(s);
	bool structural;

	if (suite_checks_early(c, s, hint)) {
		free(hint);
		return;
	}
	structural = suite_checks_plan(c, s, hint);
	/* the exit status against the results (kselftest: 0 pass, 1 fail, 4 all skipped) */
	if (rc == 0 && fails > 0)
		why = xasprintf("rc=0 but %ld result(s) failed", fails);
	else if (rc == 1 && fails == 0 && !structural)
		why = xasprintf("rc=1 but no result failed%s", hint);
	else if (rc == 4 && fails == 0 && seg_count(s, RES_PASS) > 0)
		why = xasprintf("rc=4 (all skipped) but %ld result(s) passed", seg_count(s, RES_PASS));
	else if (rc != 0 && rc != 1 && rc != 2 && rc != 3 && rc != 4)
		why = xasprintf("unexpected exit status rc=%d%s", rc, hint);
	if (why) {
		suite_fail(c, s, "exit", why);
		free(why);
	}
	if (s->first_plan >= 0 && s->plan >= 0 && s->results != s->first_plan) {
		why = xasprintf("resumed after a kernel panic: %ld results in all, but the first boot planned 1..%ld (the selection changed between the boots)",
				s->results, s->first_plan);
		suite_fail(c, s, "plan", why);
		free(why);
	}
	free(hint);
}

static void suite_close(struct cell *c, struct suite_run *s)
{
	s->state = SUITE_DONE;
	s->t_end = mono_now();
	if (s->tap) {
		fclose(s->tap);
		s->tap = NULL;
	}
	put_linef(c->combined, "# suite %s: %s, %ld results (pass %ld, fail %ld, skip %ld)", s->name,
		  s->end_note ? "ended abnormally" : "done", s->results, s->counts[RES_PASS],
		  suite_failures(s), s->counts[RES_SKIP]);
	if (c->cur == s - c->suites)
		c->cur = -1;
	cell_log(c, "suite %s: rc=%d, %ld results (pass %ld, fail %ld, skip %ld)", s->name, s->rc, s->results,
		 s->counts[RES_PASS], suite_failures(s), s->counts[RES_SKIP]);
}

/* The running suite ended without a SUITE-END. */
static void suite_abort(struct cell *c, struct suite_run *s, const char *why)
{
	char *hint = kernel_hint(c, s);
	char *text;

	if (s->plan >= 0)
		text = xasprintf("%s (%ld of %ld planned results)%s", why, seg_results(s), s->plan, hint);
	else
		text = xasprintf("%s (%ld results, no plan yet)%s", why, seg_results(s), hint);
	s->end_note = xstrdup(why);
	char *nm = xasprintf("%s.incomplete", s->name);

	synthetic(c, s, s->name, nm, RES_FAIL, text);
	free(nm);
	free(text);
	free(hint);
	suite_close(c, s);
}

void cell_suite_abort(struct cell *c, const char *why)
{
	struct suite_run *s = current(c);

	if (s)
		suite_abort(c, s, why);
}

void cell_suite_end(struct cell *c, const char *suite, int rc)
{
	struct suite_run *s = current(c);

	if (!s) {
		cell_note(c, "SUITE-END %s without SUITE-BEGIN", suite);
		return;
	}
	if (strcmp(s->name, suite) != 0) {
		char *why = xasprintf("output ended with SUITE-END of '%s'", suite);

		suite_abort(c, s, why);
		free(why);
		return;
	}
	s->rc = rc;
	suite_checks(c, s);
	suite_close(c, s);
}

void cell_end(struct cell *c)
{
	if (!c->began) {
		cell_note(c, "CELL-END without CELL-BEGIN");
		cell_begin(c);
	}
	struct suite_run *s = current(c);

	if (s)
		suite_abort(c, s, "no SUITE-END before CELL-END");
	c->ended = true;
}

void cell_kernel_panic(struct cell *c, const char *panic_line, const char *text)
{
	c->panics++;
	struct buf why = {0};

	buf_addf(&why, "kernel panic in boot %d: %s", c->boot, panic_line);
	if (!str_empty(text))
		buf_addf(&why, "\n%s", text);
	struct suite_run *s = current(c);

	if (!s) {
		/* one name per boot: result names stay unique */
		char *what = c->boot > 1 ? xasprintf("panic.boot%d", c->boot) : xstrdup("panic");

		cell_result(c, what, RES_FAIL, buf_str(&why));
		free(what);
		buf_free(&why);
		return;
	}
	long done = seg_results(s);
	const char *crashed = (size_t)done < s->selection.n ? s->selection.v[done] : NULL;

	if (!crashed) {
		/* no list of its tests, or after its last one: the suite cannot be resumed */
		char *nm = xasprintf("%s.panic", s->name);
		char *planned = s->plan >= 0 ? xasprintf(" of %ld planned", s->plan) : xstrdup("");

		buf_addf(&why, "\n(%ld%s results before it; %s)", done, planned,
			 s->selection.n ? "after the suite's last test" : "the running test is unknown: no @@MEMATTR TEST list");
		free(planned);
		synthetic(c, s, s->name, nm, RES_FAIL, buf_str(&why));
		free(nm);
		s->end_note = xasprintf("kernel panic in boot %d", c->boot);
		suite_close(c, s);
		buf_free(&why);
		return;
	}
	char *name = xstrdup(crashed);

	if (s->diag.n) {
		/* what the test printed before the panic goes with it, after the panic line */
		struct buf full = {0};
		size_t first = strcspn(buf_str(&why), "\n");

		buf_add(&full, buf_str(&why), first);
		for (size_t i = 0; i < s->diag.n; i++)
			buf_addf(&full, "\n%s", s->diag.v[i]);
		buf_adds(&full, buf_str(&why) + first);
		buf_free(&why);
		why = full;
		strvec_clear(&s->diag);
	}
	synthetic(c, s, s->name, name, RES_FAIL, buf_str(&why));
	c->res[c->nres - 1].synthetic = false; /* a test of the suite, whose verdict the driver gave */
	s->results++;
	buf_free(&why);
	replace_str(&s->resume_after, name);
	size_t left = s->selection.n - (size_t)done - 1;

	put_linef(s->tap, "# memattr-run: kernel panic in %s (boot %d): %s", name, c->boot, panic_line);
	if (left == 0) {
		put_linef(c->combined, "# suite %s: a kernel panic in its last test", s->name);
		suite_close(c, s);
	} else {
		put_linef(c->combined,
			  "# suite %s: interrupted by a kernel panic in %s; %zu test(s) after it left",
			  s->name, name, left);
		s->state = SUITE_RESUME;
		if (s->tap) {
			fclose(s->tap);
			s->tap = NULL;
		}
		c->cur = -1;
	}
	free(name);
}

size_t cell_remaining(const struct cell *c, struct strvec *suites, char **resume)
{
	*resume = NULL;
	strvec_clear(suites);
	for (size_t i = 0; i < c->nsuites; i++) {
		const struct suite_run *s = &c->suites[i];

		if (s->state == SUITE_RESUME && !*resume) {
			strvec_push(suites, s->name);
			*resume = xasprintf("%s:%s", s->name, s->resume_after);
		} else if (s->state == SUITE_PENDING && !strvec_has(suites, s->name)) {
			strvec_push(suites, s->name);
		}
	}
	return suites->n;
}

void cell_next_boot(struct cell *c, const char *why)
{
	c->boot++;
	c->boot_began = false;
	c->cur = -1;
	put_linef(c->console, "==== memattr-run: boot %d of the cell (boot %d ended in %s) ====", c->boot,
		  c->boot - 1, why);
	put_linef(c->combined, "# boot %d (the previous boot ended in %s)", c->boot, why);
}

/* A cell that never began: one failure for the cell (its setup or boot), the suites are not run. */
static void finish_unbegun(struct cell *c, const char *reason)
{
	bool named = !c->launched && c->setup_what;
	const char *what = c->launched ? "boot" : named ? c->setup_what : "setup";
	char *nm = xasprintf("cell.%s.%s", c->name, what);

	synthetic(c, NULL, "cell", nm, named ? c->setup_res : RES_FAIL, reason);
	free(nm);
	for (size_t i = 0; i < c->nsuites; i++) {
		if (c->suites[i].state == SUITE_PENDING) {
			c->suites[i].state = SUITE_DONE;
			c->suites[i].end_note = xasprintf("not run: %s", reason);
		}
	}
}

/*
 * A cell that began: each suite that did not run (or not to its end) fails as missing/incomplete;
 * a reason no failing result names already fails the cell's end.
 */
static void finish_suites_left(struct cell *c, const char *reason)
{
	bool blamed = false; /* a failing result names the reason already */

	for (size_t i = 0; i < c->nsuites; i++) {
		struct suite_run *s = &c->suites[i];

		if (s->end_note)
			blamed = true;
		if (s->state != SUITE_PENDING && s->state != SUITE_RESUME)
			continue;
		char *nm = xasprintf("%s.%s", s->name,
				     reason || s->state == SUITE_RESUME ? "incomplete" : "missing");
		char *why = s->state == SUITE_RESUME ?
				    xasprintf("the tests after %s not run: cell ended: %s",
					      s->resume_after, reason ? reason : "no boot ran them") :
			    reason ? xasprintf("not run: cell ended: %s", reason) :
				     xstrdup("suite did not run (no SUITE-BEGIN on the console)");
		synthetic(c, s, s->name, nm, RES_FAIL, why);
		s->state = SUITE_DONE;
		s->end_note = xstrdup(why);
		blamed = true;
		free(nm);
		free(why);
	}
	if (reason && !blamed) {
		char *nm = xasprintf("cell.%s.end", c->name);

		synthetic(c, NULL, "cell", nm, RES_FAIL, reason);
		free(nm);
	}
}

/* The combined TAP's plan and totals; the cell's files are closed. */
static void close_cell_files(struct cell *c)
{
	put_linef(c->combined, "1..%ld", c->combined_n);
	put_linef(c->combined, "# Totals: pass:%ld fail:%ld xfail:%ld xpass:%ld skip:%ld error:%ld",
		  c->counts[RES_PASS], c->counts[RES_FAIL] + c->counts[RES_TIMEOUT], c->counts[RES_XFAIL],
		  c->counts[RES_XPASS], c->counts[RES_SKIP], c->counts[RES_ERROR]);
	fclose(c->combined);
	c->combined = NULL;
	fclose(c->console);
	c->console = NULL;
	fclose(c->identity);
	c->identity = NULL;
}

void cell_finish(struct cell *c, const char *reason)
{
	if (c->finished)
		return;
	c->finished = true;
	if (!reason && !c->ended)
		reason = c->began ? "console ended without CELL-END" : "no CELL-BEGIN on the console";
	if (reason)
		c->reason = xstrdup(reason);

	struct suite_run *s = current(c);

	if (s) {
		char *why = xasprintf("cell ended: %s", reason ? reason : "?");

		suite_abort(c, s, why);
		free(why);
	}
	if (!c->began)
		finish_unbegun(c, reason);
	else
		finish_suites_left(c, reason);
	if (c->nres == 0 && !reason) {
		char *nm = xasprintf("cell.%s.results", c->name);

		synthetic(c, NULL, "cell", nm, RES_FAIL, "the cell ran no test");
		free(nm);
	}
	if (c->began && !c->kvm_checked)
		cell_check_kvm(c);
	cell_judge_skips(c);
	close_cell_files(c);

	c->t_end = mono_now();
	c->status = c->reason || c->error ? CELL_ERROR : cell_failures(c) ? CELL_FAIL : CELL_PASS;
}

const char *cell_status_name(enum cell_status s)
{
	return s == CELL_PASS ? "pass" : s == CELL_FAIL ? "fail" : "error";
}

long cell_failures(const struct cell *c)
{
	return c->counts[RES_FAIL] + c->counts[RES_TIMEOUT] + c->counts[RES_ERROR];
}
