/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stress agents (MA_AGENT_STRESS_VERIFY, MA_AGENT_STRESS_ATOMIC) on the vCPUs of a VM, each in its
 * own thread, watched through their control page for progress (host/stress_run.c): a vCPU that
 * stops making progress is stopped and reported with its guest PC instead of being waited on.
 *
 *   struct ma_stress_run r;
 *   ma_stress_run_init(&r, vm, t->name, ma_duration_s(t));
 *   ma_stress_run_start(&r, 0, MA_AGENT_STRESS_VERIFY, MA_ARGS(gpa, bytes, MA_STRESS_CTRL_GPA, seed, 0));
 *   while (ma_stress_run_tick(&r))
 *           ...host events...;
 *   ma_stress_run_stop(&r);
 *   ma_stress_run_judge(&r, &ops, &errors);
 */
#ifndef MEMATTR_STRESS_RUN_H
#define MEMATTR_STRESS_RUN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "memattr/kvm.h"

#define MA_STRESS_MAX_VCPUS 5
#define MA_STRESS_CTRL_GPA (MA_TEST_GPA + (1ull << 30))	/* the control page's slot */
#define MA_STRESS_CTRL_SLOT 9

struct ma_stress_worker {
	struct ma_vcpu *v;
	enum ma_agent agent;
	uint64_t args[5];
	struct ma_result res;
	bool stalled;		/* no progress within the bounds: stopped, res.pc is where */
	double stalled_after;	/* seconds without progress when it was stopped */
	double stalled_cpu;	/* CPU seconds its thread used in that time */
	double stalled_guest;	/* of which running guest code (guest_time) */
	double cpu_s;		/* CPU seconds its thread used in all */
	uint64_t stalled_progress;
	uint64_t stalled_exits;	/* exits to the host in that time (the vCPU's "exits" statistic) */
	int exits_err;		/* why that statistic could not be read (-errno), or 0 */
	pthread_t th;
	struct ma_stress_run *run;
};

struct ma_stress_run {
	const char *name;		/* the test's short name, for the progress lines */
	struct ma_vm *vm;
	struct ma_stress_ctrl *ctrl;	/* host view of the control page */
	unsigned int nv;
	struct ma_stress_worker w[MA_STRESS_MAX_VCPUS];
	unsigned int seconds;		/* how long the agents run */
	double stall_guest_s;		/* a vCPU that ran guest code this long without progress, */
	double stall_wall_s;		/* or that made none for this long (in watch slices of <= 1 s) */
	double t0, elapsed;
	double next_progress;		/* when the next progress line is due */
	char load[512];			/* the test's own figures for the progress line */
};

/* The control page (slot MA_STRESS_CTRL_SLOT at MA_STRESS_CTRL_GPA) and the run's parameters. */
void ma_stress_run_init(struct ma_stress_run *r, struct ma_vm *vm, const char *name, unsigned int seconds);
/* Start an agent on vCPU i (args: up to 5) in its own thread. */
void ma_stress_run_start(struct ma_stress_run *r, unsigned int i, enum ma_agent agent, const uint64_t *args,
			 unsigned int n);
/* Between host events: false once the run's time is up; prints a progress line every 10 s. */
bool ma_stress_run_tick(struct ma_stress_run *r);
/* Stop the agents (the stop word) and join them. */
void ma_stress_run_stop(struct ma_stress_run *r);
/* Judge every vCPU: finished, not stalled, no integrity error.  The sums in *ops, *errors. */
void ma_stress_run_judge(struct ma_stress_run *r, uint64_t *ops, uint64_t *errors);
/* The sum of the lanes' progress now. */
uint64_t ma_stress_run_progress(const struct ma_stress_run *r);

#endif
