// SPDX-License-Identifier: GPL-2.0
/* util.c: see util.h. */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *prog_name = "memattr-run";

static void oom(void)
{
	fprintf(stderr, "%s: out of memory\n", prog_name);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom();
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list aq;

	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);

	va_end(aq);
	if (n < 0)
		oom();
	char *p = xmalloc((size_t)n + 1);

	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);

	va_end(ap);
	return p;
}

void replace_str(char **p, const char *s)
{
	char *n = s ? xstrdup(s) : NULL;

	free(*p);
	*p = n;
}

char *str_trim(char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t n = strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = 0;
	return s;
}

bool str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

char *signal_desc(int sig)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		return xasprintf("signal %d (SIG%s)", sig, abbrev);
	return xasprintf("signal %d", sig);
}

bool str_empty(const char *s)
{
	return !s || !*s;
}

bool parse_long(const char *s, long min, long max, long *out)
{
	if (!s)
		return false;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!isdigit((unsigned char)*s) && !((*s == '-' || *s == '+') && isdigit((unsigned char)s[1])))
		return false;
	errno = 0;
	char *end;
	long v = strtol(s, &end, 10);

	if (errno)
		return false;
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* ---------------------------------------------------------------- strvec */

void strvec_push_own(struct strvec *sv, char *s)
{
	if (sv->n + 2 > sv->cap) {
		sv->cap = sv->cap ? sv->cap * 2 : 8;
		sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void strvec_push(struct strvec *sv, const char *s)
{
	strvec_push_own(sv, xstrdup(s));
}

void strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strvec_push_own(sv, xvasprintf(fmt, ap));
	va_end(ap);
}

void strvec_clear(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	sv->n = 0;
	if (sv->v)
		sv->v[0] = NULL;
}

void strvec_free(struct strvec *sv)
{
	strvec_clear(sv);
	free(sv->v);
	sv->v = NULL;
	sv->cap = 0;
}

void strvec_copy(struct strvec *dst, const struct strvec *src)
{
	strvec_clear(dst);
	for (size_t i = 0; i < src->n; i++)
		strvec_push(dst, src->v[i]);
}

bool strvec_has(const struct strvec *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

void strvec_split(struct strvec *sv, const char *s, char sep)
{
	while (s && *s) {
		const char *e = strchr(s, sep);
		size_t n = e ? (size_t)(e - s) : strlen(s);
		char *item = xstrndup(s, n);
		char *t = str_trim(item);

		if (*t)
			strvec_push(sv, t);
		free(item);
		if (!e)
			break;
		s = e + 1;
	}
}

void strvec_split_words(struct strvec *sv, const char *s)
{
	struct buf w = {0};
	bool have = false;
	char q = 0;

	for (; s && *s; s++) {
		char c = *s;

		if (q) {
			if (c == q)
				q = 0;
			else if (c == '\\' && q == '"' && s[1])
				buf_addc(&w, *++s);
			else
				buf_addc(&w, c);
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n') {
			if (have)
				strvec_push_own(sv, buf_take(&w));
			have = false;
			continue;
		}
		have = true;
		if (c == '\'' || c == '"')
			q = c;
		else if (c == '\\' && s[1])
			buf_addc(&w, *++s);
		else
			buf_addc(&w, c);
	}
	if (have)
		strvec_push_own(sv, buf_take(&w));
	buf_free(&w);
}

char *strvec_join(const struct strvec *sv, const char *sep)
{
	struct buf b = {0};

	for (size_t i = 0; i < sv->n; i++) {
		if (i)
			buf_adds(&b, sep);
		buf_adds(&b, sv->v[i]);
	}
	return buf_take(&b);
}

/* ---------------------------------------------------------------- buf */

void buf_add(struct buf *b, const char *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t c = b->cap ? b->cap : 64;

		while (c < b->len + n + 1)
			c *= 2;
		b->s = xrealloc(b->s, c);
		b->cap = c;
	}
	memcpy(b->s + b->len, data, n);
	b->len += n;
	b->s[b->len] = 0;
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);

	va_end(ap);
	buf_adds(b, s);
	free(s);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = 0;
}

void buf_free(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = 0;
	b->cap = 0;
}

char *buf_take(struct buf *b)
{
	char *s = b->s ? b->s : xstrdup("");

	b->s = NULL;
	b->len = 0;
	b->cap = 0;
	return s;
}

const char *buf_str(const struct buf *b)
{
	return b->s ? b->s : "";
}

/* ---------------------------------------------------------------- kvlist */

struct kv *kv_find(const struct kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return &l->v[i];
	return NULL;
}

const char *kv_get(const struct kvlist *l, const char *key)
{
	struct kv *e = kv_find(l, key);

	return e ? e->val : NULL;
}

