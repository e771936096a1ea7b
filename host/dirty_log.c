// SPDX-License-Identifier: GPL-2.0
/* Dirty-page logging ioctls and bitmap comparison (memattr/dirty_log.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memattr/dirty_log.h"
#include "memattr/harness.h"

int ma_try_get_dirty_log(struct ma_vm *vm, uint32_t slot, uint64_t *bm)
{
	struct kvm_dirty_log log = { .slot = slot, .dirty_bitmap = bm };

	return (int)ma_try_ioctl(vm->fd, KVM_GET_DIRTY_LOG, &log);
}

void ma_get_dirty_log(struct ma_vm *vm, uint32_t slot, uint64_t *bm)
{
	int r = ma_try_get_dirty_log(vm, slot, bm);

	if (r)
		ma_fatal("KVM_GET_DIRTY_LOG(slot %u): %s", slot, ma_errno_name(-r));
}

int ma_try_clear_dirty_log(struct ma_vm *vm, uint32_t slot, uint64_t first_page, uint32_t num_pages,
			   const uint64_t *bm)
{
	struct kvm_clear_dirty_log log = {
		.slot = slot, .first_page = first_page, .num_pages = num_pages, .dirty_bitmap = (void *)bm,
	};

	return (int)ma_try_ioctl(vm->fd, KVM_CLEAR_DIRTY_LOG, &log);
}

void ma_clear_dirty_log(struct ma_vm *vm, uint32_t slot, uint64_t first_page, uint32_t num_pages,
			const uint64_t *bm)
{
	int r = ma_try_clear_dirty_log(vm, slot, first_page, num_pages, bm);

	if (r)
		ma_fatal("KVM_CLEAR_DIRTY_LOG(slot %u, first_page %llu, num_pages %u): %s", slot,
			 (unsigned long long)first_page, num_pages, ma_errno_name(-r));
}

/* append "<sep>page N <what>" to buf, never past len */
static void note(char *buf, size_t len, size_t *at, uint64_t page, const char *what)
{
	int n;

	if (*at + 1 >= len)
		return;
	n = snprintf(buf + *at, len - *at, "%spage %llu %s", *at ? ", " : "", (unsigned long long)page, what);
	if (n > 0)
		*at = *at + (size_t)n < len ? *at + (size_t)n : len - 1;
}

unsigned int ma_dirty_diff(const uint64_t *got, const uint64_t *want, uint64_t npages, char *buf, size_t len)
{
	unsigned int missing = 0, extra = 0;
	size_t at = 0;

	if (len)
		buf[0] = '\0';
	for (uint64_t p = 0; p < npages; p++) {
		bool g = ma_dirty_test(got, p), w = ma_dirty_test(want, p);

		if (w && !g && missing++ < 8 && len)
			note(buf, len, &at, p, "missing");
		if (g && !w && extra++ < 8 && len)
			note(buf, len, &at, p, "unexpected");
	}
	if (len && (missing > 8 || extra > 8))
		snprintf(buf + at, len - at, " (%u missing, %u unexpected in all)", missing, extra);
	return missing + extra;
}

void ma_dirty_format(const uint64_t *bm, uint64_t npages, char *buf, size_t len)
{
	size_t at = 0;
	unsigned int shown = 0, more = 0;

	if (!len)
		return;
	buf[0] = '\0';
	for (uint64_t p = 0; p < npages; p++) {
		int n;

		if (!ma_dirty_test(bm, p))
			continue;
		if (shown == 32 || at + 1 >= len) {
			more++;
			continue;
		}
		n = snprintf(buf + at, len - at, "%s%llu", shown ? " " : "", (unsigned long long)p);
		if (n > 0)
			at = at + (size_t)n < len ? at + (size_t)n : len - 1;
		shown++;
	}
	if (!shown)
		snprintf(buf, len, "none");
	else if (more && at + 1 < len)
		snprintf(buf + at, len - at, " (+%u more)", more);
}

void ma_guest_store_pages(struct ma_vcpu *v, uint64_t gpa, volatile uint64_t *hva, uint64_t page_size,
			  const uint64_t *pages, unsigned int n, uint64_t tag)
{
	struct ma_result res;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t off = pages[i] * page_size + 8 * (i + 1), at = gpa + off;

		ma_run_agent_done(v, MA_AGENT_STORE64, MA_ARGS(at, tag ^ at), &res, "store to page %llu (gpa %#llx)",
				  (unsigned long long)pages[i], (unsigned long long)at);
		MA_CHECK(hva[off / 8] == (tag ^ at),
			 "the host reads %#llx at gpa %#llx after the guest stored %#llx",
			 (unsigned long long)hva[off / 8], (unsigned long long)at,
			 (unsigned long long)(tag ^ at));
	}
}

void ma_verify_dirty_log(struct ma_vm *vm, uint32_t slot, uint64_t npages, const uint64_t *want_bm,
			 const char *when)
{
	size_t words = ma_dirty_words(npages);
	uint64_t *got = malloc(words * sizeof(*got));
	char diff[256], list[256];

	if (!got)
		ma_fatal("out of memory for a %zu-word dirty bitmap", words);
	memset(got, 0xa5, words * sizeof(*got));	/* KVM must write every word */
	ma_get_dirty_log(vm, slot, got);
	ma_dirty_format(got, npages, list, sizeof(list));
	if (ma_dirty_diff(got, want_bm, npages, diff, sizeof(diff)))
		ma_fail("KVM_GET_DIRTY_LOG %s: %s (dirty: %s)", when, diff, list);
	else
		ma_log("KVM_GET_DIRTY_LOG %s: %s", when, list);
	free(got);
}

void ma_verify_dirty_pages(struct ma_vm *vm, uint32_t slot, uint64_t npages, const uint64_t *pages,
			   unsigned int n, const char *when)
{
	uint64_t *want = calloc(ma_dirty_words(npages), sizeof(*want));

	if (!want)
		ma_fatal("out of memory for a dirty bitmap of %llu pages", (unsigned long long)npages);
	for (unsigned int i = 0; i < n; i++)
		ma_dirty_set(want, pages[i]);
	ma_verify_dirty_log(vm, slot, npages, want, when);
	free(want);
}
