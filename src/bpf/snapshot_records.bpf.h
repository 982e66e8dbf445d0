/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The records both snapshot programs write (snapshot.bpf.c: open-coded
 * iterators; snapshot_classic.bpf.c: iter/task, iter/task_vma, iter/task_file),
 * each read the same way on every kernel either runs on, and the globals and
 * maps both have (user space sets and reads them by name). The program
 * defines after it:
 *   struct scratch     its per-CPU buffers, scratch_buf(s) where a record is
 *                      built (SNAP_SCRATCH bytes);
 *   emit(s, rec, len)  the record at rec (scratch_buf(s)) on its way to the ring.
 * Only probe reads (BPF_CORE_READ) and helpers Linux 6.1 offers, no kfuncs;
 * with SNAP_DIRECT_READS (lockdown=confidentiality) loads through bpf_rdonly_cast.
 */
#ifndef BPFDUMP_SNAPSHOT_RECORDS_BPF_H
#define BPFDUMP_SNAPSHOT_RECORDS_BPF_H

#ifdef SNAP_DIRECT_READS
/*
 * lockdown=confidentiality: the kernel forbids bpf_probe_read_kernel(_str) (the
 * verifier: "program of this type cannot use helper"). Built with
 * -DSNAP_DIRECT_READS, every read here and in the program (BPF_CORE_READ,
 * bpf_core_read, BPF_CORE_READ_BITFIELD_PROBED and the direct calls all expand
 * to the two helpers) is a load through bpf_rdonly_cast (Linux 6.2) instead: the
 * address becomes an untrusted pointer to a struct whose first member is an
 * 8-byte integer (timespec64.tv_sec), and a load of 1 to 8 bytes at its offset 0
 * is one the JIT guards (a bad address reads 0). The verifier inlines the call.
 */
extern void *bpf_rdonly_cast(const void *obj__ign, __u32 btf_id__k) __ksym __weak;

#define SNAP_LOAD(type, addr) \
	(*(volatile type *)bpf_rdonly_cast((const void *)(addr), \
					   bpf_core_type_id_kernel(struct timespec64)))

/* the longest read of a size only known at load (groups: 4 * SNAP_MAX_GROUPS * 2 - 1) */
#define SNAP_DIRECT_READ_MAX 2048

/* size bytes at src to dst, as bpf_probe_read_kernel: 8, 4, 2, 1-byte loads */
static __always_inline long snap_read_kernel(void *dst, __u32 size, const void *src)
{
	__u64 a = (__u64)src;
	__u32 o = 0;

	if (__builtin_constant_p(size)) {
		for (; o + 8 <= size; o += 8)
			*(__u64 *)(dst + o) = SNAP_LOAD(__u64, a + o);
	} else {
		/* bounded for the verifier; size is masked below the bound where it varies */
		for (; o < SNAP_DIRECT_READ_MAX; o += 8) {
			if (o + 8 > size)
				break;
			*(__u64 *)(dst + o) = SNAP_LOAD(__u64, a + o);
		}
	}
	if ((size - o) & 4) {
		*(__u32 *)(dst + o) = SNAP_LOAD(__u32, a + o);
		o += 4;
	}
	if ((size - o) & 2) {
		*(__u16 *)(dst + o) = SNAP_LOAD(__u16, a + o);
		o += 2;
	}
	if ((size - o) & 1)
		*(__u8 *)(dst + o) = SNAP_LOAD(__u8, a + o);
	return 0;
}

/*
 * The string at src to dst, as bpf_probe_read_kernel_str: at most size - 1
 * bytes and a NUL; returns the bytes written with the NUL. Eight bytes a load
 * while none is 0, then one byte a load up to the NUL: a word that reads 0
 * because it crosses into an unreadable page is read again byte by byte, so
 * nothing of the string is lost. size (at most SNAP_NAME_MAX) is a constant.
 */
static __always_inline long snap_read_kernel_str(void *dst, __u32 size, const void *src)
{
	__u64 a = (__u64)src, w;
	char *d = dst, c;
	__u32 i, j;

	if (!size)
		return 0;
	for (i = 0; i < SNAP_NAME_MAX; i += 8) {
		if (i + 8 >= size)
			break;
		w = SNAP_LOAD(__u64, a + i);
		if ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull)
			break;	/* a 0 byte in it */
		*(__u64 *)(d + i) = w;
	}
	for (j = 0; j < 8; j++, i++) {
		if (i + 1 >= size || i >= SNAP_NAME_MAX)
			break;
		c = SNAP_LOAD(char, a + i);
		d[i] = c;
		if (!c)
			return i + 1;
	}
	d[i & (SNAP_NAME_MAX - 1)] = 0;
	return i + 1;
}

