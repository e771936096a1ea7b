// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap: the exact stage-2 memory type KVM gives a PFNMAP page, read on the host from the
 * arguments of the call that installs the leaf (memattr/stage2_trace.h: a kprobe on
 * kvm_pgtable_stage2_map, pkvm_pgtable_stage2_map under pKVM), rather than inferred from what the
 * guest's accesses do.  arm64 only: x86 has no such single call.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "memattr/stage2_trace.h"
#include "pfnmap.h"

#define MAX_RECS 4096

static const struct ma_variant sources[] = { PFN_SHARED_SOURCE_VARIANTS };

static struct ma_s2trace *trace_start(void)
{
	struct ma_s2trace *tr;
	char why[512];
	int r = ma_try_s2trace_start(&tr, why, sizeof(why));

	if (r == -ENOENT || r == -EOPNOTSUPP)
		ma_skip("stage-2 map tracing not possible here: %s", why);
	if (r < 0)
		ma_fatal("starting the stage-2 tracer: %s: %s", why, ma_errno_name(-r));
	ma_log("stage-2 tracer probes:%s%s%s%s",
	       ma_s2trace_probed(tr) & (1u << MA_S2FN_MAP) ? " kvm_pgtable_stage2_map" : "",
	       ma_s2trace_probed(tr) & (1u << MA_S2FN_PKVM_MAP) ? " pkvm_pgtable_stage2_map" : "",
	       ma_s2trace_probed(tr) & (1u << MA_S2FN_RELAX) ? " kvm_pgtable_stage2_relax_perms" : "",
	       ma_s2trace_probed(tr) & (1u << MA_S2FN_PKVM_RELAX) ? " pkvm_pgtable_stage2_relax_perms" : "");
	return tr;
}

static bool covers(const struct ma_s2map *r, uint64_t ipa)
{
	uint64_t size = r->size ? r->size : MA_PAGE_SIZE;	/* relax: the leaf holding addr */

	return ipa >= r->ipa && ipa - r->ipa < size;
}

static void log_rec(const struct ma_s2map *r)
{
	char d[48], ret[32] = "ret not seen";

	if (r->ret_known)
		snprintf(ret, sizeof(ret), "ret %s", r->ret ? ma_errno_name(-r->ret) : "0");
	ma_log("traced %s(ipa 0x%" PRIx64 ", size 0x%" PRIx64 ", phys 0x%" PRIx64 ", prot 0x%" PRIx64 " = %s) tid %d, %s",
	       ma_s2fn_name(r->fn), r->ipa, r->size, r->phys, r->prot,
	       ma_s2prot_describe(r->prot, ma_s2fn_is_map(r->fn), d, sizeof(d)), r->tid, ret);
}

/*
 * The records of the calls that touched ipa (all logged); returns the last map call that
 * succeeded (or whose result was not seen), NULL if none.
 */
static const struct ma_s2map *find_map(struct ma_s2trace *tr, struct ma_s2map *recs, int *nout, uint64_t ipa)
{
	const struct ma_s2map *hit = NULL;
	int n = ma_try_s2trace_collect(tr, recs, MAX_RECS), waits = 0;

	/*
	 * The guest's access has completed, so its map call was traced; but a loaded host may not have
	 * made the records readable through trace_pipe yet (seen once in 20 lab runs: 0 records on
	 * the first read).  Read again for up to a second before concluding there were none.
	 */
	while (n == 0 && waits++ < 20) {
		usleep(50 * 1000);
		n = ma_try_s2trace_collect(tr, recs, MAX_RECS);
	}
	if (waits)
		ma_log("stage-2 records readable after %d more read(s), %d ms", waits - (n == 0), 50 * waits);
	if (n < 0)
		ma_fatal("collecting the stage-2 trace: %s", ma_errno_name(-n));
	MA_CHECK(n <= MAX_RECS, "%d stage-2 records traced, only %d kept", n, MAX_RECS);
	if (ma_s2trace_lost(tr))
		ma_log("the trace buffer overran: %lu records lost", ma_s2trace_lost(tr));
	*nout = n > MAX_RECS ? MAX_RECS : n;
	for (int i = 0; i < *nout; i++) {
		if (!covers(&recs[i], ipa))
			continue;
		log_rec(&recs[i]);
		if (ma_s2fn_is_map(recs[i].fn) && (!recs[i].ret_known || recs[i].ret == 0))
			hit = &recs[i];
	}
	ma_log("%d stage-2 records traced in all", n);
	return hit;
}

/* The stage-2 type the memory-type model says KVM asks for (under pKVM the hypervisor then refuses
 * non-RAM memory, which the model's pkvm rules cover; the request itself is the same).
 */
