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
	pfn_open_at(c, size, 0, fixed, p);
}

void pfn_open_at(const struct src_case *c, size_t size, uint64_t off, void *fixed, struct ma_pfnmap *p)
{
	struct ma_pfnmap_req rq = {
		.kind = c->kind, .size = size, .off = off, .private_map = c->private_map, .fixed = fixed,
	};
	const char *why = "";
	int r = ma_try_pfnmap_open(p, &rq, &why);

	if (r == -ENODEV || r == -ENOSPC)
		ma_skip("%s", why);
	if (r)
		ma_fatal("opening PFNMAP source %s (%s, offset %#llx): %s: %s", ma_pfnmap_name(c->kind),
			 c->private_map ? "MAP_PRIVATE" : "MAP_SHARED", (unsigned long long)off, why,
			 ma_errno_name(-r));
	ma_log("source %s: %s%s", ma_pfnmap_name(c->kind), p->desc, c->private_map ? ", MAP_PRIVATE" : "");
}

void pfn_add_slot(struct ma_vm *vm, uint32_t slot, uint64_t gpa, const struct ma_pfnmap *p)
{
	const struct mt_rule *rule;
	int want = ma_pfnmap_expected_slot_errno(vm, p, 0, &rule);
	int r = ma_try_add_slot(vm, slot, 0, gpa, p->size, p->hva);

	MA_REQUIRE(r == -want, "memslot over %s: %s, expected %s (rule %s: %s; %s)", ma_pfnmap_name(p->kind),
		   r ? ma_errno_name(-r) : "accepted", want ? ma_errno_name(want) : "accepted", rule->id,
		   rule->says, rule->source);
	if (r) {
		/* the refusal is this platform's expected outcome: checked, and nothing further to do */
		ma_log("memslot over %s refused as expected (%s): %s (%s)", ma_pfnmap_name(p->kind),
		       ma_errno_name(-r), rule->says, rule->source);
		ma_end();
	}
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
	return ma_vcpu_run_agent(v, a, MA_ARGS(x, y), 0, res);
}

bool pfn_guest_can_access(struct ma_vm *vm, struct ma_vcpu *v, const struct ma_pfnmap *p, uint64_t gpa)
{
	const struct mt_rule *rule;
	int want = ma_pfnmap_expected_run_errno(vm, p, &rule);
	struct ma_result res;
	char why[768];

	if (!want)
		return true;
	ma_map(vm, gpa, gpa, MA_PAGE_SIZE, p->cacheable ? MA_MT_NORMAL_WB : MA_MT_DEVICE_nGnRE);
	pfn_run(v, MA_AGENT_LOAD64, gpa, 0, &res);
	ma_result_describe(&res, why, sizeof(why));
	ma_log("first guest access: %s (expected KVM_RUN to fail with %s: %s, %s)", why, ma_errno_name(want),
	       rule->says, rule->source);
	MA_ASSERT_EQ(res.outcome, MA_OUT_RUN_ERROR);
	MA_EXPECT_EQ(res.err, want);
	return false;
}

void pfn_guest_access_or_end(struct ma_vm *vm, struct ma_vcpu *v, const struct ma_pfnmap *p, uint64_t gpa)
{
	if (!pfn_guest_can_access(vm, v, p, gpa))
		ma_end();	/* the refusal was the outcome to check */
}

enum mt_outcome pfn_classify(const struct ma_result *res, enum ma_probe_op op)
{
	if (res->outcome == MA_OUT_RUN_ERROR)
		return res->err == EFAULT ? MT_RUN_EFAULT : res->err == EINVAL ? MT_RUN_EINVAL
			: res->err == EPERM ? MT_RUN_EPERM : MT_OTHER;
	if (res->outcome != MA_OUT_DONE)
		return MT_OTHER;
	switch (res->ret.probe.outcome) {
	case MA_PROBE_OK:
		return MT_OK;
	case MA_PROBE_UNSUPPORTED:
		return op == MA_PROBE_EXCLUSIVE ? MT_NO_EXCL :
		       op == MA_PROBE_LSE_LDADD ? MT_NOT_PRESENT : MT_OTHER;
	case MA_PROBE_FAULT:
		return pfn_classify_fault(res->ret.probe.syndrome);
	default:
		return MT_OTHER;
	}
}

void pfn_verify_source_table(const struct ma_pfnmap *p)
{
	struct mt_source s = mt_source_of(p);
	bool cacheable = s.pgprot == MT_PGPROT_CACHEABLE;

	MA_CHECK(!(cacheable != p->cacheable || s.ram != p->ram_backed ||
		   s.allow_uncached != p->allow_uncached),
		 "source table (suites/pfnmap/sources.c) and opener (host/pfnmap*.c) disagree on %s: table cacheable=%d ram=%d allow_uncached=%d, opener %d %d %d",
		 ma_pfnmap_name(p->kind), cacheable, s.ram, s.allow_uncached, p->cacheable, p->ram_backed,
		 p->allow_uncached);
}

const char *pfn_verdict(int err)
{
	return err ? ma_errno_name(err < 0 ? -err : err) : "accepted";
}

MA_TEST_MAIN
