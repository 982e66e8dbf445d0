// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * sleep_clock K USEC: K nanosleep system calls (SYS_nanosleep itself, not
 * clock_nanosleep) of USEC microseconds each, and no other nanosleep; for each,
 * "T0 T1" on stdout: CLOCK_MONOTONIC (the clock of bpf_ktime_get_ns) in ns just
 * before and just after the call. The kernel's entry-to-exit time of call i lies
 * within [USEC * 1000, T1 - T0] of line i: ground truth for a traced latency.
 * sleep_clock --nr: the system call's number here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	unsigned long long *t;
	long k, us, i;
	char *end;

	if (argc == 2 && !strcmp(argv[1], "--nr")) {
		printf("%d\n", SYS_nanosleep);
		return 0;
	}
	if (argc != 3 || (k = strtol(argv[1], &end, 10)) < 0 || *end ||
	    (us = strtol(argv[2], &end, 10)) < 0 || *end || us >= 1000000) {
		fprintf(stderr, "usage: sleep_clock K USEC (USEC < 1000000)\n");
		return 2;
	}
	t = calloc(2 * k + 1, sizeof(*t));
	if (!t)
		return 1;
	for (i = 0; i < k; i++) {
		struct timespec req = { .tv_sec = 0, .tv_nsec = us * 1000 };

		t[2 * i] = now_ns();
		syscall(SYS_nanosleep, &req, NULL);
		t[2 * i + 1] = now_ns();
	}
	/* printed after the calls: no write between the clock reads and the sleep */
	for (i = 0; i < k; i++)
		printf("%llu %llu\n", t[2 * i], t[2 * i + 1]);
	free(t);
	return 0;
}
