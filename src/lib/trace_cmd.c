// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * trace ... -- CMD: the command is forked held on a pipe, moved into a cgroup2
 * child of our own cgroup made for it, and execs once the probes are attached, so
 * its first event is seen; the programs keep only tasks under that cgroup. Where
 * no cgroup can be made (no cgroup2, read-only), and for -p PID --follow, the
 * programs keep the threads of a hash map instead: seeded by a pass of a task
 * iterator (from /proc where the kernel has none), and kept up by two programs (tp_btf,
 * else raw tracepoints), one adding what a member forks (sched_process_fork), one
 * removing a thread that exits (sched_process_exit).
 */
#include <bpf/bpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "insn.h"
#include "trace_cmd.h"
#include "view_int.h"
#include "util.h"

#define TREE_MAX_THREADS 16384
#define LOG_SIZE (64 << 10)

void bd_trace_cmd_init(struct bd_trace_cmd *c)
{
	memset(c, 0, sizeof(*c));
	c->child = -1;
	c->go_fd = -1;
	c->tree_fd = c->full_fd = -1;
	c->prog_fd[0] = c->prog_fd[1] = c->link_fd[0] = c->link_fd[1] = -1;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* What execvp would run: 0, -ENOENT (a shell's 127) or -EACCES (126). */
static int resolve_cmd(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH"), *s, *e;
	struct stat st;
	int err = -ENOENT;

	if (!*name)
		return -ENOENT;
	if (strchr(name, '/')) {
		if (stat(name, &st))
			return -errno;
		if (S_ISDIR(st.st_mode) || access(name, X_OK))
			return -EACCES;
		snprintf(out, len, "%s", name);
		return 0;
	}
	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (s = path; ; s = e + 1) {
		e = strchrnul(s, ':');
		if ((size_t)snprintf(out, len, "%.*s%s%s", (int)(e - s), s, e > s ? "/" : "",
				     name) < len && !stat(out, &st)) {
			if (!S_ISDIR(st.st_mode) && !access(out, X_OK))
				return 0;
			err = -EACCES;
		}
		if (!*e)
			break;
	}
	return err;
}

/* Our own cgroup2 directory: the mount, then the "0::" line of /proc/self/cgroup. */
static int own_cgroup(char *out, size_t len)
{
	char root[PATH_MAX], line[PATH_MAX + 8];
	FILE *f;
	int err = -ENOENT;

	if (bd_cgroup2_root(root, sizeof(root)))
		return -ENOENT;
	f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::/", 4))
			continue;
		line[strcspn(line, "\n")] = '\0';
		/* a cgroup namespace shows "/.." for a cgroup outside it: the mount root */
		if ((size_t)snprintf(out, len, "%s%s", root,
				     strstr(line, "/..") || !line[4] ? "" : line + 3) < len)
			err = 0;
		break;
	}
	fclose(f);
	return err;
}

static int write_pid(const char *dir, pid_t pid)
{
	char path[PATH_MAX + 16], buf[16];
	int fd, n, err = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%d", (int)pid);
	if (write(fd, buf, n) != n)
		err = -errno;
	close(fd);
	return err;
}

/* A cgroup for the command, next to us; it is moved in while held. */
static int cgroup_make(struct bpfdump *d, struct bd_trace_cmd *c)
{
	int err, i;

	err = own_cgroup(c->cg_parent, sizeof(c->cg_parent));
	if (err)
		return err;
	for (i = 0; i < 100; i++) {
		int n = snprintf(c->cg_path, sizeof(c->cg_path), "%.*s/bpfdump-trace.%d.%d",
				 (int)sizeof(c->cg_path) - 40, c->cg_parent, (int)getpid(), i);

		if (n < 0 || (size_t)n >= sizeof(c->cg_path))
			return -ENAMETOOLONG;
		if (!mkdir(c->cg_path, 0755))
			break;
		err = -errno;
		c->cg_path[0] = '\0';
		if (err != -EEXIST)
			return err;
	}
	if (!c->cg_path[0])
		return -EEXIST;
	err = bd_cgroup_scope(d, c->cg_path, &c->cg_id, &c->cg_level);
	if (err || !c->cg_id) {
		c->cg_id = 0;
		rmdir(c->cg_path);
		c->cg_path[0] = '\0';
		return err ? err : -ENOENT;
	}
	return 0;
}

/* Move every task of dir and its children to dest; remove the children. */
static void cgroup_empty(const char *dir, const char *dest)
{
	char path[PATH_MAX + 16];
	struct dirent *e;
	DIR *dp = opendir(dir);
	FILE *f;
	int pid;

	if (dp) {
		while ((e = readdir(dp))) {
			if (e->d_type != DT_DIR || e->d_name[0] == '.')
				continue;
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >=
			    sizeof(path))
				continue;
			cgroup_empty(path, dest);
			rmdir(path);
		}
		closedir(dp);
	}
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fscanf(f, "%d", &pid) == 1)
		write_pid(dest, pid);
	fclose(f);
}

