// SPDX-License-Identifier: GPL-2.0
/* memslot suite: hugetlb pool, THP and pagemap facts of this host (hostmm.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memattr/harness.h"
#include "memattr/kvm.h"
#include "hostmm.h"
#include "memattr/pfnmap.h"

#define HP_DIR "/sys/kernel/mm/hugepages/hugepages-2048kB"
#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"

static long saved_nr = -1;	/* nr_hugepages before we raised it */
static int watcher_fd = -1;	/* write end: the watcher restores the pool when it reads EOF */

static int try_write_long(const char *path, long v)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	char b[32];
	int n = snprintf(b, sizeof(b), "%ld\n", v), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, b, (size_t)n) != n)
		r = -errno;
	close(fd);
	return r;
}

/* A process outside the test's process group that puts nr_hugepages back if the test dies. */
static void start_watcher(long nr)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		char c;

		setsid();	/* the harness kills the test's process group; not us */
		close(p[1]);
		if (read(p[0], &c, 1) <= 0)
			try_write_long(NR_HUGEPAGES, nr); /* EOF: the test went away without restoring */
		_exit(0);
	}
	close(p[0]);
	watcher_fd = p[1];
}

/* a pool counter: absent (ENOENT, no hugetlb here) skips; any other error fails */
static long pool_counter(const char *path)
{
	long v = ma_try_read_long(path);

	if (v == -ENOENT)
		ma_skip("no 2 MiB hugetlb pool: %s is absent", path);
	if (v < 0)
		ma_fatal("reading %s: %s", path, ma_errno_name((int)-v));
	return v;
}

void ms_need_hugepages(unsigned int n)
{
	long free_pages = pool_counter(HP_DIR "/free_hugepages"), resv = pool_counter(HP_DIR "/resv_hugepages");
	long nr = pool_counter(NR_HUGEPAGES), avail, want, got;
	int r;

	/* free pages already reserved for mappings cannot back new ones */
	avail = free_pages - resv;
	if (avail >= (long)n)
		return;
	if (!ma_is_root())
		ma_skip("%ld free unreserved 2 MiB huge pages (free %ld, reserved %ld), %u needed, and vm.nr_hugepages (%ld) cannot be raised: not root",
			avail, free_pages, resv, n, nr);
	if (saved_nr < 0) {
		saved_nr = nr;
		start_watcher(nr);
	}
	want = nr + (long)n - avail;
	r = try_write_long(NR_HUGEPAGES, want);
	if (r)
		ma_fatal("raising vm.nr_hugepages %ld -> %ld as root: %s", nr, want, ma_errno_name(-r));
	got = pool_counter(HP_DIR "/free_hugepages") - pool_counter(HP_DIR "/resv_hugepages");
	if (got < (long)n) {
		ms_hugepages_restore();
		ma_skip("vm.nr_hugepages %ld -> %ld gave %ld free unreserved 2 MiB huge pages, %u needed (the kernel found no more free 2 MiB blocks)",
			nr, want, got, n);
	}
	ma_log("raised vm.nr_hugepages from %ld to %ld for %u free 2 MiB pages", nr, want, n);
}

void ms_hugepages_restore(void)
{
	if (saved_nr >= 0) {
		int r = try_write_long(NR_HUGEPAGES, saved_nr);

		MA_CHECK(!r, "restoring vm.nr_hugepages to %ld: %s", saved_nr, ma_errno_name(-r));
		saved_nr = -1;
	}
	if (watcher_fd >= 0) {
		/* a byte, not EOF: the watcher leaves the pool alone */
		if (write(watcher_fd, "x", 1) != 1)
			ma_log("telling the hugepage watcher: %s", ma_errno_name(errno));
		close(watcher_fd);
		watcher_fd = -1;
	}
}

/* A "Field: N kB" line of the /proc/self/smaps entry of the VMA containing addr; -errno if absent. */
static long try_smaps_kb(const void *addr, const char *field)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	size_t flen = strlen(field);
	char line[512];
	int inside = 0;
	long kb = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		uintptr_t lo, hi;

		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ",
			   &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			inside = (uintptr_t)addr >= lo && (uintptr_t)addr < hi;
			continue;
		}
		if (inside && !strncmp(line, field, flen) && line[flen] == ':' &&
		    sscanf(line + flen + 1, "%ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

long ms_try_anon_huge_kb(const void *addr)
{
	return try_smaps_kb(addr, "AnonHugePages");
}

long ms_try_hugetlb_kb(const void *addr)
{
	long priv = try_smaps_kb(addr, "Private_Hugetlb"), shared = try_smaps_kb(addr, "Shared_Hugetlb");

	if (priv < 0 || shared < 0)
		return priv < 0 ? priv : shared;
	return priv + shared;
}

void ms_prove_backing(enum ma_backing kind, const void *hva, size_t size, const char *when)
{
	long kb;

	if (kind == MA_BACK_ANON_THP) {
		kb = ms_try_anon_huge_kb(hva);
		ma_log("AnonHugePages of the slot's VMA %s: %ld kB (THP: %s)", when, kb, ms_thp_setting());
		if (kb < (long)(size >> 10))
			ma_skip("the THP case needs a huge page: AnonHugePages of the 2 MiB-aligned MADV_HUGEPAGE range %s is %ld kB (transparent_hugepage/enabled: %s)",
				when, kb, ms_thp_setting());
	} else if (kind == MA_BACK_HUGETLB) {
		kb = ms_try_hugetlb_kb(hva);
		ma_log("hugetlb pages of the slot's VMA %s: %ld kB", when, kb);
		/* a MAP_HUGETLB mapping faults in huge pages or SIGBUS: anything else is a failure */
		if (kb < (long)(size >> 10))
			ma_fatal("a MAP_HUGETLB mapping %s holds %ld kB of hugetlb pages (smaps Private_Hugetlb + Shared_Hugetlb), expected %zu",
				 when, kb, size >> 10);
	}
}

const char *ms_thp_setting(void)
{
	static char b[128];
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");

	if (!f || !fgets(b, sizeof(b), f))
		snprintf(b, sizeof(b), "absent");
	if (f)
		fclose(f);
	b[strcspn(b, "\n")] = '\0';
	return b;
}

long long ms_try_pagemap_pfn(const void *addr)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t e;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pread(fd, &e, sizeof(e), (off_t)((uintptr_t)addr / (uintptr_t)sysconf(_SC_PAGESIZE) * sizeof(e)));
	close(fd);
	if (n != (ssize_t)sizeof(e))
		return n < 0 ? -errno : -EIO;
	if (!(e >> 63))
		return 0;
	return (long long)(e & ((1ull << 55) - 1));
}

void *ms_reserve(size_t size, size_t align)
{
	char *h = mmap(NULL, size + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (h == MAP_FAILED)
		ma_fatal("reserving %zu bytes of address space: %s", size + align, ma_errno_name(errno));
	a = ((uintptr_t)h + align - 1) & ~(uintptr_t)(align - 1);
	/* keep [a, a+size) reserved (MAP_FIXED replaces it), give back the rest */
	if (a > (uintptr_t)h)
		munmap(h, a - (uintptr_t)h);
	if ((uintptr_t)h + size + align > a + size)
		munmap((void *)(a + size), (uintptr_t)h + size + align - (a + size));
	return (void *)a;
}
