/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Container scopes: namespaces and cgroups a query runs in (scope.c). */
#ifndef BPFDUMP_SCOPE_H
#define BPFDUMP_SCOPE_H

#include "context.h"

/* scope.c: a container scope (namespaces to enter, and its predicate) */
struct bd_scope {
	int netns_fd, pidns_fd, mntns_fd;
	__u64 netns_ino, pidns_ino;
	char *netns_path;
	int pidns_level;	/* absolute; 0 without --pidns */
	bool has_cgroup;	/* task targets: the tasks of a cgroup subtree */
	__u64 cgroup_id;
	int cgroup_level;
	char *where;		/* the scope as a predicate, or NULL */
};

struct bd_scope_run {
	int fd;			/* read the records here */
	int err_fd;
	int pid;		/* the child in the namespaces, or 0 */
};

/* BPFDUMP_PARAM_NETNS / _PIDNS for a target name, or 0 (a global target). */
unsigned int bd_scope_params(const char *target);
void bd_scope_init(struct bd_scope *s);
void bd_scope_close(struct bd_scope *s);
/* Check and open o's netns/pidns/mntns (and, for task targets, its cgroup). */
int bd_scope_open(struct bpfdump *d, const struct bd_target *t,
		  const struct bpfdump_query_opts *o, struct bd_scope *s);
bool bd_scope_enters(const struct bd_scope *s);
/* An fd with the iterator's output: the iterator itself, or a pipe from a child
 * that created and reads it inside the scope's namespaces. */
int bd_scope_start(struct bpfdump *d, const struct bd_scope *s, int link_fd,
		   struct bd_scope_run *r);
/* Close, reap the child; returns err, or the child's failure when err is 0. */
int bd_scope_end(struct bpfdump *d, struct bd_scope_run *r, int err);
/* Where cgroup2 is mounted (first cgroup2 line of /proc/self/mounts). */
int bd_cgroup2_root(char *buf, size_t len);
/* A cgroup2 directory's id (its kernfs node) and level in the hierarchy. */
int bd_cgroup_scope(struct bpfdump *d, const char *path, __u64 *id, int *level);
/* The pid, in our numbering, of process nspid of the pid namespace open at
 * pidns_fd (pidns: its file, for messages). */
int bd_pidns_host_pid(struct bpfdump *d, int pidns_fd, const char *pidns, int nspid);

/* scope.c: a namespace file (/proc/PID/ns/TYPE, /run/netns/NAME) opened without ever
 * blocking (O_PATH, checked to be nsfs, reopened through /proc/self/fd) and checked to be
 * of type want (CLONE_NEWNET, _NEWPID, _NEWNS). opt names the option in the one message.
 * Returns the fd (its inode in *ino when ino is not NULL) or -errno. */
int bd_ns_open(struct bpfdump *d, const char *opt, const char *path, int want, __u64 *ino);

#endif
