/* SPDX-License-Identifier: GPL-2.0 */
/* compare.h: two runs' results.json compared, cell by cell (cells matched by name and identity):
 * new failures, fixes, new and vanished tests, new skips. See docs/reports.md "Compare".
 */
#ifndef MEMATTR_DRIVER_COMPARE_H
#define MEMATTR_DRIVER_COMPARE_H

#include "results.h"

#include <stdio.h>

/*
 * The comparison as JSON: {"old", "new", "regression": bool, "counts": {...},
 * "not_comparable": [{"cell", "fields": [{"key", "old", "new"}]}], "cells_added", "cells_gone",
 * "changes": [{"kind", "cell", "test", "old", "new", "reason"}]}; kind is one of new_failure,
 * fixed, new_test, vanished, new_skip, known (a failure a known issue covers).
 */
json_t *compare_results(const json_t *old, const json_t *new);
/* The comparison as text, one change a line, then one line of counts. */
void compare_print(FILE *f, const json_t *cmp);
/* 1 if cmp found a regression (a new failure, or a new test that fails), else 0. */
int compare_status(const json_t *cmp);

#endif
