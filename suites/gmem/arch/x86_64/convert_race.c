// SPDX-License-Identifier: GPL-2.0
/*
 * gmem, x86_64: conversions racing with guest accesses.  vCPUs read every page of a private-capable
 * slot over and over while a host thread converts pages between shared and private, punches holes
 * in guest_memfd, and converts a range that has no memslot.  Each page has a seqlock in a control
 * page (struct ma_convert_ctrl): the host publishes the value a read must return once its
 * conversion ioctl has returned, and the guest judges every read made while the page was stable.
 * A stale mapping (the old side still visible after the ioctl returned) or lost data is an error
 * naming the page.  It runs for 3 s, or the suite's -d SECONDS.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "private_vm.h"

#define PAGES 64ull
#define CTRL_GPA (GPA + (64ull << 20))
#define SEED_PRIVATE 7	/* what the guest wrote to every page while it was private */

struct race {
	struct ma_vm *vm;
	int gmem;
	uint64_t *hva;			/* shared memory of the data pages */
	struct ma_convert_ctrl *ctrl;	/* host view of the control page */
	unsigned int seconds;
	bool priv[PAGES], punched[PAGES];
	uint64_t conversions, punches, noslot, generation;
	int err;			/* first failed call: -errno */
	char what[160];
};

/* one vCPU running the watcher, resumed over the exits a racing conversion may cause */
struct watcher {
	struct ma_vcpu *v;
	unsigned int timeout_ms;
	struct ma_result res;
	uint64_t fault_exits;	/* KVM_EXIT_MEMORY_FAULT exits of a fault that raced a conversion */
};

/*
 * The exit a fault gets when the page's attribute changed between the fault's start and its
 * mapping (arch/x86/kvm/mmu/mmu.c:kvm_mmu_faultin_pfn, "private vs. shared mismatch"): KVM_RUN
 * -1/EFAULT, KVM_EXIT_MEMORY_FAULT for the page the fault was for, flags the side it assumed.  The
 * conversion has happened already, so the VMM re-enters and the access retries.
 */
static bool raced_fault_exit(const struct ma_result *res)
{
	const uint64_t gpa = res->memory_fault.gpa;

	return res->outcome == MA_OUT_RUN_ERROR && res->err == EFAULT &&
	       res->exit_reason == KVM_EXIT_MEMORY_FAULT &&
	       gpa >= GPA && gpa < GPA + PAGES * PG && !(gpa % PG) && res->memory_fault.size == PG &&
	       (res->memory_fault.flags == 0 || res->memory_fault.flags == KVM_MEMORY_EXIT_FLAG_PRIVATE);
}

static void *watch(void *arg)
{
	struct watcher *w = arg;

	ma_vcpu_start(w->v, MA_AGENT_CONVERT_WATCH, MA_ARGS(GPA, PAGES, CTRL_GPA));
	while (ma_vcpu_resume(w->v, w->timeout_ms, &w->res) == MA_OUT_RUN_ERROR && raced_fault_exit(&w->res))
		w->fault_exits++;
	return NULL;
}

static bool call_ok(struct race *r, int ret, const char *what, uint64_t p)
{
	if (!ret)
		return true;
	r->err = ret;
	snprintf(r->what, sizeof(r->what), "%s of page %llu", what, (unsigned long long)p);
	return false;
}

/* convert page p to the other side, publishing what a guest read must then return */
static bool flip(struct race *r, uint64_t p, unsigned int round)
{
	struct ma_convert_page *cp = &r->ctrl->page[p];
	uint64_t seq = atomic_load_explicit((_Atomic uint64_t *)&cp->seq, memory_order_relaxed);
	bool to_private = !r->priv[p];
	uint64_t want;

	atomic_store_explicit((_Atomic uint64_t *)&cp->seq, seq + 1, memory_order_release);
	if (!call_ok(r, ma_try_set_memory_attributes(r->vm, GPA + p * PG, PG,
						     to_private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0, 0),
		     to_private ? "KVM_SET_MEMORY_ATTRIBUTES(PRIVATE)" :
				  "KVM_SET_MEMORY_ATTRIBUTES(shared)", p))
		return false;
	if (to_private && round % 4 == 3) {
		if (!call_ok(r, ma_try_gmem_punch_hole(r->gmem, p * PG, PG), "PUNCH_HOLE", p))
			return false;
		r->punched[p] = true;
		r->punches++;
	}
	if (to_private)
		want = r->punched[p] ? 0 : ma_pattern_word(SEED_PRIVATE, word_gpa(p));
	else
		want = *host_word(r->hva, p);
	r->priv[p] = to_private;
	cp->want = want;
	cp->state = to_private ? (r->punched[p] ? MA_CONVERT_PRIVATE_PUNCHED : MA_CONVERT_PRIVATE) :
				 MA_CONVERT_SHARED;
	atomic_store_explicit((_Atomic uint64_t *)&cp->seq, seq + 2, memory_order_release);
	if (to_private)	/* new shared data the guest must not see while the page is private */
		*host_word(r->hva, p) = ma_pattern_word(1000 + ++r->generation, word_gpa(p));
	r->conversions++;
	return true;
}

