// SPDX-License-Identifier: GPL-2.0
/*
 * gmem: binding a guest_memfd to a memslot (KVM_SET_USER_MEMORY_REGION2 with KVM_MEM_GUEST_MEMFD).
 * virt/kvm/kvm_main.c:kvm_set_memory_region checks the flags (check_memory_region_flags), the
 * alignment and overflow of guest_memfd_offset, that a guest_memfd slot is never modified, and the
 * GPA overlap; then virt/kvm/guest_memfd.c:kvm_gmem_bind checks the fd (EBADF), that it is a
 * guest_memfd of this VM (EINVAL), the offset range against i_size (EINVAL) and overlap inside the
 * file (EEXIST); then the architecture (kvm_arch_prepare_memory_region), and a failure there
 * undoes the binding (out_unbind).  The files are made with every flag the VM supports, so that
 * arm64 takes them (gmem-only slots).
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gmem.h"

#define MB (1ull << 20)

/* A guest_memfd of size with every flag the VM supports. */
static int file_for(struct ma_vm *vm, uint64_t size)
{
	return ma_gmem_create(vm, size, gm_vm_flags(vm) & GM_FLAGS_ALL);
}

MA_TEST(gmem, bind_bad_fd_ebadf, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:kvm_gmem_bind: fget(fd) fails: EBADF (" MA_KERNEL_REF ")")
{
	struct ma_vm *vm = gm_bare_vm();
	int fd = file_for(vm, GM_SIZE), closed = dup(fd);

	MA_ASSERT_TRUE(closed >= 0);
	close(closed);
	MA_EXPECT_ERRNO(ma_try_add_gmem_slot(vm, 1, 0, GM_GPA, GM_SIZE, NULL, closed, 0), EBADF);
	MA_EXPECT_ERRNO(ma_try_add_gmem_slot(vm, 1, 0, GM_GPA, GM_SIZE, NULL, 0x7fffffff, 0), EBADF);
	MA_EXPECT_ERRNO(ma_try_add_gmem_slot(vm, 1, 0, GM_GPA, GM_SIZE, NULL, -1, 0), EBADF);
	MA_EXPECT_OK(ma_try_add_gmem_slot(vm, 1, 0, GM_GPA, GM_SIZE, NULL, fd, 0));
}

MA_TEST(gmem, bind_foreign_fd_einval, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:kvm_gmem_bind: a file whose f_op is not kvm_gmem_fops, or a guest_memfd of another VM (f->kvm != kvm), gives EINVAL ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = gm_bare_vm(), *other = gm_bare_vm(), *gone = gm_bare_vm();
	int memfd = memfd_create("memattr-gmem", MFD_CLOEXEC), efd = eventfd(0, EFD_CLOEXEC);
	int other_fd = file_for(other, GM_SIZE), gone_fd = file_for(gone, GM_SIZE), pipefd[2];
	struct {
		const char *what;
		int fd;
	} foreign[] = {
		{ "a memfd", memfd },
		{ "an eventfd", efd },
		{ "a pipe", -1 },
		{ "/dev/kvm", ma_kvm_fd() },
		{ "the VM's own fd", vm->fd },
		{ "another VM's guest_memfd", other_fd },
		{ "the guest_memfd of a VM whose fd is closed", gone_fd },
	};

	MA_ASSERT_TRUE(memfd >= 0 && efd >= 0 && !pipe(pipefd));
	foreign[2].fd = pipefd[0];
	MA_ASSERT_EQ(ftruncate(memfd, (off_t)GM_SIZE), 0);
	ma_vm_destroy(gone);	/* the file keeps that VM alive (kvm_get_kvm in __kvm_gmem_create) */
	for (unsigned int i = 0; i < MA_ARRAY_SIZE(foreign); i++) {
		int r = ma_try_add_gmem_slot(vm, 1, 0, GM_GPA, GM_SIZE, NULL, foreign[i].fd, 0);

		MA_CHECK(r == -EINVAL, "binding %s: %s, expected EINVAL", foreign[i].what,
			 r ? ma_errno_name(-r) : "success");
	}
	/* the control: this VM's own guest_memfd */
	MA_EXPECT_OK(ma_try_add_gmem_slot(vm, 1, 0, GM_GPA, GM_SIZE, NULL, file_for(vm, GM_SIZE), 0));
}

MA_TEST(gmem, bind_offset_rules, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/kvm_main.c:kvm_set_memory_region (guest_memfd_offset not page aligned, or offset + size wrapping: EINVAL) and virt/kvm/guest_memfd.c:kvm_gmem_bind (offset + size > i_size, unsigned: EINVAL) ("
		  MA_KERNEL_REF ")")
{
	const uint64_t pg = GM_PG, len = 2 * GM_PG;
	const struct {
		uint64_t off;
		int err;
		const char *what;
	} tab[] = {
		{ 1, EINVAL, "unaligned" },
		{ 8, EINVAL, "unaligned" },
		{ GM_PG / 2, EINVAL, "unaligned" },
		{ GM_PG + 8, EINVAL, "unaligned" },
		{ GM_SIZE - GM_PG, EINVAL, "the slot's end past i_size" },
		{ GM_SIZE, EINVAL, "at i_size" },
		{ 2 * GM_SIZE, EINVAL, "past i_size" },
		{ GM_MAX_SIZE, EINVAL, "INT64_MAX aligned down" },
		{ GM_MAX_SIZE - GM_PG, EINVAL, "INT64_MAX aligned down, less a page" },
		{ 1ull << 63, EINVAL, "2^63" },
		{ ~0ull & ~(GM_PG - 1), EINVAL, "offset + size wraps" },
		{ ~0ull, EINVAL, "all ones" },
		{ GM_SIZE - 2 * GM_PG, 0, "the last two pages (the control)" },
	};
	struct ma_vm *vm = gm_bare_vm();
	int fd = file_for(vm, GM_SIZE), big;

	for (unsigned int i = 0; i < MA_ARRAY_SIZE(tab); i++) {
		int r = ma_try_add_gmem_slot(vm, 1, 0, GM_GPA, len, NULL, fd, tab[i].off);

		MA_CHECK(r == -tab[i].err, "offset %#llx (%s), slot of %#llx in a file of %#llx: %s, expected %s",
			 (unsigned long long)tab[i].off, tab[i].what, (unsigned long long)len,
			 (unsigned long long)GM_SIZE, r ? ma_errno_name(-r) : "success",
			 tab[i].err ? ma_errno_name(tab[i].err) : "success");
	}
	/* a file of the largest size: its last pages can be bound, one page further cannot */
	big = file_for(vm, GM_MAX_SIZE);
	MA_EXPECT_ERRNO(ma_try_add_gmem_slot(vm, 2, 0, GM_GPA + MB, len, NULL, big, GM_MAX_SIZE - pg),
			EINVAL);
	MA_EXPECT_OK(ma_try_add_gmem_slot(vm, 2, 0, GM_GPA + MB, len, NULL, big, GM_MAX_SIZE - len));
}

MA_TEST(gmem, bind_overlap_in_file_eexist, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:kvm_gmem_bind: a range of the file already bound to a memslot gives EEXIST (the bindings xarray); unbinding on delete frees it ("
		  MA_KERNEL_REF ")")
{
	const uint64_t p = GM_PG;
	const struct {
		uint64_t off, len;
		int err;
		const char *what;
	} tab[] = {
		{ 4 * p, 4 * p, EEXIST, "the same range" },
		{ 2 * p, 4 * p, EEXIST, "straddling its start" },
		{ 6 * p, 4 * p, EEXIST, "straddling its end" },
		{ 5 * p, p, EEXIST, "inside it" },
		{ 0, 16 * p, EEXIST, "around it" },
		{ 0, 4 * p, 0, "adjacent below" },
		{ 8 * p, 8 * p, 0, "adjacent above" },
	};
	struct ma_vm *vm = gm_bare_vm();
	int fd = file_for(vm, 16 * p), fd2 = file_for(vm, 16 * p);
	uint32_t slot = 2;

	ma_add_gmem_slot(vm, 1, GM_GPA, 4 * p, NULL, fd, 4 * p);
	for (unsigned int i = 0; i < MA_ARRAY_SIZE(tab); i++) {
		int r = ma_try_add_gmem_slot(vm, slot, 0, GM_GPA + slot * MB, tab[i].len, NULL, fd,
					     tab[i].off);

		MA_CHECK(r == -tab[i].err, "pages %llu-%llu (%s of the bound pages 4-7): %s, expected %s",
			 (unsigned long long)(tab[i].off / p),
			 (unsigned long long)((tab[i].off + tab[i].len) / p - 1),
			 tab[i].what, r ? ma_errno_name(-r) : "success",
			 tab[i].err ? ma_errno_name(tab[i].err) : "success");
		if (!r)
			slot++;
	}
	/* another file's same range is free; the range is free again once slot 1 is deleted */
	MA_EXPECT_OK(ma_try_add_gmem_slot(vm, slot, 0, GM_GPA + slot * MB, 4 * p, NULL, fd2, 4 * p));
	slot++;
	MA_EXPECT_OK(ma_try_delete_slot(vm, 1));
	MA_EXPECT_OK(ma_try_add_gmem_slot(vm, slot, 0, GM_GPA + slot * MB, 4 * p, NULL, fd, 4 * p));
}

MA_TEST(gmem, bound_slot_immutable, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/kvm_main.c:kvm_set_memory_region: modifying an existing slot with KVM_MEM_GUEST_MEMFD gives EINVAL, and so does changing its GUEST_MEMFD bit (or READONLY, size, userspace_addr); memory_size 0 deletes it ("
		  MA_KERNEL_REF ")")
{
	const uint64_t len = 4 * GM_PG, gpa = GM_GPA;
	struct ma_vm *vm = gm_bare_vm();
	int fd = file_for(vm, GM_SIZE);

	ma_add_gmem_slot(vm, 1, gpa, len, NULL, fd, 0);
	MA_EXPECT_ERRNO(ma_try_add_gmem_slot(vm, 1, 0, gpa, len, NULL, fd, 0), EINVAL);	/* the same again */
	MA_EXPECT_ERRNO(ma_try_add_gmem_slot(vm, 1, 0, gpa + MB, len, NULL, fd, 0), EINVAL);	/* move */
	/* another offset */
	MA_EXPECT_ERRNO(ma_try_add_gmem_slot(vm, 1, 0, gpa, len, NULL, fd, len), EINVAL);
	MA_EXPECT_ERRNO(ma_try_add_gmem_slot(vm, 1, 0, gpa, 2 * len, NULL, fd, 0), EINVAL);	/* grow */
	/* without the GUEST_MEMFD flag: a move, dirty logging (flags only), dropping the file */
	MA_EXPECT_ERRNO(ma_try_add_slot(vm, 1, 0, gpa + MB, len, NULL), EINVAL);
	MA_EXPECT_ERRNO(ma_try_add_slot(vm, 1, KVM_MEM_LOG_DIRTY_PAGES, gpa, len, NULL), EINVAL);
	MA_EXPECT_ERRNO(ma_try_add_slot(vm, 1, 0, gpa, len, NULL), EINVAL);
	/* deleting works, and the same binding can then be made again */
	MA_EXPECT_OK(ma_try_delete_slot(vm, 1));
	MA_EXPECT_OK(ma_try_add_gmem_slot(vm, 1, 0, gpa + MB, len, NULL, fd, 0));
}

MA_TEST(gmem, flags_incompatible_with_guest_memfd, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/kvm_main.c:check_memory_region_flags: with KVM_MEM_GUEST_MEMFD neither LOG_DIRTY_PAGES nor READONLY is valid, on every architecture ("
		  MA_KERNEL_REF ")")
{
	const uint32_t bad[] = {
		KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_READONLY, KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY,
	};
	struct ma_vm *vm = gm_bare_vm();
	int fd = file_for(vm, GM_SIZE);
	void *anon = mmap(NULL, GM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	MA_ASSERT_TRUE(anon != MAP_FAILED);
	for (unsigned int i = 0; i < MA_ARRAY_SIZE(bad); i++) {
		int r = ma_try_add_gmem_slot(vm, 1, bad[i], GM_GPA, GM_SIZE, NULL, fd, 0);

		MA_CHECK(r == -EINVAL, "GUEST_MEMFD|%#x: %s, expected EINVAL", bad[i],
			 r ? ma_errno_name(-r) : "success");
	}
	/* the controls: the flags are valid without GUEST_MEMFD; GUEST_MEMFD alone binds */
	MA_EXPECT_OK(ma_try_add_slot(vm, 2, KVM_MEM_LOG_DIRTY_PAGES, GM_GPA + MB, GM_SIZE, anon));
	if (ma_vm_cap(vm, KVM_CAP_READONLY_MEM) > 0)
		MA_EXPECT_OK(ma_try_add_slot(vm, 3, KVM_MEM_READONLY, GM_GPA + 2 * MB, GM_SIZE, anon));
	MA_EXPECT_OK(ma_try_add_gmem_slot(vm, 1, 0, GM_GPA, GM_SIZE, NULL, fd, 0));
}

MA_TEST(gmem, v1_ioctl_refuses_guest_memfd, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/kvm_main.c:kvm_vm_ioctl KVM_SET_USER_MEMORY_REGION: flags outside KVM_SET_USER_MEMORY_REGION_V1_FLAGS (LOG_DIRTY_PAGES|READONLY) give EINVAL ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = gm_bare_vm();
	void *anon = mmap(NULL, GM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvm_userspace_memory_region r = {
		.slot = 1, .flags = KVM_MEM_GUEST_MEMFD, .guest_phys_addr = GM_GPA, .memory_size = GM_SIZE,
		.userspace_addr = (uint64_t)(uintptr_t)anon,
	};

	MA_ASSERT_TRUE(anon != MAP_FAILED);
	MA_EXPECT_ERRNO(ma_try_set_region1(vm, &r), EINVAL);
	r.flags = KVM_MEM_GUEST_MEMFD | KVM_MEM_LOG_DIRTY_PAGES;
	MA_EXPECT_ERRNO(ma_try_set_region1(vm, &r), EINVAL);
	r.flags = 0;	/* the control */
	MA_EXPECT_OK(ma_try_set_region1(vm, &r));
}

MA_TEST(gmem, slot_without_mmap_flag, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = gm_slot_without_mmap_source)
{
	struct ma_vm *vm = gm_bare_vm();
	uint64_t mask = gm_vm_flags(vm);

	for (uint64_t f = 0; f <= GM_FLAGS_ALL; f++) {
		int want = f & GUEST_MEMFD_FLAG_MMAP ? 0 : gm_slot_without_mmap_errno, r;

		if (f & ~mask)
			continue;
		r = ma_try_add_gmem_slot(vm, 1, 0, GM_GPA, GM_SIZE, NULL, ma_gmem_create(vm, GM_SIZE, f), 0);
		ma_log("a slot over a guest_memfd with flags %s: %s", gm_flags_str(f),
		       r ? ma_errno_name(-r) : "bound");
		MA_CHECK(r == -want, "flags %s: %s, expected %s", gm_flags_str(f), r ? ma_errno_name(-r) : "success",
			 want ? ma_errno_name(want) : "success");
		if (!r)
			MA_ASSERT_EQ(ma_try_delete_slot(vm, 1), 0);
	}
}

MA_TEST(gmem, failed_slot_releases_binding, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/kvm_main.c:kvm_set_memory_region: a GPA overlap (EEXIST) is refused before kvm_gmem_bind; a failure after it (the architecture's GPA limit) unbinds (out_unbind), so the file range stays free ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = gm_bare_vm();
	int fd = file_for(vm, GM_SIZE), other = file_for(vm, GM_SIZE);
	uint64_t beyond = gm_gpa_beyond_limit(vm);
	int r;

	ma_add_gmem_slot(vm, 1, GM_GPA, GM_SIZE, NULL, other, 0);
	MA_EXPECT_ERRNO(ma_try_add_gmem_slot(vm, 2, 0, GM_GPA, GM_SIZE, NULL, fd, 0), EEXIST);
	r = ma_try_add_gmem_slot(vm, 2, 0, beyond, GM_SIZE, NULL, fd, 0);
	ma_log("slot at gpa %#llx (beyond the VM's limit): %s (%s)", (unsigned long long)beyond,
	       r ? ma_errno_name(-r) : "bound", gm_beyond_limit_source);
	MA_EXPECT_EQ(r, -gm_beyond_limit_errno);
	MA_EXPECT_OK(ma_try_add_gmem_slot(vm, 2, 0, GM_GPA + MB, GM_SIZE, NULL, fd, 0));
}
