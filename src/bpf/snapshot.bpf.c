// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * bpfdump snapshot: one process's kernel state in one pass.
 *
 * Attached as an iter/task link with the pid parameter, the program runs once
 * per thread of the process. The first run walks everything with open-coded
 * iterators nested inside it (threads: bpf_iter_task; mappings:
 * bpf_iter_task_vma; the fd table: bpf_iter_num over 0..max_fds) and emits
 * fixed-layout records (snapshot.h) into a ring buffer; later runs emit a
 * thread's own task and creds records when all_threads is set. No text is
 * formatted here. Per-item work that does not need a trusted pointer (a file,
 * a socket, a path walk) lives in global functions, which the verifier checks
 * once each instead of once per loop state.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "kernel_compat.h"

#include "snapshot.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#include "snapshot_records.bpf.h"

const volatile __u32 data_max;	/* --data: bytes of queued data per socket (0: none) */
__u32 fill;		/* set by user space: fill the ring with empty batches, nothing else */

/* what every mapping is compared with, read once per pass */
struct mm_marks {
	__u64 brk, start_brk, start_stack, vdso;
};

/* a queue being copied out (emit_queue) */
struct queue_state {
	__u64 skb, head;	/* the buffer at, the queue's list head */
	__u32 left;		/* bytes of data_max left for this socket */
	__u32 idx, bytes, flags, fd, family, protocol, cut;
	__u32 off, lin;		/* emit_skb: where a buffer's copy is, its linear bytes */
	__u64 data;		/* emit_skb: the buffer's linear data */
};

struct scratch {
	char buf[SNAP_SCRATCH];
	/* records on their way to the ring buffer, SNAP_BATCH bytes at a time
	 * (room past SNAP_BATCH for the verifier: a record never starts there) */
	char batch[2 * SNAP_BATCH];
	__u32 blen, bcnt;	/* bytes and records in batch */
	struct walk_state w;
	struct mm_marks mm;
	struct queue_state q;
	__u64 arg;		/* a trusted pointer handed to a global function as a number */
};

static __always_inline char *scratch_buf(struct scratch *s)
{
	return s->buf;
}

/*
 * Open-coded iterators (no bpf_for in this libbpf): called as numbered "helpers"
 * that user space turns into kfunc calls before the load (see snapshot.h).
 */
#define KFUNC(n) ((void *)(SNAP_KFUNC_BASE + (n)))
static int (*bpf_iter_task_vma_new)(struct bpf_iter_task_vma *it, struct task_struct *task,
				    __u64 addr) = KFUNC(SNAP_KF_ITER_TASK_VMA_NEW);
static struct vm_area_struct *(*bpf_iter_task_vma_next)(struct bpf_iter_task_vma *it) =
	KFUNC(SNAP_KF_ITER_TASK_VMA_NEXT);
static void (*bpf_iter_task_vma_destroy)(struct bpf_iter_task_vma *it) =
	KFUNC(SNAP_KF_ITER_TASK_VMA_DESTROY);
static int (*bpf_iter_task_new)(struct bpf_iter_task *it, struct task_struct *task,
				unsigned int flags) = KFUNC(SNAP_KF_ITER_TASK_NEW);
static struct task_struct *(*bpf_iter_task_next)(struct bpf_iter_task *it) =
	KFUNC(SNAP_KF_ITER_TASK_NEXT);
static void (*bpf_iter_task_destroy)(struct bpf_iter_task *it) = KFUNC(SNAP_KF_ITER_TASK_DESTROY);
static int (*bpf_iter_num_new)(struct bpf_iter_num *it, int start, int end) =
	KFUNC(SNAP_KF_ITER_NUM_NEW);
static int *(*bpf_iter_num_next)(struct bpf_iter_num *it) = KFUNC(SNAP_KF_ITER_NUM_NEXT);
static void (*bpf_iter_num_destroy)(struct bpf_iter_num *it) = KFUNC(SNAP_KF_ITER_NUM_DESTROY);
static void *(*bpf_rdonly_cast)(const void *obj, __u32 btf_id) = KFUNC(SNAP_KF_RDONLY_CAST);

/* the kernel's BTF ids of the SNAP_CAST_* structs (set by user space) */
const volatile __u32 cast_ids[SNAP_NR_CASTS];

