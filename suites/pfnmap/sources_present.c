// SPDX-License-Identifier: GPL-2.0
/*
 * pfnmap: every PFNMAP source the cell or the user configured is there.  A configured source that
 * cannot be opened fails here, naming why (the tests that use it then skip on the same reason, so
 * this is the one place the run turns red).  A source nobody configured skips.
 *   udmabuf      the kernel has it: /sys/module/udmabuf (its parameters; built in or loaded)
 *   devmem       MEMATTR_CARVEOUT=base:size (the lab's mem= carve-out)
 *   carveout_*   MEMATTR_FIXTURE=memattr_carveout (the lab loaded the fixture module)
 *   pci_bar*     a pci= spec in MEMATTR_PFNMAP (memattr-run --pfnmap, or the lab's pci = ivshmem)
 *   vfio0/vfio1  the first / second vfio= spec in MEMATTR_PFNMAP
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pfnmap.h"

static const struct ma_variant kinds[] = {
	{ .name = "udmabuf", .value = MA_PFN_UDMABUF },
	{ .name = "devmem", .value = MA_PFN_DEVMEM },
	{ .name = "carveout_wb", .value = MA_PFN_CARVEOUT_WB },
	{ .name = "carveout_nc", .value = MA_PFN_CARVEOUT_NC },
	{ .name = "carveout_dev", .value = MA_PFN_CARVEOUT_DEV },
	{ .name = "pci_bar", .value = MA_PFN_PCI_BAR },
	{ .name = "pci_bar_wc", .value = MA_PFN_PCI_BAR_WC },
	{ .name = "vfio0", .value = MA_PFN_VFIO0 },
	{ .name = "vfio1", .value = MA_PFN_VFIO1 },
};

/* how many specs of a kind MEMATTR_PFNMAP gives (a bad value fails the test) */
static unsigned int specs_of(int what)
{
	struct ma_pfnmap_spec specs[MA_PFNMAP_MAX_SPECS];
	const char *env = getenv("MEMATTR_PFNMAP");
	char err[256];
	unsigned int n = 0;
	int r;

	if (!env || !*env)
		return 0;
	r = ma_try_pfnmap_parse_specs(env, specs, MA_PFNMAP_MAX_SPECS, err, sizeof(err));
	if (r < 0)
		ma_fatal("MEMATTR_PFNMAP='%s': %s", env, err);
	for (int i = 0; i < r; i++)
		n += (int)specs[i].what == what;
	return n;
}

/* NULL if nobody configured the source here, else who did */
static const char *configured_by(enum ma_pfnmap_kind k)
{
	const char *fixture = getenv("MEMATTR_FIXTURE");

	switch (k) {
	case MA_PFN_UDMABUF:
		if (access("/sys/module/udmabuf", F_OK))
			return NULL;
		return "the kernel has udmabuf (/sys/module/udmabuf)";
	case MA_PFN_DEVMEM:
		return getenv("MEMATTR_CARVEOUT") ? "MEMATTR_CARVEOUT" : NULL;
	case MA_PFN_CARVEOUT_WB:
	case MA_PFN_CARVEOUT_NC:
	case MA_PFN_CARVEOUT_DEV:
		if (!fixture || strcmp(fixture, "memattr_carveout"))
			return NULL;
		return "MEMATTR_FIXTURE=memattr_carveout";
	case MA_PFN_PCI_BAR:
	case MA_PFN_PCI_BAR_WC:
		return specs_of(MA_SPEC_PCI) ? "a pci= spec in MEMATTR_PFNMAP" : NULL;
	case MA_PFN_VFIO0:
		return specs_of(MA_SPEC_VFIO) >= 1 ? "a vfio= spec in MEMATTR_PFNMAP" : NULL;
	case MA_PFN_VFIO1:
		return specs_of(MA_SPEC_VFIO) >= 2 ? "a second vfio= spec in MEMATTR_PFNMAP" : NULL;
	default:
		return NULL;
	}
}

MA_TEST(pfnmap, configured_source_present, MA_VARIANTS(kinds), .req = { .root = true, .no_kvm = true },
	.source = "host/pfnmap.c, host/pfnmap_pci.c: the openers of each PFNMAP source")
{
	enum ma_pfnmap_kind k = (enum ma_pfnmap_kind)t->value;
	struct ma_pfnmap_req rq = { .kind = k, .size = ma_host_page_size() };
	const char *by = configured_by(k), *why = "";
	struct ma_pfnmap p;
	int r;

	if (!by)
		ma_skip("source %s is not configured here (see %s for what configures it)",
			ma_pfnmap_name(k), __FILE__);
	r = ma_try_pfnmap_open(&p, &rq, &why);
	MA_REQUIRE(r == 0, "source %s is configured (%s) but cannot be opened: %s: %s",
		   ma_pfnmap_name(k), by, why,
		   ma_errno_name(-r));
	ma_log("source %s (configured by %s): %s", ma_pfnmap_name(k), by, p.desc);
}
