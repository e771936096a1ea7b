// SPDX-License-Identifier: GPL-2.0
/* t.c: see t.h. */
#include "t.h"

#include "tap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int t_n, t_failed;

void t_start(const char *name)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n# %s\n", name);
}

static void vreport(bool ok, const char *file, int line, const char *fmt, va_list ap)
{
	char *d = xvasprintf(fmt, ap);

	printf("%s %d - %s\n", ok ? "ok" : "not ok", ++t_n, d);
	if (!ok) {
		printf("#   failed at %s:%d\n", file, line);
		t_failed++;
	}
	free(d);
}

bool t_ok_(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(ok, file, line, fmt, ap);
	va_end(ap);
	return ok;
}

static void show(const char *what, const char *s)
{
	printf("#   %s: ", what);
	if (!s) {
		printf("(null)\n");
		return;
	}
	putchar('"');
	for (const char *p = s; *p; p++) {
		if (*p == '\n')
			printf("\\n\n#     ");
		else
			putchar(*p);
	}
	printf("\"\n");
}

bool t_str_(const char *got, const char *want, const char *file, int line, const char *fmt, ...)
{
	bool ok = (!got && !want) || (got && want && strcmp(got, want) == 0);
	va_list ap;

	va_start(ap, fmt);
	vreport(ok, file, line, fmt, ap);
	va_end(ap);
	if (!ok) {
		show("got ", got);
		show("want", want);
	}
	return ok;
}

bool t_int_(long got, long want, const char *file, int line, const char *fmt, ...)
{
	bool ok = got == want;
	va_list ap;

	va_start(ap, fmt);
	vreport(ok, file, line, fmt, ap);
	va_end(ap);
	if (!ok)
		printf("#   got %ld, want %ld\n", got, want);
	return ok;
}

bool t_has_(const char *hay, const char *needle, const char *file, int line, const char *fmt, ...)
{
	bool ok = hay && needle && strstr(hay, needle);
	va_list ap;

	va_start(ap, fmt);
	vreport(ok, file, line, fmt, ap);
	va_end(ap);
	if (!ok) {
		show("text", hay);
		show("missing", needle);
	}
	return ok;
}

void t_skip(const char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *d = xvasprintf(fmt, ap);

	va_end(ap);
	printf("ok %d - %s # SKIP %s\n", ++t_n, d, why);
	free(d);
}

bool t_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *d = xvasprintf(fmt, ap);

	va_end(ap);
	printf("# %s\n", d);
	free(d);
	return false;
}

int t_done(void)
{
	printf("1..%d\n", t_n);
	if (t_failed)
		printf("# %d of %d failed\n", t_failed, t_n);
	return t_failed ? 1 : 0;
}

const char *t_data(void)
{
	const char *d = getenv("MEMATTR_TEST_DATA");

	return d ? d : "tests/driver/data";
}

char *t_data_path(const char *name)
{
	return path_join(t_data(), name);
}

char *t_tmpdir(const char *name)
{
	const char *base = getenv("MEMATTR_TEST_TMP");
	char *d = xasprintf("%s/%s.%ld", base ? base : "/tmp", name, (long)getpid());

	t_sh(NULL, "rm -rf '%s'", d);
	mkdir_p(d);
	return d;
}

int t_sh(char **out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *cmd = xvasprintf(fmt, ap);

	va_end(ap);
	int rc;

	if (out) {
		char *full = xasprintf("(%s) 2>&1", cmd);
		FILE *p = popen(full, "r");
		struct buf b = {0};
		char tmp[4096];
		size_t n;

		while (p && (n = fread(tmp, 1, sizeof(tmp), p)) > 0)
			buf_add(&b, tmp, n);
		int st = p ? pclose(p) : -1;

		rc = st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		*out = buf_take(&b);
		free(full);
	} else {
		int st = system(cmd);

		rc = st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	free(cmd);
	return rc;
}

bool t_have(const char *tool)
{
	char *p = find_in_path(tool);
	bool found = p;

	free(p);
	return found;
}

char *t_read(const char *path)
{
	char *s = read_file(path, NULL);

	return s ? s : xstrdup("");
}

bool str_ends(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && memcmp(s + a - b, suffix, b) == 0;
}

void t_tap_read(const char *path, struct t_tap *s)
{
	char *text = t_read(path), *save = NULL;

	memset(s, 0, sizeof(*s));
	s->plan = -1;
	s->in_order = true;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct tap_line l;

		tap_parse_line(line, &l);
		if (l.indent == 0 && l.kind == TAP_PLAN) {
			s->plan = l.plan;
			s->plan_at_end = s->results > 0;
		} else if (l.indent == 0 && l.kind == TAP_RESULT) {
			s->results++;
			s->failures += result_is_failure(tap_result_of(&l));
			if (l.number >= 0 && l.number != s->results)
				s->in_order = false;
		}
		tap_line_free(&l);
	}
	free(text);
}

bool t_tap_passed(const struct t_tap *s)
{
	return s->plan >= 0 && s->plan == s->results && s->in_order && !s->failures;
}
