// SPDX-License-Identifier: GPL-2.0
/*
 * memslot: host-side changes to memory the guest has already mapped must reach the guest.  KVM
 * keeps no page reference for its stage-2 (arm64) / TDP (x86) mappings; it relies on the MMU
 * notifier (virt/kvm/kvm_main.c:kvm_mmu_notifier_invalidate_range_start and
 * kvm_mmu_notifier_clear_flush_young & co.) to drop a mapping whenever the host's page tables
 * change under a memslot, and refaults through hva_to_pfn.  A missed invalidation leaves the
 * guest on the old page: it reads stale data and its writes vanish.
 *
 * Each test: the guest touches every 4 KiB page of the slot (stage 2 maps it), the host
 * changes the memory behind the slot's HVA, the guest must read the NEW content in every page
 * (patterns encode the GPA of each word, with a different seed before and after), and the
 * host must then see what the guest writes.  Expectations: Linux 7.2.13.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "memattr/harness.h"
#include "memattr/kvm.h"
#include "hostmm.h"

/*
 * The slot: 2 MiB for the huge-page backings (one hugetlb page, one THP); 256 KiB (64 small pages)
 * for the others, where every page is a stage-2 fault of its own and more pages only cost time.
 * Each test runs in its own process, so the size is set once at its start (slot_size_for).
 */
#define MAX_SIZE MS_HUGE_2M
static uint64_t slot_bytes = MAX_SIZE;
#define SIZE slot_bytes

static void slot_size_for(enum ma_backing kind)
{
	slot_bytes = kind == MA_BACK_ANON_THP || kind == MA_BACK_HUGETLB ? MAX_SIZE : 256ull << 10;
}

#define GPA MA_TEST_GPA
#define PG MA_PAGE_SIZE
#define MPOL_MF_MOVE (1 << 1)	/* linux/mempolicy.h */

#define NOTIFIER "virt/kvm/kvm_main.c:kvm_mmu_notifier_invalidate_range_start zaps the slot's stage-2/TDP " \
		 "mappings and the next guest access refaults through hva_to_pfn (" MA_KERNEL_REF ")"

/* seeds: before the event, the new content, the guest's write after it, a second write */
enum { S_OLD = 0x1111, S_NEW = 0x2222, S_GUEST = 0x3333, S_GUEST2 = 0x4444 };

struct inv {
	struct ma_vm *vm;
	struct ma_vcpu *v;
	uint64_t gpa, size;
};

static void inv_vm(struct inv *x, void *hva)
{
	x->vm = ma_test_vm(1);
	x->v = x->vm->vcpus[0];
	x->gpa = GPA;
	x->size = SIZE;
	ma_add_slot(x->vm, 1, 0, GPA, SIZE, hva);
	ma_map(x->vm, GPA, GPA, SIZE, MA_MT_NORMAL_WB);
}

static void run(struct inv *x, enum ma_agent a, uint64_t a0, uint64_t a1, uint64_t a2, struct ma_result *res,
		const char *what)
{
	/* guest checks are sparse: every 4 KiB page, plus every word of the first and last 64 KiB;
	 * guest writes are whole, so that the host can check every word
	 */
	uint64_t flags = a == MA_AGENT_WRITE_PATTERN ? 0 : MA_PASS_SPARSE;

	ma_run_agent_done(x->v, a, MA_ARGS(a0, a1, a2, flags), res, "%s", what);
}

static void guest_write(struct inv *x, uint64_t off, uint64_t len, uint64_t seed, const char *when)
{
	struct ma_result res;
	char what[160];

	snprintf(what, sizeof(what), "write of pattern %#llx %s", (unsigned long long)seed, when);
	run(x, MA_AGENT_WRITE_PATTERN, x->gpa + off, len, seed, &res, what);
}

/*
 * The guest must read, in [off, off+len) of the slot, pattern arg (agent CHECK_PATTERN) or every
 * word equal to arg (CHECK_FILL); stale is the seed of the pattern it must not see any more.
 */
static void guest_checks(struct inv *x, enum ma_agent agent, uint64_t off, uint64_t len, uint64_t arg,
			 uint64_t stale, const char *when)
{
	struct ma_result res;
	uint64_t at;

	run(x, agent, x->gpa + off, len, arg, &res, agent == MA_AGENT_CHECK_FILL ? "fill check" : "pattern check");
	if (!res.ret.check.mismatches)
		return;
	at = x->gpa + off + res.ret.check.first_off;
	ma_fail("%s: the guest read %llu words wrong (one per 4 KiB page of %llu KiB, and all of the first and last 64 KiB), first at gpa %#llx: %#llx, expected %#llx%s",
		when, (unsigned long long)res.ret.check.mismatches, (unsigned long long)(len >> 10),
		(unsigned long long)at, (unsigned long long)res.ret.check.first_val,
		(unsigned long long)(agent == MA_AGENT_CHECK_FILL ? arg : ma_pattern_word(arg, at)),
		res.ret.check.first_val == ma_pattern_word(stale, at) ?
		" (the STALE content: a mapping was not invalidated)" : "");
}

