// SPDX-License-Identifier: GPL-2.0
/*
 * gmem: file operations on a guest_memfd.  Its file_operations (virt/kvm/guest_memfd.c:
 * kvm_gmem_fops) have mmap, open, release and fallocate only, and the file is made by
 * alloc_file_pseudo, which never sets FMODE_PREAD/FMODE_PWRITE/FMODE_LSEEK (fs/file_table.c:
 * file_init_path): so the VFS decides read, write, pread, pwrite, lseek and ioctl; setattr (size
 * changes) is refused by kvm_gmem_setattr.  Every flag combination the VM supports is tried.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gmem.h"

#ifndef FALLOC_FL_WRITE_ZEROES
#define FALLOC_FL_WRITE_ZEROES 0x80
#endif

/* A guest_memfd of GM_SIZE for each combination of the flags the default VM supports. */
static unsigned int files_per_flags(struct ma_vm *vm, int *fd, uint64_t *flags)
{
	uint64_t mask = gm_vm_flags(vm);
	unsigned int n = 0;

	for (uint64_t f = 0; f <= GM_FLAGS_ALL; f++) {
		if (f & ~mask)
			continue;
		flags[n] = f;
		fd[n++] = ma_gmem_create(vm, GM_SIZE, f);
	}
	return n;
}

static long sys_ret(long r)
{
	return r < 0 ? -errno : r;
}

MA_TEST(gmem, read_write_errnos, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "fs/read_write.c:vfs_read/vfs_write: no FMODE_CAN_READ/WRITE (no read/write ops) gives EINVAL; ksys_pread64/ksys_pwrite64 and vfs_llseek: no FMODE_PREAD/PWRITE/LSEEK gives ESPIPE (fs/file_table.c:file_init_path, alloc_file_pseudo from virt/kvm/guest_memfd.c:__kvm_gmem_create; "
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = gm_bare_vm();
	uint64_t flags[4];
	char buf[64] = { 0 };
	int fd[4];
	unsigned int n = files_per_flags(vm, fd, flags);

	for (unsigned int i = 0; i < n; i++) {
		ma_log("flags %s", gm_flags_str(flags[i]));
		MA_EXPECT_ERRNO(sys_ret(read(fd[i], buf, sizeof(buf))), EINVAL);
		MA_EXPECT_ERRNO(sys_ret(write(fd[i], buf, sizeof(buf))), EINVAL);
		MA_EXPECT_ERRNO(sys_ret(pread(fd[i], buf, sizeof(buf), 0)), ESPIPE);
		MA_EXPECT_ERRNO(sys_ret(pwrite(fd[i], buf, sizeof(buf), 0)), ESPIPE);
		MA_EXPECT_ERRNO(sys_ret(lseek(fd[i], (off_t)GM_PG, SEEK_SET)), ESPIPE);
	}
}

MA_TEST(gmem, ftruncate_refused, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:kvm_gmem_setattr gives EINVAL for every size change (fs/open.c:do_ftruncate -> do_truncate -> notify_change) ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = gm_bare_vm();
	const uint64_t sizes[] = { 0, GM_PG, GM_SIZE, GM_SIZE + GM_PG, 2 * GM_SIZE };
	uint64_t flags[4];
	int fd[4];
	unsigned int n = files_per_flags(vm, fd, flags);

	for (unsigned int i = 0; i < n; i++) {
		struct stat st;

		for (unsigned int s = 0; s < MA_ARRAY_SIZE(sizes); s++)
			MA_EXPECT_ERRNO(sys_ret(ftruncate(fd[i], (off_t)sizes[s])), EINVAL);
		MA_ASSERT_EQ(fstat(fd[i], &st), 0);
		MA_CHECK((uint64_t)st.st_size == GM_SIZE, "flags %s: st_size %#llx after the refused ftruncates",
			 gm_flags_str(flags[i]), (unsigned long long)st.st_size);
	}
}

