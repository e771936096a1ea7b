# SPDX-License-Identifier: GPL-2.0
# memattr top-level Makefile.
#   make run     build, run the lab cells (and a native host cell where usable), write reports/
#   make check   the project's own tests: the house style (mk/style.mk), unit tests under
#                ASan/UBSan, the fuzz targets for a bounded time (mk/fuzz.mk), then the lab cells
#                arm64-max, x86_64-max and x86_64-max-private (CHECK_CELLS, mk/lab.mk)
#   make kselftest-install / kselftest-tar  memattr as a kselftest collection (mk/kselftest.mk)
#   make mutate  mutation testing: the suites against deliberately broken KVM builds (mk/mutate.mk)
# Per-architecture outputs go to build/<arch>/ (arch = x86_64 or aarch64).
# UAPI headers: UAPI_DIR=DIR (both architectures) or UAPI_DIR_x86_64= / UAPI_DIR_aarch64= build the host
# code against DIR (linux/kvm.h plus asm/ or <triplet>/asm/) instead of downloading linux-libc-dev
# (runners/fetch-uapi.sh; installed headers that have the whole KVM API used are taken too).

SHELL := /bin/bash
HOST_ARCH := $(shell uname -m)
ARCHES := x86_64 aarch64
BUILD := build

CROSS_aarch64 := $(if $(filter aarch64,$(HOST_ARCH)),,aarch64-linux-gnu-)
CROSS_x86_64 := $(if $(filter x86_64,$(HOST_ARCH)),,x86_64-linux-gnu-)
# directory names used under host/arch and guest/arch
ADIR_aarch64 := arm64
ADIR_x86_64 := x86_64

WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CSTD := -std=c11 -D_GNU_SOURCE

GUEST_CFLAGS_common := $(CSTD) $(WARN) -O2 -ffreestanding -fno-builtin -fno-stack-protector \
	-fno-pic -fno-pie -nostdlib -fno-asynchronous-unwind-tables -fno-common -Iguest/include
GUEST_CFLAGS_aarch64 := -mgeneral-regs-only -mstrict-align -march=armv8-a
GUEST_CFLAGS_x86_64 := -mno-red-zone -mno-sse -mno-mmx -mno-sse2 -mno-avx -mcmodel=small -m64
HOST_CFLAGS := $(CSTD) $(WARN) -O2 -g -Ihost/include -Iguest/include -Ihost -pthread

GUEST_COMMON_SRCS := $(wildcard guest/common/*.c)
HOST_COMMON_SRCS := $(wildcard host/*.c)
SUITES := $(notdir $(wildcard suites/*))

.PHONY: all build run check unit lab-check clean deps FORCE $(ARCHES)
FORCE:
all: build

deps:
	@bash runners/install-deps.sh

include mk/arch.mk
include mk/driver.mk
include mk/tests.mk
include mk/lab.mk
include mk/inject.mk
include mk/mutate.mk
include mk/guide.mk
include mk/fuzz.mk
include mk/style.mk
include mk/bench.mk
include mk/kselftest.mk
include mk/lava.mk

# The main job: `make run RUN_ARGS="--cells arm64-max --filter 'atomics.*'"` passes options on.
# PROFILE=qualify|soak: the run's profile (suite.conf, memattr-run --profile)
PROFILE ?=
run: deps build driver
	$(MEMATTR_RUN) $(if $(PROFILE),--profile $(PROFILE)) $(RUN_ARGS)

# The project's own tests (what .ci/run calls).
check: deps
	$(MAKE) style unit lava-unit
	$(MAKE) fuzz
	$(MAKE) build driver
	$(MAKE) lab-check
	$(MAKE) kselftest-check

clean:
	rm -rf $(BUILD)
