// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: memattr-run's command line.  Its parser is the body of main() (runners/driver/main.c),
 * so the fuzz build compiles main.c with main renamed to memattr_run_main and calls it with
 * "--dry-run" first, then the input's lines as arguments: whatever the input says, nothing runs
 * (a dry run prints the plan; stdout goes to /dev/null).  suite.conf is the tree's
 * (MEMATTR_ROOT, set here to the source tree unless given).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FUZZ_ROOT
#define FUZZ_ROOT "."
#endif

int memattr_run_main(int argc, char **argv);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int null = open("/dev/null", O_RDWR);

	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		close(null);
	}
	setenv("MEMATTR_ROOT", FUZZ_ROOT, 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), **argv = calloc(size + 3, sizeof(*argv));
	int argc = 0, rc;

	if (!text || !argv)
		abort();
	memcpy(text, data, size);
	text[size] = 0;
	argv[argc++] = "memattr-run";
	argv[argc++] = "--dry-run";
	for (char *p = text, *nl; size && p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		argv[argc++] = p;
	}
	rc = memattr_run_main(argc, argv);
	if (rc != 0 && rc != 2)
		abort(); /* a dry run either prints the plan or is a usage/configuration error */
	free(argv);
	free(text);
	return 0;
}
