// SPDX-License-Identifier: GPL-2.0
/* panic_probe.c: memattr-panicprobe, a suite program built only by tests/lab/panic-proof.sh (it is
 * never in build/<arch>/bin, so never a default suite). Its test "crash" panics the cell's kernel on
 * purpose (sysrq 'c', as root in a lab cell) to prove that memattr-run attaches the panic to that
 * test, keeps the results before it and boots the cell again for the tests after it.
 */
#include "memattr/harness.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

MA_TEST(panicprobe, before, .req = { .no_kvm = true })
{
	MA_EXPECT_EQ(access("/proc/sysrq-trigger", W_OK), 0);
}

MA_TEST(panicprobe, crash, .req = { .no_kvm = true, .path = "/proc/sysrq-trigger" })
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY);

	MA_ASSERT_TRUE(fd >= 0);
	ma_log("writing 'c' to /proc/sysrq-trigger: the kernel panics now");
	fflush(stdout);
	MA_EXPECT_EQ(write(fd, "c", 1), 1);
	sleep(30); /* not reached: the panic stops the machine */
	ma_fail("the kernel did not panic on sysrq 'c'");
}

MA_TEST(panicprobe, after_one, .req = { .no_kvm = true })
{
	MA_EXPECT_EQ(getpid() > 1, 1);
}

MA_TEST(panicprobe, after_two, .req = { .no_kvm = true })
{
	MA_EXPECT_EQ(strlen("resumed"), 7);
}

MA_TEST_MAIN
