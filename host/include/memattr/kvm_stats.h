/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One counter of KVM's binary statistics (KVM_GET_STATS_FD on a VM or vCPU fd,
 * Documentation/virt/kvm/api.rst 4.133, virt/kvm/binary_stats.c:kvm_stats_read), found by name:
 *
 *   struct ma_kvm_stat exits;
 *   uint64_t n;
 *   if (!ma_try_kvm_stat_open(v->fd, "exits", &exits) && !ma_try_kvm_stat_read(&exits, &n))
 *           ...
 *   ma_kvm_stat_close(&exits);
 */
#ifndef MEMATTR_KVM_STATS_H
#define MEMATTR_KVM_STATS_H

#include <stdint.h>

struct ma_kvm_stat {
	int fd;			/* the statistics fd, -1 when closed */
	uint64_t off;		/* the counter's first value in it */
};

/* -errno: KVM_GET_STATS_FD failed, the header or descriptors did not read, or -ENOENT: no NAME. */
int ma_try_kvm_stat_open(int kvm_fd, const char *name, struct ma_kvm_stat *s);
/* In an open statistics fd: where NAME's first value is (-ENOENT: no such counter, -EPROTO: bad header). */
int ma_try_kvm_stat_find(int stats_fd, const char *name, uint64_t *off);
int ma_try_kvm_stat_read(const struct ma_kvm_stat *s, uint64_t *value);
void ma_kvm_stat_close(struct ma_kvm_stat *s);

#endif
