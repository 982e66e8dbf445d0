// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Ground truth for aggregates of syscall:openat: known numbers of openat() calls
 * (raw syscalls, so libc adds no flag) relative to a directory fd (so they are
 * told from the loader's AT_FDCWD opens), in three groups of one result each:
 *   NFAIL x openat(dfd, "missing", O_RDONLY|O_CLOEXEC)                -> -ENOENT
 *   NOK   x openat(dfd, "exists", O_WRONLY|O_APPEND|O_CLOEXEC), closed -> the same fd
 *   NEX   x openat(dfd, "exists", O_RDONLY|O_CREAT|O_EXCL, 0600)      -> -EEXIST
 * and one line per group, named as the test expects bpfdump to name them:
 * "DFD<TAB>PATH<TAB>FLAGS<TAB>FLAGS_NUM<TAB>MODE<TAB>RET<TAB>RET_NUM<TAB>COUNT",
 * RET the fd or -ENAME (libc's strerrorname_np, not bpfdump's table).
 * Usage: sc_counts DIR NFAIL NOK NEX (DIR/exists must exist, DIR/missing must not).
 * Exit 1 when a call of a group does not give the group's result.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int group(long dfd, const char *path, int flags, const char *fname, int mode, long n)
{
	long i, r, first = 0;

	for (i = 0; i < n; i++) {
		r = syscall(SYS_openat, dfd, path, flags, mode);
		if (r < 0)
			r = -errno;
		else
			close(r);
		if (i && r != first) {
			fprintf(stderr, "sc_counts: %s: call %ld gave %ld, the first %ld\n", path,
				i, r, first);
			return 1;
		}
		first = r;
	}
	if (first < 0)
		printf("%ld\t%s\t%s\t%d\t%#o\t-%s\t%ld\t%ld\n", dfd, path, fname, flags, mode,
		       strerrorname_np(-first), first, n);
	else
		printf("%ld\t%s\t%s\t%d\t%#o\t%ld\t%ld\t%ld\n", dfd, path, fname, flags, mode,
		       first, first, n);
	return 0;
}

int main(int argc, char **argv)
{
	long dfd, n[3];
	char *end;
	int i;

	if (argc != 5)
		return 2;
	for (i = 0; i < 3; i++) {
		n[i] = strtol(argv[i + 2], &end, 10);
		if (*end || n[i] < 1 || n[i] > 100000)
			return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	dfd = syscall(SYS_openat, AT_FDCWD, argv[1], O_RDONLY | O_DIRECTORY | O_PATH, 0);
	if (dfd < 0) {
		perror(argv[1]);
		return 1;
	}
	if (group(dfd, "missing", O_RDONLY | O_CLOEXEC, "O_RDONLY|O_CLOEXEC", 0, n[0]) ||
	    group(dfd, "exists", O_WRONLY | O_APPEND | O_CLOEXEC, "O_WRONLY|O_APPEND|O_CLOEXEC", 0,
		  n[1]) ||
	    group(dfd, "exists", O_RDONLY | O_CREAT | O_EXCL, "O_RDONLY|O_CREAT|O_EXCL", 0600,
		  n[2]))
		return 1;
	return 0;
}
