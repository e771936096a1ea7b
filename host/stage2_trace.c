// SPDX-License-Identifier: GPL-2.0
/*
 * The stage-2 tracer: kprobe events through tracefs (Documentation/trace/kprobetrace.rst,
 * Documentation/trace/ftrace.rst "Instances", "set_event_pid", "event-fork").  The functions to
 * probe come from host/arch/<arch>/stage2_trace.c.
 *
 * kprobe_events is opened without O_TRUNC everywhere: truncating it removes every kprobe event
 * of the system, other users' included.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "memattr/harness.h"
#include "memattr/stage2_trace.h"
#include "stage2_trace_arch.h"
#include "memattr/util.h"

#define TRACEFS "/sys/kernel/tracing"
#define GROUP "memattr"
#define INSTANCE_PREFIX "memattr-"

struct ma_s2trace {
	int pid;
	char inst[96];				/* TRACEFS/instances/memattr-<pid> */
	bool inst_made;
	bool made[MA_S2FN_COUNT][2];		/* [fn][0 entry, 1 return] event created */
	bool enabled[MA_S2FN_COUNT][2];
	unsigned int probed;			/* 1 << fn with an entry event */
	bool pid_filter;			/* set_event_pid + event-fork took */
	int pipe_fd;
	char carry[4096];			/* an incomplete last line from the previous read */
	size_t carry_len;
};

static const char *const fn_names[MA_S2FN_COUNT] = {
	[MA_S2FN_MAP] = "kvm_pgtable_stage2_map",
	[MA_S2FN_PKVM_MAP] = "pkvm_pgtable_stage2_map",
	[MA_S2FN_RELAX] = "kvm_pgtable_stage2_relax_perms",
	[MA_S2FN_PKVM_RELAX] = "pkvm_pgtable_stage2_relax_perms",
};

const char *ma_s2fn_name(enum ma_s2fn fn)
{
	return (unsigned int)fn < MA_S2FN_COUNT ? fn_names[fn] : "?";
}

const char *ma_s2prot_type_name(uint64_t prot)
{
	switch (prot & (MA_S2PROT_DEVICE | MA_S2PROT_NORMAL_NC)) {
	case MA_S2PROT_DEVICE:
		return "device-ngnre";
	case MA_S2PROT_NORMAL_NC:
		return "normal-nc";
	case 0:
		return "normal-wb";
	default:
		return "invalid";	/* stage2_set_prot_attr refuses both with -EINVAL */
	}
}

const char *ma_s2prot_describe(uint64_t prot, bool with_type, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%c%c%s", with_type ? ma_s2prot_type_name(prot) : "", with_type ? " " : "",
		 ma_s2prot_readable(prot) ? 'R' : '-', ma_s2prot_writable(prot) ? 'W' : '-',
		 (prot & MA_S2PROT_X) == MA_S2PROT_X ? "X" : (prot & MA_S2PROT_PX) ? "PX" :
		 (prot & MA_S2PROT_UX) ? "UX" : "-");
	return buf;
}

/* ---- tracefs files ------------------------------------------------------------------------ */

