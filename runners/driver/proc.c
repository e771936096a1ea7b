// SPDX-License-Identifier: GPL-2.0
/* proc.c: see proc.h. Safe to use from several threads: only async-signal-safe calls run between
 * fork() and exec(), and every descriptor is close-on-exec so that one cell's child does not hold
 * another cell's pipes open.
 */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

volatile sig_atomic_t proc_interrupted;

#define KILL_GRACE_S 3.0
#define DRAIN_S 2.0

static char **build_env(char *const *extra)
{
	size_t n = 0, m = 0;

	while (environ && environ[n])
		n++;
	while (extra && extra[m])
		m++;
	char **env = xcalloc(n + m + 1, sizeof(char *));
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t kl = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		bool overridden = false;

		for (size_t j = 0; j < m; j++)
			if (strncmp(extra[j], environ[i], kl) == 0 && extra[j][kl] == '=')
				overridden = true;
		if (!overridden)
			env[k++] = environ[i];
	}
	for (size_t j = 0; j < m; j++)
		env[k++] = extra[j];
	env[k] = NULL;
	return env;
}

/* In the child, between fork() and exec(): async-signal-safe calls only.  An exec (or chdir) failure
 * goes to the parent as the errno through ep.
 */
static void __attribute__((noreturn))
child_exec(const char *path, const struct proc_opts *o, char **env, int devnull, int out, int errfd, int ep)
{
	struct sigaction sa;
	sigset_t none;
	int e;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	dup2(devnull, 0);
	dup2(out, 1);
	dup2(errfd, 2);
	/* descriptors the driver opened without O_CLOEXEC (its report files, an inherited lock such
	 * as flock's) must not stay open in QEMU or a helper script either
	 */
	close_range(3, ~0u, CLOSE_RANGE_CLOEXEC);
	if (!o->cwd || chdir(o->cwd) == 0)
		execve(path, o->argv, env);
	e = errno;
	if (write(ep, &e, sizeof(e)) < 0)
		_exit(126);	/* the parent sees no errno, only the exit */
	_exit(127);
}

int proc_start(struct proc *p, const struct proc_opts *o, char **err)
{
	memset(p, 0, sizeof(*p));
	p->out_fd = -1;
	p->err_fd = -1;
	p->pid = -1;

	char *path = find_in_path(o->argv[0]);

	if (!path) {
		*err = xasprintf("%s: %s", o->argv[0],
				 strchr(o->argv[0], '/') ? "not found or not executable" : "not found in PATH");
		return -1;
	}
	int outp[2] = {-1, -1}, errp[2] = {-1, -1}, ep[2] = {-1, -1};
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (devnull < 0 || pipe2(outp, O_CLOEXEC) || (!o->merge_stderr && pipe2(errp, O_CLOEXEC)) ||
	    pipe2(ep, O_CLOEXEC)) {
		*err = xasprintf("pipe: %s", strerror(errno));
		int fds[] = {devnull, outp[0], outp[1], errp[0], errp[1], ep[0], ep[1]};

		for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
			if (fds[i] >= 0)
				close(fds[i]);
		free(path);
		return -1;
	}
	char **env = build_env(o->env);

	pid_t pid = fork();

	if (pid == 0)
		child_exec(path, o, env, devnull, outp[1], o->merge_stderr ? outp[1] : errp[1], ep[1]);
	int fork_errno = errno;

	free(env);
	close(devnull);
	close(outp[1]);
	if (errp[1] >= 0)
		close(errp[1]);
	close(ep[1]);
	if (pid < 0) {
		*err = xasprintf("fork: %s", strerror(fork_errno));
		close(outp[0]);
		if (errp[0] >= 0)
			close(errp[0]);
		close(ep[0]);
		free(path);
		return -1;
	}
	setpgid(pid, pid); /* also from here: no window where a kill(-pid) would miss */
	int child_errno = 0;
	ssize_t r;

	do {
		r = read(ep[0], &child_errno, sizeof(child_errno));
	} while (r < 0 && errno == EINTR);
	close(ep[0]);
	if (r == (ssize_t)sizeof(child_errno)) {
		*err = xasprintf("cannot execute %s: %s", path, strerror(child_errno));
		int st;

		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		close(outp[0]);
		if (errp[0] >= 0)
			close(errp[0]);
		free(path);
		return -1;
	}
	free(path);
	p->pid = pid;
	p->out_fd = outp[0];
	p->err_fd = errp[0];
	return 0;
}

static void close_fds(struct proc *p)
{
	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->err_fd >= 0)
		close(p->err_fd);
	p->out_fd = -1;
	p->err_fd = -1;
}

