// SPDX-License-Identifier: GPL-2.0
/*
 * gmem: KVM_CREATE_GUEST_MEMFD.  virt/kvm/guest_memfd.c:kvm_gmem_create refuses a flag outside
 * kvm_gmem_get_supported_flags(kvm) and a size that is not a positive multiple of PAGE_SIZE (as a
 * loff_t, so 2^63 and above are negative), with EINVAL; __kvm_gmem_create makes a new inode per
 * file (the size is only recorded: nothing is allocated).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gmem.h"

MA_TEST(gmem, create_flag_bits, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.kernel_log = { .taint = GM_TAINT_USER, .why = GM_PROTECTED_TAINT_WHY },
	.source = "virt/kvm/guest_memfd.c:kvm_gmem_create: flags & ~kvm_gmem_get_supported_flags(kvm) gives EINVAL, per VM ("
		  MA_KERNEL_REF ")")
{
	unsigned long types[GM_MAX_TYPES];
	unsigned int n = gm_vm_types(types, GM_MAX_TYPES);

	for (unsigned int i = 0; i < n; i++) {
		struct ma_vm *vm = gm_bare_vm_type(types[i]);
		uint64_t mask = gm_vm_flags(vm);
		unsigned int accepted = 0, refused = 0;

		for (unsigned int bit = 0; bit < 64; bit++) {
			uint64_t f = 1ull << bit;
			int fd = ma_try_gmem_create(vm, GM_PG, f);

			if (fd >= 0)
				close(fd);
			MA_CHECK((mask & f) ? fd >= 0 : fd == -EINVAL,
				 "VM type %s: flag bit %u (%s) %s: got %s, expected %s",
				 gm_vm_type_name(types[i]), bit, gm_flags_str(f),
				 (mask & f) ? "supported" : "unsupported",
				 fd >= 0 ? "a guest_memfd" : ma_errno_name(-fd),
				 (mask & f) ? "a guest_memfd" : "EINVAL");
			if (fd >= 0)
				accepted++;
			else
				refused++;
		}
		/* every combination of the supported flags; the mask with one unsupported bit more */
		for (uint64_t f = 0; f <= GM_FLAGS_ALL; f++) {
			int fd = ma_try_gmem_create(vm, GM_PG, f);

			if (fd >= 0)
				close(fd);
			MA_CHECK((f & ~mask) ? fd == -EINVAL : fd >= 0, "VM type %s: flags %s: got %s",
				 gm_vm_type_name(types[i]), gm_flags_str(f),
				 fd >= 0 ? "a guest_memfd" : ma_errno_name(-fd));
		}
		MA_EXPECT_ERRNO(ma_try_gmem_create(vm, GM_PG, mask | (1ull << 63)), EINVAL);
		ma_log("VM type %s: supported %s; single bits: %u accepted, %u refused with EINVAL",
		       gm_vm_type_name(types[i]), gm_flags_str(mask), accepted, refused);
		ma_vm_destroy(vm);
	}
}

MA_TEST(gmem, create_sizes, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:kvm_gmem_create: size <= 0 (as loff_t) or !PAGE_ALIGNED gives EINVAL; any other size is accepted, sparse ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = gm_bare_vm();
	const uint64_t bad[] = {
		0, 1, 8, GM_PG / 2, GM_PG - 1, GM_PG + 1, 3 * GM_PG - 8, 1ull << 63, (1ull << 63) + GM_PG,
		~0ull & ~(GM_PG - 1), ~0ull,
	};
	const uint64_t good[] = { GM_PG, 2 * GM_PG, 1ull << 40, GM_MAX_SIZE };

	for (unsigned int i = 0; i < MA_ARRAY_SIZE(bad); i++) {
		int fd = ma_try_gmem_create(vm, bad[i], 0);

		if (fd >= 0)
			close(fd);
		MA_CHECK(fd == -EINVAL, "size %#llx: got %s, expected EINVAL", (unsigned long long)bad[i],
			 fd >= 0 ? "a guest_memfd" : ma_errno_name(-fd));
	}
	for (unsigned int i = 0; i < MA_ARRAY_SIZE(good); i++) {
		int fd = ma_try_gmem_create(vm, good[i], GM_FLAGS_ALL & gm_vm_flags(vm));
		struct stat st;

		MA_CHECK(fd >= 0, "size %#llx: got %s, expected a guest_memfd", (unsigned long long)good[i],
			 fd >= 0 ? "a guest_memfd" : ma_errno_name(-fd));
		if (fd < 0)
			continue;
		MA_ASSERT_EQ(fstat(fd, &st), 0);
		MA_CHECK((uint64_t)st.st_size == good[i], "size %#llx: fstat st_size %#llx",
			 (unsigned long long)good[i], (unsigned long long)st.st_size);
		close(fd);
	}
}

