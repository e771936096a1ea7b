// SPDX-License-Identifier: GPL-2.0
/* host/migration_stream.c: the stream file round-trips, and a damaged file is refused, named. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memattr/harness.h"
#include "memattr/migration_stream.h"

static void build(struct ma_mig_image *img)
{
	static const uint8_t reg[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

	memset(img, 0, sizeof(*img));
	snprintf(img->identity, sizeof(img->identity), "arch=test\nkernel=7.2.13\nfwb=1\n");
	snprintf(img->notes, sizeof(img->notes), "pages=512\nctrl_gpa=0x84000000\n");
	img->nr_slots = 2;
	for (unsigned int i = 0; i < 2; i++) {
		img->slots[i].slot = i;
		img->slots[i].flags = i;
		img->slots[i].gpa = 0x40000000ull * (i + 1);
		img->slots[i].size = 4096 * (i + 1) + 3;	/* not a multiple of 8: padding */
		img->slots[i].data = malloc(img->slots[i].size);
		for (uint64_t b = 0; b < img->slots[i].size; b++)
			img->slots[i].data[b] = (uint8_t)(b * 7 + i);
	}
	/* slot 1 is over a PFNMAP source (record 6, version 2) */
	img->slots[1].pfnmap = true;
	img->slots[1].cacheable = true;
	snprintf(img->slots[1].source, sizeof(img->slots[1].source), "carveout_wb");
	img->nr_vcpus = 2;
	for (unsigned int i = 0; i < 2; i++) {
		img->vcpus[i].index = i;
		ma_vstate_add(&img->vcpus[i], MA_VS_ONE_REG, 0x6030000000100000ull + i, reg, 8);
		ma_vstate_add(&img->vcpus[i], MA_VS_X86_MSR, 0xc0000080u, reg + 1, 5);
		ma_vstate_add(&img->vcpus[i], MA_VS_ONE_REG, 0x6040000000100050ull, reg, 16);
	}
}

static void same(const struct ma_mig_image *a, const struct ma_mig_image *b)
{
	MA_EXPECT_EQ(strcmp(a->identity, b->identity), 0);
	MA_EXPECT_EQ(strcmp(a->notes, b->notes), 0);
	MA_ASSERT_EQ(a->nr_slots, b->nr_slots);
	MA_ASSERT_EQ(a->nr_vcpus, b->nr_vcpus);
	for (unsigned int i = 0; i < a->nr_slots; i++) {
		MA_EXPECT_EQ(a->slots[i].slot, b->slots[i].slot);
		MA_EXPECT_EQ(a->slots[i].flags, b->slots[i].flags);
		MA_EXPECT_EQ(a->slots[i].gpa, b->slots[i].gpa);
		MA_EXPECT_EQ(a->slots[i].pfnmap, b->slots[i].pfnmap);
		MA_EXPECT_EQ(a->slots[i].cacheable, b->slots[i].cacheable);
		MA_EXPECT_EQ(strcmp(a->slots[i].source, b->slots[i].source), 0);
		MA_ASSERT_EQ(a->slots[i].size, b->slots[i].size);
		MA_EXPECT_EQ(memcmp(a->slots[i].data, b->slots[i].data, a->slots[i].size), 0);
	}
	for (unsigned int i = 0; i < a->nr_vcpus; i++) {
		MA_EXPECT_EQ(a->vcpus[i].index, b->vcpus[i].index);
		MA_ASSERT_EQ(a->vcpus[i].n, b->vcpus[i].n);
		for (unsigned int j = 0; j < a->vcpus[i].n; j++) {
			const struct ma_vstate_item *x = &a->vcpus[i].items[j], *y = &b->vcpus[i].items[j];

			MA_EXPECT_EQ(x->kind, y->kind);
			MA_EXPECT_EQ(x->id, y->id);
			MA_ASSERT_EQ(x->len, y->len);
			MA_EXPECT_EQ(memcmp(x->data, y->data, x->len), 0);
		}
	}
}

/* Write bytes [0, len) of path's content back to it with byte at `at` set to val (at < 0: none). */
static void damage(const char *path, long len, long at, uint8_t val)
{
	FILE *f = fopen(path, "rb");
	uint8_t buf[1 << 15];
	size_t n;

	MA_ASSERT_TRUE(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	MA_ASSERT_TRUE(n < sizeof(buf) && (size_t)len <= n);
	if (at >= 0)
		buf[at] = val;
	f = fopen(path, "wb");
	MA_ASSERT_TRUE(f);
	MA_ASSERT_EQ(fwrite(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
}

MA_TEST(unit, migration_stream_round_trip_and_damage, .req = { .no_kvm = true })
{
	char path[] = "/tmp/memattr-stream-test-XXXXXX", err[256], val[32];
	struct ma_mig_image img, back;
	int fd = mkstemp(path);
	long full;
	FILE *f;

	MA_ASSERT_TRUE(fd >= 0);
	close(fd);
	build(&img);
	MA_ASSERT_EQ(ma_try_mig_write(path, &img), 0);
	MA_ASSERT_EQ(ma_try_mig_read(path, &back, err, sizeof(err)), 0);
	same(&img, &back);
	ma_mig_image_free(&back);
	MA_EXPECT_TRUE(ma_mig_kv(img.notes, "ctrl_gpa", val, sizeof(val)) && !strcmp(val, "0x84000000"));
	MA_EXPECT_TRUE(!ma_mig_kv(img.notes, "ctrl", val, sizeof(val)) && !val[0]);
	f = fopen(path, "rb");
	MA_ASSERT_TRUE(f);
	fseek(f, 0, SEEK_END);
	full = ftell(f);
	fclose(f);
	/* the version: another one is refused, named */
	damage(path, full, 8, 3);
	MA_EXPECT_EQ(ma_try_mig_read(path, &back, err, sizeof(err)), -EPROTO);
	MA_EXPECT_TRUE(strstr(err, "version 3"));
	/* version 1 is read, but it has no PFNMAP slot record */
	damage(path, full, 8, 1);
	MA_EXPECT_EQ(ma_try_mig_read(path, &back, err, sizeof(err)), -EINVAL);
	MA_EXPECT_TRUE(strstr(err, "PFNMAP slot record in a version 1 stream"));
	/* the magic */
	damage(path, full, 8, 2);
	damage(path, full, 0, 'X');
	MA_EXPECT_EQ(ma_try_mig_read(path, &back, err, sizeof(err)), -EINVAL);
	MA_EXPECT_TRUE(strstr(err, "magic"));
	/* a file cut short, anywhere after the header */
	damage(path, full, 0, 'M');
	for (long cut = 16; cut < full; cut += 97) {
		damage(path, cut, -1, 0);
		MA_EXPECT_EQ(ma_try_mig_read(path, &back, err, sizeof(err)), -EINVAL);
		ma_mig_image_free(&back);
		MA_ASSERT_EQ(ma_try_mig_write(path, &img), 0);
	}
	unlink(path);
	ma_mig_image_free(&img);
}
