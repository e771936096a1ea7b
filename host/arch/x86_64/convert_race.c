// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64: the private-memory VM and the conversion race (memattr/convert_race.h).  Each data page
 * has a seqlock in a control page (struct ma_convert_ctrl): the host publishes the value a read
 * must return once its conversion ioctl has returned, and the guest judges every read made while
 * the page was stable.  A stale mapping (the old side still visible after the ioctl returned) or
 * lost data is an error naming the page.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "memattr/convert_race.h"
#include "memattr/gmem.h"
#include "memattr/harness.h"
#include "memattr/util.h"

#define PG MA_PAGE_SIZE
#define PAGES 64ull
#define CTRL_OFF MA_CONVERT_RACE_CTRL_OFF
#define NOSLOT_OFF MA_CONVERT_RACE_NOSLOT_OFF
#define SEED_PRIVATE 7			/* what the guest wrote to every page while it was private */
#define MAX_WATCHERS 3

struct ma_vm *ma_private_vm(unsigned int n)
{
	static const struct ma_vm_opts o = { .type = KVM_X86_SW_PROTECTED_VM };
	long types = ma_sys_cap(KVM_CAP_VM_TYPES);

	if (!(types & (1l << KVM_X86_SW_PROTECTED_VM)))
		ma_skip("KVM_CAP_VM_TYPES = %#lx has no KVM_X86_SW_PROTECTED_VM: kvm.ko built without CONFIG_KVM_SW_PROTECTED_VM",
			types);
	return ma_test_vm_opts(&o, n);
}

uint64_t *ma_private_slot(struct ma_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size, int *gmem)
{
	struct ma_mem *m = calloc(1, sizeof(*m));

	if (!m)
		ma_fatal("out of memory");
	ma_mem_alloc(m, MA_BACK_ANON, size, vm);
	*gmem = ma_gmem_create(vm, size, 0);
	ma_add_gmem_slot(vm, slot, gpa, size, m->hva, *gmem, 0);
	ma_map(vm, gpa, gpa, size, MA_MT_NORMAL_WB);
	return m->hva;
}

/* one vCPU running the watcher, resumed over the exits a racing conversion may cause */
struct watcher {
	struct ma_convert_race *r;
	struct ma_vcpu *v;
	unsigned int timeout_ms;
	struct ma_result res;
	uint64_t fault_exits;	/* KVM_EXIT_MEMORY_FAULT exits of a fault that raced a conversion */
};

struct ma_convert_race {
	struct ma_vm *vm;
	uint64_t gpa;
	int gmem;
	uint64_t *hva;			/* shared memory of the data pages */
	struct ma_convert_ctrl *ctrl;	/* host view of the control page */
	unsigned int seconds, nv;
	bool priv[PAGES], punched[PAGES];
	uint64_t conversions, punches, noslot, generation;
	atomic_bool running;
	int err;			/* first failed call: -errno */
	char what[160];
	double t0;
	pthread_t converter;
	pthread_t wt[MAX_WATCHERS];
	struct watcher w[MAX_WATCHERS];
};

static uint64_t word_gpa(const struct ma_convert_race *r, uint64_t p)
{
	return ma_convert_word_gpa(r->gpa, p);
}

static volatile uint64_t *host_word(const struct ma_convert_race *r, uint64_t p)
{
	return (volatile uint64_t *)((char *)r->hva + (word_gpa(r, p) - r->gpa));
}

/*
 * The exit a fault gets when the page's attribute changed between the fault's start and its
 * mapping (arch/x86/kvm/mmu/mmu.c:kvm_mmu_faultin_pfn, "private vs. shared mismatch"): KVM_RUN
 * -1/EFAULT, KVM_EXIT_MEMORY_FAULT for the page the fault was for, flags the side it assumed.  The
 * conversion has happened already, so the VMM re-enters and the access retries.
 */
static bool raced_fault_exit(const struct ma_convert_race *r, const struct ma_result *res)
{
	const uint64_t gpa = res->memory_fault.gpa;

	return res->outcome == MA_OUT_RUN_ERROR && res->err == EFAULT &&
	       res->exit_reason == KVM_EXIT_MEMORY_FAULT &&
	       gpa >= r->gpa && gpa < r->gpa + PAGES * PG && !(gpa % PG) && res->memory_fault.size == PG &&
	       (res->memory_fault.flags == 0 || res->memory_fault.flags == KVM_MEMORY_EXIT_FLAG_PRIVATE);
}

