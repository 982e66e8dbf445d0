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

/* set by user space before load, as in snapshot.bpf.c */
const volatile __u32 sections = SNAP_SEC_ALL;
const volatile __u32 all_threads;
const volatile __u32 nr_cpus = 1;
const volatile __u32 anon_name_off;
const volatile __u32 anon_vma_name_name_off;
/* a backing file's f_mode bits and where its user_path is (0: no backing files) */
const volatile __u32 backing_mode;
const volatile __u32 user_path_off;

/* the .bss user space resets (done) and reads, as snapshot.bpf.c's */
struct snap_counters cnt;
__u32 done;
__u32 first_tgid;
/* set by the first task run of a pass, read by the mapping and file runs */
__u32 owner_tid;	/* the thread whose mappings and fds are the process's */
__u64 mark_brk, mark_start_brk, mark_start_stack, mark_vdso;

struct ring {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct ring);
} rings SEC(".maps");

struct walk_state {
	__u64 d, m;
	__u64 root_d, root_m;
	__u32 off, flags;
};

struct scratch {
	char buf[SNAP_SCRATCH];
	struct walk_state w;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pcpu_probe SEC(".maps");

/* Linux 6.1's mm counters: atomics in mm->rss_stat, no per-CPU parts */
struct mm_rss_stat___atomic {
	atomic_long_t count[SNAP_NR_RSS];
} __attribute__((preserve_access_index));

struct mm_struct___atomic {
	struct mm_rss_stat___atomic rss_stat;
} __attribute__((preserve_access_index));

#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define SOCK_STREAM 1

static __always_inline __u32 bound_path(__u32 len)
{
	asm volatile("%0 &= 4095" : "+r"(len));
	return len;
}

/* One record (built in s->buf) to the ring buffer: a batch of one. */
static __always_inline void emit(struct scratch *s, __u32 len)
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
	__u32 off;
	long n;

