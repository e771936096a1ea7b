// SPDX-License-Identifier: GPL-2.0
/* native.c: the host cell (see native.h).
 *
 * The suites run directly on this machine; their output goes through the same console parser as a
 * lab cell's, framed by synthetic @@MEMATTR markers, so the reports cannot tell the two apart except
 * by the identity (kind=hardware|pvm|none).
 */
#include "native.h"

#include "cell.h"
#include "console.h"
#include "env.h"
#include "proc.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#define CELLINFO_TIMEOUT_S 60.0

static bool cpuinfo_has_flag(const char *text, const char *flag)
{
	const char *p = text;

	while ((p = strstr(p, "\nflags")) != NULL) {
		p++;
		const char *colon = strchr(p, ':');
		const char *eol = strchr(p, '\n');

		if (!colon || (eol && colon > eol))
			continue;
		size_t fl = strlen(flag);

		for (const char *q = colon + 1; q && (!eol || q < eol);) {
			while (*q == ' ')
				q++;
			size_t wl = strcspn(q, "\n ");

			if (wl == fl && strncmp(q, flag, fl) == 0)
				return true;
			q += wl;
			if (*q != ' ')
				break;
		}
	}
	return false;
}

static char *cpuinfo_field(const char *text, const char *field)
{
	const char *p = text;
	size_t fl = strlen(field);

	while (p && *p) {
		if (strncmp(p, field, fl) == 0 && (p[fl] == ' ' || p[fl] == '\t' || p[fl] == ':')) {
			const char *colon = strchr(p, ':');
			const char *eol = strchr(p, '\n');

			if (colon && (!eol || colon < eol)) {
				char *v = xstrndup(colon + 1,
						   eol ? (size_t)(eol - colon - 1) : strlen(colon + 1));
				char *t = xstrdup(str_trim(v));

				free(v);
				return t;
			}
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

void native_detect(struct host_info *h)
{
	memset(h, 0, sizeof(*h));
	struct utsname u;

	if (uname(&u) == 0) {
		snprintf(h->machine, sizeof(h->machine), "%s", u.machine);
		snprintf(h->release, sizeof(h->release), "%s", u.release);
	}
	if (strcmp(h->machine, "x86_64") == 0)
		h->arch = "x86_64";
	else if (strcmp(h->machine, "aarch64") == 0 || strcmp(h->machine, "arm64") == 0)
		h->arch = "arm64";

	h->dev_kvm = path_exists("/dev/kvm");
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		h->dev_kvm_rw = true;
		close(fd);
	}
	char *ci = read_file("/proc/cpuinfo", NULL);

	if (ci) {
		char *text = xasprintf("\n%s", ci);

		h->hw_flags = cpuinfo_has_flag(text, "vmx") || cpuinfo_has_flag(text, "svm");
		h->cpu_model = cpuinfo_field(ci, "model name");
		if (!h->cpu_model)
			h->cpu_model = cpuinfo_field(ci, "CPU part");
		free(text);
		free(ci);
	}
	if (!h->cpu_model)
		h->cpu_model = xstrdup("unknown");

	bool arm = h->arch && strcmp(h->arch, "arm64") == 0;

	if (!h->dev_kvm)
		h->kind = "none";
	else if (h->hw_flags || arm)
		h->kind = "hardware";
	else
		h->kind = "pvm";

	if (!h->dev_kvm) {
		h->kvm_mode = "none";
	} else if (is_dir("/sys/module/kvm_intel")) {
		h->kvm_mode = "vmx";
	} else if (is_dir("/sys/module/kvm_amd")) {
		h->kvm_mode = "svm";
	} else if (is_dir("/sys/module/kvm_pvm") || strcmp(h->kind, "pvm") == 0) {
		h->kvm_mode = "pvm";
	} else if (arm) {
		char *cmd = read_file("/proc/cmdline", NULL);

		h->kvm_mode = "unknown";
		if (cmd && strstr(cmd, "kvm-arm.mode=nvhe"))
			h->kvm_mode = "nvhe";
		else if (cmd && strstr(cmd, "kvm-arm.mode=protected"))
			h->kvm_mode = "protected";
		free(cmd);
	} else {
		h->kvm_mode = "unknown";
	}
}

void native_free(struct host_info *h)
{
	free(h->cpu_model);
	h->cpu_model = NULL;
}

bool native_wanted(enum host_cell_mode m, const struct host_info *h, const char **why)
{
	if (m == HOST_CELL_NO) {
		*why = "host_cell = no";
		return false;
	}
	if (!h->arch) {
		*why = "unsupported host architecture";
		return false;
	}
	if (m == HOST_CELL_YES) {
		*why = strcmp(h->kind, "hardware") == 0 ?
			       "host_cell = yes (hardware virtualization)" :
		       strcmp(h->kind, "pvm") == 0 ?
			       "host_cell = yes (/dev/kvm without vmx/svm: paravirtual, kind=pvm)" :
			       "host_cell = yes (no /dev/kvm: the suites will skip)";
		return true;
	}
	if (strcmp(h->kind, "hardware") == 0) {
		*why = "host_cell = auto: hardware virtualization found";
		return true;
	}
	*why = strcmp(h->kind, "pvm") == 0 ? "host_cell = auto: /dev/kvm is paravirtual (PVM), not used by auto"
					   : "host_cell = auto: no /dev/kvm";
	return false;
}

static void feed(struct console *con, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void feed(struct console *con, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);

	va_end(ap);
	console_flush(con);
	console_line(con, s);
	free(s);
}

static void on_data(void *ctx, struct proc *p, int stream, const char *data, size_t n)
{
	console_feed(ctx, data, n);
}

static long meminfo_kb(void)
{
	char *m = read_file("/proc/meminfo", NULL);
	long kb = -1;

	if (m) {
		const char *p = strstr(m, "MemTotal:");

		if (p)
			kb = strtol(p + 9, NULL, 10);
		free(m);
	}
	return kb;
}

void native_dry_run(FILE *f, const struct config *conf, const struct run_env *env, const struct host_info *h,
		    const char *why)
{
	char *bindir = run_bin_dir(env, h->arch);
	struct strvec suites = {0};

	run_suites_for(conf, bindir, &suites);
	fprintf(f, "# cell host (native %s, kind=%s, kvm_mode=%s, kernel %s): %s\n", h->machine, h->kind,
		h->kvm_mode, h->release, why);
	fprintf(f, "# timeout %ld s for the whole cell; environment MEMATTR_TIMEOUT_SCALE=%ld\n",
		conf->cell_timeout * conf->timeout_scale, conf->timeout_scale);
	if (!str_empty(conf->pfnmap))
		fprintf(f, "# environment MEMATTR_PFNMAP=%s\n", conf->pfnmap);
	for (size_t i = 0; i < suites.n; i++) {
		fprintf(f, "%s/memattr-%s", bindir, suites.v[i]);
		if (!str_empty(conf->filter)) {
			char *q = shell_quote(conf->filter);

			fprintf(f, " -t %s", q);
			free(q);
		}
		if (!str_empty(conf->suite_args))
			fprintf(f, " %s", conf->suite_args);
		fputc('\n', f);
	}
	if (!suites.n)
		fprintf(f, "# warning: no suite binaries in %s\n", bindir);
	fputc('\n', f);
	strvec_free(&suites);
	free(bindir);
}

/* What the driver knows of the host cell before anything runs. */
static void native_facts(struct cell *c, const struct host_info *h)
{
	cell_fact(c, "cell", "host");
	cell_fact(c, "kind", h->kind);
	cell_fact(c, "arch", h->arch);
	cell_fact(c, "cpu", h->cpu_model);
	cell_fact(c, "host_kernel_release", h->release);
	cell_fact(c, "dev_kvm_access", h->dev_kvm_rw ? "rw" : h->dev_kvm ? "no-permission" : "none");
	if (strcmp(h->kind, "pvm") == 0)
		cell_fact(c, "note", "paravirtual nested KVM (no vmx/svm): tests this kernel's KVM, not Debian's");
}

/* The markers a lab cell's /init prints before its suites: CELL-BEGIN and the identity. */
static void native_begin(struct console *con, const struct config *conf, const struct host_info *h)
{
	feed(con, "%sCELL-BEGIN", CONSOLE_MARK);
	feed(con, "%sID kernel_release=%s", CONSOLE_MARK, h->release);
	feed(con, "%sID machine=%s", CONSOLE_MARK, h->machine);
	feed(con, "%sID kvm_mode=%s", CONSOLE_MARK, h->kvm_mode);
	feed(con, "%sID page_size=%ld", CONSOLE_MARK, sysconf(_SC_PAGESIZE));
	feed(con, "%sID dev_kvm=%s", CONSOLE_MARK, h->dev_kvm ? "yes" : "no");
	feed(con, "%sID cpus=%ld", CONSOLE_MARK, sysconf(_SC_NPROCESSORS_ONLN));
	feed(con, "%sID mem_kb=%ld", CONSOLE_MARK, meminfo_kb());
	if (!str_empty(conf->pfnmap))
		feed(con, "%sID pfnmap=%s", CONSOLE_MARK, conf->pfnmap);
}

/* memattr-cellinfo, if built: the rest of the identity (its own ID lines). */
static void native_cellinfo(struct cell *c, struct console *con, const char *bindir, char *const *envp)
{
	char *cellinfo = xasprintf("%s/memattr-cellinfo", bindir);
	char *argv[] = {cellinfo, NULL};
	struct proc_opts o = {.argv = argv, .env = envp, .merge_stderr = true};
	char *err = NULL;
	struct proc p;

	if (!is_exec_file(cellinfo)) {
		free(cellinfo);
		return;
	}
	if (proc_start(&p, &o, &err) == 0) {
		p.deadline = mono_now() + CELLINFO_TIMEOUT_S;
		if (proc_stream(&p, on_data, con) != PROC_EXITED)
			cell_note(c, "memattr-cellinfo did not finish in %.0f s (killed)",
				  CELLINFO_TIMEOUT_S);
		console_flush(con);
	} else {
		cell_note(c, "memattr-cellinfo: %s", err);
		free(err);
	}
	free(cellinfo);
}

/* One suite binary between SUITE-BEGIN and SUITE-END. NULL, or why the cell ends (caller frees). */
static char *native_suite(struct console *con, const struct config *conf, const char *bindir, const char *s,
			  char *const *envp, double deadline, long timeout)
{
	char *bin = xasprintf("%s/memattr-%s", bindir, s);
	struct strvec argv = {0};
	struct proc_opts o = {.env = envp, .merge_stderr = true};
	char *err = NULL, *reason = NULL;
	struct proc p;

	feed(con, "%sSUITE-BEGIN %s", CONSOLE_MARK, s);
	if (!is_exec_file(bin)) {
		feed(con, "%sSUITE-END %s rc=127", CONSOLE_MARK, s);
		free(bin);
		return NULL;
	}
	strvec_push(&argv, bin);
	if (!str_empty(conf->filter)) {
		strvec_push(&argv, "-t");
		strvec_push(&argv, conf->filter);
	}
	if (!str_empty(conf->suite_args))
		strvec_split_words(&argv, conf->suite_args);
	o.argv = argv.v;
	if (proc_start(&p, &o, &err) != 0) {
		feed(con, "# memattr-run: %s", err);
		feed(con, "%sSUITE-END %s rc=126", CONSOLE_MARK, s);
		free(err);
	} else {
		p.deadline = deadline;
		enum proc_end e = proc_stream(&p, on_data, con);

		console_flush(con);
		if (e == PROC_TIMEOUT)
			reason =
				xasprintf("timeout: cell not done after %ld s (suite %s killed)", timeout, s);
		else if (e == PROC_INTERRUPTED)
			reason = xasprintf("interrupted (suite %s killed)", s);
		else
			feed(con, "%sSUITE-END %s rc=%d", CONSOLE_MARK, s, proc_rc(p.status));
	}
	strvec_free(&argv);
	free(bin);
	return reason;
}

void native_run_cell(struct cell *c, const struct config *conf, const struct run_env *env,
		     const struct host_info *h)
{
	long timeout = conf->cell_timeout * conf->timeout_scale;
	double deadline = mono_now() + (double)timeout;
	char *bindir = run_bin_dir(env, h->arch);
	struct strvec suites = {0};
	char *reason = NULL;
	struct console con;

	native_facts(c, h);
	run_suites_for(conf, bindir, &suites);
	for (size_t i = 0; i < suites.n; i++)
		cell_expect_suite(c, suites.v[i]);
	if (!is_dir(bindir) || !suites.n) {
		reason = !is_dir(bindir) ? xasprintf("no suite binaries: %s does not exist", bindir)
					 : xasprintf("no suite binaries (memattr-*) in %s", bindir);
		cell_log(c, "error: %s", reason);
		cell_finish(c, reason);
		goto out;
	}

	char *scale_env = xasprintf("MEMATTR_TIMEOUT_SCALE=%ld", conf->timeout_scale);
	char *pfnmap_env = str_empty(conf->pfnmap) ? NULL : xasprintf("MEMATTR_PFNMAP=%s", conf->pfnmap);
	char *envp[] = {scale_env, pfnmap_env, NULL};

	console_init(&con, c);
	c->launched = true;
	native_begin(&con, conf, h);
	native_cellinfo(c, &con, bindir, envp);
	for (size_t i = 0; i < suites.n && !reason; i++)
		reason = native_suite(&con, conf, bindir, suites.v[i], envp, deadline, timeout);
	if (!reason)
		feed(&con, "%sCELL-END", CONSOLE_MARK);
	else
		cell_log(c, "%s", reason);
	cell_finish(c, reason);
	free(scale_env);
	free(pfnmap_env);
	console_free(&con);
out:
	free(reason);
	strvec_free(&suites);
	free(bindir);
}
