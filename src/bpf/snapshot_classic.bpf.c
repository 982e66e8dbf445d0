// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfdump snapshot on kernels without open-coded iterators (before 6.7): the
 * same records (snapshot.h) into the same ring buffer as snapshot.bpf.c, from
 * three classic iterators attached with the pid parameter, run one after the
 * other for one pass:
 *   iter/task       once per thread: the process's task, creds, memory
 *                   counters, cgroups, namespaces and limits (first thread),
 *                   a thread record for each thread;
 *   iter/task_vma   once per mapping of the process;
 *   iter/task_file  once per open file of the process (and its socket).
 * Only helpers that Linux 6.1 offers: BPF_CORE_READ (probe reads), bpf_loop
 * for the path walk, no kfuncs. Each run sends its records at once: between
 * runs the reader may move to another CPU, and the scratch buffer is per CPU.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

#include "kernel_compat.h"

#include "snapshot.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#include "snapshot_records.bpf.h"

/* set by the first task run of a pass, read by the mapping and file runs */
__u32 owner_tid;	/* the thread whose mappings and fds are the process's */
__u64 mark_brk, mark_start_brk, mark_start_stack, mark_vdso;

struct scratch {
	char buf[SNAP_SCRATCH];
	struct walk_state w;
};

static __always_inline char *scratch_buf(struct scratch *s)
{
	return s->buf;
}

/* Linux 6.1's mm counters: atomics in mm->rss_stat, no per-CPU parts */
struct mm_rss_stat___atomic {
	atomic_long_t count[SNAP_NR_RSS];
} __attribute__((preserve_access_index));

struct mm_struct___atomic {
	struct mm_rss_stat___atomic rss_stat;
} __attribute__((preserve_access_index));

/* One record (rec: s->buf, where it was built) to the ring buffer: a batch of one. */
static __always_inline void emit(struct scratch *s, void *rec, __u32 len)
{
	__u32 zero = 0;
	void *rb;

	asm volatile("%0 &= %1" : "+r"(len) : "i"(SNAP_SCRATCH - 1));
	if (!len)
		return;
	rb = bpf_map_lookup_elem(&rings, &zero);
	if (!rb || bpf_ringbuf_output(rb, s->buf, len, 0)) {
		__sync_fetch_and_add(&cnt.lost, 1);
		__sync_fetch_and_add(&cnt.lost_bytes, len);
	} else {
		__sync_fetch_and_add(&cnt.records, 1);
		__sync_fetch_and_add(&cnt.bytes, len);
	}
}

static __always_inline struct scratch *get_scratch(void)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	struct task_struct *me;

	if (!s)
		return NULL;
	/* paths end at the reader's root, as /proc/PID/fd's links do */
	me = bpf_get_current_task_btf();
	s->w.root_d = (__u64)BPF_CORE_READ(me, fs, root.dentry);
	s->w.root_m = (__u64)BPF_CORE_READ(me, fs, root.mnt) -
		      bpf_core_field_offset(struct mount, mnt);
	return s;
}

/* bpf_loop() hands its callback a pointer to the stack: the scratch is in it */
struct walk_ctx {
	struct scratch *s;
};

/* One level of the path walk of snapshot.bpf.c's walk_path(): 1 ends it. */
static int walk_step(__u32 i, void *ctx)
{
	struct scratch *s = ((struct walk_ctx *)ctx)->s;
	struct walk_state *w;
	struct mount *m, *mp;
	struct dentry *d, *parent;

	if (!s)
		return 1;
	w = &s->w;
	m = (void *)w->m;
	d = (void *)w->d;
	if (walk_at_root(w)) {
		w->flags = 0;
		return 1;
	}
	if (w->d == (__u64)BPF_CORE_READ(m, mnt.mnt_root)) {
		mp = BPF_CORE_READ(m, mnt_parent);
		if (!mp || (__u64)mp == w->m) {
			w->flags = 0;
			return 1;
		}
		w->d = (__u64)BPF_CORE_READ(m, mnt_mountpoint);
		w->m = (__u64)mp;
		return 0;
	}
	if (!walk_name(s, w, BPF_CORE_READ(d, d_name.name)))
		return 1;	/* cut */
	parent = BPF_CORE_READ(d, d_parent);
	if ((__u64)parent == w->d) {
		w->flags = SNAP_PATH_PSEUDO;
		return 1;
	}
	w->d = (__u64)parent;
	return 0;
}

