# SPDX-License-Identifier: GPL-2.0
# mk/driver.mk: the run driver memattr-run (host-native C11) and its unit tests. Included by the
# top Makefile, which defines BUILD, WARN and CSTD.
#
#   make driver        build/host/memattr-run
#   make unit-driver   build the driver and tests/driver/test_*.c with ASan+UBSan into build/san/
#                      and run every test (each prints TAP and exits 0/1); fails if any fails.
#
# Sources are picked up by wildcard: runners/driver/*.c (main.c only goes into the program),
# tests/driver/test_*.c (one test program each), tests/driver/*.c not named test_* (shared test code).

DRIVER_DIR := runners/driver
DRIVER_CC ?= gcc
# The driver also links host/pfnmap_spec.c (libc only) to check pfnmap specs when it reads them.
DRIVER_SRCS := $(wildcard $(DRIVER_DIR)/*.c)
DRIVER_HDRS := $(wildcard $(DRIVER_DIR)/*.h)
DRIVER_CFLAGS := $(CSTD) $(WARN) -O2 -g -pthread -Ihost/include
DRIVER_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
DRIVER_SAN_CFLAGS := $(CSTD) $(WARN) -O1 -g -pthread -Ihost/include $(DRIVER_SAN)
# jansson reads results.json back (compare, merge, KCIDB, HTML, --report-from)
DRIVER_LIBS := -ljansson

DRIVER_OBJS := $(patsubst $(DRIVER_DIR)/%.c,$(BUILD)/host/driver/%.o,$(DRIVER_SRCS)) \
	$(BUILD)/host/driver/shared/pfnmap_spec.o
DRIVER_SAN_OBJS := $(patsubst $(DRIVER_DIR)/%.c,$(BUILD)/san/driver/%.o,$(DRIVER_SRCS)) \
	$(BUILD)/san/driver/shared/pfnmap_spec.o
DRIVER_SAN_LIB := $(filter-out %/main.o,$(DRIVER_SAN_OBJS))

DRIVER_TEST_ALL := $(wildcard tests/driver/*.c)
DRIVER_TEST_MAINS := $(filter tests/driver/test_%.c,$(DRIVER_TEST_ALL))
DRIVER_TEST_SUPPORT := $(patsubst tests/driver/%.c,$(BUILD)/san/tests/driver/%.o,\
	$(filter-out $(DRIVER_TEST_MAINS),$(DRIVER_TEST_ALL)))
DRIVER_TEST_HDRS := $(wildcard tests/driver/*.h)
DRIVER_TESTS := $(patsubst tests/driver/%.c,$(BUILD)/san/tests/driver/%,$(DRIVER_TEST_MAINS))

.PHONY: driver unit-driver

driver: $(BUILD)/host/memattr-run

$(BUILD)/host/driver/%.o: $(DRIVER_DIR)/%.c $(DRIVER_HDRS)
	@mkdir -p $(@D)
	$(DRIVER_CC) $(DRIVER_CFLAGS) -c $< -o $@

$(BUILD)/host/driver/shared/%.o: host/%.c host/include/memattr/pfnmap.h
	@mkdir -p $(@D)
	$(DRIVER_CC) $(DRIVER_CFLAGS) -c $< -o $@

$(BUILD)/san/driver/shared/%.o: host/%.c host/include/memattr/pfnmap.h
	@mkdir -p $(@D)
	$(DRIVER_CC) $(DRIVER_SAN_CFLAGS) -c $< -o $@

$(BUILD)/host/memattr-run: $(DRIVER_OBJS)
	@mkdir -p $(@D)
	$(DRIVER_CC) $(DRIVER_CFLAGS) -o $@ $^ $(DRIVER_LIBS)

$(BUILD)/san/driver/%.o: $(DRIVER_DIR)/%.c $(DRIVER_HDRS)
	@mkdir -p $(@D)
	$(DRIVER_CC) $(DRIVER_SAN_CFLAGS) -c $< -o $@

$(BUILD)/san/memattr-run: $(DRIVER_SAN_OBJS)
	@mkdir -p $(@D)
	$(DRIVER_CC) $(DRIVER_SAN_CFLAGS) -o $@ $^ $(DRIVER_LIBS)

$(BUILD)/san/tests/driver/%.o: tests/driver/%.c $(DRIVER_HDRS) $(DRIVER_TEST_HDRS)
	@mkdir -p $(@D)
	$(DRIVER_CC) $(DRIVER_SAN_CFLAGS) -I$(DRIVER_DIR) -Itests/driver -c $< -o $@

$(BUILD)/san/tests/driver/test_%: $(BUILD)/san/tests/driver/test_%.o $(DRIVER_TEST_SUPPORT) $(DRIVER_SAN_LIB)
	$(DRIVER_CC) $(DRIVER_SAN_CFLAGS) -o $@ $^ $(DRIVER_LIBS)

# The tests find their data, a scratch directory and the sanitized driver through the environment.
unit-driver: $(DRIVER_TESTS) $(BUILD)/san/memattr-run
	@mkdir -p $(BUILD)/san/tmp
	@fail=0; for t in $(DRIVER_TESTS); do \
		echo "# $$t"; \
		MEMATTR_TEST_DATA=$(CURDIR)/tests/driver/data MEMATTR_TEST_TMP=$(CURDIR)/$(BUILD)/san/tmp \
		MEMATTR_TEST_RUN=$(CURDIR)/$(BUILD)/san/memattr-run MEMATTR_TEST_SRC=$(CURDIR) \
		UBSAN_OPTIONS=print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		$$t || { echo "# FAILED: $$t"; fail=1; }; \
	done; \
	if [ $$fail = 0 ]; then echo "# unit-driver: all passed"; else echo "# unit-driver: FAILED"; fi; \
	exit $$fail

.PRECIOUS: $(BUILD)/san/tests/driver/%.o
