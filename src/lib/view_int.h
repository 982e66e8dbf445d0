/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* What view_conf.c, view_cache.c, view_pins.c and view_fs.c share. */
#ifndef BPFDUMP_VIEW_INT_H
#define BPFDUMP_VIEW_INT_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

#include "bpfdump_view.h"
#include "internal.h"

#define BD_VIEW_NAME_MAX 64
#define BD_CACHE_MAX 64		/* loaded queries kept by a mount */
#define BD_VIEW_OPEN_MAX 64	/* files one non-root uid may hold open in a mount */


struct bd_view {
	char *name, *target, *columns, *where;
	char *pidns;		/* bound to this pid namespace file, or NULL */
	unsigned int mode;
	uid_t uid;
	gid_t gid;
	bool builtin;
};

struct bd_views {
	struct bd_view *v;
	int cnt;
	size_t cap;
};

/* view_caller.c: this thread acting as a request's caller */
struct bd_caller {
	uid_t uid;
	gid_t gid;
	gid_t *groups;		/* the caller's supplementary groups */
	int ngroups;
	bool root;		/* uid 0: nothing to switch */
	bool entered;
	gid_t saved_gid;	/* the thread's own, restored at leave */
	gid_t *saved;
	int saved_cnt;
};
void bd_caller_init(struct bd_caller *c, uid_t uid, gid_t gid);
void bd_caller_free(struct bd_caller *c);
/* Switch this thread's fsuid, fsgid and groups to the caller's (not for root callers). */
int bd_caller_enter(struct bd_caller *c);
/* Back to the daemon's identity; aborts when that is impossible. */
void bd_caller_leave(struct bd_caller *c);
/* Between enter and leave: an O_PATH fd of the regular file path, opened as the caller
 * (search permission on each directory), and with need_read, readable by the caller
 * (modes, groups and ACLs, by the kernel). -errno otherwise. */
int bd_caller_open(const struct bd_caller *c, const char *path, bool need_read);

/* view_conf.c */
const char *bd_views_path(const char *conf);
/* Read the config file (missing: no views) and prepend the built-in views, whose mode
 * and owner are builtin_mode and root. */
int bd_views_load(struct bpfdump *d, const char *path, unsigned int builtin_mode,
		  struct bd_views *vs);
void bd_views_free(struct bd_views *vs);
const struct bd_view *bd_views_find(const struct bd_views *vs, const char *name);
bool bd_view_name_ok(const char *name);
/* The scope a view runs in for cgroup id cgid: the membership predicate of task targets,
 * parsed on its own and ANDed to the view's where as a tree (never joined as text).
 * Returns a malloc'd string or NULL (no scope: cgroup targets); *err set on ENOMEM. */
char *bd_view_scope(const struct bd_view *v, unsigned long long cgid, int *err);
bool bd_view_target_ok(const struct bpfdump *d, const char *target);

/* view_cache.c: loaded queries, keyed by their spec; shared by concurrent readers */
struct bd_cache;
struct bd_cache *bd_cache__new(struct bpfdump *d);
void bd_cache__free(struct bd_cache *c);
/* Find or build the query; the caller owns a reference until bd_cache__put. NULL with
 * errno and msg (the library's message) on failure. */
struct bpfdump_query *bd_cache__get(struct bd_cache *c, const struct bpfdump_query_opts *o,
				    const char *scope, char *msg, size_t msg_len);
void bd_cache__put(struct bd_cache *c, struct bpfdump_query *q);
/* Run a query into out with the context's error message kept per call. */
long bd_cache__print(struct bd_cache *c, struct bpfdump_query *q, FILE *out,
		     const struct bpfdump_print_opts *po, char *msg, size_t msg_len);
/* Print the dumper pinned at path, whose O_PATH fd pin_fd the caller's check opened
 * (bd_dumper_cat), under the same rules. */
long bd_cache__cat(struct bd_cache *c, int pin_fd, const char *path, FILE *out,
		   const struct bpfdump_print_opts *po, char *msg, size_t msg_len);

/* view_pins.c: dumpers bpfdump pinned, found in bpffs */
struct bd_pin {
	char name[256];		/* as shown: the pin's basename (~LINKID if taken) */
	char path[PATH_MAX];
	char target[64];
	mode_t mode;
	uid_t uid;
	gid_t gid;
};
/* Every dumper under root (NULL: every bpffs mount) whose target is target (NULL: any).
 * A directory that cannot be read for want of fds or memory fails the scan (-EMFILE,
 * -ENFILE, -ENOMEM): that is not "no dumpers". */
int bd_pins_scan(const char *root, const char *target, struct bd_pin **pins, int *cnt);

#endif
