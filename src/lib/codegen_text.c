// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel-side text writer of pinned dumpers, so that plain `cat` works:
 * each column becomes bpf_seq_printf() calls chosen by the column's
 * format (formats.h: each format's kernel-side form, beside the user-space one
 * in format.c that it must match). Cells are space-separated like `bpfdump
 * dump -r`, with a header line first. Enumerators' names become branch tables
 * built from BTF, states and families from the tables of names.h; what the
 * kernel cannot format (struct values, map data with BTF) is refused at pin
 * time or shown as hex, and `bpfdump cat` gives the full user-space formatting.
 *
 * Readers are whoever may open the pin, so the writer is careful with them:
 * control bytes of strings become '?' (as ps shows them), so a name cannot
 * forge a row or send a terminal an escape; kernel addresses are written as
 * zeros, as /proc/kallsyms writes them for an unprivileged reader, unless
 * /proc shows them to everyone or only root reads the pin.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "codegen.h"
#include "formats.h"
#include "names.h"
#include "output.h"

#define MAX_NAMES 64	/* enumerators in a branch table */

static const struct bd_name bool_names[] = { { 0, NULL, "false" }, { 1, NULL, "true" } };
static const struct bd_names bools = { bool_names, 2 };

/* Add a format string to the format map; returns its offset. */
static __u32 add_fmt(struct cg *g, const char *fmt)
{
	__u32 off = g->fmts.len;

	sb_puts(&g->fmts, fmt, strlen(fmt) + 1);
	return off;
}

/* bpf_seq_printf(seq, fmt, len, args, nargs * 8) with a constant format. */
static void emit_printf(struct cg *g, const char *fmt, int nargs)
{
	struct insn_buf *b = &g->ib;
	__u32 off = add_fmt(g, fmt);

	ib_emit(b, I_MOV64_REG(R1, R_SEQ));
	ib_ld_imm64(b, R2, BPF_PSEUDO_MAP_VALUE, FMT_MAP_PLACEHOLDER | ((__u64)off << 32));
	ib_emit(b, I_MOV64_IMM(R3, strlen(fmt) + 1));
	if (nargs) {
		ib_emit(b, I_MOV64_REG(R4, R_BUF));
		ib_emit(b, I_ALU64_IMM(BPF_ADD, R4, g->args_off));
	} else {
		ib_emit(b, I_MOV64_IMM(R4, 0));
	}
	ib_emit(b, I_MOV64_IMM(R5, nargs * 8));
	ib_emit(b, I_CALL(BPF_FUNC_seq_printf));
}

/* args[i] = address of a buffer offset (for %s, %pI4, %pI6c) */
static void arg_addr(struct cg *g, int i, __u32 off)
{
	struct insn_buf *b = &g->ib;

	ib_emit(b, I_MOV64_REG(R1, R_BUF));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, off));
	ib_emit(b, I_STX(8, R_BUF, R1, g->args_off + 8 * i));
}

/* One cell: a space before it unless it is the first, then core with nargs args. */
static void emit_cell(struct cg *g, bool first, const char *core, int nargs)
{
	char f[160];

	snprintf(f, sizeof(f), "%s%s", first ? "" : " ", core);
	emit_printf(g, f, nargs);
}

/*
 * Bytes [off, off + len) of the buffer: each control byte (below 0x20 but NUL, and
 * 0x7f) becomes '?'. A loop the verifier walks through once per byte; branchless
 * inside, so no state is queued per byte:
 *   bad = (c != 0 && c < 0x20) || c == 0x7f;  c ^= (c ^ '?') & -bad
 */
