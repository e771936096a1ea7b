// SPDX-License-Identifier: GPL-2.0
/*
 * dma: the edu device through vfio-pci, with a VFIO type1 container or iommufd, and its DMA engine
 * driven through the BAR0 mapping VFIO gives.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "dma.h"

const char *dma_api_name(enum dma_api api)
{
	return api == DMA_IOMMUFD ? "iommufd" : "type1";
}

/* A sysfs file holding a hex number (0x1234), or -1 */
static long sysfs_hex(const char *dir, const char *file)
{
	char path[512];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fscanf(f, "%li", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

void dma_edu_find(char *bdf, size_t len)
{
	DIR *dir = opendir("/sys/bus/pci/devices");
	struct dirent *e;

	if (!dir)
		ma_skip("no PCI bus: opendir /sys/bus/pci/devices: %s", ma_errno_name(errno));
	while ((e = readdir(dir)) != NULL) {
		char d[300];

		if (e->d_name[0] == '.')
			continue;
		snprintf(d, sizeof(d), "/sys/bus/pci/devices/%s", e->d_name);
		if (sysfs_hex(d, "vendor") == EDU_VENDOR && sysfs_hex(d, "device") == EDU_DEVICE) {
			snprintf(bdf, len, "%s", e->d_name);
			closedir(dir);
			return;
		}
	}
	closedir(dir);
	ma_skip("no edu device (PCI 1234:11e8) in /sys/bus/pci/devices (the cell's pci= has no edu)");
}

static int try_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		r = -errno;
	close(fd);
	return r;
}

static void driver_of(const char *bdf, char *drv, size_t len)
{
	char path[300], link[300];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	snprintf(drv, len, "%.100s", n > 0 ? (strrchr(link, '/') ? strrchr(link, '/') + 1 : link) : "");
}

/* driver_override = vfio-pci, unbind from any other driver, probe; the test fails if it is not bound */
static void bind_vfio(const char *bdf)
{
	char path[300], drv[128];
	int r;

	driver_of(bdf, drv, sizeof(drv));
	if (strcmp(drv, "vfio-pci") == 0)
		return;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override", bdf);
	r = try_write_str(path, "vfio-pci");
	if (r)
		ma_fatal("writing vfio-pci to %s: %s", path, ma_errno_name(-r));
	if (*drv) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver/unbind", bdf);
		r = try_write_str(path, bdf);
		if (r)
			ma_fatal("unbinding %s from %s: %s", bdf, drv, ma_errno_name(-r));
	}
	r = try_write_str("/sys/bus/pci/drivers_probe", bdf);
	driver_of(bdf, drv, sizeof(drv));
	MA_REQUIRE(strcmp(drv, "vfio-pci") == 0, "edu %s bound to '%s' after drivers_probe (%s), expected vfio-pci",
		   bdf, drv, r ? ma_errno_name(-r) : "written");
}

static int group_of(const char *bdf)
{
	char path[300], link[300];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		ma_fatal("%s has no IOMMU group (readlink %s: %s): the cell's virtual IOMMU is missing", bdf,
			 path, ma_errno_name(errno));
	link[n] = 0;
	return atoi(strrchr(link, '/') + 1);
}

