// SPDX-License-Identifier: GPL-2.0
/* Host events the stress tests cause, and the /proc/vmstat counters that say they happened. */
#include "stress.h"

#include "memattr/harness.h"
#include "memattr/kvm.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MPOL_MF_MOVE
#define MPOL_MF_MOVE (1 << 1)
#endif

#define IDLE_GPA (MA_TEST_GPA + (512ull << 20))
#define IDLE_GPA2 (MA_TEST_GPA + (768ull << 20))
#define IDLE_SIZE (64ull << 10)

static const char *const names[ST_VMSTAT_N] = {
	"compact_stall", "compact_success", "compact_fail", "compact_migrate_scanned",
	"thp_collapse_alloc", "thp_split_pmd", "thp_split_page", "pgmigrate_success",
	"pgmigrate_fail", "numa_pages_migrated", "pgsteal_direct", "pgsteal_kswapd",
	"thp_fault_alloc", "pgfault", "pswpout", "pswpin",
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

void st_events_init(struct st_events *e, struct ma_vm *vm, void *hva, size_t size, bool thp, bool numa)
{
	memset(e, 0, sizeof(*e));
	e->vm = vm;
	e->hva = hva;
	e->size = size;
	e->thp = thp && hva;
	e->numa = numa && hva && st_numa_nodes() >= 2;
	ma_mem_alloc(&e->idle, MA_BACK_ANON, IDLE_SIZE, NULL);
	memset(e->idle.hva, 0x5a, IDLE_SIZE);
	ma_add_slot(vm, ST_IDLE_SLOT, 0, IDLE_GPA, IDLE_SIZE, e->idle.hva);
}

unsigned int st_numa_nodes(void)
{
	DIR *d = opendir("/sys/devices/system/node");
	struct dirent *e;
	unsigned int n = 0;

	if (!d)
		return 1;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "node", 4) && e->d_name[4] >= '0' && e->d_name[4] <= '9')
			n++;
	closedir(d);
	return n ? n : 1;
}

uint64_t st_move_pages(void *hva, size_t size, uint64_t call)
{
	uint64_t n = size / 4096, moved = 0;
	void **pages = calloc(n, sizeof(*pages));
	int *want = calloc(n, sizeof(*want)), *status = calloc(n, sizeof(*status));
	long rc;

	MA_REQUIRE(pages && want && status, "calloc");
	for (uint64_t i = 0; i < n; i++) {
		pages[i] = (char *)hva + i * 4096;
		want[i] = (int)((call + i) % 2);
	}
	rc = syscall(SYS_move_pages, 0, n, pages, want, status, MPOL_MF_MOVE);
	MA_REQUIRE(rc >= 0, "move_pages of %llu pages: %s", (unsigned long long)n, ma_errno_name(errno));
	for (uint64_t i = 0; i < n; i++)
		moved += status[i] == want[i];
	free(pages);
	free(want);
	free(status);
	return moved;
}

void st_events_tick(struct st_events *e)
{
	char buf[128];
	int r;

	switch (e->tick++ % 5) {
	case 0:
		r = st_write_file("/proc/sys/vm/compact_memory", "1");
		if (!r)
			e->compactions++;
		else
			e->compact_err = -r;
		break;
	case 1:
		if (!e->thp)
			break;
		if (!madvise(e->hva, e->size, MADV_COLLAPSE)) {
			e->collapses++;
		} else {
			e->collapse_fail++;
			e->collapse_err = errno;
		}
		break;
	case 2:
		if (!e->thp)
			break;
		snprintf(buf, sizeof(buf), "%d,%#lx,%#lx", (int)getpid(), (unsigned long)e->hva,
			 (unsigned long)e->hva + e->size);
		r = st_write_file("/sys/kernel/debug/split_huge_pages", buf);
		if (!r)
			e->splits++;
		else
			e->split_err = -r;
		break;
	case 3: {
		/* the other slot moves (KVM_MR_MOVE), then goes and comes back (delete, create) */
		struct kvm_userspace_memory_region mr = {
			.slot = ST_IDLE_SLOT, .guest_phys_addr = e->idle_at2 ? IDLE_GPA : IDLE_GPA2,
			.memory_size = IDLE_SIZE, .userspace_addr = (uint64_t)(uintptr_t)e->idle.hva };

		r = ma_try_set_region1(e->vm, &mr);
		MA_REQUIRE(!r, "KVM_SET_USER_MEMORY_REGION moving slot %u to %#llx: %s", ST_IDLE_SLOT,
			   (unsigned long long)mr.guest_phys_addr, ma_errno_name(-r));
		e->idle_at2 = !e->idle_at2;
		e->moves++;
		r = ma_try_delete_slot(e->vm, ST_IDLE_SLOT);
		MA_REQUIRE(!r, "deleting slot %u: %s", ST_IDLE_SLOT, ma_errno_name(-r));
		r = ma_try_add_slot(e->vm, ST_IDLE_SLOT, 0, mr.guest_phys_addr, IDLE_SIZE, e->idle.hva);
		MA_REQUIRE(!r, "re-adding slot %u: %s", ST_IDLE_SLOT, ma_errno_name(-r));
		e->readds++;
		break;
	}
	case 4:
		if (e->numa)
			e->numa_moved += st_move_pages(e->hva, e->size, e->numa_calls++);
		break;
	}
}