static void set_why(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_why(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* Write s to path (flags besides O_WRONLY: O_APPEND, O_TRUNC): 0 or -errno. */
static int try_write_str(const char *path, int flags, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	size_t n = strlen(s);
	ssize_t w;
	int e;

	if (fd < 0)
		return -errno;
	w = write(fd, s, n);
	e = w < 0 ? errno : (size_t)w != n ? EIO : 0;
	close(fd);
	return -e;
}

/* The whole of a small file, NUL-terminated, malloc'ed; NULL with errno set. */
static char *read_all(const char *path, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 8192, len = 0;
	char *b;

	if (fd < 0)
		return NULL;
	b = malloc(cap);
	for (;;) {
		ssize_t r;

		if (!b)
			break;
		if (cap - len < 4096) {
			char *nb = realloc(b, cap * 2);

			if (!nb) {
				free(b);
				b = NULL;
				errno = ENOMEM;
				break;
			}
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(b);
			b = NULL;
			errno = e;
			break;
		}
		if (r == 0) {
			b[len] = 0;
			break;
		}
		len += (size_t)r;
	}
	close(fd);
	if (b && lenp)
		*lenp = len;
	return b;
}

/* The newest "error: ..." message of tracefs error_log (what the kernel said about a command). */
static void last_error_log(char *buf, size_t len)
{
	char *log = read_all(TRACEFS "/error_log", NULL);
	const char *last = NULL;

	buf[0] = 0;
	if (!log)
		return;
	for (char *p = strstr(log, "error: "); p; p = strstr(p + 1, "error: "))
		last = p + 7;
	if (last)
		snprintf(buf, len, "%.*s", (int)strcspn(last, "\n"), last);
	free(log);
}

static bool pid_alive(int pid)
{
	return kill(pid, 0) == 0 || errno != ESRCH;
}

/* Events and instances of tracers whose process is gone (a test killed mid-way). */
static void remove_stale(int self)
{
	char *ev = read_all(TRACEFS "/kprobe_events", NULL);
	DIR *d;

	d = opendir(TRACEFS "/instances");
	if (d) {
		struct dirent *de;

		while ((de = readdir(d))) {
			char path[512];
			int pid;

			if (strncmp(de->d_name, INSTANCE_PREFIX, strlen(INSTANCE_PREFIX)) ||
			    sscanf(de->d_name + strlen(INSTANCE_PREFIX), "%d", &pid) != 1 || pid == self ||
			    pid_alive(pid))
				continue;
			snprintf(path, sizeof(path), TRACEFS "/instances/%s", de->d_name);
			rmdir(path);
		}
		closedir(d);
	}
	if (!ev)
		return;
	/* lines: "p:memattr/memattr_<pid>_s2map kvm_pgtable_stage2_map addr=..." ("r<n>:" for returns) */
	for (char *line = strtok(ev, "\n"); line; line = strtok(NULL, "\n")) {
		char *c = strchr(line, ':'), cmd[160];
		size_t n;
		int pid;

		if (!c || strncmp(c + 1, GROUP "/memattr_", strlen(GROUP "/memattr_")))
			continue;
		n = strcspn(c + 1, " ");
		if (sscanf(c + 1 + strlen(GROUP "/memattr_"), "%d",
			   &pid) != 1 || pid == self || pid_alive(pid) ||
		    n >= 120)
			continue;
		snprintf(cmd, sizeof(cmd), "-:%.*s\n", (int)n, c + 1);
		try_write_str(TRACEFS "/kprobe_events", O_APPEND, cmd);
	}
	free(ev);
}

/* Whether a function symbol is in the running kernel (/proc/kallsyms, names only). */
static bool kallsyms_has(const char *sym)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	char line[512];
	size_t n = strlen(sym);
	bool found = false;

	if (!f)
		return true;	/* cannot tell: do not claim it is missing */
	while (!found && fgets(line, sizeof(line), f)) {
		char *name = strchr(line, ' ');

		name = name ? strchr(name + 1, ' ') : NULL;
		if (name && !strncmp(name + 1, sym, n) &&
		    (name[1 + n] == '\n' || name[1 + n] == '\t' || name[1 + n] == 0))
			found = true;
	}
	fclose(f);
	return found;
}

/* Whether sym is in the kprobe blacklist (debugfs kprobes/blacklist: "0x...-0x...\tsym"). */
static bool kprobe_blacklisted(const char *sym)
{
	char *bl = read_all("/sys/kernel/debug/kprobes/blacklist", NULL);
	bool hit = false;

	if (!bl)
		return false;
	for (char *p = strstr(bl, sym); p && !hit; p = strstr(p + 1, sym))
		hit = (p[-1] == '\t' || p[-1] == ' ') && (p[strlen(sym)] == '\n' || p[strlen(sym)] == 0 ||
							  p[strlen(sym)] == ' ');
	free(bl);
	return hit;
}

static void event_name(const struct ma_s2trace *t, const struct ma_s2probe *pr, int ret, char *buf,
		       size_t len)
{
	snprintf(buf, len, "memattr_%d_%s%s", t->pid, pr->tag, ret ? "_ret" : "");
}

static int try_enable_path(const struct ma_s2trace *t, const struct ma_s2probe *pr, int ret, char *buf,
			   size_t len)
{
	char ev[64];

	event_name(t, pr, ret, ev, sizeof(ev));
	return snprintf(buf, len, "%s/events/" GROUP "/%s/enable",
			t->inst, ev) >= (int)len ? -ENAMETOOLONG : 0;
}

/* Create one kprobe event: 0 or -errno (msg: the kernel's error_log line). */
static int try_make_event(struct ma_s2trace *t, const struct ma_s2probe *pr, int ret, char *msg, size_t len)
{
	char ev[64], cmd[320];
	int r;

	event_name(t, pr, ret, ev, sizeof(ev));
	if (ret)
		snprintf(cmd, sizeof(cmd), "r:" GROUP "/%s %s ret=$retval:s32\n", ev, pr->symbol);
	else
		snprintf(cmd, sizeof(cmd), "p:" GROUP "/%s %s %s\n", ev, pr->symbol, pr->fetch);
	r = try_write_str(TRACEFS "/kprobe_events", O_APPEND, cmd);
	if (r < 0)
		last_error_log(msg, len);
	return r;
}

/* Make sure tracefs with kprobe events is there: 0, -ENOENT (why: what is missing) or -errno. */
static int try_tracefs_ready(char *why, size_t whylen)
{
	struct stat st;

	if (access(TRACEFS "/kprobe_events", F_OK) == 0)
		return 0;
	if (access(TRACEFS "/instances", F_OK) == 0) {
		set_why(why, whylen, "tracefs has no kprobe_events (kernel without CONFIG_KPROBE_EVENTS)");
		return -ENOENT;
	}
	if (stat(TRACEFS, &st) < 0) {
		set_why(why, whylen, "no " TRACEFS " (kernel without tracefs): %s", ma_errno_name(errno));
		return -ENOENT;
	}
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL) < 0) {
		int e = errno;

		set_why(why, whylen, "mounting tracefs on " TRACEFS ": %s", ma_errno_name(e));
		return e == ENODEV ? -ENOENT : -e;
	}
	if (access(TRACEFS "/kprobe_events", F_OK) < 0) {
		set_why(why, whylen, "tracefs (mounted by the tracer) has no kprobe_events (kernel without CONFIG_KPROBE_EVENTS)");
		return -ENOENT;
	}
	return 0;
}