static void cgroup_remove(struct bpfdump *d, struct bd_trace_cmd *c)
{
	int i, err = 0;

	if (!c->cg_path[0])
		return;
	for (i = 0; i < 100; i++) {
		err = rmdir(c->cg_path) ? errno : 0;
		if (!err || err == ENOENT || (err != EBUSY && err != ENOTEMPTY))
			break;
		/* what the command left running goes on outside it */
		cgroup_empty(c->cg_path, c->cg_parent);
		sleep_ms(20);
	}
	if (err && err != ENOENT)
		bd_log(d, BPFDUMP_WARN, "cannot remove the command's cgroup %s: %s", c->cg_path,
		       strerror(err));
	c->cg_path[0] = '\0';
}

/* The program kinds a tracker runs as, best first (BPFDUMP_FOLLOW_TRACKER=raw_tp forces
 * the fallback, to test it where tp_btf works). */
enum tracker_kind { TRK_TP_BTF, TRK_RAW_TP };

static const char *const tracker_kind_name[] = { "tp_btf", "raw_tp" };

/* A program on sched_process_fork (add the child of a member) or sched_process_exit
 * (remove the exiting thread), as a tp_btf program (the child read directly through
 * its BTF type) or a raw tracepoint (read with bpf_probe_read_kernel). */