static void guest_sees(struct inv *x, uint64_t off, uint64_t len, uint64_t seed, uint64_t stale,
		       const char *when)
{
	guest_checks(x, MA_AGENT_CHECK_PATTERN, off, len, seed, stale, when);
}

static void guest_sees_fill(struct inv *x, uint64_t off, uint64_t len, uint64_t value, uint64_t stale,
			    const char *when)
{
	guest_checks(x, MA_AGENT_CHECK_FILL, off, len, value, stale, when);
}

/* host view: words at hva that stand for GPAs gpa.. */
static void host_fill(void *hva, uint64_t gpa, uint64_t len, uint64_t seed)
{
	volatile uint64_t *w = hva;

	for (uint64_t i = 0; i < len / 8; i++)
		w[i] = ma_pattern_word(seed, gpa + i * 8);
}

static void host_sees(const void *hva, uint64_t gpa, uint64_t len, uint64_t seed, const char *where)
{
	const volatile uint64_t *w = hva;
	uint64_t bad = 0, first = 0;

	for (uint64_t i = 0; i < len / 8; i++)
		if (w[i] != ma_pattern_word(seed, gpa + i * 8) && !bad++)
			first = i;
	MA_CHECK(!bad,
		 "%s: the host read %llu of %llu words wrong, first at gpa %#llx: %#llx, expected %#llx",
		 where, (unsigned long long)bad, (unsigned long long)(len / 8),
		 (unsigned long long)(gpa + first * 8), (unsigned long long)w[first],
		 (unsigned long long)ma_pattern_word(seed, gpa + first * 8));
}

static void alloc(struct ma_mem *m, enum ma_backing kind)
{
	int r;

	if (kind == MA_BACK_HUGETLB)
		ms_need_hugepages(1);
	r = ma_try_mem_alloc(m, kind, SIZE, NULL);
	if (r)
		ma_fatal("allocating %llu KiB of %s memory: %s",
			 (unsigned long long)(SIZE >> 10), ma_backing_name(kind),
			 ma_errno_name(-r));
	/* "anon" is the small-page case: with THP "always" an aligned range would get a huge page */
	if (kind == MA_BACK_ANON && madvise(m->hva, SIZE, MADV_NOHUGEPAGE))
		ma_fatal("madvise(MADV_NOHUGEPAGE) of the anonymous memory: %s", ma_errno_name(errno));
}

/* A memfd of SIZE bytes (hugetlbfs-backed with hugetlb: the caller made sure of the pages),
 * its content pattern seed.
 */
static int memfd_with(bool hugetlb, uint64_t seed)
{
	/* MFD_HUGE_2MB = 21 << MFD_HUGE_SHIFT (26) */
	int fd = memfd_create("memattr-inval", MFD_CLOEXEC | (hugetlb ? MFD_HUGETLB | (21u << 26) : 0));
	void *p;

	if (fd < 0)
		ma_fatal("memfd_create(%s): %s", hugetlb ? "MFD_HUGETLB" : "", ma_errno_name(errno));
	if (ftruncate(fd, (off_t)SIZE))
		ma_fatal("ftruncate of the memfd: %s", ma_errno_name(errno));
	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		ma_fatal("mmap MAP_SHARED of the memfd: %s", ma_errno_name(errno));
	host_fill(p, GPA, SIZE, seed);
	munmap(p, SIZE);
	return fd;
}

static void *map_fd(int fd, int flags, void *at)
{
	void *p = mmap(at, SIZE, PROT_READ | PROT_WRITE, flags | (at ? MAP_FIXED : 0), fd, 0);

	if (p == MAP_FAILED)
		ma_fatal("mmap of the memfd (flags %#x at %p): %s", flags, at, ma_errno_name(errno));
	return p;
}

static const struct ma_variant backings[] = {
	{ .name = "anon", .value = MA_BACK_ANON },
	{ .name = "anon_thp", .value = MA_BACK_ANON_THP },
	{ .name = "memfd", .value = MA_BACK_MEMFD },
	{ .name = "hugetlb", .value = MA_BACK_HUGETLB },
};

/* ---- COW break -------------------------------------------------------------------------- */

/* A forked child keeps the original anonymous pages; it answers 'c' with its mismatch count. */
struct sharer {
	pid_t pid;
	int cmd, ans;
};

