// SPDX-License-Identifier: GPL-2.0
/* test_console.c: the console state machine and the cell's streamed files, fed recorded consoles:
 * kernel noise, escape junk, a panic in the middle, a missing SUITE-END, a crash, a timeout-like
 * truncation, a cell that never boots.
 */
#include "cell.h"
#include "console.h"
#include "t.h"

#include <stdlib.h>
#include <string.h>

static char *rundir;

/* Feed a transcript in chunks of `chunk` bytes (0: all at once). */
static struct cell *feed_file(const char *name, const char *cellname, size_t chunk, struct console *con,
			      const char *const *expect)
{
	char *err = NULL;
	struct cell *c = cell_new(rundir, cellname, "arm64", &err);

	if (!T_OK(c, "%s: cell created", cellname)) {
		t_diag("%s", err);
		free(err);
		exit(1);
	}
	for (size_t i = 0; expect && expect[i]; i++)
		cell_expect_suite(c, expect[i]);
	c->launched = true;
	console_init(con, c);
	char *path = t_data_path(name);
	size_t len = 0;
	char *text = read_file(path, &len);

	T_OK(text, "%s: transcript %s read", cellname, name);
	if (!text)
		exit(1);
	if (!chunk)
		chunk = len;
	for (size_t off = 0; off < len; off += chunk)
		console_feed(con, text + off, off + chunk <= len ? chunk : len - off);
	free(text);
	free(path);
	return c;
}

static const struct test_result *find(const struct cell *c, const char *name)
{
	for (size_t i = 0; i < c->nres; i++)
		if (strcmp(c->res[i].name, name) == 0)
			return &c->res[i];
	return NULL;
}

static void expect_result(const struct cell *c, const char *name, enum result r, const char *reason_part)
{
	const struct test_result *t = find(c, name);

	if (!T_OK(t && t->res == r, "%s: %s is %s", c->name, name, result_name(r)))
		t_diag("got %s", t ? result_name(t->res) : "no such result");
	if (reason_part)
		T_HAS(t ? t->reason : NULL, reason_part, "%s: %s reason", c->name, name);
}

static char *cell_file(const struct cell *c, const char *file)
{
	char *p = path_join(c->dir, file);
	char *s = t_read(p);

	free(p);
	return s;
}

/* The verdict of prove on a TAP file: 0 pass, non-zero fail, -2 if prove is missing. */
static int prove_rc(const char *path)
{
	if (!t_have("prove"))
		return -2;
	char *out = NULL;
	int rc = t_sh(&out, "prove -e cat '%s'", path);

	if (rc != 0 && rc != 1)
		t_diag("prove said: %s", out);
	free(out);
	return rc;
}

static void check_prove(const char *path, bool want_pass, const char *what)
{
	int rc = prove_rc(path);

	if (rc == -2)
		t_skip("prove not installed", "%s: prove", what);
	else if (want_pass)
		T_INT(rc, 0, "%s: prove -e cat accepts the combined TAP", what);
	else
		T_OK(rc != 0, "%s: prove -e cat reports the failure (exit %d)", what, rc);
}

