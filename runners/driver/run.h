/* SPDX-License-Identifier: GPL-2.0 */
/* run.h: one invocation of memattr-run: its plan, its cells (run in parallel), the report directory.
 * Layers, each using only those below it: util, tap, skip_profile, config, env, proc; cell, console;
 * lab, native; run; report (json, junit, summary, matrix); main.
 */
#ifndef MEMATTR_DRIVER_RUN_H
#define MEMATTR_DRIVER_RUN_H

#include "cell.h"
#include "config.h"
#include "env.h"
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
};

/* Decide the cells; no side effects. */
void run_plan(struct run *r, const struct config *conf, const char *root);
/* Create the report directory and reports/latest. 0, or -1 with *err. */
int run_open(struct run *r, char **err);
/* Run every cell (in parallel up to jobs). */
void run_execute(struct run *r);
void run_free(struct run *r);
/* 0: every cell passed; 1: a test failed or a cell errored. */
int run_exit_status(const struct run *r);

#endif
