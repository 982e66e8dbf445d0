// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Code generation: an access plan becomes BPF instructions.
 *
 * Generated iterator programs look like this:
 *   r6 = ctx; exit if the object is NULL (the final call)
 *   r7 = per-reader buffer (task storage of the reading task: concurrent
 *        readers of one pinned dumper never share it)
 *   fetch each predicate operand into the buffer; branch to 'out' when false
 *   fetch each column; r8 = seq; write header + fixed part, then paths
 * Values are fetched with direct loads through BTF pointers where the
 * verifier can type them, and with bpf_probe_read_kernel elsewhere. Under
 * lockdown=confidentiality the kernel forbids bpf_probe_read_kernel(_str):
 * there every such read is a load through bpf_rdonly_cast (an untrusted BTF
 * pointer: the JIT guards the load and a bad address reads 0), and strings
 * are copied one guarded byte at a time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "insn.h"
#include "internal.h"

#include "codegen.h"

void cg_init_lockdown(struct cg *g, struct bpfdump *d)
{
	const struct bd_lockdown *l = bd_lockdown_probe(d);

	g->safe = l->confidential;
	g->cast_fn = l->cast_fn_id;
	g->cast_u64 = l->cast_u64_id;
}

/* A read the kernel forbids here: one message naming the column, and lockdown. */
static void cg_forbidden(struct cg *g)
{
	if (g->err)
		return;
	g->err = bd_err(g->d, -EOPNOTSUPP, "column '%s': needs a kernel read that "
			"lockdown=confidentiality forbids (%s): this kernel has no bpf_rdonly_cast "
			"to replace bpf_probe_read_kernel; read it through BTF-typed members only",
			g->what ? g->what : "?", BD_LOCKDOWN_FILE);
}

/*
 * dst = size bytes at src + off, through bpf_rdonly_cast: the address becomes an
 * untrusted pointer to a struct whose first member is an 8-byte integer, and the
 * load at its offset 0 is one the JIT guards (BPF_PROBE_MEM). The kfunc call is
 * inlined (r0 = r1) by the verifier. Clobbers r0-r5; src may be r1.
 */
static void emit_cast_load(struct cg *g, int dst, __u32 size, int src, __s32 off)
{
	struct insn_buf *b = &g->ib;

	if (g->cast_fn <= 0 || g->cast_u64 <= 0) {
		cg_forbidden(g);
		return;
	}
	if (src != R1)
		ib_emit(b, I_MOV64_REG(R1, src));
	if (off)
		ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, off));
	ib_emit(b, I_MOV64_IMM(R2, g->cast_u64));
	ib_emit(b, INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, g->cast_fn));
	ib_emit(b, I_LDX(size, dst, R0, 0));
}

/* buffer[dst_off, +size) = size bytes at src_reg + src_off, in guarded loads of
 * 8, 4, 2 and 1 bytes; src_reg must survive calls (r6-r9) */
static void emit_safe_read(struct cg *g, __u32 dst_off, __u32 size, int src_reg, __u32 src_off)
{
	struct insn_buf *b = &g->ib;
	__u32 o, sz;

	for (o = 0; o < size && !g->err; o += sz) {
		sz = size - o >= 8 ? 8 : size - o >= 4 ? 4 : size - o >= 2 ? 2 : 1;
		emit_cast_load(g, R3, sz, src_reg, src_off + o);
		ib_emit(b, I_STX(sz, R_BUF, R3, dst_off + o));
	}
}

/*
 * buffer[dst_off, +n) = the string at src_reg (clobbered), as
 * bpf_probe_read_kernel_str leaves it: at most n - 1 bytes, zeros from the first
 * NUL on (so nothing past the string reaches the record), a NUL at the end.
 * A loop of guarded one-byte loads, branchless inside; its counter and the
 * "before the NUL" mask live on the stack, across the kfunc call.
 */
static void emit_safe_str(struct cg *g, __u32 dst_off, __u32 n, int src_reg)
{
	struct insn_buf *b = &g->ib;
	int loop = ib_new_label(b);

	if (g->cast_fn <= 0 || g->cast_u64 <= 0) {
		cg_forbidden(g);
		return;
	}
	ib_emit(b, I_ST_IMM(1, R_BUF, dst_off + n - 1, 0));
	if (n < 2)
		return;
	/* the address as a plain number: through the buffer, which keeps no types */
	ib_emit(b, I_STX(8, R_BUF, src_reg, g->scratch_off));
	ib_emit(b, I_LDX(8, R_BASE, R_BUF, g->scratch_off));
	ib_emit(b, I_MOV64_IMM(R1, 0));
	ib_emit(b, I_STX(8, R_FP, R1, -8));		/* i */
	ib_emit(b, I_MOV64_IMM(R1, -1));
	ib_emit(b, I_STX(8, R_FP, R1, -16));		/* all ones until the NUL */
	ib_place(b, loop);
	emit_cast_load(g, R3, 1, R_BASE, 0);
	ib_emit(b, I_LDX(8, R4, R_FP, -16));
	ib_emit(b, I_ALU64_REG(BPF_AND, R3, R4));
	ib_emit(b, I_LDX(8, R5, R_FP, -8));
	ib_emit(b, I_MOV64_REG(R1, R_BUF));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, dst_off));
	ib_emit(b, I_ALU64_REG(BPF_ADD, R1, R5));
	ib_emit(b, I_STX(1, R1, R3, 0));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R3, -1));	/* r3 = c != 0 ? -1 : 0 */
	ib_emit(b, I_ALU64_IMM(BPF_RSH, R3, 63));
	ib_emit(b, I_ALU64_IMM(BPF_XOR, R3, 1));
	ib_emit(b, INSN(BPF_ALU64 | BPF_NEG, R3, 0, 0, 0));
	ib_emit(b, I_ALU64_REG(BPF_AND, R4, R3));
	ib_emit(b, I_STX(8, R_FP, R4, -16));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R_BASE, 1));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R5, 1));
	ib_emit(b, I_STX(8, R_FP, R5, -8));
	ib_jmp_imm(b, BPF_JLT, R5, n - 1, loop);
}

void emit_probe_read(struct cg *g, __u32 dst_off, __u32 size, int src_reg, __u32 src_off,
			    int helper)
{
	struct insn_buf *b = &g->ib;

	if (g->safe && helper == BPF_FUNC_probe_read_kernel) {
		emit_safe_read(g, dst_off, size, src_reg, src_off);
		return;
	}
	if (g->safe && helper == BPF_FUNC_probe_read_kernel_str) {
		if (src_off) {
			ib_emit(b, I_MOV64_REG(R_BASE, src_reg));
			ib_emit(b, I_ALU64_IMM(BPF_ADD, R_BASE, src_off));
			src_reg = R_BASE;
		}
		emit_safe_str(g, dst_off, size, src_reg);
		return;
	}
	ib_emit(b, I_MOV64_REG(R1, R_BUF));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, dst_off));
	ib_emit(b, I_MOV64_IMM(R2, size));
	ib_emit(b, I_MOV64_REG(R3, src_reg));
	if (src_off)
		ib_emit(b, I_ALU64_IMM(BPF_ADD, R3, src_off));
	ib_emit(b, I_CALL(helper));
}

