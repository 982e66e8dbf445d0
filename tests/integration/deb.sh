#!/usr/bin/env bash
# The Debian packages: scripts/build-deb.sh builds bpfdump, libbpfdump0 and libbpfdump-dev
# (lintian-clean at error level); `dpkg -c` lists what each must ship (the binary, one man
# page per docs/*.rst, the completion, the systemd unit, the library, header and .pc); every
# library the binary loads is owned by a package its Depends names; every module bpfdump.pc
# requires by a package libbpfdump-dev depends on; every pkg-config module the Makefile
# uses by a Build-Depends. Unpacked into a throwaway root (dpkg -x): the bpfdump there runs
# (--version, targets as the build's); the .pc says prefix /usr and the libdir and
# includedir that hold the packaged files; a program links against the packaged library
# through it (shared, and the whole .a statically with --static); the unit names the
# packaged binary and passes `systemd-analyze verify`.
# Runs by default, as root (scripts/install-deps.sh installs dpkg-dev, debhelper and
# lintian; build-deb.sh the Build-Depends). The package build compiles the tree once more
# (make -j2) and lintian reads it: 76 CPU-seconds in all, about a minute on an idle 2-CPU
# machine, 2.5-3 minutes at a load average of 10. BPFDUMP_DEB_DIR=DIR checks the packages
# `scripts/build-deb.sh DIR` made instead of building. BPFDUMP_DEB_TEST=1 adds the
# system-wide part: apt-get install, the installed /usr/bin/bpfdump and man page,
# pkg-config, apt-get purge leaves nothing.
source "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)

if [ "$(id -u)" != 0 ]; then
	skip "needs root (build-deb.sh installs the Build-Depends it lacks)"
	exit 77
fi
if ! command -v dpkg-buildpackage >/dev/null; then
	skip "not a Debian system (no dpkg-buildpackage)"
	exit 77
fi

VERSION=$(sed -n 's/^VERSION *:= *//p' "$ROOT/Makefile")
if [ -n "${BPFDUMP_DEB_DIR:-}" ]; then
	# packages scripts/build-deb.sh DIR made before (to rerun the checks without a build)
	debs=$(for p in bpfdump libbpfdump0 libbpfdump-dev; do
		ls "$BPFDUMP_DEB_DIR/${p}_${VERSION}"_*.deb 2>/dev/null
	done)
	skip "build: checking the packages in BPFDUMP_DEB_DIR=$BPFDUMP_DEB_DIR, not building them"
else
	# no -dbgsym packages: nothing here reads them, and they double lintian's work
	start=$(date +%s)
	debs=$(DEB_BUILD_OPTIONS="parallel=2 noautodbgsym ${DEB_BUILD_OPTIONS:-}" timeout 540 \
		"$ROOT/scripts/build-deb.sh" "$TMP/deb" 2>"$TMP/build.err")
	rc=$?
	secs=$(($(date +%s) - start))
	if [ $rc -ne 0 ]; then
		fail "scripts/build-deb.sh (exit $rc): $(tail -c 600 "$TMP/build.err")"
		exit 1
	fi
	check "build-deb.sh (in ${secs}s): lintian --fail-on error found no error" \
		grep -q 'lintian: no errors' "$TMP/build.err"
	check "the packages are outside the repository" bash -c "! ls '$ROOT'/*.deb >/dev/null 2>&1"
fi
names=$(for f in $debs; do basename "$f"; done | xargs)
expect_eq "the three packages, version $VERSION (the Makefile's)" \
	"bpfdump_${VERSION}_amd64.deb libbpfdump0_${VERSION}_amd64.deb libbpfdump-dev_${VERSION}_amd64.deb" \
	"$names"
[ "$(wc -w <<<"$debs")" = 3 ] || exit 1
DEB_BIN=$(grep '/bpfdump_[^/]*\.deb$' <<<"$debs")
DEB_LIB=$(grep '/libbpfdump0_[^/]*\.deb$' <<<"$debs")
DEB_DEV=$(grep '/libbpfdump-dev_[^/]*\.deb$' <<<"$debs")

