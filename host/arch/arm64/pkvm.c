// SPDX-License-Identifier: GPL-2.0
/* arm64: whether KVM runs in protected mode (pKVM), which changes what several calls do. */
#include <stdio.h>
#include <string.h>

#include "arch.h"

/*
 * 7.2 enables pKVM only through the kernel command line: early_param("kvm-arm.mode") in
 * arch/arm64/kvm/arm.c (early_kvm_mode_cfg); no capability tells a non-protected VM apart.
 */
bool ma_kvm_protected_mode(void)
{
	static int cached = -1;
	char line[4096] = "";
	FILE *f;

	if (cached >= 0)
		return cached;
	f = fopen("/proc/cmdline", "re");
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	cached = 0;
	for (char *p = strstr(line, "kvm-arm.mode=protected"); p; p = strstr(p + 1, "kvm-arm.mode=protected"))
		if (p == line || p[-1] == ' ')
			cached = p[22] == 0 || p[22] == ' ' || p[22] == '\n';
	return cached;
}
