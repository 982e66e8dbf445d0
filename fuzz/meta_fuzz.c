// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
// FUZZ_SRCS: src/lib/pin.c src/lib/user_obj.c src/lib/context.c src/lib/load.c src/lib/read.c src/lib/read_ahead.c src/lib/path_cache.c src/lib/btf.c src/lib/plan.c src/lib/names.c src/lib/formats.c src/lib/format.c src/lib/strbuf.c src/lib/util.c src/lib/output.c src/lib/targets.c src/lib/log.c src/lib/query.c src/lib/scope.c src/lib/codegen.c src/lib/codegen_text.c src/lib/insn.c src/lib/rows.c src/lib/map_syscall.c
// FUZZ_LIBS: -lbpf -lelf -lz -lpthread
/*
 * libFuzzer harness for the pin metadata parser, bd_meta_get(): the text of a
 * pinned dumper's @meta twin (KEY=VALUE lines, '\n' and '\\' escaped) is what
 * bpfdump cat and the view trust to rebuild a query, and a bpffs file is what
 * an attacker may try to swap. The input's first byte picks an out length and
 * its second the length of a key of its own; the rest is the metadata text.
 * Every known key, the input's key and an empty key are looked up with out
 * buffers of exactly len bytes (ASan sees one byte too many) for several
 * lengths from 1 up. Checks: the text is not read past its NUL (ASan), out is
 * untouched when the key is absent, and when present it is NUL-terminated
 * within len and equals a reference decoder's value of the first line that
 * starts with KEY=, cut to len - 1 bytes. len 0 is not tried: bd_meta_get
 * writes out[0] even then (every caller passes a sized array).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pin.h"

#define check(cond)                  \
	do {                         \
		if (!(cond))         \
			abort();     \
	} while (0)

#define FILL 0xa5

static const char *const keys[] = {
	"created_by", "target", "columns", "where", "pid", "tid", "cgroup", "order", "map_id",
	"scope_where", "pidns_level", "netns", "netns_ino", "text_link_id", "bin_link_id",
	"meta_version", "created", "uid", "map",
};

/* The documented format, decoded independently: the first line (from the text's
 * start or after a '\n') that starts with k and '='; its value up to the next
 * unescaped '\n', "\n" read as a newline and "\X" as X; at most len - 1 bytes.
 * Returns false when no line has the key. */
static bool ref_get(const char *meta, const char *k, char *out, size_t len)
{
	size_t kl = strlen(k), line = 0, i, o = 0;
	size_t n = strlen(meta);

	for (;;) {
		if (line >= n)
			return false;
		if (n - line > kl && !memcmp(meta + line, k, kl) && meta[line + kl] == '=')
			break;
		while (line < n && meta[line] != '\n')
			line++;
		line++;		/* past the '\n' (or past the end) */
	}
	for (i = line + kl + 1; i < n && meta[i] != '\n' && o + 1 < len; i++) {
		if (meta[i] == '\\' && i + 1 < n) {
			i++;
			out[o++] = meta[i] == 'n' ? '\n' : meta[i];
		} else {
			out[o++] = meta[i];
		}
	}
	out[o] = '\0';
	return true;
}

static void get_one(const char *meta, const char *k, size_t len)
{
	char *out = malloc(len), *want = malloc(len);
	bool found, ref;
	size_t i;

	check(out && want);
	memset(out, FILL, len);
	found = bd_meta_get(meta, k, out, len);
	ref = ref_get(meta, k, want, len);
	check(found == ref);
	if (found) {
		check(memchr(out, '\0', len));
		check(!strcmp(out, want));
	} else {
		for (i = 0; i < len; i++)
			check((unsigned char)out[i] == FILL);
	}
	free(want);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t lens[] = { 1, 2, 3, 8, 32, 64, 4096 };
	size_t pick, klen, i, j;
	char *key, *meta;

	if (size < 2)
		return 0;
	pick = 1 + data[0] * 33;	/* 1 .. 8416: around every buffer size callers use */
	klen = data[1] % 24;
	data += 2;
	size -= 2;
	if (klen > size)
		klen = size;
	key = malloc(klen + 1);
	meta = malloc(size - klen + 1);
	if (!key || !meta)
		goto free_bufs;
	memcpy(key, data, klen);
	key[klen] = '\0';
	memcpy(meta, data + klen, size - klen);
	meta[size - klen] = '\0';

	/* each known key with the input's length, the smallest and a page; the
	 * others cycle through the keys so that every pair is tried over the corpus */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		get_one(meta, keys[i], 1);
		get_one(meta, keys[i], pick);
		get_one(meta, keys[i], lens[(i + pick) % (sizeof(lens) / sizeof(lens[0]))]);
	}
	/* a key of the input's own (it may hold '=', '\n' or be empty) */
	for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++)
		get_one(meta, key, lens[j]);
	get_one(meta, key, pick);
	get_one(meta, "", pick);
free_bufs:
	free(meta);
	free(key);
	return 0;
}
