// SPDX-License-Identifier: GPL-2.0
/*
 * selfcheck: the harness's own guarantees, proven where the suites run.  Here: the kernel-health
 * check around every test (host/kernel_health.c) catches a real kernel WARN and blames the test
 * that provoked it, through the memattr_warn fixture module (fixtures/kmod/memattr_warn.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memattr/harness.h"
#include "memattr/kvm.h"

#define WARN_PARAM "/sys/module/memattr_warn/parameters/warn"
#define WARN_TAG "selfcheck.kernel_warn_is_blamed_on_its_test"

/*
 * The harness fails this test unless the WARN it provokes appears in the kernel log while it runs
 * (.kernel_log.required); any other problem record or taint than that WARN's still fails it.  The
 * tests after it in the run pass only if the WARN was not blamed on them.
 */
MA_TEST(selfcheck, kernel_warn_is_blamed_on_its_test, .req = { .no_kvm = true, .root = true },
	.source = "kernel/panic.c:__warn: WARN() prints \"WARNING:\" with the message and taints W ("
		  MA_KERNEL_REF ")",
	.kernel_log = { .match = "memattr_warn: WARN on demand: " WARN_TAG,
			.why = "the fixture's WARN, provoked on purpose", .required = true })
{
	const char *want = getenv("MEMATTR_WARN_FIXTURE");
	int fd = open(WARN_PARAM, O_WRONLY | O_CLOEXEC);
	ssize_t w;

	if (fd < 0 && !want)
		ma_skip("the memattr_warn fixture module is not loaded (%s: %s) and the cell does not require it",
			WARN_PARAM, ma_errno_name(errno));
	if (fd < 0)
		ma_fatal("MEMATTR_WARN_FIXTURE=%s but %s cannot be opened: %s", want, WARN_PARAM,
			 ma_errno_name(errno));
	w = write(fd, WARN_TAG, strlen(WARN_TAG));
	MA_CHECK(w == (ssize_t)strlen(WARN_TAG), "writing %s: %zd (%s)", WARN_PARAM, w,
		 w < 0 ? ma_errno_name(errno) : "short");
	close(fd);
}
