// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The views filesystem (FUSE, multi-threaded):
 *   /                                one directory per iterator target
 *   /TARGET/_default[.json]          the target's default columns
 *   /TARGET/NAME[.json]              each dumper bpfdump pinned (view_pins.c)
 *   /cgroup/PATH/                    the cgroup2 hierarchy, followed live
 *   /cgroup/PATH/VIEW[.json]         a view (view_conf.c) for that cgroup only
 * A file's contents are made at open(): the dump runs into a per-open temporary
 * file, and read() serves offsets from it, so each reader gets one whole, consistent
 * dump however it reads. Files are direct_io with size 0, like /proc: the size is
 * not known before the dump runs. Nothing is cached by the kernel (timeouts 0), so
 * new pins, removed cgroups and changed views show at the next lookup.
 *
 * Access: a dumper is shown to a caller, and opened for it, exactly when the caller could
 * open its pin itself: the pin is opened (O_PATH) and checked for read (faccessat) with
 * this thread acting as the caller (view_caller.c), so the kernel applies search
 * permission on each directory of the path, modes, groups and ACLs. A name the caller
 * cannot reach does not exist for it (ENOENT). The daemon's own files (_default, views)
 * have the mode and owner the view config gives them. Each non-root uid holds at most
 * BD_VIEW_OPEN_MAX open files (each is a temporary file); past that, EMFILE for that uid.
 */
#define FUSE_USE_VERSION 312
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <fuse.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "output.h"
#include "view_int.h"
#include "util.h"

struct vfs {
	struct bpfdump *d;
	struct bd_cache *cache;
	char cgroot[PATH_MAX];	/* "" when there is no cgroup2 mount */
	char bpffs[PATH_MAX];	/* "" for every bpffs mount */
	char conf[PATH_MAX];
	unsigned int default_mode;
	time_t mounted;
	pthread_mutex_t views_lock;
	struct bd_views views;
	struct stat conf_st;	/* of the loaded version; st_ino 0: absent */
	pthread_mutex_t open_lock;
	struct open_file *open;	/* open files: fstat works after their path went away */
	struct uid_opens {
		uid_t uid;
		int cnt;
	} *opens;		/* open files per non-root uid, under open_lock */
	int opens_cnt;
	size_t opens_cap;
};

enum node_kind { N_ROOT, N_TARGET, N_CGDIR, N_DEFAULT, N_PIN, N_VIEW };

