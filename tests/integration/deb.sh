#!/usr/bin/env bash
# The Debian packages: scripts/build-deb.sh builds bpfdump, libbpfdump0 and libbpfdump-dev
# (lintian-clean at error level); apt-get installs them; the installed /usr/bin/bpfdump
# lists the same targets as the build's; a program builds against libbpfdump-dev through
# pkg-config; removing the packages leaves none of their files.
# Opt-in (it installs packages system-wide): BPFDUMP_DEB_TEST=1.
source "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

if [ "${BPFDUMP_DEB_TEST:-}" != 1 ]; then
	skip "set BPFDUMP_DEB_TEST=1"
	exit 77
fi
if [ "$(id -u)" != 0 ]; then
	skip "needs root (apt-get install)"
	exit 77
fi
for p in bpfdump libbpfdump0 libbpfdump-dev; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		skip "package $p is installed already; not touching it"
		exit 77
	fi
done

start=$(date +%s)
debs=$(timeout 1200 "$ROOT/scripts/build-deb.sh" "$TMP/deb" 2>"$TMP/build.err")
rc=$?
secs=$(($(date +%s) - start))
if [ $rc -ne 0 ]; then
	fail "scripts/build-deb.sh (exit $rc): $(tail -c 600 "$TMP/build.err")"
	exit 1
fi
names=$(for f in $debs; do basename "$f"; done | xargs)
expect_eq "build-deb.sh built the three packages (in ${secs}s), lintian --fail-on error clean" \
	"bpfdump_0.1.0_amd64.deb libbpfdump0_0.1.0_amd64.deb libbpfdump-dev_0.1.0_amd64.deb" \
	"$(sed "s/_[0-9][0-9.]*_/_0.1.0_/g" <<<"$names")"
check "the packages are outside the repository" bash -c "! ls '$ROOT'/*.deb >/dev/null 2>&1"

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
# shellcheck disable=SC2046
if cc -Wall -Werror -o "$TMP/list" "$TMP/list.c" $(pkg-config --cflags --libs bpfdump) 2>"$TMP/cc.err"; then
	expect_eq "a program built with pkg-config against libbpfdump-dev lists the targets" \
		"$("$BPFDUMP" targets 2>/dev/null | xargs)" "$(timeout 60 "$TMP/list" 2>/dev/null | xargs)"
else
	fail "cc against libbpfdump-dev: $(head -c 400 "$TMP/cc.err")"
fi

files=$(dpkg -L bpfdump libbpfdump0 libbpfdump-dev | while read -r f; do [ -f "$f" ] || [ -L "$f" ] && echo "$f"; done)
DEBIAN_FRONTEND=noninteractive timeout 600 apt-get purge -y -qq bpfdump libbpfdump0 libbpfdump-dev \
	>"$TMP/purge.out" 2>&1
left=$(for f in $files; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done)
expect_eq "apt-get purge removes every packaged file" "" "$left"
