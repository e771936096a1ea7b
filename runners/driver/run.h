/* SPDX-License-Identifier: GPL-2.0 */
/* run.h: one invocation of memattr-run: its plan, its cells (run in parallel), the report directory.
 * Layers, each using only those below it: util, tap, skip_profile, known_issues, config, env, proc;
 * cell, console; lab, native, qemu_identity; run; report (json, junit, summary, matrix); results,
 * report_kcidb, report_html, compare, merge, post (from results.json); main.
 */
#ifndef MEMATTR_DRIVER_RUN_H
#define MEMATTR_DRIVER_RUN_H

#include "cell.h"
#include "config.h"
#include "env.h"
#include "known_issues.h"
#include "native.h"
#include "util.h"

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
	struct known_issues known; /* [run] known_issues, loaded by main */
	long shard_i, shard_n;     /* --shard I/N (set before run_plan); shard_n 0: all cells */
};

/* Decide the cells (only shard I of N of the lab cells, if r->shard_n > 1); no side effects. */
void run_plan(struct run *r, const struct config *conf, const char *root);
/* Create the report directory and reports/latest. 0, or -1 with *err. */
int run_open(struct run *r, char **err);
/* Run every cell (in parallel up to jobs). */
void run_execute(struct run *r);
void run_free(struct run *r);
/*
 * The known issue covering t of c: *state "known" (t failed) or "fixed" (t passed); NULL (and
 * *state NULL) if none or t is neither.
 */
const struct known_issue *run_known(const struct run *r, const struct cell *c, const struct test_result *t,
				    const char **state);
/* Results of c that a known issue covers (known failures), and passes one says fail (fixed). */
void run_known_counts(const struct run *r, const struct cell *c, long *known, long *fixed);
/* 0: every cell passed, or failed only in tests a known issue covers; 1: a test failed or a cell
 * errored.
 */
int run_exit_status(const struct run *r);

#endif
