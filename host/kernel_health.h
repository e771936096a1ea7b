/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel health around one test: what the kernel logged (/dev/kmsg) and which taint flags it gained
 * (/proc/sys/kernel/tainted) between before the test's child was forked and after it was reaped.
 */
#ifndef MEMATTR_KERNEL_HEALTH_H
#define MEMATTR_KERNEL_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

#include "memattr/harness.h"

struct ma_health {
	int kmsg_fd;			/* -errno if the log cannot be read */
	long taint;			/* -errno if the taint cannot be read */
};

struct ma_health_findings {
	unsigned int bad;			/* problem records not covered by the test's kernel_log */
	unsigned int known;			/* records matching the test's kernel_log */
	unsigned long new_taint;	/* taint bits gained */
};

/* Start watching; returns 0, or -errno if neither the log nor the taint can be read. */
int ma_try_health_begin(struct ma_health *h);
/*
 * Stop watching: prints a "# kernel: ..." diagnostic for each problem record (bounded) and the taint
 * gained, fills *f and closes what begin opened.
 */
void ma_health_end(struct ma_health *h, const struct ma_kernel_log *known, struct ma_health_findings *f);
/* Stop watching without judging. */
void ma_health_cancel(struct ma_health *h);
/* Whether a kernel log line reports a problem (WARN, BUG, Oops, lockdep, KASAN, stall...). */
bool ma_health_problem_line(const char *text);
/* The taint letters of bits, e.g. "W(9) O(12)", into buf. */
const char *ma_taint_letters(unsigned long bits, char *buf, size_t len);

#endif
