// SPDX-License-Identifier: GPL-2.0
/*
 * Test-scoped set-up: what nearly every test body starts with, in one call each.  Nothing here is
 * torn down by the test: a test runs in its own process, and its exit releases its VMs (the last
 * close of the VM fd destroys the VM in the kernel), mappings and files.  A test destroys
 * explicitly only when the order of teardown is what it checks.
 */
#include "memattr/gmem.h"
#include "memattr/harness.h"
#include "memattr/kvm.h"

#include <stdlib.h>

struct ma_vm *ma_test_vm_opts(const struct ma_vm_opts *opts, unsigned int nr_vcpus)
{
	struct ma_vm *vm;

	if (nr_vcpus > MA_MAX_VCPUS)
		ma_fatal("a test VM with %u vCPUs: at most %u", nr_vcpus, MA_MAX_VCPUS);
	vm = ma_vm_create(opts);
	for (unsigned int i = 0; i < nr_vcpus; i++)
		ma_vcpu_add(vm);
	return vm;
}

struct ma_vm *ma_test_vm(unsigned int nr_vcpus)
{
	return ma_test_vm_opts(NULL, nr_vcpus);
}

struct ma_mem *ma_test_mem(struct ma_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size,
			   enum ma_backing kind, enum ma_memtype mt)
{
	struct ma_mem *m = calloc(1, sizeof(*m));

	if (!m)
		ma_fatal("out of memory for a %s region", ma_backing_name(kind));
	ma_mem_alloc(m, kind, size, vm);
	if (!m->hva)
		ma_fatal("%s memory of %#llx bytes has no host mapping for a memslot", ma_backing_name(kind),
			 (unsigned long long)size);
	if (kind == MA_BACK_GUEST_MEMFD)
		ma_add_gmem_slot(vm, slot, gpa, size, m->hva, m->fd, 0);
	else
		ma_add_slot(vm, slot, 0, gpa, size, m->hva);
	ma_map(vm, gpa, gpa, size, mt);
	return m;
}
