// SPDX-License-Identifier: GPL-2.0
/* test_config.c: the configuration parser: defaults, override order, errors with FILE:LINE. */
#include "config.h"
#include "skip_profile.h"
#include "t.h"

#include <stdlib.h>
#include <string.h>

/* Load texts in order, then finalize; returns 0 or -1 with *err. */
static int load(struct config *c, const char *const *names, const char *const *texts, size_t n, char **err)
{
	for (size_t i = 0; i < n; i++)
		if (config_load_text(c, names[i], texts[i], err) != 0)
			return -1;
	return config_finalize(c, err);
}

/* Expect an error whose text starts with want_prefix and contains want_part. */
static void expect_error(const char *text, const char *want_prefix, const char *want_part, const char *what)
{
	struct config c;

	config_init(&c, "/proj");
	char *err = NULL;
	const char *names[] = {"u.conf"};
	const char *texts[] = {text};
	int rc = load(&c, names, texts, 1, &err);

	T_INT(rc, -1, "%s: rejected", what);
	if (!T_OK(err && str_starts(err, want_prefix), "%s: error at %s", what, want_prefix))
		t_diag("error: %s", err ? err : "(none)");
	if (want_part)
		T_HAS(err, want_part, "%s: message", what);
	free(err);
	config_free(&c);
}

