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

const volatile __u32 data_max;	/* --data: bytes of queued data per queue (0: none) */
__u32 fill;		/* set by user space: fill the ring with empty batches, nothing else */
__u32 xlate_fd;		/* set by user space with --data: the reader's own socket's fd + 1 */
/* a verified (struct page, kernel address) pair, when cnt.xlate is SNAP_XLATE_OK */
__u64 xl_p0, xl_v0;

/* what every mapping is compared with, read once per pass */
struct mm_marks {
	__u64 brk, start_brk, start_stack, vdso;
};

/* a queue being copied out (emit_queue, emit_pipe) */
struct queue_state {
	__u64 skb, head;	/* the buffer at (a pipe: its index), the list's head (a pipe: its head) */
	__u64 sk;		/* the socket (a pipe: its pipe_inode_info) */
	__u32 left;		/* bytes of data_max left for this queue */
	__u32 idx, bytes, flags, fd, family, protocol, cut;
	__u32 queue, phase;	/* SNAP_Q_*; SNAP_Q_SEND: 0 in tcp_rtx_queue, 1 in sk_write_queue */
	/* copy_buf: the buffer being copied, segment by segment (0: linear bytes,
	 * then each page fragment; a pipe buffer: its page) */
	__u64 data;		/* the linear bytes */
	__u64 frags;		/* the first skb_frag, or the pipe_buffer */
	__u64 segaddr;		/* the current segment's bytes */
	__u32 lin, nseg, seg, pipe;
	__u32 off, total;	/* bytes of the buffer done, in all */
	__u32 segoff, seglen;
	__u32 skipped, pad;
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
	__u64 xcache;		/* xlate_setup: the cache its walk is at */
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

#define SNAP_PAGE_SHIFT 12	/* x86_64 */
#define SNAP_PAGE_SIZE (1ull << SNAP_PAGE_SHIFT)
#define S_IFIFO 0010000
#define FMODE_READ 1

static __always_inline __u64 rd64(__u64 addr)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)addr);
	return v;
}

static __always_inline __u32 rd32(__u64 addr)
{
	__u32 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)addr);
	return v;
}

/* The struct page of direct-map address v, by the pair xl_p0, xl_v0. */
static __always_inline __u64 virt_page(__u64 v)
{
	__u64 sz = bpf_core_type_size(struct page);

	v &= ~(SNAP_PAGE_SIZE - 1);
	if (v >= xl_v0)
		return xl_p0 + ((v - xl_v0) >> SNAP_PAGE_SHIFT) * sz;
	return xl_p0 - ((xl_v0 - v) >> SNAP_PAGE_SHIFT) * sz;
}

/* The direct-map address of struct page p (0: p is no struct page of the array). */
static __always_inline __u64 page_virt(__u64 p)
{
	__u64 sz = bpf_core_type_size(struct page), d;

	if (!sz)
		return 0;
	if (p >= xl_p0) {
		d = p - xl_p0;
		return d % sz ? 0 : xl_v0 + ((d / sz) << SNAP_PAGE_SHIFT);
	}
	d = xl_p0 - p;
	return d % sz ? 0 : xl_v0 - ((d / sz) << SNAP_PAGE_SHIFT);
}

/*
 * The translation of a struct page's address to its kernel address (the
 * direct map), which page fragments and pipe buffers need: page_offset_base
 * and vmemmap_base are in no BTF, and kallsyms has them only with
 * CONFIG_KALLSYMS_ALL. Both maps are linear in the page frame number, so one
 * (struct page, address) pair gives every translation; SLUB gives one: a slab
 * (struct slab overlays its struct page) on a cache's node-0 partial list has a
 * free object at slab->freelist, and the slab's pages are aligned to their
 * size, so the slab starts at freelist rounded down to PAGE_SIZE << order
 * (kmem_cache.oo). The caches tried: the reader's own socket's (xlate_fd: user
 * space opens it), then those after it on the slab_caches list. Verified before
 * any use: the reader's socket, translated to its page, must be on a slab of
 * its own cache (the compound head's slab_cache), at an object boundary. Sets
 * cnt.xlate.
 */
