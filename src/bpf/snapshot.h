/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Records of the snapshot program (src/bpf/snapshot.bpf.c), read by
 * src/lib/snapshot.c. Each starts with struct snap_hdr; len counts the whole
 * record, header and variable tail included. Fixed-width integer types only.
 * A ring buffer record is a batch of them, each at an 8-byte aligned offset.
 */
#ifndef BPFDUMP_SNAPSHOT_RECORDS_H
#define BPFDUMP_SNAPSHOT_RECORDS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define SNAP_COMM_LEN 16
#define SNAP_MAX_GROUPS 256	/* supplementary groups carried (ngroups says how many exist) */
#define SNAP_NAME_MAX 256	/* one dentry / cgroup name with its NUL */
#define SNAP_PATH_MAX 4096	/* bytes of walked names a record carries */
#define SNAP_DWALK_DEPTH 48	/* dentry and mount levels walked upward */
#define SNAP_MAX_CGROUP_DEPTH 64
#define SNAP_MAX_FDS (1 << 20)	/* fs.nr_open's ceiling: the fd loop's bound */
#define SNAP_NR_RLIMITS 16
#define SNAP_NR_RSS 4		/* MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES */
#define SNAP_UNIX_PATH 108
#define SNAP_SCRATCH 8192	/* per-CPU buffer a record is built in */
#define SNAP_BATCH 8192		/* records go to the ring buffer in batches of up to this */
#define SNAP_TAIL_OFF 72	/* where a vma's or file's walked names start */

/* record types */
#define SNAP_REC_TASK 1
#define SNAP_REC_THREAD 2
#define SNAP_REC_CREDS 3
#define SNAP_REC_MM 4
#define SNAP_REC_VMA 5
#define SNAP_REC_FILE 6
#define SNAP_REC_SOCK 7
#define SNAP_REC_CGROUP 8
#define SNAP_REC_NS 9
#define SNAP_REC_LIMITS 10
#define SNAP_REC_QDATA 11
#define SNAP_REC_MAX SNAP_REC_QDATA

/* sections (bits of snap_cfg.sections and of snap_task.present) */
#define SNAP_SEC_TASK (1u << 0)
#define SNAP_SEC_CREDS (1u << 1)
#define SNAP_SEC_MEMORY (1u << 2)
#define SNAP_SEC_FILES (1u << 3)
#define SNAP_SEC_SOCKETS (1u << 4)
#define SNAP_SEC_CGROUPS (1u << 5)
#define SNAP_SEC_NAMESPACES (1u << 6)
#define SNAP_SEC_LIMITS (1u << 7)
#define SNAP_SEC_ALL 0xffu

/* path_flags of a walked path */
#define SNAP_PATH_DELETED (1u << 0)	/* the inode has no links left */
#define SNAP_PATH_CUT (1u << 1)		/* more levels than SNAP_DWALK_DEPTH, or names overflowed */
#define SNAP_PATH_PSEUDO (1u << 2)	/* ended at a dentry that is its own parent, not a mount root */

/* vma kinds */
#define SNAP_VMA_ANON 0
#define SNAP_VMA_FILE 1
#define SNAP_VMA_HEAP 2
#define SNAP_VMA_STACK 3
#define SNAP_VMA_VDSO 4
#define SNAP_VMA_SPECIAL 5	/* a named special mapping ([vvar], [uprobes]...): name in tail */
#define SNAP_VMA_ANON_NAMED 6	/* prctl(PR_SET_VMA_ANON_NAME): name in tail */

/*
 * The kernel functions the program calls (the open-coded iterators). libbpf 1.1
 * resolves __ksym externs, and the attach target of any tracing program, in the
 * kernel's BTF, which it parses on every load (25-70 ms here, most of a
 * snapshot). So the program calls them as "helpers" SNAP_KFUNC_BASE + n, and
 * src/lib/snapshot.c turns each such call into a kfunc call (src_reg
 * BPF_PSEUDO_KFUNC_CALL, imm the function's BTF id) just before the load, with
 * ids from the build (the kernel the library was built on) or from BTF.
 */
