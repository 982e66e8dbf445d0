/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Access plans: columns and predicates resolved against BTF (plan.c), presets
 * (targets.c), and the code generated from a plan (codegen.c). */
#ifndef BPFDUMP_PLAN_H
#define BPFDUMP_PLAN_H

#include "btf.h"
#include "query.h"

/* What a column shows, beyond what its BTF type says. */
enum bd_fmt {
	BD_FMT_AUTO = 0,	/* by BTF type */
	BD_FMT_HEX,		/* hex(x) */
	BD_FMT_IP,		/* ip(x): __be32 or in6_addr */
	BD_FMT_PATH,		/* struct path via bpf_d_path */
	BD_FMT_CSTR,		/* string behind a char * */
	BD_FMT_TASKSTATE,	/* taskstate(task): one letter like /proc */
	BD_FMT_VMFLAGS,		/* vmflags(vma->vm_flags): rwxp / rwxs */
	BD_FMT_TCPSTATE,	/* tcpstate(x): LISTEN, ESTAB, ... like ss */
	BD_FMT_SOCKADDR,	/* laddr(sk) / raddr(sk): family, v4, v6 */
	BD_FMT_FAMILY,		/* family(x): inet, inet6, unix, ... */
	BD_FMT_MAPDATA,		/* map key/value bytes, decoded by map BTF */
	BD_FMT_SUNPATH,		/* sunpath(unix_sk): the bound path, @name if abstract */
	BD_FMT_USTR,		/* ustr(x): string behind a char * into user memory */
	BD_FMT_NSPID,		/* nspid(task)/nstgid(task): level, number at the --pidns level */
	BD_FMT_SOCKTYPE,	/* socktype(sk): u_str, u_dgr, u_seq like ss; stream, dgram */
	BD_FMT_FILEOFF,		/* fileoff(vma): the file offset in bytes like /proc/PID/maps */
	BD_FMT_CNT,
};

enum bd_root_kind {
	BD_ROOT_PTR,		/* ctx member holding a kernel object pointer */
	BD_ROOT_SCALAR,		/* ctx member holding a number (fd, uid, bucket) */
	BD_ROOT_BUF,		/* ctx member pointing to map key/value bytes */
};

enum bd_fetch {
	BD_FETCH_SCALAR,	/* 1/2/4/8 bytes */
	BD_FETCH_BYTES,		/* any size, bpf_probe_read_kernel */
	BD_FETCH_BITFIELD,	/* containing bytes, then shift and mask */
	BD_FETCH_CSTR,		/* pointer value, then bpf_probe_read_kernel_str */
	BD_FETCH_DPATH,		/* address of a struct path, then bpf_d_path */
	BD_FETCH_DWALK,		/* struct path behind an untrusted pointer: walk the
				 * dentries and mounts up, one name per level */
};

/* How to get one value's bytes into the record: an access plan. */
struct bd_access {
	enum bd_root_kind root;
	__u32 ctx_off;
	__u32 ctx_size;
	bool root_nullable;	/* ctx member may be NULL when the object is there */
	int probe_from;		/* derefs from this index on (and the final read
				 * when deref_cnt >= it) use bpf_probe_read_kernel */
	int deref_cnt;
	__u32 deref_off[BD_MAX_DEREFS]; /* add this, then load a pointer */
	__u32 off;		/* final offset from the last base */
	__u32 size;		/* bytes fetched */
	__u32 bit_off;		/* bitfield: bit offset within the fetched bytes */
	__u32 bit_size;		/* bitfield: width; 0 when not a bitfield */
	enum bd_fetch fetch;
	const struct btf *btf;	/* type of the value */
	__u32 type_id;		/* as declared (typedefs kept: __be16 means network order) */
	__u32 slot_off;		/* where it lands in the buffer */
	__u32 slot_size;
	int path_idx;		/* DPATH: which path buffer */
	bool direct;		/* BYTES of a char array in a trusted object: plain
				 * loads, no bpf_probe_read_kernel call */
	bool cached;		/* DPATH of a column: resolved once per (mount, dentry)
				 * and read session, when the plan has a path cache */
	__u32 full_size;	/* BYTES of a struct cut at struct_limit: its real size */
	bool user;		/* ustr(): a user-space string */
	bool is_return;		/* reads the traced function's return value */
	/* dev()/ino()/path() of a file as /proc shows it: before deref backing_at
	 * (or the final read when it is deref_cnt) the base is a struct file; when
	 * its f_mode (at backing_mode_off) has backing_bit (FMODE_BACKING), add
	 * backing_delta, which moves f_path to its backing_file's user_path */
	__u32 backing_bit;	/* 0: no such step */
	__u32 backing_mode_off;
	__s32 backing_delta;
	int backing_at;
	/* cast(struct sock_common *, struct sock): a full socket only, as
	 * bpf_skc_to_tcp_sock has it: before deref fullsk_at (or the final read when
	 * it is deref_cnt) the base is the sock_common; when its state byte (at
	 * fullsk_state_off) is one of fullsk_bad (TIME_WAIT, NEW_SYN_RECV: no struct
	 * sock behind it) the value reads as 0 */
	int fullsk_at;		/* 0: no such step */
	__u32 fullsk_state_off;
	__u8 fullsk_bad[2];
	__u8 func;		/* enum bd_valfunc: a value codegen computes from the base
				 * the derefs reach, not a load */
	/* tcpstate(...skc_state): where a timewait socket's own state (tw_substate of
	 * struct inet_timewait_sock) lies from the last base, read instead when the
	 * state is TCP_TIME_WAIT, as ss and /proc/net/tcp show it (FIN-WAIT-2);
	 * 0: not such a column */
	__u32 tw_sub_off;
	__u8 tw_state;		/* TCP_TIME_WAIT, from BTF */
};

