# SPDX-License-Identifier: GPL-2.0
# mk/style.mk: the house style, checked (docs/guide.md, "Style").  Included by the top Makefile.
#
#   make style        checkpatch.pl on every tracked C file and header of host/ guest/ suites/ tests/
#                     runners/ fixtures/ (options and justified --ignores: .checkpatch.conf), then
#                     shellcheck on every tracked *.sh; any finding fails
#   make style CHECKPATCH=/path/to/linux/scripts/checkpatch.pl
#
# checkpatch comes from tools/fetch-checkpatch.sh: the linux-source the lab already fetched for the
# fixture modules ($(MEMATTR_CACHE)/kbuild/src/linux-source-*/, runners/build-fixtures.sh), else
# checkpatch.pl alone from the same linux-source package, downloaded once into
# $(MEMATTR_CACHE)/checkpatch/ (so that make style works on a fresh machine before any lab run).  It
# needs perl and reads spelling.txt and const_structs.checkpatch next to itself.

MEMATTR_CACHE ?= $(HOME)/.cache/memattr
CHECKPATCH ?=
STYLE_C := $(shell git ls-files -- 'host/*.[ch]' 'guest/*.[ch]' 'suites/*.[ch]' 'tests/*.[ch]' 'runners/*.[ch]' \
	'fixtures/*.[ch]' 2>/dev/null)
# Shell scripts: every *.sh.
STYLE_SH := $(shell git ls-files -- '*.sh' 2>/dev/null)

.PHONY: style style-c style-sh
style: style-c style-sh

style-c:
	@command -v perl >/dev/null || { echo "make style: perl is missing (apt-get install perl)" >&2; exit 1; }
	@chk="$(CHECKPATCH)"; \
	if [ -z "$$chk" ]; then \
		chk=$$(MEMATTR_CACHE="$(MEMATTR_CACHE)" bash tools/fetch-checkpatch.sh) || { \
			echo "make style: no checkpatch.pl (see above); or give CHECKPATCH=/path/to/scripts/checkpatch.pl" >&2; \
			exit 1; }; \
	fi; \
	test -f "$$chk" || { echo "make style: CHECKPATCH=$$chk: no such file" >&2; exit 1; }; \
	echo "checkpatch ($$chk): $(words $(STYLE_C)) files"; \
	out=$$(perl "$$chk" --no-tree -f --terse --no-summary --show-types $(STYLE_C) 2>&1); \
	if [ -n "$$out" ]; then echo "$$out"; echo "make style: checkpatch: $$(echo "$$out" | wc -l) finding(s)" >&2; exit 1; fi

style-sh:
	@command -v shellcheck >/dev/null || { echo "make style: shellcheck is missing (apt-get install shellcheck)" >&2; exit 1; }
	@echo "shellcheck: $(words $(STYLE_SH)) scripts"
	@shellcheck -x -f gcc $(STYLE_SH)
