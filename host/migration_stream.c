// SPDX-License-Identifier: GPL-2.0
/*
 * Saving and restoring a VM (memattr/migration_stream.h): vCPU state items, memslot memory, the
 * source machine's identity, and the stream file of docs/migration-stream.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "memattr/harness.h"
#include "memattr/kvm.h"
#include "memattr/migration_stream.h"

enum {
	REC_IDENTITY = 1,
	REC_NOTES = 2,
	REC_SLOT = 3,
	REC_VCPU = 4,
	REC_END = 5,
	REC_PFN_SLOT = 6, /* version 2 */
};

#define PFN_SOURCE_BYTES 32u

void ma_vstate_add(struct ma_vcpu_state *s, uint32_t kind, uint64_t id, const void *data, uint32_t len)
{
	struct ma_vstate_item *it;

	if (s->n == s->cap) {
		unsigned int cap = s->cap ? 2 * s->cap : 64;
		struct ma_vstate_item *n = realloc(s->items, cap * sizeof(*n));

		if (!n)
			ma_fatal("out of memory for %u vCPU state items", cap);
		s->items = n;
		s->cap = cap;
	}
	it = &s->items[s->n];
	it->data = malloc(len ? len : 1);
	if (!it->data)
		ma_fatal("out of memory for a %u-byte vCPU state item", len);
	memcpy(it->data, data, len);
	it->kind = kind;
	it->id = id;
	it->len = len;
	s->n++;
}

void ma_vstate_free(struct ma_vcpu_state *s)
{
	for (unsigned int i = 0; i < s->n; i++)
		free(s->items[i].data);
	free(s->items);
	s->items = NULL;
	s->n = 0;
	s->cap = 0;
}

void ma_vcpu_state_save(struct ma_vcpu *v, struct ma_vcpu_state *s)
{
	const char *what = "?";
	int r;

	memset(s, 0, sizeof(*s));
	s->index = v->index;
	r = ma_arch_try_vcpu_state_save(v, s, &what);
	if (r)
		ma_fatal("saving the state of vCPU %u: %s: %s", v->index, what, ma_errno_name(-r));
}

void ma_vcpu_complete_pending(struct ma_vcpu *v)
{
	long r;

	v->run->immediate_exit = 1;
	r = ma_try_ioctl(v->fd, KVM_RUN, NULL);
	v->run->immediate_exit = 0;
	MA_CHECK(r == -EINTR,
		 "vCPU %u: KVM_RUN with immediate_exit (completing the pending exit): %s, expected EINTR",
		 v->index, r < 0 ? ma_errno_name((int)-r) : "success");
}

static void appendf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t at = strnlen(buf, len);
	va_list ap;

	if (at + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + at, len - at, fmt, ap);
	va_end(ap);
}

void ma_mig_identity(struct ma_vm *vm, char *buf, size_t len)
{
	struct utsname u;

	buf[0] = '\0';
	if (uname(&u))
		ma_fatal("uname: %s", ma_errno_name(errno));
	appendf(buf, len, "arch=%s\nkernel=%s\nmachine=%s\nhost_page_size=%llu\n", ma_host_arch(), u.release,
		u.machine, (unsigned long long)ma_host_page_size());
	if (vm->nr_vcpus)
		ma_arch_mig_identity(vm->vcpus[0], buf, len);
}

bool ma_mig_kv(const char *lines, const char *key, char *val, size_t len)
{
	size_t kl = strlen(key);
	const char *p = lines;

	if (len)
		val[0] = '\0';
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t ll = eol ? (size_t)(eol - p) : strlen(p);

		if (ll > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			size_t vl = ll - kl - 1;

			if (vl >= len)
				vl = len - 1;
			memcpy(val, p + kl + 1, vl);
			val[vl] = '\0';
			return true;
		}
		p = eol ? eol + 1 : NULL;
	}
	return false;
}

