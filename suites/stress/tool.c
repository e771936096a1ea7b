// SPDX-License-Identifier: GPL-2.0
/*
 * Host tools the stress suite runs (stress-ng, fio): found on PATH, started in their own process
 * group with their output in a file, bounded in time and stopped with their whole group.
 */
#include "stress.h"

#include "memattr/harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static bool package_expected(const char *pkg)
{
	const char *l = getenv("MEMATTR_PACKAGES");
	size_t n = strlen(pkg);

	for (const char *p = l; p && *p;) {
		p += strspn(p, " ");
		if (strncmp(p, pkg, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += strcspn(p, " ");
	}
	return false;
}

void st_tool_require(const char *tool, const char *pkg, char *path, size_t size)
{
	const char *env = getenv("PATH");
	char *dirs = strdup(env && *env ? env : "/usr/bin:/bin"), *save = NULL;

	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(path, size, "%s/%s", d, tool);
		if (access(path, X_OK) == 0) {
			free(dirs);
			MA_CHECK(true, "found");
			return;
		}
	}
	free(dirs);
	MA_REQUIRE(!package_expected(pkg),
		   "%s is not on PATH although the cell carries the Debian package %s (MEMATTR_PACKAGES=%s)",
		   tool, pkg, getenv("MEMATTR_PACKAGES"));
	ma_skip("%s not found on PATH (Debian package %s; runners/install-deps.sh installs it)", tool, pkg);
}

void st_proc_start(struct st_proc *p, char *const argv[], const char *tag)
{
	pid_t parent = getpid(), pid;
	int fd;

	snprintf(p->out, sizeof(p->out), "%s/memattr-stress-%d-%s.out", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (int)parent, tag);
	fd = open(p->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	MA_REQUIRE(fd >= 0, "open %s: %s", p->out, strerror(errno));
	pid = fork();
	MA_REQUIRE(pid >= 0, "fork for %s: %s", argv[0], strerror(errno));
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		/* a test child killed at its timeout takes the tool with it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		if (nul >= 0)
			dup2(nul, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], argv);
		dprintf(2, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	close(fd);
	p->pid = pid;
	p->t0 = ma_now_s();
}

static int reap(struct st_proc *p, double until, int *status)
{
	for (;;) {
		pid_t r = waitpid(p->pid, status, WNOHANG);

		if (r == p->pid)
			return 1;
		MA_REQUIRE(r == 0, "waitpid %d: %s", (int)p->pid, strerror(errno));
		if (ma_now_s() >= until)
			return 0;
		usleep(20000);
	}
}

static int stop_group(struct st_proc *p)
{
	int status = 0;

	kill(-p->pid, SIGTERM);
	if (!reap(p, ma_now_s() + 3.0, &status)) {
		kill(-p->pid, SIGKILL);
		MA_REQUIRE(reap(p, ma_now_s() + 10.0, &status), "%s (pid %d) not reaped 10 s after SIGKILL",
			   p->out, (int)p->pid);
	}
	/* what it left in its group (workers) */
	kill(-p->pid, SIGKILL);
	p->pid = 0;
	return status;
}

int st_proc_wait(struct st_proc *p, double timeout_s, bool *timed_out)
{
	int status = 0;

	*timed_out = false;
	if (reap(p, p->t0 + timeout_s, &status)) {
		kill(-p->pid, SIGKILL);
		p->pid = 0;
		return status;
	}
	*timed_out = true;
	return stop_group(p);
}

bool st_proc_done(struct st_proc *p, int *status)
{
	pid_t r = waitpid(p->pid, status, WNOHANG);

	MA_REQUIRE(r >= 0, "waitpid %d: %s", (int)p->pid, strerror(errno));
	if (r != p->pid)
		return false;
	kill(-p->pid, SIGKILL);
	p->pid = 0;
	return true;
}

char *st_read_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *s = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			s = realloc(s, cap);
			if (!s) {
				fclose(f);
				return NULL;
			}
		}
		size_t r = fread(s + n, 1, cap - n - 1, f);

		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	s[n] = '\0';
	return s;
}
