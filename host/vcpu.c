// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: creation, starting an agent, the run loop that decodes the guest's calls, a watchdog
 * that bounds every run, and running one agent on all vCPUs on threads.
 */
#include <errno.h>
#include <stdarg.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fault_inject.h"
#include "arch.h"
#include "memattr/harness.h"
#include "memattr/kvm.h"
#include "memattr/sigbus.h"
#include "memattr/util.h"

#define MA_DEFAULT_RUN_TIMEOUT_MS 10000u
#define MA_WATCHDOG_SIGNAL (SIGRTMIN + 3)

static _Thread_local struct ma_vcpu *tl_vcpu;

unsigned int ma_default_run_timeout_ms(void)
{
	return MA_DEFAULT_RUN_TIMEOUT_MS * ma_timeout_scale();
}

static void watchdog_signal(int sig)
{
	(void)sig;
	/* if the signal lands outside KVM_RUN, the next KVM_RUN returns EINTR at once */
	if (tl_vcpu && tl_vcpu->run)
		tl_vcpu->run->immediate_exit = 1;
}

static void install_watchdog_once(void)
{
	struct sigaction sa = { .sa_handler = watchdog_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(MA_WATCHDOG_SIGNAL, &sa, NULL);	/* no SA_RESTART: KVM_RUN returns EINTR */
}

static void install_watchdog_handler(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, install_watchdog_once);
}

int ma_try_vcpu_add(struct ma_vm *vm, struct ma_vcpu **out)
{
	struct ma_vcpu *v;
	long size;
	int r;

	*out = NULL;
	if (vm->nr_vcpus >= MA_MAX_VCPUS)
		return -E2BIG;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->vm = vm;
	v->index = vm->nr_vcpus;
	v->fd = (int)ma_try_ioctl(vm->fd, KVM_CREATE_VCPU, (void *)(unsigned long)v->index);
	if (v->fd < 0) {
		r = v->fd;
		free(v);
		return r;
	}
	size = ma_try_ioctl(ma_kvm_fd(), KVM_GET_VCPU_MMAP_SIZE, NULL);
	if (size < 0) {
		r = (int)size;
		goto err;
	}
	v->run_size = (size_t)size;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		r = -errno;
		v->run = NULL;
		goto err;
	}
	if (vm->has_guest) {
		v->mbox_gpa = MA_MAILBOX_GPA + v->index * MA_MAILBOX_STRIDE;
		v->mbox = ma_gpa_to_hva(vm, v->mbox_gpa);
	}
	r = ma_arch_try_vcpu_init(v);
	if (r)
		goto err;
	vm->vcpus[vm->nr_vcpus++] = v;
	*out = v;
	return 0;
err:
	ma_vcpu_free(v);
	return r;
}

struct ma_vcpu *ma_vcpu_add(struct ma_vm *vm)
{
	struct ma_vcpu *v;
	int r = ma_try_vcpu_add(vm, &v);

	if (r)
		ma_fatal("adding vCPU %u: %s", vm->nr_vcpus, ma_errno_name(-r));
	return v;
}

void ma_vcpu_free(struct ma_vcpu *v)
{
	if (!v)
		return;
	ma_arch_vcpu_free(v);
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	free(v);
}

void ma_vcpu_start(struct ma_vcpu *v, enum ma_agent agent, const uint64_t *args, unsigned int nargs)
{
	struct ma_mailbox *mb = v->mbox;
	int r;

	if (!mb)
		ma_fatal("vCPU %u has no guest (VM created with no_guest)", v->index);
	memset(mb, 0, sizeof(*mb));
	mb->agent = agent;
	mb->vcpu_index = v->index;
	mb->nr_vcpus = v->vm->nr_vcpus;
	for (unsigned int i = 0; i < nargs && i < 8; i++)
		mb->args[i] = args[i];
	r = ma_arch_try_vcpu_set_entry(v, MA_IMAGE_GPA, MA_STACK_GPA + (v->index + 1) * MA_STACK_SIZE,
				       v->mbox_gpa);
	if (r)
		ma_fatal("setting the entry registers of vCPU %u: %s", v->index, ma_errno_name(-r));
}

