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

/* set by user space before load: the verifier drops what is not asked for */
const volatile __u32 sections = SNAP_SEC_ALL;
const volatile __u32 data_max;	/* --data: bytes of queued data per socket (0: none) */
const volatile __u32 all_threads;
const volatile __u32 nr_cpus = 1;

struct snap_counters cnt;
__u32 done;
__u32 first_tgid;	/* the process of the first task seen (user space: a tid given) */
__u32 fill;		/* set by user space: fill the ring with empty batches, nothing else */

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

struct walk_state {
	__u64 d, m;		/* the dentry and mount a path walk is at */
	__u64 root_d, root_m;	/* the reader's root: paths end there, as d_path's (set per run) */
	__u32 off, flags;
};

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


struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

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

/*
 * Each CPU's per-CPU offset, to sum the per-CPU parts of mm->rss_stat as
 * /proc/PID/status does: the kernel's own tables are not reachable here (no
 * data symbols in kallsyms), but a per-CPU map of ours gives both the
 * canonical per-CPU pointer (bpf_array.pptrs[0]) and each CPU's copy.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} pcpu_probe SEC(".maps");

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

#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define SOCK_STREAM 1

/* len & (SNAP_PATH_MAX - 1), kept as an instruction the verifier sees */
static __always_inline __u32 bound_path(__u32 len)
{
	asm volatile("%0 &= 4095" : "+r"(len));
	return len;
}

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
	__u32 off;
	long n;

	if (!s)
		return 0;
	w = &s->w;
	w->off = 0;
	w->flags = SNAP_PATH_CUT;
	bpf_iter_num_new(&it, 0, SNAP_DWALK_DEPTH);
	while (bpf_iter_num_next(&it)) {
		if (!w->d || !w->m || (w->d == w->root_d && w->m == w->root_m)) {
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
		off = w->off;
		if (off >= SNAP_PATH_MAX - SNAP_NAME_MAX)
			break;		/* cut */
		off &= SNAP_PATH_MAX - 1;
		d = CAST(struct dentry, w->d, SNAP_CAST_DENTRY);
		n = bpf_probe_read_kernel_str(s->buf + SNAP_TAIL_OFF + off, SNAP_NAME_MAX,
					      d->d_name.name);
		if (n <= 0) {
			s->buf[SNAP_TAIL_OFF + off] = 0;
			n = 1;
		}
		w->off = off + n;
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

struct inode_info {
	__u64 ino, magic;
	__u32 dev, rdev, nlink;
	__u16 mode;
};

/* What a file or mapping reports of its inode and superblock. */
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
	struct file *f = (void *)file_addr;
	struct snap_sock *r;
	struct socket *sock;
	struct sock *sk;
	__u32 len;

	if (!s || !f)
		return 0;
	r = (void *)s->buf;
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
out:
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
	__u32 wl, len;

	if (!s || !file_addr)
		return 0;
	r = (void *)s->buf;
	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_FILE;
	r->fd = fd;
	r->cloexec = cloexec;
	r->f_flags = f->f_flags;
	r->f_mode = f->f_mode;
	r->pos = f->f_pos;
	inode_fields(f->f_inode, &ii);
	r->i_mode = ii.mode;
	r->ino = ii.ino;
	r->dev = ii.dev;
	r->rdev = ii.rdev;
	r->magic = ii.magic;
	walk_from(s, f);
	r->mnt_id = CAST(struct mount, s->w.m, SNAP_CAST_MOUNT)->mnt_id;
	wl = walk_path(s, ii.nlink);
	len = wl & 0xffff;
	len = bound_path(len);
	r->path_len = len;
	r->path_flags = wl >> 16;
	r->h.len = SNAP_TAIL_OFF + len;
	if (sections & SNAP_SEC_FILES)
		emit(s, r, SNAP_TAIL_OFF + len);
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
	__u32 wl, len = 0;

	if (!s || !vma_addr)
		return 0;
	r = (void *)s->buf;
	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_VMA;
	r->start = vma->vm_start;
	r->end = vma->vm_end;
	r->flags = vma->vm_flags;
	r->pgoff = vma->vm_pgoff;
	f = vma->vm_file;
	if (f) {
		__u64 ui;

		r->kind = SNAP_VMA_FILE;
		walk_from(s, f);
		/* /proc/PID/maps shows the file the user opened, not a backing one */
		ui = user_inode(s, (__u64)f, f->f_mode);
		if (ui)
			inode_fields(CAST(struct inode, ui, SNAP_CAST_INODE), &ii);
		else
			inode_fields(f->f_inode, &ii);
		r->ino = ii.ino;
		r->dev = ii.dev;
		wl = walk_path(s, ii.nlink);
		len = wl & 0xffff;
		r->path_flags = wl >> 16;
	} else if (r->start <= s->mm.brk && r->end >= s->mm.start_brk) {
		r->kind = SNAP_VMA_HEAP;
	} else if (r->start <= s->mm.start_stack && r->end >= s->mm.start_stack) {
		r->kind = SNAP_VMA_STACK;
	} else if (r->start == s->mm.vdso) {
		r->kind = SNAP_VMA_VDSO;
	} else if (vma->vm_ops) {
		/* a file-less mapping with operations: a special mapping */
		struct vm_special_mapping *sm = vma->vm_private_data;
		const char *nm = BPF_CORE_READ(sm, name);
		long n = nm ? bpf_probe_read_kernel_str(s->buf + SNAP_TAIL_OFF, SNAP_NAME_MAX, nm) : 0;

		if (n > 0) {
			r->kind = SNAP_VMA_SPECIAL;
			len = n;
		}
	} else if (anon_name_off) {
		void *an = NULL;
		long n = 0;

		bpf_probe_read_kernel(&an, sizeof(an), (void *)vma_addr + anon_name_off);
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
	emit(s, r, SNAP_TAIL_OFF + len);
	return 0;
}

__noinline int emit_mm(struct scratch *s, __u64 mm_addr)
{
	struct mm_struct *mm = (void *)mm_addr;
	struct percpu_counter *pc;
	struct snap_mm *r;
	__u64 maddr = 0, canon = 0, inst;
	__s32 *counters, v;
	__u32 zero = 0;
	void *mp, *vp;
	int i, c;

	if (!s || !mm)
		return 0;
	r = (void *)s->buf;
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
	emit(s, r, sizeof(*r));
	return 0;
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
	emit(s, r, sizeof(*r));
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
	emit(s, r, sizeof(*r));
}

static __always_inline void emit_creds(struct scratch *s, struct task_struct *t)
{
	struct snap_creds *r = (void *)s->buf;
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
	r->cap_inheritable = BD_CRED_CAP(c, cap_inheritable);
	r->cap_permitted = BD_CRED_CAP(c, cap_permitted);
	r->cap_effective = BD_CRED_CAP(c, cap_effective);
	r->cap_bset = BD_CRED_CAP(c, cap_bset);
	r->cap_ambient = BD_CRED_CAP(c, cap_ambient);
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
	emit(s, r, sizeof(*r));
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
	emit(s, r, sizeof(*r));
}

__noinline int emit_cgroups(struct scratch *s, __u64 cgrp_addr)
{
	struct cgroup *cg = (void *)cgrp_addr;
	struct snap_cgroup *r;
	struct kernfs_node *kn;
	struct cgroup_subsys_state *css;
	int i;

	if (!s)
		return 0;
	r = (void *)s->buf;
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
