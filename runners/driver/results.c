// SPDX-License-Identifier: GPL-2.0
/* results.c: results.json read back (see results.h). */
#include "results.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

char *results_dir_of(const char *dir_or_file)
{
	if (is_dir(dir_or_file))
		return xstrdup(dir_or_file);
	const char *slash = strrchr(dir_or_file, '/');

	return slash ? xstrndup(dir_or_file, (size_t)(slash - dir_or_file)) : xstrdup(".");
}

json_t *results_load(const char *dir_or_file, char **err)
{
	char *p = is_dir(dir_or_file) ? path_join(dir_or_file, "results.json") : xstrdup(dir_or_file);
	json_error_t je;
	json_t *res = json_load_file(p, 0, &je);

	if (!res) {
		*err = xasprintf("%s:%d: %s", p, je.line, je.text);
	} else if (!json_is_object(res) || !jstr(res, "format") ||
		   strcmp(jstr(res, "format"), "memattr-results/1") != 0 ||
		   !json_is_array(json_object_get(res, "cells")) ||
		   !json_is_array(json_object_get(res, "tests"))) {
		*err = xasprintf("%s: not a memattr-results/1 document", p);
		json_decref(res);
		res = NULL;
	}
	free(p);
	return res;
}

const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

long jint(const json_t *o, const char *key, long dflt)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (long)json_integer_value(v) : dflt;
}

bool jeq(const json_t *o, const char *key, const char *val)
{
	const char *v = jstr(o, key);

	return v && val && strcmp(v, val) == 0;
}

json_t *results_cell(const json_t *res, const char *name)
{
	size_t i;
	json_t *c;

	json_array_foreach(json_object_get(res, "cells"), i, c) {
		if (jeq(c, "name", name))
			return c;
	}
	return NULL;
}

const char *results_id(const json_t *cell, const char *key)
{
	const char *v = jstr(json_object_get(cell, "identity"), key);

	return v ? v : "";
}

int results_save(const json_t *res, const char *path, char **err)
{
	char *tmp;
	FILE *f = file_open_replace(path, &tmp, err);

	if (!f)
		return -1;
	json_dumpf(res, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	return file_commit_replace(f, tmp, path, err);
}
