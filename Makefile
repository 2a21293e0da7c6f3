# PV free-page hinting for live migration: build, test, report.
# Every target installs or builds what it needs; `make deps` is idempotent.

CC      ?= gcc
CFLAGS  ?= -O2 -g
# Messages and paths are formatted with snprintf into fixed buffers on
# purpose: truncation is the intended bound, so GCC's guess that it may
# happen is not an error here.
HCFLAGS := -std=c11 -Wall -Wextra -Werror -Wno-format-truncation -D_GNU_SOURCE $(CFLAGS)
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
BUILD   := build
HSRC    := $(filter-out harness/src/main.c,$(wildcard harness/src/*.c))
HOBJ    := $(HSRC:harness/src/%.c=$(BUILD)/harness/%.o)
HLIBS   := -ljansson
KVER     = $(shell cat $(BUILD)/kernel-version)

.PHONY: all deps qemu guest harness test unit-test integration-test clean

all: harness

deps:
	@./scripts/deps.sh

qemu: deps
	@./scripts/build-qemu.sh

guest: deps
	@$(MAKE) -s -C impl/guest KVER=$(KVER)
	@$(MAKE) -s -C workloads/memcheck OUT=$(CURDIR)/$(BUILD)/workloads
	@./scripts/build-guest.sh

harness: $(BUILD)/pvmig

$(BUILD)/harness/%.o: harness/src/%.c $(wildcard harness/src/*.h)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(HCFLAGS) -DPVMIG_VERSION='"$(VERSION)"' -c -o $@ $<

$(BUILD)/pvmig: $(HOBJ) $(BUILD)/harness/main.o
	@echo "  LD      $@"
	@$(CC) $(HCFLAGS) -o $@ $^ $(HLIBS)

$(BUILD)/harness-tests: $(HOBJ) $(wildcard harness/tests/*.c) $(wildcard harness/tests/*.h)
	@echo "  LD      $@"
	@$(CC) $(HCFLAGS) -Iharness/src -o $@ $(wildcard harness/tests/*.c) $(HOBJ) $(HLIBS)

unit-test: $(BUILD)/harness-tests
	@$(BUILD)/harness-tests

test: deps qemu guest harness $(BUILD)/harness-tests
	@./harness/tests/run-all.sh

clean:
	rm -rf $(BUILD)/harness $(BUILD)/pvmig $(BUILD)/harness-tests