__noinline int xlate_setup(struct scratch *s)
{
	struct task_struct *me = (void *)bpf_get_current_task();
	struct bpf_iter_num it;
	struct fdtable *fdt;
	struct file **fds, *f = NULL;
	struct socket *sock;
	struct sock *sk;
	__u64 cache, c, node, head, first, slab, fl, sc, pg, w, hd, v, objsz, pad;
	__u32 order, found = 0;

	if (!s)
		return 0;
	cnt.xlate = SNAP_XLATE_NO_SOCK;
	if (!xlate_fd)
		return 0;
	fdt = BPF_CORE_READ(me, files, fdt);
	fds = BPF_CORE_READ(fdt, fd);
	if (!fds || xlate_fd - 1 >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[xlate_fd - 1]);
	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return 0;
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	cache = (__u64)BPF_CORE_READ(sk, __sk_common.skc_prot, slab);
	if (!sk || !cache)
		return 0;
	cnt.xlate = SNAP_XLATE_NO_SLAB;
	s->xcache = cache;
	bpf_iter_num_new(&it, 0, 256);
	while (bpf_iter_num_next(&it)) {
		c = s->xcache;
		node = rd64(c + bpf_core_field_offset(struct kmem_cache, node));
		head = node + bpf_core_field_offset(struct kmem_cache_node, partial);
		first = node ? rd64(head) : 0;
		if (first && first != head) {
			slab = first - bpf_core_field_offset(struct slab, slab_list);
			fl = rd64(slab + bpf_core_field_offset(struct slab, freelist));
			sc = rd64(slab + bpf_core_field_offset(struct slab, slab_cache));
			order = (rd32(c + bpf_core_field_offset(struct kmem_cache, oo)) >> 16) & 15;
			if (fl && sc == c) {
				xl_p0 = slab;
				xl_v0 = fl & ~((SNAP_PAGE_SIZE << order) - 1);
				found = 1;
				break;
			}
		}
		/* the next cache on slab_caches (back at the start: none left) */
		c = rd64(c + bpf_core_field_offset(struct kmem_cache, list)) -
		    bpf_core_field_offset(struct kmem_cache, list);
		if (c == cache)
			break;
		s->xcache = c;
	}
	bpf_iter_num_destroy(&it);
	if (!found)
		return 0;
	/* the socket's own page, by the pair: its slab must be the socket's cache */
	pg = virt_page((__u64)sk);
	w = rd64(pg + bpf_core_field_offset(struct page, compound_head));
	hd = (w & 1) ? w - 1 : pg;
	sc = rd64(hd + bpf_core_field_offset(struct slab, slab_cache));
	objsz = rd32(cache + bpf_core_field_offset(struct kmem_cache, size));
	pad = rd32(cache + bpf_core_field_offset(struct kmem_cache, red_left_pad));
	v = page_virt(hd);
	if (sc != cache || !objsz || !v || (__u64)sk < v + pad || ((__u64)sk - v - pad) % objsz) {
		cnt.xlate = SNAP_XLATE_UNVERIFIED;
		return 0;
	}
	cnt.xlate = SNAP_XLATE_OK;
	return 0;
}

/* The translation for this pass, derived once (cnt.xlate is reset per pass). */
static __always_inline int xlate_ready(struct scratch *s)
{
	if (cnt.xlate == SNAP_XLATE_UNTRIED)
		xlate_setup(s);
	return cnt.xlate == SNAP_XLATE_OK;
}

/*
 * The next segment of the buffer copy_buf copies into s->q.segaddr, seglen
 * (never past the buffer's end): the linear bytes, then a page fragment (an
 * skb_frag: netmem or bio_vec in older kernels) or a pipe buffer's page. Bytes
 * of a page without a translation, or of a fragment that is no page (netmem:
 * a net_iov), are skipped, counted.
 */
