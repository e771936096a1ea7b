// SPDX-License-Identifier: GPL-2.0
/* test_post.c: the reports made from results.json: KCIDB (schema-checked with python3-jsonschema),
 * the known-issues file, --compare between two saved runs (tests/driver/data/runs: a deliberate
 * regression must exit 1), --shard and --merge with the fake QEMU, report.html rendered by headless
 * Chromium, junit.xml against tests/schema/junit.xsd, the TAP through prove and python3-tap.
 */
#include "known_issues.h"
#include "report_kcidb.h"
#include "t.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static char *root, *data, *src, *runbin;
/* Debian's python3 (its python3-jsonschema, python3-tap), not another one first on PATH */
static const char *py = "python3";

static const char lab_conf[] =
	"[run]\n"
	"cells = ok, ok2, panic\n"
	"host_cell = no\n"
	"jobs = 3\n"
	"cell_timeout = 10\n"
	"reboot_after_panic = no\n"
	"[cell ok]\narch = arm64\nappend = fake.transcript=pass\n"
	"[cell ok2]\narch = arm64\ncpu = neoverse-n1\nappend = fake.transcript=pass\n"
	"[cell panic]\narch = arm64\nappend = fake.transcript=panic\n";

/* The driver in the scratch project, output (stdout+stderr) in *out. */
static int run(char **out, const char *fmt, ...) PRINTF_LIKE(2, 3);
static int run(char **out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *args = xvasprintf(fmt, ap);

	va_end(ap);
	int rc = t_sh(out,
		      "cd '%s' && MEMATTR_ROOT='%s' MEMATTR_CACHE='%s/cache' MEMATTR_QEMU_AARCH64='%s/fake-qemu.sh' MEMATTR_QEMU_X86_64='%s/fake-qemu.sh' MEMATTR_FETCH_KERNEL='%s/fake-fetch-kernel.sh' MEMATTR_MKINITRAMFS='%s/fake-mkinitramfs.sh' '%s' --no-defaults --config lab.conf %s 2>&1",
		      root, root, root, data, data, data, data, runbin, args);
	free(args);
	return rc;
}

static void no_sanitizer_errors(const char *out, const char *what)
{
	T_OK(!strstr(out, "AddressSanitizer") && !strstr(out, "LeakSanitizer") &&
	     !strstr(out, "runtime error"), "%s: no sanitizer report", what);
}

static void test_kcidb_names(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"pfnmap.access_matrix.udmabuf.s1_normal_wb",
		 "memattr.pfnmap.access_matrix.udmabuf.s1_normal_wb"},
		{"gmem.a b/c", "memattr.gmem.a_b_c"},
		{"x..y.", "memattr.x.y"},
		{"cell.arm64-max.boot", "memattr.cell.arm64-max.boot"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *p = kcidb_path(cases[i].in);

		T_STR(p, cases[i].out, "kcidb path of '%s'", cases[i].in);
		free(p);
	}
	T_OK(kcidb_origin_ok("memattr_lab1") && !kcidb_origin_ok("Memattr") && !kcidb_origin_ok(""),
	     "kcidb: origin [a-z0-9_]+");
	T_OK(kcidb_id_ok("lab:b1") && !kcidb_id_ok("b1") && !kcidb_id_ok(":x") && !kcidb_id_ok("A:x"),
	     "kcidb: ids are ORIGIN:...");
}

