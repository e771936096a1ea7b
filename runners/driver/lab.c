// SPDX-License-Identifier: GPL-2.0
/* lab.c: run a lab cell (see lab.h).
 *
 * Steps: suite binaries of the arch -> kernel (runners/fetch-kernel.sh, serialized and memoized
 * because cells share its apt cache) -> initramfs (runners/mkinitramfs.sh, per cell) -> QEMU TCG
 * with a host-side deadline, its console streamed through the console parser.
 */
#include "lab.h"

#include "cell.h"
#include "console.h"
#include "env.h"
#include "proc.h"
#include "qemu_identity.h"
#include "skip_profile.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FETCH_TIMEOUT_S 3600.0
#define MKINITRAMFS_TIMEOUT_S 600.0
#define PANIC_GRACE_S 10.0   /* after "Kernel panic": let QEMU exit by itself (panic=-1) */
#define END_GRACE_S 20.0     /* after CELL-END: let the cell power off */
/* A boot without CELL-BEGIN for [run] boot_stall s (times timeout_scale) is stalled: a TCG cell
 * reaches it in 5-30 s; a kernel that hangs before /init (seen rarely under emulation, with no
 * console output) is killed and booted this many more times, and the cell says so.
 */
#define BOOT_STALL_RETRIES 1
/*
 * After an Oops or BUG the kernel may go on printing (a fault in the fault handler: an Oops storm)
 * without ever panicking: with no line of suite output for this long after it, the cell is taken
 * as crashed, the same as a panic (the running test gets the Oops; the cell boots again).
 */
#define OOPS_STALL_S 60.0

/* ---------------------------------------------------------------- memoized look-ups */

struct memo {
	struct memo *next;
	char *key;
	int ok;           /* 1: kv holds the result; 0: err holds the error */
	struct kvlist kv;
	char *err;
};

static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t fetch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct memo *memos;

static struct memo *memo_find(const char *key)
{
	for (struct memo *m = memos; m; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

static struct memo *memo_add(const char *key)
{
	struct memo *m = xcalloc(1, sizeof(*m));

	m->key = xstrdup(key);
	m->next = memos;
	memos = m;
	return m;
}

void lab_cleanup(void)
{
	pthread_mutex_lock(&memo_lock);
	while (memos) {
		struct memo *m = memos;

		memos = m->next;
		free(m->key);
		free(m->err);
		kv_free(&m->kv);
		free(m);
	}
	pthread_mutex_unlock(&memo_lock);
}

/* Last non-empty line of a text (for one-line error messages). */
static char *last_line(const char *text)
{
	char *copy = xstrdup(text ? text : "");
	char *best = NULL;
	char *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *t = str_trim(l);

		if (*t)
			best = t;
	}
	char *r = xstrdup(best ? best : "");

	free(copy);
	return r;
}

/* "QEMU emulator version 10.0.2 (Debian ...)" -> "10.0.2 (Debian ...)" */
static char *qemu_version(const char *qemu)
{
	char *key = xasprintf("qemu-version|%s", qemu);

	pthread_mutex_lock(&memo_lock);
	struct memo *m = memo_find(key);

	if (m) {
		char *v = xstrdup(m->ok ? kv_get(&m->kv, "v") : "unknown");

		pthread_mutex_unlock(&memo_lock);
		free(key);
		return v;
	}
	pthread_mutex_unlock(&memo_lock);

	char *argv[] = {(char *)qemu, "--version", NULL};
	struct buf out = {0};
	int st;
	char *err = NULL;
	char *v;

	if (proc_capture(argv, NULL, 30, &out, NULL, &st, &err) == 0 && proc_rc(st) == 0) {
		char *first = xstrndup(buf_str(&out), strcspn(buf_str(&out), "\n"));
		const char *p = strstr(first, "version ");

		v = xstrdup(str_trim(p ? (char *)p + 8 : first));
		free(first);
	} else {
		v = xstrdup("unknown");
	}
	free(err);
	buf_free(&out);

	pthread_mutex_lock(&memo_lock);
	if (!memo_find(key)) {
		m = memo_add(key);
		m->ok = 1;
		kv_set(&m->kv, "v", v, 0);
	}
	pthread_mutex_unlock(&memo_lock);
	free(key);
	return v;
}

static void fetch_kernel_argv(struct strvec *argv, const struct cell_conf *cc, const struct config *conf,
			      const struct run_env *env)
{
	strvec_push(argv, env->fetch_kernel);
	strvec_push(argv, "--arch");
	strvec_push(argv, arch_debian(cc->arch));
	if (cc->kernel) {
		strvec_push(argv, "--image");
		strvec_push(argv, cc->kernel);
		if (cc->modules) {
			strvec_push(argv, "--modules");
			strvec_push(argv, cc->modules);
		}
	} else {
		strvec_push(argv, "--flavour");
		strvec_push(argv, cc->flavour);
		strvec_push(argv, "--suite");
		strvec_push(argv, conf->kernel_suite);
	}
	strvec_push(argv, "--cache");
	strvec_push(argv, env->cache);
}

/* A helper script's KEY=value lines into kv. */
static void parse_kv_lines(struct kvlist *kv, const char *out)
{
	char *save = NULL, *text = xstrdup(out);

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(l, '=');

		if (eq && eq != l) {
			*eq = 0;
			kv_set(kv, str_trim(l), str_trim(eq + 1), 0);
		}
	}
	free(text);
}

/* fetch-kernel.sh printed KEY=value lines (out) and maybe warnings (errb): into m. */
static void fetch_kernel_parse(struct memo *m, const struct buf *out, const struct buf *errb)
{
	const char *img;

	parse_kv_lines(&m->kv, buf_str(out));
	img = kv_get(&m->kv, "KERNEL_IMAGE");
	if (str_empty(img) || str_empty(kv_get(&m->kv, "BUSYBOX")))
		m->err = xasprintf("fetch-kernel printed no KERNEL_IMAGE/BUSYBOX");
	else if (!path_exists(img))
		m->err = xasprintf("kernel image %s (from fetch-kernel) not found", img);
	else
		m->ok = 1;
	if (errb->len) {
		char *l = last_line(buf_str(errb));

		if (*l)
			kv_set(&m->kv, "_warning", l, 0);
		free(l);
	}
}

/* Run fetch-kernel.sh: a new memo under key (not yet on the list). */
static struct memo *fetch_kernel_run(const char *key, const struct cell_conf *cc, const struct config *conf,
				     const struct run_env *env)
{
	struct memo *n = xcalloc(1, sizeof(*n));
	struct buf out = {0}, errb = {0};
	struct strvec argv = {0};
	char *perr = NULL;
	int st = 0;

	n->key = xstrdup(key);
	fetch_kernel_argv(&argv, cc, conf, env);
	if (proc_capture(argv.v, NULL, FETCH_TIMEOUT_S, &out, &errb, &st, &perr) != 0) {
		n->err = xasprintf("fetch-kernel: %s", perr);
	} else if (proc_rc(st) != 0) {
		char *l = last_line(buf_str(&errb));
		char *sd = proc_status_desc(st);

		n->err = *l ? xstrdup(l) : xasprintf("%s failed (%s)", argv.v[0], sd);
		free(sd);
		free(l);
	} else {
		fetch_kernel_parse(n, &out, &errb);
	}
	free(perr);
	buf_free(&out);
	buf_free(&errb);
	strvec_free(&argv);
	return n;
}