static void emit_sanitize(struct cg *g, __u32 off, __u32 len)
{
	struct insn_buf *b = &g->ib;
	int loop = ib_new_label(b);

	if (!len)
		return;
	ib_emit(b, I_MOV64_REG(R1, R_BUF));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, off));
	ib_emit(b, I_MOV64_IMM(R2, len));
	ib_place(b, loop);
	ib_emit(b, I_LDX(1, R3, R1, 0));
	ib_emit(b, I_MOV64_REG(R4, R3));		/* r4 = c != 0 */
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R4, -1));
	ib_emit(b, I_ALU64_IMM(BPF_RSH, R4, 63));
	ib_emit(b, I_ALU64_IMM(BPF_XOR, R4, 1));
	ib_emit(b, I_MOV64_REG(R5, R3));		/* r5 = c < 0x20 */
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R5, -0x20));
	ib_emit(b, I_ALU64_IMM(BPF_RSH, R5, 63));
	ib_emit(b, I_ALU64_REG(BPF_AND, R4, R5));
	ib_emit(b, I_MOV64_REG(R5, R3));		/* r5 = c == 0x7f */
	ib_emit(b, I_ALU64_IMM(BPF_XOR, R5, 0x7f));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R5, -1));
	ib_emit(b, I_ALU64_IMM(BPF_RSH, R5, 63));
	ib_emit(b, I_ALU64_REG(BPF_OR, R4, R5));
	ib_emit(b, INSN(BPF_ALU64 | BPF_NEG, R4, 0, 0, 0));
	ib_emit(b, I_MOV64_REG(R5, R3));
	ib_emit(b, I_ALU64_IMM(BPF_XOR, R5, '?'));
	ib_emit(b, I_ALU64_REG(BPF_AND, R5, R4));
	ib_emit(b, I_ALU64_REG(BPF_XOR, R3, R5));
	ib_emit(b, I_STX(1, R1, R3, 0));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, 1));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R2, -1));
	ib_jmp_imm(b, BPF_JNE, R2, 0, loop);
}

bool bd_text_kaddrs_for_pin(const struct bpfdump_pin_opts *o)
{
	unsigned int mode = o && o->mode ? o->mode : 0600;

	return !(mode & (S_IRGRP | S_IROTH)) && (!o || o->uid <= 0);
}

/* R1 holds an 8-byte value that may be a kernel address (bd_column_may_be_kaddr);
 * args[0] too. Zeros of the same width when it is one, else fmt. */
static void emit_kaddr(struct cg *g, const struct btf_type *t, const char *fmt, bool hex,
		       bool first)
{
	struct insn_buf *b = &g->ib;
	int show = ib_new_label(b), done = ib_new_label(b);

	if (!btf_is_ptr(t)) {
		ib_jmp_imm(b, BPF_JSGE, R1, 0, show);	/* the user half */
		ib_jmp_imm(b, BPF_JEQ, R1, -1, show);	/* ~0UL: a sentinel */
	}
	emit_cell(g, first, btf_is_ptr(t) || hex ? "0x0000000000000000" : "0", 0);
	if (btf_is_ptr(t))
		return;
	ib_ja(b, done);
	ib_place(b, show);
	emit_cell(g, first, fmt, 1);
	ib_place(b, done);
}

/* R1 holds the value (and args[0] too): a name per known value, else the number. */
static void emit_names(struct cg *g, bool first, const struct bd_names *t, const char *numfmt)
{
	struct insn_buf *b = &g->ib;
	int done = ib_new_label(b), i;

	for (i = 0; i < t->cnt; i++) {
		const struct bd_name *nv = &t->v[i];
		int next;

		if (!nv->name)
			continue;
		next = ib_new_label(b);
		if ((unsigned long long)(long long)(__s32)nv->val == nv->val) {
			ib_jmp_imm(b, BPF_JNE, R1, (__s32)nv->val, next);
		} else {
			ib_ld_imm64(b, R2, 0, nv->val);
			ib_jmp_reg(b, BPF_JNE, R1, R2, next);
		}
		emit_cell(g, first, nv->name, 0);
		ib_ja(b, done);
		ib_place(b, next);
	}
	emit_cell(g, first, numfmt, 1);
	ib_place(b, done);
}

static int enum_names(const struct btf *btf, const struct btf_type *t, struct bd_name *nv)
{
	int i, n = btf_vlen(t);

	if (n > MAX_NAMES)
		return 0;
	for (i = 0; i < n; i++) {
		nv[i].cname = NULL;
		nv[i].desc = NULL;
		if (btf_is_enum(t)) {
			const struct btf_enum *e = btf_enum(t) + i;

			nv[i].val = btf_kflag(t) ? (unsigned long long)(long long)e->val
						 : (__u32)e->val;
			nv[i].name = btf__name_by_offset(btf, e->name_off);
		} else {
			const struct btf_enum64 *e = btf_enum64(t) + i;

			nv[i].val = btf_enum64_value(e);
			nv[i].name = btf__name_by_offset(btf, e->name_off);
		}
	}
	return n;
}

