// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel-side text writer of pinned dumpers, so that plain `cat` works:
 * each column becomes bpf_seq_printf() calls with a format chosen from its
 * BTF type. Cells are space-separated like `bpfdump dump -r`, with a header
 * line first. Enum, state and family names come from branch tables built
 * from BTF; what the kernel cannot format (struct values, map data with BTF)
 * is refused at pin time or shown as hex, and `bpfdump cat` gives the
 * full user-space formatting.
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

#include "codegen.h"
#include "output.h"

#define MAX_NAMES 64	/* enumerators in a branch table */

struct name_val {
	unsigned long long val;
	const char *name;
};

static const struct name_val tcp_states[] = {
	{ 1, "ESTAB" }, { 2, "SYN-SENT" }, { 3, "SYN-RECV" }, { 4, "FIN-WAIT-1" },
	{ 5, "FIN-WAIT-2" }, { 6, "TIME-WAIT" }, { 7, "UNCONN" }, { 8, "CLOSE-WAIT" },
	{ 9, "LAST-ACK" }, { 10, "LISTEN" }, { 11, "CLOSING" }, { 12, "NEW-SYN-RECV" },
	{ 13, "BOUND-INACTIVE" },
};

static const struct name_val families[] = {
	{ 0, "unspec" }, { 1, "unix" }, { 2, "inet" }, { 10, "inet6" }, { 16, "netlink" },
	{ 17, "packet" }, { 40, "vsock" },
};

static const struct name_val bools[] = { { 0, "false" }, { 1, "true" } };

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

static void fmt_cell(char *buf, size_t len, bool first, const char *core);

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
	char f[32];

	if (!btf_is_ptr(t)) {
		ib_jmp_imm(b, BPF_JSGE, R1, 0, show);	/* the user half */
		ib_jmp_imm(b, BPF_JEQ, R1, -1, show);	/* ~0UL: a sentinel */
	}
	fmt_cell(f, sizeof(f), first, btf_is_ptr(t) || hex ? "0x0000000000000000" : "0");
	emit_printf(g, f, 0);
	if (btf_is_ptr(t))
		return;
	ib_ja(b, done);
	ib_place(b, show);
	fmt_cell(f, sizeof(f), first, fmt);
	emit_printf(g, f, 1);
	ib_place(b, done);
}

static void fmt_cell(char *buf, size_t len, bool first, const char *core)
{
	snprintf(buf, len, "%s%s", first ? "" : " ", core);
}

/* R1 holds the value (and args[0] too): a name per known value, else the number. */
static void emit_names(struct cg *g, bool first, const struct name_val *nv, int cnt,
		       const char *numfmt)
{
	struct insn_buf *b = &g->ib;
	int done = ib_new_label(b), i;
	char f[160];

	for (i = 0; i < cnt; i++) {
		int next = ib_new_label(b);

		if ((unsigned long long)(long long)(__s32)nv[i].val == nv[i].val) {
			ib_jmp_imm(b, BPF_JNE, R1, (__s32)nv[i].val, next);
		} else {
			ib_ld_imm64(b, R2, 0, nv[i].val);
			ib_jmp_reg(b, BPF_JNE, R1, R2, next);
		}
		fmt_cell(f, sizeof(f), first, nv[i].name);
		emit_printf(g, f, 0);
		ib_ja(b, done);
		ib_place(b, next);
	}
	fmt_cell(f, sizeof(f), first, numfmt);
	emit_printf(g, f, 1);
	ib_place(b, done);
}

