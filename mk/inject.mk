# SPDX-License-Identifier: GPL-2.0
# Fault injection into the KVM ioctls of the suites (harness --inject): `make inject` runs every suite
# with --inject in the default check cells (INJECT_CELLS), keeps a copy of the suite binaries the cells
# ran (for addr2line) and writes <report>/inject-report.txt: kill rate per cell and suite, and every
# surviving call site with its stack.  INJECT_ARGS passes more memattr-run options (e.g. --suites).

INJECT_CELLS ?= arm64-max,x86_64-max
INJECT_REPORTS ?= reports/inject

.PHONY: inject
inject: deps build driver
	@stamp=$$(date -u +%Y%m%dT%H%M%SZ); bins=$(INJECT_REPORTS)/bin-$$stamp; \
	mkdir -p $$bins && for a in $(ARCHES); do cp -r $(BUILD)/$$a/bin $$bins/$$a; done; \
	$(MEMATTR_RUN) --cells $(INJECT_CELLS) --set run.suite_args=--inject --set run.cell_timeout=5400 \
		--report-dir $(INJECT_REPORTS) $(INJECT_ARGS); rc=$$?; \
	mv $$bins $(INJECT_REPORTS)/latest/bin; \
	bash tools/inject-report.sh $(INJECT_REPORTS)/latest $(INJECT_REPORTS)/latest; \
	exit $$rc
