// SPDX-License-Identifier: GPL-2.0
/*
 * migration: the stream file (host/migration_stream.c, docs/migration-stream.md).  stream_save
 * stops a VM whose guest is writing, and saves it: to $MEMATTR_MIGRATE_OUT if set (for a restore
 * in another cell), else to a temporary file that it restores at once into a new VM.
 * stream_restore restores $MEMATTR_MIGRATE_IN.  After a restore the guest checks every page
 * against its generation record and writes on; a vCPU register or CPUID the destination refuses
 * is a finding that fails the test, named.  arm64: the saved VM has a cacheable PFNMAP slot where
 * the source can map one; the restore recreates it first, and a destination that must refuse it
 * (no FWB+DIC) ends the test there, passed, with the vCPU state findings of a dry run logged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memattr/pfnmap.h"
#include "memattr/util.h"
#include "migration.h"
#if defined(__aarch64__)
#include "../pfnmap/pfnmap.h"
#endif

/*
 * arm64: a slot over the cacheable PFNMAP source (the fixture carve-out mapped WB), in the saved
 * VM where the source can map one; the guest writes a pattern into it before it is saved and
 * checks it after a restore.  A destination without FWB+DIC must refuse the slot
 * (arch/arm64/kvm/mmu.c:kvm_arch_prepare_memory_region, kvm_supports_cacheable_pfnmap).
 */
#define MIG_PFN_SLOT 3u
#define MIG_PFN_GPA (MA_TEST_GPA + (128ull << 20))
#define MIG_PFN_SIZE (64ull << 10)
#define MIG_PFN_SEED 0x70666e6d6170ull

#define STREAM_SOURCE \
	"the vCPU state KVM documents for save and restore (Documentation/virt/kvm/api.rst: KVM_GET_REG_LIST and KVM_GET/SET_ONE_REG on arm64; KVM_GET/SET_CPUID2, SREGS, REGS, XSAVE, XCRS, MSRS, VCPU_EVENTS, MP_STATE on x86; arch/arm64/kvm/guest.c:kvm_arm_set_reg, arch/x86/kvm/x86.c:kvm_arch_vcpu_ioctl), a stopped VM's memory copied whole ("

static uint64_t note_u64(const struct ma_mig_image *img, const char *key)
{
	char val[64];

	if (!ma_mig_kv(img->notes, key, val, sizeof(val)))
		ma_fatal("the stream's notes have no %s (notes: %s)", key, img->notes);
	return strtoull(val, NULL, 0);
}

/* Identity keys whose values differ between the stream and here, logged; the number of them. */
static unsigned int identity_diff(const char *saved, const char *here)
{
	unsigned int n = 0;

	for (const char *p = saved; p && *p;) {
		const char *eol = strchr(p, '\n'), *eq = strchr(p, '=');
		char key[64], a[128], b[128];
		size_t kl;

		if (!eq || (eol && eq > eol))
			break;
		kl = (size_t)(eq - p) < sizeof(key) - 1 ? (size_t)(eq - p) : sizeof(key) - 1;
		memcpy(key, p, kl);
		key[kl] = '\0';
		ma_mig_kv(saved, key, a, sizeof(a));
		if (!ma_mig_kv(here, key, b, sizeof(b)) || strcmp(a, b)) {
			ma_log("memattr-finding identity key=%s saved=%s here=%s", key, a,
			       b[0] ? b : "(absent)");
			n++;
		}
		p = eol ? eol + 1 : NULL;
	}
	return n;
}

#if defined(__aarch64__)
/* The vCPU state findings of a destination that refused the VM earlier: a dry run in a throwaway VM. */
static void vstate_findings(const struct ma_mig_image *img)
{
	struct ma_vstate_finding f[64];
	char here[sizeof(img->identity)];
	struct ma_vm *vm = ma_vm_create(NULL);
	unsigned int nf = 0, differ;

	for (unsigned int i = 0; i < img->nr_vcpus; i++)
		ma_vcpu_add(vm);
	ma_mig_identity(vm, here, sizeof(here));
	for (unsigned int i = 0; i < img->nr_vcpus; i++)
		nf += ma_arch_vcpu_state_restore(vm->vcpus[i], &img->vcpus[i], f + (nf < 64 ? nf : 64),
						 nf < 64 ? 64 - nf : 0);
	for (unsigned int i = 0; i < nf && i < MA_ARRAY_SIZE(f); i++)
		ma_log("memattr-finding vcpu-state vcpu=%u register=%s err=%s", f[i].vcpu, f[i].what,
		       f[i].err ? ma_errno_name(f[i].err) : "not-set");
	ma_log("vCPU state compatibility (dry run in a throwaway VM, findings, not verdicts): %u items refused",
	       nf);
	differ = identity_diff(img->identity, here);
	ma_log("the stream's identity differs here in %u keys", differ);
	ma_vm_destroy(vm);
}

