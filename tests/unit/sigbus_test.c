// SPDX-License-Identifier: GPL-2.0
/* host/sigbus.c: a SIGBUS from an access and one queued at a system call's return, recorded exactly. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "memattr/harness.h"
#include "memattr/sigbus.h"

MA_TEST(unit, sigbus_access_beyond_file_end, .req = { .no_kvm = true })
{
	long ps = sysconf(_SC_PAGESIZE);
	int fd = memfd_create("memattr-sigbus", MFD_CLOEXEC);
	struct ma_sigbus s;
	uint64_t val = 0;
	char *p;

	MA_ASSERT_TRUE(fd >= 0 && !ftruncate(fd, ps));
	p = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	MA_ASSERT_TRUE(p != MAP_FAILED);
	ma_sigbus_catch();
	MA_EXPECT_TRUE(!ma_sigbus_write64(p + 8, 42, &s));
	MA_EXPECT_TRUE(!ma_sigbus_read64(p + 8, &val, &s));
	MA_EXPECT_EQ(val, 42);
	/* the page past the end of the file: mm/filemap.c:filemap_fault VM_FAULT_SIGBUS, BUS_ADRERR */
	MA_EXPECT_TRUE(ma_sigbus_read64(p + ps + 0x18, &val, &s));
	MA_EXPECT_EQ(s.code, BUS_ADRERR);
	MA_EXPECT_EQ(s.addr, (uintptr_t)p + ps + 0x18);
	MA_EXPECT_EQ(s.tid, gettid());
	MA_EXPECT_TRUE(ma_sigbus_write64(p + ps, 1, &s));
	MA_EXPECT_EQ(s.addr, (uintptr_t)p + ps);
	/* neither is left for ma_sigbus_take */
	MA_EXPECT_EQ(ma_sigbus_take(&s), 0);
	munmap(p, 2 * ps);
	close(fd);
}

#define DESC "SIGBUS BUS_MCEERR_AO addr 0x7f0000123000 lsb 21 tid "

MA_TEST(unit, sigbus_queued_to_the_thread_is_taken_once, .req = { .no_kvm = true })
{
	siginfo_t si = { .si_signo = SIGBUS, .si_code = BUS_MCEERR_AO };
	struct ma_sigbus s;
	char buf[128];

	si.si_addr = (void *)0x7f0000123000ul;
	si.si_addr_lsb = 21;
	ma_sigbus_catch();
	MA_EXPECT_EQ(ma_sigbus_take(&s), 0);
	/* to itself a thread may queue any si_code (kernel/signal.c:do_rt_tgsigqueueinfo) */
	MA_ASSERT_EQ(syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), SIGBUS, &si), 0);
	MA_EXPECT_EQ(ma_sigbus_take(&s), 1);
	MA_EXPECT_EQ(s.code, BUS_MCEERR_AO);
	MA_EXPECT_EQ(s.addr, 0x7f0000123000ul);
	MA_EXPECT_EQ(s.addr_lsb, 21);
	MA_EXPECT_EQ(s.tid, gettid());
	ma_sigbus_describe(&s, buf, sizeof(buf));
	MA_EXPECT_EQ(strncmp(buf, DESC, strlen(DESC)), 0);
	MA_EXPECT_EQ(ma_sigbus_take(&s), 0);
	MA_EXPECT_EQ(strcmp(ma_sigbus_code_name(99), "si_code 99"), 0);
}
