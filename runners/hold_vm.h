/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MEMATTR_HOLD_VM_H
#define MEMATTR_HOLD_VM_H

/* Hold one VM with one vCPU until killed; ready_file is written once it exists (hold_vm.c). */
int ma_cell_hold_vm(const char *ready_file);

#endif
