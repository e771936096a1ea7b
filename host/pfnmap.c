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
	[MA_PFN_PCI_BAR] = "pci_bar",
	[MA_PFN_PCI_BAR_WC] = "pci_bar_wc",
	[MA_PFN_VFIO0] = "vfio0",
	[MA_PFN_VFIO1] = "vfio1",
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

long ma_try_read_long(const char *path)
{
	FILE *f = fopen(path, "re");
	long v;

	if (!f)
		return -errno;
	if (fscanf(f, "%ld", &v) != 1)
		v = -EIO;
	fclose(f);
	return v;
}

long ma_try_fixture_counter(const char *name)
{
	char path[160];

	snprintf(path, sizeof(path), "/sys/module/memattr_carveout/parameters/%s", name);
	return ma_try_read_long(path);
}

int ma_try_pfnmap_map(struct ma_pfnmap *p, void *fixed)
{
	int prot = PROT_READ | PROT_WRITE;
	int flags = (p->private_map ? MAP_PRIVATE : MAP_SHARED) | (fixed ? MAP_FIXED : 0);
	void *h = mmap(fixed, p->size, prot, flags, p->fd, (off_t)p->map_off);

	if (h == MAP_FAILED)
		return -errno;
	p->hva = h;
	return 0;
}

void ma_pfnmap_unmap(struct ma_pfnmap *p)
{
	if (p->hva)
		munmap(p->hva, p->size);
	p->hva = NULL;
}

static int try_open_udmabuf(struct ma_pfnmap *p, const char **why)
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
		*why = "memfd for udmabuf";
		return r;
	}
	c.memfd = (uint32_t)p->aux_fd;
	p->fd = ioctl(dev, UDMABUF_CREATE, &c);
	r = p->fd < 0 ? -errno : 0;
	close(dev);
	if (r) {
		*why = "UDMABUF_CREATE";
		return r;
	}
	p->cacheable = true;
	p->ram_backed = true;
	p->avail = p->size;
	snprintf(p->desc, sizeof(p->desc), "udmabuf over a %zu-byte memfd", p->size);
	return 0;
}

static int try_open_devmem(struct ma_pfnmap *p, uint64_t off, const char **why)
{
	uint64_t base, size;

	if (!ma_carveout(&base, &size)) {
		*why = "no carve-out given (MEMATTR_CARVEOUT=base:size; the lab boots with mem= below RAM)";
		return -ENODEV;
	}
	p->fd = open("/dev/mem", O_RDWR | O_CLOEXEC);
	if (p->fd < 0) {
		*why = "/dev/mem cannot be opened";
		return errno == ENOENT ? -ENODEV : -errno;
	}
	p->avail = size - (off < size ? off : size);
	p->phys = base + off;
	p->map_off = p->phys;
	snprintf(p->desc, sizeof(p->desc), "/dev/mem at %#" PRIx64, p->phys);
	/* arm64 and x86 map non-RAM /dev/mem uncached without VM_ALLOW_ANY_UNCACHED */
	return 0;
}

static int try_open_carveout(struct ma_pfnmap *p, uint64_t off, const char **why)
{
	static const char *const dev[] = {
		[MA_PFN_CARVEOUT_WB] = "/dev/memattr_carveout_wb",
		[MA_PFN_CARVEOUT_NC] = "/dev/memattr_carveout_nc",
		[MA_PFN_CARVEOUT_DEV] = "/dev/memattr_carveout_dev",
	};
	long size = ma_try_fixture_counter("size");

	p->fd = open(dev[p->kind], O_RDWR | O_CLOEXEC);
	if (p->fd < 0) {
		*why = "the fixture module memattr_carveout is not loaded (fixtures/kmod)";
		return errno == ENOENT ? -ENODEV : -errno;
	}
	p->cacheable = p->kind == MA_PFN_CARVEOUT_WB;
	p->allow_uncached = p->kind == MA_PFN_CARVEOUT_NC;
	p->avail = size > 0 && (uint64_t)size > off ? (uint64_t)size - off : 0;
	p->map_off = off;
	snprintf(p->desc, sizeof(p->desc), "%s offset %#" PRIx64, dev[p->kind], off);
	return 0;
}

int ma_try_pfnmap_open(struct ma_pfnmap *p, const struct ma_pfnmap_req *rq, const char **why)
{
	static const char *none = "";
	int r;

	if (!why)
		why = &none;
	memset(p, 0, sizeof(*p));
	p->kind = rq->kind;
	p->size = rq->size;
	p->fd = -1;
	p->aux_fd = -1;
	p->aux2_fd = -1;
	p->private_map = rq->private_map;
	switch (rq->kind) {
	case MA_PFN_UDMABUF:
		r = try_open_udmabuf(p, why);
		break;
	case MA_PFN_DEVMEM:
		r = try_open_devmem(p, rq->off, why);
		break;
	case MA_PFN_CARVEOUT_WB:
	case MA_PFN_CARVEOUT_NC:
	case MA_PFN_CARVEOUT_DEV:
		r = try_open_carveout(p, rq->off, why);
		break;
	case MA_PFN_PCI_BAR:
	case MA_PFN_PCI_BAR_WC:
		r = ma_try_pfnmap_open_pci_bar(p, rq->kind == MA_PFN_PCI_BAR_WC, why);
		break;
	case MA_PFN_VFIO0:
	case MA_PFN_VFIO1:
		r = ma_try_pfnmap_open_vfio(p, rq->kind - MA_PFN_VFIO0, why);
		break;
	default:
		*why = "unknown source";
		r = -EINVAL;
	}
	if (!r && p->avail < p->size) {
		*why = "the source is smaller than the mapping the test needs";
		r = -ENOSPC;
	}
	if (!r) {
		r = ma_try_pfnmap_map(p, rq->fixed);
		if (r)
			*why = "mmap";
	}
	if (r)
		ma_pfnmap_close(p);
	return r;
}

void ma_pfnmap_close(struct ma_pfnmap *p)
{
	ma_pfnmap_unmap(p);
	if (p->fd >= 0)
		close(p->fd);
	if (p->aux_fd >= 0)
		close(p->aux_fd);
	if (p->aux2_fd >= 0)
		close(p->aux2_fd);
	p->fd = -1;
	p->aux_fd = -1;
	p->aux2_fd = -1;
}