static void test_pass(void)
{
	struct console con;
	const char *expect[] = {"atomics", "memslot", NULL};
	struct cell *c = feed_file("console-pass.txt", "pass", 5, &con, expect);

	T_OK(!con.panic, "pass: no panic");
	cell_finish(c, NULL);
	T_INT(c->status, CELL_PASS, "pass: status pass");
	T_OK(!c->reason, "pass: no reason");
	T_INT((long)c->nres, 5, "pass: 5 results");
	T_INT(c->counts[RES_PASS], 3, "pass: 3 pass");
	T_INT(c->counts[RES_SKIP], 1, "pass: 1 skip");
	T_INT(c->counts[RES_XFAIL], 1, "pass: 1 xfail");
	T_OK(c->began && c->ended, "pass: CELL-BEGIN behind escape junk and CELL-END seen");
	const struct test_result *t = find(c, "atomics.count_exact.ldadd.2vcpu");

	T_INT(t ? t->duration_ms : -2, 120, "pass: duration_ms from the line before the result");
	t = find(c, "atomics.count_exact.ldxr_stxr.2vcpu");
	T_INT(t ? t->duration_ms : -2, -1, "pass: no duration when none was printed");
	expect_result(c, "atomics.lse_on_v80", RES_SKIP, "CPU has no LSE atomics");
	expect_result(c, "memslot.pfnmap_log_dirty", RES_XFAIL, "known TCG limit");
	T_STR(kv_get(&c->id, "kvm_mode"), "vhe", "pass: identity kvm_mode");
	T_STR(kv_get(&c->id, "cap_arm_cacheable_pfnmap"), "1", "pass: identity from cellinfo");

	char *suite = cell_file(c, "atomics.tap");

	T_STR(suite,
	      "TAP version 13\n1..3\n# 2 vCPU(s) x 1000 iterations: counter 2000\n# duration_ms=120\n"
	      "ok 1 atomics.count_exact.ldadd.2vcpu\nok 2 atomics.count_exact.ldxr_stxr.2vcpu\n"
	      "ok 3 atomics.lse_on_v80 # SKIP CPU has no LSE atomics\n"
	      "# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:1 error:0\n",
	      "pass: atomics.tap is the suite's stream without the kernel line");
	free(suite);
	char *id = cell_file(c, "identity.txt");

	T_HAS(id, "kernel_release=7.2.13+deb14-arm64\nmachine=aarch64\nkvm_mode=vhe\n", "pass: identity.txt");
	free(id);
	char *log = cell_file(c, "console.log");

	T_HAS(log, "[    5.123456] kvm [123]: a kernel message in the middle of a suite\n", "pass: console.log keeps noise");
	T_HAS(log, "reboot: Power down", "pass: console.log keeps lines after CELL-END");
	free(log);
	char *comb = t_read(c->combined_path);

	T_HAS(comb, "TAP version 13\n", "pass: combined starts with the version");
	T_HAS(comb, "# duration_ms=120\nok 1 atomics.count_exact.ldadd.2vcpu\n", "pass: diagnostics before result");
	T_HAS(comb, "ok 4 memslot.basic\n", "pass: renumbered across suites");
	T_HAS(comb, "ok 5 memslot.pfnmap_log_dirty # XFAIL known TCG limit\n", "pass: directive kept");
	T_HAS(comb, "\n1..5\n# Totals: pass:3 fail:0 xfail:1 xpass:0 skip:1 error:0\n", "pass: plan and totals at the end");
	T_OK(str_ends(comb, "error:0\n"), "pass: totals is the last line");
	free(comb);
	struct t_tap s;

	t_tap_read(c->combined_path, &s);
	T_OK(t_tap_passed(&s) && s.plan_at_end && s.results == 5, "pass: a TAP reader sees it pass");
	check_prove(c->combined_path, true, "pass");
	console_free(&con);
	cell_free(c);
}

