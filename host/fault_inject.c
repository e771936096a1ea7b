// SPDX-License-Identifier: GPL-2.0
/* Fault injection into KVM ioctls: site recording and the one-shot failure (see fault_inject.h). */
#include <errno.h>
#include <execinfo.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "fault_inject.h"
#include "memattr/util.h"

#define MAX_DEPTH 64

static struct ma_inject *state;
static int base_depth;		/* frames of the main thread's stack below the test (the harness's) */

void ma_inject_attach(struct ma_inject *in)
{
	void *bt[MAX_DEPTH];

	state = in;
	/* the caller's frames and above are the harness's, which differ from run to run */
	base_depth = backtrace(bt, MAX_DEPTH) - 1;
}

static uint64_t site_key(unsigned long req, void *const *frames, int n)
{
	uint64_t h = 1469598103934665603ull ^ req;

	for (int i = 0; i < n; i++) {
		h ^= (uint64_t)(uintptr_t)frames[i];
		h *= 1099511628211ull;
	}
	return h ? h : 1;
}

static void lock(struct ma_inject *in)
{
	while (__atomic_exchange_n(&in->lock, 1, __ATOMIC_ACQUIRE))
		;
}

static void unlock(struct ma_inject *in)
{
	__atomic_store_n(&in->lock, 0, __ATOMIC_RELEASE);
}

static void record(struct ma_inject *in, uint64_t key, unsigned long req, void *const *frames, int n)
{
	unsigned int i;

	lock(in);
	for (i = 0; i < in->nsites; i++)
		if (in->sites[i].key == key)
			break;
	if (i == in->nsites) {
		if (i < MA_INJECT_MAX_SITES) {
			struct ma_inject_site *s = &in->sites[in->nsites++];

			s->key = key;
			s->req = req;
			for (int k = 0; k < MA_INJECT_FRAMES; k++)
				s->frames[k] = k < n ? (uintptr_t)frames[k] : 0;
		} else {
			in->overflow = 1;
		}
	}
	unlock(in);
}

int ma_inject_hook(unsigned long req)
{
	struct ma_inject *in = state;
	void *bt[MAX_DEPTH];
	uint64_t key;
	int n;

	if (!in || (!in->recording && !in->target) || _IOC_TYPE(req) != KVMIO)
		return 0;
	n = backtrace(bt, MAX_DEPTH);
	/*
	 * bt[0] is this function: the site is who called the ioctl, and their callers up to the test
	 * (the main thread: without the harness's frames; another thread's stack is the test's own).
	 */
	if (gettid() == getpid() && n < MAX_DEPTH)
		n -= base_depth;
	n = n > 1 ? n - 1 : 0;
	if (n > MA_INJECT_FRAMES)
		n = MA_INJECT_FRAMES;
	key = site_key(req, bt + 1, n);
	if (in->recording)
		record(in, key, req, bt + 1, n);
	if (in->target == key && !__atomic_exchange_n(&in->fired, 1, __ATOMIC_ACQ_REL))
		return MA_INJECT_ERRNO;
	return 0;
}

const char *ma_ioctl_name(unsigned long req)
{
#define N(x) { x, #x }
	static const struct { unsigned long req; const char *name; } names[] = {
		N(KVM_GET_API_VERSION), N(KVM_CREATE_VM), N(KVM_CHECK_EXTENSION), N(KVM_GET_VCPU_MMAP_SIZE),
		N(KVM_CREATE_VCPU), N(KVM_SET_USER_MEMORY_REGION), N(KVM_SET_USER_MEMORY_REGION2),
		N(KVM_GET_DIRTY_LOG), N(KVM_CLEAR_DIRTY_LOG), N(KVM_ENABLE_CAP), N(KVM_RUN),
		N(KVM_GET_ONE_REG), N(KVM_SET_ONE_REG), N(KVM_GET_REGS), N(KVM_SET_REGS), N(KVM_GET_SREGS),
		N(KVM_SET_SREGS), N(KVM_CREATE_GUEST_MEMFD), N(KVM_SET_MEMORY_ATTRIBUTES),
		N(KVM_IRQ_LINE), N(KVM_CREATE_DEVICE), N(KVM_SET_DEVICE_ATTR), N(KVM_GET_DEVICE_ATTR),
#if defined(__aarch64__)
		N(KVM_ARM_VCPU_INIT), N(KVM_ARM_PREFERRED_TARGET), N(KVM_ARM_VCPU_FINALIZE),
#elif defined(__x86_64__)
		N(KVM_GET_SUPPORTED_CPUID), N(KVM_SET_CPUID2), N(KVM_GET_MSRS), N(KVM_SET_MSRS),
		N(KVM_CREATE_IRQCHIP), N(KVM_SET_TSS_ADDR), N(KVM_SET_IDENTITY_MAP_ADDR),
		N(KVM_GET_MSR_INDEX_LIST),
#endif
	};
#undef N
	static char other[32];

	for (size_t i = 0; i < MA_ARRAY_SIZE(names); i++)
		if (names[i].req == req)
			return names[i].name;
	snprintf(other, sizeof(other), "ioctl 0x%lx", req);
	return other;
}
