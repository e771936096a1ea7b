// SPDX-License-Identifier: GPL-2.0
/* host/dirty_log.c: the bitmap comparison and formatting the dirty-log tests report with. */
#include <string.h>

#include "memattr/dirty_log.h"
#include "memattr/harness.h"

MA_TEST(unit, dirty_bitmap_diff_and_format, .req = { .no_kvm = true })
{
	uint64_t got[8] = { 0 }, want[8] = { 0 };
	char buf[256];

	MA_EXPECT_EQ(ma_dirty_words(1), 1);
	MA_EXPECT_EQ(ma_dirty_words(64), 1);
	MA_EXPECT_EQ(ma_dirty_words(65), 2);
	ma_dirty_set(want, 0);
	ma_dirty_set(want, 3);
	ma_dirty_set(want, 17);
	ma_dirty_set(want, 511);
	MA_EXPECT_EQ(want[7], 1ull << 63);
	memcpy(got, want, sizeof(got));
	MA_EXPECT_EQ(ma_dirty_diff(got, want, 512, buf, sizeof(buf)), 0);
	MA_EXPECT_EQ(strcmp(buf, ""), 0);
	ma_dirty_format(got, 512, buf, sizeof(buf));
	MA_EXPECT_EQ(strcmp(buf, "0 3 17 511"), 0);
	got[0] &= ~(1ull << 3);
	ma_dirty_set(got, 100);
	MA_EXPECT_EQ(ma_dirty_diff(got, want, 512, buf, sizeof(buf)), 2);
	MA_EXPECT_EQ(strcmp(buf, "page 3 missing, page 100 unexpected"), 0);
	/* bits past npages are not compared */
	MA_EXPECT_EQ(ma_dirty_diff(got, want, 100, buf, sizeof(buf)), 1);
	memset(got, 0, sizeof(got));
	ma_dirty_format(got, 512, buf, sizeof(buf));
	MA_EXPECT_EQ(strcmp(buf, "none"), 0);
	memset(got, 0xff, sizeof(got));
	MA_EXPECT_EQ(ma_dirty_diff(got, want, 512, buf, 16), 508);
	MA_EXPECT_TRUE(strlen(buf) < 16);
	ma_dirty_format(got, 512, buf, sizeof(buf));
	MA_EXPECT_TRUE(strstr(buf, "(+480 more)"));
}