/* after the headers that use them: their uses expand here */
#define bpf_probe_read_kernel snap_read_kernel
#define bpf_probe_read_kernel_str snap_read_kernel_str
#endif /* SNAP_DIRECT_READS */

/* set by user space before load: the verifier drops what is not asked for */
const volatile __u32 sections = SNAP_SEC_ALL;
const volatile __u32 all_threads;
const volatile __u32 nr_cpus = 1;
/*
 * CONFIG_ANON_VMA_NAME: where vm_area_struct keeps anon_name and anon_vma_name its
 * name in the running kernel, from its BTF (user space sets them; 0: no names).
 * Not a CO-RE flavor: the program must also run with its CO-RE relocations taken
 * out (the variant for the kernel it was built on, see snapshot.c).
 */
const volatile __u32 anon_name_off;
const volatile __u32 anon_vma_name_name_off;
/* a backing file's f_mode bits and where its user_path is (snapshot.h; 0: none) */
const volatile __u32 backing_mode;
const volatile __u32 user_path_off;

/* the .bss user space resets (done) and reads */
struct snap_counters cnt;
__u32 done;
__u32 first_tgid;	/* the process of the first task seen (user space: a tid given) */

/*
 * The ring buffer the records go to sits in slot 0 of an array of maps: user space
 * makes one per pass, sized for the process, after the program is loaded (a
 * bigger one for a pass again when records were lost; one per process when a
 * loaded program snapshots several).
 */
struct ring {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);	/* the template; real rings are any power of 2 */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct ring);
} rings SEC(".maps");

/*
 * Each CPU's per-CPU offset, to sum the per-CPU parts of mm->rss_stat as
 * /proc/PID/status does (mm_rss_percpu()).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pcpu_probe SEC(".maps");

struct walk_state {
	__u64 d, m;		/* the dentry and mount a path walk is at */
	__u64 root_d, root_m;	/* the reader's root: paths end there, as d_path's (set per run) */
	__u32 off, flags;
};

/* defined by the program, after this header */
struct scratch;

/* each CPU's struct scratch, the program's buffers */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

static __always_inline char *scratch_buf(struct scratch *s);
static __always_inline void emit(struct scratch *s, void *rec, __u32 len);

#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define SOCK_STREAM 1

/* What a file or mapping reports of its inode and superblock (inode_fields()). */
struct inode_info {
	__u64 ino, magic;
	__u32 dev, rdev, nlink;
	__u16 mode;
};

/* len & (SNAP_PATH_MAX - 1), kept as an instruction the verifier sees */
static __always_inline __u32 bound_path(__u32 len)
{
	asm volatile("%0 &= 4095" : "+r"(len));
	return len;
}

static __always_inline void emit_task(struct scratch *s, struct task_struct *t, __u32 leader)
{
	struct snap_task *r = (void *)scratch_buf(s);

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
	emit(s, r, sizeof(*r));
}

static __always_inline void emit_thread(struct scratch *s, struct task_struct *t)
{
	struct snap_thread *r = (void *)scratch_buf(s);

	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_THREAD;
	r->h.len = sizeof(*r);
	r->tid = BPF_CORE_READ(t, pid);
	r->state = BPF_CORE_READ(t, __state);
	r->exit_state = BPF_CORE_READ(t, exit_state);
	r->cpu = BPF_CORE_READ(t, thread_info.cpu);
	BPF_CORE_READ_STR_INTO(&r->comm, t, comm);
	emit(s, r, sizeof(*r));
}

/* kernel_cap_t: a __u64 val from 6.3, __u32 cap[2] before: the same 8 bytes */
#define SNAP_CRED_CAP(dst, c, field) \
	bpf_probe_read_kernel(dst, 8, (void *)(c) + bpf_core_field_offset(struct cred, field))