static void copy_str(char *dst, size_t n, const char *src, size_t srcmax)
{
	size_t len = strnlen(src, srcmax);

	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = 0;
}

/* handle a doorbell: returns 1 when the run must stop with res->outcome set */
static int handle_call(struct ma_vcpu *v, uint64_t gpa, struct ma_result *res)
{
	struct ma_mailbox *mb = v->mbox;

	if (gpa != v->mbox_gpa || !mb) {
		snprintf(res->text, sizeof(res->text), "doorbell with mailbox 0x%llx, expected 0x%llx",
			 (unsigned long long)gpa, (unsigned long long)v->mbox_gpa);
		res->outcome = MA_OUT_EXIT;
		return 1;
	}
	switch (mb->call) {
	case MA_CALL_PRINT:
		if (!v->quiet) {
			char text[sizeof(mb->text) + 1];

			copy_str(text, sizeof(text), mb->text, sizeof(mb->text));
			ma_log("guest vcpu%u: %s", v->index, text);
		}
		mb->call = MA_CALL_NONE;
		return 0;
	case MA_CALL_DONE:
		res->outcome = MA_OUT_DONE;
		break;
	case MA_CALL_ASSERT:
		res->outcome = MA_OUT_ASSERT;
		break;
	case MA_CALL_EXCEPTION:
		res->outcome = MA_OUT_EXCEPTION;
		break;
	case MA_CALL_SYNC:
		res->outcome = MA_OUT_SYNC;
		break;
	default:
		res->outcome = MA_OUT_EXIT;
		snprintf(res->text, sizeof(res->text), "unknown guest call %u", mb->call);
		return 1;
	}
	res->ret = mb->ret;
	memcpy(res->vals, mb->vals, sizeof(res->vals));
	res->exc = mb->exc;
	res->line = mb->line;
	copy_str(res->file, sizeof(res->file), mb->file, sizeof(mb->file));
	copy_str(res->text, sizeof(res->text), mb->text, sizeof(mb->text));
	mb->call = MA_CALL_NONE;
	return 1;
}

static long long now_ms(void)
{
	return (long long)(ma_now_s() * 1000);
}

/* The run's watchdog: MA_WATCHDOG_SIGNAL to this thread after timeout_ms, then every 100 ms. */
static timer_t start_watchdog(struct ma_vcpu *v, unsigned int timeout_ms)
{
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = MA_WATCHDOG_SIGNAL };
	struct itimerspec its = { 0 };
	timer_t timer;

	sev._sigev_un._tid = gettid();	/* sigev_notify_thread_id */
	/* every vCPU run is bounded: without its watchdog timer it does not start */
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer))
		ma_fatal("vCPU %u: timer_create for the run's watchdog: %s", v->index, ma_errno_name(errno));
	its.it_value.tv_sec = timeout_ms / 1000;
	its.it_value.tv_nsec = (long)(timeout_ms % 1000) * 1000000;
	its.it_interval.tv_nsec = 100 * 1000000;	/* keep kicking until we notice */
	if (timer_settime(timer, 0, &its, NULL))
		ma_fatal("vCPU %u: timer_settime for the run's watchdog: %s", v->index, ma_errno_name(errno));
	return timer;
}

/*
 * KVM_RUN failed with errno e: true if that ends the run (res->outcome set: stopped, timed out, a
 * SIGBUS KVM queued to this thread, another error), false if the run goes on (a kick without cause).
 */
