// SPDX-License-Identifier: GPL-2.0
/* matrix.c: the memory-type matrix of each cell (matrix.txt), built from the structured records
 * a test emits as KTAP diagnostics (today the pfnmap suite's, suites/pfnmap/access.c):
 *   memtype-platform fwb=1 dic=1 cap243=1 pkvm=0 lse=1
 *   memtype-row row=R s1=.. s2=.. eff=.. judged_type=yes|no slot_expected=.. slot_observed=.. slot_rule=..
 *   memtype-cell row=R op=O expected=A|B observed=X verdict=match|MISMATCH rule=ID [detail=..]
 *   memtype-rule id=ID says=TEXT | source=TEXT
 * One block per row: the expected line and the observed line side by side, every mismatch marked
 * "!"; a legend of the rules the cells cite.  The driver knows no test by name: a result with
 * memtype-row or memtype-cell records is a row, named by their row= key; a test whose name is
 * "<prefix>.<row>" makes <prefix> a matrix test, so its variants without records (skipped: the
 * source is absent) are listed as rows too, with their reason.
 */
#include "report.h"

#include "run.h"

#include <stdlib.h>
#include <string.h>

#define MAX_COLS 12

struct row {
	char *name;
	char *s2, *eff, *judged;
	char *slot_exp, *slot_obs, *slot_rule;
	char *exp[MAX_COLS], *obs[MAX_COLS]; /* NULL: no record for that column */
	bool bad[MAX_COLS];
	char *note;                          /* a row without records: why */
};

struct table {
	char *col[MAX_COLS];
	size_t ncol;
	struct row *rows;
	size_t nrows;
	char *platform;
	long cells, mismatches, typed_rows, untyped_rows, refused_rows;
};

struct rule {
	char *id, *text;
};

struct legend {
	struct rule *v;
	size_t n;
};

/* The value of key in a record line [p, p+len): up to the next blank; NULL if absent. */
static char *rec_get(const char *p, size_t len, const char *key)
{
	size_t kl = strlen(key);

	for (const char *q = p; q + kl + 1 <= p + len; q++) {
		if ((q == p || q[-1] == ' ') && strncmp(q, key, kl) == 0 && q[kl] == '=') {
			const char *v = q + kl + 1;
			size_t n = 0;

			while (v + n < p + len && v[n] != ' ')
				n++;
			return xstrndup(v, n);
		}
	}
	return NULL;
}

/* The row a result's records are about (the row= key of its first memtype-row or memtype-cell
 * record), or NULL if it has none: then it is no row of the matrix. Caller frees.
 */
static char *records_row(const char *diag)
{
	for (const char *p = diag; p && *p;) {
		size_t n = strcspn(p, "\n");

		if (str_starts(p, "memtype-row ") || str_starts(p, "memtype-cell ")) {
			char *row = rec_get(p, n, "row");

			return row ? row : xstrdup("");
		}
		p += n + (p[n] == '\n');
	}
	return NULL;
}

/* "<prefix>.<row>": the prefix (with its dot) names the test of the matrix; every test of the run
 * whose records name their row this way adds its prefix to *prefixes.
 */
static void matrix_prefixes(const struct run *r, struct strvec *prefixes)
{
	for (size_t i = 0; i < r->cell_names.n; i++) {
		for (size_t j = 0; r->cells[i] && j < r->cells[i]->nres; j++) {
			const struct test_result *t = &r->cells[i]->res[j];
			char *row = records_row(t->diag);
			size_t nl = strlen(t->name), rl = row ? strlen(row) : 0;

			if (row && *row && nl > rl + 1 && t->name[nl - rl - 1] == '.' &&
			    strcmp(t->name + nl - rl, row) == 0) {
				char *prefix = xstrndup(t->name, nl - rl);

				if (!strvec_has(prefixes, prefix))
					strvec_push(prefixes, prefix);
				free(prefix);
			}
			free(row);
		}
	}
}

