// SPDX-License-Identifier: GPL-2.0
/* test_run.c: memattr-run end to end (the ASan/UBSan build), with a fake QEMU that replays recorded
 * consoles (tests/driver/data/fake-qemu.sh), a fake fetch-kernel.sh and mkinitramfs.sh: a normal
 * cell, a kernel panic, a hang killed by the host timeout, QEMU dying early, a cell that never boots,
 * setup errors (missing kernel image, failing fetch, missing QEMU), configuration errors, the halves
 * of a cross-cell migration pair in --dry-run, the native host cell with fake suite programs, and an
 * interrupt.
 */
#include "t.h"

#include <errno.h>
#include <stdarg.h>
#include <sys/utsname.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *root, *data, *runbin;
static const char *qemu_x86 = "/nonexistent/qemu-system-x86_64"; /* MEMATTR_QEMU_X86_64 of driver() */
static struct strvec garbage; /* formatted paths, freed at the end */

static const char *P(const char *fmt, ...) PRINTF_LIKE(1, 2);
static const char *P(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strvec_push_own(&garbage, xvasprintf(fmt, ap));
	va_end(ap);
	return garbage.v[garbage.n - 1];
}

/* t_read of a formatted path */
static char *R(const char *fmt, ...) PRINTF_LIKE(1, 2);
static char *R(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);

	va_end(ap);
	char *s = t_read(p);

	free(p);
	return s;
}

static const char lab_conf[] =
	"[run]\n"
	"cells = ok, panic, hang, qexit, noboot, nokernel, badfetch, noqemu\n"
	"host_cell = no\n"
	"jobs = 4\n"
	"cell_timeout = 4\n"
	"reboot_after_panic = no\n"
	"[cell ok]\narch = arm64\nappend = fake.transcript=pass\n"
	"[cell panic]\narch = arm64\ncpu = neoverse-n1\nappend = fake.transcript=panic\n"
	"[cell hang]\narch = arm64\nappend = fake.transcript=truncated fake.end=hang\n"
	"[cell qexit]\narch = arm64\nappend = fake.transcript=truncated fake.end=exit3\n"
	"[cell noboot]\narch = arm64\nappend = fake.transcript=noboot\n"
	"[cell nokernel]\narch = arm64\nkernel = /nonexistent/vmlinuz\n"
	"[cell badfetch]\narch = arm64\nflavour = broken\n"
	"[cell noqemu]\narch = x86_64\n"
	"[cell panicmid]\narch = arm64\nappend = fake.transcript=panicmid\n";

static void write_file(const char *path, const char *text, bool exec)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		t_diag("cannot write %s", path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	if (exec)
		t_sh(NULL, "chmod +x '%s'", path);
}

/* Run the driver in the scratch project; stdout/stderr into out/err (caller frees). */
static int driver(char **out, char **err, const char *args)
{
	int rc = t_sh(NULL,
		      "cd '%s' && MEMATTR_ROOT='%s' MEMATTR_CACHE='%s/cache' MEMATTR_QEMU_AARCH64='%s/fake-qemu.sh' MEMATTR_QEMU_X86_64='%s' MEMATTR_FETCH_KERNEL='%s/fake-fetch-kernel.sh' MEMATTR_MKINITRAMFS='%s/fake-mkinitramfs.sh' MEMATTR_BUILD_KVM='%s/fake-build-kvm.sh' MEMATTR_FAKE_PIDFILE='%s/hang-suite.pid' '%s' %s >out.txt 2>err.txt",
		      root, root, root, data, qemu_x86, data, data, data, root, runbin, args);
	char *p = path_join(root, "out.txt");
	*out = t_read(p);
	free(p);
	p = path_join(root, "err.txt");
	*err = t_read(p);
	free(p);
	return rc;
}

static void no_sanitizer_errors(const char *err, const char *what)
{
	T_OK(!strstr(err, "AddressSanitizer") && !strstr(err, "LeakSanitizer") &&
	     !strstr(err, "runtime error"),
	     "%s: no sanitizer report", what);
}

static char *latest_file(const char *rel)
{
	char *p = xasprintf("%s/reports/latest/%s", root, rel);
	char *s = t_read(p);

	free(p);
	return s;
}

static char *check(void)
{
	char *out = NULL;

	t_sh(&out, "python3 '%s/check_reports.py' '%s/reports/latest/results.json' '%s/reports/latest/junit.xml'",
	     data,
	     root, root);
	return out;
}

/* Alive = exists and is not a zombie (PID 1 of a container may reap late); waits up to 2 s. */
static bool pid_alive(const char *pidfile)
{
	char *s = t_read(pidfile);
	long pid = strtol(s, NULL, 10);

	free(s);
	if (pid <= 0)
		return false;
	for (int i = 0; i < 20; i++) {
		char *st = R("/proc/%ld/stat", pid);
		const char *rp = strrchr(st, ')');
		bool alive = rp && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X';

		free(st);
		if (!alive)
			return false;
		usleep(100000);
	}
	return true;
}