/* addr as a typed pointer: its fields are loads the JIT guards (a bad address
 * reads 0), not probe-read calls */
#define CAST(type, addr, which) ((type *)bpf_rdonly_cast((void *)(addr), cast_ids[which]))

/* Send the batch to the ring buffer as one ring record. */
static __always_inline void flush(struct scratch *s)
{
	__u32 zero = 0, len = s->blen, n = s->bcnt;
	void *rb;

	if (!len)
		return;
	/* never more than SNAP_BATCH; said in an instruction the verifier sees */
	asm volatile("%0 &= %1" : "+r"(len) : "i"(2 * SNAP_BATCH - 1));
	rb = bpf_map_lookup_elem(&rings, &zero);
	/* no wakeup: user space reads the ring when the pass is over */
	if (!rb || bpf_ringbuf_output(rb, s->batch, len, BPF_RB_NO_WAKEUP)) {
		__sync_fetch_and_add(&cnt.lost, n);
		__sync_fetch_and_add(&cnt.lost_bytes, len);
	} else {
		__sync_fetch_and_add(&cnt.records, n);
		__sync_fetch_and_add(&cnt.bytes, len);
	}
	s->blen = 0;
	s->bcnt = 0;
}

/* Add a record (built in s->buf) to the batch, 8-byte aligned: one ring buffer
 * record per SNAP_BATCH bytes, not one per record (each costs a lock, and an
 * interrupt mask and unmask, a hypervisor exit on the VMs here). */
static __always_inline void emit(struct scratch *s, void *rec, __u32 len)
{
	__u32 off = (s->blen + 7) & ~7u;

	if (off + len > SNAP_BATCH) {
		flush(s);
		off = 0;
	}
	bpf_probe_read_kernel(s->batch + (off & (SNAP_BATCH - 1)), len & (SNAP_BATCH - 1), rec);
	s->blen = off + len;
	s->bcnt++;
}

/*
 * Walk the path at s->w (dentry d on mount m) upward: dentry names, crossing
 * mounts at their roots, up to the reading task's root (s->w.root_*, set by the
 * program per run), as /proc/PID/fd's readlink and d_path stop there, into
 * s->buf + SNAP_TAIL_OFF, leaf first, each name NUL-terminated. nlink: the
 * inode's link count (0: the path is marked deleted). Returns the bytes
 * written | SNAP_PATH_* flags << 16. The walk's state lives in the scratch
 * buffer and the loop is an open-coded iterator, so the verifier sees one state
 * per level, not every branch combination.
 */
__noinline int walk_path(struct scratch *s, __u32 nlink)
{
	struct walk_state *w;
	struct bpf_iter_num it;
	struct dentry *d;
	struct mount *m, *mp;

	if (!s)
		return 0;
	w = &s->w;
	w->off = 0;
	w->flags = SNAP_PATH_CUT;
	bpf_iter_num_new(&it, 0, SNAP_DWALK_DEPTH);
	while (bpf_iter_num_next(&it)) {
		if (walk_at_root(w)) {
			w->flags = 0;
			break;
		}
		m = CAST(struct mount, w->m, SNAP_CAST_MOUNT);
		if (w->d == (__u64)m->mnt.mnt_root) {
			mp = m->mnt_parent;
			if (!mp || (__u64)mp == w->m) {
				w->flags = 0;	/* the top of the mount tree */
				break;
			}
			w->d = (__u64)m->mnt_mountpoint;
			w->m = (__u64)mp;
			continue;
		}
		d = CAST(struct dentry, w->d, SNAP_CAST_DENTRY);
		if (!walk_name(s, w, d->d_name.name))
			break;		/* cut */
		if ((__u64)d->d_parent == w->d) {
			w->flags = SNAP_PATH_PSEUDO;	/* a pseudo file's dentry */
			break;
		}
		w->d = (__u64)d->d_parent;
	}
	bpf_iter_num_destroy(&it);
	if (!nlink)
		w->flags |= SNAP_PATH_DELETED;
	return (w->off & 0xffff) | w->flags << 16;
}