/* Run fetch-kernel.sh (once per distinct request); result in *kv or an error. */
static int fetch_kernel(const struct cell_conf *cc, const struct config *conf, const struct run_env *env,
			struct kvlist *kv, char **err)
{
	char *key = xasprintf("fetch|%s|%s|%s|%s|%s", cc->arch, cc->flavour, conf->kernel_suite,
			      cc->kernel ? cc->kernel : "", cc->modules ? cc->modules : "");
	int rc;

	pthread_mutex_lock(&fetch_lock);
	pthread_mutex_lock(&memo_lock);
	struct memo *m = memo_find(key);

	pthread_mutex_unlock(&memo_lock);
	if (!m) {
		m = fetch_kernel_run(key, cc, conf, env);
		pthread_mutex_lock(&memo_lock);
		m->next = memos;
		memos = m;
		pthread_mutex_unlock(&memo_lock);
	}
	if (m->ok) {
		for (size_t i = 0; i < m->kv.n; i++)
			kv_set(kv, m->kv.v[i].key, m->kv.v[i].val, 0);
		rc = 0;
	} else {
		*err = xstrdup(m->err);
		rc = -1;
	}
	pthread_mutex_unlock(&fetch_lock);
	free(key);
	return rc;
}

/* ---------------------------------------------------------------- command lines */

static bool needs_quotes(const char *s)
{
	return strpbrk(s, " \t");
}

/*
 * A migration half runs one test of the migration suite (the [run] migration_* keys, checked by
 * config_finalize()); other cells the run's filter.
 */
static const char *cell_filter(const struct cell_conf *cc, const struct config *conf)
{
	if (!cc->migrate_role)
		return conf->filter;
	return strcmp(cc->migrate_role, "out") == 0 ? conf->migration_save_test :
						      conf->migration_restore_test;
}

static void cell_suites(const struct cell_conf *cc, const struct config *conf, const char *bindir,
			struct strvec *suites)
{
	if (cc->migrate_role) {
		strvec_clear(suites);
		strvec_push(suites, conf->migration_suite);
	} else {
		run_suites_for(conf, bindir, suites);
	}
}

/*
 * A migration pair's transfer disk: a raw virtio-blk disk with the serial memattr-xfer (the cell's
 * init finds it by that), the same file for both halves.
 */
static void xfer_argv(struct strvec *argv, const char *path)
{
	strvec_push(argv, "-drive");
	strvec_pushf(argv, "file=%s,if=none,format=raw,id=memattr-xfer", path);
	strvec_push(argv, "-device");
	strvec_push(argv, "virtio-blk-pci,drive=memattr-xfer,serial=memattr-xfer");
}

/*
 * The kselftest mode ([run] kselftest = yes|bare): the cell's init runs the kernel's run_kselftest.sh
 * on the installed tree (make kselftest-install, build/kselftest/<arch>/, as /kselftest in the
 * initramfs) instead of the suites directly, with Debian's coreutils for the runner's
 * `timeout --foreground`.  NULL: off.
 */
static const char *kselftest_mode(const struct config *conf)
{
	if (str_empty(conf->kselftest) || strcmp(conf->kselftest, "no") == 0)
		return NULL;
	return conf->kselftest;
}

static char *kselftest_dir(const struct run_env *env, const char *arch)
{
	return xasprintf("%s/build/kselftest/%s", env->root, arch);
}

/* The cell's packages, plus coreutils in the kselftest mode; NULL: none. */
static char *cell_packages(const struct cell_conf *cc, const struct config *conf)
{
	if (!kselftest_mode(conf))
		return str_empty(cc->packages) ? NULL : xstrdup(cc->packages);
	return xasprintf("%s%scoreutils", str_empty(cc->packages) ? "" : cc->packages,
			 str_empty(cc->packages) ? "" : " ");
}

/* mkinitramfs.sh's options for the kselftest mode. */
static void kselftest_initramfs_argv(struct strvec *mv, const struct cell_conf *cc, const struct config *conf,
				     const struct run_env *env)
{
	if (!kselftest_mode(conf))
		return;
	strvec_push(mv, "--kselftest-dir");
	strvec_push_own(mv, kselftest_dir(env, cc->arch));
}

char *lab_cmdline(const struct cell_conf *cc, const struct config *conf, const struct strvec *suites,
		  const char *resume)
{
	const char *filter = cell_filter(cc, conf);

	struct buf b = {0};

	buf_addf(&b, "console=%s quiet loglevel=3 panic=-1", strcmp(cc->arch, "arm64") == 0 ? "ttyAMA0" : "ttyS0");
	char *sl = strvec_join(suites, ",");

	buf_addf(&b, " memattr.suites=%s", sl);
	free(sl);
	if (resume)
		buf_addf(&b, " memattr.resume=%s", resume);
	buf_addf(&b, " memattr.timeout_scale=%ld", conf->timeout_scale);
	if (!str_empty(filter))
		buf_addf(&b, needs_quotes(filter) ? " memattr.filter=\"%s\"" : " memattr.filter=%s", filter);
	if (cc->migrate_role)
		buf_addf(&b, " memattr.migrate=%s", cc->migrate_role);
	if (!str_empty(conf->suite_args))
		buf_addf(&b, needs_quotes(conf->suite_args) ? " memattr.args=\"%s\"" : " memattr.args=%s",
			 conf->suite_args);
	if (!str_empty(cc->pci))
		buf_addf(&b, " memattr.pci=%s", cc->pci);
	if (!str_empty(cc->pfnmap))
		buf_addf(&b, " memattr.pfnmap=\"%s\"", cc->pfnmap);
	if (!str_empty(cc->swap))
		buf_addf(&b, " memattr.swap=%s", cc->swap);
	if (kselftest_mode(conf))
		buf_addf(&b, " memattr.kselftest=%s", strcmp(kselftest_mode(conf), "bare") == 0 ? "bare" : "1");
	if (!str_empty(cc->append))
		buf_addf(&b, " %s", cc->append);
	return buf_take(&b);
}

/* The scratch disk's file name in the cell's report directory. */
#define SCRATCH_DISK "scratch-disk.raw"

