// SPDX-License-Identifier: GPL-2.0
/*
 * Test harness: registration, selection, requirement checks, one forked child per test with a
 * timeout, TAP output in kselftest's conventions (version line, plan, diagnostics before each
 * result, SKIP/XFAIL/TIMEOUT directives, the totals line) and its exit codes.
 */
#include <errno.h>
#include <fnmatch.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "memattr/harness.h"
#include "memattr/kvm.h"

#define MA_MAX_TESTS 1024
#define MA_DEFAULT_TIMEOUT_S 30

enum { KSFT_PASS = 0, KSFT_FAIL = 1, KSFT_SKIP = 4 };

struct shared_result {
	volatile int failed;
	volatile int skipped;
	char reason[512];
};

struct instance {
	const struct ma_test_def *def;
	const struct ma_variant *variant;
	char name[160];
};

static const struct ma_test_def *registry[MA_MAX_TESTS];
static unsigned nr_registered;
static struct shared_result *cur_result;	/* non-NULL inside a test child */
static struct ma_t *cur_test;

void ma_register(const struct ma_test_def *def)
{
	if (nr_registered == MA_MAX_TESTS) {
		fprintf(stderr, "memattr: too many tests registered\n");
		exit(KSFT_FAIL);
	}
	registry[nr_registered++] = def;
}

unsigned ma_timeout_scale(void)
{
	const char *s = getenv("MEMATTR_TIMEOUT_SCALE");
	long v = s ? strtol(s, NULL, 10) : 1;

	return v >= 1 && v <= 1000 ? (unsigned)v : 1;
}

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	char buf[2048];
	char *line, *save = NULL;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	/* one diagnostic line per message line, so nothing breaks the TAP stream */
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("# %s%s\n", prefix, line);
	fflush(stdout);
}

void ma_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

static void note_failure(const char *file, int line, const char *fmt, va_list ap)
{
	char where[128];

	snprintf(where, sizeof(where), "%s:%d: ", file, line);
	vlog(where, fmt, ap);
	if (cur_result)
		cur_result->failed = 1;
}

void ma_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	note_failure(file, line, fmt, ap);
	va_end(ap);
	if (!cur_result)
		exit(KSFT_FAIL);
}

void ma_end(void)
{
	fflush(stdout);
	_exit(ma_failed() ? KSFT_FAIL : KSFT_PASS);
}

void ma_fatal_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	note_failure(file, line, fmt, ap);
	va_end(ap);
	fflush(stdout);
	_exit(KSFT_FAIL);
}

void ma_skip(const char *fmt, ...)
{
	va_list ap;

	if (!cur_result) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
		exit(KSFT_SKIP);
	}
	va_start(ap, fmt);
	vsnprintf(cur_result->reason, sizeof(cur_result->reason), fmt, ap);
	va_end(ap);
	/* the reason is a directive: no '#' or newline may break it */
	for (char *p = cur_result->reason; *p; p++)
		if (*p == '#' || *p == '\n')
			*p = ' ';
	cur_result->skipped = 1;
	fflush(stdout);
	_exit(KSFT_PASS);
}

bool ma_failed(void)
{
	return cur_result && cur_result->failed;
}

const char *ma_long_str(long v)
{
	static char bufs[4][32];
	static unsigned i;
	char *b = bufs[i++ % 4];

	snprintf(b, 32, "(%ld)", v);
	return b;
}

const char *ma_errno_name(int err)
{
	static const struct { int e; const char *n; } names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" }, { EIO, "EIO" },
		{ ENXIO, "ENXIO" }, { E2BIG, "E2BIG" }, { EBADF, "EBADF" }, { EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { EINVAL, "EINVAL" }, { ENOSPC, "ENOSPC" },
		{ ERANGE, "ERANGE" }, { ENOSYS, "ENOSYS" }, { ENOTTY, "ENOTTY" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ ENOEXEC, "ENOEXEC" }, { EHWPOISON, "EHWPOISON" }, { E2BIG, "E2BIG" }, { EMFILE, "EMFILE" },
	};
	static char other[4][24];
	static unsigned i;
	char *b;

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
		if (names[k].e == err)
			return names[k].n;
	b = other[i++ % 4];
	snprintf(b, 24, "errno %d", err);
	return b;
}

/* ---- requirements ---- */

static unsigned this_arch(void)
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

