# SPDX-License-Identifier: GPL-2.0
# The project's own tests: unit tests and the harness self-check, built natively with
# AddressSanitizer and UndefinedBehaviorSanitizer; and, where this host has a /dev/kvm, the
# suites run natively under the sanitizers (host code is what they check there).

SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_B := $(BUILD)/san
HADIR := $(ADIR_$(HOST_ARCH))
SAN_CFLAGS := $(HOST_CFLAGS) $(SAN) -isystem $(BUILD)/$(HOST_ARCH)/uapi/include
SAN_HOST_SRCS := $(HOST_COMMON_SRCS) $(wildcard host/arch/$(HADIR)/*.c)
SAN_LIB_OBJS := $(patsubst %,$(SAN_B)/%.o,$(SAN_HOST_SRCS)) $(SAN_B)/guest_image.o
SAN_LIB := $(SAN_B)/libmemattr.a
SAN_UNIT_SRCS := $(wildcard tests/unit/*.c) guest/common/format.c \
	suites/pfnmap/arch/arm64/memtype_model.c suites/pfnmap/memtype_names.c suites/pfnmap/sources.c
SAN_SUITES := $(patsubst %,$(SAN_B)/bin/memattr-%,$(SUITES))

$(SAN_B)/%.c.o: %.c $(wildcard host/include/memattr/*.h host/*.h guest/include/memattr/*.h suites/*/*.h) $($(HOST_ARCH)_UAPI)
	@mkdir -p $(@D)
	$(CC) $(SAN_CFLAGS) -c $< -o $@
$(SAN_B)/guest_image.o: host/arch/$(HADIR)/guest_image.S $(BUILD)/$(HOST_ARCH)/guest.bin
	@mkdir -p $(@D)
	$(CC) -DMA_GUEST_IMAGE='"$(BUILD)/$(HOST_ARCH)/guest.bin"' -c $< -o $@
$(SAN_LIB): $(SAN_LIB_OBJS)
	rm -f $@; ar rcs $@ $^
$(SAN_B)/tests/memattr-unit: $(patsubst %,$(SAN_B)/%.o,$(SAN_UNIT_SRCS)) $(SAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(SAN) -pthread -o $@ $^
$(SAN_B)/tests/harness-sample: $(SAN_B)/tests/harness/sample.c.o $(SAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(SAN) -pthread -o $@ $^
$(SAN_B)/bin/memattr-%: $$(call suite_objs_san,$$*) $(SAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(SAN) -pthread -o $@ $^
suite_objs_san = $(patsubst %,$(SAN_B)/%.o,$(wildcard suites/$(1)/*.c suites/$(1)/arch/$(HADIR)/*.c))

.PHONY: unit unit-host unit-native-kvm unit-deps
unit: unit-host unit-driver unit-native-kvm unit-deps guide-check

# runners/install-deps.sh on a faked non-Debian host and as a user that is not root
unit-deps:
	bash tests/deps/check.sh

unit-host: $(SAN_B)/tests/memattr-unit $(SAN_B)/tests/harness-sample
	$(SAN_B)/tests/memattr-unit
	bash tests/harness/check.sh $(SAN_B)/tests/harness-sample

# The suites under the sanitizers on this host's own /dev/kvm, if it has one that works.
unit-native-kvm: $(SAN_SUITES)
	@if $(SAN_B)/bin/memattr-cellinfo >/dev/null 2>&1 && [ -r /dev/kvm ] && [ -w /dev/kvm ]; then \
		for s in $(SUITES); do \
			echo "== native /dev/kvm, sanitizers: $$s"; \
			MEMATTR_ATOMIC_ITERATIONS=2000 $(SAN_B)/bin/memattr-$$s || exit 1; \
		done; \
	else echo "unit-native-kvm: this host has no usable /dev/kvm; the suites run in the lab cells instead"; fi
$(SAN_B)/bin/memattr-cellinfo: $(SAN_B)/runners/cellinfo.c.o $(SAN_B)/runners/hold_vm.c.o $(SAN_LIB)
	@mkdir -p $(@D)
	$(CC) $(SAN) -pthread -o $@ $^
unit-native-kvm: $(SAN_B)/bin/memattr-cellinfo
