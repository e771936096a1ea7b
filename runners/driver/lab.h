/* SPDX-License-Identifier: GPL-2.0 */
/* lab.h: a lab cell: Debian kernel (fetch-kernel.sh), initramfs (mkinitramfs.sh), QEMU TCG. */
#ifndef MEMATTR_DRIVER_LAB_H
#define MEMATTR_DRIVER_LAB_H

#include "config.h"
#include "util.h"

#include <stdio.h>

struct cell;
struct run_env;

/* The kernel command line of a lab cell. resume: "<suite>:<test>" (memattr.resume, a boot after a
 * kernel panic: that suite runs only the tests after <test>), or NULL.
 */
char *lab_cmdline(const struct cell_conf *cc, const struct config *conf, const struct strvec *suites,
		  const char *resume);
/* QEMU argv (argv[0] is the QEMU binary); disk: the scratch disk image (cc->disk), or NULL. */
void lab_qemu_argv(struct strvec *argv, const char *qemu, const struct cell_conf *cc, const char *kernel,
		   const char *initrd, const char *cmdline, const char *disk);
/* Run a lab cell (booted again after a kernel panic while tests remain, if configured); always
 * ends with cell_finish().
 */
void lab_run_cell(struct cell *c, const struct cell_conf *cc, const struct config *conf,
		  const struct run_env *env);
/* Print what a lab cell would run. */
void lab_dry_run(FILE *f, const struct cell_conf *cc, const struct config *conf, const struct run_env *env);
/* Release memoized kernel / QEMU look-ups. */
void lab_cleanup(void);

#endif