struct node {
	enum node_kind kind;
	bool json;
	char target[64];
	char cgpath[PATH_MAX];	/* absolute, N_CGDIR and N_VIEW */
	char pin[PATH_MAX];	/* N_PIN */
	int pin_fd;		/* N_PIN: O_PATH, opened as the caller; else -1 */
	bool readable;		/* N_PIN: the caller may read the pin */
	struct bd_view view;	/* N_VIEW: copies */
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

struct open_file {
	FILE *f;		/* NULL for a directory handle */
	char *dir;		/* a directory handle's path */
	struct stat st;		/* getattr of an open file whose path went away */
	char *path;		/* an open file's path, in the list of open files */
	uid_t uid;		/* counted in vfs.opens unless 0 */
	struct open_file *next;
};

static struct vfs *vfs_get(void)
{
	return fuse_get_context()->private_data;
}

static void node_reset(struct node *n)
{
	memset(n, 0, sizeof(*n));
	n->pin_fd = -1;
}

static void node_free(struct node *n)
{
	if (n->pin_fd >= 0)
		close(n->pin_fd);
	n->pin_fd = -1;
	free(n->view.name);
	free(n->view.target);
	free(n->view.columns);
	free(n->view.where);
	free(n->view.pidns);
	memset(&n->view, 0, sizeof(n->view));
}

static bool is_target(const struct vfs *v, const char *name)
{
	int i, cnt = bpfdump__target_cnt(v->d);

	for (i = 0; i < cnt; i++)
		if (!strcmp(bpfdump__target_name(v->d, i), name))
			return true;
	return false;
}

/* _default needs no parameter the mount cannot give (map targets need --map). */
static bool has_default(const struct vfs *v, const char *target)
{
	int p = bpfdump__target_params(v->d, target);

	return p >= 0 && !(p & BPFDUMP_PARAM_MAP);
}

/* Reload the views when the config file changed (checked at every lookup). */
static void views_refresh(struct vfs *v)
{
	struct bd_views nv;
	struct stat st = {};
	bool same;

	if (stat(v->conf, &st))
		memset(&st, 0, sizeof(st));
	pthread_mutex_lock(&v->views_lock);
	same = st.st_ino == v->conf_st.st_ino && st.st_size == v->conf_st.st_size &&
	       st.st_mtim.tv_sec == v->conf_st.st_mtim.tv_sec &&
	       st.st_mtim.tv_nsec == v->conf_st.st_mtim.tv_nsec && v->views.cnt;
	if (!same) {
		if (bd_views_load(v->d, v->conf, v->default_mode, &nv)) {
			bd_log(v->d, BPFDUMP_WARN, "views '%s': not reloaded: %s", v->conf,
			       bpfdump__errmsg(v->d));
		} else {
			bd_views_free(&v->views);
			v->views = nv;
			v->conf_st = st;
		}
	}
	pthread_mutex_unlock(&v->views_lock);
}

/* Copy view name (".json" already cut) into n; false when there is none. */
static bool find_view(struct vfs *v, const char *name, struct node *n)
{
	const struct bd_view *bv;
	bool found = false;

	views_refresh(v);
	pthread_mutex_lock(&v->views_lock);
	bv = bd_views_find(&v->views, name);
	if (bv) {
		n->view.name = strdup(bv->name);
		n->view.target = strdup(bv->target);
		n->view.columns = strdup(bv->columns);
		n->view.where = bv->where ? strdup(bv->where) : NULL;
		n->view.pidns = bv->pidns ? strdup(bv->pidns) : NULL;
		n->mode = bv->mode;
		n->uid = bv->uid;
		n->gid = bv->gid;
		found = n->view.name && n->view.target && n->view.columns &&
			(!bv->where || n->view.where) && (!bv->pidns || n->view.pidns);
	}
	pthread_mutex_unlock(&v->views_lock);
	if (!found)
		node_free(n);
	return found;
}

/* The request's caller: uid, gid and supplementary groups. */
static int caller_get(struct bd_caller *c)
{
	struct fuse_context *ctx = fuse_get_context();
	int n, size = 32;

	bd_caller_init(c, ctx->uid, ctx->gid);
	if (c->root)
		return 0;
	for (;;) {
		gid_t *g = realloc(c->groups, size * sizeof(*g));

		if (!g) {
			bd_caller_free(c);
			return -ENOMEM;
		}
		c->groups = g;
		n = fuse_getgroups(size, g);
		if (n < 0) {
			/* no groups known (the caller is gone): it gets nothing */
			bd_caller_free(c);
			return -EACCES;
		}
		if (n <= size)
			break;
		size = n;
	}
	c->ngroups = n;
	return 0;
}

/* Errors that mean the daemon could not look, not that nothing is there. */
static bool daemon_short(int err)
{
	return err == -EMFILE || err == -ENFILE || err == -ENOMEM;
}

/* As the caller: n->pin_fd if it reaches the pin (else -ENOENT: no name leaks), and
 * whether it may read it. */
static int pin_as_caller(struct node *n)
{
	struct bd_caller c;
	int fd, err;

	err = caller_get(&c);
	if (err)
		return daemon_short(err) ? err : -ENOENT;
	err = bd_caller_enter(&c);
	if (err)
		goto free_caller;
	fd = bd_caller_open(&c, n->pin, false);
	if (fd >= 0) {
		n->pin_fd = fd;
		n->readable = c.root || !faccessat(fd, "", R_OK, AT_EMPTY_PATH | AT_EACCESS);
	}
	bd_caller_leave(&c);
	err = fd < 0 ? fd : 0;
free_caller:
	bd_caller_free(&c);
	if (err && !daemon_short(err))
		err = -ENOENT;
	return err;
}

/* NAME or NAME.json: the base name and whether JSON was asked for. */
static void split_json(const char *name, char *base, size_t len, bool *json)
{
	size_t n = strlen(name);

	*json = n > 5 && !strcmp(name + n - 5, ".json");
	snprintf(base, len, "%.*s", (int)(*json ? n - 5 : n), name);
}

/* A file in a target's directory: _default or a dumper. */
static int resolve_target_file(struct vfs *v, const char *target, const char *name,
			       struct node *n)
{
	struct bd_pin *pins = NULL;
	char base[256];
	int cnt = 0, i, err;

