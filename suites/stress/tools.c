// SPDX-License-Identifier: GPL-2.0
/*
 * The host tools of the suite run where the suite runs: in a lab cell, Debian's stress-ng and fio
 * with their libraries (the cell's packages option, runners/fetch-packages.sh); natively, the
 * host's (runners/install-deps.sh).
 */
#include "stress.h"

#include "memattr/harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

struct tool_case {
	const char *tool, *pkg, *banner;
};

static const struct tool_case stress_ng = { "stress-ng", "stress-ng", "stress-ng, version " };
static const struct tool_case fio = { "fio", "fio", "fio-" };

static const struct ma_variant tools[] = {
	{ .name = "stress_ng", .param = &stress_ng },
	{ .name = "fio", .param = &fio },
};

MA_TEST(stress, tool_runs, MA_VARIANTS(tools), .timeout_s = 60, .req = { .no_kvm = true },
	.source = "runners/fetch-packages.sh: the tool, its libraries and the loader are in the cell")
{
	const struct tool_case *tc = t->param;
	char path[256], *out, *nl;
	struct st_proc p = {0};
	bool late;
	int st;

	st_tool_require(tc->tool, tc->pkg, path, sizeof(path));
	st_proc_start(&p, (char *const[]){ path, "--version", NULL }, tc->tool);
	st = st_proc_wait(&p, 30.0, &late);
	out = st_read_file(p.out);
	MA_REQUIRE(out, "cannot read %s", p.out);
	MA_CHECK(!late, "%s --version did not end within 30 s", path);
	MA_CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s --version: wait status %#x; it printed: %.400s",
		 path, st, out);
	MA_CHECK(strstr(out, tc->banner), "%s --version printed no \"%s\": %.400s", path, tc->banner, out);
	nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	ma_log("%s: %s", path, out);
	free(out);
	remove(p.out);
}

MA_TEST_MAIN
