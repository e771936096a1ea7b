// SPDX-License-Identifier: GPL-2.0
/*
 * dma: fio (Debian's, in the cell with packages = fio) does O_DIRECT I/O with its own verify into
 * a shared file mapping that also backs a memslot, while the guest runs atomics on another page of
 * the same slot.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dma.h"

#define FIO_FILE_SIZE	(2ull << 20)
#define FIO_COUNTER_OFF	(FIO_FILE_SIZE - MA_PAGE_SIZE)	/* fio's buffers are at the start */
#define FIO_ROUND	20000u

static bool on_path(const char *tool, char *path, size_t len)
{
	const char *env = getenv("PATH");
	char *dirs = strdup(env && *env ? env : "/usr/bin:/bin"), *save = NULL;
	bool found = false;

	for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		snprintf(path, len, "%s/%s", d, tool);
		found = access(path, X_OK) == 0;
	}
	free(dirs);
	return found;
}

static bool cell_carries(const char *pkg)
{
	const char *l = getenv("MEMATTR_PACKAGES");
	size_t n = strlen(pkg);

	for (const char *p = l; p && *p; p += strcspn(p, " ")) {
		p += strspn(p, " ");
		if (strncmp(p, pkg, n) == 0 && (p[n] == ' ' || !p[n]))
			return true;
	}
	return false;
}

static char *slurp(const char *path)
{
	static char buf[16384];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

/*
 * The shared file, mapped: fio maps it MAP_SHARED (iomem=mmapshared:FILE, no truncation of an
 * existing file) for its I/O buffers at offset 0; the memslot maps all of it.
 */
static char *fio_shared_file(char *file, size_t len)
{
	char *buf;
	int fd;

	snprintf(file, len, "/dev/shm/memattr-fio-%d", (int)getpid());
	fd = open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, FIO_FILE_SIZE))
		ma_fatal("creating %s: %s", file, ma_errno_name(errno));
	buf = mmap(NULL, FIO_FILE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (buf == MAP_FAILED)
		ma_fatal("mmap of %s: %s", file, ma_errno_name(errno));
	return buf;
}

/* fio's O_DIRECT random writes to disk from its buffers in file, verified (crc32c); output to out. */
static pid_t fio_start(char *fio, const char *disk, const char *file, const char *out)
{
	char iomem[96], fname[96];
	pid_t pid;

	snprintf(iomem, sizeof(iomem), "--iomem=mmapshared:%s", file);
	snprintf(fname, sizeof(fname), "--filename=%s", disk);
	char *argv[] = { fio, "--name=memattr-dma", fname, "--direct=1", "--rw=randwrite", "--bs=64k",
			 "--size=16m", "--offset=8m", "--ioengine=psync", iomem, "--verify=crc32c",
			 "--do_verify=1", "--verify_fatal=1", "--norandommap", "--randrepeat=1", NULL };

	pid = fork();
	if (pid < 0)
		ma_fatal("fork: %s", ma_errno_name(errno));
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o >= 0) {
			dup2(o, 1);
			dup2(o, 2);
		}
		execv(fio, argv);
		_exit(127);
	}
	return pid;
}

/*
 * Rounds of guest atomics on counter until fio (pid, started at t0) ends, each round's count exact:
 * fio's wait status; the rounds and the increments in *rounds and *want.
 */
static int atomics_until_fio_ends(struct ma_vm *vm, enum ma_atomic_flavour fl, volatile uint64_t *counter,
				  pid_t pid, double t0, uint64_t *rounds, uint64_t *want)
{
	struct ma_result res;
	int status = 0;

	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (ma_now_s() - t0 > 120.0 * ma_timeout_scale()) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			ma_fatal("fio still running after %u s", 120 * ma_timeout_scale());
		}
		ma_run_agent_done(vm->vcpus[0], MA_AGENT_ATOMIC_INC,
				  MA_ARGS(DMA_GPA + FIO_COUNTER_OFF, FIO_ROUND, fl, 0), &res,
				  "atomic increments beside fio's buffers");
		*want += res.ret.atomic.increments;
		(*rounds)++;
		MA_CHECK(*counter == *want && !res.ret.atomic.unsupported,
			 "the counter holds %llu after %llu increments (round %llu, flavour %d, unsupported %llu)",
			 (unsigned long long)*counter, (unsigned long long)*want, (unsigned long long)*rounds,
			 (int)fl, (unsigned long long)res.ret.atomic.unsupported);
	}
	return status;
}

