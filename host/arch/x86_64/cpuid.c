// SPDX-License-Identifier: GPL-2.0
/* KVM_GET_SUPPORTED_CPUID on /dev/kvm, and a lookup in the result. */
#include <errno.h>
#include <stdlib.h>

#include "x86.h"

int ma_x86_try_supported_cpuid(struct kvm_cpuid2 **out)
{
	unsigned int nent = 128;

	for (;;) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));
		long r;

		if (!c)
			return -ENOMEM;
		c->nent = nent;
		r = ma_try_ioctl(ma_kvm_fd(), KVM_GET_SUPPORTED_CPUID, c);
		if (r >= 0) {
			*out = c;
			return 0;
		}
		free(c);
		if (r != -E2BIG || nent >= 4096)
			return (int)r;
		nent *= 2;
	}
}

struct kvm_cpuid_entry2 *ma_x86_cpuid_find(struct kvm_cpuid2 *c, uint32_t function, uint32_t index)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function != function)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != index)
			continue;
		return e;
	}
	return NULL;
}
