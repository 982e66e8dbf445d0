# Shared library, man pages, pkg-config file, bash completion, install/uninstall.
# Included at the end of the Makefile (uses VERSION, PREFIX, BUILD, CC, LIB_OBJS, LIBS,
# LDFLAGS from it). On its own: make -f Makefile -f mk/install.mk TARGET.
#
#   make install   [DESTDIR=] [PREFIX=/usr/local] [BINDIR=] [LIBDIR=] [INCLUDEDIR=] [MANDIR=]
#                  [PKGCONFIGDIR=] [BASHCOMPDIR=]
#   make uninstall (same variables)
#   make shared    $(BUILD)/libbpfdump.so.0.1.0 (+ the .so.0 and .so symlinks)
#   make man       $(BUILD)/man/*.8 from docs/*.rst (rst2man --strict, then groff -ww lint)
#   make pc        $(BUILD)/bpfdump.pc
ifndef BPFDUMP_INSTALL_MK
BPFDUMP_INSTALL_MK := 1

DESTDIR      ?=
PREFIX       ?= /usr/local
BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
MANDIR       ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR  ?= $(PREFIX)/share/bash-completion/completions
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
INSTALL      ?= install
RST2MAN      ?= rst2man
GROFF        ?= groff
NM           ?= nm

SO_MAJOR   := 0
SO_VERSION := 0.1.0
SO_NAME    := libbpfdump.so.$(SO_MAJOR)
SO_FILE    := libbpfdump.so.$(SO_VERSION)
SO_MAP     := src/lib/libbpfdump.map
SO_LIB     := $(BUILD)/$(SO_FILE)

PUB_HDRS   := $(wildcard include/bpfdump*.h)
MAN_SRCS   := $(wildcard docs/bpfdump*.rst)
MAN_PAGES  := $(patsubst docs/%.rst,$(BUILD)/man/%.8,$(MAN_SRCS))
COMPLETION := docs/bpfdump.bash
EXPORTER_UNIT := debian/bpfdump-exporter.service
PC_FILE    := $(BUILD)/bpfdump.pc

INSTALL_DIRS = $(BINDIR) $(LIBDIR) $(INCLUDEDIR) $(MANDIR)/man8 $(PKGCONFIGDIR) $(BASHCOMPDIR) \
	       $(SYSTEMDUNITDIR)

.PHONY: shared man pc install uninstall man-deps FORCE_PC

# --- shared library --------------------------------------------------------------------
# The same -fPIC -fvisibility=hidden objects as libbpfdump.a; the version script exports
# the BPFDUMP_API functions at LIBBPFDUMP_0.1.0, and the recipe checks that they are
# exactly the header's (a function added to the header but not to the map fails here).
shared: $(SO_LIB)

$(SO_LIB): $(LIB_OBJS) $(SO_MAP) $(PUB_HDRS)
	$(call msg,LD,$@)
	$(Q)$(CC) -shared -Wl,-soname,$(SO_NAME) -Wl,--version-script=$(SO_MAP) -Wl,-z,defs \
		-o $@ $(LIB_OBJS) $(LIBS) $(LDFLAGS)
	@grep -hE '^BPFDUMP_API' $(PUB_HDRS) | sed -E 's/\(.*//; s/.*[^A-Za-z_0-9]//' | \
		sort -u >$(BUILD)/libbpfdump.api
	@$(NM) -D --defined-only $@ | awk '$$2 != "A" { print $$3 }' | sort -u >$(BUILD)/libbpfdump.exports
	@sed 's/$$/@@LIBBPFDUMP_0.1.0/' $(BUILD)/libbpfdump.api | \
		cmp -s - $(BUILD)/libbpfdump.exports || { \
		echo "bpfdump: $@: exports differ from the BPFDUMP_API functions of $(PUB_HDRS);" \
		     "fix $(SO_MAP):" >&2; \
		sed 's/$$/@@LIBBPFDUMP_0.1.0/' $(BUILD)/libbpfdump.api | \
			diff - $(BUILD)/libbpfdump.exports | grep '^[<>]' >&2; exit 1; }
	@ln -sf $(SO_FILE) $(BUILD)/$(SO_NAME)
	@ln -sf $(SO_FILE) $(BUILD)/libbpfdump.so

# --- man pages -------------------------------------------------------------------------
man: $(MAN_PAGES)

# rst2man comes from python3-docutils; install it like scripts/install-deps.sh does.
man-deps:
	@command -v $(RST2MAN) >/dev/null 2>&1 || { \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "bpfdump: installing python3-docutils (for $(RST2MAN))" >&2; \
		export DEBIAN_FRONTEND=noninteractive; \
		timeout 600 apt-get update -qq && \
		timeout 900 apt-get install -y -qq --no-install-recommends python3-docutils \
			>/dev/null || exit 1; \
	else \
		echo "bpfdump: $(RST2MAN) not found: apt-get install python3-docutils" \
		     "(or make RST2MAN=/path/to/rst2man)" >&2; exit 1; \
	fi; }
	@command -v $(GROFF) >/dev/null 2>&1 || { \
		echo "bpfdump: $(GROFF) not found: apt-get install groff-base" >&2; exit 1; }

$(BUILD)/man:
	@mkdir -p $@