# ---- contents: dpkg -c, regular files and links by path
contents() { dpkg -c "$1" | awk '{ p = $6; sub(/^\./, "", p); print p }'; }
contents "$DEB_BIN" >"$TMP/c.bin"
contents "$DEB_LIB" >"$TMP/c.lib"
contents "$DEB_DEV" >"$TMP/c.dev"
want_bin="/usr/bin/bpfdump /usr/share/bash-completion/completions/bpfdump
/usr/lib/systemd/system/bpfdump-exporter.service"
for r in "$ROOT"/docs/bpfdump*.rst; do
	want_bin+=" /usr/share/man/man8/$(basename "$r" .rst).8.gz"
done
missing=$(for f in $want_bin; do grep -qxF "$f" "$TMP/c.bin" || echo "$f"; done | xargs)
expect_eq "dpkg -c bpfdump: the binary, $(grep -c '/man8/' <<<"${want_bin// /$'\n'}") man pages (one per docs/*.rst), completion, systemd unit" \
	"" "$missing"
missing=$(grep -qxF "/usr/lib/$MA/libbpfdump.so.0" "$TMP/c.lib" || echo "/usr/lib/$MA/libbpfdump.so.0"
	grep -q "^/usr/lib/$MA/libbpfdump\.so\.0\.[0-9.]*$" "$TMP/c.lib" || echo "libbpfdump.so.0.X.Y")
expect_eq "dpkg -c libbpfdump0: libbpfdump.so.0 and its versioned file" "" "$(xargs <<<"$missing")"
missing=$(for f in /usr/include/bpfdump.h "/usr/lib/$MA/libbpfdump.a" "/usr/lib/$MA/libbpfdump.so" \
	"/usr/lib/$MA/pkgconfig/bpfdump.pc"; do grep -qxF "$f" "$TMP/c.dev" || echo "$f"; done | xargs)
expect_eq "dpkg -c libbpfdump-dev: header, static library, .so link, pkg-config file" "" "$missing"

# ---- unpacked into a throwaway root
R=$TMP/root
mkdir "$R"
for d in $debs; do dpkg -x "$d" "$R" || fail "dpkg -x $(basename "$d")"; done
expect_eq "the unpacked bpfdump --version names the build's version" \
	"$("$BPFDUMP" --version 2>/dev/null | head -1)" \
	"$(timeout 60 "$R/usr/bin/bpfdump" --version 2>"$TMP/ver.err" | head -1)"
expect_eq "the unpacked bpfdump targets = the build's bpfdump targets" \
	"$("$BPFDUMP" targets 2>/dev/null | xargs)" "$(timeout 60 "$R/usr/bin/bpfdump" targets 2>/dev/null | xargs)"

# every shared library the binary loads belongs to a package bpfdump's Depends names
deps=$(dpkg-deb -f "$DEB_BIN" Depends)
unowned=""
while read -r lib; do
	pkg=$(dpkg -S "$lib" 2>/dev/null | head -1 | cut -d: -f1)
	case $pkg in
	libc6 | "") continue ;;	# libc6 through libc6's own shlibs; "" = vdso, ld.so links
	esac
	grep -qE "(^|[ ,])$pkg( |,|$)" <<<"$deps" || unowned+=" $lib($pkg)"
