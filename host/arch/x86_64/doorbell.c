// SPDX-License-Identifier: GPL-2.0
/* The guest's call doorbell on x86: a 4-byte OUT to MA_CALL_PORT carrying the mailbox GPA. */
#include "x86.h"

bool ma_arch_is_doorbell(struct ma_vcpu *v, uint64_t *gpa)
{
	struct kvm_run *run = v->run;
	uint32_t data;

	if (run->exit_reason != KVM_EXIT_IO || run->io.direction != KVM_EXIT_IO_OUT ||
	    run->io.port != MA_CALL_PORT || run->io.size != 4 || run->io.count != 1)
		return false;
	__builtin_memcpy(&data, (const char *)run + run->io.data_offset, sizeof(data));
	*gpa = data;
	return true;
}
