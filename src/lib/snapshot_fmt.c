// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Snapshot records decoded to text: paths, states, permissions, capabilities,
 * socket addresses. Both printers (table and JSON) use these. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "names.h"
#include "snapshot_data.h"

/* linux/capability.h numbering */
static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

const char *snap_cap_name(int bit, char *buf, size_t len)
{
	if (bit >= 0 && bit < (int)(sizeof(cap_names) / sizeof(cap_names[0])))
		return cap_names[bit];
	snprintf(buf, len, "cap_%d", bit);
	return buf;
}

const struct snap_rlimit_name snap_rlimits[SNAP_NR_RLIMITS] = {
	{ "cpu", "Max cpu time", "seconds" },
	{ "fsize", "Max file size", "bytes" },
	{ "data", "Max data size", "bytes" },
	{ "stack", "Max stack size", "bytes" },
	{ "core", "Max core file size", "bytes" },
	{ "rss", "Max resident set", "bytes" },
	{ "nproc", "Max processes", "processes" },
	{ "nofile", "Max open files", "files" },
	{ "memlock", "Max locked memory", "bytes" },
	{ "as", "Max address space", "bytes" },
	{ "locks", "Max file locks", "locks" },
	{ "sigpending", "Max pending signals", "signals" },
	{ "msgqueue", "Max msgqueue size", "bytes" },
	{ "nice", "Max nice priority", "" },
	{ "rtprio", "Max realtime priority", "" },
	{ "rttime", "Max realtime timeout", "us" },
};

/* As /proc/PID/status: "S (sleeping)" */
const char *snap_state(__u32 state, __u32 exit_state)
{
	return bd_task_state(state, exit_state)->desc;
}

void snap_perms(__u64 flags, char out[5])
{
	bd_vm_perms(flags, out);
}

char *snap_utoa(unsigned long long v, unsigned int base, char buf[24])
{
	char *p = buf + 23;

	*p = 0;
	/* a constant divisor each: shifts and multiplications, not a divide per digit */
	switch (base) {
	case 16:
		do {
			*--p = "0123456789abcdef"[v & 15];
			v >>= 4;
		} while (v);
		break;
	case 8:
		do {
			*--p = '0' + (v & 7);
			v >>= 3;
		} while (v);
		break;
	default:
		do {
			*--p = '0' + v % 10;
			v /= 10;
		} while (v);
	}
	return p;
}

/* Append n bytes of s to o's string at *used, as many as fit. */
static void put(struct bd_path_out *o, size_t *used, const char *s, size_t n)
{
	if (n > sizeof(o->s) - 1 - *used)
		n = sizeof(o->s) - 1 - *used;
	memcpy(o->s + *used, s, n);
	*used += n;
	o->s[*used] = 0;
}

/* Names leaf first, each NUL-terminated, into "/a/b/c". */
static void join_names(struct bd_path_out *o, const char *tail, __u32 len, __u32 flags)
{
	const char *names[SNAP_DWALK_DEPTH + 1];
	size_t lens[SNAP_DWALK_DEPTH + 1];
	size_t used = 0;
	int n = 0, i;
	__u32 p = 0;

	while (p < len && n < SNAP_DWALK_DEPTH + 1) {
		size_t l = strnlen(tail + p, len - p);

		if (l) {	/* an empty name (a pseudo dentry's) adds no "/" */
			names[n] = tail + p;
			lens[n++] = l;
		}
		p += l + 1;
	}
	o->s[0] = 0;
	if (flags & SNAP_PATH_CUT)
		put(o, &used, "...", 3);
	for (i = n - 1; i >= 0; i--) {
		put(o, &used, "/", 1);
		put(o, &used, names[i], lens[i]);
	}
	if (!n)
		put(o, &used, "/", 1);
}

/* prefix, then a decimal number in brackets: "pipe:[123]" */
static void bracket_num(struct bd_path_out *o, const char *prefix, unsigned long long v)
{
	char num[24];
	const char *d = snap_utoa(v, 10, num);
	size_t used = 0;

	o->s[0] = 0;
	put(o, &used, prefix, strlen(prefix));
	put(o, &used, "[", 1);
	put(o, &used, d, strlen(d));
	put(o, &used, "]", 1);
}

