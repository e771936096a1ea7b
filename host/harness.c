// SPDX-License-Identifier: GPL-2.0
/*
 * Test harness: registration, selection, requirement checks, one forked child per test with a
 * timeout, the verdict from what the child recorded (harness_verdict.c) and the kernel's health
 * around it (kernel_health.c), TAP output in kselftest's conventions (version line, plan,
 * diagnostics before each result, SKIP/XFAIL/XPASS/TIMEOUT/ERROR directives, the totals line) and
 * its exit codes.  With --inject, each test is run again once per KVM ioctl call site with that call
 * failed (fault_inject.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness_result.h"
#include "kernel_health.h"
#include "memattr/harness.h"
#include "memattr/kvm.h"

#define MA_MAX_TESTS 1024
#define MA_DEFAULT_TIMEOUT_S 30
#define MA_REAP_DEADLINE_MS 10000	/* after SIGKILL, how long to wait for the child to go */

enum { KSFT_PASS = 0, KSFT_FAIL = 1, KSFT_SKIP = 4 };

struct instance {
	const struct ma_test_def *def;
	const struct ma_variant *variant;
	char name[160];
};

static const struct ma_test_def *registry[MA_MAX_TESTS];
static unsigned int nr_registered;

void ma_register(const struct ma_test_def *def)
{
	if (nr_registered == MA_MAX_TESTS) {
		fprintf(stderr, "memattr: too many tests registered\n");
		exit(KSFT_FAIL);
	}
	registry[nr_registered++] = def;
}

/* ---- requirements ---- */

static unsigned int this_arch(void)
{
#if defined(__aarch64__)
	return MA_ARCH_ARM64;
#elif defined(__x86_64__)
	return MA_ARCH_X86_64;
#else
	return 0;
#endif
}

static const char *cap_name(long cap)
{
	static char b[32];

	snprintf(b, sizeof(b), "%ld", cap);
	return b;
}

/*
 * NULL if met, else the reason (static buffer).  *error is set when a call that should have worked
 * failed (opening an existing /dev/kvm, KVM_CHECK_EXTENSION, KVM_CREATE_VM): that is an ERROR, not
 * a SKIP; only what was detected absent (a capability that reads 0, no /dev/kvm) skips.
 */
static const char *unmet(const struct ma_req *r, bool *error)
{
	static char why[256];
	long v;
	int fd;

	*error = false;
	if (r->arch && !(r->arch & this_arch())) {
		snprintf(why, sizeof(why), "architecture %s not covered by this test", ma_host_arch());
		return why;
	}
	if (r->root && geteuid() != 0)
		return "needs root (euid is not 0)";
	if (r->path && access(r->path, F_OK)) {
		snprintf(why, sizeof(why), "%s not present (%s)", r->path, strerror(errno));
		return why;
	}
	if (r->min_cpus && sysconf(_SC_NPROCESSORS_ONLN) < (long)r->min_cpus) {
		snprintf(why, sizeof(why), "needs %u online CPUs, host has %ld", r->min_cpus,
			 sysconf(_SC_NPROCESSORS_ONLN));
		return why;
	}
	if (r->no_kvm)
		return NULL;
	fd = ma_try_kvm_open();
	if (fd == -ENOENT)
		return "/dev/kvm not present (no KVM in this kernel, or not loaded)";
	if (fd < 0) {
		snprintf(why, sizeof(why), "open(/dev/kvm) failed: %s", ma_errno_name(-fd));
		*error = true;
		return why;
	}
	for (int i = 0; i < MA_MAX_REQ_CAPS && r->sys_caps[i]; i++) {
		v = ma_try_check_cap(fd, r->sys_caps[i]);
		if (v <= 0) {
			snprintf(why, sizeof(why), "KVM_CHECK_EXTENSION(%s) on /dev/kvm %s %s",
				 cap_name(r->sys_caps[i]),
				 v < 0 ? "failed:" : "is", v < 0 ? ma_errno_name((int)-v) : "0");
			*error = v < 0;
			close(fd);
			return why;
		}
	}
	if (r->vm_caps[0]) {
		int vmfd = (int)ma_try_ioctl(fd, KVM_CREATE_VM, (void *)0);

		if (vmfd < 0) {
			snprintf(why, sizeof(why), "KVM_CREATE_VM failed: %s", ma_errno_name(-vmfd));
			*error = true;
			close(fd);
			return why;
		}
		for (int i = 0; i < MA_MAX_REQ_CAPS && r->vm_caps[i]; i++) {
			v = ma_try_check_cap(vmfd, r->vm_caps[i]);
			if (v <= 0) {
				snprintf(why, sizeof(why), "KVM_CHECK_EXTENSION(%s) on a VM %s %s",
					 cap_name(r->vm_caps[i]), v < 0 ? "failed:" : "is",
					 v < 0 ? ma_errno_name((int)-v) : "0");
				*error = v < 0;
				close(vmfd);
				close(fd);
				return why;
			}
		}
		close(vmfd);
	}
	close(fd);
	return NULL;
}

