// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 vCPU state for migration (memattr/migration_stream.h): every register KVM_GET_REG_LIST
 * names, read and written with KVM_GET/SET_ONE_REG (Documentation/virt/kvm/api.rst,
 * "KVM_GET_REG_LIST": the registers to save and restore), in the list's order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "memattr/harness.h"
#include "memattr/migration_stream.h"
#include "memattr/util.h"

static uint32_t reg_size(uint64_t id)
{
	return 1u << ((id & KVM_REG_SIZE_MASK) >> KVM_REG_SIZE_SHIFT);
}

static int try_get_reg(struct ma_vcpu *v, uint64_t id, void *buf)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)buf };

	return (int)ma_try_ioctl(v->fd, KVM_GET_ONE_REG, &reg);
}

static int try_set_reg(struct ma_vcpu *v, uint64_t id, const void *buf)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)buf };

	return (int)ma_try_ioctl(v->fd, KVM_SET_ONE_REG, &reg);
}

int ma_arch_try_vcpu_state_save(struct ma_vcpu *v, struct ma_vcpu_state *s, const char **what)
{
	struct kvm_reg_list probe = { .n = 0 }, *list;
	uint8_t buf[256];
	long r;

	*what = "KVM_GET_REG_LIST";
	r = ma_try_ioctl(v->fd, KVM_GET_REG_LIST, &probe);
	if (r != -E2BIG)
		return r < 0 ? (int)r : -EPROTO; /* n = 0 must be too small */
	list = calloc(1, sizeof(*list) + probe.n * sizeof(list->reg[0]));
	if (!list)
		return -ENOMEM;
	list->n = probe.n;
	r = ma_try_ioctl(v->fd, KVM_GET_REG_LIST, list);
	if (r < 0) {
		free(list);
		return (int)r;
	}
	*what = "KVM_GET_ONE_REG";
	for (uint64_t i = 0; i < list->n; i++) {
		uint64_t id = list->reg[i];
		uint32_t size = reg_size(id);

		if (size > sizeof(buf)) {
			free(list);
			return -E2BIG;
		}
		r = try_get_reg(v, id, buf);
		if (r) {
			free(list);
			return (int)r;
		}
		ma_vstate_add(s, MA_VS_ONE_REG, id, buf, size);
	}
	free(list);
	return 0;
}

unsigned int ma_arch_vcpu_state_restore(struct ma_vcpu *v, const struct ma_vcpu_state *s,
					struct ma_vstate_finding *f, unsigned int max)
{
	unsigned int bad = 0;

	for (unsigned int i = 0; i < s->n; i++) {
		const struct ma_vstate_item *it = &s->items[i];
		int r;

		if (it->kind != MA_VS_ONE_REG || it->len != reg_size(it->id))
			ma_fatal("vCPU %u: state item %u is not an arm64 ONE_REG register (kind %u, %u bytes)",
				 v->index, i, it->kind, it->len);
		r = try_set_reg(v, it->id, it->data);
		if (!r)
			continue;
		if (bad < max) {
			f[bad].vcpu = v->index;
			f[bad].err = -r;
			ma_arch_vstate_item_name(it, f[bad].what, sizeof(f[bad].what));
		}
		bad++;
	}
	return bad;
}

void ma_arch_vstate_item_name(const struct ma_vstate_item *it, char *buf, size_t len)
{
	uint64_t id = it->id, coproc = id & KVM_REG_ARM_COPROC_MASK;

	if (coproc == KVM_REG_ARM64_SYSREG)
		snprintf(buf, len, "SYS_REG(%llu,%llu,%llu,%llu,%llu) id %#llx",
			 (unsigned long long)((id & KVM_REG_ARM64_SYSREG_OP0_MASK) >>
					      KVM_REG_ARM64_SYSREG_OP0_SHIFT),
			 (unsigned long long)((id & KVM_REG_ARM64_SYSREG_OP1_MASK) >>
					      KVM_REG_ARM64_SYSREG_OP1_SHIFT),
			 (unsigned long long)((id & KVM_REG_ARM64_SYSREG_CRN_MASK) >>
					      KVM_REG_ARM64_SYSREG_CRN_SHIFT),
			 (unsigned long long)((id & KVM_REG_ARM64_SYSREG_CRM_MASK) >>
					      KVM_REG_ARM64_SYSREG_CRM_SHIFT),
			 (unsigned long long)((id & KVM_REG_ARM64_SYSREG_OP2_MASK) >>
					      KVM_REG_ARM64_SYSREG_OP2_SHIFT),
			 (unsigned long long)id);
	else if (coproc == KVM_REG_ARM_CORE)
		snprintf(buf, len, "CORE +%#llx (kvm_regs offset / 4) id %#llx",
			 (unsigned long long)(id & 0xffff), (unsigned long long)id);
	else if (coproc == KVM_REG_ARM_FW || coproc == KVM_REG_ARM_FW_FEAT_BMAP)
		snprintf(buf, len, "FW reg %llu id %#llx", (unsigned long long)(id & 0xffff),
			 (unsigned long long)id);
	else
		snprintf(buf, len, "reg id %#llx", (unsigned long long)id);
}

#define ID_REG(crm, op2) ARM64_SYS_REG(3, 0, 0, crm, op2)

void ma_arch_mig_identity(struct ma_vcpu *v, char *buf, size_t len)
{
	static const struct {
		const char *name;
		uint64_t id;
	} regs[] = {
		{ "MIDR_EL1", ARM64_SYS_REG(3, 0, 0, 0, 0) }, { "ID_AA64PFR0_EL1", ID_REG(4, 0) },
		{ "ID_AA64PFR1_EL1", ID_REG(4, 1) },	      { "ID_AA64ISAR0_EL1", ID_REG(6, 0) },
		{ "ID_AA64ISAR1_EL1", ID_REG(6, 1) },	      { "ID_AA64MMFR0_EL1", ID_REG(7, 0) },
		{ "ID_AA64MMFR1_EL1", ID_REG(7, 1) },	      { "ID_AA64MMFR2_EL1", ID_REG(7, 2) },
	};
	size_t at = strnlen(buf, len);
	uint64_t mmfr2 = 0;
	long cap;

	for (size_t i = 0; i < MA_ARRAY_SIZE(regs); i++) {
		uint64_t val = 0;
		int r = try_get_reg(v, regs[i].id, &val);

		if (r)
			ma_fatal("KVM_GET_ONE_REG(%s) of vCPU %u: %s", regs[i].name, v->index,
				 ma_errno_name(-r));
		if (regs[i].id == ID_REG(7, 2))
			mmfr2 = val;
		if (at + 1 < len)
			at += (size_t)snprintf(buf + at, len - at, "%s=%#llx\n", regs[i].name,
					       (unsigned long long)val);
	}
	cap = ma_vm_cap(v->vm, KVM_CAP_ARM_CACHEABLE_PFNMAP_SUPPORTED);
	if (at + 1 < len)
		snprintf(buf + at, len - at, "fwb=%llu\ncap_cacheable_pfnmap=%ld\nkvm_protected=%d\n",
			 (unsigned long long)((mmfr2 >> 40) & 0xf), cap, ma_kvm_protected_mode());
}
