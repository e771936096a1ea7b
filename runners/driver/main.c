// SPDX-License-Identifier: GPL-2.0
/* main.c: memattr-run command line. */
#include "config.h"
#include "lab.h"
#include "merge.h"
#include "native.h"
#include "post.h"
#include "proc.h"
#include "report.h"
#include "run.h"
#include "util.h"

#include <getopt.h>
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
	"  --known-issues FILE    failures FILE lists are \"known\", its passing tests \"fixed\" (tab-separated:\n"
	"                         test, cell, arch, kernel-release globs, reason, link; [run] known_issues)\n"
	"  --kcidb FILE           also write the results as a KCIDB v5.3 document to FILE\n"
	"  --kcidb-origin NAME    its origin ([a-z0-9_]+, default memattr)\n"
	"  --kcidb-build-id ID    the farm's build the tests ran on (default: one build per kernel,\n"
	"                         <origin>:memattr-<run>-<kernel release>, written into the document)\n"
	"  --kcidb-checkout-id ID checkout of those builds (default <origin>:memattr-<run>)\n"
	"  --kcidb-url-base URL   prefix of the log and output file URLs (default: relative to the report)\n"
	"  --html FILE            report.html to FILE (a run always writes <run>/report.html)\n"
	"  --compare OLD [NEW]    compare with the baseline OLD (report directory or results.json): after\n"
	"                         the run, or with NEW instead of running; exit 1 on a regression\n"
	"  --report-from DIR      do not run: make the reports asked for (--kcidb, --html, --compare) from\n"
	"                         DIR/results.json\n"
	"  --merge DIR...         do not run: merge these report directories (shards) into a new one\n"
	"  --shard I/N            run only the lab cells at positions I, I+N, ... of cells= (1-based)\n"
	"  --list-cells           list the configured cells and exit\n"
	"  --dry-run              print what would run (kernel, initramfs and QEMU command lines)\n"
	"  --help                 this text\n"
	"\n"
	"Precedence: suite.conf < --config files (in order) < the other options (in order).\n"
	"Environment: MEMATTR_CACHE (kernel cache, default ~/.cache/memattr), MEMATTR_QEMU_AARCH64,\n"
	"MEMATTR_QEMU_X86_64 (QEMU binaries), MEMATTR_FETCH_KERNEL, MEMATTR_MKINITRAMFS,\n"
	"MEMATTR_BUILD_FIXTURES, MEMATTR_BUILD_KVM (scripts),\n"
	"MEMATTR_ROOT (project root; default: found from the program's location).\n"
	"Exit status: 0 every cell passed (skips and known issues allowed), 1 a test failed or a cell\n"
	"errored, or --compare found a regression; 2 usage or configuration error.\n";

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

enum {
	OPT_CONFIG = 256,
	OPT_NO_DEFAULTS,
	OPT_CELLS,
	OPT_SUITES,
	OPT_FILTER,
	OPT_SET,
	OPT_JOBS,
	OPT_HOST_CELL,
	OPT_REPORT_DIR,
	OPT_TIMEOUT_SCALE,
	OPT_LIST_CELLS,
	OPT_DRY_RUN,
	OPT_PFNMAP,
	OPT_KNOWN_ISSUES,
	OPT_KCIDB,
	OPT_KCIDB_ORIGIN,
	OPT_KCIDB_BUILD_ID,
	OPT_KCIDB_CHECKOUT_ID,
	OPT_KCIDB_URL_BASE,
	OPT_HTML,
	OPT_COMPARE,
	OPT_REPORT_FROM,
	OPT_MERGE,
	OPT_SHARD,
	OPT_PROFILE,
};