/* The calling process's threads into set_event_pid, and event-fork for the ones it makes later. */
static int try_set_pid_filter(struct ma_s2trace *t)
{
	char path[160], pids[2048];
	size_t len = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int r;

	if (!d)
		return -errno;
	while ((de = readdir(d)) && len < sizeof(pids) - 16)
		if (de->d_name[0] != '.')
			len += (size_t)snprintf(pids + len, sizeof(pids) - len, "%s ", de->d_name);
	closedir(d);
	snprintf(pids + len, sizeof(pids) - len, "\n");
	snprintf(path, sizeof(path), "%s/options/event-fork", t->inst);
	r = try_write_str(path, 0, "1\n");
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/set_event_pid", t->inst);
	return try_write_str(path, O_TRUNC, pids);
}

/* A tracer with its own trace instance (buffer sized for a test), in *out: 0 or -errno. */
static int try_new_tracer(struct ma_s2trace **out, char *why, size_t whylen)
{
	struct ma_s2trace *t = calloc(1, sizeof(*t));
	char path[256];
	int r;

	if (!t) {
		set_why(why, whylen, "allocating the tracer");
		return -ENOMEM;
	}
	t->pid = (int)getpid();
	t->pipe_fd = -1;
	remove_stale(t->pid);
	snprintf(t->inst, sizeof(t->inst), TRACEFS "/instances/" INSTANCE_PREFIX "%d", t->pid);
	if (mkdir(t->inst, 0700) < 0) {
		r = -errno;
		set_why(why, whylen, "creating trace instance %s: %s%s", t->inst, ma_errno_name(-r),
			r == -EEXIST ? " (a tracer is already running in this process)" : "");
		free(t);
		return r;
	}
	t->inst_made = true;
	/* the kernel's default per-CPU buffer is larger than a test needs */
	snprintf(path, sizeof(path), "%s/buffer_size_kb", t->inst);
	try_write_str(path, 0, "512\n");
	*out = t;
	return 0;
}

