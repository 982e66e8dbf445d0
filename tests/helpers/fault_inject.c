// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Fault injection: make the Nth bpf() system call of a library scenario fail with
 * EPERM, ENOMEM, EINVAL, E2BIG or EAGAIN, for every N the scenario makes, and check
 * that each run either fails with a one-line message or succeeds, and leaves no fd
 * (so no program, map, link or BTF object) and no pin behind.
 *
 * The hook: this executable defines syscall(), which libbpf.so calls for bpf(); the
 * dynamic linker binds libbpf's reference to it. Everything else passes through.
 *
 * Usage: fault_inject SCENARIO PINDIR   (SCENARIO: dump, pin, trace)
 * Prints "ok faults SCENARIO: ..." / "FAIL faults SCENARIO: ..." lines.
 *
 * fault_inject --loop N SCENARIO PINDIR: the leak loop instead: the scenario N times
 * without faults; the process's fds and RSS must come back to where they were after
 * a warm-up ("ok leaks SCENARIO: ...").
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "bpfdump.h"
#include "bpfdump_trace.h"

static long bpf_calls;		/* bpf() calls since the scenario began */
static long fail_at;		/* fail this one (1-based), 0: none */
static int fail_errno;
static long failed_cmd = -1;	/* the bpf command that was failed */

__attribute__((visibility("default"))) long syscall(long nr, ...)
{
	static long (*real)(long, ...);
	long a[6];
	va_list ap;
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == SYS_bpf) {
		bpf_calls++;
		if (bpf_calls == fail_at) {
			failed_cmd = a[0];
			errno = fail_errno;
			return -1;
		}
	}
	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* ---- scenarios: a whole library use, from bpfdump__new to bpfdump__free ---- */

static int no_libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static char errline[600];
static const char *pindir;

static void quiet(enum bpfdump_log_level level, const char *msg, void *ctx)
{
	if (level == BPFDUMP_WARN && !strstr(msg, "tracing "))
		snprintf(errline, sizeof(errline), "%s", msg);
}

static int run_dump(struct bpfdump *d, FILE *out)
{
	BPFDUMP_OPTS(bpfdump_query_opts, qo, .target = "task_file", .pid = getpid(),
		     .columns = "fd=fd,path=file->f_path,comm=task->comm",
		     .where = "fd >= 0 && task->mm->total_vm > 1");
	BPFDUMP_OPTS(bpfdump_print_opts, po, .format = BPFDUMP_FMT_JSON);
	struct bpfdump_query *q = bpfdump_query__new(d, &qo);
	long rows;

	if (!q)
		return -errno;
	rows = bpfdump_query__print(q, out, &po);
	bpfdump_query__free(q);
	return rows < 0 ? (int)rows : 0;
}

static int run_pin(struct bpfdump *d, FILE *out)
{
	BPFDUMP_OPTS(bpfdump_query_opts, qo, .target = "task", .where = "task->tgid > 0");
	BPFDUMP_OPTS(bpfdump_print_opts, po);
	BPFDUMP_OPTS(bpfdump_pin_opts, pino, .mode = 0444);
	struct bpfdump_query *q = bpfdump_query__new(d, &qo);
	char path[512];
	long rows;
	int err;

	if (!q)
		return -errno;
	snprintf(path, sizeof(path), "%s/faultpin", pindir);
	err = bpfdump_query__pin(q, path, &pino);
	bpfdump_query__free(q);
	if (err)
		return err;
	rows = bpfdump__cat(d, path, out, &po);
	err = bpfdump__remove(d, path, NULL);
	return rows < 0 ? (int)rows : err;
}

static int run_trace(struct bpfdump *d, FILE *out)
{
	static const char *const specs[] = { "tp:sched:sched_switch(prev->pid, next->comm)" };
	BPFDUMP_OPTS(bpfdump_trace_opts, to, .specs = specs, .spec_cnt = 1, .count = 1,
		     .duration = 2, .out = out);

	return bpfdump__trace(d, &to);
}

static const struct scenario {
	const char *name;
	int (*run)(struct bpfdump *d, FILE *out);
} scenarios[] = {
	{ "dump", run_dump },
	{ "pin", run_pin },
	{ "trace", run_trace },
};

static int run_once(const struct scenario *s)
{
	BPFDUMP_OPTS(bpfdump_opts, o, .log = quiet);
	FILE *out = fopen("/dev/null", "w");
	struct bpfdump *d;
	int err;

	errline[0] = '\0';
	bpf_calls = 0;
	failed_cmd = -1;
	d = bpfdump__new(&o);
	if (!d) {
		err = -errno;
		snprintf(errline, sizeof(errline), "bpfdump__new: %s", strerror(errno));
	} else {
		err = s->run(d, out);
		if (err && bpfdump__errmsg(d)[0])
			snprintf(errline, sizeof(errline), "%s", bpfdump__errmsg(d));
		bpfdump__free(d);
	}
	fclose(out);
	return err;
}

