// SPDX-License-Identifier: GPL-2.0
/* console.c: streaming console parser (see console.h).
 *
 * States (kept in the cell): before CELL-BEGIN everything is boot noise; after it, ID lines fill the
 * identity and SUITE-BEGIN/SUITE-END bracket a suite, whose lines (minus kernel messages) are TAP;
 * after CELL-END everything is noise again. A marker glued to the end of an unterminated line (a
 * suite that died in the middle of a line, a terminal escape sequence) is split off first.
 */
#include "console.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void console_init(struct console *k, struct cell *c)
{
	memset(k, 0, sizeof(*k));
	k->cell = c;
}

void console_free(struct console *k)
{
	buf_free(&k->partial);
	free(k->panic);
	free(k->carry);
	free(k->oops);
	k->panic = NULL;
	k->carry = NULL;
	k->oops = NULL;
	strvec_free(&k->klog);
}

bool console_is_kernel_line(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s++ != '[')
		return false;
	while (*s == ' ')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s))
		s++;
	if (*s++ != '.')
		return false;
	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s))
		s++;
	return *s == ']';
}

bool console_is_notable(const char *line)
{
	static const char *const pats[] = {
		"Kernel panic",   "Oops",           "BUG:",        "Internal error:", "Unable to handle kernel",
		"WARNING:",       "Out of memory",  "oom-kill",    "Killed process",  "general protection fault",
		"soft lockup",    "hard LOCKUP",    "blocked for more than", "rcu_sched self-detected",
		"rcu: INFO:",     "segfault at",    "traps:",      "kvm: ",          "kvm [",
	};
	for (size_t i = 0; i < ARRAY_SIZE(pats); i++)
		if (strstr(line, pats[i]))
			return true;
	return false;
}

/* Only control characters / escape sequences / blanks. */
static bool is_junk(const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == 0x1b) {
			/* CSI sequence: ESC [ params final */
			if (s[1] == '[') {
				s += 2;
				while (*s && !(*s >= 0x40 && *s <= 0x7e))
					s++;
				if (!*s)
					return true;
			} else if (s[1]) {
				s++;
			}
			continue;
		}
		if (ch > ' ' && ch != 0x7f)
			return false;
	}
	return true;
}

/* "ID key=value": a fact of the cell's identity. */
static void marker_id(struct cell *c, const char *arg, const char *line)
{
	char *kvs = xstrdup(arg);
	char *t = str_trim(kvs);
	char *eq = strchr(t, '=');

	if (eq && eq != t) {
		*eq = 0;
		char *key = str_trim(t);
		char *val = str_trim(eq + 1);

		cell_id(c, key, val);
	} else {
		cell_note(c, "malformed ID line: %s", line);
	}
	free(kvs);
}

/* "TEST name": a test the next suite has selected. */
static void marker_test(struct cell *c, const char *arg, const char *line)
{
	char *name = xstrdup(arg);
	char *t = str_trim(name);

	if (*t)
		cell_test_listed(c, t);
	else
		cell_note(c, "malformed TEST line: %s", line);
	free(name);
}

static void marker_suite_begin(struct cell *c, const char *arg)
{
	char *name = xstrdup(arg);
	char *t = str_trim(name);

	if (!c->began) {
		cell_note(c, "SUITE-BEGIN before CELL-BEGIN");
		cell_begin(c);
	}
	if (c->cur >= 0) /* the previous suite never said SUITE-END */
		cell_suite_abort(c, "no SUITE-END before the next SUITE-BEGIN");
	cell_suite_begin(c, *t ? t : "unnamed");
	free(name);
}

/* "SUITE-END name rc=N" */
static void marker_suite_end(struct cell *c, const char *arg, const char *line)
{
	char *rest = xstrdup(arg);
	char *t = str_trim(rest);
	char *sp = strchr(t, ' ');
	long rc = -1;

	if (sp) {
		*sp = 0;
		char *r = str_trim(sp + 1);

		if (!str_starts(r, "rc=") || !parse_long(r + 3, -1, 100000, &rc))
			rc = -1;
	}
	if (rc < 0) {
		cell_note(c, "SUITE-END without a valid rc: %s", line);
		rc = 255;
	}
	cell_suite_end(c, t, (int)rc);
	free(rest);
}

