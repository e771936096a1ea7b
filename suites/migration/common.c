// SPDX-License-Identifier: GPL-2.0
/*
 * migration suite: the engine the tests share.  A source VM (system slot, data slot, control slot,
 * all logged) runs MA_AGENT_GEN_WRITE on every vCPU; the host copies the slots into a destination
 * VM's memory in rounds while the guest writes, the way a VMM's pre-copy does, stops the vCPUs
 * (the run's deadline kicks them out of KVM_RUN wherever they are), copies the last dirty set,
 * moves the vCPU state, and resumes the destination where the source stopped.  Expectations:
 * Linux 7.2.13, virt/kvm/kvm_main.c and virt/kvm/dirty_ring.c unless named otherwise.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "memattr/dirty_log.h"
#include "memattr/util.h"
#include "migration.h"
#include "../memslot/hostmm.h"

long long mig_now_us(void)
{
	return (long long)(ma_now_s() * 1e6);
}

const char *mig_mode_name(enum mig_mode m)
{
	return m == MIG_GET ? "get_dirty_log" : m == MIG_CLEAR ? "clear_dirty_log" : "dirty_ring";
}

void mig_alloc_data(struct ma_mem *m, enum ma_backing kind)
{
	ma_mem_alloc(m, kind, MIG_DATA_SIZE, NULL);
	/* "anon" is the small-page case: with THP "always" the range could get a huge page */
	if (kind == MA_BACK_ANON && madvise(m->hva, m->size, MADV_NOHUGEPAGE))
		ma_fatal("madvise(MADV_NOHUGEPAGE): %s", ma_errno_name(errno));
	memset(m->hva, 0, m->size);
	ms_prove_backing(kind, m->hva, m->size, "after the host zeroed it");
}

static uint64_t owned(uint64_t pages, unsigned int i, unsigned int nv)
{
	return (pages + nv - 1 - i) / nv;
}

static void enable_ring(struct ma_vm *vm)
{
	const uint64_t bytes = MIG_RING_ENTRIES * sizeof(struct kvm_dirty_gfn);
#if defined(__aarch64__)
	const long cap = KVM_CAP_DIRTY_LOG_RING_ACQ_REL;
	const char *name = "KVM_CAP_DIRTY_LOG_RING_ACQ_REL";
#else
	const long cap = KVM_CAP_DIRTY_LOG_RING;
	const char *name = "KVM_CAP_DIRTY_LOG_RING";
#endif
	long max = ma_vm_cap(vm, cap);

	if ((uint64_t)max < bytes)
		ma_skip("%s = %ld: a ring of %llu bytes per vCPU is not offered", name, max,
			(unsigned long long)bytes);
	/* KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP needs a VM without memslots (kvm_vm_ioctl_enable_cap_generic) */
	MA_ASSERT_EQ(ma_try_delete_slot(vm, MA_SYS_SLOT), 0);
	MA_ASSERT_EQ(ma_try_vm_enable_cap(vm, (uint32_t)cap, bytes), 0);
#if defined(__aarch64__)
	/* arm64 selects NEED_KVM_DIRTY_RING_WITH_BITMAP: the ring is used with the bitmap */
	if (ma_vm_cap(vm, KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP) != 1)
		ma_fatal("KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP reads %ld on arm64 (virt/kvm/kvm_main.c:kvm_vm_ioctl_check_extension_generic: 1 with CONFIG_NEED_KVM_DIRTY_RING_WITH_BITMAP)",
			 ma_vm_cap(vm, KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP));
	MA_ASSERT_EQ(ma_try_vm_enable_cap(vm, KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP, 0), 0);
#endif
}

static void set_slots(struct mig *m)
{
	struct mig_slot *s = m->s;

	s[0] = (struct mig_slot){ .slot = MA_SYS_SLOT,
				  .npages = MA_SYS_SIZE / m->hpage,
				  .src = m->src.vm->sys.hva };
	s[1] = (struct mig_slot){ .slot = MIG_DATA_SLOT,
				  .npages = MIG_DATA_SIZE / m->hpage,
				  .src = m->src.data.hva };
	s[2] = (struct mig_slot){ .slot = MIG_CTRL_SLOT,
				  .npages = MIG_CTRL_SIZE / m->hpage,
				  .src = m->src.ctrl.hva };
	for (unsigned int i = 0; i < 3; i++) {
		s[i].bm = calloc(ma_dirty_words(s[i].npages), 8);
		if (!s[i].bm)
			ma_fatal("out of memory for a dirty bitmap");
	}
}