/* Where a walk of file f's path starts: its dentry and mount. */
static __always_inline void walk_from(struct scratch *s, struct file *f)
{
	__u64 vm = (__u64)f->f_path.mnt;

	s->w.d = (__u64)f->f_path.dentry;
	s->w.m = vm ? vm - bpf_core_field_offset(struct mount, mnt) : 0;
}

/*
 * The inode of the user's file a backing file stands for (snapshot.h), with
 * s->w at its path; 0 when f is no backing file. user_path is read past the
 * struct file only when f_mode has a bit of backing_mode, and taken only when
 * it is a path: a dentry and a mount of one superblock.
 */
static __always_inline __u64 user_inode(struct scratch *s, __u64 file_addr, __u32 f_mode)
{
	struct path up = {};
	__u64 sb = 0, msb = 0, ino = 0;

	if (!backing_mode || !(f_mode & backing_mode))
		return 0;
	bpf_probe_read_kernel(&up, sizeof(up), (void *)file_addr + user_path_off);
	if (!up.mnt || !up.dentry)
		return 0;
	bpf_probe_read_kernel(&sb, sizeof(sb),
			      (void *)up.dentry + bpf_core_field_offset(struct dentry, d_sb));
	bpf_probe_read_kernel(&msb, sizeof(msb),
			      (void *)up.mnt + bpf_core_field_offset(struct vfsmount, mnt_sb));
	if (!sb || sb != msb)
		return 0;
	bpf_probe_read_kernel(&ino, sizeof(ino),
			      (void *)up.dentry + bpf_core_field_offset(struct dentry, d_inode));
	if (!ino)
		return 0;
	s->w.d = (__u64)up.dentry;
	s->w.m = (__u64)up.mnt - bpf_core_field_offset(struct mount, mnt);
	return ino;
}

/* inode_info of inode: loads the JIT guards (inode is a cast pointer) */
static __always_inline void inode_fields(struct inode *inode, struct inode_info *ii)
{
	struct super_block *sb = inode->i_sb;

	ii->ino = inode->i_ino;
	ii->nlink = inode->i_nlink;
	ii->mode = inode->i_mode;
	ii->rdev = inode->i_rdev;
	ii->dev = sb->s_dev;
	ii->magic = sb->s_magic;
}

/* n bounded to [0, SNAP_QDATA_CHUNK], in an instruction the verifier sees */
static __always_inline __u32 bound_chunk(__u32 n)
{
	if (n > SNAP_QDATA_CHUNK)
		n = SNAP_QDATA_CHUNK;
	asm volatile("%0 &= 8191" : "+r"(n));
	return n;
}

/*
 * One buffer (skb) of the queue s->q walks: its source (datagrams), then its
 * linear bytes in pieces of up to SNAP_QDATA_CHUNK while data_max lasts. Bytes
 * in page fragments are counted (paged), not read: a page's address in the
 * kernel's direct map needs page_offset_base and vmemmap_base, which are in
 * no BTF and, without data symbols in kallsyms, nowhere a program can read.
 */