done < <({ ldd "$R/usr/bin/bpfdump"; ldconfig -p | grep -F "$(strings "$R/usr/bin/bpfdump" |
	grep -x 'libmicrohttpd\.so\.[0-9]*')"; } | awk '{ for (i = 1; i < NF; i++) if ($i == "=>" && $(i + 1) ~ /^\//) print $(i + 1) }')
expect_eq "bpfdump's Depends ($deps) names the package of each library it loads or opens (serve)" \
	"" "${unowned# }"

# the dev package: a program built through the packaged .pc against the packaged library
cat >"$TMP/list.c" <<'EOF'
#include <stdio.h>
#include <bpfdump.h>

int main(void)
{
	struct bpfdump *d = bpfdump__new(NULL);
	int i;

	if (!d)
		return 1;
	for (i = 0; i < bpfdump__target_cnt(d); i++)
		printf("%s\n", bpfdump__target_name(d, i));
	bpfdump__free(d);
	return 0;
}
EOF
# the packaged .pc read where it was unpacked; the modules it requires from the system's
PCDIRS=/usr/lib/$MA/pkgconfig:/usr/share/pkgconfig
pc() { PKG_CONFIG_SYSROOT_DIR=$R PKG_CONFIG_LIBDIR=$R/usr/lib/$MA/pkgconfig:$PCDIRS pkg-config "$@" bpfdump; }
pcvar() { PKG_CONFIG_LIBDIR=$R/usr/lib/$MA/pkgconfig pkg-config --variable="$1" bpfdump; }
expect_eq "the packaged bpfdump.pc: prefix, libdir, includedir" \
	"/usr /usr/lib/$MA /usr/include" "$(pcvar prefix) $(pcvar libdir) $(pcvar includedir)"
check "... its libdir holds the packaged libbpfdump.so and .a, its includedir bpfdump.h" \
	test -L "$R$(pcvar libdir)/libbpfdump.so" -a -f "$R$(pcvar libdir)/libbpfdump.a" \
	-a -f "$R$(pcvar includedir)/bpfdump.h"

# every module the .pc requires comes from a package libbpfdump-dev depends on
devdeps=$(dpkg-deb -f "$DEB_DEV" Depends)
mods=$(sed -n 's/^Requires\(\.private\)\{0,1\}: *//p' "$R/usr/lib/$MA/pkgconfig/bpfdump.pc" |
	tr ', ' '\n\n' | sed -n 's/^\([A-Za-z0-9_.+-]\{1,\}\).*/\1/p' | xargs)
unowned=""
for m in $mods; do
	pkg=$(dpkg -S "/usr/lib/$MA/pkgconfig/$m.pc" "/usr/share/pkgconfig/$m.pc" 2>/dev/null |
		head -1 | cut -d: -f1)
	grep -qE "(^|[ ,])${pkg:-none}( |,|$)" <<<"$devdeps" || unowned+=" $m(${pkg:-not installed})"
done
expect_eq "libbpfdump-dev's Depends ($devdeps) ships each module bpfdump.pc requires ($mods)" \
	"" "${unowned# }"

# the Build-Depends name the -dev package of each module the Makefile asks pkg-config for
bdeps=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$ROOT/debian/control" | sed '$d')
unowned=""
for m in $(grep -ho 'pkg-config --[a-z-]* [A-Za-z0-9_.+-]*' "$ROOT/Makefile" "$ROOT"/mk/*.mk |
	awk '{ print $3 }' | sort -u); do
	pkg=$(dpkg -S "/usr/lib/$MA/pkgconfig/$m.pc" "/usr/share/pkgconfig/$m.pc" 2>/dev/null |
		head -1 | cut -d: -f1)
	grep -qE "(^|[ ,])${pkg:-none}( |,|$)" <<<"$bdeps" || unowned+=" $m(${pkg:-not installed})"
done
expect_eq "debian/control's Build-Depends names the package of each pkg-config module the Makefile uses" \
	"" "${unowned# }"

# shellcheck disable=SC2046 # pkg-config's words
if cc -Wall -Werror -o "$TMP/list" "$TMP/list.c" $(pc --cflags) $(pc --libs) 2>"$TMP/cc.err"; then
	expect_eq "a program built with the packaged .pc runs on the packaged libbpfdump.so.0" \
		"$("$BPFDUMP" targets 2>/dev/null | xargs)" \
		"$(LD_LIBRARY_PATH=$R/usr/lib/$MA timeout 60 "$TMP/list" 2>/dev/null | xargs)"
	check "... and loads it from the throwaway root" bash -c \
		"LD_LIBRARY_PATH='$R/usr/lib/$MA' ldd '$TMP/list' | grep -qF '$R/usr/lib/$MA/libbpfdump.so.0'"
else
	fail "cc with the packaged bpfdump.pc: $(head -c 400 "$TMP/cc.err")"
fi

# static linking: every object of the packaged libbpfdump.a resolves with what
# `pkg-config --static --libs bpfdump` adds (its Requires.private and Libs.private)
# shellcheck disable=SC2046 # pkg-config's words
if cc -o "$TMP/list_static" "$TMP/list.c" $(pc --cflags) -Wl,--whole-archive \
	"$R/usr/lib/$MA/libbpfdump.a" -Wl,--no-whole-archive \
	$(pc --static --libs | sed 's/\(^\| \)-lbpfdump\( \|$\)/ /') 2>"$TMP/ccs.err"; then
	ok "the whole packaged libbpfdump.a links with pkg-config --static --libs bpfdump"
else
	fail "static link with pkg-config --static --libs bpfdump: undefined: $(grep -o "undefined reference to \`[^']*" "$TMP/ccs.err" | sed 's/.*`//' | sort -u | head -5 | xargs) $(grep -v 'undefined reference\|in function' "$TMP/ccs.err" | head -c 300)"
fi

# the unit: ExecStart is the packaged binary; systemd-analyze verify (offline) on it
UNIT=$R/usr/lib/systemd/system/bpfdump-exporter.service
expect_eq "the packaged unit's ExecStart runs /usr/bin/bpfdump serve" \
	"/usr/bin/bpfdump serve" "$(sed -n 's/^ExecStart=\([^ ]* [^ ]*\).*/\1/p' "$UNIT")"
if command -v systemd-analyze >/dev/null; then
	# verify wants ExecStart='s binary to exist: a copy of the unit names the unpacked one
	# (the system's units stay: sysinit.target and the rest are not in the throwaway root)
	mkdir -p "$TMP/unit"
	sed "s|^ExecStart=/usr/bin/bpfdump |ExecStart=$R/usr/bin/bpfdump |" "$UNIT" \
		>"$TMP/unit/bpfdump-exporter.service"
	if SYSTEMD_LOG_LEVEL=notice timeout 60 systemd-analyze verify --man=no \
		"$TMP/unit/bpfdump-exporter.service" >"$TMP/verify.out" 2>&1 &&
		! grep -q . "$TMP/verify.out"; then
		ok "systemd-analyze verify bpfdump-exporter.service: no complaint"
	else
		fail "systemd-analyze verify: $(head -c 500 "$TMP/verify.out" | tr '\n' ' ')"
	fi
	score=$(timeout 60 systemd-analyze security --offline=yes --root="$R" "$UNIT" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	if [ -n "$score" ]; then
		ok "systemd-analyze security: exposure $score (10 = unprotected; informational)"
	else
		skip "systemd-analyze security --offline gave no score"
	fi
else
	skip "no systemd-analyze: the unit is not verified"
fi

if [ "${BPFDUMP_DEB_TEST:-}" != 1 ]; then
	skip "system-wide apt-get install/purge: set BPFDUMP_DEB_TEST=1"
	exit 0
fi
for p in bpfdump libbpfdump0 libbpfdump-dev; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		skip "package $p is installed already; not touching it"
		exit 0
	fi
done
at_exit "DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq bpfdump libbpfdump0 libbpfdump-dev"
# shellcheck disable=SC2086 # paths without blanks
if ! DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq $debs >"$TMP/apt.out" 2>&1; then
	fail "apt-get install ./*.deb: $(tail -c 400 "$TMP/apt.out")"
	exit 1
fi
ok "apt-get install bpfdump libbpfdump0 libbpfdump-dev"

expect_eq "/usr/bin/bpfdump targets = build's bpfdump targets" \
	"$("$BPFDUMP" targets 2>/dev/null | xargs)" "$(timeout 60 /usr/bin/bpfdump targets 2>/dev/null | xargs)"
check "man bpfdump-dump shows the installed page" \
	bash -c "MANWIDTH=80 man bpfdump-dump 2>/dev/null | grep -q 'FIELD LANGUAGE'"
check "bash completion installed" test -f /usr/share/bash-completion/completions/bpfdump

# shellcheck disable=SC2046
if cc -Wall -Werror -o "$TMP/list2" "$TMP/list.c" $(pkg-config --cflags --libs bpfdump) 2>"$TMP/cc.err"; then
	expect_eq "a program built with pkg-config against the installed libbpfdump-dev lists the targets" \
		"$("$BPFDUMP" targets 2>/dev/null | xargs)" "$(timeout 60 "$TMP/list2" 2>/dev/null | xargs)"
else
	fail "cc against libbpfdump-dev: $(head -c 400 "$TMP/cc.err")"
fi

files=$(dpkg -L bpfdump libbpfdump0 libbpfdump-dev | while read -r f; do [ -f "$f" ] || [ -L "$f" ] && echo "$f"; done)
DEBIAN_FRONTEND=noninteractive timeout 600 apt-get purge -y -qq bpfdump libbpfdump0 libbpfdump-dev \
	>"$TMP/purge.out" 2>&1
left=$(for f in $files; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done)
expect_eq "apt-get purge removes every packaged file" "" "$left"
