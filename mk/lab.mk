# SPDX-License-Identifier: GPL-2.0
# The main job and the checks that need the whole chain: build, lab cells, reports.

MEMATTR_RUN := $(BUILD)/host/memattr-run
CHECK_REPORTS := $(BUILD)/check-reports
# cells `make check` runs: one arm64, the x86_64 one with Debian's KVM modules and the one with
# kvm.ko/kvm-amd.ko rebuilt (kvm_config: cached after the first build, about 140 s, then under a
# second; override: make check CHECK_CELLS=...)
CHECK_CELLS ?= arm64-max,x86_64-max,x86_64-max-private
# Every suite, stress with its smoke durations: a stress vCPU counts as stalled only when its own
# thread used 10 s of CPU (times the cell's timeout scale) without progress, so a busy CI host
# slows the stress tests down but does not fail them (host/stress_run.c).
CHECK_SUITES ?= atomics,dma,gmem,memslot,migration,pfnmap,selfcheck,stress

lab-check:
	rm -rf $(CHECK_REPORTS)
	$(MEMATTR_RUN) --cells $(CHECK_CELLS) --suites $(CHECK_SUITES) --report-dir $(CHECK_REPORTS) $(CHECK_ARGS)
	bash tests/lab/check-reports.sh $(CHECK_REPORTS)/latest
	# tools/mutate.sh --dry-run on the corpus (needs the kernel source the cells' fixture build cached)
	bash tests/mutate/check.sh