static void test_lab(void)
{
	char *out, *err;
	double t0 = mono_now();
	int rc = driver(&out, &err, "--no-defaults --config lab.conf");
	double dt = mono_now() - t0;

	T_INT(rc, 1, "lab: exit status 1 (failures and errors)");
	T_OK(dt < 60, "lab: eight cells in %.1f s (parallel, bounded by the 4 s timeout)", dt);
	no_sanitizer_errors(err, "lab");
	T_HAS(out, "result: FAIL", "lab: summary verdict");
	T_HAS(out, "\nok ", "lab: summary row for ok");
	T_HAS(err, "[", "lab: progress on stderr");

	char *link = NULL;

	t_sh(&link, "readlink '%s/reports/latest'", root);
	char *target = str_trim(link);

	T_OK(strlen(target) == 16 && target[8] == 'T' && target[15] == 'Z', "lab: reports/latest -> <UTC timestamp> (%s)",
	     target);
	free(link);

	if (!t_have("python3")) {
		t_skip("python3 missing", "lab: results.json checks");
	} else {
		char *c = check();

		T_HAS(c, "run.status=fail\n", "lab: run status");
		T_HAS(c, "run.config_files=1\n", "lab: config files recorded");
		T_HAS(c, "cell.ok.status=pass\ncell.ok.reason=null\ncell.ok.kind=lab\n", "lab: ok passes");
		T_HAS(c, "cell.ok.id.qemu_version=\"99.1.0 (memattr fake)\"\n", "lab: QEMU version in identity");
		T_HAS(c, "cell.ok.id.kernel_package=\"linux-binary-7.2.13+deb14-arm64\"\n", "lab: kernel package");
		T_HAS(c, "cell.ok.id.kernel_version=\"7.2.13-1\"\n", "lab: kernel version");
		T_HAS(c, "cell.ok.id.kernel_release=\"7.2.13+deb14-arm64\"\n", "lab: kernel release from the cell");
		T_HAS(c, "cell.ok.id.kvm_mode=\"vhe\"\n", "lab: KVM mode from the cell");
		T_HAS(c, "cell.panic.id.cpu=\"neoverse-n1\"\n", "lab: cpu in identity");
		T_HAS(c, "cell.panic.status=error\ncell.panic.reason=\"kernel panic: Kernel panic - not syncing: Oops: Fatal exception (reboot_after_panic = no)\"",
		      "lab: panic reason");
		T_HAS(c, "test.panic.atomics.panic=fail|\"kernel panic in boot 1: Kernel panic - not syncing: Oops: Fatal exception\\n[   20.100000] Unable to handle kernel paging request",
		      "lab: the panic and the Oops before it attached to the suite (no TEST list: the test is unknown)");
		T_HAS(c, "the running test is unknown: no @@MEMATTR TEST list", "lab: says why no test is named");
		T_HAS(c, "test.panic.memslot.incomplete=fail|\"not run: cell ended: kernel panic", "lab: pending suite not run");
		T_HAS(c, "test.panic.atomics.b=pass", "lab: results before the panic kept");
		T_HAS(c, "cell.hang.status=error\ncell.hang.reason=\"timeout: no CELL-END after 4 s (QEMU killed)\"",
		      "lab: hang killed by the host timeout");
		T_HAS(c, "test.hang.atomics.incomplete=fail|\"cell ended: timeout: no CELL-END after 4 s (QEMU killed) (2 of 4",
		      "lab: hang result appended");
		T_OK(!strstr(c, "atomics.par"), "lab: the cut line is no result");
		T_HAS(c, "cell.qexit.reason=\"QEMU exited before CELL-END (exit status 3): qemu-system-fake: terminating on a fake fatal error\"",
		      "lab: QEMU exiting early, with its status and message");
		T_HAS(c, "cell.noboot.reason=\"kernel panic: Kernel panic - not syncing: VFS: Unable to mount root fs",
		      "lab: panic before CELL-BEGIN");
		T_HAS(c, "test.noboot.cell.noboot.boot=fail|", "lab: boot failure result");
		T_HAS(c, "cell.nokernel.reason=\"kernel image /nonexistent/vmlinuz not found\"", "lab: missing kernel image");
		T_HAS(c, "test.nokernel.cell.nokernel.setup=fail|", "lab: setup failure result");
		T_HAS(c, "cell.badfetch.reason=\"kernel: fetch-kernel: no package linux-image-broken in sid\"",
		      "lab: failing fetch names the cause");
		T_HAS(c, "cell.noqemu.reason=\"QEMU binary /nonexistent/qemu-system-x86_64 not found\"", "lab: missing QEMU");
		T_HAS(c, "junit.suite=panic.atomics tests=3 failures=1", "lab: junit for the panic cell");
		free(c);
	}
	/* streamed files */
	char *at = latest_file("hang/atomics.tap");

	T_STR(at, "TAP version 13\n1..4\nok 1 atomics.a\nok 2 atomics.b\n# 4 vCPU(s) x 100000 iterations\n",
	      "lab: a killed cell's results stay on disk");
	free(at);
	char *log = latest_file("hang/console.log");

	T_OK(str_ends(log, "ok 3 atomics.par\r\n") || str_ends(log, "ok 3 atomics.par\n") ||
	     str_ends(log, "ok 3 atomics.par\r"),
	     "lab: the cut console line is logged");
	free(log);
	char *sleep_pid = path_join(root, "build/lab/hang/fake-sleep.pid");

	T_OK(!pid_alive(sleep_pid), "lab: the hung QEMU's whole process group was killed");
	free(sleep_pid);
	char *id = latest_file("ok/identity.txt");

	T_HAS(id, "cell=ok\nkind=lab\narch=arm64\n", "lab: identity.txt host facts");
	T_HAS(id, "\nkvm_mode=vhe\n", "lab: identity.txt cell facts");
	free(id);
	char *qerr = latest_file("qexit/qemu-stderr.log");

	T_HAS(qerr, "fake fatal error", "lab: QEMU stderr kept");
	free(qerr);
	char *append = R("%s/build/lab/ok/fake-append.txt", root);

	T_HAS(append, "console=ttyAMA0 quiet loglevel=3 panic=-1 memattr.suites=atomics,memslot memattr.timeout_scale=1 fake.transcript=pass",
	      "lab: kernel command line");
	free(append);
	char *args = R("%s/build/lab/ok/initrd.cpio.gz.args", root);

	T_HAS(args, "--arch arm64 --busybox ", "lab: mkinitramfs arch and busybox");
	T_HAS(args, "--kernel-release 7.2.13+deb14-arm64 --bin-dir ", "lab: mkinitramfs kernel release");
	T_HAS(args, "/build/aarch64/bin --out ", "lab: mkinitramfs bin dir of the arch");
	free(args);
	char *calls = R("%s/cache/fake/calls", root);

	T_STR(calls, "arm64 arm64\narm64 broken\n", "lab: one fetch per distinct kernel (memoized, serialized)");
	free(calls);
	if (t_have("prove")) {
		T_INT(t_sh(NULL, "prove -e cat '%s/reports/latest/ok.tap' >/dev/null 2>&1", root), 0,
		      "lab: prove accepts the passing cell's TAP");
		T_OK(t_sh(NULL, "prove -e cat '%s/reports/latest/panic.tap' >/dev/null 2>&1", root) != 0,
		     "lab: prove rejects the panicked cell's TAP");
		T_OK(t_sh(NULL, "prove -e cat '%s/reports/latest/noqemu.tap' >/dev/null 2>&1", root) != 0,
		     "lab: prove rejects the cell that could not start");
	} else {
		t_skip("prove missing", "lab: prove");
	}
	free(out);
	free(err);
}

