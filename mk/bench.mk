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

.PHONY: bench
bench: deps build driver
	$(MEMATTR_RUN) --cells $(BENCH_CELLS) --suites $(BENCH_SUITES) --filter '$(BENCH_FILTER)' \
		--set 'run.suite_args=-d $(BENCH_SECONDS)' --report-dir reports/bench $(BENCH_ARGS)
