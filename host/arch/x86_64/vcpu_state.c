// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 vCPU state for migration (memattr/migration_stream.h): CPUID, special and general
 * registers, XSAVE (or FPU) and XCRs, every MSR of KVM_GET_MSR_INDEX_LIST the vCPU can read, events
 * and the MP state: the state Documentation/virt/kvm/api.rst documents for save and restore.  The
 * library's VMs have no in-kernel irqchip, so there is no LAPIC state.  Restored in that order
 * (CPUID first: KVM checks SREGS and MSRs against it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x86.h"
#include "memattr/harness.h"
#include "memattr/migration_stream.h"
#include "memattr/util.h"

/* CPUID bits KVM sets from the vCPU's state, not in KVM_GET_SUPPORTED_CPUID (kvm_update_cpuid_runtime) */
#define LEAF1_ECX_OSXSAVE (1u << 27)
#define LEAF1_EDX_APIC (1u << 9)
/*
 * MSR_KVM_ASYNC_PF_INT is not saved: without an in-kernel LAPIC (the library's VMs have none)
 * arch/x86/kvm/x86.c:kvm_pv_enable_async_pf_int refuses every write, even of the 0 it reads, so its
 * value is always 0 and cannot be restored (migration.x86_async_pf_int_without_lapic checks both).
 */
#define LEAF7_ECX_OSPKE (1u << 4)

static int try_save_cpuid(struct ma_vcpu *v, struct ma_vcpu_state *s)
{
	for (uint32_t nent = 64; nent <= 4096; nent *= 2) {
		size_t sz = sizeof(struct kvm_cpuid2) + nent * sizeof(struct kvm_cpuid_entry2);
		struct kvm_cpuid2 *c = calloc(1, sz);
		long r;

		if (!c)
			return -ENOMEM;
		c->nent = nent;
		r = ma_try_ioctl(v->fd, KVM_GET_CPUID2, c);
		if (!r)
			ma_vstate_add(s, MA_VS_X86_CPUID2, 0, c,
				      (uint32_t)(sizeof(*c) + c->nent * sizeof(c->entries[0])));
		free(c);
		if (r != -E2BIG)
			return (int)r;
	}
	return -E2BIG;
}

static int try_save_struct(struct ma_vcpu *v, struct ma_vcpu_state *s, unsigned long req, uint32_t kind,
			   size_t size)
{
	void *buf = calloc(1, size);
	long r;

	if (!buf)
		return -ENOMEM;
	r = ma_try_ioctl(v->fd, req, buf);
	if (!r)
		ma_vstate_add(s, kind, 0, buf, (uint32_t)size);
	free(buf);
	return (int)r;
}

static int try_msr_rw(int fd, unsigned long req, uint32_t index, uint64_t *val)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = { .h.nmsrs = 1, .e.index = index, .e.data = *val };
	long r = ma_try_ioctl(fd, req, &m);

	*val = m.e.data;
	return r < 0 ? (int)r : (int)(r == 1); /* KVM_GET/SET_MSRS: how many were done */
}

static int try_save_msrs(struct ma_vcpu *v, struct ma_vcpu_state *s)
{
	struct kvm_msr_list probe = { .nmsrs = 0 }, *list;
	long r = ma_try_ioctl(ma_kvm_fd(), KVM_GET_MSR_INDEX_LIST, &probe);

	if (r != -E2BIG)
		return r < 0 ? (int)r : -EPROTO;
	list = calloc(1, sizeof(*list) + probe.nmsrs * sizeof(list->indices[0]));
	if (!list)
		return -ENOMEM;
	list->nmsrs = probe.nmsrs;
	r = ma_try_ioctl(ma_kvm_fd(), KVM_GET_MSR_INDEX_LIST, list);
	for (uint32_t i = 0; !r && i < list->nmsrs; i++) {
		uint64_t val = 0;
		int got = try_msr_rw(v->fd, KVM_GET_MSRS, list->indices[i], &val);

		if (got < 0)
			r = got;
		else if (got && list->indices[i] != MA_X86_MSR_KVM_ASYNC_PF_INT)
			/* an MSR this vCPU does not have (its CPUID lacks the feature) is skipped */
			ma_vstate_add(s, MA_VS_X86_MSR, list->indices[i], &val, 8);
	}
	free(list);
	return (int)r;
}

