# bpfdump — see README.md. Output goes to build/.
.DELETE_ON_ERROR:
.SUFFIXES:

VERSION     := 0.1.0
PREFIX      ?= /usr/local
BUILD       ?= build
CC          ?= gcc
CLANG       ?= clang
BPFTOOL     ?= bpftool
SAN         ?=

# V=1 prints each command; by default one line per file, as the kernel and libbpf do.
ifeq ($(V),1)
Q   :=
msg :=
else
Q   := @
msg = @printf '  %-7s %s\n' '$(1)' '$(2)';
endif

# The BPF target architecture (bpf_tracing.h's PT_REGS_* for kprobes and uprobes) is
# the build machine's, spelled as the kernel's arch/ directories are.
ARCH        ?= $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/i.86/x86/' -e 's/aarch64/arm64/' \
		 -e 's/ppc64le/powerpc/' -e 's/riscv64/riscv/' -e 's/s390x/s390/' \
		 -e 's/loongarch64/loongarch/' -e 's/mips.*/mips/')
BPF_CFLAGS  := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH)
# Each object's header dependencies, written by the compiler beside it (included at the end)
DEPFLAGS     = -MMD -MP -MF $(basename $@).d -MT $@

CFLAGS_BASE := -g -O2 -std=gnu11 -Wall -Wextra -Wformat=2 -Werror=undef -Wno-unused-parameter \
	       -Wno-missing-field-initializers -fvisibility=hidden -fPIC -D_GNU_SOURCE \
	       -DBPFDUMP_VERSION='"$(VERSION)"'
ifneq ($(WERROR),)
CFLAGS_BASE += -Werror
endif
ifneq ($(SAN),)
CFLAGS_BASE += -fsanitize=address,undefined -fno-omit-frame-pointer
LDFLAGS     += -fsanitize=address,undefined
BUILD       := build-asan
endif
CFLAGS      ?=
ALL_CFLAGS  := $(CFLAGS_BASE) -Iinclude -Isrc/lib -Isrc/bpf -I$(BUILD)/bpf -I$(BUILD) $(CFLAGS)
FUSE_CFLAGS := $(shell pkg-config --cflags fuse3 2>/dev/null)
FUSE_LIBS   := $(shell pkg-config --libs fuse3 2>/dev/null || echo -lfuse3 -lpthread)
ALL_CFLAGS  += $(FUSE_CFLAGS)
# bpfdump sql: SQLite's virtual tables (src/lib/sql.c)
SQLITE_CFLAGS := $(shell pkg-config --cflags sqlite3 2>/dev/null)
SQLITE_LIBS := $(shell pkg-config --libs sqlite3 2>/dev/null || echo -lsqlite3)
ALL_CFLAGS  += $(SQLITE_CFLAGS)
FUSE_LIBS   += $(SQLITE_LIBS)
LIBS        := -lbpf -lelf -lz $(FUSE_LIBS)
# The command links libbpf (and its libelf) statically where their archives are
# installed, as bpftool does: a command's start is then one library fewer to map
# and relocate (bench/README.md, "Measurements behind design choices"). The shared
# library does not.
HAVE_STATIC_BPF := $(shell for a in libbpf.a libelf.a; do f=$$($(CC) -print-file-name=$$a); \
	[ -f "$$f" ] || exit 0; done; echo yes)