/* A result without records that is a variant of a matrix test: the length of its prefix, else 0. */
static size_t matrix_variant(const struct strvec *prefixes, const char *name)
{
	for (size_t i = 0; i < prefixes->n; i++)
		if (str_starts(name, prefixes->v[i]) && name[strlen(prefixes->v[i])])
			return strlen(prefixes->v[i]);
	return 0;
}

static size_t col_index(struct table *t, const char *name)
{
	for (size_t i = 0; i < t->ncol; i++)
		if (strcmp(t->col[i], name) == 0)
			return i;
	if (t->ncol == MAX_COLS)
		return MAX_COLS;
	t->col[t->ncol] = xstrdup(name);
	return t->ncol++;
}

static void legend_add(struct legend *lg, const char *p, size_t len)
{
	char *id = rec_get(p, len, "id");
	const char *says = memmem(p, len, " says=", 6);

	if (!id || !says) {
		free(id);
		return;
	}
	for (size_t i = 0; i < lg->n; i++)
		if (strcmp(lg->v[i].id, id) == 0) {
			free(id);
			return;
		}
	says += 6;
	lg->v = xrealloc(lg->v, (lg->n + 1) * sizeof(*lg->v));
	lg->v[lg->n].id = id;
	lg->v[lg->n].text = xstrndup(says, (size_t)(p + len - says));
	lg->n++;
}

static void take(char **dst, char *v)
{
	free(*dst);
	*dst = v;
}

/* Fill a row from one result's records. Returns whether any record was found. */
static bool fill_row(struct table *t, struct row *row, struct legend *lg, const char *diag)
{
	bool any = false;

	for (const char *p = diag; p && *p;) {
		size_t n = strcspn(p, "\n");

		if (str_starts(p, "memtype-platform ") && !t->platform) {
			t->platform =
				xstrndup(p + strlen("memtype-platform "), n - strlen("memtype-platform "));
		} else if (str_starts(p, "memtype-row ")) {
			any = true;
			take(&row->s2, rec_get(p, n, "s2"));
			take(&row->eff, rec_get(p, n, "eff"));
			take(&row->judged, rec_get(p, n, "judged_type"));
			take(&row->slot_exp, rec_get(p, n, "slot_expected"));
			take(&row->slot_obs, rec_get(p, n, "slot_observed"));
			take(&row->slot_rule, rec_get(p, n, "slot_rule"));
		} else if (str_starts(p, "memtype-cell ")) {
			char *op = rec_get(p, n, "op");
			size_t c = op ? col_index(t, op) : MAX_COLS;

			free(op);
			if (c < MAX_COLS) {
				char *verdict = rec_get(p, n, "verdict");

				any = true;
				take(&row->exp[c], rec_get(p, n, "expected"));
				take(&row->obs[c], rec_get(p, n, "observed"));
				row->bad[c] = !verdict || strcmp(verdict, "match") != 0;
				free(verdict);
			}
		} else if (str_starts(p, "memtype-rule ")) {
			legend_add(lg, p, n);
		}
		p += n + (p[n] == '\n');
	}
	return any;
}

static void row_free(struct row *r)
{
	free(r->name);
	free(r->s2);
	free(r->eff);
	free(r->judged);
	free(r->slot_exp);
	free(r->slot_obs);
	free(r->slot_rule);
	free(r->note);
	for (size_t i = 0; i < MAX_COLS; i++) {
		free(r->exp[i]);
		free(r->obs[i]);
	}
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->ncol; i++)
		free(t->col[i]);
	for (size_t r = 0; r < t->nrows; r++)
		row_free(&t->rows[r]);
	free(t->rows);
	free(t->platform);
}

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