__noinline int emit_skb(struct scratch *s, __u64 skb_addr)
{
	struct sk_buff *skb = (void *)skb_addr;
	struct bpf_iter_num it;
	struct snap_qdata *r;
	unsigned char *data, *head;
	__u32 len, dlen, lin, off = 0, n;
	__u16 nh, th;

	if (!s || !skb)
		return 0;
	r = (void *)s->buf;
	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_QDATA;
	r->fd = s->q.fd;
	r->queue = SNAP_Q_RECV;
	r->index = s->q.idx;
	len = BPF_CORE_READ(skb, len);
	dlen = BPF_CORE_READ(skb, data_len);
	lin = len > dlen ? len - dlen : 0;
	data = BPF_CORE_READ(skb, data);
	head = BPF_CORE_READ(skb, head);
	r->total = len;
	r->paged = len - lin;
	s->q.bytes += len;
	if (s->q.protocol == 17 && (s->q.family == AF_INET || s->q.family == AF_INET6)) {
		__u8 ver = 0;

		nh = BPF_CORE_READ(skb, network_header);
		th = BPF_CORE_READ(skb, transport_header);
		bpf_probe_read_kernel(&ver, 1, head + nh);
		if (ver >> 4 == 4) {
			r->src_family = AF_INET;
			r->src_len = 4;
			bpf_probe_read_kernel(r->src, 4, head + nh + 12);
		} else {
			r->src_family = AF_INET6;
			r->src_len = 16;
			bpf_probe_read_kernel(r->src, 16, head + nh + 8);
		}
		bpf_probe_read_kernel(&r->src_port, 2, head + th);
		r->src_port = bpf_ntohs(r->src_port);
	} else if (s->q.family == AF_UNIX) {
		struct unix_sock *u = (void *)BPF_CORE_READ(skb, sk);
		struct unix_address *addr = u ? BPF_CORE_READ(u, addr) : NULL;

		r->src_family = AF_UNIX;
		if (addr) {
			n = BPF_CORE_READ(addr, len);
			n = n > 2 ? n - 2 : 0;
			if (n > SNAP_UNIX_PATH)
				n = SNAP_UNIX_PATH;
			r->src_len = n;
			bpf_probe_read_kernel(r->src, n & 0x7f,
					      (void *)addr + bpf_core_field_offset(struct unix_address, name) + 2);
		}
	}
	if (s->q.cut)
		return 0;	/* data_max ran out before: counted in the summary only */
	/* the loop's state in the scratch map: the verifier sees one state per
	 * round, not one per value of off */
	s->q.off = 0;
	s->q.lin = lin;
	s->q.data = (__u64)data;
	bpf_iter_num_new(&it, 0, SNAP_DATA_MAX_LIMIT / SNAP_QDATA_CHUNK);
	while (bpf_iter_num_next(&it)) {
		off = s->q.off;
		lin = s->q.lin;
		n = lin > off ? lin - off : 0;
		if (n > s->q.left)
			n = s->q.left;
		n = bound_chunk(n);
		r->off = off;
		r->len = n;
		if (n)
			bpf_probe_read_kernel(s->buf + SNAP_QDATA_OFF, n, (void *)s->q.data + off);
		r->h.len = SNAP_QDATA_OFF + n;
		s->q.left -= n;
		s->q.off = off + n;
		/* data_max ran out with bytes of this buffer left (none copied
		 * when it ran out exactly at the end of the one before) */
		if (!s->q.left && (off + n < lin || (!lin && r->total))) {
			r->flags |= SNAP_QDATA_CUT;
			s->q.cut = 1;
		}
		emit(s, r, SNAP_QDATA_OFF + n);
		if (off + n >= lin || s->q.cut)
			break;
	}
	bpf_iter_num_destroy(&it);
	return 0;
}

/* A socket's receive queue, buffer by buffer, then its summary record. */
__noinline int emit_queue(struct scratch *s, __u64 sk_addr, __u32 fd)
{
	struct sock *sk = (void *)sk_addr;
	struct bpf_iter_num it;
	struct snap_qdata *r;
	__u64 next;

	if (!s || !sk)
		return 0;
	s->q.head = sk_addr + bpf_core_field_offset(struct sock, sk_receive_queue);
	s->q.skb = (__u64)BPF_CORE_READ(sk, sk_receive_queue.next);
	s->q.left = data_max;
	s->q.idx = 0;
	s->q.bytes = 0;
	s->q.cut = 0;
	s->q.fd = fd;
	s->q.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	s->q.protocol = BPF_CORE_READ(sk, sk_protocol);
	s->q.flags = SNAP_QDATA_WALK_CUT;
	bpf_iter_num_new(&it, 0, SNAP_QDATA_MAX_BUFS);
	while (bpf_iter_num_next(&it)) {
		if (!s->q.skb || s->q.skb == s->q.head) {
			s->q.flags = 0;
			break;
		}
		emit_skb(s, s->q.skb);
		next = 0;
		bpf_probe_read_kernel(&next, sizeof(next), (void *)s->q.skb +
				      bpf_core_field_offset(struct sk_buff, next));
		s->q.skb = next;
		s->q.idx++;
	}
	bpf_iter_num_destroy(&it);
	r = (void *)s->buf;
	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_QDATA;
	r->h.len = sizeof(*r);
	r->fd = fd;
	r->queue = SNAP_Q_RECV;
	r->flags = SNAP_QDATA_END | s->q.flags | (s->q.cut ? SNAP_QDATA_CUT : 0);
	r->index = s->q.idx;
	r->total = s->q.bytes;
	emit(s, r, sizeof(*r));
	return 0;
}

