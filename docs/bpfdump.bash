# bash completion for bpfdump(8)                                       -*- shell-script -*-
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# What it offers, and where it comes from (so it cannot drift from the program):
#   commands                 'bpfdump help' (its Commands: list)
#   options of a command     'bpfdump CMD --help' (its Options: list; "OPT ARG" takes a value)
#   targets                  'bpfdump targets'
#   roots of -o/-w fields    'bpfdump targets -J TARGET' (the context members)
#   members after -> or .    'bpfdump __complete-members TARGET PATH'
#   functions (info, trace)  'bpfdump __complete-funcs PREFIX'
#   pinned dumpers (cat, rm) files under /sys/fs/bpf, without their @bin/@meta twins
# Every call to bpfdump has its stderr sent to /dev/null and its result checked: nothing
# is ever printed into the terminal, as a user without privileges or without BTF.
# Needs only bash (not the bash-completion package).

# bpfdump ARGS..., the binary being completed, with the line's --btf; quiet.
_bpfdump_q()
{
	"$_bd_prog" "${_bd_gopts[@]}" "$@" 2>/dev/null
}

# Bash splits words at COMP_WORDBREAKS (=, >, :, @, ( among them): 'task->mm' arrives
# as 'task-' '>' 'mm'. Join the pieces back where no blank separated them.
# Sets words[] and cword.
_bpfdump_words()
{
	local line=${COMP_LINE-} i w rest join aligned=1

	[[ -n ${COMP_LINE+x} ]] || aligned=0
	line=${line:0:${COMP_POINT:-${#line}}}
	words=()
	cword=0
	for ((i = 0; i < ${#COMP_WORDS[@]} && i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		join=0
		if ((aligned)); then
			rest=${line#"${line%%[![:space:]]*}"}
			if [[ $rest != "$w"* ]]; then
				aligned=0
			elif ((i > 0 && ${#rest} == ${#line})) &&
			     [[ $w == [=\>:@\(]* || ${words[${#words[@]} - 1]} == *[=\>:@\(] ]]; then
				join=1
			fi
			line=${rest:${#w}}
		fi
		if ((join)); then
			words[${#words[@]} - 1]+=$w
		else
			words+=("$w")
		fi
		((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
	done
	return 0
}

# _bpfdump_add BASE WORD...: offer BASE+WORD for each that extends cur. COMPREPLY holds
# them as bash will insert them: relative to rcur, the text bash replaces.
_bpfdump_add()
{
	local base=$1 w full cut=$((${#cur} - ${#rcur}))

	shift
	((cut < 0)) && cut=0
	for w; do
		full=$base$w
		[[ $full == "$cur"* ]] && COMPREPLY+=("${full:cut}")
	done
	return 0
}

_bpfdump_nospace()
{
	compopt -o nospace 2>/dev/null
	return 0
}

_bpfdump_commands()
{
	_bpfdump_q help | awk '/^Commands:/ { on = 1; next }
		on && /^  [a-z]/ { print $1; next }
		on && NF == 0 { exit }'
}

# Options of a command, one per line, "OPT" or "OPT=" for one that takes a value, from
# its --help: "-o, --output FIELDS" gives -o= and --output=.
_bpfdump_cmd_opts()
{
	_bpfdump_q "$1" --help | awk '
		/^[A-Za-z ]*[Oo]ptions:/ { on = 1; next }
		!on || !/^[ \t]+-/ { next }
		{
			spec = $0
			sub(/^[ \t]+/, "", spec)
			sub(/  .*/, "", spec)
			n = split(spec, item, /, */)
			pending = ""
			for (i = 1; i <= n; i++) {
				m = split(item[i], w, " ")
				if (w[1] !~ /^-/)
					continue
				if (m == 1 && w[1] ~ /^-[^-]/ && i < n) {
					pending = pending " " w[1]
					continue
				}
				arg = m > 1 ? "=" : ""
				k = split(pending, p, " ")
				for (j = 1; j <= k; j++)
					print p[j] arg
				pending = ""
				print w[1] arg
			}
		}'
}

_bpfdump_targets()
{
	_bpfdump_q targets
}

# Field paths for -o/-w of TARGET: roots, then members after '->' or '.'.
_bpfdump_fields()
{
	local target=$1 re path part base names

	[[ -n $target ]] || return 0
	re='([A-Za-z_][A-Za-z0-9_]*((->|\.)[A-Za-z_][A-Za-z0-9_]*|\[[0-9]*\])*)(->|\.)([A-Za-z0-9_]*)$'
	if [[ $cur =~ $re ]]; then
		path=${BASH_REMATCH[1]}
		part=${BASH_REMATCH[5]}
		names=$(_bpfdump_q __complete-members "$target" "$path") || names=
	else
		[[ $cur =~ [A-Za-z0-9_]*$ ]]
		part=${BASH_REMATCH[0]}
		names=$(_bpfdump_q targets -J "$target" | grep -o '"name":"[^"]*"' | cut -d'"' -f4)
	fi
	base=${cur:0:${#cur} - ${#part}}
	# shellcheck disable=SC2086 # one name per line
	[[ -n $names ]] && _bpfdump_add "$base" $names
	_bpfdump_nospace
}

# Files (and directories, with a '/') matching cur; $1: "pins" leaves out the @bin and
# @meta twins of pinned dumpers, "dirs" keeps directories only, "objs" *.o files; $2: the
# place offered when cur is empty.
_bpfdump_paths()
{
	local kind=$1 start=${2-} f n=0 onefile=0

	if [[ -z $cur && -n $start ]]; then
		_bpfdump_add "" "$start"
		_bpfdump_nospace
		return 0
	fi
	while IFS= read -r f; do
		if [[ -d $f ]]; then
			f+=/
		else
			case $kind in
			dirs) continue ;;
			pins) [[ $f == *@bin || $f == *@meta ]] && continue ;;
			objs) [[ $f == *.o ]] || continue ;;
			esac
			onefile=1
		fi
		_bpfdump_add "" "$f"
		n=$((n + 1))
	done < <(compgen -f -- "$cur" 2>/dev/null)
	((n == 1 && onefile)) || _bpfdump_nospace
}

_bpfdump_pids()
{
	local p pids=()

	for p in /proc/[0-9]*; do
		pids+=("${p#/proc/}")
	done
	_bpfdump_add "" "${pids[@]}"
}

_bpfdump_funcs()
{
	local names

	[[ $cur == *[\(\ ]* ]] && return 0	# inside a trace spec's arguments
	[[ $cur =~ ^(tp:)?[A-Za-z0-9_:]*$ ]] || return 0
	[[ $cur == tp:* ]] && return 0	# tracepoints: not from BTF FUNCs
	names=$(_bpfdump_q __complete-funcs "$cur") || return 0
	# shellcheck disable=SC2086 # one name per line
	_bpfdump_add "" $names
}

# The value of option $1 of command $2; cur is the value (vbase: text before it in cur).
_bpfdump_value()
{
	local opt=$1 cmd=$2 target=$3 save=$cur

	case $cmd:$opt in
	dump:-o | dump:--output | dump:-w | dump:--where | pin:-o | pin:--output | \
	pin:-w | pin:--where)
		_bpfdump_fields "$target"
		;;
	*:--pid | *:--tid | *:-p | *:--target-pid | *:--container)
		_bpfdump_pids
		;;
	*:--netns)
		if [[ -d /run/netns ]]; then _bpfdump_paths files /run/netns/
		else _bpfdump_paths files /proc/; fi
		;;
	*:--pidns | *:--mntns)
		_bpfdump_paths files /proc/
		;;
	*:--cgroup)
		_bpfdump_paths dirs /sys/fs/cgroup/
		;;
	*:--order)
		_bpfdump_add "" self descendants_pre descendants_post ancestors_up
		;;
	*:--map)
		local names
		names=$(_bpfdump_q dump bpf_map -r -n -o 'name=map->name') || names=
		# shellcheck disable=SC2086 # one name per line
		[[ -n $names ]] && _bpfdump_add "" $names
		;;
	pin:--mode)
		_bpfdump_add "" 0444 0440 0400 0644 0640 0600
		;;
	trace:--mode)
		_bpfdump_add "" fentry kprobe tp_btf raw_tp tracepoint
		;;
	snapshot:-o | snapshot:--output)
		_bpfdump_add "" task creds memory files sockets cgroups namespaces limits
		;;
	*:--owner)
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -u -- "$rcur")
		;;
	*:--group)
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -g -- "$rcur")
		;;
	*:--btf | serve:--config | metrics:--config)
		_bpfdump_paths files
		;;
	metrics:--textfile)
		_bpfdump_paths dirs
		;;
	serve:--listen)
		_bpfdump_add "" 127.0.0.1:9435
		;;
	esac
	cur=$save
}

_bpfdump()
{
	local words cword cur rcur prev _bd_prog _bd_gopts=() i w cmd='' cmdi=0 o
	local -a opts=() pos=()

	COMPREPLY=()
	_bpfdump_words
	cur=${words[cword]}
	# what bash replaces: its $2; bash leaves it empty after '=', '>', ':', '@'
	if (($# >= 2)); then
		rcur=$2
	else
		rcur=${COMP_WORDS[COMP_CWORD]}
		[[ $rcur =~ ^[=\>:@\(]+$ ]] && rcur=''
	fi
	# an opening quote is not part of what bash replaces
	case $cur in \'* | \"*) cur=${cur:1} ;; esac
	case $rcur in \'* | \"*) rcur=${rcur:1} ;; esac
	prev=''
	((cword > 0)) && prev=${words[cword - 1]}

	_bd_prog=${words[0]:-bpfdump}
	_bd_prog=${_bd_prog/#\~/$HOME}
	command -v -- "$_bd_prog" >/dev/null 2>&1 || _bd_prog=bpfdump

	# global options, then the command
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
		--btf) ((i + 1 < cword)) && _bd_gopts=(--btf "${words[i + 1]}"); i=$((i + 1)) ;;
		--btf=*) _bd_gopts=(--btf "${w#--btf=}") ;;
		-*) ;;
		*) cmd=$w; cmdi=$i; break ;;
		esac
	done

	if [[ -z $cmd ]]; then
		case $prev in
		--btf)
			_bpfdump_paths files
			return 0
			;;
		esac
		if [[ $cur == --btf=* ]]; then
			local vb=--btf=
			cur=${cur#"$vb"}
			rcur=${rcur#"$vb"}
			_bpfdump_paths files
			return 0
		fi
		if [[ $cur == -* ]]; then
			_bpfdump_add "" -v --verbose --btf --version -h --help
		else
			# shellcheck disable=SC2046 # one command per line
			_bpfdump_add "" $(_bpfdump_commands) help
		fi
		return 0
	fi

	if [[ $cmd == help ]]; then
		((cword == cmdi + 1)) || return 0
		# shellcheck disable=SC2046
		_bpfdump_add "" $(_bpfdump_commands)
		return 0
	fi

	mapfile -t opts < <(_bpfdump_cmd_opts "$cmd")

	# positionals before the cursor, skipping options and their values
	for ((i = cmdi + 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
		--*=*) ;;
		-*)
			for o in "${opts[@]}"; do
				[[ $o == "$w=" ]] && { i=$((i + 1)); break; }
			done
			;;
		*) pos+=("$w") ;;
		esac
	done

	# the value of an option: "--opt VALUE" or "--opt=VALUE"
	if [[ $cur == --*=* ]]; then
		local vopt=${cur%%=*}
		for o in "${opts[@]}"; do
			if [[ $o == "$vopt=" ]]; then
				local vb=$vopt=
				cur=${cur#"$vb"}
				# rcur is what bash replaces: at most the value
				((${#rcur} > ${#cur})) && rcur=${rcur: -${#cur}}
				[[ -z $cur ]] && rcur=''
				_bpfdump_value "$vopt" "$cmd" "${pos[0]-}"
				return 0
			fi
		done
	fi
	if [[ $prev == -* && $prev != --*=* ]]; then
		for o in "${opts[@]}"; do
			if [[ $o == "$prev=" ]]; then
				_bpfdump_value "$prev" "$cmd" "${pos[0]-}"
				return 0
			fi
		done
	fi

	if [[ $cur == -* ]]; then
		_bpfdump_add "" "${opts[@]%=}"
		return 0
	fi

	case $cmd:${#pos[@]} in
	targets:0 | dump:0)
		# shellcheck disable=SC2046
		_bpfdump_add "" $(_bpfdump_targets)
		;;
	pin:0)
		# shellcheck disable=SC2046
		_bpfdump_add "" $(_bpfdump_targets)
		[[ -n $cur ]] && _bpfdump_paths objs
		;;
	pin:1)
		_bpfdump_paths dirs /sys/fs/bpf/
		;;
	cat:0 | rm:*)
		_bpfdump_paths pins /sys/fs/bpf/
		;;
	show:0)
		_bpfdump_paths dirs /sys/fs/bpf/
		;;
	run:0)
		_bpfdump_paths objs
		;;
	info:* | trace:*)
		_bpfdump_funcs
		;;
	snapshot:*)
		_bpfdump_pids
		;;
	sql:0)
		# the tables: a query is typed in quotes, so only a first word
		# shellcheck disable=SC2046
		_bpfdump_add "" $(_bpfdump_targets)
		;;
	esac
	return 0
}

complete -F _bpfdump bpfdump
