# SPDX-License-Identifier: GPL-2.0
# The guide's examples are real code: `make guide-check` (part of `make unit`) compiles
# docs/examples/memslot_example.c into the memslot suite and docs/examples/hello/ as a suite of its
# own, for this machine's architecture, lists their tests, runs the hello suite natively (it skips
# without /dev/kvm), and checks that docs/guide.md shows the examples as they are in the files and
# names only make targets that exist (tests/guide/check.sh).

GUIDE_B := $(BUILD)/guide
GA := $(HOST_ARCH)

$(GUIDE_B)/%.o: docs/examples/%.c $$($(GA)_LIB)
	@mkdir -p $(@D)
	$($(GA)_CC) $($(GA)_HOST_CFLAGS) -c $< -o $@

# the memslot suite with the example test added, as a newcomer would have it
$(GUIDE_B)/memattr-memslot: $$(call suite_objs,$(GA),memslot) $(GUIDE_B)/memslot_example.o $$($(GA)_LIB)
	$($(GA)_CC) -static -pthread -o $@ $(filter %.o,$^) $($(GA)_LIB)

$(GUIDE_B)/memattr-hello: $(GUIDE_B)/hello/hello.o $$($(GA)_LIB)
	$($(GA)_CC) -static -pthread -o $@ $(filter %.o,$^) $($(GA)_LIB)

.PHONY: guide-check
guide-check: $(GUIDE_B)/memattr-memslot $(GUIDE_B)/memattr-hello
	bash tests/guide/check.sh $(GUIDE_B)