static void test_defaults(void)
{
	const char *src = getenv("MEMATTR_TEST_SRC");
	char *srcroot = path_abs(src ? src : ".");
	char *path = path_join(srcroot, "suite.conf");
	struct config c;

	config_init(&c, srcroot); /* the profiles named by suite.conf are read at finalize */
	char *err = NULL;
	int rc = config_load_file(&c, path, &err);

	if (rc == 0)
		rc = config_finalize(&c, &err);
	if (!T_INT(rc, 0, "suite.conf loads"))
		t_diag("%s", err);
	char *cells = strvec_join(&c.cells, ",");

	T_STR(cells, "arm64-max,arm64-neoverse-n1,arm64-cortex-a57,x86_64-max,x86_64-max-private", "default cells");
	free(cells);
	T_INT((long)c.ncell, 18, "twelve cells defined, and the halves of the three default migrations");
	struct strvec halves = {0};

	config_migration_cells(&c, &halves);
	char *hl = strvec_join(&halves, ",");

	T_STR(hl, "arm64-max-to-arm64-max-out,arm64-max-to-arm64-max-in,arm64-max-to-arm64-neoverse-n1-out,arm64-max-to-arm64-neoverse-n1-in,x86_64-max-to-x86_64-max-out,x86_64-max-to-x86_64-max-in",
	      "the default migrations run, out half before in half");
	free(hl);
	strvec_free(&halves);
	struct cell_conf *half = config_find_cell(&c, "arm64-max-to-arm64-neoverse-n1-in");

	T_OK(half && strcmp(half->cpu, "neoverse-n1") == 0 && strcmp(half->migrate_role, "in") == 0 &&
	     strcmp(half->xfer, "arm64-max-to-arm64-neoverse-n1.xfer") == 0 && !half->skip_profile,
	     "the in half is the destination cell, with the pair's transfer disk");
	/* the test names the driver runs come from suite.conf, not from the driver */
	T_STR(c.migration_suite, "migration", "suite.conf: the migration pairs run the migration suite");
	T_STR(c.migration_save_test, "migration.stream_save", "suite.conf: the out half saves");
	T_STR(c.migration_restore_test, "migration.stream_restore", "suite.conf: the in half restores");
	T_STR(c.soak_tests, "stress.soak", "suite.conf: the soak profile's tests");
	struct cell_conf *prot = config_find_cell(&c, "arm64-max-protected");

	T_OK(prot && strstr(prot->append, "kvm-arm.mode=protected"), "pKVM cell defined");
	struct cell_conf *mte = config_find_cell(&c, "arm64-max-mte");

	T_OK(mte && strcmp(mte->machine, "mte=on") == 0 && strcmp(mte->pci, "ivshmem") == 0, "MTE cell with PCI devices");
	T_OK(mte && !mte->disk, "a cell without disk= has no scratch disk");
	static const char *const with_dma[] = {"arm64-max", "arm64-neoverse-n1", "arm64-cortex-a57", "x86_64-max",
					       "x86_64-max-private"};
	for (size_t i = 0; i < ARRAY_SIZE(with_dma); i++) {
		struct cell_conf *d = config_find_cell(&c, with_dma[i]);

		T_OK(d && strcmp(d->pci, "ivshmem,edu") == 0 && cell_has_pci(d, "edu") &&
		     cell_has_pci(d, "ivshmem"), "default cell has the ivshmem and edu devices");
		T_OK(d && d->disk && strcmp(d->disk, "64M") == 0, "default cell has a 64M scratch disk");
	}
	struct cell_conf *k16 = config_find_cell(&c, "arm64-max-16k");

	T_OK(k16 && strcmp(k16->flavour, "arm64-16k") == 0, "16K-page kernel cell defined");
	struct cell_conf *a57 = config_find_cell(&c, "arm64-cortex-a57");

	T_OK(a57 && strcmp(a57->cpu, "cortex-a57") == 0 && strcmp(a57->arch, "arm64") == 0, "cortex-a57 cell");
	struct cell_conf *n1 = config_find_cell(&c, "arm64-neoverse-n1");

	T_OK(n1 && strcmp(n1->cpu, "neoverse-n1") == 0, "neoverse-n1 cell defined");
	struct cell_conf *x = config_find_cell(&c, "x86_64-max");

	T_OK(x && strcmp(x->arch, "x86_64") == 0 && strcmp(x->flavour, "amd64") == 0 && x->smp == 2 &&
	     strcmp(x->memory, "2G") == 0,
	     "x86_64-max cell");
	T_OK(x && !x->kvm_config && x->kvm_vm_types == -1, "x86_64-max: Debian's KVM modules, any VM types");
	struct cell_conf *xp = config_find_cell(&c, "x86_64-max-private");

	T_OK(xp && xp->kvm_config && strcmp(xp->kvm_config, "+KVM_SW_PROTECTED_VM") == 0 &&
	     xp->kvm_vm_types == 3 && strcmp(xp->cpu, "max") == 0 && strcmp(xp->flavour, "amd64") == 0,
	     "x86_64-max-private: x86_64-max with KVM_SW_PROTECTED_VM, VM types 0x3");
	T_INT((long)c.suites.n, 0, "suites = all");
	T_OK(!c.filter, "no filter");
	T_INT(c.timeout_scale, 1, "timeout_scale");
	T_INT(c.jobs, 0, "jobs auto");
	T_INT(c.host_cell, HOST_CELL_AUTO, "host_cell auto");
	char *reports = path_join(srcroot, "reports");

	T_STR(c.report_dir, reports, "report_dir relative to the root");
	free(reports);
	T_STR(c.kernel_suite, "sid", "kernel_suite");
	T_INT((long)c.files.n, 1, "file recorded");
	T_INT(c.reboot_after_panic, 1, "reboot_after_panic = yes");
	T_INT(c.panic_reboots, 3, "panic_reboots = 3");
	static const char *const modes[][2] = {{"arm64-max", "vhe"}, {"arm64-neoverse-n1", "vhe"},
					       {"arm64-cortex-a57", "nvhe"}, {"x86_64-max", "svm"},
					       {"x86_64-max-private", "svm"}};
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		struct cell_conf *cc = config_find_cell(&c, modes[i][0]);

		T_OK(cc && cc->kvm_mode && strcmp(cc->kvm_mode, modes[i][1]) == 0, "%s: kvm_mode %s",
		     modes[i][0],
		     modes[i][1]);
		T_OK(cc && cc->skip_profile && cc->skip_profile->n >= 3, "%s: expected-skip profile loaded (%zu entries)",
		     modes[i][0], cc && cc->skip_profile ? cc->skip_profile->n : 0);
		T_STR(cc ? cc->packages : NULL, "stress-ng fio", "%s: carries stress-ng and fio",
		      modes[i][0]);
	}
	free(err);
	free(path);
	free(srcroot);
	config_free(&c);
}

