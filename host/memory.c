// SPDX-License-Identifier: GPL-2.0
/* Guest memory backings: anonymous, THP, memfd, shm file, hugetlb, guest_memfd. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memattr/gmem.h"
#include "memattr/harness.h"
#include "memattr/kvm.h"

#define MA_HUGE_2M (2ull << 20)

static const char *const backing_names[MA_BACK_COUNT] = {
	[MA_BACK_ANON] = "anon",
	[MA_BACK_ANON_THP] = "anon_thp",
	[MA_BACK_MEMFD] = "memfd",
	[MA_BACK_SHM] = "shm",
	[MA_BACK_HUGETLB] = "hugetlb",
	[MA_BACK_GUEST_MEMFD] = "guest_memfd",
};

const char *ma_backing_name(enum ma_backing kind)
{
	return kind < MA_BACK_COUNT ? backing_names[kind] : "?";
}

static int try_map_fd(struct ma_mem *m, int fd)
{
	void *p = mmap(NULL, m->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	m->hva = p;
	m->map_base = p;
	m->map_size = m->size;
	return 0;
}

static int try_alloc_thp(struct ma_mem *m)
{
	/* over-allocate so that the usable range is 2 MiB aligned */
	size_t len = m->size + MA_HUGE_2M;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return -errno;
	a = ((uintptr_t)p + MA_HUGE_2M - 1) & ~(uintptr_t)(MA_HUGE_2M - 1);
	m->map_base = p;
	m->map_size = len;
	m->hva = (void *)a;
	if (madvise(m->hva, m->size, MADV_HUGEPAGE))
		return -errno;
	return 0;
}

static int try_alloc_gmem(struct ma_mem *m, struct ma_vm *vm)
{
	uint64_t flags;
	int fd, r;

	if (!vm)
		return -EINVAL;
	/* a failed query ends the test (ma_vm_cap) */
	flags = (uint64_t)ma_vm_cap(vm, KVM_CAP_GUEST_MEMFD_FLAGS) &
		(GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	fd = ma_try_gmem_create(vm, m->size, flags);
	if (fd < 0)
		return fd;
	m->fd = fd;
	m->gmem_flags = flags;
	if ((flags & GUEST_MEMFD_FLAG_MMAP) && (flags & GUEST_MEMFD_FLAG_INIT_SHARED)) {
		r = try_map_fd(m, fd);
		if (r)
			return r;
	}
	return 0;
}

int ma_try_mem_alloc(struct ma_mem *m, enum ma_backing kind, size_t size, struct ma_vm *vm)
{
	char name[64];
	int fd, r = 0;
	void *p;

	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->size = size;
	m->fd = -1;
	switch (kind) {
	case MA_BACK_ANON:
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		m->hva = p;
		m->map_base = p;
		m->map_size = size;
		return 0;
	case MA_BACK_ANON_THP:
		r = try_alloc_thp(m);
		break;
	case MA_BACK_MEMFD:
		fd = memfd_create("memattr", MFD_CLOEXEC);
		if (fd < 0)
			return -errno;
		m->fd = fd;
		r = ftruncate(fd, (off_t)size) ? -errno : try_map_fd(m, fd);
		break;
	case MA_BACK_SHM:
		snprintf(name, sizeof(name), "/dev/shm/memattr-%d-%p", (int)getpid(), (void *)m);
		fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		unlink(name);
		m->fd = fd;
		r = ftruncate(fd, (off_t)size) ? -errno : try_map_fd(m, fd);
		break;
	case MA_BACK_HUGETLB:
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21 << MAP_HUGE_SHIFT), -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		m->hva = p;
		m->map_base = p;
		m->map_size = size;
		return 0;
	case MA_BACK_GUEST_MEMFD:
		r = try_alloc_gmem(m, vm);
		break;
	default:
		return -EINVAL;
	}
	if (r)
		ma_mem_free(m);
	return r;
}

void ma_mem_alloc(struct ma_mem *m, enum ma_backing kind, size_t size, struct ma_vm *vm)
{
	int r = ma_try_mem_alloc(m, kind, size, vm);

	if (r)
		ma_fatal("allocating %zu bytes of %s memory: %s", size, ma_backing_name(kind), strerror(-r));
}

void ma_mem_free(struct ma_mem *m)
{
	if (m->map_base)
		munmap(m->map_base, m->map_size);
	if (m->fd >= 0)
		close(m->fd);
	m->map_base = NULL;
	m->hva = NULL;
	m->fd = -1;
}