	split_json(name, base, sizeof(base), &n->json);
	snprintf(n->target, sizeof(n->target), "%s", target);
	if (!strcmp(base, "_default")) {
		if (!has_default(v, target))
			return -ENOENT;
		n->kind = N_DEFAULT;
		n->mode = v->default_mode;
		return 0;
	}
	err = bd_pins_scan(v->bpffs[0] ? v->bpffs : NULL, target, &pins, &cnt);
	if (err)
		return err;
	err = -ENOENT;
	for (i = 0; i < cnt; i++) {
		if (strcmp(pins[i].name, base))
			continue;
		n->kind = N_PIN;
		snprintf(n->pin, sizeof(n->pin), "%s", pins[i].path);
		n->mode = pins[i].mode;
		n->uid = pins[i].uid;
		n->gid = pins[i].gid;
		err = pin_as_caller(n);
		break;
	}
	free(pins);
	return err;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int resolve(struct vfs *v, const char *path, struct node *n)
{
	char first[64], rest[PATH_MAX], parent[PATH_MAX];
	const char *slash, *last;
	size_t flen;

	node_reset(n);
	if (!strcmp(path, "/")) {
		n->kind = N_ROOT;
		return 0;
	}
	path++;
	slash = strchr(path, '/');
	flen = slash ? (size_t)(slash - path) : strlen(path);
	if (flen >= sizeof(first))
		return -ENOENT;
	memcpy(first, path, flen);
	first[flen] = '\0';
	if (!is_target(v, first))
		return -ENOENT;
	snprintf(n->target, sizeof(n->target), "%s", first);
	if (!slash || !slash[1]) {
		n->kind = N_TARGET;
		if (!strcmp(first, "cgroup") && v->cgroot[0]) {
			n->kind = N_CGDIR;
			snprintf(n->cgpath, sizeof(n->cgpath), "%s", v->cgroot);
		}
		return 0;
	}
	snprintf(rest, sizeof(rest), "%s", slash + 1);
	if (strcmp(first, "cgroup") || !v->cgroot[0])
		return strchr(rest, '/') ? -ENOENT : resolve_target_file(v, first, rest, n);

	/* under /cgroup: a cgroup directory, or a file in one */
	if (strstr(rest, "..") || snprintf(n->cgpath, sizeof(n->cgpath), "%s/%s", v->cgroot,
					   rest) >= (int)sizeof(n->cgpath))
		return -ENOENT;
	if (is_dir(n->cgpath)) {
		n->kind = N_CGDIR;
		return 0;
	}
	/* n->cgpath is cgroot/rest: its parent is a directory under cgroot */
	memcpy(parent, n->cgpath, sizeof(n->cgpath));
	*strrchr(parent, '/') = '\0';
	last = strrchr(rest, '/');
	last = last ? last + 1 : rest;
	if (!is_dir(parent))
		return -ENOENT;
	if (parent[strlen(v->cgroot)] == '\0') {
		int err = resolve_target_file(v, "cgroup", last, n);

		if (!err || daemon_short(err))
			return err;
	}
	node_free(n);
	node_reset(n);
	snprintf(n->target, sizeof(n->target), "cgroup");
	snprintf(n->cgpath, sizeof(n->cgpath), "%s", parent);
	{
		char base[BD_VIEW_NAME_MAX + 8];

		split_json(last, base, sizeof(base), &n->json);
		if (strlen(last) >= sizeof(base) - 1 || !find_view(v, base, n))
			return -ENOENT;
	}
	n->kind = N_VIEW;
	return 0;
}

static void fill_stat(const struct vfs *v, const struct node *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_atime = st->st_mtime = st->st_ctime = v->mounted;
	if (n->kind == N_ROOT || n->kind == N_TARGET || n->kind == N_CGDIR) {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
		return;
	}
	st->st_mode = S_IFREG | (n->mode & 07777);
	st->st_nlink = 1;
	st->st_uid = n->uid;
	st->st_gid = n->gid;
	st->st_size = 0;	/* direct_io: known only once the dump ran */
	st->st_atime = st->st_mtime = st->st_ctime = time(NULL);
}

static int vfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct vfs *v = vfs_get();
	struct node n;
	int err;

	if (fi && fi->fh) {
		/* fstat of an open file: what it was at open, even when the path went away */
		struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;

		if (of->f) {
			*st = of->st;
			return 0;
		}
		path = path ? path : of->dir;
	}
	if (!path)
		return -ENOENT;
	err = resolve(v, path, &n);