void mig_make_source(struct mig *m, const struct mig_case *c, unsigned int nv)
{
	struct ma_vm *vm;

	m->mode = c->mode;
	m->kind = c->kind;
	m->nv = nv;
	m->hpage = ma_host_page_size();
	if (m->hpage != 4096)
		ma_skip("host page size %llu: the guest's pages are 4 KiB and the copy is per host page",
			(unsigned long long)m->hpage);
	if (c->kind == MA_BACK_HUGETLB)
		ms_need_hugepages(2); /* source and destination */
	vm = ma_vm_create(NULL);
	m->src.vm = vm;
	if (c->mode == MIG_RING)
		enable_ring(vm);
	if (c->mode == MIG_CLEAR)
		MA_ASSERT_EQ(ma_try_vm_enable_cap(vm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
						  KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE),
			     0);
	/* the system slot (image, stacks, mailboxes, page tables) is migrated like the rest */
	ma_add_slot(vm, MA_SYS_SLOT, KVM_MEM_LOG_DIRTY_PAGES, MA_SYS_GPA, MA_SYS_SIZE, vm->sys.hva);
	for (unsigned int i = 0; i < nv; i++)
		ma_vcpu_add(vm);
	mig_alloc_data(&m->src.data, c->kind);
	ma_mem_alloc(&m->src.ctrl, MA_BACK_ANON, MIG_CTRL_SIZE, NULL);
	ma_add_slot(vm, MIG_DATA_SLOT, KVM_MEM_LOG_DIRTY_PAGES, MIG_DATA_GPA, MIG_DATA_SIZE, m->src.data.hva);
	ma_add_slot(vm, MIG_CTRL_SLOT, KVM_MEM_LOG_DIRTY_PAGES, MIG_CTRL_GPA, MIG_CTRL_SIZE, m->src.ctrl.hva);
	ma_map(vm, MIG_DATA_GPA, MIG_DATA_GPA, MIG_DATA_SIZE, c->mt);
	ma_map(vm, MIG_CTRL_GPA, MIG_CTRL_GPA, MIG_CTRL_SIZE, MA_MT_NORMAL_WB);
	if (c->mode == MIG_RING) {
		for (unsigned int i = 0; i < nv; i++) {
			void *p = mmap(NULL, MIG_RING_ENTRIES * sizeof(struct kvm_dirty_gfn),
				       PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpus[i]->fd,
				       KVM_DIRTY_LOG_PAGE_OFFSET * m->hpage);

			if (p == MAP_FAILED)
				ma_fatal("mmap of vCPU %u's dirty ring: %s", i, ma_errno_name(errno));
			m->ring[i] = p;
		}
	}
	set_slots(m);
}

void mig_make_dest(struct mig *m)
{
	struct ma_vm *vm = ma_vm_create(NULL);

	m->dst.vm = vm;
	for (unsigned int i = 0; i < m->nv; i++)
		ma_vcpu_add(vm);
	mig_alloc_data(&m->dst.data, m->kind);
	ma_mem_alloc(&m->dst.ctrl, MA_BACK_ANON, MIG_CTRL_SIZE, NULL);
	ma_add_slot(vm, MIG_DATA_SLOT, 0, MIG_DATA_GPA, MIG_DATA_SIZE, m->dst.data.hva);
	ma_add_slot(vm, MIG_CTRL_SLOT, 0, MIG_CTRL_GPA, MIG_CTRL_SIZE, m->dst.ctrl.hva);
	m->s[0].dst = vm->sys.hva;
	m->s[1].dst = m->dst.data.hva;
	m->s[2].dst = m->dst.ctrl.hva;
}