/*
 * Each file is a new inode (virt/kvm/guest_memfd.c:__kvm_gmem_create: anon_inode_make_secure_inode,
 * fs/libfs.c:alloc_anon_inode: get_next_ino, mode 0600, then S_IFREG) on the guest_memfd pseudo
 * filesystem, whose block size is PAGE_SIZE (fs/libfs.c:pseudo_fs_fill_super); fstat has no getattr
 * of its own (kvm_gmem_iops): fs/stat.c:generic_fillattr.
 */
MA_TEST(gmem, create_inodes_and_fstat, .req = { .sys_caps = { KVM_CAP_GUEST_MEMFD } },
	.source = "virt/kvm/guest_memfd.c:__kvm_gmem_create (new anonymous inode per file, i_size = size, S_IFREG), fs/libfs.c:alloc_anon_inode and pseudo_fs_fill_super (st_blksize = PAGE_SIZE) ("
		  MA_KERNEL_REF ")")
{
	struct ma_vm *vm = gm_bare_vm(), *other = gm_bare_vm();
	const uint64_t sizes[] = { GM_PG, 2 * GM_PG, 5 * GM_PG };
	struct stat st[4];
	int fd[4];

	for (unsigned int i = 0; i < 3; i++)
		fd[i] = ma_gmem_create(vm, sizes[i], 0);
	fd[3] = ma_gmem_create(other, GM_PG, 0);
	for (unsigned int i = 0; i < 4; i++) {
		uint64_t want = i < 3 ? sizes[i] : GM_PG;

		MA_ASSERT_EQ(fstat(fd[i], &st[i]), 0);
		MA_CHECK((uint64_t)st[i].st_size == want, "file %u: st_size %#llx, expected %#llx", i,
			 (unsigned long long)st[i].st_size, (unsigned long long)want);
		MA_CHECK((uint64_t)st[i].st_blksize == GM_PG,
			 "file %u: st_blksize %ld, expected PAGE_SIZE %llu", i, (long)st[i].st_blksize,
			 (unsigned long long)GM_PG);
		MA_CHECK(S_ISREG(st[i].st_mode) && (st[i].st_mode & 07777) == 0600,
			 "file %u: st_mode %#o, expected a regular file 0600", i,
			 (unsigned int)st[i].st_mode);
		for (unsigned int j = 0; j < i; j++)
			MA_CHECK(st[i].st_ino != st[j].st_ino || st[i].st_dev != st[j].st_dev,
				 "files %u and %u share inode %lu", j, i, (unsigned long)st[i].st_ino);
	}
	/* allocating keeps the size: KEEP_SIZE is the only allocate mode */
	MA_ASSERT_EQ(fallocate(fd[2], FALLOC_FL_KEEP_SIZE, 0, (off_t)(5 * GM_PG)), 0);
	MA_ASSERT_EQ(fstat(fd[2], &st[2]), 0);
	MA_CHECK((uint64_t)st[2].st_size == 5 * GM_PG, "after fallocate: st_size %#llx",
		 (unsigned long long)st[2].st_size);
	ma_log("inodes %lu %lu %lu %lu (dev %#llx), st_blksize %ld", (unsigned long)st[0].st_ino,
	       (unsigned long)st[1].st_ino, (unsigned long)st[2].st_ino, (unsigned long)st[3].st_ino,
	       (unsigned long long)st[0].st_dev, (long)st[0].st_blksize);
}