static int enum_names(const struct btf *btf, const struct btf_type *t, struct name_val *nv)
{
	int i, n = btf_vlen(t);

	if (n > MAX_NAMES)
		return 0;
	for (i = 0; i < n; i++) {
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

/* /proc's state letter from __state | exit_state: the highest TASK_REPORT bit. */
static void emit_taskstate(struct cg *g, const struct bd_column *c, bool first)
{
	static const struct { __u32 bit; const char *l; } bits[] = {
		{ 0x40, "P" }, { 0x20, "Z" }, { 0x10, "X" }, { 0x08, "t" }, { 0x04, "T" },
		{ 0x02, "D" }, { 0x01, "S" },
	};
	struct insn_buf *b = &g->ib;
	int done = ib_new_label(b), next;
	char f[16];
	size_t i;

	ib_emit(b, I_LDX(4, R1, R_BUF, c->acc[0].slot_off));
	next = ib_new_label(b);
	ib_jmp_imm(b, BPF_JNE, R1, 0x402, next);	/* TASK_IDLE */
	fmt_cell(f, sizeof(f), first, "I");
	emit_printf(g, f, 0);
	ib_ja(b, done);
	ib_place(b, next);
	ib_emit(b, I_LDX(4, R1, R_BUF, c->acc[0].slot_off));
	ib_emit(b, I_LDX(4, R2, R_BUF, c->acc[1].slot_off));
	ib_emit(b, I_ALU64_REG(BPF_OR, R1, R2));
	ib_emit(b, I_STX(8, R_BUF, R1, g->args_off));
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		next = ib_new_label(b);
		ib_emit(b, I_LDX(8, R1, R_BUF, g->args_off));
		ib_emit(b, INSN(BPF_JMP | BPF_JSET | BPF_K, R1, 0, 1, bits[i].bit));
		ib_ja(b, next);
		fmt_cell(f, sizeof(f), first, bits[i].l);
		emit_printf(g, f, 0);
		ib_ja(b, done);
		ib_place(b, next);
	}
	fmt_cell(f, sizeof(f), first, "R");
	emit_printf(g, f, 0);
	ib_place(b, done);
}

static void emit_vmflags(struct cg *g, const struct bd_access *a, bool first)
{
	static const struct { __u32 bit; char on, off; } flags[] = {
		{ 0x1, 'r', '-' }, { 0x2, 'w', '-' }, { 0x4, 'x', '-' }, { 0x80, 's', 'p' },
	};
	struct insn_buf *b = &g->ib;
	size_t i;
	char f[16];

	for (i = 0; i < 4; i++) {
		int set = ib_new_label(b), store = ib_new_label(b);

		ib_emit(b, I_LDX(8, R1, R_BUF, a->slot_off));
		ib_jmp_imm(b, BPF_JSET, R1, flags[i].bit, set);
		ib_emit(b, I_MOV64_IMM(R2, flags[i].off));
		ib_ja(b, store);
		ib_place(b, set);
		ib_emit(b, I_MOV64_IMM(R2, flags[i].on));
		ib_place(b, store);
		ib_emit(b, I_STX(8, R_BUF, R2, g->args_off + 8 * i));
	}
	fmt_cell(f, sizeof(f), first, "%c%c%c%c");
	emit_printf(g, f, 4);
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
	char f[16];

	ib_emit(b, I_ST_IMM(1, R_BUF, sp->slot_off + sp->size, 0));
	emit_sanitize(g, sp->slot_off, sp->size);
	ib_emit(b, I_LDX(4, R1, R_BUF, len->slot_off));
	ib_jmp_imm(b, BPF_JSLE, R1, 2, none);
	ib_emit(b, I_LDX(1, R1, R_BUF, sp->slot_off));
	ib_jmp_imm(b, BPF_JNE, R1, 0, named);
	arg_addr(g, 0, sp->slot_off + 1);
	fmt_cell(f, sizeof(f), first, "@%s");
	emit_printf(g, f, 1);
	ib_ja(b, done);
	ib_place(b, named);
	arg_addr(g, 0, sp->slot_off);
	fmt_cell(f, sizeof(f), first, "%s");
	emit_printf(g, f, 1);
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
	struct name_val nv[MAX_NAMES];
	bool is_signed = false;
	int be, n, skip, done;
	char f[64];

	if (a->fetch == BD_FETCH_DPATH) {
		skip = ib_new_label(b);
		done = ib_new_label(b);
		ib_emit(b, I_LDX(4, R1, R_BUF, a->slot_off));
		ib_emit(b, I_ALU64_IMM(BPF_LSH, R1, 32));
		ib_emit(b, I_ALU64_IMM(BPF_ARSH, R1, 32));
		ib_jmp_imm(b, BPF_JSLE, R1, 0, skip);
		emit_sanitize(g, g->p->path_buf_off[a->path_idx], BD_PATH_MAX);
		arg_addr(g, 0, g->p->path_buf_off[a->path_idx]);
		fmt_cell(f, sizeof(f), first, "%s");
		emit_printf(g, f, 1);
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
		fmt_cell(f, sizeof(f), first, "%s");
		emit_printf(g, f, 1);
		return 0;
	}
	switch (c->fmt) {
	case BD_FMT_SUNPATH:
		emit_sunpath_text(g, c, first);
		return 0;
	case BD_FMT_TASKSTATE:
		emit_taskstate(g, c, first);
		return 0;
	case BD_FMT_NSPID:
		/* the number at the level, or 0 when the task sits above it */
		skip = ib_new_label(b);
		done = ib_new_label(b);
		ib_emit(b, I_LDX(4, R1, R_BUF, a->slot_off));
		ib_jmp_imm(b, BPF_JLT, R1, g->p->pidns_level, skip);
		ib_emit(b, I_LDX(4, R1, R_BUF, c->acc[1].slot_off));
		ib_emit(b, I_ALU64_IMM(BPF_LSH, R1, 32));
		ib_emit(b, I_ALU64_IMM(BPF_ARSH, R1, 32));
		ib_ja(b, done);
		ib_place(b, skip);
		ib_emit(b, I_MOV64_IMM(R1, 0));
		ib_place(b, done);
		ib_emit(b, I_STX(8, R_BUF, R1, g->args_off));
		fmt_cell(f, sizeof(f), first, "%lld");
		emit_printf(g, f, 1);
		return 0;
	case BD_FMT_VMFLAGS:
		emit_vmflags(g, a, first);
		return 0;
	case BD_FMT_SOCKADDR:
		skip = ib_new_label(b);
		done = ib_new_label(b);
		ib_emit(b, I_LDX(2, R1, R_BUF, a->slot_off));
		ib_jmp_imm(b, BPF_JNE, R1, 2, skip);
		arg_addr(g, 0, c->acc[1].slot_off);
		fmt_cell(f, sizeof(f), first, "%pI4");
		emit_printf(g, f, 1);
		ib_ja(b, done);
		ib_place(b, skip);
		skip = ib_new_label(b);
		ib_emit(b, I_LDX(2, R1, R_BUF, a->slot_off));
		ib_jmp_imm(b, BPF_JNE, R1, 10, skip);
		arg_addr(g, 0, c->acc[2].slot_off);
		fmt_cell(f, sizeof(f), first, "%pI6");
		emit_printf(g, f, 1);
		ib_ja(b, done);
		ib_place(b, skip);
		if (!first)
			emit_printf(g, " ", 0);
		ib_place(b, done);
		return 0;
	case BD_FMT_IP:
		arg_addr(g, 0, a->slot_off);
		fmt_cell(f, sizeof(f), first, a->size == 4 ? "%pI4" : "%pI6");
		emit_printf(g, f, 1);
		return 0;
	default:
		break;
	}
	if (a->fetch == BD_FETCH_BYTES) {
		if (is_type(btf, a->type_id, "in6_addr")) {
			arg_addr(g, 0, a->slot_off);
			fmt_cell(f, sizeof(f), first, "%pI6");
			emit_printf(g, f, 1);
			return 0;
		}
		if (c->fmt == BD_FMT_HEX && a->size == 8) {
			/* bytes in memory order, as user space prints them */
			ib_emit(b, I_LDX(8, R1, R_BUF, a->slot_off));
			ib_emit(b, INSN(BPF_ALU | BPF_END | BPF_TO_BE, R1, 0, 0, 64));
			ib_emit(b, I_STX(8, R_BUF, R1, g->args_off));
			fmt_cell(f, sizeof(f), first, "%016llx");
			emit_printf(g, f, 1);
			return 0;
		}
		if (c->fmt == BD_FMT_MAPDATA || c->fmt == BD_FMT_HEX) {
			__u32 i, k;

			if (a->size > 48)
				return bd_err(g->d, -EOPNOTSUPP, "column '%s': %u bytes is too "
					      "much for the kernel-side text writer (at most 48); "
					      "read it with 'bpfdump cat'", c->name, a->size);
			if (!first)
				emit_printf(g, " ", 0);
			for (i = 0; i < a->size; i += 12) {
				char hf[64] = "";

				for (k = 0; k < 12 && i + k < a->size; k++) {
					ib_emit(b, I_LDX(1, R1, R_BUF, a->slot_off + i + k));
					ib_emit(b, I_STX(8, R_BUF, R1, g->args_off + 8 * k));
					strcat(hf, i + k ? " %02x" : "%02x");
				}
				emit_printf(g, hf, k);
			}
			return 0;
		}
		return bd_err(g->d, -EOPNOTSUPP, "column '%s': the kernel-side text writer cannot "
			      "format this struct or array; pick members, or read it with "
			      "'bpfdump cat'", c->name);
	}

	/* numbers */
	if (t && btf_is_int(t))
		is_signed = btf_int_encoding(t) & BTF_INT_SIGNED;
	if (t && (btf_is_enum(t) || btf_is_enum64(t)))
		is_signed = btf_kflag(t);
	if (a->fetch == BD_FETCH_BITFIELD)
		is_signed = false;
	load_slot(g, a, is_signed);
	be = a->fetch == BD_FETCH_BITFIELD ? 0 : bd_net_order_bits(btf, a->type_id);
	if (be == 32 && c->addr_hint && c->fmt == BD_FMT_AUTO) {
		arg_addr(g, 0, a->slot_off);
		fmt_cell(f, sizeof(f), first, "%pI4");
		emit_printf(g, f, 1);
		return 0;
	}
	if (be)
		ib_emit(b, INSN(BPF_ALU | BPF_END | BPF_TO_BE, R1, 0, 0, be));
	ib_emit(b, I_STX(8, R_BUF, R1, g->args_off));
	if (g->hide_kaddr && bd_column_may_be_kaddr(c)) {
		bool hex = c->fmt == BD_FMT_HEX || btf_is_ptr(t);

		emit_kaddr(g, t, hex ? "0x%llx" : "%llu", hex, first);
		return 0;
	}
	switch (c->fmt) {
	case BD_FMT_HEX:
		fmt_cell(f, sizeof(f), first, "0x%llx");
		emit_printf(g, f, 1);
		return 0;
	case BD_FMT_TCPSTATE:
		emit_names(g, first, tcp_states, sizeof(tcp_states) / sizeof(tcp_states[0]), "%llu");
		return 0;
	case BD_FMT_FAMILY:
		emit_names(g, first, families, sizeof(families) / sizeof(families[0]), "%llu");
		return 0;
	default:
		break;
	}
	if (t && btf_is_ptr(t)) {
		fmt_cell(f, sizeof(f), first, "0x%llx");
		emit_printf(g, f, 1);
		return 0;
	}
	if (t && (btf_is_enum(t) || btf_is_enum64(t)) && a->fetch != BD_FETCH_BITFIELD &&
	    (n = enum_names(btf, t, nv)) > 0) {
		emit_names(g, first, nv, n, is_signed ? "%lld" : "%llu");
		return 0;
	}
	if (t && btf_is_int(t) && a->fetch != BD_FETCH_BITFIELD) {
		__u8 enc = btf_int_encoding(t);

		if (enc & BTF_INT_BOOL) {
			emit_names(g, first, bools, 2, "%llu");
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
			fmt_cell(f, sizeof(f), first, "%c");
			emit_printf(g, f, 1);
			return 0;
		}
	}
	fmt_cell(f, sizeof(f), first, is_signed ? "%lld" : "%llu");
	emit_printf(g, f, 1);
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