static void table_count(struct table *t)
{
	for (size_t r = 0; r < t->nrows; r++) {
		const struct row *row = &t->rows[r];
		bool probed = false;

		if (row->note)
			continue;
		for (size_t i = 0; i < t->ncol; i++)
			probed |= !!row->obs[i];
		if (!probed)
			t->refused_rows++;
		else if (row->judged && strcmp(row->judged, "yes") == 0)
			t->typed_rows++;
		else
			t->untyped_rows++;
		t->cells++; /* the memslot verdict */
		if (row->slot_exp && row->slot_obs && strcmp(row->slot_exp, row->slot_obs) != 0)
			t->mismatches++;
		for (size_t i = 0; i < t->ncol; i++) {
			if (!row->obs[i])
				continue;
			t->cells++;
			t->mismatches += row->bad[i];
		}
	}
}

static void table_print(FILE *f, const struct table *t)
{
	size_t w0 = strlen("row"), wt = strlen("stage 2 -> effective"), w[MAX_COLS];
	char **types = xcalloc(t->nrows ? t->nrows : 1, sizeof(*types));

	for (size_t r = 0; r < t->nrows; r++) {
		const struct row *row = &t->rows[r];

		if (strlen(row->name) > w0)
			w0 = strlen(row->name);
		if (row->note)
			continue;
		types[r] = xasprintf("%s -> %s", or_dash(row->s2), or_dash(row->eff));
		if (strlen(types[r]) > wt)
			wt = strlen(types[r]);
	}
	for (size_t i = 0; i < t->ncol; i++) {
		w[i] = strlen(t->col[i]);
		for (size_t r = 0; r < t->nrows; r++) {
			const struct row *row = &t->rows[r];
			size_t e = row->exp[i] ? strlen(row->exp[i]) : 1,
			       o = row->obs[i] ? strlen(row->obs[i]) + 1 : 1;

			if (e > w[i])
				w[i] = e;
			if (o > w[i])
				w[i] = o;
		}
	}
	fprintf(f, "  %-*s  %-*s  %-8s", (int)w0, "row", (int)wt, "stage 2 -> effective", "");
	for (size_t i = 0; i < t->ncol; i++)
		fprintf(f, "  %-*s", i + 1 < t->ncol ? (int)w[i] : 0, t->col[i]);
	fputc('\n', f);
	for (size_t r = 0; r < t->nrows; r++) {
		const struct row *row = &t->rows[r];

		if (row->note) {
			fprintf(f, "  %-*s  %s\n", (int)w0, row->name, row->note);
			continue;
		}
		bool refused = row->slot_exp && strcmp(row->slot_exp, "accepted") != 0;
		bool slot_bad = row->slot_exp && row->slot_obs && strcmp(row->slot_exp, row->slot_obs) != 0;

		if (refused || slot_bad) {
			fprintf(f, "  %-*s  %-*s  memslot: expected %s, observed %s%s (rule %s)\n", (int)w0,
				row->name, (int)wt, types[r], or_dash(row->slot_exp), or_dash(row->slot_obs),
				slot_bad ? " !" : "", or_dash(row->slot_rule));
			continue;
		}
		fprintf(f, "  %-*s  %-*s  %-8s", (int)w0, row->name, (int)wt, types[r], "expected");
		for (size_t i = 0; i < t->ncol; i++)
			fprintf(f, "  %-*s", i + 1 < t->ncol ? (int)w[i] : 0, or_dash(row->exp[i]));
		fputc('\n', f);
		fprintf(f, "  %-*s  %-*s  %-8s", (int)w0, "", (int)wt, "", "observed");
		for (size_t i = 0; i < t->ncol; i++) {
			char *cell = xasprintf("%s%s", or_dash(row->obs[i]), row->bad[i] ? " !" : "");

			fprintf(f, "  %-*s", i + 1 < t->ncol ? (int)w[i] : 0, cell);
			free(cell);
		}
		fputc('\n', f);
	}
	for (size_t r = 0; r < t->nrows; r++)
		free(types[r]);
	free(types);
}

bool matrix_present(const struct run *r)
{
	for (size_t i = 0; i < r->cell_names.n; i++) {
		for (size_t j = 0; r->cells[i] && j < r->cells[i]->nres; j++) {
			char *row = records_row(r->cells[i]->res[j].diag);

			free(row);
			if (row)
				return true;
		}
	}
	return false;
}

