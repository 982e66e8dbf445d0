/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Between codegen.c (fetches, predicates, binary writer) and codegen_text.c. */
#ifndef BPFDUMP_CODEGEN_H
#define BPFDUMP_CODEGEN_H

#include "insn.h"
#include "internal.h"

#define R_BASE R9
#define R_SEQ R8

/* a fake fd that marks ld_imm64 of the format map until the real fd is known */
#define FMT_MAP_PLACEHOLDER 0x7fffff00

struct cg {
	struct insn_buf ib;
	const struct bd_plan *p;
	struct bpfdump *d;
	bool text;
	__u32 scratch_off;	/* 8 bytes for probe-read pointers */
	__u32 args_off;		/* text: u64 arguments of bpf_seq_printf */
	int out_label;		/* skip this row */
	struct bd_strbuf fmts;	/* text: format strings, NUL-separated */
	bool hide_kaddr;	/* text: kernel addresses written as zeros */
	int err;
	/* lockdown=confidentiality: no bpf_probe_read_kernel(_str); what they read
	 * comes through bpf_rdonly_cast (a JIT-guarded load: a bad address reads 0) */
	bool safe;
	__s32 cast_fn;		/* kfunc bpf_rdonly_cast, or <= 0: the kernel lacks it */
	__s32 cast_u64;		/* the struct a read is cast to: an 8-byte integer first */
	const char *what;	/* the column (or "where") being fetched, for messages */
};

/* Set g's lockdown fields from the context (codegen.c). */
void cg_init_lockdown(struct cg *g, struct bpfdump *d);

void emit_probe_read(struct cg *g, __u32 dst_off, __u32 size, int src_reg, __u32 src_off,
		     int helper);
void emit_fetch(struct cg *g, const struct bd_access *a);
/* Jump to label when the predicate's truth equals want. */
void emit_branch(struct cg *g, const struct bd_pred *pr, bool want, int label);
void emit_pred_fetches(struct cg *g, const struct bd_pred *pr);

/* codegen_text.c */
void cg_text_header_first(struct cg *g);
void cg_text_writer(struct cg *g);

#endif
