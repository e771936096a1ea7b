/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stress suite: guests that keep proving the integrity of their memory while the host loads
 * and changes that memory.  tool.c runs the host tools (stress-ng, fio) the suite starts and stops.
 */
#ifndef MEMATTR_SUITES_STRESS_H
#define MEMATTR_SUITES_STRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "memattr/kvm.h"

/* A host tool the suite started: its own process group, output to a file. */
struct st_proc {
	pid_t pid;		/* 0: not running */
	char out[128];		/* its stdout and stderr */
	double t0;		/* start, seconds (CLOCK_MONOTONIC) */
};

/*
 * The tool `tool` of Debian package `pkg` on PATH, into path.  Missing: the test fails when the
 * cell was configured to carry the package (MEMATTR_PACKAGES, runners/cell/init.sh), and skips
 * naming it otherwise (a native host without it).
 */
void st_tool_require(const char *tool, const char *pkg, char *path, size_t size);
/* Start argv (argv[0] an absolute path) in its own process group, killed with its parent. */
void st_proc_start(struct st_proc *p, char *const argv[], const char *tag);
/*
 * Wait for p up to timeout_s; then SIGTERM to its group, and SIGKILL 3 s later.  Its wait status;
 * *timed_out says whether it had to be stopped.
 */
int st_proc_wait(struct st_proc *p, double timeout_s, bool *timed_out);
/* Stop p now (SIGTERM to the group, SIGKILL 3 s later): its wait status. */
int st_proc_stop(struct st_proc *p);
/* Whole file (malloc'ed, NUL-terminated), NULL if unreadable. */
char *st_read_file(const char *path);
double st_now(void);
/* NUMA nodes of the host (1 without NUMA) */
unsigned int st_numa_nodes(void);

/* ---- run.c: stress agents on every vCPU, watched for progress -------------------------------- */

#define ST_MAX_VCPUS 4
#define ST_CTRL_GPA (MA_TEST_GPA + (1ull << 30))	/* the control page's slot */
#define ST_CTRL_SLOT 9

struct st_worker {
	struct ma_vcpu *v;
	enum ma_agent agent;
	uint64_t args[5];
	struct ma_result res;
	bool stalled;		/* no progress within the bound: stopped, res.pc is where */
	double stalled_after;	/* seconds without progress when it was stopped */
	uint64_t stalled_progress;
	pthread_t th;
	struct st_run *run;
};

struct st_run {
	const char *name;		/* the test's short name, for the progress lines */
	struct ma_vm *vm;
	struct ma_stress_ctrl *ctrl;	/* host view of the control page */
	unsigned int nv;
	struct st_worker w[ST_MAX_VCPUS];
	unsigned int seconds;		/* how long the agents run */
	double stall_s;			/* a vCPU without progress this long is stopped and reported */
	double t0, elapsed;
	double next_progress;		/* when the next progress line is due */
	char load[200];			/* the test's own figures for the progress line */
};

/* The control page (slot ST_CTRL_SLOT at ST_CTRL_GPA) and the run's parameters. */
void st_run_init(struct st_run *r, struct ma_vm *vm, const char *name, unsigned int seconds);
/* Start an agent on vCPU i (args: up to 5) in its own thread. */
void st_run_start(struct st_run *r, unsigned int i, enum ma_agent agent, const uint64_t *args,
		  unsigned int n);
/* Between host events: false once the run's time is up; prints a progress line every 10 s. */
bool st_run_tick(struct st_run *r);
/* Stop the agents (the stop word) and join them. */
void st_run_stop(struct st_run *r);
/* Judge every vCPU: finished, not stalled, no integrity error.  The sums in *ops, *errors. */
void st_run_judge(struct st_run *r, uint64_t *ops, uint64_t *errors);
/* The sum of the lanes' progress now. */
uint64_t st_run_progress(const struct st_run *r);

/* ---- events.c: host events and their counters ------------------------------------------------- */

#define ST_VMSTAT_N 14
/* /proc/vmstat counters of interest */
struct st_vmstat {
	long long v[ST_VMSTAT_N];
};

void st_vmstat_read(struct st_vmstat *s);
/* "name=delta ..." of every counter: into buf */
void st_vmstat_delta(const struct st_vmstat *a, const struct st_vmstat *b, char *buf, size_t size);
long long st_vmstat_get(const struct st_vmstat *s, const char *name);
/* write a string to a sysfs/procfs file: 0 or -errno */
int st_write_file(const char *path, const char *val);
/* the first number of a file, or -1 */
long long st_read_num(const char *path);

#endif