static void sharer_start(struct sharer *s, const void *hva)
{
	int c[2], a[2];

	if (pipe(c) || pipe(a))
		ma_fatal("pipe: %s", ma_errno_name(errno));
	s->pid = fork();
	if (s->pid < 0)
		ma_fatal("fork: %s", ma_errno_name(errno));
	if (s->pid == 0) {
		char cmd;

		close(c[1]);
		close(a[0]);
		while (read(c[0], &cmd, 1) == 1) {
			const volatile uint64_t *w = hva;
			uint64_t bad = 0;

			for (uint64_t i = 0; i < SIZE / 8; i++)
				bad += w[i] != ma_pattern_word(S_OLD, GPA + i * 8);
			if (write(a[1], &bad, sizeof(bad)) != sizeof(bad))
				break;
		}
		_exit(0);
	}
	close(c[0]);
	close(a[1]);
	s->cmd = c[1];
	s->ans = a[0];
}

static uint64_t sharer_bad_words(struct sharer *s)
{
	uint64_t bad = ~0ull;

	if (write(s->cmd, "c", 1) != 1 || read(s->ans, &bad, sizeof(bad)) != sizeof(bad))
		ma_fatal("asking the forked child for its view: %s", ma_errno_name(errno));
	return bad;
}

static void sharer_stop(struct sharer *s)
{
	close(s->cmd);
	close(s->ans);
	waitpid(s->pid, NULL, 0);
}

MA_TEST(memslot, invalidate_cow_break,
	.source = "mm/memory.c:wp_page_copy (and mm/hugetlb.c:hugetlb_wp) replace the pte under mmu_notifier_invalidate_range_start; "
		  NOTIFIER "; a guest read of a COW page maps it read-only (virt/kvm/kvm_main.c:hva_to_pfn_slow gets no writable page without FOLL_WRITE)",
	MA_VARIANTS(backings), .timeout_s = 60)
{
	enum ma_backing kind = (enum ma_backing)t->value;
	bool file = kind == MA_BACK_MEMFD || kind == MA_BACK_HUGETLB;
	struct sharer sh = { .pid = -1 };
	struct ma_mem m = { .fd = -1 };
	void *priv, *shared = NULL;
	int fd = -1;
	struct inv x;

	slot_size_for(kind);
	if (kind == MA_BACK_HUGETLB)
		ms_need_hugepages(2);	/* the file's page and the private copy */
	if (file) {
		/*
		 * MAP_PRIVATE of a file: the guest reads the page-cache page until the host's write
		 * copies it
		 */
		fd = memfd_with(kind == MA_BACK_HUGETLB, S_OLD);
		priv = map_fd(fd, MAP_PRIVATE, NULL);
		shared = map_fd(fd, MAP_SHARED, NULL);
		ma_log("slot over a MAP_PRIVATE mapping of a %s memfd",
		       kind == MA_BACK_HUGETLB ? "hugetlbfs" : "shmem");
	} else {
		/* anonymous memory shared copy-on-write with a forked child */
		alloc(&m, kind);
		priv = m.hva;
		host_fill(priv, GPA, SIZE, S_OLD);
		ms_prove_backing(kind, priv, SIZE, "before fork");
		sharer_start(&sh, priv);
		ma_log("slot over anonymous memory shared copy-on-write with child %d", (int)sh.pid);
	}
	inv_vm(&x, priv);
	/* the guest reads every page: stage 2 maps the shared original read-only */
	guest_sees(&x, 0, SIZE, S_OLD, S_OLD, "before the COW break");
	if (file)
		ms_prove_backing(kind, priv, SIZE, "after the guest read it");
	/* the host writes every page of its private view: each write copies the page */
	host_fill(priv, GPA, SIZE, S_NEW);
	guest_sees(&x, 0, SIZE, S_NEW, S_OLD, "after the host's writes broke COW");
	guest_write(&x, 0, SIZE, S_GUEST, "after the COW break");
	host_sees(priv, GPA, SIZE, S_GUEST, "private view after the guest's write");
	if (file) {
		host_sees(shared, GPA, SIZE, S_OLD, "the file (shared view) after the guest's write");
	} else {
		uint64_t bad = sharer_bad_words(&sh);

		MA_CHECK(!bad,
			 "the forked child's copy changed in %llu words: a write went to the shared original",
			(unsigned long long)bad);
		sharer_stop(&sh);
	}
	ma_vm_destroy(x.vm);
	if (file) {
		munmap(priv, SIZE);
		munmap(shared, SIZE);
		close(fd);
	} else {
		ma_mem_free(&m);
	}
	ms_hugepages_restore();
}

/* ---- MADV_DONTNEED ---------------------------------------------------------------------- */