static void test_mixed(void)
{
	struct console con;
	const char *expect[] = {"atomics", "memslot", "inconsistent", "noplan", "skipall", "nobin", "cut",
				"last", NULL};
	struct cell *c = feed_file("console-mixed.txt", "mixed", 1, &con, expect);

	cell_finish(c, NULL);
	T_INT(c->status, CELL_FAIL, "mixed: status fail");
	T_OK(!c->reason, "mixed: cell ended normally");
	expect_result(c, "atomics.a", RES_PASS, NULL);
	expect_result(c, "atomics.b", RES_FAIL, "expected counter 2000, got 1999\nsecond line with <xml>");
	const struct test_result *b = find(c, "atomics.b");

	T_OK(b && b->reason && !strstr(b->reason, "watchdog") && !strstr(b->reason, "RUN atomics.a"),
	     "mixed: failure carries the diagnostics printed before it, not after, not earlier results'");
	expect_result(c, "atomics.c", RES_TIMEOUT, "TIMEOUT 30 seconds");
	T_HAS(find(c, "atomics.c") ? find(c, "atomics.c")->reason : NULL, "watchdog fired",
	      "mixed: timeout diagnostics");
	expect_result(c, "atomics.d", RES_SKIP, "no LSE");
	expect_result(c, "atomics.e", RES_XFAIL, "erratum 123");
	expect_result(c, "atomics.f", RES_ERROR, "==== Test Assertion Failure ====");
	T_OK(!find(c, "atomics.exit"), "mixed: rc=1 with failures is consistent");
	expect_result(c, "memslot.exit", RES_FAIL, "killed by signal 11 (SIGSEGV) (rc=139) after 2 of 3 planned results");
	T_HAS(find(c, "memslot.exit") ? find(c, "memslot.exit")->reason : NULL, "kernel: [   13.500000] memattr-memslot",
	      "mixed: crash reason names the kernel message");
	expect_result(c, "inconsistent.exit", RES_FAIL, "rc=1 but no result failed");
	expect_result(c, "noplan.a", RES_PASS, NULL);
	expect_result(c, "noplan.plan", RES_FAIL, "no TAP plan");
	expect_result(c, "skipall", RES_SKIP, "no /dev/kvm");
	expect_result(c, "nobin.missing", RES_FAIL, "rc=127");
	expect_result(c, "cut.incomplete", RES_FAIL, "no SUITE-END before the next SUITE-BEGIN (1 of 2 planned results)");
	expect_result(c, "last.a", RES_PASS, NULL);
	T_STR(kv_get(&c->id, "modules"), "failed:ccp,failed:kvm_amd", "mixed: repeated ID key keeps every value");

	char *mem = cell_file(c, "memslot.tap");

	T_STR(mem, "TAP version 13\n1..3\nok 1 memslot.a\nok 2 memslot.b\n# running memslot.c\n",
	      "mixed: the text before a glued marker stays in the suite's TAP");
	free(mem);
	char *cut = cell_file(c, "cut.tap");

	T_STR(cut, "TAP version 13\n1..2\nok 1 cut.a\n", "mixed: suite without SUITE-END keeps its lines");
	free(cut);
	char *comb = t_read(c->combined_path);

	T_HAS(comb, "# expected counter 2000, got 1999\n# second line with <xml> & \"quotes\" and a tab\there\nnot ok 2 atomics.b\n",
	      "mixed: diagnostics before the failure in the combined TAP");
	T_HAS(comb, "# ==== Test Assertion Failure ====\nnot ok 6 atomics.f # error setup failed\n",
	      "mixed: unknown lines become comments");
	T_HAS(comb, "not ok 9 memslot.exit # crashed", "mixed: crash result appended after the suite's results");
	T_HAS(comb, "ok 14 skipall # SKIP no /dev/kvm\n", "mixed: skipped suite shows as one skip");
	T_HAS(comb, "\n1..18\n", "mixed: plan at the end");
	T_HAS(comb, "# Totals: pass:7 fail:7 xfail:1 xpass:0 skip:2 error:1\n", "mixed: totals");
	free(comb);
	check_prove(c->combined_path, false, "mixed");
	console_free(&con);
	cell_free(c);
}

static void test_panic(void)
{
	struct console con;
	const char *expect[] = {"atomics", "memslot", NULL};
	struct cell *c = feed_file("console-panic.txt", "panic", 64, &con, expect);

	T_OK(con.panic && strstr(con.panic, "Kernel panic - not syncing: Oops: Fatal exception"), "panic: detected");
	/* results written before the crash are on disk already */
	char *at = cell_file(c, "atomics.tap");

	T_STR(at, "TAP version 13\n1..4\nok 1 atomics.a\n# about to touch PFNMAP memory\nok 2 atomics.b\n",
	      "panic: results before the panic are on disk before the cell ends");
	free(at);
	cell_finish(c, "kernel panic: Kernel panic - not syncing: Oops: Fatal exception");
	T_INT(c->status, CELL_ERROR, "panic: status error");
	expect_result(c, "atomics.a", RES_PASS, NULL);
	expect_result(c, "atomics.b", RES_PASS, NULL);
	expect_result(c, "atomics.incomplete", RES_FAIL, "cell ended: kernel panic: Kernel panic - not syncing");
	T_HAS(find(c, "atomics.incomplete") ? find(c, "atomics.incomplete")->reason : NULL, "(2 of 4 planned results)",
	      "panic: incomplete counts");
	T_HAS(find(c, "atomics.incomplete") ? find(c, "atomics.incomplete")->reason : NULL,
	      "kernel: [   20.100000] Unable to handle kernel paging request", "panic: first kernel message named");
	expect_result(c, "memslot.incomplete", RES_FAIL, "not run: cell ended: kernel panic");
	T_INT((long)c->nres, 4, "panic: 2 results + 2 failures");
	T_OK(c->knotes.n >= 3, "panic: kernel messages recorded");
	char *comb = t_read(c->combined_path);

	T_HAS(comb, "not ok 3 atomics.incomplete # cell ended: kernel panic: Kernel panic - not syncing: Oops: Fatal exception",
	      "panic: appended failure in the combined TAP");
	T_HAS(comb, "\n1..4\n", "panic: plan");
	free(comb);
	check_prove(c->combined_path, false, "panic");
	console_free(&con);
	cell_free(c);
}

