// SPDX-License-Identifier: GPL-2.0
/* test_tap.c: the TAP / KTAP / kselftest line parser and the document summary. */
#include "t.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct res_case {
	const char *line;
	bool ok;
	long number;
	const char *desc;
	enum tap_directive dir;
	const char *text;    /* directive text or NULL */
	const char *comment; /* non-directive comment or NULL */
	enum result res;
};

static const struct res_case cases[] = {
	{"ok 1 memslot.basic", true, 1, "memslot.basic", TAPD_NONE, NULL, NULL, RES_PASS},
	{"not ok 2 memslot.bad", false, 2, "memslot.bad", TAPD_NONE, NULL, NULL, RES_FAIL},
	{"ok 3 a.b # SKIP no FWB on this CPU", true, 3, "a.b", TAPD_SKIP, "no FWB on this CPU", NULL,
	 RES_SKIP},
	{"ok 4 a.c # skip lower case", true, 4, "a.c", TAPD_SKIP, "lower case", NULL, RES_SKIP},
	{"not ok 5 a.d # TIMEOUT 30 seconds", false, 5, "a.d", TAPD_TIMEOUT, "30 seconds", NULL, RES_TIMEOUT},
	{"ok 6 fx.bad.check # XFAIL unknown", true, 6, "fx.bad.check", TAPD_XFAIL, "unknown", NULL,
	 RES_XFAIL},
	{"ok 7 # XPASS b", true, 7, "", TAPD_XPASS, "b", NULL, RES_XPASS},
	{"not ok 8 # error setup", false, 8, "", TAPD_ERROR, "setup", NULL, RES_ERROR},
	{"not ok 9 x # ERROR upper", false, 9, "x", TAPD_ERROR, "upper", NULL, RES_ERROR},
	{"not ok 10 todo.thing # TODO not done", false, 10, "todo.thing", TAPD_TODO, "not done", NULL,
	 RES_XFAIL},
	{"ok 11 - dash style description", true, 11, "dash style description", TAPD_NONE, NULL, NULL,
	 RES_PASS},
	{"not ok 12 selftests: probe: p # exit=1", false, 12, "selftests: probe: p", TAPD_NONE, NULL, "exit=1",
	 RES_FAIL},
	{"ok 13 name with \\# hash", true, 13, "name with # hash", TAPD_NONE, NULL, NULL, RES_PASS},
	{"ok", true, -1, "", TAPD_NONE, NULL, NULL, RES_PASS},
	{"not ok no number here", false, -1, "no number here", TAPD_NONE, NULL, NULL, RES_FAIL},
	{"ok 14 trailing blanks   \r", true, 14, "trailing blanks", TAPD_NONE, NULL, NULL, RES_PASS},
	{"ok 15 a # SKIPPED: prefix match", true, 15, "a", TAPD_SKIP, "prefix match", NULL, RES_SKIP},
	{"not ok 16 a # skip reason", false, 16, "a", TAPD_SKIP, "reason", NULL, RES_SKIP},
	{"ok 17 #  two spaces", true, 17, "", TAPD_NONE, NULL, "two spaces", RES_PASS},
	{"ok 18 12abc", true, 18, "12abc", TAPD_NONE, NULL, NULL, RES_PASS},
};

static void test_results(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct res_case *c = &cases[i];
		struct tap_line l;
		enum tap_kind k = tap_parse_line(c->line, &l);
		bool ok = k == TAP_RESULT && l.ok == c->ok && l.number == c->number &&
			  strcmp(l.desc, c->desc) == 0 && l.directive == c->dir &&
			  ((!c->text && !l.text) || (c->text && l.text && !strcmp(c->text, l.text))) &&
			  ((!c->comment && !l.comment) ||
			   (c->comment && l.comment && !strcmp(c->comment, l.comment))) &&
			  tap_result_of(&l) == c->res;
		if (!T_OK(ok, "result line '%s'", c->line))
			t_diag("kind %d ok %d number %ld desc '%s' dir %d text '%s' comment '%s' res %s",
			       k, l.ok, l.number,
			       l.desc ? l.desc : "(null)", l.directive, l.text ? l.text : "(null)",
			       l.comment ? l.comment : "(null)", result_name(tap_result_of(&l)));
		tap_line_free(&l);
	}
	/* renumbering needs the offset after the number */
	struct tap_line l;
	const char *line = "not ok 12 memslot.x # TIMEOUT 30 seconds";

	tap_parse_line(line, &l);
	T_STR(line + l.rest, " memslot.x # TIMEOUT 30 seconds", "rest of a result line");
	tap_line_free(&l);
	line = "ok memslot.y";
	tap_parse_line(line, &l);
	T_STR(line + l.rest, " memslot.y", "rest of an unnumbered result line");
	tap_line_free(&l);
}

