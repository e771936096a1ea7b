/* SPDX-License-Identifier: GPL-2.0 */
/* memslot suite: what differs per architecture (suites/memslot/arch/<arch>/). */
#ifndef MEMATTR_SUITE_MEMSLOT_H
#define MEMATTR_SUITE_MEMSLOT_H

#include <stdbool.h>

#include "memattr/kernel_ref.h"
#include "memattr/kvm.h"

/* The first guest-physical address a memslot of this VM may not cover. */
uint64_t ma_memslot_gpa_limit(struct ma_vm *vm);
/* The errno a memslot beyond it gets, and the kernel source that says so. */
extern const int ma_memslot_beyond_errno;
extern const char ma_memslot_beyond_source[];

/* Whether a guest read of a page whose host mapping is writable marks it dirty in a logging slot,
 * and why (*why: the rule and its kernel source).
 */
bool ma_memslot_read_marks_dirty(const char **why);

#define MA_MEMSLOT_BEYOND_SOURCE ma_memslot_beyond_source
#define MA_MEMSLOT_BEYOND_ERRNO ma_memslot_beyond_errno

#endif