/* Why the kernel refused the entry event on pr (r, its error_log line msg), into why. */
static void explain_refusal(const struct ma_s2probe *pr, bool present, int r, const char *msg, char *why,
			    size_t whylen)
{
	if (!present)
		set_why(why, whylen, "%s is not in this kernel (/proc/kallsyms); kprobe: %s", pr->symbol,
			ma_errno_name(-r));
	else if (kprobe_blacklisted(pr->symbol))
		set_why(why, whylen, "%s is on the kprobe blacklist (not probe-able)", pr->symbol);
	else if (r == -ENOENT || r == -EOPNOTSUPP || r == -EILSEQ)
		set_why(why, whylen, "%s cannot be kprobed: %s (%s)", pr->symbol, ma_errno_name(-r), msg);
	else
		set_why(why, whylen, "creating the kprobe event on %s: %s (%s)", pr->symbol,
			ma_errno_name(-r), msg);
}

/* The entry and return events of each probe; an optional probe the kernel refuses is left out. */
static int try_make_events(struct ma_s2trace *t, const struct ma_s2probe *probes, int n, char *why,
			   size_t whylen)
{
	char msg[200];
	int r;

	for (int i = 0; i < n; i++) {
		const struct ma_s2probe *pr = &probes[i];

		r = try_make_event(t, pr, 0, msg, sizeof(msg));
		if (r < 0) {
			bool present;

			if (!pr->required)
				continue;
			present = kallsyms_has(pr->symbol);
			explain_refusal(pr, present, r, msg, why, whylen);
			if (!present)
				return -ENOENT;	/* not in this kernel */
			if (r == -ENOENT || r == -EILSEQ || kprobe_blacklisted(pr->symbol))
				return -EOPNOTSUPP;	/* there, but it cannot be probed */
			return r;
		}
		t->made[pr->fn][0] = true;
		t->probed |= 1u << pr->fn;
		if (try_make_event(t, pr, 1, msg, sizeof(msg)) == 0)
			t->made[pr->fn][1] = true;	/* else: records of this fn have ret_known false */
	}
	return 0;
}

/* Enable every event made in the tracer's instance. */
static int try_enable_events(struct ma_s2trace *t, const struct ma_s2probe *probes, int n, char *why,
			     size_t whylen)
{
	char path[256];
	int r;

	for (int i = 0; i < n; i++)
		for (int k = 0; k < 2; k++) {
			if (!t->made[probes[i].fn][k])
				continue;
			try_enable_path(t, &probes[i], k, path, sizeof(path));
			r = try_write_str(path, 0, "1\n");
			if (r < 0) {
				set_why(why, whylen, "enabling %s: %s", path, ma_errno_name(-r));
				return r;
			}
			t->enabled[probes[i].fn][k] = true;
		}
	return 0;
}

int ma_try_s2trace_start(struct ma_s2trace **out, char *why, size_t whylen)
{
	const struct ma_s2probe *probes;
	const char *awhy = "";
	struct ma_s2trace *t = NULL;
	char path[256];
	int n, r;

	*out = NULL;
	set_why(why, whylen, "%s", "");
	n = ma_arch_try_s2trace_probes(&probes, &awhy);
	if (n < 0) {
		set_why(why, whylen, "%s", awhy);
		return n;
	}
	r = try_tracefs_ready(why, whylen);
	if (r < 0)
		return r;
	r = try_new_tracer(&t, why, whylen);
	if (r < 0)
		return r;
	r = try_make_events(t, probes, n, why, whylen);
	if (r < 0)
		goto fail;
	r = try_set_pid_filter(t);
	t->pid_filter = r == 0;	/* without it, collect keeps the threads alive at the time */
	r = try_enable_events(t, probes, n, why, whylen);
	if (r < 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/trace_pipe", t->inst);
	t->pipe_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (t->pipe_fd < 0) {
		r = -errno;
		set_why(why, whylen, "opening %s: %s", path, ma_errno_name(-r));
		goto fail;
	}
	*out = t;
	return 0;
fail:
	ma_s2trace_stop(t);
	return r;
}

unsigned int ma_s2trace_probed(struct ma_s2trace *t)
{
	return t ? t->probed : 0;
}

unsigned long ma_s2trace_lost(struct ma_s2trace *t)
{
	unsigned long lost = 0;

	for (int cpu = 0; t; cpu++) {
		char path[160], *s, *o;

		snprintf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", t->inst, cpu);
		s = read_all(path, NULL);
		if (!s)
			break;
		o = strstr(s, "overrun: ");
		if (o)
			lost += strtoul(o + 9, NULL, 10);
		free(s);
	}
	return lost;
}

static void remove_event(const struct ma_s2trace *t, const struct ma_s2probe *pr, int ret)
{
	char ev[64], cmd[96];

	event_name(t, pr, ret, ev, sizeof(ev));
	snprintf(cmd, sizeof(cmd), "-:" GROUP "/%s\n", ev);
	for (int i = 0; i < 50; i++) {
		if (try_write_str(TRACEFS "/kprobe_events", O_APPEND, cmd) != -EBUSY)
			return;
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	}
}

void ma_s2trace_stop(struct ma_s2trace *t)
{
	const struct ma_s2probe *probes;
	const char *why;
	char path[256];
	int n;

	if (!t)
		return;
	n = ma_arch_try_s2trace_probes(&probes, &why);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < 2; k++)
			if (t->enabled[probes[i].fn][k]) {
				try_enable_path(t, &probes[i], k, path, sizeof(path));
				try_write_str(path, 0, "0\n");
			}
	if (t->pipe_fd >= 0)
		close(t->pipe_fd);
	if (t->inst_made)
		for (int i = 0; i < 50 && rmdir(t->inst) < 0 && errno == EBUSY; i++)
			nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < 2; k++)
			if (t->made[probes[i].fn][k])
				remove_event(t, &probes[i], k);
	free(t);
}

