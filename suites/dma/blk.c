// SPDX-License-Identifier: GPL-2.0
/*
 * dma: O_DIRECT reads from the cell's scratch virtio disk straight into the memory behind a memslot
 * while the guest runs, submitted with io_uring and with Linux AIO (raw system calls); the guest
 * checks each chunk as it completes.  Per source: whether the kernel takes the buffer (GUP), and the
 * data where it does.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/aio_abi.h>
#include <linux/io_uring.h>

#include "dma.h"

#define CHUNK (16u << 10)
#define CHUNKS 4u
#define DISK_OFF (1ull << 20)	/* where the pattern goes on the disk */

enum blk_api { BLK_IO_URING = 0, BLK_LIBAIO };

struct ring {
	int fd;
	unsigned int *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	aio_context_t aio;
};

static void *ring_map(int fd, size_t len, off_t off, const char *what)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, off);

	if (p == MAP_FAILED)
		ma_fatal("mmap of the io_uring %s: %s", what, ma_errno_name(errno));
	return p;
}

static void ring_open(struct ring *r, enum blk_api api)
{
	memset(r, 0, sizeof(*r));
	if (api == BLK_LIBAIO) {
		if (syscall(__NR_io_setup, 4, &r->aio))
			ma_fatal("io_setup: %s", ma_errno_name(errno));
		return;
	}
	struct io_uring_params p;
	char *sq, *cq;

	memset(&p, 0, sizeof(p));
	r->fd = (int)syscall(__NR_io_uring_setup, 4, &p);
	if (r->fd < 0) {
		long dis = ma_try_read_long("/proc/sys/kernel/io_uring_disabled");

		int e = errno;

		/* io_uring/io_uring.c:io_uring_setup refuses with EPERM when io_uring_disabled says so */
		if (e == EPERM)
			ma_skip("io_uring_setup: %s (kernel.io_uring_disabled = %ld)", ma_errno_name(e),
				dis);
		ma_fatal("io_uring_setup: %s", ma_errno_name(errno));
	}
	sq = ring_map(r->fd, p.sq_off.array + p.sq_entries * sizeof(unsigned int), IORING_OFF_SQ_RING, "SQ ring");
	cq = ring_map(r->fd, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe), IORING_OFF_CQ_RING,
		      "CQ ring");
	r->sqes = ring_map(r->fd, p.sq_entries * sizeof(struct io_uring_sqe), IORING_OFF_SQES, "SQEs");
	r->sq_tail = (unsigned int *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned int *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned int *)(sq + p.sq_off.array);
	r->cq_head = (unsigned int *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned int *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned int *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
}

/* One read of len bytes at off into buf, submitted and reaped: the request's result (bytes or -errno). */
static long ring_try_read(struct ring *r, enum blk_api api, int fd, void *buf, uint32_t len, uint64_t off)
{
	if (api == BLK_LIBAIO) {
		struct iocb cb = {
			.aio_fildes = (uint32_t)fd, .aio_lio_opcode = IOCB_CMD_PREAD,
			.aio_buf = (uintptr_t)buf, .aio_nbytes = len, .aio_offset = (int64_t)off,
		};
		struct iocb *cbs[1] = { &cb };
		struct io_event ev;
		struct timespec ts = { .tv_sec = 10 * ma_timeout_scale() };

		if (syscall(__NR_io_submit, r->aio, 1, cbs) != 1)
			ma_fatal("io_submit: %s", ma_errno_name(errno));
		if (syscall(__NR_io_getevents, r->aio, 1, 1, &ev, &ts) != 1)
			ma_fatal("io_getevents: %s", errno ? ma_errno_name(errno) : "no event within 10 s");
		return (long)ev.res;
	}
	unsigned int tail = *r->sq_tail, idx = tail & *r->sq_mask, head;
	struct io_uring_sqe *sqe = &r->sqes[idx];

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_READ;
	sqe->fd = fd;
	sqe->addr = (uintptr_t)buf;
	sqe->len = len;
	sqe->off = off;
	r->sq_array[idx] = idx;
	__atomic_store_n(r->sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, r->fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) != 1)
		ma_fatal("io_uring_enter: %s", ma_errno_name(errno));
	head = *r->cq_head;
	if (head == __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE))
		ma_fatal("io_uring_enter returned without a completion");
	long res = r->cqes[head & *r->cq_mask].res;

	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