static int tracker_load(struct bpfdump *d, struct bd_trace_cmd *c, bool fork_prog,
			enum tracker_kind kind, char *log)
{
	const char *tp = fork_prog ? "sched_process_fork" : "sched_process_exit";
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .log_buf = log, .log_size = LOG_SIZE);
	struct insn_buf b;
	struct bpf_insn *insns;
	__u32 bit_off = 0, type_id, bsz;
	__s32 task_id, td = 0;
	int out, cnt, fd, err;
	char tail[300], tname[64];

	snprintf(tname, sizeof(tname), "btf_trace_%s", tp);
	if (kind == TRK_TP_BTF)
		td = btf__find_by_name_kind(d->btf, tname, BTF_KIND_TYPEDEF);
	task_id = btf__find_by_name_kind(d->btf, "task_struct", BTF_KIND_STRUCT);
	if (td < 0 || task_id < 0 ||
	    bd_find_member(d->btf, task_id, "pid", &bit_off, &type_id, &bsz))
		return bd_err(d, -ENOENT, "--follow: no %s or task_struct.pid in BTF", tname);
	if (kind == TRK_TP_BTF) {
		lo.expected_attach_type = BPF_TRACE_RAW_TP;
		lo.attach_btf_id = td;
	}
	ib_init(&b);
	out = ib_new_label(&b);
	ib_emit(&b, I_MOV64_REG(R_CTX, R1));
	ib_emit(&b, I_CALL(BPF_FUNC_get_current_pid_tgid));
	ib_emit(&b, I_STX(4, R_FP, R0, -4));
	ib_ld_imm64(&b, R1, BPF_PSEUDO_MAP_FD, c->tree_fd);
	ib_emit(&b, I_MOV64_REG(R2, R_FP));
	ib_emit(&b, I_ALU64_IMM(BPF_ADD, R2, -4));
	if (fork_prog) {
		/* the parent is current; args[1] is the child */
		ib_emit(&b, I_CALL(BPF_FUNC_map_lookup_elem));
		ib_jmp_imm(&b, BPF_JEQ, R0, 0, out);
		ib_emit(&b, I_LDX(8, R3, R_CTX, 8));
		if (kind == TRK_TP_BTF) {
			ib_emit(&b, I_LDX(4, R1, R3, bit_off / 8));
			ib_emit(&b, I_STX(4, R_FP, R1, -8));
		} else {
			ib_emit(&b, I_ALU64_IMM(BPF_ADD, R3, bit_off / 8));
			ib_emit(&b, I_MOV64_REG(R1, R_FP));
			ib_emit(&b, I_ALU64_IMM(BPF_ADD, R1, -8));
			ib_emit(&b, I_MOV64_IMM(R2, 4));
			ib_emit(&b, I_CALL(BPF_FUNC_probe_read_kernel));
			ib_jmp_imm(&b, BPF_JNE, R0, 0, out);
		}
		ib_emit(&b, I_ST_IMM(4, R_FP, -12, 1));
		ib_ld_imm64(&b, R1, BPF_PSEUDO_MAP_FD, c->tree_fd);
		ib_emit(&b, I_MOV64_REG(R2, R_FP));
		ib_emit(&b, I_ALU64_IMM(BPF_ADD, R2, -8));
		ib_emit(&b, I_MOV64_REG(R3, R_FP));
		ib_emit(&b, I_ALU64_IMM(BPF_ADD, R3, -12));
		ib_emit(&b, I_MOV64_IMM(R4, BPF_ANY));
		ib_emit(&b, I_CALL(BPF_FUNC_map_update_elem));
		ib_jmp_imm(&b, BPF_JEQ, R0, 0, out);
		/* the map is full: counted */
		ib_emit(&b, I_ST_IMM(4, R_FP, -16, 0));
		ib_ld_imm64(&b, R1, BPF_PSEUDO_MAP_FD, c->full_fd);
		ib_emit(&b, I_MOV64_REG(R2, R_FP));
		ib_emit(&b, I_ALU64_IMM(BPF_ADD, R2, -16));
		ib_emit(&b, I_CALL(BPF_FUNC_map_lookup_elem));
		ib_jmp_imm(&b, BPF_JEQ, R0, 0, out);
		ib_emit(&b, I_MOV64_IMM(R1, 1));
		ib_emit(&b, INSN(BPF_STX | BPF_ATOMIC | BPF_DW, R0, R1, 0, BPF_ADD));
	} else {
		ib_emit(&b, I_CALL(BPF_FUNC_map_delete_elem));
	}
	ib_place(&b, out);
	ib_emit(&b, I_MOV64_IMM(R0, 0));
	ib_emit(&b, I_EXIT());
	err = ib_take(&b, &insns, &cnt);
	if (err)
		return bd_err(d, err, "--follow: code generation: %s", strerror(-err));
	log[0] = '\0';
	fd = bpf_prog_load(kind == TRK_TP_BTF ? BPF_PROG_TYPE_TRACING :
			   BPF_PROG_TYPE_RAW_TRACEPOINT, fork_prog ? "bd_follow_fork" :
			   "bd_follow_exit", "GPL", insns, cnt, &lo);
	err = fd < 0 ? -errno : 0;
	free(insns);
	if (fd < 0) {
		bd_log_tail(log, tail, sizeof(tail));
		return bd_err(d, err, "--follow: cannot load the %s tracker (%s): %s%s%s%s",
			      fork_prog ? "fork" : "exit", tracker_kind_name[kind], strerror(-err),
			      tail[0] ? " (" : "", tail, tail[0] ? ")" : "");
	}
	c->prog_fd[!fork_prog] = fd;
	c->link_fd[!fork_prog] = bpf_raw_tracepoint_open(kind == TRK_TP_BTF ? NULL : tp, fd);
	if (c->link_fd[!fork_prog] < 0)
		return bd_err(d, -errno, "--follow: cannot attach the %s tracker (%s): %s",
			      fork_prog ? "fork" : "exit", tracker_kind_name[kind],
			      strerror(errno));
	return 0;
}

