/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* libbpfdump: kernel functions and tracepoints, arguments pretty-printed by BTF. */
#ifndef BPFDUMP_TRACE_H_PUBLIC
#define BPFDUMP_TRACE_H_PUBLIC

#include <signal.h>

#include "bpfdump.h"

#ifdef __cplusplus
extern "C" {
#endif

enum bpfdump_trace_mode {
	BPFDUMP_TRACE_AUTO = 0,	/* fentry/fexit, else kprobe; tp_btf, else raw_tp;
				 * tracepoint where BTF has no type for it */
	BPFDUMP_TRACE_FENTRY,
	BPFDUMP_TRACE_KPROBE,
	BPFDUMP_TRACE_TP_BTF,
	BPFDUMP_TRACE_RAW_TP,
	BPFDUMP_TRACE_TRACEPOINT,	/* a perf tracepoint typed from tracefs (no BTF type) */
};

struct bpfdump_trace_opts {
	size_t sz;
	const char *const *specs;	/* 'FUNC(ARG, ARG->m == 1, return != 0)', 'tp:G:NAME(...)' */
	int spec_cnt;
	enum bpfdump_trace_mode mode;
	int pid;			/* only this process */
	bool json;			/* one JSON object per event */
	long count;			/* stop after this many events (0: no limit) */
	double duration;		/* stop after this many seconds (0: no limit) */
	unsigned int struct_size;	/* bytes copied of a struct behind a pointer (0: 1024) */
	bool multiline;			/* structs on several lines */
	bool zeroes;			/* show zero-valued members */
	const volatile sig_atomic_t *stop; /* set by a signal handler to end the trace */
	FILE *out;
	const char *cgroup;		/* only tasks in this cgroup2 subtree (a container) */
	/* In-kernel aggregation instead of events: 'count', 'sum(V)', 'min(V)',
	 * 'max(V)', 'avg(V)' or 'hist(V)', then optionally 'BY KEY, KEY...'; V and the
	 * keys are values of the SPEC. Printed at the end and every interval seconds. */
	const char *agg;
	int top;			/* only the N largest (0: all) */
	double interval;		/* print the aggregates every this many seconds */
	unsigned int max_keys;		/* aggregation map size (0: 10240) */
	/* The kernel stack with every event, symbolized from /proc/kallsyms; a SPEC
	 * may name it too ('kstack'), or --agg as a key: 'count BY kstack'. */
	bool stack;
	/* The user stack with every event ('ustack'), symbolized from the process's
	 * mappings and their ELF symbols. */
	bool ustack;
	/* Trace only this command (argv, NULL-terminated) and its descendants: started
	 * held in a cgroup made for it, let go once the probes are attached; the trace
	 * ends when it exits (or the trace ends it: SIGTERM). */
	const char *const *cmd;
	int *cmd_status;		/* out: its wait status; exited 127/126 when it
					 * was not found/not executable (-ENOENT/-EACCES) */
	bool follow;			/* with pid: its descendants too, forked later too */
	/* Each event (or aggregated value 'latency') gets the ns from a function's entry
	 * to its return; a tracepoint's from its hit to latency_end's on the same thread
	 * ('tp:raw_syscalls:sys_enter' to 'tp:raw_syscalls:sys_exit'). */
	bool latency;
	const char *latency_end;
	/* run cmd as this user (a name or a number): its uid, its gid and groups (NULL:
	 * as the caller) */
	const char *cmd_user;
	size_t :0;
};
#define bpfdump_trace_opts__last_field cmd_user

/* Attach, print events until stopped, detach. Returns 0 or -errno. */
BPFDUMP_API int bpfdump__trace(struct bpfdump *d, const struct bpfdump_trace_opts *opts);

/* Print a function's or a tracepoint's ('tp:GROUP:NAME') signature from BTF. */
BPFDUMP_API int bpfdump__func_info(struct bpfdump *d, const char *name, FILE *out,
				   const struct bpfdump_print_opts *opts);

#ifdef __cplusplus
}
#endif

#endif
