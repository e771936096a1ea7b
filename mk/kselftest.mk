# SPDX-License-Identifier: GPL-2.0
# memattr as a kselftest collection (runners/kselftest-install.sh; docs/guide.md, "kselftest").
#
#   make kselftest-install [INSTALL_PATH=DIR] [ARCH=arm64|x86_64]
#                    the suite programs of ARCH (default: this host's) as collection "memattr" in DIR
#                    (default build/kselftest/<arch>), with the kernel's run_kselftest.sh and
#                    kselftest/ runner from the lab kernel's linux-source; DIR may be a kernel's own
#                    kselftest install: its runner and other collections are kept
#   make kselftest-tar   both architectures: build/kselftest/memattr-kselftest-<arch>.tar.xz
#   make kselftest-check the layout, list, names and the runner natively (tests/kselftest/check.sh)

KSFT_ARCH_arm64 := aarch64
KSFT_ARCH_aarch64 := aarch64
KSFT_ARCH_x86_64 := x86_64
KSFT_KARCH_aarch64 := arm64
KSFT_KARCH_x86_64 := x86_64
ARCH ?= $(KSFT_KARCH_$(HOST_ARCH))
KSFT_BARCH := $(KSFT_ARCH_$(ARCH))
KSFT_DIR := $(BUILD)/kselftest

.PHONY: kselftest-install kselftest-tar kselftest-check kselftest-tree-arm64 kselftest-tree-x86_64
kselftest-install:
	@test -n "$(KSFT_BARCH)" || { echo "make kselftest-install: ARCH=$(ARCH): arm64 or x86_64" >&2; exit 1; }
	$(MAKE) $(KSFT_BARCH)
	bash runners/kselftest-install.sh --bin-dir $(BUILD)/$(KSFT_BARCH)/bin \
		--out $(or $(INSTALL_PATH),$(KSFT_DIR)/$(KSFT_KARCH_$(KSFT_BARCH)))

# the trees the kselftest cell mode and make lava use: build/kselftest/<arm64|x86_64>/ (explicit
# rules: make applies no pattern rule to a phony target)
define ksft_tree
kselftest-tree-$(1):
	$$(MAKE) $$(KSFT_ARCH_$(1))
	rm -rf $$(KSFT_DIR)/$(1)
	bash runners/kselftest-install.sh --bin-dir $$(BUILD)/$$(KSFT_ARCH_$(1))/bin --out $$(KSFT_DIR)/$(1) \
		--tar $$(KSFT_DIR)/memattr-kselftest-$(1).tar.xz
endef
$(foreach a,arm64 x86_64,$(eval $(call ksft_tree,$(a))))

kselftest-tar: kselftest-tree-arm64 kselftest-tree-x86_64
	@ls -l $(KSFT_DIR)/memattr-kselftest-*.tar.xz

kselftest-check: kselftest-tree-$(KSFT_KARCH_$(HOST_ARCH))
	bash tests/kselftest/check.sh $(KSFT_DIR)/$(KSFT_KARCH_$(HOST_ARCH))

# The runner path in the lab (not in make check: two lab runs of KSFT_LAB_CELL, ~1 min each under
# TCG): the kselftest mode against a direct run, the same tests, verdicts and totals
KSFT_LAB_CELL ?= arm64-max
.PHONY: kselftest-lab-check
kselftest-lab-check: driver kselftest-tree-arm64 kselftest-tree-x86_64
	rm -rf $(BUILD)/kselftest-lab
	$(MEMATTR_RUN) --cells $(KSFT_LAB_CELL) --set run.migrations=none --report-dir $(BUILD)/kselftest-lab/plain
	$(MEMATTR_RUN) --cells $(KSFT_LAB_CELL) --set run.migrations=none --set run.kselftest=yes \
		--report-dir $(BUILD)/kselftest-lab/kselftest
	bash tests/kselftest/compare.sh $(BUILD)/kselftest-lab/kselftest/latest $(BUILD)/kselftest-lab/plain/latest $(KSFT_LAB_CELL)