void ma_mig_capture(struct ma_vm *vm, struct ma_mig_image *img)
{
	memset(img, 0, sizeof(*img));
	ma_mig_identity(vm, img->identity, sizeof(img->identity));
	for (unsigned int i = 0; i < MA_MAX_TRACKED_SLOTS; i++) {
		const struct kvm_userspace_memory_region2 *r = &vm->slots[i].r;
		struct ma_mig_slot *s;

		if (!vm->slots[i].used)
			continue;
		if (img->nr_slots == MA_MIG_MAX_SLOTS)
			ma_fatal("a VM with more than %u memslots cannot be saved", MA_MIG_MAX_SLOTS);
		if (!r->userspace_addr || (r->flags & KVM_MEM_GUEST_MEMFD))
			ma_fatal("memslot %u has no host memory to save (flags %#x)", r->slot, r->flags);
		s = &img->slots[img->nr_slots++];
		s->slot = r->slot;
		s->flags = r->flags;
		s->gpa = r->guest_phys_addr;
		s->size = r->memory_size;
		s->data = malloc(s->size);
		if (!s->data)
			ma_fatal("out of memory for a copy of memslot %u (%llu bytes)", s->slot,
				 (unsigned long long)s->size);
		memcpy(s->data, (void *)(uintptr_t)r->userspace_addr, s->size);
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		ma_vcpu_complete_pending(vm->vcpus[i]);
		ma_vcpu_state_save(vm->vcpus[i], &img->vcpus[i]);
	}
	img->nr_vcpus = vm->nr_vcpus;
}

void ma_mig_image_free(struct ma_mig_image *img)
{
	for (unsigned int i = 0; i < img->nr_slots; i++)
		free(img->slots[i].data);
	for (unsigned int i = 0; i < img->nr_vcpus; i++)
		ma_vstate_free(&img->vcpus[i]);
	img->nr_slots = 0;
	img->nr_vcpus = 0;
}

/* ---- the file ---- */

struct wr {
	FILE *f;
	int err;
};

static void put(struct wr *w, const void *p, size_t n)
{
	if (!w->err && n && fwrite(p, 1, n, w->f) != n)
		w->err = errno ? errno : EIO;
}

static void put32(struct wr *w, uint32_t v)
{
	put(w, &v, 4); /* little-endian hosts only (arm64, x86_64) */
}

static void put64(struct wr *w, uint64_t v)
{
	put(w, &v, 8);
}

static void pad8(struct wr *w, uint64_t n)
{
	static const uint8_t zero[8];

	put(w, zero, (8 - n % 8) % 8);
}

static void record(struct wr *w, uint32_t type, uint64_t len)
{
	put32(w, type);
	put32(w, 0);
	put64(w, len);
}

static void text_record(struct wr *w, uint32_t type, const char *text, size_t max)
{
	size_t n = strnlen(text, max);

	record(w, type, n);
	put(w, text, n);
	pad8(w, n);
}

static uint64_t vcpu_bytes(const struct ma_vcpu_state *s)
{
	uint64_t n = 8;

	for (unsigned int i = 0; i < s->n; i++)
		n += 16 + (s->items[i].len + 7ull) / 8 * 8;
	return n;
}

int ma_try_mig_write(const char *path, const struct ma_mig_image *img)
{
	struct wr w = { 0 };

	w.f = fopen(path, "wbe");
	if (!w.f)
		return -errno;
	put(&w, MA_MIG_MAGIC, 8);
	put32(&w, MA_MIG_VERSION);
	put32(&w, 16); /* header bytes */
	text_record(&w, REC_IDENTITY, img->identity, sizeof(img->identity));
	text_record(&w, REC_NOTES, img->notes, sizeof(img->notes));
	for (unsigned int i = 0; i < img->nr_slots; i++) {
		const struct ma_mig_slot *s = &img->slots[i];
		char name[PFN_SOURCE_BYTES] = { 0 };

		uint64_t head = 24 + (s->pfnmap ? 8 + PFN_SOURCE_BYTES : 0);

		record(&w, s->pfnmap ? REC_PFN_SLOT : REC_SLOT, head + s->size);
		put32(&w, s->slot);
		put32(&w, s->flags);
		put64(&w, s->gpa);
		put64(&w, s->size);
		if (s->pfnmap) {
			snprintf(name, sizeof(name), "%s", s->source);
			put32(&w, s->cacheable);
			put32(&w, 0);
			put(&w, name, sizeof(name));
		}
		put(&w, s->data, s->size);
		pad8(&w, s->size);
	}
	for (unsigned int i = 0; i < img->nr_vcpus; i++) {
		const struct ma_vcpu_state *s = &img->vcpus[i];

		record(&w, REC_VCPU, vcpu_bytes(s));
		put32(&w, s->index);
		put32(&w, s->n);
		for (unsigned int j = 0; j < s->n; j++) {
			put32(&w, s->items[j].kind);
			put32(&w, s->items[j].len);
			put64(&w, s->items[j].id);
			put(&w, s->items[j].data, s->items[j].len);
			pad8(&w, s->items[j].len);
		}
	}
	record(&w, REC_END, 0);
	if (fclose(w.f) && !w.err)
		w.err = errno;
	return -w.err;
}