STATIC_BPF_LIBS := -Wl,-Bstatic -lbpf -lelf -Wl,-Bdynamic -lz $(FUSE_LIBS)
# bpfdump serve: libmicrohttpd's HTTP server, opened by dlopen when serve starts
# (src/cli/mhd.h says why), by the soname of the library found here
MHD_CFLAGS  := $(shell pkg-config --cflags libmicrohttpd 2>/dev/null)
MHD_SONAME  := $(shell readelf -d $$($(CC) -print-file-name=libmicrohttpd.so) 2>/dev/null | \
	sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
ALL_CFLAGS  += $(MHD_CFLAGS) $(if $(MHD_SONAME),-DMHD_SONAME='"$(MHD_SONAME)"')
CLI_LIBS    := $(if $(HAVE_STATIC_BPF),$(STATIC_BPF_LIBS),$(LIBS))

BPF_SRCS    := $(wildcard src/bpf/*.bpf.c)
BPF_SKELS   := $(patsubst src/bpf/%.bpf.c,$(BUILD)/bpf/%.skel.h,$(BPF_SRCS)) \
	       $(BUILD)/bpf/snapshot_host.skel.h $(BUILD)/host_kernel.h $(BUILD)/bpf/snapshot_hash.h \
	       $(BUILD)/bpf/snapshot_direct.skel.h
LIB_SRCS    := $(wildcard src/lib/*.c)
CLI_SRCS    := $(wildcard src/cli/*.c)
LIB_OBJS    := $(patsubst src/%.c,$(BUILD)/%.o,$(LIB_SRCS))
CLI_OBJS    := $(patsubst src/%.c,$(BUILD)/%.o,$(CLI_SRCS))
UNIT_SRCS   := $(wildcard tests/unit/*_test.c)
UNIT_BINS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(patsubst tests/helpers/%.c,$(BUILD)/tests/%,$(HELPER_SRCS))

.PHONY: FORCE all deps run run-built check check-built check-kernels check-kernels-built check-unit check-integration check-asan asan-bins fuzz fuzz-smoke clean bench
all: $(BUILD)/bpfdump $(BUILD)/libbpfdump.a

deps:
	@scripts/install-deps.sh

# The generated headers come first (order-only); which ones an object includes, and
# which of ours, its .d file says.
$(BUILD)/%.o: src/%.c | $(BPF_SKELS) $(BUILD)/lib $(BUILD)/cli
	$(call msg,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/lib $(BUILD)/cli $(BUILD)/tests $(BUILD)/fuzz $(BUILD)/bpf:
	@mkdir -p $@

$(BUILD)/libbpfdump.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/bpfdump: $(CLI_OBJS) $(BUILD)/libbpfdump.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(BUILD)/libbpfdump.a $(CLI_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libbpfdump.a | $(BUILD)/tests
	$(call msg,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -Itests/unit -o $@ $< $(BUILD)/libbpfdump.a $(LIBS) \
		$(LDFLAGS)

# links the library: it interposes syscall() under libbpf to inject bpf() faults
$(BUILD)/tests/fault_inject: tests/helpers/fault_inject.c $(BUILD)/libbpfdump.a | $(BUILD)/tests
	$(call msg,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -o $@ $< $(BUILD)/libbpfdump.a $(LIBS) -ldl $(LDFLAGS)

# examples/*.c: the README's library examples, built against the library as a user would
EXAMPLE_SRCS := $(wildcard examples/*.c)
EXAMPLE_BINS := $(patsubst examples/%.c,$(BUILD)/examples/%,$(EXAMPLE_SRCS))
$(BUILD)/examples/%: examples/%.c $(BUILD)/libbpfdump.a
	@mkdir -p $(BUILD)/examples
	$(call msg,CC,$<)
	$(Q)$(CC) $(CFLAGS_BASE) $(DEPFLAGS) -Iinclude -o $@ $< $(BUILD)/libbpfdump.a $(LIBS) \
		$(LDFLAGS)

# the kept snapshot program's .bss, as the skeleton lays it out
$(BUILD)/tests/snap_leftover: $(BUILD)/bpf/snapshot.skel.h

$(BUILD)/tests/%: tests/helpers/%.c | $(BUILD)/tests
	$(call msg,CC,$<)
	$(Q)$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -o $@ $< -lbpf -lpthread $(LDFLAGS)

# Real BPF objects used by tests (a user's own iterator program, the floor).
TEST_BPF_SRCS := $(wildcard tests/bpf/*.bpf.c)
TEST_BPF_OBJS := $(patsubst tests/bpf/%.bpf.c,$(BUILD)/tests/%.bpf.o,$(TEST_BPF_SRCS))

# The kernel BTF vmlinux.h is made from: the running kernel's, or another's
# (VMLINUX_BTF=FILE, e.g. a copy of a 6.1 machine's /sys/kernel/btf/vmlinux). What it
# lacks of what src/bpf needs, src/bpf/kernel_compat.h declares (vmlinux_features.h).
# VMLINUX_NOTES: that kernel's /sys/kernel/notes (its build id); without them no
# host variant of the snapshot program is made (the library uses CO-RE on any kernel).
VMLINUX_BTF   ?= /sys/kernel/btf/vmlinux
VMLINUX_NOTES ?= $(if $(filter /sys/kernel/btf/vmlinux,$(VMLINUX_BTF)),/sys/kernel/notes)

# which kernel's BTF and notes $(BUILD) is made from: another one makes vmlinux.h again
$(BUILD)/vmlinux.src: FORCE | $(BUILD)/lib
	@printf '%s\n' '$(VMLINUX_BTF)' '$(VMLINUX_NOTES)' | cmp -s - $@ || \
		printf '%s\n' '$(VMLINUX_BTF)' '$(VMLINUX_NOTES)' > $@
FORCE:

# vmlinux.h and the build id (+ BTF ids the snapshot calls) of the kernel it comes from,
# always made together: host_kernel.h must describe the kernel vmlinux.h is from
$(BUILD)/vmlinux.h $(BUILD)/vmlinux_features.h $(BUILD)/host_kernel.h &: src/bpf/snapshot.h \
		scripts/host_variant.py $(BUILD)/vmlinux.src | $(BUILD)/lib
	$(call msg,GEN,$(BUILD)/vmlinux.h $(BUILD)/host_kernel.h (from $(VMLINUX_BTF)))
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $(BUILD)/vmlinux.h
	$(Q)scripts/host_variant.py features $(VMLINUX_BTF) > $(BUILD)/vmlinux_features.h
	$(Q)scripts/host_variant.py build-id src/bpf/snapshot.h $(VMLINUX_BTF) '$(VMLINUX_NOTES)' \
		> $(BUILD)/host_kernel.h

# Precompiled BPF (CO-RE, skeletons) for what the field language cannot say.
$(BUILD)/bpf/%.bpf.o: src/bpf/%.bpf.c $(BUILD)/vmlinux.h $(BUILD)/vmlinux_features.h | $(BUILD)/bpf
	$(call msg,BPF,$<)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -I$(BUILD) -Isrc/bpf -c $< -o $@.tmp
	$(Q)llvm-strip -g $@.tmp -o $@ && rm -f $@.tmp

# The snapshot program without its CO-RE relocations, for the kernel vmlinux.h is from.
$(BUILD)/bpf/snapshot_host.bpf.o: $(BUILD)/bpf/snapshot.bpf.o scripts/host_variant.py
	$(call msg,HOST,$@)
	$(Q)scripts/host_variant.py strip-core $< $@

# The classic iterators' programs reading through bpf_rdonly_cast, for
# lockdown=confidentiality (no probe reads): snapshot_records.bpf.h, SNAP_DIRECT_READS.
$(BUILD)/bpf/snapshot_direct.bpf.o: src/bpf/snapshot_classic.bpf.c $(BUILD)/vmlinux.h \
		$(BUILD)/vmlinux_features.h | $(BUILD)/bpf
	$(call msg,BPF,$< (direct reads))
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -DSNAP_DIRECT_READS -I$(BUILD) -Isrc/bpf \
		-c $< -o $@.tmp
	$(Q)llvm-strip -g $@.tmp -o $@ && rm -f $@.tmp

# What names a kept snapshot program (snapshot_keep.c): its objects' hashes, made at
# build time so that a start does not read and hash the whole ELF objects.
$(BUILD)/bpf/snapshot_hash.h: $(BUILD)/bpf/snapshot.bpf.o $(BUILD)/bpf/snapshot_host.bpf.o
	$(call msg,HASH,$@)
	$(Q)printf '#define SNAP_ELF_HASH_CORE 0x%sull\n#define SNAP_ELF_HASH_HOST 0x%sull\n' \
		$$(sha256sum $< | cut -c1-16) $$(sha256sum $(word 2,$^) | cut -c1-16) > $@

# kept: make would delete them as intermediates (and rebuild them on every change)
.SECONDARY: $(BPF_SKELS) $(BPF_SKELS:.skel.h=.bpf.o)
$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(BUILD)/tests/%.bpf.o: tests/bpf/%.bpf.c $(BUILD)/vmlinux.h | $(BUILD)/tests
	$(call msg,BPF,$<)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -I$(BUILD) -c $< -o $@

# run and check install what is missing first, then build in a new make: the flags
# this Makefile asks pkg-config for (fuse3) and the static libraries it looks for
# are only there once the packages are.
run: deps
	@$(MAKE) --no-print-directory run-built
check: deps
	@$(MAKE) --no-print-directory check-built

run-built: all
	@echo '$$ bpfdump targets'; $(BUILD)/bpfdump targets
	@echo; echo '$$ bpfdump dump task_file --pid '$$PPID; $(BUILD)/bpfdump dump task_file --pid $$PPID
	@echo; echo '$$ bpfdump dump tcp'; $(BUILD)/bpfdump dump tcp
	@echo; echo '$$ bpfdump dump task -o pid=task->tgid,comm=task->comm,vm=task->mm->total_vm -w "task->mm->total_vm > 1000"'
	@$(BUILD)/bpfdump dump task -o 'pid=task->tgid,comm=task->comm,vm=task->mm->total_vm' -w 'task->mm->total_vm > 1000'

check-built: all $(UNIT_BINS) $(HELPER_BINS) $(TEST_BPF_OBJS) $(EXAMPLE_BINS)
	@BUILD=$(BUILD) tests/run-all.sh

# The unit tests alone: pure code, no root, no BPF loaded (tests/unit/*_test.c).
check-unit: $(UNIT_BINS)
	@rc=0; for t in $^; do $$t || rc=1; done; exit $$rc

# The portable test set on the host's kernel, Debian 12's 6.1, 6.12 and 6.12 under
# lockdown=confidentiality (tests/kernels/run.sh; the VMs through shared/vm/run).
check-kernels: deps
	@$(MAKE) --no-print-directory check-kernels-built
check-kernels-built: all $(HELPER_BINS) $(TEST_BPF_OBJS)
	@BUILD=$(BUILD) tests/kernels/run.sh | tee /dev/stderr | tests/kernels/count.sh

# The unit tests and the main integration tests under ASan+UBSan+LSan, built in build-asan
# (tests/run-asan.sh says which; a sanitizer report fails the run).
check-asan:
	@$(MAKE) --no-print-directory SAN=1 asan-bins
	@BUILD=build-asan tests/run-asan.sh

asan-bins: all $(UNIT_BINS) $(HELPER_BINS) $(TEST_BPF_OBJS)

fuzz-smoke fuzz:
	@BUILD=$(BUILD) FUZZ_SECONDS=$(if $(filter fuzz,$@),600,$${FUZZ_SECONDS:-30}) fuzz/run.sh

clean:
	rm -rf build build-asan build-san

include mk/install.mk
include mk/bench.mk

# what each object was compiled from, headers included (DEPFLAGS)
-include $(wildcard $(BUILD)/*/*.d)
