// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Container scopes. A dump scoped to namespaces is created and read by a
 * child that entered them (setns; a pid namespace needs one more fork), so
 * the kernel's own namespace-aware walk does the filtering and the records
 * come back through a pipe. The scope is also compiled into a predicate on
 * the namespace's inode number (and, for --cgroup, on the cgroup's id and
 * level), which is what keeps it when the query is pinned.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "internal.h"

/* What the ctx reaches a network namespace through, per net-aware target. */
static const struct { const char *target, *net; } net_paths[] = {
	{ "tcp", "sk_common->skc_net.net" },
	{ "udp", "udp_sk->inet.sk.__sk_common.skc_net.net" },
	{ "unix", "unix_sk->sk.__sk_common.skc_net.net" },
	{ "netlink", "sk->sk.__sk_common.skc_net.net" },
	{ "ipv6_route", "rt->fib6_nh[0].nh_common.nhc_dev->nd_net.net" },
};

static const char *net_path(const char *target)
{
	size_t i;

	for (i = 0; i < sizeof(net_paths) / sizeof(net_paths[0]); i++)
		if (!strcmp(net_paths[i].target, target))
			return net_paths[i].net;
	return NULL;
}

unsigned int bd_scope_params(const char *target)
{
	if (net_path(target))
		return BPFDUMP_PARAM_NETNS;
	if (!strcmp(target, "task") || !strcmp(target, "task_file") || !strcmp(target, "task_vma"))
		return BPFDUMP_PARAM_PIDNS;
	return 0;
}

void bd_scope_init(struct bd_scope *s)
{
	memset(s, 0, sizeof(*s));
	s->netns_fd = s->pidns_fd = s->mntns_fd = -1;
}

void bd_scope_close(struct bd_scope *s)
{
	if (s->netns_fd >= 0)
		close(s->netns_fd);
	if (s->pidns_fd >= 0)
		close(s->pidns_fd);
	if (s->mntns_fd >= 0)
		close(s->mntns_fd);
	free(s->where);
	free(s->netns_path);
	bd_scope_init(s);
}

static const char *ns_type_name(int type)
{
	switch (type) {
	case CLONE_NEWNET: return "network";
	case CLONE_NEWPID: return "pid";
	case CLONE_NEWNS: return "mount";
	case CLONE_NEWUTS: return "uts";
	case CLONE_NEWIPC: return "ipc";
	case CLONE_NEWUSER: return "user";
	case CLONE_NEWCGROUP: return "cgroup";
	default: return "other";
	}
}

static int not_ns_file(struct bpfdump *d, const char *opt, const char *path, int want)
{
	return bd_err(d, -EINVAL, "%s '%s': not a namespace file (give /proc/PID/ns/%s%s)", opt,
		      path, want == CLONE_NEWNET ? "net" : want == CLONE_NEWPID ? "pid" : "mnt",
		      want == CLONE_NEWNET ? " or /run/netns/NAME" : "");
}

/*
 * Open a namespace file so that nothing it names can block us: O_PATH opens
 * no FIFO or device (and follows the magic links in /proc/PID/ns); only a file of
 * nsfs is then opened for real, through /proc/self/fd, for the ioctls and
 * setns. Returns the fd, its inode in *ino, or -errno with the one message.
 */
