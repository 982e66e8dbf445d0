// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Tracing programs (fentry/fexit, kprobe/kretprobe, tp_btf, raw_tp) from a
 * trace plan. The same fetch and predicate code as the iterators; records go
 * to a BPF ring buffer with an event header. In stash mode the entry program
 * keeps the argument values in a per-thread stack (task storage, one slot per
 * nesting level) and the exit program emits them with the return value (and,
 * for a latency, the time since the entry, right after the header).
 * Stacks: an event's frames follow its record; an aggregation key holds the id
 * of its stack in a stack map.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codegen.h"
#include "query.h"
#include "trace.h"

#define F_HDR_LEN 0
#define F_HDR_VALID 4
#define F_HDR_TS 8
#define F_HDR_TGID 16
#define F_HDR_TID 20
#define F_HDR_CPU 24
#define F_HDR_PROBE 28
#define F_HDR_COMM 32
#define BD_SC_TS_COMPAT 0x0002	/* x86 thread_info.status: in a 32-bit syscall */

_Static_assert(BD_TRACE_HDR_SIZE == BD_TRACE_HDR_CGROUP + 8 &&
	       BD_TRACE_HDR_UID == F_HDR_COMM + 16, "trace record header");

static bool wanted(const struct bd_trace_gen *tg, const struct bd_access *a)
{
	switch (tg->kind) {
	case BD_TRACE_ENTRY_STASH:
		return !a->is_return;
	case BD_TRACE_EXIT_STASH:
		return a->is_return;
	default:
		return true;
	}
}

/* lost[idx] += 1, atomically (0: events lost, 1: not counted, the map full) */
static void emit_count_lost(struct cg *g, int lost_map_fd, int idx)
{
	struct insn_buf *b = &g->ib;
	int skip = ib_new_label(b);

	ib_emit(b, I_ST_IMM(4, R_FP, -4, idx));
	ib_ld_imm64(b, R1, BPF_PSEUDO_MAP_FD, lost_map_fd);
	ib_emit(b, I_MOV64_REG(R2, R_FP));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R2, -4));
	ib_emit(b, I_CALL(BPF_FUNC_map_lookup_elem));
	ib_jmp_imm(b, BPF_JEQ, R0, 0, skip);
	ib_emit(b, I_MOV64_IMM(R1, 1));
	ib_emit(b, INSN(BPF_STX | BPF_ATOMIC | BPF_DW, R0, R1, 0, BPF_ADD));
	ib_place(b, skip);
}

static void emit_header(struct cg *g, const struct bd_trace_gen *tg)
{
	struct insn_buf *b = &g->ib;

	ib_emit(b, I_ST_IMM(4, R_BUF, F_HDR_LEN, g->p->fixed_size));
	ib_emit(b, I_ST_IMM(4, R_BUF, F_HDR_PROBE, tg->probe_id));
	ib_emit(b, I_CALL(BPF_FUNC_ktime_get_ns));
	ib_emit(b, I_STX(8, R_BUF, R0, F_HDR_TS));
	ib_emit(b, I_CALL(BPF_FUNC_get_current_pid_tgid));
	ib_emit(b, I_STX(4, R_BUF, R0, F_HDR_TID));
	ib_emit(b, I_ALU64_IMM(BPF_RSH, R0, 32));
	ib_emit(b, I_STX(4, R_BUF, R0, F_HDR_TGID));
	ib_emit(b, I_CALL(BPF_FUNC_get_smp_processor_id));
	ib_emit(b, I_STX(4, R_BUF, R0, F_HDR_CPU));
	ib_emit(b, I_MOV64_REG(R1, R_BUF));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, F_HDR_COMM));
	ib_emit(b, I_MOV64_IMM(R2, 16));
	ib_emit(b, I_CALL(BPF_FUNC_get_current_comm));
	if (tg->ctx_want & (1u << BD_CTX_UID | 1u << BD_CTX_GID)) {
		ib_emit(b, I_CALL(BPF_FUNC_get_current_uid_gid));
		ib_emit(b, I_STX(4, R_BUF, R0, BD_TRACE_HDR_UID));
		ib_emit(b, I_ALU64_IMM(BPF_RSH, R0, 32));
		ib_emit(b, I_STX(4, R_BUF, R0, BD_TRACE_HDR_GID));
	}
	if (tg->ctx_want & 1u << BD_CTX_CGROUP) {
		ib_emit(b, I_CALL(BPF_FUNC_get_current_cgroup_id));
		ib_emit(b, I_STX(8, R_BUF, R0, BD_TRACE_HDR_CGROUP));
	}
}

/* r0 = a context value (not comm) */
static void emit_ctx_load(struct insn_buf *b, enum bd_ctx_kind k)
{
	switch (k) {
	case BD_CTX_PID:
	case BD_CTX_TID:
		ib_emit(b, I_CALL(BPF_FUNC_get_current_pid_tgid));
		break;
	case BD_CTX_UID:
	case BD_CTX_GID:
		ib_emit(b, I_CALL(BPF_FUNC_get_current_uid_gid));
		break;
	case BD_CTX_CPU:
		ib_emit(b, I_CALL(BPF_FUNC_get_smp_processor_id));
		break;
	default:
		ib_emit(b, I_CALL(BPF_FUNC_get_current_cgroup_id));
		break;
	}
	if (k == BD_CTX_TID || k == BD_CTX_UID)
		ib_emit(b, I_ALU64_IMM(BPF_LSH, R0, 32));
	if (k == BD_CTX_PID || k == BD_CTX_TID || k == BD_CTX_UID || k == BD_CTX_GID)
		ib_emit(b, I_ALU64_IMM(BPF_RSH, R0, 32));
}