#define PIPEFS_MAGIC 0x50495045
#define SOCKFS_MAGIC 0x534F434B
#define ANON_INODE_FS_MAGIC 0x09041934
#define PID_FS_MAGIC 0x50494446
#define NSFS_MAGIC 0x6e736673

/* As readlink /proc/PID/fd/N: pseudo files by their d_dname form. */
void snap_file_path(const struct snap_file *f, struct bd_path_out *o)
{
	const char *tail = (const char *)f + SNAP_TAIL_OFF;

	switch (f->magic) {
	case PIPEFS_MAGIC:
		bracket_num(o, "pipe:", f->ino);
		return;
	case SOCKFS_MAGIC:
		bracket_num(o, "socket:", f->ino);
		return;
	case ANON_INODE_FS_MAGIC:
		snprintf(o->s, sizeof(o->s), "anon_inode:%.*s", (int)strnlen(tail, f->path_len), tail);
		return;
	case PID_FS_MAGIC:
		snprintf(o->s, sizeof(o->s), "anon_inode:[pidfd]");
		return;
	}
	join_names(o, tail, f->path_len, f->path_flags);
	if (f->path_flags & SNAP_PATH_DELETED)
		strncat(o->s, " (deleted)", sizeof(o->s) - strlen(o->s) - 1);
}

/* What the file is, beyond its type: pipe, socket, eventfd, timerfd, epoll... */
const char *snap_file_kind(const struct snap_file *f, char *buf, size_t len)
{
	const char *tail = (const char *)f + SNAP_TAIL_OFF;
	size_t n;

	switch (f->magic) {
	case PIPEFS_MAGIC:
		return "pipe";
	case SOCKFS_MAGIC:
		return "socket";
	case PID_FS_MAGIC:
		return "pidfd";
	case NSFS_MAGIC:
		return "namespace";
	case ANON_INODE_FS_MAGIC:
		n = strnlen(tail, f->path_len);
		if (n >= 2 && tail[0] == '[' && tail[n - 1] == ']') {
			tail++;
			n -= 2;
		}
		if (n == 9 && !strncmp(tail, "eventpoll", 9))
			return "epoll";
		snprintf(buf, len, "%.*s", (int)n, tail);
		return buf;
	}
	switch (f->i_mode & 0170000) {
	case 0100000: return "file";
	case 0040000: return "directory";
	case 0020000: return "char device";
	case 0060000: return "block device";
	case 0010000: return "fifo";
	case 0120000: return "symlink";
	}
	return "unknown";
}

/* ls -l's letters, lsof's a_inode for inodes without a type */
const char *snap_file_type(__u32 i_mode)
{
	switch (i_mode & 0170000) {
	case 0100000: return "REG";
	case 0040000: return "DIR";
	case 0020000: return "CHR";
	case 0060000: return "BLK";
	case 0010000: return "FIFO";
	case 0140000: return "SOCK";
	case 0120000: return "LNK";
	}
	return "a_inode";
}

void snap_vma_path(const struct snap_vma *v, struct bd_path_out *o)
{
	const char *tail = (const char *)v + SNAP_TAIL_OFF;

	switch (v->kind) {
	case SNAP_VMA_FILE:
		join_names(o, tail, v->path_len, v->path_flags);
		if (v->path_flags & SNAP_PATH_DELETED)
			strncat(o->s, " (deleted)", sizeof(o->s) - strlen(o->s) - 1);
		return;
	case SNAP_VMA_HEAP:
		snprintf(o->s, sizeof(o->s), "[heap]");
		return;
	case SNAP_VMA_STACK:
		snprintf(o->s, sizeof(o->s), "[stack]");
		return;
	case SNAP_VMA_VDSO:
		snprintf(o->s, sizeof(o->s), "[vdso]");
		return;
	case SNAP_VMA_SPECIAL:
		snprintf(o->s, sizeof(o->s), "%.*s", (int)strnlen(tail, v->path_len), tail);
		return;
	case SNAP_VMA_ANON_NAMED:
		snprintf(o->s, sizeof(o->s), "[anon:%.*s]", (int)strnlen(tail, v->path_len), tail);
		return;
	}
	o->s[0] = 0;
}