/* The cacheable PFNMAP slot of the saved VM where this source can give one; true if added. */
static bool save_add_pfn(struct ma_vm *vm, struct ma_pfnmap *p)
{
	struct ma_pfnmap_req rq = { .kind = MA_PFN_CARVEOUT_WB, .size = MIG_PFN_SIZE };
	long cap = ma_vm_cap(vm, KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED);
	const char *fixture = getenv("MEMATTR_FIXTURE"), *why = "";
	const struct mt_rule *rule;
	int r, want;

	if (cap != 1) {
		ma_log("no PFNMAP slot in the stream: this source cannot map cacheable PFNMAP (KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED on the VM: %ld)",
		       cap);
		return false;
	}
	/* configured as pfnmap.configured_source_present has it (suites/pfnmap/sources_present.c) */
	if (!fixture || strcmp(fixture, "memattr_carveout")) {
		ma_log("no PFNMAP slot in the stream: source carveout_wb is not configured here (MEMATTR_FIXTURE=memattr_carveout)");
		return false;
	}
	r = ma_try_pfnmap_open(p, &rq, &why);
	MA_REQUIRE(r == 0,
		   "source carveout_wb is configured (MEMATTR_FIXTURE=memattr_carveout) but cannot be opened: %s: %s",
		   why, ma_errno_name(-r));
	MA_REQUIRE(p->cacheable, "source carveout_wb is not cacheable here: %s", p->desc);
	want = ma_pfnmap_expected_slot_errno(vm, p, 0, &rule);
	r = ma_try_add_slot(vm, MIG_PFN_SLOT, 0, MIG_PFN_GPA, p->size, p->hva);
	MA_REQUIRE(r == -want && !r, "memslot over carveout_wb: %s, expected %s (rule %s: %s; %s)",
		   r ? ma_errno_name(-r) : "accepted", want ? ma_errno_name(want) : "accepted", rule->id,
		   rule->says, rule->source);
	ma_map(vm, MIG_PFN_GPA, MIG_PFN_GPA, MIG_PFN_SIZE, MA_MT_NORMAL_WB);
	ma_log("PFNMAP slot %u at gpa %#llx over %s (cacheable) in the saved VM", MIG_PFN_SLOT,
	       (unsigned long long)MIG_PFN_GPA, p->desc);
	return true;
}

struct pfn_restore {
	const struct ma_mig_image *img;
	struct ma_pfnmap p;
	bool open;
};

/* Slots first: a PFNMAP slot over this destination's same source, judged by the pfnmap rule. */
static void restore_pfn_slot(struct ma_vm *vm, const struct ma_mig_slot *s, void *arg)
{
	struct pfn_restore *pr = arg;
	struct ma_pfnmap_req rq = { .kind = MA_PFN_COUNT, .size = s->size };
	uint32_t flags = s->flags & ~(uint32_t)KVM_MEM_LOG_DIRTY_PAGES;
	const struct mt_rule *rule;
	const char *why = "";
	int r, want;

	for (int k = 0; k < MA_PFN_COUNT; k++)
		if (!strcmp(ma_pfnmap_name((enum ma_pfnmap_kind)k), s->source))
			rq.kind = (enum ma_pfnmap_kind)k;
	MA_REQUIRE(rq.kind != MA_PFN_COUNT && !pr->open, "the stream's slot %u is over an unknown PFNMAP source %s",
		   s->slot, s->source);
	r = ma_try_pfnmap_open(&pr->p, &rq, &why);
	MA_REQUIRE(r == 0, "the stream's slot %u is over %s, which this destination cannot open: %s: %s",
		   s->slot, s->source, why, ma_errno_name(-r));
	pr->open = true;
	MA_CHECK(pr->p.cacheable == s->cacheable, "source %s is %s here, %s at the source", s->source,
		 pr->p.cacheable ? "cacheable" : "not cacheable", s->cacheable ? "cacheable" : "not cacheable");
	want = ma_pfnmap_expected_slot_errno(vm, &pr->p, flags, &rule);
	r = ma_try_add_slot(vm, s->slot, flags, s->gpa, s->size, pr->p.hva);
	ma_log("memslot %u over %s (%s): %s, expected %s (rule %s: %s; %s)", s->slot, s->source,
	       s->cacheable ? "cacheable" : "not cacheable", r ? ma_errno_name(-r) : "accepted",
	       want ? ma_errno_name(want) : "accepted", rule->id, rule->says, rule->source);
	MA_REQUIRE(r == -want, "memslot %u over %s: %s, expected %s (rule %s: %s; %s)", s->slot, s->source,
		   r ? ma_errno_name(-r) : "accepted", want ? ma_errno_name(want) : "accepted", rule->id,
		   rule->says, rule->source);
	if (!r) {
		memcpy(pr->p.hva, s->data, s->size);
		return;
	}
	ma_log("the VM is refused at memslot creation, before any guest code ran: memslot %u over %s: %s (%s)",
	       s->slot, s->source, ma_errno_name(-r), rule->source);
	vstate_findings(pr->img);
	ma_end();
}

