// SPDX-License-Identifier: GPL-2.0
/*
 * MEMATTR_PFNMAP specs ("vfio=<BDF>,region=<n>[,type=...]", "pci=<BDF>,bar=<n>"): the parser, shared
 * by the host library (host/pfnmap_pci.c) and the run driver (which checks --pfnmap and pfnmap=).
 * Depends on nothing but libc.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memattr/pfnmap.h"

/* The spec's first key=value: vfio=<BDF> or pci=<BDF>. */
static int try_parse_device(const char *key, const char *val, struct ma_pfnmap_spec *sp, char *err,
			    size_t errlen)
{
	unsigned int dom, bus, dev, fn;
	char extra;

	if (!strcmp(key, "vfio")) {
		sp->what = MA_SPEC_VFIO;
	} else if (!strcmp(key, "pci")) {
		sp->what = MA_SPEC_PCI;
	} else {
		snprintf(err, errlen, "'%s': a spec starts with vfio=<BDF> or pci=<BDF>", key);
		return -EINVAL;
	}
	if (sscanf(val, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &extra) != 4 || dom > 0xffff ||
	    bus > 0xff || dev > 0x1f || fn > 7) {
		snprintf(err, errlen, "'%s': not a PCI address (DDDD:BB:DD.F)", val);
		return -EINVAL;
	}
	snprintf(sp->bdf, sizeof(sp->bdf), "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

/* region=<n> (vfio) or bar=<n> (pci). */
static int try_parse_index(const char *key, const char *val, struct ma_pfnmap_spec *sp, char *err,
			   size_t errlen)
{
	bool vfio = sp->what == MA_SPEC_VFIO;
	unsigned long n;
	char *end;

	if (vfio != !strcmp(key, "region")) {
		snprintf(err, errlen, "'%s': vfio takes region=<n>, pci takes bar=<n>", key);
		return -EINVAL;
	}
	errno = 0;
	n = strtoul(val, &end, 0);
	if (errno || end == val || *end || n > (sp->what == MA_SPEC_PCI ? 5 : 255)) {
		snprintf(err, errlen, "'%s=%s': not a valid index", key, val);
		return -EINVAL;
	}
	sp->index = (unsigned int)n;
	return 0;
}

/* type=wb|nc|device of a vfio spec. */
static int try_parse_type(const char *val, struct ma_pfnmap_spec *sp, char *err, size_t errlen)
{
	if (!strcmp(val, "wb")) {
		sp->type = MA_PFT_WB;
	} else if (!strcmp(val, "nc")) {
		sp->type = MA_PFT_NC;
	} else if (!strcmp(val, "device")) {
		sp->type = MA_PFT_DEVICE;
	} else {
		snprintf(err, errlen, "'type=%s': wb, nc or device", val);
		return -EINVAL;
	}
	return 0;
}

/* One spec, the len bytes at s, into *sp. */
static int try_parse_one(const char *s, size_t len, struct ma_pfnmap_spec *sp, char *err, size_t errlen)
{
	char buf[160], *save = NULL, *tok;
	bool have_index = false;
	int r;

	if (len >= sizeof(buf)) {
		snprintf(err, errlen, "spec too long: %.40s...", s);
		return -EINVAL;
	}
	memcpy(buf, s, len);
	buf[len] = 0;
	memset(sp, 0, sizeof(*sp));
	sp->type = -1;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		const char *val;

		if (!eq) {
			snprintf(err, errlen, "'%s': expected key=value", tok);
			return -EINVAL;
		}
		*eq = 0;
		val = eq + 1;
		if (tok == buf) {
			r = try_parse_device(tok, val, sp, err, errlen);
		} else if (!strcmp(tok, "region") || !strcmp(tok, "bar")) {
			r = try_parse_index(tok, val, sp, err, errlen);
			have_index = true;
		} else if (!strcmp(tok, "type") && sp->what == MA_SPEC_VFIO) {
			r = try_parse_type(val, sp, err, errlen);
		} else {
			snprintf(err, errlen, "'%s': unknown key", tok);
			r = -EINVAL;
		}
		if (r)
			return r;
	}
	if (!sp->bdf[0] || !have_index) {
		snprintf(err, errlen, "'%.*s': needs %s", (int)len, s,
			 sp->bdf[0] ? (sp->what == MA_SPEC_VFIO ? "region=<n>" : "bar=<n>") : "vfio=<BDF> or pci=<BDF>");
		return -EINVAL;
	}
	return 0;
}

int ma_try_pfnmap_parse_specs(const char *s, struct ma_pfnmap_spec *out, unsigned int max, char *err,
			      size_t errlen)
{
	unsigned int n = 0;

	while (s && *s) {
		size_t len = strcspn(s, "; \t\n");
		int r;

		if (len) {
			if (n == max) {
				snprintf(err, errlen, "more than %u specs", max);
				return -EINVAL;
			}
			r = try_parse_one(s, len, &out[n], err, errlen);
			if (r)
				return r;
			n++;
		}
		s += len;
		s += strspn(s, "; \t\n");
	}
	return (int)n;
}