/* returns NULL if met, else the reason (static buffer) */
static const char *unmet(const struct ma_req *r)
{
	static char why[256];
	long v;
	int fd;

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
	if (fd < 0) {
		snprintf(why, sizeof(why), "/dev/kvm unavailable: %s", strerror(-fd));
		return why;
	}
	for (int i = 0; i < MA_MAX_REQ_CAPS && r->sys_caps[i]; i++) {
		v = ma_try_check_cap(fd, r->sys_caps[i]);
		if (v <= 0) {
			snprintf(why, sizeof(why), "KVM_CHECK_EXTENSION(%s) on /dev/kvm is %ld",
				 cap_name(r->sys_caps[i]), v);
			close(fd);
			return why;
		}
	}
	if (r->vm_caps[0]) {
		int vmfd = (int)ma_try_ioctl(fd, KVM_CREATE_VM, (void *)0);

		if (vmfd < 0) {
			snprintf(why, sizeof(why), "KVM_CREATE_VM failed: %s", strerror(-vmfd));
			close(fd);
			return why;
		}
		for (int i = 0; i < MA_MAX_REQ_CAPS && r->vm_caps[i]; i++) {
			v = ma_try_check_cap(vmfd, r->vm_caps[i]);
			if (v <= 0) {
				snprintf(why, sizeof(why), "KVM_CHECK_EXTENSION(%s) on a VM is %ld",
					 cap_name(r->vm_caps[i]), v);
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

/* ---- running ---- */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void run_child(const struct instance *in)
{
	struct ma_t t = { .def = in->def, .variant = in->variant };

	snprintf(t.name, sizeof(t.name), "%s", in->name);
	t.param = in->variant ? in->variant->param : NULL;
	cur_test = &t;
	setpgid(0, 0);
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
	fflush(stdout);
	_exit(KSFT_PASS);
}

/* wait for pid up to timeout_ms; returns 1 if it exited (status set), 0 on timeout */
static int wait_child(pid_t pid, long long timeout_ms, int *status)
{
	long long deadline = now_ms() + timeout_ms;
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);
		long long left;

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			*status = 0;
			break;
		}
		left = deadline - now_ms();
		if (left <= 0) {
			if (pfd >= 0)
				close(pfd);
			return 0;
		}
		if (pfd >= 0) {
			struct pollfd p = { .fd = pfd, .events = POLLIN };

			poll(&p, 1, (int)(left > 1000 ? 1000 : left));
		} else {
			usleep(10000);
		}
	}
	if (pfd >= 0)
		close(pfd);
	return 1;
}

struct totals {
	unsigned pass, fail, xfail, xpass, skip, error;
};

static void run_instance(const struct instance *in, unsigned num, unsigned timeout_override,
			 struct totals *tot)
{
	const struct ma_test_def *d = in->def;
	unsigned timeout = timeout_override ? timeout_override
			   : (d->timeout_s ? d->timeout_s : MA_DEFAULT_TIMEOUT_S) * ma_timeout_scale();
	const char *why = unmet(&d->req);
	long long t0;
	int status = 0, done;
	pid_t pid;

	if (!why && in->variant) {
		/* a variant adds requirements; it cannot make a test that needs no KVM need it */
		struct ma_req vr = in->variant->req;

		vr.no_kvm = vr.no_kvm || d->req.no_kvm;
		why = unmet(&vr);
	}
	if (why) {
		printf("ok %u %s # SKIP %s\n", num, in->name, why);
		tot->skip++;
		return;
	}
	memset(cur_result, 0, sizeof(*cur_result));
	fflush(stdout);
	fflush(stderr);
	t0 = now_ms();
	pid = fork();
	if (pid < 0) {
		printf("# fork: %s\nnot ok %u %s\n", strerror(errno), num, in->name);
		tot->fail++;
		return;
	}
	if (pid == 0)
		run_child(in);
	setpgid(pid, pid);
	done = wait_child(pid, (long long)timeout * 1000, &status);
	if (!done) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		printf("# %s: killed after %u s (a guest or the test did not finish)\n", in->name, timeout);
		printf("# duration_ms=%lld\n", now_ms() - t0);
		printf("not ok %u %s # TIMEOUT %u seconds\n", num, in->name, timeout);
		tot->fail++;
		return;
	}
	/* whatever the child left running in its process group goes too */
	kill(-pid, SIGKILL);
	printf("# duration_ms=%lld\n", now_ms() - t0);
	if (WIFSIGNALED(status)) {
		printf("# %s: test process killed by signal %d (%s)\n", in->name, WTERMSIG(status),
		       strsignal(WTERMSIG(status)));
		cur_result->failed = 1;
	} else if (WIFEXITED(status) && WEXITSTATUS(status) != KSFT_PASS) {
		if (!cur_result->failed)
			printf("# %s: test process exited with status %d without a verdict (a sanitizer report "
			       "or an abort: see stderr)\n", in->name, WEXITSTATUS(status));
		cur_result->failed = 1;
	}
	if (cur_result->skipped && !cur_result->failed) {
		printf("ok %u %s # SKIP %s\n", num, in->name, cur_result->reason);
		tot->skip++;
	} else if (cur_result->failed) {
		if (d->source)
			printf("# expectation source: %s\n", d->source);
		if (d->xfail) {
			printf("ok %u %s # XFAIL %s\n", num, in->name, d->xfail);
			tot->xfail++;
		} else {
			printf("not ok %u %s\n", num, in->name);
			tot->fail++;
		}
	} else if (d->xfail) {
		printf("# %s passed but is marked as an expected failure: %s\n", in->name, d->xfail);
		printf("not ok %u %s # XPASS %s\n", num, in->name, d->xfail);
		tot->xpass++;
	} else {
		printf("ok %u %s\n", num, in->name);
		tot->pass++;
	}
	fflush(stdout);
}

