// SPDX-License-Identifier: GPL-2.0
/* config.c: INI-style configuration parser and validator.
 *
 * Syntax: "[run]" and "[cell NAME]" section headers; "key = value" lines; whole-line comments
 * starting with '#' or ';'; blank lines. A value may be wrapped in double quotes (they are removed).
 * Later settings override earlier ones; a section seen again adds to / overrides the earlier one.
 */
#include "config.h"

#include "memattr/pfnmap.h"
#include "skip_profile.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum vtype {
	V_STR,      /* any text (no control characters) */
	V_GLOB,     /* text without '"' (goes onto a kernel command line) */
	V_INT,      /* decimal in [min, max] */
	V_JOBS,     /* "auto" or decimal >= 0 */
	V_HOSTCELL, /* auto|yes|no */
	V_ARCH,     /* arm64|x86_64 (aarch64, amd64 accepted) */
	V_MEM,      /* QEMU -m size: 2G, 2048M, 2048 */
	V_TOKEN,    /* non-empty [A-Za-z0-9_.,=+:-]* */
	V_OPTTOKEN, /* same, may be empty */
	V_PATH,     /* path; relative to the project root */
	V_CELLS,    /* comma list of cell names */
	V_SUITES,   /* comma list of suite names, or "all" */
	V_PFNMAP,   /* MEMATTR_PFNMAP specs (host/pfnmap_spec.c), may be empty */
	V_PCI,      /* emulated PCI devices of a lab cell: "ivshmem", "edu", blank- or comma-separated */
	V_DISK,     /* a scratch disk's size (64M, 1G) or empty: none */
	V_YESNO,    /* yes|no (stored as int 1/0) */
	V_KVMMODE,  /* vhe|nvhe|hvhe|protected|svm|vmx */
	V_KVMCONFIG, /* KVM Kconfig changes: +SYM / -SYM, blank- or comma-separated, may be empty */
	V_VMTYPES,  /* a KVM_CAP_VM_TYPES bit mask (0x3, 3), or empty: any */
	V_PAIRS,    /* comma list of SRC>DST cell name pairs, or "none" */
	V_PACKAGES, /* Debian package names, blank- or comma-separated, may be empty */
};

struct key_def {
	const char *key;
	enum vtype type;
	long min, max;
	size_t off;
};

#define RUN(k, t, mn, mx, f) { k, t, mn, mx, offsetof(struct config, f) }
static const struct key_def run_keys[] = {
	RUN("cells", V_CELLS, 0, 0, cells),
	RUN("suites", V_SUITES, 0, 0, suites),
	RUN("filter", V_GLOB, 0, 0, filter),
	RUN("suite_args", V_GLOB, 0, 0, suite_args),
	RUN("timeout_scale", V_INT, 1, 1000, timeout_scale),
	RUN("cell_timeout", V_INT, 1, 7 * 24 * 3600, cell_timeout),
	RUN("jobs", V_JOBS, 0, 1024, jobs),
	RUN("host_cell", V_HOSTCELL, 0, 0, host_cell),
	RUN("report_dir", V_PATH, 0, 0, report_dir),
	RUN("known_issues", V_PATH, 0, 0, known_issues),
	RUN("kernel_suite", V_TOKEN, 0, 0, kernel_suite),
	RUN("fixtures", V_INT, 0, 1, fixtures),
	RUN("pfnmap", V_PFNMAP, 0, 0, pfnmap),
	RUN("reboot_after_panic", V_YESNO, 0, 0, reboot_after_panic),
	RUN("panic_reboots", V_INT, 0, 20, panic_reboots),
	RUN("boot_stall", V_INT, 1, 24 * 3600, boot_stall),
	RUN("migrations", V_PAIRS, 0, 0, migrations),
	RUN("migration_suite", V_OPTTOKEN, 0, 0, migration_suite),
	RUN("migration_save_test", V_OPTTOKEN, 0, 0, migration_save_test),
	RUN("migration_restore_test", V_OPTTOKEN, 0, 0, migration_restore_test),
	RUN("kselftest", V_TOKEN, 0, 0, kselftest),
	RUN("profile", V_TOKEN, 0, 0, profile),
	RUN("profile_suites", V_SUITES, 0, 0, profile_suites),
	RUN("qualify_duration", V_INT, 1, 24 * 3600, qualify_duration),
	RUN("soak_duration", V_INT, 1, 30 * 24 * 3600, soak_duration),
	RUN("soak_tests", V_GLOB, 0, 0, soak_tests),
};

#undef RUN