MA_TEST(memslot, invalidate_dontneed,
	.source = "mm/madvise.c:madvise_dontneed_free zaps the range (zap_page_range_single under mmu_notifier_invalidate_range_start); "
		  NOTIFIER "; anonymous memory then faults in zeroed pages, a shared memfd its file pages (mm/shmem.c:shmem_fault)",
	MA_VARIANTS(backings), .timeout_s = 60)
{
	enum ma_backing kind = (enum ma_backing)t->value;
	struct ma_mem m;
	struct inv x;

	slot_size_for(kind);
	alloc(&m, kind);
	inv_vm(&x, m.hva);
	guest_write(&x, 0, SIZE, S_OLD, "before MADV_DONTNEED");
	host_sees(m.hva, GPA, SIZE, S_OLD, "before MADV_DONTNEED");
	ms_prove_backing(kind, m.hva, SIZE, "after the guest's write");
	if (madvise(m.hva, SIZE, MADV_DONTNEED))
		ma_fatal("madvise(MADV_DONTNEED of the slot's %s): %s",
			 ma_backing_name(kind), ma_errno_name(errno));
	if (kind == MA_BACK_MEMFD) {
		/* the file keeps its content; then change it through the fd, not through the mapping */
		static uint64_t words[MAX_SIZE / 8];

		for (uint64_t i = 0; i < SIZE / 8; i++)
			words[i] = ma_pattern_word(S_NEW, GPA + i * 8);
		guest_sees(&x, 0, SIZE, S_OLD, S_NEW, "after MADV_DONTNEED, before the file changed");
		if (pwrite(m.fd, words, SIZE, 0) != (ssize_t)SIZE)
			ma_fatal("pwrite of the memfd: %s", ma_errno_name(errno));
		guest_sees(&x, 0, SIZE, S_NEW, S_OLD, "after MADV_DONTNEED and a pwrite of the file");
	} else {
		guest_sees_fill(&x, 0, SIZE, 0, S_OLD, "after MADV_DONTNEED (anonymous: zero pages)");
	}
	guest_write(&x, 0, SIZE, S_GUEST, "after MADV_DONTNEED");
	host_sees(m.hva, GPA, SIZE, S_GUEST, "after the guest's write");
	ma_vm_destroy(x.vm);
	ma_mem_free(&m);
	ms_hugepages_restore();
}

/* ---- FALLOC_FL_PUNCH_HOLE --------------------------------------------------------------- */

static const struct ma_variant file_backings[] = {
	{ .name = "memfd", .value = MA_BACK_MEMFD },
	{ .name = "hugetlb", .value = MA_BACK_HUGETLB },
};

MA_TEST(memslot, invalidate_punch_hole, MA_VARIANTS(file_backings), .timeout_s = 60,
	.source = "mm/shmem.c:shmem_fallocate / fs/hugetlbfs/inode.c:hugetlbfs_punch_hole unmap the range (unmap_mapping_range under the MMU notifier) and free the pages; "
		  NOTIFIER "; the file then reads zeros")
{
	bool huge = (enum ma_backing)t->value == MA_BACK_HUGETLB;
	struct inv x;
	void *hva;
	int fd;

	slot_size_for((enum ma_backing)t->value);
	if (huge)
		ms_need_hugepages(1);
	fd = memfd_with(huge, S_OLD);
	hva = map_fd(fd, MAP_SHARED, NULL);

	inv_vm(&x, hva);
	guest_sees(&x, 0, SIZE, S_OLD, S_OLD, "before the hole punch");
	guest_write(&x, 0, SIZE, S_GUEST, "before the hole punch");
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)SIZE))
		ma_fatal("fallocate(PUNCH_HOLE) of the %s memfd: %s", huge ? "hugetlbfs" : "shmem",
			 ma_errno_name(errno));
	guest_sees_fill(&x, 0, SIZE, 0, S_GUEST, "after the hole punch");
	guest_write(&x, 0, SIZE, S_GUEST2, "after the hole punch");
	host_sees(hva, GPA, SIZE, S_GUEST2, "after the guest's write");
	ma_vm_destroy(x.vm);
	munmap(hva, SIZE);
	close(fd);
	ms_hugepages_restore();
}

/* ---- mremap ----------------------------------------------------------------------------- */