static void handle_marker(struct console *k, const char *m, const char *line)
{
	struct cell *c = k->cell;

	if (strcmp(m, "CELL-BEGIN") == 0) {
		cell_begin(c);
		cell_log(c, "CELL-BEGIN");
	} else if (c->ended) {
		cell_note(c, "marker after CELL-END ignored: %s", line);
	} else if (strcmp(m, "CELL-END") == 0) {
		cell_end(c);
	} else if (str_starts(m, "ID ")) {
		marker_id(c, m + 3, line);
	} else if (str_starts(m, "TEST ")) {
		marker_test(c, m + 5, line);
	} else if (str_starts(m, "SUITE-BEGIN ")) {
		marker_suite_begin(c, m + 12);
	} else if (str_starts(m, "SUITE-END ")) {
		marker_suite_end(c, m + 10, line);
	} else {
		cell_note(c, "unknown marker: %s", line);
	}
}

/* A printk timestamp "[<blanks><digits>.<6 digits>]" starting after the beginning of the line: a
 * kernel message that interrupted a user line. Returns its position or NULL.
 */
static const char *midline_stamp(const char *line)
{
	if (!*line)
		return NULL;
	for (const char *p = strchr(line + 1, '['); p; p = strchr(p + 1, '[')) {
		const char *q = p + 1;

		while (*q == ' ')
			q++;
		if (!isdigit((unsigned char)*q))
			continue;
		while (isdigit((unsigned char)*q))
			q++;
		if (*q++ != '.')
			continue;
		int n = 0;

		while (isdigit((unsigned char)q[n]))
			n++;
		if (n == 6 && q[6] == ']')
			return p;
	}
	return NULL;
}

static void klog_push(struct console *k, const char *line)
{
	if (k->klog.n == CONSOLE_KLOG_LINES) {
		free(k->klog.v[0]);
		memmove(k->klog.v, k->klog.v + 1, k->klog.n * sizeof(char *)); /* moves the NULL too */
		k->klog.n--;
	}
	strvec_push(&k->klog, line);
}

/* printk time of a kernel line, or -1 */
static double stamp_of(const char *line)
{
	const char *p = strchr(line, '[');

	if (!p)
		return -1;
	char *end;
	double t = strtod(p + 1, &end);

	return end != p + 1 && *end == ']' ? t : -1;
}

char *console_panic_text(const struct console *k)
{
	if (!k->panic)
		return NULL;
	size_t at = k->klog.n;

	for (size_t i = 0; i < k->klog.n; i++)
		if (strcmp(k->klog.v[i], k->panic) == 0) {
			at = i;
			break;
		}
	if (at == k->klog.n)
		return xstrdup(k->panic); /* printed as a user line: nothing around it */
	double t = stamp_of(k->klog.v[at]);
	size_t from = at;

	while (from > 0) {
		double tp = stamp_of(k->klog.v[from - 1]);

		if (t < 0 || tp < 0 || t - tp > CONSOLE_PANIC_WINDOW_S)
			break;
		from--;
	}
	/* bounded: the panic line; what follows it (panic() dumps its own stack there) up to half the
	 * budget; what came before it (the Oops, BUG, sysrq) as far as it fits; then more of what follows
	 */
	size_t bytes = strlen(k->klog.v[at]) + 1, lines = 1;
	size_t lo = at, hi = at + 1;

	for (int phase = 0; phase < 3; phase++) {
		size_t max_lines = phase == 0 ? CONSOLE_PANIC_LINES / 2 : CONSOLE_PANIC_LINES;
		size_t max_bytes = phase == 0 ? CONSOLE_PANIC_BYTES / 2 : CONSOLE_PANIC_BYTES;

		if (phase == 1) {
			while (lo > from && lines < max_lines &&
			       bytes + strlen(k->klog.v[lo - 1]) + 1 <= max_bytes) {
				lo--;
				bytes += strlen(k->klog.v[lo]) + 1;
				lines++;
			}
			continue;
		}
		while (hi < k->klog.n && lines < max_lines &&
		       bytes + strlen(k->klog.v[hi]) + 1 <= max_bytes) {
			bytes += strlen(k->klog.v[hi]) + 1;
			lines++;
			hi++;
		}
	}
	struct buf b = {0};

	if (lo > from)
		buf_addf(&b, "(%zu earlier kernel line(s) left out: console.log has them)\n", lo - from);
	for (size_t i = lo; i < hi; i++)
		buf_addf(&b, "%s%s", k->klog.v[i], i + 1 < hi ? "\n" : "");
	if (hi < k->klog.n)
		buf_addf(&b, "\n(%zu later kernel line(s) left out)", k->klog.n - hi);
	return buf_take(&b);
}

