// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The tracing overhead workload: N getpgid(0) system calls, timed.
 * Usage: syscall_loop N [GOFILE]. With GOFILE, waits until it exists (the tracer
 * attached), then loops. Prints "CALLS NS_PER_CALL".
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 0, i;
	double t0;

	if (n <= 0) {
		fprintf(stderr, "usage: syscall_loop N [GOFILE]\n");
		return 2;
	}
	for (i = 0; argc > 2 && access(argv[2], F_OK) && i < 60000; i++)
		usleep(1000);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		syscall(SYS_getpgid, 0);
	printf("%ld %.1f\n", n, (now_ns() - t0) / n);
	return 0;
}
