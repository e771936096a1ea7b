// SPDX-License-Identifier: GPL-2.0
/*
 * A harness fixture program: one test of each verdict, run by tests/harness/check.sh, which
 * checks the TAP stream and the exit status.  These tests fail on purpose.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "memattr/harness.h"
#include "memattr/kvm.h"

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

MA_TEST(sample, expected_failure, .req = { .no_kvm = true })
{
	MA_EXPECT_EQ(1, 1);
	ma_xfail_next(true, "documented: sample of XFAIL");
	ma_fatal("fails as documented");
}

static const struct ma_variant two[] = {
	{ .name = "one", .value = 1 },
	{ .name = "two", .value = 2 },
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
	MA_EXPECT_TRUE(t->value == 1 || t->value == 2);
}

MA_TEST(sample, ends_early, .req = { .no_kvm = true })
{
	ma_log("ending the test early");
	MA_EXPECT_TRUE(1);
	ma_end();
	ma_fail("not reached");
}

MA_TEST(sample, ends_early_after_failure, .req = { .no_kvm = true })
{
	ma_fail("a failure before ma_end");
	ma_end();
}

MA_TEST(sample, known_failure_and_another, .req = { .no_kvm = true })
{
	ma_xfail_next(true, "documented: only this one");
	MA_EXPECT_EQ(1, 2);
	MA_EXPECT_EQ(2, 3);	/* not covered: the test fails */
}

MA_TEST(sample, known_failure_holds, .req = { .no_kvm = true })
{
	ma_xfail_next(true, "documented: the bug is gone");
	MA_EXPECT_EQ(1, 1);
}

MA_TEST(sample, known_failure_then_crash, .req = { .no_kvm = true })
{
	ma_xfail_next(true, "documented: a crash is never covered");
	MA_EXPECT_EQ(1, 2);
	raise(SIGSEGV);
}

MA_TEST(sample, no_expectation, .req = { .no_kvm = true })
{
	ma_log("this body checks nothing");
}

MA_TEST(sample, no_expectation_declared, .req = { .no_kvm = true },
	.no_checks = "the sample of a test that says why it checks nothing")
{
}

MA_TEST(sample, exits_behind_back, .req = { .no_kvm = true })
{
	MA_EXPECT_TRUE(1);
	exit(0);
}

MA_TEST(sample, known_failure_not_applicable, .req = { .no_kvm = true })
{
	ma_xfail_next(false, "documented: not on this platform");
	MA_EXPECT_EQ(1, 2);
}

/* for --inject: an ioctl error this test judges, and one it lets through */
MA_TEST(sample, ioctl_error_checked, .req = { .no_kvm = true })
{
	MA_EXPECT_ERRNO(ma_try_ioctl(-1, KVM_CHECK_EXTENSION, (void *)0), EBADF);
}

MA_TEST(sample, ioctl_error_swallowed, .req = { .no_kvm = true })
{
	long r = ma_try_ioctl(-1, KVM_CHECK_EXTENSION, (void *)0);

	MA_EXPECT_TRUE(r <= 0);	/* any error passes: the defect --inject must find */
}

MA_TEST_MAIN