/* The rows of one cell: every result with records, and the variants of a matrix test without. */
static void cell_rows(struct table *t, struct legend *lg, const struct cell *c, const struct strvec *prefixes)
{
	for (size_t j = 0; c && j < c->nres; j++) {
		const struct test_result *res = &c->res[j];
		char *name = records_row(res->diag);
		size_t skip = name ? 0 : matrix_variant(prefixes, res->name);

		if (!name && !skip)
			continue;
		t->rows = xrealloc(t->rows, (t->nrows + 1) * sizeof(*t->rows));
		struct row *row = &t->rows[t->nrows++];

		memset(row, 0, sizeof(*row));
		row->name = name && *name ? name : xstrdup(res->name + skip);
		if (row->name != name)
			free(name);
		if (!fill_row(t, row, lg, res->diag)) {
			const char *why = res->reason ? res->reason : "";

			row->note = xasprintf("%s, no records: %.*s", result_name(res->res),
					      (int)strcspn(why, "\n"), why);
		}
	}
}

void matrix_write(FILE *f, const struct run *r)
{
	struct legend lg = { 0 };
	struct strvec prefixes = {0};

	matrix_prefixes(r, &prefixes);
	fprintf(f, "memattr memory-type matrix, run %s\n"
		   "Each row is one PFNMAP source seen through one guest stage-1 memory type (its memtype-row record):\n"
		   "the stage-2 and effective types the model expects, then for every probe the outcomes the model\n"
		   "allows (expected) and what happened (observed); \"!\" marks a mismatch, which fails the test.\n"
		   "Outcomes: ok; align_fault / sea_iabt / excl_fault: the guest took that exception (arm64 ESR DFSC\n"
		   "0x21, IFSC 0x10 injected by KVM, DFSC 0x35); no_excl: the store-exclusive never succeeded; n/a: the\n"
		   "CPU lacks the instruction; run_ERRNO: KVM_RUN failed.  On x86 every probe is judged (it must\n"
		   "complete) but the memory type is not observable: those rows say \"unobservable\"; the guest's\n"
		   "own stage-1 types (IA32_PAT) are judged by a test of their own.\n",
		r->id);
	for (size_t i = 0; i < r->cell_names.n; i++) {
		const struct cell *c = r->cells[i];
		struct table t;

		memset(&t, 0, sizeof(t));
		cell_rows(&t, &lg, c, &prefixes);
		if (t.nrows) {
			const char *mode = kv_get(&c->id, "kvm_mode"), *cpu = kv_get(&c->id, "cpu");
			const char *rel = kv_get(&c->id, "kernel_release");

			table_count(&t);
			fprintf(f, "\n== %s (%s%s%s, kvm %s, kernel %s)\n", c->name, c->arch,
				cpu ? ", cpu " : "", cpu ? cpu : "", mode ? mode : "?", rel ? rel : "?");
			fprintf(f, "platform: %s\n", t.platform ? t.platform : "-");
			fprintf(f,
				"judged: %ld cells, %ld mismatches; rows whose memory type the probes pin down: %ld, rows where it is not observable: %ld, rows whose memslot is refused: %ld\n",
				t.cells, t.mismatches, t.typed_rows, t.untyped_rows, t.refused_rows);
			table_print(f, &t);
		}
		table_free(&t);
	}
	if (lg.n) {
		fprintf(f, "\nRules cited (suites/pfnmap/memtype_model.h):\n");
		for (size_t i = 0; i < lg.n; i++)
			fprintf(f, "  %s: %s\n", lg.v[i].id, lg.v[i].text);
	}
	for (size_t i = 0; i < lg.n; i++) {
		free(lg.v[i].id);
		free(lg.v[i].text);
	}
	free(lg.v);
	strvec_free(&prefixes);
}