__noinline int emit_sock(struct scratch *s, __u64 file_addr, __u32 fd, __u32 ino)
{
	struct snap_sock *r;
	struct sock *sk;

	if (!s || !file_addr)
		return 0;
	r = (void *)s->buf;
	sk = sock_fields(r, (struct file *)file_addr, fd, ino);
	emit(s, r, sizeof(*r));
	if (data_max && sk)
		emit_queue(s, (__u64)sk, fd);
	return 0;
}

__noinline int emit_file(struct scratch *s, __u64 file_addr, __u32 fd, __u32 cloexec)
{
	struct file *f = CAST(struct file, file_addr, SNAP_CAST_FILE);
	struct inode_info ii = {};
	struct snap_file *r;

	if (!s || !file_addr)
		return 0;
	r = (void *)s->buf;
	inode_fields(f->f_inode, &ii);
	file_fields(r, fd, cloexec, f->f_flags, f->f_mode, f->f_pos, &ii);
	walk_from(s, f);
	r->mnt_id = CAST(struct mount, s->w.m, SNAP_CAST_MOUNT)->mnt_id;
	file_path(s, r, walk_path(s, ii.nlink));
	if ((sections & SNAP_SEC_SOCKETS) && (r->i_mode & S_IFMT) == S_IFSOCK)
		emit_sock(s, file_addr, fd, r->ino);
	return 0;
}

/* A mapping. mm: s->mm holds its brk, stack and vdso marks (walk_vmas). */
__noinline int emit_vma(struct scratch *s, __u64 vma_addr)
{
	struct vm_area_struct *vma = CAST(struct vm_area_struct, vma_addr, SNAP_CAST_VMA);
	struct inode_info ii = {};
	struct snap_vma *r;
	struct file *f;
	__u32 len;

	if (!s || !vma_addr)
		return 0;
	r = (void *)s->buf;
	vma_fields(r, vma->vm_start, vma->vm_end, vma->vm_flags, vma->vm_pgoff);
	f = vma->vm_file;
	if (f) {
		__u64 ui;

		walk_from(s, f);
		/* /proc/PID/maps shows the file the user opened, not a backing one */
		ui = user_inode(s, (__u64)f, f->f_mode);
		if (ui)
			inode_fields(CAST(struct inode, ui, SNAP_CAST_INODE), &ii);
		else
			inode_fields(f->f_inode, &ii);
		len = vma_file(r, &ii, walk_path(s, ii.nlink));
	} else {
		len = vma_anon(s, r, vma_addr, s->mm.brk, s->mm.start_brk, s->mm.start_stack,
			       s->mm.vdso);
	}
	vma_send(s, r, len);
	return 0;
}

__noinline int emit_mm(struct scratch *s, __u64 mm_addr)
{
	struct mm_struct *mm = (void *)mm_addr;
	struct snap_mm *r;

	if (!s || !mm)
		return 0;
	r = (void *)s->buf;
	mm_fields(r, mm);
	mm_rss_percpu(r, mm);
	emit(s, r, sizeof(*r));
	return 0;
}

__noinline int emit_cgroups(struct scratch *s, __u64 cgrp_addr)
{
	if (s)
		cgroup_records(s, (struct cgroup *)cgrp_addr);
	return 0;
}

static __always_inline void walk_threads(struct scratch *s, struct task_struct *task)
{
	struct bpf_iter_task it;
	struct task_struct *t;

	bpf_iter_task_new(&it, task, BPF_TASK_ITER_PROC_THREADS);
	while ((t = bpf_iter_task_next(&it)))
		emit_thread(s, t);
	bpf_iter_task_destroy(&it);
}

static __always_inline void walk_vmas(struct scratch *s, struct task_struct *task, struct mm_struct *mm)
{
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	int err;

	s->mm.brk = BPF_CORE_READ(mm, brk);
	s->mm.start_brk = BPF_CORE_READ(mm, start_brk);
	s->mm.start_stack = BPF_CORE_READ(mm, start_stack);
	s->mm.vdso = (__u64)BPF_CORE_READ(mm, context.vdso);
	err = bpf_iter_task_vma_new(&it, task, 0);
	if (err)
		cnt.vma_err = err;
	while ((vma = bpf_iter_task_vma_next(&it))) {
		/* a trusted pointer is no number to a global function: through memory */
		s->arg = (__u64)vma;
		emit_vma(s, *(volatile __u64 *)&s->arg);
	}
	bpf_iter_task_vma_destroy(&it);
}

