// SPDX-License-Identifier: GPL-2.0
/*
 * Guests that prove the integrity of their memory pass after pass while the host changes what
 * backs it: compaction, THP collapse and split, and memslot changes (MOVE, delete and re-add) of
 * another slot of the same VM.  Every backing kind the library has; exact atomic counts under the
 * same events.  Runs for 3 s, or the suite's -d SECONDS.
 */
#include "stress.h"

#include "memattr/harness.h"
#include "memattr/kvm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define DATA_SIZE (4ull << 20)

/* Page p of a lane after the agent stopped: the generation it last wrote there. */
static uint64_t host_check(const void *hva, uint64_t gpa, uint64_t bytes, uint64_t seed,
			   const struct ma_ret_stress *s, uint64_t *first_gpa)
{
	uint64_t pages = bytes / 4096, full = s->ops / pages, done = s->ops % pages, bad = 0;

	for (uint64_t p = 0; p < pages; p++) {
		uint64_t gen = seed + (p < done ? full : full - 1);
		const volatile uint64_t *w = (const volatile uint64_t *)((const char *)hva + p * 4096);

		for (uint64_t i = 0; i < 512; i++)
			if (w[i] != ma_stress_word(gen, gpa + p * 4096 + i * 8, 0) && !bad++)
				*first_gpa = gpa + p * 4096 + i * 8;
	}
	return bad;
}

/* The guest's loop, run by the host on the same memory: pages per second (check + rewrite). */
static double host_pages_per_s(void *hva, uint64_t gpa, uint64_t bytes)
{
	uint64_t pages = bytes / 4096, bad = 0;
	double t0;

	for (uint64_t o = 0; o < bytes; o += 8)
		*(volatile uint64_t *)((char *)hva + o) = ma_stress_word(77, gpa + o, 0);
	t0 = ma_now_s();
	for (uint64_t p = 0; p < pages; p++)
		for (uint64_t o = p * 4096; o < (p + 1) * 4096; o += 8) {
			volatile uint64_t *w = (volatile uint64_t *)((char *)hva + o);

			bad += *w != ma_stress_word(77, gpa + o, 0);
			*w = ma_stress_word(78, gpa + o, 0);
		}
	MA_CHECK(!bad, "the host's own pass read %llu words wrong", (unsigned long long)bad);
	return pages / (ma_now_s() - t0);
}

static const struct ma_variant backings[] = {
	{ .name = "anon", .value = MA_BACK_ANON },
	{ .name = "thp", .value = MA_BACK_ANON_THP },
	{ .name = "hugetlb", .value = MA_BACK_HUGETLB },
	{ .name = "memfd", .value = MA_BACK_MEMFD },
	{ .name = "shm", .value = MA_BACK_SHM },
	{ .name = "guest_memfd", .value = MA_BACK_GUEST_MEMFD,
	  .req = { .vm_caps = { KVM_CAP_GUEST_MEMFD } } },
};

MA_TEST(stress, verify_under_host_events, MA_VARIANTS(backings), .duration_s = 2, .timeout_s = 90,
	.req = { .min_cpus = 2, .root = true },
	.source = "virt/kvm/kvm_main.c: the MMU notifiers (kvm_mmu_notifier_invalidate_range_start) and memslot updates keep every guest mapping of a slot's pages current while the host migrates, collapses and splits them ("
		  MA_KERNEL_REF ")")
{
	enum ma_backing kind = (enum ma_backing)t->value;
	struct ma_vm *vm = ma_test_vm(2);
	struct ma_mem *m = ma_test_mem(vm, 1, MA_TEST_GPA, DATA_SIZE, kind, MA_MT_NORMAL_WB);
	uint64_t half = DATA_SIZE / 2, ops, errors, passes = 0, host_bad = 0, first = 0;
	struct st_vmstat v0, v1;
	struct st_events e;
	struct ma_stress_run r;
	char ev[256], vm_delta[600];
	double host_pps = 0;

	st_events_init(&e, vm, m->hva, DATA_SIZE, kind == MA_BACK_ANON || kind == MA_BACK_ANON_THP, false);
	ma_stress_run_init(&r, vm, t->name, ma_duration_s(t));
	st_vmstat_read(&v0);
	for (unsigned int i = 0; i < 2; i++)
		ma_stress_run_start(&r, i, MA_AGENT_STRESS_VERIFY,
				    MA_ARGS(MA_TEST_GPA + i * half, half, MA_STRESS_CTRL_GPA,
					    0x1000 * (i + 1), 0));
	while (ma_stress_run_tick(&r)) {
		st_events_tick(&e);
		st_events_log(&e, r.load, sizeof(r.load));
		usleep(100000);
	}
	ma_stress_run_stop(&r);
	st_vmstat_read(&v1);
	ma_stress_run_judge(&r, &ops, &errors);
	if (!ma_failed() && m->hva) {
		/* what the guest wrote last is what the host reads */
		for (unsigned int i = 0; i < 2; i++) {
			const struct ma_ret_stress *s = &r.w[i].res.ret.stress;

			passes += s->passes;
			if (s->ops >= half / 4096)
				host_bad += host_check((char *)m->hva + i * half, MA_TEST_GPA + i * half,
						       half, 0x1000 * (i + 1), s, &first);
		}
		MA_CHECK(!host_bad, "the host read %llu words other than the guest wrote last; first at gpa %#llx",
			 (unsigned long long)host_bad, (unsigned long long)first);
		host_pps = host_pages_per_s(m->hva, MA_TEST_GPA, DATA_SIZE);
	}
	st_events_judge(&e);
	MA_CHECK(ops >= 2 * DATA_SIZE / 4096,
		 "too little happened to judge: %llu pages verified in %.1f s, fewer than two passes",
		 (unsigned long long)ops, r.elapsed);
	st_events_log(&e, ev, sizeof(ev));
	st_vmstat_delta(&v0, &v1, vm_delta, sizeof(vm_delta));
	ma_log("memattr-metric name=stress.verify.%s seconds=%.2f vcpus=2 bytes=%llu pages_verified=%llu passes=%llu errors=%llu host_errors=%llu pages_per_s=%.0f host_pages_per_s=%.0f guest_host_ratio=%.4f %s %s",
	       t->variant->name, r.elapsed, (unsigned long long)DATA_SIZE, (unsigned long long)ops,
	       (unsigned long long)passes, (unsigned long long)errors, (unsigned long long)host_bad,
	       ops / r.elapsed, host_pps, host_pps > 0 ? ops / r.elapsed / host_pps : 0.0, ev, vm_delta);
}