#define CELL(k, t, mn, mx, f) { k, t, mn, mx, offsetof(struct cell_conf, f) }
static const struct key_def cell_keys[] = {
	CELL("arch", V_ARCH, 0, 0, arch),
	CELL("cpu", V_TOKEN, 0, 0, cpu),
	CELL("machine", V_OPTTOKEN, 0, 0, machine),
	CELL("smp", V_INT, 1, 512, smp),
	CELL("memory", V_MEM, 0, 0, memory),
	CELL("append", V_GLOB, 0, 0, append),
	CELL("flavour", V_TOKEN, 0, 0, flavour),
	CELL("kernel", V_PATH, 0, 0, kernel),
	CELL("modules", V_PATH, 0, 0, modules),
	CELL("qemu_args", V_STR, 0, 0, qemu_args),
	CELL("timeout", V_INT, 1, 7 * 24 * 3600, timeout),
	CELL("pfnmap", V_PFNMAP, 0, 0, pfnmap),
	CELL("pci", V_PCI, 0, 0, pci),
	CELL("disk", V_DISK, 0, 0, disk),
	CELL("swap", V_DISK, 0, 0, swap),
	CELL("kvm_mode", V_KVMMODE, 0, 0, kvm_mode),
	CELL("kvm_config", V_KVMCONFIG, 0, 0, kvm_config),
	CELL("kvm_vm_types", V_VMTYPES, 0, 0xffffffffL, kvm_vm_types),
	CELL("expected_skips", V_PATH, 0, 0, expected_skips),
	CELL("packages", V_PACKAGES, 0, 0, packages),
};

#undef CELL

static int fail(char **err, const char *where, const char *fmt, ...) PRINTF_LIKE(3, 4);
static int fail(char **err, const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);

	va_end(ap);
	if (err) {
		free(*err);
		*err = xasprintf("%s: %s", where, m);
	}
	free(m);
	return -1;
}

void config_init(struct config *c, const char *root)
{
	memset(c, 0, sizeof(*c));
	c->root = xstrdup(root ? root : ".");
	c->timeout_scale = 1;
	c->cell_timeout = 1800;
	c->jobs = 0;
	c->host_cell = HOST_CELL_AUTO;
	c->report_dir = path_join(c->root, "reports");
	c->kernel_suite = xstrdup("sid");
	c->reboot_after_panic = 1;
	c->panic_reboots = 3;
	c->boot_stall = 180;
	c->profile = xstrdup("smoke");
	c->qualify_duration = 30;
	c->soak_duration = 3600;
}

static void cell_conf_free(struct cell_conf *cc)
{
	free(cc->name);
	free(cc->arch);
	free(cc->cpu);
	free(cc->machine);
	free(cc->memory);
	free(cc->append);
	free(cc->flavour);
	free(cc->kernel);
	free(cc->modules);
	free(cc->qemu_args);
	free(cc->pfnmap);
	free(cc->pci);
	free(cc->disk);
	free(cc->swap);
	free(cc->kvm_mode);
	free(cc->kvm_config);
	free(cc->packages);
	free(cc->expected_skips);
	skip_profile_free(cc->skip_profile);
	free(cc->where);
	free(cc->migrate_pair);
	free(cc->xfer);
}

void config_free(struct config *c)
{
	strvec_free(&c->cells);
	strvec_free(&c->suites);
	strvec_free(&c->files);
	free(c->cells_where);
	strvec_free(&c->migrations);
	free(c->migrations_where);
	free(c->migration_suite);
	free(c->migration_save_test);
	free(c->migration_restore_test);
	free(c->filter);
	free(c->suite_args);
	free(c->pfnmap);
	free(c->report_dir);
	free(c->known_issues);
	free(c->kernel_suite);
	free(c->kselftest);
	free(c->profile);
	strvec_free(&c->profile_suites);
	free(c->soak_tests);
	free(c->root);
	for (size_t i = 0; i < c->ncell; i++)
		cell_conf_free(&c->cell[i]);
	free(c->cell);
	memset(c, 0, sizeof(*c));
}

struct cell_conf *config_find_cell(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->ncell; i++)
		if (strcmp(c->cell[i].name, name) == 0)
			return &c->cell[i];
	return NULL;
}

/* Cell names become file names next to results.json: letters, digits, '_', '-' (no dots). */
static bool valid_name(const char *s)
{
	if (!*s || *s == '-')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-", *s))
			return false;
	return true;
}

static bool valid_suite(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-", *s))
			return false;
	return true;
}

static struct cell_conf *get_cell(struct config *c, const char *name, const char *where)
{
	struct cell_conf *cc = config_find_cell(c, name);

	if (cc)
		return cc;
	c->cell = xrealloc(c->cell, (c->ncell + 1) * sizeof(*c->cell));
	cc = &c->cell[c->ncell++];
	memset(cc, 0, sizeof(*cc));
	cc->name = xstrdup(name);
	cc->where = xstrdup(where);
	cc->kvm_vm_types = -1;
	return cc;
}

static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return true;
	return false;
}

/* One setter per value type: check value, store it in field (a member of struct config or cell_conf). */
#define SETTER(name)                                                                               \
	static int name(struct config *c, void *field, const struct key_def *k, const char *value, \
			const char *where, char **err)

SETTER(set_str)
{
	replace_str(field, value);
	return 0;
}

/* The emulated device sets pci= knows, in the order the normalized value lists them. */
static const char *const pci_sets[] = {"ivshmem", "edu"};

