// SPDX-License-Identifier: GPL-2.0
/*
 * The data pattern (ma_pattern_word in guest/include/memattr/abi.h) encodes the guest physical
 * address of each word: no two words of a 2 MiB block are equal, for several seeds and block
 * addresses, so a page or block mapped at the wrong place cannot match.
 */
#include <stdlib.h>

#include "memattr/abi.h"
#include "memattr/harness.h"
#include "memattr/util.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

MA_TEST(unit, pattern_words_of_a_2m_block_all_differ, .req = { .no_kvm = true })
{
	static const uint64_t bases[] = { 0x80000000ull, 0x80200000ull, 0x40000000ull, 0x7fe00000ull };
	static const uint64_t seeds[] = { 0, 1, 5, 0x9e3779b97f4a7c15ull };
	const size_t n = (2ull << 20) / 8;
	uint64_t *w = malloc(n * sizeof(*w));

	MA_ASSERT_TRUE(w);
	for (unsigned int b = 0; b < MA_ARRAY_SIZE(bases); b++) {
		for (unsigned int s = 0; s < MA_ARRAY_SIZE(seeds); s++) {
			size_t dup = 0;

			for (size_t i = 0; i < n; i++)
				w[i] = ma_pattern_word(seeds[s], bases[b] + 8 * i);
			qsort(w, n, sizeof(*w), cmp_u64);
			for (size_t i = 1; i < n; i++)
				dup += w[i] == w[i - 1];
			MA_CHECK(!dup,
				 "block %#llx seed %#llx: %zu equal words", (unsigned long long)bases[b],
				(unsigned long long)seeds[s], dup);
		}
	}
	/* the same offset in two blocks, or the same address under two seeds, differs too */
	MA_EXPECT_NE(ma_pattern_word(5, 0x80000000ull), ma_pattern_word(5, 0x80200000ull));
	MA_EXPECT_NE(ma_pattern_word(5, 0x80000000ull), ma_pattern_word(6, 0x80000000ull));
	free(w);
}