void lab_qemu_argv(struct strvec *argv, const char *qemu, const struct cell_conf *cc, const char *kernel,
		   const char *initrd, const char *cmdline, const char *disk)
{
	bool arm = strcmp(cc->arch, "arm64") == 0;
	/* pci = ivshmem and/or edu: a virtual IOMMU (vfio-pci needs one; x86: q35 + intel-iommu, the
	 * pc machine takes none), then ivshmem: two ivshmem-plain devices with a 4 MiB memory BAR
	 * each; edu: QEMU's educational device with its DMA engine
	 */
	bool pci = !str_empty(cc->pci), ivshmem = cell_has_pci(cc, "ivshmem");

	strvec_push(argv, qemu);
	if (arm) {
		strvec_push(argv, "-M");
		strvec_pushf(argv, "virt,virtualization=on,gic-version=3%s%s%s", pci ? ",iommu=smmuv3" : "",
			     *cc->machine ? "," : "", cc->machine);
	}
	/* the order is what `memattr-run --dry-run` prints and qemu-cmdline.txt records */
	if (!arm) {
		strvec_push(argv, "-accel");
		strvec_push(argv, "tcg");
	}
	strvec_push(argv, "-cpu");
	strvec_push(argv, cc->cpu);
	strvec_push(argv, "-smp");
	strvec_pushf(argv, "%ld", cc->smp);
	strvec_push(argv, "-m");
	strvec_push(argv, cc->memory);
	if (arm) {
		strvec_push(argv, "-accel");
		strvec_push(argv, "tcg,thread=multi");
	}
	strvec_push(argv, "-nographic");
	if (!arm) {
		/* graphics=on: keep SeaBIOS/iPXE banners and video-mode escapes off the serial line */
		strvec_push(argv, "-machine");
		strvec_pushf(argv, "%s%s%sgraphics=on", pci ? "q35," : "", cc->machine, *cc->machine ? "," : "");
	}
	strvec_push(argv, "-no-reboot");
	/* no network: the cells need none, and x86 then loads no iPXE ROM */
	strvec_push(argv, "-nic");
	strvec_push(argv, "none");
	strvec_push(argv, "-kernel");
	strvec_push(argv, kernel);
	strvec_push(argv, "-initrd");
	strvec_push(argv, initrd);
	strvec_push(argv, "-append");
	strvec_push(argv, cmdline);
	if (pci && !arm) {
		strvec_push(argv, "-device");
		strvec_push(argv, "intel-iommu");
	}
	for (int i = 0; ivshmem && i < 2; i++) {
		strvec_push(argv, "-object");
		strvec_pushf(argv, "memory-backend-ram,id=memattr-ivshmem%d,size=4M", i);
		strvec_push(argv, "-device");
		strvec_pushf(argv, "ivshmem-plain,memdev=memattr-ivshmem%d", i);
	}
	if (cell_has_pci(cc, "edu")) {
		strvec_push(argv, "-device");
		strvec_push(argv, "edu");
	}
	if (disk) {
		/* a scratch raw disk for the suites' block I/O (MEMATTR_DISK in the cell) */
		strvec_push(argv, "-drive");
		strvec_pushf(argv, "file=%s,format=raw,if=none,id=memattr-disk", disk);
		strvec_push(argv, "-device");
		strvec_push(argv, "virtio-blk-pci,drive=memattr-disk,serial=memattr-disk");
	}
	if (!str_empty(cc->qemu_args))
		strvec_split_words(argv, cc->qemu_args);
}

/* The modules the cell's devices need beyond the default list (mkinitramfs.sh --extra-modules). */
static char *extra_modules(const struct cell_conf *cc)
{
	struct buf b = {0};

	if (!str_empty(cc->pci))
		buf_adds(&b, "vfio vfio_iommu_type1 vfio-pci-core vfio-pci");
	if (!str_empty(cc->disk) || cc->xfer)
		buf_addf(&b, "%svirtio_blk", b.len ? " " : "");
	if (!str_empty(cc->swap))
		buf_addf(&b, "%szram", b.len ? " " : "");
	return b.len ? buf_take(&b) : NULL;
}

static long cell_timeout(const struct cell_conf *cc, const struct config *conf)
{
	return (cc->timeout ? cc->timeout : conf->cell_timeout) * conf->timeout_scale;
}

#define FIXTURES_TIMEOUT_S 1800.0

/* runners/build-fixtures.sh for this kernel release: the directory of the built modules, or NULL */
static char *build_fixtures(const struct run_env *env, struct cell *c, const struct cell_conf *cc,
			    const char *rel)
{
	char *out = xasprintf("%s/build/fixtures/%s", env->root, rel);
	struct strvec v = {0};
	struct buf eb = {0};
	char *perr = NULL;
	int st = 0, prc;

	strvec_push(&v, env->build_fixtures);
	strvec_push(&v, "--arch");
	strvec_push(&v, cc->arch);
	strvec_push(&v, "--kernel-release");
	strvec_push(&v, rel);
	strvec_push(&v, "--out");
	strvec_push(&v, out);
	cell_log(c, "fixtures for %s", rel);
	prc = proc_capture(v.v, NULL, FIXTURES_TIMEOUT_S, NULL, &eb, &st, &perr);
	strvec_free(&v);
	if (prc != 0 || proc_rc(st) != 0) {
		char *l = perr ? xstrdup(perr) : last_line(buf_str(&eb));

		cell_log(c, "fixtures unavailable: %s", l);
		cell_fact(c, "fixtures", "unavailable");
		cell_setup_failure(c, "fixtures", l);
		free(l);
		free(perr);
		buf_free(&eb);
		free(out);
		return NULL;
	}
	buf_free(&eb);
	cell_fact(c, "fixtures", "built");
	return out;
}

static char *initrd_path(const struct run_env *env, const struct cell_conf *cc)
{
	return xasprintf("%s/build/lab/%s/initrd.cpio.gz", env->root, cc->name);
}

static char *join_quoted(const struct strvec *argv)
{
	struct buf b = {0};

	for (size_t i = 0; i < argv->n; i++) {
		char *q = shell_quote(argv->v[i]);

		buf_addf(&b, "%s%s", i ? " " : "", q);
		free(q);
	}
	return buf_take(&b);
}

/* The identity the reports will give the cell, from this command line (qemu_identity.h). */
static void dry_identity(FILE *f, const struct strvec *argv)
{
	char *qemu = find_in_path(argv->v[0]);
	char *dflt = qemu ? qemu_default_machine(qemu) : NULL;
	struct kvlist id = {0};

	qemu_identity_of(argv, dflt, &id, ID_HOST);
	char *line = qemu_identity_line(&id);

	fprintf(f, "# identity: %s\n", line);
	free(line);
	kv_free(&id);
	free(dflt);
	free(qemu);
}

/* What the cell checks besides the suites' results, and what a migration half or a panic does. */
static void dry_checks(FILE *f, const struct cell_conf *cc, const struct config *conf)
{
	if (cc->kvm_mode || cc->skip_profile)
		fprintf(f, "# checks: kvm_mode %s, expected skips %s\n", cc->kvm_mode ? cc->kvm_mode : "any (/dev/kvm required)",
			cc->skip_profile ? cc->skip_profile->display : "not judged (no profile)");
	if (cc->kvm_config)
		fprintf(f, "# checks: the loaded kvm and kvm_amd have the build ids of the modules kvm_config built\n");
	if (cc->kvm_vm_types >= 0)
		fprintf(f, "# checks: KVM_CAP_VM_TYPES %#lx\n", cc->kvm_vm_types);
	if (cc->migrate_role)
		fprintf(f, "# migration %s, the %s half: the stream goes through $RUN_DIR/%s (%s)\n",
			cc->migrate_pair, cc->migrate_role, cc->xfer,
			strcmp(cc->migrate_role, "out") == 0 ? "written here" : "read here, after the out half");
	if (conf->reboot_after_panic)
		fprintf(f,
			"# after a kernel panic: up to %ld reboot(s) with memattr.suites=<the rest> memattr.resume=<suite>:<crashed test>\n",
			conf->panic_reboots);
}