static void kernel_message(struct console *k, const char *line)
{
	struct cell *c = k->cell;

	klog_push(k, line);
	if (!k->oops && (strstr(line, "Oops") || strstr(line, "BUG:") ||
			 strstr(line, "Unable to handle kernel") || strstr(line, "general protection fault")))
		k->oops = xstrdup(line);
	if (strstr(line, "Kernel panic") && !k->panic) {
		k->panic = xstrdup(line);
		cell_log(c, "%s", line);
	}
	if (console_is_notable(line))
		cell_kernel_note(c, line);
}

static void user_line(struct console *k, const char *line)
{
	struct cell *c = k->cell;

	k->user_lines++;
	if (strstr(line, "Kernel panic") && !k->panic) {
		k->panic = xstrdup(line);
		cell_log(c, "%s", line);
	}
	if (c->began && !c->ended && c->cur >= 0)
		cell_suite_line(c, line);
}

/* Text held back from a user line that a kernel message cut in two. */
static void flush_carry(struct console *k)
{
	if (k->carry) {
		char *s = k->carry;

		k->carry = NULL;
		user_line(k, s);
		free(s);
	}
}

/* What the kernel's console leaves when a message is cut by another one (a panic on another CPU):
 * the start of a printk stamp alone on its line ("[ ", "[    7.27"), and the console's
 * "** replaying previous printk message **" before it prints the message again.
 */
static bool kernel_fragment(const char *line)
{
	if (strstr(line, "** replaying previous printk message **"))
		return true;
	const char *s = line;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s++ != '[')
		return false;
	while (*s == ' ' || isdigit((unsigned char)*s) || *s == '.')
		s++;
	return *s == 0;
}

/* A line (or the part of one before a glued marker) that is not a marker. */
static void plain(struct console *k, const char *line)
{
	if (kernel_fragment(line))
		return; /* console.log has it */
	if (console_is_kernel_line(line)) {
		kernel_message(k, line); /* a pending carry continues after it */
		return;
	}
	const char *ks = midline_stamp(line);

	if (ks) {
		/* "user text[  12.345678] kernel text": the user line continues on the next line */
		char *pre = xstrndup(line, (size_t)(ks - line));
		char *joined = k->carry ? xasprintf("%s%s", k->carry, pre) : xstrdup(pre);

		free(k->carry);
		k->carry = joined;
		free(pre);
		kernel_message(k, ks);
		return;
	}
	if (k->carry) {
		char *joined = xasprintf("%s%s", k->carry, line);

		free(k->carry);
		k->carry = NULL;
		user_line(k, joined);
		free(joined);
		return;
	}
	user_line(k, line);
}

void console_line(struct console *k, const char *line)
{
	k->lines++;
	cell_console_line(k->cell, line);

	const char *m = strstr(line, CONSOLE_MARK);

	if (!m) {
		plain(k, line);
		return;
	}
	if (m > line) {
		char *pre = xstrndup(line, (size_t)(m - line));

		if (!is_junk(pre))
			plain(k, pre);
		free(pre);
	}
	flush_carry(k);
	char *copy = xstrdup(m);
	size_t n = strlen(copy);

	while (n && (copy[n - 1] == ' ' || copy[n - 1] == '\t'))
		copy[--n] = 0;
	handle_marker(k, copy + strlen(CONSOLE_MARK), copy);
	free(copy);
}

static void take_line(struct console *k)
{
	struct buf *p = &k->partial;
	size_t n = p->len;

	while (n && p->s[n - 1] == '\r')
		n--;
	if (!p->s) { /* an empty line before any byte was buffered */
		console_line(k, "");
		return;
	}
	p->s[n] = 0;
	console_line(k, p->s);
	buf_reset(p);
}

void console_feed(struct console *k, const char *data, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ch = data[i];

		if (ch == '\n') {
			take_line(k);
			continue;
		}
		if (ch == 0)
			continue;
		buf_addc(&k->partial, ch);
		if (k->partial.len >= CONSOLE_MAX_LINE)
			take_line(k);
	}
}

void console_flush(struct console *k)
{
	if (k->partial.len)
		take_line(k);
	flush_carry(k);
}

void console_drop_partial(struct console *k)
{
	if (k->partial.len) {
		cell_console_line(k->cell, k->partial.s);
		buf_reset(&k->partial);
	}
}
