#!/usr/bin/env bash
# make install / uninstall into a temporary DESTDIR: every file in its place, the shared
# library's soname and versioned exports (exactly the BPFDUMP_API functions of the
# headers), pkg-config, programs built against the installed header and library (shared
# and static) that list targets like 'bpfdump targets', BINDIR/MANDIR honoured,
# uninstall leaving no file, and a clear failure for an unwritable prefix.
source "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# harmless when the Makefile already includes mk/install.mk (it guards itself)
MK=(make -s --no-print-directory -C "$ROOT" -f Makefile -f mk/install.mk BUILD="$BUILD")
D=$TMP/root
P=/usr

if ! timeout 900 "${MK[@]}" install DESTDIR="$D" PREFIX=$P >"$TMP/install.out" 2>&1; then
	fail "make install DESTDIR=... PREFIX=$P: $(tail -c 500 "$TMP/install.out")"
	exit 1
fi
ok "make install DESTDIR=\$TMP/root PREFIX=$P"

want=(bin/bpfdump lib/libbpfdump.so.0.1.0 lib/libbpfdump.so.0 lib/libbpfdump.so lib/libbpfdump.a
      lib/pkgconfig/bpfdump.pc share/bash-completion/completions/bpfdump share/man/man8/bpfdump.8
      lib/systemd/system/bpfdump-exporter.service)
for h in "$ROOT"/include/bpfdump*.h; do want+=("include/$(basename "$h")"); done
for r in "$ROOT"/docs/bpfdump-*.rst; do want+=("share/man/man8/$(basename "$r" .rst).8"); done
missing=
for f in "${want[@]}"; do [ -e "$D$P/$f" ] || missing+=" $f"; done
if [ -z "$missing" ]; then ok "installed: ${#want[@]} files (binary, .so.0.1.0 + links, .a, headers, .pc, man pages, completion)"
else fail "not installed:$missing"; fi
n=$(cd "$D" && find . -type f -o -type l | wc -l)
expect_eq "nothing else installed" "${#want[@]}" "$n"

L=$D$P/lib
check "libbpfdump.so.0.1.0 is a file, .so.0 and .so link to it" \
	bash -c "[ -f '$L/libbpfdump.so.0.1.0' ] && [ ! -L '$L/libbpfdump.so.0.1.0' ] &&
		 [ -L '$L/libbpfdump.so.0' ] && [ -L '$L/libbpfdump.so' ] &&
		 [ \$(readlink -f '$L/libbpfdump.so.0') = \$(readlink -f '$L/libbpfdump.so.0.1.0') ] &&
		 [ \$(readlink -f '$L/libbpfdump.so') = \$(readlink -f '$L/libbpfdump.so.0.1.0') ]"
expect_eq "soname" "libbpfdump.so.0" \
	"$(readelf -d "$L/libbpfdump.so.0.1.0" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')"

# exports: the header's BPFDUMP_API functions, each at LIBBPFDUMP_0.1.0, and nothing else
api=$(grep -hE '^BPFDUMP_API' "$ROOT"/include/bpfdump*.h | sed -E 's/\(.*//; s/.*[^A-Za-z_0-9]//' | sort -u)
exp=$(nm -D --defined-only "$L/libbpfdump.so.0.1.0" | awk '$2 != "A" { print $3 }' | sort -u)
expect_eq "nm -D: exactly the $(wc -l <<<"$api") BPFDUMP_API functions, version LIBBPFDUMP_0.1.0" \
	"$(sed 's/$/@@LIBBPFDUMP_0.1.0/' <<<"$api" | xargs)" "$(xargs <<<"$exp")"
check "the version node is LIBBPFDUMP_0.1.0 alone" \
	bash -c "[ \"\$(nm -D --defined-only '$L/libbpfdump.so.0.1.0' | awk '\$2 == \"A\" { print \$3 }')\" = LIBBPFDUMP_0.1.0 ]"

# each installed header compiles on its own, its options macro used
for h in "$D$P"/include/bpfdump*.h; do
	printf '#include <%s>\nint f(void) { BPFDUMP_OPTS(bpfdump_opts, o); return (int)o.sz; }\n' \
		"$(basename "$h")" >"$TMP/alone.c"
	check "$(basename "$h") compiles alone, BPFDUMP_OPTS used" \
		cc -fsyntax-only -Wall -Werror -I"$(dirname "$h")" "$TMP/alone.c"
done

# a program built against what was installed, found through pkg-config
cat >"$TMP/list.c" <<'EOF'
#include <stdio.h>
#include <bpfdump.h>

int main(void)
{
	struct bpfdump *d = bpfdump__new(NULL);
	int i, n;

	if (!d) {
		perror("bpfdump__new");
		return 1;
	}
	n = bpfdump__target_cnt(d);
	for (i = 0; i < n; i++)
		printf("%s\n", bpfdump__target_name(d, i));
	bpfdump__free(d);
	return 0;
}
EOF
export PKG_CONFIG_PATH=$L/pkgconfig PKG_CONFIG_SYSROOT_DIR=$D
extra=()
# shellcheck disable=SC2054 # one flag
[[ $BUILD == *san* ]] && extra=(-fsanitize=address,undefined)
flags=$(pkg-config --cflags --libs bpfdump 2>"$TMP/pc.err")
if [ $? -ne 0 ]; then
	fail "pkg-config --cflags --libs bpfdump: $(cat "$TMP/pc.err")"