	if (!err)
		fill_stat(v, &n, st);
	node_free(&n);
	return err;
}

/* Read permission for the caller: a dumper's as the kernel said for its pin, the daemon's
 * own files' by their mode and owner. */
static bool may_read(const struct node *n)
{
	struct fuse_context *ctx = fuse_get_context();
	gid_t groups[64];
	int cnt, i;

	if (n->kind == N_PIN)
		return n->readable;
	if (ctx->uid == 0)
		return true;
	if (ctx->uid == n->uid)
		return n->mode & 0400;
	if (ctx->gid == n->gid)
		return n->mode & 0040;
	cnt = fuse_getgroups(sizeof(groups) / sizeof(groups[0]), groups);
	for (i = 0; i < cnt && i < (int)(sizeof(groups) / sizeof(groups[0])); i++)
		if (groups[i] == n->gid)
			return n->mode & 0040;
	return n->mode & 0004;
}

static int vfs_access(const char *path, int mask)
{
	struct vfs *v = vfs_get();
	struct node n;
	int err = resolve(v, path, &n);

	if (err)
		return err;
	if (n.kind == N_ROOT || n.kind == N_TARGET || n.kind == N_CGDIR)
		err = mask & W_OK ? -EACCES : 0;
	else if ((mask & (W_OK | X_OK)) || ((mask & R_OK) && !may_read(&n)))
		err = -EACCES;
	node_free(&n);
	return err;
}

/* Run the node's dump into out. */
static int produce(struct vfs *v, const char *path, struct node *n, FILE *out)
{
	struct bpfdump_print_opts po = { .sz = sizeof(po),
					 .format = n->json ? BPFDUMP_FMT_JSON : BPFDUMP_FMT_TABLE };
	struct bpfdump_query_opts qo = { .sz = sizeof(qo), .target = n->target };
	struct bpfdump_query *q;
	char msg[512] = "", *scope = NULL;
	struct stat st;
	long ret;
	int err;

	/* kernel addresses as /proc/kallsyms shows them to this reader */
	bd_print_opts_set_reader(&po, fuse_get_context()->pid, fuse_get_context()->uid);
	if (n->kind == N_PIN) {
		ret = bd_cache__cat(v->cache, n->pin_fd, n->pin, out, &po, msg, sizeof(msg));
		goto done;
	}
	if (n->kind == N_VIEW) {
		if (stat(n->cgpath, &st))
			return -ENOENT;	/* the cgroup went away */
		qo.target = n->view.target;
		qo.columns = n->view.columns;
		/* the where alone; the cgroup is a scope parsed on its own, ANDed as a tree */
		scope = bd_view_scope(&n->view, st.st_ino, &err);
		if (err)
			return err;
		qo.where = n->view.where;
		qo.pidns = n->view.pidns;
		if (!strcmp(n->view.target, "cgroup")) {
			qo.cgroup = n->cgpath;
			qo.order = BPFDUMP_ORDER_SELF;
		}
	}
	q = bd_cache__get(v->cache, &qo, scope, msg, sizeof(msg));
	free(scope);
	if (!q) {
		ret = -errno;
		if (n->kind == N_VIEW && stat(n->cgpath, &st))
			return -ENOENT;
		goto done;
	}
	ret = bd_cache__print(v->cache, q, out, &po, msg, sizeof(msg));
	bd_cache__put(v->cache, q);
done:
	if (ret >= 0 && (fflush(out) || ferror(out))) {
		ret = -errno;
		snprintf(msg, sizeof(msg), "cannot buffer the output: %s", strerror(errno));
	}
	if (ret < 0) {
		bd_log(v->d, BPFDUMP_WARN, "view '%s': %s", path, msg);
		return -EIO;
	}
	return 0;
}

/* Count an open file against uid (root: no limit); -EMFILE past BD_VIEW_OPEN_MAX. */
static int opens_take(struct vfs *v, uid_t uid)
{
	struct uid_opens *u = NULL;
	int i, err = 0;

	if (!uid)
		return 0;
	pthread_mutex_lock(&v->open_lock);
	for (i = 0; i < v->opens_cnt && !u; i++)
		if (v->opens[i].uid == uid)
			u = &v->opens[i];
	if (!u) {
		err = bd_grow((void **)&v->opens, &v->opens_cap, (size_t)v->opens_cnt + 1,
			      sizeof(*v->opens));
		if (err)
			goto unlock;
		u = &v->opens[v->opens_cnt++];
		u->uid = uid;
		u->cnt = 0;
	}
	if (u->cnt >= BD_VIEW_OPEN_MAX)
		err = -EMFILE;
	else
		u->cnt++;
unlock:
	pthread_mutex_unlock(&v->open_lock);
	return err;
}

static void opens_put(struct vfs *v, uid_t uid)
{
	int i;

	if (!uid)
		return;
	pthread_mutex_lock(&v->open_lock);
	for (i = 0; i < v->opens_cnt; i++) {
		if (v->opens[i].uid != uid)
			continue;
		if (--v->opens[i].cnt <= 0)
			v->opens[i] = v->opens[--v->opens_cnt];
		break;
	}
	pthread_mutex_unlock(&v->open_lock);
}

static int vfs_open(const char *path, struct fuse_file_info *fi)
{
	uid_t uid = fuse_get_context()->uid;
	struct vfs *v = vfs_get();
	struct open_file *of;
	struct node n;
	int err;

	err = resolve(v, path, &n);
	if (err)
		return err;
	if (n.kind == N_ROOT || n.kind == N_TARGET || n.kind == N_CGDIR) {
		err = -EISDIR;
		goto out;
	}
	if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC)) {
		err = -EACCES;
		goto out;
	}
	if (!may_read(&n)) {
		err = -EACCES;
		goto out;
	}
	/* before the dump: a uid at its limit costs nothing more */
	err = opens_take(v, uid);
	if (err)
		goto out;
	of = calloc(1, sizeof(*of));
	if (!of) {
		err = -ENOMEM;
		goto put_open;
	}
	of->uid = uid;
	of->f = tmpfile();
	if (!of->f) {
		err = -errno;
		bd_log(v->d, BPFDUMP_WARN, "view '%s': no temporary file: %s", path,
		       strerror(errno));
		goto free_of;
	}
	err = produce(v, path, &n, of->f);
	if (err)
		goto close_f;
	fill_stat(v, &n, &of->st);
	of->path = strdup(path);
	if (!of->path) {
		err = -ENOMEM;
		goto close_f;
	}
	pthread_mutex_lock(&v->open_lock);
	of->next = v->open;
	v->open = of;
	pthread_mutex_unlock(&v->open_lock);
	fi->fh = (uintptr_t)of;
	fi->direct_io = 1;
	fi->keep_cache = 0;
	goto out;
