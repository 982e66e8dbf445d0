/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Between the trace driver (trace.c) and its code generator (codegen_trace.c). */
#ifndef BPFDUMP_TRACE_H
#define BPFDUMP_TRACE_H

#include "internal.h"

#define BD_TRACE_HDR_SIZE 48	/* len, valid, ts, tgid, tid, cpu, probe, comm[16] */
#define BD_TRACE_DEPTH 8	/* nesting levels a thread's stash holds (power of 2) */

enum bd_trace_kind {
	BD_TRACE_SINGLE,	/* emit at once (entry, exit, or a tracepoint) */
	BD_TRACE_ENTRY_STASH,	/* keep the arguments for the exit */
	BD_TRACE_EXIT_STASH,	/* emit the kept arguments with 'return' */
};

struct bd_trace_gen {
	enum bd_trace_kind kind;
	int buf_map_fd;		/* task storage: buffer or stash */
	int ringbuf_fd;
	int lost_map_fd;	/* array[1] of u64: events that could not be sent */
	__u32 probe_id;		/* which probe a record came from */
	int pid;		/* only this process (0: all) */
	int sp_off;		/* kprobe stash: offset of sp in pt_regs, else -1 */
	int cgroup_level;	/* only tasks under this cgroup (at this level), or -1 */
	__u64 cgroup_id;
};

int bd_codegen_trace(struct bpfdump *d, const struct bd_plan *p, const struct bd_trace_gen *tg,
		     struct bpf_insn **insns, int *cnt);

#endif