/* Context predicates (pid == 42, comm == "cat"): jump to out when one fails. */
static void emit_ctx_preds(struct cg *g, const struct bd_trace_gen *tg)
{
	struct insn_buf *b = &g->ib;
	int i;

	for (i = 0; i < tg->ctx_pred_cnt; i++) {
		const struct bd_ctx_pred *cp = &tg->ctx_preds[i];
		__u64 w[2];

		if (cp->kind == BD_CTX_COMM) {
			int pass = ib_new_label(b);

			memcpy(w, cp->comm, 16);
			ib_emit(b, I_MOV64_REG(R1, R_FP));
			ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, -16));
			ib_emit(b, I_MOV64_IMM(R2, 16));
			ib_emit(b, I_CALL(BPF_FUNC_get_current_comm));
			ib_emit(b, I_LDX(8, R1, R_FP, -16));
			ib_ld_imm64(b, R2, 0, w[0]);
			ib_jmp_reg(b, BPF_JNE, R1, R2, cp->op == Q_OP_EQ ? g->out_label : pass);
			ib_emit(b, I_LDX(8, R1, R_FP, -8));
			ib_ld_imm64(b, R2, 0, w[1]);
			ib_jmp_reg(b, BPF_JNE, R1, R2, cp->op == Q_OP_EQ ? g->out_label : pass);
			if (cp->op != Q_OP_EQ)
				ib_ja(b, g->out_label);
			ib_place(b, pass);
			continue;
		}
		emit_ctx_load(b, cp->kind);
		ib_ld_imm64(b, R1, 0, cp->val);
		switch (cp->op) {
		case Q_OP_EQ: ib_jmp_reg(b, BPF_JNE, R0, R1, g->out_label); break;
		case Q_OP_NE: ib_jmp_reg(b, BPF_JEQ, R0, R1, g->out_label); break;
		case Q_OP_LT: ib_jmp_reg(b, BPF_JGE, R0, R1, g->out_label); break;
		case Q_OP_LE: ib_jmp_reg(b, BPF_JGT, R0, R1, g->out_label); break;
		case Q_OP_GT: ib_jmp_reg(b, BPF_JLE, R0, R1, g->out_label); break;
		case Q_OP_GE: ib_jmp_reg(b, BPF_JLT, R0, R1, g->out_label); break;
		default:
			ib_emit(b, I_ALU64_REG(BPF_AND, R0, R1));
			ib_jmp_imm(b, BPF_JEQ, R0, 0, g->out_label);
		}
	}
}

/* Whose events: -p, --cgroup, -- CMD's cgroup or tree, never bpfdump's own. */
static void emit_task_filters(struct cg *g, const struct bd_trace_gen *tg)
{
	struct insn_buf *b = &g->ib;

	if (tg->pid > 0) {
		ib_emit(b, I_CALL(BPF_FUNC_get_current_pid_tgid));
		ib_emit(b, I_ALU64_IMM(BPF_RSH, R0, 32));
		ib_jmp_imm(b, BPF_JNE, R0, tg->pid, g->out_label);
	}
	if (tg->cgroup_level >= 0) {
		/* the current task's cgroup at that level is the one given */
		ib_emit(b, I_MOV64_IMM(R1, tg->cgroup_level));
		ib_emit(b, I_CALL(BPF_FUNC_get_current_ancestor_cgroup_id));
		ib_ld_imm64(b, R2, 0, tg->cgroup_id);
		ib_jmp_reg(b, BPF_JNE, R0, R2, g->out_label);
	}
	if (tg->cmd_cgroup_id) {
		/* the traced command's cgroup, or one it made below it */
		ib_emit(b, I_MOV64_IMM(R1, tg->cmd_cgroup_level));
		ib_emit(b, I_CALL(BPF_FUNC_get_current_ancestor_cgroup_id));
		ib_ld_imm64(b, R2, 0, tg->cmd_cgroup_id);
		ib_jmp_reg(b, BPF_JNE, R0, R2, g->out_label);
	}
	if (tg->tree_map_fd > 0) {
		/* a thread of the followed process tree */
		ib_emit(b, I_CALL(BPF_FUNC_get_current_pid_tgid));
		ib_emit(b, I_STX(4, R_FP, R0, -4));
		ib_ld_imm64(b, R1, BPF_PSEUDO_MAP_FD, tg->tree_map_fd);
		ib_emit(b, I_MOV64_REG(R2, R_FP));
		ib_emit(b, I_ALU64_IMM(BPF_ADD, R2, -4));
		ib_emit(b, I_CALL(BPF_FUNC_map_lookup_elem));
		ib_jmp_imm(b, BPF_JEQ, R0, 0, g->out_label);
	}
	if (tg->skip_tgid) {
		ib_emit(b, I_CALL(BPF_FUNC_get_current_pid_tgid));
		ib_emit(b, I_ALU64_IMM(BPF_RSH, R0, 32));
		ib_jmp_imm(b, BPF_JEQ, R0, tg->skip_tgid, g->out_label);
	}
}

/* Zero the record: in aggregation its bytes are the key. */
static void emit_zero_record(struct cg *g)
{
	struct insn_buf *b = &g->ib;
	__u32 off = 0, n = g->p->fixed_size;

	for (; off + 8 <= n; off += 8)
		ib_emit(b, I_ST_IMM(8, R_BUF, off, 0));
	for (; off + 4 <= n; off += 4)
		ib_emit(b, I_ST_IMM(4, R_BUF, off, 0));
	for (; off < n; off++)
		ib_emit(b, I_ST_IMM(1, R_BUF, off, 0));
}