static struct mig_slot *slot_of(struct mig *m, uint32_t slot)
{
	for (unsigned int i = 0; i < 3; i++)
		if (m->s[i].slot == slot)
			return &m->s[i];
	return NULL;
}

/* Collect every vCPU's ring entries into the slots' bitmaps and reset them (KVM_RESET_DIRTY_RINGS). */
static void harvest(struct mig *m)
{
	uint64_t n = 0, bad = 0, bad_slot = 0, bad_off = 0;
	long r;

	for (unsigned int v = 0; v < m->nv; v++) {
		for (;;) {
			struct kvm_dirty_gfn *e = &m->ring[v][m->fetch[v] % MIG_RING_ENTRIES];
			uint32_t flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
			struct mig_slot *s;

			if (!(flags & KVM_DIRTY_GFN_F_DIRTY))
				break;
			s = slot_of(m, e->slot & 0xffff);
			if (s && e->offset < s->npages && !(e->slot >> 16)) {
				ma_dirty_set(s->bm, e->offset);
			} else if (!bad++) {
				bad_slot = e->slot;
				bad_off = e->offset;
			}
			__atomic_store_n(&e->flags, KVM_DIRTY_GFN_F_RESET, __ATOMIC_RELEASE);
			m->fetch[v]++;
			n++;
		}
	}
	MA_CHECK(!bad, "%llu dirty ring entries name no page of a logged slot, first slot %#llx offset %llu",
		 (unsigned long long)bad, (unsigned long long)bad_slot, (unsigned long long)bad_off);
	r = ma_try_ioctl(m->src.vm->fd, KVM_RESET_DIRTY_RINGS, NULL);
	/* kvm_vm_ioctl_reset_dirty_pages: the number of harvested entries it reset, all of them */
	MA_CHECK(r == (long)n, "KVM_RESET_DIRTY_RINGS: %s, expected the %llu entries harvested",
		 ma_long_str(r), (unsigned long long)n);
	m->harvested += n;
}

/*
 * The copy of a page the guest maps Normal-NC without FWB: what the host's cacheable alias reads
 * first, then the read after a clean and invalidate to the PoC, which is what is copied (the
 * source's host never writes the page, so the clean writes nothing back).  In the final round,
 * with the guest stopped, a first read that differs is counted: a stale line of the alias, which
 * the architecture allows (mismatched attributes), so a figure and not a verdict.
 */
static void copy_cleaned(struct mig *m, uint8_t *dst, const uint8_t *src)
{
	memcpy(dst, src, m->hpage);
	mig_arch_dc_civac(src, m->hpage);
	if (m->stopped && memcmp(dst, src, m->hpage))
		m->stale_pages++;
	memcpy(dst, src, m->hpage);
}

/* One copy round: which pages are dirty (or all), then their copy; the number of pages copied. */
static uint64_t round_copy(struct mig *m, bool all)
{
	uint64_t n = 0;

	if (m->mode == MIG_RING)
		harvest(m);
	for (unsigned int i = 0; i < 3; i++) {
		struct mig_slot *s = &m->s[i];

		if (m->mode != MIG_RING) {
			/* without manual protect, GET returns the bitmap and write-protects those
			 * pages again (kvm_get_dirty_log_protect); with it, CLEAR does
			 * (kvm_clear_dirty_log_protect): either way before the copy, so a write
			 * after it is in the next round
			 */
			ma_get_dirty_log(m->src.vm, s->slot, s->bm);
			if (m->mode == MIG_CLEAR)
				ma_clear_dirty_log(m->src.vm, s->slot, 0, (uint32_t)s->npages, s->bm);
		}
		for (uint64_t p = 0; p < s->npages; p++) {
			if (!all && !ma_dirty_test(s->bm, p))
				continue;
			if (m->civac && s->slot == MIG_DATA_SLOT)
				copy_cleaned(m, s->dst + p * m->hpage, s->src + p * m->hpage);
			else
				memcpy(s->dst + p * m->hpage, s->src + p * m->hpage, m->hpage);
			n++;
		}
		memset(s->bm, 0, ma_dirty_words(s->npages) * 8);
	}
	if (m->rounds < MA_ARRAY_SIZE(m->round_pages))
		m->round_pages[m->rounds] = n;
	m->rounds++;
	m->copied += n;
	return n;
}

