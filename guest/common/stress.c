// SPDX-License-Identifier: GPL-2.0
/*
 * The stress agents: guests that keep proving the integrity of their memory for as long as the
 * host lets them run (until the control page's stop word), publishing their progress so that the
 * host can tell a guest that stopped from a slow one.
 */
#include "memattr/guest.h"

/*
 * Pass after pass over [gva, gva + bytes): each page's words are checked against the previous
 * pass's generation (seed + pass - 1) and rewritten with this pass's (seed + pass), so that data
 * lives for a whole pass while the host changes what backs it, and a stale page (an old mapping,
 * a lost write) shows as the wrong generation.  The first pass only writes, unless the host wrote
 * seed's data (FIRST_CHECK); CHECK_ONLY never writes.
 */
void ma_agent_stress_verify(struct ma_mailbox *mb)
{
	uint64_t gva = mb->args[0], bytes = mb->args[1], seed = mb->args[3], flags = mb->args[4];
	struct ma_stress_ctrl *c = (struct ma_stress_ctrl *)mb->args[2];
	struct ma_stress_lane *lane = &c->lane[mb->vcpu_index];
	struct ma_ret_stress *r = &mb->ret.stress;
	uint64_t pages = bytes / 4096;

	for (uint64_t pass = 0; !__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE); pass++) {
		/* pass k checks generation k - 1 and writes k; FIRST_CHECK: the host wrote 0 */
		uint64_t k = pass + (flags & MA_STRESS_FIRST_CHECK ? 1 : 0);
		uint64_t want_gen = flags & MA_STRESS_CHECK_ONLY ? seed : seed + k - 1, new_gen = seed + k;
		int check = k || (flags & MA_STRESS_CHECK_ONLY);

		for (uint64_t p = 0; p < pages && !__atomic_load_n(&c->stop, __ATOMIC_RELAXED); p++) {
			uint64_t base = gva + p * 4096;

			for (uint64_t off = 0; off < 4096; off += 8) {
				volatile uint64_t *w = (volatile uint64_t *)(base + off);

				if (check) {
					uint64_t v = *w, want = ma_stress_word(want_gen, base + off, flags);

					if (v != want && !r->errors++) {
						r->first_gpa = base + off;
						r->first_seen = v;
						r->first_want = want;
						r->first_pass = pass;
					}
				}
				if (!(flags & MA_STRESS_CHECK_ONLY))
					*w = ma_stress_word(new_gen, base + off, flags);
			}
			r->ops++;
			__atomic_store_n(&lane->progress, r->ops, __ATOMIC_RELEASE);
			__atomic_store_n(&lane->errors, r->errors, __ATOMIC_RELAXED);
		}
		r->passes++;
		__atomic_store_n(&lane->passes, r->passes, __ATOMIC_RELEASE);
	}
}

/* Increments of one flavour on a shared counter, in batches, until stop: the host checks the sum. */
void ma_agent_stress_atomic(struct ma_mailbox *mb)
{
	volatile uint64_t *ctr = (volatile uint64_t *)mb->args[0];
	enum ma_atomic_flavour f = (enum ma_atomic_flavour)mb->args[1];
	struct ma_stress_ctrl *c = (struct ma_stress_ctrl *)mb->args[2];
	struct ma_stress_lane *lane = &c->lane[mb->vcpu_index];
	struct ma_ret_stress *r = &mb->ret.stress;

	if (!ma_arch_atomic_supported(f)) {
		r->unsupported = 1;
		return;
	}
	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		for (unsigned int i = 0; i < 256; i++)
			ma_arch_atomic_inc1(f, ctr);
		r->ops += 256;
		__atomic_store_n(&lane->progress, r->ops, __ATOMIC_RELEASE);
	}
}
