// SPDX-License-Identifier: GPL-2.0
/*
 * The private/shared conversion agents (KVM_SET_MEMORY_ATTRIBUTES): guest-initiated conversions,
 * and a watcher that judges every read against the state the host publishes while it converts.
 */
#include "memattr/guest.h"

static void note_bad(struct ma_mailbox *mb, uint64_t off, uint64_t v)
{
	if (!mb->ret.check.mismatches++) {
		mb->ret.check.first_off = off;
		mb->ret.check.first_val = v;
	}
}

/* ask the host to make the page at gpa private (1) or shared (0); returns when it has */
static void request(struct ma_mailbox *mb, uint64_t gpa, uint64_t to_private)
{
	mb->vals[0] = gpa;
	mb->vals[1] = to_private;
	ma_guest_call(MA_CALL_SYNC);
}

/*
 * Per page: the word holds the host's shared value S; made private it reads 0 (a fresh guest_memfd
 * page) and the guest writes Q; made shared again it reads S (the private write did not reach the
 * shared memory); private again it reads Q (guest_memfd kept it); the page ends shared.
 */
void ma_agent_convert_request(struct ma_mailbox *mb)
{
	uint64_t gva = mb->args[0], pages = mb->args[1];

	for (uint64_t p = 0; p < pages; p++) {
		uint64_t page = gva + p * 4096, off = p * 4096 + ma_convert_word_off(p);
		volatile uint64_t *w = (volatile uint64_t *)(gva + off);
		uint64_t s = ma_pattern_word(1, gva + off), q = ma_pattern_word(2, gva + off), v;

		v = *w;
		if (v != s)
			note_bad(mb, off, v);
		request(mb, page, 1);
		v = *w;
		if (v != 0)
			note_bad(mb, off, v);
		*w = q;
		request(mb, page, 0);
		v = *w;
		if (v != s)
			note_bad(mb, off, v);
		request(mb, page, 1);
		v = *w;
		if (v != q)
			note_bad(mb, off, v);
		request(mb, page, 0);
	}
}

void ma_agent_convert_watch(struct ma_mailbox *mb)
{
	uint64_t gva = mb->args[0], pages = mb->args[1];
	struct ma_convert_ctrl *c = (struct ma_convert_ctrl *)mb->args[2];
	struct ma_ret_convert *r = &mb->ret.convert;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		for (uint64_t i = 0; i < pages; i++) {
			/* each vCPU starts at its own page, so that they meet the host at different ones */
			uint64_t p = (i + mb->vcpu_index * 7) % pages;
			struct ma_convert_page *cp = &c->page[p];
			uint64_t s1, s2, want, v;

			s1 = __atomic_load_n(&cp->seq, __ATOMIC_ACQUIRE);
			if (s1 & 1) {
				r->busy++;
				continue;
			}
			want = __atomic_load_n(&cp->want, __ATOMIC_RELAXED);
			v = __atomic_load_n((uint64_t *)(gva + p * 4096 + ma_convert_word_off(p)),
					    __ATOMIC_RELAXED);
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			s2 = __atomic_load_n(&cp->seq, __ATOMIC_RELAXED);
			if (s1 != s2) {
				r->raced++;
				continue;
			}
			r->verified++;
			if (v != want && !r->errors++) {
				r->first_page = p;
				r->first_seen = v;
				r->first_want = want;
			}
		}
		r->passes++;
	}
}