/* Zero a slot: a probe read from address 0 fails and clears its destination. */
static void emit_zero_slot(struct cg *g, const struct bd_access *a)
{
	struct insn_buf *b = &g->ib;

	if (a->fetch == BD_FETCH_DPATH || a->fetch == BD_FETCH_DWALK) {
		ib_emit(b, I_ST_IMM(4, R_BUF, a->slot_off, 0));
		return;
	}
	if (g->safe) {
		__u32 o, sz;

		for (o = 0; o < a->slot_size; o += sz) {
			sz = a->slot_size - o >= 8 ? 8 : a->slot_size - o >= 4 ? 4 :
			     a->slot_size - o >= 2 ? 2 : 1;
			ib_emit(b, I_ST_IMM(sz, R_BUF, a->slot_off + o, 0));
		}
		return;
	}
	ib_emit(b, I_MOV64_IMM(R_BASE, 0));
	emit_probe_read(g, a->slot_off, a->slot_size, R_BASE, 0, BPF_FUNC_probe_read_kernel);
}

/* probe-read 8 bytes at (buffer slot 'from_slot' value + add) into buffer slot 'to' */
static void probe_ptr(struct cg *g, __u32 to, __u32 from_slot, __s32 add)
{
	struct insn_buf *b = &g->ib;

	if (g->safe) {
		ib_emit(b, I_LDX(8, R1, R_BUF, from_slot));
		emit_cast_load(g, R3, 8, R1, add);
		ib_emit(b, I_STX(8, R_BUF, R3, to));
		return;
	}
	ib_emit(b, I_LDX(8, R3, R_BUF, from_slot));
	if (add)
		ib_emit(b, I_ALU64_IMM(BPF_ADD, R3, add));
	ib_emit(b, I_MOV64_REG(R1, R_BUF));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, to));
	ib_emit(b, I_MOV64_IMM(R2, 8));
	ib_emit(b, I_CALL(BPF_FUNC_probe_read_kernel));
}

/*
 * The path of a struct path the verifier does not trust, as d_path() would
 * build it: from the dentry up to its mount's root, then across to the mount
 * point in the parent mount, until the root mount or the root of the task
 * the program runs in (the reader of an iterator, the traced task), where
 * d_path() stops too. Level i stores the name of one dentry (or "" for a
 * mount crossing); user space joins them.
 */
static void emit_dwalk(struct cg *g, const struct bd_access *a)
{
	typeof(g->p->dwalk) const *w = &g->p->dwalk;
	struct insn_buf *b = &g->ib;
	__u32 s = a->slot_off, lv = s, den = s + 8, mnt = s + 16, tmp = s + 24, tmp2 = s + 32;
	__u32 root_d = s + 40, root_m = s + 48;
	int done = ib_new_label(b), i;

	/* current->fs->root; a task past exit_fs() has no fs, and a failed
	 * read leaves zeros, which match no dentry */
	ib_emit(b, I_CALL(BPF_FUNC_get_current_task));
	ib_emit(b, I_STX(8, R_BUF, R0, tmp));
	probe_ptr(g, tmp, tmp, w->task_fs);
	probe_ptr(g, root_d, tmp, w->fs_root + w->path_dentry);
	probe_ptr(g, root_m, tmp, w->fs_root + w->path_mnt);

	/* dentry and vfsmount of the path at R_BASE + off */
	emit_probe_read(g, den, 8, R_BASE, a->off + w->path_dentry, BPF_FUNC_probe_read_kernel);
	emit_probe_read(g, mnt, 8, R_BASE, a->off + w->path_mnt, BPF_FUNC_probe_read_kernel);
	/* no links left: d_path says " (deleted)" */
	probe_ptr(g, tmp, den, w->dentry_inode);
	if (g->safe) {
		ib_emit(b, I_LDX(8, R1, R_BUF, tmp));
		emit_cast_load(g, R3, 4, R1, w->inode_nlink);
		ib_emit(b, I_STX(4, R_BUF, R3, s + 4));
	} else {
		ib_emit(b, I_LDX(8, R3, R_BUF, tmp));
		ib_emit(b, I_ALU64_IMM(BPF_ADD, R3, w->inode_nlink));
		ib_emit(b, I_MOV64_REG(R1, R_BUF));
		ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, s + 4));
		ib_emit(b, I_MOV64_IMM(R2, 4));
		ib_emit(b, I_CALL(BPF_FUNC_probe_read_kernel));
	}
	for (i = 0; i < BD_DWALK_DEPTH; i++) {
		int not_root = ib_new_label(b), next = ib_new_label(b);
		__u32 comp = s + BD_DWALK_HDR + i * BD_DWALK_COMP;

		ib_emit(b, I_ST_IMM(4, R_BUF, lv, i));
		/* at the root of its mount? */
		probe_ptr(g, tmp, mnt, w->vfsmnt_root);
		ib_emit(b, I_LDX(8, R1, R_BUF, tmp));
		ib_emit(b, I_LDX(8, R2, R_BUF, den));
		ib_jmp_imm(b, BPF_JEQ, R2, 0, done);
		{
			int below = ib_new_label(b);

			/* at the reader's root: "/" if nothing was named yet */
			ib_emit(b, I_LDX(8, R3, R_BUF, root_d));
			ib_jmp_reg(b, BPF_JNE, R2, R3, below);
			ib_emit(b, I_LDX(8, R3, R_BUF, root_m));
			ib_emit(b, I_LDX(8, R4, R_BUF, mnt));
			ib_jmp_reg(b, BPF_JNE, R3, R4, below);
			ib_emit(b, I_ST_IMM(1, R_BUF, comp, 0));
			ib_emit(b, I_ST_IMM(4, R_BUF, lv, i + 1));
			ib_ja(b, done);
			ib_place(b, below);
		}
		ib_jmp_reg(b, BPF_JNE, R1, R2, not_root);
		/* cross to the parent mount, unless this is the root mount */
		probe_ptr(g, tmp, mnt, (__s32)w->mount_parent - (__s32)w->mount_mnt);
		ib_emit(b, I_LDX(8, R1, R_BUF, tmp));
		ib_emit(b, I_LDX(8, R2, R_BUF, mnt));
		ib_emit(b, I_ALU64_IMM(BPF_ADD, R2, -(__s32)w->mount_mnt));
		ib_jmp_reg(b, BPF_JEQ, R1, R2, done);
		probe_ptr(g, den, mnt, (__s32)w->mount_mountpoint - (__s32)w->mount_mnt);
		ib_emit(b, I_LDX(8, R1, R_BUF, tmp));
		ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, w->mount_mnt));
		ib_emit(b, I_STX(8, R_BUF, R1, mnt));
		ib_emit(b, I_ST_IMM(1, R_BUF, comp, 0));
		ib_ja(b, next);
		ib_place(b, not_root);
		/* this dentry's name, then up; a dentry that is its own parent (a
		 * pseudo file's, say) is the top */
		probe_ptr(g, tmp2, den, w->dentry_name);
		if (g->safe) {
			ib_emit(b, I_LDX(8, R_BASE, R_BUF, tmp2));
			emit_safe_str(g, comp, BD_DWALK_COMP, R_BASE);
		} else {
			ib_emit(b, I_MOV64_REG(R1, R_BUF));
			ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, comp));
			ib_emit(b, I_MOV64_IMM(R2, BD_DWALK_COMP));
			ib_emit(b, I_LDX(8, R3, R_BUF, tmp2));
			ib_emit(b, I_CALL(BPF_FUNC_probe_read_kernel_str));
		}
		probe_ptr(g, tmp, den, w->dentry_parent);
		ib_emit(b, I_LDX(8, R1, R_BUF, tmp));
		ib_emit(b, I_LDX(8, R2, R_BUF, den));
		ib_emit(b, I_STX(8, R_BUF, R1, den));
		{
			int more = ib_new_label(b);

			ib_jmp_reg(b, BPF_JNE, R1, R2, more);
			ib_emit(b, I_ST_IMM(4, R_BUF, lv, i + 1));
			ib_ja(b, done);
			ib_place(b, more);
		}
		ib_place(b, next);
	}
	/* out of levels: mark the path as cut */
	ib_emit(b, I_ST_IMM(4, R_BUF, lv, BD_DWALK_DEPTH + 1));
	ib_place(b, done);
}