/* ---- parsing ----------------------------------------------------------------------------- */

static const struct {
	const char *tag;
	enum ma_s2fn fn;
} tags[] = {
	{ "s2map", MA_S2FN_MAP }, { "ps2map", MA_S2FN_PKVM_MAP },
	{ "s2relax", MA_S2FN_RELAX }, { "ps2relax", MA_S2FN_PKVM_RELAX },
};

static bool arg_u64(const char *args, const char *key, uint64_t *v)
{
	size_t kl = strlen(key);
	char *end;

	for (const char *p = strstr(args, key); p; p = strstr(p + 1, key)) {
		if (p[-1] != ' ' || p[kl] != '=')
			continue;
		errno = 0;
		*v = strtoull(p + kl + 1, &end, 0);
		return !errno && end != p + kl + 1;
	}
	return false;
}

/*
 * Whether line is an event of this process's tracer (pid): its function (*fn), entry (*kind 0) or
 * return (*kind 1), where its name starts (*m) and its arguments (*args).
 */
static bool own_event(const char *line, int pid, int *fn, int *kind, const char **m, const char **args)
{
	char marker[48], tag[24];
	const char *ev;
	size_t tl;

	snprintf(marker, sizeof(marker), ": memattr_%d_", pid);
	*m = strstr(line, marker);
	if (!*m)
		return false;
	ev = *m + strlen(marker);
	tl = strcspn(ev, ": ");
	if (ev[tl] != ':' || tl >= sizeof(tag))
		return false;
	memcpy(tag, ev, tl);
	tag[tl] = 0;
	*kind = 0;
	if (tl > 4 && !strcmp(tag + tl - 4, "_ret")) {
		*kind = 1;
		tag[tl - 4] = 0;
	}
	*fn = -1;
	for (unsigned int i = 0; i < MA_ARRAY_SIZE(tags); i++)
		if (!strcmp(tag, tags[i].tag))
			*fn = (int)tags[i].fn;
	*args = ev + tl + 1;
	return *fn >= 0;
}

/* The thread id of the "<comm>-<tid>" column before the CPU column, which is before m: -EINVAL if none. */
static long try_parse_tid(const char *line, const char *m)
{
	const char *cpu = NULL, *q, *e;

	/* the CPU column: the last "[<digits>]" before the event name */
	for (const char *p = line; p < m; p++)
		if (*p == '[' && p[1] >= '0' && p[1] <= '9') {
			q = p + 1;
			while (*q >= '0' && *q <= '9')
				q++;
			if (*q == ']')
				cpu = p;
		}
	if (!cpu)
		return -EINVAL;
	q = cpu;
	while (q > line && q[-1] == ' ')
		q--;
	if (q > line && q[-1] == ')') {		/* record-tgid column */
		while (q > line && q[-1] != '(')
			q--;
		if (q > line)
			q--;
		while (q > line && q[-1] == ' ')
			q--;
	}
	e = q;
	while (q > line && q[-1] >= '0' && q[-1] <= '9')
		q--;
	if (q == e || q == line || q[-1] != '-')
		return -EINVAL;
	return strtol(q, NULL, 10);
}