static void load_slot(struct cg *g, const struct bd_access *a, bool is_signed)
{
	struct insn_buf *b = &g->ib;
	__u32 sz = a->fetch == BD_FETCH_BITFIELD ? 8 : a->size;

	ib_emit(b, I_LDX(sz, R1, R_BUF, a->slot_off));
	if (is_signed)
		ib_sign_extend(b, R1, sz);
}

/* /proc's state letter (names.c: bd_task_state): TASK_IDLE is I, TASK_RTLOCK_WAIT
 * is D, else the highest TASK_REPORT bit of __state | exit_state. */
int fmt_emit_taskstate(struct cg *g, const struct bd_column *c, bool first)
{
	const struct bd_names *t = &bd_task_states;
	struct insn_buf *b = &g->ib;
	int done = ib_new_label(b), next, i;

	ib_emit(b, I_LDX(4, R1, R_BUF, c->acc[0].slot_off));
	ib_emit(b, I_MOV64_REG(R2, R1));
	ib_emit(b, I_ALU64_IMM(BPF_AND, R2, 0x402));
	next = ib_new_label(b);
	ib_jmp_imm(b, BPF_JNE, R2, 0x402, next);	/* TASK_IDLE */
	emit_cell(g, first, bd_task_state(0x402, 0)->name, 0);
	ib_ja(b, done);
	ib_place(b, next);
	next = ib_new_label(b);
	ib_jmp_imm(b, BPF_JNE, R1, 0x1000, next);	/* TASK_RTLOCK_WAIT */
	emit_cell(g, first, bd_task_state(0x1000, 0)->name, 0);
	ib_ja(b, done);
	ib_place(b, next);
	ib_emit(b, I_LDX(4, R2, R_BUF, c->acc[1].slot_off));
	ib_emit(b, I_ALU64_REG(BPF_OR, R1, R2));
	ib_emit(b, I_STX(8, R_BUF, R1, g->args_off));
	for (i = t->cnt - 1; i >= 0; i--) {
		const struct bd_name *n = &t->v[i];

		if (!n->name || !n->val || (n->val & (n->val - 1)))
			continue;	/* one TASK_REPORT bit each */
		next = ib_new_label(b);
		ib_emit(b, I_LDX(8, R1, R_BUF, g->args_off));
		ib_emit(b, INSN(BPF_JMP | BPF_JSET | BPF_K, R1, 0, 1, n->val));
		ib_ja(b, next);
		emit_cell(g, first, n->name, 0);
		ib_ja(b, done);
		ib_place(b, next);
	}
	emit_cell(g, first, bd_task_state(0, 0)->name, 0);
	ib_place(b, done);
	return 0;
}

/* /proc/PID/maps' perms (names.c: bd_vm_perms), one letter per flag of the table */
int fmt_emit_vmflags(struct cg *g, const struct bd_column *c, bool first)
{
	const struct bd_access *a = &c->acc[0];
	struct insn_buf *b = &g->ib;
	int i;

	for (i = 0; i < 4; i++) {
		const struct bd_name *n = &bd_vm_flags.v[i];
		int set = ib_new_label(b), store = ib_new_label(b);

		ib_emit(b, I_LDX(8, R1, R_BUF, a->slot_off));
		ib_jmp_imm(b, BPF_JSET, R1, n->val, set);
		ib_emit(b, I_MOV64_IMM(R2, n->desc[0]));
		ib_ja(b, store);
		ib_place(b, set);
		ib_emit(b, I_MOV64_IMM(R2, n->name[0]));
		ib_place(b, store);
		ib_emit(b, I_STX(8, R_BUF, R2, g->args_off + 8 * i));
	}
	emit_cell(g, first, "%c%c%c%c", 4);
	return 0;
}

