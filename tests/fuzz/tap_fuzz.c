// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the TAP/KTAP/kselftest parser (runners/driver/tap.c).  Every line goes through
 * tap_parse_line() and what the reports derive from it.
 */
#include "tap.h"
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one_line(const char *line)
{
	struct tap_line l;
	struct tap_totals t;
	enum tap_kind k = tap_parse_line(line, &l);

	if (k == TAP_RESULT) {
		if (!l.desc || l.rest > strlen(line))
			abort();
		result_is_failure(tap_result_of(&l));
		tap_directive_name(l.directive);
	}
	if (k == TAP_DIAG && l.text)
		tap_parse_totals(l.text, &t);
	tap_line_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xstrndup((const char *)data, size), *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		one_line(line);
	free(text);
	return 0;
}