/* The event's arguments into rec (fn set): the result of a return event, else the map or relax call's. */
static int try_parse_args(const char *args, int kind, struct ma_s2map *rec)
{
	if (kind) {
		const char *r = strstr(args, " ret=");
		char *end;

		if (!r)
			return -EINVAL;
		rec->ret = (int)strtol(r + 5, &end, 0);
		if (end == r + 5)
			return -EINVAL;
		rec->ret_known = true;
		return 1;
	}
	if (!arg_u64(args, "addr", &rec->ipa) || !arg_u64(args, "prot", &rec->prot))
		return -EINVAL;
	if (ma_s2fn_is_map(rec->fn) &&
	    (!arg_u64(args, "size", &rec->size) || !arg_u64(args, "phys", &rec->phys)))
		return -EINVAL;
	return 1;
}

/*
 * One line of the trace output (each shown here on two lines):
 *   "        <comm>-<tid>     [001] d..1.  12.345678: memattr_<pid>_s2map:
 *    (kvm_pgtable_stage2_map+0x0/0x1c8) addr=0x... size=0x1000 phys=0x... prot=0xe"
 *   "        <comm>-<tid>     [001] d..1.  12.345690: memattr_<pid>_s2map_ret:
 *    (user_mem_abort+0x... <- kvm_pgtable_stage2_map) ret=0"
 * (with the record-tgid option a "(<tgid>)" column sits between the task and the CPU).
 */
int ma_try_s2trace_parse_line(const char *line, int pid, int *kind, struct ma_s2map *rec)
{
	const char *m, *args;
	int fn;
	long tid;

	if (!own_event(line, pid, &fn, kind, &m, &args))
		return 0;
	tid = try_parse_tid(line, m);
	if (tid < 0)
		return -EINVAL;
	memset(rec, 0, sizeof(*rec));
	rec->fn = (enum ma_s2fn)fn;
	rec->tid = (int)tid;
	return try_parse_args(args, *kind, rec);
}

static bool own_thread(const struct ma_s2trace *t, int tid)
{
	char path[64];

	if (t->pid_filter || tid == t->pid)
		return true;
	snprintf(path, sizeof(path), "/proc/self/task/%d", tid);
	return access(path, F_OK) == 0;
}

int ma_try_s2trace_collect(struct ma_s2trace *t, struct ma_s2map *out, unsigned int max)
{
	char buf[sizeof(t->carry) + 16384];
	unsigned int total = 0;

	for (;;) {
		ssize_t r;
		size_t len, start = 0;

		memcpy(buf, t->carry, t->carry_len);
		r = read(t->pipe_fd, buf + t->carry_len, sizeof(buf) - t->carry_len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno != EAGAIN)
			return -errno;
		if (r <= 0)
			break;
		len = t->carry_len + (size_t)r;
		buf[len] = 0;
		for (char *nl; (nl = memchr(buf + start, '\n', len - start));
		     start = (size_t)(nl - buf) + 1) {
			struct ma_s2map rec;
			int kind;

			*nl = 0;
			if (ma_try_s2trace_parse_line(buf + start, t->pid, &kind, &rec) != 1 ||
			    !own_thread(t, rec.tid))
				continue;
			if (kind == 0) {
				if (total < max)
					out[total] = rec;
				total++;
				continue;
			}
			/* a return: it belongs to the newest entry of the same thread and function */
			for (unsigned int i = total < max ? total : max; i-- > 0;)
				if (out[i].tid == rec.tid && out[i].fn == rec.fn) {
					if (!out[i].ret_known) {
						out[i].ret_known = true;
						out[i].ret = rec.ret;
					}
					break;
				}
		}
		t->carry_len = len - start;
		if (t->carry_len >= sizeof(t->carry))
			t->carry_len = 0;	/* a line longer than any this tracer makes: drop it */
		memmove(t->carry, buf + start, t->carry_len);
	}
	return total > (unsigned int)INT32_MAX ? INT32_MAX : (int)total;
}
