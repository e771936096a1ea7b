// SPDX-License-Identifier: GPL-2.0
/* The agents the host can start on a vCPU (enum ma_agent), dispatched by ma_guest_main(). */
#include "memattr/guest.h"

#define SPARSE_EDGE (64ull << 10)

/* In a sparse pass, the word of page p that is visited: a different offset in each page. */
static uint64_t sparse_offset(uint64_t p)
{
	return ((p * 72 + 8) % 4096) & ~7ull;
}

/*
 * The words of [0, bytes) a pass visits: every word, or (sparse) one word per 4 KiB page, then
 * every word of the first and the last 64 KiB.  Either way the pass starts in the second page, so
 * that the guest's first touch of a huge block is not at the block's start.
 */
static void visit_words(uint64_t bytes, int sparse, void (*fn)(uint64_t off, void *st), void *st)
{
	uint64_t pages = bytes / 4096, off, start = bytes > 4096 + 8 ? 4096 + 8 : 0;

	if (!sparse || pages < 2) {
		for (off = start; off + 8 <= bytes; off += 8)
			fn(off, st);
		for (off = 0; off < start; off += 8)
			fn(off, st);
		return;
	}
	for (uint64_t i = 1; i <= pages; i++)
		fn((i % pages) * 4096 + sparse_offset(i % pages), st);
	for (off = 0; off + 8 <= bytes && off < SPARSE_EDGE; off += 8)
		fn(off, st);
	for (off = bytes > 2 * SPARSE_EDGE ? bytes - SPARSE_EDGE : SPARSE_EDGE; off + 8 <= bytes; off += 8)
		fn(off, st);
}

struct pass {
	struct ma_mailbox *mb;
	uint64_t gva, arg, bad;
	int fill;	/* check: every word equals arg instead of the pattern of seed arg */
};

static void write_word(uint64_t off, void *st)
{
	struct pass *p = st;

	*(volatile uint64_t *)(p->gva + off) = ma_pattern_word(p->arg, p->gva + off);
}

static void check_word(uint64_t off, void *st)
{
	struct pass *p = st;
	uint64_t v = *(volatile uint64_t *)(p->gva + off);

	if (v != (p->fill ? p->arg : ma_pattern_word(p->arg, p->gva + off))) {
		if (!p->bad) {
			p->mb->ret.check.first_off = off;
			p->mb->ret.check.first_val = v;
		}
		p->bad++;
	}
}

static void write_pattern(struct ma_mailbox *mb)
{
	struct pass p = { mb, mb->args[0], mb->args[2], 0, 0 };

	visit_words(mb->args[1], mb->args[3] & MA_PASS_SPARSE, write_word, &p);
	mb->ret.write.words = mb->args[1] / 8;
}

static void check_pattern(struct ma_mailbox *mb, int fill)
{
	struct pass p = { mb, mb->args[0], mb->args[2], 0, fill };

	visit_words(mb->args[1], mb->args[3] & MA_PASS_SPARSE, check_word, &p);
	mb->ret.check.mismatches = p.bad;
}

static void atomic_inc(struct ma_mailbox *mb)
{
	enum ma_atomic_flavour f = (enum ma_atomic_flavour)mb->args[2];

	if (!ma_arch_atomic_supported(f)) {
		mb->ret.atomic.increments = 0;
		mb->ret.atomic.unsupported = 1;
		return;
	}
	volatile uint64_t *p = (volatile uint64_t *)mb->args[0];
	uint64_t n = mb->args[1], seen_others = 0, mine = 0, i;

	/*
	 * Contention proof: between two of this vCPU's increments the counter should hold what this
	 * vCPU wrote last (old + 1); any other value means another vCPU's increment landed in between.
	 * With several vCPUs, a vCPU that has seen none after its n increments goes on (up to 16 n)
	 * until it does: a loaded host may run the vCPUs one after the other at first.
	 */
	if (mb->args[3])	/* start together, so that the vCPUs really overlap */
		ma_arch_arrive_and_wait((volatile uint64_t *)mb->args[3], mb->nr_vcpus);
	for (i = 0; i < n || (mb->nr_vcpus > 1 && !seen_others && i < 16 * n); i++) {
		uint64_t old = ma_arch_atomic_inc1(f, p);

		if (i && old != mine)
			seen_others++;
		mine = old + 1;
	}
	mb->ret.atomic.increments = i;
	mb->ret.atomic.unsupported = 0;
	mb->ret.atomic.overlaps = seen_others;
}

static void probe(struct ma_mailbox *mb)
{
	uint64_t syndrome = 0, addr = 0;

	mb->ret.probe.outcome =
		ma_arch_probe(mb->args[0], (enum ma_probe_op)mb->args[1], mb->args[2], &syndrome, &addr);
	mb->ret.probe.syndrome = syndrome;
	mb->ret.probe.addr = addr;
	mb->ret.probe.vector = mb->exc.vector;
}

static void poll64(struct ma_mailbox *mb)
{
	volatile uint64_t *w = (volatile uint64_t *)mb->args[0];
	uint64_t loads = 0;

	(void)*w;
	mb->vals[0] = 1;
	ma_guest_call(MA_CALL_SYNC);
	while (*w != mb->args[1])
		loads++;
	mb->ret.poll.loads_after_sync = loads;
}

void ma_guest_main(struct ma_mailbox *mb)
{
	struct ma_guest_cpu *cpu = ma_this_cpu();

	cpu->mb = mb;
	cpu->fixup_pc = 0;
	cpu->fixup_sp = 0;
	cpu->faults = 0;
	switch (mb->agent) {
	case MA_AGENT_NOP:
		break;
	case MA_AGENT_FEATURES:
		ma_arch_features(mb->ret.features);
		break;
	case MA_AGENT_WRITE_PATTERN:
		write_pattern(mb);
		break;
	case MA_AGENT_CHECK_PATTERN:
		check_pattern(mb, 0);
		break;
	case MA_AGENT_ATOMIC_INC:
		atomic_inc(mb);
		break;
	case MA_AGENT_PROBE:
		probe(mb);
		break;
	case MA_AGENT_UNDEFINED_INSN:
		ma_arch_undefined_insn();
		break;
	case MA_AGENT_FORCE_INSN:
		ma_arch_force_insn((enum ma_atomic_flavour)mb->args[0], (volatile uint64_t *)mb->args[1]);
		break;
	case MA_AGENT_STORE64:
		*(volatile uint64_t *)mb->args[0] = mb->args[1];
		break;
	case MA_AGENT_LOAD64:
		mb->ret.load.value = *(volatile uint64_t *)mb->args[0];
		break;
	case MA_AGENT_POLL64:
		poll64(mb);
		break;
	case MA_AGENT_CHECK_FILL:
		check_pattern(mb, 1);
		break;
	case MA_AGENT_CONVERT_REQUEST:
		ma_agent_convert_request(mb);
		break;
	case MA_AGENT_CONVERT_WATCH:
		ma_agent_convert_watch(mb);
		break;
	case MA_AGENT_DMA_WATCH:
		ma_agent_dma_watch(mb);
		break;
	case MA_AGENT_GEN_WRITE:
		ma_agent_gen_write(mb);
		break;
	case MA_AGENT_STRESS_VERIFY:
		ma_agent_stress_verify(mb);
		break;
	case MA_AGENT_STRESS_ATOMIC:
		ma_agent_stress_atomic(mb);
		break;
	default:
		ma_guest_printf("unknown agent %u", mb->agent);
		GUEST_ASSERT(mb->agent < MA_AGENT_COUNT);
	}
	ma_guest_call(MA_CALL_DONE);
	ma_arch_halt();
}