/* the test's and its variant's requirements: NULL if met */
static const char *instance_unmet(const struct instance *in, bool *error)
{
	const char *why = unmet(&in->def->req, error);
	struct ma_req vr;

	if (why || !in->variant)
		return why;
	/* a variant adds requirements; it cannot make a test that needs no KVM need it */
	vr = in->variant->req;
	vr.no_kvm = vr.no_kvm || in->def->req.no_kvm;
	return unmet(&vr, error);
}

/* -d SECONDS: the duration of the tests that declare one */
static unsigned int duration_override_s;

/* ---- running ---- */

static long long now_ms(void)
{
	return (long long)(ma_now_s() * 1000);
}

static void run_child(const struct instance *in, struct ma_child_result *res, bool quiet)
{
	struct ma_t t = { .def = in->def, .variant = in->variant };

	setpgid(0, 0);
	if (quiet) {
		if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
			_exit(3);
	}
	ma_child_result_attach(res);
	ma_inject_attach(&res->inject);
	snprintf(t.name, sizeof(t.name), "%s", in->name);
	t.param = in->variant ? in->variant->param : NULL;
	t.value = in->variant ? in->variant->value : 0;
	if (in->def->fixture) {
		t.fx = calloc(1, in->def->fixture->size ? in->def->fixture->size : 1);
		if (!t.fx)
			ma_fatal("out of memory for fixture %s", in->def->fixture->name);
		if (in->def->fixture->setup)
			in->def->fixture->setup(&t, t.fx);
	}
	in->def->fn(&t);
	if (in->def->fixture && in->def->fixture->teardown)
		in->def->fixture->teardown(&t, t.fx);
	ma_end();
}

/* a fault-injection run is decided once the injected call failed and the test recorded a failure */
static bool injection_decided(const struct ma_child_result *res)
{
	return res && res->inject.target && res->inject.fired && res->failed;
}

/*
 * wait for pid up to timeout_ms: 1 if it was reaped (status set), 0 on timeout, -errno on error, 2
 * if an injection run was decided before it ended (the caller kills it)
 */
static int try_wait_child(pid_t pid, long long timeout_ms, int *status, const struct ma_child_result *res)
{
	long long deadline = now_ms() + timeout_ms;
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0), ret = 1;
	int tick = res && res->inject.target ? 20 : 1000;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		long long left;

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		if (injection_decided(res)) {
			ret = 2;
			break;
		}
		left = deadline - now_ms();
		if (left <= 0) {
			ret = 0;
			break;
		}
		if (pfd >= 0) {
			struct pollfd p = { .fd = pfd, .events = POLLIN };

			poll(&p, 1, (int)(left > tick ? tick : left));
		} else {
			usleep(10000);
		}
	}
	if (pfd >= 0)
		close(pfd);
	return ret;
}

enum verdict { V_PASS, V_FAIL, V_SKIP, V_XFAIL, V_XPASS, V_ERROR, V_TIMEOUT };

struct outcome {
	enum verdict v;
	char why[512];			/* the directive's text (skip, xfail, xpass, error, timeout) */
};

struct exec_opts {
	unsigned int timeout_override;
	bool quiet;			/* the child's output goes to /dev/null (fault injection runs) */
	bool health;			/* judge the kernel's health around the test */
};

static void set_verdict(struct outcome *o, enum verdict v)
{
	o->v = v;
	o->why[0] = 0;
}

