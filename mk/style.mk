# SPDX-License-Identifier: GPL-2.0
# mk/style.mk: the house style, checked (docs/guide.md, "Style").  Included by the top Makefile.
#
#   make style        checkpatch.pl on every C file and header of host/ guest/ suites/ tests/
#                     fixtures/ (options and justified --ignores: .checkpatch.conf), then shellcheck
#                     on the shell scripts; any finding fails
#   make style CHECKPATCH=/path/to/linux/scripts/checkpatch.pl
#
# checkpatch comes from the linux-source the lab already fetches for the fixture modules
# ($(MEMATTR_CACHE)/kbuild/src/linux-source-*/, runners/build-fixtures.sh); it needs perl and reads
# spelling.txt and const_structs.checkpatch next to itself.

MEMATTR_CACHE ?= $(HOME)/.cache/memattr
CHECKPATCH ?= $(lastword $(sort $(wildcard $(MEMATTR_CACHE)/kbuild/src/linux-source-*/scripts/checkpatch.pl)))
STYLE_C := $(shell git ls-files -- 'host/*.[ch]' 'guest/*.[ch]' 'suites/*.[ch]' 'tests/*.[ch]' \
	'fixtures/*.[ch]' 2>/dev/null)
# Shell scripts: every *.sh.  Left out until their owners clean them: runners/mutate.sh (SC2010,
# SC2016) and runners/boot-cell.sh (the driver's QEMU command line, being replaced).
STYLE_SH_SKIP := runners/mutate.sh runners/boot-cell.sh
STYLE_SH := $(filter-out $(STYLE_SH_SKIP),$(shell git ls-files -- '*.sh' 2>/dev/null))

.PHONY: style style-c style-sh
style: style-c style-sh

style-c:
	@test -n "$(CHECKPATCH)" && test -f "$(CHECKPATCH)" || { \
		echo "make style: no checkpatch.pl: run the lab once (it fetches linux-source into" \
		     "$(MEMATTR_CACHE)/kbuild/src/) or give CHECKPATCH=/path/to/scripts/checkpatch.pl" >&2; exit 1; }
	@command -v perl >/dev/null || { echo "make style: perl is missing (apt-get install perl)" >&2; exit 1; }
	@echo "checkpatch ($(CHECKPATCH)): $(words $(STYLE_C)) files"
	@out=$$(perl $(CHECKPATCH) --no-tree -f --terse --no-summary --show-types $(STYLE_C) 2>&1); \
	if [ -n "$$out" ]; then echo "$$out"; echo "make style: checkpatch: $$(echo "$$out" | wc -l) finding(s)" >&2; exit 1; fi

style-sh:
	@command -v shellcheck >/dev/null || { echo "make style: shellcheck is missing (apt-get install shellcheck)" >&2; exit 1; }
	@echo "shellcheck: $(words $(STYLE_SH)) scripts"
	@shellcheck -x -f gcc $(STYLE_SH)
