// SPDX-License-Identifier: GPL-2.0
/* MA_AGENT_DMA_WATCH: the guest's side of a device's DMA into or out of its memory, block by block. */
#include "memattr/guest.h"

/* Wait until *w > n (or stop); 1 if it got there. */
static int wait_above(struct ma_dma_ctrl *c, uint64_t *w, uint64_t n)
{
	while (__atomic_load_n(w, __ATOMIC_ACQUIRE) <= n) {
		if (__atomic_load_n(&c->stop, __ATOMIC_RELAXED))
			return 0;
		c->waits++;
	}
	return 1;
}

void ma_agent_dma_watch(struct ma_mailbox *mb)
{
	uint64_t gva = mb->args[0], blocks = mb->args[1], bsize = mb->args[2], seed = mb->args[3];
	struct ma_dma_ctrl *c = (struct ma_dma_ctrl *)mb->args[4];
	struct ma_ret_check *r = &mb->ret.check;

	r->mismatches = 0;
	for (uint64_t b = 0; b < blocks; b++) {
		uint64_t base = gva + b * bsize;

		if (mb->args[5] == MA_DMA_PRODUCE) {
			for (uint64_t off = 0; off < bsize; off += 8)
				*(volatile uint64_t *)(base + off) = ma_pattern_word(seed, base + off);
			__atomic_store_n(&c->ready, b + 1, __ATOMIC_RELEASE);
			continue;
		}
		if (!wait_above(c, &c->ready, b))
			return;
		for (uint64_t off = 0; off < bsize; off += 8) {
			uint64_t v = *(volatile uint64_t *)(base + off);

			if (v != ma_pattern_word(seed, base + off) && !r->mismatches++) {
				r->first_off = base + off - gva;
				r->first_val = v;
			}
		}
		__atomic_store_n(&c->done, b + 1, __ATOMIC_RELEASE);
	}
}