static void trackers_close(struct bd_trace_cmd *c)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (c->link_fd[i] >= 0)
			close(c->link_fd[i]);
		if (c->prog_fd[i] >= 0)
			close(c->prog_fd[i]);
		c->link_fd[i] = c->prog_fd[i] = -1;
	}
}

/* Both trackers, as the best kind that loads here; the last kind's error otherwise. */
static int trackers_attach(struct bpfdump *d, struct bd_trace_cmd *c, char *log)
{
	const char *force = getenv("BPFDUMP_FOLLOW_TRACKER");
	int kind = force && !strcmp(force, "raw_tp") ? TRK_RAW_TP : TRK_TP_BTF, err;

	for (; kind <= TRK_RAW_TP; kind++) {
		err = tracker_load(d, c, true, kind, log);
		if (!err)
			err = tracker_load(d, c, false, kind, log);
		if (!err) {
			bd_log(d, BPFDUMP_INFO, "following forks and exits with %s programs",
			       tracker_kind_name[kind]);
			return 0;
		}
		trackers_close(c);
		if (kind < TRK_RAW_TP)
			bd_log(d, BPFDUMP_INFO, "%s; trying a raw tracepoint", bpfdump__errmsg(d));
	}
	return err;
}

static int tree_add(struct bd_trace_cmd *c, __u32 tid, bool *added)
{
	__u32 one = 1, v;

	if (!bpf_map_lookup_elem(c->tree_fd, &tid, &v))
		return 0;
	if (bpf_map_update_elem(c->tree_fd, &tid, &one, BPF_ANY))
		return -errno;
	*added = true;
	return 0;
}

/* A task as the seeding sees it: a thread, its process and its parent process. */
struct tree_task {
	__u32 tid, tgid, ptgid;
	bool in;
};

struct tree_tasks {
	struct tree_task *t;
	size_t n, cap;
};

static int tasks_push(struct tree_tasks *ts, __u32 tid, __u32 tgid, __u32 ptgid)
{
	if (bd_grow((void **)&ts->t, &ts->cap, ts->n + 1, sizeof(*ts->t)))
		return -ENOMEM;
	ts->t[ts->n++] = (struct tree_task){ .tid = tid, .tgid = tgid, .ptgid = ptgid };
	return 0;
}

static int cmp_tgid(const void *a, const void *b)
{
	const struct tree_task *x = a, *y = b;

	return x->tgid < y->tgid ? -1 : x->tgid > y->tgid;
}

