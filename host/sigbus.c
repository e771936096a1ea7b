// SPDX-License-Identifier: GPL-2.0
/*
 * SIGBUS recorded, not fatal: the handler writes what the kernel sent into a per-thread record.
 * An access made through ma_sigbus_read64/write64 is abandoned with siglongjmp; a SIGBUS delivered
 * at the return of a system call is kept for ma_sigbus_take().  A SIGBUS that neither armed an
 * access nor came from a system call is a fault the handler cannot skip: returning would repeat the
 * access, so after MA_SIGBUS_LOOP of them in a row the handler restores the default action and the
 * next one ends the process with SIGBUS, as it would have without the handler.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "memattr/harness.h"
#include "memattr/sigbus.h"

#define MA_SIGBUS_LOOP 64u

struct sigbus_thread {
	sigjmp_buf jb;
	volatile sig_atomic_t armed;	/* an access of ma_sigbus_read64/write64 is under way */
	struct ma_sigbus caught;	/* what abandoned that access */
	volatile unsigned int pending;	/* SIGBUSes outside such an access, not yet taken */
	struct ma_sigbus first;		/* the first of them */
};

static _Thread_local struct sigbus_thread tl;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;
	struct ma_sigbus s = {
		.code = si->si_code,
		.addr = (uint64_t)(uintptr_t)si->si_addr,
		.tid = (int)gettid(),
	};

	(void)sig;
	(void)uc;
	if (s.code == BUS_MCEERR_AR || s.code == BUS_MCEERR_AO)
		s.addr_lsb = si->si_addr_lsb;
	if (tl.armed) {
		tl.armed = 0;
		tl.caught = s;
		errno = saved;
		siglongjmp(tl.jb, 1);
	}
	if (!tl.pending)
		tl.first = s;
	tl.pending++;
	if (tl.pending >= MA_SIGBUS_LOOP) {
		struct sigaction dfl = { .sa_handler = SIG_DFL };

		sigaction(SIGBUS, &dfl, NULL);
	}
	errno = saved;
}

void ma_sigbus_catch(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL))
		ma_fatal("sigaction(SIGBUS): %s", ma_errno_name(errno));
}

bool ma_sigbus_read64(const volatile void *addr, uint64_t *val, struct ma_sigbus *s)
{
	memset(s, 0, sizeof(*s));
	if (sigsetjmp(tl.jb, 1)) {
		*s = tl.caught;
		return true;
	}
	tl.armed = 1;
	*val = *(const volatile uint64_t *)addr;
	tl.armed = 0;
	return false;
}

bool ma_sigbus_write64(volatile void *addr, uint64_t val, struct ma_sigbus *s)
{
	memset(s, 0, sizeof(*s));
	if (sigsetjmp(tl.jb, 1)) {
		*s = tl.caught;
		return true;
	}
	tl.armed = 1;
	*(volatile uint64_t *)addr = val;
	tl.armed = 0;
	return false;
}

unsigned int ma_sigbus_take(struct ma_sigbus *s)
{
	unsigned int n = tl.pending;

	if (n)
		*s = tl.first;
	else
		memset(s, 0, sizeof(*s));
	tl.pending = 0;
	return n;
}

const char *ma_sigbus_code_name(int code)
{
	static _Thread_local char buf[24];

	switch (code) {
	case BUS_ADRALN:
		return "BUS_ADRALN";
	case BUS_ADRERR:
		return "BUS_ADRERR";
	case BUS_OBJERR:
		return "BUS_OBJERR";
	case BUS_MCEERR_AR:
		return "BUS_MCEERR_AR";
	case BUS_MCEERR_AO:
		return "BUS_MCEERR_AO";
	}
	snprintf(buf, sizeof(buf), "si_code %d", code);
	return buf;
}

const char *ma_sigbus_describe(const struct ma_sigbus *s, char *buf, unsigned int len)
{
	snprintf(buf, len, "SIGBUS %s addr 0x%llx lsb %d tid %d", ma_sigbus_code_name(s->code),
		 (unsigned long long)s->addr, s->addr_lsb, s->tid);
	return buf;
}
