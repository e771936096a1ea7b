// SPDX-License-Identifier: GPL-2.0
/* /dev/kvm, raw ioctls and capability queries. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "memattr/harness.h"
#include "memattr/kvm.h"
#include "fault_inject.h"

long ma_try_ioctl(int fd, unsigned long req, void *arg)
{
	int injected = ma_inject_hook(req);
	long r;

	if (injected)
		return -injected;
	r = ioctl(fd, req, arg);
	return r < 0 ? -errno : r;
}

int ma_try_kvm_open(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int ma_kvm_fd(void)
{
	static int fd = -1;

	if (fd < 0) {
		int r = ma_try_kvm_open();

		if (r < 0)
			ma_fatal("open(/dev/kvm): %s", strerror(-r));
		fd = r;
	}
	return fd;
}

long ma_try_check_cap(int fd, long cap)
{
	return ma_try_ioctl(fd, KVM_CHECK_EXTENSION, (void *)cap);
}

long ma_sys_cap(long cap)
{
	long v = ma_try_check_cap(ma_kvm_fd(), cap);

	if (v < 0)
		ma_fatal("KVM_CHECK_EXTENSION(%ld) on /dev/kvm: %s", cap, ma_errno_name((int)-v));
	return v;
}

const char *ma_host_arch(void)
{
#if defined(__aarch64__)
	return "arm64";
#elif defined(__x86_64__)
	return "x86_64";
#else
	return "unknown";
#endif
}

uint64_t ma_host_page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (uint64_t)ps : 4096;
}

bool ma_is_root(void)
{
	return geteuid() == 0;
}