static void test_known_parse(void)
{
	struct known_issues ki = {0};
	char *err = NULL;
	int rc = known_issues_parse(&ki,
				    "# comment\n\n"
				    "gmem.*\tarm64-*\t*\t7.2*\tflaky on TCG\thttps://bugs.example/1\r\n"
				    "memslot.basic\t\t\t\tno link here\t-\n",
				    "ki.tsv", &err);

	T_INT(rc, 0, "known issues: parsed");
	T_INT((long)ki.n, 2, "known issues: two");
	T_OK(known_issue_match(&ki, "gmem.x", "arm64-max", "arm64", "7.2.13") == &ki.v[0], "match: all globs");
	T_OK(!known_issue_match(&ki, "gmem.x", "arm64-max", "arm64", "6.1"), "no match: kernel release");
	T_OK(!known_issue_match(&ki, "gmem.x", "arm64-max", "arm64", NULL), "no match: no kernel release");
	T_OK(known_issue_match(&ki, "memslot.basic", "x", NULL, NULL) == &ki.v[1], "empty fields are '*'");
	T_OK(!ki.v[1].link && !strcmp(ki.v[0].link, "https://bugs.example/1"), "link '-' is none");
	T_STR(ki.v[1].where, "ki.tsv:4", "where: FILE:LINE");
	known_issues_free(&ki);
	rc = known_issues_parse(&ki, "ok\t*\t*\t*\treason\t-\n\nbad line\n", "f", &err);
	T_INT(rc, -1, "known issues: a line without six fields is an error");
	T_HAS(err ? err : "", "f:3: want 6 tab-separated fields", "known issues: error names FILE:LINE");
	free(err);
	known_issues_free(&ki);
}

/* --compare between two saved runs of tests/driver/data/runs */
static void test_compare(void)
{
	char *out = NULL;
	int rc = run(&out, "--compare '%s/runs/base' '%s/runs/regress'", data, data);

	T_INT(rc, 1, "compare: a deliberate regression exits 1");
	T_HAS(out, "new_failure  arm64-max            atomics.count_exact.llsc.1vcpu (pass -> fail)",
	      "compare: the new failure");
	T_HAS(out, "fixed        arm64-max            atomics.count_exact.lse_cas.4vcpu", "compare: the fix");
	T_HAS(out, "new_test     arm64-max            atomics.fixture_new_test", "compare: the new test");
	T_HAS(out, "vanished     arm64-max            atomics.count_exact.lse_ldadd.1vcpu", "compare: vanished");
	T_HAS(out, "new_skip     arm64-max            atomics.count_exact.llsc.4vcpu", "compare: new skip");
	T_HAS(out, "not comparable: cell x86_64-max: qemu_machine 'pc' -> 'q35,graphics=on'",
	      "compare: a cell whose machine differs is not comparable, with the field");
	T_HAS(out, ": REGRESSION", "compare: verdict");
	no_sanitizer_errors(out, "compare");
	free(out);
	rc = run(&out, "--compare '%s/runs/base' '%s/runs/base/results.json'", data, data);
	T_INT(rc, 0, "compare: a run with itself exits 0");
	T_HAS(out, "0 new failure(s)", "compare: nothing new");
	free(out);
	t_sh(NULL, "printf 'atomics.count_exact.llsc.*\\tarm64-*\\t*\\t*\\tfixture issue\\thttps://bugs.example/2\\n' >'%s/ki.tsv'",
	     root);
	rc = run(&out, "--known-issues ki.tsv --compare '%s/runs/base' '%s/runs/regress'", data, data);
	T_INT(rc, 0, "compare: a new failure a known issue covers is no regression");
	T_HAS(out, "known        arm64-max            atomics.count_exact.llsc.1vcpu", "compare: reported as known");
	free(out);
	rc = run(&out, "--compare /nonexistent/dir '%s/runs/base'", data);
	T_INT(rc, 2, "compare: an unreadable baseline exits 2");
	free(out);
}

