// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ksyms: the kallsyms symbolizer against fabricated kallsyms files whose every
 * answer is known: lookups below, at, inside and past symbols (unsorted input,
 * aliases, modules, data symbols that are no frame), hidden addresses
 * (kptr_restrict's zeros) never printed, names made printable, a symlink refused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "ksyms.h"
#include "test.h"

static char dir[] = "/tmp/ksyms_test.XXXXXX";

/* path of a new file in dir holding text */
static const char *write_file(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	return path;
}

/* "name+0xoff [mod]" of addr, "NULL" when no symbol covers it */
static const char *lookup(const struct bd_ksyms *ks, __u64 addr)
{
	static char buf[256];
	const char *name, *mod;
	__u64 off;

	name = bd_ksyms__find(ks, addr, &off, &mod);
	if (!name)
		return "NULL";
	snprintf(buf, sizeof(buf), "%s+0x%llx%s%s%s", name, (unsigned long long)off,
		 mod[0] ? " [" : "", mod, mod[0] ? "]" : "");
	return buf;
}

static void test_lookup(void)
{
	/* out of order, as modules and BPF programs are listed after vmlinux */
	const char *text =
		"ffffffff81002000 T do_syscall_64\n"
		"ffffffff81000000 T _stext\n"
		"ffffffff81001000 t helper_a\n"
		"ffffffff81001000 T alias_of_a\n"		/* listed second: not the name */
		"ffffffff81001800 D some_data\n"		/* data: no frame is in it */
		"ffffffff81003000 W weak_fn\n"
		"ffffffffc0100000 t ovl_getattr\t[overlay]\n"
		"ffffffffc0100400 t ovl_open\t[overlay]\n"
		"ffffffffc0200000 t bpf_prog_0123456789abcdef_bd_x\t[bpf]\n"
		"garbage line\n"
		"ffffffff81004000 X odd_type\n";
	struct bd_ksyms *ks = bd_ksyms__load_file(write_file("kallsyms", text));

	if (!ASSERT_TRUE(ks, "load a fabricated kallsyms"))
		return;
	ASSERT_EQ_INT(bd_ksyms__count(ks), 7, "text symbols kept, one per address");
	ASSERT_TRUE(!bd_ksyms__hidden(ks), "addresses shown: not hidden");
	ASSERT_STR_EQ(lookup(ks, 0xffffffff80ffffffULL), "NULL", "below the first symbol: none");
	ASSERT_STR_EQ(lookup(ks, 0xffffffff81000000ULL), "_stext+0x0", "at the first symbol");
	ASSERT_STR_EQ(lookup(ks, 0xffffffff81000fffULL), "_stext+0xfff",
		      "just below the next symbol");
	ASSERT_STR_EQ(lookup(ks, 0xffffffff81001000ULL), "helper_a+0x0",
		      "aliases: the first listed names the address");
	ASSERT_STR_EQ(lookup(ks, 0xffffffff81001900ULL), "helper_a+0x900",
		      "a data symbol is no frame: the text symbol below");
	ASSERT_STR_EQ(lookup(ks, 0xffffffff8100201aULL), "do_syscall_64+0x1a",
		      "inside a function listed first");
	ASSERT_STR_EQ(lookup(ks, 0xffffffff81003010ULL), "weak_fn+0x10", "a weak symbol");
	ASSERT_STR_EQ(lookup(ks, 0xffffffff81004000ULL), "weak_fn+0x1000",
		      "an unknown type is skipped");
	ASSERT_STR_EQ(lookup(ks, 0xffffffffc0100404ULL), "ovl_open+0x4 [overlay]",
		      "a module's function with its module");
	ASSERT_STR_EQ(lookup(ks, 0xffffffffc0200108ULL),
		      "bpf_prog_0123456789abcdef_bd_x+0x108 [bpf]", "a BPF program");
	ASSERT_STR_EQ(lookup(ks, 0xffffffffc0200000ULL + BD_KSYMS_MAX_OFF), "NULL",
		      "farther past the last symbol than any function is long: none");
	bd_ksyms__free(ks);
}

static void test_format(void)
{
	const char *text =
		"ffffffff81000000 T entry_SYSCALL_64\n"
		"ffffffff81000100 T do_syscall_64\n"
		"ffffffffc0000000 t xfs_foo\t[xfs]\n"
		"ffffffff81000200 T bad\x01name\"\\x\n";
	__u64 ips[] = { 0xffffffffc0000010ULL, 0xffffffff81000120ULL, 0xffffffff81000004ULL,
			0x1000ULL, 0, 0xffffffff81000000ULL };
	__u64 bad_ip[] = { 0xffffffff81000201ULL };
	struct bd_ksyms *ks = bd_ksyms__load_file(write_file("fmt", text));
	struct bd_strbuf out = {};

	if (!ASSERT_TRUE(ks, "load the format file"))
		return;
	bd_stack_format(ks, ips, 6, "  ", false, &out);
	ASSERT_STR_EQ(out.s, "  xfs_foo+0x10 [xfs]\n  do_syscall_64+0x20\n  entry_SYSCALL_64+0x4\n"
		      "  0x1000\n", "text: a frame a line, a 0 ends the stack, no symbol: address");
	bd_stack_format(ks, ips, 3, "", true, &out);
	ASSERT_STR_EQ(out.s, "[\"xfs_foo+0x10 [xfs]\",\"do_syscall_64+0x20\","
		      "\"entry_SYSCALL_64+0x4\"]", "JSON: an array of frames");
	bd_stack_format(ks, ips, 0, "", true, &out);
	ASSERT_STR_EQ(out.s, "[]", "JSON: no frames");
	bd_stack_format(ks, bad_ip, 1, "", true, &out);
	ASSERT_STR_EQ(out.s, "[\"bad?name??x+0x1\"]",
		      "control bytes, quotes and backslashes of a name: '?'");
	bd_ksyms__free(ks);

	ks = bd_ksyms__load_file(write_file("bpf",
		"ffffffff81000000 T do_syscall_64\n"
		"ffffffffc0000000 t bpf_prog_0123456789abcdef_bd_x\t[bpf]\n"
		"ffffffffc0001000 t bpf_trampoline_6442\t[bpf]\n"
		"ffffffffc0002000 t bpf_prog_fedcba9876543210_xdp\t[bpf]\n"));
	{
		__u64 bips[] = { 0xffffffffc0000010ULL, 0xffffffffc0001010ULL,
				 0xffffffff81000010ULL, 0xffffffffc0002010ULL };

		bd_stack_format(ks, bips, 4, "", true, &out);
		ASSERT_STR_EQ(out.s, "[\"do_syscall_64+0x10\",\"bpf_prog_fedcba9876543210_xdp+0x10 "
			      "[bpf]\"]", "BPF frames on top (the tracer's) left out, not below");
	}
	bd_ksyms__free(ks);
	sb_free(&out);
}

static void test_hidden(void)
{
	/* kernel.kptr_restrict: the names, every address 0 */
	const char *text =
		"0000000000000000 T _stext\n"
		"0000000000000000 t do_syscall_64\n"
		"0000000000000000 t ovl_open\t[overlay]\n";
	__u64 ips[] = { 0xffffffff81234567ULL, 0xffffffff81000000ULL };
	struct bd_ksyms *ks = bd_ksyms__load_file(write_file("hidden", text));
	struct bd_strbuf out = {};

	if (!ASSERT_TRUE(ks, "load a hidden kallsyms"))
		return;
	ASSERT_TRUE(bd_ksyms__hidden(ks), "all zeros: hidden");
	ASSERT_EQ_INT(bd_ksyms__count(ks), 0, "hidden: no symbol has an address");
	ASSERT_STR_EQ(lookup(ks, 0xffffffff81234567ULL), "NULL", "hidden: nothing resolves");
	bd_stack_format(ks, ips, 2, "  ", false, &out);
	ASSERT_STR_EQ(out.s, "  " BD_KSYMS_HIDDEN_TEXT "\n",
		      "hidden: one line saying why, no address");
	ASSERT_TRUE(!strstr(out.s, "ffffffff") && !strstr(out.s, "0x"),
		    "hidden: the frames' addresses are not printed");
	bd_stack_format(ks, ips, 2, "", true, &out);
	ASSERT_STR_EQ(out.s, "null", "hidden, JSON: null");
	bd_stack_format(NULL, ips, 2, "", false, &out);
	ASSERT_STR_EQ(out.s, BD_KSYMS_HIDDEN_TEXT "\n", "no symbols at all: as hidden");
	bd_ksyms__free(ks);

	ks = bd_ksyms__load_file(write_file("empty", ""));
	ASSERT_TRUE(ks && !bd_ksyms__hidden(ks) && !bd_ksyms__count(ks),
		    "an empty file: nothing, not hidden");
	bd_ksyms__free(ks);
	sb_free(&out);
}

static void test_files(void)
{
	char path[256], target[256], *big;
	struct bd_ksyms *ks;
	size_t n = 4096;

	snprintf(target, sizeof(target), "%s", write_file("target", "ffffffff81000000 T x\n"));
	snprintf(path, sizeof(path), "%s/link", dir);
	if (symlink(target, path))
		perror("symlink");
	errno = 0;
	ks = bd_ksyms__load_file(path);
	ASSERT_TRUE(!ks && errno == ELOOP, "a symlink is not followed (ELOOP)");
	bd_ksyms__free(ks);
	unlink(path);
	errno = 0;
	ks = bd_ksyms__load_file(dir);
	ASSERT_TRUE(!ks && errno, "a directory is refused");
	errno = 0;
	snprintf(path, sizeof(path), "%s/none", dir);
	ks = bd_ksyms__load_file(path);
	ASSERT_TRUE(!ks && errno == ENOENT, "a missing file: ENOENT");

	/* a line longer than the reader's buffer is skipped whole, the next one read */
	big = malloc(n + 64);
	if (!big)
		exit(2);
	memcpy(big, "ffffffff81000000 T ", 19);
	memset(big + 19, 'a', n);
	strcpy(big + 19 + n, "\nffffffff81000100 T after_long\n");
	ks = bd_ksyms__load_file(write_file("long", big));
	ASSERT_TRUE(ks, "load a file with a long line");
	ASSERT_EQ_INT(bd_ksyms__count(ks), 1, "the long line skipped, not split");
	ASSERT_STR_EQ(lookup(ks, 0xffffffff81000104ULL), "after_long+0x4",
		      "the line after the long one");
	bd_ksyms__free(ks);
	free(big);
	unlink(target);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	test_lookup();
	test_format();
	test_hidden();
	test_files();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
	return test_summary();
}