/* Values a field-language function computes in BPF. */
enum bd_valfunc {
	BD_FUNC_NONE,
	BD_FUNC_RSS,		/* rss(task): base mm; kB resident as VmRSS (emit_rss) */
	BD_FUNC_CMDLINE,	/* cmdline(task): base task; argv as ps -o args (a CSTR) */
};
/* cmdline() slot: up to 4095 bytes of argv and a NUL, then the length copied */
#define BD_CMDLINE_MAX 4096
#define BD_RSS_SLOT 32		/* rss(): the value, then 24 bytes of working space */
#define BD_RSS_MAX_CPUS 1024	/* rss() unrolls its per-CPU loop */

struct bd_column {
	char *name;		/* JSON key */
	char *header;		/* table header (upper case) */
	enum bd_fmt fmt;
	int acc_cnt;
	struct bd_access acc[BD_MAX_ACC];
	bool right_align;
	__u32 map_type_id;	/* MAPDATA: type in map BTF, 0 for hex */
	bool addr_hint;		/* a __be32 named like an address: dotted quad */
	__u8 fast;		/* enum bd_fast: how put_typed would print it, decided once */
	__u8 fast_be;		/* network-order bytes to swap (fast UINT/SINT/BOOL) */
};

/* A column put_typed would print the same way every row, decided at plan time
 * (format.c: bd_column_classify) so a row does not look its type up again. */
enum bd_fast {
	BD_FAST_NONE,		/* put_typed each time (enums, structs, ...) */
	BD_FAST_UINT,
	BD_FAST_SINT,
	BD_FAST_BOOL,
	BD_FAST_CHAR,
	BD_FAST_IP4,
	BD_FAST_PTR,
	BD_FAST_CSTR,
};
void bd_column_classify(struct bd_column *c);

/* A compiled predicate: the tree, with a slot for each value it reads. */
#define BD_ARITH_REGS 6	/* registers codegen evaluates operand trees in */

/* An operand tree of an ACMP predicate: 64-bit integer arithmetic (plan.c, codegen.c). */
struct bd_arith {
	enum q_arith_kind kind;	/* VALUE: the slot of acc; LIT: imm; BIN: lhs op rhs */
	enum q_aop op;
	struct bd_access acc;
	bool is_signed;		/* VALUE: sign-extended when loaded */
	int be_bits;		/* VALUE: network order, swapped when loaded */
	unsigned long long imm;
	struct bd_arith *lhs, *rhs;
};

struct bd_pred {
	enum q_expr_kind kind;
	struct bd_pred *lhs, *rhs;
	struct bd_arith *la, *ra;	/* ACMP; compared signed when is_signed */
	enum q_op op;
	struct bd_access acc;	/* VALUE, CMP */
	bool is_signed;
	bool is_string;
	int be_bits;		/* network-order value: swapped before comparing */
	unsigned long long imm;	/* CMP integer literal */
	char *str;		/* CMP string literal */
	size_t str_len;
};

struct bd_map_info {
	int fd;			/* map being iterated (map targets), -1 otherwise */
	__u32 type, key_size, value_size;
	__u32 btf_id, key_type_id, value_type_id;
	struct btf *btf;	/* map's BTF, or NULL */
	bool percpu;
	int ncpus;
};