static void test_kcidb_from(void)
{
	char *out = NULL;
	int rc = run(&out, "--report-from '%s/runs/regress' --kcidb k.json --kcidb-origin lab1", data);

	T_INT(rc, 0, "kcidb: --report-from writes the document");
	free(out);
	if (t_sh(NULL, "%s -c 'import jsonschema'", py) != 0) {
		t_skip("python3-jsonschema not installed", "kcidb schema");
		return;
	}
	rc = t_sh(&out, "%s '%s/tests/schema/check_kcidb.py' '%s/k.json'", py, src, root);
	T_INT(rc, 0, "kcidb: valid against the v5.3 schema: %s", out);
	free(out);
	rc = t_sh(&out, "%s -c 'import json,sys; d=json.load(open(sys.argv[1])); t=[x for x in d[\"tests\"] if x[\"path\"]==\"memattr.atomics.count_exact.llsc.1vcpu\" and x[\"environment\"][\"misc\"][\"cell\"]==\"arm64-max\"][0]; print(t[\"status\"], t[\"id\"].split(\":\")[0], \"expected 1\" in t[\"log_excerpt\"], d[\"builds\"][0][\"checkout_id\"])' '%s/k.json'",
		  py, root);
	T_HAS(out, "FAIL lab1 True lab1:memattr-20261201T010000Z", "kcidb: status, origin, log excerpt, checkout");
	free(out);
	/* the checker is not a rubber stamp: a bad path and a bad status are refused */
	rc = t_sh(&out, "sed 's/\"path\":\"memattr.atomics/\"path\":\"memattr atomics/; s/\"status\":\"SKIP\"/\"status\":\"SKIPPED\"/' '%s/k.json' >'%s/kbad.json' && %s '%s/tests/schema/check_kcidb.py' '%s/kbad.json'",
		  root, root, py, src, root);
	T_INT(rc, 1, "kcidb: the checker refuses a bad path or status");
	free(out);
	rc = run(&out, "--report-from '%s/runs/regress' --kcidb k2.json --kcidb-build-id farm:b42 --kcidb-url-base https://lab.example/r",
		 data);
	T_INT(rc, 0, "kcidb: with the farm's build id");
	free(out);
	rc = t_sh(&out, "%s '%s/tests/schema/check_kcidb.py' '%s/k2.json' --absolute && grep -c '\"builds\"' '%s/k2.json'",
		  py, src, root, root);
	T_HAS(out, "ok 14 tests\n0", "kcidb: absolute URLs, no builds of its own");
	free(out);
	rc = run(&out, "--report-from x --kcidb-origin BAD");
	T_INT(rc, 2, "kcidb: a bad origin is a usage error");
	free(out);
}

/* The report directory the driver printed ("reports in DIR" / "merged ... into DIR"), or "". */
static char *dir_of(const char *out, const char *marker)
{
	const char *p = strstr(out, marker);

	if (!p)
		return xstrdup("");
	p += strlen(marker);
	return xstrndup(p, strcspn(p, "\n"));
}

/* A live run with a known issue, KCIDB and compare; then the shards merged. */
static void test_run_known(void)
{
	char *out = NULL;

	t_sh(NULL, "printf 'atomics.*\\tpanic\\t*\\t*\\tfixture: the panic cell\\t-\\nmemslot.basic\\tok\\t*\\t*\\tfixed now\\t-\\n' >'%s/ki2.tsv'",
	     root);
	int rc = run(&out, "--known-issues ki2.tsv --kcidb kr.json --report-dir rk");

	T_OK(rc == 1, "run: the panic cell still fails (a boot-level failure is not covered)");
	T_HAS(out, "known issues: ", "run: summary has a known-issues line");
	T_HAS(out, "fixed ok memslot.basic: fixed now", "run: a passing test of a known issue is fixed");
	no_sanitizer_errors(out, "run known");
	free(out);
	t_sh(&out, "%s -c 'import json,sys; d=json.load(open(sys.argv[1])); print(\"fixed=%%d\" %% d[\"run\"][\"totals\"][\"fixed\"], [t[\"known_issue\"][\"state\"] for t in d[\"tests\"] if \"known_issue\" in t])' '%s/rk/latest/results.json'",
	     py, root);
	T_HAS(out, "fixed=3 ['fixed', 'fixed', 'fixed', 'known']", "results.json: fixed and known, counted");
	free(out);
	rc = run(&out, "--set run.known_issues=/nonexistent/ki.tsv --report-dir rk2");
	T_INT(rc, 2, "run: [run] known_issues naming a missing file is an error");
	T_HAS(out, "/nonexistent/ki.tsv: cannot read the known-issues file", "run: says which file");
	free(out);
		t_sh(&out, "cat '%s/rk/latest/junit.xml'", root);
	T_HAS(out, "FIXED: fixed now", "junit: the fixed note");
	free(out);
	if (t_sh(NULL, "%s -c 'import jsonschema'", py) == 0) {
		rc = t_sh(&out, "%s '%s/tests/schema/check_kcidb.py' '%s/kr.json'", py, src, root);
		T_INT(rc, 0, "kcidb of a live run: valid: %s", out);
		free(out);
		t_sh(&out, "%s -c 'import json,sys; print(sorted({t[\"status\"] for t in json.load(open(sys.argv[1]))[\"tests\"]}))' '%s/kr.json'",
		     py, root);
		T_HAS(out, "'MISS'", "kcidb: the tests the panic left unrun are MISS");
		free(out);
	}
}