close_f:
	fclose(of->f);
free_of:
	free(of);
put_open:
	opens_put(v, uid);
out:
	node_free(&n);
	return err;
}

static int vfs_read(const char *path, char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;
	ssize_t n = pread(fileno(of->f), buf, size, off);

	return n < 0 ? -errno : (int)n;
}

/* The dump is complete once open returns: every byte is readable at once, as
 * for a regular file; no later event to wait for. */
static int vfs_poll(const char *path, struct fuse_file_info *fi, struct fuse_pollhandle *ph,
		    unsigned int *reventsp)
{
	if (ph)
		fuse_pollhandle_destroy(ph);
	*reventsp |= POLLIN | POLLRDNORM;
	return 0;
}

static int vfs_release(const char *path, struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh, **pp;
	struct vfs *v = vfs_get();

	if (!of)
		return 0;
	pthread_mutex_lock(&v->open_lock);
	for (pp = &v->open; *pp; pp = &(*pp)->next) {
		if (*pp == of) {
			*pp = of->next;
			break;
		}
	}
	pthread_mutex_unlock(&v->open_lock);
	opens_put(v, of->uid);
	fclose(of->f);
	free(of->path);
	free(of);
	return 0;
}

/* _default and the dumpers the caller could open itself. */
static int list_target_files(struct vfs *v, const char *target, void *buf,
			     fuse_fill_dir_t fill)
{
	struct bd_pin *pins = NULL;
	struct bd_caller c;
	char name[300];
	int cnt = 0, i, fd, err;

	if (has_default(v, target)) {
		fill(buf, "_default", NULL, 0, 0);
		fill(buf, "_default.json", NULL, 0, 0);
	}
	err = bd_pins_scan(v->bpffs[0] ? v->bpffs : NULL, target, &pins, &cnt);
	if (err) {
		bd_log(v->d, BPFDUMP_WARN, "views: cannot list the dumpers: %s", strerror(-err));
		return err;
	}
	if (!cnt)
		goto free_pins;
	err = caller_get(&c);
	if (err) {
		if (err == -EACCES)
			err = 0;	/* a caller whose groups are unknown sees no dumper */
		goto free_pins;
	}
	err = bd_caller_enter(&c);
	if (err)
		goto free_caller;
	for (i = 0; i < cnt; i++) {
		fd = bd_caller_open(&c, pins[i].path, true);
		if (fd < 0) {
			if (daemon_short(fd)) {
				err = fd;
				break;
			}
			continue;
		}
		close(fd);
		fill(buf, pins[i].name, NULL, 0, 0);
		snprintf(name, sizeof(name), "%s.json", pins[i].name);
		fill(buf, name, NULL, 0, 0);
	}
	bd_caller_leave(&c);
free_caller:
	bd_caller_free(&c);
free_pins:
	free(pins);
	return err;
}

