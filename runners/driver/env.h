/* SPDX-License-Identifier: GPL-2.0 */
/* env.h: the environment of a run and its plan helpers: where the project, the cache, the helper
 * scripts and the QEMU binaries are (environment overrides resolved once), which suites a cell runs,
 * how many cells run at once.  A leaf under the lab, native and run layers: it knows the
 * configuration, nothing of runs, cells or reports.
 */
#ifndef MEMATTR_DRIVER_ENV_H
#define MEMATTR_DRIVER_ENV_H

#include "config.h"
#include "util.h"

/* Where things are; environment overrides resolved once. */
struct run_env {
	char *root;         /* project root (build/, runners/, suite.conf) */
	char *cache;        /* $MEMATTR_CACHE or ~/.cache/memattr */
	char *fetch_kernel; /* $MEMATTR_FETCH_KERNEL or runners/fetch-kernel.sh */
	char *mkinitramfs;  /* $MEMATTR_MKINITRAMFS or runners/mkinitramfs.sh */
	char *build_fixtures; /* $MEMATTR_BUILD_FIXTURES or runners/build-fixtures.sh */
	char *build_kvm;    /* $MEMATTR_BUILD_KVM or runners/build-kvm.sh (a cell's kvm_config) */
	char *fetch_packages; /* $MEMATTR_FETCH_PACKAGES or runners/fetch-packages.sh (a cell's packages) */
	char *qemu_aarch64; /* $MEMATTR_QEMU_AARCH64 or qemu-system-aarch64 */
	char *qemu_x86_64;  /* $MEMATTR_QEMU_X86_64 or qemu-system-x86_64 */
};

void run_env_init(struct run_env *e, const char *root);
void run_env_free(struct run_env *e);
const char *run_env_qemu(const struct run_env *e, const char *arch);
/* Suites to run from bin_dir: conf->suites, or every memattr-* program there but memattr-cellinfo. */
void run_suites_for(const struct config *conf, const char *bin_dir, struct strvec *out);
char *run_bin_dir(const struct run_env *e, const char *arch); /* <root>/build/<aarch64|x86_64>/bin */
long run_jobs(const struct config *conf); /* conf->jobs, or the number of CPUs */

#endif