/* The path at s->w into s->buf's tail: bytes | SNAP_PATH_* << 16. */
static __always_inline __u32 walk_path(struct scratch *s, __u32 nlink)
{
	struct walk_ctx c = { s };

	s->w.off = 0;
	s->w.flags = SNAP_PATH_CUT;
	bpf_loop(SNAP_DWALK_DEPTH, walk_step, &c, 0);
	if (!nlink)
		s->w.flags |= SNAP_PATH_DELETED;
	return (s->w.off & 0xffff) | s->w.flags << 16;
}

static __always_inline void walk_from(struct scratch *s, struct file *f)
{
	__u64 vm = (__u64)BPF_CORE_READ(f, f_path.mnt);

	s->w.d = (__u64)BPF_CORE_READ(f, f_path.dentry);
	s->w.m = vm ? vm - bpf_core_field_offset(struct mount, mnt) : 0;
}

/*
 * A backing file (the file overlayfs or FUSE passthrough maps for a file the
 * user opened) stands for the user's file in /proc/PID/maps (file_user_path(),
 * file_user_inode()). The user's inode, with s->w at its path; NULL when f is
 * no backing file. user_path is read only past a struct file whose f_mode has
 * a bit of backing_mode, and taken only when it is a path: dentry and mount
 * of one superblock.
 */
static __always_inline struct inode *user_inode(struct scratch *s, struct file *f)
{
	struct path up = {};
	struct super_block *sb;

	if (!backing_mode || !(BPF_CORE_READ(f, f_mode) & backing_mode))
		return NULL;
	bpf_probe_read_kernel(&up, sizeof(up), (void *)f + user_path_off);
	if (!up.mnt || !up.dentry)
		return NULL;
	sb = BPF_CORE_READ(up.dentry, d_sb);
	if (!sb || sb != BPF_CORE_READ(up.mnt, mnt_sb))
		return NULL;
	s->w.d = (__u64)up.dentry;
	s->w.m = (__u64)up.mnt - bpf_core_field_offset(struct mount, mnt);
	return BPF_CORE_READ(up.dentry, d_inode);
}

/* inode_info of inode: probe reads */
static __always_inline void inode_fields(struct inode *inode, struct inode_info *ii)
{
	ii->ino = BPF_CORE_READ(inode, i_ino);
	ii->nlink = BPF_CORE_READ(inode, i_nlink);
	ii->mode = BPF_CORE_READ(inode, i_mode);
	ii->rdev = BPF_CORE_READ(inode, i_rdev);
	ii->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	ii->magic = BPF_CORE_READ(inode, i_sb, s_magic);
}

static __always_inline void emit_mm(struct scratch *s, struct mm_struct *mm)
{
	struct snap_mm *r = (void *)s->buf;

	mm_fields(r, mm);
	if (bpf_core_type_exists(struct mm_rss_stat___atomic)) {
		/* atomics (what /proc/PID/status reads on such kernels): exact */
		struct mm_struct___atomic *ma = (void *)mm;

		bpf_core_read(r->rss, sizeof(r->rss), &ma->rss_stat.count);
		r->rss_exact = 1;
	} else {
		mm_rss_percpu(r, mm);
	}
	emit(s, r, sizeof(*r));
}