static void test_lab_pass(void)
{
	char *out, *err;
	int rc = driver(&out, &err,
			"--no-defaults --config lab.conf --cells ok --filter 'memslot.*' --timeout-scale 2 --report-dir reports2 --set cell.ok.cpu=cortex-a57");
	T_INT(rc, 0, "pass: exit status 0");
	no_sanitizer_errors(err, "pass");
	T_HAS(out, "result: PASS", "pass: verdict");
	char *append = R("%s/build/lab/ok/fake-append.txt", root);

	T_HAS(append, "memattr.timeout_scale=2 memattr.filter=memslot.* fake.transcript=pass",
	      "pass: --timeout-scale and --filter reach the kernel command line");
	free(append);
	char *cmd = NULL;

	t_sh(&cmd, "cat '%s'/reports2/latest/ok/qemu-cmdline.txt", root);
	T_HAS(cmd, " -cpu cortex-a57 ", "pass: --set overrides the cell's cpu");
	T_HAS(cmd, "-M virt,virtualization=on,gic-version=3 ", "pass: arm64 machine");
	free(cmd);
	t_sh(&cmd, "cat '%s'/reports2/latest/ok/identity.txt", root);
	T_HAS(cmd, "devices=none\n", "pass: a cell without devices records none");
	free(cmd);
	free(out);
	free(err);
	rc = driver(&out, &err,
		    "--no-defaults --config lab.conf --cells ok --report-dir reports2d --set cell.ok.pci=edu --set cell.ok.disk=2M");
	T_INT(rc, 0, "pci=edu, disk=2M: exit status 0");
	no_sanitizer_errors(err, "pci=edu, disk=2M");
	t_sh(&cmd, "cat '%s'/reports2d/latest/ok/identity.txt", root);
	T_HAS(cmd, "iommu=smmuv3\n", "pci=edu: the identity names the IOMMU of the QEMU command");
	T_HAS(cmd, "devices=edu,virtio-blk-pci\n", "disk: the identity lists the devices of the QEMU command");
	T_HAS(cmd, "disk=2M\n", "disk: the identity records the disk's size");
	free(cmd);
	t_sh(&cmd, "stat -c %%s '%s'/reports2d/latest/ok/scratch-disk.raw", root);
	T_HAS(cmd, "2097152", "disk: a 2 MiB scratch image in the cell's report directory");
	free(cmd);
	t_sh(&cmd, "cat '%s'/reports2d/latest/ok/qemu-cmdline.txt", root);
	T_HAS(cmd, "/reports2d/", "disk: QEMU gets the image in the report directory");
	free(cmd);
	free(out);
	free(err);
}

/* Configured fixtures that cannot be built fail the cell (cell.<cell>.fixtures), the suites still run. */
static void test_lab_fixtures_fail(void)
{
	char *script = path_join(root, "fake-build-fixtures.sh");

	write_file(script, "#!/bin/sh\necho 'build-fixtures: missing openssl/opensslv.h; install libssl-dev' >&2\nexit 1\n",
		   true);
	char *out, *err;
	char *args = xasprintf("--no-defaults --config lab.conf --cells ok --set run.fixtures=1 --report-dir reports3");

	setenv("MEMATTR_BUILD_FIXTURES", script, 1);
	int rc = driver(&out, &err, args);

	unsetenv("MEMATTR_BUILD_FIXTURES");
	T_INT(rc, 1, "fixtures: a configured build that fails makes the run fail");
	no_sanitizer_errors(err, "fixtures");
	char *tap = NULL;

	t_sh(&tap, "cat '%s'/reports3/latest/ok.tap", root);
	T_HAS(tap, "not ok 1 cell.ok.fixtures # build-fixtures: missing openssl/opensslv.h; install libssl-dev\n",
	      "fixtures: failing result with the reason");
	free(tap);
	free(args);
	free(script);
	free(out);
	free(err);
}

/* A kernel panic in the middle of a suite: the results before it stay, the test that was running
 * gets the panic text, a second boot runs the tests after it and the remaining suites.
 */