static const char *expected_type(struct ma_vcpu *v, const struct ma_pfnmap *p)
{
	struct mt_row_expect e;
	struct mt_platform pl;

	pfn_platform(v, &pl);
	pl.pkvm = false;
	pfn_model_row(&pl, p, MA_MT_NORMAL_WB, &e);
	ma_log("model: stage 2 %s (rule %s: %s; %s)", mt_type_name(e.s2), e.s2_rule->id, e.s2_rule->says,
	       e.s2_rule->source);
	return mt_type_name(e.s2);
}

MA_TEST(pfnmap, stage2_type_traced, MA_VARIANTS(sources), .req = { .arch = MA_ARCH_ARM64, .root = true },
	.timeout_s = 60,
	.source = "the memory-type model's stage-2 rule (suites/pfnmap/arch/arm64/memtype_model.c: arch/arm64/kvm/mmu.c:kvm_s2_fault_compute_prot; never X when non-cacheable), as passed to arch/arm64/kvm/hyp/pgtable.c:kvm_pgtable_stage2_map / arch/arm64/kvm/pkvm.c:pkvm_pgtable_stage2_map ("
		  MA_KERNEL_REF ")")
{
	const struct src_case *c = t->param;
	static struct ma_s2map recs[MAX_RECS];
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	const struct ma_s2map *m;
	const char *want;
	struct ma_s2trace *tr;
	struct ma_result res;
	struct ma_pfnmap p;
	char why[768];
	int n;

	pfn_open(c, PFN_SIZE, NULL, &p);
	want = expected_type(v, &p);
	pfn_add_slot(vm, 1, SLOT_GPA, &p);
	tr = trace_start();
	if (!pfn_guest_can_access(vm, v, &p, SLOT_GPA)) {
		/* KVM refused the access as expected: what it asked for, if it asked, was refused */
		int asked = 0;

		find_map(tr, recs, &n, SLOT_GPA);
		for (int i = 0; i < n; i++) {
			if (!covers(&recs[i], SLOT_GPA) || !ma_s2fn_is_map(recs[i].fn))
				continue;
			asked++;
			ma_log("stage2 %s: refused, asked for prot 0x%" PRIx64 " = %s (expected %s)",
			       ma_pfnmap_name(c->kind), recs[i].prot, ma_s2prot_type_name(recs[i].prot),
			       want);
			MA_CHECK(!(recs[i].ret_known && recs[i].ret == 0),
				 "KVM_RUN failed but %s mapped ipa 0x%" PRIx64,
				 ma_s2fn_name(recs[i].fn), recs[i].ipa);
			MA_CHECK(!strcmp(ma_s2prot_type_name(recs[i].prot), want),
				 "the refused map asked for %s, expected %s",
				 ma_s2prot_type_name(recs[i].prot), want);
		}
		/* pKVM refuses in the hypervisor, so the host asked for the mapping first */
		MA_CHECK(!(ma_kvm_protected_mode() && !asked),
			 "pKVM refused the access but no pkvm_pgtable_stage2_map call for ipa 0x%llx was traced",
			(unsigned long long)SLOT_GPA);
		ma_s2trace_stop(tr);
		ma_end();
	}
	ma_map(vm, SLOT_GPA, SLOT_GPA, MA_PAGE_SIZE, p.cacheable ? MA_MT_NORMAL_WB : MA_MT_DEVICE_nGnRE);
	if (pfn_run(v, MA_AGENT_LOAD64, SLOT_GPA, 0, &res) != MA_OUT_DONE) {
		ma_result_describe(&res, why, sizeof(why));
		ma_s2trace_stop(tr);
		ma_fatal("guest load from the slot: %s", why);
	}
	m = find_map(tr, recs, &n, SLOT_GPA);
	ma_s2trace_stop(tr);
	if (!m)
		ma_fatal("no successful stage-2 map call traced for ipa 0x%llx",
			 (unsigned long long)SLOT_GPA);
	ma_log("stage2 %s: prot 0x%" PRIx64 " = %s (expected %s; ram_backed %d cacheable %d allow_uncached %d)",
	       ma_pfnmap_name(c->kind), m->prot, ma_s2prot_type_name(m->prot), want, p.ram_backed,
	       p.cacheable, p.allow_uncached);
	MA_CHECK(!strcmp(ma_s2prot_type_name(m->prot), want),
		 "stage-2 memory type %s (prot 0x%" PRIx64 "), expected %s", ma_s2prot_type_name(m->prot),
		m->prot, want);
	MA_EXPECT_TRUE(ma_s2prot_readable(m->prot));
	if (!p.phys)
		ma_log("the source does not say its physical address (%s): mapped phys not compared", p.desc);
	else if (m->phys + (SLOT_GPA - m->ipa) != p.phys)
		ma_fail("mapped phys 0x%" PRIx64 " for ipa 0x%llx, the source's page is at 0x%" PRIx64,
			(uint64_t)(m->phys + (SLOT_GPA - m->ipa)), (unsigned long long)SLOT_GPA, p.phys);
	/* a later permission relax can only add W/X: it must not add X to a non-cacheable leaf */
	for (int i = 0; i < n; i++)
		if (covers(&recs[i], SLOT_GPA) && !ma_s2fn_is_map(recs[i].fn) && strcmp(want, "normal-wb") &&
		    ma_s2prot_executable(recs[i].prot))
			ma_fail("%s added execute permission to a non-cacheable leaf",
				ma_s2fn_name(recs[i].fn));
}