static void *converter(void *arg)
{
	struct race *r = arg;
	double end = ma_now_s() + (double)r->seconds;
	unsigned int round = 0;
	uint64_t x = 0x2545f4914f6cdd1dull;

	while (ma_now_s() < end) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (!flip(r, x % PAGES, round++))
			break;
		if (round % 16 == 0) {
			if (!call_ok(r, ma_try_set_memory_attributes(r->vm, NOSLOT_GPA, 4 * PG,
								     KVM_MEMORY_ATTRIBUTE_PRIVATE, 0),
				     "KVM_SET_MEMORY_ATTRIBUTES(PRIVATE) without memslot", 0) ||
			    !call_ok(r, ma_try_set_memory_attributes(r->vm, NOSLOT_GPA, 4 * PG, 0, 0),
				     "KVM_SET_MEMORY_ATTRIBUTES(shared) without memslot", 0))
				break;
			r->noslot += 2;
		}
	}
	atomic_store_explicit((_Atomic uint64_t *)&r->ctrl->stop, 1, memory_order_release);
	return NULL;
}

MA_TEST(gmem, convert_race_no_stale_data, .req = { .arch = MA_ARCH_X86_64, .min_cpus = 2 },
	.duration_s = 3, .timeout_s = 120,
	.source = "virt/kvm/kvm_main.c:kvm_vm_set_mem_attributes zaps the range's mappings (kvm_arch_pre_set_memory_attributes, under mmu_invalidate_begin) before it returns, and virt/kvm/guest_memfd.c:kvm_gmem_punch_hole zaps before truncating: once either has returned no vCPU can see the old side ("
		  MA_KERNEL_REF ")")
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int nv = cpus > 3 ? 3 : 2;
	struct ma_vm *vm = protected_vm(nv);
	struct race r = { .vm = vm, .seconds = ma_duration_s(t) };
	uint64_t verified = 0, errors = 0, busy = 0, raced = 0, fault_exits = 0;
	struct watcher w[3] = { 0 };
	struct ma_result res;
	pthread_t th, wt[3];
	double t0, elapsed;
	int err;

	r.hva = private_slot(vm, PAGES * PG, &r.gmem);
	r.ctrl = ma_test_mem(vm, 2, CTRL_GPA, 4 * PG, MA_BACK_ANON, MA_MT_NORMAL_WB)->hva;
	/* every page gets private data from the guest, then all start shared with the host's data */
	ma_set_private(vm, GPA, PAGES * PG, true);
	ma_run_agent_done(vm->vcpus[0], MA_AGENT_WRITE_PATTERN, MA_ARGS(GPA, PAGES * PG, SEED_PRIVATE), &res,
			  "private write of every page");
	ma_set_private(vm, GPA, PAGES * PG, false);
	for (uint64_t p = 0; p < PAGES; p++) {
		*host_word(r.hva, p) = ma_pattern_word(1, word_gpa(p));
		r.ctrl->page[p].want = *host_word(r.hva, p);
	}
	t0 = ma_now_s();
	err = pthread_create(&th, NULL, converter, &r);
	if (err)
		ma_fatal("pthread_create: %s", ma_errno_name(err));
	for (unsigned int i = 0; i < nv; i++) {
		w[i] = (struct watcher){ .v = vm->vcpus[i],
					 .timeout_ms = r.seconds * 1000 + ma_default_run_timeout_ms() };
		err = pthread_create(&wt[i], NULL, watch, &w[i]);
		if (err)
			ma_fatal("pthread_create: %s", ma_errno_name(err));
	}
	for (unsigned int i = 0; i < nv; i++)
		pthread_join(wt[i], NULL);
	atomic_store_explicit((_Atomic uint64_t *)&r.ctrl->stop, 1, memory_order_release);
	pthread_join(th, NULL);
	elapsed = ma_now_s() - t0;
	if (r.err)
		ma_fatal("%s: %s", r.what, ma_errno_name(-r.err));
	for (unsigned int i = 0; i < nv; i++) {
		const struct ma_ret_convert *c = &w[i].res.ret.convert;
		char why[768];

		fault_exits += w[i].fault_exits;
		if (w[i].res.outcome != MA_OUT_DONE) {
			ma_result_describe(&w[i].res, why, sizeof(why));
			ma_fail("vCPU %u did not finish its reads: %s", i, why);
			continue;
		}
		verified += c->verified;
		busy += c->busy;
		raced += c->raced;
		errors += c->errors;
		MA_CHECK(!c->errors,
			 "vCPU %u: %llu reads wrong; first page %llu (gpa %#llx) read %#llx, the host had published %#llx (state %s)",
			 i, (unsigned long long)c->errors, (unsigned long long)c->first_page,
			 (unsigned long long)word_gpa(c->first_page), (unsigned long long)c->first_seen,
			 (unsigned long long)c->first_want,
			 r.ctrl->page[c->first_page].state == MA_CONVERT_SHARED ? "shared now" : "private now");
	}
	ma_log("memattr-metric name=gmem.convert_race seconds=%.2f vcpus=%u conversions=%llu conversions_per_s=%.0f punches=%llu noslot_conversions=%llu reads_verified=%llu bytes_verified=%llu reads_busy=%llu reads_raced=%llu raced_fault_exits=%llu errors=%llu",
	       elapsed, nv, (unsigned long long)r.conversions, r.conversions / elapsed,
	       (unsigned long long)r.punches, (unsigned long long)r.noslot, (unsigned long long)verified,
	       (unsigned long long)verified * 8, (unsigned long long)busy, (unsigned long long)raced,
	       (unsigned long long)fault_exits, (unsigned long long)errors);
	/* the race must have raced: conversions happened and reads were judged between them */
	MA_CHECK(r.conversions >= PAGES && verified >= 4 * PAGES,
		 "too little happened to judge: %llu conversions, %llu reads verified",
		 (unsigned long long)r.conversions, (unsigned long long)verified);
}
