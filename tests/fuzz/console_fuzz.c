// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: a lab cell's console stream (runners/driver/console.c, and through it the cell's
 * TAP handling in cell.c).  The first input byte chooses the chunk size the bytes arrive in, the
 * rest is the console.  Each input gets a fresh cell whose files go to a scratch directory
 * (MEMATTR_FUZZ_TMP, default build/fuzz/tmp) emptied after the input; a file the cell wrote
 * outside its own directory is a failure.
 */
#include "cell.h"
#include "console.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *rundir;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("MEMATTR_FUZZ_TMP");

	rundir = xasprintf("%s/console.%d", str_empty(tmp) ? "build/fuzz/tmp" : tmp, (int)getpid());
	if (mkdir_p(rundir) != 0) {
		fprintf(stderr, "console_fuzz: cannot create %s\n", rundir);
		exit(1);
	}
	return 0;
}

/*
 * Empty the cell's directory; anything else in the run directory but the cell's directory and its
 * combined TAP was written outside the cell by a name taken from the console.
 */
static void clean_up(const char *celldir)
{
	DIR *d = opendir(rundir);
	struct dirent *e;
	char *p;

	while (d && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "c") &&
		    strcmp(e->d_name, "c.tap")) {
			fprintf(stderr, "console_fuzz: %s/%s written outside the cell's directory\n", rundir,
				e->d_name);
			abort();
		}
	if (d)
		closedir(d);
	d = opendir(celldir);
	while (d && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		p = path_join(celldir, e->d_name);
		if (unlink(p) != 0) {
			fprintf(stderr, "console_fuzz: cannot remove %s\n", p);
			abort();
		}
		free(p);
	}
	if (d)
		closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t chunk = size ? data[0] % 64 + 1 : 1;
	struct console con;
	char *err = NULL, *dir;
	struct cell *c = cell_new(rundir, "c", "arm64", &err);

	if (!c) {
		fprintf(stderr, "console_fuzz: %s\n", err);
		abort();
	}
	cell_expect_suite(c, "memslot");
	cell_expect_suite(c, "pfnmap");
	c->launched = true;
	console_init(&con, c);
	for (size_t off = 1; off < size; off += chunk)
		console_feed(&con, (const char *)data + off, off + chunk <= size ? chunk : size - off);
	if (size && data[0] & 0x80)
		console_drop_partial(&con);
	else
		console_flush(&con);
	cell_finish(c, size && data[0] & 0x40 ? "the fuzzer cut the console" : NULL);
	console_free(&con);
	dir = xstrdup(c->dir);
	cell_free(c);
	clean_up(dir);
	free(dir);
	return 0;
}