static void test_lab_panic_reboot(void)
{
	char *out, *err;
	double t0 = mono_now();
	int rc = driver(&out, &err,
			"--no-defaults --config lab.conf --set run.cell_timeout=60 --cells panicmid --set run.reboot_after_panic=yes --report-dir reports5");
	T_INT(rc, 1, "panic reboot: exit status 1 (the crashed test failed)");
	T_OK(mono_now() - t0 < 30, "panic reboot: two boots in %.1f s", mono_now() - t0);
	no_sanitizer_errors(err, "panic reboot");
	T_HAS(err, "boot 2 runs atomics,memslot, resuming atomics:atomics.c", "panic reboot: progress names the reboot");
	char *appends = R("%s/build/lab/panicmid/fake-appends.log", root);

	T_HAS(appends, "memattr.suites=atomics,memslot memattr.timeout_scale=1 fake.transcript=panicmid\n"
		       "console=ttyAMA0 quiet loglevel=3 panic=-1 memattr.suites=atomics,memslot memattr.resume=atomics:atomics.c memattr.timeout_scale=1",
	      "panic reboot: boot 2 resumes atomics after the crashed test");
	free(appends);
	char *c = NULL;

	t_sh(&c, "python3 '%s/check_reports.py' '%s/reports5/latest/results.json' '%s/reports5/latest/junit.xml'",
	     data,
	     root, root);
	T_HAS(c, "cell.panicmid.status=fail\ncell.panicmid.reason=null\n", "panic reboot: the cell fails, no cell error");
	T_HAS(c, "test.panicmid.atomics.a=pass", "panic reboot: result before the panic kept");
	T_HAS(c, "test.panicmid.atomics.b=skip|\"CPU has no LSE atomics\"", "panic reboot: skip before the panic kept");
	T_HAS(c, "test.panicmid.atomics.c=fail|\"kernel panic in boot 1: Kernel panic - not syncing: sysrq triggered crash\\n"
		 "about to write c to /proc/sysrq-trigger\\n[   20.000000] sysrq: Trigger a crash\\n[   20.000001] Kernel panic",
	      "panic reboot: the running test gets the panic with the lines before it");
	T_HAS(c, "Call trace:\\n[   20.000004]  show_stack+0x20/0x38 (C)", "panic reboot: call trace attached");
	T_OK(!strstr(c, "an unrelated message long before"), "panic reboot: older kernel lines are not the panic's");
	T_HAS(c, "test.panicmid.atomics.d=pass", "panic reboot: boot 2 ran the test after the crashed one");
	T_HAS(c, "test.panicmid.atomics.e=pass", "panic reboot: and the next");
	T_HAS(c, "test.panicmid.memslot.a=pass", "panic reboot: and the suite that had not run");
	T_HAS(c, "cell.panicmid.suite.atomics=rc:0 plan:5 results:5", "panic reboot: one suite, its first plan met");
	T_OK(!strstr(c, "incomplete") && !strstr(c, "atomics.plan"), "panic reboot: nothing incomplete");
	T_HAS(c, "tests=6\n", "panic reboot: six results");
	T_HAS(c, "junit.suite=panicmid.atomics tests=5 failures=1", "panic reboot: junit merged");
	free(c);
	char *tap = R("%s/reports5/latest/panicmid.tap", root);

	T_HAS(tap, "# kernel panic in boot 1: Kernel panic - not syncing: sysrq triggered crash\n# about to write c to /proc/sysrq-trigger\n# [   20.000000] sysrq: Trigger a crash\n",
	      "panic reboot: the panic text as diagnostics");
	T_HAS(tap, "not ok 3 atomics.c # kernel panic in boot 1: Kernel panic - not syncing: sysrq triggered crash\n",
	      "panic reboot: the crashed test's result line");
	T_HAS(tap, "# boot 2 (the previous boot ended in a kernel panic)\n# suite atomics (boot 2: the tests after atomics.c)\n",
	      "panic reboot: the combined TAP says where boot 2 starts");
	T_HAS(tap, "ok 4 atomics.d\nok 5 atomics.e\n", "panic reboot: numbering goes on");
	T_HAS(tap, "\n1..6\n", "panic reboot: one plan");
	free(tap);
	char *st = R("%s/reports5/latest/panicmid/atomics.tap", root);

	T_HAS(st, "ok 2 atomics.b # SKIP CPU has no LSE atomics\n# about to write c to /proc/sysrq-trigger\n"
		  "# memattr-run: kernel panic in atomics.c (boot 1)",
	      "panic reboot: the suite's own stream notes the panic");
	T_HAS(st, "# memattr-run: boot 2 resumes after atomics.c (a kernel panic ended boot 1 in it)\nTAP version 13\n1..2\n",
	      "panic reboot: and continues with boot 2's stream");
	free(st);
	char *sum = R("%s/reports5/latest/summary.txt", root);

	T_HAS(sum, "fail: 1 kernel panic(s), 2 boot(s)", "panic reboot: summary status");
	free(sum);
	if (t_have("prove"))
		T_OK(t_sh(NULL, "prove -e cat '%s/reports5/latest/panicmid.tap' >/dev/null 2>&1", root) != 0,
		     "panic reboot: prove parses the merged TAP and sees the failure");
	free(out);
	free(err);

	/* panic_reboots = 0: no reboot, the rest is reported as not run */
	rc = driver(&out, &err, "--no-defaults --config lab.conf --set run.cell_timeout=60 --cells panicmid --set run.reboot_after_panic=yes --set run.panic_reboots=0 --report-dir reports6");
	T_INT(rc, 1, "no reboot: exit status 1");
	no_sanitizer_errors(err, "no reboot");
	c = NULL;
	t_sh(&c, "python3 '%s/check_reports.py' '%s/reports6/latest/results.json'", data, root);
	T_HAS(c, "cell.panicmid.status=error\ncell.panicmid.reason=\"kernel panic: Kernel panic - not syncing: sysrq triggered crash (boot 1; panic_reboots = 0 used up)\"",
	      "no reboot: cell error naming the limit");
	T_HAS(c, "test.panicmid.atomics.c=fail|\"kernel panic in boot 1", "no reboot: the panic still goes to its test");
	T_HAS(c, "test.panicmid.atomics.incomplete=fail|\"the tests after atomics.c not run: cell ended: kernel panic",
	      "no reboot: the rest of the suite is reported as not run");
	T_HAS(c, "test.panicmid.memslot.incomplete=fail|\"not run: cell ended: kernel panic", "no reboot: pending suite");
	free(c);
	free(out);
	free(err);
}

/* A boot that never reaches CELL-BEGIN: killed at boot_stall, booted once more, recorded. */
static void test_lab_boot_stall(void)
{
	char *out = NULL, *err = NULL, *c = NULL;
	int rc;

	write_file(P("%s/stall.conf", root),
		   "[cell stallonce]\narch = arm64\nappend = fake.transcript=pass fake.end=stallonce\n"
		   "[cell stall]\narch = arm64\nappend = fake.transcript=pass fake.end=stall\n", false);
	rc = driver(&out, &err, "--no-defaults --config lab.conf --config stall.conf --set run.cell_timeout=60 --set run.boot_stall=2 --cells stallonce,stall --report-dir reports10");
	T_INT(rc, 1, "boot stall: exit status 1 (one cell stalls twice)");
	no_sanitizer_errors(err, "boot stall");
	t_sh(&c, "python3 '%s/check_reports.py' '%s/reports10/latest/results.json'", data, root);
	T_HAS(c, "cell.stallonce.status=pass", "boot stall: a stall then a good boot passes");
	T_HAS(c, "cell.stall.status=error\ncell.stall.reason=\"boot stalled: no CELL-BEGIN 2 s after QEMU started",
	      "boot stall: two stalls end the cell as an error, named");
	free(c);
	c = NULL;
	t_sh(&c, "cat '%s/reports10/latest/stallonce.tap' '%s/reports10/latest/results.json'", root, root);
	T_HAS(c, "# boot 2 (the previous boot ended in a boot stall)", "boot stall: the cell's TAP says so");
	T_HAS(c, "\"boot 1: boot stalled: no CELL-BEGIN 2 s after QEMU started",
	      "boot stall: the stall is a note of the cell in results.json");
	free(c);
	free(out);
	free(err);
}

