// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap: every atomic flavour the guest CPU has, on 4 vCPUs at once, on one counter in PFNMAP
 * memory, while a host thread reads the same counter through its own mapping: no update may be
 * lost and the host must never see the counter go backwards.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "memattr/atomic_flavours.h"
#include "pfnmap.h"

#define VCPUS 4

static const struct ma_variant sources[] = { PFN_SHARED_SOURCE_VARIANTS };

struct reader {
	volatile uint64_t *counter;
	atomic_bool stop;
	uint64_t reads, backwards, last;
};

static void *host_reads(void *arg)
{
	struct reader *r = arg;

	while (!atomic_load(&r->stop)) {
		uint64_t v = *r->counter;

		if (v < r->last)
			r->backwards++;
		r->last = v;
		r->reads++;
	}
	return NULL;
}

static uint64_t iterations(void)
{
	const char *s = getenv("MEMATTR_ATOMIC_ITERATIONS");
	long long v = s ? atoll(s) : 0;

	return v > 0 ? (uint64_t)v / 5 + 1 : 10000;
}

MA_TEST(pfnmap, atomics_with_host_reads, MA_VARIANTS(sources), .req = { .root = true }, .timeout_s = 300,
	.source = "cacheable PFNMAP is mapped Normal-WB at stage 2 (arch/arm64/kvm/mmu.c:kvm_s2_fault_compute_prot; x86 uses the host PAT type, arch/x86/kvm/mmu/spte.c:make_spte; "
		  MA_KERNEL_REF "), where every atomic flavour is single-copy atomic")
{
	const struct src_case *c = t->param;
	struct ma_vm *vm = ma_test_vm(VCPUS);
	uint64_t iters = iterations();
	struct ma_guest_features gf;
	const enum ma_atomic_flavour *fl;
	volatile uint64_t *counter;
	const struct mt_rule *rule;
	struct ma_pfnmap p;
	unsigned int nfl;

	pfn_open(c, PFN_SIZE, NULL, &p);
	/* a memslot or a mapping KVM refuses here is checked (and ends the test) first */
	pfn_add_slot(vm, 1, SLOT_GPA, &p);
	pfn_guest_access_or_end(vm, vm->vcpus[0], &p, SLOT_GPA);
	if (!ma_pfnmap_atomics_required(vm, &p, &rule))
		ma_skip("atomics are IMPLEMENTATION DEFINED on this source's effective type (rule %s: %s); the access_matrix rows judge them against the model's allowed outcomes",
			rule->id, rule->says);
	ma_map(vm, SLOT_GPA, SLOT_GPA, PFN_SIZE, MA_MT_NORMAL_WB);
	ma_read_guest_features(vm->vcpus[0], &gf);
	counter = p.hva;
	fl = ma_atomic_flavours(&nfl);
	for (unsigned int f = 0; f < nfl; f++) {
		const char *why_not = ma_atomics_unsupported_reason(fl[f], &gf);
		struct reader rd = { .counter = counter };
		struct ma_atomic_run run;
		pthread_t th;

		if (why_not) {
			ma_log("%s: not run: %s", ma_atomic_flavour_name(fl[f]), why_not);
			continue;
		}
		counter[0] = 0;	/* before the reader starts: it must never see the count go down */
		counter[1] = 0;
		if (pthread_create(&th, NULL, host_reads, &rd))
			ma_fatal("pthread_create");
		ma_atomics_run_checked(vm, SLOT_GPA, counter, fl[f], iters, &run);
		atomic_store(&rd.stop, true);
		pthread_join(th, NULL);
		ma_log("%s: the host read the counter %llu times, %llu times lower than before",
		       ma_atomic_flavour_name(fl[f]), (unsigned long long)rd.reads,
		       (unsigned long long)rd.backwards);
		MA_EXPECT_EQ(rd.backwards, 0);
	}
}
