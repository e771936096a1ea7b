// SPDX-License-Identifier: GPL-2.0
/*
 * x86: a memslot must end at or below kvm_mmu_max_gfn(): the host MAXPHYADDR when TDP (EPT/NPT)
 * is enabled, 52 bits otherwise; beyond it EINVAL.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "memattr/harness.h"
#include "../../memslot.h"

const int ma_memslot_beyond_errno = EINVAL;
const char ma_memslot_beyond_source[] =
	"arch/x86/kvm/x86.c:kvm_arch_prepare_memory_region, last gfn > kvm_mmu_max_gfn() (arch/x86/kvm/mmu.h: host MAXPHYADDR with TDP, else 52 bits) gives EINVAL ("
	MA_KERNEL_REF ")";

static int host_phys_bits(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	int bits = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "address sizes : %d bits physical", &bits) == 1)
			break;
	fclose(f);
	return bits;
}

static int tdp_enabled(void)
{
	static const char *const params[] = {
		"/sys/module/kvm_amd/parameters/npt", "/sys/module/kvm_intel/parameters/ept",
	};

	for (unsigned int i = 0; i < 2; i++) {
		FILE *f = fopen(params[i], "r");
		char c = 0;

		if (!f)
			continue;
		if (fread(&c, 1, 1, f) != 1)
			c = 0;
		fclose(f);
		return c == 'Y' || c == '1';
	}
	return -1;
}

uint64_t ma_memslot_gpa_limit(struct ma_vm *vm)
{
	int tdp = tdp_enabled(), bits = host_phys_bits();

	(void)vm;
	if (tdp < 0)
		ma_skip("neither kvm_amd nor kvm_intel is loaded: TDP state unknown (a paravirtual KVM?)");
	if (!tdp)
		return 1ull << 52;
	if (!bits)
		ma_skip("host MAXPHYADDR not found in /proc/cpuinfo");
	return 1ull << bits;
}
