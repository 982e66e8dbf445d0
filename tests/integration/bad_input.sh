#!/usr/bin/env bash
# Bad input: exit 1 or 2, exactly one line on stderr naming the problem, never a crash or a hang.
source "$(dirname "$0")/../lib.sh"

# as lib.sh's, but a multi-line value is shown with \n so the result stays on one line
expect_eq() {
	if [ "$2" == "$3" ]; then ok "$1"; else fail "$1: expected '${2//$'\n'/\\n}', got '${3//$'\n'/\\n}'"; fi
}

# lib.sh's bad_input, with a multi-line stderr quoted as \n so each result stays one line
eval "$(declare -f bad_input | sed '1s/^bad_input/_lib_bad_input/')"
bad_input() {
	local out
	out=$(_lib_bad_input "$@")
	echo "${out//$'\n'/\\n}"
}

B() { timeout 60 "$BPFDUMP" "$@"; }

# targets and options
bad_input "unknown target lists the valid ones" "not an iterator target of this kernel; targets: " B dump nosuchtarget
msg=$(cat "$TMP/bad.err")
targets=$(B targets)
missing=$(for t in $targets; do grep -qw -- "$t" <<<"$msg" || echo "$t"; done | tr '\n' ' ')
[ -n "$targets" ] || missing="(bpfdump targets printed nothing)"
expect_eq "unknown target: every target of 'bpfdump targets' ($(wc -w <<<"$targets")) is in the message" "" "$missing"
bad_input "targets NAME of an unknown target" "not an iterator target" B targets nosuchtarget
bad_input "unknown command" "unknown command 'frobnicate'" B frobnicate
bad_input "unknown option" "--frob" B dump task --frob
bad_input "dump without a target" "needs a TARGET" B dump
bad_input "-J with -r" "-J and -r exclude each other" B dump task -J -r
bad_input "--pid not a number" "'abc' is not a positive number" B dump task --pid abc
bad_input "--pid on tcp" "--pid/--tid apply to task" B dump tcp --pid 5
bad_input "--map on tcp" "--map applies to" B dump tcp --map x
# above PID_MAX_LIMIT (4194304): no process can have it
bad_input "--pid of a process that cannot exist names the pid" "4194305" B dump task_file --pid 4194305

# fields and predicates
bad_input "unknown member names the struct" "struct task_struct has no member 'nosuch'" B dump task -o 'task->nosuch'
bad_input "unknown member suggests the nearest" "nearest: comm" B dump task -o 'task->comn'
bad_input "member of a non-struct" "not a struct" B dump task -o 'task->pid->x'
bad_input "type error: char array vs number" "cannot compare char[16] with a number" B dump task -w 'task->comm > 5'
bad_input "type error: integer vs string" "cannot compare pid_t with a string" B dump task -w 'task->pid == "x"'
bad_input "unterminated string" "unterminated string" B dump task -w 'task->comm == "abc'
bad_input "expression cut short" "found end of input" B dump task -w 'task->pid =='
bad_input "unknown function" "function 'nosuchfn'" B dump task -w 'nosuchfn(task->pid) == 1'
bad_input "number out of range" "out of range" B dump task -w 'task->pid == 99999999999999999999'
bad_input "literal beyond a u32" "literal out of range for unsigned int" B dump task -w 'task->flags < 4294967296'
bad_input "literal beyond an s32" "literal out of range for int" B dump task -w 'task->prio < 18446744073709551615'
long_where="$(printf 'task->pid > 1 && %.0s' $(seq 30))task->flags < 4294967296"
bad_input "a long query's message keeps the problem" "literal out of range" B dump task -w "$long_where"
bad_input "a long query's parse error keeps the problem" "found end of input" B dump task -w "${long_where% *}"

# maps
bad_input "bpf_map_elem without --map" "needs --map" B dump bpf_map_elem
bad_input "--map with an unknown name" "no map with this name" B dump bpf_map_elem --map nosuchmap_bdt
bad_input "--map with an unknown id" "no map with this id" B dump bpf_map_elem --map 4000000000
"$HELPERS/sk_maps_hold" bdbad "$TMP/skids" &
at_exit "kill $!"
for _ in $(seq 50); do [ -s "$TMP/skids" ] && break; sleep 0.1; done
bad_input "sockmap over an sk_storage map" "cannot walk a map of type sk_storage (use target bpf_sk_storage_map)" \
	B dump sockmap --map bdbad_sks
bad_input "bpf_sk_storage_map over a sockmap" "cannot walk a map of type sockmap (use target sockmap)" \
	B dump bpf_sk_storage_map --map bdbad_skm
bad_input "bpf_map_elem over a sockmap" "cannot walk a map of type sockmap" B dump bpf_map_elem --map bdbad_skm

# cgroups
bad_input "--cgroup path that does not exist" "$TMP/nosuch" B dump cgroup --cgroup "$TMP/nosuch"
bad_input "--cgroup directory that is not a cgroup" "not a cgroup" B dump cgroup --cgroup "$TMP"
CG2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
bad_input "bad --order lists the valid ones" "not one of self, descendants_pre, descendants_post, ancestors_up" \
	B dump cgroup --cgroup "${CG2:-/sys/fs/cgroup}" --order sideways

# privileges
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	bad_input "not root" "needs root" timeout 60 setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$BPFDUMP" dump task
else
	skip "not root: no user nobody or no setpriv"
fi

# BTF
bad_input "--btf file that does not exist" "cannot open" B --btf "$TMP/nosuch.btf" dump task
: >"$TMP/empty.btf"
bad_input "--btf empty file" "cannot parse" B --btf "$TMP/empty.btf" dump task
head -c 4096 /etc/services >"$TMP/text.btf" 2>/dev/null || printf 'not btf at all\n%.0s' $(seq 100) >"$TMP/text.btf"
bad_input "--btf file that is not BTF" "cannot parse" B --btf "$TMP/text.btf" dump task
check "--btf garbage: the message has no raw libbpf error number ($(cat "$TMP/bad.err"))" \
	sh -c 'grep -q . "$1" && ! grep -q "Unknown error" "$1"' sh "$TMP/bad.err"