MA_TEST(dma, fio_verify_with_guest_atomics, .req = { .root = true }, .timeout_s = 180,
	.source = "block/fops.c:__blkdev_direct_IO: fio's O_DIRECT buffers are pinned pages of the shmem file (mm/gup.c) that the memslot maps too; virt/kvm/kvm_main.c: the guest's atomics on another page of the slot stay exact ("
		  MA_KERNEL_REF ")")
{
	const char *disk = getenv("MEMATTR_DISK");
	char fio[256], file[64], out[64];
#ifdef __aarch64__
	const enum ma_atomic_flavour fl = MA_ATOMIC_LLSC;	/* every arm64 CPU has it (a57: no LSE) */
#else
	const enum ma_atomic_flavour fl = MA_ATOMIC_X86_XADD;
#endif
	struct ma_result res;
	struct ma_vm *vm;
	uint64_t rounds = 0, want = 0;
	volatile uint64_t *counter;
	int status;
	double t0;
	pid_t pid;
	char *buf;

	if (!disk || !*disk)
		ma_skip("MEMATTR_DISK unset: this cell has no scratch disk (memattr-run disk=)");
	if (!on_path("fio", fio, sizeof(fio))) {
		MA_REQUIRE(!cell_carries("fio"), "fio is not on PATH although the cell carries the package (MEMATTR_PACKAGES=%s)",
			   getenv("MEMATTR_PACKAGES"));
		ma_skip("fio is not on PATH and the cell carries no fio package (memattr-run packages=)");
	}
	buf = fio_shared_file(file, sizeof(file));
	snprintf(out, sizeof(out), "/tmp/memattr-fio-%d.out", (int)getpid());
	vm = ma_test_vm(1);
	ma_add_slot(vm, 1, 0, DMA_GPA, FIO_FILE_SIZE, buf);
	ma_map(vm, DMA_GPA, DMA_GPA, FIO_FILE_SIZE, MA_MT_NORMAL_WB);
	counter = (volatile uint64_t *)(buf + FIO_COUNTER_OFF);

	t0 = ma_now_s();
	pid = fio_start(fio, disk, file, out);
	/* the guest adds while fio runs; each round's count must be exact */
	status = atomics_until_fio_ends(vm, fl, counter, pid, t0, &rounds, &want);
	double secs = ma_now_s() - t0;
	char *log = slurp(out);

	unlink(file);
	MA_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		 "fio (O_DIRECT randwrite + crc32c verify through the slot's pages) ended with status %#x: %.600s",
		 status, log);
	MA_CHECK(!strstr(log, "verify") || !strstr(log, "bad"), "fio reported a verify failure: %.600s", log);
	MA_CHECK(rounds > 0, "the guest ran no round of atomics while fio ran");
	/* what fio's last read left in its buffer is what the guest reads there */
	ma_run_agent_done(vm->vcpus[0], MA_AGENT_LOAD64, MA_ARGS(DMA_GPA + 64), &res, "load of fio's buffer");
	MA_CHECK(res.ret.load.value == *(volatile uint64_t *)(buf + 64),
		 "the guest reads %#llx in fio's buffer, the host %#llx",
		 (unsigned long long)res.ret.load.value,
		 (unsigned long long)*(volatile uint64_t *)(buf + 64));
	ma_log("memattr-metric name=dma.fio_verify_with_guest_atomics fio_bytes=%u wall_s=%.3f guest_rounds=%llu guest_increments=%llu",
	       16u << 20, secs, (unsigned long long)rounds, (unsigned long long)want);
}