/* bytes [off, off + n) of the record := 0 */
static void emit_zero_bytes(struct cg *g, __u32 off, __u32 n)
{
	struct insn_buf *b = &g->ib;
	__u32 end = off + n;

	for (; off < end && off % 8; off++)
		ib_emit(b, I_ST_IMM(1, R_BUF, off, 0));
	for (; off + 8 <= end; off += 8)
		ib_emit(b, I_ST_IMM(8, R_BUF, off, 0));
	for (; off < end; off++)
		ib_emit(b, I_ST_IMM(1, R_BUF, off, 0));
}

/* Whether a column's fetch writes into the slot of a */
static bool slot_of_column(const struct bd_plan *p, const struct bd_access *a)
{
	int i, j;

	for (i = 0; i < p->col_cnt; i++)
		for (j = 0; j < p->cols[i].acc_cnt; j++) {
			const struct bd_access *c = &p->cols[i].acc[j];

			if (c->slot_off < a->slot_off + a->slot_size &&
			    a->slot_off < c->slot_off + c->slot_size)
				return true;
		}
	return false;
}

static void unkey_access(struct cg *g, const struct bd_access *a)
{
	if (a->slot_size && !slot_of_column(g->p, a))
		emit_zero_bytes(g, a->slot_off, a->slot_size);
}

static void unkey_arith(struct cg *g, const struct bd_arith *a)
{
	if (!a)
		return;
	if (a->kind == Q_ARITH_VALUE)
		unkey_access(g, &a->acc);
	unkey_arith(g, a->lhs);
	unkey_arith(g, a->rhs);
}

/*
 * In aggregation the record is the key: what only the predicate read (task->tgid
 * in 'count BY comm' over (task->tgid > 0)) goes back to zero once it has passed,
 * so it does not split one key into many.
 */
static void emit_unkey_pred(struct cg *g, const struct bd_pred *pr)
{
	if (!pr)
		return;
	if (pr->kind == Q_EXPR_ACMP) {
		unkey_arith(g, pr->la);
		unkey_arith(g, pr->ra);
		return;
	}
	if (pr->kind == Q_EXPR_VALUE || pr->kind == Q_EXPR_CMP) {
		unkey_access(g, &pr->acc);
		return;
	}
	emit_unkey_pred(g, pr->lhs);
	emit_unkey_pred(g, pr->rhs);
}

/* A helper returning two u32 context values in one u64 (pid/tgid, uid/gid):
 * the low one to lo_off, the high one to hi_off, each only if w wants it. */
static void emit_ctx_pair(struct insn_buf *b, __u32 w, int func, enum bd_ctx_kind lo,
			  int lo_off, enum bd_ctx_kind hi, int hi_off)
{
	if (!(w & (1u << lo | 1u << hi)))
		return;
	ib_emit(b, I_CALL(func));
	if (w & 1u << lo)
		ib_emit(b, I_STX(4, R_BUF, R0, lo_off));
	ib_emit(b, I_ALU64_IMM(BPF_RSH, R0, 32));
	if (w & 1u << hi)
		ib_emit(b, I_STX(4, R_BUF, R0, hi_off));
}

/* An aggregation key's header: the context keys asked for, zeros elsewhere. */
static void emit_header_agg(struct cg *g, const struct bd_trace_gen *tg)
{
	struct insn_buf *b = &g->ib;
	__u32 w = tg->ctx_want;
	int i;

	for (i = 0; i < BD_TRACE_HDR_SIZE; i += 8)
		ib_emit(b, I_ST_IMM(8, R_BUF, i, 0));
	ib_emit(b, I_ST_IMM(4, R_BUF, F_HDR_PROBE, tg->probe_id));
	emit_ctx_pair(b, w, BPF_FUNC_get_current_pid_tgid, BD_CTX_TID, F_HDR_TID, BD_CTX_PID,
		      F_HDR_TGID);
	if (w & 1u << BD_CTX_CPU) {
		ib_emit(b, I_CALL(BPF_FUNC_get_smp_processor_id));
		ib_emit(b, I_STX(4, R_BUF, R0, F_HDR_CPU));
	}
	if (w & 1u << BD_CTX_COMM) {
		ib_emit(b, I_MOV64_REG(R1, R_BUF));
		ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, F_HDR_COMM));
		ib_emit(b, I_MOV64_IMM(R2, 16));
		ib_emit(b, I_CALL(BPF_FUNC_get_current_comm));
	}
	emit_ctx_pair(b, w, BPF_FUNC_get_current_uid_gid, BD_CTX_UID, BD_TRACE_HDR_UID,
		      BD_CTX_GID, BD_TRACE_HDR_GID);
	if (w & 1u << BD_CTX_CGROUP) {
		ib_emit(b, I_CALL(BPF_FUNC_get_current_cgroup_id));
		ib_emit(b, I_STX(8, R_BUF, R0, BD_TRACE_HDR_CGROUP));
	}
}

static bool want_kstack(const struct bd_trace_gen *tg)
{
	return tg->ctx_want & 1u << BD_CTX_KSTACK;
}

static bool want_ustack(const struct bd_trace_gen *tg)
{
	return tg->ctx_want & 1u << BD_CTX_USTACK;
}

/*
 * A 'kstack' or 'ustack' key: bpf_get_stackid into the header (the valid field, or
 * the time's for the user stack). A stack that cannot be had (its bucket holds
 * another stack: -EEXIST; none read: -EFAULT and others) is counted and keyed as
 * BD_TRACE_STACK_LOST, so the counts stay whole.
 */