static void test_override_order(void)
{
	struct config c;

	config_init(&c, "/proj");
	const char *names[] = {"base.conf", "one.conf", "two.conf"};
	const char *texts[] = {
		"[run]\ncells = a\njobs = 2\n[cell a]\narch = arm64\ncpu = max\n",
		"# user file 1\n[run]\ncells = a, later\n[cell a]\ncpu = neoverse-v1\nmachine = mte=on\n"
		"append = \"kvm-arm.mode=nvhe\"\n",
		"[cell a]\ncpu = neoverse-n2\n\n; comment\n[cell later]\narch = amd64\nsmp = 4\nkernel = k/vmlinuz\n"
		"[run]\nfilter = memslot.*\nhost_cell = no\ntimeout_scale = 3\nreport_dir = /abs/rep\n",
	};
	char *err = NULL;
	int rc = load(&c, names, texts, 3, &err);

	if (!T_INT(rc, 0, "three files load"))
		t_diag("%s", err);
	struct cell_conf *a = config_find_cell(&c, "a");

	T_STR(a ? a->cpu : NULL, "neoverse-n2", "later file wins");
	T_STR(a ? a->machine : NULL, "mte=on", "earlier key kept when not overridden");
	T_STR(a ? a->append : NULL, "kvm-arm.mode=nvhe", "quotes removed");
	T_STR(a ? a->flavour : NULL, "arm64", "flavour default from arch");
	struct cell_conf *l = config_find_cell(&c, "later");

	T_STR(l ? l->arch : NULL, "x86_64", "amd64 accepted as x86_64");
	T_INT(l ? l->smp : 0, 4, "smp");
	T_STR(l ? l->kernel : NULL, "/proj/k/vmlinuz", "kernel path relative to the root");
	if (!T_OK(l && strcmp(l->where, "two.conf:5") == 0, "cell remembers where it was defined"))
		t_diag("where %s", l ? l->where : "-");
	T_STR(c.filter, "memslot.*", "filter");
	T_INT(c.host_cell, HOST_CELL_NO, "host_cell");
	T_INT(c.timeout_scale, 3, "timeout_scale");
	T_INT(c.jobs, 2, "jobs from the first file");
	T_STR(c.report_dir, "/abs/rep", "absolute report_dir");

	/* command line after the files */
	rc = config_set(&c, "run", "jobs", "7", "--jobs", &err);
	T_INT(rc, 0, "--jobs");
	T_INT(c.jobs, 7, "--jobs overrides the files");
	rc = config_set_spec(&c, "cell.a.cpu=cortex-a57", &err);
	T_INT(rc, 0, "--set cell.a.cpu");
	T_STR(a->cpu, "cortex-a57", "--set overrides the files");
	rc = config_set_spec(&c, "run.cells=later", &err);
	if (!T_INT(rc, 0, "--set run.cells"))
		t_diag("%s", err);
	T_INT((long)c.cells.n, 1, "cells replaced");
	rc = config_set(&c, "run", "jobs", "auto", "--jobs", &err);
	T_OK(rc == 0 && c.jobs == 0, "jobs auto");
	rc = config_set(&c, "run", "cells", "none", "--cells", &err);
	T_OK(rc == 0 && c.cells.n == 0, "cells none");
	rc = config_set(&c, "run", "suites", "memslot, atomics", "--suites", &err);
	T_OK(rc == 0 && c.suites.n == 2 && strcmp(c.suites.v[1], "atomics") == 0, "suites list");
	rc = config_set(&c, "run", "suites", "all", "--suites", &err);
	T_OK(rc == 0 && c.suites.n == 0, "suites all");
	free(err);
	config_free(&c);
}

