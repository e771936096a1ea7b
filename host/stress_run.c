// SPDX-License-Identifier: GPL-2.0
/*
 * Stress agents on every vCPU, each in its own thread, watched through the control page: a vCPU
 * whose progress counter does not move while it runs stall_guest_s seconds of guest code, or for
 * stall_wall_s seconds whatever it did, is stopped and reported with its guest PC instead of
 * being waited on; a progress line (# memattr-progress ...) is printed every 10 s (every 30 s
 * in runs over 5 min), which the runner shows as it comes.
 *
 * The guest-time bound is what tells a stall from starvation: a spinning or looping guest runs
 * guest code without progress, while a guest on a host busy with stress-ng and fio (or a slow
 * emulated cell) makes little progress because its thread gets little CPU, and a guest whose
 * memory the host reclaims or migrates spends its thread's CPU in the host kernel, faulting pages
 * back (kernel/sched/cputime.c:account_guest_time counts only the ticks taken in guest mode, the
 * thread's guest_time in /proc: arm64 and x86 KVM take the tick before they leave guest timing).
 * The second bound catches everything else that makes no progress, a vCPU blocked in the kernel
 * or one faulting without end; it counts the watch's own slices, each at most 1 s, not the clock,
 * because a whole lab cell can go without CPU for a minute when its host is busy (a soak next to a
 * build saw all five vCPUs of a VM stopped that way).  A stopped vCPU's report also says how many
 * times it exited to the host without progress (KVM's "exits" statistic): a guest that stays in
 * guest mode exits only for the host's interrupts (its timer tick, CONFIG_HZ a second, and the
 * watch's signals), one whose access faults into the host KVM exits at every try.
 */
#include "memattr/stress_run.h"

#include "memattr/harness.h"
#include "memattr/kvm_stats.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SLICE_MS 500u
/*
 * a progress line every 10 s, every 30 s in runs over 5 minutes (more often than the runner's
 * 60 s for suite output after a kernel warning, lab.c OOPS_STALL_S)
 */
#define PROGRESS_EVERY_S(r) ((r)->seconds > 300 ? 30.0 : 10.0)

static uint64_t lane_progress(const struct ma_stress_run *r, unsigned int i)
{
	return atomic_load_explicit((_Atomic uint64_t *)&r->ctrl->lane[i].progress, memory_order_acquire);
}

uint64_t ma_stress_run_progress(const struct ma_stress_run *r)
{
	uint64_t s = 0;

	for (unsigned int i = 0; i < r->nv; i++)
		s += lane_progress(r, i);
	return s;
}

void ma_stress_run_init(struct ma_stress_run *r, struct ma_vm *vm, const char *name, unsigned int seconds)
{
	uint64_t pg = ma_host_page_size();

	memset(r, 0, sizeof(*r));
	r->name = name;
	r->vm = vm;
	r->seconds = seconds;
	/*
	 * A page takes the agent well under a millisecond of guest time natively and under 0.1 s
	 * in the slowest emulated cell: 10 s in the guest without one is a stop.  Otherwise: 60 s.
	 */
	r->stall_guest_s = 10.0 * ma_timeout_scale();
	r->stall_wall_s = 60.0 * ma_timeout_scale();
	uint64_t csize = (sizeof(struct ma_stress_ctrl) + pg - 1) / pg * pg;

	r->ctrl =
		ma_test_mem(vm, MA_STRESS_CTRL_SLOT, MA_STRESS_CTRL_GPA, csize, MA_BACK_ANON, MA_MT_NORMAL_WB)
			->hva;
	r->t0 = ma_now_s();
	r->next_progress = r->t0 + PROGRESS_EVERY_S(r);
}