static void *watch(void *arg)
{
	struct watcher *w = arg;
	const struct ma_convert_race *r = w->r;

	ma_vcpu_start(w->v, MA_AGENT_CONVERT_WATCH, MA_ARGS(r->gpa, PAGES, r->gpa + CTRL_OFF));
	while (ma_vcpu_resume(w->v, w->timeout_ms, &w->res) == MA_OUT_RUN_ERROR &&
	       raced_fault_exit(r, &w->res))
		w->fault_exits++;
	return NULL;
}

static bool call_ok(struct ma_convert_race *r, int ret, const char *what, uint64_t p)
{
	if (!ret)
		return true;
	r->err = ret;
	snprintf(r->what, sizeof(r->what), "%s of page %llu", what, (unsigned long long)p);
	return false;
}

/* convert page p to the other side, publishing what a guest read must then return */
static bool flip(struct ma_convert_race *r, uint64_t p, unsigned int round)
{
	struct ma_convert_page *cp = &r->ctrl->page[p];
	uint64_t seq = atomic_load_explicit((_Atomic uint64_t *)&cp->seq, memory_order_relaxed);
	bool to_private = !r->priv[p];
	uint64_t want;

	atomic_store_explicit((_Atomic uint64_t *)&cp->seq, seq + 1, memory_order_release);
	if (!call_ok(r, ma_try_set_memory_attributes(r->vm, r->gpa + p * PG, PG,
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
		want = r->punched[p] ? 0 : ma_pattern_word(SEED_PRIVATE, word_gpa(r, p));
	else
		want = *host_word(r, p);
	r->priv[p] = to_private;
	cp->want = want;
	cp->state = to_private ? (r->punched[p] ? MA_CONVERT_PRIVATE_PUNCHED : MA_CONVERT_PRIVATE) :
				 MA_CONVERT_SHARED;
	atomic_store_explicit((_Atomic uint64_t *)&cp->seq, seq + 2, memory_order_release);
	if (to_private)	/* new shared data the guest must not see while the page is private */
		*host_word(r, p) = ma_pattern_word(1000 + ++r->generation, word_gpa(r, p));
	r->conversions++;
	return true;
}

static bool convert_noslot(struct ma_convert_race *r)
{
	const uint64_t gpa = r->gpa + NOSLOT_OFF;

	if (!call_ok(r, ma_try_set_memory_attributes(r->vm, gpa, 4 * PG, KVM_MEMORY_ATTRIBUTE_PRIVATE, 0),
		     "KVM_SET_MEMORY_ATTRIBUTES(PRIVATE) without memslot", 0) ||
	    !call_ok(r, ma_try_set_memory_attributes(r->vm, gpa, 4 * PG, 0, 0),
		     "KVM_SET_MEMORY_ATTRIBUTES(shared) without memslot", 0))
		return false;
	r->noslot += 2;
	return true;
}

static void *converter(void *arg)
{
	struct ma_convert_race *r = arg;
	double end = ma_now_s() + (double)r->seconds;
	unsigned int round = 0;
	uint64_t x = 0x2545f4914f6cdd1dull;

	while (ma_now_s() < end) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (!flip(r, x % PAGES, round++))
			break;
		if (round % 16 == 0 && !convert_noslot(r))
			break;
	}
	atomic_store_explicit((_Atomic uint64_t *)&r->ctrl->stop, 1, memory_order_release);
	atomic_store(&r->running, false);
	return NULL;
}

static void start_thread(pthread_t *th, void *(*fn)(void *), void *arg)
{
	int err = pthread_create(th, NULL, fn, arg);

	if (err)
		ma_fatal("pthread_create: %s", ma_errno_name(err));
}

struct ma_convert_race *ma_convert_race_start(struct ma_vm *vm, uint64_t gpa, unsigned int seconds)
{
	struct ma_convert_race *r = calloc(1, sizeof(*r));
	struct ma_result res;

	if (!r)
		ma_fatal("out of memory");
	if (vm->nr_vcpus < 1 || vm->nr_vcpus > MAX_WATCHERS)
		ma_fatal("the conversion race takes 1 to %d vCPUs, not %u", MAX_WATCHERS, vm->nr_vcpus);
	*r = (struct ma_convert_race){ .vm = vm, .gpa = gpa, .seconds = seconds, .nv = vm->nr_vcpus };
	r->hva = ma_private_slot(vm, 1, gpa, PAGES * PG, &r->gmem);
	r->ctrl = ma_test_mem(vm, 2, gpa + CTRL_OFF, 4 * PG, MA_BACK_ANON, MA_MT_NORMAL_WB)->hva;
	/* every page gets private data from the guest, then all start shared with the host's data */
	ma_set_private(vm, gpa, PAGES * PG, true);
	ma_run_agent_done(vm->vcpus[0], MA_AGENT_WRITE_PATTERN, MA_ARGS(gpa, PAGES * PG, SEED_PRIVATE), &res,
			  "private write of every page");
	ma_set_private(vm, gpa, PAGES * PG, false);
	for (uint64_t p = 0; p < PAGES; p++) {
		*host_word(r, p) = ma_pattern_word(1, word_gpa(r, p));
		r->ctrl->page[p].want = *host_word(r, p);
	}
	r->t0 = ma_now_s();
	atomic_store(&r->running, true);
	start_thread(&r->converter, converter, r);
	for (unsigned int i = 0; i < r->nv; i++) {
		r->w[i] = (struct watcher){ .r = r, .v = vm->vcpus[i],
					    .timeout_ms = seconds * 1000 + ma_default_run_timeout_ms() };
		start_thread(&r->wt[i], watch, &r->w[i]);
	}
	return r;
}

bool ma_convert_race_running(struct ma_convert_race *r)
{
	return atomic_load(&r->running);
}

static void judge_watcher(const struct ma_convert_race *r, unsigned int i, struct ma_convert_race_stats *s)
{
	const struct watcher *w = &r->w[i];
	const struct ma_ret_convert *c = &w->res.ret.convert;
	char why[768];

	s->fault_exits += w->fault_exits;
	if (w->res.outcome != MA_OUT_DONE) {
		ma_result_describe(&w->res, why, sizeof(why));
		ma_fail("vCPU %u did not finish its reads: %s", i, why);
		return;
	}
	s->verified += c->verified;
	s->busy += c->busy;
	s->raced += c->raced;
	s->errors += c->errors;
	MA_CHECK(!c->errors,
		 "vCPU %u: %llu reads wrong; first page %llu (gpa %#llx) read %#llx, the host had published %#llx (state %s)",
		 i, (unsigned long long)c->errors, (unsigned long long)c->first_page,
		 (unsigned long long)word_gpa(r, c->first_page), (unsigned long long)c->first_seen,
		 (unsigned long long)c->first_want,
		 r->ctrl->page[c->first_page].state == MA_CONVERT_SHARED ? "shared now" : "private now");
}

void ma_convert_race_finish(struct ma_convert_race *r, const char *name, struct ma_convert_race_stats *s)
{
	for (unsigned int i = 0; i < r->nv; i++)
		pthread_join(r->wt[i], NULL);
	atomic_store_explicit((_Atomic uint64_t *)&r->ctrl->stop, 1, memory_order_release);
	pthread_join(r->converter, NULL);
	*s = (struct ma_convert_race_stats){ .seconds = ma_now_s() - r->t0, .vcpus = r->nv,
					     .conversions = r->conversions, .punches = r->punches,
					     .noslot = r->noslot };
	if (r->err)
		ma_fatal("%s: %s", r->what, ma_errno_name(-r->err));
	for (unsigned int i = 0; i < r->nv; i++)
		judge_watcher(r, i, s);
	ma_log("memattr-metric name=%s seconds=%.2f vcpus=%u conversions=%llu conversions_per_s=%.0f punches=%llu noslot_conversions=%llu reads_verified=%llu bytes_verified=%llu reads_busy=%llu reads_raced=%llu raced_fault_exits=%llu errors=%llu",
	       name, s->seconds, s->vcpus, (unsigned long long)s->conversions, s->conversions / s->seconds,
	       (unsigned long long)s->punches, (unsigned long long)s->noslot, (unsigned long long)s->verified,
	       (unsigned long long)s->verified * 8, (unsigned long long)s->busy, (unsigned long long)s->raced,
	       (unsigned long long)s->fault_exits, (unsigned long long)s->errors);
	/* the race must have raced: conversions happened and reads were judged between them */
	MA_CHECK(s->conversions >= PAGES && s->verified >= 4 * PAGES,
		 "too little happened to judge: %llu conversions, %llu reads verified",
		 (unsigned long long)s->conversions, (unsigned long long)s->verified);
	free(r);
}
