// SPDX-License-Identifier: GPL-2.0
/*
 * Guests verify their memory while the host is loaded by stress-ng (vm, mmap, memfd, madvise, cpu;
 * numa where there are two nodes) and by fio doing O_DIRECT and mmap'ed I/O, with fio's own verify,
 * on the very memfd that backs the guest's memory (the part of it the guest does not own).
 */
#include "stress.h"

#include "memattr/harness.h"
#include "memattr/kvm.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FILE_SIZE (8ull << 20) /* the memfd: the guest owns the first half, fio the second */
#define GUEST_SIZE (4ull << 20)

unsigned int st_numa_nodes(void)
{
	DIR *d = opendir("/sys/devices/system/node");
	struct dirent *e;
	unsigned int n = 0;

	if (!d)
		return 1;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "node", 4) && e->d_name[4] >= '0' && e->d_name[4] <= '9')
			n++;
	closedir(d);
	return n ? n : 1;
}

/* stress-ng --yaml: the sum of bogo-ops and of bogo-ops-per-second-real-time over the stressors */
static unsigned int parse_stressng(const char *y, double *ops, double *ops_s, char *per, size_t size)
{
	unsigned int n = 0;
	size_t len = 0;

	*ops = *ops_s = 0;
	per[0] = '\0';
	for (const char *p = y ? strstr(y, "- stressor: ") : NULL; p; p = strstr(p + 1, "- stressor: ")) {
		char name[32] = "";
		const char *b = strstr(p, "bogo-ops: "), *r = strstr(p, "bogo-ops-per-second-real-time: ");
		double v = 0, vs = 0;

		if (sscanf(p + 12, "%31s", name) != 1)
			name[0] = '\0';
		if (b)
			v = strtod(b + 10, NULL);
		if (r)
			vs = strtod(r + 31, NULL);
		*ops += v;
		*ops_s += vs;
		len += snprintf(per + len, len < size ? size - len : 0, " stressng_%s_ops_per_s=%.0f", name,
				vs);
		n++;
	}
	return n;
}

/* fio --output-format=json: per job its error and write bandwidth; the number of jobs */
static unsigned int parse_fio(const char *j, int *errors, double *write_bps, int *first_err)
{
	unsigned int n = 0;

	*errors = 0;
	*write_bps = 0;
	*first_err = 0;
	for (const char *p = j ? strstr(j, "\"jobname\"") : NULL; p; p = strstr(p + 1, "\"jobname\"")) {
		const char *e = strstr(p, "\"error\""), *w = strstr(p, "\"write\"");
		const char *bw = w ? strstr(w, "\"bw_bytes\"") : NULL;
		int err = e ? atoi(strchr(e, ':') + 1) : -1;

		if (err) {
			(*errors)++;
			if (!*first_err)
				*first_err = err;
		}
		if (bw)
			*write_bps += strtod(strchr(bw, ':') + 1, NULL);
		n++;
	}
	return n;
}

