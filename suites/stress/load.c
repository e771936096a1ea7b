// SPDX-License-Identifier: GPL-2.0
/*
 * The host load of the stress suite: stress-ng (vm, mmap, memfd, madvise, cpu; numa where there
 * are two nodes) and fio (O_DIRECT and mmap'ed writes with its own crc32c verify on the first
 * bytes of a file the caller names), run in rounds.  A tool that ends is judged at once (its exit
 * status, its report) and started again while the run has time left, so that an hour's soak
 * reports a failing round when it happens and counts the rounds and the work of every one.
 */
#include "stress.h"

#include "memattr/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* stress-ng --yaml: the number of stressors, the sum of their bogo-ops, and each one's rate */
static unsigned int parse_stressng(const char *y, double *ops, struct st_stressor_rate *rate)
{
	unsigned int n = 0;

	*ops = 0;
	for (const char *p = y ? strstr(y, "- stressor: ") : NULL; p; p = strstr(p + 1, "- stressor: ")) {
		const char *b = strstr(p, "bogo-ops: "), *r = strstr(p, "bogo-ops-per-second-real-time: ");

		if (b)
			*ops += strtod(b + 10, NULL);
		if (n < ST_MAX_STRESSORS) {
			if (sscanf(p + 12, "%31s", rate[n].name) != 1)
				rate[n].name[0] = '\0';
			rate[n].rate = r ? strtod(r + 31, NULL) : 0;
		}
		n++;
	}
	return n;
}

/* a round's per-stressor rates, weighted by its length secs, into the run's sums */
static void add_stressng_rates(struct st_load *l, const struct st_stressor_rate *rate, unsigned int n,
			       double secs)
{
	for (unsigned int i = 0; i < n && i < ST_MAX_STRESSORS; i++) {
		unsigned int j = 0;

		while (j < l->sng_nrate && strcmp(l->sng_rate[j].name, rate[i].name))
			j++;
		if (j == ST_MAX_STRESSORS)
			continue;
		if (j == l->sng_nrate)
			memcpy(l->sng_rate[l->sng_nrate++].name, rate[i].name, sizeof(rate[i].name));
		l->sng_rate[j].rate_x_s += rate[i].rate * secs;
	}
	l->sng_secs += secs;
}

/* fio --output-format=json: the number of jobs; per job its error and its bytes written */
static unsigned int parse_fio(const char *j, int *errors, int *first_err, double *bytes, double *bps)
{
	unsigned int n = 0;

	*errors = 0;
	*first_err = 0;
	*bytes = *bps = 0;
	for (const char *p = j ? strstr(j, "\"jobname\"") : NULL; p; p = strstr(p + 1, "\"jobname\"")) {
		const char *e = strstr(p, "\"error\""), *w = strstr(p, "\"write\"");
		const char *io = w ? strstr(w, "\"io_bytes\"") : NULL,
			   *bw = w ? strstr(w, "\"bw_bytes\"") : NULL;
		int err = e ? atoi(strchr(e, ':') + 1) : -1;

		if (err) {
			(*errors)++;
			if (!*first_err)
				*first_err = err;
		}
		if (io)
			*bytes += strtod(strchr(io, ':') + 1, NULL);
		if (bw)
			*bps += strtod(strchr(bw, ':') + 1, NULL);
		n++;
	}
	return n;
}

static void start_stressng(struct st_load *l, unsigned int secs)
{
	char t[16];
	char *a[32] = { l->sng, "--vm", "1", "--vm-bytes", "32M", "--mmap", "1", "--mmap-bytes", "16M",
			"--memfd", "1", "--memfd-bytes", "8M", "--memfd-fds", "8", "--madvise", "1",
			"--cpu", "1", "-t", t, "--metrics", "--yaml", l->yaml };
	unsigned int n = 24;

	snprintf(t, sizeof(t), "%us", secs);
	if (st_numa_nodes() >= 2) {
		a[n++] = "--numa";
		a[n++] = "1";
	}
	a[n] = NULL;
	l->sng_round_s = secs;
	st_proc_start(&l->ps, a, "stress-ng");
}

/*
 * The mmap job at offset 0 and the direct job after it.  fio's mmap engine maps a job's file from
 * offset 0 whatever the job's offset= (engines/mmap.c:fio_mmapio_prep_full, fio 3.41): a mmap job
 * at offset N writes the file's first bytes, which the soak found as fio's verify headers in the
 * guest's pages.  At offset 0 the job writes where it says.
 */
static void start_fio(struct st_load *l, unsigned int secs)
{
	char t[16], off[32], size[32];

	snprintf(t, sizeof(t), "%us", secs);
	snprintf(off, sizeof(off), "--offset=%llu", (unsigned long long)(l->fio_bytes / 2));
	snprintf(size, sizeof(size), "--size=%llu", (unsigned long long)(l->fio_bytes / 2));
	l->fio_round_s = secs;
	st_proc_start(&l->pf,
		      (char *const[]){ l->fio, "--output-format=json", "--output", l->json, "--thread",
				       "--time_based", "--runtime", t, "--filename", l->target, "--bs=4k",
				       "--rw=randwrite", "--verify=crc32c", "--verify_backlog=64",
				       "--verify_fatal=1",
				       "--name=mmap", "--direct=0", "--ioengine=mmap", "--offset=0", size,
				       "--name=direct", "--direct=1", "--ioengine=psync", off, size, NULL },
		      "fio");
}

