/* SPDX-License-Identifier: GPL-2.0 */
/* native.h: the "host" cell: suite binaries run directly on this machine's /dev/kvm. */
#ifndef MEMATTR_DRIVER_NATIVE_H
#define MEMATTR_DRIVER_NATIVE_H

#include "config.h"

#include <stdbool.h>
#include <stdio.h>

struct host_info {
	char machine[65];    /* uname -m */
	char release[257];   /* uname -r */
	const char *arch;    /* "x86_64" / "arm64" (config spelling), NULL if unsupported */
	bool dev_kvm;        /* /dev/kvm exists */
	bool dev_kvm_rw;     /* and can be opened read-write */
	bool hw_flags;       /* x86: vmx or svm in /proc/cpuinfo */
	const char *kind;    /* "hardware", "pvm" (a /dev/kvm without hardware virtualization), "none" */
	const char *kvm_mode; /* vmx, svm, pvm, vhe/nvhe (arm64: kernel command line), unknown, none */
	char *cpu_model;
};

struct cell;
struct run_env;

void native_detect(struct host_info *h);
void native_free(struct host_info *h);
/* Whether the host cell runs under this mode; *why explains (static text). */
bool native_wanted(enum host_cell_mode m, const struct host_info *h, const char **why);
/* Run the host cell; always ends with cell_finish(). */
void native_run_cell(struct cell *c, const struct config *conf, const struct run_env *env,
		     const struct host_info *h);
/* why: why the host cell is part of the run */
void native_dry_run(FILE *f, const struct config *conf, const struct run_env *env, const struct host_info *h,
		    const char *why);

#endif