static void emit_d_path(struct cg *g, const struct bd_access *a);

static bool uses_path_cache(const struct cg *g, const struct bd_access *a)
{
	return a->fetch == BD_FETCH_DPATH && a->cached && !g->text && g->p->path_cache;
}

/*
 * A column's path, once per file and read session: the key (session, mount,
 * dentry) goes into the record; when the cache map has it, an earlier record of
 * this session resolved it: the slot says BD_PATH_CACHED and no bytes follow.
 * Else the key goes in and bpf_d_path runs as always (an LRU map evicts when
 * full, and a miss costs only one bpf_d_path). Lookup first: an LRU update takes
 * a free node and locks before it knows the key is there.
 */
static void emit_path_cache_lookup(struct cg *g, const struct bd_access *a)
{
	struct insn_buf *b = &g->ib;
	const struct bd_plan *p = g->p;
	__u32 k = a->slot_off + BD_PATH_KEY_OFF;
	int miss = ib_new_label(b), done = ib_new_label(b);

	ib_emit(b, I_LDX(8, R1, R_CTX, 0));		/* ctx->meta */
	ib_emit(b, I_LDX(8, R1, R1, 8));		/* ->session_id */
	ib_emit(b, I_STX(8, R_BUF, R1, k));
	ib_emit(b, I_LDX(8, R1, R_BASE, a->off + p->dwalk.path_mnt));
	ib_emit(b, I_STX(8, R_BUF, R1, k + 8));
	ib_emit(b, I_LDX(8, R1, R_BASE, a->off + p->dwalk.path_dentry));
	ib_emit(b, I_STX(8, R_BUF, R1, k + 16));
	ib_ld_imm64(b, R1, BPF_PSEUDO_MAP_FD, p->path_cache_fd);
	ib_emit(b, I_MOV64_REG(R2, R_BUF));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R2, k));
	ib_emit(b, I_CALL(BPF_FUNC_map_lookup_elem));
	ib_jmp_imm(b, BPF_JEQ, R0, 0, miss);
	ib_emit(b, I_ST_IMM(4, R_BUF, a->slot_off, BD_PATH_CACHED));
	ib_ja(b, done);
	ib_place(b, miss);
	ib_emit(b, I_ST_IMM(8, R_BUF, g->scratch_off, 0));
	ib_ld_imm64(b, R1, BPF_PSEUDO_MAP_FD, p->path_cache_fd);
	ib_emit(b, I_MOV64_REG(R2, R_BUF));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R2, k));
	ib_emit(b, I_MOV64_REG(R3, R_BUF));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R3, g->scratch_off));
	ib_emit(b, I_MOV64_IMM(R4, BPF_ANY));
	ib_emit(b, I_CALL(BPF_FUNC_map_update_elem));
	emit_d_path(g, a);
	ib_place(b, done);
}

/*
 * The record did not fit the seq buffer: the kernel drops it and shows the
 * object again at the next read(). Forget the keys this attempt inserted, or
 * the retry would find them and the reader would never see their bytes.
 */
static void emit_path_cache_undo(struct cg *g)
{
	struct insn_buf *b = &g->ib;
	const struct bd_plan *p = g->p;
	int i, j;

	for (i = 0; i < p->col_cnt; i++) {
		for (j = 0; j < p->cols[i].acc_cnt; j++) {
			const struct bd_access *a = &p->cols[i].acc[j];
			int skip = ib_new_label(b);

			if (!uses_path_cache(g, a))
				continue;
			ib_emit(b, I_LDX(4, R1, R_BUF, a->slot_off));
			ib_sign_extend(b, R1, 4);
			ib_jmp_imm(b, BPF_JEQ, R1, BD_PATH_CACHED, skip);
			ib_ld_imm64(b, R1, BPF_PSEUDO_MAP_FD, p->path_cache_fd);
			ib_emit(b, I_MOV64_REG(R2, R_BUF));
			ib_emit(b, I_ALU64_IMM(BPF_ADD, R2, a->slot_off + BD_PATH_KEY_OFF));
			ib_emit(b, I_CALL(BPF_FUNC_map_delete_elem));
			ib_place(b, skip);
		}
	}
}

/* reg = the length of a's fetched path; a jump to skip unless it is in [1, BD_PATH_MAX]. */
static void emit_path_len(struct insn_buf *b, const struct bd_access *a, int reg, int skip)
{
	ib_emit(b, I_LDX(4, reg, R_BUF, a->slot_off));
	ib_sign_extend(b, reg, 4);
	ib_jmp_imm(b, BPF_JSLE, reg, 0, skip);
	ib_jmp_imm(b, BPF_JSGT, reg, BD_PATH_MAX, skip);
}

static bool plan_uses_path_cache(const struct cg *g)
{
	int i, j;

	for (i = 0; i < g->p->col_cnt; i++)
		for (j = 0; j < g->p->cols[i].acc_cnt; j++)
			if (uses_path_cache(g, &g->p->cols[i].acc[j]))
				return true;
	return false;
}

/* A backing file (FMODE_BACKING) stands for the file its user opened, kept in the
 * struct backing_file around it: move the base from f_path to user_path. */
static void emit_backing(struct cg *g, const struct bd_access *a)
{
	struct insn_buf *b = &g->ib;
	int plain = ib_new_label(b);

	if (a->backing_at < a->probe_from) {	/* as the deref at that stage */
		ib_emit(b, I_LDX(4, R1, R_BASE, a->backing_mode_off));
	} else if (g->safe) {
		emit_cast_load(g, R1, 4, R_BASE, a->backing_mode_off);
	} else {
		emit_probe_read(g, g->scratch_off, 4, R_BASE, a->backing_mode_off,
				BPF_FUNC_probe_read_kernel);
		ib_emit(b, I_LDX(4, R1, R_BUF, g->scratch_off));
	}
	ib_emit(b, I_ALU64_IMM(BPF_AND, R1, a->backing_bit));
	ib_jmp_imm(b, BPF_JEQ, R1, 0, plain);
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R_BASE, a->backing_delta));
	ib_place(b, plain);
}

