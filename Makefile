# SPDX-License-Identifier: GPL-2.0-or-later
#
# qemu-realm top-level driver.  See README.rst.
#
#   make            set up, then build qemu-system-aarch64
#   make demo       build, then boot the demo guest
#   make check      build, then run every test (checkpatch, cross-arm64,
#                   unit, qtest, functional, docs, export,
#                   sanitizers, fuzz)
#   make export     write the quilt series for Debian's qemu source
#                   package to build/export-series
#   make bench      build, then print Realm-against-plain figures
#   make fuzz       build with ASan/UBSan, then run each fuzz target
#                   (FUZZ_RUNS inputs each)
#
# Set-up (Debian packages, the pinned upstream source, the patch series and
# the project's files) happens as part of each of these.

-include config.mak

BUILD ?= build
UPSTREAM ?=
QEMU_CONFIGURE_EXTRA ?=
V ?=

TOP := $(CURDIR)
SRC := $(BUILD)/src
OBJ := $(BUILD)/qemu
QEMU := $(OBJ)/qemu-system-aarch64

# gnutls signs the Realm attestation token (ECDSA P-384) under TCG; see
# hw/arm/realm-attest-key.c.
# Debian's python3 sees the system meson and pycotap; a pyenv or other
# interpreter first in PATH would not.
PYTHON ?= /usr/bin/python3

# Firmware and option ROMs come from Debian's packages, as for Debian's
# qemu: its FIRMWAREPATH (debian/rules), then /usr/lib/ipxe/qemu, where
# bookworm's ipxe-qemu installs efi-virtio.rom, the ROM of virt's default
# NIC (the +ds source has no ROMs).  Newer ipxe-qemu installs into
# /usr/share/qemu, which comes first.
FIRMWAREPATH ?= /usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu

QEMU_CONFIGURE_FLAGS := \
	--target-list=aarch64-softmmu \
	--without-default-devices \
	--with-devices-aarch64=realm \
	--without-default-features \
	--enable-tcg --enable-fdt=system --enable-slirp --enable-pixman \
	--enable-gnutls \
	--disable-tools --disable-docs --disable-plugins --disable-rust \
	--disable-debug-info --enable-werror --disable-install-blobs \
	--firmwarepath=$(FIRMWAREPATH) \
	--python=$(PYTHON) \
	$(QEMU_CONFIGURE_EXTRA)

# ccache: share hits between checkouts at different paths.  QEMU's
# configure takes the compiler, wrapper included, from CC.
HOST_CC ?= cc
QEMU_CC := $(if $(shell command -v ccache),ccache )$(HOST_CC)
export CCACHE_BASEDIR := $(TOP)
export CCACHE_NOHASHDIR := true
export CCACHE_COMPRESS := true
# decodetree.py's output order depends on Python's string hashing; a fixed
# seed makes the generated decoders, and so ccache hits, reproducible.
export PYTHONHASHSEED := 0

NINJA := ninja $(if $(V),-v)

