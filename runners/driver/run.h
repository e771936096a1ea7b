/* SPDX-License-Identifier: GPL-2.0 */
/* run.h: one invocation of memattr-run: its environment, its cells, the report directory. */
#ifndef MEMATTR_DRIVER_RUN_H
#define MEMATTR_DRIVER_RUN_H

#include "cell.h"
#include "config.h"
#include "native.h"
#include "util.h"

/* Where things are; environment overrides resolved once. */
struct run_env {
	char *root;         /* project root (build/, runners/, suite.conf) */
	char *cache;        /* $MEMATTR_CACHE or ~/.cache/memattr */
	char *fetch_kernel; /* $MEMATTR_FETCH_KERNEL or runners/fetch-kernel.sh */
	char *mkinitramfs;  /* $MEMATTR_MKINITRAMFS or runners/mkinitramfs.sh */
	char *build_fixtures; /* $MEMATTR_BUILD_FIXTURES or runners/build-fixtures.sh */
	char *qemu_aarch64; /* $MEMATTR_QEMU_AARCH64 or qemu-system-aarch64 */
	char *qemu_x86_64;  /* $MEMATTR_QEMU_X86_64 or qemu-system-x86_64 */
};

struct run {
	char *id;         /* UTC timestamp, the directory name */
	char *timestamp;  /* ISO 8601 */
	char *dir;        /* <report_dir>/<id> */
	char *hostname;
	char *git;        /* git describe, NULL if unavailable */
	struct strvec argv;
	const struct config *conf;
	struct run_env env;
	struct host_info host;
	bool host_cell;          /* a native host cell is part of the run */
	char *host_cell_why;     /* why (not) */
	struct strvec cell_names; /* in run order ("host" first if present) */
	struct cell **cells;      /* parallel to cell_names, filled as cells finish */
	double t_start, t_end;
	bool interrupted;
};

void run_env_init(struct run_env *e, const char *root);
void run_env_free(struct run_env *e);
const char *run_env_qemu(const struct run_env *e, const char *arch);

/* Suites to run from bin_dir: conf->suites, or every memattr-* program there but memattr-cellinfo. */
void run_suites_for(const struct config *conf, const char *bin_dir, struct strvec *out);
char *run_bin_dir(const struct run_env *e, const char *arch); /* <root>/build/<aarch64|x86_64>/bin */

/* Decide the cells; no side effects. */
void run_plan(struct run *r, const struct config *conf, const char *root);
/* Create the report directory and reports/latest. 0, or -1 with *err. */
int run_open(struct run *r, char **err);
/* Run every cell (in parallel up to jobs). */
void run_execute(struct run *r);
/* Write results.json, junit.xml, summary.txt. 0, or -1 with *err. */
int run_write_reports(struct run *r, char **err);
void run_free(struct run *r);
/* 0: every cell passed; 1: a test failed or a cell errored. */
int run_exit_status(const struct run *r);
long run_jobs(const struct config *conf);

#endif
