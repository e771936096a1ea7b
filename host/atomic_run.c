// SPDX-License-Identifier: GPL-2.0
/*
 * Run a guest atomic flavour on every vCPU of a VM at once and judge it: every vCPU finished, the
 * counter is exact (or, for the non-atomic control, lost updates), and the vCPUs contended.  The
 * guest's MA_AGENT_ATOMIC_INC counts, per vCPU, the increments after which the counter did not
 * hold that vCPU's previous result: another vCPU's increment got in between.  Without any such
 * overlap a multi-vCPU test proves nothing, so that is a failure too.
 */
#include <stdio.h>

#include "memattr/atomic_flavours.h"
#include "memattr/harness.h"

void ma_atomics_run_checked(struct ma_vm *vm, uint64_t gpa, volatile uint64_t *counter,
			    enum ma_atomic_flavour f, uint64_t iters, struct ma_atomic_run *out)
{
	struct ma_result res[MA_MAX_VCPUS];
	const char *name = ma_atomic_flavour_name(f);
	char per_vcpu[256] = "";
	size_t len = 0;

	*out = (struct ma_atomic_run){ 0 };
	counter[0] = 0;
	counter[1] = 0;	/* the lock word of the lock flavours */
	counter[2] = 0;	/* the start barrier */
	out->failed_vcpus = ma_vcpus_run_agent_all(vm, MA_AGENT_ATOMIC_INC,
						   MA_ARGS(gpa, iters, f, gpa + 16),
						   ma_default_run_timeout_ms() * 6, res);
	out->counter = counter[0];
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		char why[768];

		ma_result_describe(&res[i], why, sizeof(why));
		if (res[i].outcome != MA_OUT_DONE)
			ma_fail("%s: vCPU %u: %s", name, i, why);
		else if (res[i].ret.atomic.unsupported)
			ma_fail("%s: vCPU %u: the guest found the flavour unsupported after the host allowed it",
				name, i);
		else
			out->overlaps += res[i].ret.atomic.overlaps;
		/* a vCPU may go on past iters until it sees contention */
		out->expected += res[i].ret.atomic.increments;
		if (len < sizeof(per_vcpu))
			len += (size_t)snprintf(per_vcpu + len, sizeof(per_vcpu) - len, "%s%llu", i ? "," : "",
						(unsigned long long)res[i].ret.atomic.overlaps);
	}
	ma_log("%s: %u vCPU(s) x at least %llu: counter %llu of %llu done; increments that saw another vCPU's in between: %llu (per vCPU %s)",
	       name, vm->nr_vcpus, (unsigned long long)iters, (unsigned long long)out->counter,
	       (unsigned long long)out->expected, (unsigned long long)out->overlaps, per_vcpu);
	if (out->failed_vcpus)
		return;
	MA_CHECK(!(vm->nr_vcpus > 1 && !out->overlaps),
		 "%s: the %u vCPUs never saw each other's increments: they did not contend, so this run cannot show an atomicity bug",
		 name, vm->nr_vcpus);
	if (f == MA_ATOMIC_PLAIN)
		return;	/* the caller judges the control */
	MA_CHECK(out->counter == out->expected,
		 "%s: counter %llu, expected exactly %llu: %llu updates lost", name,
		(unsigned long long)out->counter, (unsigned long long)out->expected,
		(unsigned long long)(out->expected - out->counter));
}
