#!/usr/bin/env bash
# Build the Debian packages bpfdump, libbpfdump0 and libbpfdump-dev in a copy of the
# tree (so no build artifact lands in the repository), check them with
# lintian --fail-on error, and print the paths of the .deb files, one per line.
#
#   scripts/build-deb.sh [OUTDIR]     default OUTDIR: a new /tmp/bpfdump-deb.XXXXXX
#
# Installs what the build needs (debhelper, lintian, the Build-Depends) when run as root.
# Progress goes to stderr, the whole build log to OUTDIR/build.log.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD

say() { echo "bpfdump: build-deb: $*" >&2; }
die() { say "$*"; exit 1; }

version=$(sed -n 's/^VERSION *:= *//p' Makefile)
debver=$(sed -n '1s/^bpfdump (\([^)]*\)).*/\1/p' debian/changelog)
[ -n "$version" ] || die "no VERSION in Makefile"
[ "$version" = "$debver" ] ||
	die "Makefile VERSION $version differs from debian/changelog's $debver (add a changelog entry)"

OUT=${1:-$(mktemp -d /tmp/bpfdump-deb.XXXXXX)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
LOG=$OUT/build.log
: >"$LOG"

# what the build needs: the packaging tools, then debian/control's Build-Depends
need=(dpkg-dev debhelper lintian)
missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	unmet=$(dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p' |
		sed -E 's/\([^)]*\)//g; s/\|[^ ]*//g') || true
	read -r -a missing <<<"${unmet:-}"
fi
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]} (run as root to install them)"
	say "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	timeout 600 apt-get update -qq >>"$LOG" 2>&1 || die "apt-get update failed (see $LOG)"
	timeout 900 apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$LOG" 2>&1 ||
		die "apt-get install ${missing[*]} failed (see $LOG)"
	unmet=$(dpkg-checkbuilddeps 2>&1 | sed -n 's/.*Unmet build dependencies: //p' |
		sed -E 's/\([^)]*\)//g; s/\|[^ ]*//g') || true
	if [ -n "${unmet:-}" ]; then
		read -r -a more <<<"$unmet"
		say "installing ${more[*]}"
		timeout 900 apt-get install -y -qq --no-install-recommends "${more[@]}" >>"$LOG" 2>&1 ||
			die "apt-get install ${more[*]} failed (see $LOG)"
	fi
fi

# a clean copy: the work tree without build output and git metadata
TREE=$OUT/src/bpfdump-$version
rm -rf "$OUT/src"
mkdir -p "$TREE"
tar -C "$SRC" --exclude=./.git --exclude=./build --exclude=./build-san --exclude=./build-asan \
	--exclude=./debian/tmp --exclude='./debian/.debhelper' -cf - . | tar -C "$TREE" -xf -

# a parallel make unless the caller chose (debian/rules passes parallel=N on to make)
case " ${DEB_BUILD_OPTIONS:-} " in
*" parallel="*) ;;
*)
	DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:+$DEB_BUILD_OPTIONS }parallel=$(nproc)"
	export DEB_BUILD_OPTIONS
	;;
esac
say "dpkg-buildpackage -us -uc -b in $TREE (DEB_BUILD_OPTIONS=$DEB_BUILD_OPTIONS; log: $LOG)"
start=$(date +%s)
if ! (cd "$TREE" && dpkg-buildpackage -us -uc -b) >>"$LOG" 2>&1; then
	tail -n 30 "$LOG" >&2
	die "dpkg-buildpackage failed (whole log: $LOG)"
fi
say "built in $(($(date +%s) - start)) s"

changes=$(ls "$OUT"/src/bpfdump_"$version"_*.changes 2>/dev/null | head -n 1)
[ -n "$changes" ] || die "no .changes file in $OUT/src"
say "lintian --fail-on error $(basename "$changes")"
if ! lintian --fail-on error --tag-display-limit 0 "$changes" >"$OUT/lintian.log" 2>&1; then
	cat "$OUT/lintian.log" >&2
	die "lintian found errors"
fi
n=$(grep -c '^[EWI]: ' "$OUT/lintian.log" || true)
say "lintian: no errors ($n warnings and notes in $OUT/lintian.log)"

debs=()
for p in bpfdump libbpfdump0 libbpfdump-dev; do
	f=$(ls "$OUT"/src/"${p}"_"$version"_*.deb 2>/dev/null | head -n 1)
	[ -n "$f" ] || die "no ${p}_${version}_*.deb was built"
	mv "$f" "$OUT/"
	debs+=("$OUT/$(basename "$f")")
done
rm -rf "$OUT/src"
printf '%s\n' "${debs[@]}"
