// SPDX-License-Identifier: GPL-2.0
/* gmem suite: helpers of the poison and in-place conversion tests (gmem_poison.h). */
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "gmem_poison.h"
#include "memattr/pfnmap.h"

void gp_need_memory_failure(void)
{
	long rec = ma_try_read_long("/proc/sys/vm/memory_failure_recovery");

	if (rec == -ENOENT)
		ma_skip("no /proc/sys/vm/memory_failure_recovery: the kernel is built without CONFIG_MEMORY_FAILURE (mm/memory-failure.c registers that sysctl)");
	if (rec < 0)
		ma_fatal("reading /proc/sys/vm/memory_failure_recovery: %s", ma_errno_name((int)-rec));
	if (rec != 1)
		ma_skip("vm.memory_failure_recovery is %ld: memory_failure() would panic the kernel (mm/memory-failure.c:memory_failure)",
			rec);
}

int gp_try_hwpoison(void *addr, size_t len)
{
	return madvise(addr, len, MADV_HWPOISON) ? -errno : 0;
}

int gp_page_shift(void)
{
	return __builtin_ctzll(ma_host_page_size());
}

bool gp_kernel_is(unsigned int major, unsigned int minor)
{
	unsigned int ma, mi;
	struct utsname u;

	if (uname(&u))
		ma_fatal("uname: %s", ma_errno_name(errno));
	return sscanf(u.release, "%u.%u", &ma, &mi) == 2 && ma == major && mi == minor;
}

int gp_tid(void)
{
	return (int)gettid();
}

const char *gp_sigbus_str(const struct ma_sigbus *s)
{
	static char buf[4][128];
	static unsigned int i;

	return ma_sigbus_describe(s, buf[i++ % 4], sizeof(buf[0]));
}

void gp_expect_sigbus_at(const char *file, int line, const char *what, unsigned int n,
			 const struct ma_sigbus *s, int code, uint64_t addr, int lsb, int tid)
{
	bool mce = code == BUS_MCEERR_AR || code == BUS_MCEERR_AO;
	char got[128];

	ma_sigbus_describe(s, got, sizeof(got));
	if (n != 1)
		ma_fail_at(file, line, "%s: %u SIGBUS taken, expected exactly one (%s at 0x%llx); first: %s",
			   what, n, ma_sigbus_code_name(code), (unsigned long long)addr, n ? got : "none");
	else if (s->code != code || s->addr != addr || (mce && s->addr_lsb != lsb) || s->tid != tid)
		ma_fail_at(file, line, "%s: took %s, expected SIGBUS %s addr 0x%llx lsb %d tid %d", what, got,
			   ma_sigbus_code_name(code), (unsigned long long)addr, mce ? lsb : 0, tid);
	else
		ma_check_passed();
}