static void open_type1(struct dma_dev *d)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[64];
	long r;

	d->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (d->container < 0)
		ma_skip("no VFIO container: open /dev/vfio/vfio: %s", ma_errno_name(errno));
	r = ma_try_ioctl(d->container, VFIO_GET_API_VERSION, NULL);
	MA_REQUIRE(r == VFIO_API_VERSION, "VFIO_GET_API_VERSION: %ld, expected %d", r, VFIO_API_VERSION);
	r = ma_try_ioctl(d->container, VFIO_CHECK_EXTENSION, (void *)(long)VFIO_TYPE1v2_IOMMU);
	if (r <= 0)
		ma_skip("VFIO_CHECK_EXTENSION(VFIO_TYPE1v2_IOMMU): %ld (vfio_iommu_type1 not loaded)", r);
	snprintf(path, sizeof(path), "/dev/vfio/%d", group_of(d->bdf));
	d->group = open(path, O_RDWR | O_CLOEXEC);
	if (d->group < 0)
		ma_fatal("open %s: %s", path, ma_errno_name(errno));
	r = ma_try_ioctl(d->group, VFIO_GROUP_GET_STATUS, &st);
	if (r < 0)
		ma_fatal("VFIO_GROUP_GET_STATUS: %s", ma_errno_name((int)-r));
	MA_REQUIRE(st.flags & VFIO_GROUP_FLAGS_VIABLE,
		   "IOMMU group %s of edu %s is not viable (flags %#x): a device of the group is bound to another driver",
		   path, d->bdf, st.flags);
	r = ma_try_ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container);
	if (r < 0)
		ma_fatal("VFIO_GROUP_SET_CONTAINER: %s", ma_errno_name((int)-r));
	r = ma_try_ioctl(d->container, VFIO_SET_IOMMU, (void *)(long)VFIO_TYPE1v2_IOMMU);
	if (r < 0)
		ma_fatal("VFIO_SET_IOMMU(VFIO_TYPE1v2_IOMMU): %s", ma_errno_name((int)-r));
	r = ma_try_ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, d->bdf);
	if (r < 0)
		ma_fatal("VFIO_GROUP_GET_DEVICE_FD(%s): %s", d->bdf, ma_errno_name((int)-r));
	d->device = (int)r;
}

/* /dev/vfio/devices/vfioN of the device, or ma_skip() */
static void open_cdev(struct dma_dev *d)
{
	char path[300];
	struct dirent *e;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", d->bdf);
	dir = opendir(path);
	if (!dir)
		ma_skip("no vfio device cdev (CONFIG_VFIO_DEVICE_CDEV): opendir %s: %s", path,
			ma_errno_name(errno));
	while ((e = readdir(dir)) != NULL)
		if (strncmp(e->d_name, "vfio", 4) == 0)
			break;
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", e ? e->d_name : "?");
	closedir(dir);
	d->device = open(path, O_RDWR | O_CLOEXEC);
	if (d->device < 0)
		ma_fatal("open %s: %s", path, ma_errno_name(errno));
}

static void open_iommufd(struct dma_dev *d)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt at = { .argsz = sizeof(at) };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	long r;

	d->iommufd = open("/dev/iommu", O_RDWR | O_CLOEXEC);
	if (d->iommufd < 0)
		ma_skip("no iommufd in this kernel: open /dev/iommu: %s", ma_errno_name(errno));
	open_cdev(d);
	bind.iommufd = d->iommufd;
	r = ma_try_ioctl(d->device, VFIO_DEVICE_BIND_IOMMUFD, &bind);
	if (r < 0)
		ma_fatal("VFIO_DEVICE_BIND_IOMMUFD: %s", ma_errno_name((int)-r));
	r = ma_try_ioctl(d->iommufd, IOMMU_IOAS_ALLOC, &alloc);
	if (r < 0)
		ma_fatal("IOMMU_IOAS_ALLOC: %s", ma_errno_name((int)-r));
	d->ioas = alloc.out_ioas_id;
	at.pt_id = d->ioas;
	r = ma_try_ioctl(d->device, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &at);
	if (r < 0)
		ma_fatal("VFIO_DEVICE_ATTACH_IOMMUFD_PT(ioas %u): %s", d->ioas, ma_errno_name((int)-r));
}

static void region(struct dma_dev *d, uint32_t index, struct vfio_region_info *ri)
{
	long r;

	memset(ri, 0, sizeof(*ri));
	ri->argsz = sizeof(*ri);
	ri->index = index;
	r = ma_try_ioctl(d->device, VFIO_DEVICE_GET_REGION_INFO, ri);
	if (r < 0)
		ma_fatal("VFIO_DEVICE_GET_REGION_INFO(%u): %s", index, ma_errno_name((int)-r));
}

