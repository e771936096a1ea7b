// SPDX-License-Identifier: GPL-2.0
/* env.c: where things are and what a cell runs (see env.h). */
#include "env.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void run_env_init(struct run_env *e, const char *root)
{
	memset(e, 0, sizeof(*e));
	e->root = xstrdup(root);
	const char *v = getenv("MEMATTR_CACHE");

	if (!str_empty(v))
		e->cache = path_abs(v);
	else if (!str_empty(getenv("HOME")))
		e->cache = xasprintf("%s/.cache/memattr", getenv("HOME"));
	else
		e->cache = xstrdup("/tmp/memattr-cache");
	v = getenv("MEMATTR_FETCH_KERNEL");
	e->fetch_kernel = !str_empty(v) ? path_abs(v) : path_join(root, "runners/fetch-kernel.sh");
	v = getenv("MEMATTR_MKINITRAMFS");
	e->mkinitramfs = !str_empty(v) ? path_abs(v) : path_join(root, "runners/mkinitramfs.sh");
	v = getenv("MEMATTR_BUILD_FIXTURES");
	e->build_fixtures = !str_empty(v) ? path_abs(v) : path_join(root, "runners/build-fixtures.sh");
	v = getenv("MEMATTR_BUILD_KVM");
	e->build_kvm = !str_empty(v) ? path_abs(v) : path_join(root, "runners/build-kvm.sh");
	v = getenv("MEMATTR_FETCH_PACKAGES");
	e->fetch_packages = !str_empty(v) ? path_abs(v) : path_join(root, "runners/fetch-packages.sh");
	v = getenv("MEMATTR_QEMU_AARCH64");
	e->qemu_aarch64 = xstrdup(!str_empty(v) ? v : "qemu-system-aarch64");
	v = getenv("MEMATTR_QEMU_X86_64");
	e->qemu_x86_64 = xstrdup(!str_empty(v) ? v : "qemu-system-x86_64");
}

void run_env_free(struct run_env *e)
{
	free(e->root);
	free(e->cache);
	free(e->fetch_kernel);
	free(e->mkinitramfs);
	free(e->build_fixtures);
	free(e->build_kvm);
	free(e->fetch_packages);
	free(e->qemu_aarch64);
	free(e->qemu_x86_64);
	memset(e, 0, sizeof(*e));
}

const char *run_env_qemu(const struct run_env *e, const char *arch)
{
	return strcmp(arch, "arm64") == 0 ? e->qemu_aarch64 : e->qemu_x86_64;
}

char *run_bin_dir(const struct run_env *e, const char *arch)
{
	return xasprintf("%s/build/%s/bin", e->root, arch ? arch_build_dir(arch) : "unknown");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void run_suites_for(const struct config *conf, const char *bin_dir, struct strvec *out)
{
	struct dirent *de;
	DIR *d;

	strvec_clear(out);
	if (conf->suites.n) {
		strvec_copy(out, &conf->suites);
		return;
	}
	d = opendir(bin_dir);
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		const char *n = de->d_name;

		if (!str_starts(n, "memattr-") || strchr(n, '.'))
			continue;
		const char *s = n + 8;

		if (!*s || strcmp(s, "cellinfo") == 0 || strcmp(s, "run") == 0)
			continue;
		char *p = path_join(bin_dir, n);

		if (is_exec_file(p))
			strvec_push(out, s);
		free(p);
	}
	closedir(d);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(char *), cmp_str);
}

long run_jobs(const struct config *conf)
{
	if (conf->jobs > 0)
		return conf->jobs;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? n : 1;
}