static const struct option long_opts[] = {
	{"config", required_argument, NULL, OPT_CONFIG},
	{"no-defaults", no_argument, NULL, OPT_NO_DEFAULTS},
	{"cells", required_argument, NULL, OPT_CELLS},
	{"suites", required_argument, NULL, OPT_SUITES},
	{"filter", required_argument, NULL, OPT_FILTER},
	{"set", required_argument, NULL, OPT_SET},
	{"jobs", required_argument, NULL, OPT_JOBS},
	{"host-cell", required_argument, NULL, OPT_HOST_CELL},
	{"report-dir", required_argument, NULL, OPT_REPORT_DIR},
	{"timeout-scale", required_argument, NULL, OPT_TIMEOUT_SCALE},
	{"list-cells", no_argument, NULL, OPT_LIST_CELLS},
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},
	{"pfnmap", required_argument, NULL, OPT_PFNMAP},
	{"known-issues", required_argument, NULL, OPT_KNOWN_ISSUES},
	{"kcidb", required_argument, NULL, OPT_KCIDB},
	{"kcidb-origin", required_argument, NULL, OPT_KCIDB_ORIGIN},
	{"kcidb-build-id", required_argument, NULL, OPT_KCIDB_BUILD_ID},
	{"kcidb-checkout-id", required_argument, NULL, OPT_KCIDB_CHECKOUT_ID},
	{"kcidb-url-base", required_argument, NULL, OPT_KCIDB_URL_BASE},
	{"html", required_argument, NULL, OPT_HTML},
	{"compare", required_argument, NULL, OPT_COMPARE},
	{"report-from", required_argument, NULL, OPT_REPORT_FROM},
	{"merge", no_argument, NULL, OPT_MERGE},
	{"shard", required_argument, NULL, OPT_SHARD},
	{"profile", required_argument, NULL, OPT_PROFILE},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* [run] keys set by an option of the same meaning */
static const struct {
	int id;
	const char *key;
} run_keys[] = {
	{OPT_CELLS, "cells"}, {OPT_SUITES, "suites"}, {OPT_FILTER, "filter"},
	{OPT_JOBS, "jobs"}, {OPT_HOST_CELL, "host_cell"}, {OPT_TIMEOUT_SCALE, "timeout_scale"},
	{OPT_PROFILE, "profile"},
};

/* Options of the reports made from results.json, and of what not to run. */
struct post_cmdline {
	struct post_opts post;
	const char *html, *report_from;
	bool merge;
	long shard_i, shard_n;
	char **args; /* the arguments after the options: NEW of --compare, the directories of --merge */
	int nargs;
};

/* One option that changes the configuration, in command-line order. */
struct parsed {
	int id;
	char *name; /* "--cells": the origin in configuration messages */
	const char *arg;
};

struct cmdline {
	struct parsed *ps;
	size_t nps;
	bool no_defaults, list, dry, help;
	struct post_cmdline pc;
};

static int usage_error(const char *fmt, const char *a)
{
	fprintf(stderr, "%s: ", prog_name);
	fprintf(stderr, fmt, a);
	fprintf(stderr, " (see --help)\n");
	return 2;
}

static const char *long_name(int id)
{
	for (const struct option *o = long_opts; o->name; o++)
		if (o->val == id)
			return o->name;
	return "?";
}

/* What getopt_long refused (it printed nothing: opterr = 0): 2 with the message. */
static int refused(int ch, char **argv)
{
	const char *a = argv[optind - 1];
	char *name;
	int rc;

	if (ch == ':') {
		name = xasprintf("--%s", long_name(optopt));
		rc = usage_error("option '%s' needs a value", name);
	} else if (optopt && str_starts(a, "--")) { /* a known long option given "=value" */
		name = xasprintf("--%s", long_name(optopt));
		rc = usage_error("option '%s' takes no value", name);
	} else {
		name = xstrdup(a);
		rc = usage_error("unknown option '%s'", name);
	}
	free(name);
	return rc;
}

static void cmdline_free(struct cmdline *cl)
{
	for (size_t i = 0; i < cl->nps; i++)
		free(cl->ps[i].name);
	free(cl->ps);
}

static int parse_shard(struct post_cmdline *pc, const char *a)
{
	const char *slash = strchr(a, '/');
	char *i = slash ? xstrndup(a, (size_t)(slash - a)) : NULL;
	bool ok = i && parse_long(i, 1, 100000, &pc->shard_i) &&
		  parse_long(slash + 1, 1, 100000, &pc->shard_n) && pc->shard_i <= pc->shard_n;

	free(i);
	return ok ? 0 : usage_error("--shard wants I/N with 1 <= I <= N, not '%s'", a);
}

