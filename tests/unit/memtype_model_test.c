// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 memory-type model (suites/pfnmap/arch/arm64/memtype_model.c) on the platforms of the
 * default lab cells: every stage-2 type swap changes an expected outcome, every expectation is a
 * non-empty set with a rule, IMPLEMENTATION DEFINED sets never allow a KVM_RUN error, the source
 * table gives the stage-2 types KVM 7.2.13 chooses, and what the lab observed fits the model.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "memattr/harness.h"
#include "memattr/util.h"
#include "../../suites/pfnmap/memtype_model.h"

struct profile {
	const char *cell;
	struct mt_platform pl;
};

/* The default arm64 cells (lab-facts.md): max has FWB+DIC+LSE, neoverse-n1 neither FWB nor DIC,
 * cortex-a57 also no LSE; plus pKVM on max.
 */
static const struct profile profiles[] = {
	{ "arm64-max", { .fwb = true, .dic = true, .cap243 = true, .lse = true } },
	{ "arm64-neoverse-n1", { .lse = true } },
	{ "arm64-cortex-a57", { 0 } },
	{ "arm64-max-protected", { .fwb = true, .dic = true, .cap243 = true, .pkvm = true, .lse = true } },
};

#define NPROFILES MA_ARRAY_SIZE(profiles)
#define DEFAULT_PROFILES 3

static const enum mt_type s2_types[] = { MT_TYPE_NORMAL_WB, MT_TYPE_NORMAL_NC, MT_TYPE_DEVICE_nGnRE };
/* the guest stage-1 types the access_matrix rows use */
static const enum ma_memtype s1_types[] = { MA_MT_NORMAL_WB, MA_MT_NORMAL_NC, MA_MT_DEVICE_nGnRE };

/*
 * A probe (stage-1 type and operation) whose expected outcomes on stage-2 types a and b are
 * disjoint, so that whatever the CPU does, swapping a and b cannot pass: described in buf, or NULL.
 */
static const char *separating_probe(const struct mt_platform *pl, unsigned int a, unsigned int b,
				    char *buf, size_t len)
{
	for (unsigned int s = 0; s < 3; s++) {
		for (unsigned int op = 0; op < MA_PROBE_COUNT; op++) {
			const struct mt_rule *ra, *rb;
			unsigned int ea = mt_arm64_probe(pl, s2_types[a], 0, s1_types[s], op, &ra);
			unsigned int eb = mt_arm64_probe(pl, s2_types[b], 0, s1_types[s], op, &rb);

			if (!(ea & eb)) {
				snprintf(buf, len, "s1=%s op=%u (%s vs %s)",
					 mt_type_name(mt_s1_type(s1_types[s])), op, ra->id, rb->id);
				return buf;
			}
		}
	}
	return NULL;
}

MA_TEST(unit, memtype_model_every_s2_swap_changes_an_outcome, .req = { .no_kvm = true })
{
	for (unsigned int p = 0; p < DEFAULT_PROFILES; p++) {
		const struct mt_platform *pl = &profiles[p].pl;

		for (unsigned int a = 0; a < 3; a++) {
			for (unsigned int b = a + 1; b < 3; b++) {
				char buf[96];
				const char *how = separating_probe(pl, a, b, buf, sizeof(buf));

				MA_CHECK(how, "%s: swapping stage-2 %s and %s changes no expected outcome",
					 profiles[p].cell,
					 mt_type_name(s2_types[a]), mt_type_name(s2_types[b]));
				if (how)
					ma_log("%s: %s <-> %s separated by %s",
					       profiles[p].cell, mt_type_name(s2_types[a]),
					       mt_type_name(s2_types[b]), how);
			}
		}
	}
}