static bool try_reap(struct proc *p, bool block)
{
	if (p->exited)
		return true;
	for (;;) {
		int st;
		pid_t r = waitpid(p->pid, &st, block ? 0 : WNOHANG);

		if (r == p->pid) {
			p->status = st;
			p->exited = true;
			return true;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) { /* ECHILD: someone else reaped it; should not happen */
			p->status = 0xff00;
			p->exited = true;
			return true;
		}
		return false;
	}
}

void proc_kill(struct proc *p)
{
	if (p->pid <= 0)
		return;
	if (!p->exited) {
		kill(-p->pid, SIGTERM);
		kill(p->pid, SIGTERM);
		double end = mono_now() + KILL_GRACE_S;

		while (!try_reap(p, false) && mono_now() < end)
			usleep(20000);
		if (!p->exited) {
			kill(-p->pid, SIGKILL);
			kill(p->pid, SIGKILL);
			try_reap(p, true);
		}
	}
	kill(-p->pid, SIGKILL); /* stragglers of the group */
	close_fds(p);
}

/* Read what is available on fd; returns false at EOF/error (fd closed). */
static bool pump(struct proc *p, int *fd, int stream, proc_data_fn fn, void *ctx)
{
	char buf[65536];
	ssize_t n;

	do {
		n = read(*fd, buf, sizeof(buf));
	} while (n < 0 && errno == EINTR);
	if (n <= 0) {
		close(*fd);
		*fd = -1;
		return false;
	}
	if (fn)
		fn(ctx, p, stream, buf, (size_t)n);
	return true;
}

enum proc_end proc_stream(struct proc *p, proc_data_fn fn, void *ctx)
{
	double drain_until = 0;

	for (;;) {
		if (proc_interrupted) {
			proc_kill(p);
			return PROC_INTERRUPTED;
		}
		if (!p->exited && try_reap(p, false))
			drain_until = mono_now() + DRAIN_S;
		if (!p->exited && p->deadline > 0 && mono_now() >= p->deadline) {
			proc_kill(p);
			return PROC_TIMEOUT;
		}
		if (p->out_fd < 0 && p->err_fd < 0) {
			if (!p->exited) {
				/* pipes closed but still running: wait for it (deadline still applies) */
				usleep(20000);
				continue;
			}
			kill(-p->pid, SIGKILL);
			return PROC_EXITED;
		}
		if (p->exited && mono_now() >= drain_until) {
			/* a leftover of the group keeps the pipes open: stop reading */
			proc_kill(p);
			return PROC_EXITED;
		}
		struct pollfd pf[2];
		int n = 0;

		if (p->out_fd >= 0)
			pf[n++] = (struct pollfd){.fd = p->out_fd, .events = POLLIN};
		if (p->err_fd >= 0)
			pf[n++] = (struct pollfd){.fd = p->err_fd, .events = POLLIN};
		int r = poll(pf, (nfds_t)n, 100);

		if (r < 0 && errno != EINTR) {
			proc_kill(p);
			return PROC_EXITED;
		}
		for (int i = 0; r > 0 && i < n; i++) {
			if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (pf[i].fd == p->out_fd)
				pump(p, &p->out_fd, 1, fn, ctx);
			else if (pf[i].fd == p->err_fd)
				pump(p, &p->err_fd, 2, fn, ctx);
		}
	}
}

int proc_rc(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

char *proc_status_desc(int status)
{
	if (WIFEXITED(status))
		return xasprintf("exit status %d", WEXITSTATUS(status));
	if (WIFSIGNALED(status)) {
		char *s = signal_desc(WTERMSIG(status));
		char *r = xasprintf("killed by %s", s);

		free(s);
		return r;
	}
	return xasprintf("wait status 0x%x", (unsigned int)status);
}

struct capture_ctx {
	struct buf *out, *err;
};

static void capture_data(void *ctx, struct proc *p, int stream, const char *data, size_t n)
{
	struct capture_ctx *c = ctx;
	struct buf *b = stream == 1 ? c->out : c->err;

	if (b)
		buf_add(b, data, n);
}

int proc_capture(char *const argv[], char *const env[], double timeout_s, struct buf *out, struct buf *errout,
		 int *status, char **err)
{
	struct proc p;
	struct proc_opts o = {.argv = argv, .env = env};

	if (proc_start(&p, &o, err) != 0)
		return -1;
	if (timeout_s > 0)
		p.deadline = mono_now() + timeout_s;
	struct capture_ctx c = {out, errout};
	enum proc_end e = proc_stream(&p, capture_data, &c);
	*status = p.status;
	if (e == PROC_TIMEOUT) {
		*err = xasprintf("%s: no result after %.0f s (killed)", argv[0], timeout_s);
		return -1;
	}
	if (e == PROC_INTERRUPTED) {
		*err = xasprintf("%s: interrupted", argv[0]);
		return -1;
	}
	return 0;
}
