/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* bpffs pins: dumpers and object pins, their @bin/@meta twins, the walker over them. */
#ifndef BPFDUMP_PIN_H
#define BPFDUMP_PIN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "internal.h"

/* The query record PATH@meta: one array element of META_MAX bytes, key=value lines. */
#define META_MAX	8192
#define META_MAP_NAME	"bpfdump_meta"
#define META_TEXT_LINK	"text_link_id"
#define META_TEXT_PROG	"text_prog_id"
#define META_BIN_LINK	"bin_link_id"
#define META_BIN_PROG	"bin_prog_id"
/* An object pin's @meta: the user's .bpf.o it was made from (no @bin then). */
#define META_OBJECT	"object"
#define META_OBJECT_TARGET "object_target"

/* PATH -> PATH@bin and PATH@meta */
int bd_twin_paths(const char *path, char *bin, char *meta, size_t len);
/* The text of a PATH@meta that may be trusted (see bd_twin_get), into buf. */
int bd_read_meta(const char *meta_path, char *buf, size_t len);
/* The BPF object of twin name in dir_fd, opened without following a link: only a
 * regular bpffs file owned by root (or by us) with mode 0600. -EPERM when it is not
 * trusted, -ENOENT when absent. */
int bd_twin_get(int dir_fd, const char *name);
/* The meta text of a trusted PATH@meta map fd, after checking its type and sizes. */
int bd_meta_read_fd(int map_fd, char *buf, size_t len);
/* The BPF object behind an O_PATH fd (reached through /proc/self/fd: that very inode). */
int bd_bpffs_obj_get(int opath_fd);
/* Pin obj_fd as name in dir_fd (an O_PATH bpffs directory), then give that very file
 * mode (0: keep 0600) and owner (-1: keep) through an fd of it; path is for messages.
 * The pin is removed again when that fails. */
int bd_pin_at(struct bpfdump *d, int dir_fd, const char *name, int obj_fd, const char *path,
	      unsigned int mode, int uid, int gid);
/* A pin path's form, before anything is made: absolute, a name bpffs takes, not too
 * long; the same rules and messages for dumpers and object pins. */
int bd_pin_path_check(struct bpfdump *d, const char *path);

/* What an object pin's @meta records (shown by show, checked by cat and rm). */
struct bd_object_meta {
	const char *object;	/* the .bpf.o's path */
	const char *prog;	/* its iterator program */
	const char *target;
	const struct bpfdump_query_opts *params;	/* pid, tid, cgroup, order, map */
};
/* Pin the iterator link link_fd of a user's object at path, with a root 0600 @meta
 * recording om and the link's ids: what target pins get (missing directories made,
 * bpffs mounted, --force, the same checks and messages). Nothing is left on failure. */
int bd_object_pin(struct bpfdump *d, const char *path, int link_fd,
		  const struct bd_object_meta *om, const struct bpfdump_pin_opts *opts);
/* The last component of path. */
static inline const char *bd_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}
/* An O_PATH fd of the bpffs directory holding path. */
int bd_pin_dir_open(struct bpfdump *d, const char *path);
bool bd_meta_get(const char *meta, const char *k, char *out, size_t len);
int bd_dumper_remove(struct bpfdump *d, const char *path, bool force);
/* Print the dumper whose visible pin is pin_fd: an O_PATH fd of PATH opened by whoever
 * checked that the reader may open it (the view daemon does so as the reader). Its twins
 * are trusted only when they are root's, mode 0600, no links, and one dumper with it. */
long bd_dumper_cat(struct bpfdump *d, int pin_fd, const char *path, FILE *out,
		   const struct bpfdump_print_opts *opts);
int bd_pin_kind(const char *path, char *buf, size_t len);
int bd_mount_bpffs_if_needed(struct bpfdump *d, const char *path);
/* Call fn for every bpffs mount point in /proc/self/mounts. */
void bd_each_bpffs(void (*fn)(const char *mnt, void *ctx), void *ctx);

/* A file bd_pin_walk found: a regular file (path and st set), or a twin entry
 * NAME@bin / NAME@meta (twin "bin" or "meta", NAME is base_len bytes of name; not
 * stat'ed, path and st NULL). */
struct bd_pin_entry {
	const char *dir;
	const char *name;
	const char *path;
	const struct stat *st;
	const char *twin;
	size_t base_len;
};
/* Nonzero (a negative errno) stops the walk and is what bd_pin_walk returns. */
typedef int (*bd_pin_visit_fn)(void *ctx, const struct bd_pin_entry *e);
/* Visit the regular files and twins under root (every bpffs mount when NULL), 16
 * directory levels deep, links not followed. Returns what fn stopped with, else the
 * first directory's -EMFILE/-ENFILE/-ENOMEM (the walk went on past it), else 0. */
int bd_pin_walk(const char *root, bd_pin_visit_fn fn, void *ctx);
/* The id and program id (when prog_id is not NULL) of an iterator link;
 * -EMEDIUMTYPE for another kind of link. */
int bd_iter_link_ids(int link_fd, __u32 *id, __u32 *prog_id);

static inline int mount_bpffs(void)
{
	return mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0755");
}

#endif