static void test_truncated(void)
{
	struct console con;
	const char *expect[] = {"atomics", "memslot", NULL};
	struct cell *c = feed_file("console-truncated.txt", "trunc", 3, &con, expect);

	console_drop_partial(&con); /* as lab.c does after killing QEMU */
	cell_finish(c, "timeout: no CELL-END after 5 s (QEMU killed)");
	T_INT(c->status, CELL_ERROR, "truncated: status error");
	T_OK(!find(c, "atomics.par"), "truncated: the cut line is not taken as a result");
	expect_result(c, "atomics.incomplete", RES_FAIL, "cell ended: timeout: no CELL-END after 5 s (QEMU killed) (2 of 4");
	expect_result(c, "memslot.incomplete", RES_FAIL, "not run");
	char *log = cell_file(c, "console.log");

	T_OK(str_ends(log, "\nok 3 atomics.par\n"), "truncated: the cut line is in console.log");
	free(log);
	check_prove(c->combined_path, false, "truncated");
	console_free(&con);
	cell_free(c);
}

static void test_noboot(void)
{
	struct console con;
	const char *expect[] = {"atomics", "memslot", NULL};
	struct cell *c = feed_file("console-noboot.txt", "noboot", 0, &con, expect);

	T_OK(con.panic, "noboot: panic seen");
	cell_finish(c, "kernel panic: VFS: Unable to mount root fs");
	T_INT(c->status, CELL_ERROR, "noboot: status error");
	T_INT((long)c->nres, 1, "noboot: one result");
	expect_result(c, "cell.noboot.boot", RES_FAIL, "Unable to mount root fs");
	T_OK(c->suites[0].state == SUITE_DONE && c->suites[0].end_note &&
	     strstr(c->suites[0].end_note, "not run"),
	     "noboot: suites marked not run");
	check_prove(c->combined_path, false, "noboot");
	console_free(&con);
	cell_free(c);

	/* a cell that could not even be started */
	char *err = NULL;

	c = cell_new(rundir, "nosetup", "x86_64", &err);
	cell_expect_suite(c, "memslot");
	cell_finish(c, "kernel: fetch-kernel: no package");
	expect_result(c, "cell.nosetup.setup", RES_FAIL, "fetch-kernel: no package");
	T_INT(c->status, CELL_ERROR, "setup failure: status error");
	char *comb = t_read(c->combined_path);

	T_STR(comb,
	      "TAP version 13\n# memattr cell nosetup (x86_64)\n# kernel: fetch-kernel: no package\n"
	      "not ok 1 cell.nosetup.setup # kernel: fetch-kernel: no package\n1..1\n"
	      "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0\n",
	      "setup failure: combined TAP");
	free(comb);
	cell_free(c);
}

