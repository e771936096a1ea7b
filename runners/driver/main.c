// SPDX-License-Identifier: GPL-2.0
/* main.c: memattr-run command line. */
#include "config.h"
#include "lab.h"
#include "native.h"
#include "proc.h"
#include "report.h"
#include "run.h"
#include "util.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: memattr-run [options]\n"
	"Run the memattr suites in lab cells (QEMU TCG + Debian kernel + nested KVM) and, where usable,\n"
	"natively on this host; write reports/<UTC timestamp>/ and reports/latest.\n"
	"\n"
	"  --config FILE          read FILE after suite.conf (repeatable; later files override earlier)\n"
	"  --no-defaults          do not read suite.conf\n"
	"  --cells A,B            cells to run (names of [cell NAME] sections)\n"
	"  --suites X,Y           suites to run; 'all': every build/<arch>/bin/memattr-* program\n"
	"  --filter GLOB          only tests whose name matches GLOB (passed to the suites as -t GLOB)\n"
	"  --set SECTION.KEY=VAL  any setting: run.jobs=1, cell.arm64-max.cpu=neoverse-v1, ...\n"
	"  --jobs N               cells run in parallel (0 or auto: number of CPUs)\n"
	"  --host-cell MODE       auto|yes|no: native cell on this host's /dev/kvm (auto: only with\n"
	"                         hardware virtualization; yes also takes a paravirtual /dev/kvm)\n"
	"  --report-dir DIR       where reports/<run>/ go (default: reports/ of the project)\n"
	"  --timeout-scale N      multiply every timeout by N (also passed to the suites)\n"
	"  --pfnmap SPEC          a real device region for the pfnmap suite on the host cell (repeatable):\n"
	"                         vfio=<BDF>,region=<n>[,type=wb|nc|device] or pci=<BDF>,bar=<n>\n"
	"                         (same as [run] pfnmap = SPEC;SPEC; lab cells: cell key pfnmap)\n"
	"  --list-cells           list the configured cells and exit\n"
	"  --dry-run              print what would run (kernel, initramfs and QEMU command lines)\n"
	"  --help                 this text\n"
	"\n"
	"Precedence: suite.conf < --config files (in order) < the other options (in order).\n"
	"Environment: MEMATTR_CACHE (kernel cache, default ~/.cache/memattr), MEMATTR_QEMU_AARCH64,\n"
	"MEMATTR_QEMU_X86_64 (QEMU binaries), MEMATTR_FETCH_KERNEL, MEMATTR_MKINITRAMFS (scripts),\n"
	"MEMATTR_ROOT (project root; default: found from the program's location).\n"
	"Exit status: 0 every cell passed (skips allowed), 1 a test failed or a cell errored,\n"
	"2 usage or configuration error.\n";

static void on_signal(int sig)
{
	(void)sig;
	proc_interrupted = 1;
}

static char *find_root(void)
{
	const char *env = getenv("MEMATTR_ROOT");
	if (!str_empty(env))
		return path_abs(env);
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		/* <root>/build/<host|san>/memattr-run */
		for (int up = 0; up < 3; up++) {
			char *slash = strrchr(exe, '/');
			if (!slash || slash == exe)
				break;
			*slash = 0;
			if (up == 2) {
				char *conf = path_join(exe, "suite.conf");
				char *runners = path_join(exe, "runners");
				bool ok = path_exists(conf) && is_dir(runners);
				free(conf);
				free(runners);
				if (ok)
					return xstrdup(exe);
			}
		}
	}
	return path_abs(".");
}

struct opt {
	const char *name;
	bool has_arg;
};

static const struct opt opts[] = {
	{"--config", true},	    {"--no-defaults", false}, {"--cells", true},	{"--suites", true},
	{"--filter", true},	    {"--set", true},	      {"--jobs", true},		{"--host-cell", true},
	{"--report-dir", true},	    {"--timeout-scale", true}, {"--list-cells", false}, {"--dry-run", false},
	{"--pfnmap", true},	    {"--help", false},	      {"-h", false},
};

struct parsed {
	const char *name;
	const char *arg;
};

static int usage_error(const char *fmt, const char *a)
{
	fprintf(stderr, "%s: ", prog_name);
	fprintf(stderr, fmt, a);
	fprintf(stderr, " (see --help)\n");
	return 2;
}

static void list_cells(const struct config *c, const struct host_info *h, bool host_wanted, const char *why)
{
	printf("%-20s %-7s %-18s %-14s %4s %6s %-22s %s\n", "cell", "arch", "cpu", "machine", "smp", "memory",
	       "kernel", "selected / defined at");
	for (size_t i = 0; i < c->ncell; i++) {
		const struct cell_conf *cc = &c->cell[i];
		char *kernel = cc->kernel ? xstrdup(cc->kernel) : xasprintf("debian %s (%s)", cc->flavour,
									     c->kernel_suite);
		printf("%-20s %-7s %-18s %-14s %4ld %6s %-22s %s %s\n", cc->name, cc->arch, cc->cpu,
		       *cc->machine ? cc->machine : "-", cc->smp, cc->memory, kernel,
		       strvec_has(&c->cells, cc->name) ? "yes" : "no ", cc->where);
		free(kernel);
	}
	printf("%-20s %-7s %-18s %-14s %4s %6s %-22s %s (%s)\n", "host", h->arch ? h->arch : h->machine, "native",
	       h->kind, "-", "-", h->release, host_wanted ? "yes" : "no ", why);
}