__noinline int load_seg(struct scratch *s)
{
	__u64 fr, page = 0, fsz;
	__u32 len = 0, off = 0, seg, rest;

	if (!s)
		return 0;
	seg = s->q.seg;
	s->q.seg = seg + 1;
	s->q.segoff = 0;
	rest = s->q.total > s->q.off ? s->q.total - s->q.off : 0;
	if (seg == 0) {
		s->q.segaddr = s->q.data;
		s->q.seglen = s->q.lin < rest ? s->q.lin : rest;
		return 0;
	}
	if (s->q.pipe) {
		fr = s->q.frags;
		page = rd64(fr + bpf_core_field_offset(struct pipe_buffer, page));
		off = rd32(fr + bpf_core_field_offset(struct pipe_buffer, offset));
		len = rd32(fr + bpf_core_field_offset(struct pipe_buffer, len));
	} else if (bpf_core_field_exists(struct skb_frag___netmem, netmem)) {
		fsz = bpf_core_type_size(struct skb_frag___netmem);
		fr = s->q.frags + (seg - 1) * fsz;
		page = rd64(fr + bpf_core_field_offset(struct skb_frag___netmem, netmem));
		off = rd32(fr + bpf_core_field_offset(struct skb_frag___netmem, offset));
		len = rd32(fr + bpf_core_field_offset(struct skb_frag___netmem, len));
		if (page & 1)
			page = 0;	/* a net_iov, no page */
	} else {
		fsz = bpf_core_type_size(struct bio_vec);
		fr = s->q.frags + (seg - 1) * fsz;
		page = rd64(fr + bpf_core_field_offset(struct bio_vec, bv_page));
		off = rd32(fr + bpf_core_field_offset(struct bio_vec, bv_offset));
		len = rd32(fr + bpf_core_field_offset(struct bio_vec, bv_len));
	}
	if (len > rest)
		len = rest;
	s->q.seglen = len;
	s->q.segaddr = 0;
	if (page && xlate_ready(s))
		s->q.segaddr = page_virt(page);
	if (s->q.segaddr) {
		s->q.segaddr += off;
	} else {
		s->q.skipped += len;
		s->q.off += len;
		s->q.segoff = len;
	}
	return 0;
}

/*
 * The bytes of the buffer set up in s->q (data, lin, frags, nseg, total), in
 * pieces of up to SNAP_QDATA_CHUNK while data_max lasts, the record at s->buf
 * filled but for off and len.
 */
__noinline int copy_buf(struct scratch *s)
{
	struct bpf_iter_num it;
	struct snap_qdata *r;
	__u32 off, n;

	if (!s)
		return 0;
	r = (void *)s->buf;
	s->q.off = 0;
	s->q.seg = 0;
	s->q.segoff = 0;
	s->q.seglen = 0;
	/* the loop's state in the scratch map: the verifier sees one state per
	 * round, not one per value of off */
	bpf_iter_num_new(&it, 0, SNAP_DATA_MAX_LIMIT / SNAP_QDATA_CHUNK + 64);
	while (bpf_iter_num_next(&it)) {
		if (s->q.off >= s->q.total)
			break;
		if (s->q.segoff >= s->q.seglen && s->q.left) {
			if (s->q.seg > s->q.nseg) {
				/* more than the segments hold (frag_list): not read */
				s->q.skipped += s->q.total - s->q.off;
				break;
			}
			load_seg(s);
			continue;
		}
		off = s->q.off;
		n = s->q.seglen > s->q.segoff ? s->q.seglen - s->q.segoff : 0;
		if (n > s->q.left)
			n = s->q.left;
		n = bound_chunk(n);
		r->off = off;
		r->len = n;
		if (n && bpf_probe_read_kernel(s->buf + SNAP_QDATA_OFF, n,
					       (void *)s->q.segaddr + s->q.segoff)) {
			/* unreadable: counted, not sent as zeros */
			s->q.skipped += n;
			r->len = 0;
		}
		r->h.len = SNAP_QDATA_OFF + r->len;
		r->skipped = s->q.skipped;
		s->q.left -= n;
		s->q.off = off + n;
		s->q.segoff += n;
		/* data_max ran out with bytes of this buffer left (none copied
		 * when it ran out exactly at the end of the one before) */
		if (!s->q.left && s->q.off < s->q.total) {
			r->flags |= SNAP_QDATA_CUT;
			s->q.cut = 1;
		}
		emit(s, r, SNAP_QDATA_OFF + bound_chunk(r->len));
		if (s->q.cut)
			break;
	}
	bpf_iter_num_destroy(&it);
	if (s->q.skipped) {
		/* what was not read, said after the last piece */
		r->off = s->q.off;
		r->len = 0;
		r->skipped = s->q.skipped;
		r->h.len = SNAP_QDATA_OFF;
		emit(s, r, SNAP_QDATA_OFF);
	}
	return 0;
}