/* Child cgroups, then the views whose names no child takes. */
static int list_cgroup(struct vfs *v, const char *dir, void *buf, fuse_fill_dir_t fill)
{
	char **kids = NULL;
	size_t kids_cap = 0;
	int kid_cnt = 0, i, j;
	struct dirent *e;
	DIR *dp;

	dp = opendir(dir);
	if (!dp)
		return daemon_short(-errno) ? -errno : -ENOENT;
	while ((e = readdir(dp))) {
		char p[PATH_MAX];

		if (e->d_name[0] == '.')
			continue;
		if (e->d_type != DT_DIR) {
			if (e->d_type != DT_UNKNOWN)
				continue;
			if (snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) >= (int)sizeof(p) ||
			    !is_dir(p))
				continue;
		}
		if (bd_grow((void **)&kids, &kids_cap, (size_t)kid_cnt + 1, sizeof(*kids)))
			break;
		kids[kid_cnt] = strdup(e->d_name);
		if (!kids[kid_cnt])
			break;
		fill(buf, kids[kid_cnt++], NULL, 0, 0);
	}
	closedir(dp);
	views_refresh(v);
	pthread_mutex_lock(&v->views_lock);
	for (i = 0; i < v->views.cnt; i++) {
		const char *name = v->views.v[i].name;
		char json[BD_VIEW_NAME_MAX + 8];
		bool taken = false;

		snprintf(json, sizeof(json), "%s.json", name);
		for (j = 0; j < kid_cnt; j++)
			taken |= !strcmp(kids[j], name);
		if (!taken)
			fill(buf, name, NULL, 0, 0);
		for (j = 0, taken = false; j < kid_cnt; j++)
			taken |= !strcmp(kids[j], json);
		if (!taken)
			fill(buf, json, NULL, 0, 0);
	}
	pthread_mutex_unlock(&v->views_lock);
	for (i = 0; i < kid_cnt; i++)
		free(kids[i]);
	free(kids);
	return 0;
}

/* A directory handle remembers its path: with nullpath_ok, readdir may get none. */
static int vfs_opendir(const char *path, struct fuse_file_info *fi)
{
	struct open_file *of = calloc(1, sizeof(*of));

	if (!of || !(of->dir = strdup(path))) {
		free(of);
		return -ENOMEM;
	}
	fi->fh = (uintptr_t)of;
	return 0;
}

static int vfs_releasedir(const char *path, struct fuse_file_info *fi)
{
	struct open_file *of = (struct open_file *)(uintptr_t)fi->fh;

	if (of) {
		free(of->dir);
		free(of);
	}
	return 0;
}

static int vfs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		       struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct vfs *v = vfs_get();
	struct node n;
	int err, i, cnt;

	if (!path)
		path = ((struct open_file *)(uintptr_t)fi->fh)->dir;
	err = resolve(v, path, &n);
	if (err)
		return err;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	switch (n.kind) {
	case N_ROOT:
		cnt = bpfdump__target_cnt(v->d);
		for (i = 0; i < cnt; i++)
			fill(buf, bpfdump__target_name(v->d, i), NULL, 0, 0);
		break;
	case N_TARGET:
		err = list_target_files(v, n.target, buf, fill);
		break;
	case N_CGDIR:
		if (!strcmp(n.cgpath, v->cgroot))
			err = list_target_files(v, "cgroup", buf, fill);
		if (!err)
			err = list_cgroup(v, n.cgpath, buf, fill);
		break;
	default:
		err = -ENOTDIR;
	}
	node_free(&n);
	return err;
}

static void *vfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/* lookups go to us every time: pins, cgroups and views change under the mount */
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->direct_io = 1;
	/* read and release use the open file only: they work after the path went away
	 * (a cgroup removed while a reader has its view open) */
	cfg->nullpath_ok = 1;
	return fuse_get_context()->private_data;
}

static const struct fuse_operations vfs_ops = {
	.init = vfs_init,
	.getattr = vfs_getattr,
	.access = vfs_access,
	.open = vfs_open,
	.read = vfs_read,
	.poll = vfs_poll,
	.release = vfs_release,
	.opendir = vfs_opendir,
	.readdir = vfs_readdir,
	.releasedir = vfs_releasedir,
};