/* The disk gets the pattern the guest expects at DMA_GPA, written with O_DIRECT from a plain buffer. */
static int disk_prepare(const char *disk, uint64_t seed)
{
	int fd = open(disk, O_RDWR | O_DIRECT | O_CLOEXEC);
	uint64_t *buf;

	if (fd < 0)
		ma_fatal("open %s O_DIRECT: %s", disk, ma_errno_name(errno));
	buf = mmap(NULL, CHUNK * CHUNKS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		ma_fatal("mmap: %s", ma_errno_name(errno));
	for (uint64_t off = 0; off < CHUNK * CHUNKS; off += 8)
		buf[off / 8] = ma_pattern_word(seed, DMA_GPA + off);
	ssize_t n = pwrite(fd, buf, CHUNK * CHUNKS, DISK_OFF);

	MA_REQUIRE(n == CHUNK * CHUNKS, "O_DIRECT write of the pattern to %s: %zd (%s)", disk, n,
		   n < 0 ? ma_errno_name(errno) : "short");
	if (fsync(fd))
		ma_fatal("fsync %s: %s", disk, ma_errno_name(errno));
	munmap(buf, CHUNK * CHUNKS);
	return fd;
}

struct reader {
	struct ring ring;
	enum blk_api api;
	struct ma_dma_ctrl *c;
	int fd;
	void *hva;
	long first_err;		/* the first request's result that was not CHUNK */
	uint64_t chunks_read;
};

static void *reader_thread(void *arg)
{
	struct reader *rd = arg;

	for (uint32_t i = 0; i < CHUNKS; i++) {
		long res = ring_try_read(&rd->ring, rd->api, rd->fd, (char *)rd->hva + (size_t)i * CHUNK,
					 CHUNK, DISK_OFF + (uint64_t)i * CHUNK);

		if (res != CHUNK) {
			rd->first_err = res;
			__atomic_store_n(&rd->c->stop, 1, __ATOMIC_RELEASE);
			return NULL;
		}
		rd->chunks_read++;
		__atomic_store_n(&rd->c->ready, i + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void blk_cell(struct ma_t *t, enum blk_api api)
{
	const struct dma_src *s = t->param;
	const char *disk = getenv("MEMATTR_DISK");
	struct dma_expect want = dma_expect_blk(s);
	const char *an = api == BLK_LIBAIO ? "libaio" : "io_uring";
	uint64_t seed = 0xb10c0000 + (uint64_t)(t->variant - dma_sources);
	struct reader rd = { .api = api, .first_err = CHUNK };
	struct ma_result res;
	struct dma_mem dm;
	struct ma_vm *vm;
	pthread_t th;
	double t0;
	int err;

	if (!disk || !*disk)
		ma_skip("MEMATTR_DISK unset: this cell has no scratch disk (memattr-run disk=)");
	vm = ma_test_vm(1);
	rd.c = dma_ctrl(vm);
	dma_mem_open(vm, s, &dm);
	if (!dm.cacheable)
		dma_mem_slot(vm, &dm);	/* the device memory sources; udmabuf stays without a slot */
	rd.fd = disk_prepare(disk, seed);
	rd.hva = dm.hva;
	memset(dm.hva, 0, CHUNK * CHUNKS);
	ring_open(&rd.ring, api);
	memset(rd.c, 0, sizeof(*rd.c));
	t0 = ma_now_s();
	err = pthread_create(&th, NULL, reader_thread, &rd);
	if (err)
		ma_fatal("pthread_create: %s", ma_errno_name(err));
	ma_vcpu_start(vm->vcpus[0], MA_AGENT_DMA_WATCH,
		      MA_ARGS(DMA_GPA, CHUNKS, CHUNK, seed, DMA_CTRL_GPA, MA_DMA_CHECK));
	enum ma_outcome o = ma_vcpu_resume(vm->vcpus[0], ma_default_run_timeout_ms() * 2, &res);

	if (o != MA_OUT_DONE)
		__atomic_store_n(&rd.c->stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	double secs = ma_now_s() - t0;

	if (o != MA_OUT_DONE) {
		char buf[512];

		ma_result_describe(&res, buf, sizeof(buf));
		ma_fatal("the guest's check did not complete: %s", buf);
	}
	long got = rd.first_err == CHUNK ? 0 : rd.first_err;

	ma_log("memattr-dma-matrix api=%s source=%s read=%s expected=%s memory=\"%s\"", an, s->name,
	       got ? (got < 0 ? ma_errno_name((int)-got) : "short") : "accepted",
	       want.err ? ma_errno_name(want.err) : "accepted", dm.desc);
	MA_REQUIRE(got == -want.err, "O_DIRECT %s read from %s into %s: %s%ld, expected %s (%s)", an, disk,
		   dm.desc, got < 0 ? ma_errno_name((int)-got) : "result ", got < 0 ? 0 : (long)CHUNK,
		   want.err ? ma_errno_name(want.err) : "accepted", want.why);
	if (want.err) {
		MA_CHECK(rd.c->done == 0, "the guest checked %llu chunks of a refused read",
			 (unsigned long long)rd.c->done);
		return;
	}
	MA_CHECK(res.ret.check.mismatches == 0,
		 "the guest read %llu words of the disk's data wrong, first at +%#llx: %#llx, expected %#llx",
		 (unsigned long long)res.ret.check.mismatches, (unsigned long long)res.ret.check.first_off,
		 (unsigned long long)res.ret.check.first_val,
		 (unsigned long long)ma_pattern_word(seed, DMA_GPA + res.ret.check.first_off));
	MA_CHECK(rd.c->done == CHUNKS, "the guest checked %llu of %u chunks", (unsigned long long)rd.c->done,
		 CHUNKS);
	ma_log("memattr-dma-matrix api=%s source=%s data=%s bytes=%llu", an, s->name,
	       ma_failed() ? "WRONG" : "verified", (unsigned long long)rd.c->done * CHUNK);
	ma_log("memattr-metric name=dma.blk.%s.%s verified_bytes=%llu wall_s=%.3f MBps=%.3f", an, s->name,
	       (unsigned long long)rd.c->done * CHUNK, secs, (double)rd.c->done * CHUNK / secs / 1e6);
}

MA_TEST(dma, blk_io_uring, MA_VARIANTS(dma_sources), .timeout_s = 60,
	.source = "io_uring/rw.c:io_read -> block/fops.c:blkdev_read_iter -> __blkdev_direct_IO_async -> block/bio.c:bio_iov_iter_get_pages: GUP on the buffer ("
		  MA_KERNEL_REF ")")
{
	blk_cell(t, BLK_IO_URING);
}

MA_TEST(dma, blk_libaio, MA_VARIANTS(dma_sources), .timeout_s = 60,
	.source = "fs/aio.c:aio_read -> block/fops.c:blkdev_read_iter -> __blkdev_direct_IO_async -> block/bio.c:bio_iov_iter_get_pages: GUP on the buffer ("
		  MA_KERNEL_REF ")")
{
	blk_cell(t, BLK_LIBAIO);
}
