// SPDX-License-Identifier: GPL-2.0
/*
 * atomics: guest atomic read-modify-write on anonymous memory, 1 and N vCPUs on one counter,
 * each flavour the CPU has; the final count must be exact.  A guest that uses an instruction
 * the CPU lacks must have the exception reported, not hang.
 */
#include <stdlib.h>
#include <string.h>

#include "atomics.h"

#define COUNTER_SIZE (2ull << 20)

static uint64_t iterations(void)
{
	const char *s = getenv("MEMATTR_ATOMIC_ITERATIONS");
	long long v = s ? atoll(s) : 0;

	return v > 0 ? (uint64_t)v : 50000;
}

static const struct ma_variant atomic_variants[] = { MA_ATOMIC_VARIANTS };

MA_TEST(atomics, count_exact, MA_VARIANTS(atomic_variants), .timeout_s = 120,
	.source = "stage 2 maps anonymous memory Normal-WB (arch/arm64/kvm/mmu.c:user_mem_abort; "
		  "arch/x86/kvm/mmu/mmu.c:kvm_tdp_page_fault), where every atomic flavour is architecturally "
		  "single-copy atomic (7.2.13)")
{
	const struct ma_atomic_case *c = t->param;
	struct ma_vm *vm = ma_vm_create(NULL);
	uint64_t gpa = MA_TEST_GPA, iters = iterations(), features[8];
	struct ma_result res[MA_MAX_VCPUS];
	const char *why_not;
	struct ma_mem m;
	unsigned bad;

	for (unsigned i = 0; i < c->vcpus; i++)
		ma_vcpu_add(vm);
	ma_read_guest_features(vm->vcpus[0], features);
	why_not = ma_atomics_unsupported_reason(c->flavour, features);
	if (why_not)
		ma_skip("%s", why_not);
	ma_mem_alloc(&m, MA_BACK_ANON, COUNTER_SIZE, vm);
	ma_add_slot(vm, 1, 0, gpa, COUNTER_SIZE, m.hva);
	ma_map(vm, gpa, gpa, COUNTER_SIZE, MA_MT_NORMAL_WB);
	*(volatile uint64_t *)m.hva = 0;
	bad = ma_vcpus_run_agent_all(vm, MA_AGENT_ATOMIC_INC, (uint64_t[]){ gpa, iters, c->flavour }, 3,
				     ma_default_run_timeout_ms() * 6, res);
	for (unsigned i = 0; i < c->vcpus; i++) {
		char why[768];

		ma_result_describe(&res[i], why, sizeof(why));
		if (res[i].outcome != MA_OUT_DONE)
			ma_fail("vCPU %u: %s", i, why);
		else if (res[i].ret[1])
			ma_fail("vCPU %u: the guest found the flavour unsupported after the host allowed it", i);
	}
	ma_log("%u vCPU(s) x %llu iterations: counter %llu", c->vcpus, (unsigned long long)iters,
	       (unsigned long long)*(volatile uint64_t *)m.hva);
	if (!bad)
		MA_EXPECT_EQ(*(volatile uint64_t *)m.hva, (uint64_t)c->vcpus * iters);
	ma_vm_destroy(vm);
	ma_mem_free(&m);
}

MA_TEST(atomics, undefined_insn_reported,
	.source = "an undefined instruction traps to the guest's own vector (no KVM involvement); the "
		  "guest runtime reports it through its call channel instead of hanging")
{
	struct ma_vm *vm = ma_vm_create(NULL);
	struct ma_vcpu *v = ma_vcpu_add(vm);
	struct ma_result res;
	char why[768];

	ma_vcpu_run_agent(v, MA_AGENT_UNDEFINED_INSN, NULL, 0, 0, &res);
	ma_result_describe(&res, why, sizeof(why));
	ma_log("%s", why);
	MA_ASSERT_EQ(res.outcome, MA_OUT_EXCEPTION);
	MA_EXPECT_TRUE(ma_exc_is_undefined_insn(&res.exc));
	ma_vm_destroy(vm);
}

MA_TEST_MAIN