static void test_inline_cases(void)
{
	char *err = NULL;
	struct cell *c = cell_new(rundir, "inline", "arm64", &err);
	struct console con;

	console_init(&con, c);
	cell_expect_suite(c, "a");
	cell_expect_suite(c, "b");
	const char *text = "@@MEMATTR CELL-BEGIN\r\n@@MEMATTR ID key = spaced value \r\n@@MEMATTR SUITE-BEGIN a\r\n"
			   "TAP version 13\r\n1..2\r\nok 1 a.one\r\n# skip-like reason\r\nBail out! out of memory\r\n"
			   "@@MEMATTR SUITE-END a rc=1\r\n@@MEMATTR BOGUS\r\n@@MEMATTR CELL-END\r\n"
			   "@@MEMATTR SUITE-BEGIN after\r\n";
	console_feed(&con, text, strlen(text));
	console_flush(&con);
	cell_finish(c, NULL);
	T_STR(kv_get(&c->id, "key"), "spaced value", "inline: ID key and value trimmed");
	expect_result(c, "a.one", RES_PASS, NULL);
	expect_result(c, "a.incomplete", RES_FAIL, "1 of 2 planned results (rc=1); Bail out! out of memory");
	T_OK(!find(c, "a.exit"), "inline: rc=1 after a bail out is not reported twice");
	expect_result(c, "b.missing", RES_FAIL, "suite did not run");
	T_OK(!find(c, "after.incomplete") && c->nsuites == 2, "inline: markers after CELL-END ignored");
	T_OK(c->notes.n >= 2, "inline: unknown marker and late marker noted");
	T_INT(c->status, CELL_FAIL, "inline: status fail");
	console_free(&con);
	cell_free(c);

	/* CELL-END while a suite runs; a failure reason that starts with "skip" must stay a failure */
	c = cell_new(rundir, "inline2", "arm64", &err);
	console_init(&con, c);
	text = "@@MEMATTR CELL-BEGIN\n@@MEMATTR SUITE-BEGIN s\n1..1\n@@MEMATTR CELL-END\n";
	console_feed(&con, text, strlen(text));
	cell_finish(c, NULL);
	expect_result(c, "s.incomplete", RES_FAIL, "no SUITE-END before CELL-END (0 of 1 planned results)");
	console_free(&con);
	cell_free(c);

	c = cell_new(rundir, "inline3", "arm64", &err);
	console_init(&con, c);
	text = "@@MEMATTR CELL-BEGIN\n";
	console_feed(&con, text, strlen(text));
	c->launched = true;
	cell_finish(c, "skipped power-off: QEMU exited (exit status 1)");
	expect_result(c, "cell.inline3.end", RES_FAIL, "skipped power-off");
	char *comb = t_read(c->combined_path);

	T_HAS(comb, "not ok 1 cell.inline3.end # - skipped power-off", "inline: reason cannot turn into a SKIP");
	free(comb);
	struct t_tap s;

	t_tap_read(c->combined_path, &s);
	T_INT(s.failures, 1, "inline: counted as a failure by a TAP reader");
	console_free(&con);
	cell_free(c);
}

/* A kernel message printed in the middle of a suite's line. */
static void test_midline_kernel(void)
{
	char *err = NULL;
	struct cell *c = cell_new(rundir, "midline", "arm64", &err);
	struct console con;

	console_init(&con, c);
	const char *text = "@@MEMATTR CELL-BEGIN\n@@MEMATTR SUITE-BEGIN s\n1..3\n"
			   "ok 1 s.o[   12.345678] kvm [7]: unhandled exit\nne\n"
			   "not ok 2 s.t[   12.400000] BUG: first\n[   12.400001] second kernel line\nwo # TIMEOUT 5 s\n"
			   "ok 3 s.array[1.5] is fine\n"
			   "@@MEMATTR SUITE-END s rc=1\n@@MEMATTR CELL-END\n";
	console_feed(&con, text, strlen(text));
	cell_finish(c, NULL);
	expect_result(c, "s.one", RES_PASS, NULL);
	expect_result(c, "s.two", RES_TIMEOUT, "TIMEOUT 5 s");
	expect_result(c, "s.array[1.5] is fine", RES_PASS, NULL);
	char *tap = cell_file(c, "s.tap");

	T_STR(tap, "1..3\nok 1 s.one\nnot ok 2 s.two # TIMEOUT 5 s\nok 3 s.array[1.5] is fine\n",
	      "midline: the suite's lines are spliced back together");
	free(tap);
	T_OK(c->knotes.n == 2 && strstr(c->knotes.v[0], "kvm [7]") && strstr(c->knotes.v[1], "BUG: first"),
	     "midline: the kernel messages are recorded");
	T_INT(c->status, CELL_FAIL, "midline: status");
	console_free(&con);
	cell_free(c);
}

/* Streaming must not depend on how the bytes are cut. */
static void test_chunking(void)
{
	const char *expect[] = {"atomics", "memslot", "inconsistent", "noplan", "skipall", "nobin", "cut",
				"last", NULL};
	size_t sizes[] = {0, 1, 2, 13, 4096};
	char *first = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct console con;
		char *name = xasprintf("chunk%zu", sizes[i]);
		struct cell *c = feed_file("console-mixed.txt", name, sizes[i], &con, expect);

		cell_finish(c, NULL);
		char *comb = t_read(c->combined_path);
		/* the header names the cell: compare from the first result on */
		char *body = xstrdup(strstr(comb, "# suite ") ? strstr(comb, "# suite ") : comb);

		if (!first)
			first = xstrdup(body);
		else
			T_STR(body, first, "chunks of %zu bytes give the same combined TAP", sizes[i]);
		free(body);
		free(comb);
		free(name);
		console_free(&con);
		cell_free(c);
	}
	free(first);
}

