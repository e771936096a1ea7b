// SPDX-License-Identifier: GPL-2.0
/* test_skips.c: expected-skip profiles: the parser's errors (FILE:LINE) and the judge's verdicts. */
#include "skip_profile.h"
#include "t.h"

#include <stdlib.h>
#include <string.h>

static void expect_parse_error(const char *text, const char *want, const char *what)
{
	struct skip_profile *p = NULL;
	char *err = NULL;
	int rc = skip_profile_parse("p.skips", text, &p, &err);

	T_INT(rc, -1, "%s: rejected", what);
	T_OK(!p, "%s: no profile", what);
	T_HAS(err, want, "%s: message", what);
	free(err);
	skip_profile_free(p);
}

static void test_parse_errors(void)
{
	expect_parse_error("tests = a\n", "p.skips:1: 'tests = a' before the first [skip]", "key before a section");
	expect_parse_error("[skips]\n", "p.skips:1: unknown section [skips]", "unknown section");
	expect_parse_error("[skip]\ntests = a\nreason = b\n", "p.skips:1: [skip] without 'why = ...'", "no why");
	expect_parse_error("[skip]\ntests = a\nreason = b\nwhy = TODO\n", "p.skips:4: why is still the draft's TODO",
			   "draft why");
	expect_parse_error("[skip]\nreason = b\nwhy = c\n", "p.skips:1: [skip] without 'tests = GLOB'", "no tests");
	expect_parse_error("[skip]\ntests = a\nwhy = c\n[skip]\n", "p.skips:1: [skip] without 'reason = GLOB' or 'reason_re",
			   "no reason (checked when the next entry starts)");
	expect_parse_error("[skip]\ntests = a\nreason = b\nreason_re = c\nwhy = d\n",
			   "p.skips:4: reason_re: the entry has a reason pattern already", "two reasons");
	expect_parse_error("[skip]\ntests = a\nreason_re = a[\nwhy = d\n", "p.skips:3: reason_re: bad regular expression 'a['",
			   "bad regex");
	expect_parse_error("[skip]\ntests = a\nreason = b\nwhy = c\noccurs = often\n",
			   "p.skips:5: occurs: 'often' is not always or sometimes", "bad occurs");
	expect_parse_error("[skip]\ntests = a\nreason = b\nwhy = c\nwhen = x\n", "p.skips:5: unknown key 'when'",
			   "unknown key");
	expect_parse_error("[skip]\ntests =\n", "p.skips:2: tests: empty value", "empty value");
	expect_parse_error("# nothing\n", "p.skips: no [skip] entry", "empty profile");
	expect_parse_error("[skip]\njust text\n", "p.skips:2: expected 'key = value'", "bad line");
}

static void test_judge(void)
{
	const char *text = "# profile\n"
			   "[skip]\ntests = s.lse_* s.other\nreason = no LSE (*)\nwhy = v8.0\n"
			   "[skip]\ntests = s.migrate.*\nreason_re = ^compaction moved none of the [0-9]+ pages\noccurs = sometimes\n"
			   "why = TCG\n"
			   "[skip]\ntests = s.fwb\nreason = no FWB\nwhy = n1\n"
			   "[skip]\ntests = gone.*\nreason = *\nwhy = stale unless out of scope\n"
			   "[skip]\ntests = s.removed\nreason = *\nwhy = stale\n";
	struct skip_profile *p = NULL;
	char *err = NULL;

	if (!T_INT(skip_profile_parse("p.skips", text, &p, &err), 0, "judge: profile parses")) {
		t_diag("%s", err);
		free(err);
		return;
	}
	T_INT((long)p->n, 5, "judge: five entries");
	T_OK(skip_entry_matches_reason(&p->v[0], "no LSE (0x1)") &&
	     !skip_entry_matches_reason(&p->v[0], "no LSE"),
	     "judge: reason glob matches the whole reason");
	T_OK(skip_entry_matches_reason(&p->v[1], "compaction moved none of the 64 pages of anon") &&
	     !skip_entry_matches_reason(&p->v[1], "x compaction moved none of the 64 pages"),
	     "judge: reason_re is searched, anchors work");
	struct skip_seen seen[] = {
		{"s.lse_ldadd", "no LSE (0x11120)", true, "skip"},
		{"s.lse_cas", "no LSE (0x11120)", true, "skip"},
		{"s.migrate.anon", NULL, false, "pass"},       /* sometimes: may pass */
		{"s.fwb", NULL, false, "pass"},                /* always: must skip */
		{"s.surprise", "no /dev/thing", true, "skip"}, /* no entry */
		{"s.other", "wrong reason", true, "skip"},     /* the entry wants another reason */
	};
	struct strvec suites = {0}, known = {0};

	strvec_push(&suites, "s");
	strvec_push(&known, "s.removed.not");
	struct skip_scope scope = {.filtered = false, .complete = true, .suites = &suites, .known = &known};
	struct skip_verdict v;

	skip_profile_judge(p, seen, ARRAY_SIZE(seen), &scope, &v);
	T_INT(v.expected, 2, "judge: two expected skips");
	T_INT(v.unexpected, 2, "judge: two unexpected skips");
	T_INT(v.missing, 1, "judge: one skip did not happen");
	T_INT(v.stale, 1, "judge: one stale entry (the other's suite did not run)");
	char *all = strvec_join(&v.lines, "\n");

	T_HAS(all, "unexpected skip: s.surprise: no /dev/thing (no entry in p.skips)", "judge: unexpected, no entry");
	T_HAS(all, "unexpected skip: s.other: wrong reason (p.skips:2 expects reason 'no LSE (*)')",
	      "judge: unexpected, names the entry that wants another reason");
	T_HAS(all, "expected skip did not happen: p.skips:11 [s.fwb]: s.fwb pass (why: n1)", "judge: missing");
	T_HAS(all, "stale entry: p.skips:19 [s.removed] matches no test of the cell", "judge: stale");
	T_OK(skip_verdict_failed(&v), "judge: failed");
	free(all);
	skip_verdict_free(&v);

	/* under a filter, or in a cell that did not finish, entries that match no test are not judged */
	scope.filtered = true;
	skip_profile_judge(p, seen, ARRAY_SIZE(seen), &scope, &v);
	T_INT(v.stale, 0, "judge: no stale entry under a filter");
	skip_verdict_free(&v);
	scope.filtered = false;
	scope.complete = false;
	skip_profile_judge(p, seen, ARRAY_SIZE(seen), &scope, &v);
	T_INT(v.stale, 0, "judge: no stale entry in an unfinished cell");
	skip_verdict_free(&v);
	/* a listed test that did not run is not stale */
	scope.complete = true;
	strvec_push(&known, "s.removed");
	skip_profile_judge(p, seen, ARRAY_SIZE(seen), &scope, &v);
	T_INT(v.stale, 0, "judge: an entry whose test exists is not stale");
	skip_verdict_free(&v);

	strvec_free(&suites);
	strvec_free(&known);
	skip_profile_free(p);
}

int main(void)
{
	t_start("expected-skip profiles");
	test_parse_errors();
	test_judge();
	return t_done();
}
