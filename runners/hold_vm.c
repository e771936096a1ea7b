// SPDX-License-Identifier: GPL-2.0
/*
 * memattr-cellinfo --hold-vm FILE: keep one VM with one vCPU alive until killed, after writing
 * FILE once it exists.
 *
 * Why (x86_64 lab cells): creating the first VM and destroying the last one flip static keys that
 * live in the scheduler and in KVM (preempt_notifier_key: virt/kvm/kvm_main.c:kvm_create_vm /
 * kvm_destroy_vm -> kernel/sched/core.c:preempt_notifier_inc/dec; kvm_has_noapic_vcpu:
 * arch/x86/kvm/lapic.c), and x86 patches the kernel text for each flip with int3 breakpoints
 * (text_poke_bp).  Under QEMU TCG with several vCPUs that patching can leave another CPU executing
 * a stale int3 ("Oops: int3" in __schedule, seen once in a lab run), which panics the cell.  With
 * one VM held for the whole run the keys never go back to 0, so no test's VM flips them.
 */
#include <stdio.h>
#include <unistd.h>

#include "memattr/kvm.h"
#include "hold_vm.h"

int ma_cell_hold_vm(const char *ready_file)
{
	struct ma_vm *vm = ma_vm_create(NULL);	/* exits naming the call if KVM refuses */
	FILE *f;

	ma_vcpu_add(vm);
	f = fopen(ready_file, "w");
	if (!f) {
		perror(ready_file);
		return 1;
	}
	fprintf(f, "vm fd %d\n", vm->fd);
	fclose(f);
	for (;;)
		pause();
}
