// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Acting as the caller of a view request: the calling thread's file-system identity
 * (fsuid, fsgid, supplementary groups) is switched to the caller's, so that path walks
 * and permission checks are the kernel's own for that user (search permission on each
 * directory, modes, ACLs), not a copy of its rules.
 *
 * Only this thread changes: the raw syscalls act on the calling task alone, where
 * glibc's setgroups() and setfsuid() wrappers may be broadcast to every thread. fsuid
 * 0 -> N drops the file-system capabilities (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
 * CAP_FOWNER...), N -> 0 raises them again from the permitted set.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "view_int.h"

void bd_caller_init(struct bd_caller *c, uid_t uid, gid_t gid)
{
	memset(c, 0, sizeof(*c));
	c->uid = uid;
	c->gid = gid;
	c->root = uid == 0;
}

void bd_caller_free(struct bd_caller *c)
{
	free(c->groups);
	free(c->saved);
	c->groups = c->saved = NULL;
	c->ngroups = c->saved_cnt = 0;
}

static long fs_id(long nr, unsigned int id)
{
	syscall(nr, id);
	return syscall(nr, -1);	/* reads back the current one: setfs*id never fail loudly */
}

/* Back to the daemon's own identity. A thread that cannot get it back would serve later
 * requests as someone else: that is not survivable. */
void bd_caller_leave(struct bd_caller *c)
{
	if (c->root || !c->entered)
		return;
	if (fs_id(SYS_setfsuid, 0) != 0 || fs_id(SYS_setfsgid, c->saved_gid) != (long)c->saved_gid ||
	    syscall(SYS_setgroups, c->saved_cnt, c->saved)) {
		fprintf(stderr, "bpfdump: view: cannot restore the daemon's credentials: %s\n",
			strerror(errno));
		abort();
	}
	c->entered = false;
}

int bd_caller_enter(struct bd_caller *c)
{
	long n;
	int err;

	if (c->root)
		return 0;
	n = syscall(SYS_getgroups, 0, NULL);
	if (n < 0)
		return -errno;
	free(c->saved);
	c->saved = malloc((n ? n : 1) * sizeof(gid_t));
	if (!c->saved)
		return -ENOMEM;
	n = syscall(SYS_getgroups, n, c->saved);
	if (n < 0)
		return -errno;
	c->saved_cnt = n;
	c->saved_gid = syscall(SYS_setfsgid, -1);
	if (syscall(SYS_setgroups, c->ngroups, c->groups))
		return -errno;
	c->entered = true;	/* from here on, leave restores */
	if (fs_id(SYS_setfsgid, c->gid) != (long)c->gid ||
	    fs_id(SYS_setfsuid, c->uid) != (long)c->uid) {
		err = -EPERM;
		bd_caller_leave(c);
		return err;
	}
	return 0;
}

int bd_caller_open(const struct bd_caller *c, const char *path, bool need_read)
{
	struct stat st;
	int fd, err;

	if (!c->root && !c->entered)
		return -EPERM;
	/* O_PATH: the walk needs search permission on every directory, the file none */
	fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto close_fd;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -ENOENT;
		goto close_fd;
	}
	/* AT_EACCESS: with the fs identity set above (modes, groups, ACLs) */
	if (need_read && !c->root && faccessat(fd, "", R_OK, AT_EMPTY_PATH | AT_EACCESS)) {
		err = -errno;
		goto close_fd;
	}
	return fd;
close_fd:
	close(fd);
	return err;
}