static void test_other_lines(void)
{
	struct tap_line l;

	T_INT(tap_parse_line("TAP version 13", &l), TAP_VERSION, "TAP version 13");
	T_INT(l.version, 13, "version 13");
	tap_line_free(&l);
	T_INT(tap_parse_line("KTAP version 1", &l), TAP_VERSION, "KTAP version 1");
	T_OK(l.ktap && l.version == 1, "ktap 1");
	tap_line_free(&l);
	T_INT(tap_parse_line("TAP version x", &l), TAP_UNKNOWN, "bad version is unknown");
	tap_line_free(&l);
	T_INT(tap_parse_line("1..15", &l), TAP_PLAN, "plan");
	T_INT(l.plan, 15, "plan 15");
	tap_line_free(&l);
	T_INT(tap_parse_line("1..0 # SKIP no /dev/kvm", &l), TAP_PLAN, "skip plan");
	T_OK(l.plan == 0 && l.directive == TAPD_SKIP && l.text && strcmp(l.text, "no /dev/kvm") == 0, "skip plan reason");
	tap_line_free(&l);
	T_INT(tap_parse_line("1..3 # some comment", &l), TAP_PLAN, "plan with comment");
	T_STR(l.text, "some comment", "plan comment kept as text");
	tap_line_free(&l);
	T_INT(tap_parse_line("2..3", &l), TAP_UNKNOWN, "2..3 is not a plan");
	tap_line_free(&l);
	T_INT(tap_parse_line("# duration_ms=12", &l), TAP_DIAG, "diagnostic");
	T_STR(l.text, "duration_ms=12", "diagnostic text");
	tap_line_free(&l);
	T_INT(tap_parse_line("#no space", &l), TAP_DIAG, "diagnostic without a blank");
	T_STR(l.text, "no space", "diagnostic text without a blank");
	tap_line_free(&l);
	T_INT(tap_parse_line("Bail out! no memory", &l), TAP_BAIL, "bail out");
	T_STR(l.text, "no memory", "bail out reason");
	tap_line_free(&l);
	T_INT(tap_parse_line("pragma +strict", &l), TAP_PRAGMA, "pragma");
	tap_line_free(&l);
	T_INT(tap_parse_line("   ", &l), TAP_BLANK, "blank");
	tap_line_free(&l);
	T_INT(tap_parse_line("okay then", &l), TAP_UNKNOWN, "'okay' is not a result");
	tap_line_free(&l);
	T_INT(tap_parse_line("==== Test Assertion Failure ====", &l), TAP_UNKNOWN, "unknown line");
	tap_line_free(&l);
	T_INT(tap_parse_line("  ok 1 sub.test", &l), TAP_RESULT, "indented result");
	T_INT(l.indent, 2, "indent 2");
	tap_line_free(&l);
	T_INT(tap_parse_line("    # Subtest: x", &l), TAP_DIAG, "indented diagnostic");
	T_INT(l.indent, 4, "indent 4");
	tap_line_free(&l);

	struct tap_totals tt;

	T_OK(tap_parse_totals("Totals: pass:2 fail:3 xfail:1 xpass:0 skip:1 error:4", &tt) &&
	     tt.pass == 2 && tt.fail == 3 && tt.xfail == 1 && tt.xpass == 0 && tt.skip == 1 && tt.error == 4,
	     "kselftest totals");
	T_OK(!tap_parse_totals("Totals pass 2", &tt), "not a totals line");
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* The flat TAP the driver writes must read right to a consumer: nested lines are not results. */
static void test_document(void)
{
	char *dir = t_tmpdir("tap");
	char *p = path_join(dir, "a.tap");
	struct t_tap s;

	write_file(p, "TAP version 13\nok 1 a\n# x\nok 2 b # SKIP y\n  ok 1 nested\n1..2\n# Totals: pass:1\n");
	t_tap_read(p, &s);
	T_OK(s.plan == 2 && s.plan_at_end && s.results == 2 && s.in_order, "plan at the end, nested line ignored");
	T_OK(t_tap_passed(&s), "passes");

	write_file(p, "TAP version 13\n1..3\nok 1 a\nnot ok 2 b # TIMEOUT 1 s\nok 3 c\n");
	t_tap_read(p, &s);
	T_OK(s.failures == 1 && !t_tap_passed(&s), "timeout fails");

	write_file(p, "TAP version 13\n1..3\nok 1 a\nok 2 b\n");
	t_tap_read(p, &s);
	T_OK(!t_tap_passed(&s), "missing results fail");

	write_file(p, "TAP version 13\nok 1 a\nok 3 b\n1..2\n");
	t_tap_read(p, &s);
	T_OK(!s.in_order && !t_tap_passed(&s), "numbers out of order fail");

	write_file(p, "TAP version 13\nok 1 a\n");
	t_tap_read(p, &s);
	T_OK(s.plan < 0 && !t_tap_passed(&s), "no plan fails");

	t_sh(NULL, "rm -rf '%s'", dir);
	free(p);
	free(dir);
}

int main(void)
{
	t_start("TAP parser");
	test_results();
	test_other_lines();
	test_document();
	return t_done();
}