/* cast() to a full socket: jump to null when the sock_common at R_BASE is a
 * TIME_WAIT or request socket (its state byte read as the deref at this stage) */
static void emit_fullsk(struct cg *g, const struct bd_access *a, int null_label)
{
	struct insn_buf *b = &g->ib;

	if (a->fullsk_at < a->probe_from) {
		ib_emit(b, I_LDX(1, R1, R_BASE, a->fullsk_state_off));
	} else if (g->safe) {
		emit_cast_load(g, R1, 1, R_BASE, a->fullsk_state_off);
	} else {
		emit_probe_read(g, g->scratch_off, 1, R_BASE, a->fullsk_state_off,
				BPF_FUNC_probe_read_kernel);
		ib_emit(b, I_LDX(1, R1, R_BUF, g->scratch_off));
	}
	ib_jmp_imm(b, BPF_JEQ, R1, a->fullsk_bad[0], null_label);
	ib_jmp_imm(b, BPF_JEQ, R1, a->fullsk_bad[1], null_label);
}

/*
 * rss(task), R_BASE at the mm: for each resident counter (file, anon, shmem) its
 * count plus, for a percpu_counter, every possible CPU's part, clamped at 0 (the
 * kernel's get_mm_counter_sum); their sum in kB. A CPU's part of the counter is at
 * counters + that CPU's per-CPU offset. The kernel's offsets are no symbols a
 * program can name here (kallsyms has no data symbols), but a per-CPU array gives
 * them: its element's canonical per-CPU pointer (bpf_array.pptrs[0]) and each
 * CPU's copy (bpf_map_lookup_percpu_elem). The slot's working space: acc (the
 * counter so far), off (a CPU's offset), tmp.
 */
static void emit_rss(struct cg *g, const struct bd_access *a)
{
	const typeof(g->p->rss) *r = &g->p->rss;
	struct insn_buf *b = &g->ib;
	__u32 res = a->slot_off, acc = res + 8, off = res + 16, tmp = res + 24;
	int i, c;

	ib_emit(b, I_ST_IMM(8, R_BUF, res, 0));
	for (i = 0; i < 3; i++) {
		int pos = ib_new_label(b);

		emit_probe_read(g, acc, 8, R_BASE, r->count_off[i], BPF_FUNC_probe_read_kernel);
		for (c = 0; r->pcpu_off[i] && c < r->ncpus; c++) {
			int next = ib_new_label(b);

			/* this CPU's copy of the array's element, as a number */
			ib_emit(b, I_ST_IMM(8, R_BUF, tmp, 0));
			ib_ld_imm64(b, R1, BPF_PSEUDO_MAP_FD, r->map_fd);
			ib_emit(b, I_MOV64_REG(R2, R_BUF));
			ib_emit(b, I_ALU64_IMM(BPF_ADD, R2, tmp));
			ib_emit(b, I_MOV64_IMM(R3, c));
			ib_emit(b, I_CALL(BPF_FUNC_map_lookup_percpu_elem));
			ib_jmp_imm(b, BPF_JEQ, R0, 0, next);
			ib_emit(b, I_STX(8, R_BUF, R0, off));
			/* minus the canonical pointer: the array's pptrs[0] */
			ib_ld_imm64(b, R1, BPF_PSEUDO_MAP_FD, r->map_fd);
			ib_emit(b, I_STX(8, R_BUF, R1, tmp));
			ib_emit(b, I_LDX(8, R3, R_BUF, tmp));
			emit_probe_read(g, tmp, 8, R3, r->pptrs_off, BPF_FUNC_probe_read_kernel);
			ib_emit(b, I_LDX(8, R1, R_BUF, off));
			ib_emit(b, I_LDX(8, R2, R_BUF, tmp));
			ib_jmp_imm(b, BPF_JEQ, R2, 0, next);
			ib_emit(b, I_ALU64_REG(BPF_SUB, R1, R2));
			ib_emit(b, I_STX(8, R_BUF, R1, off));
			/* the counters pointer, then this CPU's s32 */
			emit_probe_read(g, tmp, 8, R_BASE, r->pcpu_off[i], BPF_FUNC_probe_read_kernel);
			ib_emit(b, I_LDX(8, R3, R_BUF, tmp));
			ib_jmp_imm(b, BPF_JEQ, R3, 0, next);
			ib_emit(b, I_LDX(8, R1, R_BUF, off));
			ib_emit(b, I_ALU64_REG(BPF_ADD, R3, R1));
			ib_emit(b, I_ST_IMM(8, R_BUF, tmp, 0));
			emit_probe_read(g, tmp, 4, R3, 0, BPF_FUNC_probe_read_kernel);
			ib_emit(b, I_LDX(4, R1, R_BUF, tmp));
			ib_sign_extend(b, R1, 4);
			ib_emit(b, I_LDX(8, R2, R_BUF, acc));
			ib_emit(b, I_ALU64_REG(BPF_ADD, R2, R1));
			ib_emit(b, I_STX(8, R_BUF, R2, acc));
			ib_place(b, next);
		}
		ib_emit(b, I_LDX(8, R1, R_BUF, acc));
		ib_jmp_imm(b, BPF_JSGE, R1, 0, pos);
		ib_emit(b, I_MOV64_IMM(R1, 0));
		ib_place(b, pos);
		ib_emit(b, I_LDX(8, R2, R_BUF, res));
		ib_emit(b, I_ALU64_REG(BPF_ADD, R2, R1));
		ib_emit(b, I_STX(8, R_BUF, R2, res));
	}
	ib_emit(b, I_LDX(8, R1, R_BUF, res));
	ib_emit(b, I_ALU64_IMM(BPF_MUL, R1, r->kb_per_page));
	ib_emit(b, I_STX(8, R_BUF, R1, res));
}

/*
 * cmdline(task), R_BASE at the task: its mm's argv bytes [arg_start, arg_end), at
 * most BD_CMDLINE_MAX - 1, copied with bpf_copy_from_user_task (the length kept
 * after them, at BD_CMDLINE_MAX); the NULs between arguments become spaces, a NUL
 * ends the string (ps -o args). Empty (null_label) for a task without mm or
 * memory that cannot be read.
 */