/* An option of the post-run reports: 1 if ch was one, 0 if not, 2 after a usage message. */
static int post_option(struct post_cmdline *pc, int ch, const char *a)
{
	struct kcidb_opts *k = &pc->post.kopts;

	switch (ch) {
	case OPT_KCIDB:
		pc->post.kcidb = a;
		return 1;
	case OPT_KCIDB_ORIGIN:
		k->origin = a;
		return kcidb_origin_ok(a) ? 1 : usage_error("--kcidb-origin wants [a-z0-9_]+, not '%s'", a);
	case OPT_KCIDB_BUILD_ID:
		k->build_id = a;
		return kcidb_id_ok(a) ? 1 : usage_error("--kcidb-build-id wants ORIGIN:ID, not '%s'", a);
	case OPT_KCIDB_CHECKOUT_ID:
		k->checkout_id = a;
		return kcidb_id_ok(a) ? 1 : usage_error("--kcidb-checkout-id wants ORIGIN:ID, not '%s'", a);
	case OPT_KCIDB_URL_BASE:
		k->url_base = a;
		return 1;
	case OPT_HTML:
		pc->html = a;
		return 1;
	case OPT_COMPARE:
		pc->post.baseline = a;
		return 1;
	case OPT_REPORT_FROM:
		pc->report_from = a;
		return 1;
	case OPT_MERGE:
		pc->merge = true;
		return 1;
	case OPT_SHARD:
		return parse_shard(pc, a) ? 2 : 1;
	}
	return 0;
}

/* The arguments after the options: only --compare OLD NEW and --merge DIR... take them. */
static int post_args(struct post_cmdline *pc, int argc, char **argv)
{
	pc->args = argv + optind;
	pc->nargs = argc - optind;
	if (pc->merge && pc->nargs < 1)
		return usage_error("%s wants the report directories to merge", "--merge");
	if (pc->merge || !pc->nargs)
		return 0;
	if (pc->post.baseline && pc->nargs == 1 && !pc->report_from)
		return 0;
	return usage_error("unexpected argument '%s'", argv[optind]);
}

