// SPDX-License-Identifier: GPL-2.0
/*
 * MA_AGENT_GEN_WRITE: generation-tagged writes over the pages a vCPU owns, with a record per page
 * in guest memory, and the check of every owned page against its record (abi.h: struct
 * ma_gen_ctrl).  Written for migration tests (a page the host failed to copy holds an older
 * generation than its record, and the check names its gpa) and for load tests that need the same.
 */
#include "memattr/guest.h"

#define WORDS_PER_PAGE 512u

struct gen_run {
	struct ma_mailbox *mb;
	uint64_t gva, pages, index, count, seed;
	volatile struct ma_gen_ctrl *ctrl;
};

/* complete every store before the host is told (a DSB: the host may read through another alias) */
static void complete_stores(void)
{
#if defined(__aarch64__)
	__asm__ volatile("dsb sy" ::: "memory");
#else
	__asm__ volatile("mfence" ::: "memory");
#endif
}

static void note_bad(struct gen_run *r, uint64_t gpa, uint64_t seen, uint64_t want)
{
	struct ma_ret_gen *g = &r->mb->ret.gen;

	if (!g->bad) {
		g->first_bad_gpa = gpa;
		g->first_seen = seen;
		g->first_want = want;
	}
	g->bad++;
}

static void check_page(struct gen_run *r, uint64_t p)
{
	volatile uint64_t *w = (volatile uint64_t *)(r->gva + p * 4096);
	uint64_t gpa = r->gva + p * 4096, want = r->ctrl->gen[p];
	uint64_t w0 = w[0], w1 = w[1], wl = w[WORDS_PER_PAGE - 1];

	r->mb->ret.gen.verified++;
	if (!want) {
		if (w0 || w1 || wl)
			note_bad(r, gpa, w1 ? w1 : w0, 0);
		return;
	}
	if (w0 != gpa)
		note_bad(r, gpa, w0, gpa);
	else if (w1 != want || wl != ma_gen_word(r->seed, want, gpa))
		note_bad(r, gpa, w1, want);
}

static void sweep(struct gen_run *r)
{
	for (uint64_t p = r->index; p < r->pages; p += r->count)
		check_page(r, p);
	r->mb->ret.gen.sweeps++;
}

static void write_page(struct gen_run *r, uint64_t p)
{
	volatile uint64_t *w = (volatile uint64_t *)(r->gva + p * 4096);
	uint64_t gpa = r->gva + p * 4096, g = r->ctrl->gen[p] + 1;

	w[1] = g;
	w[WORDS_PER_PAGE - 1] = ma_gen_word(r->seed, g, gpa);
	w[0] = gpa;
	r->ctrl->gen[p] = g;
	r->mb->ret.gen.writes++;
}

void ma_agent_gen_write(struct ma_mailbox *mb)
{
	struct gen_run r = {
		.mb = mb,
		.gva = mb->args[0],
		.pages = mb->args[1],
		.index = mb->args[2],
		.count = mb->args[3],
		.seed = mb->args[4],
		.ctrl = (volatile struct ma_gen_ctrl *)mb->args[5],
	};
	uint64_t passes = mb->args[6], flags = mb->args[7], epoch = r.ctrl->epoch;

	if (!r.count) { /* this vCPU's share of the VM's vCPUs */
		r.index = mb->vcpu_index;
		r.count = mb->nr_vcpus;
	}
	GUEST_ASSERT(r.index < r.count);
	if (flags & (MA_GEN_VERIFY_FIRST | MA_GEN_VERIFY_ONLY))
		sweep(&r);
	if (flags & MA_GEN_VERIFY_ONLY) {
		complete_stores();
		return;
	}
	for (uint64_t pass = 0; !passes || pass < passes; pass++) {
		for (uint64_t p = r.index; p < r.pages; p += r.count) {
			if (r.ctrl->stop)
				goto out;
			if (r.ctrl->epoch != epoch) {
				epoch = r.ctrl->epoch;
				sweep(&r);
			}
			write_page(&r, p);
		}
		mb->ret.gen.passes++;
	}
out:
	sweep(&r);
	complete_stores();
}