int bd_ns_open(struct bpfdump *d, const char *opt, const char *path, int want, __u64 *ino)
{
	char self[64];
	struct statfs sfs;
	struct stat st;
	int pfd, fd, type, err;

	pfd = open(path, O_PATH | O_CLOEXEC);
	if (pfd < 0)
		return bd_err(d, -errno, "%s '%s': %s", opt, path, strerror(errno));
	if (fstatfs(pfd, &sfs)) {
		err = -errno;
		close(pfd);
		return bd_err(d, err, "%s '%s': %s", opt, path, strerror(-err));
	}
	if (sfs.f_type != NSFS_MAGIC) {
		close(pfd);
		return not_ns_file(d, opt, path, want);
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	fd = open(self, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	err = -errno;
	close(pfd);
	if (fd < 0)
		return bd_err(d, err, "%s '%s': %s", opt, path, strerror(-err));
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0) {
		close(fd);
		return not_ns_file(d, opt, path, want);
	}
	if (type != want) {
		close(fd);
		return bd_err(d, -EINVAL, "%s '%s': a %s namespace, not a %s namespace", opt,
			      path, ns_type_name(type), ns_type_name(want));
	}
	if (fstat(fd, &st)) {
		err = -errno;
		close(fd);
		return bd_err(d, err, "%s '%s': %s", opt, path, strerror(-err));
	}
	if (ino)
		*ino = st.st_ino;
	return fd;
}

static int open_ns(struct bpfdump *d, const char *opt, const char *path, int want, int *fd_out,
		   __u64 *ino)
{
	int fd = bd_ns_open(d, opt, path, want, ino);

	if (fd < 0)
		return fd;
	*fd_out = fd;
	return 0;
}

/* Our own pid namespace's level: NSpid of /proc/self/status has one number per level. */
static int own_pid_level(void)
{
	char line[512];
	int level = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *s, *save = NULL;

		if (strncmp(line, "NSpid:", 6))
			continue;
		for (s = strtok_r(line + 6, " \t\n", &save); s; s = strtok_r(NULL, " \t\n", &save))
			level++;
		break;
	}
	fclose(f);
	return level < 0 ? 0 : level;
}

/* Level of a pid namespace: parents up to our own (NS_GET_PARENT stops there). */
static int open_task_cgroup(struct bpfdump *d, const char *path, struct bd_scope *s);

static int pidns_level(struct bpfdump *d, const char *path, int fd, __u64 ino)
{
	struct stat self;
	int cur = dup(fd), up = 0, next;

	if (cur < 0)
		return -errno;
	while ((next = ioctl(cur, NS_GET_PARENT)) >= 0) {
		close(cur);
		cur = next;
		up++;
	}
	close(cur);
	if (!up && (stat("/proc/self/ns/pid", &self) || self.st_ino != ino))
		return bd_err(d, -EINVAL, "--pidns '%s': not our pid namespace nor one below it",
			      path);
	return own_pid_level() + up;
}

int bd_cgroup2_root(char *buf, size_t len)
{
	char line[1024];
	FILE *m = fopen("/proc/self/mounts", "re");
	int err = -ENOENT;

	if (!m)
		return -errno;
	while (fgets(line, sizeof(line), m)) {
		char dev[256], mnt[PATH_MAX], type[64];

		if (sscanf(line, "%255s %4095s %63s", dev, mnt, type) == 3 &&
		    !strcmp(type, "cgroup2")) {
			snprintf(buf, len, "%s", mnt);
			err = 0;
			break;
		}
	}
	fclose(m);
	return err;
}

/* The cgroup2 mount holding path (longest mount point that prefixes it), and
 * the depth of the mount's root in the hierarchy (mountinfo field 4). */
static int cgroup_depth(const char *real)
{
	char line[4096], best_root[PATH_MAX] = "/";
	size_t best_len = 0;
	int depth = 0;
	const char *s;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char root[PATH_MAX], mnt[PATH_MAX], *dash = strstr(line, " - ");
		size_t n;

		if (!dash || strncmp(dash, " - cgroup2 ", 11))
			continue;
		if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2)
			continue;
		n = strlen(mnt);
		if (strncmp(real, mnt, n) || (real[n] && real[n] != '/' && n > 1) || n < best_len)
			continue;
		best_len = n;
		snprintf(best_root, sizeof(best_root), "%s", root);
	}
	fclose(f);
	if (!best_len)
		return -ENOENT;
	for (s = best_root; *s; s++)
		if (*s == '/' && s[1] && s[1] != '/')
			depth++;
	for (s = real + (best_len > 1 ? best_len : 0); *s; s++)
		if (*s == '/' && s[1] && s[1] != '/')
			depth++;
	return depth;
}

int bd_cgroup_scope(struct bpfdump *d, const char *path, __u64 *id, int *level)
{
	struct bd_scope s;
	int err;

	bd_scope_init(&s);
	err = open_task_cgroup(d, path, &s);
	*id = s.cgroup_id;
	*level = s.cgroup_level;
	return err;
}