static void emit_stack_key(struct cg *g, const struct bd_trace_gen *tg, bool user)
{
	struct insn_buf *b = &g->ib;
	int ok = ib_new_label(b), other = ib_new_label(b), lost = ib_new_label(b);

	ib_emit(b, I_MOV64_REG(R1, R_CTX));
	ib_ld_imm64(b, R2, BPF_PSEUDO_MAP_FD, tg->stack_map_fd);
	ib_emit(b, I_MOV64_IMM(R3, user ? BPF_F_USER_STACK : 0));
	ib_emit(b, I_CALL(BPF_FUNC_get_stackid));
	ib_jmp_imm(b, BPF_JSGE, R0, 0, ok);
	ib_jmp_imm(b, BPF_JNE, R0, -EEXIST, other);
	emit_count_lost(g, tg->lost_map_fd, BD_TRACE_LOST_STACKID);
	ib_ja(b, lost);
	ib_place(b, other);
	emit_count_lost(g, tg->lost_map_fd, BD_TRACE_LOST_STACK);
	ib_place(b, lost);
	ib_emit(b, I_MOV64_IMM(R0, -1));
	ib_place(b, ok);
	ib_emit(b, I_STX(4, R_BUF, R0, user ? BD_TRACE_HDR_USTACK : BD_TRACE_HDR_STACK));
}

/*
 * bpf_get_stack's frames at the record's end + r9 (bytes so far; the buffer has
 * stack_bytes of room there), r9 += their bytes, their count in the header's valid
 * field's half (BD_TRACE_FRAMES_LOST, counted, when none could be read).
 */
static void emit_frames(struct cg *g, const struct bd_trace_gen *tg, bool user)
{
	struct insn_buf *b = &g->ib;
	int ok = ib_new_label(b), done = ib_new_label(b);
	int half = BD_TRACE_HDR_STACK + (user ? 2 : 0);

	ib_emit(b, I_MOV64_REG(R1, R_CTX));
	ib_emit(b, I_MOV64_REG(R2, R_BUF));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R2, g->p->fixed_size));
	ib_emit(b, I_ALU64_REG(BPF_ADD, R2, R9));
	ib_emit(b, I_MOV64_IMM(R3, tg->stack_bytes));
	ib_emit(b, I_MOV64_IMM(R4, user ? BPF_F_USER_STACK : 0));
	ib_emit(b, I_CALL(BPF_FUNC_get_stack));
	ib_jmp_imm(b, BPF_JSGE, R0, 0, ok);
	emit_count_lost(g, tg->lost_map_fd, BD_TRACE_LOST_STACK);
	ib_emit(b, I_ST_IMM(2, R_BUF, half, BD_TRACE_FRAMES_LOST));
	ib_ja(b, done);
	ib_place(b, ok);
	ib_emit(b, I_ALU64_REG(BPF_ADD, R9, R0));
	ib_emit(b, I_ALU64_IMM(BPF_RSH, R0, 3));
	ib_emit(b, I_STX(2, R_BUF, R0, half));
	ib_place(b, done);
}

/*
 * An event with its stacks: the header, the kernel's frames then the user's after
 * the record, then record and frames to the ring buffer. Out: r0 as
 * bpf_ringbuf_output's. r9 (the fetches' base) is free by now.
 */
static void emit_stack_event(struct cg *g, const struct bd_trace_gen *tg)
{
	struct insn_buf *b = &g->ib;

	emit_header(g, tg);
	ib_emit(b, I_ST_IMM(4, R_BUF, BD_TRACE_HDR_STACK, 0));
	ib_emit(b, I_MOV64_IMM(R9, 0));
	if (want_kstack(tg))
		emit_frames(g, tg, false);
	if (want_ustack(tg))
		emit_frames(g, tg, true);
	ib_ld_imm64(b, R1, BPF_PSEUDO_MAP_FD, tg->ringbuf_fd);
	ib_emit(b, I_MOV64_REG(R2, R_BUF));
	ib_emit(b, I_MOV64_REG(R3, R9));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R3, g->p->fixed_size));
	ib_emit(b, I_MOV64_IMM(R4, 0));
	ib_emit(b, I_CALL(BPF_FUNC_ringbuf_output));
}

/* entry (stash): remember when; exit: the time since, in the same u64 */
static void emit_latency(struct cg *g, bool entry)
{
	struct insn_buf *b = &g->ib;

	ib_emit(b, I_CALL(BPF_FUNC_ktime_get_ns));
	if (!entry) {
		ib_emit(b, I_LDX(8, R1, R_BUF, BD_TRACE_HDR_LATENCY));
		ib_emit(b, I_ALU64_REG(BPF_SUB, R0, R1));
	}
	ib_emit(b, I_STX(8, R_BUF, R0, BD_TRACE_HDR_LATENCY));
}

/*
 * Aggregate the record: its bytes (the value's zeroed) are the key of a per-CPU
 * hash. A new key is inserted from a zero value; a full map jumps to full.
 */