struct runner {
	struct ma_vcpu *v;
	unsigned int ms;
	struct ma_result res;
	long long end_us;
	int done;
};

static void *run_thread(void *p)
{
	struct runner *r = p;

	ma_vcpu_resume(r->v, r->ms, &r->res);
	r->end_us = mig_now_us();
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void start_threads(struct runner *r, pthread_t *th, unsigned int nv)
{
	for (unsigned int i = 0; i < nv; i++) {
		int e = pthread_create(&th[i], NULL, run_thread, &r[i]);

		if (e)
			ma_fatal("pthread_create for vCPU %u: %s", i, ma_errno_name(e));
	}
}

static bool all_done(struct runner *r, unsigned int nv)
{
	for (unsigned int i = 0; i < nv; i++)
		if (!__atomic_load_n(&r[i].done, __ATOMIC_ACQUIRE))
			return false;
	return true;
}

void mig_precopy(struct mig *m, unsigned int run_ms)
{
	struct ma_vm *vm = m->src.vm;
	struct runner r[MA_MAX_VCPUS];
	pthread_t th[MA_MAX_VCPUS];
	uint64_t during = 0, writes = 0;
	long long until;

	mig_make_dest(m);
	memset(r, 0, sizeof(r));
	for (unsigned int i = 0; i < m->nv; i++) {
		ma_vcpu_start(vm->vcpus[i], MA_AGENT_GEN_WRITE,
			      MA_ARGS(MIG_DATA_GPA, MIG_PAGES, i, m->nv, MIG_SEED, MIG_CTRL_GPA, 0, 0));
		r[i].v = vm->vcpus[i];
		r[i].ms = ma_default_run_timeout_ms() * 3;
	}
	m->t_start_us = mig_now_us();
	until = m->t_start_us + run_ms * 1000ll;
	start_threads(r, th, m->nv);
	/*
	 * Round 0 copies everything (and resets the dirty state), then only what was dirtied, for
	 * run_ms and at least MIG_MIN_ROUNDS rounds (a round's ioctls kick the vCPUs, which can take
	 * long under TCG), as long as the vCPUs run.
	 */
	round_copy(m, true);
	while (!all_done(r, m->nv) && (mig_now_us() < until || m->rounds < MIG_MIN_ROUNDS) &&
	       m->rounds < MA_ARRAY_SIZE(m->round_pages) - 1) {
		usleep(20000);
		during += round_copy(m, false);
	}
	/* the stop: every vCPU kicked out of KVM_RUN wherever its guest is */
	m->t_stop_us = mig_now_us();
	while (!all_done(r, m->nv)) {
		for (unsigned int i = 0; i < m->nv; i++)
			if (!__atomic_load_n(&r[i].done, __ATOMIC_ACQUIRE))
				ma_vcpu_stop(vm->vcpus[i]);
		usleep(1000);
	}
	for (unsigned int i = 0; i < m->nv; i++) {
		char why[768];

		pthread_join(th[i], NULL);
		ma_result_describe(&r[i].res, why, sizeof(why));
		/* the guest must still have been writing when it was stopped */
		MA_CHECK(r[i].res.outcome == MA_OUT_STOPPED, "source vCPU %u: %s, expected to be stopped while writing",
			 i, why);
		ma_vcpu_complete_pending(vm->vcpus[i]);
		m->src_ret[i] = vm->vcpus[i]->mbox->ret.gen;
		writes += m->src_ret[i].writes;
	}
	if (ma_failed())
		ma_end();
	m->stopped = true;
	m->last_pages = round_copy(m, false);
	if (m->mode == MIG_RING) {
#if defined(__aarch64__)
		/*
		 * With the ring and its bitmap, only writes without a running vCPU go to the bitmap
		 * (kvm_main.c:mark_page_dirty_in_slot); this VM has none (no ITS), so the bitmap collected
		 * after the stop must be empty.
		 */
		for (unsigned int i = 0; i < 3; i++)
			ma_verify_dirty_pages(vm, m->s[i].slot, m->s[i].npages, NULL, 0,
					      "after the stop (ring with bitmap)");
#else
		/* a ring without the bitmap: kvm_get_dirty_log_protect refuses (kvm_use_dirty_bitmap) */
		MA_EXPECT_ERRNO(ma_try_get_dirty_log(vm, MIG_DATA_SLOT, m->s[1].bm), ENXIO);
#endif
	}
	ma_log("source stopped after %lld ms: %u rounds, %llu pages copied (%llu while the guest ran, %llu after the stop), %llu page writes by the guest",
	       (m->t_stop_us - m->t_start_us) / 1000, m->rounds, (unsigned long long)m->copied,
	       (unsigned long long)during, (unsigned long long)m->last_pages, (unsigned long long)writes);
	/* the guest wrote on while rounds ran: the rounds after the first must have found dirty pages */
	MA_CHECK(m->rounds >= MIG_MIN_ROUNDS + 1 && during > 0,
		 "%u rounds, %llu pages dirty after the first while the guest made %llu page writes",
		 m->rounds, (unsigned long long)during, (unsigned long long)writes);
}

void mig_judge_dest(struct ma_vm *vm, const struct ma_result *res, const struct ma_ret_gen *before,
		    unsigned int nv, uint64_t pages)
{
	for (unsigned int i = 0; i < nv; i++) {
		const struct ma_ret_gen *g = &res[i].ret.gen, *b = &before[i];
		uint64_t own = owned(pages, i, nv);
		char why[768];

		ma_result_describe(&res[i], why, sizeof(why));
		MA_CHECK(res[i].outcome == MA_OUT_DONE, "destination vCPU %u: %s", i, why);
		if (res[i].outcome != MA_OUT_DONE)
			continue;
		MA_CHECK(g->bad == 0,
			 "vCPU %u: after the migration the guest found %llu page checks failing; first at gpa %#llx: read %#llx, recorded %#llx",
			 i, (unsigned long long)g->bad, (unsigned long long)g->first_bad_gpa,
			 (unsigned long long)g->first_seen, (unsigned long long)g->first_want);
		MA_CHECK(g->sweeps == b->sweeps + 2 && g->verified == b->verified + 2 * own,
			 "vCPU %u: %llu sweeps and %llu page checks after the resume, expected 2 and %llu (the epoch change and the final one over %llu pages)",
			 i, (unsigned long long)(g->sweeps - b->sweeps),
			 (unsigned long long)(g->verified - b->verified), (unsigned long long)(2 * own),
			 (unsigned long long)own);
		MA_CHECK(g->writes >= b->writes + own,
			 "vCPU %u: %llu page writes after the resume, expected at least a pass (%llu)", i,
			 (unsigned long long)(g->writes - b->writes), (unsigned long long)own);
	}
}

void mig_resume_and_check(struct ma_vm *vm, volatile struct ma_gen_ctrl *ctrl,
			  const struct ma_ret_gen *before, unsigned int nv, uint64_t pages,
			  long long *t_resume_us)
{
	struct ma_ret_gen snap[MA_MAX_VCPUS];
	struct runner r[MA_MAX_VCPUS];
	struct ma_result res[MA_MAX_VCPUS];
	pthread_t th[MA_MAX_VCPUS];
	long long deadline;

	memset(r, 0, sizeof(r));
	for (unsigned int i = 0; i < nv; i++) {
		snap[i] = vm->vcpus[i]->mbox->ret.gen;
		if (before)
			MA_CHECK(!memcmp(&snap[i], &before[i], sizeof(snap[i])),
				 "vCPU %u: the destination's mailbox holds %llu page writes, the source's %llu",
				 i, (unsigned long long)snap[i].writes, (unsigned long long)before[i].writes);
		r[i].v = vm->vcpus[i];
		r[i].ms = 0;
	}
	/* the guest checks every page it owns at the next page boundary */
	ctrl->epoch++;
	*t_resume_us = mig_now_us();
	start_threads(r, th, nv);
	deadline = mig_now_us() + 1000000ll * ma_default_run_timeout_ms() / 2000;
	for (;;) {
		bool more = false;

		for (unsigned int i = 0; i < nv; i++) {
			volatile struct ma_mailbox *mb = vm->vcpus[i]->mbox;

			if (mb->ret.gen.writes < snap[i].writes + owned(pages, i, nv) &&
			    !__atomic_load_n(&r[i].done, __ATOMIC_ACQUIRE))
				more = true;
		}
		if (!more || mig_now_us() > deadline)
			break;
		usleep(10000);
	}
	ctrl->stop = 1;
	for (unsigned int i = 0; i < nv; i++) {
		pthread_join(th[i], NULL);
		res[i] = r[i].res;
	}
	mig_judge_dest(vm, res, snap, nv, pages);
}

void mig_switch_and_verify(struct mig *m, const char *name)
{
	struct ma_vcpu_state st[MA_MAX_VCPUS];
	struct ma_vstate_finding f[8];
	long long t_resume;
	uint64_t verified = 0;

	for (unsigned int i = 0; i < m->nv; i++)
		ma_vcpu_state_save(m->src.vm->vcpus[i], &st[i]);
	/* nothing of the source is left: the destination runs on what was copied */
	ma_vm_destroy(m->src.vm);
	ma_mem_free(&m->src.data);
	ma_mem_free(&m->src.ctrl);
	m->src.vm = NULL;
	ma_mig_prime_stage2(m->dst.vm);
	for (unsigned int i = 0; i < m->nv; i++) {
		unsigned int bad =
			ma_arch_vcpu_state_restore(m->dst.vm->vcpus[i], &st[i], f, MA_ARRAY_SIZE(f));

		MA_CHECK(bad == 0, "vCPU %u: the destination refused %u of %u state items, first %s: %s", i,
			 bad, st[i].n, bad ? f[0].what : "", bad ? ma_errno_name(f[0].err) : "");
		ma_vstate_free(&st[i]);
	}
	if (ma_failed())
		ma_end();
	mig_resume_and_check(m->dst.vm, m->dst.ctrl.hva, m->src_ret, m->nv, MIG_PAGES, &t_resume);
	m->t_resume_us = t_resume;
	for (unsigned int i = 0; i < m->nv; i++)
		verified += 2 * owned(MIG_PAGES, i, m->nv);
	mig_metrics(m, name, verified);
}

void mig_metrics(const struct mig *m, const char *name, uint64_t verified)
{
	uint64_t max = 0, sum = 0;
	unsigned int shown = m->rounds < 12 ? m->rounds : 12, n = 0;
	char per[256] = "";
	size_t at = 0;

	for (unsigned int i = 0; i < m->rounds && i < MA_ARRAY_SIZE(m->round_pages); i++, n++) {
		if (i < shown && at + 24 < sizeof(per))
			at += (size_t)snprintf(per + at, sizeof(per) - at, "%s%llu", i ? "," : "",
					       (unsigned long long)m->round_pages[i]);
		if (i && m->round_pages[i] > max)
			max = m->round_pages[i];
		if (i)
			sum += m->round_pages[i];
	}
	if (m->rounds > shown && at + 8 < sizeof(per))
		snprintf(per + at, sizeof(per) - at, ",...");
	ma_log("memattr-metric name=%s mode=%s backing=%s pages_verified=%llu rounds=%u pages_per_round=%s pages_per_round_mean=%llu pages_per_round_max=%llu copied_pages=%llu final_round_pages=%llu ring_entries=%llu downtime_us=%lld wall_ms=%lld",
	       name, mig_mode_name(m->mode), ma_backing_name(m->kind), (unsigned long long)verified,
	       m->rounds, per, (unsigned long long)(n > 1 ? sum / (n - 1) : 0), (unsigned long long)max,
	       (unsigned long long)m->copied, (unsigned long long)m->last_pages,
	       (unsigned long long)m->harvested, m->t_resume_us - m->t_stop_us,
	       (mig_now_us() - m->t_start_us) / 1000);
}