struct rd {
	const uint8_t *p;
	uint64_t left;
};

static bool take(struct rd *r, void *dst, uint64_t n)
{
	if (r->left < n)
		return false;
	if (dst)
		memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
	return true;
}

static bool take32(struct rd *r, uint32_t *v)
{
	return take(r, v, 4);
}

static bool take64(struct rd *r, uint64_t *v)
{
	return take(r, v, 8);
}

/* Skip the padding after n bytes of a record or item: up to the next multiple of 8, or what is left. */
static void skip_pad(struct rd *r, uint64_t n)
{
	uint64_t pad = (8 - n % 8) % 8;

	take(r, NULL, pad <= r->left ? pad : r->left);
}

/* The magic, the version (*version) and the rest of the header. */
static int try_parse_header(struct rd *r, uint32_t *version, char *err, size_t len)
{
	uint32_t hdr;
	char magic[8];

	if (!take(r, magic, 8) || memcmp(magic, MA_MIG_MAGIC, 8))
		return snprintf(err, len, "no %s magic at the start", MA_MIG_MAGIC), -EINVAL;
	if (!take32(r, version) || !take32(r, &hdr) || hdr < 16 || !take(r, NULL, hdr - 16))
		return snprintf(err, len, "truncated header"), -EINVAL;
	if (*version != 1 && *version != MA_MIG_VERSION)
		return snprintf(err, len, "stream version %u, this reader knows 1 to %u", *version,
				MA_MIG_VERSION),
		       -EPROTO;
	return 0;
}

/* An identity or notes record: its text into img. */
static int try_parse_text(const struct rd *rec, uint32_t type, struct ma_mig_image *img, char *err,
			  size_t len)
{
	char *dst = type == REC_IDENTITY ? img->identity : img->notes;
	size_t max = type == REC_IDENTITY ? sizeof(img->identity) : sizeof(img->notes);

	if (rec->left >= max)
		return snprintf(err, len, "text record of %llu bytes", (unsigned long long)rec->left),
		       -EINVAL;
	memcpy(dst, rec->p, rec->left);
	dst[rec->left] = '\0';
	return 0;
}

/* A slot record (REC_SLOT) or, from version 2, a PFNMAP slot record: the next slot of img. */
static int try_parse_slot(struct rd *rec, uint32_t type, uint32_t version, struct ma_mig_image *img,
			  char *err, size_t len)
{
	struct ma_mig_slot *s;
	uint32_t cacheable, zero2;

	if (img->nr_slots == MA_MIG_MAX_SLOTS)
		return snprintf(err, len, "more than %u slots", MA_MIG_MAX_SLOTS), -EINVAL;
	if (type == REC_PFN_SLOT && version < 2)
		return snprintf(err, len, "a PFNMAP slot record in a version %u stream", version), -EINVAL;
	s = &img->slots[img->nr_slots];
	if (!take32(rec, &s->slot) || !take32(rec, &s->flags) || !take64(rec, &s->gpa) ||
	    !take64(rec, &s->size))
		return snprintf(err, len, "bad slot record"), -EINVAL;
	if (type == REC_PFN_SLOT) {
		if (!take32(rec, &cacheable) || !take32(rec, &zero2) ||
		    !take(rec, s->source, PFN_SOURCE_BYTES))
			return snprintf(err, len, "bad PFNMAP slot record"), -EINVAL;
		s->source[PFN_SOURCE_BYTES - 1] = '\0';
		s->pfnmap = true;
		s->cacheable = cacheable != 0;
	}
	if (s->size != rec->left)
		return snprintf(err, len, "bad slot record"), -EINVAL;
	s->data = malloc(s->size ? s->size : 1);
	if (!s->data)
		return -ENOMEM;
	take(rec, s->data, s->size);
	img->nr_slots++;
	return 0;
}

