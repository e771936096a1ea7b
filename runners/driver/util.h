/* SPDX-License-Identifier: GPL-2.0 */
/* util.h: small helpers shared by the memattr-run driver: allocation, strings, string vectors,
 * growable buffers, key=value lists, paths, clocks, UTF-8 checking.
 */
#ifndef MEMATTR_DRIVER_UTIL_H
#define MEMATTR_DRIVER_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* Allocation: these never return NULL (they abort the program with a message on exhaustion). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
char *xvasprintf(const char *fmt, va_list ap) PRINTF_LIKE(1, 0);
/* free(*p) and set *p to a copy of s (NULL stays NULL). */
void replace_str(char **p, const char *s);

/* Strings. */
char *str_trim(char *s); /* in place: returns s advanced past leading blanks, trailing blanks cut */
bool str_starts(const char *s, const char *prefix);
bool str_empty(const char *s); /* NULL or "" */
char *signal_desc(int sig);    /* "signal 11 (SIGSEGV)" */
/* Parse a decimal integer in [min, max]; the whole string must be the number (blanks around ok). */
bool parse_long(const char *s, long min, long max, long *out);

/* Vector of owned strings; v[n] is always NULL, so v can serve as an argv. */
struct strvec {
	char **v;
	size_t n, cap;
};

void strvec_push(struct strvec *sv, const char *s);
void strvec_pushf(struct strvec *sv, const char *fmt, ...) PRINTF_LIKE(2, 3);
void strvec_push_own(struct strvec *sv, char *s); /* takes ownership of s */
void strvec_clear(struct strvec *sv);
void strvec_free(struct strvec *sv);
void strvec_copy(struct strvec *dst, const struct strvec *src);
bool strvec_has(const struct strvec *sv, const char *s);
/* Split s at sep, trimming blanks around each item and dropping empty items. */
void strvec_split(struct strvec *sv, const char *s, char sep);
/* Split a command-line-like string at blanks; '...' and "..." group, backslash escapes. */
void strvec_split_words(struct strvec *sv, const char *s);
char *strvec_join(const struct strvec *sv, const char *sep);

/* Growable byte/character buffer, always NUL-terminated. */
struct buf {
	char *s;
	size_t len, cap;
};

void buf_add(struct buf *b, const char *data, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
void buf_addc(struct buf *b, char c);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
char *buf_take(struct buf *b); /* returns the string (never NULL) and resets b */
const char *buf_str(const struct buf *b); /* "" when empty */

/* Ordered key=value list. */
struct kv {
	char *key, *val;
	int origin; /* caller-defined tag */
};

struct kvlist {
	struct kv *v;
	size_t n, cap;
};

struct kv *kv_find(const struct kvlist *l, const char *key);
const char *kv_get(const struct kvlist *l, const char *key);
void kv_set(struct kvlist *l, const char *key, const char *val, int origin);
void kv_free(struct kvlist *l);

/* Files and paths. */
int mkdir_p(const char *path); /* 0 or -1 with errno */
bool path_exists(const char *p);
bool is_dir(const char *p);
bool is_exec_file(const char *p);
char *path_join(const char *a, const char *b); /* b absolute: copy of b */
char *path_abs(const char *p);                 /* relative to the current directory, not resolved */
/* Search PATH for an executable; a name with a '/' is returned as is if executable. NULL if none. */
char *find_in_path(const char *name);
/* Read a whole (small) file; NULL with errno on failure. */
char *read_file(const char *path, size_t *len);
/* Shell-quote one word for display. */
char *shell_quote(const char *s);

/* Time. */
double mono_now(void);                     /* monotonic seconds */
void utc_stamp(char *out, size_t n, bool compact); /* 20260101T120000Z or 2026-01-01T12:00:00Z */

/* UTF-8: length of the valid sequence at s (1..4), or 0 if the bytes there are not valid UTF-8.
 * avail is the number of bytes available. *cp receives the code point.
 */
size_t utf8_seq(const unsigned char *s, size_t avail, unsigned int *cp);
/* Write s to f for a text format: each ASCII byte goes through ascii(f, ch, arg); each valid UTF-8
 * sequence is copied unless reject(cp) (may be NULL) refuses it; invalid or refused bytes are
 * written as `bad`.
 */
void write_utf8_escaped(FILE *f, const char *s, void (*ascii)(FILE *f, unsigned char ch, bool arg), bool arg,
			bool (*reject)(unsigned int cp), const char *bad);

/* Diagnostics of the program itself. */
extern const char *prog_name;
void warnx_(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* A report file written whole or not at all: output goes to PATH.tmp, renamed over PATH on commit.
 * open: the stream (and *tmp), or NULL with *err set; commit: 0, or -1 with *err set (tmp removed).
 * Both free *tmp when they fail or finish.
 */
FILE *file_open_replace(const char *path, char **tmp, char **err);
int file_commit_replace(FILE *f, char *tmp, const char *path, char **err);

#endif
