// SPDX-License-Identifier: GPL-2.0
/* x86_64: a guest read in a logging slot dirties a page whose host mapping is writable (7.2.13). */
#include "../../memslot.h"

/*
 * x86 maps a host-writable page writable at once, and a writable SPTE in a logging slot is marked
 * dirty (arch/x86/kvm/mmu/spte.c: make_spte -> mark_page_dirty_in_slot).
 */
bool ma_memslot_read_marks_dirty(const char **why)
{
	*why = "x86 maps a host-writable page writable at once: arch/x86/kvm/mmu/spte.c:make_spte";
	return true;
}
