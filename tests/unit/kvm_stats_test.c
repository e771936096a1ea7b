// SPDX-License-Identifier: GPL-2.0
/* host/kvm_stats.c: a named counter found in a statistics file laid out as KVM lays it out. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memattr/harness.h"
#include "memattr/kvm_stats.h"

#define NAME_SIZE 48

/* header, then three descriptors, then the data block; "exits" is the third, at data offset 16 */
static int fake_stats_fd(void)
{
	const char *names[] = { "halt_successful_poll", "signal_exits", "exits" };
	size_t one = sizeof(struct kvm_stats_desc) + NAME_SIZE;
	struct kvm_stats_header h = { .name_size = NAME_SIZE, .num_desc = 3 };
	uint64_t data[3] = { 7, 11, 123456789 };
	char *descs = calloc(3, one);
	int fd = memfd_create("fake-kvm-stats", MFD_CLOEXEC);

	MA_REQUIRE(fd >= 0 && descs, "memfd_create");
	h.id_offset = sizeof(h);
	h.desc_offset = h.id_offset + 64;
	h.data_offset = h.desc_offset + 3 * one;
	for (unsigned int i = 0; i < 3; i++) {
		struct kvm_stats_desc *d = (void *)(descs + i * one);

		d->flags = KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_NONE;
		d->size = 1;
		d->offset = i * 8;
		snprintf(d->name, NAME_SIZE, "%s", names[i]);
	}
	MA_REQUIRE(pwrite(fd, &h, sizeof(h), 0) == sizeof(h), "pwrite");
	MA_REQUIRE(pwrite(fd, descs, 3 * one, h.desc_offset) == (ssize_t)(3 * one), "pwrite");
	MA_REQUIRE(pwrite(fd, data, sizeof(data), h.data_offset) == sizeof(data), "pwrite");
	free(descs);
	return fd;
}

MA_TEST(unit, kvm_stat_found_by_name, .req = { .no_kvm = true })
{
	struct ma_kvm_stat s = { .fd = fake_stats_fd() };
	uint64_t v = 0;

	MA_EXPECT_EQ(ma_try_kvm_stat_find(s.fd, "exits", &s.off), 0);
	MA_EXPECT_EQ(ma_try_kvm_stat_read(&s, &v), 0);
	MA_EXPECT_EQ(v, 123456789);
	/* a name that is a prefix of another is not that other */
	MA_EXPECT_EQ(ma_try_kvm_stat_find(s.fd, "signal", &s.off), -ENOENT);
	MA_EXPECT_EQ(ma_try_kvm_stat_find(s.fd, "signal_exits", &s.off), 0);
	MA_EXPECT_EQ(ma_try_kvm_stat_read(&s, &v), 0);
	MA_EXPECT_EQ(v, 11);
	MA_EXPECT_EQ(ma_try_kvm_stat_find(s.fd, "mmio_exit_user", &s.off), -ENOENT);
	ma_kvm_stat_close(&s);
	MA_EXPECT_EQ(s.fd, -1);
}

MA_TEST(unit, kvm_stat_bad_file_is_an_error, .req = { .no_kvm = true })
{
	int fd = memfd_create("empty-kvm-stats", MFD_CLOEXEC);
	uint64_t off;

	MA_REQUIRE(fd >= 0, "memfd_create");
	MA_EXPECT_EQ(ma_try_kvm_stat_find(fd, "exits", &off), -EIO);	/* no header */
	close(fd);
}
