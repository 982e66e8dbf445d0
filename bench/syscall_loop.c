// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The tracing overhead workload: N getpgid(0) system calls, timed.
 * Usage: syscall_loop [-s] N [GOFILE [COMM]]. With GOFILE (or "-": none), waits until it
 * exists (the tracer attached), then loops. Prints "CALLS NS_PER_CALL CPU_NS_PER_CALL": wall
 * time, and the looping thread's CPU time (a BPF program runs in the calling thread, so
 * what a tracer adds shows there too, and a busy machine's waits for a CPU do not).
 * -s: first prints "start NS" (CLOCK_MONOTONIC at main's entry) on stderr: when a tracer
 * that holds its command until attached let it run.
 * COMM: the loop runs in a thread that the main thread names COMM (through /proc) only
 * after the thread started and names back before it exits, so the system calls made
 * under COMM are exactly the N getpgid calls: a tracer counting BY comm must say N.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long n;
static double ns_per_call, cpu_per_call;
static atomic_int state;	/* 0 started, 1 ready, 2 go, 3 done, 4 named back */
static _Atomic pid_t tid;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double cpu_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void loop(void)
{
	double t0 = now_ns();
	long i;

	for (i = 0; i < n; i++)
		syscall(SYS_getpgid, 0);
	ns_per_call = (now_ns() - t0) / n;
}

/* spins (no system call) between the steps the main thread takes */
static void *thread_main(void *arg)
{
	(void)arg;
	atomic_store(&tid, (pid_t)syscall(SYS_gettid));	/* before it is named COMM */
	atomic_store(&state, 1);
	while (atomic_load(&state) != 2)
		;
	loop();
	atomic_store(&state, 3);
	while (atomic_load(&state) != 4)
		;
	return NULL;
}

static int set_comm(pid_t tid, const char *comm)
{
	char path[64];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)tid);
	f = fopen(path, "w");
	if (!f)
		return -1;
	err = fputs(comm, f) < 0;
	return fclose(f) || err ? -1 : 0;
}

static void wait_state(int s)
{
	while (atomic_load(&state) != s)
		usleep(200);
}

int main(int argc, char **argv)
{
	char own[16] = "";
	clockid_t clk;
	pthread_t th;
	double c0;
	long i;

	if (argc > 1 && !strcmp(argv[1], "-s")) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		fprintf(stderr, "start %lld\n", ts.tv_sec * 1000000000LL + ts.tv_nsec);
		argv++;
		argc--;
	}
	n = argc > 1 ? atol(argv[1]) : 0;
	if (n <= 0 || argc > 4) {
		fprintf(stderr, "usage: syscall_loop [-s] N [GOFILE|- [COMM]]\n");
		return 2;
	}
	for (i = 0; argc > 2 && strcmp(argv[2], "-") && access(argv[2], F_OK) && i < 60000; i++)
		usleep(1000);
	if (argc < 4) {
		double c0 = cpu_ns(CLOCK_THREAD_CPUTIME_ID);

		loop();
		cpu_per_call = (cpu_ns(CLOCK_THREAD_CPUTIME_ID) - c0) / n;
		printf("%ld %.1f %.1f\n", n, ns_per_call, cpu_per_call);
		return 0;
	}
	if (pthread_create(&th, NULL, thread_main, NULL)) {
		fprintf(stderr, "syscall_loop: cannot start the loop thread\n");
		return 1;
	}
	wait_state(1);
	snprintf(own, sizeof(own), "%s", program_invocation_short_name);
	if (set_comm(atomic_load(&tid), argv[3])) {
		perror("syscall_loop: naming the loop thread");
		return 1;
	}
	/* the thread's CPU clock, read from here: a read in the thread would be a system
	 * call under COMM (its spinning until main sees it done adds at most a poll) */
	if (pthread_getcpuclockid(th, &clk)) {
		fprintf(stderr, "syscall_loop: no CPU clock for the loop thread\n");
		return 1;
	}
	c0 = cpu_ns(clk);
	atomic_store(&state, 2);
	while (atomic_load(&state) != 3)
		usleep(50);
	cpu_per_call = (cpu_ns(clk) - c0) / n;
	if (set_comm(atomic_load(&tid), own)) {
		perror("syscall_loop: naming the loop thread back");
		return 1;
	}
	atomic_store(&state, 4);
	pthread_join(th, NULL);
	printf("%ld %.1f %.1f\n", n, ns_per_call, cpu_per_call);
	return 0;
}
