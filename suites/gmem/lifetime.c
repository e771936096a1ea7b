// SPDX-License-Identifier: GPL-2.0
/*
 * gmem: the guest_memfd, its memslot and a guest using it, torn down in different orders.
 *  - the file closed while bound: once its last reference goes (the fd and any host mapping),
 *    kvm_gmem_release clears the slot's file and zaps its stage-2/TDP mappings, so the guest's
 *    next access fails kvm_gmem_get_pfn with EFAULT, reported as KVM_RUN -1/EFAULT with
 *    KVM_EXIT_MEMORY_FAULT and run->memory_fault (gpa, size, flags 0);
 *  - the slot deleted under a running vCPU: the GPA has no memslot any more, so the access is
 *    emulated MMIO (KVM_EXIT_MMIO at the exact address), not a memory fault;
 *  - a hole punched while the guest reads: the guest's next read is a zero, never the old data;
 *  - the VM's fd closed first: the file holds the VM and stays usable.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gmem.h"

#define POLL_NEVER 0x5eed5eed5eed5eedull	/* a value no test memory holds */

enum teardown { TD_CLOSE_FILE, TD_DELETE_SLOT, TD_PUNCH };

struct later {
	enum teardown what;
	unsigned int delay_ms;
	struct ma_vm *vm;
	struct ma_mem *m;
	uint64_t punch_off, punch_len;
	int err;
};

static void *act_later(void *arg)
{
	struct later *l = arg;
	struct timespec ts = { l->delay_ms / 1000, (long)(l->delay_ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);	/* let the vCPU get back into its read loop */
	switch (l->what) {
	case TD_CLOSE_FILE:
		/* the mapping holds the file too: both go, and kvm_gmem_release runs */
		l->err = munmap(l->m->map_base, l->m->map_size) || close(l->m->fd) ? errno : 0;
		break;
	case TD_DELETE_SLOT:
		l->err = -ma_try_delete_slot(l->vm, 1);
		break;
	case TD_PUNCH:
		l->err = fallocate(l->m->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)l->punch_off,
				   (off_t)l->punch_len) ? errno : 0;
		break;
	}
	return NULL;
}

/* Start MA_AGENT_POLL64 at gpa until the word equals value; returns once it has synced. */
static void start_poll(struct ma_vcpu *v, uint64_t gpa, uint64_t value)
{
	struct ma_result res;
	char why[768];

	ma_vcpu_start(v, MA_AGENT_POLL64, MA_ARGS(gpa, value));
	if (ma_vcpu_resume(v, 0, &res) != MA_OUT_SYNC) {
		ma_result_describe(&res, why, sizeof(why));
		ma_fatal("the guest did not start reading gpa %#llx: %s", (unsigned long long)gpa, why);
	}
}

/* Resume the polling vCPU while l acts; the run's result in res. */
static void resume_while(struct ma_vcpu *v, struct later *l, struct ma_result *res)
{
	pthread_t th;
	char why[768];

	if (pthread_create(&th, NULL, act_later, l))
		ma_fatal("pthread_create");
	ma_vcpu_resume(v, 20000 * ma_timeout_scale(), res);
	pthread_join(th, NULL);
	MA_ASSERT_EQ(l->err, 0);
	ma_result_describe(res, why, sizeof(why));
	ma_log("guest reading while the host acted (after %u ms): %s", l->delay_ms, why);
}

static void expect_memory_fault(const struct ma_result *res, uint64_t gpa, const char *when)
{
	uint64_t want;
	const char *why;
	char desc[768];

	want = gm_fault_report_gpa(gpa, &why);
	ma_result_describe(res, desc, sizeof(desc));
	ma_log("%s (guest access at %#llx): %s", when, (unsigned long long)gpa, desc);
	MA_ASSERT_EQ(res->outcome, MA_OUT_RUN_ERROR);
	MA_CHECK(res->err == EFAULT && res->exit_reason == KVM_EXIT_MEMORY_FAULT,
		 "%s: KVM_RUN failed with %s and exit_reason %u, expected EFAULT with KVM_EXIT_MEMORY_FAULT (%u)",
		 when, ma_errno_name(res->err), res->exit_reason, KVM_EXIT_MEMORY_FAULT);
	MA_CHECK(res->memory_fault.gpa == want && res->memory_fault.size == GM_PG &&
		 res->memory_fault.flags == 0,
		 "%s: memory_fault gpa %#llx size %#llx flags %#llx, expected gpa %#llx (%s) size %#llx (PAGE_SIZE) flags 0 (shared: not KVM_MEMORY_EXIT_FLAG_PRIVATE)",
		 when, (unsigned long long)res->memory_fault.gpa, (unsigned long long)res->memory_fault.size,
		 (unsigned long long)res->memory_fault.flags, (unsigned long long)want, why,
		 (unsigned long long)GM_PG);
}

static const struct ma_variant close_variants[] = {
	{ .name = "idle", .value = 0 },
	{ .name = "running", .value = 1 },
};