/* After the guest resumed: it finds the pattern written at the source in each PFNMAP slot. */
static void check_pfn_slots(struct ma_vm *vm, const struct ma_mig_image *img, struct pfn_restore *pr)
{
	char seed_s[64];
	uint64_t seed;

	if (!ma_mig_kv(img->notes, "pfn_seed", seed_s, sizeof(seed_s)))
		return;
	seed = strtoull(seed_s, NULL, 0);
	for (unsigned int i = 0; i < img->nr_slots; i++) {
		const struct ma_mig_slot *s = &img->slots[i];
		struct ma_result res;
		uint64_t bad = 0;

		if (!s->pfnmap)
			continue;
		ma_run_agent_done(vm->vcpus[0], MA_AGENT_CHECK_PATTERN, MA_ARGS(s->gpa, s->size, seed), &res,
				  "check of the PFNMAP slot's pattern");
		MA_CHECK(!res.ret.check.mismatches,
			 "PFNMAP slot %u over %s: the guest saw %llu words differ from what it wrote at the source (first at +%#llx: %#llx)",
			 s->slot, s->source, (unsigned long long)res.ret.check.mismatches,
			 (unsigned long long)res.ret.check.first_off,
			 (unsigned long long)res.ret.check.first_val);
		ma_run_agent_done(vm->vcpus[0], MA_AGENT_WRITE_PATTERN, MA_ARGS(s->gpa, s->size, seed + 1),
				  &res, "write on into the PFNMAP slot");
		for (uint64_t off = 0; off < s->size; off += 8)
			bad += *(volatile uint64_t *)((char *)pr->p.hva + off) !=
			       ma_pattern_word(seed + 1, s->gpa + off);
		MA_CHECK(!bad, "PFNMAP slot %u over %s: the host sees %llu words differ from the guest's new pattern",
			 s->slot, s->source, (unsigned long long)bad);
		ma_log("PFNMAP slot %u over %s: the guest verified %llu bytes and wrote on", s->slot,
		       s->source, (unsigned long long)s->size);
	}
}
#endif