static int open_task_cgroup(struct bpfdump *d, const char *path, struct bd_scope *s)
{
	char real[PATH_MAX];
	struct statfs sfs;
	struct stat st;
	char root[PATH_MAX] = "", rel[PATH_MAX * 2];
	int depth, err;

	if (bd_cgroup2_root(root, sizeof(root)))
		root[0] = '\0';
	/* a relative path is the cwd's, else the cgroup2 root's (as systemd-cgls takes it) */
	if (!realpath(path, real) && path[0] != '/' && root[0]) {
		snprintf(rel, sizeof(rel), "%s/%s", root, path);
		if (realpath(rel, real))
			path = rel;
	}
	if (!realpath(path, real) || stat(real, &st)) {
		err = -errno;
		return bd_err(d, err, "cgroup '%s': %s (%s%s)", path, strerror(-err),
			      root[0] ? "cgroup2 is mounted at " : "no cgroup2 mount",
			      root);
	}
	if (statfs(real, &sfs) || sfs.f_type != CGROUP2_SUPER_MAGIC || !S_ISDIR(st.st_mode))
		return bd_err(d, -ENOTDIR, "cgroup '%s': not a cgroup2 directory (task targets "
			      "are scoped by the unified hierarchy%s%s)", path,
			      root[0] ? ", mounted at " : ": no cgroup2 mount", root);
	depth = cgroup_depth(real);
	if (depth < 0)
		return bd_err(d, depth, "cgroup '%s': no cgroup2 mount holds it", path);
	s->has_cgroup = true;
	s->cgroup_id = st.st_ino;	/* the kernfs node id */
	s->cgroup_level = depth;
	return 0;
}

int bd_scope_open(struct bpfdump *d, const struct bd_target *t,
		  const struct bpfdump_query_opts *o, struct bd_scope *s)
{
	unsigned int sp = bd_scope_params(t->name);
	struct bd_strbuf w = {};
	int err;

	if (o->netns && !(sp & BPFDUMP_PARAM_NETNS))
		return bd_err(d, -EINVAL, "target '%s': --netns applies to tcp, udp, unix, netlink "
			      "and ipv6_route only (%s)", t->name, sp ? "task targets take --pidns"
			      : "this target is global: no namespace scopes it");
	if ((o->pidns || o->mntns) && !(sp & BPFDUMP_PARAM_PIDNS))
		return bd_err(d, -EINVAL, "target '%s': --%s applies to task, task_file and "
			      "task_vma only (%s)", t->name, o->pidns ? "pidns" : "mntns",
			      sp ? "socket targets take --netns" :
			      "this target is global: no namespace scopes it");
	if (o->netns) {
		err = open_ns(d, "--netns", o->netns, CLONE_NEWNET, &s->netns_fd, &s->netns_ino);
		if (err)
			return err;
		s->netns_path = strdup(o->netns);
		if (!s->netns_path)
			return -ENOMEM;
		sb_printf(&w, "%s->ns.inum == %llu", net_path(t->name),
			  (unsigned long long)s->netns_ino);
	}
	if (o->pidns) {
		err = open_ns(d, "--pidns", o->pidns, CLONE_NEWPID, &s->pidns_fd, &s->pidns_ino);
		if (err)
			return err;
		err = pidns_level(d, o->pidns, s->pidns_fd, s->pidns_ino);
		if (err < 0)
			return err;
		s->pidns_level = err;
		/* visible in the namespace: it or one below it numbers the task */
		sb_printf(&w, "%stask->thread_pid->level >= %d && task->thread_pid->numbers[%d].ns->"
			  "ns.inum == %llu", w.len ? " && " : "", s->pidns_level, s->pidns_level,
			  (unsigned long long)s->pidns_ino);
	}
	if (o->mntns) {
		__u64 ino;

		err = open_ns(d, "--mntns", o->mntns, CLONE_NEWNS, &s->mntns_fd, &ino);
		if (err)
			return err;
	}
	if (o->cgroup && (sp & BPFDUMP_PARAM_PIDNS)) {
		err = open_task_cgroup(d, o->cgroup, s);
		if (err)
			return err;
		sb_printf(&w, "%stask->cgroups->dfl_cgrp->level >= %d && task->cgroups->dfl_cgrp->"
			  "ancestors[%d]->kn->id == %llu", w.len ? " && " : "", s->cgroup_level,
			  s->cgroup_level, (unsigned long long)s->cgroup_id);
	}
	s->where = w.s;
	bd_log(d, BPFDUMP_DEBUG, "scope: %s", s->where ? s->where : "none");
	return 0;
}

