// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: MEMATTR_PFNMAP specs (host/pfnmap_spec.c).  Every spec that parses must parse again,
 * to the same spec, from its canonical form.
 */
#include "memattr/pfnmap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_canonical(const struct ma_pfnmap_spec *sp)
{
	static const char *const types[] = { ",type=wb", ",type=nc", ",type=device" };
	struct ma_pfnmap_spec again;
	char text[128], err[200];

	snprintf(text, sizeof(text), "%s=%s,%s=%u%s", sp->what == MA_SPEC_VFIO ? "vfio" : "pci", sp->bdf,
		 sp->what == MA_SPEC_VFIO ? "region" : "bar", sp->index, sp->type >= 0 ? types[sp->type] : "");
	if (ma_try_pfnmap_parse_specs(text, &again, 1, err, sizeof(err)) != 1 ||
	    memcmp(&again, sp, sizeof(again)) != 0) {
		fprintf(stderr, "spec does not round-trip: %s (%s)\n", text, err);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ma_pfnmap_spec specs[MA_PFNMAP_MAX_SPECS];
	char *s = malloc(size + 1), err[200] = "";
	int n;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	memset(specs, 0, sizeof(specs));
	n = ma_try_pfnmap_parse_specs(s, specs, MA_PFNMAP_MAX_SPECS, err, sizeof(err));
	if (n < 0 && !err[0])
		abort(); /* a refusal must say why */
	for (int i = 0; i < n; i++)
		check_canonical(&specs[i]);
	free(s);
	return 0;
}
