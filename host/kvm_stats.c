// SPDX-License-Identifier: GPL-2.0
/*
 * A named counter of KVM's binary statistics: the header gives where the descriptors and the
 * data are; each descriptor (struct kvm_stats_desc followed by name_size bytes of name) gives its
 * value's offset in the data block (include/uapi/linux/kvm.h, virt/kvm/binary_stats.c).
 */
#include "memattr/kvm_stats.h"

#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int try_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, (off_t)off);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int ma_try_kvm_stat_find(int stats_fd, const char *name, uint64_t *off)
{
	struct kvm_stats_header h;
	size_t one;
	char *descs;
	int r = try_pread_all(stats_fd, &h, sizeof(h), 0);

	if (r)
		return r;
	if (!h.name_size || h.num_desc > 65536 || h.name_size > 4096)
		return -EPROTO;
	one = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = malloc(one * h.num_desc);
	if (!descs)
		return -ENOMEM;
	r = try_pread_all(stats_fd, descs, one * h.num_desc, h.desc_offset);
	for (uint32_t i = 0; !r && i < h.num_desc; i++) {
		const struct kvm_stats_desc *d = (const void *)(descs + i * one);

		if (!strncmp(d->name, name, h.name_size) && d->size >= 1) {
			*off = h.data_offset + d->offset;
			free(descs);
			return 0;
		}
	}
	free(descs);
	return r ? r : -ENOENT;
}

int ma_try_kvm_stat_open(int kvm_fd, const char *name, struct ma_kvm_stat *s)
{
	int r;

	s->fd = ioctl(kvm_fd, KVM_GET_STATS_FD, NULL);
	if (s->fd < 0)
		return -errno;
	r = ma_try_kvm_stat_find(s->fd, name, &s->off);
	if (r)
		ma_kvm_stat_close(s);
	return r;
}

int ma_try_kvm_stat_read(const struct ma_kvm_stat *s, uint64_t *value)
{
	return try_pread_all(s->fd, value, sizeof(*value), s->off);
}

void ma_kvm_stat_close(struct ma_kvm_stat *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
