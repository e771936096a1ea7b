/* matrix.c: the memory-type matrix of each cell (matrix.txt), from the pfnmap suite's
 * access_matrix results: one row per PFNMAP source and guest stage-1 type, one column per
 * access, the value what the guest saw ("matrix <source> s1=<type>: op=value ..." diagnostics).
 */
#include "report.h"

#include "run.h"

#include <stdlib.h>
#include <string.h>

#define MATRIX_TEST "pfnmap.access_matrix."
#define MAX_COLS 12

struct row {
	char *name;
	char *val[MAX_COLS]; /* NULL: no value for that column */
	char *note;          /* instead of values: why the row has none */
};

struct table {
	char *col[MAX_COLS];
	size_t ncol;
	struct row *rows;
	size_t nrows;
};

static size_t col_index(struct table *t, const char *name, size_t len)
{
	for (size_t i = 0; i < t->ncol; i++)
		if (strlen(t->col[i]) == len && strncmp(t->col[i], name, len) == 0)
			return i;
	if (t->ncol == MAX_COLS)
		return MAX_COLS;
	t->col[t->ncol] = xstrndup(name, len);
	return t->ncol++;
}

/* The "matrix ..." line of a result's diagnostics, or NULL. */
static const char *matrix_line(const char *diag, size_t *len)
{
	for (const char *p = diag; p && *p;) {
		size_t n = strcspn(p, "\n");
		if (str_starts(p, "matrix ")) {
			*len = n;
			return p;
		}
		p += n + (p[n] == '\n');
	}
	return NULL;
}

static void fill_row(struct table *t, struct row *row, const struct test_result *res)
{
	size_t len = 0;
	const char *m = matrix_line(res->diag, &len);
	const char *colon = m ? memchr(m, ':', len) : NULL;
	if (!colon) {
		const char *why = res->reason ? res->reason : "";
		static const char refused_text[] = "memslot refused as expected (";
		const char *refused = strstr(why, refused_text);
		if (res->res == RES_SKIP && refused) {
			refused += sizeof(refused_text) - 1;
			row->note = xasprintf("memslot refused: %.*s", (int)strcspn(refused, ")"), refused);
		} else if (res->res == RES_SKIP) {
			row->note = xasprintf("skipped: %.*s", (int)strcspn(why, "\n"), why);
		} else {
			row->note = xasprintf("%s (no matrix line)", result_name(res->res));
		}
		return;
	}
	for (const char *p = colon + 1; p < m + len;) {
		p += strspn(p, " ");
		size_t n = strcspn(p, " \n");
		if (p + n > m + len)
			n = (size_t)(m + len - p);
		const char *eq = memchr(p, '=', n);
		if (eq) {
			size_t c = col_index(t, p, (size_t)(eq - p));
			if (c < MAX_COLS) {
				free(row->val[c]);
				row->val[c] = xstrndup(eq + 1, (size_t)(p + n - eq - 1));
			}
		}
		if (!n)
			break;
		p += n;
	}
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->ncol; i++)
		free(t->col[i]);
	for (size_t r = 0; r < t->nrows; r++) {
		free(t->rows[r].name);
		free(t->rows[r].note);
		for (size_t i = 0; i < MAX_COLS; i++)
			free(t->rows[r].val[i]);
	}
	free(t->rows);
}

static void table_print(FILE *f, const struct table *t)
{
	size_t w0 = strlen("source.stage1"), w[MAX_COLS];
	for (size_t r = 0; r < t->nrows; r++)
		if (strlen(t->rows[r].name) > w0)
			w0 = strlen(t->rows[r].name);
	for (size_t i = 0; i < t->ncol; i++) {
		w[i] = strlen(t->col[i]);
		for (size_t r = 0; r < t->nrows; r++)
			if (t->rows[r].val[i] && strlen(t->rows[r].val[i]) > w[i])
				w[i] = strlen(t->rows[r].val[i]);
	}
	fprintf(f, "  %-*s", (int)w0, "source.stage1");
	for (size_t i = 0; i < t->ncol; i++)
		fprintf(f, "  %-*s", i + 1 < t->ncol ? (int)w[i] : 0, t->col[i]);
	fputc('\n', f);
	for (size_t r = 0; r < t->nrows; r++) {
		const struct row *row = &t->rows[r];
		fprintf(f, "  %-*s", (int)w0, row->name);
		if (row->note)
			fprintf(f, "  %s", row->note);
		else
			for (size_t i = 0; i < t->ncol; i++)
				fprintf(f, "  %-*s", i + 1 < t->ncol ? (int)w[i] : 0, row->val[i] ? row->val[i] : "-");
		fputc('\n', f);
	}
}

bool matrix_present(const struct run *r)
{
	for (size_t i = 0; i < r->cell_names.n; i++)
		for (size_t j = 0; r->cells[i] && j < r->cells[i]->nres; j++)
			if (str_starts(r->cells[i]->res[j].name, MATRIX_TEST))
				return true;
	return false;
}

void matrix_write(FILE *f, const struct run *r)
{
	fprintf(f, "memattr memory-type matrix, run %s\n"
		   "What a guest access through a PFNMAP memslot did (pfnmap.access_matrix), one row per source\n"
		   "and guest stage-1 memory type. ok: completed; fault(SYNDROME): exception taken in the guest\n"
		   "(arm64 ESR_EL1: 0x96000021 alignment fault, 0x86000010 instruction abort KVM injected);\n"
		   "kvm_run_ERRNO: KVM_RUN failed; n/a: the CPU lacks the instruction; memslot refused: KVM\n"
		   "did not accept the memslot (as expected on that platform).\n",
		r->id);
	for (size_t i = 0; i < r->cell_names.n; i++) {
		const struct cell *c = r->cells[i];
		struct table t;
		memset(&t, 0, sizeof(t));
		for (size_t j = 0; c && j < c->nres; j++) {
			const struct test_result *res = &c->res[j];
			if (!str_starts(res->name, MATRIX_TEST))
				continue;
			t.rows = xrealloc(t.rows, (t.nrows + 1) * sizeof(*t.rows));
			struct row *row = &t.rows[t.nrows++];
			memset(row, 0, sizeof(*row));
			row->name = xstrdup(res->name + strlen(MATRIX_TEST));
			fill_row(&t, row, res);
		}
		if (t.nrows) {
			const char *mode = kv_get(&c->id, "kvm_mode"), *cpu = kv_get(&c->id, "cpu");
			const char *rel = kv_get(&c->id, "kernel_release");
			fprintf(f, "\n== %s (%s%s%s, kvm %s, kernel %s)\n", c->name, c->arch, cpu ? ", cpu " : "",
				cpu ? cpu : "", mode ? mode : "?", rel ? rel : "?");
			table_print(f, &t);
		}
		table_free(&t);
	}
}