#define SNAP_KFUNC_BASE 0x7ff00000
#define SNAP_KF_ITER_TASK_VMA_NEW 0
#define SNAP_KF_ITER_TASK_VMA_NEXT 1
#define SNAP_KF_ITER_TASK_VMA_DESTROY 2
#define SNAP_KF_ITER_TASK_NEW 3
#define SNAP_KF_ITER_TASK_NEXT 4
#define SNAP_KF_ITER_TASK_DESTROY 5
#define SNAP_KF_ITER_NUM_NEW 6
#define SNAP_KF_ITER_NUM_NEXT 7
#define SNAP_KF_ITER_NUM_DESTROY 8
#define SNAP_KF_RDONLY_CAST 9
#define SNAP_NR_KFUNCS 10
#define SNAP_KFUNC_NAMES { \
	"bpf_iter_task_vma_new", "bpf_iter_task_vma_next", "bpf_iter_task_vma_destroy", \
	"bpf_iter_task_new", "bpf_iter_task_next", "bpf_iter_task_destroy", \
	"bpf_iter_num_new", "bpf_iter_num_next", "bpf_iter_num_destroy", \
	"bpf_rdonly_cast", \
}
/*
 * The kernel structs the program reads through bpf_rdonly_cast(): an address
 * becomes a (read-only, untrusted) typed pointer, whose fields are then plain
 * loads the JIT guards, not a bpf_probe_read_kernel() call each. The cast needs
 * the struct's id in the kernel's BTF: user space sets them (.rodata cast_ids).
 */
#define SNAP_CAST_FILE 0
#define SNAP_CAST_VMA 1
#define SNAP_CAST_MOUNT 2
#define SNAP_CAST_DENTRY 3
#define SNAP_CAST_INODE 4
#define SNAP_NR_CASTS 5
#define SNAP_CAST_NAMES { "file", "vm_area_struct", "mount", "dentry", "inode" }
/*
 * A backing file (the file overlayfs, or FUSE passthrough, maps for the file a
 * user opened: f_mode has FMODE_BACKING, and the struct file sits at the start
 * of a struct backing_file whose user_path is the user's file) is shown in
 * /proc/PID/maps as the user's file: its path, device and inode
 * (file_user_path(), file_user_inode(), Linux 6.8 and later). FMODE_BACKING is
 * a #define, in no BTF: bit 25 until 6.13, bit 24 from 6.14; both are tried,
 * and user_path is taken only when it is a path (a dentry and a mount of one
 * superblock). User space sets the programs' backing_mode (0: the kernel has
 * no backing_file.user_path) and user_path_off from the kernel's BTF.
 */
#define SNAP_FMODE_BACKING_BITS ((1u << 24) | (1u << 25))
/* the iterator target the program attaches to (a FUNC in the kernel's BTF) */
#define SNAP_ATTACH_FUNC "bpf_iter_task"
/* the program's ELF section: a handler of ours, not libbpf's "iter/task" */
#define SNAP_PROG_SEC "bpfdump_snapshot"

struct snap_hdr {
	__u32 type;
	__u32 len;
};

struct snap_task {
	struct snap_hdr h;
	__u32 pid;		/* this task's id (a thread id with --all-threads) */
	__u32 tgid;
	__u32 ppid;		/* real_parent's tgid */
	__u32 state;		/* __state */
	__u32 exit_state;
	__u32 flags;		/* PF_* */
	__u32 cpu;
	__u32 nr_threads;
	__s32 prio;
	__s32 nice;
	__u32 present;		/* SNAP_SEC_* the kernel has for this task */
	__u32 leader;		/* 1: the record of the whole process, 0: a thread's */
	__u64 start_boottime;	/* ns since boot, suspend included */
	__u64 utime;		/* ns */
	__u64 stime;
	char comm[SNAP_COMM_LEN];
};

struct snap_thread {
	struct snap_hdr h;
	__u32 tid;
	__u32 state;
	__u32 exit_state;
	__u32 cpu;
	char comm[SNAP_COMM_LEN];
};

struct snap_creds {
	struct snap_hdr h;
	__u32 tid;
	__u32 uid, gid, suid, sgid, euid, egid, fsuid, fsgid;
	__u32 no_new_privs;
	__u32 seccomp_mode;
	__u32 seccomp_filters;
	__u32 ngroups;		/* all of them; groups[] holds the first SNAP_MAX_GROUPS */
	__u32 pad;
	__u64 cap_inheritable, cap_permitted, cap_effective, cap_bset, cap_ambient;
	__u32 groups[SNAP_MAX_GROUPS];
};