# The project's qtests and unit tests: only these are built, not QEMU's
# whole suite.
QTESTS := $(patsubst %.c,%,$(wildcard tests/qtest/*-test.c))
UNIT_TESTS := $(patsubst %.c,%,$(wildcard tests/unit/test-*.c))

# The ASan/UBSan and libFuzzer build (build-aux/sanitizer-build), and how
# many inputs make fuzz and make check give each fuzz target
SAN_OBJ := $(BUILD)/sanitizers
FUZZ_RUNS ?= 100000
FUZZ_SMOKE_RUNS ?= 10000

.PHONY: all deps prepare build demo bench check check-checkpatch \
	check-qtest check-functional check-unit check-cross-arm64 \
	check-docs check-export export sanitizers check-sanitizers \
	check-fuzz fuzz clean distclean help FORCE

all: build

help:
	@sed -n '3,16s/^# \{0,1\}//p' Makefile

$(BUILD)/.deps-stamp: build-aux/install-deps
	@mkdir -p $(BUILD)
	build-aux/install-deps
	@touch $@

deps: $(BUILD)/.deps-stamp

$(BUILD)/.source-stamp: build-aux/upstream.sha256 | $(BUILD)/.deps-stamp
	build-aux/fetch-upstream $(BUILD) $(UPSTREAM)
	@rm -f $(BUILD)/patches.stamp $(BUILD)/overlay-files.txt
	@touch $@

# Runs every time; both steps are no-ops when nothing changed.
prepare: $(BUILD)/.source-stamp
	@build-aux/apply-patches $(BUILD)
	@build-aux/sync-overlay $(BUILD)

$(BUILD)/.configure-flags: FORCE
	@mkdir -p $(BUILD)
	@echo 'CC=$(QEMU_CC) $(QEMU_CONFIGURE_FLAGS)' | cmp -s - $@ || \
		echo 'CC=$(QEMU_CC) $(QEMU_CONFIGURE_FLAGS)' >$@

$(OBJ)/build.ninja: $(BUILD)/.configure-flags | prepare
	@rm -rf $(OBJ) && mkdir -p $(OBJ)
	cd $(OBJ) && CC="$(QEMU_CC)" $(TOP)/$(SRC)/configure $(QEMU_CONFIGURE_FLAGS) >configure.log 2>&1 || \
		{ tail -n 30 configure.log; exit 1; }

# Run from a build tree, QEMU looks for firmware under
# qemu-bundle/<each firmware path entry>: link those to the host's
# directories, as an installed QEMU would find them.
define link-firmware
	@for d in $(subst :, ,$(FIRMWAREPATH)); do \
		if [ -d "$$d" ] && [ ! -e "$(1)/qemu-bundle$$d" ]; then \
			mkdir -p "$$(dirname "$(1)/qemu-bundle$$d")" && \
			ln -s "$$d" "$(1)/qemu-bundle$$d" || exit 1; \
		fi; \
	done
endef

build: prepare $(OBJ)/build.ninja vfio-user-server
	@# Regenerate first: targets added by a meson.build change are unknown
	@# to the old build.ninja.
	@$(NINJA) -C $(OBJ) build.ninja >/dev/null
	$(NINJA) -C $(OBJ) qemu-system-aarch64 $(QTESTS) $(UNIT_TESTS)
	$(call link-firmware,$(OBJ))

# The vfio-user test server, against libvfio-user from the upstream source
.PHONY: vfio-user-server
vfio-user-server: prepare
	@build-aux/build-vfio-user $(BUILD)

demo: build
	@assets=$$(build-aux/fetch-assets $(BUILD)) && \
		$(PYTHON) scripts/realm-demo.py --qemu $(QEMU) --assets $$assets

bench: build
	@assets=$$(build-aux/fetch-assets $(BUILD)) && \
		$(PYTHON) scripts/realm-bench.py --qemu $(QEMU) --assets $$assets

check: build sanitizers
	FUZZ_SMOKE_RUNS=$(FUZZ_SMOKE_RUNS) build-aux/run-tests --build $(BUILD)

check-checkpatch: prepare
	build-aux/run-tests --build $(BUILD) --only checkpatch

check-unit: build
	build-aux/run-tests --build $(BUILD) --only unit

# The KVM code, cross-compiled for an arm64 host (build/cross-arm64)
check-cross-arm64: prepare
	build-aux/run-tests --build $(BUILD) --only cross-arm64

check-qtest: build
	build-aux/run-tests --build $(BUILD) --only qtest

check-functional: build
	build-aux/run-tests --build $(BUILD) --only functional

# The project's documentation pages, with QEMU's Sphinx setup
check-docs: prepare
	build-aux/run-tests --build $(BUILD) --only docs

# The exported series: applies to Debian's package, same tree, builds
check-export: build
	build-aux/run-tests --build $(BUILD) --only export

export: prepare
	build-aux/export-series $(BUILD)/export-series

# QEMU built by clang with ASan and UBSan, plus qemu-fuzz-aarch64
sanitizers: prepare
	build-aux/sanitizer-build $(BUILD) $(QEMU_CONFIGURE_FLAGS)
	$(call link-firmware,$(SAN_OBJ))

# Unit tests, qtests and a Realm boot against the sanitizer build
check-sanitizers: sanitizers
	build-aux/run-tests --build $(BUILD) --only sanitizers

# The fuzz targets' smoke run of make check
check-fuzz: sanitizers
	FUZZ_SMOKE_RUNS=$(FUZZ_SMOKE_RUNS) build-aux/run-tests --build $(BUILD) \
		--only fuzz

fuzz: sanitizers
	build-aux/run-fuzz --build $(BUILD) --runs $(FUZZ_RUNS) --known-bugs

clean:
	rm -rf $(OBJ) $(SAN_OBJ)

distclean:
	rm -rf $(BUILD) config.mak

FORCE:
