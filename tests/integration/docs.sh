#!/usr/bin/env bash
# Man pages (docs/*.rst -> build/man/*.8) agree with the program: for every command that
# 'bpfdump help' lists, a page with the standard sections whose OPTIONS and SYNOPSIS name
# the same long options as the command's --help; 'help CMD' and 'CMD --help' agree;
# bpfdump-dump(8) documents every target of this kernel; --version reports the features.
source "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAN=$ROOT/$BUILD/man
# harmless when the Makefile already includes mk/install.mk (it guards itself)
MK=(make -s --no-print-directory -C "$ROOT" -f Makefile -f mk/install.mk BUILD="$BUILD")

if ! timeout 900 "${MK[@]}" man >"$TMP/make.out" 2>&1; then
	fail "make man (rst2man --strict, groff -ww): $(tail -c 400 "$TMP/make.out")"
	exit 1
fi
ok "make man builds $(ls "$MAN"/*.8 | wc -l) pages, rst2man --strict and groff -ww clean"

# render PAGE: plain ASCII, no hyphenation, lines long enough never to wrap an option
render() { LC_ALL=C groff -man -Tascii -P-cbou -rHY=0 -rLL=250n "$1" 2>/dev/null; }
# section TEXT-FILE NAME: the lines of one section (headings start in column 0)
section() { awk -v s="$2" '/^[A-Z]/ { on = ($0 == s); next } on' "$1"; }
longopts() { grep -oE -- '--[a-z][a-z0-9-]*' | sort -u; }
# the options part of --help: "Options:" lines that start with blanks and a dash, cut
# where the description starts (two blanks)
help_opts() { sed -n '/^Options:/,$p' | grep -E '^[[:space:]]+-' | sed -E 's/^[[:space:]]+//; s/  .*//'; }
help_usage() { awk '/^Usage:/ { on = 1 } on && NF == 0 { exit } on'; }