MA_TEST(memslot, invalidate_mremap,
	.source = "mm/mremap.c:move_page_tables moves the ptes under mmu_notifier_invalidate_range_start of the old range; "
		  NOTIFIER "; a memslot keeps its HVA: after the move it reaches whatever is mapped there, and a re-created slot over the new address reaches the moved pages (virt/kvm/kvm_main.c:kvm_set_memory_region refuses to change userspace_addr of a live slot, so the update is delete + create)",
	MA_VARIANTS(backings), .timeout_s = 60)
{
	enum ma_backing kind = (enum ma_backing)t->value;
	struct ma_mem a, o;
	void *old_hva, *dest, *p;
	struct inv x;

	slot_size_for(kind);
	if (kind == MA_BACK_HUGETLB)
		ms_need_hugepages(2);
	alloc(&a, kind);
	alloc(&o, kind);
	old_hva = a.hva;
	inv_vm(&x, old_hva);
	guest_write(&x, 0, SIZE, S_OLD, "before mremap");
	host_sees(old_hva, GPA, SIZE, S_OLD, "before mremap");
	ms_prove_backing(kind, old_hva, SIZE, "after the guest's write");
	host_fill(o.hva, GPA, SIZE, S_NEW);
	/* move the slot's memory away, then another mapping onto the slot's HVA */
	dest = ms_reserve(SIZE, SIZE);
	p = mremap(old_hva, SIZE, SIZE, MREMAP_MAYMOVE | MREMAP_FIXED, dest);
	if (p == MAP_FAILED)
		ma_fatal("mremap of the slot's %s to %p: %s",
			 ma_backing_name(kind), dest, ma_errno_name(errno));
	p = mremap(o.hva, SIZE, SIZE, MREMAP_MAYMOVE | MREMAP_FIXED, old_hva);
	if (p == MAP_FAILED)
		ma_fatal("mremap of another %s mapping onto the slot's HVA %p: %s",
			 ma_backing_name(kind), old_hva,
			 ma_errno_name(errno));
	ma_log("slot memory moved %p -> %p, another %s mapping moved onto %p",
	       old_hva, dest, ma_backing_name(kind),
	       old_hva);
	guest_sees(&x, 0, SIZE, S_NEW, S_OLD, "after mremap put other memory at the slot's HVA");
	guest_write(&x, 0, SIZE, S_GUEST, "after mremap");
	host_sees(old_hva, GPA, SIZE, S_GUEST, "the mapping now at the slot's HVA, after the guest's write");
	host_sees(dest, GPA, SIZE, S_OLD, "the moved original, after the guest's write");
	/* the memslot update: the slot follows its memory to the new address */
	MA_ASSERT_EQ(ma_try_delete_slot(x.vm, 1), 0);
	ma_add_slot(x.vm, 1, 0, GPA, SIZE, dest);
	guest_sees(&x, 0, SIZE, S_OLD, S_GUEST, "after the slot was re-created over the moved memory");
	guest_write(&x, 0, SIZE, S_GUEST2, "after the slot update");
	host_sees(dest, GPA, SIZE, S_GUEST2, "the moved memory, after the guest's write");
	host_sees(old_hva, GPA, SIZE, S_GUEST, "the mapping at the old HVA, after the slot update");
	ma_vm_destroy(x.vm);
	munmap(dest, SIZE);
	munmap(old_hva, SIZE);
	/* what is left of the two allocations (THP alignment slack) */
	a.hva = NULL;
	o.hva = NULL;
	ma_mem_free(&a);
	ma_mem_free(&o);
	ms_hugepages_restore();
}

/* ---- munmap + mmap of another memfd at the same address --------------------------------- */

MA_TEST(memslot, invalidate_remap_memfd, MA_VARIANTS(backings), .timeout_s = 60,
	.source = "mm/vma.c:do_vmi_munmap / mmap MAP_FIXED unmap the old pages under the MMU notifier; "
		  NOTIFIER
		  "; the memslot's HVA then reaches the new memfd's pages")
{
	enum ma_backing kind = (enum ma_backing)t->value;
	bool huge = kind == MA_BACK_HUGETLB;
	struct ma_mem m;
	void *hva, *check;
	struct inv x;
	int fd;

	slot_size_for(kind);
	if (huge)
		ms_need_hugepages(2);
	alloc(&m, kind);
	hva = m.hva;
	inv_vm(&x, hva);
	guest_write(&x, 0, SIZE, S_OLD, "before the remap");
	host_sees(hva, GPA, SIZE, S_OLD, "before the remap");
	ms_prove_backing(kind, hva, SIZE, "after the guest's write");
	fd = memfd_with(huge, S_NEW);
	if (munmap(hva, SIZE))
		ma_fatal("munmap of the slot's memory: %s", ma_errno_name(errno));
	map_fd(fd, MAP_SHARED, hva);
	ma_log("slot HVA %p: %s unmapped, a %s memfd mapped there (MAP_FIXED)", hva, ma_backing_name(kind),
	       huge ? "hugetlbfs" : "shmem");
	guest_sees(&x, 0, SIZE, S_NEW, S_OLD, "after munmap + mmap of another memfd");
	guest_write(&x, 0, SIZE, S_GUEST, "after the remap");
	check = map_fd(fd, MAP_SHARED, NULL);
	host_sees(check, GPA, SIZE, S_GUEST, "the new memfd (a second mapping), after the guest's write");
	ma_vm_destroy(x.vm);
	munmap(check, SIZE);
	munmap(hva, SIZE);
	close(fd);
	m.hva = NULL;
	ma_mem_free(&m);
	ms_hugepages_restore();
}

/* ---- THP split -------------------------------------------------------------------------- */

static void need_thp(const void *hva, const char *when)
{
	long kb = ms_try_anon_huge_kb(hva);

	if (kb < (long)(SIZE >> 10))
		ma_skip("AnonHugePages of the 2 MiB-aligned MADV_HUGEPAGE range %s: %ld kB, not a THP (transparent_hugepage/enabled: %s)",
			when, kb, ms_thp_setting());
	ma_log("AnonHugePages %s: %ld kB", when, kb);
}