static __always_inline void emit_creds(struct scratch *s, struct task_struct *t)
{
	struct snap_creds *r = (void *)scratch_buf(s);
	const struct cred *c = BPF_CORE_READ(t, cred);
	struct group_info *gi;
	__u32 n;

	if (!c)
		return;
	__builtin_memset(r, 0, __builtin_offsetof(struct snap_creds, groups)); /* groups[]: ngroups say */
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
	SNAP_CRED_CAP(&r->cap_inheritable, c, cap_inheritable);
	SNAP_CRED_CAP(&r->cap_permitted, c, cap_permitted);
	SNAP_CRED_CAP(&r->cap_effective, c, cap_effective);
	SNAP_CRED_CAP(&r->cap_bset, c, cap_bset);
	SNAP_CRED_CAP(&r->cap_ambient, c, cap_ambient);
	r->no_new_privs = BPF_CORE_READ(t, atomic_flags) & 1;	/* PFA_NO_NEW_PRIVS */
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
	emit(s, r, sizeof(*r));
}

/* The memory record's fields but the resident counters (mm_rss_percpu). */
static __always_inline void mm_fields(struct snap_mm *r, struct mm_struct *mm)
{
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
}

/*
 * The resident counters of an mm whose rss_stat are percpu_counters, summed
 * with their per-CPU parts as /proc/PID/status does: the kernel's own per-CPU
 * offsets are not reachable here (no data symbols in kallsyms), but pcpu_probe
 * gives both the canonical per-CPU pointer (bpf_array.pptrs[0]) and each
 * CPU's copy. rss_exact: every CPU's part was added.
 */
static __always_inline void mm_rss_percpu(struct snap_mm *r, struct mm_struct *mm)
{
	struct percpu_counter *pc;
	__u64 maddr = 0, canon = 0, inst;
	__s32 *counters, v;
	__u32 zero = 0;
	void *mp, *vp;
	int i, c;

	for (i = 0; i < SNAP_NR_RSS; i++)
		r->rss[i] = BPF_CORE_READ(BD_MM_RSS_STAT(mm, i), count);
	/* the canonical per-CPU address of our map's value */
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
}

static __always_inline __u32 ns_inum(void *ns_common)
{
	return BPF_CORE_READ((struct ns_common *)ns_common, inum);
}

static __always_inline void emit_ns(struct scratch *s, struct task_struct *t)
{
	struct snap_ns *r = (void *)scratch_buf(s);
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
	emit(s, r, sizeof(*r));
}

static __always_inline void emit_limits(struct scratch *s, struct task_struct *t)
{
	struct snap_limits *r = (void *)scratch_buf(s);
	struct signal_struct *sig = BPF_CORE_READ(t, signal);

	if (!sig)
		return;
	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_LIMITS;
	r->h.len = sizeof(*r);
	bpf_probe_read_kernel(r->rlim, sizeof(r->rlim), &sig->rlim);
	emit(s, r, sizeof(*r));
}

/* The cgroup and its ancestors up to the root, one record each. */
static __always_inline void cgroup_records(struct scratch *s, struct cgroup *cg)
{
	struct snap_cgroup *r = (void *)scratch_buf(s);
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
		emit(s, r, sizeof(*r));
		if (r->level == 0)
			break;
		css = BPF_CORE_READ(cg, self.parent);
		cg = css ? (void *)css - bpf_core_field_offset(struct cgroup, self) : NULL;
	}
}

/* A mapping's record in r, but its kind and name (vma_file(), vma_anon()). */
static __always_inline void vma_fields(struct snap_vma *r, __u64 start, __u64 end, __u64 flags,
				       __u64 pgoff)
{
	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_VMA;
	r->start = start;
	r->end = end;
	r->flags = flags;
	r->pgoff = pgoff;
}

/* A file mapping: its inode and path (wl: what walk_path() returned); the path's bytes. */
static __always_inline __u32 vma_file(struct snap_vma *r, const struct inode_info *ii, __u32 wl)
{
	r->kind = SNAP_VMA_FILE;
	r->ino = ii->ino;
	r->dev = ii->dev;
	r->path_flags = wl >> 16;
	return wl & 0xffff;
}

/*
 * A mapping without a file (r->start, r->end set): heap, stack or vDSO by the
 * mm's marks (brk, start_brk, start_stack, vdso), else a special mapping's or
 * an anonymous mapping's name into s->buf's tail. Returns the name's bytes
 * (0: none).
 */