static void emit_dwalk_text(struct cg *g, const struct bd_access *a, bool first)
{
	struct insn_buf *b = &g->ib;
	int i, skip;

	if (!first)
		emit_printf(g, " ", 0);
	ib_emit(b, I_MOV64_IMM(R_BASE, 0));	/* printed a name yet? */
	skip = ib_new_label(b);
	ib_emit(b, I_LDX(4, R1, R_BUF, a->slot_off));
	ib_jmp_imm(b, BPF_JLE, R1, BD_DWALK_DEPTH, skip);
	emit_printf(g, "...", 0);
	ib_place(b, skip);
	for (i = BD_DWALK_DEPTH - 1; i >= 0; i--) {
		__u32 comp = a->slot_off + BD_DWALK_HDR + i * BD_DWALK_COMP;

		skip = ib_new_label(b);
		ib_emit(b, I_LDX(4, R1, R_BUF, a->slot_off));
		ib_jmp_imm(b, BPF_JLE, R1, i, skip);
		ib_emit(b, I_LDX(1, R1, R_BUF, comp));
		ib_jmp_imm(b, BPF_JEQ, R1, 0, skip);
		ib_emit(b, I_ST_IMM(1, R_BUF, comp + BD_DWALK_COMP - 1, 0));
		arg_addr(g, 0, comp);
		emit_printf(g, "/%s", 1);
		ib_emit(b, I_MOV64_IMM(R_BASE, 1));
		ib_place(b, skip);
	}
	skip = ib_new_label(b);
	ib_jmp_imm(b, BPF_JNE, R_BASE, 0, skip);
	ib_emit(b, I_LDX(4, R1, R_BUF, a->slot_off));
	ib_jmp_imm(b, BPF_JEQ, R1, 0, skip);
	emit_printf(g, "/", 0);
	ib_place(b, skip);
	skip = ib_new_label(b);
	ib_emit(b, I_LDX(4, R1, R_BUF, a->slot_off));
	ib_jmp_imm(b, BPF_JEQ, R1, 0, skip);
	ib_emit(b, I_LDX(4, R1, R_BUF, a->slot_off + 4));
	ib_jmp_imm(b, BPF_JNE, R1, 0, skip);
	emit_printf(g, " (deleted)", 0);
	ib_place(b, skip);
}

/* sunpath(): the bound name, "@name" for an abstract one */
static void emit_sunpath_text(struct cg *g, const struct bd_column *c, bool first)
{
	struct insn_buf *b = &g->ib;
	const struct bd_access *len = &c->acc[0], *sp = &c->acc[1];
	int none = ib_new_label(b), done = ib_new_label(b), named = ib_new_label(b);

	ib_emit(b, I_ST_IMM(1, R_BUF, sp->slot_off + sp->size, 0));
	emit_sanitize(g, sp->slot_off, sp->size);
	ib_emit(b, I_LDX(4, R1, R_BUF, len->slot_off));
	ib_jmp_imm(b, BPF_JSLE, R1, 2, none);
	ib_emit(b, I_LDX(1, R1, R_BUF, sp->slot_off));
	ib_jmp_imm(b, BPF_JNE, R1, 0, named);
	arg_addr(g, 0, sp->slot_off + 1);
	emit_cell(g, first, "@%s", 1);
	ib_ja(b, done);
	ib_place(b, named);
	arg_addr(g, 0, sp->slot_off);
	emit_cell(g, first, "%s", 1);
	ib_ja(b, done);
	ib_place(b, none);
	if (!first)
		emit_printf(g, " ", 0);
	ib_place(b, done);
}

static bool is_type(const struct btf *btf, __u32 id, const char *name)
{
	const struct btf_type *t = bd_skip_mods(btf, id, NULL);

	return t && !strcmp(btf__name_by_offset(btf, t->name_off), name);
}

