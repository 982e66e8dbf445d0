#!/usr/bin/env bash
# Bash completion (docs/bpfdump.bash) against bpfdump itself: the function that
# 'complete -p bpfdump' names is called with COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT
# split the way bash splits them, and COMPREPLY is compared with what bpfdump says
# (its help, its targets, BTF). As nobody and without BTF it must print nothing on stderr.
source "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
COMPLETION=$ROOT/docs/bpfdump.bash

if [ ! -f "$COMPLETION" ]; then
	skip "no $COMPLETION"
	exit 77
fi
if [ ! -x "$BPFDUMP" ]; then
	fail "no $BPFDUMP (build first)"
	exit 1
fi

# the hidden commands the completion asks (src/cli/complete.c, registered in main.c)
hint=
"$BPFDUMP" __complete-members task task >/dev/null 2>&1 ||
	hint=" (bpfdump has no working __complete-members/__complete-funcs: register cmd_complete in src/cli/main.c)"

# the driver: a bash that sources the completion and answers "complete LINE" requests
cat >"$TMP/driver.bash" <<'EOF'
set -u
source "$1"
spec=$(complete -p bpfdump 2>&1) || { echo "NOSPEC $spec"; exit 1; }
fn=$(sed -n 's/.*-F \([^ ]*\).*/\1/p' <<<"$spec")
[ -n "$fn" ] || { echo "NOFUNC $spec"; exit 1; }
BIN=$2
shift 2
# split LINE like bash: blanks separate words, a run of COMP_WORDBREAKS characters
# (= > < : @ ( etc.) is a word of its own; a trailing blank starts an empty word.
split_line() {
	local line=$1 i c kind prev='' tok=''
	COMP_WORDS=()
	for ((i = 0; i < ${#line}; i++)); do
		c=${line:i:1}
		case $c in
		' ') kind=blank ;;
		[=\>\<:@\(\;\|\&]) kind=brk ;;
		*) kind=word ;;
		esac
		if [ "$kind" != "$prev" ] && [ -n "$tok" ]; then
			COMP_WORDS+=("$tok")
			tok=''
		fi
		[ "$kind" != blank ] && tok+=$c
		prev=$kind
	done
	if [ -n "$tok" ]; then COMP_WORDS+=("$tok"); else COMP_WORDS+=(""); fi
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
}
for line in "$@"; do
	line=${line//@BIN@/$BIN}
	COMP_LINE=$line
	COMP_POINT=${#line}
	if [[ $line == *"'"* ]]; then	# an open quote: bash does not split inside it
		read -r -a COMP_WORDS <<<"${line%%\'*}"
		[[ $line == *" " ]] && COMP_WORDS+=("")
		COMP_WORDS+=("'${line#*\'}")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		cur=${COMP_WORDS[COMP_CWORD]:1}
	else
		split_line "$line"
		cur=${COMP_WORDS[COMP_CWORD]}
		[[ $cur =~ ^[=\>\<:@\(]+$ ]] && cur=''
	fi
	COMPREPLY=()
	"$fn" "${COMP_WORDS[0]}" "$cur" "${COMP_WORDS[COMP_CWORD - 1]-}"
	printf '%s\n' "${COMPREPLY[@]}" | sort -u
	echo "--END--"
done
EOF

# comp LINE: the candidates, sorted, one per line, into $TMP/out; stderr into $TMP/err
comp() {
	timeout 60 bash "$TMP/driver.bash" "$COMPLETION" "$BPFDUMP" "$1" >"$TMP/out" 2>"$TMP/err"
	sed -i '/^--END--$/d;/^$/d' "$TMP/out"
}
has() { grep -qx -- "$1" "$TMP/out"; }
list() { tr '\n' ' ' <"$TMP/out" | head -c 300; }

comp "@BIN@ "
want=$( { "$BPFDUMP" help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'; echo help; } | sort -u)
expect_eq "commands are bpfdump help's" "$(xargs <<<"$want")" "$(xargs <"$TMP/out")"

comp "@BIN@ dump -"
want=$("$BPFDUMP" dump --help | sed -n '/^Options:/,$p' | grep -oE -- '(^|[ ,])--?[A-Za-z][a-z0-9-]*' |
	sed 's/^[ ,]*//' | sort -u)
expect_eq "dump options are dump --help's" "$(xargs <<<"$want")" "$(xargs <"$TMP/out")"

comp "@BIN@ pin task /tmp/x --"
check "pin options include --mode --owner --group --force" \
	bash -c "grep -qx -- --mode '$TMP/out' && grep -qx -- --owner '$TMP/out' &&
		 grep -qx -- --group '$TMP/out' && grep -qx -- --force '$TMP/out'"

comp "@BIN@ dump "
expect_eq "dump TARGET: targets equal 'bpfdump targets'" \
	"$("$BPFDUMP" targets 2>/dev/null | sort | xargs)" "$(xargs <"$TMP/out")"

comp "@BIN@ dump ta"
expect_eq "dump ta: task targets" "task task_file task_vma" "$(xargs <"$TMP/out")"

comp "@BIN@ dump task -o "
expect_eq "-o roots of task: its context members" "task" "$(xargs <"$TMP/out")"

comp "@BIN@ dump task_file -o pid=task->tgid,f"
expect_eq "-o after a comma: roots of task_file (as bash inserts them)" "tgid,fd tgid,file" "$(xargs <"$TMP/out")"

comp "@BIN@ dump task -o task->"
if has mm && has pid && has comm; then
	ok "task-> offers mm, pid, comm ($(wc -l <"$TMP/out") members)"
else
	fail "task-> offers mm, pid, comm: got '$(list)' stderr '$(head -c 200 "$TMP/err")'$hint"
fi

comp "@BIN@ dump task -o pid=task->m"
if has mm && ! has pid && ! grep -qv '^m' "$TMP/out"; then
	ok "pid=task->m offers members starting with m (mm among them)"
else
	fail "pid=task->m: got '$(list)'$hint"
fi

comp "@BIN@ dump task -o task->mm->total_v"
expect_eq "task->mm->total_v completes through mm_struct" "total_vm" "$(xargs <"$TMP/out")"

comp "@BIN@ dump tcp -w sk_common->skc_st"
expect_eq "tcp -w sk_common->skc_st" "skc_state" "$(xargs <"$TMP/out")"

comp "@BIN@ dump task -w 'task->comm == \"x\" && task->mm->total_v"
expect_eq "quoted -w: the whole quoted text is completed" \
	"task->comm == \"x\" && task->mm->total_vm" "$(cat "$TMP/out")"

comp "@BIN@ dump task --order "
expect_eq "--order values" "ancestors_up descendants_post descendants_pre self" \
	"$(xargs <"$TMP/out")"

comp "@BIN@ dump task --pid=$$"
check "--pid=N offers this shell's pid" has "$$"

comp "@BIN@ help "
check "help COMMAND offers dump and targets" bash -c "grep -qx dump '$TMP/out' && grep -qx targets '$TMP/out'"

# pinned dumpers: a file and its twins, in a directory the test makes
mkdir -p "$TMP/pins/sub"
touch "$TMP/pins/listen" "$TMP/pins/listen@bin" "$TMP/pins/listen@meta"
comp "@BIN@ rm $TMP/pins/"
expect_eq "rm PATH: pins without their @bin/@meta twins" "$TMP/pins/listen $TMP/pins/sub/" \
	"$(xargs <"$TMP/out")"
comp "@BIN@ cat "
expect_eq "cat with nothing typed offers /sys/fs/bpf/" "/sys/fs/bpf/" "$(cat "$TMP/out")"

if "$BPFDUMP" help 2>/dev/null | grep -q '^  info '; then
	comp "@BIN@ info do_sys_opena"
	check "info FUNC: kernel functions from BTF (do_sys_openat2)$hint" has do_sys_openat2
	comp "@BIN@ trace -c 1 vfs_rea"
	check "trace SPEC: kernel functions from BTF (vfs_read)$hint" has vfs_read
else
	skip "info FUNC: bpfdump has no info command"
fi

# nothing on stderr, ever: as root without BTF, and as nobody with and without it
LINES_TO_TRY=("@BIN@ " "@BIN@ dump " "@BIN@ dump task -o task->" "@BIN@ dump task -o task->mm->"
	      "@BIN@ dump bpf_map_elem --map " "@BIN@ info do_sys" "@BIN@ rm /sys/fs/bpf/"
	      "@BIN@ show " "@BIN@ dump task -w 'task->comm == \"a\" && task->m" "@BIN@ pin ta")
quiet() { # NAME USER-PREFIX... -- BTF-ARGS
	local name=$1 out
	shift
	out=$(timeout 120 "$@" bash "$TMP/driver.bash" "$COMPLETION" "$BPFDUMP" \
		"${LINES_TO_TRY[@]}" 2>&1 >/dev/null)
	if [ -z "$out" ]; then ok "$name: nothing on stderr"; else fail "$name: stderr: $(head -c 300 <<<"$out")"; fi
}
saved=("${LINES_TO_TRY[@]}")
LINES_TO_TRY=("${saved[@]/@BIN@/@BIN@ --btf /nonexistent/vmlinux}")
quiet "root, BTF missing" env
comp "@BIN@ --btf /nonexistent/vmlinux dump "
expect_eq "root, BTF missing: no targets offered" "" "$(cat "$TMP/out")"

if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && command -v runuser >/dev/null; then
	chmod 755 "$TMP"
	if runuser -u nobody -- test -r "$COMPLETION" -a -x "$BPFDUMP"; then
		LINES_TO_TRY=("${saved[@]}")
		quiet "nobody" runuser -u nobody --
		LINES_TO_TRY=("${saved[@]/@BIN@/@BIN@ --btf /nonexistent/vmlinux}")
		quiet "nobody, BTF missing" runuser -u nobody --
		out=$(timeout 60 runuser -u nobody -- bash "$TMP/driver.bash" "$COMPLETION" "$BPFDUMP" \
			"@BIN@ dump " 2>/dev/null | grep -vc -- '--END--')
		expect_eq "nobody: targets still offered (BTF is world-readable)" \
			"$("$BPFDUMP" targets 2>/dev/null | wc -l)" "$out"
	else
		skip "nobody: cannot read $COMPLETION or run $BPFDUMP"
	fi
else
	skip "nobody: needs root, a nobody user and runuser"
fi