static bool run_failed(struct ma_vcpu *v, int e, long long deadline, unsigned int timeout_ms,
		       struct ma_result *res)
{
	if (e == EINTR && v->stop_request) {
		res->outcome = MA_OUT_STOPPED;
		snprintf(res->text, sizeof(res->text), "vCPU %u stopped by ma_vcpu_stop()", v->index);
		return true;
	}
	if (e == EINTR && now_ms() >= deadline) {
		v->timed_out = 1;
		res->outcome = MA_OUT_TIMEOUT;
		snprintf(res->text, sizeof(res->text), "vCPU %u still running after %u ms", v->index,
			 timeout_ms);
		return true;
	}
	if (e == EINTR) {
		/* a SIGBUS KVM queued to this thread (a poisoned page) ends the run */
		res->sigbus_count = ma_sigbus_take(&res->sigbus);
		if (!res->sigbus_count) {
			v->run->immediate_exit = 0;
			return false;
		}
	}
	res->outcome = MA_OUT_RUN_ERROR;
	res->err = e;
	if (res->exit_reason == KVM_EXIT_MEMORY_FAULT) {
		res->memory_fault.flags = v->run->memory_fault.flags;
		res->memory_fault.gpa = v->run->memory_fault.gpa;
		res->memory_fault.size = v->run->memory_fault.size;
	}
	return true;
}

enum ma_outcome ma_vcpu_resume(struct ma_vcpu *v, unsigned int timeout_ms, struct ma_result *res)
{
	long long deadline;
	timer_t timer;
	sigset_t unblock;
	int pc_err;

	memset(res, 0, sizeof(*res));
	if (!timeout_ms)
		timeout_ms = ma_default_run_timeout_ms();
	install_watchdog_handler();
	sigemptyset(&unblock);
	sigaddset(&unblock, MA_WATCHDOG_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &unblock, NULL);
	tl_vcpu = v;
	v->timed_out = 0;
	v->stop_request = 0;
	v->run_tid = gettid();
	deadline = now_ms() + timeout_ms;
	timer = start_watchdog(v, timeout_ms);
	v->run->immediate_exit = 0;
	for (;;) {
		uint64_t gpa;
		int injected = ma_inject_hook(KVM_RUN);
		int r = injected ? (errno = injected, -1) : ioctl(v->fd, KVM_RUN, NULL);

		res->exits++;
		res->exit_reason = v->run->exit_reason;
		if (r < 0) {
			if (run_failed(v, errno, deadline, timeout_ms, res))
				break;
			continue;
		}
		if (ma_arch_is_doorbell(v, &gpa)) {
			if (handle_call(v, gpa, res))
				break;
			continue;
		}
		res->outcome = MA_OUT_EXIT;
		break;
	}
	timer_delete(timer);
	v->run->immediate_exit = 0;
	v->run_tid = 0;
	tl_vcpu = NULL;
	pc_err = ma_arch_try_vcpu_get_pc(v, &res->pc);
	if (pc_err < 0)
		ma_fail("vCPU %u: reading the guest PC after KVM_RUN: %s", v->index, ma_errno_name(-pc_err));
	return res->outcome;
}

bool ma_vcpu_stop(struct ma_vcpu *v)
{
	pid_t tid = v->run_tid;

	if (!tid)
		return false;
	v->stop_request = 1;
	/* the handler sets immediate_exit: KVM_RUN returns EINTR now or at its next entry */
	return !tgkill(getpid(), tid, MA_WATCHDOG_SIGNAL);
}

enum ma_outcome ma_vcpu_run_agent(struct ma_vcpu *v, enum ma_agent agent, const uint64_t *args,
				  unsigned int nargs, unsigned int timeout_ms, struct ma_result *res)
{
	ma_vcpu_start(v, agent, args, nargs);
	return ma_vcpu_resume(v, timeout_ms, res);
}

void ma_run_agent_done(struct ma_vcpu *v, enum ma_agent agent, const uint64_t *args, unsigned int nargs,
		       struct ma_result *res, const char *what, ...)
{
	char why[768], name[256];
	va_list ap;

	if (ma_vcpu_run_agent(v, agent, args, nargs, 0, res) == MA_OUT_DONE)
		return;
	va_start(ap, what);
	vsnprintf(name, sizeof(name), what, ap);
	va_end(ap);
	ma_result_describe(res, why, sizeof(why));
	ma_fatal("vCPU %u, guest %s: %s", v->index, name, why);
}

void ma_run_agent_expect(struct ma_vcpu *v, enum ma_agent agent, const uint64_t *args, unsigned int nargs,
			 enum ma_outcome want, struct ma_result *res, const char *what, ...)
{
	char why[768], name[256];
	va_list ap;