/* The commands that fetch the kernel (and the KVM modules, the packages) and build the initramfs. */
static void dry_inputs(FILE *f, const struct cell_conf *cc, const struct config *conf,
		       const struct run_env *env, const char *bindir, const char *initrd)
{
	if (cc->kernel)
		fprintf(f, "# kernel: %s --arch %s --image %s%s%s --cache %s\n", env->fetch_kernel,
			arch_debian(cc->arch), cc->kernel, cc->modules ? " --modules " : "",
			cc->modules ? cc->modules : "", env->cache);
	else
		fprintf(f, "# kernel: %s --arch %s --flavour %s --suite %s --cache %s\n", env->fetch_kernel,
			arch_debian(cc->arch), cc->flavour, conf->kernel_suite, env->cache);
	if (cc->kvm_config)
		fprintf(f, "# kvm modules (MODULES_DIR= replaces fetch-kernel's): %s --kernel-release \"$KERNEL_RELEASE\" --config '%s' --cache %s\n",
			env->build_kvm, cc->kvm_config, env->cache);
	char *pk = cell_packages(cc, conf);

	if (pk)
		fprintf(f,
			"# packages (PACKAGES_ROOT=, PACKAGES=): %s --arch %s --suite %s --cache %s --packages '%s'\n",
			env->fetch_packages, arch_debian(cc->arch), conf->kernel_suite, env->cache, pk);
	char *mods = extra_modules(cc);

	fprintf(f,
		"# initramfs: %s --arch %s --busybox \"$BUSYBOX\" --modules-dir \"$MODULES_DIR\" --kernel-release \"$KERNEL_RELEASE\" --bin-dir %s%s%s%s%s --out %s\n",
		env->mkinitramfs, cc->arch, bindir, mods ? " --extra-modules '" : "", mods ? mods : "",
		mods ? "'" : "",
		pk ? " --packages-root \"$PACKAGES_ROOT\" --packages \"$PACKAGES\"" : "",
		initrd);
	free(mods);
	free(pk);
	if (kselftest_mode(conf))
		fprintf(f, "# initramfs: --kselftest-dir build/kselftest/%s; /init runs its run_kselftest.sh%s\n",
			cc->arch, strcmp(kselftest_mode(conf), "bare") == 0 ? " without the lab variables" : "");
	if (!str_empty(cc->disk))
		fprintf(f, "# scratch disk (sparse, in the cell's report directory): truncate -s %s \"$CELL_DIR/%s\"\n",
			cc->disk, SCRATCH_DISK);
}

/* The QEMU command line, its placeholders left for the shell to expand, after its identity. */
static void dry_qemu(FILE *f, const struct cell_conf *cc, const struct run_env *env, const char *initrd,
		     const char *cmdline)
{
	struct strvec argv = {0};
	char *disk = str_empty(cc->disk) ? NULL : xasprintf("$CELL_DIR/%s", SCRATCH_DISK);

	lab_qemu_argv(&argv, run_env_qemu(env, cc->arch), cc, "$KERNEL_IMAGE", initrd, cmdline, disk);
	free(disk);
	if (cc->xfer) {
		char *xp = xasprintf("$RUN_DIR/%s", cc->xfer);

		xfer_argv(&argv, xp);
		free(xp);
	}
	char *line = join_quoted(&argv);
	/* the placeholders stay expandable: '$KERNEL_IMAGE' -> "$KERNEL_IMAGE" */
	char *ph = strstr(line, "'$KERNEL_IMAGE'");

	if (ph) {
		ph[0] = '"';
		ph[14] = '"';
	}
	ph = strstr(line, "'file=$CELL_DIR/");
	if (ph) { /* 'file=$CELL_DIR/...' -> "file=$CELL_DIR/..." */
		ph[0] = '"';
		ph[strcspn(ph + 1, "'") + 1] = '"';
	}
	dry_identity(f, &argv);
	fprintf(f, "%s\n\n", line);
	free(line);
	strvec_free(&argv);
}

void lab_dry_run(FILE *f, const struct cell_conf *cc, const struct config *conf, const struct run_env *env)
{
	char *bindir = run_bin_dir(env, cc->arch);
	struct strvec suites = {0};

	cell_suites(cc, conf, bindir, &suites);
	char *initrd = initrd_path(env, cc);
	char *cmdline = lab_cmdline(cc, conf, &suites, NULL);

	fprintf(f, "# cell %s (lab, %s, cpu %s), timeout %ld s, defined at %s\n", cc->name, cc->arch, cc->cpu,
		cell_timeout(cc, conf), cc->where);
	dry_checks(f, cc, conf);
	if (!suites.n)
		fprintf(f, "# warning: no suite binaries in %s\n", bindir);
	dry_inputs(f, cc, conf, env, bindir, initrd);
	dry_qemu(f, cc, env, initrd, cmdline);
	free(cmdline);
	free(initrd);
	strvec_free(&suites);
	free(bindir);
}

/* ---------------------------------------------------------------- running */

struct qemu_ctx {
	struct console con;
	struct cell *cell;
	FILE *errlog;
	struct buf errtail; /* last stderr bytes */
	bool panic_grace, end_grace;
	double t_panic; /* when the panic line arrived */
	double cell_deadline;     /* the boot's own deadline (0: none) */
	double stall_deadline;    /* until CELL-BEGIN: the boot-stall deadline (BOOT_STALL_S) */
	bool oops_armed;          /* an Oops was seen: the deadline is OOPS_STALL_S after the last ... */
	unsigned long user_lines; /* ... line of suite output, counted here */
};

static void on_qemu_data(void *vctx, struct proc *p, int stream, const char *data, size_t n)
{
	struct qemu_ctx *q = vctx;

	if (stream == 2) {
		if (q->errlog) {
			fwrite(data, 1, n, q->errlog);
			fflush(q->errlog);
		}
		buf_add(&q->errtail, data, n);
		if (q->errtail.len > 8192) {
			memmove(q->errtail.s, q->errtail.s + q->errtail.len - 4096, 4096);
			q->errtail.len = 4096;
			q->errtail.s[4096] = 0;
		}
		return;
	}
	console_feed(&q->con, data, n);
	double now = mono_now();

	if (q->stall_deadline && q->cell->boot_began) {
		/* CELL-BEGIN: from here the cell's own deadline (and the guards below) apply */
		q->stall_deadline = 0;
		if (p->deadline < q->cell_deadline)
			p->deadline = q->cell_deadline;
	}
	/* after an Oops, each line of suite output gives the cell OOPS_STALL_S more (see boot_ended) */
	if (q->con.oops && !q->con.panic && !q->cell->ended &&
	    (!q->oops_armed || q->con.user_lines != q->user_lines)) {
		double d = now + OOPS_STALL_S;

		q->oops_armed = true;
		q->user_lines = q->con.user_lines;
		p->deadline = q->cell_deadline && q->cell_deadline < d ? q->cell_deadline : d;
	}
	if (q->con.panic && !q->panic_grace && !q->cell->ended) {
		q->panic_grace = true;
		q->t_panic = now;
		if (p->deadline == 0 || p->deadline > now + PANIC_GRACE_S)
			p->deadline = now + PANIC_GRACE_S;
	}
	if (q->cell->ended && !q->end_grace) {
		q->end_grace = true;
		if (p->deadline == 0 || p->deadline > now + END_GRACE_S)
			p->deadline = now + END_GRACE_S;
	}
}

static char *strip_stamp(const char *line)
{
	const char *s = line;

	if (console_is_kernel_line(s)) {
		s = strchr(s, ']') + 1;
		while (*s == ' ')
			s++;
	}
	return xstrdup(s);
}

static void setup_error(struct cell *c, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void setup_error(struct cell *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);

	va_end(ap);
	cell_log(c, "error: %s", m);
	cell_finish(c, m);
	free(m);
}