static bool tgid_in(const struct tree_tasks *ts, __u32 tgid)
{
	long lo = 0, hi = (long)ts->n - 1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;

		if (ts->t[mid].tgid == tgid)
			return ts->t[mid].in;
		if (ts->t[mid].tgid < tgid)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

/* Mark pid's process and every process below it (by parent links), add their threads. */
static int tasks_add_tree(struct bd_trace_cmd *c, struct tree_tasks *ts, int pid, bool *added)
{
	bool more = true;
	size_t i, j;
	int err = 0;

	/* sorted by process, so that all threads of one are marked together */
	qsort(ts->t, ts->n, sizeof(*ts->t), cmp_tgid);
	for (i = 0; i < ts->n; i++)
		ts->t[i].in = ts->t[i].tgid == (__u32)pid;
	while (more) {
		more = false;
		for (i = 0; i < ts->n; i = j) {
			bool in = ts->t[i].in || (ts->t[i].ptgid != ts->t[i].tgid &&
						  tgid_in(ts, ts->t[i].ptgid));

			for (j = i; j < ts->n && ts->t[j].tgid == ts->t[i].tgid; j++)
				if (in && !ts->t[j].in)
					ts->t[j].in = more = true;
		}
	}
	for (i = 0; i < ts->n && !err; i++)
		if (ts->t[i].in)
			err = tree_add(c, ts->t[i].tid, added);
	return err;
}

/*
 * Every task of the system in one pass of a task iterator (bpf_iter_task visits every
 * thread): the program writes each one's pid, tgid and real_parent's tgid (global ids,
 * as the programs see them) to the seq_file.
 */
static int tasks_read_iter(struct bpfdump *d, struct tree_tasks *ts, char *log)
{
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .expected_attach_type = BPF_TRACE_ITER,
		    .log_buf = log, .log_size = LOG_SIZE);
	__u32 bit_off, type_id, bsz, meta_off, task_off, seq_off, pid_off, tgid_off, parent_off;
	__s32 fn, ctx_id, meta_id, task_id;
	struct bpf_insn *insns;
	struct insn_buf b;
	int out, cnt, prog_fd, link_fd = -1, iter_fd = -1, err;
	__u32 rec[3];
	char tail[300];
	ssize_t n;

	fn = btf__find_by_name_kind(d->btf, "bpf_iter_task", BTF_KIND_FUNC);
	ctx_id = btf__find_by_name_kind(d->btf, "bpf_iter__task", BTF_KIND_STRUCT);
	meta_id = btf__find_by_name_kind(d->btf, "bpf_iter_meta", BTF_KIND_STRUCT);
	task_id = btf__find_by_name_kind(d->btf, "task_struct", BTF_KIND_STRUCT);
	if (fn < 0 || ctx_id < 0 || meta_id < 0 || task_id < 0)
		return bd_err(d, -ENOENT, "no task iterator in BTF");
#define OFF(id, name, var)							\
	do {									\
		if (bd_find_member(d->btf, id, name, &bit_off, &type_id, &bsz))	\
			return bd_err(d, -ENOENT, "no " name " in BTF");	\
		var = bit_off / 8;						\
	} while (0)
	OFF(ctx_id, "meta", meta_off);
	OFF(ctx_id, "task", task_off);
	OFF(meta_id, "seq", seq_off);
	OFF(task_id, "pid", pid_off);
	OFF(task_id, "tgid", tgid_off);
	OFF(task_id, "real_parent", parent_off);
#undef OFF
	lo.attach_btf_id = fn;
	ib_init(&b);
	out = ib_new_label(&b);
	ib_emit(&b, I_MOV64_REG(R_CTX, R1));
	ib_emit(&b, I_LDX(8, R8, R_CTX, task_off));
	ib_jmp_imm(&b, BPF_JEQ, R8, 0, out);	/* the call after the last task */
	ib_emit(&b, I_LDX(4, R1, R8, pid_off));
	ib_emit(&b, I_STX(4, R_FP, R1, -16));
	ib_emit(&b, I_LDX(4, R1, R8, tgid_off));
	ib_emit(&b, I_STX(4, R_FP, R1, -12));
	ib_emit(&b, I_ST_IMM(4, R_FP, -8, 0));
	ib_emit(&b, I_LDX(8, R1, R8, parent_off));
	ib_jmp_imm(&b, BPF_JEQ, R1, 0, out);
	ib_emit(&b, I_LDX(4, R1, R1, tgid_off));
	ib_emit(&b, I_STX(4, R_FP, R1, -8));
	ib_emit(&b, I_LDX(8, R1, R_CTX, meta_off));
	ib_emit(&b, I_LDX(8, R1, R1, seq_off));
	ib_emit(&b, I_MOV64_REG(R2, R_FP));
	ib_emit(&b, I_ALU64_IMM(BPF_ADD, R2, -16));
	ib_emit(&b, I_MOV64_IMM(R3, sizeof(rec)));
	ib_emit(&b, I_CALL(BPF_FUNC_seq_write));
	ib_place(&b, out);
	ib_emit(&b, I_MOV64_IMM(R0, 0));
	ib_emit(&b, I_EXIT());
	err = ib_take(&b, &insns, &cnt);
	if (err)
		return bd_err(d, err, "task iterator: code generation: %s", strerror(-err));
	log[0] = '\0';
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "bd_follow_seed", "GPL", insns, cnt, &lo);
	err = prog_fd < 0 ? -errno : 0;
	free(insns);
	if (prog_fd < 0) {
		bd_log_tail(log, tail, sizeof(tail));
		return bd_err(d, err, "cannot load the task iterator: %s%s%s%s", strerror(-err),
			      tail[0] ? " (" : "", tail, tail[0] ? ")" : "");
	}
	link_fd = bpf_link_create(prog_fd, 0, BPF_TRACE_ITER, NULL);
	if (link_fd < 0) {
		err = bd_err(d, -errno, "cannot attach the task iterator: %s", strerror(errno));
		goto close_prog;
	}
	iter_fd = bpf_iter_create(link_fd);
	if (iter_fd < 0) {
		err = bd_err(d, -errno, "cannot start the task iterator: %s", strerror(errno));
		goto close_link;
	}
	/* the seq_file hands out whole records: a read never splits one */
	while ((n = read(iter_fd, rec, sizeof(rec))) == sizeof(rec) && !err)
		err = tasks_push(ts, rec[0], rec[1], rec[2]);
	if (!err && n < 0)
		err = bd_err(d, -errno, "cannot read the task iterator: %s", strerror(errno));
	else if (!err && n)
		err = bd_err(d, -EPROTO, "task iterator: a record of %zd bytes", n);
	close(iter_fd);