/* An absolute form of path (the daemon changes to /); the file itself may not exist. */
static int absolute(struct bpfdump *d, const char *path, char *out, size_t len)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return snprintf(out, len, "%s", path) >= (int)len ? -ENAMETOOLONG : 0;
	if (!getcwd(cwd, sizeof(cwd)))
		return -errno;
	if (snprintf(out, len, "%s/%s", cwd, path) >= (int)len)
		return bd_err(d, -ENAMETOOLONG, "'%s': path too long", path);
	return 0;
}

/* A mount point in /proc/self/mountinfo is escaped: \ooo for space, tab, newline, '\\'. */
static void unescape_mnt(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 | (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* dir cannot be stat'ed: ENOTCONN. When it is a view mount whose daemon died (a FUSE
 * mount of subtype bpfdump, per mountinfo), detach it so a new one can take its place. */
static int replace_dead_mount(struct bpfdump *d, const char *dir)
{
	char abs[PATH_MAX], parent[PATH_MAX], real[PATH_MAX], line[3 * PATH_MAX];
	char *slash, *base;
	bool ours = false;
	FILE *mi;
	int err;

	err = absolute(d, dir, abs, sizeof(abs));
	if (err)
		return err;
	while (strlen(abs) > 1 && abs[strlen(abs) - 1] == '/')
		abs[strlen(abs) - 1] = '\0';
	/* the parent resolves (symlinks, ..); the dead mount point itself cannot be walked */
	snprintf(parent, sizeof(parent), "%s", abs);
	slash = strrchr(parent, '/');
	base = slash + 1;
	*slash = '\0';
	if (!realpath(parent[0] ? parent : "/", real) ||
	    snprintf(abs, sizeof(abs), "%s/%s", strcmp(real, "/") ? real : "", base) >=
		    (int)sizeof(abs))
		return bd_err(d, -ENOTCONN, "mount point '%s': %s", dir, strerror(ENOTCONN));
	mi = fopen("/proc/self/mountinfo", "re");
	if (!mi)
		return bd_err(d, -errno, "mount point '%s': /proc/self/mountinfo: %s", dir,
			      strerror(errno));
	while (fgets(line, sizeof(line), mi)) {
		char mnt[PATH_MAX], *sep = strstr(line, " - ");
		char type[64];

		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(sep + 3, "%63s", type) != 1)
			continue;
		unescape_mnt(mnt);
		if (!strcmp(mnt, abs))
			ours = !strcmp(type, "fuse.bpfdump");	/* the last mount there counts */
	}
	fclose(mi);
	if (!ours)
		return bd_err(d, -ENOTCONN, "mount point '%s': %s (a dead FUSE mount that is no "
			      "view: umount -l it)", dir, strerror(ENOTCONN));
	if (umount2(abs, MNT_DETACH))
		return bd_err(d, -errno, "mount point '%s': cannot detach the dead view mount: %s",
			      dir, strerror(errno));
	bd_log(d, BPFDUMP_WARN, "mount point '%s': the view daemon there had died (%s): "
	       "detached its mount, mounting anew", dir, strerror(ENOTCONN));
	return 0;
}

/* A directory that exists, is a directory, is no mount point yet, and is empty. A dead
 * view mount there (its daemon killed) is replaced. */
static int check_mountpoint(struct bpfdump *d, const char *dir)
{
	char parent[PATH_MAX];
	struct stat st, up;
	struct statfs fs;
	struct dirent *e;
	DIR *dp;

	if (stat(dir, &st) && errno == ENOTCONN) {
		int err = replace_dead_mount(d, dir);

		if (err)
			return err;
	}
	if (stat(dir, &st))
		return bd_err(d, -errno, "mount point '%s': %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return bd_err(d, -ENOTDIR, "mount point '%s': not a directory", dir);
	/* a FUSE file system there already: a view another daemon serves, most likely */
	if (!statfs(dir, &fs) && fs.f_type == FUSE_SUPER_MAGIC &&
	    snprintf(parent, sizeof(parent), "%s/..", dir) < (int)sizeof(parent) &&
	    !stat(parent, &up) && (up.st_dev != st.st_dev || up.st_ino == st.st_ino))
		return bd_err(d, -EBUSY, "mount point '%s': a FUSE file system is mounted there "
			      "already (another view daemon? umount it first)", dir);
	dp = opendir(dir);
	if (!dp)
		return bd_err(d, -errno, "mount point '%s': %s", dir, strerror(errno));
	while ((e = readdir(dp))) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			closedir(dp);
			return bd_err(d, -ENOTEMPTY, "mount point '%s': not empty", dir);
		}
	}
	closedir(dp);
	return 0;
}

