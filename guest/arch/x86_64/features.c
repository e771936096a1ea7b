// SPDX-License-Identifier: GPL-2.0
/*
 * MA_AGENT_FEATURES on x86: the CPUID words and IA32_PAT of abi.h's enum ma_feature_reg.
 * A leaf above the maximum the CPU reports reads as 0; IA32_PAT reads as 0 without CPUID.1:EDX.PAT.
 */
#include <stdint.h>

#include "memattr/guest.h"

#define MSR_IA32_PAT		0x277u
#define CPUID1_EDX_PAT		(1u << 16)

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

void ma_arch_features(uint64_t ret[8])
{
	struct cpuid_regs l0 = cpuid(0, 0), l1 = { 0, 0, 0, 0 }, r;
	uint32_t max_ext = cpuid(0x80000000u, 0).eax;
	unsigned int i;

	for (i = 0; i < 8; i++)
		ret[i] = 0;
	if (l0.eax >= 1) {
		l1 = cpuid(1, 0);
		ret[MA_FEAT_CPUID1_ECX] = l1.ecx;
		ret[MA_FEAT_CPUID1_EDX] = l1.edx;
	}
	if (l0.eax >= 7) {
		r = cpuid(7, 0);
		ret[MA_FEAT_CPUID7_0_EBX] = r.ebx;
	}
	if (max_ext >= 0x80000001u) {
		r = cpuid(0x80000001u, 0);
		ret[MA_FEAT_CPUID80000001_ECX] = r.ecx;
	}
	ret[MA_FEAT_CPUID0_VENDOR] = (uint64_t)l0.ebx | ((uint64_t)l0.edx << 32);
	if (l1.edx & CPUID1_EDX_PAT)
		ret[MA_FEAT_IA32_PAT] = rdmsr(MSR_IA32_PAT);
}