static void restore_and_check(const struct ma_mig_image *img, bool same_machine)
{
	struct ma_vstate_finding f[16];
	char here[sizeof(img->identity)], saved_arch[32];
	uint64_t pages = note_u64(img, "pages"), ctrl_gpa = note_u64(img, "ctrl_gpa");
	unsigned int nv = (unsigned int)note_u64(img, "vcpus"), nf, differ;
	long long t0 = mig_now_us(), t_resume;
	struct ma_vm *vm;
	void *ctrl;

	ma_mig_kv(img->identity, "arch", saved_arch, sizeof(saved_arch));
	MA_REQUIRE(!strcmp(saved_arch, ma_host_arch()), "the stream was saved on %s, this is %s", saved_arch,
		   ma_host_arch());
	MA_REQUIRE(img->nr_vcpus == nv && nv > 0 && nv <= MA_MAX_VCPUS,
		   "the stream has %u vCPUs, its notes say %u", img->nr_vcpus, nv);
#if defined(__aarch64__)
	struct pfn_restore pr = { .img = img };

	vm = ma_mig_restore_pfn(img, restore_pfn_slot, &pr, f, MA_ARRAY_SIZE(f), &nf);
#else
	vm = ma_mig_restore(img, f, MA_ARRAY_SIZE(f), &nf);
#endif
	ma_mig_identity(vm, here, sizeof(here));
	differ = identity_diff(img->identity, here);
	ma_log("the stream's identity differs here in %u keys", differ);
	if (same_machine)
		MA_CHECK(differ == 0,
			 "a stream saved in this run differs from this machine's identity in %u keys",
			 differ);
	for (unsigned int i = 0; i < nf && i < MA_ARRAY_SIZE(f); i++)
		ma_fail("vCPU state incompatibility: vCPU %u: the destination refused %s (%s)", f[i].vcpu,
			f[i].what, f[i].err ? ma_errno_name(f[i].err) : "not set");
	MA_CHECK(nf == 0, "%u vCPU state items refused in all", nf);
	if (nf)
		ma_end();
	ctrl = ma_gpa_to_hva(vm, ctrl_gpa);
	MA_REQUIRE(ctrl, "the stream's control page at gpa %#llx is in none of its slots",
		   (unsigned long long)ctrl_gpa);
	mig_resume_and_check(vm, ctrl, NULL, nv, pages, &t_resume);
#if defined(__aarch64__)
	check_pfn_slots(vm, img, &pr);
#endif
	ma_log("memattr-metric name=migration.stream_restore pages_verified=%llu vcpus=%u slots=%u restore_us=%lld wall_ms=%lld",
	       (unsigned long long)(2 * pages), nv, img->nr_slots, t_resume - t0, (mig_now_us() - t0) / 1000);
}

/* The test's notes into img, and its PFNMAP slot marked as one (pfn_src: its source, NULL if none). */
static void save_notes(struct ma_mig_image *img, const struct ma_pfnmap *pfn_src)
{
	snprintf(img->notes, sizeof(img->notes),
		 "test=migration.stream_save\ndata_gpa=%#llx\npages=%llu\nctrl_gpa=%#llx\nseed=%#llx\nvcpus=%u\n",
		 (unsigned long long)MIG_DATA_GPA, (unsigned long long)MIG_PAGES,
		 (unsigned long long)MIG_CTRL_GPA, (unsigned long long)MIG_SEED, MIG_VCPUS);
	for (unsigned int i = 0; pfn_src && i < img->nr_slots; i++) {
		if (img->slots[i].slot != MIG_PFN_SLOT)
			continue;
		img->slots[i].pfnmap = true;
		img->slots[i].cacheable = pfn_src->cacheable;
		snprintf(img->slots[i].source, sizeof(img->slots[i].source), "%s",
			 ma_pfnmap_name(pfn_src->kind));
		snprintf(img->notes + strlen(img->notes), sizeof(img->notes) - strlen(img->notes),
			 "pfn_slot=%u\npfn_seed=%#llx\n", MIG_PFN_SLOT, (unsigned long long)MIG_PFN_SEED);
	}
	MA_CHECK(!pfn_src || strstr(img->notes, "pfn_slot="), "the saved VM lost its PFNMAP slot %u",
		 MIG_PFN_SLOT);
}

/* MEMATTR_MIGRATE_OUT: the stream goes to the file out, for another cell to restore. */
static void save_to_file(const char *out, const struct ma_mig_image *img, uint64_t bytes, long long t0)
{
	int r = ma_try_mig_write(out, img);

	MA_REQUIRE(!r, "writing the stream to %s: %s", out, ma_errno_name(-r));
	ma_log("memattr-metric name=migration.stream_save file=%s slots=%u vcpus=%u memory_bytes=%llu wall_ms=%lld",
	       out, img->nr_slots, img->nr_vcpus, (unsigned long long)bytes,
	       (mig_now_us() - t0) / 1000);
	ma_log("identity of the stream:\n%s", img->identity);
}