void st_load_start(struct st_load *l, const char *target, uint64_t bytes, unsigned int seconds,
		   unsigned int round_s)
{
	memset(l, 0, sizeof(*l));
	st_tool_require("stress-ng", "stress-ng", l->sng, sizeof(l->sng));
	st_tool_require("fio", "fio", l->fio, sizeof(l->fio));
	snprintf(l->target, sizeof(l->target), "%s", target);
	snprintf(l->yaml, sizeof(l->yaml), "/tmp/memattr-stress-%d.yaml", (int)getpid());
	snprintf(l->json, sizeof(l->json), "/tmp/memattr-stress-%d.json", (int)getpid());
	l->fio_bytes = bytes;
	l->round_s = round_s ? round_s : seconds;
	l->end = ma_now_s() + seconds;
	start_stressng(l, l->round_s < seconds ? l->round_s : seconds);
	start_fio(l, l->round_s < seconds ? l->round_s : seconds);
}

/* stress-ng's round, ended with status st: judged, counted */
static void judge_stressng(struct st_load *l, int st, bool late)
{
	char *y = st_read_file(l->yaml), *out = st_read_file(l->ps.out);
	struct st_stressor_rate rate[ST_MAX_STRESSORS];
	double ops;
	unsigned int n = parse_stressng(y, &ops, rate);

	l->sng_rounds++;
	MA_CHECK(!late, "stress-ng round %u did not end within 60 s of its -t %us (stopped)", l->sng_rounds,
		 l->sng_round_s);
	MA_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		 "stress-ng round %u: wait status %#x (exit 2: a stressor failed, 3: no resources); it printed: %.600s",
		 l->sng_rounds, st, out ? out : "");
	MA_CHECK(n >= 4, "stress-ng round %u: its YAML (%s) names %u stressors, not the 4 or more started",
		 l->sng_rounds, l->yaml, n);
	if (n < 4 || !WIFEXITED(st) || WEXITSTATUS(st))
		l->sng_failed++;
	l->sng_ops += ops;
	add_stressng_rates(l, rate, n, l->sng_round_s);
	free(y);
	free(out);
	remove(l->yaml);
	remove(l->ps.out);
}

static void judge_fio(struct st_load *l, int st, bool late)
{
	char *j = st_read_file(l->json), *out = st_read_file(l->pf.out);
	int errs, err1;
	double bytes, bps;
	unsigned int n = parse_fio(j ? strchr(j, '{') : NULL, &errs, &err1, &bytes, &bps);

	l->fio_rounds++;
	MA_CHECK(!late, "fio round %u did not end within 60 s of its runtime %us (stopped)", l->fio_rounds,
		 l->fio_round_s);
	MA_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fio round %u: wait status %#x; it printed: %.600s",
		 l->fio_rounds, st, out ? out : "");
	MA_CHECK(n == 2, "fio round %u: its JSON (%s) has %u jobs, not 2", l->fio_rounds, l->json, n);
	MA_CHECK(!errs, "fio round %u: %d job(s) ended with an error, the first %d (84 EILSEQ: its verify found bad data)",
		 l->fio_rounds, errs, err1);
	if (n != 2 || errs || !WIFEXITED(st) || WEXITSTATUS(st))
		l->fio_failed++;
	l->fio_written += bytes;
	l->fio_bps_x_s += bps * l->fio_round_s;
	l->fio_secs += l->fio_round_s;
	free(j);
	free(out);
	remove(l->json);
	remove(l->pf.out);
}

/* a tool that ended: judged, and started again while more than 5 s are left */
void st_load_poll(struct st_load *l)
{
	double left = l->end - ma_now_s();
	int st;

	if (l->ps.pid && st_proc_done(&l->ps, &st)) {
		judge_stressng(l, st, false);
		if (left > 5)
			start_stressng(l, left < l->round_s ? (unsigned int)left : l->round_s);
	}
	if (l->pf.pid && st_proc_done(&l->pf, &st)) {
		judge_fio(l, st, false);
		if (left > 5)
			start_fio(l, left < l->round_s ? (unsigned int)left : l->round_s);
	}
}

void st_load_finish(struct st_load *l)
{
	bool late;
	int st;

	/* under emulation the tools take a while to wind down: 60 s more than asked */
	if (l->ps.pid) {
		st = st_proc_wait(&l->ps, l->sng_round_s + 60.0, &late);
		judge_stressng(l, st, late);
	}
	if (l->pf.pid) {
		st = st_proc_wait(&l->pf, l->fio_round_s + 60.0, &late);
		judge_fio(l, st, late);
	}
}

/*
 * The run's figures; a rate is the mean of the rounds' rates weighted by their lengths (the last
 * round of a run is cut to the time left, so its rate alone does not describe the run).
 */
void st_load_describe(const struct st_load *l, char *buf, size_t size)
{
	double all = 0, secs = l->sng_secs > 0 ? l->sng_secs : 1;
	char per[400];
	size_t len = 0;

	per[0] = '\0';
	for (unsigned int i = 0; i < l->sng_nrate; i++) {
		all += l->sng_rate[i].rate_x_s / secs;
		len += snprintf(per + len, len < sizeof(per) ? sizeof(per) - len : 0, " stressng_%s_ops_per_s=%.0f",
				l->sng_rate[i].name, l->sng_rate[i].rate_x_s / secs);
	}
	snprintf(buf, size,
		 "stressng_rounds=%u stressng_failed=%u stressng_bogo_ops=%.0f stressng_bogo_ops_per_s=%.0f%s fio_rounds=%u fio_failed=%u fio_written_mb=%.1f fio_write_mb_s=%.2f",
		 l->sng_rounds, l->sng_failed, l->sng_ops, all, per, l->fio_rounds, l->fio_failed,
		 l->fio_written / 1e6, l->fio_secs > 0 ? l->fio_bps_x_s / l->fio_secs / 1e6 : 0);
}
