/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stress suite: guests that keep proving the integrity of their memory while the host loads
 * and changes that memory.  tool.c runs the host tools (stress-ng, fio) the suite starts and stops.
 */
#ifndef MEMATTR_SUITES_STRESS_H
#define MEMATTR_SUITES_STRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

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

#endif