close_link:
	close(link_fd);
close_prog:
	close(prog_fd);
	return err;
}

/* The same from /proc (a kernel without a task iterator): processes by /proc/PID/stat,
 * their threads by /proc/PID/task. */
static int tasks_read_proc(struct tree_tasks *ts)
{
	struct dirent *e, *te;
	DIR *dp = opendir("/proc"), *tp;
	int err = 0;

	if (!dp)
		return -errno;
	while (!err && (e = readdir(dp))) {
		char path[64], line[512], *rp;
		long p = strtol(e->d_name, &rp, 10);
		FILE *f;
		int ppid;

		if (*rp || p <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/stat", p);
		f = fopen(path, "re");
		if (!f)
			continue;
		rp = fgets(line, sizeof(line), f) ? strrchr(line, ')') : NULL;
		fclose(f);
		if (!rp || sscanf(rp + 1, " %*c %d", &ppid) != 1)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/task", p);
		tp = opendir(path);
		if (!tp)
			continue;	/* gone meanwhile */
		while (!err && (te = readdir(tp))) {
			long tid = strtol(te->d_name, &rp, 10);

			if (!*rp && tid > 0)
				err = tasks_push(ts, tid, p, ppid);
		}
		closedir(tp);
	}
	closedir(dp);
	return err;
}

/* pid and its descendants' threads into the tree: by the task iterator, or /proc where
 * there is none (or BPFDUMP_FOLLOW_SEED=proc). */
static int tree_scan(struct bpfdump *d, struct bd_trace_cmd *c, int pid, bool *added,
		     char *log)
{
	const char *force = getenv("BPFDUMP_FOLLOW_SEED");
	struct tree_tasks ts = {};
	int err = -ENOENT;

	if (!(force && !strcmp(force, "proc")) && !c->seed_proc) {
		err = tasks_read_iter(d, &ts, log);
		if (err) {
			bd_log(d, BPFDUMP_INFO, "--follow: %s: reading /proc instead",
			       bpfdump__errmsg(d));
			c->seed_proc = true;
			ts.n = 0;
		} else if (!c->seed_said) {
			bd_log(d, BPFDUMP_INFO, "--follow: seeded by a task iterator");
			c->seed_said = true;
		}
	}
	if (err) {
		err = tasks_read_proc(&ts);
		if (err)
			err = bd_err(d, err, "--follow: cannot read /proc: %s", strerror(-err));
	}
	if (!err) {
		err = tasks_add_tree(c, &ts, pid, added);
		if (err)
			err = bd_err(d, err, "--follow: process tree map: %s", strerror(-err));
	}
	free(ts.t);
	return err;
}

static int tree_make(struct bpfdump *d, struct bd_trace_cmd *c, char *log)
{
	int err;

	c->tree_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "bpfdump_tree", 4, 4, TREE_MAX_THREADS,
				    NULL);
	c->full_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpfdump_tree_f", 4, 8, 1, NULL);
	if (c->tree_fd < 0 || c->full_fd < 0)
		return bd_err(d, -errno, "--follow: cannot create the process tree map: %s",
			      strerror(errno));
	err = bd_btf_ready(d);
	if (err)
		return err;
	return trackers_attach(d, c, log);
}