struct snap_mm {
	struct snap_hdr h;
	__u64 total_vm, locked_vm, pinned_vm, data_vm, exec_vm, stack_vm; /* pages */
	__u64 hiwater_rss, hiwater_vm;
	__s64 rss[SNAP_NR_RSS];	/* pages, summed over CPUs as /proc/PID/status does */
	__u64 start_code, end_code, start_data, end_data;
	__u64 start_brk, brk, start_stack, arg_start, arg_end, env_start, env_end;
	__u32 map_count;
	__u32 rss_exact;	/* 1: per-CPU deltas included */
};

struct snap_vma {
	struct snap_hdr h;
	__u64 start, end, flags, pgoff, ino;
	__u32 dev;		/* kernel dev_t: major << 20 | minor */
	__u32 kind;		/* SNAP_VMA_* */
	__u32 path_len;		/* bytes of tail: names leaf first, each NUL-terminated */
	__u32 path_flags;
	__u64 pad;
	/* char tail[path_len], at SNAP_TAIL_OFF */
};

struct snap_file {
	struct snap_hdr h;
	__u32 fd;
	__u32 f_flags;
	__u32 f_mode;
	__u32 i_mode;
	__u64 pos;
	__u64 ino;
	__u64 magic;		/* the superblock's s_magic: pipefs, sockfs, anon_inodefs... */
	__u32 dev;
	__u32 rdev;
	__u32 cloexec;
	__u32 mnt_id;
	__u32 path_len;		/* tail as in snap_vma */
	__u32 path_flags;
};

struct snap_sock {
	struct snap_hdr h;
	__u32 fd;
	__u32 ino;
	__u16 family;
	__u16 type;
	__u16 protocol;
	__u16 state;		/* sk_state (TCP_* numbering, also for unix) */
	__u8 laddr[16];		/* IPv4 in the first 4 bytes */
	__u8 raddr[16];
	__u16 lport;		/* host order */
	__u16 rport;
	__u32 ack_backlog;
	__u32 max_ack_backlog;
	__u32 rmem_alloc;
	__u32 wmem_alloc;
	__u32 wmem_queued;
	__u32 rcv_nxt, copied_seq, write_seq, snd_una; /* TCP */
	__u32 rq_len;		/* sk_receive_queue.qlen */
	__u32 peer_ino;		/* unix: the peer socket's inode */
	__u32 unix_path_len;	/* bytes of sun_path (abstract: leading NUL) */
	__u32 pad;
	char unix_path[SNAP_UNIX_PATH];
	__u32 pad2;
	/* TCP state for checkpointing (tcp_state set: the fields below were read) */
	__u32 snd_nxt;
	__u32 snd_wnd, rcv_wnd, window_clamp;
	__u32 mss_cache;	/* the MSS in use (TCP_INFO's tcpi_snd_mss) */
	__u32 total_retrans;
	__u8 snd_wscale, rcv_wscale;	/* rx_opt: window scales as negotiated */
	__u8 tstamp_ok, sack_ok;	/* rx_opt: timestamps, SACK (sack_ok: TCP_SACK_* bits) */
	__u8 retransmits;	/* icsk_retransmits: unanswered retransmits of the timer */
	__u8 ca_state;		/* icsk_ca_state: TCP_CA_Open, Disorder, CWR, Recovery, Loss */
	__u8 tcp_state;		/* 1: the TCP fields were read from the socket */
	__u8 pad3;
};

/*
 * Queued data (--data): one record per piece of a queued buffer (a socket's
 * skb, a pipe's pipe_buffer), at most SNAP_QDATA_CHUNK bytes each, data at
 * SNAP_QDATA_OFF; a buffer bigger than that comes in pieces with the same index
 * and growing off. After the last buffer of a queue (or where the data_max
 * bytes of the queue ran out) a record with SNAP_QDATA_END: index = buffers in
 * the queue, total = their bytes.
 */
#define SNAP_QDATA_OFF 160
#define SNAP_QDATA_CHUNK 4096
#define SNAP_QDATA_MAX_BUFS 4096	/* buffers walked per queue */
#define SNAP_DATA_MAX_LIMIT (64u << 20)	/* data_max's ceiling: pieces a buffer has */
#define SNAP_Q_RECV 1			/* sk_receive_queue */
#define SNAP_Q_SEND 2			/* TCP: tcp_rtx_queue (sent, not acknowledged), then sk_write_queue */
#define SNAP_Q_PIPE 3			/* a pipe's or FIFO's buffers, from the reader's end */
/* flags */
#define SNAP_QDATA_END (1u << 0)	/* the queue's summary record */
#define SNAP_QDATA_CUT (1u << 1)	/* data_max ran out in this buffer (or before it) */
#define SNAP_QDATA_WALK_CUT (1u << 2)	/* END: more than SNAP_QDATA_MAX_BUFS buffers */
#define SNAP_QDATA_TORN (1u << 3)	/* the buffer changed while it was copied: drop its pieces */
/*
 * What the translation of a struct page to its kernel address (the direct
 * map) came to in a pass (snap_counters.xlate): needed for the bytes in page
 * fragments and pipe buffers.
 */
