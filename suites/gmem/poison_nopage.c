// SPDX-License-Identifier: GPL-2.0
/*
 * gmem: memory failure on memory without struct page (the Grace Hopper case).  The fixture module
 * (fixtures/kmod/memattr_carveout.c) registers its carve-out with register_pfn_address_space(), as
 * drivers/vfio/pci/nvgrace-gpu/main.c does for its device memory, and calls memory_failure() on
 * one of its pfns when a page offset is written to /sys/module/memattr_carveout/parameters/
 * poison_pfn (in the writer's context) or poison_pfn_kworker (in a kworker's, where
 * memory_failure_queue() runs it for a hardware error report).
 *
 * mm/memory-failure.c (7.2.13): memory_failure() sends a pfn that is neither an online page nor
 * pfn_valid to memory_failure_pfn(), which collects, in the registered space's i_mmap, the VMAs
 * whose owner task_early_kill() picks (the caller's own process, force_early; any other only if a
 * thread is PF_MCE_EARLY or vm.memory_failure_early_kill is set), and kill_proc() sends
 * force_sig_mceerr(BUS_MCEERR_AR) to the caller's thread and send_sig_mceerr(BUS_MCEERR_AO) to the
 * others, at vma_address(pgoff), lsb PAGE_SHIFT.  Nothing else: no page table is zapped, so no
 * MMU notifier reaches KVM, and virt/kvm/kvm_main.c:hva_to_pfn_remapped has no poison check.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "gmem_poison.h"
#include "memattr/pfnmap.h"
#include "memattr/stage2_trace.h"
#include "memattr/util.h"

#define NP_OFF		(16ull << 20)	/* where in the carve-out the tests map their two pages */
#define NP_WORD		0x9f9f0000c0de0001ull
#define NP_SYSFS	"/sys/module/memattr_carveout/parameters/"

#define NP_WHY_GUEST "mm/memory-failure.c:memory_failure_pfn only signals processes: it zaps no page table, so no MMU notifier tells KVM, whose stage-2 mapping of the poisoned pfn stays and whose hva_to_pfn_remapped has no poison check (Linux " \
	MA_KERNEL_REF ")"

/* The fixture with its pfn address space registered, else the test skips or fails naming why. */
static void np_need_fixture(void)
{
	const char *want = getenv("MEMATTR_FIXTURE");
	long st = ma_try_fixture_counter("pfn_space");

	if (st == -ENOENT && ma_try_fixture_counter("size") == -ENOENT &&
	    !(want && !strcmp(want, "memattr_carveout")))
		ma_skip("the fixture module memattr_carveout is not loaded and this cell did not load it (a real host: insmod fixtures/kmod/memattr_carveout.ko base=... size=...)");
	if (st == -ENOENT)
		ma_fatal("memattr_carveout is loaded without a pfn_space parameter: an older build of fixtures/kmod");
	if (st == -EOPNOTSUPP)
		ma_skip("register_pfn_address_space: EOPNOTSUPP: the kernel has no CONFIG_MEMORY_FAILURE");
	MA_REQUIRE(st == 0, "the fixture could not register its pfn address space: %s",
		   ma_errno_name((int)-st));
}

/* Write a page offset of the carve-out to the fixture's knob: 0 or the write's -errno. */
static int np_try_poison(const char *knob, uint64_t page)
{
	char path[128], buf[32];
	int fd, n, r = 0;

	snprintf(path, sizeof(path), NP_SYSFS "%s", knob);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)page);
	if (write(fd, buf, (size_t)n) != n)
		r = -errno;
	close(fd);
	return r;
}

/* Two pages of a carve-out device at NP_OFF; page 1 is the one poisoned. */
static void np_map(enum ma_pfnmap_kind kind, struct ma_pfnmap *p)
{
	struct ma_pfnmap_req rq = { .kind = kind, .size = 2 * ma_host_page_size(), .off = NP_OFF };
	const char *why = "";
	int r = ma_try_pfnmap_open(p, &rq, &why);

	MA_REQUIRE(r == 0, "mapping %s at carve-out offset %#llx: %s: %s", ma_pfnmap_name(kind),
		   (unsigned long long)NP_OFF, why, ma_errno_name(-r));
}

static uint64_t np_bad_page(void)
{
	return NP_OFF / ma_host_page_size() + 1;
}

#define SRC_POISON_PFN_SIGBUS_TO_INJECTOR "mm/memory-failure.c:memory_failure_pfn: the pfn's registered pfn_address_space gives the VMAs mapping it; the process that called memory_failure() gets force_sig_mceerr(BUS_MCEERR_AR, vma_address(pgoff), PAGE_SHIFT) on that thread (kill_proc, t == current), and its page table entry stays: the mapping still reads the page (" \
	MA_KERNEL_REF ")"