/* Whether the kprobe events or the instance of the tracer of process pid exist. */
static bool tracer_leftovers(int pid)
{
	char name[64], inst[96], line[512];
	FILE *f = fopen("/sys/kernel/tracing/kprobe_events", "re");
	bool found = false;

	snprintf(name, sizeof(name), "/memattr_%d_", pid);
	snprintf(inst, sizeof(inst), "/sys/kernel/tracing/instances/memattr-%d", pid);
	while (f && fgets(line, sizeof(line), f))
		found |= !!strstr(line, name);
	if (f)
		fclose(f);
	return found || access(inst, F_OK) == 0;
}

/* The tracer itself: a guest load from anonymous RAM must trace one Normal-WB map of that page. */
MA_TEST(pfnmap, stage2_type_traced_anon_ram, .req = { .arch = MA_ARCH_ARM64, .root = true }, .timeout_s = 60,
	.source = "arch/arm64/kvm/mmu.c:kvm_s2_fault_compute_prot (memory with struct page is mapped Normal, neither DEVICE nor NORMAL_NC in prot, "
		  MA_KERNEL_REF ")")
{
	static struct ma_s2map recs[MAX_RECS];
	struct ma_vm *vm = ma_test_vm(1);
	struct ma_vcpu *v = vm->vcpus[0];
	const struct ma_s2map *m;
	struct ma_s2trace *tr;
	struct ma_result res;
	char why[768];
	int n;

	memset(ma_test_mem(vm, 1, SLOT_GPA, PFN_SIZE, MA_BACK_ANON, MA_MT_NORMAL_WB)->hva, 0x5a, PFN_SIZE);
	tr = trace_start();
	if (pfn_run(v, MA_AGENT_LOAD64, SLOT_GPA + MA_PAGE_SIZE, 0, &res) != MA_OUT_DONE) {
		ma_result_describe(&res, why, sizeof(why));
		ma_s2trace_stop(tr);
		ma_fatal("guest load from anonymous RAM: %s", why);
	}
	MA_EXPECT_EQ(res.ret.load.value, 0x5a5a5a5a5a5a5a5aull);
	m = find_map(tr, recs, &n, SLOT_GPA + MA_PAGE_SIZE);
	ma_s2trace_stop(tr);
	MA_CHECK(!tracer_leftovers((int)getpid()),
		 "kprobe events or the trace instance of this process left after ma_s2trace_stop");
	if (!m)
		ma_fatal("no successful stage-2 map call traced for ipa 0x%llx",
			 (unsigned long long)(SLOT_GPA + MA_PAGE_SIZE));
	ma_log("stage2 anon RAM: prot 0x%" PRIx64 " = %s", m->prot, ma_s2prot_type_name(m->prot));
	MA_EXPECT_EQ(strcmp(ma_s2prot_type_name(m->prot), "normal-wb"), 0);
	MA_EXPECT_TRUE(ma_s2prot_readable(m->prot));
	MA_EXPECT_NE(m->phys, 0);
	MA_EXPECT_TRUE(m->ret_known);
}

/* A tracer whose process died without stopping it (a killed test) is removed by the next start. */
MA_TEST(pfnmap, stage2_type_traced_stale_events_removed,
	.source = "the tracer's own contract (memattr/stage2_trace.h): events and instances of dead processes are removed by ma_try_s2trace_start",
	.req = { .arch = MA_ARCH_ARM64, .root = true })
{
	struct ma_s2trace *tr;
	int status = 0;
	pid_t child = fork();

	if (child < 0)
		ma_fatal("fork: %s", ma_errno_name(errno));
	if (child == 0) {
		struct ma_s2trace *ct;
		char why[512];

		_exit(ma_try_s2trace_start(&ct, why, sizeof(why)) == 0 ? 0 : 3);	/* no stop */
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status))
		ma_fatal("the child that starts a tracer did not exit normally (status 0x%x)", status);
	if (WEXITSTATUS(status) != 0) {
		tr = trace_start();	/* skips with the reason if tracing is not possible */
		ma_s2trace_stop(tr);
		ma_fatal("the child could not start a tracer although this process can");
	}
	MA_ASSERT_TRUE(tracer_leftovers(child));
	tr = trace_start();
	MA_CHECK(!tracer_leftovers(child),
		 "events or instance of dead process %d still there after a new start", (int)child);
	ma_s2trace_stop(tr);
	MA_EXPECT_TRUE(!tracer_leftovers((int)getpid()));
}
