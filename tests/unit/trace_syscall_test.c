// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests of syscall:NAME's names (src/lib/trace_syscall.c and its table,
 * trace_syscall_names.c), against libc's own: errno names (strerrorname_np) and the
 * values of <fcntl.h>, <sys/mman.h>, <sys/socket.h>, <unistd.h>; kernel enums
 * against the running kernel's BTF.
 */
#include <bpf/btf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "test.h"
#include "trace_syscall.h"

static const struct btf *btf;

/* bd_sc_format's text, or "(number)" when it leaves the value a number */
static const char *fmt(const char *sys, const char *arg, long long v)
{
	static struct bd_strbuf sb;

	sb_reset(&sb);
	if (!bd_sc_format(btf, sys, arg, v, &sb))
		return "(number)";
	return sb.s ? sb.s : "";
}

int main(void)
{
	char name[64];
	int e, bad = 0;

	btf = btf__load_vmlinux_btf();
	/* every errno libc names, named the same */
	for (e = 1; e < 134; e++) {
		const char *want = strerrorname_np(e), *got = bd_sc_errno_name(e);

		if (want && (!got || strcmp(want, got))) {
			printf("FAIL errno %d: libc %s, table %s\n", e, want, got ? got : "(none)");
			bad++;
		}
	}
	ASSERT_EQ_INT(bad, 0, "errno: the table names 1..133 as libc's strerrorname_np does");
	ASSERT_STR_EQ(fmt("openat", "return", -ENOENT), "-ENOENT", "return -ENOENT");
	ASSERT_STR_EQ(fmt("read", "return", -EAGAIN), "-EAGAIN", "return -EAGAIN");
	ASSERT_STR_EQ(fmt("read", "return", -512), "-ERESTARTSYS", "return -ERESTARTSYS (kernel's)");
	ASSERT_STR_EQ(fmt("openat", "return", 3), "(number)", "return 3: a number");
	ASSERT_STR_EQ(fmt("mmap", "return", 0x7f0000001000LL), "0x7f0000001000", "mmap returns an address");

	ASSERT_STR_EQ(fmt("openat", "flags", O_RDONLY | O_CLOEXEC), "O_RDONLY|O_CLOEXEC", "O_RDONLY|O_CLOEXEC");
	ASSERT_STR_EQ(fmt("openat", "flags", O_WRONLY | O_CREAT | O_EXCL | O_TRUNC),
		    "O_WRONLY|O_CREAT|O_EXCL|O_TRUNC", "O_WRONLY|O_CREAT|O_EXCL|O_TRUNC");
	ASSERT_STR_EQ(fmt("open", "flags", O_RDWR | O_APPEND | O_NONBLOCK | O_NOFOLLOW),
		    "O_RDWR|O_APPEND|O_NONBLOCK|O_NOFOLLOW", "O_RDWR|O_APPEND|O_NONBLOCK|O_NOFOLLOW");
	ASSERT_STR_EQ(fmt("openat", "flags", O_RDONLY | O_DIRECTORY | O_PATH),
		    "O_RDONLY|O_DIRECTORY|O_PATH", "O_DIRECTORY alone");
	ASSERT_STR_EQ(fmt("openat", "flags", O_RDWR | O_TMPFILE), "O_RDWR|O_TMPFILE",
		    "O_TMPFILE (holding O_DIRECTORY's bit) as one name");
	ASSERT_STR_EQ(fmt("openat", "flags", O_WRONLY | O_SYNC), "O_WRONLY|O_SYNC",
		    "O_SYNC (holding O_DSYNC's bit) as one name");
	ASSERT_STR_EQ(fmt("openat", "flags", O_WRONLY | O_DSYNC), "O_WRONLY|O_DSYNC", "O_DSYNC");
	ASSERT_STR_EQ(fmt("openat", "flags", O_RDONLY | 0x40000000), "O_RDONLY|0x40000000",
		    "an unknown bit in hex");
	ASSERT_STR_EQ(fmt("openat", "dfd", AT_FDCWD), "AT_FDCWD", "dfd AT_FDCWD");
	ASSERT_STR_EQ(fmt("openat", "dfd", 3), "(number)", "dfd 3: a number");
	ASSERT_STR_EQ(fmt("mmap", "fd", 0xffffffffLL), "-1", "mmap's fd -1 in an unsigned long");
	ASSERT_STR_EQ(fmt("openat", "mode", 0640), "0640", "mode in octal");
	ASSERT_TRUE(bd_sc_unused("openat", "mode", O_RDONLY), "open's mode unused without O_CREAT");
	ASSERT_TRUE(!bd_sc_unused("openat", "mode", O_WRONLY | O_CREAT), "open's mode used with O_CREAT");
	ASSERT_TRUE(!bd_sc_unused("openat", "mode", O_RDWR | O_TMPFILE), "open's mode used with O_TMPFILE");

	ASSERT_STR_EQ(fmt("mmap", "prot", PROT_READ | PROT_WRITE), "PROT_READ|PROT_WRITE", "PROT_READ|PROT_WRITE");
	ASSERT_STR_EQ(fmt("mprotect", "prot", PROT_NONE), "0", "PROT_NONE as 0");
	ASSERT_STR_EQ(fmt("mmap", "flags", MAP_PRIVATE | MAP_ANONYMOUS), "MAP_PRIVATE|MAP_ANONYMOUS",
		    "MAP_PRIVATE|MAP_ANONYMOUS");
	ASSERT_STR_EQ(fmt("mmap", "flags", MAP_SHARED | MAP_FIXED | MAP_POPULATE),
		    "MAP_SHARED|MAP_FIXED|MAP_POPULATE", "MAP_SHARED|MAP_FIXED|MAP_POPULATE");
	ASSERT_STR_EQ(fmt("mmap", "flags", MAP_PRIVATE | MAP_FIXED_NOREPLACE | MAP_STACK),
		    "MAP_PRIVATE|MAP_STACK|MAP_FIXED_NOREPLACE", "MAP_FIXED_NOREPLACE, MAP_STACK");
	ASSERT_STR_EQ(fmt("access", "mode", F_OK), "F_OK", "access F_OK");
	ASSERT_STR_EQ(fmt("access", "mode", R_OK | W_OK), "R_OK|W_OK", "access R_OK|W_OK");
	ASSERT_STR_EQ(fmt("unlinkat", "flag", AT_REMOVEDIR), "AT_REMOVEDIR", "unlinkat AT_REMOVEDIR");
	ASSERT_STR_EQ(fmt("newfstatat", "flag", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW),
		    "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH", "newfstatat AT_ flags");
	ASSERT_STR_EQ(fmt("read", "count", 5), "(number)", "an argument without names: a number");

	if (!btf) {
		printf("skip BTF enums: no vmlinux BTF\n");
	} else {
		ASSERT_STR_EQ(fmt("bpf", "cmd", BPF_MAP_CREATE), "BPF_MAP_CREATE", "bpf cmd from BTF");
		ASSERT_STR_EQ(fmt("bpf", "cmd", BPF_PROG_LOAD), "BPF_PROG_LOAD", "bpf cmd 5 from BTF");
		ASSERT_STR_EQ(fmt("socket", "type", SOCK_STREAM | SOCK_CLOEXEC), "SOCK_STREAM|SOCK_CLOEXEC",
			    "socket type from BTF, flags from the table");
		snprintf(name, sizeof(name), "%s", fmt("socket", "type", SOCK_DGRAM));
		ASSERT_STR_EQ(name, "SOCK_DGRAM", "SOCK_DGRAM");
	}
	btf__free((struct btf *)btf);
	return test_summary();
}