struct boot_args {
	const struct cell_conf *cc;
	const struct config *conf;
	const char *kernel, *initrd, *qemu;
	const char *disk; /* the scratch disk image, NULL: none */
	const char *xfer; /* a migration half's transfer disk, NULL if none */
	long timeout;
};

/* How one boot ended. */
struct boot_end {
	char *reason;     /* why it ended abnormally, NULL if it reached CELL-END */
	char *panic;      /* the "Kernel panic" line, NULL if none */
	char *panic_text; /* the kernel messages around it (console_panic_text) */
	bool stalled;     /* no CELL-BEGIN within the boot-stall deadline (QEMU killed) */
	double t_start, t_panic, t_end;
};

static void boot_end_free(struct boot_end *be)
{
	free(be->reason);
	free(be->panic);
	free(be->panic_text);
	memset(be, 0, sizeof(*be));
}

/* <cell>/qemu-cmdline.txt: the exact command line of every boot. */
static void record_cmdline(const struct cell *c, const struct strvec *argv)
{
	char *cmdfile = path_join(c->dir, "qemu-cmdline.txt");
	FILE *f = fopen(cmdfile, c->boot > 1 ? "a" : "w");

	if (f) {
		char *line = join_quoted(argv);

		if (c->boot > 1)
			fprintf(f, "# boot %d (after a kernel panic)\n", c->boot);
		fprintf(f, "%s\n", line);
		free(line);
		fclose(f);
	}
	free(cmdfile);
}

/* Why a boot ended (be->reason, NULL if it reached CELL-END) from how QEMU ended and what the
 * console showed.
 */
static void boot_ended(struct cell *c, const struct boot_args *a, struct qemu_ctx *q, enum proc_end e,
		       int status, struct boot_end *be)
{
	char *sd = proc_status_desc(status);
	char *errl = last_line(buf_str(&q->errtail));
	const char *when = c->boot_began ? "CELL-END" : "CELL-BEGIN";

	if (e == PROC_INTERRUPTED) {
		be->reason = xstrdup("interrupted (QEMU killed)");
	} else if (c->ended) {
		if (e == PROC_TIMEOUT)
			cell_note(c, "QEMU did not exit within %.0f s of CELL-END (killed)", END_GRACE_S);
		else if (proc_rc(status) != 0)
			cell_note(c, "QEMU %s after CELL-END", sd);
	} else if (e == PROC_TIMEOUT && q->oops_armed && !q->con.panic &&
		   (q->cell_deadline == 0 || mono_now() < q->cell_deadline)) {
		cell_log(c, "kernel Oops and no suite output for %.0f s: taken as a crash", OOPS_STALL_S);
		q->con.panic = xstrdup(q->con.oops);
	}
	if (be->reason || c->ended) {
		/* decided above */
	} else if (q->con.panic) {
		char *pl = strip_stamp(q->con.panic);

		be->reason = c->boot > 1 ? xasprintf("kernel panic in boot %d: %s", c->boot, pl)
					 : xasprintf("kernel panic: %s", pl);
		free(pl);
		be->panic = xstrdup(q->con.panic);
		be->panic_text = console_panic_text(&q->con);
	} else if (e == PROC_TIMEOUT && q->stall_deadline && q->stall_deadline < q->cell_deadline &&
		   !c->boot_began) {
		const struct strvec *kl = &q->con.klog;

		be->stalled = true;
		be->reason = xasprintf("boot stalled: no CELL-BEGIN %.0f s after QEMU started (QEMU killed; last kernel message: %s)",
				       mono_now() - be->t_start, kl->n ? kl->v[kl->n - 1] : "none");
	} else if (e == PROC_TIMEOUT) {
		be->reason = xasprintf("timeout: no %s after %ld s%s (QEMU killed)", when, a->timeout,
				       c->boot > 1 ? " in a boot after a kernel panic" : "");
	} else {
		be->reason = xasprintf("QEMU exited before %s (%s)%s%s", when, sd, *errl ? ": " : "", errl);
	}
	free(sd);
	free(errl);
}

/* The machine identity of the command line QEMU gets (qemu_identity.h). */
static void lab_identity(struct cell *c, const struct strvec *argv)
{
	struct kvlist id = {0};
	char *dflt = qemu_default_machine(argv->v[0]);

	qemu_identity_of(argv, dflt, &id, ID_HOST);
	for (size_t i = 0; i < id.n; i++)
		cell_fact(c, id.v[i].key, id.v[i].val);
	kv_free(&id);
	free(dflt);
}

/* Boot the cell once with these suites; the console goes into the cell. 0, or -1 if QEMU could not
 * be started (be->reason says why).
 */
static int run_boot(struct cell *c, const struct boot_args *a, const struct strvec *suites,
		    const char *resume, struct boot_end *be)
{
	char *cmdline = lab_cmdline(a->cc, a->conf, suites, resume);
	char *errpath = path_join(c->dir, "qemu-stderr.log");
	struct strvec argv = {0};
	struct proc_opts o;
	struct qemu_ctx q;
	char *perr = NULL;
	struct proc p;
	int rc = 0;

	memset(be, 0, sizeof(*be));
	lab_qemu_argv(&argv, a->qemu, a->cc, a->kernel, a->initrd, cmdline, a->disk);
	if (a->xfer)
		xfer_argv(&argv, a->xfer);
	free(cmdline);
	record_cmdline(c, &argv);
	if (c->boot == 1)
		lab_identity(c, &argv);
	memset(&q, 0, sizeof(q));
	q.cell = c;
	console_init(&q.con, c);
	q.errlog = fopen(errpath, c->boot > 1 ? "a" : "w");
	free(errpath);

	if (c->boot > 1)
		cell_log(c, "boot %d (timeout %ld s)", c->boot, a->timeout);
	else
		cell_log(c, "booting (timeout %ld s)", a->timeout);
	be->t_start = mono_now();
	o = (struct proc_opts){.argv = argv.v};
	if (proc_start(&p, &o, &perr) != 0) {
		be->reason = perr;
		rc = -1;
	} else {
		c->launched = true;
		q.cell_deadline = mono_now() + (double)a->timeout;
		q.stall_deadline = mono_now() + (double)(a->conf->boot_stall * a->conf->timeout_scale);
		p.deadline = q.stall_deadline < q.cell_deadline ? q.stall_deadline : q.cell_deadline;
		enum proc_end e = proc_stream(&p, on_qemu_data, &q);

		be->t_end = mono_now();
		be->t_panic = q.t_panic > 0 ? q.t_panic : be->t_end;
		console_drop_partial(&q.con);
		if (q.errlog)
			fclose(q.errlog);
		q.errlog = NULL;
		boot_ended(c, a, &q, e, p.status, be);
	}
	if (q.errlog)
		fclose(q.errlog);
	buf_free(&q.errtail);
	console_free(&q.con);
	strvec_free(&argv);
	return rc;
}

/* What the configuration says about the cell, before anything runs. */
static void lab_facts(struct cell *c, const struct cell_conf *cc)
{
	char *smp = xasprintf("%ld", cc->smp);

	cell_fact(c, "cell", cc->name);
	cell_fact(c, "kind", "lab");
	if (cc->migrate_role) {
		cell_fact(c, "migrate_pair", cc->migrate_pair);
		cell_fact(c, "migrate_role", cc->migrate_role);
	}
	cell_fact(c, "arch", cc->arch);
	cell_fact(c, "cpu", cc->cpu);
	cell_fact(c, "smp", smp);
	free(smp);
	cell_fact(c, "memory", cc->memory);
	if (!str_empty(cc->swap))
		cell_fact(c, "swap", cc->swap);
	if (!str_empty(cc->append))
		cell_fact(c, "append", cc->append);
}

