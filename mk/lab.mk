# The main job and the checks that need the whole chain: build, lab cells, reports.

MEMATTR_RUN := $(BUILD)/host/memattr-run
CHECK_REPORTS := $(BUILD)/check-reports
# cells `make check` runs: one arm64 and one x86_64 (override: make check CHECK_CELLS=...)
CHECK_CELLS ?= arm64-max,x86_64-max

# `make run RUN_ARGS="--cells arm64-max --filter 'atomics.*'"` passes options to memattr-run.
run: deps build driver
	$(MEMATTR_RUN) $(RUN_ARGS)

check: deps
	$(MAKE) unit
	$(MAKE) build driver
	$(MAKE) lab-check

lab-check:
	rm -rf $(CHECK_REPORTS)
	$(MEMATTR_RUN) --cells $(CHECK_CELLS) --report-dir $(CHECK_REPORTS) $(CHECK_ARGS)
	bash tests/lab/check-reports.sh $(CHECK_REPORTS)/latest
