/* SPDX-License-Identifier: GPL-2.0 */
/* qemu_identity.h: a lab cell's machine identity derived from the QEMU command line built for it
 * and from QEMU's own report (its default machine), never from the configuration alone: what ran
 * is what the reports say. Layer: with lab (uses util, proc).
 */
#ifndef MEMATTR_DRIVER_QEMU_IDENTITY_H
#define MEMATTR_DRIVER_QEMU_IDENTITY_H

#include "util.h"

/*
 * From argv (argv[0] the QEMU binary): qemu_machine (the machine type given with -M/-machine, or
 * default_machine when none is, "default" when that is NULL too), machine_options (the options of
 * -M/-machine, comma-separated, in order), iommu (smmuv3 from the machine's iommu= option, or the
 * IOMMU -device: intel-iommu, amd-iommu, virtio-iommu-pci...; "none"), devices (every -device
 * driver, comma-separated, in order; "none"), accel (the first -accel's). Set in out with origin.
 */
void qemu_identity_of(const struct strvec *argv, const char *default_machine, struct kvlist *out, int origin);
/* QEMU's default machine (`QEMU -machine help`: the "(default)" one, by its alias if it has one,
 * e.g. "pc"), NULL if QEMU does not say; remembered per binary. Caller frees.
 */
char *qemu_default_machine(const char *qemu);
/* "key=value key=value ..." of the identity, for --dry-run (caller frees). */
char *qemu_identity_line(const struct kvlist *id);

#endif