static void test_shard_merge(void)
{
	char *out = NULL, *d1, *d2, *dm;

	run(&out, "--shard 1/2 --report-dir rs");
	d1 = dir_of(out, "reports in ");
	T_HAS(out, "2 cell(s) (ok, panic)", "shard 1/2: cells 1 and 3");
	free(out);
	run(&out, "--shard 2/2 --report-dir rs");
	d2 = dir_of(out, "reports in ");
	T_HAS(out, "1 cell(s) (ok2)", "shard 2/2: cell 2");
	free(out);
	int rc = run(&out, "--shard 3/2");

	T_INT(rc, 2, "shard: I > N is a usage error");
	free(out);
	rc = run(&out, "--report-dir rs --kcidb km.json --known-issues ki2.tsv --merge '%s' '%s'", d1, d2);
	dm = dir_of(out, "into ");
	T_INT(rc, 0, "merge: done");
	no_sanitizer_errors(out, "merge");
	free(out);
	t_sh(&out, "%s -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sorted(c[\"name\"] for c in d[\"cells\"]), len(d[\"run\"][\"merged_from\"]), d[\"run\"][\"status\"])' '%s/results.json'",
	     py, dm);
	T_HAS(out, "['ok', 'ok2', 'panic'] 2 fail", "merge: every cell, both sources, the status");
	free(out);
	t_sh(&out, "grep -c 'KNOWN ISSUE' '%s/junit.xml'; %s -c 'import json,sys; print(json.load(open(sys.argv[1]))[\"run\"][\"totals\"][\"known\"])' '%s/results.json'",
	     dm, py, dm);
	T_STR(out, "1\n1\n", "merge: the known issues marked in the merged results.json and junit.xml");
	free(out);
	T_OK(t_sh(NULL, "test -s '%s/ok2/console.log' && test -s '%s/ok.tap' && test -s '%s/report.html' && test -s '%s/junit.xml'",
		  dm, dm, dm, dm) == 0, "merge: the cells' files, report.html and junit.xml are there");
	rc = run(&out, "--dry-run --report-dir rdry --kcidb kdry.json --merge '%s' '%s'", d1, d2);
	T_INT(rc, 0, "merge --dry-run: exit 0");
	T_OK(t_sh(NULL, "test ! -e '%s/rdry' && test ! -e '%s/kdry.json'", root, root) == 0,
	     "merge --dry-run: writes nothing");
	free(out);
	rc = run(&out, "--report-dir rs --merge '%s' '%s'", d1, d1);
	T_INT(rc, 2, "merge: a cell in two directories is an error");
	T_HAS(out, "cell ok is in more than one", "merge: says which");
	free(out);
	if (t_have("xmllint")) {
		rc = t_sh(&out, "xmllint --noout --schema '%s/tests/schema/junit.xsd' '%s/junit.xml' '%s/junit.xml' '%s/junit.xml' '%s/rk/latest/junit.xml'",
			  src, d1, d2, dm, root);
		T_INT(rc, 0, "junit.xml of runs and of the merge valid against junit.xsd: %s", out);
		free(out);
	} else {
		t_skip("xmllint not installed", "junit schema");
	}
	free(d1);
	free(d2);
	free(dm);
}