MA_TEST(gmem, poison_pfn_sigbus_to_injector, .req = { .root = true },
	.source = SRC_POISON_PFN_SIGBUS_TO_INJECTOR)
{
	uint64_t ps = ma_host_page_size(), val;
	int tid = gp_tid(), r;
	long faults, calls;
	struct ma_pfnmap p;
	struct ma_sigbus s;
	unsigned int n;
	char *bad;

	gp_need_memory_failure();
	np_need_fixture();
	np_map(MA_PFN_CARVEOUT_WB, &p);
	bad = (char *)p.hva + ps;
	*(volatile uint64_t *)bad = NP_WORD;
	MA_EXPECT_ERRNO(np_try_poison("poison_pfn", (uint64_t)ma_try_fixture_counter("size") / ps), EINVAL);

	ma_sigbus_catch();
	faults = ma_try_fixture_counter("pte_faults");
	calls = ma_try_fixture_counter("poison_calls");
	r = np_try_poison("poison_pfn", np_bad_page());
	n = ma_sigbus_take(&s);
	MA_CHECK(r == 0, "memory_failure() of carve-out page %#llx: %s", (unsigned long long)np_bad_page(),
		 ma_errno_name(-r));
	MA_EXPECT_EQ(ma_try_fixture_counter("poison_calls"), calls + 1);
	gp_expect_sigbus("memory_failure() in this thread", n, &s, BUS_MCEERR_AR, (uintptr_t)bad,
			 gp_page_shift(), tid);

	/* nothing zapped the PTE: the host reads the page without a fault */
	MA_CHECK(!ma_sigbus_read64(bad, &val, &s), "host load of the poisoned pfn: %s",
		 gp_sigbus_str(&s));
	MA_EXPECT_EQ(val, NP_WORD);
	MA_EXPECT_EQ(ma_try_fixture_counter("pte_faults"), faults);
}

#define SRC_POISON_PFN_KWORKER_SIGNALS_EARLY_KILL_ONLY "mm/memory-failure.c:memory_failure_pfn from a kworker (memory_failure_queue's context): task_early_kill(tsk, force_early) returns no thread of a process that is not current's unless one is PF_MCE_EARLY (prctl PR_MCE_KILL_EARLY) or vm.memory_failure_early_kill is set (find_early_kill_thread); that thread then gets send_sig_mceerr(BUS_MCEERR_AO, vma_address(pgoff), PAGE_SHIFT) (" \
	MA_KERNEL_REF ")"

MA_TEST(gmem, poison_pfn_kworker_signals_early_kill_only, .req = { .root = true },
	.source = SRC_POISON_PFN_KWORKER_SIGNALS_EARLY_KILL_ONLY)
{
	uint64_t ps = ma_host_page_size();
	long early = ma_try_read_long("/proc/sys/vm/memory_failure_early_kill");
	int tid = gp_tid(), r;
	struct ma_pfnmap p;
	struct ma_sigbus s;
	unsigned int n;

	gp_need_memory_failure();
	np_need_fixture();
	MA_REQUIRE(early >= 0, "reading /proc/sys/vm/memory_failure_early_kill: %s",
		   ma_errno_name((int)-early));
	np_map(MA_PFN_CARVEOUT_WB, &p);
	*(volatile uint64_t *)((char *)p.hva + ps) = NP_WORD;
	ma_sigbus_catch();

	r = np_try_poison("poison_pfn_kworker", np_bad_page());
	n = ma_sigbus_take(&s);
	MA_CHECK(r == 0, "memory_failure() from a kworker: %s", ma_errno_name(-r));
	if (early)	/* the first thread of the process: this one */
		gp_expect_sigbus("memory_failure() from a kworker, vm.memory_failure_early_kill set", n, &s,
				 BUS_MCEERR_AO, (uintptr_t)p.hva + ps, gp_page_shift(), tid);
	else
		MA_CHECK(n == 0, "memory_failure() from a kworker sent %u SIGBUS to a process that is not early-kill: %s",
			 n, gp_sigbus_str(&s));

	if (prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0))
		ma_fatal("prctl(PR_MCE_KILL, PR_MCE_KILL_EARLY): %s", ma_errno_name(errno));
	r = np_try_poison("poison_pfn_kworker", np_bad_page());
	n = ma_sigbus_take(&s);
	MA_CHECK(r == 0, "memory_failure() from a kworker: %s", ma_errno_name(-r));
	gp_expect_sigbus("memory_failure() from a kworker, PR_MCE_KILL_EARLY", n, &s, BUS_MCEERR_AO,
			 (uintptr_t)p.hva + ps, gp_page_shift(), tid);
}

/* arm64 refuses a cacheable PFNMAP slot without FWB and DIC (cap 243): use the Normal-NC device then. */
static enum ma_pfnmap_kind np_guest_source(struct ma_vm *vm)
{
	if (!strcmp(ma_host_arch(), "arm64") && ma_vm_cap(vm, KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED) <= 0)
		return MA_PFN_CARVEOUT_NC;
	return MA_PFN_CARVEOUT_WB;
}

