// SPDX-License-Identifier: GPL-2.0
/* Host events the stress tests cause, and the /proc/vmstat counters that say they happened. */
#include "stress.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const names[ST_VMSTAT_N] = {
	"compact_stall", "compact_success", "compact_fail", "compact_migrate_scanned",
	"thp_collapse_alloc", "thp_split_pmd", "thp_split_page", "pgmigrate_success",
	"pgmigrate_fail", "numa_pages_migrated", "pgsteal_direct", "pgsteal_kswapd",
	"thp_fault_alloc", "pgfault",
};

void st_vmstat_read(struct st_vmstat *s)
{
	FILE *f = fopen("/proc/vmstat", "re");
	char name[64];
	long long v;

	for (int i = 0; i < ST_VMSTAT_N; i++)
		s->v[i] = -1;
	if (!f)
		return;
	while (fscanf(f, "%63s %lld", name, &v) == 2)
		for (int i = 0; i < ST_VMSTAT_N; i++)
			if (!strcmp(name, names[i]))
				s->v[i] = v;
	fclose(f);
}

long long st_vmstat_get(const struct st_vmstat *s, const char *name)
{
	for (int i = 0; i < ST_VMSTAT_N; i++)
		if (!strcmp(name, names[i]))
			return s->v[i];
	return -1;
}

void st_vmstat_delta(const struct st_vmstat *a, const struct st_vmstat *b, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < ST_VMSTAT_N && n < size; i++) {
		if (a->v[i] < 0 || b->v[i] < 0)
			continue;
		n += snprintf(buf + n, size - n, "%svm_%s=%lld", n ? " " : "", names[i], b->v[i] - a->v[i]);
	}
}

int st_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), e = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		e = -errno;
	close(fd);
	return e;
}

long long st_read_num(const char *path)
{
	FILE *f = fopen(path, "re");
	long long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}