/* Each open file holds a temporary file: as many fds as the hard limit allows (each
 * non-root uid is held to BD_VIEW_OPEN_MAX of them). */
static void raise_fd_limit(struct bpfdump *d)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur == rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		bd_log(d, BPFDUMP_INFO, "views: cannot raise the open file limit: %s",
		       strerror(errno));
}

int bpfdump__view_mount(struct bpfdump *d, const char *dir,
			const struct bpfdump_mount_opts *opts)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_loop_config *lc = NULL;
	struct vfs *v;
	struct fuse *f = NULL;
	char o[128];
	int err;

	if (!dir || !OPTS_OK(opts, bpfdump_mount_opts))
		return bd_err(d, -EINVAL, "view mount: bad arguments");
	err = bd_btf_ready(d);
	if (err)
		return err;
	err = check_mountpoint(d, dir);
	if (err)
		return err;
	raise_fd_limit(d);
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->d = d;
	v->mounted = time(NULL);
	v->default_mode = opts && opts->default_mode ? opts->default_mode : 0400;
	pthread_mutex_init(&v->views_lock, NULL);
	pthread_mutex_init(&v->open_lock, NULL);
	err = absolute(d, bd_views_path(opts ? opts->conf : NULL), v->conf, sizeof(v->conf));
	if (err)
		goto free_vfs;
	if (opts && opts->bpffs && !realpath(opts->bpffs, v->bpffs)) {
		err = bd_err(d, -errno, "bpffs '%s': %s", opts->bpffs, strerror(errno));
		goto free_vfs;
	}
	if (bd_cgroup2_root(v->cgroot, sizeof(v->cgroot)))
		bd_log(d, BPFDUMP_WARN, "views: no cgroup2 mount: %s/cgroup shows no cgroups",
		       dir);
	/* a bad config file is refused now rather than at the first reader */
	err = bd_views_load(d, v->conf, v->default_mode, &v->views);
	if (err)
		goto free_vfs;
	stat(v->conf, &v->conf_st);
	v->cache = bd_cache__new(d);
	if (!v->cache) {
		err = -ENOMEM;
		goto free_vfs;
	}
	snprintf(o, sizeof(o), "fsname=bpfdump,subtype=bpfdump%s",
		 opts && opts->allow_other ? ",allow_other" : "");
	if (fuse_opt_add_arg(&args, "bpfdump") || fuse_opt_add_arg(&args, "-o") ||
	    fuse_opt_add_arg(&args, o)) {
		err = -ENOMEM;
		goto free_args;
	}
	f = fuse_new(&args, &vfs_ops, sizeof(vfs_ops), v);
	if (!f) {
		err = bd_err(d, -EINVAL, "view mount '%s': libfuse refused the options", dir);
		goto free_args;
	}
	if (fuse_mount(f, dir)) {
		err = bd_err(d, -EIO, "view mount '%s': mount failed (is /dev/fuse there, and "
			     "fuse3 installed?)", dir);
		goto destroy;
	}
	if (fuse_daemonize(opts ? opts->foreground : 0)) {
		err = bd_err(d, -errno, "view mount '%s': cannot daemonize", dir);
		goto unmount;
	}
	if (fuse_set_signal_handlers(fuse_get_session(f))) {
		err = bd_err(d, -EIO, "view mount '%s': cannot set signal handlers", dir);
		goto unmount;
	}
	lc = fuse_loop_cfg_create();
	if (!lc) {
		err = -ENOMEM;
		goto signals;
	}
	fuse_loop_cfg_set_max_threads(lc, opts && opts->threads > 0 ? opts->threads : 16);
	bd_log(d, BPFDUMP_INFO, "views: serving %s", dir);
	if (fuse_loop_mt(f, lc))
		err = bd_err(d, -EIO, "view mount '%s': the FUSE loop failed", dir);
	fuse_loop_cfg_destroy(lc);
signals:
	fuse_remove_signal_handlers(fuse_get_session(f));
unmount:
	fuse_unmount(f);
destroy:
	fuse_destroy(f);
free_args:
	fuse_opt_free_args(&args);
	bd_cache__free(v->cache);
free_vfs:
	bd_views_free(&v->views);
	pthread_mutex_destroy(&v->views_lock);
	pthread_mutex_destroy(&v->open_lock);
	free(v->opens);
	free(v);
	return err;
}
