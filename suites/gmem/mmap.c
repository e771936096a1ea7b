// SPDX-License-Identifier: GPL-2.0
/*
 * gmem: host mappings of a guest_memfd.  virt/kvm/guest_memfd.c:kvm_gmem_mmap allows only shared
 * mappings of a file made with GUEST_MEMFD_FLAG_MMAP; its fault handler
 * (kvm_gmem_fault_user_mapping) gives SIGBUS beyond i_size and on every page of a file made without
 * GUEST_MEMFD_FLAG_INIT_SHARED (7.2 has no per-page shared state), and a zeroed page otherwise.
 * A hole punched in the file is unmapped from the host too and reads back as zeros.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gmem.h"

MA_TEST(gmem, mmap_needs_mmap_flag, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:kvm_gmem_mmap: a file without GUEST_MEMFD_FLAG_MMAP gives ENODEV ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = gm_bare_vm();
	uint64_t mask = gm_vm_flags(vm);

	for (uint64_t f = 0; f <= GM_FLAGS_ALL; f++) {
		int fd, err;
		void *p;

		if ((f & ~mask) || (f & GUEST_MEMFD_FLAG_MMAP))
			continue;
		fd = ma_gmem_create(vm, GM_SIZE, f);
		p = gm_try_mmap(fd, GM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, &err);
		MA_CHECK(!p && err == ENODEV, "flags %s: mmap MAP_SHARED: %s, expected ENODEV",
			 gm_flags_str(f), p ? "mapped" : ma_errno_name(err));
		p = gm_try_mmap(fd, GM_PG, PROT_READ, MAP_SHARED, &err);
		MA_CHECK(!p && err == ENODEV, "flags %s: mmap of one page PROT_READ: %s, expected ENODEV",
			 gm_flags_str(f), p ? "mapped" : ma_errno_name(err));
	}
}

MA_TEST(gmem, mmap_private_and_exec_refused, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:kvm_gmem_mmap: without VM_SHARED|VM_MAYSHARE (MAP_PRIVATE) EINVAL; kvm_gmem_init_mount mounts the guest_memfd filesystem MNT_NOEXEC, so mm/mmap.c:do_mmap refuses PROT_EXEC with EPERM ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = gm_bare_vm();
	uint64_t mask = gm_vm_flags(vm);

	for (uint64_t f = 0; f <= GM_FLAGS_ALL; f++) {
		int fd, err;
		void *p;

		if ((f & ~mask) || !(f & GUEST_MEMFD_FLAG_MMAP))
			continue;
		fd = ma_gmem_create(vm, GM_SIZE, f);
		p = gm_try_mmap(fd, GM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, &err);
		MA_CHECK(!p && err == EINVAL, "flags %s: mmap MAP_PRIVATE: %s, expected EINVAL",
			 gm_flags_str(f), p ? "mapped" : ma_errno_name(err));
		p = gm_try_mmap(fd, GM_SIZE, PROT_READ, MAP_PRIVATE, &err);
		MA_CHECK(!p && err == EINVAL, "flags %s: mmap MAP_PRIVATE read-only: %s, expected EINVAL",
			 gm_flags_str(f), p ? "mapped" : ma_errno_name(err));
		p = gm_try_mmap(fd, GM_SIZE, PROT_READ | PROT_EXEC, MAP_SHARED, &err);
		MA_CHECK(!p && err == EPERM, "flags %s: mmap PROT_EXEC: %s, expected EPERM", gm_flags_str(f),
			 p ? "mapped" : ma_errno_name(err));
		/* the control: a shared mapping is made (faults are another test's) */
		p = gm_try_mmap(fd, GM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, &err);
		MA_CHECK(p, "flags %s: mmap MAP_SHARED: %s, expected a mapping", gm_flags_str(f),
			 ma_errno_name(err));
	}
}

MA_TEST(gmem, host_fault_without_init_shared_sigbus, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:kvm_gmem_fault_user_mapping: a file without GUEST_MEMFD_FLAG_INIT_SHARED gives VM_FAULT_SIGBUS on every page, reads and writes, also after fallocate (arch/*/mm/fault.c: SIGBUS BUS_ADRERR at the address; "
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = gm_bare_vm();
	int fd = ma_gmem_create(vm, GM_SIZE, GUEST_MEMFD_FLAG_MMAP);
	char *p = gm_mmap(fd, GM_SIZE);

	for (uint64_t off = 0; off < GM_SIZE; off += GM_PG) {
		gm_expect_sigbus((volatile uint64_t *)(p + off), false, "before fallocate");
		gm_expect_sigbus((volatile uint64_t *)(p + off + 8), true, "before fallocate");
	}
	/* the pages exist in the file now: still no host access */
	MA_ASSERT_EQ(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)GM_SIZE), 0);
	for (uint64_t off = 0; off < GM_SIZE; off += GM_PG) {
		gm_expect_sigbus((volatile uint64_t *)(p + off + 16), false, "after fallocate");
		gm_expect_sigbus((volatile uint64_t *)(p + off + GM_PG - 8), true, "after fallocate");
	}
}