/* kvm_mode and /dev/kvm; expected-skip profiles. */
static void test_lab_checks(void)
{
	write_file(P("%s/good.skips", root),
		   "# the pass transcript skips one test\n[skip]\ntests = atomics.lse_*\nreason = CPU has no LSE*\n"
		   "why = the fake CPU has no LSE\n",
		   false);
	write_file(P("%s/bad.skips", root),
		   "[skip]\ntests = memslot.basic\nreason_re = ^not (here|there)$\nwhy = never skips: did not happen\n"
		   "[skip]\ntests = atomics.gone.*\nreason = *\nwhy = no such test: stale\n"
		   "[skip]\ntests = pfnmap.*\nreason = *\nwhy = suite not in this run: ignored\n"
		   "[skip]\ntests = memslot.pfnmap_log_dirty\nreason = *\noccurs = sometimes\nwhy = may skip, did not: fine\n",
		   false);
	write_file(P("%s/checks.conf", root),
		   "[cell skipok]\narch = arm64\nkvm_mode = vhe\nexpected_skips = good.skips\nappend = fake.transcript=pass\n"
		   "[cell skipbad]\narch = arm64\nexpected_skips = bad.skips\nappend = fake.transcript=pass\n"
		   "[cell kvmbad]\narch = arm64\nkvm_mode = nvhe\nappend = fake.transcript=pass\n"
		   "[cell nokvm]\narch = arm64\nappend = fake.transcript=pass fake.nokvm=1\n",
		   false);
	char *out, *err;
	int rc = driver(&out, &err,
			"--no-defaults --config lab.conf --set run.cell_timeout=60 --config checks.conf --cells skipok,skipbad,kvmbad,nokvm --report-dir reports7");
	T_INT(rc, 1, "checks: exit status 1");
	no_sanitizer_errors(err, "checks");
	char *c = NULL;

	t_sh(&c, "python3 '%s/check_reports.py' '%s/reports7/latest/results.json' '%s/reports7/latest/junit.xml'",
	     data,
	     root, root);
	T_HAS(c, "cell.skipok.status=pass\n", "checks: expected skips and the right KVM mode pass");
	T_OK(!strstr(c, "test.skipok.cell."), "checks: no synthetic result for the passing cell");
	T_HAS(c, "cell.kvmbad.status=error\n", "checks: wrong KVM mode is a cell error");
	T_HAS(c, "test.kvmbad.cell.kvmbad.kvm=error|\"KVM mode is vhe, but the cell is configured with kvm_mode = nvhe\"",
	      "checks: cell.<cell>.kvm names both modes");
	T_HAS(c, "cell.nokvm.status=error\n", "checks: a lab cell without /dev/kvm is an error");
	T_HAS(c, "test.nokvm.cell.nokvm.kvm=error|\"/dev/kvm is missing in the cell (dev_kvm=no, kvm_mode=none)",
	      "checks: without kvm_mode too");
	T_HAS(c, "cell.skipbad.status=fail\n", "checks: skips off the profile fail the cell");
	T_HAS(c, "test.skipbad.cell.skipbad.expected_skips=fail|\"skips differ from bad.skips: 1 unexpected skip(s), 1 expected skip(s) did not happen, 1 stale entry\\n",
	      "checks: the verdict's first line");
	T_HAS(c, "\\nunexpected skip: atomics.lse_on_v80: CPU has no LSE atomics (no entry in bad.skips)",
	      "checks: the unexpected skip, one line");
	T_HAS(c, "\\nexpected skip did not happen: bad.skips:1 [memslot.basic]: memslot.basic pass (why: never skips: did not happen)",
	      "checks: the skip that did not happen, one line");
	T_HAS(c, "\\nstale entry: bad.skips:5 [atomics.gone.*] matches no test of the cell", "checks: the stale entry");
	T_OK(!strstr(c, "bad.skips:9") && !strstr(c, "bad.skips:13"),
	     "checks: entries of suites not run and 'sometimes' entries are not failures");
	T_HAS(c, "junit.skipbad.cell.cell.skipbad.expected_skips=failure|", "checks: in junit.xml");
	free(c);
	char *sum = R("%s/reports7/latest/summary.txt", root);

	T_HAS(sum, "skips skipok               1 skip(s), all expected (good.skips)\n", "checks: summary verdict per cell");
	T_HAS(sum, "skips skipbad              FAIL: skips differ from bad.skips:", "checks: summary failure");
	T_HAS(sum, "skips not judged: no profile: kvmbad, nokvm\n", "checks: cells without a profile are named");
	T_HAS(sum, "kvmbad cell.kvmbad.kvm error: KVM mode is vhe, but the cell is configured with kvm_mode = nvhe",
	      "checks: summary lists the error");
	free(sum);
	char *tap = R("%s/reports7/latest/skipbad.tap", root);

	T_HAS(tap, "# skips differ from bad.skips: 1 unexpected skip(s), 1 expected skip(s) did not happen, 1 stale entry\n"
		   "# unexpected skip: atomics.lse_on_v80",
	      "checks: one diagnostic line each in the TAP");
	free(tap);
	free(out);
	free(err);

	/* with --filter, an entry that matches no test that ran is ignored */
	rc = driver(&out, &err, "--no-defaults --config lab.conf --set run.cell_timeout=60 --config checks.conf --cells skipbad --filter 'memslot.*' --report-dir reports8");
	no_sanitizer_errors(err, "checks filtered");
	c = NULL;
	t_sh(&c, "python3 '%s/check_reports.py' '%s/reports8/latest/results.json'", data, root);
	T_OK(!strstr(c, "stale entry"), "checks: no stale entry under --filter");
	free(c);
	free(out);
	free(err);

	/* profile errors are configuration errors: FILE:LINE, exit 2 */
	write_file(P("%s/broken.skips", root), "[skip]\ntests = a.*\nreason_re = (unclosed\nwhy = x\n",
		   false);
	write_file(P("%s/broken.conf", root), "[cell skipok]\nexpected_skips = broken.skips\n", false);
	rc = driver(&out, &err, "--no-defaults --config lab.conf --set run.cell_timeout=60 --config checks.conf --config broken.conf --cells skipok");
	T_INT(rc, 2, "checks: a bad profile exits 2");
	T_HAS(err, "memattr-run: broken.skips:3: reason_re: bad regular expression '(unclosed'", "checks: FILE:LINE of the profile");
	free(out);
	free(err);
	write_file(P("%s/broken.skips", root), "[skip]\ntests = a.*\nreason = x\n", false);
	rc = driver(&out, &err, "--no-defaults --config lab.conf --set run.cell_timeout=60 --config checks.conf --config broken.conf --cells skipok");
	T_INT(rc, 2, "checks: an entry without why exits 2");
	T_HAS(err, "memattr-run: broken.skips:1: [skip] without 'why = ...'", "checks: names the entry");
	free(out);
	free(err);
	rc = driver(&out, &err, "--no-defaults --config lab.conf --set cell.ok.kvm_mode=svm --cells ok");
	T_INT(rc, 2, "checks: an x86 KVM mode on an arm64 cell exits 2");
	T_HAS(err, "kvm_mode svm is not a KVM mode of arm64", "checks: kvm_mode checked against the arch");
	free(out);
	free(err);
}

/*
 * kvm_config: the rebuilt KVM modules replace Debian's in the initramfs and the identity says so;
 * the loaded modules must be the ones built (cell.<cell>.kvm_modules), KVM_CAP_VM_TYPES must be
 * kvm_vm_types (cell.<cell>.kvm_vm_types), and a build that fails ends the cell before it boots.
 */
