// SPDX-License-Identifier: GPL-2.0
/* The memory-type model's names, as they appear in records and matrix.txt. */
#include <stdio.h>
#include <string.h>

#include "memtype_model.h"

const char *mt_type_name(enum mt_type t)
{
	static const char *const names[MT_TYPE_COUNT] = {
		[MT_TYPE_NONE] = "none",
		[MT_TYPE_NORMAL_WB] = "normal-wb",
		[MT_TYPE_NORMAL_NC] = "normal-nc",
		[MT_TYPE_DEVICE_nGnRE] = "device-ngnre",
		[MT_TYPE_DEVICE_nGnRnE] = "device-ngnrne",
		[MT_TYPE_UNOBSERVABLE] = "unobservable",
	};

	return (unsigned int)t < MT_TYPE_COUNT ? names[t] : "?";
}

enum mt_type mt_s1_type(enum ma_memtype s1)
{
	switch (s1) {
	case MA_MT_NORMAL_WB:
		return MT_TYPE_NORMAL_WB;
	case MA_MT_NORMAL_NC:
		return MT_TYPE_NORMAL_NC;
	case MA_MT_DEVICE_nGnRE:
		return MT_TYPE_DEVICE_nGnRE;
	default:
		return MT_TYPE_DEVICE_nGnRnE;
	}
}

const char *mt_outcome_name(enum mt_outcome o)
{
	static const char *const names[MT_OUTCOME_COUNT] = {
		[MT_OK] = "ok",
		[MT_ALIGN_FAULT] = "align_fault",
		[MT_SEA_IABT] = "sea_iabt",
		[MT_EXCL_FAULT] = "excl_fault",
		[MT_NO_EXCL] = "no_excl",
		[MT_NOT_PRESENT] = "n/a",
		[MT_RUN_EFAULT] = "run_EFAULT",
		[MT_RUN_EINVAL] = "run_EINVAL",
		[MT_RUN_EPERM] = "run_EPERM",
		[MT_OTHER] = "other",
	};

	return (unsigned int)o < MT_OUTCOME_COUNT ? names[o] : "?";
}

const char *mt_outcome_set_str(unsigned int set, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (unsigned int o = 0; o < MT_OUTCOME_COUNT; o++) {
		if (!(set & MT_BIT(o)) || n >= len)
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "|" : "", mt_outcome_name(o));
	}
	if (!set)
		snprintf(buf, len, "none");
	return buf;
}