static const struct ma_variant split_ways[] = {
	{ .name = "munmap", .value = 0 },
	{ .name = "mprotect", .value = 1 },
};

#define VICTIM 5	/* the 4 KiB page inside the THP that is unmapped or made read-only */

MA_TEST(memslot, invalidate_thp_split,
	.source = "mm/huge_memory.c:__split_huge_pmd runs under mmu_notifier_invalidate_range_start of the whole PMD; "
		  NOTIFIER "; a fault on an HVA without a VMA, or a write fault on a read-only VMA, gets KVM_PFN_ERR_FAULT (virt/kvm/kvm_main.c:hva_to_pfn) and KVM_RUN fails with EFAULT (arch/arm64/kvm/mmu.c:kvm_s2_fault_get_vma_info/kvm_s2_fault_pin_pfn, arch/x86/kvm/mmu/mmu.c:kvm_handle_error_pfn)",
	MA_VARIANTS(split_ways), .timeout_s = 60)
{
	bool mprot = t->value == 1;
	const uint64_t voff = VICTIM * PG;
	struct ma_result res;
	struct ma_mem m;
	char *hva, why[768];
	struct inv x;

	alloc(&m, MA_BACK_ANON_THP);
	hva = m.hva;
	inv_vm(&x, hva);
	guest_write(&x, 0, SIZE, S_OLD, "before the split");
	host_sees(hva, GPA, SIZE, S_OLD, "before the split");
	need_thp(hva, "after the guest wrote all of it");
	if (madvise(hva, SIZE, MADV_NOHUGEPAGE))
		ma_fatal("madvise(MADV_NOHUGEPAGE): %s", ma_errno_name(errno));
	if (mprot) {
		if (mprotect(hva + voff, PG, PROT_READ))
			ma_fatal("mprotect(PROT_READ) of one 4 KiB page of the THP: %s",
				 ma_errno_name(errno));
		/* reads of the read-only page still work; a write must not reach it */
		run(&x, MA_AGENT_LOAD64, GPA + voff + 8, 0, 0, &res, "load from the read-only page");
		MA_EXPECT_EQ(res.ret.load.value, ma_pattern_word(S_OLD, GPA + voff + 8));
		ma_vcpu_run_agent(x.v, MA_AGENT_STORE64, MA_ARGS(GPA + voff + 8, 0x5707e), 0, &res);
		ma_result_describe(&res, why, sizeof(why));
		ma_log("guest store to the page the host made read-only: %s", why);
		if (res.outcome == MA_OUT_DONE)
			ma_fatal("the guest wrote a page the host maps read-only (host word now %#llx): the THP's writable mapping was not invalidated",
				 (unsigned long long)((uint64_t *)(hva + voff))[1]);
		MA_ASSERT_EQ(res.outcome, MA_OUT_RUN_ERROR);
		MA_EXPECT_EQ(res.err, EFAULT);
		MA_EXPECT_EQ(((uint64_t *)(hva + voff))[1], ma_pattern_word(S_OLD, GPA + voff + 8));
		if (mprotect(hva + voff, PG, PROT_READ | PROT_WRITE))
			ma_fatal("mprotect(PROT_READ|PROT_WRITE): %s", ma_errno_name(errno));
		MA_ASSERT_EQ(ma_vcpu_resume(x.v, 0, &res), MA_OUT_DONE);
		MA_EXPECT_EQ(((uint64_t *)(hva + voff))[1], 0x5707e);
		((uint64_t *)(hva + voff))[1] = ma_pattern_word(S_OLD, GPA + voff + 8);
		guest_sees(&x, 0, SIZE, S_OLD, S_OLD, "after the split by mprotect");
	} else {
		if (munmap(hva + voff, PG))
			ma_fatal("munmap of one 4 KiB page of the THP: %s", ma_errno_name(errno));
		ma_vcpu_run_agent(x.v, MA_AGENT_LOAD64, MA_ARGS(GPA + voff + 8), 0, &res);
		ma_result_describe(&res, why, sizeof(why));
		ma_log("guest load from the page the host unmapped: %s", why);
		if (res.outcome == MA_OUT_DONE)
			ma_fatal("the guest read %#llx from a page the host unmapped: the THP's mapping was not invalidated",
				 (unsigned long long)res.ret.load.value);
		MA_ASSERT_EQ(res.outcome, MA_OUT_RUN_ERROR);
		MA_EXPECT_EQ(res.err, EFAULT);
		/* fresh anonymous memory in the hole: the stuck load completes with zero */
		if (mmap(hva + voff, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			 -1, 0) == MAP_FAILED)
			ma_fatal("mmap of a fresh page into the hole: %s", ma_errno_name(errno));
		MA_ASSERT_EQ(ma_vcpu_resume(x.v, 0, &res), MA_OUT_DONE);
		MA_EXPECT_EQ(res.ret.load.value, 0);
		guest_sees(&x, 0, voff, S_OLD, S_OLD, "pages before the hole, after the split");
		guest_sees_fill(&x, voff, PG, 0, S_OLD, "the fresh page in the hole");
		guest_sees(&x, voff + PG, SIZE - voff - PG, S_OLD, S_OLD, "pages after the hole, after the split");
	}
	{
		/* the 2 MiB mapping is gone: the range is mapped with 4 KiB ptes now (__split_huge_pmd) */
		long kb = ms_try_anon_huge_kb(hva);

		ma_log("AnonHugePages after the split: %ld kB", kb);
		MA_CHECK(kb == 0,
			 "AnonHugePages is still %ld kB after the %s of a 4 KiB page: the PMD mapping was not split",
			kb, mprot ? "mprotect" : "munmap");
	}
	host_fill(hva, GPA, SIZE, S_NEW);
	guest_sees(&x, 0, SIZE, S_NEW, S_OLD, "after the host rewrote the split range");
	guest_write(&x, 0, SIZE, S_GUEST, "after the split");
	host_sees(hva, GPA, SIZE, S_GUEST, "after the guest's write");
}

