/* SPDX-License-Identifier: GPL-2.0 */
/* config.h: the run configuration (suite.conf, --config files, command-line overrides). */
#ifndef MEMATTR_DRIVER_CONFIG_H
#define MEMATTR_DRIVER_CONFIG_H

#include "util.h"

struct skip_profile;

enum host_cell_mode { HOST_CELL_AUTO, HOST_CELL_YES, HOST_CELL_NO };

/* One [cell NAME] section. String fields are NULL when not set (defaults are applied by
 * config_finalize()).
 */
struct cell_conf {
	char *name;
	char *arch;      /* "arm64" or "x86_64" */
	char *cpu;       /* -cpu model */
	char *machine;   /* extra -M/-machine options ("" for none) */
	char *memory;    /* -m */
	char *append;    /* extra kernel command line */
	char *flavour;   /* Debian kernel flavour */
	char *kernel;    /* user kernel image (absolute path) instead of a Debian one */
	char *modules;   /* modules directory that goes with kernel= */
	char *qemu_args; /* extra QEMU arguments (split like a shell would, no expansion) */
	long smp;        /* 0: default */
	long timeout;    /* seconds, 0: run.cell_timeout */
	char *pfnmap;    /* MEMATTR_PFNMAP specs for this cell's suites (NULL: what the cell found) */
	char *pci;       /* emulated PCI device sets, normalized "ivshmem,edu" (either or both), or NULL */
	char *disk;      /* size of the cell's scratch virtio-blk disk ("64M"), NULL: none */
	char *swap;      /* size of the cell's zram swap ("256M"), NULL: none */
	char *kvm_mode;  /* the KVM mode the cell must report (vhe|nvhe|hvhe|protected|svm|vmx), NULL: any */
	/* KVM Kconfig changes "+SYM,-SYM" (normalized): kvm.ko and kvm-amd.ko are rebuilt with them
	 * (runners/build-kvm.sh) and loaded instead of Debian's; NULL: Debian's
	 */
	char *kvm_config;
	long kvm_vm_types; /* the KVM_CAP_VM_TYPES the cell must report, -1: any */
	/* Debian packages whose executables, libraries and loader go into the initramfs
	 * (runners/fetch-packages.sh), blank-separated; NULL: none
	 */
	char *packages;
	char *expected_skips;              /* profile file (absolute), NULL: skips are not judged */
	struct skip_profile *skip_profile; /* loaded by config_finalize() */
	char *where;     /* FILE:LINE of the (first) section header */
	/*
	 * A half of a cross-cell migration pair ([run] migrations), made by config_finalize() from the
	 * source or destination cell (not a key): "out" runs [run] migration_save_test and writes the
	 * stream to the pair's transfer disk, "in" runs migration_restore_test from it.
	 */
	const char *migrate_role;
	char *migrate_pair;    /* "SRC>DST" */
	char *xfer;            /* the transfer disk: a file name in the run directory */
};

struct config {
	/* [run] */
	struct strvec cells; /* cell names to run */
	char *cells_where;   /* where cells= was last set */
	struct strvec suites; /* empty: every suite binary found for the cell's architecture */
	char *filter;        /* glob or NULL */
	char *suite_args;    /* extra arguments for every suite binary */
	long timeout_scale;
	long cell_timeout;
	long jobs;           /* 0: number of CPUs */
	enum host_cell_mode host_cell;
	char *report_dir;    /* absolute */
	char *known_issues;  /* the known-issues file (absolute), NULL: none */
	char *kernel_suite;
	long fixtures;        /* build and load fixtures/ modules in lab cells (0/1; a V_INT key) */
	char *pfnmap;         /* MEMATTR_PFNMAP specs for the native host cell (real devices) */
	int reboot_after_panic; /* boot a lab cell again after a kernel panic to run the rest (0/1) */
	long panic_reboots;   /* at most this many such reboots per cell */
	struct strvec migrations; /* cross-cell migration pairs "SRC>DST" (empty: none) */
	char *migrations_where;
	/* what the halves of a pair run (suite.conf names them; a pair needs all three): the suite,
	 * its test that saves the VM (out half) and its test that restores it (in half)
	 */
	char *migration_suite, *migration_save_test, *migration_restore_test;
	/* the run's profile (smoke | qualify | soak): qualify and soak run profile_suites (unless suites
	 * are given) with -d qualify_duration / soak_duration and a cell timeout to match; soak only
	 * the tests soak_tests matches
	 */
	char *profile;
	struct strvec profile_suites;
	long qualify_duration, soak_duration;
	char *soak_tests;	/* the soak profile's filter (glob), unless the run has one */
	long boot_stall;      /* seconds (times timeout_scale) a boot may take to CELL-BEGIN before it is
			       * killed as stalled and booted once more
			       */

	/* kselftest mode: "yes" (or "bare": without the lab variables) runs the kernel's run_kselftest.sh
	 * on the installed tree build/kselftest/<arch> in the cells instead of the suites directly;
	 * NULL or "no": off
	 */
	char *kselftest;

	struct cell_conf *cell;
	size_t ncell;

	struct strvec files; /* config files read, in order */
	char *root;          /* project root: base of relative paths in config files */
};

void config_init(struct config *c, const char *root);
/* Whether the cell's pci= names this device set ("ivshmem", "edu"). */
bool cell_has_pci(const struct cell_conf *cc, const char *set);
void config_free(struct config *c);

/* Each of these returns 0, or -1 and sets *err to a malloc'd "WHERE: message" text. */
int config_load_file(struct config *c, const char *path, char **err);
/* Parse configuration text as if read from file `name` (used by config_load_file and tests). */
int config_load_text(struct config *c, const char *name, const char *text, char **err);
/* section is "run" or "cell NAME"; origin names the source for messages (e.g. "--jobs"). */
int config_set(struct config *c, const char *section, const char *key, const char *value,
	       const char *origin, char **err);
/* "run.key=value" or "cell.NAME.key=value" (from --set). */
int config_set_spec(struct config *c, const char *spec, char **err);
/*
 * Apply defaults and check cross-references (cells= names, every cell has an arch, kvm_mode fits the
 * arch, kvm_config only on x86_64 and not with kernel=) and load every cell's expected-skip profile
 * (its errors are FILE:LINE errors too).
 */
int config_finalize(struct config *c, char **err);

struct cell_conf *config_find_cell(const struct config *c, const char *name);
/*
 * The migration pairs that run: both cells selected (cells=), the migration suite selected
 * (suites= all or listing migration_suite) and no filter.  The out and in halves' names, in pairs,
 * go to *names.
 */
void config_migration_cells(const struct config *c, struct strvec *names);
const char *host_cell_name(enum host_cell_mode m);
/* Architecture helpers: "arm64" -> "aarch64" (build/<dir>), "amd64" (Debian). */
const char *arch_build_dir(const char *arch);
const char *arch_debian(const char *arch);

#endif
