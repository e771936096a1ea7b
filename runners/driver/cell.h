/* SPDX-License-Identifier: GPL-2.0 */
/* cell.h: one cell's run: identity, suites, results, and the files streamed while it runs
 *   <run>/<cell>/console.log   every console line
 *   <run>/<cell>/identity.txt  key=value
 *   <run>/<cell>/<suite>.tap   each suite's own TAP stream, verbatim
 *   <run>/<cell>.tap           combined flat TAP of the cell (plan at the end)
 */
#ifndef MEMATTR_DRIVER_CELL_H
#define MEMATTR_DRIVER_CELL_H

#include "tap.h"
#include "util.h"

#include <stdio.h>

struct test_result {
	char *suite;       /* "cell" for results about the cell itself */
	char *name;
	enum result res;
	char *reason;      /* directive text or failure text, NULL if none */
	char *diag;        /* the diagnostics printed before the result, NULL if none */
	long duration_ms;  /* -1: unknown */
	long number;       /* number in the combined cell TAP */
	bool synthetic;    /* added by the driver, not printed by a suite */
};

/* SUITE_RESUME: a kernel panic interrupted it; the next boot runs the tests after resume_after. */
enum suite_state { SUITE_PENDING, SUITE_RUNNING, SUITE_RESUME, SUITE_DONE };

struct suite_run {
	char *name;
	enum suite_state state;
	FILE *tap;
	long plan;          /* -1: none seen */
	char *plan_reason;  /* "1..0 # SKIP reason" */
	long results;
	long counts[RES__COUNT];
	int rc;             /* -1: no SUITE-END seen */
	bool bailed;
	char *bail;
	struct strvec diag; /* diagnostics since the last result */
	long pending_duration;
	size_t knote_mark;
	double t_begin, t_end;
	char *end_note;     /* why the suite ended abnormally, NULL if it did not */
	bool have_totals;
	struct tap_totals totals;
	struct strvec selection; /* the tests it will run, in order (@@MEMATTR TEST lines of this boot) */
	/* resumed after a kernel panic: the current segment's figures are the totals minus these */
	long base_results;
	long base_counts[RES__COUNT];
	long first_plan;    /* the plan of the first segment, -1 if not resumed */
	char *resume_after; /* the test the panic was attached to (the next boot runs the ones after it) */
	int segments;       /* boots it ran in */
};

enum cell_status { CELL_PASS, CELL_FAIL, CELL_ERROR };
enum { ID_HOST = 0, ID_CELL = 1 }; /* kv origin tags of identity entries */

struct cell {
	char *name;
	char *arch;        /* arm64 | x86_64 */
	char *dir;         /* <run>/<cell> */
	char *combined_path;
	FILE *console, *identity, *combined;

	struct kvlist id;
	struct suite_run *suites;
	size_t nsuites;
	long cur;          /* index of the running suite, -1 if none */

	struct test_result *res;
	size_t nres, capres;
	long counts[RES__COUNT];
	long combined_n;

	bool launched;     /* the QEMU or suite process was started */
	bool began;        /* CELL-BEGIN seen */
	bool ended;        /* CELL-END seen */
	bool finished;     /* cell_finish() done */
	char *reason;      /* why the cell ended abnormally / could not run; NULL if it did not */
	enum cell_status status;
	double t_start, t_end, t_began;
	struct strvec knotes; /* notable kernel messages (panic, oops, BUG, OOM ...) */
	struct strvec notes;  /* driver notes (e.g. QEMU did not exit after CELL-END) */

	int boot;             /* 1 for the first boot, +1 for each boot after a kernel panic */

	int id_boot;          /* the boot whose ID lines are the identity (the first to send any) */
	bool boot_began;      /* CELL-BEGIN seen in this boot */
	long panics;          /* kernel panics attached to a test (or the cell) */