static void emit_agg_update(struct cg *g, const struct bd_trace_gen *tg, int full)
{
	struct insn_buf *b = &g->ib;
	int have = ib_new_label(b), again = ib_new_label(b), done = ib_new_label(b);
	int sz = tg->agg_val_size;

	emit_header_agg(g, tg);
	if (want_kstack(tg))
		emit_stack_key(g, tg, false);
	if (want_ustack(tg))
		emit_stack_key(g, tg, true);
	ib_emit(b, I_MOV64_IMM(R8, 0));
	if (tg->agg_val_off >= 0) {
		ib_emit(b, I_LDX(sz, R8, R_BUF, tg->agg_val_off));
		if (tg->agg_val_signed)
			ib_sign_extend(b, R8, sz);
		ib_emit(b, I_ST_IMM(sz, R_BUF, tg->agg_val_off, 0));
	}
	ib_ld_imm64(b, R1, BPF_PSEUDO_MAP_FD, tg->agg_map_fd);
	ib_emit(b, I_MOV64_REG(R2, R_BUF));
	ib_emit(b, I_CALL(BPF_FUNC_map_lookup_elem));
	ib_jmp_imm(b, BPF_JNE, R0, 0, have);
	/* a new key: insert a zero value (another CPU may have just done so) */
	ib_emit(b, I_ST_IMM(4, R_FP, -4, 0));
	ib_ld_imm64(b, R1, BPF_PSEUDO_MAP_FD, tg->agg_zero_fd);
	ib_emit(b, I_MOV64_REG(R2, R_FP));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R2, -4));
	ib_emit(b, I_CALL(BPF_FUNC_map_lookup_elem));
	ib_jmp_imm(b, BPF_JEQ, R0, 0, g->out_label);
	ib_emit(b, I_MOV64_REG(R3, R0));
	ib_ld_imm64(b, R1, BPF_PSEUDO_MAP_FD, tg->agg_map_fd);
	ib_emit(b, I_MOV64_REG(R2, R_BUF));
	ib_emit(b, I_MOV64_IMM(R4, BPF_NOEXIST));
	ib_emit(b, I_CALL(BPF_FUNC_map_update_elem));
	ib_jmp_imm(b, BPF_JEQ, R0, 0, again);
	ib_jmp_imm(b, BPF_JNE, R0, -EEXIST, full);
	ib_place(b, again);
	ib_ld_imm64(b, R1, BPF_PSEUDO_MAP_FD, tg->agg_map_fd);
	ib_emit(b, I_MOV64_REG(R2, R_BUF));
	ib_emit(b, I_CALL(BPF_FUNC_map_lookup_elem));
	ib_jmp_imm(b, BPF_JEQ, R0, 0, g->out_label);
	ib_place(b, have);
	switch (tg->agg) {
	case BD_AGG_COUNT:
		ib_emit(b, I_MOV64_IMM(R8, 1));
		/* fall through */
	case BD_AGG_SUM:
		ib_emit(b, I_LDX(8, R1, R0, 0));
		ib_emit(b, I_ALU64_REG(BPF_ADD, R1, R8));
		ib_emit(b, I_STX(8, R0, R1, 0));
		break;
	case BD_AGG_HIST: {
		int pos = ib_new_label(b), idx = ib_new_label(b), s;

		ib_emit(b, I_MOV64_IMM(R1, 0));
		if (tg->agg_val_signed)
			ib_jmp_imm(b, BPF_JSLT, R8, 0, idx);
		ib_emit(b, I_MOV64_IMM(R1, 1));
		ib_jmp_imm(b, BPF_JEQ, R8, 0, idx);
		ib_emit(b, I_MOV64_IMM(R1, 2));
		ib_emit(b, I_MOV64_REG(R2, R8));
		for (s = 32; s; s /= 2) {
			int skip = ib_new_label(b);

			ib_emit(b, I_MOV64_REG(R3, R2));
			ib_emit(b, I_ALU64_IMM(BPF_RSH, R3, s));
			ib_jmp_imm(b, BPF_JEQ, R3, 0, skip);
			ib_emit(b, I_MOV64_REG(R2, R3));
			ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, s));
			ib_place(b, skip);
		}
		ib_place(b, idx);
		ib_jmp_imm(b, BPF_JGT, R1, BD_TRACE_HIST_BUCKETS - 1, done);
		ib_place(b, pos);
		ib_emit(b, I_ALU64_IMM(BPF_LSH, R1, 3));
		ib_emit(b, I_ALU64_REG(BPF_ADD, R0, R1));
		ib_emit(b, I_LDX(8, R1, R0, 0));
		ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, 1));
		ib_emit(b, I_STX(8, R0, R1, 0));
		break;
	}
	default: {
		/* count, sum, min, max: signed or not as the value is */
		int first = ib_new_label(b), skip_min = ib_new_label(b);
		int skip_max = ib_new_label(b);
		bool sg = tg->agg_val_signed;

		ib_emit(b, I_LDX(8, R1, R0, 0));
		ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, 1));
		ib_emit(b, I_STX(8, R0, R1, 0));
		ib_emit(b, I_LDX(8, R2, R0, 8));
		ib_emit(b, I_ALU64_REG(BPF_ADD, R2, R8));
		ib_emit(b, I_STX(8, R0, R2, 8));
		ib_jmp_imm(b, BPF_JEQ, R1, 1, first);
		ib_emit(b, I_LDX(8, R2, R0, 16));
		ib_jmp_reg(b, sg ? BPF_JSLE : BPF_JLE, R2, R8, skip_min);
		ib_emit(b, I_STX(8, R0, R8, 16));
		ib_place(b, skip_min);
		ib_emit(b, I_LDX(8, R2, R0, 24));
		ib_jmp_reg(b, sg ? BPF_JSGE : BPF_JGE, R2, R8, skip_max);
		ib_emit(b, I_STX(8, R0, R8, 24));
		ib_place(b, skip_max);
		ib_ja(b, done);
		ib_place(b, first);
		ib_emit(b, I_STX(8, R0, R8, 16));
		ib_emit(b, I_STX(8, R0, R8, 24));
	}
	}
	ib_place(b, done);
	ib_ja(b, g->out_label);
}

