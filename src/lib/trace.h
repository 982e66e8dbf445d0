/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Between the trace driver (trace.c) and its code generator (codegen_trace.c). */
#ifndef BPFDUMP_TRACE_H
#define BPFDUMP_TRACE_H

#include "internal.h"

#define BD_TRACE_HDR_SIZE 64	/* len, valid, ts, tgid, tid, cpu, probe, comm[16],
				 * uid, gid, cgroup */
#define BD_TRACE_HDR_UID 48
#define BD_TRACE_HDR_GID 52
#define BD_TRACE_HDR_CGROUP 56
#define BD_TRACE_AGG_KEY_MAX 512	/* bytes of an aggregation key (the record) */
#define BD_TRACE_HIST_BUCKETS 66	/* < 0, 0, then [2^k, 2^(k+1)) for k = 0..63 */
#define BD_TRACE_DEPTH 8	/* nesting levels a thread's stash holds (power of 2) */

enum bd_trace_kind {
	BD_TRACE_SINGLE,	/* emit at once (entry, exit, or a tracepoint) */
	BD_TRACE_ENTRY_STASH,	/* keep the arguments for the exit */
	BD_TRACE_EXIT_STASH,	/* emit the kept arguments with 'return' */
};

/* Values of the running task, usable in every SPEC (not from the traced context). */
enum bd_ctx_kind {
	BD_CTX_COMM, BD_CTX_PID, BD_CTX_TID, BD_CTX_UID, BD_CTX_GID, BD_CTX_CPU,
	BD_CTX_CGROUP, BD_CTX_CNT
};
/* Stacks, made by the program itself: the kernel's ('kstack', --stack) and the
 * user's ('ustack', --ustack), as kinds of context values (far above the task's:
 * other values the program makes may come in between). In an event, the frames
 * follow the record, the kernel's first; the header's valid field counts them
 * (kernel frames in its low 16 bits, user frames in its high 16; 0xffff: lost).
 * In an aggregation key, the valid field holds the kernel stack's id in the stack
 * map, the time field the user stack's (the pid, kept too, says whose it is). */
#define BD_CTX_KSTACK (BD_CTX_CNT + 8)
#define BD_CTX_USTACK (BD_CTX_CNT + 9)
#define BD_TRACE_HDR_STACK 4
#define BD_TRACE_HDR_USTACK 8
#define BD_TRACE_FRAMES_LOST 0xffff
#define BD_TRACE_STACK_LOST 0xffffffffu	/* a key's stack that could not be had: counted */
#define BD_TRACE_LOST_STACKID 2	/* lost map: a key's stack bucket held another stack */
#define BD_TRACE_LOST_STACK 3	/* lost map: a stack could not be read */
#define BD_TRACE_LOST_CNT 4	/* the lost map's entries */
/* 'latency': ns from entry (or the first tracepoint) to return (or the end
 * tracepoint), a u64 right after the header (the plan's hdr_size grows by 8) */
#define BD_CTX_LATENCY (BD_CTX_CNT + 1)
#define BD_TRACE_HDR_LATENCY BD_TRACE_HDR_SIZE

/* CONTEXT op literal, checked first in the program */
struct bd_ctx_pred {
	enum bd_ctx_kind kind;
	int op;			/* enum q_op */
	__u64 val;
	char comm[16];		/* BD_CTX_COMM: the name, zero-padded */
};

enum bd_agg_fn { BD_AGG_NONE, BD_AGG_COUNT, BD_AGG_SUM, BD_AGG_MIN, BD_AGG_MAX, BD_AGG_AVG,
		 BD_AGG_HIST };

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
	/* trace ... -- CMD: only tasks under the command's cgroup (0: no such filter) */
	__u64 cmd_cgroup_id;
	int cmd_cgroup_level;
	int tree_map_fd;	/* only threads in this hash (tid -> 1) (0: all) */
	__u32 skip_tgid;	/* never this process (bpfdump itself: syscall:) (0: none) */
	bool latency;		/* stash: entry time in, latency out at HDR_LATENCY */
	const struct bd_ctx_pred *ctx_preds;
	int ctx_pred_cnt;
	__u32 ctx_want;		/* 1 << enum bd_ctx_kind: fill these in the header */
	/* aggregation: the record [0, fixed_size) with the value's bytes zeroed is the key */
	enum bd_agg_fn agg;
	int agg_map_fd;		/* per-CPU hash: key -> value */
	int agg_zero_fd;	/* array[1] of a zero value, to insert a key */
	int agg_val_off;	/* the value's slot in the record, or -1 (count) */
	int agg_val_size;
	bool agg_val_signed;
	/* 1 << BD_CTX_KSTACK/USTACK in ctx_want: an event's frames (room for stack_bytes
	 * of each after the record), or a key's bpf_get_stackid in stack_map_fd */
	__u32 stack_bytes;
	int stack_map_fd;
};

/* bytes of one CPU's aggregate value */
static inline __u32 bd_agg_value_size(enum bd_agg_fn fn)
{
	switch (fn) {
	case BD_AGG_COUNT: case BD_AGG_SUM: return 8;
	case BD_AGG_HIST: return 8 * BD_TRACE_HIST_BUCKETS;
	default: return 32;	/* count, sum, min, max */
	}
}

/*
 * syscall: over many syscalls: one program pair on raw_syscalls:sys_enter/sys_exit.
 * The entry stashes (per thread, task storage) the number, the 6 arguments and the
 * strings its id map marks; the exit emits the stash with the result. A record:
 * the header (probe BD_SC_RAW_PROBE), then these.
 */
#define BD_SC_RAW_PROBE 0xfffffffeu
#define BD_SC_RAW_NR 64		/* u64: the syscall's number */
#define BD_SC_RAW_RET 72	/* s64: its result */
#define BD_SC_RAW_ARGS 80	/* u64[6]: its arguments */
#define BD_SC_RAW_STR 128	/* char[BD_SC_RAW_NSTR][BD_CSTR_MAX]: its strings */
#define BD_SC_RAW_NSTR 3
#define BD_SC_RAW_SIZE (BD_SC_RAW_STR + BD_SC_RAW_NSTR * BD_CSTR_MAX)

/* the id map's value: for each argument, 0 or 1 + its string's slot */
struct bd_sc_raw_val {
	__u8 str[6];
	__u8 pad[2];
};

struct bd_sc_raw_gen {
	int id_map_fd;		/* array: number -> struct bd_sc_raw_val (traced ones) */
	__u32 reg_off[6];	/* pt_regs offsets of the arguments (di, si, dx, r10, r8, r9) */
	__u32 nr_off;		/* pt_regs offset of the number (orig_ax) */
	int compat_off;		/* task_struct offset of thread_info.status, whose
				 * TS_COMPAT marks a 32-bit syscall (other numbers;
				 * syscalls: tracepoints skip them too), or -1 */
};

int bd_codegen_sc_raw(struct bpfdump *d, const struct bd_trace_gen *tg,
		      const struct bd_sc_raw_gen *rg, bool is_exit, struct bpf_insn **insns,
		      int *cnt);
int bd_codegen_trace(struct bpfdump *d, const struct bd_plan *p, const struct bd_trace_gen *tg,
		     struct bpf_insn **insns, int *cnt);

#endif
