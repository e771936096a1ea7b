// SPDX-License-Identifier: GPL-2.0
/* The guest's freestanding vsnprintf (guest/common/format.c), compiled for the host. */
#include <string.h>

#include "memattr/guest.h"
#include "memattr/harness.h"

#define FMT_CASE(expect, ...)                                                    \
	do {                                                                     \
		char b[64];                                                      \
		int n = ma_snprintf(b, sizeof(b), __VA_ARGS__);                  \
		if (strcmp(b, expect))                                           \
			ma_fail("format %s: got '%s', want '%s'", #__VA_ARGS__, b, expect); \
		MA_EXPECT_EQ(n, (int)strlen(expect));                            \
	} while (0)

MA_TEST(unit, guest_format_conversions, .req = { .no_kvm = true })
{
	FMT_CASE("42", "%d", 42);
	FMT_CASE("-42", "%d", -42);
	FMT_CASE("-9223372036854775808", "%ld", (int64_t)(-9223372036854775807LL - 1));
	FMT_CASE("4294967295", "%u", 4294967295u);
	FMT_CASE("ff", "%x", 255u);
	FMT_CASE("00ff", "%04x", 255u);
	FMT_CASE("deadbeefcafe", "%lx", (uint64_t)0xdeadbeefcafeull);
	FMT_CASE("0x1000", "%p", (void *)0x1000);
	FMT_CASE("a=x b=y", "a=%s b=%s", "x", "y");
	FMT_CASE("100%", "%d%%", 100);
	FMT_CASE("c", "%c", 'c');
	FMT_CASE("   7", "%4d", 7);
}

MA_TEST(unit, guest_format_null_string, .req = { .no_kvm = true })
{
	const char *volatile none = NULL;	/* hidden from the compiler's format checks */
	char b[16];

	ma_snprintf(b, sizeof(b), "%s", none);
	MA_EXPECT_EQ(strcmp(b, "(null)"), 0);
}

MA_TEST(unit, guest_format_truncates, .req = { .no_kvm = true })
{
	char b[8];
	int n = ma_snprintf(b, sizeof(b), "%s", "0123456789");

	MA_EXPECT_EQ(n, 10);
	MA_EXPECT_EQ(strcmp(b, "0123456"), 0);
	MA_EXPECT_EQ(ma_snprintf(b, 0, "abc"), 3);
}

MA_TEST(unit, pattern_word_depends_on_seed_and_address, .req = { .no_kvm = true })
{
	uint64_t a = ma_pattern_word(1, 0x80000000), b = ma_pattern_word(2, 0x80000000);
	uint64_t c = ma_pattern_word(1, 0x80000008);
	unsigned int same = 0;

	MA_EXPECT_NE(a, b);
	MA_EXPECT_NE(a, c);
	MA_EXPECT_EQ(a, ma_pattern_word(1, 0x80000000));
	/* no two words of a 64 KiB block repeat: a misplaced page would be noticed */
	for (uint64_t i = 1; i < 8192; i++)
		same += ma_pattern_word(7, 0x80000000 + i * 8) ==
			ma_pattern_word(7, 0x80000000 + (i - 1) * 8);
	MA_EXPECT_EQ(same, 0);
}