	if (!s)
		return 1;
	w = &s->w;
	m = (void *)w->m;
	d = (void *)w->d;
	if (!w->d || !w->m || (w->d == w->root_d && w->m == w->root_m)) {
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
	off = w->off;
	if (off >= SNAP_PATH_MAX - SNAP_NAME_MAX)
		return 1;	/* cut */
	off &= SNAP_PATH_MAX - 1;
	n = bpf_probe_read_kernel_str(s->buf + SNAP_TAIL_OFF + off, SNAP_NAME_MAX,
				      BPF_CORE_READ(d, d_name.name));
	if (n <= 0) {
		s->buf[SNAP_TAIL_OFF + off] = 0;
		n = 1;
	}
	w->off = off + n;
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

struct inode_info {
	__u64 ino, magic;
	__u32 dev, rdev, nlink;
	__u16 mode;
};

static __always_inline void inode_fields(struct inode *inode, struct inode_info *ii)
{
	ii->ino = BPF_CORE_READ(inode, i_ino);
	ii->nlink = BPF_CORE_READ(inode, i_nlink);
	ii->mode = BPF_CORE_READ(inode, i_mode);
	ii->rdev = BPF_CORE_READ(inode, i_rdev);
	ii->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	ii->magic = BPF_CORE_READ(inode, i_sb, s_magic);
}

static __always_inline void emit_task(struct scratch *s, struct task_struct *t, __u32 leader)
{
	struct snap_task *r = (void *)s->buf;

	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_TASK;
	r->h.len = sizeof(*r);
	r->leader = leader;
	r->pid = BPF_CORE_READ(t, pid);
	r->tgid = BPF_CORE_READ(t, tgid);
	r->ppid = BPF_CORE_READ(t, real_parent, tgid);
	r->state = BPF_CORE_READ(t, __state);
	r->exit_state = BPF_CORE_READ(t, exit_state);
	r->flags = BPF_CORE_READ(t, flags);
	r->cpu = BPF_CORE_READ(t, thread_info.cpu);
	r->nr_threads = BPF_CORE_READ(t, signal, nr_threads);
	r->prio = BPF_CORE_READ(t, prio);
	r->nice = BPF_CORE_READ(t, static_prio) - 120;
	r->start_boottime = BPF_CORE_READ(t, start_boottime);
	r->utime = BPF_CORE_READ(t, utime);
	r->stime = BPF_CORE_READ(t, stime);
	BPF_CORE_READ_STR_INTO(&r->comm, t, comm);
	r->present = SNAP_SEC_TASK | SNAP_SEC_CGROUPS;
	if (BPF_CORE_READ(t, cred))
		r->present |= SNAP_SEC_CREDS;
	if (BPF_CORE_READ(t, mm))
		r->present |= SNAP_SEC_MEMORY;
	if (BPF_CORE_READ(t, files))
		r->present |= SNAP_SEC_FILES | SNAP_SEC_SOCKETS;
	if (BPF_CORE_READ(t, nsproxy))
		r->present |= SNAP_SEC_NAMESPACES;
	if (BPF_CORE_READ(t, signal))
		r->present |= SNAP_SEC_LIMITS;
	emit(s, sizeof(*r));
}

static __always_inline void emit_thread(struct scratch *s, struct task_struct *t)
{
	struct snap_thread *r = (void *)s->buf;

	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_THREAD;
	r->h.len = sizeof(*r);
	r->tid = BPF_CORE_READ(t, pid);
	r->state = BPF_CORE_READ(t, __state);
	r->exit_state = BPF_CORE_READ(t, exit_state);
	r->cpu = BPF_CORE_READ(t, thread_info.cpu);
	BPF_CORE_READ_STR_INTO(&r->comm, t, comm);
	emit(s, sizeof(*r));
}

static __always_inline void emit_creds(struct scratch *s, struct task_struct *t)
{
	struct snap_creds *r = (void *)s->buf;
	const struct cred *c = BPF_CORE_READ(t, cred);
	struct group_info *gi;
	__u32 n;

	if (!c)
		return;
	__builtin_memset(r, 0, __builtin_offsetof(struct snap_creds, groups));
	r->h.type = SNAP_REC_CREDS;
	r->h.len = sizeof(*r);
	r->tid = BPF_CORE_READ(t, pid);
	r->uid = BPF_CORE_READ(c, uid.val);
	r->gid = BPF_CORE_READ(c, gid.val);
	r->suid = BPF_CORE_READ(c, suid.val);
	r->sgid = BPF_CORE_READ(c, sgid.val);
	r->euid = BPF_CORE_READ(c, euid.val);
	r->egid = BPF_CORE_READ(c, egid.val);
	r->fsuid = BPF_CORE_READ(c, fsuid.val);
	r->fsgid = BPF_CORE_READ(c, fsgid.val);
	/* kernel_cap_t: a __u64 val from 6.3, __u32 cap[2] before: the same 8 bytes */
	bpf_probe_read_kernel(&r->cap_inheritable, 8,
			      (void *)c + bpf_core_field_offset(struct cred, cap_inheritable));
	bpf_probe_read_kernel(&r->cap_permitted, 8,
			      (void *)c + bpf_core_field_offset(struct cred, cap_permitted));
	bpf_probe_read_kernel(&r->cap_effective, 8,
			      (void *)c + bpf_core_field_offset(struct cred, cap_effective));
	bpf_probe_read_kernel(&r->cap_bset, 8, (void *)c + bpf_core_field_offset(struct cred, cap_bset));
	bpf_probe_read_kernel(&r->cap_ambient, 8,
			      (void *)c + bpf_core_field_offset(struct cred, cap_ambient));
	r->no_new_privs = BPF_CORE_READ(t, atomic_flags) & 1;
	r->seccomp_mode = BPF_CORE_READ(t, seccomp.mode);
	r->seccomp_filters = BPF_CORE_READ(t, seccomp.filter_count.counter);
	gi = BPF_CORE_READ(c, group_info);
	if (gi) {
		r->ngroups = BPF_CORE_READ(gi, ngroups);
		n = r->ngroups;
		if (n > SNAP_MAX_GROUPS)
			n = SNAP_MAX_GROUPS;
		bpf_probe_read_kernel(r->groups, (n * 4) & (4 * SNAP_MAX_GROUPS * 2 - 1),
				      (void *)gi + bpf_core_field_offset(struct group_info, gid));
	}
	emit(s, sizeof(*r));
}

static __always_inline void emit_mm(struct scratch *s, struct mm_struct *mm)
{
	struct snap_mm *r = (void *)s->buf;
	struct percpu_counter *pc;
	__u64 maddr = 0, canon = 0, inst;
	__s32 *counters, v;
	__u32 zero = 0;
	void *mp, *vp;
	int i, c;

	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_MM;
	r->h.len = sizeof(*r);
	r->total_vm = BPF_CORE_READ(mm, total_vm);
	r->locked_vm = BPF_CORE_READ(mm, locked_vm);
	r->pinned_vm = BPF_CORE_READ(mm, pinned_vm.counter);
	r->data_vm = BPF_CORE_READ(mm, data_vm);
	r->exec_vm = BPF_CORE_READ(mm, exec_vm);
	r->stack_vm = BPF_CORE_READ(mm, stack_vm);
	r->hiwater_rss = BPF_CORE_READ(mm, hiwater_rss);
	r->hiwater_vm = BPF_CORE_READ(mm, hiwater_vm);
	r->start_code = BPF_CORE_READ(mm, start_code);
	r->end_code = BPF_CORE_READ(mm, end_code);
	r->start_data = BPF_CORE_READ(mm, start_data);
	r->end_data = BPF_CORE_READ(mm, end_data);
	r->start_brk = BPF_CORE_READ(mm, start_brk);
	r->brk = BPF_CORE_READ(mm, brk);
	r->start_stack = BPF_CORE_READ(mm, start_stack);
	r->arg_start = BPF_CORE_READ(mm, arg_start);
	r->arg_end = BPF_CORE_READ(mm, arg_end);
	r->env_start = BPF_CORE_READ(mm, env_start);
	r->env_end = BPF_CORE_READ(mm, env_end);
	r->map_count = BPF_CORE_READ(mm, map_count);
	if (bpf_core_type_exists(struct mm_rss_stat___atomic)) {
		/* atomics (what /proc/PID/status reads on such kernels): exact */
		struct mm_struct___atomic *ma = (void *)mm;

		bpf_core_read(r->rss, sizeof(r->rss), &ma->rss_stat.count);
		r->rss_exact = 1;
		emit(s, sizeof(*r));
		return;
	}
	for (i = 0; i < SNAP_NR_RSS; i++)
		r->rss[i] = BPF_CORE_READ(BD_MM_RSS_STAT(mm, i), count);
	/* per-CPU parts summed as snapshot.bpf.c's emit_mm() does */
	mp = &pcpu_probe;
	bpf_probe_read_kernel(&maddr, sizeof(maddr), &mp);
	bpf_probe_read_kernel(&canon, sizeof(canon),
			      (void *)maddr + bpf_core_field_offset(struct bpf_array, pptrs));
	r->rss_exact = canon != 0;
	for (c = 0; canon && c < nr_cpus && c < 512; c++) {
		vp = bpf_map_lookup_percpu_elem(&pcpu_probe, &zero, c);
		if (!vp) {
			r->rss_exact = 0;
			break;
		}
		inst = 0;
		bpf_probe_read_kernel(&inst, sizeof(inst), &vp);
		for (i = 0; i < SNAP_NR_RSS; i++) {
			pc = BD_MM_RSS_STAT(mm, i);
			counters = BPF_CORE_READ(pc, counters);
			v = 0;
			if (counters)
				bpf_probe_read_kernel(&v, sizeof(v), (void *)counters + (inst - canon));
			r->rss[i] += v;
		}
	}
	emit(s, sizeof(*r));
}

static __always_inline __u32 ns_inum(void *ns_common)
{
	return BPF_CORE_READ((struct ns_common *)ns_common, inum);
}

static __always_inline void emit_ns(struct scratch *s, struct task_struct *t)
{
	struct snap_ns *r = (void *)s->buf;
	struct nsproxy *nsp = BPF_CORE_READ(t, nsproxy);
	struct pid *pid = BPF_CORE_READ(t, thread_pid);
	struct upid *up;
	__u32 level;

	if (!nsp)
		return;
	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_NS;
	r->h.len = sizeof(*r);
	r->mnt = ns_inum(&BPF_CORE_READ(nsp, mnt_ns)->ns);
	r->uts = ns_inum(&BPF_CORE_READ(nsp, uts_ns)->ns);
	r->ipc = ns_inum(&BPF_CORE_READ(nsp, ipc_ns)->ns);
	r->pid_for_children = ns_inum(&BPF_CORE_READ(nsp, pid_ns_for_children)->ns);
	r->net = ns_inum(&BPF_CORE_READ(nsp, net_ns)->ns);
	r->cgroup = ns_inum(&BPF_CORE_READ(nsp, cgroup_ns)->ns);
	if (bpf_core_field_exists(nsp->time_ns)) {
		r->time = ns_inum(&BPF_CORE_READ(nsp, time_ns)->ns);
		r->time_for_children = ns_inum(&BPF_CORE_READ(nsp, time_ns_for_children)->ns);
	}
	r->user = ns_inum(&BPF_CORE_READ(t, cred, user_ns)->ns);
	if (pid) {
		level = BPF_CORE_READ(pid, level);
		up = (void *)pid + bpf_core_field_offset(struct pid, numbers) +
		     (level & 63) * bpf_core_type_size(struct upid);
		r->pid = ns_inum(&BPF_CORE_READ(up, ns)->ns);
	}
	emit(s, sizeof(*r));
}

static __always_inline void emit_limits(struct scratch *s, struct task_struct *t)
{
	struct snap_limits *r = (void *)s->buf;
	struct signal_struct *sig = BPF_CORE_READ(t, signal);

	if (!sig)
		return;
	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_LIMITS;
	r->h.len = sizeof(*r);
	bpf_probe_read_kernel(r->rlim, sizeof(r->rlim), &sig->rlim);
	emit(s, sizeof(*r));
}

static __always_inline void emit_cgroups(struct scratch *s, struct cgroup *cg)
{
	struct snap_cgroup *r = (void *)s->buf;
	struct cgroup_subsys_state *css;
	struct kernfs_node *kn;
	int i;

	for (i = 0; i < SNAP_MAX_CGROUP_DEPTH && cg; i++) {
		__builtin_memset(r, 0, sizeof(*r));
		r->h.type = SNAP_REC_CGROUP;
		r->h.len = sizeof(*r);
		r->level = BPF_CORE_READ(cg, level);
		kn = BPF_CORE_READ(cg, kn);
		r->id = BPF_CORE_READ(kn, id);
		bpf_probe_read_kernel_str(r->name, sizeof(r->name), BPF_CORE_READ(kn, name));
		emit(s, sizeof(*r));
		if (r->level == 0)
			break;
		css = BPF_CORE_READ(cg, self.parent);
		cg = css ? (void *)css - bpf_core_field_offset(struct cgroup, self) : NULL;
	}
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
		emit_cgroups(s, BPF_CORE_READ(task, cgroups, dfl_cgrp));
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
	__u32 wl, len = 0;

	if (!task || !vma || task->pid != owner_tid)
		return 0;
	s = get_scratch();
	if (!s)
		return 0;
	r = (void *)s->buf;
	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_VMA;
	r->start = BPF_CORE_READ(vma, vm_start);
	r->end = BPF_CORE_READ(vma, vm_end);
	r->flags = BPF_CORE_READ(vma, vm_flags);
	r->pgoff = BPF_CORE_READ(vma, vm_pgoff);
	f = BPF_CORE_READ(vma, vm_file);
	if (f) {
		r->kind = SNAP_VMA_FILE;
		walk_from(s, f);
		inode = user_inode(s, f);
		inode_fields(inode ? inode : BPF_CORE_READ(f, f_inode), &ii);
		r->ino = ii.ino;
		r->dev = ii.dev;
		wl = walk_path(s, ii.nlink);
		len = wl & 0xffff;
		r->path_flags = wl >> 16;
	} else if (r->start <= mark_brk && r->end >= mark_start_brk) {
		r->kind = SNAP_VMA_HEAP;
	} else if (r->start <= mark_start_stack && r->end >= mark_start_stack) {
		r->kind = SNAP_VMA_STACK;
	} else if (r->start == mark_vdso) {
		r->kind = SNAP_VMA_VDSO;
	} else if (BPF_CORE_READ(vma, vm_ops)) {
		struct vm_special_mapping *sm = BPF_CORE_READ(vma, vm_private_data);
		const char *nm = BPF_CORE_READ(sm, name);
		long n = nm ? bpf_probe_read_kernel_str(s->buf + SNAP_TAIL_OFF, SNAP_NAME_MAX, nm) : 0;

		if (n > 0) {
			r->kind = SNAP_VMA_SPECIAL;
			len = n;
		}
	} else if (anon_name_off) {
		void *an = NULL;
		long n = 0;

		bpf_probe_read_kernel(&an, sizeof(an), (void *)vma + anon_name_off);
		if (an)
			n = bpf_probe_read_kernel_str(s->buf + SNAP_TAIL_OFF, SNAP_NAME_MAX,
						      an + anon_vma_name_name_off);
		if (n > 0) {
			r->kind = SNAP_VMA_ANON_NAMED;
			len = n;
		}
	}
	len = bound_path(len);
	r->path_len = len;
	r->h.len = SNAP_TAIL_OFF + len;
	emit(s, SNAP_TAIL_OFF + len);
	return 0;
}

/*
 * What a checkpoint of a TCP socket needs beyond its queues' sequence numbers
 * (CRIU reads these in repair mode, one socket at a time): windows, MSS,
 * options as negotiated, retransmit state. Bitfields read through CO-RE.
 */
static __always_inline void tcp_state(struct snap_sock *r, struct sock *sk)
{
	struct tcp_sock *tp = (void *)sk;
	struct inet_connection_sock *icsk = (void *)sk;
	struct tcp_options_received *rx =
		(void *)sk + bpf_core_field_offset(struct tcp_sock, rx_opt);

	r->snd_nxt = BPF_CORE_READ(tp, snd_nxt);
	r->snd_wnd = BPF_CORE_READ(tp, snd_wnd);
	r->rcv_wnd = BPF_CORE_READ(tp, rcv_wnd);
	r->window_clamp = BPF_CORE_READ(tp, window_clamp);
	r->mss_cache = BPF_CORE_READ(tp, mss_cache);
	r->total_retrans = BPF_CORE_READ(tp, total_retrans);
	r->snd_wscale = BPF_CORE_READ_BITFIELD_PROBED(rx, snd_wscale);
	r->rcv_wscale = BPF_CORE_READ_BITFIELD_PROBED(rx, rcv_wscale);
	r->tstamp_ok = BPF_CORE_READ_BITFIELD_PROBED(rx, tstamp_ok);
	r->sack_ok = BPF_CORE_READ_BITFIELD_PROBED(rx, sack_ok);
	r->retransmits = BPF_CORE_READ(icsk, icsk_retransmits);
	r->ca_state = BPF_CORE_READ_BITFIELD_PROBED(icsk, icsk_ca_state);
	r->tcp_state = 1;
}

static __always_inline void emit_sock(struct scratch *s, struct file *f, __u32 fd, __u32 ino)
{
	struct snap_sock *r = (void *)s->buf;
	struct socket *sock;
	struct sock *sk;
	__u32 len;

	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_SOCK;
	r->h.len = sizeof(*r);
	r->fd = fd;
	r->ino = ino;
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		goto out;
	r->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	r->type = BPF_CORE_READ(sk, sk_type);
	r->protocol = BPF_CORE_READ(sk, sk_protocol);
	r->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	r->ack_backlog = BPF_CORE_READ(sk, sk_ack_backlog);
	r->max_ack_backlog = BPF_CORE_READ(sk, sk_max_ack_backlog);
	r->rmem_alloc = BPF_CORE_READ(sk, sk_backlog.rmem_alloc.counter);
	r->wmem_alloc = BPF_CORE_READ(sk, sk_wmem_alloc.refs.counter);
	r->wmem_queued = BPF_CORE_READ(sk, sk_wmem_queued);
	r->rq_len = BPF_CORE_READ(sk, sk_receive_queue.qlen);
	if (r->family == AF_INET || r->family == AF_INET6) {
		r->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
		r->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (r->family == AF_INET) {
			bpf_probe_read_kernel(r->laddr, 4, &sk->__sk_common.skc_rcv_saddr);
			bpf_probe_read_kernel(r->raddr, 4, &sk->__sk_common.skc_daddr);
		} else {
			bpf_probe_read_kernel(r->laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
			bpf_probe_read_kernel(r->raddr, 16, &sk->__sk_common.skc_v6_daddr);
		}
		if (r->protocol == IPPROTO_TCP && r->type == SOCK_STREAM) {
			struct tcp_sock *tp = (void *)sk;

			r->rcv_nxt = BPF_CORE_READ(tp, rcv_nxt);
			r->copied_seq = BPF_CORE_READ(tp, copied_seq);
			r->write_seq = BPF_CORE_READ(tp, write_seq);
			r->snd_una = BPF_CORE_READ(tp, snd_una);
			tcp_state(r, sk);
		}
	} else if (r->family == AF_UNIX) {
		struct unix_sock *u = (void *)sk;
		struct unix_address *addr = BPF_CORE_READ(u, addr);
		struct sock *peer = BPF_CORE_READ(u, peer);

		if (addr) {
			len = BPF_CORE_READ(addr, len);
			len = len > 2 ? len - 2 : 0;
			if (len > SNAP_UNIX_PATH)
				len = SNAP_UNIX_PATH;
			r->unix_path_len = len;
			bpf_probe_read_kernel(r->unix_path, len & 0x7f,
					      (void *)addr + bpf_core_field_offset(struct unix_address, name) + 2);
		}
		if (peer) {
			struct socket *ps = BPF_CORE_READ(peer, sk_socket);
			struct inode *pi = (void *)ps + bpf_core_field_offset(struct socket_alloc, vfs_inode) -
					   bpf_core_field_offset(struct socket_alloc, socket);

			if (ps)
				r->peer_ino = BPF_CORE_READ(pi, i_ino);
		}
	}
out:
	emit(s, sizeof(*r));
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
	__u32 fd = ctx->fd, wl, len;

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
	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_FILE;
	r->fd = fd;
	r->cloexec = (word >> (fd % 64)) & 1;
	r->f_flags = BPF_CORE_READ(f, f_flags);
	r->f_mode = BPF_CORE_READ(f, f_mode);
	r->pos = BPF_CORE_READ(f, f_pos);
	inode_fields(BPF_CORE_READ(f, f_inode), &ii);
	r->i_mode = ii.mode;
	r->ino = ii.ino;
	r->dev = ii.dev;
	r->rdev = ii.rdev;
	r->magic = ii.magic;
	walk_from(s, f);
	mnt = (void *)s->w.m;
	r->mnt_id = BPF_CORE_READ(mnt, mnt_id);
	wl = walk_path(s, ii.nlink);
	len = bound_path(wl & 0xffff);
	r->path_len = len;
	r->path_flags = wl >> 16;
	r->h.len = SNAP_TAIL_OFF + len;
	if (sections & SNAP_SEC_FILES)
		emit(s, SNAP_TAIL_OFF + len);
	if ((sections & SNAP_SEC_SOCKETS) && (r->i_mode & S_IFMT) == S_IFSOCK)
		emit_sock(s, f, fd, r->ino);
	return 0;
}