/*
 * kprobe stash: a kretprobe can be missed (no free instance), leaving its slot on
 * the thread's stack. Slots remember the frame's stack pointer at entry; stacks
 * grow down, so at an entry every slot at or below the new frame is dead, and at
 * an exit every slot below the returning frame (entry sp = sp after ret - 8) is.
 * In: r0 = stash, r1 = depth. Out: r1 = depth without the dead slots, stored;
 * r3 = this frame's entry sp. Unrolled: the stash has BD_TRACE_DEPTH slots.
 */
static void emit_drop_stale(struct cg *g, const struct bd_trace_gen *tg, __u32 slot_size)
{
	struct insn_buf *b = &g->ib;
	bool entry = tg->kind == BD_TRACE_ENTRY_STASH;
	int done = ib_new_label(b), i;

	ib_emit(b, I_LDX(8, R3, R_CTX, tg->sp_off));
	if (!entry)
		ib_emit(b, I_ALU64_IMM(BPF_SUB, R3, 8));
	ib_jmp_imm(b, BPF_JGT, R1, BD_TRACE_DEPTH, done);	/* beyond the stash: as is */
	for (i = 0; i < BD_TRACE_DEPTH; i++) {
		ib_jmp_imm(b, BPF_JEQ, R1, 0, done);
		ib_emit(b, I_MOV64_REG(R4, R1));
		ib_emit(b, I_ALU64_IMM(BPF_SUB, R4, 1));
		ib_emit(b, I_ALU64_IMM(BPF_AND, R4, BD_TRACE_DEPTH - 1));
		ib_emit(b, I_ALU64_IMM(BPF_MUL, R4, slot_size));
		ib_emit(b, I_MOV64_REG(R5, R0));
		ib_emit(b, I_ALU64_REG(BPF_ADD, R5, R4));
		ib_emit(b, I_LDX(8, R5, R5, 8 + F_HDR_TS));
		/* live: an outer frame (entry) / this or an outer frame (exit) */
		ib_jmp_reg(b, entry ? BPF_JGT : BPF_JGE, R5, R3, done);
		ib_emit(b, I_ALU64_IMM(BPF_SUB, R1, 1));
	}
	ib_place(b, done);
	ib_emit(b, I_STX(4, R0, R1, 0));
}

/* A tracing program's end: 'out' returns 0; the instructions, or the error met. */
static int emit_out_and_take(struct cg *g, struct bpf_insn **insns, int *cnt)
{
	struct insn_buf *b = &g->ib;

	ib_place(b, g->out_label);
	ib_emit(b, I_MOV64_IMM(R0, 0));
	ib_emit(b, I_EXIT());
	if (g->err)
		b->err = g->err;
	return ib_take(b, insns, cnt);
}

int bd_codegen_trace(struct bpfdump *d, const struct bd_plan *p, const struct bd_trace_gen *tg,
		     struct bpf_insn **insns, int *cnt)
{
	struct cg g = { .p = p, .d = d };
	struct insn_buf *b = &g.ib;
	const struct bd_pred *pred = tg->kind == BD_TRACE_EXIT_STASH ? p->pred_exit : p->pred;
	int lost = ib_new_label(b), full = ib_new_label(b), i, j;
	bool stash = tg->kind == BD_TRACE_ENTRY_STASH || tg->kind == BD_TRACE_EXIT_STASH;

	cg_init_lockdown(&g, d);
	g.scratch_off = p->scratch_off;
	g.args_off = p->args_off;
	g.out_label = ib_new_label(b);

