# SPDX-License-Identifier: GPL-2.0
# make bench: the benchmarks, i.e. the tests that print figures ("memattr-metric name=... k=v"),
# run for BENCH_SECONDS each in the cells that can run them; the figures are in the run's
# summary.txt (section "metrics:") and results.json (records "memattr-metric").  Performance is
# measured here, never asserted in a test.
#   make bench [BENCH_SECONDS=10] [BENCH_CELLS=x86_64-max-private] [BENCH_SUITES=gmem]
#              [BENCH_FILTER='gmem.convert_race*'] [BENCH_ARGS="..."]
BENCH_SECONDS ?= 10
BENCH_CELLS ?= x86_64-max-private
BENCH_SUITES ?= gmem
BENCH_FILTER ?= gmem.convert_race*

# the stress suite's figures (pages verified per second and the guest/host ratio, atomics per
# second, stress-ng bogo ops/s, fio MB/s) in BENCH_STRESS_CELLS; empty: none
BENCH_STRESS_CELLS ?= arm64-max,x86_64-max

# the migration suite's figures (pages verified, rounds, pages per round, downtime, wall time per
# pre-copy) in BENCH_MIGRATION_CELLS; empty: none
BENCH_MIGRATION_CELLS ?= arm64-max,x86_64-max
BENCH_MIGRATION_FILTER ?= migration.precopy*

.PHONY: bench bench-stress bench-migration
bench: deps build driver bench-stress bench-migration
	$(MEMATTR_RUN) --cells $(BENCH_CELLS) --suites $(BENCH_SUITES) --filter '$(BENCH_FILTER)' \
		--set 'run.suite_args=-d $(BENCH_SECONDS)' --report-dir reports/bench $(BENCH_ARGS)
bench-stress: deps build driver
	$(if $(BENCH_STRESS_CELLS),$(MEMATTR_RUN) --cells $(BENCH_STRESS_CELLS) --suites stress \
		--set 'run.suite_args=-d $(BENCH_SECONDS)' --report-dir reports/bench-stress $(BENCH_ARGS))
bench-migration: deps build driver
	$(if $(BENCH_MIGRATION_CELLS),$(MEMATTR_RUN) --cells $(BENCH_MIGRATION_CELLS) --suites migration \
		--filter '$(BENCH_MIGRATION_FILTER)' --report-dir reports/bench-migration $(BENCH_ARGS))