static void emit_cmdline(struct cg *g, const struct bd_access *a, int null_label)
{
	struct insn_buf *b = &g->ib;
	__u32 slot = a->slot_off, len = slot + BD_CMDLINE_MAX, max = BD_CMDLINE_MAX - 1;
	int clamped = ib_new_label(b), loop = ib_new_label(b), end = ib_new_label(b), k;

	ib_emit(b, I_ST_IMM(8, R_BUF, slot, 0));
	emit_probe_read(g, slot, 8, R_BASE, g->p->cmdline.mm_off, BPF_FUNC_probe_read_kernel);
	ib_emit(b, I_LDX(8, R3, R_BUF, slot));
	ib_jmp_imm(b, BPF_JEQ, R3, 0, null_label);
	emit_probe_read(g, len, 8, R3, g->p->cmdline.end_off, BPF_FUNC_probe_read_kernel);
	ib_emit(b, I_LDX(8, R3, R_BUF, slot));
	emit_probe_read(g, slot, 8, R3, g->p->cmdline.start_off, BPF_FUNC_probe_read_kernel);
	/* len = min(arg_end - arg_start, max); nothing when <= 0 */
	ib_emit(b, I_LDX(8, R3, R_BUF, slot));
	ib_emit(b, I_LDX(8, R2, R_BUF, len));
	ib_emit(b, I_ALU64_REG(BPF_SUB, R2, R3));
	ib_jmp_imm(b, BPF_JSLE, R2, 0, null_label);
	ib_jmp_imm(b, BPF_JLE, R2, max, clamped);
	ib_emit(b, I_MOV64_IMM(R2, max));
	ib_place(b, clamped);
	ib_emit(b, I_ALU64_IMM(BPF_AND, R2, max));
	ib_emit(b, I_STX(8, R_BUF, R2, len));
	ib_emit(b, I_MOV64_REG(R1, R_BUF));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, slot));
	ib_emit(b, I_MOV64_REG(R4, R_BASE));
	ib_emit(b, I_MOV64_IMM(R5, 0));
	ib_emit(b, I_CALL(BPF_FUNC_copy_from_user_task));
	ib_jmp_imm(b, BPF_JNE, R0, 0, null_label);
	/* where the string ends: at len, or at len - 1 when argv ends in its NUL */
	ib_emit(b, I_LDX(8, R1, R_BUF, len));
	ib_emit(b, I_ALU64_IMM(BPF_AND, R1, max));
	ib_emit(b, I_MOV64_REG(R4, R_BUF));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R4, slot - 1));
	ib_emit(b, I_ALU64_REG(BPF_ADD, R4, R1));
	ib_emit(b, I_LDX(1, R5, R4, 0));
	ib_emit(b, I_ALU64_IMM(BPF_SUB, R5, 1));
	ib_emit(b, I_ALU64_IMM(BPF_RSH, R5, 63));	/* 1: that byte is a NUL */
	ib_emit(b, I_MOV64_REG(R3, R1));
	ib_emit(b, I_ALU64_REG(BPF_SUB, R3, R5));
	ib_emit(b, I_STX(8, R_BUF, R3, len));
	/* every NUL of the words holding the bytes as a space, branch-free (one
	 * verifier state per word) */
	ib_emit(b, I_MOV64_IMM(R2, 0));
	ib_place(b, loop);
	ib_jmp_imm(b, BPF_JGE, R2, BD_CMDLINE_MAX, end);
	ib_jmp_reg(b, BPF_JSGE, R2, R1, end);
	ib_emit(b, I_MOV64_REG(R4, R_BUF));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R4, slot));
	ib_emit(b, I_ALU64_REG(BPF_ADD, R4, R2));
	ib_emit(b, I_LDX(8, R5, R4, 0));
	ib_emit(b, I_MOV64_IMM(R0, 0));
	for (k = 0; k < 8; k++) {
		ib_emit(b, I_MOV64_REG(R3, R5));
		if (k)
			ib_emit(b, I_ALU64_IMM(BPF_RSH, R3, 8 * k));
		ib_emit(b, I_ALU64_IMM(BPF_AND, R3, 0xff));
		ib_emit(b, I_ALU64_IMM(BPF_SUB, R3, 1));
		ib_emit(b, I_ALU64_IMM(BPF_RSH, R3, 63));
		ib_emit(b, I_ALU64_IMM(BPF_LSH, R3, 8 * k + 5));	/* 0x20 in byte k */
		ib_emit(b, I_ALU64_REG(BPF_OR, R0, R3));
	}
	ib_emit(b, I_ALU64_REG(BPF_OR, R5, R0));
	ib_emit(b, I_STX(8, R4, R5, 0));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R2, 8));
	ib_ja(b, loop);
	ib_place(b, end);
	/* the end */
	ib_emit(b, I_LDX(8, R1, R_BUF, len));
	ib_emit(b, I_ALU64_IMM(BPF_AND, R1, max));
	ib_emit(b, I_MOV64_REG(R4, R_BUF));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R4, slot));
	ib_emit(b, I_ALU64_REG(BPF_ADD, R4, R1));
	ib_emit(b, I_ST_IMM(1, R4, 0, 0));
}

/* A socket's state just fetched into a's slot: when TCP_TIME_WAIT, the timewait
 * socket's own (tw_substate, plan.c: plan_tw_substate) replaces it. */
static void emit_tw_substate(struct cg *g, const struct bd_access *a)
{
	struct insn_buf *b = &g->ib;
	int done = ib_new_label(b);

	ib_emit(b, I_LDX(1, R1, R_BUF, a->slot_off));
	ib_jmp_imm(b, BPF_JNE, R1, a->tw_state, done);
	if (g->safe) {
		emit_cast_load(g, R1, 1, R_BASE, a->tw_sub_off);
		ib_emit(b, I_STX(1, R_BUF, R1, a->slot_off));
	} else {
		emit_probe_read(g, a->slot_off, 1, R_BASE, a->tw_sub_off,
				BPF_FUNC_probe_read_kernel);
	}
	ib_place(b, done);
}