/* the flavours of the build's architecture (the others cannot run there: no skip to judge) */
static const struct ma_variant flavours[] = {
#if defined(__aarch64__)
	{ .name = "llsc", .value = MA_ATOMIC_LLSC },
	{ .name = "lse_ldadd", .value = MA_ATOMIC_LSE_LDADD },
	{ .name = "lse_cas", .value = MA_ATOMIC_LSE_CAS },
#else
	{ .name = "xadd", .value = MA_ATOMIC_X86_XADD },
	{ .name = "cmpxchg", .value = MA_ATOMIC_X86_CMPXCHG },
#endif
};

MA_TEST(stress, atomics_exact_under_host_events, MA_VARIANTS(flavours), .duration_s = 3, .timeout_s = 90,
	.req = { .min_cpus = 2, .root = true },
	.source = "virt/kvm/kvm_main.c, arch/*/kvm/mmu: a guest atomic on a page the host migrates, or in a VM whose slots change, completes exactly once: no increment is lost or doubled ("
		  MA_KERNEL_REF ")")
{
	enum ma_atomic_flavour f = (enum ma_atomic_flavour)t->value;
	struct ma_vm *vm = ma_test_vm(2);
	struct ma_mem *m = ma_test_mem(vm, 1, MA_TEST_GPA, 2ull << 20, MA_BACK_ANON_THP, MA_MT_NORMAL_WB);
	volatile uint64_t *ctr = m->hva;
	uint64_t ops = 0, sum = 0;
	struct st_vmstat v0, v1;
	struct st_events e;
	struct ma_stress_run r;
	char ev[256], vm_delta[600];

	st_events_init(&e, vm, m->hva, 2ull << 20, true, false);
	ma_stress_run_init(&r, vm, t->name, ma_duration_s(t));
	st_vmstat_read(&v0);
	for (unsigned int i = 0; i < 2; i++)
		ma_stress_run_start(&r, i, MA_AGENT_STRESS_ATOMIC,
				    MA_ARGS(MA_TEST_GPA, f, MA_STRESS_CTRL_GPA));
	while (ma_stress_run_tick(&r)) {
		st_events_tick(&e);
		st_events_log(&e, r.load, sizeof(r.load));
		usleep(100000);
	}
	ma_stress_run_stop(&r);
	st_vmstat_read(&v1);
	for (unsigned int i = 0; i < 2; i++) {
		const struct ma_result *res = &r.w[i].res;

		if (res->outcome == MA_OUT_DONE && res->ret.stress.unsupported)
			ma_skip("the guest finds %s unsupported (ID_AA64ISAR0_EL1 / CPUID)",
				t->variant->name);
	}
	ma_stress_run_judge(&r, &ops, &sum);
	MA_CHECK(*ctr == ops, "the counter holds %llu after %llu increments (%lld lost)",
		 (unsigned long long)*ctr, (unsigned long long)ops, (long long)(ops - *ctr));
	st_events_judge(&e);
	MA_CHECK(ops >= 2 * 256, "too little happened to judge: %llu increments", (unsigned long long)ops);
	st_events_log(&e, ev, sizeof(ev));
	st_vmstat_delta(&v0, &v1, vm_delta, sizeof(vm_delta));
	ma_log("memattr-metric name=stress.atomics.%s seconds=%.2f vcpus=2 increments=%llu counter=%llu increments_per_s=%.0f errors=%llu %s %s",
	       t->variant->name, r.elapsed, (unsigned long long)ops, (unsigned long long)*ctr,
	       ops / r.elapsed,
	       (unsigned long long)(ops > *ctr ? ops - *ctr : *ctr - ops), ev, vm_delta);
}