/* Everything codegen needs and decode reads back. */
struct bd_plan {
	const struct bd_target *target;
	struct bd_column *cols;
	int col_cnt;
	struct bd_pred *pred;
	__u32 fixed_size;	/* record bytes before the variable part */
	__u32 buf_size;		/* whole per-reader buffer */
	__u32 scratch_off;	/* 8 bytes for pointers read with bpf_probe_read_kernel */
	__u32 args_off;		/* text writer: bpf_seq_printf arguments */
	__u32 hdr_off;		/* text writer: session that got its header */
	__u32 guard_off;	/* stop-call guard: session, seq_num, position */
	__s32 guard_pos_off;	/* offset of the position in the main object, or -1 */
	int path_cnt;
	__u32 path_buf_off[BD_MAX_PATHS];
	__u32 path_res_off[BD_MAX_PATHS]; /* s32 bpf_d_path result in the record */
	int path_cache_fd;	/* LRU hash of the paths resolved, when path_cache */
	bool path_cache;
	struct bd_map_info map;
	bool all_probe;		/* plan every read with bpf_probe_read_kernel */
	/* tracing programs */
	const struct btf *btf;	/* types of the ctx members (a module's split BTF), or NULL */
	bool dump_multiline;	/* struct values: btf_dump without compact */
	bool dump_zeroes;	/* struct values: show zero members */
	bool tracing;		/* ctx is u64 slots (fentry, tp_btf, raw_tp) or pt_regs */
	bool no_dpath;		/* bpf_d_path is not allowed here */
	bool deref_ptrs;	/* a bare pointer to a struct shows the struct */
	__u32 struct_limit;	/* bytes of such a struct copied (--size) */
	__u32 hdr_size;		/* record header (8 for iterators, 48 for traces) */
	struct bd_pred *pred_exit; /* predicates that read 'return' (stash mode) */
	const char *scope_where;	/* a container scope's predicate, ANDed to where */
	int pidns_level;	/* nspid()/nstgid(): numbers at this pid namespace level */
	struct {		/* offsets the dentry walk needs, from BTF */
		__u32 path_mnt, path_dentry, vfsmnt_root, mount_mnt, mount_parent,
		      mount_mountpoint, dentry_parent, dentry_name, dentry_inode, inode_nlink,
		      task_fs, fs_root;
		bool ok;
	} dwalk;
	struct {		/* rss(): the resident counters of struct mm_struct, from BTF */
		__u32 count_off[3];	/* MM_FILEPAGES, MM_ANONPAGES, MM_SHMEMPAGES: the
					 * atomic_long or percpu_counter's count */
		__u32 pcpu_off[3];	/* percpu_counter's counters pointer; 0: none */
		__u32 pptrs_off;	/* struct bpf_array's pptrs: a per-CPU array's
					 * canonical per-CPU pointer, for per-CPU offsets */
		int map_fd;		/* that per-CPU array, while the program loads */
		bool used;		/* a per-CPU part to add: load makes map_fd */
		__u32 kb_per_page;
		int ncpus;		/* possible CPUs */
	} rss;
	struct {		/* cmdline(): where argv is (emit_cmdline) */
		__u32 mm_off, start_off, end_off;	/* task->mm, mm->arg_start, arg_end */
	} cmdline;
	bool sleepable;		/* cmdline(): load BPF_F_SLEEPABLE (bpf_copy_from_user_task) */
	bool text_kaddrs;	/* text writer: kernel addresses as they are (a pin only
				 * root reads: bd_text_kaddrs_for_pin), else as /proc
				 * shows them to an unprivileged reader */
};
struct bpfdump_pin_opts;
/* codegen_text.c: whether a pin made with o is read by root only (owner root, no
 * group/other read), so its text writer may print kernel addresses. */
bool bd_text_kaddrs_for_pin(const struct bpfdump_pin_opts *o);

/* plan.c */
int bd_plan_build(struct bpfdump *d, struct bd_plan *p, const char *columns, const char *where);
void bd_plan_free(struct bd_plan *p);
/* A traced function's plan (p->target: its arguments and 'return'). want_return:
 * just the return value (the bare function's exit event). *stash: 'return' is
 * read, so entry stashes and exit emits. */
int bd_plan_build_trace(struct bpfdump *d, struct bd_plan *p, const struct q_trace_spec *spec,
			const char *text, bool want_return, bool *stash);

/* codegen.c: program for an iterator target; buf_map_fd is the task-storage map. */
struct bd_strbuf;
/* text: a kernel-side text writer (bpf_seq_printf) for pinned dumpers, whose
 * format strings come back in *fmts; ld_imm64 of map value 0 refer to them
 * and must get the format map's fd (bd_codegen_set_fmt_map). */
int bd_codegen_iter(struct bpfdump *d, const struct bd_plan *p, int buf_map_fd, bool text,
		    struct bpf_insn **insns, int *cnt, struct bd_strbuf *fmts);
void bd_codegen_set_fmt_map(struct bpf_insn *insns, int cnt, int fmt_map_fd);

/* Presets: default columns per target (targets.c). */
const char *bd_target_preset(const char *target);
/* The preset with pids in the --pidns numbering (nstgid/nspid), or NULL. */
const char *bd_target_preset_pidns(const char *target);
/* Whether columns is a preset's own text: its "name=a|b" columns name alternatives. */
bool bd_target_is_preset(const char *columns);
/* plan.c: a preset as this kernel's BTF resolves it (malloc'd), or NULL with errno. */
char *bd_preset_resolve(struct bpfdump *d, const struct bd_target *t, const char *preset);

#endif