void emit_fetch(struct cg *g, const struct bd_access *a)
{
	struct insn_buf *b = &g->ib;
	int null_label = ib_new_label(b), done_label = ib_new_label(b);
	bool probe_final = a->deref_cnt >= a->probe_from;
	bool null_used = false;
	int i;

	ib_emit(b, I_MOV64_REG(R_BASE, R_CTX));
	for (i = 0; i < a->deref_cnt; i++) {
		if (a->backing_bit && i == a->backing_at)
			emit_backing(g, a);
		if (a->fullsk_at && i == a->fullsk_at) {
			emit_fullsk(g, a, null_label);
			null_used = true;
		}
		if (i < a->probe_from) {
			ib_emit(b, I_LDX(8, R_BASE, R_BASE, a->deref_off[i]));
		} else if (g->safe) {
			emit_cast_load(g, R_BASE, 8, R_BASE, a->deref_off[i]);
		} else {
			emit_probe_read(g, g->scratch_off, 8, R_BASE, a->deref_off[i],
					BPF_FUNC_probe_read_kernel);
			ib_emit(b, I_LDX(8, R_BASE, R_BUF, g->scratch_off));
		}
		/* ctx pointers may be NULL; d_path wants a real object */
		if ((i == 0 && a->root_nullable) || a->fetch == BD_FETCH_DPATH ||
		    a->fetch == BD_FETCH_DWALK || (a->func && i == a->deref_cnt - 1)) {
			ib_jmp_imm(b, BPF_JEQ, R_BASE, 0, null_label);
			null_used = true;
		}
	}
	if (a->backing_bit && a->backing_at == a->deref_cnt)
		emit_backing(g, a);
	if (a->fullsk_at && a->fullsk_at == a->deref_cnt) {
		emit_fullsk(g, a, null_label);
		null_used = true;
	}

	switch (a->func ? -(int)a->func : (int)a->fetch) {
	case -BD_FUNC_RSS:
		emit_rss(g, a);
		break;
	case -BD_FUNC_CMDLINE:
		emit_cmdline(g, a, null_label);
		null_used = true;
		break;
	case BD_FETCH_SCALAR:
		if (probe_final) {
			emit_probe_read(g, a->slot_off, a->size, R_BASE, a->off,
					BPF_FUNC_probe_read_kernel);
		} else {
			/* tracing contexts are u64 slots: load all of it, keep the low bytes */
			int lsz = a->deref_cnt == 0 && g->p->tracing ? 8 : a->size;

			ib_emit(b, I_LDX(lsz, R1, R_BASE, a->off));
			ib_emit(b, I_STX(a->size, R_BUF, R1, a->slot_off));
		}
		if (a->tw_sub_off)
			emit_tw_substate(g, a);
		break;
	case BD_FETCH_BYTES:
		if (a->direct && !probe_final) {
			__u32 o, sz;

			for (o = 0; o < a->size; o += sz) {
				sz = a->size - o >= 8 ? 8 : a->size - o >= 4 ? 4 :
				     a->size - o >= 2 ? 2 : 1;
				ib_emit(b, I_LDX(sz, R1, R_BASE, a->off + o));
				ib_emit(b, I_STX(sz, R_BUF, R1, a->slot_off + o));
			}
			break;
		}
		emit_probe_read(g, a->slot_off, a->size, R_BASE, a->off,
				BPF_FUNC_probe_read_kernel);
		break;
	case BD_FETCH_BITFIELD:
		emit_probe_read(g, a->slot_off, 8, R_BASE, a->off, BPF_FUNC_probe_read_kernel);
		ib_emit(b, I_LDX(8, R1, R_BUF, a->slot_off));
		ib_emit(b, I_ALU64_IMM(BPF_LSH, R1, 64 - a->bit_off - a->bit_size));
		ib_emit(b, I_ALU64_IMM(BPF_RSH, R1, 64 - a->bit_size));
		ib_emit(b, I_STX(8, R_BUF, R1, a->slot_off));
		break;
	case BD_FETCH_CSTR:
		if (probe_final && g->safe) {
			emit_cast_load(g, R_BASE, 8, R_BASE, a->off);
		} else if (probe_final) {
			emit_probe_read(g, g->scratch_off, 8, R_BASE, a->off,
					BPF_FUNC_probe_read_kernel);
			ib_emit(b, I_LDX(8, R_BASE, R_BUF, g->scratch_off));
		} else {
			ib_emit(b, I_LDX(8, R_BASE, R_BASE, a->off));
		}
		emit_probe_read(g, a->slot_off, a->slot_size, R_BASE, 0,
				a->user ? BPF_FUNC_probe_read_user_str : BPF_FUNC_probe_read_kernel_str);
		break;
	case BD_FETCH_DWALK:
		emit_dwalk(g, a);
		break;
	case BD_FETCH_DPATH:
		if (uses_path_cache(g, a)) {
			emit_path_cache_lookup(g, a);
			break;
		}
		emit_d_path(g, a);
		break;
	}
	if (null_used) {
		ib_ja(b, done_label);
		ib_place(b, null_label);
		emit_zero_slot(g, a);
	}
	ib_place(b, done_label);
}

static void emit_d_path(struct cg *g, const struct bd_access *a)
{
	struct insn_buf *b = &g->ib;

	ib_emit(b, I_MOV64_REG(R1, R_BASE));
	if (a->off)
		ib_emit(b, I_ALU64_IMM(BPF_ADD, R1, a->off));
	ib_emit(b, I_MOV64_REG(R2, R_BUF));
	ib_emit(b, I_ALU64_IMM(BPF_ADD, R2, g->p->path_buf_off[a->path_idx]));
	ib_emit(b, I_MOV64_IMM(R3, BD_PATH_MAX));
	ib_emit(b, I_CALL(BPF_FUNC_d_path));
	ib_emit(b, I_STX(4, R_BUF, R0, a->slot_off));
}

static int jmp_op(enum q_op op, bool is_signed)
{
	switch (op) {
	case Q_OP_EQ: return BPF_JEQ;
	case Q_OP_NE: return BPF_JNE;
	case Q_OP_LT: return is_signed ? BPF_JSLT : BPF_JLT;
	case Q_OP_LE: return is_signed ? BPF_JSLE : BPF_JLE;
	case Q_OP_GT: return is_signed ? BPF_JSGT : BPF_JGT;
	case Q_OP_GE: return is_signed ? BPF_JSGE : BPF_JGE;
	case Q_OP_BITAND: return BPF_JSET;
	}
	return BPF_JEQ;
}

static enum q_op negate(enum q_op op)
{
	switch (op) {
	case Q_OP_EQ: return Q_OP_NE;
	case Q_OP_NE: return Q_OP_EQ;
	case Q_OP_LT: return Q_OP_GE;
	case Q_OP_LE: return Q_OP_GT;
	case Q_OP_GT: return Q_OP_LE;
	case Q_OP_GE: return Q_OP_LT;
	case Q_OP_BITAND: return Q_OP_BITAND; /* no inverse: handled by the caller */
	}
	return op;
}

/* Load a numeric slot into R1, sign-extended when the type is signed. */
static void load_number(struct cg *g, const struct bd_pred *pr)
{
	struct insn_buf *b = &g->ib;
	__u32 sz = pr->acc.fetch == BD_FETCH_BITFIELD ? 8 : pr->acc.size;

	ib_emit(b, I_LDX(sz, R1, R_BUF, pr->acc.slot_off));
	if (pr->be_bits)	/* compare ports and such in host order, as printed */
		ib_emit(b, INSN(BPF_ALU | BPF_END | BPF_TO_BE, R1, 0, 0, pr->be_bits));
	if (pr->is_signed)
		ib_sign_extend(b, R1, sz);
}

/* Jump to label when (R1 op imm) holds. */
static void jump_cmp(struct cg *g, enum q_op op, bool is_signed, unsigned long long imm, int label)
{
	struct insn_buf *b = &g->ib;

	if ((unsigned long long)(long long)(__s32)imm == imm) {
		ib_jmp_imm(b, jmp_op(op, is_signed), R1, (__s32)imm, label);
	} else {
		ib_ld_imm64(b, R2, 0, imm);
		ib_jmp_reg(b, jmp_op(op, is_signed), R1, R2, label);
	}
}

/* Fall through when the slot holds the literal string, jump to ne_label otherwise. */
static void emit_str_eq(struct cg *g, const struct bd_pred *pr, int ne_label)
{
	struct insn_buf *b = &g->ib;
	__u32 n = pr->str_len + 1, i = 0;
	unsigned char lit[BD_CSTR_MAX + 8] = {};

	if (n > pr->acc.slot_size)
		n = pr->acc.slot_size;	/* fills the array exactly: no NUL to match */
	memcpy(lit, pr->str, pr->str_len);
	while (i < n) {
		__u32 chunk = n - i >= 8 ? 8 : n - i >= 4 ? 4 : n - i >= 2 ? 2 : 1;
		unsigned long long v = 0;

		memcpy(&v, lit + i, chunk);	/* little-endian, as the load will see it */
		ib_emit(b, I_LDX(chunk, R1, R_BUF, pr->acc.slot_off + i));
		if (chunk == 8) {
			ib_ld_imm64(b, R2, 0, v);
			ib_jmp_reg(b, BPF_JNE, R1, R2, ne_label);
		} else {
			ib_jmp_imm(b, BPF_JNE, R1, (__s32)(__u32)v, ne_label);
		}
		i += chunk;
	}
}

