// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * getpgid_loop N [MOD]: exactly N getpgid system calls (and no other getpgid),
 * then exit. Call i asks for pid i % MOD (MOD 1, the default: always 0, the
 * caller), so its argument's sum, extremes and histogram are known exactly too.
 * A workload with known call counts, for the tracer's in-kernel aggregates.
 * getpgid_loop --nr: the system call's number here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n, mod = 1, i;
	char *end;

	if (argc == 2 && !strcmp(argv[1], "--nr")) {
		printf("%d\n", SYS_getpgid);
		return 0;
	}
	if (argc < 2 || argc > 3 || (n = strtol(argv[1], &end, 10)) < 0 || *end ||
	    (argc == 3 && ((mod = strtol(argv[2], &end, 10)) < 1 || *end))) {
		fprintf(stderr, "usage: getpgid_loop N [MOD]\n");
		return 2;
	}
	for (i = 0; i < n; i++)
		syscall(SYS_getpgid, i % mod);
	return 0;
}