static int emit_column(struct cg *g, const struct bd_column *c, bool first)
{
	const struct bd_access *a = &c->acc[0];
	const struct btf *btf = a->btf;
	const struct btf_type *t = bd_skip_mods(btf, a->type_id, NULL);
	struct insn_buf *b = &g->ib;
	int skip, done;

	/* fetched as a path or a string: text whatever the format */
	if (a->fetch == BD_FETCH_DPATH) {
		skip = ib_new_label(b);
		done = ib_new_label(b);
		ib_emit(b, I_LDX(4, R1, R_BUF, a->slot_off));
		ib_sign_extend(b, R1, 4);
		ib_jmp_imm(b, BPF_JSLE, R1, 0, skip);
		emit_sanitize(g, g->p->path_buf_off[a->path_idx], BD_PATH_MAX);
		arg_addr(g, 0, g->p->path_buf_off[a->path_idx]);
		emit_cell(g, first, "%s", 1);
		ib_ja(b, done);
		ib_place(b, skip);
		if (!first)
			emit_printf(g, " ", 0);
		ib_place(b, done);
		return 0;
	}
	if (a->fetch == BD_FETCH_DWALK) {
		emit_sanitize(g, a->slot_off + BD_DWALK_HDR, BD_DWALK_DEPTH * BD_DWALK_COMP);
		emit_dwalk_text(g, a, first);
		return 0;
	}
	if (a->fetch == BD_FETCH_CSTR || (t && btf_is_array(t) && c->fmt == BD_FMT_AUTO &&
					  a->fetch == BD_FETCH_BYTES &&
					  bd_skip_mods(btf, btf_array(t)->type, NULL)->size == 1 &&
					  btf_is_int(bd_skip_mods(btf, btf_array(t)->type, NULL)))) {
		if (a->fetch == BD_FETCH_CSTR) {
			ib_emit(b, I_ST_IMM(1, R_BUF, a->slot_off + a->slot_size - 1, 0));
			emit_sanitize(g, a->slot_off, a->slot_size - 1);
		} else {
			ib_emit(b, I_ST_IMM(1, R_BUF, a->slot_off + a->size, 0));
			emit_sanitize(g, a->slot_off, a->size);
		}
		arg_addr(g, 0, a->slot_off);
		emit_cell(g, first, "%s", 1);
		return 0;
	}
	if ((unsigned int)c->fmt >= BD_FMT_CNT)
		return -EINVAL;
	return bd_formats[c->fmt].emit(g, c, first);
}

/* The forms of the table of formats (formats.c); the kernel side. */

int fmt_emit_sunpath(struct cg *g, const struct bd_column *c, bool first)
{
	emit_sunpath_text(g, c, first);
	return 0;
}

/* the number at the level, or 0 when the task sits above it */
int fmt_emit_nspid(struct cg *g, const struct bd_column *c, bool first)
{
	const struct bd_access *a = &c->acc[0];
	struct insn_buf *b = &g->ib;
	int skip = ib_new_label(b), done = ib_new_label(b);

	ib_emit(b, I_LDX(4, R1, R_BUF, a->slot_off));
	ib_jmp_imm(b, BPF_JLT, R1, g->p->pidns_level, skip);
	ib_emit(b, I_LDX(4, R1, R_BUF, c->acc[1].slot_off));
	ib_sign_extend(b, R1, 4);
	ib_ja(b, done);
	ib_place(b, skip);
	ib_emit(b, I_MOV64_IMM(R1, 0));
	ib_place(b, done);
	ib_emit(b, I_STX(8, R_BUF, R1, g->args_off));
	emit_cell(g, first, "%lld", 1);
	return 0;
}

int fmt_emit_sockaddr(struct cg *g, const struct bd_column *c, bool first)
{
	const struct bd_access *a = &c->acc[0];
	struct insn_buf *b = &g->ib;
	int skip = ib_new_label(b), done = ib_new_label(b);

	ib_emit(b, I_LDX(2, R1, R_BUF, a->slot_off));
	ib_jmp_imm(b, BPF_JNE, R1, 2, skip);
	arg_addr(g, 0, c->acc[1].slot_off);
	emit_cell(g, first, "%pI4", 1);
	ib_ja(b, done);
	ib_place(b, skip);
	skip = ib_new_label(b);
	ib_emit(b, I_LDX(2, R1, R_BUF, a->slot_off));
	ib_jmp_imm(b, BPF_JNE, R1, 10, skip);
	arg_addr(g, 0, c->acc[2].slot_off);
	emit_cell(g, first, "%pI6", 1);
	ib_ja(b, done);
	ib_place(b, skip);
	if (!first)
		emit_printf(g, " ", 0);
	ib_place(b, done);
	return 0;
}

