/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel release the suites' expectations were written against and checked on.  Every .source
 * and rule text names it through this one constant:
 *   .source = "virt/kvm/kvm_main.c:check_memory_region_flags (" MA_KERNEL_REF ")"
 */
#ifndef MEMATTR_KERNEL_REF_H
#define MEMATTR_KERNEL_REF_H

#define MA_KERNEL_REF "7.2.13"

#endif