static long rss_kib(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* The scenario N times: fds back to the start, RSS within 2 MiB (allocator slack). */
static int leak_loop(const struct scenario *s, long n)
{
	long i, rss0, rss1;
	int fds0, fds1;

	for (i = 0; i < 5; i++)		/* warm-up: libbpf's probes, allocator arenas */
		if (run_once(s)) {
			printf("FAIL leaks %s: warm-up run failed: %s\n", s->name, errline);
			return 1;
		}
	fds0 = count_entries("/proc/self/fd");
	rss0 = rss_kib();
	for (i = 0; i < n; i++)
		if (run_once(s)) {
			printf("FAIL leaks %s: run %ld failed: %s\n", s->name, i, errline);
			return 1;
		}
	fds1 = count_entries("/proc/self/fd");
	rss1 = rss_kib();
	if (fds1 != fds0 || rss1 - rss0 > 2048 || count_entries(pindir)) {
		printf("FAIL leaks %s: after %ld runs: fds %d -> %d, RSS %ld -> %ld KiB, %d pins\n",
		       s->name, n, fds0, fds1, rss0, rss1, count_entries(pindir));
		return 1;
	}
	printf("ok leaks %s: %ld runs in one process: fds %d -> %d, RSS %ld -> %ld KiB\n", s->name,
	       n, fds0, fds1, rss0, rss1);
	return 0;
}

int main(int argc, char **argv)
{
	static const int errnos[] = { EPERM, ENOMEM, EINVAL, E2BIG, EAGAIN };
	int injected = 0;
	const struct scenario *s = NULL;
	long calls, i;
	int fds, bad = 0, failed = 0, survived = 0;

	long loops = 0;

	if (argc == 5 && !strcmp(argv[1], "--loop")) {
		loops = atol(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: fault_inject [--loop N] dump|pin|trace PINDIR\n");
		return 2;
	}
	for (i = 0; i < (long)(sizeof(scenarios) / sizeof(scenarios[0])); i++)
		if (!strcmp(argv[1], scenarios[i].name))
			s = &scenarios[i];
	if (!s) {
		fprintf(stderr, "fault_inject: unknown scenario '%s'\n", argv[1]);
		return 2;
	}
	pindir = argv[2];
	libbpf_set_print(no_libbpf_log);	/* as the CLI does without -v */
	fail_at = 0;
	if (loops > 0)
		return leak_loop(s, loops);
	/* twice: libbpf probes kernel features once per process, then remembers */
	if (run_once(s) || run_once(s)) {
		printf("FAIL faults %s: fails without any fault: %s\n", s->name, errline);
		return 1;
	}
	calls = bpf_calls;
	fds = count_entries("/proc/self/fd");
	for (i = 1; i <= calls; i++) {
		for (size_t e = 0; e < sizeof(errnos) / sizeof(errnos[0]); e++) {
			int err, now_fds, pins;

			fail_at = i;
			fail_errno = errnos[e];
			err = run_once(s);
			if (failed_cmd < 0)
				continue;	/* this run made fewer calls */
			now_fds = count_entries("/proc/self/fd");
			pins = count_entries(pindir);
			injected++;
			if (err) {
				failed++;
				if (!errline[0] || strchr(errline, '\n')) {
					printf("FAIL faults %s: bpf call %ld (cmd %ld) -> %s: no one-line "
					       "message ('%s')\n", s->name, i, failed_cmd,
					       strerror(errnos[e]), errline);
					bad++;
				}
			} else {
				survived++;
			}
			if (getenv("FAULT_VERBOSE"))
				fprintf(stderr, "call %ld cmd %ld %s -> %d %s\n", i, failed_cmd,
					strerror(errnos[e]), err, errline);
			if (now_fds != fds || pins) {
				printf("FAIL faults %s: bpf call %ld (cmd %ld) -> %s: left %d fds, "
				       "%d pins behind\n", s->name, i, failed_cmd, strerror(errnos[e]),
				       now_fds - fds, pins);
				bad++;
				fds = now_fds;
			}
		}
	}
	if (!bad)
		printf("ok faults %s: %ld bpf() call sites x %zu errnos = %d faults: %d failed with a "
		       "one-line message, %d survived (libbpf retried, or bpfdump fell back), no fd or pin left behind\n",
		       s->name, calls, sizeof(errnos) / sizeof(errnos[0]), injected, failed, survived);
	return bad ? 1 : 0;
}
