// SPDX-License-Identifier: GPL-2.0
/*
 * gmem: in-place shared/private conversion on the guest_memfd itself (issue 13, seed 004).  Linux
 * 7.2 has none: kvm_gmem_fops has no unlocked_ioctl, so every ioctl on a guest_memfd fails with
 * ENOTTY (fs/ioctl.c:vfs_ioctl), and private/shared state exists only per VM
 * (KVM_SET_MEMORY_ATTRIBUTES, x86).  The tests probe for the proposed interfaces and run only where
 * the kernel answers them; the expectations come from the proposal, cited per test:
 *
 *   [v8] "[PATCH v8 00/46] guest_memfd: In-place conversion support", Ackerley Tng, 2026-06-18
 *        (change-id 20260225-gmem-inplace-conversion-bd0dbd39753a; v7:
 *        lore 20260522-gmem-inplace-conversion-v7-0-2f0fae496530@google.com): the guest_memfd ioctl
 *        KVM_SET_MEMORY_ATTRIBUTES2 = _IOWR(KVMIO, 0xd2, struct kvm_memory_attributes2),
 *        announced by KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES (250 in v8; the number moved between
 *        revisions, so it is reported, never trusted alone).  Patches 13/46 (arguments), 14/46
 *        (-EAGAIN and error_offset while a page has unexpected references), 17/46 (the
 *        capability, api.rst 4.145), 01/46 (a private page faults SIGBUS in host userspace).
 *   [rfc] "[RFC PATCH v2 04/51] KVM: guest_memfd: Introduce KVM_GMEM_CONVERT_SHARED/PRIVATE
 *        ioctls", Ackerley Tng, 2025-05-14 (lore
 *        d3832fd95a03aad562705872cbda5b3d248ca321.1747264138.git.ackerleytng@google.com):
 *        _IOWR(0xAF, 0x41 / 0x42, struct kvm_gmem_convert), superseded by [v8]; probed so that a
 *        kernel carrying it is named, its semantics are not tested.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include "gmem_poison.h"

/* [v8] include/uapi/linux/kvm.h */
struct ip_attributes2 {
	union {
		uint64_t address;
		uint64_t offset;
	};
	uint64_t size;
	uint64_t attributes;
	uint64_t flags;
	uint64_t error_offset;
	uint64_t reserved[11];
};

#define IP_SET_MEMORY_ATTRIBUTES2		_IOWR(KVMIO, 0xd2, struct ip_attributes2)
#define IP_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES	250
#define IP_ATTR_PRIVATE				(1ull << 3)	/* KVM_MEMORY_ATTRIBUTE_PRIVATE */

/* [rfc] */
struct ip_gmem_convert {
	uint64_t offset;
	uint64_t size;
	uint64_t error_offset;
	uint64_t reserved[5];
};

#define IP_GMEM_CONVERT_SHARED	_IOWR(0xAF, 0x41, struct ip_gmem_convert)
#define IP_GMEM_CONVERT_PRIVATE	_IOWR(0xAF, 0x42, struct ip_gmem_convert)

#define IP_X86_SW_PROTECTED_VM	1	/* arch/x86/include/uapi/asm/kvm.h KVM_X86_SW_PROTECTED_VM */

struct ip_probe {
	long attrs2;		/* ioctl result: 0 or -errno */
	long convert_shared;
	long convert_private;
	char what[512];		/* what was probed, with the answers */
};