	/* checks against the configuration (cell_checks.c) */
	bool need_kvm;              /* a lab cell: /dev/kvm must be there (dev_kvm=yes) */
	const char *want_kvm_mode;  /* configured kvm_mode, NULL: any */
	long want_vm_types;         /* configured kvm_vm_types (KVM_CAP_VM_TYPES), -1: any */
	char *want_kvm_build_id;    /* the modules kvm_config built ("kvm:<hex>,kvm_amd:<hex>"), NULL: none */
	const char *kvm_config;     /* the cell's kvm_config, for messages; NULL: none */
	bool kvm_checked;
	const char *setup_what;     /* cell_setup_error(): the result a setup error gets instead of "setup" */
	enum result setup_res;
	char *error;                /* why the cell is an ERROR although it ran (e.g. wrong KVM mode) */
	const struct skip_profile *skip_profile; /* NULL: skips are not judged */
	bool filtered;              /* a test filter was in effect */
	char *skips_note;           /* the skip verdict, one line, for the summary */
	struct strvec listed;       /* every test a suite listed (@@MEMATTR TEST), all boots */
};

/* Progress hook (set by the run; NULL: silent). */
extern void (*cell_progress_hook)(const struct cell *c, const char *msg);
void cell_log(const struct cell *c, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Creates <run_dir>/<name>/ and opens the streamed files. NULL with *err set on failure. */
struct cell *cell_new(const char *run_dir, const char *name, const char *arch, char **err);
void cell_free(struct cell *c);

void cell_expect_suite(struct cell *c, const char *suite);
void cell_fact(struct cell *c, const char *key, const char *val);
/* Something the configuration asked for could not be set up (e.g. the fixture modules): a failing
 * result cell.<cell>.<what> with the reason; the cell still runs.
 */
void cell_setup_failure(struct cell *c, const char *what, const char *reason);
/*
 * Setup that failed so that the cell cannot run (e.g. the KVM modules of its kvm_config did not
 * build): the cell is finished with this reason and the result cell.<cell>.<what> (r), never boots.
 */
void cell_setup_error(struct cell *c, const char *what, enum result r, const char *reason);
/* The same with another result (e.g. RES_ERROR). A reason of several lines becomes one diagnostic
 * line each, the result line carries the first.
 */
void cell_result(struct cell *c, const char *what, enum result r, const char *reason);
/* A kernel panic ended this boot (lab.c, once QEMU is gone): the panic text goes to the test that was
 * running (the next of its suite's selection after its last result), as a failure; a suite with
 * tests left becomes SUITE_RESUME. Outside a suite it becomes cell.<cell>.panic.
 */
void cell_kernel_panic(struct cell *c, const char *panic_line, const char *text);
/* Suites a next boot would run (SUITE_RESUME first, then SUITE_PENDING, in order); the resumed
 * suite's "<suite>:<test>" in *resume (NULL if none; caller frees). Returns the count.
 */
size_t cell_remaining(const struct cell *c, struct strvec *suites, char **resume);
/* Start boot n (> 1): ID lines of this boot are not recorded again. */
void cell_next_boot(struct cell *c, const char *why); /* why: "a kernel panic", ... */
void cell_test_listed(struct cell *c, const char *name); /* @@MEMATTR TEST <name> */
void cell_id(struct cell *c, const char *key, const char *val);      /* @@MEMATTR ID line */
/*
 * Checks of cell_checks.c: /dev/kvm, the KVM mode, the rebuilt KVM modules' build ids and
 * KVM_CAP_VM_TYPES (at the first SUITE-BEGIN or the end), the skips (at the end).
 */
void cell_check_kvm(struct cell *c);
void cell_judge_skips(struct cell *c);
/* "pass", or "fail: reason" / "error: why", with the panics and boots if any (caller frees). */
char *cell_status_text(const struct cell *c);
void cell_console_line(struct cell *c, const char *line);
void cell_kernel_note(struct cell *c, const char *line);
void cell_note(struct cell *c, const char *fmt, ...) PRINTF_LIKE(2, 3);

void cell_begin(struct cell *c);                          /* CELL-BEGIN */
void cell_suite_begin(struct cell *c, const char *suite); /* SUITE-BEGIN */
void cell_suite_line(struct cell *c, const char *line);   /* a line of the running suite */
void cell_suite_end(struct cell *c, const char *suite, int rc); /* SUITE-END */
void cell_suite_abort(struct cell *c, const char *why);   /* running suite ended without SUITE-END */
void cell_end(struct cell *c);                            /* CELL-END */
/* The console is over. reason: why the cell ended abnormally, or NULL when it ended normally
 * (a missing CELL-END is then reported as the reason). Appends the failure results, the plan and
 * the totals to the combined TAP and closes the files.
 */
void cell_finish(struct cell *c, const char *reason);

const char *cell_status_name(enum cell_status s);
long cell_failures(const struct cell *c);

#endif