MA_TEST(gmem, ioctl_enotty, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:kvm_gmem_fops has no unlocked_ioctl: fs/ioctl.c:vfs_ioctl gives ENOTTY (FIONREAD too: the inode is anonymous, do_vfs_ioctl) ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = gm_bare_vm();
	struct kvm_create_guest_memfd g = { .size = GM_PG };
	struct kvm_memory_attributes a = { .size = GM_PG };
	struct kvm_userspace_memory_region2 r = { .slot = 1, .memory_size = GM_PG };
	struct {
		const char *name;
		unsigned long req;
		void *arg;
	} ioctls[] = {
		{ "KVM_CREATE_GUEST_MEMFD", KVM_CREATE_GUEST_MEMFD, &g },
		{ "KVM_SET_MEMORY_ATTRIBUTES", KVM_SET_MEMORY_ATTRIBUTES, &a },
		{ "KVM_SET_USER_MEMORY_REGION2", KVM_SET_USER_MEMORY_REGION2, &r },
		{ "KVM_CHECK_EXTENSION", KVM_CHECK_EXTENSION, (void *)(long)KVM_CAP_GUEST_MEMFD },
		{ "KVM_CREATE_VCPU", KVM_CREATE_VCPU, NULL },
		{ "KVM_RUN", KVM_RUN, NULL },
		{ "_IO(0xAE, 0xff)", _IO(0xAE, 0xff), NULL },
		{ "FIONREAD", FIONREAD, &g.flags },
		{ "FIOQSIZE", FIOQSIZE, &g.flags },
	};
	uint64_t flags[4];
	int fd[4];
	unsigned int n = files_per_flags(vm, fd, flags);

	for (unsigned int i = 0; i < n; i++)
		for (unsigned int k = 0; k < MA_ARRAY_SIZE(ioctls); k++) {
			long ret = ma_try_ioctl(fd[i], ioctls[k].req, ioctls[k].arg);

			MA_CHECK(ret == -ENOTTY, "flags %s: %s on the guest_memfd: %s, expected ENOTTY",
				 gm_flags_str(flags[i]), ioctls[k].name,
				 ret < 0 ? ma_errno_name((int)-ret) : "success");
		}
}

/*
 * What fs/ioctl.c:do_vfs_ioctl answers itself for every file still works: the close-on-exec flag
 * (the fd starts without it: get_unused_fd_flags(0) in __kvm_gmem_create) and FIGETBSZ, the pseudo
 * filesystem's block size.
 */
MA_TEST(gmem, ioctl_generic_vfs, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "fs/ioctl.c:do_vfs_ioctl (FIOCLEX, FIONCLEX, FIGETBSZ = s_blocksize, PAGE_SIZE from fs/libfs.c:pseudo_fs_fill_super); virt/kvm/guest_memfd.c:__kvm_gmem_create installs the fd without O_CLOEXEC ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = gm_bare_vm();
	int fd = ma_gmem_create(vm, GM_SIZE, 0), bsz = 0;

	MA_EXPECT_EQ(fcntl(fd, F_GETFD), 0);
	MA_EXPECT_EQ(ma_try_ioctl(fd, FIOCLEX, NULL), 0);
	MA_EXPECT_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	MA_EXPECT_EQ(ma_try_ioctl(fd, FIONCLEX, NULL), 0);
	MA_EXPECT_EQ(fcntl(fd, F_GETFD), 0);
	MA_EXPECT_EQ(ma_try_ioctl(fd, FIGETBSZ, &bsz), 0);
	MA_EXPECT_EQ(bsz, GM_PG);
}

static const struct {
	const char *name;
	int mode;
	int err;	/* 0: accepted */
	const char *why;
} fallocate_modes[] = {
	{ "ALLOCATE", 0, EOPNOTSUPP, "kvm_gmem_fallocate: no KEEP_SIZE" },
	{ "KEEP_SIZE", FALLOC_FL_KEEP_SIZE, 0, "allocate" },
	{ "PUNCH_HOLE", FALLOC_FL_PUNCH_HOLE, EOPNOTSUPP,
	  "fs/open.c:vfs_fallocate: PUNCH_HOLE needs KEEP_SIZE" },
	{ "PUNCH_HOLE|KEEP_SIZE", FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, "punch a hole" },
	{ "NO_HIDE_STALE|KEEP_SIZE", FALLOC_FL_NO_HIDE_STALE | FALLOC_FL_KEEP_SIZE, EOPNOTSUPP,
	  "vfs_fallocate: not a mode bit" },
	{ "ZERO_RANGE", FALLOC_FL_ZERO_RANGE, EOPNOTSUPP, "kvm_gmem_fallocate: no KEEP_SIZE" },
	{ "ZERO_RANGE|KEEP_SIZE", FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, EOPNOTSUPP,
	  "kvm_gmem_fallocate: a mode other than PUNCH_HOLE" },
	{ "UNSHARE_RANGE|KEEP_SIZE", FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_KEEP_SIZE, EOPNOTSUPP,
	  "kvm_gmem_fallocate: a mode other than PUNCH_HOLE" },
	{ "COLLAPSE_RANGE", FALLOC_FL_COLLAPSE_RANGE, EOPNOTSUPP, "kvm_gmem_fallocate: no KEEP_SIZE" },
	{ "COLLAPSE_RANGE|KEEP_SIZE", FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE, EOPNOTSUPP,
	  "vfs_fallocate: COLLAPSE_RANGE excludes KEEP_SIZE" },
	{ "INSERT_RANGE", FALLOC_FL_INSERT_RANGE, EOPNOTSUPP, "kvm_gmem_fallocate: no KEEP_SIZE" },
	{ "WRITE_ZEROES", FALLOC_FL_WRITE_ZEROES, EOPNOTSUPP, "kvm_gmem_fallocate: no KEEP_SIZE" },
	{ "PUNCH_HOLE|ZERO_RANGE|KEEP_SIZE",
	  FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, EOPNOTSUPP,
	  "vfs_fallocate: modes are exclusive" },
	{ "0x100|KEEP_SIZE", 0x100 | FALLOC_FL_KEEP_SIZE, EOPNOTSUPP, "vfs_fallocate: unknown bit" },
};

