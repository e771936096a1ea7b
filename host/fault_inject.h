/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fault injection into the KVM ioctls a test makes (harness --inject): the first run of a test
 * records every distinct call site (ioctl request + caller stack), then the test runs again once per
 * site with that site's first call failed with an errno no KVM ioctl returns (EBADE).  A test that
 * still passes or skips lets an unexpected error through: a survivor.
 */
#ifndef MEMATTR_FAULT_INJECT_H
#define MEMATTR_FAULT_INJECT_H

#include <stdint.h>

#define MA_INJECT_MAX_SITES 256
#define MA_INJECT_FRAMES 5
#define MA_INJECT_ERRNO EBADE

struct ma_inject_site {
	uint64_t key;				/* hash of the request and the frames */
	unsigned long req;
	uintptr_t frames[MA_INJECT_FRAMES];	/* return addresses, innermost first (after the hook) */
};

struct ma_inject {
	int recording;				/* collect sites */
	uint64_t target;			/* the site to fail (0: none) */
	volatile int fired;			/* the target's call was failed */
	volatile int lock;
	unsigned int nsites;
	int overflow;				/* more sites than MA_INJECT_MAX_SITES */
	struct ma_inject_site sites[MA_INJECT_MAX_SITES];
};

/*
 * Called before every KVM ioctl with its request: 0 to make the call, else the errno to fail it with
 * (without calling the kernel).  Cheap when no injection is set up.
 */
int ma_inject_hook(unsigned long req);
/* The state the hook uses in this process (the test's child); NULL: no injection. */
void ma_inject_attach(struct ma_inject *in);
/* "KVM_SET_USER_MEMORY_REGION2" or "ioctl 0x..." (static buffer) */
const char *ma_ioctl_name(unsigned long req);

#endif
