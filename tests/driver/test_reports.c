// SPDX-License-Identifier: GPL-2.0
/* test_reports.c: the JSON and JUnit writers (escaping; output parsed back by python3's json and
 * xml.etree, and by xmllint when installed) and the summary.
 */
#include "cell.h"
#include "console.h"
#include "report.h"
#include "run.h"
#include "t.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *json_of(const char *s)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	json_write_string(f, s);
	fclose(f);
	return out;
}

static char *xml_of(const char *s, bool attr)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	xml_write_escaped(f, s, attr);
	fclose(f);
	return out;
}

static void test_json_escape(void)
{
	static const struct {
		const char *in, *out, *what;
	} cases[] = {
		{"plain", "\"plain\"", "plain"},
		{"a\"b\\c", "\"a\\\"b\\\\c\"", "quote and backslash"},
		{"l1\nl2\r\t", "\"l1\\nl2\\r\\t\"", "newline, cr, tab"},
		{"\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"", "control characters"},
		{"\b\f", "\"\\b\\f\"", "backspace, form feed"},
		{"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
		 "valid UTF-8 kept"},
		{"bad\xff", "\"bad\\ufffd\"", "invalid byte"},
		{"cut\xe2\x82", "\"cut\\ufffd\\ufffd\"", "truncated sequence"},
		{"over\xc0\xaf", "\"over\\ufffd\\ufffd\"", "overlong encoding"},
		{"sur\xed\xa0\x80", "\"sur\\ufffd\\ufffd\\ufffd\"", "surrogate"},
		{"", "\"\"", "empty"},
		{"</script>", "\"</script>\"", "slash untouched"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = json_of(cases[i].in);

		T_STR(got, cases[i].out, "json: %s", cases[i].what);
		free(got);
	}
	char *n = json_of(NULL);

	T_STR(n, "\"\"", "json: NULL writes an empty string");
	free(n);
}

static void test_xml_escape(void)
{
	char *a = xml_of("a&b<c>d\"e'f\ng\th\ri", true);

	T_STR(a, "a&amp;b&lt;c&gt;d&quot;e&apos;f&#10;g&#9;h&#13;i", "xml attribute");
	free(a);
	char *t = xml_of("a&b<c>d\"e'f\ng\th]]>", false);

	T_STR(t, "a&amp;b&lt;c&gt;d\"e'f\ng\th]]&gt;", "xml text (]]> cannot appear)");
	free(t);
	char *c = xml_of("x\x01y\x1b[0mz", false);

	T_STR(c, "x\xef\xbf\xbdy\xef\xbf\xbd[0mz", "xml: control characters replaced (not allowed in XML 1.0)");
	free(c);
	char *u = xml_of("caf\xc3\xa9\xff\xef\xbf\xbe", false);

	T_STR(u, "caf\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd", "xml: invalid UTF-8 and U+FFFE replaced");
	free(u);
}

/* A cell from console text. */
static struct cell *make_cell(const char *dir, const char *name, const char *text, const char *reason,
			      const char *const *expect)
{
	char *err = NULL;
	struct cell *c = cell_new(dir, name, "arm64", &err);

	if (!c) {
		t_diag("%s", err);
		exit(1);
	}
	cell_fact(c, "cell", name);
	cell_fact(c, "kind", "lab");
	for (size_t i = 0; expect && expect[i]; i++)
		cell_expect_suite(c, expect[i]);
	c->launched = true;
	struct console con;

	console_init(&con, c);
	console_feed(&con, text, strlen(text));
	cell_finish(c, reason);
	console_free(&con);
	return c;
}

static const char nasty[] =
	"@@MEMATTR CELL-BEGIN\n"
	"@@MEMATTR ID kernel_release=7.2.13 <\"odd\" & 'release'>\n"
	"@@MEMATTR ID ctl=a\001b\n"
	"@@MEMATTR SUITE-BEGIN esc\n"
	"TAP version 13\n"
	"1..5\n"
	"# duration_ms=42\n"
	"ok 1 esc.amp&lt<gt>\"q\"'a' caf\xc3\xa9\n"
	"# diag with ]]> and </failure> and \x02 and bad \xff byte\n"
	"# second \"line\" \\ backslash\n"
	"not ok 2 esc.fail\n"
	"# after the failure, belongs to the next result\n"
	"ok 3 esc.skip # SKIP needs <FWB> & \"DIC\"\n"
	"not ok 4 esc.timeout # TIMEOUT 30 seconds\n"
	"ok 5 esc.xfail # XFAIL known & understood\n"
	"@@MEMATTR SUITE-END esc rc=1\n"
	"@@MEMATTR CELL-END\n";

/* A planned run with no cell of its own (the tests add theirs), reports going to rdir. */
static void no_cell_run(struct run *r, struct config *conf, const char *root, const char *rdir)
{
	char *err = NULL;

	config_init(conf, root);
	config_load_text(conf, "t.conf", "[run]\ncells = none\nhost_cell = no\n", &err);
	config_finalize(conf, &err);
	free(err);
	memset(r, 0, sizeof(*r));
	run_plan(r, conf, root);
	r->dir = xstrdup(rdir);
}

static void test_reports(void)
{
	char *root = t_tmpdir("reports");
	char *rdir = path_join(root, "run");

	mkdir_p(rdir);

	struct config conf;
	struct run r;
	char *err = NULL;

	no_cell_run(&r, &conf, root, rdir);
	strvec_push(&conf.files, "t.conf");
	strvec_push(&r.argv, "memattr-run");
	strvec_push(&r.argv, "--filter=\"x\"");

	const char *exp1[] = {"esc", NULL};
	const char *exp2[] = {"atomics", "memslot", NULL};
	char *pp = t_data_path("console-panic.txt");
	char *panic_text = t_read(pp);

	free(pp);
	struct cell *c1 = make_cell(rdir, "nasty", nasty, NULL, exp1);
	struct cell *c2 = make_cell(rdir, "panicky", panic_text, "kernel panic: Oops <&>", exp2);

	free(panic_text);
	strvec_push(&r.cell_names, "nasty");
	strvec_push(&r.cell_names, "panicky");
	r.cells = xrealloc(r.cells, 3 * sizeof(*r.cells));
	r.cells[0] = c1;
	r.cells[1] = c2;
	r.cells[2] = NULL;
	r.t_start = 1.0;
	r.t_end = 3.5;

	char *jp = path_join(rdir, "results.json");
	char *xp = path_join(rdir, "junit.xml");

	T_INT(report_json(&r, jp, &err), 0, "results.json written");
	T_INT(report_junit(&r, xp, &err), 0, "junit.xml written");

	if (!t_have("python3")) {
		t_skip("python3 not installed", "reports parsed back");
	} else {
		char *out = NULL;
		char *checker = t_data_path("check_reports.py");
		int rc = t_sh(&out, "python3 '%s' '%s' '%s'", checker, jp, xp);

		T_INT(rc, 0, "python3 json.load and xml.etree parse both reports");
		T_HAS(out, "format=memattr-results/1\n", "json: format");
		T_HAS(out, "run.status=fail\n", "json: run status");
		T_HAS(out, "tests=9\n", "json: 5 + 4 tests");
		T_HAS(out, "cell.nasty.status=fail\ncell.nasty.reason=null\n", "json: cell status and null reason");
		T_HAS(out, "cell.panicky.status=error\ncell.panicky.reason=\"kernel panic: Oops <&>\"\n",
		      "json: cell error reason");
		T_HAS(out, "cell.nasty.id.kernel_release=\"7.2.13 <\\\"odd\\\" & 'release'>\"\n", "json: identity escaped");
		T_HAS(out, "cell.nasty.id.ctl=\"a\\u0001b\"\n", "json: control character in identity");
		T_HAS(out, "cell.nasty.suite.esc=rc:1 plan:5 results:5\n", "json: suite entry");
		T_HAS(out, "test.nasty.esc.amp&lt<gt>\"q\"'a' caf\xc3\xa9=pass|null|42\n",
		      "json: name with markup and UTF-8, duration");
		T_HAS(out,
		      "test.nasty.esc.fail=fail|\"diag with ]]> and </failure> and \\u0002 and bad \\ufffd byte\\nsecond \\\"line\\\" \\\\ backslash\"|None\n",
		      "json: failure reason = the diagnostics before it");
		T_HAS(out, "test.nasty.esc.skip=skip|\"needs <FWB> & \\\"DIC\\\"\"|None\n", "json: skip reason");
		T_HAS(out, "test.nasty.esc.timeout=timeout|\"TIMEOUT 30 seconds\"|None\n", "json: timeout (the line after esc.fail went to esc.skip)");
		T_HAS(out, "test.nasty.esc.xfail=xfail|\"known & understood\"|None\n", "json: xfail");
		T_HAS(out, "test.panicky.atomics.incomplete=fail|\"cell ended: kernel panic: Oops <&>", "json: panic result");
		T_HAS(out, "junit.root=testsuites tests=9 failures=4 errors=0 skipped=1\n", "junit: totals");
		T_HAS(out, "junit.suite=nasty.esc tests=5 failures=2 errors=0 skipped=1\n", "junit: per cell+suite");
		T_HAS(out, "junit.suite=panicky.atomics tests=3 failures=1", "junit: panic cell suite");
		T_HAS(out, "junit.suite=panicky.memslot tests=1 failures=1", "junit: not-run suite");
		T_HAS(out,
		      "junit.nasty.esc.esc.fail=failure|\"diag with ]]> and </failure> and \\ufffd and bad \\ufffd byte\"|\"diag with ]]> and </failure> and \\ufffd and bad \\ufffd byte\\nsecond \\\"line\\\" \\\\ backslash\"\n",
		      "junit: failure text = diagnostics printed BEFORE the result");
		T_HAS(out, "junit.nasty.esc.esc.skip=skipped|\"needs <FWB> & \\\"DIC\\\"\"|null\n", "junit: skipped message");
		T_HAS(out, "junit.nasty.esc.esc.timeout=failure|\"TIMEOUT 30 seconds\"|\"TIMEOUT 30 seconds\"\n",
		      "junit: timeout is a failure");
		T_HAS(out, "junit.nasty.esc.esc.xfail=pass|null|\"XFAIL: known & understood\"\n", "junit: xfail passes");
		free(out);
		free(checker);
	}
	if (t_have("xmllint"))
		T_INT(t_sh(NULL, "xmllint --noout '%s'", xp), 0, "xmllint accepts junit.xml");
	else
		t_skip("xmllint not installed", "xmllint");

	/* summary */
	char *sum = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&sum, &n);

	summary_write(f, &r);
	fclose(f);
	T_HAS(sum, "\nnasty ", "summary: a line per cell");
	T_HAS(sum, "error: kernel panic: Oops <&>", "summary: reason shown");
	T_HAS(sum, "totals: 2 cell(s): 0 pass, 1 fail, 1 error; tests: 4 pass, 4 fail, 1 skip (xfail 1, xpass 0 in pass; timeout 1, error 0 in fail)",
	      "summary: totals");
	T_HAS(sum, "failures:\n  nasty esc.fail: diag with", "summary: failures listed");
	T_HAS(sum, "result: FAIL\n", "summary: verdict");
	free(sum);

	free(jp);
	free(xp);
	free(err);
	run_free(&r);
	config_free(&conf);
	t_sh(NULL, "rm -rf '%s'", root);
	free(rdir);
	free(root);
}

static const char matrix_console[] =
	"@@MEMATTR CELL-BEGIN\n"
	"@@MEMATTR ID kvm_mode=vhe\n"
	"@@MEMATTR SUITE-BEGIN pfnmap\n"
	"TAP version 13\n"
	"1..5\n"
	"# source devmem: /dev/mem at 0xa0000000\n"
	"# memtype-platform fwb=1 dic=1 cap243=1 pkvm=0 lse=1\n"
	"# memtype-row row=devmem.s1_normal_wb source=devmem s1=normal-wb s2=device-ngnre eff=device-ngnre judged_type=yes slot_expected=accepted slot_observed=accepted slot_rule=slot.accepted\n"
	"# memtype-cell row=devmem.s1_normal_wb op=load expected=ok observed=ok verdict=match rule=probe.aligned\n"
	"# memtype-rule id=probe.aligned says=aligned loads complete | source=Arm ARM\n"
	"# memtype-cell row=devmem.s1_normal_wb op=unaligned expected=run_EFAULT observed=run_EFAULT verdict=match rule=probe.unaligned_s2_device detail=exit_reason:0\n"
	"# memtype-cell row=devmem.s1_normal_wb op=exec expected=sea_iabt observed=ok verdict=MISMATCH rule=probe.exec_noncacheable\n"
	"not ok 1 pfnmap.access_matrix.devmem.s1_normal_wb\n"
	"# memtype-row row=carveout_wb.s1_normal_wb s2=none eff=none judged_type=yes slot_expected=EINVAL slot_observed=EINVAL slot_rule=slot.cacheable_no_fwb\n"
	"ok 2 pfnmap.access_matrix.carveout_wb.s1_normal_wb\n"
	"ok 3 pfnmap.access_matrix.vfio1.s1_normal_wb # SKIP no second vfio region given\n"
	"# memtype-row row=x s1=normal-wb s2=unobservable eff=unobservable judged_type=no slot_expected=accepted slot_observed=accepted slot_rule=slot.x86\n"
	"# memtype-cell row=x op=load expected=ok observed=ok verdict=match rule=probe.x86_completes\n"
	"ok 4 pfnmap.access_matrix.x\n"
	"# memattr-metric name=pfnmap.rate ops_per_s=12 errors=0\n"
	"ok 5 pfnmap.memslot_rules.udmabuf.shared\n"
	"# Totals: pass:3 fail:1 xfail:0 xpass:0 skip:1 error:0\n"
	"@@MEMATTR SUITE-END pfnmap rc=1\n"
	"@@MEMATTR CELL-END\n";

static void test_matrix(void)
{
	char *root = t_tmpdir("matrix");
	char *rdir = path_join(root, "run");

	mkdir_p(rdir);
	struct config conf;
	struct run r;
	char *err = NULL;

	no_cell_run(&r, &conf, root, rdir);
	const char *exp[] = {"pfnmap", NULL};

	strvec_push(&r.cell_names, "fwb");
	r.cells = xrealloc(r.cells, 2 * sizeof(*r.cells));
	r.cells[0] = make_cell(rdir, "fwb", matrix_console, NULL, exp);
	r.cells[1] = NULL;
	T_OK(matrix_present(&r), "matrix present");
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	matrix_write(f, &r);
	fclose(f);
	const char *sec = strstr(text, "\n== ");

	T_OK(sec && !strstr(sec + 1, "\n== "), "one cell section");
	T_HAS(text, "\n== fwb (arm64, kvm vhe, kernel ?)\nplatform: fwb=1 dic=1 cap243=1 pkvm=0 lse=1\n",
	      "section header");
	T_HAS(text, "judged: 7 cells, 1 mismatches; rows whose memory type the probes pin down: 1, rows where it is not observable: 1, rows whose memslot is refused: 1\n",
	      "counts");
	T_HAS(text, "  row                       stage 2 -> effective                    load  unaligned    exec\n",
	      "columns in order seen");
	T_HAS(text, "  devmem.s1_normal_wb       device-ngnre -> device-ngnre  expected  ok    run_EFAULT   sea_iabt\n",
	      "expected line");
	T_HAS(text, "                                                          observed  ok    run_EFAULT   ok !\n",
	      "observed line, mismatch marked");
	T_HAS(text, "  carveout_wb.s1_normal_wb  none -> none                  memslot: expected EINVAL, observed EINVAL (rule slot.cacheable_no_fwb)\n",
	      "refused slot row");
	T_HAS(text, "  vfio1.s1_normal_wb        skip, no records: no second vfio region given\n",
	      "skipped row");
	T_HAS(text, "  probe.aligned: aligned loads complete | source=Arm ARM\n", "legend");
	/* results.json carries the same records, per test */
	char *jp = path_join(rdir, "results.json");

	T_INT(report_json(&r, jp, &err), 0, "results.json with records written");
	char *js = read_file(jp, NULL);

	T_HAS(js, "{ \"record\": \"memtype-cell\", \"row\": \"devmem.s1_normal_wb\", \"op\": \"exec\", \"expected\": \"sea_iabt\", \"observed\": \"ok\", \"verdict\": \"MISMATCH\", \"rule\": \"probe.exec_noncacheable\"}",
	      "cell record in results.json");
	T_HAS(js, "\"slot_expected\": \"EINVAL\"", "row record in results.json");
	T_HAS(js, "{ \"record\": \"memattr-metric\", \"name\": \"pfnmap.rate\", \"ops_per_s\": \"12\", \"errors\": \"0\"}",
	      "metric record in results.json");
	{
		char *sum = NULL;
		size_t sn = 0;
		FILE *sf = open_memstream(&sum, &sn);

		summary_write(sf, &r);
		fclose(sf);
		T_HAS(sum, "metrics:\n  fwb                  name=pfnmap.rate ops_per_s=12 errors=0\n",
		      "summary lists the metric under metrics:");
		free(sum);
	}
	free(js);
	free(jp);
	T_OK(!strstr(text, "memslot_rules"), "only access_matrix rows");
	free(text);
	free(err);
	run_free(&r);
	config_free(&conf);
	t_sh(NULL, "rm -rf '%s'", root);
	free(rdir);
	free(root);
}

/*
 * The matrix follows the record grammar, not test names: any test's memtype-* records make rows,
 * and a run whose only matrix-like tests skipped has no matrix.
 */
static const char renamed_console[] =
	"@@MEMATTR CELL-BEGIN\n"
	"@@MEMATTR SUITE-BEGIN gmem\n"
	"TAP version 13\n"
	"1..3\n"
	"# memtype-row row=shared.wb s1=normal-wb s2=normal-wb eff=normal-wb judged_type=yes slot_expected=accepted slot_observed=accepted slot_rule=slot.ok\n"
	"# memtype-cell row=shared.wb op=load expected=ok observed=ok verdict=match rule=probe.ok\n"
	"ok 1 gmem.types.shared.wb\n"
	"ok 2 gmem.types.private.wb # SKIP no private memory\n"
	"ok 3 gmem.other.private.wb # SKIP no private memory\n"
	"@@MEMATTR SUITE-END gmem rc=0\n"
	"@@MEMATTR CELL-END\n";

static const char skipped_console[] =
	"@@MEMATTR CELL-BEGIN\n"
	"@@MEMATTR SUITE-BEGIN pfnmap\n"
	"TAP version 13\n"
	"1..1\n"
	"ok 1 pfnmap.access_matrix.vfio1.s1_normal_wb # SKIP no second vfio region given\n"
	"@@MEMATTR SUITE-END pfnmap rc=4\n"
	"@@MEMATTR CELL-END\n";

static void test_matrix_grammar(void)
{
	char *root = t_tmpdir("matrix2");
	char *rdir = path_join(root, "run");
	struct config conf;
	struct run r;
	const char *exp1[] = {"gmem", NULL}, *exp2[] = {"pfnmap", NULL};
	char *text = NULL;
	size_t n = 0;
	FILE *f;

	mkdir_p(rdir);
	no_cell_run(&r, &conf, root, rdir);
	strvec_push(&r.cell_names, "c1");
	r.cells = xrealloc(r.cells, 2 * sizeof(*r.cells));
	r.cells[0] = make_cell(rdir, "c1", skipped_console, NULL, exp2);
	r.cells[1] = NULL;
	T_OK(!matrix_present(&r), "matrix: skipped tests without records make no matrix");
	cell_free(r.cells[0]);
	r.cells[0] = make_cell(rdir, "c1", renamed_console, NULL, exp1);
	T_OK(matrix_present(&r), "matrix: records under any test name make one");
	f = open_memstream(&text, &n);
	matrix_write(f, &r);
	fclose(f);
	T_HAS(text, "  shared.wb   normal-wb -> normal-wb  expected  ok\n", "matrix: row named by its row= key");
	T_HAS(text, "  private.wb  skip, no records: no private memory\n", "matrix: a skipped variant of that test is a row");
	T_OK(!strstr(text, "gmem.other"), "matrix: other tests are not rows");
	free(text);
	run_free(&r);
	config_free(&conf);
	t_sh(NULL, "rm -rf '%s'", root);
	free(rdir);
	free(root);
}

int main(void)
{
	t_start("report writers");
	test_json_escape();
	test_xml_escape();
	test_reports();
	test_matrix();
	test_matrix_grammar();
	return t_done();
}