static const char id_conf[] =
	"[run]\ncells = a, x, xp\nhost_cell = no\njobs = 3\ncell_timeout = 10\nfixtures = 0\n"
	"[cell a]\narch = arm64\npci = ivshmem\nappend = fake.transcript=pass\n"
	"[cell x]\narch = x86_64\nmachine = accel=tcg\nappend = fake.transcript=pass\n"
	"[cell xp]\narch = x86_64\npci = ivshmem\nappend = fake.transcript=pass\n";

/* The identity a run records is the one --dry-run derives from the command line it prints. */
static void test_identity(void)
{
	static const char *const want[] = {
		"# identity: qemu_machine=virt machine_options=virtualization=on,gic-version=3,iommu=smmuv3 iommu=smmuv3 devices=ivshmem-plain,ivshmem-plain accel=tcg\n",
		"# identity: qemu_machine=fakepc machine_options=accel=tcg,graphics=on iommu=none devices=none accel=tcg\n",
		"# identity: qemu_machine=q35 machine_options=graphics=on iommu=intel-iommu devices=intel-iommu,ivshmem-plain,ivshmem-plain accel=tcg\n",
	};
	static const char *const cells[] = {"a", "x", "xp"};
	char *out = NULL, *got = NULL;

	t_sh(NULL, "printf '%%s' '%s' >'%s/id.conf'", id_conf, root);
	run(&out, "--config id.conf --dry-run");
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		T_HAS(out, want[i], "identity: --dry-run of cell %s", cells[i]);
	free(out);
	run(&out, "--config id.conf --report-dir ri");
	no_sanitizer_errors(out, "identity run");
	free(out);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		t_sh(&got, "%s -c 'import json,sys; c=[c for c in json.load(open(sys.argv[1]))[\"cells\"] if c[\"name\"]==sys.argv[2]][0][\"identity\"]; print(\"# identity: \" + \" \".join(k + \"=\" + c.get(k, \"MISSING\") for k in (\"qemu_machine\", \"machine_options\", \"iommu\", \"devices\", \"accel\")))' '%s/ri/latest/results.json' %s",
		     py, root, cells[i]);
		T_STR(got, want[i], "identity: cell %s recorded what --dry-run derived", cells[i]);
		free(got);
	}
	t_sh(&got, "grep -c '^qemu_version=99.1.0 (memattr fake)$' '%s/ri/latest/xp/identity.txt'", root);
	T_STR(got, "1\n", "identity: QEMU's version from QEMU itself");
	free(got);
}

/* report.html rendered by headless Chromium: the DOM must show the cells, tests and verdicts. */
static void test_html(void)
{
	char *chrome = find_in_path("chromium"), *out = NULL;

	if (!chrome) {
		t_skip("chromium not installed", "report.html in a browser");
		return;
	}
	int rc = run(&out, "--report-dir rh --compare '%s/rk/latest'", root);

	T_INT(rc, 1, "html run: fails (the panic cell)");
	free(out);
	rc = t_sh(&out, "timeout 120 '%s' --headless --no-sandbox --disable-gpu --dump-dom 'file://%s/rh/latest/report.html' 2>/dev/null",
		  chrome, root);
	T_INT(rc, 0, "html: chromium rendered it");
	T_HAS(out, "<th>ok</th><th>ok2</th><th>panic</th>", "html: a column per cell");
	T_HAS(out, "<td>atomics.count_exact.ldadd.2vcpu</td><td class=\"v pass\" data-cell=\"ok\">pass</td>",
	      "html: a test row with its verdict");
	T_HAS(out, "class=\"v fail\" data-cell=\"panic\">fail</td>", "html: a failure in red");
	T_HAS(out, "id=\"failures\"", "html: the failures table");
	T_OK(strstr(out, "id=\"failures\"") && strstr(out, "id=\"grid\"") &&
	     strstr(out, "id=\"failures\"") < strstr(out, "id=\"grid\""), "html: failures come first");
	T_HAS(out, "<a href=\"ok2/console.log\">console log</a>", "html: link to a cell's console log");
	T_HAS(out, "<a href=\"panic.tap\">TAP</a>", "html: link to a cell's TAP");
	T_HAS(out, "id=\"compare-summary\"", "html: the baseline comparison");
	T_HAS(out, "<td>cpu</td><td>neoverse-n1</td>", "html: the cell identity");
	free(out);
	rc = run(&out, "--report-from '%s/runs/base' --html base.html", data);
	T_INT(rc, 0, "html: --report-from --html");
	free(out);
	t_sh(&out, "timeout 120 '%s' --headless --no-sandbox --disable-gpu --dump-dom 'file://%s/base.html' 2>/dev/null",
	     chrome, root);
	T_HAS(out, "<table class=\"memtype\"><tbody><tr><th>row</th><th>load</th><th>store</th>",
	      "html: a memory-type matrix, probes as columns");
	T_HAS(out, "<tr><td>udmabuf.s1_normal_wb</td><td class=\"pass\">ok / ok</td>",
	      "html: expected / observed per probe");
	free(out);
	free(chrome);
}

