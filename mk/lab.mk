# SPDX-License-Identifier: GPL-2.0
# The main job and the checks that need the whole chain: build, lab cells, reports.

MEMATTR_RUN := $(BUILD)/host/memattr-run
CHECK_REPORTS := $(BUILD)/check-reports
# cells `make check` runs: one arm64, the x86_64 one with Debian's KVM modules and the one with
# kvm.ko/kvm-amd.ko rebuilt (kvm_config: cached after the first build, about 140 s, then under a
# second; override: make check CHECK_CELLS=...)
CHECK_CELLS ?= arm64-max,x86_64-max,x86_64-max-private
# Every suite but stress: its smoke tests judge the guest's progress over a few seconds of load,
# which a CI host that is busy with other jobs cannot guarantee (a fresh-root check next to another
# lab run saw stress.verify_under_tool_load fail that way); make run and make bench run it.
CHECK_SUITES ?= atomics,dma,gmem,memslot,migration,pfnmap,selfcheck

lab-check:
	rm -rf $(CHECK_REPORTS)
	$(MEMATTR_RUN) --cells $(CHECK_CELLS) --suites $(CHECK_SUITES) --report-dir $(CHECK_REPORTS) $(CHECK_ARGS)
	bash tests/lab/check-reports.sh $(CHECK_REPORTS)/latest
	# tools/mutate.sh --dry-run on the corpus (needs the kernel source the cells' fixture build cached)
	bash tests/mutate/check.sh
