# SPDX-License-Identifier: GPL-2.0
# One LAVA job per lab cell (runners/lava/; README, "How a farm runs one job per cell").
#
#   make lava [LAVA_CELLS="arm64-max x86_64-max"]
#                    build/lava/<cell>/: kernel, initramfs (the kselftest tree in /kselftest),
#                    the test definition with its TAP -> lava-test-case converter (testdefs.tar.gz),
#                    job.yaml, device.jinja2 and reference.json (the lab run of the cell in the
#                    kselftest mode that built the initramfs; one lab run per cell, under the CPU lock
#                    LAVA_LOCK: do not wrap make lava in flock of the same file, or give LAVA_LOCK=)
#   make lava-check  Debian's lava-run (unpacked, tests/lava/lava-check.sh) runs the job of
#                    LAVA_CHECK_CELL (arm64-max) under QEMU; its test cases must equal the lab run's
#                    results (and, given LAVA_RUN_REF=reports/<run>/results.json of a plain make
#                    run that ran the cell, that run's); not part of make check (lava-dispatcher
#                    and its Python modules)

LAVA_CELLS ?= arm64-max
LAVA_CHECK_CELL ?= arm64-max
LAVA_LOCK ?= /tmp/memattr-cpu.lock
LAVA_RUN_REF ?=

.PHONY: lava lava-check lava-unit
lava: driver kselftest-tree-arm64 kselftest-tree-x86_64
	@for c in $(LAVA_CELLS); do \
		$(if $(LAVA_LOCK),flock $(LAVA_LOCK)) bash runners/lava/mklava.sh --cell $$c --out $(BUILD)/lava/$$c || exit 1; \
	done

lava-check:
	$(MAKE) lava LAVA_CELLS=$(LAVA_CHECK_CELL)
	$(if $(LAVA_LOCK),flock $(LAVA_LOCK)) bash tests/lava/lava-check.sh $(BUILD)/lava/$(LAVA_CHECK_CELL) $(LAVA_RUN_REF)

# cheap, in make check: the converter on a recorded runner stream, the test definition's YAML
lava-unit:
	bash tests/lava/unit.sh