/* A vCPU record: the next vCPU of img and its state items. */
static int try_parse_vcpu(struct rd *rec, struct ma_mig_image *img, char *err, size_t len)
{
	struct ma_vcpu_state *s;
	uint32_t n;

	if (img->nr_vcpus == MA_MAX_VCPUS)
		return snprintf(err, len, "more than %u vCPUs", MA_MAX_VCPUS), -EINVAL;
	s = &img->vcpus[img->nr_vcpus++];
	memset(s, 0, sizeof(*s));
	if (!take32(rec, &s->index) || !take32(rec, &n))
		return snprintf(err, len, "bad vCPU record"), -EINVAL;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t kind, ilen;
		uint64_t id;

		if (!take32(rec, &kind) || !take32(rec, &ilen) || !take64(rec, &id) || rec->left < ilen)
			return snprintf(err, len, "bad item %u of vCPU %u", i, s->index), -EINVAL;
		ma_vstate_add(s, kind, id, rec->p, ilen);
		take(rec, NULL, ilen);
		skip_pad(rec, ilen);
	}
	return 0;
}

/* A whole stream in buf into img: 0, or -errno with err saying what is wrong. */
static int try_parse(const uint8_t *buf, uint64_t size, struct ma_mig_image *img, char *err, size_t len)
{
	struct rd r = { buf, size };
	uint32_t version, type, zero;
	uint64_t rlen;
	int ret = try_parse_header(&r, &version, err, len);

	while (!ret) {
		struct rd rec;

		if (!take32(&r, &type) || !take32(&r, &zero) || !take64(&r, &rlen) || rlen > r.left)
			return snprintf(err, len, "truncated record at offset %llu",
					(unsigned long long)(size - r.left)),
			       -EINVAL;
		rec.p = r.p;
		rec.left = rlen;
		take(&r, NULL, rlen);
		skip_pad(&r, rlen);
		switch (type) {
		case REC_IDENTITY:
		case REC_NOTES:
			ret = try_parse_text(&rec, type, img, err, len);
			break;
		case REC_SLOT:
		case REC_PFN_SLOT:
			ret = try_parse_slot(&rec, type, version, img, err, len);
			break;
		case REC_VCPU:
			ret = try_parse_vcpu(&rec, img, err, len);
			break;
		case REC_END:
			return 0;
		default:
			return snprintf(err, len, "unknown record type %u", type), -EINVAL;
		}
	}
	return ret;
}

int ma_try_mig_read(const char *path, struct ma_mig_image *img, char *err, size_t len)
{
	FILE *f = fopen(path, "rbe");
	uint8_t *buf = NULL;
	long size;
	int r;

	memset(img, 0, sizeof(*img));
	snprintf(err, len, "reading %s", path);
	if (!f)
		return -errno;
	size = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
	if (size < 0 || fseek(f, 0, SEEK_SET)) {
		r = -errno;
		fclose(f);
		return r;
	}
	buf = malloc((size_t)size + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
		r = ferror(f) ? -EIO : -EINVAL;
		fclose(f);
		free(buf);
		return r;
	}
	fclose(f);
	err[0] = '\0';
	r = try_parse(buf, (uint64_t)size, img, err, len);
	free(buf);
	if (r)
		ma_mig_image_free(img);
	return r;
}

#define SCTLR_EL1 ARM64_SYS_REG(3, 0, 1, 0, 0)
#define SCTLR_M 1ull

