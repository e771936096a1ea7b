// SPDX-License-Identifier: GPL-2.0
/*
 * PCI PFNMAP sources: a memory BAR through sysfs (resourceN: pgprot_device, resourceN_wc:
 * pgprot_writecombine; drivers/pci/mmap.c:pci_mmap_resource_range) and a vfio-pci region
 * (pgprot_noncached + VM_ALLOW_ANY_UNCACHED; drivers/vfio/pci/vfio_pci_core.c:vfio_pci_core_mmap),
 * named by MEMATTR_PFNMAP specs.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "memattr/pfnmap.h"

/* The n-th spec of one kind from MEMATTR_PFNMAP; -ENODEV if there is none, -EINVAL if it is bad. */
static int try_find_spec(int what, unsigned int nth, struct ma_pfnmap_spec *sp, const char **why)
{
	static char err[200];
	struct ma_pfnmap_spec specs[MA_PFNMAP_MAX_SPECS];
	int n = ma_try_pfnmap_parse_specs(getenv("MEMATTR_PFNMAP"), specs, MA_PFNMAP_MAX_SPECS, err,
					  sizeof(err));

	if (n < 0) {
		*why = err;
		return -EINVAL;
	}
	for (int i = 0; i < n; i++)
		if ((int)specs[i].what == what && nth-- == 0) {
			*sp = specs[i];
			return 0;
		}
	return -ENODEV;
}

static int try_read_link_base(const char *path, char *out, size_t len)
{
	char buf[512];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0)
		return -errno;
	buf[n] = 0;
	snprintf(out, len, "%s", basename(buf));
	return 0;
}

int ma_try_pfnmap_open_pci_bar(struct ma_pfnmap *p, bool wc, const char **why)
{
	static char msg[512];
	struct ma_pfnmap_spec sp;
	char path[96], line[160];
	uint64_t start = 0, end = 0, flags = 0;
	FILE *f;
	int r = try_find_spec(MA_SPEC_PCI, 0, &sp, why);

	if (r == -ENODEV)
		*why = "no PCI BAR given (MEMATTR_PFNMAP=pci=<BDF>,bar=<n>; memattr-run --pfnmap)";
	if (r)
		return r;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", sp.bdf);
	f = fopen(path, "re");
	if (!f) {
		snprintf(msg, sizeof(msg), "PCI device %s not present (%s)", sp.bdf, path);
		*why = msg;
		return -ENODEV;
	}
	for (unsigned int i = 0; i <= sp.index && fgets(line, sizeof(line), f); i++) {
		if (i == sp.index &&
		    sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64, &start, &end, &flags) != 3) {
			start = 0;
			end = 0;
		}
	}
	fclose(f);
	if (!end || end < start) {
		snprintf(msg, sizeof(msg), "%s BAR %u is not assigned", sp.bdf, sp.index);
		*why = msg;
		return -ENODEV;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource%u%s", sp.bdf, sp.index, wc ? "_wc" : "");
	p->fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (p->fd < 0) {
		r = -errno;
		snprintf(msg, sizeof(msg), "%s: %s%s", path, strerror(errno),
			 wc && r == -ENOENT ? " (the kernel creates _wc only for prefetchable BARs)" : "");
		*why = msg;
		return r == -ENOENT ? -ENODEV : r;
	}
	p->phys = start;
	p->avail = end - start + 1;
	/* NC pgprot is "non-cacheable" to KVM and there is no VM_ALLOW_ANY_UNCACHED: stage 2 Device */
	snprintf(p->desc, sizeof(p->desc), "%s (phys %#" PRIx64 ", %" PRIu64 " KiB)",
		 path, start, p->avail >> 10);
	return 0;
}

static int vfio_fail(const char **why, const char *step)
{
	static char msg[512];
	int r = -errno;

	snprintf(msg, sizeof(msg), "vfio: %s: %s", step, strerror(errno));
	*why = msg;
	return r;
}

/*
 * The device's IOMMU group (group, driver: its names), opened in a container with the IOMMU set:
 * p->aux_fd the group, p->aux2_fd the container; *noiommu for a no-IOMMU group.
 */