else
	# (the private requirements, libbpf and fuse3, may add their own -I)
	expect_eq "pkg-config: flags point into the installed tree" "-I$D$P/include -L$L -lbpfdump" \
		"$(xargs -n1 <<<"$flags" | grep -v -- "^-I$D$P/include/." | xargs)"
	expect_eq "pkg-config --modversion = Makefile VERSION" \
		"$(sed -n 's/^VERSION *:= *//p' "$ROOT/Makefile")" "$(pkg-config --modversion bpfdump)"
	check "pkg-config --print-requires-private: libbpf" \
		bash -c "pkg-config --print-requires-private bpfdump | grep -qx libbpf"
fi
truth=$("$BPFDUMP" targets 2>/dev/null)
# shellcheck disable=SC2086 # pkg-config's flags are words
if cc -Wall -Wextra -Werror -o "$TMP/list" "$TMP/list.c" $flags "${extra[@]}" 2>"$TMP/cc.err"; then
	ok "cc -Wall -Wextra -Werror against the installed header and libbpfdump.so"
	check "the program needs libbpfdump.so.0" \
		bash -c "readelf -d '$TMP/list' | grep -q 'NEEDED.*\[libbpfdump.so.0\]'"
	out=$(LD_LIBRARY_PATH=$L timeout 60 "$TMP/list" 2>"$TMP/run.err")
	expect_eq "shared: target count = bpfdump targets | wc -l" \
		"$(wc -l <<<"$truth")" "$(wc -l <<<"$out")"
	expect_eq "shared: target names = bpfdump targets" "$(xargs <<<"$truth")" "$(xargs <<<"$out")"
else
	fail "cc against the installed tree: $(head -c 500 "$TMP/cc.err")"
fi
# shellcheck disable=SC2046
if cc -o "$TMP/list-static" "$TMP/list.c" $(pkg-config --cflags bpfdump) "$L/libbpfdump.a" \
	$(pkg-config --static --libs-only-l bpfdump | sed 's/-lbpfdump//') "${extra[@]}" 2>"$TMP/cc.err"; then
	out=$(timeout 60 "$TMP/list-static" 2>/dev/null)
	expect_eq "static (libbpfdump.a + pkg-config --static): targets = bpfdump targets" \
		"$(xargs <<<"$truth")" "$(xargs <<<"$out")"
else
	fail "cc with libbpfdump.a: $(head -c 500 "$TMP/cc.err")"
fi
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

expect_eq "installed bpfdump targets = build's" "$(xargs <<<"$truth")" \
	"$(timeout 60 "$D$P/bin/bpfdump" targets 2>/dev/null | xargs)"
check "installed bpfdump-dump.8 is a man page (man -l)" \
	bash -c "MANWIDTH=80 man -l '$D$P/share/man/man8/bpfdump-dump.8' 2>/dev/null | grep -q 'FIELD LANGUAGE'"
check "installed completion registers _bpfdump for bpfdump" \
	bash -c "source '$D$P/share/bash-completion/completions/bpfdump' && complete -p bpfdump | grep -q -- '-F _bpfdump'"

timeout 300 "${MK[@]}" uninstall DESTDIR="$D" PREFIX=$P >"$TMP/un.out" 2>&1
rc=$?
left=$(cd "$D" && find . -type f -o -type l)
if [ $rc -eq 0 ] && [ -z "$left" ]; then ok "make uninstall leaves no file"
else fail "make uninstall (exit $rc) left: $(head -c 300 <<<"$left") $(tail -c 200 "$TMP/un.out")"; fi

# BINDIR and MANDIR outside the usual places
D2=$TMP/root2
if timeout 900 "${MK[@]}" install DESTDIR="$D2" PREFIX=/opt/bd BINDIR=/opt/bd/sbin \
	MANDIR=/opt/bd/man >"$TMP/install2.out" 2>&1 &&
   [ -x "$D2/opt/bd/sbin/bpfdump" ] && [ -f "$D2/opt/bd/man/man8/bpfdump.8" ] &&
   [ ! -e "$D2/opt/bd/bin" ] && [ ! -e "$D2/opt/bd/share/man" ]; then
	ok "BINDIR and MANDIR are honoured"
else
	fail "BINDIR/MANDIR: $(cd "$D2" 2>/dev/null && find . -name bpfdump -o -name bpfdump.8 | tr '\n' ' ') $(tail -c 300 "$TMP/install2.out")"
fi
timeout 300 "${MK[@]}" uninstall DESTDIR="$D2" PREFIX=/opt/bd BINDIR=/opt/bd/sbin MANDIR=/opt/bd/man \
	>/dev/null 2>&1
left=$(cd "$D2" && find . -type f -o -type l)
expect_eq "uninstall with the same BINDIR/MANDIR leaves no file" "" "$left"

# an unwritable prefix: non-zero exit, one clear line, nothing written
BUILD_PC="$(cd "$ROOT" && realpath -m "$BUILD")/bpfdump.pc"
PC_BEFORE=$(cat "$BUILD_PC" 2>/dev/null)
timeout 300 "${MK[@]}" install PREFIX=/proc/nonexistent >"$TMP/bad.out" 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "bpfdump: install: cannot write to '/proc/nonexistent/bin'" "$TMP/bad.out"; then
	ok "install into PREFIX=/proc/nonexistent fails (exit $rc): $(grep -m1 'cannot write' "$TMP/bad.out" | cut -c1-90)..."
else
	fail "install into PREFIX=/proc/nonexistent: exit $rc: $(tail -c 300 "$TMP/bad.out")"
fi
# ... not even the build tree's pkg-config file (install writes its own)
expect_eq "the build tree's bpfdump.pc is left as it was by install PREFIX=/proc/nonexistent" \
	"$PC_BEFORE" "$(cat "$BUILD_PC" 2>/dev/null)"
