/* SPDX-License-Identifier: GPL-2.0 */
/* t.h: minimal TAP producer for the driver's unit tests, plus helpers shared by them. */
#ifndef MEMATTR_TESTS_DRIVER_T_H
#define MEMATTR_TESTS_DRIVER_T_H

#include "util.h"

#include <stdbool.h>

/* ok N - description (with file:line diagnostics on failure) */
#define T_OK(cond, ...) t_ok_(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define T_STR(got, want, ...) t_str_(got, want, __FILE__, __LINE__, __VA_ARGS__)
#define T_INT(got, want, ...) t_int_(got, want, __FILE__, __LINE__, __VA_ARGS__)
/* haystack contains needle */
#define T_HAS(hay, needle, ...) t_has_(hay, needle, __FILE__, __LINE__, __VA_ARGS__)

void t_start(const char *name);
bool t_ok_(bool ok, const char *file, int line, const char *fmt, ...) PRINTF_LIKE(4, 5);
bool t_str_(const char *got, const char *want, const char *file, int line, const char *fmt, ...)
	PRINTF_LIKE(5, 6);
bool t_int_(long got, long want, const char *file, int line, const char *fmt, ...) PRINTF_LIKE(5, 6);
bool t_has_(const char *hay, const char *needle, const char *file, int line, const char *fmt, ...)
	PRINTF_LIKE(5, 6);
void t_skip(const char *why, const char *fmt, ...) PRINTF_LIKE(2, 3);
bool t_diag(const char *fmt, ...) PRINTF_LIKE(1, 2); /* returns false */
/* Prints the plan; returns the exit status (0 all passed, 1 otherwise). */
int t_done(void);

/* Environment of `make unit-driver`: MEMATTR_TEST_DATA, MEMATTR_TEST_TMP, MEMATTR_TEST_RUN. */
const char *t_data(void);
char *t_data_path(const char *name);
/* A fresh scratch directory <tmp>/<name>.<pid>. */
char *t_tmpdir(const char *name);
/* Run a shell command; returns its exit status (or -1), output (stdout+stderr) in *out if non-NULL. */
int t_sh(char **out, const char *fmt, ...) PRINTF_LIKE(2, 3);
bool t_have(const char *tool);
/* File contents ("" if unreadable). */
char *t_read(const char *path);
bool str_ends(const char *s, const char *suffix);

/* A TAP consumer's view of a file: its top-level plan and results. */
struct t_tap {
	long plan;         /* -1: none */
	bool plan_at_end;
	long results, failures;
	bool in_order;     /* every numbered result had number == its position */
};

void t_tap_read(const char *path, struct t_tap *s);
/* Plan present and met, numbers in order, no failure. */
bool t_tap_passed(const struct t_tap *s);

#endif
