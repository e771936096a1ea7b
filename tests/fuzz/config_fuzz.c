// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the run configuration (runners/driver/config.c).  The input up to the first NUL is a
 * suite.conf text; every further NUL-separated piece is a --set SECTION.KEY=VALUE spec.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct config c;
	char *err = NULL;
	char *text = xstrndup(p, size);
	int rc;

	config_init(&c, "/nonexistent/memattr");
	rc = config_load_text(&c, "fuzz.conf", text, &err);
	p += strlen(text) + 1;
	while (rc == 0 && p < end) {
		char *spec = xstrndup(p, (size_t)(end - p));

		rc = config_set_spec(&c, spec, &err);
		p += strlen(spec) + 1;
		free(spec);
	}
	if (rc == 0)
		rc = config_finalize(&c, &err);
	if (rc != 0 && !err)
		abort(); /* every error path must say why */
	free(err);
	free(text);
	config_free(&c);
	return 0;
}