static void feed_text(struct console *con, const char *text)
{
	console_feed(con, text, strlen(text));
}

/* cell_kernel_panic outside a suite, after a suite's last test, and the bounds of the panic text. */
static void test_panic_places(void)
{
	char *err = NULL;
	struct cell *c = cell_new(rundir, "panics", "arm64", &err);

	T_OK(c, "panics: cell created");
	if (!c)
		return;
	cell_expect_suite(c, "one");
	cell_expect_suite(c, "two");
	cell_expect_suite(c, "three");
	struct console con;

	console_init(&con, c);
	feed_text(&con, "@@MEMATTR CELL-BEGIN\n@@MEMATTR ID dev_kvm=yes\n@@MEMATTR SUITE-BEGIN one\n"
			"@@MEMATTR TEST one.a\nTAP version 13\n1..1\nok 1 one.a\n");
	/* 60 kernel lines within the window: the text keeps 40, the panic line among them */
	for (int i = 0; i < 60; i++) {
		char line[96];

		snprintf(line, sizeof(line), "[   30.%06d] Call trace line %d\n", i, i);
		feed_text(&con, line);
	}
	feed_text(&con, "[   30.100000] Kernel panic - not syncing: in teardown\n[   30.100001] ---[ end Kernel panic ]---\n");
	char *text = console_panic_text(&con);

	T_HAS(text, "[   30.100000] Kernel panic - not syncing: in teardown", "panics: the panic line is kept");
	T_HAS(text, "---[ end Kernel panic ]---", "panics: the line after it too");
	T_HAS(text, "earlier kernel line(s) left out", "panics: says what it left out");
	long n = 1;

	for (const char *q = text; (q = strchr(q, '\n')); q++)
		n++;
	T_OK(n <= CONSOLE_PANIC_LINES + 2, "panics: bounded (%ld lines)", n);
	cell_kernel_panic(c, "Kernel panic - not syncing: in teardown", text);
	free(text);
	expect_result(c, "one.panic", RES_FAIL, "(1 of 1 planned results before it; after the suite's last test)");
	struct strvec left = {0};
	char *resume = NULL;

	T_INT((long)cell_remaining(c, &left, &resume), 2, "panics: two suites left");
	T_OK(!resume, "panics: nothing to resume");
	char *joined = strvec_join(&left, ",");

	T_STR(joined, "two,three", "panics: the suites that did not run");
	free(joined);
	console_free(&con);

	/* boot 2: a panic between two suites */
	cell_next_boot(c, "a kernel panic");
	console_init(&con, c);
	feed_text(&con, "@@MEMATTR CELL-BEGIN\n@@MEMATTR ID dev_kvm=no\n@@MEMATTR SUITE-BEGIN two\n@@MEMATTR TEST two.a\n"
			"TAP version 13\n1..1\nok 1 two.a\n@@MEMATTR SUITE-END two rc=0\n"
			"[   40.000000] Kernel panic - not syncing: between suites\n");
	T_STR(kv_get(&c->id, "dev_kvm"), "yes", "panics: the identity is the first boot's");
	text = console_panic_text(&con);
	cell_kernel_panic(c, "Kernel panic - not syncing: between suites", text);
	free(text);
	expect_result(c, "cell.panics.panic.boot2", RES_FAIL, "kernel panic in boot 2: Kernel panic - not syncing: between");
	T_INT((long)cell_remaining(c, &left, &resume), 1, "panics: one suite left");
	T_STR(left.v[0], "three", "panics: the last suite");
	T_INT(c->panics, 2, "panics: two panics counted");
	strvec_free(&left);
	console_free(&con);
	cell_finish(c, "kernel panic: stop here");
	expect_result(c, "three.incomplete", RES_FAIL, "not run: cell ended: kernel panic: stop here");
	char *st = cell_status_text(c);

	T_STR(st, "error: kernel panic: stop here; 2 kernel panic(s), 2 boot(s)", "panics: status text");
	free(st);
	cell_free(c);
}

int main(void)
{
	t_start("console state machine");
	rundir = t_tmpdir("console");
	test_pass();
	test_mixed();
	test_panic();
	test_truncated();
	test_noboot();
	test_inline_cases();
	test_midline_kernel();
	test_chunking();
	test_panic_places();
	int rc = t_done();

	if (rc == 0)
		t_sh(NULL, "rm -rf '%s'", rundir);
	free(rundir);
	return rc;
}