int bd_trace_cmd_follow(struct bpfdump *d, struct bd_trace_cmd *c, int pid)
{
	bool added = true;
	int err, round;
	char *log;

	if (kill(pid, 0) && errno == ESRCH)
		return bd_err(d, -ESRCH, "--follow: process %d: %s", pid, strerror(ESRCH));
	log = malloc(LOG_SIZE);
	if (!log)
		return bd_err(d, -ENOMEM, "--follow: %s", strerror(ENOMEM));
	err = tree_make(d, c, log);
	/* the fork tracker runs already: a process forked by a member seeded in an earlier
	 * pass is in the map; one forked during a pass, before its parent was added, the
	 * next pass finds (usually the second pass adds nothing and ends it) */
	for (round = 0; !err && added && round < 20; round++) {
		added = false;
		err = tree_scan(d, c, pid, &added, log);
	}
	free(log);
	return err;
}

/* --user: a name, or a number /etc/passwd may not know (its gid then: the same) */
static int user_resolve(struct bpfdump *d, struct bd_trace_cmd *c, const char *user)
{
	struct passwd pw, *res = NULL;
	char buf[4096], *end;
	unsigned long n;
	int err;

	err = getpwnam_r(user, &pw, buf, sizeof(buf), &res);
	if (!res && !err) {
		errno = 0;
		n = strtoul(user, &end, 10);
		if (*user && !*end && !errno && n < (uid_t)-1) {
			err = getpwuid_r(n, &pw, buf, sizeof(buf), &res);
			if (!res && !err) {
				c->uid = n;
				c->gid = n;
				c->user[0] = '\0';
				c->as_user = true;
				return 0;
			}
		}
	}
	if (!res)
		return bd_err(d, err ? -err : -ENOENT, "trace: --user '%s': %s", user,
			      err ? strerror(err) : "no such user");
	c->uid = pw.pw_uid;
	c->gid = pw.pw_gid;
	snprintf(c->user, sizeof(c->user), "%s", pw.pw_name);
	c->as_user = true;
	return 0;
}

/* In the child: become the user, groups first (setgroups needs root still). */
static int become_user(const struct bd_trace_cmd *c)
{
	if (c->user[0] ? initgroups(c->user, c->gid) : setgroups(0, NULL))
		return -errno;
	if (setresgid(c->gid, c->gid, c->gid) || setresuid(c->uid, c->uid, c->uid))
		return -errno;
	return 0;
}

