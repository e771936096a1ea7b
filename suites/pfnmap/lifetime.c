// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap: the host unmaps a PFNMAP memslot's memory while a vCPU is reading it.  KVM must drop
 * its stage-2 mapping (MMU notifier) and fail the next guest access with EFAULT, not let the
 * guest go on reading the old pfns, and not crash; mapped again, the same vCPU goes on.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>

#include "pfnmap.h"

static const struct ma_variant sources[] = { PFN_SHARED_SOURCE_VARIANTS };

struct unmapper {
	struct ma_pfnmap *p;
	int err;
};

static void *unmap_later(void *arg)
{
	struct unmapper *u = arg;
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	nanosleep(&ts, NULL);	/* let the vCPU get back into its read loop */
	u->err = munmap(u->p->hva, u->p->size) ? errno : 0;
	return NULL;
}

MA_TEST(pfnmap, munmap_under_running_guest, MA_VARIANTS(sources), .req = { .root = true }, .timeout_s = 90,
	.source = "virt/kvm/kvm_main.c:kvm_mmu_notifier_invalidate_range_start zaps the slot's stage-2 mappings; the refault finds no VMA: hva_to_pfn gives KVM_PFN_ERR_FAULT and KVM_RUN fails with EFAULT (arch/arm64/kvm/mmu.c:kvm_s2_fault_pin_pfn, arch/x86/kvm/mmu/mmu.c:kvm_handle_error_pfn; "
		  MA_KERNEL_REF ")")
{
	const struct src_case *c = t->param;
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	struct unmapper u;
	struct ma_result res;
	struct ma_pfnmap p;
	pthread_t th;
	void *where;
	char why[768];

	pfn_open(c, PFN_SIZE, NULL, &p);
	pfn_add_slot(vm, 1, SLOT_GPA, &p);
	pfn_guest_access_or_end(vm, v, &p, SLOT_GPA);
	ma_map(vm, SLOT_GPA, SLOT_GPA, PFN_SIZE, p.cacheable ? MA_MT_NORMAL_WB : MA_MT_DEVICE_nGnRE);
	*(volatile uint64_t *)p.hva = 1;
	ma_vcpu_start(v, MA_AGENT_POLL64, MA_ARGS(SLOT_GPA, 0xd0e));
	if (ma_vcpu_resume(v, 0, &res) != MA_OUT_SYNC) {
		ma_result_describe(&res, why, sizeof(why));
		ma_fatal("the guest did not start reading: %s", why);
	}
	where = p.hva;
	u.p = &p;
	u.err = 0;
	if (pthread_create(&th, NULL, unmap_later, &u))
		ma_fatal("pthread_create");
	ma_vcpu_resume(v, 20000 * ma_timeout_scale(), &res);
	pthread_join(th, NULL);
	p.hva = NULL;
	MA_ASSERT_EQ(u.err, 0);
	ma_result_describe(&res, why, sizeof(why));
	ma_log("after munmap: %s", why);
	if (res.outcome == MA_OUT_TIMEOUT)
		ma_fatal("the guest kept reading for 20 s after the host unmapped the memory");
	MA_ASSERT_EQ(res.outcome, MA_OUT_RUN_ERROR);
	MA_EXPECT_EQ(res.err, EFAULT);

	/* map it again where it was: the vCPU resumes at the faulting load and finishes */
	MA_ASSERT_EQ(ma_try_pfnmap_map(&p, where), 0);
	*(volatile uint64_t *)p.hva = 0xd0e;
	ma_vcpu_resume(v, 0, &res);
	ma_result_describe(&res, why, sizeof(why));
	ma_log("mapped again: %s", why);
	MA_EXPECT_EQ(res.outcome, MA_OUT_DONE);
}