/* ---- THP collapse ----------------------------------------------------------------------- */

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

MA_TEST(memslot, invalidate_thp_collapse, .timeout_s = 60, .req = { .root = true },
	.source = "mm/khugepaged.c:collapse_huge_page copies the 4 KiB pages into a new huge page and frees them, under mmu_notifier_invalidate_range_start of the PMD range; "
		  NOTIFIER)
{
	struct ma_mem m;
	char *hva;
	long long pfn_before, pfn_after;
	long kb;
	struct inv x;

	alloc(&m, MA_BACK_ANON_THP);
	hva = m.hva;
	/* small pages first */
	if (madvise(hva, SIZE, MADV_NOHUGEPAGE))
		ma_fatal("madvise(MADV_NOHUGEPAGE): %s", ma_errno_name(errno));
	inv_vm(&x, hva);
	guest_write(&x, 0, SIZE, S_OLD, "before the collapse");
	kb = ms_try_anon_huge_kb(hva);
	if (kb != 0)
		ma_skip("AnonHugePages %ld kB after faulting the range in with MADV_NOHUGEPAGE: not small pages",
			kb);
	pfn_before = ms_try_pagemap_pfn(hva);
	if (madvise(hva, SIZE, MADV_HUGEPAGE))
		ma_fatal("madvise(MADV_HUGEPAGE): %s", ma_errno_name(errno));
	if (madvise(hva, SIZE, MADV_COLLAPSE)) {
		int e = errno;

		if (e == EINVAL)
			ma_skip("madvise(MADV_COLLAPSE): EINVAL (the kernel has no MADV_COLLAPSE)");
		if (e == EAGAIN || e == ENOMEM)
			ma_skip("madvise(MADV_COLLAPSE): %s (no huge page could be had; transparent_hugepage/enabled: %s)",
				ma_errno_name(e), ms_thp_setting());
		ma_fatal("madvise(MADV_COLLAPSE): %s", ma_errno_name(e));
	}
	kb = ms_try_anon_huge_kb(hva);
	pfn_after = ms_try_pagemap_pfn(hva);
	ma_log("MADV_COLLAPSE: AnonHugePages 0 -> %ld kB, pfn of the first page %#llx -> %#llx", kb,
	       (unsigned long long)pfn_before, (unsigned long long)pfn_after);
	if (kb < (long)(SIZE >> 10))
		ma_skip("MADV_COLLAPSE returned 0 but AnonHugePages is %ld kB: nothing was collapsed", kb);
	if (pfn_before <= 0 || pfn_after <= 0)
		ma_fatal("/proc/self/pagemap gave no pfn for the first page (%lld before, %lld after the collapse)",
			 (long long)pfn_before, (long long)pfn_after);
	/* the collapse copies into a newly allocated huge page (mm/khugepaged.c:collapse_huge_page) */
	MA_EXPECT_NE(pfn_before, pfn_after);
	host_sees(hva, GPA, SIZE, S_OLD, "after the collapse (copied content)");
	guest_sees(&x, 0, SIZE, S_OLD, S_OLD, "after the collapse");
	host_fill(hva, GPA, SIZE, S_NEW);
	guest_sees(&x, 0, SIZE, S_NEW, S_OLD, "after the host rewrote the collapsed huge page");
	guest_write(&x, 0, SIZE, S_GUEST, "after the collapse");
	host_sees(hva, GPA, SIZE, S_GUEST, "after the guest's write");
}

/* ---- migration -------------------------------------------------------------------------- */

/*
 * move_pages(2) of every page to the node it is on: no page moves (add_folio_for_migration), but
 * do_pages_move drains the per-CPU LRU batches (lru_cache_disable), so that freshly faulted pages
 * are on the LRU where compaction can isolate them.  The pages must all stay where they are.
 */