/* kvm_config and kvm_vm_types: normalized, validated, only where KVM modules can be rebuilt. */
static void test_kvm_config(void)
{
	struct config c;
	char *err = NULL;

	config_init(&c, "/proj");
	const char *names[] = {"k.conf"};
	const char *texts[] = {"[cell p]\narch = x86_64\n"
			       "kvm_config = +KVM_SW_PROTECTED_VM -KVM_AMD_SEV, +KVM_SMM\nkvm_vm_types = 0x3\n"
			       "[cell q]\narch = x86_64\nkvm_vm_types = 1\nkvm_config =\n"};

	if (!T_INT(load(&c, names, texts, 1, &err), 0, "kvm_config: loads"))
		t_diag("%s", err);
	struct cell_conf *p = config_find_cell(&c, "p"), *q = config_find_cell(&c, "q");

	T_STR(p ? p->kvm_config : NULL, "+KVM_SW_PROTECTED_VM,-KVM_AMD_SEV,+KVM_SMM", "kvm_config: normalized");
	T_INT(p ? p->kvm_vm_types : -2, 3, "kvm_vm_types: hex");
	T_OK(q && !q->kvm_config, "kvm_config: empty is none");
	T_INT(q ? q->kvm_vm_types : -2, 1, "kvm_vm_types: decimal");
	T_INT(config_set_spec(&c, "cell.p.kvm_config=", &err), 0, "kvm_config: --set clears it");
	T_OK(p && !p->kvm_config, "kvm_config: cleared");
	T_INT(config_set_spec(&c, "cell.p.kvm_vm_types=", &err), 0, "kvm_vm_types: --set clears it");
	T_INT(p ? p->kvm_vm_types : -2, -1, "kvm_vm_types: cleared");
	free(err);
	config_free(&c);

	expect_error("[cell a]\narch = x86_64\nkvm_config = KVM_SW_PROTECTED_VM\n", "u.conf:3: ",
		     "'KVM_SW_PROTECTED_VM' is not +SYM (set CONFIG_SYM=y) or -SYM", "kvm_config without a sign");
	expect_error("[cell a]\narch = x86_64\nkvm_config = +CONFIG_KVM_SW_PROTECTED_VM\n", "u.conf:3: ",
		     "write +KVM_SW_PROTECTED_VM, without CONFIG_", "kvm_config with CONFIG_");
	expect_error("[cell a]\narch = x86_64\nkvm_config = +kvm_smm\n", "u.conf:3: ", "SYM is a Kconfig symbol",
		     "kvm_config in lower case");
	expect_error("[cell a]\narch = x86_64\nkvm_config = +\n", "u.conf:3: ", "SYM is a Kconfig symbol",
		     "kvm_config sign alone");
	expect_error("[cell a]\narch = x86_64\nkvm_config = +KVM_SMM -KVM_SMM\n", "u.conf:3: ", "KVM_SMM given twice",
		     "kvm_config symbol twice");
	expect_error("[cell a]\narch = arm64\nkvm_config = +KVM_SW_PROTECTED_VM\n", "u.conf:1: ",
		     "kvm_config rebuilds the KVM modules, which only x86_64 has", "kvm_config on arm64");
	expect_error("[cell a]\narch = x86_64\nkernel = k\nkvm_config = +KVM_SW_PROTECTED_VM\n", "u.conf:1: ",
		     "cannot be combined with kernel=", "kvm_config with kernel=");
	expect_error("[cell a]\narch = x86_64\nkvm_vm_types = three\n", "u.conf:3: ",
		     "not a KVM_CAP_VM_TYPES bit mask", "kvm_vm_types not a number");
	expect_error("[cell a]\narch = x86_64\nkvm_vm_types = -1\n", "u.conf:3: ", "not a KVM_CAP_VM_TYPES bit mask",
		     "kvm_vm_types negative");
	expect_error("[cell a]\narch = x86_64\nkvm_vm_types = 0x3z\n", "u.conf:3: ", "not a KVM_CAP_VM_TYPES bit mask",
		     "kvm_vm_types trailing garbage");
	expect_error("[cell a]\narch = x86_64\nkvm_vm_types = 0x100000000\n", "u.conf:3: ",
		     "not a KVM_CAP_VM_TYPES bit mask", "kvm_vm_types too large");
}