MA_TEST(gmem, host_fault_beyond_size_sigbus, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:kvm_gmem_fault_user_mapping: pgoff at or beyond i_size gives VM_FAULT_SIGBUS; inside it an INIT_SHARED file maps zeroed pages the host can write (arch/*/mm/fault.c: SIGBUS BUS_ADRERR at the address; "
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = gm_bare_vm();
	int fd;
	char *p;

	if (!(gm_vm_flags(vm) & GUEST_MEMFD_FLAG_INIT_SHARED))
		ma_skip("the default VM's KVM_CAP_GUEST_MEMFD_FLAGS is %s: no INIT_SHARED",
			gm_flags_str(gm_vm_flags(vm)));
	fd = ma_gmem_create(vm, GM_SIZE, GM_FLAGS_ALL);
	/* mmap does not check i_size: four times the file */
	p = gm_mmap(fd, 4 * GM_SIZE);
	for (uint64_t off = 0; off < GM_SIZE; off += GM_PG) {
		volatile uint64_t *w = (volatile uint64_t *)(p + off);
		struct gm_access a;

		gm_host_access(w, false, 0, &a);
		MA_CHECK(!a.sig && a.value == 0, "load at +%#llx inside the file: signal %d, value %#llx, expected a zero",
			 (unsigned long long)off, a.sig, (unsigned long long)a.value);
		gm_host_access(w + 1, true, off ^ 0xfeed, &a);
		MA_CHECK(!a.sig && w[1] == (off ^ 0xfeed), "store at +%#llx inside the file: signal %d, read back %#llx",
			 (unsigned long long)off + 8, a.sig, (unsigned long long)w[1]);
	}
	for (uint64_t off = GM_SIZE; off < 4 * GM_SIZE; off += GM_PG) {
		gm_expect_sigbus((volatile uint64_t *)(p + off), false, "beyond i_size");
		gm_expect_sigbus((volatile uint64_t *)(p + off + 8), true, "beyond i_size");
	}
}

/*
 * Two mappings of one file see the same pages; a hole punched in the file unmaps them from both
 * (mm/truncate.c:truncate_inode_pages_range) and reads back as zeros, the rest keeps its data, and
 * the data is the file's: it survives munmap.
 */
MA_TEST(gmem, host_mappings_share_and_punch_zeroes, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:kvm_gmem_fault_user_mapping (one folio per index, shared), kvm_gmem_punch_hole (truncate_inode_pages_range; the next fault allocates a zeroed page) ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = gm_bare_vm();
	uint64_t bad, first = 0;
	char *a, *b;
	int fd;

	if (!(gm_vm_flags(vm) & GUEST_MEMFD_FLAG_INIT_SHARED))
		ma_skip("the default VM's KVM_CAP_GUEST_MEMFD_FLAGS is %s: no INIT_SHARED",
			gm_flags_str(gm_vm_flags(vm)));
	fd = ma_gmem_create(vm, GM_SIZE, GM_FLAGS_ALL);
	a = gm_mmap(fd, GM_SIZE);
	b = gm_mmap(fd, GM_SIZE);
	gm_host_fill(a, 0, GM_SIZE, 0xa1);
	bad = gm_host_bad_words(b, 0, GM_SIZE, 0xa1, &first);
	MA_CHECK(!bad, "the second mapping differs in %llu words, first at +%#llx", (unsigned long long)bad,
		 (unsigned long long)first);
	MA_ASSERT_EQ(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)(2 * GM_PG),
			       (off_t)(3 * GM_PG)), 0);
	bad = 0;
	for (uint64_t off = 0; off < GM_SIZE; off += 8) {
		uint64_t want = off >= 2 * GM_PG && off < 5 * GM_PG ? 0 : ma_pattern_word(0xa1, off);
		uint64_t va = *(volatile uint64_t *)(a + off), vb = *(volatile uint64_t *)(b + off);

		if ((va != want || vb != want) && !bad++) {
			first = off;
			ma_log("after punching pages 2-4: +%#llx reads %#llx and %#llx through the two mappings, expected %#llx%s",
			       (unsigned long long)off, (unsigned long long)va, (unsigned long long)vb,
			       (unsigned long long)want, want ? "" : " (stale data in the hole)");
		}
	}
	MA_CHECK(!bad, "after punching pages 2-4: %llu words wrong, first at +%#llx", (unsigned long long)bad,
		 (unsigned long long)first);
	munmap(a, GM_SIZE);
	munmap(b, GM_SIZE);
	a = gm_mmap(fd, GM_SIZE);
	bad = gm_host_bad_words(a, 0, 2 * GM_PG, 0xa1, &first);
	MA_CHECK(!bad, "mapped again: the first two pages differ in %llu words, first at +%#llx",
		 (unsigned long long)bad, (unsigned long long)first);
}
