/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* The library context (struct bpfdump), its limits and its log (context.c, log.c). */
#ifndef BPFDUMP_CONTEXT_H
#define BPFDUMP_CONTEXT_H

#include <bpf/btf.h>
#include <linux/bpf.h>
#include <linux/types.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "bpfdump.h"
#include "strbuf.h"

#ifndef __printf
#define __printf(a, b) __attribute__((format(printf, a, b)))
#endif

#define BD_MAX_CTX_MEMBERS 16
#define BD_MAX_DEREFS 32
#define BD_MAX_ACC 3		/* fetches per column (composite functions) */
#define BD_PATH_MAX 4096	/* bytes per bpf_d_path result */
#define BD_CSTR_MAX 128		/* bytes of a string behind a char * */
#define BD_MAX_PATHS 4		/* path columns per query */
/* bpf_d_path result slot: the path of an earlier record of this read; the key
 * (session, mount, dentry) follows at slot + 8 (see path_cache.c) */
#define BD_PATH_CACHED (-4097)
#define BD_PATH_KEY_OFF 8	/* key in a cached path slot: session, mount, dentry */
#define BD_PATH_CACHE_ENTRIES 16384
#define BD_MAX_FIXED 16384	/* fixed part of a record */
#define BD_MAX_COLUMN 4096	/* one column's bytes */
#define BD_DWALK_DEPTH 24	/* dentry/mount levels a walked path covers */
#define BD_DWALK_COMP 64	/* bytes per walked name */
#define BD_DWALK_HDR 56		/* u32 levels, u32 nlink, dentry, vfsmount, tmp, tmp2,
				 * the reader's root dentry and vfsmount */
#define BD_DWALK_SLOT (BD_DWALK_HDR + BD_DWALK_DEPTH * BD_DWALK_COMP)

struct bd_ctx_member {
	char name[64];
	__u32 type_id;		/* as declared (pointer, u32, ...) */
	__u32 off;		/* bytes into the ctx struct */
	__u32 size;
};

struct bd_target {
	char name[64];
	__s32 func_id;		/* FUNC bpf_iter_<name>: the attach point */
	__s32 ctx_id;		/* STRUCT bpf_iter__<name> */
	struct bd_ctx_member members[BD_MAX_CTX_MEMBERS]; /* without meta */
	int member_cnt;
	unsigned int params;	/* enum bpfdump_param bits */
};

struct bpfdump {
	struct btf *btf;
	char btf_path[256];
	bpfdump_log_fn log;
	void *log_ctx;
	enum bpfdump_log_level log_level;
	struct bd_target *targets;
	int target_cnt;
	struct bd_lockdown {	/* probed once per context (context.c: bd_lockdown_probe) */
		bool probed;
		bool confidential;	/* no bpf_probe_read_kernel: verifier-typed loads,
					 * bpf_rdonly_cast and bpf_d_path only */
		__s32 cast_fn_id;	/* FUNC bpf_rdonly_cast in vmlinux BTF, or -1 */
		__s32 cast_u64_id;	/* a struct whose first member is an 8-byte integer */
	} lockdown;
	struct bd_btf_memo {	/* btf.c: bd_btf_find's answers so far */
		pthread_mutex_t lock;	/* a view daemon's threads share the context */
		struct bd_btf_name {
			char *name;
			__u32 kind;
			__s32 id;
		} *v;
		size_t n, cap;
	} btf_memo;
};

/* context.c: lockdown=confidentiality (/sys/kernel/security/lockdown, or
 * BPFDUMP_LOCKDOWN=confidentiality to force it), and what reads it leaves;
 * the BTF must be ready for the cast ids. */
const struct bd_lockdown *bd_lockdown_probe(struct bpfdump *d);
#define BD_LOCKDOWN_FILE "/sys/kernel/security/lockdown"

/* log.c */
void bd_log(const struct bpfdump *d, enum bpfdump_log_level lvl, const char *fmt, ...)
	__printf(3, 4);
/* Record a one-line error message and return err (negative errno). */
int bd_err(struct bpfdump *d, int err, const char *fmt, ...) __printf(3, 4);
/* The calling thread's last error message (log.c). One per thread, not per context:
 * the view daemon's threads share a context, and each reads back its own message. */
#define BD_ERRMSG_MAX 512
char *bd_errmsg(void);
void bd_log_tail(const char *log, char *buf, size_t len);

/* context.c: the one-line error for a target this kernel lacks. */
int bd_unknown_target(struct bpfdump *d, const char *name);

#endif