SETTER(set_pci)
{
	bool seen[ARRAY_SIZE(pci_sets)] = {false};
	char *tmp = xstrdup(value), *save = NULL;
	struct buf b = {0};

	for (char *w = strtok_r(tmp, " \t,", &save); w; w = strtok_r(NULL, " \t,", &save)) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(pci_sets) && strcmp(w, pci_sets[i]) != 0; i++)
			;
		if (i == ARRAY_SIZE(pci_sets)) {
			fail(err, where, "%s: '%s': emulated device sets are 'ivshmem' and 'edu' (a list, or empty)",
			     k->key, w);
			free(tmp);
			return -1;
		}
		seen[i] = true;
	}
	free(tmp);
	for (size_t i = 0; i < ARRAY_SIZE(pci_sets); i++)
		if (seen[i])
			buf_addf(&b, "%s%s", b.len ? "," : "", pci_sets[i]);
	free(*(char **)field);
	*(char **)field = b.len ? buf_take(&b) : NULL;
	buf_free(&b);
	return 0;
}

/*
 * A list setter's items (blank- or comma-separated): item() checks one and says under which name a
 * repeat is caught (e.g. +SYM and -SYM are the same SYM), NULL after fail(); the normalized list
 * (items joined by sep) goes into *field, or NULL when empty.
 */
static int set_list(void *field, const struct key_def *k, const char *value, const char *where, char **err,
		    const char *sep, const char *(*item)(const struct key_def *, const char *, const char *,
							   char **))
{
	char *copy = xstrdup(value), *save = NULL;
	struct strvec items = {0};
	struct buf norm = {0};
	int rc = 0;

	for (char *it = strtok_r(copy, " \t,", &save); it && rc == 0; it = strtok_r(NULL, " \t,", &save)) {
		const char *key = item(k, it, where, err);

		if (!key)
			rc = -1;
		else if (strvec_has(&items, key))
			rc = fail(err, where, "%s: %s given twice", k->key, key);
		if (rc == 0) {
			strvec_push(&items, key);
			buf_addf(&norm, "%s%s", norm.len ? sep : "", it);
		}
	}
	if (rc == 0)
		replace_str(field, norm.len ? buf_str(&norm) : NULL);
	buf_free(&norm);
	strvec_free(&items);
	free(copy);
	return rc;
}

/* packages: Debian package names (lower case, digits, '.', '+', '-'), stored blank-separated. */
static const char *package_item(const struct key_def *k, const char *it, const char *where, char **err)
{
	if (!islower((unsigned char)*it) && !isdigit((unsigned char)*it))
		fail(err, where, "%s: '%s' is not a Debian package name", k->key, it);
	else if (strspn(it, "abcdefghijklmnopqrstuvwxyz0123456789.+-") != strlen(it) || strlen(it) < 2)
		fail(err, where, "%s: '%s' is not a Debian package name (a-z, 0-9, '.', '+', '-')",
		     k->key, it);
	else
		return it;
	return NULL;
}

SETTER(set_packages)
{
	return set_list(field, k, value, where, err, " ", package_item);
}

