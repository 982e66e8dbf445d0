/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Tracing one command (trace ... -- CMD) or one process tree (-p PID --follow): the
 * command is started held, put in a cgroup made for it, and let go once the probes
 * are attached; a process tree is a map of its threads kept by fork/exit programs.
 */
#ifndef BPFDUMP_TRACE_CMD_H
#define BPFDUMP_TRACE_CMD_H

#include <limits.h>
#include <sys/types.h>

#include "internal.h"

struct bd_trace_cmd {
	pid_t child;		/* the command, or -1 */
	bool as_user;		/* run it as uid/gid with user's groups */
	uid_t uid;
	gid_t gid;
	char user[64];
	int go_fd;		/* a byte here lets the held command exec */
	bool exited;
	int status;		/* its wait status, once exited */
	/* the cgroup made for it, or cg_path[0] == 0 */
	char cg_path[PATH_MAX];
	char cg_parent[PATH_MAX];
	__u64 cg_id;
	int cg_level;
	/* the process tree (--follow, or no cgroup to make): tid -> 1 */
	int tree_fd;
	int full_fd;		/* array[1]: forks not followed, the tree map full */
	int prog_fd[2], link_fd[2];	/* fork and exit trackers */
	bool seed_proc;		/* no task iterator here: seeded from /proc */
	bool seed_said;
};

void bd_trace_cmd_init(struct bd_trace_cmd *c);
/* Start argv held (as user, a name or a number, when not NULL): a shell's 127 (not
 * found) or 126 (not executable) with -ENOENT or -EACCES before anything is started;
 * then in a new cgroup, or in the tree map. */
int bd_trace_cmd_start(struct bpfdump *d, struct bd_trace_cmd *c, const char *const *argv,
		       const char *user);
/* The tree map holds pid's threads and those of its descendants, and follows forks. */
int bd_trace_cmd_follow(struct bpfdump *d, struct bd_trace_cmd *c, int pid);
/* Let the held command exec. */
int bd_trace_cmd_release(struct bpfdump *d, struct bd_trace_cmd *c);
/* true once the command has exited (reaped, status kept) */
bool bd_trace_cmd_done(struct bd_trace_cmd *c);
/* Detach the trackers; end the command if it still runs (SIGTERM, then SIGKILL) and
 * reap it; move what is left in its cgroup to the parent and remove the cgroup. */
void bd_trace_cmd_end(struct bpfdump *d, struct bd_trace_cmd *c);

#endif
