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

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

#define DATA_SIZE (4ull << 20)
#define IDLE_SLOT 2
#define IDLE_GPA (MA_TEST_GPA + (512ull << 20))
#define IDLE_GPA2 (MA_TEST_GPA + (768ull << 20))
#define IDLE_SIZE (64ull << 10)

/* The host events of a run, one per tick in turn; what each did is counted. */
struct events {
	struct ma_vm *vm;
	void *hva;		/* the data the guest verifies (THP collapse/split) */
	size_t size;
	bool thp;		/* anonymous memory: collapse and split apply */
	struct ma_mem idle;	/* the other slot: moved, deleted and re-added */
	bool idle_at2;
	unsigned int tick;
	uint64_t compactions, collapses, collapse_fail, splits, moves, readds;
	int collapse_err, split_err, compact_err;
};

static void events_init(struct events *e, struct ma_vm *vm, void *hva, size_t size, bool thp)
{
	memset(e, 0, sizeof(*e));
	e->vm = vm;
	e->hva = hva;
	e->size = size;
	e->thp = thp && hva;
	ma_mem_alloc(&e->idle, MA_BACK_ANON, IDLE_SIZE, NULL);
	memset(e->idle.hva, 0x5a, IDLE_SIZE);
	ma_add_slot(vm, IDLE_SLOT, 0, IDLE_GPA, IDLE_SIZE, e->idle.hva);
}

static void events_tick(struct events *e)
{
	char buf[128];
	int r;

	switch (e->tick++ % 4) {
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
			.slot = IDLE_SLOT, .guest_phys_addr = e->idle_at2 ? IDLE_GPA : IDLE_GPA2,
			.memory_size = IDLE_SIZE, .userspace_addr = (uint64_t)(uintptr_t)e->idle.hva };

		r = ma_try_set_region1(e->vm, &mr);
		MA_REQUIRE(!r, "KVM_SET_USER_MEMORY_REGION moving slot %u to %#llx: %s", IDLE_SLOT,
			   (unsigned long long)mr.guest_phys_addr, ma_errno_name(-r));
		e->idle_at2 = !e->idle_at2;
		e->moves++;
		r = ma_try_delete_slot(e->vm, IDLE_SLOT);
		MA_REQUIRE(!r, "deleting slot %u: %s", IDLE_SLOT, ma_errno_name(-r));
		r = ma_try_add_slot(e->vm, IDLE_SLOT, 0, mr.guest_phys_addr, IDLE_SIZE, e->idle.hva);
		MA_REQUIRE(!r, "re-adding slot %u: %s", IDLE_SLOT, ma_errno_name(-r));
		e->readds++;
		break;
	}
	}
}

static void events_log(const struct events *e, char *buf, size_t size)
{
	snprintf(buf, size, "compactions=%llu collapses=%llu collapse_fail=%llu splits=%llu slot_moves=%llu slot_readds=%llu",
		 (unsigned long long)e->compactions, (unsigned long long)e->collapses,
		 (unsigned long long)e->collapse_fail, (unsigned long long)e->splits,
		 (unsigned long long)e->moves, (unsigned long long)e->readds);
}

/* The events must have happened, or the run proved nothing about them. */
static void events_judge(const struct events *e)
{
	MA_CHECK(e->compactions > 0, "no compaction was triggered: /proc/sys/vm/compact_memory: %s",
		 ma_errno_name(e->compact_err));
	MA_CHECK(e->moves > 0 && e->readds > 0, "the other slot was never moved or re-added");
	if (e->thp && e->split_err == ENOENT)
		ma_log("no THP split: /sys/kernel/debug/split_huge_pages: ENOENT (debugfs not mounted)");
	else if (e->thp)
		MA_CHECK(e->splits > 0, "no THP split was asked for: /sys/kernel/debug/split_huge_pages: %s",
			 ma_errno_name(e->split_err));
}

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
	t0 = st_now();
	for (uint64_t p = 0; p < pages; p++)
		for (uint64_t o = p * 4096; o < (p + 1) * 4096; o += 8) {
			volatile uint64_t *w = (volatile uint64_t *)((char *)hva + o);

			bad += *w != ma_stress_word(77, gpa + o, 0);
			*w = ma_stress_word(78, gpa + o, 0);
		}
	MA_CHECK(!bad, "the host's own pass read %llu words wrong", (unsigned long long)bad);
	return pages / (st_now() - t0);
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
	struct events e;
	struct st_run r;
	char ev[256], vm_delta[600];
	double host_pps = 0;

	events_init(&e, vm, m->hva, DATA_SIZE, kind == MA_BACK_ANON || kind == MA_BACK_ANON_THP);
	st_run_init(&r, vm, t->name, ma_duration_s(t));
	st_vmstat_read(&v0);
	for (unsigned int i = 0; i < 2; i++)
		st_run_start(&r, i, MA_AGENT_STRESS_VERIFY,
			     MA_ARGS(MA_TEST_GPA + i * half, half, ST_CTRL_GPA, 0x1000 * (i + 1), 0));
	while (st_run_tick(&r)) {
		events_tick(&e);
		events_log(&e, r.load, sizeof(r.load));
		usleep(100000);
	}
	st_run_stop(&r);
	st_vmstat_read(&v1);
	st_run_judge(&r, &ops, &errors);
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
	events_judge(&e);
	MA_CHECK(ops >= 2 * DATA_SIZE / 4096,
		 "too little happened to judge: %llu pages verified in %.1f s, fewer than two passes",
		 (unsigned long long)ops, r.elapsed);
	events_log(&e, ev, sizeof(ev));
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
	struct events e;
	struct st_run r;
	char ev[256], vm_delta[600];

	events_init(&e, vm, m->hva, 2ull << 20, true);
	st_run_init(&r, vm, t->name, ma_duration_s(t));
	st_vmstat_read(&v0);
	for (unsigned int i = 0; i < 2; i++)
		st_run_start(&r, i, MA_AGENT_STRESS_ATOMIC, MA_ARGS(MA_TEST_GPA, f, ST_CTRL_GPA));
	while (st_run_tick(&r)) {
		events_tick(&e);
		events_log(&e, r.load, sizeof(r.load));
		usleep(100000);
	}
	st_run_stop(&r);
	st_vmstat_read(&v1);
	for (unsigned int i = 0; i < 2; i++) {
		const struct ma_result *res = &r.w[i].res;

		if (res->outcome == MA_OUT_DONE && res->ret.stress.unsupported)
			ma_skip("the guest finds %s unsupported (ID_AA64ISAR0_EL1 / CPUID)",
				t->variant->name);
	}
	st_run_judge(&r, &ops, &sum);
	MA_CHECK(*ctr == ops, "the counter holds %llu after %llu increments (%lld lost)",
		 (unsigned long long)*ctr, (unsigned long long)ops, (long long)(ops - *ctr));
	events_judge(&e);
	MA_CHECK(ops >= 2 * 256, "too little happened to judge: %llu increments", (unsigned long long)ops);
	events_log(&e, ev, sizeof(ev));
	st_vmstat_delta(&v0, &v1, vm_delta, sizeof(vm_delta));
	ma_log("memattr-metric name=stress.atomics.%s seconds=%.2f vcpus=2 increments=%llu counter=%llu increments_per_s=%.0f errors=%llu %s %s",
	       t->variant->name, r.elapsed, (unsigned long long)ops, (unsigned long long)*ctr,
	       ops / r.elapsed,
	       (unsigned long long)(ops > *ctr ? ops - *ctr : *ctr - ops), ev, vm_delta);
}