bool bd_scope_enters(const struct bd_scope *s)
{
	return s->netns_fd >= 0 || s->pidns_fd >= 0 || s->mntns_fd >= 0;
}

/* What the child says when it fails: which step, and errno. */
struct child_err {
	int step;
	int err;
};

enum { STEP_NETNS = 1, STEP_MNTNS, STEP_PIDNS, STEP_FORK, STEP_CREATE, STEP_READ, STEP_WRITE };

static const char *const step_names[] = {
	"", "enter the network namespace", "enter the mount namespace",
	"enter the pid namespace", "fork into the pid namespace", "create the iterator",
	"read the iterator", "send the records",
};

static void __attribute__((noreturn)) child_fail(int efd, int step)
{
	struct child_err ce = { step, errno };

	if (write(efd, &ce, sizeof(ce)) < 0)
		_exit(3);
	_exit(2);
}

/* Pass one fd (or, with fd < 0, just the errno e) over a unix socket. */
static int send_fd(int sock, int fd, int e)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {};
	struct iovec iov = { &e, sizeof(e) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		CMSG_FIRSTHDR(&mh)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&mh)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&mh)->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&mh)), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, 0) < 0 ? -1 : 0;
}

/* The fd sent, or -1 with *e the sender's errno. */
static int recv_fd(int sock, int *e)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = {};
	struct iovec iov = { e, sizeof(*e) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int fd = -1;

	*e = EIO;
	if (recvmsg(sock, &mh, 0) < 0) {
		*e = errno;
		return -1;
	}
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* Copy what the iterator writes into the pipe. Only async-signal-safe calls
 * in the children (the caller may be threaded). */
static void __attribute__((noreturn)) child_copy(int ifd, int out_fd, int efd)
{
	static char buf[1 << 16];

	for (;;) {
		ssize_t n = read(ifd, buf, sizeof(buf)), off = 0;

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			child_fail(efd, STEP_READ);
		if (n == 0)
			_exit(0);
		while (off < n) {
			ssize_t w = write(out_fd, buf + off, n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				child_fail(efd, STEP_WRITE);
			off += w;
		}
	}
}

/* The iterator takes its pid namespace from its creator, which must be a
 * process inside it: a grandchild creates it, hands the fd back and exits,
 * so it is gone before the walk (and not one of the tasks listed). The
 * child reads, with the mount namespace's root for the paths. */
static void __attribute__((noreturn)) child_main(const struct bd_scope *s, int link_fd,
						 int out_fd, int efd)
{
	int sk[2], ifd, e = 0, st;
	pid_t pid;

	if (s->netns_fd >= 0 && setns(s->netns_fd, CLONE_NEWNET))
		child_fail(efd, STEP_NETNS);
	if (s->mntns_fd >= 0 && setns(s->mntns_fd, CLONE_NEWNS))
		child_fail(efd, STEP_MNTNS);
	if (s->pidns_fd < 0) {
		ifd = bpf_iter_create(link_fd);
		if (ifd < 0)
			child_fail(efd, STEP_CREATE);
		child_copy(ifd, out_fd, efd);
	}
	if (setns(s->pidns_fd, CLONE_NEWPID))
		child_fail(efd, STEP_PIDNS);
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sk))
		child_fail(efd, STEP_FORK);
	pid = fork();
	if (pid < 0)
		child_fail(efd, STEP_FORK);
	if (pid == 0) {
		ifd = bpf_iter_create(link_fd);
		_exit(send_fd(sk[1], ifd, ifd < 0 ? errno : 0) ? 2 : 0);
	}
	close(sk[1]);
	ifd = recv_fd(sk[0], &e);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (ifd < 0) {
		errno = e;
		child_fail(efd, STEP_CREATE);
	}
	child_copy(ifd, out_fd, efd);
}

int bd_scope_start(struct bpfdump *d, const struct bd_scope *s, int link_fd,
		   struct bd_scope_run *r)
{
	int data[2], errp[2];
	pid_t pid;