static unsigned long long cmp_imm(const struct bd_pred *pr)
{
	__u32 sz = pr->acc.fetch == BD_FETCH_BITFIELD ? 8 : pr->acc.size;

	if (!pr->is_signed && sz < 8)
		return pr->imm & ((1ULL << (8 * sz)) - 1);
	return pr->imm;
}

/* Registers operand trees are evaluated in: BD_ARITH_REGS of them, no calls between. */
static const int arith_reg[BD_ARITH_REGS] = { R1, R2, R3, R4, R5, R0 };

/*
 * Evaluate an operand tree into arith_reg[idx], its right operands in the registers
 * after it (the planner checked they suffice). 64-bit, wrapping; / % >> unsigned;
 * x / 0 is 0 and x % 0 is x, the BPF instruction set's own results; shift counts
 * are taken modulo 64.
 */
static void emit_arith(struct cg *g, const struct bd_arith *a, int idx)
{
	static const int alu[] = {
		[Q_AOP_MUL] = BPF_MUL, [Q_AOP_DIV] = BPF_DIV, [Q_AOP_MOD] = BPF_MOD,
		[Q_AOP_ADD] = BPF_ADD, [Q_AOP_SUB] = BPF_SUB, [Q_AOP_SHL] = BPF_LSH,
		[Q_AOP_SHR] = BPF_RSH, [Q_AOP_AND] = BPF_AND, [Q_AOP_XOR] = BPF_XOR,
		[Q_AOP_OR] = BPF_OR,
	};
	struct insn_buf *b = &g->ib;
	int r = arith_reg[idx];
	__u32 sz;

	switch (a->kind) {
	case Q_ARITH_LIT:
		if ((unsigned long long)(long long)(__s32)a->imm == a->imm)
			ib_emit(b, I_MOV64_IMM(r, (__s32)a->imm));
		else
			ib_ld_imm64(b, r, 0, a->imm);
		return;
	case Q_ARITH_VALUE:
		sz = a->acc.fetch == BD_FETCH_BITFIELD ? 8 : a->acc.size;
		ib_emit(b, I_LDX(sz, r, R_BUF, a->acc.slot_off));
		if (a->be_bits)
			ib_emit(b, INSN(BPF_ALU | BPF_END | BPF_TO_BE, r, 0, 0, a->be_bits));
		if (a->is_signed)
			ib_sign_extend(b, r, sz);
		return;
	case Q_ARITH_BIN:
		emit_arith(g, a->lhs, idx);
		emit_arith(g, a->rhs, idx + 1);
		if (a->op == Q_AOP_SHL || a->op == Q_AOP_SHR)
			ib_emit(b, I_ALU64_IMM(BPF_AND, arith_reg[idx + 1], 63));
		ib_emit(b, I_ALU64_REG(alu[a->op], r, arith_reg[idx + 1]));
		return;
	}
}

/* Jump to label when the predicate's truth equals 'want'; fall through otherwise. */
void emit_branch(struct cg *g, const struct bd_pred *pr, bool want, int label)
{
	struct insn_buf *b = &g->ib;
	enum q_op op;
	int skip;

	switch (pr->kind) {
	case Q_EXPR_NOT:
		emit_branch(g, pr->lhs, !want, label);
		return;
	case Q_EXPR_AND:
	case Q_EXPR_OR: {
		/* OR is AND's dual: (a || b) == want is (a && b) == want with each
		 * truth flipped, so one shape serves both */
		bool any = pr->kind == Q_EXPR_OR;

		if (want == any) {	/* either side alone takes the jump */
			emit_branch(g, pr->lhs, want, label);
			emit_branch(g, pr->rhs, want, label);
		} else {		/* both must: lhs not matching skips it */
			skip = ib_new_label(b);
			emit_branch(g, pr->lhs, any, skip);
			emit_branch(g, pr->rhs, want, label);
			ib_place(b, skip);
		}
		return;
	}
	case Q_EXPR_VALUE:
		if (pr->is_string) {
			ib_emit(b, I_LDX(1, R1, R_BUF, pr->acc.slot_off));
			ib_jmp_imm(b, want ? BPF_JNE : BPF_JEQ, R1, 0, label);
		} else {
			load_number(g, pr);
			ib_jmp_imm(b, want ? BPF_JNE : BPF_JEQ, R1, 0, label);
		}
		return;
	case Q_EXPR_ACMP:
		emit_arith(g, pr->la, 0);
		emit_arith(g, pr->ra, 1);
		ib_jmp_reg(b, jmp_op(want ? pr->op : negate(pr->op), pr->is_signed), arith_reg[0],
			   arith_reg[1], label);
		return;
	case Q_EXPR_CMP:
		break;
	}

	if (pr->is_string) {
		bool jump_on_equal = (pr->op == Q_OP_EQ) == want;

		if (jump_on_equal) {
			skip = ib_new_label(b);
			emit_str_eq(g, pr, skip);
			ib_ja(b, label);
			ib_place(b, skip);
		} else {
			emit_str_eq(g, pr, label);
		}
		return;
	}
	load_number(g, pr);
	if (want) {
		jump_cmp(g, pr->op, pr->is_signed, cmp_imm(pr), label);
		return;
	}
	if (pr->op == Q_OP_BITAND) {
		skip = ib_new_label(b);
		jump_cmp(g, Q_OP_BITAND, false, cmp_imm(pr), skip);
		ib_ja(b, label);
		ib_place(b, skip);
		return;
	}
	op = negate(pr->op);
	jump_cmp(g, op, pr->is_signed, cmp_imm(pr), label);
}

static void emit_arith_fetches(struct cg *g, const struct bd_arith *a)
{
	if (!a)
		return;
	if (a->kind == Q_ARITH_VALUE)
		emit_fetch(g, &a->acc);
	emit_arith_fetches(g, a->lhs);
	emit_arith_fetches(g, a->rhs);
}

void emit_pred_fetches(struct cg *g, const struct bd_pred *pr)
{
	if (!pr)
		return;
	if (pr->kind == Q_EXPR_ACMP) {
		emit_arith_fetches(g, pr->la);
		emit_arith_fetches(g, pr->ra);
		return;
	}
	if (pr->kind == Q_EXPR_VALUE || pr->kind == Q_EXPR_CMP) {
		emit_fetch(g, &pr->acc);
		return;
	}
	emit_pred_fetches(g, pr->lhs);
	emit_pred_fetches(g, pr->rhs);
}

/* The objects a row needs: the first pointer member of the ctx (task, sk_common,
 * map...); for map iterators every element pointer (key, value, sk) instead: at
 * the final call their map is still set and the element is NULL, and a sockmap
 * shows its empty slots with sk NULL. Fills offs, returns how many. */