MA_TEST(gmem, fallocate_modes, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:kvm_gmem_fallocate: only KEEP_SIZE (allocate) and KEEP_SIZE|PUNCH_HOLE, anything else EOPNOTSUPP; fs/open.c:vfs_fallocate refuses invalid mode combinations first, also with EOPNOTSUPP ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = gm_bare_vm();
	int fd = ma_gmem_create(vm, GM_SIZE, 0);

	for (unsigned int i = 0; i < MA_ARRAY_SIZE(fallocate_modes); i++) {
		long r = sys_ret(fallocate(fd, fallocate_modes[i].mode, 0, (off_t)GM_PG));

		MA_CHECK(r == -fallocate_modes[i].err, "fallocate(%s) of the first page: %s, expected %s (%s)",
			 fallocate_modes[i].name, r < 0 ? ma_errno_name((int)-r) : "success",
			 fallocate_modes[i].err ? ma_errno_name(fallocate_modes[i].err) : "success",
			 fallocate_modes[i].why);
	}
}

MA_TEST(gmem, fallocate_ranges, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:kvm_gmem_fallocate (offset or len not PAGE_ALIGNED: EINVAL) and kvm_gmem_allocate (beyond i_size: EINVAL; a hole may be punched anywhere); fs/open.c:vfs_fallocate (offset < 0 or len <= 0: EINVAL, offset + len overflowing: EFBIG) ("
		  MA_KERNEL_REF ")")
{
	const int keep = FALLOC_FL_KEEP_SIZE, punch = FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE;
	struct ma_vm *vm = gm_bare_vm();
	const int64_t pg = (int64_t)GM_PG, size = (int64_t)GM_SIZE;
	const int64_t far = INT64_MAX & ~(pg - 1);
	const struct {
		int mode;
		int64_t off, len;
		int err;
	} tab[] = {
		{ keep, 0, size, 0 },
		{ keep, pg, pg, 0 },
		{ keep, size - pg, pg, 0 },
		{ keep, 1, pg, EINVAL },
		{ keep, pg / 2, pg, EINVAL },
		{ keep, 0, pg - 1, EINVAL },
		{ keep, 0, pg + 8, EINVAL },
		{ keep, size, pg, EINVAL },		/* allocating at or past i_size */
		{ keep, size - pg, 2 * pg, EINVAL },
		{ keep, size + pg, pg, EINVAL },
		{ keep, 0, 0, EINVAL },			/* vfs_fallocate: len <= 0 */
		{ keep, -pg, pg, EINVAL },		/* vfs_fallocate: offset < 0 */
		{ keep, far, 2 * pg, EFBIG },		/* vfs_fallocate: offset + len overflows */
		{ punch, 0, 1, EINVAL },
		{ punch, 1, pg, EINVAL },
		{ punch, pg, pg - 1, EINVAL },
		{ punch, pg, pg + 1, EINVAL },
		{ punch, pg, pg, 0 },
		{ punch, size, pg, 0 },			/* punching at or past i_size is accepted */
		{ punch, size + pg, pg, 0 },
		{ punch, size - pg, 4 * pg, 0 },
		{ punch, far - pg, pg, 0 },
		{ punch, far, 2 * pg, EFBIG },
		{ punch, 0, 0, EINVAL },
		{ keep, pg, pg, 0 },			/* the punched page is allocated again */
	};
	int fd = ma_gmem_create(vm, GM_SIZE, 0);
	struct stat st;

	for (unsigned int i = 0; i < MA_ARRAY_SIZE(tab); i++) {
		long r = sys_ret(fallocate(fd, tab[i].mode, tab[i].off, tab[i].len));

		MA_CHECK(r == -tab[i].err, "fallocate(%s, offset %#llx, len %#llx): %s, expected %s",
			 tab[i].mode == keep ? "KEEP_SIZE" : "PUNCH_HOLE|KEEP_SIZE",
			 (unsigned long long)tab[i].off, (unsigned long long)tab[i].len,
			 r < 0 ? ma_errno_name((int)-r) : "success",
			 tab[i].err ? ma_errno_name(tab[i].err) : "success");
	}
	MA_ASSERT_EQ(fstat(fd, &st), 0);
	MA_CHECK((uint64_t)st.st_size == GM_SIZE, "st_size %#llx after fallocate, expected %#llx (KEEP_SIZE)",
		 (unsigned long long)st.st_size, (unsigned long long)GM_SIZE);
}
