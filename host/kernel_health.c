// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel health around one test (kernel_health.h).  Problem records are recognised by the
 * headers the kernel prints for them (lib/bug.c, kernel/panic.c:__warn, arch die(), lockdep.c,
 * mm/kasan/report.c, mm/kfence/report.c, lib/ubsan.c, kernel/rcu/tree_stall.h, kernel/hung_task.c,
 * kernel/watchdog.c); the taint letters are those of kernel/panic.c:taint_flags (7.2).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kernel_health.h"
#include "memattr/kmsg.h"
#include "memattr/pfnmap.h"
#include "memattr/util.h"

#define MAX_REPORTED 8

static long try_read_taint(void)
{
	return ma_try_read_long("/proc/sys/kernel/tainted");
}

int ma_try_health_begin(struct ma_health *h)
{
	h->kmsg_fd = ma_try_kmsg_open_at_end();
	h->taint = try_read_taint();
	return h->kmsg_fd < 0 && h->taint < 0 ? h->kmsg_fd : 0;
}

bool ma_health_problem_line(const char *text)
{
	static const char *const headers[] = {
		"WARNING:", "BUG:", "Oops", "kernel BUG at", "Internal error:", "Unable to handle kernel",
		"general protection fault", "KASAN:", "KFENCE:", "UBSAN:", "possible circular locking",
		"possible recursive locking", "inconsistent lock state", "suspicious RCU usage",
		"detected stalls on CPUs", "self-detected stall", "blocked for more than", "soft lockup",
		"hard LOCKUP", "Kernel panic", "list_add corruption", "list_del corruption",
		"Bad page state", "Bad page map", "refcount_t:",
	};

	for (size_t i = 0; i < MA_ARRAY_SIZE(headers); i++)
		if (strstr(text, headers[i]))
			return true;
	return false;
}

const char *ma_taint_letters(unsigned long bits, char *buf, size_t len)
{
	static const char letters[] = "PFSRMBUDAWCIOELKXTN";
	size_t o = 0;

	buf[0] = 0;
	for (unsigned int b = 0; b < 8 * sizeof(bits) && o < len; b++)
		if (bits & (1ul << b))
			o += (size_t)snprintf(buf + o, len - o, "%s%c(%u)", o ? " " : "",
					      b < sizeof(letters) - 1 ? letters[b] : '?', b);
	return buf;
}

/*
 * One incident: the records from "[ cut here ]" (or a problem header outside one) to the "---[ end
 * trace ]---" marker.  A WARN() prints its message and its "WARNING:" header as separate records, so a
 * known record is matched against the whole incident.
 */
struct incident {
	bool open, known;
	unsigned int nproblems;
	unsigned int context_left;	/* records still to append to the last problem line */
	char lines[MAX_REPORTED][512];
};

/*
 * The records right after a problem header say where it was (a WARN's "CPU: ... PID: ..." and
 * "Hardware name", a stall's CPU list and "(detected by N, t=J jiffies ...)"): the first ones but
 * the module list are appended to its line.
 */
#define CONTEXT_RECORDS 2

static void add_context(struct incident *in, const char *msg, int len)
{
	size_t o;

	if (!in->context_left || !in->nproblems || in->nproblems > MAX_REPORTED ||
	    !strncmp(msg, "Modules linked in", 17))
		return;
	in->context_left--;
	o = strlen(in->lines[in->nproblems - 1]);
	if (o < sizeof(in->lines[0]) - 4)
		snprintf(in->lines[in->nproblems - 1] + o, sizeof(in->lines[0]) - o, " | %.*s", len, msg);
}

static void incident_close(struct incident *in, const struct ma_kernel_log *known,
			   struct ma_health_findings *f)
{
	if (in->open && in->nproblems) {
		unsigned int shown = in->nproblems < MAX_REPORTED ? in->nproblems : MAX_REPORTED;

		for (unsigned int i = 0; i < shown; i++) {
			if (in->known)
				printf("# kernel (known: %s): %s\n",
				       known->why ? known->why : known->match, in->lines[i]);
			else if (f->bad + i < MAX_REPORTED)
				printf("# kernel: %s\n", in->lines[i]);
		}
		if (in->known)
			f->known++;
		else
			f->bad += in->nproblems;
	}
	memset(in, 0, sizeof(*in));
}

static void scan_log(int fd, const struct ma_kernel_log *known, struct ma_health_findings *f)
{
	struct incident in = { 0 };
	char rec[8192];

	const char *msg;
	int len;

	while ((msg = ma_kmsg_next(fd, rec, sizeof(rec), &len))) {
		if (strstr(msg, "[ cut here ]")) {
			incident_close(&in, known, f);
			in.open = true;
			continue;
		}
		if (ma_health_problem_line(msg)) {
			in.open = true;
			if (in.nproblems < MAX_REPORTED)
				snprintf(in.lines[in.nproblems], sizeof(in.lines[0]), "%.*s", len, msg);
			in.nproblems++;
			in.context_left = CONTEXT_RECORDS;
		} else if (in.open) {
			add_context(&in, msg, len);
		}
		if (in.open && known && known->match && strstr(msg, known->match))
			in.known = true;
		if (strstr(msg, "---[ end trace"))
			incident_close(&in, known, f);
	}
	incident_close(&in, known, f);
}

void ma_health_end(struct ma_health *h, const struct ma_kernel_log *known, struct ma_health_findings *f)
{
	char letters[128];
	long taint;

	memset(f, 0, sizeof(*f));
	if (h->kmsg_fd >= 0) {
		scan_log(h->kmsg_fd, known, f);
		close(h->kmsg_fd);
		h->kmsg_fd = -EBADF;
	}
	if (f->bad > MAX_REPORTED)
		printf("# kernel: ... %u problem records in all\n", f->bad);
	if (f->known && !f->bad && known && known->match)
		printf("# kernel: %u incident(s) matched the test's known record '%s'\n",
		       f->known, known->match);
	taint = h->taint >= 0 ? try_read_taint() : -EBADF;
	if (h->taint >= 0 && taint < 0) {
		printf("# kernel: /proc/sys/kernel/tainted could be read before the test but not after: %s\n",
		       strerror((int)-taint));
		f->bad++;
	} else if (taint >= 0 && h->taint >= 0) {
		f->new_taint = (unsigned long)taint & ~(unsigned long)h->taint;
		if (f->new_taint)
			printf("# kernel: taint gained: %s\n",
			       ma_taint_letters(f->new_taint, letters, sizeof(letters)));
	}
}

void ma_health_cancel(struct ma_health *h)
{
	if (h->kmsg_fd >= 0)
		close(h->kmsg_fd);
	h->kmsg_fd = -EBADF;
}
