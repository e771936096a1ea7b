// SPDX-License-Identifier: GPL-2.0
/*
 * cell_checks.c: a cell judged against its configuration: /dev/kvm and the KVM mode it reports
 * (cell.<cell>.kvm), the KVM modules its kvm_config built (cell.<cell>.kvm_modules: their GNU build
 * ids against the loaded ones) and its KVM_CAP_VM_TYPES (cell.<cell>.kvm_vm_types), each an ERROR;
 * its skips against its expected-skip profile (cell.<cell>.expected_skips, a FAIL).
 */
#include "cell.h"

#include "skip_profile.h"

#include <stdlib.h>
#include <string.h>

/* An ERROR result cell.<cell>.<what>; the first one is the cell's error. Takes why. */
static void check_error(struct cell *c, const char *what, char *why)
{
	cell_log(c, "error: %s", why);
	cell_result(c, what, RES_ERROR, why);
	if (!c->error)
		c->error = why;
	else
		free(why);
}

/* /dev/kvm and the KVM mode (cell.<cell>.kvm): false if they failed. */
static bool check_kvm_mode(struct cell *c)
{
	const char *dev = kv_get(&c->id, "dev_kvm");
	const char *mode = kv_get(&c->id, "kvm_mode");
	const char *want = c->want_kvm_mode;
	char *why = NULL;

	if (!c->need_kvm && !c->want_kvm_mode)
		return true;
	if (c->need_kvm && (!dev || strcmp(dev, "yes") != 0))
		why = xasprintf("/dev/kvm is missing in the cell (dev_kvm=%s, kvm_mode=%s%s%s): a lab cell exists to run KVM",
				dev ? dev : "not reported", mode ? mode : "not reported",
				want ? ", configured kvm_mode = " : "", want ? want : "");
	else if (want && (!mode || strcmp(mode, want) != 0))
		why = xasprintf("KVM mode is %s, but the cell is configured with kvm_mode = %s",
				mode ? mode : "not reported", want);
	if (!why)
		return true;
	check_error(c, "kvm", why);
	return false;
}

/* The KVM modules kvm_config built are the ones the cell loaded (cell.<cell>.kvm_modules). */
static void check_kvm_modules(struct cell *c)
{
	const char *got = kv_get(&c->id, "kvm_build_id");
	const char *mods = kv_get(&c->id, "modules");

	if (!c->want_kvm_build_id || (got && strcmp(got, c->want_kvm_build_id) == 0))
		return;
	check_error(c, "kvm_modules",
		    xasprintf("the cell loaded kvm_build_id=%s (modules=%s), but kvm_config = %s built %s: the rebuilt KVM modules did not take effect",
			      got ? got : "(not reported)", mods ? mods : "(not reported)",
			      c->kvm_config ? c->kvm_config : "?", c->want_kvm_build_id));
}

/*
 * KVM_CAP_VM_TYPES on /dev/kvm (memattr-cellinfo's sys_cap_vm_types) against kvm_vm_types
 * (cell.<cell>.kvm_vm_types).
 */
static void check_vm_types(struct cell *c)
{
	const char *got = kv_get(&c->id, "sys_cap_vm_types");
	const char *kvm = kv_get(&c->id, "kvm");
	long v = -1;
	char *why;

	if (c->want_vm_types < 0)
		return;
	if (got && parse_long(got, 0, 0xffffffffL, &v) && v == c->want_vm_types)
		return;
	if (!got)
		why = xasprintf("KVM_CAP_VM_TYPES was not reported (sys_cap_vm_types missing%s%s), the cell is configured with kvm_vm_types = %#lx",
				kvm ? "; kvm=" : "", kvm ? kvm : "", c->want_vm_types);
	else if (v < 0)
		why = xasprintf("KVM_CAP_VM_TYPES could not be read (sys_cap_vm_types=%s), the cell is configured with kvm_vm_types = %#lx",
				got, c->want_vm_types);
	else
		why = xasprintf("KVM_CAP_VM_TYPES is %#lx, but the cell is configured with kvm_vm_types = %#lx%s%s%s",
				v, c->want_vm_types, c->kvm_config ? " (kvm_config = " : "",
				c->kvm_config ? c->kvm_config : "", c->kvm_config ? ")" : "");
	check_error(c, "kvm_vm_types", why);
}

void cell_check_kvm(struct cell *c)
{
	if (c->kvm_checked)
		return;
	c->kvm_checked = true;
	bool kvm_ok = check_kvm_mode(c);

	check_kvm_modules(c);
	if (kvm_ok)
		check_vm_types(c);
}

/* Every suite ran to its end (so a test that did not run does not exist). */
static bool suites_complete(const struct cell *c)
{
	if (c->reason)
		return false;
	for (size_t i = 0; i < c->nsuites; i++) {
		const struct suite_run *s = &c->suites[i];

		if (s->state != SUITE_DONE || s->end_note || s->rc < 0 || s->rc >= 128 || s->plan < 0 ||
		    s->results - s->base_results < s->plan)
			return false;
	}
	return true;
}

void cell_judge_skips(struct cell *c)
{
	const struct skip_profile *p = c->skip_profile;

	if (!p) {
		replace_str(&c->skips_note, "skips not judged: no profile");
		return;
	}
	struct skip_seen *seen = xcalloc(c->nres + 1, sizeof(*seen));

	for (size_t i = 0; i < c->nres; i++) {
		const struct test_result *t = &c->res[i];

		seen[i] = (struct skip_seen){t->name, t->reason, t->res == RES_SKIP, result_name(t->res)};
	}
	struct strvec suites = {0};

	for (size_t i = 0; i < c->nsuites; i++)
		strvec_push(&suites, c->suites[i].name);
	struct skip_scope scope = { .filtered = c->filtered,
				    .complete = suites_complete(c),
				    .suites = &suites,
				    .known = &c->listed };
	struct skip_verdict v;

	skip_profile_judge(p, seen, c->nres, &scope, &v);
	free(seen);
	strvec_free(&suites);
	if (!skip_verdict_failed(&v)) {
		free(c->skips_note);
		c->skips_note = xasprintf("%ld skip(s), all expected (%s)", v.expected, p->display);
		skip_verdict_free(&v);
		return;
	}
	struct buf b = {0};

	buf_addf(&b, "skips differ from %s:", p->display);
	if (v.unexpected)
		buf_addf(&b, " %ld unexpected skip(s)", v.unexpected);
	if (v.missing)
		buf_addf(&b, "%s %ld expected skip(s) did not happen", v.unexpected ? "," : "", v.missing);
	if (v.stale)
		buf_addf(&b, "%s %ld stale entr%s", v.unexpected || v.missing ? "," : "", v.stale,
			 v.stale == 1 ? "y" : "ies");
	free(c->skips_note);
	c->skips_note = xasprintf("FAIL: %s", buf_str(&b));
	for (size_t i = 0; i < v.lines.n; i++)
		buf_addf(&b, "\n%s", v.lines.v[i]);
	cell_result(c, "expected_skips", RES_FAIL, buf_str(&b));
	buf_free(&b);
	skip_verdict_free(&v);
}

char *cell_status_text(const struct cell *c)
{
	struct buf b = {0};

	buf_adds(&b, cell_status_name(c->status));
	const char *why = c->reason ? c->reason : c->error;

	if (why)
		buf_addf(&b, ": %s", why);
	if (c->panics)
		buf_addf(&b, "%s%ld kernel panic(s), %d boot(s)", why ? "; " : ": ", c->panics, c->boot);
	return buf_take(&b);
}