#define SNAP_XLATE_UNTRIED 0	/* no page met */
#define SNAP_XLATE_OK 1		/* derived and verified: page bytes are copied */
#define SNAP_XLATE_NO_SOCK 2	/* the reader's own socket (xlate_fd) was not found */
#define SNAP_XLATE_NO_SLAB 3	/* no slab with a free object in the caches walked */
#define SNAP_XLATE_UNVERIFIED 4	/* the derived translation did not lead back to the socket's slab */

struct snap_qdata {
	struct snap_hdr h;
	__u32 fd;
	__u16 queue;		/* SNAP_Q_* */
	__u16 flags;
	__u32 index;		/* the buffer's place in the queue, from 0 */
	__u32 total;		/* the buffer's bytes (skb->len) */
	__u32 off;		/* where in the buffer this piece starts */
	__u32 len;		/* bytes of data here */
	__u32 paged;		/* the buffer's bytes in pages (skb fragments, a pipe buffer) */
	__u16 src_family;	/* the datagram's source: AF_INET(6) with port, AF_UNIX path */
	__u16 src_port;
	__u32 src_len;
	__u32 skipped;		/* bytes of the buffer not read (pages without a translation, frag_list) */
	__u8 src[SNAP_UNIX_PATH];	/* IPv4 in the first 4 bytes */
	__u32 pad2;
	/* __u8 data[len] at SNAP_QDATA_OFF */
};

struct snap_cgroup {
	struct snap_hdr h;
	__u32 level;
	__u32 pad;
	__u64 id;		/* kernfs id = the cgroup2 directory's inode */
	char name[SNAP_NAME_MAX];
};

struct snap_ns {
	struct snap_hdr h;
	__u32 mnt, uts, ipc, pid, pid_for_children, net, user, cgroup, time, time_for_children;
};

struct snap_limits {
	struct snap_hdr h;
	__u64 rlim[SNAP_NR_RLIMITS * 2];	/* soft, hard pairs (RLIMIT_* order) */
};

/* What the program counts while it runs (its .bss), read after the pass. */
struct snap_counters {
	__u64 lost;		/* records the ring buffer had no room for */
	__u64 lost_bytes;
	__u64 records;
	__u64 bytes;
	__s32 vma_err;		/* bpf_iter_task_vma_new's error (mmap lock busy: -EBUSY) */
	__u32 fd_max;		/* the fd table's max_fds */
	__u32 fd_cut;		/* max_fds above SNAP_MAX_FDS */
	__u32 calls;		/* times the program ran (threads seen) */
	__u32 xlate;		/* SNAP_XLATE_*: struct page to kernel address */
	__u32 pad;
};

_Static_assert(sizeof(struct snap_task) == 96, "snap_task layout");
_Static_assert(sizeof(struct snap_thread) == 40, "snap_thread layout");
_Static_assert(sizeof(struct snap_creds) == 104 + 4 * SNAP_MAX_GROUPS, "snap_creds layout");
_Static_assert(sizeof(struct snap_mm) == 200, "snap_mm layout");
_Static_assert(sizeof(struct snap_vma) == SNAP_TAIL_OFF, "snap_vma layout");
_Static_assert(sizeof(struct snap_file) == SNAP_TAIL_OFF, "snap_file layout");
_Static_assert(sizeof(struct snap_sock) == 256, "snap_sock layout");
_Static_assert(sizeof(struct snap_cgroup) == 280, "snap_cgroup layout");
_Static_assert(sizeof(struct snap_qdata) == SNAP_QDATA_OFF, "snap_qdata layout");
_Static_assert(SNAP_QDATA_OFF + SNAP_QDATA_CHUNK <= SNAP_SCRATCH, "a qdata record fits");
_Static_assert(sizeof(struct snap_ns) == 48, "snap_ns layout");
_Static_assert(sizeof(struct snap_limits) == 264, "snap_limits layout");
_Static_assert(sizeof(struct snap_counters) == 56, "snap_counters layout");

#endif