static void test_lab_kvm_config(void)
{
	write_file(P("%s/kvm.conf", root),
		   "[cell privok]\narch = x86_64\nkvm_mode = svm\nkvm_config = +KVM_SW_PROTECTED_VM\nkvm_vm_types = 0x3\n"
		   "append = fake.transcript=x86private\n"
		   "[cell privtypes]\narch = x86_64\nkvm_config = +KVM_SW_PROTECTED_VM\nkvm_vm_types = 0x1\n"
		   "append = fake.transcript=x86private\n"
		   "[cell privid]\narch = x86_64\nkvm_config = +KVM_SMM\nappend = fake.transcript=x86private\n"
		   "[cell privfail]\narch = x86_64\nkvm_config = +KVM_WERROR\nkvm_vm_types = 0x3\n"
		   "append = fake.transcript=x86private\n"
		   "[cell stock]\narch = x86_64\nappend = fake.transcript=x86private\n",
		   false);
	t_sh(NULL, "cp '%s'/build/aarch64/bin/memattr-* '%s/build/x86_64/bin/'", root, root);
	qemu_x86 = P("%s/fake-qemu.sh", data);
	char *out, *err, *c = NULL;
	int rc = driver(&out, &err,
			"--no-defaults --config lab.conf --set run.cell_timeout=60 --config kvm.conf --cells privok,privtypes,privid,privfail,stock --report-dir reports9");

	qemu_x86 = "/nonexistent/qemu-system-x86_64";
	T_INT(rc, 1, "kvm_config: exit status 1 (cell errors)");
	no_sanitizer_errors(err, "kvm_config");
	t_sh(&c, "python3 '%s/check_reports.py' '%s/reports9/latest/results.json' '%s/reports9/latest/junit.xml'",
	     data, root, root);
	T_HAS(c, "cell.privok.status=pass\n", "kvm_config: the rebuilt modules loaded, VM types as configured");
	T_OK(!strstr(c, "test.privok.cell."), "kvm_config: no synthetic result for the passing cell");
	T_HAS(c, "cell.privok.id.kvm_modules=\"rebuilt\"\ncell.privok.id.kvm_config=\"+KVM_SW_PROTECTED_VM\"\n"
		 "cell.privok.id.kvm_config_delta=\"CONFIG_KVM_SW_PROTECTED_VM=y\"\n"
		 "cell.privok.id.kvm_modules_source=\"deb:linux-source-7.2=7.2.13-1\"\n"
		 "cell.privok.id.kvm_modules_build_id=\"kvm:1111,kvm_amd:2222\"\n"
		 "cell.privok.id.kvm_modules_build=\"cached (built in 65.3 s)\"\n",
	      "kvm_config: the identity records the rebuilt modules and the config change");
	T_HAS(c, "cell.stock.id.kvm_modules=\"debian\"\n", "kvm_config: a cell without it records Debian's modules");
	T_HAS(c, "cell.privtypes.status=error\n", "kvm_vm_types: another KVM_CAP_VM_TYPES is a cell error");
	T_HAS(c, "test.privtypes.cell.privtypes.kvm_vm_types=error|\"KVM_CAP_VM_TYPES is 0x3, but the cell is configured with kvm_vm_types = 0x1 (kvm_config = +KVM_SW_PROTECTED_VM)\"",
	      "kvm_vm_types: cell.<cell>.kvm_vm_types names both values");
	T_HAS(c, "cell.privid.status=error\n", "kvm_config: other loaded modules are a cell error");
	T_HAS(c, "test.privid.cell.privid.kvm_modules=error|\"the cell loaded kvm_build_id=kvm:1111,kvm_amd:2222 (modules=ok), but kvm_config = +KVM_SMM built kvm:9999,kvm_amd:8888: the rebuilt KVM modules did not take effect\"",
	      "kvm_config: cell.<cell>.kvm_modules names both build ids");
	T_HAS(c, "cell.privfail.status=error\ncell.privfail.reason=\"kvm_config = +KVM_WERROR: the KVM modules could not be built: build-kvm: the module build failed: arch/x86/kvm/x86.c:1: error: fake",
	      "kvm_config: a failed build ends the cell, naming the error");
	T_HAS(c, "test.privfail.cell.privfail.kvm_modules=error|\"kvm_config = +KVM_WERROR: the KVM modules could not be built",
	      "kvm_config: the failed build is cell.<cell>.kvm_modules");
	T_HAS(c, "cell.privfail.suite.atomics=rc:None plan:None results:0\n", "kvm_config: the suites are not run");
	T_OK(!strstr(c, "test.privfail.cell.privfail.kvm_vm_types"), "kvm_config: no VM-type check without a boot");
	free(c);
	char *args = R("%s/build/lab/privok/initrd.cpio.gz.args", root);

	T_HAS(args, P("--modules-dir %s/cache/fake/kvm/modules/7.2.13+deb14-amd64 --kernel-release 7.2.13+deb14-amd64 ",
		      root),
	      "kvm_config: the initramfs takes the rebuilt modules");
	free(args);
	args = R("%s/build/lab/stock/initrd.cpio.gz.args", root);
	T_HAS(args, P("--modules-dir %s/cache/fake/modules ", root), "kvm_config: a stock cell takes Debian's modules");
	free(args);
	T_OK(t_sh(NULL, "test -e '%s/build/lab/privfail/fake-append.txt'", root) != 0,
	     "kvm_config: a cell whose build failed never boots");
	char *calls = R("%s/cache/fake/build-kvm.calls", root);

	T_HAS(calls, "7.2.13+deb14-amd64 +KVM_SW_PROTECTED_VM\n", "kvm_config: build-kvm gets the release and config");
	long ncalls = 0;

	for (const char *q = calls; *q; q++)
		ncalls += *q == '\n';
	T_INT(ncalls, 4, "kvm_config: build-kvm runs once per cell with kvm_config, not for the stock cell");
	free(calls);
	free(out);
	free(err);
	t_sh(NULL, "rm -f '%s'/build/x86_64/bin/memattr-*", root);
}