int bd_trace_cmd_start(struct bpfdump *d, struct bd_trace_cmd *c, const char *const *argv,
		       const char *user)
{
	char path[PATH_MAX];
	int go[2], err, cg_err;
	bool added = false;
	pid_t pid;

	if (user) {
		err = user_resolve(d, c, user);
		if (err)
			return err;
	}

	err = resolve_cmd(argv[0], path, sizeof(path));
	if (err) {
		/* as a shell would say it ran */
		c->exited = true;
		c->status = (err == -ENOENT ? 127 : 126) << 8;
	}
	if (err == -ENOENT)
		return bd_err(d, err, "trace: command '%s': not found%s", argv[0],
			      strchr(argv[0], '/') ? "" : " in PATH");
	if (err)
		return bd_err(d, err, "trace: command '%s': %s", argv[0],
			      err == -EACCES ? "not executable (or a directory)" : strerror(-err));
	cg_err = cgroup_make(d, c);
	if (cg_err) {
		bd_log(d, BPFDUMP_INFO, "no cgroup for the command (%s): following its process "
		       "tree instead", strerror(-cg_err));
		char *log = malloc(LOG_SIZE);

		err = log ? tree_make(d, c, log) : -ENOMEM;
		free(log);
		if (err)
			return err == -ENOMEM ? bd_err(d, err, "trace: %s", strerror(ENOMEM)) : err;
	}
	if (pipe2(go, O_CLOEXEC))
		return bd_err(d, -errno, "trace: pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(go[0]);
		close(go[1]);
		return bd_err(d, err, "trace: cannot start '%s': fork: %s", argv[0],
			      strerror(-err));
	}
	if (!pid) {
		char b;
		ssize_t n;

		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		close(go[1]);
		while ((n = read(go[0], &b, 1)) < 0 && errno == EINTR)
			;
		if (n != 1)
			_exit(1);	/* tracing did not start: the command does not run */
		err = c->as_user ? become_user(c) : 0;
		if (err) {
			dprintf(STDERR_FILENO, "bpfdump: trace: cannot become user '%s': %s\n",
				user, strerror(-err));
			_exit(126);
		}
		execv(path, (char *const *)argv);
		err = errno;
		dprintf(STDERR_FILENO, "bpfdump: trace: cannot run '%s': %s\n", argv[0],
			strerror(err));
		_exit(err == ENOENT ? 127 : 126);
	}
	close(go[0]);
	c->child = pid;
	c->go_fd = go[1];
	if (c->cg_path[0]) {
		err = write_pid(c->cg_path, pid);
		if (err)
			return bd_err(d, err, "trace: cannot move the command into %s: %s",
				      c->cg_path, strerror(-err));
		bd_log(d, BPFDUMP_INFO, "tracing pid %d in cgroup %s", (int)pid, c->cg_path);
		return 0;
	}
	err = tree_add(c, pid, &added);
	if (err)
		return bd_err(d, err, "trace: process tree map: %s", strerror(-err));
	return 0;
}

int bd_trace_cmd_release(struct bpfdump *d, struct bd_trace_cmd *c)
{
	int err = 0;

	if (c->go_fd < 0)
		return 0;
	if (write(c->go_fd, "x", 1) != 1)
		err = bd_err(d, -errno, "trace: cannot start the command: %s", strerror(errno));
	close(c->go_fd);
	c->go_fd = -1;
	return err;
}

bool bd_trace_cmd_done(struct bd_trace_cmd *c)
{
	int st;

	if (c->child <= 0 || c->exited)
		return c->exited;
	if (waitpid(c->child, &st, WNOHANG) == c->child) {
		c->exited = true;
		c->status = st;
	}
	return c->exited;
}

void bd_trace_cmd_end(struct bpfdump *d, struct bd_trace_cmd *c)
{
	__u32 zero = 0;
	__u64 full = 0;
	int i, st = 0;

	trackers_close(c);
	if (c->go_fd >= 0) {
		close(c->go_fd);	/* a held command sees EOF and exits */
		c->go_fd = -1;
	} else if (c->child > 0 && !bd_trace_cmd_done(c)) {
		/* the trace ended first (Ctrl-C, -c, -d, an error): the command ends too */
		kill(c->child, SIGTERM);
		for (i = 0; i < 100 && !bd_trace_cmd_done(c); i++)
			sleep_ms(20);
		if (!c->exited)
			kill(c->child, SIGKILL);
	}
	if (c->child > 0 && !c->exited) {
		while (waitpid(c->child, &st, 0) < 0 && errno == EINTR)
			;
		c->exited = true;
		c->status = st;
	}
	cgroup_remove(d, c);
	if (c->full_fd >= 0 && !bpf_map_lookup_elem(c->full_fd, &zero, &full) && full)
		bd_log(d, BPFDUMP_WARN, "%llu forks not followed: the process tree map is full "
		       "(%d threads)", (unsigned long long)full, TREE_MAX_THREADS);
	if (c->tree_fd >= 0)
		close(c->tree_fd);
	if (c->full_fd >= 0)
		close(c->full_fd);
	c->tree_fd = c->full_fd = -1;
}