MA_TEST(unit, memtype_model_expectations_are_sets_with_rules, .req = { .no_kvm = true })
{
	const unsigned int run_errors = MT_BIT(MT_RUN_EFAULT) | MT_BIT(MT_RUN_EINVAL) | MT_BIT(MT_RUN_EPERM);

	for (unsigned int p = 0; p < NPROFILES; p++) {
		for (unsigned int k = 0; k < MA_PFN_COUNT; k++) {
			for (unsigned int s = 0; s < MA_MT_COUNT; s++) {
				struct mt_row_expect e;

				mt_arm64_expect_row(&profiles[p].pl, &mt_source_table[k], (enum ma_memtype)s,
						    &e);
				MA_EXPECT_TRUE(e.slot_rule && e.s2_rule && e.eff_rule);
				for (unsigned int op = 0; op < MA_PROBE_COUNT; op++) {
					unsigned int set = e.allowed[op];

					MA_CHECK(!(!set || (set & MT_BIT(MT_OTHER)) || !e.probe_rule[op]),
						 "%s %s s1=%u op=%u: set %#x",
						 profiles[p].cell, ma_pfnmap_name(k), s, op, set);
					/* a KVM_RUN error is only ever the one exact outcome */
					MA_CHECK(!((set & run_errors) && set != (set & run_errors)),
						 "%s %s s1=%u op=%u: a KVM_RUN error among other allowed outcomes (%#x)",
						profiles[p].cell, ma_pfnmap_name(k), s, op, set);
				}
			}
		}
	}
	{
		/* a rule id means one thing */
		unsigned int n;
		const struct mt_rule *const *r = mt_arm64_rules(&n);

		for (unsigned int i = 0; i < n; i++)
			for (unsigned int j = i + 1; j < n; j++)
				MA_CHECK(!(!strcmp(r[i]->id, r[j]->id)), "rule id %s used twice", r[i]->id);
	}
}

MA_TEST(unit, memtype_model_source_table_stage2_types, .req = { .no_kvm = true })
{
	static const enum mt_type on_max[MA_PFN_COUNT] = {
		[MA_PFN_UDMABUF] = MT_TYPE_NORMAL_WB,	  [MA_PFN_DEVMEM] = MT_TYPE_DEVICE_nGnRE,
		[MA_PFN_CARVEOUT_WB] = MT_TYPE_NORMAL_WB, [MA_PFN_CARVEOUT_NC] = MT_TYPE_NORMAL_NC,
		[MA_PFN_CARVEOUT_DEV] = MT_TYPE_DEVICE_nGnRE, [MA_PFN_PCI_BAR] = MT_TYPE_DEVICE_nGnRE,
		[MA_PFN_PCI_BAR_WC] = MT_TYPE_DEVICE_nGnRE, [MA_PFN_VFIO0] = MT_TYPE_NORMAL_NC,
		[MA_PFN_VFIO1] = MT_TYPE_NORMAL_NC,
	};
	const struct mt_rule *rule;
	int run_errno;

	for (unsigned int k = 0; k < MA_PFN_COUNT; k++) {
		enum mt_type s2 = mt_arm64_stage2(&profiles[0].pl, &mt_source_table[k], &run_errno, &rule);

		MA_CHECK(!(s2 != on_max[k] || run_errno),
			 "%s on arm64-max: stage 2 %s (errno %d, rule %s), want %s", ma_pfnmap_name(k),
			mt_type_name(s2), run_errno, rule->id, mt_type_name(on_max[k]));
	}
	/* no FWB: the cacheable non-RAM carve-out is refused at creation and never mapped */
	MA_EXPECT_EQ(mt_arm64_slot_errno(&profiles[1].pl, &mt_source_table[MA_PFN_CARVEOUT_WB], 0, &rule),
		     EINVAL);
	MA_EXPECT_EQ(mt_arm64_slot_errno(&profiles[1].pl, &mt_source_table[MA_PFN_UDMABUF], 0, &rule),
		     EINVAL);
	MA_EXPECT_EQ(mt_arm64_stage2(&profiles[1].pl, &mt_source_table[MA_PFN_CARVEOUT_WB], &run_errno,
				     &rule),
		     MT_TYPE_NONE);
	MA_EXPECT_EQ(run_errno, EFAULT);
	/* every PFNMAP refuses dirty logging */
	MA_EXPECT_EQ(mt_arm64_slot_errno(&profiles[0].pl, &mt_source_table[MA_PFN_PCI_BAR], 1, &rule),
		     EINVAL);
	/* pKVM: non-RAM memory never mapped */
	MA_EXPECT_EQ(mt_arm64_stage2(&profiles[3].pl, &mt_source_table[MA_PFN_PCI_BAR], &run_errno, &rule),
		     MT_TYPE_NONE);
	MA_EXPECT_EQ(run_errno, EINVAL);
	MA_EXPECT_EQ(mt_arm64_stage2(&profiles[3].pl, &mt_source_table[MA_PFN_CARVEOUT_WB], &run_errno,
				     &rule),
		     MT_TYPE_NONE);
	MA_EXPECT_EQ(run_errno, EPERM);
}

