# SPDX-License-Identifier: GPL-2.0
# Mutation testing of the suites against deliberately broken KVM builds (tools/mutate.sh):
#   make mutate [MUTATIONS=dir] [MUTATE_CELLS=x86_64-max-private] [MUTATE_FILTER=glob] [MUTATE_ARGS=...]
#   make mutate-dry-run    check that every patch of the corpus has its header and applies cleanly
# The kernel-module builds and the lab runs take the shared CPU lock (/tmp/memattr-cpu.lock).

MUTATIONS ?= mutations
MUTATE_CELLS ?= x86_64-max-private
MUTATE_FILTER ?= *

.PHONY: mutate mutate-dry-run
mutate: deps build driver
	bash tools/mutate.sh --mutations '$(MUTATIONS)' --cells '$(MUTATE_CELLS)' --filter '$(MUTATE_FILTER)' $(MUTATE_ARGS)

mutate-dry-run:
	bash tools/mutate.sh --dry-run --mutations '$(MUTATIONS)' --filter '$(MUTATE_FILTER)'
