# SPDX-License-Identifier: GPL-2.0
# Per-architecture build: guest image, host library, suite programs.  Included by the Makefile.
# $(call arch_rules,ARCH) instantiates the rules for build/ARCH/.

# objects of suite $(2) for arch $(1)
suite_objs = $(patsubst %,$(BUILD)/$(1)/%.o,$(wildcard suites/$(2)/*.c suites/$(2)/arch/$(ADIR_$(1))/*.c))

define arch_rules
$(1)_CC := $$(CROSS_$(1))gcc
$(1)_OBJCOPY := $$(CROSS_$(1))objcopy
$(1)_AR := $$(CROSS_$(1))ar
$(1)_B := $(BUILD)/$(1)
$(1)_UAPI := $(BUILD)/$(1)/uapi/SOURCE
$(1)_GUEST_SRCS := $$(GUEST_COMMON_SRCS) $$(wildcard guest/arch/$$(ADIR_$(1))/*.c guest/arch/$$(ADIR_$(1))/*.S)
$(1)_GUEST_OBJS := $$(patsubst %,$$($(1)_B)/%.o,$$($(1)_GUEST_SRCS))
$(1)_HOST_SRCS := $$(HOST_COMMON_SRCS) $$(wildcard host/arch/$$(ADIR_$(1))/*.c host/arch/$$(ADIR_$(1))/*.S)
$(1)_HOST_OBJS := $$(patsubst %,$$($(1)_B)/%.o,$$($(1)_HOST_SRCS))
$(1)_LIB := $$($(1)_B)/libmemattr.a
$(1)_PROGS := $$(patsubst %,$$($(1)_B)/bin/memattr-%,$$(SUITES)) $$($(1)_B)/bin/memattr-cellinfo
$(1)_HOST_CFLAGS := $$(HOST_CFLAGS) -isystem $(BUILD)/$(1)/uapi/include

# UAPI headers (runners/fetch-uapi.sh): UAPI_DIR_$(1) or UAPI_DIR, the installed ones if new enough, or
# a download; checked on every make, SOURCE changes only with the choice
$$($(1)_UAPI): FORCE
	@MEMATTR_UAPI_DIR='$$(or $$(UAPI_DIR_$(1)),$$(UAPI_DIR))' bash runners/fetch-uapi.sh $(1) $(BUILD)/$(1)/uapi

$$($(1)_B)/guest/%.c.o: guest/%.c $$(wildcard guest/include/memattr/*.h guest/arch/$$(ADIR_$(1))/*.h) | $$($(1)_UAPI)
	@mkdir -p $$(@D)
	$$($(1)_CC) $$(GUEST_CFLAGS_common) $$(GUEST_CFLAGS_$(1)) -c $$< -o $$@
$$($(1)_B)/guest/%.S.o: guest/%.S $$(wildcard guest/include/memattr/*.h)
	@mkdir -p $$(@D)
	$$($(1)_CC) $$(GUEST_CFLAGS_common) $$(GUEST_CFLAGS_$(1)) -D__ASSEMBLY__ -c $$< -o $$@
$$($(1)_B)/guest.elf: $$($(1)_GUEST_OBJS) guest/arch/$$(ADIR_$(1))/guest.lds
	$$($(1)_CC) $$(GUEST_CFLAGS_common) $$(GUEST_CFLAGS_$(1)) -static -Wl,--build-id=none \
		-T guest/arch/$$(ADIR_$(1))/guest.lds -o $$@ $$($(1)_GUEST_OBJS) -lgcc
$$($(1)_B)/guest.bin: $$($(1)_B)/guest.elf
	$$($(1)_OBJCOPY) -O binary $$< $$@
	@test $$$$(stat -c %s $$@) -le 1048576 || { echo "guest image over 1 MiB" >&2; rm -f $$@; exit 1; }

$$($(1)_B)/host/%.c.o: host/%.c $$(wildcard host/include/memattr/*.h host/*.h host/arch/$$(ADIR_$(1))/*.h guest/include/memattr/*.h) $$($(1)_UAPI)
	@mkdir -p $$(@D)
	$$($(1)_CC) $$($(1)_HOST_CFLAGS) -c $$< -o $$@
$$($(1)_B)/host/%.S.o: host/%.S $$($(1)_B)/guest.bin
	@mkdir -p $$(@D)
	$$($(1)_CC) -DMA_GUEST_IMAGE='"$$($(1)_B)/guest.bin"' -c $$< -o $$@
$$($(1)_LIB): $$($(1)_HOST_OBJS)
	rm -f $$@; $$($(1)_AR) rcs $$@ $$^

$$($(1)_B)/suites/%.c.o: suites/%.c $$(wildcard host/include/memattr/*.h guest/include/memattr/*.h suites/*/*.h) $$($(1)_UAPI)
	@mkdir -p $$(@D)
	$$($(1)_CC) $$($(1)_HOST_CFLAGS) -c $$< -o $$@
$$($(1)_B)/bin/memattr-%: $$$$(call suite_objs,$(1),$$$$*) $$($(1)_LIB)
	@mkdir -p $$(@D)
	$$($(1)_CC) -static -pthread -o $$@ $$(filter %.o,$$^) $$($(1)_LIB)
$$($(1)_B)/bin/memattr-cellinfo: $$($(1)_B)/runners/cellinfo.c.o $$($(1)_B)/runners/hold_vm.c.o $$($(1)_LIB)
	@mkdir -p $$(@D)
	$$($(1)_CC) -static -pthread -o $$@ $$^
$$($(1)_B)/runners/%.c.o: runners/%.c $$(wildcard host/include/memattr/*.h runners/*.h) $$($(1)_UAPI)
	@mkdir -p $$(@D)
	$$($(1)_CC) $$($(1)_HOST_CFLAGS) -c $$< -o $$@

$(1): $$($(1)_PROGS)
endef

.SECONDEXPANSION:
$(foreach a,$(ARCHES),$(eval $(call arch_rules,$(a))))

build: $(ARCHES)