	ib_emit(b, I_MOV64_REG(R_CTX, R1));
	emit_task_filters(&g, tg);
	if (tg->kind == BD_TRACE_SINGLE)
		emit_ctx_preds(&g, tg);
	/* r0 = this thread's buffer */
	ib_emit(b, I_CALL(BPF_FUNC_get_current_task_btf));
	ib_emit(b, I_MOV64_REG(R2, R0));
	ib_ld_imm64(b, R1, BPF_PSEUDO_MAP_FD, tg->buf_map_fd);
	ib_emit(b, I_MOV64_IMM(R3, 0));
	ib_emit(b, I_MOV64_IMM(R4, BPF_LOCAL_STORAGE_GET_F_CREATE));
	ib_emit(b, I_CALL(BPF_FUNC_task_storage_get));
	ib_jmp_imm(b, BPF_JEQ, R0, 0, lost);
	if (!stash) {
		ib_emit(b, I_MOV64_REG(R_BUF, R0));
		if (tg->agg)
			emit_zero_record(&g);
	} else {
		/* [u32 depth, u32 pad] then BD_TRACE_DEPTH slots of buf_size */
		int in_range = ib_new_label(b);

		ib_emit(b, I_LDX(4, R1, R0, 0));
		if (tg->sp_off >= 0)
			emit_drop_stale(&g, tg, p->buf_size);
		if (tg->kind == BD_TRACE_ENTRY_STASH) {
			ib_emit(b, I_MOV64_REG(R2, R1));
			ib_emit(b, I_ALU64_IMM(BPF_ADD, R2, 1));
			ib_emit(b, I_STX(4, R0, R2, 0));
			ib_jmp_imm(b, BPF_JLT, R1, BD_TRACE_DEPTH, in_range);
			ib_ja(b, lost);	/* nested deeper than the stash */
		} else {
			ib_jmp_imm(b, BPF_JEQ, R1, 0, g.out_label);	/* entry not seen */
			ib_emit(b, I_ALU64_IMM(BPF_SUB, R1, 1));
			ib_emit(b, I_STX(4, R0, R1, 0));
			ib_jmp_imm(b, BPF_JLT, R1, BD_TRACE_DEPTH, in_range);
			ib_ja(b, g.out_label);
		}
		ib_place(b, in_range);
		ib_emit(b, I_ALU64_IMM(BPF_AND, R1, BD_TRACE_DEPTH - 1));
		ib_emit(b, I_ALU64_IMM(BPF_MUL, R1, p->buf_size));
		ib_emit(b, I_MOV64_REG(R_BUF, R0));
		ib_emit(b, I_ALU64_IMM(BPF_ADD, R_BUF, 8));
		ib_emit(b, I_ALU64_REG(BPF_ADD, R_BUF, R1));
		if (tg->kind == BD_TRACE_ENTRY_STASH) {
			if (tg->agg)
				emit_zero_record(&g);
			ib_emit(b, I_ST_IMM(4, R_BUF, F_HDR_VALID, 0));
			if (tg->sp_off >= 0)	/* the frame, until the exit fills the time */
				ib_emit(b, I_STX(8, R_BUF, R3, F_HDR_TS));
		} else {
			if (tg->sp_off >= 0) {
				/* top slot of an outer frame: this call's entry was not seen */
				int mine = ib_new_label(b);

				ib_emit(b, I_LDX(8, R1, R_BUF, F_HDR_TS));
				ib_jmp_reg(b, BPF_JEQ, R1, R3, mine);
				ib_emit(b, I_LDX(4, R1, R0, 0));
				ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, 1));
				ib_emit(b, I_STX(4, R0, R1, 0));
				ib_ja(b, g.out_label);
				ib_place(b, mine);
			}
			ib_emit(b, I_LDX(4, R1, R_BUF, F_HDR_VALID));
			ib_jmp_imm(b, BPF_JEQ, R1, 0, g.out_label);	/* entry filtered */
			if (tg->latency)
				emit_latency(&g, false);	/* first: the least of our own time */
		}
	}

	if (tg->kind == BD_TRACE_ENTRY_STASH)
		emit_ctx_preds(&g, tg);	/* after the push: the exit pops an invalid slot */
	if (pred) {
		g.what = "where";
		emit_pred_fetches(&g, pred);
		emit_branch(&g, pred, false, g.out_label);
		if (tg->agg)
			emit_unkey_pred(&g, pred);
	}
	for (i = 0; i < p->col_cnt; i++) {
		g.what = p->cols[i].name;
		for (j = 0; j < p->cols[i].acc_cnt; j++)
			if (wanted(tg, &p->cols[i].acc[j]))
				emit_fetch(&g, &p->cols[i].acc[j]);
	}

	if (tg->kind == BD_TRACE_ENTRY_STASH) {
		if (tg->latency)
			emit_latency(&g, true);	/* last: the least of our own time */
		ib_emit(b, I_ST_IMM(4, R_BUF, F_HDR_VALID, 1));
		ib_ja(b, g.out_label);
	} else if (tg->agg) {
		emit_agg_update(&g, tg, full);
	} else if (want_kstack(tg) || want_ustack(tg)) {
		emit_stack_event(&g, tg);
		ib_jmp_imm(b, BPF_JEQ, R0, 0, g.out_label);
	} else {
		emit_header(&g, tg);
		ib_ld_imm64(b, R1, BPF_PSEUDO_MAP_FD, tg->ringbuf_fd);
		ib_emit(b, I_MOV64_REG(R2, R_BUF));
		ib_emit(b, I_MOV64_IMM(R3, p->fixed_size));
		ib_emit(b, I_MOV64_IMM(R4, 0));
		ib_emit(b, I_CALL(BPF_FUNC_ringbuf_output));
		ib_jmp_imm(b, BPF_JEQ, R0, 0, g.out_label);
	}
	ib_place(b, lost);
	emit_count_lost(&g, tg->lost_map_fd, 0);
	if (tg->agg && tg->kind != BD_TRACE_ENTRY_STASH) {	/* the entry only stashes */
		ib_ja(b, g.out_label);
		ib_place(b, full);
		emit_count_lost(&g, tg->lost_map_fd, 1);
	}
	return emit_out_and_take(&g, insns, cnt);
}

/*
 * raw_syscalls:sys_enter (ctx: struct pt_regs *regs, long id): a traced number's
 * arguments and strings into the thread's stash. raw_syscalls:sys_exit (regs, long
 * ret): the stash, when it holds this syscall's entry, out with ret.
 */
