// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The instruction buffer behind codegen: emit, label, fix up jumps. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "insn.h"
#include "util.h"

void ib_init(struct insn_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void ib_free(struct insn_buf *b)
{
	if (!b)
		return;
	free(b->insns);
	free(b->labels);
	free(b->fixups);
	memset(b, 0, sizeof(*b));
}

void ib_emit(struct insn_buf *b, struct bpf_insn insn)
{
	if (b->err)
		return;
	if (bd_grow((void **)&b->insns, &b->cap, b->cnt + 1, sizeof(insn))) {
		b->err = -ENOMEM;
		return;
	}
	b->insns[b->cnt++] = insn;
}

void ib_ld_imm64(struct insn_buf *b, int dst, int src_pseudo, unsigned long long imm)
{
	ib_emit(b, INSN(BPF_LD | BPF_DW | BPF_IMM, dst, src_pseudo, 0, (__s32)(__u32)imm));
	ib_emit(b, INSN(0, 0, 0, 0, (__s32)(__u32)(imm >> 32)));
}

void ib_sign_extend(struct insn_buf *b, int reg, __u32 sz)
{
	if (sz >= 8)
		return;
	ib_emit(b, I_ALU64_IMM(BPF_LSH, reg, 64 - 8 * sz));
	ib_emit(b, I_ALU64_IMM(BPF_ARSH, reg, 64 - 8 * sz));
}

int ib_new_label(struct insn_buf *b)
{
	if (b->err)
		return 0;
	if (bd_grow((void **)&b->labels, &b->label_cap, b->label_cnt + 1, sizeof(int))) {
		b->err = -ENOMEM;
		return 0;
	}
	b->labels[b->label_cnt] = -1;
	return b->label_cnt++;
}

void ib_place(struct insn_buf *b, int label)
{
	if (b->err)
		return;
	b->labels[label] = b->cnt;
}

static void add_fixup(struct insn_buf *b, int label)
{
	if (b->err)
		return;
	if (bd_grow((void **)&b->fixups, &b->fixup_cap, b->fixup_cnt + 1, sizeof(*b->fixups))) {
		b->err = -ENOMEM;
		return;
	}
	b->fixups[b->fixup_cnt].insn = b->cnt - 1;
	b->fixups[b->fixup_cnt].label = label;
	b->fixup_cnt++;
}

void ib_jmp_imm(struct insn_buf *b, int op, int dst, int imm, int label)
{
	ib_emit(b, INSN(BPF_JMP | op | BPF_K, dst, 0, 0, imm));
	add_fixup(b, label);
}

void ib_jmp_reg(struct insn_buf *b, int op, int dst, int src, int label)
{
	ib_emit(b, INSN(BPF_JMP | op | BPF_X, dst, src, 0, 0));
	add_fixup(b, label);
}

void ib_ja(struct insn_buf *b, int label)
{
	ib_emit(b, INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0));
	add_fixup(b, label);
}

int ib_finish(struct insn_buf *b)
{
	int i, to, off;

	if (b->err)
		return b->err;
	for (i = 0; i < b->fixup_cnt; i++) {
		to = b->labels[b->fixups[i].label];
		if (to < 0)
			return -EINVAL;
		off = to - b->fixups[i].insn - 1;
		if (off < -32768 || off > 32767)
			return -E2BIG;
		b->insns[b->fixups[i].insn].off = (__s16)off;
	}
	return 0;
}

int ib_take(struct insn_buf *b, struct bpf_insn **insns, int *cnt)
{
	int err = ib_finish(b);

	if (!err) {
		*insns = b->insns;
		*cnt = b->cnt;
		b->insns = NULL;
	}
	ib_free(b);
	return err;
}