	r->fd = r->err_fd = -1;
	r->pid = 0;
	if (!bd_scope_enters(s)) {
		r->fd = bpf_iter_create(link_fd);
		if (r->fd < 0)
			return bd_err(d, -errno, "cannot create the iterator: %s", strerror(errno));
		return 0;
	}
	if (pipe2(data, O_CLOEXEC))
		return bd_err(d, -errno, "scope: pipe: %s", strerror(errno));
	if (pipe2(errp, O_CLOEXEC)) {
		close(data[0]);
		close(data[1]);
		return bd_err(d, -errno, "scope: pipe: %s", strerror(errno));
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(data[0]);
		close(data[1]);
		close(errp[0]);
		close(errp[1]);
		return bd_err(d, err, "scope: fork: %s", strerror(-err));
	}
	if (pid == 0) {
		close(data[0]);
		close(errp[0]);
		child_main(s, link_fd, data[1], errp[1]);
	}
	close(data[1]);
	close(errp[1]);
	r->fd = data[0];
	r->err_fd = errp[0];
	r->pid = pid;
	return 0;
}

int bd_scope_end(struct bpfdump *d, struct bd_scope_run *r, int err)
{
	struct child_err ce = {};
	int st = 0;

	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	if (!r->pid)
		return err;
	while (waitpid(r->pid, &st, 0) < 0 && errno == EINTR)
		;
	r->pid = 0;
	if (read(r->err_fd, &ce, sizeof(ce)) == sizeof(ce) && ce.step > 0 &&
	    ce.step <= STEP_WRITE && !err) {
		/* the parent stopped reading early: the child's write fails, that is fine */
		err = bd_err(d, -ce.err, "scope: cannot %s: %s", step_names[ce.step],
			     strerror(ce.err));
	} else if (!err && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
		err = bd_err(d, -EIO, "scope: the reader in the namespaces died (status 0x%x)", st);
	}
	close(r->err_fd);
	r->err_fd = -1;
	return err;
}

int bd_pidns_host_pid(struct bpfdump *d, int pidns_fd, const char *pidns, int nspid)
{
	char path[64], line[256];
	int sock[2], pidfd = -1, host = -ESRCH, st;
	pid_t pid;
	FILE *f;

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sock))
		return bd_err(d, -errno, "--pidns: socketpair: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		/* enter, fork, and send back a pidfd of nspid as seen in there */
		pid_t c;
		int fd;

		if (setns(pidns_fd, CLONE_NEWPID))
			_exit(send_fd(sock[1], -1, errno) ? 2 : 0);
		c = fork();
		if (c > 0) {
			while (waitpid(c, &st, 0) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		if (c < 0)
			_exit(send_fd(sock[1], -1, errno) ? 2 : 0);
		fd = syscall(SYS_pidfd_open, nspid, 0);
		_exit(send_fd(sock[1], fd, fd < 0 ? errno : 0) ? 2 : 0);
	}
	close(sock[1]);
	if (pid < 0) {
		host = bd_err(d, -errno, "--pidns: fork: %s", strerror(errno));
		close(sock[0]);
		return host;
	}
	{
		int e;

		pidfd = recv_fd(sock[0], &e);
		close(sock[0]);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		if (pidfd < 0) {
			if (e == ESRCH || e == EINVAL)
				host = bd_err(d, -ESRCH, "pid namespace '%s' has no process %d",
					      pidns, nspid);
			else
				host = bd_err(d, -e, "--pidns '%s': cannot look pid %d up: %s",
					      pidns, nspid, strerror(e));
			return host;
		}
	}
	/* the pidfd's fdinfo shows the pid in our namespace */
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	host = -ESRCH;
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "Pid:", 4))
			host = atoi(line + 4);
	if (f)
		fclose(f);
	close(pidfd);
	if (host <= 0)
		host = bd_err(d, -ESRCH, "pid namespace '%s': process %d has exited", pidns, nspid);
	return host;
}

int bpfdump__pidns_pid(struct bpfdump *d, const char *pidns, int nspid)
{
	__u64 ino;
	int fd, host;

	if (!pidns || nspid <= 0)
		return bd_err(d, -EINVAL, "--pidns: give a namespace file and a positive pid");
	host = open_ns(d, "--pidns", pidns, CLONE_NEWPID, &fd, &ino);
	if (host)
		return host;
	host = bd_pidns_host_pid(d, fd, pidns, nspid);
	close(fd);
	return host;
}