static int row_object_offs(const struct bpfdump *d, const struct bd_target *t, int offs[4])
{
	int i, n = 0, map_off = -1;

	for (i = 0; i < t->member_cnt && n < 4; i++) {
		const struct btf_type *mt = bd_skip_mods(d->btf, t->members[i].type_id, NULL);

		if (!mt || !btf_is_ptr(mt))
			continue;
		if (!strcmp(t->members[i].name, "map")) {
			map_off = t->members[i].off;	/* map iterators have it first */
			continue;
		}
		offs[n++] = t->members[i].off;
		if (map_off < 0)
			break;
	}
	if (!n && map_off >= 0)
		offs[n++] = map_off;
	return n;
}

int bd_codegen_iter(struct bpfdump *d, const struct bd_plan *p, int buf_map_fd, bool text,
		    struct bpf_insn **insns, int *cnt, struct bd_strbuf *fmts)
{
	struct cg g = { .p = p, .d = d, .text = text };
	struct insn_buf *b = &g.ib;
	int obj_offs[4], obj_cnt, main_off, i, j, err, undo;
	bool cached;

	ib_init(b);
	cg_init_lockdown(&g, d);
	g.scratch_off = p->scratch_off;
	g.args_off = p->args_off;
	g.out_label = ib_new_label(b);

	ib_emit(b, I_MOV64_REG(R_CTX, R1));
	obj_cnt = row_object_offs(d, p->target, obj_offs);
	main_off = obj_cnt ? obj_offs[0] : -1;
	/* r7 = bpf_task_storage_get(&buf, bpf_get_current_task_btf(), NULL, F_CREATE) */
	ib_emit(b, I_CALL(BPF_FUNC_get_current_task_btf));
	ib_emit(b, I_MOV64_REG(R2, R0));
	ib_ld_imm64(b, R1, BPF_PSEUDO_MAP_FD, buf_map_fd);
	ib_emit(b, I_MOV64_IMM(R3, 0));
	ib_emit(b, I_MOV64_IMM(R4, BPF_LOCAL_STORAGE_GET_F_CREATE));
	ib_emit(b, I_CALL(BPF_FUNC_task_storage_get));
	ib_jmp_imm(b, BPF_JEQ, R0, 0, g.out_label);
	ib_emit(b, I_MOV64_REG(R_BUF, R0));
	if (text)	/* a header even when there is nothing to list */
		cg_text_header_first(&g);
	for (i = 0; i < obj_cnt; i++) {
		ib_emit(b, I_LDX(8, R1, R_CTX, obj_offs[i]));
		ib_jmp_imm(b, BPF_JEQ, R1, 0, g.out_label);
	}
	if (main_off >= 0 && p->guard_pos_off >= 0) {
		/* skip a stale stop call: same session and seq_num as the object
		 * before, other position (a retry after overflow keeps its position) */
		int fresh = ib_new_label(b);
		__u32 go = p->guard_off;

		ib_emit(b, I_LDX(8, R4, R_CTX, main_off));
		ib_jmp_imm(b, BPF_JEQ, R4, 0, g.out_label);
		ib_emit(b, I_LDX(8, R5, R4, p->guard_pos_off));
		ib_emit(b, I_LDX(8, R1, R_CTX, 0));
		ib_emit(b, I_LDX(8, R2, R1, 8));
		ib_emit(b, I_LDX(8, R3, R1, 16));
		ib_emit(b, I_LDX(8, R1, R_BUF, go));
		ib_jmp_reg(b, BPF_JNE, R1, R2, fresh);
		ib_emit(b, I_LDX(8, R1, R_BUF, go + 8));
		ib_jmp_reg(b, BPF_JNE, R1, R3, fresh);
		ib_emit(b, I_LDX(8, R1, R_BUF, go + 16));
		ib_jmp_reg(b, BPF_JNE, R1, R5, g.out_label);
		ib_place(b, fresh);
		ib_emit(b, I_STX(8, R_BUF, R2, go));
		ib_emit(b, I_STX(8, R_BUF, R3, go + 8));
		ib_emit(b, I_STX(8, R_BUF, R5, go + 16));
	}

	if (p->pred) {
		g.what = "where";
		emit_pred_fetches(&g, p->pred);
		emit_branch(&g, p->pred, false, g.out_label);
	}
	for (i = 0; i < p->col_cnt; i++) {
		g.what = p->cols[i].name;
		for (j = 0; j < p->cols[i].acc_cnt; j++)
			emit_fetch(&g, &p->cols[i].acc[j]);
	}

	if (text) {
		cg_text_writer(&g);
		goto finish;
	}
	/* header: total length = fixed part + each path's bytes */
	cached = plan_uses_path_cache(&g);
	undo = ib_new_label(b);
	ib_emit(b, I_MOV64_IMM(R_SEQ, p->fixed_size));
	for (i = 0; i < p->col_cnt; i++) {
		for (j = 0; j < p->cols[i].acc_cnt; j++) {
			const struct bd_access *a = &p->cols[i].acc[j];
			int skip = ib_new_label(b);

			if (a->fetch != BD_FETCH_DPATH)
				continue;
			emit_path_len(b, a, R1, skip);
			ib_emit(b, I_ALU64_REG(BPF_ADD, R_SEQ, R1));
			ib_place(b, skip);
		}
	}
	ib_emit(b, I_STX(4, R_BUF, R_SEQ, 0));
	ib_emit(b, I_ST_IMM(4, R_BUF, 4, 0));

	/* r8 = ctx->meta->seq */
	ib_emit(b, I_LDX(8, R_SEQ, R_CTX, 0));
	ib_emit(b, I_LDX(8, R_SEQ, R_SEQ, 0));
	ib_emit(b, I_MOV64_REG(R1, R_SEQ));
	ib_emit(b, I_MOV64_REG(R2, R_BUF));
	ib_emit(b, I_MOV64_IMM(R3, p->fixed_size));
	ib_emit(b, I_CALL(BPF_FUNC_seq_write));
	if (cached)
		ib_jmp_imm(b, BPF_JNE, R0, 0, undo);
	for (i = 0; i < p->col_cnt; i++) {
		for (j = 0; j < p->cols[i].acc_cnt; j++) {
			const struct bd_access *a = &p->cols[i].acc[j];
			int skip = ib_new_label(b);

			if (a->fetch != BD_FETCH_DPATH)
				continue;
			emit_path_len(b, a, R3, skip);
			ib_emit(b, I_MOV64_REG(R1, R_SEQ));
			ib_emit(b, I_MOV64_REG(R2, R_BUF));
			ib_emit(b, I_ALU64_IMM(BPF_ADD, R2, p->path_buf_off[a->path_idx]));
			ib_emit(b, I_CALL(BPF_FUNC_seq_write));
			if (cached)
				ib_jmp_imm(b, BPF_JNE, R0, 0, undo);
			ib_place(b, skip);
		}
	}
	if (cached) {
		ib_ja(b, g.out_label);
		ib_place(b, undo);
		emit_path_cache_undo(&g);
	}
finish:
	ib_place(b, g.out_label);
	ib_emit(b, I_MOV64_IMM(R0, 0));
	ib_emit(b, I_EXIT());

	if (g.err)
		b->err = g.err;
	err = ib_take(b, insns, cnt);
	if (!err && fmts) {
		*fmts = g.fmts;
		g.fmts.s = NULL;
	}
	sb_free(&g.fmts);
	return err;
}