/* A number that changes when the queue s->q walks loses bytes (read,
 * acknowledged) or moves buffers between its lists. */
static __always_inline __u64 queue_gen(struct scratch *s)
{
	struct tcp_sock *tp = (void *)s->q.sk;

	if (s->q.queue == SNAP_Q_SEND)
		return BPF_CORE_READ(tp, snd_una) | (__u64)BPF_CORE_READ(tp, snd_nxt) << 32;
	if (s->q.protocol == IPPROTO_TCP)
		return BPF_CORE_READ(tp, copied_seq);
	return rd64(s->q.head);	/* the first buffer: datagrams leave from the front */
}

/* Say the buffer in s->buf changed while it was copied: its pieces are void. */
static __always_inline void emit_torn(struct scratch *s)
{
	struct snap_qdata *r = (void *)s->buf;

	r->off = s->q.off;
	r->len = 0;
	r->flags = SNAP_QDATA_TORN;
	r->h.len = SNAP_QDATA_OFF;
	emit(s, r, SNAP_QDATA_OFF);
}

/*
 * One buffer (skb) of the queue s->q walks: its source (datagrams), then its
 * bytes, linear and in page fragments (copy_buf). A buffer whose bytes may
 * have changed during the copy (the queue's generation or the skb's length or
 * data moved) is followed by a SNAP_QDATA_TORN record.
 */