/* arm64: the stage-2 map calls at ipa among the records up to the one at ctl (which must come). */
static int np_maps_at(struct ma_s2trace *tr, uint64_t ipa, uint64_t ctl)
{
	static struct ma_s2map recs[1024];
	int n, i, hits = 0, waits = 0;
	bool seen = false;

	while (!seen) {
		n = ma_try_s2trace_collect(tr, recs, MA_ARRAY_SIZE(recs));
		if (n < 0)
			ma_fatal("collecting the stage-2 trace: %s", ma_errno_name(-n));
		for (i = 0; i < n && i < (int)MA_ARRAY_SIZE(recs); i++) {
			if (!ma_s2fn_is_map(recs[i].fn))
				continue;
			ma_log("traced %s(ipa 0x%llx, size 0x%llx)", ma_s2fn_name(recs[i].fn),
			       (unsigned long long)recs[i].ipa, (unsigned long long)recs[i].size);
			if (ipa >= recs[i].ipa && ipa - recs[i].ipa < recs[i].size)
				hits++;
			if (ctl >= recs[i].ipa && ctl - recs[i].ipa < recs[i].size)
				seen = true;
		}
		if (!seen && waits++ == 20)
			ma_fatal("the stage-2 map of the control access at 0x%llx was not traced in 1 s",
				 (unsigned long long)ctl);
		if (!seen)
			usleep(50 * 1000);
	}
	return hits;
}

#define SRC_POISON_PFN_GUEST_KEEPS_MAPPING "a PFNMAP memslot over a registered carve-out pfn that memory_failure() reports (mm/memory-failure.c:memory_failure_pfn, from a kworker as for a hardware report): the VMM, not early-kill, gets no signal, no page table is zapped (the fixture's fault counter does not move), so KVM's stage-2 mapping stays (arm64: no new kvm_pgtable_stage2_map at that IPA) and the guest still loads the poisoned pfn (" \
	MA_KERNEL_REF ")"

MA_TEST(gmem, poison_pfn_guest_keeps_mapping, .req = { .root = true },
	.source = SRC_POISON_PFN_GUEST_KEEPS_MAPPING)
{
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	uint64_t ps = ma_host_page_size(), gpa = MA_TEST_GPA, bad = gpa + ps;
	bool arm64 = !strcmp(ma_host_arch(), "arm64");
	long early = ma_try_read_long("/proc/sys/vm/memory_failure_early_kill"), faults;
	struct ma_s2trace *tr = NULL;
	enum ma_pfnmap_kind kind;
	enum ma_outcome out;
	struct ma_result res;
	struct ma_pfnmap p;
	struct ma_sigbus s;
	unsigned int n;
	int r;

	gp_need_memory_failure();
	np_need_fixture();
	MA_REQUIRE(early == 0, "vm.memory_failure_early_kill is %ld (%s): this test needs the default 0",
		   early, early < 0 ? ma_errno_name((int)-early) : "set");
	kind = np_guest_source(vm);
	np_map(kind, &p);
	ma_log("guest memory: %s", p.desc);
	ma_add_slot(vm, 1, 0, gpa, 2 * ps, p.hva);
	ma_map(vm, gpa, gpa, 2 * ps, MA_MT_NORMAL_WB);
	*(volatile uint64_t *)((char *)p.hva + ps) = NP_WORD;
	ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(bad), &res, "load from gpa %#llx",
			  (unsigned long long)bad);
	MA_EXPECT_EQ(res.ret.load.value, NP_WORD);

	if (arm64) {
		char why[512];

		r = ma_try_s2trace_start(&tr, why, sizeof(why));
		MA_REQUIRE(r == 0, "starting the stage-2 tracer: %s: %s", why, ma_errno_name(-r));
	}
	ma_sigbus_catch();
	faults = ma_try_fixture_counter("pte_faults");
	r = np_try_poison("poison_pfn_kworker", np_bad_page());
	n = ma_sigbus_take(&s);
	MA_CHECK(r == 0, "memory_failure() from a kworker: %s", ma_errno_name(-r));
	MA_CHECK(n == 0, "the VMM took %u SIGBUS: %s", n, gp_sigbus_str(&s));

	out = ma_vcpu_run_agent(v, MA_AGENT_LOAD64, MA_ARGS(bad), 0, &res);
	ma_log("guest load of the poisoned pfn after memory_failure(): %s, value 0x%llx",
	       ma_outcome_name(out), (unsigned long long)res.ret.load.value);
	ma_xfail_next(gp_kernel_is(7, 2), NP_WHY_GUEST);
	MA_CHECK(out != MA_OUT_DONE, "the guest loaded 0x%llx from gpa 0x%llx, a pfn memory_failure() reported: its stage-2 mapping stayed",
		 (unsigned long long)res.ret.load.value, (unsigned long long)bad);

	MA_EXPECT_EQ(ma_try_fixture_counter("pte_faults"), faults);
	if (arm64) {
		/* the control: page 0 was never accessed, its load makes a stage-2 map that must be traced */
		ma_run_agent_done(v, MA_AGENT_LOAD64, MA_ARGS(gpa), &res, "control load from gpa %#llx",
				  (unsigned long long)gpa);
		r = np_maps_at(tr, bad, gpa);
		MA_CHECK(r == 0, "KVM made %d stage-2 map(s) at 0x%llx after memory_failure(): the old mapping was removed",
			 r, (unsigned long long)bad);
		ma_s2trace_stop(tr);
	}
}