static __always_inline __u32 vma_anon(struct scratch *s, struct snap_vma *r, __u64 vma_addr,
				      __u64 brk, __u64 start_brk, __u64 start_stack, __u64 vdso)
{
	struct vm_area_struct *vma = (void *)vma_addr;
	long n = 0;

	if (r->start <= brk && r->end >= start_brk) {
		r->kind = SNAP_VMA_HEAP;
	} else if (r->start <= start_stack && r->end >= start_stack) {
		r->kind = SNAP_VMA_STACK;
	} else if (r->start == vdso) {
		r->kind = SNAP_VMA_VDSO;
	} else if (BPF_CORE_READ(vma, vm_ops)) {
		/* a file-less mapping with operations: a special mapping */
		struct vm_special_mapping *sm = BPF_CORE_READ(vma, vm_private_data);
		const char *nm = BPF_CORE_READ(sm, name);

		if (nm)
			n = bpf_probe_read_kernel_str(scratch_buf(s) + SNAP_TAIL_OFF, SNAP_NAME_MAX, nm);
		if (n > 0) {
			r->kind = SNAP_VMA_SPECIAL;
			return n;
		}
	} else if (anon_name_off) {
		void *an = NULL;

		bpf_probe_read_kernel(&an, sizeof(an), (void *)vma_addr + anon_name_off);
		if (an)
			n = bpf_probe_read_kernel_str(scratch_buf(s) + SNAP_TAIL_OFF, SNAP_NAME_MAX,
						      an + anon_vma_name_name_off);
		if (n > 0) {
			r->kind = SNAP_VMA_ANON_NAMED;
			return n;
		}
	}
	return 0;
}

/* A path walk is over: no path, or at the reader's root. */
static __always_inline int walk_at_root(const struct walk_state *w)
{
	return !w->d || !w->m || (w->d == w->root_d && w->m == w->root_m);
}

/*
 * One dentry's name (at name) appended to the path in s's record tail, NUL
 * terminated (an unreadable name: an empty one). 0: no room left, the path
 * is cut.
 */
static __always_inline int walk_name(struct scratch *s, struct walk_state *w, const void *name)
{
	__u32 off = w->off;
	long n;

	if (off >= SNAP_PATH_MAX - SNAP_NAME_MAX)
		return 0;
	off &= SNAP_PATH_MAX - 1;
	n = bpf_probe_read_kernel_str(scratch_buf(s) + SNAP_TAIL_OFF + off, SNAP_NAME_MAX, name);
	if (n <= 0) {
		scratch_buf(s)[SNAP_TAIL_OFF + off] = 0;
		n = 1;
	}
	w->off = off + n;
	return 1;
}

/* An open file's record in r, but its mount and path (file_path()). */
static __always_inline void file_fields(struct snap_file *r, __u32 fd, __u32 cloexec, __u32 f_flags,
					__u32 f_mode, __u64 pos, const struct inode_info *ii)
{
	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_FILE;
	r->fd = fd;
	r->cloexec = cloexec;
	r->f_flags = f_flags;
	r->f_mode = f_mode;
	r->pos = pos;
	r->i_mode = ii->mode;
	r->ino = ii->ino;
	r->dev = ii->dev;
	r->rdev = ii->rdev;
	r->magic = ii->magic;
}

/* The file record's path (wl: what walk_path() returned); sent when files are asked for. */
static __always_inline void file_path(struct scratch *s, struct snap_file *r, __u32 wl)
{
	__u32 len = bound_path(wl & 0xffff);

	r->path_len = len;
	r->path_flags = wl >> 16;
	r->h.len = SNAP_TAIL_OFF + len;
	if (sections & SNAP_SEC_FILES)
		emit(s, r, SNAP_TAIL_OFF + len);
}

/* The mapping's record with its name or path of len bytes to the ring. */
static __always_inline void vma_send(struct scratch *s, struct snap_vma *r, __u32 len)
{
	len = bound_path(len);
	r->path_len = len;
	r->h.len = SNAP_TAIL_OFF + len;
	emit(s, r, SNAP_TAIL_OFF + len);
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

/* The socket record of socket file f (fd, inode ino) in r; its sock (NULL: none). */
static __always_inline struct sock *sock_fields(struct snap_sock *r, struct file *f, __u32 fd,
						__u32 ino)
{
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
		return NULL;
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
			len = len > 2 ? len - 2 : 0;	/* minus sun_family */
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
	return sk;
}

#endif /* BPFDUMP_SNAPSHOT_RECORDS_BPF_H */
