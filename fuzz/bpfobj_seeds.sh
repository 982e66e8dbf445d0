#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# Seeds for bpfobj_fuzz: the test objects (make build/tests/NAME.bpf.o for
# tests/bpf/NAME.bpf.c) without DWARF (BTF kept), plus truncated and corrupted
# copies of the small ones. Usage: fuzz/bpfobj_seeds.sh [DIR]
set -eu

cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DIR=${1:-fuzz/corpus/bpfobj}
STRIP=${STRIP:-llvm-strip}

mkdir -p "$DIR"
for src in tests/bpf/*.bpf.c; do
	name=$(basename "$src" .c)
	make -s "$BUILD/tests/$name.o" >/dev/null
	"$STRIP" -g -o "$DIR/$name.o" "$BUILD/tests/$name.o"
done

# corrupt IN OUT OFFSET BYTE: a copy with one byte changed
corrupt() {
	cp "$1" "$2"
	printf "$4" | dd of="$2" bs=1 seek="$3" conv=notrunc status=none
}

small=$DIR/floor_task_file.bpf.o
big=$DIR/user_iter.bpf.o
for n in 16 64 200 1000 1700; do
	head -c "$n" "$small" >"$DIR/trunc-$n.o"
done
head -c 8192 "$big" >"$DIR/trunc-user-8192.o"
corrupt "$small" "$DIR/bad-class.o" 4 '\x01'		# ELFCLASS32
corrupt "$small" "$DIR/bad-machine.o" 18 '\x3e'	# EM_X86_64, not EM_BPF
corrupt "$small" "$DIR/bad-shoff.o" 41 '\x7f'		# e_shoff past the end
corrupt "$small" "$DIR/bad-shnum.o" 60 '\xff'		# e_shnum
corrupt "$small" "$DIR/bad-shstrndx.o" 62 '\xee'	# e_shstrndx
# the section name iter/task_file renamed: iter/nosuchtarget-length garbage
sed 's|iter/task_file|iter/task_fil\x01|g' "$small" >"$DIR/bad-target.o"
sed 's|iter/task_file|iter.s/bpf_map|g' "$small" >"$DIR/sleepable-bpf_map.o"
du -cb "$DIR" | tail -n 1