MA_TEST(gmem, file_closed_while_bound, MA_VARIANTS(close_variants), .timeout_s = 60,
	.req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:kvm_gmem_release, on the last reference of the file (fd and host mappings: clears slot->gmem.file, zaps the mappings) and kvm_gmem_get_pfn (no file: EFAULT); arch/arm64/kvm/mmu.c:gmem_abort, arch/x86/kvm/mmu/mmu.c:kvm_mmu_faultin_pfn_gmem set KVM_EXIT_MEMORY_FAULT (include/linux/kvm_host.h:kvm_prepare_memory_fault_exit) ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	struct ma_mem *m = ma_test_mem(vm, 1, GM_GPA, GM_SIZE, MA_BACK_GUEST_MEMFD, MA_MT_NORMAL_WB);
	uint64_t gpa = GM_GPA + GM_PG + 0x18;
	struct ma_result res;

	*(volatile uint64_t *)((char *)m->hva + GM_PG + 0x18) = 0xc105ed;
	ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(gpa), &res, "load before the close");
	MA_EXPECT_EQ(res.ret.load.value, 0xc105ed);
	if (t->value) {
		struct later l = { .what = TD_CLOSE_FILE, .delay_ms = 50, .m = m };

		start_poll(v, gpa, POLL_NEVER);
		resume_while(v, &l, &res);
		expect_memory_fault(&res, gpa, "reading while the file was closed");
	} else {
		/* the host mapping holds the file: closing the fd alone releases nothing */
		*(volatile uint64_t *)((char *)m->hva + 3 * GM_PG + 0x20) = 0xa11fe;
		MA_ASSERT_EQ(close(m->fd), 0);
		ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(GM_GPA + 3 * GM_PG + 0x20), &res,
				  "load from a page not mapped yet, after close(fd) with the host mapping left");
		MA_EXPECT_EQ(res.ret.load.value, 0xa11fe);
		MA_ASSERT_EQ(munmap(m->map_base, m->map_size), 0);
		ma_vcpu_run_agent(v, MA_AGENT_LOAD64, MA_ARGS(gpa), 0, &res);
		expect_memory_fault(&res, gpa, "load after the close");
		/* every page of the slot, and a store too */
		ma_vcpu_run_agent(v, MA_AGENT_STORE64, MA_ARGS(GM_GPA + GM_SIZE - 8, 1), 0, &res);
		expect_memory_fault(&res, GM_GPA + GM_SIZE - 8, "store to the last page after the close");
	}
	m->fd = -1;
	m->map_base = NULL;
	/* the slot is still there, without its file: it can be deleted (kvm_gmem_unbind: no file) */
	MA_EXPECT_OK(ma_try_delete_slot(vm, 1));
}

MA_TEST(gmem, slot_deleted_under_running_vcpu, .timeout_s = 60,
	.req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/kvm_main.c:kvm_set_memslot (KVM_MR_DELETE: invalidate, zap, remove) then no memslot: arch/arm64/kvm/mmu.c:kvm_handle_guest_abort (error hva: io_mem_abort) and arch/x86/kvm/mmu/mmu.c:kvm_handle_noslot_fault (emulated MMIO) exit KVM_EXIT_MMIO at the GPA; the file keeps its data (kvm_gmem_unbind) ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	struct ma_mem *m = ma_test_mem(vm, 1, GM_GPA, GM_SIZE, MA_BACK_GUEST_MEMFD, MA_MT_NORMAL_WB);
	uint64_t gpa = GM_GPA + 2 * GM_PG + 0x28;
	struct later l = { .what = TD_DELETE_SLOT, .delay_ms = 50, .vm = vm };
	struct ma_result res;

	*(volatile uint64_t *)((char *)m->hva + 2 * GM_PG + 0x28) = 0xde1e7e;
	start_poll(v, gpa, 0x600d);
	resume_while(v, &l, &res);
	MA_ASSERT_EQ(res.outcome, MA_OUT_EXIT);
	MA_CHECK(res.exit_reason == KVM_EXIT_MMIO && v->run->mmio.phys_addr == gpa && v->run->mmio.len == 8 &&
		 !v->run->mmio.is_write,
		 "exit_reason %u (%s), mmio phys_addr %#llx len %u is_write %u, expected KVM_EXIT_MMIO of an 8-byte read at %#llx",
		 res.exit_reason, ma_exit_reason_name(res.exit_reason),
		 (unsigned long long)v->run->mmio.phys_addr, v->run->mmio.len, v->run->mmio.is_write,
		 (unsigned long long)gpa);
	/* complete the read as MMIO with the value the guest waits for: it finishes */
	*(uint64_t *)v->run->mmio.data = 0x600d;
	MA_ASSERT_EQ(ma_vcpu_resume(v, 0, &res), MA_OUT_DONE);
	/* the file kept its data: bound again (at the same place), the guest reads it */
	ma_add_gmem_slot(vm, 1, GM_GPA, GM_SIZE, m->hva, m->fd, 0);
	ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(gpa), &res, "load through the slot made again");
	MA_EXPECT_EQ(res.ret.load.value, 0xde1e7e);
}