void dma_dev_open(struct dma_dev *d, enum dma_api api)
{
	struct vfio_region_info ri;
	uint16_t cmd;
	void *p;

	memset(d, 0, sizeof(*d));
	d->api = api;
	d->container = -1;
	d->group = -1;
	d->device = -1;
	d->iommufd = -1;
	dma_edu_find(d->bdf, sizeof(d->bdf));
	bind_vfio(d->bdf);
	if (api == DMA_TYPE1)
		open_type1(d);
	else
		open_iommufd(d);
	region(d, VFIO_PCI_BAR0_REGION_INDEX, &ri);
	MA_REQUIRE(ri.flags & VFIO_REGION_INFO_FLAG_MMAP, "edu BAR0 region (size %#llx, flags %#x) cannot be mmapped",
		   (unsigned long long)ri.size, ri.flags);
	p = mmap(NULL, ri.size, PROT_READ | PROT_WRITE, MAP_SHARED, d->device, (off_t)ri.offset);
	if (p == MAP_FAILED)
		ma_fatal("mmap of edu BAR0 through VFIO (%#llx bytes): %s", (unsigned long long)ri.size,
			 ma_errno_name(errno));
	d->bar = p;
	d->bar_size = ri.size;
	MA_REQUIRE((*(volatile uint32_t *)(d->bar + EDU_REG_ID) & 0xff) == 0xed,
		   "edu identification register through the BAR0 mapping: %#x, expected 0x......ed",
		   *(volatile uint32_t *)(d->bar + EDU_REG_ID));
	/* bus mastering: QEMU's PCI DMA goes nowhere without it (the command register via VFIO) */
	region(d, VFIO_PCI_CONFIG_REGION_INDEX, &ri);
	d->cfg_off = ri.offset;
	if (pread(d->device, &cmd, 2, (off_t)(d->cfg_off + PCI_COMMAND)) != 2)
		ma_fatal("reading the edu command register: %s", ma_errno_name(errno));
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(d->device, &cmd, 2, (off_t)(d->cfg_off + PCI_COMMAND)) != 2)
		ma_fatal("writing the edu command register: %s", ma_errno_name(errno));
}

int dma_try_map(struct dma_dev *d, void *hva, uint64_t iova, uint64_t size)
{
	if (d->api == DMA_TYPE1) {
		struct vfio_iommu_type1_dma_map m = {
			.argsz = sizeof(m), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uintptr_t)hva, .iova = iova, .size = size,
		};
		long r = ma_try_ioctl(d->container, VFIO_IOMMU_MAP_DMA, &m);

		return r < 0 ? (int)r : 0;
	}
	struct iommu_ioas_map m = {
		.size = sizeof(m), .ioas_id = d->ioas, .user_va = (uintptr_t)hva, .length = size,
		.iova = iova,
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
	};
	long r = ma_try_ioctl(d->iommufd, IOMMU_IOAS_MAP, &m);

	return r < 0 ? (int)r : 0;
}

static void reg_write(struct dma_dev *d, unsigned int reg, uint64_t v)
{
	*(volatile uint64_t *)(d->bar + reg) = v;
}

void dma_edu_xfer(struct dma_dev *d, bool to_ram, uint64_t iova, uint32_t bytes)
{
	/* edu finishes a DMA 100 ms (QEMU's virtual clock) after the command: allow 10 s, scaled */
	double deadline = ma_now_s() + 10.0 * ma_timeout_scale();
	uint64_t cmd;

	if (bytes > EDU_BUF_SIZE || (iova + bytes - 1) > EDU_DMA_MASK)
		ma_fatal("edu DMA of %u bytes at %#llx is outside the device's limits", bytes,
			 (unsigned long long)iova);
	reg_write(d, EDU_REG_SRC, to_ram ? EDU_BUF_ADDR : iova);
	reg_write(d, EDU_REG_DST, to_ram ? iova : EDU_BUF_ADDR);
	reg_write(d, EDU_REG_CNT, bytes);
	reg_write(d, EDU_REG_CMD, EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0));
	while ((cmd = *(volatile uint64_t *)(d->bar + EDU_REG_CMD)) & EDU_CMD_RUN) {
		if (ma_now_s() > deadline)
			ma_fatal("edu DMA (%s, iova %#llx, %u bytes) still running after %u s (cmd %#llx)",
				 to_ram ? "to RAM" : "from RAM", (unsigned long long)iova, bytes,
				 10 * ma_timeout_scale(), (unsigned long long)cmd);
		usleep(1000);
	}
	d->dmas++;
}