static __always_inline void walk_fds(struct scratch *s, struct task_struct *task)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct bpf_iter_num it;
	struct file **fds, *f;
	unsigned long *coe, word;
	__u32 max;
	int *i;

	if (!fdt)
		return;
	max = BPF_CORE_READ(fdt, max_fds);
	fds = BPF_CORE_READ(fdt, fd);
	coe = BPF_CORE_READ(fdt, close_on_exec);
	cnt.fd_max = max;
	if (max > SNAP_MAX_FDS) {
		cnt.fd_cut = 1;
		max = SNAP_MAX_FDS;
	}
	bpf_iter_num_new(&it, 0, max);
	while ((i = bpf_iter_num_next(&it))) {
		__u32 fd = *i;

		f = NULL;
		bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
		if (!f)
			continue;
		word = 0;
		bpf_probe_read_kernel(&word, sizeof(word), &coe[fd / 64]);
		emit_file(s, (__u64)f, fd, (word >> (fd % 64)) & 1);
	}
	bpf_iter_num_destroy(&it);
}

/*
 * Write every page of the ring once (then user space drops what was written):
 * the first write to a page the kernel just allocated costs a fault in the
 * hypervisor on the VMs here, ~17 us a page, 5 ms of a snapshot's pass. A
 * ring kept for later snapshots is filled once, when it is made.
 */
static __always_inline void fill_ring(struct scratch *s)
{
	struct bpf_iter_num it;
	__u32 zero = 0;
	void *rb = bpf_map_lookup_elem(&rings, &zero);

	if (!rb)
		return;
	bpf_iter_num_new(&it, 0, (1 << 30) / SNAP_BATCH);
	while (bpf_iter_num_next(&it))
		if (bpf_ringbuf_output(rb, s->batch, SNAP_BATCH, BPF_RB_NO_WAKEUP))
			break;
	bpf_iter_num_destroy(&it);
}

SEC(SNAP_PROG_SEC)
int snapshot(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct mm_struct *mm;
	struct scratch *s;
	__u32 zero = 0;

	if (!task)
		return 0;
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;
	if (fill) {
		fill_ring(s);
		return 0;
	}
	__sync_fetch_and_add(&cnt.calls, 1);
	/* paths end at the reader's root, as /proc/PID/fd's links do */
	s->w.root_d = (__u64)BPF_CORE_READ(bpf_get_current_task_btf(), fs, root.dentry);
	s->w.root_m = (__u64)BPF_CORE_READ(bpf_get_current_task_btf(), fs, root.mnt) -
		      bpf_core_field_offset(struct mount, mnt);
	if (done) {
		/* another thread of the process */
		if (all_threads) {
			if (sections & SNAP_SEC_TASK)
				emit_task(s, task, 0);
			if (sections & SNAP_SEC_CREDS)
				emit_creds(s, task);
			flush(s);
		}
		return 0;
	}
	done = 1;
	first_tgid = BPF_CORE_READ(task, tgid);
	emit_task(s, task, 1);
	/* alone: a ring too small for a whole batch still tells what the process is */
	flush(s);
	if (sections & SNAP_SEC_TASK)
		walk_threads(s, task);
	if (sections & SNAP_SEC_CREDS)
		emit_creds(s, task);
	if (sections & SNAP_SEC_MEMORY) {
		mm = BPF_CORE_READ(task, mm);
		if (mm) {
			emit_mm(s, (__u64)mm);
			walk_vmas(s, task, mm);
		}
	}
	if (sections & (SNAP_SEC_FILES | SNAP_SEC_SOCKETS))
		walk_fds(s, task);
	if (sections & SNAP_SEC_CGROUPS)
		emit_cgroups(s, (__u64)BPF_CORE_READ(task, cgroups, dfl_cgrp));
	if (sections & SNAP_SEC_NAMESPACES)
		emit_ns(s, task);
	if (sections & SNAP_SEC_LIMITS)
		emit_limits(s, task);
	flush(s);
	return 0;
}
