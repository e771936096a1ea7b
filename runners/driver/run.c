// SPDX-License-Identifier: GPL-2.0
/* run.c: plan, report directory, parallel execution of the cells (see run.h). */
#include "run.h"

#include "lab.h"
#include "proc.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void run_plan(struct run *r, const struct config *conf, const char *root)
{
	char stamp[32];

	r->conf = conf;
	run_env_init(&r->env, root);
	utc_stamp(stamp, sizeof(stamp), true);
	r->id = xstrdup(stamp);
	utc_stamp(stamp, sizeof(stamp), false);
	r->timestamp = xstrdup(stamp);
	char hn[256] = "unknown";

	if (gethostname(hn, sizeof(hn)) != 0)
		snprintf(hn, sizeof(hn), "unknown");
	hn[sizeof(hn) - 1] = 0;
	r->hostname = xstrdup(hn);
	native_detect(&r->host);
	const char *why = "";

	r->host_cell = native_wanted(conf->host_cell, &r->host, &why);
	r->host_cell_why = xstrdup(why);
	if (r->host_cell)
		strvec_push(&r->cell_names, "host");
	for (size_t i = 0; i < conf->cells.n; i++)
		strvec_push(&r->cell_names, conf->cells.v[i]);
	config_migration_cells(conf, &r->cell_names);
	r->cells = xcalloc(r->cell_names.n + 1, sizeof(*r->cells));
}

static char *git_describe(const char *root)
{
	char *argv[] = {"git", "-C", (char *)root, "describe", "--always", "--dirty", "--tags", NULL};
	struct buf out = {0};
	int st = 0;
	char *err = NULL;
	char *res = NULL;

	if (proc_capture(argv, NULL, 20, &out, NULL, &st, &err) == 0 && proc_rc(st) == 0) {
		char *t = str_trim(out.s ? out.s : (char *)"");

		if (*t)
			res = xstrdup(t);
	}
	free(err);
	buf_free(&out);
	return res;
}

int run_open(struct run *r, char **err)
{
	const char *base = r->conf->report_dir;

	if (mkdir_p(base) != 0) {
		*err = xasprintf("cannot create the report directory %s: %s", base, strerror(errno));
		return -1;
	}
	for (int i = 1; i < 100; i++) {
		char *name = i == 1 ? xstrdup(r->id) : xasprintf("%s-%d", r->id, i);
		char *dir = path_join(base, name);

		if (mkdir(dir, 0777) == 0) {
			free(r->id);
			r->id = name;
			r->dir = dir;
			break;
		}
		int e = errno;

		free(name);
		free(dir);
		if (e != EEXIST) {
			*err = xasprintf("cannot create a run directory in %s: %s", base, strerror(e));
			return -1;
		}
	}
	if (!r->dir) {
		*err = xasprintf("cannot create a run directory in %s", base);
		return -1;
	}
	/* reports/latest -> <id>, replaced atomically */
	char *tmp = xasprintf("%s/.latest.%ld", base, (long)getpid());
	char *latest = path_join(base, "latest");

	unlink(tmp);
	if (symlink(r->id, tmp) != 0 || rename(tmp, latest) != 0) {
		warnx_("warning: cannot update %s: %s", latest, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	free(latest);
	r->git = git_describe(r->env.root);
	return 0;
}

/* ---------------------------------------------------------------- execution */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static double log_t0;

static void progress(const struct cell *c, const char *msg)
{
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "[%7.1fs] %-18s %s\n", mono_now() - log_t0, c->name, msg);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
}

struct pool {
	struct run *r;
	pthread_mutex_t lock;
	size_t next;
};

static void run_one(struct run *r, size_t i)
{
	const char *name = r->cell_names.v[i];
	bool host = r->host_cell && i == 0;
	const struct cell_conf *cc = host ? NULL : config_find_cell(r->conf, name);
	const char *arch = host ? r->host.arch : cc->arch;
	char *err = NULL;
	struct cell *c = cell_new(r->dir, name, arch, &err);

	if (!c) {
		warnx_("cell %s: %s", name, err);
		free(err);
		return;
	}
	if (proc_interrupted)
		cell_finish(c, "run interrupted before the cell started");
	else if (host)
		native_run_cell(c, r->conf, &r->env, &r->host);
	else
		lab_run_cell(c, cc, r->conf, &r->env);
	cell_log(c, "%s%s%s (%.1f s): pass %ld, fail %ld, skip %ld", cell_status_name(c->status),
		 c->reason ? ": " : "", c->reason ? c->reason : "", c->t_end - c->t_start,
		 c->counts[RES_PASS], cell_failures(c), c->counts[RES_SKIP]);
	r->cells[i] = c;
}

/* The out half of a migration pair: the in half (next in cell_names) runs after it, on its stream. */
static bool pair_out(const struct run *r, size_t i)
{
	const struct cell_conf *cc;

	if (i >= r->cell_names.n || (r->host_cell && i == 0))
		return false;
	cc = config_find_cell(r->conf, r->cell_names.v[i]);
	return cc && cc->migrate_role && strcmp(cc->migrate_role, "out") == 0;
}

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		size_t i = p->next++;
		bool pair = pair_out(p->r, i);

		if (pair)
			p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->r->cell_names.n)
			break;
		run_one(p->r, i);
		if (pair)
			run_one(p->r, i + 1);
	}
	return NULL;
}

void run_execute(struct run *r)
{
	r->t_start = mono_now();
	log_t0 = r->t_start;
	cell_progress_hook = progress;
	size_t n = r->cell_names.n;
	long jobs = run_jobs(r->conf);

	if ((size_t)jobs > n)
		jobs = (long)n;
	struct pool p = {.r = r, .next = 0};

	pthread_mutex_init(&p.lock, NULL);
	pthread_t *t = xcalloc((size_t)jobs + 1, sizeof(*t));
	long started = 0;

	for (long i = 0; i < jobs; i++) {
		if (pthread_create(&t[i], NULL, worker, &p) != 0)
			break;
		started++;
	}
	if (started == 0)
		worker(&p);
	for (long i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	free(t);
	pthread_mutex_destroy(&p.lock);
	cell_progress_hook = NULL;
	r->t_end = mono_now();
	r->interrupted = proc_interrupted != 0;
}

int run_exit_status(const struct run *r)
{
	if (r->interrupted)
		return 1;
	for (size_t i = 0; i < r->cell_names.n; i++)
		if (!r->cells[i] || r->cells[i]->status != CELL_PASS)
			return 1;
	return 0;
}

void run_free(struct run *r)
{
	for (size_t i = 0; i < r->cell_names.n; i++)
		cell_free(r->cells[i]);
	free(r->cells);
	strvec_free(&r->cell_names);
	strvec_free(&r->argv);
	free(r->id);
	free(r->timestamp);
	free(r->dir);
	free(r->hostname);
	free(r->git);
	free(r->host_cell_why);
	native_free(&r->host);
	run_env_free(&r->env);
	lab_cleanup();
	memset(r, 0, sizeof(*r));
}