static void test_config_errors(void)
{
	char *out, *err;

	write_file(P("%s/bad.conf", root), "[run]\njobs = 2\nflavor = arm64\n", false);
	int rc = driver(&out, &err, "--no-defaults --config lab.conf --config bad.conf");

	T_INT(rc, 2, "config: unknown key exits 2");
	T_HAS(err, "memattr-run: ", "config: message prefix");
	T_HAS(err, "/bad.conf:3: unknown key 'flavor' in [run]", "config: FILE:LINE");
	no_sanitizer_errors(err, "config");
	free(out);
	free(err);
	rc = driver(&out, &err, "--no-defaults --config lab.conf --cells ok,ghost");
	T_INT(rc, 2, "config: unknown cell exits 2");
	T_HAS(err, "--cells: unknown cell 'ghost'", "config: names the option");
	free(out);
	free(err);
	rc = driver(&out, &err, "--no-defaults --config lab.conf --jobs many");
	T_INT(rc, 2, "config: bad --jobs exits 2");
	free(out);
	free(err);
	rc = driver(&out, &err, "--no-defaults --config nonexistent.conf");
	T_INT(rc, 2, "config: missing file exits 2");
	T_HAS(err, "nonexistent.conf: cannot read", "config: missing file message");
	free(out);
	free(err);
	rc = driver(&out, &err, "--frobnicate");
	T_INT(rc, 2, "usage: unknown option exits 2");
	free(out);
	free(err);
	rc = driver(&out, &err, "--help");
	T_INT(rc, 0, "usage: --help exits 0");
	T_HAS(out, "--timeout-scale", "usage: help text");
	free(out);
	free(err);
	rc = driver(&out, &err, "--no-defaults --config lab.conf --list-cells");
	T_INT(rc, 0, "--list-cells exits 0");
	T_HAS(out, "badfetch", "--list-cells lists the cells");
	T_HAS(out, "\nhost ", "--list-cells shows the host cell decision");
	free(out);
	free(err);
	rc = driver(&out, &err, "--no-defaults --config lab.conf --cells ok,noqemu --dry-run");
	T_INT(rc, 0, "--dry-run exits 0");
	T_HAS(out, "fake-qemu.sh -M virt,virtualization=on,gic-version=3 -cpu max -smp 2 -m 2G -accel tcg,thread=multi -nographic -no-reboot -nic none -kernel \"$KERNEL_IMAGE\" -initrd ",
	      "--dry-run prints the arm64 QEMU command line");
	T_HAS(out, "/nonexistent/qemu-system-x86_64 -accel tcg -cpu max -smp 2 -m 2G -nographic -machine graphics=on",
	      "--dry-run prints the x86_64 QEMU command line");
	T_OK(!path_exists(P("%s/build/lab/noqemu", root)), "--dry-run runs nothing");
	free(out);
	free(err);
	rc = driver(&out, &err,
		    "--no-defaults --config lab.conf --cells ok,noqemu --set 'cell.ok.pci=edu, ivshmem' --set cell.ok.disk=64M --set cell.noqemu.pci=edu --dry-run");
	T_INT(rc, 0, "--dry-run with pci= and disk= exits 0");
	T_HAS(out, "-M virt,virtualization=on,gic-version=3,iommu=smmuv3 ", "pci=edu: arm64 gets the SMMUv3");
	T_HAS(out, "memattr.pci=ivshmem,edu ", "pci= reaches the kernel command line normalized");
	T_HAS(out,
	      "-device ivshmem-plain,memdev=memattr-ivshmem1 -device edu -drive \"file=$CELL_DIR/scratch-disk.raw,format=raw,if=none,id=memattr-disk\" -device virtio-blk-pci,drive=memattr-disk,serial=memattr-disk",
	      "edu after the ivshmem devices, then the scratch disk");
	T_HAS(out, "--extra-modules 'vfio vfio_iommu_type1 vfio-pci-core vfio-pci virtio_blk'",
	      "disk= puts virtio_blk in the initramfs");
	T_HAS(out, "# scratch disk (sparse, in the cell's report directory): truncate -s 64M",
	      "disk= says where the disk comes from");
	T_HAS(out, " iommu=smmuv3 devices=ivshmem-plain,ivshmem-plain,edu,virtio-blk-pci accel=tcg\n",
	      "--dry-run lists the arm64 devices");
	T_HAS(out, "-machine q35,graphics=on -no-reboot -nic none", "pci=edu: x86_64 becomes q35");
	T_HAS(out, "-device intel-iommu -device edu\n", "pci=edu alone: the IOMMU and edu, no ivshmem");
	T_HAS(out, " iommu=intel-iommu devices=intel-iommu,edu accel=tcg\n", "--dry-run lists the x86_64 devices");
	free(out);
	free(err);
}

/*
 * Cross-cell migrations in --dry-run: the halves run what [run] migration_* name (suite.conf's
 * names, or any others), and a pair without them is a configuration error.
 */
static void test_migrations(void)
{
	const char *src = getenv("MEMATTR_TEST_SRC");
	char *out, *err;
	int rc;

	rc = driver(&out, &err, "--no-defaults --config lab.conf --cells ok --set 'run.migrations=ok>ok' --dry-run");
	T_INT(rc, 2, "migrations: a pair without migration_suite and its tests exits 2");
	T_HAS(err, "memattr-run: --set run.migrations=ok>ok: migrations: run.migration_suite is empty: a migration pair needs migration_suite, migration_save_test and migration_restore_test",
	      "migrations: the error names the empty key");
	T_OK(!strstr(out, "qemu"), "migrations: no command line without the names");
	free(out);
	free(err);
	/* suite.conf's names, as a run with the defaults has them */
	t_sh(NULL, "{ echo '[run]'; grep '^migration_' '%s/suite.conf'; } >'%s/mig.conf'", src ? src : ".",
	     root);
	rc = driver(&out, &err,
		    "--no-defaults --config lab.conf --config mig.conf --cells ok --set 'run.migrations=ok>ok' --dry-run");
	T_INT(rc, 0, "migrations: --dry-run exits 0");
	char *o = strstr(out, "# cell ok-to-ok-out "), *i = strstr(out, "# cell ok-to-ok-in ");

	T_OK(o && i && o < i, "migrations: the out half, then the in half");
	T_HAS(out, " memattr.filter=migration.stream_save memattr.migrate=out", "migrations: the out half saves");
	T_HAS(out, " memattr.filter=migration.stream_restore memattr.migrate=in", "migrations: the in half restores");
	T_HAS(out, "memattr.suites=migration ", "migrations: only the migration suite");
	T_HAS(out, " -drive 'file=$RUN_DIR/ok-to-ok.xfer,if=none,format=raw,id=memattr-xfer' -device virtio-blk-pci,drive=memattr-xfer,serial=memattr-xfer",
	      "migrations: the transfer disk");
	free(out);
	free(err);
	/* other names: the driver runs what the configuration says */
	rc = driver(&out, &err,
		    "--no-defaults --config lab.conf --cells ok --set 'run.migrations=ok>ok' --set run.migration_suite=mig --set run.migration_save_test=mig.out --set run.migration_restore_test=mig.in --dry-run");
	T_INT(rc, 0, "migrations: other names: --dry-run exits 0");
	T_HAS(out, " memattr.filter=mig.out memattr.migrate=out", "migrations: the configured save test");
	T_HAS(out, " memattr.filter=mig.in memattr.migrate=in", "migrations: the configured restore test");
	T_HAS(out, "memattr.suites=mig ", "migrations: the configured suite");
	T_OK(!strstr(out, "migration.stream_"), "migrations: no test name of the driver's own");
	free(out);
	free(err);
	rc = driver(&out, &err,
		    "--no-defaults --config lab.conf --config mig.conf --cells ok --set 'run.migrations=ok>ok' --filter 'x.*' --dry-run");
	T_OK(rc == 0 && !strstr(out, "ok-to-ok"), "migrations: not with a filter");
	free(out);
	free(err);
}