/* The QEMU binary (its path, caller frees) and the suite binaries; NULL after a setup error. */
static char *lab_find_qemu(struct cell *c, const struct cell_conf *cc, const struct run_env *env,
			   const char *bindir, const struct strvec *suites)
{
	const char *qemu = run_env_qemu(env, cc->arch);
	char *path = find_in_path(qemu), *qv;

	if (!path) {
		setup_error(c, "QEMU binary %s not found", qemu);
		return NULL;
	}
	if (!is_dir(bindir) || !suites->n) {
		if (!is_dir(bindir))
			setup_error(c, "no suite binaries: %s does not exist (build them: make %s)", bindir,
				    arch_build_dir(cc->arch));
		else
			setup_error(c, "no suite binaries (memattr-*) in %s", bindir);
		free(path);
		return NULL;
	}
	qv = qemu_version(path);
	cell_fact(c, "qemu", path);
	cell_fact(c, "qemu_version", qv);
	free(qv);
	return path;
}

/* The kernel (fetch-kernel.sh's KEY=value lines in *k). 0, or -1 after a setup error. */
static int lab_kernel(struct cell *c, const struct cell_conf *cc, const struct config *conf,
		      const struct run_env *env, struct kvlist *k)
{
	char *kerr = NULL;

	if (cc->kernel && !path_exists(cc->kernel)) {
		setup_error(c, "kernel image %s not found", cc->kernel);
		return -1;
	}
	cell_log(c, "kernel: %s", cc->kernel ? cc->kernel : cc->flavour);
	if (fetch_kernel(cc, conf, env, k, &kerr) != 0) {
		setup_error(c, "kernel: %s", kerr);
		free(kerr);
		return -1;
	}
	if (kv_get(k, "_warning"))
		cell_log(c, "fetch-kernel: %s", kv_get(k, "_warning"));
	cell_fact(c, "kernel_package", kv_get(k, "KERNEL_PACKAGE") ? kv_get(k, "KERNEL_PACKAGE") : "");
	cell_fact(c, "kernel_version", kv_get(k, "KERNEL_VERSION") ? kv_get(k, "KERNEL_VERSION") : "");
	cell_fact(c, "kernel_image", kv_get(k, "KERNEL_IMAGE"));
	if (kv_get(k, "KERNEL_RELEASE"))
		/* the cell itself says kernel_release */
		cell_fact(c, "kernel_package_release", kv_get(k, "KERNEL_RELEASE"));
	if (!cc->kernel)
		cell_fact(c, "kernel_flavour", cc->flavour);
	return 0;
}

#define KVM_BUILD_TIMEOUT_S 3600.0

/* Record in the identity which KVM modules the cell loads (x86_64, where KVM is modular). */
static void kvm_modules_fact(struct cell *c, const struct cell_conf *cc)
{
	if (strcmp(cc->arch, "x86_64") != 0 || cc->kvm_config)
		return;
	cell_fact(c, "kvm_modules",
		  cc->kernel ? (cc->modules ? "given (modules=)" : "given (kernel=)") : "debian");
}

/*
 * kvm_config: kvm.ko and kvm-amd.ko rebuilt with the cell's KVM config changes (runners/build-kvm.sh,
 * cached) replace Debian's: MODULES_DIR in *k becomes the rebuilt modules' directory, and the
 * identity says so.  A build that fails ends the cell (cell.<cell>.kvm_modules, an ERROR): it never
 * falls back to Debian's modules.  0, or -1 when the cell is finished.
 */
static int lab_kvm_modules(struct cell *c, const struct cell_conf *cc, const struct run_env *env,
			   struct kvlist *k)
{
	const char *rel = kv_get(k, "KERNEL_RELEASE");
	struct buf out = {0}, eb = {0};
	struct kvlist b = {0};
	struct strvec v = {0};
	char *perr = NULL, *why = NULL;
	int st = 0, prc;
	double t0;

	if (!cc->kvm_config)
		return 0;
	if (str_empty(rel)) {
		cell_setup_error(c, "kvm_modules", RES_ERROR, "kvm_config: fetch-kernel gave no KERNEL_RELEASE");
		return -1;
	}
	strvec_push(&v, env->build_kvm);
	strvec_push(&v, "--kernel-release");
	strvec_push(&v, rel);
	strvec_push(&v, "--config");
	strvec_push(&v, cc->kvm_config);
	strvec_push(&v, "--cache");
	strvec_push(&v, env->cache);
	cell_log(c, "kvm modules for %s with %s", rel, cc->kvm_config);
	t0 = mono_now();
	prc = proc_capture(v.v, NULL, KVM_BUILD_TIMEOUT_S, &out, &eb, &st, &perr);
	strvec_free(&v);
	parse_kv_lines(&b, buf_str(&out));
	if (prc != 0 || proc_rc(st) != 0) {
		char *l = perr ? xstrdup(perr) : last_line(buf_str(&eb));
		char *sd = proc_status_desc(st);

		why = xasprintf("kvm_config = %s: the KVM modules could not be built: %s", cc->kvm_config,
				*l ? l : sd);
		free(sd);
		free(l);
	} else if (str_empty(kv_get(&b, "MODULES_DIR")) || !is_dir(kv_get(&b, "MODULES_DIR")) ||
		   str_empty(kv_get(&b, "KVM_BUILD_ID"))) {
		why = xasprintf("kvm_config = %s: %s printed no MODULES_DIR (a directory) and KVM_BUILD_ID",
				cc->kvm_config, env->build_kvm);
	}
	if (why) {
		cell_fact(c, "kvm_modules", "build failed");
		cell_fact(c, "kvm_config", cc->kvm_config);
		cell_log(c, "error: %s", why);
		cell_setup_error(c, "kvm_modules", RES_ERROR, why);
	} else {
		const char *bs = kv_get(&b, "BUILD_SECONDS");
		char *how = strcmp(kv_get(&b, "KVM_BUILD") ? kv_get(&b, "KVM_BUILD") : "", "cached") == 0
				    ? xasprintf("cached (built in %s s)", bs)
				    : xasprintf("built in %.1f s (modules %s s)", mono_now() - t0, bs);

		cell_fact(c, "kvm_modules", "rebuilt");
		cell_fact(c, "kvm_config", cc->kvm_config);
		cell_fact(c, "kvm_config_delta", kv_get(&b, "KVM_CONFIG_DELTA"));
		cell_fact(c, "kvm_modules_source", kv_get(&b, "SOURCE_ID"));
		cell_fact(c, "kvm_modules_build_id", kv_get(&b, "KVM_BUILD_ID"));
		cell_fact(c, "kvm_modules_build", how);
		cell_fact(c, "kvm_modules_dir", kv_get(&b, "MODULES_DIR"));
		cell_log(c, "kvm modules %s", how);
		free(how);
		kv_set(k, "MODULES_DIR", kv_get(&b, "MODULES_DIR"), 0);
		replace_str(&c->want_kvm_build_id, kv_get(&b, "KVM_BUILD_ID"));
	}
	free(why);
	free(perr);
	kv_free(&b);
	buf_free(&out);
	buf_free(&eb);
	return c->finished ? -1 : 0;
}