# One source: docs/NAME.rst (@VERSION@ replaced). --strict stops at any docutils warning;
# groff -ww -z prints every roff warning, and any output fails the page.
$(BUILD)/man/%.8: docs/%.rst | $(BUILD)/man man-deps
	$(call msg,MAN,$@)
	$(Q)sed 's/@VERSION@/$(VERSION)/g' $< | \
		$(RST2MAN) --strict --no-generator --no-datestamp - $@.tmp
	@LC_ALL=C.UTF-8 $(GROFF) -man -ww -z -Tutf8 $@.tmp 2>$@.lint; \
	if [ -s $@.lint ]; then \
		echo "bpfdump: $<: groff warnings:" >&2; cat $@.lint >&2; \
		rm -f $@.lint $@.tmp; exit 1; \
	fi; rm -f $@.lint
	@mv $@.tmp $@

# --- pkg-config ------------------------------------------------------------------------
# Rebuilt every time: it records PREFIX/LIBDIR/INCLUDEDIR, which change between makes.
# install writes its own from the template, so an install elsewhere (or one that failed)
# never leaves its prefix in the build tree's file.
PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	     -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' bpfdump.pc.in

pc: $(PC_FILE)

$(PC_FILE): bpfdump.pc.in FORCE_PC | $(BUILD)/lib
	@$(PC_SED) >$@

# --- install / uninstall ---------------------------------------------------------------
# Every directory is created (or found writable) before anything is copied, so an
# unwritable prefix fails with one clear line and leaves nothing half-installed.
install: $(BUILD)/bpfdump $(BUILD)/libbpfdump.a $(SO_LIB) $(MAN_PAGES) bpfdump.pc.in $(COMPLETION)
	@for d in $(INSTALL_DIRS); do \
		t="$(DESTDIR)$$d"; \
		if ! msg=$$($(INSTALL) -d -m 0755 "$$t" 2>&1) || [ ! -w "$$t" ]; then \
			echo "bpfdump: install: cannot write to '$$t'$${msg:+: $$msg}" \
			     "(choose PREFIX=, DESTDIR= or BINDIR=/LIBDIR=/MANDIR= that you can" \
			     "write, or run as root)" >&2; \
			exit 1; \
		fi; \
	done
	@echo '  INSTALL $(DESTDIR)$(BINDIR)/bpfdump'
	@$(INSTALL) -m 0755 $(BUILD)/bpfdump '$(DESTDIR)$(BINDIR)/bpfdump'
	@echo '  INSTALL $(DESTDIR)$(LIBDIR)/$(SO_FILE) $(SO_NAME) libbpfdump.so libbpfdump.a'
	@$(INSTALL) -m 0644 $(SO_LIB) '$(DESTDIR)$(LIBDIR)/$(SO_FILE)'
	@ln -sf $(SO_FILE) '$(DESTDIR)$(LIBDIR)/$(SO_NAME)'
	@ln -sf $(SO_FILE) '$(DESTDIR)$(LIBDIR)/libbpfdump.so'
	@$(INSTALL) -m 0644 $(BUILD)/libbpfdump.a '$(DESTDIR)$(LIBDIR)/libbpfdump.a'
	@echo '  INSTALL $(DESTDIR)$(INCLUDEDIR)/$(notdir $(PUB_HDRS))'
	@$(INSTALL) -m 0644 $(PUB_HDRS) '$(DESTDIR)$(INCLUDEDIR)/'
	@echo '  INSTALL $(DESTDIR)$(PKGCONFIGDIR)/bpfdump.pc'
	@$(PC_SED) >'$(DESTDIR)$(PKGCONFIGDIR)/bpfdump.pc'
	@chmod 0644 '$(DESTDIR)$(PKGCONFIGDIR)/bpfdump.pc'
	@echo '  INSTALL $(DESTDIR)$(MANDIR)/man8/ ($(words $(MAN_PAGES)) pages)'
	@$(INSTALL) -m 0644 $(MAN_PAGES) '$(DESTDIR)$(MANDIR)/man8/'
	@echo '  INSTALL $(DESTDIR)$(BASHCOMPDIR)/bpfdump'
	@$(INSTALL) -m 0644 $(COMPLETION) '$(DESTDIR)$(BASHCOMPDIR)/bpfdump'
	@echo '  INSTALL $(DESTDIR)$(SYSTEMDUNITDIR)/bpfdump-exporter.service'
	@sed 's#@BINDIR@#$(BINDIR)#' $(EXPORTER_UNIT) >'$(DESTDIR)$(SYSTEMDUNITDIR)/bpfdump-exporter.service'
	@chmod 0644 '$(DESTDIR)$(SYSTEMDUNITDIR)/bpfdump-exporter.service'
	@if [ -z '$(DESTDIR)' ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null 2>&1; then \
		ldconfig; fi

uninstall:
	@echo '  RM      bpfdump files under $(DESTDIR)$(PREFIX)'
	@rm -f '$(DESTDIR)$(BINDIR)/bpfdump' \
		'$(DESTDIR)$(LIBDIR)/$(SO_FILE)' '$(DESTDIR)$(LIBDIR)/$(SO_NAME)' \
		'$(DESTDIR)$(LIBDIR)/libbpfdump.so' '$(DESTDIR)$(LIBDIR)/libbpfdump.a' \
		$(foreach h,$(notdir $(PUB_HDRS)),'$(DESTDIR)$(INCLUDEDIR)/$(h)') \
		'$(DESTDIR)$(PKGCONFIGDIR)/bpfdump.pc' \
		$(foreach m,$(notdir $(MAN_PAGES)),'$(DESTDIR)$(MANDIR)/man8/$(m)') \
		'$(DESTDIR)$(BASHCOMPDIR)/bpfdump' \
		'$(DESTDIR)$(SYSTEMDUNITDIR)/bpfdump-exporter.service'
	@if [ -z '$(DESTDIR)' ] && [ "$$(id -u)" = 0 ] && command -v ldconfig >/dev/null 2>&1; then \
		ldconfig; fi

endif
