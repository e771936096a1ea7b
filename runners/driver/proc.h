/* SPDX-License-Identifier: GPL-2.0 */
/* proc.h: spawning programs in their own process group, streaming their output, timeouts. */
#ifndef MEMATTR_DRIVER_PROC_H
#define MEMATTR_DRIVER_PROC_H

#include "util.h"

#include <signal.h>
#include <sys/types.h>

/* Set by the SIGINT/SIGTERM handler: running children are killed and the waits return. */
extern volatile sig_atomic_t proc_interrupted;

struct proc_opts {
	char *const *argv;  /* argv[0] is looked up in PATH unless it has a '/' */
	char *const *env;   /* extra "KEY=VALUE" entries (NULL-terminated) or NULL */
	bool merge_stderr;  /* stderr goes into the stdout pipe; else into its own pipe */
	const char *cwd;    /* NULL: inherit */
};

struct proc {
	pid_t pid;          /* also the process group id */
	int out_fd, err_fd; /* -1 once closed */
	int status;         /* wait(2) status, valid once exited */
	bool exited;
	double deadline;    /* mono_now() time to give up; 0: none. Callbacks may change it. */
};

enum proc_end { PROC_EXITED, PROC_TIMEOUT, PROC_INTERRUPTED };

/* Data callback: stream is 1 (stdout, or merged) or 2 (stderr). */
typedef void (*proc_data_fn)(void *ctx, struct proc *p, int stream, const char *data, size_t n);

/* stdin is /dev/null. Returns 0, or -1 with *err set (no such program, exec failure ...). */
int proc_start(struct proc *p, const struct proc_opts *o, char **err);
/* Read output until the process exits and its pipes close, or the deadline passes / an interrupt
 * arrives (the process group is then killed). The process is reaped in every case.
 */
enum proc_end proc_stream(struct proc *p, proc_data_fn fn, void *ctx);
/* SIGTERM to the group, SIGKILL after a grace period, reap. */
void proc_kill(struct proc *p);

int proc_rc(int status);           /* exit code, or 128 + signal */
char *proc_status_desc(int status); /* "exit status 1", "killed by signal 9 (SIGKILL)" */

/* Run to completion capturing stdout and stderr (either may be NULL: discarded).
 * Returns 0 when the program ran (its status in *status), -1 with *err on spawn failure, timeout
 * (timeout_s > 0) or interrupt.
 */
int proc_capture(char *const argv[], char *const env[], double timeout_s, struct buf *out, struct buf *errout,
		 int *status, char **err);

#endif