void kv_set(struct kvlist *l, const char *key, const char *val, int origin)
{
	struct kv *e = kv_find(l, key);

	if (e) {
		replace_str(&e->val, val);
		e->origin = origin;
		return;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].key = xstrdup(key);
	l->v[l->n].val = xstrdup(val);
	l->v[l->n].origin = origin;
	l->n++;
}

void kv_free(struct kvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].val);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
	l->cap = 0;
}

/* ---------------------------------------------------------------- files */

int mkdir_p(const char *path)
{
	char *p = xstrdup(path);
	int rc = 0;

	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == 0) {
			char c = *s;
			*s = 0;
			if (mkdir(p, 0777) != 0 && errno != EEXIST) {
				rc = -1;
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	if (rc == 0 && !is_dir(path)) {
		errno = ENOTDIR;
		rc = -1;
	}
	int e = errno;

	free(p);
	errno = e;
	return rc;
}

bool path_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_exec_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

char *path_join(const char *a, const char *b)
{
	if (b[0] == '/' || !a || !*a)
		return xstrdup(b);
	size_t n = strlen(a);

	return xasprintf("%s%s%s", a, (n && a[n - 1] == '/') ? "" : "/", b);
}

char *path_abs(const char *p)
{
	if (p[0] == '/')
		return xstrdup(p);
	char cwd[PATH_MAX];

	if (!getcwd(cwd, sizeof(cwd)))
		return xstrdup(p);
	return path_join(cwd, p);
}

char *find_in_path(const char *name)
{
	if (strchr(name, '/'))
		return is_exec_file(name) ? xstrdup(name) : NULL;
	const char *path = getenv("PATH");

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	struct strvec dirs = {0};

	strvec_split(&dirs, path, ':');
	char *found = NULL;

	for (size_t i = 0; i < dirs.n && !found; i++) {
		char *c = path_join(dirs.v[i], name);

		if (is_exec_file(c))
			found = c;
		else
			free(c);
	}
	strvec_free(&dirs);
	return found;
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	struct buf b = {0};
	char tmp[4096];
	size_t n;

	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_add(&b, tmp, n);
	int err = ferror(f);

	fclose(f);
	if (err) {
		buf_free(&b);
		errno = EIO;
		return NULL;
	}
	if (len)
		*len = b.len;
	return buf_take(&b);
}

char *shell_quote(const char *s)
{
	bool plain = *s != 0;

	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_./=,:+@%", *p))
			plain = false;
	if (plain)
		return xstrdup(s);
	struct buf b = {0};

	buf_addc(&b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			buf_adds(&b, "'\\''");
		else
			buf_addc(&b, *p);
	}
	buf_addc(&b, '\'');
	return buf_take(&b);
}

/* ---------------------------------------------------------------- time */

double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void utc_stamp(char *out, size_t n, bool compact)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, compact ? "%Y%m%dT%H%M%SZ" : "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---------------------------------------------------------------- utf-8 */

size_t utf8_seq(const unsigned char *s, size_t avail, unsigned int *cp)
{
	if (!avail)
		return 0;
	unsigned int c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t n;
	unsigned int v, min;

	if ((c & 0xe0) == 0xc0)
		n = 2;
	else if ((c & 0xf0) == 0xe0)
		n = 3;
	else if ((c & 0xf8) == 0xf0)
		n = 4;
	else
		return 0;
	v = c & (0x7f >> n);	/* the payload bits of the lead byte */
	min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

void warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);

	va_end(ap);
	fprintf(stderr, "%s: %s\n", prog_name, s);
	free(s);
}

void write_utf8_escaped(FILE *f, const char *s, void (*ascii)(FILE *f, unsigned char ch, bool arg), bool arg,
			bool (*reject)(unsigned int cp), const char *bad)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t left = strlen((const char *)p);

	while (left) {
		unsigned int cp;
		size_t n;

		if (*p < 0x80) {
			ascii(f, *p, arg);
			p++;
			left--;
			continue;
		}
		n = utf8_seq(p, left, &cp);
		if (n == 0 || (reject && reject(cp))) {
			fputs(bad, f);
			n = n ? n : 1;
		} else {
			fwrite(p, 1, n, f);
		}
		p += n;
		left -= n;
	}
}

FILE *file_open_replace(const char *path, char **tmp, char **err)
{
	*tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(*tmp, "w");

	if (!f) {
		*err = xasprintf("cannot write %s: %s", *tmp, strerror(errno));
		free(*tmp);
		*tmp = NULL;
	}
	return f;
}

int file_commit_replace(FILE *f, char *tmp, const char *path, char **err)
{
	bool bad = ferror(f) != 0;

	if (fclose(f) != 0 || bad || rename(tmp, path) != 0) {
		*err = xasprintf("cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