/* img through a temporary stream file into back, which must hold the same; when it was written. */
static long long save_round_trip(const struct ma_mig_image *img, struct ma_mig_image *back)
{
	char tmp[256], err[256];
	long long t_saved;
	int r, fd;

	snprintf(tmp, sizeof(tmp), "%s/memattr-migration-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	fd = mkstemp(tmp);
	if (fd < 0)
		ma_fatal("mkstemp(%s): %s", tmp, ma_errno_name(errno));
	close(fd);
	r = ma_try_mig_write(tmp, img);
	MA_REQUIRE(!r, "writing the stream to %s: %s", tmp, ma_errno_name(-r));
	t_saved = mig_now_us();
	r = ma_try_mig_read(tmp, back, err, sizeof(err));
	unlink(tmp);
	MA_REQUIRE(!r, "reading back %s: %s: %s", tmp, err, ma_errno_name(-r));
	MA_CHECK(back->nr_slots == img->nr_slots && back->nr_vcpus == img->nr_vcpus &&
		 !strcmp(back->identity, img->identity) && !strcmp(back->notes, img->notes),
		 "the stream read back differs: %u/%u slots, %u/%u vCPUs", back->nr_slots, img->nr_slots,
		 back->nr_vcpus, img->nr_vcpus);
	for (unsigned int i = 0; i < back->nr_slots && i < img->nr_slots; i++)
		MA_CHECK(back->slots[i].size == img->slots[i].size &&
			 !memcmp(back->slots[i].data, img->slots[i].data, img->slots[i].size),
			 "slot %u read back differs", img->slots[i].slot);
	return t_saved;
}

MA_TEST(migration, stream_save, .timeout_s = 90, .source = STREAM_SOURCE MA_KERNEL_REF ")")
{
	static const struct mig_case c = { .mode = MIG_GET, .kind = MA_BACK_ANON };
	struct ma_result res[MIG_VCPUS];
	struct ma_mig_image img, back;
	const char *out = getenv("MEMATTR_MIGRATE_OUT");
	struct mig m = { 0 };
	struct ma_pfnmap pfn_src;
	bool pfn = false;
	long long t0 = mig_now_us(), t_saved;
	uint64_t bytes = 0;

	mig_make_source(&m, &c, MIG_VCPUS);
#if defined(__aarch64__)
	pfn = save_add_pfn(m.src.vm, &pfn_src);
	if (pfn)
		ma_run_agent_done(m.src.vm->vcpus[0], MA_AGENT_WRITE_PATTERN,
				  MA_ARGS(MIG_PFN_GPA, MIG_PFN_SIZE, MIG_PFN_SEED), &res[0],
				  "write of the PFNMAP slot's pattern");
#endif
	ma_vcpus_run_agent_all(m.src.vm, MA_AGENT_GEN_WRITE,
			       MA_ARGS(MIG_DATA_GPA, MIG_PAGES, 0, 0, MIG_SEED, MIG_CTRL_GPA, 0, 0), 1000,
			       res);
	for (unsigned int i = 0; i < MIG_VCPUS; i++) {
		char why[768];

		ma_result_describe(&res[i], why, sizeof(why));
		MA_CHECK(res[i].outcome == MA_OUT_TIMEOUT,
			 "vCPU %u: %s, expected to be stopped while writing", i, why);
	}
	if (ma_failed())
		ma_end();
	ma_mig_capture(m.src.vm, &img);
	save_notes(&img, pfn ? &pfn_src : NULL);
	for (unsigned int i = 0; i < img.nr_slots; i++)
		bytes += img.slots[i].size;
	ma_vm_destroy(m.src.vm);
	if (pfn)
		ma_pfnmap_close(&pfn_src); /* the restore below opens the same source again */
	if (out && *out) {
		save_to_file(out, &img, bytes, t0);
		ma_mig_image_free(&img);
		return;
	}
	t_saved = save_round_trip(&img, &back);
	ma_mig_image_free(&img);
	ma_log("memattr-metric name=migration.stream_save file=temporary slots=%u vcpus=%u memory_bytes=%llu save_ms=%lld",
	       back.nr_slots, back.nr_vcpus, (unsigned long long)bytes, (t_saved - t0) / 1000);
	restore_and_check(&back, true);
	ma_mig_image_free(&back);
}

MA_TEST(migration, stream_restore, .timeout_s = 90, .source = STREAM_SOURCE MA_KERNEL_REF ")")
{
	const char *in = getenv("MEMATTR_MIGRATE_IN");
	struct ma_mig_image img;
	char err[256];
	int r;

	if (!in || !*in)
		ma_skip("MEMATTR_MIGRATE_IN is not set: no stream to restore (migration.stream_save writes one to $MEMATTR_MIGRATE_OUT)");
	r = ma_try_mig_read(in, &img, err, sizeof(err));
	MA_REQUIRE(!r, "reading the stream %s: %s: %s", in, err, ma_errno_name(-r));
	ma_log("restoring %s, saved on:\n%s", in, img.identity);
	restore_and_check(&img, false);
	ma_mig_image_free(&img);
}
