// SPDX-License-Identifier: GPL-2.0
/* gmem suite: guest_memfd creation, binding and host-access helpers shared by the test files. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "gmem.h"

struct ma_vm *gm_bare_vm(void)
{
	static const struct ma_vm_opts bare = { .no_guest = true };

	return ma_vm_create(&bare);
}

struct ma_vm *gm_bare_vm_type(unsigned long type)
{
	const struct ma_vm_opts o = { .type = type, .raw_type = true, .no_guest = true };

	return ma_vm_create(&o);
}

uint64_t gm_vm_flags(struct ma_vm *vm)
{
	return (uint64_t)ma_vm_cap(vm, KVM_CAP_GUEST_MEMFD_FLAGS);
}

const char *gm_flags_str(uint64_t flags)
{
	static char buf[4][64];
	static unsigned int n;
	char *b = buf[n++ % 4];
	uint64_t rest = flags & ~GM_FLAGS_ALL;

	if (!flags)
		return "0";
	snprintf(b, sizeof(buf[0]), "%s%s%s", flags & GUEST_MEMFD_FLAG_MMAP ? "MMAP" : "",
		 (flags & GM_FLAGS_ALL) == GM_FLAGS_ALL ? "|" : "",
		 flags & GUEST_MEMFD_FLAG_INIT_SHARED ? "INIT_SHARED" : "");
	if (rest)
		snprintf(b + strlen(b), sizeof(buf[0]) - strlen(b), "%s%#llx", flags & GM_FLAGS_ALL ? "|" : "",
			 (unsigned long long)rest);
	return b;
}

void *gm_try_mmap(int fd, uint64_t len, int prot, int flags, int *err)
{
	void *p = mmap(NULL, len, prot, flags, fd, 0);

	*err = p == MAP_FAILED ? errno : 0;
	return p == MAP_FAILED ? NULL : p;
}

void *gm_mmap(int fd, uint64_t len)
{
	int err;
	void *p = gm_try_mmap(fd, len, PROT_READ | PROT_WRITE, MAP_SHARED, &err);

	if (!p)
		ma_fatal("mmap of guest_memfd %d (%#llx bytes, MAP_SHARED): %s", fd, (unsigned long long)len,
			 ma_errno_name(err));
	return p;
}

/* ---- host accesses that may raise SIGBUS ---- */

static sigjmp_buf access_env;
static volatile sig_atomic_t access_armed;
static struct gm_access *access_out;

static void sigbus_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (!access_armed) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	access_out->sig = sig;
	access_out->code = si->si_code;
	access_out->addr = si->si_addr;
	siglongjmp(access_env, 1);
}

void gm_host_access(volatile uint64_t *p, bool write, uint64_t value, struct gm_access *a)
{
	struct sigaction sa = { .sa_sigaction = sigbus_handler, .sa_flags = SA_SIGINFO }, old;

	memset(a, 0, sizeof(*a));
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &old))
		ma_fatal("sigaction(SIGBUS): %s", ma_errno_name(errno));
	access_out = a;
	if (!sigsetjmp(access_env, 1)) {
		access_armed = 1;
		if (write)
			*p = value;
		else
			a->value = *p;
	}
	access_armed = 0;
	sigaction(SIGBUS, &old, NULL);
}

void gm_expect_sigbus(volatile uint64_t *p, bool write, const char *what)
{
	struct gm_access a;

	gm_host_access(p, write, 0x5b5b5b5b5b5b5b5bull, &a);
	MA_CHECK(a.sig == SIGBUS && a.code == BUS_ADRERR && a.addr == (void *)p,
		 "%s: host %s at %p: expected SIGBUS BUS_ADRERR at that address, got %s (signal %d, si_code %d, si_addr %p, value %#llx)",
		 what, write ? "store" : "load", (void *)p, a.sig ? "a signal" : "no signal", a.sig, a.code,
		 a.addr, (unsigned long long)a.value);
}

uint64_t gm_host_bad_words(const void *hva, uint64_t gpa, uint64_t len, uint64_t seed, uint64_t *first)
{
	const volatile uint64_t *w = hva;
	uint64_t bad = 0;

	for (uint64_t i = 0; i < len / 8; i++)
		if (w[i] != ma_pattern_word(seed, gpa + i * 8) && !bad++)
			*first = i * 8;
	return bad;
}

void gm_host_fill(void *hva, uint64_t gpa, uint64_t len, uint64_t seed)
{
	volatile uint64_t *w = hva;

	for (uint64_t i = 0; i < len / 8; i++)
		w[i] = ma_pattern_word(seed, gpa + i * 8);
}

MA_TEST_MAIN