bool cell_has_pci(const struct cell_conf *cc, const char *set)
{
	size_t n = strlen(set);

	for (const char *p = cc->pci; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] ? 1 : 0))
		if (strncmp(p, set, n) == 0 && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

SETTER(set_pfnmap)
{
	struct ma_pfnmap_spec specs[MA_PFNMAP_MAX_SPECS];
	char why[200];

	if (strchr(value, '"'))
		return fail(err, where, "%s: the value may not contain '\"'", k->key);
	if (ma_try_pfnmap_parse_specs(value, specs, MA_PFNMAP_MAX_SPECS, why, sizeof(why)) < 0)
		return fail(err, where,
			    "%s: %s (specs: vfio=<BDF>,region=<n>[,type=wb|nc|device] or pci=<BDF>,bar=<n>, separated by ';')",
			    k->key, why);
	replace_str(field, *value ? value : NULL);
	return 0;
}

SETTER(set_yesno)
{
	int *ip = field;

	if (strcmp(value, "yes") == 0)
		*ip = 1;
	else if (strcmp(value, "no") == 0)
		*ip = 0;
	else
		return fail(err, where, "%s: '%s' is not yes or no", k->key, value);
	return 0;
}

SETTER(set_kvm_mode)
{
	static const char *const modes[] = {"vhe", "nvhe", "hvhe", "protected", "svm", "vmx"};

	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (strcmp(value, modes[i]) == 0) {
			replace_str(field, value);
			return 0;
		}
	if (!*value) {
		replace_str(field, NULL);
		return 0;
	}
	return fail(err, where, "%s: '%s' is not one of vhe, nvhe, hvhe, protected, svm, vmx (or empty)",
		    k->key, value);
}

/*
 * kvm_config: "+SYM" (CONFIG_SYM=y) or "-SYM" (not set) items, blank- or comma-separated, stored as
 * "+A,-B".  Whether SYM is a KVM option that takes effect is runners/build-kvm.sh's to say (it has
 * the kernel source); here only the form.
 */
/* kvm_config: +SYM / -SYM, stored comma-separated; a SYM may be given once. */
static const char *kvm_config_item(const struct key_def *k, const char *it, const char *where, char **err)
{
	const char *sym = it + 1;

	if (*it != '+' && *it != '-')
		fail(err, where, "%s: '%s' is not +SYM (set CONFIG_SYM=y) or -SYM (unset it)", k->key, it);
	else if (str_starts(sym, "CONFIG_"))
		fail(err, where, "%s: '%s': write %c%s, without CONFIG_", k->key, it, *it, sym + 7);
	else if (!*sym || strspn(sym, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != strlen(sym))
		fail(err, where, "%s: '%s': SYM is a Kconfig symbol (A-Z, 0-9, _), e.g. +KVM_SW_PROTECTED_VM",
		     k->key, it);
	else
		return sym;
	return NULL;
}

SETTER(set_kvm_config)
{
	return set_list(field, k, value, where, err, ",", kvm_config_item);
}

SETTER(set_vm_types)
{
	long *lp = field;
	char *end = NULL;
	long v;

	if (!*value) {
		*lp = -1;
		return 0;
	}
	errno = 0;
	v = isdigit((unsigned char)*value) ? strtol(value, &end, 0) : -1;
	if (errno || v < k->min || v > k->max || !end || *end)
		return fail(err, where, "%s: '%s' is not a KVM_CAP_VM_TYPES bit mask (e.g. 0x3), or empty",
			    k->key, value);
	*lp = v;
	return 0;
}

SETTER(set_glob)
{
	if (strchr(value, '"'))
		return fail(err, where, "%s: the value may not contain '\"'", k->key);
	replace_str(field, *value ? value : NULL);
	return 0;
}

SETTER(set_int)
{
	if (!parse_long(value, k->min, k->max, field))
		return fail(err, where, "%s: '%s' is not a number in %ld..%ld", k->key, value, k->min,
			    k->max);
	return 0;
}

SETTER(set_jobs)
{
	long *lp = field;

	if (strcmp(value, "auto") == 0) {
		*lp = 0;
		return 0;
	}
	if (!parse_long(value, k->min, k->max, lp))
		return fail(err, where, "%s: '%s' is not 'auto' or a number in %ld..%ld", k->key, value,
			    k->min, k->max);
	return 0;
}

SETTER(set_host_cell)
{
	enum host_cell_mode *mp = field;

	if (strcmp(value, "auto") == 0)
		*mp = HOST_CELL_AUTO;
	else if (strcmp(value, "yes") == 0)
		*mp = HOST_CELL_YES;
	else if (strcmp(value, "no") == 0)
		*mp = HOST_CELL_NO;
	else
		return fail(err, where, "%s: '%s' is not one of auto, yes, no", k->key, value);
	return 0;
}

SETTER(set_arch)
{
	if (strcmp(value, "arm64") == 0 || strcmp(value, "aarch64") == 0)
		replace_str(field, "arm64");
	else if (strcmp(value, "x86_64") == 0 || strcmp(value, "amd64") == 0)
		replace_str(field, "x86_64");
	else
		return fail(err, where, "%s: unknown arch '%s' (arm64 or x86_64)", k->key, value);
	return 0;
}

SETTER(set_mem)
{
	const char *p = value;

	while (isdigit((unsigned char)*p))
		p++;
	bool ok = p != value;

	if (ok && *p && strchr("KMGTkmgt", *p))
		p++;
	if (ok && (*p == 'B' || *p == 'b'))
		p++;
	if (!ok || *p)
		return fail(err, where, "%s: '%s' is not a memory size (like 2G or 2048M)", k->key, value);
	replace_str(field, value);
	return 0;
}

/* disk = SIZE: a byte count with a K/M/G/T suffix (what QEMU's raw image gets); empty: no disk */
SETTER(set_disk)
{
	char *end = NULL;
	unsigned long long n;

	if (!*value) {
		replace_str(field, NULL);
		return 0;
	}
	errno = 0;
	n = strtoull(value, &end, 10);
	if (!isdigit((unsigned char)*value) || errno || n == 0 || !*end || !strchr("KMGT", *end) || end[1])
		return fail(err, where, "%s: '%s' is not a disk size (like 64M or 1G)", k->key, value);
	replace_str(field, value);
	return 0;
}

SETTER(set_token)
{
	if (!*value && k->type == V_TOKEN)
		return fail(err, where, "%s: empty value", k->key);
	for (const char *p = value; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.,=+:-", *p))
			return fail(err, where, "%s: unexpected character '%c' in '%s'", k->key, *p, value);
	replace_str(field, value);
	return 0;
}

SETTER(set_path)
{
	char **sp = field;

	free(*sp);
	*sp = *value ? path_join(c->root, value) : NULL;
	return 0;
}

/* The names of a cells= or suites= list: NULL, or what is wrong (caller frees). */
static char *names_error(const struct key_def *k, const struct strvec *items)
{
	bool cells = k->type == V_CELLS;
	const char *word = cells ? "none" : "all";

	for (size_t i = 0; i < items->n; i++) {
		const char *it = items->v[i];

		if (cells ? !valid_name(it) : (!valid_suite(it) && strcmp(it, "all") != 0))
			return xasprintf("%s: invalid name '%s'", k->key, it);
		if (cells && strcmp(it, "host") == 0)
			return xasprintf("%s: 'host' is the native cell: use host_cell = yes", k->key);
	}
	if (strvec_has(items, word) && items->n > 1)
		return xasprintf("%s: '%s' cannot be combined with %s names", k->key, word, cells ? "cell" : "suite");
	return NULL;
}

SETTER(set_names)
{
	struct strvec *vp = field, items = {0};
	char *why;

	strvec_split(&items, value, ',');
	why = names_error(k, &items);
	if (why) {
		fail(err, where, "%s", why);
		free(why);
		strvec_free(&items);
		return -1;
	}
	/* suites = all: every suite found; cells = none: no lab cell (only the host cell, if any) */
	if (strvec_has(&items, k->type == V_CELLS ? "none" : "all"))
		strvec_clear(&items);
	strvec_free(vp);
	*vp = items;
	if (k->type == V_CELLS)
		replace_str(&c->cells_where, where);
	return 0;
}

/* migrations = SRC>DST, ...: the cells are checked by config_finalize(), once all are defined */
SETTER(set_pairs)
{
	struct strvec *vp = field, items = {0};

	strvec_split(&items, value, ',');
	if (strvec_has(&items, "none") && items.n == 1)
		strvec_clear(&items);
	for (size_t i = 0; i < items.n; i++) {
		const char *gt = strchr(items.v[i], '>');
		char *src = gt ? xstrndup(items.v[i], (size_t)(gt - items.v[i])) : NULL;
		bool ok = src && valid_name(src) && valid_name(gt + 1);

		free(src);
		if (!ok) {
			fail(err, where, "%s: '%s' is not SRC>DST (two cell names), or 'none'", k->key,
			     items.v[i]);
			strvec_free(&items);
			return -1;
		}
	}
	strvec_free(vp);
	*vp = items;
	replace_str(&c->migrations_where, where);
	return 0;
}

#undef SETTER

static int (*const setters[])(struct config *, void *, const struct key_def *, const char *, const char *,
			      char **) = {
	[V_STR] = set_str,         [V_GLOB] = set_glob,   [V_INT] = set_int,       [V_JOBS] = set_jobs,
	[V_HOSTCELL] = set_host_cell, [V_ARCH] = set_arch, [V_MEM] = set_mem,      [V_TOKEN] = set_token,
	[V_OPTTOKEN] = set_token,  [V_PATH] = set_path,   [V_CELLS] = set_names,   [V_SUITES] = set_names,
	[V_PFNMAP] = set_pfnmap,   [V_PCI] = set_pci,     [V_DISK] = set_disk,     [V_YESNO] = set_yesno,
	[V_KVMMODE] = set_kvm_mode,
	[V_KVMCONFIG] = set_kvm_config, [V_VMTYPES] = set_vm_types, [V_PAIRS] = set_pairs,
	[V_PACKAGES] = set_packages,
};

static int set_value(struct config *c, void *base, const struct key_def *k, const char *value,
		     const char *where, char **err)
{
	if (has_ctl(value))
		return fail(err, where, "%s: control characters in the value", k->key);
	if ((size_t)k->type >= ARRAY_SIZE(setters) || !setters[k->type])
		return fail(err, where, "internal error: key type");
	return setters[k->type](c, (char *)base + k->off, k, value, where, err);
}

static const struct key_def *find_key(const struct key_def *tab, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(tab[i].key, key) == 0)
			return &tab[i];
	return NULL;
}

static char *key_list(const struct key_def *tab, size_t n)
{
	struct buf b = {0};

	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "%s%s", i ? ", " : "", tab[i].key);
	return buf_take(&b);
}

/* section: "run" or "cell NAME" (already validated by the caller's syntax). */
static int set_in_section(struct config *c, const char *section, const char *key, const char *value,
			  const char *where, char **err)
{
	if (strcmp(section, "run") == 0) {
		const struct key_def *k = find_key(run_keys, ARRAY_SIZE(run_keys), key);

		if (!k) {
			char *l = key_list(run_keys, ARRAY_SIZE(run_keys));

			fail(err, where, "unknown key '%s' in [run] (known: %s)", key, l);
			free(l);
			return -1;
		}
		return set_value(c, c, k, value, where, err);
	}
	if (str_starts(section, "cell ")) {
		const char *name = section + 5;
		const struct key_def *k = find_key(cell_keys, ARRAY_SIZE(cell_keys), key);

		if (!k) {
			char *l = key_list(cell_keys, ARRAY_SIZE(cell_keys));

			fail(err, where, "unknown key '%s' in [cell %s] (known: %s)", key, name, l);
			free(l);
			return -1;
		}
		struct cell_conf *cc = get_cell(c, name, where);

		return set_value(c, cc, k, value, where, err);
	}
	return fail(err, where, "unknown section [%s]", section);
}

/* Validate a "[...]" header's inside and normalise it to "run" / "cell NAME". */
static int parse_section(const char *inside, char **out, const char *where, char **err)
{
	char *tmp = xstrdup(inside);
	char *s = str_trim(tmp);
	int rc = 0;

	if (strcmp(s, "run") == 0) {
		*out = xstrdup("run");
	} else if (strncmp(s, "cell", 4) == 0 && (s[4] == ' ' || s[4] == '\t' || s[4] == 0)) {
		char *name = str_trim(s + 4);

		if (!*name)
			rc = fail(err, where, "[cell] needs a name: [cell NAME]");
		else if (!valid_name(name))
			rc = fail(err, where, "invalid cell name '%s' (letters, digits, '_', '-')", name);
		else if (strcmp(name, "host") == 0)
			rc = fail(err, where, "'host' is reserved for the native cell");
		else
			*out = xasprintf("cell %s", name);
	} else {
		rc = fail(err, where, "unknown section [%s] (known: [run], [cell NAME])", s);
	}
	free(tmp);
	return rc;
}

int config_load_text(struct config *c, const char *name, const char *text, char **err)
{
	char *section = NULL;
	int rc = 0;
	long lineno = 0;
	const char *p = text;

	while (*p && rc == 0) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char *line = xstrndup(p, n);

		p += n + (e ? 1 : 0);
		lineno++;
		char *where = xasprintf("%s:%ld", name, lineno);
		char *s = str_trim(line);

		if (!*s || *s == '#' || *s == ';') {
			/* comment */
		} else if (*s == '[') {
			char *close = strrchr(s, ']');

			if (!close || close[1]) {
				rc = fail(err, where, "malformed section header");
			} else {
				*close = 0;
				char *sec = NULL;

				rc = parse_section(s + 1, &sec, where, err);
				if (rc == 0) {
					free(section);
					section = sec;
					if (str_starts(section, "cell "))
						get_cell(c, section + 5, where);
				}
			}
		} else {
			char *eq = strchr(s, '=');

			if (!eq) {
				rc = fail(err, where, "expected 'key = value', '[section]' or a comment");
			} else if (!section) {
				rc = fail(err, where, "'%s' outside of a section", s);
			} else {
				*eq = 0;
				char *key = str_trim(s);
				char *val = str_trim(eq + 1);
				size_t vl = strlen(val);

				if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"') {
					val[vl - 1] = 0;
					val++;
				}
				if (!*key)
					rc = fail(err, where, "empty key");
				else
					rc = set_in_section(c, section, key, val, where, err);
			}
		}
		free(where);
		free(line);
	}
	free(section);
	return rc;
}

