// SPDX-License-Identifier: GPL-2.0
/* PFNMAP sources: udmabuf, /dev/mem over a carve-out, the fixture module's devices. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/udmabuf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memattr/pfnmap.h"

static const char *const names[MA_PFN_COUNT] = {
	[MA_PFN_UDMABUF] = "udmabuf",
	[MA_PFN_DEVMEM] = "devmem",
	[MA_PFN_CARVEOUT_WB] = "carveout_wb",
	[MA_PFN_CARVEOUT_NC] = "carveout_nc",
	[MA_PFN_CARVEOUT_DEV] = "carveout_dev",
};

const char *ma_pfnmap_name(enum ma_pfnmap_kind kind)
{
	return kind < MA_PFN_COUNT ? names[kind] : "?";
}

bool ma_carveout(uint64_t *base, uint64_t *size)
{
	const char *s = getenv("MEMATTR_CARVEOUT");

	return s && sscanf(s, "%" SCNx64 ":%" SCNx64, base, size) == 2 && *size;
}

static int map(struct ma_pfnmap *p, int fd, uint64_t off)
{
	void *h = mmap(NULL, p->size, PROT_READ | PROT_WRITE,
		       p->private_map ? MAP_PRIVATE : MAP_SHARED, fd, (off_t)off);

	if (h == MAP_FAILED)
		return -errno;
	p->hva = h;
	return 0;
}

static int open_udmabuf(struct ma_pfnmap *p, const char **why)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC, .size = p->size };
	int dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC), r;

	if (dev < 0) {
		*why = "/dev/udmabuf not present";
		return errno == ENOENT ? -ENODEV : -errno;
	}
	p->aux_fd = memfd_create("memattr-udmabuf", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (p->aux_fd < 0 || ftruncate(p->aux_fd, (off_t)p->size) ||
	    fcntl(p->aux_fd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		r = -errno;
		close(dev);
		return r;
	}
	c.memfd = (uint32_t)p->aux_fd;
	p->fd = ioctl(dev, UDMABUF_CREATE, &c);
	r = p->fd < 0 ? -errno : 0;
	close(dev);
	if (r)
		return r;
	p->cacheable = true;
	p->ram_backed = true;
	return map(p, p->fd, 0);
}

static int open_devmem(struct ma_pfnmap *p, uint64_t off, const char **why)
{
	uint64_t base, size;

	if (!ma_carveout(&base, &size)) {
		*why = "no carve-out given (MEMATTR_CARVEOUT=base:size; the lab boots with mem= below RAM)";
		return -ENODEV;
	}
	if (off + p->size > size)
		return -EINVAL;
	p->fd = open("/dev/mem", O_RDWR | O_CLOEXEC);
	if (p->fd < 0) {
		*why = "/dev/mem cannot be opened";
		return errno == ENOENT ? -ENODEV : -errno;
	}
	p->phys = base + off;
	/* arm64 and x86 map non-RAM /dev/mem uncached without VM_ALLOW_ANY_UNCACHED */
	return map(p, p->fd, p->phys);
}

static int open_carveout(struct ma_pfnmap *p, uint64_t off, const char **why)
{
	static const char *const dev[] = {
		[MA_PFN_CARVEOUT_WB] = "/dev/memattr_carveout_wb",
		[MA_PFN_CARVEOUT_NC] = "/dev/memattr_carveout_nc",
		[MA_PFN_CARVEOUT_DEV] = "/dev/memattr_carveout_dev",
	};

	p->fd = open(dev[p->kind], O_RDWR | O_CLOEXEC);
	if (p->fd < 0) {
		*why = "the fixture module memattr_carveout is not loaded (fixtures/kmod)";
		return errno == ENOENT ? -ENODEV : -errno;
	}
	p->cacheable = p->kind == MA_PFN_CARVEOUT_WB;
	p->allow_uncached = p->kind == MA_PFN_CARVEOUT_NC;
	return map(p, p->fd, off);
}

int ma_try_pfnmap_open(struct ma_pfnmap *p, enum ma_pfnmap_kind kind, size_t size, uint64_t off,
		       bool private_map, const char **why)
{
	static const char *none = "";
	int r;

	if (!why)
		why = &none;
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->size = size;
	p->fd = p->aux_fd = -1;
	p->private_map = private_map;
	switch (kind) {
	case MA_PFN_UDMABUF:
		r = open_udmabuf(p, why);
		break;
	case MA_PFN_DEVMEM:
		r = open_devmem(p, off, why);
		break;
	case MA_PFN_CARVEOUT_WB:
	case MA_PFN_CARVEOUT_NC:
	case MA_PFN_CARVEOUT_DEV:
		r = open_carveout(p, off, why);
		break;
	default:
		r = -EINVAL;
	}
	if (r)
		ma_pfnmap_close(p);
	return r;
}

void ma_pfnmap_close(struct ma_pfnmap *p)
{
	if (p->hva)
		munmap(p->hva, p->size);
	if (p->fd >= 0)
		close(p->fd);
	if (p->aux_fd >= 0)
		close(p->aux_fd);
	p->hva = NULL;
	p->fd = p->aux_fd = -1;
}
