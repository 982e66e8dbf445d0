/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Views: a FUSE filesystem of dumpers and per-cgroup views.
 *
 *   MOUNT/TARGET/_default[.json]     the target's default columns
 *   MOUNT/TARGET/NAME[.json]         each dumper bpfdump pinned in bpffs
 *   MOUNT/cgroup/PATH/VIEW[.json]    a view, for the cgroup2 directory PATH only
 *
 * Views are field lists kept in a small config file (default
 * /var/lib/bpfdump/views.conf; $BPFDUMP_VIEWS overrides it).
 */
#ifndef BPFDUMP_VIEW_H
#define BPFDUMP_VIEW_H

#include "bpfdump.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BPFDUMP_VIEWS_CONF "/var/lib/bpfdump/views.conf"

struct bpfdump_view_opts {
	size_t sz;
	const char *target;	/* task, task_file, task_vma or cgroup */
	const char *columns;	/* field list (required) */
	const char *where;	/* predicate, or NULL */
	unsigned int mode;	/* file mode in the mount (0: 0400) */
	int uid;		/* owner (0: root) */
	int gid;		/* group (0: root) */
	const char *pidns;	/* task targets: bind the view to this pid namespace file
				 * (its tasks only; nspid()/nstgid() number in it) */
	size_t :0;
};
#define bpfdump_view_opts__last_field pidns

/* Add a view to the config file (NULL: $BPFDUMP_VIEWS or BPFDUMP_VIEWS_CONF) after
 * building its query once; -EEXIST when the name is taken, the parser's message otherwise. */
BPFDUMP_API int bpfdump__view_add(struct bpfdump *d, const char *conf, const char *name,
				  const struct bpfdump_view_opts *opts);
BPFDUMP_API int bpfdump__view_remove(struct bpfdump *d, const char *conf, const char *name);
/* Print the views (built-in ones too) as a table or JSON lines. */
BPFDUMP_API int bpfdump__view_list(struct bpfdump *d, const char *conf, FILE *out,
				   const struct bpfdump_print_opts *opts);

struct bpfdump_mount_opts {
	size_t sz;
	const char *conf;	/* views config (NULL: as for view_add) */
	const char *bpffs;	/* where to look for dumpers (NULL: every bpffs mount) */
	bool allow_other;	/* let other users in (each file's mode/owner still apply) */
	bool foreground;	/* else daemonize once mounted */
	unsigned int default_mode; /* _default files and built-in views (0: 0400) */
	int threads;		/* max FUSE worker threads (0: 16) */
	size_t :0;
};
#define bpfdump_mount_opts__last_field threads

/* Mount at dir and serve until unmounted (umount, fusermount3 -u, SIGINT/SIGTERM). */
BPFDUMP_API int bpfdump__view_mount(struct bpfdump *d, const char *dir,
				    const struct bpfdump_mount_opts *opts);

#ifdef __cplusplus
}
#endif

#endif