SEC("iter/task")
int snap_task(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct mm_struct *mm;
	struct scratch *s;

	if (!task)
		return 0;
	s = get_scratch();
	if (!s)
		return 0;
	__sync_fetch_and_add(&cnt.calls, 1);
	if (done) {
		/* another thread of the process */
		if (sections & SNAP_SEC_TASK)
			emit_thread(s, task);
		if (all_threads) {
			if (sections & SNAP_SEC_TASK)
				emit_task(s, task, 0);
			if (sections & SNAP_SEC_CREDS)
				emit_creds(s, task);
		}
		return 0;
	}
	done = 1;
	first_tgid = BPF_CORE_READ(task, tgid);
	owner_tid = BPF_CORE_READ(task, pid);
	emit_task(s, task, 1);
	if (sections & SNAP_SEC_TASK)
		emit_thread(s, task);
	if (sections & SNAP_SEC_CREDS)
		emit_creds(s, task);
	mm = BPF_CORE_READ(task, mm);
	mark_brk = mark_start_brk = mark_start_stack = mark_vdso = 0;
	if (mm && (sections & SNAP_SEC_MEMORY)) {
		mark_brk = BPF_CORE_READ(mm, brk);
		mark_start_brk = BPF_CORE_READ(mm, start_brk);
		mark_start_stack = BPF_CORE_READ(mm, start_stack);
		mark_vdso = (__u64)BPF_CORE_READ(mm, context.vdso);
		emit_mm(s, mm);
	}
	if (sections & SNAP_SEC_CGROUPS)
		cgroup_records(s, BPF_CORE_READ(task, cgroups, dfl_cgrp));
	if (sections & SNAP_SEC_NAMESPACES)
		emit_ns(s, task);
	if (sections & SNAP_SEC_LIMITS)
		emit_limits(s, task);
	return 0;
}

/* Mappings (and fds) are the process's, not a thread's: the iterator visits them
 * once for the threads that share them; those of the first thread are taken. */
SEC("iter/task_vma")
int snap_vma(struct bpf_iter__task_vma *ctx)
{
	struct vm_area_struct *vma = ctx->vma;
	struct task_struct *task = ctx->task;
	struct inode_info ii = {};
	struct inode *inode;
	struct snap_vma *r;
	struct scratch *s;
	struct file *f;
	__u32 len;

	if (!task || !vma || task->pid != owner_tid)
		return 0;
	s = get_scratch();
	if (!s)
		return 0;
	r = (void *)s->buf;
	vma_fields(r, BPF_CORE_READ(vma, vm_start), BPF_CORE_READ(vma, vm_end),
		   BPF_CORE_READ(vma, vm_flags), BPF_CORE_READ(vma, vm_pgoff));
	f = BPF_CORE_READ(vma, vm_file);
	if (f) {
		walk_from(s, f);
		inode = user_inode(s, f);
		inode_fields(inode ? inode : BPF_CORE_READ(f, f_inode), &ii);
		len = vma_file(r, &ii, walk_path(s, ii.nlink));
	} else {
		len = vma_anon(s, r, (__u64)vma, mark_brk, mark_start_brk, mark_start_stack,
			       mark_vdso);
	}
	vma_send(s, r, len);
	return 0;
}

static __always_inline void emit_sock(struct scratch *s, struct file *f, __u32 fd, __u32 ino)
{
	struct snap_sock *r = (void *)s->buf;

	sock_fields(r, f, fd, ino);
	emit(s, r, sizeof(*r));
}

SEC("iter/task_file")
int snap_file(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *f = ctx->file;
	struct inode_info ii = {};
	struct fdtable *fdt;
	struct mount *mnt;
	struct snap_file *r;
	struct scratch *s;
	unsigned long *coe, word = 0;
	__u32 fd = ctx->fd;

	if (!task || !f || task->pid != owner_tid)
		return 0;
	s = get_scratch();
	if (!s)
		return 0;
	fdt = BPF_CORE_READ(task, files, fdt);
	coe = BPF_CORE_READ(fdt, close_on_exec);
	cnt.fd_max = BPF_CORE_READ(fdt, max_fds);
	if (coe)
		bpf_probe_read_kernel(&word, sizeof(word), &coe[fd / 64]);
	r = (void *)s->buf;
	inode_fields(BPF_CORE_READ(f, f_inode), &ii);
	file_fields(r, fd, (word >> (fd % 64)) & 1, BPF_CORE_READ(f, f_flags),
		    BPF_CORE_READ(f, f_mode), BPF_CORE_READ(f, f_pos), &ii);
	walk_from(s, f);
	mnt = (void *)s->w.m;
	r->mnt_id = BPF_CORE_READ(mnt, mnt_id);
	file_path(s, r, walk_path(s, ii.nlink));
	if ((sections & SNAP_SEC_SOCKETS) && (r->i_mode & S_IFMT) == S_IFSOCK)
		emit_sock(s, f, fd, r->ino);
	return 0;
}
