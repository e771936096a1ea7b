// SPDX-License-Identifier: GPL-2.0
/* Guest -> host calls: messages, assertions, exceptions, completion. */
#include "memattr/guest.h"

void ma_guest_call(enum ma_call call)
{
	struct ma_mailbox *mb = ma_this_cpu()->mb;

	mb->call = call;
	ma_arch_doorbell(mb);
}

void ma_guest_printf(const char *fmt, ...)
{
	struct ma_mailbox *mb = ma_this_cpu()->mb;
	va_list ap;

	va_start(ap, fmt);
	ma_vsnprintf(mb->text, sizeof(mb->text), fmt, ap);
	va_end(ap);
	ma_guest_call(MA_CALL_PRINT);
}

static void set_file(struct ma_mailbox *mb, const char *file)
{
	size_t n = strlen(file), i;

	/* keep the tail of long paths */
	if (n >= sizeof(mb->file))
		file += n - (sizeof(mb->file) - 1);
	for (i = 0; file[i] && i < sizeof(mb->file) - 1; i++)
		mb->file[i] = file[i];
	mb->file[i] = 0;
}

void ma_guest_assert_fail(const char *file, unsigned int line, const char *expr, uint64_t a, uint64_t b)
{
	struct ma_mailbox *mb = ma_this_cpu()->mb;

	set_file(mb, file);
	mb->line = line;
	mb->vals[0] = a;
	mb->vals[1] = b;
	ma_snprintf(mb->text, sizeof(mb->text), "%s", expr);
	ma_guest_call(MA_CALL_ASSERT);
	ma_arch_halt();
}

void ma_guest_exception(uint64_t vector, uint64_t syndrome, uint64_t addr, uint64_t pc)
{
	struct ma_guest_cpu *cpu = ma_this_cpu();
	struct ma_mailbox *mb = cpu->mb;

	mb->exc.vector = vector;
	mb->exc.syndrome = syndrome;
	mb->exc.addr = addr;
	mb->exc.pc = pc;
	mb->exc.count++;
	if (cpu->fixup_pc) {
		cpu->faults++;
		return;
	}
	ma_snprintf(mb->text, sizeof(mb->text), "unexpected exception vector 0x%lx syndrome 0x%lx addr 0x%lx pc 0x%lx",
		    vector, syndrome, addr, pc);
	ma_guest_call(MA_CALL_EXCEPTION);
	ma_arch_halt();
}