/* CPU time of the calling thread (guest time in KVM_RUN included), seconds */
static double thread_cpu_s(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return 0;
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The bound falls back to the thread's CPU time (stricter: it includes the guest time): said once. */
static double guest_fallback(const char *why)
{
	static atomic_bool said;

	if (!atomic_exchange(&said, true))
		ma_log("guest_time unreadable (%s): the stall bound counts the vCPU threads' CPU time", why);
	return thread_cpu_s();
}

/*
 * Guest time of the calling thread, seconds: field 43 of /proc/thread-self/stat
 * (fs/proc/array.c:do_task_stat), in clock ticks.
 */
static double thread_guest_s(void)
{
	static long hz;
	char buf[1024], *p;
	unsigned long long guest;
	unsigned int field = 2;
	FILE *f;
	size_t n;

	if (!hz)
		hz = sysconf(_SC_CLK_TCK);
	f = fopen("/proc/thread-self/stat", "re");
	if (!f)
		return guest_fallback(ma_errno_name(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	p = strrchr(buf, ')');	/* the command name may hold spaces and parentheses */
	while (p && field < 43)
		p = strchr(p + 1, ' '), field++;
	if (!p || hz <= 0 || sscanf(p, " %llu", &guest) != 1)
		return guest_fallback("no field 43 in /proc/thread-self/stat");
	return (double)guest / (double)hz;
}

static void *worker(void *arg)
{
	struct ma_stress_worker *w = arg;
	struct ma_stress_run *r = w->run;
	unsigned int i = w->v->index;
	uint64_t last = 0;
	double last_t = ma_now_s(), last_cpu = thread_cpu_s(), last_guest = thread_guest_s();
	double blocked = 0, slice_t = last_t;

	struct ma_kvm_stat exits;
	uint64_t last_exits = 0, nexits = 0;

	w->exits_err = ma_try_kvm_stat_open(w->v->fd, "exits", &exits);
	if (!w->exits_err)
		w->exits_err = ma_try_kvm_stat_read(&exits, &last_exits);
	ma_vcpu_start(w->v, w->agent, w->args, 5);
	while (ma_vcpu_resume(w->v, SLICE_MS, &w->res) == MA_OUT_TIMEOUT) {
		uint64_t p = lane_progress(r, i);
		double now = ma_now_s(), cpu = thread_cpu_s(), guest = thread_guest_s();

		if (!w->exits_err)
			w->exits_err = ma_try_kvm_stat_read(&exits, &nexits);

		/* a slice counts its length, at most 1 s: a starved process gains no blocked time */
		blocked += now - slice_t < 1.0 ? now - slice_t : 1.0;
		slice_t = now;
		if (p != last) {
			last = p;
			last_t = now;
			last_cpu = cpu;
			last_guest = guest;
			last_exits = nexits;
			blocked = 0;
		} else if (guest - last_guest >= r->stall_guest_s || blocked >= r->stall_wall_s) {
			w->stalled = true;
			w->stalled_after = now - last_t;
			w->stalled_cpu = cpu - last_cpu;
			w->stalled_guest = guest - last_guest;
			w->stalled_progress = p;
			w->stalled_exits = nexits - last_exits;
			break;
		}
	}
	w->cpu_s = thread_cpu_s();
	if (!w->exits_err)
		ma_kvm_stat_close(&exits);
	return NULL;
}

void ma_stress_run_start(struct ma_stress_run *r, unsigned int i, enum ma_agent agent, const uint64_t *args,
			 unsigned int n)
{
	struct ma_stress_worker *w = &r->w[i];
	int err;

	MA_REQUIRE(i < MA_STRESS_MAX_VCPUS && i < r->vm->nr_vcpus && n <= 5, "vCPU %u, %u arguments", i, n);
	w->v = r->vm->vcpus[i];
	w->agent = agent;
	w->run = r;
	memcpy(w->args, args, n * sizeof(*args));
	if (i + 1 > r->nv)
		r->nv = i + 1;
	err = pthread_create(&w->th, NULL, worker, w);
	MA_REQUIRE(!err, "pthread_create: %s", ma_errno_name(err));
}

bool ma_stress_run_tick(struct ma_stress_run *r)
{
	double now = ma_now_s();

	if (now >= r->next_progress) {
		uint64_t errors = 0;

		for (unsigned int i = 0; i < r->nv; i++)
			errors += atomic_load_explicit((_Atomic uint64_t *)&r->ctrl->lane[i].errors,
						       memory_order_relaxed);
		printf("# memattr-progress %s: elapsed=%.0fs ops=%llu errors=%llu%s%s\n", r->name,
		       now - r->t0, (unsigned long long)ma_stress_run_progress(r), (unsigned long long)errors,
		       r->load[0] ? " " : "", r->load);
		fflush(stdout);
		r->next_progress += PROGRESS_EVERY_S(r);
	}
	return now < r->t0 + r->seconds;
}

void ma_stress_run_stop(struct ma_stress_run *r)
{
	atomic_store_explicit((_Atomic uint64_t *)&r->ctrl->stop, 1, memory_order_release);
	for (unsigned int i = 0; i < r->nv; i++)
		pthread_join(r->w[i].th, NULL);
	r->elapsed = ma_now_s() - r->t0;
}

void ma_stress_run_judge(struct ma_stress_run *r, uint64_t *ops, uint64_t *errors)
{
	*ops = 0;
	*errors = 0;
	for (unsigned int i = 0; i < r->nv; i++) {
		struct ma_stress_worker *w = &r->w[i];
		const struct ma_ret_stress *s = &w->res.ret.stress;
		char why[768], exits[96];

		if (w->exits_err)
			snprintf(exits, sizeof(exits), "exits unknown: KVM_GET_STATS_FD \"exits\": %s",
				 ma_errno_name(-w->exits_err));
		else
			snprintf(exits, sizeof(exits), "%llu exits to the host (%.0f a second)",
				 (unsigned long long)w->stalled_exits,
				 w->stalled_after > 0 ? w->stalled_exits / w->stalled_after : 0);
		MA_CHECK(!w->stalled,
			 "vCPU %u made no progress for %.1f s, %.1f s of it on the CPU, %.1f s in the guest, %s (progress counter %llu; bounds %.0f s in the guest, %.0f s in all): stopped at guest PC %#llx",
			 i, w->stalled_after, w->stalled_cpu, w->stalled_guest, exits,
			 (unsigned long long)w->stalled_progress, r->stall_guest_s, r->stall_wall_s,
			 (unsigned long long)w->res.pc);
		MA_CHECK(!w->exits_err, "vCPU %u: its \"exits\" statistic did not read: %s", i,
			 ma_errno_name(-w->exits_err));
		if (w->stalled)
			continue;
		ma_result_describe(&w->res, why, sizeof(why));
		MA_CHECK(w->res.outcome == MA_OUT_DONE, "vCPU %u did not finish its agent: %s", i, why);
		if (w->res.outcome != MA_OUT_DONE)
			continue;
		*ops += s->ops;
		*errors += s->errors;
		MA_CHECK(!s->errors,
			 "vCPU %u: %llu words wrong; first at gpa %#llx in pass %llu: read %#llx, the pattern is %#llx",
			 i, (unsigned long long)s->errors, (unsigned long long)s->first_gpa,
			 (unsigned long long)s->first_pass, (unsigned long long)s->first_seen,
			 (unsigned long long)s->first_want);
	}
}