void st_events_log(const struct st_events *e, char *buf, size_t size)
{
	snprintf(buf, size,
		 "compactions=%llu collapses=%llu collapse_fail=%llu splits=%llu slot_moves=%llu slot_readds=%llu move_pages_calls=%llu pages_on_target=%llu",
		 (unsigned long long)e->compactions, (unsigned long long)e->collapses,
		 (unsigned long long)e->collapse_fail, (unsigned long long)e->splits,
		 (unsigned long long)e->moves, (unsigned long long)e->readds,
		 (unsigned long long)e->numa_calls, (unsigned long long)e->numa_moved);
}

void st_events_judge(const struct st_events *e)
{
	MA_CHECK(e->compactions > 0, "no compaction was triggered: /proc/sys/vm/compact_memory: %s",
		 ma_errno_name(e->compact_err));
	MA_CHECK(e->moves > 0 && e->readds > 0, "the other slot was never moved or re-added");
	if (e->thp && e->split_err == ENOENT)
		ma_log("no THP split: /sys/kernel/debug/split_huge_pages: ENOENT (debugfs not mounted)");
	else if (e->thp)
		MA_CHECK(e->splits > 0, "no THP split was asked for: /sys/kernel/debug/split_huge_pages: %s",
			 ma_errno_name(e->split_err));
	if (e->numa)
		MA_CHECK(e->numa_moved > 0, "move_pages moved no page in %llu calls",
			 (unsigned long long)e->numa_calls);
}

#define KSM_DIR "/sys/kernel/mm/ksm/"

long long st_ksm_read(const char *f)
{
	char p[128];

	snprintf(p, sizeof(p), KSM_DIR "%s", f);
	return st_read_num(p);
}

static void ksm_write(const char *f, long long v)
{
	char p[128], s[32];
	int r;

	snprintf(p, sizeof(p), KSM_DIR "%s", f);
	snprintf(s, sizeof(s), "%lld", v);
	r = st_write_file(p, s);
	MA_REQUIRE(!r, "writing %s to %s: %s", s, p, ma_errno_name(-r));
}

bool st_ksm_begin(struct st_ksm *k, unsigned int sleep_ms)
{
	memset(k, 0, sizeof(*k));
	k->run0 = st_ksm_read("run");
	k->present = k->run0 >= 0;
	if (!k->present)
		return false;
	k->scan0 = st_ksm_read("pages_to_scan");
	k->sleep0 = st_ksm_read("sleep_millisecs");
	ksm_write("pages_to_scan", 4096);
	ksm_write("sleep_millisecs", sleep_ms);
	ksm_write("run", 1);
	k->scans0 = st_ksm_read("full_scans");
	return true;
}

void st_ksm_end(const struct st_ksm *k)
{
	if (!k->present)
		return;
	ksm_write("run", k->run0 == 1 ? 1 : 2); /* 2: unmerge what the test merged */
	ksm_write("pages_to_scan", k->scan0);
	ksm_write("sleep_millisecs", k->sleep0);
}