static int try_open_vfio_group(struct ma_pfnmap *p, const struct ma_pfnmap_spec *sp, char *group,
			       size_t glen, char *driver, size_t dlen, bool *noiommu, const char **why)
{
	static char msg[512];
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	char path[96];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", sp->bdf);
	if (try_read_link_base(path, group, glen)) {
		snprintf(msg, sizeof(msg), "%s has no IOMMU group (%s)", sp->bdf, path);
		*why = msg;
		return -ENODEV;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", sp->bdf);
	try_read_link_base(path, driver, dlen);
	snprintf(path, sizeof(path), "/dev/vfio/%s", group);
	*noiommu = access(path, F_OK) != 0;
	if (*noiommu)
		snprintf(path, sizeof(path), "/dev/vfio/noiommu-%s", group);
	p->aux2_fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (p->aux2_fd < 0) {
		*why = "/dev/vfio/vfio not present (vfio not loaded)";
		return -ENODEV;
	}
	p->aux_fd = open(path, O_RDWR | O_CLOEXEC);
	if (p->aux_fd < 0) {
		snprintf(msg, sizeof(msg), "%s: %s (is %s bound to vfio-pci? driver: %s)",
			 path, strerror(errno),
			 sp->bdf, driver[0] ? driver : "none");
		*why = msg;
		return errno == ENOENT ? -ENODEV : -errno;
	}
	if (ioctl(p->aux_fd, VFIO_GROUP_GET_STATUS, &gs))
		return vfio_fail(why, "VFIO_GROUP_GET_STATUS");
	if (!(gs.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		snprintf(msg, sizeof(msg), "IOMMU group %s is not viable (another device in it is not bound to vfio)",
			 group);
		*why = msg;
		return -ENODEV;
	}
	if (ioctl(p->aux_fd, VFIO_GROUP_SET_CONTAINER, &p->aux2_fd))
		return vfio_fail(why, "VFIO_GROUP_SET_CONTAINER");
	if (ioctl(p->aux2_fd, VFIO_SET_IOMMU, *noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU))
		return vfio_fail(why, "VFIO_SET_IOMMU");
	return 0;
}

/* The device (p->fd) from its open group, and its region sp->index (*ri), which must be mmappable. */
static int try_open_vfio_region(struct ma_pfnmap *p, const struct ma_pfnmap_spec *sp,
				struct vfio_region_info *ri, const char **why)
{
	static char msg[512];

	p->fd = ioctl(p->aux_fd, VFIO_GROUP_GET_DEVICE_FD, sp->bdf);
	if (p->fd < 0)
		return vfio_fail(why, "VFIO_GROUP_GET_DEVICE_FD");
	ri->index = sp->index;
	if (ioctl(p->fd, VFIO_DEVICE_GET_REGION_INFO, ri))
		return vfio_fail(why, "VFIO_DEVICE_GET_REGION_INFO");
	if (!(ri->flags & VFIO_REGION_INFO_FLAG_MMAP) || !ri->size) {
		snprintf(msg, sizeof(msg), "%s region %u cannot be mmapped (flags %#x, size %llu)",
			 sp->bdf, sp->index,
			 ri->flags, (unsigned long long)ri->size);
		*why = msg;
		return -ENODEV;
	}
	return 0;
}

int ma_try_pfnmap_open_vfio(struct ma_pfnmap *p, unsigned int which, const char **why)
{
	struct vfio_region_info ri = { .argsz = sizeof(ri) };
	struct ma_pfnmap_spec sp;
	char group[32], driver[64] = "";
	bool noiommu;
	int r = try_find_spec(MA_SPEC_VFIO, which, &sp, why);

	if (r == -ENODEV && which)
		*why = "no second vfio region given (MEMATTR_PFNMAP=vfio=<BDF>,region=<n>, twice)";
	else if (r == -ENODEV)
		*why = "no vfio region given (MEMATTR_PFNMAP=vfio=<BDF>,region=<n>; memattr-run --pfnmap)";
	if (!r)
		r = try_open_vfio_group(p, &sp, group, sizeof(group), driver, sizeof(driver), &noiommu, why);
	if (!r)
		r = try_open_vfio_region(p, &sp, &ri, why);
	if (r)
		return r;
	p->map_off = ri.offset;
	p->avail = ri.size;
	/*
	 * The host type: vfio-pci maps every BAR pgprot_noncached with VM_ALLOW_ANY_UNCACHED;
	 * nvgrace-gpu maps usemem (BAR 4) cacheable and resmem (BAR 2) write-combine + ALLOW
	 * (drivers/vfio/pci/nvgrace-gpu/main.c:nvgrace_gpu_mmap, 7.2.13).  type= overrides.
	 */
	if (sp.type < 0)
		sp.type = strstr(driver, "nvgrace") && sp.index == VFIO_PCI_BAR4_REGION_INDEX ?
			  MA_PFT_WB : MA_PFT_NC;
	p->cacheable = sp.type == MA_PFT_WB;
	p->allow_uncached = sp.type == MA_PFT_NC;
	snprintf(p->desc, sizeof(p->desc), "vfio %s region %u (%s, group %s%s, %llu KiB)", sp.bdf, sp.index,
		 driver[0] ? driver : "no driver", group, noiommu ? ", no-IOMMU" : "",
		 (unsigned long long)(ri.size >> 10));
	return 0;
}