/*
 * The guest polls a word the host set; the host punches a hole over it.  The stage-2/TDP mapping
 * must go (kvm_gmem_punch_hole -> kvm_gmem_invalidate_start) and the refault maps a fresh zeroed
 * page: the guest's loop ends on a zero.  It proves the punch happened while the guest ran only if
 * the guest read the old value at least once after it resumed; with fewer, it tries again with a
 * longer delay.
 */
MA_TEST(gmem, punch_hole_under_running_guest, .timeout_s = 90, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:kvm_gmem_punch_hole (kvm_gmem_invalidate_start unmaps the range from every bound slot, truncate_inode_pages_range) and kvm_gmem_get_pfn (a new folio is cleared before the guest gets it) ("
		  MA_KERNEL_REF ")")
{
	static const unsigned int delays_ms[] = { 50, 200, 800, 2000 };
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	struct ma_mem *m = ma_test_mem(vm, 1, GM_GPA, GM_SIZE, MA_BACK_GUEST_MEMFD, MA_MT_NORMAL_WB);
	const uint64_t hole = 4 * GM_PG, hole_len = 3 * GM_PG, gpa = GM_GPA + hole + GM_PG + 0x40;
	struct ma_result res;
	uint64_t loads = 0, nonzero, first = 0;
	unsigned int i;

	for (i = 0; i < MA_ARRAY_SIZE(delays_ms) && !loads; i++) {
		struct later l = {
			.what = TD_PUNCH, .delay_ms = delays_ms[i], .m = m,
			.punch_off = hole, .punch_len = hole_len,
		};

		gm_host_fill(m->hva, GM_GPA, GM_SIZE, 0x9a11 + i);
		ma_run_agent_done(v, MA_AGENT_CHECK_PATTERN, MA_ARGS(GM_GPA, GM_SIZE, 0x9a11 + i, 0), &res,
				  "check of the host's pattern");
		MA_ASSERT_EQ(res.ret.check.mismatches, 0);
		start_poll(v, gpa, 0);
		resume_while(v, &l, &res);
		MA_ASSERT_EQ(res.outcome, MA_OUT_DONE);
		loads = res.ret.poll.loads_after_sync;
		ma_log("try %u: the guest read the old value %llu times after it resumed, then a zero", i + 1,
		       (unsigned long long)loads);
	}
	MA_CHECK(loads > 0, "in %u tries the hole was punched before the resumed guest read the word even once: the punch never happened under a running guest",
		 i);
	/* the whole hole reads zeros from the guest and the host; the rest keeps the last pattern */
	ma_run_agent_done(v, MA_AGENT_CHECK_FILL, MA_ARGS(GM_GPA + hole, hole_len, 0, 0), &res, "zero check of the hole");
	MA_CHECK(res.ret.check.mismatches == 0, "the guest read %llu non-zero words in the hole, first at +%#llx: %#llx%s",
		 (unsigned long long)res.ret.check.mismatches, (unsigned long long)res.ret.check.first_off,
		 (unsigned long long)res.ret.check.first_val,
		 res.ret.check.first_val ==
		 ma_pattern_word(0x9a11 + i - 1, GM_GPA + hole + res.ret.check.first_off) ?
		 " (the STALE pattern)" : "");
	ma_run_agent_done(v, MA_AGENT_CHECK_PATTERN, MA_ARGS(GM_GPA, hole, 0x9a11 + i - 1, 0), &res,
			  "pattern check below the hole");
	MA_EXPECT_EQ(res.ret.check.mismatches, 0);
	nonzero = 0;
	for (uint64_t off = hole; off < hole + hole_len; off += 8)
		if (((volatile uint64_t *)m->hva)[off / 8] && !nonzero++)
			first = off;
	MA_CHECK(!nonzero, "the host read %llu non-zero words in the hole, first at +%#llx",
		 (unsigned long long)nonzero, (unsigned long long)first);
}

MA_TEST(gmem, file_outlives_vm_fd, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:__kvm_gmem_create takes a VM reference (kvm_get_kvm) that kvm_gmem_release drops: the file works with the VM's fd closed ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = gm_bare_vm();
	uint64_t flags = gm_vm_flags(vm) & GM_FLAGS_ALL;
	int fd = ma_gmem_create(vm, GM_SIZE, flags);
	struct stat st;

	ma_vm_destroy(vm);
	MA_EXPECT_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)GM_SIZE) ? -errno : 0);
	MA_EXPECT_OK(fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 0, (off_t)GM_PG) ? -errno : 0);
	MA_ASSERT_EQ(fstat(fd, &st), 0);
	MA_EXPECT_EQ(st.st_size, GM_SIZE);
	if ((flags & GM_FLAGS_ALL) == GM_FLAGS_ALL) {
		volatile uint64_t *p = gm_mmap(fd, GM_SIZE);

		p[GM_PG / 8] = 0xa11fe;
		MA_EXPECT_EQ(p[GM_PG / 8], 0xa11fe);
		MA_EXPECT_EQ(p[0], 0);
	}
	MA_EXPECT_OK(close(fd) ? -errno : 0);
}
