/* SPDX-License-Identifier: GPL-2.0 */
/* report.h: the run's reports: results.json, junit.xml, summary (text). */
#ifndef MEMATTR_DRIVER_REPORT_H
#define MEMATTR_DRIVER_REPORT_H

#include <stdbool.h>
#include <stdio.h>

struct run;

/* Each returns 0, or -1 with *err set. */
/* results.json, junit.xml, summary.txt and (when there is one) matrix.txt in the run's directory. */
int report_write_all(const struct run *r, char **err);
int report_json(const struct run *r, const char *path, char **err);
int report_junit(const struct run *r, const char *path, char **err);
void summary_write(FILE *f, const struct run *r);
/* matrix.txt: the memory-type matrix of every cell whose results carry memtype-* records. */
void matrix_write(FILE *f, const struct run *r);
bool matrix_present(const struct run *r);

/* Escapers (exposed for the unit tests). Invalid UTF-8 becomes U+FFFD. */
void json_write_string(FILE *f, const char *s);            /* with the quotes */
void xml_write_escaped(FILE *f, const char *s, bool attr); /* text or attribute value */

#endif