/* The three ioctls on a fresh guest_memfd of a default VM, each with an argument they refuse. */
static void ip_probe(struct ip_probe *pr)
{
	struct ma_vm *vm = ma_test_vm_opts(&(struct ma_vm_opts){ .no_guest = true }, 0);
	struct ip_attributes2 a = { .size = 0 };			/* [v8] 13/46: size 0 is EINVAL */
	struct ip_gmem_convert c = { .size = MA_PAGE_SIZE, .error_offset = 1 };	/* [rfc]: EINVAL */
	int fd = ma_try_gmem_create(vm, 2 * ma_host_page_size(), 0);

	MA_REQUIRE(fd >= 0, "KVM_CREATE_GUEST_MEMFD: %s", ma_errno_name(-fd));
	pr->attrs2 = ma_try_ioctl(fd, IP_SET_MEMORY_ATTRIBUTES2, &a);
	pr->convert_shared = ma_try_ioctl(fd, IP_GMEM_CONVERT_SHARED, &c);
	pr->convert_private = ma_try_ioctl(fd, IP_GMEM_CONVERT_PRIVATE, &c);
	snprintf(pr->what, sizeof(pr->what),
		 "on a guest_memfd: KVM_SET_MEMORY_ATTRIBUTES2 (ioctl %#lx, in-place conversion v8) %s, KVM_GMEM_CONVERT_SHARED/PRIVATE (%#lx/%#lx, RFC v2) %s/%s; KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES (%d in v8) %ld",
		 (unsigned long)IP_SET_MEMORY_ATTRIBUTES2, pr->attrs2 ? ma_errno_name((int)-pr->attrs2) : "0",
		 (unsigned long)IP_GMEM_CONVERT_SHARED, (unsigned long)IP_GMEM_CONVERT_PRIVATE,
		 pr->convert_shared ? ma_errno_name((int)-pr->convert_shared) : "0",
		 pr->convert_private ? ma_errno_name((int)-pr->convert_private) : "0",
		 IP_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES, ma_vm_cap(vm, IP_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES));
	close(fd);
}

/* The kernel answers KVM_SET_MEMORY_ATTRIBUTES2 on a guest_memfd, else the test skips naming the probe. */
static void ip_need_attrs2(struct ip_probe *pr)
{
	ip_probe(pr);
	ma_log("probed %s", pr->what);
	/* each probe's argument is one its proposal refuses: any other answer is an error */
	MA_REQUIRE((pr->attrs2 == -ENOTTY || pr->attrs2 == -EINVAL) &&
		   (pr->convert_shared == -ENOTTY || pr->convert_shared == -EINVAL) &&
		   (pr->convert_private == -ENOTTY || pr->convert_private == -EINVAL),
		   "unexpected answer to a probe (ENOTTY: no such ioctl, EINVAL: the argument refused): %s",
		   pr->what);
	if (pr->attrs2 == -ENOTTY && pr->convert_shared == -ENOTTY && pr->convert_private == -ENOTTY)
		ma_skip("in-place conversion not supported by this kernel: %s", pr->what);
	if (pr->attrs2 == -ENOTTY)
		ma_skip("this kernel answers the RFC v2 KVM_GMEM_CONVERT_* ioctls, whose semantics these tests do not cover: %s",
			pr->what);
}

struct ip_ctx {
	struct ma_vm *vm;
	int fd;			/* the guest_memfd, MMAP | INIT_SHARED, bound to slot 1 at MA_TEST_GPA */
	char *hva;		/* its shared mapping */
	uint64_t size;
};

/*
 * [v8] 13/46: KVM_SET_MEMORY_ATTRIBUTES2 needs kvm_arch_has_private_mem(), which v8 defines for x86
 * VM types with private memory only; the test uses KVM_X86_SW_PROTECTED_VM where KVM_CAP_VM_TYPES
 * offers it, and an INIT_SHARED guest_memfd the host maps (v8 "Enable INIT_SHARED on guest_memfd
 * for x86 Coco VMs").
 */
static void ip_setup(struct ip_ctx *c, unsigned int pages)
{
	struct ma_vm_opts o = { .type = IP_X86_SW_PROTECTED_VM };
	uint64_t want = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;
	struct kvm_userspace_memory_region2 r = { .slot = 1, .flags = KVM_MEM_GUEST_MEMFD,
						  .guest_phys_addr = MA_TEST_GPA };
	long types, flags, attrs;
	void *p;

	if (strcmp(ma_host_arch(), "x86_64"))
		ma_skip("[v8] offers KVM_SET_MEMORY_ATTRIBUTES2 only on VMs with private memory (kvm_arch_has_private_mem), an x86 VM type; this is %s",
			ma_host_arch());
	types = ma_sys_cap(KVM_CAP_VM_TYPES);
	if (!(types & (1l << IP_X86_SW_PROTECTED_VM)))
		ma_skip("KVM_CAP_VM_TYPES is %#lx: no KVM_X86_SW_PROTECTED_VM, the VM type with private memory these tests use",
			types);
	c->vm = ma_test_vm_opts(&o, 1);
	attrs = ma_vm_cap(c->vm, IP_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES);
	MA_CHECK(attrs == (long)IP_ATTR_PRIVATE,
		 "KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES (%d) on a SW_PROTECTED VM is %ld, [v8] 17/46 says KVM_MEMORY_ATTRIBUTE_PRIVATE (8)",
		 IP_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES, attrs);
	flags = ma_vm_cap(c->vm, KVM_CAP_GUEST_MEMFD_FLAGS);
	if (((uint64_t)flags & want) != want)
		ma_skip("KVM_CAP_GUEST_MEMFD_FLAGS of a SW_PROTECTED VM is %#lx: no MMAP|INIT_SHARED guest_memfd to convert in place",
			flags);
	c->size = pages * ma_host_page_size();
	c->fd = ma_try_gmem_create(c->vm, c->size, want);
	MA_REQUIRE(c->fd >= 0, "KVM_CREATE_GUEST_MEMFD(MMAP|INIT_SHARED): %s", ma_errno_name(-c->fd));
	p = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	MA_REQUIRE(p != MAP_FAILED, "mmap of the guest_memfd: %s", ma_errno_name(errno));
	c->hva = p;
	r.memory_size = c->size;
	r.userspace_addr = (uintptr_t)p;
	r.guest_memfd = (uint32_t)c->fd;
	ma_set_region2(c->vm, &r);
	ma_map(c->vm, MA_TEST_GPA, MA_TEST_GPA, c->size, MA_MT_NORMAL_WB);
	ma_sigbus_catch();
}