int fmt_emit_ip(struct cg *g, const struct bd_column *c, bool first)
{
	const struct bd_access *a = &c->acc[0];

	arg_addr(g, 0, a->slot_off);
	emit_cell(g, first, a->size == 4 ? "%pI4" : "%pI6", 1);
	return 0;
}

/* An in6_addr's bytes as user space shows them; false for anything else. */
static bool emit_in6(struct cg *g, const struct bd_column *c, bool first)
{
	const struct bd_access *a = &c->acc[0];

	if (!is_type(a->btf, a->type_id, "in6_addr"))
		return false;
	arg_addr(g, 0, a->slot_off);
	emit_cell(g, first, "%pI6", 1);
	return true;
}

/* Bytes as two hex digits each, spaced or not. */
static int emit_hex_bytes(struct cg *g, const struct bd_column *c, bool first, bool spaced)
{
	const struct bd_access *a = &c->acc[0];
	struct insn_buf *b = &g->ib;
	__u32 i, k;

	if (a->size > 48)
		return bd_err(g->d, -EOPNOTSUPP, "column '%s': %u bytes is too much for the "
			      "kernel-side text writer (at most 48); read it with 'bpfdump cat'",
			      c->name, a->size);
	if (!first)
		emit_printf(g, " ", 0);
	for (i = 0; i < a->size; i += 12) {
		char hf[64] = "";

		for (k = 0; k < 12 && i + k < a->size; k++) {
			ib_emit(b, I_LDX(1, R1, R_BUF, a->slot_off + i + k));
			ib_emit(b, I_STX(8, R_BUF, R1, g->args_off + 8 * k));
			strcat(hf, spaced && i + k ? " %02x" : "%02x");
		}
		emit_printf(g, hf, k);
	}
	return 0;
}

static int no_struct(struct cg *g, const struct bd_column *c)
{
	return bd_err(g->d, -EOPNOTSUPP, "column '%s': the kernel-side text writer cannot "
		      "format this struct or array; pick members, or read it with "
		      "'bpfdump cat'", c->name);
}

/*
 * A number column into R1 and args[0] (network order swapped, sign extended).
 * True when that wrote the cell already: a __be32 address as a dotted quad, a
 * kernel address hidden.
 */
static bool emit_number(struct cg *g, const struct bd_column *c, bool first, bool *is_signed)
{
	const struct bd_access *a = &c->acc[0];
	const struct btf *btf = a->btf;
	const struct btf_type *t = bd_skip_mods(btf, a->type_id, NULL);
	struct insn_buf *b = &g->ib;
	int be;

	*is_signed = false;
	if (t && btf_is_int(t))
		*is_signed = btf_int_encoding(t) & BTF_INT_SIGNED;
	if (t && (btf_is_enum(t) || btf_is_enum64(t)))
		*is_signed = btf_kflag(t);
	if (a->fetch == BD_FETCH_BITFIELD)
		*is_signed = false;
	load_slot(g, a, *is_signed);
	be = a->fetch == BD_FETCH_BITFIELD ? 0 : bd_net_order_bits(btf, a->type_id);
	if (be == 32 && c->addr_hint && c->fmt == BD_FMT_AUTO) {
		arg_addr(g, 0, a->slot_off);
		emit_cell(g, first, "%pI4", 1);
		return true;
	}
	if (be)
		ib_emit(b, INSN(BPF_ALU | BPF_END | BPF_TO_BE, R1, 0, 0, be));
	ib_emit(b, I_STX(8, R_BUF, R1, g->args_off));
	if (g->hide_kaddr && bd_column_may_be_kaddr(c)) {
		bool hex = c->fmt == BD_FMT_HEX || btf_is_ptr(t);

		emit_kaddr(g, t, hex ? "0x%llx" : "%llu", hex, first);
		return true;
	}
	return false;
}