void ma_mig_prime_stage2(struct ma_vm *vm)
{
#if defined(__aarch64__)
	struct ma_vcpu *v = vm->vcpus[0];
	uint8_t *mbox = ma_gpa_to_hva(vm, v->mbox_gpa);
	uint8_t *stack = ma_gpa_to_hva(vm, MA_STACK_GPA + v->index * MA_STACK_SIZE);
	static uint8_t mbox_save[MA_MAILBOX_STRIDE], stack_save[MA_STACK_SIZE];
	struct ma_result res;
	uint64_t sctlr;
	int r;

	if (!mbox || !stack)
		ma_fatal("vCPU %u's mailbox or stack is in no memslot", v->index);
	memcpy(mbox_save, mbox, sizeof(mbox_save));
	memcpy(stack_save, stack, sizeof(stack_save));
	/* the start primes the tables only with the MMU off: a restored state may have it on */
	r = ma_try_get_one_reg(v, SCTLR_EL1, &sctlr);
	if (!r)
		r = ma_try_set_one_reg(v, SCTLR_EL1, sctlr & ~SCTLR_M);
	if (r)
		ma_fatal("vCPU %u: SCTLR_EL1 with the MMU off for the priming run: %s", v->index,
			 ma_errno_name(-r));
	/* enters with the MMU off (the vCPU's reset state), primes the tables, turns it on */
	ma_run_agent_done(v, MA_AGENT_NOP, MA_NO_ARGS, &res, "start that faults in the stage-1 tables");
	/*
	 * The run ended in the doorbell's MMIO exit: complete it now, or the next KVM_RUN would skip
	 * the instruction at the restored PC (arm64 completes an MMIO exit by PC += 4)
	 */
	ma_vcpu_complete_pending(v);
	memcpy(mbox, mbox_save, sizeof(mbox_save));
	memcpy(stack, stack_save, sizeof(stack_save));
#else
	(void)vm;
#endif
}

struct ma_vm *ma_mig_restore(const struct ma_mig_image *img, struct ma_vstate_finding *f, unsigned int max,
			     unsigned int *nf)
{
	return ma_mig_restore_pfn(img, NULL, NULL, f, max, nf);
}

struct ma_vm *ma_mig_restore_pfn(const struct ma_mig_image *img, ma_mig_pfn_slot_fn pfn, void *arg,
				 struct ma_vstate_finding *f, unsigned int max, unsigned int *nf)
{
	struct ma_vm *vm = ma_vm_create(NULL);

	*nf = 0;
	for (unsigned int i = 0; i < img->nr_slots; i++) {
		const struct ma_mig_slot *s = &img->slots[i];
		struct ma_mem *m;

		if (s->slot == MA_SYS_SLOT) {
			if (s->gpa != MA_SYS_GPA || s->size != MA_SYS_SIZE)
				ma_fatal("saved system slot at %#llx, %#llx bytes: this library's is at %#llx, %#llx",
					 (unsigned long long)s->gpa, (unsigned long long)s->size,
					 (unsigned long long)MA_SYS_GPA, (unsigned long long)MA_SYS_SIZE);
			memcpy(vm->sys.hva, s->data, s->size);
			continue;
		}
		if (s->pfnmap) {
			/* slots first: a refusal here ends the test before any vCPU state is restored */
			if (!pfn)
				ma_fatal("memslot %u is over PFNMAP source %s: this restore cannot recreate it",
					 s->slot, s->source);
			pfn(vm, s, arg);
			continue;
		}
		m = calloc(1, sizeof(*m));
		if (!m)
			ma_fatal("out of memory");
		ma_mem_alloc(m, MA_BACK_ANON, s->size, vm);
		memcpy(m->hva, s->data, s->size);
		ma_add_slot(vm, s->slot, s->flags & ~(uint32_t)KVM_MEM_LOG_DIRTY_PAGES, s->gpa, s->size,
			    m->hva);
	}
	for (unsigned int i = 0; i < img->nr_vcpus; i++)
		ma_vcpu_add(vm);
	/* the verdict: before the VM ever ran, while its ID registers are still writable */
	for (unsigned int i = 0; i < img->nr_vcpus; i++)
		*nf += ma_arch_vcpu_state_restore(vm->vcpus[i], &img->vcpus[i], f + (*nf < max ? *nf : max),
						  *nf < max ? max - *nf : 0);
#if defined(__aarch64__)
	{
		unsigned int again = 0;

		/* the priming run changes vCPU 0's registers: the state once more, refused as before */
		ma_mig_prime_stage2(vm);
		for (unsigned int i = 0; i < img->nr_vcpus; i++)
			again += ma_arch_vcpu_state_restore(vm->vcpus[i], &img->vcpus[i], NULL, 0);
		MA_CHECK(again == *nf,
			 "restoring the state again after the priming run: %u items refused, %u before",
			 again, *nf);
	}
#endif
	return vm;
}
