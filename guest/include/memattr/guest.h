/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Freestanding guest runtime: what guest/common/ offers agents, and what each
 * guest/arch/<arch>/ implements.
 */
#ifndef MEMATTR_GUEST_H
#define MEMATTR_GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "memattr/abi.h"

/*
 * Per-vCPU guest state, at the lowest address of the vCPU's stack region
 * (MA_STACK_GPA + index * MA_STACK_SIZE); the stack grows down from the region's top.
 */
struct ma_guest_cpu {
	struct ma_mailbox *mb;
	volatile uint64_t fixup_pc;	/* non-zero: an exception resumes here (probe in progress) */
	volatile uint64_t fixup_sp;	/* x86: stack pointer to restore with fixup_pc */
	volatile uint64_t faults;	/* exceptions taken while a fixup was armed */
};

static inline struct ma_guest_cpu *ma_this_cpu(void)
{
	uint64_t sp = (uint64_t)__builtin_frame_address(0);

	return (struct ma_guest_cpu *)(sp & ~(MA_STACK_SIZE - 1));
}

/* ---- common (guest/common) ---- */
void ma_guest_main(struct ma_mailbox *mb);	/* called by the arch start code */
void ma_guest_call(enum ma_call call);		/* ring the doorbell; returns when the host resumes */
void ma_guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ma_guest_assert_fail(const char *file, unsigned int line, const char *expr, uint64_t a, uint64_t b)
	__attribute__((noreturn));
/* Called by the arch exception handlers: returns only if a fixup was armed (then the handler
 * resumes at cpu->fixup_pc); otherwise reports MA_CALL_EXCEPTION and stops the vCPU.
 */
void ma_guest_exception(uint64_t vector, uint64_t syndrome, uint64_t addr, uint64_t pc);
int ma_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ma_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* agents of their own file (guest/common/convert.c) */
void ma_agent_convert_request(struct ma_mailbox *mb);
void ma_agent_convert_watch(struct ma_mailbox *mb);
void ma_agent_dma_watch(struct ma_mailbox *mb);		/* guest/common/dma.c */
/* guest/common/gen.c */
void ma_agent_gen_write(struct ma_mailbox *mb);
/* guest/common/stress.c */
void ma_agent_stress_verify(struct ma_mailbox *mb);
void ma_agent_stress_atomic(struct ma_mailbox *mb);
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);

#define GUEST_ASSERT(c) \
	do { if (!(c)) ma_guest_assert_fail(__FILE__, __LINE__, #c, 0, 0); } while (0)
#define GUEST_ASSERT_EQ(a, b) \
	do { \
		uint64_t _a = (uint64_t)(a), _b = (uint64_t)(b); \
		if (_a != _b) \
			ma_guest_assert_fail(__FILE__, __LINE__, #a " == " #b, _a, _b); \
	} while (0)

/* ---- per architecture (guest/arch/<arch>) ---- */
void ma_arch_doorbell(struct ma_mailbox *mb);	/* MMIO store / port write of the mailbox GPA */
_Noreturn void ma_arch_halt(void);	/* park the vCPU forever (after a fatal report) */
void ma_arch_features(uint64_t ret[8]);		/* MA_AGENT_FEATURES */
int ma_arch_atomic_supported(enum ma_atomic_flavour f);
/* One increment of *p with flavour f; returns the value it replaced. */
uint64_t ma_arch_atomic_inc1(enum ma_atomic_flavour f, volatile uint64_t *p);
/* Start barrier: count this vCPU in at *arrived (atomically) and wait until n have arrived. */
void ma_arch_arrive_and_wait(volatile uint64_t *arrived, uint64_t n);
/*
 * One probe access with the fault fixup armed; returns an ma_probe_result; syndrome and addr are
 * set on a fault.
 */
enum ma_probe_result ma_arch_probe(uint64_t gva, enum ma_probe_op op, uint64_t arg,
				   uint64_t *syndrome, uint64_t *addr);
void ma_arch_undefined_insn(void);		/* no fixup: the exception must be reported */
void ma_arch_force_insn(enum ma_atomic_flavour f, volatile uint64_t *p); /* no feature check */

#endif