/* packages: Debian package names, normalized to a blank-separated list; empty is none. */
static void test_packages(void)
{
	struct config c;
	char *err = NULL;

	config_init(&c, "/proj");
	const char *names[] = {"p.conf"};
	const char *texts[] = {"[cell p]\narch = arm64\npackages = stress-ng,fio  libc6 g++-14\n"
			       "[cell q]\narch = x86_64\npackages =\n"};

	if (!T_INT(load(&c, names, texts, 1, &err), 0, "packages: loads"))
		t_diag("%s", err);
	struct cell_conf *p = config_find_cell(&c, "p"), *q = config_find_cell(&c, "q");

	T_STR(p ? p->packages : NULL, "stress-ng fio libc6 g++-14", "packages: normalized");
	T_OK(q && !q->packages, "packages: empty is none");
	T_INT(config_set_spec(&c, "cell.p.packages=", &err), 0, "packages: --set clears it");
	T_OK(p && !p->packages, "packages: cleared");
	free(err);
	config_free(&c);

	expect_error("[cell a]\narch = arm64\npackages = Stress-ng\n", "u.conf:3: ", "'Stress-ng' is not a Debian package name",
		     "packages in upper case");
	expect_error("[cell a]\narch = arm64\npackages = fio;rm\n", "u.conf:3: ", "'fio;rm' is not a Debian package name",
		     "packages with a shell character");
	expect_error("[cell a]\narch = arm64\npackages = fio fio\n", "u.conf:3: ", "fio given twice",
		     "packages twice");
}

/* Load one text with the run's profile set as --profile would: the finalized config in *c. */
static void load_profile(struct config *c, const char *text, const char *profile)
{
	char *err = NULL;
	const char *names[] = {"pr.conf"};
	const char *texts[] = {text};
	char *spec = xasprintf("run.profile=%s", profile);

	config_init(c, "/proj");
	if (config_load_text(c, names[0], texts[0], &err) || config_set_spec(c, spec, &err) ||
	    config_finalize(c, &err))
		T_OK(false, "profile %s: loads: %s", profile, err);
	free(spec);
	free(err);
}

static void test_profiles(void)
{
	const char *base = "[run]\nprofile_suites = stress, gmem\nqualify_duration = 30\nsoak_duration = 3600\n"
			   "soak_tests = stress.soak\ncell_timeout = 600\n";
	char *text = xasprintf("%s", base), *suites;
	struct config c;

	load_profile(&c, text, "smoke");
	T_OK(!c.filter && !c.suite_args && c.cell_timeout == 600 && !c.suites.n, "smoke: the suites as they are");
	config_free(&c);

	load_profile(&c, text, "qualify");
	suites = strvec_join(&c.suites, ",");
	T_STR(suites, "stress,gmem", "qualify: profile_suites");
	T_STR(c.suite_args, "-d 30", "qualify: every timed test for qualify_duration");
	T_OK(!c.filter, "qualify: no filter");
	T_INT(c.cell_timeout, 40 * 30 + 900, "qualify: room for 40 timed tests");
	free(suites);
	config_free(&c);

	load_profile(&c, text, "soak");
	T_STR(c.filter, "stress.soak", "soak: the soak_tests only");
	suites = strvec_join(&c.suites, ",");
	T_STR(suites, "stress", "soak: only the suite of the soak_tests");
	free(suites);
	T_STR(c.suite_args, "-d 3600", "soak: for soak_duration");
	T_INT(c.cell_timeout, 2 * 3600 + 900, "soak: the cell's timeout fits the soak");
	config_free(&c);
	free(text);

	text = xasprintf("%s[run]\nfilter = stress.verify_*\n", base);
	load_profile(&c, text, "soak");
	T_STR(c.filter, "stress.verify_*", "soak: the run's own filter wins");
	T_INT(c.cell_timeout, 40 * 3600 + 900, "soak with a filter of its own: room for 40 timed tests");
	config_free(&c);
	free(text);

	/* the driver has no soak tests of its own: without soak_tests, soak runs profile_suites */
	load_profile(&c, "[run]\nprofile_suites = stress, gmem\n", "soak");
	suites = strvec_join(&c.suites, ",");
	T_OK(!c.soak_tests && !c.filter, "soak without soak_tests: no filter of the driver's own");
	T_STR(suites, "stress,gmem", "soak without soak_tests: profile_suites");
	free(suites);
	config_free(&c);

	expect_error("[run]\nprofile = long\n", "", "'long' is not smoke, qualify or soak", "unknown profile");
}