/* Fixture kernel modules for this kernel: configured, so a failure to build them fails the cell
 * (cell.<cell>.fixtures) rather than letting their tests skip.  A user-given kernel gets them when
 * its release is a Debian kernel of the cache (e.g. Debian's image with rebuilt KVM modules,
 * tools/mutate.sh): Debian's config of that release is what they are built for.  Their directory,
 * or NULL.
 */
static char *lab_fixtures(struct cell *c, const struct cell_conf *cc, const struct config *conf,
			  const struct run_env *env, const struct kvlist *k)
{
	const char *rel = kv_get(k, "KERNEL_RELEASE");
	char *dcfg, *fixdir = NULL;

	if (!conf->fixtures || str_empty(rel))
		return NULL;
	dcfg = xasprintf("%s/kernels/%s/usr/lib/modules/%s/config", env->cache, rel, rel);
	if (!cc->kernel || path_exists(dcfg))
		fixdir = build_fixtures(env, c, cc, rel);
	free(dcfg);
	return fixdir;
}

#define PACKAGES_TIMEOUT_S 1800.0

/*
 * packages: the Debian tools of the cell, with their libraries and loader, from the kernel's suite
 * (runners/fetch-packages.sh, cached).  PACKAGES_ROOT and PACKAGES go into *k for mkinitramfs.sh,
 * the versions into the identity.  A package the suite lacks or a download that fails ends the cell
 * (cell.<cell>.packages, an ERROR, with apt's message): a cell never runs without what it was
 * configured to carry.  0, or -1 when the cell is finished.
 */
static int lab_packages(struct cell *c, const struct cell_conf *cc, const struct config *conf,
			const struct run_env *env, struct kvlist *k)
{
	struct buf out = {0}, eb = {0};
	struct kvlist p = {0};
	struct strvec v = {0};
	char *perr = NULL, *why = NULL;
	char *pk = cell_packages(cc, conf);
	int st = 0, prc;

	if (!pk)
		return 0;
	strvec_push(&v, env->fetch_packages);
	strvec_push(&v, "--arch");
	strvec_push(&v, arch_debian(cc->arch));
	strvec_push(&v, "--suite");
	strvec_push(&v, conf->kernel_suite);
	strvec_push(&v, "--cache");
	strvec_push(&v, env->cache);
	strvec_push(&v, "--packages");
	strvec_push(&v, pk);
	cell_log(c, "packages %s", pk);
	prc = proc_capture(v.v, NULL, PACKAGES_TIMEOUT_S, &out, &eb, &st, &perr);
	strvec_free(&v);
	parse_kv_lines(&p, buf_str(&out));
	if (prc != 0 || proc_rc(st) != 0) {
		char *l = perr ? xstrdup(perr) : last_line(buf_str(&eb));
		char *sd = proc_status_desc(st);

		why = xasprintf("packages = %s: %s", pk, *l ? l : sd);
		free(sd);
		free(l);
	} else if (str_empty(kv_get(&p, "PACKAGES_ROOT")) || !is_dir(kv_get(&p, "PACKAGES_ROOT")) ||
		   str_empty(kv_get(&p, "PACKAGES"))) {
		why = xasprintf("packages = %s: %s printed no PACKAGES_ROOT (a directory) and PACKAGES",
				pk, env->fetch_packages);
	}
	if (why) {
		cell_fact(c, "packages", "failed");
		cell_log(c, "error: %s", why);
		cell_setup_error(c, "packages", RES_ERROR, why);
	} else {
		cell_fact(c, "packages", kv_get(&p, "PACKAGES"));
		cell_fact(c, "packages_libs", kv_get(&p, "PACKAGES_LIBS") ? kv_get(&p, "PACKAGES_LIBS") : "");
		kv_set(k, "PACKAGES_ROOT", kv_get(&p, "PACKAGES_ROOT"), 0);
		kv_set(k, "PACKAGES", kv_get(&p, "PACKAGES"), 0);
	}
	free(why);
	free(pk);
	free(perr);
	kv_free(&p);
	buf_free(&out);
	buf_free(&eb);
	return c->finished ? -1 : 0;
}

/* mkinitramfs.sh's command line for this cell. */
static void initramfs_argv(struct strvec *mv, const struct cell_conf *cc, const struct run_env *env,
			   const struct kvlist *k, const char *bindir, const char *fixdir, const char *initrd)
{
	strvec_push(mv, env->mkinitramfs);
	strvec_push(mv, "--arch");
	strvec_push(mv, cc->arch);
	strvec_push(mv, "--busybox");
	strvec_push(mv, kv_get(k, "BUSYBOX"));
	if (!str_empty(kv_get(k, "MODULES_DIR"))) {
		strvec_push(mv, "--modules-dir");
		strvec_push(mv, kv_get(k, "MODULES_DIR"));
	}
	if (!str_empty(kv_get(k, "KERNEL_RELEASE"))) {
		strvec_push(mv, "--kernel-release");
		strvec_push(mv, kv_get(k, "KERNEL_RELEASE"));
	}
	strvec_push(mv, "--bin-dir");
	strvec_push(mv, bindir);
	if (fixdir) {
		strvec_push(mv, "--fixtures-dir");
		strvec_push(mv, fixdir);
	}
	char *mods = extra_modules(cc);

	if (mods) {
		/* vfio-pci for the second ivshmem device (the cell's init binds it) and the edu device
		 * (the dma suite binds it); virtio_blk for the scratch disk and a migration's transfer disk
		 */
		strvec_push(mv, "--extra-modules");
		strvec_push(mv, mods);
		free(mods);
	}
	if (!str_empty(kv_get(k, "PACKAGES_ROOT"))) {
		strvec_push(mv, "--packages-root");
		strvec_push(mv, kv_get(k, "PACKAGES_ROOT"));
		strvec_push(mv, "--packages");
		strvec_push(mv, kv_get(k, "PACKAGES"));
	}
	strvec_push(mv, "--out");
	strvec_push(mv, initrd);
}

