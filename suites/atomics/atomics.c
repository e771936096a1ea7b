// SPDX-License-Identifier: GPL-2.0
/*
 * atomics: guest atomic read-modify-write on anonymous memory, 1 and N vCPUs on one counter,
 * each flavour the CPU has; the final count must be exact.  A guest that uses an instruction
 * the CPU lacks must have the exception reported, not hang.
 */
#include <stdlib.h>
#include <unistd.h>
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
		  "arch/x86/kvm/mmu/mmu.c:kvm_tdp_page_fault), where every atomic flavour is architecturally single-copy atomic ("
		  MA_KERNEL_REF ")")
{
	const struct ma_atomic_case *c = t->param;
	struct ma_vm *vm = ma_test_vm(c->vcpus);
	struct ma_guest_features gf;
	struct ma_atomic_run run;
	const char *why_not;
	struct ma_mem *m;

	ma_read_guest_features(vm->vcpus[0], &gf);
	why_not = ma_atomics_unsupported_reason(c->flavour, &gf);
	if (why_not)
		ma_skip("%s", why_not);
	m = ma_test_mem(vm, 1, MA_TEST_GPA, COUNTER_SIZE, MA_BACK_ANON, MA_MT_NORMAL_WB);
	ma_atomics_run_checked(vm, MA_TEST_GPA, m->hva, c->flavour, iterations(), &run);
}

/*
 * The control that shows count_exact can fail: the same set-up with a plain load/add/store on
 * 4 vCPUs must lose updates.  Lost updates need two read-modify-writes in flight at once; on a
 * loaded host the vCPUs may run one after the other, each seeing the others' work only at the
 * hand-over.  So: up to 5 rounds, pass at the first lost update; if the vCPUs interleaved finely
 * (more than CONTROL_FINE overlaps) and still lost nothing, that is a failure; if they only ever
 * met at hand-overs (a few overlaps per vCPU per round), the run says so and skips with the figures.
 */
#define CONTROL_ROUNDS 5
#define CONTROL_FINE 1000

MA_TEST(atomics, plain_increment_loses_updates,
	.source = "a non-atomic read-modify-write on several CPUs at once loses updates (Arm ARM B2.2 single-copy atomicity covers each access, not the sequence; Intel SDM vol. 3A 9.1): the control for count_exact",
	.timeout_s = 300, .req = { .min_cpus = 2 })
{
	/* one vCPU per host CPU: more would only queue behind each other */
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct ma_vm *vm = ma_test_vm(cpus < 4 ? (unsigned int)cpus : 4);
	struct ma_mem *m = ma_test_mem(vm, 1, MA_TEST_GPA, COUNTER_SIZE, MA_BACK_ANON, MA_MT_NORMAL_WB);
	uint64_t overlaps = 0, done = 0;
	struct ma_atomic_run run;
	unsigned int r;

	for (r = 0; r < CONTROL_ROUNDS; r++) {
		/* 20 times the atomic tests' count: long enough to span the host's time slices */
		ma_atomics_run_checked(vm, MA_TEST_GPA, m->hva, MA_ATOMIC_PLAIN, 20 * iterations(), &run);
		if (run.failed_vcpus || ma_failed())
			ma_fatal("plain control round %u did not complete", r + 1);
		overlaps += run.overlaps;
		done += run.expected;
		if (run.counter < run.expected) {
			ma_log("round %u: %llu of %llu plain increments lost: the vCPUs ran in parallel",
			       r + 1, (unsigned long long)(run.expected - run.counter),
			       (unsigned long long)run.expected);
			break;
		}
	}
	if (r == CONTROL_ROUNDS) {
		if (overlaps > CONTROL_FINE)
			ma_fail("the vCPUs interleaved (%llu overlaps in %llu plain increments) yet lost no update",
				(unsigned long long)overlaps, (unsigned long long)done);
		else
			ma_skip("the %u vCPUs never ran at the same time: %llu overlaps in %llu plain increments over %u rounds (the vCPUs met only at hand-overs); the host's CPUs were busy, so this run cannot show that count_exact would catch a broken atomic",
				vm->nr_vcpus, (unsigned long long)overlaps, (unsigned long long)done,
				CONTROL_ROUNDS);
	}
}

#define UNDEFINED_INSN_SOURCE "an undefined instruction traps to the guest's own vector (no KVM involvement); the guest runtime reports it through its call channel instead of hanging"

MA_TEST(atomics, undefined_insn_reported, .source = UNDEFINED_INSN_SOURCE)
{
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_result res;

	ma_run_agent_expect(vm->vcpus[0], MA_AGENT_UNDEFINED_INSN, MA_NO_ARGS, MA_OUT_EXCEPTION, &res,
			    "undefined instruction");
	MA_EXPECT_TRUE(ma_exc_is_undefined_insn(&res.exc));
}

MA_TEST_MAIN