/* KVM_SET_MEMORY_ATTRIBUTES2 on the guest_memfd: 0 or -errno; *err_off the error_offset it returned */
static long ip_try_set(const struct ip_ctx *c, uint64_t off, uint64_t size, uint64_t attrs, uint64_t *err_off)
{
	struct ip_attributes2 a = { .offset = off, .size = size, .attributes = attrs };
	long r = ma_try_ioctl(c->fd, IP_SET_MEMORY_ATTRIBUTES2, &a);

	if (err_off)
		*err_off = a.error_offset;
	return r;
}

#define SRC_INPLACE_CONVERSION_PROBE "[v8] guest_memfd in-place conversion, 13/46: KVM_SET_MEMORY_ATTRIBUTES2 on a guest_memfd refuses size 0 with EINVAL; Linux " \
	MA_KERNEL_REF \
	" has no guest_memfd ioctl (virt/kvm/guest_memfd.c:kvm_gmem_fops: no unlocked_ioctl, ENOTTY)"

MA_TEST(gmem, inplace_conversion_probe,
	.source = SRC_INPLACE_CONVERSION_PROBE)
{
	struct ip_probe pr;

	ip_need_attrs2(&pr);
	MA_CHECK(pr.attrs2 == -EINVAL, "KVM_SET_MEMORY_ATTRIBUTES2 with size 0: %s, [v8] says EINVAL",
		 pr.attrs2 ? ma_errno_name((int)-pr.attrs2) : "success");
}

#define SRC_INPLACE_PRIVATE_BLOCKS_HOST "[v8] 01/46 and 13/46: KVM_SET_MEMORY_ATTRIBUTES2(PRIVATE) on a range of an INIT_SHARED guest_memfd succeeds, the host's mapping of that range then faults SIGBUS (kvm_gmem_fault_user_mapping: -EACCES) while the rest stays usable and the guest still reaches it; attributes 0 make it shared and host-mappable again (api.rst 4.145)"

MA_TEST(gmem, inplace_private_blocks_host,
	.source = SRC_INPLACE_PRIVATE_BLOCKS_HOST)
{
	uint64_t ps = ma_host_page_size(), val;
	struct ip_probe pr;
	struct ma_result res;
	struct ma_sigbus s;
	struct ip_ctx c;

	ip_need_attrs2(&pr);
	ip_setup(&c, 2);
	((volatile uint64_t *)c.hva)[0] = 0x5eed;
	((volatile uint64_t *)(c.hva + ps))[0] = 0x5eed + 1;

	MA_EXPECT_OK(ip_try_set(&c, 0, ps, IP_ATTR_PRIVATE, NULL));
	MA_CHECK(ma_sigbus_read64(c.hva + 8, &val, &s), "host load of a private page completed: 0x%llx",
		 (unsigned long long)val);
	gp_expect_sigbus("host load of the private page", s.code ? 1 : 0, &s, BUS_ADRERR,
			 (uintptr_t)c.hva + 8, 0, gp_tid());
	MA_CHECK(!ma_sigbus_read64(c.hva + ps, &val, &s), "host load of the shared page: %s",
		 gp_sigbus_str(&s));
	MA_EXPECT_EQ(val, 0x5eed + 1);
	ma_run_agent_done(c.vm->vcpus[0], MA_AGENT_LOAD64, MA_ARGS(MA_TEST_GPA), &res, "load from the private page");

	MA_EXPECT_OK(ip_try_set(&c, 0, ps, 0, NULL));
	MA_CHECK(!ma_sigbus_read64(c.hva, &val, &s), "host load of the page converted back to shared: %s",
		 gp_sigbus_str(&s));
}