static void set_outcome(struct outcome *o, enum verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_outcome(struct outcome *o, enum verdict v, const char *fmt, ...)
{
	va_list ap;

	o->v = v;
	va_start(ap, fmt);
	vsnprintf(o->why, sizeof(o->why), fmt, ap);
	va_end(ap);
	for (char *p = o->why; *p; p++)
		if (*p == '#' || *p == '\n')
			*p = ' ';
}

/* the verdict from what the child recorded and how it ended */
static void judge_child(const struct instance *in, const struct ma_child_result *res, int status,
			struct outcome *o)
{
	const struct ma_test_def *d = in->def;

	if (WIFSIGNALED(status)) {
		printf("# %s: test process killed by signal %d (%s)\n", in->name, WTERMSIG(status),
		       strsignal(WTERMSIG(status)));
		set_verdict(o, V_FAIL);
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		printf("# %s: test process exited with status %d without a verdict (a sanitizer report or an abort: see stderr)\n",
		       in->name, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		set_verdict(o, V_FAIL);
	} else if (!res->ended) {
		set_outcome(o, V_ERROR, "the test process exited (status 0) behind the harness's back");
	} else if (res->failed) {
		set_verdict(o, V_FAIL);
	} else if (res->skipped) {
		set_outcome(o, V_SKIP, "%s", res->reason);
	} else if (res->xpassed) {
		set_outcome(o, V_XPASS, "%s", res->known);
	} else if (res->xfailed) {
		set_outcome(o, V_XFAIL, "%s", res->known);
	} else if (!res->checks && !d->no_checks) {
		set_outcome(o, V_ERROR, "the test evaluated no expectation (a test that cannot fail)");
	} else {
		set_verdict(o, V_PASS);
	}
}

/* the kernel's health around the test changes the verdict: problems fail it */
static void judge_health(const struct instance *in, const struct ma_health_findings *f, struct outcome *o)
{
	const struct ma_kernel_log *k = &in->def->kernel_log;
	const unsigned long warn_taint = 1ul << 9;	/* TAINT_WARN, what a known WARN leaves */
	unsigned long unexplained = f->new_taint & ~(f->known ? warn_taint : 0) & ~k->taint;

	if (f->bad || unexplained) {
		printf("# %s: the kernel reported a problem while the test ran (above)\n", in->name);
		if (o->v != V_TIMEOUT && o->v != V_ERROR)
			set_verdict(o, V_FAIL);
		return;
	}
	if (k->match && k->required && !f->known && (o->v == V_PASS || o->v == V_XFAIL)) {
		printf("# %s: the kernel log record this test must provoke did not appear: '%s'\n", in->name,
		       k->match);
		set_verdict(o, V_FAIL);
	} else if (k->match && !k->required && f->known && o->v == V_PASS) {
		set_outcome(o, V_XFAIL, "%s", k->why ? k->why : k->match);
	}
}

/*
 * Run one instance in a child and judge it.  res is the shared result (zeroed here except for the
 * injection setup the caller made).
 */
static void execute(const struct instance *in, const struct exec_opts *opts, struct ma_child_result *res,
		    struct outcome *o)
{
	const struct ma_test_def *d = in->def;
	unsigned int duration = !d->duration_s ? 0 :
				duration_override_s ? duration_override_s : d->duration_s;
	unsigned int timeout = opts->timeout_override ? opts->timeout_override :
			       (d->timeout_s ? d->timeout_s : MA_DEFAULT_TIMEOUT_S) * ma_timeout_scale() +
			       duration;
	struct ma_health health = { .kmsg_fd = -1, .taint = -1 };
	struct ma_health_findings findings;
	long long t0;
	int status = 0, done;
	pid_t pid;

	if (opts->health)
		ma_try_health_begin(&health);
	fflush(stdout);
	fflush(stderr);
	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		set_outcome(o, V_ERROR, "fork: %s", ma_errno_name(errno));
		return;
	}
	if (pid == 0)
		run_child(in, res, opts->quiet);
	setpgid(pid, pid);
	done = try_wait_child(pid, (long long)timeout * 1000, &status, res);
	if (done == 2) {
		/* the injected failure was noticed: that is all this run had to show */
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		if (try_wait_child(pid, MA_REAP_DEADLINE_MS, &status, NULL) != 1)
			printf("# %s: the test process could not be reaped %d s after SIGKILL\n", in->name,
			       MA_REAP_DEADLINE_MS / 1000);
		set_verdict(o, V_FAIL);
	} else if (done <= 0) {
		if (done < 0)
			printf("# %s: waitpid failed: %s; killing the test\n",
			       in->name, ma_errno_name(-done));
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		if (try_wait_child(pid, MA_REAP_DEADLINE_MS, &status, NULL) != 1)
			printf("# %s: the test process could not be reaped %d s after SIGKILL (stuck in the kernel?); going on without it\n",
			       in->name, MA_REAP_DEADLINE_MS / 1000);
		if (!opts->quiet)
			printf("# duration_ms=%lld\n", now_ms() - t0);
		if (done < 0) {
			set_outcome(o, V_ERROR, "waitpid: %s", ma_errno_name(-done));
		} else {
			printf("# %s: killed after %u s (a guest or the test did not finish)\n",
			       in->name, timeout);
			set_outcome(o, V_TIMEOUT, "%u seconds", timeout);
		}
	} else {
		/* whatever the child left running in its process group goes too */
		kill(-pid, SIGKILL);
		if (!opts->quiet)
			printf("# duration_ms=%lld\n", now_ms() - t0);
		judge_child(in, res, status, o);
	}
	if (opts->health) {
		ma_health_end(&health, &d->kernel_log, &findings);
		judge_health(in, &findings, o);
	}
}

struct totals {
	unsigned int pass, fail, xfail, xpass, skip, error;
};

static void print_result(const struct instance *in, const char *prefix, unsigned int num,
			 const struct outcome *o, struct totals *tot)
{
	const char *src = in->def->source;

	switch (o->v) {
	case V_PASS:
		printf("ok %u %s%s\n", num, prefix, in->name);
		tot->pass++;
		break;
	case V_SKIP:
		printf("ok %u %s%s # SKIP %s\n", num, prefix, in->name, o->why);
		tot->skip++;
		break;
	case V_XFAIL:
		printf("ok %u %s%s # XFAIL %s\n", num, prefix, in->name, o->why);
		tot->xfail++;
		break;
	case V_FAIL:
		if (src)
			printf("# expectation source: %s\n", src);
		printf("not ok %u %s%s\n", num, prefix, in->name);
		tot->fail++;
		break;
	case V_XPASS:
		printf("# %s passed an expectation marked as a known failure: %s\n", in->name, o->why);
		printf("not ok %u %s%s # XPASS %s\n", num, prefix, in->name, o->why);
		tot->xpass++;
		break;
	case V_TIMEOUT:
		printf("not ok %u %s%s # TIMEOUT %s\n", num, prefix, in->name, o->why);
		tot->fail++;
		break;
	case V_ERROR:
		printf("# %s: %s\n", in->name, o->why);
		printf("not ok %u %s%s # ERROR %s\n", num, prefix, in->name, o->why);
		tot->error++;
		break;
	}
	fflush(stdout);
}

/* a fresh shared result per run: a child that could not be reaped keeps its own */
static struct ma_child_result *new_result(void)
{
	struct ma_child_result *r =
		mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return r == MAP_FAILED ? NULL : r;
}

static void run_instance(const struct instance *in, unsigned int num, const struct exec_opts *opts,
			 struct totals *tot)
{
	struct outcome o = { 0 };
	struct ma_child_result *res;
	bool error;
	const char *why = instance_unmet(in, &error);

	if (why) {
		set_outcome(&o, error ? V_ERROR : V_SKIP, "%s", why);
	} else {
		res = new_result();
		if (!res) {
			set_outcome(&o, V_ERROR, "mmap of the shared result: %s", ma_errno_name(errno));
		} else {
			execute(in, opts, res, &o);
			munmap(res, sizeof(*res));
		}
	}
	print_result(in, "", num, &o, tot);
}

static bool killed(enum verdict v)
{
	return v == V_FAIL || v == V_ERROR || v == V_TIMEOUT || v == V_XPASS;
}

static const char *verdict_name(enum verdict v)
{
	static const char *const names[] = { "pass", "fail", "skip", "xfail", "xpass", "error", "timeout" };

	return names[v];
}

struct inject_totals {
	unsigned long sites, killed, survived, unreached;
};

/*
 * --inject: record the test's KVM ioctl call sites, then fail each site's first call in turn; the
 * test must fail every time.  One TAP result per test: "inject.<name>".
 */
static void run_inject(const struct instance *in, unsigned int num, const struct exec_opts *base,
		       struct totals *tot, struct inject_totals *it)
{
	struct exec_opts opts = *base;
	struct ma_inject_site sites[MA_INJECT_MAX_SITES];
	unsigned int nsites, survivors = 0, unreached = 0, k;
	struct outcome o = { 0 };
	struct ma_child_result *res;
	bool error;
	const char *why = instance_unmet(in, &error);

	opts.quiet = true;
	opts.health = false;
	if (why) {
		set_outcome(&o, error ? V_ERROR : V_SKIP, "%s", why);
		print_result(in, "inject.", num, &o, tot);
		return;
	}
	res = new_result();
	if (!res) {
		set_outcome(&o, V_ERROR, "mmap: %s", ma_errno_name(errno));
		print_result(in, "inject.", num, &o, tot);
		return;
	}
	res->inject.recording = 1;
	execute(in, &opts, res, &o);
	if (o.v != V_PASS && o.v != V_XFAIL) {
		printf("# %s: without injection the test's verdict is %s%s%s\n", in->name, verdict_name(o.v),
		       o.why[0] ? ": " : "", o.why);
		if (o.v != V_SKIP)
			set_outcome(&o, V_ERROR, "the test does not pass without injection (%s)",
				    verdict_name(o.v));
		print_result(in, "inject.", num, &o, tot);
		munmap(res, sizeof(*res));
		return;
	}
	nsites = res->inject.nsites;
	memcpy(sites, res->inject.sites, sizeof(sites[0]) * nsites);
	if (res->inject.overflow)
		printf("# %s: more than %d distinct KVM ioctl call sites: the rest are not injected\n",
		       in->name,
		       MA_INJECT_MAX_SITES);
	munmap(res, sizeof(*res));
	for (k = 0; k < nsites; k++) {
		struct outcome io = { 0 };

		res = new_result();
		if (!res) {
			set_outcome(&o, V_ERROR, "mmap: %s", ma_errno_name(errno));
			print_result(in, "inject.", num, &o, tot);
			return;
		}
		res->inject.target = sites[k].key;
		execute(in, &opts, res, &io);
		if (!res->inject.fired) {
			unreached++;	/* the run took another path (threads, timing): not judged */
		} else if (!killed(io.v)) {
			survivors++;
			printf("# survived: %s failed with %s at", ma_ioctl_name(sites[k].req),
			       ma_errno_name(MA_INJECT_ERRNO));
			for (int f = 0; f < MA_INJECT_FRAMES && sites[k].frames[f]; f++)
				printf(" %#lx", (unsigned long)sites[k].frames[f]);
			printf(" -> %s%s%s\n", verdict_name(io.v), io.why[0] ? ": " : "", io.why);
		}
		munmap(res, sizeof(*res));
	}
	printf("# inject: %u call sites, %u killed, %u survived, %u not reached again\n", nsites,
	       nsites - survivors - unreached, survivors, unreached);
	it->sites += nsites;
	it->killed += nsites - survivors - unreached;
	it->survived += survivors;
	it->unreached += unreached;
	if (survivors)
		set_verdict(&o, V_FAIL);
	else
		set_verdict(&o, V_PASS);
	print_result(in, "inject.", num, &o, tot);
}

static int selected(const char *name, char **inc, unsigned int ninc, char **exc, unsigned int nexc)
{
	unsigned int i;

	for (i = 0; i < nexc; i++)
		if (!fnmatch(exc[i], name, 0))
			return 0;
	if (!ninc)
		return 1;
	for (i = 0; i < ninc; i++)
		if (!fnmatch(inc[i], name, 0))
			return 1;
	return 0;
}

unsigned int ma_duration_s(const struct ma_t *t)
{
	return duration_override_s ? duration_override_s : t->def->duration_s;
}

static void print_usage(const char *prog, FILE *f)
{
	fprintf(f,
		"usage: %s [-l|--list] [-v] [-t GLOB]... [-T GLOB]... [-o SECONDS] [-d SECONDS] [--after NAME] [--inject]\n"
		"  -l, --list     list the tests (with -v: requirements and kernel sources)\n"
		"  -t GLOB        run only tests whose full name matches (repeatable)\n"
		"  -T GLOB        skip tests whose full name matches (repeatable)\n"
		"  -o SECONDS     override every test's timeout\n"
		"  -d, --duration SECONDS  how long the tests that run for a time (races, load) run\n"
		"  --after NAME   run only the selected tests that come after test NAME (resuming a run)\n"
		"  --inject       fault injection: run each test once per KVM ioctl call site with that call\n"
		"                 failed (errno %s); every run must fail (results inject.<test>)\n"
		"Environment: MEMATTR_TIMEOUT_SCALE=N multiplies timeouts (slow emulated cells).\n"
		"Exit status: 0 all passed, 1 a test failed, 4 every test was skipped, 2 bad arguments.\n",
		prog, ma_errno_name(MA_INJECT_ERRNO));
}

static int parse_seconds(const char *prog, const char *opt, const char *arg, unsigned int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*end || end == arg || v <= 0 || v > 7 * 86400) {
		fprintf(stderr, "%s: %s needs a number of seconds (1-604800), got '%s'\n", prog, opt, arg);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

/* the kernel's health is judged around every test where it can be read; say once if it cannot */
static bool health_available(void)
{
	struct ma_health h;
	bool ok;

	ma_try_health_begin(&h);
	ok = h.kmsg_fd >= 0 && h.taint >= 0;
	if (!ok)
		printf("# kernel health is not checked: /dev/kmsg %s, /proc/sys/kernel/tainted %s\n",
		       h.kmsg_fd >= 0 ? "readable" : ma_errno_name((int)-h.kmsg_fd),
		       h.taint >= 0 ? "readable" : ma_errno_name((int)-h.taint));
	ma_health_cancel(&h);
	return ok;
}

/* The command line of a suite program. */
struct harness_args {
	char *inc[32], *exc[32];
	unsigned int ninc, nexc;
	const char *after;
	bool list, verbose, inject;
	struct exec_opts opts;
};

/* 0 to run, 1 when done (--help), 2 on a bad command line (said on stderr) */
static int parse_args(int argc, char **argv, struct harness_args *h)
{
	enum { OPT_AFTER = 256, OPT_INJECT };
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, { "list", no_argument, NULL, 'l' },
		{ "duration", required_argument, NULL, 'd' }, { "after", required_argument, NULL, OPT_AFTER },
		{ "inject", no_argument, NULL, OPT_INJECT }, { NULL, 0, NULL, 0 },
	};
	int o;

	opterr = 0;
	optind = 1;
	while ((o = getopt_long(argc, argv, ":hlvt:T:o:d:", longopts, NULL)) != -1) {
		switch (o) {
		case 'h':
			print_usage(argv[0], stdout);
			return 1;
		case 'l':
			h->list = true;
			break;
		case 'v':
			h->verbose = true;
			break;
		case OPT_INJECT:
			h->inject = true;
			break;
		case OPT_AFTER:
			h->after = optarg;
			break;
		case 'o':
			if (parse_seconds(argv[0], "-o", optarg, &h->opts.timeout_override))
				return 2;
			break;
		case 'd':
			if (parse_seconds(argv[0], "-d", optarg, &duration_override_s))
				return 2;
			break;
		case 't':
		case 'T':
			if ((o == 't' ? h->ninc : h->nexc) == 32) {
				fprintf(stderr, "%s: too many patterns (32 at most)\n", argv[0]);
				return 2;
			}
			if (o == 't')
				h->inc[h->ninc++] = optarg;
			else
				h->exc[h->nexc++] = optarg;
			break;
		default:
			fprintf(stderr, "%s: %s '%s'\n", argv[0], o == ':' ? "missing value for" : "unknown argument",
				argv[optind - 1]);
			print_usage(argv[0], stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unknown argument '%s'\n", argv[0], argv[optind]);
		print_usage(argv[0], stderr);
		return 2;
	}
	return 0;
}

/* Every registered test and variant into all[] (named); its count, or -1 on a duplicate name. */
static int instantiate(struct instance *all)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < nr_registered; i++) {
		const struct ma_test_def *d = registry[i];
		unsigned int nv = d->nr_variants ? d->nr_variants : 1;

		for (unsigned int v = 0; v < nv; v++) {
			struct instance *in = &all[n++];

			in->def = d;
			in->variant = d->nr_variants ? &d->variants[v] : NULL;
			if (in->variant)
				snprintf(in->name, sizeof(in->name), "%s.%s.%s",
					 d->suite, d->name, in->variant->name);
			else
				snprintf(in->name, sizeof(in->name), "%s.%s", d->suite, d->name);
		}
	}
	/* names must be unique: a duplicate is a defect of the suite, not of the kernel */
	for (unsigned int i = 0; i < n; i++)
		for (unsigned int j = i + 1; j < n; j++)
			if (!strcmp(all[i].name, all[j].name)) {
				fprintf(stderr, "memattr: duplicate test name %s\n", all[i].name);
				return -1;
			}
	return (int)n;
}

/* Run sel[first..nsel) as TAP; the kselftest exit status. */
static int run_selection(struct instance **sel, unsigned int first, unsigned int nsel, struct harness_args *h)
{
	struct inject_totals it = { 0 };
	struct totals tot = { 0 };
	struct utsname u;

	printf("TAP version 13\n");
	if (first == nsel) {
		printf("1..0 # SKIP no test matches the selection\n");
		return KSFT_SKIP;
	}
	printf("1..%u\n", nsel - first);
	if (!uname(&u))
		printf("# kernel %s; expectations written against Linux %s\n", u.release, MA_KERNEL_REF);
	h->opts.health = !h->inject && health_available();
	for (unsigned int k = first; k < nsel; k++) {
		if (h->inject)
			run_inject(sel[k], k - first + 1, &h->opts, &tot, &it);
		else
			run_instance(sel[k], k - first + 1, &h->opts, &tot);
	}
	if (h->inject)
		printf("# inject totals: call sites %lu, killed %lu, survived %lu, not reached again %lu; "
		       "kill rate %.1f%%\n", it.sites, it.killed, it.survived, it.unreached,
		       it.killed + it.survived ?
		       100.0 * (double)it.killed / (double)(it.killed + it.survived) : 100.0);
	printf("# Totals: pass:%u fail:%u xfail:%u xpass:%u skip:%u error:%u\n", tot.pass, tot.fail,
	       tot.xfail, tot.xpass, tot.skip, tot.error);
	if (tot.fail || tot.xpass || tot.error)
		return KSFT_FAIL;
	if (!tot.pass && !tot.xfail && tot.skip)
		return KSFT_SKIP;
	return KSFT_PASS;
}

int ma_harness_main(int argc, char **argv)
{
	static struct instance all[MA_MAX_TESTS * 4];
	struct harness_args h = { 0 };
	unsigned int nsel = 0, k, first = 0;
	struct instance **sel;
	int n, r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	r = parse_args(argc, argv, &h);
	if (r)
		return r == 1 ? 0 : 2;
	n = instantiate(all);
	if (n < 0)
		return KSFT_FAIL;
	sel = calloc(n ? (size_t)n : 1, sizeof(*sel));
	if (!sel)
		return KSFT_FAIL;
	for (int i = 0; i < n; i++)
		if (selected(all[i].name, h.inc, h.ninc, h.exc, h.nexc))
			sel[nsel++] = &all[i];
	if (h.after) {
		for (k = 0; k < nsel && strcmp(sel[k]->name, h.after); k++)
			;
		if (k == nsel) {
			fprintf(stderr, "%s: --after %s: no such test in the selection\n", argv[0], h.after);
			free(sel);
			return 2;
		}
		first = k + 1;
	}
	if (h.list) {
		for (k = first; k < nsel; k++) {
			printf("%s\n", sel[k]->name);
			if (h.verbose && sel[k]->def->source)
				printf("    source: %s\n", sel[k]->def->source);
		}
		free(sel);
		return 0;
	}
	r = run_selection(sel, first, nsel, &h);
	free(sel);
	return r;
}
