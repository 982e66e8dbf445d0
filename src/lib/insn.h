/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A small BPF instruction emitter: growable buffer, labels, fix-ups. */
#ifndef BPFDUMP_INSN_H
#define BPFDUMP_INSN_H

#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* The four the verifier cares about for loads/stores. */
static inline int insn_size_code(int bytes)
{
	switch (bytes) {
	case 1: return BPF_B;
	case 2: return BPF_H;
	case 4: return BPF_W;
	default: return BPF_DW;
	}
}

#define I_MOV64_REG(d, s)	INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define I_MOV64_IMM(d, i)	INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define I_ALU64_IMM(op, d, i)	INSN(BPF_ALU64 | (op) | BPF_K, d, 0, 0, i)
#define I_ALU64_REG(op, d, s)	INSN(BPF_ALU64 | (op) | BPF_X, d, s, 0, 0)
#define I_LDX(sz, d, s, o)	INSN(BPF_LDX | BPF_MEM | insn_size_code(sz), d, s, o, 0)
#define I_STX(sz, d, s, o)	INSN(BPF_STX | BPF_MEM | insn_size_code(sz), d, s, o, 0)
#define I_ST_IMM(sz, d, o, i)	INSN(BPF_ST | BPF_MEM | insn_size_code(sz), d, 0, o, i)
#define I_CALL(fn)		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, fn)
#define I_EXIT()		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Registers by role in generated programs. */
enum {
	R0 = 0, R1, R2, R3, R4, R5,
	R_CTX = 6,	/* iterator / tracing context */
	R_BUF = 7,	/* the per-reader record buffer (map value) */
	R8 = 8, R9 = 9,
	R_FP = 10,
};

struct insn_buf {
	struct bpf_insn *insns;
	int cnt;
	size_t cap;
	int err;		/* sticky -ENOMEM */
	/* labels: position (insn index) or -1 when not placed yet */
	int *labels;
	int label_cnt;
	size_t label_cap;
	/* jumps waiting for a label: insn index -> label */
	struct { int insn; int label; } *fixups;
	int fixup_cnt;
	size_t fixup_cap;
};

void ib_init(struct insn_buf *b);
void ib_free(struct insn_buf *b);
void ib_emit(struct insn_buf *b, struct bpf_insn insn);
/* Sign-extend the low sz bytes of reg to 64 bits (nothing for 8 bytes). */
void ib_sign_extend(struct insn_buf *b, int reg, __u32 sz);
/* 64-bit immediate load (two slots); src_reg is BPF_PSEUDO_MAP_FD for maps. */
void ib_ld_imm64(struct insn_buf *b, int dst, int src_pseudo, unsigned long long imm);
int ib_new_label(struct insn_buf *b);
void ib_place(struct insn_buf *b, int label);
/* Conditional jump to a label: op is BPF_JEQ etc; BPF_K with imm or BPF_X with src. */
void ib_jmp_imm(struct insn_buf *b, int op, int dst, int imm, int label);
void ib_jmp_reg(struct insn_buf *b, int op, int dst, int src, int label);
void ib_ja(struct insn_buf *b, int label);
/* Resolve every jump; returns 0, -ENOMEM, or -EINVAL for an unplaced label. */
int ib_finish(struct insn_buf *b);
/* Finish, then hand the instructions to the caller (who frees them) and free the
 * rest; on error free everything. */
int ib_take(struct insn_buf *b, struct bpf_insn **insns, int *cnt);

#endif