int ma_arch_try_vcpu_state_save(struct ma_vcpu *v, struct ma_vcpu_state *s, const char **what)
{
	long xsave2 = ma_sys_cap(KVM_CAP_XSAVE2);
	int r;

	*what = "KVM_GET_CPUID2";
	r = try_save_cpuid(v, s);
	if (r)
		return r;
	*what = "KVM_GET_SREGS";
	r = try_save_struct(v, s, KVM_GET_SREGS, MA_VS_X86_SREGS, sizeof(struct kvm_sregs));
	if (r)
		return r;
	*what = "KVM_GET_REGS";
	r = try_save_struct(v, s, KVM_GET_REGS, MA_VS_X86_REGS, sizeof(struct kvm_regs));
	if (r)
		return r;
	if (xsave2 > (long)sizeof(struct kvm_xsave)) {
		*what = "KVM_GET_XSAVE2";
		r = try_save_struct(v, s, KVM_GET_XSAVE2, MA_VS_X86_XSAVE, (size_t)xsave2);
	} else if (ma_sys_cap(KVM_CAP_XSAVE)) {
		*what = "KVM_GET_XSAVE";
		r = try_save_struct(v, s, KVM_GET_XSAVE, MA_VS_X86_XSAVE, sizeof(struct kvm_xsave));
	} else {
		*what = "KVM_GET_FPU";
		r = try_save_struct(v, s, KVM_GET_FPU, MA_VS_X86_FPU, sizeof(struct kvm_fpu));
	}
	if (r)
		return r;
	if (ma_sys_cap(KVM_CAP_XCRS)) {
		*what = "KVM_GET_XCRS";
		r = try_save_struct(v, s, KVM_GET_XCRS, MA_VS_X86_XCRS, sizeof(struct kvm_xcrs));
		if (r)
			return r;
	}
	*what = "KVM_GET_MSRS";
	r = try_save_msrs(v, s);
	if (r)
		return r;
	*what = "KVM_GET_VCPU_EVENTS";
	r = try_save_struct(v, s, KVM_GET_VCPU_EVENTS, MA_VS_X86_EVENTS, sizeof(struct kvm_vcpu_events));
	if (r)
		return r;
	*what = "KVM_GET_MP_STATE";
	return try_save_struct(v, s, KVM_GET_MP_STATE, MA_VS_X86_MP_STATE, sizeof(struct kvm_mp_state));
}

static void finding(struct ma_vstate_finding *f, unsigned int *bad, unsigned int max, unsigned int vcpu,
		    const char *what, int err)
{
	if (*bad < max) {
		f[*bad].vcpu = vcpu;
		f[*bad].err = err;
		snprintf(f[*bad].what, sizeof(f[*bad].what), "%s", what);
	}
	(*bad)++;
}

/* Feature bits the saved CPUID has and this KVM does not offer: a finding per register. */
static void compare_cpuid(struct ma_vcpu *v, const struct kvm_cpuid2 *saved, struct ma_vstate_finding *f,
			  unsigned int *bad, unsigned int max)
{
	static const struct {
		uint32_t fn, idx, reg;
		uint32_t dynamic;
		const char *name;
	} regs[] = {
		{ 1, 0, 2, LEAF1_ECX_OSXSAVE, "CPUID.1:ECX" },
		{ 1, 0, 3, LEAF1_EDX_APIC, "CPUID.1:EDX" },
		{ 7, 0, 1, 0, "CPUID.7.0:EBX" },
		{ 7, 0, 2, LEAF7_ECX_OSPKE, "CPUID.7.0:ECX" },
		{ 7, 0, 3, 0, "CPUID.7.0:EDX" },
		{ 0x80000001u, 0, 2, 0, "CPUID.80000001:ECX" },
		{ 0x80000001u, 0, 3, 0, "CPUID.80000001:EDX" },
	};
	struct kvm_cpuid2 *sup;
	int r = ma_x86_try_supported_cpuid(&sup);

	if (r)
		ma_fatal("KVM_GET_SUPPORTED_CPUID: %s", ma_errno_name(-r));
	for (size_t i = 0; i < MA_ARRAY_SIZE(regs); i++) {
		struct kvm_cpuid_entry2 *a =
			ma_x86_cpuid_find((struct kvm_cpuid2 *)saved, regs[i].fn, regs[i].idx);
		struct kvm_cpuid_entry2 *b = ma_x86_cpuid_find(sup, regs[i].fn, regs[i].idx);
		uint32_t sa, sb, extra;
		char what[128];

		if (!a)
			continue;
		sa = regs[i].reg == 1 ? a->ebx : regs[i].reg == 2 ? a->ecx : a->edx;
		sb = !b ? 0 : regs[i].reg == 1 ? b->ebx : regs[i].reg == 2 ? b->ecx : b->edx;
		extra = sa & ~sb & ~regs[i].dynamic;
		if (!extra)
			continue;
		snprintf(what, sizeof(what), "%s bits %#x saved, not in KVM_GET_SUPPORTED_CPUID here",
			 regs[i].name, extra);
		finding(f, bad, max, v->index, what, 0);
	}
	free(sup);
}

static const unsigned long set_req[] = {
	[MA_VS_X86_SREGS] = KVM_SET_SREGS,	 [MA_VS_X86_REGS] = KVM_SET_REGS,
	[MA_VS_X86_XSAVE] = KVM_SET_XSAVE,	 [MA_VS_X86_FPU] = KVM_SET_FPU,
	[MA_VS_X86_XCRS] = KVM_SET_XCRS,	 [MA_VS_X86_EVENTS] = KVM_SET_VCPU_EVENTS,
	[MA_VS_X86_MP_STATE] = KVM_SET_MP_STATE, [MA_VS_X86_CPUID2] = KVM_SET_CPUID2,
};