MA_TEST(stress, verify_under_tool_load, .duration_s = 4, .timeout_s = 180,
	.req = { .min_cpus = 2, .root = true },
	.source = "virt/kvm/kvm_main.c: a memslot over a memfd keeps mapping the file's pages while other processes do direct and mmap'ed I/O on the same file and the host runs out of idle CPU and free memory ("
		  MA_KERNEL_REF ")")
{
	char sng[256], fio[256], yaml[128], json[128], target[64], secs[16], per[400], vm_delta[600];
	unsigned int s = ma_duration_s(t), nstress, nfio;
	struct st_proc ps = { 0 }, pf = { 0 };
	int sst, fst, ferrs, ferr1;
	double ops_sum, ops_s, wbps;
	uint64_t ops, errors;
	struct st_vmstat v0, v1;
	char *y, *j, *fout, *sout;
	struct st_run r;
	bool late;

	st_tool_require("stress-ng", "stress-ng", sng, sizeof(sng));
	st_tool_require("fio", "fio", fio, sizeof(fio));
	struct ma_vm *vm = ma_test_vm(2);
	struct ma_mem *m = ma_test_mem(vm, 1, MA_TEST_GPA, FILE_SIZE, MA_BACK_MEMFD, MA_MT_NORMAL_WB);

	snprintf(target, sizeof(target), "/proc/%d/fd/%d", (int)getpid(), m->fd);
	snprintf(secs, sizeof(secs), "%us", s);
	snprintf(yaml, sizeof(yaml), "/tmp/memattr-stress-%d.yaml", (int)getpid());
	snprintf(json, sizeof(json), "/tmp/memattr-stress-%d.json", (int)getpid());
	st_run_init(&r, vm, t->name, s);
	st_vmstat_read(&v0);
	for (unsigned int i = 0; i < 2; i++)
		st_run_start(&r, i, MA_AGENT_STRESS_VERIFY,
			     MA_ARGS(MA_TEST_GPA + i * GUEST_SIZE / 2, GUEST_SIZE / 2, ST_CTRL_GPA,
				     0x100 * (i + 1), 0));
	{
		char *a[40] = { sng, "--vm", "1", "--vm-bytes", "32M", "--mmap", "1", "--mmap-bytes", "16M",
				"--memfd", "1", "--memfd-bytes", "8M", "--memfd-fds", "8", "--madvise", "1",
				"--cpu", "1", "-t", secs, "--metrics", "--yaml", yaml };
		unsigned int n = 24;

		if (st_numa_nodes() >= 2) {
			a[n++] = "--numa";
			a[n++] = "1";
		}
		a[n] = NULL;
		st_proc_start(&ps, a, "stress-ng");
	}
	st_proc_start(&pf,
		      (char *const[]){ fio,
				       "--output-format=json",
				       "--output",
				       json,
				       "--thread",
				       "--time_based",
				       "--runtime",
				       secs,
				       "--filename",
				       target,
				       "--bs=4k",
				       "--rw=randwrite",
				       "--verify=crc32c",
				       "--verify_backlog=64",
				       "--verify_fatal=1",
				       "--name=direct",
				       "--direct=1",
				       "--ioengine=psync",
				       "--offset=4M",
				       "--size=2M",
				       "--name=mmap",
				       "--direct=0",
				       "--ioengine=mmap",
				       "--offset=6M",
				       "--size=2M",
				       NULL },
		      "fio");
	while (st_run_tick(&r)) {
		snprintf(r.load, sizeof(r.load), "load=stress-ng,fio");
		usleep(200000);
	}
	st_run_stop(&r);
	st_vmstat_read(&v1);
	/* under emulation the tools take a while to wind down: 60 s more than asked */
	sst = st_proc_wait(&ps, s + 60.0, &late);
	MA_CHECK(!late, "stress-ng did not end within 60 s of its -t %s (stopped)", secs);
	fst = st_proc_wait(&pf, s + 60.0, &late);
	MA_CHECK(!late, "fio did not end within 60 s of its runtime %s (stopped)", secs);
	st_run_judge(&r, &ops, &errors);

	y = st_read_file(yaml);
	sout = st_read_file(ps.out);
	fout = st_read_file(pf.out);
	j = st_read_file(json);
	MA_CHECK(WIFEXITED(sst) && WEXITSTATUS(sst) == 0,
		 "stress-ng: wait status %#x (exit 2: a stressor failed, 3: no resources); it printed: %.600s",
		sst, sout ? sout : "");
	nstress = parse_stressng(y, &ops_sum, &ops_s, per, sizeof(per));
	MA_CHECK(nstress >= 4, "stress-ng's YAML (%s) names %u stressors, not the 4 or more started", yaml,
		 nstress);
	MA_CHECK(WIFEXITED(fst) && WEXITSTATUS(fst) == 0, "fio: wait status %#x; it printed: %.600s", fst,
		 fout ? fout : "");
	nfio = parse_fio(j ? strchr(j, '{') : NULL, &ferrs, &wbps, &ferr1);
	MA_CHECK(nfio == 2, "fio's JSON (%s) has %u jobs, not 2", json, nfio);
	MA_CHECK(!ferrs,
		 "fio: %d job(s) ended with an error, the first %d (84 EILSEQ: its verify found bad data)",
		 ferrs, ferr1);
	MA_CHECK(ops >= 2 * GUEST_SIZE / 4096, "too little happened to judge: %llu pages verified in %.1f s",
		 (unsigned long long)ops, r.elapsed);
	st_vmstat_delta(&v0, &v1, vm_delta, sizeof(vm_delta));
	ma_log("memattr-metric name=stress.tool_load seconds=%.2f vcpus=2 pages_verified=%llu pages_per_s=%.0f errors=%llu stressng_bogo_ops=%.0f stressng_bogo_ops_per_s=%.0f%s fio_write_mb_s=%.2f fio_jobs=%u fio_errors=%d fio_verify=%s %s",
	       r.elapsed, (unsigned long long)ops, ops / r.elapsed, (unsigned long long)errors, ops_sum,
	       ops_s, per, wbps / 1e6, nfio, ferrs, ferrs ? "failed" : "ok", vm_delta);
	free(y);
	free(j);
	free(fout);
	free(sout);
	remove(yaml);
	remove(json);
	remove(ps.out);
	remove(pf.out);
}