int fmt_emit_typed(struct cg *g, const struct bd_column *c, bool first)
{
	const struct bd_access *a = &c->acc[0];
	const struct btf *btf = a->btf;
	const struct btf_type *t = bd_skip_mods(btf, a->type_id, NULL);
	struct insn_buf *b = &g->ib;
	struct bd_name nv[MAX_NAMES];
	struct bd_names names = { nv };
	bool is_signed;

	if (a->fetch == BD_FETCH_BYTES)
		return emit_in6(g, c, first) ? 0 : no_struct(g, c);
	if (emit_number(g, c, first, &is_signed))
		return 0;
	if (t && btf_is_ptr(t)) {
		emit_cell(g, first, "0x%llx", 1);
		return 0;
	}
	if (t && (btf_is_enum(t) || btf_is_enum64(t)) && a->fetch != BD_FETCH_BITFIELD &&
	    (names.cnt = enum_names(btf, t, nv)) > 0) {
		emit_names(g, first, &names, is_signed ? "%lld" : "%llu");
		return 0;
	}
	if (t && btf_is_int(t) && a->fetch != BD_FETCH_BITFIELD) {
		__u8 enc = btf_int_encoding(t);

		if (enc & BTF_INT_BOOL) {
			emit_names(g, first, &bools, "%llu");
			return 0;
		}
		if (t->size == 1 && ((enc & BTF_INT_CHAR) ||
				     !strcmp(btf__name_by_offset(btf, t->name_off), "char"))) {
			/* a control byte (or NUL) as '?' */
			int ok = ib_new_label(b), bad = ib_new_label(b);

			ib_emit(b, I_ALU64_IMM(BPF_AND, R1, 0xff));
			ib_jmp_imm(b, BPF_JLT, R1, 0x20, bad);
			ib_jmp_imm(b, BPF_JNE, R1, 0x7f, ok);
			ib_place(b, bad);
			ib_emit(b, I_ST_IMM(8, R_BUF, g->args_off, '?'));
			ib_place(b, ok);
			emit_cell(g, first, "%c", 1);
			return 0;
		}
	}
	emit_cell(g, first, is_signed ? "%lld" : "%llu", 1);
	return 0;
}

int fmt_emit_hex(struct cg *g, const struct bd_column *c, bool first)
{
	const struct bd_access *a = &c->acc[0];
	struct insn_buf *b = &g->ib;
	bool is_signed;

	if (a->fetch == BD_FETCH_BYTES) {
		if (a->size == 8) {
			/* bytes in memory order, as user space prints them */
			ib_emit(b, I_LDX(8, R1, R_BUF, a->slot_off));
			ib_emit(b, INSN(BPF_ALU | BPF_END | BPF_TO_BE, R1, 0, 0, 64));
			ib_emit(b, I_STX(8, R_BUF, R1, g->args_off));
			emit_cell(g, first, "%016llx", 1);
			return 0;
		}
		return emit_hex_bytes(g, c, first, false);
	}
	if (emit_number(g, c, first, &is_signed))
		return 0;
	emit_cell(g, first, "0x%llx", 1);
	return 0;
}

/* map keys and values: hex bytes (user space decodes them by the map's BTF) */
int fmt_emit_mapdata(struct cg *g, const struct bd_column *c, bool first)
{
	if (c->acc[0].fetch != BD_FETCH_BYTES)
		return fmt_emit_typed(g, c, first);
	if (emit_in6(g, c, first))
		return 0;
	return emit_hex_bytes(g, c, first, true);
}

/* A number named from a table, or the number. */
static int emit_named(struct cg *g, const struct bd_column *c, bool first,
		      const struct bd_names *t)
{
	bool is_signed;

	if (c->acc[0].fetch == BD_FETCH_BYTES)
		return emit_in6(g, c, first) ? 0 : no_struct(g, c);
	if (!emit_number(g, c, first, &is_signed))
		emit_names(g, first, t, "%llu");
	return 0;
}

int fmt_emit_tcpstate(struct cg *g, const struct bd_column *c, bool first)
{
	return emit_named(g, c, first, &bd_tcp_states);
}

int fmt_emit_family(struct cg *g, const struct bd_column *c, bool first)
{
	return emit_named(g, c, first, &bd_families);
}

