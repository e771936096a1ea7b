# SPDX-License-Identifier: GPL-2.0
# mk/fuzz.mk: libFuzzer targets for the parsers that read user input (tests/fuzz/<name>_fuzz.c),
# built with clang, ASan and UBSan into build/fuzz/.  Included by the top Makefile.
#
#   make fuzz                       every target for FUZZ_SECONDS (20) each; a crash, leak, hang
#                                   (FUZZ_TIMEOUT, 10 s per input) or out-of-memory is a failure and
#                                   its reproducer stays in build/fuzz/artifacts/<name>/
#   make fuzz FUZZ_TARGETS=tap FUZZ_SECONDS=60
#   make fuzz-build                 only build them
#
# Seeds are tests/fuzz/corpus/<name>/ (read only); what a run adds goes to build/fuzz/corpus/<name>/
# and is reused by the next run.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 20
FUZZ_TIMEOUT ?= 10
FUZZ_B := $(BUILD)/fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := $(CSTD) $(WARN) -O1 -g -pthread -Ihost/include -I$(DRIVER_DIR) $(FUZZ_SAN) \
	-fsanitize=fuzzer-no-link
FUZZ_TARGETS ?= $(patsubst tests/fuzz/%_fuzz.c,%,$(wildcard tests/fuzz/*_fuzz.c))
FUZZ_BINS := $(patsubst %,$(FUZZ_B)/%_fuzz,$(FUZZ_TARGETS))

# the driver without main.c, and main.c with main() renamed for the command-line target
FUZZ_DRIVER_OBJS := $(patsubst $(DRIVER_DIR)/%.c,$(FUZZ_B)/obj/driver/%.o,\
	$(filter-out %/main.c,$(DRIVER_SRCS))) $(FUZZ_B)/obj/pfnmap_spec.o

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@bash tests/fuzz/run.sh $(FUZZ_B) $(FUZZ_SECONDS) $(FUZZ_TIMEOUT) $(FUZZ_TARGETS)

$(FUZZ_B)/obj/driver/%.o: $(DRIVER_DIR)/%.c $(DRIVER_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@
$(FUZZ_B)/obj/pfnmap_spec.o: host/pfnmap_spec.c host/include/memattr/pfnmap.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@
$(FUZZ_B)/obj/driver_main.o: $(DRIVER_DIR)/main.c $(DRIVER_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Dmain=memattr_run_main -Wno-missing-prototypes -c $< -o $@
$(FUZZ_B)/obj/%_fuzz.o: tests/fuzz/%_fuzz.c $(DRIVER_HDRS) host/include/memattr/pfnmap.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -DFUZZ_ROOT='"$(CURDIR)"' -c $< -o $@

$(FUZZ_B)/cmdline_fuzz: $(FUZZ_B)/obj/driver_main.o
$(FUZZ_B)/%_fuzz: $(FUZZ_B)/obj/%_fuzz.o $(FUZZ_DRIVER_OBJS)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -pthread -o $@ $^ $(DRIVER_LIBS)
