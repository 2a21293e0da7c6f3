# PV free-page hinting for live migration: build, test, report.
# Every target installs or builds what it needs; `make deps` is idempotent.

CC      ?= gcc
CFLAGS  ?= -O2 -g
# Messages and paths are formatted with snprintf into fixed buffers on
# purpose: truncation is the intended bound, so GCC's guess that it may
# happen is not an error here.
HCFLAGS := -std=c11 -Wall -Wextra -Werror -Wno-format-truncation -D_GNU_SOURCE $(CFLAGS)
# run.json's harness version: the commit, plus "+local" when the sources
# that shape a run (harness, guest programs, QEMU series, scripts) differ
# from it; results/, REPORT.md and plots/ do not count.
VERSION := $(shell v=$$(git rev-parse --short HEAD 2>/dev/null) || { echo unknown; exit; }; \
	git diff --quiet HEAD -- harness/src workloads impl scripts Makefile || v=$$v+local; echo $$v)
BUILD   := build
# harness/src is in folders by concern (README.md, "Layout"); a header is
# included by its name alone, so every folder is on the include path.
HDIRS   := harness/src $(patsubst %/,%,$(sort $(dir $(wildcard harness/src/*/*.h))))
HINC    := $(addprefix -I,$(HDIRS))
HHDR    := $(wildcard harness/src/*.h harness/src/*/*.h)
HSRC    := $(filter-out harness/src/cli/main.c,$(wildcard harness/src/*.c harness/src/*/*.c))
HOBJ    := $(HSRC:harness/src/%.c=$(BUILD)/harness/%.o)
HLIBS   := -ljansson -lpfm -lhwloc

.PHONY: all deps qemu qemu-stock guest harness test unit-test integration-test clean

all: harness

deps:
	@./scripts/deps.sh

# QEMU 10.0 from Debian trixie's source with impl/qemu's series; qemu-stock
# is the same source and configure without the series (the control).
qemu: deps
	@./scripts/build-qemu.sh

qemu-stock: deps
	@./scripts/build-qemu.sh stock

# One guest per kernel in build/kernel-versions (6.1, the default, and
# 6.12), each with our driver built against its headers:
# build/guest/<kver>/; scripts/build-guest.sh.
guest: deps
	@$(MAKE) -s -C workloads/memcheck OUT=$(CURDIR)/$(BUILD)/workloads
	@$(MAKE) -s -C workloads/service OUT=$(CURDIR)/$(BUILD)/workloads
	@./scripts/build-guest.sh

harness: $(BUILD)/pvmig

$(BUILD)/harness/%.o: harness/src/%.c $(HHDR)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(HCFLAGS) $(HINC) -DPVMIG_VERSION='"$(VERSION)"' -c -o $@ $<

# runinfo.o holds the version string: rebuild it whenever the string changes.
$(BUILD)/harness/version.stamp: FORCE
	@mkdir -p $(dir $@)
	@[ "$$(cat $@ 2>/dev/null)" = "$(VERSION)" ] || echo "$(VERSION)" > $@
$(BUILD)/harness/record/runinfo.o: $(BUILD)/harness/version.stamp
FORCE:

$(BUILD)/pvmig: $(HOBJ) $(BUILD)/harness/cli/main.o
	@echo "  LD      $@"
	@$(CC) $(HCFLAGS) -o $@ $^ $(HLIBS)

$(BUILD)/harness-tests: $(HOBJ) $(wildcard harness/tests/*.c) $(wildcard harness/tests/*.h)
	@echo "  LD      $@"
	@$(CC) $(HCFLAGS) $(HINC) -o $@ $(wildcard harness/tests/*.c) $(HOBJ) $(HLIBS)

unit-test: $(BUILD)/harness-tests
	@$(BUILD)/harness-tests

test: deps qemu qemu-stock guest harness $(BUILD)/harness-tests
	@./harness/tests/run-all.sh

# The device tests beside a host CPU hog (stress-ng --cpu 2, or HOG=N): a
# check that reads state after a fixed sleep instead of waiting for it
# fails here.  Latency budgets (fpb_hostile.py's TIMING) measure the hog,
# not the device, so they are printed and not judged (TIMING=1 judges them).
HOG ?= 2
TIMING ?= 0
.PHONY: test-device-hog
test-device-hog: deps qemu qemu-stock harness
	@PVMIG_TEST_HOG=$(HOG) TIMING=$(TIMING) \
	 PVMIG_TEST_SUITES="harness/tests/40-device.sh harness/tests/45-kvm-dirty.sh" \
	 ./harness/tests/run-all.sh

# ==== sanitizers and fuzzing (scripts/build-qemu.sh asan|fuzz) ===============
# Not built by make test: measured on 2 shared cores, qemu-asan 14 min and
# qemu-fuzz 12 min (10-12 min of CPU each), and 60 s of generic-fuzz does
# not yet reach the balloon's code.  harness/tests/46-fuzz.sh runs that
# short generic-fuzz only if qemu-fuzz is built, fpb_fuzz.py always.
.PHONY: qemu-asan qemu-fuzz sanitizer-run fuzz-long
qemu-asan: deps
	@./scripts/build-qemu.sh asan

qemu-fuzz: deps
	@./scripts/build-qemu.sh fuzz

# Components and one migration of every method on build/qemu-asan:
# results/sanitizers/<date>/summary.md.
sanitizer-run: qemu-asan qemu-stock guest harness
	@./scripts/sanitizer-run.sh

# An hour of generic-fuzz and half an hour of fpb_fuzz.py on the ASan build:
# results/fuzz/<date>/summary.txt.
fuzz-long: qemu-fuzz qemu-asan
	@./scripts/fuzz-long.sh
# ==== end of sanitizers and fuzzing ============================================

# TCG's translation of the guest's full barrier with one vCPU and with two:
# results/tcg-barrier/<date>/summary.txt.
.PHONY: tcg-barrier-probe
tcg-barrier-probe: qemu
	@./scripts/tcg-barrier-probe.sh

# The host's cost of faulting in fresh huge pages, right after freeing them
# and after the host's free memory had time to be reported to a hypervisor:
# results/host-zeroing/<date>/summary.txt.
.PHONY: host-zeroing-probe
host-zeroing-probe:
	@./scripts/host-zeroing-probe.sh

clean:
	rm -rf $(BUILD)/harness $(BUILD)/pvmig $(BUILD)/harness-tests

# ==== report and plots: report/ (generator, tests) and plots/ ===============
# REPORT.md and every plot are regenerated from results/ and nothing else.
# `make plots`: build/report-gen writes plots/data/*.dat plus the gnuplot
# driver plots/data/plots.gp, which calls plots/{bars,breakdown,remaining,throughput}.gp
# once per image (PNG and SVG in plots/).  `make report`: REPORT.md,
# APPENDIX.md and the verdict block of README.md.
REPORT_GEN    := $(BUILD)/report-gen
# The method table is the harness's: its order, and which methods hint.
REPORT_SRC    := $(wildcard report/*.c) harness/src/methods/methods.c
REPORT_HDR    := $(wildcard report/*.h) harness/src/methods/methods.h
REPORT_LIBSRC := $(filter-out report/main.c,$(REPORT_SRC))
REPORT_CFLAGS := -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE $(CFLAGS)

.PHONY: plots report report-test

$(REPORT_GEN): $(REPORT_SRC) $(REPORT_HDR)
	@mkdir -p $(BUILD)
	@echo "  LD      $@"
	@$(CC) $(REPORT_CFLAGS) -o $@ $(REPORT_SRC) -ljansson -lm

$(BUILD)/report-unit-tests: report/tests/test_units.c $(REPORT_LIBSRC) $(REPORT_HDR)
	@mkdir -p $(BUILD)
	@echo "  LD      $@"
	@$(CC) $(REPORT_CFLAGS) -Ireport -o $@ report/tests/test_units.c $(REPORT_LIBSRC) -ljansson -lm

# The generator checks all input before writing; old images go only after
# it succeeded, so a bad results/ leaves the previous plots in place.
plots: $(REPORT_GEN)
	@$(REPORT_GEN) plots --results results --data-dir plots/data --image-dir plots --script-dir plots
	@rm -f plots/*.png plots/*.svg
	@echo "  GNUPLOT plots/data/plots.gp"
	@gnuplot plots/data/plots.gp

# One invocation writes REPORT.md, APPENDIX.md and README.md's verdict block,
# all or none, so README.md never shows another verdict than REPORT.md.
report: plots
	@$(REPORT_GEN) report --results results --out REPORT.md --appendix APPENDIX.md \
		--readme README.md --image-prefix plots/
	@echo "  GEN     REPORT.md APPENDIX.md README.md (verdict, methods)"

report-test: $(REPORT_GEN) $(BUILD)/report-unit-tests
	@./report/tests/run.sh
# ==== end of report and plots ================================================