int main(int argc, char **argv)
{
	struct parsed *ps = xcalloc((size_t)argc + 1, sizeof(*ps));
	size_t nps = 0;
	bool no_defaults = false, list = false, dry = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		const struct opt *o = NULL;
		size_t alen = strcspn(a, "=");
		for (size_t k = 0; k < ARRAY_SIZE(opts); k++)
			if (strlen(opts[k].name) == alen && strncmp(opts[k].name, a, alen) == 0)
				o = &opts[k];
		if (!o) {
			free(ps);
			return usage_error(a[0] == '-' ? "unknown option '%s'" : "unexpected argument '%s'", a);
		}
		if (a[alen] == '=') {
			if (!o->has_arg) {
				free(ps);
				return usage_error("option '%s' takes no value", o->name);
			}
			val = a + alen + 1;
		} else if (o->has_arg) {
			if (i + 1 >= argc) {
				free(ps);
				return usage_error("option '%s' needs a value", o->name);
			}
			val = argv[++i];
		}
		if (strcmp(o->name, "--help") == 0 || strcmp(o->name, "-h") == 0) {
			fputs(usage_text, stdout);
			free(ps);
			return 0;
		}
		if (strcmp(o->name, "--no-defaults") == 0)
			no_defaults = true;
		else if (strcmp(o->name, "--list-cells") == 0)
			list = true;
		else if (strcmp(o->name, "--dry-run") == 0)
			dry = true;
		else
			ps[nps++] = (struct parsed){o->name, val};
	}

	char *root = find_root();
	struct config conf;
	config_init(&conf, root);
	char *err = NULL, *pfnmap_opts = NULL;
	int rc = 0;
	if (!no_defaults) {
		char *def = path_join(root, "suite.conf");
		rc = config_load_file(&conf, def, &err);
		free(def);
	}
	for (size_t i = 0; rc == 0 && i < nps; i++) {
		if (strcmp(ps[i].name, "--config") == 0) {
			char *p = path_abs(ps[i].arg);
			rc = config_load_file(&conf, p, &err);
			free(p);
		}
	}
	for (size_t i = 0; rc == 0 && i < nps; i++) {
		const char *n = ps[i].name, *v = ps[i].arg;
		if (strcmp(n, "--config") == 0)
			continue;
		if (strcmp(n, "--set") == 0) {
			rc = config_set_spec(&conf, v, &err);
		} else if (strcmp(n, "--pfnmap") == 0) {
			/* repeatable: the specs add up */
			char *all = str_empty(pfnmap_opts) ? xstrdup(v) : xasprintf("%s;%s", pfnmap_opts, v);
			free(pfnmap_opts);
			pfnmap_opts = all;
			rc = config_set(&conf, "run", "pfnmap", all, n, &err);
		} else if (strcmp(n, "--report-dir") == 0) {
			char *p = path_abs(v);
			rc = config_set(&conf, "run", "report_dir", p, n, &err);
			free(p);
		} else {
			static const struct {
				const char *opt, *key;
			} map[] = {{"--cells", "cells"},	 {"--suites", "suites"},	 {"--filter", "filter"},
				   {"--jobs", "jobs"},		 {"--host-cell", "host_cell"}, {"--timeout-scale", "timeout_scale"}};
			for (size_t k = 0; k < ARRAY_SIZE(map); k++)
				if (strcmp(map[k].opt, n) == 0)
					rc = config_set(&conf, "run", map[k].key, v, n, &err);
		}
	}
	free(pfnmap_opts);
	if (rc == 0)
		rc = config_finalize(&conf, &err);
	free(ps);
	if (rc != 0) {
		fprintf(stderr, "%s: %s\n", prog_name, err ? err : "configuration error");
		free(err);
		config_free(&conf);
		free(root);
		return 2;
	}

	struct run run;
	memset(&run, 0, sizeof(run));
	run_plan(&run, &conf, root);
	for (int i = 0; i < argc; i++)
		strvec_push(&run.argv, argv[i]);

	int status = 0;
	if (list) {
		list_cells(&conf, &run.host, run.host_cell, run.host_cell_why);
		goto done;
	}
	if (!run.cell_names.n) {
		fprintf(stderr, "%s: no cells to run (cells= is empty and no host cell: %s)\n", prog_name,
			run.host_cell_why);
		status = 2;
		goto done;
	}
	if (dry) {
		printf("# memattr-run dry run: %zu cell(s), jobs %ld, reports under %s\n", run.cell_names.n,
		       run_jobs(&conf) < (long)run.cell_names.n ? run_jobs(&conf) : (long)run.cell_names.n,
		       conf.report_dir);
		for (size_t i = 0; i < run.cell_names.n; i++) {
			if (run.host_cell && i == 0)
				native_dry_run(stdout, &run);
			else
				lab_dry_run(stdout, config_find_cell(&conf, run.cell_names.v[i]), &run);
		}
		goto done;
	}

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* every Ctrl-C only sets the flag: the children live in their own process groups and must be
	 * killed by us (within a few seconds) rather than left running behind a dead driver */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (run_open(&run, &err) != 0) {
		fprintf(stderr, "%s: %s\n", prog_name, err);
		free(err);
		status = 1;
		goto done;
	}
	char *names = strvec_join(&run.cell_names, ", ");
	fprintf(stderr, "%s: run %s: %zu cell(s) (%s), jobs %ld; host cell: %s\n", prog_name, run.id,
		run.cell_names.n, names, run_jobs(&conf), run.host_cell_why);
	free(names);
	fprintf(stderr, "%s: reports in %s\n", prog_name, run.dir);
	run_execute(&run);
	if (run_write_reports(&run, &err) != 0) {
		fprintf(stderr, "%s: %s\n", prog_name, err);
		free(err);
		status = 1;
	}
	fputc('\n', stdout);
	summary_write(stdout, &run);
	if (status == 0)
		status = run_exit_status(&run);
done:
	run_free(&run);
	config_free(&conf);
	free(root);
	return status;
}