/* A migration pair runs the suite and tests the configuration names, and only when it is selected. */
static void test_migration_names(void)
{
	static const char text[] = "[cell a]\narch = arm64\n[run]\ncells = a\nmigrations = a>a\n"
				   "migration_suite = mig\nmigration_save_test = mig.out\n"
				   "migration_restore_test = mig.in\n";
	static const char *const sel[][2] = {
		{"", "a-to-a-out,a-to-a-in"},         /* suites = all */
		{"mig,stress", "a-to-a-out,a-to-a-in"},
		{"stress", ""},                       /* the migration suite not selected */
		{"migration", ""},                    /* the driver's old name is no suite here */
	};

	for (size_t i = 0; i < ARRAY_SIZE(sel); i++) {
		struct config c;
		struct strvec halves = {0};
		char *err = NULL;
		char *spec = xasprintf("run.suites=%s", *sel[i][0] ? sel[i][0] : "all");

		config_init(&c, "/proj");
		if (config_load_text(&c, "m.conf", text, &err) || config_set_spec(&c, spec, &err) ||
		    config_finalize(&c, &err))
			T_OK(false, "migration names: loads: %s", err);
		config_migration_cells(&c, &halves);
		char *hl = strvec_join(&halves, ",");

		T_STR(hl, sel[i][1], "migration names: suites = %s: the pairs that run", spec + 11);
		free(hl);
		strvec_free(&halves);
		free(spec);
		free(err);
		config_free(&c);
	}
}

static void test_cli_errors(void)
{
	struct config c;

	config_init(&c, "/proj");
	char *err = NULL;

	T_INT(config_set(&c, "run", "jobs", "two", "--jobs", &err), -1, "--jobs two rejected");
	if (!T_OK(err && str_starts(err, "--jobs: "), "error names the option"))
		t_diag("%s", err);
	T_INT(config_set(&c, "run", "timeout_scale", "0", "--timeout-scale", &err), -1, "timeout-scale 0 rejected");
	T_INT(config_set(&c, "run", "host_cell", "maybe", "--host-cell", &err), -1, "host-cell maybe rejected");
	T_HAS(err, "auto, yes, no", "host-cell message");
	T_INT(config_set_spec(&c, "nodot=1", &err), -1, "--set without section rejected");
	T_INT(config_set_spec(&c, "cell.x.bogus=1", &err), -1, "--set unknown key rejected");
	if (!T_OK(err && str_starts(err, "--set cell.x.bogus=1: unknown key 'bogus'"), "--set message"))
		t_diag("%s", err);
	T_INT(config_set_spec(&c, "global.jobs=1", &err), -1, "--set unknown section rejected");
	T_INT(config_set_spec(&c, "run.jobs", &err), -1, "--set without = rejected");
	T_INT(config_set(&c, "run", "cells", "a,host", "--cells", &err), -1, "host in cells rejected");
	free(err);
	config_free(&c);

	/* a missing file */
	config_init(&c, "/proj");
	err = NULL;
	T_INT(config_load_file(&c, "/nonexistent/x.conf", &err), -1, "missing file");
	if (!T_OK(err && str_starts(err, "/nonexistent/x.conf: cannot read"), "missing file message"))
		t_diag("%s", err);
	free(err);
	config_free(&c);
}