#define SRC_INPLACE_REFUSED_WHILE_REFERENCED "[v8] 14/46 and api.rst 4.145: a conversion to private fails with EAGAIN and error_offset = the offset of the first page with unexpected references (kvm_gmem_is_safe_for_conversion), here a page a pipe holds after vmsplice(); once they are dropped it succeeds"

MA_TEST(gmem, inplace_refused_while_referenced,
	.source = SRC_INPLACE_REFUSED_WHILE_REFERENCED)
{
	uint64_t ps = ma_host_page_size(), err_off = ~0ull;
	struct iovec iov;
	struct ip_probe pr;
	struct ip_ctx c;
	int pipefd[2];
	char *buf;

	ip_need_attrs2(&pr);
	ip_setup(&c, 2);
	memset(c.hva, 0x5a, c.size);
	if (pipe(pipefd))
		ma_fatal("pipe: %s", ma_errno_name(errno));
	iov = (struct iovec){ .iov_base = c.hva + ps, .iov_len = ps };
	MA_REQUIRE(vmsplice(pipefd[1], &iov, 1, 0) == (ssize_t)ps, "vmsplice of the second page: %s",
		   ma_errno_name(errno));

	MA_EXPECT_ERRNO(ip_try_set(&c, 0, c.size, IP_ATTR_PRIVATE, &err_off), EAGAIN);
	MA_EXPECT_EQ(err_off, ps);

	buf = malloc(ps);
	MA_REQUIRE(buf && read(pipefd[0], buf, ps) == (ssize_t)ps, "draining the pipe: %s",
		   ma_errno_name(errno));
	free(buf);
	MA_EXPECT_OK(ip_try_set(&c, 0, c.size, IP_ATTR_PRIVATE, NULL));
}

#define SRC_INPLACE_INVALID_ARGUMENTS "[v8] 13/46 kvm_gmem_set_attributes: flags, reserved words, attributes other than PRIVATE, size 0, unaligned offset or size, a range past the file's size or one that overflows: EINVAL"

MA_TEST(gmem, inplace_invalid_arguments,
	.source = SRC_INPLACE_INVALID_ARGUMENTS)
{
	uint64_t ps = ma_host_page_size();
	struct ip_attributes2 a;
	struct ip_probe pr;
	struct ip_ctx c;

	ip_need_attrs2(&pr);
	ip_setup(&c, 2);
	a = (struct ip_attributes2){ .size = ps, .attributes = IP_ATTR_PRIVATE, .flags = 1 };
	MA_EXPECT_ERRNO(ma_try_ioctl(c.fd, IP_SET_MEMORY_ATTRIBUTES2, &a), EINVAL);
	a = (struct ip_attributes2){ .size = ps, .attributes = IP_ATTR_PRIVATE, .reserved[10] = 1 };
	MA_EXPECT_ERRNO(ma_try_ioctl(c.fd, IP_SET_MEMORY_ATTRIBUTES2, &a), EINVAL);
	MA_EXPECT_ERRNO(ip_try_set(&c, 0, ps, 1ull << 0, NULL), EINVAL);
	MA_EXPECT_ERRNO(ip_try_set(&c, 0, 0, IP_ATTR_PRIVATE, NULL), EINVAL);
	MA_EXPECT_ERRNO(ip_try_set(&c, 1, ps, IP_ATTR_PRIVATE, NULL), EINVAL);
	MA_EXPECT_ERRNO(ip_try_set(&c, 0, ps + 1, IP_ATTR_PRIVATE, NULL), EINVAL);
	MA_EXPECT_ERRNO(ip_try_set(&c, ps, c.size, IP_ATTR_PRIVATE, NULL), EINVAL);
	MA_EXPECT_ERRNO(ip_try_set(&c, c.size, ps, IP_ATTR_PRIVATE, NULL), EINVAL);
	MA_EXPECT_ERRNO(ip_try_set(&c, ps, ~0ull - ps + 1, IP_ATTR_PRIVATE, NULL), EINVAL);
}
