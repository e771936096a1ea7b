/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test harness: tests declared kselftest-style (tests, fixtures with setup/teardown,
 * variants), requirements declared with the test so that skips come from data, each test in
 * its own forked child with a timeout, TAP output per kselftest conventions.
 *
 *   MA_TEST(suite, name, .source = "virt/kvm/kvm_main.c:check_memory_region_flags (" MA_KERNEL_REF ")") {
 *           MA_EXPECT_ERRNO(ma_try_set_region1(vm, &r), EINVAL);
 *   }
 *
 * Inside a test body `t` is the running test (struct ma_t *).
 */
#ifndef MEMATTR_HARNESS_H
#define MEMATTR_HARNESS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "memattr/kernel_ref.h"

enum ma_arch_mask {
	MA_ARCH_ANY = 0,
	MA_ARCH_ARM64 = 1 << 0,
	MA_ARCH_X86_64 = 1 << 1,
};

#define MA_MAX_REQ_CAPS 4

/* Requirements: checked before the test runs; an unmet one is a SKIP naming it. */
struct ma_req {
	unsigned int arch;			/* enum ma_arch_mask bits; 0 = any */
	long sys_caps[MA_MAX_REQ_CAPS];	/* KVM caps that must be non-zero on /dev/kvm (0 ends) */
	long vm_caps[MA_MAX_REQ_CAPS];	/* ... on a default VM */
	bool root;			/* needs euid 0 */
	bool no_kvm;			/* does not need /dev/kvm (library unit tests) */
	const char *path;		/* a file or device that must exist */
	unsigned int min_cpus;		/* online host CPUs */
};

struct ma_variant {
	const char *name;
	const void *param;		/* a structure of parameters (t->param) ... */
	long value;			/* ... or one integer, e.g. an enum value (t->value) */
	struct ma_req req;		/* added to the test's requirements */
};

struct ma_t;

/*
 * A kernel log record the test is known to provoke (a documented kernel bug, or the harness's own
 * self-test): records whose text contains `match` do not fail the test.  Any other WARN, BUG, Oops,
 * lockdep, KASAN/KFENCE/UBSAN report, RCU stall or new taint (but the bits in `taint`) still does.
 */
struct ma_kernel_log {
	const char *match;		/* substring of the record's text */
	const char *why;		/* the documented reason (kernel file:function, version) */
	bool required;			/* the test fails unless such a record appears */
	/* taint bits (1ul << TAINT_*) the test may gain by design, not by a bug (why says where) */
	unsigned long taint;
};

struct ma_fixture {
	const char *name;
	unsigned int size;			/* bytes of fixture data (t->fx) */
	void (*setup)(struct ma_t *t, void *fx);
	void (*teardown)(struct ma_t *t, void *fx);
};

struct ma_test_def {
	const char *suite;
	const char *name;
	void (*fn)(struct ma_t *t);
	const struct ma_fixture *fixture;
	const struct ma_variant *variants;
	unsigned int nr_variants;
	struct ma_req req;
	unsigned int timeout_s;		/* 0 = default (30 s), scaled by MEMATTR_TIMEOUT_SCALE */
	unsigned int duration_s;	/* a test that runs for a time (a race, a load): its default
					 * duration, which -d SECONDS overrides (ma_duration_s); the
					 * timeout is timeout_s on top of the duration
					 */
	const char *source;		/* the kernel source behind the expectation */
	const char *no_checks;		/* why the body evaluates no expectation (else that is an ERROR) */
	struct ma_kernel_log kernel_log;	/* a kernel log record the test is known to provoke */
};

/* The running test, inside the forked child. */
struct ma_t {
	const struct ma_test_def *def;
	const struct ma_variant *variant;	/* NULL if the test has no variants */
	const void *param;			/* variant->param */
	long value;				/* variant->value */
	void *fx;				/* fixture data */
	char name[160];
};

void ma_register(const struct ma_test_def *def);
/* The running test's duration in seconds: -d SECONDS if given, else its .duration_s. */
unsigned int ma_duration_s(const struct ma_t *t);
int ma_harness_main(int argc, char **argv);

#define MA_TEST_MAIN \
	int main(int argc, char **argv) { return ma_harness_main(argc, argv); }