cmds=$("$BPFDUMP" help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
if [ -z "$cmds" ]; then
	fail "bpfdump help lists no commands"
	exit 1
fi

# man -l as lintian runs it: any warning fails
for page in "$MAN"/*.8; do
	w=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
	[ -n "$w" ] && echo "$(basename "$page"): $w"
done >"$TMP/manwarn"
if [ -s "$TMP/manwarn" ]; then fail "man --warnings -l: $(head -c 400 "$TMP/manwarn")"
else ok "man --warnings -l: no warnings in any page"; fi

render "$MAN/bpfdump.8" >"$TMP/bpfdump.txt"
missing=
for c in $cmds; do
	section "$TMP/bpfdump.txt" COMMANDS | grep -qE "^ +$c( |$)" || missing+=" $c"
	section "$TMP/bpfdump.txt" "SEE ALSO" | grep -q "bpfdump-$c(8)" || missing+=" see-also:$c"
done
if [ -z "$missing" ]; then ok "bpfdump(8) lists every command and refers to its page"
else fail "bpfdump(8) lacks:$missing"; fi

for c in $cmds; do
	page=$MAN/bpfdump-$c.8
	if [ ! -f "$page" ]; then
		fail "$c: no man page bpfdump-$c.8 (docs/bpfdump-$c.rst)"
		continue
	fi
	render "$page" >"$TMP/$c.txt"
	"$BPFDUMP" "$c" --help >"$TMP/$c.help" 2>&1
	"$BPFDUMP" help "$c" >"$TMP/$c.help2" 2>&1
	if cmp -s "$TMP/$c.help" "$TMP/$c.help2"; then ok "$c: 'help $c' and '$c --help' agree"
	else fail "$c: 'help $c' and '$c --help' differ"; fi

	lack=
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES "EXIT STATUS" "SEE ALSO"; do
		grep -qx "$s" "$TMP/$c.txt" || lack+=" '$s'"
	done
	if [ -z "$lack" ]; then ok "$c: man page has NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES EXIT STATUS SEE ALSO"
	else fail "$c: man page lacks$lack"; fi

	want=$(help_opts <"$TMP/$c.help" | longopts)
	got=$(section "$TMP/$c.txt" OPTIONS | longopts)
	if [ "$want" = "$got" ]; then
		ok "$c: OPTIONS of the man page = options of --help ($(echo $want))"
	else
		fail "$c: OPTIONS differ: --help only: '$(comm -23 <(echo "$want") <(echo "$got") | xargs)'," \
		     "man only: '$(comm -13 <(echo "$want") <(echo "$got") | xargs)'"
	fi

	want=$(help_usage <"$TMP/$c.help" | longopts)
	got=$(section "$TMP/$c.txt" SYNOPSIS | longopts)
	if [ "$want" = "$got" ]; then ok "$c: SYNOPSIS names the options of its Usage"
	else fail "$c: SYNOPSIS '$(echo $got)' vs Usage '$(echo $want)'"; fi
done

# the field language, the predicates and every target of this kernel, with examples
render "$MAN/bpfdump-dump.8" >"$TMP/dumpman.txt"
check "bpfdump-dump(8) documents the field language and the predicate grammar" \
	bash -c "grep -qx 'FIELD LANGUAGE' '$TMP/dumpman.txt' && grep -qx 'PREDICATES' '$TMP/dumpman.txt' &&
		 grep -q 'path *:= *ident' '$TMP/dumpman.txt' && grep -q 'cmp *:= *arith' '$TMP/dumpman.txt'"
section "$TMP/dumpman.txt" TARGETS >"$TMP/targets.txt"
missing=
for t in $("$BPFDUMP" targets 2>/dev/null); do
	# the entry: from "TARGET (root..." to the next entry, continuation lines joined
	awk -v t="$t" '/^       [a-z]/ { on = index($0, "       " t " (root") == 1; next } on' \
		"$TMP/targets.txt" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' >"$TMP/entry"
	grep -qE "bpfdump dump $t .*-w '" "$TMP/entry" || missing+=" $t"
done
if [ -z "$missing" ]; then ok "bpfdump-dump(8) TARGETS: every target of this kernel with a -w example"
else fail "bpfdump-dump(8) TARGETS lacks:$missing"; fi

# --version: versions and one line per kernel feature
"$BPFDUMP" --version >"$TMP/version" 2>"$TMP/version.err"
rc=$?
lack=
for f in BTF iterators "open-coded iterators" fentry kprobes ringbuf; do
	grep -qE "^ *$f: (yes|no)( \(.*\))?$" "$TMP/version" || lack+=" '$f'"
done
if [ $rc -eq 0 ] && [ -z "$lack" ] && grep -q '^libbpf ' "$TMP/version"; then
	ok "--version: version, libbpf, and BTF, iterators, open-coded iterators, fentry, kprobes, ringbuf"
else
	fail "--version (exit $rc) lacks$lack: $(head -c 300 "$TMP/version") (is --version calling print_version() of src/cli/version.c?)"
fi
if [ -r /sys/kernel/btf/vmlinux ]; then want=yes; else want=no; fi
expect_eq "--version: BTF matches /sys/kernel/btf/vmlinux" "$want" \
	"$(sed -n 's/^ *BTF: \([a-z]*\).*/\1/p' "$TMP/version")"
n=$("$BPFDUMP" targets 2>/dev/null | wc -l)
expect_eq "--version: iterators count = bpfdump targets" "yes ($n targets)" \
	"$(sed -n 's/^ *iterators: //p' "$TMP/version")"
if [ -e /sys/bus/event_source/devices/kprobe ] || [ -e /sys/kernel/tracing/kprobe_events ] ||
   [ -e /sys/kernel/debug/tracing/kprobe_events ]; then want=yes; else want=no; fi
expect_eq "--version: kprobes matches the kprobe PMU / kprobe_events" "$want" \
	"$(sed -n 's/^ *kprobes: \([a-z]*\).*/\1/p' "$TMP/version")"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && command -v runuser >/dev/null &&
   runuser -u nobody -- test -x "$BPFDUMP"; then
	out=$(timeout 60 runuser -u nobody -- "$BPFDUMP" --version 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && grep -qE '^ *BTF: (yes|no)' <<<"$out" && grep -qE '^ *ringbuf: (yes|no)' <<<"$out"; then
		ok "--version as nobody: exit 0, every feature line ($(grep -E '^ *(fentry|ringbuf):' <<<"$out" | xargs))"
	else
		fail "--version as nobody: exit $rc: $(head -c 300 <<<"$out")"
	fi
else
	skip "--version as nobody: needs root, a nobody user and runuser"
fi