/* socktype(sk): by ss's names for a unix socket, else by SOCK_* name */
int fmt_emit_socktype(struct cg *g, const struct bd_column *c, bool first)
{
	const struct bd_access *fam = &c->acc[0], *type = &c->acc[1];
	struct insn_buf *b = &g->ib;
	int other = ib_new_label(b), done = ib_new_label(b);

	load_slot(g, type, false);
	ib_emit(b, I_STX(8, R_BUF, R1, g->args_off));
	ib_emit(b, I_LDX(fam->size, R2, R_BUF, fam->slot_off));
	ib_jmp_imm(b, BPF_JNE, R2, 1, other);	/* AF_UNIX */
	emit_names(g, first, &bd_unix_types, "%llu");
	ib_ja(b, done);
	ib_place(b, other);
	ib_emit(b, I_LDX(8, R1, R_BUF, g->args_off));
	emit_names(g, first, &bd_sock_types, "%llu");
	ib_place(b, done);
	return 0;
}

/* fileoff(vma): vm_pgoff << PAGE_SHIFT when vm_file is set, else 0 */
int fmt_emit_fileoff(struct cg *g, const struct bd_column *c, bool first)
{
	const struct bd_access *pgoff = &c->acc[0], *file = &c->acc[1];
	struct insn_buf *b = &g->ib;
	int anon = ib_new_label(b), done = ib_new_label(b);
	long page = sysconf(_SC_PAGESIZE);
	int shift = 0;

	while (page > 1) {
		page >>= 1;
		shift++;
	}
	load_slot(g, file, false);
	ib_jmp_imm(b, BPF_JEQ, R1, 0, anon);
	load_slot(g, pgoff, false);
	ib_emit(b, I_ALU64_IMM(BPF_LSH, R1, shift));
	ib_ja(b, done);
	ib_place(b, anon);
	ib_emit(b, I_MOV64_IMM(R1, 0));
	ib_place(b, done);
	ib_emit(b, I_STX(8, R_BUF, R1, g->args_off));
	emit_cell(g, first, "0x%llx", 1);
	return 0;
}

/* The header line, once per iterator session (meta->session_id), before the
 * first object, or alone when there is none. */
void cg_text_header_first(struct cg *g)
{
	struct insn_buf *b = &g->ib;
	struct bd_strbuf h = {};
	int skip = ib_new_label(b), i;

	for (i = 0; i < g->p->col_cnt; i++)
		sb_printf(&h, "%s%s", i ? " " : "", g->p->cols[i].header);
	sb_putc(&h, '\n');
	/* struct bpf_iter_meta { seq; session_id; seq_num; } */
	ib_emit(b, I_LDX(8, R1, R_CTX, 0));
	ib_emit(b, I_LDX(8, R2, R1, 8));
	ib_emit(b, I_LDX(8, R3, R_BUF, g->p->hdr_off));
	ib_jmp_reg(b, BPF_JEQ, R2, R3, skip);
	ib_emit(b, I_STX(8, R_BUF, R2, g->p->hdr_off));
	ib_emit(b, I_LDX(8, R_SEQ, R1, 0));
	/* format strings may not hold '%' except as conversions: headers never do */
	emit_printf(g, h.s ? h.s : "\n", 0);
	ib_place(b, skip);
	sb_free(&h);
}

void cg_text_writer(struct cg *g)
{
	struct insn_buf *b = &g->ib;
	struct bd_kaddr_sysctl sc;
	int i, err;

	/* decided now, for every later reader: the pin does not know who they are */
	bd_kaddr_sysctl_read(&sc);
	g->hide_kaddr = !g->p->text_kaddrs && !bd_kaddr_shown(&sc, false);

	ib_emit(b, I_LDX(8, R_SEQ, R_CTX, 0));
	ib_emit(b, I_LDX(8, R_SEQ, R_SEQ, 0));
	for (i = 0; i < g->p->col_cnt; i++) {
		err = emit_column(g, &g->p->cols[i], i == 0);
		if (err && !g->err)
			g->err = err;
	}
	emit_printf(g, "\n", 0);
}

void bd_codegen_set_fmt_map(struct bpf_insn *insns, int cnt, int fmt_map_fd)
{
	int i;

	for (i = 0; i + 1 < cnt; i++) {
		if (insns[i].code == (BPF_LD | BPF_DW | BPF_IMM) &&
		    insns[i].src_reg == BPF_PSEUDO_MAP_VALUE && insns[i].imm == FMT_MAP_PLACEHOLDER)
			insns[i].imm = fmt_map_fd;
		if (insns[i].code == (BPF_LD | BPF_DW | BPF_IMM))
			i++;
	}
}
