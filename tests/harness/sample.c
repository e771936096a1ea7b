// SPDX-License-Identifier: GPL-2.0
/*
 * A harness fixture program: one test of each verdict, run by tests/harness/check.sh, which
 * checks the TAP stream and the exit status.  These tests fail on purpose.
 */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "memattr/harness.h"

MA_TEST(sample, passes, .req = { .no_kvm = true })
{
	ma_log("a diagnostic before the result");
	MA_EXPECT_EQ(1 + 1, 2);
}

MA_TEST(sample, fails, .req = { .no_kvm = true }, .source = "the sample's own expectation")
{
	MA_EXPECT_EQ(1 + 1, 3);
	ma_log("still running after a failed EXPECT");
}

MA_TEST(sample, skips, .req = { .no_kvm = true })
{
	ma_skip("nothing # to see\nhere");
}

MA_TEST(sample, requirement_unmet, .req = { .no_kvm = true, .path = "/nonexistent/memattr-device" })
{
	ma_fail("must not run");
}

MA_TEST(sample, hangs, .req = { .no_kvm = true }, .timeout_s = 1)
{
	for (;;)
		pause();
}

MA_TEST(sample, crashes, .req = { .no_kvm = true })
{
	raise(SIGSEGV);
}

MA_TEST(sample, expected_failure, .req = { .no_kvm = true }, .xfail = "documented: sample of XFAIL")
{
	ma_fatal("fails as documented");
}

static const struct ma_variant two[] = {
	{ .name = "one", .param = (const void *)1 },
	{ .name = "two", .param = (const void *)2 },
};

struct fx {
	int ready;
};

static void fx_setup(struct ma_t *t, void *p)
{
	((struct fx *)p)->ready = 1;
}

static const struct ma_fixture fixture = { .name = "fx", .size = sizeof(struct fx), .setup = fx_setup };

MA_TEST_F(sample, fixture, variant_param, MA_VARIANTS(two), .req = { .no_kvm = true })
{
	MA_ASSERT_EQ(((struct fx *)t->fx)->ready, 1);
	MA_EXPECT_TRUE((uintptr_t)t->param == 1 || (uintptr_t)t->param == 2);
}

MA_TEST(sample, ends_early, .req = { .no_kvm = true })
{
	ma_log("ending the test early");
	ma_end();
	ma_fail("not reached");
}

MA_TEST(sample, ends_early_after_failure, .req = { .no_kvm = true })
{
	ma_fail("a failure before ma_end");
	ma_end();
}

MA_TEST_MAIN