/* The TAP of a run through prove and python3-tap, counts as results.json has them. */
static void test_tap_consumers(void)
{
	char *out = NULL;

	if (t_have("prove"))
		T_INT(t_sh(NULL, "prove -e cat '%s/rk/latest/ok.tap' >/dev/null 2>&1", root), 0, "prove: ok.tap passes");
	if (t_sh(NULL, "%s -c 'import tap.parser'", py) != 0) {
		t_skip("python3-tap not installed", "tappy");
		return;
	}
	t_sh(&out, "%s '%s/check_tap.py' '%s/rk/latest/ok.tap' 2>/dev/null", py, data, root);
	char *want = NULL;

	t_sh(&want, "%s -c 'import json,sys; c=[c for c in json.load(open(sys.argv[1]))[\"cells\"] if c[\"name\"]==\"ok\"][0][\"counts\"]; print(\"plan %%d results %%d ok %%d not_ok %%d skip %%d\" %% (c[\"total\"], c[\"total\"], c[\"pass\"]+c[\"xfail\"], c[\"fail\"]+c[\"timeout\"]+c[\"error\"]+c[\"xpass\"], c[\"skip\"]))' '%s/rk/latest/results.json'",
	     py, root);
	T_STR(out, want, "python3-tap counts of ok.tap = results.json");
	free(out);
	free(want);
	t_sh(&out, "%s '%s/check_tap.py' '%s/rk/latest/panic.tap' 2>/dev/null", py, data, root);
	T_OK(!strstr(out, "not_ok 0"), "python3-tap: panic.tap has failures: %s", out);
	free(out);
}

int main(void)
{
	t_start("reports from results.json: KCIDB, known issues, compare, shards, merge, HTML");
	const char *rb = getenv("MEMATTR_TEST_RUN"), *s = getenv("MEMATTR_TEST_SRC");

	test_kcidb_names();
	test_known_parse();
	if (!rb || !is_exec_file(rb) || !s || !t_have("python3")) {
		t_skip("MEMATTR_TEST_RUN / MEMATTR_TEST_SRC / python3 not available", "end-to-end tests");
		return t_done();
	}
	if (is_exec_file("/usr/bin/python3"))
		py = "/usr/bin/python3";
	runbin = xstrdup(rb);
	src = xstrdup(s);
	data = path_abs(t_data());
	root = t_tmpdir("post");
	t_sh(NULL, "mkdir -p '%s/build/aarch64/bin' && printf '#!/bin/sh\\nexit 0\\n' > '%s/build/aarch64/bin/memattr-atomics' && cp '%s/build/aarch64/bin/memattr-atomics' '%s/build/aarch64/bin/memattr-memslot' && chmod +x '%s'/build/aarch64/bin/* && cp -r '%s/build/aarch64' '%s/build/x86_64' && printf '%%s' '%s' >'%s/lab.conf'",
	     root, root, root, root, root, root, root, lab_conf, root);
	test_compare();
	test_kcidb_from();
	test_run_known();
	test_shard_merge();
	test_html();
	test_tap_consumers();
	test_identity();
	int rc = t_done();

	if (rc == 0)
		t_sh(NULL, "rm -rf '%s'", root);
	free(root);
	free(data);
	free(src);
	free(runbin);
	return rc;
}
