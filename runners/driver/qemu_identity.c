// SPDX-License-Identifier: GPL-2.0
/* qemu_identity.c: the identity of what QEMU was told to run (see qemu_identity.h). */
#include "qemu_identity.h"

#include "proc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static bool is_iommu_device(const char *drv)
{
	return strstr(drv, "iommu") || strcmp(drv, "smmuv3") == 0;
}

/* The first comma-separated field of v (caller frees). */
static char *first_field(const char *v)
{
	return xstrndup(v, strcspn(v, ","));
}

/* -M/-machine value: its type (if it starts with one) into *type, its options appended to opts. */
static void machine_arg(const char *v, char **type, struct strvec *opts, char **iommu)
{
	struct strvec f = {0};

	strvec_split(&f, v, ',');
	for (size_t i = 0; i < f.n; i++) {
		if (i == 0 && !strchr(f.v[i], '=')) {
			replace_str(type, f.v[i]);
			continue;
		}
		strvec_push(opts, f.v[i]);
		if (str_starts(f.v[i], "iommu="))
			replace_str(iommu, f.v[i] + strlen("iommu="));
	}
	strvec_free(&f);
}

static void set(struct kvlist *out, const char *k, const char *v, int origin)
{
	kv_set(out, k, str_empty(v) ? "none" : v, origin);
}

void qemu_identity_of(const struct strvec *argv, const char *default_machine, struct kvlist *out, int origin)
{
	char *type = NULL, *iommu = NULL, *accel = NULL;
	struct strvec opts = {0}, devs = {0};

	for (size_t i = 1; i + 1 < argv->n; i++) {
		const char *a = argv->v[i], *v = argv->v[i + 1];

		if (!strcmp(a, "-M") || !strcmp(a, "-machine")) {
			machine_arg(v, &type, &opts, &iommu);
		} else if (!strcmp(a, "-device")) {
			char *drv = first_field(v);

			strvec_push(&devs, drv);
			if (is_iommu_device(drv))
				replace_str(&iommu, drv);
			free(drv);
		} else if (!strcmp(a, "-accel") && !accel) {
			accel = first_field(v);
		}
	}
	char *o = strvec_join(&opts, ","), *d = strvec_join(&devs, ",");

	kv_set(out, "qemu_machine", type ? type : default_machine ? default_machine : "default", origin);
	kv_set(out, "machine_options", o, origin);
	set(out, "iommu", iommu, origin);
	set(out, "devices", d, origin);
	set(out, "accel", accel, origin);
	free(o);
	free(d);
	free(type);
	free(iommu);
	free(accel);
	strvec_free(&opts);
	strvec_free(&devs);
}

/* From `-machine help`: the default machine, by its alias if one line is "(alias of <default>)". */
static char *parse_machine_help(const char *text)
{
	const char *p = strstr(text, "(default)"), *line;
	char *dflt, *pat, *alias = NULL;

	if (!p)
		return NULL;
	for (line = p; line > text && line[-1] != '\n'; line--)
		;
	dflt = xstrndup(line, strcspn(line, " \t\n"));
	pat = xasprintf("(alias of %s)", dflt);
	p = strstr(text, pat);
	if (p) {
		for (line = p; line > text && line[-1] != '\n'; line--)
			;
		alias = xstrndup(line, strcspn(line, " \t\n"));
	}
	free(pat);
	if (alias) {
		free(dflt);
		return alias;
	}
	return dflt;
}

static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kvlist memo; /* QEMU binary -> its default machine ("" if it did not say) */

char *qemu_default_machine(const char *qemu)
{
	pthread_mutex_lock(&memo_lock);
	const char *known = kv_get(&memo, qemu);
	char *r = known ? xstrdup(known) : NULL;

	pthread_mutex_unlock(&memo_lock);
	if (!r) {
		char *argv[] = {(char *)qemu, "-machine", "help", NULL};
		struct buf out = {0};
		char *err = NULL;
		int st = 0;

		if (proc_capture(argv, NULL, 30, &out, NULL, &st, &err) == 0 && proc_rc(st) == 0)
			r = parse_machine_help(buf_str(&out));
		if (!r)
			r = xstrdup("");
		free(err);
		buf_free(&out);
		pthread_mutex_lock(&memo_lock);
		kv_set(&memo, qemu, r, 0);
		pthread_mutex_unlock(&memo_lock);
	}
	if (!*r) {
		free(r);
		return NULL;
	}
	return r;
}

char *qemu_identity_line(const struct kvlist *id)
{
	struct buf b = {0};

	for (size_t i = 0; i < id->n; i++)
		buf_addf(&b, "%s%s=%s", i ? " " : "", id->v[i].key, id->v[i].val);
	return buf_take(&b);
}