const char *snap_vma_kind(__u32 kind)
{
	static const char *const k[] = { "anon", "file", "heap", "stack", "vdso", "special",
					  "anon" };

	return kind < sizeof(k) / sizeof(k[0]) ? k[kind] : "unknown";
}

const char *snap_family(__u16 f)
{
	const char *name = bd_family_name(f);

	return name ? name : "other";
}

/* ss's Netid for a unix socket (u_str), else the SOCK_* name (stream) */
const char *snap_sock_type(__u16 family, __u16 t)
{
	const char *name = bd_sock_type_name(family, t);

	return name ? name : "other";
}

const char *snap_proto(const struct snap_sock *s, char *buf, size_t len)
{
	if (s->family == 2 || s->family == 10) {
		switch (s->protocol) {
		case 6: return "tcp";
		case 17: return "udp";
		case 1: return "icmp";
		case 58: return "icmpv6";
		case 132: return "sctp";
		case 136: return "udplite";
		case 255: return "raw";
		}
	}
	snprintf(buf, len, "%u", s->protocol);
	return buf;
}

/* as ss shows it: ESTAB, LISTEN, UNCONN, ... */
const char *snap_sock_state(__u16 st)
{
	const char *name = bd_name_of(&bd_tcp_states, st);

	return name ? name : "UNKNOWN";
}

/* "addr:port" ("[v6]:port"), or a unix path ("@name" when abstract, "" unbound). */
void snap_sock_addr(const struct snap_sock *s, bool local, char *buf, size_t len)
{
	const __u8 *a = local ? s->laddr : s->raddr;
	char ip[INET6_ADDRSTRLEN];
	size_t n, i;

	if (s->family == 2) {
		inet_ntop(AF_INET, a, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, local ? s->lport : s->rport);
	} else if (s->family == 10) {
		inet_ntop(AF_INET6, a, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, local ? s->lport : s->rport);
	} else if (s->family == 1 && local) {
		n = s->unix_path_len < SNAP_UNIX_PATH ? s->unix_path_len : SNAP_UNIX_PATH;
		if (n && s->unix_path[0] == 0) {
			/* abstract: NULs inside show as @, as ss does */
			for (i = 0; i < n && i + 1 < len; i++)
				buf[i] = s->unix_path[i] ? s->unix_path[i] : '@';
			buf[i < len ? i : len - 1] = 0;
		} else {
			snprintf(buf, len, "%.*s", (int)strnlen(s->unix_path, n), s->unix_path);
		}
	} else {
		buf[0] = 0;
	}
}

/* Recv-Q and Send-Q as ss shows them; -1 where the kernel side cannot say. */
void snap_sock_queues(const struct snap_sock *s, long long *rq, long long *wq)
{
	bool inet = s->family == 2 || s->family == 10;

	*rq = *wq = -1;
	if (s->state == 10) {		/* LISTEN */
		*rq = s->family == 1 ? s->rq_len : s->ack_backlog;
		*wq = s->max_ack_backlog;
	} else if (inet && s->protocol == 6) {
		*rq = (__s32)(s->rcv_nxt - s->copied_seq);
		if (*rq < 0)
			*rq = 0;
		*wq = s->write_seq - s->snd_una;
	} else if (inet && s->protocol == 17) {
		*rq = s->rmem_alloc;
		*wq = s->wmem_alloc ? s->wmem_alloc - 1 : 0;
	} else if (s->family == 1) {
		*wq = s->wmem_alloc ? s->wmem_alloc - 1 : 0;
	}
}

/* icsk_ca_state's name (TCP_INFO's tcpi_ca_state: TCP_CA_*) */
const char *snap_ca_state(__u8 st)
{
	static const char *const n[] = { "open", "disorder", "cwr", "recovery", "loss" };

	return st < sizeof(n) / sizeof(n[0]) ? n[st] : "unknown";
}
