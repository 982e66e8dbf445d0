// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Ground truth for syscall:openat: makes known openat() calls (raw syscalls, so
 * libc adds no flag) on files under DIR and prints each one, as the test expects
 * bpfdump to name it: "DFD<TAB>PATH<TAB>FLAGS<TAB>MODE<TAB>RET", RET the fd or
 * -ENAME (from libc's strerrorname_np, not bpfdump's table). Then a known
 * sequence for syscall:*: getppid, close(-1), getpid.
 * Usage: sc_opens DIR (DIR/exists must exist, DIR/missing and DIR/new must not)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long one(int dfd, const char *dname, const char *path, int flags, const char *fname,
		int mode)
{
	long r = syscall(SYS_openat, dfd, path, flags, mode);

	if (r < 0)
		printf("%s\t%s\t%s\t%#o\t-%s\n", dname, path, fname, mode, strerrorname_np(errno));
	else
		printf("%s\t%s\t%s\t%#o\t%ld\n", dname, path, fname, mode, r);
	return r;
}

int main(int argc, char **argv)
{
	char p[4096], dn[16];
	long d, ppid, cl, pid;

	if (argc != 2)
		return 2;
	setvbuf(stdout, NULL, _IONBF, 0);
	snprintf(p, sizeof(p), "%s/exists", argv[1]);
	one(AT_FDCWD, "AT_FDCWD", p, O_RDONLY | O_CLOEXEC, "O_RDONLY|O_CLOEXEC", 0);
	snprintf(p, sizeof(p), "%s/missing", argv[1]);
	one(AT_FDCWD, "AT_FDCWD", p, O_RDONLY, "O_RDONLY", 0);
	d = one(AT_FDCWD, "AT_FDCWD", argv[1], O_RDONLY | O_DIRECTORY | O_PATH,
		"O_RDONLY|O_DIRECTORY|O_PATH", 0);
	snprintf(dn, sizeof(dn), "%ld", d);
	one(d, dn, "exists", O_RDONLY | O_NOFOLLOW, "O_RDONLY|O_NOFOLLOW", 0);
	one(d, dn, "missing", O_RDWR, "O_RDWR", 0);
	one(d, dn, "new", O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, "O_WRONLY|O_CREAT|O_EXCL|O_TRUNC",
	    0640);
	one(d, dn, "new", O_WRONLY | O_CREAT | O_EXCL, "O_WRONLY|O_CREAT|O_EXCL", 0600);
	/* syscall:*: these three in a row */
	ppid = syscall(SYS_getppid);
	cl = syscall(SYS_close, -1) < 0 ? -errno : 0L;
	pid = syscall(SYS_getpid);
	printf("seq\t%ld\t-%s\t%ld\n", ppid, strerrorname_np(-cl), pid);
	return 0;
}