/* 0, or 2 after a usage message. Options that set something are kept in order in cl->ps. */
static int parse_cmdline(int argc, char **argv, struct cmdline *cl)
{
	int ch, rc;

	memset(cl, 0, sizeof(*cl));
	cl->ps = xcalloc((size_t)argc + 1, sizeof(*cl->ps));
	optind = 0; /* a full re-initialization (the fuzz target calls main again) */
	opterr = 0;
	/* '+': the first argument that is not an option ends the options (and is an error) */
	while ((ch = getopt_long(argc, argv, "+:h", long_opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			cl->help = true;
			return 0;
		case OPT_NO_DEFAULTS:
			cl->no_defaults = true;
			break;
		case OPT_LIST_CELLS:
			cl->list = true;
			break;
		case OPT_DRY_RUN:
			cl->dry = true;
			break;
		case '?':
		case ':':
			return refused(ch, argv);
		default:
			rc = post_option(&cl->pc, ch, optarg);
			if (rc == 2)
				return 2;
			if (rc == 1)
				break;
			cl->ps[cl->nps++] = (struct parsed){ch, xasprintf("--%s", long_name(ch)), optarg};
			break;
		}
	}
	return post_args(&cl->pc, argc, argv);
}

/* One configuration-changing option (not --config, read before them all). */
static int apply_option(struct config *conf, const struct parsed *p, char **pfnmap_opts, char **err)
{
	char *v;
	int rc;

	switch (p->id) {
	case OPT_SET:
		return config_set_spec(conf, p->arg, err);
	case OPT_PFNMAP:
		/* repeatable: the specs add up */
		v = str_empty(*pfnmap_opts) ? xstrdup(p->arg) : xasprintf("%s;%s", *pfnmap_opts, p->arg);
		free(*pfnmap_opts);
		*pfnmap_opts = v;
		return config_set(conf, "run", "pfnmap", v, p->name, err);
	case OPT_REPORT_DIR:
	case OPT_KNOWN_ISSUES:
		v = path_abs(p->arg);
		rc = config_set(conf, "run", p->id == OPT_REPORT_DIR ? "report_dir" : "known_issues", v,
				p->name, err);
		free(v);
		return rc;
	}
	for (size_t k = 0; k < ARRAY_SIZE(run_keys); k++)
		if (run_keys[k].id == p->id)
			return config_set(conf, "run", run_keys[k].key, p->arg, p->name, err);
	return 0;
}

/* suite.conf, then the --config files, then the other options in order; then the checks. */
static int load_config(struct config *conf, const char *root, const struct cmdline *cl, char **err)
{
	char *pfnmap_opts = NULL, *p;
	int rc = 0;

	if (!cl->no_defaults) {
		p = path_join(root, "suite.conf");
		rc = config_load_file(conf, p, err);
		free(p);
	}
	for (size_t i = 0; rc == 0 && i < cl->nps; i++) {
		if (cl->ps[i].id != OPT_CONFIG)
			continue;
		p = path_abs(cl->ps[i].arg);
		rc = config_load_file(conf, p, err);
		free(p);
	}
	for (size_t i = 0; rc == 0 && i < cl->nps; i++)
		if (cl->ps[i].id != OPT_CONFIG)
			rc = apply_option(conf, &cl->ps[i], &pfnmap_opts, err);
	free(pfnmap_opts);
	if (rc == 0)
		rc = config_finalize(conf, err);
	return rc;
}

static void list_cells(const struct config *c, const struct host_info *h, bool host_wanted, const char *why)
{
	struct strvec halves = {0};

	config_migration_cells(c, &halves);
	printf("%-20s %-7s %-18s %-14s %4s %6s %-22s %s\n", "cell", "arch", "cpu", "machine", "smp", "memory",
	       "kernel", "selected / defined at");
	for (size_t i = 0; i < c->ncell; i++) {
		const struct cell_conf *cc = &c->cell[i];
		const char *kc = cc->kvm_config;
		char *kernel = cc->kernel ? xstrdup(cc->kernel) :
					    xasprintf("debian %s (%s)%s%s", cc->flavour, c->kernel_suite,
						      kc ? ", kvm " : "", kc ? kc : "");
		printf("%-20s %-7s %-18s %-14s %4ld %6s %-22s %s %s\n", cc->name, cc->arch, cc->cpu,
		       *cc->machine ? cc->machine : "-", cc->smp, cc->memory, kernel,
		       strvec_has(&c->cells, cc->name) || strvec_has(&halves, cc->name) ? "yes" : "no ",
		       cc->where);
		free(kernel);
	}
	strvec_free(&halves);
	printf("%-20s %-7s %-18s %-14s %4s %6s %-22s %s (%s)\n", "host", h->arch ? h->arch : h->machine, "native",
	       h->kind, "-", "-", h->release, host_wanted ? "yes" : "no ", why);
}

static void dry_run(const struct run *run, const struct config *conf)
{
	long jobs = run_jobs(conf);

	printf("# memattr-run dry run: %zu cell(s), jobs %ld, reports under %s\n", run->cell_names.n,
	       jobs < (long)run->cell_names.n ? jobs : (long)run->cell_names.n, conf->report_dir);
	for (size_t i = 0; i < run->cell_names.n; i++) {
		if (run->host_cell && i == 0)
			native_dry_run(stdout, conf, &run->env, &run->host, run->host_cell_why);
		else
			lab_dry_run(stdout, config_find_cell(conf, run->cell_names.v[i]), conf, &run->env);
	}
}

static void on_signal(int sig)
{
	(void)sig;
	proc_interrupted = 1;
}

/* The reports made from results.json of dir (post.h); html: report.html to write, NULL: none. */
static int post(const struct post_cmdline *pc, const struct run *run, const char *dir, const char *html,
		bool own_dir)
{
	struct post_opts o = pc->post;

	if (!o.kopts.origin)
		o.kopts.origin = "memattr";
	o.html = html;
	o.write_compare = own_dir;
	o.known = &run->known;
	return post_reports(&o, dir);
}

/* --merge, --report-from, --compare OLD NEW: no cell runs. The exit status. */
static int offline(const struct post_cmdline *pc, struct run *run)
{
	char *err = NULL, *html;
	int status;

	if (pc->report_from)
		return post(pc, run, pc->report_from, pc->html, false);
	if (!pc->merge)
		return post(pc, run, pc->args[0], pc->html, false);
	if (run_open(run, &err) != 0 ||
	    merge_reports(pc->args, pc->nargs, run->dir, run->id, &run->known, &err) != 0) {
		fprintf(stderr, "%s: %s\n", prog_name, err);
		free(err);
		return 2;
	}
	html = pc->html ? xstrdup(pc->html) : path_join(run->dir, "report.html");
	status = post(pc, run, run->dir, html, true);
	fprintf(stderr, "%s: merged %d report(s) into %s\n", prog_name, pc->nargs, run->dir);
	free(html);
	return status;
}

static bool is_offline(const struct post_cmdline *pc)
{
	return pc->merge || pc->report_from || (pc->post.baseline && pc->nargs == 1);
}

/* Run the cells, write the reports and print the summary: the exit status. */
static int execute(struct run *run, const struct config *conf, const struct post_cmdline *pc)
{
	struct sigaction sa;
	char *err = NULL, *names;
	int status = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* every Ctrl-C only sets the flag: the children live in their own process groups and must be
	 * killed by us (within a few seconds) rather than left running behind a dead driver
	 */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (run_open(run, &err) != 0) {
		fprintf(stderr, "%s: %s\n", prog_name, err);
		free(err);
		return 1;
	}
	names = strvec_join(&run->cell_names, ", ");
	fprintf(stderr, "%s: run %s: %zu cell(s) (%s), jobs %ld; host cell: %s\n", prog_name, run->id,
		run->cell_names.n, names, run_jobs(conf), run->host_cell_why);
	free(names);
	fprintf(stderr, "%s: reports in %s\n", prog_name, run->dir);
	run_execute(run);
	if (report_write_all(run, &err) != 0) {
		fprintf(stderr, "%s: %s\n", prog_name, err);
		free(err);
		status = 1;
	}
	fputc('\n', stdout);
	summary_write(stdout, run);
	char *html = pc->html ? xstrdup(pc->html) : path_join(run->dir, "report.html");
	int ps = status ? 0 : post(pc, run, run->dir, html, true);

	free(html);
	status = status ? status : run_exit_status(run);
	return status ? status : ps ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct cmdline cl;
	struct config conf;
	struct run run;
	char *root, *err = NULL;
	int status;

	status = parse_cmdline(argc, argv, &cl);
	if (status || cl.help) {
		if (cl.help)
			fputs(usage_text, stdout);
		cmdline_free(&cl);
		return status;
	}
	root = find_root();
	config_init(&conf, root);
	status = load_config(&conf, root, &cl, &err);
	cmdline_free(&cl);
	if (status != 0) {
		fprintf(stderr, "%s: %s\n", prog_name, err ? err : "configuration error");
		free(err);
		config_free(&conf);
		free(root);
		return 2;
	}

	memset(&run, 0, sizeof(run));
	run.shard_i = cl.pc.shard_i;
	run.shard_n = cl.pc.shard_n;
	if (conf.known_issues && known_issues_load(&run.known, conf.known_issues, &err) != 0) {
		fprintf(stderr, "%s: %s\n", prog_name, err);
		free(err);
		config_free(&conf);
		free(root);
		return 2;
	}
	run_plan(&run, &conf, root);
	for (int i = 0; i < argc; i++)
		strvec_push(&run.argv, argv[i]);
	if (cl.list) {
		list_cells(&conf, &run.host, run.host_cell, run.host_cell_why);
	} else if (cl.dry && is_offline(&cl.pc)) {
		const char *from = cl.pc.report_from ? cl.pc.report_from : cl.pc.args[0];

		printf("# memattr-run dry run: no cell runs; the reports would be made from %s\n",
		       cl.pc.merge ? "the directories merged" : from);
	} else if (is_offline(&cl.pc)) {
		status = offline(&cl.pc, &run);
	} else if (!run.cell_names.n) {
		fprintf(stderr, "%s: no cells to run (cells= is empty and no host cell: %s)\n", prog_name,
			run.host_cell_why);
		status = 2;
	} else if (cl.dry) {
		dry_run(&run, &conf);
	} else {
		status = execute(&run, &conf, &cl.pc);
	}
	run_free(&run);
	config_free(&conf);
	free(root);
	return status;
}