int bd_codegen_sc_raw(struct bpfdump *d, const struct bd_trace_gen *tg,
		      const struct bd_sc_raw_gen *rg, bool is_exit, struct bpf_insn **insns,
		      int *cnt)
{
	struct bd_plan raw = { .fixed_size = BD_SC_RAW_SIZE };
	struct cg g = { .p = &raw, .d = d };
	struct insn_buf *b = &g.ib;
	int lost = ib_new_label(b), i;

	cg_init_lockdown(&g, d);
	g.out_label = ib_new_label(b);
	ib_emit(b, I_MOV64_REG(R_CTX, R1));
	emit_task_filters(&g, tg);
	if (!is_exit) {
		/* r8 = the number's id map value, or not traced */
		ib_emit(b, I_LDX(8, R0, R_CTX, 8));
		ib_emit(b, I_STX(8, R_FP, R0, -8));
		ib_ld_imm64(b, R1, BPF_PSEUDO_MAP_FD, rg->id_map_fd);
		ib_emit(b, I_MOV64_REG(R2, R_FP));
		ib_emit(b, I_ALU64_IMM(BPF_ADD, R2, -8));
		ib_emit(b, I_CALL(BPF_FUNC_map_lookup_elem));
		ib_jmp_imm(b, BPF_JEQ, R0, 0, g.out_label);
		ib_emit(b, I_MOV64_REG(R8, R0));
	}
	/* R_BUF = this thread's stash (made at the entry only) */
	ib_emit(b, I_CALL(BPF_FUNC_get_current_task_btf));
	ib_emit(b, I_MOV64_REG(R2, R0));
	ib_ld_imm64(b, R1, BPF_PSEUDO_MAP_FD, tg->buf_map_fd);
	ib_emit(b, I_MOV64_IMM(R3, 0));
	ib_emit(b, I_MOV64_IMM(R4, is_exit ? 0 : BPF_LOCAL_STORAGE_GET_F_CREATE));
	ib_emit(b, I_CALL(BPF_FUNC_task_storage_get));
	ib_jmp_imm(b, BPF_JEQ, R0, 0, is_exit ? g.out_label : lost);
	ib_emit(b, I_MOV64_REG(R_BUF, R0));
	if (!is_exit && rg->compat_off >= 0) {
		/* a 32-bit syscall: its number is another table's */
		ib_emit(b, I_CALL(BPF_FUNC_get_current_task_btf));
		ib_emit(b, I_MOV64_REG(R_BASE, R0));
		ib_emit(b, I_ST_IMM(4, R_BUF, F_HDR_VALID, 0));
		emit_probe_read(&g, BD_SC_RAW_RET, 4, R_BASE, rg->compat_off,
				BPF_FUNC_probe_read_kernel);
		ib_emit(b, I_LDX(4, R1, R_BUF, BD_SC_RAW_RET));
		ib_emit(b, I_ALU64_IMM(BPF_AND, R1, BD_SC_TS_COMPAT));
		ib_jmp_imm(b, BPF_JNE, R1, 0, g.out_label);
	}
	ib_emit(b, I_LDX(8, R_BASE, R_CTX, 0));	/* regs */
	if (is_exit) {
		/* the stash holds this syscall's entry: valid, and the same number (an
		 * entry seen without its exit, as exit's, leaves one behind) */
		ib_emit(b, I_LDX(4, R1, R_BUF, F_HDR_VALID));
		ib_jmp_imm(b, BPF_JEQ, R1, 0, g.out_label);
		ib_emit(b, I_ST_IMM(4, R_BUF, F_HDR_VALID, 0));
		emit_probe_read(&g, BD_SC_RAW_RET, 8, R_BASE, rg->nr_off,
				BPF_FUNC_probe_read_kernel);
		ib_emit(b, I_LDX(8, R1, R_BUF, BD_SC_RAW_RET));
		ib_emit(b, I_LDX(8, R2, R_BUF, BD_SC_RAW_NR));
		ib_jmp_reg(b, BPF_JNE, R1, R2, g.out_label);
		ib_emit(b, I_LDX(8, R1, R_CTX, 8));
		ib_emit(b, I_STX(8, R_BUF, R1, BD_SC_RAW_RET));
		emit_header(&g, tg);
		ib_ld_imm64(b, R1, BPF_PSEUDO_MAP_FD, tg->ringbuf_fd);
		ib_emit(b, I_MOV64_REG(R2, R_BUF));
		ib_emit(b, I_MOV64_IMM(R3, BD_SC_RAW_SIZE));
		ib_emit(b, I_MOV64_IMM(R4, 0));
		ib_emit(b, I_CALL(BPF_FUNC_ringbuf_output));
		ib_jmp_imm(b, BPF_JEQ, R0, 0, g.out_label);
		ib_ja(b, lost);
	} else {
		ib_emit(b, I_ST_IMM(4, R_BUF, F_HDR_VALID, 0));
		ib_emit(b, I_LDX(8, R1, R_FP, -8));
		ib_emit(b, I_STX(8, R_BUF, R1, BD_SC_RAW_NR));
		for (i = 0; i < 6; i++)
			emit_probe_read(&g, BD_SC_RAW_ARGS + 8 * i, 8, R_BASE, rg->reg_off[i],
					BPF_FUNC_probe_read_kernel);
		for (i = 0; i < 6; i++) {
			int skip = ib_new_label(b);

			/* a string argument: into its slot (zeroed when it cannot be read) */
			ib_emit(b, I_LDX(1, R1, R8, i));
			ib_jmp_imm(b, BPF_JEQ, R1, 0, skip);
			ib_emit(b, I_ALU64_IMM(BPF_SUB, R1, 1));
			ib_jmp_imm(b, BPF_JGE, R1, BD_SC_RAW_NSTR, skip);
			ib_emit(b, I_ALU64_IMM(BPF_MUL, R1, BD_CSTR_MAX));
			ib_emit(b, I_ALU64_REG(BPF_ADD, R1, R_BUF));
			ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, BD_SC_RAW_STR));
			ib_emit(b, I_MOV64_IMM(R2, BD_CSTR_MAX));
			ib_emit(b, I_LDX(8, R3, R_BUF, BD_SC_RAW_ARGS + 8 * i));
			ib_emit(b, I_CALL(BPF_FUNC_probe_read_user_str));
			ib_place(b, skip);
		}
		ib_emit(b, I_ST_IMM(4, R_BUF, F_HDR_VALID, 1));
		ib_ja(b, g.out_label);
	}
	ib_place(b, lost);
	emit_count_lost(&g, tg->lost_map_fd, 0);
	return emit_out_and_take(&g, insns, cnt);
}