/* What the lab cells showed (run 20261130T110536Z, before the model existed): it must fit. */
struct seen_row {
	unsigned int profile;
	enum ma_pfnmap_kind kind;
	enum ma_memtype s1;
	enum mt_outcome seen[MA_PROBE_COUNT];	/* load store unaligned exec exclusive atomic */
};

#define OK MT_OK
static const struct seen_row lab_rows[] = {
	{ 0, MA_PFN_UDMABUF, MA_MT_NORMAL_WB, { OK, OK, OK, OK, OK, OK } },
	{ 0, MA_PFN_UDMABUF, MA_MT_DEVICE_nGnRE, { OK, OK, MT_ALIGN_FAULT, OK, OK, OK } },
	{ 0, MA_PFN_DEVMEM, MA_MT_NORMAL_WB, { OK, OK, MT_RUN_EFAULT, MT_SEA_IABT, OK, OK } },
	{ 0, MA_PFN_DEVMEM, MA_MT_DEVICE_nGnRE, { OK, OK, MT_ALIGN_FAULT, MT_SEA_IABT, OK, OK } },
	{ 0, MA_PFN_CARVEOUT_WB, MA_MT_NORMAL_WB, { OK, OK, OK, OK, OK, OK } },
	{ 0, MA_PFN_CARVEOUT_NC, MA_MT_NORMAL_WB, { OK, OK, OK, MT_SEA_IABT, OK, OK } },
	{ 0, MA_PFN_CARVEOUT_NC, MA_MT_DEVICE_nGnRE, { OK, OK, MT_ALIGN_FAULT, MT_SEA_IABT, OK, OK } },
	{ 0, MA_PFN_PCI_BAR_WC, MA_MT_NORMAL_NC, { OK, OK, MT_RUN_EFAULT, MT_SEA_IABT, OK, OK } },
	{ 0, MA_PFN_VFIO0, MA_MT_NORMAL_NC, { OK, OK, OK, MT_SEA_IABT, OK, OK } },
	{ 1, MA_PFN_PCI_BAR, MA_MT_NORMAL_WB, { OK, OK, MT_RUN_EFAULT, MT_SEA_IABT, OK, OK } },
	{ 1, MA_PFN_VFIO0, MA_MT_NORMAL_WB, { OK, OK, OK, MT_SEA_IABT, OK, OK } },
	{ 2, MA_PFN_CARVEOUT_DEV, MA_MT_NORMAL_WB,
	  { OK, OK, MT_RUN_EFAULT, MT_SEA_IABT, OK, MT_NOT_PRESENT } },
	{ 2, MA_PFN_VFIO0, MA_MT_DEVICE_nGnRE, { OK, OK, MT_ALIGN_FAULT, MT_SEA_IABT, OK, MT_NOT_PRESENT } },
};

MA_TEST(unit, memtype_model_fits_what_the_lab_saw, .req = { .no_kvm = true })
{
	for (unsigned int i = 0; i < MA_ARRAY_SIZE(lab_rows); i++) {
		const struct seen_row *r = &lab_rows[i];
		struct mt_row_expect e;

		mt_arm64_expect_row(&profiles[r->profile].pl, &mt_source_table[r->kind], r->s1, &e);
		for (unsigned int op = 0; op < MA_PROBE_COUNT; op++)
			MA_CHECK(e.allowed[op] & MT_BIT(r->seen[op]),
				 "%s %s s1=%u op=%u: lab saw %s, model allows %#x (%s)",
				 profiles[r->profile].cell, ma_pfnmap_name(r->kind), r->s1, op,
				 mt_outcome_name(r->seen[op]), e.allowed[op], e.probe_rule[op]->id);
	}
}