__noinline int emit_skb(struct scratch *s, __u64 skb_addr)
{
	struct sk_buff *skb = (void *)skb_addr;
	struct snap_qdata *r;
	unsigned char *data, *head;
	__u32 len, dlen, lin, n, end;
	__u64 gen;
	__u16 nh, th;

	if (!s || !skb)
		return 0;
	gen = queue_gen(s);
	r = (void *)s->buf;
	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_QDATA;
	r->fd = s->q.fd;
	r->queue = s->q.queue;
	r->index = s->q.idx;
	len = BPF_CORE_READ(skb, len);
	dlen = BPF_CORE_READ(skb, data_len);
	lin = len > dlen ? len - dlen : 0;
	data = BPF_CORE_READ(skb, data);
	head = BPF_CORE_READ(skb, head);
	end = BPF_CORE_READ(skb, end);	/* an offset from head on 64-bit */
	r->total = len;
	r->paged = len - lin;
	s->q.bytes += len;
	if (s->q.queue != SNAP_Q_RECV) {
		/* no source */
	} else if (s->q.protocol == 17 && (s->q.family == AF_INET || s->q.family == AF_INET6)) {
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
	s->q.total = len;
	s->q.lin = lin;
	s->q.data = (__u64)data;
	s->q.pipe = 0;
	s->q.skipped = 0;
	s->q.frags = (__u64)head + end + bpf_core_field_offset(struct skb_shared_info, frags);
	s->q.nseg = 0;
	if (r->paged) {
		__u8 nf = 0;

		bpf_probe_read_kernel(&nf, 1, head + end +
				      bpf_core_field_offset(struct skb_shared_info, nr_frags));
		s->q.nseg = nf;
	}
	copy_buf(s);
	if (queue_gen(s) != gen || BPF_CORE_READ(skb, len) != len ||
	    (__u64)BPF_CORE_READ(skb, data) != (__u64)data)
		emit_torn(s);
	return 0;
}

/* The leftmost node under rb-tree node n, up to 64 levels (0: none). */
static __always_inline __u64 rb_leftmost(__u64 n)
{
	__u64 l;
	int i;

	for (i = 0; i < 64 && n; i++) {
		l = rd64(n + bpf_core_field_offset(struct rb_node, rb_left));
		if (!l)
			break;
		n = l;
	}
	return n;
}

/* s->q.skb: the skb after it in tcp_rtx_queue's order (0: none), walking the
 * rb-tree through its parent pointers (__rb_parent_color & ~3). */
__noinline int rtx_next(struct scratch *s)
{
	__u64 n, p, r, off = bpf_core_field_offset(struct sk_buff, rbnode);
	int i;

	if (!s)
		return 0;
	n = s->q.skb + off;
	r = rd64(n + bpf_core_field_offset(struct rb_node, rb_right));
	if (r) {
		s->q.skb = rb_leftmost(r) - off;
		return 0;
	}
	s->q.skb = 0;
	for (i = 0; i < 64; i++) {
		p = rd64(n + bpf_core_field_offset(struct rb_node, __rb_parent_color)) & ~3ull;
		if (!p)
			return 0;
		if (rd64(p + bpf_core_field_offset(struct rb_node, rb_right)) != n) {
			s->q.skb = p - off;
			return 0;
		}
		n = p;
	}
	return 0;
}

/* A queue's summary record: its buffers, bytes, and whether the walk was cut. */
static __always_inline void emit_queue_end(struct scratch *s, __u32 fd, __u32 queue)
{
	struct snap_qdata *r = (void *)s->buf;

	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_QDATA;
	r->h.len = sizeof(*r);
	r->fd = fd;
	r->queue = queue;
	r->flags = SNAP_QDATA_END | s->q.flags | (s->q.cut ? SNAP_QDATA_CUT : 0);
	r->index = s->q.idx;
	r->total = s->q.bytes;
	emit(s, r, sizeof(*r));
}

/*
 * A socket's queue, buffer by buffer, then its summary record: SNAP_Q_RECV the
 * receive queue; SNAP_Q_SEND (TCP) the bytes not acknowledged in sequence
 * order: tcp_rtx_queue (sent) in order, then sk_write_queue (not sent yet).
 */
__noinline int emit_queue(struct scratch *s, __u64 sk_addr, __u32 fd, __u32 queue)
{
	struct sock *sk = (void *)sk_addr;
	struct bpf_iter_num it;
	__u64 next, root;

	if (!s || !sk)
		return 0;
	s->q.sk = sk_addr;
	s->q.queue = queue;
	if (queue == SNAP_Q_SEND) {
		s->q.phase = 0;
		s->q.head = 0;
		root = rd64(sk_addr + bpf_core_field_offset(struct sock, tcp_rtx_queue));
		s->q.skb = root ? rb_leftmost(root) - bpf_core_field_offset(struct sk_buff, rbnode) : 0;
	} else {
		s->q.phase = 1;
		s->q.head = sk_addr + bpf_core_field_offset(struct sock, sk_receive_queue);
		s->q.skb = (__u64)BPF_CORE_READ(sk, sk_receive_queue.next);
	}
	s->q.left = data_max;
	s->q.idx = 0;
	s->q.bytes = 0;
	s->q.cut = 0;
	s->q.fd = fd;
	s->q.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	s->q.protocol = BPF_CORE_READ(sk, sk_protocol);
	s->q.flags = SNAP_QDATA_WALK_CUT;
	bpf_iter_num_new(&it, 0, SNAP_QDATA_MAX_BUFS + 1);
	while (bpf_iter_num_next(&it)) {
		if (!s->q.skb || s->q.skb == s->q.head) {
			if (s->q.phase) {
				s->q.flags = 0;
				break;
			}
			/* the retransmit queue done: the write queue */
			s->q.phase = 1;
			s->q.head = sk_addr + bpf_core_field_offset(struct sock, sk_write_queue);
			s->q.skb = (__u64)BPF_CORE_READ(sk, sk_write_queue.next);
			continue;
		}
		if (s->q.idx >= SNAP_QDATA_MAX_BUFS)
			break;
		emit_skb(s, s->q.skb);
		if (s->q.phase) {
			next = rd64(s->q.skb + bpf_core_field_offset(struct sk_buff, next));
			s->q.skb = next;
		} else {
			rtx_next(s);
		}
		s->q.idx++;
	}
	bpf_iter_num_destroy(&it);
	emit_queue_end(s, fd, queue);
	return 0;
}

/*
 * One buffer of the pipe s->q walks (index s->q.skb): its page's bytes. A
 * buffer read meanwhile (the pipe's tail past it, or its offset or page moved)
 * is followed by a SNAP_QDATA_TORN record.
 */
__noinline int emit_pipe_buf(struct scratch *s, __u64 buf)
{
	struct pipe_inode_info *p;
	struct snap_qdata *r;
	__u64 page;
	__u32 off, len, i;

	if (!s || !buf)
		return 0;
	p = (void *)s->q.sk;
	i = s->q.skb;
	r = (void *)s->buf;
	__builtin_memset(r, 0, sizeof(*r));
	r->h.type = SNAP_REC_QDATA;
	r->fd = s->q.fd;
	r->queue = SNAP_Q_PIPE;
	r->index = s->q.idx;
	page = rd64(buf + bpf_core_field_offset(struct pipe_buffer, page));
	off = rd32(buf + bpf_core_field_offset(struct pipe_buffer, offset));
	len = rd32(buf + bpf_core_field_offset(struct pipe_buffer, len));
	r->total = len;
	r->paged = len;
	s->q.bytes += len;
	if (s->q.cut)
		return 0;
	s->q.total = len;
	s->q.lin = 0;
	s->q.data = 0;
	s->q.pipe = 1;
	s->q.skipped = 0;
	s->q.frags = buf;
	s->q.nseg = 1;
	copy_buf(s);
	if ((int)(BPF_CORE_READ(p, tail) - i) > 0 ||
	    rd64(buf + bpf_core_field_offset(struct pipe_buffer, page)) != page ||
	    rd32(buf + bpf_core_field_offset(struct pipe_buffer, offset)) != off)
		emit_torn(s);
	return 0;
}

/* The bytes in the buffers of a pipe or FIFO (file f, open for reading), from
 * its tail (read next) to its head, then the summary record. */
__noinline int emit_pipe(struct scratch *s, __u64 file_addr, __u32 fd)
{
	struct pipe_inode_info *p;
	struct bpf_iter_num it;
	__u64 bufs, bsz = bpf_core_type_size(struct pipe_buffer);
	__u32 head, tail, ring;

	if (!s || !file_addr)
		return 0;
	p = BPF_CORE_READ((struct file *)file_addr, private_data);
	if (!p)
		return 0;
	head = BPF_CORE_READ(p, head);
	tail = BPF_CORE_READ(p, tail);
	ring = BPF_CORE_READ(p, ring_size);
	bufs = (__u64)BPF_CORE_READ(p, bufs);
	s->q.sk = (__u64)p;
	s->q.queue = SNAP_Q_PIPE;
	s->q.skb = tail;
	s->q.head = head;
	s->q.left = data_max;
	s->q.idx = 0;
	s->q.bytes = 0;
	s->q.cut = 0;
	s->q.fd = fd;
	s->q.family = 0;
	s->q.protocol = 0;
	s->q.flags = SNAP_QDATA_WALK_CUT;
	bpf_iter_num_new(&it, 0, SNAP_QDATA_MAX_BUFS + 1);
	while (bpf_iter_num_next(&it)) {
		if ((__u32)s->q.skb == (__u32)s->q.head || !ring || !bufs ||
		    s->q.idx >= ring) {
			s->q.flags = 0;
			break;
		}
		if (s->q.idx >= SNAP_QDATA_MAX_BUFS)
			break;
		emit_pipe_buf(s, bufs + ((__u32)s->q.skb & (ring - 1)) * bsz);
		s->q.skb = (__u32)(s->q.skb + 1);
		s->q.idx++;
	}
	bpf_iter_num_destroy(&it);
	emit_queue_end(s, fd, SNAP_Q_PIPE);
	return 0;
}

__noinline int emit_sock(struct scratch *s, __u64 file_addr, __u32 fd, __u32 ino)
{
	struct snap_sock *r;
	struct sock *sk;
	__u32 tcp;

	if (!s || !file_addr)
		return 0;
	r = (void *)s->buf;
	sk = sock_fields(r, (struct file *)file_addr, fd, ino);
	tcp = r->tcp_state;
	emit(s, r, sizeof(*r));
	/* s->buf is the queues' records' from here */
	if (data_max && sk) {
		emit_queue(s, (__u64)sk, fd, SNAP_Q_RECV);
		if (tcp)
			emit_queue(s, (__u64)sk, fd, SNAP_Q_SEND);
	}
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
	else if (data_max && (r->i_mode & S_IFMT) == S_IFIFO && (r->f_mode & FMODE_READ))
		emit_pipe(s, file_addr, fd);
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