int config_load_file(struct config *c, const char *path, char **err)
{
	char *text = read_file(path, NULL);

	if (!text)
		return fail(err, path, "cannot read: %s", strerror(errno));
	int rc = config_load_text(c, path, text, err);

	free(text);
	if (rc == 0)
		strvec_push(&c->files, path);
	return rc;
}

int config_set(struct config *c, const char *section, const char *key, const char *value,
	       const char *origin, char **err)
{
	return set_in_section(c, section, key, value, origin, err);
}

int config_set_spec(struct config *c, const char *spec, char **err)
{
	char *where = xasprintf("--set %s", spec);
	const char *eq = strchr(spec, '=');
	const char *dot = NULL;

	for (const char *q = spec; eq && q < eq; q++)
		if (*q == '.')
			dot = q;
	int rc = -1;

	if (!eq || !dot || dot == spec || dot + 1 == eq) {
		fail(err, where, "expected section.key=value (run.KEY=... or cell.NAME.KEY=...)");
		free(where);
		return -1;
	}
	char *sec = xstrndup(spec, (size_t)(dot - spec));
	char *key = xstrndup(dot + 1, (size_t)(eq - dot - 1));

	if (strcmp(sec, "run") == 0) {
		rc = set_in_section(c, "run", key, eq + 1, where, err);
	} else if (str_starts(sec, "cell.")) {
		const char *name = sec + 5;

		if (!valid_name(name) || strcmp(name, "host") == 0) {
			fail(err, where, "invalid cell name '%s'", name);
		} else {
			char *section = xasprintf("cell %s", name);

			rc = set_in_section(c, section, key, eq + 1, where, err);
			free(section);
		}
	} else {
		fail(err, where, "unknown section '%s' (run or cell.NAME)", sec);
	}
	free(sec);
	free(key);
	free(where);
	return rc;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* A half of a migration pair: the cell conf of `from`, renamed, with its role. */
static void add_migration_half(struct config *c, const struct cell_conf *from, const char *pair,
			       const char *role, const char *name, const char *xfer)
{
	struct cell_conf h = {
		.name = xstrdup(name), .arch = xstrdup(from->arch), .cpu = xstrdup(from->cpu),
		.machine = xstrdup(from->machine), .memory = xstrdup(from->memory),
		.append = dup_or_null(from->append), .flavour = xstrdup(from->flavour),
		.kernel = dup_or_null(from->kernel), .modules = dup_or_null(from->modules),
		.qemu_args = dup_or_null(from->qemu_args), .smp = from->smp, .timeout = from->timeout,
		.pfnmap = dup_or_null(from->pfnmap), .pci = dup_or_null(from->pci),
		.kvm_mode = dup_or_null(from->kvm_mode), .kvm_config = dup_or_null(from->kvm_config),
		.kvm_vm_types = from->kvm_vm_types, .where = xstrdup(c->migrations_where),
		.migrate_role = role, .migrate_pair = xstrdup(pair), .xfer = xstrdup(xfer),
	};

	c->cell = xrealloc(c->cell, (c->ncell + 1) * sizeof(*c->cell));
	c->cell[c->ncell++] = h;
}

/*
 * What the halves of a pair run comes from the configuration only (suite.conf names the suite and
 * its two tests): all three given, each test named SUITE.TEST of that suite.
 */
static int check_migration_tests(const struct config *c, const char *where, char **err)
{
	const char *suite = c->migration_suite;
	const char *const key[] = {"migration_save_test", "migration_restore_test"};
	const char *const test[] = {c->migration_save_test, c->migration_restore_test};
	const char *empty = str_empty(suite) ? "migration_suite" : str_empty(test[0]) ? key[0] :
			    str_empty(test[1]) ? key[1] : NULL;

	if (empty)
		return fail(err, where,
			    "migrations: run.%s is empty: a migration pair needs migration_suite, migration_save_test and migration_restore_test (the suite its halves run, its test that saves the VM in the out half and its test that restores it in the in half; suite.conf sets them)",
			    empty);
	if (!valid_suite(suite))
		return fail(err, where, "migrations: run.migration_suite: '%s' is not a suite name", suite);
	for (size_t i = 0; i < ARRAY_SIZE(key); i++) {
		size_t n = strlen(suite);

		if (strncmp(test[i], suite, n) != 0 || test[i][n] != '.' || !test[i][n + 1])
			return fail(err, where, "migrations: run.%s: '%s' is not a test of the suite %s (%s.TEST)",
				    key[i], test[i], suite, suite);
	}
	return 0;
}

/*
 * migrations = SRC>DST: both defined, the same architecture; then the two halves of each, and what
 * they run.
 */
static int add_migration_cells(struct config *c, char **err)
{
	const char *where = c->migrations_where ? c->migrations_where : "migrations";

	while (c->ncell && c->cell[c->ncell - 1].migrate_role)
		cell_conf_free(&c->cell[--c->ncell]);
	for (size_t i = 0; i < c->migrations.n; i++) {
		const char *pair = c->migrations.v[i];
		char *src = xstrndup(pair, strcspn(pair, ">"));
		const char *dst = pair + strlen(src) + 1;
		const struct cell_conf *s = config_find_cell(c, src), *d = config_find_cell(c, dst);
		int rc = 0;

		if (!s || !d)
			rc = fail(err, where, "migrations: unknown cell '%s' in %s", s ? dst : src, pair);
		else if (strcmp(s->arch, d->arch) != 0)
			rc = fail(err, where, "migrations: %s: a VM cannot move from %s to %s", pair,
				  s->arch, d->arch);
		if (rc == 0) {
			char *base = xasprintf("%s-to-%s", src, dst);
			char *out = xasprintf("%s-out", base), *in = xasprintf("%s-in", base);
			char *xfer = xasprintf("%s.xfer", base);

			if (config_find_cell(c, out) || config_find_cell(c, in)) {
				rc = fail(err, where, "migrations: %s listed twice, or a cell is named %s or %s",
					  pair, out, in);
			} else {
				add_migration_half(c, s, pair, "out", out, xfer);
				add_migration_half(c, config_find_cell(c, dst), pair, "in", in, xfer);
			}
			free(base);
			free(out);
			free(in);
			free(xfer);
		}
		free(src);
		if (rc)
			return rc;
	}
	return c->migrations.n ? check_migration_tests(c, where, err) : 0;
}

void config_migration_cells(const struct config *c, struct strvec *names)
{
	if (str_empty(c->migration_suite) || !str_empty(c->filter) ||
	    (c->suites.n && !strvec_has(&c->suites, c->migration_suite)))
		return;
	for (size_t i = 0; i < c->ncell; i++) {
		const struct cell_conf *h = &c->cell[i];
		char *src;

		if (!h->migrate_role || strcmp(h->migrate_role, "out") != 0 || i + 1 >= c->ncell)
			continue;
		src = xstrndup(h->migrate_pair, strcspn(h->migrate_pair, ">"));
		if (strvec_has(&c->cells, src) && strvec_has(&c->cells, h->migrate_pair + strlen(src) + 1)) {
			strvec_push(names, h->name);
			strvec_push(names, c->cell[i + 1].name);
		}
		free(src);
	}
}

/*
 * The profile: smoke is the suites' own durations; qualify gives every test with a duration -d
 * SECONDS (the harness's option) and runs profile_suites unless suites were chosen; soak runs the
 * soak_tests (the filter, unless one was given) for soak_duration.  A cell may take as long as
 * that needs.
 */
static int apply_profile(struct config *c, char **err)
{
	long d, timed_tests = 40;	/* tests with a duration in a cell, with room for their set-up */
	char *args;

	if (!strcmp(c->profile, "smoke"))
		return 0;
	if (strcmp(c->profile, "qualify") && strcmp(c->profile, "soak"))
		return fail(err, "profile", "'%s' is not smoke, qualify or soak", c->profile);
	d = strcmp(c->profile, "soak") ? c->qualify_duration : c->soak_duration;
	if (!strcmp(c->profile, "soak") && str_empty(c->filter) && !str_empty(c->soak_tests)) {
		size_t n = strcspn(c->soak_tests, ".");

		free(c->filter);
		c->filter = xstrdup(c->soak_tests);
		timed_tests = 2;
		/* the suite the soak tests name (SUITE.TEST: SUITE), not suites with none of them */
		if (!c->suites.n && c->soak_tests[n] == '.' && strcspn(c->soak_tests, "*?[") > n) {
			char *suite = xstrndup(c->soak_tests, n);

			strvec_push(&c->suites, suite);
			free(suite);
		}
	}
	if (!c->suites.n)
		strvec_copy(&c->suites, &c->profile_suites);
	args = xasprintf("-d %ld%s%s", d, c->suite_args ? " " : "", c->suite_args ? c->suite_args : "");
	free(c->suite_args);
	c->suite_args = args;
	if (c->cell_timeout < timed_tests * d + 900)
		c->cell_timeout = timed_tests * d + 900;
	return 0;
}

int config_finalize(struct config *c, char **err)
{
	if (c->kselftest && strcmp(c->kselftest, "no") != 0 && strcmp(c->kselftest, "yes") != 0 &&
	    strcmp(c->kselftest, "bare") != 0)
		return fail(err, "run.kselftest", "'%s': yes, bare or no", c->kselftest);
	if (apply_profile(c, err))
		return -1;
	for (size_t i = 0; i < c->ncell; i++) {
		struct cell_conf *cc = &c->cell[i];

		if (cc->migrate_role)
			continue;	/* made by an earlier config_finalize() */
		if (!cc->arch)
			return fail(err, cc->where, "cell '%s' has no arch (arm64 or x86_64)", cc->name);
		if (!cc->cpu)
			cc->cpu = xstrdup("max");
		if (!cc->machine)
			cc->machine = xstrdup("");
		if (!cc->memory)
			cc->memory = xstrdup("2G");
		if (!cc->flavour)
			cc->flavour = xstrdup(arch_debian(cc->arch));
		if (!cc->smp)
			cc->smp = 2;
		if (cc->modules && !cc->kernel)
			return fail(err, cc->where, "cell '%s': modules= needs kernel=", cc->name);
		if (cc->kvm_mode) {
			bool x86_mode = strcmp(cc->kvm_mode, "svm") == 0 || strcmp(cc->kvm_mode, "vmx") == 0;

			if (x86_mode != (strcmp(cc->arch, "x86_64") == 0))
				return fail(err, cc->where, "cell '%s': kvm_mode %s is not a KVM mode of %s",
					    cc->name, cc->kvm_mode, cc->arch);
		}
		if (cc->kvm_config && strcmp(cc->arch, "x86_64") != 0)
			return fail(err, cc->where,
				    "cell '%s': kvm_config rebuilds the KVM modules, which only x86_64 has (KVM is built into Debian's arm64 kernel)",
				    cc->name);
		if (cc->kvm_config && cc->kernel)
			return fail(err, cc->where,
				    "cell '%s': kvm_config rebuilds Debian's KVM modules; it cannot be combined with kernel= (a kernel of your own brings its own modules)",
				    cc->name);
		skip_profile_free(cc->skip_profile);
		cc->skip_profile = NULL;
		if (cc->expected_skips &&
		    skip_profile_load(cc->expected_skips, c->root, &cc->skip_profile, err) != 0)
			return -1;
	}
	for (size_t i = 0; i < c->cells.n; i++) {
		if (!config_find_cell(c, c->cells.v[i])) {
			struct buf known = {0};

			for (size_t j = 0; j < c->ncell; j++)
				buf_addf(&known, "%s%s", j ? ", " : "", c->cell[j].name);
			fail(err, c->cells_where ? c->cells_where : "cells", "unknown cell '%s' in cells (known: %s)",
			     c->cells.v[i], known.len ? known.s : "none");
			buf_free(&known);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->cells.v[i], c->cells.v[j]) == 0)
				return fail(err, c->cells_where ? c->cells_where : "cells",
					    "cell '%s' listed twice in cells", c->cells.v[i]);
	}
	return add_migration_cells(c, err);
}

const char *host_cell_name(enum host_cell_mode m)
{
	return m == HOST_CELL_YES ? "yes" : m == HOST_CELL_NO ? "no" : "auto";
}

const char *arch_build_dir(const char *arch)
{
	return strcmp(arch, "arm64") == 0 ? "aarch64" : "x86_64";
}

const char *arch_debian(const char *arch)
{
	return strcmp(arch, "arm64") == 0 ? "arm64" : "amd64";
}
