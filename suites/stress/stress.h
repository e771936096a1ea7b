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
#include "memattr/stress_run.h"

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
/* Whether p has ended (then reaped, its group killed, its status in *status); no waiting. */
bool st_proc_done(struct st_proc *p, int *status);
/* Whole file (malloc'ed, NUL-terminated), NULL if unreadable. */
char *st_read_file(const char *path);
/* NUMA nodes of the host (1 without NUMA) */
unsigned int st_numa_nodes(void);

/* ---- events.c: host events and their counters ------------------------------------------------- */

#define ST_VMSTAT_N 16
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

/*
 * A host event each tick in turn while guests verify, each counted: compaction; THP collapse
 * (MADV_COLLAPSE) and split (debugfs split_huge_pages) of the memory at hva; a MOVE, delete and
 * re-add of another slot of the VM (ST_IDLE_SLOT); move_pages of hva's pages to the other NUMA
 * node where there are two.
 */
#define ST_IDLE_SLOT 2
struct st_events {
	struct ma_vm *vm;
	void *hva;		/* the data the guest verifies (THP collapse/split, NUMA) */
	size_t size;
	bool thp;		/* anonymous memory: collapse and split apply */
	bool numa;		/* move hva's pages between nodes 0 and 1 */
	struct ma_mem idle;	/* the other slot: moved, deleted and re-added */
	bool idle_at2;
	unsigned int tick;
	uint64_t compactions, collapses, collapse_fail, splits, moves, readds, numa_calls, numa_moved;
	int collapse_err, split_err, compact_err;
};

/*
 * move_pages of every page of [hva, hva+size) to node 0 or 1, alternating by page and call: the
 * number of pages now on the node asked for
 */
uint64_t st_move_pages(void *hva, size_t size, uint64_t call);
void st_events_init(struct st_events *e, struct ma_vm *vm, void *hva, size_t size, bool thp, bool numa);
void st_events_tick(struct st_events *e);
void st_events_log(const struct st_events *e, char *buf, size_t size);
/* The events must have happened, or the run proved nothing about them. */
void st_events_judge(const struct st_events *e);

/* KSM (/sys/kernel/mm/ksm/) for a test: scanning fast, put back as it was afterwards. */
struct st_ksm {
	bool present;			/* the host has KSM */
	long long run0, scan0, sleep0;	/* the settings to put back */
	long long scans0;		/* full_scans when the test began */
};

/* A KSM counter (full_scans, pages_sharing, ...), or -1. */
long long st_ksm_read(const char *f);
/* Save the settings, scan 4096 pages every sleep_ms, run: false (nothing done) without KSM. */
bool st_ksm_begin(struct st_ksm *k, unsigned int sleep_ms);
/* Put the settings back; unmerge what was merged unless KSM was running before. */
void st_ksm_end(const struct st_ksm *k);

/* ---- load.c: stress-ng and fio in rounds ----------------------------------------------------- */

#define ST_MAX_STRESSORS 8

struct st_load {
	char sng[256], fio[256], yaml[128], json[128], target[64];
	struct st_proc ps, pf;
	uint64_t fio_bytes;		/* fio's part of target, from offset 0: an mmap job, a direct job */
	unsigned int round_s, sng_round_s, fio_round_s;
	double end;
	unsigned int sng_rounds, sng_failed, fio_rounds, fio_failed;
	double sng_ops, fio_written;
	/* the rates of the whole run: each round's rate times its length, summed, and the lengths */
	struct st_stressor_rate {
		char name[32];
		double rate;		/* one round's bogo-ops per second (real time) */
		double rate_x_s;	/* the run's: the rounds' rates times their lengths, summed */
	} sng_rate[ST_MAX_STRESSORS];
	unsigned int sng_nrate;
	double sng_secs, fio_bps_x_s, fio_secs;
};

/*
 * Start stress-ng and fio (on the first bytes of target) for seconds, in rounds of round_s (0:
 * one round).  Skips (or fails, in a cell that carries them) when the tools are missing.
 */
void st_load_start(struct st_load *l, const char *target, uint64_t bytes, unsigned int seconds,
		   unsigned int round_s);
/* Judge a round that ended and start the next while time is left. */
void st_load_poll(struct st_load *l);
/* Wait for the last rounds (their time and 60 s) and judge them. */
void st_load_finish(struct st_load *l);
void st_load_describe(const struct st_load *l, char *buf, size_t size);

#endif