#define MA__DEF(s, n, fix, ...)                                                             \
	static void ma_fn_##s##_##n(struct ma_t *t);                                        \
	static const struct ma_test_def ma_def_##s##_##n = {                                \
		.suite = #s, .name = #n, .fn = ma_fn_##s##_##n, .fixture = fix, __VA_ARGS__ \
	};                                                                                  \
	__attribute__((constructor)) static void ma_reg_##s##_##n(void)                     \
	{                                                                                   \
		ma_register(&ma_def_##s##_##n);                                             \
	}                                                                                   \
	static void ma_fn_##s##_##n(struct ma_t *t __attribute__((unused)))

/* A test; the variadic part is designated initialisers of struct ma_test_def. */
#define MA_TEST(suite, name, ...) MA__DEF(suite, name, NULL, __VA_ARGS__)
/* A test with a fixture: t->fx points at fixture data set up before and torn down after. */
#define MA_TEST_F(suite, fixture, name, ...) MA__DEF(suite, name, &(fixture), __VA_ARGS__)
#define MA_VARIANTS(arr) .variants = (arr), .nr_variants = sizeof(arr) / sizeof((arr)[0])

/* ---- verdicts and diagnostics (valid inside a test) ---- */
void ma_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* record a failure and continue */
void ma_fail_at(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* record a failure and end the test now */
void ma_fatal_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
/* end the test as skipped; the reason must name what was detected */
void ma_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* end the test now; its verdict is what was recorded so far (pass if nothing failed) */
_Noreturn void ma_end(void);
/* whether a failure was recorded so far */
bool ma_failed(void);
/*
 * The next expectation evaluated is a known failure when `when` holds (a detected condition or a
 * kernel-version range; `why` names the kernel bug): if it fails then, the test reports XFAIL (unless
 * anything else fails); if it holds then, XPASS (a failure of the run: the bug is gone, update the
 * test).  When `when` is false the expectation is an ordinary one.
 */
void ma_xfail_next(bool when, const char *why);
/* an expectation held (the MA_EXPECT and MA_ASSERT macros call it; so does MA_CHECK) */
void ma_check_passed(void);
/* the timeout scale (MEMATTR_TIMEOUT_SCALE, >= 1) */
unsigned int ma_timeout_scale(void);
/* seconds of CLOCK_MONOTONIC: the one clock of the library and the suites (host/clock.c) */
double ma_now_s(void);

#define ma_fail(...) ma_fail_at(__FILE__, __LINE__, __VA_ARGS__)
#define ma_fatal(...) ma_fatal_at(__FILE__, __LINE__, __VA_ARGS__)

/*
 * Every expectation is counted: a test whose body evaluated none is an ERROR (unless .no_checks says
 * why), because a test that cannot fail is a defect.  ma_fail/ma_fatal count as evaluated.
 */
#define MA__CMP(kind, a, op, b)                                                         \
	do {                                                                            \
		long long _a = (long long)(a), _b = (long long)(b);                     \
		if (!(_a op _b))                                                        \
			ma_##kind##_at(__FILE__, __LINE__,                              \
				       "expected %s %s %s: %lld (0x%llx) vs %lld (0x%llx)", \
				       #a, #op, #b, _a, (unsigned long long)_a, _b, (unsigned long long)_b); \
		else                                                                    \
			ma_check_passed();                                              \
	} while (0)
#define MA_EXPECT_EQ(a, b) MA__CMP(fail, a, ==, b)
#define MA_EXPECT_NE(a, b) MA__CMP(fail, a, !=, b)
#define MA_EXPECT_GE(a, b) MA__CMP(fail, a, >=, b)
#define MA_ASSERT_EQ(a, b) MA__CMP(fatal, a, ==, b)
#define MA_ASSERT_NE(a, b) MA__CMP(fatal, a, !=, b)
#define MA_EXPECT_TRUE(c) \
	do { if (!(c)) ma_fail_at(__FILE__, __LINE__, "expected %s", #c); else ma_check_passed(); } while (0)
#define MA_ASSERT_TRUE(c) \
	do { if (!(c)) ma_fatal_at(__FILE__, __LINE__, "expected %s", #c); else ma_check_passed(); } while (0)
/* an expectation with its own failure message: MA_CHECK(n == 0, "%ld pages differ", n) */
#define MA_CHECK(c, ...) \
	do { if (!(c)) ma_fail_at(__FILE__, __LINE__, __VA_ARGS__); else ma_check_passed(); } while (0)
/* the same, ending the test when it fails */
#define MA_REQUIRE(c, ...) \
	do { if (!(c)) ma_fatal_at(__FILE__, __LINE__, __VA_ARGS__); else ma_check_passed(); } while (0)

/* `call` returns >= 0 or -errno (a ma_try_ function): expect exactly -err. */
#define MA__ERRNO(kind, call, err)                                                      \
	do {                                                                            \
		long _r = (long)(call);                                                 \
		if (_r != -(long)(err))                                                 \
			ma_##kind##_at(__FILE__, __LINE__, "%s: expected errno %s, got %s%s", #call,\
				       ma_errno_name(err), _r < 0 ? "errno " : "success ", \
				       _r < 0 ? ma_errno_name((int)-_r) : ma_long_str(_r)); \
		else                                                                    \
			ma_check_passed();                                              \
	} while (0)
#define MA_EXPECT_ERRNO(call, err) MA__ERRNO(fail, call, err)
#define MA_ASSERT_ERRNO(call, err) MA__ERRNO(fatal, call, err)
/* `call` returns >= 0 or -errno: expect success */
#define MA_EXPECT_OK(call)                                                              \
	do {                                                                            \
		long _r = (long)(call);                                                 \
		if (_r < 0)                                                             \
			ma_fail_at(__FILE__, __LINE__, "%s: expected success, got errno %s", #call, \
				   ma_errno_name((int)-_r));                            \
		else                                                                    \
			ma_check_passed();                                              \
	} while (0)

const char *ma_errno_name(int err);	/* "EINVAL" */
const char *ma_long_str(long v);	/* "(12)" in a static rotating buffer */

#endif