static void same_node_move(void *hva, unsigned int npages)
{
	static void *pages[MAX_SIZE / MA_PAGE_SIZE];
	static int nodes[MAX_SIZE / MA_PAGE_SIZE], status[MAX_SIZE / MA_PAGE_SIZE];
	long r;

	for (unsigned int i = 0; i < npages; i++)
		pages[i] = (char *)hva + i * PG;
	r = syscall(SYS_move_pages, 0, (unsigned long)npages, pages, NULL, status, 0);
	if (r) {
		ma_log("move_pages(query): %s; no same-node move", ma_errno_name(errno));
		return;
	}
	for (unsigned int i = 0; i < npages; i++)
		nodes[i] = status[i] < 0 ? 0 : status[i];
	r = syscall(SYS_move_pages, 0, (unsigned long)npages, pages, nodes, status, MPOL_MF_MOVE);
	ma_log("move_pages to the same node: %s, page 0 status %d (node %d)", r ? ma_errno_name(errno) : "0",
	       status[0], nodes[0]);
}

/*
 * Compaction never moves hugetlb pages or pageblock-sized THP folios (mm/compaction.c:
 * isolate_migratepages_block skips them), so migration is tried on small pages only; moving huge
 * pages needs move_pages(2) to another NUMA node, which a one-node cell does not have.
 */
static const struct ma_variant small_page_backings[] = {
	{ .name = "anon", .value = MA_BACK_ANON },
	{ .name = "memfd", .value = MA_BACK_MEMFD },
};

MA_TEST(memslot, invalidate_migrate,
	.source = "mm/migrate.c:migrate_pages unmaps each page (try_to_migrate under the MMU notifier) and maps the copy; "
		  NOTIFIER ". move_pages(2) to the node a page is on does not move it (mm/migrate.c:add_folio_for_migration), so /proc/sys/vm/compact_memory (mm/compaction.c:compact_node) is the trigger; it skips hugetlb and pageblock-sized folios",
	MA_VARIANTS(small_page_backings), .timeout_s = 90, .req = { .root = true })
{
	enum ma_backing kind = (enum ma_backing)t->value;
	static long long before[MAX_SIZE / MA_PAGE_SIZE];
	unsigned int npages;
	unsigned int moved = 0, first = 0;
	struct ma_mem m;
	struct inv x;
	int fd, r;

	/* 2 MiB even of small pages: compaction moves some pages of a range, and of a larger range
	 * some more likely (64 pages: none moved in most lab runs; 512: a few hundred in most)
	 */
	slot_bytes = MAX_SIZE;
	npages = (unsigned int)(SIZE / PG);
	alloc(&m, kind);
	inv_vm(&x, m.hva);
	guest_write(&x, 0, SIZE, S_OLD, "before compaction");
	ms_prove_backing(kind, m.hva, SIZE, "after the guest's write");
	for (unsigned int i = 0; i < npages; i++) {
		before[i] = ms_try_pagemap_pfn((char *)m.hva + i * PG);
		if (before[i] <= 0)
			ma_skip("/proc/self/pagemap gives no pfn for page %u (%lld)", i, before[i]);
	}
	same_node_move(m.hva, npages);
	fd = open("/proc/sys/vm/compact_memory", O_WRONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		ma_skip("/proc/sys/vm/compact_memory is absent (no CONFIG_COMPACTION)");
	if (fd < 0)
		ma_fatal("opening /proc/sys/vm/compact_memory: %s", ma_errno_name(errno));
	r = write(fd, "1\n", 2) == 2 ? 0 : -errno;
	close(fd);
	if (r)
		ma_fatal("writing /proc/sys/vm/compact_memory: %s", ma_errno_name(-r));
	for (unsigned int i = 0; i < npages; i++) {
		long long now = ms_try_pagemap_pfn((char *)m.hva + i * PG);

		if (now > 0 && now != before[i] && !moved++)
			first = i;
	}
	if (!moved)
		ma_skip("compaction moved none of the %u pages of %s memory (pagemap pfns unchanged, page 0 at %#llx)",
			npages, ma_backing_name(kind), (unsigned long long)before[0]);
	ma_log("compaction moved %u of %u pages (first: page %u, pfn %#llx -> %#llx)", moved, npages, first,
	       (unsigned long long)before[first],
	       (unsigned long long)ms_try_pagemap_pfn((char *)m.hva + first * PG));
	host_sees(m.hva, GPA, SIZE, S_OLD, "after migration (copied content)");
	host_fill(m.hva, GPA, SIZE, S_NEW);
	guest_sees(&x, 0, SIZE, S_NEW, S_OLD, "after migration and a host rewrite");
	guest_write(&x, 0, SIZE, S_GUEST, "after migration");
	host_sees(m.hva, GPA, SIZE, S_GUEST, "after the guest's write");
	ma_vm_destroy(x.vm);
	ma_mem_free(&m);
	ms_hugepages_restore();
}
