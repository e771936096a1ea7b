/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a test's child records for the harness (parent) to judge, in memory shared across the fork:
 * the verdict functions of harness_verdict.c write it, harness.c reads it after the child is reaped.
 */
#ifndef MEMATTR_HARNESS_RESULT_H
#define MEMATTR_HARNESS_RESULT_H

#include <stdbool.h>

#include "fault_inject.h"

struct ma_child_result {
	volatile int failed;		/* an expectation failed, or a fatal error */
	volatile int ended;		/* the child ended through the harness (ma_fatal/skip/end/return) */
	volatile int skipped;
	volatile int xfailed;		/* a known failure happened (ma_xfail_next) */
	volatile int xpassed;		/* a known failure did not happen */
	volatile unsigned int checks;	/* expectations evaluated */
	char reason[512];		/* the skip reason */
	char known[256];		/* the reason of the known failure that happened or did not */
	struct ma_inject inject;	/* fault injection (harness --inject) */
};

/* Set in the test's child: the result it writes (NULL in the harness itself and outside tests). */
void ma_child_result_attach(struct ma_child_result *r);

#endif
