// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * usyms: user addresses of this very process, whose answers the compiler and the
 * loader know: its own functions by their addresses (name, offset, the file
 * /proc/self/exe is), an address in anonymous memory, one mapped nowhere, a
 * process that does not exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "usyms.h"
#include "test.h"

__attribute__((noinline)) int usyms_marker_one(int x)
{
	return x * 3 + 1;
}

__attribute__((noinline)) int usyms_marker_two(int x)
{
	return usyms_marker_one(x) + 2;
}

static const char *frame(struct bd_usyms *us, int pid, __u64 addr)
{
	static struct bd_strbuf b;

	sb_reset(&b);
	bd_usyms__frame(us, pid, addr, &b);
	return b.s ? b.s : "";
}

int main(void)
{
	struct bd_usyms *us = bd_usyms__new();
	char exe[512], want[700];
	struct bd_strbuf out = {};
	__u64 ips[3];
	ssize_t n;
	void *anon;

	if (!ASSERT_TRUE(us, "a symbolizer"))
		return test_summary();
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';

	snprintf(want, sizeof(want), "usyms_marker_one+0x0 (%s)", exe);
	ASSERT_STR_EQ(frame(us, getpid(), (__u64)(unsigned long)usyms_marker_one), want,
		      "a function's own address: its name, +0x0, this executable");
	snprintf(want, sizeof(want), "usyms_marker_two+0x3 (%s)", exe);
	ASSERT_STR_EQ(frame(us, getpid(), (__u64)(unsigned long)usyms_marker_two + 3), want,
		      "inside a function: its name and the offset");
	snprintf(want, sizeof(want), "main+0x0 (%s)", exe);
	ASSERT_STR_EQ(frame(us, getpid(), (__u64)(unsigned long)main), want, "main");

	anon = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	snprintf(want, sizeof(want), "0x%llx", (unsigned long long)(unsigned long)anon + 8);
	ASSERT_STR_EQ(frame(us, getpid(), (__u64)(unsigned long)anon + 8), want,
		      "anonymous memory: the address alone");
	munmap(anon, 4096);
	ASSERT_STR_EQ(frame(us, getpid(), 0x10), "0x10", "mapped nowhere: the address alone");
	ASSERT_STR_EQ(frame(us, 999999999, (__u64)(unsigned long)main),
		      (snprintf(want, sizeof(want), "0x%llx", (unsigned long long)(unsigned long)main),
		       want), "a process that does not exist: the address alone");

	ips[0] = (__u64)(unsigned long)usyms_marker_one + 1;
	ips[1] = 0x10;
	ips[2] = 0;
	bd_ustack_format(us, getpid(), ips, 3, "", true, &out);
	snprintf(want, sizeof(want), "[\"usyms_marker_one+0x1 (%s)\",\"0x10\"]", exe);
	ASSERT_STR_EQ(out.s, want, "JSON: an array of frames, a 0 ends the stack");
	bd_ustack_format(us, getpid(), ips, 1, "  ", false, &out);
	snprintf(want, sizeof(want), "  usyms_marker_one+0x1 (%s)\n", exe);
	ASSERT_STR_EQ(out.s, want, "text: a frame a line after the indent");

	sb_free(&out);
	bd_usyms__free(us);
	return test_summary() || usyms_marker_two(1) != 6;
}