	ma_vcpu_run_agent(v, agent, args, nargs, 0, res);
	va_start(ap, what);
	vsnprintf(name, sizeof(name), what, ap);
	va_end(ap);
	ma_result_describe(res, why, sizeof(why));
	ma_log("vCPU %u, guest %s: %s", v->index, name, why);
	if (res->outcome != want)
		ma_fatal("vCPU %u, guest %s: expected outcome %s, got %s", v->index, name,
			 ma_outcome_name(want), ma_outcome_name(res->outcome));
	ma_check_passed();
}

struct run_all_arg {
	struct ma_vcpu *v;
	unsigned int timeout_ms;
	struct ma_result *res;
};

static void *run_all_thread(void *p)
{
	struct run_all_arg *a = p;

	ma_vcpu_resume(a->v, a->timeout_ms, a->res);
	return NULL;
}

/* The n-th CPU (modulo how many there are) this process may run on, or -1. */
static int allowed_cpu(unsigned int n)
{
	cpu_set_t set;
	int count, c;

	if (sched_getaffinity(0, sizeof(set), &set))
		ma_fatal("sched_getaffinity: %s", strerror(errno));
	count = CPU_COUNT(&set);
	if (count < 1)
		return -1;
	n %= (unsigned int)count;
	for (c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set) && n-- == 0)
			return c;
	return -1;
}

unsigned int ma_vcpus_run_agent_all(struct ma_vm *vm, enum ma_agent agent, const uint64_t *args,
				    unsigned int nargs, unsigned int timeout_ms, struct ma_result *res)
{
	struct run_all_arg a[MA_MAX_VCPUS];
	pthread_t th[MA_MAX_VCPUS];
	unsigned int bad = 0, i;
	pthread_attr_t attr;

	for (i = 0; i < vm->nr_vcpus; i++)
		ma_vcpu_start(vm->vcpus[i], agent, args, nargs);
	for (i = 0; i < vm->nr_vcpus; i++) {
		/* spread the vCPU threads over the CPUs this process has, so that they can run at once */
		int cpu = allowed_cpu(i), e;
		cpu_set_t one;

		a[i] = (struct run_all_arg){ .v = vm->vcpus[i], .timeout_ms = timeout_ms, .res = &res[i] };
		e = pthread_attr_init(&attr);
		if (e)
			ma_fatal("pthread_attr_init: %s", strerror(e));
		if (cpu >= 0) {
			CPU_ZERO(&one);
			CPU_SET(cpu, &one);
			e = pthread_attr_setaffinity_np(&attr, sizeof(one), &one);
			if (e)
				ma_fatal("pthread_attr_setaffinity_np(CPU %d) for vCPU %u: %s",
					 cpu, i, strerror(e));
		}
		e = pthread_create(&th[i], &attr, run_all_thread, &a[i]);
		if (e)
			ma_fatal("pthread_create for vCPU %u: %s", i, strerror(e));
		pthread_attr_destroy(&attr);
	}
	for (i = 0; i < vm->nr_vcpus; i++) {
		pthread_join(th[i], NULL);
		if (res[i].outcome != MA_OUT_DONE)
			bad++;
	}
	return bad;
}

const char *ma_outcome_name(enum ma_outcome o)
{
	static const char *const n[] = {
		[MA_OUT_DONE] = "done", [MA_OUT_ASSERT] = "guest assertion", [MA_OUT_EXCEPTION] = "guest exception",
		[MA_OUT_SYNC] = "guest sync", [MA_OUT_EXIT] = "unhandled exit", [MA_OUT_RUN_ERROR] = "KVM_RUN error",
		[MA_OUT_TIMEOUT] = "timeout", [MA_OUT_STOPPED] = "stopped",
	};

	return (unsigned int)o < MA_ARRAY_SIZE(n) ? n[o] : "?";
}