unsigned int ma_arch_vcpu_state_restore(struct ma_vcpu *v, const struct ma_vcpu_state *s,
					struct ma_vstate_finding *f, unsigned int max)
{
	unsigned int bad = 0;

	for (unsigned int i = 0; i < s->n; i++) {
		const struct ma_vstate_item *it = &s->items[i];
		char name[96];
		long r;

		ma_arch_vstate_item_name(it, name, sizeof(name));
		if (it->kind == MA_VS_X86_MSR) {
			uint64_t val;

			if (it->len != 8)
				ma_fatal("vCPU %u: %s with %u bytes", v->index, name, it->len);
			memcpy(&val, it->data, 8);
			r = try_msr_rw(v->fd, KVM_SET_MSRS, (uint32_t)it->id, &val);
			if (r < 0)
				ma_fatal("vCPU %u: KVM_SET_MSRS(%s): %s", v->index, name,
					 ma_errno_name((int)-r));
			if (!r) {
				char what[128];

				memcpy(&val, it->data, 8);
				snprintf(what, sizeof(what), "%s (value %#llx)", name,
					 (unsigned long long)val);
				finding(f, &bad, max, v->index, what, 0);
			}
			continue;
		}
		if (it->kind >= MA_ARRAY_SIZE(set_req) || !set_req[it->kind])
			ma_fatal("vCPU %u: state item %u is not an x86 item (kind %u)", v->index, i,
				 it->kind);
		if (it->kind == MA_VS_X86_CPUID2)
			compare_cpuid(v, (const struct kvm_cpuid2 *)it->data, f, &bad, max);
		r = ma_try_ioctl(v->fd, set_req[it->kind], it->data);
		if (r < 0)
			finding(f, &bad, max, v->index, name, (int)-r);
	}
	return bad;
}

void ma_arch_vstate_item_name(const struct ma_vstate_item *it, char *buf, size_t len)
{
	static const char *const names[] = {
		[MA_VS_X86_CPUID2] = "KVM_SET_CPUID2",
		[MA_VS_X86_SREGS] = "KVM_SET_SREGS",
		[MA_VS_X86_REGS] = "KVM_SET_REGS",
		[MA_VS_X86_XSAVE] = "KVM_SET_XSAVE",
		[MA_VS_X86_FPU] = "KVM_SET_FPU",
		[MA_VS_X86_XCRS] = "KVM_SET_XCRS",
		[MA_VS_X86_EVENTS] = "KVM_SET_VCPU_EVENTS",
		[MA_VS_X86_MP_STATE] = "KVM_SET_MP_STATE",
	};

	if (it->kind == MA_VS_X86_MSR)
		snprintf(buf, len, "MSR %#llx", (unsigned long long)it->id);
	else if (it->kind < MA_ARRAY_SIZE(names) && names[it->kind])
		snprintf(buf, len, "%s", names[it->kind]);
	else
		snprintf(buf, len, "item kind %u", it->kind);
}

void ma_arch_mig_identity(struct ma_vcpu *v, char *buf, size_t len)
{
	struct ma_vcpu_state s = { 0 };
	const struct kvm_cpuid2 *c;
	struct kvm_cpuid_entry2 *e0, *e1, *e7, *ex;
	size_t at = strnlen(buf, len);
	char vendor[13] = "";
	int r = try_save_cpuid(v, &s);

	if (r || !s.n)
		ma_fatal("KVM_GET_CPUID2 of vCPU %u: %s", v->index, ma_errno_name(-r));
	c = (const struct kvm_cpuid2 *)s.items[0].data;
	e0 = ma_x86_cpuid_find((struct kvm_cpuid2 *)c, 0, 0);
	e1 = ma_x86_cpuid_find((struct kvm_cpuid2 *)c, 1, 0);
	e7 = ma_x86_cpuid_find((struct kvm_cpuid2 *)c, 7, 0);
	ex = ma_x86_cpuid_find((struct kvm_cpuid2 *)c, 0x80000001u, 0);
	if (e0) {
		memcpy(vendor, &e0->ebx, 4);
		memcpy(vendor + 4, &e0->edx, 4);
		memcpy(vendor + 8, &e0->ecx, 4);
	}
	if (at + 1 < len)
		snprintf(buf + at, len - at,
			 "cpuid_vendor=%s\ncpuid_1_eax=%#x\ncpuid_1_ecx=%#x\ncpuid_1_edx=%#x\ncpuid_7_ebx=%#x\ncpuid_7_ecx=%#x\ncpuid_7_edx=%#x\ncpuid_80000001_ecx=%#x\ncpuid_80000001_edx=%#x\ncpuid_entries=%u\nfwb=n/a\n",
			 vendor, e1 ? e1->eax : 0, e1 ? e1->ecx : 0, e1 ? e1->edx : 0, e7 ? e7->ebx : 0,
			 e7 ? e7->ecx : 0, e7 ? e7->edx : 0, ex ? ex->ecx : 0, ex ? ex->edx : 0, c->nent);
	ma_vstate_free(&s);
}