static int selected(const char *name, char **inc, unsigned ninc, char **exc, unsigned nexc)
{
	unsigned i;

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

static void usage(const char *prog, FILE *f)
{
	fprintf(f,
		"usage: %s [-l|--list] [-v] [-t GLOB]... [-T GLOB]... [-o SECONDS]\n"
		"  -l, --list     list the tests (with -v: requirements and kernel sources)\n"
		"  -t GLOB        run only tests whose full name matches (repeatable)\n"
		"  -T GLOB        skip tests whose full name matches (repeatable)\n"
		"  -o SECONDS     override every test's timeout\n"
		"Environment: MEMATTR_TIMEOUT_SCALE=N multiplies timeouts (slow emulated cells).\n"
		"Exit status: 0 all passed, 1 a test failed, 4 every test was skipped.\n",
		prog);
}

int ma_harness_main(int argc, char **argv)
{
	static struct instance all[MA_MAX_TESTS * 4];
	char *inc[32], *exc[32];
	unsigned ninc = 0, nexc = 0, n = 0, nsel = 0, timeout_override = 0, k;
	struct instance **sel;
	struct totals tot = { 0 };
	int list = 0, verbose = 0;
	const char *after = NULL; /* --after NAME: only the selected tests after NAME */

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-l") || !strcmp(a, "--list")) {
			list = 1;
		} else if (!strcmp(a, "-v")) {
			verbose = 1;
		} else if (!strcmp(a, "--after") && i + 1 < argc) {
			after = argv[++i];
		} else if ((!strcmp(a, "-t") || !strcmp(a, "-T") || !strcmp(a, "-o")) && i + 1 < argc) {
			if (a[1] == 't' && ninc < 32)
				inc[ninc++] = argv[++i];
			else if (a[1] == 'T' && nexc < 32)
				exc[nexc++] = argv[++i];
			else if (a[1] == 'o') {
				char *end;
				long v = strtol(argv[++i], &end, 10);

				if (*end || v <= 0 || v > 86400) {
					fprintf(stderr, "%s: -o needs a number of seconds (1-86400), got '%s'\n",
						argv[0], argv[i]);
					return 2;
				}
				timeout_override = (unsigned)v;
			} else {
				fprintf(stderr, "%s: too many patterns\n", argv[0]);
				return 2;
			}
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(argv[0], stdout);
			return 0;
		} else {
			fprintf(stderr, "%s: unknown argument '%s'\n", argv[0], a);
			usage(argv[0], stderr);
			return 2;
		}
	}
	for (unsigned i = 0; i < nr_registered; i++) {
		const struct ma_test_def *d = registry[i];
		unsigned nv = d->nr_variants ? d->nr_variants : 1;

		for (unsigned v = 0; v < nv; v++) {
			struct instance *in = &all[n++];

			in->def = d;
			in->variant = d->nr_variants ? &d->variants[v] : NULL;
			if (in->variant)
				snprintf(in->name, sizeof(in->name), "%s.%s.%s", d->suite, d->name, in->variant->name);
			else
				snprintf(in->name, sizeof(in->name), "%s.%s", d->suite, d->name);
		}
	}
	/* names must be unique: a duplicate is a defect of the suite, not of the kernel */
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			if (!strcmp(all[i].name, all[j].name)) {
				fprintf(stderr, "memattr: duplicate test name %s\n", all[i].name);
				return KSFT_FAIL;
			}
	sel = calloc(n ? n : 1, sizeof(*sel));
	if (!sel)
		return KSFT_FAIL;
	for (unsigned i = 0; i < n; i++)
		if (selected(all[i].name, inc, ninc, exc, nexc))
			sel[nsel++] = &all[i];
	if (after) {
		for (k = 0; k < nsel && strcmp(sel[k]->name, after); k++)
			;
		if (k == nsel) {
			fprintf(stderr, "%s: --after %s: no such test in the selection\n", argv[0], after);
			free(sel);
			return 2;
		}
		nsel -= k + 1;
		memmove(sel, sel + k + 1, nsel * sizeof(*sel));
	}
	if (list) {
		for (k = 0; k < nsel; k++) {
			printf("%s\n", sel[k]->name);
			if (verbose && sel[k]->def->source)
				printf("    source: %s\n", sel[k]->def->source);
		}
		free(sel);
		return 0;
	}
	cur_result = mmap(NULL, sizeof(*cur_result), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cur_result == MAP_FAILED) {
		perror("mmap");
		return KSFT_FAIL;
	}
	printf("TAP version 13\n");
	if (!nsel) {
		printf("1..0 # SKIP no test matches the selection\n");
		free(sel);
		return KSFT_SKIP;
	}
	printf("1..%u\n", nsel);
	for (k = 0; k < nsel; k++)
		run_instance(sel[k], k + 1, timeout_override, &tot);
	printf("# Totals: pass:%u fail:%u xfail:%u xpass:%u skip:%u error:%u\n", tot.pass, tot.fail,
	       tot.xfail, tot.xpass, tot.skip, tot.error);
	free(sel);
	if (tot.fail || tot.xpass || tot.error)
		return KSFT_FAIL;
	if (!tot.pass && !tot.xfail && tot.skip)
		return KSFT_SKIP;
	return KSFT_PASS;
}