static void test_host_cell(void)
{
	char *bin = xasprintf("%s/build/x86_64/bin", root);
	char *bin_arm = xasprintf("%s/build/aarch64/bin", root);
	struct utsname u;

	uname(&u);
	const char *arch_bin = strcmp(u.machine, "aarch64") == 0 ? bin_arm : bin;

	t_sh(NULL, "cp '%s/fake-suite-good.sh' '%s/memattr-good' && cp '%s/fake-suite-crash.sh' '%s/memattr-crash' && cp '%s/fake-suite-hang.sh' '%s/memattr-hang' && cp '%s/fake-cellinfo.sh' '%s/memattr-cellinfo'",
	     data, arch_bin, data, arch_bin, data, arch_bin, data, arch_bin);
	char *out, *err;
	int rc = driver(&out, &err, "--no-defaults --config lab.conf --cells none --host-cell yes --report-dir reports3");

	T_INT(rc, 1, "host: exit status 1");
	no_sanitizer_errors(err, "host");
	char *c = NULL;

	t_sh(&c, "python3 '%s/check_reports.py' '%s/reports3/latest/results.json'", data, root);
	T_OK(strstr(c, "cell.host.kind=pvm") || strstr(c, "cell.host.kind=hardware") ||
	     strstr(c, "cell.host.kind=none"),
	     "host: kind recorded");
	T_HAS(c, "cell.host.id.fake_cellinfo=\"yes\"", "host: memattr-cellinfo identity");
	T_HAS(c, "cell.host.id.kernel_release=", "host: kernel release");
	T_HAS(c, "test.host.crash.first=pass", "host: result before the crash");
	T_HAS(c, "test.host.crash.exit=fail|\"crashed: killed by signal 11 (SIGSEGV) (rc=139) after 1 of 3 planned results\"",
	      "host: crash detected");
	T_HAS(c, "test.host.good.one=pass|null|3\n", "host: duration_ms");
	T_HAS(c, "test.host.good.two=skip|\"not here\"", "host: skip");
	T_HAS(c, "test.host.hang.incomplete=fail|\"cell ended: timeout: cell not done after 4 s (suite hang killed)",
	      "host: hung suite killed by the cell timeout");
	T_HAS(c, "cell.host.status=error", "host: cell error");
	free(c);
	char *good = NULL;

	t_sh(&good, "cat '%s/reports3/latest/host/good.tap'", root);
	T_HAS(good, "# args:  scale=1\n", "host: MEMATTR_TIMEOUT_SCALE passed, no filter");
	T_HAS(good, "diagnostic on stderr\n", "host: stderr merged into the suite's TAP");
	free(good);
	char *crash = NULL;

	t_sh(&crash, "cat '%s/reports3/latest/host/crash.tap'", root);
	T_OK(str_ends(crash, "ok 1 crash.first\n# about to crash\n"), "host: unterminated last line kept");
	free(crash);
	char *pidf = path_join(root, "hang-suite.pid");

	T_OK(!pid_alive(pidf), "host: the hung suite's child was killed with it");
	free(pidf);
	free(out);
	free(err);
	free(bin);
	free(bin_arm);
}

static void test_interrupt(void)
{
	char *out = NULL;
	int rc = t_sh(&out,
		      "cd '%s' && MEMATTR_ROOT='%s' MEMATTR_CACHE='%s/cache' MEMATTR_QEMU_AARCH64='%s/fake-qemu.sh' MEMATTR_FETCH_KERNEL='%s/fake-fetch-kernel.sh' MEMATTR_MKINITRAMFS='%s/fake-mkinitramfs.sh' '%s' --no-defaults --config lab.conf --cells hang --set cell.hang.timeout=120 --report-dir reports4 >int-out.txt 2>int-err.txt & pid=$!; sleep 3; kill -INT $pid; wait $pid",
		      root, root, root, data, data, data, runbin);
	T_INT(rc, 1, "interrupt: exit status 1");
	free(out);
	char *c = NULL;

	t_sh(&c, "python3 '%s/check_reports.py' '%s/reports4/latest/results.json'", data, root);
	T_HAS(c, "cell.hang.reason=\"interrupted (QEMU killed)\"", "interrupt: reports written with the reason");
	free(c);
	char *sleep_pid = path_join(root, "build/lab/hang/fake-sleep.pid");

	T_OK(!pid_alive(sleep_pid), "interrupt: QEMU's process group killed");
	free(sleep_pid);
}

int main(void)
{
	t_start("memattr-run end to end (fake QEMU)");
	const char *rb = getenv("MEMATTR_TEST_RUN");

	if (!rb || !is_exec_file(rb) || !t_have("python3")) {
		t_skip("MEMATTR_TEST_RUN / python3 not available", "end-to-end tests");
		return t_done();
	}
	runbin = xstrdup(rb);
	data = path_abs(t_data());
	root = t_tmpdir("run");
	t_sh(NULL, "mkdir -p '%s/build/aarch64/bin' '%s/build/x86_64/bin' && printf '#!/bin/sh\\nexit 0\\n' > '%s/build/aarch64/bin/memattr-atomics' && cp '%s/build/aarch64/bin/memattr-atomics' '%s/build/aarch64/bin/memattr-memslot' && chmod +x '%s'/build/aarch64/bin/*",
	     root, root, root, root, root, root);
	/* the x86_64 lab cell fails on its missing QEMU before it looks for binaries */
	char *conf = path_join(root, "lab.conf");

	write_file(conf, lab_conf, false);
	free(conf);

	test_lab();
	test_lab_pass();
	test_lab_fixtures_fail();
	test_lab_panic_reboot();
	test_lab_boot_stall();
	test_lab_checks();
	test_lab_kvm_config();
	test_config_errors();
	test_migrations();
	test_host_cell();
	test_interrupt();
	int rc = t_done();

	if (rc == 0)
		t_sh(NULL, "rm -rf '%s'", root);
	free(root);
	free(data);
	free(runbin);
	strvec_free(&garbage);
	return rc;
}
