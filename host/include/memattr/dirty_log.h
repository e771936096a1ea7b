/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Dirty-page logging: KVM_GET_DIRTY_LOG and KVM_CLEAR_DIRTY_LOG on one memslot, and the bitmaps
 * they exchange.  A bitmap has one bit per host page of the slot (bit i of word i / 64 is page
 * i), as KVM's unsigned long bitmaps are laid out on the 64-bit little-endian hosts memattr
 * runs on.
 */
#ifndef MEMATTR_DIRTY_LOG_H
#define MEMATTR_DIRTY_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memattr/kvm.h"

/* 64-bit words of a bitmap for npages pages (KVM copies whole longs). */
static inline size_t ma_dirty_words(uint64_t npages)
{
	return (size_t)((npages + 63) / 64);
}

static inline void ma_dirty_set(uint64_t *bm, uint64_t page)
{
	bm[page / 64] |= 1ull << (page % 64);
}

static inline bool ma_dirty_test(const uint64_t *bm, uint64_t page)
{
	return (bm[page / 64] >> (page % 64)) & 1;
}

/* KVM_GET_DIRTY_LOG of a slot into bm (ma_dirty_words(npages) words): 0 or -errno. */
int ma_try_get_dirty_log(struct ma_vm *vm, uint32_t slot, uint64_t *bm);
void ma_get_dirty_log(struct ma_vm *vm, uint32_t slot, uint64_t *bm);
/*
 * KVM_CLEAR_DIRTY_LOG of num_pages pages from first_page; bit i of bm is page first_page + i.
 * 0 or -errno.
 */
int ma_try_clear_dirty_log(struct ma_vm *vm, uint32_t slot, uint64_t first_page, uint32_t num_pages,
			   const uint64_t *bm);
void ma_clear_dirty_log(struct ma_vm *vm, uint32_t slot, uint64_t first_page, uint32_t num_pages,
			const uint64_t *bm);

/*
 * Compare a bitmap with the expected one over npages pages: the number of pages whose bit
 * differs.  buf gets a description ("page 3 missing, page 5 unexpected, ...", the first few
 * of each) when they differ, "" otherwise.
 */
unsigned int ma_dirty_diff(const uint64_t *got, const uint64_t *want, uint64_t npages, char *buf, size_t len);
/* The set pages of a bitmap as a list ("0 3 17 511"; "none"), for logs. */
void ma_dirty_format(const uint64_t *bm, uint64_t npages, char *buf, size_t len);

/*
 * The guest (vCPU v) stores one word into each listed page of a slot at gpa (page numbers in units
 * of page_size; word i + 1 of the page, value tag ^ its gpa); each store must complete and show
 * through the host mapping hva of the slot.  Fails the test otherwise.
 */
void ma_guest_store_pages(struct ma_vcpu *v, uint64_t gpa, volatile uint64_t *hva, uint64_t page_size,
			  const uint64_t *pages, unsigned int n, uint64_t tag);
/* KVM_GET_DIRTY_LOG of the slot (npages pages) must give exactly want_bm; fails the test naming the
 * difference, logs the dirty pages otherwise.
 */
void ma_verify_dirty_log(struct ma_vm *vm, uint32_t slot, uint64_t npages, const uint64_t *want_bm,
			 const char *when);
/* The same with the expected pages listed. */
void ma_verify_dirty_pages(struct ma_vm *vm, uint32_t slot, uint64_t npages, const uint64_t *pages,
			   unsigned int n, const char *when);

#endif