const char *ma_exit_reason_name(uint32_t reason)
{
	static const struct { uint32_t r; const char *n; } names[] = {
		{ KVM_EXIT_UNKNOWN, "UNKNOWN" }, { KVM_EXIT_EXCEPTION, "EXCEPTION" }, { KVM_EXIT_IO, "IO" },
		{ KVM_EXIT_HYPERCALL, "HYPERCALL" }, { KVM_EXIT_DEBUG, "DEBUG" }, { KVM_EXIT_HLT, "HLT" },
		{ KVM_EXIT_MMIO, "MMIO" }, { KVM_EXIT_SHUTDOWN, "SHUTDOWN" },
		{ KVM_EXIT_FAIL_ENTRY, "FAIL_ENTRY" },
		{ KVM_EXIT_INTR, "INTR" }, { KVM_EXIT_INTERNAL_ERROR, "INTERNAL_ERROR" },
		{ KVM_EXIT_SYSTEM_EVENT, "SYSTEM_EVENT" }, { KVM_EXIT_ARM_NISV, "ARM_NISV" },
		{ KVM_EXIT_MEMORY_FAULT, "MEMORY_FAULT" },
	};

	for (size_t i = 0; i < MA_ARRAY_SIZE(names); i++)
		if (names[i].r == reason)
			return names[i].n;
	return "other";
}

void ma_result_describe(const struct ma_result *res, char *buf, size_t len)
{
	switch (res->outcome) {
	case MA_OUT_DONE:
		snprintf(buf, len, "done (ret0=0x%llx)", (unsigned long long)res->ret.raw[0]);
		break;
	case MA_OUT_ASSERT:
		snprintf(buf, len, "guest assertion at %s:%u: %s (0x%llx vs 0x%llx)", res->file, res->line,
			 res->text, (unsigned long long)res->vals[0], (unsigned long long)res->vals[1]);
		break;
	case MA_OUT_EXCEPTION:
		snprintf(buf, len, "guest exception: vector 0x%llx syndrome 0x%llx addr 0x%llx pc 0x%llx",
			 (unsigned long long)res->exc.vector, (unsigned long long)res->exc.syndrome,
			 (unsigned long long)res->exc.addr, (unsigned long long)res->exc.pc);
		break;
	case MA_OUT_RUN_ERROR: {
		char sb[128] = "";

		if (res->exit_reason == KVM_EXIT_MEMORY_FAULT) {
			snprintf(buf, len,
				 "KVM_RUN failed: %s, exit_reason %u (MEMORY_FAULT: gpa 0x%llx size 0x%llx flags 0x%llx), pc 0x%llx",
				 ma_errno_name(res->err), res->exit_reason,
				 (unsigned long long)res->memory_fault.gpa,
				 (unsigned long long)res->memory_fault.size,
				 (unsigned long long)res->memory_fault.flags, (unsigned long long)res->pc);
			break;
		}
		if (res->sigbus_count)
			ma_sigbus_describe(&res->sigbus, sb, sizeof(sb));
		snprintf(buf, len, "KVM_RUN failed: %s, exit_reason %u (%s), pc 0x%llx%s%s",
			 ma_errno_name(res->err), res->exit_reason, ma_exit_reason_name(res->exit_reason),
			 (unsigned long long)res->pc, res->sigbus_count ? ", " : "", sb);
		break;
	}
	case MA_OUT_TIMEOUT:
		snprintf(buf, len, "%s, pc 0x%llx", res->text, (unsigned long long)res->pc);
		break;
	default:
		snprintf(buf, len, "%s: exit_reason %u (%s) pc 0x%llx %s", ma_outcome_name(res->outcome),
			 res->exit_reason, ma_exit_reason_name(res->exit_reason), (unsigned long long)res->pc,
			 res->text);
	}
}

int ma_try_get_one_reg(struct ma_vcpu *v, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)val };

	return (int)ma_try_ioctl(v->fd, KVM_GET_ONE_REG, &reg);
}

int ma_try_set_one_reg(struct ma_vcpu *v, uint64_t id, uint64_t val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)&val };

	return (int)ma_try_ioctl(v->fd, KVM_SET_ONE_REG, &reg);
}