static void test_file_errors(void)
{
	expect_error("[run]\njobs = 1\nbogus = 3\n", "u.conf:3: ", "unknown key 'bogus' in [run]", "unknown run key");
	expect_error("[cell a]\narch = arm64\n\n# c\nspeed = 9\n", "u.conf:5: ", "unknown key 'speed' in [cell a]",
		     "unknown cell key");
	expect_error("[global]\n", "u.conf:1: ", "unknown section [global]", "unknown section");
	expect_error("[cell]\n", "u.conf:1: ", "needs a name", "cell without name");
	expect_error("[cell bad/name]\n", "u.conf:1: ", "invalid cell name", "cell name with a slash");
	expect_error("[cell host]\narch = arm64\n", "u.conf:1: ", "reserved", "cell named host");
	expect_error("[cell results.json]\narch = arm64\n", "u.conf:1: ", "invalid cell name", "cell name with a dot");
	expect_error("jobs = 1\n", "u.conf:1: ", "outside of a section", "key before a section");
	expect_error("[run]\njobs\n", "u.conf:2: ", "expected 'key = value'", "line without =");
	expect_error("[run\n", "u.conf:1: ", "malformed section", "unclosed header");
	expect_error("[run]\ntimeout_scale = 2x\n", "u.conf:2: ", "not a number", "non-numeric");
	expect_error("[run]\ncell_timeout = 0\n", "u.conf:2: ", "not a number in 1..", "out of range");
	expect_error("[run]\njobs = -1\n", "u.conf:2: ", NULL, "negative jobs");
	expect_error("[run]\nhost_cell = sometimes\n", "u.conf:2: ", "auto, yes, no", "bad host_cell");
	expect_error("[cell a]\narch = riscv64\n", "u.conf:2: ", "unknown arch 'riscv64'", "unknown arch");
	expect_error("[cell a]\narch = arm64\nsmp = many\n", "u.conf:3: ", "smp", "bad smp");
	expect_error("[cell a]\narch = arm64\nmemory = lots\n", "u.conf:3: ", "memory size", "bad memory");
	expect_error("[cell a]\narch = arm64\ncpu = max;rm\n", "u.conf:3: ", "unexpected character", "bad cpu");
	expect_error("[cell a]\narch = arm64\ncpu =\n", "u.conf:3: ", "empty value", "empty cpu");
	expect_error("[run]\nsuites = all, memslot\n", "u.conf:2: ", "'all' cannot", "all plus names");
	expect_error("[run]\nsuites = mem/slot\n", "u.conf:2: ", "invalid name", "bad suite name");
	expect_error("[run]\nfilter = a\"b\n", "u.conf:2: ", "may not contain", "quote in filter");
	expect_error("[cell a]\narch = arm64\n[run]\ncells = a, b\n", "u.conf:4: ", "unknown cell 'b'",
		     "unknown cell in cells=");
	expect_error("[run]\nmigrations = a-b\n", "u.conf:2: ", "is not SRC>DST", "migration pair without >");
	expect_error("[run]\nmigrations = a>\n", "u.conf:2: ", "is not SRC>DST", "migration pair without DST");
	expect_error("[cell a]\narch = arm64\n[run]\ncells = a\nmigrations = a>b\n", "u.conf:5: ",
		     "unknown cell 'b' in a>b", "migration to an unknown cell");
	expect_error("[cell a]\narch = arm64\n[cell b]\narch = x86_64\n[run]\ncells = a\nmigrations = a>b\n",
		     "u.conf:7: ", "a VM cannot move from arm64 to x86_64", "migration across architectures");
	expect_error("[cell a]\narch = arm64\n[run]\ncells = a\nmigrations = a>a, a>a\n", "u.conf:5: ",
		     "listed twice", "a migration listed twice");
	expect_error("[cell a]\narch = arm64\n[run]\ncells = a\nmigrations = a>a\n", "u.conf:5: ",
		     "migrations: run.migration_suite is empty: a migration pair needs migration_suite, migration_save_test and migration_restore_test",
		     "a migration pair without the names of what it runs");
	expect_error("[cell a]\narch = arm64\n[run]\nmigration_suite = m\nmigration_save_test = m.save\n"
		     "migrations = a>a\n", "u.conf:6: ", "run.migration_restore_test is empty",
		     "a migration pair without its restore test");
	expect_error("[cell a]\narch = arm64\n[run]\nmigration_suite = m\nmigration_save_test = m.save\n"
		     "migration_restore_test = mx.load\nmigrations = a>a\n", "u.conf:7: ",
		     "run.migration_restore_test: 'mx.load' is not a test of the suite m (m.TEST)",
		     "a migration test of another suite");
	expect_error("[cell a]\narch = arm64\n[run]\nmigration_suite = m.x\nmigration_save_test = m.x.save\n"
		     "migration_restore_test = m.x.load\nmigrations = a>a\n", "u.conf:7: ",
		     "run.migration_suite: 'm.x' is not a suite name", "a migration suite with a dot");
	expect_error("[run]\ncells = a, a\n[cell a]\narch = arm64\n", "u.conf:2: ", "listed twice", "duplicate cell");
	expect_error("[cell a]\ncpu = max\n", "u.conf:1: ", "has no arch", "cell without arch");
	expect_error("[cell a]\narch = arm64\nmodules = m\n", "u.conf:1: ", "modules= needs kernel=", "modules alone");
	expect_error("[run]\npfnmap = vfio=0000:01:00.0\n", "u.conf:2: ", "needs region=<n>", "pfnmap without region");
	expect_error("[run]\npfnmap = vfio=01:00.0,region=2\n", "u.conf:2: ", "not a PCI address", "pfnmap bad BDF");
	expect_error("[cell a]\narch = arm64\npfnmap = pci=0000:00:01.0,region=2\n", "u.conf:3: ",
		     "vfio takes region=<n>, pci takes bar=<n>", "cell pfnmap with region for pci");
	expect_error("[cell a]\narch = arm64\npci = e1000\n", "u.conf:3: ",
		     "'e1000': emulated device sets are 'ivshmem' and 'edu'", "unknown pci device set");
	expect_error("[cell a]\narch = arm64\npci = ivshmem, edu, nvme\n", "u.conf:3: ", "'nvme': emulated device sets",
		     "unknown pci device set in a list");
	expect_error("[cell a]\narch = arm64\ndisk = 64\n", "u.conf:3: ", "disk: '64' is not a disk size",
		     "disk size without a unit");
	expect_error("[cell a]\narch = arm64\ndisk = 0M\n", "u.conf:3: ", "is not a disk size", "empty disk");
	expect_error("[cell a]\narch = arm64\ndisk = 1.5G\n", "u.conf:3: ", "is not a disk size", "fractional disk");

	/* a cell defined in a later file satisfies an earlier cells= */
	struct config c;

	config_init(&c, "/proj");
	const char *names[] = {"one.conf", "two.conf"};
	const char *texts[] = {"[run]\ncells = later\n", "[cell later]\narch = arm64\n"};
	char *err = NULL;

	if (!T_INT(load(&c, names, texts, 2, &err), 0, "forward reference to a later file's cell"))
		t_diag("%s", err);
	free(err);
	config_free(&c);

	/* the error names the file where cells= was set, not the last file */
	config_init(&c, "/proj");
	const char *texts2[] = {"[run]\n\ncells = ghost\n", "[cell real]\narch = arm64\n"};

	err = NULL;
	T_INT(load(&c, names, texts2, 2, &err), -1, "unknown cell across files");
	if (!T_OK(err && str_starts(err, "one.conf:3: unknown cell 'ghost'"), "error at the cells= line"))
		t_diag("%s", err);
	free(err);
	config_free(&c);
}

int main(void)
{
	t_start("config parser");
	test_defaults();
	test_override_order();
	test_kvm_config();
	test_packages();
	test_profiles();
	test_migration_names();
	test_cli_errors();
	test_file_errors();
	return t_done();
}
