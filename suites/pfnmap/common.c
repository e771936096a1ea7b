// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap: memslots over VM_PFNMAP mappings (udmabuf, /dev/mem over a carve-out, the fixture
 * module's cacheable / NC / Device carve-out, PCI BARs through sysfs and vfio-pci) and what the
 * guest observes through them.  Expectations: Linux 7.2.13, per architecture in arch/<arch>/.
 * This file: what the tests share.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#include "pfnmap.h"

void pfn_open(const struct src_case *c, size_t size, void *fixed, struct ma_pfnmap *p)
{
	struct ma_pfnmap_req rq = { .kind = c->kind, .size = size, .private_map = c->private_map, .fixed = fixed };
	const char *why = "";
	int r = ma_try_pfnmap_open(p, &rq, &why);

	if (r == -ENODEV || r == -ENOSPC)
		ma_skip("%s", why);
	if (r)
		ma_fatal("opening PFNMAP source %s (%s): %s: %s", ma_pfnmap_name(c->kind),
			 c->private_map ? "MAP_PRIVATE" : "MAP_SHARED", why, ma_errno_name(-r));
	ma_log("source %s: %s%s", ma_pfnmap_name(c->kind), p->desc, c->private_map ? ", MAP_PRIVATE" : "");
}

void pfn_add_slot(struct ma_vm *vm, uint32_t slot, uint64_t gpa, const struct ma_pfnmap *p)
{
	const char *src;
	int r = ma_try_add_slot(vm, slot, 0, gpa, p->size, p->hva);

	if (!r)
		return;
	if (r == -ma_pfnmap_expected_slot_errno(vm, p, 0, &src))
		ma_skip("memslot refused as expected (%s): %s", ma_errno_name(-r), src);
	ma_fatal("memslot over %s: %s", ma_pfnmap_name(p->kind), ma_errno_name(-r));
}

void *pfn_hole(size_t size, size_t align)
{
	char *h = mmap(NULL, size + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t a;

	if (h == MAP_FAILED)
		ma_fatal("reserving %zu bytes of address space: %s", size + align, ma_errno_name(errno));
	a = ((uintptr_t)h + align - 1) & ~(uintptr_t)(align - 1);
	munmap(h, size + align);
	return (void *)a;
}

enum ma_outcome pfn_run(struct ma_vcpu *v, enum ma_agent a, uint64_t x, uint64_t y, struct ma_result *res)
{
	return ma_vcpu_run_agent(v, a, (uint64_t[]){ x, y }, 2, 0, res);
}

bool pfn_guest_can_access(struct ma_vm *vm, struct ma_vcpu *v, const struct ma_pfnmap *p, uint64_t gpa)
{
	const char *src = "";
	int want = ma_pfnmap_expected_run_errno(vm, p, &src);
	struct ma_result res;
	char why[768];

	if (!want)
		return true;
	ma_map(vm, gpa, gpa, MA_PAGE_SIZE, p->cacheable ? MA_MT_NORMAL_WB : MA_MT_DEVICE_nGnRE);
	pfn_run(v, MA_AGENT_LOAD64, gpa, 0, &res);
	ma_result_describe(&res, why, sizeof(why));
	ma_log("first guest access: %s (expected KVM_RUN to fail with %s: %s)", why, ma_errno_name(want), src);
	MA_ASSERT_EQ(res.outcome, MA_OUT_RUN_ERROR);
	MA_EXPECT_EQ(res.err, want);
	return false;
}

void pfn_require_guest_access(struct ma_vm *vm, struct ma_vcpu *v, const struct ma_pfnmap *p, uint64_t gpa)
{
	if (!pfn_guest_can_access(vm, v, p, gpa))
		ma_end();	/* the refusal was the outcome to check */
}

const char *pfn_verdict(int err)
{
	return err ? ma_errno_name(err < 0 ? -err : err) : "accepted";
}

MA_TEST_MAIN