/* Build the cell's initramfs at initrd. 0, or -1 after a setup error. */
static int lab_initramfs(struct cell *c, const struct strvec *mv, const char *initrd)
{
	char *dir = xstrndup(initrd, (size_t)(strrchr(initrd, '/') - initrd));
	struct buf eb = {0};
	char *perr = NULL;
	int st = 0, prc;

	if (mkdir_p(dir) != 0) {
		setup_error(c, "initramfs: cannot create %s: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	free(dir);
	cell_log(c, "initramfs %s", initrd);
	prc = proc_capture(mv->v, NULL, MKINITRAMFS_TIMEOUT_S, NULL, &eb, &st, &perr);
	if (prc != 0 || proc_rc(st) != 0 || !path_exists(initrd)) {
		char *l = perr ? xstrdup(perr) : last_line(buf_str(&eb));
		char *sd = proc_status_desc(st);

		setup_error(c, "initramfs: %s", *l ? l : sd);
		free(sd);
		free(l);
		free(perr);
		buf_free(&eb);
		return -1;
	}
	buf_free(&eb);
	return 0;
}

/* A boot ended in a kernel panic while the suites ran: the running test gets it.  Whether to boot
 * again for the tests left (in *suites, *resume); if not, the cell is finished.
 */
static bool lab_after_panic(struct cell *c, const struct config *conf, const struct boot_end *be,
			    struct strvec *suites, char **resume)
{
	char *pl = strip_stamp(be->panic), *why = NULL, *sl;
	double t_panic = be->t_panic - be->t_start;
	size_t left;

	cell_kernel_panic(c, pl, be->panic_text);
	free(*resume);
	left = cell_remaining(c, suites, resume);
	if (!left) {
		cell_note(c, "boot %d ended in a kernel panic after the last test (no CELL-END)", c->boot);
		cell_end(c);
	} else if (!conf->reboot_after_panic) {
		why = xasprintf("kernel panic: %s (reboot_after_panic = no)", pl);
	} else if (c->boot > conf->panic_reboots) {
		why = xasprintf("kernel panic: %s (boot %d; panic_reboots = %ld used up)", pl, c->boot,
				conf->panic_reboots);
	} else {
		sl = strvec_join(suites, ",");
		cell_log(c,
			 "kernel panic %.1f s into boot %d (QEMU gone %.1f s after it): boot %d runs %s%s%s",
			 t_panic, c->boot, be->t_end - be->t_panic, c->boot + 1, sl,
			 *resume ? ", resuming " : "", *resume ? *resume : "");
		cell_note(c, "boot %d: kernel panic %.1f s after QEMU started, QEMU exited %.1f s later; boot %d: %s%s%s",
			  c->boot, t_panic, be->t_end - be->t_panic, c->boot + 1, sl,
			  *resume ? " resuming " : "", *resume ? *resume : "");
		free(sl);
		free(pl);
		cell_next_boot(c, "a kernel panic");
		return true;
	}
	if (why)
		cell_log(c, "%s", why);
	cell_finish(c, why);
	free(why);
	free(pl);
	return false;
}

/* The cell's scratch disk: a sparse file of cc->disk bytes in its report directory, made fresh for
 * the run (kept over reboots after a panic).  Its path, or NULL after a setup error.
 */
static char *lab_scratch_disk(struct cell *c, const struct cell_conf *cc)
{
	char *path = path_join(c->dir, SCRATCH_DISK);
	unsigned long long n = strtoull(cc->disk, NULL, 10);
	int fd;

	/* the suffix (config.c:set_disk allows K, M, G, T): 10 bits a step */
	n <<= 10 * (strchr("KMGT", cc->disk[strlen(cc->disk) - 1]) - "KMGT" + 1);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)n) != 0) {
		setup_error(c, "scratch disk %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		return NULL;
	}
	close(fd);
	cell_fact(c, "disk", cc->disk);
	return path;
}

/* QEMU: one boot, and one more after each kernel panic while tests remain (up to panic_reboots). */
static void lab_boots(struct cell *c, const struct boot_args *ba, const struct strvec *suites)
{
	struct strvec boot_suites = {0};
	char *resume = NULL;
	bool again = true;
	int stalls = 0;

	strvec_copy(&boot_suites, suites);
	while (again) {
		struct boot_end be;

		again = false;
		if (run_boot(c, ba, &boot_suites, resume, &be) != 0) {
			setup_error(c, "QEMU: %s", be.reason);
		} else if (be.panic && c->boot_began && !c->ended) {
			again = lab_after_panic(c, ba->conf, &be, &boot_suites, &resume);
		} else if (be.stalled && stalls++ < BOOT_STALL_RETRIES) {
			cell_log(c, "%s: booting again", be.reason);
			cell_note(c, "boot %d: %s; booted again", c->boot, be.reason);
			cell_next_boot(c, "a boot stall");
			again = true;
		} else {
			if (be.reason)
				cell_log(c, "%s", be.reason);
			cell_finish(c, be.reason);
		}
		boot_end_free(&be);
	}
	free(resume);
	strvec_free(&boot_suites);
}

#define XFER_DISK_BYTES (1LL << 30) /* sparse: only the stream's blocks take space */

/*
 * A migration half's transfer disk, next to the cells in the run directory: the out half creates
 * it empty, the in half finds what the out half wrote (and removes it when done).  The path, or
 * NULL after a setup error.
 */
static char *lab_xfer_disk(struct cell *c, const struct cell_conf *cc)
{
	char *run_dir = xstrndup(c->dir, (size_t)(strrchr(c->dir, '/') - c->dir));
	char *path = path_join(run_dir, cc->xfer);
	bool out = strcmp(cc->migrate_role, "out") == 0;
	int fd = open(path, out ? O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC : O_RDWR | O_CLOEXEC, 0644);

	free(run_dir);
	if (fd < 0 || (out && ftruncate(fd, XFER_DISK_BYTES) != 0)) {
		char *why = xasprintf("migration %s: the transfer disk %s: %s%s", cc->migrate_pair, path,
				      strerror(errno), out ? "" : " (the out half did not run)");

		setup_error(c, "%s", why);
		free(why);
		free(path);
		path = NULL;
	}
	if (fd >= 0)
		close(fd);
	return path;
}

void lab_run_cell(struct cell *c, const struct cell_conf *cc, const struct config *conf,
		  const struct run_env *env)
{
	char *bindir = run_bin_dir(env, cc->arch);
	char *initrd = initrd_path(env, cc), *fixdir = NULL, *qemu_path, *disk = NULL, *xfer = NULL;
	struct strvec suites = {0}, mv = {0};
	struct kvlist k = {0};

	lab_facts(c, cc);
	cell_suites(cc, conf, bindir, &suites);
	for (size_t i = 0; i < suites.n; i++)
		cell_expect_suite(c, suites.v[i]);
	qemu_path = lab_find_qemu(c, cc, env, bindir, &suites);
	if (!qemu_path || lab_kernel(c, cc, conf, env, &k) != 0)
		goto out;
	kvm_modules_fact(c, cc);
	if (lab_kvm_modules(c, cc, env, &k) != 0)
		goto out;
	fixdir = lab_fixtures(c, cc, conf, env, &k);
	if (lab_packages(c, cc, conf, env, &k) != 0)
		goto out;
	initramfs_argv(&mv, cc, env, &k, bindir, fixdir, initrd);
	kselftest_initramfs_argv(&mv, cc, conf, env);
	if (lab_initramfs(c, &mv, initrd) != 0)
		goto out;

	c->need_kvm = true;
	c->want_kvm_mode = cc->kvm_mode;
	c->want_vm_types = cc->kvm_vm_types;
	c->kvm_config = cc->kvm_config;
	c->skip_profile = cc->skip_profile;
	c->filtered = !str_empty(cell_filter(cc, conf));
	if (!str_empty(cc->disk)) {
		disk = lab_scratch_disk(c, cc);
		if (!disk)
			goto out;
	}
	struct boot_args ba = {.cc = cc, .conf = conf, .kernel = kv_get(&k, "KERNEL_IMAGE"), .initrd = initrd,
			       .qemu = qemu_path, .disk = disk, .timeout = cell_timeout(cc, conf)};

	xfer = cc->xfer ? lab_xfer_disk(c, cc) : NULL;
	if (cc->xfer && !xfer)
		goto out;
	ba.xfer = xfer;
	lab_boots(c, &ba, &suites);
out:
	if (xfer && strcmp(cc->migrate_role, "in") == 0)
		unlink(xfer);
	free(xfer);
	if (!c->finished)
		cell_finish(c, "internal error: cell not finished");
	free(qemu_path);
	free(initrd);
	free(fixdir);
	free(disk);
	kv_free(&k);
	strvec_free(&mv);
	strvec_free(&suites);
	free(bindir);
}
